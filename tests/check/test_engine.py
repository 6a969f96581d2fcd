"""The checker end to end against real aiohttp servers on loopback, one route per behaviour."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from linkaudit.check.engine import Checker, HostLimiter, is_offline, judge_http_status
from linkaudit.check.fetch import DnsFailure
from linkaudit.check.resolve import MappingResolver
from linkaudit.check.verdict import PageView, Verdict, classify
from linkaudit.config import Config
from linkaudit.models import CheckResult, Link, Page
from linkaudit.status import Status

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]
ConfigFactory = Callable[..., Config]
LinkFactory = Callable[[str], Link]

TITLE_RU = "Послание Президента Республики Казахстан народу Казахстана"
PAGE_RU = (
    f"<html><head><title>{TITLE_RU}</title></head><body><p>Стратегия «Казахстан-2050»: "
    "новый политический курс состоявшегося государства.</p></body></html>"
)


def html_page(title: str, body: str = "content") -> str:
    return f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>"


class Site:
    """One aiohttp app with a route per behaviour; ``hits`` counts requests per path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.app = web.Application(middlewares=[self._count])
        self.app.router.add_get("/{tail:.*}", self._route)

    @web.middleware
    async def _count(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.hits[request.path] += 1
        return await handler(request)

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        hits = self.hits[path]
        if path == "/cp1251":
            return web.Response(
                body=PAGE_RU.encode("cp1251"), headers={"Content-Type": "text/html; charset=windows-1251"}
            )
        if path.startswith("/status/"):
            return web.Response(status=int(path.rsplit("/", 1)[1]), text="no")
        if path == "/chain/1":
            raise web.HTTPMovedPermanently("/chain/2")
        if path == "/chain/2":
            raise web.HTTPFound("/chain/3")
        if path == "/loop/a":
            raise web.HTTPFound("/loop/b")
        if path == "/loop/b":
            raise web.HTTPFound("/loop/a")
        if path == "/limited":
            if hits == 1:
                return web.Response(status=429, headers={"Retry-After": "1"})
            return web.Response(text=html_page("Finally"), content_type="text/html")
        if path == "/flaky":
            if hits <= 2:
                return web.Response(status=503)
            return web.Response(text=html_page("Recovered"), content_type="text/html")
        if path == "/slow":
            await asyncio.sleep(5)
        if path == "/report.pdf":
            return web.Response(body=b"%PDF-1.4\n" + b"0" * 200_000, content_type="application/pdf")
        if path == "/big":
            return web.Response(text=html_page("Big page", "x" * 300_000), content_type="text/html")
        if path == "/gzip":
            body = gzip.compress(html_page("Сжатая страница").encode("utf-8"))
            return web.Response(
                body=body,
                headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
            )
        return web.Response(text=html_page(f"Page {path}"), content_type="text/html")


Served = tuple[Site, str]


@pytest.fixture
async def site(aiohttp_server: ServerFactory) -> Served:
    site = Site()
    server = await aiohttp_server(site.app)
    return site, str(server.make_url("")).rstrip("/")


def plain(url: str) -> Link:
    return Link(url=url, normalized=url, references=())


async def check_one(config: Config, link: Link, resolver: MappingResolver | None = None) -> CheckResult:
    async with Checker(config, resolver=resolver) as checker:
        [result] = await checker.check([link])
    return result


async def test_cp1251_page_gives_cyrillic_title(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    _, base = site
    result = await check_one(make_config(), link(f"{base}/cp1251"))
    assert result.status is Status.OK
    assert result.http_status == 200
    assert result.title == TITLE_RU
    assert result.attempts == 1


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (404, Status.DEAD),
        (410, Status.DEAD),
        (400, Status.DEAD),
        (401, Status.BLOCKED),
        (403, Status.BLOCKED),
        (451, Status.BLOCKED),
    ],
)
async def test_definitive_answers_are_not_retried(
    site: Served, make_config: ConfigFactory, link: LinkFactory, code: int, status: Status
) -> None:
    hits, base = site
    result = await check_one(make_config(), link(f"{base}/status/{code}"))
    assert result.status is status
    assert result.http_status == code
    assert result.detail.startswith(str(code))
    assert result.attempts == 1
    assert hits.hits[f"/status/{code}"] == 1


