"""Inputs built to make a backtracking pattern rescan the text: each must give the right answer at once.

Every input is a few hundred kilobytes, where a pattern that rescans a run from each of its positions takes
minutes: a regression shows up as a suite that hangs here, while the assertions check the results.
"""

from __future__ import annotations

import base64
import random

import pytest

from linkaudit.models import Document, DocumentKind, ParsedDocument
from linkaudit.references import parse_document
from linkaudit.references.dates import citation_dates, find_dates
from linkaudit.references.halves import bibliographic_fields
from linkaudit.references.notes import find_markers, markdown_to_text, text_layout
from linkaudit.references.urls import find_urls, normalize_url

SIZE = 400_000


def _parse(text: str, kind: DocumentKind = DocumentKind.TEXT) -> ParsedDocument:
    return parse_document(Document("doc", kind, text, "utf-8"))


def _token(size: int) -> str:
    """A base64 run without spaces, as a pasted data blob or a PDF's embedded image leaves in its text."""
    noise = random.Random(13).randbytes(size * 3 // 4)
    return base64.b64encode(noise).decode("ascii")[:size]


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_a_huge_token_beside_a_url_in_one_paragraph(kind: DocumentKind) -> None:
    text = f"Data {_token(SIZE)} and the source http://stat.kz/report/2011.html, 3 October 2011."
    (reference,) = _parse(text, kind).references
    assert reference.urls == ("http://stat.kz/report/2011.html",)
    assert reference.halves[0].date == "2011-10-03"


def test_a_run_of_spaces_inside_a_note() -> None:
    text = "References\n1. Иванов И. Статья о союзе" + " " * SIZE + "// Вестник. 2011. http://a.kz/x\n"
    (reference,) = _parse(text).references
    assert reference.urls == ("http://a.kz/x",)
    (half,) = reference.halves
    fields = (half.authors, half.title, half.outlet, half.date)
    assert fields == ("Иванов И.", "Статья о союзе", "Вестник", "2011")


def test_spaces_where_a_city_and_publisher_may_follow() -> None:
    title = "Иванов И. Статья о союзе. М"
    assert bibliographic_fields(title + " " * SIZE + "x") == ("Иванов И.", "Статья о союзе. М x", None)
    publisher = "Иванов И. Статья о союзе. М.: Наука"
    fields = bibliographic_fields(publisher + " " * SIZE + "x, 2011")
    assert fields == ("Иванов И.", "Статья о союзе", "Наука x")
    unclosed = bibliographic_fields("Иванов И. Статья о союзе. М.: Изд" + "«" * SIZE)
    assert unclosed == ("Иванов И.", "Статья о союзе", "Изд" + "«" * SIZE)


def test_many_journal_marks_and_commas() -> None:
    marks = bibliographic_fields("Иванов И. Статья о союзе // x" * (SIZE // 29))
    assert marks == ("Иванов И.", "Статья о союзе", "x")
    commas = bibliographic_fields("Иванов И. «Статья о союзе» " + "," * SIZE + " Наука, 2011")
    assert commas == ("Иванов И.", "Статья о союзе", "Наука")


@pytest.mark.parametrize("length", [20_000, 40_000, SIZE])
def test_very_long_urls(length: int) -> None:
    url = "http://site.kz/" + "a" * length
    text = f"1. Note {url}, 2011\n2. Next http://b.kz/x\n"
    assert [found.url for found in find_urls(text)] == [url, "http://b.kz/x"]
    assert normalize_url(url) == url
    first, second = _parse(text).references
    assert first.urls == (url,)
    assert second.urls == ("http://b.kz/x",)


def test_headings_and_markers_beside_long_runs() -> None:
    text = "#" + " " * SIZE + "x\n" + "Литература" + " " * SIZE + "x\n" + " " * SIZE + "y\n1. a http://a.kz/x"
    layout = text_layout(text)
    assert [entry.text for entry in layout.lists[0].entries] == ["a http://a.kz/x"]
    row = _token(SIZE) + " http://a.kz/x [7] " + ":" * SIZE + " [8]"
    assert [marker.label for marker in find_markers(row)] == ["7", "8"]


def test_markdown_candidates_that_never_close() -> None:
    assert markdown_to_text("![a](" * (SIZE // 5)) == "![a](" * (SIZE // 5)
    assert markdown_to_text("[a](x" * (SIZE // 5)) == "[a](x" * (SIZE // 5)
    assert markdown_to_text("<http://" * (SIZE // 8)) == "<http://" * (SIZE // 8)
    tags = "<a" * (SIZE // 2)
    assert markdown_to_text(tags + " <b>[label](http://a.kz/x)") == tags + " label http://a.kz/x"


def test_thousands_of_dates_and_access_phrases() -> None:
    count = SIZE // 14
    assert len(find_dates("3 ноября 2012 " * count)) == count
    assert citation_dates("accessed 2011 " * count) == (None, "2011")
    assert citation_dates("2010 " * count + "accessed 2011") == ("2010", "2011")


def test_thousands_of_paragraphs_on_one_html_line() -> None:
    count = SIZE // 80
    markup = "".join(f"<p>Source http://a.kz/{index}</p>" for index in range(count))
    references = _parse(markup, DocumentKind.HTML).references
    assert len(references) == count
    assert [reference.id for reference in references[:3]] == ["doc#p1", "doc#p1-2", "doc#p1-3"]
    assert references[-1].urls == (f"http://a.kz/{count - 1}",)


def test_deeply_nested_blocks_and_thousands_of_lists() -> None:
    depth = SIZE // 5
    (reference,) = _parse("<div>" * depth + "Source http://a.kz/deep", DocumentKind.HTML).references
    assert reference.urls == ("http://a.kz/deep",)
    count = 2_000
    markup = "".join(f"<ol><li>Source http://a.kz/{index}</li></ol>" for index in range(count))
    references = _parse(markup, DocumentKind.HTML).references
    assert [reference.urls for reference in references] == [(f"http://a.kz/{index}",) for index in range(count)]
