"""Structured bibliographies: BibTeX/BibLaTeX (.bib), CSL-JSON (.json) and RIS (.ris), one entry per reference.

An entry's URLs come from its fields (``url``, ``doi`` as ``https://doi.org/<DOI>``, arXiv/PubMed/handle
``eprint``, ``\\url{}``/``\\href{}`` and bare URLs inside ``howpublished``/``note``), its cited date from
``urldate``/``accessed``/``Y2``, its publication date from ``date``/``year``, its language from ``langid``.

BibTeX is scanned here, entry by entry, rather than with bibtexparser 1.x: measured on the corpus, bibtexparser
took 5.7 s for a 710 KB file and silently dropped 7 of the 116 entries of another. Each entry is parsed on its
own (linear, braces counted), so a malformed one is one remark and the rest are read. LaTeX accents are undone
with bibtexparser's ``latex_to_unicode``. RIS goes through rispy, record by record for the same containment.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..models import BibEntry, Document, DocumentKind
from .errors import InputError

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_RIS_START = re.compile(r"^TY  - ", re.MULTILINE)
_WEB_START = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)
# Printed fields that may carry a URL in prose; annotation/annote are not printed by biblatex's standard styles
# (Wiley's export puts its PDF link there as ``\_eprint: …``), abstracts and file paths are not citations.
_NOTE_FIELDS = ("howpublished", "note", "addendum")
_NOT_PRINTED = frozenset({"url", "doi", "eprint", "annotation", "annote", "abstract", "file", "keywords",
                          "mendeley-tags", "pdf", "local-url"})
_FIELD_NAME = re.compile(r"([A-Za-z0-9_\-:.+]+)\s*=\s*")
_BARE_WORD = re.compile(r"[A-Za-z0-9_\-:.+/]+")  # a number or a @string macro's name
_URL_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")
_ESCAPED = re.compile(r"\\([_%&#$~{}])")
_COMMAND_WITH_ARGUMENT = re.compile(
    r"\\(?:textit|textbf|emph|textsc|texttt|textrm|mbox|textup|textsf|url|uppercase)\s*\{"
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
# A doi field that is not DOI syntax (CiteSeerX's ``10.1.1.413.6512``) is still what the entry cites: the
# resolver will say whether it knows it.
_DOI_LIKE = re.compile(r"10\.[0-9.]+[0-9]\Z")
_ARXIV = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)$", re.IGNORECASE)
_LANGUAGES = {
    "russian": "ru", "english": "en", "american": "en", "british": "en", "ukrainian": "uk", "belarusian": "be",
    "kazakh": "kk", "uzbek": "uz", "kyrgyz": "ky", "tajik": "tg", "german": "de", "ngerman": "de",
    "french": "fr", "spanish": "es", "italian": "it", "polish": "pl", "czech": "cs", "chinese": "zh",
    "japanese": "ja", "portuguese": "pt", "dutch": "nl", "turkish": "tr", "latin": "la",
}  # fmt: skip
MAX_FIELD = 100_000  # characters of one field value; longer is a broken entry, not a citation


@dataclass(frozen=True)
class _Fields:
    key: str
    kind: str
    fields: dict[str, str]
    line: int


def looks_like(head: str) -> str | None:
    """The bibliography format text starting with ``head`` is in, if it clearly is one."""
    if re.match(r"(?:%[^\n]*\n\s*)*@\s*[A-Za-z]+\s*[{(]", head):
        return "bibtex"
    if re.match(r"TY  - [A-Z]", head):
        return "ris"
    if head.startswith(("[", "{")) and re.search(r'"(?:id|type|title|URL|DOI|issued)"\s*:', head[:2000]):
        return "csl-json"
    return None


def read_bibliography(text: str, encoding: str, name: str, path: str | None, reader: str) -> Document:
    remarks: list[str] = []
    if reader == "bibtex":
        raw = list(_bibtex(text, name, remarks))
        entries_fields = [_from_bibtex(item, name, remarks) for item in raw]
    elif reader == "ris":
        entries_fields = list(_ris(text, name, remarks))
    else:
        entries_fields = list(_csl(text, name))
    if not entries_fields and remarks:
        raise InputError(f"{name}: {remarks[0]}")
    return _document(entries_fields, encoding, name, path, reader, remarks)


@dataclass(frozen=True)
class _Parsed:
    key: str
    line: int
    authors: str | None
    title: str | None
    outlet: str | None
    date: str | None
    accessed: str | None
    lang: str | None
    urls: tuple[str, ...]


def _document(
    parsed: list[_Parsed], encoding: str, name: str, path: str | None, reader: str, remarks: list[str]
) -> Document:
    from ..references.halves import language_of

    pieces: list[str] = []
    entries: list[BibEntry] = []
    offset = 0
    for item in parsed:
        text = _rendered(item)
        lang = item.lang or language_of(" ".join(filter(None, (item.title, item.authors, item.outlet))) or "x")
        entries.append(
            BibEntry(
                key=item.key,
                text=text,
                start=offset,
                line=item.line,
                urls=item.urls,
                lang=lang if lang != "und" else "en",
                authors=item.authors,
                title=item.title,
                outlet=item.outlet,
                date=item.date,
                accessed=item.accessed,
            )
        )
        pieces.append(text + "\n\n")
        offset += len(text) + 2
    return Document(
        name=name,
        kind=DocumentKind.TEXT,
        text="".join(pieces),
        encoding=encoding,
        path=path,
        reader=reader,
        entries=tuple(entries),
        remarks=tuple(remarks),
    )


def _rendered(item: _Parsed) -> str:
    """The entry as one reference line: ``[key] Authors. Title. Outlet. Date. URL: … (accessed …)``."""
    parts = [f"[{item.key}]"]
    parts += [f"{value.rstrip('.')}." for value in (item.authors, item.title, item.outlet, item.date) if value]
    parts += [f"URL: {url}" for url in item.urls]
    if item.accessed:
        parts.append(f"(accessed {item.accessed})")
    return " ".join(parts)


# --- BibTeX -------------------------------------------------------------------------------------------------


def _bibtex(text: str, name: str, remarks: list[str]) -> Iterator[_Fields]:
    macros: dict[str, str] = dict(_MONTHS)
    starts = [(match.start(), match.group(1).lower()) for match in _ENTRY_START.finditer(text)]
    line_of = _line_counter(text)
    for index, (start, kind) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        if kind in ("comment", "preamble"):
            continue
        try:
            key, fields = _entry(chunk, macros)
        except ValueError as problem:
            remarks.append(f"the @{kind} entry on line {line_of(start)} is malformed ({problem}); skipped")
            continue
        if kind == "string":
            macros.update(fields)
            continue
        if not key:
            remarks.append(f"the @{kind} entry on line {line_of(start)} has no citation key; skipped")
            continue
        yield _Fields(key, kind, fields, line_of(start))


def _line_counter(text: str) -> Callable[[int], int]:
    """The line number of an offset in ``text`` (1-based), by bisection over its line breaks."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    return lambda offset: bisect_left(newlines, offset) + 1


