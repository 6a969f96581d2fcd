"""The command line: options -> Config -> Audit -> reports -> exit code. The only module that prints or exits."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__
from .config import Config, ConfigError, load_file_settings, parse_shard
from .inputs import InputError
from .models import ParsedDocument, Report
from .status import ExitCode, FailOn

F = TypeVar("F", bound=Callable[..., Any])

class UsageProblem(click.ClickException):
    exit_code = int(ExitCode.USAGE)

    def show(self, file: Any = None) -> None:
        click.echo(f"linkaudit: error: {self.format_message()}", err=True)


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    click.echo(f"linkaudit: error: {message}", err=True)
    sys.exit(int(code))


def _split_formats(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from .report import ReportError, parse_formats

    try:
        formats = tuple(f.value for f in parse_formats(value))
    except ReportError as exc:
        raise click.BadParameter(str(exc)) from None
    if not formats:
        raise click.BadParameter("give at least one of html, json, md, csv")
    return formats


def _parse_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _parse_archives(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    bases = []
    for item in value:
        kind, _, url = item.partition(":")
        if kind != "memento" or not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"expected memento:URL (a Memento TimeGate), not {item!r}")
        bases.append(url)
    return tuple(bases)


def audit_options(func: F) -> F:
    """Options shared by `check` and `fix` (both run the audit)."""
    options = [
        click.option("--wayback-url", default=None, help="Any Wayback-compatible service [https://web.archive.org]."),
        click.option("--no-archive", "no_archive", is_flag=True, default=None, help="Skip archive lookups."),
        click.option("--concurrency", type=click.IntRange(1, 10_000), default=None, help="Global limit [64]."),
        click.option("--per-host", type=click.IntRange(1, 1000), default=None, help="Per-host limit [4]."),
        click.option("--timeout", type=click.FloatRange(0.1, 3600), default=None, help="Seconds per request [20]."),
        click.option("--retries", type=click.IntRange(0, 20), default=None, help="Retries of transient failures [3]."),
        click.option("--store", default=None, help="SQLite history and cache [.linkaudit/linkaudit.db]."),
        click.option("--no-store", is_flag=True, default=False, help="Keep no history and use no cache."),
        click.option("--allow-private", is_flag=True, default=None, help="Allow private/loopback targets."),
        click.option("--refresh", is_flag=True, default=None, help="Ignore cached results."),
        click.option(
            "--archive",
            "mementos",
            multiple=True,
            callback=_parse_archives,
            help="Also ask a Memento TimeGate: memento:URL (repeatable).",
        ),
        click.option("--archive-rate", type=click.FloatRange(0.01, 100), default=None, help="Archive requests/s [1]."),
        click.option("--save", is_flag=True, default=None, help="Save live, never-archived pages (SPN)."),
        click.option("--lang", type=click.Choice(["en", "ru"]), default=None, help="Report language [en]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_config(paths: Sequence[str], **flags: Any) -> Config:
    """defaults < [tool.linkaudit] in linkaudit.toml / pyproject.toml < CLI flags."""
    try:
        config = Config().with_overrides(load_file_settings(Path.cwd()))
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    overrides: dict[str, Any] = {}
    mapping = {
        "output": "output_dir",
        "formats": "formats",
        "wayback_url": "wayback_url",
        "concurrency": "concurrency",
        "per_host": "per_host",
        "timeout": "timeout",
        "retries": "retries",
        "store": "store",
        "allow_private": "allow_private",
        "refresh": "refresh",
        "archive_rate": "archive_rate",
        "save": "save",
        "lang": "lang",
        "shard": "shard",
    }
    for flag, field_name in mapping.items():
        value = flags.get(flag)
        if value is not None:
            overrides[field_name] = value
    if flags.get("no_store") and flags.get("store"):
        raise UsageProblem("--store and --no-store contradict each other: give one")
    if flags.get("no_archive") and (flags.get("mementos") or flags.get("save")):
        raise UsageProblem("--no-archive contradicts --archive/--save: give one or the other")
    if flags.get("no_archive"):
        overrides["archive"] = False
    if flags.get("no_store"):
        overrides["store"] = None
    if flags.get("mementos"):
        overrides["mementos"] = tuple(flags["mementos"])
    if flags.get("fail_on") is not None:
        overrides["fail_on"] = FailOn(flags["fail_on"])
    if paths:
        overrides["inputs"] = tuple(paths)
    timeout = overrides.get("timeout")
    if timeout is not None:
        overrides["connect_timeout"] = min(config.connect_timeout, float(timeout))
    try:
        return config.with_overrides(overrides).validated()
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "LINKAUDIT"})
@click.version_option(__version__, prog_name="linkaudit")
def main() -> None:
    """Audit the web references cited in (bilingual) documents: find every cited URL, judge whether the cited
    page is still there, and offer verified archived copies closest to the cited date."""


@main.command()
@click.argument("paths", nargs=-1)
@click.option("-o", "--output", default=None, help="Reports directory [reports/].")
@click.option("-f", "--format", "formats", callback=_split_formats, default=None, help="html,json,md,csv")
@audit_options
@click.option(
    "--fail-on",
    type=click.Choice([m.value for m in FailOn]),
    default=None,
    help="What makes the exit code 1 [broken: suspect or confirmed].",
)
@click.option("--shard", callback=_parse_shard, default=None, help="Check only the hosts of shard K of N (K/N).")
@click.option("--debug", is_flag=True, hidden=True)
def check(paths: tuple[str, ...], debug: bool, **flags: Any) -> None:
    """Audit the cited URLs of PATH... (files, directories, or - for stdin)."""
    config = build_config(paths, **flags)
    if not config.inputs:
        raise UsageProblem("no input: give a PATH (file, directory or -) or set inputs in [tool.linkaudit]")
    parsed = _load(config.inputs)
    _check_output(Path(config.output_dir), config.formats)
    report, code = _run_audit(config, parsed, debug=debug)
    if report.offline:
        for note in report.notes:
            click.echo(f"linkaudit: {note}", err=True)
        click.echo("linkaudit: the audit could not be done; no report was written (exit 3).", err=True)
        sys.exit(int(ExitCode.AUDIT_FAILED))
    written = _write(report, Path(config.output_dir), config.formats)
    _github(report, Path(config.output_dir))
    _print_summary(report, written)
    sys.exit(int(code))


def _load(paths: Sequence[str]) -> list[ParsedDocument]:
    from .audit import load_documents

    try:
        return load_documents(paths)
    except InputError as exc:
        raise UsageProblem(str(exc)) from None


def _run_audit(
    config: Config,
    parsed: Sequence[ParsedDocument],
    *,
    debug: bool = False,
    resolver: Any = None,
) -> tuple[Report, ExitCode]:
    from .audit import Audit
    from .store import StoreError

    with _progress() as observer:
        try:
            outcome = Audit(config, observer=observer, resolver=resolver).run(parsed)
        except StoreError as exc:
            raise UsageProblem(str(exc)) from None
        except KeyboardInterrupt:
            _fail("interrupted; no report written", ExitCode.AUDIT_FAILED)
        except Exception as exc:
            if debug or os.environ.get("LINKAUDIT_DEBUG"):
                raise
            _fail(f"the audit failed: {type(exc).__name__}: {exc}", ExitCode.AUDIT_FAILED)
    for note in outcome.report.notes:
        if not outcome.report.offline:
            click.echo(f"linkaudit: note: {note}", err=True)
    return outcome.report, outcome.exit_code


def _check_output(output: Path, formats: Sequence[str]) -> None:
    """Refuse an unusable output directory or format before any network work is done for it."""
    from .report import ReportError, parse_formats, prepare_output

    try:
        parse_formats(formats)
        prepare_output(output)
    except ReportError as exc:
        raise UsageProblem(str(exc)) from None


def _write(report: Report, output: Path, formats: Sequence[str]) -> list[Path]:
    from .report import ReportError, write_reports

    try:
        return write_reports(report, output, formats)
    except ReportError as exc:
        _fail(str(exc), ExitCode.USAGE)


def _github(report: Report, output: Path) -> None:
    """Annotations and the job summary when running inside GitHub Actions."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from .report.github import annotations

        for line in annotations(report):
            click.echo(line)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    markdown = output / "linkaudit.md"
    if summary_path and markdown.is_file():
        from .report.github import append_step_summary

        append_step_summary(markdown.read_text(encoding="utf-8"), summary_path)


