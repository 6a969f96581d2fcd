"""Shortcuts in the per-note path checked against the plain computation they stand for: the memo of web-link
validation (urls._tail_size), the split of an outlet's text at commas outside «…» (halves), the city probes of
halves._gost_from, the URL hint of dates._blank_urls, the link runs of urls._link_runs, is_homepage reading a
URL in normal form as it is, the frame-stamp test of notes._furniture (and of the whole text, _may_hold_stamp),
find_dates stopping once every year is in a date, citation_dates without an access phrase, the quick ratio of
two titles from their character counts (notes._quick_ratio), note starts tried by their first character, and a
half's display text read without its URLs when none was repaired (halves._display), and a Latin-script half
without French or German words or letters read as English at once (halves.latin_language), and breaking
invisibles read as blanks without an edit each (urls._prepare), and a URL's next piece on its line given up on
by its first character (urls._join_next), and the URL-line pattern of notes._furniture tried only on lines that
would be furniture."""

from __future__ import annotations

import random
import re
from difflib import SequenceMatcher
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from linkaudit.models import FoundUrl, Repair
from linkaudit.references import dates, halves, notes
from linkaudit.references.dates import _URL_HINT, find_dates
from linkaudit.references.halves import _CITY, _GOST_MARKS, _gost_from, _split_outside_guillemets
from linkaudit.references.urls import (
    _LINK_RUN,
    LANDING_PAGES,
    LANGUAGE_SEGMENTS,
    _detector,
    _link_patterns,
    _link_runs,
    _tail_size,
    _web_schemes,
    find_urls,
    is_homepage,
    normalize_url,
)

CORPUS = Path(__file__).parents[3] / "shared" / "corpus" / "linkify-it"


def _plain_split(text: str) -> list[str]:
    """The split as first written: a comma is inside when the next guillemet after it is ``»``."""
    inside = [False] * len(text)
    closing_next = False
    for position in range(len(text) - 1, -1, -1):
        if text[position] in "«»":
            closing_next = text[position] == "»"
        inside[position] = closing_next
    segments: list[str] = []
    start = 0
    for position, character in enumerate(text):
        if character == "," and not inside[position]:
            segments.append(text[start:position])
            start = position + 1
    segments.append(text[start:])
    return segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("», Новости Атырау, 3 ноября 2012 года,", ["»", " Новости Атырау", " 3 ноября 2012 года", ""]),
        ("«a, b», c", ["«a, b»", " c"]),
        ("a, «b, «c, d» e», f", ["a", " «b", " «c, d» e»", " f"]),
        ("x » y, z", ["x » y", " z"]),
        ("«", ["«"]),
        ("", [""]),
    ],
)
def test_split_outside_guillemets(text: str, expected: list[str]) -> None:
    assert _split_outside_guillemets(text) == expected == _plain_split(text)


def test_split_outside_guillemets_is_the_plain_split_on_random_text() -> None:
    generator = random.Random(7)
    for _ in range(20_000):
        text = "".join(generator.choice("«»,, a»«") for _ in range(generator.randint(0, 16)))
        assert _split_outside_guillemets(text) == _plain_split(text), text


def _lines() -> list[str]:
    lines = ["see http://example.com/a.b, then (https://x.org/?q=1!) and ftp://h.net/f.", "http://a.b.c. x"]
    for name in ("links.txt", "not_links.txt"):
        path = CORPUS / name
        if path.is_file():
            lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


def _with_blanks(line: str, generator: random.Random) -> str:
    """``line`` with a few characters after its URLs' ends turned into the blanks linkify-it knows."""
    characters = list(line)
    for _ in range(3):
        if characters:
            characters[generator.randrange(len(characters))] = generator.choice(" \t\n\u00a0\u2003\x85\u3000")
    return "".join(characters)


