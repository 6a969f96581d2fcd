"""`linkaudit demo` in a loopback-only network namespace: it shows every status, finding and archive case, and
nothing leaves loopback (the private address the demo article cites is never connected to)."""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linkaudit.demo.run import DemoOutputError, run_demo
from linkaudit.demo.sites import CAPTURES, PRIVATE_URL, SPIK_PRINT, ArchivedCopy, demo_statuses

# The vocabularies of DESIGN.md, written out here so that the demo is held to the document, not to the code.
DESIGN_STATUSES = {
    "ok", "redirected", "dead", "soft_404", "homepage_redirect", "parked", "server_error", "timeout",
    "dns_error", "connection_error", "tls_error", "blocked", "invalid", "skipped", "content_drift",
}  # fmt: skip
DESIGN_FINDINGS = {
    "glued_urls", "scheme_added", "url_only_in_one_half", "urls_differ_between_halves",
    "dates_differ_between_halves", "homepage_only", "ibid_unresolved", "lists_disagree", "marker_without_note",
    "note_without_marker",
}  # fmt: skip

# Each broken citation of the demo: its cited date and the capture it must get (None: never archived).
ARCHIVE_CHOICES: dict[str, tuple[str, str | None]] = {
    "http://www.russianmission.eu": ("2011-10-03", "20111001120000"),  # closest before; a nearer one is after
    "http://bisnews.kz": ("2012-11-03", "20121105120000"),  # the copy before is a soft 404: the closest after
    "http://www.zp.kz": ("2010-06-10", "20100612081500"),  # nothing before: the closest after
    "http://customsexpert.ru": ("2011-11-09", "20140705101010"),  # the only copy, years after
    "http://www.taszhargan.info": ("2010-04-07", "20100322143000"),  # the nearer copy before is a soft 404
    "http://zonakz.net": ("2010-10-13", "20101014070000"),
    f"http://www.spik.kz{SPIK_PRINT}": ("2012-09-27", "20121001110000"),
    "http://news.nur.kz/217304.html": ("2012-05-09", "20120509180100"),  # through the archived redirect
    "http://vecher.kz/node/1259": ("2011-05-26", "20110601090000"),  # the copy before is an archived 404
    "http://www.bnews.kz": ("2012-11-28", None),  # never archived
    "http://www.time.kz/news/society/2012/04/05/26741": ("2012-04-05", "20120406101500"),  # drifted: the copy
    # that still carries the cited story; a later one carries the new story
}


def _page_key(url: str) -> str:
    return url.split("://", 1)[1].rstrip("/").lower()


def _good_copies(copies: list[ArchivedCopy]) -> list[ArchivedCopy]:
    return [copy for copy in copies if copy.status == 200 and not copy.error_page]


def _capture_by_rule(url: str, cited_date: str) -> str | None:
    """The closest real page at or before the cited day, else the closest after; with no real page of the URL,
    the pages its archived redirects lead to."""
    copies = [copy for copy in CAPTURES if _page_key(copy.original) == _page_key(url)]
    good = _good_copies(copies)
    if not good:
        targets = {_page_key(copy.redirect_to) for copy in copies if copy.redirect_to}
        good = _good_copies([copy for copy in CAPTURES if _page_key(copy.original) in targets])
    day = cited_date.replace("-", "")
    before = [copy.timestamp for copy in good if copy.timestamp[:8] <= day]
    after = [copy.timestamp for copy in good if copy.timestamp[:8] > day]
    return max(before) if before else min(after) if after else None


def test_archive_choices_follow_from_the_captures_table() -> None:
    for url, (cited_date, timestamp) in ARCHIVE_CHOICES.items():
        assert _capture_by_rule(url, cited_date) == timestamp, url
    rejected = {copy.timestamp for copy in CAPTURES if copy.error_page}
    assert rejected and not rejected & {timestamp for _, timestamp in ARCHIVE_CHOICES.values()}

# Runs the CLI with an audit hook that logs every connect() and name lookup the process makes.
_HOOKED_CLI = """
import json, sys
log = open(sys.argv[1], "w", encoding="utf-8")
def hook(event, args):
    if event == "socket.connect":
        address = args[1]
        log.write(json.dumps(["connect", list(address) if isinstance(address, tuple) else str(address)]) + "\\n")
    elif event == "socket.getaddrinfo":
        log.write(json.dumps(["getaddrinfo", str(args[0])]) + "\\n")
    log.flush()
sys.addaudithook(hook)
from linkaudit.cli import main
main(sys.argv[2:])
"""


