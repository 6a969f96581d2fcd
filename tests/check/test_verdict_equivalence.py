"""The cheaper ways the verdict reads a page give what the plain ones gave: each is checked against the plain
computation kept here, and whole pages against their views and verdicts pinned before the change."""

from __future__ import annotations

import difflib
import hashlib
import random
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from linkaudit.check.fetch import extract_title
from linkaudit.check.verdict import (
    _ERROR_MARKER_INDEX,
    _ERROR_MARKERS,
    _FILLER_WORDS,
    _HOST_CLUES,
    _MACHINERY_PATTERNS,
    _MACHINERY_TAGS,
    _PARKING_HOSTS,
    _TITLE_SEPARATORS,
    ELEMENTS_READ,
    TITLE_TEXT_CHARS,
    PageView,
    _comparable,
    _elements,
    _fold,
    _fold_latin_text,
    _heading_marker,
    _opening,
    _outermost,
    _parking_machinery,
    _phrases_in,
    _regions,
    _same_resource,
    _select,
    _share_found,
    _similar,
    _squeeze,
    _words_match,
    classify,
    read_page,
)
from linkaudit.models import Link, Page

PAGES = Path(__file__).resolve().parent.parent / "assets" / "pages"
URL = "http://www.zp.kz/news/2010/06/10/customs-union.html"

# Markup where tag names are easy to get wrong: foreign content, templates, noscript, upper case, breakouts.
TRICKY = [
    "<svg><title>tooltip</title><script>var a;</script><h1>breaks out</h1></svg><title>real</title>",
    "<math><main>m</main><mi><article>a</article></mi></math><ARTICLE>b</ARTICLE>",
    "<template><meta property='og:title' content='x'><script>t</script><main>t</main></template><meta name=a>",
    "<noscript><iframe src='https://www.googletagmanager.com/ns.html'></iframe><h1>ns</h1></noscript>",
    "<frameset><frame src='http://bodis.com/'><frame src='/b'></frameset>",
    "<SCRIPT src=a.js></SCRIPT><IFRAME src=b></IFRAME><Script>c</Script><iframe src=d><p>x</iframe>",
    "<main><article><main>inner</main></article></main><article>side</article><main>second</main>",
    "<x:meta content=1><fb:title>f</fb:title><og:main>o</og:main><h1:x>h</h1:x><meta:x>",
    "<table><main>in a table</main><script>s</script></table><select><script>o</script></select>",
    "<head><script>a</script></head><body><header><h1>logo</h1><script>b</script></header>"
    "<iframe src=c></iframe><footer><script>d</script></footer></body>",
    "<p>" + "<article>a</article>" * (ELEMENTS_READ + 5) + "<main>late</main>",
    "<div>" * 40 + "<main>deep</main>" + "</div>" * 40 + "<article>after</article>",
    "",
    "plain text, no markup",
]


def asset_markup() -> list[str]:
    return [
        path.read_text(encoding="cp1251" if "cp1251" in path.name else "utf-8") for path in sorted(PAGES.glob("*.html"))
    ]


def same_nodes(first: list, second: list) -> bool:  # type: ignore[type-arg]
    return [node.mem_id for node in first] == [node.mem_id for node in second]


@pytest.mark.parametrize("markup", TRICKY + asset_markup())
def test_elements_found_by_tag_name_are_those_the_selector_finds(markup: str) -> None:
    tree = LexborHTMLParser(markup)
    for name in ("meta", "title", "h1", "script", "iframe", "frame", "main", "article"):
        assert same_nodes(tree.tags(name), tree.css(name)), name
    assert same_nodes(_elements(tree, _MACHINERY_TAGS), tree.css("script, iframe, frame"))
    assert same_nodes(_select(tree, "main, article, meta"), tree.css("main, article, meta"))
    assert same_nodes(_regions(tree), _outermost(tree.css("main, article")[:ELEMENTS_READ]))


def test_regions_are_read_in_document_order_when_both_kinds_stand_apart() -> None:
    tree = LexborHTMLParser("<article>first</article><main>second</main><article>third</article>")
    assert [node.text() for node in _regions(tree)] == ["first", "second", "third"]


