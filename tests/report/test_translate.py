"""Every English sentence the checker, the archive pass and the reference parser can write has a Russian form.

The sentences are collected from the source itself (every string or f-string given as a detail, a finding's
message, a run note or a failure's text), filled with plausible values and translated: a new sentence written
without a pattern in ``report/translate.py`` fails here, before a Russian reader meets it in English.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.report import i18n
from linkaudit.report.translate import is_known, to_russian, translate

SOURCE = Path(__file__).resolve().parents[2] / "src" / "linkaudit"
MODULES = (
    *sorted((SOURCE / "check").glob("*.py")),
    *sorted((SOURCE / "archive").glob("*.py")),
    *sorted((SOURCE / "inputs").glob("*.py")),
    SOURCE / "audit.py",
    SOURCE / "links.py",
    *sorted((SOURCE / "references").glob("*.py")),
)
NOTE_CALLS = {"note", "append"}  # observer.note(...), notes.append(...)
FAILURES = re.compile(r"(Error|Failure|Unavailable|Url|Address|Reset|Response|Timeout)$")
DETAIL_FUNCTIONS = {"http_detail", "_with_attempts", "url_scheme_problem"}
# Not sentences a reader sees: exception texts that only name a programming error.
# A bibliography entry's own text ("(accessed …)") is the reference, not a sentence linkaudit writes.
INTERNAL = re.compile(
    r"^(not a timestamp|report\.js must not|rate must be positive|Checker is not open|\(accessed "
    r"|module \S+ has no attribute)"
)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _emitted(tree: ast.AST) -> Iterator[ast.AST]:
    """The string nodes of ``tree`` that become a detail, a message, a note or a failure's text."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            positional = node.args
            if name == "Verdict" and len(positional) > 1:
                yield positional[1]
            elif name == "Finding" and len(positional) > 2:
                yield positional[2]
            elif (name in NOTE_CALLS or FAILURES.search(name)) and positional:
                yield positional[0]
            for keyword in node.keywords:
                if keyword.arg in ("detail", "message"):
                    yield keyword.value
        elif isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            if any(name in ("detail", "message") or name.endswith("_DETAIL") for name in names):
                yield node.value
        elif isinstance(node, ast.FunctionDef):
            returns = [child for child in ast.walk(node) if isinstance(child, ast.Return) and child.value]
            for returned in returns:
                value = returned.value
                if node.name == "_classify_error" and isinstance(value, ast.Tuple):
                    yield value.elts[1]
                elif node.name in DETAIL_FUNCTIONS and value is not None:
                    yield value


def _value_for(expression: str) -> str | tuple[str, ...]:
    """Plausible values for an f-string placeholder, guessed from the expression's wording."""
    text = expression.lower()
    rules = (
        ("readable()", "web.archive.org could not be reached"),
        ("size //", "250"),
        ("skipped", "3"),
        ("part", "word/document.xml"),
        ("phrase", "Service Unavailable"),
        ("noun", "attempts"),
        ("gave_up", "the server asked to retry after 99999 s (about 28 hours), beyond the 60 s linkaudit waits"),
        ("type(error).__name__", "KeyError"),
        ("_label(reference)", "Note A1"),
        ("label_span", "[1]–[3]"),
        ("short_label", "В. Путин, «Новый проект…»"),
        ("names", "Russian"),
        ("described", "the Russian half http://example.org/a; the English half http://example.org/b"),
        ("advice", "check which numbering the text's markers follow"),
        ("what", ("is a site's home page", "too many redirects")),
        ("'”, “'.join", "Известияhttp://example.org/a"),
        ("note.text", "Там же, с. 12"),
        ("timestamp", "20120101000000"),
        ("label", "A1"),
        ("letter", "A"),
        ("number", "3"),
        ("scheme", "mailto"),
        ("status", "503"),
        ("attempts", "3"),
        ("max_redirects", "10"),
        ("line", "12"),
        ("len(", "3"),
        ("more", "3"),
        ("timeout", "2"),
        ("timebox", "20"),
        ("seconds", "2"),
        ("host", "www.example.org"),
        ("cited", "«The Small Aral is coming back»"),
        ("shown", "Цены на бензин"),
        ("error", "Страница не найдена"),
        ("parked", "this domain may be for sale"),
        ("token", "http://example.org/ahttp://example.org/b"),
        ("url", "http://example.org/a"),
        ("listing", "http://example.org/a"),
        ("join", "http://example.org/a"),
        ("landing", "http://example.org/a"),
        ("location", "'http://example.org/a'"),
        ("target", "http://example.org/a"),
        ("original", "http://example.org/a"),
        ("probe", "http://example.org/la-x1"),
        ("exc", "Connection refused"),
        ("reason", "Connection refused"),
        ("describe", "Connection refused"),
        ("message", "Bad Request"),
        ("detail", "404 Not Found"),
        ("remarks", "the @article entry on line 3 has no citation key; skipped"),
        ("name", "wayback"),
        ("lead", ""),
    )
    return next((value for key, value in rules if key in text), "x")