def _unshare() -> list[str] | None:
    """How to get a loopback-only network namespace here: as root ``unshare -n``, else in a user namespace."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return None
    for command in (["unshare", "-n"], ["unshare", "-rn"]):
        probe = subprocess.run([*command, "sh", "-c", "ip link set lo up"], capture_output=True, check=False)
        if probe.returncode == 0:
            return command
    return None


def _netns_available() -> bool:
    return _unshare() is not None


needs_netns = pytest.mark.skipif(not _netns_available(), reason="needs unshare -n (root or user namespaces)")


def _in_loopback_namespace(args: list[str], log: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = cwd / "hooked_cli.py"
    script.write_text(_HOOKED_CLI, encoding="utf-8")
    command = " ".join(_quote(part) for part in [sys.executable, str(script), str(log), *args])
    return subprocess.run(
        [*(_unshare() or ["unshare", "-n"]), "sh", "-c", f"ip link set lo up && {command}"],
        capture_output=True, text=True, cwd=cwd, timeout=300, check=False,
    )  # fmt: skip


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _remote_activity(log: Path) -> list[str]:
    """Every connect to a non-loopback address and every lookup of a non-loopback name."""
    leaks = []
    for line in log.read_text(encoding="utf-8").splitlines():
        kind, target = json.loads(line)
        if kind == "connect":
            if isinstance(target, list):
                host = str(target[0])
                try:
                    if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
                        leaks.append(line)
                except ValueError:
                    leaks.append(line)
        elif target not in ("localhost", "None") and not _is_loopback(target):
            leaks.append(line)
    return leaks


def _is_loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


@needs_netns
def test_demo_runs_offline_shows_every_case_and_stays_on_loopback(tmp_path: Path) -> None:
    log = tmp_path / "sockets.log"
    out = tmp_path / "demo"
    done = _in_loopback_namespace(["demo", "-o", str(out)], log, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "linkaudit.html" in done.stdout
    shown = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if "archived copy (verified): " in line]
    assert shown and all(Path(path).is_file() for path in shown)  # the listing's copies open after the demo
    data = json.loads((out / "linkaudit.json").read_text(encoding="utf-8"))
    assert data["summary"]["documents"] == 2
    statuses = {link["url"]: link["status"] for link in data["links"]}
    assert statuses == {url: status.value for url, status in demo_statuses().items()}
    assert set(statuses.values()) == DESIGN_STATUSES
    assert {finding["kind"] for finding in data["findings"]} == DESIGN_FINDINGS
    by_url = {link["url"]: link for link in data["links"]}
    drifted = {url for url, link in by_url.items() if link["title_match"] is False}
    assert drifted == {"http://www.time.kz/news/society/2012/04/05/26741"}
    moved = by_url["http://www.kisi.kz/ru/categories/geopolitika/posts/voda-kak-faktor-bezopasnosti"]
    assert (moved["status"], moved["title_match"]) == ("ok", True)
    assert moved["final_url"].startswith("https://www.kisi.kz/")
    assert by_url["http://www.russianmission.eu"]["status"] == "tls_error"  # not signed by the demo authority

    chosen = {url: link["archive"]["timestamp"] for url, link in by_url.items() if link["archive"]}
    assert chosen == {url: stamp for url, (_, stamp) in ARCHIVE_CHOICES.items() if stamp is not None}
    for url, (cited_date, _) in ARCHIVE_CHOICES.items():
        assert by_url[url]["cited_date"] == cited_date, url
        if by_url[url]["archive"]:
            assert by_url[url]["archive"]["verified"] is True, url
    redirected = by_url["http://news.nur.kz/217304.html"]["archive"]
    assert redirected["original"] == "http://www.nur.kz/217304.html"

    assert any(link["confirmed"] for link in data["links"]), "three weekly runs confirm what stays broken"
    for name in ("linkaudit.html", "linkaudit.md", "linkaudit.csv"):
        assert (out / name).stat().st_size > 0
    lines = log.read_text(encoding="utf-8").splitlines()
    connects = [line for line in lines if '"connect"' in line]
    assert connects, "the audit hook saw no connection at all: the leak check would prove nothing"
    private_host = PRIVATE_URL.split("/")[2]
    assert not [line for line in lines if private_host in line], "the private address was contacted"
    assert _remote_activity(log) == []


def test_demo_names_an_output_it_cannot_write_before_running(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the reports should go", encoding="utf-8")
    for output in (blocker, blocker / "reports"):
        with pytest.raises(DemoOutputError) as caught:
            run_demo(output)
        assert str(output) in str(caught.value)
    assert blocker.read_text(encoding="utf-8") == "a file where the reports should go"


@needs_netns
def test_offline_check_exits_3_and_keeps_the_previous_report(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    good = reports / "linkaudit.json"
    good.write_text('{"schema": "linkaudit/1", "kept": true}', encoding="utf-8")
    sample = Path(__file__).resolve().parent.parent / "examples" / "notes.txt"
    done = _in_loopback_namespace(
        ["check", str(sample), "-o", str(reports), "--store", str(tmp_path / "la.db"), "--timeout", "2"],
        tmp_path / "sockets.log",
        tmp_path,
    )
    assert done.returncode == 3, done.stderr
    assert "offline" in done.stderr
    assert "Traceback" not in done.stderr
    assert good.read_text(encoding="utf-8") == '{"schema": "linkaudit/1", "kept": true}'
    assert sorted(p.name for p in reports.iterdir()) == ["linkaudit.json"]
    from linkaudit.store import Store

    with Store(tmp_path / "la.db") as store:  # an offline run writes no broken history
        history = store.history("http://bisnews.kz/")
    assert (history.broken_runs, history.first_broken_at) == (0, None)
