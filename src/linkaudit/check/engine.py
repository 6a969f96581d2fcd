"""The checker: one aiohttp session, global and per-host limits, each unique URL fetched once per run.

Slots are granted across hosts, so a list grouped by host never leaves global slots queued behind one busy
host; retries wait outside any slot. A 2xx page is then judged (soft 404, parked, homepage redirect) before it
counts as alive, since "200 OK" alone is not evidence that the cited page is still there.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from http import HTTPStatus
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver
from yarl import URL

from ..config import Config
from ..models import CheckResult, Link, Page
from ..observer import NullObserver, Observer
from ..references.urls import is_doi_url, is_homepage, url_scheme_problem
from ..status import Status
from .drift import decide as drift_decision
from .fetch import (
    FetchError,
    FetchSettings,
    FetchTimeout,
    Gate,
    archive_hosts,
    fetch,
    no_gate,
    parse_target,
)
from .resolve import GuardedResolver
from .retry import RetryPolicy
from .verdict import Verdict, classify, looks_same, probe_key, random_sibling

MAX_LINE_SIZE = 16 * 1024
MAX_FIELD_SIZE = 64 * 1024
MAX_HEADERS = 256


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_time(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class HostLimiter:
    """Request slots: at most ``total`` at once, at most ``per_host`` per host.

    Waiters queue per host; a freed slot goes to the first host (round robin) that has a free per-host slot,
    so a request never holds a global slot while waiting for its host.
    """

    def __init__(self, total: int, per_host: int) -> None:
        self._total = max(1, total)
        self._per_host = max(1, per_host)
        self._busy = 0
        self._busy_by_host: dict[str, int] = {}
        self._waiters: dict[str, deque[asyncio.Future[None]]] = {}

    @property
    def busy(self) -> int:
        return self._busy

    def _free(self, host: str) -> bool:
        return self._busy < self._total and self._busy_by_host.get(host, 0) < self._per_host

    def _take(self, host: str) -> None:
        self._busy += 1
        self._busy_by_host[host] = self._busy_by_host.get(host, 0) + 1

    async def acquire(self, host: str) -> None:
        if host not in self._waiters and self._free(host):
            self._take(host)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(host, deque()).append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(host)  # granted, but the waiter went away
            else:
                self._forget(host, future)
            raise

    def release(self, host: str) -> None:
        self._busy -= 1
        left = self._busy_by_host[host] - 1
        if left:
            self._busy_by_host[host] = left
        else:
            del self._busy_by_host[host]
        self._dispatch()

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        await self.acquire(host)
        try:
            yield
        finally:
            self.release(host)

    def _forget(self, host: str, future: asyncio.Future[None]) -> None:
        queue = self._waiters.get(host)
        if queue is None:
            return
        with contextlib.suppress(ValueError):
            queue.remove(future)
        if not queue:
            del self._waiters[host]

    def _dispatch(self) -> None:
        granted = True
        while granted and self._busy < self._total:
            granted = False
            for host in list(self._waiters):
                if self._busy >= self._total:
                    return
                if self._busy_by_host.get(host, 0) >= self._per_host:
                    continue
                queue = self._waiters.pop(host)
                future = queue.popleft()
                if queue:
                    self._waiters[host] = queue  # to the back of the line: round robin across hosts
                if future.done():
                    granted = True
                    continue
                self._take(host)
                future.set_result(None)
                granted = True


def http_detail(http_status: int) -> str:
    try:
        return f"{http_status} {HTTPStatus(http_status).phrase}"
    except ValueError:
        return f"HTTP {http_status}"


def judge_http_status(http_status: int) -> Verdict | None:
    """The status a non-2xx final answer means; None for 2xx (the page itself must be judged)."""
    detail = http_detail(http_status)
    if 200 <= http_status <= 299:
        return None
    if http_status in (401, 403, 429, 451):
        return Verdict(Status.BLOCKED, detail, None)
    if http_status in (404, 410):
        return Verdict(Status.DEAD, detail, None)
    if 400 <= http_status <= 499:
        return Verdict(Status.DEAD, f"{detail} (client error)", None)
    if 500 <= http_status <= 599:
        return Verdict(Status.SERVER_ERROR, detail, None)
    if 300 <= http_status <= 399:
        return Verdict(Status.CONNECTION_ERROR, f"{detail} without a usable Location", None)
    return Verdict(Status.CONNECTION_ERROR, f"unexpected answer: {detail}", None)


def _seconds(value: float) -> str:
    return f"{value:g}"


def _with_attempts(detail: str, attempts: int) -> str:
    return f"{detail} (after {attempts} attempts)" if attempts > 1 else detail


def _proxy_hosts() -> tuple[str, ...]:
    """Hosts of the proxies in the environment: the user chose them, so the address guard trusts them."""
    hosts = []
    for scheme, address in urllib.request.getproxies().items():
        if scheme in ("http", "https", "all"):
            with contextlib.suppress(ValueError):
                host = URL(address).host
                if host:
                    hosts.append(host)
    return tuple(hosts)


ResultCallback = Callable[[CheckResult], None]


class Checker:
    """Checks links and fetches pages for other stages, sharing one session and one set of limits.

    Use as ``async with Checker(config) as checker: results = await checker.check(links)``. A ``resolver``
    passed in is trusted; without one, names resolving to private addresses are refused unless
    ``config.allow_private``.
    """

    def __init__(
        self,
        config: Config,
        *,
        resolver: AbstractResolver | None = None,
        observer: Observer | None = None,
        clock: Callable[[], datetime] | None = None,
        retry_policy: RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.config = config
        self._resolver = resolver
        self._ssl_context = ssl_context  # None: aiohttp's default certificate verification
        self._own_resolver: AbstractResolver | None = None
        self._observer: Observer = observer if observer is not None else NullObserver()
        self._clock = clock if clock is not None else _utc_now
        self._policy = retry_policy if retry_policy is not None else RetryPolicy.from_config(config)
        self._settings = FetchSettings.from_config(config)
        self._limiter = HostLimiter(config.concurrency, config.per_host)
        self._excludes = tuple(re.compile(pattern) for pattern in config.exclude)
        self._session: aiohttp.ClientSession | None = None
        self._checks: dict[str, asyncio.Task[CheckResult]] = {}
        self._probes: dict[tuple[str, str], asyncio.Task[Page | None]] = {}

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("Checker is not open: use `async with Checker(...)`")
        return self._session

    @property
    def limiter(self) -> HostLimiter:
        return self._limiter

    async def __aenter__(self) -> Checker:
        resolver = self._resolver
        if resolver is None:
            inner = DefaultResolver()
            self._own_resolver = inner if self.config.allow_private else GuardedResolver(
                inner, trusted=(*_proxy_hosts(), *archive_hosts(self.config))
            )
            resolver = self._own_resolver
        connector = aiohttp.TCPConnector(
            resolver=resolver,
            limit=0,
            limit_per_host=0,
            ssl=self._ssl_context if self._ssl_context is not None else True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=True,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookie-check redirects work on IP addresses too
            headers={"User-Agent": self.config.user_agent, **dict(self.config.headers)},
            max_line_size=MAX_LINE_SIZE,
            max_field_size=MAX_FIELD_SIZE,
            max_headers=MAX_HEADERS,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        pending = [task for task in (*self._checks.values(), *self._probes.values()) if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._own_resolver is not None:
            await self._own_resolver.close()
            self._own_resolver = None

    async def check(
        self, links: Sequence[Link], on_result: ResultCallback | None = None
    ) -> list[CheckResult]:
        """Results in the order of ``links``; ``on_result`` is called as each one completes."""
        self.session  # noqa: B018 - fail early when not open
        self._observer.stage("check", len(links))
        results: list[CheckResult | None] = [None] * len(links)
        waiting: dict[asyncio.Task[CheckResult], list[int]] = {}
        for index, link in enumerate(links):
            waiting.setdefault(self._task_for(link), []).append(index)
        finished: asyncio.Queue[asyncio.Task[CheckResult]] = asyncio.Queue()
        for task in waiting:  # a callback per task: no rescan of thousands of pending tasks per completion
            task.add_done_callback(finished.put_nowait)
        for _ in range(len(waiting)):
            task = await finished.get()
            shared = task.result()
            for index in waiting[task]:
                link = links[index]
                result = replace(shared, url=link.url, normalized=link.normalized)
                results[index] = result
                if on_result is not None:
                    on_result(result)
                self._observer.advance()
        return [result for result in results if result is not None]

    async def fetch_page(self, url: str, *, limited: bool = True) -> Page:
        """A page for any HTTP answer (after retries); a ``FetchError`` when none came."""
        gate: Gate = self._limiter.slot if limited else no_gate
        session = self.session
        attempted = await self._policy.run(lambda: fetch(session, url, self._settings, gate=gate))
        if attempted.error is not None:
            raise attempted.error
        assert attempted.page is not None
        return attempted.page

    def _task_for(self, link: Link) -> asyncio.Task[CheckResult]:
        key = link.normalized or link.url
        task = self._checks.get(key)
        if task is None:
            task = self._checks[key] = asyncio.ensure_future(self._check_link(link))
        return task

    async def _check_link(self, link: Link) -> CheckResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        checked_at = iso_time(self._clock())
        target = link.normalized or link.url
        base = CheckResult(url=link.url, normalized=link.normalized, status=Status.OK, checked_at=checked_at)
        problem = url_scheme_problem(target)
        if problem is not None:
            return replace(base, status=Status.INVALID, detail=problem)
        try:
            parse_target(target)
        except FetchError as error:
            return replace(base, status=error.status, detail=error.detail)
        if any(pattern.search(target) or pattern.search(link.url) for pattern in self._excludes):
            return replace(base, status=Status.SKIPPED, detail="excluded by configuration")
        session = self.session
        attempted = await self._policy.run(
            lambda: fetch(session, target, self._settings, gate=self._limiter.slot)
        )
        if attempted.error is not None:
            result = self._from_error(base, attempted.error, attempted.attempts)
        else:
            assert attempted.page is not None
            result = await self._from_page(base, link, attempted.page, attempted.attempts)
        return replace(result, elapsed_ms=round((loop.time() - started) * 1000))

    def _from_error(self, base: CheckResult, error: FetchError, attempts: int) -> CheckResult:
        if isinstance(error, FetchTimeout):
            noun = "attempt" if attempts == 1 else "attempts"
            detail = f"timed out after {_seconds(self._settings.timeout)} s ({attempts} {noun})"
        else:
            detail = _with_attempts(error.detail, attempts)
        return replace(
            base,
            status=error.status,
            detail=detail,
            http_status=error.http_status,
            redirects=error.redirects,
            final_url=error.redirects[-1] if error.redirects else None,
            attempts=attempts,
        )

    async def _from_page(self, base: CheckResult, link: Link, page: Page, attempts: int) -> CheckResult:
        result = replace(
            base,
            http_status=page.http_status,
            final_url=page.final_url,
            redirects=page.redirects,
            title=page.title,
            attempts=attempts,
        )
        verdict = judge_http_status(page.http_status)
        if verdict is not None and page.http_status in self.config.accept:  # --accept: the user counts it live
            detail = f"{http_detail(page.http_status)}, accepted by configuration (--accept)"
            return replace(result, status=Status.OK, detail=detail)
        if verdict is not None and page.http_status == 404 and is_doi_url(page.final_url):
            verdict = Verdict(Status.DEAD, "DOI not registered", None)  # the resolver does not know it
        if verdict is not None:
            return replace(result, status=verdict.status, detail=_with_attempts(verdict.detail, attempts))
        verdict = classify(page, link)
        if verdict.status.is_success and self.config.probe and not is_homepage(link.normalized):
            verdict = await self._probe_verdict(link, page, verdict)
        verdict = drift_decision(link, page, verdict)  # a live page carrying another work is rot
        return replace(
            result,
            status=verdict.status,
            detail=verdict.detail or http_detail(page.http_status),
            title_match=verdict.title_match,
        )

    async def _probe_verdict(self, link: Link, page: Page, verdict: Verdict) -> Verdict:
        """The soft-404 probe: a host that answers a made-up sibling address with the same page answers
        anything, so its 200 for the cited page proves nothing. One probe per (host, directory) per run."""
        key = probe_key(link.normalized)
        task = self._probes.get(key)
        if task is None:
            sibling = random_sibling(link.normalized)
            task = self._probes[key] = asyncio.ensure_future(self._fetch_probe(sibling))
        probe = await asyncio.shield(task)
        if probe is None or not looks_same(page, probe):
            return verdict
        detail = f"the host answers any address with this page (a made-up sibling {probe.url} got it too)"
        return Verdict(Status.SOFT_404, detail, None)

    async def _fetch_probe(self, url: str) -> Page | None:
        try:
            return await fetch(self.session, url, self._settings, gate=self._limiter.slot)
        except FetchError:
            return None

def is_offline(results: Sequence[CheckResult]) -> bool:
    """True when something was fetched and no host answered anything: the machine, not the web, is down.

    Such a run must not be reported as rot (exit code 3).
    """
    attempted = [result for result in results if not result.status.is_excluded and not result.from_cache]
    if not attempted:
        return False
    return all(result.http_status is None and result.status.is_network_failure for result in attempted)
