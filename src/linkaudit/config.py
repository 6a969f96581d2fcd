"""Run configuration: defaults < ``[tool.linkaudit]`` in pyproject.toml / linkaudit.toml < CLI flags.

The defaults are named constants so the library, the CLI help and the docs agree.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .status import FailOn

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_CONCURRENCY = 64
DEFAULT_PER_HOST = 4
DEFAULT_TIMEOUT = 20.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
DEFAULT_MAX_BODY = 2 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 10
DEFAULT_RETRY_AFTER_CAP = 60.0
DEFAULT_OUTPUT = "reports"
DEFAULT_FORMATS = ("html", "json", "md")
DEFAULT_STORE = ".linkaudit/linkaudit.db"
DEFAULT_WAYBACK_URL = "https://web.archive.org"
DEFAULT_ARCHIVE_RATE = 1.0
DEFAULT_ARCHIVE_TIMEBOX = 300.0
DEFAULT_CACHE_TTL_OK = 24 * 3600.0
DEFAULT_CONFIRM_RUNS = 3
DEFAULT_CONFIRM_DAYS = 3.0
DEFAULT_USER_AGENT = "linkaudit (+https://github.com/linkaudit/linkaudit; citation checker)"


class ConfigError(Exception):
    """The configuration file or a flag value is unusable."""


@dataclass(frozen=True)
class Config:
    inputs: tuple[str, ...] = ()
    output_dir: str = DEFAULT_OUTPUT
    formats: tuple[str, ...] = DEFAULT_FORMATS
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    max_body: int = DEFAULT_MAX_BODY
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP
    backoff_base: float = 0.5  # first retry waits about this long (exponential, with jitter)
    user_agent: str = DEFAULT_USER_AGENT
    allow_private: bool = False
    store: str | None = DEFAULT_STORE  # None: --no-store
    refresh: bool = False
    cache_ttl_ok: float = DEFAULT_CACHE_TTL_OK
    confirm_runs: int = DEFAULT_CONFIRM_RUNS
    confirm_days: float = DEFAULT_CONFIRM_DAYS
    fail_on: FailOn = FailOn.BROKEN
    lang: str = "en"
    archive: bool = True
    wayback_url: str = DEFAULT_WAYBACK_URL
    mementos: tuple[str, ...] = ()  # Memento TimeGate base URLs
    archive_rate: float = DEFAULT_ARCHIVE_RATE
    archive_timebox: float = DEFAULT_ARCHIVE_TIMEBOX
    archive_candidates: int = 3  # captures verified per URL at most
    save: bool = False
    shard: tuple[int, int] | None = None  # (K, N), 1-based K
    probe: bool = True  # random-sibling soft-404 probe
    exclude: tuple[str, ...] = field(default=())  # regexes of URLs to skip

    def validated(self) -> Config:
        """This config, or ConfigError naming the first setting of the wrong type or out of range."""
        for item in fields(self):
            value = getattr(self, item.name)
            expected = _TYPES.get(item.name)
            if expected is not None and not _is_a(value, expected):
                raise ConfigError(f"{item.name.replace('_', '-')} must be {_describe(expected)}, not {value!r}")
        for name in ("concurrency", "per_host", "max_body", "max_redirects", "confirm_runs", "archive_candidates"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name.replace('_', '-')} must be at least 1, not {getattr(self, name)!r}")
        for name in ("timeout", "connect_timeout", "archive_rate", "archive_timebox"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name.replace('_', '-')} must be a positive number, not {getattr(self, name)!r}")
        for name in ("retries", "backoff_base", "retry_after_cap", "cache_ttl_ok", "confirm_days"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name.replace('_', '-')} must not be negative, not {getattr(self, name)!r}")
        if self.lang not in ("en", "ru"):
            raise ConfigError(f"lang must be en or ru, not {self.lang!r}")
        unknown = [f for f in self.formats if f not in ("html", "json", "md", "csv", "markdown")]
        if unknown:
            raise ConfigError(f"formats: unknown report format {unknown[0]!r} (choose from html, json, md, csv)")
        if self.shard is not None:
            k, n = self.shard
            if not 1 <= k <= n:
                raise ConfigError(f"shard {k}/{n}: K must be between 1 and N")
        for pattern in self.exclude:
            _check_pattern(pattern)
        for name, url in (("wayback-url", self.wayback_url), *(("archive memento", m) for m in self.mementos)):
            _check_service_url(name, url)
        return self

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return replace(self, **dict(overrides))


_TUPLE_FIELDS = {"inputs", "formats", "mementos", "exclude"}
_NUMBER = (int, float)
_TYPES: dict[str, type | tuple[type, ...]] = {
    **dict.fromkeys(
        ("concurrency", "per_host", "retries", "max_body", "max_redirects", "confirm_runs", "archive_candidates"), int
    ),
    **dict.fromkeys(
        ("timeout", "connect_timeout", "retry_after_cap", "backoff_base", "cache_ttl_ok", "confirm_days",
         "archive_rate", "archive_timebox"),
        _NUMBER,
    ),  # fmt: skip
    **dict.fromkeys(("allow_private", "refresh", "archive", "save", "probe"), bool),
    **dict.fromkeys(("output_dir", "user_agent", "lang", "wayback_url"), str),
    "store": (str, type(None)),
}


def _is_a(value: object, expected: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and expected in (int, _NUMBER):
        return False  # true/false is not a number, though Python says so
    return isinstance(value, expected)


def _describe(expected: type | tuple[type, ...]) -> str:
    names = {int: "a whole number", bool: "true or false", str: "text", float: "a number", type(None): "unset"}
    if expected == _NUMBER:
        return "a number"
    if isinstance(expected, tuple):
        return " or ".join(names.get(t, t.__name__) for t in expected)
    return names.get(expected, expected.__name__)


def _check_service_url(name: str, url: str) -> None:
    """An archive the user configures must be an http(s) URL with a host (checked before any work is done)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{name} must be an http(s) URL such as https://web.archive.org, not {url!r}")


def _check_pattern(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"exclude pattern {pattern!r} is not a regular expression ({exc})") from None


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) as a pair; ValueError with a readable message otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"shard must look like K/N (e.g. 1/4), not {text!r}")
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"shard {text!r}: K must be between 1 and N")
    return k, n


def load_file_settings(directory: Path) -> dict[str, Any]:
    """Settings from ``linkaudit.toml`` (top level or ``[tool.linkaudit]``) or pyproject's ``[tool.linkaudit]``."""
    for name in ("linkaudit.toml", "pyproject.toml"):
        path = directory / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read settings: {exc}") from exc
        section = data.get("tool", {}).get("linkaudit")
        if section is None and name == "linkaudit.toml":
            section = data
        if section is None:
            continue
        settings: dict[str, Any] = {}
        for key, value in section.items():
            key = key.replace("-", "_")
            if key in _TUPLE_FIELDS and isinstance(value, list):
                value = tuple(str(v) for v in value)
            if key == "fail_on":
                try:
                    value = FailOn(value)
                except ValueError as exc:
                    raise ConfigError(f"{path}: fail-on must be broken, confirmed or never") from exc
            if key == "shard" and isinstance(value, str):
                try:
                    value = parse_shard(value)
                except ValueError as exc:
                    raise ConfigError(f"{path}: {exc}") from None
            settings[key] = value
        try:
            Config().with_overrides(settings).validated()
        except ConfigError as exc:
            raise ConfigError(f"{path}: [tool.linkaudit]: {exc}") from None
        return settings
    return {}
