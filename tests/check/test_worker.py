"""The verdict process (check/worker.py): a real child judging pages as the checker would, and what happens
when it dies."""

from __future__ import annotations

import asyncio
import io
import os
import pickle
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import linkaudit.check.engine as engine
import linkaudit.check.worker as worker
from linkaudit.check.engine import Checker
from linkaudit.check.fetch import utf8_source
from linkaudit.check.verdict import PageView, Verdict
from linkaudit.check.worker import HEADER, READY, VerdictProcess, VerdictProcessDied, judge_page, serve
from linkaudit.config import Config
from linkaudit.models import Link, Page
from linkaudit.status import Status

from .conftest import FAST

PAGES = Path(__file__).resolve().parent.parent / "assets" / "pages"
CITED = "http://www.zp.kz/news/2010/06/10/customs-union.html"
CUSTOMS_RU = "«Таможенный Союз: за и против»"
GUARD = 60.0  # seconds: a hang fails the test instead of the suite

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]
Judged = tuple[PageView, Verdict]


def asset_pages() -> list[tuple[Page, bytes | None]]:
    """Each test page as the fetcher hands it over: the text, and its body (``fetch_with_source``); the first
    page also without its body, as a page decoded with replacement characters comes."""
    pages = []
    for path in sorted(PAGES.glob("*.html")):
        encoding = "cp1251" if "cp1251" in path.name else "utf-8"
        body = path.read_bytes()
        text = body.decode(encoding)
        page = Page(CITED, CITED, 200, content_type=f"text/html; charset={encoding}", charset=encoding, text=text)
        pages.append((page, body))
    assert {page.charset for page, _ in pages} == {"utf-8", "cp1251"}
    return [*pages, (pages[0][0], None)]


def here(page: Page, link: Link, source: bytes | None) -> Judged:
    """What the checker works out in its own process (the parser given the body when it is UTF-8)."""
    return judge_page(page, link, utf8_source(page, source))


LINK = Link(url=CITED, normalized=CITED, references=("notes.txt#A4",), cited_titles=(CUSTOMS_RU,))


def in_process(page: Page, link: Link, source: bytes | None) -> asyncio.Future[Judged]:
    """The fallback: judged here, at once."""
    future: asyncio.Future[Judged] = asyncio.get_running_loop().create_future()
    try:
        future.set_result(here(page, link, source))
    except Exception as error:  # noqa: BLE001 - handed over like the verdict thread does
        future.set_exception(error)
    return future


@pytest.fixture
async def process() -> AsyncIterator[VerdictProcess]:
    started = VerdictProcess(in_process)
    await started.start()
    for _ in range(int(GUARD * 100)):
        if started.ready or started.dead:
            break
        await asyncio.sleep(0.01)
    assert started.ready
    yield started
    await started.stop()


