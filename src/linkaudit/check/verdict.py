"""Judge honestly whether a 2xx answer is still the cited page: error pages served with 200 (soft 404s),
parking / for-sale pages, deep links bounced to the home page, moves, and whether the cited title survived.

Pure functions on a fetched ``Page`` (no I/O) so every rule can be tested on real-looking pages alone.
"""

from __future__ import annotations

import difflib
import re
import secrets
import string
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from anyascii import anyascii
from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

from ..models import Link, Page, is_text_type
from ..references.urls import is_homepage
from ..status import Status

SIMILARITY_THRESHOLD = 0.9  # looks_same: near-identical visible text (Bar-Yossef et al. 2004)
TITLE_MATCH_THRESHOLD = 0.8  # share of the cited title's words found on the page
SHORT_PAGE_WORDS = 250  # main text this short: body phrases count (an error page says little)
LONG_PAGE_WORDS = 800  # main text this long: a lone heading marker is an article's subject, not an error
PARKED_PAGE_WORDS = 400  # parking pages are short; a long page mentioning a parking service is an article
SIMILARITY_WORD_CAP = 20_000  # words compared per page in looks_same (keeps 2 MB pages fast)
TITLE_TEXT_CHARS = 5_000  # how much of the main text may carry the cited title


@dataclass(frozen=True)
class Verdict:
    status: Status
    detail: str
    title_match: bool | None


# --------------------------------------------------------------------------------------------- text folding

_APOSTROPHES = re.compile("['\u2018\u2019\u02bb\u02bc\u0060\u00b4]")
_NON_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """Case-, punctuation- and apostrophe-insensitive form in the original script (ё = е)."""
    text = _APOSTROPHES.sub("", text.casefold().replace("ё", "е"))
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=1024)  # a page's h1 is folded whole for the parking rule and again as a piece of its title
def _fold_heading(heading: str) -> str:
    """``_fold`` of a heading or a piece of one (at most ``HEADING_CHARS`` long)."""
    return _fold(heading)


@lru_cache(maxsize=32_768)
def _latin_word(word: str) -> str:
    return anyascii(word)


def _transliterate(text: str) -> str:
    """``anyascii`` word by word, remembering words already seen: a page's opening is thousands of characters
    and anyascii costs about a microsecond each, while news text repeats its words."""
    if text.isascii():
        return text
    return " ".join(_latin_word(word) if len(word) <= 40 else anyascii(word) for word in text.split())


def _fold_latin(text: str) -> str:
    """Like ``_fold`` but transliterated to ASCII, so «Каримов» and "Karimov" compare equal."""
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", _transliterate(text).casefold())).strip()


@lru_cache(maxsize=32_768)
def _fold_latin_word(word: str) -> str:
    return _fold_latin(word)


def _fold_latin_text(text: str) -> str:
    """``_fold_latin(text)``, folded word by word with the words already seen remembered: the same string, since
    folding never joins or splits across whitespace (a space is a non-word character like any other), at a
    dictionary look-up per word instead of two regular-expression passes over thousands of characters."""
    return " ".join(filter(None, map(_fold_latin_word, text.split())))  # words that fold to nothing left out


def _contains_phrase(folded_text: str, folded_phrase: str) -> bool:
    return f" {folded_phrase} " in f" {folded_text} "


def _phrase_index(phrases: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Positions in ``phrases`` (folded) by their first word: a phrase can be found in a folded text only when its
    first word is one of the text's words, so only those phrases need the substring test."""
    index: dict[str, list[int]] = {}
    for position, phrase in enumerate(phrases):
        first = phrase.split(maxsplit=1)[0] if phrase.strip() else ""
        index.setdefault(first, []).append(position)
    return {first: tuple(positions) for first, positions in index.items()}


def _phrases_in(folded_text: str, phrases: Sequence[str], index: dict[str, tuple[int, ...]]) -> list[str]:
    """The ``phrases`` that ``folded_text`` contains as whole words (``_contains_phrase``), in their order."""
    words = set(folded_text.split())
    words.add("")  # a phrase without words (none of the tables has one) is tested as it always was
    positions = sorted(position for word in words for position in index.get(word, ()))
    padded = f" {folded_text} "
    return [phrases[position] for position in positions if f" {phrases[position]} " in padded]


# ------------------------------------------------------------------------------------------- page reading

PARSE_CHARS = 2 * 1024 * 1024  # characters of a page the parser reads (fetch already caps the body)
VIEW_TEXT_CHARS = 100_000  # main text kept for the rules (words are counted on all of it)
MACHINERY_CHARS = 64 * 1024  # script and frame text kept for the parking check
HEADING_CHARS = 1_000  # a title or h1 longer than this is not a heading worth reading whole
HEADINGS_READ = 20
ELEMENTS_READ = 200  # <meta>, <script> and frame elements looked at per page
SAFE_TAGS = 8_000  # a page with fewer tags parses in bounded time however they nest
MAX_NESTING = 400  # deeper than this, the rest of the page is not parsed (see ``_nesting_cut``)

_MARKUP_SNIFF = re.compile(r"<(?:!doctype|html|head|body|title|div|p|h1)\b", re.IGNORECASE)
_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'"\s>;]+)""", re.IGNORECASE)
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]{0,31})")
_INVISIBLE = ["script", "style", "template", "svg", "noscript"]
_AROUND_MAIN = ["nav", "header", "footer", "aside"]
_MACHINERY_TAGS = ("script", "iframe", "frame")
# Elements that never deepen the parser's stack: void ones, and those a later sibling closes implicitly.
_FLAT = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen frame basefont bgsound"
    " p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rp html head body a"
    " form".split()
)
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})


