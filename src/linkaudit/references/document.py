"""A document's references: ``parse_document`` runs the stage over one document (the package's docstring tells
the order), and ``encoding_references`` lets the workers of a long list write its JSON as they read it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache

from ..models import Document, DocumentKind, Finding, FindingKind, FoundUrl, Half, ParsedDocument, Reference
from ..spill import Encode, Spiller, joined, spill
from .annotations import apply_links, entry_references, with_pages
from .findings import reference_findings
from .halves import (
    is_translation_list,
    language_of,
    lengths_may_pair,
    pair_lists,
    pair_neighbours,
    split_halves,
)
from .notes import (
    Entry,
    Layout,
    ListStyle,
    Note,
    NoteList,
    html_layout,
    ibid_of,
    markdown_layout,
    marker_findings,
    reconcile_lists,
    resolve_ibids,
    text_layout,
)
from .parallel import PARALLEL_ABOVE, read_all, read_with
from .urls import find_urls, is_contact_address, is_homepage

__all__ = ["encoding_references", "parse_document"]

_UNNUMBERED = (ListStyle.BULLET,)
_ENCODE: ContextVar[Encode[Reference] | None] = ContextVar("linkaudit_encode_references", default=None)


@contextmanager
def encoding_references(encode: Encode[Reference]) -> Iterator[None]:
    """While inside: the references of a long list read by workers are also handed, a chunk at a time, to
    ``encode`` (a module-level function) by the worker that made them, and its answers kept with the spilled
    references (``Spilled.encoded``): what a report writer needs of them is made on every core, and not by
    reading the references back."""
    token = _ENCODE.set(encode)
    try:
        yield
    finally:
        _ENCODE.reset(token)


def parse_document(document: Document) -> ParsedDocument:
    """Every note of every note list, and every other paragraph carrying URLs, as references with findings."""
    if document.entries:
        return _parse_entries(document)
    layout = _layout(document)
    # Link targets and pages change references after they are made: then their findings wait until the end.
    later = bool(document.links or document.pages)
    lists = _read_lists(layout.lists, straight=not later)
    lists = _pair_translation_lists(lists)
    paragraphs, markers = layout.paragraphs, layout.markers
    del layout  # the entries' records go (their text lives on in the notes)

    made: list[Sequence[Reference]] = []  # the references in order: lists read by workers come spilled
    references: Spiller[Reference] = Spiller()  # the others are spilled as they are made, when many
    findings: list[Finding] = []
    homepage = _Memo(is_homepage)  # asked twice of every URL, and of a URL as often as it is cited
    homepages: set[str] = set()

    def judged(reference: Reference) -> None:
        findings.extend(reference_findings(reference, homepage=homepage.__getitem__))
        homepages.update(url for url in reference.urls if homepage[url])

    seen: dict[str, int] = {}
    numbered: list[tuple[str, ListStyle, Sequence[str]]] = []
    starts: list[int] = []  # the line of each list's first note: a marker points into the nearest list after it
    for index, (letter, listed) in enumerate(zip(_letters(), lists, strict=False)):
        ids = [_unique(f"{document.name}#{letter}{number}", seen) for number in listed.numbers]
        numbered.append((letter, listed.style, listed.numbers))
        lists[index] = _Listed(listed.style, (), [], False)  # the notes go once their references are made
        if listed.entries is not None:
            starts.append(listed.entries[0].line if listed.entries else 0)
            # Each note goes to the workers as its text's UTF-8 bytes, and its Entry (with the text as a string)
            # is let go: pickling a string keeps a UTF-8 copy of it inside the string (CPython caches it), so
            # 100,000 notes' texts would be held twice over while the workers read them.
            entries, name = listed.entries, document.name
            del listed
            items = []
            while entries:  # each entry let go as it is turned into bytes: never both for all notes
                entry = entries.pop()
                text = entry.text.encode("utf-8", "surrogatepass")
                items.append((entry.number, text, entry.line, ids[len(entries)], letter, name))
            items.reverse()
            read, extras = read_with(items, _made, encode=_ENCODE.get())
            made.extend((references.done(), read))
            references = Spiller()
            for more, pages in extras:
                findings.extend(more)
                homepages.update(pages)
            continue
        # notes[i] is read only for an "Ibid." (a spilled list is not read back for nothing)
        targets = resolve_ibids(listed.notes, ids) if listed.ibids else [None] * len(ids)
        repeated = {target for target in targets if target is not None}  # what an "Ibid." points at
        by_id: dict[str, Reference] = {}
        first_line = 0
        for note, identifier, target in zip(listed.notes, ids, targets, strict=True):
            first_line = first_line or note.line
            reference = _reference(document.name, note, identifier, letter, target, by_id)
            if identifier in repeated:
                by_id[identifier] = reference
            references.append(reference)
            if note.ibid and target is None:
                findings.append(
                    Finding(
                        FindingKind.IBID_UNRESOLVED,
                        identifier,
                        f"Note {letter}{note.number} says “{' '.join(note.text.split())}” but no earlier "
                        f"note of list {letter} precedes it; write out the source it means.",
                    )
                )
            if not later:
                judged(reference)
        starts.append(first_line)
        del listed

    for paragraph in paragraphs:
        # outside any note, a home page beside an e-mail at its domain is a contact line, not a citation
        found = tuple(url for url in find_urls(paragraph.text) if not is_contact_address(url, paragraph.text))
        if not found:
            continue
        identifier = _unique(f"{document.name}#p{paragraph.line}", seen)
        reference = Reference(
            id=identifier,
            document=document.name,
            text=paragraph.text,
            line=paragraph.line,
            halves=split_halves(paragraph.text, found, split=False),
            urls=_unique_urls(found),
            found=found,
        )
        references.append(reference)
        if not later:
            judged(reference)

    made.append(references.done())
    everything = joined(made)
    if document.links:  # only documents with link targets (PDF annotations, DOCX hyperlinks) have them to join
        with_links, link_findings = apply_links(document, everything, lambda wanted: _unique(wanted, seen))
        everything = spill(with_links)
        findings.extend(link_findings)
    if document.pages:
        everything = spill(with_pages(document, everything))
    if later:
        for reference in everything:
            judged(reference)
    findings.extend(marker_findings(markers, numbered, document.name, lines=starts))
    # Footnotes are numbered as the text calls them, a bibliography by its own order: the same source under
    # two numbers there is the rule, not a drift between two lists.
    footnotes = {letter for letter, style, _ in numbered if style is ListStyle.FOOTNOTE}
    if len([letter for letter, _, _ in numbered if letter not in footnotes]) >= 2:  # one list has none to drift
        in_lists = [reference for reference in everything if reference.list not in footnotes]
        findings.extend(reconcile_lists(in_lists, homepages, markers=markers, lists=numbered, lines=starts))
    return ParsedDocument(document, everything, tuple(_in_reference_order(findings, everything)))


class _Memo(dict[str, bool]):
    """A predicate's answers, each worked out once: ``memo[url]``."""

    def __init__(self, predicate: Callable[[str], bool]) -> None:
        super().__init__()
        self._predicate = predicate

    def __missing__(self, key: str) -> bool:
        answer = self[key] = self._predicate(key)
        return answer


