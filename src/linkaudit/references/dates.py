"""Citation dates in Russian, Kazakh and English notes, as ISO strings as coarse as the note itself.

Hand-written patterns cover the forms notes really use and are fast; dateparser (slow to load) is only a
fallback for a lone date expression. Access dates ("дата обращения", "accessed") are told apart from the
publication date, since the archive should show the page as it was when published, not when last read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

_RUSSIAN_MONTHS = (
    "январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"
)
_RUSSIAN_ENDINGS = {"ма": ("й", "я", "е", "ю")}
_ENGLISH_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)
_KAZAKH_MONTHS = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша",
    "желтоқсан",
)
_RUSSIAN_ABBREVIATIONS = {
    "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "авг": 8, "сен": 9, "сент": 9, "окт": 10, "ноя": 11,
    "нояб": 11, "дек": 12,
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
# Every date form holds a year (``_YEAR``): a text without one has no date, and no date starts further before the
# text's first year than this many non-blank characters (day, its suffix, a month word with its dot, a comma).
_ANY_YEAR = re.compile(_YEAR)
_MOST_BEFORE_YEAR = 22
_BEFORE_YEAR_REACH = 40
# Whether ``_URL_TOKEN`` can find anything at all (the same alternatives, unanchored).
_URL_HINT = re.compile(r"https?://|www\.|\.(?:html?|php|aspx?)", _FLAGS)
# Every access phrase holds one of these words (compared case-folded): a text without any has no access date.
_ACCESS_HINTS = (
    "дата", "обращен", "просмотрено", "accessed", "date", "mode", "retrieved", "visited", "viewed", "қарал",
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


def _month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    number = _MONTH_WORDS.get(word)
    if number is not None:
        return number
    for index, kazakh in enumerate(_KAZAKH_MONTHS, start=1):
        if word.startswith(kazakh):
            return index
    return None


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
    first_year = _ANY_YEAR.search(text)
    if first_year is None:  # every form has a year in digits
        return []
    text = _blank_urls(text)
    start = _earliest_start(text, first_year.start())
    # Every form starts and ends with a non-blank; past the last one, only a lookahead reads one character more.
    end = min(len(text), len(text.rstrip()) + 1)
    found: list[FoundDate] = []
    taken = bytearray(len(text))  # 1 where a date was already found: constant work per date, however many

    def add(start: int, end: int, iso: str | None, precision: int) -> None:
        if iso is None or taken.find(1, start, end) >= 0:
            return
        taken[start:end] = b"\x01" * (end - start)
        found.append(FoundDate(iso, start, end, precision))

    # Each pattern is searched from ``start`` (no match begins before it), and only when the text holds what
    # the pattern cannot match without: the matches are those of a search over the whole text.
    kazakh = "ж" in text or "Ж" in text
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_DAY_MONTH) if kazakh else _DAY_AND_MONTH:
        for match in pattern.finditer(text, start, end):
            month = _month_number(match.group("month"))
            if month is not None:
                iso = _iso(int(match.group("year")), month, int(match.group("day")))
                add(match.start(), match.end(), iso, _FULL)
    if "-" in text:
        for match in _ISO.finditer(text, start, end):
            iso = _iso(int(match.group("year")), int(match.group("month")), int(match.group("day")))
            add(match.start(), match.end(), iso, _FULL)
    dotted = "." in text
    if dotted or "/" in text:
        for match in _NUMERIC.finditer(text, start, end):
            iso = _numeric(int(match.group("first")), int(match.group("second")), match.group("separator"),
                           int(match.group("year")))
            add(match.start(), match.end(), iso, _FULL)
    if dotted:
        for match in _NUMERIC_BLANK.finditer(text, start, end):
            iso = _iso(int(match.group("year")), int(match.group("second")), int(match.group("first")))
            add(match.start(), match.end(), iso, _FULL)
    for match in _MONTH_YEAR.finditer(text, start, end):
        month = _month_number(match.group("month"))
        if month is not None:
            add(match.start(), match.end(), _iso(int(match.group("year")), month), _MONTH_PRECISION)
    for match in _YEAR_ONLY.finditer(text, start, end):
        add(match.start(), match.end(), _iso(int(match.group("year"))), _YEAR_PRECISION)
    found.sort(key=lambda item: item.start)
    return found


def _earliest_start(text: str, year: int) -> int:
    """Where the first date of ``text`` can start at the earliest, given where its first year is: no form has
    more than ``_MOST_BEFORE_YEAR`` non-blank characters before its year (its first year or a later one), so none
    starts where more stand before the first year. The bound is looked for a few characters back only (0 when
    blanks fill them)."""
    start = year - _BEFORE_YEAR_REACH
    if start <= 0:
        return 0
    return start if len("".join(text[start:year].split())) > _MOST_BEFORE_YEAR else 0


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
    candidates = [item for item in found if not _is_access(item, spans)]
    accessed = next((item.iso for item in found if _is_access(item, spans)), None)
    if accessed is None and spans:
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
