"""Note lists: where a document's notes are, how they are numbered, and what its body text cites.

Plain text (often a PDF extraction with page headers and footers), Markdown and HTML all become one ``Layout``
of numbered entries and body paragraphs, so the rest of the stage never looks at the input kind. Numbering is
followed as a sequence, so a wrapped line starting with "2011." or "2." is not mistaken for a new note.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import Enum
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple

from ..models import Finding, FindingKind, FoundUrl, Half, Reference

if TYPE_CHECKING:
    from bs4.element import Tag


class ListStyle(str, Enum):
    NUMBERED = "numbered"  # 1.
    PARENTHESIS = "parenthesis"  # 1)
    BRACKETED = "bracketed"  # [1]
    FOOTNOTE = "footnote"  # [^1]:
    SUPERSCRIPT = "superscript"  # ¹
    BULLET = "bullet"  # "- item" under a references heading
    HTML = "html"  # <li> of an <ol>, or of a <ul> under a references heading

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)  # slots: one per note, 100,000 in a long list
class Entry:
    """One note as laid out: its printed number and its lines (page furniture dropped), newlines kept."""

    number: str
    text: str
    line: int  # 1-based line of the note's first line


@dataclass(frozen=True, slots=True)
class NoteList:
    style: ListStyle
    entries: tuple[Entry, ...]
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Body text outside any note list (it becomes a reference only when it carries URLs)."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Marker:
    """An in-text citation marker such as ``[12]``, ``[^12]`` or ``¹²``."""

    label: str
    style: ListStyle  # BRACKETED, FOOTNOTE or SUPERSCRIPT
    line: int
    lead: str | None = None  # the first number of its brackets when it is a later one (``[8, 180-183]``: 8)


@dataclass(frozen=True, slots=True)
class Layout:
    lists: tuple[NoteList, ...]
    paragraphs: tuple[Paragraph, ...]
    markers: tuple[Marker, ...]


@dataclass(frozen=True, slots=True)  # slots: one per note, 100,000 in a long list
class Note:
    """A note on its way to becoming a Reference: parsed, not yet named."""

    number: str
    text: str
    line: int
    found: tuple[FoundUrl, ...]
    halves: tuple[Half, ...]
    ibid: bool = False
    ibid_author: str | None = None  # "Karimov" in "Karimov, op. cit."


# --- headings, note starts, markers -------------------------------------------------------------------------

_HEADING_WORDS = (
    r"литература|список\s+(?:использованной\s+|цитируемой\s+)?литературы|список\s+(?:использованных\s+)?источников"
    r"|библиографический\s+список|библиография|примечания|сноски|источники|ссылки"
    r"|references|referenses|reference\s+list|notes|endnotes|footnotes|bibliography|works\s+cited|sources|literature"
    r"|(?:пайдаланылған\s+)?әдебиеттер(?:\s+тізімі)?|әдебиет|adabiyotlar(?:\s+ro.yxati)?|адабиётлар"
)
_HEADING = re.compile(
    rf"^\s*(?:#{{1,6}}\s*)?(?:\*\*|__)?\s*(?:\d{{1,2}}\.?\s*)?(?:{_HEADING_WORDS})\s*:?\s*(?:\*\*|__)?\s*$",
    re.IGNORECASE,
)


def _is_heading(line: str) -> bool:
    """Whether ``line`` is a notes heading. Matched with its whitespace collapsed: the pattern's neighbouring
    optional spaces would otherwise share out a long run of spaces in every possible way."""
    if "://" in line:  # no heading holds a URL (its words, marks and number leave no room for "://")
        return False
    return _HEADING.match(" ".join(line.split())) is not None


_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")

_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_TABLE = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")

_STARTS: tuple[tuple[ListStyle, re.Pattern[str]], ...] = (
    (ListStyle.FOOTNOTE, re.compile(r"^(?P<indent>\s{0,3})\[\^(?P<label>[^\]\s]{1,40})\]:\s*(?P<rest>.*)$")),
    (ListStyle.BRACKETED, re.compile(r"^(?P<indent>\s*)\[(?P<label>\d{1,7})\]\s*(?P<rest>\S.*)$")),
    (ListStyle.NUMBERED, re.compile(r"^(?P<indent>\s*)(?P<label>\d{1,7})\.(?!\d)\s*(?P<rest>\S.*)$")),
    (ListStyle.PARENTHESIS, re.compile(r"^(?P<indent>\s*)(?P<label>\d{1,7})\)\s*(?P<rest>\S.*)$")),
    (
        ListStyle.SUPERSCRIPT,
        re.compile(rf"^(?P<indent>\s*)(?P<label>[{_SUPERSCRIPT_DIGITS}]{{1,4}})\s*(?P<rest>\S.*)$"),
    ),
    (ListStyle.BULLET, re.compile(r"^(?P<indent>\s{0,3})[-*•+]\s+(?P<rest>\S.*)$")),
)
# The patterns a line's first non-blank character lets match, in the order of ``_STARTS``: "[" only footnotes and
# bracketed labels, a digit only ``1.`` and ``1)``, a bullet or a superscript digit only its own.
_BRACKET_STARTS = tuple(start for start in _STARTS if start[0] in (ListStyle.FOOTNOTE, ListStyle.BRACKETED))
_NUMBER_STARTS = tuple(start for start in _STARTS if start[0] in (ListStyle.NUMBERED, ListStyle.PARENTHESIS))
_BULLET_STARTS = tuple(start for start in _STARTS if start[0] is ListStyle.BULLET)
_SUPERSCRIPT_STARTS = tuple(start for start in _STARTS if start[0] is ListStyle.SUPERSCRIPT)
_DISTINCT_STYLES = (ListStyle.BRACKETED, ListStyle.FOOTNOTE, ListStyle.SUPERSCRIPT)
_MAX_SKIP = 3  # a numbered note may follow its predecessor after this many missing numbers at most
_PROSE_LINES = 8  # body lines after a list under a heading from which a new "1." is the next article's text

_BRACKET_MARKER = re.compile(
    r"\[(?P<numbers>\d{1,3}(?:\s*[,;–-]\s*\d{1,3}(?![\d.]))*)(?:\s*[,;:]\s*[^\]\d][^\]]{0,40})?\]"
)
_FOOTNOTE_MARKER = re.compile(r"\[\^(?P<label>[^\]\s]{1,40})\](?!:)")
_SUPERSCRIPT_MARKER = re.compile(rf"(?<=[\w.,;:»”)\]])(?P<digits>[{_SUPERSCRIPT_DIGITS}]{{1,3}})")
_ANY_SUPERSCRIPT = re.compile(f"[{_SUPERSCRIPT_DIGITS}]")  # searched fast (a set of characters, no lookbehind)
# Tokens are matched whole (linear), never searched for with ``\S*://\S*``, which rescans a long token.
_TOKEN = re.compile(r"\S+")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?\s*$")
_NEAR_BREAK = 3  # non-blank lines on each side of a page break where running titles and footers stand
_BREAK_REACH = 12  # lines, blank or not, looked at on each side of a page break
# A line holding a URL and nothing else (a list number or bullet before it at most): never a running title.
_URL_ONLY = re.compile(
    r"(?:\[?\d{1,7}[.)\]]?\s|[-*•]\s)?[(<«]?(?:(?:https?|ftp)://|www\.)\S+\Z"
    r"|(?:\[?\d{1,7}[.)\]]?\s)?[\w.-]+\.[a-z]{2,}/\S*\Z",
    re.IGNORECASE,
)
# The stamps of a GOST document frame (ГОСТ 2.104), printed on every page of Russian theses and reports.
_FRAME_STAMP = re.compile(
    r"Взам\.?\s*инв|Подп\.?\s*и\s*дата|Инв\.?\s*№\s*(?:подл|дубл)|Изм\.?\s*Лист|№\s*докум", re.IGNORECASE
)
_STAMP_LENGTH = 160


def _may_be_stamp(line: str) -> bool:
    """Whether ``_FRAME_STAMP`` may find a stamp in ``line`` (or in its shape, where blanks and digits are
    collapsed): each of its stamps holds "нв", "дп", "зм" or "№", in any case (and ``ᲀ``, ``ᲁ``: old forms of
    в and д that its IGNORECASE matches too). A few substring tests, where a line's shape is a regex pass."""
    low = line.lower()
    return "нв" in low or "нᲀ" in low or "дп" in low or "ᲁп" in low or "зм" in low or "№" in low


