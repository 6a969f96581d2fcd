"""GitHub Actions output: workflow-command annotations on the cited lines, and the job's step summary.

Annotations put each broken citation next to the document line in the pull request view; the summary
shows the Markdown report on the run page. GitHub parses both from plain text, so every value is escaped.
"""

import hashlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..models import Finding, LinkReport, Reference, Report

# GitHub refuses a step summary over 1 MiB; beyond it the report artifact has the rest.
STEP_SUMMARY_LIMIT = 1024 * 1024
TRUNCATION_NOTE = "\n\n*The summary was cut at GitHub's size limit: the full report is in the artifact.*\n"


def escape_data(text: str) -> str:
    """Escapes the message part of a workflow command (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escapes a property value (``file=``, ``title=`` …), where ``:`` and ``,`` are separators."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, properties: Iterable[tuple[str, str]] = ()) -> str:
    """One workflow command line, e.g. ``::warning file=a.txt,line=3,title=…::message``."""
    listed = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{kind}{' ' + listed if listed else ''}::{escape_data(message)}"


@dataclass(frozen=True)
class Places:
    """Where the references that annotations point at stand, as much as the annotations need: each one's
    document and line, and the line of each URL in it that stands on another line. Kept instead of the
    References, which are far larger: a document's broken links may be tens of thousands."""

    references: dict[str, tuple[str, int]]  # reference id -> (its document, its first line)
    lines: dict[tuple[str, str], int]  # (reference id, URL) -> the URL's line, where it is not the reference's

    def location(self, reference_id: str, documents_root: Path | None, url: str | None) -> list[tuple[str, str]]:
        place = self.references.get(reference_id)
        if place is None:
            return []
        document, line = place
        if url is not None:
            line = self.lines.get((reference_id, url), line)
        return _location(document, line, documents_root)


def annotations(report: Report, documents_root: Path | None = None) -> list[str]:
    """Warning annotations for broken links (confirmed ones first) and reference findings, as a list (see
    ``iter_annotations``, which the command line writes as they come)."""
    return list(iter_annotations(report, documents_root))


def iter_annotations(report: Report, documents_root: Path | None = None) -> Iterator[str]:
    """Warning annotations for broken links (confirmed ones first) and reference findings, each line once.

    GitHub shows only the first few annotations of a step, so the surest rot comes first. The lines come one at
    a time from passes over ``report.links`` (the confirmed, then the other broken links): no list of the broken
    links or of the lines is held, only a 16-byte digest per line given, to give each line once.
    """
    wanted = {
        reference_id
        for item in report.links
        if item.result.status.is_broken
        for reference_id in item.link.references
    }
    wanted.update(finding.reference for finding in report.findings)
    places = places_of(report.references, wanted)
    del wanted
    given: set[bytes] = set()

    def first_time(line: str) -> bool:
        digest = hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if digest in given:
            return False
        given.add(digest)
        return True

    for confirmed_pass in (True, False):
        for item in report.links:
            if not item.result.status.is_broken:
                continue
            if bool(item.history is not None and item.history.confirmed) != confirmed_pass:
                continue
            for reference_id in item.link.references or ("",):
                line = _broken_link(item, reference_id, places, documents_root)
                if first_time(line):
                    yield line
    for finding in report.findings:
        line = _finding(finding, places, documents_root)
        if first_time(line):
            yield line


def places_of(references: Iterable[Reference], wanted: Collection[str]) -> Places:
    """The places of the references whose id is in ``wanted`` (the last one of an id, as a dict of them all
    would keep), read in one pass over ``references``."""
    places = Places({}, {})
    if not wanted:
        return places
    for reference in references:
        if reference.id not in wanted:
            continue
        places.references[reference.id] = (reference.document, reference.line)
        for url in dict.fromkeys(found.url for found in reference.found):
            line = line_of(reference, url)
            if line != reference.line:
                places.lines[reference.id, url] = line
    return places


def _broken_link(item: LinkReport, reference_id: str, places: Places, documents_root: Path | None) -> str:
    result = item.result
    confirmed = item.history is not None and item.history.confirmed
    title = f"{'Confirmed broken' if confirmed else 'Broken'} link ({result.status})"
    code = f" (HTTP {result.http_status})" if result.http_status is not None else ""
    parts = [f"{result.status}{code}: {item.link.url}"]
    if reference_id:
        parts.append(f"cited in {reference_id}")
    if result.detail:
        parts.append(result.detail)
    if item.history is not None and item.history.first_broken_at:
        parts.append(f"broken since {item.history.first_broken_at} ({item.history.broken_runs} runs)")
    if item.archive is not None:
        parts.append(f"archived copy: {item.archive.url}")
    message = " — ".join(parts)
    location = places.location(reference_id, documents_root, item.link.url)
    return command("warning", message, [*location, ("title", title)])


def _finding(finding: Finding, places: Places, documents_root: Path | None) -> str:
    message = f"{finding.message} ({finding.reference})"
    title = f"Reference problem ({finding.kind})"
    location = places.location(finding.reference, documents_root, finding.url)
    return command("warning", message, [*location, ("title", title)])


def _location(document: str, line: int, documents_root: Path | None) -> list[tuple[str, str]]:
    """``file`` (relative to ``documents_root`` when under it) and ``line`` of a reference or its URL."""
    if document.startswith("<"):
        return []
    path = PurePath(document)
    if documents_root is not None:
        absolute = Path(path) if path.is_absolute() else Path.cwd() / path
        try:
            path = absolute.resolve().relative_to(documents_root.resolve())
        except ValueError:
            pass
    return [("file", path.as_posix()), ("line", str(line))]


def line_of(reference: Reference, url: str | None) -> int:
    if url is None:
        return reference.line
    for found in reference.found:
        if found.url != url:
            continue
        if reference.text[found.start : found.end] == found.raw:  # offsets are within the reference text
            return reference.line + reference.text.count("\n", 0, found.start)
        break
    return reference.line


def append_step_summary(markdown: str, path: str) -> None:
    """Appends Markdown to the file named by ``GITHUB_STEP_SUMMARY``, cut to fit GitHub's limit."""
    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    room = STEP_SUMMARY_LIMIT - used
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    encoded = text.encode("utf-8")
    if len(encoded) > room:
        note = TRUNCATION_NOTE.encode("utf-8")
        keep = max(room - len(note), 0)
        text = encoded[:keep].decode("utf-8", "ignore") + (TRUNCATION_NOTE if room >= len(note) else "")
    with target.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
