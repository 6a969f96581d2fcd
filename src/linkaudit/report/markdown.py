"""The Markdown report: what a person reads in a pull request or in ``$GITHUB_STEP_SUMMARY``.

It leads with what needs doing (broken links and their archived replacements) and stays short: tables are
capped, and every cell is escaped, since titles and details come from web pages nobody controls.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from ..models import FindingKind, Half, LinkReport, Reference, Report
from ..status import Status
from .i18n import (
    as_written,
    capture_distance,
    finding_label,
    format_date,
    is_far,
    label,
    notes_cite_homepages_only,
    repair_label,
    status_label,
    timestamp_date,
)
from .summary import (
    archived_phrasings,
    chunked,
    group_links,
    in_citing_order,
    is_confirmed,
    report_langs,
    safe_href,
    summarize,
)
from .translate import translate

FILE_NAME = "linkaudit.md"
MAX_ROWS = 200  # per table: GitHub caps a step summary at 1 MiB
MAX_CELL = 300  # characters of free text in one cell
MAX_HALF = 160  # characters of a note's half shown beside its translation
LINE_BREAK = "<br>"  # the one piece of HTML a cell holds: GitHub renders it, and nothing else gets through

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def escape(text: str | None, limit: int = MAX_CELL) -> str:
    """Text made inert inside a Markdown table cell: no markup, no HTML, no line breaks, no `|`."""
    if not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    flat = "".join(_HTML.get(character, character) for character in flat)
    return _SPECIAL.sub(r"\\\1", flat)


def link(url: str | None, text: str | None = None) -> str:
    """A Markdown link when ``url`` is http(s), otherwise the escaped text alone (never ``javascript:``)."""
    if not url:
        return ""
    shown = escape(text if text is not None else url)
    href = safe_href(url)
    if href is None:
        return shown
    target = "".join(character if character not in "()<> |\\\"'" else f"%{ord(character):02X}" for character in href)
    return f"[{shown}]({target})"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], lang: str, total: int | None = None) -> list[str]:
    """A table of the first ``MAX_ROWS`` rows (only those are made: ``rows`` may be lazy), and how many more of
    ``total`` (by default, the number of rows) there are."""
    lines = [
        "| " + " | ".join(escape(header) for header in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    if total is None:
        rows = list(rows)
        total = len(rows)
    lines.extend("| " + " | ".join(row) + " |" for row in islice(rows, MAX_ROWS))
    if total > MAX_ROWS:
        lines.append("")
        lines.append(escape(label("and_more", lang).format(count=total - MAX_ROWS)))
    return lines


def _archive_cell(item: LinkReport, report: Report, references: Mapping[str, Reference]) -> str:
    """The archived copy's date as a link, then how each citing half would cite it, in its own language."""
    lang = report.lang
    snapshot = item.archive
    if snapshot is None:
        return escape(label("no_archive", lang))
    when = format_date(timestamp_date(snapshot.timestamp), lang) or snapshot.timestamp
    lines = [link(snapshot.url, when)]
    if not snapshot.verified:
        lines[0] += f" ({escape(label('unverified', lang))})"
    if snapshot.distance_days is not None:
        distance = escape(capture_distance(snapshot.distance_days, lang))
        lines[0] += f" — ⚠ {distance}" if is_far(snapshot.distance_days) else f" — {distance}"
    phrasings = archived_phrasings(snapshot, report_langs(references, item), lang)
    lines += [f"{escape(phrasing.half_lang.upper())}: {escape(phrasing.text)}" for phrasing in phrasings]
    return LINE_BREAK.join(lines)


def _references_cell(item: LinkReport) -> str:
    return ", ".join(escape(reference) for reference in item.link.references)


def _status_cell(item: LinkReport, lang: str) -> str:
    text = escape(status_label(item.result.status, lang))
    if is_confirmed(item):
        text += f" ({escape(label('confirmed', lang))})"
    return text


def render(report: Report) -> str:
    return "\n".join(_lines(report)) + "\n"


def chunks(report: Report) -> Iterator[str]:
    """The same text as ``render``, in pieces (the file is small: its tables are capped)."""
    return chunked(f"{line}\n" for line in _lines(report))


