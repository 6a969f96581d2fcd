"""Find, repair and normalize the URLs cited in free text.

linkify-it finds the URLs; around it sit the repairs real citations need (PDF line wraps, glued pairs, missing
schemes, spaces after ``https:``), and a policy that keeps outlet names such as "News.uz" from being taken
as URLs.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

import idna
from linkify_it import LinkifyIt
from linkify_it.tlds import TLDS

from ..models import FoundUrl, Repair

__all__ = [
    "canonical_doi",
    "doi_of",
    "find_urls",
    "is_contact_address",
    "is_doi_url",
    "is_fetchable",
    "is_homepage",
    "normalize_url",
    "url_host",
    "url_key_and_host",
    "url_scheme_problem",
]

FETCHABLE_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}

# Top-level domains accepted in URLs written without a scheme, beyond linkify's defaults (every two-letter
# country code, com, org, net, info, рф, …): the newer ones that post-Soviet and academic sites use.
EXTRA_TOP_LEVEL_DOMAINS = (
    "online|site|website|news|media|club|today|life|world|space|tech|store|blog|press|academy|education"
    "|science|moscow|global|center|group|agency|studio|team|app|dev|page|wiki|link|live|tv|"
    "москва|рус|орг|сайт|онлайн|дети|укр|бел|срб|мкд|мон|қаз"
).split("|")

# Landing pages: a deep citation that ends up here lost its content.
LANDING_PAGES = frozenset(
    {
        "index", "index.php", "index.html", "index.htm", "index.shtml", "index.asp", "index.aspx",
        "index.jsp",
        "index.cfm", "default.aspx", "default.asp", "default.htm", "default.html", "main", "main.html",
        "main.php", "home", "home.html", "home.php", "homepage", "start", "portal", "welcome",
    }
)  # fmt: skip
LANGUAGE_SEGMENTS = frozenset(
    {
        "ru", "en", "kz", "kk", "kaz", "uz", "tj", "tg", "ky", "kg", "tk", "az", "hy", "am", "ka", "ge", "be",
        "by", "uk", "ua", "de", "fr", "es", "it", "zh", "cn", "ja", "ko", "tr", "ar", "fa", "pl", "lt", "lv",
        "et", "mn", "rus", "eng", "qaz", "en-us", "en-gb", "ru-ru", "kk-kz", "ru-kz", "en_us", "ru_ru",
    }
)  # fmt: skip

# Characters that end a URL wherever they stand: no-break and zero-width spaces, word joiner, BOM.
_BREAKING_INVISIBLES = re.compile("[\u00a0\u2007\u202f\u200b\u2060\ufeff]")
# Joiners belong to the spelling of some scripts (Malayalam, Persian…): they break a URL only after ASCII.
_JOINERS = re.compile("[\u200c\u200d]")
_SOFT_HYPHEN = "\u00ad"
_PDFIUM_HYPHEN = "\ufffe"  # how pdfium's text layer writes a hyphen that ended a line
_EDITED_INVISIBLE = re.compile("[\u200c\u200d\u00ad\ufffe]")  # any of the above but the breaking ones
# The breaking ones read as blanks: one character for one, so that positions stay those of the text as written.
_AS_BLANKS = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u200b\u2060\ufeff"), " ")
# Blanks around the ``:`` and ``//`` of a scheme, and after it (``http: // x``, ``https:// www.x``). Each run
# of blanks is matched atomically (lookahead and backreference), so a long run is never rescanned.
# The three patterns below are searched without the condition on the character before them, which is checked at
# each match (``_NOT_AFTER_WORD``, ``_GLUED_AFTER``): a pattern that starts with a lookbehind is tried at every
# position of the text, one that starts with its letters is not. No match can start inside another one (none
# holds the first letter of a match after its own first character), so the matches kept are the same.
_SCHEME_SPACES = re.compile(
    r"(?:https?|ftp)(?=([ \t]*))\1:(?=([ \t]*))\2(?:\r?\n(?=([ \t]*))\3)?//"
    r"(?:(?=([ \t]*))\4(?:\r?\n(?=([ \t]*))\5)?(?=[^\W_]))?",
    re.IGNORECASE,
)
_NOT_AFTER_WORD = re.compile(r"(?<![^\W_])")
_SCHEME_BLANK = re.compile(r"[ \t\r\n]")
# A scheme glued to a word or to the URL before it (``…ruhttp://``, ``…/x,http://``, ``…/x;http://``).
_GLUED_SCHEME = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)
_GLUED_AFTER = re.compile(r"(?<=[^\W_])|(?<=[^\W_/][,;])")
_URL_START = re.compile(r"(?:(?:https?|ftp)://|www\.)", re.IGNORECASE)
_WWW = re.compile(r"www\.", re.IGNORECASE)
# Where each of the three patterns above can start: a scheme's letters or ``www.`` (case-insensitive; none of
# h, f, w has a case-insensitive equal beyond its capital). One scan for the three; its first letter is a plain
# character set, which the search skips to without trying the pattern at every position.
_STARTS = re.compile(r"[hHfFwW](?:(?<=[hH])(?i:ttps?)|(?<=[fF])(?i:tp)|(?<=[wW])(?i:ww\.))")
_CARRIED_LENGTH = 200
_ID_DIGITS = 5  # a number this long after ``…/`` on the next line is read as the path's next segment first
_CUT = "\x00"  # an edit's alternative reading that ends the URL where the edit joins it
_MAX_FLIPPED = 3  # undecided places of one URL read the other way one at a time (then all at once)
_MAX_PIECES = 64  # pieces one URL may be joined from
_MAX_SKIPPED_LINES = 12  # blank, page-number and frame-stamp lines a page break may put inside a URL
_LINE_REACH = 400  # characters looked at for the end of a line between a URL's pieces
_MAX_INNER_BLANKS = 2  # blanks text extraction puts inside a URL (more is a real gap)
_INDENTATION = re.compile(r"[ \t]*")
_PAGE_BLANKS = re.compile(r"[ \t\r\f]*")
_WHITESPACE = re.compile(r"\s")
_STARTS_NEW_URL = re.compile(r"(?:https?:|ftp:|mailto:|file:|javascript:|www\.)", re.IGNORECASE)
# What a wrapped line may start with when it continues a URL, and the signs that it does.
_LIST_NUMBER = re.compile(r"(?:\d{1,7}[.)]|\[\d{1,7}\])\Z")
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9%_/][A-Za-z0-9\-_/.%?=&~+#:@!$*,;()]*\Z")
_URL_FIRST_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%_/")  # its first
_URL_LIKE_CONTINUATION = re.compile(
    r"[/?=&%#_\-]|[0-9]|\.(?:html?|shtml|php\d?|aspx?|jsp|cfm|cgi|pdf|docx?|xml|txt)(?![a-z])", re.IGNORECASE
)
# A line starting with a capital continues a URL only with these signs (``Development-Hospital…/dp/…``).
_URL_LIKE_UPPER = re.compile(
    r"[/?=&%#_]|[^\W_]-[^\W_]|\.(?:html?|shtml|php\d?|aspx?|jsp|pdf|docx?)(?![a-z])", re.IGNORECASE
)
_BRACKETED_TEXT = re.compile(r"\((?=[^\x00-\x7f])")  # an opening bracket before non-ASCII text (``(дата``)
_PARTIAL_ESCAPE = re.compile(r"%[0-9A-Fa-f]?\Z")  # ``%`` or ``%2`` at a line end, and the rest it needs
_ESCAPE_REST = re.compile(r"[0-9A-Fa-f]{1,2}(?![A-Za-z0-9])")
_PLAIN_SEGMENT = re.compile(r"[a-z][a-z0-9\-]{0,63}\Z")
_FILE_SUFFIX = re.compile(r"\.(?:html?|shtml|php\d?|aspx?|jsp|pdf|docx?|xml|txt)\Z", re.IGNORECASE)
_HOST_START = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*(?:[/:?#]|\Z)")
_HOST_REST = re.compile(r"[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})+(?:[/:?#]|\Z)")
_PATH_AFTER_HOST = re.compile(r"/[A-Za-z0-9_~%][A-Za-z0-9\-_.~%]*(?:[/?#.]|\Z)")  # ``… /python/posts/…``
_TOP_LEVEL_REST = re.compile(r"([a-z]{2,63})[/:?#]")  # ``www.oim. ru/reader.asp``: a host's last label
_PATH_PIECE = re.compile(r"_[A-Za-z0-9%]|%[0-9A-Fa-f]{2}")
_QUERY_PIECE = re.compile(r"[A-Za-z0-9_.\-\[\]%]{0,64}=")
_LAST_WORD = re.compile(r"[^\W_]+\Z")
_WORD_REACH = 64  # characters before a line-end hyphen in which its word is looked for
_FIRST_WORD = re.compile(r"[^\W_]+")
_PAGE_NUMBER_LINE = re.compile(r"(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?\Z")
# The stamps of a GOST document frame (ГОСТ 2.104), printed on every page of Russian theses and reports.
_FRAME_STAMP = re.compile(
    r"Взам\.?\s*инв|Подп\.?\s*и\s*дата|Инв\.?\s*№\s*(?:подл|дубл)|Изм\.?\s*Лист|№\s*докум", re.IGNORECASE
)
# Hyphenated words a URL keeps whole (a typesetter would not split them at their hyphen's line end either).
_HYPHENATED_WORDS = frozenset(
    {
        "wp-content", "wp-includes", "wp-admin", "wp-json", "e-library", "e-journal", "e-government",
        "e-gov", "on-line", "co-operation", "self-government", "en-us", "en-gb", "ru-ru", "kk-kz", "uz-latn",
        "user-content", "open-access", "full-text", "pdf-file",
    }
)  # fmt: skip
_TRAILING_ASCII = ".,;:!?"
_CLOSING_QUOTES = "”»’“„›"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Punctuation a naive reader would take into the URL: it is legal in URLs (RFC 3986), so only context tells.
_URL_LEGAL_PUNCTUATION = frozenset(".,;:!?'*")
# A bare domain right after one of these labels is a cited address, not an outlet's name.
# "Сайт", "website", "адрес" label an address only with a colon: in prose ("на сайт zakupki.gov.ru") they name it.
_URL_LABEL = re.compile(
    r"(?:(?:\burl|режим доступа|mode of access|access mode|available (?:at|from|online)|retrieved from|доступно)"
    r"\s*:?|(?:сайт[еау]?|web-?site|адрес|address)\s*:)\s*\Z",
    re.IGNORECASE,
)
_LABEL_WINDOW = 40
# linkify-it does not know IPv6 literals (``http://[::1]:8765/c``): their scheme and host are found here, and
# linkify's own path pattern reads the rest. Every part is bounded, so a long run of text is read once.
_IPV6_AUTHORITY = re.compile(
    r"(?<![^\W_])(?:https?|ftp)://(?:[^\s/?#@\[\]<>\"]{1,256}@)?"
    r"\[(?P<address>[0-9a-f:.]{2,45})(?:%25[0-9a-z._~\-]{1,32})?\](?::\d{1,5})?",
    re.IGNORECASE,
)
_PERCENT_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HOST_LIKE = re.compile(r"(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_]{2,63}\Z|\d{1,3}(?:\.\d{1,3}){3}\Z")
_ASCII_HOST = re.compile(r"[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*\Z")
# DOIs (``10.<registrant>/<suffix>``, case-insensitive): written ``doi:10.…``, ``DOI: 10.…`` or as a resolver
# URL; all become one ``https://doi.org/<DOI>``. Each part is bounded, so a long run of text is read once.
DOI_RESOLVER = "https://doi.org/"
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_DOI_BODY = r"10\.\d{4,9}/[^\s<>\"«»“”]{1,512}"
# ``doi:`` and its DOI may stand on two lines (``… doi: ⏎10.1159/000505073``): the colon says what follows
_DOI_LABEL = r"doi(?:[ \t]{0,4}:[ \t]{0,4}(?:\r?\n[ \t]{0,4})?|[ \t]{0,4})"
_DOI_WRITTEN = re.compile(rf"(?<![\w/.]){_DOI_LABEL}(?P<doi>{_DOI_BODY})", re.IGNORECASE)
_DOI_ALONE = re.compile(rf"(?:{_DOI_LABEL})?(?P<doi>{_DOI_BODY})\Z", re.IGNORECASE)
_RESOLVER_PATH = re.compile(r"10\.\d{1,9}/\S{1,512}\Z")  # on a resolver, any ``10.…/…`` path names a DOI
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True, slots=True)
class _Edit:
    """One change between the text as written and the text handed to the detector."""

    start: int
    end: int
    replacement: str
    repairs: tuple[Repair, ...] = ()
    alternative: str | None = None  # the other reading, when the text cannot decide (both are candidates)


@dataclass(frozen=True)
class _Prepared:
    """The detector's view of a text, with the way back to the positions as written."""

    text: str
    piece_starts: tuple[int, ...]  # where each piece starts in ``text``
    piece_origins: tuple[int, ...]  # where it came from in the original
    edits: tuple[_Edit, ...]
    edit_starts: tuple[int, ...]
    edit_views: tuple[int, ...]  # where each edit's replacement starts in ``text``

    def original_position(self, position: int) -> int:
        index = bisect.bisect_right(self.piece_starts, position) - 1
        if index < 0:
            return position
        return self.piece_origins[index] + position - self.piece_starts[index]

    def repairs_between(self, start: int, end: int) -> list[Repair]:
        """Repairs made strictly inside ``start:end`` of the original, plus glue points at either edge."""
        found: list[Repair] = []
        for edit, _ in self._edits_between(start, end):
            inside = start < edit.start < end
            at_edge = Repair.GLUED in edit.repairs and edit.start in (start, end)
            if inside or at_edge:
                found.extend(repair for repair in edit.repairs if repair not in found)
        return found

    def alternatives_between(self, start: int, end: int) -> list[tuple[int, _Edit]]:
        """(position in ``text``, edit) of each undecided edit strictly inside ``start:end`` of the original."""
        return [
            (view, edit)
            for edit, view in self._edits_between(start, end)
            if edit.alternative is not None and start < edit.start < end
        ]

    def _edits_between(self, start: int, end: int) -> list[tuple[_Edit, int]]:
        found: list[tuple[_Edit, int]] = []
        index = bisect.bisect_left(self.edit_starts, start)
        while index < len(self.edits) and self.edits[index].start <= end:
            found.append((self.edits[index], self.edit_views[index]))
            index += 1
        return found