def test_tail_size_is_what_linkify_it_validates() -> None:
    """Every scheme in every run of linkify-it's fixtures (and of the same lines with blanks put in): the memoized
    answer is the validator's over the whole text. Without the shared corpus, two built-in lines are checked."""
    detector = _detector()
    _schemes, _fuzzy, scheme_at = _link_patterns()
    generator = random.Random(3)
    checked = web = 0
    for line in _lines():
        for text in (line, _with_blanks(line, generator), line + "\n", line + "."):
            for run in _LINK_RUN.finditer(text):
                for found in scheme_at.finditer(text, run.start(), run.end()):
                    name = found.group()
                    expected = detector.test_schema_at(text, name, found.end())
                    assert _tail_size(text, name, found.end(), run.end()) == expected, (text, name)
                    assert _tail_size(text, name, found.end(), run.end()) == expected, (text, name)  # memoized
                    checked += 1
                    web += name.lower() in _web_schemes()
    assert web > (100 if (CORPUS / "links.txt").is_file() else 10) and checked > web  # the two built-in lines alone


def test_web_schemes_are_those_linkify_it_validates_as_links() -> None:
    assert _web_schemes() == {"http:", "https:", "ftp:"}


def test_a_long_tail_is_validated_without_the_memo() -> None:
    text = "http://example.com/" + "a" * 5_000 + " next"
    run = next(_LINK_RUN.finditer(text))
    assert _tail_size(text, "http:", 5, run.end()) == run.end() - 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 ноября 2012 года", ["2012-11-03"]),
        ("3 ноября 2012 года, переиздано 2013", ["2012-11-03", "2013"]),
        ("3 November, 2012, 05.03.2014", ["2012-11-03", "2014-03-05"]),
        ("3 ноября 2012 года и 4 ноября 2013 года", ["2012-11-03", "2013-11-04"]),
    ],
)
def test_find_dates_goes_on_while_a_year_is_left(text: str, expected: list[str]) -> None:
    assert [found.iso for found in find_dates(text)] == expected


def test_tail_size_reads_no_blank_class_differently_from_the_end() -> None:
    """The premise of the memo: every character Python's ``\\s`` matches is one linkify-it's patterns take as a
    blank (its ``src_ZCc``)."""
    blank = re.compile(_detector().re["src_ZCc"])
    assert all(blank.match(chr(code)) for code in range(0x3001) if chr(code).isspace() or re.match(r"\s", chr(code)))


def test_gost_from_is_the_plain_search_near_the_start() -> None:
    """_gost_from probes only the positions where a city's match can start: its answer is the plain search's."""
    pieces = ["М.:", "М", ".", ",", " ", "\u00a0", " – ", "Москва", ": ", "СПб", "«", "x", "1", "\n", "/", " / ", "Л."]
    generator = random.Random(11)
    for _ in range(20_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 8)))
        for limit in range(0, 9):
            found = _GOST_MARKS.search(text) or _CITY.search(text)
            assert _gost_from(text, limit) == (found is not None and found.start() <= limit), (text, limit)


def test_url_hint_matches_as_the_case_insensitive_pattern() -> None:
    plain = re.compile(r"https?://|www\.|\.(?:html?|php|aspx?)", re.IGNORECASE)
    pieces = ["h", "H", "ttp", "TTPS", "ſ", "://", "w", "W", "ww.", "WW.", ".", "htm", "HTML", "pHp", "aSpx", "x", " "]
    generator = random.Random(5)
    for _ in range(20_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 8)))
        one, other = _URL_HINT.search(text), plain.search(text)
        assert (one and one.span()) == (other and other.span()), text
    first_letters = {chr(code) for code in range(0x110000) if re.match("[hw]", chr(code), re.IGNORECASE)}
    assert first_letters == set("hHwW")


def _plain_is_homepage(url: str) -> bool:
    """is_homepage as first written: the URL normalized, then its path read."""
    try:
        normalized = normalize_url(url)
    except ValueError:
        return False
    parts = urlsplit(normalized)
    if parts.query or parts.fragment:
        return False
    segments = [segment for segment in parts.path.lower().split("/") if segment]
    if not segments:
        return True
    if len(segments) > 2:
        return False
    *languages, last = segments
    return all(segment in LANGUAGE_SEGMENTS for segment in languages) and (
        last in LANGUAGE_SEGMENTS or last in LANDING_PAGES
    )