_STAMP_SLICE = 4096  # characters lowercased at a time: a text holding a sign (most Russian text) stops early


def _may_hold_stamp(text: str) -> bool:
    """Whether ``_may_be_stamp`` may say yes of a line of ``text`` (one pass over the text instead of one per
    line). A line is a piece of the text (a page break stands only at a line's start, and is dropped from it), and
    its lowercase copy a piece of the text's: each of the signs it looks for, two characters at most, lies whole in
    one of the slices read here, which overlap by one character."""
    return any(
        _may_be_stamp(text[start : start + _STAMP_SLICE + 1]) for start in range(0, max(len(text), 1), _STAMP_SLICE)
    )


# A line ending in a URL cut after a hyphen, slash or the like, and a line starting with a number glued to what
# follows (``753459.html?…``): the number continues the URL, it does not start a note.
_CUT_URL = re.compile(r"/\S*[-/_.=&?%]\Z")
_GLUED_LABEL = re.compile(r"\s*\d{1,7}[.)][A-Za-z0-9_%]")


def _ends_in_url(line: str) -> bool:
    words = line.rsplit(None, 1)
    last = words[-1] if words else ""
    return "://" in last or last.lower().startswith("www.")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


_DIGITS = re.compile(r"\d\d*")  # ``\d+``, written to start with a character set the search skips to


