"""A rich Report built by hand: Cyrillic halves, every status, findings, archives, history, hostile text.

The reporters are pure functions of a Report, so a hand-made one exercises every branch without a network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.links import collect_links
from linkaudit.models import (
    CheckResult,
    Document,
    DocumentKind,
    Finding,
    FindingKind,
    FoundUrl,
    Half,
    History,
    Link,
    LinkReport,
    ParsedDocument,
    Reference,
    Repair,
    Report,
    RunSummary,
    Snapshot,
)
from linkaudit.status import Status

DOCUMENT = "notes.txt"
CHECKED_AT = "2024-03-01T10:00:00Z"

SCRIPT_PAYLOAD = "<script>window.__pwned = 1</script>"
ATTRIBUTE_PAYLOAD = '"onmouseover="window.__pwned=2" x="'
IMAGE_PAYLOAD = '<img src=x onerror="window.__pwned=4">'
JAVASCRIPT_URL = "javascript:window.__pwned=5"
EVIL_URL = 'http://evil.example/"onmouseover="window.__pwned=3"'
MARKDOWN_PAYLOAD = "| pipe | **bold** [x](javascript:alert(1)) <b>tag</b>"


def reference(
    list_name: str,
    number: int,
    halves: tuple[Half, ...],
    *,
    ibid_of: str | None = None,
    line: int = 1,
) -> Reference:
    urls = tuple(dict.fromkeys(url for half in halves for url in half.urls))
    text = " ".join(half.text for half in halves)
    found = tuple(
        FoundUrl(url=url, raw=url, start=max(text.find(url), 0), end=max(text.find(url), 0) + len(url))
        for url in urls
    )
    return Reference(
        id=f"{DOCUMENT}#{list_name}{number}",
        document=DOCUMENT,
        text=text,
        line=line,
        list=list_name,
        number=str(number),
        ibid_of=ibid_of,
        halves=halves,
        urls=urls,
        found=found,
    )


def bilingual(
    ru_text: str, en_text: str, date: str | None, urls: tuple[str, ...], **extra: str
) -> tuple[Half, ...]:
    return (
        Half(
            lang="ru", text=f"{ru_text} {' '.join(urls)}", date=date, urls=urls, title=extra.get("ru_title")
        ),
        Half(
            lang="en", text=f"{en_text} {' '.join(urls)}", date=date, urls=urls, title=extra.get("en_title")
        ),
    )


def item(
    url: str,
    status: Status,
    references: tuple[str, ...],
    *,
    host: str,
    cited_date: str | None,
    http_status: int | None = None,
    detail: str = "",
    title: str | None = None,
    title_match: bool | None = None,
    final_url: str | None = None,
    redirects: tuple[str, ...] = (),
    archive: Snapshot | None = None,
    history: History | None = None,
    saved: str | None = None,
    normalized: str | None = None,
) -> LinkReport:
    normalized = normalized or (url if url.count("/") > 2 else url + "/")
    return LinkReport(
        link=Link(
            url=url,
            normalized=normalized,
            references=references,
            cited_date=cited_date,
            cited_titles=("Новый интеграционный проект",) if title_match is not None else (),
            host=host,
        ),
        result=CheckResult(
            url=url,
            normalized=normalized,
            status=status,
            http_status=http_status,
            final_url=final_url,
            redirects=redirects,
            detail=detail,
            title=title,
            title_match=title_match,
            attempts=1 if status.is_success else 3,
            checked_at=CHECKED_AT,
            elapsed_ms=120,
        ),
        archive=archive,
        history=history,
        saved=saved,
    )


def snapshot(original: str, timestamp: str, *, verified: bool, distance: int) -> Snapshot:
    return Snapshot(
        url=f"http://archive.test/web/{timestamp}/{original}",
        timestamp=timestamp,
        original=original,
        archive="wayback",
        verified=verified,
        distance_days=distance,
        detail="content matches the cited title" if verified else "capture not checked",
        raw_url=f"http://archive.test/web/{timestamp}id_/{original}",
    )


def ref_id(name: str) -> str:
    return f"{DOCUMENT}#{name}"


def build_references() -> tuple[Reference, ...]:
    return (
        reference(
            "A",
            1,
            (Half(lang="en", text="J. Mankoff, Russian Foreign Policy, 2009, p.79.", date="2009"),),
            line=1,
        ),
        reference(
            "A",
            2,
            (
                Half(
                    lang="ru",
                    text="В. Путин, «Новый интеграционный проект для Евразии», Известия, 3 октября 2011, "
                    "http://izvestia.ru",
                    authors="В. Путин",
                    title="Новый интеграционный проект для Евразии",
                    outlet="Известия",
                    date="2011-10-03",
                    urls=("http://izvestia.ru",),
                ),
                Half(
                    lang="en",
                    text="V. Putin, “A new integration project for Eurasia”, Izvestia, 3 October 2011, "
                    "http://izvestia.ru or http://www.russianmission.eu",
                    authors="V. Putin",
                    title="A new integration project for Eurasia",
                    outlet="Izvestia",
                    date="2011-10-03",
                    urls=("http://izvestia.ru", "http://www.russianmission.eu"),
                ),
            ),
            line=3,
        ),
        reference(
            "A",
            3,
            bilingual(
                "«Таможенный Союз: за и против», 3 ноября 2012",
                "Customs Union",
                "2012-11-03",
                ("http://bisnews.kz/news/1",),
            ),
            line=5,
        ),
        reference(
            "A",
            4,
            bilingual("Западный проект", "Western Project", "2010-06-10", ("http://www.zp.kz/a",)),
            line=7,
        ),
        reference(
            "A",
            5,
            bilingual("Customs expert", "Customs expert", "2011-11-09", ("http://customsexpert.ru/x",)),
            line=9,
        ),
        reference(
            "A", 6, bilingual("Азия-плюс", "Asia-Plus", "2011-10-31", ("http://news.tj/ru/n",)), line=11
        ),
        reference(
            "A", 7, bilingual("12 News.uz", "12 News.uz", "2013-04-15", ("http://www.12news.uz/q",)), line=13
        ),
        reference(
            "A",
            8,
            bilingual("Радио «Азаттық»", "Radio Liberty", "2012-02-14", ("http://rus.azattyq.org/a",)),
            line=15,
        ),
        reference(
            "A",
            9,
            bilingual(
                "Общественная позиция", "Public Position", "2010-04-07", ("http://www.taszhargan.info",)
            ),
            line=17,
        ),
        reference(
            "A",
            10,
            bilingual("Радио «Азаттық»", "Radio Liberty", "2010-03-26", ("http://rus.azattyq.org/a",)),
            line=19,
        ),
        reference(
            "A",
            11,
            bilingual("Кенже Татиля", "Kenzhe Tatilya", "2012-05-24", ("http://camonitor.com/1",)),
            line=21,
        ),
        reference(
            "A",
            12,
            bilingual("Ерлан Карин", "Erlan Karin", "2012-09-27", ("https://www.spik.kz/2",)),
            line=23,
        ),
        reference("A", 13, bilingual("Nur.kz", "Nur.kz", "2012-05-09", ("http://news.nur.kz/3",)), line=25),
        reference(
            "A", 14, bilingual("Вечерний Алматы", "Evening Almaty", "2011-05-26", (JAVASCRIPT_URL,)), line=27
        ),
        reference("A", 15, bilingual("Zona.kz", "Zona.kz", None, ("http://vecher.kz/skip",)), line=29),
        reference(
            "A",
            16,
            (
                Half(
                    lang="kk",
                    text="Қазақстан мен Ресей, 2010, http://zonakz.net/k",
                    date="2010-10-13",
                    urls=("http://zonakz.net/k",),
                ),
                Half(
                    lang="en",
                    text="Kazakhstan and Russia, 2010, http://zonakz.net/k",
                    date="2010-10-13",
                    urls=("http://zonakz.net/k",),
                ),
            ),
            line=31,
        ),
        reference(
            "B",
            2,
            (
                Half(
                    lang="ru",
                    text=f"Вредная заметка {SCRIPT_PAYLOAD} {EVIL_URL}",
                    date="2011-10-03",
                    title=ATTRIBUTE_PAYLOAD,
                    urls=(EVIL_URL,),
                ),
                Half(
                    lang="en",
                    text=f"Hostile note {IMAGE_PAYLOAD} {EVIL_URL}",
                    date="2011-10-04",
                    urls=(EVIL_URL,),
                ),
            ),
            line=40,
        ),
        reference("B", 3, (Half(lang="en", text="Ibid."),), ibid_of=ref_id("B2"), line=42),
    )


def build_links() -> tuple[LinkReport, ...]:
    confirmed = History(
        first_broken_at="2024-01-01T10:00:00Z",
        last_ok_at="2023-12-01T10:00:00Z",
        broken_runs=3,
        confirmed=True,
        checks=(
            ("2023-12-01T10:00:00Z", "ok"),
            ("2024-01-01T10:00:00Z", "dead"),
            ("2024-02-01T10:00:00Z", "dead"),
            ("2024-03-01T10:00:00Z", "dead"),
        ),
    )
    suspect = History(
        first_broken_at="2024-03-01T10:00:00Z",
        last_ok_at="2024-02-01T10:00:00Z",
        broken_runs=1,
        confirmed=False,
        checks=(("2024-02-01T10:00:00Z", "ok"), ("2024-03-01T10:00:00Z", "server_error")),
    )
    return (
        item(
            "http://izvestia.ru",
            Status.OK,
            (ref_id("A2"),),
            host="izvestia.ru",
            cited_date="2011-10-03",
            http_status=200,
            title="Известия",
            title_match=True,
            history=History(last_ok_at=CHECKED_AT),
        ),
        item(
            "http://www.russianmission.eu",
            Status.REDIRECTED,
            (ref_id("A2"),),
            host="www.russianmission.eu",
            cited_date="2011-10-03",
            http_status=200,
            final_url="https://russianmission.eu/en/home-page",
            redirects=("https://russianmission.eu/", "https://russianmission.eu/en/home-page"),
            detail="moved to https://russianmission.eu/en/home-page",
            saved="http://archive.test/web/20240301100000/http://www.russianmission.eu/",
        ),
        item(
            "http://bisnews.kz/news/1",
            Status.DEAD,
            (ref_id("A3"),),
            host="bisnews.kz",
            cited_date="2012-11-03",
            http_status=404,
            detail="404 Not Found",
            archive=snapshot("http://bisnews.kz/news/1", "20121104093000", verified=True, distance=1),
            history=confirmed,
        ),
        item(
            "http://www.zp.kz/a",
            Status.SOFT_404,
            (ref_id("A4"),),
            host="www.zp.kz",
            cited_date="2010-06-10",
            http_status=200,
            detail="answered 200 with an error page («Страница не найдена»)",
            title="Страница не найдена",
            archive=snapshot("http://www.zp.kz/a", "20100701000000", verified=False, distance=21),
        ),
        item(
            "http://customsexpert.ru/x",
            Status.HOMEPAGE_REDIRECT,
            (ref_id("A5"),),
            host="customsexpert.ru",
            cited_date="2011-11-09",
            http_status=200,
            final_url="http://customsexpert.ru/",
            redirects=("http://customsexpert.ru/",),
            detail="the deep link was redirected to the site root: http://customsexpert.ru/",
        ),
        item(
            "http://news.tj/ru/n",
            Status.PARKED,
            (ref_id("A6"),),
            host="news.tj",
            cited_date="2011-10-31",
            http_status=200,
            detail="the domain shows a parking or for-sale page (this domain is for sale)",
            title="news.tj is for sale",
        ),
        item(
            "http://www.12news.uz/q",
            Status.SERVER_ERROR,
            (ref_id("A7"),),
            host="www.12news.uz",
            cited_date="2013-04-15",
            http_status=503,
            detail="503 Service Unavailable (after 3 attempts)",
            history=suspect,
        ),
        item(
            "http://rus.azattyq.org/a",
            Status.TIMEOUT,
            (ref_id("A8"), ref_id("A10")),
            host="rus.azattyq.org",
            cited_date="2010-03-26",
            detail="timed out after 2 s (3 attempts)",
        ),
        item(
            "http://www.taszhargan.info",
            Status.DNS_ERROR,
            (ref_id("A9"),),
            host="www.taszhargan.info",
            cited_date="2010-04-07",
            detail="host www.taszhargan.info does not resolve",
        ),
        item(
            "http://camonitor.com/1",
            Status.CONNECTION_ERROR,
            (ref_id("A11"),),
            host="camonitor.com",
            cited_date="2012-05-24",
            detail="cannot connect: Connect call failed ('93.184.216.34', 80)",
        ),
        item(
            "https://www.spik.kz/2",
            Status.TLS_ERROR,
            (ref_id("A12"),),
            host="www.spik.kz",
            cited_date="2012-09-27",
            detail="TLS failure: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired "
            "(_ssl.c:1006)",
        ),
        item(
            "http://news.nur.kz/3",
            Status.BLOCKED,
            (ref_id("A13"),),
            host="news.nur.kz",
            cited_date="2012-05-09",
            http_status=403,
            detail="403 Forbidden",
        ),
        item(
            JAVASCRIPT_URL,
            Status.INVALID,
            (ref_id("A14"),),
            host="",
            cited_date="2011-05-26",
            detail="javascript: URLs are not fetched",
            normalized=JAVASCRIPT_URL,
        ),
        item(
            "http://vecher.kz/skip",
            Status.SKIPPED,
            (ref_id("A15"),),
            host="vecher.kz",
            cited_date=None,
            detail="excluded by configuration",
        ),
        item(
            "http://zonakz.net/k",
            Status.OK,
            (ref_id("A16"),),
            host="zonakz.net",
            cited_date="2010-10-13",
            http_status=200,
            title="Zona.kz",
        ),
        item(
            EVIL_URL,
            Status.OK,
            (ref_id("B2"),),
            host="evil.example",
            cited_date="2011-10-03",
            http_status=200,
            title=IMAGE_PAYLOAD,
            title_match=False,
            detail=f"{SCRIPT_PAYLOAD} {MARKDOWN_PAYLOAD}",
            final_url=JAVASCRIPT_URL,
            redirects=(JAVASCRIPT_URL,),
            archive=Snapshot(
                url=JAVASCRIPT_URL,
                timestamp="20111005000000",
                original=EVIL_URL,
                archive="wayback",
                verified=False,
                distance_days=2,
            ),
        ),
    )


def build_findings() -> tuple[Finding, ...]:
    return (
        Finding(
            FindingKind.GLUED_URLS,
            ref_id("A2"),
            "Note A2 writes “Известияhttp://izvestia.ru” with no space before a URL; it was read as "
            "http://izvestia.ru — put a space before each URL.",
            "http://izvestia.ru",
        ),
        Finding(
            FindingKind.URL_ONLY_IN_ONE_HALF,
            ref_id("A2"),
            "Note A2: the English half cites http://www.russianmission.eu but the Russian half cites no URL; "
            "add the URL to the Russian half.",
            "http://www.russianmission.eu",
        ),
        Finding(
            FindingKind.SCHEME_ADDED,
            ref_id("A12"),
            "Note A12 gives www.spik.kz without http:// or https://; write the full address "
            "(http://www.spik.kz was assumed).",
        ),
        Finding(FindingKind.DATES_DIFFER_BETWEEN_HALVES, ref_id("B2"), f"Dates differ {SCRIPT_PAYLOAD}"),
        Finding(
            FindingKind.HOMEPAGE_ONLY,
            ref_id("A9"),
            "Note A9 cites only http://www.taszhargan.info, which is a site's home page, not the cited "
            "article, so the citation cannot be verified; cite the article's own URL.",
            "http://www.taszhargan.info",
        ),
        Finding(FindingKind.IBID_UNRESOLVED, ref_id("B3"), f"Ibid. {MARKDOWN_PAYLOAD}"),
        Finding(
            FindingKind.MARKER_WITHOUT_NOTE,
            ref_id("B99"),
            "The text cites [99] on line 40, but list B has no note 99; add the note or correct the marker.",
        ),
    )


def build_report(*, lang: str = "en") -> Report:
    return Report(
        generated_at="2024-03-01T10:05:00Z",
        tool_version="0.1.0",
        documents=(DOCUMENT,),
        references=build_references(),
        links=build_links(),
        findings=build_findings(),
        trend=(
            RunSummary(run_id=1, started_at="2024-01-01T10:00:00Z", links=15, broken=6),
            RunSummary(run_id=2, started_at="2024-02-01T10:00:00Z", links=15, broken=7),
            RunSummary(run_id=3, started_at="2024-03-01T10:00:00Z", links=16, broken=9),
        ),
        lang=lang,
        notes=(f"The archive pass was time-boxed {SCRIPT_PAYLOAD}",),
    )


@pytest.fixture
def rich_report() -> Report:
    return build_report()


@pytest.fixture
def russian_report() -> Report:
    return build_report(lang="ru")


@pytest.fixture
def repairs_report() -> Report:
    """A report whose reference carries URL repairs (for the round trip of FoundUrl)."""
    base = build_report()
    first = base.references[1]
    repaired = Reference(
        id=first.id,
        document=first.document,
        text=first.text,
        line=first.line,
        list=first.list,
        number=first.number,
        halves=first.halves,
        urls=first.urls,
        found=(
            FoundUrl("http://izvestia.ru", "izvestia.ruhttp", 3, 18, (Repair.GLUED, Repair.SCHEME_ADDED)),
        ),
    )
    return Report(**{**base.__dict__, "references": (base.references[0], repaired, *base.references[2:])})


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    return tmp_path / "reports"


def build_large_report(count: int) -> Report:
    """``count`` bilingual notes, each citing its own link, statuses cycling through the vocabulary."""
    statuses = list(Status)
    references = []
    links = []
    for index in range(count):
        url = f"http://site{index % 97}.test/articles/{index}/page.html"
        date = f"{2008 + index % 8}-{index % 12 + 1:02d}-{index % 28 + 1:02d}"
        halves = bilingual(
            f"Автор {index}. «Статья о таможенном союзе номер {index}», Газета, {date}",
            f"Author {index}. “An article on the customs union no. {index}”, Newspaper, {date}",
            date,
            (url,),
        )
        references.append(reference("A", index + 1, halves, line=index * 2 + 1))
        status = statuses[index % len(statuses)]
        links.append(
            item(url, status, (ref_id(f"A{index + 1}"),), host=f"site{index % 97}.test", cited_date=date,
                 http_status=404 if status is Status.DEAD else 200, detail=f"detail of link {index}",
                 archive=snapshot(url, "20120101000000", verified=index % 2 == 0, distance=index % 30)
                 if status.is_broken else None)
        )
    return Report(
        generated_at="2024-03-01T10:05:00Z",
        tool_version="0.1.0",
        documents=(DOCUMENT,),
        references=tuple(references),
        links=tuple(links),
        findings=tuple(
            Finding(FindingKind.SCHEME_ADDED, ref_id(f"A{index + 1}"), "http:// was added.")
            for index in range(0, count, 10)
        ),
    )


def collected_report(
    references: tuple[Reference, ...],
    statuses: dict[str, Status],
    *,
    archived: str | None = None,
    lang: str = "en",
) -> Report:
    """A report whose links are made from ``references`` by the real ``links.collect_links``.

    ``statuses`` maps a normalized URL to its status (OK otherwise); broken links get a capture taken at
    ``archived`` (a 14-digit timestamp) when it is given.
    """
    document = Document(name=DOCUMENT, kind=DocumentKind.TEXT, text="", encoding="utf-8")
    links = collect_links([ParsedDocument(document=document, references=references, findings=())])
    items = []
    for found in links:
        status = statuses.get(found.normalized, Status.OK)
        capture = None
        if archived and status.is_broken:
            capture = snapshot(found.normalized, archived, verified=True, distance=0)
        items.append(
            LinkReport(
                link=found,
                result=CheckResult(url=found.url, normalized=found.normalized, status=status,
                                   checked_at=CHECKED_AT),
                archive=capture,
            )
        )
    return Report(
        generated_at=CHECKED_AT,
        tool_version="0.1.0",
        documents=(DOCUMENT,),
        references=references,
        links=tuple(items),
        findings=(),
        lang=lang,
    )
