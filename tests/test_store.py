"""The store on real SQLite files: migrations, cache, the confirmation rule, crashes and concurrent runs."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from linkaudit.models import CheckResult, Snapshot
from linkaudit.status import Status
from linkaudit.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, format_time
from store_clock import START, Clock

URL = "http://izvestia.ru/news/502761"


def result(status: Status, clock: Clock, url: str = URL, **extra: object) -> CheckResult:
    return CheckResult(
        url=url,
        normalized=url,
        status=status,
        checked_at=format_time(clock()),
        **extra,  # type: ignore[arg-type]
    )


def run_once(store: Store, *results: CheckResult, offline: bool = False) -> int:
    run_id = store.begin_run(["notes.txt"])
    for item in results:
        store.record_check(run_id, item)
    broken = sum(1 for item in results if item.status.is_broken)
    store.finish_run(run_id, links=len(results), broken=broken, offline=offline)
    return run_id


def pragma(path: Path, name: str) -> object:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]


# -- opening, migrations, bad files -------------------------------------------------------------------------


def test_a_new_store_creates_its_directory_and_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / ".linkaudit" / "nested" / "linkaudit.db"
    with Store(path):
        pass
    assert path.is_file()
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "journal_mode") == "wal"


def test_an_older_store_is_migrated_and_keeps_its_history(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as connection:
        for statement in MIGRATIONS[0]:
            connection.execute(statement)
        connection.execute("PRAGMA user_version = 1")
        connection.execute(
            "INSERT INTO runs (id, started_at, finished_at, documents, links, broken)"
            " VALUES (1, '2024-02-01T00:00:00.000000Z', '2024-02-01T00:01:00.000000Z', '[]', 1, 1)"
        )
        connection.execute(
            "INSERT INTO checks (run_id, url, normalized, checked_at, status)"
            " VALUES (1, ?, ?, '2024-02-01T00:00:30.000000Z', 'dead')",
            (URL, URL),
        )
        connection.commit()

    with Store(path, clock=clock) as store:
        history = store.history(URL)
        assert history.broken_runs == 1
        assert history.first_broken_at == "2024-02-01T00:00:30.000000Z"
        snapshot = Snapshot(url="https://a/web/1/x", timestamp="20240101000000", original=URL, archive="a")
        store.put_archive_lookup("a", URL, None, snapshot, "closest")  # a table added by migration 2
        assert store.get_archive_lookup("a", URL, None) == (snapshot, "closest")
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_a_store_from_a_newer_linkaudit_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
    with pytest.raises(StoreError, match="was written by a newer linkaudit") as caught:
        Store(path)
    assert str(path) in str(caught.value)
    assert pragma(path, "user_version") == SCHEMA_VERSION + 1


def test_a_file_that_is_not_sqlite_gives_a_one_line_store_error(tmp_path: Path) -> None:
    path = tmp_path / "linkaudit.db"
    path.write_bytes(b"this is a text file, not a database\n" * 200)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert str(path) in message
    assert "not a usable linkaudit store" in message
    assert "\n" not in message


def test_a_foreign_sqlite_database_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
        connection.commit()
    with pytest.raises(StoreError, match="not a linkaudit store"):
        Store(path)
    assert pragma(path, "user_version") == 0


# -- the cache --------------------------------------------------------------------------------------------


def test_a_fresh_success_is_reused_and_a_stale_one_is_not(store: Store, clock: Clock) -> None:
    checked = result(
        Status.REDIRECTED,
        clock,
        http_status=200,
        final_url=URL + "/",
        redirects=(URL + "/",),
        title="Известия",
        title_match=True,
        attempts=2,
        detail="moved",
    )
    run_once(store, checked)
    clock.advance(minutes=30)
    cached = store.cached_result(URL, ttl_ok=3600)
    assert cached is not None
    assert cached.from_cache
    assert (cached.status, cached.http_status, cached.final_url, cached.redirects) == (
        Status.REDIRECTED,
        200,
        URL + "/",
        (URL + "/",),
    )
    assert (cached.title, cached.title_match, cached.attempts) == ("Известия", True, 2)
    assert cached.detail == "moved"
    assert cached.checked_at == checked.checked_at
    clock.advance(hours=1)
    assert store.cached_result(URL, ttl_ok=3600) is None
    assert store.cached_result("http://never.checked/", ttl_ok=3600) is None


def test_errors_are_never_reused_even_after_an_older_success(store: Store, clock: Clock) -> None:
    run_once(store, result(Status.OK, clock))
    clock.advance(minutes=1)
    run_once(store, result(Status.TIMEOUT, clock))
    clock.advance(minutes=1)
    assert store.cached_result(URL, ttl_ok=10**9) is None


def test_cached_results_are_not_recorded_again(store: Store, clock: Clock) -> None:
    run_once(store, result(Status.OK, clock))
    clock.advance(minutes=5)
    cached = store.cached_result(URL, ttl_ok=3600)
    assert cached is not None
    run_once(store, cached)
    assert len(store.history(URL).checks) == 1


# -- history and the confirmation rule --------------------------------------------------------------------


def test_a_link_broken_in_three_runs_over_four_days_is_confirmed(store: Store, clock: Clock) -> None:
    first = result(Status.DEAD, clock, http_status=404)
    run_once(store, first)
    suspect = store.history(URL)
    assert (suspect.broken_runs, suspect.confirmed) == (1, False)
    clock.advance(days=2)
    run_once(store, result(Status.DEAD, clock, http_status=404))
    assert (store.history(URL).broken_runs, store.history(URL).confirmed) == (2, False)
    clock.advance(days=2)
    run_once(store, result(Status.SOFT_404, clock))
    confirmed = store.history(URL)
    assert (confirmed.broken_runs, confirmed.confirmed) == (3, True)
    assert confirmed.first_broken_at == first.checked_at
    assert confirmed.last_ok_at is None
    assert [status for _, status in confirmed.checks] == ["dead", "dead", "soft_404"]


def test_three_runs_within_one_day_are_not_enough(store: Store, clock: Clock) -> None:
    for _ in range(3):
        run_once(store, result(Status.DEAD, clock))
        clock.advance(hours=6)
    history = store.history(URL)
    assert history.broken_runs == 3
    assert not history.confirmed


def test_two_runs_over_a_week_are_not_enough(store: Store, clock: Clock) -> None:
    run_once(store, result(Status.DNS_ERROR, clock))
    clock.advance(days=7)
    run_once(store, result(Status.DNS_ERROR, clock))
    assert not store.history(URL).confirmed


def test_the_current_result_counts_before_it_is_recorded_and_only_once(store: Store, clock: Clock) -> None:
    run_once(store, result(Status.DEAD, clock))
    clock.advance(days=2)
    run_once(store, result(Status.DEAD, clock))
    clock.advance(days=2)
    run_id = store.begin_run(["notes.txt"])
    current = result(Status.DEAD, clock)
    assert store.history(URL, current=current).confirmed
    store.record_check(run_id, current)
    recorded = store.history(URL, current=current)
    assert recorded.broken_runs == 3
    assert len(recorded.checks) == 3


def test_a_success_ends_the_streak(store: Store, clock: Clock) -> None:
    for status in (Status.DEAD, Status.DEAD, Status.OK, Status.DEAD):
        run_once(store, result(status, clock))
        clock.advance(days=2)
    history = store.history(URL)
    assert history.broken_runs == 1
    assert not history.confirmed
    assert history.first_broken_at == format_time(START + timedelta(days=6))
    assert history.last_ok_at == format_time(START + timedelta(days=4))
    assert store.history(URL, current=result(Status.OK, clock)).broken_runs == 0


def test_blocked_neither_counts_nor_ends_the_streak(store: Store, clock: Clock) -> None:
    for status in (Status.DEAD, Status.BLOCKED, Status.DEAD, Status.DEAD):
        run_once(store, result(status, clock))
        clock.advance(days=2)
    history = store.history(URL)
    assert history.broken_runs == 3
    assert history.confirmed


def test_recent_checks_are_the_last_ten_oldest_first(store: Store, clock: Clock) -> None:
    for number in range(14):
        run_once(store, result(Status.OK if number % 3 else Status.DEAD, clock))
        clock.advance(hours=1)
    checks = store.history(URL).checks
    assert len(checks) == 10
    assert checks[0][0] == format_time(START + timedelta(hours=4))
    assert checks[-1][0] == format_time(START + timedelta(hours=13))
    assert [moment for moment, _ in checks] == sorted(moment for moment, _ in checks)


def test_an_offline_run_leaves_no_broken_history(store: Store, clock: Clock) -> None:
    other = "http://www.russianmission.eu/"
    run_once(store, result(Status.DEAD, clock))
    clock.advance(days=2)
    run_once(store, result(Status.DEAD, clock))
    clock.advance(days=2)
    offline_run = run_once(
        store, result(Status.DNS_ERROR, clock), result(Status.OK, clock, url=other), offline=True
    )
    history = store.history(URL)
    assert (history.broken_runs, history.confirmed) == (2, False)
    assert len(history.checks) == 2
    assert store.history(other).last_ok_at == format_time(clock())  # what did answer is still evidence
    assert offline_run not in [summary.run_id for summary in store.trend()]


def test_a_killed_run_never_counts_toward_confirmation(store: Store, clock: Clock) -> None:
    other = "http://www.russianmission.eu/"
    run_once(store, result(Status.DEAD, clock))
    clock.advance(days=2)
    killed = store.begin_run(["notes.txt"])  # killed before it could be judged offline: never finished
    store.record_check(killed, result(Status.DNS_ERROR, clock))
    store.record_check(killed, result(Status.OK, clock, url=other))
    clock.advance(days=2)
    current = result(Status.DEAD, clock)
    history = store.history(URL, current=current)
    assert (history.broken_runs, history.confirmed) == (2, False)  # the finished run and this one
    assert [status for _, status in history.checks] == ["dead", "dead"]
    assert store.history(other).last_ok_at is not None  # what did answer is still evidence
    run_id = store.begin_run(["notes.txt"])
    store.record_check(run_id, current)
    store.finish_run(run_id, links=1, broken=1, offline=False)
    clock.advance(days=2)
    assert store.history(URL, current=result(Status.DEAD, clock)).confirmed  # three finished runs, six days


def test_trend_lists_finished_online_runs_oldest_first(store: Store, clock: Clock) -> None:
    for broken in range(4):
        run_id = store.begin_run(["notes.txt"], shard="1/2")
        store.finish_run(run_id, links=10, broken=broken, offline=False)
        clock.advance(days=1)
    store.begin_run(["notes.txt"])  # still running: not in the trend
    trend = store.trend(limit=3)
    assert [summary.broken for summary in trend] == [1, 2, 3]
    assert [summary.links for summary in trend] == [10, 10, 10]
    assert trend[0].started_at == format_time(START + timedelta(days=1))


def test_trend_of_keeps_the_runs_over_the_same_documents(store: Store, clock: Clock) -> None:
    for documents, shard, broken in (
        (["notes.txt", "article.md"], None, 1),
        (["empty.txt"], None, 0),  # another document set: not a point on the notes' chart
        (["article.md", "notes.txt"], None, 2),  # the same set, named in another order
        (["article.md", "notes.txt"], "1/2", 7),  # one shard of it
        (["notes.txt", "article.md"], None, 3),
    ):
        run_id = store.begin_run(documents, shard)
        store.finish_run(run_id, links=10, broken=broken, offline=False)
        clock.advance(hours=3)
    assert [run.broken for run in store.trend_of(["article.md", "notes.txt"])] == [1, 2, 3]
    assert [run.broken for run in store.trend_of(["notes.txt", "article.md"], limit=2)] == [2, 3]
    assert [run.broken for run in store.trend_of(["notes.txt", "article.md"], "1/2")] == [7]
    assert [run.broken for run in store.trend_of(["empty.txt"])] == [0]
    assert store.trend_of(["other.txt"]) == ()


# -- archive lookups --------------------------------------------------------------------------------------


def test_archive_lookups_round_trip_and_expire(store: Store, clock: Clock) -> None:
    snapshot = Snapshot(
        url="https://web.archive.org/web/20111004000000/http://izvestia.ru/",
        timestamp="20111004000000",
        original="http://izvestia.ru/",
        archive="wayback",
        verified=True,
        distance_days=1,
        detail="closest capture",
        raw_url="https://web.archive.org/web/20111004000000id_/http://izvestia.ru/",
    )
    assert store.get_archive_lookup("wayback", URL, "2011-10-03") is None
    store.put_archive_lookup("wayback", URL, "2011-10-03", snapshot, "found")
    store.put_archive_lookup("wayback", URL, None, None, "no capture")
    assert store.get_archive_lookup("wayback", URL, "2011-10-03") == (snapshot, "found")
    assert store.get_archive_lookup("wayback", URL, None) == (None, "no capture")
    assert store.get_archive_lookup("memento:http://tg", URL, "2011-10-03") is None
    clock.advance(days=2)
    assert store.get_archive_lookup("wayback", URL, "2011-10-03", max_age=86400) is None
    assert store.get_archive_lookup("wayback", URL, "2011-10-03", max_age=3 * 86400) is not None
    store.put_archive_lookup("wayback", URL, "2011-10-03", None, "capture gone")
    assert store.get_archive_lookup("wayback", URL, "2011-10-03", max_age=86400) == (None, "capture gone")


# -- crashes and concurrent runs ---------------------------------------------------------------------------

WRITER = """
import itertools, sys, time
from linkaudit.models import CheckResult
from linkaudit.status import Status
from linkaudit.store import Store

