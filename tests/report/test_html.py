"""The HTML report as text: escaping, self-containment, structure and size (test_browser.py runs it)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace

from linkaudit.models import Half, Report, RunSummary
from linkaudit.report import i18n
from linkaudit.report.html import render, script_json, trend_points, year_columns
from linkaudit.status import Status

from .conftest import (
    ATTRIBUTE_PAYLOAD,
    EVIL_URL,
    JAVASCRIPT_URL,
    build_large_report,
    collected_report,
    reference,
)


def _script(page: str) -> str:
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    return scripts[0]


def test_untrusted_text_is_escaped(rich_report: Report) -> None:
    page = render(rich_report)
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert ATTRIBUTE_PAYLOAD not in page
    assert '"onmouseover=' not in page
    assert "&#34;onmouseover=&#34;window.__pwned=3&#34;" in page


def test_only_http_urls_become_links(rich_report: Report) -> None:
    page = render(rich_report)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs, "the report links its URLs"
    assert all(href.startswith(("http://", "https://", "#")) for href in hrefs), hrefs
    assert JAVASCRIPT_URL in page  # shown as text
    assert f'href="{JAVASCRIPT_URL}' not in page
    assert 'href="http://evil.example/&#34;onmouseover=&#34;window.__pwned=3&#34;"' in page
    assert EVIL_URL.startswith("http://")


def test_page_is_self_contained_with_a_strict_policy(rich_report: Report) -> None:
    page = render(rich_report)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"<[^>]*\ssrc=", page)
    assert "@import" not in page and "url(" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    assert "default-src 'none'" in policy.group(1)
    digest = base64.b64encode(hashlib.sha256(_script(page).encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy.group(1)


def test_embedded_json_is_safe_inside_script() -> None:
    value = {"text": "</script><!-- & \u2028 \u2029 >", "ru": "Примечания"}
    embedded = str(script_json(value))
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in embedded
    assert json.loads(embedded) == value


def test_catalog_holds_both_languages(rich_report: Report) -> None:
    page = render(rich_report)
    data = re.search(r'<script type="application/json" id="linkaudit-i18n">(.*?)</script>', page, flags=re.S)
    assert data is not None
    catalog = json.loads(data.group(1))
    assert catalog["ru"]["labels"]["references"] == "Примечания"
    assert catalog["en"]["status"]["soft_404"] == "Soft 404"


def test_summary_cards_and_verdict(rich_report: Report) -> None:
    page = render(rich_report)
    card = r'<span class="card-value">(\d+)</span> <span class="card-label" data-i18n="(\w+)"'
    cards = re.findall(card, page)
    assert cards == [("18", "references"), ("16", "links"), ("9", "broken"), ("1", "blocked"),
                     ("3", "archived"), ("7", "findings")]  # fmt: skip
    assert "9 of 16 cited links (56%) are broken" in page
    assert 'data-ru="9 из 16 ссылок (56%) недоступны' in page


def test_language_defaults_to_the_report_and_halves_keep_theirs(
    rich_report: Report, russian_report: Report
) -> None:
    english, russian = render(rich_report), render(russian_report)
    assert '<html lang="en">' in english and '<html lang="ru">' in russian
    assert 'data-i18n="references">Примечания<' in russian
    assert "4 ноября 2012" in russian and "4 November 2012" in english
    assert '<div class="half" lang="ru">' in english
    assert '<div class="half" lang="kk">' in english


def test_table_rows_carry_filter_and_sort_data(rich_report: Report) -> None:
    page = render(rich_report)
    rows = re.findall(r"<tr id=\"ref-\d+\"([^>]*)>", page)
    assert len(rows) == len(rich_report.references)
    second = rows[1]
    assert 'data-status="ok redirected"' in second
    assert 'data-domain="izvestia.ru www.russianmission.eu"' in second
    assert 'data-kind="glued_urls url_only_in_one_half"' in second
    assert 'data-lang="ru en"' in second
    assert "data-broken" not in second
    assert 'data-broken="1"' in rows[2]
    assert 'scope="col"' in page and 'scope="row"' in page
    assert "<details>" in page and "https://russianmission.eu/en/home-page" in page
    assert "Ibid." in page and 'href="#ref-17"' in page
    # A finding without a reference row is still shown.
    assert "The text cites [99] on line 40, but list B has no note 99" in page


def test_charts_are_inline_svg(rich_report: Report) -> None:
    page = render(rich_report)
    assert page.count('<figure class="chart">') == 3
    assert "bisnews.kz" in page.split('<figcaption data-i18n="chart_domains">')[1].split("</figure>")[0]
    trend = page.split('<figcaption data-i18n="chart_trend">')[1].split("</figure>")[0]
    assert "<polyline" in trend and trend.count("<circle") == 3
    no_trend = render(replace(rich_report, trend=()))
    assert 'data-i18n="chart_trend"' not in no_trend


def test_year_columns_count_each_citation(rich_report: Report) -> None:
    columns = {column.year: column for column in year_columns(rich_report)}
    assert set(columns) == {"2010", "2011", "2012", "2013", ""}
    assert columns["2013"].gone == columns["2013"].total == 1 and columns["2013"].share_gone == 100
    assert sum(column.total for column in columns.values()) == 17


def test_report_without_links_renders(rich_report: Report) -> None:
    page = render(replace(rich_report, links=(), findings=(), trend=()))
    assert "No web links were found" in page
    assert '<figure class="chart">' not in page


def test_two_thousand_links_stay_under_three_and_a_half_megabytes() -> None:
    # Each link carries its detail and capture distance in both report languages (for the language switch).
    page = render(build_large_report(2000))
    size = len(page.encode("utf-8"))
    print(f"HTML report for 2000 links: {size / 1e6:.2f} MB")
    assert size < 3_500_000
    assert page.count('<tr id="ref-') == 2000


def _row(page: str, number: int) -> str:
    start = page.index(f'<tr id="ref-{number}"')
    return page[start : page.index("</tr>", start)]


def test_archived_copy_is_phrased_in_the_language_of_each_citing_half(
    rich_report: Report, russian_report: Report
) -> None:
    for report in (rich_report, russian_report):  # the phrasings follow the halves, not the page language
        dead = _row(render(report), 3)  # A3: a Russian and an English half cite the dead bisnews.kz page
        assert '<li lang="ru" data-half="RU">архивная копия от 4 ноября 2012</li>' in dead
        assert '<li lang="en" data-half="EN">archived 4 November 2012</li>' in dead
    live = _row(render(rich_report), 17)  # B2: its page has an archived copy, but is live: no phrasing
    assert "evil.example" in live and 'data-i18n="archive"' in live
    assert 'class="phrasings"' not in live


def test_phrasings_only_for_the_halves_that_cite_the_link() -> None:
    halves = (
        Half(lang="kk", text="Қазақстан http://zonakz.net/k", urls=("http://zonakz.net/k",)),
        Half(lang="en", text="Kazakhstan http://ZONAKZ.net/k or http://other.test/",
             urls=("http://ZONAKZ.net/k", "http://other.test/")),
    )
    report = collected_report(
        (reference("A", 1, halves),),
        {"http://zonakz.net/k": Status.DEAD, "http://other.test/": Status.DEAD},
        archived="20101014070000",
    )
    page = render(report)
    phrasings = re.findall(r'<ul class="phrasings">(.*?)</ul>', page)
    assert phrasings == [
        # a Kazakh half reads Russian: its phrase is Russian and says so in its lang attribute
        '<li lang="ru" data-half="KK">архивная копия от 14 октября 2010</li>'
        '<li lang="en" data-half="EN">archived 14 October 2010</li>',
        '<li lang="en" data-half="EN">archived 14 October 2010</li>',  # only the English half cites it
    ]


def test_links_saved_to_the_archive_are_listed(rich_report: Report) -> None:
    page = render(rich_report)
    section = page.split('<section class="saved"')[1].split("</section>")[0]
    assert 'data-i18n="saved_count">Saved to the archive</span> (1)' in section
    assert 'href="http://archive.test/web/20240301100000/http://www.russianmission.eu/"' in section
    assert '<a href="#ref-2">A2</a>' in section
    assert '<section class="saved"' not in render(replace(rich_report, links=rich_report.links[:1]))


def test_year_legend_labels_are_consistent_in_both_languages(rich_report: Report) -> None:
    page = render(rich_report)
    legend = page.split('<ul class="legend">')[1].split("</ul>")[0]
    keys = re.findall(r'data-i18n="(\w+)">([^<]+)<', legend)
    assert [text for _, text in keys] == ["Broken", "Blocked", "Live", "Not checked"]
    russian = [i18n.label(key, "ru") for key, _ in keys]
    assert russian == ["Недоступны", "Доступ закрыт", "Доступны", "Не проверены"]
    assert all(text[0].isupper() for text in russian)


def test_runs_on_one_day_are_told_apart_by_time(rich_report: Report) -> None:
    runs = (
        RunSummary(run_id=1, started_at="2024-02-01T10:00:00Z", links=16, broken=8),
        RunSummary(run_id=2, started_at="2024-03-01T09:15:00Z", links=16, broken=9),
        RunSummary(run_id=3, started_at="2024-03-01T10:05:00Z", links=16, broken=9),
    )
    points = trend_points(replace(rich_report, trend=runs))
    assert [(point.date, point.time) for point in points] == [
        ("2024-02-01", None),
        ("2024-03-01", "09:15 UTC"),
        ("2024-03-01", "10:05 UTC"),
    ]
    page = render(replace(rich_report, trend=runs))
    assert ">1 March 2024, 10:05 UTC</text>" in page
    assert "#2 2024-03-01 09:15 UTC: 9/16" in page


def test_home_page_only_notes_are_one_line_with_a_marker_on_each(rich_report: Report) -> None:
    page = render(rich_report)
    assert page.count('class="homepage-lines"') == 1
    assert "1 note cites only a home page:" in page
    assert 'data-ru="1 примечание ссылается только на главную страницу сайта:"' in page
    assert page.count('class="homepage-flag"') == 1
    assert "cites only http://www.taszhargan.info" not in page  # the long sentence is gone


def test_several_documents_name_the_note_numbers(rich_report: Report) -> None:
    second = replace(rich_report.references[0], id="article.md#A1", document="article.md")
    report = replace(rich_report, documents=("notes.txt", "article.md"), references=(*rich_report.references, second))
    page = render(report)
    assert '<span class="doc">article.md</span>' in page and '<span class="doc">notes.txt</span>' in page
    assert '<span class="doc">' not in render(rich_report)


def test_simulated_report_says_so(rich_report: Report) -> None:
    assert "banner info simulated" not in render(rich_report)
    page = render(replace(rich_report, simulated=True))
    assert '<p data-i18n="simulated">Made against a simulated web (linkaudit demo)' in page
    assert "simulated weekly runs" in page


def test_far_capture_is_amber_and_said_in_words(rich_report: Report) -> None:
    item = next(item for item in rich_report.links if item.archive is not None and item.result.status.is_broken)
    assert item.archive is not None
    far = replace(item, archive=replace(item.archive, distance_days=969, verified=True))
    page = render(replace(rich_report, links=tuple(far if other is item else other for other in rich_report.links)))
    assert '<p class="archive archive-far">' in page
    assert "captured 2 years 8 months after it was cited" in page
    assert 'data-ru="снята через 2 года 8 месяцев после цитирования"' in page
    assert "+969" not in page
