"""`linkaudit demo`: the real pipeline against the simulated web, so the whole product can be seen offline.

The audit runs three times over a week of simulated time against a temporary store, so the report also shows what
history adds: links suspect on the first broken run and confirmed on the third, and the trend chart.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..audit import Audit, Outcome
from ..config import Config
from ..inputs import decode_document
from ..models import DocumentKind, ParsedDocument, Report
from ..observer import Observer
from ..references import parse_document
from ..report import write_reports
from .web import SAMPLE_NAME, SimulatedWeb, sample_text

DEMO_RUN_DAYS = (-6.0, -3.0, 0.0)  # three runs spanning six days: enough to confirm what stays broken


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


def sample_documents() -> list[ParsedDocument]:
    data = sample_text().encode("utf-8")
    return [parse_document(decode_document(data, SAMPLE_NAME, DocumentKind.TEXT, path=None))]


async def run_demo_async(
    output: Path,
    *,
    lang: str = "en",
    observer: Observer | None = None,
    days: Sequence[float] = DEMO_RUN_DAYS,
) -> DemoResult:
    parsed = sample_documents()
    now = datetime.now(timezone.utc)
    outcome: Outcome | None = None
    async with SimulatedWeb() as web:
        with tempfile.TemporaryDirectory(prefix="linkaudit-demo-") as tmp:
            config = demo_config(web, Path(tmp) / "demo.db", lang=lang)
            for offset in days:
                clock = _fixed_clock(now + timedelta(days=offset))
                audit = Audit(config, resolver=web.resolver, observer=observer, clock=clock)
                outcome = await audit.run_async(parsed)
    assert outcome is not None
    written = write_reports(outcome.report, output, ("html", "json", "md", "csv"))
    return DemoResult(report=outcome.report, written=written, html=output / "linkaudit.html", outcome=outcome)


def run_demo(output: Path, *, lang: str = "en", observer: Observer | None = None) -> DemoResult:
    return asyncio.run(run_demo_async(output, lang=lang, observer=observer))
