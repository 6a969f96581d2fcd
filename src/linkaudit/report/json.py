"""The JSON report (schema ``linkaudit/1``): the machine-readable promise of DESIGN.md, and the way back in.

``to_dict`` writes every field of the Report so that ``from_dict`` can rebuild it exactly: shard jobs write
JSON, ``linkaudit merge`` reads it back and joins the shards into one report set.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import orjson

from ..models import (
    CheckResult,
    Finding,
    FindingKind,
    FoundUrl,
    Half,
    History,
    Link,
    LinkRepair,
    LinkReport,
    Reference,
    Repair,
    Report,
    RunSummary,
    Snapshot,
)
from ..spill import Joined, Spilled
from ..status import Status
from .base import ReportError
from .summary import is_suspect, summarize

SCHEMA = "linkaudit/1"
FILE_NAME = "linkaudit.json"

T = TypeVar("T")
STREAM_CHUNK = 64 * 1024  # characters handed to the file at a time by ``chunks``


class LazyList(list, Generic[T]):  # type: ignore[type-arg]
    """A list for ``json_chunks`` that converts its items only as they are written, so a report of 100,000 links
    is never a dict tree of 100,000 links in memory (the encoder iterates, never indexes). The converted items
    are plain JSON data (no lazy list inside them)."""

    def __init__(self, items: Sequence[T], convert: Callable[[T], Any]) -> None:
        super().__init__()
        self._items = items
        self._convert = convert

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[Any]:
        return (self._convert(item) for item in self._items)

    def encoded(self, depth: int) -> Iterator[str]:
        """The JSON of the items at ``depth`` as ``json_chunks`` writes them: each item's, or, for a spilled run
        of references whose JSON its workers made (``references_encoded``) at this depth, a chunk's items' at
        once, joined by the comma and indentation that separate them."""
        parts = self._items.parts if isinstance(self._items, Joined) else [self._items]
        for part in parts:
            made = None
            if self._convert is reference_to_dict and depth == _CHUNK_DEPTH and isinstance(part, Spilled):
                made = part.encoded(reference_chunk)
            if made is None:
                for item in part:
                    yield _encoded(self._convert(item), depth)
                continue
            for blob in made:
                yield zlib.decompress(blob).decode("utf-8", "surrogatepass")


def to_dict(report: Report, *, lazy: bool = False) -> dict[str, Any]:
    """The report as JSON data; ``lazy``: references and links converted as the encoder reaches them (for
    ``chunks``, not for code that indexes the lists)."""
    summary = summarize(report)
    return {
        "schema": SCHEMA,
        "tool_version": report.tool_version,
        "generated_at": report.generated_at,
        "lang": report.lang,
        "documents": list(report.documents),
        "summary": {
            "documents": summary.documents,
            "references": summary.references,
            "links": summary.links,
            "by_status": summary.status_counts(),
            "archived": summary.archived,
            "broken": summary.broken,
            "blocked": summary.blocked,
            "findings": summary.findings,
            "drift": summary.drift,
            "confirmed": summary.confirmed,
            "suspect": summary.suspect,
            "verdict": summary.verdict,
        },
        "references": LazyList(report.references, reference_to_dict)
        if lazy
        else [reference_to_dict(reference) for reference in report.references],
        "links": LazyList(report.links, _link_dict) if lazy else [_link_dict(item) for item in report.links],
        "findings": [finding_to_dict(finding) for finding in report.findings],
        "offline": report.offline,
        "shard": report.shard,
        "simulated": report.simulated,
        "archive_asked": report.archive_asked,
        "notes": list(report.notes),
        "trend": [
            {"run_id": run.run_id, "started_at": run.started_at, "links": run.links, "broken": run.broken}
            for run in report.trend
        ],
    }


def _half_dict(half: Half) -> dict[str, Any]:
    return {
        "lang": half.lang,
        "text": half.text,
        "authors": half.authors,
        "title": half.title,
        "outlet": half.outlet,
        "date": half.date,
        "urls": list(half.urls),
        "accessed": half.accessed,
    }


def reference_to_dict(reference: Reference) -> dict[str, Any]:
    return {
        "id": reference.id,
        "document": reference.document,
        "list": reference.list,
        "number": reference.number,
        "ibid_of": reference.ibid_of,
        "line": reference.line,
        "page": reference.page,
        "halves": [_half_dict(half) for half in reference.halves],
        "urls": list(reference.urls),
        "text": reference.text,
        "found": [
            {
                "url": found.url,
                "raw": found.raw,
                "start": found.start,
                "end": found.end,
                "repairs": [repair.value for repair in found.repairs],
                "candidates": list(found.candidates),
            }
            for found in reference.found
        ],
    }


def _archive_dict(snapshot: Snapshot | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {
        "url": snapshot.url,
        "timestamp": snapshot.timestamp,
        "verified": snapshot.verified,
        "distance_days": snapshot.distance_days,
        "archive": snapshot.archive,
        "original": snapshot.original,
        "detail": snapshot.detail,
        "raw_url": snapshot.raw_url,
    }


def _link_dict(item: LinkReport) -> dict[str, Any]:
    link, result, history = item.link, item.result, item.history
    return {
        "url": link.url,
        "normalized": link.normalized,
        "status": result.status.value,
        "http_status": result.http_status,
        "final_url": result.final_url,
        "redirects": list(result.redirects),
        "detail": result.detail,
        "title": result.title,
        "title_match": result.title_match,
        "attempts": result.attempts,
        "checked_at": result.checked_at,
        "cited_date": link.cited_date,
        "archive": _archive_dict(item.archive),
        "references": list(link.references),
        "first_broken_at": history.first_broken_at if history else None,
        "last_ok_at": history.last_ok_at if history else None,
        "broken_runs": history.broken_runs if history else 0,
        "confirmed": history.confirmed if history else False,
        "suspect": is_suspect(item),
        "saved": item.saved,
        "host": link.host,
        "cited_titles": list(link.cited_titles),
        "repairs": [{"kind": r.kind.value, "raw": r.raw, "url": r.url} for r in link.repairs],
        "candidates": list(link.candidates),
        "elapsed_ms": result.elapsed_ms,
        "from_cache": result.from_cache,
        "history": None if history is None else [list(check) for check in history.checks],
    }


_CHUNK_DEPTH = 2  # a report's references, and extract's: {"references": [{…}, …]}


def reference_chunk(references: list[Reference]) -> bytes:
    """The JSON of a chunk of references as ``LazyList.encoded`` reads it: each reference's as ``json_chunks``
    writes a list item at ``_CHUNK_DEPTH`` (``reference_to_dict``, indented), joined by the comma and indentation
    between two items; compressed UTF-8 (a lone surrogate kept as it is)."""
    compressor = zlib.compressobj(1)  # fed a reference at a time: the chunk's text is never held whole
    pieces = []
    for index, reference in enumerate(references):
        if index:
            pieces.append(compressor.compress(b",\n" + b"  " * _CHUNK_DEPTH))
        pieces.append(compressor.compress(_encoded_utf8(reference_to_dict(reference), _CHUNK_DEPTH)))
    pieces.append(compressor.flush())
    return b"".join(pieces)


@contextmanager
def references_encoded() -> Iterator[None]:
    """While inside, the documents parsed keep the JSON of a long list's references as its workers made it
    (``reference_chunk``): ``json_chunks`` then copies it, and does not read the references back."""
    from ..references import encoding_references

    with encoding_references(reference_chunk):
        yield


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "reference": finding.reference,
        "message": finding.message,
        "url": finding.url,
    }


def render(report: Report) -> str:
    return "".join(chunks(report))


def chunks(report: Report) -> Iterator[str]:
    """The same text as ``render``, in pieces of about ``STREAM_CHUNK`` characters, converted as written."""
    return json_chunks(to_dict(report, lazy=True))


def json_chunks(data: Any) -> Iterator[str]:
    """``json.dumps(data, ensure_ascii=False, indent=2)`` and a newline, in pieces of about ``STREAM_CHUNK``
    characters; the items of a ``LazyList`` in ``data`` are converted only as they are written.

    Each item is encoded by orjson (in C, 10-20 times faster than the standard library's indenting encoder,
    which is pure Python) and indented to its depth: the text is the same, byte for byte. A value orjson refuses
    (a lone surrogate, an integer beyond 64 bits) is encoded by the standard library instead."""
    pending: list[str] = []
    size = 0
    for piece in _pieces(data, 0):
        pending.append(piece)
        size += len(piece)
        if size >= STREAM_CHUNK:
            yield "".join(pending)
            pending, size = [], 0
    pending.append("\n")
    yield "".join(pending)


def _holds_lazy(value: Any) -> bool:
    if isinstance(value, LazyList):
        return True
    if isinstance(value, dict):
        return any(_holds_lazy(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_lazy(item) for item in value)
    return False


def _pieces(value: Any, depth: int) -> Iterator[str]:
    """The indented JSON of ``value`` at ``depth``, the containers that hold lazy lists written item by item."""
    if not _holds_lazy(value):
        yield _encoded(value, depth)
        return
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        opening = "{"
        for key, item in value.items():
            yield opening + inner + json.dumps(key, ensure_ascii=False) + ": "
            yield from _pieces(item, depth + 1)
            opening = ","
        yield "\n" + "  " * depth + "}"
        return
    # a lazy list's items are converted records, plain JSON data: each is encoded at once, not searched again
    opening, empty = "[", True
    if isinstance(value, LazyList):
        for text in value.encoded(depth + 1):
            yield opening + inner + text
            opening, empty = ",", False
    else:
        for item in value:
            yield opening + inner
            yield from _pieces(item, depth + 1)
            opening, empty = ",", False
    yield "[]" if empty else "\n" + "  " * depth + "]"


def _encoded(value: Any, depth: int) -> str:
    """``value`` as indented JSON, its lines after the first indented by ``depth`` more levels."""
    return _encoded_utf8(value, depth).decode("utf-8", "surrogatepass")


def _encoded_utf8(value: Any, depth: int) -> bytes:
    """``_encoded(value, depth)`` in UTF-8 (a lone surrogate kept as it is), made without a str in between: a line
    feed byte is only ever a line feed in UTF-8."""
    try:
        data = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except (TypeError, orjson.JSONEncodeError):
        data = json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8", "surrogatepass")
    return data.replace(b"\n", b"\n" + b"  " * depth) if depth else data


class JsonReporter:
    file_name = FILE_NAME
    encoding = "utf-8"

    def render(self, report: Report) -> str:
        return render(report)

    def chunks(self, report: Report) -> Iterator[str]:
        return chunks(report)


# Reading back -----------------------------------------------------------------------------------------------


def loads(text: str, *, source: str = "report") -> Report:
    """A Report from JSON text; ReportError when it is not JSON or not a linkaudit/1 report."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{source}: not JSON ({exc})") from exc
    return from_dict(data, source=source)