def _print_summary(report: Report, written: Sequence[Path]) -> None:
    from .report.summary import summarize

    summary = summarize(report)
    click.echo(summary.verdict)
    counts = ", ".join(f"{count} {status}" for status, count in summary.by_status if count)
    if counts:
        click.echo(f"  {counts}")
    for path in written:
        click.echo(f"  wrote {path}")


class _progress:
    """A rich progress bar on a terminal for runs that last; nothing when stderr is not a TTY."""

    def __enter__(self) -> Any:
        from .observer import NullObserver

        if not sys.stderr.isatty():
            self._impl: Any = None
            return NullObserver()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._impl = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._impl.__enter__()
        return _RichObserver(self._impl)

    def __exit__(self, *exc: object) -> None:
        if self._impl is not None:
            self._impl.__exit__(None, None, None)


class _RichObserver:
    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)

    def note(self, text: str) -> None:
        self.progress.console.print(f"[dim]{text}[/dim]")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def extract(paths: tuple[str, ...], output_format: str) -> None:
    """Print the references and URLs found in PATH..., without any network access."""
    from .references.urls import url_key

    parsed = _load(paths)
    if output_format == "json":
        from .report.json import finding_to_dict, reference_to_dict

        data = {
            "schema": "linkaudit/1",
            "tool_version": __version__,
            "documents": [p.document.name for p in parsed],
            "references": [reference_to_dict(r) for p in parsed for r in p.references],
            "findings": [finding_to_dict(f) for p in parsed for f in p.findings],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for document in parsed:
        click.echo(f"# {document.document.name} ({document.document.kind}, {document.document.encoding})")
        for reference in document.references:
            head = f"{reference.id}  line {reference.line}"
            if reference.ibid_of:
                head += f"  (ibid. of {reference.ibid_of})"
            click.echo(head)
            for half in reference.halves:
                facts = " | ".join(
                    f"{label}: {value}"
                    for label, value in (("title", half.title), ("date", half.date), ("authors", half.authors))
                    if value
                )
                click.echo(f"  [{half.lang}] {facts}")
                for url in half.urls:
                    click.echo(f"      {url}")
            if not reference.halves:
                for url in reference.urls:
                    click.echo(f"      {url}")
        for finding in document.findings:
            click.echo(f"  ! {finding.kind}: {finding.reference}: {finding.message}")
        urls = {url_key(u) for r in document.references for u in r.urls}
        counts = f"{len(document.references)} references, {len(urls)} distinct URLs"
        click.echo(f"{counts}, {len(document.findings)} findings")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", default=None, help="Where to write the copy [PATH.fixed.EXT].")
@click.option("--in-place", is_flag=True, help="Rewrite PATH itself.")
@click.option("--from-report", type=click.Path(dir_okay=False), default=None, help="Take replacements from this JSON.")
@audit_options
def fix(path: str, out: str | None, in_place: bool, from_report: str | None, **flags: Any) -> None:
    """Write a copy of PATH with each broken URL followed by its archived replacement."""
    from .fix import apply_replacements
    from .models import Snapshot

    if out and in_place:
        raise UsageProblem("give either -o/--output or --in-place, not both")
    parsed = _load([path])
    document = parsed[0]
    replacements: dict[str, Snapshot] = {}
    if from_report:
        report = _read_report(from_report)
    else:
        config = build_config([path], **flags)
        report, _code = _run_audit(config, parsed)
        if report.offline:
            _fail("this machine looks offline; nothing to fix", ExitCode.AUDIT_FAILED)
    for item in report.links:
        if item.archive is not None and item.result.status.is_broken:
            replacements[item.link.url] = item.archive
            replacements[item.link.normalized] = item.archive
    fixed = apply_replacements(document.document.text, document, replacements)
    if path == "-" and not out:
        if in_place:
            raise UsageProblem("--in-place needs a file, not standard input")
        click.echo(fixed, nl=False)
        return
    target = Path(path) if in_place else Path(out) if out else _fixed_name(Path(path))
    _atomic_write(target, fixed, document.document.encoding)
    count = len({s.url for s in replacements.values()})
    click.echo(f"{count} archived replacement(s) available; wrote {target}")


def _fixed_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}.fixed{path.suffix}")


