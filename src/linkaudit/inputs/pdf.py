"""PDF: the text layer page by page (pypdfium2, ~0.2 s for a 110-page thesis) and the /URI link annotations.

Pages are joined with a line break and a form feed, and their start offsets kept, so notes know their page.
PDFium marks a hyphen it found at a line end with U+FFFE and drops the line break; it is written back as ``-``
and a line break, which is what the page shows: whether the hyphen belongs to a URL is for the URL stage to
decide. A U+00AD in a text layer was drawn (XeTeX maps its hyphen glyph to it): mid-line it is the hyphen it
looks like.

A link annotation gives its target and the text under its rectangle. Targets stored as UTF-16 or as raw UTF-8
bytes are decoded; a target on (nearly) every page is a download site's watermark and is set aside.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..models import Document, DocumentKind, Hyperlink
from .errors import InputError

_BREAKS = re.compile(r"\r\n|\r|\ufffe(?:\r\n|\r|\n)?|\u00ad(?:\r\n|\r|\n)|\u00ad|\x00")
_MIN_TEXT_PER_PAGE = 4  # non-blank characters per page below which a PDF is taken for a scan
WATERMARK_SHARE = 0.6  # a target on at least this share of the pages (and on 3 or more) is a watermark,
WATERMARK_SHARE_UNRELATED = 0.3  # and so is one on this share whose text never names its site
_WEB_TARGET = re.compile(r"^(?:https?|ftp)://|^www\.", re.IGNORECASE)
_MAX_URI_BYTES = 8192


@dataclass(frozen=True)
class _RawLink:
    target: str
    page: int  # 0-based
    first: int  # pdfium char indices under the rectangle (first, last), -1 when none
    last: int


def read_pdf(data: bytes, name: str, path: str | None) -> Document:
    """The document's text layer with its page starts and link annotations; InputError naming the file."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError(f"{name}: encrypted PDF (it needs a password to open); decrypt it first") from None
        raise InputError(f"{name}: not a readable PDF ({_reason(exc)})") from None
    try:
        return _read(pdf, name, path)
    finally:
        pdf.close()


def _reason(exc: Exception) -> str:
    text = str(exc)
    inner = re.search(r"\(PDFium: ([^)]*)\)", text)
    return (inner.group(1) if inner else text).rstrip(".").lower()


def _read(pdf: pdfium.PdfDocument, name: str, path: str | None) -> Document:
    pieces: list[str] = []
    pages: list[int] = []
    raw_links: list[_RawLink] = []
    page_maps: list[_OffsetMap] = []
    offset = 0
    count = len(pdf)
    for index in range(count):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range()
                raw_links.extend(_page_links(pdf, page, textpage, index))
                wide = len(raw) != textpage.count_chars()
            finally:
                textpage.close()
        finally:
            page.close()
        text, offsets = _clean(raw, wide)
        if index:
            pieces.append("\n\f")  # the break on a line of its own, as the notes stage counts lines
            offset += 2
        pages.append(offset)
        page_maps.append(offsets)
        pieces.append(text)
        offset += len(text)
    text = "".join(pieces)
    if count and sum(1 for c in text if not c.isspace()) < _MIN_TEXT_PER_PAGE * count:
        raise InputError(f"{name}: no text layer (a scanned PDF?); run OCR on it first")
    links, remarks = _hyperlinks(raw_links, pages, page_maps, text, count)
    return Document(
        name=name,
        kind=DocumentKind.TEXT,
        text=text,
        encoding="pdf",
        path=path,
        reader="pdf",
        pages=tuple(pages),
        links=tuple(links),
        remarks=tuple(remarks),
    )


@dataclass(frozen=True)
class _OffsetMap:
    """pdfium character index -> offset in the cleaned page text."""

    cuts: tuple[int, ...]  # raw positions after which the text shrank or grew
    shifts: tuple[int, ...]  # cumulative change at each cut
    wide: tuple[int, ...]  # positions of characters outside the BMP (two pdfium indices, one Python character)

    def __call__(self, index: int) -> int:
        if self.wide:
            index -= bisect_right(self.wide, index - 1)
        at = bisect_right(self.cuts, index) - 1
        return index + (self.shifts[at] if at >= 0 else 0)


