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
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

import idna
from linkify_it import LinkifyIt

from ..models import FoundUrl, Repair

__all__ = [
    "canonical_doi",
    "doi_of",
    "find_urls",
    "is_doi_url",
    "is_fetchable",
    "is_homepage",
    "normalize_url",
    "url_host",
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
# Lookahead-and-backreference makes each run of spaces atomic, so a long run is never rescanned.
_SCHEME_SPACES = re.compile(
    r"(?<![^\W_])(?:https?|ftp):(?=([ \t]*))\1(?:\r?\n(?=([ \t]*))\2)?//", re.IGNORECASE
)
_GLUED_SCHEME = re.compile(r"(?<=[^\W_])(?:https?|ftp)://", re.IGNORECASE)
_CARRIED_LENGTH = 200
_INDENTATION = re.compile(r"[ \t]*")
_WHITESPACE = re.compile(r"\s")
_STARTS_NEW_URL = re.compile(r"(?:https?:|ftp:|mailto:|file:|javascript:|www\.)", re.IGNORECASE)
_OPENING_PUNCTUATION = "([{<«“„‘\"'"
# What a wrapped line may start with when it continues a URL, and the signs that it does.
_LIST_NUMBER = re.compile(r"(?:\d{1,5}[.)]|\[\d{1,5}\])\Z")
_CONTINUATION = re.compile(r"[a-z0-9%_/][a-z0-9\-_/.%?=&~+#:@!$*,;]*\Z")
_URL_LIKE_CONTINUATION = re.compile(
    r"[/?=&%#_\-]|[0-9]|\.(?:html?|shtml|php\d?|aspx?|jsp|cfm|cgi|pdf|docx?|xml|txt)(?![a-z])"
)
_TRAILING_ASCII = ".,;:!?"
_CLOSING_QUOTES = "”»’“„›"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Punctuation a naive reader would take into the URL: it is legal in URLs (RFC 3986), so only context tells.
_URL_LEGAL_PUNCTUATION = frozenset(".,;:!?'*")
# A bare domain right after one of these labels is a cited address, not an outlet's name.
_URL_LABEL = re.compile(
    r"(?:\burl|режим доступа|access mode|available (?:at|from|online)|retrieved from|доступно|"
    r"сайт[еау]?|web-?site|адрес|address)\s*:?\s*\Z",
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
_DOI_WRITTEN = re.compile(rf"(?<![\w/.])doi[ \t]{{0,4}}:?[ \t]{{0,4}}(?P<doi>{_DOI_BODY})", re.IGNORECASE)
_DOI_ALONE = re.compile(rf"(?:doi[ \t]{{0,4}}:?[ \t]{{0,4}})?(?P<doi>{_DOI_BODY})\Z", re.IGNORECASE)
_RESOLVER_PATH = re.compile(r"10\.\d{1,9}/\S{1,512}\Z")  # on a resolver, any ``10.…/…`` path names a DOI
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True)
class _Edit:
    """One change between the text as written and the text handed to the detector."""

    start: int
    end: int
    replacement: str
    repair: Repair | None = None


@dataclass(frozen=True)
class _Prepared:
    """The detector's view of a text, with the way back to the positions as written."""

    text: str
    piece_starts: tuple[int, ...]  # where each piece starts in ``text``
    piece_origins: tuple[int, ...]  # where it came from in the original
    edits: tuple[_Edit, ...]
    edit_starts: tuple[int, ...]

    def original_position(self, position: int) -> int:
        index = bisect.bisect_right(self.piece_starts, position) - 1
        if index < 0:
            return position
        return self.piece_origins[index] + position - self.piece_starts[index]

    def repairs_between(self, start: int, end: int) -> list[Repair]:
        """Repairs made strictly inside ``start:end`` of the original, plus glue points at either edge."""
        found: list[Repair] = []
        index = bisect.bisect_left(self.edit_starts, start)
        while index < len(self.edits) and self.edits[index].start <= end:
            edit = self.edits[index]
            index += 1
            if edit.repair is None:
                continue
            inside = start < edit.start < end
            at_edge = edit.repair is Repair.GLUED and edit.start in (start, end)
            if (inside or at_edge) and edit.repair not in found:
                found.append(edit.repair)
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
    prepared = _prepare(text)
    detector = _detector()
    spans = _ipv6_spans(prepared.text)
    starts = [start for start, _, _ in spans]
    for match in detector.match(prepared.text) or []:
        before = bisect.bisect_left(starts, match.last_index) - 1  # the last IPv6 URL starting before its end
        if before < 0 or spans[before][1] <= match.index:  # linkify's reading of an IPv6 URL is dropped
            spans.append((match.index, match.last_index, match.schema))
    spans = _with_dois(prepared.text, sorted(spans))
    found: list[FoundUrl] = []
    for start, end, schema in spans:
        result = _found_url(text, prepared, schema, start, end, bare_domains)
        if result is not None:
            found.append(result)
    return found


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
    original_start = prepared.original_position(start)
    original_end = prepared.original_position(end - 1) + 1
    repairs = prepared.repairs_between(original_start, original_end)
    if schema == "doi":
        doi = canonical_doi(candidate)
        if doi is None:
            return None
        candidate = doi
        repairs.append(Repair.DOI)
    elif schema == "":
        candidate = "http://" + candidate
        repairs.append(Repair.SCHEME_ADDED)
    elif schema == "//":
        candidate = "http:" + candidate
        repairs.append(Repair.SCHEME_ADDED)
    if schema != "doi" and is_doi_url(candidate):
        doi = canonical_doi(candidate)
        if doi is not None and doi != candidate:
            candidate = doi
            repairs.append(Repair.DOI)
    if original_end < len(text) and text[original_end] in _URL_LEGAL_PUNCTUATION:
        repairs.append(Repair.TRAILING_PUNCTUATION)
    order = list(Repair)
    repairs.sort(key=order.index)
    return FoundUrl(
        url=candidate,
        raw=text[original_start:original_end],
        start=original_start,
        end=original_end,
        repairs=tuple(repairs),
    )


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
    host, separator, _ = _split_host(candidate)
    if separator or candidate.lower().startswith("www."):
        return True
    top_level = host.rsplit(".", 1)[-1]
    if not top_level.isascii() or top_level.lower().startswith("xn--"):
        return True
    if start > 0 and view[start - 1] == "<" and end < len(view) and view[end] == ">":
        return True
    line_start = max(view.rfind("\n", max(0, start - _LABEL_WINDOW), start) + 1, start - _LABEL_WINDOW)
    return _URL_LABEL.search(view, line_start, start) is not None


def _split_host(candidate: str) -> tuple[str, str, str]:
    for index, character in enumerate(candidate):
        if character in "/?#":
            return candidate[:index], character, candidate[index + 1 :]
    return candidate, "", ""


def _prepare(text: str) -> _Prepared:
    edits = _invisible_edits(text) + _scheme_space_edits(text) + _glue_edits(text) + _wrap_edits(text)
    edits.sort(key=lambda edit: (edit.start, edit.end))
    pieces: list[str] = []
    piece_starts: list[int] = []
    piece_origins: list[int] = []
    kept: list[_Edit] = []
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
    )