def _parse_entries(document: Document) -> ParsedDocument:
    """A structured bibliography: its entries are the references (no layout to guess)."""
    seen: dict[str, int] = {}
    references = entry_references(document, lambda wanted: _unique(wanted, seen))
    findings = [finding for reference in references for finding in reference_findings(reference)]
    return ParsedDocument(document, tuple(references), tuple(findings))


def _layout(document: Document) -> Layout:
    if document.kind is DocumentKind.HTML:
        return html_layout(document.text)
    if document.kind is DocumentKind.MARKDOWN:
        return _markdown_layout(document.text)
    return text_layout(document.text)


_HTML_LIST = re.compile(r"<(?:ol|ul)\b", re.IGNORECASE)


def _markdown_layout(text: str) -> Layout:
    """The Markdown layout, with each raw HTML block that holds a list read like an HTML document: its
    ``<ol>`` (or ``<ul>`` under a references heading) gives numbered notes, one per ``<li>``, in place of the
    paragraph the Markdown layout makes of the block."""
    layout = markdown_layout(text)
    if not _HTML_LIST.search(text):
        return layout
    blocks = _html_list_blocks(text)
    if not blocks:
        return layout
    lists = [(note_list.entries[0].line if note_list.entries else 0, note_list) for note_list in layout.lists]
    paragraphs = list(layout.paragraphs)
    markers = list(layout.markers)
    for first, last, markup, heading in blocks:
        inside = range(first, last + 1)
        shift = first - 1
        prefix = f"<h2>{html.escape(heading)}</h2>" if heading else ""  # on the block's first line: lines kept
        read = html_layout(prefix + markup)
        paragraphs = [paragraph for paragraph in paragraphs if paragraph.line not in inside]
        lists = [
            (line, replace(note_list, entries=tuple(e for e in note_list.entries if e.line not in inside)))
            for line, note_list in lists
        ]
        for note_list in read.lists:
            entries = tuple(replace(entry, line=entry.line + shift) for entry in note_list.entries)
            lists.append((entries[0].line, replace(note_list, entries=entries, heading=note_list.heading or heading)))
        paragraphs += [replace(paragraph, line=paragraph.line + shift) for paragraph in read.paragraphs]
        markers += [replace(marker, line=marker.line + shift) for marker in read.markers]
    lists.sort(key=lambda item: item[0])
    paragraphs.sort(key=lambda paragraph: paragraph.line)
    return Layout(
        tuple(note_list for _, note_list in lists if note_list.entries),
        tuple(paragraphs),
        tuple(sorted(markers, key=lambda marker: marker.line)),
    )


