"""What a reader found beside the text: link targets, page starts and structured bibliography entries.

A link target (PDF annotation, Word hyperlink or field code, ODT or Markdown link) joins the reference whose text
lies under it. When the text already cites it, nothing changes; when the text holds a broken spelling of it (a
URL cut at a line end, a blank inside), the target repairs that spelling and says so (``annotation``); otherwise
the target is a cited URL of that reference in its own right. A link whose shown text is another URL keeps both
and is a finding. Links outside every reference make one reference per line, as a paragraph with a URL would.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..models import (
    BibEntry,
    Document,
    Finding,
    FindingKind,
    FoundUrl,
    Half,
    Hyperlink,
    Reference,
    Repair,
)
from .urls import url_key

__all__ = ["apply_links", "entry_references", "with_pages"]

_WEB = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_SHOWN_URL = re.compile(r"^(?:(?:https?|ftp)://|www\.)\S+$", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»”'\""
_MIN_BROKEN = 12  # a spelling shorter than this is not taken for a cut-off form of a target


@dataclass
class _Span:
    start: int  # the reference's line start (a note's number precedes its text)
    end: int
    index: int  # position in the references list
    text_at: int = -1  # where the reference's text is found verbatim, -1 when it is not


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def _spans(text: str, references: Sequence[Reference], starts: Sequence[int]) -> list[_Span]:
    """Where each reference lies in ``text`` (whose line starts are ``starts``): its text found verbatim from its
    line on, else from its line to the next reference's start. Sorted by start."""
    located: list[tuple[int, int, int, int]] = []
    for index, reference in enumerate(references):
        line = starts[min(max(reference.line - 1, 0), len(starts) - 1)]
        position = text.find(reference.text, line, line + len(reference.text) + 4096) if reference.text else -1
        if position >= 0:
            located.append((line, position + len(reference.text), index, position))
        else:
            located.append((line, -1, index, -1))
    located.sort()
    spans: list[_Span] = []
    for order, (start, end, index, text_at) in enumerate(located):
        following = located[order + 1][0] if order + 1 < len(located) else len(text)
        if end < 0:
            end = max(following, start)
        spans.append(_Span(start, end, index, text_at))
    return spans


def with_pages(document: Document, references: Sequence[Reference]) -> list[Reference]:
    """Each reference with the page it starts on, when the document has pages."""
    if not document.pages:
        return list(references)
    spans = {span.index: span for span in _spans(document.text, references, _line_starts(document.text))}
    return [
        replace(reference, page=document.page_of(max(spans[index].start, spans[index].text_at)))
        for index, reference in enumerate(references)
    ]


def apply_links(
    document: Document, references: Sequence[Reference], unique: Callable[[str], str]
) -> tuple[list[Reference], list[Finding]]:
    """``references`` with the document's link targets joined to them, new references for links outside them,
    and the findings the links give. ``unique`` turns a wanted reference id into an unused one."""
    result = list(references)
    findings: list[Finding] = []
    links = [link for link in document.links if _WEB.match(link.target)]
    if not links:
        return result, findings
    line_starts = _line_starts(document.text)
    spans = _spans(document.text, result, line_starts)
    starts = [span.start for span in spans]
    orphans: dict[int, list[Hyperlink]] = {}
    for link in links:
        span = _covering(spans, starts, link.start)
        if span is None:
            if link.start >= 0:
                line = bisect_right(line_starts, link.start)
                orphans.setdefault(line, []).append(link)
            continue
        reference = result[span.index]
        offset = link.start - span.text_at if span.text_at >= 0 and link.start >= span.text_at else -1
        updated, finding = _join(reference, link, offset)
        result[span.index] = updated
        if finding is not None:
            findings.append(finding)
    for line, group in sorted(orphans.items()):
        reference, more = _orphan_reference(document, line, line_starts, group, unique)
        result.append(reference)
        findings.extend(more)
    return result, findings


def _covering(spans: list[_Span], starts: list[int], offset: int) -> _Span | None:
    if offset < 0:
        return None
    at = bisect_right(starts, offset) - 1
    for candidate in range(at, max(at - 4, -1), -1):
        span = spans[candidate]
        if span.start <= offset < span.end:
            return span
    return None


def _compact(url: str) -> str:
    """A URL with every character a layout can insert or lose removed, for comparing spellings."""
    text = url.lower().replace("\u00ad", "")
    text = re.sub(r"^(?:[a-z]+:)?/*(?:www\.)?", "", text)
    text = re.sub(r"[\s\-\u2010\u2011\u2013]", "", text)
    return text.rstrip("/" + _TRAILING)


def _shown_url(text: str) -> str | None:
    """The URL a link's text shows, when it shows one whole."""
    shown = "".join(text.split()).rstrip(_TRAILING)
    return shown if _SHOWN_URL.match(shown) else None


def _differs(shown: str, target: str) -> bool:
    """Whether a shown URL names another page than the target (not a cut-off or decorated form of it)."""
    left, right = _compact(shown), _compact(target)
    return not (left == right or right.startswith(left) or left.startswith(right))


def _join(reference: Reference, link: Hyperlink, offset: int) -> tuple[Reference, Finding | None]:
    keys = {url_key(url) for url in reference.urls}
    link = _without_trailing_punctuation(link, keys)
    target = link.target
    key = url_key(target)
    finding = _text_differs(reference, link)
    if key in keys:
        return reference, finding
    broken = _broken_spellings(reference, target, cut=link.source == "pdf-annotation")
    if broken:
        return _repaired(reference, broken, target), finding
    found = FoundUrl(
        url=target,
        raw=link.text.strip() or target,
        start=max(offset, 0),
        end=max(offset, 0) + len(link.text.strip() or target),
        repairs=(Repair.ANNOTATION,),
    )
    halves = _with_url(reference.halves, target, link.text)
    return (
        replace(reference, urls=(*reference.urls, target), found=(*reference.found, found), halves=halves),
        finding,
    )


