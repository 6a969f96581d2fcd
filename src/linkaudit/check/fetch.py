"""One fetch of one URL: redirects followed by hand, a capped body, the real charset, the page title.

Redirects are followed one hop at a time so the chain is recorded, loops are caught, and every hop passes
the private-address guard and the per-host limit. The body is capped in decompressed bytes: a gzip bomb stops
early.

Exceptions (each carries the ``Status`` it means)::

    FetchError
    ├── InvalidUrl          invalid           not an http(s) URL, or malformed
    ├── PrivateAddress      skipped           private/loopback target without allow_private
    ├── DnsFailure          dns_error         the host name does not resolve
    ├── ConnectFailure      connection_error  refused, unreachable, proxy failure
    ├── ConnectionReset     connection_error  reset or closed mid-response
    ├── MalformedResponse   connection_error  unparsable answer (e.g. oversized headers)
    ├── RedirectFailure     connection_error  redirect loop, too many redirects, bad Location
    ├── TlsFailure          tls_error         certificate or handshake failure
    └── FetchTimeout        timeout           no complete answer in time
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import functools
import html
import importlib
import ipaddress
import re
import socket
import ssl
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ..config import Config
from ..models import Page, is_text_type
from ..status import Status
from .resolve import PRIVATE_DETAIL, PrivateAddressError, is_private_address

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_LANGUAGE = "ru,kk;q=0.9,en;q=0.8,*;q=0.5"


def _brotli_decodes() -> bool:
    """Whether aiohttp can decode brotli in bounded steps here. With the ``brotlipy`` package it cannot (its
    decompressor takes no output limit), and every br answer would fail, so br is then not asked for."""
    try:
        from aiohttp.compression_utils import HAS_BROTLI, BrotliDecompressor

        if not HAS_BROTLI:
            return False
        brotli = importlib.import_module("brotli")
        sample = brotli.compress(b"linkaudit" * 100)
        return BrotliDecompressor().decompress_sync(sample, 64) == (b"linkaudit" * 100)[:64]
    except Exception:  # noqa: BLE001 - any failure means: do not ask for br
        return False


BROTLI_DECODES = _brotli_decodes()
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_DECODES else "gzip, deflate"
SNIFF_BYTES = 4096
CHAOS_MARGIN = 0.05  # how much less clean cp1251 may read than a rare Cyrillic code page and still win
_RARE_CYRILLIC = frozenset({"mac_cyrillic", "iso8859_5", "cp855", "cp866"})
# Codecs (as ``codecs.lookup`` names them) whose incremental decoder, told the input is final, gives exactly
# ``bytes.decode``: UTF-8, and the table-driven single-byte code pages and ASCII/Latin-1 that keep no state.
_STATELESS_CODECS = frozenset(
    {"utf-8", "ascii", "iso8859-1", "cp1251", "cp1252", "koi8-r", "koi8-u", "cp866", "iso8859-5", "mac-cyrillic"}
)
TITLE_LIMIT = 500
MAX_CHAIN_COOKIES = 50  # cookies kept per host (and hosts per chain) while following one redirect chain
MAX_COOKIE_SIZE = 4096
DETAIL_QUOTE_LIMIT = 300  # a server's own words (a Location) quoted in a detail are cut here, with an ellipsis

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_TITLE_OPEN = re.compile(r"<title(?=[\s>/])", re.IGNORECASE | re.ASCII)  # ASCII: no Kelvin-sign K, no ſ
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE | re.ASCII)
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEGACY_IPV4 = re.compile(r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class FetchError(Exception):
    """A fetch that brought back no HTTP answer to judge."""

    status: Status = Status.CONNECTION_ERROR

    def __init__(
        self,
        detail: str,
        *,
        url: str = "",
        redirects: tuple[str, ...] = (),
        http_status: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.url = url
        self.redirects = redirects
        self.http_status = http_status


class InvalidUrl(FetchError):
    status = Status.INVALID


class PrivateAddress(FetchError):
    status = Status.SKIPPED


class DnsFailure(FetchError):
    status = Status.DNS_ERROR


class ConnectFailure(FetchError):
    status = Status.CONNECTION_ERROR


class ConnectionReset(FetchError):
    status = Status.CONNECTION_ERROR


class MalformedResponse(FetchError):
    status = Status.CONNECTION_ERROR


class RedirectFailure(FetchError):
    status = Status.CONNECTION_ERROR


class TlsFailure(FetchError):
    status = Status.TLS_ERROR


class FetchTimeout(FetchError):
    status = Status.TIMEOUT


@dataclass(frozen=True)
class FetchSettings:
    max_body: int
    max_redirects: int
    timeout: float
    connect_timeout: float
    allow_private: bool
    user_agent: str
    trusted_origins: frozenset[Origin] = frozenset()  # exempt from the address guard (archive requests only)
    headers: tuple[tuple[str, str], ...] = ()  # the user's --header: they win over the defaults below

    @classmethod
    def from_config(cls, config: Config) -> FetchSettings:
        return cls(
            max_body=config.max_body,
            max_redirects=config.max_redirects,
            timeout=config.timeout,
            connect_timeout=config.connect_timeout,
            allow_private=config.allow_private,
            user_agent=config.user_agent,
            headers=config.headers,
        )

    def for_archive(self, config: Config) -> FetchSettings:
        """These settings for requests to the configured archives: their origins pass the address guard."""
        return replace(self, trusted_origins=frozenset(archive_origins(config)))

    @functools.cached_property
    def client_timeout(self) -> aiohttp.ClientTimeout:
        """Made once per settings: every request of a run passes the same (immutable) one."""
        return aiohttp.ClientTimeout(total=self.timeout, connect=self.connect_timeout)

    @functools.cached_property
    def request_headers(self) -> CIMultiDictProxy[str]:
        """linkaudit's own request headers with the user's ``--header`` over them (``--header Accept-Language: …``
        replaces linkaudit's own), made once per settings; aiohttp copies them into each request."""
        headers = CIMultiDict(
            {"Accept": ACCEPT, "Accept-Language": ACCEPT_LANGUAGE, "Accept-Encoding": ACCEPT_ENCODING}
        )
        headers.update(self.headers)
        cookie = headers.get("Cookie")
        if cookie:  # one Cookie header, the user's first: a chain's own cookies are joined to it
            headers["Cookie"] = cookie
        return CIMultiDictProxy(headers)


ProxyLookup = Callable[[URL], "tuple[URL | None, aiohttp.BasicAuth | None]"]
"""Given a URL, the proxy (and its credentials) to send it through, or (None, None) to go direct."""


class EnvironmentProxies:
    """``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` as aiohttp reads them, looked up once per scheme and host.

    A session made with ``trust_env=True`` asks the environment on a worker thread for every request (and reads
    ``~/.netrc`` on another): two thread hops per request, about 0.4 ms of CPU, and the GIL hand-offs slow the
    parser. The checker's session does not trust the environment; ``fetch`` takes the proxy from here.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], tuple[URL | None, aiohttp.BasicAuth | None]] = {}
        self._none: bool | None = None  # the environment names no proxy at all (known at the first request)

    def __call__(self, url: URL) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        if self._none is None:
            # aiohttp reads only these schemes' proxies: without one, every URL goes direct (asking aiohttp
            # again per host read the environment twice and ~/.netrc once, 40-120 µs a host)
            self._none = not any(scheme in _PROXY_SCHEMES for scheme in urllib.request.getproxies())
        if self._none:
            return _DIRECT
        key = (url.scheme, url.raw_host or "")
        if key not in self._known:
            try:
                self._known[key] = get_env_proxy_for_url(url)
            except LookupError:
                self._known[key] = (None, None)
        return self._known[key]


_PROXY_SCHEMES = frozenset({"http", "https", "ws", "wss"})  # the schemes aiohttp.helpers.proxies_from_env keeps
_DIRECT: tuple[URL | None, aiohttp.BasicAuth | None] = (None, None)

Gate = Callable[[str], AbstractAsyncContextManager[object]]
"""Given a host, a context that holds one request slot for it (the checker's limits)."""


def no_gate(host: str) -> AbstractAsyncContextManager[object]:
    return contextlib.nullcontext()


def parse_target(url: str) -> URL:
    """The URL as yarl sees it, or ``InvalidUrl`` when it is not something to fetch."""
    try:
        parsed = URL(url)
        host = parsed.host
        port = parsed.port  # an out-of-range port raises here
    except (ValueError, TypeError) as exc:  # UnicodeError (invalid punycode) is a ValueError
        raise InvalidUrl(f"malformed URL ({quote(str(exc))})", url=url) from exc
    if parsed.scheme not in ("http", "https"):
        scheme = f"{parsed.scheme}:" if parsed.scheme else "no scheme"
        raise InvalidUrl(f"not an http(s) URL ({quote(scheme)})", url=url)
    if not host:
        raise InvalidUrl("URL without a host", url=url)
    if port == 0:
        raise InvalidUrl("port 0 cannot be connected to", url=url)
    return parsed


def quote(text: str, limit: int = DETAIL_QUOTE_LIMIT) -> str:
    """A server's or document's words made fit for a one-line detail: control characters (NUL…) dropped,
    whitespace collapsed, cut at ``limit`` characters with an ellipsis."""
    if not _clean_line(text):
        text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_line(text: str) -> bool:
    """Whether ``text`` is already what cleaning makes of it: printable (so no control character and no
    whitespace but the plain space, which all count as unprintable), no two spaces in a row, none at either
    end. Most details and titles are; checking costs less than the two substitutions."""
    return text.isprintable() and "  " not in text and not text.startswith(" ") and not text.endswith(" ")


def host_key(url: URL) -> str:
    """The per-host limit's key: one IP however it is spelled (``127.0.0.2``, ``0x7f000002``, ``2130706434``),
    one name however it is cased or dotted."""
    raw = (url.raw_host or "").lower().rstrip(".")
    return literal_address(raw) or raw


@functools.lru_cache(maxsize=4096)  # every hop asks about its host several times, and a run's hosts repeat
def literal_address(host: str) -> str | None:
    """The address an IP-literal host stands for, legacy forms included (``127.1``, ``2130706433``,
    ``0x7f.1``) since the system would read them as addresses; None for a name."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not _LEGACY_IPV4.fullmatch(host):
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        return None


def archive_hosts(config: Config) -> tuple[str, ...]:
    """Hosts of the archives the user configured (--wayback-url, --archive memento:URL): chosen by the user,
    not by a document, so the resolver's private-address guard lets archive requests reach them."""
    return tuple(origin[1] for origin in archive_origins(config))


Origin = tuple[str, str, int]


def origin_of(url: URL) -> Origin | None:
    """(scheme, host, port) of a URL, the host in its canonical form; None when it has none."""
    try:
        port = url.port
    except ValueError:
        return None
    if not url.raw_host or port is None:
        return None
    return (url.scheme.lower(), host_key(url), port)


def archive_origins(config: Config) -> tuple[Origin, ...]:
    """Origins of the archives the user configured: the only private targets archive requests may reach."""
    origins = []
    for base in (config.wayback_url, *config.mementos):
        with contextlib.suppress(ValueError, TypeError):
            origin = origin_of(URL(base))
            if origin is not None:
                origins.append(origin)
    return tuple(origins)


def guard_literal_address(url: URL, allow_private: bool, trusted: frozenset[Origin] = frozenset()) -> None:
    """Literal-IP URLs are never resolved, so the private-address guard is applied to them here.

    ``trusted`` origins (scheme, host, port) are exempt: the configured archive, for archive requests only.
    """
    if allow_private or (trusted and origin_of(url) in trusted):
        return
    address = literal_address(url.raw_host or "")
    if address is not None and is_private_address(address):
        raise PrivateAddress(PRIVATE_DETAIL, url=str(url))


Guard = Callable[[URL], Awaitable[None]]
"""Called before every hop: raises ``PrivateAddress`` (or another ``FetchError``) for a target not to dial."""


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    settings: FetchSettings,
    *,
    gate: Gate = no_gate,
    guard: Guard | None = None,
    proxies: ProxyLookup | None = None,
) -> Page:
    """GET ``url`` following redirects by hand; a ``Page`` for any HTTP answer, else a ``FetchError``.

    Cookies live for one chain only (a cookie-check redirect works, and no other fetch can change them, so a
    loop is always seen as one). ``guard`` vets every hop before it is dialled (default: literal addresses).
    ``proxies``: where each hop goes through (for a session that does not read the environment itself).
    """
    page, _ = await fetch_with_body(session, url, settings, gate=gate, guard=guard, proxies=proxies)
    return page


async def fetch_with_body(
    session: aiohttp.ClientSession,
    url: str,
    settings: FetchSettings,
    *,
    gate: Gate = no_gate,
    guard: Guard | None = None,
    proxies: ProxyLookup | None = None,
    parsed: URL | None = None,
) -> tuple[Page, bytes | None]:
    """``fetch``, and the body as it came when the page's text is that body decoded whole and strictly as
    UTF-8 (else None): the page's parser can read those bytes instead of the text encoded again. ``parsed``:
    ``parse_target(url)``, when the caller has it already."""
    # each hop as the document or the server wrote it; dialled in canonical form
    written = parse_target(url) if parsed is None else parsed
    current = _canonical_host(written)
    redirects: list[str] = []
    cookies = _ChainCookies()
    seen: set[tuple[str, str]] = set()
    request_headers = settings.request_headers
    while True:
        guard_literal_address(current, settings.allow_private, settings.trusted_origins)
        if guard is not None:
            await guard(current)
        chain_cookie = cookies.header(current)
        headers: CIMultiDictProxy[str] | CIMultiDict[str] = request_headers
        if chain_cookie:
            headers = request_headers.copy()
            headers["Cookie"] = "; ".join(part for part in (headers.get("Cookie"), chain_cookie) if part)
        proxy, proxy_auth = proxies(current) if proxies is not None else (None, None)
        async with gate(host_key(current)):
            try:
                async with session.get(
                    current,
                    allow_redirects=False,
                    timeout=settings.client_timeout,
                    headers=headers,
                    proxy=proxy,
                    proxy_auth=proxy_auth,
                ) as response:
                    cookies.update(current, response.headers.getall("Set-Cookie", ()))
                    location = response.headers.get("Location")
                    if response.status in REDIRECT_CODES and location:
                        status = response.status
                        received = None
                    else:
                        received = await _receive(response, settings.max_body)
            except FetchError:
                raise
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as exc:
                raise translate_error(exc, url=url, redirects=tuple(redirects)) from exc
        if received is not None or location is None:  # decoding and reading the title need no request slot
            assert received is not None
            page, utf8 = await _read(received, url, tuple(redirects))
            return (page if written is current else replace(page, final_url=str(written))), utf8
        seen.add((str(current), chain_cookie))  # the request just made, as the loop check compares them
        written = _next_hop(current, location, status, url, redirects, seen, cookies, settings)
        current = _canonical_host(written)


def _canonical_host(url: URL) -> URL:
    """A legacy IPv4 spelling (``0x7f000002``, ``2130706434``, ``0177.0.0.2``, ``127.1``) dialled as the address it
    stands for, as a browser does; cited or redirected to, the same address is guarded and limited the same way."""
    raw = url.raw_host or ""
    address = literal_address(raw)
    if address is None or ":" in address or address == raw:
        return url
    return url.with_host(address)


class _ChainCookies:
    """The cookies one redirect chain was given, per host: enough for cookie-check redirects, shared with
    nothing else."""

    def __init__(self) -> None:
        self._by_host: dict[str, dict[str, str]] = {}

    def update(self, url: URL, values: Iterable[str]) -> None:
        for value in values:
            pair = value.split(";", 1)[0]
            name, equals, content = pair.partition("=")
            name = name.strip()
            if equals and name and len(self._by_host) < MAX_CHAIN_COOKIES:
                jar = self._by_host.setdefault(host_key(url), {})
                if len(jar) < MAX_CHAIN_COOKIES and len(pair) <= MAX_COOKIE_SIZE:
                    jar[name] = content.strip()

    def header(self, url: URL) -> str:
        jar = self._by_host.get(host_key(url))
        if not jar:
            return ""
        return "; ".join(f"{name}={value}" for name, value in sorted(jar.items()))


def _next_hop(
    current: URL,
    location: str,
    status: int,
    url: str,
    redirects: list[str],
    seen: set[tuple[str, str]],
    cookies: _ChainCookies,
    settings: FetchSettings,
) -> URL:
    chain = tuple(redirects)
    shown = quote(location)
    try:
        target = current.join(URL(location.strip()))
        port = target.port  # an out-of-range port raises here
        target.host  # noqa: B018 - invalid punycode (``xn--zz``) raises here
    except (ValueError, TypeError) as exc:
        raise RedirectFailure(
            f"bad redirect Location «{shown}»", url=url, redirects=chain, http_status=status
        ) from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise RedirectFailure(
            f"redirect to a non-http URL «{shown}»", url=url, redirects=chain, http_status=status
        )
    if port == 0:
        raise RedirectFailure(f"redirect to port 0 «{shown}»", url=url, redirects=chain, http_status=status)
    target = target.with_fragment(None)
    if (str(target), cookies.header(target)) in seen:
        raise RedirectFailure(
            f"redirect loop at {quote(str(target))}",
            url=url,
            redirects=(*chain, str(target)),
            http_status=status,
        )
    if len(redirects) >= settings.max_redirects:
        repeated = len(set(redirects)) < len(redirects) or str(target) in redirects
        what = "redirect loop" if repeated else "too many redirects"
        raise RedirectFailure(
            f"{what} (more than {settings.max_redirects} redirects)",
            url=url,
            redirects=chain,
            http_status=status,
        )
    redirects.append(str(target))
    return target


@dataclass(frozen=True)
class _Received:
    """An answer as it came off the wire: turned into a ``Page`` after its request slot is given back."""

    final_url: str
    http_status: int
    mime: str | None
    declared_charset: str | None
    headers: tuple[tuple[str, str], ...]
    body: bytes | None  # None: not text, so not read
    truncated: bool

    def page(self, url: str, redirects: tuple[str, ...]) -> Page:
        return self.read(url, redirects)[0]

    def read(
        self, url: str, redirects: tuple[str, ...], decoded: _Decoded | None = None
    ) -> tuple[Page, bytes | None]:
        """The page, and the body when the text is that body decoded whole and strictly as UTF-8. ``decoded``:
        the body's ``_decode``, when it was worked out already."""
        if self.body is None:
            return Page(url, self.final_url, self.http_status, redirects, self.mime, headers=self.headers), None
        if decoded is None:
            decoded = _decode(self.body, self.declared_charset, self.truncated)
        text, charset, whole_utf8 = decoded
        page = Page(
            url=url,
            final_url=self.final_url,
            http_status=self.http_status,
            redirects=redirects,
            content_type=self.mime,
            charset=charset,
            text=text,
            title=extract_title(text),
            truncated=self.truncated,
            headers=self.headers,
        )
        return page, self.body if whole_utf8 else None


async def _read(received: _Received, url: str, redirects: tuple[str, ...]) -> tuple[Page, bytes | None]:
    """``received.read``, except that a body whose BOM and declared charsets do not tell how to read it is
    decoded on a worker thread: charset detection takes milliseconds on a large page, which every other
    request on the event loop would wait for."""
    if received.body is None:
        return received.read(url, redirects)
    decoded = _decode_declared(received.body, received.declared_charset, received.truncated)
    if decoded is None:
        decoded = await asyncio.get_running_loop().run_in_executor(None, _detected, received.body)
    return received.read(url, redirects, decoded)


async def _receive(response: aiohttp.ClientResponse, max_body: int) -> _Received:
    raw_type = response.headers.get("Content-Type")
    mime = response.content_type if raw_type else None
    headers = tuple(response.headers.items())
    body: bytes | None = None
    truncated = False
    if is_text_type(mime):
        body, truncated = await read_capped(response, max_body)
    charset = response.charset if raw_type else None
    return _Received(str(response.url), response.status, mime, charset, headers, body, truncated)


async def read_capped(response: aiohttp.ClientResponse, max_body: int) -> tuple[bytes, bool]:
    """At most ``max_body`` decompressed bytes of the body, and whether more was left unread."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        room = max_body - size
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _codec(name: str | None) -> str | None:
    """The text encoding a declared charset names; None for unknown names and for codecs that are not text
    encodings (``zlib``, ``bz2``, ``rot13``, ``hex``… which ``codecs.lookup`` also knows)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _decodes(body: bytes, encoding: str, truncated: bool) -> str | None:
    try:
        if not truncated and encoding in _STATELESS_CODECS:
            return body.decode(encoding)  # what their incremental decoders give at the end, in one call
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        return str(decoder.decode(body, final=not truncated))
    except (UnicodeDecodeError, ValueError):
        return None


def decode_body(body: bytes, declared: str | None, *, truncated: bool = False) -> tuple[str, str]:
    """Text in the page's real charset: BOM, else Content-Type, else <meta>, else detection.

    A declared charset the bytes do not decode in (a lying header) gives way to the next source.
    """
    text, encoding, _ = _decode(body, declared, truncated)
    return text, encoding


_Decoded = tuple[str, str, bool]  # text, charset, whether the text is the body decoded whole and strictly as UTF-8


def _decode(body: bytes, declared: str | None, truncated: bool) -> _Decoded:
    """``decode_body``'s answer, and whether the text is ``body`` decoded whole and strictly as UTF-8."""
    decoded = _decode_declared(body, declared, truncated)
    return decoded if decoded is not None else _detected(body)


def _decode_declared(body: bytes, declared: str | None, truncated: bool) -> _Decoded | None:
    """The body read by its BOM, else by the first declared charset it decodes in; None when neither tells."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace").lstrip("\ufeff"), encoding, False
    for candidate in _declared_codecs(body, declared):
        text = _decodes(body, candidate, truncated)
        if text is not None:
            return text, candidate, candidate == "utf-8" and not truncated
    return None


def _detected(body: bytes) -> _Decoded:
    """The body read in the charset detection finds (UTF-8 when it finds none), unreadable bytes replaced."""
    encoding = _codec(detect_charset(body)) or "utf-8"
    return body.decode(encoding, errors="replace"), encoding, False


def _declared_codecs(body: bytes, declared: str | None) -> Iterator[str]:
    """The codecs Content-Type and then ``<meta>`` name; the page is searched for its ``<meta>`` only when the
    header names none or one the body does not decode in."""
    codec = _codec(declared)
    if codec is not None:
        yield codec
    match = _META_CHARSET.search(body[:SNIFF_BYTES])
    codec = _codec(match.group(1).decode("ascii", "replace")) if match else None
    if codec is not None:
        yield codec


def detect_charset(body: bytes) -> str | None:
    """charset-normalizer's guess, except that cp1251 wins over the rare Cyrillic code pages it reads alike.

    Mac and ISO Cyrillic differ from cp1251 in a few letters (Е, Ё), and score as well on short pages;
    on the web cp1251 is by far the likelier.
    """
    if not body:
        return None
    from charset_normalizer import from_bytes  # loaded only for a page that declares no charset it decodes in

    matches = from_bytes(body)
    best = matches.best()
    if best is None:
        return None
    if best.encoding in _RARE_CYRILLIC:
        for match in matches:
            if match.encoding == "cp1251" and match.chaos <= best.chaos + CHAOS_MARGIN:
                return "cp1251"
    return str(best.encoding)


def extract_title(text: str) -> str | None:
    """The first ``<title>``'s text. Linear: one search for the tag, one for its end (a regex with a lazy
    body is quadratic on a page of 40,000 unclosed ``<title>`` tags)."""
    start = _TITLE_OPEN.search(text)  # case-insensitive search: lowering a 120 KB page cost more than the rest
    if start is None:
        return None
    opened = text.find(">", start.end())
    if opened < 0:
        return None
    closed = _TITLE_CLOSE.search(text, opened + 1)
    if closed is None:
        return None
    inner = text[opened + 1 : closed.start()]
    title = _SPACE.sub(" ", _CONTROL.sub("", html.unescape(inner))).strip()
    return title[:TITLE_LIMIT] or None


def translate_error(exc: BaseException, *, url: str = "", redirects: tuple[str, ...] = ()) -> FetchError:
    """The ``FetchError`` an aiohttp/OS failure means."""
    kind, detail = _classify_error(exc)
    return kind(detail, url=url, redirects=redirects)


def _classify_error(exc: BaseException) -> tuple[type[FetchError], str]:
    # Order matters: aiohttp's exception classes inherit widely (a DNS error is a connector error, an OSError)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, PrivateAddressError):
            return PrivateAddress, PRIVATE_DETAIL
        return DnsFailure, f"host {exc.host} does not resolve"
    if isinstance(exc, PrivateAddressError):
        return PrivateAddress, PRIVATE_DETAIL
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError, ssl.SSLError)):
        return TlsFailure, f"TLS failure: {tls_reason(_reason(exc))}"
    if isinstance(exc, asyncio.TimeoutError):
        return FetchTimeout, "timed out"
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return ConnectFailure, f"cannot reach the proxy: {_reason(exc)}"
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return ConnectFailure, f"the proxy refused: {exc.status} {exc.message}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectFailure, f"cannot connect: {_reason(exc)}"
    if isinstance(exc, aiohttp.InvalidURL):
        return InvalidUrl, f"malformed URL ({exc})"
    if isinstance(exc, aiohttp.ClientResponseError):
        return MalformedResponse, f"malformed response: {exc.message}"
    if isinstance(exc, aiohttp.ClientPayloadError) and "decode" in str(exc).lower():
        return MalformedResponse, f"malformed response: the body cannot be decoded ({_reason(exc)})"
    if isinstance(exc, _RESETS):
        return ConnectionReset, f"connection reset: {_reason(exc)}"
    return MalformedResponse, f"malformed response: {_reason(exc)}"


_RESETS = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientOSError,
    ConnectionError,
)


# What OpenSSL says, as an editor reads it (report/translate.py has each sentence's Russian form).
_TLS_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), text)
    for pattern, text in (
        (r"self[- ]signed certificate in certificate chain", "the certificate is not trusted (self-signed chain)"),
        (r"self[- ]signed certificate", "the certificate is not trusted (self-signed)"),
        (r"certificate has expired", "the certificate has expired"),
        (r"certificate is not yet valid", "the certificate is not valid yet"),
        (r"hostname mismatch|doesn't match|not valid for", "the certificate is for another host"),
        (r"unable to get (?:local )?issuer certificate", "the certificate is not trusted (unknown issuer)"),
        (r"certificate revoked", "the certificate was revoked"),
        (r"unsupported protocol|no protocols available|wrong ssl version",
         "the server offers only an outdated TLS version"),
        (r"wrong version number|record layer failure|packet length too long",
         "the server does not speak TLS at this address"),
        (r"eof occurred|unexpected eof|connection has been closed",
         "the server closed the connection during the TLS handshake"),
        (r"handshake failure|alert", "the TLS handshake failed"),
        (r"certificate verify failed", "the certificate did not verify"),
    )
)
TLS_REASONS: tuple[str, ...] = tuple(dict.fromkeys(text for _, text in _TLS_REASONS))


def tls_reason(raw: str) -> str:
    """OpenSSL's text ("[SSL: CERTIFICATE_VERIFY_FAILED] … (_ssl.c:1006)") as a reader understands it; an
    unknown reason keeps its words without the library's codes and file positions."""
    for pattern, text in _TLS_REASONS:
        if pattern.search(raw):
            return text
    cleaned = re.sub(r"\[SSL(?:: [A-Z_]+)?\]\s*|\s*\(_ssl\.c:\d+\)", "", raw).strip()
    return cleaned or "the TLS handshake failed"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return exc.os_error.strerror or str(exc.os_error) or type(exc.os_error).__name__
    text = str(exc).strip()
    return text or type(exc).__name__
