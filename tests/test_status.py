"""The status vocabulary and exit codes are the ones docs/DESIGN.md promises."""

from __future__ import annotations

import re
from pathlib import Path

from linkaudit.status import ExitCode, Status

DESIGN = Path(__file__).resolve().parents[1] / "docs" / "DESIGN.md"


def _design() -> str:
    return DESIGN.read_text(encoding="utf-8")


def _documented_vocabulary() -> set[str]:
    section = _design().split("## Link status vocabulary", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))


def _documented_broken() -> set[str]:
    paragraph = _design().split('"Broken" for the exit code', 1)[1].split("\n\n", 1)[0]
    listed = paragraph.split(":", 1)[1].split(". ", 1)[0]
    return set(re.findall(r"`(\w+)`", listed))


def test_vocabulary_is_exactly_the_documented_one() -> None:
    documented = _documented_vocabulary()
    assert "content_drift" in documented and "ok" in documented
    assert {s.value for s in Status} == documented


def test_broken_blocked_and_success_partition() -> None:
    assert {s.value for s in Status if s.is_broken} == _documented_broken()
    assert Status.CONTENT_DRIFT.is_broken and not Status.CONTENT_DRIFT.is_success
    assert [s for s in Status if s.is_blocked] == [Status.BLOCKED]
    assert {s for s in Status if s.is_success} == {Status.OK, Status.REDIRECTED}
    for status in Status:
        assert sum([status.is_broken, status.is_blocked, status.is_success, status.is_excluded]) == 1, status


def test_exit_codes_match_design() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3]
