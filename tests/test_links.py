from __future__ import annotations

from collections import Counter

import pytest

from linkaudit.config import parse_shard
from linkaudit.links import collect_links, select_shard, shard_of
from linkaudit.models import Document, DocumentKind, Half, ParsedDocument, Reference


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

