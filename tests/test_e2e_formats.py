"""`linkaudit check` and `fix` end to end on a PDF (footnotes, a link annotation), a Word file (footnotes and
hyperlinks) and a BibTeX file, against the simulated web on loopback through a proxy, an encrypted PDF beside
them; and the real corpus read as `check` reads it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cli_run import run_cli
from inputs.pdfs import Line, PdfPage, build_pdf, encrypt
from inputs.test_office import docx, p, r, rel
from linkaudit.demo.web import SimulatedWeb
from linkaudit.status import ExitCode

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
REAL = SHARED / "corpus" / "real"

BIB = r"""
@online{bisnews2012,
  title = {Таможенный Союз: за и против},
  url = {http://bisnews.kz},
  urldate = {2012-11-03},
  langid = {russian},
}
@article{monitor,
  title = {Central Asia Monitor},
  url = {citeulike-article-id:4070 http://camonitor.com/archives/4070},
  year = {2012},
}
@misc{spik,
  title = {Party site},
  howpublished = {\url{http://www.spik.kz}},
}
@misc{noweb,
  title = {Only a reference manager's id},
  url = {citeulike-article-id:5446770},
}
"""


def _pdf() -> bytes:
    body = "Body text of the paper that cites its sources, set full width across the page " + "x" * 20
    page_one = PdfPage(
        [
            Line(body),
            Line(body),
            Line("and ends here."),
            Line("http://news.tj/ru (accessed 3 November 2012).", size=9, mark="1", gap=40, step=12),
        ]
    )
    page_two = PdfPage(
        [
            Line("References"),
            Line("1. Customs Union: pros and cons, 3 November 2012, http://bisnews.kz"),
            Line("2. Central Asia Monitor, http://camonitor.com/archives/4070"),
            Line("3. The party's site.", b"http://www.spik.kz"),
        ]
    )
    return build_pdf([page_one, page_two])


def _docx() -> bytes:
    body = (
        p(r("Claim"), '<w:r><w:footnoteReference w:id="2"/></w:r>', r(" and a second"),
          '<w:r><w:footnoteReference w:id="5"/></w:r>', r(" one.")) +
        p(r("See "), '<w:hyperlink r:id="rId9">' + r("Central Asia Monitor") + "</w:hyperlink>", r("."))
    )  # fmt: skip
    footnotes = (
        '<w:footnote w:id="2"><w:p>'
        + r("«Таможенный Союз: за и против», 3 ноября 2012 года, ")
        + '<w:hyperlink r:id="rId1">' + r("Новости Атырау") + "</w:hyperlink></w:p></w:footnote>"
        + '<w:footnote w:id="5"><w:p>' + r("News, http://news.tj/ru") + "</w:p></w:footnote>"
    )
    return docx(
        body,
        footnotes,
        rels=rel("rId9", "http://camonitor.com/archives/4070"),
        footnote_rels=rel("rId1", "http://bisnews.kz"),
    )


def _references(data: dict[str, Any], document: str) -> dict[str, dict[str, Any]]:
    return {ref["id"].split("#", 1)[1]: ref for ref in data["references"] if ref["document"] == document}


async def test_check_and_fix_a_pdf_a_docx_and_a_bib_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "paper.pdf").write_bytes(_pdf())
    (tmp_path / "thesis.docx").write_bytes(_docx())
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "locked.pdf").write_bytes(encrypt(build_pdf([PdfPage([Line("1. http://bisnews.kz")])])))
    inputs = ["paper.pdf", "thesis.docx", "refs.bib", "locked.pdf"]
    async with SimulatedWeb(slow_delay=3.0) as simulated:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(HTTP_PROXY=simulated.proxy_url, NO_PROXY="127.0.0.1,localhost")
        code, out, err = await run_cli(
            # the simulated hosts resolve only behind the proxy, which needs the address guard lifted
            ["check", *inputs, "-o", "reports", "--no-store", "--allow-private", "--wayback-url",
             simulated.wayback_url, "--archive-rate", "50", "--timeout", "2", "--retries", "1", "-f", "json,html"],
            env, tmp_path,
        )  # fmt: skip
    assert code == ExitCode.BROKEN, err  # bisnews.kz is dead: the encrypted file did not stop the run
    assert "locked.pdf: encrypted PDF (it needs a password to open); decrypt it first" in err
    assert "refs.bib: the url field of noweb" in err and "holds no web address" in err
    data = json.loads((tmp_path / "reports" / "linkaudit.json").read_text(encoding="utf-8"))
    assert {ref["document"] for ref in data["references"]} == {"paper.pdf", "thesis.docx", "refs.bib"}

    pdf = _references(data, "paper.pdf")
    notes = {(ref["list"], ref["number"]): ref for ref in pdf.values() if ref["number"]}
    footnote = next(ref for ref in notes.values() if ref["urls"] == ["http://news.tj/ru"])
    assert (footnote["number"], footnote["page"]) == ("1", 1)  # the footnote, a numbered note on its page
    listed = {ref["number"]: (ref["urls"], ref["page"]) for ref in notes.values() if ref["page"] == 2}
    assert listed == {
        "1": (["http://bisnews.kz"], 2),
        "2": (["http://camonitor.com/archives/4070"], 2),
        "3": (["http://www.spik.kz"], 2),  # the link annotation on a word of note 3
    }

    word = _references(data, "thesis.docx")
    footnotes = {ref["number"]: ref["urls"] for ref in word.values() if ref["number"]}
    assert footnotes == {"1": ["http://bisnews.kz"], "2": ["http://news.tj/ru"]}
    assert ["http://camonitor.com/archives/4070"] in [ref["urls"] for ref in word.values() if not ref["number"]]
    assert all(ref["page"] is None for ref in word.values())

    bib = _references(data, "refs.bib")
    assert {key: ref["urls"] for key, ref in bib.items()} == {
        "bisnews2012": ["http://bisnews.kz"],
        "monitor": ["http://camonitor.com/archives/4070"],
        "spik": ["http://www.spik.kz"],
        "noweb": [],
    }
    assert bib["bisnews2012"]["halves"][0]["accessed"] == "2012-11-03"

    links = {link["url"]: link for link in data["links"]}
    assert {url: links[url]["status"] for url in links} == {
        "http://bisnews.kz": "dead",
        "http://camonitor.com/archives/4070": "ok",
        "http://news.tj/ru": "ok",
        "http://www.spik.kz": "ok",
    }
    dead = links["http://bisnews.kz"]
    assert dead["archive"] and dead["archive"]["verified"]
    assert {ref.split("#")[0] for ref in dead["references"]} == {"paper.pdf", "thesis.docx", "refs.bib"}
    assert (tmp_path / "reports" / "linkaudit.html").stat().st_size > 0

    archived = dead["archive"]["url"]
    for name, label in (("paper.pdf", "[B1] (p. 2)"), ("thesis.docx", "[A1] (line"), ("refs.bib", "[bisnews2012]")):
        code, out, err = await run_cli(["fix", name, "--from-report", "reports/linkaudit.json"], env, tmp_path)
        assert code == ExitCode.OK, err
        fixed = tmp_path / f"{name}.references.fixed.txt"
        assert str(fixed.name) in out
        text = fixed.read_text(encoding="utf-8")
        assert label in text, text
        assert "http://bisnews.kz [" in text and archived in text, text
        assert text.count(archived) == 1
    pdf_list = (tmp_path / "paper.pdf.references.fixed.txt").read_text(encoding="utf-8")
    assert "archived 5 November 2012" in pdf_list  # the English note's language
    bib_list = (tmp_path / "refs.bib.references.fixed.txt").read_text(encoding="utf-8")
    assert "архивная копия от 5 ноября 2012" in bib_list  # the entry's langid
    assert (tmp_path / "paper.pdf").read_bytes() == _pdf()  # the PDF itself is never rewritten


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real-document corpus is absent ({REAL})")
async def test_extract_reads_every_real_document_with_its_reader(tmp_path: Path) -> None:
    """`linkaudit extract --format json` over the real corpus: every document read, none refused, PDFs' notes
    with their pages."""
    code, out, err = await run_cli(["extract", str(REAL), "--format", "json"], dict(os.environ), tmp_path)
    assert code == 0, err
    assert "error" not in err.lower(), err
    data = json.loads(out)
    documents = {ref["document"] for ref in data["references"]}
    expected = {str(path) for path in REAL.rglob("*") if path.suffix in (".pdf", ".docx", ".odt", ".bib", ".md")}
    assert documents == expected
    pdf_refs = [ref for ref in data["references"] if ref["document"].endswith(".pdf")]
    assert pdf_refs and all(isinstance(ref["page"], int) and ref["page"] >= 1 for ref in pdf_refs)