@pytest.mark.parametrize("scheme", ["http", "https", "HTTP", "ftp"])
@pytest.mark.parametrize(
    "host", ["example.kz", "127.0.0.3:8080", "a.kz:80", "a.kz:443", "a.kz:99999", "doi.org", "Пример.рф"]
)
@pytest.mark.parametrize(
    "path",
    ["", "/", "/ru", "/ru/", "/en/main", "/index.php", "/doc/1.html", "/a/b/c", "/ru/?q=1", "/#!x", "/#x", "/Ru/Main"],
)
def test_is_homepage_is_the_plain_reading(scheme: str, host: str, path: str) -> None:
    url = f"{scheme}://{host}{path}"
    assert is_homepage(url) == _plain_is_homepage(url)


def test_is_homepage_of_simple_urls() -> None:
    assert is_homepage("http://127.0.0.3:8080") and is_homepage("https://a.kz/ru/") and is_homepage("http://a.kz/en/main")
    assert not is_homepage("http://127.0.0.3:8080/doc/1.html") and not is_homepage("http://a.kz/a/b/c")


def _texts() -> list[str]:
    texts = _lines()
    shared = CORPUS.parent
    for folder in ("bilingual", "real"):
        for path in sorted((shared / folder).glob("*")) if (shared / folder).is_dir() else []:
            if path.suffix in (".txt", ".md", ".bib"):
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


@pytest.mark.parametrize(
    "text",
    ["", " ", "a.b", " a.b", "a  b.c", "x\n\u00a0y:z", "abc def", "http://a.kz/x y", ".", " /", "a\u2003b/c d", "\tw."],
)
def test_link_runs_are_the_lookbehind_pattern_s(text: str) -> None:
    assert list(_link_runs(text)) == [match.span() for match in _LINK_RUN.finditer(text)]


def test_link_runs_on_the_fixtures_and_random_text() -> None:
    generator = random.Random(13)
    texts = _texts()
    for _ in range(5_000):
        texts.append("".join(generator.choice("ab.:/ \n\u00a0\u3000x") for _ in range(generator.randint(0, 30))))
    for text in texts:
        assert list(_link_runs(text)) == [match.span() for match in _LINK_RUN.finditer(text)]


@pytest.mark.parametrize(
    "stamp",
    ["Взам. инв. № 12", "ВЗАМ.ИНВ 3", "Подп. и дата", "ПОДП И ДАТА 2020", "Инв. № подл.", "Изм. Лист 4", "№ докум."],
)
def test_frame_stamps_near_page_breaks_are_furniture(stamp: str) -> None:
    """With page breaks, a line is looked at by the stamp pattern only when ``_may_be_stamp`` lets it: every stamp
    form still is furniture, an ordinary line is not."""
    lines = ["Первая строка текста.", stamp, "Вторая строка текста, другая.", "Обычная строка без штампа."]
    furniture = notes._furniture(lines, [False, True, False, True], [False] * len(lines))
    assert furniture == [False, True, False, False]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("a", "a"),
        ("aaaa", "a"),
        ("a", "aaaa"),
        ("abc", "xyz"),
        ("таможенный союз", "customs union"),
        ("таможенный союз за и против", "таможенный союз: за и против"),
        ("aab ba", "ab"),
        ("", ""),
        ("", "ab"),
    ],
)
def test_quick_ratio_is_difflib_s(a: str, b: str) -> None:
    assert notes._quick_ratio(a, b) == SequenceMatcher(None, a, b).quick_ratio()


