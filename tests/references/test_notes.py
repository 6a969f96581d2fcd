"""Note lists and their numbering, page furniture, markers, Ibid., and the three input kinds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import Document, DocumentKind, FindingKind, ParsedDocument
from linkaudit.references import parse_document
from linkaudit.references.notes import (
    ListStyle,
    find_markers,
    html_layout,
    ibid_of,
    markdown_layout,
    text_layout,
)


def _parse(text: str, kind: DocumentKind = DocumentKind.TEXT, name: str = "doc.txt") -> ParsedDocument:
    return parse_document(Document(name, kind, text, "utf-8"))


def _kinds(parsed: ParsedDocument) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.reference.split("#", 1)[1]) for f in parsed.findings]


def test_wrapped_lines_starting_with_numbers_stay_in_their_note() -> None:
    text = (
        "ЛИТЕРАТУРА\n"
        "   1. Гурджиев Г. Вестник грядущего блага. М.: Энигма.\n"
        "      2011.\n"
        "   2. Николл М. Комментарии. Т. 1-\n"
        "      2. М.: Профит Стайл, 2007.\n"
        "   3. Успенский П.Д. Психология. СПб., 2011.\n"
    )
    (notes,) = text_layout(text).lists
    assert [e.number for e in notes.entries] == ["1", "2", "3"]
    assert notes.entries[0].text == "Гурджиев Г. Вестник грядущего блага. М.: Энигма.\n2011."
    assert notes.entries[1].text.endswith("2. М.: Профит Стайл, 2007.")
    assert notes.heading == "ЛИТЕРАТУРА"


def test_page_furniture_inside_an_entry_is_dropped() -> None:
    footer = "Журнал исследований № 5 2020"
    page = "\n".join(f"Текст страницы {n}, без ссылок." for n in range(3))
    text = (
        f"{page}\n\n      88\n\f   {footer}\n\n{page}\n\n      89\n\f   {footer}\n\n"
        "Список литературы\n"
        "  1. Бейли А. Психология. [Электронный ресурс]. – Режим доступа:\n\n\n"
        f"      90\n\f   {footer}\n\n\n"
        "     https://royallib.com/book/beyli.html (Дата обращения: 28.07.2020).\n"
        "  2. Бертон Р.Э. Самовоспоминание. 2011.\n"
    )
    parsed = _parse(text)
    first = parsed.references[0]
    assert first.id == "doc.txt#A1"
    assert first.urls == ("https://royallib.com/book/beyli.html",)
    assert "Журнал" not in first.text and "90" not in first.text.split()
    assert [r.id for r in parsed.references] == ["doc.txt#A1", "doc.txt#A2"]


def test_numbered_lists_in_body_text_before_a_references_heading_are_body() -> None:
    text = (
        "Steps:\n1. Open the box.\n2. Read http://example.kz/manual.html first.\n\n"
        "References\n1. Smith J. A book. 2001.\n"
    )
    parsed = _parse(text)
    assert [r.id for r in parsed.references] == ["doc.txt#A1", "doc.txt#p1"]  # the paragraph starts at "Steps:"
    assert parsed.references[1].urls == ("http://example.kz/manual.html",)


def test_list_styles() -> None:
    assert [n.style for n in text_layout("[1] One.\n[2] Two.\n").lists] == [ListStyle.BRACKETED]
    assert [n.style for n in text_layout("1) One.\n2) Two.\n").lists] == [ListStyle.PARENTHESIS]
    superscript = text_layout("¹ Первая сноска.\n² Вторая сноска.\n")
    assert [(n.style, [e.number for e in n.entries]) for n in superscript.lists] == [
        (ListStyle.SUPERSCRIPT, ["1", "2"])
    ]
    restarted = text_layout("1. A.\n2. B.\n\n1. C.\n")
    assert [len(n.entries) for n in restarted.lists] == [2, 1]


def test_markers_are_matched_to_notes() -> None:
    text = (
        "Body cites [1] and [2, с. 45] and [4; 5] and [7–8].\n\n"
        "References\n1. One, 2001.\n2. Two, 2002.\n3. Three, 2003.\n4. Four, 2004.\n5. Five, 2005.\n"
    )
    parsed = _parse(text)
    assert sorted(_kinds(parsed)) == sorted([
        (FindingKind.MARKER_WITHOUT_NOTE, "A7"),
        (FindingKind.MARKER_WITHOUT_NOTE, "A8"),
        (FindingKind.NOTE_WITHOUT_MARKER, "A3"),
    ])
    missing = next(f for f in parsed.findings if f.reference == "doc.txt#A7")
    assert "line 1" in missing.message


def test_find_markers_kinds() -> None:
    markers = find_markers("Text[^note] with¹² and [3] but not http://x.kz/[9] nor [2011].", line=4)
    assert [(m.label, m.style, m.line) for m in markers] == [
        ("3", ListStyle.BRACKETED, 4), ("note", ListStyle.FOOTNOTE, 4), ("12", ListStyle.SUPERSCRIPT, 4)
    ]


def test_ibid_forms() -> None:
    assert ibid_of("Ibid.") == (True, None)
    assert ibid_of("Там же. С. 45.") == (True, None)
    assert ibid_of("Ibidem, p. 5") == (True, None)
    assert ibid_of("Karimov, op. cit., p. 12") == (True, "Karimov")
    long_note = "Там же, где и «Новый проект», большая статья о союзе, опубликованная в газете «Известия» в 2011"
    assert ibid_of(long_note)[0] is False
    assert ibid_of("Ibidem Verlag, Stuttgart, http://ibidem.eu") == (False, None)
    assert ibid_of("Там же. http://x.kz/1") == (False, None)  # a short note citing a URL is a source of its own
    assert ibid_of("Ibid. http:\n//x.kz") == (True, None)  # a colon and slashes a line apart: no URL is cited


def test_ibid_resolution_and_unresolved_first_note() -> None:
    text = (
        "[1] Ibid.\n"
        "[2] Б. Каримов. «Таджикистан», 2011, http://news.tj/ru/news/1 (B. Karimov, “Tajikistan”, 2011).\n"
        "[3] Ibid., p. 4.\n"
        "[4] А. Грибанов. «Выбор», 2010.\n"
        "[5] Karimov, op. cit., p. 7.\n"
        "[6] Там же.\n"
    )
    parsed = _parse(text)
    by_number = {r.number: r for r in parsed.references}
    assert by_number["1"].ibid_of is None
    assert by_number["3"].ibid_of == "doc.txt#A2"
    assert by_number["3"].urls == ("http://news.tj/ru/news/1",)
    assert by_number["5"].ibid_of == "doc.txt#A2"
    assert by_number["6"].ibid_of == "doc.txt#A2"  # a chain of ibids leads to the original
    assert by_number["6"].halves[0].lang == "ru"
    assert (FindingKind.IBID_UNRESOLVED, "A1") in _kinds(parsed)
    assert len([k for k, _ in _kinds(parsed) if k is FindingKind.IBID_UNRESOLVED]) == 1


def test_paragraphs_with_urls_become_references() -> None:
    text = "Intro without links.\n\nSee http://example.kz/report.pdf and\nwww.example.org/page for more.\n\nEnd.\n"
    parsed = _parse(text)
    assert [(r.id, r.line, r.urls) for r in parsed.references] == [
        ("doc.txt#p3", 3, ("http://example.kz/report.pdf", "http://www.example.org/page"))
    ]
    assert (FindingKind.SCHEME_ADDED, "p3") in _kinds(parsed)


def test_markdown_footnotes_links_and_code() -> None:
    text = (
        "# Article\n\nA claim[^1] and another[^2] and a [link](https://example.kz/a) inline.\n\n"
        "```\nhttp://inside.code.example/ignored\n```\n\n"
        "[^1]: А. Автор, «Название», 2011, [URL](http://site.kz/article/1)\n"
        "    continued on an indented line.\n"
        "[^2]: ![logo](/img.png) <b>B. Author</b>, “Title”, 2012, <https://site.kz/b>\n"
        "[^3]: Never cited, 2013.\n"
    )
    layout = markdown_layout(text)
    (footnotes,) = layout.lists
    assert footnotes.style is ListStyle.FOOTNOTE
    assert [e.number for e in footnotes.entries] == ["1", "2", "3"]
    assert footnotes.entries[0].text.endswith("http://site.kz/article/1\ncontinued on an indented line.")
    parsed = _parse(text, DocumentKind.MARKDOWN, "doc.md")
    urls = {r.id: r.urls for r in parsed.references}
    assert urls["doc.md#A1"] == ("http://site.kz/article/1",)
    assert urls["doc.md#A2"] == ("https://site.kz/b",)
    assert urls["doc.md#p3"] == ("https://example.kz/a",)
    assert not any("inside.code" in u for us in urls.values() for u in us)
    assert parsed.references[1].halves[0].authors == "B. Author"
    assert (FindingKind.NOTE_WITHOUT_MARKER, "A3") in _kinds(parsed)


def test_html_lists_paragraphs_and_hidden_text() -> None:
    markup = """<html><head><title>t</title><script>var u = "http://script.example/x";</script></head>
