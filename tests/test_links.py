from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from aiohttp import web

from linkaudit.audit import Audit
from linkaudit.check.resolve import MappingResolver
from linkaudit.config import Config, parse_shard
from linkaudit.links import choose_candidates, collect_links, select_shard, shard_of
from linkaudit.models import (
    CheckResult,
    Document,
    DocumentKind,
    Half,
    Link,
    LinkRepair,
    LinkReport,
    ParsedDocument,
    Reference,
    Repair,
    Report,
)
from linkaudit.references import parse_document
from linkaudit.report.json import from_dict, to_dict
from linkaudit.status import Status


def _parsed(*references: Reference) -> ParsedDocument:
    document = Document(name="doc.txt", kind=DocumentKind.TEXT, text="", encoding="utf-8")
    return ParsedDocument(document=document, references=references, findings=())


def _ref(id_: str, urls: tuple[str, ...], date: str | None, title: str | None = None) -> Reference:
    half = Half(lang="ru", text="…", title=title, date=date, urls=urls)
    return Reference(id=id_, document="doc.txt", text="…", line=1, halves=(half,), urls=urls)


def test_each_normalized_url_is_one_link_cited_by_all_and_dated_earliest() -> None:
    parsed = _parsed(
        _ref("doc.txt#A1", ("http://Izvestia.ru",), "2011-10-03", "Новый проект"),
        _ref("doc.txt#B2", ("http://izvestia.ru/",), "2011-09-01", "New project"),
        _ref("doc.txt#B3", ("http://президент.рф/новости",), "2012"),
    )
    links = collect_links([parsed])
    assert len(links) == 2
    izvestia, president = links
    assert izvestia.url == "http://Izvestia.ru"
    assert izvestia.normalized == "http://izvestia.ru/"
    assert izvestia.references == ("doc.txt#A1", "doc.txt#B2")
    assert izvestia.cited_date == "2011-09-01"
    assert izvestia.cited_titles == ("Новый проект", "New project")
    assert president.host == "xn--d1abbgf6aiiy.xn--p1ai"
    assert president.normalized.startswith("http://xn--d1abbgf6aiiy.xn--p1ai/%D0%BD")


def test_shards_partition_hosts_and_keep_each_host_whole() -> None:
    urls = tuple(f"http://host{h}.kz/page{p}" for h in range(40) for p in range(3))
    links = collect_links([_parsed(_ref("doc.txt#A1", urls, None))])
    shards = [select_shard(links, (k, 4)) for k in range(1, 5)]
    assert sum(len(s) for s in shards) == len(links)
    hosts_per_shard = [{link.host for link in shard} for shard in shards]
    for i, hosts in enumerate(hosts_per_shard):
        for other in hosts_per_shard[i + 1 :]:
            assert not hosts & other
    assert all(Counter(link.host for link in shard).most_common(1)[0][1] == 3 for shard in shards if shard)
    assert shard_of("izvestia.ru", 4) == shard_of("izvestia.ru", 4)


@pytest.mark.parametrize("bad", ["0/4", "5/4", "1", "a/b", "1/0"])
def test_bad_shard_specs_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="shard"):
        parse_shard(bad)



# --- repairs and candidates ---------------------------------------------------------------------------------

HYPHEN_TEXT = "1. Теория и практика. URL: http://teoria-\npractica.ru/rus/files/a.pdf (дата обращения: 01.02.2020)\n"


def _document(text: str) -> ParsedDocument:
    return parse_document(Document("d.txt", DocumentKind.TEXT, text, "utf-8"))


def test_each_link_carries_its_repairs_with_what_the_text_said() -> None:
    text = (
        "1. A. URL: https:// www.python.org/about/\n"
        "2. B. DOI: 10.1134/S1995080221110081\n"
        "3. C. https://www.python.org/about/\n"
    )
    links = {link.url: link for link in collect_links([_document(text)])}
    python = links["https://www.python.org/about/"]
    assert python.repairs == (LinkRepair(Repair.WHITESPACE, "https:// www.python.org/about/", python.url),)
    assert python.references == ("d.txt#A1", "d.txt#A3")
    doi = links["https://doi.org/10.1134/S1995080221110081"]
    assert [(r.kind, r.raw) for r in doi.repairs] == [(Repair.DOI, "DOI: 10.1134/S1995080221110081")]


def test_an_ambiguous_url_is_one_link_plus_an_extra_reading_to_check() -> None:
    links = collect_links([_document(HYPHEN_TEXT)])
    assert [(link.url, link.candidate_of) for link in links] == [
        ("http://teoria-practica.ru/rus/files/a.pdf", None),
        ("http://teoriapractica.ru/rus/files/a.pdf", "http://teoria-practica.ru/rus/files/a.pdf"),
    ]
    main, extra = links
    assert main.candidates == ("http://teoria-practica.ru/rus/files/a.pdf", "http://teoriapractica.ru/rus/files/a.pdf")
    assert extra.host == main.host  # checked in the same shard as the link it may replace
    assert {r.kind for r in main.repairs} >= {Repair.HYPHEN_WRAP, Repair.HYPHEN_KEPT}


def _result(link: Link, status: Status, detail: str = "") -> CheckResult:
    return CheckResult(url=link.url, normalized=link.normalized, status=status, detail=detail)


