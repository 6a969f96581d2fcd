"""Verdicts in a second process: long pages read and judged beside the event loop, on another core.

The checker reads and judges a long page in its verdict thread, but most of that work (tree walks, text
folding) holds the GIL, so on a run of many long pages the thread and the event loop take turns on one core.
A checker made with ``verdict_process=True`` starts one child process (``VerdictProcess``) when many pages wait
for the thread, and sends it the long pages instead: the bytes of each page go down a pipe, its view and
verdict (the same functions, so the same answers) come back up another.

It is opt-in because it did not pay where it was measured (``tests/bench``, 2,000 URLs of 120 KB pages, a
2-core machine that also runs the simulated hosts): no wall time gained, about 0.5 ms of CPU per URL more, and
much slower whenever other work keeps the cores busy. It may pay on a machine with idle cores whose checker is
CPU-bound (many long pages from fast hosts); measure before turning it on.

The child is a fresh interpreter (``python -c``, neither forked from a process with threads nor importing the
caller's main module) that imports only the verdict rules. It is started once per checker, lazily, so a run of
a handful of links never pays for it.

Containment: a child that dies (a page crashing the parser, a killed process) fails only the page it was
reading, with a one-line reason; the pages queued behind it are judged in the verdict thread, and no child is
started again in that checker. Whatever the child's output, the checker never waits for an answer that cannot
come.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, cast

from ..models import Link, Page
from .verdict import PageView, Verdict, classify, read_body, read_page

PROCESS_BACKLOG = 16  # pages waiting in the verdict thread that make a checker start its verdict process
PROCESS_AHEAD = 4  # pages waiting for the process past which an idle verdict thread takes the next one
HEADER = 8  # bytes of a frame's length (little-endian), before the pickled frame
READY = b"linkaudit-verdicts-ready"
STOP_WAIT = 2.0  # seconds a stopped child may take to exit before it is killed
MAX_ANSWER = 256 * 1024 * 1024  # a longer frame from the child is garbage, not a view
# The child: this copy of linkaudit (its directory put first on the path only when the path lacks it, so that no
# other package there can shadow the standard library), then the loop.
CHILD = (
    "import sys\n"
    "if sys.argv[1] not in sys.path: sys.path.insert(0, sys.argv[1])\n"
    "from linkaudit.check.worker import serve\n"
    "serve()\n"
)
PIPE_SIZE = 1024 * 1024  # a page's bytes fit the pipe whole (Linux lets a pipe grow this far unprivileged)

IN_FLIGHT = 2  # pages in the pipe or in the child at once: one being read, the next one ready for it
Judged = tuple[PageView, Verdict]
_Job = tuple["asyncio.Future[Judged]", Page, Link, "bytes | None", bool]
Fallback = Callable[[Page, Link, "bytes | None"], "asyncio.Future[Judged]"]  # (page, link, source)


class VerdictProcessDied(Exception):
    """The verdict process ended while it was reading the page."""


def judge_page(page: Page, link: Link, utf8: bytes | None = None) -> Judged:
    """The page's view and verdict: what the checker would work out in its own process."""
    view = read_page(page, utf8)
    return view, classify(view, link)


def _job(page: Page, link: Link, source: bytes | None, keep_text: bool) -> bytes:
    """The pickled page, with only what the verdict reads of its link. A page whose text is its body decoded
    (``source``, see ``fetch.fetch_with_source``) is sent as the body alone, which the child decodes: the bytes
    as they came, not the text encoded to UTF-8 here (twice the size for Cyrillic in a one-byte charset)."""
    slim = Link(url=link.url, normalized=link.normalized, references=(), cited_titles=link.cited_titles)
    if source is not None:
        page = replace(page, text="")
    return pickle.dumps((page, slim, source, keep_text), protocol=pickle.HIGHEST_PROTOCOL)


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER, "little") + payload


