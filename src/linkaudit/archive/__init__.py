"""Archived replacements for broken citations: Wayback (CDX) and Memento archives, verified captures, SPN."""

from __future__ import annotations

from .base import (
    ArchiveError,
    ArchiveErrorKind,
    ArchiveLookup,
    ArchiveRateLimited,
    ArchiveUnavailable,
    RateLimiter,
    RedirectLookup,
)
from .memento import MementoLookup
from .replacements import ArchiveCache, build_lookups, find_replacements
from .save import save_pages
from .wayback import WaybackLookup

__all__ = [
    "ArchiveCache",
    "ArchiveError",
    "ArchiveErrorKind",
    "ArchiveLookup",
    "ArchiveRateLimited",
    "ArchiveUnavailable",
    "MementoLookup",
    "RateLimiter",
    "RedirectLookup",
    "WaybackLookup",
    "build_lookups",
    "find_replacements",
    "save_pages",
]