def _furniture(
    lines: Sequence[str], page_breaks: Sequence[bool], headings: Sequence[bool], *, stamps: bool = True
) -> list[bool]:
    """Running titles, page numbers and GOST frame stamps of a PDF extraction: lines to drop wherever they fall.

    A running title is a line repeated next to page breaks (a line repeated elsewhere is text, however often);
    a line that holds only a URL is never furniture, even when many such lines look alike. ``headings``: whether
    each line is a notes heading. ``stamps`` False: ``_may_be_stamp`` is known to say no of every line (it says
    no of the whole text they were cut from), so that no line is asked.
    """
    counts: Counter[str] = Counter()
    near_counts: Counter[str] = Counter()
    if not any(page_breaks):  # no line stands near a page break: none is a running title, only a stamp can be
        if not stamps:
            shapes = [""] * len(lines)
        else:
            shapes = [_DIGITS.sub("0", " ".join(line.split())) if _may_be_stamp(line) else "" for line in lines]
    else:
        shapes = [_DIGITS.sub("0", " ".join(line.split())) for line in lines]
        near = _near_page_breaks(lines, page_breaks)
        counts = Counter(shapes)
        near_counts = Counter(shape for shape, close in zip(shapes, near, strict=True) if close)
    furniture = []
    for index, shape in enumerate(shapes):
        if not shape or len(shape) < 6 or not any(map(str.isalpha, shape)):
            furniture.append(False)
            continue
        # A stamp, or a running title (repeated near page breaks, no heading, no note's start), unless it is a URL
        # alone: the URL pattern is tried only on those.
        stamp = len(shape) <= _STAMP_LENGTH and stamps and _may_be_stamp(shape) and bool(_FRAME_STAMP.search(shape))
        title = (
            not stamp
            and counts[shape] >= 2
            and near_counts[shape] >= 1
            and not headings[index]
            and _note_start(lines[index]) is None
        )
        furniture.append((stamp or title) and _URL_ONLY.match(shape) is None)
    for index, line in enumerate(lines):
        if _PAGE_NUMBER.match(line):
            neighbours = [index - 1, index + 1]
            if page_breaks[index] or any(
                0 <= n < len(lines) and (not lines[n].strip() or furniture[n] or page_breaks[n]) for n in neighbours
            ):
                furniture[index] = True
    return furniture


def _near_page_breaks(lines: Sequence[str], page_breaks: Sequence[bool]) -> list[bool]:
    """Whether each line is among the few non-blank lines just before or after a page break."""
    near = [False] * len(lines)
    for index, page_break in enumerate(page_breaks):
        if not page_break:
            continue
        for step in (1, -1):
            position, seen, walked = index if step == 1 else index - 1, 0, 0
            while 0 <= position < len(lines) and seen < _NEAR_BREAK and walked < _BREAK_REACH:
                if lines[position].strip():
                    near[position] = True
                    seen += 1
                position += step
                walked += 1  # bounded: a run of empty pages never makes each break walk the whole document
    return near


class _Start(NamedTuple):  # one per line that starts a note: made faster than a frozen dataclass
    style: ListStyle
    label: str
    rest: str
    indent: int


def _note_start(line: str) -> _Start | None:
    first = line.lstrip()[:1]  # every label starts with "[", a digit, a superscript digit or a bullet
    if not first:
        return None
    if first == "[":
        starts = _BRACKET_STARTS
    elif first.isdecimal():
        starts = _NUMBER_STARTS
    elif first in "-*•+":
        starts = _BULLET_STARTS
    elif first in _SUPERSCRIPT_DIGITS:
        starts = _SUPERSCRIPT_STARTS
    else:
        return None
    for style, pattern in starts:
        match = pattern.match(line)
        if match:
            label = match.groupdict().get("label") or ""
            if style is ListStyle.SUPERSCRIPT:
                label = label.translate(_SUPERSCRIPT_TABLE)
            return _Start(style, label, match.group("rest"), len(match.group("indent").expandtabs()))
    return None


@dataclass(slots=True)
class _ListBuilder:
    style: ListStyle
    heading: str | None
    indent: int
    last: int = 0
    entries: list[Entry] = field(default_factory=list)


@dataclass(slots=True)
class _EntryBuilder:
    owner: _ListBuilder
    number: str
    line: int
    indent: int
    lines: list[str] = field(default_factory=list)

    def build(self) -> Entry:
        return Entry(self.number, "\n".join(self.lines).strip(), self.line)


_MID_LINE_PAGE_BREAK = re.compile(r"(?<=[^\n])\f")