class _Pipes(asyncio.SubprocessProtocol):
    """The child's standard output, cut into frames as it comes."""

    def __init__(self, owner: VerdictProcess) -> None:
        self._owner = owner
        self._buffer = bytearray()
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd != 1:
            return
        buffer = self._buffer
        buffer += data
        start = 0
        while len(buffer) - start >= HEADER:
            size = int.from_bytes(buffer[start : start + HEADER], "little")
            if size > MAX_ANSWER:  # not an answer this module wrote: the child cannot be trusted any more
                self._owner._died()
                return
            end = start + HEADER + size
            if len(buffer) < end:
                break
            self._owner._answer(bytes(buffer[start + HEADER : end]))
            start = end
        if start:
            del buffer[:start]

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self._owner._died()

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)
        self._owner._died()


class VerdictProcess:
    """One child process that reads and judges pages in the order they are sent.

    ``judge`` answers with a future; ``fallback`` judges pages in this process (the verdict thread) when the
    child is gone. Use ``start`` once, then ``judge`` while ``ready``; ``stop`` ends the child and waits for it.
    """

    def __init__(self, fallback: Fallback) -> None:
        self._fallback = fallback
        self._transport: asyncio.SubprocessTransport | None = None
        self._pipes: _Pipes | None = None
        self._queued: deque[_Job] = deque()  # not sent yet
        self._sent: deque[_Job] = deque()  # sent, in order, not answered yet
        self.ready = False  # the child has said it can read pages
        self.dead = False  # the child is gone (or never started): no page is sent any more

    @property
    def waiting(self) -> int:
        """Pages given to ``judge`` and not answered yet."""
        return len(self._queued) + len(self._sent)

    async def start(self) -> None:
        """Start the child; ``ready`` once it has imported the rules. A child that cannot start is ``dead``."""
        loop = asyncio.get_running_loop()
        home = str(Path(__file__).resolve().parents[2])  # the directory holding this copy of linkaudit
        if not sys.executable:  # an embedded interpreter: nothing to start
            self.dead = True
            return
        try:
            transport, self._pipes = await loop.subprocess_exec(
                lambda: _Pipes(self),
                sys.executable,
                "-c",
                CHILD,
                home,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except (OSError, ValueError, RuntimeError):
            self.dead = True
            return
        self._transport = transport
        if self.dead:  # it exited at once
            self._close()
            return
        pipe = cast(asyncio.WriteTransport, transport.get_pipe_transport(0))
        with contextlib.suppress(Exception):
            pipe.set_write_buffer_limits(high=64 * PIPE_SIZE)  # pages are sent without waiting for the pipe
        _grow_pipe(pipe.get_extra_info("pipe"))

    def judge(self, page: Page, link: Link, source: bytes | None, *, keep_text: bool = True) -> asyncio.Future[Judged]:
        """The page's view and verdict, worked out by the child (by the fallback when the child is gone).
        ``source``: the page's body when its text is that body decoded (``fetch.fetch_with_source``).

        ``keep_text`` False: the view comes back without its texts (main, visible, machinery), which only the
        verdict (already in the answer) and the soft-404 probe's comparison read; the caller knows it will not
        compare, and the answer is a few hundred bytes instead of the page's text.
        """
        if self.dead or self._transport is None:
            return self._fallback(page, link, source)
        future: asyncio.Future[Judged] = asyncio.get_running_loop().create_future()
        self._queued.append((future, page, link, source, keep_text))
        self._send()
        return future

    def _send(self) -> None:
        """Pages down the pipe, ``IN_FLIGHT`` at most: the rest wait here as objects, not as pickled bytes in a
        transport's buffer (which asyncio shifts down after every partial write of the pipe)."""
        if self._transport is None or self.dead:
            return
        pipe = cast(asyncio.WriteTransport, self._transport.get_pipe_transport(0))
        while self._queued and len(self._sent) < IN_FLIGHT:
            job = self._queued.popleft()
            future, page, link, source, keep_text = job
            if future.done():  # the check was cancelled meanwhile
                continue
            self._sent.append(job)
            pipe.write(_frame(_job(page, link, source, keep_text)))

    def _answer(self, payload: bytes) -> None:
        if not self.ready:
            if payload == READY:
                self.ready = True
                return
            self._died()
            return
        if not self._sent:
            self._died()  # an answer nobody asked for: the child cannot be trusted any more
            return
        future, *_ = self._sent.popleft()
        self._send()
        try:
            value, error = pickle.loads(payload)
        except Exception as exc:  # noqa: BLE001 - a garbled answer fails its page, like a crash would
            value, error = None, VerdictProcessDied(f"its answer could not be read ({type(exc).__name__})")
        if future.done():  # the check was cancelled meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def _died(self) -> None:
        """The child is gone: the page it was reading fails, the pages queued behind it go to the fallback."""
        if self.dead:
            return
        self.dead = True
        self.ready = False
        waiting = [*self._sent, *self._queued]
        reading = bool(self._sent)  # the first page sent and not answered is the one the child was reading
        self._sent.clear()
        self._queued.clear()
        for future, page, link, source, _ in waiting:
            if future.done():
                continue
            if reading:  # the page the child was reading when it died
                future.set_exception(VerdictProcessDied("the verdict process ended while reading this page"))
                reading = False
                continue
            _chain(self._fallback(page, link, source), future)
        self._close()

    def _close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    async def stop(self) -> None:
        """End the child (pages still waiting are not judged) and wait for it to exit, so that it is reaped."""
        transport, pipes = self._transport, self._pipes
        self.dead = True
        self.ready = False
        for future, *_ in (*self._sent, *self._queued):
            future.cancel()
        self._sent.clear()
        self._queued.clear()
        if transport is None or pipes is None:
            return
        with contextlib.suppress(Exception):
            cast(asyncio.WriteTransport, transport.get_pipe_transport(0)).close()  # end of input: the child returns
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(pipes.exited), STOP_WAIT)
        if not pipes.exited.done():
            with contextlib.suppress(ProcessLookupError):
                transport.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(pipes.exited), STOP_WAIT)
        transport.close()


