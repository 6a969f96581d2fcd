"""The verdict rules on pages shaped like real ones: soft 404s in six languages, parking pages, homepage
bounces, moves, title drift and the random-sibling probe."""

from __future__ import annotations

import dataclasses
import difflib
import string
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkaudit.check.fetch import extract_title
from linkaudit.check.verdict import (
    _ERROR_MARKERS,
    LONG_PAGE_WORDS,
    MACHINERY_CHARS,
    MAX_NESTING,
    SAFE_TAGS,
    TITLE_MATCH_THRESHOLD,
    VIEW_TEXT_CHARS,
    Verdict,
    _contains_phrase,
    _count_words,
    _fold_latin,
    _fold_latin_text,
    _nesting_cut,
    _phrase_index,
    _phrases_in,
    _similar,
    classify,
    is_error_page,
    is_homepage_redirect,
    is_parked,
    looks_same,
    probe_key,
    random_sibling,
    read_page,
    title_match,
)
from linkaudit.models import Link, Page
from linkaudit.status import Status

T = TypeVar("T")
PAGES = Path(__file__).resolve().parent.parent / "assets" / "pages"
CITED = "http://www.zp.kz/news/2010/06/10/customs-union.html"


def load(name: str) -> str:
    encoding = "cp1251" if "cp1251" in name else "utf-8"
    return (PAGES / name).read_text(encoding=encoding)


def make_page(
    text: str,
    *,
    url: str = CITED,
    final_url: str | None = None,
    status: int = 200,
    content_type: str | None = "text/html; charset=utf-8",
    title: str | None = None,
) -> Page:
    final = final_url or url
    redirects = (final,) if final != url else ()
    return Page(
        url=url,
        final_url=final,
        http_status=status,
        redirects=redirects,
        content_type=content_type,
        text=text,
        title=title,
    )


def make_link(url: str = CITED, titles: tuple[str, ...] = ()) -> Link:
    return Link(url=url, normalized=url, references=("notes.txt#A4",), cited_titles=titles)


def short_html(title: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"


# ----------------------------------------------------------------------------------------------- soft 404


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("kk_azattyq_404.html", "Бет табылмады"),  # Kazakh, in the title
        ("uz_latin_kun_404.html", "Xato 404"),  # Uzbek (Latin), title; h1 says «Sahifa topilmadi»
        ("uz_cyrillic_404.html", "Саҳифа топилмади"),  # Uzbek (Cyrillic), h1 only
        ("tj_asiaplus_404.html", "Саҳифа ёфт нашуд"),  # Tajik, body of a short page only
        ("uk_404.html", "Сторінку не знайдено"),  # Ukrainian
        ("en_wordpress_404.html", "Page not found"),  # WordPress twentyfifteen
        # DataLife Engine: the title is the site's name, the message is in the body
        ("ru_dle_404.html", "По данному адресу публикаций на сайте не найдено"),
    ],
)
def test_error_pages_are_soft_404(name: str, marker: str) -> None:
    page = make_page(load(name))
    assert is_error_page(page) == marker
    verdict = classify(page, make_link(titles=("Таможенный Союз Казахстана, России и Белоруссии",)))
    assert verdict.status is Status.SOFT_404
    assert marker in verdict.detail
    assert verdict.title_match is None