@cache
def _raw_end(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}\b", re.IGNORECASE)


@dataclass(frozen=True)
class PageView:
    """What the verdict rules read from a page, taken in one parse; the body itself is not kept.

    ``read_page`` makes one; every rule accepts a ``Page`` or a ``PageView``, so the checker can let the body
    go as soon as it is read and still compare the page with its host's probe later.
    """

    url: str
    final_url: str
    http_status: int
    redirects: tuple[str, ...]
    readable: bool  # text (HTML, XML, plain), not a PDF or an image
    title: str = ""  # <title> (or the fetcher's Page.title), plain text
    headings: tuple[str, ...] = ()  # <h1> texts
    og_title: str = ""
    main_text: str = ""  # <main>/<article>, else <body> without nav/header/footer/aside; cut at VIEW_TEXT_CHARS,
    # whitespace as in the page
    main_words: int = 0
    visible_text: str = ""  # the whole body's text, kept only when the main text is empty
    machinery: str = ""  # scripts, frames and meta refresh (lowercased): where parking services hide
    refresh_target: str | None = None  # a <meta http-equiv=refresh> target, absolute


PageLike = Page | PageView


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _is_markup(page: Page) -> bool:
    content_type = (page.content_type or "").lower()
    if "html" in content_type:
        return True
    return bool(_MARKUP_SNIFF.search(page.text[:4096]))


def _nesting_cut(source: str) -> int:
    """Where the page's elements nest deeper than ``MAX_NESTING`` (else its length), in one linear scan.

    An HTML parser checks the stack of open elements at every block tag, so ``<div>`` repeated 40,000 times
    costs it seconds (quadratic); pages with many tags are cut where the nesting gets absurd. Script and
    style text is skipped (``i<n`` is not a tag); elements closed implicitly (``<p>``, ``<li>``) do not count.
    """
    depth = 0
    position = 0
    while (tag := _TAG_START.search(source, position)) is not None:
        position = tag.end()
        name = tag.group(2).lower()
        if tag.group(1):
            if depth and name not in _FLAT:
                depth -= 1
        elif name in _RAW_TEXT:
            end = _raw_end(name).search(source, position)
            if end is None:
                break
            position = end.end()
        elif name not in _FLAT:
            depth += 1
            if depth > MAX_NESTING:
                return tag.start()
    return len(source)


def _parse(text: str, utf8: bytes | None = None) -> LexborHTMLParser:
    """The page's tree. ``utf8``: the bytes ``text`` was decoded from, when it is UTF-8 decoded strictly and whole
    (the fetcher knows): the parser reads them as they are instead of the text encoded to UTF-8 again. They are
    the same bytes, and ``<`` is one byte in UTF-8, so the tag count and the tree are the same too (the tags are
    counted in the text, which has fewer code units to look at)."""
    source = text[:PARSE_CHARS]
    if source.count("<") > SAFE_TAGS:
        return LexborHTMLParser(source[: _nesting_cut(source)])
    return LexborHTMLParser(utf8 if utf8 is not None and len(source) == len(text) else source)


def _text_of(node: LexborNode | None) -> str:
    """The node's text as the parser gives it (whitespace not collapsed: the rules split it anyway)."""
    return "" if node is None else node.text(deep=True, separator=" ")


def _heading(node: LexborNode) -> str:
    return _squeeze(_text_of(node)[: 4 * HEADING_CHARS])[:HEADING_CHARS]


def _outermost(nodes: Sequence[LexborNode]) -> list[LexborNode]:
    """The nodes not inside another one of them (``<article>`` within ``<main>`` is read once)."""
    chosen: list[LexborNode] = []
    for node in nodes:
        parent = node.parent
        inside = False
        steps = 0
        while parent is not None and steps < MAX_NESTING:
            if parent.tag in ("main", "article"):
                inside = True
                break
            parent = parent.parent
            steps += 1
        if not inside:
            chosen.append(node)
    return chosen


_SELECTORS = threading.local()


def _select(tree: LexborHTMLParser, query: str) -> list[LexborNode]:
    """``tree.css(query)``, with one selector engine per thread for every page: a tree makes its own engine on its
    first query, which costs more than the query itself."""
    root = tree.root
    if root is None:
        return []
    selector: LexborCSSSelector | None = getattr(_SELECTORS, "selector", None)
    if selector is None:
        selector = _SELECTORS.selector = LexborCSSSelector()  # type: ignore[no-untyped-call]  # (its stub's)
    return selector.find(query, root)


