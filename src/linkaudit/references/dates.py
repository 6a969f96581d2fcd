"""Citation dates in Russian, Kazakh and English notes, as ISO strings as coarse as the note itself.

Hand-written patterns cover the forms notes really use and are fast; dateparser (slow to load) is only a
fallback for a lone date expression. Access dates ("дата обращения", "accessed") are told apart from the
publication date, since the archive should show the page as it was when published, not when last read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_RUSSIAN_MONTHS = (
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
)
_RUSSIAN_ENDINGS = {"ма": ("й", "я", "е", "ю")}
_ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_KAZAKH_MONTHS = (
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
)
_RUSSIAN_ABBREVIATIONS = {
    "янв": 1,
    "фев": 2,
    "февр": 2,
    "мар": 3,
    "апр": 4,
    "авг": 8,
    "сен": 9,
    "сент": 9,
    "окт": 10,
    "ноя": 11,
    "нояб": 11,
    "дек": 12,
}


def _month_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for number, stem in enumerate(_RUSSIAN_MONTHS, start=1):
        endings = _RUSSIAN_ENDINGS.get(stem, ("", "ь", "я", "е", "а"))
        for ending in endings:
            words[stem + ending] = number
    for number, english in enumerate(_ENGLISH_MONTHS, start=1):
        words[english] = number
        words[english[:3]] = number
    words["sept"] = 9
    words.update(_RUSSIAN_ABBREVIATIONS)
    return words


_MONTH_WORDS = _month_words()
# Any word of month length: a list of every month name would make each search crawl; words that are not
# months are rejected after the match.
# Taken possessively: what follows a month word is never a letter, so giving letters back never helps.
_MONTH = r"[^\W\d_]{3,14}+\.?"
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_YEAR_WORD = r"(?:\s*(?:года|год|г\.|г\b|жылғы|жылы|ж\.|ж\b|yil))?"

_FLAGS = re.IGNORECASE
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w.])(?P<day>{_DAY})(?:-?(?:го|е|st|nd|rd|th))?\s+(?P<month>{_MONTH}),?\s*"
    rf"(?P<year>{_YEAR})(?!\d){_YEAR_WORD}",
    _FLAGS,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])(?P<month>{_MONTH})\s+(?P<day>{_DAY})(?:st|nd|rd|th)?,?\s+(?P<year>{_YEAR})(?!\d)", _FLAGS
)
_DAY_AND_MONTH = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR)  # without ``_YEAR_DAY_MONTH``, whose year words hold "ж"
_YEAR_DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<year>{_YEAR})\s*(?:жылғы|жылы|ж\.)\s*(?P<day>{_DAY})\s+(?P<month>{_MONTH})", _FLAGS
)
_NUMERIC = re.compile(
    rf"(?<![\d.])(?P<first>\d{{1,2}})(?P<separator>[./])(?P<second>\d{{1,2}})(?P=separator)(?P<year>{_YEAR})(?!\d)"
)
# ``15.01 2019`` and ``05.03. 2019``: a blank where the last dot (or after it) should be, as typed in notes.
_NUMERIC_BLANK = re.compile(rf"(?<![\d.])(?P<first>\d{{2}})\.(?P<second>\d{{2}})\.?[ \t](?P<year>{_YEAR})(?!\d)")
# ``14.09.23``: a two-digit year, read only right after an access phrase (elsewhere it may be anything).
_SHORT_NUMERIC = re.compile(r"(?P<first>\d{1,2})\.(?P<second>\d{1,2})\.(?P<year>\d{2})(?![\d.])")
_ISO = re.compile(rf"(?<!\d)(?P<year>{_YEAR})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])(?!\d)")
_MONTH_YEAR = re.compile(rf"(?<![\w])(?P<month>{_MONTH}),?\s+(?P<year>{_YEAR})(?!\d)", _FLAGS)
_YEAR_ONLY = re.compile(rf"(?<![\w/.\-–])(?P<year>{_YEAR})(?![\d/\-])")

# An access date follows one of these phrases closely (possibly after a colon or inside parentheses).
_ACCESS = re.compile(
    r"(?:дата\s+обращения|дата\s+доступа|обращение|обращено|просмотрено|accessed(?:\s+on)?|date\s+of\s+access"
    r"|mode\s+of\s+access|date\s+of\s+viewing"
    r"|retrieved(?:\s+on)?|last\s+visited|viewed(?:\s+on)?|қаралған\s+күні|қаралды)\s*[:.]?\s*",
    _FLAGS,
)
_ACCESS_REACH = 40  # characters after the phrase in which the access date must start
# URLs are blanked one whitespace-delimited token at a time: a pattern like ``\S+\.html`` searched over the
# whole text would rescan a long token from every position in it.
_TOKEN = re.compile(r"\S+")
_URL_START = re.compile(r"https?://|www\.", _FLAGS)
_PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?)", _FLAGS)
# The tokens that ``_blank_token`` may change: whole tokens holding a URL start or a page suffix. Matched from
# a token's start only (``(?<!\S)``), so each token is read once; the others are never handed to Python.
_URL_TOKEN = re.compile(r"(?<!\S)\S*?(?:https?://|www\.|\.(?:html?|php|aspx?))\S*", _FLAGS)
_DIGIT = re.compile(r"\d")
# Every date form holds a year (``_YEAR``): a text without one has no date. No date starts further before its year
# than these many non-blank characters.
_ANY_YEAR = re.compile(_YEAR)
_WORDED_BEFORE = 21  # non-blanks before the year: day, ``-го``, a month word and its dot, a comma
_NUMERIC_BEFORE = 6  # ``31.12.`` (``_NUMERIC_BLANK``: and a blank)
_YEAR_WORD_LENGTH = 5  # ``жылғы``
_BLANKS = re.compile(r"\s*")
# Whether ``_URL_TOKEN`` can find anything at all (the same alternatives, unanchored).
# Its first letters written out in both cases (no other character matches them case-insensitively), so that a
# search skips to where one stands instead of trying the pattern at every position.
_URL_HINT = re.compile(r"[hH](?i:ttps?://)|[wW](?i:ww\.)|\.(?i:html?|php|aspx?)")
# Every access phrase holds one of these words (compared case-folded): a text without any has no access date.
_ACCESS_HINTS = (
    "дата",
    "обращен",
    "просмотрено",
    "accessed",
    "date",
    "mode",
    "retrieved",
    "visited",
    "viewed",
    "қарал",
)

_ACCESS_HINT = re.compile("|".join(re.escape(hint) for hint in _ACCESS_HINTS))

# Precision ranks: a full date beats month + year beats a year.
_FULL, _MONTH_PRECISION, _YEAR_PRECISION = 3, 2, 1


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date expression found in a text: its ISO value, where it is, and how precise it is."""

    iso: str
    start: int
    end: int
    precision: int


