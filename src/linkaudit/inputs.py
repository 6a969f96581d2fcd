"""Inputs: files, directories and stdin become decoded Documents.

Old Central Asian and Russian documents arrive in cp1251 or koi8-r as often as in UTF-8, so bytes are decoded
with charset detection rather than assumed; a file that is not text is refused with a one-line reason.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from .models import Document, DocumentKind

SUFFIXES: dict[str, DocumentKind] = {
    ".txt": DocumentKind.TEXT,
    ".text": DocumentKind.TEXT,
    ".md": DocumentKind.MARKDOWN,
    ".markdown": DocumentKind.MARKDOWN,
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
    ".xhtml": DocumentKind.HTML,
}
MAX_INPUT_BYTES = 200 * 1024 * 1024
STDIN_NAME = "<stdin>"

# Cyrillic single-byte encodings are told apart by which letters come out most frequent.
_CYRILLIC_CANDIDATES = ("cp1251", "koi8-r", "cp866", "mac-cyrillic", "iso8859-5")
_COMMON_RUSSIAN = set("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё")


class InputError(Exception):
    """An input cannot be read; the message names the file and the problem in one line."""


def collect(paths: Iterable[str], *, stdin: BinaryIO | None = None) -> list[Document]:
    """Documents for the given paths, in the order given; directories are walked recursively by suffix."""
    documents: list[Document] = []
    for given in paths:
        if given == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            documents.append(decode_document(stream.read(), STDIN_NAME, _kind_of_stdin(), path=None))
            continue
        path = Path(given)
        if path.is_dir():
            found = sorted(_walk(path))
            if not found:
                raise InputError(f"{given}: no .txt, .md or .html files in this directory")
            documents.extend(read_file(p, name=str(p)) for p in found)
        elif path.exists():
            documents.append(read_file(path, name=given))
        else:
            raise InputError(f"{given}: no such file or directory")
    return documents


def _kind_of_stdin() -> DocumentKind:
    return DocumentKind.TEXT


def _walk(directory: Path) -> Iterator[Path]:
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix.lower() in SUFFIXES and not any(
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
    kind = SUFFIXES.get(path.suffix.lower(), DocumentKind.TEXT)
    return decode_document(data, display, kind, path=str(path))


def decode_document(data: bytes, name: str, kind: DocumentKind, *, path: str | None) -> Document:
    text, encoding = decode_bytes(data, name)
    if kind is DocumentKind.TEXT and _looks_like_html(text):
        kind = DocumentKind.HTML
    return Document(name=name, kind=kind, text=text, encoding=encoding, path=path)


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding it was read in; InputError for data that is not text."""
    if not data:
        return "", "utf-8"
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError:
                break
    wide = _utf16_without_bom(data)
    if wide is not None:
        return wide
    if _looks_binary(data):
        raise InputError(f"{name}: looks like a binary file, not a text, Markdown or HTML document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.isascii():  # pragma: no cover - ASCII always decodes as UTF-8
        return data.decode("ascii"), "ascii"
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    cyrillic = _best_cyrillic(data)
    if cyrillic is not None:
        return cyrillic
    best = from_bytes(data[:2_000_000]).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name}: cannot tell the text encoding (not UTF-8, cp1251 or koi8-r)")
    return data.decode(best.encoding, errors="replace"), best.encoding


_MIN_CYRILLIC_LETTERS = 8


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 written without a byte-order mark (Windows tools do this): every other byte NUL in ASCII text."""
    head = data[:4096]
    if len(head) < 8 or len(data) % 2:
        return None
    even_nul = head[0::2].count(0) / (len(head) / 2)
    odd_nul = head[1::2].count(0) / (len(head) / 2)
    codec = "utf-16-le" if odd_nul > 0.3 > even_nul else "utf-16-be" if even_nul > 0.3 > odd_nul else None
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:2048]):
        return None
    return text, codec


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """A UTF-8 document with a few broken bytes (a bad copy-paste) stays UTF-8, the broken bytes replaced."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    fine = sum(1 for c in text if not c.isascii() and c != "\ufffd")
    if fine >= 3 * broken:
        return text, "utf-8"
    return None


def _best_cyrillic(data: bytes) -> tuple[str, str] | None:
    """cp1251 vs koi8-r vs cp866: pick the decoding whose letters look most like Russian text."""
    sample = data[:500_000]
    best: tuple[float, str] | None = None
    for codec in _CYRILLIC_CANDIDATES:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        foreign = [c for c in text if not c.isascii()]
        if len(foreign) < _MIN_CYRILLIC_LETTERS:
            continue  # a few stray high bytes are no evidence of a Cyrillic document
        common = sum(1 for c in foreign if c in _COMMON_RUSSIAN)
        upper = sum(1 for c in foreign if "А" <= c <= "Я" or c == "Ё")
        score = (common + 0.5 * upper) / len(foreign)
        if best is None or score > best[0]:
            best = (score, codec)
    if best is None or best[0] < 0.6:
        return None
    return data.decode(best[1], errors="replace"), best[1]


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) * 0.05


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith("<!doctype html") or head.startswith("<html")
