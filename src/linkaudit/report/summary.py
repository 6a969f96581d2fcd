"""The headline facts of a report, computed once for every format.

JSON, Markdown, HTML and the CLI all show the same counts and verdict sentence; computing them here keeps them
from disagreeing. The small helpers beside it answer questions every reporter asks of a report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from ..fix import RUSSIAN_STYLE, format_archived
from ..models import Half, LinkReport, Reference, Report, Snapshot
from ..references.urls import url_key
from ..status import Status
from .i18n import language, plural_ru


@dataclass(frozen=True)
class Summary:
    documents: int
    references: int
    links: int
    by_status: tuple[tuple[Status, int], ...]  # every status, in vocabulary order
    broken: int
    blocked: int
    archived: int  # links with an archived copy
    findings: int
    drift: int  # live links whose title no longer matches the cited title
    confirmed: int  # broken over several runs (from the history)
    suspect: int  # broken, not (yet) confirmed
    verdict: str  # one sentence in the report's language
    archive_asked: bool = True  # False with --no-archive: the verdict says so instead of "found for 0"

    def status_counts(self) -> dict[str, int]:
        return {status.value: count for status, count in self.by_status}


def is_suspect(item: LinkReport) -> bool:
    """Broken now, but not confirmed by earlier runs: may be a passing outage."""
    confirmed = item.history is not None and item.history.confirmed
    return item.result.status.is_broken and not confirmed


def is_confirmed(item: LinkReport) -> bool:
    return item.result.status.is_broken and item.history is not None and item.history.confirmed


def summarize(report: Report) -> Summary:
    counts = dict.fromkeys(Status, 0)
    archived = drift = confirmed = suspect = 0
    for item in report.links:  # one pass: a long run's records are made as they are read
        counts[item.result.status] += 1
        archived += item.archive is not None
        drift += item.result.title_match is False
        confirmed += is_confirmed(item)
        suspect += is_suspect(item)
    broken = sum(count for status, count in counts.items() if status.is_broken)
    summary = Summary(
        documents=len(report.documents),
        references=len(report.references),
        links=len(report.links),
        by_status=tuple(counts.items()),
        broken=broken,
        blocked=sum(count for status, count in counts.items() if status.is_blocked),
        archived=archived,
        findings=len(report.findings),
        drift=drift,
        confirmed=confirmed,
        suspect=suspect,
        verdict="",
        archive_asked=report.archive_asked,
    )
    return replace(summary, verdict=verdict(summary, report.lang, offline=report.offline, shard=report.shard))


def verdict(summary: Summary, lang: str, *, offline: bool = False, shard: str | None = None) -> str:
    """One honest sentence: how much of what is cited is gone, and what can replace it."""
    if language(lang) == "ru":
        return _verdict_ru(summary, offline, shard)
    return _verdict_en(summary, offline, shard)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def _verdict_en(summary: Summary, offline: bool, shard: str | None = None) -> str:
    if offline:
        return "No cited host could be reached: this machine looks offline, so nothing is reported as rot."
    if summary.links == 0 and shard:
        return f"Shard {shard} holds none of the cited hosts; the other shards check them."
    if summary.links == 0:
        return f"No web links were found in {summary.references} reference(s)."
    link_word = "link" if summary.links == 1 else "links"
    live = _count(summary, lambda status: status.is_success)
    if summary.broken == 0 and live == summary.links:
        text = f"All {summary.links} cited {link_word} answered without signs of rot"
    elif summary.broken == 0:
        text = f"None of the {summary.links} cited {link_word} is broken; {live} answered without signs of rot"
    else:
        text = (
            f"{summary.broken} of {summary.links} cited {link_word} "
            f"({_percent(summary.broken, summary.links)}) {'is' if summary.broken == 1 else 'are'} broken"
        )
        if summary.confirmed:
            text += f", {summary.confirmed} confirmed over several runs"
        if summary.archive_asked:
            text += f"; archived copies were found for {summary.archived}"
        else:
            text += "; the archive was not asked (--no-archive)"
    if summary.blocked:
        text += f"; {summary.blocked} refused access (not evidence of rot)"
    excluded = _count(summary, lambda status: status.is_excluded)
    if excluded:
        text += f"; {excluded} not checked (not a web address, or excluded)"
    return text + "."


def _verdict_ru(summary: Summary, offline: bool, shard: str | None = None) -> str:
    if offline:
        return "Ни один сайт не ответил: похоже, компьютер без сети, и ничего не отмечено как утраченное."
    if summary.links == 0 and shard:
        return f"В части {shard} нет ни одного из цитируемых сайтов; их проверяют другие части."
    if summary.links == 0:
        return f"В примечаниях ({summary.references}) не найдено веб-ссылок."
    noun = plural_ru(summary.links, "ссылки", "ссылок", "ссылок")
    live = _count(summary, lambda status: status.is_success)
    if summary.broken == 0 and live == summary.links == 1:
        text = "Единственная цитируемая ссылка доступна"
    elif summary.broken == 0 and live == summary.links:
        text = f"Все {summary.links} {plural_ru(summary.links, 'ссылка', 'ссылки', 'ссылок')} доступны"
    elif summary.broken == 0:
        answer = plural_ru(live, "отвечает", "отвечают", "отвечают")
        text = f"Из {summary.links} {noun} недоступных нет; {live} {answer} без признаков утраты"
    else:
        share = _percent(summary.broken, summary.links)
        state = plural_ru(summary.broken, "недоступна", "недоступны", "недоступны")
        text = f"{summary.broken} из {summary.links} {noun} ({share}) {state}"
        if summary.confirmed:
            text += f", {summary.confirmed} — подтверждено несколькими проверками"
        if summary.archive_asked:
            text += f"; архивные копии найдены для {summary.archived}"
        else:
            text += "; архив не запрашивался (--no-archive)"
    if summary.blocked:
        text += f"; {summary.blocked} — доступ закрыт (это не признак утраты)"
    excluded = _count(summary, lambda status: status.is_excluded)
    if excluded:
        unchecked = plural_ru(excluded, "ссылка не проверена", "ссылки не проверены", "ссылок не проверено")
        text += f"; {excluded} {unchecked} (не веб-адрес или исключено настройками)"
    return text + "."


def _count(summary: Summary, which: Callable[[Status], bool]) -> int:
    return sum(count for status, count in summary.by_status if which(status))


def group_links(links: Iterable[LinkReport]) -> dict[str, list[LinkReport]]:
    """Reference id -> the links citing it, in the report's order (a link once per time it names the id)."""
    grouped: dict[str, list[LinkReport]] = {}
    for item in links:
        for reference_id in item.link.references:
            grouped.setdefault(reference_id, []).append(item)
    return grouped


