"""The checker's English sentences (link details, findings, run notes) rendered in every report language.

The checker, the archive pass and the reference parser write their explanations in English, once, and the
JSON keeps them so. Each English form is a template with parameters here: a pattern that reads the parameters
back out of the sentence, and a Russian template that puts them into Russian, translating the parameters that
are themselves sentences (the reason of a TLS failure, an HTTP phrase, an inner detail). A sentence no pattern
knows is shown as written; ``tests/report/test_translate.py`` collects every English form the code can emit
and fails when one has no pattern, so a new detail cannot reach a Russian reader untranslated unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..status import Status
from .i18n import language, plural_ru, status_label

Render = Callable[["re.Match[str]"], str]


@dataclass(frozen=True)
class Phrase:
    """One English sentence form and its Russian rendering."""

    name: str
    pattern: re.Pattern[str]
    ru: Render


def _phrase(name: str, pattern: str, ru: Render) -> Phrase:
    return Phrase(name, re.compile(pattern, re.DOTALL), ru)


def _attempts(count: str) -> str:
    number = int(count)
    return f"{number} {plural_ru(number, 'попытка', 'попытки', 'попыток')}"


def _after_attempts(count: str) -> str:
    number = int(count)
    return f"после {number} {plural_ru(number, 'попытки', 'попыток', 'попыток')}"


def _seconds(value: str) -> str:
    return value.replace(".", ",")


# --------------------------------------------------------------------------------------- HTTP phrases

HTTP_PHRASES_RU: dict[int, str] = {
    200: "успешно",
    201: "создано",
    203: "неавторитетная информация",
    204: "нет содержимого",
    300: "несколько вариантов",
    301: "перемещена навсегда",
    302: "найдена по другому адресу",
    303: "смотрите другой адрес",
    304: "не изменялась",
    307: "временное перенаправление",
    308: "постоянное перенаправление",
    400: "неверный запрос",
    401: "нужна авторизация",
    402: "нужна оплата",
    403: "доступ запрещён",
    404: "не найдена",
    405: "метод не разрешён",
    406: "неприемлемо",
    407: "нужна авторизация на прокси",
    408: "истекло время ожидания запроса",
    409: "конфликт",
    410: "удалена навсегда",
    411: "нужна длина",
    412: "условие не выполнено",
    413: "запрос слишком велик",
    414: "адрес слишком длинный",
    415: "неподдерживаемый тип данных",
    418: "я чайник",
    421: "запрос не по адресу",
    422: "необрабатываемые данные",
    423: "заблокировано",
    425: "слишком рано",
    426: "нужно обновление протокола",
    428: "нужно условие",
    429: "слишком много запросов",
    431: "заголовки слишком велики",
    451: "недоступна по юридическим причинам",
    500: "внутренняя ошибка сервера",
    501: "не реализовано",
    502: "ошибка шлюза",
    503: "сервис недоступен",
    504: "шлюз не дождался ответа",
    505: "версия HTTP не поддерживается",
    507: "переполнено хранилище",
    508: "обнаружен цикл",
    511: "нужна сетевая авторизация",
}


def http_phrase_ru(code: str) -> str:
    phrase = HTTP_PHRASES_RU.get(int(code))
    return f"{code} {phrase}" if phrase else f"HTTP {code}"


# ------------------------------------------------------------------------- reasons given by the system

# What OpenSSL and the OS say, searched inside the raw reason (which carries codes and file positions).
_TLS_REASONS_RU: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), text)
    for pattern, text in (
        (r"self[- ]signed certificate in certificate chain", "в цепочке сертификатов самоподписанный сертификат"),
        (r"self[- ]signed certificate", "сертификат самоподписанный"),
        (r"certificate has expired", "срок действия сертификата истёк"),
        (r"certificate is not yet valid", "сертификат ещё не вступил в силу"),
        (r"hostname mismatch|doesn't match|not valid for", "сертификат выдан на другое имя"),
        (r"unable to get local issuer certificate|unable to get issuer certificate",
         "сертификат выдан неизвестным удостоверяющим центром"),
        (r"certificate revoked", "сертификат отозван"),
        (r"unsupported protocol|no protocols available|wrong ssl version",
         "сервер предлагает только устаревшую версию TLS"),
        (r"wrong version number|record layer failure|packet length too long",
         "по этому адресу сервер отвечает не по TLS"),
        (r"handshake failure|alert", "сбой согласования TLS"),
        (r"eof occurred|unexpected eof|connection has been closed", "сервер оборвал соединение при согласовании TLS"),
        (r"certificate verify failed", "сертификат не прошёл проверку"),
    )
)

_OS_REASONS_RU: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"Connect call failed \('(?P<host>[^']+)', (?P<port>\d+)(?:, \d+, \d+)?\)"),
     lambda m: f"соединение отвергнуто ({m['host']}:{m['port']})"),
    (re.compile(r"connection refused", re.IGNORECASE), lambda m: "соединение отвергнуто"),
    (re.compile(r"connection reset by peer", re.IGNORECASE), lambda m: "сервер сбросил соединение"),
    (re.compile(r"server ?disconnected(?:error)?", re.IGNORECASE), lambda m: "сервер оборвал соединение"),
    (re.compile(r"network is unreachable", re.IGNORECASE), lambda m: "сеть недоступна"),
    (re.compile(r"no route to host", re.IGNORECASE), lambda m: "нет маршрута до узла"),
    (re.compile(r"timed? ?out", re.IGNORECASE), lambda m: "время ожидания истекло"),
    (re.compile(r"broken pipe", re.IGNORECASE), lambda m: "соединение разорвано"),
    (re.compile(r"payload|response payload is not completed", re.IGNORECASE),
     lambda m: "ответ оборвался на середине"),
    (re.compile(r"host is unreachable", re.IGNORECASE), lambda m: "узел недоступен"),
)


# check/fetch.py's readable reasons (``fetch.TLS_REASONS``), word for word.
_TLS_READABLE_RU: dict[str, str] = {
    "the certificate is not trusted (self-signed chain)": "сертификат не заслуживает доверия (самоподписанная цепочка)",
    "the certificate is not trusted (self-signed)": "сертификат не заслуживает доверия (самоподписанный)",
    "the certificate has expired": "срок действия сертификата истёк",
    "the certificate is not valid yet": "сертификат ещё не вступил в силу",
    "the certificate is for another host": "сертификат выдан на другое имя",
    "the certificate is not trusted (unknown issuer)": "сертификат не заслуживает доверия (неизвестный издатель)",
    "the certificate was revoked": "сертификат отозван",
    "the server offers only an outdated TLS version": "сервер предлагает только устаревшую версию TLS",
    "the server does not speak TLS at this address": "по этому адресу сервер отвечает не по TLS",
    "the server closed the connection during the TLS handshake": "сервер оборвал соединение при согласовании TLS",
    "the TLS handshake failed": "сбой согласования TLS",
    "the certificate did not verify": "сертификат не прошёл проверку",
}


def tls_reason_ru(reason: str) -> str:
    readable = _TLS_READABLE_RU.get(reason)
    if readable is not None:
        return readable
    for pattern, text in _TLS_REASONS_RU:
        if pattern.search(reason):
            return text
    return f"сбой TLS ({reason})"


def os_reason_ru(reason: str) -> str:
    for pattern, render in _OS_REASONS_RU:
        match = pattern.search(reason)
        if match:
            return render(match)
    return reason


# ----------------------------------------------------------------------------------- the phrase table


def _inner(match: re.Match[str], group: str = "inner") -> str:
    return to_russian(match[group])


_LINK_DETAILS: tuple[Phrase, ...] = (
    # Suffixes and wrappers around another detail come first: they translate what they wrap.
    _phrase("after_attempts", r"(?P<inner>.+) \(after (?P<n>\d+) attempts\)",
            lambda m: f"{_inner(m)} ({_after_attempts(m['n'])})"),
    _phrase("client_error", r"(?P<inner>.+) \(client error\)", lambda m: f"{_inner(m)} (ошибка клиента)"),
    _phrase("no_location", r"(?P<inner>.+) without a usable Location",
            lambda m: f"{_inner(m)}: перенаправление без пригодного адреса"),
    _phrase("unexpected_answer", r"unexpected answer: (?P<inner>.+)", lambda m: f"неожиданный ответ: {_inner(m)}"),
    _phrase("http_phrase", r"(?P<code>[1-5]\d\d) [A-Z][A-Za-z'\- ]*", lambda m: http_phrase_ru(m["code"])),
    _phrase("http_code", r"HTTP (?P<code>\d{3})", lambda m: f"HTTP {m['code']}"),
    _phrase("timed_out_after", r"timed out after (?P<s>[\d.]+) s \((?P<n>\d+) attempts?\)",
            lambda m: f"нет ответа за {_seconds(m['s'])} с ({_attempts(m['n'])})"),
    _phrase("timed_out", r"timed out", lambda m: "нет ответа вовремя"),
    _phrase("dns", r"host (?P<host>\S+) does not resolve", lambda m: f"имя {m['host']} не находится в DNS"),
    _phrase("private", r"resolves to a private address \(use --allow-private\)",
            lambda m: "указывает на частный адрес (проверка только с --allow-private)"),
    _phrase("tls", r"TLS failure: (?P<reason>.+)", lambda m: f"ошибка TLS: {tls_reason_ru(m['reason'])}"),
    _phrase("proxy_unreachable", r"cannot reach the proxy: (?P<reason>.+)",
            lambda m: f"прокси-сервер недоступен: {os_reason_ru(m['reason'])}"),
    _phrase("proxy_refused", r"the proxy refused: (?P<code>\d+) (?P<rest>.*)",
            lambda m: f"прокси-сервер отказал: {http_phrase_ru(m['code'])}"),
    _phrase("cannot_connect", r"cannot connect: (?P<reason>.+)",
            lambda m: f"не удаётся соединиться: {os_reason_ru(m['reason'])}"),
    _phrase("connection_reset", r"connection reset: (?P<reason>.+)",
            lambda m: f"соединение прервано: {os_reason_ru(m['reason'])}"),
    _phrase("malformed_response", r"malformed response: (?P<reason>.+)",
            lambda m: f"сервер прислал испорченный ответ ({os_reason_ru(m['reason'])})"),
    _phrase("malformed_url", r"malformed URL \((?P<reason>.+)\)", lambda m: f"неверный URL ({_inner(m, 'reason')})"),
    _phrase("not_http", r"not an http\(s\) URL \((?P<scheme>.+)\)",
            lambda m: f"не адрес http(s) ({'без схемы' if m['scheme'] == 'no scheme' else m['scheme']})"),
    _phrase("bad_location", r"bad redirect Location (?P<target>.+)",
            lambda m: f"перенаправление на неверный адрес {m['target']}"),
    _phrase("non_http_redirect", r"redirect to a non-http URL (?P<target>.+)",
            lambda m: f"перенаправление на адрес не http(s): {m['target']}"),
    _phrase("redirect_loop", r"redirect loop at (?P<target>.+)",
            lambda m: f"перенаправления зациклились на {m['target']}"),
    _phrase("too_many_redirects",
            r"(?P<what>too many redirects|redirect loop) \(more than (?P<n>\d+)(?: redirects)?\)",
            lambda m: (
                "слишком много перенаправлений" if m["what"].startswith("too") else "перенаправления зациклились"
            )
            + f" (больше {m['n']})"),
    _phrase("redirect_port_0", r"redirect to port 0 (?P<target>.+)",
            lambda m: f"перенаправление на порт 0: {m['target']}"),
    _phrase("no_host_url", r"URL without a host", lambda m: "в URL нет имени сайта"),
    _phrase("port_0", r"port 0 cannot be connected to", lambda m: "к порту 0 подключиться нельзя"),
    _phrase("accepted", r"(?P<inner>.+), accepted by configuration \(--accept\)",
            lambda m: f"{_inner(m)}, принят настройками (--accept)"),
    _phrase("gave_up",
            r"(?P<inner>.+): the server asked to retry after (?P<wait>\d+) s(?: \(about (?P<about>[\d,]+) "
            r"(?P<unit>years|days|hours|minutes)\))?, beyond the (?P<cap>[\d.]+) s linkaudit waits",
            lambda m: f"{_inner(m)}: сервер просит повторить через {m['wait']} с"
            + (f" (около {m['about'].replace(',', ' ')} {_unit_ru(m['unit'], m['about'])})" if m["about"] else "")
            + f", а linkaudit ждёт не больше {_seconds(m['cap'])} с"),
    _phrase("could_not_check", r"could not be checked: (?P<kind>\w+): (?P<reason>.+)",
            lambda m: f"не удалось проверить: {m['kind']}: {m['reason']}"),
    _phrase("archive_over", r"archive pass is over", lambda m: "поиск в архиве завершён"),
    _phrase("archive_slot", r"waited too long for an archive request slot",
            lambda m: "слишком долгое ожидание очереди к архиву"),
    _phrase("capture_reason", r"(?P<ts>\d{14}): (?P<inner>.+)", lambda m: f"{m['ts']}: {_inner(m)}"),
    _phrase("excluded", r"excluded by configuration", lambda m: "исключена настройками"),
    _phrase("catch_all", r"the host answers any address with this page \(a made-up sibling (?P<url>\S+) got it too\)",
            lambda m: f"сайт отвечает этой страницей на любой адрес (выдуманный соседний адрес {m['url']} "
            "получил её же)"),
    _phrase("parked", r"the domain shows a parking or for-sale page \((?P<marker>.+)\)",
            lambda m: f"домен показывает страницу парковки или продажи («{m['marker']}»)"),
    _phrase("error_page", r"answered 200 with an error page \(«(?P<text>.+)»\)",
            lambda m: f"ответ 200, но на странице сообщение об ошибке («{m['text']}»)"),
    _phrase("error_address", r"redirected to an error address: (?P<url>\S+)",
            lambda m: f"перенаправлена на адрес страницы ошибки: {m['url']}"),
    _phrase("homepage_redirect", r"the deep link was redirected to the site root: (?P<url>\S+)",
            lambda m: f"ссылка на материал перенаправлена на главную страницу: {m['url']}"),
    _phrase("same_page", r"same page at (?P<url>\S+)", lambda m: f"та же страница по адресу {m['url']}"),
    _phrase("home_moved", r"the site's home page is now (?P<url>\S+)",
            lambda m: f"главная страница сайта теперь {m['url']}"),
    _phrase("moved", r"moved to (?P<url>\S+)", lambda m: f"перемещена: {m['url']}"),
    _phrase("drift", r"the page now carries «(?P<title>.+)», not the cited (?P<cited>«.+»)",
            lambda m: f"на странице теперь «{m['title']}», а не цитируемый материал {m['cited']}"),
    _phrase("drift_partial", r"the page title «(?P<title>.+)» matches the cited title (?P<cited>«.+») only in part",
            lambda m: f"заголовок страницы «{m['title']}» лишь отчасти совпадает с цитируемым {m['cited']}"),
    _phrase("drift_short", r"the page title «(?P<title>.+)» differs from the cited title (?P<cited>«.+»), too short to "
            r"tell another work",
            lambda m: f"заголовок страницы «{m['title']}» не совпадает с цитируемым {m['cited']}, но оно слишком "
            "короткое, чтобы судить о подмене"),
    _phrase("drift_untitled", r"the page has no title, and the cited title (?P<cited>«.+») was not found in it",
            lambda m: f"у страницы нет заголовка, и цитируемое название {m['cited']} на ней не найдено"),
    _phrase("scheme_not_fetched", r"(?P<scheme>[\w+.-]+): URLs are not fetched",
            lambda m: f"адреса {m['scheme']}: не проверяются"),
    _phrase("no_host", r"no host name in (?P<url>.+)", lambda m: f"в адресе {m['url']} нет имени сайта"),
    _phrase("not_a_url", r"not a URL: (?P<url>.+)", lambda m: f"не URL: {m['url']}"),
    _phrase("ipv6", r"invalid IPv6 address (?P<host>.+)", lambda m: f"неверный адрес IPv6 {m['host']}"),
    _phrase("empty_label", r"empty label in host (?P<host>.+)", lambda m: f"пустая часть в имени сайта {m['host']}"),
    _phrase("invalid_host", r"invalid host (?P<host>.+)", lambda m: f"неверное имя сайта {m['host']}"),
    _phrase("host_encoding", r"host (?P<host>.+) cannot be encoded: (?P<reason>.+)",
            lambda m: f"имя сайта {m['host']} нельзя записать в punycode ({m['reason']})"),
    _phrase("doi_unregistered", r"DOI not registered", lambda m: "DOI не зарегистрирован"),
    # The readings of a URL the layout left ambiguous (links.choose_candidates).
    _phrase("reading_answered", r"read as (?P<url>\S+), the reading that answered",
            lambda m: f"прочитан как {m['url']} — это прочтение ответило"),
    _phrase("no_reading_answered", r"no reading answered: (?P<url>\S+) is reported",
            lambda m: f"ни одно прочтение не ответило, в отчёте {m['url']}"),
    _phrase("also_checked", r"also checked (?P<readings>\S+ \(\w+\)(?:, \S+ \(\w+\))*)",
            lambda m: "проверены также " + _readings_ru(m["readings"])),
    # Archive captures (``Snapshot.detail``) and archive remarks.
    _phrase("capture_unfetched", r"capture could not be fetched: (?P<reason>.+)",
            lambda m: f"копию не удалось загрузить: {_inner(m, 'reason')}"),
    _phrase("capture_429", r"the archive kept answering 429", lambda m: "архив раз за разом отвечал 429"),
    _phrase("capture_redirect", r"archived redirect to (?P<url>\S+) \(the redirect captured (?P<ts>\d+)\)",
            lambda m: f"архивное перенаправление на {m['url']} (перенаправление снято {m['ts']})"),
    _phrase("capture_status", r"(?P<lead>archived redirect to \S+: )?capture answered HTTP (?P<code>\d+)",
            lambda m: f"{_lead(m)}копия ответила HTTP {m['code']}"),
    _phrase("capture_rejected",
            r"(?P<lead>archived redirect to \S+: )?capture rejected \((?P<status>\w+)\): (?P<inner>.+)",
            lambda m: f"{_lead(m)}копия отклонена ({m['status']}): {_inner(m)}"),
    _phrase("capture_elsewhere",
            r"(?P<lead>archived redirect to \S+: )?capture rejected: it leads to another page without the cited "
            r"title \((?P<inner>.+)\)",
            lambda m: f"{_lead(m)}копия отклонена: она ведёт на другую страницу без цитируемого заголовка "
            f"({_inner(m)})"),
    _phrase("capture_served", r"the archive served the capture of (?P<ts>\d+) instead of (?P<asked>\d+)",
            lambda m: f"архив выдал копию {m['ts']} вместо {m['asked']}"),
)


def _readings_ru(readings: str) -> str:
    """«http://a (dead), http://b (ok)» with each status named in Russian."""

    def status(match: re.Match[str]) -> str:
        try:
            label = status_label(Status(match[1]), "ru")
            return f"({label[:1].lower()}{label[1:]})"
        except ValueError:
            return match[0]

    return re.sub(r"\((\w+)\)(?=,|$)", status, readings)


