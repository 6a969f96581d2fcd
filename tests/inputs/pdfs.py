"""Small PDFs written byte by byte: a text layer per page and /URI link annotations over chosen lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    text: str
    uri: bytes | None = None  # the /URI string's bytes as stored (ASCII, UTF-8 or UTF-16 with a BOM)
    size: float = 11  # font size
    indent: float = 0  # points right of the left margin
    gap: float = 0  # extra points of space above the line
    mark: str = ""  # a superscript note number set before the text (smaller and raised)
    step: float = 16  # points from this line's baseline to the next one's


@dataclass(frozen=True)
class PdfPage:
    lines: Sequence[Line] = field(default_factory=tuple)


def _literal(data: bytes) -> bytes:
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def build_pdf(pages: Sequence[PdfPage]) -> bytes:
    """A PDF 1.4 file: Helvetica text, one line every 16 points from the top, a link over each line given one."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # the page tree, written when the pages are known
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for page in pages:
        stream = b"BT "
        annots = []
        y = 780.0
        for line in page.lines:
            y -= line.gap
            x = 56 + line.indent
            if line.mark:
                small = line.size * 0.6
                stream += b"/F1 %.2f Tf 1 0 0 1 %.2f %.2f Tm " % (small, x, y + line.size * 0.35)
                stream += _literal(line.mark.encode("cp1252")) + b" Tj "
                x += small * 0.56 * len(line.mark) + 0.5
            stream += b"/F1 %.2f Tf 1 0 0 1 %.2f %.2f Tm " % (line.size, x, y)
            stream += _literal(line.text.encode("cp1252")) + b" Tj "
            if line.uri is not None:
                annots.append(
                    add(b"<< /Type /Annot /Subtype /Link /Border [0 0 0] /Rect [54 %d 560 %d] /A << /S /URI /URI "
                        % (y - 3, y + line.size) + _literal(line.uri) + b" >> >>")
                )
            y -= line.step
        stream += b"ET"
        contents = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        annot_refs = b" ".join(b"%d 0 R" % number for number in annots)
        kids.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R /Annots [%s] >>" % (font, contents, annot_refs)
            )
        )
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypt(data: bytes) -> bytes:
    """``data`` (from build_pdf) with a standard security handler's /Encrypt dictionary in its trailer whose
    password is not empty: a reader must ask for the password (its /O and /U match no password)."""
    handler = (
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -44 >>"
    )
    identifier = b"<00112233445566778899aabbccddeeff>"
    return data.replace(
        b"trailer\n<< /Size",
        b"trailer\n<< /Encrypt " + handler + b" /ID [" + identifier + b" " + identifier + b"] /Size",
    )
