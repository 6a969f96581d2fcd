"""Captures of a URL from a Wayback-compatible archive, through its CDX server API.

The CDX API, not the availability API: availability is heavily rate-limited, often answers "no snapshot"
for pages that have hundreds, and gives one capture, while CDX lists every 200 capture so we can choose by
the cited date and fall back when a capture fails verification; a second query lists redirect captures, asked
only when no 200 capture will do. waybackpy builds the queries and parses the rows; it is synchronous, so it
runs in worker threads (bounded) and every request it sends first takes a slot from the shared archive
RateLimiter, and answers 429 / 5xx as errors instead of as rows.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Generator
from urllib.parse import urlsplit, urlunsplit

import requests
from waybackpy import WaybackMachineCDXServerAPI
from waybackpy.cdx_utils import check_for_blocked_site, full_url
from waybackpy.exceptions import WaybackError

from ..check.retry import parse_retry_after, retrying_rate_limited
from ..config import DEFAULT_USER_AGENT, Config
from ..models import Snapshot
from .base import (
    DEFAULT_BACKOFF,
    ArchiveError,
    ArchiveRateLimited,
    ArchiveUnavailable,
    RateLimiter,
    network_failure,
)
from .select import rank

ARCHIVE_NAME = "wayback"
ROWS_PER_PAGE = 25000  # waybackpy's own default page size
MAX_PAGES = 2  # resume-key pages read per query at most
DEFAULT_THREADS = 4  # CDX queries running in worker threads at once
OK_CAPTURES = "statuscode:200"
REDIRECT_CAPTURES = "statuscode:30[12378]"  # the HTTP redirects a browser follows


class _CdxQuery(WaybackMachineCDXServerAPI):
    """waybackpy's query and row parsing, with our endpoint, rate limit, timeout and status handling."""

    def __init__(
        self,
        url: str,
        *,
        endpoint: str,
        user_agent: str,
        before_request: Callable[[], None],
        timeout: float,
        status_filter: str = OK_CAPTURES,
    ) -> None:
        super().__init__(
            url,
            user_agent=user_agent,
            filters=[status_filter],
            match_type="exact",
            collapses=["timestamp:8"],  # at most one capture per day
            limit=str(ROWS_PER_PAGE),
        )
        self.endpoint = endpoint
        self._before_request = before_request
        self._timeout = timeout

    def cdx_api_manager(self, payload: dict[str, str], headers: dict[str, str]) -> Generator[str, None, None]:
        payload["showResumeKey"] = "true"
        payload["limit"] = str(self.limit)
        with requests.Session() as session:
            for _ in range(MAX_PAGES):
                request_url = full_url(self.endpoint, params=payload)
                self._before_request()
                response = session.get(request_url, headers=headers, timeout=self._timeout)
                self.last_api_request_url = request_url
                if response.status_code == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    host = urlsplit(self.endpoint).hostname
                    raise ArchiveRateLimited("CDX server answered 429 Too Many Requests", retry_after, host=host)
                if response.status_code >= 400:
                    raise ArchiveUnavailable(
                        f"CDX server answered HTTP {response.status_code}", host=urlsplit(self.endpoint).hostname
                    )
                check_for_blocked_site(response, self.url)
                lines = response.text.strip().splitlines()
                resume_key = None
                if len(lines) >= 3 and not lines[-2].strip():
                    resume_key = lines[-1].strip()
                    lines = lines[:-2]
                yield "\n".join(lines)
                if not resume_key:
                    return
                payload["resumeKey"] = resume_key


def query_variants(url: str) -> list[str]:
    """The forms of ``url`` to ask for: as cited, and with/without the trailing slash.

    One CDX query per form: the CDX key (SURT) already ignores the scheme and a leading ``www.``, so
    http/https and www variants come back from the same query; only the trailing slash changes the key.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    variants = [url]
    if path != "/":
        other = path[:-1] if path.endswith("/") else path + "/"
        variants.append(urlunsplit(parts._replace(path=other)))
    return variants


def url_identity(url: str) -> tuple[str, str, str]:
    """What must agree for a capture to be of the cited page: host sans www, path sans final slash, query."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = re.sub(r"^www\d*\.", "", (parts.hostname or "").lower())
    port = parts.port
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    return host, (parts.path or "/").rstrip("/"), parts.query


