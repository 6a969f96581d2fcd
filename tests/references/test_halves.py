"""Splitting notes into language halves, naming their languages, and pairing Russian and English lists."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import Half
from linkaudit.references import halves
from linkaudit.references.halves import (
    bibliographic_fields,
    is_translation_list,
    language_of,
    names_match,
    pair_neighbours,
    split_halves,
    split_point,
)
from linkaudit.references.notes import Note
from linkaudit.references.urls import find_urls


def _halves(text: str) -> tuple[Half, ...]:
    return split_halves(text, find_urls(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Л. Танаева. «Россия возвращает свои позиции в Центральной Азии», Радио «Азаттық», 2012", "ru"),
        ("Қазақстан Республикасының Ұлттық банкі, жылдық есеп", "kk"),
        ("Ўзбекистон Республикаси Президентининг қарори", "uz"),
        ("Ҷумҳурии Тоҷикистон, Душанбе, соли 2012", "tg"),
        ("Customs Union: pros and cons", "en"),
        ("2012, 33 (161)", "und"),
    ],
)
def test_language_codes(text: str, expected: str) -> None:
    assert language_of(text) == expected


def test_split_at_the_parenthesized_translation() -> None:
    text = (
        "«Таможенный Союз: за и против», Новости Атырау, 2012, http://bisnews.kz "
        "(“Customs Union: pros and cons”, 2012, http://bisnews.kz)."
    )
    ru, en = _halves(text)
    assert (ru.lang, en.lang) == ("ru", "en")
    assert ru.text == "«Таможенный Союз: за и против», Новости Атырау, 2012, http://bisnews.kz"
    assert en.text == "“Customs Union: pros and cons”, 2012, http://bisnews.kz"
    assert ru.urls == en.urls == ("http://bisnews.kz",)


def test_split_at_a_bracketed_in_russ_translation_past_cyrillic_brackets() -> None:
    text = (
        "Щуркова, Н.Е. Практикум [Текст] / Н.Е. Щуркова. – М., 1998. "
        "[Shchurkova, N.E. Workshop [Tekst] / N.E. Shchurkova. – M., 1998. (In Russ.)]"
    )
    point = split_point(text)
    assert point is not None and text[point:].startswith("[Shchurkova")
    ru, en = _halves(text)
    assert en.text == "Shchurkova, N.E. Workshop [Tekst] / N.E. Shchurkova. – M., 1998. (In Russ.)"


def test_parentheses_inside_the_original_do_not_split() -> None:
    text = (
        "«Ерлан Карин», Газета, № 33 (161), 27 сентября 2012 года "
        "(“Erlan Karin”, Newspaper, № 33 (161), 2012)"
    )
    ru, en = _halves(text)
    assert ru.text.endswith("27 сентября 2012 года")
    assert en.text.startswith("“Erlan Karin”")


def test_unclosed_translation_and_latin_only_notes() -> None:
    ru, en = _halves(
        "Л. Танаева. «Россия», 14 февраля 2012 года, http://rus.azattyq.org "
        "(L. Tanaeva, “Russia regains”, 14 February, 2012, Radio"
    )
    assert en.text == "L. Tanaeva, “Russia regains”, 14 February, 2012, Radio"
    assert en.urls == () and ru.urls == ("http://rus.azattyq.org",)
    (only,) = _halves("J. Mankoff (eds.), “Russian Foreign Policy”, Rowman & Littlefield, 2009, p.79.")
    assert only.lang == "en" and only.authors == "J. Mankoff (eds.)"


def test_a_mostly_latin_text_with_a_russian_word_is_not_split() -> None:
    (only,) = _halves("See the 'Литература' page of the site (RnDFlow platform docs, later translated to English only)")
    assert only.lang == "en"


def test_body_paragraphs_are_not_split() -> None:
    text = "Статья о союзе (Customs Union: pros and cons, weekly review) http://bisnews.kz"
    assert len(split_halves(text, find_urls(text), split=False)) == 1
    assert len(split_halves(text, find_urls(text))) == 2


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("Бейли А. Эзотерическая психология. Трактат о семи лучах. М.: Амрита, 2012",
         ("Бейли А.", "Эзотерическая психология. Трактат о семи лучах", "Амрита")),
        ("Монахова, Г.А., Монахов, Д.Н. Социологический мониторинг кадров/ Г.А. Монахова// "
         "Социология образования. - 2015.",
         ("Монахова, Г.А., Монахов, Д.Н.", "Социологический мониторинг кадров", "Социология образования")),
        ("«Узбекский эксперт пояснил»“, 12 News.uz, 15 апреля 2013 года",
         (None, "Узбекский эксперт пояснил", "12 News.uz")),
        ("Vladimir Putin, “A new project”, “Izvestia”, 3 October 2011",
         ("Vladimir Putin", "A new project", "Izvestia")),
    ],
)
def test_bibliographic_fields(text: str, fields: tuple[str | None, str | None, str | None]) -> None:
    assert bibliographic_fields(text) == fields


@pytest.mark.parametrize(
    ("russian", "english", "same"),
    [
        ("Каримов", "Karimov", True),
        ("Гурджиев", "Gurdjieff", True),
        ("Бейли", "Bailey", True),
        ("Николл", "Nicholl", True),
        ("Тогузбаев", "Toguzbayev", True),
        ("Бейли", "Burton", False),
        ("Гурджиев", "Gribanov", False),
    ],
)
def test_names_match_across_scripts(russian: str, english: str, same: bool) -> None:
    assert names_match(Half("ru", f"{russian} А. Книга", authors=f"{russian} А."),
                       Half("en", f"{english} A. Book", authors=f"{english} A.")) is same


def _note(number: str, text: str) -> Note:
    found = tuple(find_urls(text))
    return Note(number, text, int(number), found, split_halves(text, found))


def test_a_russian_list_and_its_english_list_pair_by_position() -> None:
    russian = [_note("1", "Бейли А. Эзотерическая психология. М.: Амрита, 2012."),
               _note("2", "Бертон Р.Э. Самовоспоминание. СПб: ИГ «Весь», 2011.")]
    english = [_note("1", "Bailey A. Esoteric Psychology. M .: Amrita, 2012."),
               _note("2", "Burton R.E. Self-remembering. SPb: IG Ves, 2011.")]
    assert is_translation_list(russian, english)
    assert not is_translation_list(russian, list(reversed(english)))
    assert not is_translation_list(russian, english[:1])
    assert not is_translation_list(english, russian)


def test_neighbours_pair_only_with_their_own_translation() -> None:
    notes = [
        _note("1", "E. V. Birialtsev, M.R.Galimov. http://a.example/x.pdf **Platform.** Journal, 2021."),
        _note("2", "Е. В. Биряльцев, М. Р. Галимов. http://b.example/y.pdf **Платформенный подход.** 2019."),
        _note("3", "Eugeniy V. Biryaltsev, Marat R. Galimov. http://b.example/z.pdf **The platform approach.** 2019."),
    ]
    paired = pair_neighbours(notes)
    assert [note.number for note in paired] == ["1", "2"]
    assert [h.lang for h in paired[1].halves] == ["ru", "en"]
    assert [f.url for f in paired[1].found] == ["http://b.example/y.pdf", "http://b.example/z.pdf"]
    second = paired[1].found[1]
    assert paired[1].text[second.start : second.end] == second.raw  # offsets follow the merged text


def test_a_paragraph_takes_only_a_quoted_title() -> None:
    quoted = (
        "Как писал автор в статье «Новый интеграционный проект для Евразии» (http://izvestia.ru/news/1), "
        "союз открыт."
    )
    (half,) = split_halves(quoted, find_urls(quoted), split=False)
    assert half.title == "Новый интеграционный проект для Евразии"
    assert half.authors is None
    assert half.urls == ("http://izvestia.ru/news/1",)
    english = 'The report "Customs Union: pros and cons" is at http://bisnews.kz/a/1 and elsewhere.'
    assert split_halves(english, find_urls(english), split=False)[0].title == "Customs Union: pros and cons"
    for sentence in (
        "The customs union is discussed at http://bisnews.kz/a/1 by many authors.",
        "Trade grew” after 2011, see http://bisnews.kz/a/2.",  # a closing mark alone quotes nothing
    ):
        (half,) = split_halves(sentence, find_urls(sentence), split=False)
        assert half.title is None
        assert (half.authors, half.outlet) == (None, None)


@pytest.mark.parametrize(
    ("text", "authors", "title", "outlet"),
    [
        (
            "Иванов И. И. Понятие «добро» в философии Канта // Вопросы философии. 2010. № 3.",
            "Иванов И. И.", "Понятие «добро» в философии Канта", "Вопросы философии",
        ),
        (
            "Сидоров С. «Добро» как категория этики // Журнал. 2012.",
            "Сидоров С.", "«Добро» как категория этики", "Журнал",
        ),
        (
            'Smith J. The idea of "good" in Kant, Philosophy Review, 2010',
            "Smith J.", 'The idea of "good" in Kant', "Philosophy Review",
        ),
        ("Каримов Б. «Таджикистан: выборы», Известия, 2011", "Каримов Б.", "Таджикистан: выборы", "Известия"),
    ],
)  # fmt: skip
def test_a_quoted_word_inside_a_title_is_not_the_whole_title(
    text: str, authors: str, title: str, outlet: str
) -> None:
    assert bibliographic_fields(text) == (authors, title, outlet)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Dupont J. La politique étrangère de la Russie. Revue française de science politique, 2010", "fr"),
        ("Müller K. Die Außenpolitik Russlands und der Westen. Zeitschrift für Politik, 2012", "de"),
        ("Dupré J. The history of the Caspian region. Journal of Politics, 2010", "en"),
        ("Ivanov I. Economic development of the regions. Moscow, Nauka, 2011. 240 p. (In Russ.)", "en"),
    ],
)
def test_a_latin_script_half_gets_french_or_german_when_it_is(text: str, lang: str) -> None:
    assert language_of(text) == lang
    assert split_halves(text)[0].lang == lang


# --- fast paths: the same answers as the plain definitions they shortcut -------------------------------------

_PIECES = st.sampled_from(
    [
        " ", ",", ", ", "«", "»", "“", "”", '"', "„", "Қазақстан", "қала", "Ўзбекистон", "ҳам", "тоҷик", "ӯ",
        "Россия", "новости", "News", "2012", "3 ноября", "http://example.kz/a,b", "(", ")", "әлем", "Ғ", "x",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=25).map("".join)


def _split_by_definition(text: str) -> list[str]:
    """Split at each comma whose next guillemet (if any) is not a closing one: the documented rule."""
    segments, start = [], 0
    for position, character in enumerate(text):
        if character != ",":
            continue
        following = [c for c in text[position:] if c in "«»"]
        if following and following[0] == "»":
            continue
        segments.append(text[start:position])
        start = position + 1
    return [*segments, text[start:]]


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_commas_are_split_outside_guillemets_with_or_without_any(text: str) -> None:
    assert halves._split_outside_guillemets(text) == _split_by_definition(text)


def _language_by_definition(text: str) -> str:
    words = [word for word in re.findall(r"\w+", text) if halves._CYRILLIC.search(word)]
    if not words:
        return "ru"

    def share(letters: set[str]) -> float:
        return sum(1 for word in words if letters & set(word)) / len(words)

    def marks(letters: set[str]) -> bool:
        count = sum(1 for word in words if letters & set(word))
        return share(letters) >= halves._LANGUAGE_SHARE or (count >= 3 and share(letters) >= halves._LANGUAGE_SHARE / 2)

    if marks(halves._TAJIK):
        return "tg"
    uzbek = halves._UZBEK | halves._UZBEK_OR_TAJIK
    if marks(uzbek) and not share(halves._KAZAKH) > share(uzbek):
        return "uz"
    return "kk" if marks(halves._KAZAKH | halves._KAZAKH_OR_UZBEK) else "ru"


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_a_cyrillic_text_without_other_alphabets_letters_is_russian_as_by_the_shares(text: str) -> None:
    """The shortcut (no Kazakh, Uzbek or Tajik letter at all: Russian) agrees with counting the words."""
    assert halves.cyrillic_language(text) == _language_by_definition(text)


@given(_TEXTS)
@settings(max_examples=300, deadline=None)
def test_quotation_marks_found_by_pattern_are_every_mark(text: str) -> None:
    """Titles are read from the marks the pattern finds: exactly the positions of every quotation mark."""
    marks = halves._OPEN_ALWAYS + halves._CLOSE_ALWAYS + halves._EITHER
    found = [match.start() for match in halves._QUOTE_MARK.finditer(text)]
    assert found == [position for position, character in enumerate(text) if character in marks]


# --- letters counted a word at a time: the counts of the plain definitions ---------------------------------------

_SCRIPT_PIECES = st.sampled_from(
    [
        " ", "(", "[", ")", "]", ",", ".", "Ё", "ё", "Известия", "ноября", "Қазақстан", "ӯ", "Vladimir", "Putin",
        "é", "ß", "les", "der", "und", "the", "Öffentlichkeit", "Ÿ", "2012", "http://izvestia.ru", "«", "»", "_",
        "ǅ", "Ω",
    ]
)  # fmt: skip
_SCRIPT_TEXTS = st.lists(_SCRIPT_PIECES, max_size=40).map("".join)


def _plain_split_point(text: str) -> int | None:
    masked = halves._mask_urls(text, find_urls(text))
    openings = [match.start() for match in re.finditer(r"[(\[]", masked)]
    cyrillic_at = [match.start() for match in halves._CYRILLIC.finditer(masked)]
    latin_at = [match.start() for match in halves._LATIN.finditer(masked)]
    if not openings or len(cyrillic_at) < 3:
        return None
    for position in openings:
        before = sum(1 for at in cyrillic_at if at < position)
        latin_before = sum(1 for at in latin_at if at < position)
        latin, cyrillic = len(latin_at) - latin_before, len(cyrillic_at) - before
        if before < 3 or before <= latin_before or latin < halves._SPLIT_MIN_LATIN:
            continue
        if cyrillic <= max(2, halves._SPLIT_MAX_CYRILLIC_SHARE * (latin + cyrillic)):
            return position
    return None


@given(_SCRIPT_TEXTS)
@settings(max_examples=400, deadline=None)
def test_split_point_and_language_count_letters_as_the_plain_definitions_do(text: str) -> None:
    assert split_point(text, find_urls(text)) == _plain_split_point(text)
    assert halves._letters(halves._CYRILLIC_RUN, text) == len(halves._CYRILLIC.findall(text))
    assert halves._letters(halves._LATIN_RUN, text) == len(halves._LATIN.findall(text))
    words = halves._LATIN_WORD.findall(text.lower())
    for _markers, letters in halves._LATIN_LANGUAGES.values():
        assert halves._words_with(words, letters) == sum(1 for word in words if letters & set(word))


@given(_SCRIPT_TEXTS)
@settings(max_examples=400, deadline=None)
def test_each_halfs_language_is_read_from_its_own_letters(text: str) -> None:
    """split_halves names each half's language from the letters the split point counted: the halves are those
    made when language_of counts each half's letters afresh."""
    from unittest import mock

    found = find_urls(text)
    split = halves._split
    with mock.patch.object(halves, "_split", lambda masked: (split(masked)[0], None)):
        afresh = split_halves(text, found)
    assert split_halves(text, found) == afresh


