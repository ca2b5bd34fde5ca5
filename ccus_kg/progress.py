"""Progress of long runs (stages, units done, rate, ETA): a silent base and a terminal display.

The pipeline reports to a :class:`Progress`: :meth:`~Progress.stage` opens a named stage (``load``,
``convert``, ``validate``, ``write`` …) with an optional total, and the stage's work calls
``advance(n)``.  :class:`Progress` itself ignores everything (libraries and pipes stay quiet);
:func:`terminal_progress` draws a live line with rich on standard error when it is a terminal;
the benchmarks subclass it to record time and memory per stage.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Progress", "TerminalProgress", "terminal_progress"]


class Progress:
    """Receives the stages of a run and the units of work done in each; this base does nothing."""

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "files") -> Iterator[Progress]:
        """Open stage ``name`` (``total`` units of ``unit``, or None when not known yet) until the block ends."""
        self.begin(name, total, unit)
        try:
            yield self
        finally:
            self.end(name)

    def begin(self, name: str, total: int | None, unit: str) -> None:
        """A stage starts."""

    def set_total(self, total: int) -> None:
        """The current stage's total became known."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current stage are done."""

    def end(self, name: str) -> None:
        """Stage ``name`` ended."""


class TerminalProgress(Progress):
    """A rich progress display on standard error: stage, bar, units done/total, rate (units/s), ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._display = Progress(
            TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"), TextColumn("[progress.data.speed]{task.fields[rate]}"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )
        self._task: Any = None

    def begin(self, name: str, total: int | None, unit: str) -> None:
        if self._task is None:
            self._display.start()
        else:
            self._display.remove_task(self._task)
        self._task = self._display.add_task(name, total=total, unit=unit, rate="")

    def set_total(self, total: int) -> None:
        self._display.update(self._task, total=total)

    def advance(self, n: int = 1) -> None:
        task = self._display.tasks[-1]
        speed = task.speed
        self._display.update(self._task, advance=n, rate=f"{speed:,.0f}/s" if speed else "")

    def end(self, name: str) -> None:
        task = self._display.tasks[-1]
        if task.total is not None:
            self._display.update(self._task, completed=task.total)

    def close(self) -> None:
        """Remove the display (call once, at the end)."""
        if self._task is not None:
            self._display.stop()
            self._task = None


def terminal_progress(quiet: bool = False) -> Progress:
    """A :class:`TerminalProgress` when standard error is a terminal and not ``quiet``, else a silent :class:`Progress`."""
    if quiet or not sys.stderr.isatty():
        return Progress()
    return TerminalProgress()
