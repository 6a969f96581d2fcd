"""Report labels and dates in English and Russian.

Every reporter and the HTML page's language switch read the same table, so a label is translated once.
Russian day dates take the genitive month («4 ноября 2012»), month-only dates the nominative («ноябрь 2012»).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..status import Status

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"

MONTHS: Mapping[str, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
}  # fmt: skip

MONTHS_NOMINATIVE: Mapping[str, tuple[str, ...]] = {
    "en": MONTHS["en"],
    "ru": (
        "январь", "февраль", "март", "апрель", "май", "июнь",
        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
    ),
}  # fmt: skip

_EN: dict[str, str] = {
    "title": "Link audit",
    "generated": "Generated",
    "documents": "Documents",
    "references": "References",
    "links": "Links",
    "broken": "Broken",
    "blocked": "Blocked",
    "archived": "Archived",
    "findings": "Findings",
    "drift": "Content drift",
    "confirmed": "confirmed",
    "suspect": "suspect",
    "number": "No.",
    "date": "Cited",
    "note": "Note",
    "status": "Status",
    "url": "URL",
    "http": "HTTP",
    "final_url": "Final URL",
    "detail": "Detail",
    "title_match": "Title match",
    "title_now": "Title now",
    "cited_title": "Cited title",
    "archive": "Archived copy",
    "archive_replacement": "Archived replacement",
    "verified": "verified",
    "unverified": "not verified",
    "no_archive": "no archived copy found",
    "days_from_cited": "days from the cited date",
    "redirects": "Redirect chain",
    "history": "History",
    "first_broken": "First broken",
    "last_ok": "Last OK",
    "broken_runs": "Broken runs",
    "saved": "Saved to the archive",
    "filter_status": "Status",
    "filter_domain": "Domain",
    "filter_kind": "Finding",
    "filter_lang": "Language",
    "search": "Search",
    "search_placeholder": "text, URL, author…",
    "sort": "Sort by",
    "sort_number": "Number",
    "sort_date": "Cited date",
    "sort_status": "Worst status",
    "sort_findings": "Findings",
    "all": "All",
    "shown": "shown",
    "of": "of",
    "reset": "Reset",
    "language": "Language",
    "chart_domains": "Broken links by domain",
    "chart_years": "Citations by cited year",
    "chart_trend": "Broken links across runs",
    "chart_years_gone": "broken",
    "chart_broken": "Broken",
    "chart_blocked": "Blocked",
    "chart_live": "Live",
    "chart_unchecked": "Not checked",
    "run": "Run",
    "no_date": "no date",
    "no_links": "no links",
    "none": "None.",
    "and_more": "… and {count} more",
    "notes": "Notes",
    "offline": "This machine looked offline: nothing is reported as rot.",
    "shard": "Shard",
    "lang_en": "English",
    "lang_ru": "Russian",
    "lang_kk": "Kazakh",
    "cited_by": "Cited by",
    "details": "Details",
    "status_counts": "By status",
    "kind": "Kind",
    "message": "Message",
    "reference": "Reference",
    "list": "List",
    "lang": "Language",
    "no_results": "No reference matches the filters.",
    "other": "other",
    "count_shown": "{shown} of {total} shown",
    "any_broken": "Any broken",
    "skip": "Skip to the references",
    "summary": "Summary",
    "charts": "Charts",
    "citations": "citations",
    "direction_asc": "ascending",
    "direction_desc": "descending",
    "ibid": "Ibid.",
    "document": "Document",
    "version": "linkaudit",
    "more_domains": "other domains",
    "schema": "schema",
    "references_broken": "References with broken links",
    "original": "Original",
    "translation": "Translation",
    "saved_count": "Saved to the archive",
    "capture": "Capture",
    "attention": "Needs attention",
    "show_all": "Show all",
    "filter_hint": "Showing what needs attention: broken, drifted and blocked links.",
    "fix_inserts": "What linkaudit fix inserts",
    "homepage_marker": "home page only",
    "title_unmatched": "Cited title not found",
    "simulated": "Made against a simulated web (linkaudit demo): no real site or archive was contacted; the "
    "sites, their failures and the archived copies are the demo's own.",
    "simulated_history": "“Confirmed over several runs” comes from simulated weekly runs the demo records "
    "before this one, so that its history looks like a scheduled audit's.",
    "captured_far": "far from the cited date",
    "repaired": "repaired",
    "text_said": "the text said",
    "checked_as": "checked as",
    "readings": "readings checked",
    "reading_chosen": "the reading reported",
    "repairs": "Repaired URLs",
    "repair": "Repair",
}

_RU: dict[str, str] = {
    "title": "Проверка ссылок",
    "generated": "Создан",
    "documents": "Документы",
    "references": "Примечания",
    "links": "Ссылки",
    "broken": "Недоступны",
    "blocked": "Доступ закрыт",
    "archived": "В архиве",
    "findings": "Замечания",
    "drift": "Содержимое изменилось",
    "confirmed": "подтверждено",
    "suspect": "под подозрением",
    "number": "№",
    "date": "Дата",
    "note": "Примечание",
    "status": "Статус",
    "url": "URL",
    "http": "HTTP",
    "final_url": "Конечный URL",
    "detail": "Пояснение",
    "title_match": "Заголовок совпадает",
    "title_now": "Заголовок сейчас",
    "cited_title": "Цитируемый заголовок",
    "archive": "Архивная копия",
    "archive_replacement": "Архивная замена",
    "verified": "проверена",
    "unverified": "не проверена",
    "no_archive": "архивная копия не найдена",
    "days_from_cited": "дн. от даты цитирования",
    "redirects": "Цепочка перенаправлений",
    "history": "История",
    "first_broken": "Впервые недоступна",
    "last_ok": "Последний раз доступна",
    "broken_runs": "Проверок с ошибкой",
    "saved": "Сохранена в архив",
    "filter_status": "Статус",
    "filter_domain": "Домен",
    "filter_kind": "Замечание",
    "filter_lang": "Язык",
    "search": "Поиск",
    "search_placeholder": "текст, URL, автор…",
    "sort": "Сортировка",
    "sort_number": "Номер",
    "sort_date": "Дата цитирования",
    "sort_status": "Худший статус",
    "sort_findings": "Замечания",
    "all": "Все",
    "shown": "показано",
    "of": "из",
    "reset": "Сбросить",
    "language": "Язык",
    "chart_domains": "Недоступные ссылки по доменам",
    "chart_years": "Цитирования по году источника",
    "chart_trend": "Недоступные ссылки по проверкам",
    "chart_years_gone": "недоступны",
    "chart_broken": "Недоступны",
    "chart_blocked": "Доступ закрыт",
    "chart_live": "Доступны",
    "chart_unchecked": "Не проверены",
    "run": "Проверка",
    "no_date": "без даты",
    "no_links": "нет ссылок",
    "none": "Нет.",
    "and_more": "… и ещё {count}",
    "notes": "Примечания к проверке",
    "offline": "Похоже, компьютер был без сети: ничего не отмечено как утраченное.",
    "shard": "Часть",
    "lang_en": "английский",
    "lang_ru": "русский",
    "lang_kk": "казахский",
    "cited_by": "Цитируется в",
    "details": "Подробнее",
    "status_counts": "По статусам",
    "kind": "Вид",
    "message": "Сообщение",
    "reference": "Примечание",
    "list": "Список",
    "lang": "Язык",
    "no_results": "Ни одно примечание не подходит под фильтры.",
    "other": "прочие",
    "count_shown": "показано {shown} из {total}",
    "any_broken": "Все недоступные",
    "skip": "К списку примечаний",
    "summary": "Итоги",
    "charts": "Диаграммы",
    "citations": "цитирований",
    "direction_asc": "по возрастанию",
    "direction_desc": "по убыванию",
    "ibid": "Там же",
    "document": "Документ",
    "version": "linkaudit",
    "more_domains": "прочие домены",
    "schema": "схема",
    "references_broken": "Примечания с недоступными ссылками",
    "original": "Оригинал",
    "translation": "Перевод",
    "saved_count": "Сохранены в архив",
    "capture": "Копия",
    "attention": "Требуют внимания",
    "show_all": "Показать все",
    "filter_hint": "Показано то, что требует внимания: недоступные, подменённые и закрытые ссылки.",
    "fix_inserts": "Что вставит linkaudit fix",
    "homepage_marker": "только главная",
    "title_unmatched": "Цитируемый заголовок не найден",
    "simulated": "Отчёт сделан на имитации интернета (linkaudit demo): ни один настоящий сайт или архив не "
    "запрашивался; сайты, их сбои и архивные копии — часть демонстрации.",
    "simulated_history": "«Подтверждено несколькими проверками» — по имитированным еженедельным проверкам, "
    "которые демонстрация записывает перед этой, чтобы история выглядела как у проверки по расписанию.",
    "captured_far": "далеко от даты цитирования",
    "repaired": "исправлен",
    "text_said": "в тексте",
    "checked_as": "проверен как",
    "readings": "проверены прочтения",
    "reading_chosen": "прочтение в отчёте",
    "repairs": "Исправленные URL",
    "repair": "Исправление",
}

_STATUS: Mapping[str, Mapping[Status, str]] = {
    "en": {
        Status.OK: "OK",
        Status.REDIRECTED: "Redirected",
        Status.DEAD: "Dead",
        Status.SOFT_404: "Soft 404",
        Status.HOMEPAGE_REDIRECT: "Homepage redirect",
        Status.PARKED: "Parked domain",
        Status.CONTENT_DRIFT: "Content drift",
        Status.SERVER_ERROR: "Server error",
        Status.TIMEOUT: "Timeout",
        Status.DNS_ERROR: "DNS error",
        Status.CONNECTION_ERROR: "Connection error",
        Status.TLS_ERROR: "TLS error",
        Status.BLOCKED: "Blocked",
        Status.INVALID: "Invalid URL",
        Status.SKIPPED: "Skipped",
    },
    "ru": {
        Status.OK: "Доступна",
        Status.REDIRECTED: "Перенаправлена",
        Status.DEAD: "Удалена",
        Status.SOFT_404: "Мягкая 404",
        Status.HOMEPAGE_REDIRECT: "На главную",
        Status.PARKED: "Домен припаркован",
        Status.CONTENT_DRIFT: "Другой материал",
        Status.SERVER_ERROR: "Ошибка сервера",
        Status.TIMEOUT: "Тайм-аут",
        Status.DNS_ERROR: "Ошибка DNS",
        Status.CONNECTION_ERROR: "Ошибка соединения",
        Status.TLS_ERROR: "Ошибка TLS",
        Status.BLOCKED: "Доступ закрыт",
        Status.INVALID: "Неверный URL",
        Status.SKIPPED: "Пропущена",
    },
}

_FINDINGS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "glued_urls": "Glued URLs",
        "scheme_added": "Scheme added",
        "url_only_in_one_half": "URL in one half only",
        "urls_differ_between_halves": "URLs differ between halves",
        "dates_differ_between_halves": "Dates differ between halves",
        "homepage_only": "Homepage only",
        "ibid_unresolved": "Unresolved Ibid.",
        "lists_disagree": "Lists disagree",
        "marker_without_note": "Marker without note",
        "note_without_marker": "Note without marker",
        "dois_differ_between_halves": "DOIs differ between halves",
        "link_text_differs": "Link text differs from its target",
        "url_and_doi_differ": "URL and DOI lead to different places",
    },
    "ru": {
        "glued_urls": "Склеенные URL",
        "scheme_added": "Добавлена схема",
        "url_only_in_one_half": "URL только в одной половине",
        "urls_differ_between_halves": "URL в половинах различаются",
        "dates_differ_between_halves": "Даты в половинах различаются",
        "homepage_only": "Только главная страница",
        "ibid_unresolved": "Неразрешённое «Там же»",
        "lists_disagree": "Списки расходятся",
        "marker_without_note": "Маркер без примечания",
        "note_without_marker": "Примечание без маркера",
        "dois_differ_between_halves": "DOI в половинах различаются",
        "link_text_differs": "Текст ссылки не совпадает с её адресом",
        "url_and_doi_differ": "URL и DOI ведут в разные места",
    },
}

LABELS: Mapping[str, Mapping[str, str]] = {"en": _EN, "ru": _RU}

# How each kind of repair reads under a link ("repaired: line-end hyphen kept — the text said …").
_REPAIRS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "glued_urls": "split from the text glued to it",
        "scheme_added": "http:// added",
        "trailing_punctuation": "punctuation after it dropped",
        "whitespace": "blanks inside it removed",
        "hyphen_wrap": "rejoined over a line break",
        "hyphen_kept": "line-end hyphen kept",
        "hyphen_dropped": "line-end hyphen dropped",
        "page_break": "rejoined over a page break",
        "en_dash": "en dash read as a hyphen",
        "doi": "written as a doi.org link",
        "annotation": "taken from the document's own link target",
    },
    "ru": {
        "glued_urls": "отделён от приклеенного к нему текста",
        "scheme_added": "добавлено http://",
        "trailing_punctuation": "отброшены знаки препинания после него",
        "whitespace": "убраны пробелы внутри",
        "hyphen_wrap": "склеен через перенос строки",
        "hyphen_kept": "дефис в конце строки сохранён",
        "hyphen_dropped": "дефис в конце строки отброшен",
        "page_break": "склеен через разрыв страницы",
        "en_dash": "короткое тире прочитано как дефис",
        "doi": "записан как ссылка doi.org",
        "annotation": "взят из гиперссылки самого документа",
    },
}


def repair_label(kind: str, lang: str) -> str:
    """How a repair (``Repair`` value) reads in ``lang``; an unknown kind as its name."""
    return _REPAIRS[language(lang)].get(kind, kind.replace("_", " "))


def as_written(raw: str, limit: int = 300) -> str:
    """A URL as the text wrote it, on one line: a line break shown as ⏎, runs of blanks kept visible but short."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = "⏎".join(part.strip(" \t") if index else part.rstrip(" \t") for index, part in enumerate(text.split("\n")))
    text = "".join(ch if ch.isprintable() or ch == "⏎" else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def language(lang: str | None) -> str:
    """A supported language for ``lang`` (``ru-RU`` -> ``ru``), English otherwise."""
    base = (lang or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def label(key: str, lang: str) -> str:
    return LABELS[language(lang)][key]


def status_label(status: Status, lang: str) -> str:
    return _STATUS[language(lang)][status]


def finding_label(kind: str, lang: str) -> str:
    return _FINDINGS[language(lang)].get(str(kind), str(kind).replace("_", " "))


def language_name(code: str, lang: str) -> str:
    return LABELS[language(lang)].get(f"lang_{code.lower()}", code.upper())


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for ``count``: 1 ссылка, 2 ссылки, 5 ссылок, 21 ссылка, 11 ссылок."""
    tens, units = count % 100, count % 10
    if units == 1 and tens != 11:
        return one
    if 2 <= units <= 4 and not 12 <= tens <= 14:
        return few
    return many


FAR_DAYS = 365  # a capture further than this from the cited date may show another version of the page


def is_far(days: int | None) -> bool:
    """Whether a capture ``days`` from the cited date is too far to vouch for the cited version."""
    return days is not None and abs(days) > FAR_DAYS


def _years_months(days: int) -> tuple[int, int]:
    months = round(abs(days) / 30.4375)
    return months // 12, months % 12


def _span_en(days: int) -> str:
    years, months = _years_months(days)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


def _span_ru(days: int) -> str:
    years, months = _years_months(days)
    parts = [f"{years} {plural_ru(years, 'год', 'года', 'лет')}"] if years else []
    if months:
        parts.append(f"{months} {plural_ru(months, 'месяц', 'месяца', 'месяцев')}")
    return " ".join(parts)


def capture_distance(days: int, lang: str) -> str:
    """How far a capture is from the cited date: "same day", "2 days before", and beyond a year
    "captured 2 years 8 months after it was cited" (Russian: «в тот же день», «за 2 дня до», …)."""
    if language(lang) == "ru":
        if days == 0:
            return "в день цитирования"
        if is_far(days):
            when = "через" if days > 0 else "за"
            side = "после" if days > 0 else "до"
            return f"снята {when} {_span_ru(days)} {side} цитирования"
        count = abs(days)
        noun = plural_ru(count, "день", "дня", "дней")
        return f"через {count} {noun} после цитирования" if days > 0 else f"за {count} {noun} до цитирования"
    if days == 0:
        return "same day as cited"
    if is_far(days):
        return f"captured {_span_en(days)} {'after' if days > 0 else 'before'} it was cited"
    count = abs(days)
    return f"{count} day{'s' if count != 1 else ''} {'after' if days > 0 else 'before'} it was cited"


def notes_cite_homepages_only(labels: list[str], lang: str, shown: int = 12) -> str:
    """One line for every note citing only a home page: "12 notes cite only a home page: A3, A5, …"
    (``shown=0``: the sentence alone, for a page that lists the notes as links after it)."""
    count = len(labels)
    listed = ", ".join(labels[:shown]) + (", …" if count > shown else "") if shown else ""
    if language(lang) == "ru":
        noun = plural_ru(count, "примечание ссылается", "примечания ссылаются", "примечаний ссылаются")
        return f"{count} {noun} только на главную страницу сайта:" + (f" {listed}" if listed else "")
    noun = "note cites" if count == 1 else "notes cite"
    return f"{count} {noun} only a home page:" + (f" {listed}" if listed else "")


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TIMESTAMP = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def format_date(value: str | None, lang: str) -> str:
    """``2012-11-04`` -> "4 November 2012" / "4 ноября 2012"; ``YYYY-MM`` and ``YYYY`` likewise coarse.

    Unrecognized text is returned unchanged (a citation date is never invented); None gives "".
    """
    if not value:
        return ""
    match = _DATE.fullmatch(value.strip())
    if match is None:
        return value
    year, month, day = match.group(1), match.group(2), match.group(3)
    lang = language(lang)
    if month is None:
        return year
    month_number = int(month)
    if not 1 <= month_number <= 12:
        return value
    if day is None:
        return f"{MONTHS_NOMINATIVE[lang][month_number - 1]} {year}"
    return f"{int(day)} {MONTHS[lang][month_number - 1]} {year}"


def timestamp_date(timestamp: str | None) -> str | None:
    """The ISO date of a 14-digit archive timestamp (``20111004123000`` -> ``2011-10-04``)."""
    if not timestamp:
        return None
    match = _TIMESTAMP.match(timestamp)
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"


def datetime_date(value: str | None) -> str | None:
    """The ISO date part of an ISO-8601 time (``2024-05-01T10:00:00Z`` -> ``2024-05-01``)."""
    if not value:
        return None
    match = _DATETIME.match(value)
    if match is None:
        return value if _DATE.fullmatch(value) else None
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"


def clock_time(value: str | None) -> str | None:
    """The time of day of an ISO-8601 time, as written (``2024-05-01T10:05:00Z`` -> "10:05 UTC")."""
    match = _DATETIME.match(value or "")
    if match is None:
        return None
    zone = match.group(6)
    suffix = " UTC" if zone in (None, "Z", "+00:00", "+0000") else f" {zone}"
    return f"{match.group(4)}:{match.group(5)}{suffix}"


def format_datetime(value: str | None, lang: str) -> str:
    """``2024-05-01T10:00:00Z`` -> "1 May 2024, 10:00 UTC" (the time stays as written, in UTC)."""
    if not value:
        return ""
    match = _DATETIME.match(value)
    if match is None:
        return format_date(value, lang)
    date = format_date(f"{match.group(1)}-{match.group(2)}-{match.group(3)}", lang)
    return f"{date}, {clock_time(value)}"


def catalog(lang: str) -> dict[str, object]:
    """Everything the HTML page's script needs to relabel itself in ``lang``."""
    lang = language(lang)
    return {
        "labels": dict(LABELS[lang]),
        "status": {status.value: text for status, text in _STATUS[lang].items()},
        "findings": dict(_FINDINGS[lang]),
        "months": list(MONTHS[lang]),
        "months_nominative": list(MONTHS_NOMINATIVE[lang]),
    }