def test_cp1251_era_russian_error_page() -> None:
    raw = (PAGES / "ru_bitrix_404_cp1251.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    page = make_page(raw.decode("cp1251"), content_type="text/html; charset=windows-1251")
    assert is_error_page(page) == "Страница не найдена"  # "Западный проект - 404 Ошибка: Страница не найдена"
    assert classify(page, make_link()).status is Status.SOFT_404


@pytest.mark.parametrize(
    ("title", "body", "marker"),
    [
        ("404 Not Found", "<h1>Not Found</h1><p>The requested URL was not found.</p>", "404 Not Found"),
        ("Ошибка", "<h1>Ошибка 404</h1><p>Запрашиваемая страница не существует.</p>", "Ошибка 404"),
        ("Упс! Страница не найдена", "<p>Вернуться на <a href='/'>главную</a></p>", "Страница не найдена"),
        ("Упс, ошибка! Страница не найдена", "<p><a href='/'>На главную</a></p>", "Страница не найдена"),
        ("Oops! Sorry, page not found", "<p><a href='/'>Home</a></p>", "Page not found"),
        ("Қате", "<h1>Бет жоқ</h1>", "Бет жоқ"),
        ("Xato!", "<h1>SAHIFA TOPILMADI</h1>", "Sahifa topilmadi"),
        ("Kun.uz", "<h1>Kechirasiz, so‘ralgan sahifa topilmadi</h1>", "So‘ralgan sahifa topilmadi"),
        ("Site", "<div>The page you requested was not found.</div>", "The page you requested was not found"),
        ("404", "<p><a href='/'>Home</a></p>", "404"),
        ("Error 404 (Not Found)!!1", "<p>That’s an error.</p>", "404 Not Found"),
    ],
)
def test_short_error_pages(title: str, body: str, marker: str) -> None:
    assert is_error_page(make_page(short_html(title, body))) == marker


def test_plain_text_error_page() -> None:
    page = make_page("404 page not found\n", content_type="text/plain; charset=utf-8")
    assert is_error_page(page) == "404 Page Not Found"


@pytest.mark.parametrize(
    "name",
    [
        "ru_article_about_404.html",  # an article ABOUT 404 errors quoting «Страница не найдена»
        "en_article_sidebar_not_found.html",  # a long article whose sidebar says "Page not found?"
        "ru_article_customs_union.html",
        "ru_front_page.html",
        "news_domain_for_sale_article.html",
        "catchall_template.html",
    ],
)
def test_real_pages_are_not_error_pages(name: str) -> None:
    page = make_page(load(name))
    assert is_error_page(page) is None
    assert classify(page, make_link()).status is Status.OK


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Top 404 songs of the decade", "<h1>Top 404 songs of the decade</h1><p>A list.</p>"),
        ("Not Found: the lost manuscripts of Abai", "<h1>Not Found: the lost manuscripts of Abai</h1>"),
        ("Почему страница не найдена: пять причин", "<h1>Почему страница не найдена: пять причин</h1>"),
        ("Customs Union", "<h1>Customs Union</h1><p>The search found 404 documents about the union.</p>"),
    ],
)
def test_headings_that_merely_mention_an_error(title: str, body: str) -> None:
    assert is_error_page(make_page(short_html(title, body))) is None


def test_a_pdf_is_never_read_as_an_error_page() -> None:
    page = make_page("%PDF-1.4 ... 404 Not Found ...", content_type="application/pdf")
    assert is_error_page(page) is None
    assert classify(page, make_link()).status is Status.OK


@pytest.mark.parametrize(
    ("final_url", "status"),
    [
        ("http://www.zp.kz/404.html", Status.SOFT_404),
        ("https://zp.kz/errors/404/", Status.SOFT_404),
        ("https://zp.kz/page-not-found", Status.SOFT_404),
        ("https://zp.kz/Error.aspx?aspxerrorpath=/news/2010/06/10/customs-union.html", Status.SOFT_404),
        ("https://zp.kz/news/404-reasons-to-visit-uralsk.html", Status.REDIRECTED),  # just a word in a slug
    ],
)
def test_redirect_to_an_error_address(final_url: str, status: Status) -> None:
    page = make_page(load("ru_article_title_changed.html"), final_url=final_url)
    verdict = classify(page, make_link())
    assert verdict.status is status
    assert final_url in verdict.detail


