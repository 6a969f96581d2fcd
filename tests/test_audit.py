"""The whole audit as a user runs it (``linkaudit check`` in a subprocess) when the run itself is in danger:
killed with SIGKILL mid-run, on a machine without network, behind a proxy that never answers, or behind a
captive portal that answers every host with one page."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer, TestServer

from linkaudit.status import ExitCode

HANG_GUARD = 60.0  # seconds: a run that would hang (or take minutes) fails here instead of stalling the suite


def _environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    env.update(extra)
    return env


async def _linkaudit(args: list[str], cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "linkaudit", *args,
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    try:
        _, err = await asyncio.wait_for(process.communicate(), HANG_GUARD)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"linkaudit check did not finish within {HANG_GUARD:g} s")
    assert process.returncode is not None
    return process.returncode, err.decode()


def _document(path: Path, urls: list[str]) -> Path:
    path.write_text("".join(f"{number}. Article {number}. {url}\n" for number, url in enumerate(urls)))
    return path


def _rows(store: Path, query: str) -> list[tuple[object, ...]]:
    if not store.exists():
        return []
    with sqlite3.connect(store) as db:
        try:
            return db.execute(query).fetchall()
        except sqlite3.OperationalError:  # the schema is not there yet
            return []


# ---------------------------------------------------------------------------------------------- kill -9


class Slow:
    """A loopback site whose pages answer after ``delay`` seconds; counts requests per path."""

    def __init__(self) -> None:
        self.delay = 0.5
        self.requests: Counter[str] = Counter()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests[request.path] += 1
        await asyncio.sleep(self.delay)
        number = request.path.rsplit("/", 1)[1]
        if not request.path.startswith("/articles/") or not number.isdigit():  # the probe's made-up sibling
            return web.Response(status=404, text="<title>Not found</title>", content_type="text/html")
        body = f"<html><head><title>Article {number}</title></head><body><p>{'Text. ' * 40}</p></body></html>"
        return web.Response(text=body, content_type="text/html")


@pytest.fixture
async def slow_site() -> AsyncIterator[tuple[Slow, str]]:
    site = Slow()
    app = web.Application()
    app.router.add_get("/{tail:.*}", site.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield site, f"http://127.0.0.1:{server.port}"
    await server.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
async def test_kill_9_loses_no_finished_check(slow_site: tuple[Slow, str], tmp_path: Path) -> None:
    site, base = slow_site
    urls = [f"{base}/articles/{number}" for number in range(60)]  # 60 pages × 0.5 s at 2 at a time: 15 s
    notes = _document(tmp_path / "notes.txt", urls)
    store = tmp_path / "history.db"
    args = ["check", str(notes), "--store", str(store), "-o", str(tmp_path / "reports"), "--no-archive",
            "--allow-private", "--per-host", "2", "--timeout", "10", "--retries", "0"]  # fmt: skip
    process = await _linkaudit(args, tmp_path, _environment())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10  # well before the 15 s the whole list takes
    ok: list[tuple[object, ...]] = []
    while loop.time() < deadline and process.returncode is None:
        ok = _rows(store, "SELECT normalized FROM checks WHERE status = 'ok'")
        if len(ok) >= 6:
            break
        await asyncio.sleep(0.1)
    still_running = process.returncode is None
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert still_running, "the run ended before it could be killed"
    stored = {str(row[0]) for row in _rows(store, "SELECT normalized FROM checks WHERE status = 'ok'")}
    assert len(stored) >= 6, f"only {len(stored)} finished checks were stored before the kill"
    assert _rows(store, "PRAGMA integrity_check") == [("ok",)]
    assert {elapsed for (elapsed,) in _rows(store, "SELECT 1 FROM runs WHERE finished_at IS NULL")} == {1}

    site.delay = 0.0
    site.requests.clear()
    code, err = await _finish(await _linkaudit(args, tmp_path, _environment()))
    assert code == ExitCode.OK, err
    refetched = {url for url in stored if site.requests[url.removeprefix(base)]}
    assert refetched == set(), "a finished check of the killed run was fetched again"
    assert all(
        site.requests[f"/articles/{number}"] == 1 for number in range(60) if f"{base}/articles/{number}" not in stored
    )


# ----------------------------------------------------------------------------------------------- offline


class Silent:
    """A proxy (or anything) that accepts connections and never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        await reader.read()  # until the client gives up

    def close(self) -> None:
        for writer in self._writers:
            writer.transport.abort()


async def test_a_proxy_that_never_answers_is_offline_within_seconds_at_any_size(tmp_path: Path) -> None:
    silent = Silent()
    server = await asyncio.start_server(silent.handle, "127.0.0.1", 0)
    proxy = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    urls = [f"http://site{number % 400}.example/page/{number}" for number in range(2000)]
    notes = _document(tmp_path / "notes.txt", urls)
    store, reports = tmp_path / "history.db", tmp_path / "reports"
    args = ["check", str(notes), "--store", str(store), "-o", str(reports), "--allow-private",
            "--wayback-url", "http://archive.example", "--timeout", "5"]  # fmt: skip
    try:
        code, err = await _finish(await _linkaudit(args, tmp_path, _environment(HTTP_PROXY=proxy, NO_PROXY="")))
    finally:
        silent.close()
        server.close()
        await server.wait_closed()
    assert code == ExitCode.AUDIT_FAILED, err
    assert "looks offline" in err and "no report was written" in err
    assert not reports.exists() or not any(reports.iterdir())
    assert _rows(store, "SELECT count(*) FROM checks WHERE status != 'ok'") == [(0,)]  # no broken history
    assert _rows(store, "SELECT offline FROM runs") == [(1,)]
    assert silent.connections < 400  # stopped early, not after 2,000 URLs × 4 attempts