def _atomic_write(target: Path, text: str, encoding: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        data = text.encode(encoding if encoding not in ("ascii",) else "utf-8")
    except (UnicodeEncodeError, LookupError):
        data = text.encode("utf-8")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        _fail(f"{target}: cannot write ({exc.strerror or exc})")


def _read_report(path: str) -> Report:
    from .report import ReportError
    from .report.json import loads

    try:
        return loads(Path(path).read_text(encoding="utf-8"), source=path)
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"{path}: cannot read ({exc})") from None
    except ReportError as exc:
        raise UsageProblem(str(exc)) from None


@main.command()
@click.argument("reports", nargs=-1, required=True)
@click.option("-o", "--output", default="reports", show_default=True, help="Reports directory.")
@click.option("-f", "--format", "formats", callback=_split_formats, default=None, help="html,json,md,csv.")
@click.option("--fail-on", type=click.Choice([m.value for m in FailOn]), default="broken", show_default=True)
def merge(reports: tuple[str, ...], output: str, formats: tuple[str, ...] | None, fail_on: str) -> None:
    """Combine shard reports (linkaudit.json files) into one report set."""
    from .audit import exit_code_for
    from .report.json import merge as merge_reports

    merged = merge_reports([_read_report(p) for p in reports])
    written = _write(merged, Path(output), formats or ("html", "json", "md"))
    _github(merged, Path(output))
    _print_summary(merged, written)
    sys.exit(int(exit_code_for(merged, FailOn(fail_on))))


@main.command()
@click.option("-o", "--output", default="reports/demo", show_default=True, help="Reports directory.")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True)
def demo(output: str, lang: str) -> None:
    """Run the whole pipeline against a built-in simulated web on loopback: works offline."""
    from .demo.run import DemoOutputError, run_demo

    try:
        with _progress() as observer:
            result = run_demo(Path(output), lang=lang, observer=observer)
    except DemoOutputError as exc:
        _fail(str(exc), ExitCode.USAGE)
    except OSError as exc:  # no loopback port could be bound, and the like
        _fail(f"the demo could not start its simulated web: {exc}", ExitCode.AUDIT_FAILED)
    _print_summary(result.report, result.written)
    click.echo(f"Open {result.html} in a browser to read the report.")
