"""The choosing rule: closest before the cited date, else closest after; no date: the newest capture."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from linkaudit.archive.select import best, cited_period, distance_days, rank, timestamp_datetime
from linkaudit.models import Snapshot


def snap(timestamp: str, archive: str = "wayback", *, verified: bool = False) -> Snapshot:
    return Snapshot(
        url=f"https://web.archive.org/web/{timestamp}/http://bisnews.kz/",
        timestamp=timestamp,
        original="http://bisnews.kz/",
        archive=archive,
        verified=verified,
    )


def test_cited_period_covers_coarse_dates() -> None:
    assert cited_period("2012-11-03") == (date(2012, 11, 3), date(2012, 11, 3))
    assert cited_period("2012-02") == (date(2012, 2, 1), date(2012, 2, 29))
    assert cited_period("2010") == (date(2010, 1, 1), date(2010, 12, 31))
    assert cited_period(None) is None
    assert cited_period("3 ноября 2012") is None
    assert cited_period("2012-13-01") is None


def test_distance_is_signed_in_days() -> None:
    assert distance_days("20121104063012", "2012-11-03") == 1
    assert distance_days("20121103235959", "2012-11-03") == 0
    assert distance_days("20121001000000", "2012-11-03") == -33
    assert distance_days("20120615000000", "2012") == 0
    assert distance_days("20130101000000", "2012") == 1
    assert distance_days("20121104", None) is None


def test_short_timestamps_are_padded() -> None:
    assert timestamp_datetime("2012").isoformat() == "2012-01-01T00:00:00+00:00"
    assert timestamp_datetime("201211").isoformat() == "2012-11-01T00:00:00+00:00"


def test_closest_before_then_closest_after() -> None:
    stamps = ["20130101000000", "20121104000000", "20120101000000", "20121001000000"]
    ranked = rank([snap(s) for s in stamps], "2012-11-03")
    assert [s.timestamp for s in ranked] == [stamps[3], stamps[2], stamps[1], stamps[0]]
    assert [s.distance_days for s in ranked] == [-33, -307, 1, 59]


def test_the_cited_day_itself_counts_as_before() -> None:
    ranked = rank([snap("20121102000000"), snap("20121103220000")], "2012-11-03")
    assert ranked[0].timestamp == "20121103220000" and ranked[0].distance_days == 0


def test_without_a_date_the_newest_capture_wins() -> None:
    ranked = rank([snap("20100101000000"), snap("20140101000000"), snap("20120101000000")], None)
    assert [s.timestamp for s in ranked] == ["20140101000000", "20120101000000", "20100101000000"]
    assert all(s.distance_days is None for s in ranked)


def test_across_archives_by_distance_and_verified_first() -> None:
    wayback = snap("20110101000000", "wayback", verified=True)
    memento = snap("20121001000000", "http://127.0.0.1:8080/coll", verified=True)
    assert best([wayback, memento], "2012-11-03") == replace(memento, distance_days=-33)
    unverified = snap("20121102000000", "http://other", verified=False)
    assert best([wayback, unverified], "2012-11-03") == replace(wayback, distance_days=-672)
    assert best([unverified], "2012-11-03") == replace(unverified, distance_days=-1)
    assert best([], "2012-11-03") is None


def test_duplicates_are_dropped_and_ties_keep_archive_order() -> None:
    first, second = snap("20121001000000", "a"), snap("20121001000000", "b")
    assert [s.archive for s in rank([first, second, first], "2012-11-03")] == ["a", "b"]


moments = st.datetimes(datetime(1996, 1, 1), datetime(2030, 1, 1))
timestamps = moments.map(lambda moment: moment.strftime("%Y%m%d%H%M%S"))
cited_dates = st.dates(date(1996, 1, 1), date(2030, 1, 1))


@given(st.lists(timestamps, min_size=1, max_size=12, unique=True), cited_dates)
def test_rank_property(stamps: list[str], cited: date) -> None:
    ranked = rank([snap(s) for s in stamps], cited.isoformat())
    assert sorted(s.timestamp for s in ranked) == sorted(stamps)
    before = [s for s in stamps if s[:8] <= cited.strftime("%Y%m%d")]
    if before:
        assert ranked[0].timestamp == max(before)
        assert ranked[0].distance_days is not None and ranked[0].distance_days <= 0
    else:
        assert ranked[0].timestamp == min(stamps)
        assert ranked[0].distance_days is not None and ranked[0].distance_days > 0
