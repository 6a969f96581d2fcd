"""The notes of a long list read in worker processes, and handed back as spilled chunks.

A note is read on its own (its URLs, language halves and dates depend on its text alone), so the notes of a
100,000-note list are read in tasks of a thousand by as many worker processes as the machine has cores, each
task coming back as compressed pickled chunks (``spill.pickle_chunk``) that the list keeps as they are: the
process that reads the document never holds every note as Python objects at once.

A worker is a Python process running this module's ``work()``: it reads tasks from its
standard input and writes their chunks to its standard output, each message a pickle after its length. It is
not a ``multiprocessing`` child, which would import the caller's main script again; and it is only started for
a list long enough to pay for its start (about 0.3 s). Only this process's own workers' answers are unpickled.
A machine with one core, a worker that cannot start, dies or fails on a task: that work is done here instead,
so the result is the same (and an error that reading a note raises is raised here, as without workers).
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any, TypeVar

from ..spill import CHUNK, Encode, Spilled, Spiller

E = TypeVar("E")
N = TypeVar("N")
X = TypeVar("X")

PARALLEL_ABOVE = 5_000  # notes: a shorter list is read in this process
TASK = 2 * CHUNK  # notes one task reads: a whole number of chunks, so that only the last chunk is short
MAX_WORKERS = 4
_LENGTH = struct.Struct("!Q")

Chunks = list[tuple[bytes, int]]  # (a spilled chunk, its number of items)
# a task's items as spilled chunks, the extras they came with, and each chunk encoded (when asked: ``read_with``)
Done = tuple[Chunks, list[Any], list[bytes]]


def read_all(entries: Sequence[E], read: Callable[[E], N], *, workers: int | None = None) -> Sequence[N]:
    """``[read(entry) for entry in entries]``: a list for a short list of entries, else a spilled sequence, read
    by worker processes when there are cores for them. ``read`` must be a module-level function (a worker
    imports it by name). ``workers`` (default: the cores this process may use, at most ``MAX_WORKERS``)."""
    if len(entries) <= PARALLEL_ABOVE:
        return [read(entry) for entry in entries]
    return _read(entries, read, False, workers)[0]


def read_with(
    entries: Sequence[E],
    read: Callable[[E], tuple[N, X | None]],
    *,
    workers: int | None = None,
    encode: Encode[N] | None = None,
) -> tuple[Sequence[N], list[X]]:
    """As ``read_all`` for a ``read`` that gives each item with an extra (what a worker worked out beside it,
    None for nothing): the items, and the extras that are not None, in order. ``encode`` (a module-level
    function, like ``read``): for a list read into a spilled sequence, also applied to each chunk of items where
    the chunk is made, its answers kept with the chunks (``Spilled.encoded``)."""
    if len(entries) <= PARALLEL_ABOVE:
        items: list[N] = []
        return items, _read_into(items, read, True, entries)
    return _read(entries, read, True, workers, encode)


def _read(
    entries: Sequence[E],
    read: Callable[[E], Any],
    paired: bool,
    workers: int | None,
    encode: Encode[Any] | None = None,
) -> tuple[Spilled[N], list[Any]]:
    tasks = [entries[start : start + TASK] for start in range(0, len(entries), TASK)]
    count = min(usable_cores() if workers is None else workers, MAX_WORKERS, len(tasks))
    done: list[Done | None] = [None] * len(tasks)
    if count >= 2 and sys.executable:  # an embedded interpreter may have no program to start workers with
        _in_workers(tasks, read, paired, count, done, encode)
    chunks: Chunks = []
    extras: list[Any] = []
    encoded: list[bytes] = []
    for task, result in zip(tasks, done, strict=True):
        more, found, made = result if result is not None else _read_task(read, paired, task, encode)
        chunks.extend(more)
        extras.extend(found)
        encoded.extend(made)
    return Spilled.of_blobs(chunks, encoded=None if encode is None else (encode, encoded)), extras


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _read_task(
    read: Callable[[E], Any], paired: bool, entries: Sequence[E], encode: Encode[Any] | None = None
) -> Done:
    """One task's entries read, as spilled chunks (and the extras, when ``read`` gives pairs; each chunk
    encoded, with ``encode``)."""
    spiller: Spiller[Any] = Spiller(above=0, encode=encode)
    extras = _read_into(spiller, read, paired, entries)
    spilled = spiller.done()
    assert isinstance(spilled, Spilled)
    encoded = spilled.encoded(encode) if encode is not None else None
    return spilled.chunks(), extras, encoded or []


def _read_into(
    items: list[Any] | Spiller[Any], read: Callable[[E], Any], paired: bool, entries: Sequence[E]
) -> list[Any]:
    """Each entry read and appended to ``items``; the extras that are not None (when ``read`` gives pairs)."""
    extras: list[Any] = []
    for entry in entries:
        if paired:
            item, extra = read(entry)
            if extra is not None:
                extras.append(extra)
        else:
            item = read(entry)
        items.append(item)
    return extras


def _in_workers(
    tasks: Sequence[Sequence[E]],
    read: Callable[[E], Any],
    paired: bool,
    count: int,
    done: list[Done | None],
    encode: Encode[Any] | None = None,
) -> None:
    """Fill ``done`` with the tasks' chunks, each worker taking the next task when it has finished one; a task
    a worker could not do stays None."""
    name = (read.__module__, read.__qualname__)
    encoder = None if encode is None else (encode.__module__, encode.__qualname__)
    queue = iter(range(len(tasks)))
    lock = threading.Lock()
    stopped = threading.Event()
    started: list[subprocess.Popen[bytes]] = []

    def next_task() -> int | None:
        with lock:
            return None if stopped.is_set() else next(queue, None)

    def serve() -> None:
        try:
            worker = subprocess.Popen(
                [sys.executable, "-c", f"from {__name__} import work; work()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_worker_environment(),
            )
        except (OSError, ValueError):
            return
        started.append(worker)
        assert worker.stdin is not None and worker.stdout is not None
        try:
            while (index := next_task()) is not None:
                _send(worker.stdin, (name, paired, list(tasks[index]), encoder))
                answer = _receive(worker.stdout)
                if not isinstance(answer, tuple):  # the worker failed on this task: it is read here
                    continue
                done[index] = answer
        except Exception:  # noqa: BLE001 - the worker died or its pipe failed: never a traceback from this thread
            pass  # its task, and whatever it had not taken, is read here
        finally:
            worker.kill()
            worker.wait()
            worker.stdin.close()
            worker.stdout.close()

    threads = [threading.Thread(target=serve, name=f"linkaudit-notes-{number}", daemon=True) for number in range(count)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # interrupted (Ctrl-C): no task is handed out any more, and the workers stop now
        stopped.set()
        for worker in started:
            worker.kill()
        raise


def _worker_environment() -> dict[str, str]:
    """This process's environment, with its module path (so a worker imports the same linkaudit) and without
    the working directory in front of it (a stray ``linkaudit.py`` there is not imported; Python 3.11+)."""
    path = os.pathsep.join(entry for entry in sys.path if entry)
    return {**os.environ, "PYTHONPATH": path, "PYTHONSAFEPATH": "1"}


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError  # the worker stopped
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError  # the worker stopped
    return pickle.loads(data)


def work() -> None:
    """A worker's life: each task's entries read with the function it names, until its input ends. Its
    answers go to the standard output it was started with; anything else printed goes to standard error."""
    import importlib

    source = sys.stdin.buffer
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    while True:
        try:
            (module, qualname), paired, entries, encoder = _receive(source)
        except EOFError:
            return
        try:
            read = getattr(importlib.import_module(module), qualname)
            encode = None if encoder is None else getattr(importlib.import_module(encoder[0]), encoder[1])
            answer: Done | None = _read_task(read, paired, entries, encode)
        except Exception:  # noqa: BLE001 - the caller reads the task itself (and meets the error there)
            answer = None
        _send(sink, answer)
