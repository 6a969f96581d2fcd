"""Score linkaudit's reading of the real corpus against the cited URLs a careful reader finds in each document.

    python tools/corpus_score.py [--verbose] [--shared DIR] [--kind KIND] [NAME ...]

For every list in tests/assets/corpus_expected/ (one per document of ../shared/corpus/real/,
../shared/corpus/bilingual/ and ../shared/corpus/pdf/, made by reading the documents with other tools, see its
README) this reads the document with linkaudit's own inputs and references stages (what
``audit.load_documents`` does) and ``links.collect_links`` (what ``linkaudit check`` would fetch), compares the
two sets of normalized URLs and prints, per document and per kind (PDF, DOCX, ODT, BibTeX, bilingual text,
Markdown), found / expected, recall, right / returned, precision, and with --verbose every miss and every wrong
URL.

A returned link counts as right when its URL, or one of the readings it keeps for the check to decide between
(``Link.candidates``), is expected; the extra readings themselves (``Link.candidate_of``) are not counted as
returned. A document that cannot be read scores zero found and is named with the reader's one-line message.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = ROOT / "tests" / "assets" / "corpus_expected"
SHARED = ROOT.parent / "shared"
SUBDIRS = (
    "corpus/real/pdf",
    "corpus/real/docx",
    "corpus/real/other",
    "corpus/real/bib",
    "corpus/bilingual",
    "corpus/pdf",
)
KINDS = ("PDF", "DOCX", "ODT", "BibTeX", "bilingual text", "Markdown")
_KIND_OF_SUFFIX = {
    ".pdf": "PDF",
    ".docx": "DOCX",
    ".odt": "ODT",
    ".bib": "BibTeX",
    ".txt": "bilingual text",
    ".md": "Markdown",
}
_DOI_HOSTS = ("doi.org", "dx.doi.org", "www.doi.org")


def kind_of(name: str) -> str:
    return _KIND_OF_SUFFIX.get(Path(name).suffix.lower(), "other")


def key(url: str) -> str:
    """The comparable form: linkaudit's url_key, and a DOI link as its case-folded, percent-decoded DOI."""
    from linkaudit.references.urls import url_key

    text = url.strip()
    parts = urlsplit(text) if "://" in text else None
    if parts is not None and parts.scheme.lower() in ("http", "https") and parts.hostname in _DOI_HOSTS:
        doi = unquote(parts.path.lstrip("/"))
        if parts.query:
            doi += "?" + unquote(parts.query)
        if doi.lower().startswith("10."):
            return "doi:" + doi.lower()
    return url_key(text)


@dataclass(frozen=True)
class Expected:
    """One document's expected list: each entry a set of acceptable spellings; optional URLs count either way."""

    document: str
    entries: tuple[tuple[str, ...], ...]  # each entry: its alternatives as written
    optional: tuple[str, ...] = ()

    def entry_keys(self) -> list[frozenset[str]]:
        return [frozenset(key(url) for url in entry) for entry in self.entries]

    def optional_keys(self) -> frozenset[str]:
        return frozenset(key(url) for url in self.optional)


