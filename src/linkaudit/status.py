"""The closed vocabulary of link statuses and exit codes (DESIGN.md: a promise to users and scripts).

Code matches on these members, never on message text. The predicates decide what counts as broken
(for the exit code and summaries), what is access denial rather than rot, and what looks like the
machine itself being offline.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class Status(str, Enum):
    OK = "ok"
    REDIRECTED = "redirected"
    DEAD = "dead"
    SOFT_404 = "soft_404"
    HOMEPAGE_REDIRECT = "homepage_redirect"
    PARKED = "parked"
    CONTENT_DRIFT = "content_drift"  # answers 200, but no longer carries the cited work (check/drift.py)
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    DNS_ERROR = "dns_error"
    CONNECTION_ERROR = "connection_error"
    TLS_ERROR = "tls_error"
    BLOCKED = "blocked"
    INVALID = "invalid"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return self.value

    @property
    def is_success(self) -> bool:
        """The cited page answered with a real page (possibly at another URL)."""
        return self in (Status.OK, Status.REDIRECTED)

    @property
    def is_broken(self) -> bool:
        """Counts as rot for the exit code and the summary (DESIGN.md, "Broken")."""
        return self in _BROKEN

    @property
    def is_blocked(self) -> bool:
        """Access denied: not evidence of rot, reported apart."""
        return self is Status.BLOCKED

    @property
    def is_excluded(self) -> bool:
        """Never fetched: not an http(s) URL, or excluded by configuration."""
        return self in (Status.INVALID, Status.SKIPPED)

    @property
    def is_network_failure(self) -> bool:
        """Failures that, when every host shows them, mean the machine is offline."""
        return self in (Status.DNS_ERROR, Status.CONNECTION_ERROR, Status.TIMEOUT, Status.TLS_ERROR)


_BROKEN = frozenset(
    {
        Status.DEAD,
        Status.SOFT_404,
        Status.HOMEPAGE_REDIRECT,
        Status.PARKED,
        Status.CONTENT_DRIFT,
        Status.DNS_ERROR,
        Status.CONNECTION_ERROR,
        Status.TLS_ERROR,
        Status.SERVER_ERROR,
        Status.TIMEOUT,
    }
)


class ExitCode(IntEnum):
    OK = 0
    BROKEN = 1
    USAGE = 2
    AUDIT_FAILED = 3


class FailOn(str, Enum):
    """What makes `check` exit 1."""

    BROKEN = "broken"
    CONFIRMED = "confirmed"
    NEVER = "never"

    def __str__(self) -> str:
        return self.value
