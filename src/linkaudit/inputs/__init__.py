"""Inputs: files, directories and stdin become Documents, one reader per format, the same Document out.

    text.py          .txt (charset detection: cp1251 and koi8-r are as common as UTF-8), and .html as text
    markdown.py      .md through markdown-it-py: its links, and raw HTML read like HTML
    pdf.py           .pdf text layer with page starts, and the /URI link annotations
    docx.py, odt.py  body, footnotes and endnotes (as a notes list), hyperlinks and HYPERLINK field codes
    bibliography.py  .bib (BibTeX/BibLaTeX), .json (CSL-JSON), .ris: one structured entry per reference

The suffix chooses the reader; the content overrules it when it clearly says otherwise (a PDF named .txt, a
DOCX named .doc). Every problem is an InputError with one line naming the file; ``collect_contained`` keeps
going past a file that cannot be read and says why in one line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..models import Document, DocumentKind
from .errors import InputError
from .text import decode_bytes, looks_like_html

__all__ = [
    "MAX_INPUT_BYTES",
    "READERS",
    "SUFFIXES",
    "Collected",
    "InputError",
    "collect",
    "collect_contained",
    "decode_bytes",
    "decode_document",
    "read_bytes",
    "read_file",
]

# How each suffix's text is laid out for the references stage (the binary formats are read as text).
SUFFIXES: dict[str, DocumentKind] = {
    ".txt": DocumentKind.TEXT,
    ".text": DocumentKind.TEXT,
    ".md": DocumentKind.MARKDOWN,
    ".markdown": DocumentKind.MARKDOWN,
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
    ".xhtml": DocumentKind.HTML,
    ".pdf": DocumentKind.TEXT,
    ".docx": DocumentKind.TEXT,
    ".odt": DocumentKind.TEXT,
    ".bib": DocumentKind.TEXT,
    ".json": DocumentKind.TEXT,
    ".ris": DocumentKind.TEXT,
}
# Which reader a suffix chooses.
READERS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "docx",  # a .docx saved under the old suffix is read; a real Word 97 file is refused by its content
    ".odt": "odt",
    ".bib": "bibtex",
    ".json": "csl-json",
    ".ris": "ris",
}
MAX_INPUT_BYTES = 200 * 1024 * 1024
STDIN_NAME = "<stdin>"
_WALKED = tuple(suffix for suffix in READERS if suffix != ".doc")


@dataclass(frozen=True)
class Collected:
    """What ``collect_contained`` could read, and one line for each input it could not."""

    documents: tuple[Document, ...]
    problems: tuple[str, ...]


def collect(paths: Iterable[str], *, stdin: BinaryIO | None = None) -> list[Document]:
    """Documents for the given paths, in the order given; directories are walked recursively by suffix.
    The first input that cannot be read raises InputError."""
    documents: list[Document] = []
    for given in paths:
        documents.extend(item() for item in _expand(given, stdin))
    return documents


def collect_contained(paths: Iterable[str], *, stdin: BinaryIO | None = None) -> Collected:
    """Like ``collect``, but an input that cannot be read is one line in ``problems`` and the rest go on."""
    documents: list[Document] = []
    problems: list[str] = []
    for given in paths:
        try:
            items = list(_expand(given, stdin))
        except InputError as exc:
            problems.append(str(exc))
            continue
        for item in items:
            _read_contained(item, documents, problems)
    return Collected(tuple(documents), tuple(problems))


def _read_contained(item: Callable[[], Document], documents: list[Document], problems: list[str]) -> None:
    """One file read, or its one-line problem noted: it never stops the others."""
    try:
        documents.append(item())
    except InputError as exc:
        problems.append(str(exc))


def _expand(given: str, stdin: BinaryIO | None) -> Iterator[Callable[[], Document]]:
    """One reading thunk per file a path names; InputError for a path that names nothing readable."""
    if given == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield lambda: read_bytes(stream.read(), STDIN_NAME, suffix="", path=None)
        return
    path = Path(given)
    if path.is_dir():
        found = sorted(_walk(path))
        if not found:
            listed = ", ".join(_WALKED)
            raise InputError(f"{given}: no .txt, .md or .html files in this directory (nor any of {listed})")
        for item in found:
            yield lambda item=item: read_file(item, name=str(item))  # type: ignore[misc]
    elif path.exists():
        yield lambda: read_file(path, name=given)
    else:
        raise InputError(f"{given}: no such file or directory")


def _walk(directory: Path) -> Iterator[Path]:
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix.lower() in _WALKED and not any(
            part.startswith(".") for part in path.relative_to(directory).parts
        ):
            yield path


def read_file(path: Path, *, name: str | None = None) -> Document:
    display = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{display}: file is {size // (1024 * 1024)} MB, more than the 200 MB limit")
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{display}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{display}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot read ({exc.strerror or exc})") from None
    return read_bytes(data, display, suffix=path.suffix.lower(), path=str(path))


def read_bytes(data: bytes, name: str, *, suffix: str, path: str | None) -> Document:
    """The Document for ``data``: the reader its content calls for, else the one its suffix names."""
    reader = sniff(data) or READERS.get(suffix, "text")
    if reader == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, name, path)
    if reader == "docx":
        from .docx import read_docx

        return read_docx(data, name, path)
    if reader == "odt":
        from .odt import read_odt

        return read_odt(data, name, path)
    text, encoding = decode_bytes(data, name)
    if reader in ("text", "html"):
        reader = sniff_text(text) or reader
    return _from_text(text, encoding, name, path, reader)


def _from_text(text: str, encoding: str, name: str, path: str | None, reader: str) -> Document:
    if reader in ("bibtex", "csl-json", "ris"):
        from .bibliography import read_bibliography

        return read_bibliography(text, encoding, name, path, reader)
    if reader == "markdown":
        from .markdown import read_markdown

        return read_markdown(text, encoding, name, path)
    kind = DocumentKind.HTML if reader == "html" else DocumentKind.TEXT
    return Document(name=name, kind=kind, text=text, encoding=encoding, path=path, reader=reader)


def decode_document(data: bytes, name: str, kind: DocumentKind, *, path: str | None) -> Document:
    """A document whose layout kind is known (text, Markdown, HTML); a PDF or DOCX in disguise is still read
    as what it is."""
    suffix = {DocumentKind.MARKDOWN: ".md", DocumentKind.HTML: ".html"}.get(kind, ".txt")
    return read_bytes(data, name, suffix=suffix, path=path)


def sniff(data: bytes) -> str | None:
    """The binary format the bytes are in, whatever the file is called; InputError for one no reader takes."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        window = data[:4096] + data[-65536:]
        if b"word/" in window:
            return "docx"
        if b"application/vnd.oasis.opendocument.text" in data[:200] or b"content.xml" in window:
            return "odt"
    return None


def sniff_text(text: str) -> str | None:
    """A text format a mislabelled file is really in: HTML, BibTeX, RIS or CSL-JSON."""
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if looks_like_html(head):
        return "html"
    from .bibliography import looks_like

    return looks_like(head)
