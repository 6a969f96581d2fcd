"""The checker: one aiohttp session, global and per-host limits, each unique URL fetched once per run.

Slots are granted across hosts, so a list grouped by host never leaves global slots queued behind one busy
host; retries wait outside any slot. A 2xx page is then judged (soft 404, parked, homepage redirect) before it
counts as alive, since "200 OK" alone is not evidence that the cited page is still there.

Containment: whatever goes wrong while checking one link (a server's bytes, a bug) becomes that link's result
with a one-line detail; nothing raised while checking one link leaves ``check``. A run whose network is broken
(offline, or a portal answering for every host) is seen from its first requests and stopped early
(``check/offline.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import socket
import ssl
import threading
import urllib.request
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime, timezone
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

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
    DnsFailure,
    EnvironmentProxies,
    FetchError,
    FetchSettings,
    FetchTimeout,
    Gate,
    PrivateAddress,
    archive_hosts,
    fetch,
    fetch_with_body,
    host_key,
    literal_address,
    no_gate,
    origin_of,
    parse_target,
    quote,
)
from .offline import ARCHIVE_CHECK_TIMEOUT, NetworkProblem, NetworkWatch, fingerprint
from .resolve import PRIVATE_DETAIL, GuardedResolver, is_private_address
from .retry import Attempted, RetryPolicy
from .verdict import PageView, Verdict, classify, looks_same, probe_key, random_sibling, read_page

MAX_LINE_SIZE = 16 * 1024
MAX_FIELD_SIZE = 64 * 1024
MAX_HEADERS = 256
CHECK_WINDOW = 4  # checks started ahead per request slot (the rest wait as plain list entries, not as tasks)
CHECK_WINDOW_MIN = 256
VERDICT_BACKLOG = 32  # pages waiting for the verdict thread at most, before new requests wait for room
OFF_LOOP_CHARS = 64 * 1024  # pages this long are read in the verdict thread (the parser releases the GIL)
DETAIL_LIMIT = 500  # a result's detail is one line of at most this many characters
WATCH_INTERVAL = 0.5  # seconds between looks at the network watch while a check runs
PROXY_UNRESOLVED = (
    "not checked: a proxy is in use and the name does not resolve here, so it cannot be told from a private "
    "address (use --allow-private)"
)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


_LAST_TIME: list[tuple[datetime | None, str]] = [(None, "")]


def iso_time(moment: datetime) -> str:
    """The moment to the second, as text; checks made within one second share one string."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    second = moment.replace(microsecond=0)
    last, text = _LAST_TIME[0]
    if last != second:
        text = second.strftime("%Y-%m-%dT%H:%M:%SZ")
        _LAST_TIME[0] = (second, text)
    return text


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

    async def acquire(self, host: str, *, first: bool = False) -> None:
        """Wait for a slot for ``host``; ``first`` jumps that host's queue (the soft-404 probe, which other
        results wait for)."""
        if host not in self._waiters and self._free(host):
            self._take(host)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiters.setdefault(host, deque())
        if first:
            queue.appendleft(future)
        else:
            queue.append(future)
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

    def slot(self, host: str) -> AbstractAsyncContextManager[None]:
        """A slot for ``host`` while the block runs."""
        return _Slot(self, host)

    def first_slot(self, host: str) -> AbstractAsyncContextManager[None]:
        """A slot granted before those of the host's queued requests."""
        return _Slot(self, host, first=True)

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


@functools.lru_cache(maxsize=1024)  # a run sees few distinct statuses; HTTPStatus(...) is an enum look-up each time
def http_detail(http_status: int) -> str:
    try:
        return f"{http_status} {HTTPStatus(http_status).phrase}"
    except ValueError:
        return f"HTTP {http_status}"


def judge_http_status(http_status: int) -> Verdict | None:
    """The status a non-2xx final answer means; None for 2xx (the page itself must be judged)."""
    if 200 <= http_status <= 299:
        return None
    detail = http_detail(http_status)
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


def clean_detail(text: str) -> str:
    """A result's detail as reports show it: one line, no control characters (NUL…), bounded length."""
    return quote(text, DETAIL_LIMIT)


