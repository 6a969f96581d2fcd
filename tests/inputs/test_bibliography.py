"""BibTeX, CSL-JSON and RIS: one reference per entry, URLs from their fields, dates, language, containment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkaudit.fix import fixed_reference_list
from linkaudit.inputs import read_bytes, read_file
from linkaudit.models import Snapshot
from linkaudit.references import parse_document

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
BIB = SHARED / "corpus" / "real" / "bib"
needs_corpus = pytest.mark.skipif(not BIB.is_dir(), reason=f"the real-document corpus is absent ({BIB})")

BIBTEX = r"""
@string{jn = "Journal of Tests"}
% a comment line
@online{ivanov2020,
  author = {Иванов, И. И. and P{\"o}ll, J.},
  title = {Отчёт о~работе: 50\% \& more --- part},
  url = {http://example.org/a\_b/report\%20one.pdf},
  urldate = {19.01.2015},
  date = {2020-03-05},
  langid = {russian},
}
@article{smith2019,
  title = "Deep {Learning}",
  journal = jn,
  year = 2019, month = mar,
  doi = {10.1000/ABC.123},
  eprint = {1901.00001}, eprinttype = {arxiv},
  note = {Mirror: \url{https://mirror.example/smith} and https://second.example/x.},
}
@misc{broken,
  title = {never closed,
@misc{after,
  howpublished = {\url{https://example.org/after}},
  urldate = {2021-07-01},
}
"""


def test_bibtex_entries_fields_and_a_malformed_entry_contained() -> None:
    document = read_bytes(BIBTEX.encode(), "refs.bib", suffix=".bib", path=None)
    assert document.reader == "bibtex"
    assert len(document.remarks) == 1
    assert document.remarks[0].startswith("the @misc entry on line")  # the CLI names the file
    references = {reference.id: reference for reference in parse_document(document).references}
    assert list(references) == ["refs.bib#ivanov2020", "refs.bib#smith2019", "refs.bib#after"]
    ivanov = references["refs.bib#ivanov2020"]
    (half,) = ivanov.halves
    assert ivanov.urls == ("http://example.org/a_b/report%20one.pdf",)
    assert (half.lang, half.accessed, half.date) == ("ru", "2015-01-19", "2020-03-05")
    assert half.title == "Отчёт о работе: 50% & more — part"
    assert half.authors == "Иванов, И. И., Pöll, J."
    assert ivanov.line == 4
    smith = references["refs.bib#smith2019"]
    assert smith.urls == (
        "https://doi.org/10.1000/ABC.123",
        "https://arxiv.org/abs/1901.00001",
        "https://mirror.example/smith",
        "https://second.example/x",
    )
    assert smith.halves[0].date == "2019-03"
    assert smith.halves[0].outlet == "Journal of Tests"
    assert references["refs.bib#after"].urls == ("https://example.org/after",)


def test_csl_json() -> None:
    items = [
        {"id": "doe", "type": "webpage", "title": "Page", "URL": "https://example.org/page",
         "accessed": {"date-parts": [[2023, 9, 14]]}, "issued": {"date-parts": [[2022]]}, "language": "en-US",
         "author": [{"family": "Doe", "given": "J."}]},
        {"id": "roe", "title": "Paper", "DOI": "https://doi.org/10.5555/XYZ", "language": "russian"},
        {"id": "two", "title": "Two", "URL": "https://example.org/a_{b} http://example.org/c"},
    ]  # fmt: skip
    document = read_bytes(json.dumps(items).encode(), "refs.json", suffix=".json", path=None)
    references = parse_document(document).references
    assert [reference.id for reference in references] == ["refs.json#doe", "refs.json#roe", "refs.json#two"]
    doe, roe, two = references
    assert two.urls == ("https://example.org/a_{b}", "http://example.org/c")  # no LaTeX undone in JSON
    assert doe.urls == ("https://example.org/page",)
    assert (doe.halves[0].accessed, doe.halves[0].date, doe.halves[0].lang) == ("2023-09-14", "2022", "en")
    assert doe.halves[0].authors == "J. Doe"
    assert roe.urls == ("https://doi.org/10.5555/XYZ",)
    assert roe.halves[0].lang == "ru"


def test_json_that_is_not_csl_is_refused_in_one_line() -> None:
    from linkaudit.inputs import InputError

    with pytest.raises(InputError, match="report.json: JSON, but not a CSL-JSON bibliography"):
        read_bytes(b'{"schema": "linkaudit/1", "links": []}', "report.json", suffix=".json", path=None)


RIS = """TY  - JOUR
ID  - r1
AU  - Petrov, P.
TI  - Статья
UR  - http://example.org/ris-one
Y2  - 05.03.2019
PY  - 2018
LA  - Russian
ER  -

TY  - ELEC
TI  - Site
UR  - https://example.org/ris-two
DO  - 10.1234/abc
ER  -
""".replace("ER  -\n", "ER  - \n")


def test_ris_records() -> None:
    document = read_bytes(RIS.encode(), "refs.ris", suffix=".ris", path=None)
    references = parse_document(document).references
    assert [reference.id for reference in references] == ["refs.ris#r1", "refs.ris#2"]
    first, second = references
    assert first.urls == ("http://example.org/ris-one",)
    assert (first.halves[0].accessed, first.halves[0].date, first.halves[0].lang) == ("2019-03-05", "2018", "ru")
    assert second.urls == ("https://example.org/ris-two", "https://doi.org/10.1234/abc")


def test_a_bib_named_txt_is_read_as_bibtex(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    path.write_text("@misc{k1, url = {http://example.org/k1}}\n", encoding="utf-8")
    document = read_file(path)
    assert document.reader == "bibtex"
    assert parse_document(document).references[0].id.endswith("#k1")


def test_fix_writes_the_fixed_reference_list_as_text() -> None:
    document = read_bytes(BIBTEX.encode(), "refs.bib", suffix=".bib", path=None)
    parsed = parse_document(document)
    snapshot = Snapshot(
        url="https://web.archive.org/web/20150119000000/http://example.org/a_b/report%20one.pdf",
        timestamp="20150119000000",
        original="http://example.org/a_b/report%20one.pdf",
        archive="wayback",
    )
    text = fixed_reference_list(parsed, {"http://example.org/a_b/report%20one.pdf": snapshot})
    assert "[ivanov2020] (line 4)" in text
    assert f"report%20one.pdf [архивная копия от 19 января 2015: {snapshot.url}]" in text
    assert "[smith2019]" in text and "archived" not in text.split("[smith2019]")[1]


@needs_corpus
@pytest.mark.parametrize(
    "name", ["ru-biblatex-gost-examples.bib", "ru-dsc-msu-shaytan-othercites.bib", "ru-phd-karatach-external.bib",
             "ru-phd-innopolis-lupasic-external.bib", "ru-phd-misis-kondybaeva-external.bib"],
)  # fmt: skip
def test_real_bib_files_read_every_entry(name: str) -> None:
    import re

    text = (BIB / name).read_text(encoding="utf-8")
    keys = [key for kind, key in re.findall(r"^\s*@\s*(\w+)\s*[{(]\s*([^,\s]+)", text, re.MULTILINE)
            if kind.lower() not in ("string", "comment", "preamble")]  # fmt: skip
    document = read_file(BIB / name)
    assert [entry.key for entry in document.entries] == keys
    # the only remarks: url fields holding a reference manager's id or a local path, and no web address
    assert all("holds no web address" in remark for remark in document.remarks)
    assert len(document.remarks) == (5 if name == "ru-dsc-msu-shaytan-othercites.bib" else 0)


@needs_corpus
def test_real_bib_escapes_and_dotted_dates() -> None:
    document = read_file(BIB / "ru-phd-karatach-external.bib")
    urls = [url for entry in document.entries for url in entry.urls]
    assert not any("\\" in url or "{" in url for url in urls)
    dotted = [entry for entry in document.entries if entry.accessed == "2015-01-19"]
    assert dotted


SEVERAL = r"""
@article{citeulike,
  url = {citeulike-article-id:968961 http://dx.doi.org/10.1073/pnas.191250198},
}
@article{two,
  url = {http://www.ncbi.nlm.nih.gov/pubmed/23473491 http://www.ncbi.nlm.nih.gov/pmc/articles/PMC3870800/pdf/main.pdf},
}
@article{lines,
  url = {http://ieeexplore.ieee.org/document/1248835/
         http://ieeexplore.ieee.org/lpdocs/epic03/wrapper.htm?arnumber=1248835},
}
@article{localfile,
  url = {http://pubs.acs.org/doi/abs/10.1021/jp9637643 file:///C:/Documents and Settings/A B/jp9637643.pdf},
}
@article{wrapped,
  url = {http://example.org/a\_very/long
         /path.html},
}
@article{onlyid,
  url = {citeulike-article-id:5446770},
}
@book{hott,
  publisher = {\url{http://homotopytypetheory.org/book}},
  abstract = {Compare \url{http://not-cited.example/}.},
}
@misc{noted,
  note = {See http://a.example/x\_y, also doi:10.1000/xyz.},
  annotation = {\_eprint: https://onlinelibrary.wiley.com/doi/pdf/10.1002/anie.200800021},
}
@article{citeseer,
  doi = {10.1.1.413.6512},
}
"""


def test_url_fields_with_several_urls_or_junk_give_every_web_url() -> None:
    document = read_bytes(SEVERAL.encode(), "several.bib", suffix=".bib", path=None)
    urls = {entry.key: entry.urls for entry in document.entries}
    assert urls["citeulike"] == ("https://doi.org/10.1073/pnas.191250198",)
    assert urls["two"] == (
        "http://www.ncbi.nlm.nih.gov/pubmed/23473491",
        "http://www.ncbi.nlm.nih.gov/pmc/articles/PMC3870800/pdf/main.pdf",
    )
    assert urls["lines"] == (
        "http://ieeexplore.ieee.org/document/1248835/",
        "http://ieeexplore.ieee.org/lpdocs/epic03/wrapper.htm?arnumber=1248835",
    )
    assert urls["localfile"] == ("http://pubs.acs.org/doi/abs/10.1021/jp9637643",)
    assert urls["wrapped"] == ("http://example.org/a_very/long/path.html",)  # one URL wrapped: rejoined
    assert urls["onlyid"] == ()
    # \url in any printed field (a publisher's site), never in an abstract
    assert urls["hott"] == ("http://homotopytypetheory.org/book",)
    # bare URLs and DOIs in a note; annotation is not printed by biblatex's styles
    assert urls["noted"] == ("http://a.example/x_y", "https://doi.org/10.1000/xyz")
    # a doi field that is not DOI syntax is still what the entry cites: the resolver decides
    assert urls["citeseer"] == ("https://doi.org/10.1.1.413.6512",)
    (remark,) = document.remarks
    assert remark.startswith("the url field of onlyid (line ")
    assert "citeulike-article-id:5446770" in remark and "not checked" in remark
    references = {reference.id: reference for reference in parse_document(document).references}
    assert references["several.bib#two"].urls == urls["two"]


@needs_corpus
def test_real_bib_url_fields_with_several_urls() -> None:
    document = read_file(BIB / "ru-dsc-msu-shaytan-othercites.bib")
    urls = {url for entry in document.entries for url in entry.urls}
    assert "https://doi.org/10.1073/pnas.191250198" in urls
    assert "http://www.ncbi.nlm.nih.gov/pmc/articles/PMC3870800/pdf/main.pdf" in urls
    assert not any(" " in url or url.startswith("citeulike") or "://" in url[8:] and "%5Cn" not in url for url in urls)
    gost = read_file(BIB / "ru-biblatex-gost-examples.bib")
    assert any("http://homotopytypetheory.org/book" in entry.urls for entry in gost.entries)