def _invisible_edits(text: str) -> list[_Edit]:
    edits = [_Edit(match.start(), match.end(), " ") for match in _BREAKING_INVISIBLES.finditer(text)]
    for match in _JOINERS.finditer(text):
        before = text[match.start() - 1] if match.start() > 0 else " "
        if before.isascii() or unicodedata.category(before)[0] not in "LM":
            edits.append(_Edit(match.start(), match.end(), " "))
    position = text.find(_SOFT_HYPHEN)
    while position >= 0:
        edits.append(_Edit(position, position + 1, "", Repair.HYPHEN_WRAP))
        position = text.find(_SOFT_HYPHEN, position + 1)
    return edits


def _scheme_space_edits(text: str) -> list[_Edit]:
    edits: list[_Edit] = []
    for match in _SCHEME_SPACES.finditer(text):
        spaces_start, spaces_end = text.index(":", match.start()) + 1, match.end() - 2
        if spaces_end > spaces_start:
            edits.append(_Edit(spaces_start, spaces_end, "", Repair.WHITESPACE))
    return edits


def _glue_edits(text: str) -> list[_Edit]:
    return [_Edit(match.start(), match.start(), " ", Repair.GLUED) for match in _GLUED_SCHEME.finditer(text)]


def _wrap_edits(text: str) -> list[_Edit]:
    """Rejoin URLs that a line break cut in two (PDF text), keeping the hyphen when it is the URL's own."""
    edits: list[_Edit] = []
    line_start = 0
    continued_token_start = -1  # start of a token already known to continue a URL
    carried = ""  # the end of the URL so far, when it continues over several lines
    newline = text.find("\n")
    while newline >= 0:
        line_end = len(text[line_start:newline].rstrip(" \t\r")) + line_start
        next_start = _skip_indentation(text, newline + 1)
        newline = text.find("\n", newline + 1)
        token_start = _last_token_start(text, line_start, line_end)
        line_start = next_start
        if token_start >= line_end:
            continue
        token = text[token_start:line_end]
        if token_start == continued_token_start:
            token = carried + token
        elif not _starts_url(token):
            continue
        edit = _wrap_edit(token, _token_at(text, next_start), line_end, next_start)
        if edit is not None:
            edits.append(edit)
            continued_token_start = next_start
            kept = token[: len(token) - (line_end - edit.start)]
            # What the next line's check needs is the scheme and the last path segment: keep those only.
            carried = kept
            if len(kept) > 2 * _CARRIED_LENGTH:
                carried = kept[:_CARRIED_LENGTH] + kept[-_CARRIED_LENGTH:]
    return edits


