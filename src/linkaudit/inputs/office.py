"""What the Word and OpenDocument readers share: the zip opened safely, XML parsed without entities or network,
and a writer that lays paragraphs, footnote markers and notes lists out as text with the links' offsets.

Footnotes become a notes list the notes stage already reads (``[^N]: …`` under a "Footnotes" heading, ``[^N]`` in
the body where the footnote is referenced), so footnote N is note N of its own list.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from ..models import Document, DocumentKind, Hyperlink
from .errors import InputError

MAX_PART_BYTES = 200 * 1024 * 1024  # an uncompressed part larger than this is a zip bomb, not a paper
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


def open_zip(data: bytes, name: str, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{name}: not a readable {what} file (broken zip: {exc})") from None


def read_part(archive: zipfile.ZipFile, part: str, name: str, what: str) -> bytes | None:
    """A part's bytes (None when absent); InputError for an oversized or broken part."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise InputError(f"{name}: {part} unpacks to {info.file_size // (1024 * 1024)} MB; not read")
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{name}: not a readable {what} file ({part}: {exc})") from None


def parse_xml(data: bytes, name: str, part: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: {part} is not well-formed XML ({exc.msg})") from None


@dataclass
class TextWriter:
    """Builds the document text paragraph by paragraph and records each link's span in it."""

    pieces: list[str] = field(default_factory=list)
    length: int = 0
    links: list[Hyperlink] = field(default_factory=list)

    def write(self, text: str) -> None:
        if text:
            self.pieces.append(text)
            self.length += len(text)

    def end_paragraph(self) -> None:
        """A blank line after each paragraph: the notes stage takes one for a paragraph's end."""
        if self.pieces and not self.pieces[-1].endswith("\n\n"):
            self.write("\n\n" if not self.pieces[-1].endswith("\n") else "\n")

    def position(self) -> tuple[int, int]:
        """Where the next text goes: (piece index, offset), to open a link with."""
        return len(self.pieces), self.length

    def link(self, target: str, opened: tuple[int, int], source: str) -> None:
        """A link over the text written since ``opened``."""
        shown = "".join(self.pieces[opened[0] :])
        self.links.append(Hyperlink(target.strip(), opened[1], self.length, shown, source))

    def notes_heading(self, heading: str) -> None:
        """The heading a notes list opens under ("Footnotes", "Endnotes"), in a paragraph of its own."""
        self.end_paragraph()
        self.write(f"{heading}\n\n")

    def text(self) -> str:
        return "".join(self.pieces)

    def document(self, name: str, path: str | None, reader: str) -> Document:
        """The Document the text written so far and its links make (``reader`` is also its encoding)."""
        return Document(
            name=name,
            kind=DocumentKind.TEXT,
            text=self.text(),
            encoding=reader,
            path=path,
            reader=reader,
            links=tuple(self.links),
        )


def clean_text(text: str) -> str:
    """Text as a reader sees it: soft hyphens (invisible unless at a break) and zero-width spaces removed."""
    return text.replace("\u00ad", "").replace("\u200b", "")
