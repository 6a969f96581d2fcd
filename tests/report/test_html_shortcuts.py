"""The HTML report's shortcuts give what the general computation gives: the plain-string escaping against
markupsafe's, and the pieces made once a page against the same pieces made each time."""

from __future__ import annotations

import random

import pytest
from markupsafe import Markup, escape

from linkaudit.models import CheckResult, Half, Link, LinkReport, Reference
from linkaudit.references.urls import url_key
from linkaudit.report import html, i18n
from linkaudit.report.summary import cited_date, citing_langs
from linkaudit.status import Status


def _plain_cites(url: str, link: LinkReport) -> bool:
    """``summary.cites`` as first written: URL keys worked out every time."""
    key = url_key(url)
    return key == link.link.normalized or key == url_key(link.link.url)


def _plain_citing_langs(reference: Reference, link: LinkReport) -> tuple[str, ...]:
    citing = [half for half in reference.halves if any(_plain_cites(url, link) for url in half.urls)]
    return tuple(dict.fromkeys(half.lang for half in citing))


def _plain_cited_date(reference: Reference, link: LinkReport) -> str | None:
    for half in reference.halves:
        if any(_plain_cites(url, link) for url in half.urls) and half.date:
            return half.date
    return reference.cited_date(link.link.url)


TRICKY = [
    "",
    "plain",
    "a & b",
    "&amp; already escaped text",
    "<script>alert('x')</script>",
    '"onmouseover="x" y=\'z\'',
    "Страница не найдена «ёлка» — & <тег>",
    "http://example.com/?a=1&b=2#<frag>",
    "⏎ line\nbreak\ttab",
    "&#39;&#34;&lt;&gt;",
]
ALPHABET = "&<>'\"aZ09 ёЖ«»—⏎\n;#/=:?"


def _random_texts(count: int) -> list[str]:
    chooser = random.Random(20240301)
    return ["".join(chooser.choice(ALPHABET) for _ in range(chooser.randrange(0, 24))) for _ in range(count)]


@pytest.mark.parametrize("value", TRICKY + _random_texts(300))
def test_escaped_text_is_markupsafe_escape(value: str) -> None:
    assert html.escaped(value) == str(escape(value))
    assert type(html.escaped(value)) is str


@pytest.mark.parametrize(
    "value",
    [
        Markup("<b>safe &amp; sound</b>"),
        Markup(""),
        404,
        0,
        -3,
        10**30,
        True,
        False,
        None,
        2.5,
        Status.DEAD,
        Status.SOFT_404,
    ],
)
def test_escaped_other_values_is_markupsafe_escape(value: object) -> None:
    assert html.escaped(value) == str(escape(value))


def _general_badge(status: Status, tone: str, lang: str) -> str:
    return (
        f'<span class="badge {escape(tone)}" data-i18n-status="{escape(status.value)}">'
        f"{escape(i18n.status_label(status, lang))}</span>"
    )


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_badges_labels_and_terms_made_once_are_the_same(lang: str) -> None:
    snippets = html.Snippets(lang)
    for _ in range(2):  # made, then taken from what the page holds
        for status in Status:
            for tone in ("bad", "warn", "info", "good", "muted", html.tone(status)):
                assert snippets.badge(status, tone) == _general_badge(status, tone, lang)
        for key in i18n.LABELS[lang]:
            assert snippets.t(key) == str(escape(i18n.label(key, lang)))
            for tag in ("span", "dt"):
                assert snippets.term(key, tag) == f'<{tag} data-i18n="{key}">{escape(i18n.label(key, lang))}</{tag}>'


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_dates_made_once_are_the_same_past_the_limit(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "MAX_DATES_HELD", 5)
    snippets = html.Snippets(lang)
    values = [f"20{year:02d}-{month:02d}-0{day}" for year in range(8, 12) for month in (1, 11) for day in (1, 4)]
    values += ["2012", "2012-11", "not a date <b>", "", None]
    for value in values * 3:
        expected = f'<time datetime="{escape(value)}">{escape(i18n.format_date(value, lang))}</time>' if value else ""
        assert snippets.date(value) == expected
        assert len(snippets._dates) <= 5


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("text", TRICKY)
def test_translated_text_and_links_escape_everything(lang: str, text: str) -> None:
    snippets = html.Snippets(lang)
    other = "ru" if lang == "en" else "en"
    texts = {lang: text, other: text + " <другой> & 'x'"}
    expected = f'<p class="{escape("detail a&b")}" data-tr data-{other}="{escape(texts[other])}">{escape(text)}</p>'
    assert snippets.tr(texts, "p", "detail a&b") == expected
    assert snippets.tr({lang: text, other: text}) == f"<span>{escape(text)}</span>"
    if text:  # an empty href is no link
        assert snippets.url_link(text, text) == f'<a class="url" href="{escape(text)}">{escape(text)}</a>'
    assert snippets.url_link(text, None) == f'<span class="url inert">{escape(text)}</span>'


def test_tones_held_are_the_tone_of_each_status() -> None:
    assert html._TONES == {status: html.tone(status) for status in Status}


def _half(lang: str, urls: tuple[str, ...]) -> Half:
    return Half(lang=lang, text=" ".join(urls), urls=urls)


CITED = [
    "http://example.com/a",
    "http://example.com/a/",
    "HTTP://EXAMPLE.COM/a",
    "http://www.example.com/a",
    "https://example.com/a",
    "http://example.com/a?x=1&y=2",
    "http://пример.рф/статья",
    "http://xn--e1afmkfd.xn--p1ai/статья",
    "http://example.com/b",
    "example.com/a",
    "",
]


@pytest.mark.parametrize("link_url", CITED[:-1])
def test_citing_langs_is_the_general_one(link_url: str) -> None:
    chooser = random.Random(link_url)
    link = LinkReport(
        link=Link(url=link_url, normalized=url_key(link_url), references=("notes.txt#1",)),
        result=CheckResult(url=link_url, normalized=url_key(link_url), status=Status.OK),
    )
    for _ in range(60):
        halves = tuple(
            _half(chooser.choice(["ru", "en", "kk", "und"]), tuple(chooser.sample(CITED, chooser.randrange(0, 4))))
            for _ in range(chooser.randrange(0, 4))
        )
        reference = Reference(id="notes.txt#1", document="notes.txt", text="", line=1, halves=halves)
        assert citing_langs(reference, link) == _plain_citing_langs(reference, link)


@pytest.mark.parametrize("link_url", CITED[:-1])
def test_cited_date_is_the_general_one(link_url: str) -> None:
    chooser = random.Random(link_url + "date")
    link = LinkReport(
        link=Link(url=link_url, normalized=url_key(link_url), references=("notes.txt#1",)),
        result=CheckResult(url=link_url, normalized=url_key(link_url), status=Status.OK),
    )
    dates = [None, "", "2011-10-03", "2012", "2013-04"]
    for _ in range(80):
        halves = tuple(
            Half(
                lang=chooser.choice(["ru", "en"]),
                text="",
                date=chooser.choice(dates),
                urls=tuple(chooser.sample(CITED, chooser.randrange(0, 4))),
            )
            for _ in range(chooser.randrange(0, 4))
        )
        reference = Reference(id="notes.txt#1", document="notes.txt", text="", line=1, halves=halves)
        assert cited_date(reference, link) == _plain_cited_date(reference, link)