class _TailValidator:
    """A linkify-it validator for the schemes it does not know, matching in place (no copy of the tail)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)

    def validate(self, text: str, position: int) -> int:
        found = self.pattern.match(text, position)
        return len(found.group(0)) if found else 0


# A tail stops at the next scheme and is capped, so a run of ``javascript:javascript:…`` stays linear.
_UNFETCHABLE_TAIL = r"(?:(?!(?:javascript|file|data|mailto|https?|ftp):)[^\s<>\"«»“”]){1,2048}"


@lru_cache(maxsize=1)
def _detector() -> LinkifyIt:
    schemes = {
        "javascript:": {"validate": _TailValidator(_UNFETCHABLE_TAIL).validate},
        "file:": {"validate": _TailValidator(r"/{1,3}" + _UNFETCHABLE_TAIL).validate},
        "data:": {"validate": _TailValidator(r"[a-z]+/[a-z0-9.+\-]{1,100}[;,]" + _UNFETCHABLE_TAIL).validate},
    }
    detector = LinkifyIt(schemes, {"fuzzy_link": True, "fuzzy_email": False, "fuzzy_ip": True})
    detector.tlds(EXTRA_TOP_LEVEL_DOMAINS, keep_old=True)
    return detector


def find_urls(text: str, *, bare_domains: bool = False) -> list[FoundUrl]:
    """Every URL occurrence in ``text``, in order, each as written and as repaired.

    A bare domain (``News.uz``: no scheme, no ``www.``, no path) is usually an outlet's name in citations, so
    it is reported only when the context says it is an address (``<domain.kz>``, ``URL: domain.kz``, a
    Cyrillic top-level domain) or when ``bare_domains`` is set. Plain e-mail addresses are never reported.
    """
    if not text:
        return []
    bare = _bare_url(text)
    if bare is not None:
        return [bare]
    return _found_urls(text, bare_domains)


def _bare_url(text: str) -> FoundUrl | None:
    """The URL of a text that is one URL in normal form (``_simple``) and nothing else, as ``_found_urls`` would
    find it: nothing to repair, no other reading, no punctuation to trim (it does not end with a dot), and
    linkify-it's validator for its scheme taking it whole. None for any other text."""
    if _simple(text) is None or text[-1] == ".":
        return None
    scheme = text[: text.index(":") + 1]
    if _detector().test_schema_at(text, scheme, len(scheme)) != len(text) - len(scheme):
        return None
    return FoundUrl(url=text, raw=text, start=0, end=len(text))


