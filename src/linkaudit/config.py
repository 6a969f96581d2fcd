"""Run configuration: defaults < ``[tool.linkaudit]`` in pyproject.toml / linkaudit.toml < CLI flags.

The defaults are named constants so the library, the CLI help and the docs agree.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return replace(self, **dict(overrides))


_TUPLE_FIELDS = {"inputs", "formats", "mementos", "exclude"}


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
            settings[key] = value
        return settings
    return {}