def _environment_proxies() -> dict[str, str]:
    """The proxies the environment names for web requests, by scheme (``http``, ``https``, ``all``)."""
    return {
        scheme: address
        for scheme, address in urllib.request.getproxies().items()
        if scheme in ("http", "https", "all")
    }


def _proxy_hosts(proxies: dict[str, str]) -> tuple[str, ...]:
    """Hosts of the proxies in the environment: the user chose them, so the address guard trusts them."""
    hosts = []
    for address in proxies.values():
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
        self._checks: dict[str, asyncio.Task[CheckResult]] = {}  # running
        self._done: dict[str, CheckResult] = {}  # finished: the result only
        self._probes: dict[tuple[str, str], asyncio.Task[PageView | None]] = {}
        self._verdicts: _VerdictThread | None = None  # one thread: page parsing off the event loop
        self._fetching: aiohttp.ClientSession | None = None
        self._environment_proxies = EnvironmentProxies()
        self._archive_settings = self._settings.for_archive(config)
        self._guarded_names: frozenset[str] = frozenset()  # names the resolver trusts (archives, proxies)
        self._lookup: AbstractResolver | None = None  # the real resolver, for checks made before connecting
        self._lookups: dict[str, asyncio.Task[list[str]]] = {}
        self._proxies: dict[str, str] = {}
        self._watch: NetworkWatch | None = None
        self.network_problem: NetworkProblem | None = None  # set when the run was stopped as offline/captive
        self.archive_reachable: bool | None = None  # known once the archive was asked during the check

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("Checker is not open: use `async with Checker(...)`")
        return self._session

    @property
    def _fetch_session(self) -> aiohttp.ClientSession:
        if self._fetching is None:
            raise RuntimeError("Checker is not open: use `async with Checker(...)`")
        return self._fetching

    @property
    def limiter(self) -> HostLimiter:
        return self._limiter

    async def __aenter__(self) -> Checker:
        resolver = self._resolver
        if resolver is None:
            inner = DefaultResolver()
            proxies = _environment_proxies()
            trusted = (*_proxy_hosts(proxies), *archive_hosts(self.config))
            self._own_resolver = inner if self.config.allow_private else GuardedResolver(inner, trusted=trusted)
            resolver = self._own_resolver
            if not self.config.allow_private:
                self._lookup = inner
                self._guarded_names = frozenset(host.lower().rstrip(".") for host in trusted)
                self._proxies = proxies
        connector = aiohttp.TCPConnector(
            resolver=resolver,
            limit=0,
            limit_per_host=0,
            ssl=self._ssl_context if self._ssl_context is not None else True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=True,
            # No shared jar: fetch keeps each redirect chain's cookies to itself, so one chain's cookies never
            # disguise another's loop (and checks do not track each other).
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.config.user_agent, **dict(self.config.headers)},
            max_line_size=MAX_LINE_SIZE,
            max_field_size=MAX_FIELD_SIZE,
            max_headers=MAX_HEADERS,
        )
        # aiohttp silently repeats a request whose kept-alive connection was closed; check/retry.py is the one
        # place that decides retries, and ``attempts`` must count every request made.
        self._session._retry_connection = False
        # The checks' own session, on the same connections: it does not read the environment per request (two
        # thread hops each); fetch is told the proxy instead. The first session stays for the archive clients.
        self._fetching = aiohttp.ClientSession(
            connector=connector,
            connector_owner=False,
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.config.user_agent, **dict(self.config.headers)},
            max_line_size=MAX_LINE_SIZE,
            max_field_size=MAX_FIELD_SIZE,
            max_headers=MAX_HEADERS,
        )
        self._fetching._retry_connection = False
        self._verdicts = _VerdictThread(asyncio.get_running_loop())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        tasks: list[asyncio.Future[Any]] = [*self._checks.values(), *self._probes.values(), *self._lookups.values()]
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self._fetching is not None:
            await self._fetching.close()
            self._fetching = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._own_resolver is not None:
            await self._own_resolver.close()
            self._own_resolver = None
        if self._verdicts is not None:
            self._verdicts.stop()
            self._verdicts = None

    async def check(
        self, links: Sequence[Link], on_result: ResultCallback | None = None
    ) -> list[CheckResult]:
        """Results in the order of ``links``; ``on_result`` is called as each one completes.

        Checks are started a window at a time (``CHECK_WINDOW`` per request slot), taking the hosts in turn, so
        a list of 100,000 links never holds 100,000 suspended checks, and a list grouped by host still keeps
        every host's slots busy.
        """
        self.session  # noqa: B018 - fail early when not open
        self._observer.stage("check", len(links))
        results: list[CheckResult | None] = [None] * len(links)
        if self._watch is None:
            loop = asyncio.get_running_loop()
            self._watch = NetworkWatch(loop.time, timeout=self._settings.timeout)
        run = _CheckRun(links, window=max(CHECK_WINDOW_MIN, CHECK_WINDOW * self.config.concurrency))
        finished: asyncio.Queue[asyncio.Future[CheckResult]] = asyncio.Queue()

        def start_more() -> None:
            while run.pending and len(run.running) < run.window and not run.stopped:
                indexes = run.take()
                task = self._task_for(links[indexes[0]])
                if task in run.running:
                    run.running[task].extend(indexes)
                    continue
                run.running[task] = indexes
                task.add_done_callback(finished.put_nowait)  # no rescan of pending tasks per completion

        start_more()
        watcher = asyncio.ensure_future(self._watch_network(run))
        try:
            while run.running:
                task = await finished.get()
                indexes = run.running.pop(task)
                if task.cancelled():  # stopped because the network is broken: not a result, never stored
                    self._fill_not_checked(results, indexes, links)
                    continue
                shared = task.result()
                for index in indexes:
                    link = links[index]
                    result = shared
                    if link.url != shared.url or link.normalized != shared.normalized:
                        result = replace(shared, url=link.url, normalized=link.normalized)
                    results[index] = result
                    if on_result is not None:
                        on_result(result)
                    self._observer.advance()
                start_more()
            while run.pending:  # never started: the run was stopped
                self._fill_not_checked(results, run.take(), links)
        except BaseException:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            raise
        run.finished.set()  # the watcher takes its last look now, not after its interval's sleep
        await watcher  # its last look, over the whole run (a portal can answer everything within a second)
        return [result for result in results if result is not None]

    def _fill_not_checked(self, results: list[CheckResult | None], indexes: list[int], links: Sequence[Link]) -> None:
        shared = self._not_checked(indexes, links)
        for index in indexes:
            results[index] = replace(shared, url=links[index].url, normalized=links[index].normalized)

    def _not_checked(self, indexes: list[int], links: Sequence[Link]) -> CheckResult:
        link = links[indexes[0]]
        problem = self.network_problem
        detail = "not checked: " + (problem.detail if problem is not None else "the run was stopped")
        return CheckResult(
            url=link.url, normalized=link.normalized, status=Status.CONNECTION_ERROR, detail=clean_detail(detail)
        )

    async def _watch_network(self, run: _CheckRun) -> None:
        """Looks at the network watch while checks run; when it is suspect, asks the archive once, and stops
        every check left when the archive confirms the network is broken."""
        watch = self._watch
        assert watch is not None
        while not watch.settled:
            finished = not run.pending and all(task.done() for task in run.running)
            common = watch.common_page()
            if common is None and not watch.suspect_offline():
                if finished:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(run.finished.wait(), WATCH_INTERVAL)
                continue
            problem = await self._network_verdict(watch, common)
            if problem is None:
                watch.settled = True
                return
            self.network_problem = problem
            run.stopped = True
            for task in list(run.running):
                task.cancel()
            return

    async def _network_verdict(self, watch: NetworkWatch, common: tuple[int, str] | None) -> NetworkProblem | None:
        """Asks the configured archive: a network failure there too (or the very page every host gave) means the
        network is broken; a normal answer means the cited hosts are really failing."""
        try:
            page = await self._ask_archive()
        except Exception:  # noqa: BLE001 - FetchError, or anything the archive's answer causes: never stops the check
            page = None
        self.archive_reachable = page is not None
        if common is not None:
            if page is not None and fingerprint(page) != common:
                return None
            status = common[0]
            return NetworkProblem(
                "captive",
                f"{watch.hosts_answered()} distinct cited hosts all answered with one identical page (HTTP "
                f"{status}){' and so did the archive' if page is not None else ', and the archive cannot be reached'}"
                ": a proxy or captive portal is answering for the web, so nothing is reported as rot",
            )
        if page is not None:
            return None
        if not watch.suspect_offline():  # a host answered while the archive was asked
            return None
        return NetworkProblem(
            "offline",
            f"{watch.hosts_failed()} distinct cited hosts failed at the network level, none answered, and the "
            "archive cannot be reached either: this machine looks offline, so nothing is reported as rot",
        )

    async def _ask_archive(self) -> Page:
        """One request to the configured archive, bounded in time, outside the per-host limits."""
        timeout = min(self._settings.timeout, ARCHIVE_CHECK_TIMEOUT)
        settings = replace(
            self._archive_settings, timeout=timeout, connect_timeout=min(self._settings.connect_timeout, timeout)
        )
        return await asyncio.wait_for(self._fetch(self.config.wayback_url, settings, archive=True), timeout + 1)

    def _fetch(
        self, url: str, settings: FetchSettings, *, gate: Gate = no_gate, archive: bool = False
    ) -> Awaitable[Page]:
        """``fetch`` on the checks' session and proxies, guarded as a cited URL or (``archive``) as an archive's."""
        return fetch(
            self._fetch_session,
            url,
            settings,
            gate=gate,
            guard=self._archive_guard if archive else self._check_guard,
            proxies=self._environment_proxies,
        )

    def _fetch_with_body(
        self, url: str, settings: FetchSettings, *, gate: Gate, parsed: URL | None = None
    ) -> Awaitable[tuple[Page, bytes | None]]:
        """``_fetch`` for a cited URL, with the body when the page's text is it decoded as UTF-8 (for the parser)."""
        return fetch_with_body(
            self._fetch_session,
            url,
            settings,
            gate=gate,
            guard=self._check_guard,
            proxies=self._environment_proxies,
            parsed=parsed,
        )

    async def fetch_page(self, url: str, *, limited: bool = True) -> Page:
        """A page for any HTTP answer (after retries); a ``FetchError`` when none came.

        For the archive stage: the configured archives' origins pass the private-address guard here (and
        only here: a cited URL on the same host is guarded like any other).
        """
        gate: Gate = self._limiter.slot if limited else no_gate
        attempted = await self._policy.run(lambda: self._fetch(url, self._archive_settings, gate=gate, archive=True))
        if attempted.error is not None:
            raise attempted.error
        assert attempted.page is not None
        return attempted.page

    def _task_for(self, link: Link) -> asyncio.Future[CheckResult]:
        """The running check of the link's URL, or its result when this checker already has one. A finished
        check keeps only its result, not its task (about 1 KB less per link at 100,000 links)."""
        key = link.normalized or link.url
        done = self._done.get(key)
        if done is not None:
            future: asyncio.Future[CheckResult] = asyncio.get_running_loop().create_future()
            future.set_result(done)
            return future
        task = self._checks.get(key)
        if task is None:
            task = self._checks[key] = asyncio.ensure_future(self._check_link(link))
            task.add_done_callback(functools.partial(self._check_done, key))
        return task

    def forget_results(self) -> None:
        """Lets go of the finished checks' results, kept so that a URL asked again is not fetched again: a caller
        that holds the results itself (100,000 of them) need not hold them twice."""
        self._done = {}

    def _check_done(self, key: str, task: asyncio.Task[CheckResult]) -> None:
        if self._checks.get(key) is task:
            del self._checks[key]
        if not task.cancelled() and task.exception() is None:
            self._done[key] = task.result()

    async def archive_answers(self) -> bool:
        """Whether the configured archive answers anything at all (asked once per run, bounded in time)."""
        if self.archive_reachable is None:
            try:
                await self._ask_archive()
            except Exception:  # noqa: BLE001 - FetchError, or anything else the archive's bytes cause
                self.archive_reachable = False
            else:
                self.archive_reachable = True
        return self.archive_reachable

    async def _check_link(self, link: Link) -> CheckResult:
        """One link's result, whatever happens: an unexpected exception becomes ``connection_error`` with a
        one-line detail (containment), never an exception out of the engine."""
        checked_at = iso_time(self._clock())
        base = CheckResult(url=link.url, normalized=link.normalized, status=Status.OK, checked_at=checked_at)
        try:
            result = await self._check_link_unguarded(link, base)
        except FetchError as error:
            result = replace(base, status=error.status, detail=error.detail, http_status=error.http_status)
        except Exception as error:  # noqa: BLE001 - containment: a bug or a hostile answer stays with its link
            reason = str(error).strip() or "no message"
            result = replace(
                base, status=Status.CONNECTION_ERROR, detail=f"could not be checked: {type(error).__name__}: {reason}"
            )
        detail = clean_detail(result.detail)
        title = None if result.title is None else quote(result.title, len(result.title) + 1) or None
        if detail == result.detail and title == result.title:
            return result  # already one clean line (the usual case): no copy
        return replace(result, detail=detail, title=title)

    async def _check_link_unguarded(self, link: Link, base: CheckResult) -> CheckResult:
        loop = asyncio.get_running_loop()
        target = link.normalized or link.url
        problem = url_scheme_problem(target)
        if problem is not None:
            return replace(base, status=Status.INVALID, detail=problem)
        try:
            parsed = parse_target(target)
        except FetchError as error:
            return replace(base, status=error.status, detail=error.detail)
        first_host = host_key(parsed)
        if any(pattern.search(target) or pattern.search(link.url) for pattern in self._excludes):
            return replace(base, status=Status.SKIPPED, detail="excluded by configuration")
        granted: list[float] = []  # when the first request got its slot: elapsed_ms measures requests, not queues
        bodies: list[tuple[Page, bytes | None]] = []  # the last attempt's page and its UTF-8 body
        attempted = await self._policy.run(lambda: self._attempt(target, parsed, first_host, granted, bodies))
        elapsed_ms = round((loop.time() - (granted[0] if granted else loop.time())) * 1000)
        if attempted.error is not None:
            return self._from_error(base, attempted.error, attempted.attempts, elapsed_ms)
        assert attempted.page is not None
        utf8 = bodies[-1][1] if bodies and bodies[-1][0] is attempted.page else None
        return await self._from_page(base, link, attempted, elapsed_ms, utf8)

    async def _attempt(
        self,
        target: str,
        parsed: URL,
        first_host: str,
        granted: list[float],
        bodies: list[tuple[Page, bytes | None]],
    ) -> Page:
        """One request (with its redirects) for a check, seen by the network watch (under ``first_host``, the
        cited URL's host key); ``bodies`` is given the page and its UTF-8 body. ``parsed``: the target parsed."""
        watch = self._watch
        room = self._verdicts.room if self._verdicts is not None else None
        gate = _AttemptGate(self._limiter, watch, first_host, granted, room)
        try:
            page, utf8 = await self._fetch_with_body(target, self._settings, gate=gate, parsed=parsed)
        except FetchError as error:
            if watch is not None and error.status.is_network_failure and error.http_status is None:
                watch.failed(first_host)
            raise
        else:
            if watch is not None:
                watch.answered(first_host, page)
            bodies[:] = [(page, utf8)]
            return page
        finally:
            if watch is not None and gate.request is not None:
                watch.request_ended(first_host, gate.request)

    # -- the private-address guard before dialling -----------------------------------------------------------

    async def _check_guard(self, url: URL) -> None:
        await self._guard(url, archive=False)

    async def _archive_guard(self, url: URL) -> None:
        await self._guard(url, archive=True)

    async def _guard(self, url: URL, *, archive: bool) -> None:
        """What the resolver cannot see: a name sent to a proxy (the proxy resolves it) and a name the resolver
        trusts because an archive or proxy lives there. Both are resolved here and refused when private; the
        configured archive's origin (scheme, host, port) is exempt for archive requests only."""
        if self._lookup is None:  # --allow-private, or a resolver passed in (trusted)
            return
        if archive and origin_of(url) in self._archive_settings.trusted_origins:
            return
        host = (url.raw_host or "").lower().rstrip(".")
        if not host or literal_address(host) is not None:  # literal addresses are guarded in fetch
            return
        proxied = self._proxied(url)
        if not proxied and host not in self._guarded_names:
            return  # the guarded resolver checks it when connecting
        try:
            addresses = await self._resolve_here(host, url.port or 80)
        except Exception as exc:  # noqa: BLE001 - any failure to resolve means the guard cannot pass it
            if proxied:
                raise PrivateAddress(PROXY_UNRESOLVED, url=str(url)) from exc
            raise DnsFailure(f"host {host} does not resolve", url=str(url)) from exc
        for address in addresses:
            if is_private_address(address):
                raise PrivateAddress(PRIVATE_DETAIL, url=str(url))

    def _proxied(self, url: URL) -> bool:
        if not self._proxies:
            return False
        if url.scheme not in self._proxies and "all" not in self._proxies:
            return False
        return not urllib.request.proxy_bypass(url.raw_host or "")

    async def _resolve_here(self, host: str, port: int) -> list[str]:
        task = self._lookups.get(host)
        if task is None:
            task = self._lookups[host] = asyncio.ensure_future(self._addresses(host, port))
        return await asyncio.shield(task)

    async def _addresses(self, host: str, port: int) -> list[str]:
        assert self._lookup is not None
        answers = await self._lookup.resolve(host, port, socket.AF_UNSPEC)
        return [str(answer["host"]) for answer in answers]

    def _from_error(self, base: CheckResult, error: FetchError, attempts: int, elapsed_ms: int) -> CheckResult:
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
            elapsed_ms=elapsed_ms,
        )

    async def _from_page(
        self, base: CheckResult, link: Link, attempted: Attempted, elapsed_ms: int, utf8: bytes | None = None
    ) -> CheckResult:
        page, attempts = attempted.page, attempted.attempts
        assert page is not None

        def result(status: Status, detail: str, title_match: bool | None = None) -> CheckResult:
            return CheckResult(  # every field but ``base``'s own three given: made at once, not by replace()
                url=base.url,
                normalized=base.normalized,
                checked_at=base.checked_at,
                status=status,
                detail=detail,
                http_status=page.http_status,
                final_url=link.url if page.final_url == link.url else page.final_url,  # one string, not two
                redirects=page.redirects,
                title=page.title,
                title_match=title_match,
                attempts=attempts,
                elapsed_ms=elapsed_ms,
                from_cache=base.from_cache,
            )

        verdict = judge_http_status(page.http_status)
        if verdict is not None and page.http_status in self.config.accept:  # --accept: the user counts it live
            detail = f"{http_detail(page.http_status)}, accepted by configuration (--accept)"
            return result(Status.OK, detail)
        if verdict is not None and page.http_status == 404 and is_doi_url(page.final_url):
            verdict = Verdict(Status.DEAD, "DOI not registered", None)  # the resolver does not know it
        if verdict is not None:
            detail = _with_attempts(verdict.detail, attempts)
            if attempted.gave_up is not None:
                detail = f"{detail}: {attempted.gave_up}"
            return result(verdict.status, detail)
        view, verdict = await self._judge(page, link, utf8)
        if verdict.status.is_success and self.config.probe and not is_homepage(link.normalized):
            verdict = await self._probe_verdict(link, view, verdict)
        verdict = drift_decision(link, page, verdict)  # a live page carrying another work is rot
        return result(verdict.status, verdict.detail or http_detail(page.http_status), verdict.title_match)

    async def _judge(self, page: Page, link: Link, utf8: bytes | None = None) -> tuple[PageView, Verdict]:
        """The page read once (a bounded ``PageView``) and judged; a long page in the verdict thread, so the
        loop keeps the other requests moving while the parser (which releases the GIL) works."""
        if self._verdicts is None or len(page.text) < OFF_LOOP_CHARS:
            return _read_and_classify(page, link, utf8)
        return await self._verdicts.judge(page, link, utf8)

    async def _probe_verdict(self, link: Link, page: PageView, verdict: Verdict) -> Verdict:
        """The soft-404 probe: a host that answers a made-up sibling address with the same page answers
        anything, so its 200 for the cited page proves nothing. One probe per (host, directory) per run."""
        key = probe_key(link.normalized)
        task = self._probes.get(key)
        if task is None:
            sibling = random_sibling(link.normalized)
            task = self._probes[key] = asyncio.ensure_future(self._fetch_probe(sibling))
            task.add_done_callback(_consume)
        probe = await asyncio.shield(task)
        if probe is None or not looks_same(page, probe):
            return verdict
        detail = f"the host answers any address with this page (a made-up sibling {probe.url} got it too)"
        return Verdict(Status.SOFT_404, detail, None)

    async def _fetch_probe(self, url: str) -> PageView | None:
        """The probe jumps its host's queue: every 2xx result of that directory waits for it, and a result must
        be final (and stored) as soon as its own request is done, not after the host's whole list."""
        try:
            page, utf8 = await self._fetch_with_body(url, self._settings, gate=self._limiter.first_slot)
            return read_page(page, utf8)  # kept for the run: the bounded view, not the body
        except Exception:  # noqa: BLE001 - a probe that fails proves nothing either way
            return None


