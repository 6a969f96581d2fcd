"""The compiled templates kept between runs never make a report fail or differ: an unwritable or unsafe
directory, a damaged file and a changed template all give the page the template gives when compiled."""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.bccache import bc_magic

from linkaudit.models import Report
from linkaudit.report import html, write_reports

TEMPLATES = Path(html.__file__).parent / "templates"


def _page(report: Report, environment: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(html, "_ENVIRONMENT", environment)
    return html.render(report)


def _cached(directory: Path, loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """A new environment (as a new run makes) keeping its compiled templates in ``directory``."""
    environment = html._environment(loader)
    environment.bytecode_cache = html.compiled_templates(environment, directory)
    assert environment.bytecode_cache is not None
    return environment


def _no_compiling(environment: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("compiled a template the cache holds")

    monkeypatch.setattr(environment, "compile", refuse)


@pytest.fixture
def plain(rich_report: Report, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page with the templates compiled, no cache."""
    return _page(rich_report, html._environment(), monkeypatch)


def test_compiled_templates_are_kept_and_give_the_same_page(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _page(rich_report, _cached(tmp_path), monkeypatch) == plain
    assert len(list(tmp_path.glob("*.bin"))) == 2  # the page and the stylesheet it includes
    assert not list(tmp_path.glob(".*"))  # no temporary file left
    again = _cached(tmp_path)
    _no_compiling(again, monkeypatch)
    assert _page(rich_report, again, monkeypatch) == plain


def test_a_directory_that_cannot_be_made_is_no_cache(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert _page(rich_report, _cached(blocker / "templates"), monkeypatch) == plain
    assert blocker.read_text() == "not a directory"


def test_a_directory_that_cannot_be_written_is_no_cache(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert _page(rich_report, _cached(tmp_path), monkeypatch) == plain
    assert not list(tmp_path.iterdir())


def test_a_file_that_cannot_be_moved_into_place_is_removed(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: str, target: str) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    assert _page(rich_report, _cached(tmp_path), monkeypatch) == plain
    assert not list(tmp_path.iterdir())


def test_a_cache_file_that_cannot_be_read_is_none(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _page(rich_report, _cached(tmp_path), monkeypatch)
    for path in tmp_path.glob("*.bin"):
        path.unlink()
        path.mkdir()  # IsADirectoryError when read, and it cannot be replaced
    assert _page(rich_report, _cached(tmp_path), monkeypatch) == plain


def test_an_unwritable_home_still_writes_the_report(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.write_text("")  # neither ~/.cache nor anything under it can be made
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setattr(html, "_ENVIRONMENT", None)
    write_reports(rich_report, tmp_path / "out", ["html"])
    assert (tmp_path / "out" / "linkaudit.html").read_text(encoding="utf-8") == plain


def _damaged(payload: bytes, keep_digest: bool) -> bytes:
    if keep_digest:
        return hashlib.sha256(payload).digest() + payload
    return b"\0" * 32 + payload


def _bucket_payload(checksum: str, code: bytes) -> bytes:
    return bc_magic + pickle.dumps(checksum, 2) + code


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "empty",
        "digest of other contents",
        "not code",
        "broken pickle",
        "broken marshal",
        "other magic",
    ],
)
def test_a_damaged_cache_file_is_compiled_again(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    environment = _cached(tmp_path)
    _page(rich_report, environment, monkeypatch)
    cache = environment.bytecode_cache
    assert isinstance(cache, html.CompiledTemplates)
    for path in tmp_path.glob("*.bin"):
        data = path.read_bytes()
        header = data[32 : 32 + len(bc_magic)]
        checksum = pickle.loads(data[32 + len(bc_magic) :])  # what follows the pickle is ignored
        damaged = {
            "garbage": os.urandom(len(data)),
            "truncated": data[: len(data) // 2],
            "empty": b"",
            "digest of other contents": data.replace(b"data-i18n=", b"data-i18N="),  # still code, other text
            "not code": _damaged(_bucket_payload(checksum, marshal.dumps(42)), keep_digest=True),
            "broken pickle": _damaged(header + b"\x80\x02X\xff\xff\xff\x7fabc", keep_digest=True),
            "broken marshal": _damaged(_bucket_payload(checksum, b"\xe3\x00"), keep_digest=True),
            "other magic": _damaged(b"j2" + data[32 + 2 :], keep_digest=False),
        }[damage]
        path.write_bytes(damaged)
    assert _page(rich_report, _cached(tmp_path), monkeypatch) == plain
    again = _cached(tmp_path)  # the damaged files were replaced by good ones
    _no_compiling(again, monkeypatch)
    assert _page(rich_report, again, monkeypatch) == plain


def test_a_changed_template_is_compiled_again(
    rich_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    cache = tmp_path / "cache"
    loader = jinja2.FileSystemLoader(templates)
    before = _page(rich_report, _cached(cache, loader), monkeypatch)
    page = templates / "report.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("<title>", "<title>Changed "), encoding="utf-8")
    style = templates / "report.css"
    style.write_text(style.read_text(encoding="utf-8") + ".changed { color: red; }\n", encoding="utf-8")
    after = _page(rich_report, _cached(cache, loader), monkeypatch)
    assert "<title>Changed " in after and ".changed { color: red; }" in after
    assert after.replace("<title>Changed ", "<title>").replace("\n.changed { color: red; }", "") == before


def test_other_settings_or_versions_keep_other_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = html._environment()
    cache = html.compiled_templates(environment, tmp_path)
    assert cache is not None
    key = cache.get_cache_key("report.html.j2", "report.html.j2")
    other = html._environment()
    other.trim_blocks = False
    other_cache = html.compiled_templates(other, tmp_path)
    assert other_cache is not None and other_cache.get_cache_key("report.html.j2", "report.html.j2") != key
    monkeypatch.setattr(jinja2, "__version__", "0.0.0")
    newer = html.compiled_templates(environment, tmp_path)
    assert newer is not None and newer.get_cache_key("report.html.j2", "report.html.j2") != key
    monkeypatch.delattr(jinja2, "__version__")
    assert html.compiled_templates(environment, tmp_path) is None  # no version to tell compiled code apart


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_in_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert html.compiled_templates(html._environment(), shared) is None
    shared.chmod(0o700)
    assert html.compiled_templates(html._environment(), shared) is not None


@pytest.mark.skipif(os.name == "nt", reason="XDG on POSIX")
def test_the_cache_is_in_the_users_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert html.cache_directory() == tmp_path / "xdg" / "linkaudit" / "templates"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert html.cache_directory() == tmp_path / "home" / ".cache" / "linkaudit" / "templates"


def test_runs_writing_and_reading_at_once_see_whole_files(
    rich_report: Report, plain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = _cached(tmp_path)
    _page(rich_report, environment, monkeypatch)
    cache = environment.bytecode_cache
    assert isinstance(cache, html.CompiledTemplates)
    source = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    filename = str(TEMPLATES / "report.html.j2")
    failures: list[str] = []

    def run() -> None:
        for _ in range(30):
            bucket = cache.get_bucket(environment, "report.html.j2", filename, source)
            if bucket.code is None:
                failures.append("a reader found no whole file")
            cache.set_bucket(bucket)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert not list(tmp_path.glob(".*"))
    assert _page(rich_report, _cached(tmp_path), monkeypatch) == plain
