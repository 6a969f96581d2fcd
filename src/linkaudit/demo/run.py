"""`linkaudit demo`: the real pipeline against the simulated web, so the whole product can be seen offline.

Two documents are audited: the sample bibliography and a short bilingual article written to carry what the
sample lacks (an unresolved "Ibid.", stray markers, disagreeing dates, unfetchable and private URLs, title drift,
a site moved to https). The audit runs three times a week apart (simulated weekly runs, as the report says)
against a temporary store, so the report also shows what history adds: links suspect on the first broken run and
confirmed on the third.

The report says it is simulated, and the archived copies it links to are saved beside it (``demo-archive/``,
linked relatively) while the simulated archive still runs, so they open after the demo has exited.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import TypeVar

import aiohttp

from ..audit import Audit, Outcome, run_returning
from ..config import Config
from ..inputs import SUFFIXES, decode_document
from ..models import DocumentKind, LinkReport, ParsedDocument, Report, Snapshot
from ..observer import Observer
from ..references import parse_document
from ..report import ReportError, prepare_output, write_reports
from .web import DOCUMENT_NAMES, SimulatedWeb, document_text

DEMO_RUN_DAYS = (-14.0, -7.0, 0.0)  # three weekly runs, as a schedule makes them: enough to confirm rot
DEMO_FORMATS = ("html", "json", "md", "csv")
ARCHIVE_FOLDER = "demo-archive"  # the captures the demo's report links to, beside the report
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_BODY = re.compile(rb"<body[^>]*>", re.IGNORECASE)
KEPT_BANNER = (
    b'<p style="background:#fff3cd;border:1px solid #c9a227;padding:.5em;font:14px sans-serif">'
    b"linkaudit demo: a capture from the <strong>simulated</strong> archive, saved beside the report; "
    b"the real Wayback Machine was not asked.</p>"
)

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
        report = await keep_captures(replace(outcome.report, simulated=True), web.wayback_url, output)
    outcome = replace(outcome, report=report)
    written = _writable(output, lambda: write_reports(report, output, DEMO_FORMATS))
    return DemoResult(report=report, written=written, html=output / "linkaudit.html", outcome=outcome)


async def keep_captures(report: Report, archive_url: str, output: Path) -> Report:
    """``report`` with each archived copy served by the simulated archive at ``archive_url`` saved as a file
    under ``output/demo-archive/`` and linked by its path relative to ``output`` (where the reports are).

    Raises ``DemoOutputError`` when the files cannot be written. A capture the archive no longer answers keeps
    its link (there is nothing to save), which the tests would catch.
    """
    folder = output / ARCHIVE_FOLDER
    try:
        shutil.rmtree(folder, ignore_errors=True)  # the demo's own folder: no stale captures of an older run
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoOutputError(f"cannot write the demo's archived copies in {folder}: {exc.strerror or exc}") from exc
    kept: dict[str, str] = {}
    async with aiohttp.ClientSession(trust_env=False) as session:
        for item in report.links:
            snapshot = item.archive
            if snapshot is None or snapshot.url in kept or not snapshot.url.startswith(archive_url + "/"):
                continue
            async with session.get(snapshot.url) as response:
                if response.status != 200:
                    continue
                body = await response.read()
                charset = response.charset
            name = f"{snapshot.timestamp}-{_safe_name(snapshot.original)}.html"
            try:
                (folder / name).write_bytes(_with_banner(body, charset))
            except OSError as exc:
                raise DemoOutputError(f"cannot write the demo's archived copies in {folder}: {exc}") from exc
            kept[snapshot.url] = f"{ARCHIVE_FOLDER}/{name}"
    return replace(report, links=tuple(_relinked(item, kept) for item in report.links))


def _safe_name(url: str) -> str:
    """A file name for a captured URL: readable, bounded, and unique (a digest of the whole URL)."""
    readable = _UNSAFE.sub("_", re.sub(r"^[a-z]+://", "", url)).strip("_")[:60]
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def _with_banner(body: bytes, charset: str | None) -> bytes:
    """The capture with the demo's banner; the charset the archive sent in its header kept as a ``<meta>``
    (a file has no header), so a cp1251 page still reads right when opened from disk."""
    head = b""
    if charset and b"charset" not in body[:2048].lower():
        head = f'<meta charset="{_UNSAFE.sub("", charset)}">'.encode("ascii")
    match = _BODY.search(body)
    if match is None:
        return head + KEPT_BANNER + body
    return head + body[: match.end()] + KEPT_BANNER + body[match.end() :]


def _relinked(item: LinkReport, kept: dict[str, str]) -> LinkReport:
    snapshot: Snapshot | None = item.archive
    if snapshot is None or snapshot.url not in kept:
        return item
    path = kept[snapshot.url]
    return replace(item, archive=replace(snapshot, url=path, raw_url=path))


def _writable(output: Path, write: Callable[[], T]) -> T:
    try:
        return write()
    except ReportError as error:
        raise DemoOutputError(f"cannot write the demo's reports: {error}") from error


def run_demo(output: Path, *, lang: str = "en", observer: Observer | None = None) -> DemoResult:
    """The demo, synchronously; raises as ``run_demo_async`` does."""
    return run_returning(run_demo_async(output, lang=lang, observer=observer))