class _CheckRun:
    """One ``check`` call's links: the unique URLs not started yet (hosts taken in turn) and those running."""

    def __init__(self, links: Sequence[Link], window: int) -> None:
        # a URL cited once (nearly all) is its index alone; a list only for a URL several links share, so
        # 100,000 pending links are 100,000 ints, not 100,000 one-item lists
        groups: dict[str, int | list[int]] = {}
        for index, link in enumerate(links):
            key = link.normalized or link.url
            known = groups.setdefault(key, index)
            if known != index:
                if isinstance(known, int):
                    groups[key] = known = [known]
                known.append(index)
        by_host: dict[str, deque[int | list[int]]] = {}
        for key, indexes in groups.items():
            first = indexes if isinstance(indexes, int) else indexes[0]
            by_host.setdefault(links[first].host or _host_of(key), deque()).append(indexes)
        hosts = deque(by_host.values())
        self.pending: deque[int | list[int]] = deque()
        while hosts:  # round robin: a window taken from a list grouped by host still spans many hosts
            host = hosts.popleft()
            self.pending.append(host.popleft())
            if host:
                hosts.append(host)
        self.running: dict[asyncio.Future[CheckResult], list[int]] = {}
        self.window = window
        self.stopped = False
        self.finished = asyncio.Event()  # set when every result is in: wakes the network watch

    def take(self) -> list[int]:
        """The indexes of the next URL to start (the links that cite it)."""
        indexes = self.pending.popleft()
        return [indexes] if isinstance(indexes, int) else indexes


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or url).lower()
    except ValueError:
        return url


