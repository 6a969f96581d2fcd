"""The archive pass over broken links: ask each archive, verify its best captures, keep the closest good one.

It runs after the check and must never fail the run: each failed lookup becomes a note, the whole pass is
time-boxed, and every answer (including "no capture") is cached so a scheduled run does not ask again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import aiohttp

from ..config import Config
from ..models import CheckResult, Link, Snapshot
from ..observer import NullObserver, Observer
from ..references.urls import is_homepage, normalize_url
from .base import ArchiveError, ArchiveLookup, RateLimiter, RedirectLookup
from .memento import MementoLookup
from .select import best
from .verify import FetchPage, verify
from .wayback import WaybackLookup

NO_CAPTURE_MAX_AGE = 7 * 24 * 3600.0  # "no capture" answers are asked again after a week


def _readings(link: Link) -> list[Link]:
    """``link`` itself, then each other reading of its ambiguous spelling as a link of its own."""
    readings = [link]
    for url in link.candidates:
        try:
            normalized = normalize_url(url)
        except ValueError:
            continue
        if normalized not in {reading.normalized for reading in readings}:
            readings.append(replace(link, url=url, normalized=normalized, candidates=()))
    return readings


class ArchiveCache(Protocol):
    """The part of ``linkaudit.store.Store`` the archive pass uses."""

    def get_archive_lookup(
        self, archive: str, url: str, cited_date: str | None, max_age: float | None = None
    ) -> tuple[Snapshot | None, str] | None: ...

    def put_archive_lookup(
        self, archive: str, url: str, cited_date: str | None, snapshot: Snapshot | None, detail: str
    ) -> None: ...


def build_lookups(
    config: Config, *, rate: RateLimiter, session: aiohttp.ClientSession | None
) -> list[ArchiveLookup]:
    """The Wayback service, then each Memento TimeGate of ``config.mementos`` (these need ``session``)."""
    lookups: list[ArchiveLookup] = [
        WaybackLookup.from_config(config, rate=rate)
    ]
    if session is not None:
        lookups += [
            MementoLookup(
                base,
                session=session,
                rate=rate,
                user_agent=config.user_agent,
                timeout=config.timeout,
                backoff_cap=config.retry_after_cap,
            )
            for base in config.mementos
        ]
    return lookups


async def find_replacements(
    items: Sequence[tuple[Link, CheckResult]],
    config: Config,
    *,
    fetch_page: FetchPage,
    session: aiohttp.ClientSession | None = None,
    store: ArchiveCache | None = None,
    observer: Observer | None = None,
    lookups: Sequence[ArchiveLookup] | None = None,
    rate: RateLimiter | None = None,
) -> dict[str, Snapshot]:
    """The best archived copy of each broken link, keyed by ``Link.normalized``; links without one are absent.

    ``lookups`` and ``rate`` default to the archives of ``config`` sharing one limiter at ``archive_rate``.
    """
    observer = observer or NullObserver()
    links = list({link.normalized: link for link, _ in items}.values())
    if not config.archive or not links:
        return {}
    own_session = None
    if session is None and config.mementos and lookups is None:
        own_session = aiohttp.ClientSession(trust_env=True)
        session = own_session
    own_rate = rate is None
    rate = rate or RateLimiter(config.archive_rate)
    lookups = list(lookups) if lookups is not None else build_lookups(config, rate=rate, session=session)
    observer.stage("archive", len(links))
    finder = _Finder(config, lookups, fetch_page, rate, store, observer)
    tasks = {asyncio.ensure_future(finder.best_snapshot(link)): link for link in links}
    try:
        done, pending = await asyncio.wait(tasks, timeout=config.archive_timebox)
        for task in pending:
            task.cancel()
        if own_rate:
            rate.close()  # worker threads still waiting for a slot give up at once
        await asyncio.gather(*pending, return_exceptions=True)
    finally:
        for task in tasks:
            task.cancel()
        if own_session is not None:
            await own_session.close()
    if pending:
        observer.note(
            f"archive lookups stopped after {config.archive_timebox:g} s: "
            f"{len(pending)} of {len(links)} broken links got no archived copy"
        )
    found: dict[str, Snapshot] = {}
    for task in done:
        snapshot = task.result()
        if snapshot is not None:
            found[tasks[task].normalized] = snapshot
    return found


@dataclass(frozen=True)
class _Tried:
    """What verifying a list of captures came to."""

    accepted: Snapshot | None  # the first capture that passed
    unverified: Snapshot | None  # the first that could not be fetched (says nothing of its content)
    reasons: tuple[str, ...]  # why each rejected capture was

    def then(self, later: _Tried) -> _Tried:
        return _Tried(later.accepted, later.unverified, self.reasons + later.reasons)


class _Finder:
    def __init__(
        self,
        config: Config,
        lookups: Sequence[ArchiveLookup],
        fetch_page: FetchPage,
        rate: RateLimiter,
        store: ArchiveCache | None,
        observer: Observer,
    ) -> None:
        self.config = config
        self.lookups = lookups
        self.fetch_page = fetch_page
        self.rate = rate
        self.store = store
        self.observer = observer

    async def best_snapshot(self, link: Link) -> Snapshot | None:
        """The closest verified capture across archives (else an unverifiable one); never raises.

        A link the layout left ambiguous, none of whose readings answered, is looked up under every reading:
        an archive may hold the page under the reading the text meant, and the best verified capture wins
        (its ``original`` says which reading it is of)."""
        found = []
        failed: set[str] = set()  # archives that failed for this link: not asked again for its other readings
        for reading in _readings(link):
            for lookup in self.lookups:
                if lookup.name in failed:
                    continue
                try:
                    snapshot = await self._from(lookup, reading)
                except ArchiveError as exc:
                    self.observer.note(f"{lookup.name}: lookup of {reading.url} failed: {exc.readable()}")
                    failed.add(lookup.name)
                    continue
                except Exception as exc:  # a broken archive answer must not stop the run
                    self.observer.note(
                        f"{lookup.name}: lookup of {reading.url} failed: {type(exc).__name__}: {exc}"
                    )
                    failed.add(lookup.name)
                    continue
                if snapshot is not None:
                    found.append(snapshot)
        self.observer.advance()
        return best(found, link.cited_date)

    async def _from(self, lookup: ArchiveLookup, link: Link) -> Snapshot | None:
        cached = self._cached(lookup.name, link)
        if cached is not None:
            return cached[0]
        candidates = await lookup.candidates(link.normalized, link.cited_date)
        tried = await self._verify_each(candidates, link, archived_redirect=False)
        if tried.accepted is None and tried.unverified is None and isinstance(lookup, RedirectLookup):
            # No usable 200 capture: the page may have moved, and the archive may hold the redirect to it.
            redirects = await lookup.redirect_candidates(link.normalized, link.cited_date)
            tried = tried.then(await self._verify_each(redirects, link, archived_redirect=True))
        if tried.accepted is not None:
            self._remember(lookup.name, link, tried.accepted, "verified")
            return tried.accepted
        if tried.unverified is not None:
            return tried.unverified  # not remembered: try to verify it next run
        self._remember(lookup.name, link, None, "; ".join(tried.reasons) or "no capture")
        return None

    async def _verify_each(self, candidates: Sequence[Snapshot], link: Link, *, archived_redirect: bool) -> _Tried:
        """Verify the best ``archive_candidates`` captures in order until one is accepted."""
        reasons: list[str] = []
        unverified: Snapshot | None = None
        untitled: Snapshot | None = None  # accepted, but not shown to carry the cited title
        titled = bool(link.cited_titles) and not is_homepage(link.normalized)
        for candidate in candidates[: max(1, self.config.archive_candidates)]:
            checked = await verify(
                candidate,
                link,
                fetch_page=self.fetch_page,
                rate=self.rate,
                backoff_cap=self.config.retry_after_cap,
                archived_redirect=archived_redirect,
            )
            if checked.accepted and (checked.title_match is True or not titled):
                return _Tried(checked.snapshot, None, tuple(reasons))
            if checked.accepted:  # keep looking for a capture that still carries the cited title
                untitled = untitled or checked.snapshot
                continue
            reasons.append(f"{candidate.timestamp}: {checked.snapshot.detail}")
            if not checked.fetched and unverified is None:
                unverified = checked.snapshot
        return _Tried(untitled, None if untitled else unverified, tuple(reasons))

    def _cached(self, archive: str, link: Link) -> tuple[Snapshot | None] | None:
        if self.store is None or self.config.refresh:
            return None
        hit = self.store.get_archive_lookup(archive, link.normalized, link.cited_date)
        if hit is None:
            return None
        if hit[0] is not None:
            return (hit[0],)
        fresh = self.store.get_archive_lookup(archive, link.normalized, link.cited_date, NO_CAPTURE_MAX_AGE)
        return (None,) if fresh is not None else None

    def _remember(self, archive: str, link: Link, snapshot: Snapshot | None, detail: str) -> None:
        if self.store is not None:
            self.store.put_archive_lookup(archive, link.normalized, link.cited_date, snapshot, detail)
