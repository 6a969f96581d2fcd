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