def _without_trailing_punctuation(link: Hyperlink, keys: set[str]) -> Hyperlink:
    """The link with the comma or semicolon an authoring tool took into its target dropped
    (``…/298671/,`` over the text ``…/298671/, свободный``), when the text cites the URL without it or shows
    the punctuation after it."""
    trimmed = link.target.rstrip(",;")
    if trimmed == link.target or "://" not in trimmed:
        return link
    shown = link.text.rstrip()
    if url_key(trimmed) in keys or shown.endswith(link.target[len(trimmed) :]):
        return replace(link, target=trimmed)
    return link


def _text_differs(reference: Reference, link: Hyperlink) -> Finding | None:
    shown = _shown_url(link.text)
    if shown is None or link.source == "pdf-annotation":  # a PDF's link text may be one line of the URL
        return None
    written = shown if "://" in shown else f"http://{shown}"
    if url_key(written) == url_key(link.target) or not _differs(written, link.target) and len(shown) > len(
        link.target
    ):
        return None
    return Finding(
        FindingKind.LINK_TEXT_DIFFERS,
        reference.id,
        f"The link on line {reference.line} shows {shown} but leads to {link.target}; make the text and the "
        f"link agree (both were checked).",
        link.target,
    )


def _broken_spellings(reference: Reference, target: str, *, cut: bool) -> set[str]:
    """The URLs the text spells that are broken forms of ``target``: the same but for blanks and hyphens, or,
    when ``cut`` (a PDF, whose lines break URLs), cut short at a line end or (when written without a scheme)
    the rest of it after a break."""
    wanted = _compact(target)
    broken: set[str] = set()
    for found in reference.found:
        if Repair.ANNOTATION in found.repairs:
            continue  # another link's target (a journal's page beside its issue's page) is not a spelling
        if target in found.candidates:
            broken.add(found.url)
            continue
        spelled = _compact(found.url)
        if len(spelled) < _MIN_BROKEN and not (spelled and spelled == wanted):
            continue
        if spelled == wanted or (cut and wanted.startswith(spelled)):
            broken.add(found.url)
        elif cut and Repair.SCHEME_ADDED in found.repairs and wanted.endswith(spelled):
            broken.add(found.url)
    return broken


def _repaired(reference: Reference, broken: set[str], target: str) -> Reference:
    found = tuple(
        replace(item, url=target, repairs=(*_kept(item.repairs), Repair.ANNOTATION), candidates=())
        if item.url in broken
        else item
        for item in reference.found
    )
    urls = tuple(dict.fromkeys(target if url in broken else url for url in reference.urls))
    halves = tuple(
        replace(half, urls=tuple(dict.fromkeys(target if url in broken else url for url in half.urls)))
        for half in reference.halves
    )
    return replace(reference, found=found, urls=urls, halves=halves)


def _kept(repairs: tuple[Repair, ...]) -> tuple[Repair, ...]:
    """The repairs still true once a link target replaced the spelling (the scheme came with the target)."""
    return tuple(repair for repair in repairs if repair is not Repair.SCHEME_ADDED)


def _with_url(halves: tuple[Half, ...], url: str, shown: str) -> tuple[Half, ...]:
    """The halves with ``url`` added to the one whose text holds the link's text (else the first)."""
    if not halves:
        return halves
    words = " ".join(shown.split())
    chosen = next((i for i, half in enumerate(halves) if words and words in " ".join(half.text.split())), 0)
    return tuple(
        replace(half, urls=(*half.urls, url)) if index == chosen else half for index, half in enumerate(halves)
    )


def _orphan_reference(
    document: Document,
    line: int,
    line_starts: list[int],
    links: list[Hyperlink],
    unique: Callable[[str], str],
) -> tuple[Reference, list[Finding]]:
    """A reference for the links on one line outside every note and paragraph with a URL."""
    start = line_starts[line - 1]
    end = document.text.find("\n", start)
    text = document.text[start : end if end >= 0 else len(document.text)].replace("\f", "")
    identifier = unique(f"{document.name}#p{line}")
    from .halves import language_of

    reference = Reference(
        id=identifier,
        document=document.name,
        text=text,
        line=line,
        halves=(Half(language_of(text), text.strip()),),
        page=document.page_of(start),
    )
    findings: list[Finding] = []
    for link in links:
        offset = link.start - start if document.text[start : start + len(text)] == text else -1
        reference, finding = _join(reference, link, offset)
        if finding is not None:
            findings.append(finding)
    return reference, findings


def entry_references(document: Document, unique: Callable[[str], str]) -> list[Reference]:
    """One reference per structured bibliography entry, id ``<document>#<key>``."""
    return [_entry_reference(document, entry, unique(f"{document.name}#{entry.key}")) for entry in document.entries]


def _entry_reference(document: Document, entry: BibEntry, identifier: str) -> Reference:
    found: list[FoundUrl] = []
    cursor = 0
    for url in entry.urls:
        at = entry.text.find(url, cursor)
        if at < 0:
            at = entry.text.find(url)
        position = max(at, 0)
        found.append(FoundUrl(url=url, raw=url, start=position, end=position + len(url)))
        if at >= 0:
            cursor = at + len(url)
    half = Half(
        lang=entry.lang,
        text=entry.text,
        authors=entry.authors,
        title=entry.title,
        outlet=entry.outlet,
        date=entry.date,
        urls=entry.urls,
        accessed=entry.accessed,
    )
    return Reference(
        id=identifier,
        document=document.name,
        text=entry.text,
        line=entry.line,
        halves=(half,),
        urls=entry.urls,
        found=tuple(found),
    )
