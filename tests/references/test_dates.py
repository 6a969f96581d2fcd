"""Citation dates in the forms Russian, Kazakh and English notes use."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.references import dates
from linkaudit.references.dates import citation_dates, find_access_date, find_date, find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("3 ноября 2012 года", "ru", "2012-11-03"),
        ("14 февраля 2012", "ru", "2012-02-14"),
        ("26.05.2011", "ru", "2011-05-26"),
        ("3 November, 2012", "en", "2012-11-03"),
        ("October 3, 2011", "en", "2011-10-03"),
        ("15 Apr. 2013", "en", "2013-04-15"),
        ("2011", "en", "2011"),
        ("май 2010", "ru", "2010-05"),
        ("2010-06-10", "en", "2010-06-10"),
        ("3 қазан 2012 ж.", "kk", "2012-10-03"),
        ("2012 жылғы 3 қаңтарда", "kk", "2012-01-03"),
        ("12 желтоқсан 2015", "kk", "2015-12-12"),
        ("31 февраля 2012", "ru", None),  # no such day
        ("Marat", "en", None),
        ("", "ru", None),
    ],
)
def test_parse_date(text: str, lang: str, expected: str | None) -> None:
    assert parse_date(text, lang) == expected


def test_parse_date_falls_back_to_dateparser_for_other_forms() -> None:
    assert parse_date("2012, 3 мая", "ru") == "2012-05-03"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Новости Атырау, 3 ноября 2012 года, http://bisnews.kz", "2012-11-03"),
        ("Газета «Общественная позиция», № 33 (161), 27 сентября 2012 года, www.spik.kz", "2012-09-27"),
        ("European Journal of International Relations, no. 16 (4), 2010, p. 663.", "2010"),
        ("Алматы: КИСИ при Президенте РК, 2012, С. 8-9", "2012"),
        ("Радио «Азаттық», 14 февраля 2012 года", "2012-02-14"),
        ("a page at http://example.kz/2019/05/01/story.html, 2011", "2011"),  # digits in URLs are not dates
        ("Decision 2015", "2015"),  # a word that is no month does not make a month
        ("Сборник статей. С. 8-9", None),
    ],
)
def test_find_date(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


def test_access_date_is_not_the_publication_date() -> None:
    text = (
        "М.: Амрита, 2012 [Электронный ресурс]. – Режим доступа: https://royallib.com/b.html "
        "(Дата обращения: 28.07.2020)."
    )
    assert citation_dates(text) == ("2012", "2020-07-28")
    assert find_date(text) == "2012"
    assert find_access_date("M .: Amrita, 2012. (Date of access: 07/28/2020).") == "2020-07-28"
    assert find_access_date("Strategii biznesa. – 2017. URL: x (accessed: 02.06.2020).") == "2020-06-02"
    assert find_access_date("no access date here, 2019") is None


def test_a_full_date_beats_a_bare_year_wherever_it_stands() -> None:
    assert find_date("Vol. 42, 2021; published online 5 March 2021") == "2021-03-05"
    found = find_dates("1998 and 12 мая 2015")
    assert [(f.iso, f.precision) for f in found] == [("1998", 1), ("2015-05-12", 3)]


@pytest.mark.parametrize(
    ("text", "published", "accessed"),
    [
        ("Статья, 2020. URL: http://x.ru/a (дата доступа: 14.09.23)", "2020", "2023-09-14"),
        ("Статья 2018. URL: http://x.ru/a (дата обращения 15.01 2019)", "2018", "2019-01-15"),
        ("Статья 2018. URL: http://x.ru/a (дата обращения: 05.03. 2019).", "2018", "2019-03-05"),
        ("Статья 2017. URL: http://x.ru/a (дата обращение: 01.02.2019)", "2017", "2019-02-01"),
        ("Article, 2016. Mode of access: 12.03.2020", "2016", "2020-03-12"),
        ("Article, 2015. Available at: http://x.org/a (Accessed: 14.09.23)", "2015", "2023-09-14"),
        ("Article, 2015. Accessed 3 March 2019", "2015", "2019-03-03"),
    ],
)
def test_access_dates_as_real_notes_write_them(text: str, published: str, accessed: str) -> None:
    assert citation_dates(text) == (published, accessed)


def test_a_two_digit_year_outside_an_access_phrase_is_no_date() -> None:
    assert citation_dates("Статья, вып. 14.09.23, с. 5") == (None, None)
    assert citation_dates("Закон № 12.3 2019") == ("2019", None)


def test_date_of_viewing_is_an_access_date() -> None:
    text = "Swiss Civil Code, 1907. URL: https://www.admin.ch/x.html (date of viewing: 02.12. 2016)."
    assert citation_dates(text) == ("1907", "2016-12-02")


# --- fast paths: the same answers as the plain definitions they shortcut -------------------------------------

_PIECES = st.sampled_from(
    [
        " ", "  ", "\n", ",", ".", "/", "(", ")", ":", "3", "12", "2011", "05.03.", "1999", "-", "–",
        "http://", "https://", "HTTP://", "www.", "WWW.", ".html", ".HTM", ".php", ".aspx", "news2011.html",
        "example.com/2011/05/03", "ноября", "года", "May", "March", "қазан", "жылғы",
        "дата обращения", "ДАТА ДОСТУПА", "обращено", "просмотрено", "accessed on", "Accessed", "date of access",
        "Mode of access", "retrieved", "last visited", "viewed", "қаралған күні", "Қаралды", "acceſſed", "ſ",
        "K", "²", "٣", "x", "Ё",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_blanking_only_the_url_tokens_is_blanking_every_token(text: str) -> None:
    """URLs are blanked by matching only the tokens that can hold one; the result is that of handing every
    whitespace-delimited token to the blanking rule."""
    assert dates._blank_urls(text) == dates._TOKEN.sub(dates._blank_token, text)


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_access_phrases_are_found_whether_or_not_the_hint_words_shortcut(text: str) -> None:
    """A text without any access phrase's word is not searched for the phrases; where it is, the phrases
    found are those of the full search (case-insensitive, ``ſ`` and the Kelvin sign included)."""
    assert dates._access_spans(text) == [match.end() for match in dates._ACCESS.finditer(text)]


@given(_TEXTS)
@settings(max_examples=300, deadline=None)
def test_texts_without_decimal_digits_have_no_dates(text: str) -> None:
    """The ``\\d`` shortcut: a text whose digits (if any) are not decimal (``²``) has no date, and adding a
    year to it as a word of its own makes one."""
    if not any(character.isdecimal() for character in text):
        assert find_dates(text) == []
        assert find_dates(f"{text} 2011 ²")[-1].iso.startswith("2011")


def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern with its month word taken greedily, not possessively."""
    return re.compile(pattern.pattern.replace("{3,14}+", "{3,14}"), pattern.flags)


