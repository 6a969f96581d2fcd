"""What every reporter is: one method that turns a Report into the text of one file.

A new format is one new module with a class like these and one new ReportFormat member; the error class is
the report layer's own, so the CLI can turn any of its failures into a one-line message.
"""

from __future__ import annotations

from typing import Protocol

from ..models import Report


class ReportError(Exception):
    """A report could not be written or read (bad format name, unreadable or foreign JSON, I/O failure)."""


class Reporter(Protocol):
    @property
    def file_name(self) -> str:
        """The file this format is written to, e.g. ``linkaudit.html``."""

    @property
    def encoding(self) -> str:
        """The text encoding of the file."""

    def render(self, report: Report) -> str:
        """The whole file's text."""
