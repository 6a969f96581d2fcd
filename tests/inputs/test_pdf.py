"""The PDF reader: text layer with page starts, link annotations, watermarks, and one-line refusals."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from linkaudit.inputs import InputError, collect_contained, read_bytes, read_file
from linkaudit.references import parse_document

from .pdfs import Line, PdfPage, build_pdf

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

REAL = SHARED / "corpus" / "real" / "pdf"
needs_corpus = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real-document corpus is absent ({REAL})")


def read(pages: list[PdfPage], name: str = "paper.pdf"):  # type: ignore[no-untyped-def]
    return read_bytes(build_pdf(pages), name, suffix=".pdf", path=None)


def test_pages_are_kept_and_each_note_knows_its_page() -> None:
    document = read(
        [
            PdfPage([Line("Body text of the paper.")]),
            PdfPage([Line("References"), Line("1. First source, http://example.org/one")]),
            PdfPage([Line("2. Second source, http://example.org/two")]),
        ]
    )
    assert document.reader == "pdf"
    assert len(document.pages) == 3
    assert document.text.count("\f") == 2
    parsed = parse_document(document)
    pages = {reference.number: reference.page for reference in parsed.references if reference.number}
    assert pages == {"1": 2, "2": 3}


def test_an_annotation_repairs_the_url_a_line_break_cut() -> None:
    document = read(
        [
            PdfPage(
                [
                    Line("References"),
                    Line("1. Figures. URL: http://example.org/stats/population", b"http://example.org/stats/population2012"),
                    Line("2012 (accessed 01.02.2020).", b"http://example.org/stats/population2012"),
                ]
            )
        ]
    )
    (reference,) = parse_document(document).references
    assert reference.urls == ("http://example.org/stats/population2012",)
    (found,) = reference.found
    assert "annotation" in [str(repair) for repair in found.repairs]


def test_a_link_over_a_word_in_a_note_is_a_cited_url_of_that_note() -> None:
    document = read(
        [PdfPage([Line("Literature"), Line("1. The committee report, on its site.", b"https://example.org/report")])]
    )
    (reference,) = parse_document(document).references
    assert reference.number == "1"
    assert reference.urls == ("https://example.org/report",)


def test_utf16_and_raw_utf8_targets_are_decoded() -> None:
    target = "https://example.org/статья"
    document = read(
        [
            PdfPage(
                [
                    Line("Notes"),
                    Line("1. One", target.encode("utf-16")),
                    Line("2. Two", target.encode("utf-8") + b"?x=1"),
                ]
            )
        ]
    )
    assert [link.target for link in document.links] == [target, target + "?x=1"]


def test_a_target_on_every_page_is_a_watermark_not_a_citation() -> None:
    stamp = b"https://download.example/list.htm"
    pages = [PdfPage([Line(f"Page {n} text", stamp)]) for n in range(1, 6)]
    pages[2] = PdfPage([Line("Notes", stamp), Line("1. Real, http://example.org/cited")])
    document = read(pages)
    assert document.links == ()
    assert any("watermark" in remark and "download.example" in remark for remark in document.remarks)
    urls = {url for reference in parse_document(document).references for url in reference.urls}
    assert urls == {"http://example.org/cited"}


def test_file_and_mail_targets_are_set_aside() -> None:
    document = read([PdfPage([Line("Notes"), Line("1. Share", b"file:///srv/share/doc.pdf"), Line("2. x", b"mailto:a@b.c")])])  # noqa: E501
    assert document.links == ()
    assert "2 link annotation(s)" in document.remarks[0]


def test_a_pdf_without_text_is_refused_as_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf([PdfPage([]), PdfPage([])]))
    with pytest.raises(InputError, match=r"scan\.pdf: no text layer \(a scanned PDF\?\)"):
        read_file(path, name="scan.pdf")


def test_a_broken_pdf_is_one_line_and_the_other_documents_go_on(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    good = tmp_path / "notes.txt"
    good.write_text("1. http://example.org/a\n", encoding="utf-8")
    collected = collect_contained([str(broken), str(good)])
    assert [document.name for document in collected.documents] == [str(good)]
    (problem,) = collected.problems
    assert problem.startswith(f"{broken}: not a readable PDF")
    assert "\n" not in problem


def test_a_pdf_named_txt_is_read_as_a_pdf_not_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "paper.txt"
    path.write_bytes(build_pdf([PdfPage([Line("Notes"), Line("1. http://example.org/in-pdf")])]))
    document = read_file(path)
    assert document.reader == "pdf"
    assert parse_document(document).references[0].urls == ("http://example.org/in-pdf",)


@needs_corpus
def test_real_thesis_reads_fast_with_its_hyperref_links() -> None:
    started = time.perf_counter()
    document = read_file(REAL / "ru-phd-thesis-spbu-2023-kostyukov.pdf")
    elapsed = time.perf_counter() - started
    print(f"110-page thesis read in {elapsed:.2f} s")
    assert len(document.pages) == 110
    targets = {link.target for link in document.links}
    assert len(targets) == 55  # SOURCES.md: 76 URI annotations, 55 distinct
    assert "https://github.com/Columpio/RInGen" in targets


@needs_corpus
def test_real_standard_watermark_is_set_aside() -> None:
    document = read_file(REAL / "ru-gost-r-7.0.5-2008.pdf")
    assert all("meganorm.ru" not in link.target for link in document.links)
    assert any("meganorm.ru" in remark for remark in document.remarks)


@needs_corpus
def test_real_guide_utf16_target_and_file_links() -> None:
    document = read_file(REAL / "ru-guide-narfu-sto-2018.pdf")
    assert all(link.target.startswith(("http://", "https://", "ftp://")) for link in document.links)
    assert all("\ufffd" not in link.target and not any("\u4e00" <= c <= "\u9fff" for c in link.target)
               for link in document.links)  # fmt: skip
    assert any("non-web targets" in remark for remark in document.remarks)


@needs_corpus
def test_real_vodnev_annotation_repairs_the_hyphen_broken_host() -> None:
    parsed = parse_document(read_file(REAL / "ru-journal-tvgu-law-2017-2-vodnev.pdf"))
    urls = {url for reference in parsed.references for url in reference.urls}
    assert "http://www.icj-cij.org/pcij/serie_AB/AB_53/01_Groenland_Oriental_Arret.pdf" in urls
    assert all(reference.page is not None for reference in parsed.references)


def test_two_links_in_one_note_where_one_target_extends_the_other_are_both_cited() -> None:
    # a journal's page on its name and its issue's page on the issue number (egir 2019-5, p. 61)
    document = read(
        [
            PdfPage(
                [
                    Line("LITERATURE"),
                    Line("1. Averina L. Title // Nauchnyi almanakh.", b"https://elibrary.ru/contents.asp?id=34476692"),
                    Line("2017. No 3-2 (29). P. 24-27.", b"https://elibrary.ru/contents.asp?id=34476692&selid=29113242"),
                ]
            )
        ]
    )
    (reference,) = parse_document(document).references
    assert reference.urls == (
        "https://elibrary.ru/contents.asp?id=34476692",
        "https://elibrary.ru/contents.asp?id=34476692&selid=29113242",
    )


def test_a_comma_the_authoring_tool_took_into_the_target_is_dropped() -> None:
    document = read(
        [
            PdfPage(
                [
                    Line("References"),
                    Line("1. Mode of access: http://example.org/news/298671/, free.", b"http://example.org/news/298671/,"),
                ]
            )
        ]
    )
    (reference,) = parse_document(document).references
    assert reference.urls == ("http://example.org/news/298671/",)
    assert all("annotation" not in [str(r) for r in found.repairs] for found in reference.found)


@needs_corpus
def test_real_guide_targets_with_a_trailing_comma_give_the_url_the_text_shows() -> None:
    parsed = parse_document(read_file(REAL / "ru-guide-narfu-sto-2018.pdf"))
    urls = {url for reference in parsed.references for url in reference.urls}
    assert "http://narfu.ru/life/news/university/298671/" in urls
    assert not any(url.endswith(",") for url in urls)


@needs_corpus
def test_real_journal_links_on_a_journal_name_and_its_issue_are_both_cited() -> None:
    parsed = parse_document(read_file(REAL / "ru-journal-egir-2019-5.pdf"))
    urls = {url for reference in parsed.references for url in reference.urls}
    assert {"https://elibrary.ru/contents.asp?id=34476692",
            "https://elibrary.ru/contents.asp?id=34476692&selid=29113242"} <= urls  # fmt: skip


def test_an_encrypted_pdf_is_one_line_and_the_other_documents_are_read(tmp_path: Path) -> None:
    from linkaudit.audit import load_documents

    from .pdfs import encrypt

    locked = tmp_path / "locked.pdf"
    locked.write_bytes(encrypt(build_pdf([PdfPage([Line("Notes"), Line("1. http://example.org/secret")])])))
    good = tmp_path / "open.pdf"
    good.write_bytes(build_pdf([PdfPage([Line("Notes"), Line("1. http://example.org/open")])]))
    notes = tmp_path / "notes.txt"
    notes.write_text("1. http://example.org/text\n", encoding="utf-8")
    message = f"{locked}: encrypted PDF (it needs a password to open); decrypt it first"
    with pytest.raises(InputError) as raised:
        read_file(locked)
    assert str(raised.value) == message
    problems: list[str] = []
    parsed = load_documents([str(locked), str(good), str(notes)], problems=problems)
    assert problems == [message]
    urls = [url for item in parsed for reference in item.references for url in reference.urls]
    assert urls == ["http://example.org/open", "http://example.org/text"]
    with pytest.raises(InputError, match="^" + re.escape(message) + "$"):
        load_documents([str(locked)])  # nothing at all could be read: the one line, raised


def _body(words: str, count: int) -> list[Line]:
    """``count`` full-width body lines (Helvetica 11 fills the measure with about 95 characters)."""
    return [Line(f"{words} line {n} " + "x" * 80) for n in range(count)]


def test_paragraphs_get_blank_lines_from_gaps_and_indents_and_footnotes_become_numbered_notes() -> None:
    lines = [
        *_body("First paragraph", 3),
        Line("ends short here."),
        Line("Second paragraph opens indented and cites http://example.org/body-one in its text", indent=24),
        *_body("Second paragraph", 2),
        Line("A block after a gap, citing http://example.org/body-two", gap=20),
        Line("https://example.org/first-note", size=9, mark="1", gap=40, step=12),  # superscript 1, glued
    ]
    lines.append(Line("Second note text, see http://example.org/second-note", size=9, mark="2", step=12))
    lines.append(Line("continued on its next line (accessed 2020).", size=9, step=12))
    lines.append(Line("3 Next note, its number printed plain, http://example.org/third-note", size=9, step=12))
    document = read([PdfPage(lines), PdfPage([Line("Page two body text, without notes.")])])
    page_one = document.text[: document.pages[1]]
    paragraphs = [block for block in page_one.split("\n\n") if block.strip()]
    assert paragraphs[0].startswith("First paragraph line 0") and paragraphs[0].rstrip().endswith("ends short here.")
    assert paragraphs[1].startswith("Second paragraph opens indented")
    assert paragraphs[2].startswith("A block after a gap")
    assert "[^1]: https://example.org/first-note\n[^2]: Second note text" in page_one
    assert "1https" not in page_one
    parsed = parse_document(document)
    notes = {reference.number: reference for reference in parsed.references if reference.number}
    assert notes["1"].urls == ("https://example.org/first-note",)
    assert notes["2"].urls == ("http://example.org/second-note",)
    assert "continued on its next line" in notes["2"].text
    assert notes["3"].urls == ("http://example.org/third-note",)  # a plain number that is the next one
    assert all(reference.page == 1 for reference in notes.values())
    bodies = [reference for reference in parsed.references if not reference.number]
    assert [reference.urls for reference in bodies] == [("http://example.org/body-one",), ("http://example.org/body-two",)]
    assert not any(finding.kind.value == "glued_urls" for finding in parsed.findings)


def test_a_plain_number_in_small_print_under_the_body_is_not_taken_for_a_footnote_without_a_mark() -> None:
    # small print under the body that does not open with a note number (a figure's source line) is left alone
    lines = [*_body("Body", 4), Line("Source: http://example.org/figure-source, 2019.", size=9, gap=30)]
    document = read([PdfPage(lines)])
    assert "[^" not in document.text
    # nor are figures in small print under it (a number with no words after it opens no note)
    figures = [*_body("Body", 4), Line("1 0", size=9, gap=30), Line("2 5", size=9)]
    assert "[^" not in read([PdfPage(figures)]).text


@needs_corpus
def test_real_thesis_footnotes_are_numbered_notes_with_their_page() -> None:
    parsed = parse_document(read_file(REAL / "ru-phd-thesis-spbu-2023-kostyukov.pdf"))
    on_76 = {reference.number: reference.urls for reference in parsed.references if reference.page == 76}
    assert on_76["3"] == ("https://github.com/vprover/vampire/issues/348#issuecomment-1091782513",)
    assert on_76["6"] == ("https://github.com/Columpio/RInGen/releases/tag/chccomp22",)
    assert not any(finding.kind.value == "glued_urls" for finding in parsed.findings)
    urls = {url for reference in parsed.references for url in reference.urls}
    assert not any(url.endswith(("benchmarks9", "chccomp227")) for url in urls)


@needs_corpus
def test_real_journal_footnotes_end_the_body_paragraph() -> None:
    document = read_file(REAL / "ru-journal-tvgu-law-2017-2-vodnev.pdf")
    page_two = document.text[document.pages[1] : document.pages[2]]
    assert "[^2]: Black’s Law Dictionary" in page_two and "[^4]: PCIJ. 1933." in page_two
    page_one = document.text[: document.pages[1]]  # its running title is printed after its footnote
    assert "[^1]: Словарь международного права" in page_one
    parsed = parse_document(document)
    (note,) = [r for r in parsed.references if r.number == "4" and r.page == 2]
    assert note.urls == ("http://www.icj-cij.org/pcij/serie_AB/AB_53/01_Groenland_Oriental_Arret.pdf",)


@needs_corpus
def test_real_journal_footnotes_and_bibliography_are_not_a_drift() -> None:
    parsed = parse_document(read_file(REAL / "ru-journal-tvgu-law-2017-2-vodnev.pdf"))
    assert not [f for f in parsed.findings if f.kind.value == "lists_disagree"]


def test_a_hanging_indent_list_keeps_a_note_whole_when_its_url_moved_to_the_next_line() -> None:
    lines = [
        Line("Literature"),
        Line("1. Ivanov I. A long title of a report on the customs union and its border trade, " + "y" * 10),
        Line("[Electronic resource].", indent=18),  # ends short: the URL did not fit
        Line("URL: http://example.org/reports/customs-union-border-trade.pdf", indent=18),
        Line("(accessed 01.02.2020).", indent=18),
        Line("2. Petrov P. Another source, http://example.org/second"),
    ]
    parsed = parse_document(read([PdfPage(lines)]))
    notes = {reference.number: reference.urls for reference in parsed.references if reference.number}
    assert notes == {
        "1": ("http://example.org/reports/customs-union-border-trade.pdf",),
        "2": ("http://example.org/second",),
    }


def test_a_running_title_printed_after_the_footnotes_is_neither_a_footnote_nor_in_one() -> None:
    lines = [
        *_body("Body", 4),
        Line("Dictionary of law, Moscow, 2014, http://example.org/dictionary", size=9, mark="1", gap=40, step=12),
        Line("Journal of Law. 2017. No 2. P. 70-80.", size=8, gap=-140),  # drawn last, at the top of the page
    ]
    document = read([PdfPage(lines), PdfPage([Line("Next page.")])])
    assert "[^1]: Dictionary of law" in document.text
    parsed = parse_document(document)
    (note,) = [reference for reference in parsed.references if reference.number]
    assert note.urls == ("http://example.org/dictionary",)
    assert "Journal of Law" not in note.text


def test_footnotes_that_come_first_in_reading_order_are_found_too() -> None:
    lines = [
        Line("Dictionary of law, Moscow, 2014, http://example.org/dictionary", size=9, mark="1", gap=140, step=12),
        Line("Body line drawn above it, after it in reading order " + "x" * 40, gap=-170),
        *_body("Body", 3),
    ]
    document = read([PdfPage(lines)])
    assert document.text.startswith("\n[^1]: Dictionary of law")
    parsed = parse_document(document)
    (note,) = [reference for reference in parsed.references if reference.number]
    assert note.urls == ("http://example.org/dictionary",)
    assert "Body line" not in note.text
