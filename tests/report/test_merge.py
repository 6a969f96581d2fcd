"""Merging shard reports: the union of links, references and findings equals the report of one whole run."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linkaudit.models import Report, RunSummary
from linkaudit.report import ReportError, loads, merge, summarize
from linkaudit.report.json import render


def _shard_of(host: str, count: int) -> int:
    """A stable shard per host: every URL of a host lands in one shard."""
    return sum(map(ord, host)) % count + 1


def _shards(report: Report, count: int) -> list[Report]:
    shards = []
    for index in range(1, count + 1):
        links = tuple(
            entry for entry in report.links if _shard_of(entry.link.host or entry.link.url, count) == index
        )
        trend = tuple(
            RunSummary(run.run_id, run.started_at, sum(1 for _ in links), run.broken if index == 1 else 0)
            for run in report.trend
        )
        shards.append(replace(report, links=links, trend=trend, shard=f"{index}/{count}"))
    return shards


def test_merging_shards_of_disjoint_hosts_equals_the_whole(rich_report: Report) -> None:
    shards = _shards(rich_report, 2)
    assert all(shard.links for shard in shards), "both shards must hold links for the test to mean anything"
    hosts = [{entry.link.host for entry in shard.links} for shard in shards]
    assert not hosts[0] & hosts[1]
    expected = replace(
        rich_report,
        trend=tuple(replace(run, links=len(rich_report.links)) for run in rich_report.trend),
    )
    merged = merge([loads(render(shard)) for shard in reversed(shards)])
    assert merged == replace(expected, generated_at=merged.generated_at)
    assert merged.shard is None
    assert summarize(merged) == summarize(expected)


def test_partial_shards_say_which_they_are(rich_report: Report) -> None:
    shards = _shards(rich_report, 3)
    merged = merge(shards[:2])
    assert merged.shard == "1/3,2/3"
    assert len(merged.links) == len(shards[0].links) + len(shards[1].links)


def test_duplicate_link_keeps_the_latest_check(rich_report: Report) -> None:
    entry = rich_report.links[2]
    later = replace(entry, result=replace(entry.result, checked_at="2024-04-01T00:00:00Z", detail="newer"))
    first = replace(rich_report, links=(entry,))
    second = replace(rich_report, links=(later,), generated_at="2024-04-01T00:05:00Z")
    merged = merge([first, second])
    assert [item.result.detail for item in merged.links] == ["newer"]
    assert merged.generated_at == "2024-04-01T00:05:00Z"
    assert merged.findings == rich_report.findings  # the same findings are not doubled


def test_offline_shard_makes_the_merge_offline(rich_report: Report) -> None:
    shards = _shards(rich_report, 2)
    assert merge([shards[0], replace(shards[1], offline=True)]).offline


def test_nothing_to_merge() -> None:
    with pytest.raises(ReportError):
        merge([])