class _TextLayout:
    """One pass over the lines of a plain-text or Markdown document."""

    def __init__(self, text: str, *, markdown: bool) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\f" in text:  # a page break inside a line still ends that line
            text = _MID_LINE_PAGE_BREAK.sub("\n\f", text)
        raw_lines = text.split("\n")
        self.page_breaks = [line.startswith("\f") or "\f" in line for line in raw_lines]
        self.lines = [line.replace("\f", "").rstrip() for line in raw_lines]
        self.markdown = markdown
        if markdown:
            self._blank_code_fences()
        # each line asked once; a blank line (rstripped: empty) is no heading
        self.headings = [_is_heading(line) if line else False for line in self.lines]
        stamps = _may_hold_stamp(text)
        self.furniture = _furniture(self.lines, self.page_breaks, self.headings, stamps=stamps)
        self.has_heading = any(self.headings)
        self.lists: list[_ListBuilder] = []
        self.open_lists: dict[ListStyle, _ListBuilder] = {}
        self.entry: _EntryBuilder | None = None
        self.blank_pending = False
        self.break_pending = False  # a page break since the last line of text: told to the URL finder as "\f"
        self.under_heading: str | None = None
        self.body: list[tuple[int, str] | None] = []  # None separates paragraphs
        self.previous = ""  # the last line of text
        self.prose_since_list = 0  # body lines since the last note: many mean the text of another article

    def _blank_code_fences(self) -> None:
        inside = False
        for index, line in enumerate(self.lines):
            if _FENCE.match(line):
                inside = not inside
                self.lines[index] = ""
            elif inside:
                self.lines[index] = ""

    def run(self) -> Layout:
        lines = self.lines
        for index, line in enumerate(lines):
            lines[index] = ""  # read once: a note's text lives on in its entry, not twice (100,000 notes: -50 MB)
            if self.page_breaks[index]:
                self.break_pending = True
            if self.furniture[index]:
                continue
            if not line.strip():
                self.blank_pending = True
                self.body.append(None)
                continue
            self._line(index, line)
        self._close_entry()
        return self._layout()

    def _line(self, index: int, line: str) -> None:
        if self.headings[index]:  # line is self.lines[index]
            self._close_entry()
            self.prose_since_list = 0
            self.open_lists.clear()
            self.under_heading = line.strip().strip("#*_: ").strip()
            self.body.append(None)
            self.blank_pending = False
            return
        if self.markdown and _MARKDOWN_HEADING.match(line):
            self._close_entry()
            self.open_lists.clear()
            self.under_heading = None
            self.body.append(None)
            self.blank_pending = False
            return
        start = _note_start(line)
        if start is not None and _GLUED_LABEL.match(line) and _CUT_URL.search(self.previous):
            start = None  # ``…_stroit-⏎753459.html?ysclid=…``: the URL of the line before goes on
        self.previous = line
        if start is not None and self._accept(start, index):
            self.blank_pending = False
            return
        page = "\f" if self.break_pending else ""  # so that a URL split by the page break says so
        self.break_pending = False
        if self.entry is not None and self._continues(line, page):
            self.entry.lines.append(page + line.strip())
            self.blank_pending = False
            return
        self._close_entry()
        self.blank_pending = False
        self.body.append((index, line))
        self.prose_since_list += 1

    def _continues(self, line: str, page: str = "") -> bool:
        assert self.entry is not None
        if not self.blank_pending:
            return not (self.entry.owner.style is ListStyle.BULLET and _indent(line) <= self.entry.indent)
        last = self.entry.lines[-1].rstrip() if self.entry.lines else ""
        if last.endswith((":", "-", "–", "—", "/")) and not self.markdown:
            return True
        if page and _ends_in_url(last) and not self.markdown:
            return True  # a note whose URL runs on over the page break
        return _indent(line) > self.entry.indent

    def _allowed(self, style: ListStyle) -> bool:
        if style is ListStyle.BULLET:
            return self.under_heading is not None
        if style in _DISTINCT_STYLES:
            return True
        return self.under_heading is not None or not self.has_heading

    def _accept(self, start: _Start, index: int) -> bool:
        if not self._allowed(start.style):
            return False
        if self._in_later_prose(start):
            return False  # "1. …" in the text after a list: an enumeration of the next article, not its notes
        current = self.open_lists.get(start.style)
        if start.style is ListStyle.FOOTNOTE:
            return self._begin(current or self._new_list(start), start.label, start, index)
        if start.style is ListStyle.BULLET:
            if self.entry is not None and self.entry.owner.style is not ListStyle.BULLET:
                return False  # a bullet inside a numbered note belongs to that note
            return self._begin(current or self._new_list(start), None, start, index)
        number = int(start.label)
        if current is not None and current.last < number <= current.last + _MAX_SKIP:
            if number == current.last + 1 or start.indent <= current.indent + 1:
                current.last = number
                return self._begin(current, start.label, start, index)
        first_under_heading = current is None and self.under_heading is not None and not self._heading_has_list()
        if number == 1 or first_under_heading:
            owner = self._new_list(start)
            owner.last = number
            return self._begin(owner, start.label, start, index)
        return False

    def _in_later_prose(self, start: _Start) -> bool:
        """Whether a new list (or a bullet) would open in body text that follows a list under the same heading:
        a journal issue's next article has no heading until its own list, so its enumerations are text."""
        if self.under_heading is None or start.style in _DISTINCT_STYLES or self.prose_since_list < _PROSE_LINES:
            return False
        return any(builder.heading == self.under_heading and builder.entries for builder in self.lists)

    def _heading_has_list(self) -> bool:
        return any(builder.heading == self.under_heading for builder in self.open_lists.values())

    def _new_list(self, start: _Start) -> _ListBuilder:
        builder = _ListBuilder(start.style, self.under_heading, start.indent)
        self.open_lists[start.style] = builder
        self.lists.append(builder)
        return builder

    def _begin(self, owner: _ListBuilder, number: str | None, start: _Start, index: int) -> bool:
        self._close_entry()
        self.prose_since_list = 0
        if number is None:  # bullets are numbered by position
            number = str(len(owner.entries) + 1)
        self.entry = _EntryBuilder(owner, number, index + 1, start.indent, [start.rest.strip()])
        self.body.append(None)
        return True

    def _close_entry(self) -> None:
        if self.entry is not None:
            self.entry.owner.entries.append(self.entry.build())
            self.entry = None

    def _layout(self) -> Layout:
        lists = tuple(
            NoteList(builder.style, tuple(builder.entries), builder.heading)
            for builder in self.lists
            if builder.entries
        )
        paragraphs: list[Paragraph] = []
        current: list[tuple[int, str]] = []
        for item in [*self.body, None]:
            if item is not None:
                current.append(item)
            elif current:
                if len(current) > 1 and all(_URL_ONLY.match(line.strip()) for _, line in current):
                    # a plain list of URLs, one a line: each line cites its own page
                    paragraphs.extend(Paragraph(line.strip(), index + 1) for index, line in current)
                else:
                    text = "\n".join(line.strip() for _, line in current)
                    paragraphs.append(Paragraph(text, current[0][0] + 1))
                current = []
        return Layout(lists, tuple(paragraphs), tuple(_markers(paragraphs)))