_CITY_PIECES = st.sampled_from(
    [" ", " " * 40, "\t", "\n", ".", ",", ":", "–", "-", "М", "Москва", "СПб", "St.", "Petersburg", "New", "York",
     "N.", "Y", "London", "x", "Наука", "//", "/", "[", "—", "2012"]
)  # fmt: skip


@given(st.lists(_CITY_PIECES, max_size=30).map("".join))
@settings(max_examples=500, deadline=None)
def test_possessive_blanks_find_what_backtracking_blanks_find(text: str) -> None:
    """``_CITY`` and ``_TITLE_STOPS`` take their blanks possessively; they match where the plain patterns do."""
    city = re.compile(rf"(?:^|[.,]\s*|\s–\s)(?:{halves._CITIES})\s*(?:\.\s*)?:\s*", re.IGNORECASE)
    stops = re.compile(r"(?<!\s)\s*//|(?<!/)\s/\s?(?!/)|(?<=\S)/\s|\s\[|\s[–—]\s|\.\s+-\s")
    assert [m.span() for m in halves._CITY.finditer(text)] == [m.span() for m in city.finditer(text)]
    assert [m.span() for m in halves._TITLE_STOPS.finditer(text)] == [m.span() for m in stops.finditer(text)]


@pytest.mark.parametrize("blank", ["", " ", " " * 40, "\n\t ", "\u00a0\u2028", "\f"])
def test_a_half_of_urls_only_reads_as_the_fields_of_its_blanks(blank: str) -> None:
    """A half that is nothing but URLs (masked to blanks) skips the readers: this is what they give for it."""
    assert bibliographic_fields(blank) == (None, None, None)
    assert halves.quoted_title(blank) is None
    assert halves.citation_dates(blank) == (None, None)
    assert language_of(blank) == "und"
    (found,) = find_urls("http://a.kz/x")
    half = halves.describe("http://a.kz/x", blank, [found], 0)
    assert half == Half("und", "http://a.kz/x", urls=("http://a.kz/x",))
    assert half.text is found.url or half.text == found.url


