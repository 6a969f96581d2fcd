"""What every archive looks like to the archive stage, its errors, and the one politeness budget they share.

Archives are run by others for free: CDX queries, capture fetches and Save Page Now submissions all draw
on one :class:`RateLimiter`, and a 429 from any of them pauses every archive request.

Errors::

    ArchiveError              a lookup failed; the run goes on without that archive's answer
    ├── ArchiveRateLimited    the archive answered 429 (retry_after: seconds it asked us to wait)
    └── ArchiveUnavailable    any other failure: 5xx, malformed answer, network error, limiter closed

Each carries a ``kind`` (unreachable, timeout, refused, rate_limited, failed) and the archive's host, so that
``readable()`` says what happened in one line ("web.archive.org could not be reached") and nobody has to read
the HTTP client's own text ("HTTPConnectionPool(…): Max retries exceeded …") to find out.
"""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import TimeoutError as FutureTimeout
from enum import Enum
from typing import Protocol, runtime_checkable

import aiohttp
import requests
import urllib3.exceptions

from ..check.retry import RATE_LIMIT_PAUSE, RateLimited
from ..models import Snapshot

DEFAULT_BACKOFF = RATE_LIMIT_PAUSE  # seconds all archive requests pause after a 429 without Retry-After


class ArchiveErrorKind(str, Enum):
    """What kind of failure an archive lookup met: code decides on this, never on the error's text."""

    UNREACHABLE = "unreachable"  # no connection could be made (DNS, network, reset)
    TIMEOUT = "timeout"  # connected or tried to, but no answer in time
    REFUSED = "refused"  # the archive's host refused the connection
    RATE_LIMITED = "rate_limited"  # it kept answering 429
    FAILED = "failed"  # anything else: an HTTP error status, a malformed answer, the pass being over

    def __str__(self) -> str:
        return self.value


class ArchiveError(Exception):
    """An archive lookup failed; callers record it (``readable()``) and continue."""

    def __init__(self, message: str, *, kind: ArchiveErrorKind = ArchiveErrorKind.FAILED, host: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.host = host

    def readable(self) -> str:
        """One line for a person: what happened to the archive, not what the HTTP client said."""
        host = self.host or "the archive"
        if self.kind in (ArchiveErrorKind.UNREACHABLE, ArchiveErrorKind.REFUSED):
            return f"{host} could not be reached"
        if self.kind is ArchiveErrorKind.TIMEOUT:
            return f"{host} did not answer in time"
        if self.kind is ArchiveErrorKind.RATE_LIMITED:
            return f"{host} kept answering 429 (too many requests)"
        return str(self)


class ArchiveRateLimited(ArchiveError, RateLimited):
    def __init__(self, message: str, retry_after: float | None = None, *, host: str | None = None) -> None:
        ArchiveError.__init__(self, message, kind=ArchiveErrorKind.RATE_LIMITED, host=host)
        self.retry_after = retry_after


class ArchiveUnavailable(ArchiveError):
    pass


_TIMEOUTS = (
    requests.Timeout,
    urllib3.exceptions.TimeoutError,
    asyncio.TimeoutError,
    TimeoutError,
    socket.timeout,
    FutureTimeout,
)
_UNREACHABLE = (requests.ConnectionError, urllib3.exceptions.HTTPError, aiohttp.ClientConnectionError, OSError)


def _causes(exc: BaseException, limit: int = 16) -> list[BaseException]:
    """``exc`` and what it wraps (cause, context, urllib3's ``reason``, exceptions among its args), bounded."""
    seen: list[BaseException] = []
    pending = [exc]
    while pending and len(seen) < limit:
        current = pending.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending.extend(item for item in inner if isinstance(item, BaseException))
    return seen


def failure_kind(exc: BaseException) -> ArchiveErrorKind:
    """The kind of a network failure raised by an archive client (requests/urllib3 or aiohttp)."""
    chain = _causes(exc)
    if any(isinstance(item, ConnectionRefusedError) for item in chain):
        return ArchiveErrorKind.REFUSED
    # urllib3 makes a failed connection (refused, no route, no such name) a kind of connect timeout: not one here
    if any(
        isinstance(item, _TIMEOUTS) and not isinstance(item, urllib3.exceptions.NewConnectionError) for item in chain
    ):
        return ArchiveErrorKind.TIMEOUT
    if any(isinstance(item, _UNREACHABLE) for item in chain):
        return ArchiveErrorKind.UNREACHABLE
    return ArchiveErrorKind.FAILED


def network_failure(message: str, exc: BaseException, host: str | None) -> ArchiveUnavailable:
    """An ArchiveUnavailable for a failed request, with its kind read from the exception itself."""
    return ArchiveUnavailable(message, kind=failure_kind(exc), host=host)


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


