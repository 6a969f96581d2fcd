"""Is the network itself broken? Seen early, from the first requests, so a dead machine never audits for hours.

Rot is a property of cited hosts, one at a time; a machine without network, or behind a proxy or captive portal
that answers for every host, fails them all alike. The watch sees every request to every cited host; once
several distinct hosts have failed at the network level (or stayed silent) while none answered, or have all
answered with one identical page, it says the run is suspect, and the checker asks the configured archive (a
host that is normally up) for the final word. Thresholds are named here, where the rule is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ..models import Page

SUSPECT_HOSTS = 5  # distinct cited hosts that must all fail (or all give one page) before the archive is asked
SILENT_AFTER = 5.0  # seconds a request may go unanswered before its host counts as failing (never past --timeout)
GRACE = 2.0  # seconds from the first request before a run may be suspected (slow first answers get a chance)
ARCHIVE_CHECK_TIMEOUT = 10.0  # the archive's own request is bounded by this (and by --timeout)
FINGERPRINT_BYTES = 64 * 1024


Fingerprint = tuple[int, str]


def fingerprint(page: Page) -> Fingerprint:
    """What a page is, independent of the host that served it: its status and a digest of its text."""
    digest = hashlib.sha1(page.text[:FINGERPRINT_BYTES].encode("utf-8", "replace"), usedforsecurity=False)
    return (page.http_status, digest.hexdigest())


@dataclass(frozen=True)
class NetworkProblem:
    """Why the run cannot be an audit: the machine is offline, or something answers for every host."""

    kind: str  # "offline" or "captive"
    detail: str


class NetworkWatch:
    """Outcomes of requests per cited host (keyed by the checker's host key), and when they look suspect."""

    def __init__(self, clock: Callable[[], float], *, timeout: float) -> None:
        self._clock = clock
        self._started: float | None = None
        self._silent_after = min(SILENT_AFTER, timeout)
        self._failed: set[str] = set()
        self._answered: set[str] = set()
        self._pages: dict[Fingerprint, set[str]] = {}
        self._in_flight: dict[str, dict[int, float]] = {}
        self._next_request = 0
        self.settled = False  # the archive answered normally: the network works, stop watching

    # -- events ------------------------------------------------------------------------------------------

    def request_started(self, host: str) -> int:
        now = self._clock()
        if self._started is None:
            self._started = now
        self._next_request += 1
        self._in_flight.setdefault(host, {})[self._next_request] = now
        return self._next_request

    def request_ended(self, host: str, request: int) -> None:
        waiting = self._in_flight.get(host)
        if waiting is not None:
            waiting.pop(request, None)
            if not waiting:
                del self._in_flight[host]

    def failed(self, host: str) -> None:
        self._failed.add(host)

    def answered(self, host: str, page: Page) -> None:
        self._answered.add(host)
        if len(self._pages) <= 1:  # past two distinct pages the web is plainly answering: stop fingerprinting
            self._pages.setdefault(fingerprint(page), set()).add(host)

    # -- judgement ---------------------------------------------------------------------------------------

    def _silent(self) -> set[str]:
        now = self._clock()
        return {
            host
            for host, waiting in self._in_flight.items()
            if waiting and now - min(waiting.values()) >= self._silent_after
        }

    def _past_grace(self) -> bool:
        return self._started is not None and self._clock() - self._started >= GRACE

    def suspect_offline(self) -> bool:
        """Several distinct hosts failed at the network level or stayed silent, and none answered anything."""
        if self.settled or self._answered or not self._past_grace():
            return False
        return self.hosts_failed() >= SUSPECT_HOSTS

    def common_page(self) -> Fingerprint | None:
        """The one page every answering host gave, when several distinct hosts gave it and nothing else."""
        if self.settled or len(self._pages) != 1:
            return None
        [(page, hosts)] = self._pages.items()
        if len(hosts) < SUSPECT_HOSTS or hosts != self._answered:
            return None
        return page

    def hosts_failed(self) -> int:
        return len(self._failed | self._silent())

    def hosts_answered(self) -> int:
        return len(self._answered)
