"""The store's bulk reads (``cached_results``, ``histories``) give exactly the per-link answers
(``cached_result``, ``history``), on a real SQLite file holding varied histories."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from linkaudit import store as store_module
from linkaudit.models import CheckResult
from linkaudit.status import Status
from linkaudit.store import RECENT_CHECKS, Store, format_time
from store_clock import START, Clock

KINDS = (Status.OK, Status.DEAD, Status.TIMEOUT, Status.BLOCKED, Status.SERVER_ERROR, Status.SKIPPED)


def url(number: int) -> str:
    return f"http://site{number % 7}.example/page/{number}"


def check(number: int, status: Status, moment: datetime) -> CheckResult:
    return CheckResult(
        url=url(number),
        normalized=url(number),
        status=status,
        http_status=200 if status.is_success else 404,
        final_url=url(number) + "?moved" if number % 3 == 0 else None,
        redirects=(url(number) + "?moved",) if number % 3 == 0 else (),
        detail=f"detail {number}",
        title=None if number % 4 == 0 else f"Заголовок {number}",
        title_match=None if number % 5 == 0 else bool(number % 2),
        attempts=1 + number % 3,
        checked_at=format_time(moment),
    )


def fill(store: Store, clock: Clock, links: int, seed: int) -> None:
    """Runs over several days: finished, killed (never finished) and offline; every link a history of its own
    (never checked, long broken streaks past RECENT_CHECKS, successes, statuses that neither count nor end a
    streak, two checks at the same moment)."""
    chooser = random.Random(seed)
    for run in range(24):
        clock.moment = START + timedelta(hours=7 * run)
        run_id = store.begin_run(["notes.txt"])
        for number in range(links):
            if number % 11 == 0:
                continue  # never checked
            if number % 13 == 1 and run > 2:
                status = Status.DEAD  # a long streak: reading on past RECENT_CHECKS to the newest success
            elif number % 17 == 2:
                status = Status.OK
            else:
                status = chooser.choice(KINDS)
            if chooser.random() < 0.8:
                moment = clock.moment + timedelta(seconds=chooser.randrange(0, 3))
                store.record_check(run_id, check(number, status, moment))
            if number % 19 == 3:  # a second check in the same run, at the very same moment
                store.record_check(run_id, check(number, chooser.choice(KINDS), clock.moment))
        if run % 5 == 4:
            continue  # killed: never finished
        store.finish_run(run_id, links=links, broken=0, offline=run % 7 == 6)
    clock.moment = START + timedelta(hours=7 * 24)


def currents(links: int, clock: Clock) -> list[tuple[str, CheckResult | None]]:
    pairs: list[tuple[str, CheckResult | None]] = []
    for number in range(links):
        if number % 4 == 0:
            pairs.append((url(number), None))
        else:
            status = KINDS[number % len(KINDS)]
            moment = clock.moment if number % 2 else clock.moment - timedelta(hours=7 * 24)  # new, or recorded
            pairs.append((url(number), check(number, status, moment)))
    return pairs


def test_bulk_histories_are_the_per_link_histories(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "READ_EVERY", 16)  # many batches, and links split across them
    fill(store, clock, 120, seed=1)
    pairs = currents(120, clock)
    pairs += pairs[:5]  # a URL asked twice
    expected = [store.history(key, current=current) for key, current in pairs]
    assert list(store.histories(pairs)) == expected
    assert any(history.confirmed for history in expected)  # the histories are varied enough to tell
    assert any(history.broken_runs >= RECENT_CHECKS for history in expected)
    assert any(history.last_ok_at is not None and history.broken_runs for history in expected)
    assert any(not history.checks for history in expected)


def test_bulk_histories_see_results_recorded_but_not_written_yet(store: Store, clock: Clock) -> None:
    fill(store, clock, 30, seed=2)
    run_id = store.begin_run(["notes.txt"])
    for number in range(30):
        store.record_check(run_id, check(number, Status.DEAD, clock.moment))  # held for a batched write
    store.finish_run(run_id, links=30, broken=30, offline=False)
    run_id = store.begin_run(["notes.txt"])
    store.record_check(run_id, check(4, Status.OK, clock.moment + timedelta(seconds=1)))  # not written yet
    pairs = [(url(number), None) for number in range(30)]
    histories = list(store.histories(pairs))
    assert histories[4].last_ok_at == format_time(clock.moment + timedelta(seconds=1))
    assert histories == [store.history(key) for key, _ in pairs]


def test_bulk_cached_results_are_the_per_link_answers(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "READ_EVERY", 16)
    fill(store, clock, 120, seed=3)
    clock.moment = START + timedelta(hours=7 * 23, minutes=30)  # the last run's checks are half an hour old
    keys = [url(number) for number in range(130)]  # the last ten were never checked
    keys += keys[:3]
    for ttl in (3600.0, 7 * 3600.0 + 1, 10.0**9):
        expected = [store.cached_result(key, ttl) for key in keys]
        assert list(store.cached_results(keys, ttl)) == expected
        assert any(found is not None for found in expected)
        assert any(found is None for found in expected[:120])


def test_bulk_reads_are_lazy_per_batch(store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "READ_EVERY", 4)
    fill(store, clock, 20, seed=4)
    taken: list[str] = []

    def keys() -> Iterator[str]:
        for number in range(20):
            taken.append(url(number))
            yield url(number)

    answers = store.cached_results(keys(), 10.0**9)
    next(answers)
    assert len(taken) == 4  # one batch read, not the whole list
