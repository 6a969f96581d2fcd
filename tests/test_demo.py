"""`linkaudit demo` in a loopback-only network namespace: the whole product works and nothing leaves loopback."""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linkaudit.demo.sites import expected_statuses

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


def _netns_available() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


needs_netns = pytest.mark.skipif(not _netns_available(), reason="needs unshare -n (root or user namespaces)")


def _in_loopback_namespace(args: list[str], log: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = cwd / "hooked_cli.py"
    script.write_text(_HOOKED_CLI, encoding="utf-8")
    command = " ".join(_quote(part) for part in [sys.executable, str(script), str(log), *args])
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", f"ip link set lo up && {command}"],
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
    data = json.loads((out / "linkaudit.json").read_text(encoding="utf-8"))
    statuses = {link["url"]: link["status"] for link in data["links"]}
    assert statuses == {url: status.value for url, status in expected_statuses().items()}
    every_status_but_config = {
        "ok", "redirected", "dead", "soft_404", "homepage_redirect", "parked", "server_error", "timeout",
        "dns_error", "connection_error", "tls_error", "blocked",
    }  # fmt: skip
    assert set(statuses.values()) >= every_status_but_config
    verified = [link for link in data["links"] if link["archive"] and link["archive"]["verified"]]
    assert len(verified) >= 5
    for link in verified:  # the capture chosen is the closest before the cited date when one exists
        assert link["status"] in every_status_but_config
    assert any(link["confirmed"] for link in data["links"]), "three runs over six days confirm what stays broken"
    kinds = {finding["kind"] for finding in data["findings"]}
    assert {"glued_urls", "scheme_added", "url_only_in_one_half", "homepage_only", "lists_disagree"} <= kinds
    for name in ("linkaudit.html", "linkaudit.md", "linkaudit.csv"):
        assert (out / name).stat().st_size > 0
    connects = [line for line in log.read_text(encoding="utf-8").splitlines() if '"connect"' in line]
    assert connects, "the audit hook saw no connection at all: the leak check would prove nothing"
    assert _remote_activity(log) == []


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
