"""The inputs read and parsed, each one contained: the inputs stage and then the references stage, for the command
line and the audit alike. No network, and none of the checker's libraries are loaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from .inputs import InputError, collect_contained
from .models import Document, ParsedDocument
from .references import parse_document
from .spill import kept


def load_documents(
    paths: Sequence[str], *, stdin: BinaryIO | None = None, problems: list[str] | None = None
) -> list[ParsedDocument]:
    """Read and parse the inputs: an input that cannot be read or parsed is one line appended to ``problems``
    (pass a list to hear of them) and the others are still read. Raises inputs.InputError, naming every
    problem, only when nothing at all could be read; no inputs at all is an empty list."""
    collected = collect_contained(paths, stdin=stdin)
    failed = list(collected.problems)
    parsed: list[ParsedDocument] = []
    for document in collected.documents:
        one = _parsed_contained(document, failed)
        if one is not None:
            parsed.append(one)
    if problems is not None:
        problems.extend(failed)
    if not parsed and failed:
        if len(failed) == 1:
            raise InputError(failed[0])
        raise InputError(f"none of the {len(failed)} inputs could be read: " + "; ".join(failed))
    return parsed


def _parsed_contained(document: Document, failed: list[str]) -> ParsedDocument | None:
    try:
        return kept(parse_document(document))
    except RecursionError:  # a parser limit on hostile input, contained per document
        failed.append(f"{document.name}: too deeply nested to read")
        return None
