"""One fetch: URL safety, charset decoding, titles, and hand-followed redirects against a loopback server."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given
from hypothesis import strategies as st

from linkaudit.check.fetch import (
    _STATELESS_CODECS,
    FetchSettings,
    InvalidUrl,
    PrivateAddress,
    RedirectFailure,
    _decodes,
    _Received,
    decode_body,
    extract_title,
    fetch,
    fetch_with_body,
    guard_literal_address,
    parse_target,
)
from linkaudit.check.resolve import GuardedResolver, MappingResolver, PrivateAddressError, is_private_address
from linkaudit.status import Status

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]

SETTINGS = FetchSettings(
    max_body=100_000, max_redirects=5, timeout=1.0, connect_timeout=1.0, allow_private=True, user_agent="test"
)
RUSSIAN = "<html><head><title>Евразийский союз</title></head><body><p>Текст статьи.</p></body></html>"


# ----------------------------------------------------------------------------------------------- charset


def test_declared_charset_is_used() -> None:
    text, charset = decode_body(RUSSIAN.encode("cp1251"), "windows-1251")
    assert charset == "cp1251"
    assert extract_title(text) == "Евразийский союз"


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1251">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    ],
)
def test_meta_charset_is_used_without_a_header(meta: str) -> None:
    body = RUSSIAN.replace("<head>", f"<head>{meta}").encode("cp1251")
    text, charset = decode_body(body, None)
    assert charset == "cp1251"
    assert "Евразийский союз" in text


def test_invalid_charset_name_gives_way_to_meta() -> None:
    body = RUSSIAN.replace("<head>", '<head><meta charset="koi8-r">').encode("koi8-r")
    text, charset = decode_body(body, "no-such-charset")
    assert charset == "koi8-r"
    assert extract_title(text) == "Евразийский союз"


def test_lying_header_gives_way_to_detection() -> None:
    article = "Президент выступил с посланием к народу страны. " * 10
    body = RUSSIAN.replace("Текст статьи.", article).encode("cp1251")
    text, charset = decode_body(body, "utf-8")
    assert charset == "cp1251"
    assert extract_title(text) == "Евразийский союз"


def test_byte_order_mark_wins() -> None:
    text, charset = decode_body(b"\xef\xbb\xbf" + RUSSIAN.encode("utf-8"), "windows-1251")
    assert charset == "utf-8"
    assert text.startswith("<html>")


def test_truncated_body_may_end_inside_a_character() -> None:
    body = RUSSIAN.encode("utf-8")
    cut = body.index("Текст".encode()) + 1  # inside the two-byte "Т"
    text, charset = decode_body(body[:cut], "utf-8", truncated=True)
    assert charset == "utf-8"
    assert extract_title(text) == "Евразийский союз"


def test_empty_body() -> None:
    assert decode_body(b"", None) == ("", "utf-8")


@given(st.binary(max_size=64), st.sampled_from(sorted(_STATELESS_CODECS)))
def test_a_whole_body_decodes_in_one_call_as_its_incremental_decoder_would(body: bytes, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        expected: str | None = decoder.decode(body, final=True)
    except UnicodeDecodeError:
        expected = None
    assert _decodes(body, encoding, truncated=False) == expected


def _received(body: bytes, declared: str | None, *, truncated: bool = False) -> _Received:
    return _Received("http://a.kz/x", 200, "text/html", declared, (), body, truncated)


def test_the_body_comes_with_the_page_only_when_the_text_is_it_decoded_whole_as_utf8() -> None:
    utf8 = RUSSIAN.encode("utf-8")
    page, body = _received(utf8, "utf-8").read("http://a.kz/x", ())
    assert body is utf8
    assert page == _received(utf8, "utf-8").page("http://a.kz/x", ())
    meta = ('<meta charset="utf-8">' + RUSSIAN).encode("utf-8")
    assert _received(meta, None).read("http://a.kz/x", ())[1] is meta  # declared in <meta> only
    for received in (
        _received(RUSSIAN.encode("cp1251"), "windows-1251"),  # another charset
        _received(utf8, "utf-8", truncated=True),  # the end may be cut inside a character
        _received(codecs.BOM_UTF8 + utf8, "utf-8"),  # the text is without the BOM
        _received(utf8[:-30] + b"\xff" + utf8[-30:], None),  # decoded with replacement characters
    ):
        page, body = received.read("http://a.kz/x", ())
        assert body is None
        assert page == received.page("http://a.kz/x", ())


@pytest.mark.parametrize(
    ("markup", "title"),
    [
        ("<title>Tom &amp; Jerry</title>", "Tom & Jerry"),
        ('<TITLE lang="ru">\n  Послание\n  народу </TITLE>', "Послание народу"),
        ("<title></title>", None),
        ("<p>no title</p>", None),
        ("<title>unterminated", None),
    ],
)
def test_extract_title(markup: str, title: str | None) -> None:
    assert extract_title(markup) == title


# -------------------------------------------------------------------------------------------- URL safety


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "data:,x", "mailto:x@y.kz", "ftp://a.kz/", "http://", "http://a.kz:99999/"],
)
def test_unfetchable_targets(url: str) -> None:
    with pytest.raises(InvalidUrl) as raised:
        parse_target(url)
    assert raised.value.status is Status.INVALID


def test_fetchable_target() -> None:
    assert parse_target("https://Akorda.KZ/ru/page").host == "akorda.kz"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "::ffff:10.0.0.1",
    ],
)
def test_private_addresses(address: str) -> None:
    assert is_private_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2a00:1450:4001::1", "not an address"])
def test_public_or_unknown_addresses(address: str) -> None:
    assert not is_private_address(address)


def test_literal_private_targets_are_refused_unless_allowed() -> None:
    literals = ("127.0.0.1:80", "[::1]", "169.254.169.254", "127.1", "2130706433", "0x7f.0.0.1")
    for url in (f"http://{literal}/" for literal in literals):
        with pytest.raises(PrivateAddress) as raised:
            guard_literal_address(parse_target(url), allow_private=False)
        assert raised.value.status is Status.SKIPPED
        guard_literal_address(parse_target(url), allow_private=True)
    guard_literal_address(parse_target("http://akorda.kz/"), allow_private=False)  # names go to the resolver
    guard_literal_address(parse_target("http://1.kz/"), allow_private=False)


# -------------------------------------------------------------------------------------------- resolvers


async def test_mapping_resolver() -> None:
    resolver = MappingResolver({"Izvestia.RU.": ("127.0.0.1", 8081)}, fallback=None)
    [answer] = await resolver.resolve("izvestia.ru", 80)
    assert (answer["host"], answer["port"]) == ("127.0.0.1", 8081)
    with pytest.raises(OSError):
        await resolver.resolve("kremlin.ru", 80)
    catch_all = MappingResolver({}, fallback=("127.0.0.1", 9000))
    [answer] = await catch_all.resolve("anything.kz", 80)
    assert answer["port"] == 9000


async def test_guarded_resolver_refuses_private_answers() -> None:
    inner = MappingResolver({"inside.example": ("127.0.0.1", 80), "proxy.example": ("127.0.0.1", 3128)})
    guard = GuardedResolver(inner, trusted=("proxy.example",))
    with pytest.raises(PrivateAddressError):
        await guard.resolve("inside.example", 80)
    [answer] = await guard.resolve("proxy.example", 3128)
    assert answer["port"] == 3128
    with pytest.raises(OSError):
        await guard.resolve("unknown.example", 80)
    await guard.close()


# ------------------------------------------------------------------------------------------- redirects


@pytest.fixture
async def redirects(aiohttp_server: ServerFactory) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    async def cookie_gate(request: web.Request) -> web.Response:
        if request.cookies.get("seen") == "1":
            return web.Response(text="<title>Behind the gate</title>", content_type="text/html")
        raise web.HTTPFound("/set-cookie")

    async def set_cookie(request: web.Request) -> web.Response:
        response = web.HTTPFound("/gate")
        response.set_cookie("seen", "1")
        raise response

    async def relative(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("../target?x=1#fragment")

    async def target(request: web.Request) -> web.Response:
        return web.Response(text=f"<title>{request.path_qs}</title>", content_type="text/html")

    async def to_mailto(request: web.Request) -> web.Response:
        raise web.HTTPFound("mailto:editor@example.kz")

    async def cyrillic(request: web.Request) -> web.Response:
        return web.Response(status=301, headers={"Location": "/статья"})

    async def no_location(request: web.Request) -> web.Response:
        return web.Response(status=302, text="moved somewhere")

    async def endless_pdf(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/pdf"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            while True:
                await response.write(b"%PDF" * 4096)
                await asyncio.sleep(0.01)
        return response

    app = web.Application()
    app.router.add_get("/gate", cookie_gate)
    app.router.add_get("/set-cookie", set_cookie)
    app.router.add_get("/a/b/relative", relative)
    app.router.add_get("/a/target", target)
    app.router.add_get("/mailto", to_mailto)
    app.router.add_get("/cyrillic", cyrillic)
    app.router.add_get("/статья", target)
    app.router.add_get("/no-location", no_location)
    app.router.add_get("/paper.pdf", endless_pdf)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session, str(server.make_url("")).rstrip("/")


async def test_cookie_check_redirect_is_not_a_loop(redirects: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = redirects
    page = await fetch(session, f"{base}/gate", SETTINGS)
    assert page.http_status == 200
    assert page.title == "Behind the gate"
    assert page.redirects == (f"{base}/set-cookie", f"{base}/gate")


async def test_relative_location_is_resolved(redirects: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = redirects
    page = await fetch(session, f"{base}/a/b/relative", SETTINGS)
    assert page.final_url == f"{base}/a/target?x=1"
    assert page.title == "/a/target?x=1"
    assert page.url == f"{base}/a/b/relative"


async def test_non_ascii_location(redirects: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = redirects
    page = await fetch(session, f"{base}/cyrillic", SETTINGS)
    assert page.http_status == 200
    assert page.final_url == f"{base}/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"


async def test_fetch_with_body_gives_the_utf8_body_of_the_last_hop(
    redirects: tuple[aiohttp.ClientSession, str],
) -> None:
    session, base = redirects
    page, body = await fetch_with_body(session, f"{base}/a/b/relative", SETTINGS)
    assert page == await fetch(session, f"{base}/a/b/relative", SETTINGS)
    assert body == page.text.encode("utf-8") == b"<title>/a/target?x=1</title>"


async def test_redirect_to_mailto_fails(redirects: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = redirects
    with pytest.raises(RedirectFailure) as raised:
        await fetch(session, f"{base}/mailto", SETTINGS)
    assert raised.value.status is Status.CONNECTION_ERROR
    assert raised.value.http_status == 302


async def test_redirect_without_location_is_the_answer(redirects: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = redirects
    page = await fetch(session, f"{base}/no-location", SETTINGS)
    assert page.http_status == 302
    assert page.redirects == ()


async def test_endless_pdf_is_not_read(redirects: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = redirects
    page = await fetch(session, f"{base}/paper.pdf", SETTINGS)
    assert page.http_status == 200
    assert page.content_type == "application/pdf"
    assert page.text == ""
    assert page.title is None


async def test_request_headers_the_user_set_and_the_chains_cookies(aiohttp_server: ServerFactory) -> None:
    async def echo(request: web.Request) -> web.Response:
        names = ("Accept-Language", "Cookie")
        seen = " / ".join(f"{name}={value}" for name in names for value in request.headers.getall(name, ()))
        return web.Response(text=f"<title>{seen}</title>", content_type="text/html")

    async def set_cookie(request: web.Request) -> web.Response:
        response = web.HTTPFound("/echo")
        response.set_cookie("chain", "3")
        raise response

    app = web.Application()
    app.router.add_get("/echo", echo)
    app.router.add_get("/set-cookie", set_cookie)
    server = await aiohttp_server(app)
    base = str(server.make_url("")).rstrip("/")
    user = dataclasses.replace(SETTINGS, headers=(("accept-language", "en"), ("Cookie", "a=1"), ("Cookie", "b=2")))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        plain = await fetch(session, f"{base}/echo", SETTINGS)
        own = await fetch(session, f"{base}/echo", user)
        chained = await fetch(session, f"{base}/set-cookie", user)
        again = await fetch(session, f"{base}/echo", user)
    assert plain.title == "Accept-Language=ru,kk;q=0.9,en;q=0.8,*;q=0.5"
    assert own.title == again.title == "Accept-Language=en / Cookie=a=1"  # the user's first Cookie header
    assert chained.title == "Accept-Language=en / Cookie=a=1; chain=3"  # the chain's cookies join it


async def test_charset_detection_runs_off_the_event_loop(
    aiohttp_server: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkaudit.check.fetch as fetch_module

    body = RUSSIAN.encode("cp1251")

    async def page(request: web.Request) -> web.Response:
        charset = "; charset=windows-1251" if request.path == "/declared" else ""
        return web.Response(body=body, headers={"Content-Type": f"text/html{charset}"})

    detected_in: list[str] = []
    detect = fetch_module.detect_charset

    def noted(data: bytes) -> str | None:
        detected_in.append(threading.current_thread().name)
        return detect(data)

    monkeypatch.setattr(fetch_module, "detect_charset", noted)
    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    server = await aiohttp_server(app)
    base = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        declared = await fetch(session, f"{base}/declared", SETTINGS)
        assert detected_in == []  # the header told: nothing to detect
        undeclared = await fetch(session, f"{base}/undeclared", SETTINGS)
    assert len(detected_in) == 1 and detected_in[0] != threading.current_thread().name  # a worker thread
    assert (undeclared.text, undeclared.charset) == decode_body(body, None)
    assert undeclared.title == declared.title == "Евразийский союз"


async def test_every_hop_takes_a_slot_for_its_own_host(aiohttp_server: ServerFactory) -> None:
    async def hop(request: web.Request) -> web.Response:
        if request.host.startswith("old.example"):
            raise web.HTTPMovedPermanently("http://new.example/moved")
        return web.Response(text="<title>new home</title>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", hop)
    server = await aiohttp_server(app)
    target = ("127.0.0.1", server.port or 0)
    resolver = MappingResolver({"old.example": target, "new.example": target})
    hosts: list[str] = []

    @contextlib.asynccontextmanager
    async def gate(host: str) -> AsyncIterator[None]:
        hosts.append(host)
        yield

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver)) as session:
        page = await fetch(session, "http://old.example/article", SETTINGS, gate=gate)
    assert page.title == "new home"
    assert hosts == ["old.example", "new.example"]



async def test_configured_archive_on_loopback_is_trusted_not_documents(aiohttp_server: object) -> None:
    """The user's --wayback-url may be a local archive; a document citing a loopback URL is still refused."""
    from linkaudit.check.engine import Checker
    from linkaudit.config import Config
    from linkaudit.models import Link

    async def capture(request: web.Request) -> web.Response:
        return web.Response(text="<title>capture</title>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", capture)
    server = await aiohttp_server(app, host="127.0.0.1")  # type: ignore[operator]
    archive = f"http://127.0.0.1:{server.port}"
    link = Link(url=f"{archive}/x", normalized=f"{archive}/x", references=("d#A1",), host="127.0.0.1")
    trusting = Config(wayback_url=archive, timeout=2, connect_timeout=1, retries=0, probe=False)
    async with Checker(trusting) as checker:
        page = await checker.fetch_page(f"{archive}/web/2011id_/http://izvestia.ru/")
        assert (page.http_status, page.title) == (200, "capture")
    other = Config(timeout=2, connect_timeout=1, retries=0, probe=False)
    async with Checker(other) as checker:
        (result,) = await checker.check([link])
        assert result.status is Status.SKIPPED


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/html; charset=utf-8", True),
        ("TEXT/Plain", True),
        ("application/json", True),
        ("application/rss+xml", True),
        ("application/xml-dtd", False),  # "xml" in the name, but not an XML document
        ("application/html", False),
        ("application/pdf", False),
        ("image/svg+xml", True),
    ],
)
async def test_the_fetch_reads_exactly_the_bodies_the_verdict_judges(
    aiohttp_server: ServerFactory, content_type: str, text: bool
) -> None:
    """One rule decides both: a body the fetch did not read is never judged as an empty (or error) page, and
    a body it read is never thrown away as unreadable."""
    from linkaudit.check.verdict import read_page

    body = b"<title>Not found</title><h1>404 Not Found</h1><p>The page is gone.</p>"

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/x", page)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        fetched = await fetch(session, str(server.make_url("/x")), SETTINGS)
    assert bool(fetched.text) is text
    assert read_page(fetched).readable is text