def find_markers(text: str, line: int = 1) -> list[Marker]:
    """In-text citation markers of a body paragraph starting at ``line``."""
    markers: list[Marker] = []
    # Each kind of marker is looked for only in a text holding what it starts with ("[", a superscript digit).
    bracketed = "[" in text
    superscript = _ANY_SUPERSCRIPT.search(text) is not None
    if not bracketed and not superscript:
        return markers
    for number, row in enumerate(text.split("\n")):
        if "://" in row:
            row = _TOKEN.sub(_blank_url_token, row)
        if bracketed:
            for match in _BRACKET_MARKER.finditer(row):
                values = _marker_numbers(match.group("numbers"))
                markers.extend(
                    Marker(str(value), ListStyle.BRACKETED, line + number, str(values[0]) if index else None)
                    for index, value in enumerate(values)
                )
            markers.extend(
                Marker(match.group("label"), ListStyle.FOOTNOTE, line + number)
                for match in _FOOTNOTE_MARKER.finditer(row)
            )
        if superscript:
            markers.extend(
                Marker(_superscript_number(match.group("digits")), ListStyle.SUPERSCRIPT, line + number)
                for match in _SUPERSCRIPT_MARKER.finditer(row)
            )
    return markers


def _blank_url_token(match: re.Match[str]) -> str:
    """A whitespace-delimited token holding a URL, replaced by a space: digits in URLs are not markers."""
    return " " if "://" in match.group(0) else match.group(0)


def _superscript_number(digits: str) -> str:
    return digits.translate(_SUPERSCRIPT_TABLE).lstrip("0") or "0"


def _markers(paragraphs: Sequence[Paragraph]) -> list[Marker]:
    return [marker for paragraph in paragraphs for marker in find_markers(paragraph.text, paragraph.line)]


def _marker_numbers(text: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", text):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high <= low + 50:
                numbers.extend(range(low, high + 1))
                continue
        numbers.extend(int(value) for value in bounds if value.isdigit())
    return numbers


def text_layout(text: str, *, markdown: bool = False) -> Layout:
    """The note lists, body paragraphs and markers of a plain-text (or Markdown) document."""
    return _TextLayout(text, markdown=markdown).run()


# No part of these may run over the character that starts another match ("[", "<"): each part then ends
# before the next candidate begins, and a line of ``![a](![a](…`` is read once, not once per candidate.
_MARKDOWN_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^)\[\n]*\)")
_MARKDOWN_LINK = re.compile(r"\[(?P<label>[^\[\]\n]*)\]\(\s*<?(?P<url>[^)\s<>\[]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(?P<url>(?:https?|ftp)://[^<>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_GENERIC_LABELS = {"", "url", "link", "ссылка", "here", "pdf", "doi", "web", "сайт", "источник"}


def markdown_to_text(text: str) -> str:
    """Markdown a reader does not see, removed line by line: images, tags, ``[label](url)`` -> ``label url``."""

    def link(match: re.Match[str]) -> str:
        label, url = match.group("label").strip(), match.group("url")
        if label.lower() in _GENERIC_LABELS or label == url:
            return url
        return f"{label} {url}"

    text = _MARKDOWN_IMAGE.sub("", text)
    text = _AUTOLINK.sub(lambda match: match.group("url"), text)
    text = _TAG.sub("", text)
    return _MARKDOWN_LINK.sub(link, text)


def markdown_layout(text: str) -> Layout:
    layout = text_layout(text, markdown=True)
    lists = tuple(
        NoteList(
            note_list.style,
            tuple(Entry(e.number, markdown_to_text(e.text).strip(), e.line) for e in note_list.entries),
            note_list.heading,
        )
        for note_list in layout.lists
    )
    paragraphs = tuple(Paragraph(markdown_to_text(p.text), p.line) for p in layout.paragraphs)
    return Layout(lists, paragraphs, layout.markers)


# --- HTML ---------------------------------------------------------------------------------------------------

_BLOCKS = (
    "p",
    "div",
    "li",
    "dd",
    "dt",
    "td",
    "th",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figcaption",
    "caption",
    "section",
    "article",
    "aside",
    "footer",
    "header",
    "main",
    "address",
    "tr",
)
_NOTE_LIST_HINT = re.compile(r"footnote|endnote|reference|bibliograph|citation|notes|литератур|источник", re.IGNORECASE)
_HREF = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)


def _html_text(element: Tag) -> str:
    """Visible text of ``element`` with each link's target written after its label (unless already there)."""
    from bs4.element import NavigableString

    for anchor in element.find_all("a", href=True):
        href = str(anchor.get("href", "")).strip()
        if _HREF.match(href) and href not in anchor.get_text():
            anchor.append(NavigableString(f" {href} "))
    for br in element.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for block in element.find_all(_BLOCKS):
        block.append(NavigableString("\n"))
    lines = (" ".join(line.split()) for line in element.get_text("").split("\n"))
    return "\n".join(line for line in lines if line)


def _is_note_list(element: Tag) -> bool:
    hints = " ".join([str(element.get("id", "")), *(str(c) for c in element.get("class") or [])])
    if element.name == "ol" or _NOTE_LIST_HINT.search(hints):
        return True
    heading = element.find_previous(["h1", "h2", "h3", "h4", "h5", "h6"])
    return heading is not None and _is_heading(heading.get_text(" "))


