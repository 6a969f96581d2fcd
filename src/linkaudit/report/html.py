"""The HTML report: one self-contained page a reader can open anywhere, even offline or with scripts off.

Everything from documents and web pages is hostile until escaped: jinja2 autoescapes every value (the table's
rows, written here by ``Snippets``, escape each through ``escaped``), only http(s) URLs become links, and the data
the page script reads is JSON made safe inside ``<script>``. Charts are SVG drawn here, so the file needs nothing
from the network. The compiled template is kept in the user's cache directory (``CompiledTemplates``), never a
reason for a page to fail or differ.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from types import CodeType
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup, escape

from ..models import FindingKind, LinkReport, Reference, Repair, Report, RunSummary
from ..status import Status
from . import i18n
from .base import ReportError
from .summary import (
    Phrasing,
    Summary,
    archived_phrasings,
    chunked,
    cited_date,
    citing_langs,
    group_links,
    in_citing_order,
    link_host,
    safe_href,
    summarize,
    verdict,
)
from .translate import translations

FILE_NAME = "linkaudit.html"
MAX_DOMAIN_BARS = 12
MAX_CHECKS_SHOWN = 12

# Order of severity, worst first: sorting by status puts what needs attention on top.
SEVERITY: tuple[Status, ...] = (
    Status.DEAD,
    Status.CONTENT_DRIFT,
    Status.PARKED,
    Status.HOMEPAGE_REDIRECT,
    Status.SOFT_404,
    Status.DNS_ERROR,
    Status.TLS_ERROR,
    Status.CONNECTION_ERROR,
    Status.SERVER_ERROR,
    Status.TIMEOUT,
    Status.BLOCKED,
    Status.INVALID,
    Status.REDIRECTED,
    Status.SKIPPED,
    Status.OK,
)


def tone(status: Status) -> str:
    """The colour family of a status badge (always shown with its text, and a symbol drawn by the CSS)."""
    if status.is_broken:
        return "bad"
    if status.is_blocked:
        return "warn"
    if status is Status.REDIRECTED:
        return "info"
    if status.is_success:
        return "good"
    return "muted"


_TONES = {status: tone(status) for status in Status}  # ``tone`` of each status, looked up once a link


_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(value: Any) -> Markup:
    """JSON that cannot end its ``<script>`` element or open an HTML comment, wherever it is embedded."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_ESCAPES))


Texts = dict[str, str]  # one text per report language, for the page's language switch


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot leave its declaration or its ``<style>`` element."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,-_«»…" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


# The views are NamedTuples: as immutable as frozen dataclasses, made several times faster (a long table makes a
# LinkView and a RowView a row) and defined faster when the module loads.


class ArchiveView(NamedTuple):
    url: str
    href: str | None
    date: str | None  # ISO date of the capture
    verified: bool
    distance_days: int | None
    archive: str
    distance: Texts | None  # "2 days before it was cited", "captured 2 years 8 months after it was cited"
    far: bool  # more than a year from the cited date: the copy may show another version


class RepairView(NamedTuple):
    """The repairs made to one spelling of a link in the text: what they were, what the text said, what was
    checked when that differs from the link shown."""

    kinds: tuple[str, ...]  # Repair values
    texts: Texts  # the kinds in words, in each report language
    raw: str  # as the text wrote it, on one line (a line break shown as ⏎)
    checked: str | None  # the URL checked for this spelling, when it is not the link's own URL


class ReadingView(NamedTuple):
    """One reading of an ambiguous spelling; the one that answered (or the text's first) is ``chosen``."""

    url: str
    href: str | None
    chosen: bool


class LinkView(NamedTuple):
    url: str
    href: str | None
    host: str
    status: Status
    tone: str
    http_status: int | None
    final_url: str | None
    final_href: str | None
    redirects: tuple[tuple[str, str | None], ...]  # (url, href)
    detail: str
    details: Texts  # ``detail`` in each report language
    title: str | None
    title_match: bool | None
    cited_titles: tuple[str, ...]
    langs: tuple[str, ...]
    archive: ArchiveView | None
    phrasings: tuple[Phrasing, ...]  # how each citing half cites the archived copy (broken links only)
    first_broken_at: str | None
    last_ok_at: str | None
    broken_runs: int
    confirmed: bool
    suspect: bool
    checks: tuple[tuple[str, Status | None, str], ...]  # (checked_at, status, raw status text)
    checked_at: str
    saved: str | None
    saved_href: str | None
    has_details: bool
    repairs: tuple[RepairView, ...] = ()
    readings: tuple[ReadingView, ...] = ()


class SavedView(NamedTuple):
    """A link submitted to Save Page Now in this run, with its capture and the notes citing it."""

    url: str
    href: str | None
    status: Status
    capture: str
    capture_href: str | None
    references: tuple[tuple[str, str | None], ...]  # (label, anchor of its row or None)