path, tag, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
with Store(path) as store:
    print("ready", flush=True)
    sys.stdin.readline()
    run_id = store.begin_run([tag])
    numbers = itertools.count() if count < 0 else range(count)
    for number in numbers:
        url = f"http://{tag}.example/{number}"
        status = Status.DEAD if number % 2 else Status.OK
        store.record_check(run_id, CheckResult(url=url, normalized=url, status=status))
        print(number, flush=True)
        time.sleep(pause)  # lets the other writer in between, as a real run's network waits do
    store.finish_run(run_id, links=count, broken=count // 2, offline=False)
"""


def start_writer(path: Path, tag: str, count: int, pause: float = 0.0) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(count), str(pause)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read() if process.stderr else ""
    return process


def stored_urls(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in connection.execute("SELECT url FROM checks")}


def test_two_runs_writing_at_once_keep_every_row(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    count = 200
    first = start_writer(path, "first", count, pause=0.001)
    second = start_writer(path, "second", count, pause=0.001)
    outputs = []
    with first, second:
        for process in (first, second):
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in (first, second):
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            outputs.append(out)
    for out in outputs:
        assert len(out.split()) == count
    urls = stored_urls(path)
    expected = {f"http://{tag}.example/{number}" for tag in ("first", "second") for number in range(count)}
    assert urls == expected
    with Store(path) as store:
        assert len(store.trend()) == 2


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_a_run_killed_half_way_keeps_every_written_batch(tmp_path: Path) -> None:
    """Checks are written in batches: a run killed outright keeps every batch written before, in order, and
    loses at most the one it was gathering."""
    from linkaudit.store import WRITE_EVERY

    path = tmp_path / "killed.db"
    process = start_writer(path, "killed", -1)
    with process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("go\n")
        process.stdin.flush()
        reported = [int(process.stdout.readline()) for _ in range(3 * WRITE_EVERY + 10)]
        process.send_signal(signal.SIGKILL)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    reported += [int(line) for line in rest.split()]
    urls = stored_urls(path)
    kept = len(urls)
    assert urls == {f"http://killed.example/{number}" for number in range(kept)}  # whole batches, in order
    assert len(reported) - WRITE_EVERY <= kept <= len(reported) + 1  # at most the unwritten batch is lost
    assert kept >= 3 * WRITE_EVERY
    with Store(path) as store:  # the store opens and works after the crash
        assert store.trend() == ()  # the killed run never finished
        # its rows are kept (a re-run reuses its successes), but a killed run's failures never count as evidence
        assert store.history("http://killed.example/1").broken_runs == 0


def test_recorded_checks_are_written_in_batches_and_read_back_at_once(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkaudit.store
    from linkaudit.store import WRITE_EVERY

    monkeypatch.setattr(linkaudit.store, "WRITE_SECONDS", 3600.0)  # only the count decides here
    path = tmp_path / "batched.db"
    with Store(path, clock=clock) as store:
        run_id = store.begin_run(["notes.txt"])
        for number in range(WRITE_EVERY - 1):
            url = f"http://batched.example/{number}"
            store.record_check(run_id, CheckResult(url=url, normalized=url, status=Status.OK))
        assert stored_urls(path) == set()  # another connection sees nothing yet: one transaction to come
        assert store.history("http://batched.example/7").last_ok_at is not None  # this store reads them at once
        assert len(stored_urls(path)) == WRITE_EVERY - 1  # … having written them first
        for number in range(WRITE_EVERY, 2 * WRITE_EVERY):
            url = f"http://batched.example/{number}"
            store.record_check(run_id, CheckResult(url=url, normalized=url, status=Status.OK))
        assert len(stored_urls(path)) == 2 * WRITE_EVERY - 1  # a full batch is written without being asked
        url = "http://batched.example/last"
        store.record_check(run_id, CheckResult(url=url, normalized=url, status=Status.DEAD))
    assert url in stored_urls(path)  # closing writes the rest


def test_a_lone_recorded_check_is_written_within_a_second(tmp_path: Path, clock: Clock) -> None:
    """A run waiting on slow hosts records nothing more for a long time: what it has is written anyway."""
    import time

    path = tmp_path / "timer.db"
    with Store(path, clock=clock) as store:
        run_id = store.begin_run(["notes.txt"])
        url = "http://lone.example/"
        store.record_check(run_id, CheckResult(url=url, normalized=url, status=Status.OK))
        deadline = time.monotonic() + 10
        while not stored_urls(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored_urls(path) == {url}
