"""Run configuration: defaults < ``[tool.linkaudit]`` in pyproject.toml / linkaudit.toml < CLI flags.

The settings file is found as ruff and pytest find theirs: the nearest ``linkaudit.toml``, or ``pyproject.toml``
with a ``[tool.linkaudit]`` table, in the current directory or above it. Its folder is the project root: relative
paths in the file resolve against it and the default store lives there, wherever the command runs from.
The defaults are named constants so the library, the CLI help and the docs agree.
"""

from __future__ import annotations

import os
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
CONFIG_NAMES = ("linkaudit.toml", "pyproject.toml")  # looked for in this order in each folder, walking up
_PATH_SETTINGS = ("output_dir", "store")  # relative values resolve against the settings file's folder


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
    accept: tuple[int, ...] = ()  # non-2xx HTTP codes that count as a live page (--accept 200..299,403)
    headers: tuple[tuple[str, str], ...] = ()  # extra request headers for checks (--header K:V)

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
        for code in self.accept:
            if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 999:
                raise ConfigError(f"accept: {code!r} is not an HTTP status code (100-999)")
        for header in self.headers:
            _check_header(header)
        for name, url in (("wayback-url", self.wayback_url), *(("archive memento", m) for m in self.mementos)):
            _check_service_url(name, url)
        return self

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return replace(self, **dict(overrides))


_TUPLE_FIELDS = {"inputs", "formats", "mementos", "exclude"}  # lists of text in the file
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


def _check_header(header: object) -> None:
    if (
        not isinstance(header, tuple)
        or len(header) != 2
        or not all(isinstance(part, str) for part in header)
        or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", header[0])
        or any(c in header[1] for c in "\r\n\0")
    ):
        raise ConfigError(f"header {header!r} must be a name and a value on one line, as in 'Accept-Language: ru'")


def parse_accept(text: str) -> tuple[int, ...]:
    """HTTP status codes from ``200..299,403`` (ranges and single codes, comma-separated); ValueError otherwise."""
    codes: dict[int, None] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(\d{3})(?:\s*\.\.=?\s*(\d{3}))?", part)
        if not match:
            raise ValueError(f"accept: {part!r} is not an HTTP status code or a range such as 200..299")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 100 <= low <= high <= 999:
            raise ValueError(f"accept: {part!r} is not a range of HTTP status codes (100-999, low..high)")
        codes.update(dict.fromkeys(range(low, high + 1)))
    if not codes:
        raise ValueError(f"accept: no status code in {text!r} (e.g. 200..299,403)")
    return tuple(codes)


def parse_header(text: str) -> tuple[str, str]:
    """``Name: value`` as a pair; ValueError with a readable message otherwise."""
    name, colon, value = text.partition(":")
    header = (name.strip(), value.strip())
    try:
        if not colon:
            raise ConfigError("no colon")
        _check_header(header)
    except ConfigError:
        raise ValueError(f"header must look like 'Name: value' (e.g. 'Accept-Language: ru'), not {text!r}") from None
    return header


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) as a pair; ValueError with a readable message otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"shard must look like K/N (e.g. 1/4), not {text!r}")
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"shard {text!r}: K must be between 1 and N")
    return k, n


def find_config(start: Path) -> Path | None:
    """The settings file that applies in ``start``: the nearest ``linkaudit.toml``, or ``pyproject.toml`` with a
    ``[tool.linkaudit]`` table, in ``start`` or a folder above it (a pyproject.toml without the table is passed
    over, as ruff and pytest do); None when there is none up to the file-system root."""
    folder = start.resolve()
    for directory in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = directory / name
            if path.is_file() and (name == "linkaudit.toml" or _has_section(path)):
                return path
    return None


def _has_section(path: Path) -> bool:
    """Whether a pyproject.toml has a ``[tool.linkaudit]`` table; an unreadable one is read (and refused) later."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # its error is reported with the file named, rather than silently walking past it
    tool = data.get("tool")
    return isinstance(tool, dict) and "linkaudit" in tool


def read_config(path: Path, *, cwd: Path | None = None) -> dict[str, Any]:
    """The settings of one file (``linkaudit.toml`` top level or ``[tool.linkaudit]``; pyproject's table).

    Relative paths (``inputs``, ``output-dir``, ``store``) are resolved against the file's folder and given
    relative to ``cwd`` (the current directory) when they lie below it, so reports name documents as before.
    Raises ConfigError naming the file and the setting for anything unusable.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such settings file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read settings: {exc}") from exc
    tool = data.get("tool")
    section = tool.get("linkaudit") if isinstance(tool, dict) else None
    if section is None and path.name != "pyproject.toml":
        section = {key: value for key, value in data.items() if key != "tool"}
    if section is None:
        raise ConfigError(f"{path}: has no [tool.linkaudit] table")
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.linkaudit] must be a table")
    base = path.resolve().parent
    here = (cwd or Path.cwd()).resolve()
    settings: dict[str, Any] = {}
    for key, value in section.items():
        key = key.replace("-", "_")
        try:
            value = _file_value(key, value)
        except ValueError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if key == "inputs" and isinstance(value, tuple):
            value = tuple(item if item == "-" else _rebase(item, base, here) for item in value)
        elif key in _PATH_SETTINGS and isinstance(value, str):
            value = _rebase(value, base, here)
        settings[key] = value
    try:
        Config().with_overrides(settings).validated()
    except ConfigError as exc:
        raise ConfigError(f"{path}: [tool.linkaudit]: {exc}") from None
    return settings


def _file_value(key: str, value: Any) -> Any:
    """A value as the file writes it, in the type Config holds (ValueError with a readable message)."""
    if key in _TUPLE_FIELDS and isinstance(value, list):
        return tuple(str(v) for v in value)
    if key == "fail_on":
        try:
            return FailOn(value)
        except ValueError:
            raise ValueError("fail-on must be broken, confirmed or never") from None
    if key == "shard" and isinstance(value, str):
        return parse_shard(value)
    if key == "accept":
        if isinstance(value, str):
            return parse_accept(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return (value,)
        if isinstance(value, list):
            codes: list[int] = []
            for item in value:
                codes.extend(parse_accept(item) if isinstance(item, str) else (item,))
            return tuple(codes)
    if key == "headers":
        if isinstance(value, dict):
            return tuple((str(name), str(text)) for name, text in value.items())
        if isinstance(value, list):
            return tuple(parse_header(str(item)) for item in value)
        raise ValueError("headers must be a table (Name = \"value\") or a list of \"Name: value\"")
    return value


def _rebase(value: str, base: Path, here: Path) -> str:
    """``value`` (a path written in a settings file in ``base``) as a path usable from ``here``: relative to
    ``here`` (``docs/a.md``, ``../a.md``), as the command line would name it, so reports do not carry the
    machine's folders; absolute where no relative path exists (another drive)."""
    target = Path(value).expanduser()
    if target.is_absolute():
        return str(target)
    target = base / target
    try:
        return os.path.relpath(target, here)
    except ValueError:
        return str(target)


def load_file_settings(directory: Path) -> dict[str, Any]:
    """Settings that apply in ``directory`` (``find_config`` walking up from it); empty when there are none."""
    path = find_config(directory)
    return read_config(path, cwd=directory) if path is not None else {}


def default_store(project_root: Path | None, cwd: Path | None = None) -> str:
    """The store's place when none is given: ``.linkaudit/linkaudit.db`` at the project root (the folder of the
    settings file), else in the current directory."""
    if project_root is None:
        return DEFAULT_STORE
    return _rebase(DEFAULT_STORE, project_root.resolve(), (cwd or Path.cwd()).resolve())