def _samples(node: ast.AST, source: str) -> list[str]:
    """The sentence ``node`` writes, once for each reading of its placeholders."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if not isinstance(node, ast.JoinedStr):
        return []
    choices: list[tuple[str, ...]] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            choices.append((str(value.value),))
        elif isinstance(value, ast.FormattedValue):
            guess = _value_for(ast.get_source_segment(source, value.value) or "")
            choices.append(guess if isinstance(guess, tuple) else (guess,))
    return ["".join(parts) for parts in itertools.product(*choices)]


def _sentences() -> list[tuple[tuple[str, ...], str]]:
    """(readings of one sentence, where the source writes it)."""
    found: dict[tuple[str, ...], str] = {}
    for module in MODULES:
        source = module.read_text(encoding="utf-8")
        for node in _emitted(ast.parse(source)):
            if not _is_text(node):
                continue
            samples = tuple(sample for sample in _samples(node, source) if sample.strip())
            if samples and not INTERNAL.match(samples[0]):
                found.setdefault(samples, f"{module.relative_to(SOURCE)}:{getattr(node, 'lineno', 0)}")
    return sorted(found.items(), key=lambda pair: pair[1])


SENTENCES = _sentences()


def test_the_source_was_read() -> None:
    places = {place.split(":")[0] for _, place in SENTENCES}
    assert len(SENTENCES) > 60
    assert {"check/fetch.py", "check/engine.py", "check/verdict.py", "references/findings.py"} <= places


@pytest.mark.parametrize(("readings", "place"), SENTENCES, ids=[place for _, place in SENTENCES])
def test_every_english_sentence_has_a_russian_form(readings: tuple[str, ...], place: str) -> None:
    known = [sentence for sentence in readings if is_known(sentence)]
    assert known, f"{place}: no pattern in report/translate.py reads {readings[0]!r}"
    for sentence in known:
        russian = to_russian(sentence)
        if re.fullmatch(r"HTTP \d+", sentence):
            assert russian == sentence  # a bare status code reads the same in any language
        else:
            assert russian != sentence and re.search("[а-яё]", russian), russian


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("timed out after 1 s (2 attempts)", "нет ответа за 1 с (2 попытки)"),
        ("timed out after 1.5 s (5 attempts)", "нет ответа за 1,5 с (5 попыток)"),
        ("timed out after 20 s (1 attempt)", "нет ответа за 20 с (1 попытка)"),
        ("500 Internal Server Error (after 21 attempts)", "500 внутренняя ошибка сервера (после 21 попытки)"),
        ("404 Not Found (client error)", "404 не найдена (ошибка клиента)"),
        ("418 I'm a Teapot (client error)", "418 я чайник (ошибка клиента)"),
        ("299 Whatever", "HTTP 299"),
        ("moved to http://iz.ru/", "перемещена: http://iz.ru/"),
        ("host www.bnews.kz does not resolve", "имя www.bnews.kz не находится в DNS"),
        (
            "TLS failure: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
            "(_ssl.c:1006)",
            "ошибка TLS: сертификат самоподписанный",
        ),
        (
            "TLS failure: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, "
            "certificate is not valid for 'a.kz'. (_ssl.c:1006)",
            "ошибка TLS: сертификат выдан на другое имя",
        ),
        ("TLS failure: something new", "ошибка TLS: сбой TLS (something new)"),
        ("TLS failure: the certificate is for another host", "ошибка TLS: сертификат выдан на другое имя"),
        ("TLS failure: the certificate is not trusted (self-signed)",
         "ошибка TLS: сертификат не заслуживает доверия (самоподписанный)"),
        (
            "cannot connect: Connect call failed ('127.0.0.1', 46663)",
            "не удаётся соединиться: соединение отвергнуто (127.0.0.1:46663)",
        ),
        ("redirect loop at http://a.kz/x", "перенаправления зациклились на http://a.kz/x"),
        ("too many redirects (more than 10)", "слишком много перенаправлений (больше 10)"),
        (
            "moved to http://a.kz/b; the page now carries «Цены», not the cited «Арал» / «Aral»",
            "перемещена: http://a.kz/b; на странице теперь «Цены», а не цитируемый материал «Арал» / «Aral»",
        ),
        ("3 link(s) checked recently were taken from the cache (--refresh to recheck).",
         "3 ссылки, проверенные недавно, взяты из кэша (--refresh, чтобы проверить заново)."),
        ("1 link(s) checked recently were taken from the cache (--refresh to recheck).",
         "1 ссылка, проверенная недавно, взята из кэша (--refresh, чтобы проверить заново)."),
        ("web.archive.org could not be reached", "web.archive.org недоступен"),
        (
            "429 Too Many Requests: the server asked to retry after 99999 s (about 28 hours), beyond the 60 s "
            "linkaudit waits",
            "429 слишком много запросов: сервер просит повторить через 99999 с (около 28 часов), а linkaudit ждёт "
            "не больше 60 с",
        ),
        ("redirect loop (more than 10 redirects)", "перенаправления зациклились (больше 10)"),
    ],
)
def test_known_forms(english: str, russian: str) -> None:
    assert translate(english, "ru") == russian
    assert translate(english, "en") == english


def test_unknown_text_is_shown_as_written() -> None:
    assert translate("something nobody wrote a pattern for", "ru") == "something nobody wrote a pattern for"
    assert translate("", "ru") == ""
    assert not is_known("something nobody wrote a pattern for")


@pytest.mark.parametrize(
    ("days", "english", "russian"),
    [
        (0, "same day as cited", "в день цитирования"),
        (-2, "2 days before it was cited", "за 2 дня до цитирования"),
        (1, "1 day after it was cited", "через 1 день после цитирования"),
        (21, "21 days after it was cited", "через 21 день после цитирования"),
        (365, "365 days after it was cited", "через 365 дней после цитирования"),
        (969, "captured 2 years 8 months after it was cited", "снята через 2 года 8 месяцев после цитирования"),
        (-400, "captured 1 year 1 month before it was cited", "снята за 1 год 1 месяц до цитирования"),
        (730, "captured 2 years after it was cited", "снята через 2 года после цитирования"),
        (1900, "captured 5 years 2 months after it was cited", "снята через 5 лет 2 месяца после цитирования"),
    ],
)
def test_capture_distance_in_words(days: int, english: str, russian: str) -> None:
    assert i18n.capture_distance(days, "en") == english
    assert i18n.capture_distance(days, "ru") == russian
    assert i18n.is_far(days) is (abs(days) > 365)


def test_home_page_notes_on_one_line() -> None:
    labels = [f"A{number}" for number in range(1, 15)]
    assert i18n.notes_cite_homepages_only(labels[:1], "en") == "1 note cites only a home page: A1"
    assert i18n.notes_cite_homepages_only(labels, "en", shown=3) == "14 notes cite only a home page: A1, A2, A3, …"
    assert i18n.notes_cite_homepages_only(labels[:2], "ru") == (
        "2 примечания ссылаются только на главную страницу сайта: A1, A2"
    )
    assert i18n.notes_cite_homepages_only(labels[:5], "ru", shown=0) == (
        "5 примечаний ссылаются только на главную страницу сайта:"
    )


def test_every_readable_tls_reason_has_a_russian_form() -> None:
    from linkaudit.check.fetch import TLS_REASONS, tls_reason

    for reason in TLS_REASONS:
        russian = translate(f"TLS failure: {reason}", "ru")
        assert "сбой TLS (" not in russian and re.search("[а-яё]", russian), reason
    raw = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)"
    assert tls_reason(raw) == "the certificate is not trusted (self-signed)"
    assert tls_reason("[SSL: TLSV1_ALERT_INTERNAL_ERROR] tlsv1 alert internal error (_ssl.c:1006)") == (
        "the TLS handshake failed"
    )
    assert tls_reason("[SSL] something new (_ssl.c:1006)") == "something new"
    assert tls_reason(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid "
        "for 'a.kz'. (_ssl.c:1006)"
    ) == "the certificate is for another host"