def _html_list_blocks(text: str) -> list[tuple[int, int, str, str | None]]:
    """(first line, last line, markup, the Markdown heading above it) of each raw HTML block holding a list."""
    from markdown_it import MarkdownIt

    blocks: list[tuple[int, int, str, str | None]] = []
    heading: str | None = None
    tokens = MarkdownIt("commonmark", {"html": True}).parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            heading = tokens[index + 1].content.strip() or None
        elif token.type == "html_block" and token.map is not None and _HTML_LIST.search(token.content):
            blocks.append((token.map[0] + 1, token.map[1], token.content, heading))
    return blocks


def _note(entry: Entry) -> Note:
    ibid, author = ibid_of(entry.text)
    if ibid:
        text = " ".join(entry.text.split())
        return Note(entry.number, entry.text, entry.line, (), (Half(language_of(text), text),), True, author)
    found = tuple(find_urls(entry.text))
    return Note(entry.number, entry.text, entry.line, found, split_halves(entry.text, found))


@dataclass(frozen=True, slots=True)
class _Listed:
    """One list's notes on their way to references: a list, or a long list spilled, with their numbers and
    whether any note is an "Ibid." (known without reading the notes back)."""

    style: ListStyle
    notes: Sequence[Note]
    numbers: list[str]
    ibids: bool
    entries: list[Entry] | None = None  # a long list without "Ibid.": read by workers into references

    @classmethod
    def of(cls, style: ListStyle, notes: list[Note]) -> _Listed:
        numbers = [note.number for note in notes]
        return cls(style, spill(notes), numbers, any(note.ibid for note in notes))


def _read_lists(found: Sequence[NoteList], *, straight: bool) -> list[_Listed]:
    """Each list's notes read (a long list by worker processes, kept spilled). With ``straight``, a long
    numbered list without "Ibid." that no neighbour could translate is left to be read straight into references
    (its entries kept for that)."""
    lists: list[_Listed] = []
    for position, note_list in enumerate(found):
        entries = note_list.entries
        if note_list.style in _UNNUMBERED:
            lists.append(_Listed.of(note_list.style, pair_neighbours(read_all(entries, _note))))
            continue
        # its notes are its entries read one by one: what the references need is known from the entries
        numbers = [entry.number for entry in entries]
        ibids = any(ibid_of(entry.text)[0] for entry in entries)
        if straight and not ibids and len(entries) > PARALLEL_ABOVE and not _may_pair(found, position):
            lists.append(_Listed(note_list.style, (), numbers, False, list(entries)))
        else:
            lists.append(_Listed(note_list.style, read_all(entries, _note), numbers, ibids))
    return lists


