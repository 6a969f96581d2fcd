"""Fixtures for the archive stage: the Wayback-format server on loopback, fast settings, a real checker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from linkaudit.check.engine import Checker
from linkaudit.config import Config
from linkaudit.demo.wayback import WAYBACK_STATE, Capture, WaybackState, make_wayback_app
from linkaudit.models import Link, Page

FAST = {
    "allow_private": True,
    "timeout": 5.0,
    "connect_timeout": 2.0,
    "retries": 0,
    "backoff_base": 0.01,
    "retry_after_cap": 0.3,
    "archive_rate": 20.0,
    "archive_timebox": 20.0,
    "probe": False,
    "store": None,
}


def page(title: str, body: str = "") -> bytes:
    text = body or f"<p>{title}. " + "An article long enough to be a real page about the Customs Union. " * 8
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{text}</body></html>".encode()


SOFT_404 = page("Страница не найдена", "<p>Ошибка 404. Страница не найдена.</p>")
PARKED = page("bisnews.kz is for sale", "<p>This domain is for sale! Buy this domain.</p>")


def link(url: str, cited_date: str | None = None) -> Link:
    return Link(url=url, normalized=url, references=("notes.txt#B3",), cited_date=cited_date, host="")


@dataclass
class Archive:
    """A running Wayback-format server."""

    base: str
    state: WaybackState
    config: Config

    def requests(self, prefix: str = "") -> list[tuple[float, str]]:
        return [entry for entry in self.state.log if entry[1].startswith(prefix)]


@dataclass
class Notes:
    """An Observer that keeps what it is told."""

    notes: list[str] = field(default_factory=list)
    advanced: int = 0
    stages: list[tuple[str, int | None]] = field(default_factory=list)

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append((name, total))

    def advance(self, amount: int = 1) -> None:
        self.advanced += amount

    def note(self, text: str) -> None:
        self.notes.append(text)


ArchiveFactory = Callable[..., Awaitable[Archive]]


@pytest.fixture
async def wayback() -> AsyncIterator[ArchiveFactory]:
    """Start the Wayback-format server with some captures; gives its base URL, state and a fast Config."""
    servers: list[TestServer] = []

    async def start(captures: Sequence[Capture], **overrides: Any) -> Archive:
        app: web.Application = make_wayback_app(captures)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        base = str(server.make_url("")).rstrip("/")
        config = Config().with_overrides({**FAST, "wayback_url": base, **overrides})
        return Archive(base, app[WAYBACK_STATE], config)

    yield start
    for server in servers:
        await server.close()


@pytest.fixture
async def checker() -> AsyncIterator[Checker]:
    """The real checker (its fetch_page is what the audit hands the archive stage), loopback allowed."""
    async with Checker(Config().with_overrides(FAST)) as opened:
        yield opened


FetchPage = Callable[[str], Awaitable[Page]]
