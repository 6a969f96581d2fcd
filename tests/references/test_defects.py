"""Defects seen on real documents: page furniture that was not, huge note lists, outlet names taken for URLs,
URLs split by a page break inside a note."""

from __future__ import annotations

import threading

import pytest

from linkaudit.models import Document, DocumentKind, FindingKind, ParsedDocument, Repair
from linkaudit.references import parse_document
from linkaudit.references.notes import text_layout
from linkaudit.references.urls import find_urls


def _parse(text: str) -> ParsedDocument:
    return parse_document(Document("d.txt", DocumentKind.TEXT, text, "utf-8"))


def test_lines_holding_only_a_url_are_never_running_titles() -> None:
    numbers = [24567001, 24567315, 24568020, 24569990, 24570112]
    text = "\n".join(f"https://rus.azattyq.org/a/{n}.html" for n in numbers) + "\n"
    parsed = _parse(text)
    assert [r.urls for r in parsed.references] == [(f"https://rus.azattyq.org/a/{n}.html",) for n in numbers]


def test_numbered_url_lines_are_notes_not_furniture() -> None:
    text = "Литература\n" + "".join(f"{i}. http://docs.cntd.ru/document/4202449{i:02d}\n" for i in range(1, 8))
    parsed = _parse(text)
    assert len(parsed.references) == 7
    assert parsed.references[6].urls == ("http://docs.cntd.ru/document/420244907",)


def test_a_line_repeated_without_page_breaks_is_text() -> None:
    line = "Вестник КазНУ. Серия экономическая"
    text = f"1. {line} http://a.kz/1\n{line}\n2. {line} http://a.kz/2\n{line}\n3. x http://a.kz/3\n{line}\n"
    entries = text_layout(text).lists[0].entries
    assert sum(entry.text.count(line) for entry in entries) == 5


def test_a_running_title_next_to_page_breaks_is_dropped() -> None:
    title = "Вестник КазНУ. Серия экономическая. № 3 (2020)"
    text = (
        f"{title}\nТекст.\n\f{title}\nЛитература\n1. Иванов И. Статья. URL: http://a.kz/1\n\f{title}\n"
        "2. Петров П. Другая. URL: http://a.kz/2\n"
    )
    entries = text_layout(text).lists[0].entries
    assert all(title not in entry.text for entry in entries)


def test_gost_frame_stamps_are_furniture() -> None:
    text = (
        "Список литературы\n1. Приказ. Режим доступа: http://docs.cntd.ru/document/\n"
        "Взам. инв. №     Подп. и дата     Инв. № подл.\n\f"
        "Изм. Лист № докум. Подп. Дата\n420244911 (дата обращения: 01.02.2020)\n"
        "2. Второй источник, 2019.\n"
    )
    parsed = _parse(text)
    first = parsed.references[0]
    assert first.urls == ("http://docs.cntd.ru/document/420244911",)
    assert Repair.PAGE_BREAK in first.found[0].repairs
    assert "Взам" not in first.text and "докум" not in first.text


def test_a_note_url_over_a_page_break_with_a_footer_and_a_running_title() -> None:
    title = "Журнал исследований № 5 2020"
    body = "\n".join(f"Текст {n}." for n in range(3))
    text = (
        f"{title}\n{body}\n\n  17\n\f{title}\n{body}\n\nЛитература\n"
        "1. Отчёт. URL: https://www.researchgate.net/publication/291166244_\n\n   18\n"
        f"\f{title}\n\nTen_Benefits_of_Testing_and_Their_Applications (accessed 01.02.2020)\n"
        "2. Second source, 2019.\n"
    )
    parsed = _parse(text)
    first = parsed.references[0]
    assert first.urls == (
        "https://www.researchgate.net/publication/291166244_Ten_Benefits_of_Testing_and_Their_Applications",
    )
    assert Repair.PAGE_BREAK in first.found[0].repairs
    assert [r.number for r in parsed.references] == ["1", "2"]


def test_notes_numbered_past_99999_all_kept_in_linear_time() -> None:
    count = 175_034
    text = "References\n" + "".join(f"{n}. Source {n}, 2019.\n" for n in range(1, count + 1))
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(len(text_layout(text).lists[0].entries)), daemon=True)
    worker.start()
    worker.join(60)  # a guard against quadratic work, not a timing
    assert done == [count]


def test_a_note_numbered_past_99999_is_not_glued_to_the_url_before_it() -> None:
    text = "References\n" + "".join(f"{n}. Source {n}. http://example.kz/a\n" for n in range(99_998, 100_003))
    parsed = _parse(text)
    assert [r.number for r in parsed.references] == [str(n) for n in range(99_998, 100_003)]
    assert {r.urls for r in parsed.references} == {("http://example.kz/a",)}


