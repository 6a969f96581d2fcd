"""parallel: a long list's notes read by worker processes give exactly what reading them here gives."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import linkaudit.references.parallel as parallel
from linkaudit.models import Document, DocumentKind
from linkaudit.references import parse_document
from linkaudit.spill import Spilled

NOTE = (
    "{n}. «Таможенный союз: за и против, часть {n}», Новости Атырау, 3 ноября 2012 года, "
    "http://atyrau.example.kz/news/{n}.html (“Customs Union: pros and cons, part {n}”, Weekly Atyrau, "
    "3 November 2012, http://atyrau.example.kz/news/{n}.html).\n"
)


def _document(count: int) -> Document:
    lines = [NOTE.format(n=n) for n in range(1, count + 1)]
    lines[40] = "41. Там же. С. 5.\n"  # an "Ibid.": its URLs are its target's, read back from a spilled list
    lines[300] = "301. Ibid.\n"
    text = "".join(lines)
    return Document(name="notes.txt", kind=DocumentKind.TEXT, text=text, encoding="utf-8")


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """Lists go to workers from 200 notes on, in tasks of one chunk (512); the workers really start (their
    commands are recorded)."""
    monkeypatch.setattr(parallel, "PARALLEL_ABOVE", 200)
    monkeypatch.setattr(parallel, "TASK", 512)
    commands: list[list[str]] = []
    real = subprocess.Popen

    def popen(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        commands.append(command)
        return real(command, **options)

    monkeypatch.setattr(parallel.subprocess, "Popen", popen)
    yield commands


def _serial(document: Document, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_ABOVE", 10**9)
        return parse_document(document)


def test_workers_read_a_long_list_as_this_process_would(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _document(1300)
    expected = _serial(document, monkeypatch)
    parsed = parse_document(document)
    assert len(started) == 2  # two workers: this machine's cores, at most one per task
    assert list(parsed.references) == list(expected.references)
    assert parsed.findings == expected.findings
    ibid = parsed.references[40]
    assert ibid.ibid_of == "notes.txt#A40" and ibid.urls == parsed.references[39].urls


def test_more_tasks_than_workers_are_shared_out_in_order(started: list[list[str]]) -> None:
    read = parallel.read_all([str(n) for n in range(2600)], int, workers=2)  # 6 tasks, the last one short
    assert isinstance(read, Spilled)
    assert list(read) == list(range(2600))
    assert read[2599] == 2599 and read[1024] == 1024
    assert len(started) == 2


def test_workers_that_die_leave_their_work_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies at once, or in the middle of its first task: the same result, read here."""
    monkeypatch.setattr(parallel, "PARALLEL_ABOVE", 200)
    monkeypatch.setattr(parallel, "TASK", 512)
    deaths = iter(
        [
            [sys.executable, "-c", "import os; os._exit(3)"],
            [sys.executable, "-c", "import os, sys; sys.stdin.buffer.read(100); os._exit(9)"],
        ]
    )
    real = subprocess.Popen

    def popen(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        return real(next(deaths), **options)

    monkeypatch.setattr(parallel.subprocess, "Popen", popen)
    document = _document(1300)
    parsed = parse_document(document)
    assert next(deaths, None) is None  # both dying workers were started
    assert list(parsed.references) == list(_serial(document, monkeypatch).references)


def test_a_worker_that_cannot_start_leaves_its_work_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_ABOVE", 10)

    def popen(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        raise OSError("no processes left")

    monkeypatch.setattr(parallel.subprocess, "Popen", popen)
    assert list(parallel.read_all([str(n) for n in range(1500)], int, workers=2)) == list(range(1500))


def test_an_error_reading_an_entry_is_raised_here_as_without_workers(started: list[list[str]]) -> None:
    entries = [str(n) for n in range(600)]
    entries[450] = "not a number"
    with pytest.raises(ValueError, match="not a number"):
        parallel.read_all(entries, int, workers=2)
    assert started  # the workers ran, failed on the task, and this process read it again


def test_short_lists_and_single_cores_are_read_here(started: list[list[str]]) -> None:
    assert parallel.read_all([str(n) for n in range(200)], int) == list(range(200))
    assert list(parallel.read_all([str(n) for n in range(900)], int, workers=1)) == list(range(900))
    assert started == []


def test_a_long_list_without_ibid_is_read_by_workers_straight_into_references_and_findings(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [NOTE.format(n=n) for n in range(1, 1301)]
    for n in (7, 700, 1290):  # home pages only: a finding each, made by a worker
        lines[n - 1] = f"{n}. Новости Атырау, 2012, http://atyrau{n}.example.kz/\n"
    lines[500] = "501. Атырау, http://atyrau.example.kz/news/a.html, http://atyrau.example.kz/news/a.html\n"
    document = Document(name="notes.txt", kind=DocumentKind.TEXT, text="".join(lines), encoding="utf-8")
    expected = _serial(document, monkeypatch)
    parsed = parse_document(document)
    assert len(started) == 2
    assert list(parsed.references) == list(expected.references)
    assert parsed.findings == expected.findings
    assert {finding.reference for finding in parsed.findings} >= {"notes.txt#A7", "notes.txt#A700", "notes.txt#A1290"}


def _two_lists(english_label: str) -> Document:
    """600 Russian notes under "Литература", then their 600 English renderings under "References", each English
    entry opened by ``english_label`` ("{n}." numbered, "-" bulleted)."""
    russian = [
        f"{n}. Иванов И. Таможенный союз, часть {n} // Новости Атырау. 2012. URL: http://atyrau.example.kz/{n}\n"
        for n in range(1, 601)
    ]
    english = [
        f"{english_label.format(n=n)} Ivanov I. Customs Union, part {n}. Weekly Atyrau, 2012. "
        f"URL: http://atyrau.example.kz/{n}\n"
        for n in range(1, 601)
    ]
    text = "Литература\n\n" + "".join(russian) + "\nReferences\n\n" + "".join(english)
    return Document(name="notes.txt", kind=DocumentKind.TEXT, text=text, encoding="utf-8")


def test_a_long_list_and_its_translation_are_still_paired(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _two_lists("{n}.")
    expected = _serial(document, monkeypatch)
    parsed = parse_document(document)
    assert len(expected.references) == 600  # one list: each note with its translation
    assert list(parsed.references) == list(expected.references)
    assert parsed.findings == expected.findings


def test_an_interrupted_read_stops_its_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while workers read: the interruption goes up at once and every worker is killed, not left to
    finish the list."""
    import threading

    monkeypatch.setattr(parallel, "PARALLEL_ABOVE", 10)
    monkeypatch.setattr(parallel, "TASK", 512)
    workers: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        workers.append(real(command, **options))
        return workers[-1]

    def interrupted(self: threading.Thread, timeout: float | None = None) -> None:
        while len(workers) < 2:  # both workers have started
            threading.Event().wait(0.01)
        raise KeyboardInterrupt

    sent: list[int] = []
    send = parallel._send

    def counted(stream: Any, message: Any) -> None:
        sent.append(1)
        send(stream, message)

    monkeypatch.setattr(parallel.subprocess, "Popen", popen)
    monkeypatch.setattr(parallel, "_send", counted)
    monkeypatch.setattr(threading.Thread, "join", interrupted)
    with pytest.raises(KeyboardInterrupt):
        parallel.read_all([str(n) for n in range(100_000)], int, workers=2)  # 196 tasks
    for worker in workers:
        assert worker.wait(timeout=30) == -9  # killed
    assert len(sent) < 20  # not left to read the rest of the list


def test_a_long_list_beside_a_bulleted_one_reads_as_this_process_would(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulleted neighbour's length is known only once its entries are paired, so a long numbered list beside
    one is read as notes, to be paired as the serial reading would pair it."""
    document = _two_lists("-")
    expected = _serial(document, monkeypatch)
    parsed = parse_document(document)
    assert list(parsed.references) == list(expected.references)
    assert parsed.findings == expected.findings


def test_without_a_program_to_start_workers_with_the_list_is_read_here(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parallel.sys, "executable", "")  # an embedded interpreter
    assert list(parallel.read_all([str(n) for n in range(900)], int, workers=2)) == list(range(900))
    assert started == []
    assert capfd.readouterr().err == ""


def test_a_task_that_cannot_be_sent_is_read_here_without_a_traceback(
    started: list[list[str]], capfd: pytest.CaptureFixture[str]
) -> None:
    entries: list[object] = [str(n) for n in range(900)]
    entries[700] = _Unpicklable("7")  # fails to pickle in the feeding thread, reads fine here
    assert list(parallel.read_all(entries, int, workers=2)) == [*range(700), 7, *range(701, 900)]
    assert len(started) == 2
    assert "Traceback" not in capfd.readouterr().err


class _Unpicklable(str):
    def __reduce__(self) -> Any:
        raise TypeError("not picklable")


def test_the_json_of_a_long_lists_references_is_made_by_the_workers_and_is_the_same_text(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``references_encoded`` each chunk's JSON comes back from the worker that read it: the report is the
    same text, byte for byte, written without reading a spilled reference back (a lone surrogate, which orjson
    refuses, included)."""
    import linkaudit.references.document as references
    from linkaudit.report.json import LazyList, json_chunks, reference_chunk, reference_to_dict, references_encoded

    monkeypatch.setattr(references, "PARALLEL_ABOVE", 200)  # a list this long is read straight into references
    lines = [NOTE.format(n=n) for n in range(1, 1301)]
    lines[600] = "601. «Заголовок \ud800 601», Новости, 2012, http://atyrau.example.kz/news/601.html\n"
    text = "Вступление: http://atyrau.example.kz/intro\n\n" + "".join(lines)
    document = Document(name="notes.txt", kind=DocumentKind.TEXT, text=text, encoding="utf-8")

    def report(references: Any) -> str:
        return "".join(json_chunks({"references": LazyList(references, reference_to_dict)}))

    expected = report(parse_document(document).references)  # read back and converted here
    started.clear()
    with references_encoded():
        parsed = parse_document(document)
    assert len(started) == 2
    notes, paragraph = parsed.references.parts  # type: ignore[attr-defined]  # the paragraphs come after the lists
    assert [reference.id for reference in paragraph] == ["notes.txt#p1"]
    assert isinstance(notes, Spilled) and notes.encoded(reference_chunk) is not None
    assert len(notes.encoded(reference_chunk) or ()) == 3  # one JSON text for each chunk of 512 notes

    # at another depth than a report's, the references are read back and converted: the same text again
    plain = parse_document(document).references
    assert "".join(json_chunks([LazyList(parsed.references, reference_to_dict)])) == "".join(
        json_chunks([LazyList(plain, reference_to_dict)])
    )

    def not_read(self: Spilled[Any], block: int) -> Any:
        raise AssertionError("a spilled reference was read back")

    monkeypatch.setattr(Spilled, "_load", not_read)
    assert report(parsed.references) == expected
    assert "\ud800" in expected
