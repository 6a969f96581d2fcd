"""Audit: runs the stages in order. The only place that knows the whole pipeline.

    inputs -> references -> links -> check (+ store cache/history) -> archive -> Report

Everything else is a stage that takes one typed value and gives the next; the CLI turns the outcome into files
and an exit code.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import ssl
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar, cast

from aiohttp.abc import AbstractResolver

from . import __version__, spill
from .check.engine import Checker, is_offline
from .config import Config
from .documents import load_documents as load_documents  # where the command line and tests read inputs
from .links import choose_candidates, collect_links, select_shard
from .models import (
    CheckResult,
    Finding,
    History,
    Link,
    LinkReport,
    ParsedDocument,
    Report,
    RunSummary,
    Snapshot,
)
from .observer import NullObserver, Observer
from .references.crosscheck import url_and_doi_findings
from .spill import joined
from .status import ExitCode, FailOn
from .store import Store

Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_returning(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, with the result handed over outside the task: on Python 3.11,
    ``asyncio.run`` asks ``signal.getsignal`` about its own SIGINT handler, which formats ``repr()`` of the main
    task and so of its result, in full. For a report of 100,000 links that was hundreds of megabytes of text
    built and thrown away at the end of every run."""
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    asyncio.run(main())
    return box[0]


@dataclass(frozen=True)
class Outcome:
    report: Report
    exit_code: ExitCode


def _run_key(parsed: Sequence[ParsedDocument], store: str | None) -> tuple[str, ...]:
    """The names under which the store files a run's documents: each file's path relative to the store's folder,
    so runs from any folder of the project (``docs/notes.txt`` from the root, ``notes.txt`` from ``docs/``) are
    one series on the trend chart; standard input and the demo's documents keep their names."""
    if store is None:
        return tuple(p.document.name for p in parsed)
    base = Path(store).resolve().parent
    keys = []
    for item in parsed:
        path = item.document.path
        try:
            keys.append(os.path.relpath(Path(path).resolve(), base) if path else item.document.name)
        except (OSError, ValueError):  # another drive, an unresolvable path: the name as given
            keys.append(item.document.name)
    return tuple(keys)


def exit_code_for(report: Report, fail_on: FailOn) -> ExitCode:
    if report.offline:
        return ExitCode.AUDIT_FAILED
    if fail_on is FailOn.NEVER:
        return ExitCode.OK
    for item in report.links:
        if not item.result.status.is_broken:
            continue
        if fail_on is FailOn.BROKEN or (item.history is not None and item.history.confirmed):
            return ExitCode.BROKEN
    return ExitCode.OK


V = TypeVar("V")


class _Shared:
    """One object for equal values held per link (a result's check time and final URL, the histories of a first
    run): 100,000 results otherwise hold 100,000 copies of the same few strings and records."""

    def __init__(self) -> None:
        self._values: dict[object, object] = {}

    def value(self, value: V) -> V:
        return cast(V, self._values.setdefault(value, value))

    def result(self, result: CheckResult) -> CheckResult:
        final_url = result.url if result.final_url == result.url else result.final_url
        checked_at, detail = self.value(result.checked_at), self.value(result.detail)
        if final_url is result.final_url and checked_at is result.checked_at and detail is result.detail:
            return result
        return replace(result, final_url=final_url, checked_at=checked_at, detail=detail)


def link_reports(
    links: Sequence[Link],
    results: Mapping[str, CheckResult],
    snapshots: Mapping[str, Snapshot],
    histories: Sequence[History],
    saved: Mapping[str, str],
) -> Sequence[LinkReport]:
    """Each link with its result, archived copy, history (``histories``: one per link in order, or none) and
    saved capture: a tuple for a short run; for a long one (``spill.SPILL_ABOVE``) a sequence that makes each
    record when it is read, so 100,000 of them are never held at once."""
    if len(links) > spill.SPILL_ABOVE:
        return _LinkReports(links, results, snapshots, histories, saved)
    return tuple(_LinkReports(links, results, snapshots, histories, saved))