def from_dict(data: Any, *, source: str = "report") -> Report:
    """The Report that ``to_dict`` wrote (the summary is recomputed, never trusted)."""
    if not isinstance(data, Mapping):
        raise ReportError(f"{source}: a linkaudit report is a JSON object, not {type(data).__name__}")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise ReportError(f"{source}: schema is {schema!r}, expected {SCHEMA!r} (not a linkaudit report?)")
    try:
        return Report(
            generated_at=_text(data, "generated_at"),
            tool_version=_text(data, "tool_version"),
            lang=_optional_text(data, "lang") or "en",
            documents=tuple(_texts(data, "documents")),
            references=_each(data, "references", _reference),
            links=_each(data, "links", _link_report),
            findings=_each(data, "findings", _finding),
            trend=_each(data, "trend", _run),
            offline=bool(data.get("offline", False)),
            shard=_optional_text(data, "shard"),
            notes=tuple(_texts(data, "notes")),
            simulated=data.get("simulated") is True,
            archive_asked=data.get("archive_asked") is not False,  # absent in older reports: it was asked
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"{source}: malformed linkaudit/1 report: {exc}") from exc


def _each(data: Mapping[str, Any], key: str, build: Callable[[Mapping[str, Any]], T]) -> tuple[T, ...]:
    values = data.get(key) or []
    if not isinstance(values, list):
        raise TypeError(f"{key} must be a list")
    built: list[T] = []
    for index, value in enumerate(values):
        if not isinstance(value, Mapping):
            raise TypeError(f"{key}[{index}] must be an object")
        try:
            built.append(build(value))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{key}[{index}]: {exc}") from exc
    return tuple(built)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key} must be a string or null")
    return value


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{key} must be an integer or null")
    return value


