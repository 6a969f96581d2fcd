"""Save Page Now: ask the Wayback service to capture live citations it has never archived (opt-in).

A citation archived while it still works is one that cannot rot. SPN is the archive's most expensive
endpoint, so it is opt-in (``config.save``), limited to 12 submissions a minute on top of the shared
archive rate, and only asked for pages the CDX index has no capture of.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

import aiohttp

from ..check.retry import parse_retry_after, rate_limit_pause
from ..config import Config
from ..models import Link
from ..observer import NullObserver, Observer
from .base import ArchiveError, RateLimiter, network_failure
from .replacements import ArchiveCache
from .verify import replay_parts
from .wayback import ARCHIVE_NAME, WaybackLookup

SAVES_PER_MINUTE = 12.0


async def save_pages(
    links: Sequence[Link],
    config: Config,
    *,
    session: aiohttp.ClientSession,
    store: ArchiveCache | None = None,
    observer: Observer | None = None,
    rate: RateLimiter | None = None,
    per_minute: float = SAVES_PER_MINUTE,
) -> dict[str, str]:
    """Submit each never-archived link (checked ok by the caller); the capture URLs keyed by Link.normalized.

    Stops submitting when SPN answers 429 and when ``config.archive_timebox`` is spent; never raises for a
    failed submission (a note says what happened).
    """
    observer = observer or NullObserver()
    if not config.save or not links:
        return {}
    rate = rate or RateLimiter(config.archive_rate)
    submitter = _Submitter(config, session, store, observer, rate, RateLimiter(per_minute / 60.0))
    try:
        await asyncio.wait_for(submitter.run(links), timeout=config.archive_timebox)
    except asyncio.TimeoutError:
        observer.note(f"Save Page Now stopped after {config.archive_timebox:g} s")
    return submitter.saved


class _Submitter:
    def __init__(
        self,
        config: Config,
        session: aiohttp.ClientSession,
        store: ArchiveCache | None,
        observer: Observer,
        rate: RateLimiter,
        spacing: RateLimiter,
    ) -> None:
        self.config = config
        self.base_url = config.wayback_url.rstrip("/")
        self.session = session
        self.store = store
        self.observer = observer
        self.rate = rate
        self.spacing = spacing
        self.lookup = WaybackLookup.from_config(config, rate=rate)
        self.saved: dict[str, str] = {}

    async def run(self, links: Sequence[Link]) -> None:
        for link in {link.normalized: link for link in links}.values():
            try:
                if await self._archived(link):
                    continue
                if not await self._submit(link):
                    return  # refused (429): SPN wants minutes of quiet
            except (ArchiveError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                error = exc if isinstance(exc, ArchiveError) else network_failure(
                    f"{type(exc).__name__}: {exc}", exc, urlsplit(self.base_url).hostname
                )
                self.observer.note(f"Save Page Now: {link.url}: {error.readable()}")

    async def _archived(self, link: Link) -> bool:
        if self.store is not None:
            hit = self.store.get_archive_lookup(ARCHIVE_NAME, link.normalized, link.cited_date)
            if hit is not None and hit[0] is not None:
                return True
        return bool(await self.lookup.candidates(link.normalized, link.cited_date))

    async def _submit(self, link: Link) -> bool:
        """One SPN request; False when SPN refused with 429."""
        await self.spacing.acquire()
        await self.rate.acquire()
        self.spacing.restart()
        async with self.session.get(
            f"{self.base_url}/save/{link.normalized}",
            headers={"User-Agent": self.config.user_agent},
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=self.config.timeout),
        ) as response:
            if response.status == 429:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                self.rate.pause(rate_limit_pause(retry_after, self.config.retry_after_cap))
                self.observer.note("Save Page Now refused further submissions (429); the rest are not saved")
                return False
            location = response.headers.get("Content-Location") or response.headers.get("Location")
            if location and replay_parts(urljoin(self.base_url + "/", location)):
                self.saved[link.normalized] = urljoin(self.base_url + "/", location)
            else:
                self.observer.note(f"Save Page Now did not capture {link.url} (HTTP {response.status})")
        return True