def _reason_ru(reason: str) -> str:
    """A failure's reason: one of our sentences in its Russian form, else the system's words as they read."""
    return to_russian(reason) if is_known(reason) else os_reason_ru(reason)


def _unit_ru(unit: str, amount: str) -> str:
    count = int(amount.replace(",", ""))
    forms = {
        "years": ("год", "года", "лет"),
        "days": ("день", "дня", "дней"),
        "hours": ("час", "часа", "часов"),
        "minutes": ("минута", "минуты", "минут"),
    }[unit]
    return plural_ru(count, *forms)


def _lead(match: re.Match[str]) -> str:
    lead = match["lead"]
    if not lead:
        return ""
    url = lead[len("archived redirect to ") : -2]
    return f"архивное перенаправление на {url}: "


def _half_ru(name: str) -> str:
    """«the Russian half» -> «русская половина» (case is fixed by the caller's template)."""
    return {
        "Russian": "русская", "English": "английская", "Kazakh": "казахская", "Uzbek": "узбекская",
        "Tajik": "таджикская", "Kyrgyz": "киргизская", "Ukrainian": "украинская", "Belarusian": "белорусская",
        "German": "немецкая", "French": "французская", "first": "первая", "second": "вторая", "third": "третья",
        "fourth": "четвёртая",
    }.get(name, name)


