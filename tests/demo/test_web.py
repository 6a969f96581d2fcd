"""The simulated web answers as sites.py documents, through its resolver only, with no real lookup."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from linkaudit.check.resolve import MappingResolver
from linkaudit.demo.sites import (
    ARTICLE,
    CAMONITOR_TITLE,
    CAPTURES,
    KISI_PATH,
    KISI_TITLE,
    SITES,
    SOFT_404_TEXT,
    SPIK_PRINT,
    TIME_CITED_TITLE,
    TIME_NEW_TITLE,
    TIME_PATH,
    Transport,
    expected_statuses,
)
from linkaudit.demo.web import ARCHIVE_HOST, SAMPLE_NAME, SimulatedWeb, article_text, sample_text
from linkaudit.status import Status

SLOW_DELAY = 0.3
CITED_HOSTS = (
    "izvestia.ru",
    "www.russianmission.eu",
    "bisnews.kz",
    "www.zp.kz",
    "customsexpert.ru",
    "news.tj",
    "www.12news.uz",
    "rus.azattyq.org",
    "www.bnews.kz",
    "www.taszhargan.info",
    "camonitor.com",
    "www.spik.kz",
    "news.nur.kz",
    "vecher.kz",
    "zonakz.net",
)


@pytest.fixture
async def simulated() -> AsyncIterator[SimulatedWeb]:
    async with SimulatedWeb(slow_delay=SLOW_DELAY) as web:
        yield web


@pytest.fixture
async def session(simulated: SimulatedWeb) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(resolver=simulated.resolver)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=5)) as client:
        yield client


async def fetch(session: aiohttp.ClientSession, url: str, **options: Any) -> tuple[int, str, bytes, Any]:
    async with session.get(url, **options) as response:
        return response.status, str(response.url), await response.read(), response


def test_sample_is_the_seed_bibliography(seed_notes: Path) -> None:
    assert SAMPLE_NAME == seed_notes.name
    assert sample_text() == seed_notes.read_text(encoding="utf-8")


def test_every_cited_host_is_simulated() -> None:
    cited = {
        (urlsplit(url if "://" in url else "http://" + url).hostname or "").lower()
        for url in re.findall(r"(?:https?://|www\.)[\w.-]+", sample_text())
    }
    simulated = {site.host for site in SITES}
    assert set(CITED_HOSTS) <= simulated
    assert {host for host in cited if not host.endswith("ruhttp")} <= simulated


def test_every_fetched_status_has_a_site() -> None:
    expected = expected_statuses()
    fetched = {status for status in Status if status not in (Status.INVALID, Status.SKIPPED)}
    everything = set(expected.values()) | set(expected_statuses(ARTICLE).values())
    assert everything - {Status.INVALID, Status.SKIPPED} == fetched
    assert set(expected.values()) == fetched - {Status.CONTENT_DRIFT}  # drift needs titles: the article has it
    text = sample_text()
    for url in expected:
        assert url.removeprefix("http://") in text, url


def test_article_cites_the_cases_the_sample_lacks() -> None:
    text = article_text()
    expected = expected_statuses(ARTICLE)
    for url in expected:
        assert url in text, url
    assert {Status.INVALID, Status.SKIPPED} <= set(expected.values())
    assert not set(expected) & set(expected_statuses())  # each document's citations are its own
    cited = {urlsplit(url).hostname for url in re.findall(r"https?://[^\s)]+", text)}
    simulated = {site.host for site in SITES if site.cited_in == ARTICLE}
    assert cited - simulated == {"192.168.0.1"}


async def test_resolver_maps_every_simulated_host_but_the_unresolvable(simulated: SimulatedWeb) -> None:
    unresolvable = {site.host for site in SITES if site.transport is Transport.UNRESOLVABLE}
    assert unresolvable == {"www.bnews.kz"}
    assert set(simulated.hosts) == {site.host for site in SITES} - unresolvable | {ARCHIVE_HOST}
    answer = await simulated.resolver.resolve("CAMONITOR.COM.", 80)
    assert answer[0]["host"] == "127.0.0.1"
    with pytest.raises(OSError):
        await simulated.resolver.resolve("www.bnews.kz", 80)


async def test_cp1251_page_carries_the_cited_title(session: aiohttp.ClientSession) -> None:
    status, _, body, response = await fetch(session, "http://camonitor.com/archives/4070")
    assert status == 200
    assert response.headers["Content-Type"] == "text/html"  # the charset is declared in <meta> only
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1251")
    assert 'charset=windows-1251"' in text
    title = re.search(r"<title>(.*?)</title>", text)
    assert title is not None and CAMONITOR_TITLE in title.group(1)


@pytest.mark.parametrize(
    ("url", "status", "final"),
    [
        ("http://news.tj/ru", 200, "http://news.tj/ru"),
        ("http://izvestia.ru", 200, "http://iz.ru/"),
        ("http://rus.azattyq.org", 200, "http://rus.azattyq.org/z/360"),
        ("http://vecher.kz/node/1259", 200, "http://vecher.kz/"),
        ("http://bisnews.kz", 410, "http://bisnews.kz"),
        ("http://www.12news.uz", 403, "http://www.12news.uz"),
        (f"http://www.spik.kz{SPIK_PRINT}", 500, f"http://www.spik.kz{SPIK_PRINT}"),
        ("http://camonitor.com/archives/9999", 404, "http://camonitor.com/archives/9999"),
    ],
)
async def test_sites_answer_as_documented(
    session: aiohttp.ClientSession, url: str, status: int, final: str
) -> None:
    got_status, got_final, _, _ = await fetch(session, url)
    assert (got_status, got_final.rstrip("/")) == (status, final.rstrip("/"))


async def test_deep_link_redirects_to_the_front_page(session: aiohttp.ClientSession) -> None:
    status, _, _, response = await fetch(session, "http://vecher.kz/node/1259", allow_redirects=False)
    assert status == 301
    assert response.headers["Location"] == "http://vecher.kz/"


async def test_soft_404_answers_200_with_an_error_page(session: aiohttp.ClientSession) -> None:
    status, _, body, _ = await fetch(session, "http://news.nur.kz/217304.html")
    assert status == 200
    assert SOFT_404_TEXT in body.decode("utf-8")
    _, _, front, _ = await fetch(session, "http://news.nur.kz/")
    assert SOFT_404_TEXT not in front.decode("utf-8")


async def test_catch_all_and_parked_hosts_answer_every_path_alike(session: aiohttp.ClientSession) -> None:
    for host in ("zonakz.net", "www.taszhargan.info"):
        first = await fetch(session, f"http://{host}/")
        other = await fetch(session, f"http://{host}/no/such/page-83721")
        assert first[0] == other[0] == 200
        assert first[2] == other[2]
    _, _, parked, _ = await fetch(session, "http://www.taszhargan.info/")
    assert "for sale" in parked.decode("utf-8")


async def test_slow_host_times_out_and_answers_late(session: aiohttp.ClientSession) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await fetch(session, "http://customsexpert.ru/", timeout=aiohttp.ClientTimeout(total=SLOW_DELAY / 3))
    started = time.monotonic()
    status, _, _, _ = await fetch(session, "http://customsexpert.ru/")
    assert status == 200
    assert time.monotonic() - started >= SLOW_DELAY * 0.9


async def test_refused_host_resolves_but_refuses(session: aiohttp.ClientSession) -> None:
    with pytest.raises(aiohttp.ClientConnectorError) as caught:
        await fetch(session, "http://www.zp.kz/")
    assert not isinstance(caught.value, aiohttp.ClientConnectorDNSError)
    with pytest.raises(aiohttp.ClientConnectorError):
        await fetch(session, "https://camonitor.com/")  # nothing serves https there either


async def test_unknown_hosts_fail_as_dns_without_a_system_lookup(
    session: aiohttp.ClientSession, lookups: list[str]
) -> None:
    for url in ("http://www.bnews.kz/", "http://example.org/"):
        with pytest.raises(aiohttp.ClientConnectorDNSError):
            await fetch(session, url)
    assert lookups == []


async def test_https_site_has_an_untrusted_certificate(
    simulated: SimulatedWeb, session: aiohttp.ClientSession
) -> None:
    status, _, _, response = await fetch(session, "http://www.russianmission.eu/", allow_redirects=False)
    assert (status, response.headers["Location"]) == (301, "https://www.russianmission.eu/")
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await fetch(session, "https://www.russianmission.eu/")
    status, _, body, _ = await fetch(session, "https://www.russianmission.eu/", ssl=False)
    assert status == 200 and b"Russian Mission" in body
    with pytest.raises(aiohttp.ClientConnectorCertificateError):  # the demo's authority did not sign it
        await fetch(session, "https://www.russianmission.eu/", ssl=simulated.ssl_context)


async def test_site_moved_to_https_is_trusted_through_the_demo_authority(
    simulated: SimulatedWeb, session: aiohttp.ClientSession
) -> None:
    cited = f"http://www.kisi.kz{KISI_PATH}"
    status, _, _, response = await fetch(session, cited, allow_redirects=False)
    assert (status, response.headers["Location"]) == (301, f"https://www.kisi.kz{KISI_PATH}")
    with pytest.raises(aiohttp.ClientConnectorCertificateError):  # no system authority signed it
        await fetch(session, cited)
    status, final, body, _ = await fetch(session, cited, ssl=simulated.ssl_context)
    assert (status, final) == (200, f"https://www.kisi.kz{KISI_PATH}")
    assert KISI_TITLE in body.decode("utf-8")
    assert [entry.path for entry in simulated.log.for_host("www.kisi.kz")][-2:] == [KISI_PATH, KISI_PATH]


async def test_a_certificate_is_valid_for_its_own_host_only(simulated: SimulatedWeb) -> None:
    """The authority's certificate names www.kisi.kz: reached under another name, verification fails."""
    address, port = simulated.resolver.target("www.kisi.kz", 443) or ("", 0)
    mapped = MappingResolver({"www.kisi.kz": (address, port), "kisi.kz": (address, port)})
    connector = aiohttp.TCPConnector(resolver=mapped, ssl=simulated.ssl_context)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=5)) as client:
        assert (await fetch(client, f"https://www.kisi.kz{KISI_PATH}"))[0] == 200
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await fetch(client, f"https://kisi.kz{KISI_PATH}")


