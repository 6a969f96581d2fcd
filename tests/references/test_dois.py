"""DOIs however written become one canonical https://doi.org/<DOI> link (case-insensitive for identity)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from linkaudit.check.engine import Checker
from linkaudit.check.resolve import MappingResolver
from linkaudit.config import Config
from linkaudit.links import collect_links
from linkaudit.models import Document, DocumentKind, FindingKind, Link, Repair
from linkaudit.references import parse_document
from linkaudit.references.urls import canonical_doi, doi_of, find_urls, is_doi_url, normalize_url
from linkaudit.status import Status

DOI = "https://doi.org/10.1134/S1995080221110081"


@pytest.mark.parametrize(
    "written",
    [
        "doi:10.1134/S1995080221110081",
        "DOI: 10.1134/S1995080221110081",
        "DOI 10.1134/S1995080221110081.",
        "https://doi.org/10.1134/S1995080221110081",
        "http://dx.doi.org/10.1134/S1995080221110081",
        "dx.doi.org/10.1134/S1995080221110081",
        "https://doi.org/10.1134%2FS1995080221110081",
        "10.1134/S1995080221110081",
    ],
)
def test_canonical_doi_of_every_spelling(written: str) -> None:
    assert canonical_doi(written) == DOI


@pytest.mark.parametrize("written", ["doi:", "10.1134", "https://example.org/10.1134/x", "see the DOI", ""])
def test_not_a_doi(written: str) -> None:
    assert canonical_doi(written) is None


def test_doi_of_and_is_doi_url() -> None:
    assert doi_of("http://dx.doi.org/10.1000/ABC") == "10.1000/ABC"
    assert is_doi_url("https://doi.org/10.1/x")
    assert not is_doi_url("https://doi.org/")
    assert not is_doi_url("https://example.org/10.1000/x")


@pytest.mark.parametrize(
    ("url", "doi"),
    [
        ("HTTPS://DOI.ORG/10.1000/ABC", "10.1000/ABC"),  # the host is compared lowercased
        ("  DX.Doi.Org/10.1000/x?y=1  ", "10.1000/x?y=1"),
        ("https://doi.org/10.1000%2Fx", "10.1000/x"),
        ("https://doi.org/%31%30.1000/x", None),  # the path must start with "/10." as written
        ("https://example.org/10.1000/doi", None),
        ("https://user@doi.org:443/10.1/x", "10.1/x"),
    ],
)
def test_doi_of_quick_rejects_only_what_it_would_reject(url: str, doi: str | None) -> None:
    assert doi_of(url) == doi


def test_dois_in_text_found_as_canonical_links_with_the_repair_recorded() -> None:
    text = (
        "Ivanov I. Title // J. 2020. DOI: 10.1134/S1995080221110081. Also http://dx.doi.org/10.1000/xyz123, "
        "https://doi.org/10.1051/e3sconf/202016401020 and https://example.org/doi:10.5555/inside"
    )
    found = find_urls(text)
    assert [f.url for f in found] == [
        DOI,
        "https://doi.org/10.1000/xyz123",
        "https://doi.org/10.1051/e3sconf/202016401020",
        "https://example.org/doi:10.5555/inside",
    ]
    assert found[0].raw == "DOI: 10.1134/S1995080221110081"
    assert Repair.DOI in found[0].repairs and Repair.DOI in found[1].repairs
    assert Repair.DOI not in found[2].repairs  # already canonical
    assert Repair.DOI not in found[3].repairs


def test_one_link_however_the_doi_is_written_first_spelling_kept() -> None:
    text = (
        "1. A. Title. doi:10.1134/S1995080221110081\n"
        "2. B. Title. http://dx.doi.org/10.1134/s1995080221110081\n"
        "3. C. Title. https://DOI.org/10.1134/S1995080221110081\n"
    )
    parsed = parse_document(Document("d.txt", DocumentKind.TEXT, text, "utf-8"))
    links = collect_links([parsed])
    assert [link.url for link in links] == [DOI]
    assert links[0].normalized == "https://doi.org/10.1134/s1995080221110081"
    assert len(links[0].references) == 3
    assert normalize_url("http://dx.doi.org/10.1134/S1995080221110081") == links[0].normalized


def test_two_halves_citing_different_dois_is_a_finding() -> None:
    text = (
        "1. Иванов И. И. Статья о сетях // Журнал. 2020. № 1. DOI: 10.1234/abcd.2020.1 "
        "(Ivanov I. I. An article about networks. Zhurnal, 2020, no. 1. DOI: 10.1234/abcd.2020.2)\n"
    )
    parsed = parse_document(Document("d.txt", DocumentKind.TEXT, text, "utf-8"))
    kinds = [f.kind for f in parsed.findings]
    assert FindingKind.DOIS_DIFFER_BETWEEN_HALVES in kinds
    assert FindingKind.URLS_DIFFER_BETWEEN_HALVES not in kinds  # the difference is said once, as DOIs


def test_same_doi_in_both_halves_in_different_case_is_no_finding() -> None:
    text = (
        "1. Иванов И. И. Статья о сетях // Журнал. 2020. № 1. DOI: 10.1234/ABCD.2020.1 "
        "(Ivanov I. I. An article about networks. Zhurnal, 2020, no. 1. https://doi.org/10.1234/abcd.2020.1)\n"
    )
    parsed = parse_document(Document("d.txt", DocumentKind.TEXT, text, "utf-8"))
    assert not [f for f in parsed.findings if "differ" in f.kind.value]


def test_doi_scan_is_linear_on_hostile_input() -> None:
    text = "doi:10.1234/" + "a" * 200_000 + " doi: " * 20_000 + "10." * 20_000
    found = find_urls(text)
    assert found and found[0].url.startswith("https://doi.org/10.1234/")


async def test_a_doi_the_resolver_does_not_know_is_dead_with_its_reason(aiohttp_server: Any) -> None:
    async def resolver_page(request: web.Request) -> web.StreamResponse:
        if request.path == "/10.5555/known":
            return web.Response(text="<html><head><title>Known</title></head><body>A paper</body></html>",
                                content_type="text/html")
        return web.Response(status=404, text="DOI Not Found")

    app = web.Application()
    app.router.add_get("/{tail:.*}", resolver_page)
    server = await aiohttp_server(app)
    resolver = MappingResolver({"doi.org": ("127.0.0.1", server.port or 0)})
    config = Config().with_overrides({"timeout": 5, "retries": 0, "probe": False})
    links = [
        Link(url=url, normalized=url, references=("d#1",), host="doi.org")
        for url in ("http://doi.org/10.5555/unknown", "http://doi.org/10.5555/known")
    ]
    async with Checker(config, resolver=resolver) as checker:
        unknown, known = await checker.check(links)
    assert unknown.status is Status.DEAD
    assert unknown.detail == "DOI not registered"
    assert known.status is Status.OK