def test_the_selector_of_each_thread_finds_alike() -> None:
    tree = LexborHTMLParser(TRICKY[5])
    found: list[list[int]] = []
    thread = threading.Thread(target=lambda: found.append([n.mem_id for n in _select(tree, "script, iframe")]))
    thread.start()
    thread.join()
    assert found == [[node.mem_id for node in tree.css("script, iframe")]] and len(found[0]) == 4


# ------------------------------------------------------------------------------------------- parking hosts


def test_every_parking_host_holds_a_clue() -> None:
    assert all(any(clue in host for clue in _HOST_CLUES) for host in _PARKING_HOSTS)


_MACHINERY_PIECES = [
    *_PARKING_HOSTS,
    "ww1.",
    "x",
    "-",
    ".",
    " ",
    "location",
    "location.href = '",
    "location.replace(\"",
    "/lander'",
    "https://ww12.",
    "/parking-lander",
    "/adsense/domains/caf.js",
    "'",
    "sedo",
    "park",
    "a-",
    "9",
]


@given(st.lists(st.sampled_from(_MACHINERY_PIECES), max_size=12).map("".join))
def test_parking_machinery_is_what_the_whole_pattern_finds(text: str) -> None:
    found = re.compile("|".join(_MACHINERY_PATTERNS)).search(text)  # the one alternation, searched whole
    assert _parking_machinery(text) == (found.group(0) if found else None)


# ------------------------------------------------------------------------------------------------ titles


def plain_opening(text: str) -> str:
    return _fold_latin_text(_squeeze(text[: 4 * TITLE_TEXT_CHARS])[:TITLE_TEXT_CHARS])


_GAPS = st.sampled_from([" ", " ", " ", "\n", "  \t", "\u00a0", "\n\n   "])
_WORDS = st.sampled_from(["Таможенный", "союз", "—", "it's", "ё", "", "x" * 7, "Каримов", "«ЕАЭС»", "2010"])


@given(st.lists(st.tuples(_WORDS, _GAPS), max_size=40), st.integers(1, 900), st.booleans())
def test_the_opening_is_the_top_of_the_squeezed_text(pieces: list[tuple[str, str]], repeat: int, lead: bool) -> None:
    text = (" " if lead else "") + "".join(word + gap for word, gap in pieces) * repeat
    assert _opening(text) == plain_opening(text)


