"""For a page whose content drifted, the capture that still carries the cited title wins."""

from __future__ import annotations

from linkaudit.archive import find_replacements
from linkaudit.check.engine import Checker
from linkaudit.demo.wayback import Capture
from linkaudit.models import CheckResult, Link
from linkaudit.status import Status

from .conftest import ArchiveFactory, page

URL = "http://www.time.kz/news/society/2012/04/05/26741"
CITED = "Малый Арал возвращается"
DRIFTED = page("Цены на бензин в Алматы выросли на семь тенге")
UNTITLED = (
    "<html><body><p>" + "Северное Аральское море наполняется водой после строительства плотины. " * 12
    + "</p></body></html>"
).encode()


def drifted(*titles: str) -> tuple[Link, CheckResult]:
    item = Link(url=URL, normalized=URL, references=("article.md#A4",), cited_date="2012-04-05",
                cited_titles=titles, host="")
    detail = f"the page now carries «Цены на бензин в Алматы выросли на семь тенге», not the cited «{CITED}»"
    return item, CheckResult(url=URL, normalized=URL, status=Status.CONTENT_DRIFT, http_status=200, detail=detail)


async def test_a_capture_carrying_another_work_is_rejected(wayback: ArchiveFactory, checker: Checker) -> None:
    archive = await wayback(
        [
            Capture(URL, "20120404000000", 200, DRIFTED),  # the closest before: already the new story
            Capture(URL, "20120301000000", 200, page(f"{CITED} — Время")),
        ]
    )
    found = await find_replacements([drifted(CITED)], archive.config, fetch_page=checker.fetch_page)
    assert found[URL].timestamp == "20120301000000"
    assert found[URL].verified


async def test_the_capture_with_the_cited_title_wins_over_an_untitled_nearer_one(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    archive = await wayback(
        [
            Capture(URL, "20120404000000", 200, UNTITLED),  # nearer, but nothing shows it is the cited work
            Capture(URL, "20120201000000", 200, page(f"{CITED} — Время")),
        ]
    )
    found = await find_replacements([drifted(CITED)], archive.config, fetch_page=checker.fetch_page)
    assert found[URL].timestamp == "20120201000000"
    assert len(archive.requests("/web/")) == 2  # both were verified


async def test_an_untitled_capture_is_still_offered_when_nothing_better_exists(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    archive = await wayback([Capture(URL, "20120404000000", 200, UNTITLED)])
    found = await find_replacements([drifted(CITED)], archive.config, fetch_page=checker.fetch_page)
    assert found[URL].timestamp == "20120404000000" and found[URL].verified


async def test_without_a_cited_title_the_closest_good_capture_wins_at_once(
    wayback: ArchiveFactory, checker: Checker
) -> None:
    archive = await wayback(
        [Capture(URL, "20120404000000", 200, UNTITLED), Capture(URL, "20120201000000", 200, page(CITED))]
    )
    found = await find_replacements([drifted()], archive.config, fetch_page=checker.fetch_page)
    assert found[URL].timestamp == "20120404000000"
    assert len(archive.requests("/web/")) == 1
