"""Links: the unique normalized URLs of all references, each with everything that cites it.

A URL cited by ten notes is fetched once; its cited date is the earliest date among the citing halves,
since the archived copy should show the page as the first author to cite it saw it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from .models import Link, ParsedDocument
from .references.urls import normalize_url, url_host


@dataclass
class _Pending:
    url: str
    normalized: str
    host: str
    references: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


def collect_links(parsed: Sequence[ParsedDocument]) -> tuple[Link, ...]:
    pending: dict[str, _Pending] = {}
    for document in parsed:
        for reference in document.references:
            for url in reference.urls:
                try:
                    normalized = normalize_url(url)
                    host = url_host(normalized)
                except ValueError:
                    normalized, host = url, ""
                entry = pending.get(normalized)
                if entry is None:
                    entry = pending[normalized] = _Pending(url=url, normalized=normalized, host=host)
                if reference.id not in entry.references:
                    entry.references.append(reference.id)
                date = reference.cited_date(url)
                if date:
                    entry.dates.append(date)
                for title in reference.titles():
                    if title not in entry.titles:
                        entry.titles.append(title)
    return tuple(
        Link(
            url=p.url,
            normalized=p.normalized,
            references=tuple(p.references),
            cited_date=min(p.dates) if p.dates else None,
            cited_titles=tuple(p.titles),
            host=p.host,
        )
        for p in pending.values()
    )


def shard_of(host: str, count: int) -> int:
    """The 1-based shard a host belongs to: stable across runs and machines (not Python's salted hash)."""
    digest = hashlib.sha256(host.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(links: Sequence[Link], shard: tuple[int, int] | None) -> tuple[Link, ...]:
    """Only the links whose host hashes to shard K of N: all URLs of a host stay in one shard."""
    if shard is None:
        return tuple(links)
    k, n = shard
    return tuple(link for link in links if shard_of(link.host or link.normalized, n) == k)

