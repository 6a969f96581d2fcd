"""Language halves: the original (Cyrillic) part of a note and its translation, each described separately.

A bilingual note cites the same source twice, once per language, and the two halves drift apart (a URL or a
date in one only). Splitting them lets the findings compare like with like; separate Russian and English lists
are paired by position and by transliterated author names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from functools import lru_cache

from anyascii import anyascii

from ..models import FoundUrl, Half, Repair
from .dates import citation_dates, find_dates
from .notes import Note

_CYRILLIC = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Runs of each script's letters: letters are counted a run (a word) at a time, not one match per letter.
_CYRILLIC_RUN = re.compile(r"[\u0400-\u04ff\u0500-\u052f]+")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_WORD = re.compile(r"\w+")
_OPENING = re.compile(r"[(\[]")
_LETTER = re.compile(r"[^\W\d_]")
_THREE_LETTERS = re.compile(r"[^\W\d_]{3}")
_DIGIT = re.compile(r"\d")
_TAJIK = set("ӣӯҷӢӮҶ")
_UZBEK = set("ўЎ")
_UZBEK_OR_TAJIK = set("ҳҲ")
_KAZAKH = set("әңөұүһіӘҢӨҰҮҺІ")
_KAZAKH_OR_UZBEK = set("қғҚҒ")
_NON_RUSSIAN = frozenset(_TAJIK | _UZBEK | _UZBEK_OR_TAJIK | _KAZAKH | _KAZAKH_OR_UZBEK)


def _any_of(letters: set[str] | frozenset[str]) -> re.Pattern[str]:
    """A pattern of one of ``letters``: searched for in C, where ``letters.isdisjoint(text)`` hashes every
    character of the text."""
    return re.compile("[" + "".join(re.escape(letter) for letter in sorted(letters)) + "]")


_NON_RUSSIAN_LETTER = _any_of(_NON_RUSSIAN)
_LANGUAGE_SHARE = 0.2  # share of Cyrillic words with a language's own letters that marks the language
_SPLIT_MIN_LATIN = 12  # Latin letters a translation needs to count as one
_SPLIT_MAX_CYRILLIC_SHARE = 0.05
_CYRILLIC_SHARE = 1 / 3  # of the letters, for a text to count as Cyrillic

LANGUAGE_NAMES = {
    "ru": "Russian", "kk": "Kazakh", "uz": "Uzbek", "tg": "Tajik", "en": "English", "fr": "French", "de": "German",
}  # fmt: skip
_LATIN_WORD = re.compile(r"[a-zà-ÿœß]+(?:'[a-zà-ÿ]+)?")
_ENGLISH_WORDS = frozenset("the of and in on for to a an with from by at is are as its this".split())
# Each language's common short words and its own letters (a letter counts twice: it is rarely borrowed).
_LATIN_LANGUAGES = {
    "fr": (
        frozenset("le la les des du de et une un pour dans sur au aux par est sont avec ou l d qui que".split()),
        set("éèêëàâçîïôûùœ"),
    ),
    "de": (
        frozenset("der die das und für mit von im zur zum ein eine einer über des dem den ist nach bei auf".split()),
        set("äöüß"),
    ),
}
_LATIN_LETTERS = {language: _any_of(letters) for language, (_, letters) in _LATIN_LANGUAGES.items()}
# Every language's words and letters at once: a text with none of them scores nothing for any language.
_MARKER_WORDS = frozenset().union(*(markers for markers, _ in _LATIN_LANGUAGES.values()))
_MARKER_LETTER = _any_of(set().union(*(letters for _, letters in _LATIN_LANGUAGES.values())))


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def cyrillic_language(text: str) -> str:
    """``ru``, or ``kk``/``uz``/``tg`` when enough words use letters of those alphabets (not one name)."""
    if _NON_RUSSIAN_LETTER.search(text) is None:  # no letter of another alphabet: no word can mark another language
        return "ru"
    words = [word for word in _WORD.findall(text) if _CYRILLIC.search(word)]
    if not words:
        return "ru"

    def share(letters: set[str]) -> float:
        return sum(1 for word in words if letters & set(word)) / len(words)

    def marks(letters: set[str]) -> bool:
        count = sum(1 for word in words if letters & set(word))
        return share(letters) >= _LANGUAGE_SHARE or (count >= 3 and share(letters) >= _LANGUAGE_SHARE / 2)

    if marks(_TAJIK):
        return "tg"
    if marks(_UZBEK | _UZBEK_OR_TAJIK) and not share(_KAZAKH) > share(_UZBEK | _UZBEK_OR_TAJIK):
        return "uz"
    if marks(_KAZAKH | _KAZAKH_OR_UZBEK):
        return "kk"
    return "ru"


def language_of(text: str, letters: tuple[int, int] | None = None) -> str:
    """The language code of one half: a Cyrillic language, ``en`` for Latin script, ``und`` without letters.
    ``letters``: how many Cyrillic and Latin letters ``text`` holds, when already counted.

    Cyrillic wins from a third of the letters on: Russian notes quote Latin outlet names, not the reverse.
    """
    if letters is not None:
        cyrillic, latin = letters
    else:
        cyrillic, latin = _letters(_CYRILLIC_RUN, text), _letters(_LATIN_RUN, text)
    if cyrillic and cyrillic >= _CYRILLIC_SHARE * (cyrillic + latin):
        return cyrillic_language(text)
    if latin:
        return latin_language(text)
    return "und"


def _letters(runs: re.Pattern[str], text: str) -> int:
    """How many letters of a script ``text`` holds (``runs``: the pattern of a run of them)."""
    return len("".join(runs.findall(text)))


def latin_language(text: str) -> str:
    """``fr`` or ``de`` when a Latin-script half reads as French or German (their own words and letters
    outnumber English ones), else ``en``."""
    words = _LATIN_WORD.findall(text.lower())
    if not words:
        return "en"
    joined = "".join(words)  # a language's letters are looked for word by word only when the words hold one
    if _MARKER_WORDS.isdisjoint(words) and _MARKER_LETTER.search(joined) is None:
        return "en"  # every language scores 0 (most English text)
    english = sum(map(_ENGLISH_WORDS.__contains__, words))
    scores = {
        language: sum(map(markers.__contains__, words))
        + (0 if _LATIN_LETTERS[language].search(joined) is None else 2 * _words_with(words, letters))
        for language, (markers, letters) in _LATIN_LANGUAGES.items()
    }
    language, score = max(scores.items(), key=lambda item: item[1])
    return language if score >= 2 and score > english else "en"


def _words_with(words: Sequence[str], letters: set[str]) -> int:
    """How many of ``words`` hold one of ``letters`` (none when no word does: most English text)."""
    if all(letters.isdisjoint(word) for word in words):
        return 0
    return sum(1 for word in words if not letters.isdisjoint(word))


def _mask_urls(text: str, found: Sequence[FoundUrl]) -> str:
    """``text`` with every URL blanked (same length), so their letters never count as a language."""
    if not found:
        return text
    pieces: list[str] = []
    position = 0
    for item in sorted(found, key=lambda f: f.start):
        start, end = max(position, item.start), min(len(text), item.end)
        if start >= end:
            continue
        pieces.append(text[position:start])
        pieces.append(" " * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def split_point(text: str, found: Sequence[FoundUrl] = ()) -> int | None:
    """Where the translation starts: the first ``(`` or ``[`` after Cyrillic text from which on the note is
    Latin (``… 2011, http://izvestia.ru (Vladimir Putin, …)``, ``… 240 c. [Adler, A. … (In Russ.)]``)."""
    return _split_point(_mask_urls(text, found))


def _split_point(masked: str) -> int | None:
    """split_point of a text whose URLs are masked."""
    return _split(masked)[0]


# (Cyrillic letters, Latin letters) of each half, as far as worked out: all of them, or, for a text without
# Cyrillic letters, only whether each half holds a Latin one (all language_of needs then).
_Letters = tuple[tuple[int, int], ...] | None


def _split(masked: str) -> tuple[int | None, _Letters]:
    """The split point of a text whose URLs are masked, and the letters of the halves it makes (see
    ``_Letters``; None when not counted): the letters before each opening bracket, which decide the point, are
    those of the first half when the text is split there."""
    if not _CYRILLIC.search(masked):
        return None, ((0, 1 if _LATIN.search(masked) else 0),)
    openings = [match.start() for match in _OPENING.finditer(masked)]
    if not openings:
        return None, None
    # Letters before each opening: each stretch between two openings is counted once.
    cyrillic_counts, latin_counts = _counts(_CYRILLIC_RUN, masked, openings), _counts(_LATIN_RUN, masked, openings)
    total_cyrillic, total_latin = cyrillic_counts[-1], latin_counts[-1]
    whole = ((total_cyrillic, total_latin),)
    if total_cyrillic < 3:
        return None, whole
    for index, position in enumerate(openings):
        before, latin_before = cyrillic_counts[index], latin_counts[index]
        latin, cyrillic = total_latin - latin_before, total_cyrillic - before
        if before < 3 or before <= latin_before or latin < _SPLIT_MIN_LATIN:
            continue
        if cyrillic <= max(2, _SPLIT_MAX_CYRILLIC_SHARE * (latin + cyrillic)):
            return position, ((before, latin_before), (cyrillic, latin))
    return None, whole


def _counts(runs: re.Pattern[str], text: str, positions: Sequence[int]) -> list[int]:
    """How many letters of a script (``runs``: a run of them) ``text`` holds before each of ``positions``
    (ascending), and in all (one more entry)."""
    counts: list[int] = []
    total = previous = 0
    for position in (*positions, len(text)):
        total += len("".join(runs.findall(text, previous, position)))
        counts.append(total)
        previous = position
    return counts


def _strip_translation(text: str) -> str:
    """``(Vladimir Putin, …).`` -> ``Vladimir Putin, …``: brackets around a translation are not its text."""
    text = text.strip()
    opener = text[:1]
    if opener in "([":
        closer = ")" if opener == "(" else "]"
        text = text[1:]
        trimmed = text.rstrip(" .;,")
        if trimmed.endswith(closer) and trimmed.count(closer) > trimmed.count(opener):
            text = trimmed[:-1]
    return text.strip()


def _display(text: str, found: Sequence[FoundUrl], offset: int) -> str:
    """One line of text for reports: URLs cut by a line wrap shown whole, whitespace collapsed."""
    joined = _rejoined(text, found, offset) if any(item.repairs for item in found) else text  # else nothing to do
    shown = " ".join(joined.replace("**", "").split())
    return text if shown == text else shown  # one string, not two equal ones (a note that is just a URL)


def _rejoined(text: str, found: Sequence[FoundUrl], offset: int) -> str:
    """``text`` with each URL that a line wrap or a blank cut (``found``, offsets into the note: ``offset`` is
    where ``text`` starts in it) written whole."""
    pieces: list[str] = []
    position = 0
    for item in sorted(found, key=lambda f: f.start):
        start, end = item.start - offset, item.end - offset
        if start < position or start < 0 or end > len(text):
            continue
        if Repair.HYPHEN_WRAP in item.repairs or Repair.WHITESPACE in item.repairs:
            pieces.append(text[position:start])
            pieces.append(item.url)
            position = end
    pieces.append(text[position:])
    return "".join(pieces)


def split_halves(text: str, found: Sequence[FoundUrl] = (), *, split: bool = True) -> tuple[Half, ...]:
    """The halves of one note's text; ``found`` are the URLs in ``text`` (offsets into it).

    With ``split`` false (body paragraphs, which are not bilingual notes) the text is one half, and since a
    paragraph is a sentence rather than a bibliographic record, its only title is a quoted one.
    """
    if not text.strip():
        return ()
    masked_text = _mask_urls(text, found)
    point, letters = _split(masked_text) if split else (None, None)
    if point is None:
        spans = [(0, len(text), text)]
    else:
        spans = [(0, point, text[:point]), (point, len(text), text[point:])]
    # What trimming takes off a half (blanks, brackets, ``.,;``) holds no letter: its letters are those counted.
    halves: list[Half] = []
    for index, (start, end, raw) in enumerate(spans):
        inside = [item for item in found if start <= item.start < end]
        masked = masked_text[start:end]
        if index == 1:
            leading = len(raw) - len(raw.lstrip())
            stripped = _strip_translation(raw)
            offset = start + leading + (1 if raw.lstrip()[:1] in "([" else 0)
            raw, masked = stripped, masked[offset - start : offset - start + len(stripped)]
        else:
            raw = raw.rstrip().rstrip(",;")
            masked = masked[: len(raw)]
            offset = start
        counted = letters[index] if letters is not None else None
        halves.append(describe(raw, masked, inside, offset, sentence=not split, letters=counted))
    return tuple(halves)


def describe(
    raw: str,
    masked: str,
    found: Sequence[FoundUrl],
    offset: int,
    *,
    sentence: bool = False,
    letters: tuple[int, int] | None = None,
) -> Half:
    """One half's fields: language, display text, authors, title, outlet, dates and URLs. ``letters``: its
    Cyrillic and Latin letters, when counted (see language_of).

    A ``sentence`` (body text) gets a title only when it quotes one, and no authors or outlet: taking the
    whole sentence as the title would make every later title match against the live page fail.
    """
    # unique, in order, in linear time
    urls = (found[0].url,) if len(found) == 1 else tuple(dict.fromkeys(item.url for item in found))
    if not masked or masked.isspace():  # nothing but URLs: no language, fields or dates to read
        return Half(lang="und", text=_display(raw, found, offset), urls=urls)
    if sentence:
        authors, title, outlet = None, quoted_title(masked), None
    else:
        authors, title, outlet = bibliographic_fields(masked)
    date, accessed = citation_dates(masked)
    return Half(
        lang=language_of(masked, letters),
        text=_display(raw, found, offset),
        authors=authors,
        title=title,
        outlet=outlet,
        date=date,
        urls=urls,
        accessed=accessed,
    )


# --- authors, title, outlet ---------------------------------------------------------------------------------

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲ"
_LOWER = "a-zа-яёәғқңөұүһіўҳӣӯҷ'’`"
_UPPER_CLASS = f"[{_UPPER}]"
_WRAPPED_NUMBER = re.compile(r"(?<=\d)-[ \t]*\n\s*(?=\d)")
_INITIALS = rf"(?:[{_UPPER}][{_LOWER}]?\.\s?-?){{1,3}}"
_SURNAME = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_NAME = (
    rf"(?:{_INITIALS}\s*{_SURNAME}(?![{_LOWER}])"
    rf"|{_SURNAME}\s+(?:[{_UPPER}]\.\s?)?{_SURNAME}(?=\s*(?:[,;.(«“\"]|and\b|и\b|$))"
    rf"|{_SURNAME},?\s+{_INITIALS})"
)
_AUTHORS = re.compile(rf"^\s*{_NAME}(?:\s*(?:,|;|\band\b|\bи\b|&)\s*(?:and\s+|и\s+)?{_NAME})*(?:\s*\(eds?\.\))?")
_CITIES = (
    r"М|Москва|СПб|Л|Санкт-Петербург|Киев|Минск|Алматы|Астана|Нур-Султан|Ташкент|Душанбе|Бишкек|Новосибирск"
    r"|Челябинск|Екатеринбург|Казань|M|SPb|Moscow|St\.\s*Petersburg|London|New\s*York|N\.\s*Y|Oxford|Cambridge"
    r"|Almaty|Astana|Tashkent|Berlin|Paris|Washington|Boston|Chicago|Princeton|Leiden|Cheliabinsk"
)
# Possessive blanks (``\s*+``) where what follows cannot be a blank: a long run of blanks (a masked URL) is not
# given back one blank at a time to be tried against every city.
_CITY = re.compile(rf"(?:^|[.,]\s*+|\s–\s)(?:{_CITIES})\s*+(?:\.\s*+)?:\s*", re.IGNORECASE)
# ``(?<!\s)`` starts ``\s*//`` only at the head of a run of spaces, so a long run is scanned once, not once
# per space.
_TITLE_STOPS = re.compile(r"(?<!\s)\s*//|(?<!/)\s/\s?(?!/)|(?<=\S)/\s|\s\[|\s[–—]\s|\.\s++-\s")
_OPEN_ALWAYS, _CLOSE_ALWAYS, _EITHER = "«„", "»", '“”"'
_GUILLEMET = re.compile("[«»]")
_QUOTE_MARK = re.compile(f"[{_OPEN_ALWAYS}{_CLOSE_ALWAYS}{_EITHER}]")
_GOST_MARKS = re.compile(r"\s/\s|//|(?<=\S)/\s")
_TITLE_END = re.compile(r",|\.\s")
_BOLD = re.compile(r"\*\*(?P<title>[^*\n]{3,300}?)\*\*")
_SKIP_SEGMENT = re.compile(
    r"^(?:№|no\.?\s*\d|n\.\s*\d|vol|т\.|том|p\.|pp\.|с\.|c\.|s\.|стр|issn|isbn|doi|or\b|или\b|под\s+ред|edited"
    r"|ed\.|eds\.|[\d\s().:/–-]+$)",
    re.IGNORECASE,
)
_ACCESS_WORDS = re.compile(
    r"режим\s+доступа|access\s+mode|url|available|электронный\s+ресурс|electronic\s+resource", re.I
)


def _quote_role(text: str, position: int) -> str:
    """``open`` or ``close``: what a quotation mark does here (notes mix «…”, “…“ and stray marks)."""
    character = text[position]
    if character in _OPEN_ALWAYS:
        return "open"
    if character in _CLOSE_ALWAYS:
        return "close"
    following = text[position + 1 : position + 2]
    return "open" if following.isalnum() or following in "«„“\"'" else "close"


def _quoted_title(text: str) -> tuple[int, int, int, int] | None:
    """(opening position, title start, title end, closing position) of the first quoted title, tolerating
    mismatched marks; a title closed without an opening mark starts at the beginning (after the authors)."""
    marks = [match.start() for match in _QUOTE_MARK.finditer(text)]
    if not marks:
        return None
    first = marks[0]
    if _quote_role(text, first) == "close":
        authors = _AUTHORS.match(text[:first])
        start = authors.end() if authors else 0
        return (start, start, first, first + 1)
    depth, nested_close = 0, -1
    for position in marks:
        role = _quote_role(text, position)
        if role == "open":
            depth += 1
            continue
        if text[position] in _CLOSE_ALWAYS and text[first] == "«":
            depth = 1  # » closes the outer «…» whatever was left open inside
        depth -= 1
        if depth == 0:
            return (first, first + 1, position, position + 1)
        nested_close = position
    if nested_close > 0:
        return (first, first + 1, nested_close + 1, nested_close + 1)
    return None


def quoted_title(text: str) -> str | None:
    """The first phrase of ``text`` between quotation marks («…», “…”, "…"), else None."""
    quoted = _quoted_title(text)
    if quoted is None:
        return None
    opening, start, end, _closing = quoted
    if opening == start:  # a closing mark with no opening one: not a quotation
        return None
    return _clean(text[start:end]) or None


def _clean(text: str) -> str:
    text = text.replace("**", "")
    if "\n" in text:  # a number wrapped after its hyphen: the only thing _WRAPPED_NUMBER finds
        text = _WRAPPED_NUMBER.sub("-", text)
    return " ".join(text.split()).strip(" ,.;:–—-")


_INITIAL_AT_END = re.compile(rf"(?:^|[\s.]){_UPPER_CLASS}\.$")


def _clean_authors(text: str) -> str:
    """Like ``_clean``, but an initial keeps its full stop (``Бейли А.``)."""
    cleaned = " ".join(text.replace("**", "").split()).strip(" ,;:–—-")
    return cleaned if _INITIAL_AT_END.search(cleaned) else cleaned.rstrip(".")


def bibliographic_fields(text: str) -> tuple[str | None, str | None, str | None]:
    """(authors, title, outlet) of one half, from a quoted title (``«…»``) or GOST layout (``Title / A.``)."""
    flat = text
    quoted = _quoted_title(flat)
    if quoted is not None and not _gost_from(flat, quoted[0]):
        if _quote_inside_title(flat, quoted):
            gost = _GOST_MARKS.search(flat) or _CITY.search(flat)
            return _gost_fields(flat) if gost is not None else _embedded_fields(flat, quoted)
        return _quoted_fields(flat, quoted)
    bold = _BOLD.search(flat)
    if bold is not None:
        authors = _AUTHORS.match(flat)
        rest = flat[bold.end() :]
        names = _clean_authors(authors.group(0)) if authors else None
        return (names, _clean(bold.group("title")), _outlet(rest))
    return _gost_fields(flat)


_CITY_PROBES = 8  # up to this position, a city is looked for by matching at each position, not by a search


def _gost_from(text: str, limit: int) -> bool:
    """Whether the GOST layout's first sign (``//``, `` / ``, else a city and its colon, ``М.:``) is found at or
    before ``limit``: that of ``(_GOST_MARKS.search(text) or _CITY.search(text)).start() <= limit``, without
    searching the whole text for a city when the limit is near the start (a quoted title opening the note)."""
    marks = _GOST_MARKS.search(text) if "/" in text else None  # each of its signs holds a slash
    if marks is not None:
        return marks.start() <= limit
    if limit < _CITY_PROBES:  # a match starts at the text's start, at a ``.`` or ``,``, or at a blank (`` – ``)
        return any(
            _CITY.match(text, position)
            for position in range(min(limit + 1, len(text)))
            if position == 0 or text[position] in ".," or text[position].isspace()
        )
    city = _CITY.search(text)
    return city is not None and city.start() <= limit


def _quote_inside_title(text: str, quoted: tuple[int, int, int, int]) -> bool:
    """Whether a quotation is a word inside the title (``Понятие «добро» в философии``) rather than the title
    itself: the title's words go on after the closing mark, or stand before the opening one."""
    opening, start, _end, closing = quoted
    if opening == start:  # no opening mark: the title runs up to the closing one
        return False
    after = text[closing:].lstrip()
    if after[:1].islower():
        return True
    authors = _AUTHORS.match(text[:opening])
    before = text[authors.end() if authors else 0 : opening].strip(" .,;:–—-")
    return bool(before) and bool(_LETTER.search(before)) and after[:1].isalpha()


def _embedded_fields(text: str, quoted: tuple[int, int, int, int]) -> tuple[str | None, str | None, str | None]:
    """Authors, title and outlet of a note whose title quotes a word and has no GOST marks: the title runs from
    the authors to the first comma or full stop after the quotation."""
    opening, _start, _end, closing = quoted
    authors = _AUTHORS.match(text[:opening])
    begin = authors.end() if authors else 0
    stop = _TITLE_END.search(text, closing)
    end = stop.start() if stop else len(text)
    names = _clean_authors(authors.group(0)) if authors else None
    return names, _clean(text[begin:end]) or None, _outlet(text[end:])


def _quoted_fields(text: str, quoted: tuple[int, int, int, int]) -> tuple[str | None, str | None, str | None]:
    opening, start, end, closing = quoted
    title = _clean(text[start:end]) or None
    prefix = _clean_authors(text[:opening])
    authors = prefix if prefix and len(prefix) <= 120 and not _DIGIT.search(prefix) else None
    return authors, title, _outlet(text[closing:])


def _outlet(rest: str) -> str | None:
    """The first part after the title that is not a date, a number, pages or a URL: the outlet."""
    for segment in _split_outside_guillemets(rest):
        candidate = _clean(segment)
        candidate = candidate.strip('“”"«»„ ') if _is_wrapped_in_quotes(candidate) else candidate
        if not candidate or not _LETTER.search(candidate):
            continue
        if _SKIP_SEGMENT.match(candidate) or _ACCESS_WORDS.search(candidate) or _is_date_fragment(candidate):
            continue
        return candidate
    return None


def _split_outside_guillemets(text: str) -> list[str]:
    """``text`` split at the commas that stand outside «…» (a comma is inside when the next guillemet after
    it closes). The text is read a stretch at a time, each stretch ending at a guillemet: the commas of a
    stretch ending at ``»`` are inside, the others split (as are those after the last guillemet)."""
    if "«" not in text and "»" not in text:
        return text.split(",")
    segments: list[str] = []
    pending: list[str] = []  # the current segment's text so far, in pieces (joined once: linear)
    position = 0
    for match in _GUILLEMET.finditer(text):
        stretch = text[position : match.end()]
        position = match.end()
        if match.group() == "»":
            pending.append(stretch)
            continue
        parts = stretch.split(",")
        if len(parts) > 1:
            pending.append(parts[0])
            segments.append("".join(pending))
            segments.extend(parts[1:-1])
            pending = []
        pending.append(parts[-1])
    parts = text[position:].split(",")
    pending.append(parts[0])
    segments.append("".join(pending))
    segments.extend(parts[1:])
    return segments


def _is_wrapped_in_quotes(text: str) -> bool:
    """Whether ``text`` is one quotation: it opens and closes with a mark and holds no other (the marks are
    counted only for a text that opens and closes so)."""
    if not (len(text) > 2 and text[0] in '“«"„' and text[-1] in '”»"“'):
        return False
    return sum(character in '“”«»"„' for character in text) == 2


_DATE_WORDS = re.compile(
    r"\d+|года|год|г\.|жылғы|ж\.|january|february|march|april|may|june|july|august|september|october"
    r"|november|december|январ\w*|феврал\w*|март\w*|апрел\w*|ма[йяею]|июн\w*|июл\w*|август\w*|сентябр\w*"
    r"|октябр\w*|ноябр\w*|декабр\w*",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)  # pure, and the same segments (``3 November``, an outlet's name) recur from note to note
def _is_date_fragment(text: str) -> bool:
    """``3 November`` or ``2012 года``: what remains of a date once split at its comma."""
    pieces: list[str] = []
    position = 0
    for found in find_dates(text):  # in order, without overlaps
        pieces.append(text[position : found.start])
        position = found.end
    pieces.append(text[position:])
    rest = _DATE_WORDS.sub("", "".join(pieces))
    return not _LETTER.search(rest)


def _gost_fields(text: str) -> tuple[str | None, str | None, str | None]:
    authors_match = _AUTHORS.match(text)
    authors = _clean_authors(authors_match.group(0)) if authors_match else None
    start = authors_match.end() if authors_match else 0
    body = text[start:]
    stop = len(body)
    for pattern in (_TITLE_STOPS, _CITY):
        found = pattern.search(body)
        if found is not None and found.start() > 0:
            stop = min(stop, found.start())
    title = _clean(body[:stop])
    if len(title) < 3 or not _THREE_LETTERS.search(title):
        title = ""
    outlet: str | None = None
    journal = _journal(body)
    if journal is not None:
        outlet = _clean(journal) or None
    else:
        city = _CITY.search(body)
        if city is not None:
            publisher = _publisher(body[city.end() :])
            outlet = _clean(publisher) if publisher is not None else None
    return authors or None, title or None, outlet or None


# The journal and publisher are read by scanning rather than by lazy patterns such as
# ``//\s*(?P<name>[^.–—\[]+?)\s*(?:…|$)``, which retry from every ``//`` and every character of the name.
_JOURNAL_STOP = re.compile(r"[.–—\[]")
_PUBLISHER_STOP = re.compile(r"[,.\[]")


def _journal(body: str) -> str | None:
    """The name after the first ``//`` that ends well: at a comma, a dash, ``. 12``, ``. –`` or the end."""
    position = body.find("//")
    while position >= 0:
        after = position + 2
        start = after
        while start < len(body) and body[start].isspace():
            start += 1
        stop_match = _JOURNAL_STOP.search(body, start)
        stop = stop_match.start() if stop_match else len(body)
        if start < stop:
            comma = body.find(",", start + 1, stop)
            if comma >= 0:
                return body[start:comma]
            if _ends_journal(body, stop):
                return body[start:stop]
        if start > after and _ends_journal(body, start):
            return body[start - 1 : start]  # a name of spaces only (``// , …``), as the pattern would have it
        # Every later ``//`` before ``stop`` ends at the same place, and fails the same way.
        position = body.find("//", max(stop, position + 1))
    return None


def _ends_journal(body: str, stop: int) -> bool:
    """Whether a journal name may end at ``stop``: at the end, a comma, a dash, or a full stop followed by a
    dash, a digit or nothing."""
    if stop == len(body) or body[stop] in ",–—":
        return True
    if body[stop] != ".":
        return False
    following = stop + 1
    while following < len(body) and body[following].isspace():
        following += 1
    return following == len(body) or body[following] in "-–—" or body[following].isdecimal()


def _publisher(rest: str) -> str | None:
    """The publisher after ``М.:``: up to a comma, full stop or bracket, a «quoted name» included."""
    stop_match = _PUBLISHER_STOP.search(rest)
    stop = stop_match.start() if stop_match else len(rest)
    if stop == 0:
        return None
    opening = rest.find("«", 1, stop)
    while opening >= 0:
        closing = rest.find("»", opening + 1)
        if closing < 0:
            break
        following = closing + 1
        while following < len(rest) and rest[following].isspace():
            following += 1
        if following == len(rest) or rest[following] in ",.[":
            return rest[: closing + 1]
        opening = rest.find("«", closing + 1, stop)
    return rest[:stop]


# --- pairing a Russian list with its English list -----------------------------------------------------------

_PAIR_SHARE = 0.6  # share of positions that must look alike for two lists to be one list and its translation
_DRIFT_MIN_PAIRS = 3  # notes that must match by content before two lists of drifting numbering are paired
_DRIFT_WINDOW = 6  # how far ahead in the translation a note's counterpart may stand
_NAME_SIMILARITY = 0.75


def _phonetic(name: str) -> str:
    """A rough common spelling for transliterations: Гурджиев/Gurdjieff, Николл/Nicholl, Бейли/Bailey."""
    text = anyascii(name).lower()
    text = re.sub(r"[^a-z]", "", text)
    for before, after in (
        ("dzh", "j"),
        ("zh", "j"),
        ("kh", "h"),
        ("ch", "c"),
        ("ck", "k"),
        ("ff", "v"),
        ("y", "i"),
        ("ai", "ei"),
        ("ks", "x"),
        ("ph", "f"),
        ("w", "v"),
        ("ou", "u"),
    ):
        text = text.replace(before, after)
    return re.sub(r"(.)\1+", r"\1", text)


def _names(half: Half) -> list[str]:
    """The capitalized words of the authors (or, without authors, of the note's opening words)."""
    source = half.authors or " ".join(half.text.split()[:4])
    return [_phonetic(word) for word in re.findall(rf"[{_UPPER}][{_LOWER}\-]{{2,}}", source)][:8]


def names_match(first: Half, second: Half) -> bool:
    """Whether two halves name the same author, across scripts (Каримов ~ Karimov, Гурджиев ~ Gurdjieff)."""
    return any(
        one and other and SequenceMatcher(None, one, other).ratio() >= _NAME_SIMILARITY
        for one in _names(first)
        for other in _names(second)
    )


def _years(half: Half) -> str | None:
    return half.date[:4] if half.date else None


def _translates(original: Note, translation: Note) -> bool:
    if len(original.halves) != 1 or len(translation.halves) != 1:
        return False
    first, second = original.halves[0], translation.halves[0]
    if first.lang in ("en", "und") or second.lang != "en":
        return False
    if _years(first) and _years(second) and _years(first) != _years(second):
        return False
    return names_match(first, second) or bool(set(first.urls) & set(second.urls))


def lengths_may_pair(length: int, other: int) -> bool:
    """Whether two lists of these lengths may be a list and its translation (``is_translation_list``): of the same
    length, or with room in the shorter for the matches in order that drifting numbering needs."""
    return length == other or min(length, other) >= max(_DRIFT_MIN_PAIRS, _PAIR_SHARE * max(length, other))


def is_translation_list(original: Sequence[Note], translation: Sequence[Note]) -> bool:
    """A Cyrillic list followed by an English list that renders it: of its length with notes matching position by
    position, or, when the numbering drifts (a note missing or added in one list), matching in order by content
    (authors, year, URL) for most notes."""
    if not original or not translation or not lengths_may_pair(len(original), len(translation)):
        return False
    if len(original) == len(translation):
        matched = sum(1 for one, other in zip(original, translation, strict=True) if _translates(one, other))
        if matched >= max(1, _PAIR_SHARE * len(original)):
            return True
    pairs = _aligned(original, translation)
    return len(pairs) >= max(_DRIFT_MIN_PAIRS, _PAIR_SHARE * max(len(original), len(translation)))


def _aligned(original: Sequence[Note], translation: Sequence[Note]) -> list[tuple[int, int]]:
    """(original index, translation index) of the notes that translate each other, in order of both lists: each
    original looks a few places ahead of the last match, so the work stays linear."""
    pairs: list[tuple[int, int]] = []
    next_free = 0
    for index, note in enumerate(original):
        for candidate in range(next_free, min(len(translation), next_free + _DRIFT_WINDOW)):
            if _translates(note, translation[candidate]):
                pairs.append((index, candidate))
                next_free = candidate + 1
                break
    return pairs


def merge(original: Note, translation: Note, *, numbered: bool = False) -> Note:
    """One note with both halves: the translation's text follows the original's on a new line. With ``numbered``
    (two numbered lists paired by content), each half keeps its own list's number when the two differ."""
    shift = len(original.text) + 1
    moved = tuple(replace(f, start=f.start + shift, end=f.end + shift) for f in translation.found)
    halves = original.halves + translation.halves
    if numbered and original.number != translation.number:
        halves = tuple(replace(half, number=original.number) for half in original.halves) + tuple(
            replace(half, number=translation.number) for half in translation.halves
        )
    return Note(
        number=original.number,
        text=f"{original.text}\n{translation.text}",
        line=original.line,
        found=original.found + moved,
        halves=halves,
    )


def pair_lists(original: Sequence[Note], translation: Sequence[Note]) -> list[Note]:
    """The notes of a list and its translation, paired: position by position when the lists agree, else by
    content in order; a note of either list without its counterpart stays a note of its own."""
    if len(original) == len(translation):
        position = sum(1 for one, other in zip(original, translation, strict=True) if _translates(one, other))
        if position >= max(1, _PAIR_SHARE * len(original)):
            return [merge(one, other) for one, other in zip(original, translation, strict=True)]
    partner = dict(_aligned(original, translation))
    paired: list[Note] = []
    taken = 0
    for index, note in enumerate(original):
        match = partner.get(index)
        if match is None:
            paired.append(note)
            continue
        paired.extend(translation[taken:match])  # translations of nothing in the original list
        paired.append(merge(note, translation[match], numbered=True))
        taken = match + 1
    paired.extend(translation[taken:])
    return paired


def pair_neighbours(notes: Sequence[Note]) -> list[Note]:
    """In an unnumbered list, a Cyrillic entry followed by its English counterpart becomes one note."""
    paired: list[Note] = []
    index = 0
    while index < len(notes):
        note = notes[index]
        following = notes[index + 1] if index + 1 < len(notes) else None
        if following is not None and _translates(note, following):
            paired.append(merge(note, following))
            index += 2
        else:
            paired.append(note)
            index += 1
    return [replace(note, number=str(position)) for position, note in enumerate(paired, start=1)]