def html_layout(markup: str) -> Layout:
    """Note lists from ``<ol>`` (and ``<ul>`` under a references heading), paragraphs from leaf blocks."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning  # slow to import: only for HTML documents
    from bs4.element import NavigableString

    with warnings.catch_warnings():
        # A document whose whole text is one URL is still a document, not a file name to open.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head"]):
        hidden.decompose()
    for sup in soup.find_all("sup"):
        digits = sup.get_text("").strip()
        if digits.isdigit() and len(digits) <= 3:
            sup.replace_with(NavigableString(f"[{digits}]"))
    lists: list[NoteList] = []
    for element in soup.find_all(["ol", "ul"]):
        if element.find_parent(["ol", "ul"]) is not None or not _is_note_list(element):
            continue
        heading_tag = element.find_previous(["h1", "h2", "h3", "h4", "h5", "h6"])
        heading = heading_tag.get_text(" ").strip() if heading_tag is not None else None
        start = _html_number(element.get("start"), 1)
        entries: list[Entry] = []
        for position, item in enumerate(element.find_all("li", recursive=False)):
            number = _html_number(item.get("value"), start + position)
            text = _html_text(item)
            if text:
                entries.append(Entry(str(number), text, item.sourceline or 1))
        element.extract()
        if entries:
            lists.append(NoteList(ListStyle.HTML, tuple(entries), heading))
    paragraphs: list[Paragraph] = []
    blocks = soup.find_all(_BLOCKS)
    # A block holding another block is not a paragraph. Marking each block's nearest block ancestor costs one
    # step per block where ``block.find`` would search the whole subtree of every block (deep nesting).
    containers: set[int] = set()
    for block in blocks:
        parent = block.parent
        while parent is not None and parent.name not in _BLOCKS:
            parent = parent.parent
        if parent is not None:
            containers.add(id(parent))
    for block in blocks:
        if id(block) in containers:
            continue
        text = _html_text(block)
        if text:
            paragraphs.append(Paragraph(text, block.sourceline or 1))
    if not paragraphs and not lists:
        text = _html_text(soup)
        if text:
            paragraphs.append(Paragraph(text, 1))
    return Layout(tuple(lists), tuple(paragraphs), tuple(_markers(paragraphs)))


def _html_number(value: object, default: int) -> int:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) <= 6 else default


# --- Ibid. --------------------------------------------------------------------------------------------------

_IBID = re.compile(
    r"^\s*(?:(?P<author>[^\d,.:;«“\"]{2,40}?)[,.]?\s+)?"
    r"(?:ibid(?:em)?\b\.?|там\s+же\b\.?|op\.?\s*cit\b\.?|указ\.\s*соч\b\.?|сонда\b\.?|sama\s+tam\b\.?)",
    re.IGNORECASE,
)
_IBID_MAX_LENGTH = 80  # a longer note that starts with "Там же" is a real note, not a repetition


def ibid_of(text: str) -> tuple[bool, str | None]:
    """Whether a note only repeats an earlier one ("Ibid.", "Там же", "Karimov, op. cit., p. 5")."""
    if "://" in text:  # as in ``flat``: collapsing blanks neither makes nor breaks "://" (most notes cite a URL)
        return False, None
    flat = " ".join(text.split())
    if len(flat) > _IBID_MAX_LENGTH or "://" in flat:
        return False, None
    match = _IBID.match(flat)
    if not match:
        return False, None
    author = match.group("author")
    return True, author.strip() if author else None


def resolve_ibids(notes: Sequence[Note], ids: Sequence[str]) -> list[str | None]:
    """For each note of one list, the id of the note its "Ibid." repeats (None: not an ibid, or unresolved)."""
    targets: list[str | None] = []
    for index, note in enumerate(notes):
        if not note.ibid:
            targets.append(None)
            continue
        target: str | None = None
        if note.ibid_author:
            surname = note.ibid_author.split()[-1].lower()
            for earlier in range(index - 1, -1, -1):
                if not notes[earlier].ibid and surname in notes[earlier].text.lower():
                    target = ids[earlier]
                    break
        if target is None and index > 0:
            target = ids[index - 1] if not notes[index - 1].ibid else targets[index - 1]
        targets.append(target)
    return targets


# --- markers against notes ----------------------------------------------------------------------------------


def marker_findings(
    markers: Sequence[Marker],
    lists: Sequence[tuple[str, ListStyle, Sequence[str]]],
    document: str,
    *,
    lines: Sequence[int] = (),
) -> list[Finding]:
    """``marker_without_note`` and ``note_without_marker`` for the lists the markers point into.

    ``lists`` holds (letter, style, note numbers) in reading order; ``lines``, when given, the line of each
    list's first note, so that a marker points into the nearest list after it (each article of a journal issue
    has its own list). A list is only checked for uncited notes when the body cites it at all: a bare
    bibliography has no markers and no such findings.
    """
    findings: list[Finding] = []
    cited = {letter: set(labels) for letter, labels in cited_labels(markers, lists, lines=lines).items()}
    reported: set[tuple[str, str]] = set()
    for marker in markers:
        target = _marker_target(marker, lists, lines)
        if target is None:
            continue
        letter, _style, numbers = target
        if _is_page(marker, numbers):
            continue
        if marker.label not in numbers and (letter, marker.label) not in reported:
            reported.add((letter, marker.label))
            findings.append(
                Finding(
                    FindingKind.MARKER_WITHOUT_NOTE,
                    f"{document}#{letter}{marker.label}",
                    f"The text cites [{marker.label}] on line {marker.line}, but list {letter} has no note "
                    f"{marker.label}; add the note or correct the marker.",
                )
            )
    for letter, _style, numbers in lists:
        if letter not in cited:
            continue
        findings.extend(
            Finding(
                FindingKind.NOTE_WITHOUT_MARKER,
                f"{document}#{letter}{number}",
                f"Note {letter}{number} is never cited in the text; add its marker [{number}] where it is "
                f"used or drop the note.",
            )
            for number in numbers
            if number not in cited[letter]
        )
    return findings


def _is_page(marker: Marker, numbers: Sequence[str]) -> bool:
    """``[8, 180-183]``, ``[9, 51]``: after a note the list has, numbers beyond its last note are pages."""
    if marker.lead is None or marker.lead not in numbers or not marker.label.isdigit():
        return False
    last = max((int(number) for number in numbers if number.isdigit()), default=0)
    return int(marker.label) > last


def _marker_target(
    marker: Marker, lists: Sequence[tuple[str, ListStyle, Sequence[str]]], lines: Sequence[int] = ()
) -> tuple[str, ListStyle, Sequence[str]] | None:
    """The list a marker points into: one of its own style (``[^1]`` into footnotes), else a numbered list,
    else a ``1)`` list, an HTML or a bulleted one. Given ``lines``, the nearest such list after the marker
    (each article of a journal issue has its own list after its text), else the last one before it;
    without them, the first one."""
    styles = [marker.style]
    if marker.style is not ListStyle.FOOTNOTE:
        styles += [ListStyle.NUMBERED, ListStyle.PARENTHESIS, ListStyle.HTML, ListStyle.BULLET]
    groups = [[index for index, candidate in enumerate(lists) if candidate[1] is style] for style in styles]
    groups = [group for group in groups if group]
    if not groups:
        return None
    if len(lines) != len(lists):
        own = [index for index, candidate in enumerate(lists) if candidate[1] is marker.style]
        return lists[own[0] if own else min(index for group in groups for index in group)]
    for group in groups:
        following = [index for index in group if lines[index] > marker.line]
        if following:
            return lists[following[0]]
    return lists[groups[0][-1]]


# --- reconciling two lists ----------------------------------------------------------------------------------

_TITLE_SIMILARITY = 0.85
# Each list is compared with this many lists after it: a document's translated or renumbered copy of a list
# follows it closely, and comparing every pair of a document with thousands of lists would never end.
_RECONCILE_WINDOW = 8


@lru_cache(maxsize=65536)
def _comparable(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", title.lower()).split())


def _similar_titles(
    first: Reference, second: Reference, matchers: dict[str, SequenceMatcher[str]] | None = None
) -> bool:
    """Whether a title of ``first`` and one of ``second`` are alike (SequenceMatcher ratio 0.85 or more).
    ``matchers``: a SequenceMatcher for each second title already seen, kept by the caller that compares many
    titles with the same ones (a matcher indexes its second sequence once, whatever the first)."""
    return _similar(_comparable_titles(first), _comparable_titles(second), matchers)


def _comparable_titles(reference: Reference) -> list[str]:
    return [_comparable(title) for title in reference.titles()]


def _similar(
    firsts: Sequence[str], seconds: Sequence[str], matchers: dict[str, SequenceMatcher[str]] | None = None
) -> bool:
    """_similar_titles of two references' comparable titles."""
    for a in firsts:
        for b in seconds:
            if len(a) < 8 or len(b) < 8:
                continue
            # The quick upper bounds rule most pairs out before the full comparison, both before any matcher
            # is made: from the lengths alone (SequenceMatcher.real_quick_ratio), then from the characters the
            # titles share (its quick_ratio, ``_quick_ratio``).
            if 2.0 * min(len(a), len(b)) / (len(a) + len(b)) < _TITLE_SIMILARITY:
                continue
            if _quick_ratio(a, b) < _TITLE_SIMILARITY:  # the second bound, before any matcher is made
                continue
            matcher = matchers.get(b) if matchers is not None else None
            if matcher is None:
                matcher = SequenceMatcher(None, a, b)
                if matchers is not None:
                    matchers[b] = matcher
            else:
                matcher.set_seq1(a)
            if matcher.ratio() >= _TITLE_SIMILARITY:
                return True
    return False


