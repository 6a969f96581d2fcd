"""find_urls measured on linkify-it's own fixtures (links.txt, not_links.txt), read as linkify-it's test suite
reads them, so that the repairs around the detector are known not to cost it its accuracy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from linkaudit.references.urls import find_urls

CORPUS = Path(__file__).parents[3] / "shared" / "corpus" / "linkify-it"
MINIMUM_PASS_RATE = 0.97

pytestmark = pytest.mark.skipif(
    not (CORPUS / "links.txt").is_file(), reason=f"linkify-it fixtures not found in {CORPUS}"
)


@dataclass(frozen=True)
class Case:
    line_number: int
    text: str
    expected: str | None  # None: the line must yield no URL


def _uncomment(line: str) -> str:
    return re.sub(r"^%.*", "", line)


def link_cases() -> list[Case]:
    """Each non-blank line holds a link; when the next line is non-blank too, it is the expected link."""
    lines = (CORPUS / "links.txt").read_text(encoding="utf-8").splitlines()
    cases: list[Case] = []
    skip_next = False
    for index, raw_line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        line = _uncomment(raw_line)
        if not line.strip():
            continue
        following = _uncomment(lines[index + 1]) if index + 1 < len(lines) else ""
        if following.strip():
            cases.append(Case(index + 1, line, following))
            skip_next = True
        else:
            cases.append(Case(index + 1, line, line))
    return cases


def not_link_cases() -> list[Case]:
    lines = (CORPUS / "not_links.txt").read_text(encoding="utf-8").splitlines()
    return [Case(index + 1, line, None) for index, line in enumerate(lines) if _uncomment(line).strip()]


def is_plain_email(expected: str) -> bool:
    """An e-mail address without ``mailto:``: find_urls leaves those out on purpose."""
    return "@" in expected and re.match(r"[a-z][a-z0-9+.\-]*:", expected, re.IGNORECASE) is None


def is_bare_domain(expected: str) -> bool:
    """No scheme, no ``www.``, no path: in citations usually an outlet's name (``News.uz``)."""
    if re.match(r"(?:[a-z][a-z0-9+.\-]*:|//)", expected, re.IGNORECASE):
        return False
    return not expected.lower().startswith("www.") and not re.search(r"[/?#]", expected)


def passes(case: Case, *, bare_domains: bool) -> bool:
    found = find_urls(case.text, bare_domains=bare_domains)
    if case.expected is None:
        return not found
    return bool(found) and found[0].raw == case.expected


def measure(cases: list[Case], *, bare_domains: bool) -> tuple[float, list[Case]]:
    failures = [case for case in cases if not passes(case, bare_domains=bare_domains)]
    return 1 - len(failures) / len(cases), failures


def describe(rate: float, cases: list[Case], failures: list[Case], skipped: dict[str, int]) -> str:
    skipped_text = ", ".join(f"{count} {why} skipped" for why, count in skipped.items()) or "none skipped"
    failed = "; ".join(f"line {case.line_number}: {case.text.strip()!r}" for case in failures)
    return f"pass rate {rate:.3f} on {len(cases)} cases ({skipped_text}); failed: {failed or 'none'}"


def test_links_with_bare_domains_allowed() -> None:
    """linkify-it's behaviour, bare domains included: only plain e-mail cases are out of scope."""
    every = link_cases()
    cases = [case for case in every if not is_plain_email(case.expected or "")]
    rate, failures = measure(cases, bare_domains=True)
    message = describe(rate, cases, failures, {"plain e-mail": len(every) - len(cases)})
    assert len(every) - len(cases) > 0, "the fixtures hold e-mail cases: the filter must see them"
    assert rate >= MINIMUM_PASS_RATE, message


def test_links_by_default() -> None:
    """The default policy leaves bare domains out; every other link must still be found as linkify-it does."""
    every = link_cases()
    emails = [case for case in every if is_plain_email(case.expected or "")]
    bare = [case for case in every if case not in emails and is_bare_domain(case.expected or "")]
    cases = [case for case in every if case not in emails and case not in bare]
    rate, failures = measure(cases, bare_domains=False)
    message = describe(rate, cases, failures, {"plain e-mail": len(emails), "bare domain": len(bare)})
    assert rate >= MINIMUM_PASS_RATE, message


def test_bare_domains_are_left_out_by_default() -> None:
    """The skipped bare-domain cases are really left out by default, unless the context marks an address."""
    bare = [case for case in link_cases() if not is_plain_email(case.expected or "")]
    bare = [case for case in bare if is_bare_domain(case.expected or "")]
    reported = [case for case in bare if find_urls(case.text)]
    assert bare, "the fixtures hold bare-domain cases"
    # Only an address in angle brackets or under a non-ASCII top-level domain is reported by default.
    assert all("<" in case.text or not (case.expected or "").isascii() for case in reported), reported


@pytest.mark.parametrize("bare_domains", [False, True], ids=["default", "bare_domains"])
def test_not_links(bare_domains: bool) -> None:
    cases = not_link_cases()
    rate, failures = measure(cases, bare_domains=bare_domains)
    assert rate >= MINIMUM_PASS_RATE, describe(rate, cases, failures, {})
