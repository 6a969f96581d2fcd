"""The Markdown report: what a person reads in a pull request or in ``$GITHUB_STEP_SUMMARY``.

It leads with what needs doing (broken links and their archived replacements) and stays short: tables are
capped, and every cell is escaped, since titles and details come from web pages nobody controls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import LinkReport, Report
from ..status import Status
from .i18n import finding_label, format_date, label, status_label, timestamp_date
from .summary import is_confirmed, safe_href, summarize

FILE_NAME = "linkaudit.md"
MAX_ROWS = 200  # per table: GitHub caps a step summary at 1 MiB
MAX_CELL = 300  # characters of free text in one cell

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
    target = "".join(
        character if character not in "()<> |\\\"'" else f"%{ord(character):02X}" for character in href
    )
    return f"[{shown}]({target})"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], lang: str) -> list[str]:
    lines = [
        "| " + " | ".join(escape(header) for header in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in rows[:MAX_ROWS])
    if len(rows) > MAX_ROWS:
        lines.append("")
        lines.append(escape(label("and_more", lang).format(count=len(rows) - MAX_ROWS)))
    return lines


def _archive_cell(item: LinkReport, lang: str) -> str:
    snapshot = item.archive
    if snapshot is None:
        return escape(label("no_archive", lang))
    when = format_date(timestamp_date(snapshot.timestamp), lang) or snapshot.timestamp
    text = link(snapshot.url, when)
    if not snapshot.verified:
        text += f" ({escape(label('unverified', lang))})"
    return text


def _references_cell(item: LinkReport) -> str:
    return ", ".join(escape(reference) for reference in item.link.references)


def _status_cell(item: LinkReport, lang: str) -> str:
    text = escape(status_label(item.result.status, lang))
    if is_confirmed(item):
        text += f" ({escape(label('confirmed', lang))})"
    return text


def render(report: Report) -> str:
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
    counted = [
        f"{escape(status_label(status, lang))}: {count}" for status, count in summary.by_status if count
    ]
    if counted:
        lines += ["", f"{escape(label('status_counts', lang))}: " + " · ".join(counted)]
    if report.offline:
        lines += ["", f"> {escape(label('offline', lang))}"]

    broken = [item for item in report.links if item.result.status.is_broken]
    lines += ["", f"## {escape(label('broken', lang))} ({len(broken)})", ""]
    if broken:
        lines += _table(
            [label(key, lang) for key in ("status", "url", "cited_by", "archive_replacement", "detail")],
            [
                [
                    _status_cell(item, lang),
                    link(item.link.url),
                    _references_cell(item),
                    _archive_cell(item, lang),
                    escape(item.result.detail),
                ]
                for item in broken
            ],
            lang,
        )
    else:
        lines.append(escape(label("none", lang)))

    blocked = [item for item in report.links if item.result.status is Status.BLOCKED]
    if blocked:
        lines += ["", f"## {escape(label('blocked', lang))} ({len(blocked)})", ""]
        lines += _table(
            [label(key, lang) for key in ("url", "http", "cited_by", "detail")],
            [
                [
                    link(item.link.url),
                    str(item.result.http_status or ""),
                    _references_cell(item),
                    escape(item.result.detail),
                ]
                for item in blocked
            ],
            lang,
        )

    drift = [item for item in report.links if item.result.title_match is False]
    if drift:
        lines += ["", f"## {escape(label('drift', lang))} ({len(drift)})", ""]
        lines += _table(
            [label(key, lang) for key in ("url", "title_now", "cited_title", "cited_by")],
            [
                [
                    link(item.link.url),
                    escape(item.result.title),
                    escape(" / ".join(item.link.cited_titles)),
                    _references_cell(item),
                ]
                for item in drift
            ],
            lang,
        )

    if report.findings:
        lines += ["", f"## {escape(label('findings', lang))} ({len(report.findings)})"]
        kinds: dict[str, list[str]] = {}
        for finding in report.findings:
            entry = f"- {escape(finding.reference)}: {escape(finding.message, limit=1000)}"
            kinds.setdefault(finding.kind.value, []).append(entry)
        for kind, entries in kinds.items():
            lines += ["", f"### {escape(finding_label(kind, lang))} ({len(entries)})", ""]
            lines += entries[:MAX_ROWS]
            if len(entries) > MAX_ROWS:
                lines.append(escape(label("and_more", lang).format(count=len(entries) - MAX_ROWS)))

    if report.notes:
        lines += ["", f"## {escape(label('notes', lang))}", ""]
        lines += [f"- {escape(note, limit=1000)}" for note in report.notes]
    return "\n".join(lines) + "\n"


class MarkdownReporter:
    file_name = FILE_NAME
    encoding = "utf-8"

    def render(self, report: Report) -> str:
        return render(report)