def _halves_ru(names: str, case: str = "nominative") -> str:
    """«Russian/Kazakh» as «русская/казахская», in the genitive («русской») or accusative («русскую»)."""
    words = [_half_ru(name) for name in names.split("/")]
    return "/".join(_adjective_case(word, case) for word in words)


def _adjective_case(word: str, case: str) -> str:
    endings = {"genitive": ("ой", "ей"), "accusative": ("ую", "ю")}
    if case not in endings:
        return word
    hard, soft = endings[case]
    if word.endswith("ая"):
        return word[:-2] + hard
    if word.endswith("ья"):  # третья -> третьей, третью
        return word[:-1] + soft
    return word


def _note_label(label: str) -> str:
    """«Note A3» -> «Примечание A3»; «The paragraph on line 12» -> «Абзац в строке 12»."""
    match = re.fullmatch(r"Note (\S+)", label)
    if match:
        return f"Примечание {match[1]}"
    match = re.fullmatch(r"The paragraph on line (\d+)", label)
    if match:
        return f"Абзац в строке {match[1]}"
    return label


def _described_halves(described: str) -> str:
    """«the Russian half http://a; the English half http://b» -> «в русской половине http://a; …»."""
    parts = []
    for part in re.split(r"[;,] (?=the \S+ half )", described):
        match = re.fullmatch(r"the (?P<name>\S+) half (?P<rest>.+)", part.strip())
        parts.append(f"в {_halves_ru(match['name'], 'genitive')} половине {match['rest']}" if match else part)
    return "; ".join(parts)