def test_a_cited_error_address_is_not_held_against_its_move() -> None:
    cited = "http://example.kz/docs/errors/404.html"  # a manual page about the 404 status
    page = make_page(load("ru_article_customs_union.html"), url=cited, final_url="https://example.kz/docs/404/")
    assert classify(page, make_link(cited)).status is Status.REDIRECTED


def test_truncated_and_malformed_markup_is_still_read() -> None:
    """A body cut at the size cap leaves tags open; many unclosed tags must not hide the error message."""
    junk = "<nav><h1>" * 2000 + "<!-- " + "a < b " * 1000
    text = "<html><head><title>Страница не найдена</title><script>var x = 1;</script></head><body>" + junk
    assert is_error_page(make_page(text)) == "Страница не найдена"
    cut = load("parked_sedo.html")[:-400]  # ends inside the parking script
    assert is_parked(make_page(cut, url="http://www.taszhargan.info/")) is not None


# ----------------------------------------------------------------------------------------------- parked

PARKED_PAGES = [
    ("parked_sedo.html", "http://www.taszhargan.info/", "caf.js"),  # Sedo / AdSense for domains
    ("parked_godaddy_lander.html", "http://bisnews.kz/2012/11/03/ts.html", "/lander"),  # JS-only GoDaddy
    ("parked_js_ww.html", "http://www.spik.kz/news/karin.html", "ww25."),  # JS redirect to a parking host
    ("parked_regru.html", "http://zonakz.net/2010/10/13/sultanov.html", "припаркован"),  # reg.ru
    ("parked_pskz.html", "http://camonitor.com/archives/3211", "ps kz"),  # PS.KZ registrar placeholder
    ("parked_for_sale_ru.html", "http://vecher.kz/?cat=7&id=1123", "продается"),
    ("parked_godaddy_for_sale.html", "http://bisnews.kz/", "for sale"),
]


@pytest.mark.parametrize(("name", "url", "evidence"), PARKED_PAGES)
def test_parked_pages(name: str, url: str, evidence: str) -> None:
    page = make_page(load(name), url=url)
    found = is_parked(page)
    assert found is not None
    assert evidence in found
    verdict = classify(page, make_link(url, titles=("Таможенный Союз: за и против",)))
    assert verdict.status is Status.PARKED
    assert verdict.title_match is None


@pytest.mark.parametrize(
    ("final_url", "service"),
    [
        ("https://www.hugedomains.com/domain_profile.cfm?d=zp.kz", "hugedomains.com"),
        ("https://dan.com/buy-domain/zp.kz", "dan.com"),
        ("https://www.afternic.com/forsale/zp.kz", "afternic.com"),
    ],
)
def test_redirect_to_a_domain_marketplace_is_parked(final_url: str, service: str) -> None:
    page = make_page(short_html("Buy now", "<p>Make an offer</p>"), final_url=final_url)
    assert is_parked(page) == f"redirected to {service}"
    assert classify(page, make_link()).status is Status.PARKED


def test_registrar_placeholder_by_its_sentence_alone() -> None:
    page = make_page(short_html("zonakz.net", "<h1>Домен zonakz.net зарегистрирован в REG.RU</h1>"))
    assert is_parked(page) == "домен zonakz net зарегистрирован в reg ru"


def test_meta_refresh_to_a_parking_service() -> None:
    text = '<html><head><meta http-equiv="refresh" content="0; url=https://sedo.com/search/details/?domain=zp.kz">'
    assert is_parked(make_page(text + "</head><body></body></html>")) == "refreshes to sedo.com"


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("news_domain_for_sale_article.html", CITED),  # an article quoting "This domain is for sale"
        ("ru_article_customs_union.html", CITED),
        ("parked_sedo.html", "https://sedo.com/search/details/?domain=taszhargan.info"),  # the market itself
    ],
)
def test_pages_that_are_not_parked(name: str, url: str) -> None:
    assert is_parked(make_page(load(name), url=url)) is None