class _LinkReports(spill.ReadOnly[LinkReport]):
    def __init__(
        self,
        links: Sequence[Link],
        results: Mapping[str, CheckResult],
        snapshots: Mapping[str, Snapshot],
        histories: Sequence[History],
        saved: Mapping[str, str],
    ) -> None:
        self._links = links
        self._results = results
        self._snapshots = snapshots
        self._histories = histories
        self._saved = saved
        self._length = len(links)

    def _at(self, position: int) -> LinkReport:
        link = self._links[position]
        key = link.normalized
        return LinkReport(
            link=link,
            result=self._results[key],
            archive=self._snapshots.get(key),
            history=self._histories[position] if self._histories else None,
            saved=self._saved.get(key),
        )

    def __iter__(self) -> Iterator[LinkReport]:
        return map(self._at, range(self._length))

    def __repr__(self) -> str:  # never the whole content: a report's repr must stay small
        return f"<LinkReports of {self._length} links>"


class _NoteCollector:
    """Passes progress on to the user's observer and keeps the archive's remarks for the report: a lookup that
    failed must not read as "no archived copy exists" in a report read later, away from the terminal."""

    SHOWN = 5
    LONGEST = 240

    def __init__(self, inner: Observer) -> None:
        self.inner = inner
        self.notes: list[str] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.inner.stage(name, total)

    def advance(self, amount: int = 1) -> None:
        self.inner.advance(amount)

    def result(self, result: CheckResult) -> None:
        self.inner.result(result)

    def note(self, text: str) -> None:
        text = " ".join(text.split())
        if len(text) > self.LONGEST:  # library errors can carry whole connection reprs
            text = text[: self.LONGEST - 1] + "…"
        self.notes.append(text)
        self.inner.note(text)

    def summary(self) -> list[str]:
        if len(self.notes) <= self.SHOWN:
            return list(self.notes)
        more = len(self.notes) - self.SHOWN
        return [*self.notes[: self.SHOWN], f"… and {more} more archive remark(s) like these."]


