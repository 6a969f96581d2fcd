"""The real bilingual reference lists in /work/shared/corpus/bilingual (PDF extractions and Markdown)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.models import Document, DocumentKind, FindingKind, ParsedDocument, Reference
from linkaudit.references import parse_document

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "bilingual"
ROYALLIB = "https://royallib.com/book/beyli_alisa/ezotericheskaya_psihologiya.html"
NICOLL = "http://www.orda2000.fb38063g.bget.ru/books/nicoll/nicoll_1.htm"
CYBERLENINKA = (
    "https://cyberleninka.ru/article/n/novye-modeli-nastavnichestva-v-praktike-obucheniya-i-razvitiya-personala-"
    "zarubezhnyh-kompaniy"
)
SPRINGER = (
    "https://link.springer.com/epdf/10.1134/S1995080221110081?sharing_token=_ZSQRYSkRATco1niR87QZUckSORA_"
    "DxfnEvY7GoQybaKrBvH4DbmgZiS8DYG7N7monZtfCFnafElcXj6AI81B0m92NFkVuY04phdLd9OdQcwezDqa_h2CXjuZh2xCtlLZ4Rp1H-"
    "DTofDx5M9HEvJQ9anImIt0i3kcKgCD2UbK_Q%3D"
)
PSTA_RU = "http://psta.psiras.ru/read/psta2019_2_121-153.pdf"
PSTA_EN = "http://psta.psiras.ru/read/psta2019_2_93-119.pdf"
PSTA_RU_DOI = "https://doi.org/10.25209/2079-3316-2019-10-2-121-153"  # written "DOI: 10.25209/…"
PSTA_EN_DOI = "https://doi.org/10.25209/2079-3316-2019-10-2-93-119"


def _parse(prefix: str, kind: DocumentKind) -> ParsedDocument:
    matches = sorted(CORPUS.glob(f"{prefix}*")) if CORPUS.is_dir() else []
    if not matches:
        pytest.skip(f"corpus document {prefix} not found in {CORPUS}")
    path = matches[0]
    return parse_document(Document(path.name, kind, path.read_text(encoding="utf-8"), "utf-8"))


def _notes(parsed: ParsedDocument) -> list[Reference]:
    return [reference for reference in parsed.references if reference.list is not None]


def test_ru_en_01_six_russian_notes_paired_with_the_six_english_references() -> None:
    parsed = _parse("ru-en-01", DocumentKind.TEXT)
    notes = _notes(parsed)
    assert [(r.list, r.number) for r in notes] == [("A", str(n)) for n in range(1, 7)]
    assert all(tuple(h.lang for h in r.halves) == ("ru", "en") for r in notes)
    assert [(r.halves[0].authors, r.halves[1].authors) for r in notes] == [
        ("Бейли А.", "Bailey A."), ("Бертон Р.Э.", "Burton R.E."), ("Гурджиев Г.", "Gurdjieff G."),
        ("Гурджиев Г.", "Gurdjieff G."), ("Николл М.", "Nicholl M."), ("Успенский П.Д.", "Uspensky P.D."),
    ]
    assert [r.halves[0].date for r in notes] == ["2012", "2011", "2011", "2015", "2007", "2011"]
    assert [r.halves[1].date for r in notes] == ["2012", "2011", "2011", "2015", "2007", "2011"]


def test_ru_en_01_two_urls_recovered_across_the_page_break() -> None:
    parsed = _parse("ru-en-01", DocumentKind.TEXT)
    by_number = {r.number: r for r in _notes(parsed)}
    first, fifth = by_number["1"], by_number["5"]
    assert [h.urls for h in first.halves] == [(ROYALLIB,), (ROYALLIB,)]
    assert [h.urls for h in fifth.halves] == [(NICOLL,), (NICOLL,)]
    # the running title and the page number that fall inside note 1 are not part of it
    assert "Экономические и гуманитарные" not in first.text
    assert "93" not in first.text.split()
    assert (first.halves[0].accessed, first.halves[1].accessed) == ("2020-07-28", "2020-07-28")
    assert (fifth.halves[0].accessed, fifth.halves[1].accessed) == ("2020-08-01", "2020-08-01")
    assert {u for r in _notes(parsed) for u in r.urls} == {ROYALLIB, NICOLL}


def test_ru_en_01_all_six_markers_match_notes() -> None:
    parsed = _parse("ru-en-01", DocumentKind.TEXT)
    kinds = {f.kind for f in parsed.findings if f.reference.split("#")[1].startswith("A")}
    assert kinds == set()  # markers [1]…[6] all have notes, every note is cited, the halves agree


def test_ru_en_02_six_notes_with_bracketed_translations() -> None:
    parsed = _parse("ru-en-02", DocumentKind.TEXT)
    notes = _notes(parsed)
    assert len(notes) == 6
    assert all(tuple(h.lang for h in r.halves) == ("ru", "en") for r in notes)
    assert all(r.halves[1].text.endswith("(In Russ.)") for r in notes)
    assert [r.halves[0].date for r in notes] == ["2011", "2000", "2015", "1998", "2017", "1992"]
    assert [r.halves[1].title for r in notes][:2] == [
        "Practice and theory of individual psychology", "Motivation and motivations"
    ]
    assert notes[0].halves[0].title == "Практика и теория индивидуальной психологии"


def test_ru_en_02_hyphen_wrapped_cyberleninka_url_whole_in_both_halves() -> None:
    parsed = _parse("ru-en-02", DocumentKind.TEXT)
    fifth = next(r for r in _notes(parsed) if r.number == "5")
    assert [h.urls for h in fifth.halves] == [(CYBERLENINKA,), (CYBERLENINKA,)]
    assert fifth.halves[1].accessed == "2020-06-02"
    assert fifth.halves[0].accessed is None
    assert CYBERLENINKA in fifth.halves[0].text  # shown whole, not as the wrapped pieces
    assert {u for r in _notes(parsed) for u in r.urls} == {CYBERLENINKA}
    assert not [f for f in parsed.findings if f.reference.split("#")[1].startswith("A")]


def test_ru_en_05_markdown_russian_entry_paired_with_its_english_counterpart() -> None:
    parsed = _parse("ru-en-05", DocumentKind.MARKDOWN)
    notes = _notes(parsed)
    assert len(notes) == 2  # three bullets: one English-only entry, one Russian entry with its translation
    springer, psta = notes
    assert [h.lang for h in springer.halves] == ["en"]
    assert springer.urls == (SPRINGER,)
    assert springer.halves[0].title == "Comprehensive Internet Software Platform for Implementation of Digital Projects"
    assert [h.lang for h in psta.halves] == ["ru", "en"]
    assert [h.urls for h in psta.halves] == [(PSTA_RU, PSTA_RU_DOI), (PSTA_EN, PSTA_EN_DOI)]
    assert psta.halves[0].authors == "Е. В. Биряльцев, М. Р. Галимов, Д. Е. Демидов, А. М. Елизаров"
    assert psta.halves[1].authors == "Eugeniy V. Biryaltsev, Marat R. Galimov, Denis E. Demidov, Aleksandr M. Elizarov"
    assert [h.date for h in psta.halves] == ["2019", "2019"]
    kinds = [(f.kind, f.reference) for f in parsed.findings if f.reference in (springer.id, psta.id)]
    assert kinds == [
        (FindingKind.DOIS_DIFFER_BETWEEN_HALVES, psta.id),
        (FindingKind.URLS_DIFFER_BETWEEN_HALVES, psta.id),
    ]


@pytest.mark.parametrize("prefix", ["ru-en-01", "ru-en-02", "ru-en-05"])
def test_the_source_header_is_a_paragraph_reference_not_a_note(prefix: str) -> None:
    kind = DocumentKind.MARKDOWN if prefix == "ru-en-05" else DocumentKind.TEXT
    parsed = _parse(prefix, kind)
    paragraphs = [r for r in parsed.references if r.list is None]
    assert [r.id.split("#")[1] for r in paragraphs] == ["p1"]
    assert paragraphs[0].urls[0].startswith("http://github.com/")
