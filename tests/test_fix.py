"""fix writes each archived replacement after every occurrence of its URL, in the half's language, once."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from linkaudit.fix import apply_replacements, format_archived
from linkaudit.inputs import read_file
from linkaudit.models import Document, DocumentKind, Report, Snapshot
from linkaudit.references import parse_document


def snapshot(timestamp: str, original: str) -> Snapshot:
    url = f"https://web.archive.org/web/{timestamp}/{original}"
    return Snapshot(url=url, timestamp=timestamp, original=original, archive="wayback", verified=True)


BISNEWS = snapshot("20121104063012", "http://bisnews.kz/")
IZVESTIA = snapshot("20111004120000", "http://izvestia.ru/")
VECHER = snapshot("20110527000000", "http://vecher.kz/node/1259")
REPLACEMENTS = {
    "http://bisnews.kz": BISNEWS,
    "http://izvestia.ru": IZVESTIA,
    "http://vecher.kz/node/1259": VECHER,
}
RU_BISNEWS = f" [архивная копия от 4 ноября 2012: {BISNEWS.url}]"
EN_BISNEWS = f" [archived 4 November 2012: {BISNEWS.url}]"
RU_IZVESTIA = f" [архивная копия от 4 октября 2011: {IZVESTIA.url}]"
EN_IZVESTIA = f" [archived 4 October 2011: {IZVESTIA.url}]"
RU_VECHER = f" [архивная копия от 27 мая 2011: {VECHER.url}]"
EN_VECHER = f" [archived 27 May 2011: {VECHER.url}]"


def fixed(document: Document, replacements: dict[str, Snapshot]) -> str:
    return apply_replacements(document.text, parse_document(document), replacements)


def test_format_archived_in_each_language() -> None:
    assert format_archived(BISNEWS, "en") == "archived 4 November 2012"
    assert format_archived(BISNEWS, "ru") == "архивная копия от 4 ноября 2012"
    assert format_archived(BISNEWS, "kk") == "архивная копия от 4 ноября 2012"


def test_seed_notes_get_notes_in_the_style_of_each_half(seed_notes: Path) -> None:
    document = read_file(seed_notes)
    expected = document.text
    edits = [  # (URL, what follows it as written, note, occurrences in lists A and B); \s: NBSP too
        ("http://bisnews.kz", r"\s\(“Customs", RU_BISNEWS, 2),
        ("http://bisnews.kz", r"\)\.", EN_BISNEWS, 2),
        ("http://izvestia.ru", r"\s\(Vladimir", RU_IZVESTIA, 1),
        ("http://izvestia.ru", r"http://www", RU_IZVESTIA, 1),
        ("http://izvestia.ru", r"\sor", EN_IZVESTIA, 2),
        ("http://vecher.kz/node/1259", r"\s\(A\.", RU_VECHER, 1),
        ("http://vecher.kz/node/1259", r"\)\.", EN_VECHER, 1),
    ]
    for url, follows, note, count in edits:
        pattern = f"(?<=[\\s,]){re.escape(url)}(?={follows})"
        expected, made = re.subn(pattern, lambda match, note=note: match[0] + note, expected)
        assert made == count, (url, follows)
    result = fixed(document, REPLACEMENTS)
    assert result == expected
    assert re.search(r"2010,\shttp://vecher\.kz\)\.", result)  # the bare host is another URL: untouched


def test_fixing_twice_adds_nothing(seed_notes: Path) -> None:
    document = read_file(seed_notes)
    once = fixed(document, REPLACEMENTS)
    assert fixed(replace(document, text=once), REPLACEMENTS) == once
    newer = {url: replace(snap, timestamp="20130101000000") for url, snap in REPLACEMENTS.items()}
    assert fixed(replace(document, text=once), newer) == once


MARKDOWN = """# Литература