def in_citing_order(items: list[LinkReport], reference: Reference) -> list[LinkReport]:
    """``items`` (the links citing ``reference``) sorted in place into the order the reference cites them."""
    if len(items) > 1:
        first: dict[str, int] = {}  # URL key -> where the reference first cites it: one pass, not one per link
        for index, url in enumerate(reference.urls):
            first.setdefault(url_key(url), index)
        unlisted = len(reference.urls)

        def position(item: LinkReport) -> int:
            return min(first.get(item.link.normalized, unlisted), first.get(url_key(item.link.url), unlisted))

        items.sort(key=position)
    return items


STREAM_CHUNK = 64 * 1024  # characters: the size of the pieces a streamed report is written in


def chunked(pieces: Iterable[str], size: int | None = None) -> Iterator[str]:
    """``pieces`` joined into strings of about ``size`` (default ``STREAM_CHUNK``) characters: the same text, in
    fewer writes."""
    size = STREAM_CHUNK if size is None else size
    pending: list[str] = []
    held = 0
    for piece in pieces:
        pending.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(pending)
            pending.clear()
            held = 0
    if pending:
        yield "".join(pending)


def cites(url: str, item: LinkReport) -> bool:
    """Whether ``url`` (as a half or a reference writes it) is the link ``item`` reports on (the usual case, the
    link's own spelling, without working out URL keys)."""
    if url == item.link.url:
        return True
    key = url_key(url)
    return key == item.link.normalized or key == url_key(item.link.url)


