"""Captures from any Memento (RFC 7089) archive: pywb, national web archives, aggregators.

The TimeGate, asked with ``Accept-Datetime`` = the cited date, names the memento closest to it; the
TimeMap lists every memento, so a first choice that fails verification still leaves candidates.
TimeGates answer in several RFC patterns (302/307 to the memento, or 200 with Content-Location), all read.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from ..check.retry import parse_retry_after, retrying_rate_limited
from ..config import DEFAULT_USER_AGENT
from ..models import Snapshot
from .base import (
    DEFAULT_BACKOFF,
    ArchiveRateLimited,
    ArchiveUnavailable,
    RateLimiter,
    network_failure,
)
from .select import cited_period, rank

_LINK = re.compile(r'<(?P<uri>[^>]*)>(?P<params>(?:\s*;\s*[\w.-]+\s*=\s*(?:"[^"]*"|[^;,\s]*))*)')
_PARAM = re.compile(r'([\w.-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))')
_WAYBACK_STYLE = re.compile(r"/(?P<timestamp>\d{14})(?:[a-z]{2}_)?/(?=[a-z]+:|[^/]+\.)")


@dataclass(frozen=True)
class LinkEntry:
    """One entry of a Link header or an ``application/link-format`` TimeMap."""

    uri: str
    rel: tuple[str, ...]
    datetime: str | None = None


def parse_link_format(text: str) -> list[LinkEntry]:
    entries = []
    for match in _LINK.finditer(text):
        params = {m[1].lower(): m[2] if m[2] is not None else m[3] for m in _PARAM.finditer(match["params"])}
        rels = tuple(params.get("rel", "").split())
        entries.append(LinkEntry(match["uri"], rels, params.get("datetime")))
    return entries


def http_date_timestamp(value: str) -> str | None:
    """An RFC 1123 date (Memento-Datetime) as a 14-digit timestamp."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


def accept_datetime(cited_date: str | None) -> str | None:
    """The Accept-Datetime for a cited date: the end of the cited period, RFC 1123."""
    period = cited_period(cited_date)
    if period is None:
        return None
    last = period[1]
    moment = datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=timezone.utc)
    return format_datetime(moment, usegmt=True)


def raw_memento_url(memento: str) -> str | None:
    """The unmodified capture (``id_``) of a Wayback-software memento URL (pywb, OpenWayback), else None."""
    match = _WAYBACK_STYLE.search(memento)
    if match is None:
        return None
    return memento[: match.start()] + f"/{match['timestamp']}id_/" + memento[match.end() :]


class MementoLookup:
    """The ArchiveLookup for one Memento TimeGate base (``<timegate>/<url>`` is the TimeGate of ``url``)."""

    def __init__(
        self,
        timegate_base: str,
        *,
        session: aiohttp.ClientSession,
        rate: RateLimiter,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 20.0,
        backoff_cap: float = DEFAULT_BACKOFF,
        attempts: int = 3,
    ) -> None:
        self.timegate_base = timegate_base.rstrip("/")
        self.name = self.timegate_base
        self.session = session
        self.rate = rate
        self.user_agent = user_agent
        self.timeout = timeout
        self.backoff_cap = backoff_cap
        self.attempts = max(1, attempts)

    async def candidates(self, url: str, cited_date: str | None) -> list[Snapshot]:
        headers = {"Accept-Datetime": value} if (value := accept_datetime(cited_date)) else {}
        status, answer, _ = await self._get(f"{self.timegate_base}/{url}", headers)
        if status == 404:
            return []
        if status >= 400:
            raise ArchiveUnavailable(f"TimeGate answered HTTP {status}", host=urlsplit(self.timegate_base).hostname)
        links = parse_link_format(answer.get("link", ""))
        originals = [e.uri for e in links if "original" in e.rel]
        original = originals[0] if originals else url
        snapshots = []
        chosen = self._chosen(status, answer, links)
        if chosen is not None:
            snapshots.append(self._snapshot(*chosen, original))
        timemaps = [e.uri for e in links if "timemap" in e.rel]
        if timemaps:
            snapshots += await self._timemap(timemaps[0], original)
        return rank(snapshots, cited_date)

    def _chosen(self, status: int, headers: dict[str, str], links: list[LinkEntry]) -> tuple[str, str] | None:
        """(memento URI, timestamp) the TimeGate picked, from Location, Content-Location or its Link."""
        target = headers.get("location") if 300 <= status < 400 else headers.get("content-location")
        mementos = [e for e in links if "memento" in e.rel and e.datetime]
        if target:
            target = urljoin(self.timegate_base + "/", target)
            stamp = next((http_date_timestamp(e.datetime or "") for e in mementos if e.uri == target), None)
            if stamp is None and status == 200 and headers.get("memento-datetime"):
                stamp = http_date_timestamp(headers["memento-datetime"])
            if stamp is None and (match := _WAYBACK_STYLE.search(target)):
                stamp = match["timestamp"]
            if stamp is not None:
                return target, stamp
        for entry in mementos:
            stamp = http_date_timestamp(entry.datetime or "")
            if stamp is not None:
                return entry.uri, stamp
        return None

    async def _timemap(self, timemap_url: str, original: str) -> list[Snapshot]:
        status, _, text = await self._get(timemap_url, {"Accept": "application/link-format"})
        if status >= 400:
            return []  # the TimeGate's own answer stands
        snapshots = []
        for entry in parse_link_format(text):
            stamp = http_date_timestamp(entry.datetime or "") if "memento" in entry.rel else None
            if stamp is not None:
                snapshots.append(self._snapshot(entry.uri, stamp, original))
        return snapshots

    def _snapshot(self, memento: str, timestamp: str, original: str) -> Snapshot:
        return Snapshot(
            url=memento,
            timestamp=timestamp,
            original=original,
            archive=self.name,
            raw_url=raw_memento_url(memento) or memento,
        )

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """One archive request under the shared limiter: (status, headers with lowercase names, text).

        A 429 pauses all archive requests, then the request is tried again.
        """
        return await retrying_rate_limited(
            lambda: self._attempt(url, headers), pause=self.rate.pause, attempts=self.attempts, cap=self.backoff_cap
        )

    async def _attempt(
        self, url: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], str] | ArchiveRateLimited:
        await self.rate.acquire()
        try:
            async with self.session.get(
                url,
                headers={"User-Agent": self.user_agent, **headers},
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                if response.status == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    return ArchiveRateLimited(
                        "Memento archive answered 429", retry_after, host=urlsplit(self.timegate_base).hostname
                    )
                text = await response.text(errors="replace") if response.status < 300 else ""
                merged: dict[str, str] = {}
                for name, value in response.headers.items():
                    key = name.lower()
                    merged[key] = f"{merged[key]}, {value}" if key in merged else value
                return response.status, merged, text
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise network_failure(
                f"Memento request failed: {type(exc).__name__}: {exc}", exc, urlsplit(self.timegate_base).hostname
            ) from exc
