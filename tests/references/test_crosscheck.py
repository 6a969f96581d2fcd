"""A URL and a DOI that lead to different places are a finding: checked end to end, with a fake doi.org (TLS) and
two publishers on loopback, reached through the checker's resolver seam as real names."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from linkaudit.audit import Audit, load_documents
from linkaudit.config import Config
from linkaudit.demo.web import SimulatedResolver
from linkaudit.models import FindingKind
from linkaudit.references.crosscheck import same_place, site_of
from linkaudit.report import markdown
from linkaudit.report.translate import translate

NOTES = """Литература
1. Ivanov I. “The Aral Sea is coming back” // Journal of Water. 2019. https://doi.org/10.1234/one ;
http://journal.example/article/1
2. Petrov P. “Steppe soils of the north” // Journal of Water. 2020. https://doi.org/10.1234/two ;
http://mirror.example/papers/other
3. Sidorov S. “A lost paper on rivers” // Rivers. 2018. https://doi.org/10.1234/none ;
http://mirror.example/papers/other
4. Kim K. “Landing pages and their files” // Journal of Water. 2021. doi:10.1234/three
http://www.journal.example/download/3/pdf
"""


def _tls_context(directory: Path) -> ssl.SSLContext:
    """A server context with a self-signed certificate for doi.org."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "doi.org")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("doi.org")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "doi.pem", directory / "doi.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


async def _doi(request: web.Request) -> web.StreamResponse:
    targets = {
        "/10.1234/one": "http://journal.example/article/1",
        "/10.1234/two": "http://journal.example/article/2",
        "/10.1234/three": "http://journal.example/article/3",
    }
    target = targets.get(request.path)
    if target is None:
        return web.Response(status=404, text="DOI Not Found")
    raise web.HTTPFound(target)


async def _publisher(request: web.Request) -> web.Response:
    titles = {
        "/article/1": "The Aral Sea is coming back",
        "/article/2": "Steppe soils of the north",
        "/article/3": "Landing pages and their files",
        "/download/3/pdf": "Landing pages and their files",
        "/papers/other": "A lost paper on rivers",
    }
    title = titles.get(request.path)
    if title is None:
        return web.Response(status=404, text="<title>Not found</title>", content_type="text/html")
    body = f"<html><head><title>{title}</title></head><body><p>{'Words of the article. ' * 30}</p></body></html>"
    return web.Response(text=body, content_type="text/html")


async def _serve(app: web.Application, context: ssl.SSLContext | None = None) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    return runner, runner.addresses[0][1]


@pytest.fixture
async def web_of_dois(tmp_path: Path) -> AsyncIterator[tuple[SimulatedResolver, ssl.SSLContext]]:
    doi_app = web.Application()
    doi_app.router.add_get("/{path:.*}", _doi)
    publisher_app = web.Application()
    publisher_app.router.add_get("/{path:.*}", _publisher)
    doi_runner, doi_port = await _serve(doi_app, _tls_context(tmp_path))
    publisher_runner, publisher_port = await _serve(publisher_app)
    resolver = SimulatedResolver(
        {
            "doi.org": {443: ("127.0.0.1", doi_port)},
            "journal.example": {80: ("127.0.0.1", publisher_port)},
            "www.journal.example": {80: ("127.0.0.1", publisher_port)},
            "mirror.example": {80: ("127.0.0.1", publisher_port)},
        },
        closed=("127.0.0.1", 9),
    )
    client = ssl.create_default_context(cafile=str(tmp_path / "doi.pem"))  # trusts the fake doi.org only
    try:
        yield resolver, client
    finally:
        await doi_runner.cleanup()
        await publisher_runner.cleanup()


async def test_a_doi_and_a_url_leading_elsewhere_is_a_finding(
    tmp_path: Path, web_of_dois: tuple[SimulatedResolver, ssl.SSLContext]
) -> None:
    resolver, client = web_of_dois
    path = tmp_path / "refs.txt"
    path.write_text(NOTES, encoding="utf-8")
    parsed = load_documents([str(path)])
    config = Config(store=None, archive=False, allow_private=True, retries=0, timeout=5, connect_timeout=5)
    outcome = await Audit(config, resolver=resolver, ssl_context=client).run_async(parsed)
    report = outcome.report
    statuses = {item.link.url: item.result.status.value for item in report.links}
    assert statuses["https://doi.org/10.1234/two"] in ("ok", "redirected"), statuses
    assert statuses["https://doi.org/10.1234/none"] == "dead", statuses
    differ = [finding for finding in report.findings if finding.kind is FindingKind.URL_AND_DOI_DIFFER]
    # note 1 reaches the same article; note 3's DOI is dead (its own result); note 4 lands on the same site and
    # article number (a landing page and its PDF): only note 2 disagrees
    assert [finding.reference.rpartition("#")[2] for finding in differ] == ["A2"], report.findings
    message = differ[0].message
    assert "https://doi.org/10.1234/two" in message and "http://mirror.example/papers/other" in message
    assert "http://journal.example/article/2" in message  # where the DOI led
    assert differ[0].url == "http://mirror.example/papers/other"
    russian = translate(message, "ru")
    assert russian.startswith("Примечание A2: DOI https://doi.org/10.1234/two и адрес") and "разные места" in russian
    assert "URL and DOI lead to different places" in markdown.render(report)


def test_same_place_is_loose_about_hosts_and_paths() -> None:
    assert site_of("www.journal.example") == "journal.example"
    assert site_of("msu.ac.ru") == "msu.ac.ru" and site_of("www.bbc.co.uk") == "bbc.co.uk"
    assert same_place("https://www.pub.org/article/12", "http://pub.org/article/12/pdf")
    assert same_place("https://pub.org/index.php/j/article/view/77", "https://pub.org/j/article/download/77/90")
    assert not same_place("https://pub.org/article/12", "https://other.org/article/12")
    assert not same_place("https://pub.org/article/12", "https://pub.org/news/2020-prices")


def test_without_a_checked_doi_the_references_are_not_read() -> None:
    """Only a checked DOI can lead somewhere else: with none among the links, the references (a long document's
    are spilled) are not read back; with one, they are."""
    from linkaudit.models import CheckResult, Link
    from linkaudit.references.crosscheck import url_and_doi_findings
    from linkaudit.status import Status

    def unread() -> Iterator[object]:
        raise AssertionError("the references were read")
        yield  # pragma: no cover

    web_page = Link(url="http://journal.example/a", normalized="http://journal.example/a", references=("r",))
    doi = Link(url="https://doi.org/10.1234/one", normalized="https://doi.org/10.1234/one", references=("r",))
    results = {
        link.normalized: CheckResult(url=link.url, normalized=link.normalized, status=Status.OK)
        for link in (web_page, doi)
    }
    assert url_and_doi_findings(unread(), [web_page], results) == ()  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="were read"):
        url_and_doi_findings(unread(), [web_page, doi], results)  # type: ignore[arg-type]
