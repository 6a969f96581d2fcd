"""Servers misbehaving on purpose at the socket level: each ends in the right status and the run goes on."""

from __future__ import annotations

import asyncio
import socket
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from linkaudit.check.engine import Checker
from linkaudit.config import Config
from linkaudit.demo.tls import self_signed_context
from linkaudit.models import CheckResult, Link
from linkaudit.status import Status

ConfigFactory = Callable[..., Config]
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServerFactory = Callable[[RawHandler], Awaitable[str]]

RUSSIAN = (
    "<html><head><title>Казахстанский путь</title></head><body><p>Обращение к народу Казахстана. "
    "Государственная программа индустриально-инновационного развития на ближайшие годы. "
    "Правительство и парламент обсудили новые законы о развитии экономики и образования.</p></body></html>"
)


def plain(url: str) -> Link:
    return Link(url=url, normalized=url, references=())


async def check_one(config: Config, url: str) -> CheckResult:
    async with Checker(config) as checker:
        [result] = await checker.check([plain(url)])
    return result


async def read_head(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


async def test_reset_mid_body_is_retried_then_a_connection_error(
    raw_server: RawServerFactory, make_config: ConfigFactory
) -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    base = await raw_server(handler)
    result = await check_one(make_config(retries=2), f"{base}/article")
    assert result.status is Status.CONNECTION_ERROR
    assert result.attempts == 3
    assert connections == 3
    assert "connection reset" in result.detail


async def test_closed_without_answer(raw_server: RawServerFactory, make_config: ConfigFactory) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)

    base = await raw_server(handler)
    result = await check_one(make_config(retries=1), f"{base}/")
    assert result.status is Status.CONNECTION_ERROR
    assert result.attempts == 2


async def test_endless_slow_drip_ends_in_timeout(
    raw_server: RawServerFactory, make_config: ConfigFactory
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
        while True:
            writer.write(b"1\r\nx\r\n")
            await writer.drain()
            await asyncio.sleep(0.02)

    base = await raw_server(handler)
    result = await check_one(make_config(timeout=0.3, retries=1), f"{base}/drip")
    assert result.status is Status.TIMEOUT
    assert result.attempts == 2
    assert result.detail == "timed out after 0.3 s (2 attempts)"


async def test_headers_dripped_forever_end_in_timeout(
    raw_server: RawServerFactory, make_config: ConfigFactory
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        while True:
            writer.write(b"X-Slow: y\r\n")
            await writer.drain()
            await asyncio.sleep(0.05)

    base = await raw_server(handler)
    result = await check_one(make_config(timeout=0.3, retries=0), f"{base}/")
    assert result.status is Status.TIMEOUT
    assert result.attempts == 1


async def test_gzip_bomb_stops_at_the_cap(raw_server: RawServerFactory, make_config: ConfigFactory) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(b"<html><head><title>Bomb</title></head><body>")]
    block = b"\0" * (1024 * 1024)
    parts.extend(compressor.compress(block) for _ in range(64))
    parts.append(compressor.flush())
    bomb = b"".join(parts)
    assert len(bomb) < 200_000  # 64 MB once inflated

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(bomb)}\r\n\r\n".encode()
            + bomb
        )
        await writer.drain()

    base = await raw_server(handler)
    config = make_config(max_body=64 * 1024)
    async with Checker(config) as checker:
        page = await checker.fetch_page(f"{base}/bomb")
        [result] = await checker.check([plain(f"{base}/bomb")])
    assert page.truncated
    assert len(page.text.encode("utf-8")) <= 64 * 1024
    assert page.title == "Bomb"
    assert result.status is Status.OK


async def test_invalid_charset_name_falls_back_to_detection(
    raw_server: RawServerFactory, make_config: ConfigFactory
) -> None:
    body = RUSSIAN.encode("cp1251")

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=x-no-such-charset\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    base = await raw_server(handler)
    result = await check_one(make_config(), f"{base}/")
    assert result.status is Status.OK
    assert result.title == "Казахстанский путь"


@pytest.mark.parametrize("shape", ["many", "one"])
async def test_ten_megabytes_of_headers(
    raw_server: RawServerFactory, make_config: ConfigFactory, shape: str
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_head(reader)
        if not head.startswith(b"GET /headers "):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 16\r\n\r\n")
            writer.write(b"<title>t</title>")
            await writer.drain()
            return
        writer.write(b"HTTP/1.1 200 OK\r\n")
        if shape == "many":
            line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
            for _ in range(10 * 1024):
                writer.write(line)
                await writer.drain()
        else:
            writer.write(b"X-Huge: " + b"a" * (10 * 1024 * 1024) + b"\r\n")
            await writer.drain()
        writer.write(b"Content-Length: 0\r\n\r\n")
        await writer.drain()

    base = await raw_server(handler)
    async with Checker(make_config(retries=1)) as checker:
        huge, after = await checker.check([plain(f"{base}/headers"), plain(f"{base}/again")])
    assert huge.status is Status.CONNECTION_ERROR
    assert huge.attempts == 1
    assert "malformed response" in huge.detail
    assert after.status is Status.OK  # the run went on to the next link
    assert after.title == "t"


async def test_garbage_instead_of_http(raw_server: RawServerFactory, make_config: ConfigFactory) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()

    base = await raw_server(handler)
    result = await check_one(make_config(retries=1), f"{base}/")
    assert result.status is Status.CONNECTION_ERROR
    assert result.attempts == 1


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[str]:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<title>secret</title>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self_signed_context("127.0.0.1"))
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"https://{host}:{port}/"
    await runner.cleanup()


async def test_untrusted_certificate_is_a_tls_error(tls_server: str, make_config: ConfigFactory) -> None:
    result = await check_one(make_config(retries=2), tls_server)
    assert result.status is Status.TLS_ERROR
    assert result.attempts == 1
    assert result.detail == "TLS failure: the certificate is not trusted (self-signed)"  # no OpenSSL codes