def _elements(tree: LexborHTMLParser, names: Sequence[str]) -> list[LexborNode]:
    """``tree.css(", ".join(names))``: the elements with these tag names, in document order. Each name is looked
    up by itself (the parser's walk by tag name, the one ``strip_tags`` uses, finds what the CSS selector finds:
    elements the parser made are told apart by tag alone); a selector is asked only to put two kinds in order."""
    found = [nodes for nodes in map(tree.tags, names) if nodes]
    if len(found) > 1:
        return _select(tree, ", ".join(names))
    return found[0] if found else []


def _machinery(nodes: Sequence[LexborNode]) -> list[str]:
    """Script sources and text, frame sources: up to ``MACHINERY_CHARS`` in all.

    ``nodes`` may have been taken out of the tree since they were found (``strip_tags``): that unlinks an element
    from its parent and leaves it, with its attributes and what it holds, as it was until the tree is freed."""
    pieces: list[str] = []
    size = 0
    for node in nodes:
        piece = " ".join([*(value or "" for value in node.attributes.values()), node.text(deep=False)])
        pieces.append(piece[: MACHINERY_CHARS - size])
        size += len(piece)
        if size >= MACHINERY_CHARS:
            break
    return pieces


def _count_words(text: str) -> int:
    """The number of words, counted exactly up to one more than any rule needs (and no further)."""
    enough = LONG_PAGE_WORDS + 1
    opening = text[: 16 * enough]  # words are rarely longer: most pages are decided on this slice alone
    words = len(opening.split(maxsplit=enough))  # the opening's words, up to one more than enough
    if words > enough or len(opening) == len(text):
        return min(words, enough)
    return len(text.split(maxsplit=enough))


def _read_meta(tree: LexborHTMLParser, final_url: str) -> tuple[str, str | None, str]:
    """(og:title, the refresh target a browser would follow soon, the refresh's content)."""
    og_title = ""
    refresh_target: str | None = None
    refresh = ""
    for meta in tree.tags("meta")[:ELEMENTS_READ]:
        attributes = {name.lower(): value or "" for name, value in meta.attributes.items()}
        if attributes.get("http-equiv", "").lower() == "refresh":
            refresh = attributes.get("content", "")
            found = _REFRESH_URL.search(refresh)
            delay = refresh.split(";")[0].strip()
            target = urljoin(final_url, found.group(1)) if found else ""
            # only a refresh a browser would follow to another web page counts: file:, javascript: and the like
            # leave the page judged as itself
            if target.lower().startswith(("http://", "https://")) and (not delay.isdigit() or int(delay) <= 5):
                refresh_target = target
        elif not og_title and attributes.get("property", attributes.get("name", "")).lower() == "og:title":
            og_title = _squeeze(attributes.get("content", ""))[:HEADING_CHARS]
    return og_title, refresh_target, refresh


def _first_title(tree: LexborHTMLParser) -> str:
    for node in tree.tags("title"):
        if node.parent is None or node.parent.tag != "svg":  # an SVG's <title> is a tooltip
            return _heading(node)
    return ""


def _regions(tree: LexborHTMLParser) -> list[LexborNode]:
    """``_outermost(tree.css("main, article")[:ELEMENTS_READ])``. Whether a region lies inside another is a test
    of the region alone, so the outermost of each kind are those of its own list; the two kinds are put in
    document order only when both have some (or when there are too many to read them all)."""
    mains, articles = tree.tags("main"), tree.tags("article")
    if len(mains) + len(articles) <= ELEMENTS_READ:
        outer_mains, outer_articles = _outermost(mains), _outermost(articles)
        if not (outer_mains and outer_articles):
            return outer_mains or outer_articles
    return _outermost(_select(tree, "main, article")[:ELEMENTS_READ])


def _main_text(tree: LexborHTMLParser) -> str:
    """<main>/<article> (outermost), else the body, without nav/header/footer/aside (scripts already gone)."""
    tree.strip_tags(_AROUND_MAIN)
    regions = _regions(tree)
    return " ".join(_text_of(region) for region in regions) if regions else _text_of(tree.body)


def _visible_text(text: str, utf8: bytes | None = None) -> str:
    """The whole body's text: read again (rarely: only for a page whose main text is empty)."""
    tree = _parse(text, utf8)
    tree.strip_tags(_INVISIBLE)
    return _text_of(tree.body)[:VIEW_TEXT_CHARS]


