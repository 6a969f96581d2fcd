"""Plain text: bytes decoded with charset detection (Central Asian and Russian documents arrive in cp1251 or
koi8-r as often as in UTF-8); a file that is not text is refused with a one-line reason."""

from __future__ import annotations

from .errors import InputError

# Cyrillic single-byte encodings are told apart by which letters come out most frequent.
_CYRILLIC_CANDIDATES = ("cp1251", "koi8-r", "cp866", "mac-cyrillic", "iso8859-5")
_COMMON_RUSSIAN = set("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё")


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
    from charset_normalizer import from_bytes  # loaded only for the rare text no quick rule reads

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


def looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith("<!doctype html") or head.startswith("<html")
