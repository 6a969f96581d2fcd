"""The JSON report: the schema of DESIGN.md, an exact round trip, and clear errors for foreign input."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from linkaudit.models import Report
from linkaudit.report import ReportError, from_dict, loads, summarize, to_dict
from linkaudit.report.json import SCHEMA, LazyList, _encoded, _encoded_utf8, json_chunks, render
from linkaudit.report.summary import verdict


def test_round_trip_rebuilds_the_same_report(rich_report: Report, repairs_report: Report) -> None:
    assert from_dict(to_dict(rich_report)) == rich_report
    assert from_dict(to_dict(repairs_report)) == repairs_report
    assert loads(render(rich_report)) == rich_report


def test_round_trip_keeps_missing_history_apart_from_empty_history(rich_report: Report) -> None:
    item = rich_report.links[5]
    assert item.history is None
    rebuilt = from_dict(to_dict(rich_report))
    assert rebuilt.links[5].history is None
    assert rebuilt.links[0].history is not None


def test_top_level_and_summary_keys_follow_the_design(rich_report: Report) -> None:
    data = to_dict(rich_report)
    assert data["schema"] == SCHEMA == "linkaudit/1"
    keys = ("tool_version", "generated_at", "summary", "references", "links", "findings", "offline", "shard")
    for key in (*keys, "notes", "trend"):
        assert key in data
    summary = data["summary"]
    assert summary["documents"] == 1
    assert summary["references"] == 18
    assert summary["links"] == 16
    assert summary["broken"] == 9
    assert summary["blocked"] == 1
    assert summary["archived"] == 3
    assert summary["findings"] == 7
    assert summary["by_status"]["ok"] == 3
    assert summary["by_status"]["timeout"] == 1
    assert set(summary["by_status"]) == {
        "ok", "redirected", "dead", "soft_404", "homepage_redirect", "parked", "content_drift", "server_error",
        "timeout", "dns_error", "connection_error", "tls_error", "blocked", "invalid", "skipped",
    }  # fmt: skip
    assert data["simulated"] is False
    assert from_dict({**data, "simulated": True}).simulated is True


def test_link_entry_carries_result_archive_and_history(rich_report: Report) -> None:
    dead = next(link for link in to_dict(rich_report)["links"] if link["status"] == "dead")
    assert dead["url"] == "http://bisnews.kz/news/1"
    assert dead["http_status"] == 404
    assert dead["cited_date"] == "2012-11-03"
    assert dead["references"] == ["notes.txt#A3"]
    assert dead["archive"] == {
        "url": "http://archive.test/web/20121104093000/http://bisnews.kz/news/1",
        "timestamp": "20121104093000",
        "verified": True,
        "distance_days": 1,
        "archive": "wayback",
        "original": "http://bisnews.kz/news/1",
        "detail": "content matches the cited title",
        "raw_url": "http://archive.test/web/20121104093000id_/http://bisnews.kz/news/1",
    }
    assert dead["first_broken_at"] == "2024-01-01T10:00:00Z"
    assert dead["broken_runs"] == 3
    assert dead["confirmed"] is True
    assert dead["suspect"] is False
    server_error = next(link for link in to_dict(rich_report)["links"] if link["status"] == "server_error")
    assert server_error["confirmed"] is False
    assert server_error["suspect"] is True
    ok = next(link for link in to_dict(rich_report)["links"] if link["status"] == "ok")
    assert ok["archive"] is None
    assert ok["suspect"] is False


def test_reference_entry_has_halves_with_cyrillic_text(rich_report: Report) -> None:
    text = render(rich_report)
    assert "Известия" in text  # not \u-escaped: the file is readable UTF-8
    second = json.loads(text)["references"][1]
    assert second["id"] == "notes.txt#A2"
    assert second["list"] == "A" and second["number"] == "2"
    assert [half["lang"] for half in second["halves"]] == ["ru", "en"]
    assert second["halves"][0]["authors"] == "В. Путин"
    assert second["halves"][0]["date"] == "2011-10-03"
    assert second["urls"] == ["http://izvestia.ru", "http://www.russianmission.eu"]


def test_findings_are_listed(rich_report: Report) -> None:
    findings = to_dict(rich_report)["findings"]
    assert findings[0] == {
        "kind": "glued_urls",
        "reference": "notes.txt#A2",
        "message": "Note A2 writes “Известияhttp://izvestia.ru” with no space before a URL; it was read as "
        "http://izvestia.ru — put a space before each URL.",
        "url": "http://izvestia.ru",
    }


def test_foreign_schema_is_refused_clearly(rich_report: Report) -> None:
    data = to_dict(rich_report)
    data["schema"] = "other/2"
    with pytest.raises(ReportError, match="schema"):
        from_dict(data, source="shard.json")
    with pytest.raises(ReportError, match="shard.json"):
        from_dict(data, source="shard.json")
    with pytest.raises(ReportError, match="JSON object"):
        from_dict([1, 2])
    with pytest.raises(ReportError, match="not JSON"):
        loads("{broken")


def test_malformed_entries_name_their_place(rich_report: Report) -> None:
    data = to_dict(rich_report)
    data["links"][2]["status"] = "vanished"
    with pytest.raises(ReportError, match=r"links\[2\]"):
        from_dict(data)
    data = to_dict(rich_report)
    del data["references"][0]["id"]
    with pytest.raises(ReportError, match=r"references\[0\]"):
        from_dict(data)


def test_summary_is_recomputed_not_trusted(rich_report: Report) -> None:
    data = to_dict(rich_report)
    data["summary"]["broken"] = 0
    assert summarize(from_dict(data)).broken == 9


def test_verdict_sentences_in_both_languages(rich_report: Report) -> None:
    summary = summarize(rich_report)
    assert verdict(summary, "en").startswith("9 of 16 cited links (56%) are broken")
    assert "archived copies were found for 3" in verdict(summary, "en")
    assert verdict(summary, "ru").startswith("9 из 16 ссылок (56%) недоступны")
    clean = replace(rich_report, links=rich_report.links[:1])
    assert verdict(summarize(clean), "en") == "All 1 cited link answered without signs of rot."
    assert "offline" in verdict(summary, "en", offline=True)


def test_verdict_does_not_say_all_answered_when_some_were_never_fetched(rich_report: Report) -> None:
    from linkaudit.status import Status

    unfetched = tuple(
        item for item in rich_report.links if item.result.status in (Status.OK, Status.INVALID, Status.SKIPPED)
    )
    assert {item.result.status for item in unfetched} >= {Status.INVALID, Status.SKIPPED}
    summary = summarize(replace(rich_report, links=unfetched))
    ok = sum(1 for item in unfetched if item.result.status is Status.OK)
    text = verdict(summary, "en")
    assert text.startswith(f"None of the {len(unfetched)} cited links is broken; {ok} answered without signs of rot")
    assert f"{len(unfetched) - ok} not checked" in text
    assert "; 2 ссылки не проверены (" in verdict(summary, "ru")  # not «2 не проверено»


def test_an_empty_shard_says_so_rather_than_that_nothing_is_cited(rich_report: Report) -> None:
    empty_shard = replace(rich_report, links=(), shard="2/3")
    assert verdict(summarize(empty_shard), "en", shard="2/3").startswith("Shard 2/3 holds none of the cited hosts")
    assert summarize(empty_shard).verdict.startswith("Shard 2/3 holds none")
    assert summarize(replace(empty_shard, shard=None)).verdict.startswith("No web links were found")


def _lazy(items: list[Any]) -> LazyList[Any]:
    return LazyList(items, lambda item: item)


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1},
        {},
        [],
        'Таможенный союз\u00a0\u2028\x7f\x01\t\n"\\ ¡',
        {"items": [1, -2, 10**30, None, True, False, [], {}, [[]], {"k": {"k": []}}], "s": "\ud800 lone"},
        [{"deep": [{"deeper": ["x", 1]}]}, "\U0001f600"],
    ],
)
def test_streamed_json_is_the_standard_librarys_text_byte_for_byte(value: Any) -> None:
    """The JSON reports are written item by item by orjson, re-indented to their depth: the text must be what
    ``json.dumps(…, ensure_ascii=False, indent=2)`` writes, also where orjson refuses a value (a lone
    surrogate, an integer beyond 64 bits) and inside containers of lazy lists at any depth."""
    expected = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    assert "".join(json_chunks(value)) == expected
    wrapped = {"top": _lazy([value, value]), "empty": _lazy([]), "nested": {"inner": _lazy([value]), "x": [value]}}
    plain = {"top": [value, value], "empty": [], "nested": {"inner": [value], "x": [value]}}
    assert "".join(json_chunks(wrapped)) == json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    assert (
        "".join(json_chunks([_lazy([value]), value]))
        == json.dumps([[value], value], ensure_ascii=False, indent=2) + "\n"
    )
    for depth in (0, 1, 2, 5):  # the UTF-8 a worker writes of a reference, at any depth, is that text's
        assert _encoded_utf8(value, depth) == _encoded(value, depth).encode("utf-8", "surrogatepass")


def test_a_long_lazy_list_streams_in_pieces() -> None:
    items = [{"url": f"http://example.kz/{n}", "title": "Новости " * 20} for n in range(3000)]
    pieces = list(json_chunks({"links": _lazy(items)}))
    assert len(pieces) > 3
    assert json.loads("".join(pieces)) == {"links": items}