def read_page(page: PageLike, utf8: bytes | None = None) -> PageView:
    """Everything the rules need from ``page``, read with one parse bounded by ``PARSE_CHARS`` and
    ``MAX_NESTING`` (linear in the page's size).

    ``utf8``: the body ``page.text`` was decoded from, when it was UTF-8 decoded strictly and whole (see
    ``fetch.utf8_source``); the parser then reads those bytes instead of the text encoded again.
    """
    if isinstance(page, PageView):
        return page
    readable = is_text_type(page.content_type)
    title = (page.title or "")[:HEADING_CHARS]
    if not readable or not _is_markup(page):
        words = _count_words(page.text[:PARSE_CHARS]) if readable else 0
        return PageView(
            url=page.url,
            final_url=page.final_url,
            http_status=page.http_status,
            redirects=page.redirects,
            readable=readable,
            title=title,
            main_text=page.text[:VIEW_TEXT_CHARS] if words else "",
            main_words=words,
        )
    tree = _parse(page.text, utf8)
    og_title, refresh_target, refresh = _read_meta(tree, page.final_url)
    title = title or _first_title(tree)
    scripts = _elements(tree, _MACHINERY_TAGS)[:ELEMENTS_READ]  # read only if the rule is to look at them
    tree.strip_tags(_INVISIBLE)
    headings = tuple(text for text in (_heading(node) for node in tree.tags("h1")[:HEADINGS_READ]) if text)
    main_text = _main_text(tree)
    main_words = _count_words(main_text)
    machinery = [refresh, *_machinery(scripts)] if main_words <= PARKED_PAGE_WORDS else [refresh]  # where it looks
    return PageView(
        url=page.url,
        final_url=page.final_url,
        http_status=page.http_status,
        redirects=page.redirects,
        readable=True,
        title=title,
        headings=headings,
        og_title=og_title,
        main_text=main_text[:VIEW_TEXT_CHARS] if main_words else "",
        main_words=main_words,
        visible_text="" if main_words else _visible_text(page.text, utf8),
        machinery=" ".join(machinery)[:MACHINERY_CHARS].lower(),
        refresh_target=refresh_target,
    )


# --------------------------------------------------------------------------------------------- soft 404

# Error-page wording, folded (see ``_fold``). Headings (title, h1) may carry any of these; the body of a
# short page only the longer, unambiguous ones (``_BODY_MARKERS``).
_ERROR_WORDING: dict[str, str] = {
    _fold(marker): marker
    for marker in (
        # Russian
        "Страница не найдена",
        "Страницы не существует",
        "Страница не существует",
        "Запрашиваемая страница не существует",
        "Запрашиваемая страница не найдена",
        "Запрашиваемая вами страница не найдена",
        "Запрошенная страница не найдена",
        "Запрашиваемая страница не может быть найдена",
        "Такой страницы нет",
        "Такой страницы не существует",
        "Нет такой страницы",
        "Страница, которую вы ищете, не существует",
        "Страница была удалена",
        "Страница удалена или перемещена",
        "Документ не найден",
        "Материал не найден",
        "Статья не найдена",
        "Новость не найдена",
        "Запись не найдена",
        "Ошибка 404",
        "404 ошибка",
        "По данному адресу публикаций на сайте не найдено",
        "Похоже, здесь ничего не найдено",
        # Kazakh
        "Бет табылмады",
        "Бет жоқ",
        "Мұндай бет жоқ",
        "Сұралған бет табылмады",
        "Парақ табылмады",
        "Бет табылған жоқ",
        "Қате 404",
        "404 қатесі",
        # Uzbek (Latin and Cyrillic)
        "Sahifa topilmadi",
        "Sahifa mavjud emas",
        "So‘ralgan sahifa topilmadi",
        "Xato 404",
        "404 xatosi",
        "Саҳифа топилмади",
        "Саҳифа мавжуд эмас",
        "Хато 404",
        # Tajik
        "Саҳифа ёфт нашуд",
        "Саҳифа пайдо нашуд",
        "Саҳифа вуҷуд надорад",
        "Хатои 404",
        # Ukrainian
        "Сторінку не знайдено",
        "Сторінка не знайдена",
        "Сторінки не існує",
        "Сторінка не існує",
        "Запитувана сторінка не існує",
        "Помилка 404",
        # English
        "Page not found",
        "404 Not Found",
        "404 Page Not Found",
        "Not Found",
        "File not found",
        "Document not found",
        "Article not found",
        "Content not found",
        "Error 404",
        "404 Error",
        "HTTP 404",
        "404",
        "The page you requested could not be found",
        "The page you requested was not found",
        "The requested page could not be found",
        "The requested page can't be found",
        "The requested URL was not found on this server",
        "The page you are looking for does not exist",
        "The page you are looking for could not be found",
        "The page you are looking for cannot be found",
        "The page you are looking for might have been removed",
        "The page you were looking for doesn't exist",
        "That page can't be found",
        "This page can't be found",
        "Page cannot be found",
        "This page does not exist",
        "This page no longer exists",
        "This page is no longer available",
        "We couldn't find that page",
        "We can't find the page you're looking for",
        "It looks like nothing was found at this location",
    )
}
_ERROR_MARKERS = tuple(sorted(_ERROR_WORDING, key=len, reverse=True))  # the most specific wording first
_WEAK_BODY_MARKERS = frozenset(
    _fold(marker)
    for marker in ("Not Found", "404", "Error 404", "404 Error", "HTTP 404", "Бет жоқ", "Документ не найден")
)
_BODY_MARKERS = tuple(marker for marker in _ERROR_MARKERS if marker not in _WEAK_BODY_MARKERS)
_ERROR_MARKER_INDEX = _phrase_index(_ERROR_MARKERS)
_BODY_MARKER_INDEX = _phrase_index(_BODY_MARKERS)