def test_display_text_of_a_plain_half_is_the_text_itself() -> None:
    raw = "http://a.kz/x"
    assert halves._display(raw, find_urls(raw), 0) is raw
    assert halves._display("a  b", (), 0) == "a b"


@given(st.lists(_CITY_PIECES, max_size=20).map("".join), st.integers(min_value=0, max_value=30))
@settings(max_examples=500, deadline=None)
def test_gost_signs_before_a_position_as_the_full_searches_find_them(text: str, limit: int) -> None:
    gost = halves._GOST_MARKS.search(text) or halves._CITY.search(text)
    assert halves._gost_from(text, limit) is (gost is not None and gost.start() <= limit)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("x, М.: Наука", 1, True),  # the city's match starts at the comma before it: at the limit
        ("x, М.: Наука", 0, False),
        ("М.: Наука", 0, True),  # at the very start
        ("«Т», 2012. Москва: Наука", 7, False),  # its city well after the quoted title
        ("«Т» / А. Б. — М.: Наука", 0, False),  # the GOST mark after the title decides, not the city
    ],
)
def test_gost_signs_at_the_limit(text: str, limit: int, expected: bool) -> None:
    gost = halves._GOST_MARKS.search(text) or halves._CITY.search(text)
    assert (gost is not None and gost.start() <= limit) is expected
    assert halves._gost_from(text, limit) is expected


def test_the_letter_patterns_find_exactly_their_sets_letters() -> None:
    """The languages' own letters are searched for with patterns: each finds every letter of its set, and no
    other character (the Basic Multilingual Plane, one character at a time)."""
    pairs = [(halves._NON_RUSSIAN_LETTER, halves._NON_RUSSIAN)]
    pairs += [(halves._LATIN_LETTERS[name], letters) for name, (_, letters) in halves._LATIN_LANGUAGES.items()]
    for pattern, letters in pairs:
        found = {character for character in map(chr, range(0x10000)) if pattern.search(character)}
        assert found == set(letters)
