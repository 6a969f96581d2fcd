"""Findings about single references: what an editor must fix in a note before its links can be trusted.

Each finding names one reference and says in one sentence what is wrong and what to do. Comparisons between
the halves of a note use normalized URLs, so ``http://Izvestia.ru`` and ``http://izvestia.ru/`` agree.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache

from ..models import Finding, FindingKind, Half, Reference, Repair
from .halves import language_name
from .notes import short_label
from .urls import is_doi_url, is_homepage, url_key

_homepage = lru_cache(maxsize=4096)(is_homepage)
_RUN = re.compile(r"\S+")
_SHOWN = 160  # characters of a glued run a message quotes
_LISTED = 8  # URLs a message names


def _listing(urls: Sequence[str]) -> str:
    """The URLs, comma-separated; past a handful, how many more (a message is one sentence, not a dump)."""
    if len(urls) <= _LISTED:
        return ", ".join(urls)
    return ", ".join(urls[:_LISTED]) + f" and {len(urls) - _LISTED} more"


def _label(reference: Reference) -> str:
    if reference.list is not None and reference.number is not None:
        return f"Note {reference.list}{reference.number}"
    return f"The paragraph on line {reference.line}"


def reference_findings(reference: Reference, *, homepage: Callable[[str], bool] = _homepage) -> list[Finding]:
    """The findings about one reference (none for an "Ibid.", whose URLs are its original's)."""
    if reference.ibid_of is not None:
        return []
    findings: list[Finding] = []
    findings.extend(_repairs(reference))
    findings.extend(_halves(reference))
    homepages = [url for url in reference.urls if homepage(url)]
    if homepages and len(homepages) == len(reference.urls):
        what = "is a site's home page" if len(homepages) == 1 else "are home pages"
        findings.append(
            Finding(
                FindingKind.HOMEPAGE_ONLY,
                reference.id,
                f"{_label(reference)} cites only {_listing(homepages)}, which {what}, not the cited article, "
                f"so the citation cannot be verified; cite the article's own URL.",
                homepages[0],
            )
        )
    return findings


def _repairs(reference: Reference) -> list[Finding]:
    findings: list[Finding] = []
    glued = [found for found in reference.found if Repair.GLUED in found.repairs]
    if glued:
        urls = list(dict.fromkeys(found.url for found in glued))
        written = list(dict.fromkeys(_tokens(reference.text, [found.start for found in glued])))
        findings.append(
            Finding(
                FindingKind.GLUED_URLS,
                reference.id,
                f"{_label(reference)} writes “{'”, “'.join(written)}” with no space before a URL; it was "
                f"read as {_listing(urls)} — put a space before each URL.",
                urls[0],
            )
        )
    schemeless = [found for found in reference.found if Repair.SCHEME_ADDED in found.repairs]
    if schemeless:
        raws = list(dict.fromkeys(found.raw for found in schemeless))
        urls = list(dict.fromkeys(found.url for found in schemeless))
        findings.append(
            Finding(
                FindingKind.SCHEME_ADDED,
                reference.id,
                f"{_label(reference)} gives {_listing(raws)} without http:// or https://; write the full "
                f"address ({_listing(urls)} was assumed).",
                urls[0],
            )
        )
    return findings


def _halves(reference: Reference) -> list[Finding]:
    halves = [half for half in reference.halves if half.text]
    if len(halves) < 2:
        return []
    findings: list[Finding] = []
    names = _HalfNames(reference)
    findings.extend(_numbered_apart(reference, halves, names))
    with_urls = [half for half in halves if half.urls]
    without = [half for half in halves if not half.urls]
    if with_urls and without:
        cited = list(dict.fromkeys(url for half in with_urls for url in half.urls))
        findings.append(
            Finding(
                FindingKind.URL_ONLY_IN_ONE_HALF,
                reference.id,
                f"{_label(reference)}: the {_names(with_urls, names)} half cites {_listing(cited)} but the "
                f"{_names(without, names)} half cites no URL; add the URL to the "
                f"{_names(without, names)} half.",
                cited[0],
            )
        )
    elif len(with_urls) >= 2:
        # Halves citing the same URLs in the same order (the usual translation) cite the same DOIs and pages.
        same = all(half.urls == with_urls[0].urls for half in with_urls[1:])
        if not same:
            findings.extend(_different_dois(reference, with_urls, names))
        sets = [] if same else [{url_key(url) for url in half.urls if not is_doi_url(url)} for half in with_urls]
        if sets and all(sets) and any(other != sets[0] for other in sets[1:]):
            described = "; ".join(
                f"the {names[id(h)]} half {_listing([url for url in h.urls if not is_doi_url(url)])}" for h in with_urls
            )
            findings.append(
                Finding(
                    FindingKind.URLS_DIFFER_BETWEEN_HALVES,
                    reference.id,
                    f"{_label(reference)} cites different URLs in its halves ({described}); make both halves "
                    f"cite the same page.",
                    with_urls[0].urls[0],
                )
            )
        else:
            findings.extend(_written_differently(reference, with_urls, names))
    dated = [half for half in halves if half.date]
    if len(dated) >= 2 and any(_dates_conflict(dated[0].date, other.date) for other in dated[1:]):
        described = ", ".join(f"the {names[id(h)]} half {h.date}" for h in dated)
        findings.append(
            Finding(
                FindingKind.DATES_DIFFER_BETWEEN_HALVES,
                reference.id,
                f"{_label(reference)} gives different dates ({described}); correct the wrong one, since the "
                f"archived copy is chosen by this date.",
            )
        )
    return findings


def _numbered_apart(reference: Reference, halves: Sequence[Half], names: dict[int, str]) -> list[Finding]:
    """``lists_disagree`` for a note paired with its translation by content: the two lists number it apart (the
    translation's number written ``en:5``, since its list became part of this one)."""
    numbered = [half for half in halves if half.number is not None]
    if len({half.number for half in numbered}) < 2 or reference.list is None:
        return []
    original, translation = numbered[0], numbered[-1]
    return [
        Finding(
            FindingKind.LISTS_DISAGREE,
            reference.id,
            f"{reference.list}{original.number} and {translation.lang}:{translation.number} cite the same source "
            f"({short_label(reference)}); the lists number it differently — check which numbering the text's "
            f"markers follow.",
        )
    ]


def _different_dois(reference: Reference, halves: Sequence[Half], names: dict[int, str]) -> list[Finding]:
    """``dois_differ_between_halves``: two halves that both give a DOI, but not the same one."""
    cited = [(half, [url for url in half.urls if is_doi_url(url)]) for half in halves]
    cited = [(half, dois) for half, dois in cited if dois]
    if len(cited) < 2:
        return []
    sets = [{url_key(url) for url in dois} for _, dois in cited]
    if all(other == sets[0] for other in sets[1:]):
        return []
    described = "; ".join(f"the {names[id(half)]} half {_listing(dois)}" for half, dois in cited)
    return [
        Finding(
            FindingKind.DOIS_DIFFER_BETWEEN_HALVES,
            reference.id,
            f"{_label(reference)} cites different DOIs in its halves ({described}); a translation cites the "
            f"same work, so correct the wrong DOI (or say that the halves cite two editions).",
            cited[0][1][0],
        )
    ]


def _written_differently(reference: Reference, halves: Sequence[Half], names: dict[int, str]) -> list[Finding]:
    """The same URLs, written as one glued string in one half and as separate addresses in the other
    (seed B2: «http://izvestia.ruhttp://www.russianmission.eu» against "http://izvestia.ru or http://…")."""
    glued: dict[str, list[str]] = {}
    pairs = [found for found in reference.found if Repair.GLUED in found.repairs]
    for found, token in zip(pairs, _tokens(reference.text, [found.start for found in pairs]), strict=True):
        glued.setdefault(token, []).append(found.url)
    findings: list[Finding] = []
    for token, urls in glued.items():
        urls = list(dict.fromkeys(urls))
        if len(urls) < 2:
            continue  # a word glued before one URL, not a pair
        gluing = [half for half in halves if token in half.text]
        separate = [half for half in halves if token not in half.text and set(urls) <= set(half.urls)]
        if gluing and separate:
            findings.append(
                Finding(
                    FindingKind.URLS_DIFFER_BETWEEN_HALVES,
                    reference.id,
                    f"{_label(reference)}: the {_names(gluing, names)} half glues {' and '.join(urls)} into one "
                    f"address (“{token}”) while the {_names(separate, names)} half gives them as separate "
                    f"addresses; decide which page is cited and write it the same way in both halves.",
                    urls[0],
                )
            )
    return findings


def _tokens(text: str, positions: Sequence[int]) -> list[str]:
    """The whitespace-delimited run of text around each of ``positions``, as written. The runs are found once
    for all positions: 8,000 URLs glued on one line are one run, not 8,000 scans of it."""
    if not positions:
        return []
    spans = [(match.start(), match.end()) for match in _RUN.finditer(text)]
    starts = [start for start, _ in spans]
    tokens: list[str] = []
    seen: dict[int, str] = {}  # each run cut out once, however many positions fall in it
    for position in positions:
        index = bisect_right(starts, position) - 1
        if index < 0 or spans[index][1] < position:
            tokens.append("")
            continue
        if index not in seen:
            start, end = spans[index]
            token = text[start:end].rstrip(".,;)")
            seen[index] = token if len(token) <= _SHOWN else token[: _SHOWN - 1] + "…"
        tokens.append(seen[index])
    return tokens


def _half_names(reference: Reference) -> dict[int, str]:
    """What to call each half in a message: its language, or its place when both share a language."""
    halves = reference.halves
    languages = [half.lang for half in halves]
    if len(set(languages)) == len(languages):
        return {id(half): language_name(half.lang) for half in halves}
    ordinals = ("first", "second", "third", "fourth")
    return {id(half): ordinals[min(index, 3)] for index, half in enumerate(halves)}


class _HalfNames(dict[int, str]):
    """``_half_names(reference)``, worked out when a message first asks for a name (most notes get none)."""

    def __init__(self, reference: Reference) -> None:
        super().__init__()
        self._reference: Reference | None = reference

    def __missing__(self, key: int) -> str:
        if self._reference is None:
            raise KeyError(key)
        self.update(_half_names(self._reference))
        self._reference = None
        return self[key]


def _names(halves: Sequence[Half], names: dict[int, str]) -> str:
    return "/".join(dict.fromkeys(names[id(half)] for half in halves))


def _dates_conflict(first: str | None, second: str | None) -> bool:
    """``2012`` and ``2012-05-09`` agree (one is coarser); ``2012-05-09`` and ``2012-05-19`` do not."""
    if not first or not second:
        return False
    return not (first.startswith(second) or second.startswith(first))
