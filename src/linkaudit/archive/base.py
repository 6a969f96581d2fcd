"""What every archive looks like to the archive stage, its errors, and the one politeness budget they share.

Archives are run by others for free: CDX queries, capture fetches and Save Page Now submissions all draw
on one :class:`RateLimiter`, and a 429 from any of them pauses every archive request.

Errors::

    ArchiveError              a lookup failed; the run goes on without that archive's answer
    ├── ArchiveRateLimited    the archive answered 429 (retry_after: seconds it asked us to wait)
    └── ArchiveUnavailable    any other failure: 5xx, malformed answer, network error, limiter closed
"""

from __future__ import annotations

import asyncio
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol, runtime_checkable

from ..check.retry import RATE_LIMIT_PAUSE, RateLimited
from ..models import Snapshot

DEFAULT_BACKOFF = RATE_LIMIT_PAUSE  # seconds all archive requests pause after a 429 without Retry-After


class ArchiveError(Exception):
    """An archive lookup failed; callers record it and continue."""


class ArchiveRateLimited(ArchiveError, RateLimited):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        ArchiveError.__init__(self, message)
        self.retry_after = retry_after


class ArchiveUnavailable(ArchiveError):
    pass


class ArchiveLookup(Protocol):
    """One archive: ``candidates`` lists its unverified captures of ``url``, best first."""

    name: str

    async def candidates(self, url: str, cited_date: str | None) -> list[Snapshot]: ...


@runtime_checkable
class RedirectLookup(ArchiveLookup, Protocol):
    """An archive that also lists its redirect captures (3xx) of ``url``, best first, for when no 200
    capture will do: the archived redirect may lead to a good capture of the page's next address."""

    async def redirect_candidates(self, url: str, cited_date: str | None) -> list[Snapshot]: ...


class RateLimiter:
    """Spaces requests at least ``1 / rate`` seconds apart, and pauses all of them after a 429.

    Shared by coroutines (``await acquire()``) and worker threads (``acquire_blocking(loop)``).
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._paused_until = 0.0
        self._lock: asyncio.Lock | None = None
        self.closed = False

    async def acquire(self) -> None:
        """Wait for the next slot; raises ArchiveUnavailable once the limiter is closed."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                if self.closed:
                    raise ArchiveUnavailable("archive pass is over")
                wait = max(self._next, self._paused_until) - loop.time()
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._next = loop.time() + self.interval

    def acquire_blocking(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        """``acquire`` from a worker thread, running it on ``loop``."""
        future = asyncio.run_coroutine_threadsafe(self.acquire(), loop)
        try:
            future.result(timeout)
        except FutureTimeout as exc:
            future.cancel()
            raise ArchiveUnavailable("waited too long for an archive request slot") from exc

    def restart(self) -> None:
        """Count the interval from now: the request goes out only now (after waiting on another limiter)."""
        self._next = asyncio.get_running_loop().time() + self.interval

    def pause(self, seconds: float) -> None:
        """Hold every archive request for ``seconds`` from now (a 429 was answered)."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    def close(self) -> None:
        self.closed = True


