"""The command line: thin, with one-line errors and the documented exit codes."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkaudit.cli import YOUNG_THRESHOLD, main
from linkaudit.models import Report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "notes.txt"


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


def test_extract_of_a_notes_list_loads_no_network_archive_or_html_library() -> None:
    """Start-up stays light: extracting a plain-text notes list imports neither the checker's HTTP client, the
    archive clients, the HTML report's templates, the HTML document reader nor, for a UTF-8 text, the charset
    detector."""
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from linkaudit.cli import main\n"
        f"result = CliRunner().invoke(main, ['extract', '--format', 'json', {str(SAMPLE)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(' '.join(sorted(loaded & {'aiohttp', 'requests', 'jinja2', 'bs4', 'charset_normalizer'})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("copies", [0, 1, 63])
def test_extract_json_is_written_as_one_indented_dump(tmp_path: Path, copies: int) -> None:
    """The JSON is written a batch of references at a time, yet is the same text as one indented dump of the
    whole object: no list, no comma and no indent differs, however many references (none, one, several
    batches) and findings there are."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    document = tmp_path / "notes.txt"
    document.write_text("\n".join(lines * copies if copies else ["Just prose."]), encoding="utf-8")  # 40 a copy
    code, out, _ = _run("extract", str(document), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (len(data["references"]) >= 40 * copies > 0) or (copies == 0 and not data["references"])
    assert bool(data["findings"]) == (copies > 0)
    assert out == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


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


# --- against a real server on loopback ---------------------------------------------------------------------------



@dataclass
class Site:
    """A threaded HTTP server on 127.0.0.1: /ok/<n> are real pages, /gone/<n> 404, /forbidden 403; any other
    address (the soft-404 probe's made-up siblings) 404. It records each request's path and headers."""

    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def site() -> Iterator[Site]:
    served: list[tuple[str, dict[str, str]]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            served.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "ok" and parts[1].isdigit():
                code, title = 200, f"Report number {parts[1]} on water policy"
            elif self.path == "/forbidden":
                code, title = 403, "Forbidden"
            else:
                code, title = 404, "Not Found"
            body = (
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                f"<p>{'A paragraph of the cited article. ' * 20}</p></body></html>"
            ).encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(base=f"http://127.0.0.1:{server.server_address[1]}", requests=served)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but never listening: connections to it are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def _notes(site: Site, *paths: str) -> str:
    """A note list citing ``paths`` of ``site``; each note's title is the one /ok/<n> pages carry."""
    notes = []
    for n, path in enumerate(paths, 1):
        number = path.rsplit("/", 1)[-1]
        notes.append(f"{n}. A. Author, “Report number {number} on water policy”, 3 May 2012, {site.base}{path}\n")
    return "".join(notes)


def _invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, env=env)
    finally:
        os.chdir(here)
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_settings_are_found_from_a_subfolder_and_the_store_lives_at_the_project_root(
    tmp_path: Path, site: Site
) -> None:
    """The case that used to pass silently: run from a subfolder, the project's allow-private was lost, every
    link became "skipped" and the exit code was 0."""
    project = tmp_path / "project"
    (project / "docs" / "drafts").mkdir(parents=True)
    (project / "docs" / "notes.txt").write_text(_notes(site, "/ok/1", "/gone/1"), encoding="utf-8")
    (project / "linkaudit.toml").write_text(
        'inputs = ["docs/notes.txt"]\nallow-private = true\narchive = false\noutput-dir = "audit"\n',
        encoding="utf-8",
    )
    below = project / "docs" / "drafts"
    code, out, err = _invoke(["check", "-v"], below)
    assert code == 1, out + err
    code, listed, _ = _invoke(["extract"], below)  # extract reads the same inputs
    assert code == 0 and listed.startswith(f"# {Path('..') / 'notes.txt'}") and f"{site.base}/gone/1" in listed
    assert f"settings from {project / 'linkaudit.toml'}" in err
    data = json.loads((project / "audit" / "linkaudit.json").read_text(encoding="utf-8"))
    statuses = {link["url"]: link["status"] for link in data["links"]}
    assert statuses == {f"{site.base}/ok/1": "ok", f"{site.base}/gone/1": "dead"}
    assert (project / ".linkaudit" / "linkaudit.db").is_file()  # the default store, at the project root
    assert list(below.iterdir()) == []  # nothing written where the command ran
    code, _, err = _invoke(["check", "docs/notes.txt"], project)  # the same document, named from the root
    assert code == 1, err
    again = json.loads((project / "audit" / "linkaudit.json").read_text(encoding="utf-8"))
    assert again["documents"] == ["docs/notes.txt"]
    assert len(again["trend"]) == 2  # one series, whichever folder each run started in


def test_a_pyproject_without_the_table_is_passed_over_and_config_names_another_file(
    tmp_path: Path, site: Site
) -> None:
    project = tmp_path / "project"
    inner = project / "package"
    inner.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.linkaudit]\nallow-private = true\narchive = false\nstore = "state/la.db"\n', encoding="utf-8"
    )
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n', encoding="utf-8")
    (inner / "notes.txt").write_text(_notes(site, "/ok/1"), encoding="utf-8")
    code, out, err = _invoke(["check", "notes.txt", "-o", "out"], inner)
    assert code == 0, out + err
    assert (project / "state" / "la.db").is_file()  # the store path is relative to the settings file
    assert json.loads((inner / "out" / "linkaudit.json").read_text(encoding="utf-8"))["links"][0]["status"] == "ok"

    other = tmp_path / "elsewhere" / "strict.toml"
    other.parent.mkdir()
    other.write_text("allow-private = false\narchive = false\n", encoding="utf-8")
    code, out, err = _invoke(["check", "notes.txt", "-o", "out2", "--no-store", "--config", str(other)], inner)
    assert code == 0, out + err
    data = json.loads((inner / "out2" / "linkaudit.json").read_text(encoding="utf-8"))
    assert data["links"][0]["status"] == "skipped"  # the named file, not the discovered one, applied
    code, _, err = _invoke(["check", "notes.txt", "--config", str(tmp_path / "missing.toml")], inner)
    assert code == 2
    assert "missing.toml: no such settings file" in err


