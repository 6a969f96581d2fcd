"""Findings about single references: repairs, halves that disagree, home pages only."""

from __future__ import annotations

import threading

from linkaudit.models import (
    Document,
    DocumentKind,
    Finding,
    FindingKind,
    FoundUrl,
    Half,
    ParsedDocument,
    Reference,
    Repair,
)
from linkaudit.references import parse_document
from linkaudit.references.findings import reference_findings


def _reference(
    *halves: Half, found: tuple[FoundUrl, ...] = (), ibid_of: str | None = None, text: str = ""
) -> Reference:
    urls = tuple(dict.fromkeys(url for half in halves for url in half.urls))
    return Reference("d.txt#A1", "d.txt", text, 1, "A", "1", ibid_of, halves, urls, found)


def _kinds(findings: list[Finding]) -> list[FindingKind]:
    return [finding.kind for finding in findings]


def test_dates_differ_between_halves_only_when_they_conflict() -> None:
    deep = ("http://site.kz/a/1",)
    conflicting = _reference(
        Half("ru", "ru", date="2012-05-09", urls=deep), Half("en", "en", date="2012-05-19", urls=deep)
    )
    (finding,) = reference_findings(conflicting)
    assert finding.kind is FindingKind.DATES_DIFFER_BETWEEN_HALVES
    assert "the Russian half 2012-05-09, the English half 2012-05-19" in finding.message
    coarser = _reference(
        Half("ru", "ru", date="2012", urls=deep), Half("en", "en", date="2012-05-19", urls=deep)
    )
    assert reference_findings(coarser) == []


def test_url_in_one_half_only_and_urls_that_differ() -> None:
    one = _reference(Half("ru", "ru"), Half("en", "en", urls=("http://zonakz.net/a/1",)))
    assert _kinds(reference_findings(one)) == [FindingKind.URL_ONLY_IN_ONE_HALF]
    differ = _reference(
        Half("ru", "ru", urls=("http://news.nur.kz/217304.html",)), Half("en", "en", urls=("http://news.nur.kz/1.html",))
    )
    assert _kinds(reference_findings(differ)) == [FindingKind.URLS_DIFFER_BETWEEN_HALVES]
    # the same page written differently is no difference
    same = _reference(Half("ru", "ru", urls=("http://Site.kz/a",)), Half("en", "en", urls=("http://site.kz:80/a",)))
    assert reference_findings(same) == []


def test_same_language_halves_are_named_by_position() -> None:
    reference = _reference(Half("ru", "a", urls=("http://site.kz/x",)), Half("ru", "b"))
    (finding,) = reference_findings(reference)
    assert "the first half cites http://site.kz/x but the second half cites no URL" in finding.message


def test_homepage_only_lists_every_homepage_once_per_reference() -> None:
    reference = _reference(Half("ru", "ru", urls=("http://izvestia.ru", "http://www.russianmission.eu/en/")))
    (finding,) = reference_findings(reference)
    assert finding.kind is FindingKind.HOMEPAGE_ONLY
    assert "http://izvestia.ru, http://www.russianmission.eu/en/" in finding.message
    mixed = _reference(Half("ru", "ru", urls=("http://izvestia.ru", "http://izvestia.ru/news/1")))
    assert reference_findings(mixed) == []


def test_repairs_become_findings() -> None:
    text = "Radio Libertyhttp://rus.azattyq.org/a/1 and www.spik.kz/?id=1"
    found = (
        FoundUrl("http://rus.azattyq.org/a/1", "http://rus.azattyq.org/a/1", 13, 39, (Repair.GLUED,)),
        FoundUrl("http://www.spik.kz/?id=1", "www.spik.kz/?id=1", 44, 61, (Repair.SCHEME_ADDED,)),
    )
    reference = _reference(Half("en", text, urls=tuple(f.url for f in found)), found=found, text=text)
    findings = reference_findings(reference)
    assert _kinds(findings) == [FindingKind.GLUED_URLS, FindingKind.SCHEME_ADDED]
    assert "“Libertyhttp://rus.azattyq.org/a/1”" in findings[0].message
    assert "www.spik.kz/?id=1 without http://" in findings[1].message
    assert findings[1].url == "http://www.spik.kz/?id=1"


def test_an_ibid_gets_no_findings_of_its_own() -> None:
    reference = _reference(Half("en", "Ibid.", urls=("http://izvestia.ru",)), ibid_of="d.txt#A0")
    assert reference_findings(reference) == []


def test_twenty_thousand_glued_urls_on_one_line_parse_in_linear_time() -> None:
    """Issue 11: 8,000 glued URLs took 58 s (each glued URL rescanned the whole run). A guard, not a timing."""
    text = "1. Note " + "".join(f"http://site{i}.kz/page{i}" for i in range(20_000)) + "\n"
    done: list[ParsedDocument] = []
    worker = threading.Thread(
        target=lambda: done.append(parse_document(Document("d.txt", DocumentKind.TEXT, text, "utf-8"))),
        daemon=True,
    )
    worker.start()
    worker.join(30)
    assert done, "parsing 20,000 glued URLs did not finish in 30 s"
    (reference,) = done[0].references
    assert len(reference.urls) == 20_000
    glued = [f for f in done[0].findings if f.kind is FindingKind.GLUED_URLS]
    assert len(glued) == 1 and len(glued[0].message) < 1_000  # the glued run is quoted, shortened


def test_halves_citing_the_same_urls_are_compared_without_normalizing_them() -> None:
    """Halves citing one tuple of URLs need no comparison of their pages or DOIs, and their names are worked
    out only for a message; a glued pair is still told apart from the same URLs written separately."""
    urls = ("http://site.kz/a", "https://doi.org/10.1000/x")
    same = _reference(Half("ru", "ru", urls=urls), Half("en", "en", urls=urls))
    assert reference_findings(same) == []
    dois = _reference(
        Half("ru", "ru", urls=("https://doi.org/10.1000/x",)), Half("en", "en", urls=("https://doi.org/10.1000/y",))
    )
    assert _kinds(reference_findings(dois)) == [FindingKind.DOIS_DIFFER_BETWEEN_HALVES]
    assert "the Russian half https://doi.org/10.1000/x; the English half" in reference_findings(dois)[0].message
    pair = ("http://izvestia.ru", "http://www.russianmission.eu")
    glued = "http://izvestia.ruhttp://www.russianmission.eu"
    text = f"ru {glued} en http://izvestia.ru или http://www.russianmission.eu"
    found = (
        FoundUrl(pair[0], pair[0], 3, 21, (Repair.GLUED,)),
        FoundUrl(pair[1], pair[1], 21, 3 + len(glued), (Repair.GLUED,)),
    )
    written = _reference(Half("ru", f"ru {glued}", urls=pair), Half("en", "en", urls=pair), found=found, text=text)
    kinds = _kinds(reference_findings(written))
    assert FindingKind.URLS_DIFFER_BETWEEN_HALVES in kinds
