"""A forward HTTP proxy on loopback that reaches only the hosts a resolver maps (the simulated web's).

Tools that cannot take an injected resolver but honour ``HTTP_PROXY`` (lychee, curl, LinkChecker) reach the
simulated sites through it; any other host gets 502, so nothing leaves the machine and no name is looked up
for real. One request per connection (``Connection: close`` both ways) keeps the relaying exact and simple.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver

HEAD_LIMIT = 64 * 1024
HEAD_TIMEOUT = 10.0
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "upgrade"}
)


Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class ProxyRequestError(ValueError):
    """The client's request cannot be relayed (malformed request line, not an http:// target)."""


@dataclass(frozen=True)
class ProxiedRequest:
    """One request the proxy handled: what was asked and what it answered (0: a tunnel that was opened)."""

    method: str
    target: str
    status: int
    time: float  # time.monotonic() when the request arrived


def _status_response(status: int, reason: str, text: str) -> bytes:
    body = text.encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _filtered(lines: list[str]) -> list[str]:
    kept = []
    for line in lines:
        name = line.split(":", 1)[0].strip().lower()
        if name not in _HOP_BY_HOP:
            kept.append(line)
    return kept


def _origin_form(target: str) -> tuple[str, int, str]:
    """``http://host:port/path?query`` -> (host, port, ``/path?query``)."""
    parts = urlsplit(target)
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise ProxyRequestError(f"not an absolute http:// URL: {target}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, parts.port or 80, path


def _authority(target: str) -> tuple[str, int]:
    host, separator, port = target.rpartition(":")
    if not separator or not port.isdigit():
        raise ProxyRequestError(f"CONNECT needs host:port, got {target}")
    return host.strip("[]"), int(port)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()


async def _tunnel(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    """Relay both ways until either side closes."""
    directions = {
        asyncio.ensure_future(_pipe(reader, upstream_writer)),
        asyncio.ensure_future(_pipe(upstream_reader, writer)),
    }
    try:
        await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in directions:
            task.cancel()
        await asyncio.gather(*directions, return_exceptions=True)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()


class ForwardProxy:
    """``async with ForwardProxy(resolver) as proxy``: ``proxy.url`` is the ``HTTP_PROXY`` value to use."""

    def __init__(self, resolver: AbstractResolver, *, address: str = "127.0.0.1") -> None:
        self.resolver = resolver
        self.address = address
        self.log: list[ProxiedRequest] = []
        self._server: asyncio.Server | None = None
        self._port = 0
        self._handlers: set[asyncio.Future[None]] = set()  # one per connection: relays the request
        self._callbacks: set[asyncio.Task[None]] = set()  # asyncio's tasks that wait for the handlers

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the proxy is not running")
        return f"http://{self.address}:{self._port}"

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._accept, self.address, 0, limit=HEAD_LIMIT)
        self._port = int(self._server.sockets[0].getsockname()[1])
        return self.url

    async def close(self) -> None:
        """Stop listening, end the requests still being relayed and wait until every connection is closed."""
        if self._server is not None:
            self._server.close()
            for handler in list(self._handlers):
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            if self._callbacks:
                await asyncio.wait(self._callbacks)
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> ForwardProxy:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The connection callback. The relaying runs in a task of its own, which ``close`` cancels: asyncio
        reports a cancelled callback task as an error ("Exception in callback"), so this one must end normally."""
        callback = asyncio.current_task()
        if callback is not None:
            self._callbacks.add(callback)
        handler = asyncio.ensure_future(self._handle(reader, writer))
        self._handlers.add(handler)
        try:
            await asyncio.wait({handler})
        except asyncio.CancelledError:  # the loop is shutting down: the relaying ends with it
            handler.cancel()
            raise
        finally:
            self._handlers.discard(handler)
            if callback is not None:
                self._callbacks.discard(callback)
        if not handler.cancelled():
            handler.result()  # an unexpected error is reported by asyncio as before

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            await _close(writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        arrived = time.monotonic()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")[:-2]
        method, target, status = "", "", 400
        try:
            method, target, _version = request_line.split(" ", 2)
            if method.upper() == "CONNECT":
                host, port = _authority(target)
                path = ""
            else:
                host, port, path = _origin_form(target)
        except (ProxyRequestError, ValueError) as error:
            writer.write(_status_response(400, "Bad Request", f"{error}\n"))
            self.log.append(ProxiedRequest(method, target, 400, arrived))
            return
        upstream = await self._connect(host, port)
        if upstream is None:
            text = f"{host}:{port} is not reachable through this proxy\n"
            writer.write(_status_response(502, "Bad Gateway", text))
            self.log.append(ProxiedRequest(method, target, 502, arrived))
            return
        upstream_reader, upstream_writer = upstream
        try:
            if method.upper() == "CONNECT":
                status = 0
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.log.append(ProxiedRequest(method, target, status, arrived))
                await _tunnel(reader, writer, upstream_reader, upstream_writer)
                return
            lines = [f"{method} {path} HTTP/1.1", *_filtered(header_lines), "Connection: close", "", ""]
            upstream_writer.write("\r\n".join(lines).encode("latin-1"))
            sending = asyncio.ensure_future(_pipe(reader, upstream_writer))
            try:
                status = await self._relay_head(upstream_reader, writer)
                self.log.append(ProxiedRequest(method, target, status, arrived))
                await _pipe(upstream_reader, writer)
            finally:
                sending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sending
        finally:
            await _close(upstream_writer)

    async def _connect(self, host: str, port: int) -> Streams | None:
        try:
            results = await self.resolver.resolve(host, port, socket.AF_INET)
            first = results[0]
            return await asyncio.open_connection(first["host"], first["port"])
        except (OSError, IndexError):
            return None

    async def _relay_head(self, upstream: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        """Copy the answer's head, ``Connection: close`` replacing hop-by-hop headers; return its status."""
        head = await upstream.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")[:-2]
        fields = status_line.split(" ", 2)
        status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
        lines = [status_line, *_filtered(header_lines), "Connection: close", "", ""]
        writer.write("\r\n".join(lines).encode("latin-1"))
        await writer.drain()
        return status
