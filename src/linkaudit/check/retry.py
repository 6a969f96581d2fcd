"""The one retry policy: which outcomes are worth another request, and how long to wait before it.

Transient trouble (429, 408, 5xx, timeouts, resets) is retried with exponential backoff and jitter, honouring
``Retry-After`` up to a cap: a server asking for more than the cap is taken at its word (it will not answer in
time) and the answer stands at once, its stated delay in the detail. Definitive answers (404, 410, other 4xx)
and DNS failures are never retried, since asking again only delays the report and burdens the site. Shared
services that rate-limit us (the archives) get a stricter rule, also here: a 429 pauses every request to that
service before the one retried. Nothing else in linkaudit decides what is retryable.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, retry_if_result, stop_after_attempt

from ..config import Config
from ..models import Page
from .fetch import ConnectionReset, FetchError, FetchTimeout

RETRYABLE_ERRORS: tuple[type[FetchError], ...] = (FetchTimeout, ConnectionReset)
MAX_RETRY_AFTER_LENGTH = 64  # an HTTP date is 29 characters; anything much longer is not a Retry-After


def is_retryable_status(http_status: int) -> bool:
    return http_status in (408, 429) or 500 <= http_status <= 599


def is_retryable_error(error: BaseException) -> bool:
    return isinstance(error, RETRYABLE_ERRORS)


def header(page: Page, name: str) -> str | None:
    wanted = name.lower()
    for key, value in page.headers:
        if key.lower() == wanted:
            return value
    return None


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (ASCII delta-seconds or an HTTP date); None if unusable.

    A date already past asks for no particular wait, so it is None too (the normal backoff applies, never
    back-to-back requests). Unicode digits (``²``, ``①``) pass ``str.isdigit`` but are not delta-seconds.
    """
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > MAX_RETRY_AFTER_LENGTH:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    if not text.isascii():
        return None
    try:
        when = parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        moment = now if now is not None else datetime.now(timezone.utc)
        seconds = (when - moment).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return seconds if seconds > 0 else None