def _found_urls(text: str, bare_domains: bool) -> list[FoundUrl]:
    """find_urls for any text."""
    prepared = _prepare(text)
    spans = _ipv6_spans(prepared.text)
    starts = [start for start, _, _ in spans]
    for index, last_index, schema in _links(prepared.text):
        before = bisect.bisect_left(starts, last_index) - 1  # the last IPv6 URL starting before its end
        if before < 0 or spans[before][1] <= index:  # linkify's reading of an IPv6 URL is dropped
            end = _past_root_dot(prepared.text, index, last_index)
            spans.append((index, end, schema))
    spans = _with_dois(prepared.text, sorted(spans))
    found: list[FoundUrl] = []
    covered = 0
    for start, end, schema in spans:
        if start < covered:
            continue  # inside the path an earlier URL took in (``News.uz./http://…`` past its root's dot)
        covered = end
        result = _found_url(text, prepared, schema, start, end, bare_domains)
        if result is not None:
            found.append(result)
    return found


# A run of non-blank text that may hold a link: linkify-it's links hold no character ``\s`` matches (its patterns
# exclude every Unicode space and control character), a link with a scheme holds ``:`` or ``//`` and one without
# holds a dot. Anchored at a run's start, so each run is read once.
_LINK_RUN = re.compile(r"(?<!\S)[^\s.:/]*[.:/]\S*")
# The same runs found faster (``_link_runs``): the one at the text's start, then each after a blank, the search
# skipping to a blank instead of trying a lookbehind at every position. Possessive: the letters before the
# first ``.``, ``:`` or ``/`` hold none of them, so giving them back never helps.
_FIRST_LINK_RUN = re.compile(r"[^\s.:/]*+[.:/]\S*")
_LINK_RUN_AFTER_BLANK = re.compile(r"\s[^\s.:/]*+[.:/]\S*")


def _link_runs(view: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of ``_LINK_RUN`` in ``view``, in order."""
    position = 0
    first = _FIRST_LINK_RUN.match(view)
    if first is not None:
        yield first.span()
        position = first.end()
    for run in _LINK_RUN_AFTER_BLANK.finditer(view, position):
        yield run.start() + 1, run.end()


# What may follow a link to the end of its run without starting another one (no letter, digit, ``/`` or ``_``).
_AFTER_LINK = re.compile(r"""[)\]}>.,;:!?"'»”“’]*""")


_DOT_WORD = re.compile(r"\.\w")


@lru_cache(maxsize=1)
def _link_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """linkify-it's own patterns for links with a scheme and for fuzzy links, compiled once, and one for its
    schemes alone (a run that starts with one)."""
    detector = _detector()
    names = [re.escape(name) for name, rule in detector._compiled.items() if name and rule]
    return (
        re.compile(detector.re["schema_search"], re.IGNORECASE),
        re.compile(detector.re["link_fuzzy"], re.IGNORECASE),
        re.compile("|".join(names), re.IGNORECASE),
    )


