"""A copy of a document with each broken URL followed by its archived replacement, in the style of its half.

Readers of a bilingual note expect the Russian half to say «архивная копия» and the English half "archived",
so the language is taken from the half each occurrence sits in. Writing is idempotent: an occurrence already
followed by an archived note (or lying inside one) is left alone, so fix can run on its own output.

A URL the layout left ambiguous (a hyphen at a line end) is written as the reading the audit settled on when
that is not how the text reads: the reading that answered, else the one an archived copy was found for. The
copy gets the URL whole, on one line, and the command line names every such rewrite (never a silent change).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from .models import Document, DocumentKind, LinkReport, ParsedDocument, Reference, Snapshot
from .references.urls import url_key

RUSSIAN_STYLE = frozenset({"ru", "kk", "be", "uk", "ky", "tg", "uz"})  # halves written for Russian readers
_MONTHS_EN = (
    "January February March April May June July August September October November December".split()
)
_MONTHS_RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
_ARCHIVED = r"(?:archived|архивная копия)"
# Notes written by fix (text, Markdown, HTML), to skip URLs inside them and not to write them twice.
_NOTE = re.compile(
    rf"\s?\(\[{_ARCHIVED}[^\]]*\]\([^)\s]*\)\)"
    rf"|\s?\[{_ARCHIVED}[^\]]*\]"
    rf"|\s?\[<a [^>]*>{_ARCHIVED}[^<]*</a>\]"
)
_FOLLOWED_BY_NOTE = re.compile(rf"\s?(?:\(\[|\[|\[<a [^>]*>){_ARCHIVED}")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s+")
LANGUAGE_WINDOW = 80  # characters before an occurrence that show its language when halves cannot be placed


def format_archived(snapshot: Snapshot, lang: str) -> str:
    """"archived 4 November 2012" or «архивная копия от 4 ноября 2012» (Kazakh and kin read Russian)."""
    from .archive.select import timestamp_datetime  # not at import: the archive package loads its clients

    moment = timestamp_datetime(snapshot.timestamp)
    if lang in RUSSIAN_STYLE:
        return f"архивная копия от {moment.day} {_MONTHS_RU[moment.month - 1]} {moment.year}"
    return f"archived {moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"


def archived_note(snapshot: Snapshot, lang: str, kind: DocumentKind) -> str:
    """What fix writes after a broken URL (with its leading space)."""
    label = format_archived(snapshot, lang)
    if kind is DocumentKind.MARKDOWN:
        return f" ([{label}]({snapshot.url}))"
    if kind is DocumentKind.HTML:
        return f' [<a href="{html.escape(snapshot.url)}">{html.escape(label)}</a>]'
    return f" [{label}: {snapshot.url}]"


def cited_readings(links: Iterable[LinkReport]) -> dict[str, str]:
    """For each ambiguous URL whose text reads otherwise: the text's first reading -> the reading to cite (the
    one that answered, or, when none did, the one whose archived copy was found)."""
    readings: dict[str, str] = {}
    for item in links:
        candidates = item.link.candidates
        if len(candidates) < 2:
            continue
        chosen = item.link.url
        if item.result.status.is_broken and item.archive is not None:
            original = url_key(item.archive.original)
            chosen = next((url for url in candidates if url_key(url) == original), chosen)
        if chosen != candidates[0]:
            readings[candidates[0]] = chosen
    return readings


def _snapshot(replacements: Mapping[str, Snapshot], url: str, chosen: str | None) -> Snapshot | None:
    """The archived copy for a URL as repaired, else for the reading cited in its place."""
    return replacements.get(url) or (replacements.get(chosen) if chosen else None)


def apply_replacements(
    text: str,
    parsed: ParsedDocument,
    replacements: Mapping[str, Snapshot],
    readings: Mapping[str, str] | None = None,
) -> str:
    """``text`` with the archived replacement written after every occurrence of a replaced URL, and each
    ambiguous URL in ``readings`` written as the reading to cite.

    ``replacements`` and ``readings`` are keyed by the URL as repaired (``Reference.urls`` / ``FoundUrl.url``).
    """
    readings = readings or {}
    notes = [match.span() for match in _NOTE.finditer(text)]
    edits: dict[tuple[int, int], str] = {}  # (start, end) -> new text; start == end inserts
    inserted: set[int] = set()
    starts = _reference_starts(text, parsed.references)
    wanted = {*replacements, *readings}
    for index, reference in enumerate(parsed.references):
        begin, verbatim = starts[index]
        finish = next((s for s, _ in starts[index + 1 :] if s > begin), len(text))
        halves = _half_spans(text, begin, finish, reference)
        occurrences = _occurrences(text, begin, finish, reference, wanted, verbatim, notes, parsed.document.kind)
        for url, start, end in occurrences:
            if any(low <= start < high for low, high in notes):
                continue
            chosen = readings.get(url)
            if chosen is not None and text[start:end] != chosen:
                edits[(start, end)] = chosen
            snapshot = _snapshot(replacements, url, chosen)
            if snapshot is None:
                continue
            point = _insertion_point(text, start, end, parsed.document.kind)
            if _FOLLOWED_BY_NOTE.match(text, point) or point in inserted:
                continue
            inserted.add(point)
            lang = _language(text, start, halves, begin)
            edits[(point, point)] = archived_note(snapshot, lang, parsed.document.kind)
    pieces = []
    last = 0
    for start, end in sorted(edits):
        if start < last:  # overlapping another edit: left as written
            continue
        pieces += [text[last:start], edits[(start, end)]]
        last = end
    return "".join(pieces) + text[last:]


def _reference_starts(text: str, references: Sequence[Reference]) -> list[tuple[int, bool]]:
    """Where each reference starts: its text found verbatim from its line on (True), else its line (False).

    Markdown and HTML references are plain text rendered from the markup, so they are not found verbatim.
    """
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found: list[tuple[int, bool]] = []
    for reference in references:
        line = line_starts[min(max(reference.line - 1, 0), len(line_starts) - 1)]
        position = text.find(reference.text, line) if reference.text else -1
        found.append((position, True) if position >= 0 else (line, False))
    return found


def _occurrences(
    text: str,
    begin: int,
    finish: int,
    reference: Reference,
    wanted: Collection[str],
    verbatim: bool,
    notes: Sequence[tuple[int, int]],
    kind: DocumentKind,
) -> list[tuple[str, int, int]]:
    """(repaired URL, start, end) in the document of each URL in ``wanted`` the reference cites.

    Offsets are relative to the reference's text; when that text is not the document's own (``verbatim``
    False), each raw form is looked for in turn from the reference's line on.
    """
    located = []
    seen: dict[str, int] = {}
    for found in reference.found:
        if found.url not in wanted:
            continue
        start = begin + found.start
        if verbatim and text[start : start + len(found.raw)] == found.raw:
            located.append((found.url, start, start + len(found.raw)))
        else:
            start = _find_outside(text, found.raw, seen.get(found.raw, begin), finish, notes)
            if start >= 0:
                end = start + len(found.raw)
                # The next occurrence is searched after the whole link (an HTML <a> writes the URL twice).
                seen[found.raw] = max(end, _insertion_point(text, start, end, kind))
                located.append((found.url, start, end))
    if not reference.found:  # no positions given: the repaired URLs as written
        for url in reference.urls:
            if url in wanted:
                matches = re.finditer(re.escape(url), text[:finish])
                located += [(url, m.start(), m.end()) for m in matches if m.start() >= begin]
    return located


def _find_outside(text: str, needle: str, start: int, finish: int, notes: Sequence[tuple[int, int]]) -> int:
    """The first occurrence of ``needle`` in ``text[start:finish]`` that is not inside a written note."""
    position = text.find(needle, start, finish)
    while position >= 0 and any(low <= position < high for low, high in notes):
        position = text.find(needle, position + 1, finish)
    return position


def _insertion_point(text: str, start: int, end: int, kind: DocumentKind) -> int:
    """Right after the URL, or after the Markdown link / autolink / HTML element it sits in."""
    if kind is DocumentKind.MARKDOWN:
        if text[start - 2 : start] == "](" and text[end : end + 1] == ")":
            return end + 1
        if text[start - 1 : start] == "<" and text[end : end + 1] == ">":
            return end + 1
    if kind is DocumentKind.HTML:
        opened, closed = text.rfind("<", 0, start), text.rfind(">", 0, start)
        if opened > closed:  # inside a tag: after the element (or the tag)
            tag_end = text.find(">", end)
            if tag_end < 0:
                return end
            if text[opened : opened + 2].lower() == "<a":
                close = text.lower().find("</a>", tag_end)
                return close + 4 if close >= 0 else tag_end + 1
            return tag_end + 1
        if text.lower().find("</a>", end) == text.find("<", end) >= 0:  # text of a link
            return text.find("<", end) + 4
    return end


def _folded(text: str, begin: int, finish: int) -> tuple[str, list[int]]:
    """``text[begin:finish]`` with every whitespace run as one space, and each character's offset."""
    pieces: list[str] = []
    offsets: list[int] = []
    position = begin
    for match in _SPACE.finditer(text, begin, finish):
        pieces.append(text[position : match.start()])
        offsets += range(position, match.start())
        pieces.append(" ")
        offsets.append(match.start())
        position = match.end()
    pieces.append(text[position:finish])
    offsets += range(position, finish)
    return "".join(pieces), offsets


