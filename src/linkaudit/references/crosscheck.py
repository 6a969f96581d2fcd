"""After the check: a reference that cites a work both by DOI and by a web URL, where the two lead to different
places, is a finding (``url_and_doi_differ``).

The DOI resolver sends a reader to the publisher's page; a URL cited beside it should reach that same work. When
the DOI's final page and the URL's final page are on different sites (or on one site with unrelated paths), one
of the two probably names another work or a stale copy, and only the editor can tell which. Only links that led
to a page are compared: a dead DOI or URL is its own result, not a disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from ..models import CheckResult, Finding, FindingKind, Link, Reference
from .urls import is_doi_url

# Second-level labels under which a country's sites register their names (``example.co.uk``, ``msu.ac.ru``).
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "net", "org", "or", "ne", "go", "gv", "nic", "mil"})
_ID = re.compile(r"\d")


def site_of(host: str) -> str:
    """The registrable part of ``host``, loosely: the last two labels (three under a country's ``co.``/``ac.``)."""
    labels = [label for label in host.lower().rstrip(".").split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _segments(path: str) -> list[str]:
    return [segment.lower() for segment in unquote(path).split("/") if segment]


def same_place(first: str, second: str) -> bool:
    """Whether two final URLs show the same work, loosely: one site, and paths that are one within the other or
    share an identifier (a path segment holding digits, e.g. the article number of its landing page and PDF)."""
    one, other = urlsplit(first), urlsplit(second)
    if site_of(one.hostname or "") != site_of(other.hostname or ""):
        return False
    a, b = _segments(one.path), _segments(other.path)
    if not a or not b or a[: len(b)] == b or b[: len(a)] == a:
        return True
    return bool({s for s in a if _ID.search(s)} & {s for s in b if _ID.search(s)})


def _destination(result: CheckResult | None) -> str | None:
    """Where a link led, when it led to a page (a success, or a 2xx page judged otherwise)."""
    if result is None:
        return None
    answered = result.status.is_success or (result.http_status is not None and 200 <= result.http_status <= 299)
    return (result.final_url or result.url) if answered else None


def url_and_doi_findings(
    references: Iterable[Reference], links: Sequence[Link], results: Mapping[str, CheckResult]
) -> tuple[Finding, ...]:
    """One finding per reference whose DOI leads somewhere no web URL it cites leads to (both checked)."""
    if not any(is_doi_url(link.normalized) or is_doi_url(link.url) for link in links):
        return ()  # no DOI was checked, so none led anywhere: the references (maybe spilled) are not read back
    from .findings import _label  # here, not at import: findings loads the half and note readers
    by_url: dict[str, CheckResult] | None = None  # made at the first DOI: 100,000 links citing none need none
    findings = []
    for reference in references:
        if reference.ibid_of is not None:
            continue
        dois = [url for url in reference.urls if is_doi_url(url)]
        if not dois:
            continue
        if by_url is None:
            by_url = _results_by_url(links, results)
        reached = [
            (url, final)
            for url in reference.urls
            if not is_doi_url(url) and (final := _destination(by_url.get(url))) is not None
        ]
        if not reached:
            continue
        for doi in dois:
            doi_final = _destination(by_url.get(doi))
            if doi_final is None or any(same_place(doi_final, final) for _, final in reached):
                continue
            url, url_final = reached[0]
            findings.append(
                Finding(
                    FindingKind.URL_AND_DOI_DIFFER,
                    reference.id,
                    f"{_label(reference)} cites the DOI {doi} and the URL {url}, but they lead to different places "
                    f"({doi_final} and {url_final}); check that both name the same work, or cite the one that does.",
                    url,
                )
            )
            break
    return tuple(findings)


def _results_by_url(links: Sequence[Link], results: Mapping[str, CheckResult]) -> dict[str, CheckResult]:
    """Each checked link's result under its URL as cited and as normalized."""
    by_url: dict[str, CheckResult] = {}
    for link in links:
        result = results.get(link.normalized)
        if result is not None:
            by_url[link.url] = result
            by_url[link.normalized] = result
    return by_url
