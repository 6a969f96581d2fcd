"""Memento lookups against a real pywb, run as a subprocess on loopback with a WARC built here."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import aiohttp
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from linkaudit.archive import MementoLookup, RateLimiter, find_replacements
from linkaudit.check.engine import Checker
from linkaudit.models import CheckResult
from linkaudit.status import Status

from .conftest import SOFT_404, ArchiveFactory, Notes, link, page

pytestmark = pytest.mark.pywb

CITED = "http://zonakz.net/2010/10/13/sultanov"
OLD = page("Б. Султанов: Россия останется естественным партнером")
NEW = page("Zona.kz: новая версия страницы")
CAPTURES = [  # WARC-Date, body
    ("2010-10-14T08:00:00Z", OLD),
    ("2012-01-10T08:00:00Z", SOFT_404),
    ("2014-05-01T12:00:00Z", NEW),
]


def write_warc(path: Path) -> None:
    with path.open("wb") as output:
        writer = WARCWriter(output, gzip=True)
        for warc_date, body in CAPTURES:
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                CITED,
                "response",
                payload=BytesIO(body),
                length=len(body),  # known length: warcio needs no temporary buffer
                http_headers=headers,
                warc_headers_dict={"WARC-Date": warc_date},
            )
            writer.write_record(record)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pywb exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("pywb did not start in time")


@pytest.fixture(scope="module")
def pywb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A pywb collection ``coll`` holding the captures above; gives the TimeGate base ``http://…/coll``."""
    manager = shutil.which("wb-manager", path=str(Path(sys.executable).parent))
    server = shutil.which("wayback", path=str(Path(sys.executable).parent))
    if manager is None or server is None:
        pytest.skip("pywb is not installed")
    root = tmp_path_factory.mktemp("pywb")
    write_warc(root / "captures.warc.gz")
    # No frame page, and a 3xx from the TimeGate to the memento (RFC 7089 pattern 2.2).
    (root / "config.yaml").write_text("framed_replay: false\nredirect_to_exact: true\n")
    subprocess.run([manager, "init", "coll"], cwd=root, check=True, capture_output=True)
    subprocess.run([manager, "add", "coll", "captures.warc.gz"], cwd=root, check=True, capture_output=True)
    port = free_port()
    with (root / "pywb.log").open("wb") as log:
        command = [server, "-p", str(port), "-b", "127.0.0.1"]
        process = subprocess.Popen(command, cwd=root, stdout=log, stderr=log)
        try:
            wait_until_listening(port, process, time.monotonic() + 15)
            yield f"http://127.0.0.1:{port}/coll"
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_timegate_timemap_and_replay(pywb: str) -> None:
    async with aiohttp.ClientSession() as session:
        gate_headers = {"Accept-Datetime": "Sat, 01 Jan 2011 00:00:00 GMT"}
        async with session.get(f"{pywb}/{CITED}", headers=gate_headers, allow_redirects=False) as response:
            assert response.status in (302, 307)
            location = response.headers["Location"]
        async with session.get(f"{pywb}/timemap/link/{CITED}") as response:
            timemap = await response.text()
        async with session.get(f"{pywb}/20101014080000id_/{CITED}") as response:
            body = await response.read()
            memento_datetime = response.headers["Memento-Datetime"]
    assert location == f"{pywb}/20101014080000/{CITED}"
    assert timemap.count('rel="memento"') == 3
    assert 'datetime="Thu, 14 Oct 2010 08:00:00 GMT"' in timemap
    assert 'datetime="Thu, 01 May 2014 12:00:00 GMT"' in timemap
    assert body == OLD
    assert memento_datetime == "Thu, 14 Oct 2010 08:00:00 GMT"


async def test_memento_lookup_ranks_by_cited_date(pywb: str) -> None:
    async with aiohttp.ClientSession() as session:
        lookup = MementoLookup(pywb, session=session, rate=RateLimiter(50))
        found = await lookup.candidates(CITED, "2011-06-01")
        nothing = await lookup.candidates("http://zonakz.net/never-archived", "2011-06-01")
    assert [s.timestamp for s in found] == ["20101014080000", "20120110080000", "20140501120000"]
    assert found[0].url == f"{pywb}/20101014080000/{CITED}"
    assert found[0].raw_url == f"{pywb}/20101014080000id_/{CITED}"
    assert found[0].archive == pywb and found[0].distance_days == -230
    assert nothing == []


async def test_verification_skips_the_soft_404_memento(pywb: str, wayback: ArchiveFactory) -> None:
    archive = await wayback([])  # the Wayback service has no capture of it
    config = archive.config.with_overrides({"mementos": (pywb,)})
    notes = Notes()
    item = link(CITED, "2012-06-01")
    result = CheckResult(url=CITED, normalized=CITED, status=Status.DNS_ERROR)
    async with Checker(config) as checker:
        found = await find_replacements(
            [(item, result)], config, fetch_page=checker.fetch_page, session=checker.session, observer=notes
        )
    snapshot = found[CITED]
    assert snapshot.archive == pywb and snapshot.verified
    assert snapshot.timestamp == "20101014080000"  # the 2012 memento is closer but an error page
    assert snapshot.distance_days == -596
    assert len(archive.requests("/cdx/")) == 4  # 200 captures, then redirect captures; both slash forms