def test_article_linking_to_a_parking_service_is_not_parked() -> None:
    body = "<p>Domains like this one are sold on <a href='https://dan.com/'>Dan.com</a> and Sedo.</p>"
    assert is_parked(make_page(short_html("How domains are resold", body))) is None


# ------------------------------------------------------------------------------------- homepage and moves


@pytest.mark.parametrize(
    "final_url",
    [
        "http://www.zp.kz/",
        "https://www.zp.kz/",
        "https://zp.kz/ru/",
        "http://www.zp.kz/index.php",
        "http://www.zp.kz/main",
        "https://www.zp.kz/en/",
        "http://www.zp.kz/home",
        "https://newowner.kz/",  # the domain moved and only the root answers
    ],
)
def test_deep_link_bounced_to_a_landing_page(final_url: str) -> None:
    page = make_page(load("ru_front_page.html"), final_url=final_url)
    assert is_homepage_redirect(CITED, page)
    verdict = classify(page, make_link(titles=("Таможенный Союз: за и против",)))
    assert verdict.status is Status.HOMEPAGE_REDIRECT
    assert final_url in verdict.detail


def test_refresh_to_the_root_counts_as_a_redirect() -> None:
    text = "<html><head><meta http-equiv='refresh' content='0;URL=/'></head><body>Redirecting…</body></html>"
    assert classify(make_page(text), make_link()).status is Status.HOMEPAGE_REDIRECT


@pytest.mark.parametrize(
    ("cited", "final_url", "status"),
    [
        ("http://izvestia.ru", "https://iz.ru/", Status.REDIRECTED),  # homepage to another site's root
        ("http://izvestia.ru", "https://www.izvestia.ru/", Status.OK),  # the same homepage, moved to https
        ("http://news.tj/ru", "https://asiaplustj.info/ru/", Status.REDIRECTED),
        ("http://rus.azattyq.org", "https://rus.azattyq.org/", Status.OK),
        ("http://news.tj/ru", "http://news.tj/", Status.OK),  # a language root moving to the site root
        (CITED, "https://zp.kz/news/2010/06/10/customs-union.html/", Status.OK),  # https, no www, slash
        (CITED, "https://zp.kz/archive/2010/customs-union", Status.REDIRECTED),
        (CITED, "https://zp.kz/news/", Status.REDIRECTED),  # a section, not the root
    ],
)
def test_homepage_citations_and_moves(cited: str, final_url: str, status: Status) -> None:
    page = make_page(load("ru_front_page.html"), url=cited, final_url=final_url)
    assert not is_homepage_redirect(cited, page)
    verdict = classify(page, make_link(cited))
    assert verdict.status is status
    assert final_url in verdict.detail


def test_idn_citation_compared_in_punycode() -> None:
    path = "/news/2012/05/09/politologi.html"
    cited = f"http://{'школаполитики.рф'.encode('idna').decode()}{path}"
    link = Link(url=f"http://школаполитики.рф{path}", normalized=cited, references=())
    moved = cited.replace("http:", "https:")
    verdict = classify(make_page(load("ru_article_customs_union.html"), url=cited, final_url=moved), link)
    assert verdict.status is Status.OK
    assert "same page" in verdict.detail


def test_no_redirect_is_ok_without_detail() -> None:
    verdict = classify(make_page(load("ru_article_customs_union.html")), make_link())
    assert verdict == Verdict(Status.OK, "", None)


# ------------------------------------------------------------------------------------------- title match

CUSTOMS_RU = "«Таможенный Союз: за и против»"
CUSTOMS_EN = "“Customs Union: pros and cons”"


def test_moved_article_keeps_its_title() -> None:
    page = make_page(load("ru_article_customs_union.html"), final_url="https://bisnews.kz/economy/1187-ts.html")
    verdict = classify(page, make_link(titles=(CUSTOMS_RU, CUSTOMS_EN)))
    assert verdict.status is Status.REDIRECTED
    assert verdict.title_match is True