@lru_cache(maxsize=2048)  # pure, and the same month words recur from note to note
def _month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    number = _MONTH_WORDS.get(word)
    if number is not None:
        return number
    for index, kazakh in enumerate(_KAZAKH_MONTHS, start=1):
        if word.startswith(kazakh):
            return index
    return None


@lru_cache(maxsize=4096)  # pure, and the same dates recur from note to note (a date object is made for each)
def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _numeric(first: int, second: int, separator: str, year: int) -> str | None:
    """``26.05.2011`` is day first; ``07/28/2020`` is month first when the day cannot be a month."""
    if separator == "/" and first <= 12 and second > 12:
        return _iso(year, first, second)
    if separator == "/" and first <= 12 and second <= 12:
        return _iso(year, first, second)
    return _iso(year, second, first)


def _blank_urls(text: str) -> str:
    """The text with URLs replaced by spaces (same length), so digits in paths are never read as dates.

    A token naming a page (``…/news2011.html``) is blanked whole; otherwise a token is blanked from where a
    URL starts in it (``(see:http://…``).
    """
    if ("//" not in text and "." not in text) or _URL_HINT.search(text) is None:  # every sign holds one
        return text
    return _URL_TOKEN.sub(_blank_token, text)


def _blank_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if _PAGE_SUFFIX.search(token, 1) is not None:
        return " " * len(token)
    start = _URL_START.search(token)
    if start is None:
        return token
    return token[: start.start()] + " " * (len(token) - start.start())