_LABEL = r"(?P<label>Note \S+|The paragraph on line \d+)"

_FINDINGS: tuple[Phrase, ...] = (
    _phrase("homepage_only",
            rf"{_LABEL} cites only (?P<urls>.+), which (?:is a site's home page|are home pages), not the cited "
            r"article, so the citation cannot be verified; cite the article's own URL\.",
            lambda m: f"{_note_label(m['label'])} ссылается только на "
            f"{'главные страницы сайтов' if ', ' in m['urls'] else 'главную страницу сайта'} ({m['urls']}), а не "
            "на сам материал, и цитату нельзя проверить; укажите адрес самого материала."),
    _phrase("glued_urls",
            rf"{_LABEL} writes (?P<written>“.+”) with no space before a URL; it was read as (?P<urls>.+) — put a "
            r"space before each URL\.",
            lambda m: f"{_note_label(m['label'])}: в записи {m['written']} перед адресом нет пробела; прочитано как "
            f"{m['urls']} — поставьте пробел перед каждым адресом."),
    _phrase("scheme_added",
            rf"{_LABEL} gives (?P<raws>.+) without http:// or https://; write the full address \((?P<urls>.+) was "
            r"assumed\)\.",
            lambda m: f"{_note_label(m['label'])}: адрес {m['raws']} записан без http:// или https://; укажите "
            f"полный адрес (принято {m['urls']})."),
    _phrase("url_only_in_one_half",
            rf"{_LABEL}: the (?P<with>\S+) half cites (?P<urls>.+) but the (?P<without>\S+) half cites no URL; add "
            r"the URL to the (?P=without) half\.",
            lambda m: f"{_note_label(m['label'])}: {_halves_ru(m['with'])} половина ссылается на {m['urls']}, а "
            f"{_halves_ru(m['without'])} — ни на что; добавьте адрес в {_halves_ru(m['without'], 'accusative')} "
            "половину."),
    _phrase("urls_differ",
            rf"{_LABEL} cites different URLs in its halves \((?P<described>.+)\); make both halves cite the same "
            r"page\.",
            lambda m: f"{_note_label(m['label'])}: половины ссылаются на разные адреса "
            f"({_described_halves(m['described'])}); пусть обе ссылаются на одну страницу."),
    _phrase("urls_glued_in_one_half",
            rf"{_LABEL}: the (?P<gluing>\S+) half glues (?P<urls>.+) into one address \((?P<token>“.+”)\) while the "
            r"(?P<separate>\S+) half gives them as separate addresses; decide which page is cited and write it the "
            r"same way in both halves\.",
            lambda m: f"{_note_label(m['label'])}: в {_halves_ru(m['gluing'], 'genitive')} половине "
            f"{m['urls'].replace(' and ', ' и ')} склеены в один адрес ({m['token']}), а в "
            f"{_halves_ru(m['separate'], 'genitive')} записаны раздельно; решите, какая страница цитируется, и "
            "запишите её одинаково в обеих половинах."),
    _phrase("dates_differ",
            rf"{_LABEL} gives different dates \((?P<described>.+)\); correct the wrong one, since the archived copy "
            r"is chosen by this date\.",
            lambda m: f"{_note_label(m['label'])}: в половинах разные даты ({_described_halves(m['described'])}); "
            "исправьте неверную — по этой дате выбирается архивная копия."),
    _phrase("dois_differ",
            rf"{_LABEL} cites different DOIs in its halves \((?P<described>.+)\); a translation cites the same "
            r"work, so correct the wrong DOI \(or say that the halves cite two editions\)\.",
            lambda m: f"{_note_label(m['label'])}: половины указывают разные DOI "
            f"({_described_halves(m['described'])}); перевод цитирует ту же работу, так что исправьте неверный DOI "
            "(или укажите, что половины цитируют два издания)."),
    _phrase("ibid_unresolved",
            r"Note (?P<label>\S+) says (?P<text>“.+”) but no earlier note of list (?P<list>\S+) precedes it; write "
            r"out the source it means\.",
            lambda m: f"Примечание {m['label']} гласит {m['text']}, но в списке {m['list']} перед ним нет "
            "примечания; укажите источник полностью."),
    _phrase("marker_without_note",
            r"The text cites \[(?P<marker>[^\]]+)\] on line (?P<line>\d+), but list (?P<list>\S+) has no note "
            r"(?P=marker); add the note or correct the marker\.",
            lambda m: f"Текст ссылается на [{m['marker']}] в строке {m['line']}, но в списке {m['list']} нет "
            f"примечания {m['marker']}; добавьте примечание или исправьте ссылку."),
    _phrase("note_without_marker",
            r"Note (?P<label>\S+) is never cited in the text; add its marker \[(?P<number>[^\]]+)\] where it is "
            r"used or drop the note\.",
            lambda m: f"На примечание {m['label']} текст нигде не ссылается; поставьте ссылку [{m['number']}] там, "
            "где оно нужно, или уберите примечание."),
    _phrase("url_and_doi_differ",
            rf"{_LABEL} cites the DOI (?P<doi>\S+) and the URL (?P<url>\S+), but they lead to different places "
            r"\((?P<one>\S+) and (?P<other>\S+)\); check that both name the same work, or cite the one that does\.",
            lambda m: f"{_note_label(m['label'])}: DOI {m['doi']} и адрес {m['url']} ведут в разные места "
            f"({m['one']} и {m['other']}); проверьте, что оба указывают на одну и ту же работу, или оставьте тот, "
            "что указывает на неё."),
    _phrase("link_text_differs",
            r"The link on line (?P<line>\d+) shows (?P<shown>.+) but leads to (?P<target>\S+); make the text and "
            r"the link agree \(both were checked\)\.",
            lambda m: f"Ссылка в строке {m['line']} показывает {m['shown']}, а ведёт на {m['target']}; приведите "
            "текст и адрес ссылки в согласие (проверены оба)."),
    _phrase("lists_disagree",
            r"(?P<one>\S+) and (?P<other>\S+) cite the same source \((?P<source>.+)\); the lists number it "
            r"differently — (?P<advice>.+?)(?: \((?P<ibid>\S+) is “Ibid\.” of (?P<target>\S+)\))?\.",
            lambda m: f"{m['one']} и {m['other']} цитируют один источник ({m['source']}), но списки нумеруют его "
            f"по-разному — {_advice_ru(m['advice'])}."
            .rstrip(".") + (f" ({m['ibid']} — «Там же» к {m['target']})." if m["ibid"] else ".")),
)


