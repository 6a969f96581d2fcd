"""The fault matrix: a hostile web on loopback (tests/check/hostile.py), every behaviour in one audit.

Each run must complete, give every link its expected status, keep memory bounded, never block the event loop
for a second, and the reports written from its results must escape what the servers sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

from linkaudit.check.engine import Checker
from linkaudit.check.fetch import FetchError
from linkaudit.check.resolve import MappingResolver
from linkaudit.config import Config
from linkaudit.models import CheckResult, Link, LinkReport, Report
from linkaudit.report import write_reports
from linkaudit.report.github import annotations
from linkaudit.status import Status

from .hostile import BEHAVIOURS, MD_INJECTION, PATHOLOGICAL, XSS, Behaviour, HostileWeb, brotli

MAX_LAG = 1.0  # seconds the event loop may be blocked at most
MEMORY_BOUND = 200 * 1024 * 1024  # bytes of resident memory a run may add (three 64 MB bombs uncapped: more)
MATRIX = {
    "timeout": 1.5,
    "connect_timeout": 1.0,
    "retries": 1,
    "backoff_base": 0.05,
    "retry_after_cap": 1.0,
    "max_body": 512 * 1024,
    "max_redirects": 10,
    "allow_private": False,  # the resolver maps every cited name; literal private targets must be refused
    "probe": False,
    "concurrency": 64,
    "per_host": 4,
}


def _link(url: str) -> Link:
    try:
        host = URL(url).raw_host or ""
    except ValueError:
        host = ""
    return Link(url=url, normalized=url, references=("hostile.txt#1",), host=host)


def _rss() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Measured:
    results: dict[str, CheckResult]
    max_lag: float
    memory: int | None  # peak resident memory added during the run (sampled), None where unknown


@pytest.fixture
async def hostile(tmp_path: Path) -> AsyncIterator[HostileWeb]:
    web = HostileWeb(tmp_path)
    await web.start()
    yield web
    await web.close()


async def audit(web: HostileWeb, behaviours: list[Behaviour], **overrides: object) -> Measured:
    """Check every behaviour's URL in one run while a ticker measures loop lag and resident memory."""
    loop = asyncio.get_running_loop()
    lag = 0.0
    baseline = _rss()
    peak = baseline

    async def ticker() -> None:
        nonlocal lag, peak
        while True:
            before = loop.time()
            await asyncio.sleep(0.05)
            lag = max(lag, loop.time() - before - 0.05)
            now = _rss()
            if now is not None and peak is not None:
                peak = max(peak, now)

    resolver = MappingResolver(web.mapping(), fallback=("127.0.0.1", web.ports["main"]))
    config = Config().with_overrides({**MATRIX, **overrides})
    links = [_link(behaviour.cited(web.ports["main"])) for behaviour in behaviours]
    ticking = asyncio.ensure_future(ticker())
    try:
        async with Checker(config, resolver=resolver) as checker:
            results = await asyncio.wait_for(checker.check(links), 60)
    finally:
        ticking.cancel()
    by_name = {behaviour.name: result for behaviour, result in zip(behaviours, results, strict=True)}
    memory = None if baseline is None or peak is None else peak - baseline
    return Measured(by_name, lag, memory)


def _matrix() -> list[Behaviour]:
    return [behaviour for behaviour in BEHAVIOURS if not behaviour.needs_brotli or brotli is not None]


def test_the_matrix_has_at_least_forty_behaviours() -> None:
    assert len(BEHAVIOURS) + 4 >= 40 + 4  # the four special servers come on top
    assert len({behaviour.name for behaviour in BEHAVIOURS}) == len(BEHAVIOURS)


def test_the_brotli_bomb_is_served_when_brotli_is_installed() -> None:
    if brotli is None:
        pytest.skip("the brotli module is not installed: the brotli bomb cannot be made, so it is left out")
    assert "brotli_bomb" in {behaviour.name for behaviour in _matrix()}


