"""URLs that layout broke (text extraction, line and page wraps), each case seen in a real document, and the
never-corrupt rule: a wrap is rejoined only where the continuation cannot be ordinary text."""

from __future__ import annotations

import threading

import pytest

from linkaudit.models import FoundUrl, Repair
from linkaudit.references.urls import find_urls


def only(text: str) -> FoundUrl:
    found = find_urls(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "см. https://docs.python.org/3/search.html?highl ight=asyncio там",
            "https://docs.python.org/3/search.html?highlight=asyncio",
        ),
        (
            "https://de.wikipedia.org/wiki/Autobahn%C3%BCberbauung _Schlangenbader _Stra%C3%9Fe (Zugriff)",
            "https://de.wikipedia.org/wiki/Autobahn%C3%BCberbauung_Schlangenbader_Stra%C3%9Fe",
        ),
        ("URL: https:// www.python.org/about/ (accessed)", "https://www.python.org/about/"),
        ("Режим доступа: http: // asozd.duma.gov.ru", "http://asozd.duma.gov.ru"),
        ("DOI: https:     //doi.org/10.1051/e3sconf/202016401020", "https://doi.org/10.1051/e3sconf/202016401020"),
        ("URL: https://www.legislat ion.gov.uk/ukpga/2018/12/contents", "https://www.legislation.gov.uk/ukpga/2018/12/contents"),
        ("URL: www.legislat ion.gov.uk/ukpga/2018/12", "http://www.legislation.gov.uk/ukpga/2018/12"),
    ],
)
def test_blank_inside_a_url_removed(text: str, expected: str) -> None:
    found = only(text)
    assert found.url == expected
    assert Repair.WHITESPACE in found.repairs
    assert found.candidates == ()


@pytest.mark.parametrize(
    "text",
    [
        "see http://example.org/page for details",
        "http://example.org/page _emphasis_ here",
        "http://example.org/?q=1 and x",
        "www.site.ru is a site",
        "http://example.org/a 2012",
    ],
)
def test_blank_after_a_url_ends_it(text: str) -> None:
    found = find_urls(text)
    assert Repair.WHITESPACE not in found[0].repairs
    assert " " not in found[0].url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "http://www.gov.spb.ru/static/writable/ckeditor/uploads/2019/media/\n"
            "komzdrav/docs/%D1%84%D0%B5%D0%B2.pdf",
            "http://www.gov.spb.ru/static/writable/ckeditor/uploads/2019/media/komzdrav/docs/%D1%84%D0%B5%D0%B2.pdf",
        ),
        (
            "http://www.gov.spb.ru/static/writable/ckeditor/uploads/2019/komzdrav/\n%D1%84%D0%B5%D0%B2.pdf",
            "http://www.gov.spb.ru/static/writable/ckeditor/uploads/2019/komzdrav/%D1%84%D0%B5%D0%B2.pdf",
        ),
        (
            "https://www.amazon.com/Design-\nDevelopment-Hospital-Architecture/dp/0470474033",
            "https://www.amazon.com/Design-Development-Hospital-Architecture/dp/0470474033",
        ),
        ("Режим доступа: http://\nwww.jus.unitn.it/cardozo/", "http://www.jus.unitn.it/cardozo/"),
        ("https://\nwww.python.org/about/", "https://www.python.org/about/"),
        ("http://www.jus.\nunitn.it/cardozo/Obiter_Dictum/codex.htm", "http://www.jus.unitn.it/cardozo/Obiter_Dictum/codex.htm"),
        (
            "https://www.researchgate.net/publication/291166244_                 \n"
            "Ten_Benefits_of_Testing_and_Their_Applications_to_Educational_Practice",
            "https://www.researchgate.net/publication/"
            "291166244_Ten_Benefits_of_Testing_and_Their_Applications_to_Educational_Practice",
        ),
    ],
)
def test_line_end_wrap_rejoined(text: str, expected: str) -> None:
    found = only(text)
    assert found.url == expected
    assert found.repairs and set(found.repairs) <= {Repair.HYPHEN_WRAP, Repair.WHITESPACE, Repair.HYPHEN_KEPT}
    assert found.raw == text[found.start : found.end] and "\n" in found.raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://mt-9.ru/wp-\ncontent/uploads/2019/03/doc.pdf", "http://mt-9.ru/wp-content/uploads/2019/03/doc.pdf"),
        (
            "https://www.scopus.com/record/display.uri?eid=2-\ns2.0-85059&origin=resultslist",
            "https://www.scopus.com/record/display.uri?eid=2-s2.0-85059&origin=resultslist",
        ),
        ("https://support.microsoft.com/en-\nUS/help/4027667", "https://support.microsoft.com/en-US/help/4027667"),
    ],
)
def test_line_end_hyphen_that_belongs_to_the_url_is_kept(text: str, expected: str) -> None:
    found = only(text)
    assert found.url == expected
    assert Repair.HYPHEN_KEPT in found.repairs
    assert found.candidates == ()  # the text decides


