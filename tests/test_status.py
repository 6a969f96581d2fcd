from __future__ import annotations

from linkaudit.status import ExitCode, Status

DESIGN_VOCABULARY = {
    "ok", "redirected", "dead", "soft_404", "homepage_redirect", "parked", "server_error", "timeout",
    "dns_error", "connection_error", "tls_error", "blocked", "invalid", "skipped",
}
DESIGN_BROKEN = {
    "dead", "soft_404", "homepage_redirect", "parked", "dns_error", "connection_error", "tls_error",
    "server_error", "timeout",
}


def test_vocabulary_is_exactly_the_documented_one() -> None:
    assert {s.value for s in Status} == DESIGN_VOCABULARY


def test_broken_blocked_and_success_partition() -> None:
    assert {s.value for s in Status if s.is_broken} == DESIGN_BROKEN
    assert [s for s in Status if s.is_blocked] == [Status.BLOCKED]
    assert {s for s in Status if s.is_success} == {Status.OK, Status.REDIRECTED}
    for status in Status:
        assert sum([status.is_broken, status.is_blocked, status.is_success, status.is_excluded]) == 1, status


def test_exit_codes_match_design() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3]