def _plain_similar(firsts: list[str], seconds: list[str]) -> bool:
    """notes._similar as first written: a fresh matcher for each pair, its own quick_ratio asked first."""
    for a in firsts:
        for b in seconds:
            if len(a) < 8 or len(b) < 8 or 2.0 * min(len(a), len(b)) / (len(a) + len(b)) < 0.85:
                continue
            matcher = SequenceMatcher(None, a, b)
            if matcher.quick_ratio() >= 0.85 and matcher.ratio() >= 0.85:
                return True
    return False


def test_similar_titles_by_the_character_counts_are_difflib_s() -> None:
    """_quick_ratio from each title's character counts is SequenceMatcher.quick_ratio to the last bit, so the
    titles _similar finds alike (with matchers kept, as _drift does, or without) are those of difflib alone."""
    generator = random.Random(17)
    words = ["customs", "union", "pros", "and", "cons", "таможенный", "союз", "за", "и", "1", "2012", "аа", "a"]
    titles = []
    for _ in range(400):
        title = " ".join(generator.choice(words) for _ in range(generator.randint(1, 7)))
        if generator.random() < 0.5:  # a typo, a dropped or a doubled character: near misses of the threshold
            position = generator.randrange(len(title))
            title = title[:position] + generator.choice(["", "x", title[position] * 2, "ё"]) + title[position + 1 :]
        titles.append(title)
    for a in titles[:80]:
        for b in titles:
            assert notes._quick_ratio(a, b) == SequenceMatcher(None, a, b).quick_ratio()
    matchers: dict[str, SequenceMatcher[str]] = {}
    for index in range(0, len(titles) - 4, 2):
        firsts, seconds = titles[index : index + 2], titles[index + 2 : index + 5]
        expected = _plain_similar(firsts, seconds)
        assert notes._similar(firsts, seconds) == expected
        assert notes._similar(firsts, seconds, matchers) == expected
    assert any(_plain_similar([a], [b]) for a in titles[:40] for b in titles if a != b)  # some pairs are alike


def _plain_note_start(line: str) -> tuple[object, ...] | None:
    """notes._note_start as first written: every pattern of ``_STARTS`` tried in turn."""
    for style, pattern in notes._STARTS:
        match = pattern.match(line)
        if match:
            label = match.groupdict().get("label") or ""
            if style is notes.ListStyle.SUPERSCRIPT:
                label = label.translate(notes._SUPERSCRIPT_TABLE)
            return (style, label, match.group("rest"), len(match.group("indent").expandtabs()))
    return None


@pytest.mark.parametrize(
    "line",
    [
        "", " ", "1. a", "  12) b", "[3] c", "[^n]: d", "    [^n]: e", "¹ f", "²³x", "- g", "    - h", "• i", "+j",
        "* k", "٣. l", "\u00a01. m", "1.5 n", "[x] o", "[^]: p", "a. q", "\t2. r", "1.", "[1]", "-", "—  s", "1)t",
    ],
)
def test_note_start_tries_only_the_patterns_its_first_character_allows(line: str) -> None:
    start = notes._note_start(line)
    plain = _plain_note_start(line)
    assert (start.style, start.label, start.rest, start.indent) == plain if start is not None else plain is None


def test_note_start_on_random_lines() -> None:
    generator = random.Random(19)
    pieces = ["1", "12", "٣", "²", ".", ")", "[", "]", "^", ":", " ", "\t", "\u00a0", "-", "*", "•", "+", "a", "Б"]
    for _ in range(20_000):
        line = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 8)))
        start = notes._note_start(line)
        plain = _plain_note_start(line)
        assert (start.style, start.label, start.rest, start.indent) == plain if start is not None else plain is None


