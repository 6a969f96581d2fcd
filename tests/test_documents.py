"""documents: the inputs read and parsed, contained, and (``meanwhile``) read in a forked copy beside the caller's
own start. The forked reading is exercised in fresh interpreters: a test process has threads of its own, and a
process with threads is never forked."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from linkaudit import documents
from linkaudit.documents import FORK_INPUT_BYTES, load_documents
from linkaudit.inputs import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "notes.txt"
SHARED = ROOT.parent / "shared"
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the forked reading is Linux only")

# Run in a fresh interpreter: read ``PATHS`` with a ``meanwhile`` that notes when it runs, then read them again
# the plain way, and print what was seen as JSON. ``SETUP`` is code run first (to break something on purpose).
_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, threading, time
    import linkaudit.references as references
    from linkaudit import documents
    from linkaudit.inputs import InputError

    PATHS = json.loads(sys.argv[1])
    PARENT = os.getpid()
    readers = []  # pids that parsed a document, as the forked copy reports them through its file
    log = sys.argv[2]
    original = references.parse_document

    def parse_document(document):
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\\n")
        return original(document)

    references.parse_document = parse_document
    {SETUP}
    calls = []

    def meanwhile():
        calls.append(time.monotonic())
        {MEANWHILE}

    seen = {}
    problems = []
    try:
        forked = documents.load_documents(PATHS, problems=problems, meanwhile=meanwhile)
        seen["error"] = None
    except InputError as error:
        forked, seen["error"] = None, str(error)
    except RuntimeError as error:
        forked, seen["raised"] = None, str(error)
    readers = sorted({int(line) for line in open(log, encoding="utf-8")}) if os.path.exists(log) else []
    references.parse_document = original
    try:
        plain_problems = []
        plain = documents.load_documents(PATHS, problems=plain_problems)
        seen["plain_error"] = None
    except InputError as error:
        plain, plain_problems, seen["plain_error"] = None, [], str(error)
    try:
        os.waitpid(-1, os.WNOHANG)
        seen["children_left"] = True
    except ChildProcessError:
        seen["children_left"] = False
    seen.update(
        equal=forked == plain,
        count=len(forked or []),
        problems=problems,
        plain_problems=plain_problems,
        meanwhile_calls=len(calls),
        read_elsewhere=bool(readers) and all(pid != PARENT for pid in readers),
        read_here=PARENT in readers,
    )
    print(json.dumps(seen))
    """
)


