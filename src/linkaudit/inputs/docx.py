"""Word (.docx): body, tables, footnotes and endnotes read from the XML parts, with every hyperlink kept.

Runs are concatenated as Word shows them, so a URL split over several runs is one URL again. Automatic list
numbers (numbering.xml, list styles) are written out, so a numbered reference list is numbered in the text.
Links come from ``w:hyperlink`` relationships, ``w:fldSimple`` and complex ``HYPERLINK`` field codes;
``INCLUDEPICTURE`` fields and linked images are pictures, not citations, and are never read as links.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ..models import Document
from .errors import InputError
from .office import TextWriter, clean_text, open_zip, parse_xml, read_part

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_HYPERLINK_TYPE = "/hyperlink"
_CONTAINERS = {W + name for name in ("ins", "smartTag", "customXml", "sdt", "sdtContent", "moveTo", "dir", "bdo")}
_SWITCH_WITH_VALUE = {"\\l", "\\o", "\\t", "\\m"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def read_docx(data: bytes, name: str, path: str | None) -> Document:
    archive = open_zip(data, name, "DOCX")
    with archive:
        main = read_part(archive, "word/document.xml", name, "DOCX")
        if main is None:
            if any(item.startswith("content.xml") for item in archive.namelist()):
                from .odt import read_odt

                return read_odt(data, name, path)
            raise InputError(f"{name}: a zip file without word/document.xml, not a Word document")
        root = parse_xml(main, name, "word/document.xml")
        numbering = _Numbering.read(archive, name)
        writer = TextWriter()
        state = _State(writer, _relationships(archive, "word/_rels/document.xml.rels", name), numbering)
        body = root.find(W + "body")
        if body is not None:
            _blocks(body, state)
        for kind, heading in (("footnote", "Footnotes"), ("endnote", "Endnotes")):
            _notes(archive, name, state, kind, heading)
    return writer.document(name, path, "docx")


@dataclass
class _Field:
    instruction: str = ""
    result: bool = False
    opened: tuple[int, int] = (0, 0)


@dataclass
class _State:
    writer: TextWriter
    rels: dict[str, str]
    numbering: _Numbering
    note_numbers: dict[str, dict[str, int]] = field(default_factory=lambda: {"footnote": {}, "endnote": {}})
    fields: list[_Field] = field(default_factory=list)

    def writing(self) -> bool:
        return all(frame.result for frame in self.fields)


def _relationships(archive: zipfile.ZipFile, part: str, name: str) -> dict[str, str]:
    """External hyperlink relationships of a part: id -> target (images and other types left out)."""
    data = read_part(archive, part, name, "DOCX")
    if data is None:
        return {}
    root = parse_xml(data, name, part)
    targets: dict[str, str] = {}
    for rel in root.iter(_PR + "Relationship"):
        if str(rel.get("Type", "")).endswith(_HYPERLINK_TYPE) and rel.get("TargetMode") == "External":
            targets[str(rel.get("Id"))] = str(rel.get("Target", ""))
    return targets


def _blocks(container: etree._Element, state: _State) -> None:
    for child in container:
        tag = child.tag
        if tag == W + "p":
            _paragraph(child, state)
        elif tag == W + "tbl":
            for cell in child.iter(W + "tc"):
                _blocks(cell, state)
        elif tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins"):
            _blocks(child, state)


def _paragraph(paragraph: etree._Element, state: _State) -> None:
    label = state.numbering.label(paragraph)
    if label:
        state.writer.write(label + " ")
    _inline(paragraph, state)
    state.writer.end_paragraph()


def _inline(element: etree._Element, state: _State) -> None:
    writer = state.writer
    for child in element:
        tag = child.tag
        if tag == W + "r":
            _run(child, state)
        elif tag == W + "hyperlink":
            opened = writer.position()
            _inline(child, state)
            target = state.rels.get(str(child.get(_R + "id")))
            if target:
                writer.link(target, opened, "docx-hyperlink")
        elif tag == W + "fldSimple":
            opened = writer.position()
            _inline(child, state)
            target = hyperlink_target(str(child.get(W + "instr", "")))
            if target:
                writer.link(target, opened, "field-code")
        elif tag in _CONTAINERS:
            _inline(child, state)


def _run(run: etree._Element, state: _State) -> None:
    writer = state.writer
    for child in run:
        tag = child.tag
        if tag == W + "fldChar":
            _field_char(str(child.get(W + "fldCharType", "")), state)
        elif tag == W + "instrText":
            if state.fields and not state.fields[-1].result:
                state.fields[-1].instruction += child.text or ""
        elif not state.writing():
            continue
        elif tag == W + "t":
            writer.write(clean_text(child.text or ""))
        elif tag == W + "tab":
            writer.write("\t")
        elif tag in (W + "br", W + "cr"):
            writer.write("\n")
        elif tag == W + "noBreakHyphen":
            writer.write("-")
        elif tag in (W + "footnoteReference", W + "endnoteReference"):
            kind = "footnote" if tag == W + "footnoteReference" else "endnote"
            numbers = state.note_numbers[kind]
            identifier = str(child.get(W + "id"))
            number = numbers.setdefault(identifier, len(numbers) + 1)
            writer.write(f"[^{number}]")


def _field_char(kind: str, state: _State) -> None:
    writer = state.writer
    if kind == "begin":
        state.fields.append(_Field())
    elif kind == "separate" and state.fields:
        state.fields[-1].result = True
        state.fields[-1].opened = writer.position()
    elif kind == "end" and state.fields:
        frame = state.fields.pop()
        target = hyperlink_target(frame.instruction)
        if target and frame.result:
            writer.link(target, frame.opened, "field-code")


def hyperlink_target(instruction: str) -> str | None:
    """The external URL of a ``HYPERLINK "…" \\o "tip"`` field instruction (None for ``\\l`` bookmarks and
    every other field, INCLUDEPICTURE among them)."""
    tokens = [
        match.group(1) if match.group(1) is not None else match.group(2) for match in _TOKEN.finditer(instruction)
    ]
    if not tokens or tokens[0].upper() != "HYPERLINK":
        return None
    skip = False
    for token in tokens[1:]:
        if skip:
            skip = False
            continue
        if token.startswith("\\"):
            skip = token.lower() in _SWITCH_WITH_VALUE
            continue
        return token.strip() or None
    return None


def _notes(archive: zipfile.ZipFile, name: str, state: _State, kind: str, heading: str) -> None:
    """The footnotes (or endnotes) as a notes list, numbered in the order the body refers to them."""
    numbers = state.note_numbers[kind]
    if not numbers:
        return
    part = f"word/{kind}s.xml"
    data = read_part(archive, part, name, "DOCX")
    if data is None:
        return
    root = parse_xml(data, name, part)
    bodies = {str(note.get(W + "id")): note for note in root.iter(W + kind) if note.get(W + "type") is None}
    writer = state.writer
    writer.notes_heading(heading)
    state.rels = _relationships(archive, f"word/_rels/{kind}s.xml.rels", name)
    state.fields = []
    for identifier, number in sorted(numbers.items(), key=lambda item: item[1]):
        note = bodies.get(identifier)
        if note is None:
            continue
        writer.write(f"[^{number}]: ")
        for paragraph in note.iter(W + "p"):
            _inline(paragraph, state)
            writer.write(" ")
        writer.end_paragraph()


@dataclass
class _Level:
    fmt: str
    text: str
    start: int


@dataclass
class _Numbering:
    """Automatic list numbers: numbering.xml's levels, list styles, and a counter per list and level."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> ilvl -> level
    styles: dict[str, tuple[str, int]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, archive: zipfile.ZipFile, name: str) -> _Numbering:
        numbering = cls()
        data = read_part(archive, "word/numbering.xml", name, "DOCX")
        if data is not None:
            root = parse_xml(data, name, "word/numbering.xml")
            abstract: dict[str, dict[int, _Level]] = {}
            for item in root.iter(W + "abstractNum"):
                levels: dict[int, _Level] = {}
                for level in item.iter(W + "lvl"):
                    levels[_int(level.get(W + "ilvl"), 0)] = _Level(
                        _val(level, "numFmt", "decimal"), _val(level, "lvlText", ""), _int(_val(level, "start", "1"), 1)
                    )
                abstract[str(item.get(W + "abstractNumId"))] = levels
            for num in root.iter(W + "num"):
                ref = num.find(W + "abstractNumId")
                if ref is not None:
                    numbering.levels[str(num.get(W + "numId"))] = abstract.get(str(ref.get(W + "val")), {})
        styles = read_part(archive, "word/styles.xml", name, "DOCX")
        if styles is not None:
            for style in parse_xml(styles, name, "word/styles.xml").iter(W + "style"):
                num_pr = style.find(f"{W}pPr/{W}numPr")
                if num_pr is not None:
                    num_id = num_pr.find(W + "numId")
                    if num_id is not None:
                        level = num_pr.find(W + "ilvl")
                        numbering.styles[str(style.get(W + "styleId"))] = (
                            str(num_id.get(W + "val")),
                            _int(level.get(W + "val") if level is not None else None, 0),
                        )
        return numbering

    def label(self, paragraph: etree._Element) -> str:
        """The number Word shows before the paragraph ("12.", "a)", "-"), or "" when it has none."""
        properties = paragraph.find(W + "pPr")
        if properties is None:
            return ""
        num_pr = properties.find(W + "numPr")
        num_id: str | None = None
        level = 0
        if num_pr is not None:
            found = num_pr.find(W + "numId")
            found_level = num_pr.find(W + "ilvl")
            num_id = str(found.get(W + "val")) if found is not None else None
            level = _int(found_level.get(W + "val") if found_level is not None else None, 0)
        else:
            style = properties.find(W + "pStyle")
            if style is not None and str(style.get(W + "val")) in self.styles:
                num_id, level = self.styles[str(style.get(W + "val"))]
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        definition = levels.get(level)
        if definition is None:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 10)
        level = min(level, 9)
        if counters[level] == 0:
            counters[level] = definition.start
        else:
            counters[level] += 1
        for deeper in range(level + 1, 10):
            counters[deeper] = 0
        if definition.fmt in ("bullet", "none"):
            return "-" if definition.fmt == "bullet" else ""
        text = definition.text or f"%{level + 1}."
        for index in range(9):
            placeholder = f"%{index + 1}"
            if placeholder in text:
                value = counters[index] or levels.get(index, definition).start
                text = text.replace(placeholder, _formatted(value, levels.get(index, definition).fmt))
        return text.strip()


def _formatted(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = ""
        for amount, symbol in _ROMAN:
            while value >= amount:
                roman += symbol
                value -= amount
        return roman.upper() if fmt == "upperRoman" else roman
    return str(value)


def _val(element: etree._Element, child: str, default: str) -> str:
    found = element.find(W + child)
    return str(found.get(W + "val", default)) if found is not None else default


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default