# Words an error heading adds around its message: «Упс! Страница не найдена», "Oops! Error 404".
_FILLER_WORDS = frozenset(
    _fold(word)
    for word in (
        "oops whoops sorry error http code status oh uh no hmm the a"
        " упс ой увы извините к сожалению ошибка код"
        " кешіріңіз қате"
        " kechirasiz afsus xato кечирасиз хато"
        " бубахшед хатои"
        " вибачте на жаль помилка"
    ).split()
)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-\u2013\u2014\u00b7:/»«•]+\s+|\s*[|\u2014\u2013•«»]\s*|::")
_ERROR_SEGMENTS = frozenset(
    {"404", "error404", "404error", "error-404", "404-error", "error_404", "404notfound", "notfound",
     "not-found", "not_found", "pagenotfound", "page-not-found", "page_not_found"}
)  # fmt: skip


@lru_cache(maxsize=1024)  # a site's name ends the titles of all its pages, and a title often repeats its h1
def _piece_marker(piece: str) -> str | None:
    """The marker a piece of a heading (between separators), folded, consists of, if any."""
    segment = _fold_heading(piece)
    return _dominant_marker(segment) if segment else None


def _dominant_marker(segment: str) -> str | None:
    """The marker a heading segment consists of (allowing a filler word or a site name), if any."""
    words = segment.split()
    for marker in _phrases_in(segment, _ERROR_MARKERS, _ERROR_MARKER_INDEX):
        marker_words = marker.split()
        remainder = list(words)
        for word in marker_words:
            remainder.remove(word)
        content = [word for word in remainder if not word.isdigit() and word not in _FILLER_WORDS]
        if len(content) <= (0 if len(marker_words) == 1 else 1):
            return marker
    return None


def _heading_marker(headings: Iterable[str]) -> str | None:
    """The error wording of the first heading piece (split at ``_TITLE_SEPARATORS``) that is a marker."""
    for heading in headings:
        for piece in _TITLE_SEPARATORS.split(heading):
            marker = _piece_marker(piece)
            if marker:
                return _ERROR_WORDING[marker]
    return None


def is_error_page(page: PageLike) -> str | None:
    """The error-page marker the page carries (in its title/h1, or in the body of a short page), else None.

    A heading marker counts unless the main text is article-length (then the error is the article's subject),
    except when title and h1 both carry one. Body text counts only on short pages.
    """
    view = read_page(page)
    title_marker = _heading_marker([view.title])
    heading_marker = _heading_marker(view.headings)
    if title_marker and heading_marker:
        return title_marker
    marker = title_marker or heading_marker
    if marker and view.main_words <= LONG_PAGE_WORDS:
        return marker
    if view.main_words <= SHORT_PAGE_WORDS:
        folded = _fold(view.main_text)
        for heading in view.headings:  # headings were judged above, by the stricter rule
            folded = folded.replace(_fold(heading), " | ")
        found = _phrases_in(folded, _BODY_MARKERS, _BODY_MARKER_INDEX)
        if found:
            return _ERROR_WORDING[found[0]]
    return None


def _is_error_address(url: str) -> bool:
    """``/404.html``, ``/errors/404/``, ``/page-not-found``, ``/Error.aspx?aspxerrorpath=/x``."""
    parts = urlsplit(url)
    if "aspxerrorpath=" in parts.query.lower():
        return True
    segments = [segment.rsplit(".", 1)[0] for segment in parts.path.lower().split("/") if segment]
    return any(segment in _ERROR_SEGMENTS for segment in segments)


def _error_url(link_url: str, final_url: str) -> bool:
    """The redirect ended at an error address that the citation itself did not have."""
    return _is_error_address(final_url) and not _is_error_address(link_url)


# ----------------------------------------------------------------------------------------------- parked

# Hosts of parking services and domain marketplaces: a redirect there, or a script/frame loading from
# there, means the domain changed hands.
_PARKING_HOSTS = (
    "sedoparking.com",
    "sedo.com",
    "bodis.com",
    "bodiscdn.com",
    "parkingcrew.net",
    "above.com",
    "dan.com",
    "afternic.com",
    "hugedomains.com",
    "parkingpage.namecheap.com",
    "parking.reg.ru",
    "parklogic.com",
    "domainmarket.com",
    "undeveloped.com",
    "uniregistry.com",
    "parkingpage.",
)
_MACHINERY_PATTERNS = (
    r"(?<![a-z0-9-])(?:" + "|".join(re.escape(host) for host in _PARKING_HOSTS) + r")",
    r"/parking-lander|/adsense/domains/caf\.js",
    r"location(?:\.href)?\s*(?:=|\.replace\(|\.assign\()\s*['\"](?:[^'\"]*/lander['\"?]|https?://ww\d+\.)",
)
# The alternatives searched apart (``_parking_machinery``): each then begins with a literal that the search skips
# to, while the whole pattern tries every alternative at every character. The host names are searched for only in
# a text holding one of their clues: a few stems, and the hosts that contain none of them.
_MACHINERY_SEARCHES = tuple(re.compile(pattern) for pattern in _MACHINERY_PATTERNS)
_HOST_CLUES: tuple[str, ...] = ("sedo", "bodis", "park")
_HOST_CLUES += tuple(host for host in _PARKING_HOSTS if not any(clue in host for clue in _HOST_CLUES))


