"""OpenDocument text (.odt): content.xml's paragraphs, lists, tables and notes, with every ``text:a`` link.

A ``text:note`` is written where it is cited as ``[^N]`` (N its own citation, as printed) and its body goes to a
notes list at the end, as for Word footnotes. Numbered lists are numbered in the text as they are printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ..models import Document
from .errors import InputError
from .office import TextWriter, clean_text, open_zip, parse_xml, read_part

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
_INLINE = {TEXT + name for name in ("span", "meta", "ruby", "ruby-base", "bookmark-ref", "reference-ref")}


def read_odt(data: bytes, name: str, path: str | None) -> Document:
    archive = open_zip(data, name, "ODT")
    with archive:
        content = read_part(archive, "content.xml", name, "ODT")
        if content is None:
            raise InputError(f"{name}: a zip file without content.xml, not an OpenDocument text")
        root = parse_xml(content, name, "content.xml")
    state = _State(TextWriter(), _numbered_styles(root))
    text_body = root.find(f"{_OFFICE}body/{_OFFICE}text")
    if text_body is not None:
        _blocks(text_body, state, "")
    writer = state.writer
    for note_class, heading in (("footnote", "Footnotes"), ("endnote", "Endnotes")):
        notes = [(label, body) for kind, label, body in state.notes if kind == note_class]
        if not notes:
            continue
        writer.notes_heading(heading)
        for label, body in notes:
            writer.write(f"[^{label}]: ")
            for paragraph in body.iter(TEXT + "p", TEXT + "h"):
                _inline(paragraph, state)
                writer.write(" ")
            writer.end_paragraph()
    return writer.document(name, path, "odt")


@dataclass
class _State:
    writer: TextWriter
    numbered: set[str]
    notes: list[tuple[str, str, etree._Element]] = field(default_factory=list)


def _numbered_styles(root: etree._Element) -> set[str]:
    """List styles whose first level is numbered (not bulleted)."""
    names: set[str] = set()
    for style in root.iter(TEXT + "list-style"):
        first = next(iter(style), None)
        if first is not None and first.tag == TEXT + "list-level-style-number":
            names.add(str(style.get(_STYLE + "name", "")))
    return names


def _blocks(container: etree._Element, state: _State, style: str) -> None:
    for child in container:
        tag = child.tag
        if tag in (TEXT + "p", TEXT + "h"):
            _inline(child, state)
            state.writer.end_paragraph()
        elif tag == TEXT + "list":
            _list(child, state, str(child.get(TEXT + "style-name", style)))
        elif tag in (TEXT + "section", _TABLE + "table", _TABLE + "table-row", _TABLE + "table-cell",
                     _TABLE + "table-rows", _TABLE + "table-header-rows", TEXT + "list-item"):  # fmt: skip
            _blocks(child, state, style)


def _list(element: etree._Element, state: _State, style: str) -> None:
    number = 0
    numbered = style in state.numbered
    for item in element:
        if item.tag not in (TEXT + "list-item", TEXT + "list-header"):
            continue
        number = int(str(item.get(TEXT + "start-value", number + 1)).strip() or number + 1)
        first = True
        for child in item:
            if child.tag in (TEXT + "p", TEXT + "h"):
                if first:
                    state.writer.write(f"{number}. " if numbered else "- ")
                    first = False
                _inline(child, state)
                state.writer.end_paragraph()
            elif child.tag == TEXT + "list":
                _list(child, state, str(child.get(TEXT + "style-name", style)))


def _inline(element: etree._Element, state: _State) -> None:
    writer = state.writer
    writer.write(clean_text(element.text or ""))
    for child in element:
        tag = child.tag
        if tag == TEXT + "a":
            opened = writer.position()
            _inline(child, state)
            target = str(child.get(_XLINK, ""))
            if target and not target.startswith("#"):
                writer.link(target, opened, "odt-link")
        elif tag in _INLINE:
            _inline(child, state)
        elif tag == TEXT + "s":
            writer.write(" " * min(int(str(child.get(TEXT + "c", "1")) or 1), 1000))
        elif tag == TEXT + "tab":
            writer.write("\t")
        elif tag == TEXT + "line-break":
            writer.write("\n")
        elif tag == TEXT + "note":
            citation = child.find(TEXT + "note-citation")
            label = "".join(citation.itertext()).strip() if citation is not None else ""
            label = label or str(len(state.notes) + 1)
            body = child.find(TEXT + "note-body")
            if body is not None:
                state.notes.append((str(child.get(TEXT + "note-class", "footnote")), label, body))
            writer.write(f"[^{label}]")
        writer.write(clean_text(child.tail or ""))