class _Exits:
    """Unpickled in the child, it ends the child at once: a page that kills the process reading it."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (os._exit, (70,))


async def test_the_child_judges_every_test_page_as_this_process_does(process: VerdictProcess) -> None:
    pages = asset_pages()
    answers = await asyncio.wait_for(asyncio.gather(*(process.judge(page, LINK, utf8) for page, utf8 in pages)), GUARD)
    assert answers == [here(page, LINK, utf8) for page, utf8 in pages]
    assert {verdict.status for _, verdict in answers} >= {Status.OK, Status.SOFT_404, Status.PARKED}


async def test_a_view_sent_back_without_its_texts_keeps_the_verdict(process: VerdictProcess) -> None:
    pages = asset_pages()
    answers = await asyncio.wait_for(
        asyncio.gather(*(process.judge(page, LINK, utf8, keep_text=False) for page, utf8 in pages)), GUARD
    )
    for (page, utf8), (view, verdict) in zip(pages, answers, strict=True):
        whole, expected = here(page, LINK, utf8)
        assert verdict == expected
        assert view.main_text == view.visible_text == view.machinery == ""
        assert (view.title, view.headings, view.main_words) == (whole.title, whole.headings, whole.main_words)


async def test_a_child_that_dies_fails_only_the_page_it_was_reading(process: VerdictProcess) -> None:
    (first, first_body), (second, second_body), (third, third_body) = asset_pages()[:3]
    answered = process.judge(first, LINK, first_body)
    killer = process.judge(second, LINK, _Exits())  # type: ignore[arg-type]
    behind = [process.judge(second, LINK, second_body), process.judge(third, LINK, third_body)]
    assert await asyncio.wait_for(answered, GUARD) == here(first, LINK, first_body)
    with pytest.raises(VerdictProcessDied, match="ended while reading this page"):
        await asyncio.wait_for(killer, GUARD)
    assert await asyncio.wait_for(asyncio.gather(*behind), GUARD) == [
        here(second, LINK, second_body),
        here(third, LINK, third_body),
    ]
    assert process.dead
    later = await asyncio.wait_for(process.judge(third, LINK, third_body), GUARD)  # the fallback from now on
    assert later == here(third, LINK, third_body)


async def test_a_killed_child_leaves_no_page_waiting(process: VerdictProcess) -> None:
    pages = asset_pages()
    futures = [process.judge(page, LINK, utf8) for page, utf8 in pages]
    assert process._transport is not None
    process._transport.kill()
    outcomes = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), GUARD)
    failed = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(failed) <= 1 and all(isinstance(outcome, VerdictProcessDied) for outcome in failed)
    for (page, utf8), outcome in zip(pages, outcomes, strict=True):
        if not isinstance(outcome, BaseException):
            assert outcome == here(page, LINK, utf8)


async def test_a_stopped_child_is_waited_for() -> None:
    process = VerdictProcess(in_process)
    await process.start()
    await process.stop()
    assert process._transport is not None and process._transport.get_returncode() is not None


def test_the_child_answers_exceptions_and_writes_nothing_else() -> None:
    """``serve`` on in-memory streams: the ready frame, then one answer per page, a failure as its exception."""
    page, utf8 = asset_pages()[0]
    jobs = io.BytesIO()
    for job in (worker._job(page, LINK, utf8, True), pickle.dumps((page, "not a link", None, True))):
        jobs.write(len(job).to_bytes(HEADER, "little") + job)
    jobs.seek(0)
    answers = io.BytesIO()
    serve(jobs, answers)
    data = answers.getvalue()
    frames = []
    while data:
        size = int.from_bytes(data[:HEADER], "little")
        frames.append(data[HEADER : HEADER + size])
        data = data[HEADER + size :]
    assert frames[0] == READY
    assert pickle.loads(frames[1]) == (here(page, LINK, utf8), None)
    value, error = pickle.loads(frames[2])
    assert value is None and isinstance(error, AttributeError)


# ------------------------------------------------------------------------------------------- in the checker

LONG_SCRIPT = "<script>" + "var counter = 1;\n" * 5_000 + "</script>"  # 85 KB: judged off the loop


def long_page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title>{LONG_SCRIPT}</head><body>{body}</body></html>"


ARTICLE = long_page("Послание Президента народу Казахстана", "<p>Стратегия «Казахстан-2050».</p>")
LONG_PAGES = {
    "/a/article": ARTICLE,
    "/a/missing": long_page("Страница не найдена", "<h1>Страница не найдена</h1>"),
    "/a/parked": long_page("example.kz", "<p>Домен продается.</p>"),
}


@pytest.fixture
async def long_site(aiohttp_server: ServerFactory) -> str:
    async def page(request: web.Request) -> web.Response:
        text = LONG_PAGES.get(request.path.replace("/b/", "/a/"))
        if text is None:
            if request.path.startswith("/any/"):  # a catch-all directory: every address gets the article
                text = ARTICLE
            else:
                return web.Response(status=404, text="<title>Not found</title>", content_type="text/html")
        return web.Response(body=text.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


def plain(url: str) -> Link:
    return Link(url=url, normalized=url, references=("test#1",), host="127.0.0.1")


async def test_a_small_run_starts_no_process(long_site: str) -> None:
    config = Config().with_overrides({**FAST, "retries": 0})
    async with Checker(config, verdict_process=True) as checker:
        results = await checker.check([plain(f"{long_site}{path}") for path in LONG_PAGES])
        assert checker._process is None
    assert [result.status for result in results] == [Status.OK, Status.SOFT_404, Status.PARKED]


async def test_pages_judged_in_the_process_get_the_verdicts_of_the_thread(
    long_site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PROCESS_BACKLOG", 0)  # the first long page starts it
    sent: list[tuple[str, bool]] = []
    real = worker.VerdictProcess.judge

    def noted(self: VerdictProcess, page: Page, link: Link, utf8: bytes | None, *, keep_text: bool = True) -> object:
        sent.append((page.url[len(long_site) :], keep_text))
        return real(self, page, link, utf8, keep_text=keep_text)

    monkeypatch.setattr(worker.VerdictProcess, "judge", noted)
    config = Config().with_overrides({**FAST, "retries": 0, "probe": True})
    expected = [Status.OK, Status.SOFT_404, Status.PARKED]
    async with Checker(config, verdict_process=True) as checker:
        first = await checker.check([plain(f"{long_site}{path}") for path in LONG_PAGES])  # in the thread
        process = checker._process
        assert process is not None
        for _ in range(int(GUARD * 100)):
            if process.ready or process.dead:
                break
            await asyncio.sleep(0.01)
        assert process.ready
        paths = [path.replace("/a/", "/b/") for path in LONG_PAGES] + ["/any/article"]
        second = await checker.check([plain(f"{long_site}{path}") for path in paths])
    assert [result.status for result in first] == expected
    assert [result.status for result in second] == [*expected, Status.SOFT_404]  # the catch-all: the probe saw it
    seen = [(result.detail, result.title, result.title_match) for result in second[:3]]
    assert [(result.detail, result.title, result.title_match) for result in first] == seen
    assert sorted(path for path, _ in sent) == sorted(paths)
    # only a page whose directory's probe may still compare texts has its view sent back with them
    assert dict(sent)["/any/article"] is True
    assert process.dead and process._transport is not None and process._transport.get_returncode() is not None


async def test_a_garbled_answer_is_taken_as_the_child_dying(process: VerdictProcess) -> None:
    (first, first_body), (second, second_body) = asset_pages()[:2]
    futures = [process.judge(first, LINK, first_body), process.judge(second, LINK, second_body)]
    assert process._pipes is not None
    process._pipes.pipe_data_received(1, (1 << 40).to_bytes(HEADER, "little"))  # a frame no view is this long
    outcomes = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), GUARD)
    assert process.dead
    assert isinstance(outcomes[0], VerdictProcessDied)  # no answer could come in between: nothing was awaited
    assert outcomes[1] == here(second, LINK, second_body)


async def test_a_checker_starts_no_process_unless_asked(long_site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PROCESS_BACKLOG", 0)  # however many pages wait
    config = Config().with_overrides({**FAST, "retries": 0})
    async with Checker(config) as checker:
        results = await checker.check([plain(f"{long_site}{path}") for path in LONG_PAGES])
        assert checker._process is None
    assert [result.status for result in results] == [Status.OK, Status.SOFT_404, Status.PARKED]


@pytest.mark.parametrize("verdict_process", [False, True])
async def test_a_body_not_in_utf8_is_kept_only_for_the_verdict_process(
    aiohttp_server: ServerFactory, monkeypatch: pytest.MonkeyPatch, verdict_process: bool
) -> None:
    async def page(request: web.Request) -> web.Response:
        body = long_page("Послание", "<p>Стратегия.</p>").encode("cp1251")
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=windows-1251"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    server = await aiohttp_server(app)
    kept: list[bytes | None] = []
    real = Checker._judge

    async def noted(self: Checker, page: Page, link: Link, source: bytes | None = None) -> Judged:
        kept.append(source)
        return await real(self, page, link, source)

    monkeypatch.setattr(Checker, "_judge", noted)
    config = Config().with_overrides({**FAST, "retries": 0})
    async with Checker(config, verdict_process=verdict_process) as checker:
        [result] = await checker.check([plain(str(server.make_url("/a/cp1251")))])
    assert result.status is Status.OK and result.title == "Послание"
    assert len(kept) == 1 and (kept[0] is not None) is verdict_process
