"""Every repair reaches the editor: the HTML report and the Markdown report show, under each link, how the text
wrote it, what was repaired, and for an ambiguous spelling every reading checked with the one reported marked."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import replace
from pathlib import Path

import pytest

from linkaudit.audit import load_documents
from linkaudit.links import choose_candidates, collect_links
from linkaudit.models import CheckResult, LinkReport, Report
from linkaudit.report import html, markdown
from linkaudit.report.i18n import as_written
from linkaudit.status import Status

TEXT = (
    "Литература\n"
    "1. Иванов И. Теория и практика. URL: http://teoria-\n"
    "practica.ru/articles/12 (дата обращения: 01.02.2020).\n"
    "2. Smith J. Report. https:// www.python.org/about/ (accessed 2020).\n"
)
KEPT = "http://teoria-practica.ru/articles/12"
DROPPED = "http://teoriapractica.ru/articles/12"


def _report(tmp_path: Path, answered: str, lang: str = "en") -> Report:
    """The references parsed from real text, each reading 'checked' (``answered`` is the one that gives a page),
    and the reading chosen by links.choose_candidates as the audit does."""
    path = tmp_path / "notes.txt"
    path.write_text(TEXT, encoding="utf-8")
    parsed = load_documents([str(path)])
    links = collect_links(parsed)
    results = {}
    for link in links:
        ok = link.url == answered or not link.candidates
        results[link.normalized] = CheckResult(
            url=link.url,
            normalized=link.normalized,
            status=Status.OK if ok else Status.DNS_ERROR,
            http_status=200 if ok else None,
            detail="" if ok else f"host {link.host if link.url == KEPT else 'teoriapractica.ru'} does not resolve",
            checked_at="2024-03-01T10:00:00Z",
        )
    chosen, chosen_results = choose_candidates(links, results)
    return Report(
        generated_at="2024-03-01T10:00:00Z",
        tool_version="test",
        documents=(parsed[0].document.name,),
        references=parsed[0].references,
        links=tuple(LinkReport(link=link, result=chosen_results[link.normalized]) for link in chosen),
        findings=parsed[0].findings,
        lang=lang,
    )


def _text(page: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", "", body))


def test_html_shows_the_repair_what_the_text_said_and_the_readings(tmp_path: Path) -> None:
    page = html.render(_report(tmp_path, answered=KEPT))
    text = _text(page)
    said = "the text said http://teoria-⏎practica.ru/articles/12"
    assert f"repaired: rejoined over a line break, line-end hyphen kept — {said}" in text
    assert "repaired: blanks inside it removed — the text said https:// www.python.org/about/" in text
    readings = re.search(r'<div class="readings">(.*?)</div>', page, flags=re.S)
    assert readings is not None
    chosen = re.findall(r'<li class="reading-chosen">(.*?)</li>', readings[1])
    assert len(chosen) == 1 and KEPT in chosen[0] and DROPPED not in chosen[0]
    assert DROPPED in readings[1]  # the other reading is listed, not hidden
    assert "read as http://teoria-practica.ru/articles/12, the reading that answered" in text


def test_html_when_the_other_reading_answered(tmp_path: Path) -> None:
    page = html.render(_report(tmp_path, answered=DROPPED))
    text = _text(page)
    assert "line-end hyphen dropped — the text said http://teoria-⏎practica.ru/articles/12" in text
    assert "line-end hyphen kept" not in text
    chosen = re.findall(r'<li class="reading-chosen">(.*?)</li>', page, flags=re.S)
    assert len(chosen) == 1 and DROPPED in chosen[0]


def test_html_russian_view_of_repairs(tmp_path: Path) -> None:
    page = html.render(_report(tmp_path, answered=KEPT, lang="ru"))
    text = _text(page)
    assert "исправлен: склеен через перенос строки, дефис в конце строки сохранён — в тексте http://teoria-⏎" in text
    assert "проверены прочтения" in text and "прочтение в отчёте" in text
    assert "прочитан как http://teoria-practica.ru/articles/12 — это прочтение ответило" in text
    # the English forms ride along for the language switch
    assert 'data-en="rejoined over a line break, line-end hyphen kept"' in page


def test_repair_text_from_a_hostile_document_is_escaped(tmp_path: Path) -> None:
    report = _report(tmp_path, answered=KEPT)
    payload = 'http://a.kz/<img src=x onerror="window.__pwned=1">'
    first = report.links[0]
    hostile = replace(first, link=replace(first.link, repairs=(replace(first.link.repairs[0], raw=payload),)))
    page = html.render(replace(report, links=(hostile, *report.links[1:])))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in page
    assert as_written("http://a.kz/x\r\n   y") == "http://a.kz/x⏎y"
    assert len(as_written("http://a.kz/" + "x" * 1000)) == 300


@pytest.mark.parametrize(
    ("lang", "heading", "kept"),
    [
        ("en", "## Repaired URLs (2)", "line-end hyphen kept"),
        ("ru", "## Исправленные URL (2)", "дефис в конце строки сохранён"),
    ],
)
def test_markdown_lists_repairs_compactly(tmp_path: Path, lang: str, heading: str, kept: str) -> None:
    text = markdown.render(_report(tmp_path, answered=KEPT, lang=lang))
    assert heading in text
    section = text.split(heading, 1)[1]
    row = next(line for line in section.splitlines() if "teoria" in line and line.startswith("|"))
    assert kept in row
    assert "`http://teoria-⏎practica.ru/articles/12`" in row
    assert "✓ http://teoria-practica.ru/articles/12, http://teoriapractica.ru/articles/12" in row.replace("\\", "")
    assert row.count(" | ") == 3  # four cells: the raw text cannot break the table


def test_markdown_without_repairs_has_no_section(tmp_path: Path) -> None:
    report = _report(tmp_path, answered=KEPT)
    plain = tuple(replace(item, link=replace(item.link, repairs=(), candidates=())) for item in report.links)
    assert "Repaired URLs" not in markdown.render(replace(report, links=plain))