def _lines(report: Report) -> list[str]:
    """The report's lines. The references are read once, whatever their number."""
    lang = report.lang
    summary = summarize(report)
    lines = [f"# {escape(label('title', lang))}", "", escape(summary.verdict, limit=1000), ""]
    lines += _table(
        [label(key, lang) for key in ("references", "links", "broken", "blocked", "archived", "findings")],
        [
            [
                str(value)
                for value in (
                    summary.references,
                    summary.links,
                    summary.broken,
                    summary.blocked,
                    summary.archived,
                    summary.findings,
                )
            ]
        ],
        lang,
    )
    counted = [f"{escape(status_label(status, lang))}: {count}" for status, count in summary.by_status if count]
    if counted:
        lines += ["", f"{escape(label('status_counts', lang))}: " + " · ".join(counted)]
    if report.offline:
        lines += ["", f"> {escape(label('offline', lang))}"]
    if report.simulated:
        lines += ["", f"> {escape(label('simulated', lang))} {escape(label('simulated_history', lang))}"]

    broken = [item for item in report.links if item.result.status.is_broken]
    # The references are read once, and only those a table shows are kept: the notes citing a broken link
    # (the first MAX_ROWS of them), and those the broken links' archive cells and the findings name.
    wanted = {reference_id for item in broken[:MAX_ROWS] for reference_id in item.link.references}
    wanted.update(finding.reference for finding in report.findings if finding.kind is FindingKind.HOMEPAGE_ONLY)
    survey = _survey(report.references, group_links(broken), wanted)
    references = survey.named
    lines += ["", f"## {escape(label('broken', lang))} ({len(broken)})", ""]
    if broken:
        lines += _table(
            [label(key, lang) for key in ("status", "url", "cited_by", "archive_replacement", "detail")],
            (
                [
                    _status_cell(item, lang),
                    link(item.link.url),
                    _references_cell(item),
                    _archive_cell(item, report, references),
                    escape(translate(item.result.detail, lang)),
                ]
                for item in broken
            ),
            lang,
            total=len(broken),
        )
    else:
        lines.append(escape(label("none", lang)))

    lines += _broken_references(survey, lang)

    blocked = [item for item in report.links if item.result.status is Status.BLOCKED]
    if blocked:
        lines += ["", f"## {escape(label('blocked', lang))} ({len(blocked)})", ""]
        lines += _table(
            [label(key, lang) for key in ("url", "http", "cited_by", "detail")],
            (
                [
                    link(item.link.url),
                    str(item.result.http_status or ""),
                    _references_cell(item),
                    escape(translate(item.result.detail, lang)),
                ]
                for item in blocked
            ),
            lang,
            total=len(blocked),
        )

    drift = [item for item in report.links if item.result.title_match is False]
    if drift:
        lines += ["", f"## {escape(label('drift', lang))} ({len(drift)})", ""]
        lines += _table(
            [label(key, lang) for key in ("status", "url", "title_now", "cited_title", "cited_by")],
            (
                [
                    escape(status_label(item.result.status, lang)),
                    link(item.link.url),
                    escape(item.result.title),
                    escape(" / ".join(item.link.cited_titles)),
                    _references_cell(item),
                ]
                for item in drift
            ),
            lang,
            total=len(drift),
        )

    saved = [item for item in report.links if item.saved]
    if saved:
        lines += ["", f"## {escape(label('saved_count', lang))} ({len(saved)})", ""]
        lines += _table(
            [label(key, lang) for key in ("url", "status", "capture", "cited_by")],
            (
                [
                    link(item.link.url),
                    escape(status_label(item.result.status, lang)),
                    link(item.saved),
                    _references_cell(item),
                ]
                for item in saved
            ),
            lang,
            total=len(saved),
        )

    lines += _repairs(report, lang)

    if report.findings:
        lines += ["", f"## {escape(label('findings', lang))} ({len(report.findings)})"]
        kinds: dict[str, list[str]] = {}
        homepages: dict[str, list[str]] = {}  # document -> its notes citing only a home page: one line each
        for finding in report.findings:
            reference = references.get(finding.reference)
            if finding.kind is FindingKind.HOMEPAGE_ONLY and reference is not None:
                homepages.setdefault(reference.document, []).append(finding.reference.rpartition("#")[2])
                continue
            message = translate(finding.message, lang)
            entry = f"- {escape(finding.reference)}: {escape(message, limit=1000)}"
            kinds.setdefault(finding.kind.value, []).append(entry)
        for document, notes in homepages.items():
            text = notes_cite_homepages_only(list(dict.fromkeys(notes)), lang, shown=MAX_ROWS)
            kinds.setdefault(FindingKind.HOMEPAGE_ONLY.value, []).append(
                f"- {escape(document)}: {escape(text, limit=4000)}"
            )
        for kind, entries in kinds.items():
            lines += ["", f"### {escape(finding_label(kind, lang))} ({len(entries)})", ""]
            lines += entries[:MAX_ROWS]
            if len(entries) > MAX_ROWS:
                lines.append(escape(label("and_more", lang).format(count=len(entries) - MAX_ROWS)))

    if report.notes:
        lines += ["", f"## {escape(label('notes', lang))}", ""]
        lines += [f"- {escape(translate(note, lang), limit=1000)}" for note in report.notes]
    return lines


