"""The command line: thin, with one-line errors and the documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkaudit.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notes.txt"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_extract_text_lists_references_halves_and_findings() -> None:
    code, out, _ = _run("extract", str(SAMPLE))
    assert code == 0
    assert "#B2" in out and "[ru]" in out and "[en]" in out
    assert "http://www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588" in out
    assert "glued_urls" in out
    assert out.rstrip().splitlines()[-1].startswith("40 references")


def test_extract_json_carries_both_halves_and_findings() -> None:
    code, out, _ = _run("extract", str(SAMPLE), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "linkaudit/1"
    by_id = {ref["id"].rsplit("#", 1)[1]: ref for ref in data["references"]}
    assert len(by_id) == 40
    b2 = by_id["B2"]
    assert [half["lang"] for half in b2["halves"]] == ["ru", "en"]
    assert b2["urls"] == ["http://izvestia.ru", "http://www.russianmission.eu"]
    assert b2["halves"][0]["date"] == "2011-10-03"
    assert by_id["B6"]["ibid_of"].endswith("#B5")
    kinds = {(f["kind"], f["reference"].rsplit("#", 1)[1]) for f in data["findings"]}
    assert ("glued_urls", "B2") in kinds
    assert ("scheme_added", "B17") in kinds
    assert ("url_only_in_one_half", "B22") in kinds


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "nope.txt"], "nope.txt: no such file or directory"),
        (["extract", "nope.txt"], "nope.txt: no such file or directory"),
        (["check", str(SAMPLE), "--shard", "5/4"], "K must be between 1 and N"),
        (["check", str(SAMPLE), "-f", "pdf"], "unknown report format 'pdf'"),
        (["check", str(SAMPLE), "--archive", "wayback:http://x"], "expected memento:URL"),
        (["check"], "no input"),
        (["merge", "nope.json"], "nope.json: no such file"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)  # no pyproject.toml with [tool.linkaudit] inputs here
    try:
        code, out, err = _run(*args)
    finally:
        os.chdir(cwd)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert len([line for line in err.splitlines() if line.strip() and not line.startswith(("Usage:", "Try "))]) == 1


def test_binary_and_bad_report_inputs_are_refused_cleanly(tmp_path: Path) -> None:
    binary = tmp_path / "paper.txt"
    binary.write_bytes(b"\x00\x01PK\x03\x04" * 500)
    code, _, err = _run("extract", str(binary))
    assert (code, err.strip()) == (2, f"linkaudit: error: {binary}: looks like a binary file, not a text, "
                                      "Markdown or HTML document")  # fmt: skip
    bogus = tmp_path / "linkaudit.json"
    bogus.write_text('{"schema": "other/9"}', encoding="utf-8")
    code, _, err = _run("merge", str(bogus), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "expected 'linkaudit/1'" in err
    assert not (tmp_path / "out").exists()


def test_fix_with_an_earlier_report_writes_a_copy_and_is_idempotent(tmp_path: Path) -> None:
    from linkaudit.audit import load_documents
    from linkaudit.models import CheckResult, Link, LinkReport, Report, Snapshot
    from linkaudit.report.json import render
    from linkaudit.status import Status

    document = tmp_path / "notes.md"
    document.write_text(
        "# Notes\n\n1. «Таможенный Союз: за и против», 3 ноября 2012 года, http://bisnews.kz "
        "(“Customs Union: pros and cons”, 3 November, 2012, http://bisnews.kz).\n",
        encoding="utf-8",
    )
    parsed = load_documents([str(document)])
    snapshot = Snapshot(
        url="https://web.archive.org/web/20121104000000/http://bisnews.kz/",
        timestamp="20121104000000",
        original="http://bisnews.kz/",
        archive="wayback",
        verified=True,
    )
    link = Link(url="http://bisnews.kz", normalized="http://bisnews.kz/", references=("x",), host="bisnews.kz")
    result = CheckResult(url=link.url, normalized=link.normalized, status=Status.DEAD, http_status=404)
    report = Report(
        generated_at="2026-11-27T00:00:00Z",
        tool_version="test",
        documents=(str(document),),
        references=parsed[0].references,
        links=(LinkReport(link=link, result=result, archive=snapshot),),
        findings=(),
    )
    saved = tmp_path / "linkaudit.json"
    saved.write_text(render(report), encoding="utf-8")
    original = document.read_text(encoding="utf-8")
    code, out, err = _run("fix", str(document), "--from-report", str(saved))
    assert code == 0, err
    fixed = tmp_path / "notes.fixed.md"
    text = fixed.read_text(encoding="utf-8")
    assert document.read_text(encoding="utf-8") == original  # untouched without --in-place
    assert "архивная копия от 4 ноября 2012" in text
    assert "archived 4 November 2012" in text
    assert text.count(snapshot.url) == 2
    code, _, err = _run("fix", str(fixed), "--in-place", "--from-report", str(saved))
    assert code == 0, err
    assert fixed.read_text(encoding="utf-8") == text  # twice adds nothing


def test_options_can_come_from_linkaudit_environment_variables(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(SAMPLE)], env={"LINKAUDIT_CHECK_SHARD": "9/4"})
    assert result.exit_code == 2
    assert "K must be between 1 and N" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "x.db", "--no-store"], "--store and --no-store contradict each other"),
        (["--no-archive", "--save"], "--no-archive contradicts --archive/--save"),
        (["--timeout", "0"], "0.1<=x<=3600"),
    ],
)
def test_contradicting_or_out_of_range_options_are_refused(args: list[str], message: str) -> None:
    code, _, err = _run("check", str(SAMPLE), *args)
    assert code == 2
    assert message in err


def test_an_unusable_output_directory_is_refused_before_any_network_work(tmp_path: Path) -> None:
    occupied = tmp_path / "reports"
    occupied.write_text("a file, not a directory", encoding="utf-8")
    code, _, err = _run("check", str(SAMPLE), "-o", str(occupied), "--no-store")
    assert code == 2
    assert err.strip() == f"linkaudit: error: {occupied}: exists and is not a directory"
    bad_config = tmp_path / "project"
    bad_config.mkdir()
    (bad_config / "linkaudit.toml").write_text('per-host = "four"\n', encoding="utf-8")
    import os

    cwd = os.getcwd()
    os.chdir(bad_config)
    try:
        code, out, err = _run("check", str(SAMPLE))
    finally:
        os.chdir(cwd)
    assert code == 2
    assert "linkaudit.toml: [tool.linkaudit]: per-host must be a whole number" in err
    assert "Traceback" not in out + err


def test_fix_reads_stdin_and_writes_stdout_with_a_report(tmp_path: Path) -> None:
    from linkaudit.models import CheckResult, Link, LinkReport, Report, Snapshot
    from linkaudit.report.json import render
    from linkaudit.status import Status

    snapshot = Snapshot(
        url="https://web.archive.org/web/20121104000000/http://bisnews.kz/",
        timestamp="20121104000000", original="http://bisnews.kz/", archive="wayback", verified=True,
    )  # fmt: skip
    link = Link(url="http://bisnews.kz", normalized="http://bisnews.kz/", references=("x",), host="bisnews.kz")
    result = CheckResult(url=link.url, normalized=link.normalized, status=Status.DEAD, http_status=410)
    report = Report(
        generated_at="2026-11-27T00:00:00Z", tool_version="test", documents=("<stdin>",), references=(),
        links=(LinkReport(link=link, result=result, archive=snapshot),), findings=(),
    )  # fmt: skip
    saved = tmp_path / "linkaudit.json"
    saved.write_text(render(report), encoding="utf-8")
    text = "1. “Customs Union: pros and cons”, Weekly Atyrau, 3 November, 2012, http://bisnews.kz.\n"
    result_ = CliRunner().invoke(main, ["fix", "-", "--from-report", str(saved)], input=text.encode("utf-8"))
    assert result_.exit_code == 0, result_.stderr
    assert result_.stdout.startswith("1. “Customs Union")
    assert "http://bisnews.kz [archived 4 November 2012: https://web.archive.org/web/20121104000000/" in result_.stdout
    assert not list(tmp_path.glob("*.fixed*"))