def _cached_ru(count: int) -> str:
    noun = plural_ru(count, "ссылка, проверенная", "ссылки, проверенные", "ссылок, проверенных")
    verb = "взята" if noun.startswith("ссылка,") else "взяты"
    return f"{count} {noun} недавно, {verb} из кэша (--refresh, чтобы проверить заново)."


def _advice_ru(advice: str) -> str:
    if advice == "check which numbering the text's markers follow":
        return "проверьте, какой нумерации следуют ссылки в тексте"
    parts = []
    for part in advice.split(" and the text's markers "):
        match = re.fullmatch(r"(?:the text's markers )?(?P<span>.+) follow list (?P<list>\S+)", part)
        parts.append(f"ссылки в тексте {match['span']} следуют списку {match['list']}" if match else part)
    return ", а ".join(parts)


_NOTES: tuple[Phrase, ...] = (
    _phrase("cache", r"(?P<n>\d+) link\(s\) checked recently were taken from the cache \(--refresh to recheck\)\.",
            lambda m: _cached_ru(int(m["n"]))),
    _phrase("offline",
            r"No cited host could be reached at all: this machine looks offline, so nothing is reported as rot\.",
            lambda m: "Ни один цитируемый сайт не ответил: похоже, компьютер без сети, и ничего не отмечено как "
            "утраченное."),
    _phrase("archive_timebox",
            r"archive lookups stopped after (?P<s>[\d.]+) s: (?P<n>\d+) of (?P<total>\d+) broken links got no "
            r"archived copy",
            lambda m: f"поиск в архиве остановлен через {_seconds(m['s'])} с: для {m['n']} из {m['total']} "
            "недоступных ссылок архивная копия не найдена"),
    _phrase("network_broken", r"The network is broken: (?P<inner>.+)\.", lambda m: f"Сеть неисправна: {_inner(m)}."),
    _phrase("captive",
            r"(?P<n>\d+) distinct cited hosts all answered with one identical page \(HTTP (?P<code>\d+)\)"
            r"(?P<archive> and so did the archive|, and the archive cannot be reached): a proxy or captive portal is "
            r"answering for the web, so nothing is reported as rot",
            lambda m: f"{m['n']} разных цитируемых сайтов ответили одной и той же страницей (HTTP {m['code']})"
            + (", и архив тоже" if "so did" in m["archive"] else ", а архив недоступен")
            + ": за весь интернет отвечает прокси или страница входа в сеть, поэтому ничего не отмечено как "
            "утраченное"),
    _phrase("offline_hosts",
            r"(?P<n>\d+) distinct cited hosts failed at the network level, none answered, and the archive cannot "
            r"be reached either: this machine looks offline, so nothing is reported as rot",
            lambda m: f"{m['n']} разных цитируемых сайтов недоступны на сетевом уровне, ни один не ответил, и архив "
            "тоже недоступен: похоже, компьютер без сети, поэтому ничего не отмечено как утраченное"),
    _phrase("too_deep", r"(?P<document>.+): too deeply nested to read",
            lambda m: f"{m['document']}: вложенность слишком глубока, документ не прочитан"),
    _phrase("archive_stopped", r"The archive pass stopped early: (?P<reason>.+)",
            lambda m: f"Поиск в архиве прерван: {_inner(m, 'reason')}"),
    _phrase("more_remarks", r"… and (?P<n>\d+) more archive remark\(s\) like these\.",
            lambda m: f"… и ещё {m['n']} "
            f"{plural_ru(int(m['n']), 'такое замечание', 'таких замечания', 'таких замечаний')} об архиве."),
    _phrase("lookup_failed", r"(?P<archive>\S+): lookup of (?P<url>\S+) failed: (?P<reason>.+)",
            lambda m: f"{m['archive']}: поиск {m['url']} в архиве не удался: {_inner(m, 'reason')}"),
    _phrase("archive_unreachable",  # the CLI's one line for an archive that could not be reached at all
            r"(?P<host>\S+) (?P<how>could not be reached|did not answer in time) "
            r"\((?P<n>\d+) lookups? failed; no archived copy could be looked up\)",
            lambda m: f"{m['host']} {'недоступен' if m['how'].startswith('could') else 'не ответил вовремя'} ({m['n']} "
            f"{plural_ru(int(m['n']), 'запрос не удался', 'запроса не удались', 'запросов не удались')}; "
            "архивные копии искать было негде)"),
    _phrase("unreachable", r"(?P<host>\S+) could not be reached", lambda m: f"{m['host']} недоступен"),
    _phrase("no_answer_in_time", r"(?P<host>\S+) did not answer in time",
            lambda m: f"{m['host']} не ответил вовремя"),
    _phrase("kept_429", r"(?P<host>.+) kept answering 429 \(too many requests\)",
            lambda m: f"{'архив' if m['host'] == 'the archive' else m['host']} раз за разом отвечал 429 "
            "(слишком много запросов)"),
    _phrase("archive_unreachable_unnamed", r"the archive (?P<how>could not be reached|did not answer in time)",
            lambda m: "архив недоступен" if m["how"].startswith("could") else "архив не ответил вовремя"),
    _phrase("cdx_status", r"CDX server answered HTTP (?P<code>\d+)", lambda m: f"сервер CDX ответил HTTP {m['code']}"),
    _phrase("cdx_failed", r"CDX query failed: (?P<reason>.+)",
            lambda m: f"запрос к CDX не удался: {os_reason_ru(m['reason'])}"),
    _phrase("timegate_status", r"TimeGate answered HTTP (?P<code>\d+)",
            lambda m: f"TimeGate ответил HTTP {m['code']}"),
    _phrase("memento_failed", r"Memento request failed: (?P<reason>.+)",
            lambda m: f"запрос Memento не удался: {os_reason_ru(m['reason'])}"),
    _phrase("spn_timebox", r"Save Page Now stopped after (?P<s>[\d.]+) s",
            lambda m: f"Save Page Now остановлен через {_seconds(m['s'])} с"),
    _phrase("spn_refused", r"Save Page Now refused further submissions \(429\); the rest are not saved",
            lambda m: "Save Page Now отказался принимать новые адреса (429); остальные не сохранены"),
    _phrase("spn_not_captured", r"Save Page Now did not capture (?P<url>\S+) \(HTTP (?P<code>\d+)\)",
            lambda m: f"Save Page Now не сохранил {m['url']} (HTTP {m['code']})"),
    _phrase("spn_failed", r"Save Page Now: (?P<url>\S+): (?P<reason>.+)",
            lambda m: f"Save Page Now: {m['url']}: {_reason_ru(m['reason'])}"),
)