def test_undecidable_hyphen_in_a_host_keeps_both_readings_host_hyphen_first() -> None:
    found = only("Teoria. URL: http://teoria-\npractica.ru/rus/files/arhiv_zhurnala/2012/3/pedagogika.pdf")
    assert found.url == "http://teoria-practica.ru/rus/files/arhiv_zhurnala/2012/3/pedagogika.pdf"
    assert found.candidates == (
        "http://teoria-practica.ru/rus/files/arhiv_zhurnala/2012/3/pedagogika.pdf",
        "http://teoriapractica.ru/rus/files/arhiv_zhurnala/2012/3/pedagogika.pdf",
    )
    assert Repair.HYPHEN_KEPT in found.repairs


def test_undecidable_typesetter_hyphen_in_a_word_dropped_first_kept_as_candidate() -> None:
    found = only("http://example.org/infor-\nmation.html")
    assert found.candidates == ("http://example.org/information.html", "http://example.org/infor-mation.html")
    assert Repair.HYPHEN_DROPPED in found.repairs


def test_slug_hyphen_kept_first() -> None:
    found = only("http://example.org/news/the-state-of-\nthe-union.html")
    assert found.url == "http://example.org/news/the-state-of-the-union.html"
    assert found.candidates[1] == "http://example.org/news/the-state-ofthe-union.html"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://www.stat.gov.kz/faces/population\n2012 figures were revised", "http://www.stat.gov.kz/faces/population"),
        ("http://example.kz/news/article\n2012 figures", "http://example.kz/news/article"),
        ("http://example.kz/a\n100000 people", "http://example.kz/a"),
        ("http://example.kz/a/b-\nNext Sentence", "http://example.kz/a/b-"),
        ("http://example.kz/page/\nThe end", "http://example.kz/page/"),
        ("http://example.kz/page\n\nsecond/paragraph.html", "http://example.kz/page"),
    ],
)
def test_never_corrupt_a_url_with_the_next_line_of_text(text: str, expected: str) -> None:
    assert find_urls(text)[0].url == expected
    assert Repair.HYPHEN_WRAP not in find_urls(text)[0].repairs


@pytest.mark.parametrize(
    "between",
    [
        "\f",
        "\n\f\n",
        "\n12\n\f\n",
        "\n  - 12 -  \n\f\nВзам. инв. №     Подп. и дата     Инв. № подл.\n",
        "\n\f\n\nИзм. Лист № докум. Подп. Дата\n\n",
    ],
)
def test_url_split_by_a_page_break_and_its_page_furniture(between: str) -> None:
    text = f"URL: http://docs.cntd.ru/document/{between}420244911/redaction.html (дата обращения: 01.02.2020)"
    found = only(text)
    assert found.url == "http://docs.cntd.ru/document/420244911/redaction.html"
    assert Repair.PAGE_BREAK in found.repairs


def test_page_furniture_without_a_page_break_is_text() -> None:
    found = find_urls("http://docs.cntd.ru/document/\n12\n420244911/redaction.html")
    assert found[0].url == "http://docs.cntd.ru/document/"


