"""Content drift is decided only on a clear mismatch; a page without a title or with a partial match stays ok."""

from __future__ import annotations

import pytest

from linkaudit.check.drift import decide, drift_verdict, shared_share
from linkaudit.check.verdict import Verdict, classify
from linkaudit.models import Link, Page
from linkaudit.status import Status

URL = "http://www.time.kz/news/society/2012/04/05/26741"
RU_TITLE = "Малый Арал возвращается"
EN_TITLE = "The Small Aral is coming back"
BODY = "<p>" + "Стоимость топлива на заправках города снова изменилась, сообщают водители. " * 20 + "</p>"


def page(title: str | None, heading: str | None = None, body: str = BODY, url: str = URL) -> Page:
    head = f"<title>{title}</title>" if title is not None else ""
    top = f"<h1>{heading}</h1>" if heading else ""
    text = f"<html><head>{head}</head><body>{top}{body}</body></html>"
    return Page(url=url, final_url=url, http_status=200, content_type="text/html", text=text, title=title)


def link(*titles: str) -> Link:
    return Link(url=URL, normalized=URL, references=("article.md#A4",), cited_titles=titles, host="www.time.kz")


def judged(item: Link, fetched: Page) -> Verdict:
    return decide(item, fetched, classify(fetched, item))


def test_another_work_under_the_cited_address_is_content_drift() -> None:
    fetched = page("Цены на бензин в Алматы выросли на семь тенге — Время", "Цены на бензин в Алматы выросли")
    verdict = judged(link(RU_TITLE, EN_TITLE), fetched)
    assert verdict.status is Status.CONTENT_DRIFT
    assert verdict.title_match is False
    assert verdict.detail == (
        "the page now carries «Цены на бензин в Алматы выросли на семь тенге — Время», "
        "not the cited «Малый Арал возвращается» / «The Small Aral is coming back»"
    )


def test_either_half_matching_keeps_the_page_ok() -> None:
    fetched = page("The Small Aral is coming back — Vremya", "The Small Aral is coming back")
    verdict = judged(link(RU_TITLE, EN_TITLE), fetched)
    assert (verdict.status, verdict.title_match) == (Status.OK, True)
    transliterated = page("Malyi Aral vozvrashchaetsia", "Malyi Aral vozvrashchaetsia")
    assert judged(link(RU_TITLE), transliterated).status is Status.OK


def test_a_partial_match_stays_ok_with_a_note() -> None:
    fetched = page("Малый Арал: новые данные о водохранилище", "Новые данные")
    verdict = judged(link(RU_TITLE, EN_TITLE), fetched)
    assert verdict.status is Status.OK
    assert verdict.title_match is False
    assert verdict.detail.startswith("the page title «Малый Арал: новые данные о водохранилище» matches the cited")
    assert verdict.detail.endswith("only in part")


def test_a_page_without_a_title_stays_ok_with_a_note() -> None:
    fetched = page(None, "Цены на бензин выросли")
    verdict = judged(link(RU_TITLE), fetched)
    assert verdict.status is Status.OK
    assert verdict.detail == "the page has no title, and the cited title «Малый Арал возвращается» was not found in it"


def test_no_cited_title_or_a_homepage_citation_is_never_drift() -> None:
    fetched = page("Цены на бензин в Алматы выросли")
    assert judged(link(), fetched).status is Status.OK
    home = "http://www.time.kz/"
    item = Link(url=home, normalized=home, references=("a#1",), cited_titles=(RU_TITLE,), host="www.time.kz")
    assert judged(item, page("Время — новости Казахстана", url=home)).status is Status.OK


def test_only_live_pages_are_reconsidered() -> None:
    dead = Verdict(Status.SOFT_404, "answered 200 with an error page («Страница не найдена»)", None)
    assert decide(link(RU_TITLE), page("Страница не найдена"), dead) is dead
    matched = Verdict(Status.OK, "", True)
    assert decide(link(RU_TITLE), page(RU_TITLE), matched) is matched


def test_a_moved_page_carrying_another_work_keeps_its_move_in_the_detail() -> None:
    moved = Verdict(Status.REDIRECTED, "moved to http://www.time.kz/news/2", False)
    verdict = drift_verdict((RU_TITLE,), "Цены на бензин выросли", moved)
    assert verdict.status is Status.CONTENT_DRIFT
    assert verdict.detail.startswith("moved to http://www.time.kz/news/2; the page now carries «Цены на бензин")


@pytest.mark.parametrize(
    ("cited", "title", "share"),
    [
        ("Малый Арал возвращается", "Малый Арал возвращается — Время", 1.0),
        ("Малый Арал возвращается", "Малого Арала не вернуть", 2 / 3),  # stems meet across inflections
        ("The Small Aral is coming back", "Цены на бензин в Алматы выросли", 0.0),
        ("", "anything", 0.0),
    ],
)
def test_shared_share(cited: str, title: str, share: float) -> None:
    assert shared_share(cited, title) == pytest.approx(share)


def test_a_cited_title_too_short_to_tell_another_work_stays_ok_with_a_note() -> None:
    fetched = page("Цены на бензин в Алматы выросли на семь тенге — Время", "Цены на бензин")
    verdict = judged(link("Alive"), fetched)
    assert verdict.status is Status.OK
    assert verdict.title_match is False
    assert verdict.detail.endswith("too short to tell another work")
    two_words = judged(link("Aral news"), fetched)
    assert two_words.status is Status.OK
    assert judged(link("Aral sea news today"), fetched).status is Status.CONTENT_DRIFT
