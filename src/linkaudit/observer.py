"""Progress reporting without printing: the library calls an Observer, the CLI renders it (rich)."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """A stage starts (``check``, ``archive`` …) with ``total`` units of work if known."""

    def advance(self, amount: int = 1) -> None:
        """``amount`` units of the current stage are done."""

    def note(self, text: str) -> None:
        """A remark worth showing the user (a warning that does not stop the run)."""


class NullObserver:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        pass