class Audit:
    def __init__(
        self,
        config: Config,
        *,
        resolver: AbstractResolver | None = None,
        observer: Observer | None = None,
        clock: Clock | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.config = config
        self.resolver = resolver
        self.observer: Observer = observer or NullObserver()
        self.clock: Clock = clock or utc_now
        self.ssl_context = ssl_context  # None: the system's certificate verification

    def run(self, parsed: Sequence[ParsedDocument]) -> Outcome:
        return run_returning(self.run_async(parsed))

    async def run_async(self, parsed: Sequence[ParsedDocument]) -> Outcome:
        config = self.config
        links = select_shard(collect_links(parsed), config.shard)
        with ExitStack() as stack:
            store: Store | None = None
            if config.store is not None:
                store = stack.enter_context(
                    Store(
                        config.store,
                        clock=self.clock,
                        confirm_runs=config.confirm_runs,
                        confirm_days=config.confirm_days,
                    )
                )
            documents = tuple(p.document.name for p in parsed)
            shard = f"{config.shard[0]}/{config.shard[1]}" if config.shard else None
            run_key = _run_key(parsed, config.store)
            run_id = store.begin_run(run_key, shard) if store is not None else 0
            notes: list[str] = []
            crosschecked: tuple[Finding, ...] = ()
            snapshots: dict[str, Snapshot] = {}
            saved: dict[str, str] = {}
            histories: list[History] = []  # with a store: each link's, in the order of ``links``
            checker = Checker(
                config,
                resolver=self.resolver,
                observer=self.observer,
                clock=self.clock,
                ssl_context=self.ssl_context,
            )
            async with checker:
                results, fetched = await self._check(checker, links, store, run_id, notes)
                links, results = choose_candidates(links, results)  # the reading of an ambiguous URL that answered
                problem = checker.network_problem  # seen early: the check was stopped (offline, captive portal)
                offline = problem is not None or (
                    bool(fetched) and is_offline([results[link.normalized] for link in fetched])
                )
                if offline and problem is None:  # every cited host failed: offline only if the archive fails too
                    self.observer.stage("probe", 1)
                    offline = not await checker.archive_answers()
                    self.observer.advance()
                if problem is not None:
                    notes.append(f"The network is broken: {problem.detail}.")
                elif offline:
                    notes.append(
                        "No cited host could be reached at all: this machine looks offline, "
                        "so nothing is reported as rot."
                    )
                else:
                    references = (r for p in parsed for r in p.references)
                    crosschecked = url_and_doi_findings(references, links, results)  # a DOI and a URL disagree
                    if store is not None:
                        shared = _Shared()
                        wanted = ((link.normalized, results[link.normalized]) for link in links)
                        histories = [shared.value(history) for history in store.histories(wanted)]
                    snapshots, saved = await self._archive(checker, links, results, store, notes)
            broken = sum(1 for link in links if results[link.normalized].status.is_broken)
            if store is not None:
                store.finish_run(run_id, links=len(links), broken=broken, offline=offline)
            trend: tuple[RunSummary, ...] = store.trend_of(run_key, shard) if store is not None else ()
        report = Report(
            generated_at=iso(self.clock()),
            tool_version=__version__,
            documents=documents,
            references=joined([p.references for p in parsed]),
            links=link_reports(links, results, snapshots, histories, saved),
            findings=(*(f for p in parsed for f in p.findings), *crosschecked),
            trend=trend,
            offline=offline,
            lang=config.lang,
            shard=shard,
            notes=tuple(notes),
            archive_asked=config.archive,
        )
        return Outcome(report=report, exit_code=exit_code_for(report, config.fail_on))

    async def _check(
        self, checker: Checker, links: Sequence[Link], store: Store | None, run_id: int, notes: list[str]
    ) -> tuple[dict[str, CheckResult], list[Link]]:
        """Results for every link: from the cache when fresh, else fetched (each recorded as it completes)."""
        results: dict[str, CheckResult] = {}
        to_fetch: list[Link] = []
        cache: Iterator[CheckResult | None] = (  # read a batch of links at a time
            store.cached_results((link.normalized for link in links), self.config.cache_ttl_ok)
            if store is not None and not self.config.refresh
            else itertools.repeat(None, len(links))
        )
        for link, cached in zip(links, cache, strict=True):
            if cached is not None:
                results[link.normalized] = replace(cached, url=link.url)
                self.observer.result(results[link.normalized])  # from_cache: -v shows it as such
            else:
                to_fetch.append(link)
        if results:
            notes.append(f"{len(results)} link(s) checked recently were taken from the cache (--refresh to recheck).")

        def record(result: CheckResult) -> None:
            if store is not None:
                store.record_check(run_id, result)
            self.observer.result(result)

        fetched = await checker.check(to_fetch, on_result=record) if to_fetch else []
        checker.forget_results()  # held here from now on, not also in the checker
        shared = _Shared()
        for link, result in zip(to_fetch, fetched, strict=True):
            results[link.normalized] = shared.result(result)
        return results, to_fetch

    async def _archive(
        self,
        checker: Checker,
        links: Sequence[Link],
        results: dict[str, CheckResult],
        store: Store | None,
        notes: list[str],
    ) -> tuple[dict[str, Snapshot], dict[str, str]]:
        snapshots: dict[str, Snapshot] = {}
        saved: dict[str, str] = {}
        if not self.config.archive:
            return snapshots, saved
        from .archive import find_replacements, save_pages  # the archive clients load only for an archive pass

        broken = [(link, results[link.normalized]) for link in links if results[link.normalized].status.is_broken]
        collector = _NoteCollector(self.observer)
        try:
            if broken:
                snapshots = await find_replacements(
                    broken,
                    self.config,
                    fetch_page=checker.fetch_page,
                    session=checker.session,
                    store=store,
                    observer=collector,
                )
            if self.config.save:
                live = [link for link in links if results[link.normalized].status.is_success]
                collector.stage("save", None)
                saved = await save_pages(live, self.config, session=checker.session, store=store, observer=collector)
        except Exception as exc:  # an archive failure never fails the run
            collector.note(f"The archive pass stopped early: {exc}")
        notes.extend(collector.summary())
        return snapshots, saved
