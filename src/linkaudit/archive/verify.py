"""A capture is offered only after we fetched it and it passed the rules a live page must pass.

Archives hold soft 404s, parking pages and homepage redirects too (IABot's most common wrong fix), so each
candidate is fetched raw and judged by ``check.verdict.classify`` on the page as it was at the cited address;
a capture that clearly carries another work than the cited one (``check.drift``) is rejected as well;
a redirect capture is judged by the capture its replay leads to, as if the cited address had redirected there.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from ..check.drift import decide as drift_decision
from ..check.retry import parse_retry_after, rate_limit_pause
from ..check.verdict import classify
from ..models import Link, Page, Snapshot
from ..status import Status
from .base import ArchiveUnavailable, RateLimiter
from .select import distance_days

FetchPage = Callable[[str], Awaitable[Page]]

# ``…/<14 digits>[modifier_]/<original URL>``: the replay URL shape of the Wayback Machine and pywb.
_REPLAY = re.compile(r"/(?P<timestamp>\d{14})(?P<modifier>[a-z]{2}_)?/(?P<original>[A-Za-z][\w+.-]*:/?/?.*)$")
_REJECTED = frozenset({Status.SOFT_404, Status.PARKED, Status.HOMEPAGE_REDIRECT})


@dataclass(frozen=True)
class Verification:
    snapshot: Snapshot  # verified, or with the reason in ``detail``; timestamp is the one actually served
    accepted: bool
    fetched: bool  # False: the capture could not be fetched at all (says nothing about its content)
    title_match: bool | None = None  # whether the capture carries a cited title (None: nothing to compare)


def replay_parts(url: str) -> tuple[str, str] | None:
    """(timestamp, original URL) of a replay URL, or None when ``url`` is not one."""
    match = _REPLAY.search(url)
    return None if match is None else (match["timestamp"], match["original"])


def rebase(url: str, timestamp: str, original: str) -> str:
    """``url`` (a replay URL) pointing at ``timestamp`` / ``original`` instead, modifier kept."""
    match = _REPLAY.search(url)
    if match is None:
        return url
    return f"{url[: match.start()]}/{timestamp}{match['modifier'] or ''}/{original}"


def unwrap(page: Page, cited_url: str) -> Page:
    """The capture as the cited address answered then: replay URLs replaced by the archived URLs."""

    def original(url: str) -> str:
        parts = replay_parts(url)
        return parts[1] if parts else url

    return replace(
        page,
        url=cited_url,
        final_url=original(page.final_url),
        redirects=tuple(original(u) for u in page.redirects),
    )


async def verify(
    snapshot: Snapshot,
    link: Link,
    *,
    fetch_page: FetchPage,
    rate: RateLimiter,
    backoff_cap: float,
    archived_redirect: bool = False,
) -> Verification:
    """Fetch the raw capture and judge it; never raises for a bad or unreachable capture.

    ``archived_redirect``: ``snapshot`` is a redirect capture. Its replay leads to the nearest capture of the
    redirect's target, which is judged as the cited page by the same rules (a redirect to the front page is a
    homepage redirect; one to another deep page must carry the cited title) and becomes the snapshot offered.
    Every replay redirect followed is charged to ``rate`` afterwards, so the archive sees the usual pace.
    """
    target = snapshot.raw_url or snapshot.url
    page: Page | None = None
    for _ in range(2):  # one more try after a 429 pause
        await rate.acquire()
        try:
            page = await fetch_page(target)
        except Exception as exc:  # the fetch failed: the capture is unusable for now
            detail = f"capture could not be fetched: {_describe(exc)}"
            return Verification(replace(snapshot, detail=detail), accepted=False, fetched=False)
        await _charge(rate, len(page.redirects))
        if page.http_status != 429:
            break
        rate.pause(rate_limit_pause(parse_retry_after(_header(page, "Retry-After")), backoff_cap))
    assert page is not None
    if page.http_status == 429:
        return Verification(replace(snapshot, detail="the archive kept answering 429"), False, fetched=False)
    served = _served(snapshot, page, link.cited_date)
    followed = archived_redirect and bool(page.redirects) and served.original != snapshot.original
    if followed:
        served = replace(
            served, detail=f"archived redirect to {served.original} (the redirect captured {snapshot.timestamp})"
        )
    lead = f"archived redirect to {served.original}: " if followed else ""
    if not 200 <= page.http_status < 300:
        detail = f"{lead}capture answered HTTP {page.http_status}"
        return Verification(replace(served, detail=detail), accepted=False, fetched=True)
    unwrapped = unwrap(page, link.url)
    verdict = drift_decision(link, unwrapped, classify(unwrapped, link))
    if verdict.status in _REJECTED:
        detail = f"{lead}capture rejected ({verdict.status}): {verdict.detail}"
        return Verification(replace(served, detail=detail), accepted=False, fetched=True)
    if verdict.status == Status.REDIRECTED and verdict.title_match is False:
        detail = f"{lead}capture rejected: it leads to another page without the cited title ({verdict.detail})"
        return Verification(replace(served, detail=detail), accepted=False, fetched=True)
    if verdict.status is Status.CONTENT_DRIFT:  # the capture, too, carries another work
        detail = f"{lead}capture rejected ({verdict.status}): {verdict.detail}"
        return Verification(replace(served, detail=detail), accepted=False, fetched=True)
    return Verification(replace(served, verified=True), accepted=True, fetched=True, title_match=verdict.title_match)


async def _charge(rate: RateLimiter, requests: int) -> None:
    """Take a slot for each request already made (redirects followed inside one fetch)."""
    try:
        for _ in range(requests):
            await rate.acquire()
    except ArchiveUnavailable:
        pass  # the archive pass is over: nothing more will be asked


def _served(snapshot: Snapshot, page: Page, cited_date: str | None) -> Snapshot:
    """The snapshot actually served: a replay may redirect to a nearby capture, or through an archived
    redirect to a capture of another address."""
    parts = replay_parts(page.final_url)
    if parts is None or parts == (snapshot.timestamp, snapshot.original):
        return snapshot
    timestamp, original = parts
    moved = timestamp != snapshot.timestamp
    return replace(
        snapshot,
        url=rebase(snapshot.url, timestamp, original),
        raw_url=rebase(snapshot.raw_url, timestamp, original) if snapshot.raw_url else None,
        timestamp=timestamp,
        original=original,
        distance_days=distance_days(timestamp, cited_date),
        detail=f"the archive served the capture of {timestamp} instead of {snapshot.timestamp}" if moved else "",
    )


def _header(page: Page, name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in page.headers if key.lower() == wanted), None)


def _describe(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    text = str(exc) or type(exc).__name__
    return f"{status}: {text}" if isinstance(status, Status) else text