def _code(text: str) -> str:
    """``text`` as a code span that stays inside its table cell (no backtick, pipe or line break in it)."""
    flat = " ".join(text.split()).replace("`", "\u2018").replace("|", "\\|")
    return f"`{flat}`"


def _repairs(report: Report, lang: str) -> list[str]:
    """Every URL the text did not give as it was checked: the repair, what the text said, and for an ambiguous
    spelling its readings with the one reported marked ✓."""
    repaired = [item for item in report.links if item.link.repairs or len(item.link.candidates) > 1]
    if not repaired:
        return []
    rows = []
    for item in repaired[:MAX_ROWS]:
        kinds = list(dict.fromkeys(repair.kind.value for repair in item.link.repairs))
        written = list(dict.fromkeys(as_written(repair.raw) for repair in item.link.repairs))
        readings = ""
        if len(item.link.candidates) > 1:
            readings = ", ".join(("✓ " if url == item.link.url else "") + escape(url) for url in item.link.candidates)
        rows.append(
            [
                link(item.link.url),
                escape(", ".join(repair_label(kind, lang) for kind in kinds)),
                LINE_BREAK.join(_code(text) for text in written[:3]),
                readings,
            ]
        )
    lines = ["", f"## {escape(label('repairs', lang))} ({len(repaired)})", ""]
    return lines + _table(
        [label(key, lang) for key in ("url", "repair", "text_said", "readings")], rows, lang, total=len(repaired)
    )


@dataclass
class _Survey:
    """What one reading of the references gives the report: the notes citing a broken link (the first
    ``MAX_ROWS``, with their broken links in citing order), how many there are, the languages of their halves,
    and the references asked for by id."""

    rows: list[tuple[Reference, list[LinkReport]]] = field(default_factory=list)
    count: int = 0
    originals: Counter[str] = field(default_factory=Counter)
    translations: Counter[str] = field(default_factory=Counter)
    named: dict[str, Reference] = field(default_factory=dict)


def _survey(references: Iterable[Reference], broken: dict[str, list[LinkReport]], wanted: set[str]) -> _Survey:
    survey = _Survey()
    for reference in references:
        if reference.id in wanted:
            survey.named[reference.id] = reference  # the last of an id, as a dict of every reference keeps
        items = broken.get(reference.id)
        if not items:
            continue
        survey.count += 1
        survey.originals.update(half.lang for half in reference.halves[:1] if half.lang)
        survey.translations.update(half.lang for half in reference.halves[1:] if half.lang)
        if len(survey.rows) < MAX_ROWS:
            survey.rows.append((reference, in_citing_order(items, reference)))
    return survey


def _broken_references(survey: _Survey, lang: str) -> list[str]:
    """Each note citing a broken link, its original and translation side by side, so a reader fixes both."""
    if not survey.count:
        return []
    original = _usual_lang(survey.originals)
    translation = _usual_lang(survey.translations)
    headers = [
        label("reference", lang),
        f"{label('original', lang)} ({original})" if original else label("original", lang),
        f"{label('translation', lang)} ({translation})" if translation else label("translation", lang),
        label("links", lang),
    ]
    table = []
    for reference, broken in survey.rows:
        halves = reference.halves or (Half(lang="", text=reference.text),)
        statuses = [f"{escape(status_label(item.result.status, lang))}: {link(item.link.url)}" for item in broken]
        table.append(
            [
                escape(reference.id),
                _half_cell(halves[:1], original),
                _half_cell(halves[1:], translation),
                LINE_BREAK.join(statuses),
            ]
        )
    heading = f"## {escape(label('references_broken', lang))} ({survey.count})"
    return ["", heading, "", *_table(headers, table, lang, total=survey.count)]


def _usual_lang(counts: Counter[str]) -> str:
    """The language most halves of a column are in (named in its header), "" when there are none."""
    return counts.most_common(1)[0][0] if counts else ""


def _half_cell(halves: Sequence[Half], usual: str) -> str:
    """The halves' text, shortened; a half in another language than the header's is tagged with its own."""
    return LINE_BREAK.join(
        (f"({escape(half.lang)}) " if half.lang and half.lang != usual else "") + escape(half.text, limit=MAX_HALF)
        for half in halves
    )


class MarkdownReporter:
    file_name = FILE_NAME
    encoding = "utf-8"

    def render(self, report: Report) -> str:
        return render(report)

    def chunks(self, report: Report) -> Iterator[str]:
        return chunks(report)