def _skip_indentation(text: str, position: int) -> int:
    indentation = _INDENTATION.match(text, position)
    return indentation.end() if indentation else position


def _last_token_start(text: str, line_start: int, line_end: int) -> int:
    last_space = max(text.rfind(space, line_start, line_end) for space in (" ", "\t", "\u00a0", "\n"))
    return max(last_space + 1, line_start)


def _token_at(text: str, start: int) -> str:
    found = _WHITESPACE.search(text, start)
    return text[start : found.start() if found else len(text)]


def _starts_url(token: str) -> bool:
    if "://" in token:
        return True
    return token.lstrip(_OPENING_PUNCTUATION)[:4].lower() == "www."


def _wrap_edit(token: str, next_token: str, line_end: int, next_start: int) -> _Edit | None:
    if _LIST_NUMBER.match(next_token):  # the next line starts the next note ("12." / "12)" / "[12]")
        return None
    core = next_token.rstrip(_TRAILING_ASCII + _CLOSING_QUOTES + ")]")
    if not core or _STARTS_NEW_URL.match(core) or not _CONTINUATION.match(core):
        return None
    last = token[-1]
    if last in "-_=&?%~+":
        pass  # the URL cannot end here
    elif last.isascii() and last.isalnum() or last in "./":
        if "/" not in token.split("://", 1)[-1] or not _URL_LIKE_CONTINUATION.search(core):
            return None
    else:
        return None
    if last == "-" and _is_typographic_hyphen(token, core):
        return _Edit(line_end - 1, next_start, "", Repair.HYPHEN_WRAP)
    return _Edit(line_end, next_start, "", Repair.HYPHEN_WRAP)


def _is_typographic_hyphen(token: str, core: str) -> bool:
    """A hyphen that splits one word (``infor-`` / ``mation.html``) rather than joining words of a slug."""
    before = token[:-1].rsplit("/", 1)[-1]
    after = re.split(r"[/?#.]", core, maxsplit=1)[0]
    return before.isalpha() and after.isalpha() and before.isascii() and after.isascii()


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


@functools.lru_cache(maxsize=65536)  # pure, and asked of the same URLs by every stage
def normalize_url(url: str) -> str:
    """The comparable form of ``url``: scheme and host lowercased, IDN host in punycode, IPv6 literal in its
    short form, non-ASCII and stray ``%`` percent-encoded (escapes uppercased), default port dropped, empty
    path as ``/``, fragment dropped.

    A fragment is never sent to the server, so ``…/b#x`` and ``…/b#y`` are one page to check; only the AJAX
    form ``#!…`` is kept, since it named distinct content.

    Other schemes (``mailto:``, ``javascript:``, ``file:``) only get their scheme lowercased.
    Raises ValueError when ``url`` is not a URL.
    """
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


def _split(url: str) -> SplitResult:
    text = url.strip()
    if not text or any(character.isspace() for character in text):
        raise ValueError(f"not a URL: {url!r}")
    if text.startswith("//"):
        text = "http:" + text
    elif "://" not in text:
        scheme = _SCHEME.match(text)
        if scheme is None or "." in scheme.group(1):
            authority = re.split(r"[/?#]", text, maxsplit=1)[0].rsplit("@", 1)[-1]
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


def url_host(url: str) -> str:
    """The normalized host of ``url`` (lowercase, punycode); empty for URLs without one (``mailto:``)."""
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
    try:
        parts = urlsplit(normalize_url(url))
    except ValueError:
        return False
    if parts.query or parts.fragment:  # only a ``#!…`` fragment survives normalization: distinct content
        return False
    segments = [segment for segment in parts.path.lower().split("/") if segment]
    if not segments:
        return True
    if len(segments) > 2:
        return False
    *languages, last = segments
    if any(segment not in LANGUAGE_SEGMENTS for segment in languages):
        return False
    return last in LANGUAGE_SEGMENTS or last in LANDING_PAGES
