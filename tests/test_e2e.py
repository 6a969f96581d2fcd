"""The whole pipeline against the simulated web: the CLI through a proxy, the Audit through the resolver seam."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cli_run import run_cli
from linkaudit.audit import Audit, load_documents
from linkaudit.config import Config
from linkaudit.demo.sites import expected_statuses
from linkaudit.demo.web import SimulatedWeb
from linkaudit.status import ExitCode, Status

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notes.txt"


async def test_check_sample_end_to_end_through_a_proxy(tmp_path: Path) -> None:
    """`linkaudit check examples/notes.txt` as a user runs it, with HTTP_PROXY pointing at the simulated web."""
    async with SimulatedWeb(slow_delay=3.0) as simulated:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(HTTP_PROXY=simulated.proxy_url, NO_PROXY="127.0.0.1,localhost")
        summary = tmp_path / "step-summary.md"
        env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
        code, out, err = await run_cli(
            # the simulated hosts resolve only behind the proxy, and behind a proxy the address guard needs a
            # local answer for each name: lifted here (tests/check/test_hostile.py shows the guard itself)
            ["check", str(SAMPLE), "-o", str(tmp_path / "reports"), "--store", str(tmp_path / "la.db"),
             "--allow-private", "--wayback-url", simulated.wayback_url, "--archive-rate", "50",
             "--timeout", "1", "--retries", "1", "-f", "html,json,md,csv"],
            env, tmp_path,
        )  # fmt: skip
    assert code == ExitCode.BROKEN, err
    assert "wrote" in out and "broken" in out, out + err
    annotations = [line for line in out.splitlines() if line.startswith("::warning file=")]
    assert any("bisnews.kz" in line and ",line=5," in line for line in annotations), annotations  # note A3's line
    assert summary.read_text(encoding="utf-8").startswith("# ")  # the Markdown report, in the job summary
    reports = tmp_path / "reports"
    assert {p.name for p in reports.iterdir()} >= {"linkaudit.html", "linkaudit.json", "linkaudit.md", "linkaudit.csv"}
    data = json.loads((reports / "linkaudit.json").read_text(encoding="utf-8"))
    assert data["schema"] == "linkaudit/1"
    assert data["summary"]["references"] == 40
    statuses = {link["url"]: link["status"] for link in data["links"]}
    expected = expected_statuses()
    # Through a proxy the proxy resolves and connects: an unresolvable host, a refused port and an untrusted TLS
    # site reach the checker as the proxy's 502 answer (as they do with curl through a proxy).
    through_proxy_differs = {Status.DNS_ERROR, Status.TLS_ERROR, Status.CONNECTION_ERROR}
    compared = {url: status for url, status in expected.items() if status not in through_proxy_differs}
    assert len(compared) >= 12
    assert {url: statuses.get(url) for url in compared} == {url: s.value for url, s in compared.items()}
    by_url = {link["url"]: link for link in data["links"]}
    camonitor = by_url["http://camonitor.com/archives/4070"]
    assert camonitor["title_match"] is True
    assert [ref.rsplit("#", 1)[1] for ref in camonitor["references"]] == ["B14", "B15", "B16"]  # Ibid. cites it too
    dead = [link for link in data["links"] if link["archive"] and link["archive"]["verified"]]
    assert dead, "no verified archived replacement"
    for link in dead:
        assert link["archive"]["url"].startswith(simulated.wayback_url + "/web/")
    assert all(link["confirmed"] is False for link in data["links"])  # one run: suspect at most


async def test_warm_rerun_makes_no_request_for_cached_ok_links(tmp_path: Path) -> None:
    parsed = load_documents([str(SAMPLE)])
    async with SimulatedWeb(slow_delay=2.0) as simulated:
        config = Config(
            store=str(tmp_path / "la.db"), timeout=0.5, connect_timeout=0.5, retries=0,
            wayback_url=simulated.wayback_url, archive=False,
        )  # fmt: skip
        first = await Audit(config, resolver=simulated.resolver).run_async(parsed)
        ok_hosts = {
            item.link.host for item in first.report.links if item.result.status.is_success
        } - {item.link.host for item in first.report.links if not item.result.status.is_success}
        assert ok_hosts
        simulated.log.clear()
        second = await Audit(config, resolver=simulated.resolver).run_async(parsed)
        asked = {entry.host for entry in simulated.log.entries}
    assert not ok_hosts & asked, f"cached ok hosts were asked again: {sorted(ok_hosts & asked)}"
    assert any(item.result.from_cache for item in second.report.links)
    assert [i.result.status for i in second.report.links] == [i.result.status for i in first.report.links]


async def test_three_runs_over_days_turn_suspect_into_confirmed(tmp_path: Path) -> None:
    parsed = load_documents([str(SAMPLE)])
    start = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)
    states = []
    async with SimulatedWeb(slow_delay=2.0) as simulated:
        config = Config(
            store=str(tmp_path / "la.db"), timeout=0.5, connect_timeout=0.5, retries=0,
            wayback_url=simulated.wayback_url, archive=False,
        )  # fmt: skip
        for day in (0, 2, 4):
            moment = start + timedelta(days=day)
            outcome = await Audit(config, resolver=simulated.resolver, clock=lambda m=moment: m).run_async(parsed)
            dead = next(i for i in outcome.report.links if i.link.url == "http://bisnews.kz")
            assert dead.history is not None
            states.append((dead.history.broken_runs, dead.history.confirmed, outcome.exit_code))
    assert states == [(1, False, ExitCode.BROKEN), (2, False, ExitCode.BROKEN), (3, True, ExitCode.BROKEN)]
    assert outcome.report.trend and len(outcome.report.trend) == 3


async def test_fail_on_confirmed_ignores_a_first_broken_night(tmp_path: Path) -> None:
    from linkaudit.status import FailOn

    parsed = load_documents([str(SAMPLE)])
    async with SimulatedWeb(slow_delay=2.0) as simulated:
        config = Config(
            store=str(tmp_path / "la.db"), timeout=0.5, connect_timeout=0.5, retries=0, archive=False,
            fail_on=FailOn.CONFIRMED,
        )  # fmt: skip
        outcome = await Audit(config, resolver=simulated.resolver).run_async(parsed)
    assert any(i.result.status.is_broken for i in outcome.report.links)
    assert outcome.exit_code is ExitCode.OK


async def test_shards_cover_the_unsharded_run_with_no_host_in_two(tmp_path: Path) -> None:
    from linkaudit.report.json import merge

    parsed = load_documents([str(SAMPLE)])
    async with SimulatedWeb(slow_delay=2.0) as simulated:
        base = Config(store=None, timeout=0.5, connect_timeout=0.5, retries=0, archive=False)
        whole = (await Audit(base, resolver=simulated.resolver).run_async(parsed)).report
        shards = []
        for k in (1, 2, 3):
            config = Config(store=None, timeout=0.5, connect_timeout=0.5, retries=0, archive=False, shard=(k, 3))
            shards.append((await Audit(config, resolver=simulated.resolver).run_async(parsed)).report)
    hosts = [{item.link.host for item in shard.links} for shard in shards]
    assert all(hosts), "every shard should get some hosts of the sample"
    assert not (hosts[0] & hosts[1] or hosts[0] & hosts[2] or hosts[1] & hosts[2])
    merged = merge(shards)
    assert merged.shard is None
    assert {i.link.normalized: i.result.status for i in merged.links} == {
        i.link.normalized: i.result.status for i in whole.links
    }
    assert len(merged.references) == len(whole.references) == 40


async def test_a_killed_run_keeps_its_checks_and_the_next_run_completes_the_rest(tmp_path: Path) -> None:
    import sqlite3

    store = tmp_path / "la.db"
    reports = tmp_path / "reports"

    def recorded() -> dict[str, str]:
        if not store.exists():
            return {}
        with sqlite3.connect(store) as db:
            try:
                return dict(db.execute("SELECT normalized, status FROM checks").fetchall())
            except sqlite3.OperationalError:  # tables not created yet
                return {}

    async with SimulatedWeb(slow_delay=60.0) as simulated:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(HTTP_PROXY=simulated.proxy_url, NO_PROXY="127.0.0.1,localhost")
        args = ["check", str(SAMPLE), "-o", str(reports), "--store", str(store), "--no-archive", "--retries", "0",
                "--allow-private"]  # the simulated hosts resolve only behind the proxy
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "linkaudit", *args, "--timeout", "50",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(recorded()) < 18 and loop.time() < deadline:  # all 19 links but the slow host's
            await asyncio.sleep(0.1)
        before_kill = recorded()
        process.kill()  # SIGKILL: no cleanup, no report
        await process.wait()
        assert len(before_kill) == 18, before_kill
        assert "http://customsexpert.ru/" not in before_kill
        assert not reports.exists() or not any(reports.iterdir()), "a killed run wrote a report"
        with sqlite3.connect(store) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        survived = recorded()
        assert survived.items() >= before_kill.items()

        simulated.slow_delay = 0.05
        simulated.log.clear()
        code, _out, err = await run_cli([*args, "--timeout", "5"], env, tmp_path)
        asked = {entry.host for entry in simulated.log.entries}
    assert code == ExitCode.BROKEN, err
    data = json.loads((reports / "linkaudit.json").read_text(encoding="utf-8"))
    assert len(data["links"]) == 19
    by_url = {link["normalized"]: link for link in data["links"]}
    assert by_url["http://customsexpert.ru/"]["status"] == "ok"  # completed by the second run
    cached_ok = {url for url, status in before_kill.items() if status in ("ok", "redirected")}
    assert cached_ok and all(by_url[url]["from_cache"] for url in cached_ok)
    assert "customsexpert.ru" in asked
    assert "camonitor.com" not in asked  # its two ok links came from the killed run's checks


async def test_only_dead_hosts_are_rot_not_offline_when_the_archive_answers(tmp_path: Path) -> None:
    """A warm re-run (the live link cached) or a shard whose hosts all fail must still report rot."""
    mixed = tmp_path / "refs.txt"
    mixed.write_text(  # no title to compare: a title the page does not carry would be drift, not "alive"
        "1. http://camonitor.com/archives/4070\n2. Gone, http://www.bnews.kz\n", encoding="utf-8"
    )
    dead_only = tmp_path / "dead.txt"
    dead_only.write_text("1. Gone, http://www.bnews.kz\n", encoding="utf-8")
    async with SimulatedWeb(slow_delay=2.0) as simulated:
        config = Config(
            store=str(tmp_path / "la.db"), timeout=0.5, connect_timeout=0.5, retries=0, archive=False,
            wayback_url=simulated.wayback_url,
        )  # fmt: skip
        first = await Audit(config, resolver=simulated.resolver).run_async(load_documents([str(mixed)]))
        warm = await Audit(config, resolver=simulated.resolver).run_async(load_documents([str(mixed)]))
        stateless = Config(store=None, timeout=0.5, connect_timeout=0.5, retries=0, archive=False)
        archive_up = replace(stateless, wayback_url=simulated.wayback_url)
        archive_down = replace(stateless, wayback_url="http://archive.invalid")
        dead = await Audit(archive_up, resolver=simulated.resolver).run_async(load_documents([str(dead_only)]))
        cut_off = await Audit(archive_down, resolver=simulated.resolver).run_async(load_documents([str(dead_only)]))
    assert (first.exit_code, first.report.offline) == (ExitCode.BROKEN, False)
    assert any(item.result.from_cache for item in warm.report.links)
    assert (warm.exit_code, warm.report.offline) == (ExitCode.BROKEN, False)
    assert (dead.exit_code, dead.report.offline) == (ExitCode.BROKEN, False)
    assert (cut_off.exit_code, cut_off.report.offline) == (ExitCode.AUDIT_FAILED, True)


async def test_a_failing_archive_is_said_in_the_report_not_read_as_no_copy(tmp_path: Path) -> None:
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    port = closed.getsockname()[1]
    document = tmp_path / "refs.txt"
    document.write_text("1. Gone, http://bisnews.kz\n", encoding="utf-8")
    try:
        async with SimulatedWeb(slow_delay=2.0) as simulated:
            config = Config(
                store=None, timeout=0.5, connect_timeout=0.5, retries=0, archive_rate=50,
                wayback_url=f"http://127.0.0.1:{port}",
            )  # fmt: skip
            outcome = await Audit(config, resolver=simulated.resolver).run_async(load_documents([str(document)]))
    finally:
        closed.close()
    (item,) = outcome.report.links
    assert item.result.status is Status.DEAD and item.archive is None
    assert not outcome.report.offline  # the cited host answered (410)
    assert any("bisnews.kz" in note and "failed" in note for note in outcome.report.notes), outcome.report.notes
    assert all(len(note) <= 240 and "\n" not in note for note in outcome.report.notes)  # one short line each


async def test_a_spilled_run_writes_the_same_reports_as_a_run_held_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long documents keep their references spilled (compressed, read back as iterated): every report is the
    same as when they are held as objects. Spilling is forced here on the sample's 40 references."""
    import linkaudit.spill
    from linkaudit.report import write_reports
    from linkaudit.spill import Joined, Spilled

    moment = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)
    second = tmp_path / "notes-copy.txt"  # two documents: the report joins their references
    second.write_text("\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:20]) + "\n", encoding="utf-8")
    outputs = {}
    async with SimulatedWeb(slow_delay=2.0) as simulated:
        config = Config(
            store=None, timeout=0.5, connect_timeout=0.5, retries=0, wayback_url=simulated.wayback_url,
            archive_rate=50,
        )  # fmt: skip
        for above in (10**9, 0):
            monkeypatch.setattr(linkaudit.spill, "SPILL_ABOVE", above)
            parsed = load_documents([str(SAMPLE), str(second)])
            spilled = isinstance(parsed[0].references, Spilled)
            assert spilled is (above == 0)
            outcome = await Audit(config, resolver=simulated.resolver, clock=lambda: moment).run_async(parsed)
            assert isinstance(outcome.report.references, Joined) is spilled
            assert isinstance(outcome.report.links, tuple) is not spilled  # records made as they are read
            assert list(outcome.report.links) == list(outcome.report.links)  # made again, equal
            folder = tmp_path / str(above)
            write_reports(outcome.report, folder, ["html", "json", "md", "csv"])
            outputs[above] = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert len(outputs[0]) == 4
    timed = [json.loads(outputs[a].pop("linkaudit.json")) for a in (0, 10**9)]
    for data in timed:  # how long each request took differs from run to run
        for link in data["links"]:
            link.pop("elapsed_ms"), link.pop("checked_at")
    assert timed[0] == timed[1]
    assert outputs[0] == outputs[10**9]
