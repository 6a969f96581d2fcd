"""Which capture replaces a citation: the rule InternetArchiveBot uses, made explicit and testable.

A citation shows the page as it was when cited, so the closest capture at or BEFORE the cited date wins;
if there is none, the closest one after. A citation without a date gets the newest good (HTTP 200) capture,
which is the latest copy of the page before it broke (only 200 captures are ever candidates).
Coarse dates (``2012``, ``2012-05``) cover their whole period: captures inside it count as "before".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timezone

from ..models import Snapshot

_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")


def cited_period(cited_date: str | None) -> tuple[date, date] | None:
    """First and last day covered by an ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    if not cited_date:
        return None
    match = _DATE.match(cited_date.strip())
    if match is None:
        return None
    try:
        year = int(match["year"])
        if match["day"]:
            day = date(year, int(match["month"]), int(match["day"]))
            return day, day
        if match["month"]:
            month = int(match["month"])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def timestamp_datetime(timestamp: str) -> datetime:
    """A Wayback timestamp (``YYYYMMDDhhmmss``, possibly shortened) as a UTC datetime."""
    digits = re.sub(r"\D", "", timestamp)
    if len(digits) < 4:
        raise ValueError(f"not a timestamp: {timestamp!r}")
    padded = digits[:14] + "0101000000"[max(0, len(digits) - 4) :]
    return datetime.strptime(padded[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def distance_days(timestamp: str, cited_date: str | None) -> int | None:
    """Capture date minus cited date in days: negative before, 0 inside the cited period, positive after."""
    period = cited_period(cited_date)
    if period is None:
        return None
    captured = timestamp_datetime(timestamp).date()
    first, last = period
    if captured < first:
        return (captured - first).days
    if captured > last:
        return (captured - last).days
    return 0


def with_distance(snapshot: Snapshot, cited_date: str | None) -> Snapshot:
    return replace(snapshot, distance_days=distance_days(snapshot.timestamp, cited_date))


def _order(snapshot: Snapshot, cited_date: str | None) -> tuple[int, float]:
    moment = timestamp_datetime(snapshot.timestamp).timestamp()
    period = cited_period(cited_date)
    if period is None:
        return 0, -moment  # newest first
    end = datetime(*period[1].timetuple()[:3], 23, 59, 59, tzinfo=timezone.utc).timestamp()
    if moment <= end:
        return 0, end - moment  # before (or inside the cited period): the latest first
    return 1, moment - end  # after: the earliest first


def rank(snapshots: Iterable[Snapshot], cited_date: str | None) -> list[Snapshot]:
    """Snapshots best first by the rule above, each with its ``distance_days``; duplicates dropped.

    Snapshots from several archives are ranked together; on a tie the earlier archive in the input wins.
    """
    unique: dict[tuple[str, str, str], Snapshot] = {}
    for snapshot in snapshots:
        unique.setdefault((snapshot.archive, snapshot.timestamp, snapshot.original), snapshot)
    ranked = sorted(unique.values(), key=lambda s: _order(s, cited_date))
    return [with_distance(s, cited_date) for s in ranked]


def best(snapshots: Iterable[Snapshot], cited_date: str | None) -> Snapshot | None:
    """The best snapshot across archives (verified ones before unverified), or None."""
    ranked = rank(snapshots, cited_date)
    verified = [s for s in ranked if s.verified]
    pool = verified or ranked
    return pool[0] if pool else None