async def test_unreachable_hosts_and_archive_are_offline_and_leave_no_history(tmp_path: Path) -> None:
    refused = []  # ports that were bound, then closed: nothing listens there
    for _ in range(10):
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        refused.append(server.sockets[0].getsockname()[1])
        server.close()
        await server.wait_closed()
    urls = [
        f"http://127.0.{1 + number % 50}.{1 + number % 7}:{refused[number % 10]}/p/{number}" for number in range(2000)
    ]
    notes = _document(tmp_path / "notes.txt", urls)
    store, reports = tmp_path / "history.db", tmp_path / "reports"
    args = ["check", str(notes), "--store", str(store), "-o", str(reports), "--allow-private",
            "--wayback-url", f"http://127.0.0.1:{refused[0]}", "--timeout", "5"]  # fmt: skip
    code, err = await _finish(await _linkaudit(args, tmp_path, _environment()))
    assert code == ExitCode.AUDIT_FAILED, err
    assert "looks offline" in err
    assert not reports.exists() or not any(reports.iterdir())
    assert _rows(store, "SELECT count(*) FROM checks WHERE status != 'ok'") == [(0,)]


@pytest.mark.parametrize("status", [200, 404])
async def test_a_captive_portal_is_a_broken_network_not_rot(tmp_path: Path, status: int) -> None:
    """A portal (200, "please log in") or a broken proxy (404 for every host) answers for the whole web."""
    asked: Counter[str] = Counter()

    async def portal(request: web.BaseRequest) -> web.Response:
        asked[request.host] += 1
        body = "<html><head><title>Welcome to Airport Wi-Fi</title></head><body>Please log in.</body></html>"
        return web.Response(text=body, content_type="text/html", status=status)

    server = RawTestServer(portal, host="127.0.0.1")  # answers every request, whatever its target
    await server.start_server()
    urls = [f"http://journal{number}.example/article/{number}" for number in range(30)]
    notes = _document(tmp_path / "notes.txt", urls)
    store, reports = tmp_path / "history.db", tmp_path / "reports"
    args = ["check", str(notes), "--store", str(store), "-o", str(reports), "--allow-private",
            "--wayback-url", "http://archive.example", "--timeout", "5"]  # fmt: skip
    env = _environment(HTTP_PROXY=f"http://127.0.0.1:{server.port}", NO_PROXY="")
    try:
        code, err = await _finish(await _linkaudit(args, tmp_path, env))
    finally:
        await server.close()
    assert code == ExitCode.AUDIT_FAILED, err
    assert "captive portal" in err and "no report was written" in err
    assert not reports.exists() or not any(reports.iterdir())
    assert _rows(store, "SELECT count(*) FROM checks WHERE status != 'ok'") == [(0,)]
    assert asked["archive.example"] >= 1  # the archive was asked, and gave the same page


def test_results_and_histories_held_per_link_share_equal_values() -> None:
    """100,000 results hold one copy of the strings they share (the check time, the final URL when it is the
    cited URL, an empty detail), and equal histories are one object."""
    from linkaudit.audit import _Shared
    from linkaudit.models import CheckResult, History
    from linkaudit.status import Status

    def made(url: str, final: str) -> CheckResult:  # strings built at run time, as the checker builds them
        return CheckResult(url=url, normalized=url, status=Status.OK, final_url=(final + "#")[:-1],
                           checked_at=("2026-12-02T07:00:00Z" + "#")[:-1], detail=("not found" + "#")[:-1])  # fmt: skip

    shared = _Shared()
    first = shared.result(made("http://a.kz/1", "http://a.kz/1"))
    assert made("http://a.kz/1", "http://a.kz/1").final_url is not made("http://a.kz/1", "http://a.kz/1").final_url
    second = shared.result(made("http://a.kz/2", "http://b.kz/2"))
    assert first.final_url is first.url
    assert second.final_url == "http://b.kz/2"
    assert first.checked_at is second.checked_at and first.detail is second.detail
    assert first == made("http://a.kz/1", "http://a.kz/1")  # the same values
    history = History(last_ok_at="2026-12-02T07:00:00Z", checks=(("2026-12-02T07:00:00Z", "ok"),))
    assert shared.value(History(**{f: getattr(history, f) for f in History.__slots__})) is shared.value(history)


def test_the_audits_result_is_never_formatted_by_asyncio_run() -> None:
    """On Python 3.11 asyncio.run formats repr() of its main task's result when it checks its SIGINT handler:
    for a finished audit of 100,000 links that was the repr of every link. The result is handed over outside
    the task, so its repr is never asked for."""
    from linkaudit.audit import run_returning

    asked: list[str] = []

    class Big:
        def __repr__(self) -> str:
            asked.append("repr")
            return "Big()"

    async def audit() -> Big:
        return Big()

    assert isinstance(run_returning(audit()), Big)
    assert asked == []
