"""Content drift: the cited address answers 200 but now carries a different work.

A page that lost the cited title is rot only when the mismatch is clear: the page has a title of its own and
none of the cited halves' titles matches it, nor shares more than a few words with it. A page without a title
(a PDF, a page scripts fill in) or one whose title matches in part stays ``ok`` with a note, because a false
"drifted" would send an editor to replace a citation that is still good.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from anyascii import anyascii

from ..models import Link, Page
from ..status import Status
from .verdict import Verdict

SHORTEST_TITLE = 3  # a cited title of fewer significant words ("Alive", "Home") is too short to tell another work
PARTIAL_SHARE = 0.5  # share of a cited title's words found in the page's title that makes it a partial match
SHORTEST_STEM = 3  # a shared beginning this long (and all but the last two letters) makes two words one
_NON_WORD = re.compile(r"[\W_]+")
_STOP_WORDS = frozenset(
    "the and for with from into that this are was its about over after under "
    "chto dlia kak eto ili pri ego ikh ona oni nad pod bez".split()
)


def _words(text: str) -> list[str]:
    folded = _NON_WORD.sub(" ", anyascii(text).casefold())
    return [word for word in folded.split() if (len(word) > 2 or word.isdigit()) and word not in _STOP_WORDS]


def _same_word(first: str, second: str) -> bool:
    """Equal, or the same stem with another ending (Арал / Арала, Малый / Малого), in any script."""
    if first == second:
        return True
    shortest = min(len(first), len(second))
    common = 0
    while common < shortest and first[common] == second[common]:
        common += 1
    return common >= max(SHORTEST_STEM, shortest - 2) and not (first.isdigit() or second.isdigit())


def shared_share(cited_title: str, page_title: str) -> float:
    """The share of ``cited_title``'s words (any script, endings aside) that ``page_title`` also has."""
    cited = _words(cited_title)
    if not cited:
        return 0.0
    found = _words(page_title)
    return sum(1 for word in cited if any(_same_word(word, other) for other in found)) / len(cited)


def decide(link: Link, page: Page, verdict: Verdict) -> Verdict:
    """``verdict`` as it stands, or ``content_drift`` when a live page clearly carries another work.

    Only a success whose title match is ``False`` is reconsidered; the others are returned unchanged.
    """
    if not verdict.status.is_success or verdict.title_match is not False:
        return verdict
    return drift_verdict(link.cited_titles, page.title, verdict)


def drift_verdict(cited_titles: Sequence[str], page_title: str | None, verdict: Verdict) -> Verdict:
    """The decision on a page whose text matched none of ``cited_titles``; ``page_title`` is its <title>."""
    titles = [title.strip() for title in cited_titles if title and title.strip()]
    note = verdict.detail
    if not titles:
        return verdict
    cited = " / ".join(f"«{title}»" for title in titles)
    if not page_title or not page_title.strip():
        detail = f"the page has no title, and the cited title {cited} was not found in it"
        return Verdict(verdict.status, _join(note, detail), False)
    shown = page_title.strip()
    if max(len(_words(title)) for title in titles) < SHORTEST_TITLE:
        detail = f"the page title «{shown}» differs from the cited title {cited}, too short to tell another work"
        return Verdict(verdict.status, _join(note, detail), False)
    best = max(shared_share(title, shown) for title in titles)
    if best >= PARTIAL_SHARE:
        detail = f"the page title «{shown}» matches the cited title {cited} only in part"
        return Verdict(verdict.status, _join(note, detail), False)
    detail = f"the page now carries «{shown}», not the cited {cited}"
    return Verdict(Status.CONTENT_DRIFT, _join(note, detail), False)


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second