def citing_halves(reference: Reference, item: LinkReport) -> tuple[Half, ...]:
    """The halves of ``reference`` whose text cites the link (empty if none lists it)."""
    return tuple(half for half in reference.halves if any(cites(url, item) for url in half.urls))


def citing_langs(reference: Reference, item: LinkReport) -> tuple[str, ...]:
    """The languages of the halves of ``reference`` whose text cites the link, each once, in half order (a half
    in a language already found is not asked)."""
    langs: dict[str, None] = {}
    for half in reference.halves:
        if half.lang not in langs and any(cites(url, item) for url in half.urls):
            langs[half.lang] = None
    return tuple(langs)


def report_langs(references: Mapping[str, Reference], item: LinkReport) -> tuple[str, ...]:
    """The languages of every half, in any of ``references`` (by id), that cites the link, each once:
    originals first."""
    places: dict[str, int] = {}  # language -> the earliest place of a half in it among its references
    for reference_id in item.link.references:
        reference = references.get(reference_id)
        if reference is None:
            continue
        for place, half in enumerate(reference.halves):
            if any(cites(url, item) for url in half.urls):
                places[half.lang] = min(place, places.get(half.lang, place))
    return tuple(sorted(places, key=lambda lang: places[lang]))


def cited_date(reference: Reference, item: LinkReport) -> str | None:
    """The date of the first half citing the link, else any half's date (links matched as they are made; a half
    without a date is not asked whether it cites the link)."""
    for half in reference.halves:
        if half.date and any(cites(url, item) for url in half.urls):
            return half.date
    return reference.cited_date(item.link.url)


@dataclass(frozen=True)
class Phrasing:
    """How one language half cites an archived copy, e.g. «архивная копия от 4 ноября 2012» for ``kk``."""

    half_lang: str  # the language of the half that will carry it
    lang: str  # the language the phrase is written in (Kazakh halves read Russian)
    text: str


def archived_phrasings(snapshot: Snapshot, langs: Sequence[str], fallback: str) -> tuple[Phrasing, ...]:
    """The phrasing of ``snapshot`` for each half language in ``langs`` (``fallback`` when there is none);
    none when the capture's timestamp cannot be read (a report merged from elsewhere)."""
    phrasings = []
    for lang in dict.fromkeys(langs or [fallback]):
        try:
            text = format_archived(snapshot, lang)
        except ValueError:
            return ()
        phrasings.append(Phrasing(half_lang=lang, lang="ru" if lang in RUSSIAN_STYLE else "en", text=text))
    return tuple(phrasings)


def link_host(item: LinkReport) -> str:
    """The host a link is grouped under in charts and filters."""
    if item.link.host:
        return item.link.host
    try:
        return (urlsplit(item.link.normalized).hostname or "").lower()
    except ValueError:
        return ""


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\s]")  # \s in a str pattern is what str.isspace() is true for


def safe_href(url: str | None) -> str | None:
    """``url`` if a reader may follow it (http or https), else None: never a ``javascript:`` link."""
    if not url:
        return None
    text = url.strip()
    if _CONTROL_OR_SPACE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if not parts.scheme and not parts.netloc and _beside_the_report(parts.path):
        return text  # a file saved next to the report (the demo's archived copies in demo-archive/)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def _beside_the_report(path: str) -> bool:
    """A relative path that stays inside the report's folder: no root, no "..", no drive or scheme-like colon."""
    segments = path.split("/")
    return bool(path) and not path.startswith(("/", "\\")) and ".." not in segments and ":" not in segments[0]


def count_by(values: Mapping[str, int]) -> list[tuple[str, int]]:
    """Largest first, then by name: the order of chart bars and tables."""
    return sorted(values.items(), key=lambda pair: (-pair[1], pair[0]))
