"""The seed bibliography (examples/notes.txt), note by note: halves, URLs, dates, Ibid. and findings.

The expectations were written by reading the notes, not by running the parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.models import Document, DocumentKind, FindingKind, ParsedDocument, Reference
from linkaudit.references import parse_document

G = FindingKind.GLUED_URLS
S = FindingKind.SCHEME_ADDED
ONE = FindingKind.URL_ONLY_IN_ONE_HALF
DIFF = FindingKind.URLS_DIFFER_BETWEEN_HALVES
HOME = FindingKind.HOMEPAGE_ONLY
LD = FindingKind.LISTS_DISAGREE

IZ = "http://izvestia.ru"
RM = "http://www.russianmission.eu"
BIS = "http://bisnews.kz"
ZP = "http://www.zp.kz"
CE = "http://customsexpert.ru"
TJ = "http://news.tj/ru"
UZ = "http://www.12news.uz"
AZ = "http://rus.azattyq.org"
TAS = "http://www.taszhargan.info"
CAM = "http://camonitor.com"
CAM_DEEP = "http://camonitor.com/archives/4070"
SPIK = "http://www.spik.kz"
SPIK_DEEP = "http://www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588"
NUR = "http://news.nur.kz"
NUR_DEEP = "http://news.nur.kz/217304.html"
VK = "http://vecher.kz"
VK_DEEP = "http://vecher.kz/node/1259"
ZONA = "http://zonakz.net"
BN = "http://www.bnews.kz"

# id: (languages of the halves, URLs of each half, date of each half, ibid_of, finding kinds)
Expectation = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str | None, ...], str | None, set[FindingKind]]
SEED: dict[str, Expectation] = {
    "A1": (("en",), ((),), ("2009",), None, set()),
    "A2": (("ru", "en"), ((IZ,), (IZ, RM)), ("2011-10-03", "2011-10-03"), None, {DIFF, HOME}),
    "A3": (("ru", "en"), ((BIS,), (BIS,)), ("2012-11-03", "2012-11-03"), None, {HOME}),
    "A4": (("ru", "en"), ((ZP,), (ZP,)), ("2010-06-10", "2010-06-10"), None, {HOME}),
    "A5": (("ru", "en"), ((CE,), (CE,)), ("2011-11-09", "2011-11-09"), None, {HOME}),
    "A6": (("ru", "en"), ((TJ,), (TJ,)), ("2011-10-31", "2011-10-31"), None, {HOME, LD}),
    "A7": (("ru", "en"), ((UZ,), (UZ,)), ("2013-04-15", "2013-04-15"), None, {HOME, LD}),
    "A8": (("ru", "en"), ((AZ,), (AZ,)), ("2012-02-14", "2012-02-14"), None, {G, HOME, LD}),
    "A9": (("ru", "en"), ((TAS,), (TAS,)), ("2010-04-07", "2010-04-07"), None, {HOME, LD}),
    "A10": (("ru", "en"), ((AZ,), (AZ,)), ("2010-03-26", "2010-03-26"), None, {HOME, LD}),
    "A11": (("ru", "en"), ((CAM,), (CAM,)), ("2012-05-24", "2012-05-24"), None, {HOME, LD}),
    "A12": (("ru", "en"), ((SPIK,), (SPIK,)), ("2012-09-27", "2012-09-27"), None, {S, HOME, LD}),
    "A13": (("ru", "en"), ((NUR,), (NUR,)), ("2012-05-09", "2012-05-09"), None, {HOME, LD}),
    "A14": (("en",), ((),), ("2010",), None, {LD}),
    "A15": (("ru", "en"), ((VK,), (VK,)), ("2011-05-26", "2011-05-26"), None, {HOME, LD}),
    "A16": (("ru", "en"), ((), ()), ("2012", "2012"), None, {LD}),
    "A17": (("ru", "en"), ((ZONA,), (ZONA,)), ("2010-10-13", "2010-10-13"), None, {HOME, LD}),
    "B1": (("en",), ((),), ("2009",), None, set()),
    "B2": (("ru", "en"), ((IZ, RM), (IZ, RM)), ("2011-10-03", "2011-10-03"), None, {G, DIFF, HOME}),
    "B3": (("ru", "en"), ((BIS,), (BIS,)), ("2012-11-03", "2012-11-03"), None, {HOME}),
    "B4": (("ru", "en"), ((ZP,), (ZP,)), ("2010-06-10", "2010-06-10"), None, {HOME}),
    "B5": (("ru", "en"), ((CE,), (CE,)), ("2011-11-09", "2011-11-09"), None, {HOME}),
    "B6": (("en",), ((),), (None,), "B5", set()),
    "B7": (("ru", "en"), ((BN,), (BN,)), ("2012-11-28", "2012-11-28"), None, {HOME}),
    "B8": (("ru", "en"), ((TJ,), (TJ,)), ("2011-10-31", "2011-10-31"), None, {HOME}),
    "B9": (("en",), ((),), (None,), "B8", set()),
    "B10": (("ru", "en"), ((UZ,), (UZ,)), ("2013-04-15", "2013-04-15"), None, {HOME}),
    "B11": (("ru", "en"), ((AZ,), ()), ("2012-02-14", "2012-02-14"), None, {ONE, HOME}),
    "B12": (("ru", "en"), ((TAS,), (TAS,)), ("2010-04-07", "2010-04-07"), None, {HOME}),
    "B13": (("ru", "en"), ((AZ,), (AZ,)), ("2010-03-26", "2010-03-26"), None, {HOME}),
    "B14": (("ru", "en"), ((CAM_DEEP,), (CAM_DEEP,)), ("2012-05-24", "2012-05-24"), None, set()),
    "B15": (("en",), ((),), (None,), "B14", set()),
    "B16": (("en",), ((),), (None,), "B14", set()),
    "B17": (("ru", "en"), ((SPIK_DEEP,), (SPIK_DEEP,)), ("2012-09-27", "2012-09-27"), None, {S}),
    "B18": (("ru", "en"), ((NUR_DEEP,), (NUR,)), ("2012-05-09", "2012-05-09"), None, {DIFF}),
    "B19": (("en",), ((),), ("2010",), None, set()),
    "B20": (("ru", "en"), ((VK_DEEP,), (VK_DEEP,)), ("2011-05-26", "2011-05-26"), None, set()),
    "B21": (("ru", "en"), ((), ()), ("2012", "2012"), None, set()),
    "B22": (("ru", "en"), ((), (ZONA,)), ("2010-10-13", "2010-10-13"), None, {ONE, HOME}),
    "B23": (("ru", "en"), ((), (VK,)), ("2010-04-13", "2010-04-13"), None, {ONE, HOME}),
}

# Lists A and B cite the same sources; from A6 on, B numbers them differently (B6, B9, B15, B16 are "Ibid.",
# B7 and B23 are not in A).
DRIFT = {"A6": "B8", "A7": "B10", "A8": "B11", "A9": "B12", "A10": "B13", "A11": "B14", "A12": "B17",
         "A13": "B18", "A14": "B19", "A15": "B20", "A16": "B21", "A17": "B22"}


@pytest.fixture(scope="module")
def parsed() -> ParsedDocument:
    path = Path(__file__).resolve().parents[2] / "examples" / "notes.txt"
    return parse_document(Document("notes.txt", DocumentKind.TEXT, path.read_text(encoding="utf-8"), "utf-8"))


def _by_id(parsed: ParsedDocument) -> dict[str, Reference]:
    return {reference.id.split("#", 1)[1]: reference for reference in parsed.references}


def test_forty_notes_in_two_lists_in_reading_order(parsed: ParsedDocument) -> None:
    ids = [reference.id for reference in parsed.references]
    assert ids == [f"notes.txt#A{n}" for n in range(1, 18)] + [f"notes.txt#B{n}" for n in range(1, 24)]
    assert all(reference.document == "notes.txt" for reference in parsed.references)
    by_id = _by_id(parsed)
    assert (by_id["A1"].list, by_id["A1"].number, by_id["A1"].line) == ("A", "1", 1)
    assert (by_id["B1"].list, by_id["B1"].number, by_id["B1"].line) == ("B", "1", 37)
    assert by_id["B12"].line == 60  # after the two blank lines that end B11


@pytest.mark.parametrize("note", list(SEED))
def test_note(parsed: ParsedDocument, note: str) -> None:
    languages, urls, dates, ibid, kinds = SEED[note]
    reference = _by_id(parsed)[note]
    assert tuple(half.lang for half in reference.halves) == languages
    assert tuple(half.urls for half in reference.halves) == urls
    assert tuple(half.date for half in reference.halves) == dates
    assert reference.ibid_of == (f"notes.txt#{ibid}" if ibid else None)
    found_kinds = [finding.kind for finding in parsed.findings if finding.reference == reference.id]
    assert set(found_kinds) == kinds
    assert len(found_kinds) == len(kinds)  # one finding of each kind per reference
    if ibid is None:
        expected_urls = tuple(dict.fromkeys(url for half in urls for url in half))
        assert reference.urls == expected_urls


def test_ibid_cites_the_urls_of_the_note_it_repeats(parsed: ParsedDocument) -> None:
    by_id = _by_id(parsed)
    assert by_id["B6"].urls == (CE,)
    assert by_id["B9"].urls == (TJ,)
    assert by_id["B15"].urls == by_id["B16"].urls == (CAM_DEEP,)
    assert by_id["B6"].halves[0].text == "Ibid."


def test_lists_disagree_once_per_drifting_pair(parsed: ParsedDocument) -> None:
    drift = [f for f in parsed.findings if f.kind is FindingKind.LISTS_DISAGREE]
    assert {f.reference.split("#")[1] for f in drift} == set(DRIFT)
    assert len(drift) == len(DRIFT)
    for finding in drift:
        first = finding.reference.split("#")[1]
        assert finding.message.startswith(f"{first} and {DRIFT[first]} cite the same source")
    karimov = next(f for f in drift if f.reference == "notes.txt#A6")
    assert "Б. Каримов, «Таджикистан…»" in karimov.message
    assert "B6 is “Ibid.” of B5" in karimov.message


def test_repairs_are_reported_with_what_was_written(parsed: ParsedDocument) -> None:
    messages = {(f.kind, f.reference): f.message for f in parsed.findings}
    assert "http://izvestia.ruhttp://www.russianmission.eu" in messages[(G, "notes.txt#B2")]
    assert "Libertyhttp://rus.azattyq.org" in messages[(G, "notes.txt#A8")]
    assert "www.spik.kz/?tpl=print" in messages[(S, "notes.txt#B17")]
    assert "English half cites http://zonakz.net" in messages[(ONE, "notes.txt#B22")]
    assert "Russian half cites no URL" in messages[(ONE, "notes.txt#B22")]
    assert NUR_DEEP in messages[(DIFF, "notes.txt#B18")]
    # The glued pair of the Russian half against "… or …" in the English half (the example).
    assert messages[(DIFF, "notes.txt#B2")].startswith(
        "Note B2: the Russian half glues http://izvestia.ru and http://www.russianmission.eu into one address"
    )
    assert "the English half gives them as separate addresses" in messages[(DIFF, "notes.txt#B2")]


def test_no_marker_findings_for_a_bare_bibliography(parsed: ParsedDocument) -> None:
    kinds = {f.kind for f in parsed.findings}
    assert FindingKind.NOTE_WITHOUT_MARKER not in kinds
    assert FindingKind.MARKER_WITHOUT_NOTE not in kinds
    assert FindingKind.IBID_UNRESOLVED not in kinds
    assert FindingKind.DATES_DIFFER_BETWEEN_HALVES not in kinds


@pytest.mark.parametrize(
    ("note", "half", "authors", "title", "outlet"),
    [
        ("A1", 0, "J. Mankoff (eds.)", "Russian Foreign Policy: The Return of Great Power Politics",
         "Rowman & Littlefield"),
        ("A2", 0, "В. Путин", "Новый интеграционный проект для Евразии — будущее, которое рождается сегодня",
         "Газета «Известия»"),
        ("A2", 1, "Vladimir Putin", "A new integration project for Eurasia: The future in the making", "Izvestia"),
        ("A4", 0, None, "Таможенный Союз Казахстана, России и Белоруссии", "Западный проект"),  # «…»“
        ("A5", 0, None, "Нерешенные проблемы Таможенного союза. Взгляд Казахстана", "Customs expert.ru"),
        ("A8", 1, "L. Tanaeva", "Russia regains its position in Central Asia", "Radio Liberty"),
        ("A9", 1, None, "We are for integration, but not in Russia’s interests", "Newspaper Public Position"),  # «…”
        ("A11", 0, "Кенже Татиля", "Стоит ли Казахстану сближаться с Россией? И с какой Россией?", None),
        ("A15", 1, "A. Gribanov", "The Chinese Puzzle", "Evening Almaty"),  # no opening quote at all
        ("A16", 1, None, "China through the eyes of Kazakhstan", "AlmatyKISS under the President of Kazakhstan"),
        ("A17", 0, "В. Юрицын",
         "Б. Султанов: “Независимо от этнического состава в Казахстане Россия останется естественным партнером”",
         "Интернет-газета Zona.kz"),  # « never closed
        ("B20", 1, "A. Gribanov", "The Chinese Puzzle", "Evening Almaty"),  # “…“
    ],
)
def test_bibliographic_fields(
    parsed: ParsedDocument, note: str, half: int, authors: str | None, title: str, outlet: str | None
) -> None:
    described = _by_id(parsed)[note].halves[half]
    assert (described.authors, described.title, described.outlet) == (authors, title, outlet)


def test_half_texts_are_the_note_split_at_the_translation(parsed: ParsedDocument) -> None:
    b2 = _by_id(parsed)["B2"]
    assert b2.halves[0].text.startswith("В. Путин. «Новый")
    assert b2.halves[0].text.endswith("http://izvestia.ruhttp://www.russianmission.eu")
    assert b2.halves[1].text.startswith("Vladimir Putin. “A new")
    assert b2.halves[1].text.endswith("http://izvestia.ru or http://www.russianmission.eu")
