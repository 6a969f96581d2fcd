"""The forward proxy reaches the simulated hosts, byte for byte, and refuses every other host with 502."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from linkaudit.demo.web import SimulatedWeb


@pytest.fixture
async def simulated() -> AsyncIterator[SimulatedWeb]:
    async with SimulatedWeb(slow_delay=0.2) as web:
        yield web


@pytest.fixture
async def plain() -> AsyncIterator[aiohttp.ClientSession]:
    """A session with the system resolver (which the tests forbid to ask): only the proxy can help it."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as client:
        yield client


async def test_routes_simulated_hosts_byte_for_byte(
    simulated: SimulatedWeb, plain: aiohttp.ClientSession
) -> None:
    connector = aiohttp.TCPConnector(resolver=simulated.resolver)
    async with aiohttp.ClientSession(connector=connector) as direct:
        async with direct.get("http://camonitor.com/archives/4070") as response:
            expected = await response.read()
    async with plain.get("http://camonitor.com/archives/4070", proxy=simulated.proxy_url) as response:
        assert response.status == 200
        assert response.headers["Connection"].lower() == "close"
        assert await response.read() == expected
    assert simulated.log.for_host("camonitor.com")[-1].path == "/archives/4070"
    assert simulated.proxy.log[-1].status == 200


async def test_relays_redirects_and_errors_unchanged(
    simulated: SimulatedWeb, plain: aiohttp.ClientSession
) -> None:
    proxy = simulated.proxy_url
    async with plain.get("http://vecher.kz/node/1259", proxy=proxy, allow_redirects=False) as response:
        assert (response.status, response.headers["Location"]) == (301, "http://vecher.kz/")
    async with plain.get("http://vecher.kz/node/1259", proxy=proxy) as response:
        assert (response.status, str(response.url)) == (200, "http://vecher.kz/")
    async with plain.get("http://www.12news.uz/", proxy=proxy) as response:
        assert response.status == 403
    async with plain.head("http://bisnews.kz/", proxy=proxy) as response:
        assert response.status == 410


async def test_refuses_other_hosts_with_502_without_a_lookup(
    simulated: SimulatedWeb, plain: aiohttp.ClientSession, lookups: list[str]
) -> None:
    for url in ("http://example.com/", "http://www.bnews.kz/", "http://www.zp.kz/"):
        async with plain.get(url, proxy=simulated.proxy_url) as response:
            assert response.status == 502, url
            assert "not reachable" in await response.text()
    assert [entry.status for entry in simulated.proxy.log] == [502, 502, 502]
    assert all(name in ("127.0.0.1", "localhost") for name in lookups)


async def test_relays_request_bodies(
    simulated: SimulatedWeb, plain: aiohttp.ClientSession
) -> None:
    form = {"url": "http://camonitor.com/archives/4070"}
    async with plain.post(
        "http://web.archive.org/save/", data=form, proxy=simulated.proxy_url, allow_redirects=False
    ) as response:
        assert response.status == 302
        assert response.headers["Location"].endswith("/http://camonitor.com/archives/4070")


async def test_honoured_through_http_proxy_variable(
    simulated: SimulatedWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", simulated.proxy_url)
    async with aiohttp.ClientSession(trust_env=True) as client:
        async with client.get("http://news.nur.kz/217304.html") as response:
            assert response.status == 200
            assert "Страница не найдена" in await response.text()


async def test_tunnels_connect_to_the_https_site(
    simulated: SimulatedWeb, plain: aiohttp.ClientSession
) -> None:
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        async with plain.get("https://www.russianmission.eu/", proxy=simulated.proxy_url):
            pass
    async with plain.get("https://www.russianmission.eu/", proxy=simulated.proxy_url, ssl=False) as response:
        assert response.status == 200
    async with plain.get("http://www.kisi.kz/", proxy=simulated.proxy_url, ssl=simulated.ssl_context) as response:
        assert (response.status, str(response.url)) == (200, "https://www.kisi.kz/")
    connects = [entry for entry in simulated.proxy.log if entry.method == "CONNECT"]
    assert [entry.target for entry in connects] == ["www.russianmission.eu:443"] * 2 + ["www.kisi.kz:443"]


async def test_closes_cleanly_with_a_request_still_pending() -> None:
    """Closing while a slow answer is awaited ends the relaying without asyncio reporting any error."""
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        async with SimulatedWeb(slow_delay=30.0) as web:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
                pending = asyncio.ensure_future(client.get("http://customsexpert.ru/", proxy=web.proxy_url))
                while not web.log.for_host("customsexpert.ru"):  # the request reached the slow site
                    await asyncio.sleep(0.01)
                await web.proxy.close()
                with pytest.raises(aiohttp.ClientError):  # the client sees the connection end
                    await pending
        for _ in range(5):  # let any late callback run
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert reported == []


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"GET /relative HTTP/1.1\r\nHost: camonitor.com\r\n\r\n", b"400"),
        (b"GET ftp://camonitor.com/ HTTP/1.1\r\n\r\n", b"400"),
        (b"CONNECT camonitor.com HTTP/1.1\r\n\r\n", b"400"),
        (b"CONNECT example.com:443 HTTP/1.1\r\n\r\n", b"502"),
    ],
)
async def test_answers_malformed_requests(
    simulated: SimulatedWeb, request_head: bytes, status: bytes
) -> None:
    port = int(simulated.proxy_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_head)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    assert answer.split(b" ", 2)[1] == status
