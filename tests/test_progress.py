"""Progress display (ccus_kg.progress): silent when piped or asked, rich on a terminal."""

from __future__ import annotations

import io

from ccus_kg.build import build
from ccus_kg.progress import Progress, TerminalProgress, terminal_progress


class Recorder(Progress):
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def begin(self, name, total, unit):
        self.events.append(("begin", name))

    def set_total(self, total):
        self.events.append(("total", total))

    def advance(self, n=1):
        self.events.append(("advance", n))


def test_silent_when_piped_or_quiet(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal
    assert type(terminal_progress()) is Progress
    assert type(terminal_progress(quiet=True)) is Progress


def test_build_reports_stages_files_and_policies():
    from corpus import SEEDS

    rec = Recorder()
    build([SEEDS], validate=False, progress=rec)
    stages = [name for kind, name in rec.events if kind == "begin"]
    assert stages == ["load", "convert"]
    assert ("total", 5) in rec.events  # the five seed files
    assert sum(n for kind, n in rec.events if kind == "advance") == 5 + 3  # five files, then three policies


def test_terminal_display_runs_through_a_build():
    from corpus import SEEDS

    display = TerminalProgress()
    build([SEEDS], validate=False, progress=display)
    display.close()
