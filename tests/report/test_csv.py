"""The CSV report: one row per link and citing reference, UTF-8 with a BOM, no live formulas."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from linkaudit.models import Half, Report
from linkaudit.report import write_reports
from linkaudit.report.csv import COLUMNS, inert, render
from linkaudit.status import Status

from .conftest import collected_report, item, ref_id, reference


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_file_is_utf8_with_bom_and_cyrillic_survives(rich_report: Report, output_dir: Path) -> None:
    (path,) = write_reports(rich_report, output_dir, ["csv"])
    data = path.read_bytes()
    assert path.name == "linkaudit.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Страница не найдена" in text
    assert text.splitlines()[0].split(",") == list(COLUMNS)


def test_one_row_per_link_and_reference(rich_report: Report) -> None:
    rows = _rows(render(rich_report))
    expected = sum(len(entry.link.references) for entry in rich_report.links)
    assert len(rows) == expected == 17
    timeout = [row for row in rows if row["status"] == "timeout"]
    assert [row["reference"] for row in timeout] == ["notes.txt#A8", "notes.txt#A10"]
    assert [row["number"] for row in timeout] == ["8", "10"]


def test_columns_hold_the_facts(rich_report: Report) -> None:
    rows = {(row["reference"], row["url"]): row for row in _rows(render(rich_report))}
    dead = rows[("notes.txt#A3", "http://bisnews.kz/news/1")]
    assert dead["list"] == "A"
    assert dead["http_status"] == "404"
    assert dead["cited_date"] == "2012-11-03"
    assert dead["archive_timestamp"] == "20121104093000"
    assert dead["verified"] == "true"
    assert dead["confirmed"] == "true"
    assert rows[("notes.txt#A2", "http://izvestia.ru")]["lang"] == "ru en"
    assert rows[("notes.txt#A2", "http://www.russianmission.eu")]["lang"] == "en"
    assert rows[("notes.txt#A2", "http://izvestia.ru")]["title_match"] == "true"
    timeout = rows[("notes.txt#A8", "http://rus.azattyq.org/a")]
    assert timeout["http_status"] == "" and timeout["confirmed"] == "" and timeout["archive_url"] == ""


def test_formula_like_text_is_inert(rich_report: Report) -> None:
    hostile = item("http://calc.test/", Status.DEAD, (ref_id("A3"),), host="calc.test", cited_date=None,
                   detail='=HYPERLINK("http://evil.test","click")')
    rows = _rows(render(replace(rich_report, links=(hostile,))))
    assert rows[0]["detail"] == "'=HYPERLINK(\"http://evil.test\",\"click\")"
    assert inert("+1") == "'+1" and inert("@SUM") == "'@SUM" and inert("-2") == "'-2"
    assert inert("plain") == "plain" and inert(None) == ""


def test_lang_column_matches_urls_as_links_are_made() -> None:
    """A half cites a link when its URL normalizes to the link's: the same rule as links.collect_links."""
    halves = (
        Half(lang="ru", text="…", urls=("http://EXAMPLE.test:80/path", "http://example.test/other/",
                                        "http://пример.рф/статья")),
        Half(lang="en", text="…", urls=("http://example.test/path", "http://example.test/other",
                                        "http://xn--e1afmkfd.xn--p1ai/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F")),
    )
    report = collected_report((reference("A", 1, halves),), {})
    rows = {row["normalized"]: row["lang"] for row in _rows(render(report))}
    assert rows == {
        "http://example.test/path": "ru en",  # case and default port do not make another link
        "http://example.test/other/": "ru",  # a trailing slash does: each half cites its own link
        "http://example.test/other": "en",
        "http://xn--e1afmkfd.xn--p1ai/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F": "ru en",  # IDN and its punycode
    }
