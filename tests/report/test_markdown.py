"""The Markdown report: what needs doing first, short enough for a step summary, every cell inert."""

from __future__ import annotations

import re
from dataclasses import replace

from linkaudit.models import Half, Report
from linkaudit.report.markdown import MAX_ROWS, escape, link, render
from linkaudit.status import Status

from .conftest import build_large_report, item, ref_id


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _cells(row: str) -> list[str]:
    """Cells of a table row, split only on unescaped pipes (as GitHub does)."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_summary_and_sections(rich_report: Report) -> None:
    text = render(rich_report)
    assert text.startswith("# Link audit\n")
    assert "9 of 16 cited links \\(56%\\) are broken" in text
    assert "| 18 | 16 | 9 | 1 | 3 | 7 |" in text
    for heading in ("## Broken (9)", "## Blocked (1)", "## Content drift (1)", "## Findings (7)", "## Notes"):
        assert heading in text
    assert "### Glued URLs (1)" in text


def test_broken_table_has_status_references_archive_and_detail(rich_report: Report) -> None:
    broken = _section(render(rich_report), "## Broken")
    rows = [line for line in broken.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 9
    dead = next(row for row in rows if "bisnews.kz" in row)
    cells = _cells(dead)
    assert cells[0].strip() == "Dead (confirmed)"
    assert "notes.txt\\#A3" in cells[2]
    assert "[4 November 2012](http://archive.test/web/20121104093000/http://bisnews.kz/news/1)" in cells[3]
    assert "404 Not Found" in cells[4]
    unverified = next(row for row in rows if "zp.kz" in row)
    assert "(not verified)" in unverified
    timeout = next(row for row in rows if "azattyq" in row)
    assert "notes.txt\\#A8, notes.txt\\#A10" in timeout


def test_russian_report_uses_russian_labels_and_dates(russian_report: Report) -> None:
    text = render(russian_report)
    assert text.startswith("# Проверка ссылок\n")
    assert "[4 ноября 2012](" in text
    assert "## Недоступны (9)" in text
    assert "Удалена (подтверждено)" in text
    broken = _section(text, "## Недоступны")
    dead = next(row for row in broken.splitlines() if "bisnews.kz" in row)
    assert "через 1 день после цитирования" in dead
    assert "404 не найдена" in _cells(dead)[4]
    timeout = next(row for row in broken.splitlines() if "azattyq" in row)
    assert "нет ответа за 2 с \\(3 попытки\\)" in timeout
    assert "Текст ссылается на \\[99\\] в строке 40" in text  # findings in Russian too
    assert "1 примечание ссылается только на главную страницу сайта: A9" in text  # one line per document


def test_capture_distance_in_words(rich_report: Report) -> None:
    text = render(rich_report)
    broken = _section(text, "## Broken")
    assert "— 1 day after it was cited" in broken
    assert "+1 days" not in text
    far = next(item for item in rich_report.links if item.archive is not None and "bisnews" in item.link.url)
    assert far.archive is not None
    moved = replace(far, archive=replace(far.archive, distance_days=-969))
    text = render(replace(rich_report, links=tuple(moved if x is far else x for x in rich_report.links)))
    assert "— ⚠ captured 2 years 8 months before it was cited" in text


def test_simulated_report_says_so(rich_report: Report) -> None:
    assert "simulated web" not in render(rich_report)
    assert "> Made against a simulated web" in render(replace(rich_report, simulated=True))


def test_every_table_row_has_the_header_cell_count(rich_report: Report) -> None:
    text = render(rich_report)
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {len(_cells(row)) for row in table}
            assert len(widths) == 1, table
            table = []


def test_hostile_text_is_inert(rich_report: Report) -> None:
    text = render(rich_report)
    assert "<script>" not in text
    assert "<img" not in text and "<b>" not in text
    assert "](javascript:" not in text
    drift = _section(text, "## Content drift")
    assert "&lt;img src=x onerror=&quot;window.\\_\\_pwned=4&quot;&gt;" in drift
    evil = next(row for row in drift.splitlines() if "evil.example" in row)
    assert "(http://evil.example/%22onmouseover=%22window.__pwned=3%22)" in evil


def test_escape_and_link_helpers() -> None:
    assert escape("a | b\nc") == "a \\| b c"
    assert escape("**x** _y_ [z](w)") == "\\*\\*x\\*\\* \\_y\\_ \\[z\\]\\(w\\)"
    assert escape("<b>&") == "&lt;b&gt;&amp;"
    assert escape("x" * 500).endswith("…") and len(escape("x" * 500)) == 300
    assert link("javascript:alert(1)") == "javascript:alert\\(1\\)"
    assert link("http://a.test/x|(z)\"") == '[http://a.test/x\\|\\(z\\)&quot;](http://a.test/x%7C%28z%29%22)'
    assert link("http://a.test/x y") == "http://a.test/x y"  # not a URL a reader can follow as written


def test_long_tables_are_capped(rich_report: Report) -> None:
    many = tuple(
        item(f"http://dead{index}.test/page", Status.DEAD, (ref_id("A3"),), host=f"dead{index}.test",
             cited_date="2012-01-01", http_status=404)
        for index in range(MAX_ROWS + 50)
    )
    text = render(replace(rich_report, links=many))
    broken = _section(text, "## Broken")
    rows = [line for line in broken.splitlines() if line.startswith("| Dead")]
    assert len(rows) == MAX_ROWS
    assert "… and 50 more" in broken
    assert len(text.encode("utf-8")) < 1024 * 1024


def test_no_broken_links_says_none(rich_report: Report) -> None:
    text = render(replace(rich_report, links=rich_report.links[:1], findings=(), notes=()))
    assert "## Broken (0)\n\nNone." in text
    assert "## Findings" not in text


def test_archived_replacement_is_phrased_for_each_half(rich_report: Report, russian_report: Report) -> None:
    for report in (rich_report, russian_report):  # the phrasings follow the halves, not the report language
        broken = _section(render(report), "## ")
        row = next(line for line in broken.splitlines() if "bisnews.kz" in line)
        cell = [line.strip() for line in _cells(row)[3].split("<br>")]
        assert cell[1:] == ["RU: архивная копия от 4 ноября 2012", "EN: archived 4 November 2012"]


def test_references_with_broken_links_show_both_halves_side_by_side(rich_report: Report) -> None:
    section = _section(render(rich_report), "## References with broken links")
    assert section.startswith("## References with broken links (10)\n")  # nine links, one cited twice
    lines = section.splitlines()
    assert lines[2] == "| Reference | Original \\(ru\\) | Translation \\(en\\) | Links |"
    row = _cells(next(line for line in lines if line.startswith("| notes.txt\\#A3 ")))
    assert row[1].strip() == "«Таможенный Союз: за и против», 3 ноября 2012 http://bisnews.kz/news/1"
    assert row[2].strip() == "Customs Union http://bisnews.kz/news/1"
    assert row[3].strip() == "Dead: [http://bisnews.kz/news/1](http://bisnews.kz/news/1)"
    kazakh = [line for line in lines if line.startswith("| notes.txt\\#A16 ")]
    assert kazakh == []  # A16's link is live
    assert "notes.txt\\#A2 " not in section  # no broken link there


def test_halves_are_shortened_escaped_and_tagged_when_not_in_the_usual_language(rich_report: Report) -> None:
    long_text = "Очень длинное название статьи <b>|</b> " * 20
    halves = (
        Half(lang="kk", text=long_text + "http://dead.test/a", urls=("http://dead.test/a",)),
        Half(lang="en", text="Short http://dead.test/a", urls=("http://dead.test/a",)),
    )
    extra = replace(rich_report.references[2], id=ref_id("A99"), halves=halves)
    dead = item("http://dead.test/a", Status.DEAD, (ref_id("A99"),), host="dead.test", cited_date=None)
    text = render(replace(rich_report, references=(*rich_report.references, extra),
                          links=(*rich_report.links, dead)))
    section = _section(text, "## References with broken links")
    row = next(line for line in section.splitlines() if line.startswith("| notes.txt\\#A99 "))
    cells = _cells(row)
    assert len(cells) == 4
    assert cells[1].startswith(" (kk) Очень длинное") and cells[1].rstrip().endswith("…")
    assert len(cells[1].strip()) < 160 + 60  # shortened (escapes add a little)
    assert "<b>" not in row and "&lt;b&gt;\\|&lt;/b&gt;" in row
    assert cells[2].strip() == "Short http://dead.test/a"  # English is the usual translation language: no tag


def test_references_table_is_capped() -> None:
    text = render(build_large_report(2000))
    section = _section(text, "## References with broken links")
    assert len([line for line in section.splitlines() if line.startswith("| notes.txt")]) == MAX_ROWS
    assert "… and " in section
    assert len(text.encode("utf-8")) < 1024 * 1024


def test_saved_links_are_listed(rich_report: Report) -> None:
    text = render(rich_report)
    section = _section(text, "## Saved to the archive")
    assert section.startswith("## Saved to the archive (1)\n")
    row = _cells(next(line for line in section.splitlines() if "russianmission" in line))
    assert row[1].strip() == "Redirected"
    assert row[2].strip() == (
        "[http://archive.test/web/20240301100000/http://www.russianmission.eu/]"
        "(http://archive.test/web/20240301100000/http://www.russianmission.eu/)"
    )
    assert "## Saved to the archive" not in render(replace(rich_report, links=rich_report.links[:1]))
    assert "## Сохранены в архив (1)" in render(replace(rich_report, lang="ru"))