async def test_redirect_chain_is_recorded(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    _, base = site
    result = await check_one(make_config(), link(f"{base}/chain/1"))
    assert result.status is Status.REDIRECTED
    assert result.redirects == (f"{base}/chain/2", f"{base}/chain/3")
    assert result.final_url == f"{base}/chain/3"
    assert result.title == "Page /chain/3"


async def test_redirect_loop_is_a_connection_error(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    _, base = site
    result = await check_one(make_config(), link(f"{base}/loop/a"))
    assert result.status is Status.CONNECTION_ERROR
    assert result.detail.startswith(f"redirect loop at {base}/loop/a")
    assert result.attempts == 1


async def test_too_many_redirects(site: Served, make_config: ConfigFactory, link: LinkFactory) -> None:
    _, base = site
    result = await check_one(make_config(max_redirects=1), link(f"{base}/chain/1"))
    assert result.status is Status.CONNECTION_ERROR
    assert "too many redirects" in result.detail


async def test_429_with_retry_after_then_200(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    hits, base = site
    result = await check_one(make_config(retry_after_cap=2.0), link(f"{base}/limited"))  # asks for 1 s
    assert result.status is Status.OK
    assert result.title == "Finally"
    assert result.attempts == 2
    assert hits.hits["/limited"] == 2


async def test_503_twice_then_200(site: Served, make_config: ConfigFactory, link: LinkFactory) -> None:
    _, base = site
    result = await check_one(make_config(retries=3), link(f"{base}/flaky"))
    assert result.status is Status.OK
    assert result.attempts == 3


async def test_persistent_500_is_a_server_error(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    hits, base = site
    result = await check_one(make_config(retries=2), link(f"{base}/status/500"))
    assert result.status is Status.SERVER_ERROR
    assert result.attempts == 3
    assert hits.hits["/status/500"] == 3
    assert result.detail == "500 Internal Server Error (after 3 attempts)"


async def test_persistent_429_is_blocked(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    _, base = site
    result = await check_one(make_config(retries=1), link(f"{base}/status/429"))
    assert result.status is Status.BLOCKED
    assert result.attempts == 2


async def test_slow_page_times_out(site: Served, make_config: ConfigFactory, link: LinkFactory) -> None:
    _, base = site
    result = await check_one(make_config(timeout=0.2, retries=1), link(f"{base}/slow"))
    assert result.status is Status.TIMEOUT
    assert result.attempts == 2
    assert result.detail == "timed out after 0.2 s (2 attempts)"


async def test_refused_port(make_config: ConfigFactory, link: LinkFactory) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await check_one(make_config(), link(f"http://127.0.0.1:{port}/gone"))
    assert result.status is Status.CONNECTION_ERROR
    assert result.attempts == 1
    assert result.http_status is None


async def test_non_html_is_ok_without_title(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    _, base = site
    result = await check_one(make_config(max_body=1000), link(f"{base}/report.pdf"))
    assert result.status is Status.OK
    assert result.title is None


async def test_oversized_body_is_read_up_to_the_cap(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    _, base = site
    async with Checker(make_config(max_body=10_000)) as checker:
        page = await checker.fetch_page(f"{base}/big")
    assert page.truncated
    assert len(page.text) == 10_000
    assert page.title == "Big page"


async def test_gzip_body_is_decoded(site: Served, make_config: ConfigFactory, link: LinkFactory) -> None:
    _, base = site
    result = await check_one(make_config(), link(f"{base}/gzip"))
    assert result.status is Status.OK
    assert result.title == "Сжатая страница"


async def test_each_normalized_url_is_fetched_once(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    hits, base = site
    first = link(f"{base}/same")
    second = Link(url=f"{base}/same#again", normalized=first.normalized, references=("other#2",))
    seen: list[CheckResult] = []
    async with Checker(make_config()) as checker:
        results = await checker.check([first, second, link(f"{base}/status/404")], on_result=seen.append)
        again = await checker.check([first])
    assert hits.hits["/same"] == 1
    assert [r.url for r in results] == [first.url, second.url, f"{base}/status/404"]
    assert [r.status for r in results] == [Status.OK, Status.OK, Status.DEAD]
    assert again[0].status is Status.OK
    assert sorted(r.url for r in seen) == sorted(r.url for r in results)


async def test_forgotten_results_are_fetched_again(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    hits, base = site
    async with Checker(make_config()) as checker:
        first = await checker.check([link(f"{base}/same")])
        checker.forget_results()  # the caller holds them now
        again = await checker.check([link(f"{base}/same")])
    assert hits.hits["/same"] == 2
    assert first[0].status is again[0].status is Status.OK


async def test_observer_and_clock(site: Served, make_config: ConfigFactory, link: LinkFactory) -> None:
    _, base = site
    events: list[tuple[str, int | None]] = []

    class Recorder:
        def stage(self, name: str, total: int | None = None) -> None:
            events.append((name, total))

        def advance(self, amount: int = 1) -> None:
            events.append(("advance", amount))

        def note(self, text: str) -> None:
            events.append((text, None))

    moment = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)
    links = [link(f"{base}/a"), link(f"{base}/b")]
    async with Checker(make_config(), observer=Recorder(), clock=lambda: moment) as checker:
        results = await checker.check(links)
    assert events == [("check", 2), ("advance", 1), ("advance", 1)]
    assert {r.checked_at for r in results} == {"2024-05-01T12:30:00Z"}
    assert all(r.elapsed_ms is not None for r in results)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi", "mailto:a@b.kz", "http://", "ftp://x.kz/"],
)
async def test_unfetchable_urls_are_invalid(make_config: ConfigFactory, url: str) -> None:
    result = await check_one(make_config(), Link(url=url, normalized=url, references=("t#1",)))
    assert result.status is Status.INVALID
    assert result.attempts == 0


async def test_excluded_urls_are_skipped(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    hits, base = site
    result = await check_one(make_config(exclude=(r"/private/",)), link(f"{base}/private/page"))
    assert result.status is Status.SKIPPED
    assert hits.hits["/private/page"] == 0


async def test_literal_private_address_is_skipped_by_default(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    hits, base = site
    result = await check_one(make_config(allow_private=False), link(f"{base}/page"))
    assert result.status is Status.SKIPPED
    assert result.detail == "resolves to a private address (use --allow-private)"
    assert hits.hits["/page"] == 0


async def test_named_host_resolving_to_loopback_is_skipped_by_default(
    site: Served, make_config: ConfigFactory
) -> None:
    hits, base = site
    port = base.rsplit(":", 1)[1]
    url = f"http://localhost:{port}/named"
    result = await check_one(make_config(allow_private=False), plain(url))
    assert result.status is Status.SKIPPED
    assert hits.hits["/named"] == 0


async def test_redirect_to_a_private_literal_is_skipped(
    aiohttp_server: ServerFactory, site: Served, make_config: ConfigFactory
) -> None:
    hits, base = site

    async def jump(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{base}/inside")

    app = web.Application()
    app.router.add_get("/", jump)
    public = await aiohttp_server(app)
    resolver = MappingResolver({"public.example": ("127.0.0.1", public.port or 0)})
    url = "http://public.example/"
    result = await check_one(
        make_config(allow_private=False), plain(url), resolver=resolver
    )
    assert result.status is Status.SKIPPED
    assert hits.hits["/inside"] == 0


async def test_mapping_resolver_maps_cited_hosts_and_refuses_others(
    site: Served, make_config: ConfigFactory
) -> None:
    hits, base = site
    port = int(base.rsplit(":", 1)[1])
    resolver = MappingResolver({"izvestia.ru": ("127.0.0.1", port)})
    links = [
        plain("http://izvestia.ru/news/502761"),
        plain("http://unknown.example/x"),
    ]
    async with Checker(make_config(allow_private=False), resolver=resolver) as checker:
        mapped, unknown = await checker.check(links)
    assert mapped.status is Status.OK
    assert mapped.title == "Page /news/502761"
    assert unknown.status is Status.DNS_ERROR
    assert unknown.attempts == 1


async def test_limits_hold_and_grouped_input_fills_global_slots(
    aiohttp_server: ServerFactory, make_config: ConfigFactory
) -> None:
    active: Counter[str] = Counter()
    peak_by_host: Counter[str] = Counter()
    peak_total = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal peak_total
        host = request.host.split(":")[0]
        active[host] += 1
        peak_by_host[host] = max(peak_by_host[host], active[host])
        peak_total = max(peak_total, sum(active.values()))
        await asyncio.sleep(0.05)
        active[host] -= 1
        return web.Response(text=html_page(host), content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    server = await aiohttp_server(app)
    hosts = [f"site{number}.example" for number in range(5)]
    resolver = MappingResolver(dict.fromkeys(hosts, ("127.0.0.1", server.port or 0)))
    grouped = [
        Link(url=f"http://{host}/page/{index}", normalized=f"http://{host}/page/{index}", references=())
        for host in hosts
        for index in range(8)
    ]
    async with Checker(make_config(concurrency=6, per_host=2), resolver=resolver) as checker:
        results = await checker.check(grouped)
    assert all(result.status is Status.OK for result in results)
    assert set(peak_by_host) == set(hosts)
    assert max(peak_by_host.values()) == 2
    assert peak_total == 6


async def test_host_limiter_grants_across_hosts() -> None:
    limiter = HostLimiter(total=3, per_host=1)
    order: list[str] = []
    release = asyncio.Event()

    async def request(host: str) -> None:
        async with limiter.slot(host):
            order.append(host)
            await release.wait()

    tasks = [asyncio.ensure_future(request(host)) for host in ["a", "a", "a", "b", "c"]]
    await asyncio.sleep(0.01)
    assert order == ["a", "b", "c"]
    assert limiter.busy == 3
    release.set()
    await asyncio.gather(*tasks)
    assert order.count("a") == 3
    assert limiter.busy == 0


async def test_cancelled_waiter_gives_its_place_back() -> None:
    limiter = HostLimiter(total=1, per_host=1)
    await limiter.acquire("a")
    waiter = asyncio.ensure_future(limiter.acquire("a"))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limiter.release("a")
    assert limiter.busy == 0
    await asyncio.wait_for(limiter.acquire("b"), 1)
    assert limiter.busy == 1


async def test_proxy_from_environment_is_used(
    aiohttp_server: ServerFactory,
    site: Served,
    make_config: ConfigFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    origin_hits, base = site
    seen: list[str] = []
    port = int(base.rsplit(":", 1)[1])

    async def forward(request: web.Request) -> web.Response:
        seen.append(str(request.url) if request.raw_path.startswith("http") else request.raw_path)
        target = request.raw_path
        async with (
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    resolver=MappingResolver({"cited.example": ("127.0.0.1", port)})
                )
            ) as session,
            session.get(target, allow_redirects=False) as upstream,
        ):
            body = await upstream.read()
            return web.Response(body=body, status=upstream.status, content_type="text/html")

    proxy_app = web.Application()
    proxy_app.router.add_route("*", "/{tail:.*}", forward)
    proxy = await aiohttp_server(proxy_app)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NO_PROXY", "")
    url = "http://cited.example/article/7"
    # cited.example resolves only behind the proxy, so the address guard (which resolves names locally when a
    # proxy is used) is lifted here; test_hostile.py shows it refusing such names.
    result = await check_one(make_config(allow_private=True), plain(url))
    assert result.status is Status.OK
    assert result.title == "Page /article/7"
    assert seen == [url]
    assert origin_hits.hits["/article/7"] == 1


async def test_no_proxy_bypasses_the_proxy(
    site: Served, make_config: ConfigFactory, link: LinkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits, base = site
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead_port = unused.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead_port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    result = await check_one(make_config(), link(f"{base}/direct"))
    assert result.status is Status.OK
    assert hits.hits["/direct"] == 1


async def test_fetch_page_returns_http_answers_and_raises_on_network_failure(
    site: Served, make_config: ConfigFactory
) -> None:
    _, base = site
    async with Checker(make_config(), resolver=MappingResolver({})) as checker:
        page = await checker.fetch_page(f"{base}/status/404")
        assert page.http_status == 404
        with pytest.raises(DnsFailure) as raised:
            await checker.fetch_page("http://nowhere.example/")
    assert isinstance(raised.value, DnsFailure)
    assert raised.value.status is Status.DNS_ERROR


def test_judge_http_status() -> None:
    assert judge_http_status(200) is None
    assert judge_http_status(418).status is Status.DEAD  # type: ignore[union-attr]
    assert judge_http_status(504).status is Status.SERVER_ERROR  # type: ignore[union-attr]
    assert judge_http_status(300).status is Status.CONNECTION_ERROR  # type: ignore[union-attr]


def _result(status: Status, http_status: int | None = None, **extra: object) -> CheckResult:
    return CheckResult(url="u", normalized="u", status=status, http_status=http_status, **extra)  # type: ignore[arg-type]


def test_is_offline() -> None:
    assert is_offline([_result(Status.DNS_ERROR), _result(Status.CONNECTION_ERROR), _result(Status.INVALID)])
    assert is_offline([_result(Status.TIMEOUT)])
    assert not is_offline([_result(Status.DNS_ERROR), _result(Status.DEAD, 404)])
    assert not is_offline([_result(Status.CONNECTION_ERROR, 301)])  # a redirect loop: the host answered
    assert not is_offline([_result(Status.INVALID), _result(Status.SKIPPED)])
    assert not is_offline([_result(Status.DNS_ERROR, from_cache=True)])
    assert not is_offline([])


async def test_unreachable_hosts_mean_offline(make_config: ConfigFactory) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    resolver = MappingResolver({"refused.example": ("127.0.0.1", port)})
    links = [plain("http://unknown.example/a"), plain("http://refused.example/b")]
    async with Checker(make_config(), resolver=resolver) as checker:
        results = await checker.check(links)
    assert [r.status for r in results] == [Status.DNS_ERROR, Status.CONNECTION_ERROR]
    assert is_offline(results)


async def test_session_is_closed_after_use(make_config: ConfigFactory) -> None:
    checker = Checker(make_config())
    with pytest.raises(RuntimeError):
        checker.session  # noqa: B018
    async with checker:
        session = checker.session
    assert session.closed


ARTICLES = {
    "/news/2011/10/putin.html": html_page("Новый интеграционный проект", "Статья о Евразийском союзе. " * 40),
    "/news/2011/10/nazarbayev.html": html_page("Евразийский союз: от идеи к истории", "О будущем. " * 40),
}
WELCOME = html_page("Welcome to our portal", "Latest news, weather and the exchange rate of the tenge. " * 20)


@pytest.fixture
async def probed_web(aiohttp_server: ServerFactory) -> tuple[MappingResolver, Counter[str]]:
    """``news.example`` serves articles and 404 elsewhere; ``catchall.example`` answers any path alike."""
    hits: Counter[str] = Counter()

    async def handler(request: web.Request) -> web.Response:
        host = request.host.split(":")[0]
        hits[f"{host}{request.path}"] += 1
        if host == "catchall.example":
            return web.Response(text=WELCOME, content_type="text/html")
        if request.path in ARTICLES:
            return web.Response(text=ARTICLES[request.path], content_type="text/html")
        raise web.HTTPNotFound()

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    server = await aiohttp_server(app)
    target = ("127.0.0.1", server.port or 0)
    return MappingResolver({"news.example": target, "catchall.example": target}), hits


async def test_probe_finds_a_host_that_answers_anything(
    probed_web: tuple[MappingResolver, Counter[str]], make_config: ConfigFactory
) -> None:
    resolver, hits = probed_web
    hosts = ("news.example", "catchall.example")
    links = [plain(f"http://{host}{path}") for host in hosts for path in ARTICLES]
    async with Checker(make_config(probe=True), resolver=resolver) as checker:
        results = await checker.check(links)
    assert [r.status for r in results] == [Status.OK, Status.OK, Status.SOFT_404, Status.SOFT_404]
    assert "any address" in results[2].detail
    probes = {path: count for path, count in hits.items() if "/la-" in path}
    assert len(probes) == 2  # one per (host, directory), shared by both links of each host
    assert set(probes.values()) == {1}
    assert {path.split("/")[0] for path in probes} == {"news.example", "catchall.example"}


async def test_probe_can_be_disabled_and_skips_homepages(
    probed_web: tuple[MappingResolver, Counter[str]], make_config: ConfigFactory
) -> None:
    resolver, hits = probed_web
    links = [plain("http://catchall.example/news/1.html")]
    async with Checker(make_config(probe=False), resolver=resolver) as checker:
        [disabled] = await checker.check(links)
    async with Checker(make_config(probe=True), resolver=resolver) as checker:
        [homepage] = await checker.check([plain("http://catchall.example/")])
    assert disabled.status is Status.OK
    assert homepage.status is Status.OK
    assert not [path for path in hits if "/la-" in path]


async def test_unlimited_fetch_page_does_not_wait_for_slots(
    aiohttp_server: ServerFactory, make_config: ConfigFactory
) -> None:
    agents: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        agents.append(request.headers.get("User-Agent", ""))
        return web.Response(text=html_page("archive copy"), content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    server = await aiohttp_server(app)
    url = str(server.make_url("/web/2011/page"))
    async with Checker(make_config(concurrency=1, per_host=1, user_agent="linkaudit-test")) as checker:
        await checker.limiter.acquire("127.0.0.1")  # every slot taken
        page = await asyncio.wait_for(checker.fetch_page(url, limited=False), 2)
        waiting = asyncio.ensure_future(checker.fetch_page(url))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        checker.limiter.release("127.0.0.1")
        limited = await asyncio.wait_for(waiting, 2)
    assert page.title == limited.title == "archive copy"
    assert agents == ["linkaudit-test", "linkaudit-test"]


# ------------------------------------------------------------------------------------------ the verdict thread

LONG_SCRIPT = "<script>" + "var counter = 1;\n" * 5_000 + "</script>"  # 85 KB: read in the verdict thread


def long_page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title>{LONG_SCRIPT}</head><body>{body}</body></html>"


LONG_PAGES = {
    "/long/article": (long_page(TITLE_RU, "<p>Стратегия «Казахстан-2050».</p>"), "utf-8"),
    "/long/missing": (long_page("Страница не найдена", "<h1>Страница не найдена</h1>"), "utf-8"),
    "/long/cp1251": (long_page(TITLE_RU, "<p>Новый политический курс.</p>"), "windows-1251"),
    "/long/parked": (long_page("example.kz", "<p>Домен продается.</p>"), "utf-8"),
    "/short": (html_page(TITLE_RU), "utf-8"),
}


@pytest.fixture
async def long_site(aiohttp_server: ServerFactory) -> str:
    async def page(request: web.Request) -> web.Response:
        text, charset = LONG_PAGES[request.path]
        return web.Response(body=text.encode(charset), headers={"Content-Type": f"text/html; charset={charset}"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_long_pages_are_judged_in_the_verdict_thread_as_on_the_loop(
    long_site: str, make_config: ConfigFactory, link: LinkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkaudit.check.engine as engine

    threads: dict[str, str] = {}
    real = engine._read_and_classify

    def noted(page: Page, link: Link, utf8: bytes | None = None) -> tuple[PageView, Verdict]:
        threads[page.url.rsplit("/", 1)[1]] = threading.current_thread().name
        return real(page, link, utf8)

    monkeypatch.setattr(engine, "_read_and_classify", noted)
    links = [link(f"{long_site}{path}") for path in LONG_PAGES]
    async with Checker(make_config(retries=0)) as checker:
        results = await checker.check(links)
    statuses = {result.url.rsplit("/", 1)[1]: result.status for result in results}
    assert statuses == {
        "article": Status.OK,
        "missing": Status.SOFT_404,
        "cp1251": Status.OK,
        "parked": Status.PARKED,
        "short": Status.OK,
    }
    assert threads == dict.fromkeys(statuses, "linkaudit-verdict") | {"short": "MainThread"}
    for result in results:  # the same verdict as the page judged on the spot
        text = LONG_PAGES[result.url[len(long_site) :]][0]
        page = Page(result.url, result.url, 200, content_type="text/html", text=text)
        assert classify(page, link(result.url)).status is result.status


@pytest.mark.parametrize("backlog", [2, 10_000])
async def test_pages_wait_for_the_verdict_thread_when_it_falls_behind(
    backlog: int, long_site: str, make_config: ConfigFactory, link: LinkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict thread slower than the network: new requests wait while ``VERDICT_BACKLOG`` pages wait to be
    judged, so at most that many plus the requests already in flight are held (with no limit, far more)."""
    import time

    import linkaudit.check.engine as engine

    real = engine._read_and_classify
    queued: list[int] = []
    original_judge = engine._VerdictThread.judge

    def slow(page: Page, link: Link, utf8: bytes | None = None) -> tuple[PageView, Verdict]:
        time.sleep(0.02)  # the thread's reading of a page, slower than the loopback answers
        return real(page, link, utf8)

    def judge(self: Any, page: Page, link: Link, utf8: bytes | None) -> Any:
        future = original_judge(self, page, link, utf8)
        queued.append(len(self._jobs))
        return future

    monkeypatch.setattr(engine, "_read_and_classify", slow)
    monkeypatch.setattr(engine._VerdictThread, "judge", judge)
    monkeypatch.setattr(engine, "VERDICT_BACKLOG", backlog)
    links = [link(f"{long_site}/long/article?n={n}") for n in range(40)]
    async with Checker(make_config(retries=0, concurrency=4, per_host=4, probe=False)) as checker:
        results = await checker.check(links)
    assert [result.status for result in results] == [Status.OK] * 40
    if backlog == 2:
        assert max(queued) <= 2 + 4  # the backlog, and the requests that were already under way
    else:
        assert max(queued) > 2 + 4  # without the wait the pages pile up: the bound above is the wait's doing


async def test_a_bug_while_judging_in_the_verdict_thread_stays_with_its_link(
    long_site: str, make_config: ConfigFactory, link: LinkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkaudit.check.engine as engine

    real = engine.classify

    def exploding(page: Any, link: Link) -> Any:
        if link.url.endswith("/long/missing"):
            raise RuntimeError("a bug met a long page")
        return real(page, link)

    monkeypatch.setattr(engine, "classify", exploding)
    async with Checker(make_config(retries=0)) as checker:
        missing, article = await checker.check([link(f"{long_site}/long/missing"), link(f"{long_site}/long/article")])
    assert missing.status is Status.CONNECTION_ERROR
    assert missing.detail == "could not be checked: RuntimeError: a bug met a long page"
    assert article.status is Status.OK


async def test_verdicts_ready_while_the_loop_is_busy_are_settled_with_one_wake_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import linkaudit.check.engine as engine

    loop = asyncio.get_running_loop()
    wake_ups: list[object] = []
    real_wake = loop.call_soon_threadsafe

    def counted(callback: Any, *args: Any, **kwargs: Any) -> Any:
        wake_ups.append(callback)
        return real_wake(callback, *args, **kwargs)

    monkeypatch.setattr(loop, "call_soon_threadsafe", counted)
    batches: list[int] = []
    settle = engine._settle

    def noted(done: list[Any]) -> None:
        batches.append(len(done))
        settle(done)

    monkeypatch.setattr(engine, "_settle", noted)
    verdicts = engine._VerdictThread(loop)
    pages = [Page(f"http://a.kz/{n}", f"http://a.kz/{n}", 200, text=html_page(f"{n}")) for n in range(6)]
    futures = [verdicts.judge(page, plain(page.url), None) for page in pages]
    for _ in range(30_000):  # the loop is kept busy (not awaited) until the thread has judged every page
        with verdicts._lock:
            if len(verdicts._judged) == len(pages):
                break
        time.sleep(0.001)
    judged = await asyncio.wait_for(asyncio.gather(*futures), 30)
    verdicts.stop()
    assert [verdict.status for _, verdict in judged] == [Status.OK] * 6
    assert (len(wake_ups), batches) == (1, [6])


async def test_each_verdict_is_handed_back_when_the_loop_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    import linkaudit.check.engine as engine

    release = threading.Event()
    real = engine._read_and_classify

    def second_waits(page: Page, link: Link, utf8: bytes | None = None) -> tuple[PageView, Verdict]:
        if page.url.endswith("/1"):
            release.wait(30)
        return real(page, link, utf8)

    monkeypatch.setattr(engine, "_read_and_classify", second_waits)
    verdicts = engine._VerdictThread(asyncio.get_running_loop())
    pages = [Page(f"http://a.kz/{n}", f"http://a.kz/{n}", 200, text=html_page(f"{n}")) for n in range(2)]
    first, second = (verdicts.judge(page, plain(page.url), None) for page in pages)
    view, verdict = await asyncio.wait_for(first, 30)  # not held back until the batch is done
    assert view.url == "http://a.kz/0" and not second.done()
    release.set()
    await asyncio.wait_for(second, 30)
    verdicts.stop()


async def test_a_stopped_verdict_thread_reads_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    import linkaudit.check.engine as engine

    read: list[str] = []
    monkeypatch.setattr(engine, "_read_and_classify", lambda page, link, utf8=None: read.append(page.url))
    verdicts = engine._VerdictThread(asyncio.get_running_loop())
    verdicts.stop()
    pending = verdicts.judge(Page("http://a.kz/", "http://a.kz/", 200, text="x"), plain("http://a.kz/"), None)
    await asyncio.sleep(0.05)
    assert read == [] and not pending.done()


async def test_each_result_carries_its_own_spelling_and_the_request_time(
    site: Served, make_config: ConfigFactory
) -> None:
    _, base = site
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/gone"
    page = f"{base}/a"
    links = [
        Link(url=page, normalized=page, references=()),
        Link(url=page.upper().replace("HTTP://", "http://"), normalized=page, references=()),  # one fetch
        Link(url=dead, normalized=dead, references=()),
    ]
    async with Checker(make_config(retries=0)) as checker:
        first, second, failed = await checker.check(links)
    assert (first.url, second.url, failed.url) == (links[0].url, links[1].url, dead)
    assert first.status is second.status is Status.OK
    assert replace(second, url=first.url) == first
    assert failed.status is Status.CONNECTION_ERROR
    assert failed.elapsed_ms is not None and failed.attempts == 1
    assert first.elapsed_ms is not None and first.detail == "200 OK"


async def test_finished_checks_keep_their_result_not_their_task_and_share_strings(
    site: Served, make_config: ConfigFactory, link: LinkFactory
) -> None:
    """At 100,000 links every finished task held (with its callbacks and context) was about 1 KB: a finished
    check keeps only its result, and results made within one second share their check-time string; a final URL
    equal to the cited one is the same string."""
    hits, base = site
    links = [link(f"{base}/page/{n}") for n in range(6)]
    moment = datetime(2026, 12, 2, 7, 0, 0, 123456, tzinfo=timezone.utc)
    async with Checker(make_config(), clock=lambda: moment) as checker:
        results = await checker.check(links)
        assert not checker._checks  # noqa: SLF001 - the engine's own bookkeeping is what is tested
        again = await checker.check(links[:2])  # still answered from the finished results
    assert all(hits.hits[f"/page/{n}"] == 1 for n in range(6))
    assert [r.status for r in again] == [Status.OK, Status.OK]
    assert {id(r.checked_at) for r in results} == {id(results[0].checked_at)}
    assert results[0].checked_at == "2026-12-02T07:00:00Z"
    assert all(r.final_url is r.url for r in results)


async def test_the_network_watch_does_not_hold_a_finished_check_for_its_interval(
    site: Served, make_config: ConfigFactory, link: LinkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch looks at the network between sleeps; once every result is in it takes its last look at once
    (before, every run waited out the rest of the watch's interval, up to half a second, at its end)."""
    import linkaudit.check.engine as engine

    monkeypatch.setattr(engine, "WATCH_INTERVAL", 3600.0)
    _, base = site
    async with Checker(make_config()) as checker:
        results = await asyncio.wait_for(checker.check([link(f"{base}/page/1")]), 30)
    assert [r.status for r in results] == [Status.OK]


async def test_pending_checks_are_plain_indexes_unless_several_links_share_a_url() -> None:
    """100,000 pending links are 100,000 ints, not one-item lists; links citing one URL stay together, and the
    hosts are taken in turn."""
    from linkaudit.check.engine import _CheckRun

    def made(url: str) -> Link:
        return Link(url=url, normalized=url.split("#")[0], references=(), host=url.split("/")[2])

    links = [made("http://a.kz/1"), made("http://a.kz/2"), made("http://b.kz/1"), made("http://a.kz/1#x")]
    run = _CheckRun(links, window=8)
    assert list(run.pending) == [[0, 3], 2, 1]  # a.kz, b.kz, a.kz again
    assert [run.take(), run.take(), run.take()] == [[0, 3], [2], [1]]
    assert not run.pending