def test_exclude_user_agent_header_and_accept_flags_reach_the_requests(tmp_path: Path, site: Site) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/ok/1", "/forbidden", "/ok/2"), encoding="utf-8")
    args = [
        "check", "notes.txt", "--allow-private", "--no-archive", "--no-store", "-f", "json", "-o", "-",
        "--exclude", r"/ok/2$", "--user-agent", "CitationBot/2.0", "--header", "X-Token: s3cret",
        "--accept", "200..299,403", "--header", "accept-language: en",
    ]  # fmt: skip
    code, out, err = _invoke(args, tmp_path)
    assert code == 0, err
    data = json.loads(out)  # standard output holds the JSON report and nothing else
    statuses = {link["url"]: link["status"] for link in data["links"]}
    assert statuses == {
        f"{site.base}/ok/1": "ok", f"{site.base}/forbidden": "ok", f"{site.base}/ok/2": "skipped",
    }  # fmt: skip
    assert "/ok/2" not in site.paths()
    for path, headers in site.requests:
        assert headers["user-agent"] == "CitationBot/2.0", path
        assert headers["x-token"] == "s3cret", path
        assert headers["accept-language"] == "en", path  # the user's header replaces linkaudit's own
    assert "All" in err or "None of the" in err  # the summary went to standard error
    assert not (tmp_path / "-").exists()
    code, _, err = _invoke(["check", "notes.txt", "--accept", "2x0"], tmp_path)
    assert code == 2 and "'2x0' is not an HTTP status code" in err
    code, _, err = _invoke(["check", "notes.txt", "--header", "no colon"], tmp_path)
    assert code == 2 and "header must look like 'Name: value'" in err


