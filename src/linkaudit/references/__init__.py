"""The references stage: a document's notes (and paragraphs that cite URLs) as references, with findings.

Layout (notes.py) -> URLs (urls.py) -> language halves (halves.py) -> names, Ibid. and list pairing ->
findings (findings.py, notes.py). The stage never prints and never touches the network: it reads text only.

The package loads its modules as they are asked for: ``parse_document`` (``document.py``) brings the whole stage,
while the checker, which only needs ``urls``, does not load the note, half and date readers with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .document import encoding_references, parse_document

__all__ = ["encoding_references", "parse_document"]


def __getattr__(name: str) -> object:
    """``parse_document`` and ``encoding_references``, loaded with ``document.py`` on first use (PEP 562)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(".document", __name__), name)
    globals()[name] = value
    return value
