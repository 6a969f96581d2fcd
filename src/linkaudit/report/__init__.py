"""Reports: one module per format, chosen through the ReportFormat enum, written atomically.

Each file is first written beside its target and then moved over it, so an interrupted or failed run never
leaves half a report where a good one was.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import Report
from .base import Reporter, ReportError

if TYPE_CHECKING:
    from .json import from_dict, loads, merge, to_dict
    from .summary import Summary, summarize

# Loaded on first use (PEP 562): the JSON reporter and the summary bring the references package with them,
# which a command reading its options (``--format``) or its documents does not need yet.
_LAZY = {
    "from_dict": "json",
    "loads": "json",
    "merge": "json",
    "to_dict": "json",
    "Summary": "summary",
    "summarize": "summary",
}

__all__ = [
    "ReportError",
    "ReportFormat",
    "Reporter",
    "Summary",
    "encoded",
    "from_dict",
    "loads",
    "merge",
    "parse_formats",
    "summarize",
    "to_dict",
    "write_reports",
]


class ReportFormat(str, Enum):
    HTML = "html"
    JSON = "json"
    MD = "md"
    CSV = "csv"

    def __str__(self) -> str:
        return self.value

    def reporter(self) -> Reporter:
        if self is ReportFormat.HTML:
            from .html import HtmlReporter  # jinja2 is slow to import: only when an HTML report is written

            return HtmlReporter()
        if self is ReportFormat.JSON:
            from .json import JsonReporter

            return JsonReporter()
        if self is ReportFormat.MD:
            from .markdown import MarkdownReporter  # with the report translations: only when written

            return MarkdownReporter()
        if self is ReportFormat.CSV:
            from .csv import CsvReporter

            return CsvReporter()
        raise AssertionError(f"no reporter for {self!r}")  # pragma: no cover - the enum test guards this


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


_ALIASES = {"markdown": ReportFormat.MD, "htm": ReportFormat.HTML}


def parse_formats(formats: Sequence[str | ReportFormat] | str) -> tuple[ReportFormat, ...]:
    """Formats from names (``"html,json"`` or a list), unique, in the order given."""
    names = formats.split(",") if isinstance(formats, str) else [str(item) for item in formats]
    chosen: dict[ReportFormat, None] = {}
    for name in names:
        key = name.strip().lower()
        if not key:
            continue
        try:
            chosen.setdefault(_ALIASES.get(key) or ReportFormat(key), None)
        except ValueError:
            choices = ", ".join(member.value for member in ReportFormat)
            raise ReportError(f"unknown report format {name.strip()!r} (choose from {choices})") from None
    return tuple(chosen)


def write_reports(report: Report, output_dir: Path, formats: Sequence[str | ReportFormat]) -> list[Path]:
    """Write ``report`` in each format into ``output_dir`` (created if missing); the paths written.

    All formats are rendered and written to temporary files first, then renamed into place together: a failure
    (a full disk, a render error) leaves the previous report set whole instead of a mix of old and new files.
    """
    chosen = parse_formats(formats)
    prepare_output(output_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        for report_format in chosen:
            reporter = report_format.reporter()
            target = output_dir / reporter.file_name
            chunks = getattr(reporter, "chunks", None)  # a format that can stream is written piece by piece
            text = chunks(report) if chunks is not None else reporter.render(report)
            staged.append((_stage(target, text, reporter.encoding), target))
        for temporary, target in staged:
            os.replace(temporary, target)
    except OSError as exc:
        raise ReportError(f"cannot write the reports in {output_dir}: {exc.strerror or exc}") from exc
    finally:
        for temporary, _target in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    return [target for _temporary, target in staged]


def encoded(report: Report, report_format: str | ReportFormat) -> Iterator[bytes]:
    """``report`` in one format as bytes, piece by piece as it is rendered (for standard output): a report of
    100,000 links is never one string in memory. One byte-order mark for a format that has one."""
    reporter = parse_formats([report_format])[0].reporter()
    chunks = getattr(reporter, "chunks", None)
    pieces: Iterable[str] = chunks(report) if chunks is not None else (reporter.render(report),)
    encoder = codecs.getincrementalencoder(reporter.encoding)()
    for piece in pieces:
        yield encoder.encode(piece)
    yield encoder.encode("", final=True)


def prepare_output(output_dir: Path) -> None:
    """Create ``output_dir`` and make sure files can be written in it, before any work is done for it."""
    if output_dir.exists() and not output_dir.is_dir():
        raise ReportError(f"{output_dir}: exists and is not a directory")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=output_dir, prefix=".linkaudit-probe.")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise ReportError(f"{output_dir}: cannot write reports there ({exc.strerror or exc})") from exc


def _stage(target: Path, text: str | Iterable[str], encoding: str) -> Path:
    """``text`` (whole, or in pieces) in a temporary file beside ``target``, flushed to disk, with the
    permissions of the file it replaces."""
    pieces = [text] if isinstance(text, str) else text
    try:
        mode = target.stat().st_mode & 0o777  # keep the permissions of the report being replaced
    except OSError:
        mode = 0o644
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        encoder = codecs.getincrementalencoder(encoding)()  # one byte-order mark for utf-8-sig, not one a piece
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(encoder.encode(piece))
            stream.write(encoder.encode("", final=True))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return Path(temporary)