<body><style>a { background: url(http://style.example/bg.png) }</style>
<p>Claim<sup>1</sup> and claim [2], see <a href="https://example.org/page">this page</a>.</p>
<h2>Литература</h2>
<ol>
<li>В. Путин, «Новый проект», 3 октября 2011, <a href="http://izvestia.ru/news/1">Известия</a>
 (V. Putin, “A new project”, 3 October 2011, <a href="http://izvestia.ru/news/1">http://izvestia.ru/news/1</a>)</li>
<li>Ibid.</li>
<li>Never cited, 2012.</li>
</ol></body></html>"""
    layout = html_layout(markup)
    (notes,) = layout.lists
    assert [e.number for e in notes.entries] == ["1", "2", "3"]
    assert notes.entries[0].line == 6
    parsed = _parse(markup, DocumentKind.HTML, "page.html")
    by_id = {r.id.split("#")[1]: r for r in parsed.references}
    assert by_id["A1"].urls == ("http://izvestia.ru/news/1",)
    assert [h.lang for h in by_id["A1"].halves] == ["ru", "en"]
    assert [h.urls for h in by_id["A1"].halves] == [("http://izvestia.ru/news/1",), ("http://izvestia.ru/news/1",)]
    assert by_id["A2"].ibid_of == "page.html#A1"
    assert by_id["p3"].urls == ("https://example.org/page",)
    assert not any("script" in u or "style" in u for r in parsed.references for u in r.urls)
    assert (FindingKind.NOTE_WITHOUT_MARKER, "A3") in _kinds(parsed)
    assert (FindingKind.NOTE_WITHOUT_MARKER, "A1") not in _kinds(parsed)


def test_ids_are_unique_even_for_repeated_labels() -> None:
    text = "[^a]: First, http://one.example/x\n[^a]: Again, http://two.example/y\n"
    parsed = _parse(text, DocumentKind.MARKDOWN, "d.md")
    assert [r.id for r in parsed.references] == ["d.md#Aa", "d.md#Aa-2"]


def test_empty_and_blank_documents() -> None:
    for text in ("", "\n\n   \n", "\f\f"):
        parsed = _parse(text)
        assert parsed.references == () and parsed.findings == ()
    assert _parse("", DocumentKind.HTML).references == ()
    assert _parse("", DocumentKind.MARKDOWN).references == ()


def test_ten_thousand_notes() -> None:
    text = "\n".join(
        f"{n}. Автор {n}. «Заголовок {n}», 3 мая 2011 года, http://site{n}.kz/page/{n} "
        f"(Author {n}, “Title {n}”, 3 May 2011, http://site{n}.kz/page/{n})."
        for n in range(1, 10_001)
    )
    parsed = _parse(text)
    assert len(parsed.references) == 10_000
    assert parsed.references[-1].id == "doc.txt#A10000"
    assert parsed.references[-1].urls == ("http://site10000.kz/page/10000",)
    assert parsed.findings == ()


def test_ten_megabytes_of_prose_without_notes() -> None:
    # Every line is read for URLs now (identical lines are no longer dropped as running titles), about 1 s per MB;
    # 10 MB keeps the suite short and still shows the stage linear on a long prose-only input.
    line = "Lorem ipsum dolor sit amet 1. consectetur [3] adipiscing elit, sed do eiusmod tempor.\n"
    text = (line * (10_000_000 // len(line) + 1))[:10_000_000]
    parsed = _parse(text)
    assert parsed.references == ()
    assert parsed.findings == ()  # markers without any note list point nowhere


def test_a_page_break_inside_a_line_still_ends_it() -> None:
    """Found by fuzzing: `…/x<FF>1. ` must not glue the URL to the next note's number."""
    from linkaudit.models import Document, DocumentKind
    from linkaudit.references import parse_document

    document = Document("d", DocumentKind.TEXT, "https:   //doi.org/10.1/x\f1. ", "utf-8")
    urls = {url for reference in parse_document(document).references for url in reference.urls}
    assert urls == {"https://doi.org/10.1/x"}


def test_paragraph_references_have_no_sentence_as_title() -> None:
    text = (
        "The customs union is discussed at http://bisnews.kz/a/1 by many authors.\n\n"
        "The report “Customs Union: pros and cons” is at http://bisnews.kz/a/2.\n"
    )
    markup = (
        "<p>Trade grew after the union began, as http://zp.kz/news/1 shows.</p>"
        "<p>See «Таможенный союз: за и против» at <a href='http://zp.kz/news/2'>the site</a>.</p>"
    )
    for parsed in (_parse(text), _parse(markup, DocumentKind.HTML, "doc.html")):
        first, second = parsed.references
        assert first.id.split("#")[1].startswith("p")
        assert first.titles() == ()
        assert second.titles() in (("Customs Union: pros and cons",), ("Таможенный союз: за и против",))


_DRIFTING_LISTS = (
    "Notes\n"
    "1. A. Smith, “Border trade after the customs union”, Steppe Review, 2012, http://steppe.kz/trade/1\n"
    "2. B. Jones, “Tariffs and the new common code”, Caspian Daily, 2013, http://caspian.kz/tariffs/7\n"
    "3. C. Brown, “Transit corridors of the region”, Silk Weekly, 2014, http://silk.kz/transit/3\n"
    "\n"
    "[1] C. Brown, “Transit corridors of the region”, Silk Weekly, 2014, http://silk.kz/transit/3\n"
    "[2] A. Smith, “Border trade after the customs union”, Steppe Review, 2012, http://steppe.kz/trade/1\n"
    "[3] B. Jones, “Tariffs and the new common code”, Caspian Daily, 2013, http://caspian.kz/tariffs/7\n"
)


def test_lists_disagree_says_which_list_the_markers_follow() -> None:
    body = "Border trade grew once the union began [2], though tariffs rose [3] and transit lagged [1].\n\n"
    parsed = _parse(body + _DRIFTING_LISTS)
    drift = [f for f in parsed.findings if f.kind is FindingKind.LISTS_DISAGREE]
    assert sorted(f.reference.split("#")[1] for f in drift) == ["A1", "A2", "A3"]
    for finding in drift:
        assert finding.message.endswith("differently — the text's markers [1]–[3] follow list B.")
    assert not [f for f in parsed.findings if f.kind is FindingKind.NOTE_WITHOUT_MARKER]


def test_lists_disagree_without_markers_asks_the_reader_to_check() -> None:
    drift = [f for f in _parse(_DRIFTING_LISTS).findings if f.kind is FindingKind.LISTS_DISAGREE]
    assert len(drift) == 3
    for finding in drift:
        assert finding.message.endswith("differently — check which numbering the text's markers follow.")


def test_a_number_glued_to_a_url_continuation_starts_no_note() -> None:
    # ru-coursework-2023-print2pdf.pdf: "753459.html" continues the URL of the line before
    text = (
        "5 Пользовательские сценарии. - Режим доступа:\n"
        "https://pcnews.ru/top/articles/mat-\n"
        "drawer/polzovatelskie_scenarii_cto_eto_takoe_kak_i_dla_cego_ih_nuzno_stroit-\n"
        "753459.html?ysclid=l4b3qqrz5g980601158 (дата обращения: 9.12.2023)\n"
    )
    layout = text_layout(text)
    assert layout.lists == ()
    assert len(layout.paragraphs) == 1 and "753459.html" in layout.paragraphs[0].text
    (reference,) = _parse(text).references
    assert any(url.endswith("-753459.html?ysclid=l4b3qqrz5g980601158") for url in reference.urls)


def test_a_numbered_note_after_a_url_line_still_starts() -> None:
    layout = text_layout("Литература\n1. A. URL: https://example.org/a/\n2. B. URL: https://example.org/b\n")
    assert [entry.number for entry in layout.lists[0].entries] == ["1", "2"]


def _article(title: str, cited: str, notes: int, enumeration: bool = False) -> str:
    prose = "".join(f"{title}: строка текста статьи номер {n}, в которой нет ссылок.\n" for n in range(10))
    listed = "1. Первая задача статьи.\n2. Вторая задача статьи.\n3. Третья задача.\n" if enumeration else ""
    body = f"{title}. Текст статьи ссылается на {cited}.\n" + prose + listed + prose
    listing = "".join(f"{n}. Автор {n}. Книга {title} {n}. М., 2019.\n" for n in range(1, notes + 1))
    return body + "\nЛИТЕРАТУРА\n" + listing


def test_each_article_of_a_journal_issue_has_its_own_list() -> None:
    # ru-journal-vvib-2017-1-rakhvalova.pdf, ru-journal-egir-2019-5.pdf: markers were matched to the first list
    text = (
        _article("Первая", "[1] и [2]", 2)
        + "\n"
        + _article("Вторая", "[1], [3] и [4]", 4, enumeration=True)
        + "\n"
        + _article("Третья", "[5]", 5)
    )
    parsed = _parse(text)
    layout = text_layout(text)
    assert [len(note_list.entries) for note_list in layout.lists] == [2, 4, 5]  # "1. Первая задача" is text
    assert sorted(_kinds(parsed)) == sorted(
        [
            (FindingKind.NOTE_WITHOUT_MARKER, "B2"),
            (FindingKind.NOTE_WITHOUT_MARKER, "C1"),
            (FindingKind.NOTE_WITHOUT_MARKER, "C2"),
            (FindingKind.NOTE_WITHOUT_MARKER, "C3"),
            (FindingKind.NOTE_WITHOUT_MARKER, "C4"),
        ]
    )


def test_a_marker_after_every_list_points_into_the_last_one() -> None:
    text = "Литература\n1. Один, 2001.\n2. Два, 2002.\n\nПриложение: см. [3].\n"
    assert sorted(_kinds(_parse(text))) == [
        (FindingKind.MARKER_WITHOUT_NOTE, "A3"),
        (FindingKind.NOTE_WITHOUT_MARKER, "A1"),
        (FindingKind.NOTE_WITHOUT_MARKER, "A2"),
    ]


def test_a_list_interrupted_by_a_few_lines_of_text_goes_on() -> None:
    text = "Литература\n1. Один, 2001.\n\nНормативные акты\n\n2. Два, 2002.\n\nСтатьи\n\n1. Три, 2003.\n"
    layout = text_layout(text)
    assert [[entry.number for entry in note_list.entries] for note_list in layout.lists] == [["1", "2"], ["1"]]


def test_pages_after_a_marker_without_their_mark_are_not_notes() -> None:
    # ru-journal-egir-2019-5.pdf: "[8, 180-183]", "[9, 51]" cite note 8 at pages 180-183, note 9 at page 51
    notes = "".join(f"{n}. Автор {n}. Книга. М., 2019.\n" for n in range(1, 10))
    text = "Текст [8, 180-183] и [9, 51], и [1]–[7] тоже: [1], [2], [3], [4], [5], [6], [7].\n\nЛитература\n" + notes
    assert _kinds(_parse(text)) == []
    text = "Текст [12, 51] и [1, 2, 3, 4, 5, 6, 7, 8, 9].\n\nЛитература\n" + notes  # 12 is no note: both reported
    assert sorted(_kinds(_parse(text))) == [
        (FindingKind.MARKER_WITHOUT_NOTE, "A12"),
        (FindingKind.MARKER_WITHOUT_NOTE, "A51"),
    ]


def test_a_note_that_is_a_url_holds_its_string_once() -> None:
    """A long list of bare URLs is held in memory: the note's text, its URL as written and as repaired, and its
    half's text are one string, and the reference's URLs are its half's tuple."""
    parsed = parse_document(Document("d", DocumentKind.TEXT, "1. http://127.0.0.2:8080/doc/1.html\n", "utf-8"))
    (reference,) = parsed.references
    (found,) = reference.found
    (half,) = reference.halves
    assert reference.text == "http://127.0.0.2:8080/doc/1.html"
    assert found.url is reference.text and found.raw is reference.text and half.text is reference.text
    assert reference.urls is half.urls == (reference.text,)


_HEADING_PIECES = [
    "References", "Список литературы", "Adabiyotlar ro:yxati", "ro/yxati", "://", ":", "//", "## ", "**", "1. ", " ",
    "http://a.kz", "Notes",
]  # fmt: skip


def test_a_line_with_a_url_is_never_a_heading() -> None:
    from itertools import product

    from linkaudit.references import notes

    for parts in product(_HEADING_PIECES, repeat=3):
        line = "".join(parts)
        expected = notes._HEADING.match(" ".join(line.split())) is not None
        assert notes._is_heading(line) is expected, line


def test_per_note_objects_have_no_instance_dict() -> None:
    """An entry, a note and a found date exist once per note (100,000 in a long list): slotted, no __dict__."""
    from linkaudit.references.dates import FoundDate
    from linkaudit.references.notes import Entry, Note

    for item in (Entry("1", "x", 1), Note("1", "x", 1, (), ()), FoundDate("2012", 0, 4, 1)):
        assert not hasattr(item, "__dict__")


_TITLE_WORDS = st.sampled_from(["Customs", "Union", "pros", "and", "cons", "Таможенный", "союз", "за", "и", "1", ""])


@given(
    st.lists(st.lists(st.lists(_TITLE_WORDS, max_size=8).map(" ".join), max_size=2), min_size=1, max_size=6),
    st.lists(st.lists(st.lists(_TITLE_WORDS, max_size=8).map(" ".join), max_size=2), min_size=1, max_size=6),
)
@settings(max_examples=300, deadline=None)
def test_titles_compared_with_matchers_kept_as_with_fresh_ones(first: list[list[str]], second: list[list[str]]) -> None:
    """_drift keeps one SequenceMatcher per title of the second list and gives it each title of the first in
    turn: every answer is the one a fresh matcher gives."""
    from linkaudit.models import Half, Reference
    from linkaudit.references.notes import _similar_titles

    def reference(titles: list[str]) -> Reference:
        return Reference(id="x", document="d", text="t", line=1, halves=tuple(Half("en", t, title=t) for t in titles))

    matchers: dict[str, object] = {}
    for one in map(reference, first):
        for other in map(reference, second):
            assert _similar_titles(one, other, matchers) == _similar_titles(one, other)  # type: ignore[arg-type]


def _plain_markers(text: str, line: int = 1) -> list[object]:
    """find_markers by its plain definition: every pattern searched over every row."""
    from linkaudit.references import notes

    markers: list[object] = []
    for number, row in enumerate(text.split("\n")):
        if "://" in row:
            row = notes._TOKEN.sub(notes._blank_url_token, row)
        for match in notes._BRACKET_MARKER.finditer(row):
            values = notes._marker_numbers(match.group("numbers"))
            markers.extend(
                notes.Marker(str(value), ListStyle.BRACKETED, line + number, str(values[0]) if index else None)
                for index, value in enumerate(values)
            )
        markers.extend(
            notes.Marker(match.group("label"), ListStyle.FOOTNOTE, line + number)
            for match in notes._FOOTNOTE_MARKER.finditer(row)
        )
        markers.extend(
            notes.Marker(notes._superscript_number(match.group("digits")), ListStyle.SUPERSCRIPT, line + number)
            for match in notes._SUPERSCRIPT_MARKER.finditer(row)
        )
    return markers


_MARKER_PIECES = st.sampled_from(
    ["[", "]", "[^", "^", "1", "12", ",", "–", " ", "\n", "x", "¹", "²³", "⁰", ".", "http://a.kz/[1]", "]:", "см."]
)


@given(st.lists(_MARKER_PIECES, max_size=25).map("".join))
@settings(max_examples=400, deadline=None)
def test_markers_looked_for_only_where_they_can_be_are_all_found(text: str) -> None:
    assert find_markers(text, 3) == _plain_markers(text, 3)


_START_PIECES = st.sampled_from(
    [" ", "\t", "\u00a0", "    ", "[", "]", "[^", "^a", "1", "12", "١", "²", "¹²", ".", ")", "-", "*", "•", "+", "x",
     "Я", ":", "1.2", "http://a.kz"]
)  # fmt: skip


@given(st.lists(_START_PIECES, max_size=12).map("".join))
@settings(max_examples=500, deadline=None)
def test_a_line_is_asked_for_a_note_label_only_where_one_can_start(line: str) -> None:
    """_note_start tries the label patterns only on a line whose first non-blank can start a label: it reads
    every line as trying them all does."""
    from linkaudit.references import notes

    plain = None
    for style, pattern in notes._STARTS:
        match = pattern.match(line)
        if match:
            label = match.groupdict().get("label") or ""
            if style is ListStyle.SUPERSCRIPT:
                label = label.translate(notes._SUPERSCRIPT_TABLE)
            plain = notes._Start(style, label, match.group("rest"), len(match.group("indent").expandtabs()))
            break
    assert notes._note_start(line) == plain


@given(
    st.lists(st.tuples(st.lists(_TITLE_WORDS, max_size=6).map(" ".join), st.sampled_from(["", "a", "b"])), max_size=6),
    st.lists(st.tuples(st.lists(_TITLE_WORDS, max_size=6).map(" ".join), st.sampled_from(["", "a", "b"])), max_size=6),
)
@settings(max_examples=300, deadline=None)
def test_two_lists_are_paired_as_by_comparing_every_pair_afresh(
    first: list[tuple[str, str]], second: list[tuple[str, str]]
) -> None:
    """_drift works out each reference's titles once and keeps its matchers: the pairs it finds (and so its
    findings) are those of comparing each pair of references afresh, in order, each reference taken once."""
    from linkaudit.models import Half, Reference
    from linkaudit.references import notes

    def references(letter: str, items: list[tuple[str, str]]) -> list[Reference]:
        return [
            Reference(
                id=f"d#{letter}{number}", document="d", text=title, line=number, list=letter, number=str(number),
                halves=(Half("en", title or "x", title=title or None, urls=(f"http://s.kz/{url}",) if url else ()),),
                urls=(f"http://s.kz/{url}",) if url else (),
            )
            for number, (title, url) in enumerate(items, start=1)
        ]

    one, other = references("A", first), references("B", second)
    taken: set[str] = set()
    pairs = []
    for reference in one:
        free = [candidate for candidate in other if candidate.id not in taken]
        match = next((candidate for candidate in free if notes._similar_titles(reference, candidate)), None)
        if match is None and reference.urls:
            match = next((candidate for candidate in free if set(reference.urls) & set(candidate.urls)), None)
        if match is not None:
            taken.add(match.id)
            pairs.append((reference, match))
    expected = [pair for pair in pairs if pair[0].number != pair[1].number] if len(pairs) >= 2 else []
    found = notes._drift(one, other, [*one, *other], set(), "advice")
    assert [finding.message.split(" cite the same source")[0] for finding in found] == [
        f"{a.list}{a.number} and {b.list}{b.number}" for a, b in expected
    ]


def test_the_layout_lets_go_of_each_line_once_read() -> None:
    """A note's text lives on in its entry, not also in the layout's list of lines (100,000 notes: 50 MB)."""
    from linkaudit.references.notes import _TextLayout

    text = "".join(f"{n}. Новости Атырау, 2012, http://atyrau.example.kz/{n}\n" for n in range(1, 51))
    reader = _TextLayout(text, markdown=False)
    layout = reader.run()
    assert len(layout.lists[0].entries) == 50
    assert layout.lists[0].entries[49].text == "Новости Атырау, 2012, http://atyrau.example.kz/50"
    assert not any(reader.lines)


def test_a_frame_stamp_without_a_page_break_is_still_dropped() -> None:
    text = (
        "1. Иванов И. Статья. URL: http://example.kz/1\n"
        "Взам. инв. №     Подп. и дата     Инв. № подл.\n"
        "2. Петров П. Статья. URL: http://example.kz/2\n"
        "ИЗМ. ЛИСТ № ДОКУМ. 12\n"
        "3. Сидоров С. Изменения в законе. URL: http://example.kz/3\n"
    )
    parsed = _parse(text)
    assert [reference.text for reference in parsed.references] == [
        "Иванов И. Статья. URL: http://example.kz/1",
        "Петров П. Статья. URL: http://example.kz/2",
        "Сидоров С. Изменения в законе. URL: http://example.kz/3",
    ]


def test_every_frame_stamp_passes_the_quick_test_in_any_case() -> None:
    """``_may_be_stamp`` lets a line skip the frame-stamp pattern: it must say yes to every pair of letters the
    pattern's IGNORECASE matches for "нв", "дп" and "зм" (found over all of Unicode), and to "№"."""
    import re
    import sys

    from linkaudit.references import notes

    letters = "нвдпзм"
    any_letter = re.compile(f"[{letters}]", re.IGNORECASE)
    forms: dict[str, list[str]] = {letter: [] for letter in letters}
    for character in map(chr, range(sys.maxunicode + 1)):
        if any_letter.fullmatch(character):
            for letter in letters:
                if re.fullmatch(letter, character, re.IGNORECASE):
                    forms[letter].append(character)
    assert "ᲀ" in forms["в"] and "ᲁ" in forms["д"]  # the old forms the pattern matches too
    for first, second in ("нв", "дп", "зм"):
        for a in forms[first]:
            for b in forms[second]:
                assert notes._may_be_stamp(f"x {a}{b} y"), a + b
    assert notes._may_be_stamp("№ 5")
    for stamp in ("Взам. инв. №", "Подп. и дата", "Инв. № подл.", "Изм. Лист", "№ докум."):
        assert notes._FRAME_STAMP.search(stamp) and notes._may_be_stamp(stamp.upper())
    assert not notes._may_be_stamp("1. «Таможенный союз: за и против», Новости Атырау, 3 ноября 2012 года")