def replay_url(base_url: str, timestamp: str, original: str, *, raw: bool = False) -> str:
    return f"{base_url.rstrip('/')}/web/{timestamp}{'id_' if raw else ''}/{original}"


class WaybackLookup:
    """The ArchiveLookup for web.archive.org or any Wayback-compatible service."""

    name = ARCHIVE_NAME

    @classmethod
    def from_config(cls, config: Config, *, rate: RateLimiter) -> WaybackLookup:
        return cls(
            config.wayback_url,
            rate=rate,
            user_agent=config.user_agent,
            timeout=config.timeout,
            backoff_cap=config.retry_after_cap,
            slot_timeout=config.archive_timebox + config.timeout,  # the closed limiter ends waits sooner
        )

    def __init__(
        self,
        base_url: str,
        *,
        rate: RateLimiter,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 20.0,
        backoff_cap: float = DEFAULT_BACKOFF,
        attempts: int = 3,
        slot_timeout: float = 600.0,
        threads: asyncio.Semaphore | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.rate = rate
        self.user_agent = user_agent
        self.timeout = timeout
        self.backoff_cap = backoff_cap
        self.attempts = max(1, attempts)
        self.slot_timeout = slot_timeout
        self.threads = threads or asyncio.Semaphore(DEFAULT_THREADS)

    async def candidates(self, url: str, cited_date: str | None) -> list[Snapshot]:
        """The 200 captures of ``url``, best first for ``cited_date``."""
        return await self._captures(url, cited_date, OK_CAPTURES)

    async def redirect_candidates(self, url: str, cited_date: str | None) -> list[Snapshot]:
        """The redirect captures (301, 302, 303, 307, 308) of ``url``, best first for ``cited_date``.

        CDX rows do not say where a redirect went: the replay of the capture does (see ``verify``).
        """
        return await self._captures(url, cited_date, REDIRECT_CAPTURES)

    async def _captures(self, url: str, cited_date: str | None, status_filter: str) -> list[Snapshot]:
        identity = url_identity(url)
        snapshots: list[Snapshot] = []
        for variant in query_variants(url):
            for timestamp, original in await self._query(variant, status_filter):
                if url_identity(original) != identity:
                    continue
                snapshots.append(
                    Snapshot(
                        url=replay_url(self.base_url, timestamp, original),
                        timestamp=timestamp,
                        original=original,
                        archive=self.name,
                        raw_url=replay_url(self.base_url, timestamp, original, raw=True),
                    )
                )
        return rank(snapshots, cited_date)

    async def _query(self, url: str, status_filter: str) -> list[tuple[str, str]]:
        """(timestamp, original) of the captures of ``url`` whose status matches; pauses all archive
        requests on 429."""
        loop = asyncio.get_running_loop()
        return await retrying_rate_limited(
            lambda: self._attempt(url, status_filter, loop),
            pause=self.rate.pause,
            attempts=self.attempts,
            cap=self.backoff_cap,
        )

    async def _attempt(
        self, url: str, status_filter: str, loop: asyncio.AbstractEventLoop
    ) -> list[tuple[str, str]] | ArchiveRateLimited:
        try:
            async with self.threads:
                return await asyncio.to_thread(self._query_blocking, url, status_filter, loop)
        except ArchiveRateLimited as exc:
            return exc

    def _query_blocking(
        self, url: str, status_filter: str, loop: asyncio.AbstractEventLoop
    ) -> list[tuple[str, str]]:
        query = _CdxQuery(
            url,
            endpoint=f"{self.base_url}/cdx/search/cdx",
            user_agent=self.user_agent,
            before_request=lambda: self.rate.acquire_blocking(loop, self.slot_timeout),
            timeout=self.timeout,
            status_filter=status_filter,
        )
        try:
            return [(row.timestamp, row.original) for row in query.snapshots()]
        except ArchiveError:
            raise
        except (WaybackError, requests.RequestException, ValueError, RuntimeError) as exc:
            host = urlsplit(self.base_url).hostname
            raise network_failure(f"CDX query failed: {type(exc).__name__}: {exc}", exc, host) from exc
