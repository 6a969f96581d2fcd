"""The CSV report: one row per link and citing reference, for spreadsheets and ad-hoc scripts.

Written as UTF-8 with a byte-order mark, because Excel reads Cyrillic CSV correctly only with one; cells that
a spreadsheet would run as a formula (text from web pages starting with ``=``, ``+``…) are made inert.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from ..models import LinkReport, Reference, Report
from .summary import citing_langs, group_links, in_citing_order

FILE_NAME = "linkaudit.csv"
ENCODING = "utf-8-sig"

COLUMNS = (
    "reference",
    "list",
    "number",
    "lang",
    "url",
    "normalized",
    "status",
    "http_status",
    "final_url",
    "title_match",
    "cited_date",
    "archive_url",
    "archive_timestamp",
    "verified",
    "confirmed",
    "detail",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str | None) -> str:
    """Free text that a spreadsheet shows as text, never evaluates (OWASP's CSV-injection advice)."""
    if not text:
        return ""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


ROWS_PER_CHUNK = 500  # rows written to the buffer before it is handed on


def chunks(report: Report) -> Iterator[str]:
    """The file's text in pieces, written as the references are read (each reference is read once, and only the
    links are held: never every reference)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    pending = group_links(report.links)  # reference id -> its links, until the reference is written
    written = 0
    for reference in report.references:
        items = pending.pop(reference.id, None)
        if not items:
            continue
        in_citing_order(items, reference)
        written += _write_rows(writer, reference.id, reference, items)
        if written >= ROWS_PER_CHUNK:
            yield _drain(buffer)
            written = 0
    for reference_id, items in pending.items():  # links naming a reference the report does not hold
        written += _write_rows(writer, reference_id, None, items)
        if written >= ROWS_PER_CHUNK:
            yield _drain(buffer)
            written = 0
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _write_rows(writer: Any, reference_id: str, reference: Reference | None, items: list[LinkReport]) -> int:
    """One row per link of the reference (a link it cites twice, once); the number of rows written."""
    rows_written: set[str] = set()
    for item in items:
        if item.link.normalized in rows_written:
            continue
        rows_written.add(item.link.normalized)
        result, snapshot = item.result, item.archive
        writer.writerow(
            (
                inert(reference_id),
                inert(reference.list if reference else None),
                inert(reference.number if reference else None),
                " ".join(citing_langs(reference, item)) if reference else "",
                inert(item.link.url),
                inert(item.link.normalized),
                result.status.value,
                "" if result.http_status is None else str(result.http_status),
                inert(result.final_url),
                _flag(result.title_match),
                inert(item.link.cited_date),
                inert(snapshot.url) if snapshot else "",
                snapshot.timestamp if snapshot else "",
                _flag(snapshot.verified) if snapshot else "",
                _flag(item.history.confirmed) if item.history else "",
                inert(result.detail),
            )
        )
    return len(rows_written)


def render(report: Report) -> str:
    return "".join(chunks(report))


class CsvReporter:
    file_name = FILE_NAME
    encoding = ENCODING

    def render(self, report: Report) -> str:
        return render(report)

    def chunks(self, report: Report) -> Iterator[str]:
        return chunks(report)
