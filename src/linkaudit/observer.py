"""Progress reporting without printing: the library calls an Observer, the CLI renders it (rich).

Stages, in the order an audit runs them: ``check`` (every link; the soft-404 sibling probes run inside it),
``probe`` (one request to the archive, only when every cited host failed, to tell rot from a machine offline),
``archive`` (a lookup per broken link) and ``save`` (Save Page Now, with ``--save``). The CLI adds ``report``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import CheckResult


class Observer(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """A stage starts (``check``, ``archive`` …) with ``total`` units of work if known."""

    def advance(self, amount: int = 1) -> None:
        """``amount`` units of the current stage are done."""

    def note(self, text: str) -> None:
        """A remark worth showing the user (a warning that does not stop the run)."""

    def result(self, result: CheckResult) -> None:
        """A link's result is known, in the order results arrive (``from_cache`` when the store had it)."""


class NullObserver:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def result(self, result: CheckResult) -> None:
        pass
