"""The inputs read and parsed, each one contained: the inputs stage and then the references stage, for the command
line and the audit alike. No network, and none of the checker's libraries are loaded.

Reading a document and loading the checker (aiohttp builds two TLS contexts as it loads, each reading the
system's certificates) each take a command's first 0.1–0.2 s, and neither needs the other: ``load_documents``
can read the inputs in a forked copy of the process while the caller loads what it needs (``meanwhile``), the two
on two cores. The copy sends back the parsed documents, pickled, and leaves; whatever goes wrong with it, the
inputs are read here instead, so the answer is the same either way.
"""

from __future__ import annotations

import os
import pickle
import signal
import stat
import sys
import threading
from collections.abc import Callable, Sequence
from typing import BinaryIO, NoReturn

from .inputs import InputError, collect_contained
from .models import Document, ParsedDocument
from .spill import kept

FORK_INPUT_BYTES = 4 * 1024 * 1024  # inputs read beside the caller only up to this size in all: a larger one
# takes long enough to read that the overlap matters less, and its parsed form would be held twice in passing

_Outcome = tuple[list[ParsedDocument], list[str]] | str  # (parsed, problems), or the InputError's message


def load_documents(
    paths: Sequence[str],
    *,
    stdin: BinaryIO | None = None,
    problems: list[str] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[ParsedDocument]:
    """Read and parse the inputs: an input that cannot be read or parsed is one line appended to ``problems``
    (pass a list to hear of them) and the others are still read. Raises inputs.InputError, naming every
    problem, only when nothing at all could be read; no inputs at all is an empty list.

    ``meanwhile``: work the caller does before it needs the documents, called once, here. Where a copy of the
    process can be forked (Linux, no other thread running, files only, at most ``FORK_INPUT_BYTES``), the
    inputs are read in that copy while ``meanwhile`` runs; otherwise they are read first, then it runs."""
    if meanwhile is None:
        return _load(paths, stdin, problems)
    once = _Once(meanwhile)
    outcome = _read_beside(paths, once) if stdin is None and _may_fork(paths) else None
    if outcome is None:  # read here; the caller's work after it (not at all when nothing could be read)
        parsed = _load(paths, stdin, problems)
        once()
        return parsed
    if isinstance(outcome, str):
        raise InputError(outcome)
    parsed, failed = outcome
    if problems is not None:
        problems.extend(failed)
    return parsed


def _load(paths: Sequence[str], stdin: BinaryIO | None, problems: list[str] | None) -> list[ParsedDocument]:
    collected = collect_contained(paths, stdin=stdin)
    failed = list(collected.problems)
    parsed: list[ParsedDocument] = []
    for document in collected.documents:
        one = _parsed_contained(document, failed)
        if one is not None:
            parsed.append(one)
    if problems is not None:
        problems.extend(failed)
    if not parsed and failed:
        if len(failed) == 1:
            raise InputError(failed[0])
        raise InputError(f"none of the {len(failed)} inputs could be read: " + "; ".join(failed))
    return parsed


def _may_fork(paths: Sequence[str]) -> bool:
    """Whether reading ``paths`` in a forked copy is safe and worth it: a process with other threads may be
    forked while one of them holds a lock the copy would then wait on for ever."""
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    total = 0
    for path in paths:
        try:
            status = os.stat(path)
        except (OSError, ValueError):
            return False  # "-", a missing file (reported at once, here), a name the system refuses
        if not stat.S_ISREG(status.st_mode):
            return False  # a directory (of unknown size), a pipe, a device
        total += status.st_size
    return total <= FORK_INPUT_BYTES


class _Once:
    """The caller's ``meanwhile``, run at most once whichever way the inputs are read."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._work = work
        self._done = False

    def __call__(self) -> None:
        if not self._done:
            self._done = True
            self._work()


def _read_beside(paths: Sequence[str], meanwhile: _Once) -> _Outcome | None:
    """``meanwhile()`` here while a forked copy reads ``paths``: the copy's outcome, or None when there is no
    copy or it gave nothing usable."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if child == 0:  # pragma: no cover - the copy (its coverage is not collected); it never returns
        _serve_copy(paths, read_end, write_end)
    os.close(write_end)
    reaped = False
    try:
        meanwhile()
        with open(read_end, "rb", closefd=False) as pipe:
            data = pipe.read()
        _, status = os.waitpid(child, 0)
        reaped = True
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        return _unpickled(data)
    finally:
        os.close(read_end)
        if not reaped:  # meanwhile() raised (or an interrupt): the copy is not waited for
            _end(child)


def _serve_copy(paths: Sequence[str], read_end: int, write_end: int) -> NoReturn:  # pragma: no cover - the copy
    """The forked copy: read, send the pickled outcome, and leave at once (no exit handlers of the caller's,
    no buffers flushed twice). Any failure is exit 1 and nothing sent: the caller then reads the inputs itself."""
    code = 1
    try:
        os.close(read_end)
        outcome: _Outcome
        try:
            found: list[str] = []
            outcome = (_load(paths, None, found), found)
        except InputError as error:
            outcome = str(error)
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        with open(write_end, "wb", closefd=False) as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the caller reads the inputs itself and meets the same problem
        pass
    finally:
        os._exit(code)


def _unpickled(data: bytes) -> _Outcome | None:
    """The copy's outcome (this process's own copy sent it, through a pipe only the two share)."""
    try:
        outcome = pickle.loads(data)  # noqa: S301 - from this process's own fork, not from outside
    except Exception:  # noqa: BLE001 - a short or damaged message: read here instead
        return None
    if isinstance(outcome, str):
        return outcome
    if isinstance(outcome, tuple) and len(outcome) == 2 and isinstance(outcome[0], list):
        return outcome[0], list(outcome[1])
    return None


def _end(child: int) -> None:
    try:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    except OSError:
        pass


def _parsed_contained(document: Document, failed: list[str]) -> ParsedDocument | None:
    from .references import parse_document  # loaded where the inputs are read (the forked copy, if any)

    try:
        return kept(parse_document(document))
    except RecursionError:  # a parser limit on hostile input, contained per document
        failed.append(f"{document.name}: too deeply nested to read")
        return None
