"""Fixtures for the checker: fast settings, links, and raw TCP servers that misbehave on purpose."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from yarl import URL

from linkaudit.config import Config
from linkaudit.models import Link

FAST = {
    "allow_private": True,
    "timeout": 0.5,
    "connect_timeout": 0.5,
    "retries": 2,
    "backoff_base": 0.01,
    "retry_after_cap": 0.05,
    "probe": False,
}

ConfigFactory = Callable[..., Config]
LinkFactory = Callable[[str], Link]
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServerFactory = Callable[[RawHandler], Awaitable[str]]


@pytest.fixture
def make_config() -> ConfigFactory:
    """A Config with short timeouts and backoffs; keyword arguments override."""

    def build(**overrides: Any) -> Config:
        return Config().with_overrides({**FAST, **overrides})

    return build


@pytest.fixture
def link() -> LinkFactory:
    def build(url: str) -> Link:
        return Link(url=url, normalized=url, references=("test#1",), host=URL(url).raw_host or "")

    return build


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one request head (up to the blank line)."""
    return await reader.readuntil(b"\r\n\r\n")


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServerFactory]:
    """Start a TCP server on 127.0.0.1 that answers each connection with ``handler``; gives its base URL."""
    servers: list[asyncio.Server] = []
    handlers: set[asyncio.Task[None]] = set()

    async def start(handler: RawHandler) -> str:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            handlers.add(task)
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()
                handlers.discard(task)

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield start
    for task in list(handlers):
        task.cancel()
    await asyncio.gather(*handlers, return_exceptions=True)
    for server in servers:
        server.close()
        await server.wait_closed()