def test_en_dash_and_hyphen_spellings_are_one_url_with_the_repair_recorded() -> None:
    found = find_urls("http://example.kz/strategiya–2050/ and later http://example.kz/strategiya-2050/")
    assert [f.url for f in found] == ["http://example.kz/strategiya-2050/"] * 2
    assert Repair.EN_DASH in found[0].repairs
    assert found[0].candidates == ("http://example.kz/strategiya-2050/", "http://example.kz/strategiya–2050/")
    assert found[1].repairs == ()


def test_fully_qualified_host_keeps_its_path() -> None:
    assert only("see http://example.com./page now").url == "http://example.com./page"


@pytest.mark.parametrize("separator", [",", ";"])
def test_urls_joined_by_a_comma_or_semicolon_are_two(separator: str) -> None:
    found = find_urls(f"http://a.kz/x{separator}http://b.kz/y")
    assert [f.url for f in found] == ["http://a.kz/x", "http://b.kz/y"]


def test_every_repair_says_what_the_text_said() -> None:
    text = "Доступ: http://teoria-\npractica.ru/a_b _c.pdf"
    found = only(text)
    assert found.raw == "http://teoria-\npractica.ru/a_b _c.pdf"
    assert {Repair.HYPHEN_WRAP, Repair.HYPHEN_KEPT, Repair.WHITESPACE} <= set(found.repairs)


def test_layout_repairs_stay_linear_on_hostile_input() -> None:
    hostile = (
        "http://a.kz/x-\n" * 20_000
        + "http://a.kz/" + "_b " * 20_000
        + "\n" + "www.a " * 20_000
        + "http://a.kz/y\n\f\n" + "12\n" * 20_000
        + "http: " + " " * 50_000
        + "http://a.kz/x\f" * 20_000
    )
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(len(find_urls(hostile))), daemon=True)
    worker.start()
    worker.join(60)  # a guard against a quadratic regression, not a speed target
    assert done and done[0] > 0


def test_en_dash_at_a_line_end_inside_a_host_is_its_hyphen() -> None:
    found = only("PCIJ. 1933. // URL: http://www.icj–\ncij.org/pcij/serie_AB/AB_53/01_Groenland.pdf. (дата обращения)")
    assert found.url == "http://www.icj-cij.org/pcij/serie_AB/AB_53/01_Groenland.pdf"
    assert {Repair.EN_DASH, Repair.HYPHEN_KEPT} <= set(found.repairs)


def test_a_long_number_after_a_dot_at_a_line_end_continues_a_doi() -> None:
    """A real thesis: ``URL: https://doi.org/10.1145/3453483.⏎3454055.`` (the number alone on its line)."""
    found = find_urls("URL: https://doi.org/10.1145/3453483.\r\n3454055.\r\n36. Kostyukov, Y. Collaborative")
    assert found[0].url == "https://doi.org/10.1145/3453483.3454055"
    assert found[0].candidates == ("https://doi.org/10.1145/3453483.3454055", "https://doi.org/10.1145/3453483")


def test_soft_hyphens_inside_a_url_give_every_reading() -> None:
    """A real XeTeX thesis through pdfium: ``…/en\u00adus/…/uiauto\u00aduiautoma⏎tionoverview?…``."""
    text = (
        "URL:\nhttps://docs.microsoft.com/en\u00adus/windows/win32/winauto/uiauto\u00aduiautoma\n"
        "tionoverview?redirectedfrom=MSDN (дата"
    )
    found = only(text)
    page = "https://docs.microsoft.com/{}/windows/win32/winauto/{}?redirectedfrom=MSDN"
    assert found.url == page.format("enus", "uiautouiautomationoverview")
    assert found.candidates == (
        found.url,
        page.format("en-us", "uiautouiautomationoverview"),
        page.format("enus", "uiauto-uiautomationoverview"),
        page.format("en-us", "uiauto-uiautomationoverview"),
    )