def find_dates(text: str) -> list[FoundDate]:
    """Every date expression in ``text`` (URLs ignored), without overlaps, in order of appearance."""
    if _ANY_YEAR.search(text) is None:  # every form has a year in digits
        return []
    text = _blank_urls(text)
    # Every form starts and ends with a non-blank; past the last one, only a lookahead reads one character more.
    end = min(len(text), len(text.rstrip()) + 1)
    years = _years(text, end)
    if not years:
        return []
    found: list[FoundDate] = []
    taken = bytearray(len(text))  # 1 where a date was already found: constant work per date, however many
    # Each pattern is searched only around the years (a date holds exactly one, see ``_years``), and only where
    # what the pattern needs stands next to the year: the matches are those of a search over the whole text. A
    # match holding a year a date already holds would be dropped: stretches whose years all are taken are
    # skipped.
    worded = _windows(text, end, years, _WORDED_BEFORE, _worded_at)
    for pattern in _DAY_AND_MONTH:
        for match in _matches(pattern, text, worded, taken):
            month = _month_number(match.group("month"))
            if month is not None:
                year, day = match.group("year", "day")
                _add(found, taken, *match.span(), _iso(int(year), month, int(day)), _FULL)
    if len(found) == len(years) and all(map(taken.__getitem__, years)):
        return found  # every date holds a year: none is left to find (and one pattern's matches come in order)

    def add(start: int, end: int, iso: str | None, precision: int) -> None:
        _add(found, taken, start, end, iso, precision)

    def matches(pattern: re.Pattern[str], windows: Iterable[tuple[int, int, Sequence[int]]]) -> Iterator[re.Match[str]]:
        return _matches(pattern, text, windows, taken)

    kazakh = "ж" in text or "Ж" in text  # ``_YEAR_DAY_MONTH``'s year words hold one
    for year in years:  # ``_YEAR_DAY_MONTH`` and ``_ISO`` start at their year (``_ISO``: a hyphen after it)
        if taken[year]:
            continue
        if kazakh:
            written = _YEAR_DAY_MONTH.match(text, year, end)
            if written is not None:
                month = _month_number(written.group("month"))
                if month is not None:
                    iso = _iso(int(written.group("year")), month, int(written.group("day")))
                    add(written.start(), written.end(), iso, _FULL)
    for year in years:
        iso_match = _ISO.match(text, year, end) if text.startswith("-", year + 4) and not taken[year] else None
        if iso_match is not None:
            iso = _iso(int(iso_match.group("year")), int(iso_match.group("month")), int(iso_match.group("day")))
            add(iso_match.start(), iso_match.end(), iso, _FULL)
    for match in matches(_NUMERIC, _windows(text, end, years, _NUMERIC_BEFORE, _numeric_at)):
        iso = _numeric(
            int(match.group("first")),
            int(match.group("second")),
            match.group("separator"),
            int(match.group("year")),
        )
        add(match.start(), match.end(), iso, _FULL)
    for match in matches(_NUMERIC_BLANK, _windows(text, end, years, _NUMERIC_BEFORE + 1, _blank_numeric_at)):
        iso = _iso(int(match.group("year")), int(match.group("second")), int(match.group("first")))
        add(match.start(), match.end(), iso, _FULL)
    for match in matches(_MONTH_YEAR, worded):
        month = _month_number(match.group("month"))
        if month is not None:
            add(match.start(), match.end(), _iso(int(match.group("year")), month), _MONTH_PRECISION)
    for year in years:  # ``_YEAR_ONLY`` is a year alone
        alone = None if taken[year] else _YEAR_ONLY.match(text, year, end)
        if alone is not None:
            add(alone.start(), alone.end(), _iso(int(alone.group("year"))), _YEAR_PRECISION)
    found.sort(key=lambda item: item.start)
    return found


