"""GitHub annotations and step summary: escaping by the workflow-command rules, and the cited line."""

import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import overload

import pytest

from linkaudit.models import (
    CheckResult,
    Finding,
    FindingKind,
    FoundUrl,
    History,
    Link,
    LinkReport,
    Reference,
    Report,
    Snapshot,
)
from linkaudit.report import github
from linkaudit.report.github import annotations, append_step_summary, escape_data, escape_property
from linkaudit.status import Status

DEAD_URL = "http://www.kremlin.ru/news/13%20a,b"
REFERENCE_TEXT = "[2] В. Путин. Новый интеграционный проект.\nИзвестия, 3.10.2011. " + DEAD_URL + "\n"


def unescape(text: str, *, property_value: bool = False) -> str:
    """GitHub's reading of an escaped value (actions/runner ``ActionCommand`` unescaping)."""
    if property_value:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Splits ``::kind k=v,k=v::message`` the way the runner does."""
    assert line.startswith("::")
    head, separator, message = line[2:].partition("::")
    assert separator
    kind, _, listed = head.partition(" ")
    properties = {}
    for pair in filter(None, listed.split(",")):
        name, _, value = pair.partition("=")
        properties[name] = unescape(value, property_value=True)
    return kind, properties, unescape(message)


def reference(document: str = "docs/notes, 2011.txt", line: int = 12) -> Reference:
    text = REFERENCE_TEXT
    start = text.index(DEAD_URL)
    return Reference(
        id=f"{document}#B2",
        document=document,
        text=text,
        line=line,
        list="B",
        number="2",
        urls=(DEAD_URL,),
        found=(FoundUrl(url=DEAD_URL, raw=DEAD_URL, start=start, end=start + len(DEAD_URL)),),
    )


def link_report(
    cited: Reference, status: Status, *, url: str = DEAD_URL, history: History | None = None, **extra: object
) -> LinkReport:
    link = Link(url=url, normalized=url, references=(cited.id,), host="www.kremlin.ru")
    result = CheckResult(url=url, normalized=url, status=status, **extra)  # type: ignore[arg-type]
    return LinkReport(link=link, result=result, history=history)


def make_report(
    references: tuple[Reference, ...], links: tuple[LinkReport, ...], findings: tuple[Finding, ...] = ()
) -> Report:
    return Report(
        generated_at="2024-03-01T12:00:00Z",
        tool_version="0.1.0",
        documents=tuple(sorted({item.document for item in references})),
        references=references,
        links=links,
        findings=findings,
    )


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"
    assert escape_data("%0A") == "%250A"  # an escape sequence in the text is not read as one


def test_a_broken_link_points_at_the_line_of_its_url() -> None:
    cited = reference()
    detail = "404 Not Found\nafter 3 attempts: 100% sure"
    broken = link_report(cited, Status.DEAD, http_status=404, detail=detail)
    lines = annotations(make_report((cited,), (broken,)))
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\r" not in lines[0]
    kind, properties, message = parse(lines[0])
    assert kind == "warning"
    assert properties == {"file": "docs/notes, 2011.txt", "line": "13", "title": "Broken link (dead)"}
    assert "file=docs/notes%2C 2011.txt," in lines[0]
    assert message.startswith(f"dead (HTTP 404): {DEAD_URL}")
    assert "cited in docs/notes, 2011.txt#B2" in message
    assert detail in message


def test_without_usable_offsets_the_reference_line_is_used() -> None:
    cited = reference(line=40)
    shifted = replace(cited, found=(FoundUrl(url=DEAD_URL, raw=DEAD_URL, start=0, end=5),))
    lines = annotations(make_report((shifted,), (link_report(shifted, Status.SOFT_404),)))
    assert parse(lines[0])[1]["line"] == "40"


def test_only_broken_links_are_annotated_and_confirmed_ones_come_first() -> None:
    cited = reference()
    other = "http://izvestia.ru/news/502761"
    suspect = link_report(cited, Status.TIMEOUT, url=other, detail="no answer in 20 s")
    confirmed = link_report(
        cited,
        Status.PARKED,
        history=History(first_broken_at="2024-02-01T00:00:00Z", broken_runs=3, confirmed=True),
    )
    quiet = [
        link_report(cited, status, url=f"http://ok.example/{status}")
        for status in (Status.OK, Status.REDIRECTED, Status.BLOCKED, Status.SKIPPED, Status.INVALID)
    ]
    lines = annotations(make_report((cited,), (suspect, *quiet, confirmed)))
    assert len(lines) == 2
    first, second = (parse(line) for line in lines)
    assert first[1]["title"] == "Confirmed broken link (parked)"
    assert "broken since 2024-02-01T00:00:00Z (3 runs)" in first[2]
    assert second[1]["title"] == "Broken link (timeout)"
    assert second[1]["line"] == "12"  # this URL is not among the reference's found URLs


def test_archived_copy_is_offered_in_the_message() -> None:
    cited = reference()
    snapshot = Snapshot(
        url="https://web.archive.org/web/20111004000000/" + DEAD_URL,
        timestamp="20111004000000",
        original=DEAD_URL,
        archive="wayback",
    )
    item = replace(link_report(cited, Status.DEAD), archive=snapshot)
    message = parse(annotations(make_report((cited,), (item,)))[0])[2]
    assert message.endswith(f"archived copy: {snapshot.url}")


def test_findings_are_annotated_on_their_reference() -> None:
    cited = reference(line=7)
    finding = Finding(
        kind=FindingKind.URL_ONLY_IN_ONE_HALF,
        reference=cited.id,
        message="The English half cites no URL: copy it from the Russian half.",
    )
    lines = annotations(make_report((cited,), (), findings=(finding,)))
    kind, properties, message = parse(lines[0])
    assert (kind, properties["line"], properties["title"]) == (
        "warning",
        "7",
        "Reference problem (url_only_in_one_half)",
    )
    assert message == f"{finding.message} ({cited.id})"


def test_a_finding_about_a_url_points_at_the_url_line() -> None:
    cited = reference(line=7)
    finding = Finding(FindingKind.SCHEME_ADDED, cited.id, "http:// added", url=DEAD_URL)
    assert parse(annotations(make_report((cited,), (), findings=(finding,)))[0])[1]["line"] == "8"


def test_paths_are_made_relative_to_the_documents_root(tmp_path: Path) -> None:
    cited = reference(document=str(tmp_path / "papers" / "notes.txt"))
    lines = annotations(make_report((cited,), (link_report(cited, Status.DEAD),)), documents_root=tmp_path)
    assert parse(lines[0])[1]["file"] == "papers/notes.txt"


def test_stdin_documents_get_no_file_property() -> None:
    cited = reference(document="<stdin>")
    kind, properties, _ = parse(annotations(make_report((cited,), (link_report(cited, Status.DEAD),)))[0])
    assert kind == "warning"
    assert set(properties) == {"title"}


def test_step_summary_is_appended(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("# Earlier step\n", encoding="utf-8")
    append_step_summary("## linkaudit\n\n2 ссылки мертвы", str(summary))
    append_step_summary("second\n", str(summary))
    assert summary.read_text(encoding="utf-8") == "# Earlier step\n## linkaudit\n\n2 ссылки мертвы\nsecond\n"


def test_step_summary_is_cut_at_the_limit_without_breaking_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(github, "STEP_SUMMARY_LIMIT", 400)
    summary = tmp_path / "step_summary.md"
    append_step_summary("ссылка " * 200, str(summary))
    written = summary.read_bytes()
    assert len(written) <= 400
    text = written.decode("utf-8")  # no character was cut in half
    assert text.startswith("ссылка ссылка")
    assert text.endswith(github.TRUNCATION_NOTE)


class _MadeOnRead(Sequence[LinkReport]):
    """Links made as they are read, as a long run's report gives them."""

    def __init__(self, cited: Reference, count: int) -> None:
        self.cited = cited
        self.size = count

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> LinkReport: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[LinkReport]: ...
    def __getitem__(self, index: int | slice) -> LinkReport | Sequence[LinkReport]:
        if isinstance(index, slice):
            raise TypeError("read in order only")
        if not 0 <= index < self.size:
            raise IndexError(index)
        history = History(first_broken_at="2024-02-01T00:00:00Z", broken_runs=3, confirmed=index % 3 == 0)
        detail = f"gone since the move of the archive, case {index} " * 4
        return link_report(self.cited, Status.DEAD, url=f"http://gone.example/{index}", history=history, detail=detail)


def _peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_annotations_come_one_at_a_time_confirmed_first_each_once() -> None:
    """The command line writes the annotations as they come: the broken links are never all held at once, the
    confirmed ones come first in link order, then the others, and a line given twice is written once."""
    cited = reference()
    links = _MadeOnRead(cited, 3000)
    twice = link_report(
        cited, Status.DEAD, url="http://gone.example/0", history=links[0].history, detail=links[0].result.detail
    )
    lines = list(github.iter_annotations(make_report((cited,), (*links, twice))))
    assert len(lines) == 3000
    numbers = [int(parse(line)[2].split("gone.example/")[1].split(" ")[0]) for line in lines]
    assert numbers == [n for n in range(3000) if n % 3 == 0] + [n for n in range(3000) if n % 3]
    streamed = make_report((cited,), ())
    streamed = replace(streamed, links=links)
    assert annotations(streamed) == lines
    holding = _peak(lambda: list(links))
    writing = _peak(lambda: all(line for line in github.iter_annotations(streamed)))
    assert writing < holding / 4