@pytest.mark.parametrize("gap", [" ", "  ", " \n\t  ", "\n" * 7])
@pytest.mark.parametrize("word", ["слово", "x", "долгоедлинноеслово" * 3])
def test_the_opening_at_every_cut(gap: str, word: str) -> None:
    for length in range(TITLE_TEXT_CHARS - 40, TITLE_TEXT_CHARS + 40):
        text = (word + gap) * (4 * TITLE_TEXT_CHARS // len(word + gap) + 1)
        assert _opening(text[:length]) == plain_opening(text[:length])
        assert _opening(text[: 4 * length]) == plain_opening(text[: 4 * length])


def plain_share_found(cited_words: list[str], page_words: list[str]) -> float:
    available = set(page_words)
    found = sum(1 for word in cited_words if word in available or any(_words_match(word, o) for o in available))
    return found / len(cited_words)


_TITLE_WORDS = st.sampled_from(
    ["tamozhennyy", "tamozhennogo", "tamo", "tamozh", "soyuz", "soyuza", "2010", "v", "kazakhstan", "kaza", "a"]
)


@given(st.lists(_TITLE_WORDS, min_size=1, max_size=6), st.lists(_TITLE_WORDS, max_size=10))
def test_words_found_by_their_start_are_the_words_that_match(cited: list[str], page: list[str]) -> None:
    assert _share_found(cited, page) == plain_share_found(cited, page)


@given(st.text(st.sampled_from("abcdeё "), max_size=30), st.text(st.sampled_from("abcdeё "), max_size=30))
def test_similarity_without_a_matcher_for_the_bounds(first: str, second: str) -> None:
    ratio = difflib.SequenceMatcher(None, first, second).ratio()
    for threshold in (0.5, 0.8, 0.9):
        assert _similar(first, second, threshold) == (ratio >= threshold)


# ---------------------------------------------------------------------------------------------- headings


def plain_heading_marker(headings: list[str]) -> str | None:
    for heading in headings:
        for segment in [part for part in (_fold(p) for p in _TITLE_SEPARATORS.split(heading)) if part]:
            words = segment.split()
            for marker in _phrases_in(segment, _ERROR_MARKERS, _ERROR_MARKER_INDEX):
                remainder = list(words)
                for word in marker.split():
                    remainder.remove(word)
                content = [word for word in remainder if not word.isdigit() and word not in _FILLER_WORDS]
                if len(content) <= (0 if len(marker.split()) == 1 else 1):
                    return marker
    return None


_HEADING_PIECES = st.sampled_from(
    ["Страница не найдена", "404", "Not Found", "Упс!", "Сайт", " | ", " - ", "::", "«", "Новости", "ошибка", "12"]
)


@given(st.lists(st.lists(_HEADING_PIECES, max_size=6).map(" ".join), max_size=3))
def test_heading_markers_read_piece_by_piece(headings: list[str]) -> None:
    plain = plain_heading_marker(headings)
    found = _heading_marker(headings)
    assert (found is None) == (plain is None)
    if plain is not None:
        assert _fold(found or "") == plain


@pytest.mark.parametrize(
    ("first", "second"),
    [(URL, URL), (URL, URL.replace("http://www.", "https://")), (URL, URL + "?x=1"), ("http://[x", "http://[x")],
)
def test_the_same_address_is_the_same_resource(first: str, second: str) -> None:
    assert _same_resource(first, second) == (_comparable(first) == _comparable(second))


# ------------------------------------------------------------------------- whole pages, pinned beforehand

_WORDS_RU = "таможенный союз казахстан россия белоруссия пошлины рынок граждане закон бюджет".split()


def news(paragraphs: int, *, seed: int = 1, extra_head: str = "", extra_body: str = "") -> str:
    """A news page shaped like real ones (scripts, a menu, the article in <main>, an aside, a footer)."""
    rng = random.Random(seed)
    text = [" ".join(rng.choice(_WORDS_RU) for _ in range(40)).capitalize() + "." for _ in range(paragraphs)]
    body = "".join(f"<p>{line}</p>\n" for line in text)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<title>Таможенный союз вступил в силу | Новости</title>"
        "<meta property='og:title' content='Таможенный союз вступил в силу'>"
        "<script>window.dataLayer=[];" + "dataLayer.push({'e':1});" * 200 + "</script>"
        "<script async src='https://www.googletagmanager.com/gtag/js?id=G-1'></script>" + extra_head + "</head>"
        "<body><noscript><iframe src='https://www.googletagmanager.com/ns.html?id=GTM-1'></iframe></noscript>"
        "<header><nav>" + "".join(f"<a href='/s/{n}'>Раздел {n}</a>" for n in range(60)) + "</nav></header>"
        "<main><article><h1>Таможенный союз вступил в силу</h1><p>Как сообщает агентство, Астана и Москва"
        " подписали протокол.</p>" + body + "</article></main>"
        "<aside><h3>Читайте также</h3><article>Другое</article></aside>" + extra_body + "<footer>© 2010</footer>"
        "<script>(function(){var s=document.createElement('script');s.src='/c.js'})();</script></body></html>"
    )


PINNED_PAGES = {
    "long": news(120),
    "medium": news(8),
    "short": news(1),
    "parked": news(1, extra_head="<script src='http://sedoparking.com/frmpark/x.js'></script>"),
    "refresh": news(0, extra_head="<meta http-equiv='refresh' content='0; url=/'>"),
    "error": news(2).replace("<h1>Таможенный союз вступил в силу</h1>", "<h1>Страница не найдена</h1>"),
    "empty": "<html><head><title>App</title><script>render()</script></head><body><div id=app></div></body></html>",
}
TITLES = [
    (),
    ("Таможенный союз вступил в силу",),  # the title and the h1
    ("Tamozhennyy soyuz",),  # transliterated
    ("Другое название статьи", "Astana i Moskva podpisali protokol"),  # the second at the top of the text
    ("Другое название статьи",),
]