def _quick_ratio(a: str, b: str) -> float:
    """``SequenceMatcher(None, a, b).quick_ratio()``, the same number: the characters ``a`` and ``b`` share,
    counted with their multiplicity, from each title's character counts (worked out once per title) rather
    than by a pass over ``a``'s characters for each pair."""
    counts, other = _character_counts(a), _character_counts(b)
    if len(counts) > len(other):
        counts, other = other, counts
    shared = sum(map(min, counts.values(), map(other.get, counts, repeat(0))))  # min(count, other's count)
    length = len(a) + len(b)
    return 2.0 * shared / length if length else 1.0


@lru_cache(maxsize=4096)  # the titles of neighbouring notes, compared again and again; a few MB at most
def _character_counts(title: str) -> dict[str, int]:
    return dict(Counter(title))


def _deep_urls(reference: Reference, homepages: Iterable[str]) -> set[str]:
    shallow = set(homepages)
    return {url for url in reference.urls if url not in shallow}


def short_label(reference: Reference) -> str:
    """The authors and the first words of the title of a reference, for a message."""
    half = reference.halves[0] if reference.halves else None
    if half is None:
        return reference.text[:40]
    parts = []
    if half.authors:
        parts.append(half.authors)
    if half.title:
        words: list[str] = []
        for word in half.title.split():
            words.append(word)
            if len(" ".join(words)) >= 10:
                break
        short = " ".join(words).rstrip(",.:;")
        parts.append(f"«{short}…»" if len(short) < len(half.title) else f"«{short}»")
    return ", ".join(parts) or " ".join(half.text.split()[:6])