def test_changed_content_is_title_drift() -> None:
    page = make_page(load("ru_article_title_changed.html"))
    verdict = classify(page, make_link(titles=(CUSTOMS_RU, CUSTOMS_EN)))
    assert verdict.status is Status.OK
    assert verdict.title_match is False


@pytest.mark.parametrize(
    ("cited", "page_title", "expected"),
    [
        (("ТАМОЖЕННЫЙ   СОЮЗ — ЗА И ПРОТИВ",), "Таможенный союз: за и против | Новости Атырау", True),
        ((CUSTOMS_EN, CUSTOMS_RU), "Таможенный союз: за и против", True),  # either half's title
        (("B. Karimov: a view from Dushanbe",), "Б. Каримов: a view from Dushanbe — Азия-Плюс", True),
        (("Каримов: взгляд из Душанбе",), "Karimov: vzglyad iz Dushanbe", True),
        (("Новый интеграционный проект",), "Новый интеграционный проект для Евразии — Известия", True),
        (("Новый интеграционный проект для Евразии",), "Нового интеграционного проекта для Евразии", True),
        (("Ерлан Карин: Влияние оппозиции сильно преувеличено",), "Ерлан Карин: влияние оппозиции", False),
        (("Китайская головоломка",), "Погода в Алматы на выходные", False),
        (("Customs Union: pros and cons",), "Customs Union", False),
    ],
)
def test_title_match_cases(cited: tuple[str, ...], page_title: str, expected: bool) -> None:
    page = make_page(short_html(page_title, "<p>Текст статьи.</p>"))
    assert title_match(cited, page) is expected


def test_title_found_at_the_top_of_the_text() -> None:
    body = "<div class='story'><b>Китайская головоломка</b><p>Алматы, 26 мая 2011 года. Текст.</p></div>"
    assert title_match(("«Китайская головоломка»",), make_page(short_html("Вечерний Алматы", body))) is True


def test_page_title_supplied_by_the_fetcher_is_used() -> None:
    page = make_page("<html><body><p>Текст</p></body></html>", title="Китайская головоломка — Вечер")
    assert title_match(("Китайская головоломка",), page) is True


def test_no_title_verdict_on_a_page_without_text() -> None:
    empty = make_page("<html><head><script src='/app.js'></script></head><body><div id='root'></div></body>")
    assert title_match((CUSTOMS_RU,), empty) is None
    pdf = make_page("%PDF-1.4 binary", content_type="application/pdf")
    assert title_match((CUSTOMS_RU,), pdf) is None


def test_no_title_is_known_for_homepages_or_uncited_titles() -> None:
    front = make_page(load("ru_front_page.html"), url="http://bisnews.kz")
    assert classify(front, make_link("http://bisnews.kz", titles=(CUSTOMS_RU,))).title_match is None
    assert title_match((), make_page(load("ru_article_customs_union.html"))) is None
    assert classify(make_page(load("ru_article_customs_union.html")), make_link()).title_match is None


# ------------------------------------------------------------------------------------ random-sibling probe


def catchall(path: str, *, title_echoes: bool = False) -> str:
    template = load("catchall_template.html")
    if title_echoes:
        template = template.replace("<title>Интернет-газета Zona.kz</title>", "<title>Zona.kz: $path</title>")
    return string.Template(template).substitute(path=path)


@pytest.mark.parametrize("title_echoes", [False, True])
def test_catch_all_host_answers_a_random_sibling_the_same(title_echoes: bool) -> None:
    cited = "http://zonakz.net/2010/10/13/sultanov.html"
    probe_url = random_sibling(cited)
    page = make_page(catchall(urlsplit(cited).path, title_echoes=title_echoes), url=cited)
    probe = make_page(catchall(urlsplit(probe_url).path, title_echoes=title_echoes), url=probe_url)
    assert page.text != probe.text
    assert looks_same(page, probe)


