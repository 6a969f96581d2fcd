"""The Wayback-format server speaks what waybackpy reads; the archive pass on it is polite and safe."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
from waybackpy import WaybackMachineCDXServerAPI

from linkaudit.archive import RateLimiter, WaybackLookup, find_replacements
from linkaudit.archive.verify import verify
from linkaudit.archive.wayback import query_variants
from linkaudit.check.engine import Checker
from linkaudit.demo.wayback import Capture, surt_key
from linkaudit.models import CheckResult, Link, Snapshot
from linkaudit.status import Status
from linkaudit.store import Store

from .conftest import PARKED, SOFT_404, ArchiveFactory, Notes, link, page

URL = "http://bisnews.kz/news/42"
TOLERANCE = 0.01


def dead(item: Link) -> tuple[Link, CheckResult]:
    return item, CheckResult(url=item.url, normalized=item.normalized, status=Status.DEAD, http_status=404)


def captures_of(url: str, *stamps: str, body: bytes | None = None) -> list[Capture]:
    return [Capture(url, stamp, 200, body or page(f"Capture {stamp}")) for stamp in stamps]


# ------------------------------------------------------------------------------------------ the server


async def test_cdx_answers_waybackpy_unchanged(wayback: ArchiveFactory) -> None:
    archive = await wayback(
        captures_of(URL, "20110901000000", "20111101000000", "20111101120000")
        + [Capture(URL, "20120101000000", 404, b"gone"), *captures_of("http://other.kz/", "20110101000000")]
    )

    def query() -> list[tuple[str, str, str]]:
        cdx = WaybackMachineCDXServerAPI(URL, filters=["statuscode:200"], collapses=["timestamp:8"])
        cdx.endpoint = f"{archive.base}/cdx/search/cdx"
        return [(row.timestamp, row.original, row.statuscode) for row in cdx.snapshots()]

    rows = await asyncio.to_thread(query)
    assert rows == [("20110901000000", URL, "200"), ("20111101000000", URL, "200")]
    path = archive.requests("/cdx/")[0][1]
    assert "filter=statuscode%3A200" in path and "showResumeKey=true" in path


async def test_cdx_json_resume_key_and_time_range(wayback: ArchiveFactory) -> None:
    archive = await wayback(captures_of(URL, "20100101000000", "20110101000000", "20120101000000"))
    async with aiohttp.ClientSession() as session:
        params = {"url": URL, "output": "json", "limit": "1", "showResumeKey": "true", "from": "2011"}
        async with session.get(f"{archive.base}/cdx/search/cdx", params=params) as response:
            rows = json.loads(await response.text())
        params["resumeKey"] = rows[-1][0]
        async with session.get(f"{archive.base}/cdx/search/cdx", params=params) as response:
            resumed = json.loads(await response.text())
        plain_params = {"url": URL, "fl": "timestamp"}
        async with session.get(f"{archive.base}/cdx/search/cdx", params=plain_params) as response:
            plain = await response.text()
    assert rows[0] == ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    assert rows[1][:5] == ["kz,bisnews)/news/42", "20110101000000", URL, "text/html", "200"]
    assert rows[2] == [] and len(rows) == 4  # then the resume key
    assert [row[1] for row in resumed[1:]] == ["20120101000000"]
    assert plain.split() == ["20100101000000", "20110101000000", "20120101000000"]


async def test_availability_replay_and_nearest_redirect(wayback: ArchiveFactory) -> None:
    archive = await wayback(captures_of(URL, "20110901000000", "20130101000000"))
    async with aiohttp.ClientSession() as session:
        available = f"{archive.base}/wayback/available"
        async with session.get(available, params={"url": URL, "timestamp": "20121201"}) as response:
            closest = (await response.json())["archived_snapshots"]["closest"]
        async with session.get(f"{archive.base}/web/20110901000000id_/{URL}") as response:
            raw = await response.read()
        async with session.get(f"{archive.base}/web/20110901000000/{URL}") as response:
            wrapped = await response.text()
        async with session.get(f"{archive.base}/web/20110905id_/{URL}", allow_redirects=False) as response:
            location = response.headers["Location"]
    assert closest == {
        "status": "200",
        "available": True,
        "url": f"{archive.base}/web/20130101000000/{URL}",
        "timestamp": "20130101000000",
    }
    assert raw == page("Capture 20110901000000")
    assert 'id="wm-ipp"' in wrapped and "Capture 20110901000000" in wrapped
    assert location == f"/web/20110901000000id_/{URL}"


def test_surt_key_ignores_scheme_and_www() -> None:
    assert surt_key("https://www.BisNews.kz/News/42") == "kz,bisnews)/news/42"
    assert surt_key("http://bisnews.kz/news/42") == "kz,bisnews)/news/42"
    assert query_variants(URL) == [URL, URL + "/"]
    assert query_variants("http://bisnews.kz/") == ["http://bisnews.kz/"]


# ------------------------------------------------------------------------------------------ lookups


async def test_before_the_cited_date_wins(wayback: ArchiveFactory) -> None:
    stamps = ["20120101000000", "20121001000000", "20121105000000", "20130601000000"]
    archive = await wayback(captures_of(URL, *stamps))
    lookup = WaybackLookup(archive.base, rate=RateLimiter(50))
    found = await lookup.candidates(URL, "2012-11-03")
    assert [s.timestamp for s in found] == [stamps[1], stamps[0], stamps[2], stamps[3]]
    first = found[0]
    assert first.url == f"{archive.base}/web/20121001000000/{URL}"
    assert first.raw_url == f"{archive.base}/web/20121001000000id_/{URL}"
    assert first.distance_days == -33 and not first.verified


async def test_after_when_nothing_before_and_variants_found(wayback: ArchiveFactory) -> None:
    variant = "https://www.bisnews.kz/news/42/"
    archive = await wayback(captures_of(variant, "20140101000000") + captures_of(URL, "20130101000000"))
    lookup = WaybackLookup(archive.base, rate=RateLimiter(50))
    found = await lookup.candidates(URL, "2012-11-03")
    assert [(s.timestamp, s.original) for s in found] == [
        ("20130101000000", URL),
        ("20140101000000", variant),
    ]
    assert found[0].distance_days == 59
    assert len(archive.requests("/cdx/")) == 2  # one query per trailing-slash variant


async def test_soft_404_and_homepage_redirect_captures_are_rejected(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    home = "http://bisnews.kz/"
    archive = await wayback(
        [
            Capture(URL, "20121101000000", 200, SOFT_404),
            Capture(URL, "20121020000000", 200, b"", redirect_to=home),
            Capture(URL, "20120901000000", 200, PARKED),
            Capture(URL, "20120801000000", 200, page("Таможенный Союз: за и против")),
            Capture(home, "20121020000000", 200, page("Bisnews home")),
        ],
        archive_candidates=4,
    )
    notes = Notes()
    found = await find_replacements(
        [dead(link(URL, "2012-11-03"))], archive.config, fetch_page=checker.fetch_page, observer=notes
    )
    snapshot = found[URL]
    assert snapshot.timestamp == "20120801000000" and snapshot.verified
    assert snapshot.distance_days == -94
    fetched = [path for _, path in archive.requests("/web/")]
    assert fetched == [
        f"/web/20121101000000id_/{URL}",
        f"/web/20121020000000id_/{URL}",
        f"/web/20121020000000id_/{home}",
        f"/web/20120901000000id_/{URL}",
        f"/web/20120801000000id_/{URL}",
    ]
    assert notes.stages == [("archive", 1)] and notes.advanced == 1


async def test_candidates_are_capped_and_all_bad_means_none(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    archive = await wayback(
        [Capture(URL, f"2012010{day}000000", 200, SOFT_404) for day in range(1, 6)], archive_candidates=2
    )
    items = [dead(link(URL, "2012-11-03"))]
    found = await find_replacements(items, archive.config, fetch_page=checker.fetch_page)
    assert found == {}
    assert len(archive.requests("/web/")) == 2


async def test_replay_redirect_to_a_nearby_capture_is_recorded(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    archive = await wayback(captures_of(URL, "20121001000000"))
    asked = Snapshot(
        url=f"{archive.base}/web/20121002000000/{URL}",
        timestamp="20121002000000",
        original=URL,
        archive="wayback",
        raw_url=f"{archive.base}/web/20121002000000id_/{URL}",
    )
    checked = await verify(
        asked, link(URL, "2012-11-03"), fetch_page=checker.fetch_page, rate=RateLimiter(50), backoff_cap=0.1
    )
    assert checked.accepted
    assert checked.snapshot.timestamp == "20121001000000"
    assert checked.snapshot.url == f"{archive.base}/web/20121001000000/{URL}"
    assert checked.snapshot.distance_days == -33


# ------------------------------------------------------------------------------------------ politeness


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


async def test_rate_limit_spaces_every_archive_request(wayback: ArchiveFactory, checker: Checker) -> None:
    urls = [f"http://bisnews.kz/news/{n}" for n in range(4)]
    captures = [c for url in urls for c in captures_of(url, "20120101000000")]
    archive = await wayback(captures, archive_rate=20.0)
    found = await find_replacements(
        [dead(link(url, "2012-11-03")) for url in urls], archive.config, fetch_page=checker.fetch_page
    )
    assert set(found) == set(urls)
    times = [moment for moment, _ in archive.state.log]
    assert len(times) == 4 * 3  # two CDX variants and one capture per link
    # The limiter spaces the sends; on a loaded machine an arrival can still be late by the loop's jitter (12 ms
    # seen), which shortens the gap after it. So no gap may be shorter than half the interval (two requests let
    # through at once fail), and the whole run must span what the rate allows (a limiter running fast fails).
    jitter = 0.025
    assert min(gaps(times)) >= 1 / 20 - jitter
    assert times[-1] - times[0] >= (len(times) - 1) / 20 - jitter


async def test_429_pauses_all_archive_requests(wayback: ArchiveFactory, checker: Checker) -> None:
    archive = await wayback(captures_of(URL, "20120101000000"), archive_rate=20.0, retry_after_cap=0.3)
    archive.state.answer_429(2, retry_after="30")  # capped by retry_after_cap
    items = [dead(link(URL, "2012-11-03"))]
    found = await find_replacements(items, archive.config, fetch_page=checker.fetch_page)
    assert found[URL].verified
    times = [moment for moment, _ in archive.state.log]
    assert len(times) == 2 + 3  # two refused CDX queries, then both variants and the capture
    spacing = gaps(times)
    assert spacing[0] >= 0.3 - TOLERANCE and spacing[1] >= 0.3 - TOLERANCE
    assert min(spacing) >= 1 / 20 - TOLERANCE


async def test_429_that_persists_is_a_note_not_a_failure(wayback: ArchiveFactory, checker: Checker) -> None:
    archive = await wayback(captures_of(URL, "20120101000000"), retry_after_cap=0.05)
    archive.state.answer_429(100, retry_after=None)
    notes = Notes()
    found = await find_replacements(
        [dead(link(URL, "2012-11-03"))], archive.config, fetch_page=checker.fetch_page, observer=notes
    )
    assert found == {}
    assert len(archive.state.log) == 3  # the lookup's attempts, then it gave up
    assert any("429" in note for note in notes.notes)


async def test_failing_or_absent_service_never_raises(wayback: ArchiveFactory, checker: Checker) -> None:
    archive = await wayback(captures_of(URL, "20120101000000"))
    archive.state.broken = True
    notes = Notes()
    items = [dead(link(URL, "2012-11-03"))]
    assert await find_replacements(items, archive.config, fetch_page=checker.fetch_page, observer=notes) == {}
    assert any("503" in note for note in notes.notes)
    closed = archive.config.with_overrides({"wayback_url": "http://127.0.0.1:9"})
    assert await find_replacements(items, closed, fetch_page=checker.fetch_page, observer=notes) == {}
    # one readable line written by the library, never the HTTP client's text
    assert f"wayback: lookup of {URL} failed: 127.0.0.1 could not be reached" in notes.notes
    assert not any("ConnectionPool" in note or "Max retries" in note for note in notes.notes)


async def test_archive_errors_carry_their_kind(wayback: ArchiveFactory) -> None:
    """Refused, timed out and rate-limited lookups each say so through ``kind``, read from the failure itself."""
    import socket

    import pytest

    from linkaudit.archive import ArchiveError, ArchiveErrorKind

    with pytest.raises(ArchiveError) as refused:
        await WaybackLookup("http://127.0.0.1:9", rate=RateLimiter(100), attempts=1).candidates(URL, None)
    assert refused.value.kind is ArchiveErrorKind.REFUSED
    assert refused.value.readable() == "127.0.0.1 could not be reached"

    silent = socket.socket()  # accepts connections (the backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(ArchiveError) as timed_out:
            await WaybackLookup(base, rate=RateLimiter(100), timeout=0.3, attempts=1).candidates(URL, None)
    finally:
        silent.close()
    assert timed_out.value.kind is ArchiveErrorKind.TIMEOUT
    assert timed_out.value.readable() == "127.0.0.1 did not answer in time"

    archive = await wayback(captures_of(URL, "20120101000000"), retry_after_cap=0.05)
    archive.state.answer_429(100, retry_after=None)
    lookup = WaybackLookup(archive.config.wayback_url, rate=RateLimiter(100), attempts=2, backoff_cap=0.05)
    with pytest.raises(ArchiveError) as limited:
        await lookup.candidates(URL, None)
    assert limited.value.kind is ArchiveErrorKind.RATE_LIMITED
    assert limited.value.readable() == "127.0.0.1 kept answering 429 (too many requests)"


async def test_time_box_leaves_the_rest_without_snapshot(wayback: ArchiveFactory, checker: Checker) -> None:
    urls = [f"http://bisnews.kz/news/{n}" for n in range(3)]
    archive = await wayback(
        [c for url in urls for c in captures_of(url, "20120101000000")], archive_timebox=0.3, archive_rate=5.0
    )
    archive.state.delay = 0.2
    notes = Notes()
    found = await find_replacements(
        [dead(link(url, "2012-11-03")) for url in urls],
        archive.config,
        fetch_page=checker.fetch_page,
        observer=notes,
    )
    assert found == {}
    assert any("stopped after 0.3 s: 3 of 3" in note for note in notes.notes)
    await asyncio.sleep(0.3)  # in-flight worker threads finish their request
    assert len(archive.state.log) <= 2


async def test_waybackpy_runs_off_the_event_loop(wayback: ArchiveFactory) -> None:
    archive = await wayback(captures_of(URL, "20120101000000"))
    archive.state.delay = 0.3
    ticks = 0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    found = await WaybackLookup(archive.base, rate=RateLimiter(50)).candidates(URL, None)
    done.set()
    await ticker
    assert [s.timestamp for s in found] == ["20120101000000"]
    assert ticks >= 20  # two 0.3 s queries: the loop kept running meanwhile


async def test_every_answer_is_cached(wayback: ArchiveFactory, checker: Checker, tmp_path: Path) -> None:
    missing = "http://zonakz.net/gone"
    archive = await wayback(captures_of(URL, "20120101000000"))
    items = [dead(link(URL, "2012-11-03")), dead(link(missing, "2010-10-13"))]
    with Store(str(tmp_path / "linkaudit.db")) as store:
        first = await find_replacements(items, archive.config, fetch_page=checker.fetch_page, store=store)
        asked = len(archive.state.log)
        second = await find_replacements(items, archive.config, fetch_page=checker.fetch_page, store=store)
        assert store.get_archive_lookup("wayback", missing, "2010-10-13") == (None, "no capture")
    assert first == second and first[URL].verified
    # URL: two CDX queries and its capture; missing: 200 captures, then redirect captures, both slash forms
    assert asked == 3 + 4 and len(archive.state.log) == asked  # the second run asked nothing


async def test_each_reading_of_an_ambiguous_url_is_looked_up(wayback: ArchiveFactory, checker: Checker) -> None:
    """No reading of a line-end hyphen answered: the archive holds the page under the second reading only, and
    that capture is the replacement (its ``original`` names the reading)."""
    from dataclasses import replace

    kept, dropped = "http://teoria-practica.ru/articles/12", "http://teoriapractica.ru/articles/12"
    archive = await wayback(captures_of(dropped, "20190301000000"))
    ambiguous = replace(link(kept, "2019-02-01"), candidates=(kept, dropped))
    notes = Notes()
    found = await find_replacements(
        [dead(ambiguous)], archive.config, fetch_page=checker.fetch_page, observer=notes
    )
    assert found[kept].original == dropped and found[kept].verified, notes.notes
    asked = [path for _, path in archive.requests("/cdx")]
    assert any("teoria-practica.ru" in path for path in asked) and any("teoriapractica.ru" in path for path in asked)
    plain = await find_replacements(
        [dead(link(kept, "2019-02-01"))], archive.config, fetch_page=checker.fetch_page, observer=notes
    )
    assert plain == {}  # without the other reading there is nothing to find