async def test_title_drift_page_is_live_under_another_title(session: aiohttp.ClientSession) -> None:
    status, _, body, _ = await fetch(session, f"http://www.time.kz{TIME_PATH}")
    text = body.decode("utf-8")
    assert status == 200
    assert TIME_NEW_TITLE in text and TIME_CITED_TITLE not in text


async def test_archive_is_reachable_by_name_and_address(
    simulated: SimulatedWeb, session: aiohttp.ClientSession
) -> None:
    query = "/cdx/search/cdx?url=bisnews.kz&output=json&fl=timestamp,statuscode"
    by_name = await fetch(session, f"http://{ARCHIVE_HOST}{query}")
    by_address = await fetch(session, f"{simulated.wayback_url}{query}")
    assert by_name[0] == by_address[0] == 200
    assert by_name[2] == by_address[2]
    rows = (await by_name[3].json())[1:]
    stamps = [row[0] for row in rows]
    assert any(stamp < "20121103" for stamp in stamps) and any(stamp > "20121103" for stamp in stamps)


async def test_archive_holds_the_cases_selection_must_handle(
    simulated: SimulatedWeb, session: aiohttp.ClientSession
) -> None:
    # the copy closest to bisnews.kz's cited date is itself a soft 404
    status, final, body, _ = await fetch(session, f"{simulated.wayback_url}/web/20121103000000id_/http://bisnews.kz/")
    assert status == 200 and "20121102093000" in final
    assert SOFT_404_TEXT in body.decode("utf-8")
    # an archived 404 and a redirect capture
    status, _, _, _ = await fetch(session, f"{simulated.wayback_url}/web/20110520000000id_/http://vecher.kz/node/1259")
    assert status == 404
    _, final, body, _ = await fetch(
        session, f"{simulated.wayback_url}/web/20120509180000id_/http://news.nur.kz/217304.html"
    )
    assert "www.nur.kz/217304.html" in final
    assert "Казахстанские политологи" in body.decode("utf-8")
    # never archived
    cdx = f"{simulated.wayback_url}/cdx/search/cdx?url=www.bnews.kz&output=json"
    _, _, body, _ = await fetch(session, cdx)
    assert body.strip() in (b"", b"[]")
    assert all("bnews.kz" not in copy.original for copy in CAPTURES)


async def test_request_log_counts_concurrency_per_host(
    simulated: SimulatedWeb, session: aiohttp.ClientSession
) -> None:
    await asyncio.gather(*(fetch(session, f"http://customsexpert.ru/page/{n}") for n in range(5)))
    await fetch(session, "http://camonitor.com/")
    assert simulated.log.peak["customsexpert.ru"] == 5
    assert simulated.log.peak["camonitor.com"] == 1
    assert simulated.log.in_flight["customsexpert.ru"] == 0
    paths = sorted(entry.path for entry in simulated.log.for_host("customsexpert.ru"))
    assert paths == [f"/page/{n}" for n in range(5)]
    times = [entry.time for entry in simulated.log.entries]
    assert times == sorted(times)