def _may_pair(lists: Sequence[NoteList], position: int) -> bool:
    """Whether the list at ``position`` could be paired with a neighbour as its translation, by their lengths
    alone (``lengths_may_pair``). An unnumbered neighbour's length is not known before its own entries are
    paired: it may pair."""
    length = len(lists[position].entries)
    for neighbour in (position - 1, position + 1):
        if 0 <= neighbour < len(lists):
            if lists[neighbour].style in _UNNUMBERED:
                return True
            if lengths_may_pair(length, len(lists[neighbour].entries)):
                return True
    return False


def _made(
    item: tuple[str, bytes, int, str, str, str],
) -> tuple[Reference, tuple[list[Finding], list[str]] | None]:
    """One note of a long list without "Ibid." read straight into its reference (by a worker, or here), with its
    findings and its URLs that are home pages, when there are any. ``item``: the entry's number, text (UTF-8)
    and line, the reference's id, its list's letter and the document's name."""
    number, text, line, identifier, letter, name = item
    entry = Entry(number, text.decode("utf-8", "surrogatepass"), line)
    reference = _reference(name, _note(entry), identifier, letter, None, {})
    findings = reference_findings(reference, homepage=_is_homepage)
    homepages = [url for url in reference.urls if _is_homepage(url)]
    return reference, (findings, homepages) if findings or homepages else None


_is_homepage = lru_cache(maxsize=4096)(is_homepage)


def _pair_translation_lists(lists: list[_Listed]) -> list[_Listed]:
    """A Cyrillic list followed by its English rendering (ru-en journals' "REFERENCES") becomes one list."""
    paired: list[_Listed] = []
    index = 0
    while index < len(lists):
        listed = lists[index]
        if index + 1 < len(lists) and is_translation_list(listed.notes, lists[index + 1].notes):
            paired.append(_Listed.of(listed.style, pair_lists(listed.notes, lists[index + 1].notes)))
            index += 2
        else:
            paired.append(listed)
            index += 1
    return paired


def _reference(
    name: str,
    note: Note,
    identifier: str,
    letter: str,
    target: str | None,
    by_id: dict[str, Reference],
) -> Reference:
    if note.ibid:
        repeated = by_id.get(target) if target else None
        urls = repeated.urls if repeated is not None else ()
    else:
        urls = _unique_urls(note.found)
        if len(note.halves) == 1 and note.halves[0].urls == urls:
            urls = note.halves[0].urls  # one tuple, not two equal ones
    return Reference(
        id=identifier,
        document=name,
        text=note.text,
        line=note.line,
        list=letter,
        number=note.number,
        ibid_of=target,
        halves=note.halves,
        urls=urls,
        found=note.found,
    )


def _unique_urls(found: Sequence[FoundUrl]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.url for item in found))


def _unique(identifier: str, seen: dict[str, int]) -> str:
    """``identifier``, else ``identifier-2``, ``-3``…: the first one not used yet. ``seen`` maps each used id
    to the next suffix to try, so the thousandth paragraph on one HTML line is named without 999 retries."""
    suffix = seen.get(identifier, 2)
    candidate = identifier
    while candidate in seen:
        candidate = f"{identifier}-{suffix}"
        suffix += 1
    seen[identifier] = suffix
    seen.setdefault(candidate, 2)
    return candidate


def _letters() -> Iterator[str]:
    """A, B, … Z, AA, AB, …: list names in reading order."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    yield from alphabet
    size = 2
    while True:
        for index in range(len(alphabet) ** size):
            name = ""
            for _ in range(size):
                index, digit = divmod(index, len(alphabet))
                name = alphabet[digit] + name
            yield name
        size += 1


def _in_reference_order(findings: Sequence[Finding], references: Sequence[Reference]) -> list[Finding]:
    if not findings:
        return []
    wanted = {finding.reference for finding in findings}  # not a position for every reference of a long list
    position = {reference.id: index for index, reference in enumerate(references) if reference.id in wanted}
    return sorted(findings, key=lambda finding: position.get(finding.reference, len(references)))
