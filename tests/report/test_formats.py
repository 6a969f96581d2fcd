"""Every ReportFormat has a reporter, and reports are written atomically."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from linkaudit.models import Report
from linkaudit.report import ReportError, ReportFormat, parse_formats, write_reports
from linkaudit.report.html import HtmlReporter


@pytest.mark.parametrize("report_format", list(ReportFormat))
def test_every_format_has_a_reporter(report_format: ReportFormat, rich_report: Report) -> None:
    reporter = report_format.reporter()
    assert reporter.file_name == f"linkaudit.{report_format.value}"
    text = reporter.render(rich_report)
    assert isinstance(text, str) and "bisnews.kz" in text
    text.encode(reporter.encoding)


def test_file_names_are_distinct() -> None:
    names = [member.reporter().file_name for member in ReportFormat]
    assert len(set(names)) == len(names)


def test_write_reports_writes_each_format_once(rich_report: Report, output_dir: Path) -> None:
    paths = write_reports(rich_report, output_dir, ["html", "json", "md", "csv", "json"])
    names = ["linkaudit.html", "linkaudit.json", "linkaudit.md", "linkaudit.csv"]
    assert [path.name for path in paths] == names
    assert all(path.is_file() and path.stat().st_size > 0 for path in paths)
    assert sorted(p.name for p in output_dir.iterdir()) == sorted(path.name for path in paths)


def test_parse_formats() -> None:
    assert parse_formats("html, json,md") == (ReportFormat.HTML, ReportFormat.JSON, ReportFormat.MD)
    assert parse_formats(["markdown", ReportFormat.CSV]) == (ReportFormat.MD, ReportFormat.CSV)
    with pytest.raises(ReportError, match="unknown report format 'pdf'.*html, json, md, csv"):
        parse_formats("html,pdf")


def test_a_failed_render_leaves_the_previous_report_whole(
    rich_report: Report, output_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (good,) = write_reports(rich_report, output_dir, ["html"])
    before = good.read_bytes()

    def explode(self: HtmlReporter, report: Report) -> str:
        raise RuntimeError("template failed")

    def explode_midway(self: HtmlReporter, report: Report) -> Iterator[str]:
        yield "<!DOCTYPE html>\n<html>"  # a streamed report fails after some of it was written
        raise RuntimeError("template failed")

    monkeypatch.setattr(HtmlReporter, "render", explode)
    monkeypatch.setattr(HtmlReporter, "chunks", explode_midway)
    with pytest.raises(RuntimeError):
        write_reports(rich_report, output_dir, ["html"])
    assert good.read_bytes() == before
    assert [p.name for p in output_dir.iterdir()] == ["linkaudit.html"]


def test_a_failed_write_leaves_no_temporary_file(rich_report: Report, output_dir: Path) -> None:
    blocker = output_dir / "linkaudit.json"
    blocker.mkdir(parents=True)
    (blocker / "keep").write_text("x")  # a non-empty directory cannot be replaced by a file
    with pytest.raises(ReportError, match="cannot write"):
        write_reports(rich_report, output_dir, ["json"])
    assert [p.name for p in output_dir.iterdir()] == ["linkaudit.json"]
    assert (blocker / "keep").read_text() == "x"


def test_replacing_keeps_the_file_readable(rich_report: Report, output_dir: Path) -> None:
    (path,) = write_reports(rich_report, output_dir, ["md"])
    assert path.stat().st_mode & 0o444 == 0o444


def test_a_failure_in_a_later_format_leaves_the_whole_previous_set(
    rich_report: Report, output_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No mix of old and new files: html is not replaced when the json of the same run cannot be rendered."""
    from linkaudit.report.json import JsonReporter

    written = write_reports(rich_report, output_dir, ["html", "json", "md"])
    before = {path.name: path.read_bytes() for path in written}
    newer = replace(rich_report, generated_at="2030-01-01T00:00:00Z")

    def explode(self: JsonReporter, report: Report) -> str:
        raise RuntimeError("render failed")

    monkeypatch.setattr(JsonReporter, "render", explode)
    monkeypatch.setattr(JsonReporter, "chunks", explode)  # the JSON report is written streamed
    with pytest.raises(RuntimeError):
        write_reports(newer, output_dir, ["html", "json", "md"])
    assert {path.name: path.read_bytes() for path in output_dir.iterdir()} == before


def test_the_streamed_json_is_the_rendered_json(rich_report: Report, output_dir: Path) -> None:
    """The JSON report is written in pieces with links converted as they are written: the same bytes."""
    from linkaudit.report.json import JsonReporter, chunks, render, to_dict

    written = write_reports(rich_report, output_dir, ["json"])
    assert written[0].read_text(encoding="utf-8") == render(rich_report)
    assert "".join(JsonReporter().chunks(rich_report)) == render(rich_report)
    assert json.loads(render(rich_report)) == to_dict(rich_report)
    assert len(list(chunks(rich_report))) >= 1


@pytest.mark.parametrize("name", ["json", "md", "csv", "html"])
def test_a_report_for_standard_output_is_the_file_byte_for_byte_written_in_pieces(
    rich_report: Report, tmp_path: Path, name: str
) -> None:
    """`-o -` writes the report as it is rendered, not as one string first: the bytes are the file's, with one
    byte-order mark where the format has one."""
    from linkaudit.report import encoded, write_reports

    (written,) = write_reports(rich_report, tmp_path, [name])
    pieces = list(encoded(rich_report, name))
    assert b"".join(pieces) == written.read_bytes()
    assert b"".join(pieces).count(codecs.BOM_UTF8) <= 1
