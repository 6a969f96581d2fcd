"""The command line: options -> Config -> Audit -> reports -> exit code. The only module that prints or exits.

What the user sees while an audit runs goes to standard error (a progress bar on a terminal, ``-v`` results,
notes); standard output carries the summary, or the one report ``-o -`` asks for.
"""

from __future__ import annotations

import atexit
import dataclasses
import gc
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click

from . import __version__
from .config import (
    DEFAULT_ARCHIVE_RATE,
    DEFAULT_CONCURRENCY,
    DEFAULT_FORMATS,
    DEFAULT_OUTPUT,
    DEFAULT_PER_HOST,
    DEFAULT_RETRIES,
    DEFAULT_STORE,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    DEFAULT_WAYBACK_URL,
    Config,
    ConfigError,
    default_store,
    find_config,
    parse_accept,
    parse_header,
    parse_shard,
    read_config,
)
from .models import LinkReport, ParsedDocument, Reference, Report
from .status import ExitCode, FailOn, Status

if TYPE_CHECKING:
    from .models import CheckResult

F = TypeVar("F", bound=Callable[..., Any])

LISTED = 20  # broken citations listed at the end of `check`; the rest are counted and left to the report
STDOUT = "-"  # -o -: the one report chosen with -f goes to standard output

_EXIT_CODES = """\b
Exit codes:
  0  nothing broken (what counts is set by --fail-on)
  1  broken links found
  2  usage or input error: a bad option or settings, or no input could be read
     (an unreadable input among readable ones is named, skipped, and noted)
  3  the audit could not be done (no network at all, interrupted);
     never reported as rot"""

_SETTINGS = """\b
Settings: the nearest linkaudit.toml, or pyproject.toml with a [tool.linkaudit]
table, in the current folder or above it (--config FILE names one). Its folder is
the project root: relative paths in it, and the default store
.linkaudit/linkaudit.db, are taken from there. Keys are the long option names:
  inputs = ["paper.md", "notes/"]         fail-on = "confirmed"
  per-host = 2                            allow-private = true
  exclude = ["^https?://(www\\.)?jstor\\.org/"]
  accept = "200..299,403"                 headers = {"Accept-Language" = "ru"}
Flags win over the file; --exclude and --header add to its lists."""

_ENVIRONMENT = """\b
Environment: every option can also be set as LINKAUDIT_<COMMAND>_<OPTION>, e.g.
  LINKAUDIT_CHECK_FAIL_ON=confirmed
  LINKAUDIT_CHECK_EXCLUDE='^mailto: ^https://doi\\.org/'   (repeatable: spaces)
Flags win. HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured as curl does.
LINKAUDIT_DEBUG=1 shows the traceback when an audit fails."""

_CHECK_EPILOG = f"""\b
Examples:
  linkaudit check paper.md notes/            audit; the reports go to reports/
  linkaudit check                            the inputs listed in [tool.linkaudit]
  linkaudit check -f json -o - paper.md      the JSON report on standard output
  cat paper.txt | linkaudit check -          a document from standard input
  linkaudit check --fail-on confirmed docs/  exit 1 only for rot seen over days
  linkaudit check --accept 200..299,403 --exclude '^https://www\\.jstor\\.org/' a.md

{_SETTINGS}

{_ENVIRONMENT}

{_EXIT_CODES}"""

_FIX_EPILOG = f"""\b
Examples:
  linkaudit fix paper.md                         audit it, write paper.fixed.md
  linkaudit fix paper.md --in-place              rewrite paper.md itself
  linkaudit fix - < paper.txt > fixed.txt        standard input to standard output
  linkaudit fix paper.md --from-report reports/linkaudit.json
                                                 no network: the report's copies

{_SETTINGS}

{_ENVIRONMENT}

\b
Exit codes:
  0  every broken link got an archived copy (or nothing is broken)
  1  broken links remain without a replacement (they are listed: no capture,
     the archive could not be reached, or --no-archive)
  2  usage or input error
  3  the audit could not be done (no network at all)"""

_EXTRACT_EPILOG = """\b
Examples:
  linkaudit extract paper.md                 references, halves, dates and URLs
  linkaudit extract --format json notes/     the same as JSON (schema linkaudit/1)

\b
Exit codes:
  0  the documents were read (even when they hold no references; an unreadable
     one among them is named and skipped)
  2  usage or input error: no document could be read"""

_MERGE_EPILOG = """\b
Examples:
  linkaudit merge reports-*/linkaudit.json -o reports   join a job matrix's shards

\b
Exit codes:
  0  nothing broken (what counts is set by --fail-on)
  1  broken links found
  2  usage or input error: a missing or invalid report"""

_DEMO_EPILOG = """\b
Examples:
  linkaudit demo                         then open reports/demo/linkaudit.html
  linkaudit demo --lang ru -o /tmp/demo  the reports in Russian

\b
The web it checks is simulated on 127.0.0.1 (no network is used) and its reports
say so. The archived copies the report links to are saved beside it, in
demo-archive/, so they still open after the demo has exited.

\b
Exit codes:
  0  the demo ran (its simulated web has broken links on purpose)
  2  the output directory cannot be written
  3  the simulated web could not start (no loopback port)"""


class _Option(click.Option):
    """An option whose default, given as text (the layered settings leave the value itself unset), is shown as
    ``[default: 64]`` like every other default, not click's ``[default: (64)]``."""

    def get_help_extra(self, ctx: click.Context) -> Any:
        extra = super().get_help_extra(ctx)
        if isinstance(self.show_default, str) and "default" in extra:
            extra["default"] = self.show_default
        return extra


