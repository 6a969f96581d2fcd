"""Markdown (.md) through markdown-it-py: every link its parser sees (inline links, autolinks, reference-style
links, bare URLs through linkify) and every ``<a href>`` inside raw HTML blocks and inline HTML, located in the
source so the references stage gives each one to the note it sits in. The text itself stays the Markdown source
(fix writes Markdown back).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..models import Document, DocumentKind, Hyperlink

_WEB = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
MAX_MARKDOWN_CHARS = 20_000_000


def read_markdown(text: str, encoding: str, name: str, path: str | None) -> Document:
    links: list[Hyperlink] = []
    if len(text) <= MAX_MARKDOWN_CHARS:
        links = _links(text)
    return Document(
        name=name,
        kind=DocumentKind.MARKDOWN,
        text=text,
        encoding=encoding,
        path=path,
        reader="markdown",
        links=tuple(links),
    )


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False})


def _links(text: str) -> list[Hyperlink]:
    line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
    links: list[Hyperlink] = []
    cursor: dict[str, int] = {}
    for block in _parser().parse(text):
        if block.map is None:
            continue
        start = line_starts[min(block.map[0], len(line_starts) - 1)]
        end = line_starts[block.map[1]] if block.map[1] < len(line_starts) else len(text)
        if block.type == "html_block":
            links += _html_links(block.content, text, start, end, cursor)
        for child in block.children or []:
            links += _inline_links(child, block.children or [], text, start, end, cursor)
    links.sort(key=lambda link: link.start)
    return links


def _inline_links(
    token: Token, siblings: list[Token], text: str, start: int, end: int, cursor: dict[str, int]
) -> list[Hyperlink]:
    if token.type == "link_open":
        href = str(token.attrGet("href") or "")
        if _WEB.match(href):
            return [_located(href, "markdown-link", text, start, end, cursor, _label(token, siblings))]
    elif token.type == "html_inline":
        return _html_links(token.content, text, start, end, cursor)
    return []


def _label(opening: Token, siblings: list[Token]) -> str:
    inside = False
    words: list[str] = []
    for token in siblings:
        if token is opening:
            inside = True
            continue
        if inside:
            if token.type == "link_close":
                break
            words.append(token.content)
    return "".join(words)


def _html_links(markup: str, text: str, start: int, end: int, cursor: dict[str, int]) -> list[Hyperlink]:
    collector = _Anchors()
    collector.feed(markup)
    collector.close()
    return [
        _located(href, "html-link", text, start, end, cursor, label)
        for href, label in collector.anchors
        if _WEB.match(href)
    ]


def _located(
    href: str, source: str, text: str, start: int, end: int, cursor: dict[str, int], label: str
) -> Hyperlink:
    """The link at the first occurrence of its URL in its block not used by an earlier link."""
    position = text.find(href, max(start, cursor.get(href, start)), end)
    if position < 0:
        position = start
        finish = start
    else:
        finish = position + len(href)
        cursor[href] = finish
    return Hyperlink(href, position, finish, label or href, source)


class _Anchors(HTMLParser):
    """``<a href>`` targets of an HTML fragment with their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._href = href.strip()
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._href, " ".join("".join(self._open).split())))
            self._open = None

    def close(self) -> None:
        super().close()
        self.handle_endtag("a")  # inline HTML comes one tag at a time: ``<a href>`` without its ``</a>``
