"""The note parser never raises, keeps ids unique, and only reports URLs that are in the document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.models import Document, DocumentKind
from linkaudit.references import parse_document
from linkaudit.references.urls import find_urls, normalize_url

_PIECES = st.sampled_from(
    [
        "1. ", "2. ", "3) ", "[1] ", "[2] ", "[^1]: ", "¹ ", "- ", "Ibid.", "Там же.", "Литература\n", "References\n",
        "http://site.kz/a-", "\n   b.html", "www.example.org/p?q=1", "http://izvestia.ruhttp://x.ru", "«", "»",
        "“", "”", "(", ")", "[", "]", "3 ноября 2012 года", "October 3, 2011", "26.05.2011", "Каримов", "Karimov",
        "қазан", "\n", "\n\n", "\f", "   ", "42", "<a href='http://a.kz/x'>a</a>", "<ol><li>", "</li></ol>",
        "[URL](http://md.kz/1)", "https:   //doi.org/10.1/x", "Режим доступа: ", "(In Russ.)",
    ]
)
_DOCUMENTS = st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=60).map("".join)
_KINDS = st.sampled_from(list(DocumentKind))


def _comparable(url: str) -> str:
    try:
        return normalize_url(url)
    except ValueError:
        return url


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_DOCUMENTS, kind=_KINDS)
def test_parse_document_never_raises_and_stays_consistent(text: str, kind: DocumentKind) -> None:
    parsed = parse_document(Document("fuzz", kind, text, "utf-8"))
    ids = [reference.id for reference in parsed.references]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for finding in parsed.findings:
        if finding.kind.value not in ("marker_without_note", "note_without_marker"):
            assert finding.reference in known
    for reference in parsed.references:
        half_urls = {url for half in reference.halves for url in half.urls}
        assert half_urls <= set(reference.urls) or reference.ibid_of is not None
        if reference.ibid_of is not None:
            assert reference.ibid_of in known
        for found in reference.found:
            assert reference.text[found.start : found.end] == found.raw
    if kind is DocumentKind.TEXT:
        in_document = {_comparable(found.url) for found in find_urls(text)}
        for reference in parsed.references:
            assert {_comparable(url) for url in reference.urls} <= in_document