class FindingView(NamedTuple):
    kind: str
    message: str
    url: str | None
    messages: Texts  # ``message`` in each report language


class HomepageLine(NamedTuple):
    """One line per document for its notes that cite only a home page (instead of one finding each)."""

    document: str
    texts: Texts
    references: tuple[tuple[str, str], ...]  # (label, anchor)


class RowView(NamedTuple):
    reference: Reference
    anchor: str  # the row's element id
    ibid_anchor: str | None  # the row of the note an "Ibid." repeats, when the report has it
    label: str
    document_label: str | None  # the document's name when several were audited
    date: str | None
    links: tuple[LinkView, ...]
    findings: tuple[FindingView, ...]
    statuses: str
    domains: str
    kinds: str
    langs: str
    sort_status: int
    broken: bool
    attention: bool  # broken, drifted or blocked: what the page opens on
    archived: bool
    homepage_only: bool


class Bar(NamedTuple):
    label: str
    value: int
    width: float


class YearColumn(NamedTuple):
    year: str
    total: int
    gone: int
    blocked: int
    live: int
    other: int
    share_gone: int  # percent


class TrendPoint(NamedTuple):
    run_id: int
    date: str | None
    time: str | None  # "10:05 UTC" when another run fell on the same day
    started_at: str
    links: int
    broken: int
    x: float
    y: float


_SWAPPED = {Repair.HYPHEN_KEPT: Repair.HYPHEN_DROPPED, Repair.HYPHEN_DROPPED: Repair.HYPHEN_KEPT}


def repair_views(item: LinkReport) -> tuple[RepairView, ...]:
    """The link's repairs grouped by the spelling they were made to (one line per spelling)."""
    by_raw: dict[tuple[str, str], list[str]] = {}
    # The repairs describe the text's first reading; when another reading answered, its hyphen was read the
    # other way round.
    swapped = bool(item.link.candidates) and item.link.url != item.link.candidates[0]
    for repair in item.link.repairs:
        kind = _SWAPPED.get(repair.kind, repair.kind) if swapped else repair.kind
        kinds = by_raw.setdefault((repair.raw, repair.url), [])
        if kind.value not in kinds:
            kinds.append(kind.value)
    views = []
    for (raw, url), kinds in by_raw.items():
        texts = {code: ", ".join(i18n.repair_label(kind, code) for kind in kinds) for code in i18n.LANGUAGES}
        checked = url if url not in (item.link.url, raw) and not item.link.candidates else None
        views.append(RepairView(kinds=tuple(kinds), texts=texts, raw=i18n.as_written(raw), checked=checked))
    return tuple(views)


def reading_views(item: LinkReport) -> tuple[ReadingView, ...]:
    """The readings of an ambiguous spelling, the one reported marked (none when the text was clear)."""
    if len(item.link.candidates) < 2:
        return ()
    return tuple(ReadingView(url=url, href=safe_href(url), chosen=url == item.link.url) for url in item.link.candidates)


def _link_view(item: LinkReport, reference: Reference, lang: str) -> LinkView:
    result, history, snapshot = item.result, item.history, item.archive
    archive = None
    if snapshot is not None:
        days = snapshot.distance_days
        archive = ArchiveView(
            url=snapshot.url,
            href=safe_href(snapshot.url),
            date=i18n.timestamp_date(snapshot.timestamp),
            verified=snapshot.verified,
            distance_days=days,
            archive=snapshot.archive,
            distance=None if days is None else {code: i18n.capture_distance(days, code) for code in i18n.LANGUAGES},
            far=i18n.is_far(days),
        )
    checks: list[tuple[str, Status | None, str]] = []
    if history is not None:
        for checked_at, status_text in history.checks[-MAX_CHECKS_SHOWN:]:
            try:
                status: Status | None = Status(status_text)
            except ValueError:
                status = None
            checks.append((checked_at, status, status_text))
    final_url = result.final_url if result.final_url and result.final_url != item.link.url else None
    langs = citing_langs(reference, item)
    phrasings: tuple[Phrasing, ...] = ()
    if snapshot is not None and result.status.is_broken:
        phrasings = archived_phrasings(snapshot, langs, lang)
    redirects = tuple((url, safe_href(url)) for url in result.redirects)
    confirmed = bool(history and history.confirmed and result.status.is_broken)
    return LinkView(
        url=item.link.url,
        href=safe_href(item.link.url),
        host=link_host(item),
        status=result.status,
        tone=_TONES[result.status],
        http_status=result.http_status,
        final_url=final_url,
        final_href=safe_href(final_url),
        redirects=redirects,
        detail=result.detail,
        details=translations(result.detail, i18n.LANGUAGES),
        title=result.title,
        title_match=result.title_match,
        cited_titles=item.link.cited_titles,
        langs=langs,
        archive=archive,
        phrasings=phrasings,
        first_broken_at=history.first_broken_at if history else None,
        last_ok_at=history.last_ok_at if history else None,
        broken_runs=history.broken_runs if history else 0,
        confirmed=confirmed,
        suspect=result.status.is_broken and not confirmed,
        checks=tuple(checks),
        checked_at=result.checked_at,
        saved=item.saved,
        saved_href=safe_href(item.saved),
        has_details=bool(redirects or final_url or history is not None or result.title),
        repairs=repair_views(item),
        readings=reading_views(item),
    )