def _plain_find_dates(text: str) -> list[dates.FoundDate]:
    """``find_dates`` by its plain definition: every pattern searched over the whole text, URLs blanked."""
    if not any(character.isdecimal() for character in text):
        return []
    text = dates._TOKEN.sub(dates._blank_token, text)
    found: list[dates.FoundDate] = []
    taken = [False] * len(text)

    def add(match: object, iso: str | None, precision: int) -> None:
        start, end = match.start(), match.end()  # type: ignore[attr-defined]
        if iso is not None and not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            found.append(dates.FoundDate(iso, start, end, precision))

    for pattern in (dates._DAY_MONTH_YEAR, dates._MONTH_DAY_YEAR, dates._YEAR_DAY_MONTH):
        for match in _plain(pattern).finditer(text):
            month = dates._month_number(match.group("month"))
            if month is not None:
                add(match, dates._iso(int(match.group("year")), month, int(match.group("day"))), 3)
    for match in dates._ISO.finditer(text):
        add(match, dates._iso(int(match["year"]), int(match["month"]), int(match["day"])), 3)
    for match in dates._NUMERIC.finditer(text):
        add(match, dates._numeric(int(match["first"]), int(match["second"]), match["separator"], int(match["year"])), 3)
    for match in dates._NUMERIC_BLANK.finditer(text):
        add(match, dates._iso(int(match["year"]), int(match["second"]), int(match["first"])), 3)
    for match in _plain(dates._MONTH_YEAR).finditer(text):
        month = dates._month_number(match.group("month"))
        if month is not None:
            add(match, dates._iso(int(match.group("year")), month), 2)
    for match in dates._YEAR_ONLY.finditer(text):
        add(match, dates._iso(int(match.group("year"))), 1)
    return sorted(found, key=lambda item: item.start)


