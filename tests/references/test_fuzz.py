"""Fuzzing extraction. The note parser never raises, keeps ids unique, and only reports URLs that are in the
document; and extraction from bytes (bytes -> Document -> references -> links), fed mutations of real documents,
ends without a traceback (an ``InputError`` is the one allowed refusal: a one-line message) within 5 s per input
(hypothesis's deadline). The default suite runs a hundred mutations of excerpts;
``LINKAUDIT_LONG_FUZZ=1 pytest -m slow tests/references/test_fuzz.py`` runs at least 10,000 mutations of whole
documents (README, Development).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.inputs import InputError, read_bytes
from linkaudit.links import collect_links
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


# ------------------------------------------------------------------------------------- mutated real documents

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SEEDS = [SHARED / "seed" / "notes.txt", *sorted((SHARED / "corpus" / "bilingual").glob("*"))]
LONG_RUN = os.environ.get("LINKAUDIT_LONG_FUZZ") == "1"
DEADLINE = timedelta(seconds=5)

# Fragments that have broken extractors before: scheme pieces, glued URLs, note markers, quotes, dashes, invisible
# and control characters, right-to-left marks, a BOM, CRs, broken UTF-8 and cp1251 bytes, markup.
FRAGMENTS: tuple[bytes, ...] = tuple(
    fragment.encode("utf-8") if isinstance(fragment, str) else fragment
    for fragment in (
        "http://",
        "https://",
        "www.",
        "://",
        "http://http://",
        "https://a.kz/x.htmlhttp://b.ru",
        "[1]",
        "1.",
        "[^1]:",
        "«",
        "»",
        "—",
        "–",
        "-\n",
        "\u00ad",
        "\u00a0",
        "\u200b",
        "\u202e",
        "\ufeff",
        "\x00",
        "\r",
        "\r\n\r\n",
        "\t",
        " ",
        "Литература",
        "References",
        "Там же",
        "Ibid.",
        "URL: ",
        "(дата обращения: 01.02.2020)",
        "doi:10.1000/182",
        "xn--",
        "президент.рф/",
        '<a href="',
        '">',
        "</a>",
        "<title>",
        "](",
        "[",
        ")",
        "%",
        "%%%",
        "?",
        "#",
        "@",
        "\\",
        "'",
        '"',
        "//",
        "0x7f000002",
        "[::1]",
        ":0/",
        ":99999/",
        b"\xff",
        b"\xfe\xff",
        b"\xc3\x28",
        b"\xe2\x82",
        b"\xcf\xf0\xe5\xe7\xe8\xe4\xe5\xed\xf2",  # cp1251 Президент
    )
)


def _seeds(*, excerpts: bool) -> list[bytes]:
    found = [path.read_bytes() for path in SEEDS if path.is_file()]
    if not excerpts:
        return found
    return [seed[start : start + 6000] for seed in found for start in range(0, len(seed), 6000)]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> tuple[bytes, str]:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 12))):
        size = len(data)
        where = draw(st.integers(0, size))
        kind = draw(st.sampled_from(("insert", "delete", "duplicate", "repeat", "flip", "truncate", "random")))
        if kind == "insert":
            data[where:where] = draw(st.sampled_from(FRAGMENTS))
        elif kind == "delete" and size:
            del data[where : where + draw(st.integers(1, 200))]
        elif kind == "duplicate" and size:
            data[where:where] = data[where : where + draw(st.integers(1, 2000))]
        elif kind == "repeat":
            data[where:where] = draw(st.sampled_from(FRAGMENTS)) * draw(st.integers(2, 3000))
        elif kind == "flip" and size:
            data[min(where, size - 1)] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[where:]
        else:
            data[where:where] = draw(st.binary(max_size=64))
    suffix = draw(st.sampled_from((".txt", ".md", ".html")))
    return bytes(data), suffix


def _extract(data: bytes, suffix: str) -> None:
    try:
        document = read_bytes(data, f"fuzz{suffix}", suffix=suffix, path=None)
    except InputError as error:
        message = str(error)
        assert message and "\n" not in message  # a refusal is one line naming the input
        return
    parsed = parse_document(document)
    links = collect_links([parsed])
    for link in links:
        assert link.url and link.normalized


def _run(seeds: list[bytes], examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=DEADLINE,
        derandomize=not LONG_RUN,  # the default suite is reproducible; the long run explores
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(mutated(seeds))
    def check(case: tuple[bytes, str]) -> None:
        _extract(*case)

    check()


@pytest.mark.skipif(not any(path.is_file() for path in SEEDS), reason=f"no seed documents under {SHARED}")
def test_extraction_survives_mutated_documents() -> None:
    _run(_seeds(excerpts=True), examples=100)


@pytest.mark.slow
@pytest.mark.skipif(not LONG_RUN, reason="the long fuzz run (10,000 inputs) is opt-in: set LINKAUDIT_LONG_FUZZ=1")
@pytest.mark.skipif(not any(path.is_file() for path in SEEDS), reason=f"no seed documents under {SHARED}")
def test_extraction_survives_ten_thousand_mutated_documents() -> None:
    _run(_seeds(excerpts=False), examples=10_000)
