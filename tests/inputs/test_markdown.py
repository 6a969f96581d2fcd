"""Markdown through markdown-it-py: inline links, autolinks, and anchors in raw HTML all found."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.inputs import read_bytes, read_file
from linkaudit.references import parse_document

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PAGE = SHARED / "corpus" / "bilingual" / "ru-en-05_rndflow-docs_literature.md"

MARKDOWN = """# Литература

<ol>
<li>Иванов И. Статья. <a href="http://example.org/a">ссылка</a></li>
<li>Petrov P. Paper. <a href="http://example.org/b">link</a></li>
</ol>

1. Text [URL](http://example.org/c) and <http://example.org/d> inline <a href="http://example.org/e">e</a>.
"""


def test_raw_html_anchors_are_cited_urls() -> None:
    document = read_bytes(MARKDOWN.encode(), "page.md", suffix=".md", path=None)
    assert document.reader == "markdown"
    references = parse_document(document).references
    urls = {url for reference in references for url in reference.urls}
    assert urls == {f"http://example.org/{letter}" for letter in "abcde"}
    owners = {url: reference.line for reference in references for url in reference.urls}
    assert owners["http://example.org/a"] == 4 and owners["http://example.org/b"] == 5


@pytest.mark.skipif(not PAGE.is_file(), reason=f"the bilingual corpus is absent ({PAGE})")
def test_real_markdown_literature_page_gives_every_cited_url() -> None:
    references = parse_document(read_file(PAGE)).references
    urls = {url for reference in references if reference.number for url in reference.urls}
    # three entries: a Springer link, two PSTA PDFs, and the two DOIs written in the text (5 in all)
    assert len(urls) == 5
    assert "http://psta.psiras.ru/read/psta2019_2_93-119.pdf" in urls


LISTS = """# Литература

<ol start="3">
<li>Иванов И. Статья. <a href="http://example.org/a">ссылка</a></li>
<li>Petrov P. Paper,
http://example.org/b2 <a href="http://example.org/b">link</a></li>
</ol>

Body text citing http://example.org/body in a paragraph.

## References

<ul>
<li>Smith J. <a href="http://example.org/u1">Report</a></li>
<li>Doe J. http://example.org/u2</li>
</ul>

## About the site

<ul>
<li>A menu item <a href="http://example.org/menu">menu</a></li>
</ul>
"""


def test_an_html_list_in_markdown_gives_numbered_notes_like_an_html_document() -> None:
    document = read_bytes(LISTS.encode(), "page.md", suffix=".md", path=None)
    references = parse_document(document).references
    numbered = [(r.list, r.number, r.line, r.urls) for r in references if r.number]
    assert numbered == [
        ("A", "3", 4, ("http://example.org/a",)),
        ("A", "4", 5, ("http://example.org/b2", "http://example.org/b")),
        ("B", "1", 14, ("http://example.org/u1",)),  # a <ul> under a references heading is a note list
        ("B", "2", 15, ("http://example.org/u2",)),
    ]
    others = {url: r.number for r in references if not r.number for url in r.urls}
    # body prose and a <ul> under another heading stay paragraphs
    assert others == {"http://example.org/body": None, "http://example.org/menu": None}


def test_footnotes_and_a_bibliography_numbering_the_same_sources_otherwise_are_not_a_drift() -> None:
    # footnotes run in the order the text calls them, the bibliography alphabetically: both are right
    text = (
        "Trade grew[^1] and tariffs rose[^2].\n\n"
        "[^1]: B. Jones, “Tariffs and the new common code”, Caspian Daily, 2013, http://caspian.kz/tariffs/7\n"
        "[^2]: A. Smith, “Border trade after the customs union”, Steppe Review, 2012, http://steppe.kz/trade/1\n\n"
        "## References\n\n"
        "1. A. Smith, “Border trade after the customs union”, Steppe Review, 2012, http://steppe.kz/trade/1\n"
        "2. B. Jones, “Tariffs and the new common code”, Caspian Daily, 2013, http://caspian.kz/tariffs/7\n"
    )
    parsed = parse_document(read_bytes(text.encode(), "paper.md", suffix=".md", path=None))
    assert len([r for r in parsed.references if r.number]) == 4
    assert not [f for f in parsed.findings if f.kind.value == "lists_disagree"]