def _clean(raw: str, wide: bool) -> tuple[str, _OffsetMap]:
    """``raw`` with PDFium's line breaks and hyphen marks written as the page shows them, and the offset map."""
    out: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    last = 0
    shift = 0
    for match in _BREAKS.finditer(raw):
        out.append(raw[last : match.start()])
        token = match.group(0)
        if token[0] == "\ufffe" or (token[0] == "\u00ad" and len(token) > 1):
            written = "-\n"
        elif token == "\u00ad":
            written = "-"
        elif token == "\x00":
            written = ""
        else:
            written = "\n"
        out.append(written)
        shift += len(written) - len(token)
        cuts.append(match.end())
        shifts.append(shift)
        last = match.end()
    out.append(raw[last:])
    positions: tuple[int, ...] = ()
    if wide:
        positions = tuple(i for i, c in enumerate(raw) if ord(c) > 0xFFFF)
    return "".join(out), _OffsetMap(tuple(cuts), tuple(shifts), positions)


def _page_links(
    pdf: pdfium.PdfDocument, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, index: int
) -> list[_RawLink]:
    links: list[_RawLink] = []
    start = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    boxes: list[tuple[float, float, float, float]] | None = None
    while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(start), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        target = _uri(pdf, action)
        if not target:
            continue
        rect = pdfium_c.FS_RECTF()
        first = last = -1
        if pdfium_c.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            if boxes is None:
                boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
            first, last = _chars_in(boxes, rect.left, rect.bottom, rect.right, rect.top)
        links.append(_RawLink(target, index, first, last))
    return links


def _uri(pdf: pdfium.PdfDocument, action: object) -> str:
    size = pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, None, 0)
    if size <= 0 or size > _MAX_URI_BYTES:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, buffer, size)
    return decode_uri(buffer.raw[: size - 1])


def decode_uri(data: bytes) -> str:
    """A /URI string as written: UTF-16 with its byte-order mark, raw UTF-8 bytes, else Latin-1."""
    data = data.rstrip(b"\x00")
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return "".join(text.replace("\u00ad", "").split())


def _chars_in(
    boxes: list[tuple[float, float, float, float]], left: float, bottom: float, right: float, top: float
) -> tuple[int, int]:
    """First and last character whose centre lies in the rectangle (with a point of slack)."""
    low_x, high_x = min(left, right) - 1, max(left, right) + 1
    low_y, high_y = min(bottom, top) - 1, max(bottom, top) + 1
    first = last = -1
    for index, (box_left, box_bottom, box_right, box_top) in enumerate(boxes):
        x = (box_left + box_right) / 2
        y = (box_bottom + box_top) / 2
        if low_x <= x <= high_x and low_y <= y <= high_y and box_right > box_left:
            if first < 0:
                first = index
            last = index
    return first, last


def _named(target: str, links: list[_RawLink], maps: list[_OffsetMap], text: str, pages: list[int]) -> bool:
    """Whether the text under any of the target's links names its host (a cited URL does, a watermark not)."""
    host = re.sub(r"^(?:[a-z]+://)?(?:www\.)?", "", target.lower()).split("/")[0]
    for link in links:
        if link.target == target and link.first >= 0:
            base = pages[link.page]
            shown = text[base + maps[link.page](link.first) : base + maps[link.page](link.last) + 1]
            if host and host in "".join(shown.lower().split()):
                return True
    return False


def _hyperlinks(
    raw_links: list[_RawLink], pages: list[int], maps: list[_OffsetMap], text: str, count: int
) -> tuple[list[Hyperlink], list[str]]:
    web = [link for link in raw_links if _WEB_TARGET.match(link.target)]
    remarks: list[str] = []
    skipped = len(raw_links) - len(web)
    if skipped:
        remarks.append(f"{skipped} link annotation(s) to files or other non-web targets set aside")
    pages_of: dict[str, set[int]] = defaultdict(set)
    for link in web:
        pages_of[link.target].add(link.page)
    watermarks = {
        target
        for target, on in pages_of.items()
        if count >= 3
        and (
            len(on) >= max(3, WATERMARK_SHARE * count)
            or (len(on) >= max(3, WATERMARK_SHARE_UNRELATED * count) and not _named(target, web, maps, text, pages))
        )
    }
    remarks.extend(
        f"the link {target} is on {len(pages_of[target])} of {count} pages: a watermark, not cited"
        for target in sorted(watermarks)
    )
    links: list[Hyperlink] = []
    for link in web:
        if link.target in watermarks:
            continue
        if link.first < 0:
            start = end = -1
            shown = ""
        else:
            base = pages[link.page]
            start = base + maps[link.page](link.first)
            end = base + maps[link.page](link.last) + 1
            shown = text[start:end]
        links.append(Hyperlink(link.target, start, end, shown, "pdf-annotation", link.page + 1))
    return links, remarks