def test_real_article_differs_from_the_probe_answer() -> None:
    cited = "http://bisnews.kz/economy/1187-ts.html"
    page = make_page(load("ru_article_customs_union.html"), url=cited)
    probe_url = random_sibling(cited)
    probe = make_page(load("ru_article_title_changed.html"), url=probe_url)  # same site, another article
    assert not looks_same(page, probe)
    catchall_probe = make_page(catchall(urlsplit(probe_url).path), url=probe_url)
    assert not looks_same(page, catchall_probe)


def test_probe_answered_404_is_not_the_same() -> None:
    cited = "http://zonakz.net/2010/10/13/sultanov.html"
    page = make_page(catchall("/2010/10/13/sultanov.html"), url=cited)
    probe = make_page(catchall("/2010/10/13/la-x.html"), url=random_sibling(cited), status=404)
    assert not looks_same(page, probe)


def test_probe_redirected_to_the_same_place_is_the_same() -> None:
    cited = "http://www.zp.kz/news/2010/06/10/customs-union.html"
    page = make_page(load("ru_front_page.html"), url=cited, final_url="http://www.zp.kz/")
    probe_url = random_sibling(cited)
    probe = make_page(short_html("Другая", "<p>Совсем другой текст</p>"), url=probe_url, final_url="https://zp.kz/")
    assert looks_same(page, probe)


def test_looks_same_on_two_megabyte_pages() -> None:
    paragraph = "<p>Новость номер {n}: парламент обсудил поправки в закон о бюджете на {n} год.</p>\n"
    body = "".join(paragraph.format(n=n) for n in range(25_000))
    assert len(body.encode()) > 2_000_000
    cited = "http://zonakz.net/archive/2010/sultanov.html"
    big = make_page(short_html("Архив", body + "<p>/archive/2010/sultanov.html</p>"), url=cited)
    probe_url = random_sibling(cited)
    twin = make_page(short_html("Архив", body + f"<p>{urlsplit(probe_url).path}</p>"), url=probe_url)
    other = make_page(short_html("Архив", body.replace("парламент", "сенат")), url=probe_url)
    assert looks_same(big, twin)
    assert not looks_same(big, other)


@pytest.mark.parametrize(
    ("url", "directory", "extension"),
    [
        ("http://news.nur.kz/news/2012/05/09/politologi.html", "/news/2012/05/09/", ".html"),
        ("https://camonitor.com/archives/3211", "/archives/", ""),
        ("http://vecher.kz/2011/05/26/golovolomka/", "/2011/05/26/", "/"),
        ("http://izvestia.ru", "/", ""),
        ("http://www.12news.uz/news/2013/04/uzbek.php#comments", "/news/2013/04/", ".php"),
    ],
)
def test_random_sibling_stays_in_the_directory(url: str, directory: str, extension: str) -> None:
    sibling = random_sibling(url)
    parts = urlsplit(sibling)
    assert sibling != url
    assert sibling != random_sibling(url)
    assert (parts.scheme, parts.netloc) == (urlsplit(url).scheme, urlsplit(url).netloc)
    assert parts.path.startswith(directory + "la-")
    assert parts.path.endswith(extension)
    assert not parts.fragment
    assert probe_key(sibling) == probe_key(url)


def test_random_sibling_of_a_query_driven_page() -> None:
    url = "http://www.taszhargan.info/index.php?option=com_content&view=article&id=1234"
    sibling = random_sibling(url)
    original, changed = parse_qsl(urlsplit(url).query), parse_qsl(urlsplit(sibling).query)
    assert urlsplit(sibling).path == "/index.php"
    assert changed[:-1] == original[:-1]
    assert changed[-1][0] == "id" and changed[-1][1].isdigit() and changed[-1][1] != "1234"
    assert probe_key(sibling) == probe_key(url) == ("www.taszhargan.info", "/index.php?option&view&id")