def _reference_label(reference: Reference) -> str:
    if reference.number is None:
        return reference.id.rpartition("#")[2] or reference.id
    return f"{reference.list or ''}{reference.number}"


def qualified_label(reference: Reference, several: bool) -> str:
    """The note's number, naming its document when several documents are audited ("notes.txt A1")."""
    label = _reference_label(reference)
    return f"{reference.document} {label}" if several else label


class Named(NamedTuple):
    """What the page shows of a reference that a finding or a saved link names: its anchor and labels."""

    anchor: str
    label: str  # the note's number
    qualified: str  # the number with its document's name when several were audited
    document: str


class Survey(NamedTuple):
    """What the page needs from the references before their table, gathered in one reading of them: the
    references are read twice in all (this, then the table), and never held together."""

    cited: dict[str, list[LinkReport]]  # reference id -> its links, in the order it cites them
    languages: list[str]  # every half's language, sorted
    years: list[YearColumn]
    attention: bool  # a row needs attention (a broken or blocked link): the page offers that filter
    named: dict[str, Named]  # the references that findings and saved links name, by id
    ibid_targets: frozenset[str]  # every id an "Ibid." repeats
    ibid_later: dict[str, str]  # id -> anchor of an ibid target seen after the first note naming it


def survey(report: Report) -> Survey:
    cited = group_links(report.links)
    wanted = {finding.reference for finding in report.findings}
    wanted.update(reference_id for item in report.links if item.saved for reference_id in item.link.references)
    watched = {
        reference_id
        for item in report.links
        if item.result.status.is_broken or item.result.status.is_blocked
        for reference_id in item.link.references
    }
    several = len(report.documents) > 1
    languages: set[str] = set()
    tally: dict[str, Counter[str]] = {}
    unread = dict(cited)  # the ids no reference has yet: the links naming an id the report lacks are left
    attention = False
    named: dict[str, Named] = {}
    ibid_targets: set[str] = set()
    ibid_later: dict[str, str] = {}
    for index, reference in enumerate(report.references):
        identifier = reference.id
        for half in reference.halves:
            languages.add(half.lang)
        if reference.ibid_of:
            ibid_targets.add(reference.ibid_of)
        if identifier in ibid_targets:
            ibid_later[identifier] = f"ref-{index + 1}"
        if identifier in wanted:
            label = _reference_label(reference)
            named[identifier] = Named(
                anchor=f"ref-{index + 1}",
                label=label,
                qualified=qualified_label(reference, several),
                document=reference.document,
            )
        if not attention and identifier in watched:
            attention = True
        items = unread.pop(identifier, None)
        if items:
            in_citing_order(items, reference)
            for item in items:
                _count_year(tally, cited_date(reference, item) or item.link.cited_date, item)
    for items in unread.values():
        for item in items:
            _count_year(tally, item.link.cited_date, item)
    return Survey(
        cited=cited,
        languages=sorted(languages),
        years=_year_columns(tally),
        attention=attention,
        named=named,
        ibid_targets=frozenset(ibid_targets),
        ibid_later=ibid_later,
    )


def homepage_lines(report: Report, named: dict[str, Named]) -> list[HomepageLine]:
    """The ``homepage_only`` findings folded into one line per document."""
    by_document: dict[str, dict[tuple[str, str], None]] = {}  # each entry once, in order (not a list's scan)
    for finding in report.findings:
        reference = named.get(finding.reference)
        if finding.kind is not FindingKind.HOMEPAGE_ONLY or reference is None:
            continue
        by_document.setdefault(reference.document, {})[(reference.label, reference.anchor)] = None
    several = len(report.documents) > 1
    lines = []
    for document, entries in by_document.items():
        labels = [label for label, _ in entries]
        texts = {code: i18n.notes_cite_homepages_only(labels, code, shown=0) for code in i18n.LANGUAGES}
        if several:
            texts = {code: f"{document}: {text}" for code, text in texts.items()}
        lines.append(HomepageLine(document=document, texts=texts, references=tuple(entries)))
    return lines