def _chain(source: asyncio.Future[Judged], target: asyncio.Future[Judged]) -> None:
    def copy(done: asyncio.Future[Judged]) -> None:
        if target.done():
            return
        if done.cancelled():
            target.cancel()
        elif done.exception() is not None:
            target.set_exception(done.exception())  # type: ignore[arg-type]
        else:
            target.set_result(done.result())

    source.add_done_callback(copy)


def _grow_pipe(pipe: object) -> None:
    """Let the pipe hold a whole page (Linux), so that a page goes down it in one write, not sixteen."""
    fcntl_set_pipe_size = 1031  # F_SETPIPE_SZ
    fileno = getattr(pipe, "fileno", None)
    if fileno is None or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import fcntl

        fcntl.fcntl(fileno(), fcntl_set_pipe_size, PIPE_SIZE)


# ------------------------------------------------------------------------------------------ the child side


def serve(jobs: BinaryIO | None = None, answers: BinaryIO | None = None) -> None:
    """The child's loop: a page in, its view and verdict (or the exception reading it raised) out, until the
    input ends. Nothing else is written to the answers' stream: standard output is handed to standard error
    first, so a stray print cannot garble an answer."""
    if answers is None:
        answers = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)
    if jobs is None:
        jobs = sys.stdin.buffer
    answers.write(_frame(READY))
    answers.flush()
    while True:
        header = jobs.read(HEADER)
        if len(header) < HEADER:
            return
        payload = jobs.read(int.from_bytes(header, "little"))
        page, link, source, keep_text = pickle.loads(payload)
        del payload
        try:
            if source is not None and page.charset == "utf-8":
                view = read_body(page, source)  # the parser reads the bytes: decoded only if a rule needs them
            else:
                if source is not None:
                    page = replace(page, text=source.decode(page.charset))
                view = read_page(page)
            verdict = classify(view, link)
            if not keep_text:
                view = replace(view, main_text="", visible_text="", machinery="")
            answer: tuple[Judged | None, BaseException | None] = ((view, verdict), None)
        except Exception as error:  # noqa: BLE001 - handed to the awaiting check, as the verdict thread does
            answer = (None, error)
        del page, link, source
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 - an exception that does not pickle is sent as its words
            reason = answer[1]
            data = pickle.dumps((None, RuntimeError(repr(reason))), protocol=5)
            del error
        answers.write(_frame(data))
        answers.flush()