@pytest.mark.parametrize(
    "text",
    [
        "Колонка. «Известия» – IZ.RU/ , 12.05.2020.",
        "Заявки подаются на сайт zakupki.gov.ru в установленном порядке.",
        "Информация размещена на сайте zakupki.gov.ru.",
    ],
)
def test_an_outlet_or_site_named_in_prose_is_not_a_cited_url(text: str) -> None:
    assert find_urls(text) == []
    assert _parse(text).references == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Официальный сайт: zakupki.gov.ru", "http://zakupki.gov.ru"),
        ("URL: IZ.RU/", "http://IZ.RU/"),
        ("IZ.RU/news/1045", "http://IZ.RU/news/1045"),
        ("Mode of access: zakupki.gov.ru", "http://zakupki.gov.ru"),
    ],
)
def test_a_labelled_or_deep_bare_address_is_still_cited(text: str, expected: str) -> None:
    assert [f.url for f in find_urls(text)] == [expected]


def _bilingual(skip: int | None = None, biography_after: int | None = None) -> str:
    russian = "".join(
        f"{i}. Иванов{chr(1072 + i)} И. И. Статья номер {i} о развитии // Журнал. 20{10 + i}. № {i}. "
        f"URL: http://j.kz/a{i}\n"
        for i in range(1, 17)
    )
    english = []
    items = [i for i in range(1, 17) if i != skip]
    for number, i in enumerate(items, start=1):
        english.append(
            f"{number}. Ivanov{chr(97 + i)} I. I. Article number {i} on development. Zhurnal, 20{10 + i}, no. {i}. "
            f"Available at: http://j.kz/a{i}\n"
        )
        if number == biography_after:
            english.append(
                "\nINFORMATION ABOUT AUTHORS\nIVANOV IVAN IVANOVICH – Candidate of Economic Sciences, Associate "
                "Professor.\nAddress: 364068, Grozny, st. Isaeva, 62\n\n"
            )
    return "Текст статьи.\n\nЛИТЕРАТУРА\n" + russian + "\nREFERENCES\n" + "".join(english)


def test_a_list_and_its_english_list_pair_note_by_note_across_author_biographies() -> None:
    parsed = _parse(_bilingual(biography_after=8))
    assert len(parsed.references) == 16
    for index, reference in enumerate(parsed.references, start=1):
        assert [h.lang for h in reference.halves] == ["ru", "en"]
        assert f"Article number {index} " in reference.halves[1].text
    assert not [f for f in parsed.findings if f.kind is FindingKind.LISTS_DISAGREE]


def test_lists_whose_numbering_drifts_pair_by_content_and_say_so() -> None:
    parsed = _parse(_bilingual(skip=5))
    notes = {r.number: r for r in parsed.references}
    assert [h.lang for h in notes["5"].halves] == ["ru"]  # its translation is missing
    assert "Article number 6 " in notes["6"].halves[1].text
    assert "Article number 16 " in notes["16"].halves[1].text
    drift = [f for f in parsed.findings if f.kind is FindingKind.LISTS_DISAGREE]
    assert [f.reference.split("#")[1] for f in drift] == [f"A{n}" for n in range(6, 17)]
    assert drift[0].message.startswith("A6 and en:5 cite the same source")


def test_a_sentence_glued_to_a_capitalized_word_is_not_a_cyrillic_domain() -> None:
    assert find_urls("Автореф. дис. … доктора наук.Москва, 2005. 49 с.") == []
    assert [f.url for f in find_urls("см. президент.рф и кремль.москва")] == [
        "http://президент.рф", "http://кремль.москва",
    ]


@pytest.mark.parametrize("text", ["\f" * 100_000, "\f\n\n\n" * 50_000, "Title line\n\n\f" * 50_000])
def test_runs_of_empty_pages_are_read_in_linear_time(text: str) -> None:
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(len(text_layout(text).lists)), daemon=True)
    worker.start()
    worker.join(60)  # a guard against each page break walking the whole document, not a timing
    assert done == [0]


def test_a_home_page_beside_an_email_at_its_domain_is_a_contact_line() -> None:
    # ru-gost-r-7.0.5-2008.pdf: the publisher's imprint on the last page
    imprint = "ФГУП «СТАНДАРТИНФОРМ», 123995 Москва, Гранатный пер., 4.\nwww.gostinfo.ru info@gostinfo.ru\n"
    assert _parse(imprint).references == ()
    cited = [
        "Сайт: www.gostinfo.ru, автор: ivanov@mail.ru\n",  # another domain: the address is cited
        "www.gostinfo.ru/catalog/42 info@gostinfo.ru\n",  # a deep page is cited
    ]
    for text in cited:
        (reference,) = _parse(text).references
        assert reference.urls and "gostinfo.ru" in reference.urls[0]
    notes = "Литература\n1. ГОСТ Р 7.0.5. URL: www.gostinfo.ru (info@gostinfo.ru)\n"  # inside a note: cited
    assert [reference.urls for reference in _parse(notes).references] == [("http://www.gostinfo.ru",)]