def describe_wait(seconds: float) -> str:
    """A wait the way a person reads it: ``99999 s (about 28 hours)``."""
    whole = f"{seconds:.0f} s"
    for unit, size in (("years", 365 * 86400.0), ("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= 2 * size:
            return f"{whole} (about {seconds / size:,.0f} {unit})"
    return whole


@dataclass(frozen=True)
class Attempted:
    """The last outcome of a retried operation: a page (any HTTP answer) or the error, and requests made."""

    page: Page | None
    error: FetchError | None
    attempts: int
    gave_up: str | None = None  # why retrying stopped early (a Retry-After beyond the cap), for the detail


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    backoff_base: float = 0.5
    retry_after_cap: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False, repr=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False, repr=False)
    clock: Callable[[], datetime] = field(
        default=lambda: datetime.now(timezone.utc), compare=False, repr=False
    )

    @classmethod
    def from_config(cls, config: Config) -> RetryPolicy:
        return cls(
            retries=max(0, config.retries),
            backoff_base=config.backoff_base,
            retry_after_cap=config.retry_after_cap,
        )

    def should_retry(self, outcome: Page | BaseException) -> bool:
        if isinstance(outcome, Page):
            return is_retryable_status(outcome.http_status) and self.beyond_cap(outcome) is None
        return is_retryable_error(outcome)

    def retry_after(self, page: Page) -> float | None:
        return parse_retry_after(header(page, "Retry-After"), now=self.clock())

    def beyond_cap(self, page: Page) -> str | None:
        """Why a retryable answer is not worth waiting for: it asks for a wait beyond ``retry_after_cap``."""
        if not is_retryable_status(page.http_status):
            return None
        wanted = self.retry_after(page)
        if wanted is None or wanted <= self.retry_after_cap:
            return None
        return (
            f"the server asked to retry after {describe_wait(wanted)}, beyond the "
            f"{self.retry_after_cap:g} s linkaudit waits"
        )

    def delay(self, attempt: int, outcome: Page | BaseException | None = None) -> float:
        """Seconds to wait after request number ``attempt`` (1-based) before the next one."""
        if isinstance(outcome, Page):
            retry_after = self.retry_after(outcome)
            if retry_after is not None:
                return min(retry_after, self.retry_after_cap)
        backoff = self.backoff_base * 2.0 ** (attempt - 1) * (0.5 + self.jitter())
        return min(backoff, max(self.retry_after_cap, self.backoff_base))

    async def run(self, operation: Callable[[], Awaitable[Page]]) -> Attempted:
        """Call ``operation`` until it gives an answer not worth retrying or the retries are spent.

        ``FetchError`` is caught and returned; any other exception is a bug and propagates.
        """
        try:  # most answers are final at once: only an answer worth retrying pays for tenacity's machinery
            first = await operation()
        except FetchError as error:
            if not self.should_retry(error) or self.retries == 0:
                return Attempted(page=None, error=error, attempts=1)
            first_outcome: Page | FetchError = error
        else:
            if not self.should_retry(first) or self.retries == 0:
                return Attempted(page=first, error=None, attempts=1, gave_up=self.beyond_cap(first))
            first_outcome = first
        await self.sleep(self.delay(1, first_outcome))
        attempts = 1

        async def counted() -> Page:
            nonlocal attempts
            attempts += 1
            return await operation()

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries),  # the first request was made above
            retry=retry_if_exception(self.should_retry) | retry_if_result(self.should_retry),
            wait=self._wait,
            sleep=self.sleep,
            retry_error_callback=_last_outcome,
            reraise=True,
        )
        try:
            page: Page = await retrying(counted)
        except FetchError as error:
            return Attempted(page=None, error=error, attempts=attempts)
        return Attempted(page=page, error=None, attempts=attempts, gave_up=self.beyond_cap(page))

    def _wait(self, state: RetryCallState) -> float:
        attempt = state.attempt_number + 1  # tenacity counts from the second request
        outcome = state.outcome
        if outcome is None:
            return self.delay(attempt)
        error = outcome.exception()
        return self.delay(attempt, error if error is not None else outcome.result())


def _last_outcome(state: RetryCallState) -> Page:
    """Retries spent: hand back the last answer (or raise the last error) instead of tenacity's RetryError."""
    assert state.outcome is not None
    result: Page = state.outcome.result()
    return result


RATE_LIMIT_PAUSE = 60.0  # seconds every request to a rate-limited service waits after a 429 without Retry-After


class RateLimited(Exception):
    """A service answered 429; ``retry_after`` is the wait it asked for, if any."""

    retry_after: float | None = None


def rate_limit_pause(retry_after: float | None, cap: float) -> float:
    """How long to pause after a 429: Retry-After if given, else the default, never above ``cap``."""
    wanted = retry_after if retry_after is not None and retry_after >= 0 else RATE_LIMIT_PAUSE
    return min(wanted, cap)


R = TypeVar("R")
L = TypeVar("L", bound=RateLimited)


async def retrying_rate_limited(
    attempt: Callable[[], Awaitable[R | L]],
    *,
    pause: Callable[[float], None],
    attempts: int,
    cap: float,
) -> R:
    """Run ``attempt`` until it is not rate-limited; each 429 first pauses (``pause``) every request to that service.

    For shared services such as the archive: after ``attempts`` 429s in a row the last one is raised, because a
    client that keeps asking is blocked for an hour.
    """
    last: RateLimited | None = None
    for number in range(1, attempts + 1):
        outcome = await attempt()
        if not isinstance(outcome, RateLimited):
            return outcome
        last = outcome
        pause(rate_limit_pause(outcome.retry_after, cap))
        if number == attempts:
            break
    assert last is not None, "attempts must be at least 1"
    raise last