def _parking_machinery(machinery: str) -> str | None:
    """What the alternation of ``_MACHINERY_PATTERNS`` (what a parking service's script or frame shows) matches
    in ``machinery``, if anything: the earliest match of the separate searches (of two at the same place, the
    first, as in the alternation)."""
    searches = _MACHINERY_SEARCHES if any(clue in machinery for clue in _HOST_CLUES) else _MACHINERY_SEARCHES[1:]
    found = [match for match in (search.search(machinery) for search in searches) if match is not None]
    return min(found, key=lambda match: match.start()).group(0) if found else None


_PARKED_PHRASES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        r"\bthis domain (?:name )?(?:is|may be) for sale\b",
        r"\bdomain(?: name)?(?: \S+){0,4} (?:is|may be) for sale\b",
        r"\bbuy this domain\b",
        r"\bthis domain is parked\b",
        r"\bparked free courtesy of godaddy\b",
        r"\bthis (?:web )?page is parked free\b",
        r"\b(?:recently )?registered at namecheap\b",
        r"\bthis domain (?:name )?has been registered\b.{0,60}\b(?:godaddy|namecheap|sedo|registrar)\b",
        r"\binquire about this domain\b",
        r"\bдомен(?: \S+){0,3} продается\b",
        r"\bдомен(?: \S+){0,3} выставлен на продажу\b",
        r"\bкупить этот домен\b",
        r"\bдомен(?: \S+){0,3} припаркован\b",
        r"\bдомен(?: \S+){0,3} (?:был )?зарегистрирован (?:в|у|через) (?:компании |регистратора )?"
        r"(?:reg ru|ps kz|hoster kz|nic ru|nic kz|r01|2domains|webnames|ru center|timeweb|beget)\b",
        r"\b(?:сайт|домен)(?: \S+){0,3} размещ\w* на хостинге (?:ps kz|hoster kz|reg ru|ps cloud)\b",
        r"\bна этом домене (?:пока |еще )?нет сайта\b",
        r"\bдомен(?: \S+){0,3} сатылады\b",
        r"\bdomen(?: \S+){0,3} sotiladi\b",
        r"\bдомен(?: \S+){0,3} продається\b",
    )
)
# Matches where any of the phrases does: most pages carry none, and one search per text rules them all out.
_ANY_PARKED_PHRASE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _PARKED_PHRASES))


@lru_cache(maxsize=1024)  # a page's address and its final address are mostly the same
def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


@lru_cache(maxsize=4096)  # a run asks about the same few hosts for every one of their pages
def _on_parking_host(host: str) -> str | None:
    for parking in _PARKING_HOSTS:
        if parking.endswith(".") and host.startswith(parking):
            return parking.rstrip(".")
        if host == parking or host.endswith("." + parking):
            return parking
    return None


def is_parked(page: PageLike) -> str | None:
    """What shows the domain is parked or for sale (a marker, or the parking host reached), else None."""
    view = read_page(page)
    cited_service = _on_parking_host(_host(view.url))
    for url in (*view.redirects, view.final_url):
        service = _on_parking_host(_host(url))
        if service and service != cited_service:
            return f"redirected to {service}"
    if view.refresh_target:
        service = _on_parking_host(_host(view.refresh_target))
        if service and service != cited_service:
            return f"refreshes to {service}"
    if cited_service:
        return None
    if view.main_words <= PARKED_PAGE_WORDS:
        evidence = _parking_machinery(view.machinery)
        if evidence:
            return evidence
    headings = [_fold_heading(text) for text in (view.title, *view.headings)]
    short = view.main_words <= SHORT_PAGE_WORDS
    folded_main = _fold(view.main_text) if short else ""
    texts = [text for text in (*headings, folded_main) if _ANY_PARKED_PHRASE.search(text)]
    for pattern in _PARKED_PHRASES:
        for text in texts:
            found = pattern.search(text)
            if found:
                return found.group(0)
    return None


# -------------------------------------------------------------------------------------- homepage and moves