def test_a_text_without_stamp_signs_has_no_line_that_may_be_a_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    """_may_hold_stamp of a text says yes whenever _may_be_stamp says yes of one of its lines (its slices overlap
    by a character: slices of 3 here, so that signs fall across their edges), and the furniture of lines told
    ``stamps=False`` is that of the lines asked one by one."""
    monkeypatch.setattr(notes, "_STAMP_SLICE", 3)
    generator = random.Random(23)
    pieces = ["н", "Н", "в", "В", "д", "п", "П", "з", "м", "М", "№", "ᲀ", "ᲁ", "\n", "\f", " ", "a", "1", "Σ", "İ"]
    for _ in range(5_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        text = notes._MID_LINE_PAGE_BREAK.sub("\n\f", text)  # as the layout reads it: a page break ends a line
        lines = text.split("\n")
        if any(notes._may_be_stamp(line.replace("\f", "")) for line in lines):
            assert notes._may_hold_stamp(text)
        if not notes._may_hold_stamp(text):
            breaks = [generator.random() < 0.3 for _ in lines]
            headings = [False] * len(lines)
            assert notes._furniture(lines, breaks, headings, stamps=False) == notes._furniture(lines, breaks, headings)
    for stamp in ("Взам. инв. № 12", "ПОДП И ДАТА", "Изм. Лист"):
        assert notes._may_hold_stamp("x" * 5 + stamp)


def _plain_citation_dates(text: str) -> tuple[str | None, str | None]:
    """dates.citation_dates as first written: every date asked whether it is an access date."""
    spans = dates._access_spans(text)
    found = dates.find_dates(text)
    candidates = [item for item in found if not dates._is_access(item, spans)]
    accessed = next((item.iso for item in found if dates._is_access(item, spans)), None)
    if accessed is None and spans:
        accessed = dates._short_access_date(text, spans)
    if not candidates:
        return None, accessed
    best = max(item.precision for item in candidates)
    return next(item.iso for item in candidates if item.precision == best), accessed


def test_citation_dates_without_an_access_phrase_is_the_plain_reading() -> None:
    generator = random.Random(29)
    pieces = [" ", ", ", "3 ноября", "2012", " года", "May 5, 2011", "14.09.23", "12.03.2020", "дата обращения: ",
              "accessed ", "(", ")", "2019-05-09", "x", "URL: http://a.kz/2011/05/03.html", "March 2010"]  # fmt: skip
    for _ in range(5_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 8)))
        assert dates.citation_dates(text) == _plain_citation_dates(text)


def _plain_display(text: str, found: list[FoundUrl], offset: int) -> str:
    """halves._display as first written: every URL looked at (``_rejoined``), whether any was repaired or not."""
    shown = " ".join(halves._rejoined(text, found, offset).replace("**", "").split())
    return text if shown == text else shown


@pytest.mark.parametrize(
    "text",
    [
        "См. http://a.kz/x-\ny.html и **жирный** текст",
        "http://a.kz/x",
        "  два   пробела  http: //a.kz/y ",
        "URL: https://www.legislat ion.gov.uk/ukpga/2018/12/contents (дата обращения: 1.2.2020)",
        "a http://a.kz,http://b.kz b",
        "без ссылок\nв две строки",
    ],
)
def test_display_skips_the_urls_when_none_was_repaired(text: str) -> None:
    """The display text (and the URLs of a half: one URL is a tuple of it) are those of the plain reading, for
    every offset a half may start at."""
    found = find_urls(text)
    for offset in range(len(text) + 1):
        inside = [item for item in found if item.start >= offset]
        assert halves._display(text[offset:], inside, offset) == _plain_display(text[offset:], inside, offset)
    half = halves.describe(text, text, found, 0)
    assert half.urls == tuple(dict.fromkeys(item.url for item in found))


@pytest.mark.parametrize("line", ["", " ", "\t", "\u00a0", "\u3000 "])
def test_a_blank_line_is_no_heading(line: str) -> None:
    """The layout asks _is_heading only of lines that are not empty once rstripped, as every line it reads is."""
    assert not notes._is_heading(line)
    assert not notes._is_heading(line.rstrip())
    layout = notes.text_layout(f"Литература\n{line}\n1. Первая книга, 2012.\n{line}\n2. Вторая книга, 2013.\n")
    assert [entry.number for entry in layout.lists[0].entries] == ["1", "2"]


