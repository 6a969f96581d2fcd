"""The simulated web: the sites of ``sites.py`` and a Wayback-format archive, served on loopback.

``linkaudit demo`` and the end-to-end tests both run this one implementation, so what the demo shows is what
is tested. Cited host names reach the servers only through ``SimulatedWeb.resolver`` (or ``.proxy_url``):
nothing is looked up for real and nothing leaves the machine. Https sites are certified by a throw-away
authority that only ``SimulatedWeb.ssl_context`` trusts.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import TracebackType

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.typedefs import Handler

from .proxy import ForwardProxy
from .sites import ARTICLE, CAPTURES, SAMPLE, SITES, Answer, ArchivedCopy, Site, Transport, redirect
from .tls import CertificateAuthority, self_signed_context
from .wayback import Capture, make_wayback_app

SAMPLE_NAME = SAMPLE
ARTICLE_NAME = ARTICLE
DOCUMENT_NAMES = (SAMPLE_NAME, ARTICLE_NAME)
ARCHIVE_HOST = "web.archive.org"
DEFAULT_SLOW_DELAY = 3.0  # longer than the demo's 1 s timeout, so customsexpert.ru times out
LOOPBACK = "127.0.0.1"
SHUTDOWN_TIMEOUT = 0.5


def document_text(name: str) -> str:
    """A document shipped with the package in ``data/`` (one of ``DOCUMENT_NAMES``)."""
    return resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")


def sample_text() -> str:
    """The sample bibliography shipped with the package (a copy of ``examples/notes.txt``)."""
    return document_text(SAMPLE_NAME)


def article_text() -> str:
    """The bilingual article written for the demo: the reference problems the sample does not show."""
    return document_text(ARTICLE_NAME)


@dataclass(frozen=True)
class LoggedRequest:
    host: str  # Host header without the port, lowercased
    path: str  # path with query, as sent
    method: str
    time: float  # time.monotonic() on arrival


class RequestLog:
    """Every request the simulated servers saw, and how many each host served at once (now and at most)."""

    def __init__(self) -> None:
        self.entries: list[LoggedRequest] = []
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    def for_host(self, host: str) -> list[LoggedRequest]:
        return [entry for entry in self.entries if entry.host == host]

    def clear(self) -> None:
        self.entries.clear()
        self.peak.clear()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request_host(request)
        self.entries.append(LoggedRequest(host, request.raw_path, request.method, time.monotonic()))
        self.in_flight[host] += 1
        self.peak[host] = max(self.peak[host], self.in_flight[host])
        try:
            return await handler(request)
        finally:
            self.in_flight[host] -= 1


def request_host(request: web.Request) -> str:
    host = request.headers.get("Host", "")
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].lower().rstrip(".") if ":" in host else host.lower().rstrip(".")


Target = tuple[str, int]


class SimulatedResolver(AbstractResolver):
    """Maps (host name, port) onto loopback servers; a name it does not know fails as DNS does.

    A known name on a port nothing serves (e.g. 443 of a plain-HTTP site) maps to a closed port, so the
    connection is refused as it would be on the real host. The system resolver is never asked.
    """

    def __init__(self, targets: Mapping[str, Mapping[int, Target]], closed: Target) -> None:
        self._targets = {host.lower(): dict(ports) for host, ports in targets.items()}
        self._closed = closed

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(self._targets)

    def target(self, host: str, port: int) -> Target | None:
        ports = self._targets.get(host.lower().rstrip("."))
        if ports is None:
            return None
        return ports.get(port, self._closed)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        target = self.target(host, port)
        if target is None:
            raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {host}")
        address, mapped = target
        return [
            {
                "hostname": host,
                "host": address,
                "port": mapped,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def listening_socket(address: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A TCP socket bound on ``address`` (an ephemeral port unless given), ready for ``web.SockSite``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def to_capture(copy: ArchivedCopy) -> Capture:
    return Capture(
        original=copy.original,
        timestamp=copy.timestamp,
        status=copy.status,
        body=copy.body,
        content_type=copy.content_type,
        redirect_to=copy.redirect_to,
    )


def _response(answer: Answer) -> web.Response:
    headers: dict[str, str] = {}
    if answer.content_type is not None:
        headers["Content-Type"] = answer.content_type
    if answer.location is not None:
        headers["Location"] = answer.location
    return web.Response(status=answer.status, body=answer.body, headers=headers)


class SimulatedWeb:
    """``async with SimulatedWeb() as simulated``: the cited sites, the archive and a proxy, on loopback.

    ``slow_delay`` is how long the slow host takes to answer: keep it above the checker's timeout.
    """

    def __init__(
        self,
        *,
        slow_delay: float = DEFAULT_SLOW_DELAY,
        sites: Sequence[Site] = SITES,
        captures: Sequence[ArchivedCopy] = CAPTURES,
    ) -> None:
        self.slow_delay = slow_delay
        self.sites = tuple(sites)
        self.captures = tuple(captures)
        self.log = RequestLog()
        self.wayback_app = make_wayback_app([to_capture(copy) for copy in self.captures])
        self._by_host = {site.host: site for site in self.sites}
        self._runners: list[web.AppRunner] = []
        self._closed_socket: socket.socket | None = None
        self._proxy: ForwardProxy | None = None
        self._resolver: SimulatedResolver | None = None
        self._wayback_port = 0
        self._authority: CertificateAuthority | None = None

    # -- what callers use ---------------------------------------------------------------------------------

    @property
    def resolver(self) -> SimulatedResolver:
        if self._resolver is None:
            raise RuntimeError("the simulated web is not running")
        return self._resolver

    @property
    def proxy_url(self) -> str:
        if self._proxy is None:
            raise RuntimeError("the simulated web is not running")
        return self._proxy.url

    @property
    def proxy(self) -> ForwardProxy:
        if self._proxy is None:
            raise RuntimeError("the simulated web is not running")
        return self._proxy

    @property
    def wayback_url(self) -> str:
        if not self._wayback_port:
            raise RuntimeError("the simulated web is not running")
        return f"http://{LOOPBACK}:{self._wayback_port}"

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the simulated https sites (not the self-signed one), for ``Audit``."""
        if self._authority is None:
            raise RuntimeError("the simulated web is not running")
        return self._authority.client_context()

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every simulated host name that resolves (the archive's included)."""
        return self.resolver.hosts

    def site(self, host: str) -> Site:
        return self._by_host[host]

    # -- lifecycle ----------------------------------------------------------------------------------------

    async def __aenter__(self) -> SimulatedWeb:
        try:
            await self.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._closed_socket = closed
        closed.bind((LOOPBACK, 0))  # bound but never listening: connections to it are refused
        closed_target: Target = (LOOPBACK, int(closed.getsockname()[1]))

        sites_app = web.Application(middlewares=[self.log.middleware])
        sites_app.router.add_route("*", "/{path:.*}", self._serve)
        sites_runner = await self._runner(sites_app)
        http_port = await self._listen(sites_runner)
        self._authority = CertificateAuthority.create()
        https_ports: dict[str, int] = {}  # one listener per https host, each with its own certificate
        for site in self.sites:
            if site.transport is Transport.HTTPS:
                context = self._authority.server_context(site.host)
            elif site.transport is Transport.HTTPS_UNTRUSTED:
                context = self_signed_context(site.host)
            else:
                continue
            https_ports[site.host] = await self._listen(sites_runner, ssl_context=context)

        self.wayback_app.middlewares.insert(0, self.log.middleware)
        self._wayback_port = await self._listen(await self._runner(self.wayback_app))

        targets: dict[str, dict[int, Target]] = {}
        for site in self.sites:
            if site.transport is Transport.UNRESOLVABLE:
                continue
            if site.transport is Transport.REFUSED:
                targets[site.host] = {}
                continue
            targets[site.host] = {80: (LOOPBACK, http_port)}
            if site.host in https_ports:
                targets[site.host][443] = (LOOPBACK, https_ports[site.host])
        targets[ARCHIVE_HOST] = {80: (LOOPBACK, self._wayback_port)}
        self._resolver = SimulatedResolver(targets, closed_target)
        self._proxy = ForwardProxy(self._resolver)
        await self._proxy.start()

    async def close(self) -> None:
        if self._proxy is not None:
            await self._proxy.close()
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        if self._closed_socket is not None:
            self._closed_socket.close()
            self._closed_socket = None

    async def _runner(self, app: web.Application) -> web.AppRunner:
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            handler_cancellation=True,  # a client that gives up (timeout) ends the slow handler too
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        self._runners.append(runner)
        return runner

    async def _listen(self, runner: web.AppRunner, *, ssl_context: ssl.SSLContext | None = None) -> int:
        sock = listening_socket()
        port = int(sock.getsockname()[1])
        await web.SockSite(runner, sock, ssl_context=ssl_context).start()
        return port

    # -- the sites ----------------------------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        site = self._by_host.get(request_host(request))
        if site is None:
            return web.Response(status=421, text=f"{request_host(request)} is not served here\n")
        if site.slow:
            await asyncio.sleep(self.slow_delay)
        if request.secure and site.secure is not None:
            return _response(site.secure)
        if site.transport is Transport.HTTPS and not request.secure:
            return _response(redirect(301, f"https://{site.host}{request.raw_path}"))
        return _response(site.answer(request.raw_path))