1. В. Юрицын, «Б. Султанов: Россия останется естественным партнером», [Zona.kz](http://zonakz.net/2010/10/13/sultanov), 13 октября 2010 года (V. Yuritsyn, “B. Sultanov: Russia will remain a natural partner”, 13 October, 2010, <http://zonakz.net/2010/10/13/sultanov>).
2. А. Грибанов, «Китайская головоломка», Вечерний Алматы, 26 мая 2011 года, http://vecher.kz/node/1259 (A. Gribanov, “The Chinese Puzzle”, Evening Almaty, 26 May, 2011, http://vecher.kz/node/1259).
"""  # noqa: E501


def test_markdown_gets_markdown_links_after_the_link() -> None:
    zona = snapshot("20101014080000", "http://zonakz.net/2010/10/13/sultanov")
    replacements = {"http://zonakz.net/2010/10/13/sultanov": zona, "http://vecher.kz/node/1259": VECHER}
    document = Document("notes.md", DocumentKind.MARKDOWN, MARKDOWN, "utf-8")
    result = fixed(document, replacements)
    expected = (
        MARKDOWN.replace(
            "sultanov), 13",
            f"sultanov) ([архивная копия от 14 октября 2010]({zona.url})), 13",
        )
        .replace("sultanov>)", f"sultanov> ([archived 14 October 2010]({zona.url})))")
        .replace("1259 (A.", f"1259 ([архивная копия от 27 мая 2011]({VECHER.url})) (A.")
        .replace("1259).", f"1259 ([archived 27 May 2011]({VECHER.url}))).")
    )
    assert result == expected
    assert fixed(replace(document, text=result), replacements) == result


def test_nothing_to_replace_leaves_the_text_alone(seed_notes: Path) -> None:
    document = read_file(seed_notes)
    assert fixed(document, {}) == document.text


def test_html_gets_a_link_after_each_anchor_in_both_halves() -> None:
    """An <a> writes its URL twice (href and text): both halves' anchors still get their own note."""
    anchor = '<a href="http://bisnews.kz">http://bisnews.kz</a>'
    html = (
        "<!DOCTYPE html><html><body><h2>Литература</h2><ol>\n"
        f"<li>«Таможенный Союз: за и против», Новости Атырау, 3 ноября 2012 года, {anchor} "
        f"(“Customs Union: pros and cons”, Weekly Atyrau, 3 November, 2012, {anchor}).</li>\n"
        "</ol></body></html>\n"
    )
    document = Document("refs.html", DocumentKind.HTML, html, "utf-8")
    result = fixed(document, REPLACEMENTS)
    ru = f' [<a href="{BISNEWS.url}">архивная копия от 4 ноября 2012</a>]'
    en = f' [<a href="{BISNEWS.url}">archived 4 November 2012</a>]'
    expected = html.replace(f"года, {anchor}", f"года, {anchor}{ru}")
    expected = expected.replace(f"2012, {anchor})", f"2012, {anchor}{en})")
    assert result == expected
    assert fixed(replace(document, text=result), REPLACEMENTS) == result


def test_reference_lists_of_two_formats_with_one_stem_get_two_names() -> None:
    from pathlib import Path

    from linkaudit.fix import reference_list_name

    names = {reference_list_name(Path("papers") / name) for name in ("paper.pdf", "paper.docx", "paper.bib")}
    assert names == {
        Path("papers/paper.pdf.references.fixed.txt"),
        Path("papers/paper.docx.references.fixed.txt"),
        Path("papers/paper.bib.references.fixed.txt"),
    }


# ------------------------------------------------------------------- an ambiguous URL: the reading to cite

AMBIGUOUS = (
    "Литература\n"
    "1. Иванов И. «Теория и практика управления» // Вестник. 2019. URL: http://teoria-\n"
    "practica.ru/articles/12 (дата обращения: 01.02.2020).\n"
)
KEPT = "http://teoria-practica.ru/articles/12"
DROPPED = "http://teoriapractica.ru/articles/12"


def _ambiguous_report(tmp_path: Path, answered: str | None, archived: str | None = None) -> tuple[Path, Report]:
    """The document, and a report as the audit makes it: each reading checked, the one that answered chosen."""
    from linkaudit.audit import load_documents
    from linkaudit.links import choose_candidates, collect_links
    from linkaudit.models import CheckResult, LinkReport
    from linkaudit.status import Status

    path = tmp_path / "notes.txt"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    parsed = load_documents([str(path)])
    links = collect_links(parsed)
    results = {
        link.normalized: CheckResult(
            url=link.url,
            normalized=link.normalized,
            status=Status.OK if link.url == answered else Status.DNS_ERROR,
            http_status=200 if link.url == answered else None,
        )
        for link in links
    }
    chosen, chosen_results = choose_candidates(links, results)
    items = []
    for link in chosen:
        result = chosen_results[link.normalized]
        capture = snapshot("20190301000000", archived) if archived and result.status.is_broken else None
        items.append(LinkReport(link=link, result=result, archive=capture))
    report = Report(
        generated_at="2026-12-01T00:00:00Z", tool_version="test", documents=(str(path),),
        references=parsed[0].references, links=tuple(items), findings=(),
    )  # fmt: skip
    return path, report


def test_the_reading_that_answered_is_cited(tmp_path: Path) -> None:
    from linkaudit.fix import cited_readings

    path, report = _ambiguous_report(tmp_path, answered=DROPPED)
    readings = cited_readings(report.links)
    assert readings == {KEPT: DROPPED}
    document = read_file(path)
    text = apply_replacements(document.text, parse_document(document), {}, readings)
    assert f"URL: {DROPPED} (дата обращения" in text and "teoria-\n" not in text
    assert text.replace(DROPPED, "") == AMBIGUOUS.replace("http://teoria-\npractica.ru/articles/12", "")


def test_the_first_reading_answering_changes_nothing(tmp_path: Path) -> None:
    from linkaudit.fix import cited_readings

    _, report = _ambiguous_report(tmp_path, answered=KEPT)
    assert cited_readings(report.links) == {}


def test_no_reading_answered_the_archived_reading_is_cited_with_its_copy(tmp_path: Path) -> None:
    from linkaudit.fix import cited_readings, fixed_reference_list

    path, report = _ambiguous_report(tmp_path, answered=None, archived=DROPPED)
    readings = cited_readings(report.links)
    assert readings == {KEPT: DROPPED}
    capture = snapshot("20190301000000", DROPPED)
    replacements = {KEPT: capture, DROPPED: capture}
    document = read_file(path)
    parsed = parse_document(document)
    text = apply_replacements(document.text, parsed, replacements, readings)
    assert f"URL: {DROPPED} [архивная копия от 1 марта 2019: {capture.url}] (дата" in text
    assert apply_replacements(text, parse_document(replace(document, text=text)), replacements, readings) == text
    listing = fixed_reference_list(parsed, replacements, readings)
    assert f"читается как {DROPPED} [архивная копия от 1 марта 2019: {capture.url}]" in listing


def test_fix_command_names_the_rewritten_reading(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from linkaudit.cli import main
    from linkaudit.report.json import render

    path, report = _ambiguous_report(tmp_path, answered=DROPPED)
    saved = tmp_path / "linkaudit.json"
    saved.write_text(render(report), encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", str(path), "--from-report", str(saved)])
    assert result.exit_code == 0, result.stderr
    assert f"linkaudit: {KEPT} is written as {DROPPED}" in result.stderr
    assert DROPPED in (tmp_path / "notes.fixed.txt").read_text(encoding="utf-8")
