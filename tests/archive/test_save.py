"""Save Page Now: opt-in, only never-archived pages, spaced, stops on 429."""

from __future__ import annotations

import aiohttp

from linkaudit.archive import save_pages

from .conftest import ArchiveFactory, Notes, link
from .test_wayback import captures_of, gaps

FRESH = "http://news.tj/ru/news/1"
ARCHIVED = "http://vecher.kz/node/1259"


async def test_only_never_archived_pages_are_submitted(wayback: ArchiveFactory) -> None:
    archive = await wayback(captures_of(ARCHIVED, "20110601000000"), save=True)
    async with aiohttp.ClientSession() as session:
        items = [link(FRESH, "2011-10-31"), link(ARCHIVED, "2011-05-26")]
        saved = await save_pages(items, archive.config, session=session, per_minute=600)
    assert list(saved) == [FRESH]
    assert saved[FRESH].startswith(f"{archive.base}/web/") and saved[FRESH].endswith(f"/{FRESH}")
    submitted = [path for _, path in archive.requests("/save/")]
    assert submitted == [f"/save/{FRESH}"]
    assert any(c.original == FRESH for c in archive.state.captures)  # the archive holds it now


async def test_nothing_happens_without_opting_in(wayback: ArchiveFactory) -> None:
    archive = await wayback([])
    async with aiohttp.ClientSession() as session:
        assert await save_pages([link(FRESH)], archive.config, session=session) == {}
    assert archive.state.log == []


async def test_submissions_are_spaced(wayback: ArchiveFactory) -> None:
    archive = await wayback([], save=True, archive_rate=50.0)
    urls = [f"http://news.tj/ru/news/{n}" for n in range(3)]
    async with aiohttp.ClientSession() as session:
        saved = await save_pages([link(u) for u in urls], archive.config, session=session, per_minute=300)
    assert set(saved) == set(urls)
    times = [moment for moment, path in archive.state.log if path.startswith("/save/")]
    assert len(times) == 3 and min(gaps(times)) >= 60 / 300 - 0.01


async def test_429_stops_submitting_without_failing(wayback: ArchiveFactory) -> None:
    archive = await wayback([], save=True, retry_after_cap=0.05)
    archive.state.refuse_saves = True
    notes = Notes()
    urls = [f"http://news.tj/ru/news/{n}" for n in range(3)]
    async with aiohttp.ClientSession() as session:
        saved = await save_pages(
            [link(u) for u in urls], archive.config, session=session, per_minute=6000, observer=notes
        )
    assert saved == {}
    assert len(archive.requests("/save/")) == 1
    assert any("429" in note for note in notes.notes)