def _half_spans(text: str, begin: int, finish: int, reference: Reference) -> list[tuple[int, int, str]]:
    """(start, end, lang) of each half found in the document (whitespace differences allowed)."""
    folded, offsets = _folded(text, begin, finish)
    spans = []
    cursor = 0
    for half in reference.halves:
        wanted = _SPACE.sub(" ", half.text).strip()
        at = folded.find(wanted, cursor) if wanted else -1
        if at < 0:
            continue
        cursor = at + len(wanted)
        spans.append((offsets[at], offsets[cursor - 1] + 1, half.lang))
    return spans


def _language(text: str, position: int, halves: Sequence[tuple[int, int, str]], begin: int) -> str:
    for low, high, lang in halves:
        if low <= position < high:
            return lang
    before = text[max(begin, position - LANGUAGE_WINDOW) : position]
    return "ru" if len(_CYRILLIC.findall(before)) > len(_LATIN.findall(before)) else "en"


# Formats fix cannot rewrite in place (binary, or structured): it writes their fixed reference list as text.
LIST_READERS = frozenset({"pdf", "docx", "odt", "bibtex", "csl-json", "ris"})


def writes_reference_list(document: Document) -> bool:
    """Whether fix writes ``document``'s fixed reference list as text instead of a fixed copy of the file."""
    return document.reader in LIST_READERS