def _links(view: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercased scheme) of each link linkify-it's ``match`` finds in ``view``, found the same way
    but only where a link can be: its two patterns are run over each run of non-blank text holding ``.``, ``:`` or
    ``/``, from the blank before the run (which the patterns take as the boundary a link needs before it) to the
    blank after it (what their lookaheads see after a link's end), not over every position of the text. The
    scheme validators read the whole text, as linkify-it's do (a web link's, the run's tail: ``_tail_size``)."""
    schemes, fuzzy, scheme_at = _link_patterns()
    schemed: list[tuple[int, int, str]] = []
    guessed: list[tuple[int, int, str]] = []
    length = len(view)
    for start, end in _link_runs(view):
        scheme = scheme_at.match(view, start, end)
        if scheme is not None:
            # A run that starts with a scheme whose link takes in the run up to closing punctuation: no other
            # hit in it can start after the link, and the merge drops every hit starting inside it.
            size = _tail_size(view, scheme.group(), scheme.end(), end)
            link_end = scheme.end() + size
            if size and _AFTER_LINK.fullmatch(view, link_end, end):
                schemed.append((start, link_end, scheme.group().lower()))
                continue
        window = (start - 1 if start else 0, end + 1 if end < length else end)
        if scheme_at.search(view, start, end) is not None:  # a scheme's own letters (and colon) or "//"
            for found in schemes.finditer(view, *window):
                size = _tail_size(view, found.group(2), found.end(), end)
                if size:
                    schemed.append((found.start() + len(found.group(1)), found.end() + size, found.group(2).lower()))
        if _DOT_WORD.search(view, start, end) is not None:  # a fuzzy link's dot before its top-level domain
            guessed.extend(
                (found.start() + len(found.group(1)), found.end(), "") for found in fuzzy.finditer(view, *window)
            )
    return _merged(schemed, guessed)


# A web link's tail no longer than this is validated once per distinct tail (the same URL cited in both halves of
# a note, or in note after note); a longer one every time, so the memo holds no long text.
_MEMO_TAIL = 1_000


def _tail_size(view: str, name: str, position: int, run_end: int) -> int:
    """``test_schema_at(view, name, position)`` for a scheme found in the run of non-blank text ending at
    ``run_end`` (``_LINK_RUN``). linkify-it's validator for web links (``_validate_http``) matches one pattern at
    ``position``, with no lookbehind, that takes in no blank and whose lookaheads read a blank as they read the end
    of the text (each ``$`` stands beside the blank classes): its answer is that of the run's tail alone. The
    other validators are asked as they are (``//`` reads the text before the scheme)."""
    if run_end - position <= _MEMO_TAIL and name.lower() in _web_schemes():
        return _web_tail_size(view[position:run_end])
    return int(_detector().test_schema_at(view, name, position))


@lru_cache(maxsize=1)
def _web_schemes() -> frozenset[str]:
    """The schemes linkify-it validates with ``_validate_http`` (``http:``, ``https:``, ``ftp:``)."""
    detector = _detector()
    web = LinkifyIt._validate_http
    return frozenset(
        name
        for name, rule in detector._compiled.items()
        if rule and getattr(rule.get("validate"), "__func__", None) is web
    )


@lru_cache(maxsize=1024)
def _web_tail_size(tail: str) -> int:
    return int(_detector().test_schema_at(tail, "http:", 0))


def _merged(schemed: list[tuple[int, int, str]], guessed: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """linkify-it's merge of its two streams of hits: the earlier start first, on equal starts the longer hit, on
    a full tie the one with a scheme; a hit overlapping one already taken is dropped."""
    links: list[tuple[int, int, str]] = []
    taken_to = 0
    first = second = 0
    while first < len(schemed) or second < len(guessed):
        one = schemed[first] if first < len(schemed) else None
        other = guessed[second] if second < len(guessed) else None
        if other is None or (one is not None and (one[0] < other[0] or (one[0] == other[0] and one[1] >= other[1]))):
            assert one is not None
            candidate = one
            first += 1
        else:
            candidate = other
            second += 1
        if candidate[0] < taken_to:
            continue
        links.append(candidate)
        taken_to = candidate[1]
    return links


def _with_dois(view: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``spans`` (sorted) plus each ``doi:10.…`` written outside them, as a span of the ``doi`` schema."""
    if "10." not in view:
        return spans
    starts = [start for start, _, _ in spans]
    added: list[tuple[int, int, str]] = []
    for match in _DOI_WRITTEN.finditer(view):
        before = bisect.bisect_left(starts, match.end()) - 1
        if before >= 0 and spans[before][1] > match.start():
            continue  # inside a URL (``…/doi:10.1/x``) or overlapping one
        added.append((match.start(), match.end(), "doi"))
    return sorted(spans + added) if added else spans


def _past_root_dot(view: str, start: int, end: int) -> int:
    """The end of a URL whose host is written fully qualified (``http://example.com./page``): linkify-it stops
    at the root's dot, the path after it belongs to the URL."""
    if not view.startswith("./", end) or "/" in view[start:end].split("://", 1)[-1]:
        return end
    if _STARTS_NEW_URL.match(view, end + 2):
        return end  # ``News.uz./http://…``: a sentence's dot, then the next URL
    rest = _ipv6_path().match(view, end + 1)
    return rest.end() if rest else end


def _ipv6_spans(view: str) -> list[tuple[int, int, str]]:
    """(start, end, scheme) of each URL whose host is an IPv6 literal; linkify-it sees none of them."""
    if "[" not in view:
        return []
    path = _ipv6_path()
    spans: list[tuple[int, int, str]] = []
    for match in _IPV6_AUTHORITY.finditer(view):
        try:
            ipaddress.IPv6Address(match.group("address"))
        except ValueError:
            continue
        rest = path.match(view, match.end())
        end = rest.end() if rest else match.end()
        spans.append((match.start(), end, view[match.start() : view.index(":", match.start()) + 1]))
    return spans


@lru_cache(maxsize=1)
def _ipv6_path() -> re.Pattern[str]:
    return re.compile(_detector().re["src_path"], re.IGNORECASE)


def _found_url(
    text: str, prepared: _Prepared, schema: str, start: int, end: int, bare_domains: bool
) -> FoundUrl | None:
    view = prepared.text
    end = _trim_end(view, start, end)
    if end - start <= len(schema):
        return None
    candidate = view[start:end]
    if schema == "" and not bare_domains and not _is_cited_address(view, start, end, candidate):
        return None
    if prepared.edits:
        original_start = prepared.original_position(start)
        original_end = prepared.original_position(end - 1) + 1
        repairs = prepared.repairs_between(original_start, original_end)
        undecided = prepared.alternatives_between(original_start, original_end)
        readings = [candidate, *_other_readings(candidate, start, undecided)]
    else:  # the text as written (a breaking invisible read as a blank): its positions, no repair, one reading
        original_start, original_end, repairs, readings = start, end, [], [candidate]
    urls = [_as_link(reading, schema, repairs) for reading in readings]
    if urls[0] is None:
        return None
    if original_end < len(text) and text[original_end] in _URL_LEGAL_PUNCTUATION:
        repairs.append(Repair.TRAILING_PUNCTUATION)
    repairs = sorted(set(repairs), key=_REPAIR_ORDER.__getitem__) if repairs else repairs
    # one reading is one candidate: none to list
    candidates = tuple(dict.fromkeys(url for url in urls if url is not None)) if len(urls) > 1 else ()
    if prepared.edits:
        raw = text[original_start:original_end]
    elif prepared.text is text or (raw := text[start:end]) == candidate:
        raw = candidate  # as written: one string
    # else a breaking invisible, read as a blank, stands inside it (``doi:\u00a010.…``): as written
    return FoundUrl(
        url=urls[0],
        raw=raw,
        start=original_start,
        end=original_end,
        repairs=tuple(repairs),
        candidates=candidates if len(candidates) > 1 else (),
    )


_REPAIR_ORDER = {repair: index for index, repair in enumerate(Repair)}  # repairs are listed in this order


def _other_readings(candidate: str, start: int, undecided: list[tuple[int, _Edit]]) -> list[str]:
    """The other readings of a URL with undecided places: each of the first few places read the other way,
    and all of them at once. Each reading is checked; the one that answers is the cited URL."""
    places = [(view - start, edit) for view, edit in undecided if 0 <= view - start <= len(candidate)]
    if not places:
        return []
    choices = [[index] for index in range(min(len(places), _MAX_FLIPPED))]
    if len(places) > 1:
        choices.append(list(range(len(places))))
    readings: list[str] = []
    for chosen in choices:
        reading = candidate
        for offset, edit in sorted((places[index] for index in chosen), key=lambda place: -place[0]):
            if edit.alternative == _CUT:
                reading = reading[:offset].rstrip(_TRAILING_ASCII)
            elif edit.alternative is not None:
                reading = reading[:offset] + edit.alternative + reading[offset + len(edit.replacement) :]
        readings.append(reading)
    return readings


def _as_link(candidate: str, schema: str, repairs: list[Repair]) -> str | None:
    """The URL to check for one reading of a match: a DOI as its resolver link, a scheme added where none was
    written (each noted in ``repairs``)."""
    if schema == "doi":
        doi = canonical_doi(candidate)
        if doi is not None:
            repairs.append(Repair.DOI)
        return doi
    if schema == "":
        repairs.append(Repair.SCHEME_ADDED)
        return "http://" + candidate
    if schema == "//":
        repairs.append(Repair.SCHEME_ADDED)
        return "http:" + candidate
    if is_doi_url(candidate):
        doi = canonical_doi(candidate)
        if doi is not None and doi != candidate:
            repairs.append(Repair.DOI)
            return doi
    return candidate


def _trim_end(view: str, start: int, end: int) -> int:
    """Drop closing quotes and unbalanced brackets the detector took in, with what precedes them."""
    while end > start:
        last = view[end - 1]
        if last in _CLOSING_QUOTES or last in _TRAILING_ASCII:
            end -= 1
        elif last in _CLOSERS and view.count(last, start, end) > view.count(_CLOSERS[last], start, end):
            end -= 1
        else:
            break
    return end


def _is_cited_address(view: str, start: int, end: int, candidate: str) -> bool:
    """Whether a URL written without a scheme is an address rather than a name like ``Customs expert.ru``."""
    host, separator, rest = _split_host(candidate)
    if candidate.lower().startswith("www."):
        return True
    if separator and (rest or not _is_shouted(host)):
        return True
    top_level = host.rsplit(".", 1)[-1]
    if not top_level.isascii() and top_level[:1].isupper() and top_level[1:].islower():
        return False  # "…доктор наук.Москва, 2005": a sentence glued to a capitalized word, not ``.москва``
    if not top_level.isascii() or top_level.lower().startswith("xn--"):
        return True
    if start > 0 and view[start - 1] == "<" and end < len(view) and view[end] == ">":
        return True
    line_start = max(view.rfind("\n", max(0, start - _LABEL_WINDOW), start) + 1, start - _LABEL_WINDOW)
    return _URL_LABEL.search(view, line_start, start) is not None


def _is_shouted(host: str) -> bool:
    """``IZ.RU``, ``RIA.RU``: a host in capitals with nothing after its slash is an outlet's name as a masthead
    writes it («Известия» – IZ.RU/), not an address someone copied."""
    letters = [character for character in host if character.isalpha()]
    return bool(letters) and all(character.isupper() for character in letters)


def _split_host(candidate: str) -> tuple[str, str, str]:
    for index, character in enumerate(candidate):
        if character in "/?#":
            return candidate[:index], character, candidate[index + 1 :]
    return candidate, "", ""


def _prepare(text: str) -> _Prepared:
    edits = _invisible_edits(text)
    if "//" in text or _WWW.search(text) is not None:  # what every scheme, glue and layout edit needs
        starts = [match.start() for match in _STARTS.finditer(text)]
        edits += _scheme_space_edits(text, starts) + _glue_edits(text, starts) + _layout_edits(text, starts)
    blanks = _BREAKING_INVISIBLES.search(text) is not None
    if not edits:  # the text as written is the detector's view, a breaking invisible read as a blank in its place
        return _Prepared(text.translate(_AS_BLANKS) if blanks else text, (0,), (0,), (), (), ())
    if blanks:  # among other edits, each is one (it may stand where another edit starts: the first one wins)
        edits = [_Edit(match.start(), match.end(), " ") for match in _BREAKING_INVISIBLES.finditer(text)] + edits
    edits.sort(key=lambda edit: (edit.start, edit.end))
    pieces: list[str] = []
    piece_starts: list[int] = []
    piece_origins: list[int] = []
    kept: list[_Edit] = []
    views: list[int] = []
    position = 0  # in the original
    length = 0  # of the prepared text so far
    for edit in edits:
        if edit.start < position:
            continue  # overlaps an earlier edit
        if edit.start > position:
            piece_starts.append(length)
            piece_origins.append(position)
            pieces.append(text[position : edit.start])
            length += edit.start - position
        views.append(length)
        if edit.replacement:
            piece_starts.append(length)
            piece_origins.append(edit.start)
            pieces.append(edit.replacement)
            length += len(edit.replacement)
        kept.append(edit)
        position = edit.end
    if position < len(text) or not pieces:
        piece_starts.append(length)
        piece_origins.append(position)
        pieces.append(text[position:])
    return _Prepared(
        text="".join(pieces),
        piece_starts=tuple(piece_starts),
        piece_origins=tuple(piece_origins),
        edits=tuple(kept),
        edit_starts=tuple(edit.start for edit in kept),
        edit_views=tuple(views),
    )


def _invisible_edits(text: str) -> list[_Edit]:
    """The edits of the invisible characters that are not simply read as a blank: joiners after ASCII, soft
    hyphens, pdfium's hyphens (``_prepare`` reads each breaking invisible as a blank)."""
    if _EDITED_INVISIBLE.search(text) is None:  # none of the characters below
        return []
    edits: list[_Edit] = []
    for match in _JOINERS.finditer(text):
        before = text[match.start() - 1] if match.start() > 0 else " "
        if before.isascii() or unicodedata.category(before)[0] not in "LM":
            edits.append(_Edit(match.start(), match.end(), " "))
    position = text.find(_SOFT_HYPHEN)
    while position >= 0:
        # PDF text marks a hyphenation point so; in a URL it may stand for a real hyphen: both are readings
        edits.append(_Edit(position, position + 1, "", (Repair.HYPHEN_WRAP,), alternative="-"))
        position = text.find(_SOFT_HYPHEN, position + 1)
    position = text.find(_PDFIUM_HYPHEN)
    while position >= 0:  # a hyphen at a line end that the PDF text layer joined: a slug keeps it first
        segment = text[max(0, position - _CARRIED_LENGTH) : position].rsplit("/", 1)[-1]
        kept = "-" in segment
        repairs = (Repair.HYPHEN_WRAP, Repair.HYPHEN_KEPT if kept else Repair.HYPHEN_DROPPED)
        edits.append(_Edit(position, position + 1, "-" if kept else "", repairs, alternative="" if kept else "-"))
        position = text.find(_PDFIUM_HYPHEN, position + 1)
    return edits


def _scheme_space_edits(text: str, starts: list[int]) -> list[_Edit]:
    """``https:   //x``, ``http: // x``, ``https:// www.x``, ``http://⏎www.x``: the blanks inside the scheme
    removed (the text's case kept). ``starts``: where ``_STARTS`` matches (the only places a match can start);
    the matches are those of ``_SCHEME_SPACES.finditer``."""
    edits: list[_Edit] = []
    if "//" not in text:  # the pattern's own two slashes
        return edits
    covered = 0
    for position in starts:
        match = _SCHEME_SPACES.match(text, position) if position >= covered else None
        if match is None:
            continue
        covered = max(match.end(), position + 1)
        if not _NOT_AFTER_WORD.match(text, match.start()):
            continue
        written = match.group(0)
        if not _SCHEME_BLANK.search(written):  # its blanks are spaces, tabs and line ends
            continue
        first_blank = next((index for index, character in enumerate(written) if character.isspace()), -1)
        start = match.start() + first_blank
        replacement = "".join(text[start : match.end()].split())
        edits.append(_Edit(start, match.end(), replacement, (Repair.WHITESPACE,)))
    return edits


def _glue_edits(text: str, starts: list[int]) -> list[_Edit]:
    """A blank before each scheme glued to what precedes it; ``starts`` as for ``_scheme_space_edits`` (no match
    of ``_GLUED_SCHEME`` holds the start of another)."""
    if "://" not in text:
        return []
    return [
        _Edit(position, position, " ", (Repair.GLUED,))
        for position in starts
        if _GLUED_SCHEME.match(text, position) and _GLUED_AFTER.match(text, position)
    ]


def _layout_edits(text: str, starts: list[int]) -> list[_Edit]:
    """Rejoin URLs that layout cut: at a line end (PDF text), over a page break, at a blank that text
    extraction put inside them; en dashes inside a URL read as hyphens. Each URL start is followed once over
    its tokens, so the work is linear in the text. ``starts`` as for ``_scheme_space_edits`` (no match of
    ``_URL_START`` holds the start of another)."""
    edits: list[_Edit] = []
    if "://" not in text and _WWW.search(text) is None:  # what every URL start holds
        return edits
    covered = 0
    for position in starts:
        if position < covered or not _URL_START.match(text, position):
            continue
        if not _NOT_AFTER_WORD.match(text, position):
            continue
        covered = _follow_url(text, position, edits)
    return edits


def _follow_url(text: str, start: int, edits: list[_Edit]) -> int:
    """Follow one URL from ``start`` over the gaps layout put in it, adding the edits; returns where it ends."""
    end = _token_end(text, start)
    _dash_edits(text, start, end, edits)
    carried = text[start:end]
    for _ in range(_MAX_PIECES):
        joined = _join_next(text, carried, end)
        if joined is None:
            break
        edit, piece_start = joined
        edits.append(edit)
        piece_end = _token_end(text, piece_start)
        _dash_edits(text, piece_start, piece_end, edits)
        kept = carried[:-1] if edit.replacement == "" and edit.start < end else carried
        carried = kept + text[piece_start:piece_end]
        if len(carried) > 2 * _CARRIED_LENGTH:  # the scheme and host, and the last segments, are what counts
            carried = carried[:_CARRIED_LENGTH] + carried[-_CARRIED_LENGTH:]
        end = piece_end
    return end


def _token_end(text: str, position: int) -> int:
    found = _WHITESPACE.search(text, position)
    return found.start() if found else len(text)


def _dash_edits(text: str, start: int, end: int, edits: list[_Edit]) -> None:
    """An en dash between two characters of a URL is a hyphen as typeset: read as ``-`` first, ``–`` kept as the
    other candidate."""
    position = text.find("\u2013", start + 1, end - 1)
    while position >= 0:
        edits.append(_Edit(position, position + 1, "-", (Repair.EN_DASH,), alternative="\u2013"))
        position = text.find("\u2013", position + 1, end - 1)


def _join_next(text: str, carried: str, end: int) -> tuple[_Edit, int] | None:
    """The edit that joins the URL ending at ``end`` (``carried``: the URL so far) to the token after the gap,
    and where that token starts; None when the gap ends the URL."""
    after_blanks = _skip_blanks(text, end)
    if after_blanks >= len(text):
        return None
    following = text[after_blanks]
    if following in "\r\n\f":
        return _join_line(text, carried, end, after_blanks)
    if after_blanks - end > _MAX_INNER_BLANKS or following not in _URL_FIRST_CHARACTERS:
        return None  # a piece not starting as _URL_CHARACTERS needs is never joined (_blank_reading)
    piece = text[after_blanks : _token_end(text, after_blanks)]
    reading = _blank_reading(carried, piece)
    if reading is None:
        return None
    alternative = _CUT if reading == "join?" else None
    return _Edit(end, after_blanks, "", (Repair.WHITESPACE,), alternative), after_blanks


def _skip_blanks(text: str, position: int) -> int:
    blanks = _INDENTATION.match(text, position)
    return blanks.end() if blanks else position


def _join_line(text: str, carried: str, end: int, line_end: int) -> tuple[_Edit, int] | None:
    """Join over a line end, or over a page break and the page number or frame stamp lines around it (lines
    are skipped only when a page break is among them: without one, a blank line ends the URL)."""
    position, page_break, skipped = line_end, False, False
    for _ in range(_MAX_SKIPPED_LINES):
        stop = _line_break(text, position)
        if stop < 0:
            return None
        page_break = page_break or "\f" in text[position : stop + 1]
        position = _skip_page_blanks(text, stop + 1)
        page_break = page_break or "\f" in text[stop + 1 : position]
        line_stop = _line_break(text, position)
        line = text[position : line_stop if line_stop >= 0 else position + _LINE_REACH].strip()
        if line and not _is_frame_line(line):
            break
        skipped = True
    else:
        return None
    if skipped and not page_break:
        return None
    piece_end = _token_end(text, position)
    piece = text[position:piece_end]
    after = _skip_blanks(text, piece_end)
    closed = after >= len(text) or text[after] in "(\r\n\f"  # the word alone before ``(дата…`` or a line end
    dash = carried.endswith("\u2013")  # ``icj–⏎cij.org``: a hyphen the typesetter turned into an en dash
    reading = _line_reading(carried[:-1] + "-" if dash else carried, piece, alone=piece == line, closed=closed)
    if reading is None:
        return None
    repairs = (Repair.HYPHEN_WRAP, Repair.PAGE_BREAK) if page_break else (Repair.HYPHEN_WRAP,)
    if dash and reading in ("kept", "kept?"):
        alternative = "" if reading == "kept?" else None
        return _Edit(end - 1, position, "-", (*repairs, Repair.HYPHEN_KEPT, Repair.EN_DASH), alternative), position
    if reading == "kept":
        return _Edit(end, position, "", (*repairs, Repair.HYPHEN_KEPT)), position
    if reading == "dropped":
        return _Edit(end - 1, position, "", (*repairs, Repair.HYPHEN_DROPPED)), position
    if reading == "kept?":
        return _Edit(end - 1, position, "-", (*repairs, Repair.HYPHEN_KEPT), alternative=""), position
    if reading == "join?":
        return _Edit(end, position, "", repairs, alternative=_CUT), position
    if reading == "dropped?":
        return _Edit(end - 1, position, "", (*repairs, Repair.HYPHEN_DROPPED), alternative="-"), position
    return _Edit(end, position, "", repairs), position


def _line_break(text: str, position: int) -> int:
    """Where the line at ``position`` ends: its newline or page break; -1 when neither comes within
    ``_LINE_REACH`` (a long line is text, not a page number or stamp, and a bounded look keeps the scan linear)."""
    limit = min(len(text), position + _LINE_REACH)
    newline = text.find("\n", position, limit)
    page = text.find("\f", position, newline if newline >= 0 else limit)
    return page if page >= 0 else newline


def _skip_page_blanks(text: str, position: int) -> int:
    blanks = _PAGE_BLANKS.match(text, position)
    return blanks.end() if blanks else position


def _is_frame_line(line: str) -> bool:
    """A line a page break brings that is no part of the text: a page number, a GOST frame stamp."""
    return bool(_PAGE_NUMBER_LINE.match(line) or _FRAME_STAMP.search(line))


def _line_reading(carried: str, piece: str, *, alone: bool = False, closed: bool = False) -> str | None:
    """How the URL so far continues over a line end into ``piece``: ``join``, ``kept``/``dropped`` (a hyphen at
    the line end, decided), ``kept?``/``dropped?``/``join?`` (undecided: both are candidates), or None (it
    ended). ``closed``: nothing but a bracket or a line end follows the piece on its line."""
    if _LIST_NUMBER.match(piece) and not alone:  # the next line starts the next note ("12. …", "[12] …")
        return None
    bracket = _BRACKETED_TEXT.search(piece)
    if bracket is not None:  # ``…-⏎sposobnostey(дата обращения…``: the bracket opens the text after the URL
        piece, closed = piece[: bracket.start()], True
    core = piece.rstrip(_TRAILING_ASCII + _CLOSING_QUOTES + ")]")
    if core.startswith("?") and _QUERY_PIECE.match(core, 1) and "/" in carried.split("://", 1)[-1]:
        return "join"  # ``…/search⏎?l=&q=…``: the query on the next line
    if not core or _STARTS_NEW_URL.match(core) or not _URL_CHARACTERS.match(core):
        return None
    address = carried.split("://", 1)[-1]
    if carried.endswith(("://", "//")) or (not address.strip("/") and carried.endswith("/")):
        return "join" if _HOST_START.match(core) else None
    if "/" not in address and _host_incomplete(address):
        if carried.endswith("-"):
            return _hyphen_reading(carried, core, in_host=True)
        return "join" if _HOST_START.match(core) else None
    if core.isdecimal():
        if carried.endswith(("/", ".")) and len(core) >= _ID_DIGITS:
            return "join?"  # "…/document/⏎420244911": likely the page's id, but the text cannot be sure
        return None  # "…/population⏎2012 figures": a number after a URL is ordinary text
    last = carried[-1]
    first_word = _FIRST_WORD.match(core)
    if core[0].isupper() and not _URL_LIKE_UPPER.search(core) and not (first_word and first_word.group(0).isupper()):
        return None  # "…/a-⏎Next Sentence": a sentence, not ``en-⏎US`` or ``Design-⏎Development-Hospital/…``
    if last == "-":
        return _hyphen_reading(carried, core, in_host="/" not in address)
    if last in "_=&?%~+":
        return "join"
    if not (last.isalnum() or last in "./"):
        return None
    if "/" in address and _FILE_SUFFIX.search((carried[-8:] + core)[-10:]) and not _FILE_SUFFIX.search(carried):
        return "join"  # ``…politru.ht⏎m``: the line end cut the page's suffix
    escape = _PARTIAL_ESCAPE.search(carried[-3:])
    rest = _ESCAPE_REST.match(core) if escape else None
    if escape and rest and len(escape.group(0)) + len(rest.group(0)) == 3:
        return "join"  # ``…language%3AC%2⏎B%2B``: a percent escape cut by the line end
    if "/" in address and last == "/" and closed and _PLAIN_SEGMENT.match(core) and core == piece:
        return "join?"  # ``…/plotinus/⏎releases (дата…``: a segment, or a word after the URL; the check decides
    if "/" not in address or not _URL_LIKE_CONTINUATION.search(core):
        return None
    if core[0].isupper() and not _URL_LIKE_UPPER.search(core):
        return None
    return "join"


def _hyphen_reading(carried: str, core: str, *, in_host: bool) -> str:
    """A hyphen at a line end inside a URL: the URL's own (kept), the typesetter's (dropped), or undecided."""
    before = _LAST_WORD.search(carried[-_WORD_REACH:-1])  # a word of a slug, never the whole URL
    after = _FIRST_WORD.match(core)
    word_before = before.group(0) if before else ""
    word_after = after.group(0) if after else ""
    if not (word_before.isalpha() and word_after.isalpha() and word_before.isascii() and word_after.isascii()):
        return "kept"  # ``eid=2-`` / ``s2.0``, ``mt-9``, Cyrillic slugs: not a word split by a typesetter
    if word_after[0].isupper() or f"{word_before}-{word_after}".lower() in _HYPHENATED_WORDS:
        return "kept"  # ``en-⏎US``, ``Design-⏎Development``, ``wp-⏎content``
    segment = carried[:-1].rsplit("/", 1)[-1]
    if in_host or "-" in segment or "-" in core.split("/", 1)[0]:
        return "kept?"  # a host or a slug of hyphenated words: the hyphen more likely belongs to it
    return "dropped?"


def _host_incomplete(address: str) -> bool:
    """Whether a URL's host (no path yet) cannot end here: ``www.legislat``, ``www.jus.``, ``teoria-``."""
    host = address.rsplit("@", 1)[-1].split(":", 1)[0].lower()
    if not host or host.endswith((".", "-")) or "." not in host:
        return True
    top_level = host.rsplit(".", 1)[-1]
    return not (top_level in _top_level_domains() or top_level.startswith("xn--") or not top_level.isascii())


@lru_cache(maxsize=1)
def _top_level_domains() -> frozenset[str]:
    return frozenset([*(name.lower() for name in TLDS), *EXTRA_TOP_LEVEL_DOMAINS])


def _blank_reading(carried: str, piece: str) -> str | None:
    """Whether a blank between ``carried`` and ``piece`` was put inside one URL (by text extraction, or typed in
    the file): ``join``, ``join?`` (undecided: both readings are candidates) or None (the URL ended). Only where
    the piece cannot be ordinary text: a host's rest (``www.legislat ion.gov.uk``, ``www.oim. ru/…``), a path
    after its host (``www.airpair.com /python/…``, ``help.gnome.org/ users/evolution/…``), ``_word`` /
    ``%D0…`` continuing a path, a query's next ``name=``."""
    core = piece.rstrip(_TRAILING_ASCII + _CLOSING_QUOTES + ")]")
    if not core or _STARTS_NEW_URL.match(core) or not _URL_CHARACTERS.match(core):
        return None
    address = carried.split("://", 1)[-1]
    if "/" not in address:
        if _host_incomplete(address):
            if "." in address and _HOST_REST.match(core) is not None:
                return "join"
            top_level = _TOP_LEVEL_REST.match(core) if address.endswith(".") else None
            known = top_level is not None and top_level.group(1) in _top_level_domains()
            return "join" if known and not address.startswith(".") else None
        return "join" if _PATH_AFTER_HOST.match(core) else None
    if carried.endswith("/") and address.strip("/") and core[0].isascii() and core[0].isalpha():
        return _segment_reading(core)
    if _PATH_PIECE.match(core) and not core.endswith("_"):
        return "join"
    query = address.split("?", 1)
    return "join" if len(query) == 2 and _QUERY_PIECE.match(core) is not None else None


def _segment_reading(core: str) -> str | None:
    """A word after ``…/`` and a blank: the path's next segments (``html/rfc4324``, ``sandbox/24540/``,
    ``users/evolution/stable/index.html``), undecided for two plain words (``and/or``), else text."""
    if _FILE_SUFFIX.search(core.split("?", 1)[0].split("#", 1)[0]):
        return "join"
    if "/" not in core:
        return None
    segments = core.split("/")
    if core.endswith("/") or len(segments) > 2 or any(character in core for character in "0123456789_%?=&"):
        return "join"
    return "join?"


_EMAIL_DOMAIN = re.compile(r"[\w.+\-]{1,64}@([\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8})")


def is_contact_address(found: FoundUrl, text: str) -> bool:
    """Whether ``found`` is a site's home page written beside an e-mail address at the same domain
    (``www.gostinfo.ru info@gostinfo.ru``): an imprint's or a letterhead's contact details, not a citation."""
    if "@" not in text or not is_homepage(found.url) or found.url.count("/") > 3:
        return False
    try:
        host = url_host(found.url).removeprefix("www.")
    except ValueError:
        return False
    return any(match.group(1).lower().removeprefix("www.") == host for match in _EMAIL_DOMAIN.finditer(text))


def canonical_doi(text: str) -> str | None:
    """The canonical link ``https://doi.org/<DOI>`` of a DOI however written (``doi:10.…``, ``DOI: 10.…``,
    ``10.…`` alone, ``https://doi.org/10.…``, ``http://dx.doi.org/10.…``), the DOI's case kept as written;
    None when ``text`` is not a DOI. Trailing punctuation and an unbalanced closing bracket are not part of it.
    """
    text = text.strip()
    doi = doi_of(text) if "//" in text or text.lower().startswith(("doi.org/", "dx.doi.org/")) else None
    if doi is None:
        match = _DOI_ALONE.match(text)
        if match is None:
            return None
        doi = match.group("doi")
    end = _trim_end(doi, 0, len(doi))
    doi = doi[:end]
    if "/" not in doi or doi.endswith("/"):
        return None
    return DOI_RESOLVER + doi


def doi_of(url: str) -> str | None:
    """The DOI a resolver URL (``doi.org``, ``dx.doi.org``, with or without scheme) names, else None."""
    if "/10." not in url or "doi" not in url.lower():  # the path starts so, the host (lowercased) says so
        return None
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if host not in _DOI_HOSTS or not parts.path.startswith("/10."):
        return None
    doi = parts.path[1:]
    if "%" in doi:
        decoded = unquote(doi)
        if not any(character in decoded for character in "?#") and not decoded.isspace():
            doi = decoded
    if parts.query:
        doi += "?" + parts.query
    return doi if _RESOLVER_PATH.match(doi) else None


def is_doi_url(url: str) -> bool:
    """Whether ``url`` names a DOI at a DOI resolver (whose 404 means "DOI not registered")."""
    return doi_of(url) is not None


def normalize_url(url: str) -> str:
    """The comparable form of ``url``: scheme and host lowercased, IDN host in punycode, IPv6 literal in its
    short form, non-ASCII and stray ``%`` percent-encoded (escapes uppercased), default port dropped, empty
    path as ``/``, fragment dropped.

    A fragment is never sent to the server, so ``…/b#x`` and ``…/b#y`` are one page to check; only the AJAX
    form ``#!…`` is kept, since it named distinct content.

    Other schemes (``mailto:``, ``javascript:``, ``file:``) only get their scheme lowercased.
    Raises ValueError when ``url`` is not a URL.
    """
    simple = _simple(url)
    return simple[0] if simple is not None else _normalized(url)


@functools.lru_cache(maxsize=65536)  # pure, and asked of the same URLs by every stage
def _normalized(url: str) -> str:
    """normalize_url's work, for any URL. Cached (about 20 µs for a URL with an IDN host, a query or a
    fragment); a URL already in normal form is answered by ``_simple`` in about 2 µs without the cache, so
    100,000 such URLs fill no cache (17 MB)."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        text = url.strip()
        return scheme + text[len(scheme) :]
    host = _encode_host(parts.hostname or "")
    if not host:
        raise ValueError(f"no host name in {url!r}")
    port = parts.port  # raises ValueError when out of range
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        userinfo = quote(parts.username, safe=_PATH_SAFE)
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe=_PATH_SAFE)
        netloc = f"{userinfo}@{netloc}"
    path = _encode(parts.path, _PATH_SAFE) or "/"
    if host in _DOI_HOSTS and parts.path.startswith("/10."):  # one DOI, however written: case-insensitive
        scheme, netloc, path = "https", "doi.org", _encode(unquote(parts.path).lower(), _PATH_SAFE)
    query = _encode(parts.query, _QUERY_SAFE)
    fragment = _encode(parts.fragment, _QUERY_SAFE) if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


_AUTHORITY_END = re.compile(r"[/?#]")
# A URL already in its normal form, and simple: lowercase http(s) scheme and ASCII host, a port that is not the
# default one, a path of unreserved characters, nothing else. normalize_url would give it back as it is (with
# "/" for an empty path); the URLs of a long list are mostly such.
_SIMPLE_URL = re.compile(
    r"(?P<scheme>https?)://(?P<host>[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*)(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"(?P<path>/[A-Za-z0-9\-._~/]*)?\Z"
)


def _simple(url: str) -> tuple[str, str] | None:
    """(normalized URL, host) of a URL ``_SIMPLE_URL`` matches and normalize_url keeps (not a DOI resolver's,
    port in range), else None: the answer normalize_url and url_host would give, without parsing the URL."""
    match = _simple_match(url)
    if match is None:
        return None
    return (url if match.group("path") else url + "/"), match.group("host")


def _simple_match(url: str) -> re.Match[str] | None:
    """``_SIMPLE_URL``'s match of a URL that normalize_url gives back as it is (with ``/`` for an empty path):
    see ``_simple``."""
    match = _SIMPLE_URL.match(url)
    if match is None:
        return None
    scheme, host, port = match.group("scheme", "host", "port")
    if host in _DOI_HOSTS or (port is not None and (int(port) > 65535 or int(port) == DEFAULT_PORTS[scheme])):
        return None
    return match


def _split(url: str) -> SplitResult:
    text = url.strip()
    if not text or _WHITESPACE.search(text):
        raise ValueError(f"not a URL: {url!r}")
    if text.startswith("//"):
        text = "http:" + text
    elif "://" not in text:
        scheme = _SCHEME.match(text)
        if scheme is None or "." in scheme.group(1):
            authority = _AUTHORITY_END.split(text, maxsplit=1)[0].rsplit("@", 1)[-1]
            if not _HOST_LIKE.match(authority.split(":", 1)[0]):
                raise ValueError(f"not a URL: {url!r}")
            text = "http://" + text
    elif not _SCHEME.match(text):
        raise ValueError(f"not a URL: {url!r}")
    try:
        return urlsplit(text)
    except ValueError as error:
        raise ValueError(f"not a URL: {url!r}: {error}") from error


def _encode_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if ":" in host:  # IPv6 literal, perhaps with a zone (``fe80::1%25eth0``)
        address, percent, zone = host.partition("%")
        try:
            parsed = ipaddress.IPv6Address(address)
        except ValueError as error:
            raise ValueError(f"invalid IPv6 address {host!r}") from error
        mapped = parsed.ipv4_mapped  # ``::ffff:127.0.0.1`` reads better than ``::ffff:7f00:1``
        return (f"::ffff:{mapped}" if mapped else parsed.compressed) + percent + zone
    if any(not label for label in host.split(".")):
        raise ValueError(f"empty label in host {host!r}")
    if host.isascii():
        if not _ASCII_HOST.match(host):
            raise ValueError(f"invalid host {host!r}")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise ValueError(f"host {host!r} cannot be encoded: {error}") from error


def _encode(component: str, safe: str) -> str:
    encoded = quote(_STRAY_PERCENT.sub("%25", component), safe=safe)
    return _PERCENT_ESCAPE.sub(_uppercase_escape, encoded)


def _uppercase_escape(match: re.Match[str]) -> str:
    return "%" + match.group(1).upper()


def url_key(url: str) -> str:
    """The form under which a URL is one link: normalized, or the URL itself when it cannot be normalized."""
    try:
        return normalize_url(url)
    except ValueError:
        return url


def url_key_and_host(url: str) -> tuple[str, str]:
    """``(url_key(url), url_host of that key)``: the form under which a URL is one link and its host; the URL
    itself and "" when it cannot be normalized."""
    simple = _simple(url)
    if simple is not None:
        return simple
    try:
        normalized = normalize_url(url)
        return normalized, url_host(normalized)
    except ValueError:
        return url, ""


def url_host(url: str) -> str:
    """The normalized host of ``url`` (lowercase, punycode); empty for URLs without one (``mailto:``)."""
    simple = _simple(url)
    if simple is not None:
        return simple[1]
    return urlsplit(normalize_url(url)).hostname or ""


def is_fetchable(url: str) -> bool:
    """Whether the checker can fetch ``url``: http(s) with a host."""
    return url_scheme_problem(url) is None


def url_scheme_problem(url: str) -> str | None:
    """Why ``url`` will not be fetched (its status is then ``invalid``), or None when it can be."""
    try:
        parts = _split(url)
        normalized = normalize_url(url)
    except ValueError as error:
        return str(error)
    scheme = parts.scheme.lower()
    if scheme not in FETCHABLE_SCHEMES:
        return f"{scheme}: URLs are not fetched"
    if not urlsplit(normalized).hostname:
        return f"no host name in {url!r}"
    return None


def is_homepage(url: str) -> bool:
    """Whether ``url`` is a site's root or generic landing page (``/``, ``/index.php``, ``/ru/``,
    ``/en/main``) without a query: where a deep link that lost its content is sent."""
    simple = _simple_match(url)  # normalized as it is written (its path "/" when empty): only its path counts
    parts = None
    if simple is None:
        try:
            normalized = normalize_url(url)
            simple = _SIMPLE_URL.match(normalized)  # without query and fragment: only its path counts
            parts = urlsplit(normalized) if simple is None else None
        except ValueError:
            return False
    if parts is None:
        path = (simple.group("path") if simple is not None else "") or ""
    elif parts.query or parts.fragment:  # only a ``#!…`` fragment survives normalization: distinct content
        return False
    else:
        path = parts.path
    segments = [segment for segment in path.lower().split("/") if segment]
    if not segments:
        return True
    if len(segments) > 2:
        return False
    *languages, last = segments
    if any(segment not in LANGUAGE_SEGMENTS for segment in languages):
        return False
    return last in LANGUAGE_SEGMENTS or last in LANDING_PAGES
