from __future__ import annotations

import io
from pathlib import Path

import pytest

from linkaudit.inputs import InputError, collect, decode_bytes, read_file
from linkaudit.models import DocumentKind

RUSSIAN = "Таможенный союз: за и против. Новости Атырау, 3 ноября 2012 года, http://bisnews.kz\n" * 3


@pytest.mark.parametrize("codec", ["utf-8", "cp1251", "koi8-r", "utf-8-sig", "cp866"])
def test_cyrillic_documents_are_read_in_their_real_encoding(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(RUSSIAN.encode(codec))
    document = read_file(path)
    assert document.text == RUSSIAN
    assert document.encoding.replace("-sig", "") in (codec.replace("-sig", ""), "utf-8")


def test_short_cp1251_line_is_not_mistaken_for_koi8(tmp_path: Path) -> None:
    line = "Страница не найдена"
    assert decode_bytes(line.encode("cp1251"), "x")[0] == line
    assert decode_bytes(line.encode("koi8-r"), "x")[0] == line


def test_kind_by_suffix_and_directories_are_walked_recursively(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("[x](http://example.org)", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p><a href='http://example.org'>x</a></p>", encoding="utf-8")
    (tmp_path / "sub" / "c.htm").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "sub" / "d.txt").write_text("http://example.org", encoding="utf-8")
    (tmp_path / "notes.bib").write_text("@misc{k, url = {http://example.org/bib}}", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "e.txt").write_text("http://example.org", encoding="utf-8")
    documents = collect([str(tmp_path)])
    kinds = {Path(d.name).name: d.kind for d in documents}
    assert kinds == {
        "a.md": DocumentKind.MARKDOWN,
        "b.html": DocumentKind.HTML,
        "c.htm": DocumentKind.HTML,
        "d.txt": DocumentKind.TEXT,
        "notes.bib": DocumentKind.TEXT,
    }
    assert {Path(d.name).name: d.reader for d in documents}["notes.bib"] == "bibtex"


def test_stdin_is_read_when_dash_is_given() -> None:
    (document,) = collect(["-"], stdin=io.BytesIO(RUSSIAN.encode("cp1251")))
    assert document.name == "<stdin>"
    assert document.path is None
    assert document.text == RUSSIAN


def test_html_text_file_is_treated_as_html(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("<!DOCTYPE html><html><body>hi</body></html>", encoding="utf-8")
    assert read_file(path).kind is DocumentKind.HTML


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02PK\x03\x04" * 100, "looks like a binary file"),
        (bytes(range(256)) * 10, "looks like a binary file"),
    ],
)
def test_binary_input_gets_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "paper.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_file(path, name="paper.txt")
    text = str(info.value)
    assert text.startswith("paper.txt: ")
    assert message in text
    assert "\n" not in text


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.txt: no such file or directory"):
        collect([str(tmp_path / "nope.txt")])
    with pytest.raises(InputError, match="no .txt, .md or .html files"):
        collect([str(tmp_path)])


def test_empty_file_is_an_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    document = read_file(path)
    assert document.text == ""


def test_invalid_utf8_falls_back_without_crashing(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("Известия http://izvestia.ru ".encode() + b"\xff\xfe\xfa broken " * 3)
    document = read_file(path)
    assert "http://izvestia.ru" in document.text


def test_a_few_broken_bytes_do_not_make_a_document_cyrillic() -> None:
    text, encoding = decode_bytes(b"Hello \xff\xfe\xfa broken, see http://example.org", "x")
    assert "я" not in text and "ю" not in text
    assert "http://example.org" in text
    mostly = "Таможенный союз, http://bisnews.kz ".encode() * 5 + b"\xff" + "конец".encode()
    text, encoding = decode_bytes(mostly, "x")
    assert encoding == "utf-8"
    assert text.startswith("Таможенный союз") and text.endswith("\ufffdконец")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(codec: str) -> None:
    assert decode_bytes(RUSSIAN.encode(codec), "x") == (RUSSIAN, codec)