def test_pdfium_line_end_hyphen_mark_in_a_slug_is_kept_first() -> None:
    """A real thesis through pdfium: ``…/interactive-lw-charts\\ufffetools/blob/…``."""
    found = only("https://github.com/IliiaDenisov/interactive-lw-charts\ufffetools/blob/f57f/src/a.ts#L37 (дата")
    assert found.url == "https://github.com/IliiaDenisov/interactive-lw-charts-tools/blob/f57f/src/a.ts#L37"
    assert found.candidates[1] == "https://github.com/IliiaDenisov/interactive-lw-chartstools/blob/f57f/src/a.ts#L37"


def test_a_page_suffix_cut_by_a_page_break_is_rejoined() -> None:
    """A real journal through pdfium: ``…politru.ht`` ⏎ page break ⏎ ``m (дата обращения: 20.07.2020)``."""
    text = "URL: http://www.glazychev.ru/publications/interviews/20116_interview.ht\n\fm (дата обращения: 20.07.2020)."
    found = only(text)
    assert found.url == "http://www.glazychev.ru/publications/interviews/20116_interview.htm"
    assert Repair.PAGE_BREAK in found.repairs
    assert only("http://x.ru/page.ht\nmore text").url == "http://x.ru/page.ht"  # "htmore" is no suffix


# Blanks typed in a Word file after a host or a slash (ru-thesis-2018-plain-urls.docx), and after a dot inside a
# host (ru-gost-r-7.0.5-2008.pdf): the continuation is a path or a top-level domain, never ordinary text.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "URL: https://tools.ietf.org/ html/rfc4324 (Дата обращения 15.05.2017)",
            "https://tools.ietf.org/html/rfc4324",
        ),
        (
            "URL: https://www.airpair.com /python/posts/django-flask-pyramid (Дата обращения 22.05.2017)",
            "https://www.airpair.com/python/posts/django-flask-pyramid",
        ),
        (
            "URL: https://help.gnome.org/ users/evolution/stable/index.html (Дата обращения 15.05.2017)",
            "https://help.gnome.org/users/evolution/stable/index.html",
        ),
        (
            "URL: https://developers.google.com /google-apps/calendar/overview (Дата обращения 15.05.2017)",
            "https://developers.google.com/google-apps/calendar/overview",
        ),
        (
            "URL: http://www.internet-technologies.ru /articles/article_1991.html (Дата обращения 22.05.2017)",
            "http://www.internet-technologies.ru/articles/article_1991.html",
        ),
        (
            "URL: https://habrahabr.ru/ sandbox/24540/ (Дата обращения 22.05.2017)",
            "https://habrahabr.ru/sandbox/24540/",
        ),
        ("URL: http://www.oim. ru/reader.asp?nomer=366 (дата", "http://www.oim.ru/reader.asp?nomer=366"),
        ("URL: https://example.org/ index.html (accessed)", "https://example.org/index.html"),
    ],
)
def test_blank_typed_after_a_host_or_slash_before_a_path_removed(text: str, expected: str) -> None:
    found = only(text)
    assert found.url == expected
    assert Repair.WHITESPACE in found.repairs
    assert found.candidates == ()
    assert found.raw == text[found.start : found.end] and " " in found.raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.org/ 15/05/2017 for the date", "https://example.org/"),
        ("see https://example.org/ and then more", "https://example.org/"),
        ("see www.example.org / and more", "http://www.example.org"),
        ("visit www.site. it is fine", "http://www.site"),
        ("at www.site. ru is a word", "http://www.site"),
    ],
)
def test_blank_after_a_host_or_slash_before_text_ends_the_url(text: str, expected: str) -> None:
    assert find_urls(text)[0].url == expected
    assert Repair.WHITESPACE not in find_urls(text)[0].repairs


def test_two_plain_words_after_a_slash_and_a_blank_keep_both_readings() -> None:
    found = only("see https://example.org/ and/or the other")
    assert found.url == "https://example.org/and/or"
    assert found.candidates == ("https://example.org/and/or", "https://example.org/")