def test_dash_output_needs_exactly_one_format(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("1. A report, http://example.org/a\n", encoding="utf-8")
    code, out, err = _invoke(["check", "notes.txt", "-o", "-"], tmp_path)
    assert code == 2
    assert "-o - writes one report to standard output: name its format with -f (e.g. -f json -o -)" in err
    assert not (tmp_path / "-").exists() and out == ""


def test_an_empty_document_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = _invoke(["check", "empty.txt", "--no-store", "--no-archive", "-o", "r"], tmp_path)
    assert code == 0, err
    assert "linkaudit: no references found in empty.txt" in err
    code, _, err = _invoke(["extract", "empty.txt"], tmp_path)
    assert code == 0 and "no references found in empty.txt" in err


def test_check_lists_what_is_broken_by_document_with_file_line(tmp_path: Path, site: Site) -> None:
    (tmp_path / "a.txt").write_text(_notes(site, "/ok/1", "/gone/1", "/gone/2", "/gone/1"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(_notes(site, "/gone/3"), encoding="utf-8")
    args = ["check", "a.txt", "b.txt", "--allow-private", "--no-archive", "--no-store", "-o", "r"]
    code, out, err = _invoke(args, tmp_path)
    assert code == 1, err
    assert out.startswith("3 of 4 cited links (75%) are broken; the archive was not asked (--no-archive).")
    listing = out[out.index("Broken: 3 links, by document") :].splitlines()
    assert listing[1] == "a.txt"
    assert listing[2] == f"  a.txt:2 (also line 4)  dead  {site.base}/gone/1"
    assert listing[3] == "      404 Not Found"
    assert listing[4] == f"  a.txt:3  dead  {site.base}/gone/2"
    assert listing[6] == "b.txt"
    assert listing[7] == f"  b.txt:1  dead  {site.base}/gone/3"


def _broken_report(count: int) -> Report:
    from linkaudit.models import CheckResult, Link, LinkReport, Snapshot
    from linkaudit.models import Reference as Ref
    from linkaudit.status import Status

    references = []
    links = []
    for n in range(count):
        document = "first.txt" if n % 2 == 0 else "second.md"
        url = f"http://gone.example/{n}"
        reference = Ref(id=f"{document}#A{n}", document=document, text=f"Note {url}", line=10 + n, urls=(url,))
        references.append(reference)
        archive = None
        if n == 0:
            archive = Snapshot(url="https://web.archive.org/web/2012/" + url, timestamp="20120101000000",
                               original=url, archive="wayback", verified=True)  # fmt: skip
        links.append(LinkReport(
            link=Link(url=url, normalized=url, references=(reference.id,), host="gone.example"),
            result=CheckResult(url=url, normalized=url, status=Status.DEAD, http_status=404, detail="404 Not Found"),
            archive=archive,
        ))  # fmt: skip
    return Report(
        generated_at="2026-12-01T00:00:00Z", tool_version="test", documents=("first.txt", "second.md"),
        references=tuple(references), links=tuple(links), findings=(),
    )  # fmt: skip


def test_the_broken_listing_gives_details_in_the_report_language() -> None:
    import dataclasses

    import click

    from linkaudit.cli import broken_listing

    report = dataclasses.replace(_broken_report(2), lang="ru")
    lines = [click.unstyle(line).strip() for line in broken_listing(report, None)]
    assert "404 не найдена" in lines and "404 Not Found" not in lines
    english = [click.unstyle(line).strip() for line in broken_listing(_broken_report(2), None)]
    assert "404 Not Found" in english


def test_the_broken_listing_is_capped_with_a_pointer_to_the_report() -> None:
    import click

    from linkaudit.cli import LISTED, broken_listing

    lines = [click.unstyle(line) for line in broken_listing(_broken_report(LISTED + 5), "reports/linkaudit.html")]
    assert lines[0] == f"Broken: {LISTED + 5} links, by document"
    assert lines[1] == "first.txt"
    assert lines[2] == "  first.txt:10  dead  http://gone.example/0"
    assert lines[4] == "      archived copy (verified): https://web.archive.org/web/2012/http://gone.example/0"
    assert lines[-1] == "… and 5 more (see reports/linkaudit.html)"
    assert sum(1 for line in lines if line.startswith("  ") and " dead " in line) == LISTED
    first = [line for line in lines[: lines.index("second.md")] if line.startswith("  first.txt:")]
    assert len(first) == 13  # every broken link of the first document, then the second's until the cap
    short = [click.unstyle(line) for line in broken_listing(_broken_report(3), None)]
    assert short[0] == "Broken: 3 links, by document" and not short[-1].startswith("…")
    assert short.index("second.md") > short.index("first.txt")


def test_every_finished_check_advances_the_progress(tmp_path: Path, site: Site) -> None:
    """An all-OK run ends its check phase at N/N (it used to sit at 0/N), then the report phase follows."""
    from linkaudit.audit import load_documents
    from linkaudit.cli import Terminal, _run_audit, build_config

    (tmp_path / "notes.txt").write_text(_notes(site, "/ok/1", "/ok/2", "/ok/3"), encoding="utf-8")
    config, _ = build_config([str(tmp_path / "notes.txt")], allow_private=True, no_archive=True, no_store=True)
    terminal = Terminal(bar=False)
    report, code = _run_audit(config, load_documents(config.inputs), terminal)
    assert code == 0 and all(item.result.status.value == "ok" for item in report.links)
    assert terminal.stages == [["check", 3, 3]]


def _in_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, bytes]:
    """Runs linkaudit with standard error on a pseudo-terminal (as a person at a terminal sees it)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "140", "PYTHONPATH": str(ROOT / "src")}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "linkaudit", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=follower, env=env
    )
    os.close(follower)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process is gone
            break
        if not chunk:
            break
        seen += chunk
    out, _ = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, out.decode(), bytes(seen)


def test_a_terminal_sees_the_phase_and_every_check_counted_and_stdout_stays_clean(tmp_path: Path, site: Site) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/ok/1", "/ok/2", "/ok/3", "/ok/4"), encoding="utf-8")
    args = ["check", "notes.txt", "--allow-private", "--no-archive", "--no-store", "-f", "json", "-o", "-"]
    code, out, seen = _in_a_terminal(args, tmp_path)
    assert code == 0, seen.decode(errors="replace")
    assert json.loads(out)["summary"]["links"] == 4  # the bar never mixes into standard output
    text = seen.decode(errors="replace")
    assert "check" in text and "4/4" in text, text  # the phase, and the last check counted
    assert "eta" in text
    code, out, seen = _in_a_terminal([*args, "-q"], tmp_path)
    assert code == 0
    assert "4/4" not in seen.decode(errors="replace")  # quiet: no bar


def test_verbose_prints_each_result_as_it_comes(tmp_path: Path, site: Site) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/ok/1", "/gone/1"), encoding="utf-8")
    args = ["check", "notes.txt", "--allow-private", "--no-archive", "--no-store", "-o", "r", "-v"]
    code, out, err = _invoke(args, tmp_path)
    assert code == 1
    lines = err.splitlines()
    assert any(line.startswith("ok ") and line.split()[1] == f"{site.base}/ok/1" for line in lines), err
    assert any(line.startswith("dead ") and f"{site.base}/gone/1  404 Not Found" in line for line in lines), err
    stored = ["check", "notes.txt", "--allow-private", "--no-archive", "-o", "r", "-v", "--store", "la.db"]
    _invoke(stored, tmp_path)
    code, out, err = _invoke(stored, tmp_path)  # the ok link comes from the store's cache this time
    assert any(line.startswith("ok ") and line.endswith("(cached)") for line in err.splitlines()), err
    code, out, err = _invoke([*args[:-1], "-q"], tmp_path)
    assert code == 1
    assert err == "" and "wrote" not in out
    assert f"notes.txt:2  dead  {site.base}/gone/1" in out  # quiet keeps the listing


def test_fix_names_the_links_left_without_a_replacement_in_one_readable_line(
    tmp_path: Path, site: Site, closed_port: int
) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/ok/1", "/gone/1"), encoding="utf-8")
    archive = f"http://127.0.0.1:{closed_port}"
    args = ["fix", "notes.txt", "--allow-private", "--no-store", "--wayback-url", archive, "--retries", "0"]
    code, out, err = _invoke(args, tmp_path)
    assert code == 1
    assert "linkaudit: note: 127.0.0.1 could not be reached (1 lookup failed" in err
    assert "1 broken link left without a replacement: 127.0.0.1 could not be reached:\n" in err
    assert f"  notes.txt:2  dead  {site.base}/gone/1  404 Not Found" in err
    for raw in ("HTTPConnectionPool", "Max retries", "urllib3", "NewConnectionError"):
        assert raw not in out + err
    assert "0 archived copies inserted; wrote notes.fixed.txt" in out
    code, out, err = _invoke(["fix", "notes.txt", "--allow-private", "--no-store", "--no-archive"], tmp_path)
    assert code == 1
    assert "archived copies were found" not in out + err
    assert out.strip() == "1 broken link; the archive was not asked (--no-archive), so nothing was inserted; " \
        "wrote notes.fixed.txt"  # fmt: skip
    assert "left without a replacement: the archive was not asked (--no-archive)" in err


def test_the_report_notes_say_the_archive_could_not_be_reached_without_raw_client_text(
    tmp_path: Path, site: Site, closed_port: int
) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/gone/1", "/gone/2"), encoding="utf-8")
    args = [
        "check", "notes.txt", "--allow-private", "--no-store", "-f", "json", "-o", "r",
        "--wayback-url", f"http://127.0.0.1:{closed_port}", "--retries", "0",
    ]  # fmt: skip
    code, out, err = _invoke(args, tmp_path)
    assert code == 1
    notes = json.loads((tmp_path / "r" / "linkaudit.json").read_text(encoding="utf-8"))["notes"]
    assert notes == ["127.0.0.1 could not be reached (2 lookups failed; no archived copy could be looked up)"]
    from linkaudit.report.translate import translate

    assert translate(notes[0], "ru") == "127.0.0.1 недоступен (2 запроса не удались; архивные копии искать было негде)"


# --- help ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "extract", "fix", "merge", "demo"])
def test_every_help_names_its_exit_codes_and_examples(command: str) -> None:
    code, out, _ = _run(command, "--help")
    assert code == 0
    assert "Examples:" in out and "Exit codes:" in out
    assert "  0  " in out and "  2  " in out
    if command in ("check", "fix"):
        assert "  1  " in out and "  3  " in out
        assert "linkaudit.toml" in out and "[tool.linkaudit]" in out
        assert "LINKAUDIT_CHECK_FAIL_ON=confirmed" in out
        assert "HTTP_PROXY" in out


def test_help_shows_every_default_one_way() -> None:
    _, out, _ = _run("check", "--help")
    flat = " ".join(out.split())
    for shown in ("[default: html,json,md]", "[default: reports]", "[default: 64;", "[default: 4;", "[default: 20;",
                  "[default: broken]", "[default: en]", "[default: https://web.archive.org]"):  # fmt: skip
        assert shown in flat, shown
    assert "[default: (" not in flat
    _, merge_help, _ = _run("merge", "--help")
    merge_flat = " ".join(merge_help.split())
    assert "What makes the exit code 1: broken (suspect or confirmed)" in merge_flat
    assert "[default: html,json,md]" in merge_flat
    _, demo_help, _ = _run("demo", "--help")
    assert "Language of the demo's reports" in " ".join(demo_help.split())
    _, fix_help, _ = _run("fix", "--help")
    fix_flat = " ".join(fix_help.split())
    assert "each note is written in the language of the half its URL sits in" in fix_flat
    assert "PATH - reads standard input and writes the copy to standard output" in fix_flat


def test_the_command_list_shows_each_description_whole() -> None:
    _, out, _ = _run("--help")
    flat = " ".join(out.split())
    for command in main.commands.values():
        assert command.short_help and f"{command.name} {command.short_help}" in flat, command.name
    assert "..." not in out.split("Commands:")[1].split("Examples:")[0]


# --- the documents stay true to the command line -----------------------------------------------------------------


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def test_the_design_document_names_every_option_and_exit_code() -> None:
    import click

    cli_section = _section((ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8"), "## CLI")
    for name, command in main.commands.items():
        assert f"linkaudit {name}" in cli_section, name
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden or "--help" in param.opts:
                continue
            assert any(opt in cli_section for opt in param.opts), f"{name} {param.opts}"
    for code in ("`0` nothing broken", "`1` broken links found", "`2` usage or input error", "`3` the audit"):
        assert code in cli_section
    for variable in ("LINKAUDIT_<COMMAND>_<OPTION>", "HTTP_PROXY", "NO_PROXY", "LINKAUDIT_DEBUG"):
        assert variable in cli_section


def test_the_readme_settings_example_is_valid_and_links_stay_inside_the_repository(tmp_path: Path) -> None:
    import re

    from linkaudit.config import Config, read_config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    (tmp_path / "pyproject.toml").write_text(example.group(1), encoding="utf-8")
    settings = read_config(tmp_path / "pyproject.toml", cwd=tmp_path)
    config = Config().with_overrides(settings).validated()
    assert config.accept[-1] == 403 and config.headers == (("Accept-Language", "ru"),)
    assert "../" not in readme  # no link or path out of the repository
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target


def test_dash_output_for_merge_fix_and_demo(tmp_path: Path, site: Site) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/gone/1"), encoding="utf-8")
    args = ["check", "notes.txt", "--allow-private", "--no-archive", "--no-store", "-f", "json", "-o", "shard"]
    assert _invoke(args, tmp_path)[0] == 1
    code, out, err = _invoke(["merge", "shard/linkaudit.json", "-f", "md", "-o", "-"], tmp_path)
    assert code == 1
    assert out.startswith("# ") and f"{site.base}/gone/1" in out  # the Markdown report alone
    assert "notes.txt:1  dead" in err  # the listing went to standard error
    assert json.loads((tmp_path / "shard" / "linkaudit.json").read_text(encoding="utf-8"))["archive_asked"] is False
    assert "the archive was not asked (--no-archive)" in err  # carried through the JSON into the merged verdict
    code, _, err = _invoke(["merge", "shard/linkaudit.json", "-o", "-"], tmp_path)
    assert code == 2 and "name its format with -f" in err
    code, out, err = _invoke(["fix", "notes.txt", "--from-report", "shard/linkaudit.json", "-o", "-"], tmp_path)
    assert code == 1  # the dead link has no archived copy: said, and exit 1
    assert out == (tmp_path / "notes.txt").read_text(encoding="utf-8")  # the copy on standard output
    assert not (tmp_path / "-").exists()
    code, _, err = _invoke(["demo", "-o", "-"], tmp_path)
    assert code == 2 and "give -o a directory" in err


def test_a_run_that_checked_nothing_is_not_an_all_clear(tmp_path: Path, site: Site) -> None:
    (tmp_path / "notes.txt").write_text(_notes(site, "/ok/1", "/gone/1"), encoding="utf-8")
    args = ["check", "notes.txt", "--no-store", "--no-archive", "-o", "r"]
    code, _, err = _invoke(args, tmp_path)  # no --allow-private: every loopback link is skipped
    assert code == 0
    assert "linkaudit: warning: none of the 2 cited links was checked (2 skipped: private or loopback addresses " \
        "need --allow-private, or --exclude matched)" in err  # fmt: skip
    assert site.requests == []
    code, _, err = _invoke(["check", "notes.txt", "--no-store", "--no-archive", "-o", "r", "--allow-private"], tmp_path)
    assert code == 1 and "none of the" not in err


def test_archive_failures_read_as_one_line_whatever_the_client_said() -> None:
    from linkaudit.archive import ArchiveErrorKind, ArchiveUnavailable
    from linkaudit.cli import tidy_notes
    from linkaudit.report.translate import is_known

    raw = ("CDX query failed: ConnectionError: HTTPConnectionPool(host='web.archive.org', port=443): Max retries "
           "exceeded with url: /cdx/search/cdx (Caused by NewConnectionError(...: [Errno 111] Connection refused'))")
    refused = ArchiveUnavailable(raw, kind=ArchiveErrorKind.REFUSED, host="web.archive.org")
    slow = ArchiveUnavailable("CDX query failed: ReadTimeout: …", kind=ArchiveErrorKind.TIMEOUT, host="web.archive.org")

    def failed(url: str, error: ArchiveUnavailable, archive: str = "wayback") -> str:
        return f"{archive}: lookup of {url} failed: {error.readable()}"  # as archive/replacements.py notes it

    other = failed("http://c.example/", ArchiveUnavailable("CDX server answered HTTP 503", host="web.archive.org"))
    notes = [failed("http://a.example/1", refused), failed("http://a.example/2", refused),
             failed("http://b.example/", slow), other, "… and 7 more archive remark(s) like these."]  # fmt: skip
    assert "ConnectionPool" not in "".join(notes)
    assert tidy_notes(notes) == (
        "web.archive.org could not be reached (2 lookups failed; no archived copy could be looked up)",
        "web.archive.org did not answer in time (1 lookup failed; no archived copy could be looked up)",
        other,
        "… and 7 more archive remark(s) like these.",
    )
    only_refused = [failed(f"http://a.example/{n}", refused) for n in range(5)]
    tidied = tidy_notes([*only_refused, "… and 7 more archive remark(s) like these."])
    assert tidied == ("web.archive.org could not be reached (12 lookups failed; no archived copy could be looked up)",)
    assert all(is_known(note) for note in tidy_notes(notes))  # each has its Russian form
    timegate = ArchiveUnavailable(raw, kind=ArchiveErrorKind.UNREACHABLE, host="timegate.example")
    memento = tidy_notes([failed("http://a.example/1", timegate, "http://timegate.example/tg")])
    assert memento == ("timegate.example could not be reached (1 lookup failed; no archived copy could be looked up)",)


def test_the_program_sets_its_collector_once_and_still_writes_everything() -> None:
    """``linkaudit`` as a program collects young objects less often and freezes the heap at exit (skipping the
    teardown's collections); its output is still complete: the JSON printed by the program is the one the
    command gives in-process."""
    script = (
        "import atexit, gc\n"
        "from linkaudit import cli\n"
        "cli._tune_collector(); cli._tune_collector()\n"
        "print(gc.get_threshold()[0], len(cli._COLLECTOR_TUNED))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == [str(YOUNG_THRESHOLD), "1"]
    program = subprocess.run(
        [sys.executable, "-m", "linkaudit", "extract", "--format", "json", str(SAMPLE)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert program.stdout == _run("extract", "--format", "json", str(SAMPLE))[1]
    assert len(json.loads(program.stdout)["references"]) == 40


def test_extract_json_of_a_long_list_is_the_text_the_references_give(tmp_path: Path) -> None:
    """A list of more than 5,000 notes is read by worker processes, which also write its references' JSON; the
    command's output is the text that converting the references themselves gives."""
    from linkaudit.documents import load_documents
    from linkaudit.report.json import LazyList, finding_to_dict, json_chunks, reference_to_dict
    from linkaudit.spill import joined

    document = tmp_path / "notes.txt"
    document.write_text(
        "".join(
            f"{n}. «Таможенный союз, часть {n}», Новости Атырау, 3 ноября 2012 года, http://h{n % 40}.kz/doc/{n}.html "
            f"(“Customs Union, part {n}”, Weekly Atyrau, 3 November, 2012, http://h{n % 40}.kz/doc/{n}.html).\n\n"
            for n in range(1, 5_201)
        ),
        encoding="utf-8",
    )
    code, out, _ = _run("extract", str(document), "--format", "json")
    assert code == 0
    parsed = load_documents([str(document)])
    expected = {
        "schema": "linkaudit/1",
        "tool_version": __import__("linkaudit").__version__,
        "documents": [p.document.name for p in parsed],
        "references": LazyList(joined([p.references for p in parsed]), reference_to_dict),
        "findings": LazyList([f for p in parsed for f in p.findings], finding_to_dict),
    }
    assert out == "".join(json_chunks(expected))
    assert len(json.loads(out)["references"]) == 5_200


# -- leaving without the interpreter's teardown (cli._leave) ---------------------------------------------------------

_RUN_WITH_HANDLER = (
    "import atexit, sys\n"
    "import linkaudit.cli as cli\n"
    "atexit.register(lambda: print('exit handler ran', file=sys.stderr))\n"
    "sys.argv[0] = 'linkaudit'\n"
    "cli.run()\n"
)


def _program(*args: str, stdout: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", _RUN_WITH_HANDLER, *args]
    if stdout is None:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    with stdout.open("w", encoding="utf-8") as out:
        return subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120, check=False)


def test_the_program_writes_all_its_output_runs_exit_handlers_and_keeps_its_exit_code(tmp_path: Path) -> None:
    """``run`` leaves with os._exit: a long output sent to a file is whole (the streams were flushed), exit
    handlers ran, and the exit code is the command's."""
    notes = tmp_path / "notes.txt"
    notes.write_text("".join(f"{n}. http://example{n % 7}.kz/news/{n}.html\n" for n in range(1, 3001)), "utf-8")
    written = tmp_path / "out.json"
    done = _program("extract", "--format", "json", str(notes), stdout=written)
    assert done.returncode == 0, done.stderr
    assert "exit handler ran" in done.stderr
    in_process = CliRunner().invoke(main, ["extract", "--format", "json", str(notes)])
    assert written.read_text(encoding="utf-8") == in_process.output
    assert len(json.loads(written.read_text(encoding="utf-8"))["references"]) == 3000
    missing = _program("check", str(tmp_path / "missing.txt"))
    assert missing.returncode == 2 and "missing.txt" in missing.stderr and "exit handler ran" in missing.stderr
    shown = _program("--version")
    assert shown.returncode == 0 and "linkaudit, version" in shown.stdout


def test_leave_turns_each_kind_of_exit_code_into_a_status() -> None:
    code = (
        "import sys, linkaudit.cli as cli\n"
        "cli._leave(None if sys.argv[1] == 'none' else (int(sys.argv[1]) if sys.argv[1].isdigit() else sys.argv[1]))\n"
    )
    statuses = {}
    for given in ("none", "0", "1", "3", "a message"):
        done = subprocess.run([sys.executable, "-c", code, given], capture_output=True, text=True, timeout=60)
        statuses[given] = (done.returncode, done.stderr.strip())
    assert statuses == {"none": (0, ""), "0": (0, ""), "1": (1, ""), "3": (3, ""), "a message": (1, "a message")}


class _Unread(tuple):  # type: ignore[type-arg]
    """References that must not be read: iterating them fails the test."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the references were read")


def test_a_report_with_nothing_broken_lists_nothing_without_reading_its_references() -> None:
    """The broken listing of a long all-clear report (100,000 spilled references) reads none of them back."""
    import dataclasses

    from linkaudit.cli import broken_listing
    from linkaudit.status import Status

    report = _broken_report(4)
    fine = tuple(
        dataclasses.replace(item, result=dataclasses.replace(item.result, status=Status.OK, detail=None))
        for item in report.links
    )
    assert broken_listing(dataclasses.replace(report, links=fine, references=_Unread(report.references)), None) == []
    with pytest.raises(AssertionError, match="were read"):  # broken links do read them, to say where they are cited
        broken_listing(dataclasses.replace(report, references=_Unread(report.references)), None)