def cited_labels(
    markers: Sequence[Marker], lists: Sequence[tuple[str, ListStyle, Sequence[str]]], *, lines: Sequence[int] = ()
) -> dict[str, list[str]]:
    """For each list letter, the labels of the markers that point into it, in reading order, unique (``lines``:
    as for ``marker_findings``)."""
    cited: dict[str, list[str]] = {}
    for marker in markers:
        target = _marker_target(marker, lists, lines)
        if target is not None and not _is_page(marker, target[2]):
            labels = cited.setdefault(target[0], [])
            if marker.label not in labels:
                labels.append(marker.label)
    return cited


def _label_span(labels: Sequence[str]) -> str:
    """``[1]–[23]`` for numbers, else the labels themselves: how the text's markers read."""
    if all(label.isdigit() for label in labels):
        numbers = sorted(int(label) for label in labels)
        low, high = numbers[0], numbers[-1]
        return f"[{low}]" if low == high else f"[{low}]–[{high}]"
    shown = ", ".join(f"[{label}]" for label in labels[:3])
    return shown + (", …" if len(labels) > 3 else "")


def reconcile_lists(
    references: Sequence[Reference],
    homepages: Iterable[str] = (),
    *,
    markers: Sequence[Marker] = (),
    lists: Sequence[tuple[str, ListStyle, Sequence[str]]] = (),
    lines: Sequence[int] = (),
) -> list[Finding]:
    """``lists_disagree``: two lists cite the same source under different numbers.

    Notes are matched by content (a similar title, or the same deep URL; a shared home page proves nothing),
    each note at most once, and one finding is given per drifting pair. With the body's ``markers`` and the
    ``lists`` they point into (letter, style, numbers, as for ``marker_findings``), the message says which
    list's numbering the text follows.
    """
    shallow = set(homepages)
    by_list: dict[str, list[Reference]] = {}
    for reference in references:
        if reference.list is not None and reference.ibid_of is None:
            by_list.setdefault(reference.list, []).append(reference)
    letters = list(by_list)
    cited = cited_labels(markers, lists, lines=lines)
    findings: list[Finding] = []
    for position, first_letter in enumerate(letters):
        for second_letter in letters[position + 1 : position + 1 + _RECONCILE_WINDOW]:
            advice = _numbering_advice(cited, (first_letter, second_letter))
            first, second = by_list[first_letter], by_list[second_letter]
            findings.extend(_drift(first, second, references, shallow, advice))
    return findings


def _numbering_advice(cited: dict[str, list[str]], letters: Sequence[str]) -> str:
    """What the reader should do about two numberings: which one the text's markers follow, when known."""
    followed = [
        f"the text's markers {_label_span(cited[letter])} follow list {letter}"
        for letter in letters
        if cited.get(letter)
    ]
    if not followed:
        return "check which numbering the text's markers follow"
    return " and ".join(followed)


def _drift(
    first: Sequence[Reference],
    second: Sequence[Reference],
    everything: Sequence[Reference],
    shallow: set[str],
    advice: str,
) -> list[Finding]:
    taken: set[str] = set()
    pairs: list[tuple[Reference, Reference]] = []
    matchers: dict[str, SequenceMatcher[str]] = {}  # one per title of ``second``
    titles = [_comparable_titles(other) for other in second]  # each reference's, worked out once
    for one in first:
        deep = _deep_urls(one, shallow)
        free = [index for index, other in enumerate(second) if other.id not in taken]
        own = _comparable_titles(one)
        match = None
        if any(len(title) >= 8 for title in own):  # a shorter title is compared with none
            match = next((second[index] for index in free if _similar(own, titles[index], matchers)), None)
        if match is None and deep:
            match = next((second[index] for index in free if deep & _deep_urls(second[index], shallow)), None)
        if match is not None:
            taken.add(match.id)
            pairs.append((one, match))
    if len(pairs) < 2:
        return []  # unrelated lists that share a source or two by chance
    findings: list[Finding] = []
    ibid_targets = {r.id: r.ibid_of for r in everything if r.ibid_of}
    for one, other in pairs:
        if one.number == other.number:
            continue
        label = f"{one.list}{one.number}"
        other_label = f"{other.list}{other.number}"
        message = (
            f"{label} and {other_label} cite the same source ({short_label(one)}); the lists number it "
            f"differently — {advice}."
        )
        same_number = f"{one.document}#{other.list}{one.number}"
        if same_number in ibid_targets:
            repeated = ibid_targets[same_number] or ""
            message = message[:-1] + f" ({other.list}{one.number} is “Ibid.” of {repeated.split('#')[-1]})."
        findings.append(Finding(FindingKind.LISTS_DISAGREE, one.id, message))
    return findings