def test_probe_key_groups_by_host_and_directory() -> None:
    assert probe_key("http://WWW.Zp.kz/news/a.html") == ("www.zp.kz", "/news/")
    assert probe_key("http://www.zp.kz/news/a.html") == probe_key("http://www.zp.kz/news/b.html")
    assert probe_key("http://www.zp.kz/news/a.html") != probe_key("http://www.zp.kz/other/a.html")
    assert probe_key("http://zp.kz:8080/") == ("zp.kz:8080", "/")


segment = st.text(alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12)


@given(st.lists(segment, max_size=4), segment, st.sampled_from(["", ".html", ".php", ".aspx", "/"]))
def test_random_sibling_property(directories: list[str], name: str, ending: str) -> None:
    directory = "/" + "".join(f"{part}/" for part in directories)
    url = f"http://example.kz{directory}{name}{ending}"
    sibling = random_sibling(url)
    assert sibling != url
    assert probe_key(sibling) == probe_key(url)
    path = urlsplit(sibling).path
    assert path.endswith(ending) if ending else "." not in path and not path.endswith("/")
    assert path.rstrip("/").rpartition("/")[2].startswith("la-")


def test_verdict_is_frozen() -> None:
    verdict = Verdict(Status.OK, "", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.status = Status.DEAD  # type: ignore[misc]


# ------------------------------------------------------------------------------------ one bounded parse

ASSET_PAGES = sorted(path.name for path in PAGES.glob("*.html"))


def in_thread(function: Callable[[], T], guard: float = 120.0) -> T:
    """Run ``function`` in a worker thread; a generous guard turns a hang into a failure, not a stuck suite."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result(timeout=guard)


@pytest.mark.parametrize("name", ASSET_PAGES)
def test_the_view_judges_like_the_page(name: str) -> None:
    """The checker keeps only the view while it waits for the probe: every rule must read it the same."""
    page = make_page(load(name))
    view = read_page(page)
    assert read_page(view) is view
    link = make_link(titles=(CUSTOMS_RU,))
    assert classify(view, link) == classify(page, link)
    assert is_parked(view) == is_parked(page)
    assert title_match((CUSTOMS_RU,), view) == title_match((CUSTOMS_RU,), page)
    assert looks_same(view, view) and looks_same(page, view)


def test_the_view_keeps_a_bounded_text() -> None:
    paragraph = "<p>Парламент обсудил поправки в закон о бюджете.</p>\n"
    page = make_page(short_html("Архив", paragraph * 40_000))
    view = read_page(page)
    assert len(page.text) > 2 * VIEW_TEXT_CHARS
    assert len(view.main_text) == VIEW_TEXT_CHARS
    assert view.main_words > LONG_PAGE_WORDS  # counted far enough for every rule
    assert len(view.machinery) <= MACHINERY_CHARS


@pytest.mark.parametrize("repeat", [40_000, 300_000])  # 280 KB and 2.1 MB of unclosed <title>
def test_repeated_unclosed_titles_are_read_in_one_pass(repeat: int) -> None:
    text = "<html><head>" + "<title>" * repeat
    page = make_page(text, title=extract_title(text))
    verdict = in_thread(lambda: classify(page, make_link(titles=(CUSTOMS_RU,))))
    assert verdict.status is Status.OK
    assert verdict.title_match is False
    assert extract_title(text) is None  # no closing tag: no title, found without rescanning per opening


def test_a_closed_title_followed_by_many_unclosed_ones() -> None:
    text = "<title>Таможенный союз</title>" + "<title>" * 40_000 + "<body><p>Текст</p></body>"
    assert extract_title(text) == "Таможенный союз"
    assert in_thread(lambda: title_match(("Таможенный союз",), make_page(text))) is True


@pytest.mark.parametrize(
    "opening",
    ["<div>", "<nav><h1>", "<section><blockquote>", "<span>", "<ul><li>"],
)
def test_absurd_nesting_is_cut_not_parsed(opening: str) -> None:
    """A parser checks its stack at each block tag: ``<div>``×400,000 would take it hours. The page is cut
    where the nesting passes MAX_NESTING, and what came before still counts."""
    head = "<html><head><title>Страница не найдена</title></head><body>"
    text = head + opening * 400_000
    cut = _nesting_cut(text)
    assert cut < len(head) + len(opening) * (MAX_NESTING + 1)
    assert in_thread(lambda: is_error_page(make_page(text))) == "Страница не найдена"


def test_ordinary_markup_is_never_cut() -> None:
    """Implicitly closed elements, void elements and script text (``i<n``) do not deepen the nesting."""
    items = "".join(f"<li><p>Пункт {n}<br><img src='/{n}.png'>" for n in range(5_000))
    script = "<script>for (var i = 0; i<n; i++) { a<b; }</script>" * 500
    text = f"<html><head>{script}</head><body><ul>{items}</ul><div><p>конец</p></div></body></html>"
    assert text.count("<") > SAFE_TAGS
    assert _nesting_cut(text) == len(text)
    assert "конец" in read_page(make_page(text)).main_text


# ----------------------------------------------------------------------------- the same answers, cheaper


@pytest.mark.parametrize("name", ASSET_PAGES)
def test_a_page_read_from_its_utf8_body_is_read_alike(name: str) -> None:
    """The fetcher hands over the UTF-8 body a page's text was decoded from; the parser reads those bytes."""
    text = load(name)
    page = make_page(text)
    assert read_page(page, text.encode("utf-8")) == read_page(page)


@pytest.mark.parametrize(
    "text",
    [
        "<html><head><title>Ошибка</title></head><body>" + "<div>" * 20_000,  # more tags than SAFE_TAGS: cut
        "<title>x</title><body><script>var s = 1;</script></body>",  # no main text: the body is read again
        "<title>Тест" + "<p>слово " * 3,
    ],
)
def test_the_utf8_body_changes_nothing_where_the_page_is_cut_or_read_again(text: str) -> None:
    page = make_page(text)
    assert in_thread(lambda: read_page(page, text.encode("utf-8"))) == in_thread(lambda: read_page(page))


_TEXT = st.text(
    st.sampled_from(list("аёЁбвЙйжxyzAZ09_ -.,'’ʼ`´«»\t\n\u00a0ßﬁ½中ﷺ\u0130\u03a3ς!?/|Ǆ")), max_size=60
)


@given(_TEXT)
def test_folding_word_by_word_is_folding_the_text(text: str) -> None:
    assert _fold_latin_text(text) == _fold_latin(text)


@given(st.lists(st.sampled_from([*_ERROR_MARKERS[:30], "упс", "сайт", "404", "", "|"]), max_size=8))
def test_phrases_found_by_their_first_word_are_the_phrases_contained(words: list[str]) -> None:
    text = " ".join(words)
    expected = [marker for marker in _ERROR_MARKERS if _contains_phrase(text, marker)]
    assert _phrases_in(text, _ERROR_MARKERS, _phrase_index(_ERROR_MARKERS)) == expected


@given(st.text(st.sampled_from(list("ab \n")), max_size=40_000).map(lambda text: text * 3))
def test_words_are_counted_as_far_as_the_rules_need(text: str) -> None:
    enough = LONG_PAGE_WORDS + 1
    opening = text[: 16 * enough]
    words = len(opening.split())
    expected = min(words, enough) if words > enough or opening == text else len(text.split(maxsplit=enough))
    assert _count_words(text) == expected


@given(_TEXT, _TEXT)
def test_similarity_bounds_decide_as_the_ratio(first: str, second: str) -> None:
    ratio = difflib.SequenceMatcher(None, first, second).ratio()
    assert _similar(first, second, TITLE_MATCH_THRESHOLD) == (ratio >= TITLE_MATCH_THRESHOLD)