def _texts(data: Mapping[str, Any], key: str) -> list[str]:
    values = data.get(key) or []
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise TypeError(f"{key} must be a list of strings")
    return values


def _half(data: Mapping[str, Any]) -> Half:
    return Half(
        lang=_text(data, "lang"),
        text=_text(data, "text"),
        authors=_optional_text(data, "authors"),
        title=_optional_text(data, "title"),
        outlet=_optional_text(data, "outlet"),
        date=_optional_text(data, "date"),
        urls=tuple(_texts(data, "urls")),
        accessed=_optional_text(data, "accessed"),
    )


def _found(data: Mapping[str, Any]) -> FoundUrl:
    return FoundUrl(
        url=_text(data, "url"),
        raw=_text(data, "raw"),
        start=int(data["start"]),
        end=int(data["end"]),
        repairs=tuple(Repair(value) for value in _texts(data, "repairs")),
        candidates=tuple(_texts(data, "candidates")),
    )


def _reference(data: Mapping[str, Any]) -> Reference:
    return Reference(
        id=_text(data, "id"),
        document=_text(data, "document"),
        text=_optional_text(data, "text") or "",
        line=_optional_int(data, "line") or 0,
        page=_optional_int(data, "page"),
        list=_optional_text(data, "list"),
        number=_optional_text(data, "number"),
        ibid_of=_optional_text(data, "ibid_of"),
        halves=_each(data, "halves", _half),
        urls=tuple(_texts(data, "urls")),
        found=_each(data, "found", _found),
    )


