"""The demo's documents and its https trust: the article carries the reference problems the sample lacks, and the
site that moved to https is trusted only through the context the simulated web hands to the audit."""

from __future__ import annotations

from pathlib import Path

from linkaudit.audit import Audit
from linkaudit.config import Config
from linkaudit.demo.run import demo_documents
from linkaudit.demo.sites import ARTICLE, KISI_PATH, SAMPLE, expected_statuses
from linkaudit.demo.web import SimulatedWeb
from linkaudit.models import FindingKind
from linkaudit.status import Status

KISI = f"http://www.kisi.kz{KISI_PATH}"


def test_demo_documents_are_the_sample_and_the_article() -> None:
    sample, article = demo_documents()
    assert (sample.document.name, article.document.name) == (SAMPLE, ARTICLE)
    assert len(sample.references) == 40
    kinds = {finding.kind for finding in article.findings}
    assert kinds >= {
        FindingKind.IBID_UNRESOLVED,
        FindingKind.DATES_DIFFER_BETWEEN_HALVES,
        FindingKind.MARKER_WITHOUT_NOTE,
        FindingKind.NOTE_WITHOUT_MARKER,
    }
    cited = {url for reference in article.references for url in reference.urls}
    assert cited == set(expected_statuses(ARTICLE))


async def test_article_statuses_with_and_without_the_demo_authority(tmp_path: Path) -> None:
    article = [document for document in demo_documents() if document.document.name == ARTICLE]
    async with SimulatedWeb(slow_delay=2.0) as web:
        config = Config(
            store=None, timeout=0.5, connect_timeout=0.5, retries=0, archive=False, wayback_url=web.wayback_url
        )
        trusting = await Audit(config, resolver=web.resolver, ssl_context=web.ssl_context).run_async(article)
        default = await Audit(config, resolver=web.resolver).run_async(article)
    results = {item.link.url: item.result for item in trusting.report.links}
    assert {url: result.status for url, result in results.items()} == expected_statuses(ARTICLE)
    assert results[KISI].title_match is True
    assert results[KISI].final_url == f"https://www.kisi.kz{KISI_PATH}"
    assert results["http://www.time.kz/news/society/2012/04/05/26741"].title_match is False
    assert "private address" in (results["http://192.168.0.1/admin"].detail or "")  # no connect: test_demo.py
    untrusted = {item.link.url: item.result.status for item in default.report.links}
    assert untrusted[KISI] is Status.TLS_ERROR  # the system's authorities never signed the demo's certificate


def test_the_demo_report_is_marked_simulated_and_its_archived_links_open_after_it_exits(tmp_path: Path) -> None:
    import json
    import re
    from urllib.parse import unquote

    from linkaudit.demo.run import ARCHIVE_FOLDER, run_demo

    out = tmp_path / "demo"
    (out / ARCHIVE_FOLDER).mkdir(parents=True)
    (out / ARCHIVE_FOLDER / "stale.html").write_text("an older run's capture", encoding="utf-8")
    result = run_demo(out, observer=None)  # the simulated web and its archive are gone when this returns
    assert result.report.simulated
    data = json.loads((out / "linkaudit.json").read_text(encoding="utf-8"))
    assert data["simulated"] is True
    from datetime import datetime

    runs = [datetime.fromisoformat(run["started_at"].replace("Z", "+00:00")) for run in data["trend"]]
    gaps = [round((runs[n + 1] - runs[n]).total_seconds() / 86400) for n in range(len(runs) - 1)]
    assert gaps == [7, 7]  # simulated weekly runs, as the report says
    archived = {link["url"]: link["archive"]["url"] for link in data["links"] if link["archive"]}
    assert len(archived) >= 9
    for url, path in archived.items():
        assert path.startswith(f"{ARCHIVE_FOLDER}/"), url  # relative to the report, no loopback address
        copy = out / path
        assert copy.is_file(), url
        assert b"simulated" in copy.read_bytes()  # the saved page says where it comes from
    drifted = archived["http://www.time.kz/news/society/2012/04/05/26741"]
    assert "Малый Арал возвращается" in (out / drifted).read_text(encoding="utf-8")  # still the cited story
    assert not (out / ARCHIVE_FOLDER / "stale.html").exists()
    html = (out / "linkaudit.html").read_text(encoding="utf-8")
    links = {unquote(href) for href in re.findall(r'href="([^"#]+)"', html)}
    into_archive = {href for href in links if href.startswith(f"{ARCHIVE_FOLDER}/")}
    assert into_archive == set(archived.values())
    assert all((out / href).is_file() for href in into_archive)
    assert not [href for href in links if re.match(r"https?://127\.0\.0\.1:\d+/web/", href)]