def parse_expected(text: str, document: str) -> Expected:
    entries: list[tuple[str, ...]] = []
    optional: list[str] = []
    for raw in text.splitlines():
        line = raw.split("  #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("? "):
            optional.extend(line[2:].split())
        else:
            entries.append(tuple(line.split()))
    return Expected(document, tuple(entries), tuple(optional))


def load_expected(directory: Path = EXPECTED_DIR) -> list[Expected]:
    return [
        parse_expected(path.read_text(encoding="utf-8"), path.name[: -len(".txt")])
        for path in sorted(directory.glob("*.txt"))
    ]


def document_path(name: str, shared: Path = SHARED) -> Path | None:
    for subdir in SUBDIRS:
        candidate = shared / subdir / name
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Returned:
    """What linkaudit returned for one document: each link's URL with its candidate readings, or why it failed."""

    links: tuple[tuple[str, tuple[str, ...]], ...] = ()
    error: str | None = None
    seconds: float = 0.0


def read_with_linkaudit(path: Path) -> Returned:
    """The links ``linkaudit check`` would fetch for this one document (contained: a failure is the result)."""
    # audit.load_documents is these two stages; importing them alone keeps the score free of the check stage
    from linkaudit.inputs import collect
    from linkaudit.links import collect_links
    from linkaudit.references import parse_document

    started = time.perf_counter()
    try:
        links = collect_links([parse_document(document) for document in collect([str(path)])])
    except Exception as error:  # one unreadable document is that document's score, never the end of the run
        message = " ".join(str(error).split()) or type(error).__name__
        return Returned(error=f"{type(error).__name__}: {message}", seconds=time.perf_counter() - started)
    kept = tuple(
        (link.url, tuple(getattr(link, "candidates", ()) or ()))
        for link in links
        if getattr(link, "candidate_of", None) is None
    )
    return Returned(links=kept, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class Score:
    document: str
    kind: str
    expected: int
    found: int
    returned: int  # returned links that count (optional ones left out)
    right: int
    misses: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    decided_by_check: int = 0  # expected URLs found only among a link's candidate readings
    error: str | None = None
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.returned if self.returned else (1.0 if self.error is None else 0.0)


def score(expected: Expected, returned: Returned) -> Score:
    entries = expected.entry_keys()
    optional = expected.optional_keys()
    every_expected = frozenset().union(*entries) if entries else frozenset()
    primary = {key(url) for url, _ in returned.links}
    readings = primary | {key(candidate) for _, candidates in returned.links for candidate in candidates}
    misses: list[str] = []
    found = decided = 0
    for entry, keys in zip(expected.entries, entries, strict=True):
        if keys & primary:
            found += 1
        elif keys & readings:
            found += 1
            decided += 1
        else:
            misses.append(entry[0])
    counted = right = 0
    wrong: list[str] = []
    for url, candidates in returned.links:
        readings_of_link = {key(url)} | {key(candidate) for candidate in candidates}
        if readings_of_link & every_expected:
            counted += 1
            right += 1
        elif readings_of_link & optional:
            continue
        else:
            counted += 1
            wrong.append(url if not candidates else f"{url} (candidates: {', '.join(candidates)})")
    return Score(
        document=expected.document,
        kind=kind_of(expected.document),
        expected=len(entries),
        found=found,
        returned=counted,
        right=right,
        misses=tuple(misses),
        wrong=tuple(wrong),
        decided_by_check=decided,
        error=returned.error,
        seconds=returned.seconds,
    )


@dataclass
class Total:
    expected: int = 0
    found: int = 0
    returned: int = 0
    right: int = 0
    documents: list[str] = field(default_factory=list)

    def add(self, one: Score) -> None:
        self.expected += one.expected
        self.found += one.found
        self.returned += one.returned
        self.right += one.right
        self.documents.append(one.document)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.returned if self.returned else 0.0


def totals(scores: Iterable[Score]) -> dict[str, Total]:
    """Per kind, in KINDS order, and "all"."""
    by_kind: dict[str, Total] = {kind: Total() for kind in KINDS}
    overall = Total()
    for one in scores:
        by_kind.setdefault(one.kind, Total()).add(one)
        overall.add(one)
    result = {kind: total for kind, total in by_kind.items() if total.documents}
    result["all"] = overall
    return result


def run(names: Sequence[str] = (), *, kind: str | None = None, shared: Path = SHARED) -> list[Score]:
    scores: list[Score] = []
    for expected in load_expected():
        if names and expected.document not in names:
            continue
        if kind and kind_of(expected.document) != kind:
            continue
        path = document_path(expected.document, shared)
        returned = read_with_linkaudit(path) if path else Returned(error=f"not found under {shared}")
        scores.append(score(expected, returned))
    return scores


def _percent(value: float) -> str:
    return f"{100 * value:5.1f}%"


def render(scores: Sequence[Score], *, verbose: bool) -> str:
    lines = [f"{'document':<60} {'found':>9} {'recall':>7} {'right':>9} {'precision':>9} {'s':>5}"]
    for one in scores:
        lines.append(
            f"{one.document[:60]:<60} {one.found:>4}/{one.expected:<4} {_percent(one.recall)} "
            f"{one.right:>4}/{one.returned:<4} {_percent(one.precision):>9} {one.seconds:5.1f}"
        )
        if one.error:
            lines.append(f"    not read: {one.error}")
        if one.decided_by_check:
            lines.append(f"    {one.decided_by_check} found only among candidate readings (the check decides)")
        if verbose:
            lines.extend(f"    missed: {url}" for url in one.misses)
            lines.extend(f"    wrong:  {url}" for url in one.wrong)
    lines.append("")
    lines.append(f"{'kind':<16} {'docs':>4} {'found':>11} {'recall':>7} {'right':>11} {'precision':>9}")
    for name, total in totals(scores).items():
        lines.append(
            f"{name:<16} {len(total.documents):>4} {total.found:>5}/{total.expected:<5} {_percent(total.recall)} "
            f"{total.right:>5}/{total.returned:<5} {_percent(total.precision):>9}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="document file names (default: every expected list)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every missed and every wrong URL")
    parser.add_argument("--kind", choices=KINDS, help="only documents of this kind")
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"the shared folder (default {SHARED})")
    options = parser.parse_args(argv)
    if not (options.shared / "corpus").is_dir():
        print(f"corpus_score: no corpus under {options.shared}", file=sys.stderr)
        return 2
    scores = run(options.names, kind=options.kind, shared=options.shared)
    if not scores:
        print("corpus_score: no expected list matches", file=sys.stderr)
        return 2
    print(render(scores, verbose=options.verbose))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
