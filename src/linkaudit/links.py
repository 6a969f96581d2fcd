"""Links: the unique normalized URLs of all references, each with everything that cites it.

A URL cited by ten notes is fetched once; its cited date is the earliest date among the citing halves,
since the archived copy should show the page as the first author to cite it saw it. Where layout left a URL
ambiguous (a hyphen at a line end), every reading is checked as an extra link and ``choose_candidates`` keeps
the one that answers, saying so: a reading is never picked silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

from .models import CheckResult, FoundUrl, Link, LinkRepair, ParsedDocument, Reference
from .references.urls import url_key_and_host


class _Pending:
    """A link being gathered. Its lists other than ``references`` are made when first needed: 100,000 notes
    that cite one URL each without a date or title should not make 400,000 empty lists."""

    __slots__ = ("candidates", "dates", "host", "normalized", "references", "repairs", "titles", "url")

    def __init__(self, url: str, normalized: str, host: str) -> None:
        self.url = url
        self.normalized = normalized
        self.host = host
        self.references: list[str] = []
        self.dates: list[str] | None = None
        self.titles: list[str] | None = None
        self.repairs: list[LinkRepair] | None = None
        self.candidates: list[str] | None = None


def _key(url: str) -> tuple[str, str]:
    return url_key_and_host(url)


def collect_links(parsed: Sequence[ParsedDocument]) -> tuple[Link, ...]:
    pending: dict[str, _Pending] = {}
    hosts: dict[str, str] = {}  # one string per host, not one per link (100,000 links on 1,000 hosts)
    for document in parsed:
        for reference in document.references:
            spellings = _spellings(reference)
            titles = reference.titles()
            for url in reference.urls:
                normalized, host = _key(url)
                entry = pending.get(normalized)
                if entry is None:
                    entry = pending[normalized] = _Pending(url, normalized, hosts.setdefault(host, host))
                if reference.id not in entry.references:
                    entry.references.append(reference.id)
                date = reference.cited_date(url)
                if date:
                    if entry.dates is None:
                        entry.dates = []
                    entry.dates.append(date)
                for title in titles:
                    if entry.titles is None:
                        entry.titles = []
                    if title not in entry.titles:
                        entry.titles.append(title)
                if spellings is not None:
                    for found in spellings.get(url, ()):
                        _add_spelling(entry, found)
    links = [_link(pending.pop(key)) for key in list(pending)]  # each gathering record goes as its link is made
    return tuple(links + _extra_readings(links))


def _spellings(reference: Reference) -> dict[str, list[FoundUrl]] | None:
    """Each URL's spellings, when any was repaired or left readings to choose from (the only ones a link
    keeps); None when none was."""
    for found in reference.found:
        if found.repairs or found.candidates:
            break
    else:
        return None
    by_url: dict[str, list[FoundUrl]] = {}
    for found in reference.found:
        by_url.setdefault(found.url, []).append(found)
    return by_url


def _add_spelling(entry: _Pending, found: FoundUrl) -> None:
    for repair in found.repairs:
        item = LinkRepair(kind=repair, raw=found.raw, url=found.url)
        if entry.repairs is None:
            entry.repairs = []
        if item not in entry.repairs:
            entry.repairs.append(item)
    if found.candidates:
        if entry.candidates is None:
            entry.candidates = [entry.url]
        entry.candidates.extend(url for url in found.candidates if url not in entry.candidates)


def _link(p: _Pending) -> Link:
    return Link(
        url=p.url,
        normalized=p.normalized,
        references=tuple(p.references),
        cited_date=min(p.dates) if p.dates else None,
        cited_titles=tuple(p.titles) if p.titles else (),
        host=p.host,
        repairs=tuple(p.repairs) if p.repairs else (),
        candidates=tuple(p.candidates) if p.candidates else (),
    )


def _extra_readings(links: Sequence[Link]) -> list[Link]:
    """One more link per other reading of an ambiguous URL (unless it is cited as it is anyway)."""
    known = {link.normalized for link in links}
    extra: list[Link] = []
    for link in links:
        for reading in link.candidates:
            normalized = _key(reading)[0]
            if normalized in known:
                continue
            known.add(normalized)
            # The link's own host, so that a reading is checked in the shard of the link it may replace.
            extra.append(replace(link, url=reading, normalized=normalized, repairs=(), candidate_of=link.normalized))
    return extra


def choose_candidates(
    links: Sequence[Link], results: Mapping[str, CheckResult]
) -> tuple[tuple[Link, ...], dict[str, CheckResult]]:
    """After the check: each ambiguous link becomes the reading that answered (the text's first reading when
    several or none did), its result saying which readings were checked and which was kept. The extra
    readings' own links are dropped: they are reported through the link they were readings of. Without any
    ambiguous link, the links and results are given back as they are (100,000 results are not copied)."""
    if not any(link.candidate_of is not None or len(link.candidates) >= 2 for link in links):
        return tuple(links), results if isinstance(results, dict) else dict(results)
    chosen_results = dict(results)
    chosen: list[Link] = []
    for link in links:
        if link.candidate_of is not None:
            continue
        if len(link.candidates) < 2:
            chosen.append(link)
            continue
        readings = [(reading, *_key(reading)) for reading in link.candidates]
        checked = [(reading, key, results[key]) for reading, key, _ in readings if key in results]
        hosts = {key: host for _, key, host in readings}
        answered = sorted(
            (item for item in checked if _answered(item[2])), key=lambda item: not item[2].status.is_success
        )
        blocked = [item for item in checked if item[2].status.is_blocked]
        if not checked:  # not checked at all (another shard): reported as the text's first reading
            chosen.append(link)
            continue
        reading, key, result = (answered or blocked or checked)[0]
        others = ", ".join(
            f"{other} ({other_result.status.value})" for other, other_key, other_result in checked if other_key != key
        )
        if answered:
            why = f"read as {reading}, the reading that answered; also checked {others}"
        else:
            why = f"no reading answered: {reading} is reported; also checked {others}"
        chosen.append(replace(link, url=reading, normalized=key, host=hosts[key] or link.host))
        detail = f"{result.detail}; {why}" if result.detail else why
        chosen_results[key] = replace(result, url=reading, detail=detail)
    return tuple(chosen), chosen_results


def _answered(result: CheckResult) -> bool:
    """Whether a reading led to a page: a success, or a 2xx page judged otherwise (drifted, soft 404…)."""
    if result.status.is_success:
        return True
    return result.http_status is not None and 200 <= result.http_status <= 299


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
