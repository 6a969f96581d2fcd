"""PDF: the text layer page by page (pypdfium2, ~0.2 s for a 110-page thesis) and the /URI link annotations.

Pages are joined with a line break and a form feed, and their start offsets kept, so notes know their page.
A text layer has no blank lines, so each page's lines are measured (PDFium's character origins, boxes and font
sizes): a blank line is written where a paragraph or block ends (a vertical gap, a jump upwards, a short line
followed by a first-line indent), and footnotes (set smaller than the body, under its lowest line, opening with a
superscript or the next number) are written as ``[^N]:`` notes, their number no longer glued to a URL.
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
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

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
                wide = _wide_positions(raw) if len(raw) != textpage.count_chars() else ()
                layout = _structure(textpage, raw, wide)
            finally:
                textpage.close()
        finally:
            page.close()
        text, offsets = _clean(raw, wide, layout)
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


def _wide_positions(raw: str) -> tuple[int, ...]:
    """Positions of the characters outside the BMP, each two pdfium indices but one Python character."""
    return tuple(index for index, char in enumerate(raw) if ord(char) > 0xFFFF)


def _clean(raw: str, wide: tuple[int, ...], layout: Sequence[_Edit] = ()) -> tuple[str, _OffsetMap]:
    """``raw`` with PDFium's line breaks and hyphen marks written as the page shows them, the page's layout
    edits (blank lines between paragraphs, footnote numbers as ``[^N]:``) made, and the offset map."""
    edits: list[_Edit] = [*layout]
    for match in _BREAKS.finditer(raw):
        token = match.group(0)
        if token[0] == "\ufffe" or (token[0] == "\u00ad" and len(token) > 1):
            written = "-\n"
        elif token == "\u00ad":
            written = "-"
        elif token == "\x00":
            written = ""
        else:
            written = "\n"
        edits.append(_Edit(match.start(), match.end(), written))
    edits.sort(key=lambda edit: (edit.start, edit.end))
    out: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    last = 0
    shift = 0
    for edit in edits:
        if edit.start < last:
            continue  # overlapping edits cannot happen (breaks end lines, layout edits start them); kept safe
        out.append(raw[last : edit.start])
        out.append(edit.written)
        shift += len(edit.written) - (edit.end - edit.start)
        cuts.append(edit.end)
        shifts.append(shift)
        last = edit.end
    out.append(raw[last:])
    return "".join(out), _OffsetMap(tuple(cuts), tuple(shifts), wide)


@dataclass(frozen=True)
class _Edit:
    """Raw page text ``[start, end)`` written as ``written``."""

    start: int
    end: int
    written: str


@dataclass(frozen=True)
class _Line:
    """One printed line of a page: its raw text span and its geometry (PDF points, y upwards)."""

    start: int  # raw index of its first non-blank character
    end: int  # raw index past its last non-blank character
    first_y: float  # baseline of its first character
    last_y: float  # baseline of its last character (a hyphen PDFium joined puts it a line lower)
    left: float
    right: float
    size: float  # the font size most of it is set in
    mark_size: float  # the font size of its first character (a footnote number is smaller)
    mark_y: float  # the baseline of its first character (a superscript one is raised)


_LINE_BREAK = re.compile(r"(?<![\ufffe\u00ad])(?:\r\n|\r|\n)")
_WORD = re.compile(r"[^\W\d_]{2}")
_FOOTNOTE_NUMBER = re.compile(r"(\d{1,3})([ \t]*)(?=\S)")
_SAMPLES = 5  # characters whose font size is read per line
FOOTNOTE_SIZE = 0.92  # a line set below this share of the body's font size, under the body, is a footnote
SUPERSCRIPT_SIZE = 0.85  # a number set below this share of its line's size is a superscript mark
PARAGRAPH_GAP = 1.6  # a vertical gap above this many line pitches ends a paragraph


def _structure(textpage: pdfium.PdfTextPage, raw: str, wide: tuple[int, ...]) -> list[_Edit]:
    """The edits that give a page's text its structure: a blank line where a paragraph or block ends (a
    vertical gap, a jump upwards, a short line followed by an indented one), and the footnotes at the page's
    foot (set smaller than the body, under it) opened as ``[^N]:`` notes, their number no longer glued to the
    text (``1https://…``)."""
    lines = _lines(textpage, raw, wide)
    if len(lines) < 2:
        return []
    body = _body_size(lines)
    if body <= 0:
        return []
    pitch = _pitch(lines, body)
    edits: list[_Edit] = []
    blocks = _footnote_blocks(lines, body, pitch, raw)
    inside = {line.start for block in blocks for line in block}
    edits += _paragraph_breaks([line for line in lines if line.start not in inside], body, pitch, raw)
    for block in blocks:
        edits.append(_Edit(block[0].start, block[0].start, "\n"))
        edits += _footnote_marks(block, raw)
        after = next((line for line in lines if line.start > block[-1].start), None)
        if after is not None and after.start not in inside:  # what follows the footnotes is not part of one
            edits.append(_Edit(after.start, after.start, "\n"))
    return edits


def _lines(textpage: pdfium.PdfTextPage, raw: str, wide: tuple[int, ...]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for match in [*_LINE_BREAK.finditer(raw), None]:
        end = match.start() if match is not None else len(raw)
        line = _line(textpage, raw, start, end, wide)
        if line is not None:
            lines.append(line)
        if match is not None:
            start = match.end()
    return lines


def _line(textpage: pdfium.PdfTextPage, raw: str, start: int, end: int, wide: tuple[int, ...]) -> _Line | None:
    first = start
    while first < end and (raw[first].isspace() or raw[first] in "\ufffe\u00ad\x00"):
        first += 1
    last = end - 1
    while last > first and (raw[last].isspace() or raw[last] in "\ufffe\u00ad\x00"):
        last -= 1
    if first >= end:
        return None

    def char(index: int) -> int:
        return index + bisect_right(wide, index - 1) if wide else index

    x = ctypes.c_double()
    y = ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage.raw, char(first), ctypes.byref(x), ctypes.byref(y))
    left, first_y = x.value, y.value
    pdfium_c.FPDFText_GetCharOrigin(textpage.raw, char(last), ctypes.byref(x), ctypes.byref(y))
    last_y = y.value
    right = textpage.get_charbox(char(last))[2]
    step = max(1, (last - first) // _SAMPLES)
    sizes = [
        pdfium_c.FPDFText_GetFontSize(textpage.raw, char(index))
        for index in range(first, last + 1, step)
        if not raw[index].isspace()
    ][: _SAMPLES + 1]
    mark_size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char(first))
    return _Line(first, last + 1, first_y, last_y, left, right, median(sizes), mark_size, first_y)


def _body_size(lines: Sequence[_Line]) -> float:
    """The font size most of the page's text is set in."""
    weights: dict[float, int] = defaultdict(int)
    for line in lines:
        weights[round(line.size, 1)] += line.end - line.start
    return max(weights, key=lambda size: weights[size])


def _pitch(lines: Sequence[_Line], body: float) -> float:
    """The usual distance between the baselines of two body lines."""
    gaps = [
        previous.last_y - line.first_y
        for previous, line in zip(lines, lines[1:], strict=False)
        if _is_body(previous, body) and _is_body(line, body) and previous.last_y - line.first_y > 0.5 * body
    ]
    return median(gaps) if gaps else 1.2 * body


def _is_body(line: _Line, body: float) -> bool:
    return abs(line.size - body) <= 0.08 * body


def _footnote_blocks(lines: Sequence[_Line], body: float, pitch: float, raw: str) -> list[list[_Line]]:
    """The runs of footnote lines (in reading order, wherever PDFium puts them: after the body, or before
    it): set smaller than the body, all under its lowest line, the first opening with a note number and each
    note holding words. A page number or running title printed among them is left out."""
    floor = min((line.last_y for line in lines if _is_body(line, body) and line.end - line.start > 3), default=None)
    if floor is None:
        return []
    blocks: list[list[_Line]] = []
    run: list[_Line] = []
    for line in [*lines, None]:
        if line is not None and line.size < FOOTNOTE_SIZE * body and line.first_y < floor - 0.5 * pitch:
            run.append(line)
            continue
        while run and raw[run[-1].start : run[-1].end].strip().isdigit():
            run.pop()  # the page number printed under the footnotes
        marks = _footnote_marks(run, raw) if run else []
        if marks and marks[0].start == run[0].start:
            blocks.append(run)
        run = []
    return blocks


def _footnote_number(line: _Line, raw: str, previous: int | None) -> re.Match[str] | None:
    """The note number opening a footnote line: a superscript one (smaller, or raised), or one followed by a
    blank that is the first of the page's notes or the next one."""
    match = _FOOTNOTE_NUMBER.match(raw, line.start, line.end)
    if match is None:
        return None
    superscript = line.mark_size < SUPERSCRIPT_SIZE * line.size or line.mark_y > line.first_y + 0.2 * line.size
    if superscript:
        return match
    if match.group(2) and (previous is None or int(match.group(1)) == previous + 1):
        return match
    return None


def _footnote_marks(zone: Sequence[_Line], raw: str) -> list[_Edit]:
    """``[^N]: `` for each footnote's number: at the start of its line, or a superscript number PDFium gave a
    line of its own (its baseline is raised) joined to the line it stands before."""
    edits: list[_Edit] = []
    previous: int | None = None
    for index, line in enumerate(zone):
        text = raw[line.start : line.end]
        following = zone[index + 1] if index + 1 < len(zone) else None
        if (
            text.isdigit()
            and len(text) <= 3
            and following is not None
            and abs(following.first_y - line.first_y) < 0.6 * following.size
            and following.left >= line.right - 1
        ):
            previous = int(text)
            edits.append(_Edit(line.start, following.start, f"[^{previous}]: "))
            continue
        match = _footnote_number(line, raw, previous)
        if match is None or not _WORD.search(raw, match.end(), line.end):
            continue  # a number with no words after it (``1 0``, a table's figures) opens no note
        previous = int(match.group(1))
        edits.append(_Edit(match.start(), match.end(), f"[^{previous}]: "))
    return edits


def _paragraph_breaks(lines: Sequence[_Line], body: float, pitch: float, raw: str) -> list[_Edit]:
    body_lines = [line for line in lines if _is_body(line, body)]
    if len(body_lines) < 2:
        return []
    margin = median(line.left for line in body_lines)
    rights = sorted(line.right for line in body_lines)
    measure = rights[int(0.9 * (len(rights) - 1))] - margin
    edits: list[_Edit] = []
    for index in range(1, len(lines)):
        previous, line = lines[index - 1], lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        gap = previous.last_y - line.first_y
        size = max(previous.size, line.size)
        if abs(gap) < 0.5 * size:
            continue  # the same printed line, split by PDFium (a superscript, a change of font)
        step = pitch if _is_body(previous, body) and _is_body(line, body) else max(pitch, 1.2 * size)
        ends_short = previous.right < margin + 0.85 * measure
        indented = margin + 0.6 * body < line.left < margin + 0.3 * measure
        # a first-line indent: the paragraph's next line is back at the margin (a list set with hanging
        # indents keeps its continuation lines indented, and a note's URL pushed to its next line stays in it)
        first_line = following is None or following.left < line.left - 0.6 * body
        opens = not raw[line.start].islower()
        if gap < -0.5 * step or gap > PARAGRAPH_GAP * step or (ends_short and indented and first_line and opens):
            edits.append(_Edit(line.start, line.start, "\n"))
    return edits


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
