"""The sites of the simulated web: every host the demo's two documents cite, behaving as such sites really do.

One declarative table drives both the demo and the end-to-end tests, so the demo cannot drift from what is
tested. Each site stands for one way a cited page rots (or survives). Cited by the sample (``notes.txt``):

| host                  | behaviour                                                     | stands for        |
|-----------------------|---------------------------------------------------------------|-------------------|
| izvestia.ru           | every path answers 301 to ``http://iz.ru/`` (the new site)    | redirected        |
| iz.ru                 | live front page, UTF-8                                        | the moved site    |
| www.russianmission.eu | ``http`` answers 301 to ``https``, whose certificate is       | tls_error         |
|                       | self-signed (no client trusts it)                             |                   |
| bisnews.kz            | 410 Gone on every path (the weekly closed)                    | dead              |
| www.zp.kz             | resolves, but nothing listens: connection refused             | connection_error  |
| customsexpert.ru      | answers only after ``slow_delay`` seconds                     | timeout           |
| news.tj               | ``/ru`` is a live page, UTF-8                                 | ok                |
| www.12news.uz         | 403 to every request (geo-blocked outside Uzbekistan)         | blocked           |
| rus.azattyq.org       | ``/`` answers 302 to the section page ``/z/360``              | redirected        |
| www.taszhargan.info   | a for-sale page on every path (the paper's lapsed domain)     | parked            |
| camonitor.com         | live, windows-1251 declared only in ``<meta>``;               | ok, title match   |
|                       | ``/archives/4070`` carries the cited title                    |                   |
| www.spik.kz           | ``/`` live (windows-1251); the cited print page answers 500   | server_error      |
| news.nur.kz           | ``/`` live; ``/217304.html``: «Страница не найдена» with 200  | soft_404          |
| vecher.kz             | ``/node/1259`` answers 301 to ``/`` (windows-1251)            | homepage_redirect |
| zonakz.net            | catch-all: every path, the root too, answers 200 with the     | soft_404          |
|                       | same «material not found» page                                |                   |
| www.bnews.kz          | not in the resolver's map: the name does not resolve          | dns_error         |

Cited by the demo article (``article.md``), which also cites ``mailto:`` (``invalid``) and the private address
``http://192.168.0.1/admin`` (``skipped``, never connected to):

| host                  | behaviour                                                     | stands for        |
|-----------------------|---------------------------------------------------------------|-------------------|
| www.kisi.kz           | moved to https: ``http`` answers 301 to the same path on      | ok, title match   |
|                       | ``https``, whose certificate the demo's authority signed      |                   |
| www.kazpravda.kz      | the cited article, live (its note's halves disagree on dates) | ok, title match   |
| www.time.kz           | the cited address now carries another story                   | content drift     |

Unknown paths on a live site answer a real 404 page (``dead``). The archive (``CAPTURES``, served in the
Wayback format) holds copies before and after the cited dates, among them archived soft 404s, an archived
404, a redirect capture, a parked page, a copy years away and a nearer copy after the cited date that loses to
the closest one before, so every selection case occurs; www.bnews.kz was never archived.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from html import escape

from ..status import Status

UTF8 = "utf-8"
CP1251 = "windows-1251"
SAMPLE = "notes.txt"  # the seed bibliography (a copy of examples/notes.txt)
ARTICLE = "article.md"  # the bilingual article written for the demo


class Transport(str, Enum):
    """How a host is reached, below HTTP."""

    HTTP = "http"  # plain HTTP on port 80
    HTTPS = "https"  # port 80 answers 301 to the same path on port 443, certified by the demo's authority
    HTTPS_UNTRUSTED = "https_untrusted"  # port 80 plus port 443 with a self-signed certificate
    REFUSED = "refused"  # the name resolves, but nothing listens
    UNRESOLVABLE = "unresolvable"  # the name does not resolve at all

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Answer:
    """One HTTP answer of a simulated site."""

    status: int
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    location: str | None = None


@dataclass(frozen=True)
class Site:
    """A simulated host: answers by path (with query), the answer for other paths, how it is reached.

    ``expected`` maps the URLs that ``cited_in`` (a document of ``data/``) cites on this host to the status an
    honest checker gives them.
    """

    host: str
    behaviour: str  # one line: what it does and what it stands for
    pages: tuple[tuple[str, Answer], ...] = ()
    fallback: Answer | None = None  # None: a plain 404 page
    transport: Transport = Transport.HTTP
    slow: bool = False  # every answer waits ``slow_delay`` seconds first
    secure: Answer | None = None  # the answer to every request over https (``HTTPS_UNTRUSTED`` only)
    expected: tuple[tuple[str, Status], ...] = ()  # cited URL -> the status an honest checker gives
    cited_in: str = SAMPLE

    def answer(self, path: str) -> Answer:
        """The answer for ``path`` (path plus ``?query`` as sent)."""
        for known, answer in self.pages:
            if known == path:
                return answer
        if self.fallback is not None:
            return self.fallback
        return not_found(self.host)


@dataclass(frozen=True)
class ArchivedCopy:
    """One capture in the simulated archive (converted to the Wayback app's ``Capture``)."""

    original: str
    timestamp: str  # 14 digits
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    redirect_to: str | None = None
    stands_for: str = ""
    error_page: bool = False  # a 200 capture of an error or parking page: verification must reject it


def html_page(title: str, heading: str, paragraphs: tuple[str, ...], *, charset: str = UTF8) -> bytes:
    """A small real-looking HTML page, encoded in ``charset`` and declaring it in ``<meta>``."""
    body = "\n".join(f"    <p>{escape(text)}</p>" for text in paragraphs)
    text = (
        "<!DOCTYPE html>\n"
        "<html>\n"
        "<head>\n"
        f'  <meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"  <title>{escape(title)}</title>\n"
        "</head>\n"
        "<body>\n"
        '  <div id="header"><a href="/">&#8962;</a></div>\n'
        '  <div id="content">\n'
        f"    <h1>{escape(heading)}</h1>\n"
        f"{body}\n"
        "  </div>\n"
        '  <div id="footer">&copy;</div>\n'
        "</body>\n"
        "</html>\n"
    )
    return text.encode(charset)


def page(title: str, heading: str, *paragraphs: str, charset: str = UTF8, declare: bool = True) -> Answer:
    """A 200 page; ``declare=False`` leaves the charset out of the Content-Type header (``<meta>`` only)."""
    content_type = f"text/html; charset={charset}" if declare else "text/html"
    return Answer(200, html_page(title, heading, paragraphs, charset=charset), content_type)


def not_found(host: str) -> Answer:
    body = html_page(
        "404 Not Found", "Not Found", (f"The requested URL was not found on {host}.",), charset=UTF8
    )
    return Answer(404, body)


def redirect(status: int, location: str) -> Answer:
    body = f'<html><body>Moved: <a href="{escape(location)}">{escape(location)}</a></body></html>'
    return Answer(status, body.encode("ascii"), "text/html; charset=utf-8", location=location)


CAMONITOR_TITLE = "Стоит ли Казахстану сближаться с Россией? И с какой Россией?"
SPIK_TITLE = "Ерлан Карин: Влияние оппозиции сильно преувеличено"
NUR_TITLE = "Казахстанские политологи против вхождения Казахстана в Евразийский союз"
VECHER_TITLE = "Китайская головоломка"
SOFT_404_TEXT = "Страница не найдена"
SPIK_PRINT = "/?tpl=print&lan=ru&id=100&pub=2588"
KISI_PATH = "/ru/categories/geopolitika/posts/voda-kak-faktor-bezopasnosti"
KISI_TITLE = "Вода как фактор региональной безопасности"
KAZPRAVDA_PATH = "/articles/view/transgranichnye-reki-novyi-raund"
KAZPRAVDA_TITLE = "Трансграничные реки: новый раунд переговоров"
TIME_PATH = "/news/society/2012/04/05/26741"
TIME_CITED_TITLE = "Малый Арал возвращается"
TIME_NEW_TITLE = "Цены на бензин в Алматы выросли на семь тенге"
MAILTO = "mailto:info@kazpravda.kz"
PRIVATE_URL = "http://192.168.0.1/admin"

_NUR_SOFT_404 = page(
    f"{SOFT_404_TEXT} — NUR.KZ",
    SOFT_404_TEXT,
    "Ошибка 404. Запрашиваемая страница не найдена: возможно, она была удалена или её адрес изменился.",
    "Перейдите на главную страницу NUR.KZ или воспользуйтесь поиском.",
)

_PARKED = page(
    "taszhargan.info is for sale!",
    "This domain may be for sale",
    "Buy this domain: taszhargan.info. Make an offer today.",
    "Related searches: news, Kazakhstan, newspaper, domain names, web hosting.",
    "This page is provided courtesy of the domain parking service. Privacy policy.",
)

_ZONAKZ_CATCH_ALL = page(
    "Zona.kz — интернет-газета",
    "Материал не найден",
    "Запрашиваемый материал не найден или был удалён. Попробуйте найти его через поиск по сайту.",
    charset=CP1251,
)

SITES: tuple[Site, ...] = (
    Site(
        host="izvestia.ru",
        behaviour="the newspaper moved to iz.ru: every old URL answers 301 to the new site",
        fallback=redirect(301, "http://iz.ru/"),
        expected=(("http://izvestia.ru", Status.REDIRECTED),),
    ),
    Site(
        host="iz.ru",
        behaviour="the moved newspaper's live front page",
        pages=(("/", page("Известия — новости политики, экономики", "Известия", "Главные новости дня.")),),
    ),
    Site(
        host="www.russianmission.eu",
        behaviour="redirects to https, whose self-signed certificate no client trusts",
        transport=Transport.HTTPS_UNTRUSTED,
        fallback=redirect(301, "https://www.russianmission.eu/"),
        secure=page("Permanent Mission of the Russian Federation to the EU", "Russian Mission", "News."),
        expected=(("http://www.russianmission.eu", Status.TLS_ERROR),),
    ),
    Site(
        host="bisnews.kz",
        behaviour="the weekly closed: 410 Gone on every path",
        fallback=Answer(
            410, html_page("410 Gone", "Gone", ("This resource is no longer available.",)), "text/html"
        ),
        expected=(("http://bisnews.kz", Status.DEAD),),
    ),
    Site(
        host="www.zp.kz",
        behaviour="the name still resolves but no server listens: connection refused",
        transport=Transport.REFUSED,
        expected=(("http://www.zp.kz", Status.CONNECTION_ERROR),),
    ),
    Site(
        host="customsexpert.ru",
        behaviour="a host so slow that every request times out",
        slow=True,
        fallback=page("Customs expert.ru", "Таможенный эксперт", "Новости таможенного регулирования."),
        expected=(("http://customsexpert.ru", Status.TIMEOUT),),
    ),
    Site(
        host="news.tj",
        behaviour="alive: the Russian edition's front page",
        pages=(
            ("/ru", page("Азия-Плюс — новости Таджикистана", "Азия-Плюс", "Новости Центральной Азии.")),
            ("/", redirect(302, "/ru")),
        ),
        expected=(("http://news.tj/ru", Status.OK),),
    ),
    Site(
        host="www.12news.uz",
        behaviour="geo-blocked: 403 to every request from outside the country",
        fallback=Answer(
            403,
            html_page("403 Forbidden", "Access denied", ("Access from your country is not allowed.",)),
            "text/html; charset=utf-8",
        ),
        expected=(("http://www.12news.uz", Status.BLOCKED),),
    ),
    Site(
        host="rus.azattyq.org",
        behaviour="the front page now redirects to a section page",
        pages=(
            ("/", redirect(302, "/z/360")),
            ("/z/360", page("Казахстан — Радио Азаттык", "Казахстан", "Новости и аналитика Радио Азаттык.")),
        ),
        expected=(("http://rus.azattyq.org", Status.REDIRECTED),),
    ),
    Site(
        host="www.taszhargan.info",
        behaviour="the newspaper's domain lapsed and shows a for-sale page on every path",
        fallback=_PARKED,
        expected=(("http://www.taszhargan.info", Status.PARKED),),
    ),
    Site(
        host="camonitor.com",
        behaviour="alive, windows-1251 declared only in <meta>; the cited article carries its cited title",
        pages=(
            (
                "/",
                page(
                    "Central Asia Monitor — общественно-политическая газета",
                    "Central Asia Monitor",
                    "Свежие публикации.",
                    charset=CP1251,
                    declare=False,
                ),
            ),
            (
                "/archives/4070",
                page(
                    f"{CAMONITOR_TITLE} | Central Asia Monitor",
                    CAMONITOR_TITLE,
                    "Кенже Татиля, 24 мая 2012 года.",
                    "Вопрос о сближении с Россией остаётся открытым для казахстанского общества.",
                    charset=CP1251,
                    declare=False,
                ),
            ),
        ),
        expected=(("http://camonitor.com", Status.OK), ("http://camonitor.com/archives/4070", Status.OK)),
    ),
    Site(
        host="www.spik.kz",
        behaviour="front page alive (windows-1251); the cited print page fails with 500",
        pages=(
            ("/", page("СПИК — политические консультанты", "СПИК", "Публикации.", charset=CP1251)),
            (
                SPIK_PRINT,
                Answer(
                    500,
                    b"<br />\n<b>Fatal error</b>: Call to undefined function mysql_connect() in "
                    b"<b>/var/www/spik/print.php</b> on line <b>12</b><br />\n",
                    "text/html",
                ),
            ),
        ),
        expected=(
            ("http://www.spik.kz", Status.OK),
            (f"http://www.spik.kz{SPIK_PRINT}", Status.SERVER_ERROR),
        ),
    ),
    Site(
        host="news.nur.kz",
        behaviour="front page alive; the cited article answers «Страница не найдена» with 200",
        pages=(
            ("/", page("Новости Казахстана — NUR.KZ", "NUR.KZ", "Главные новости Казахстана.")),
            ("/217304.html", _NUR_SOFT_404),
        ),
        expected=(("http://news.nur.kz", Status.OK), ("http://news.nur.kz/217304.html", Status.SOFT_404)),
    ),
    Site(
        host="vecher.kz",
        behaviour="the cited article redirects to the front page (windows-1251)",
        pages=(
            ("/", page("Вечерний Алматы", "Вечерний Алматы", "Городская газета.", charset=CP1251)),
            ("/node/1259", redirect(301, "http://vecher.kz/")),
        ),
        expected=(("http://vecher.kz", Status.OK), ("http://vecher.kz/node/1259", Status.HOMEPAGE_REDIRECT)),
    ),
    Site(
        host="zonakz.net",
        behaviour="catch-all: every path answers 200 with the same «material not found» page",
        fallback=_ZONAKZ_CATCH_ALL,
        expected=(("http://zonakz.net", Status.SOFT_404),),
    ),
    Site(
        host="www.bnews.kz",
        behaviour="the name does not resolve any more",
        transport=Transport.UNRESOLVABLE,
        expected=(("http://www.bnews.kz", Status.DNS_ERROR),),
    ),
    Site(
        host="www.kisi.kz",
        behaviour="moved to https: every http URL answers 301 to the same path, with a certificate clients trust",
        transport=Transport.HTTPS,
        pages=(
            ("/", page("КИСИ при Президенте Республики Казахстан", "КИСИ", "Аналитика и исследования.")),
            (
                KISI_PATH,
                page(
                    f"{KISI_TITLE} — КИСИ",
                    KISI_TITLE,
                    "А. Садыков, 14 февраля 2013 года.",
                    "Доступ к воде становится частью повестки безопасности всех стран региона.",
                ),
            ),
        ),
        expected=((f"http://www.kisi.kz{KISI_PATH}", Status.OK),),
        cited_in=ARTICLE,
    ),
    Site(
        host="www.kazpravda.kz",
        behaviour="the cited article is live and carries its cited title",
        pages=(
            (
                KAZPRAVDA_PATH,
                page(
                    f"{KAZPRAVDA_TITLE} | Казахстанская правда",
                    KAZPRAVDA_TITLE,
                    "Делегации продолжили обсуждение вододеления на трансграничных реках.",
                ),
            ),
        ),
        expected=((f"http://www.kazpravda.kz{KAZPRAVDA_PATH}", Status.OK),),
        cited_in=ARTICLE,
    ),
    Site(
        host="www.time.kz",
        behaviour="the cited address now carries another story: the page is there, its title is not the cited one",
        pages=(
            (
                TIME_PATH,
                page(
                    f"{TIME_NEW_TITLE} — Время",
                    TIME_NEW_TITLE,
                    "Стоимость топлива на заправках города снова изменилась.",
                ),
            ),
        ),
        expected=((f"http://www.time.kz{TIME_PATH}", Status.CONTENT_DRIFT),),
        cited_in=ARTICLE,
    ),
)

UNFETCHED: tuple[tuple[str, Status], ...] = (
    (MAILTO, Status.INVALID),  # not an http(s) URL
    (PRIVATE_URL, Status.SKIPPED),  # a private address: refused before any connection
)  # cited by the article, never fetched: no site stands behind them


def _copy(
    original: str, timestamp: str, answer: Answer, stands_for: str, *, error_page: bool = False
) -> ArchivedCopy:
    return ArchivedCopy(
        original=original,
        timestamp=timestamp,
        status=answer.status,
        body=answer.body,
        content_type=answer.content_type or "text/html",
        redirect_to=answer.location,
        stands_for=stands_for,
        error_page=error_page,
    )


CAPTURES: tuple[ArchivedCopy, ...] = (
    # www.time.kz, cited 2012-04-05: the copy of the next day still carries the cited story; a later one
    # carries the story that replaced it (drift in the archive too) and must lose.
    _copy(f"http://www.time.kz{TIME_PATH}", "20120406101500", page(
        f"{TIME_CITED_TITLE} — Время", TIME_CITED_TITLE, "Северная часть Аральского моря снова наполняется.",
    ), "the copy that still carries the cited story: chosen"),
    _copy(f"http://www.time.kz{TIME_PATH}", "20140210000000", page(
        f"{TIME_NEW_TITLE} — Время", TIME_NEW_TITLE, "Стоимость топлива на заправках города снова изменилась.",
    ), "a later copy that already carries another story: rejected"),
    # bisnews.kz, cited 2012-11-03: the closest copy is itself a soft 404 and must be rejected.
    _copy("http://bisnews.kz/", "20121102093000", page(
        f"{SOFT_404_TEXT} — Новости Атырау", SOFT_404_TEXT, "Запрашиваемая страница не найдена.",
    ), "closest copy is a soft 404: rejected", error_page=True),
    _copy("http://bisnews.kz/", "20121105120000", page(
        "Новости Атырау", "Таможенный Союз: за и против", "«Новости Атырау», 3 ноября 2012 года.",
    ), "the verified copy, 2 days after the cited date"),
    _copy("http://bisnews.kz/", "20150301000000", Answer(
        410, html_page("410 Gone", "Gone", ("No longer available.",)), "text/html",
    ), "a later capture of the error"),
    # www.zp.kz, cited 2010-06-10: a windows-1251 copy two days later.
    _copy("http://www.zp.kz/", "20100612081500", page(
        "Западный проект", "Таможенный Союз Казахстана, России и Белоруссии", "Западный проект, июнь 2010.",
        charset=CP1251,
    ), "a windows-1251 copy close to the cited date"),
    # customsexpert.ru, cited 2011-11-09: only a copy years later.
    _copy("http://customsexpert.ru/", "20140705101010", page(
        "Customs expert.ru", "Таможенный эксперт", "Архив публикаций.",
    ), "the only copy is years away from the cited date"),
    # www.russianmission.eu, cited 2011-10-03: the closest copy BEFORE wins over a nearer one after it.
    _copy("http://www.russianmission.eu/", "20110915000000", page(
        "Permanent Mission of the Russian Federation to the European Union", "Russian Mission",
        "Statements and press releases.",
    ), "an older copy before the cited date"),
    _copy("http://www.russianmission.eu/", "20111001120000", page(
        "Permanent Mission of the Russian Federation to the European Union", "Russian Mission",
        "A new integration project for Eurasia.",
    ), "the closest copy before the cited date: chosen"),
    _copy("http://www.russianmission.eu/", "20111004080000", page(
        "Permanent Mission of the Russian Federation to the European Union", "Russian Mission",
        "Reactions to the article in Izvestia.",
    ), "nearer in time but after the cited date"),
    # www.taszhargan.info, cited 2010-04-07: the copy just before is an error page; the one before it is real;
    # the parked page years after.
    _copy("http://www.taszhargan.info/", "20100322143000", page(
        "Общественная позиция", "Мы за интеграцию – но не в интересах России", "Общественная позиция.",
        charset=CP1251,
    ), "the newspaper before its domain lapsed: chosen"),
    _copy("http://www.taszhargan.info/", "20100405120000", page(
        f"{SOFT_404_TEXT} — Общественная позиция", SOFT_404_TEXT, "Запрашиваемая страница не найдена.",
        charset=CP1251,
    ), "the closest copy before is a soft 404: rejected", error_page=True),
    _copy("http://www.taszhargan.info/", "20140612000000", _PARKED, "the parked page: rejected", error_page=True),
    # www.spik.kz print page, cited 2012-09-27.
    _copy(f"http://www.spik.kz{SPIK_PRINT}", "20121001110000", page(
        SPIK_TITLE, SPIK_TITLE, "Газета «Общественная позиция», № 33 (161).", charset=CP1251,
    ), "the cited print page, windows-1251"),
    # news.nur.kz/217304.html, cited 2012-05-09: a redirect capture to the article's copy.
    _copy("http://news.nur.kz/217304.html", "20120509180000", redirect(
        301, "http://www.nur.kz/217304.html",
    ), "a redirect capture, followed to the article"),
    _copy("http://www.nur.kz/217304.html", "20120509180100", page(
        f"{NUR_TITLE} — NUR.KZ", NUR_TITLE, "Казахстанский портал Nur.kz, 9 мая 2012 года.",
    ), "the article behind the redirect capture"),
    # vecher.kz/node/1259, cited 2011-05-26: an archived 404 before the article existed, the article after.
    _copy("http://vecher.kz/node/1259", "20110520000000", not_found("vecher.kz"), "archived 404: rejected"),
    _copy("http://vecher.kz/node/1259", "20110601090000", page(
        f"{VECHER_TITLE} | Вечерний Алматы", VECHER_TITLE, "А. Грибанов, 26 мая 2011 года.", charset=CP1251,
    ), "the article, 6 days after the cited date"),
    # zonakz.net, cited 2010-10-13.
    _copy("http://zonakz.net/", "20101014070000", page(
        "Zona.kz — интернет-газета", "Б. Султанов: Россия останется естественным партнером", "Интервью.",
        charset=CP1251,
    ), "a copy the day after the cited date"),
    # rus.azattyq.org, cited 2010-03-26 and 2012-02-14.
    _copy("http://rus.azattyq.org/", "20100327000000", page(
        "Радио Азаттык", "Назарбаеву пригрозили импичментом", "К. Тогузбаев.",
    ), "a copy for the earlier citation"),
    _copy("http://rus.azattyq.org/", "20120215000000", page(
        "Радио Азаттык", "Россия возвращает свои позиции в Центральной Азии", "Л. Танаева.",
    ), "a copy for the later citation"),
)


def site_for(host: str) -> Site | None:
    host = host.lower().rstrip(".")
    for site in SITES:
        if site.host == host:
            return site
    return None


def expected_statuses(document: str = SAMPLE) -> dict[str, Status]:
    """Every URL ``document`` cites (as written, repaired) and the status its simulated site calls for."""
    statuses = {url: status for site in SITES if site.cited_in == document for url, status in site.expected}
    if document == ARTICLE:
        statuses.update(UNFETCHED)
    return statuses


def demo_statuses() -> dict[str, Status]:
    """Every URL the demo's documents cite and the status each must get."""
    return {**expected_statuses(SAMPLE), **expected_statuses(ARTICLE)}