async def test_every_hostile_behaviour_ends_in_its_status(hostile: HostileWeb, tmp_path: Path) -> None:
    behaviours = [*_matrix(), *hostile.special()]
    measured = await audit(hostile, behaviours)
    wrong = {
        behaviour.name: (measured.results[behaviour.name].status.value, measured.results[behaviour.name].detail)
        for behaviour in behaviours
        if measured.results[behaviour.name].status is not behaviour.expected
    }
    assert wrong == {}
    for behaviour in behaviours:
        result = measured.results[behaviour.name]
        assert "\n" not in result.detail and "\x00" not in result.detail, behaviour.name
        assert len(result.detail) <= 500, behaviour.name
        if behaviour.detail is not None:
            assert behaviour.detail in result.detail, (behaviour.name, result.detail)
        if behaviour.attempts is not None:
            assert result.attempts == behaviour.attempts, (behaviour.name, result.attempts, result.detail)
    assert measured.max_lag < MAX_LAG, f"the event loop was blocked for {measured.max_lag:.2f} s"
    if measured.memory is not None:
        assert measured.memory < MEMORY_BOUND, f"resident memory grew by {measured.memory / 2**20:.0f} MB"
    assert hostile.requests.get("redirect_loop", 0) <= 4  # seen as a loop at once, not after max_redirects
    assert hostile.requests["retry_after_far_future"] == 1  # not waited for: given up at once
    assert hostile.requests["retry_after_superscript"] == 2  # aiohttp repeats nothing behind our back
    titles = {name: measured.results[name].title for name in ("nul_bytes", "invalid_utf8", "zlib_meta_charset")}
    assert titles["nul_bytes"] == "A real page"
    assert titles["zlib_meta_charset"] == "A real page"
    assert titles["invalid_utf8"] is not None and titles["invalid_utf8"].startswith("A real")
    assert measured.results["meta_refresh_to_file"].final_url == measured.results["meta_refresh_to_file"].url
    _reports_escape(behaviours, measured, tmp_path)


async def test_pathological_html_neither_hangs_nor_blocks_the_loop(hostile: HostileWeb) -> None:
    behaviours = list(PATHOLOGICAL)
    measured = await audit(hostile, behaviours, max_body=Config().max_body)  # whole 2 MB pages, as by default
    wrong = {
        b.name: measured.results[b.name].status.value
        for b in behaviours
        if measured.results[b.name].status is not b.expected
    }
    assert wrong == {}
    if measured.max_lag >= MAX_LAG:
        pytest.xfail(
            f"the loop was blocked for {measured.max_lag:.2f} s judging pathological HTML: page verdicts still run "
            "on the event loop until check/verdict.py is rewritten on selectolax and moved off the loop (issue 11, "
            "defect 2)"
        )


def _reports_escape(behaviours: list[Behaviour], measured: Measured, directory: Path) -> None:
    links = tuple(
        LinkReport(link=_link(measured.results[b.name].url), result=measured.results[b.name]) for b in behaviours
    )
    report = Report(
        generated_at="2026-01-01T00:00:00Z",
        tool_version="test",
        documents=("hostile.txt",),
        references=(),
        links=links,
        findings=(),
    )
    written = write_reports(report, directory / "reports", ["html", "json", "md", "csv"])
    texts = {path.suffix: path.read_text(encoding="utf-8") for path in written}
    for suffix, text in texts.items():
        assert "\x00" not in text, suffix
    html, markdown = texts[".html"], texts[".md"]
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert "<script>alert(" not in markdown and "<img src=x" not in markdown
    assert not any(line.startswith("::") for line in markdown.splitlines())
    assert "](javascript:" not in markdown
    github = annotations(report)
    for line in github:
        assert line.count("\n") == 0
        assert re.match(r"::(warning|error|notice)[ :]", line), line
        assert "::error file=x.txt" not in line
    assert MD_INJECTION and XSS  # the payloads the servers sent


# ------------------------------------------------------------------------ containment and the smaller defects


async def test_an_unexpected_exception_stays_with_its_link(
    hostile: HostileWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkaudit.check.engine as engine

    real = engine.classify

    def exploding(page: Any, link: Link) -> Any:
        if "explodes" in link.url:
            raise RuntimeError("a bug met a page it did not expect\nsecond line")
        return real(page, link)

    monkeypatch.setattr(engine, "classify", exploding)
    resolver = MappingResolver({}, fallback=("127.0.0.1", hostile.ports["main"]))
    links = [_link("http://explodes.hostile.test/ok"), _link("http://fine.hostile.test/ok")]
    async with Checker(Config().with_overrides(MATRIX), resolver=resolver) as checker:
        exploded, fine = await checker.check(links)
    assert exploded.status is Status.CONNECTION_ERROR
    assert exploded.detail == "could not be checked: RuntimeError: a bug met a page it did not expect second line"
    assert fine.status is Status.OK


async def test_the_per_host_limit_holds_however_an_address_is_spelled() -> None:
    busy = 0
    most = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal busy, most
        await reader.readuntil(b"\r\n\r\n")
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0.2)
        busy -= 1
        body = b"<title>x</title>"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.2", 0)
    port = server.sockets[0].getsockname()[1]
    spellings = ("127.0.0.2", "0x7f000002", "2130706434", "0177.0.0.2")
    links = [_link(f"http://{spelling}:{port}/page/{number}") for spelling in spellings for number in range(3)]
    config = Config().with_overrides({**MATRIX, "allow_private": True, "per_host": 2})
    try:
        async with Checker(config) as checker:
            results = await checker.check(links)
    finally:
        server.close()
        await server.wait_closed()
    assert {result.status for result in results} == {Status.OK}, [(r.url, r.detail) for r in results]
    assert most == 2


