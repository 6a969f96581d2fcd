"""The CSV report: one row per link and citing reference, for spreadsheets and ad-hoc scripts.

Written as UTF-8 with a byte-order mark, because Excel reads Cyrillic CSV correctly only with one; cells that
a spreadsheet would run as a formula (text from web pages starting with ``=``, ``+``…) are made inert.
"""

from __future__ import annotations

import csv
import io

from ..models import Report
from .summary import citing_langs, links_by_reference

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


def render(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    references = {reference.id: reference for reference in report.references}
    cited = links_by_reference(report)
    rows_written: set[tuple[str, str]] = set()
    ordered_ids = [reference.id for reference in report.references]
    ordered_ids += [reference_id for reference_id in cited if reference_id not in references]
    for reference_id in ordered_ids:
        reference = references.get(reference_id)
        for item in cited.get(reference_id, []):
            key = (reference_id, item.link.normalized)
            if key in rows_written:
                continue
            rows_written.add(key)
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
    return buffer.getvalue()


class CsvReporter:
    file_name = FILE_NAME
    encoding = ENCODING

    def render(self, report: Report) -> str:
        return render(report)