def _comparable(url: str) -> tuple[str, str, str]:
    """A URL with scheme, ``www.``, default port, trailing slash and percent-encoding case set aside."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return (url, "", "")
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~%").rstrip("/")
    return (host, path, parts.query)


def _same_resource(first: str, second: str) -> bool:
    return first == second or _comparable(first) == _comparable(second)


def _same_site(first: str, second: str) -> bool:
    return _comparable(first)[0] == _comparable(second)[0]


def _landing(page: PageLike) -> str:
    """Where the visit ended: the final URL, or a page that only refreshes elsewhere."""
    view = read_page(page)
    if view.refresh_target and view.main_words <= SHORT_PAGE_WORDS:
        return view.refresh_target
    return view.final_url


def is_homepage_redirect(link_url: str, page: PageLike) -> bool:
    """A deep link whose redirects ended at a site root or a generic landing page."""
    landing = _landing(page)
    if _same_resource(link_url, landing) or is_homepage(link_url):
        return False
    return is_homepage(landing)


# -------------------------------------------------------------------------------------------- title match


def _words_match(cited: str, found: str) -> bool:
    if cited == found:
        return True
    shortest = min(len(cited), len(found))
    if shortest < 5:
        return False
    common = 0
    while common < shortest and cited[common] == found[common]:
        common += 1
    return common >= max(4, shortest - 3)


def _share_found(cited_words: Sequence[str], page_words: Sequence[str]) -> float:
    """The share of ``cited_words`` found among ``page_words``, as such or as a word that ``_words_match``.

    Two different words match only when both have five letters or more and the same first four, so only the
    page's words with the cited word's first four letters are compared with it."""
    available = set(page_words)
    by_start: dict[str, list[str]] = {}
    for other in available:
        if len(other) >= 5:
            by_start.setdefault(other[:4], []).append(other)
    found = 0
    for word in cited_words:
        if word in available or any(_words_match(word, other) for other in by_start.get(word[:4], ())):
            found += 1
    return found / len(cited_words)


def _ratio(matches: int, length: int) -> float:
    return 2.0 * matches / length if length else 1.0  # as difflib computes its ratios


def _similar(first: str, second: str, threshold: float) -> bool:
    """``SequenceMatcher(None, first, second).ratio() >= threshold``, its cheap upper bounds asked first and
    computed without a matcher: ``real_quick_ratio`` from the lengths, ``quick_ratio`` from the characters the
    two strings have in common (counted with multiplicity)."""
    length = len(first) + len(second)
    if _ratio(min(len(first), len(second)), length) < threshold:
        return False
    if _ratio((Counter(first) & Counter(second)).total(), length) < threshold:
        return False
    return difflib.SequenceMatcher(None, first, second).ratio() >= threshold


def _opening(text: str) -> str:
    """``_fold_latin_text(_squeeze(text[: 4 * TITLE_TEXT_CHARS])[:TITLE_TEXT_CHARS])``: the top of the text, where
    a cited title may stand, folded.

    A text's first characters squeeze to the start of what more of it squeezes to (its last word perhaps cut
    short), so a short prefix is squeezed first and more only when it falls short. The squeezed text has one
    space after each word but the last: the words before the cut's spaces are whole in it, and what follows its
    last space is the word it ends in, cut short or not (none when the cut ends with a space)."""
    words = text[: TITLE_TEXT_CHARS + TITLE_TEXT_CHARS // 4].split()
    squeezed = " ".join(words)
    if len(squeezed) < TITLE_TEXT_CHARS:
        words = text[: 4 * TITLE_TEXT_CHARS].split()
        squeezed = " ".join(words)
    cut = squeezed[:TITLE_TEXT_CHARS]
    kept = words[: cut.count(" ")]
    last = cut[cut.rfind(" ") + 1 :]
    if last:
        kept.append(last)
    return _fold_latin_text(" ".join(kept))


def title_match(cited_titles: Sequence[str], page: PageLike) -> bool | None:
    """Whether the page still carries one of the cited titles; None when no title is cited or the page has
    no readable text.

    Case, punctuation, quotes and script (via transliteration) are set aside; a title matches when most of
    its words appear in the page's title, h1 or og:title, or when it appears whole near the top of the text.
    """
    cited = [folded for folded in (_fold_latin(title) for title in cited_titles) if folded]
    if not cited:
        return None
    view = read_page(page)
    if not view.readable or not (view.title or view.og_title or view.headings or view.main_text):
        return None  # nothing readable (a PDF, an empty page that scripts fill in): no verdict on drift
    headings = [_fold_latin(text) for text in (view.title, view.og_title, *view.headings) if text]
    segments = [
        _fold_latin(part) for text in (view.title, *view.headings) for part in _TITLE_SEPARATORS.split(text)
    ]
    opening: str | None = None  # folded when first needed: a heading usually decides first
    for title in cited:
        words = [word for word in title.split() if len(word) > 1 or word.isdigit()] or title.split()
        for heading in headings:
            if _contains_phrase(heading, title):
                return True
            if _share_found(words, heading.split()) >= TITLE_MATCH_THRESHOLD:
                return True
        for segment in segments:
            if segment and _similar(title, segment, TITLE_MATCH_THRESHOLD):
                return True
        if opening is None:
            opening = _opening(view.main_text)
        if _contains_phrase(opening, title):
            return True
    return False


# -------------------------------------------------------------------------------------------- the verdict


def classify(page: PageLike, link: Link) -> Verdict:
    """The status of a link whose fetch ended in a 2xx ``page``: soft_404, parked, homepage_redirect,
    redirected or ok, with the title match (None for homepage citations)."""
    page = read_page(page)  # one parse for every rule below
    cited_url = link.normalized or link.url or page.url
    cited_homepage = is_homepage(cited_url)
    matched = None if cited_homepage else title_match(link.cited_titles, page)
    parked = is_parked(page)
    if parked:
        return Verdict(Status.PARKED, f"the domain shows a parking or for-sale page ({parked})", None)
    landing = _landing(page)
    moved = not _same_resource(cited_url, landing)
    error = is_error_page(page)
    if error:
        return Verdict(Status.SOFT_404, f"answered 200 with an error page («{error}»)", None)
    if moved and _error_url(cited_url, landing):
        return Verdict(Status.SOFT_404, f"redirected to an error address: {landing}", None)
    if moved and not cited_homepage and is_homepage(landing):  # is_homepage_redirect, its parts known here
        detail = f"the deep link was redirected to the site root: {landing}"
        return Verdict(Status.HOMEPAGE_REDIRECT, detail, None)
    if not moved:
        if landing != cited_url and landing != page.url:
            return Verdict(Status.OK, f"same page at {landing}", matched)
        return Verdict(Status.OK, "", matched)
    if cited_homepage and is_homepage(landing) and _same_site(cited_url, landing):
        return Verdict(Status.OK, f"the site's home page is now {landing}", matched)
    return Verdict(Status.REDIRECTED, f"moved to {landing}", matched)


# ------------------------------------------------------------------------------------ random-sibling probe

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def _token(length: int = 12) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


def random_sibling(url: str) -> str:
    """A random address that should not exist next to ``url``, to see how the host answers a miss.

    Same directory and extension (``/news/2011/la-8f3k2q9x1z.html``); a trailing slash is kept; for
    query-driven pages (``/index.php?id=123``) the last parameter gets a random value of the same kind.
    """
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if pairs:
            name, value = pairs[-1]
            replacement = "9" + "".join(secrets.choice(string.digits) for _ in range(11))
            if not value.isdigit():
                replacement = "la-" + _token()
            query = urlencode([*pairs[:-1], (name, replacement)])
            return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
    path = parts.path or "/"
    directory, _, name = path.rpartition("/")
    if not name:  # ``/news/2011/article/``: a sibling directory
        directory, _, name = directory.rpartition("/")
        sibling = f"{directory}/la-{_token()}/" if name else f"/la-{_token()}"
    else:
        extension = _EXTENSION.search(name)
        sibling = f"{directory}/la-{_token()}{extension.group(0) if extension else ''}"
    return urlunsplit((parts.scheme, parts.netloc, sibling, "", ""))


def probe_key(url: str) -> tuple[str, str]:
    """(host, directory): the pages one probe speaks for. Query-driven pages are keyed by their script
    and parameter names (``/index.php?id``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        names = "&".join(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
        if names:
            return (host, f"{path}?{names}")
    if path.endswith("/") and path != "/":
        path = path.rstrip("/")
    directory = path.rpartition("/")[0] + "/"
    return (host, directory)


# ------------------------------------------------------------------------------------------- looks_same


def _echoes(page: PageView) -> list[str]:
    """The page's own address in the forms a catch-all page echoes back, longest first."""
    forms: set[str] = set()
    for url in (page.url, page.final_url):
        path = urlsplit(url).path
        name = path.rstrip("/").rpartition("/")[2]
        forms.update({url, unquote(url), path, unquote(path), name, unquote(name)})
    return sorted((form for form in forms if len(form) >= 4), key=lambda form: (-len(form), form))


def _without_echoes(text: str, page: PageView) -> str:
    for echoed in _echoes(page):
        text = text.replace(echoed, " ")
    return text


def _similarity_words(view: PageView) -> list[str]:
    """The main text's words without the page's own address."""
    return _fold(_without_echoes(view.main_text or view.visible_text, view)).split()[:SIMILARITY_WORD_CAP]


def _pairs(words: Sequence[str]) -> Counter[tuple[str, str]]:
    padded = [*words, ""] if len(words) == 1 else words
    return Counter(zip(padded, padded[1:], strict=False))


def _dice(first: Sequence[str], second: Sequence[str]) -> float:
    """Dice coefficient of the word-pair bags: 1.0 for the same text, near it for one changed word."""
    first_pairs, second_pairs = _pairs(first), _pairs(second)
    total = first_pairs.total() + second_pairs.total()
    return 2 * (first_pairs & second_pairs).total() / total if total else 1.0


def _title_without_address(view: PageView) -> str:
    return _fold(_without_echoes(view.title, view))


def looks_same(page: PageLike, probe: PageLike) -> bool:
    """Whether the host answered a random sibling address (``probe``) with what it gave for the cited one:
    the same final URL, or near-identical visible text. Then the cited page is the host's catch-all."""
    if not 200 <= probe.http_status < 300:
        return False
    if _same_resource(page.final_url, probe.final_url):
        return True
    page, probe = read_page(page), read_page(probe)
    page_title, probe_title = _title_without_address(page), _title_without_address(probe)
    if page_title and probe_title and difflib.SequenceMatcher(None, page_title, probe_title).ratio() < 0.8:
        return False
    page_words, probe_words = _similarity_words(page), _similarity_words(probe)
    shorter, longer = sorted((len(page_words), len(probe_words)))
    if longer and 2 * shorter / (shorter + longer) < SIMILARITY_THRESHOLD:
        return False  # lengths alone rule it out: the pair bags cannot overlap enough
    return _dice(page_words, probe_words) >= SIMILARITY_THRESHOLD
