"""URL finding, repair and normalization on the seed notes, the real bilingual corpus and hand-made cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import FoundUrl, Repair
from linkaudit.references.urls import (
    LANDING_PAGES,
    LANGUAGE_SEGMENTS,
    _detector,
    _links,
    find_urls,
    is_fetchable,
    is_homepage,
    normalize_url,
    url_host,
    url_scheme_problem,
)

NEWS = "%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"  # "новости", UTF-8 percent-encoded
SEED = Path(__file__).parents[2] / "examples" / "notes.txt"
BILINGUAL = Path(__file__).parents[3] / "shared" / "corpus" / "bilingual"


def urls(text: str, *, bare_domains: bool = False) -> list[str]:
    return [found.url for found in find_urls(text, bare_domains=bare_domains)]


def only(text: str) -> FoundUrl:
    found = find_urls(text)
    assert len(found) == 1, found
    return found[0]


# --- the seed notes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Газета «Известия», 3 октября 2011, http://izvestia.ru (Vladimir", ["http://izvestia.ru"]),
        ("Азия-плюс, 31 октября 2011 года, http://news.tj/ru  (B. Karimov", ["http://news.tj/ru"]),
        ("24 May, 2012, http://camonitor.com/archives/4070).", ["http://camonitor.com/archives/4070"]),
        ("9 мая 2012 года, http://news.nur.kz/217304.html  (“Kazakh", ["http://news.nur.kz/217304.html"]),
        ("26 May, 2011, http://vecher.kz/node/1259).", ["http://vecher.kz/node/1259"]),
        ("10 June, 2010, http://www.zp.kz).", ["http://www.zp.kz"]),
        ("“Izvestia”, 3 October 2011, http://izvestia.ru or  http://www.russianmission.eu).",
         ["http://izvestia.ru", "http://www.russianmission.eu"]),
    ],
)  # fmt: skip
def test_seed_urls_are_found_as_written(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


def test_scheme_less_www_address_gets_a_scheme() -> None:
    text = "27 сентября 2012 года,  www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588 (“Erlan"
    found = only(text)
    assert found.url == "http://www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588"
    assert found.raw == "www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588"
    assert found.repairs == (Repair.SCHEME_ADDED,)


def test_scheme_less_www_host_alone() -> None:
    found = only("№ 33 (161), 27 сентября 2012 года,  www.spik.kz (“Erlan")
    assert (found.url, found.repairs) == ("http://www.spik.kz", (Repair.SCHEME_ADDED,))


def test_glued_pair_is_split_in_two() -> None:
    text = "3 октября 2011, http://izvestia.ruhttp://www.russianmission.eu (Vladimir"
    first, second = find_urls(text)
    assert (first.url, second.url) == ("http://izvestia.ru", "http://www.russianmission.eu")
    assert first.repairs == second.repairs == (Repair.GLUED,)
    assert (first.raw, second.raw) == ("http://izvestia.ru", "http://www.russianmission.eu")
    assert first.end == second.start


def test_word_glued_before_a_scheme_is_left_out() -> None:
    text = "14 February, 2012, Radio Libertyhttp://rus.azattyq.org)."
    found = only(text)
    assert found.url == found.raw == "http://rus.azattyq.org"
    assert text[found.start - len("Liberty") : found.start] == "Liberty"
    assert Repair.GLUED in found.repairs


@pytest.mark.parametrize(
    "text",
    [
        "Customs expert.ru, 9 ноября 2011 года",
        "«Uzbek expert», 12 News.uz, 15 April, 2013",
        "Казахстанский портал Nur.kz, 9 мая 2012 года",
        "against Kazakhstan to join the Eurasian Union”,NUR.KZ, 9 May, 2012",
        "Интернет-газета Zona.kz, 13 октября 2010 года",
        "node.js and io.js",
    ],
)
def test_outlet_names_are_not_urls(text: str) -> None:
    assert find_urls(text) == []


def test_outlet_names_are_found_only_when_bare_domains_are_asked_for() -> None:
    assert urls("12 News.uz, 15 April") == []
    assert urls("12 News.uz, 15 April", bare_domains=True) == ["http://News.uz"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Режим доступа: kremlin.ru (дата обращения: 01.02.2020)", "http://kremlin.ru"),
        ("URL: akorda.kz.", "http://akorda.kz"),
        ("Available at: www.akorda.kz", "http://www.akorda.kz"),
        ("see <domain.com>.", "http://domain.com"),
    ],
)
def test_bare_domain_marked_as_an_address_is_found(text: str, expected: str) -> None:
    found = only(text)
    assert found.url == expected
    assert Repair.SCHEME_ADDED in found.repairs


def test_whole_seed_file() -> None:
    text = SEED.read_text(encoding="utf-8")
    found = find_urls(text)
    assert all(text[item.start : item.end] == item.raw for item in found)
    assert {item.url for item in found} == {
        "http://izvestia.ru", "http://www.russianmission.eu", "http://bisnews.kz", "http://www.zp.kz",
        "http://customsexpert.ru", "http://news.tj/ru", "http://www.12news.uz", "http://rus.azattyq.org",
        "http://www.taszhargan.info", "http://camonitor.com", "http://www.spik.kz", "http://news.nur.kz",
        "http://vecher.kz", "http://zonakz.net", "http://www.bnews.kz", "http://camonitor.com/archives/4070",
        "http://www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588", "http://news.nur.kz/217304.html",
        "http://vecher.kz/node/1259",
    }  # fmt: skip
    glued = [item.url for item in found if Repair.GLUED in item.repairs]
    assert glued == ["http://rus.azattyq.org", "http://izvestia.ru", "http://www.russianmission.eu"]
    scheme_added = [item.raw for item in found if Repair.SCHEME_ADDED in item.repairs]
    assert scheme_added == ["www.spik.kz"] * 2 + ["www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588"] * 2


# --- Cyrillic, parentheses, punctuation, invisible characters ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Сайт президент.рф, 2020", "http://президент.рф"),
        ("см. http://президент.рф/новости.", "http://президент.рф/новости"),
        ("см. http://президент.рф/новости/12345, 2020", "http://президент.рф/новости/12345"),
        ("see https://ru.wikipedia.org/wiki/Казахстан; also", "https://ru.wikipedia.org/wiki/Казахстан"),
        ("http://kremlin.ru/events/президент — текст", "http://kremlin.ru/events/президент"),
    ],
)
def test_cyrillic_hosts_and_paths(text: str, expected: str) -> None:
    assert urls(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("(see https://en.wikipedia.org/wiki/Foo_(bar)).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("(see http://example.com/a)", "http://example.com/a"),
        ("[http://example.com/a]", "http://example.com/a"),
        (
            "[URL](https://link.springer.com/epdf/S19?token=Q%3D)",
            "https://link.springer.com/epdf/S19?token=Q%3D",
        ),
    ],
)  # fmt: skip
def test_parentheses(text: str, expected: str) -> None:
    assert urls(text) == [expected]


@pytest.mark.parametrize("closing", [".", ",", ";", ":", ")", "»", "”", '"', "'", "!", "?", ").", "»,", "”."])
def test_trailing_punctuation_is_not_part_of_the_url(closing: str) -> None:
    assert urls(f"Источник http://www.zp.kz/a/b{closing} далее") == ["http://www.zp.kz/a/b"]


@pytest.mark.parametrize(
    ("opening", "closing"), [("«", "»"), ("“", "”"), ("„", "“"), ('"', '"'), ("(", ")"), ("‘", "’")]
)
def test_quoted_urls(opening: str, closing: str) -> None:
    assert urls(f"{opening}http://news.tj/ru/news/1{closing}, 2011") == ["http://news.tj/ru/news/1"]
    assert urls(f"{opening}http://news.tj/ru/news/1.{closing}") == ["http://news.tj/ru/news/1"]


def test_trailing_punctuation_repair_only_for_characters_legal_in_urls() -> None:
    assert Repair.TRAILING_PUNCTUATION in only("http://bisnews.kz.").repairs
    assert Repair.TRAILING_PUNCTUATION in only("http://bisnews.kz, 2012").repairs
    assert Repair.TRAILING_PUNCTUATION not in only("«http://bisnews.kz»").repairs
    assert Repair.TRAILING_PUNCTUATION not in only("(http://bisnews.kz)").repairs
    assert only("http://bisnews.kz end").repairs == ()


@pytest.mark.parametrize("separator", ["\u00a0", "\u202f", "\u200b", "\u2060", "\ufeff"])
def test_invisible_separators_end_a_url(separator: str) -> None:
    text = f"доступа:{separator}http://bisnews.kz/a{separator}b"
    found = only(text)
    assert found.url == "http://bisnews.kz/a"
    assert separator not in found.raw


def test_joiner_inside_a_script_stays_in_the_url() -> None:
    url = "http://lyricstranslate.com/en/someone-you-പോലൊരാള്\u200d.html"
    assert urls(url + " x") == [url]


def test_soft_hyphen_is_dropped() -> None:
    found = only("http://example.com/infor\u00admation.html")
    assert found.url == "http://example.com/information.html"
    assert Repair.HYPHEN_WRAP in found.repairs


# --- PDF text: line wraps and spaced schemes --------------------------------------------------------------


def test_hyphen_wrap_keeps_the_slug_hyphen() -> None:
    text = (
        "      бизнеса. – 2017. – Режим доступа: https://cyberleninka.ru/article/n/novye-modeli-\n"
        "      nastavnichestva-v-praktike-obucheniya-i-razvitiya-personala-zarubezhnyh-kompaniy.\n"
        "      [Esaulova, I.A. New models"
    )
    found = only(text)
    assert found.url == (
        "https://cyberleninka.ru/article/n/novye-modeli-nastavnichestva-v-praktike-obucheniya-i-razvitiya-"
        "personala-zarubezhnyh-kompaniy"
    )
    assert Repair.HYPHEN_WRAP in found.repairs
    assert found.raw == text[found.start : found.end]
    assert "\n" in found.raw


def test_hyphen_wrap_over_three_lines() -> None:
    text = "URL: https://cyberleninka.ru/article/n/formirovanie-ikt-\n  kompetentnosti-\n  pedagogov (2020)"
    assert urls(text) == ["https://cyberleninka.ru/article/n/formirovanie-ikt-kompetentnosti-pedagogov"]


def test_hyphen_splitting_one_word_is_dropped() -> None:
    assert urls("http://example.com/docs/infor-\n   mation.html and more") == [
        "http://example.com/docs/information.html"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "http://www.orda2000.ru/books/\n   nicoll/nicoll_1.htm (Дата",
            "http://www.orda2000.ru/books/nicoll/nicoll_1.htm",
        ),
        (
            "http://example.com/books/nic\n   oll/nicoll_1.htm (Date",
            "http://example.com/books/nicoll/nicoll_1.htm",
        ),
        ("http://example.com/page?id=\n   100&pub=2 x", "http://example.com/page?id=100&pub=2"),
    ],
)  # fmt: skip
def test_wrap_inside_a_url(text: str, expected: str) -> None:
    found = only(text)
    assert found.url == expected
    assert Repair.HYPHEN_WRAP in found.repairs


@pytest.mark.parametrize(
    "text",
    [
        "see http://example.org/\nfor details",
        "http://www.orda2000.ru/books/nicoll_1.htm (Дата обращения:\n01.08.2020).",
        "http://www.zp.kz\n01.08.2020).",
        "http://www.zp.kz/a-\n  http://other.kz/b",
        "http://example.org/a\nand so on",
        "http://example.org/a-\n  Next Sentence",
        "http://example.org/a,\n  more",
    ],
)
def test_no_wrap_where_the_url_ended(text: str) -> None:
    assert all(Repair.HYPHEN_WRAP not in found.repairs for found in find_urls(text))
    assert all("\n" not in found.raw for found in find_urls(text))


@pytest.mark.skipif(not BILINGUAL.is_dir(), reason=f"bilingual corpus not found in {BILINGUAL}")
def test_real_pdf_text_with_wrapped_urls() -> None:
    text = (BILINGUAL / "ru-en-02_cegr-2020-6_inline-bracket-translations.txt").read_text(encoding="utf-8")
    wrapped = [found for found in find_urls(text) if Repair.HYPHEN_WRAP in found.repairs]
    slug = (
        "https://cyberleninka.ru/article/n/novye-modeli-nastavnichestva-v-praktike-obucheniya-i-razvitiya-"
        "personala-zarubezhnyh-kompaniy"
    )
    assert [found.url for found in wrapped] == [slug, slug]


@pytest.mark.skipif(not BILINGUAL.is_dir(), reason=f"bilingual corpus not found in {BILINGUAL}")
def test_real_pdf_text_without_wraps() -> None:
    text = (BILINGUAL / "ru-en-01_cegr-2020-5_ref-list-plus-REFERENSES.txt").read_text(encoding="utf-8")
    found = [item.url for item in find_urls(text) if "cegr-website" not in item.url]
    assert (
        found
        == [
            "https://royallib.com/book/beyli_alisa/ezotericheskaya_psihologiya.html",
            "http://www.orda2000.fb38063g.bget.ru/books/nicoll/nicoll_1.htm",
        ]
        * 2
    )


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        (
            "DOI: https:     //doi.org/10.25209/2079-3316-2019.",
            "https:     //doi.org/10.25209/2079-3316-2019",
        ),
        ("DOI: https:\t//doi.org/10.1134/S1995080221110081 x", "https:\t//doi.org/10.1134/S1995080221110081"),
        ("DOI: https:\n   //doi.org/10.1134/S1995080221 x", "https:\n   //doi.org/10.1134/S1995080221"),
    ],
)  # fmt: skip
def test_spaces_after_the_scheme(text: str, raw: str) -> None:
    found = only(text)
    assert found.raw == raw
    assert found.url == "https://" + raw.split("//", 1)[1]
    assert Repair.WHITESPACE in found.repairs


# --- schemes that are never fetched -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["mailto:editor@journal.kz", "MAILTO:EDITOR@JOURNAL.KZ", "javascript:void(0)", "file:///C:/Users/a.pdf",
     "file://server/share/report.doc", "data:text/plain;base64,SGVsbG8="],
)  # fmt: skip
def test_explicit_unfetchable_schemes_are_found(url: str) -> None:
    assert urls(f"Ссылка: {url} (2020)") == [url]
    assert url_scheme_problem(url) is not None
    assert not is_fetchable(url)


@pytest.mark.parametrize("text", ["write to editor@journal.kz", "(editor@kisi.kz)", "mailto:", "mailto:bar"])
def test_plain_email_addresses_are_not_urls(text: str) -> None:
    assert find_urls(text) == []


def test_scheme_problem_messages() -> None:
    assert url_scheme_problem("file:///C:/notes.pdf") == "file: URLs are not fetched"
    assert url_scheme_problem("javascript:void(0)") == "javascript: URLs are not fetched"
    assert url_scheme_problem("mailto:a@b.kz") == "mailto: URLs are not fetched"
    assert url_scheme_problem("ftp://ftp.example.kz/file") == "ftp: URLs are not fetched"
    assert url_scheme_problem("http://") is not None
    assert url_scheme_problem("not a url") is not None
    assert url_scheme_problem("https://example.kz/a") is None
    assert url_scheme_problem("http://президент.рф/новости") is None


# --- normalization -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://izvestia.ru", "http://izvestia.ru/"),
        ("HTTP://Izvestia.RU/Path/To?Q=A#Top", "http://izvestia.ru/Path/To?Q=A"),
        ("http://example.kz/b#x", "http://example.kz/b"),
        ("http://example.kz/b#", "http://example.kz/b"),
        ("http://example.kz/#!/news/новости", "http://example.kz/#!/news/" + NEWS),
        ("http://президент.рф/новости", "http://xn--d1abbgf6aiiy.xn--p1ai/" + NEWS),
        ("http://ПРЕЗИДЕНТ.РФ", "http://xn--d1abbgf6aiiy.xn--p1ai/"),
        (
            "http://www.bürgerentscheid-krankenhäuser.de",
            "http://www.xn--brgerentscheid-krankenhuser-xkc78d.de/",
        ),
        ("https://example.kz:443/a", "https://example.kz/a"),
        ("http://example.kz:80", "http://example.kz/"),
        ("http://example.kz:8080/a", "http://example.kz:8080/a"),
        ("https://example.kz:80/a", "https://example.kz:80/a"),
        ("http://example.kz/a%2fb%e2", "http://example.kz/a%2Fb%E2"),
        ("http://example.kz/100%", "http://example.kz/100%25"),
        ("http://example.kz/?q=новости&x=1", "http://example.kz/?q=" + NEWS + "&x=1"),
        ("http://example.kz/?tpl=print&lan=ru&id=100", "http://example.kz/?tpl=print&lan=ru&id=100"),
        ("http://Example.KZ./a", "http://example.kz/a"),
        ("http://user:pass@Example.kz/", "http://user:pass@example.kz/"),
        ("www.spik.kz/?tpl=print", "http://www.spik.kz/?tpl=print"),
        ("//example.kz/a", "http://example.kz/a"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("MAILTO:Editor@Journal.kz", "mailto:Editor@Journal.kz"),
        ("file:///C:/Users/x.pdf", "file:///C:/Users/x.pdf"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("HTTP://[2001:DB8:0:0::1]:80/x#y", "http://[2001:db8::1]/x"),
        ("https://[2001:db8::1]:443", "https://[2001:db8::1]/"),
        ("http://[::FFFF:127.0.0.1]/p", "http://[::ffff:127.0.0.1]/p"),
        ("http://[fe80::1%25eth0]:8765/c", "http://[fe80::1%25eth0]:8765/c"),
    ],
)  # fmt: skip
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected
    assert normalize_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hello", "Customs expert", "http://", "http://.example.kz", "http://exa mple.kz",
     "http://example.kz:99999/", "http://a..b.kz/", "://example.kz", "http://[zz::1]/", "http://[1:2:3]/"],
)  # fmt: skip
def test_normalize_url_rejects_what_is_not_a_url(text: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(text)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://News.Nur.KZ/217304.html", "news.nur.kz"),
        ("http://президент.рф/новости", "xn--d1abbgf6aiiy.xn--p1ai"),
        ("www.spik.kz/?tpl=print", "www.spik.kz"),
        ("https://example.kz:8443/", "example.kz"),
        ("mailto:a@b.kz", ""),
        ("http://[2001:DB8::1]:8765/c", "2001:db8::1"),
    ],
)
def test_url_host(url: str, host: str) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize(
    "url",
    ["http://izvestia.ru", "http://izvestia.ru/", "http://news.tj/ru", "http://news.tj/ru/",
     "http://zp.kz/en/",
     "http://zp.kz/index.php", "http://zp.kz/index.html", "http://zp.kz/Index.HTM",
     "http://zp.kz/default.aspx",
     "http://zp.kz/main", "http://zp.kz/home", "http://zp.kz/kz/", "http://zp.kz/uz", "http://zp.kz/tj",
     "http://zp.kz/ru/index.php", "http://zp.kz/#top", "http://президент.рф/"],
)  # fmt: skip
def test_homepages(url: str) -> None:
    assert is_homepage(url)


@pytest.mark.parametrize(
    "url",
    ["http://news.tj/ru/news/1", "http://zp.kz/?id=1", "http://zp.kz/index.php?id=100",
     "http://camonitor.com/a/4",
     "http://news.nur.kz/217304.html", "http://zp.kz/ru/en/ru", "http://zp.kz/main/article", "not a url",
     "mailto:a@b.kz", "http://zp.kz/#!/news/1"],
)  # fmt: skip
def test_not_homepages(url: str) -> None:
    assert not is_homepage(url)


@pytest.mark.parametrize(
    ("url", "fetchable"),
    [("http://a.kz", True), ("https://a.kz/x", True), ("www.a.kz/x", True), ("ftp://a.kz/x", False),
     ("mailto:a@b.kz", False), ("javascript:void(0)", False), ("http://", False), ("garbage", False)],
)  # fmt: skip
def test_is_fetchable(url: str, fetchable: bool) -> None:
    assert is_fetchable(url) is fetchable


@pytest.mark.parametrize(
    "text",
    [
        "Газета «Известия», http://izvestia.ru (Vladimir",
        "www.spik.kz/?tpl=print&lan=ru&id=100&pub=2588",
        "http://президент.рф/новости",
        "Radio Libertyhttp://rus.azattyq.org",
    ],
)
def test_found_urls_normalize(text: str) -> None:
    for found in find_urls(text):
        assert normalize_url(found.url).isascii()
        assert is_fetchable(found.url)


# --- properties and hostile input --------------------------------------------------------------------------

URL_FRAGMENTS = st.sampled_from(
    ["http://", "https:", "//", "www.", "izvestia.ru", ".kz", "/", "-", "\n", "   ", "(", ")", "«", "»", "”",
     ".", ",", "?", "=", "&", "%", "\u00a0", "\u200b", "\u00ad", "президент.рф", "mailto:", "a@b.kz",
     "javascript:", "file:///", "News.uz", "xn--p1ai", ":", "#", "_", "0", "Liberty"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(URL_FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join))
def test_raw_is_the_slice_it_came_from(text: str) -> None:
    found = find_urls(text)
    previous_end = 0
    for item in found:
        assert text[item.start : item.end] == item.raw
        assert previous_end <= item.start < item.end
        previous_end = item.end
        assert item.url
        assert not any(character.isspace() for character in item.url)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_find_urls_never_raises(text: str) -> None:
    for item in find_urls(text):
        assert text[item.start : item.end] == item.raw


@pytest.mark.parametrize(
    ("name", "text", "expected_count"),
    [
        ("dots", "." * 1_000_000, 0),
        ("scheme chain", "http://" * 100_000, None),
        ("glued chain", "Libertyhttp://a.kz" * 50_000, 50_000),
        ("long token", "a" * 100_000 + " http://example.kz/" + "b" * 100_000 + " " + "c-" * 100_000, 1),
        ("spaced schemes", ("https:" + " " * 1000) * 500, 0),
        ("unfetchable chain", "javascript:" * 100_000 + "mailto:" * 100_000, 0),
        ("wrapped lines", "http://example.kz/a-\n  b-\n" * 20_000, 20_000),
        ("domain dots", "a." * 300_000, 0),
    ],
)
def test_hostile_text_completes(name: str, text: str, expected_count: int | None) -> None:
    found = find_urls(text)
    if expected_count is not None:
        assert len(found) == expected_count, name
    assert all(text[item.start : item.end] == item.raw for item in found[:1000])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_normalize_url_fails_only_with_value_error(text: str) -> None:
    try:
        normalized = normalize_url(text)
    except ValueError:
        return
    assert normalized == normalize_url(normalized)


def test_unfetchable_scheme_stops_at_the_next_url() -> None:
    assert urls("javascript:void(0)http://example.kz/a") == ["javascript:void(0)", "http://example.kz/a"]


@pytest.mark.parametrize("marker", ["1.", "12)", "[3]"])
def test_a_url_at_a_line_end_does_not_swallow_the_next_notes_number(marker: str) -> None:
    """Found by fuzzing: `…/10.1/x` then a new note `1.` on the next line is two things, not `…/x1`."""
    text = f"see https://doi.org/10.1/x\n{marker} Next note"
    assert [found.url for found in find_urls(text)] == ["https://doi.org/10.1/x"]


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see http://[::1]:8765/c now", ["http://[::1]:8765/c"]),
        ("(http://[2001:db8::1]/x).", ["http://[2001:db8::1]/x"]),
        ("«https://user@[2001:DB8::1]:8443/a?b=1#f»", ["https://user@[2001:DB8::1]:8443/a?b=1#f"]),
        ("http://[::1] and http://a.kz/x, http://[fe80::1%25eth0]/p",
         ["http://[::1]", "http://a.kz/x", "http://[fe80::1%25eth0]/p"]),
        ("Сайтhttp://[::1]/a", ["http://[::1]/a"]),
        ("http://[zz::1]/x and http://[1:2]/y", []),
    ],
)  # fmt: skip
def test_ipv6_literal_urls_are_found(text: str, urls: list[str]) -> None:
    found = find_urls(text)
    assert [item.url for item in found] == urls
    for item in found:
        assert text[item.start : item.end] == item.raw
        normalize_url(item.url)  # every one is a URL


def test_ipv6_urls_normalize_and_share_a_link_whatever_their_fragment() -> None:
    first, second = find_urls("http://[2001:DB8:0::1]:80/c#intro and http://[2001:db8::1]/c#end")
    assert first.url.endswith("#intro")  # the URL as written keeps its fragment
    assert normalize_url(first.url) == normalize_url(second.url) == "http://[2001:db8::1]/c"
    assert url_host(first.url) == "2001:db8::1"


def test_fragments_are_dropped_but_ajax_fragments_kept() -> None:
    assert normalize_url("http://a.kz/b#x") == normalize_url("http://a.kz/b#y") == "http://a.kz/b"
    assert normalize_url("http://a.kz/#!/news/1") != normalize_url("http://a.kz/#!/news/2")
    (found,) = find_urls("См. http://a.kz/b#x.")
    assert found.url == "http://a.kz/b#x"


def test_a_url_after_a_root_dot_and_slash_is_its_own() -> None:
    # found by the property test above: the path after ``News.uz./`` ran over the URLs that followed
    text = "http://http://News.uz./http://http://"
    found = find_urls(text)
    assert all(text[item.start : item.end] == item.raw for item in found)
    assert all(first.end <= second.start for first, second in zip(found, found[1:], strict=False))
    assert "http://News.uz./http://http://" not in [item.url for item in found]


# --- linkify-it read only where a link can be ---------------------------------------------------------------

_LINKIFY_FIXTURES = Path(__file__).parents[3] / "shared" / "corpus" / "linkify-it"
_PIECES = [
    "http://", "HTTPS://", "//", "www.", "a.b", "example.com", "x@y.ru", "mailto:", "ftp:", "127.0.0.1", "пример.рф",
    "file://", "data:text/plain,", "javascript:", "News.uz", ":8080", "/path", ".html", "http://a.kz/b?x=1",
    "(http://a.kz/(b))", "«www.zp.kz»", "http://a.kz/http://b.kz", "Сайт: izvestia.ru", "https:///", "a.b.c.d.e",
]  # fmt: skip
_BLANKS = [" ", "\t", "\n", "\r\n", "\f", "\u00a0", "\u2028", "\u3000", "\u200a", "\x1c", "\x85", ""]
_MARKS = list(".,;:!?()[]{}<>\"'«»“”/\\-_@#%&=+*|`^$~") + ["", ""]


def _linkify_readings(text: str) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    whole = [(match.index, match.last_index, match.schema) for match in _detector().match(text) or []]
    return whole, _links(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_BLANKS), st.sampled_from(_MARKS)), max_size=8))
def test_linkify_read_by_runs_finds_what_it_finds_in_the_whole_text(parts: list[tuple[str, str, str]]) -> None:
    text = "".join(piece + mark + blank for piece, blank, mark in parts)
    whole, by_runs = _linkify_readings(text)
    assert by_runs == whole


def test_linkify_read_by_runs_on_its_own_fixtures_and_the_seed() -> None:
    texts = [SEED.read_text(encoding="utf-8")] if SEED.is_file() else []
    for name in ("links.txt", "not_links.txt"):
        if (_LINKIFY_FIXTURES / name).is_file():
            lines = (_LINKIFY_FIXTURES / name).read_text(encoding="utf-8").splitlines()
            texts += lines
            texts += [" ".join(lines), "\u00a0".join(lines), "".join(lines)]
    assert texts
    for text in texts:
        whole, by_runs = _linkify_readings(text)
        assert by_runs == whole, text


# --- patterns searched without their leading lookbehind, checked at each match --------------------------------

_GUARDED_PIECES = st.sampled_from(
    [
        "http", "https", "HTTP", "ftp", "Ftp", "://", ":", "//", "/", "www.", "WWW.", "wwww.", "ww", " ", "\t", "\n",
        "\r\n", ",", ";", "x", "Я", "_", "1", "hhttp://", "http:/", "https ://", "http: //", "ftp:\n//", "a.kz",
        "httpſ://", "HTTPſ", "–", "-\n", "/doc/", "\n12345", "fTP",
    ]
)  # fmt: skip


@given(st.lists(_GUARDED_PIECES, max_size=25).map("".join))
@settings(max_examples=500, deadline=None)
def test_edits_found_as_by_the_patterns_with_their_lookbehinds(text: str) -> None:
    import re

    from linkaudit.references import urls as module

    glued = re.compile(r"(?:(?<=[^\W_])|(?<=[^\W_/][,;]))(?:https?|ftp)://", re.IGNORECASE)
    starts = re.compile(r"(?<![^\W_])(?:(?:https?|ftp)://|www\.)", re.IGNORECASE)
    spaces = re.compile(r"(?<![^\W_])" + module._SCHEME_SPACES.pattern, re.IGNORECASE)
    found = [match.start() for match in module._STARTS.finditer(text)]  # one scan for the three patterns
    assert found == [match.start() for match in re.finditer(r"https?|ftp|www\.", text, re.IGNORECASE)]
    assert [edit.start for edit in module._glue_edits(text, found)] == [match.start() for match in glued.finditer(text)]
    blanked = [m.start() for m in spaces.finditer(text) if module._SCHEME_BLANK.search(m.group(0))]
    assert [match.start() for match in spaces.finditer(text)] == [
        m.start() for m in module._SCHEME_SPACES.finditer(text) if module._NOT_AFTER_WORD.match(text, m.start())
    ]
    assert [edit.start for edit in module._scheme_space_edits(text, found)] == [
        start + next(index for index, c in enumerate(text[start:]) if c.isspace()) for start in blanked
    ]
    followed: list[object] = []
    covered = 0
    for match in starts.finditer(text):  # each URL start followed, as found by the plain pattern
        if match.start() >= covered:
            covered = module._follow_url(text, match.start(), followed)  # type: ignore[arg-type]
    assert module._layout_edits(text, found) == followed
    guarded = [m.span() for m in module._URL_START.finditer(text) if module._NOT_AFTER_WORD.match(text, m.start())]
    assert guarded == [match.span() for match in starts.finditer(text)]
    guarded = [m.span() for m in module._SCHEME_SPACES.finditer(text) if module._NOT_AFTER_WORD.match(text, m.start())]
    assert guarded == [match.span() for match in spaces.finditer(text)]


_URL_PARTS = st.tuples(
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.sampled_from(["127.0.0.3", "a.kz", "A.kz", "doi.org", "dx.doi.org", "a..b", "a_b.c-d.org", "x.", "пример.рф"]),
    st.sampled_from(["", ":8080", ":80", ":443", ":0", ":080", ":65535", ":65536", ":99999"]),
    st.sampled_from(["", "/", "/doc/1.html", "/10.1000/x", "/a b", "/%41", "/a?b=1", "/a#b", "/~u/a-b_c.d", "/ü"]),
)


@given(_URL_PARTS)
@settings(max_examples=400, deadline=None)
def test_simple_urls_normalize_as_the_full_normalization_does(parts: tuple[str, str, str, str]) -> None:
    from urllib.parse import urlsplit

    from linkaudit.references import urls as module

    url = "{}://{}{}{}".format(*parts)
    simple = module._simple(url)
    try:
        full = module._normalized(url)
    except ValueError:
        assert simple is None
        return
    if simple is not None:
        assert simple == (full, urlsplit(full).hostname)
    assert normalize_url(url) == full


_HOME_PARTS = st.tuples(
    st.sampled_from(["http://a.kz", "https://127.0.0.3:8080", "HTTP://A.KZ", "http://a.kz:99999", "http://[::1]"]),
    st.sampled_from(["", "/", "/ru", "/ru/", "/en/main", "/index.php", "/Index.HTML", "/ru/en/x", "/a/b", "/kk-kz"]),
    st.sampled_from(["", "?q=1", "#x", "#!/a", "?"]),
)


@given(_HOME_PARTS)
@settings(max_examples=300, deadline=None)
def test_homepages_of_simple_urls_as_of_any_url(parts: tuple[str, str, str]) -> None:
    from urllib.parse import urlsplit

    url = "".join(parts)
    try:
        split = urlsplit(normalize_url(url))
    except ValueError:
        assert not is_homepage(url)
        return
    segments = [segment for segment in split.path.lower().split("/") if segment]
    expected = not split.query and not split.fragment and (
        not segments
        or (
            len(segments) <= 2
            and all(segment in LANGUAGE_SEGMENTS for segment in segments[:-1])
            and (segments[-1] in LANGUAGE_SEGMENTS or segments[-1] in LANDING_PAGES)
        )
    )
    assert is_homepage(url) is expected


_BARE_PARTS = st.tuples(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://"]),
    st.sampled_from(["127.0.0.3", "a.kz", "a", "a_b.kz", "-a.kz", "a-.kz", "doi.org", "www.a.kz", "a.b.c.d", "1.2"]),
    st.sampled_from(["", ":8080", ":80", ":99999", ":1"]),
    st.sampled_from(["", "/", "/doc/1.html", "/a.", "/a..", "/x-doi10.1000/y", "/10.1000/x", "/~u", "/a/_/-", "/."]),
)


@given(_BARE_PARTS)
@settings(max_examples=500, deadline=None)
def test_a_text_that_is_one_simple_url_is_read_as_the_full_reading_reads_it(parts: tuple[str, ...]) -> None:
    from linkaudit.references import urls as module

    text = "".join(parts)
    assert find_urls(text) == module._found_urls(text, False)
    assert find_urls(text, bare_domains=True) == module._found_urls(text, True)


@pytest.mark.parametrize(
    "text",
    ["см. WWW.legislat\nion.gov.uk/x", "см. Www.oim. ru/reader.asp", "http: //a.kz/x", "x,http://a.kz", "a\u00adb http://a.kz"],
)
def test_edit_scans_skipped_only_when_their_signs_are_missing(text: str) -> None:
    """Each edit scan is skipped for a text without what it needs ("www." in any case, "//", "://", an
    invisible character); these texts have it, and get their edits."""
    from linkaudit.references import urls as module

    assert module._prepare(text).edits


def test_urls_already_in_normal_form_fill_no_cache() -> None:
    """100,000 cited URLs in normal form would hold 17 MB of cache for no gain (the fast path is cheaper than a
    cache hit); a URL that needs the full work is remembered."""
    from linkaudit.references import urls

    before = urls._normalized.cache_info().currsize  # noqa: SLF001 - the cache is what is tested
    plain = [f"http://127.0.0.{n % 250}:8080/doc/{n}-cache-test.html" for n in range(50)]
    assert [normalize_url(url) for url in plain] == plain
    assert urls._normalized.cache_info().currsize == before  # noqa: SLF001
    assert normalize_url("HTTP://Example.KZ:80/новости/cache-test#x") == (
        "http://example.kz/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/cache-test"
    )
    assert urls._normalized.cache_info().currsize == before + 1  # noqa: SLF001


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_BLANKS), st.sampled_from(_MARKS)), max_size=6))
def test_a_url_of_a_text_without_edits_is_read_as_with_them(parts: list[tuple[str, str, str]]) -> None:
    """A text the detector sees as written (no edit) takes _found_url's short way: the same FoundUrl as the
    way through the edits, which is taken here by an edit that changes nothing, past the text's end."""
    from dataclasses import replace

    from linkaudit.references import urls as module

    text = "".join(piece + mark + blank for piece, blank, mark in parts)
    prepared = module._prepare(text)
    if prepared.edits:
        return
    beyond = len(text) + 10
    edited = replace(prepared, edits=(module._Edit(beyond, beyond, ""),), edit_starts=(beyond,), edit_views=(beyond,))
    for start, end, schema in module._links(prepared.text):
        for bare in (False, True):
            short = module._found_url(text, prepared, schema, start, end, bare)
            assert short == module._found_url(text, edited, schema, start, end, bare)


def test_a_url_written_as_it_is_read_is_kept_as_one_string() -> None:
    """A URL found as written (no edit, nothing added) keeps one string for its text and its URL: a long list
    holds one copy of each, not two."""
    text = "«Таможенный союз», 3 ноября 2012 года, http://127.0.0.3:8080/doc/1.html (Customs Union, 2012)."
    (found,) = find_urls(text)
    assert found.url == found.raw == "http://127.0.0.3:8080/doc/1.html"
    assert found.raw is found.url
    (wrapped,) = find_urls("см. http://a.kz/doc-\n1.html")  # read across a line end: its text as written
    assert wrapped.raw == "http://a.kz/doc-\n1.html" and wrapped.raw is not wrapped.url