def _entry(chunk: str, macros: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The key and the fields of one ``@type{key, name = value, …}``; ValueError for a malformed one."""
    opening = chunk.index("{") if "{" in chunk[: chunk.find("(") if "(" in chunk else len(chunk)] else chunk.index("(")
    closer = "}" if chunk[opening] == "{" else ")"
    position = opening + 1
    fields: dict[str, str] = {}
    key = ""
    head = re.match(r"\s*([^\s,={}()\"#]+)\s*,", chunk[position:])
    if head and "=" not in head.group(1):
        key = head.group(1)
        position += head.end()
    length = len(chunk)
    while True:
        position = _skip(chunk, position, " \t\r\n,")
        if position >= length:
            raise ValueError(f"no closing {closer!r}")
        if chunk[position] == closer:
            return key, fields
        match = _FIELD_NAME.match(chunk, position)
        if match is None:
            raise ValueError(f"unexpected {chunk[position:position + 20].strip()!r}")
        field_name = match.group(1).lower()
        position = match.end()
        value, position = _value(chunk, position, macros)
        if len(value) > MAX_FIELD:
            raise ValueError(f"field {field_name} is {len(value)} characters long")
        fields[field_name] = value


def _value(chunk: str, position: int, macros: dict[str, str]) -> tuple[str, int]:
    parts: list[str] = []
    length = len(chunk)
    while True:
        position = _skip(chunk, position, " \t\r\n")
        if position >= length:
            raise ValueError("a field value is cut off")
        char = chunk[position]
        if char == "{":
            end = _balanced(chunk, position)
            parts.append(chunk[position + 1 : end])
            position = end + 1
        elif char == '"':
            end = position + 1
            depth = 0
            while end < length and (chunk[end] != '"' or depth > 0 or chunk[end - 1] == "\\"):
                depth += {"{": 1, "}": -1}.get(chunk[end], 0)
                end += 1
            if end >= length:
                raise ValueError("an unterminated quoted value")
            parts.append(chunk[position + 1 : end])
            position = end + 1
        else:
            match = _BARE_WORD.match(chunk, position)
            if match is None:
                raise ValueError(f"unexpected {chunk[position:position + 20].strip()!r}")
            word = match.group(0)
            parts.append(macros.get(word.lower(), word))
            position = match.end()
        position = _skip(chunk, position, " \t\r\n")
        if position < length and chunk[position] == "#":
            position += 1
            continue
        return "".join(parts), position


def _skip(chunk: str, position: int, blanks: str) -> int:
    """Past blanks and ``%`` comments (to the line's end) between fields, as biber reads them."""
    length = len(chunk)
    while position < length:
        if chunk[position] in blanks:
            position += 1
        elif chunk[position] == "%":
            end = chunk.find("\n", position)
            position = length if end < 0 else end + 1
        else:
            break
    return position


def _balanced(chunk: str, start: int) -> int:
    depth = 0
    for index in range(start, len(chunk)):
        char = chunk[index]
        if char == "\\":
            continue
        if char == "{" and chunk[index - 1] != "\\":
            depth += 1
        elif char == "}" and chunk[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced braces")


_MONTHS = {
    name: str(number)
    for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}


def latex_text(value: str) -> str:
    """A field value as a reader sees it: accents and escapes undone, font commands and braces dropped."""
    from bibtexparser.latexenc import latex_to_unicode

    text = value.replace("---", "—").replace("--", "–").replace("~", " ")
    text = _ESCAPED.sub(lambda match: {"~": "~"}.get(match.group(1), match.group(1)), text)
    text = _COMMAND_WITH_ARGUMENT.sub("{", text)
    text = latex_to_unicode(text)
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _latex_url(value: str) -> str:
    """A URL field as written: ``\\url{}`` unwrapped, ``\\_``/``\\%``/``\\&``/``\\#`` unescaped, blanks removed."""
    inner = _URL_COMMAND.search(value)
    text = inner.group(1) if inner else value
    text = _ESCAPED.sub(lambda match: match.group(1), text)
    return "".join(text.replace("{", "").replace("}", "").split())


def _from_bibtex(item: _Fields, name: str, remarks: list[str]) -> _Parsed:
    fields = item.fields
    urls: list[str] = []
    if fields.get("url"):
        in_field = _url_field(fields["url"])
        if not in_field:
            shown = " ".join(fields["url"].split())
            shown = shown if len(shown) <= 80 else shown[:77] + "…"
            remarks.append(f"the url field of {item.key} (line {item.line}) holds no web address "
                           f"({shown!r}); not checked")
        urls.extend(in_field)
    if fields.get("doi"):
        written = _latex_url(fields["doi"])
        doi_url = doi_link(written) or (f"https://doi.org/{written}" if _DOI_LIKE.match(written) else None)
        if doi_url:
            urls.append(doi_url)
    eprint = _eprint_link(fields)
    if eprint:
        urls.append(eprint)
    for field_name in _NOTE_FIELDS:
        if field_name in fields:
            urls.extend(_urls_in(fields[field_name]))
    for field_name, value in fields.items():
        if field_name not in _NOT_PRINTED and field_name not in _NOTE_FIELDS and "\\" in value:
            urls.extend(_latex_url(match.group(1)) for match in _URL_COMMAND.finditer(value))
    outlet = next((fields[f] for f in ("journaltitle", "journal", "booktitle", "publisher", "school",
                                        "institution", "organization") if fields.get(f)), None)  # fmt: skip
    lang = fields.get("langid") or fields.get("language") or fields.get("hyphenation")
    return _Parsed(
        key=item.key,
        line=item.line,
        authors=_authors(latex_text(fields["author"])) if fields.get("author") else None,
        title=latex_text(fields["title"]) if fields.get("title") else None,
        outlet=latex_text(outlet) if outlet else None,
        date=_date(fields.get("date") or _year_month(fields)),
        accessed=_date(fields.get("urldate") or fields.get("accessed") or fields.get("lastchecked")),
        lang=language_code(lang) if lang else None,
        urls=_unique(urls),
    )


def _year_month(fields: dict[str, str]) -> str | None:
    year = re.search(r"\d{4}", fields.get("year", ""))
    if year is None:
        return None
    month = fields.get("month", "").strip().lower()[:3]
    number = _MONTHS.get(month, month if month.isdigit() else "")
    return f"{year.group(0)}-{int(number):02d}" if number and 1 <= int(number) <= 12 else year.group(0)


def _url_field(value: str, *, latex: bool = True) -> list[str]:
    """The URLs a ``url`` field holds: one URL as written (blanks a line wrap left inside it removed), or,
    when the field holds more than that (several URLs, a reference manager's ``citeulike-article-id:…`` before
    it, a local file path after it), every web URL the references stage finds in it."""
    text = value.strip()
    if latex:
        inner = _URL_COMMAND.search(value)
        text = _ESCAPED.sub(lambda match: match.group(1), inner.group(1) if inner else value)
        text = text.replace("{", "").replace("}", "").strip()
    words = text.split()
    if not words:
        return []
    if _WEB_START.match(words[0]) and not _any_scheme(words[1:]):
        url = "".join(words)
        return [(doi_link(url) or url) if _is_resolver(url) else url]
    return _found_in(text)


def _any_scheme(words: list[str]) -> bool:
    """Whether a word after the first starts another address (``file:``, ``papers2:``, ``www.``)."""
    return any(re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:|www\.", word) for word in words)


def _found_in(text: str) -> list[str]:
    """The web URLs the references stage's URL finder reads in ``text`` (DOIs as ``https://doi.org/…``)."""
    from ..references.urls import find_urls

    return [found.url for found in find_urls(text) if _WEB_START.match(found.url)]


def _urls_in(value: str) -> list[str]:
    """``\\url{}``/``\\href{}`` targets in a field, and the URLs written bare in the rest of it."""
    found = [_latex_url(match.group(1)) for match in _URL_COMMAND.finditer(value)]
    rest = _URL_COMMAND.sub(" ", value)
    if "://" in rest or "www." in rest.lower() or "doi" in rest.lower():
        rest = _ESCAPED.sub(lambda match: match.group(1), rest).replace("{", "").replace("}", "")
        found += _found_in(rest)
    return [url for url in found if _WEB_START.match(url)]


def _eprint_link(fields: dict[str, str]) -> str | None:
    eprint = _latex_url(fields.get("eprint", ""))
    if not eprint:
        return None
    kind = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    if kind in ("arxiv", "") and _ARXIV.match(eprint):
        return f"https://arxiv.org/abs/{_ARXIV.match(eprint).group(1)}"  # type: ignore[union-attr]
    if kind in ("pubmed", "pmid") and eprint.isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{eprint}/"
    if kind in ("hdl", "handle"):
        return f"https://hdl.handle.net/{eprint}"
    if kind == "jstor" and eprint.isdigit():
        return f"https://www.jstor.org/stable/{eprint}"
    if re.match(r"https?://", eprint):
        return eprint
    return None


def doi_link(value: str) -> str | None:
    """``https://doi.org/<DOI>`` for a DOI field however written (the references stage's rule when it has
    one, else the DOI after any ``doi:`` or resolver prefix)."""
    from ..references.urls import canonical_doi

    link = canonical_doi(value)
    if link:
        return link
    match = _DOI.search(value)
    return f"https://doi.org/{match.group(0).rstrip('.,;')}" if match else None


def _is_resolver(url: str) -> bool:
    return re.match(r"(?:https?://)?(?:dx\.|www\.)?doi\.org/10\.", url, re.IGNORECASE) is not None


def language_code(value: str) -> str:
    word = latex_text(value).strip().lower()
    if word in _LANGUAGES:
        return _LANGUAGES[word]
    if len(word) in (2, 3) and word.isalpha():
        return word[:2]
    return _LANGUAGES.get(word.split()[0], "en") if word else "en"


def _authors(value: str) -> str:
    return ", ".join(part.strip() for part in re.split(r"\s+and\s+", value) if part.strip())


def _date(value: str | None) -> str | None:
    """An ISO date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) from ISO or ``dd.mm.yyyy`` (``dd.mm.yy``) text."""
    if not value:
        return None
    text = latex_text(value).strip()
    iso = re.match(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text)
    if iso:
        year, month, day = iso.group(1), iso.group(2), iso.group(3)
        if month and 1 <= int(month) <= 12:
            if day and 1 <= int(day) <= 31:
                return f"{year}-{int(month):02d}-{int(day):02d}"
            return f"{year}-{int(month):02d}"
        return year
    dotted = re.match(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})\b", text)
    if dotted:
        day_number, month_number, year_text = (int(dotted.group(1)), int(dotted.group(2)), dotted.group(3))
        year_number = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
        if 1 <= month_number <= 12 and 1 <= day_number <= 31:
            return f"{year_number}-{month_number:02d}-{day_number:02d}"
    year_only = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", text)
    return year_only.group(1) if year_only else None


def _unique(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(url for url in urls if url))


# --- CSL-JSON -----------------------------------------------------------------------------------------------


def _csl(text: str, name: str) -> Iterator[_Parsed]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON ({exc.msg} on line {exc.lineno})") from None
    items = data.get("items") if isinstance(data, dict) and "items" in data else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InputError(f"{name}: JSON, but not a CSL-JSON bibliography (a list of items)")
    if items and not any(key in item for item in items for key in ("title", "URL", "DOI", "type", "issued")):
        raise InputError(f"{name}: JSON, but not a CSL-JSON bibliography (its items have no title, URL or DOI)")
    positions = _json_lines(text)
    for number, item in enumerate(items, 1):
        key = str(item.get("id") or item.get("citation-key") or number)
        urls: list[str] = []
        if isinstance(item.get("URL"), str):
            urls.extend(_url_field(item["URL"], latex=False))
        if isinstance(item.get("DOI"), str):
            link = doi_link(item["DOI"])
            if link:
                urls.append(link)
        for field_name in ("note", "archive_location"):
            if isinstance(item.get(field_name), str):
                urls.extend(_urls_in(item[field_name]))
        language = item.get("language")
        yield _Parsed(
            key=key,
            line=positions.get(key, 1),
            authors=_csl_names(item.get("author")),
            title=_string(item.get("title")),
            outlet=_string(item.get("container-title") or item.get("publisher")),
            date=_csl_date(item.get("issued")),
            accessed=_csl_date(item.get("accessed")),
            lang=language_code(language) if isinstance(language, str) and language.strip() else None,
            urls=_unique(urls),
        )


def _json_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    line_of = _line_counter(text)
    for match in re.finditer(r'"id"\s*:\s*"?([^",}\s]+)', text):
        lines.setdefault(match.group(1), line_of(match.start()))
    return lines


def _string(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(str(value).split()) if value not in (None, "") else None


def _csl_names(value: object) -> str | None:
    if not isinstance(value, list):
        return None
    names = []
    for person in value:
        if isinstance(person, dict):
            literal = person.get("literal")
            name = literal or " ".join(str(person[k]) for k in ("given", "family") if person.get(k))
            if name:
                names.append(str(name))
    return ", ".join(names) or None


def _csl_date(value: object) -> str | None:
    if isinstance(value, str):
        return _date(value)
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(str(part)) for part in parts[0][:3]]
        except ValueError:
            return None
        return _date("-".join(f"{n:02d}" if i else str(n) for i, n in enumerate(numbers)))
    raw = value.get("raw") or value.get("literal")
    return _date(str(raw)) if raw else None


# --- RIS ----------------------------------------------------------------------------------------------------


def _ris(text: str, name: str, remarks: list[str]) -> Iterator[_Parsed]:
    import rispy

    text = text.replace("\r\n", "\n")
    starts = [match.start() for match in _RIS_START.finditer(text)]
    if not starts:
        raise InputError(f"{name}: no RIS records (no 'TY  - ' line)")
    line_of = _line_counter(text)
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        line = line_of(start)
        if not re.search(r"^ER  -", chunk, re.MULTILINE):
            chunk = chunk.rstrip("\n") + "\nER  - \n"
        try:
            records = rispy.loads(chunk)
        except Exception as exc:  # rispy raises plain IOError/ValueError/KeyError on malformed records
            remarks.append(f"the RIS record on line {line} is malformed ({exc}); skipped")
            continue
        for record in records:
            yield _from_ris(record, index + 1, line)


def _from_ris(record: dict[str, Any], number: int, line: int) -> _Parsed:
    urls: list[str] = []
    for url in record.get("urls", []) or []:
        urls.extend(str(url).split())
    for field_name in ("link_to_pdf", "file_attachments1"):
        urls.extend(str(url).strip() for url in record.get(field_name, []) or [] if re.match(r"https?://", str(url)))
    if record.get("doi"):
        link = doi_link(str(record["doi"]))
        if link:
            urls.append(link)
    authors = record.get("authors") or record.get("first_authors") or []
    title = record.get("title") or record.get("primary_title") or record.get("translated_title")
    outlet = record.get("secondary_title") or record.get("journal_name") or record.get("publisher")
    language = record.get("language")
    return _Parsed(
        key=str(record.get("id") or number),
        line=line,
        authors=", ".join(str(a) for a in authors) or None,
        title=_string(title),
        outlet=_string(outlet),
        date=_date(str(record.get("date") or record.get("year") or record.get("publication_year") or "")),
        accessed=_date(str(record.get("access_date") or "")),
        lang=language_code(str(language)) if language else None,
        urls=_unique(url for url in urls if _WEB_START.match(url)),
    )