def reference_list_name(path: Path) -> Path:
    """``thesis.pdf`` -> ``thesis.pdf.references.fixed.txt``: the name says it is the reference list, as text, and
    keeps the source's suffix so ``paper.pdf`` and ``paper.docx`` in one folder never write over each other."""
    return path.with_name(f"{path.name}.references.fixed.txt")


def fixed_reference_list(
    parsed: ParsedDocument, replacements: Mapping[str, Snapshot], readings: Mapping[str, str] | None = None
) -> str:
    """Every reference that cites a URL, as text, each broken URL followed by its archived replacement; headed
    by where the reference is (note number or citation key, page or line) so the editor can find it. An
    ambiguous URL gets a line with the reading to cite ("read as …")."""
    readings = readings or {}
    document = parsed.document
    blocks = [
        f"# {document.name}: the references that cite URLs, with archived copies of the broken ones "
        f"(read from {document.reader}; the original file is not changed)\n"
    ]
    for reference in parsed.references:
        if not reference.urls:
            continue
        text = " ".join(reference.text.split())
        alone = replace(reference, text=text, line=1, found=())
        single = ParsedDocument(Document(document.name, DocumentKind.TEXT, text, "utf-8"), (alone,), ())
        fixed = apply_replacements(text, single, replacements)
        lang = reference.halves[0].lang if reference.halves else "en"
        for url in reference.urls:  # a URL the text spells otherwise (wrapped, blanks) gets its own line
            chosen = readings.get(url)
            snapshot = _snapshot(replacements, url, chosen)
            note = archived_note(snapshot, lang, DocumentKind.TEXT) if snapshot and snapshot.url not in fixed else ""
            if chosen is not None:
                fixed += f"\n  {'читается как' if lang in RUSSIAN_STYLE else 'read as'} {chosen}{note}"
            elif note:
                fixed += f"\n  {url}{note}"
        where = f"p. {reference.page}" if reference.page else f"line {reference.line}"
        label = reference.id.split("#", 1)[-1]
        blocks.append(f"[{label}] ({where})\n{fixed}\n")
    return "\n".join(blocks)