def _plain_latin_language(text: str) -> str:
    """halves.latin_language as first written: every language scored."""
    words = halves._LATIN_WORD.findall(text.lower())
    if not words:
        return "en"
    english = sum(map(halves._ENGLISH_WORDS.__contains__, words))
    joined = "".join(words)
    scores = {
        language: sum(map(markers.__contains__, words))
        + (0 if halves._LATIN_LETTERS[language].search(joined) is None else 2 * halves._words_with(words, letters))
        for language, (markers, letters) in halves._LATIN_LANGUAGES.items()
    }
    language, score = max(scores.items(), key=lambda item: item[1])
    return language if score >= 2 and score > english else "en"


def test_latin_language_without_a_language_s_words_or_letters_is_english() -> None:
    generator = random.Random(31)
    words = ["the", "of", "and", "le", "la", "des", "der", "die", "und", "für", "über", "été", "Straße", "news",
             "Customs", "union", "l'état", "ÉTÉ", "x", "2012", ",", " ", "«", "Ǆ", "ſ"]  # fmt: skip
    for _ in range(10_000):
        text = " ".join(generator.choice(words) for _ in range(generator.randint(0, 9)))
        assert halves.latin_language(text) == _plain_latin_language(text)
    assert halves.latin_language("Die Straße und der Fluss") == "de"
    assert halves.latin_language("Le droit de la mer et des États") == "fr"


_BREAKING = "\u00a0\u2007\u202f\u200b\u2060\ufeff"


def _edited_blanks(text: str) -> object:
    """urls._prepare of a text whose only edits are its breaking invisibles, as first written: each an edit of
    its own (a blank for it), the view made of pieces."""
    from linkaudit.references import urls as module

    edits = [module._Edit(match.start(), match.end(), " ") for match in module._BREAKING_INVISIBLES.finditer(text)]
    pieces: list[str] = []
    piece_starts: list[int] = []
    piece_origins: list[int] = []
    position = 0
    for edit in edits:
        if edit.start > position:
            piece_starts.append(position)
            piece_origins.append(position)
            pieces.append(text[position : edit.start])
        piece_starts.append(edit.start)
        piece_origins.append(edit.start)
        pieces.append(" ")
        position = edit.end
    if position < len(text) or not pieces:
        piece_starts.append(position)
        piece_origins.append(position)
        pieces.append(text[position:])
    starts = tuple(edit.start for edit in edits)
    return module._Prepared("".join(pieces), tuple(piece_starts), tuple(piece_origins), tuple(edits), starts, starts)


def test_a_breaking_invisible_is_read_as_a_blank_without_an_edit() -> None:
    """A text whose only edits would be its breaking invisibles (no-break and zero-width spaces…) is read with
    blanks in their place (one character for one: the same positions) and no edit: the detector's view and every
    URL found in it are those of the edits it had; among other edits, each is still an edit of its own."""
    from linkaudit.references import urls as module

    generator = random.Random(37)
    pieces = ["http://a.kz/x", "www.b.ru", "doi:", "10.1234/abc", "см.", "example.com/p", " ", ".", ",", "(", ")",
              "x", "\n", *_BREAKING, "\u00a0"]  # fmt: skip
    checked = 0
    for _ in range(3_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 10)))
        prepared = module._prepare(text)
        if prepared.edits or module._BREAKING_INVISIBLES.search(text) is None:
            continue
        checked += 1
        edited = _edited_blanks(text)
        assert prepared.text == edited.text  # type: ignore[attr-defined]
        for start, end, schema in module._links(prepared.text):
            for bare in (False, True):
                short = module._found_url(text, prepared, schema, start, end, bare)
                assert short == module._found_url(text, edited, schema, start, end, bare)  # type: ignore[arg-type]
    assert checked > 1_000
    assert find_urls("doi:\u00a010.1234/abc")[0].raw == "doi:\u00a010.1234/abc"
    mixed = "http:\u00a0//a.kz/x\u00a0y и http: //b.kz/\u00ad"
    edits = module._prepare(mixed).edits
    assert [edit.start for edit in edits if edit.replacement == " " and not edit.repairs] == [5, 14]