def _option(*names: str, **attrs: Any) -> Callable[[F], F]:
    return click.option(*names, cls=_Option, **attrs)


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


def _parse_accept(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        return parse_accept(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _parse_headers(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_header(item) for item in value)
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


_REPORT_LANG_HELP = "Language of the reports and of the summary sentence: en or ru."
_FIX_LANG_HELP = (
    "Language of the audit's summary sentence: en or ru. The text inserted into the copy does not follow it: "
    "each note is written in the language of the half its URL sits in (English 'archived 4 November 2012', "
    "Russian 'архивная копия от 4 ноября 2012')."
)


def output_options(func: F) -> F:
    """-q/-v, shared by the commands that run an audit."""
    options = [
        _option(
            "-q", "--quiet", is_flag=True, help="No progress bar, notes or file list: the verdict and what is broken."
        ),
        _option(
            "-v", "--verbose", is_flag=True, help="Print each result as it comes (and the settings file used)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def audit_options(lang_help: str = _REPORT_LANG_HELP) -> Callable[[F], F]:
    """Options shared by `check` and `fix` (both run the audit)."""

    def decorate(func: F) -> F:
        options = [
            _option(
                "--config",
                "config_file",
                type=click.Path(dir_okay=False),
                default=None,
                show_default="the nearest linkaudit.toml or pyproject.toml with [tool.linkaudit]",
                help="Settings file to use instead of the one found from the current folder up.",
            ),
            _option(
                "--exclude",
                multiple=True,
                metavar="REGEX",
                help="Skip URLs matching this regular expression (repeatable; adds to the settings' list).",
            ),
            _option(
                "--accept",
                callback=_parse_accept,
                default=None,
                metavar="CODES",
                show_default="2xx only",
                help="HTTP codes that count as a live page, e.g. 200..299,403 (a site that refuses robots).",
            ),
            _option(
                "--header",
                "headers",
                multiple=True,
                callback=_parse_headers,
                metavar="'NAME: VALUE'",
                help="Send this header with every check (repeatable), e.g. 'Cookie: consent=1'.",
            ),
            _option(
                "--user-agent", default=None, show_default=DEFAULT_USER_AGENT, help="User-Agent sent with requests."
            ),
            _option(
                "--wayback-url",
                default=None,
                metavar="URL",
                show_default=DEFAULT_WAYBACK_URL,
                help="Any Wayback-compatible archive service.",
            ),
            _option("--no-archive", "no_archive", is_flag=True, default=None, help="Skip archive lookups."),
            _option(
                "--archive",
                "mementos",
                multiple=True,
                callback=_parse_archives,
                metavar="memento:URL",
                help="Also ask this Memento TimeGate (repeatable).",
            ),
            _option(
                "--archive-rate",
                type=click.FloatRange(0.01, 100),
                default=None,
                show_default=f"{DEFAULT_ARCHIVE_RATE:g}",
                help="Archive requests per second.",
            ),
            _option(
                "--save", is_flag=True, default=None, help="Submit live pages no archive holds to Save Page Now."
            ),
            _option(
                "--concurrency",
                type=click.IntRange(1, 10_000),
                default=None,
                show_default=str(DEFAULT_CONCURRENCY),
                help="Requests at once, in all.",
            ),
            _option(
                "--per-host",
                type=click.IntRange(1, 1000),
                default=None,
                show_default=str(DEFAULT_PER_HOST),
                help="Requests at once to one host.",
            ),
            _option(
                "--timeout",
                type=click.FloatRange(0.1, 3600),
                default=None,
                show_default=f"{DEFAULT_TIMEOUT:g}",
                help="Seconds per request.",
            ),
            _option(
                "--retries",
                type=click.IntRange(0, 20),
                default=None,
                show_default=str(DEFAULT_RETRIES),
                help="Retries of transient failures (429, 5xx, timeouts).",
            ),
            _option(
                "--store",
                default=None,
                metavar="FILE",
                show_default=f"{DEFAULT_STORE} at the project root",
                help="SQLite history and cache.",
            ),
            _option("--no-store", is_flag=True, default=False, help="Keep no history and use no cache."),
            _option(
                "--allow-private", is_flag=True, default=None, help="Check private and loopback targets too."
            ),
            _option("--refresh", is_flag=True, default=None, help="Ignore cached results."),
            _option("--lang", type=click.Choice(["en", "ru"]), default=None, show_default="en", help=lang_help),
        ]
        for option in reversed(options):
            func = option(func)
        return output_options(func)

    return decorate


# The flags that set one Config field as given (each field of its own name but ``--output``).
_FLAG_FIELDS = {
    "output": "output_dir",
    **{
        name: name
        for name in (
            "formats", "wayback_url", "concurrency", "per_host", "timeout", "retries", "store", "allow_private",
            "refresh", "archive_rate", "save", "lang", "shard", "user_agent", "accept",
        )
    },
}


def build_config(paths: Sequence[str], **flags: Any) -> tuple[Config, Path | None]:
    """defaults < the settings file < CLI flags; with the settings file used (None when there is none)."""
    try:
        config_file = flags.get("config_file")
        settings_path = Path(config_file) if config_file else find_config(Path.cwd())
        settings = read_config(settings_path) if settings_path is not None else {}
        config = Config().with_overrides(settings)
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    overrides: dict[str, Any] = {}
    if settings_path is not None and "store" not in settings:
        overrides["store"] = default_store(settings_path.parent)
    for flag, field_name in _FLAG_FIELDS.items():
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
    if flags.get("exclude"):
        overrides["exclude"] = (*config.exclude, *flags["exclude"])
    if flags.get("headers"):
        named = {name.lower(): (name, value) for name, value in config.headers}
        named.update({name.lower(): (name, value) for name, value in flags["headers"]})
        overrides["headers"] = tuple(named.values())
    if flags.get("fail_on") is not None:
        overrides["fail_on"] = FailOn(flags["fail_on"])
    if paths:
        overrides["inputs"] = tuple(paths)
    timeout = overrides.get("timeout")
    if timeout is not None:
        overrides["connect_timeout"] = min(config.connect_timeout, float(timeout))
    try:
        return config.with_overrides(overrides).validated(), settings_path
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None


class Terminal:
    """What the user sees on standard error while an audit runs, as an Observer.

    On a terminal: one rich progress bar showing the phase (check, probe, archive, save, report), done/total and
    the time left; every finished check advances it. ``verbose``: each result as a line as it comes (on a
    terminal or not). ``quiet``: nothing. Notes are shown live only when verbose; the run's notes are printed
    once at its end in any case (collapsed), unless quiet.
    """

    def __init__(self, *, quiet: bool = False, verbose: bool = False, bar: bool | None = None) -> None:
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.bar = (sys.stderr.isatty() if bar is None else bar) and not quiet
        self.stages: list[list[Any]] = []  # [name, total, done] of each stage, in order (the bar's history)
        self.config: Config | None = None  # its language is the one of the verbose result lines
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Terminal:
        if self.bar:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<8}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.refresh()
            self._progress.__exit__(None, None, None)
            self._progress = None
            self._task = None

    def echo(self, text: str) -> None:
        """A line on standard error, above the bar when there is one."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(text, err=True)

    # Observer

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append([name, total, 0])
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task(name, total=total)
        else:
            self._progress.refresh()  # the finished phase's last count is drawn before the next one starts
            self._progress.reset(self._task, total=total, description=name)

    def advance(self, amount: int = 1) -> None:
        if self.stages:
            self.stages[-1][2] += amount
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def note(self, text: str) -> None:
        if self.verbose:
            self.echo(f"linkaudit: note: {readable_note(text)}")

    def result(self, result: CheckResult) -> None:
        if self.verbose:
            from .report.translate import translate

            text = translate(result.detail, self.config.lang) if self.config else result.detail
            detail = f"  {text}" if text else ""
            cached = "  (cached)" if result.from_cache else ""
            self.echo(f"{result.status.value:<17} {result.url}{detail}{cached}")


_ROOT_EPILOG = f"""\b
Examples:
  linkaudit demo                 see the whole product on a simulated web, offline
  linkaudit check paper.md       audit; then open reports/linkaudit.html
  linkaudit fix paper.md         write paper.fixed.md with archived copies inserted
  linkaudit COMMAND --help       every option of a command

{_SETTINGS}

{_ENVIRONMENT}

{_EXIT_CODES}"""

_CONTEXT = {
    "help_option_names": ["-h", "--help"],
    "auto_envvar_prefix": "LINKAUDIT",
    "max_content_width": 110,
}


@click.group(context_settings=_CONTEXT, epilog=_ROOT_EPILOG)
@click.version_option(__version__, prog_name="linkaudit")
def main() -> None:
    """Audit the web references cited in (bilingual) documents: find every cited URL, judge whether the cited
    page is still there, and offer verified archived copies closest to the cited date."""


def run() -> None:
    """The ``linkaudit`` program (console script and ``python -m linkaudit``): the command line, in a process
    whose collector is set for it (``_tune_collector``)."""
    _tune_collector()
    try:
        main(prog_name="linkaudit")  # help and errors name the command as users type it
    except SystemExit as done:
        _leave(done.code)
    _leave(0)


def _leave(code: object) -> NoReturn:
    """End the process with ``code`` (a ``SystemExit``'s) once all it wrote is out, without the interpreter's
    teardown: exit handlers run and the standard streams are flushed as at any exit, then ``os._exit``. The
    teardown would free every object of the run one by one, memory the system takes back at once anyway: 0.6 s
    after a check of 100,000 links. Files, the store and worker processes are closed by then (each by the code
    that opened it), and ``asyncio.run`` has ended the loop's threads."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # a message, as SystemExit prints it
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    flushed = _flushed(sys.stdout) & _flushed(sys.stderr)
    if not flushed and status == 0:
        status = 120  # what Python's own exit gives when it cannot flush its streams
    os._exit(status & 0xFF if status >= 0 else 1)


def _flushed(stream: TextIO) -> bool:
    try:
        stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
        return False
    return True


_COLLECTOR_TUNED: list[bool] = []
YOUNG_THRESHOLD = 10_000  # allocations between two collections of the youngest objects (Python's default: 700)


def _tune_collector() -> None:
    """The cyclic garbage collector set for a command that makes many short-lived objects and then exits.

    - Young objects are collected every ``YOUNG_THRESHOLD`` allocations instead of every 700: a check of 2,000
      pages spent about 0.25 s in 200 collections, and 60 ms in 11 with this (most objects die by reference
      counting before any collection; a cycle waits a little longer).
    - At exit, before the interpreter's teardown, every object goes to the collector's permanent generation:
      the teardown's collections would otherwise walk every object the run made (aiohttp alone brings tens of
      thousands), 60-200 ms at the end of each command for memory the system takes back anyway (``run`` then
      leaves through ``_leave``, which skips the teardown itself; a caller of ``main`` in its own process keeps it).
    """
    if _COLLECTOR_TUNED:
        return
    _COLLECTOR_TUNED.append(True)
    young, middle, old = gc.get_threshold()
    if 0 < young < YOUNG_THRESHOLD:
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    atexit.register(gc.freeze)


@main.command(
    epilog=_CHECK_EPILOG,
    short_help="Audit the cited URLs of documents; write HTML, JSON, Markdown and CSV reports.",
)
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@_option(
    "-o",
    "--output",
    default=None,
    metavar="DIR",
    show_default=DEFAULT_OUTPUT,
    help="Reports directory; - writes the one report chosen with -f to standard output (e.g. -f json -o -).",
)
@_option(
    "-f",
    "--format",
    "formats",
    callback=_split_formats,
    default=None,
    metavar="LIST",
    show_default=",".join(DEFAULT_FORMATS),
    help="Report formats, comma-separated, from html, json, md, csv.",
)
@_option(
    "--fail-on",
    type=click.Choice([m.value for m in FailOn]),
    default=None,
    show_default=FailOn.BROKEN.value,
    help="What makes the exit code 1: broken (suspect or confirmed), confirmed (broken over several runs and "
    "days, from the store's history) or never.",
)
@_option(
    "--shard",
    callback=_parse_shard,
    default=None,
    metavar="K/N",
    help="Check only the hosts of shard K of N (for a job matrix; join with merge).",
)
@audit_options()
@click.option("--debug", is_flag=True, hidden=True)
def check(paths: tuple[str, ...], debug: bool, quiet: bool, verbose: bool, **flags: Any) -> None:
    """Audit the web references cited in PATH... (files, directories searched recursively, or - for standard
    input; with no PATH, the inputs of [tool.linkaudit]): check every cited URL, judge whether the cited page is
    still there, look up archived copies of the broken ones, write the reports and list what is broken."""
    config, settings_path = build_config(paths, **flags)
    if not config.inputs:
        raise UsageProblem("no input: give a PATH (file, directory or -) or set inputs in [tool.linkaudit]")
    to_stdout = _to_stdout(config.output_dir, config.formats)
    terminal = Terminal(quiet=quiet, verbose=verbose)
    if settings_path is not None and terminal.verbose:
        terminal.echo(f"linkaudit: settings from {settings_path}")
    parsed, unread = _load_contained(config.inputs, meanwhile=_load_checker)
    _say_empty(parsed, terminal)
    if not to_stdout:
        _check_output(Path(config.output_dir), config.formats)
    output = Path(config.output_dir)
    with terminal:
        report, code = _run_audit(config, parsed, terminal, debug=debug)
        if report.offline:
            _offline(report)
        if unread:  # a report over some of the inputs says which ones it leaves out
            report = dataclasses.replace(report, notes=(*(f"Not read: {line}" for line in unread), *report.notes))
        terminal.stage("report", len(config.formats))
        if to_stdout:
            written: list[Path] = []
            stream = _render_stdout(report, config.formats[0])
        else:
            written = _write(report, output, config.formats)
        terminal.advance(len(config.formats))
    _say_notes(report, terminal)
    if to_stdout:
        _write_stdout(stream)
    _github(report, None if to_stdout else output, to_stdout=to_stdout)
    _print_summary(report, [] if quiet else written, err=to_stdout)
    _print_broken(report, _report_hint(written), err=to_stdout)
    _say_unchecked(report)
    sys.exit(int(code))


def _to_stdout(output: str, formats: Sequence[str]) -> bool:
    """Whether ``-o -`` sends the report to standard output; a usage error unless exactly one format is named."""
    if output != STDOUT:
        return False
    if len(formats) != 1:
        raise UsageProblem(
            f"-o - writes one report to standard output: name its format with -f (e.g. -f json -o -), "
            f"not {','.join(formats)}"
        )
    return True


def _say_unchecked(report: Report) -> None:
    """Exit 0 with nothing checked is no all-clear: say so when no cited link was fetched at all."""
    if not report.links or any(not item.result.status.is_excluded for item in report.links):
        return
    skipped = sum(1 for item in report.links if item.result.status is Status.SKIPPED)
    total = len(report.links)
    reasons = []
    if skipped:
        reasons.append(f"{skipped} skipped: private or loopback addresses need --allow-private, or --exclude matched")
    if total - skipped:
        reasons.append(f"{total - skipped} not a web address")
    click.echo(f"linkaudit: warning: none of the {total} cited links was checked ({'; '.join(reasons)})", err=True)


def _offline(report: Report) -> NoReturn:
    for note in report.notes:
        click.echo(f"linkaudit: {note}", err=True)
    _fail("the audit could not be done; no report was written (exit 3)", ExitCode.AUDIT_FAILED)


def _load_checker() -> None:
    """The audit and the checker's libraries loaded (aiohttp and its TLS contexts take a command's first 0.15 s):
    ``check`` has this done while its inputs are read."""
    from . import audit  # noqa: F401


def _load(paths: Sequence[str]) -> list[ParsedDocument]:
    return _load_contained(paths)[0]


def _load_contained(
    paths: Sequence[str], meanwhile: Callable[[], object] | None = None
) -> tuple[list[ParsedDocument], list[str]]:
    """The inputs that can be read, parsed; one line for each that cannot (the others go on). Exit 2 only
    when nothing at all could be read. Readers' remarks (a watermark link set aside) are notes. ``meanwhile``:
    what the command loads anyway, done while the inputs are read (``documents.load_documents``)."""
    from .documents import load_documents
    from .inputs import InputError

    problems: list[str] = []
    try:
        parsed = load_documents(paths, problems=problems, meanwhile=meanwhile)
    except InputError as error:
        raise UsageProblem(str(error)) from None
    if not parsed:
        raise UsageProblem("no input could be read")
    for item in parsed:
        for remark in item.document.remarks:
            click.echo(f"linkaudit: note: {item.document.name}: {remark}", err=True)
    for problem in problems:
        click.echo(f"linkaudit: error: {problem} (skipped; the other inputs are read)", err=True)
    return parsed, problems


def _say_empty(parsed: Sequence[ParsedDocument], terminal: Terminal) -> None:
    """One line per document that gives the audit nothing to check, so an empty report is not a surprise."""
    if terminal.quiet:
        return
    for item in parsed:
        name = item.document.name
        if not item.references:
            terminal.echo(f"linkaudit: no references found in {name}")
        elif not any(reference.urls for reference in item.references):
            terminal.echo(f"linkaudit: no web links found in {name} ({len(item.references)} references)")


def _say_notes(report: Report, terminal: Terminal) -> None:
    if terminal.quiet or terminal.verbose:  # verbose showed them as they came
        return
    for note in report.notes:
        click.echo(f"linkaudit: note: {note}", err=True)


def _run_audit(
    config: Config,
    parsed: Sequence[ParsedDocument],
    terminal: Terminal,
    *,
    debug: bool = False,
) -> tuple[Report, ExitCode]:
    from .audit import Audit
    from .store import StoreError

    terminal.config = config
    try:
        outcome = Audit(config, observer=terminal).run(parsed)
    except StoreError as exc:
        raise UsageProblem(str(exc)) from None
    except KeyboardInterrupt:
        _fail("interrupted; no report written", ExitCode.AUDIT_FAILED)
    except Exception as exc:
        if debug or os.environ.get("LINKAUDIT_DEBUG"):
            raise
        _fail(f"the audit failed: {type(exc).__name__}: {exc}", ExitCode.AUDIT_FAILED)
    report = outcome.report
    return dataclasses.replace(report, notes=tidy_notes(report.notes)), outcome.exit_code


# A lookup that failed because the archive could not be reached or did not answer in time: the archive stage
# writes that line itself from the failure's kind (archive.ArchiveErrorKind), after the lookup it concerns.
_LOOKUP_FAILED = re.compile(
    r"^(?P<archive>\S+): lookup of (?P<url>\S+) failed: "
    r"(?P<why>\S+ (?:could not be reached|did not answer in time))$"
)
_MORE = re.compile(r"^… and (?P<count>\d+) more archive remark")


def readable_note(note: str) -> str:
    """One line for an archive that could not be reached or did not answer in time, without the lookup it
    concerns (so that they can be counted together); any other note as it is."""
    match = _LOOKUP_FAILED.match(note)
    return note if match is None else match["why"]


def tidy_notes(notes: Sequence[str]) -> tuple[str, ...]:
    """The run's notes with failures to reach an archive as one line per archive and kind, counted:
    "web.archive.org could not be reached (12 lookups failed; no archived copy could be looked up)"."""
    counts: dict[str, int] = {}
    kept: list[str] = []
    more = 0
    for note in notes:
        readable = readable_note(note)
        if readable != note:
            counts[readable] = counts.get(readable, 0) + 1
            if counts[readable] == 1:
                kept.append(readable)
            continue
        match = _MORE.match(note)
        if match is not None and len(counts) == 1 and len(kept) == 1:
            more += int(match["count"])  # the collapsed remarks were the same failure
            continue
        kept.append(note)
    out = []
    for note in kept:
        if note in counts:
            failed = counts[note] + (more if len(counts) == 1 else 0)
            note += f" ({failed} lookup{'s' if failed != 1 else ''} failed; no archived copy could be looked up)"
        out.append(note)
    return tuple(out)


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


def _render_stdout(report: Report, name: str) -> Iterator[bytes]:
    """The report for standard output, rendered as it is written (its first piece at once, so a report that
    cannot be rendered fails before anything is written)."""
    from .report import encoded

    pieces = encoded(report, name)
    first = next(pieces, b"")
    return itertools.chain((first,), pieces)


def _write_stdout(pieces: Iterable[bytes]) -> None:
    for piece in pieces:
        sys.stdout.buffer.write(piece)
    sys.stdout.flush()


def _github(report: Report, output: Path | None, *, to_stdout: bool = False) -> None:
    """Annotations and the job summary when running inside GitHub Actions (annotations on standard error when
    standard output carries a report: the runner reads workflow commands from both)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from .report.github import iter_annotations

        for line in iter_annotations(report):
            click.echo(line, err=to_stdout)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary_path:
        return
    from .report.github import append_step_summary

    if output is not None and (output / "linkaudit.md").is_file():
        append_step_summary((output / "linkaudit.md").read_text(encoding="utf-8"), summary_path)
    elif output is None:
        from .report.markdown import render

        append_step_summary(render(report), summary_path)


def _print_summary(report: Report, written: Sequence[Path], *, err: bool = False) -> None:
    from .report.summary import summarize

    summary = summarize(report)
    click.echo(summary.verdict, err=err)
    counts = ", ".join(f"{count} {status}" for status, count in summary.by_status if count)
    if counts and written:
        click.echo(f"  {counts}", err=err)
    for path in written:
        click.echo(f"  wrote {path}", err=err)


def _report_hint(written: Sequence[Path]) -> str | None:
    for path in written:
        if path.suffix == ".html":
            return str(path)
    return str(written[0]) if written else None


def _location(reference: Reference | None, url: str) -> tuple[str, int, str]:
    """(document, line, "file:line") of where ``reference`` cites ``url``, for the terminal listing."""
    from .report.github import line_of

    if reference is None:
        return ("(unknown document)", 0, "(unknown document)")
    line = line_of(reference, url)
    where = f"{reference.document}:{line}"
    if reference.page is not None:
        where += f" (page {reference.page})"
    return (reference.document, line, where)


def _references_of(report: Report, items: Sequence[LinkReport]) -> dict[str, Reference]:
    """The references citing ``items``, by id, in one pass (not the whole list of a long document)."""
    wanted = {reference_id for item in items for reference_id in item.link.references}
    if not wanted:  # nothing broken: a long document's references are not read back for nothing
        return {}
    return {reference.id: reference for reference in report.references if reference.id in wanted}


def broken_listing(report: Report, hint: str | None, limit: int = LISTED, *, base: Path | None = None) -> list[str]:
    """What is broken, grouped by document: each broken link once per document with ``file:line`` (and the other
    lines citing it), status, reason and archived copy, as lychee lists failures; capped at ``limit`` entries
    with a pointer to the full report. An archived copy saved beside the report (the demo's) is shown under
    ``base``, the report's folder."""
    broken_items = [item for item in report.links if item.result.status.is_broken]
    references = _references_of(report, broken_items)
    cited: dict[str, dict[str, list[tuple[int, str]]]] = {}  # document -> link URL -> [(line, where)]
    items: dict[str, LinkReport] = {}
    for item in broken_items:
        items[item.link.url] = item
        for reference_id in item.link.references or ("",):
            document, line, where = _location(references.get(reference_id), item.link.url)
            places = cited.setdefault(document, {}).setdefault(item.link.url, [])
            if (line, where) not in places:
                places.append((line, where))
    if not cited:
        return []
    order = {name: index for index, name in enumerate(report.documents)}
    total = sum(len(links) for links in cited.values())
    broken = len(items)
    lines = [f"Broken: {broken} link{'s' if broken != 1 else ''}, by document"]
    shown = 0
    for document in sorted(cited, key=lambda name: (order.get(name, len(order)), name)):
        if shown >= limit:
            break
        lines.append(click.style(document, bold=True))
        for url, places in sorted(cited[document].items(), key=lambda entry: min(entry[1])):
            if shown >= limit:
                break
            shown += 1
            lines.extend(_entry(sorted(places), items[url], base, report.lang))
    if total > shown:
        more = f"… and {total - shown} more"
        lines.append(f"{more} (see {hint})" if hint else more)
    return lines


def _entry(
    places: Sequence[tuple[int, str]], item: LinkReport, base: Path | None = None, lang: str = "en"
) -> list[str]:
    from .report.translate import translate

    result = item.result
    confirmed = item.history is not None and item.history.confirmed
    status = click.style(result.status.value, fg="red") + (" (confirmed)" if confirmed else "")
    where = places[0][1]
    if len(places) > 1:
        where += f" (also line{'s' if len(places) > 2 else ''} {', '.join(str(line) for line, _ in places[1:])})"
    lines = [f"  {where}  {status}  {item.link.url}"]
    if result.detail:
        lines.append(f"      {translate(result.detail, lang)}")
    if item.archive is not None:
        state = "verified" if item.archive.verified else "not verified"
        url = item.archive.url
        if base is not None and "://" not in url:
            url = str(base / url)
        lines.append(f"      archived copy ({state}): {url}")
    return lines


def _print_broken(report: Report, hint: str | None, *, err: bool = False, base: Path | None = None) -> None:
    lines = broken_listing(report, hint, base=base)
    if lines:
        click.echo("", err=err)
    for line in lines:
        click.echo(line, err=err)


@main.command(
    epilog=_EXTRACT_EPILOG,
    short_help="Print the references and URLs found in documents, without any network access.",
)
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@_option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    show_default="the nearest linkaudit.toml or pyproject.toml with [tool.linkaudit]",
    help="Settings file whose inputs are read when no PATH is given.",
)
@_option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json (schema linkaudit/1: references and findings) for scripts.",
)
def extract(paths: tuple[str, ...], output_format: str, config_file: str | None) -> None:
    """Print the references found in PATH... (files, directories, or - for standard input; with no PATH, the
    inputs of [tool.linkaudit]): note numbers, language halves with their titles, dates and authors, the URLs as
    repaired, and the findings. No network."""
    from .references.urls import url_key

    if not paths:
        paths = build_config((), config_file=config_file)[0].inputs
    if not paths:
        raise UsageProblem("no input: give a PATH (file, directory or -) or set inputs in [tool.linkaudit]")
    if output_format == "json":
        from .report.json import references_encoded

        with references_encoded():  # a long list's JSON made by the workers that read it
            parsed = _load(paths)
    else:
        parsed = _load(paths)
    for item in parsed:
        if not item.references:
            click.echo(f"linkaudit: no references found in {item.document.name}", err=True)
    if output_format == "json":
        from .report.json import LazyList, finding_to_dict, json_chunks, reference_to_dict
        from .spill import joined

        data = {
            "schema": "linkaudit/1",
            "tool_version": __version__,
            "documents": [p.document.name for p in parsed],
            # converted as they are written: the text of 100,000 references is never held at once
            "references": LazyList(joined([p.references for p in parsed]), reference_to_dict),
            "findings": LazyList([f for p in parsed for f in p.findings], finding_to_dict),
        }
        for piece in json_chunks(data):  # color=True: JSON escapes control characters, no ANSI scan per piece
            click.echo(piece, nl=False, color=True)
        return
    for document in parsed:
        source = document.document
        pages = f", {len(source.pages)} pages" if source.pages else ""
        click.echo(f"# {source.name} ({source.kind}, {source.encoding}, read as {source.reader}{pages})")
        for reference in document.references:
            head = f"{reference.id}  line {reference.line}"
            if reference.page is not None:
                head += f"  p. {reference.page}"
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


@main.command(
    epilog=_FIX_EPILOG,
    short_help="Write a copy of a document with archived copies inserted after its broken URLs (- : stdin).",
)
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@_option(
    "-o",
    "--output",
    "out",
    default=None,
    metavar="FILE",
    show_default="PATH.fixed.EXT; standard output when PATH is -",
    help="Where to write the copy; - for standard output.",
)
@_option("--in-place", is_flag=True, help="Rewrite PATH itself (not with PATH -).")
@_option(
    "--from-report",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="JSON",
    help="Take the archived copies from this linkaudit.json instead of auditing (no network).",
)
@audit_options(_FIX_LANG_HELP)
def fix(
    path: str, out: str | None, in_place: bool, from_report: str | None, quiet: bool, verbose: bool, **flags: Any
) -> None:
    """Write a copy of PATH with each broken URL followed by its archived copy, in the language of the half it
    sits in («архивная копия от …» after a Russian half, "archived …" after an English one). PATH - reads
    standard input and writes the copy to standard output. Running it again adds nothing. The audit's options
    below apply when it audits PATH itself (without --from-report)."""
    from .fix import (
        apply_replacements,
        cited_readings,
        fixed_reference_list,
        reference_list_name,
        writes_reference_list,
    )
    from .models import Snapshot

    if out and in_place:
        raise UsageProblem("give either -o/--output or --in-place, not both")
    if path == "-" and in_place:
        raise UsageProblem("--in-place needs a file, not standard input")
    to_stdout = (path == "-" and not out) or out == STDOUT
    parsed = _load([path])
    document = parsed[0]
    if in_place and writes_reference_list(document.document):
        raise UsageProblem(
            f"{path}: a {document.document.reader} file is not rewritten; fix writes its fixed reference list as "
            f"text ({reference_list_name(Path(path))}), so leave out --in-place"
        )
    terminal = Terminal(quiet=quiet, verbose=verbose)
    archive_asked = True
    if from_report:
        report = _read_report(from_report)
    else:
        config, settings_path = build_config([path], **flags)
        if settings_path is not None and terminal.verbose:
            terminal.echo(f"linkaudit: settings from {settings_path}")
        _say_empty(parsed, terminal)
        with terminal:
            report, _code = _run_audit(config, parsed, terminal)
        if report.offline:
            _fail("this machine looks offline; nothing to fix", ExitCode.AUDIT_FAILED)
        _say_notes(report, terminal)
        archive_asked = config.archive
    cited = _cited_keys(document)
    relevant = [item for item in report.links if item.result.status.is_broken and _cited(item, cited)]
    replacements: dict[str, Snapshot] = {}
    for item in relevant:
        if item.archive is not None:
            for key in (item.link.url, item.link.normalized, *item.link.candidates):
                replacements[key] = item.archive
    # An ambiguous URL (a line-end hyphen) is cited as the reading that answered (or that was archived).
    readings = {first: chosen for first, chosen in cited_readings(report.links).items() if first in cited}
    as_list = writes_reference_list(document.document)
    if as_list:  # a PDF, Word file or bibliography is not rewritten: its fixed reference list is, as text
        fixed = fixed_reference_list(document, replacements, readings)
    else:
        fixed = apply_replacements(document.document.text, document, replacements, readings)
    for first, chosen in readings.items():
        how = "listed" if as_list else "written"
        click.echo(f"linkaudit: {first} is {how} as {chosen}, the reading of the text that the check or the "
                   "archive confirmed", err=True)  # fmt: skip
    if to_stdout:
        click.echo(fixed, nl=False)
    else:
        target = Path(path) if in_place else Path(out) if out else _fixed_name(Path(path))
        if as_list and not out:
            target = reference_list_name(Path(path))
        _atomic_write(target, fixed, document.document.encoding)
    remaining = [item for item in relevant if item.archive is None]
    target_shown = None if to_stdout else target
    _say_fixed(report, len(relevant), len(relevant) - len(remaining), target_shown, archive_asked, quiet, to_stdout)
    if remaining:
        _say_remaining(report, remaining, archive_asked=archive_asked)
        sys.exit(int(ExitCode.BROKEN))


def _cited_keys(document: ParsedDocument) -> set[str]:
    from .references.urls import url_key

    return {key for reference in document.references for url in reference.urls for key in (url, url_key(url))}


def _cited(item: LinkReport, keys: set[str]) -> bool:
    return item.link.url in keys or item.link.normalized in keys or any(url in keys for url in item.link.candidates)


def _say_fixed(
    report: Report, broken: int, replaced: int, target: Path | None, archive_asked: bool, quiet: bool, err: bool
) -> None:
    """The audit's verdict (in --lang) and what fix did; without the archive, no word about archived copies
    found, since none were looked for."""
    from .report.summary import summarize

    wrote = f"; wrote {target}" if target is not None else ""
    if not archive_asked:
        found = f"{broken} broken link{'s' if broken != 1 else ''}" if broken else "nothing broken"
        click.echo(f"{found}; the archive was not asked (--no-archive), so nothing was inserted{wrote}", err=err)
        return
    if not quiet and report.links:
        click.echo(summarize(report).verdict, err=err)
    click.echo(f"{replaced} archived cop{'y' if replaced == 1 else 'ies'} inserted{wrote}", err=err)


def _say_remaining(report: Report, remaining: Sequence[LinkReport], *, archive_asked: bool) -> None:
    """Which broken links got nothing, and why, on standard error (the copy may be on standard output)."""
    count = len(remaining)
    unreachable = [
        note.split(" (", 1)[0]
        for note in report.notes
        if re.match(r"\S+ (could not be reached|did not answer in time) \(\d+ lookups? failed", note)
    ]
    if archive_asked and unreachable:
        why = "; ".join(unreachable)
    elif archive_asked:
        why = "no usable archived copy was found"
    else:
        why = "the archive was not asked (--no-archive)"
    click.echo(f"linkaudit: {count} broken link{'s' if count != 1 else ''} left without a replacement: {why}:",
               err=True)  # fmt: skip
    references = _references_of(report, remaining)
    for item in remaining:
        reference = next((references[r] for r in item.link.references if r in references), None)
        _document, _line, where = _location(reference, item.link.url)
        detail = f"  {item.result.detail}" if item.result.detail else ""
        click.echo(f"  {where}  {item.result.status.value}  {item.link.url}{detail}", err=True)


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


@main.command(
    epilog=_MERGE_EPILOG,
    short_help="Combine the shard reports of `check --shard K/N` into one report set.",
)
@click.argument("reports", nargs=-1, required=True, metavar="REPORT.json...")
@_option(
    "-o",
    "--output",
    default=DEFAULT_OUTPUT,
    show_default=True,
    metavar="DIR",
    help="Reports directory; - writes the one report chosen with -f to standard output.",
)
@_option(
    "-f",
    "--format",
    "formats",
    callback=_split_formats,
    default=None,
    metavar="LIST",
    show_default=",".join(DEFAULT_FORMATS),
    help="Report formats, comma-separated, from html, json, md, csv.",
)
@_option(
    "--fail-on",
    type=click.Choice([m.value for m in FailOn]),
    default=FailOn.BROKEN.value,
    show_default=True,
    help="What makes the exit code 1: broken (suspect or confirmed), confirmed (broken over several runs and "
    "days, as the shards' histories say) or never.",
)
def merge(reports: tuple[str, ...], output: str, formats: tuple[str, ...] | None, fail_on: str) -> None:
    """Combine shard reports (the linkaudit.json of each `check --shard K/N` job) into one report set, as if
    one run had checked everything, and list what is broken."""
    from .audit import exit_code_for
    from .report.json import merge as merge_reports

    chosen = formats or DEFAULT_FORMATS
    to_stdout = _to_stdout(output, chosen)
    merged = merge_reports([_read_report(p) for p in reports])
    if to_stdout:
        written: list[Path] = []
        _write_stdout(_render_stdout(merged, chosen[0]))
    else:
        written = _write(merged, Path(output), chosen)
    _github(merged, None if to_stdout else Path(output), to_stdout=to_stdout)
    _print_summary(merged, written, err=to_stdout)
    _print_broken(merged, _report_hint(written), err=to_stdout)
    sys.exit(int(exit_code_for(merged, FailOn(fail_on))))


@main.command(
    epilog=_DEMO_EPILOG,
    short_help="Run the whole pipeline against a built-in simulated web on loopback (works offline).",
)
@_option("-o", "--output", default="reports/demo", show_default=True, metavar="DIR", help="Reports directory.")
@_option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    default="en",
    show_default=True,
    help="Language of the demo's reports and summary: en or ru.",
)
@output_options
def demo(output: str, lang: str, quiet: bool, verbose: bool) -> None:
    """Audit two sample bilingual documents against a simulated web on 127.0.0.1 that shows every failure mode
    (dead pages, soft 404s, parked domains, drift, moved sites…) and a Wayback-format archive, three times a
    week apart (simulated weekly runs), and write every report format. No network access is needed or used."""
    from .demo.run import DemoOutputError, run_demo

    if output == STDOUT:
        raise UsageProblem("the demo writes every report format and the archived copies: give -o a directory")
    terminal = Terminal(quiet=quiet, verbose=verbose)
    try:
        with terminal:
            result = run_demo(Path(output), lang=lang, observer=terminal)
    except DemoOutputError as exc:
        _fail(str(exc), ExitCode.USAGE)
    except OSError as exc:  # no loopback port could be bound, and the like
        _fail(f"the demo could not start its simulated web: {exc}", ExitCode.AUDIT_FAILED)
    _print_summary(result.report, [] if quiet else result.written)
    if not quiet:
        _print_broken(result.report, str(result.html), base=result.html.parent)
    click.echo(f"Open {result.html} in a browser to read the report (simulated web: the demo's reports say so).")
