"""An old address archived only as a redirect: follow the archived redirect, keep the target's capture if good."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from linkaudit.archive import find_replacements
from linkaudit.check.engine import Checker
from linkaudit.demo.wayback import Capture
from linkaudit.models import CheckResult, Link
from linkaudit.status import Status
from linkaudit.store import Store

from .conftest import SOFT_404, ArchiveFactory, page

CITED = "http://news.nur.kz/217304.html"
MOVED = "http://www.nur.kz/217304.html"
FRONT = "http://www.nur.kz/"
CITED_DATE = "2012-05-09"
TITLE = "Казахстанские политологи против вхождения Казахстана в Евразийский союз"
TOLERANCE = 0.01


def cited(url: str = CITED) -> tuple[Link, CheckResult]:
    link = Link(
        url=url, normalized=url, references=("notes.txt#B18",), cited_date=CITED_DATE, cited_titles=(TITLE,)
    )
    return link, CheckResult(url=url, normalized=url, status=Status.SOFT_404, http_status=200)


def redirect(stamp: str, target: str, status: int = 301, original: str = CITED) -> Capture:
    return Capture(original, stamp, status, b"", redirect_to=target)


ARTICLE = Capture(MOVED, "20120509180100", 200, page(TITLE))
FRONT_PAGE = Capture(FRONT, "20120509180200", 200, page("NUR.KZ — новости Казахстана"))


def paths(log: list[tuple[float, str]], prefix: str) -> list[str]:
    return [path for _, path in log if path.startswith(prefix)]


def redirect_queries(log: list[tuple[float, str]]) -> list[str]:
    return [path for path in paths(log, "/cdx/") if "statuscode%3A30" in path]


# ------------------------------------------------------------------------------------------ the server


async def test_replay_of_a_redirect_capture_answers_like_the_wayback_machine(wayback: ArchiveFactory) -> None:
    archive = await wayback(
        [
            redirect("20120509180000", MOVED),
            redirect("20120509180000", "/news/7", status=302, original="http://nur.kz/news/7.html"),
            ARTICLE,
            # http -> https of the same address: replaying it would loop, so the replay skips it
            redirect("20120510000000", "https://www.nur.kz/217304.html", original=MOVED),
        ]
    )
    async with aiohttp.ClientSession() as session:
        raw = f"{archive.base}/web/20120509180000id_/{CITED}"
        async with session.get(raw, allow_redirects=False) as response:
            status, location = response.status, response.headers["Location"]
            archived_location = response.headers["X-Archive-Orig-Location"]
        relative = f"{archive.base}/web/20120509180000id_/http://nur.kz/news/7.html"
        async with session.get(relative, allow_redirects=False) as response:
            relative_status, relative_location = response.status, response.headers["Location"]
        async with session.get(f"{archive.base}/web/20120510000000id_/{MOVED}", allow_redirects=False) as response:
            self_status, self_location = response.status, response.headers["Location"]
        async with session.get(raw) as response:
            final, body = str(response.url), await response.read()
    assert (status, location) == (301, f"/web/20120509180000id_/{MOVED}")  # archived status, same timestamp
    assert archived_location == MOVED
    assert (relative_status, relative_location) == (302, "/web/20120509180000id_/http://nur.kz/news/7")
    assert (self_status, self_location) == (302, f"/web/20120509180100id_/{MOVED}")
    assert final == f"{archive.base}/web/20120509180100id_/{MOVED}"  # then the target's nearest capture
    assert body == ARTICLE.body


# ------------------------------------------------------------------------------------------ the lookup


async def test_redirect_capture_to_the_moved_article_is_the_replacement(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    archive = await wayback([redirect("20120509180000", MOVED), ARTICLE, FRONT_PAGE])
    found = await find_replacements([cited()], archive.config, fetch_page=checker.fetch_page)
    snapshot = found[CITED]
    assert snapshot.verified and snapshot.archive == "wayback"
    assert snapshot.url == f"{archive.base}/web/20120509180100/{MOVED}"  # the article's capture, not the hop
    assert snapshot.raw_url == f"{archive.base}/web/20120509180100id_/{MOVED}"
    assert (snapshot.timestamp, snapshot.original, snapshot.distance_days) == ("20120509180100", MOVED, 0)
    assert snapshot.detail.startswith(f"archived redirect to {MOVED} ")
    assert "20120509180000" in snapshot.detail
    assert paths(archive.state.log, "/web/") == [
        f"/web/20120509180000id_/{CITED}",
        f"/web/20120509180000id_/{MOVED}",
        f"/web/20120509180100id_/{MOVED}",
    ]
    async with aiohttp.ClientSession() as session, session.get(snapshot.url) as response:
        assert response.status == 200 and TITLE in await response.text()  # what a reader opens


async def test_redirect_to_the_front_page_or_to_nothing_archived_is_rejected(
    wayback: ArchiveFactory, checker: Checker, tmp_path: Path
) -> None:
    archive = await wayback(
        [
            redirect("20120509180000", FRONT),  # the classic homepage redirect
            redirect("20120501000000", "http://www.nur.kz/lost.html", status=302),  # target never archived
            FRONT_PAGE,
        ]
    )
    with Store(str(tmp_path / "linkaudit.db")) as store:
        found = await find_replacements([cited()], archive.config, fetch_page=checker.fetch_page, store=store)
        remembered = store.get_archive_lookup("wayback", CITED, CITED_DATE)
    assert found == {}
    assert remembered is not None and remembered[0] is None
    front, lost = remembered[1].split("; ")
    assert front.startswith(f"20120509180000: archived redirect to {FRONT}: capture rejected (homepage_redirect)")
    assert lost == "20120501000000: archived redirect to http://www.nur.kz/lost.html: capture answered HTTP 404"


async def test_redirect_to_another_page_needs_the_cited_title(wayback: ArchiveFactory, checker: Checker) -> None:
    section = "http://www.nur.kz/politics/"
    archive = await wayback(
        [
            redirect("20120509180000", section),  # the closest: a section page, not the article
            Capture(section, "20120509180000", 200, page("Политика — NUR.KZ")),
            redirect("20120420000000", MOVED),
            Capture(MOVED, "20120420000100", 200, page(TITLE)),
        ]
    )
    found = await find_replacements([cited()], archive.config, fetch_page=checker.fetch_page)
    assert found[CITED].url == f"{archive.base}/web/20120420000100/{MOVED}"
    assert found[CITED].distance_days == -19


async def test_a_200_capture_is_preferred_and_redirects_are_asked_only_without_one(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    # both on the cited day; by the date rule alone the later redirect capture would come first
    ok = Capture(CITED, "20120509090000", 200, page(TITLE))
    archive = await wayback([ok, redirect("20120509150000", MOVED), ARTICLE])
    found = await find_replacements([cited()], archive.config, fetch_page=checker.fetch_page)
    assert found[CITED].url == f"{archive.base}/web/20120509090000/{CITED}"
    assert found[CITED].detail == ""
    assert redirect_queries(archive.state.log) == []  # no extra CDX query was needed

    soft = Capture(CITED, "20120509090000", 200, SOFT_404)  # the same, but the 200 capture is an error page
    archive = await wayback([soft, redirect("20120509150000", MOVED), ARTICLE])
    found = await find_replacements([cited()], archive.config, fetch_page=checker.fetch_page)
    assert found[CITED].url == f"{archive.base}/web/20120509180100/{MOVED}"
    assert len(redirect_queries(archive.state.log)) == 2  # both slash forms


async def test_redirect_candidates_are_capped_and_paced(wayback: ArchiveFactory, checker: Checker) -> None:
    stamps = [f"201205{day:02}120000" for day in range(1, 7)]
    archive = await wayback([*(redirect(stamp, FRONT) for stamp in stamps), FRONT_PAGE], archive_candidates=2)
    found = await find_replacements([cited()], archive.config, fetch_page=checker.fetch_page)
    assert found == {}
    log = archive.state.log
    assert len(paths(log, "/cdx/")) == 4  # 200 and redirect captures, each in both slash forms
    hops = paths(log, "/web/")
    assert hops == [  # the two closest before the cited date, each followed to the front page's capture
        f"/web/{stamps[5]}id_/{CITED}",
        f"/web/{stamps[5]}id_/{FRONT}",
        f"/web/20120509180200id_/{FRONT}",
        f"/web/{stamps[4]}id_/{CITED}",
        f"/web/{stamps[4]}id_/{FRONT}",
        f"/web/20120509180200id_/{FRONT}",
    ]
    assert len(log) == 4 + 6
    # the redirects followed inside one fetch are paid for: the next fetch waits one slot per request made
    starts = [moment for moment, path in log if path.endswith(f"id_/{CITED}")]
    interval = 1 / archive.config.archive_rate
    assert starts[1] - starts[0] >= 3 * interval - TOLERANCE
