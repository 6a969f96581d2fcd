"""The typed values that flow between the pipeline stages.

    Document -> Reference(halves, FoundUrl) -> Link -> Page -> CheckResult -> Snapshot -> LinkReport -> Report

All are frozen dataclasses; collections are tuples so values can be shared between tasks safely.
Dates are ISO-8601 strings (``YYYY-MM-DD``, or ``YYYY`` / ``YYYY-MM`` when the citation is that coarse);
times are ISO-8601 UTC strings with a ``Z`` suffix.
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any, TypeVar

from .status import Status

_T = TypeVar("_T")


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle a frozen slotted dataclass as its constructor's arguments: the default state methods that
    dataclasses give slotted classes look up ``fields()`` for every object, which made reading back a spilled
    list of 100,000 references twice as slow."""
    getter: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*(item.name for item in fields(cls)))  # type: ignore[arg-type]

    def __reduce__(self: _T) -> tuple[type[_T], tuple[Any, ...]]:
        return (type(self), getter(self))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


class DocumentKind(str, Enum):
    """How a document's text is laid out for the references stage (PDF, Word and bibliographies read as text)."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Hyperlink:
    """A clickable link a reader found beside the text: a PDF /URI annotation, a Word hyperlink or field code,
    an ODT ``text:a``, a Markdown/HTML link. ``start``/``end`` locate the text under it in ``Document.text``."""

    target: str
    start: int
    end: int
    text: str  # the text shown under the link
    source: str  # "pdf-annotation", "docx-hyperlink", "field-code", "odt-link", "markdown-link", "html-link"
    page: int | None = None  # 1-based page (PDF)


@dataclass(frozen=True)
class BibEntry:
    """One entry of a structured bibliography (BibTeX, CSL-JSON, RIS), already split into fields."""

    key: str  # citation key / id
    text: str  # the entry rendered as a reference line (it is also in ``Document.text`` at ``start``)
    start: int
    line: int
    urls: tuple[str, ...] = ()
    lang: str = "en"
    authors: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    accessed: str | None = None


@dataclass(frozen=True)
class Document:
    """One input, decoded. ``name`` is how reports refer to it (a path as given, or ``<stdin>``)."""

    name: str
    kind: DocumentKind
    text: str
    encoding: str
    path: str | None = None  # filesystem path when read from a file (None for stdin)
    reader: str = "text"  # which reader made it: text, markdown, html, pdf, docx, odt, bibtex, csl-json, ris
    pages: tuple[int, ...] = ()  # offset in ``text`` where each page starts (PDF), page 1 first
    links: tuple[Hyperlink, ...] = ()  # link targets found beside the text
    entries: tuple[BibEntry, ...] = ()  # a structured bibliography's entries (then they are the references)
    remarks: tuple[str, ...] = ()  # what the reader set aside, one line each (a watermark link, a bad entry)

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding ``offset`` (None when the document has no pages)."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, offset))


class FindingKind(str, Enum):
    GLUED_URLS = "glued_urls"
    SCHEME_ADDED = "scheme_added"
    URL_ONLY_IN_ONE_HALF = "url_only_in_one_half"
    URLS_DIFFER_BETWEEN_HALVES = "urls_differ_between_halves"
    DATES_DIFFER_BETWEEN_HALVES = "dates_differ_between_halves"
    HOMEPAGE_ONLY = "homepage_only"
    IBID_UNRESOLVED = "ibid_unresolved"
    LISTS_DISAGREE = "lists_disagree"
    MARKER_WITHOUT_NOTE = "marker_without_note"
    NOTE_WITHOUT_MARKER = "note_without_marker"
    LINK_TEXT_DIFFERS = "link_text_differs"  # a hyperlink shows one URL and leads to another
    DOIS_DIFFER_BETWEEN_HALVES = "dois_differ_between_halves"
    URL_AND_DOI_DIFFER = "url_and_doi_differ"  # after the check: the DOI and a cited URL reach different places

    def __str__(self) -> str:
        return self.value


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # slots: one per note, 100,000 in a long list
class Finding:
    """Something wrong with a reference, in one sentence: what is wrong and what to do."""

    kind: FindingKind
    reference: str  # Reference.id
    message: str
    url: str | None = None


class Repair(str, Enum):
    """A change made to a URL as written so that it can be fetched."""

    GLUED = "glued_urls"  # split from a URL or word glued before it
    SCHEME_ADDED = "scheme_added"
    TRAILING_PUNCTUATION = "trailing_punctuation"
    WHITESPACE = "whitespace"  # non-breaking/inner spaces, `https:   //`
    HYPHEN_WRAP = "hyphen_wrap"  # rejoined over a line break
    HYPHEN_KEPT = "hyphen_kept"  # a hyphen at a line end read as the URL's own (``teoria-`` / ``practica.ru``)
    HYPHEN_DROPPED = "hyphen_dropped"  # a hyphen at a line end read as the typesetter's (``infor-`` / ``mation``)
    PAGE_BREAK = "page_break"  # rejoined over a page break, its running title / page number / stamp skipped
    EN_DASH = "en_dash"  # an en dash (–) inside the URL read as the hyphen it stands for
    DOI = "doi"  # ``doi:10.…`` / ``dx.doi.org`` written as the canonical ``https://doi.org/<DOI>``
    ANNOTATION = "annotation"  # repaired from the document's own link target (a PDF /URI annotation)

    def __str__(self) -> str:
        return self.value


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # slots: one per note, 100,000 in a long list
class FoundUrl:
    """A URL found in text: as written (``raw``) and as repaired (``url``)."""

    url: str
    raw: str
    start: int  # offset of ``raw`` in the text it was found in
    end: int
    repairs: tuple[Repair, ...] = ()
    # Every reading the text allows when it cannot decide (``url`` first, e.g. a line-end hyphen kept, then
    # dropped): each is checked and the one that answers is the cited URL. Empty when the text is clear.
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkRepair:
    """One repair behind a link, for the report: what the text said, what kind of repair, what was checked."""

    kind: Repair
    raw: str
    url: str


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # slots: one per note, 100,000 in a long list
class Half:
    """One language half of a note: the original (e.g. ``ru``) or its translation (``en``)."""

    lang: str
    text: str
    authors: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    urls: tuple[str, ...] = ()
    accessed: str | None = None  # access date ("дата обращения", "accessed"), not the publication date
    number: str | None = None  # the note's number in this half's own list, when a translated list numbers it apart


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # slots: one per note, 100,000 in a long list
class Reference:
    """One note / bibliography entry (or, outside any list, a paragraph carrying URLs)."""

    id: str  # "<document>#<list><number>", e.g. "notes.txt#B2"
    document: str
    text: str
    line: int  # 1-based line of the reference's start in the document
    list: str | None = None  # "A", "B", … in reading order
    number: str | None = None
    ibid_of: str | None = None  # id of the reference an "Ibid." repeats
    halves: tuple[Half, ...] = ()
    urls: tuple[str, ...] = ()  # repaired URLs in order of appearance, unique
    found: tuple[FoundUrl, ...] = ()  # every URL occurrence with its repairs
    page: int | None = None  # 1-based page where the reference starts (PDF)

    def cited_date(self, url: str) -> str | None:
        """The date of the half that cites ``url`` (the original half first), else any half's date."""
        for half in self.halves:
            if url in half.urls and half.date:
                return half.date
        for half in self.halves:
            if half.date:
                return half.date
        return None

    def titles(self) -> tuple[str, ...]:
        return tuple(h.title for h in self.halves if h.title)


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    references: Sequence[Reference]  # a tuple, or for a long document a ``spill.Spilled`` read back as iterated
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A unique normalized URL and everything that cites it."""

    url: str  # as repaired, first form seen
    normalized: str  # scheme/host lowercased, IDN in punycode, path percent-encoded, default port dropped
    references: tuple[str, ...]  # Reference ids
    cited_date: str | None = None  # earliest date among the citing halves
    cited_titles: tuple[str, ...] = ()  # titles of the citing halves (for title_match)
    host: str = ""  # normalized host (lowercase, punycode) used for per-host limits and shards
    repairs: tuple[LinkRepair, ...] = ()  # how the text's spellings of this URL were repaired, one per spelling
    # Readings of an ambiguous spelling (this URL among them), each checked; ``links.choose_candidates`` keeps
    # the one that answers and says so.
    candidates: tuple[str, ...] = ()
    candidate_of: str | None = None  # for an extra reading: the normalized URL of the link it may replace


TEXT_TYPES = frozenset({"application/xhtml+xml", "application/xml", "application/json"})


def is_text_type(content_type: str | None) -> bool:
    """Whether a body of this media type is text that is read and judged (HTML, XML, JSON, plain), not a PDF
    or an image. The one rule for both the fetch (read the body or not) and the verdict (judge its words or
    not): a body never read is never judged as an empty page. No type at all counts as text."""
    if content_type is None:
        return True
    mime = content_type.partition(";")[0].strip().lower()
    return not mime or mime.startswith("text/") or mime in TEXT_TYPES or mime.endswith("+xml")


@dataclass(frozen=True, slots=True)
class Page:
    """What one fetch brought back, after redirects, decoded in its real charset."""

    url: str
    final_url: str
    http_status: int
    redirects: tuple[str, ...] = ()  # every URL after the first, in order, ending at final_url
    content_type: str | None = None
    charset: str | None = None
    text: str = ""  # decoded body (possibly truncated at the size cap)
    title: str | None = None
    truncated: bool = False
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one link."""

    url: str
    normalized: str
    status: Status
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    detail: str = ""
    title: str | None = None
    title_match: bool | None = None
    attempts: int = 0
    checked_at: str = ""
    elapsed_ms: int | None = None
    from_cache: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An archived copy of a URL."""

    url: str  # replay URL a reader follows
    timestamp: str  # 14-digit YYYYMMDDhhmmss
    original: str  # the URL as the archive holds it
    archive: str  # "wayback" or the Memento TimeGate base URL
    verified: bool = False
    distance_days: int | None = None  # snapshot date minus cited date (negative: before)
    detail: str = ""
    raw_url: str | None = None  # the unmodified capture (Wayback ``id_``), used for verification


@dataclass(frozen=True, slots=True)
class History:
    """What earlier runs said of a link (from the store)."""

    first_broken_at: str | None = None
    last_ok_at: str | None = None
    broken_runs: int = 0
    confirmed: bool = False
    checks: tuple[tuple[str, str], ...] = ()  # recent (checked_at, status), oldest first


@dataclass(frozen=True, slots=True)
class LinkReport:
    link: Link
    result: CheckResult
    archive: Snapshot | None = None
    history: History | None = None
    saved: str | None = None  # Save Page Now capture URL, when --save submitted it


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One earlier run, for the trend chart."""

    run_id: int
    started_at: str
    links: int
    broken: int


@dataclass(frozen=True)
class Report:
    generated_at: str
    tool_version: str
    documents: tuple[str, ...]
    references: Sequence[Reference]  # a tuple, or for long documents a ``spill`` sequence (iterate, don't copy)
    links: Sequence[LinkReport]  # a tuple, or for a long run a sequence that makes each record as it is read
    findings: tuple[Finding, ...]
    trend: tuple[RunSummary, ...] = ()
    offline: bool = False
    lang: str = "en"
    shard: str | None = None
    notes: tuple[str, ...] = field(default=())  # run-level remarks (archive pass time-boxed, …)
    simulated: bool = False  # made by `linkaudit demo` against the simulated web (reports show a banner)
    archive_asked: bool = True  # False with --no-archive: no archived copy was looked for (summaries say so)