def _rows(report: Report, lang: str, known: Survey) -> Iterator[RowView]:
    """The table's rows, made one at a time as the references are read (only the row being written is held)."""
    cited = known.cited
    findings: dict[str, list[FindingView]] = {}
    homepage_only: set[str] = set()
    for finding in report.findings:
        if finding.kind is FindingKind.HOMEPAGE_ONLY:
            homepage_only.add(finding.reference)  # one line per document instead, and a marker on the note
            continue
        findings.setdefault(finding.reference, []).append(
            FindingView(
                kind=finding.kind.value,
                message=finding.message,
                url=finding.url,
                messages=translations(finding.message, i18n.LANGUAGES),
            )
        )
    several = len(report.documents) > 1
    rank = {status: index for index, status in enumerate(SEVERITY)}
    ibid_before: dict[str, str] = {}  # id -> anchor of an ibid target, as the table passes it
    for index, reference in enumerate(report.references):
        anchor = f"ref-{index + 1}"
        if reference.id in known.ibid_targets:
            ibid_before[reference.id] = anchor
        ibid_anchor = None
        if reference.ibid_of:
            ibid_anchor = known.ibid_later.get(reference.ibid_of) or ibid_before.get(reference.ibid_of)
        links = tuple(_link_view(item, reference, lang) for item in cited.get(reference.id, ()))
        dates = sorted({half.date for half in reference.halves if half.date})
        statuses: dict[str, None] = {}
        domains: dict[str, None] = {}
        sort_status = len(SEVERITY)
        broken = attention = archived = False
        for link in links:  # the row's links in one pass (most rows have one)
            status = link.status
            statuses[status.value] = None
            if link.host:
                domains[link.host] = None
            sort_status = min(sort_status, rank[status])
            if status.is_broken:
                broken = attention = True
            elif status.is_blocked:
                attention = True
            if link.archive is not None:
                archived = True
        own = tuple(findings.get(reference.id, ()))
        yield RowView(
            reference=reference,
            anchor=anchor,
            ibid_anchor=ibid_anchor,
            label=_reference_label(reference),
            document_label=reference.document if several else None,
            date=dates[0] if dates else None,
            links=links,
            findings=own,
            statuses=" ".join(statuses),
            domains=" ".join(domains),
            kinds=" ".join(
                dict.fromkeys(
                    [finding.kind for finding in own] + (["homepage_only"] if reference.id in homepage_only else [])
                )
            ),
            langs=" ".join(dict.fromkeys(half.lang for half in reference.halves)),
            sort_status=sort_status,
            broken=broken,
            attention=attention,
            archived=archived,
            homepage_only=reference.id in homepage_only,
        )


def saved_views(report: Report, named: dict[str, Named]) -> list[SavedView]:
    views = []
    for item in report.links:
        if not item.saved:
            continue
        references = []
        for reference_id in item.link.references:
            reference = named.get(reference_id)
            references.append((reference.qualified, reference.anchor) if reference else (reference_id, None))
        views.append(
            SavedView(
                url=item.link.url,
                href=safe_href(item.link.url),
                status=item.result.status,
                capture=item.saved,
                capture_href=safe_href(item.saved),
                references=tuple(references),
            )
        )
    return views


def domain_bars(report: Report) -> list[Bar]:
    """Broken links per host, most first; the long tail folded into one bar."""
    counts = Counter(link_host(item) or "?" for item in report.links if item.result.status.is_broken)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    shown = ranked[:MAX_DOMAIN_BARS]
    rest = sum(count for _, count in ranked[MAX_DOMAIN_BARS:])
    highest = max((count for _, count in shown), default=1)
    bars = [Bar(label=host, value=count, width=count / highest) for host, count in shown]
    if rest:
        bars.append(Bar(label="", value=rest, width=min(1.0, rest / highest)))
    return bars


def year_columns(report: Report) -> list[YearColumn]:
    """Each citation (a link in a reference) by the year its note cites, split by what became of it."""
    return survey(report).years


def _count_year(tally: dict[str, Counter[str]], date: str | None, item: LinkReport) -> None:
    year = date[:4] if date and date[:4].isdigit() else ""
    status = item.result.status
    if status.is_broken:
        group = "gone"
    elif status.is_blocked:
        group = "blocked"
    elif status.is_success:
        group = "live"
    else:
        group = "other"
    tally.setdefault(year, Counter())[group] += 1


def _year_columns(tally: dict[str, Counter[str]]) -> list[YearColumn]:
    columns = []
    for year in sorted(tally, key=lambda value: (value == "", value)):
        counts = tally[year]
        total = sum(counts.values())
        columns.append(
            YearColumn(
                year=year,
                total=total,
                gone=counts["gone"],
                blocked=counts["blocked"],
                live=counts["live"],
                other=counts["other"],
                share_gone=round(100 * counts["gone"] / total) if total else 0,
            )
        )
    return columns


TREND_INSET = 28.0  # keeps the first and last points (and their labels) off the axes