_DATE_PIECES = st.sampled_from(
    [
        " ", " " * 45, "\n", "\t", "\u00a0", ",", ".", "/", "-", "(", "3", "12", "31", "2011", "1999", "1600",
        "3 ноября", "ноября", "года", "г.", "г", "May", "Sept.", "3rd", "қазан", "жылғы", "ЖЫЛҒЫ", "Ж.", "ж",
        "15.01", "05.03.", "2019-05-09", "07/28/2020", "x" * 30, "Таможенный союз", "http://a.kz/2011/05/03.html",
        "www.a2012.kz",
    ]
)  # fmt: skip


@given(st.lists(_DATE_PIECES, max_size=30).map("".join))
@settings(max_examples=500, deadline=None)
def test_find_dates_searches_less_and_finds_the_same(text: str) -> None:
    """find_dates searches each pattern only from a little before the first year, up to the last non-blank, and
    only when the text holds what the pattern needs ("-", ".", "ж"…); its dates are those of the plain search."""
    assert find_dates(text) == _plain_find_dates(text)


_NEAR_YEAR_PIECES = st.sampled_from(
    [
        " ", "  ", " " * 30, "\n", ",", ".", "/", "-", "–", "3", "12", "31", "2011", "2012", "20125", "1999",
        "-го", "th", "ноября", "Sept.", "May", "года", "г.", "г", "гг", "жылғы", "ж.", "қазан", "yil", "x" * 25,
        "15.01", "1.1.", "2019-05-09", "07/28/", "http://a.kz/2011/05/03.html", "(", "«", "_",
    ]
)  # fmt: skip


@given(st.lists(_NEAR_YEAR_PIECES, max_size=24).map("".join))
@settings(max_examples=1500, deadline=None)
def test_find_dates_searched_around_each_year_finds_the_same(text: str) -> None:
    """find_dates searches each pattern only in stretches around the years where the pattern can hold them
    (the blanks, year words and digits next to a year decide where a stretch ends); its dates are still those
    of the plain search."""
    assert find_dates(text) == _plain_find_dates(text)


@pytest.mark.parametrize(
    "text",
    [
        "3" + " " * 50 + "ноября" + " " * 50 + "2012" + " " * 50 + "года",  # a date spread over many blanks
        "3 ноября 2012 года 5 мая 2013 г. 7 июня 2014 ж.",  # stretches that touch are one
        "2012 20125 3 мая 20126 2013",  # numbers of five digits are no years
        "3 мая 2011 г" + "x" * 40 + " 1.1.2012, 05.03. 2019 2019-05-09",
    ],
)
def test_find_dates_around_years(text: str) -> None:
    assert find_dates(text) == _plain_find_dates(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 ноября" + " " * 60 + "2012 года", "2012-11-03"),  # blanks between the day and the year
        ("x" * 80 + " 3 ноября 2012", "2012-11-03"),  # a date far into the text
        ("Таможенный союз: за и против, 3 ноября 2012 года" + " " * 40, "2012-11-03"),
        ("2012 жылғы 5 мамыр", "2012-05-05"),
        ("2012 ЖЫЛҒЫ 5 мамыр", "2012-05-05"),
        ("x" * 50 + " 3" + " " * 30 + "сентября," + " " * 20 + "2012", "2012-09-03"),  # its day 40 blanks back
    ],
)
def test_dates_far_from_the_text_start_or_end(text: str, expected: str) -> None:
    assert find_date(text) == expected
    assert find_dates(text) == _plain_find_dates(text)