def test_bracket_glued_after_a_hyphen_wrap_ends_the_url() -> None:
    # ru-journal-egir-2019-5.pdf
    text = (
        "URL \nhttps://pedtehno.ru/content/muzyka-kak-sredstvo-formirovaniya-matematicheskih-\n"
        "sposobnostey(дата обращения: 10.06.2019)"
    )
    found = only(text)
    assert found.url == "https://pedtehno.ru/content/muzyka-kak-sredstvo-formirovaniya-matematicheskih-sposobnostey"
    assert found.raw.endswith("sposobnostey")
    assert "https://pedtehno.ru/content/muzyka-kak-sredstvo-formirovaniya-matematicheskihsposobnostey" in (
        found.candidates
    )


def test_two_line_end_hyphens_the_second_before_a_number() -> None:
    # ru-coursework-2023-print2pdf.pdf
    text = (
        "Режим доступа: \nhttps://pcnews.ru/top/articles/mat-\n"
        "drawer/polzovatelskie_scenarii_cto_eto_takoe_kak_i_dla_cego_ih_nuzno_stroit-\n"
        "753459.html?ysclid=l4b3qqrz5g980601158 (дата обращения: 9.12.2023)"
    )
    found = only(text)
    expected = (
        "https://pcnews.ru/top/articles/mat-drawer/"
        "polzovatelskie_scenarii_cto_eto_takoe_kak_i_dla_cego_ih_nuzno_stroit-753459.html?ysclid=l4b3qqrz5g980601158"
    )
    assert expected in found.candidates
    assert all(candidate.endswith("-753459.html?ysclid=l4b3qqrz5g980601158") for candidate in found.candidates)


# ru-thesis-2020-diadlo-xetex.pdf: no link annotations to repair from.
def test_a_lone_word_after_a_slash_at_a_line_end_keeps_both_readings() -> None:
    for text, joined in [
        ("URL: https://github.com/p-e-w/plotinus/\nreleases (дата обращения: 24.05.2020).",
         "https://github.com/p-e-w/plotinus/releases"),
        ("URL: https://www.qt.io/product/\nframework (дата обращения: 24.05.2020).",
         "https://www.qt.io/product/framework"),
        ("URL: https://www.qt.io/product/\nframework", "https://www.qt.io/product/framework"),
    ]:
        found = only(text)
        assert found.url == joined
        assert found.candidates == (joined, joined.rsplit("/", 1)[0] + "/")


def test_a_word_after_a_slash_at_a_line_end_followed_by_more_words_is_text() -> None:
    found = only("see https://example.org/\nfor details of the scheme")
    assert found.url == "https://example.org/"
    assert found.candidates == ()


def test_a_query_and_a_percent_escape_cut_at_line_ends() -> None:
    text = (
        "URL: https://github.com/search\n?l=&q=%22%23include+%3CQPluginLoader%3E%22+language%3AC%2\n"
        "B%2B&type=Code (дата обращения: 24.05.2020)."
    )
    found = only(text)
    assert found.url == (
        "https://github.com/search?l=&q=%22%23include+%3CQPluginLoader%3E%22+language%3AC%2B%2B&type=Code"
    )
    assert found.candidates == ()


@pytest.mark.parametrize(
    "text",
    [
        "see https://example.org/page\n? Not a query",
        "https://example.org/page%2\nBig deal",
        "https://example.org/page%2\nbad day",
    ],
)
def test_a_question_or_a_word_after_a_line_end_is_text(text: str) -> None:
    assert only(text).url.startswith("https://example.org/page")
    assert "\n" not in only(text).raw


def test_a_doi_label_at_a_line_end_and_its_doi_on_the_next_line() -> None:
    # journal_5_2020.pdf
    text = "Psychopathology. 2020 Jan 17:1-12. doi: \n10.1159/000505073.\n\n8. Schoemaker M."
    assert only(text).url == "https://doi.org/10.1159/000505073"
    assert find_urls("see the doi\n10.1000/182 figures") == []  # without a colon, the next line is text
