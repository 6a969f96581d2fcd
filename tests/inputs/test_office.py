"""Word and OpenDocument readers: footnotes as notes, hyperlinks, field codes, runs joined, pictures left out."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from linkaudit.inputs import InputError, read_bytes, read_file
from linkaudit.models import FindingKind
from linkaudit.references import parse_document

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REAL = SHARED / "corpus" / "real"
needs_corpus = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real-document corpus is absent ({REAL})")

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'  # fmt: skip
RELS = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def docx(body: str, footnotes: str = "", rels: str = "", footnote_rels: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body></w:document>")
        archive.writestr("word/_rels/document.xml.rels", RELS.format(rels))
        if footnotes:
            archive.writestr(
                "word/footnotes.xml",
                f'<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>{footnotes}</w:footnotes>',  # noqa: E501
            )
            archive.writestr("word/_rels/footnotes.xml.rels", RELS.format(footnote_rels))
    return buffer.getvalue()


def rel(identifier: str, target: str, kind: str = HYPERLINK) -> str:
    return f'<Relationship Id="{identifier}" Type="{kind}" Target="{target}" TargetMode="External"/>'


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_footnotes_are_notes_numbered_as_printed_with_their_hyperlinks() -> None:
    body = p(r("Claim one"), '<w:r><w:footnoteReference w:id="7"/></w:r>', r(" and two"),
             '<w:r><w:footnoteReference w:id="3"/></w:r>')  # fmt: skip
    footnotes = (
        '<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r>'
        + r(" Second source, ")
        + '<w:hyperlink r:id="rId1">' + r("http://example.org/") + r("second") + "</w:hyperlink></w:p></w:footnote>"
        + '<w:footnote w:id="7"><w:p>' + r("First source, http://example.org/first") + "</w:p></w:footnote>"
    )
    document = read_bytes(docx(body, footnotes, footnote_rels=rel("rId1", "http://example.org/second")),
                          "paper.docx", suffix=".docx", path=None)  # fmt: skip
    assert document.reader == "docx"
    parsed = parse_document(document)
    notes = {reference.number: reference.urls for reference in parsed.references if reference.number}
    assert notes == {"1": ("http://example.org/first",), "2": ("http://example.org/second",)}
    assert not [f for f in parsed.findings if f.kind in (FindingKind.MARKER_WITHOUT_NOTE, FindingKind.NOTE_WITHOUT_MARKER)]  # noqa: E501


def test_field_codes_and_split_runs_but_not_pictures() -> None:
    body = (
        p(r("See "), '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
          '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/field" \\o "tip" </w:instrText></w:r>',  # noqa: E501
          '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r("the report"),
          '<w:r><w:fldChar w:fldCharType="end"/></w:r>', r("."))
        + p('<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
            '<w:r><w:instrText> INCLUDEPICTURE "https://images.example/pic.png" \\* MERGEFORMATINET </w:instrText></w:r>',  # noqa: E501
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
        + p('<w:fldSimple w:instr=" HYPERLINK &quot;https://example.org/simple&quot; ">', r("simple"), "</w:fldSimple>")
        + p(r("Split: https://exa"), r("mple.org/spl"), r("it/page"))
    )  # fmt: skip
    document = read_bytes(docx(body, rels=rel("rId9", "https://images.example/linked.png", "image")),
                          "paper.docx", suffix=".docx", path=None)  # fmt: skip
    urls = {url for reference in parse_document(document).references for url in reference.urls}
    assert urls == {"https://example.org/field", "https://example.org/simple", "https://example.org/split/page"}
    assert {link.source for link in document.links} == {"field-code"}


def test_a_link_whose_text_is_another_url_keeps_both_and_is_a_finding() -> None:
    body = p('<w:hyperlink r:id="rId1">', r("https://example.org/shown"), "</w:hyperlink>")
    document = read_bytes(docx(body, rels=rel("rId1", "https://example.org/target")), "a.docx", suffix=".docx", path=None)  # noqa: E501
    parsed = parse_document(document)
    (reference,) = parsed.references
    assert set(reference.urls) == {"https://example.org/shown", "https://example.org/target"}
    assert [finding.kind for finding in parsed.findings] == [FindingKind.LINK_TEXT_DIFFERS]


def test_a_docx_named_doc_is_read_and_a_real_word97_file_is_refused(tmp_path: Path) -> None:
    named = tmp_path / "paper.doc"
    named.write_bytes(docx(p(r("1. http://example.org/doc"))))
    assert read_file(named).reader == "docx"
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError, match="old.doc: "):
        read_file(old, name="old.doc")


def test_a_zip_that_is_not_a_document_is_one_line(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    path = tmp_path / "bad.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="bad.docx: a zip file without word/document.xml"):
        read_file(path, name="bad.docx")


def odt(content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f"<office:body><office:text>{content}</office:text></office:body></office:document-content>",
        )
    return buffer.getvalue()


def test_odt_links_and_notes() -> None:
    content = (
        '<text:p>Body<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        "<text:note-body><text:p>Source, <text:a xlink:href=\"http://example.org/odt\">here</text:a></text:p>"
        "</text:note-body></text:note> text.</text:p>"
    )
    document = read_bytes(odt(content), "report.odt", suffix=".odt", path=None)
    assert document.reader == "odt"
    notes = [reference for reference in parse_document(document).references if reference.number == "1"]
    assert [reference.urls for reference in notes] == [("http://example.org/odt",)]


@needs_corpus
def test_real_footnotes_docx_has_its_four_footnote_links() -> None:
    parsed = parse_document(read_file(REAL / "docx" / "ru-law-coursework-template-footnotes.docx"))
    footnote_urls = {url for reference in parsed.references if reference.list and reference.list != "A"
                     for url in reference.urls}  # fmt: skip
    assert "http://www.cdep.ru/index.php?id=79&item=5671" in footnote_urls


@needs_corpus
def test_real_docx_pictures_are_not_citations() -> None:
    parsed = parse_document(read_file(REAL / "docx" / "ru-vkr-college-kazan-2024.docx"))
    urls = {url for reference in parsed.references for url in reference.urls}
    assert not any("mobile.studbooks.net" in url or url.endswith(".png") for url in urls)  # 368 INCLUDEPICTUREs
    assert len(urls) >= 23


@needs_corpus
def test_real_kazakh_docx_link_text_differs() -> None:
    parsed = parse_document(read_file(REAL / "docx" / "kk-practice-report-2026.docx"))
    assert [finding.kind for finding in parsed.findings] == [FindingKind.LINK_TEXT_DIFFERS]


@needs_corpus
def test_real_odt_reads() -> None:
    parsed = parse_document(read_file(REAL / "other" / "ru-diploma-brsu-2022-report.odt"))
    urls = {url for reference in parsed.references for url in reference.urls}
    assert "https://habr.com/ru/post/155467" in urls
    assert len(urls) >= 14