# The view (its text fields as digests) and the verdicts for each title, as the code before this file gave them.
PINNED: dict[str, tuple[str, list[str]]] = {
    'empty': (
        'App|()||e3b0c44298fc1c14|0|0|e3b0c44298fc1c14|255af889fe1d9a47|9|None',
        [
            'ok||None',
            'ok||False',
            'ok||False',
            'ok||False',
            'ok||False',
        ],
    ),
    'error': (
        "Таможенный союз вступил в силу | Новости|('Страница не найдена',)|Таможенный союз вступил "
        'в силу|d089d65fa2fe2d65|710|91|e3b0c44298fc1c14|63bf6f53f070f5f8|4992|None',
        [
            'soft_404|answered 200 with an error page («Страница не найдена»)|None',
            'soft_404|answered 200 with an error page («Страница не найдена»)|None',
            'soft_404|answered 200 with an error page («Страница не найдена»)|None',
            'soft_404|answered 200 with an error page («Страница не найдена»)|None',
            'soft_404|answered 200 with an error page («Страница не найдена»)|None',
        ],
    ),
    'long': (
        "Таможенный союз вступил в силу | Новости|('Таможенный союз вступил в силу',)|Таможенный со"
        'юз вступил в силу|d0aa7ecfc1d9b079|38819|801|e3b0c44298fc1c14|e3b0c44298fc1c14|0|None',
        [
            'ok||None',
            'ok||True',
            'ok||True',
            'ok||True',
            'ok||False',
        ],
    ),
    'medium': (
        "Таможенный союз вступил в силу | Новости|('Таможенный союз вступил в силу',)|Таможенный со"
        'юз вступил в силу|3fa48ffc922e46f4|2646|333|e3b0c44298fc1c14|63bf6f53f070f5f8|4992|None',
        [
            'ok||None',
            'ok||True',
            'ok||True',
            'ok||True',
            'ok||False',
        ],
    ),
    'parked': (
        "Таможенный союз вступил в силу | Новости|('Таможенный союз вступил в силу',)|Таможенный со"
        'юз вступил в силу|2afb413a0c8ead18|412|53|e3b0c44298fc1c14|5b872f97248d1272|5029|None',
        [
            'parked|the domain shows a parking or for-sale page (sedoparking.com)|None',
            'parked|the domain shows a parking or for-sale page (sedoparking.com)|None',
            'parked|the domain shows a parking or for-sale page (sedoparking.com)|None',
            'parked|the domain shows a parking or for-sale page (sedoparking.com)|None',
            'parked|the domain shows a parking or for-sale page (sedoparking.com)|None',
        ],
    ),
    'refresh': (
        "Таможенный союз вступил в силу | Новости|('Таможенный союз вступил в силу',)|Таможенный со"
        'юз вступил в силу|f0564dafdd04b07c|90|13|e3b0c44298fc1c14|c34ede2fd6155623|5000|http://www'
        '.zp.kz/',
        [
            'homepage_redirect|the deep link was redirected to the site root: http://www.zp.kz/|None',
            'homepage_redirect|the deep link was redirected to the site root: http://www.zp.kz/|None',
            'homepage_redirect|the deep link was redirected to the site root: http://www.zp.kz/|None',
            'homepage_redirect|the deep link was redirected to the site root: http://www.zp.kz/|None',
            'homepage_redirect|the deep link was redirected to the site root: http://www.zp.kz/|None',
        ],
    ),
    'short': (
        "Таможенный союз вступил в силу | Новости|('Таможенный союз вступил в силу',)|Таможенный со"
        'юз вступил в силу|2afb413a0c8ead18|412|53|e3b0c44298fc1c14|63bf6f53f070f5f8|4992|None',
        [
            'ok||None',
            'ok||True',
            'ok||True',
            'ok||True',
            'ok||False',
        ],
    ),
}


def digest(view: PageView) -> str:
    def short(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    return (
        f"{view.title}|{view.headings}|{view.og_title}|{short(view.main_text)}|{len(view.main_text)}|"
        f"{view.main_words}|{short(view.visible_text)}|{short(view.machinery)}|{len(view.machinery)}|"
        f"{view.refresh_target}"
    )


def judge(name: str) -> tuple[str, list[str]]:
    text = PINNED_PAGES[name]
    page = Page(url=URL, final_url=URL, http_status=200, content_type="text/html", text=text, title=extract_title(text))
    view = read_page(page, text.encode("utf-8"))
    assert read_page(page) == view
    verdicts = [classify(view, Link(url=URL, normalized=URL, references=("1",), cited_titles=t)) for t in TITLES]
    return digest(view), [f"{v.status.value}|{v.detail}|{v.title_match}" for v in verdicts]


@pytest.mark.parametrize("name", sorted(PINNED_PAGES))
def test_pages_read_and_judged_as_before(name: str) -> None:
    assert judge(name) == PINNED[name]