def trend_points(report: Report, width: float = 440.0, height: float = 150.0) -> list[TrendPoint]:
    """The runs of the trend chart, left to right; a run that shares its day with another shows its time."""
    runs: tuple[RunSummary, ...] = report.trend
    if not runs:
        return []
    highest = max(max(run.broken for run in runs), 1)
    step = (width - 2 * TREND_INSET) / (len(runs) - 1) if len(runs) > 1 else 0.0
    days = Counter(i18n.datetime_date(run.started_at) for run in runs)
    return [
        TrendPoint(
            run_id=run.run_id,
            date=i18n.datetime_date(run.started_at),
            time=i18n.clock_time(run.started_at) if days[i18n.datetime_date(run.started_at)] > 1 else None,
            started_at=run.started_at,
            links=run.links,
            broken=run.broken,
            x=round(TREND_INSET + index * step if len(runs) > 1 else width / 2, 1),
            y=round(height - height * run.broken / highest, 1),
        )
        for index, run in enumerate(runs)
    ]


def escaped(value: object) -> str:
    """``str(markupsafe.escape(value))``, without a Markup object for a plain string: a row is many small pieces
    of text, joined and made Markup once (the same five characters replaced, in markupsafe's order)."""
    if type(value) is str:
        return (
            value.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    if type(value) is int:  # an HTTP status, a count: digits and a sign, nothing to escape
        return str(value)
    return str(escape(value))


MAX_DATES_HELD = 4096  # dates formatted once per page; the table's memory stays flat in its length


class Snippets:
    """The page's small repeated pieces of markup, each as the template's macros wrote it (every value escaped),
    bound to the report's language.

    The rows are written as plain strings (``escaped``) and made Markup once each: a long document's table has
    a few dozen pieces a link. The pieces that depend only on the language (labels, badges) are made once a page,
    the dates once per date (up to ``MAX_DATES_HELD``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._labels: dict[str, str] = {}
        self._terms: dict[tuple[str, str], str] = {}
        self._badges: dict[tuple[Status, str], str] = {}
        self._dates: dict[str, str] = {}

    def badge(self, status: Status, symbol_tone: str) -> Markup:
        return Markup(self._badge(status, symbol_tone))

    def _badge(self, status: Status, symbol_tone: str) -> str:
        text = self._badges.get((status, symbol_tone))
        if text is None:
            text = self._badges[(status, symbol_tone)] = (
                f'<span class="badge {escaped(symbol_tone)}" data-i18n-status="{escaped(status.value)}">'
                f"{escaped(i18n.status_label(status, self.lang))}</span>"
            )
        return text

    def date(self, value: str | None) -> Markup:
        return Markup(self._date(value))

    def _date(self, value: str | None) -> str:
        if not value:
            return ""
        text = self._dates.get(value)
        if text is None:
            if len(self._dates) >= MAX_DATES_HELD:
                self._dates.clear()
            text = self._dates[value] = (
                f'<time datetime="{escaped(value)}">{escaped(i18n.format_date(value, self.lang))}</time>'
            )
        return text

    def tr(self, texts: Texts, tag: str = "span", class_: str = "") -> Markup:
        """Text in the report's language; the other languages' texts, where they differ, ride in data-<code>
        for the switch."""
        return Markup(self._tr(texts, tag, class_))

    def _tr(self, texts: Texts, tag: str = "span", class_: str = "") -> str:
        shown = texts[self.lang]
        tag = escaped(tag)
        parts = [f"<{tag}"]
        if class_:
            parts.append(f' class="{escaped(class_)}"')
        others = [(code, text) for code, text in texts.items() if code != self.lang and text != shown]
        if others:
            parts.append(" data-tr")
            parts.extend(f' data-{escaped(code)}="{escaped(text)}"' for code, text in others)
        parts.append(f">{escaped(shown)}</{tag}>")
        return "".join(parts)

    @staticmethod
    def url_link(url: str, href: str | None) -> Markup:
        return Markup(_url_link(url, href))

    def t(self, key: str) -> Markup:
        return Markup(self._label(key))

    def _label(self, key: str) -> str:
        text = self._labels.get(key)
        if text is None:
            text = self._labels[key] = escaped(i18n.label(key, self.lang))
        return text

    def term(self, key: str, tag: str = "span") -> Markup:
        """A label the page's language switch rewrites: ``<span data-i18n="key">Label</span>``."""
        return Markup(self._term(key, tag))

    def _term(self, key: str, tag: str = "span") -> str:
        text = self._terms.get((key, tag))
        if text is None:
            text = self._terms[(key, tag)] = f'<{tag} data-i18n="{key}">{self._label(key)}</{tag}>'
        return text

    def row_block(self, row: RowView) -> Markup:
        """One row of the references table (a note, its links and its findings), as the template wrote it."""
        t, e, term = self._label, escaped, self._term
        reference = row.reference
        out = [f'<tr id="{e(row.anchor)}" data-status="{e(row.statuses)}"']
        if row.broken:
            out.append(' data-broken="1"')
        if row.attention:
            out.append(' data-attention="1"')
        if row.archived:
            out.append(' data-archived="1"')
        out.append(f' data-domain="{e(row.domains)}"')
        if row.kinds:
            out.append(f' data-kind="{e(row.kinds)}"')
        out.append(f' data-lang="{e(row.langs)}"')
        if row.date:
            out.append(f' data-date="{e(row.date)}"')
        out.append(f' data-severity="{e(row.sort_status)}"')
        if row.findings:
            out.append(f' data-findings="{len(row.findings)}"')
        out.append(f'>\n<th scope="row" class="cell-number"><span class="ref-label">{e(row.label)}</span>')
        if row.document_label:
            out.append(f'<span class="doc">{e(row.document_label)}</span>')
        out.append(f"</th>\n<td>{self._date(row.date)}</td>\n<td>\n")
        if reference.ibid_of:
            out.append(f'<p class="ibid">{term("ibid")} → ')
            if row.ibid_anchor:
                out.append(f'<a href="#{e(row.ibid_anchor)}">{e(reference.ibid_of.rpartition("#")[2])}</a>')
            else:
                out.append(e(reference.ibid_of))
            out.append("</p>")
        if reference.halves:
            out.append('<div class="halves">')
            out.extend(
                f'<div class="half" lang="{e(half.lang)}"><span class="lang-tag">{e(half.lang.upper())}</span> '
                f"{e(half.text)}</div>"
                for half in reference.halves
            )
            out.append("</div>\n")
        else:
            out.append(f'<div class="halves"><div class="half">{e(reference.text)}</div></div>\n')
        out.append("</td>\n<td>\n")
        if row.links:
            out.extend(f"{self._link_block(link)}\n" for link in row.links)
        else:
            out.append(f'<span class="muted" data-i18n="no_links">{t("no_links")}</span>\n')
        out.append("</td>\n<td>\n")
        if row.homepage_only:
            out.append(
                '<p class="homepage-flag"><span aria-hidden="true">⌂</span> '
                f'{term("homepage_marker")}</p>'
            )
        if row.findings:
            out.append('<ul class="findings">')
            out.extend(
                f'<li><span class="kind" data-i18n-finding="{e(finding.kind)}">'
                f"{e(i18n.finding_label(finding.kind, self.lang))}</span> "
                f"{self._tr(finding.messages, 'span', 'message')}</li>"
                for finding in row.findings
            )
            out.append("</ul>")
        out.append("</td>\n</tr>")
        return Markup("".join(out))

    def link_block(self, link: LinkView) -> Markup:
        """One link of a row: its status, URL, detail, repairs, readings, archived copy and details. Written
        here, not in the template, because a long document's table has one per link (the same markup)."""
        return Markup(self._link_block(link))

    def _link_block(self, link: LinkView) -> str:
        t, e, term, url_link, date, tr = self._label, escaped, self._term, _url_link, self._date, self._tr
        out = [f'<div class="link link-{e(link.tone)}">\n<div class="link-head">{self._badge(link.status, link.tone)}']
        if link.http_status:
            out.append(f' <span class="http">{e(link.http_status)}</span>')
        if link.confirmed:
            out.append(f' <span class="flag flag-bad" data-i18n="confirmed">{t("confirmed")}</span>')
        elif link.suspect and link.checks:
            out.append(f' <span class="flag" data-i18n="suspect">{t("suspect")}</span>')
        if link.langs and not link.phrasings:
            out.append(f' <span class="langs">{e(" ".join(link.langs).upper())}</span>')
        out.append(f"</div>\n{url_link(link.url, link.href)}\n")
        if link.detail:
            out.append(tr(link.details, "p", "detail"))
        for repair in link.repairs:
            out.append(
                f'<p class="repair" data-repairs="{e(" ".join(repair.kinds))}"><span aria-hidden="true">✎</span> '
                f'{term("repaired")}: {tr(repair.texts, "span", "repair-kinds")} — '
                f'{term("text_said")} <code class="as-written">{e(repair.raw)}</code>'
            )
            if repair.checked:
                out.append(f'; {term("checked_as")} <code>{e(repair.checked)}</code>')
            out.append("</p>\n")
        if link.readings:
            out.append(f'<div class="readings">{term("readings")}:<ul>')
            for reading in link.readings:
                if reading.chosen:
                    out.append(
                        '<li class="reading-chosen"><span aria-hidden="true">✓</span> '
                        f"{url_link(reading.url, reading.href)}"
                        f' <span class="chosen-mark" data-i18n="reading_chosen">{t("reading_chosen")}</span></li>'
                    )
                else:
                    out.append(f"<li>{url_link(reading.url, reading.href)}</li>")
            out.append("</ul></div>")
        if link.title_match is False and link.status.value != "content_drift":
            out.append(
                '<p class="drift"><span aria-hidden="true">⚠</span> '
                f'{term("title_unmatched")}'
            )
            if link.title:
                out.append(f": <q>{e(link.title)}</q>")
            out.append("</p>")
        archive = link.archive
        if archive:
            out.append(
                f'<p class="archive{" archive-far" if archive.far else ""}">'
                f'{term("archive")}: '
            )
            if archive.href:
                out.append(f'<a href="{e(archive.href)}">{date(archive.date)}</a>')
            else:
                out.append(date(archive.date))
            shade = "far-text" if archive.far else ("ok-text" if archive.verified else "muted")
            word = "verified" if archive.verified else "unverified"
            out.append(f' <span class="{shade}" data-i18n="{word}">{t(word)}</span>')
            if archive.distance:
                out.append(" " + tr(archive.distance, "span", "distance far-text" if archive.far else "distance muted"))
            out.append("</p>\n")
        elif link.status.is_broken:
            out.append(f'<p class="archive muted" data-i18n="no_archive">{t("no_archive")}</p>')
        if link.phrasings:
            out.append('<div class="fix-text"><ul class="phrasings">')
            out.extend(
                f'<li lang="{e(phrasing.lang)}" data-half="{e(phrasing.half_lang.upper())}">{e(phrasing.text)}</li>'
                for phrasing in link.phrasings
            )
            out.append("</ul></div>")
        if link.saved:
            out.append(
                f'<p class="archive">{term("saved")}: '
                f"{url_link(link.saved, link.saved_href)}</p>"
            )
        if link.has_details:
            out.append(f'<details><summary data-i18n="details">{t("details")}</summary>\n<dl>\n')
            if link.final_url:
                out.append(
                    f'{term("final_url", "dt")}'
                    f"<dd>{url_link(link.final_url, link.final_href)}</dd>"
                )
            if link.title:
                out.append(f'{term("title_now", "dt")}<dd>{e(link.title)}</dd>')
            if link.cited_titles:
                out.append(
                    f'{term("cited_title", "dt")}<dd>{e(" / ".join(link.cited_titles))}</dd>'
                )
            if link.redirects:
                out.append(f'{term("redirects", "dt")}<dd><ol class="chain">')
                out.extend(f"<li>{url_link(url, href)}</li>" for url, href in link.redirects)
                out.append("</ol></dd>")
            if link.first_broken_at:
                out.append(
                    f'{term("first_broken", "dt")}'
                    f"<dd>{date(i18n.datetime_date(link.first_broken_at))}</dd>"
                )
            if link.last_ok_at:
                out.append(
                    f'{term("last_ok", "dt")}<dd>{date(i18n.datetime_date(link.last_ok_at))}</dd>'
                )
            if link.broken_runs:
                out.append(f'{term("broken_runs", "dt")}<dd>{e(link.broken_runs)}</dd>')
            if link.checks:
                out.append(f'{term("history", "dt")}<dd><ol class="checks">')
                for checked_at, status, raw in link.checks:
                    shown = self._badge(status, _TONES[status]) if status else e(raw)
                    out.append(f"<li>{date(i18n.datetime_date(checked_at))} {shown}</li>")
                out.append("</ol></dd>")
            out.append("</dl>\n</details>\n")
        out.append("</div>")
        return "".join(out)


def _url_link(url: str, href: str | None) -> str:
    if href:
        return f'<a class="url" href="{escaped(href)}">{escaped(url)}</a>'
    return f'<span class="url inert">{escaped(url)}</span>'


CACHE_FORMAT = 1  # raised when what a cache file holds changes


class CompiledTemplates(jinja2.BytecodeCache):
    """The compiled templates kept between runs, one file per template in ``directory``, so a run does not
    compile them again (~40 ms).

    Never a reason for a report to fail or differ: a file that cannot be read or written is as good as none; a
    file is checked against a SHA-256 of its contents and must hold code, else the template is compiled; jinja2
    checks the template's source against the one the code was compiled from; the name of the file depends on
    jinja2's version, Python's and the environment's options. A file is written beside its target and moved over
    it, so a reader (another run writing the same template at the same time) sees one whole file or the other.
    """

    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.salt}\0{name}\0{filename}".encode()).hexdigest()

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.directory / f"{bucket.key}.bin"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        digest, payload = data[:32], data[32:]
        if not payload or hashlib.sha256(payload).digest() != digest:
            return
        try:
            bucket.bytecode_from_string(payload)
        except Exception:  # noqa: BLE001 - whatever a damaged file raises, the template is compiled instead
            bucket.reset()
        if not isinstance(bucket.code, CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = bucket.bytecode_to_string()
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.directory):
                return
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{bucket.key}.", suffix=".tmp")
        except OSError:
            return  # a read-only or missing home: the next run compiles the template again
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, self._path(bucket))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _private(directory: Path) -> bool:
    """Whether only this user can write in ``directory`` (code is read from it)."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's own profile folder
    try:
        status = directory.stat()
    except OSError:
        return False
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def cache_directory() -> Path | None:
    """Where the compiled templates are kept: the user's cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``;
    ``%LOCALAPPDATA%`` on Windows, ``~/Library/Caches`` on macOS), None without a home."""
    try:
        if os.name == "nt":
            local = os.environ.get("LOCALAPPDATA")
            root = Path(local) if local else Path.home() / "AppData" / "Local"
        elif sys.platform == "darwin":
            root = Path.home() / "Library" / "Caches"
        else:
            xdg = os.environ.get("XDG_CACHE_HOME")
            root = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory to be found
        return None
    return root / "linkaudit" / "templates"


_COMPILED_WITH = (  # the settings of an environment that its compiled code depends on
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "autoescape",
    "optimized",
    "finalize",
    "is_async",
    "undefined",
)


def compiled_templates(environment: jinja2.Environment, directory: Path | None = None) -> CompiledTemplates | None:
    """The cache of ``environment``'s compiled templates in ``directory`` (default ``cache_directory()``); None
    when there is no such place, another user could write in it, or jinja2 does not say its version."""
    directory = directory or cache_directory()
    version = vars(jinja2).get("__version__")
    if directory is None or not isinstance(version, str) or (directory.exists() and not _private(directory)):
        return None
    settings = [repr(getattr(environment, name)) for name in _COMPILED_WITH]
    settings.append(repr(sorted(environment.extensions)))
    salt = "\0".join([str(CACHE_FORMAT), version, sys.version, *settings])
    return CompiledTemplates(directory, salt)


def _environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=loader or jinja2.PackageLoader("linkaudit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["format_date"] = i18n.format_date
    environment.globals["format_datetime"] = i18n.format_datetime
    environment.globals["datetime_date"] = i18n.datetime_date
    environment.globals["tone"] = tone
    environment.globals["translations"] = lambda text: translations(text, i18n.LANGUAGES)
    environment.globals["texts"] = lambda key: {code: i18n.label(key, code) for code in i18n.LANGUAGES}
    return environment


_ENVIRONMENT: jinja2.Environment | None = None


def _template() -> jinja2.Template:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _environment()
        _ENVIRONMENT.bytecode_cache = compiled_templates(_ENVIRONMENT)
    return _ENVIRONMENT.get_template("report.html.j2")


@functools.cache
def page_script() -> tuple[Markup, str]:
    """The page's one script and its CSP hash: no other script (an injected one included) may run."""
    text = (resources.files("linkaudit.report") / "templates" / "report.js").read_text(encoding="utf-8")
    if "</script" in text.lower() or "<!--" in text:
        raise ReportError("report.js must not contain '</script' or '<!--' (they would break its element)")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"sha256-{digest}"