def _read_and_classify(page: Page, link: Link, utf8: bytes | None = None) -> tuple[PageView, Verdict]:
    view = read_page(page, utf8)
    return view, classify(view, link)


_Job = tuple["asyncio.Future[tuple[PageView, Verdict]]", Page, Link, "bytes | None"]


class _VerdictThread:
    """One thread that reads and judges pages off the event loop (the parser releases the GIL while it works).

    Each verdict is handed back as soon as it is ready, but the loop is woken only when no wake-up is pending:
    verdicts that come while the loop is busy are settled together, one wake-up (a system call on both sides
    and a fight for the GIL) for all of them instead of one per page.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)  # pages queued, or stopped
        self._jobs: deque[_Job] = deque()
        self._judged: list[_Done] = []  # verdicts not yet handed to the loop
        self._wake_pending = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._room: list[asyncio.Future[None]] = []  # requests waiting for the backlog to shrink (loop side)

    async def room(self) -> None:
        """Wait while ``VERDICT_BACKLOG`` pages or more wait to be judged: when pages come faster than the thread
        reads them (a fast network, long pages), each would otherwise be held, body and text, until its turn."""
        while len(self._jobs) >= VERDICT_BACKLOG and not self._stopped:
            future: asyncio.Future[None] = self._loop.create_future()
            self._room.append(future)
            await future

    def judge(self, page: Page, link: Link, utf8: bytes | None) -> asyncio.Future[tuple[PageView, Verdict]]:
        future: asyncio.Future[tuple[PageView, Verdict]] = self._loop.create_future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="linkaudit-verdict", daemon=True)
                self._thread.start()
            self._jobs.append((future, page, link, utf8))
            self._ready.notify()
        return future

    def stop(self) -> None:
        """Let the thread end (after the page it is reading); pages still queued are not read."""
        with self._lock:
            self._stopped = True
            self._jobs.clear()
            self._ready.notify()
        self._make_room()

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._jobs and not self._stopped:
                    self._ready.wait()
                if self._stopped:
                    return
                future, page, link, utf8 = self._jobs.popleft()
            judged = (future, *_judged(page, link, utf8))
            del page, link, utf8  # not kept while the next page is read
            with self._lock:
                self._judged.append(judged)
                if self._wake_pending:
                    continue  # the loop has not settled the last ones yet: it takes this one with them
                self._wake_pending = True
            try:
                self._loop.call_soon_threadsafe(self._settle)
            except RuntimeError:  # the loop is closed: nobody waits for these any more
                return

    def _settle(self) -> None:
        with self._lock:
            done, self._judged = self._judged, []
            self._wake_pending = False
        _settle(done)
        if self._room and len(self._jobs) < VERDICT_BACKLOG:
            self._make_room()

    def _make_room(self) -> None:
        waiting, self._room = self._room, []
        for future in waiting:
            if not future.done():
                future.set_result(None)


_Judged = tuple[tuple[PageView, Verdict] | None, BaseException | None]
_Done = tuple["asyncio.Future[tuple[PageView, Verdict]]", tuple[PageView, Verdict] | None, BaseException | None]


def _judged(page: Page, link: Link, utf8: bytes | None) -> _Judged:
    """The view and verdict, or the exception reading the page raised (for the check to raise, as if it had run
    there)."""
    try:
        return _read_and_classify(page, link, utf8), None
    except BaseException as error:  # noqa: BLE001 - handed to the awaiting check
        return None, error


def _settle(done: list[_Done]) -> None:
    """On the loop: give each waiting check its verdict (or the exception reading its page raised)."""
    for future, value, error in done:
        if future.done():  # the check was cancelled meanwhile
            continue
        if error is not None:
            future.set_exception(error)
        else:
            assert value is not None
            future.set_result(value)


class _AttemptGate:
    """The request slots of one check's attempt (a ``Gate``): each hop waits for its host's slot, then for room in
    the verdict thread's backlog (``room``); the first grant is noted (``elapsed_ms`` measures requests, not
    queues) and so is the request, for the network watch."""

    __slots__ = ("_limiter", "_watch", "_first_host", "_granted", "_room", "request")

    def __init__(
        self,
        limiter: HostLimiter,
        watch: NetworkWatch | None,
        first_host: str,
        granted: list[float],
        room: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._limiter = limiter
        self._watch = watch
        self._first_host = first_host
        self._granted = granted
        self._room = room
        self.request: int | None = None

    def __call__(self, host: str) -> _Slot:
        return _Slot(self._limiter, host, self)

    async def ready(self) -> None:
        """With the slot: wait for room in the verdict backlog (holding the slot, which a backlog leaves idle
        anyway: the pages come faster than they are judged), then note the request."""
        if self._room is not None:
            await self._room()
        self.started()

    def started(self) -> None:
        if not self._granted:
            self._granted.append(asyncio.get_running_loop().time())
        if self._watch is not None and self.request is None:
            self.request = self._watch.request_started(self._first_host)


class _Slot:
    """One request slot for ``host`` while the block runs (``HostLimiter.slot``, without a generator per use)."""

    __slots__ = ("_limiter", "_host", "_gate", "_first")

    def __init__(self, limiter: HostLimiter, host: str, gate: _AttemptGate | None = None, first: bool = False) -> None:
        self._limiter = limiter
        self._host = host
        self._gate = gate
        self._first = first

    async def __aenter__(self) -> None:
        await self._limiter.acquire(self._host, first=self._first)
        if self._gate is not None:
            try:
                await self._gate.ready()
            except BaseException:
                self._limiter.release(self._host)
                raise

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._limiter.release(self._host)


def _consume(task: asyncio.Task[PageView | None]) -> None:
    """Retrieve a finished probe's outcome so a cancelled run logs no 'exception never retrieved'."""
    if not task.cancelled():
        task.exception()

def is_offline(results: Sequence[CheckResult]) -> bool:
    """True when something was fetched and no host answered anything: the machine, not the web, is down.

    Such a run must not be reported as rot (exit code 3).
    """
    attempted = [result for result in results if not result.status.is_excluded and not result.from_cache]
    if not attempted:
        return False
    return all(result.http_status is None and result.status.is_network_failure for result in attempted)