async def test_attempts_count_every_request_aiohttp_makes() -> None:
    """A kept-alive connection closed by the server: aiohttp would resend on a new one behind the policy's back."""
    requests: dict[str, int] = {}

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = 0
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                requests[path] = requests.get(path, 0) + 1
                if served and path == "/second":  # a stale keep-alive connection: closed without an answer
                    break
                served += 1
                body = b"<title>page</title>"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = Config().with_overrides({**MATRIX, "allow_private": True, "per_host": 1})
    try:
        async with Checker(config) as checker:
            [first] = await checker.check([_link(f"http://127.0.0.1:{port}/first")])
            [second] = await checker.check([_link(f"http://127.0.0.1:{port}/second")])
    finally:
        server.close()
        await server.wait_closed()
    assert first.status is second.status is Status.OK
    assert second.attempts == requests["/second"] == 2


async def test_a_cited_url_on_the_archive_host_is_guarded_like_any_other(hostile: HostileWeb) -> None:
    archive = f"http://127.0.0.1:{hostile.ports['main']}"
    neighbour = f"http://127.0.0.1:{hostile.ports['banner']}/"
    config = Config().with_overrides({**MATRIX, "wayback_url": archive})
    async with Checker(config) as checker:
        cited_archive, cited_neighbour = await checker.check([_link(f"{archive}/ok"), _link(neighbour)])
        page = await checker.fetch_page(f"{archive}/ok")  # an archive request to the configured origin passes
        with pytest.raises(FetchError) as refused:
            await checker.fetch_page(neighbour)  # another port of the archive's host is not the archive
    assert cited_archive.status is Status.SKIPPED
    assert cited_neighbour.status is Status.SKIPPED
    assert page.http_status == 200 and page.title == "A real page"
    assert refused.value.status is Status.SKIPPED
    assert "banner" not in hostile.requests


async def test_behind_a_proxy_names_are_resolved_here_and_private_ones_never_sent(
    hostile: HostileWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = f"http://127.0.0.1:{hostile.ports['main']}"  # a proxy that would happily fetch anything
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "")
    urls = ["http://localhost/ok", "http://metadata.google.internal/computeMetadata/v1/", "http://intranet.corp/ok"]
    async with Checker(Config().with_overrides(MATRIX)) as checker:
        results = await checker.check([_link(url) for url in urls])
    assert [result.status for result in results] == [Status.SKIPPED] * 3
    assert results[0].detail == "resolves to a private address (use --allow-private)"
    assert "proxy is in use" in results[1].detail and "proxy is in use" in results[2].detail
    assert hostile.requests == {}  # nothing reached the proxy


def test_nat64_6to4_and_compatible_addresses_embedding_private_ipv4_are_private() -> None:
    from linkaudit.check.resolve import is_private_address

    for address in ("64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c0a8:101", "2002:7f00:1::", "2002:a00:1::1"):
        assert is_private_address(address), address
    for address in ("64:ff9b::808:808", "2002:808:808::1", "2a00:1450:4001::200e"):
        assert not is_private_address(address), address


async def test_elapsed_ms_measures_the_request_not_the_wait_for_the_probe() -> None:
    probe_delay = 3.0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1]
        if path != b"/papers/cited":  # the soft-404 probe's made-up sibling: slow, then 404
            await asyncio.sleep(probe_delay)
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        else:
            body = (
                b"<html><head><title>The cited paper</title></head><body><p>" + b"Text. " * 50 + b"</p></body></html>"
            )
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
            writer.write(head % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = Config().with_overrides({**MATRIX, "allow_private": True, "probe": True, "timeout": 10.0})
    try:
        async with Checker(config) as checker:
            [result] = await checker.check([_link(f"http://127.0.0.1:{port}/papers/cited")])
    finally:
        server.close()
        await server.wait_closed()
    assert result.status is Status.OK
    assert result.elapsed_ms is not None and result.elapsed_ms < probe_delay * 1000