def render(report: Report) -> str:
    return "".join(_pieces(report))


def chunks(report: Report) -> Iterator[str]:
    """The same text as ``render``, in pieces written as the table's rows are made: the page of a long document
    is never held whole, nor are its rows."""
    return chunked(_pieces(report))


def _pieces(report: Report) -> Iterator[str]:
    lang = i18n.language(report.lang)
    summary: Summary = summarize(report)
    known = survey(report)
    present_set = {item.result.status for item in report.links}
    present = [status for status in SEVERITY if status in present_set]
    kinds = list(dict.fromkeys(finding.kind.value for finding in report.findings))
    domains = sorted({host for item in report.links if (host := link_host(item))})

    def label(key: str) -> str:
        return i18n.label(key, lang)

    script, script_hash = page_script()
    snippets = Snippets(lang)

    return _template().generate(
        badge=snippets.badge,
        date=snippets.date,
        tr=snippets.tr,
        url_link=snippets.url_link,
        row_block=snippets.row_block,
        report=report,
        lang=lang,
        summary=summary,
        verdicts={code: verdict(summary, code, offline=report.offline) for code in i18n.LANGUAGES},
        rows=_rows(report, lang, known),
        present_statuses=present,
        finding_kinds=kinds,
        domains=domains,
        languages=known.languages,
        domain_bars=domain_bars(report),
        year_columns=known.years,
        trend=trend_points(report),
        t=label,
        status_label=lambda status: i18n.status_label(status, lang),
        finding_label=lambda kind: i18n.finding_label(kind, lang),
        language_name=lambda code: i18n.language_name(code, lang),
        catalog=script_json({code: i18n.catalog(code) for code in i18n.LANGUAGES}),
        languages_offered=i18n.LANGUAGES,
        saved=saved_views(report, known.named),
        homepage_lines=homepage_lines(report, known.named),
        attention=known.attention,
        fix_label=Markup(css_string(label("fix_inserts"))),
        title_unmatched=sum(
            1 for item in report.links if item.result.title_match is False and item.result.status.is_success
        ),
        orphan_findings=[
            (finding, translations(finding.message, i18n.LANGUAGES))
            for finding in report.findings
            if finding.reference not in known.named
        ],
        script=script,
        script_hash=script_hash,
    )


class HtmlReporter:
    file_name = FILE_NAME
    encoding = "utf-8"

    def render(self, report: Report) -> str:
        return render(report)

    def chunks(self, report: Report) -> Iterator[str]:
        return chunks(report)