_DOCUMENT = r"(?P<document>.+?): "


def _document_phrase(name: str, pattern: str, ru: Render) -> Phrase:
    """A remark on one input, written after the document's name and a colon (kept so in Russian)."""
    return _phrase(name, _DOCUMENT + pattern, lambda m: f"{m['document']}: {ru(m)}")


# What the readers say of an input they cannot read, or set aside (``inputs``): the document's name first.
_INPUTS: tuple[Phrase, ...] = (
    _document_phrase("no_files", r"no \.txt, \.md or \.html files in this directory \(nor any of (?P<kinds>.+)\)",
            lambda m: f"в этой папке нет файлов .txt, .md или .html (и никаких {m['kinds']})"),
    _document_phrase("no_such_file", r"no such file or directory",
            lambda m: "нет такого файла или папки"),
    _document_phrase("too_big", r"file is (?P<mb>\d+) MB, more than the (?P<cap>\d+) MB limit",
            lambda m: f"файл занимает {m['mb']} МБ, больше предела в {m['cap']} МБ"),
    _document_phrase("permission", r"permission denied", lambda m: "нет прав на чтение"),
    _document_phrase("is_directory", r"is a directory", lambda m: "это папка"),
    _document_phrase("cannot_read", r"cannot read \((?P<reason>.+)\)",
            lambda m: f"не удаётся прочитать ({os_reason_ru(m['reason'])})"),
    _phrase("bib_malformed", r"the @(?P<kind>\S+) entry on line (?P<line>\d+) is malformed \((?P<inner>.+)\); skipped",
            lambda m: f"запись @{m['kind']} в строке {m['line']} испорчена ({_inner(m)}); пропущена"),
    _phrase("bib_no_key", r"the @(?P<kind>\S+) entry on line (?P<line>\d+) has no citation key; skipped",
            lambda m: f"у записи @{m['kind']} в строке {m['line']} нет ключа цитирования; пропущена"),
    _phrase("bib_no_closing", r"no closing (?P<what>.+)", lambda m: f"нет закрывающего {m['what']}"),
    _phrase("bib_unexpected", r"unexpected (?P<what>.+)", lambda m: f"неожиданное {m['what']}"),
    _phrase("bib_long_field", r"field (?P<field>\S+) is (?P<n>\d+) characters long",
            lambda m: f"поле {m['field']} длиной {m['n']} "
            f"{plural_ru(int(m['n']), 'символ', 'символа', 'символов')}"),
    _phrase("bib_cut_off", r"a field value is cut off", lambda m: "значение поля оборвано"),
    _phrase("bib_unterminated", r"an unterminated quoted value", lambda m: "значение в кавычках не закрыто"),
    _phrase("bib_braces", r"unbalanced braces", lambda m: "фигурные скобки не сбалансированы"),
    _phrase("bib_no_web_address",
            r"the url field of (?P<key>\S+) \(line (?P<line>\d+)\) holds no web address \((?P<value>.+)\); not checked",
            lambda m: f"в поле url записи {m['key']} (строка {m['line']}) нет веб-адреса ({m['value']}); не "
            "проверяется"),
    _document_phrase("json_invalid", r"not valid JSON \((?P<reason>.+) on line (?P<line>\d+)\)",
            lambda m: f"это не JSON ({m['reason']} в строке {m['line']})"),
    _document_phrase("csl_not_list", r"JSON, but not a CSL-JSON bibliography \(a list of items\)",
            lambda m: "JSON, но не библиография CSL-JSON (нужен список записей)"),
    _document_phrase("csl_no_items",
            r"JSON, but not a CSL-JSON bibliography \(its items have no title, URL or DOI\)",
            lambda m: "JSON, но не библиография CSL-JSON (у записей нет названия, URL или DOI)"),
    _document_phrase("ris_none", r"no RIS records \(no 'TY  - ' line\)",
            lambda m: "нет записей RIS (нет строки 'TY  - ')"),
    _phrase("ris_malformed", r"the RIS record on line (?P<line>\d+) is malformed \((?P<inner>.+)\); skipped",
            lambda m: f"запись RIS в строке {m['line']} испорчена ({os_reason_ru(m['inner'])}); пропущена"),
    _document_phrase("docx_no_body", r"a zip file without word/document\.xml, not a Word document",
            lambda m: "архив zip без word/document.xml — это не документ Word"),
    _document_phrase("odt_no_body", r"a zip file without content\.xml, not an OpenDocument text",
            lambda m: "архив zip без content.xml — это не текст OpenDocument"),
    _document_phrase("office_unreadable", r"not a readable (?P<what>.+?) file \((?P<reason>.+)\)",
            lambda m: f"файл {m['what']} не читается ({m['reason']})"),
    _document_phrase("office_bomb", r"(?P<part>\S+) unpacks to (?P<mb>\d+) MB; not read",
            lambda m: f"{m['part']} распаковывается в {m['mb']} МБ; не прочитан"),
    _document_phrase("office_xml", r"(?P<part>\S+) is not well-formed XML \((?P<reason>.+)\)",
            lambda m: f"{m['part']} — испорченный XML ({m['reason']})"),
    _document_phrase("pdf_encrypted", r"encrypted PDF \(it needs a password to open\); decrypt it first",
            lambda m: "PDF зашифрован (нужен пароль); сначала расшифруйте его"),
    _document_phrase("pdf_unreadable", r"not a readable PDF \((?P<reason>.+)\)",
            lambda m: f"PDF не читается ({m['reason']})"),
    _document_phrase("pdf_scan", r"no text layer \(a scanned PDF\?\); run OCR on it first",
            lambda m: "нет текстового слоя (скан?); сначала распознайте текст (OCR)"),
    _phrase("pdf_non_web", r"(?P<n>\d+) link annotation\(s\) to files or other non-web targets set aside",
            lambda m: f"{m['n']} {plural_ru(int(m['n']), 'гиперссылка', 'гиперссылки', 'гиперссылок')} на файлы и "
            "другие не веб-адреса не учитываются"),
    _document_phrase("binary", r"looks like a binary file, not a text, Markdown or HTML document",
            lambda m: "похоже на двоичный файл, а не на текст, Markdown или HTML"),
    _document_phrase("encoding", r"cannot tell the text encoding \(not UTF-8, cp1251 or koi8-r\)",
            lambda m: "не удаётся определить кодировку (не UTF-8, cp1251 и не koi8-r)"),
    _document_phrase("document_remark",  # a bibliography whose every entry was set aside: the first remark, named
            r"(?P<inner>the @\S+ entry on line .+|the RIS record on line .+|the url field of .+)",
            _inner),
)