@pytest.mark.parametrize(
    ("first", "second", "expected", "said"),
    [
        (Status.DEAD, Status.OK, "http://teoriapractica.ru/rus/files/a.pdf", "the reading that answered"),
        (Status.OK, Status.DEAD, "http://teoria-practica.ru/rus/files/a.pdf", "the reading that answered"),
        (Status.DNS_ERROR, Status.DEAD, "http://teoria-practica.ru/rus/files/a.pdf", "no reading answered"),
        (Status.DEAD, Status.BLOCKED, "http://teoriapractica.ru/rus/files/a.pdf", "no reading answered"),
    ],
)
def test_the_reading_that_answers_is_chosen_and_the_choice_is_said(
    first: Status, second: Status, expected: str, said: str
) -> None:
    main, extra = collect_links([_document(HYPHEN_TEXT)])
    results = {main.normalized: _result(main, first, "404 Not Found"), extra.normalized: _result(extra, second)}
    links, chosen = choose_candidates((main, extra), results)
    assert [link.url for link in links] == [expected]
    assert links[0].candidates == main.candidates
    detail = chosen[links[0].normalized].detail
    assert said in detail
    other = next(url for url in main.candidates if url != expected)
    assert other in detail


def test_links_without_candidates_pass_the_choice_unchanged() -> None:
    links = collect_links([_document("1. A. http://example.kz/a\n")])
    results = {links[0].normalized: _result(links[0], Status.DEAD, "404 Not Found")}
    chosen_links, chosen = choose_candidates(links, results)
    assert chosen_links == links and chosen == results
    assert chosen is results  # nothing to choose: 100,000 results are not copied


async def test_audit_reports_the_reading_that_answers(aiohttp_server: Any) -> None:
    async def page(request: web.Request) -> web.Response:
        if request.host.split(":")[0] == "teoriapractica.ru":
            return web.Response(text="<html><head><title>Журнал</title></head><body>Статья</body></html>",
                                content_type="text/html")
        return web.Response(status=404, text="no")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    server = await aiohttp_server(app)
    resolver = MappingResolver(
        dict.fromkeys(("teoria-practica.ru", "teoriapractica.ru"), ("127.0.0.1", server.port or 0))
    )
    config = Config().with_overrides({"timeout": 5, "retries": 0, "probe": False, "archive": False,
                                      "allow_private": True})
    outcome = await Audit(config, resolver=resolver).run_async([_document(HYPHEN_TEXT)])
    (item,) = outcome.report.links
    assert item.link.url == "http://teoriapractica.ru/rus/files/a.pdf"
    assert item.result.http_status == 200
    assert item.link.candidates == ("http://teoria-practica.ru/rus/files/a.pdf", item.link.url)
    assert "http://teoria-practica.ru/rus/files/a.pdf (dead)" in item.result.detail


def test_the_json_report_shows_each_links_repairs_candidates_and_each_halfs_access_date() -> None:
    parsed = _document(HYPHEN_TEXT)
    links = collect_links([parsed])
    report = Report(
        generated_at="2026-01-01T00:00:00Z",
        tool_version="test",
        documents=("d.txt",),
        references=parsed.references,
        links=tuple(LinkReport(link=link, result=_result(link, Status.OK)) for link in links[:1]),
        findings=(),
    )
    data = json.loads(json.dumps(to_dict(report)))
    (link,) = data["links"]
    assert link["candidates"] == list(links[0].candidates)
    assert {"kind": "hyphen_kept", "raw": "http://teoria-\npractica.ru/rus/files/a.pdf", "url": links[0].url} in (
        link["repairs"]
    )
    assert data["references"][0]["halves"][0]["accessed"] == "2020-02-01"
    again = from_dict(data)
    assert again.links[0].link.repairs == links[0].repairs
    assert again.links[0].link.candidates == links[0].candidates
    assert again.references[0].halves[0].accessed == "2020-02-01"
    assert data["references"][0]["found"][0]["candidates"] == list(links[0].candidates)
    assert again.references[0].found == parsed.references[0].found


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.3:8080/doc/1.html", "https://a.kz", "HTTP://A.KZ/x", "http://a.kz:80/", "http://a.kz:99999/",
        "mailto:x@y.kz", "not a url", "http://[::1]:8080/c", "https://doi.org/10.1/X", "http://пример.рф/путь",
    ],
)  # fmt: skip
def test_a_links_key_and_host_are_the_normalized_url_and_its_host(url: str) -> None:
    from linkaudit.references.urls import normalize_url, url_host, url_key_and_host

    try:
        normalized = normalize_url(url)
        expected = (normalized, url_host(normalized))
    except ValueError:
        expected = (url, "")
    assert url_key_and_host(url) == expected
    (link,) = collect_links([_parsed(_ref("doc.txt#A1", (url,), None))])
    assert (link.normalized, link.host) == expected


def test_titles_and_spellings_are_gathered_per_reference_for_every_url() -> None:
    reference = _ref("doc.txt#A1", ("http://a.kz/1", "http://a.kz/2"), "2012", title="Title")
    links = collect_links([_parsed(reference)])
    assert [link.cited_titles for link in links] == [("Title",), ("Title",)]
    assert all(link.repairs == () and link.candidates == () for link in links)


def test_links_on_one_host_share_one_host_string() -> None:
    """100,000 links on 1,000 hosts hold 1,000 host names, not 100,000 copies."""
    text = "".join(f"{n}. http://Example{n % 3}.kz/news/{n}\n" for n in range(1, 31))
    links = collect_links([parse_document(Document("n.txt", DocumentKind.TEXT, text, "utf-8"))])
    assert len(links) == 30
    hosts = {link.host for link in links}
    assert hosts == {"example0.kz", "example1.kz", "example2.kz"}
    assert len({id(link.host) for link in links}) == 3
