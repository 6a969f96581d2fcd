"""The SQLite history and cache: what earlier runs saw of each link, and which archive lookups were made.

One failed check proves little (servers have bad days), so rot is confirmed only when a link stays broken over
several runs and days; the store keeps that evidence. Every check commits at once (WAL, short transactions),
so a run that is killed keeps what it learned and two runs may share one file.

Errors: ``StoreError`` (the file is not a usable store) is the only exception this module raises.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, fields
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from .models import CheckResult, History, RunSummary, Snapshot
from .status import Status

BUSY_TIMEOUT_SECONDS = 30.0
RECENT_CHECKS = 10
WRITE_EVERY = 256  # recorded results written in one transaction
WRITE_SECONDS = 1.0  # … or as soon as the oldest unwritten one is this old
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
STORED_TIMES = 1024  # check times kept formatted (a run's results share one per second)
READ_EVERY = 256  # links whose cached result or history is read in one statement (under SQLite's 999 variables)

# Each migration brings the schema from version N to N+1 (PRAGMA user_version); never edit a published one,
# append a new one instead.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            documents TEXT NOT NULL DEFAULT '[]',
            shard TEXT,
            links INTEGER,
            broken INTEGER,
            offline INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            normalized TEXT NOT NULL,
            checked_at TEXT NOT NULL,
            status TEXT NOT NULL,
            http_status INTEGER,
            final_url TEXT,
            detail TEXT NOT NULL DEFAULT '',
            title TEXT,
            title_match INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            redirects TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX checks_by_url ON checks(normalized, checked_at)",
    ),
    (
        """CREATE TABLE archive_lookups (
            archive TEXT NOT NULL,
            url TEXT NOT NULL,
            cited_date TEXT NOT NULL DEFAULT '',
            looked_up_at TEXT NOT NULL,
            snapshot TEXT,
            detail TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (archive, url, cited_date)
        )""",
        "CREATE INDEX checks_by_run ON checks(run_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_OWN_TABLES = frozenset({"runs", "checks", "archive_lookups", "sqlite_sequence"})
_SUCCESSES = tuple(str(status) for status in Status if status.is_success)
_SUCCESS_MARKS = ", ".join("?" for _ in _SUCCESSES)
_RESULT_COLUMNS = (
    "url, normalized, checked_at, status, http_status, final_url, detail, title, title_match, attempts, redirects"
)
_CHECKS_RESULT_COLUMNS = ", ".join(f"checks.{name}" for name in _RESULT_COLUMNS.split(", "))
# The checks that count as evidence (see ``_observations``), newest first.
_EVIDENCE = (
    "JOIN runs ON runs.id = checks.run_id"
    " WHERE checks.normalized = {key} AND ((runs.finished_at IS NOT NULL AND runs.offline = 0)"
    f" OR checks.status IN ({_SUCCESS_MARKS}))"
    " ORDER BY checks.checked_at DESC, checks.id DESC"
)
_SNAPSHOT_FIELDS = frozenset(f.name for f in fields(Snapshot))


class StoreError(Exception):
    """The store file cannot be used (not SQLite, corrupt, from a newer linkaudit, locked too long)."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_time(moment: datetime) -> str:
    """ISO-8601 UTC with a ``Z``, fixed width so that text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


def parse_time(text: str) -> datetime:
    """Reads the ISO-8601 forms the pipeline writes (``Z`` or an offset; naive means UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@contextmanager
def _immediate(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction on ``connection`` (autocommit mode), its write lock taken at once so it cannot fail
    half-way on BUSY; rolled back on any error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.rollback()
        raise
    connection.execute("COMMIT")


class Store:
    """History of checks and cache of results and archive lookups, in one SQLite file."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] | None = None,
        confirm_runs: int = 3,
        confirm_days: float = 3.0,
    ) -> None:
        self.path = Path(path)
        self._clock = clock or _utc_now
        self.confirm_runs = confirm_runs
        self.confirm_days = confirm_days
        self._lock = threading.Lock()
        self._unwritten: list[tuple[Any, ...]] = []  # recorded results, written in batches
        self._timer: threading.Timer | None = None  # writes the unwritten ones WRITE_SECONDS after the first
        self._stored_times: dict[str, str] = {}  # check times as written, by the result's text (_stored_time)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create its directory: {exc.strerror or exc}") from exc
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        try:
            with self._guard():
                self._prepare()
        except BaseException:
            self._connection.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------------------

    def close(self) -> None:
        """Writes the results recorded but not written yet, and closes the store (even when that write fails)."""
        try:
            self._write_now()
        finally:
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                self._unwritten.clear()
                self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """Serializes use of the connection across threads and turns SQLite errors into ``StoreError``; writes
        the results recorded but not written yet first."""
        with self._lock:
            try:
                if self._unwritten:
                    self._write_unwritten()
                yield self._connection
            except sqlite3.Error as exc:
                if self._connection.in_transaction:
                    self._connection.rollback()
                raise StoreError(f"{self.path}: {_describe(exc)}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction; the write lock is taken at once so it cannot fail half-way on BUSY."""
        with self._guard() as connection, _immediate(connection):
            yield connection

    def _write_now(self) -> None:
        """Writes the results recorded but not written yet (``_guard`` does, before any use of the store)."""
        with self._guard():
            pass

    def _prepare(self) -> None:
        connection = self._connection
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        version = self._schema_version()  # fails here on a file that is not SQLite
        self._refuse_newer(version)
        if version == 0:
            self._refuse_foreign()
        # WAL: readers never block the writer and a killed writer loses only its open transaction.
        connection.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable against a killed process (not a power cut), and much faster per commit.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _schema_version(self) -> int:
        row = self._connection.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer linkaudit (schema {version}; this version reads up to "
                f"{SCHEMA_VERSION}): upgrade linkaudit or use another --store"
            )

    def _refuse_foreign(self) -> None:
        rows = self._connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = {row[0] for row in rows}
        foreign = sorted(names - _OWN_TABLES)
        if foreign:
            raise StoreError(
                f"{self.path} is an SQLite database but not a linkaudit store"
                f" (it has tables {', '.join(foreign)})"
            )

    def _migrate(self) -> None:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = self._schema_version()  # another process may have migrated while this one waited
            self._refuse_newer(version)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            connection.rollback()
            raise
        connection.execute("COMMIT")

    # -- runs --------------------------------------------------------------------------------------------

    def now(self) -> str:
        return format_time(self._clock())

    def begin_run(self, documents: Sequence[str], shard: str | None = None) -> int:
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO runs (started_at, documents, shard) VALUES (?, ?, ?)",
                (self.now(), json.dumps(list(documents), ensure_ascii=False), shard),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, *, links: int, broken: int, offline: bool) -> None:
        """Closes a run. An offline run's failures say nothing about the links, so they are deleted."""
        with self._transaction() as connection:
            connection.execute(
                "UPDATE runs SET finished_at = ?, links = ?, broken = ?, offline = ? WHERE id = ?",
                (self.now(), links, broken, int(offline), run_id),
            )
            if offline:
                successes = [str(status) for status in Status if status.is_success]
                marks = ", ".join("?" for _ in successes)
                connection.execute(
                    f"DELETE FROM checks WHERE run_id = ? AND status NOT IN ({marks})", (run_id, *successes)
                )

    def trend(self, limit: int = 30) -> tuple[RunSummary, ...]:
        """The last ``limit`` finished, online runs, oldest first."""
        with self._guard() as connection:
            rows = connection.execute(
                "SELECT id, started_at, links, broken FROM runs"
                " WHERE finished_at IS NOT NULL AND offline = 0 ORDER BY started_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return tuple(
            RunSummary(run_id=row[0], started_at=row[1], links=row[2] or 0, broken=row[3] or 0)
            for row in reversed(rows)
        )

    def trend_of(
        self, documents: Sequence[str], shard: str | None = None, limit: int = 30
    ) -> tuple[RunSummary, ...]:
        """Like ``trend``, but only the runs over the same set of documents (and the same shard): a run on
        another file is not a point on this one's chart."""
        wanted = sorted(documents)
        with self._guard() as connection:
            rows = connection.execute(
                "SELECT id, started_at, links, broken, documents FROM runs"
                " WHERE finished_at IS NOT NULL AND offline = 0 AND shard IS ? ORDER BY started_at DESC, id DESC",
                (shard,),
            ).fetchall()
        same: list[RunSummary] = []
        for row in rows:
            try:
                names = json.loads(row[4] or "[]")
            except ValueError:
                continue
            if isinstance(names, list) and sorted(map(str, names)) == wanted:
                same.append(RunSummary(run_id=row[0], started_at=row[1], links=row[2] or 0, broken=row[3] or 0))
                if len(same) == limit:
                    break
        return tuple(reversed(same))

    # -- checks ------------------------------------------------------------------------------------------

    def record_check(self, run_id: int, result: CheckResult) -> None:
        """Stores one result. Results served from the cache are not new evidence.

        Results are written in batches: one transaction per ``WRITE_EVERY`` results, or ``WRITE_SECONDS`` after
        the first unwritten one (a timer), whichever comes first (one commit per result cost 55 µs of CPU and
        120 µs on the event loop); and before anything else reads or writes the store, so every read sees
        them; closing the store writes the rest. A run killed outright loses at most the last second's."""
        if result.from_cache:
            return
        checked_at = self._stored_time(result.checked_at) if result.checked_at else self.now()
        row = (
            run_id,
            result.url,
            result.normalized,
            checked_at,
            str(result.status),
            result.http_status,
            result.final_url,
            result.detail,
            result.title,
            None if result.title_match is None else int(result.title_match),
            result.attempts,
            json.dumps(list(result.redirects), ensure_ascii=False) if result.redirects else "[]",
        )
        with self._lock:
            self._unwritten.append(row)
            due = len(self._unwritten) >= WRITE_EVERY
            if not due and self._timer is None:  # a run waiting on slow hosts still writes within a second
                self._timer = threading.Timer(WRITE_SECONDS, self._write_due)
                self._timer.daemon = True
                self._timer.start()
        if due:
            self._write_now()

    def _stored_time(self, checked_at: str) -> str:
        """``format_time(parse_time(checked_at))``, worked out once for the many results of a run that share
        their check time (to the second)."""
        stored = self._stored_times.get(checked_at)
        if stored is None:
            if len(self._stored_times) >= STORED_TIMES:
                self._stored_times.clear()
            stored = self._stored_times[checked_at] = format_time(parse_time(checked_at))
        return stored

    def _write_due(self) -> None:
        """The timer's write: a failure leaves the rows unwritten, for the next use of the store to report."""
        with suppress(StoreError):
            self._write_now()

    def _write_unwritten(self) -> None:
        """The recorded results not written yet, in one transaction (the caller holds the lock); on failure
        they stay unwritten."""
        rows, self._unwritten = self._unwritten, []
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            with _immediate(self._connection) as connection:
                connection.executemany(
                    "INSERT INTO checks (run_id, url, normalized, checked_at, status, http_status, final_url,"
                    " detail, title, title_match, attempts, redirects)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except BaseException:
            self._unwritten[:0] = rows
            raise

    def cached_result(self, normalized: str, ttl_ok: float) -> CheckResult | None:
        """The newest check of the URL when it succeeded less than ``ttl_ok`` seconds ago; errors never."""
        with self._guard() as connection:
            row = connection.execute(
                f"SELECT {_RESULT_COLUMNS} FROM checks WHERE normalized = ?"
                " ORDER BY checked_at DESC, id DESC LIMIT 1",
                (normalized,),
            ).fetchone()
        return None if row is None else self._cached(row, ttl_ok)

    def cached_results(self, normalized: Iterable[str], ttl_ok: float) -> Iterator[CheckResult | None]:
        """``cached_result`` of each URL in turn, read ``READ_EVERY`` URLs to a statement (one statement per URL
        cost 26 µs each at 100,000 links)."""
        keys = iter(normalized)
        while batch := list(islice(keys, READ_EVERY)):
            wanted = list(dict.fromkeys(batch))
            values = ", ".join("(?)" for _ in wanted)
            with self._guard() as connection:
                rows = connection.execute(
                    f"WITH wanted(key) AS (VALUES {values})"
                    f" SELECT wanted.key, {_CHECKS_RESULT_COLUMNS}"
                    " FROM wanted JOIN checks ON checks.id = (SELECT id FROM checks"
                    " WHERE normalized = wanted.key ORDER BY checked_at DESC, id DESC LIMIT 1)",
                    wanted,
                ).fetchall()
            newest = {row[0]: row[1:] for row in rows}
            del rows
            moments: dict[str, datetime] = {}  # the batch's check times, each read once
            for key in batch:
                row = newest.get(key)
                yield None if row is None else self._cached(row, ttl_ok, moments)

    def _cached(
        self, row: Sequence[Any], ttl_ok: float, moments: dict[str, datetime] | None = None
    ) -> CheckResult | None:
        """The cached result a newest check (``_RESULT_COLUMNS``) gives: it succeeded within ``ttl_ok`` seconds.
        ``moments``: check times already read (``parse_time``), by their text."""
        status = _status(row[3])
        if status is None or not status.is_success:
            return None
        moment = None if moments is None else moments.get(row[2])
        if moment is None:
            moment = parse_time(row[2])
            if moments is not None:
                moments[row[2]] = moment
        age = (self._clock() - moment).total_seconds()
        if age >= ttl_ok:
            return None
        return CheckResult(
            url=row[0],
            normalized=row[1],
            status=status,
            http_status=row[4],
            final_url=row[5],
            redirects=() if row[10] == "[]" else tuple(json.loads(row[10])),
            detail=row[6],
            title=row[7],
            title_match=None if row[8] is None else bool(row[8]),
            attempts=row[9],
            checked_at=row[2],
            from_cache=True,
        )

    def history(self, normalized: str, *, current: CheckResult | None = None) -> History:
        """The current broken streak of a URL (``current`` counts even if not recorded yet).

        Broken means ``Status.is_broken``; a success ends the streak; blocked, skipped and invalid checks
        neither count nor break it. The streak is confirmed once it covers ``confirm_runs`` runs spanning
        ``confirm_days`` days (the rule Internet Archive's IABot applies before calling a link dead).
        """
        return self._history(self._observations(normalized), current)

    def histories(self, wanted: Iterable[tuple[str, CheckResult | None]]) -> Iterator[History]:
        """``history(normalized, current=current)`` of each pair in turn, the checks of ``READ_EVERY`` URLs read
        in one statement (one statement per URL cost 40 µs each at 100,000 links). A URL whose newest
        ``RECENT_CHECKS`` checks hold no success reads on, down to its newest success, by itself."""
        pairs = iter(wanted)
        while batch := list(islice(pairs, READ_EVERY)):
            observations = self._recent_observations(dict.fromkeys(key for key, _ in batch))
            for key, current in batch:
                found = observations.get(key, [])
                if len(found) >= RECENT_CHECKS and not any(row[1] in _SUCCESSES for row in found):
                    found = self._observations(key)  # a long streak: read down to its newest success
                yield self._history(list(found), current)

    def _recent_observations(self, keys: Iterable[str]) -> dict[str, list[tuple[str, str, int | None]]]:
        """The newest ``RECENT_CHECKS`` checks that count as evidence (``_observations``) of each URL, newest
        first, in one statement."""
        wanted = list(keys)
        values = ", ".join("(?)" for _ in wanted)
        with self._guard() as connection:
            rows = connection.execute(
                f"WITH wanted(key) AS (VALUES {values})"
                " SELECT wanted.key, checks.checked_at, checks.id, checks.status, checks.run_id FROM wanted"
                " JOIN checks ON checks.id IN (SELECT checks.id FROM checks "
                + _EVIDENCE.format(key="wanted.key")
                + f" LIMIT {RECENT_CHECKS})",
                (*wanted, *_SUCCESSES),
            ).fetchall()
        rows.sort(key=lambda row: (row[1], row[2]), reverse=True)  # the order _observations reads them in
        found: dict[str, list[tuple[str, str, int | None]]] = {}
        for key, checked_at, _, status, run_id in rows:
            found.setdefault(key, []).append((checked_at, status, run_id))
        return found

    def _history(
        self,
        observations: list[tuple[str, str, int | None]],
        current: CheckResult | None,
    ) -> History:
        """The history that ``observations`` (``_observations``) and the current result make."""
        if current is not None:
            checked_at = self._stored_time(current.checked_at) if current.checked_at else self.now()
            entry = (checked_at, str(current.status), None)
            if not any(row[0] == checked_at and row[1] == entry[1] for row in observations[:1]):
                observations.insert(0, entry)
        streak: list[tuple[str, Status, int | None]] = []
        last_ok_at: str | None = None
        for checked_at, status_text, run_id in observations:  # newest first
            status = _status(status_text)
            if status is None:
                continue
            if status.is_success:
                last_ok_at = checked_at
                break
            if status.is_broken:
                streak.append((checked_at, status, run_id))
        runs = {run_id if run_id is not None else -1 for _, _, run_id in streak}
        confirmed = False
        if streak:
            span = parse_time(streak[0][0]) - parse_time(streak[-1][0])
            confirmed = len(runs) >= self.confirm_runs and span >= timedelta(days=self.confirm_days)
        recent = tuple((row[0], row[1]) for row in reversed(observations[:RECENT_CHECKS]))
        return History(
            first_broken_at=streak[-1][0] if streak else None,
            last_ok_at=last_ok_at,
            broken_runs=len(runs),
            confirmed=confirmed,
            checks=recent,
        )

    def _observations(self, normalized: str) -> list[tuple[str, str, int | None]]:
        """Checks of a URL, newest first, down to its newest success.

        Failures count only from runs that finished online: a run killed before it could be judged (it may
        have been offline) proves nothing against a link, so it never brings a confirmation closer. Successes
        count from any run.
        """
        observations: list[tuple[str, str, int | None]] = []
        with self._guard() as connection:
            cursor = connection.execute(
                "SELECT checks.checked_at, checks.status, checks.run_id FROM checks " + _EVIDENCE.format(key="?"),
                (normalized, *_SUCCESSES),
            )
            seen_success = False
            for row in cursor:
                observations.append((row[0], row[1], row[2]))
                seen_success = seen_success or row[1] in _SUCCESSES
                if seen_success and len(observations) >= RECENT_CHECKS:
                    break
            cursor.close()
        return observations

    # -- archive lookups ---------------------------------------------------------------------------------

    def get_archive_lookup(
        self, archive: str, url: str, cited_date: str | None, max_age: float | None = None
    ) -> tuple[Snapshot | None, str] | None:
        """A remembered lookup: (snapshot or None when the archive had none, detail); None if never asked."""
        with self._guard() as connection:
            row = connection.execute(
                "SELECT looked_up_at, snapshot, detail FROM archive_lookups"
                " WHERE archive = ? AND url = ? AND cited_date = ?",
                (archive, url, cited_date or ""),
            ).fetchone()
        if row is None:
            return None
        if max_age is not None and (self._clock() - parse_time(row[0])).total_seconds() >= max_age:
            return None
        snapshot = None if row[1] is None else _snapshot_from_json(row[1])
        return snapshot, row[2]

    def put_archive_lookup(
        self, archive: str, url: str, cited_date: str | None, snapshot: Snapshot | None, detail: str
    ) -> None:
        encoded = None if snapshot is None else json.dumps(asdict(snapshot), ensure_ascii=False)
        with self._guard() as connection:
            connection.execute(
                "INSERT INTO archive_lookups (archive, url, cited_date, looked_up_at, snapshot, detail)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (archive, url, cited_date) DO UPDATE SET"
                " looked_up_at = excluded.looked_up_at, snapshot = excluded.snapshot,"
                " detail = excluded.detail",
                (archive, url, cited_date or "", self.now(), encoded, detail),
            )


def _status(text: str) -> Status | None:
    """A stored status; None for one this version does not know (written by a newer linkaudit)."""
    try:
        return Status(text)
    except ValueError:
        return None


def _snapshot_from_json(text: str) -> Snapshot:
    data: dict[str, Any] = json.loads(text)
    return Snapshot(**{key: value for key, value in data.items() if key in _SNAPSHOT_FIELDS})


def _describe(error: sqlite3.Error) -> str:
    message = str(error)
    if "not a database" in message or "malformed" in message:
        return f"not a usable linkaudit store ({message}); move it away or pass another --store"
    if "locked" in message or "busy" in message:
        return f"the store stayed locked by another process ({message})"
    return message