def _add(found: list[FoundDate], taken: bytearray, start: int, end: int, iso: str | None, precision: int) -> None:
    """``found`` gets the date at ``start:end`` unless it is no date (``iso`` None) or overlaps one found before
    (``taken``: 1 at each position a date holds)."""
    if iso is None or taken.find(1, start, end) >= 0:
        return
    taken[start:end] = b"\x01" * (end - start)
    found.append(FoundDate(iso, start, end, precision))


def _matches(
    pattern: re.Pattern[str], text: str, windows: Iterable[tuple[int, int, Sequence[int]]], taken: bytearray
) -> Iterator[re.Match[str]]:
    """``pattern``'s matches in each window that still holds a year no date has taken (asked as each window comes,
    after the dates found in the windows before it)."""
    for start, stop, inside in windows:
        if not all(map(taken.__getitem__, inside)):
            yield from pattern.finditer(text, start, stop)


def _years(text: str, end: int) -> list[int]:
    """Where each year every date form can hold starts: four digits (``_YEAR``) with no digit on either side.
    Each form holds exactly one (its other numbers have one or two digits), and no digit next to it."""
    years: list[int] = []
    for match in _ANY_YEAR.finditer(text, 0, end):
        year, after = match.start(), match.end()
        if (year == 0 or not text[year - 1].isdecimal()) and (after == len(text) or not text[after].isdecimal()):
            years.append(year)
    return years


def _worded_at(text: str, year: int) -> bool:
    """Whether a form with a month word (``_DAY_MONTH_YEAR``, ``_MONTH_DAY_YEAR``, ``_MONTH_YEAR``) can hold the
    year at ``year``: all have a blank, a comma, a dot or the month word's last letter (a word character,
    not a digit or ``_``) right before it."""
    before = text[year - 1 : year]
    return before.isspace() or before in (",", ".") or (before.isalnum() and not before.isdecimal())


def _numeric_at(text: str, year: int) -> bool:
    return text[year - 1 : year] in (".", "/")  # ``_NUMERIC``: its separator


def _blank_numeric_at(text: str, year: int) -> bool:
    """``_NUMERIC_BLANK``: its blank before the year, after a dot or a digit."""
    return text[year - 1 : year] in (" ", "\t") and (
        text[year - 2 : year - 1] == "." or text[year - 2 : year - 1].isdecimal()
    )


def _windows(
    text: str, end: int, years: list[int], before: int, possible: Callable[[str, int], bool]
) -> list[tuple[int, int, list[int]]]:
    """(start, end, the years in it) of the stretches of ``text`` that hold every match of a pattern whose
    matches start no more than ``before`` non-blank characters before their year, for the years where
    ``possible`` says one can stand; stretches that touch are joined, so that each match lies whole in one.

    A match starts with a non-blank, so none starts before a position from which ``before`` non-blanks stand
    before its year. A match ends, at the latest, at the year's end, the blanks after it and a year word
    (``_YEAR_WORD``: five letters); one character more is read by a lookahead."""
    windows: list[tuple[int, int, list[int]]] = []
    for year in years:
        if not possible(text, year):
            continue
        start = _start_before(text, year, before)
        blanks = _BLANKS.match(text, year + 4)
        after = blanks.end() if blanks is not None else year + 4
        stop = min(end, after + _YEAR_WORD_LENGTH + 1)
        if windows and start <= windows[-1][1]:
            first, _, inside = windows[-1]
            inside.append(year)
            windows[-1] = (first, stop, inside)
        else:
            windows.append((start, stop, [year]))
    return windows


