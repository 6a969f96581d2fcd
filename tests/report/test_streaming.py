"""Reports of long documents: the references may be a spilled sequence, read back as iterated, and the files are
written piece by piece. The text must be the same as for references held as a tuple, and each writer must read
the references a fixed number of times (not once per link, and never by index)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import overload

import pytest

import linkaudit.spill
from linkaudit.audit import load_documents
from linkaudit.links import collect_links
from linkaudit.models import CheckResult, LinkReport, Reference, Report, Snapshot
from linkaudit.report import ReportFormat, csv, html, markdown, summary, write_reports
from linkaudit.report.github import annotations
from linkaudit.spill import Spilled, joined
from linkaudit.status import Status


def _written(report: Report, directory: Path) -> dict[str, bytes]:
    paths = write_reports(report, directory, list(ReportFormat))
    return {path.name: path.read_bytes() for path in paths}


def test_every_format_is_the_same_for_spilled_references(rich_report: Report, tmp_path: Path) -> None:
    spilled = replace(rich_report, references=Spilled(rich_report.references, chunk=3))
    assert _written(spilled, tmp_path / "spilled") == _written(rich_report, tmp_path / "tuple")
    assert annotations(spilled) == annotations(rich_report)


NOTES = """Примечания

1. Первая статья http://a.kz/1.html (дата обращения: 12.03.2011)
2. Там же.
3. Вторая статья http://b.kz/2.html и http://a.kz/1.html
4. Без ссылки.
5. Третья статья http://c.kz/3.html
6. Сайт агентства http://d.kz/
7. Там же.
"""


def _long_report(path: Path) -> Report:
    parsed = load_documents([str(path)])
    links = collect_links(parsed)
    statuses = (Status.DEAD, Status.OK, Status.BLOCKED, Status.SOFT_404)
    items = tuple(
        LinkReport(
            link=link,
            result=CheckResult(
                url=link.url,
                normalized=link.normalized,
                status=statuses[index % len(statuses)],
                http_status=404 if index % len(statuses) == 0 else 200,
                title="Заголовок",
                title_match=False if index == 1 else None,
                checked_at="2026-12-02T07:00:00Z",
            ),
            archive=Snapshot(
                url=f"http://archive.test/web/20110310000000/{link.url}",
                timestamp="20110310000000",
                original=link.url,
                archive="wayback",
                verified=True,
                distance_days=-2,
            )
            if index == 0
            else None,
            saved=f"http://archive.test/web/20261202/{link.url}" if index == 2 else None,
        )
        for index, link in enumerate(links)
    )
    return Report(
        generated_at="2026-12-02T07:00:00Z",
        tool_version="0",
        documents=tuple(p.document.name for p in parsed),
        references=joined([p.references for p in parsed]),
        links=items,
        findings=tuple(finding for p in parsed for finding in p.findings),
    )


def test_a_spilled_document_reports_as_one_held_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = tmp_path / "notes.txt"
    document.write_text(NOTES, encoding="utf-8")
    held = _long_report(document)
    monkeypatch.setattr(linkaudit.spill, "SPILL_ABOVE", 0)
    spilled = _long_report(document)
    assert not isinstance(spilled.references, tuple)  # read back from compressed chunks as iterated
    assert list(spilled.references) == list(held.references) and len(held.references) == 7
    assert held.findings  # a note citing a home page only
    assert _written(spilled, tmp_path / "spilled") == _written(held, tmp_path / "held")
    assert annotations(spilled) == annotations(held)


class CountedReads(Sequence[Reference]):
    """References that count how often they are read whole, and refuse to be read by index."""

    def __init__(self, references: Sequence[Reference]) -> None:
        self._references = tuple(references)
        self.reads = 0

    def __len__(self) -> int:
        return len(self._references)

    def __iter__(self) -> Iterator[Reference]:
        self.reads += 1
        return iter(self._references)

    @overload
    def __getitem__(self, index: int) -> Reference: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Reference]: ...

    def __getitem__(self, index: int | slice) -> Reference | Sequence[Reference]:
        raise AssertionError("a report writer read the references by index")


@pytest.mark.parametrize(
    ("name", "most"),
    [("html", 2), ("md", 1), ("csv", 1), ("github", 1)],
)
def test_each_writer_reads_the_references_a_fixed_number_of_times(rich_report: Report, name: str, most: int) -> None:
    references = CountedReads(rich_report.references)
    report = replace(rich_report, references=references)
    expected = {
        "html": lambda: html.render(rich_report),
        "md": lambda: markdown.render(rich_report),
        "csv": lambda: csv.render(rich_report),
        "github": lambda: "\n".join(annotations(rich_report)),
    }[name]()
    written = {
        "html": lambda: "".join(html.chunks(report)),
        "md": lambda: "".join(markdown.chunks(report)),
        "csv": lambda: "".join(csv.chunks(report)),
        "github": lambda: "\n".join(annotations(report)),
    }[name]()
    assert written == expected
    assert 1 <= references.reads <= most


def test_streamed_pieces_make_the_rendered_text(rich_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "STREAM_CHUNK", 100)
    monkeypatch.setattr(csv, "ROWS_PER_CHUNK", 1)
    for module in (html, markdown, csv):
        pieces = list(module.chunks(rich_report))
        assert len(pieces) > 3
        assert "".join(pieces) == module.render(rich_report)


def test_a_csv_written_in_pieces_has_one_byte_order_mark(
    rich_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv, "ROWS_PER_CHUNK", 1)
    (path,) = write_reports(rich_report, tmp_path, ["csv"])
    data = path.read_bytes()
    assert data == csv.render(rich_report).encode("utf-8-sig")
    assert data.count("\ufeff".encode()) == 1


def test_links_are_put_in_the_order_their_reference_cites_them(rich_report: Report) -> None:
    cited = [item for item in rich_report.links if len(item.link.references) >= 1]
    first, second, third = cited[0], cited[1], cited[2]
    reference = Reference(
        id="notes.txt#Z1",
        document="notes.txt",
        text="",
        line=1,
        # the second link as written (its key is its normalized form), then the first, then a link cited twice
        urls=(second.link.url, "http://elsewhere.test/", first.link.normalized, second.link.url),
    )
    items = [third, first, second]  # the third is not among the reference's URLs: it goes last
    assert summary.in_citing_order(items, reference) == [second, first, third]
    assert summary.in_citing_order([third], reference) == [third]


def test_an_ibid_links_to_its_note_before_or_after_it_and_names_a_missing_one(rich_report: Report) -> None:
    references = list(rich_report.references)
    last = len(references)
    references[0] = replace(references[0], ibid_of=references[-1].id)  # a later note
    references[1] = replace(references[1], ibid_of="elsewhere.txt#Z9")  # a note the report does not hold
    references[3] = replace(references[3], ibid_of=references[2].id)  # the note before
    report = replace(rich_report, references=Spilled(references, chunk=2))
    page = html.render(report)
    ibids = [part.split("</p>")[0] for part in page.split('<p class="ibid">')[1:]]
    target = references[-1].id.rpartition("#")[2]
    assert f'<a href="#ref-{last}">{target}</a>' in ibids[0]
    assert ibids[1].endswith("→ elsewhere.txt#Z9")
    assert f'<a href="#ref-3">{references[2].id.rpartition("#")[2]}</a>' in ibids[2]