def _run(tmp_path: Path, paths: list[Path | str], *, setup: str = "", meanwhile: str = "pass") -> dict[str, object]:
    script = _SCRIPT.replace("{SETUP}", setup).replace("{MEANWHILE}", meanwhile)
    log = tmp_path / "readers.log"
    log.unlink(missing_ok=True)
    program = subprocess.run(
        [sys.executable, "-c", script, json.dumps([str(path) for path in paths]), str(log)],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert program.returncode == 0, program.stderr
    seen: dict[str, object] = json.loads(program.stdout.strip().splitlines()[-1])
    return seen


def _corpus(names: list[str]) -> list[Path]:
    real = SHARED / "corpus" / "real"
    if not real.is_dir():
        pytest.skip("../shared/corpus is absent: the real documents are not here")
    return sorted(path for path in real.rglob("*") if path.suffix.lower().lstrip(".") in names)


def test_a_forked_copy_reads_the_inputs_and_the_answer_is_the_same(tmp_path: Path) -> None:
    seen = _run(tmp_path, [SAMPLE])
    assert seen["read_elsewhere"] is True and seen["read_here"] is False
    assert seen["equal"] is True and seen["count"] == 1
    assert seen["meanwhile_calls"] == 1
    assert seen["children_left"] is False  # the copy was waited for


def test_real_documents_read_in_the_copy_are_what_reading_them_here_gives(tmp_path: Path) -> None:
    """PDF, DOCX, ODT and BibTeX from the corpus: what comes back through the pipe equals a plain reading."""
    paths = _corpus(["pdf", "docx", "odt", "bib"])
    small = [
        min((path for path in paths if path.suffix == suffix), key=lambda path: path.stat().st_size)
        for suffix in (".pdf", ".docx", ".odt", ".bib")
    ]
    assert sum(path.stat().st_size for path in small) <= FORK_INPUT_BYTES
    seen = _run(tmp_path, small)
    assert seen["read_elsewhere"] is True
    assert seen["equal"] is True and seen["count"] == len(small)


def test_an_unreadable_input_is_the_same_one_line_problem_through_the_copy(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n this is not a PDF body")
    seen = _run(tmp_path, [SAMPLE, broken])
    assert seen["read_elsewhere"] is True and seen["equal"] is True
    assert seen["problems"] == seen["plain_problems"]
    assert len(seen["problems"]) == 1 and "broken.pdf" in str(seen["problems"])  # type: ignore[arg-type]


def test_nothing_readable_raises_the_same_error_through_the_copy(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n this is not a PDF body")
    seen = _run(tmp_path, [broken])
    assert seen["error"] is not None and seen["error"] == seen["plain_error"]
    assert "broken.pdf" in str(seen["error"])


def test_a_copy_that_dies_leaves_the_reading_to_the_caller(tmp_path: Path) -> None:
    """The copy killed while it reads: the caller reads the inputs itself, the answer unchanged, ``meanwhile``
    run once."""
    setup = textwrap.dedent(
        """
        def parse_document(document, _parse=parse_document):
            if os.getpid() != PARENT:
                os.kill(os.getpid(), 9)
            return _parse(document)
        references.parse_document = parse_document
        """
    )
    seen = _run(tmp_path, [SAMPLE], setup=setup)
    assert seen["read_here"] is True
    assert seen["equal"] is True and seen["count"] == 1
    assert seen["meanwhile_calls"] == 1
    assert seen["children_left"] is False


def test_a_copy_that_fails_unexpectedly_leaves_the_reading_to_the_caller(tmp_path: Path) -> None:
    setup = textwrap.dedent(
        """
        def parse_document(document, _parse=parse_document):
            if os.getpid() != PARENT:
                raise MemoryError("only in the copy")
            return _parse(document)
        references.parse_document = parse_document
        """
    )
    seen = _run(tmp_path, [SAMPLE], setup=setup)
    assert seen["read_here"] is True and seen["equal"] is True and seen["meanwhile_calls"] == 1


def test_a_process_with_another_thread_reads_here_then_runs_meanwhile(tmp_path: Path) -> None:
    setup = "threading.Thread(target=threading.Event().wait, daemon=True).start()"
    seen = _run(tmp_path, [SAMPLE], setup=setup)
    assert seen["read_here"] is True and seen["read_elsewhere"] is False
    assert seen["equal"] is True and seen["meanwhile_calls"] == 1


def test_meanwhile_failing_ends_the_copy_and_raises(tmp_path: Path) -> None:
    seen = _run(tmp_path, [SAMPLE], meanwhile="raise RuntimeError('meanwhile failed')")
    assert seen["raised"] == "meanwhile failed"
    assert seen["children_left"] is False  # the copy was ended and waited for, not left behind


def test_only_small_regular_files_are_read_beside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    small = tmp_path / "small.txt"
    small.write_text("1. http://example.kz/\n", encoding="utf-8")
    large = tmp_path / "large.txt"
    large.write_bytes(b"1. http://example.kz/\n" * (FORK_INPUT_BYTES // 20))
    assert documents._may_fork([str(small)])
    assert documents._may_fork([str(small), str(small)])
    assert not documents._may_fork([str(large)])
    assert not documents._may_fork([str(tmp_path)])  # a directory: its size is not known before it is walked
    assert not documents._may_fork(["-"])  # standard input is read once, by whoever reads it
    assert not documents._may_fork([str(tmp_path / "missing.txt")])
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not documents._may_fork([str(small)])


def test_meanwhile_is_not_run_when_nothing_could_be_read(tmp_path: Path) -> None:
    calls: list[int] = []
    with pytest.raises(InputError, match="missing.txt"):
        load_documents([str(tmp_path / "missing.txt")], meanwhile=lambda: calls.append(1))
    assert calls == []


def test_without_meanwhile_reading_is_here_and_unchanged(tmp_path: Path) -> None:
    calls: list[int] = []
    with_meanwhile = load_documents([str(SAMPLE)], meanwhile=lambda: calls.append(1))  # threads here: read here
    assert with_meanwhile == load_documents([str(SAMPLE)])
    assert calls == [1]


def _references_loaded(*statements: str) -> list[str]:
    """The references modules a fresh interpreter holds after ``statements``."""
    code = "\n".join(
        ["import sys", *statements, "print([n for n in sorted(sys.modules) if n.startswith('linkaudit.references')])"]
    )
    program = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded: list[str] = json.loads(program.stdout.strip().replace("'", '"'))
    return loaded


def test_reading_the_options_does_not_load_the_references() -> None:
    """``--format`` is parsed before the inputs are read; the references package loads in whatever reads them
    (the forked copy, when there is one), not in the command's own start."""
    loaded = _references_loaded(
        "import linkaudit.cli", "from linkaudit.report import parse_formats", "parse_formats('html,json')"
    )
    assert loaded == []


def test_loading_the_checker_does_not_load_the_note_half_and_date_readers() -> None:
    """What ``check`` loads while its forked copy reads the inputs: the audit needs the URL rules of the
    references stage, not its readers (those load where the inputs are read)."""
    loaded = _references_loaded("import linkaudit.cli, linkaudit.audit")
    assert "linkaudit.references.urls" in loaded
    for reader in ("notes", "halves", "dates", "findings", "document", "parallel"):
        assert f"linkaudit.references.{reader}" not in loaded