PHRASES: tuple[Phrase, ...] = (*_FINDINGS, *_NOTES, *_LINK_DETAILS, *_INPUTS)


def _read(text: str) -> tuple[Phrase, re.Match[str]] | None:
    """The phrase whose pattern reads the whole of ``text``, with its match; or None."""
    for phrase in PHRASES:
        match = phrase.pattern.fullmatch(text)
        if match is not None:
            return phrase, match
    return None


@lru_cache(maxsize=8192)
def to_russian(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    parts = text.split("; ")
    if len(parts) > 1 and all(_read(part) is not None for part in parts):
        return "; ".join(to_russian(part) for part in parts)  # a detail with notes added ("moved to …; …")
    whole = _read(text)
    if whole is not None:
        phrase, match = whole
        return phrase.ru(match)
    if len(parts) > 1:
        return "; ".join(to_russian(part) for part in parts)
    return text


def translate(text: str, lang: str) -> str:
    """``text`` (an English detail, finding or note) in ``lang``; unknown sentences are returned as written."""
    if not text or language(lang) == "en":
        return text
    return to_russian(text)


def translations(text: str, languages: Sequence[str]) -> dict[str, str]:
    """``text`` in each of ``languages``, for the HTML page's language switch."""
    return {code: translate(text, code) for code in languages}


def is_known(text: str) -> bool:
    """Whether every part of ``text`` has a phrase (what the coverage test asks of each English form)."""
    text = text.strip()
    if _read(text) is not None:
        return True
    parts = text.split("; ")
    return len(parts) > 1 and all(_read(part) is not None for part in parts)
