"""A hostile web on loopback: raw asyncio sockets that misbehave in every way a cited server has been seen to.

``HostileWeb`` runs a plain server whose behaviour is chosen by the first path segment (``/reset_body``), plus a
few servers that must misbehave before reading a request (a banner, a TLS alert, a self-signed certificate).
Each behaviour is cited at its own host name (``<name>.hostile.test``), which the test's resolver maps onto
the right loopback port, so per-host limits never serialize the matrix. ``BEHAVIOURS`` lists every cited URL
with the status it must get.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import socket
import ssl
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from linkaudit.check.fetch import BROTLI_DECODES
from linkaudit.demo.tls import self_signed_context
from linkaudit.status import Status

try:
    import brotli
except ImportError:  # pragma: no cover - brotli ships with aiohttp[speedups]; its bomb is skipped without it
    brotli = None

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, str], Awaitable[None]]

BOMB_MEGABYTES = 64  # decompressed size of each compression bomb; the checker must stop at its body cap
PAGE = b"<html><head><title>A real page</title></head><body><p>Some text of the cited article.</p></body></html>"
XSS = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
MD_INJECTION = "::error file=x.txt::pwned | ](javascript:alert(1)) **bold** <!-- -->"


def _head(status: str, headers: dict[str, str] | list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
    items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    if not any(name.lower() == "content-length" for name, _ in items) and not any(
        name.lower() == "transfer-encoding" for name, _ in items
    ):
        items.append(("Content-Length", str(len(body))))
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in items), "Connection: close", "", ""]
    return "\r\n".join(lines).encode("utf-8") + body  # UTF-8: ``①`` must reach the client as the character


def _html(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    return _head(status, {"Content-Type": content_type}, body)


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (RST), not a clean FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _http_date(moment: datetime.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


class Bombs:
    """Compression bombs of ``BOMB_MEGABYTES`` of zeros behind a real page start, made once per test session."""

    def __init__(self) -> None:
        self._made: dict[str, bytes] = {}

    def get(self, encoding: str) -> bytes:
        if encoding not in self._made:
            self._made[encoding] = self._make(encoding)
        return self._made[encoding]

    @staticmethod
    def _make(encoding: str) -> bytes:
        zeros = bytes(1 << 20)
        if encoding == "br":
            assert brotli is not None
            compressor = brotli.Compressor(quality=1)
            parts = [compressor.compress(PAGE)]
            parts += [compressor.compress(zeros) for _ in range(BOMB_MEGABYTES)]
            return b"".join(parts) + compressor.finish()
        wbits = 31 if encoding == "gzip" else 15  # gzip container, or zlib ("deflate" as servers send it)
        deflater = zlib.compressobj(1, zlib.DEFLATED, wbits)
        parts = [deflater.compress(PAGE)]
        parts += [deflater.compress(zeros) for _ in range(BOMB_MEGABYTES)]
        return b"".join(parts) + deflater.flush()


BOMBS = Bombs()


# ------------------------------------------------------------------------------------------ behaviours


async def ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_html(PAGE))


async def reset_mid_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht")
    await writer.drain()
    _abort(writer)


async def reset_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_head("200 OK", {"Content-Type": "text/html", "Content-Length": "100000"}) + PAGE[:40])
    await writer.drain()
    _abort(writer)


async def close_without_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    return None


async def slowloris_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\n")
    while True:
        writer.write(b"X-Drip: a\r\n")
        await writer.drain()
        await asyncio.sleep(0.1)


async def slowloris_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_head("200 OK", {"Content-Type": "text/html", "Content-Length": "10000000"}) + b"<html>")
    while True:
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.05)


async def endless_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_head("200 OK", {"Content-Type": "text/html", "Transfer-Encoding": "chunked"}))
    chunk = b"<p>" + b"endless text of an endless page " * 500 + b"</p>"
    writer.write(b"%x\r\n%s\r\n" % (len(PAGE), PAGE))
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()
        await asyncio.sleep(0)


async def huge_content_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_head("200 OK", {"Content-Type": "text/html", "Content-Length": str(10**15)}) + PAGE)
    await writer.drain()


def _bomb(encoding: str) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
        body = BOMBS.get(encoding)
        headers = {"Content-Type": "text/html", "Content-Encoding": encoding, "Content-Length": str(len(body))}
        writer.write(_head("200 OK", headers))
        for start in range(0, len(body), 1 << 16):
            writer.write(body[start : start + (1 << 16)])
            await writer.drain()

    return handler


async def invalid_gzip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    body = b"\x1f\x8b\x08\x00not gzip at all" * 50
    writer.write(_head("200 OK", {"Content-Type": "text/html", "Content-Encoding": "gzip"}, body))


def _redirect(location: str, status: str = "302 Found", extra: dict[str, str] | None = None) -> bytes:
    return _head(status, {"Location": location, **(extra or {})})


async def redirect_loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_redirect("/redirect_loop/b" if path.endswith("/a") else "/redirect_loop/a"))


async def redirect_loop_new_cookie(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_redirect(path, extra={"Set-Cookie": f"visit={id(writer)}{asyncio.get_running_loop().time()}"}))


async def redirect_chain_50(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    hop = int(path.rsplit("/", 1)[1]) if path.count("/") > 1 else 0
    if hop >= 50:
        writer.write(_html(PAGE))
    else:
        writer.write(_redirect(f"/redirect_chain_50/{hop + 1}", "301 Moved Permanently"))


def _redirect_to(location: str) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
        writer.write(_redirect(location))

    return handler


def _retry_after(status: str, value: Callable[[], str]) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
        writer.write(_head(status, [("Retry-After", value()), ("Content-Type", "text/plain")], b"wait"))

    return handler


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


async def megabyte_header_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * (1 << 20) + b"\r\nContent-Length: 0\r\n\r\n")


async def ten_thousand_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % number for number in range(10_000))
    writer.write(b"HTTP/1.1 200 OK\r\n" + headers + b"Content-Length: 0\r\n\r\n")


async def http_09(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(PAGE)  # no status line, no headers: HTTP/0.9


async def weird_status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(_html(PAGE, status="999 Whatever"))


async def negative_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: -5\r\n\r\n" + PAGE)


def _page(body: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
        writer.write(_html(body, content_type))

    return handler


def _status(status: str) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> None:
        writer.write(_html(b"<html><title>" + status.encode() + b"</title></html>", status=status))

    return handler


def _title_page(title: bytes, charset_meta: bytes = b"", body: bytes = b"") -> bytes:
    return (
        b"<html><head>"
        + charset_meta
        + b"<title>"
        + title
        + b"</title></head><body><p>"
        + b"Text of the cited article, long enough to be a page of its own. " * 3
        + body
        + b"</p></body></html>"
    )


LONG_LOCATION = "file:///" + "x" * 61_000


@dataclass(frozen=True)
class Behaviour:
    name: str
    expected: Status
    handler: Handler | None = None  # None: never served (the URL itself is refused before any request)
    url: str | None = None  # the cited URL when it is not http://<name>.hostile.test/<name>
    detail: str | None = None  # a phrase the detail must contain
    attempts: int | None = None
    needs_brotli: bool = False

    def cited(self, port: int) -> str:
        return self.url or f"http://{self.name.replace('_', '-')}.hostile.test/{self.name}"


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("ok", Status.OK, ok),
    Behaviour("not_found", Status.DEAD, _status("404 Not Found")),
    Behaviour("gone", Status.DEAD, _status("410 Gone")),
    Behaviour("forbidden", Status.BLOCKED, _status("403 Forbidden")),
    Behaviour("server_error", Status.SERVER_ERROR, _status("500 Internal Server Error"), attempts=2),
    Behaviour("reset_mid_headers", Status.CONNECTION_ERROR, reset_mid_headers, attempts=2),
    Behaviour("reset_mid_body", Status.CONNECTION_ERROR, reset_mid_body, detail="connection reset", attempts=2),
    Behaviour("close_without_answer", Status.CONNECTION_ERROR, close_without_answer),
    Behaviour("slowloris_headers", Status.TIMEOUT, slowloris_headers, attempts=2),
    Behaviour("slowloris_body", Status.TIMEOUT, slowloris_body, attempts=2),
    Behaviour("endless_chunked", Status.OK, endless_chunked),
    Behaviour("huge_content_length", Status.CONNECTION_ERROR, huge_content_length),
    Behaviour("gzip_bomb", Status.OK, _bomb("gzip")),
    Behaviour("deflate_bomb", Status.OK, _bomb("deflate")),
    # Sent whatever the client asked; capped like the others where aiohttp can decode br in bounded steps, else
    # (brotlipy) not asked for and an undecodable body
    Behaviour("brotli_bomb", Status.OK if BROTLI_DECODES else Status.CONNECTION_ERROR, _bomb("br"), needs_brotli=True),
    Behaviour("invalid_gzip", Status.CONNECTION_ERROR, invalid_gzip),
    Behaviour(
        "redirect_loop",
        Status.CONNECTION_ERROR,
        redirect_loop,
        url="http://redirect-loop.hostile.test/redirect_loop/a",
        detail="redirect loop",
    ),
    Behaviour("redirect_loop_new_cookie", Status.CONNECTION_ERROR, redirect_loop_new_cookie, detail="redirect loop"),
    Behaviour("redirect_chain_50", Status.CONNECTION_ERROR, redirect_chain_50, detail="too many redirects"),
    Behaviour("redirect_to_file", Status.CONNECTION_ERROR, _redirect_to("file:///etc/passwd"), detail="non-http"),
    Behaviour("redirect_to_javascript", Status.CONNECTION_ERROR, _redirect_to("javascript:alert(document.cookie)")),
    Behaviour("redirect_to_private", Status.SKIPPED, _redirect_to("http://10.1.2.3/admin"), detail="private"),
    Behaviour("redirect_to_link_local", Status.SKIPPED, _redirect_to("http://169.254.169.254/latest/meta-data/")),
    Behaviour("redirect_to_nat64", Status.SKIPPED, _redirect_to("http://[64:ff9b::a9fe:a9fe]/latest/")),
    Behaviour("redirect_to_6to4", Status.SKIPPED, _redirect_to("http://[2002:7f00:1::1]/")),
    Behaviour("redirect_to_hex_ip", Status.SKIPPED, _redirect_to("http://0x7f000002/")),
    Behaviour("redirect_to_decimal_ip", Status.SKIPPED, _redirect_to("http://2130706434/")),
    Behaviour("redirect_to_octal_ip", Status.SKIPPED, _redirect_to("http://0177.0.0.2/")),
    Behaviour(
        "redirect_to_bad_punycode", Status.CONNECTION_ERROR, _redirect_to("http://xn--zz.com/x"), detail="bad redirect"
    ),
    Behaviour(
        "redirect_to_port_0", Status.CONNECTION_ERROR, _redirect_to("http://ok.hostile.test:0/ok"), detail="port 0"
    ),
    Behaviour("redirect_61kb_location", Status.CONNECTION_ERROR, _redirect_to(LONG_LOCATION), detail="…"),
    Behaviour("redirect_xss_location", Status.CONNECTION_ERROR, _redirect_to("javascript:" + XSS.replace(" ", "%20"))),
    Behaviour("retry_after_seconds", Status.BLOCKED, _retry_after("429 Too Many Requests", lambda: "1"), attempts=2),
    Behaviour(
        "retry_after_http_date",
        Status.SERVER_ERROR,
        _retry_after("503 Service Unavailable", lambda: _http_date(_now() + datetime.timedelta(seconds=1))),
        attempts=2,
    ),
    Behaviour(
        "retry_after_past_date",
        Status.SERVER_ERROR,
        _retry_after("503 Service Unavailable", lambda: "Wed, 21 Oct 2015 07:28:00 GMT"),
        attempts=2,
    ),
    Behaviour(
        "retry_after_far_future",
        Status.BLOCKED,
        _retry_after("429 Too Many Requests", lambda: "Fri, 31 Dec 9999 23:59:59 GMT"),
        detail="beyond the 1 s",
        attempts=1,
    ),
    Behaviour(
        "retry_after_beyond_cap",
        Status.SERVER_ERROR,
        _retry_after("503 Service Unavailable", lambda: "99999"),
        detail="99999 s",
        attempts=1,
    ),
    Behaviour(
        "retry_after_superscript", Status.BLOCKED, _retry_after("429 Too Many Requests", lambda: "²"), attempts=2
    ),
    Behaviour("retry_after_circled", Status.BLOCKED, _retry_after("429 Too Many Requests", lambda: "①"), attempts=2),
    Behaviour("megabyte_header_line", Status.CONNECTION_ERROR, megabyte_header_line, detail="malformed"),
    Behaviour("ten_thousand_headers", Status.CONNECTION_ERROR, ten_thousand_headers, detail="malformed"),
    Behaviour("http_09", Status.CONNECTION_ERROR, http_09),
    Behaviour("weird_status", Status.CONNECTION_ERROR, weird_status),
    Behaviour("negative_length", Status.CONNECTION_ERROR, negative_length),
    Behaviour("bogus_charset", Status.OK, _page(_title_page(b"A real page"), "text/html; charset=no-such-charset")),
    Behaviour(
        "zlib_meta_charset", Status.OK, _page(_title_page(b"A real page", b'<meta charset="zlib">'), "text/html")
    ),
    Behaviour("bz2_header_charset", Status.OK, _page(_title_page(b"A real page"), "text/html; charset=bz2")),
    Behaviour("rot13_header_charset", Status.OK, _page(_title_page(b"A real page"), "text/html; charset=rot13")),
    Behaviour("hex_meta_charset", Status.OK, _page(_title_page(b"A real page", b'<meta charset="hex">'), "text/html")),
    Behaviour("invalid_utf8", Status.OK, _page(_title_page(b"A real \xff\xfe page", body=b"\xc3\x28\xa0\xa1"))),
    Behaviour("nul_bytes", Status.OK, _page(_title_page(b"A real\x00 page\x00", body=b"\x00" * 1000))),
    Behaviour("xss_title", Status.OK, _page(_title_page(XSS.replace("<", "&lt;").encode() + b" " + XSS.encode()))),
    Behaviour("markdown_title", Status.OK, _page(_title_page(MD_INJECTION.encode() + b"\n::warning::x"))),
    Behaviour(
        "meta_refresh_to_file",
        Status.OK,
        _page(_title_page(b"A real page", b'<meta http-equiv="refresh" content="0; url=file:///etc/passwd">')),
    ),
    Behaviour("cited_port_0", Status.INVALID, url="http://port-zero.hostile.test:0/x", detail="port 0"),
    Behaviour("cited_bad_punycode", Status.INVALID, url="http://xn--zz.com/x", detail="malformed"),
    Behaviour("cited_javascript", Status.INVALID, url="javascript:alert(1)"),
    # not URLs (spaces), so never fetched: the reports still show them and their details, escaped
    Behaviour("xss_in_cited_url", Status.INVALID, url=f"http://xss-url.hostile.test/ok/{XSS}", detail="not a URL"),
    Behaviour(
        "markdown_in_cited_url", Status.INVALID, url=f"http://md.hostile.test/ok/{MD_INJECTION}", detail="not a URL"
    ),
    Behaviour("xss_in_url_path", Status.OK, url='http://xss-path.hostile.test/ok/"><script>alert(1)</script>'),
)

PATHOLOGICAL: tuple[Behaviour, ...] = (
    Behaviour("title_40000", Status.OK, _page(b"<html><head>" + b"<title>" * 40_000 + b"</head><body>x</body></html>")),
    Behaviour("title_2mb", Status.OK, _page(b"<html><head>" + b"<title>" * 300_000 + b"</head><body>x</body></html>")),
    Behaviour(
        "unclosed_tags", Status.OK, _page(_title_page(b"A real page", body=b"<div><span><b><i>" * 12_000 + b"<script>"))
    ),
    Behaviour(
        "anchors_20k", Status.OK, _page(_title_page(b"A real page", body=b'<a href="/x/y?z=1">link text</a> ' * 20_000))
    ),
)

SPECIAL = ("banner", "tls_alert", "plain_answer_to_tls", "self_signed")


@dataclass
class HostileWeb:
    """The servers; ``mapping`` sends each cited host name to the port that plays its behaviour."""

    directory: Path
    ports: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    _servers: list[asyncio.Server] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self) -> None:
        for encoding in ("gzip", "deflate", *(("br",) if brotli is not None else ())):
            BOMBS.get(encoding)  # made before any request: the servers share the event loop being measured
        handlers = {behaviour.name: behaviour.handler for behaviour in (*BEHAVIOURS, *PATHOLOGICAL)}
        self.ports["main"] = await self._serve(lambda r, w: self._dispatch(r, w, handlers))
        self.ports["banner"] = await self._serve(self._banner)
        self.ports["tls_alert"] = await self._serve(self._tls_alert)
        self_signed = self_signed_context("self-signed.hostile.test")
        self.ports["self_signed"] = await self._serve(self._tls_page, ssl_context=self_signed)

    def mapping(self) -> dict[str, tuple[str, int]]:
        special = {
            "banner.hostile.test": self.ports["banner"],
            "tls-alert.hostile.test": self.ports["tls_alert"],
            "self-signed.hostile.test": self.ports["self_signed"],
        }
        return {host: ("127.0.0.1", port) for host, port in special.items()}

    def special(self) -> list[Behaviour]:
        return [
            Behaviour("banner", Status.CONNECTION_ERROR, url="http://banner.hostile.test/"),
            Behaviour("tls_alert", Status.CONNECTION_ERROR, url="http://tls-alert.hostile.test/"),
            Behaviour("plain_answer_to_tls", Status.TLS_ERROR, url="https://plain-answer.hostile.test/"),
            Behaviour("self_signed", Status.TLS_ERROR, url="https://self-signed.hostile.test/", detail="TLS"),
        ]

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for writer in list(self._writers):  # endless handlers end on the reset, no cancellation needed
            writer.transport.abort()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    async def _serve(
        self,
        handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
        ssl_context: ssl.SSLContext | None = None,
    ) -> int:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            self._writers.add(writer)
            try:
                await handler(reader, writer)
                await writer.drain()
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ssl.SSLError):
                pass
            finally:
                writer.close()
                self._writers.discard(writer)
                self._tasks.discard(task)

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0, ssl=ssl_context, limit=1 << 20)
        self._servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    async def _dispatch(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handlers: dict[str, Handler | None]
    ) -> None:
        first = await reader.read(1)
        if first == b"\x16":  # a TLS ClientHello on the plain port: answer in plain HTTP, as a misconfigured site does
            self.requests["plain_answer_to_tls"] = self.requests.get("plain_answer_to_tls", 0) + 1
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        head = first + await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1].decode("latin-1")
        name = path.strip("/").split("/", 1)[0]
        self.requests[name] = self.requests.get(name, 0) + 1
        handler = handlers.get(name)
        if handler is None:
            writer.write(_html(b"<title>Not here</title>", status="404 Not Found"))
            return
        await handler(reader, writer, path)

    async def _banner(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n")
        await writer.drain()
        await asyncio.sleep(0.2)

    async def _tls_alert(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # a TLS-only server on the cited http:// port answers plain HTTP with an alert
        writer.write(b"\x15\x03\x01\x00\x02\x02\x28")
        await writer.drain()

    async def _tls_page(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(_html(PAGE))