def _start_before(text: str, year: int, count: int) -> int:
    """A position from which at least ``count`` non-blank characters stand before ``year`` (0 when none is):
    no match with at most ``count`` non-blanks before its year starts before it. Looked for a few characters
    back first, then further."""
    for reach in (count + 12, 2 * count + 24, count + 200):
        start = year - reach
        if start <= 0:
            return 0
        if len("".join(text[start:year].split())) >= count:
            return start
    return 0


def _access_spans(text: str) -> list[int]:
    """Where each access phrase ends, in order: an access date starts within ``_ACCESS_REACH`` of one."""
    if _ACCESS_HINT.search(text.casefold()) is None:
        return []
    return [match.end() for match in _ACCESS.finditer(text)]


def _is_access(found: FoundDate, spans: list[int]) -> bool:
    # Spans share one length, so the last one to begin at or before the date is the one that can hold it.
    index = bisect_right(spans, found.start) - 1
    return index >= 0 and found.start < spans[index] + _ACCESS_REACH


def citation_dates(text: str) -> tuple[str | None, str | None]:
    """(publication date, access date) of a note's text: find_date and find_access_date in one pass."""
    spans = _access_spans(text)
    found = find_dates(text)
    candidates, accessed = found, None  # without an access phrase: every date a candidate, none an access date
    if spans:
        candidates = [item for item in found if not _is_access(item, spans)]
        accessed = next((item.iso for item in found if _is_access(item, spans)), None)
        if accessed is None:
            accessed = _short_access_date(text, spans)
    if not candidates:
        return None, accessed
    best = max(item.precision for item in candidates)
    return next(item.iso for item in candidates if item.precision == best), accessed


def _short_access_date(text: str, spans: list[int]) -> str | None:
    """``дата доступа: 14.09.23``: a date with a two-digit year right after an access phrase (20YY)."""
    for end in spans:
        match = _SHORT_NUMERIC.match(text, end)
        if match is not None and not text[end - 1 : end].isdigit():
            year = 2000 + int(match.group("year"))
            return _iso(year, int(match.group("second")), int(match.group("first")))
    return None


def find_date(text: str) -> str | None:
    """The publication date cited in ``text``: the most precise non-access date; the first of equals wins."""
    spans = _access_spans(text)
    candidates = [found for found in find_dates(text) if not _is_access(found, spans)]
    if not candidates:
        return None
    best = max(found.precision for found in candidates)
    return next(found.iso for found in candidates if found.precision == best)


def find_access_date(text: str) -> str | None:
    """The date the cited page was last read ("дата обращения: 12.03.2020", "accessed …"), if stated."""
    spans = _access_spans(text)
    return next((found.iso for found in find_dates(text) if _is_access(found, spans)), None)


def parse_date(text: str, lang: str = "ru") -> str | None:
    """One date expression (``«3 ноября 2012 года»``, ``"October 3, 2011"``, ``"2011"``) as ISO, else None.

    The hand-written forms are tried first; dateparser, loaded only when needed, reads anything else.
    """
    stripped = text.strip().strip("«»“”\"'()[]., ")
    if not stripped or len(stripped) > 80:
        return None
    found = find_dates(stripped)
    if len(found) == 1 and found[0].start == 0 and found[0].end >= len(stripped.rstrip(".")) - 1:
        return found[0].iso
    if not any(character.isdigit() for character in stripped):
        return None
    import dateparser  # slow to import: only when the common forms did not match

    languages = [lang] if lang in ("ru", "kk", "en", "uz", "tg") else None
    parsed = dateparser.parse(stripped, languages=languages, settings={"STRICT_PARSING": True})
    return parsed.date().isoformat() if parsed is not None else None
