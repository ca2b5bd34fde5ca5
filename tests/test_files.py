"""Atomic writes: no half-written file, and no temporary file left by a killed writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from ccus_kg.files import write_text_atomic


def test_a_killed_writer_leaves_a_part_that_the_next_write_removes(tmp_path):
    target = tmp_path / "g.ttl"
    code = ("import sys, time; from ccus_kg.files import atomic_writer\n"
            f"with atomic_writer({str(target)!r}, 'w') as h:\n"
            "    h.write('half'); h.flush(); print('ready', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    parts = [p.name for p in tmp_path.iterdir()]
    assert len(parts) == 1 and parts[0].startswith(f".g.ttl.{proc.pid}.") and parts[0].endswith(".part")
    assert not target.exists()
    # a live writer's temporary file is left alone
    live = tmp_path / f".g.ttl.{os.getpid()}.abc.part"
    live.write_text("in progress")
    time.sleep(0.01)
    write_text_atomic(target, "whole\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "g.ttl"])
    assert target.read_text() == "whole\n"
