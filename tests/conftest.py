"""Shared fixtures. Every test stays on loopback: name lookups of anything but loopback fail loudly."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ASSETS = Path(__file__).resolve().parent / "assets"
EXAMPLES = ROOT / "examples"

pytest_plugins = ["store_clock"]  # the store tests' clock and SQLite store fixtures


def asset(name: str) -> Path:
    return ASSETS / name


class LeakError(AssertionError):
    pass


def _is_loopback_name(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    text = str(host)
    if text in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _is_loopback_name(host):
        raise LeakError(f"test tried to resolve {host!r}: only loopback is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_dns_leaks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A plain lookup of a cited host would leak a DNS query off the machine: make it fail instead."""
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture
def seed_notes() -> Path:
    return EXAMPLES / "notes.txt"