def _snapshot(data: Mapping[str, Any]) -> Snapshot:
    return Snapshot(
        url=_text(data, "url"),
        timestamp=_text(data, "timestamp"),
        original=_optional_text(data, "original") or "",
        archive=_optional_text(data, "archive") or "wayback",
        verified=bool(data.get("verified", False)),
        distance_days=_optional_int(data, "distance_days"),
        detail=_optional_text(data, "detail") or "",
        raw_url=_optional_text(data, "raw_url"),
    )


def _history(data: Mapping[str, Any]) -> History | None:
    checks = data.get("history")
    if checks is None:
        return None
    if not isinstance(checks, list) or not all(
        isinstance(check, list) and len(check) == 2 and all(isinstance(part, str) for part in check)
        for check in checks
    ):
        raise TypeError("history must be a list of [checked_at, status] pairs")
    return History(
        first_broken_at=_optional_text(data, "first_broken_at"),
        last_ok_at=_optional_text(data, "last_ok_at"),
        broken_runs=_optional_int(data, "broken_runs") or 0,
        confirmed=bool(data.get("confirmed", False)),
        checks=tuple((check[0], check[1]) for check in checks),
    )


def _link_report(data: Mapping[str, Any]) -> LinkReport:
    url = _text(data, "url")
    normalized = _text(data, "normalized")
    title_match = data.get("title_match")
    if title_match is not None and not isinstance(title_match, bool):
        raise TypeError("title_match must be true, false or null")
    link = Link(
        url=url,
        normalized=normalized,
        references=tuple(_texts(data, "references")),
        cited_date=_optional_text(data, "cited_date"),
        cited_titles=tuple(_texts(data, "cited_titles")),
        host=_optional_text(data, "host") or "",
        repairs=tuple(
            LinkRepair(Repair(_text(r, "kind")), _text(r, "raw"), _text(r, "url")) for r in data.get("repairs") or []
        ),
        candidates=tuple(_texts(data, "candidates")),
    )
    result = CheckResult(
        url=url,
        normalized=normalized,
        status=Status(_text(data, "status")),
        http_status=_optional_int(data, "http_status"),
        final_url=_optional_text(data, "final_url"),
        redirects=tuple(_texts(data, "redirects")),
        detail=_optional_text(data, "detail") or "",
        title=_optional_text(data, "title"),
        title_match=title_match,
        attempts=_optional_int(data, "attempts") or 0,
        checked_at=_optional_text(data, "checked_at") or "",
        elapsed_ms=_optional_int(data, "elapsed_ms"),
        from_cache=bool(data.get("from_cache", False)),
    )
    archive = data.get("archive")
    if archive is not None and not isinstance(archive, Mapping):
        raise TypeError("archive must be an object or null")
    return LinkReport(
        link=link,
        result=result,
        archive=_snapshot(archive) if archive is not None else None,
        history=_history(data),
        saved=_optional_text(data, "saved"),
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(
        kind=FindingKind(_text(data, "kind")),
        reference=_text(data, "reference"),
        message=_text(data, "message"),
        url=_optional_text(data, "url"),
    )


def _run(data: Mapping[str, Any]) -> RunSummary:
    return RunSummary(
        run_id=int(data["run_id"]),
        started_at=_text(data, "started_at"),
        links=int(data["links"]),
        broken=int(data["broken"]),
    )


# Merging shards ---------------------------------------------------------------------------------------------


def merge(reports: Sequence[Report]) -> Report:
    """One report from shard reports: the union of references, links (by normalized URL) and findings.

    Links come out in citation order (their first citing reference, then their place in it), so the merge of
    shards equals the report a single run over every host would have written. A link in two reports keeps
    its most recent check. Trend runs with the same id (one per shard job) are summed.
    """
    if not reports:
        raise ReportError("nothing to merge: no reports given")
    references = _unique(reference for report in reports for reference in report.references)
    references_by_id: dict[str, Reference] = {}
    for reference in references:
        references_by_id.setdefault(reference.id, reference)
    links: dict[str, LinkReport] = {}
    for report in reports:
        for item in report.links:
            known = links.get(item.link.normalized)
            if known is None or item.result.checked_at > known.result.checked_at:
                links[item.link.normalized] = item
    ordered_references = tuple(references_by_id.values())
    return Report(
        generated_at=max(report.generated_at for report in reports),
        tool_version=reports[0].tool_version,
        documents=_unique(document for report in reports for document in report.documents),
        references=ordered_references,
        links=_citation_order(list(links.values()), ordered_references),
        findings=_unique(finding for report in reports for finding in report.findings),
        trend=_merge_trend(reports),
        offline=any(report.offline for report in reports),
        lang=reports[0].lang,
        shard=_merged_shard(reports),
        notes=_unique(note for report in reports for note in report.notes),
        archive_asked=any(report.archive_asked for report in reports),
        simulated=all(report.simulated for report in reports),
    )


def _unique(values: Any) -> tuple[Any, ...]:
    seen: dict[Any, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return tuple(seen)


def _citation_order(items: list[LinkReport], references: Sequence[Reference]) -> tuple[LinkReport, ...]:
    position = {reference.id: index for index, reference in enumerate(references)}
    urls = {reference.id: reference.urls for reference in references}

    def key(item: LinkReport) -> tuple[int, int]:
        cited = [reference_id for reference_id in item.link.references if reference_id in position]
        if not cited:
            return (len(position), 0)
        first = min(cited, key=position.__getitem__)
        cited_urls = urls[first]
        place = cited_urls.index(item.link.url) if item.link.url in cited_urls else len(cited_urls)
        return (position[first], place)

    return tuple(sorted(items, key=key))


def _merge_trend(reports: Sequence[Report]) -> tuple[RunSummary, ...]:
    runs: dict[int, RunSummary] = {}
    for report in reports:
        for run in report.trend:
            known = runs.get(run.run_id)
            if known is None:
                runs[run.run_id] = run
            else:
                runs[run.run_id] = RunSummary(
                    run_id=run.run_id,
                    started_at=min(known.started_at, run.started_at),
                    links=known.links + run.links,
                    broken=known.broken + run.broken,
                )
    return tuple(sorted(runs.values(), key=lambda run: (run.started_at, run.run_id)))


def _merged_shard(reports: Sequence[Report]) -> str | None:
    """None when the shards cover the whole (1/N … N/N, or no shards at all), else the shards merged."""
    shards = [report.shard for report in reports if report.shard]
    if not shards:
        return None
    parsed: set[tuple[int, int]] = set()
    for shard in shards:
        k, _, n = shard.partition("/")
        if k.isdigit() and n.isdigit():
            parsed.add((int(k), int(n)))
    totals = {n for _, n in parsed}
    if len(parsed) == len(shards) and len(totals) == 1:
        total = totals.pop()
        if {k for k, _ in parsed} == set(range(1, total + 1)):
            return None
    return ",".join(sorted(set(shards)))