def test_join_next_gives_up_on_a_piece_that_cannot_continue_a_url() -> None:
    """_join_next stops at once before a piece whose first character _URL_CHARACTERS does not allow: the answer
    _blank_reading gives that piece (None) without cutting it out."""
    from linkaudit.references import urls as module

    generator = random.Random(41)
    firsts = ["(", "«", "“", "a", "Z", "0", "%", "_", "/", "-", ".", "?", "\u00a0", "\u2003", "б", "Ω", ")", "", "h"]
    rests = ["", "x", "ttp://b.kz", "/y", ".html", "=1", ")", " z", "\nq"]
    for _ in range(5_000):
        blanks = generator.choice(["", " ", "  ", "\t", "   "])
        text = "http://a.kz/doc" + generator.choice(["", "/", "-"]) + blanks
        text += generator.choice(firsts) + generator.choice(rests)
        end = module._token_end(text, 0)
        carried = text[:end]
        after = module._skip_blanks(text, end)
        expected = None
        if after < len(text) and text[after] in "\r\n\f":
            expected = module._join_line(text, carried, end, after)
        elif after < len(text) and after - end <= module._MAX_INNER_BLANKS:
            reading = module._blank_reading(carried, text[after : module._token_end(text, after)])
            if reading is not None:
                alternative = module._CUT if reading == "join?" else None
                expected = (module._Edit(end, after, "", (Repair.WHITESPACE,), alternative), after)
        assert module._join_next(text, carried, end) == expected


def _plain_furniture(lines: list[str], page_breaks: list[bool], headings: list[bool]) -> list[bool]:
    """notes._furniture as first written: every shape tried as a URL line first, every line's shape made."""
    from collections import Counter

    shapes = [notes._DIGITS.sub("0", " ".join(line.split())) for line in lines]
    near = notes._near_page_breaks(lines, page_breaks) if any(page_breaks) else [False] * len(lines)
    counts = Counter(shapes) if any(page_breaks) else Counter()
    near_counts = Counter(shape for shape, close in zip(shapes, near, strict=True) if close)
    furniture = []
    for index, shape in enumerate(shapes):
        if not shape or len(shape) < 6 or not any(character.isalpha() for character in shape):
            furniture.append(False)
        elif notes._URL_ONLY.match(shape):
            furniture.append(False)
        elif len(shape) <= notes._STAMP_LENGTH and notes._FRAME_STAMP.search(shape):
            furniture.append(True)
        else:
            repeated = counts[shape] >= 2 and near_counts[shape] >= 1
            furniture.append(repeated and not headings[index] and notes._note_start(lines[index]) is None)
    for index, line in enumerate(lines):
        if notes._PAGE_NUMBER.match(line):
            neighbours = [index - 1, index + 1]
            if page_breaks[index] or any(
                0 <= n < len(lines) and (not lines[n].strip() or furniture[n] or page_breaks[n]) for n in neighbours
            ):
                furniture[index] = True
    return furniture


def test_furniture_tries_the_url_pattern_only_on_lines_that_would_be_furniture() -> None:
    generator = random.Random(43)
    choices = ["Журнал «Вестник» № 5", "http://a.kz/x", "www.b.ru/page", "[12] http://c.kz/d", "Взам. инв. № 3",
               "Подп. и дата", "12", "", "1. Первая заметка", "Литература", "Running title 2020", "a.kz/x y",
               "Текст статьи о чём-то, 2019.", "- 7 -", "Изм. Лист http://d.kz/e"]  # fmt: skip
    for _ in range(3_000):
        lines = [generator.choice(choices) for _ in range(generator.randint(1, 14))]
        breaks = [generator.random() < 0.25 for _ in lines]
        headings = [notes._is_heading(line) for line in lines]
        assert notes._furniture(lines, breaks, headings) == _plain_furniture(lines, breaks, headings)
