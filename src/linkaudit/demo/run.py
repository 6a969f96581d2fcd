"""`linkaudit demo`: the real pipeline against the simulated web, so the whole product can be seen offline.

Two documents are audited: the sample bibliography and a short bilingual article written to carry what the
sample lacks (an unresolved "Ibid.", stray markers, disagreeing dates, unfetchable and private URLs, title drift,
a site moved to https). The audit runs three times over six days of simulated time against a temporary store, so
the report also shows what history adds: links suspect on the first broken run and confirmed on the third.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import TypeVar

from ..audit import Audit, Outcome
from ..config import Config
from ..inputs import SUFFIXES, decode_document
from ..models import DocumentKind, ParsedDocument, Report
from ..observer import Observer
from ..references import parse_document
from ..report import ReportError, prepare_output, write_reports
from .web import DOCUMENT_NAMES, SimulatedWeb, document_text

DEMO_RUN_DAYS = (-6.0, -3.0, 0.0)  # three runs spanning six days: enough to confirm what stays broken
DEMO_FORMATS = ("html", "json", "md", "csv")

T = TypeVar("T")


class DemoOutputError(OSError):
    """The reports cannot be written into the output directory; the message names it.

    An ``OSError``, since the cause is the file system (a read-only or missing place, a file in the way)."""


@dataclass(frozen=True)
class DemoResult:
    report: Report
    written: list[Path]
    html: Path
    outcome: Outcome


def demo_config(web: SimulatedWeb, store: Path, *, lang: str = "en") -> Config:
    """Settings that keep the demo quick: short timeouts and an archive rate the local archive can take."""
    return Config(
        store=str(store),
        timeout=1.0,
        connect_timeout=1.0,
        retries=1,
        backoff_base=0.05,
        retry_after_cap=0.5,
        wayback_url=web.wayback_url,
        archive_rate=50.0,
        archive_timebox=60.0,
        lang=lang,
        refresh=True,
    )


def _fixed_clock(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def demo_documents(names: Sequence[str] = DOCUMENT_NAMES) -> list[ParsedDocument]:
    """The demo's documents (the sample, then the article), parsed as ``linkaudit check`` would parse them."""
    parsed = []
    for name in names:
        kind = SUFFIXES.get(PurePosixPath(name).suffix.lower(), DocumentKind.TEXT)
        data = document_text(name).encode("utf-8")
        parsed.append(parse_document(decode_document(data, name, kind, path=None)))
    return parsed


async def run_demo_async(
    output: Path,
    *,
    lang: str = "en",
    observer: Observer | None = None,
    days: Sequence[float] = DEMO_RUN_DAYS,
) -> DemoResult:
    """Audit the demo's documents against the simulated web and write every report format into ``output``.

    Raises ``DemoOutputError`` (naming ``output``) when the reports cannot be written there, before any audit
    when the directory is not writable; another ``OSError`` when the simulated web cannot start.
    """
    _writable(output, lambda: prepare_output(output))
    parsed = demo_documents()
    now = datetime.now(timezone.utc)
    outcome: Outcome | None = None
    async with SimulatedWeb() as web:
        with tempfile.TemporaryDirectory(prefix="linkaudit-demo-") as tmp:
            config = demo_config(web, Path(tmp) / "demo.db", lang=lang)
            for offset in days:
                audit = Audit(
                    config,
                    resolver=web.resolver,
                    observer=observer,
                    clock=_fixed_clock(now + timedelta(days=offset)),
                    ssl_context=web.ssl_context,
                )
                outcome = await audit.run_async(parsed)
    if outcome is None:
        raise ValueError("the demo needs at least one run day")
    written = _writable(output, lambda: write_reports(outcome.report, output, DEMO_FORMATS))
    return DemoResult(report=outcome.report, written=written, html=output / "linkaudit.html", outcome=outcome)


def _writable(output: Path, write: Callable[[], T]) -> T:
    try:
        return write()
    except ReportError as error:
        raise DemoOutputError(f"cannot write the demo's reports: {error}") from error


def run_demo(output: Path, *, lang: str = "en", observer: Observer | None = None) -> DemoResult:
    """The demo, synchronously; raises as ``run_demo_async`` does."""
    return asyncio.run(run_demo_async(output, lang=lang, observer=observer))
