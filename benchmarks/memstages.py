"""Where a store build's memory goes: the build process's peak RSS per stage, and what owns it.

Not a test: it runs ``build_into_store(FOLDER, STORE, jobs=N, rebuild=True)`` once and prints, per
stage (scan, load, convert, shared, validate), the largest resident set size seen by a sampler
thread (``/proc/self/status`` every 50 ms: VmRSS, and of it RssAnon, the process's own memory, and
RssFile, mapped files), the RSS at the stage's end, and the glibc heap (``mallinfo2``: bytes in use
and bytes free but kept).  With ``--tracemalloc`` it also records the Python heap (:mod:`tracemalloc`):
its peak within each stage and the largest allocation sites at each stage's end (this slows the
build about 2×; RSS then includes tracemalloc's own bookkeeping).  What RSS holds beyond the Python
heap and glibc's free bytes is native memory of pyoxigraph (RocksDB's memtables, block cache and
bulk-load buffers) and SQLite.  Usage::

    python benchmarks/memstages.py FOLDER STORE_DIR [--jobs N] [--validate] [--tracemalloc] [--top K] [--json FILE]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

from ccus_kg.progress import Progress

_FIELDS = ("VmRSS", "RssAnon", "RssFile", "VmHWM")


def _status() -> dict[str, float]:
    text = Path("/proc/self/status").read_text()
    return {k: int(m.group(1)) / 1024 for k in _FIELDS if (m := re.search(rf"{k}:\s+(\d+) kB", text))}


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def _malloc_mb() -> dict[str, float]:
    """glibc's heap: bytes allocated (``uordblks`` + mmapped ``hblkhd``) and free but kept (``fordblks``), in MB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _Mallinfo2
        m = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    return {"malloc_used": (m.uordblks + m.hblkhd) / 2**20, "malloc_free": m.fordblks / 2**20}


class StageMemory(Progress):
    """Samples RSS in a thread, keeping the maximum per stage (``shared`` = between convert and validate)."""

    def __init__(self, interval: float = 0.05, trace: bool = False, top: int = 12):
        self.stage_name = "start"
        self.stages: dict[str, dict[str, Any]] = {}
        self.trace, self.top = trace, top
        self.series: list[tuple[float, str, float]] = []  # (seconds since start, stage, RSS MB) of every sample
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._thread.start()

    def _row(self, name: str) -> dict[str, Any]:
        return self.stages.setdefault(name, {"max_rss": 0.0, "max_anon": 0.0, "max_file": 0.0, "t0": time.perf_counter()})

    def _sample(self, interval: float) -> None:
        while not self._stop.is_set():
            s = _status()
            row = self._row(self.stage_name)
            row["max_rss"] = max(row["max_rss"], s["VmRSS"])
            row["max_anon"] = max(row["max_anon"], s.get("RssAnon", 0.0))
            row["max_file"] = max(row["max_file"], s.get("RssFile", 0.0))
            self.series.append((round(time.perf_counter() - self._t0, 2), self.stage_name, s["VmRSS"]))
            self._stop.wait(interval)

    def switch(self, name: str) -> None:
        old = self._row(self.stage_name)
        old.update(seconds=time.perf_counter() - old["t0"], end=_status(), **_malloc_mb())
        if self.trace:
            current, peak = tracemalloc.get_traced_memory()
            snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            old.update(py_end=current / 2**20, py_peak=peak / 2**20,
                       py_top=[(str(st.traceback[0]), st.size / 2**20, st.count) for st in snap.statistics("lineno")[:self.top]])
            tracemalloc.reset_peak()
        self.stage_name = name
        self._row(name)

    def begin(self, name: str, total: int | None, unit: str) -> None:
        self.switch(name)

    def end(self, name: str) -> None:
        self.switch("shared" if name == "convert" else f"after {name}")

    def close(self) -> None:
        self.switch("done")
        self._stop.set()
        self._thread.join()


def main() -> None:
    from ccus_kg.store import available_cpus, build_into_store

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("store", type=Path)
    parser.add_argument("--jobs", type=int, default=available_cpus())
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true", help="Record the Python heap too (slower).")
    parser.add_argument("--top", type=int, default=12, help="Allocation sites listed per stage.")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()
    rec = StageMemory(trace=args.tracemalloc, top=args.top)
    t0 = time.perf_counter()
    built = build_into_store([args.folder], args.store, jobs=args.jobs, rebuild=True, validate=args.validate, progress=rec)
    rec.close()
    wall = time.perf_counter() - t0
    print(f"{args.folder}: {built.counts['files_read']} files, {built.counts['quads']:,} quads, jobs={args.jobs}, "
          f"{wall:.1f} s, peak RSS (VmHWM) {_status()['VmHWM']:,.0f} MB, load average {os.getloadavg()[0]:.2f}")
    print(f"  {'stage':<16}{'s':>7}{'max RSS':>9}{'anon':>7}{'file':>7}{'end RSS':>9}{'malloc used':>12}{'free':>7}"
          + (f"{'py peak':>9}{'py end':>8}" if args.tracemalloc else ""))
    for name, row in rec.stages.items():
        if "end" not in row:
            continue
        line = (f"  {name:<16}{row['seconds']:7.1f}{row['max_rss']:9.0f}{row['max_anon']:7.0f}{row['max_file']:7.0f}"
                f"{row['end']['VmRSS']:9.0f}{row.get('malloc_used', 0):12.0f}{row.get('malloc_free', 0):7.0f}")
        if args.tracemalloc:
            line += f"{row['py_peak']:9.0f}{row['py_end']:8.0f}"
        print(line)
    if args.tracemalloc:
        for name, row in rec.stages.items():
            if row.get("py_top"):
                print(f"  Python heap at the end of {name} (MB, blocks):")
                for where, mb, count in row["py_top"]:
                    if mb >= 1:
                        print(f"    {mb:8.1f} {count:>9,}  {where}")
    if args.json:
        args.json.write_text(json.dumps({"wall": wall, "stages": rec.stages, "counts": built.counts, "series": rec.series},
                                        default=str) + "\n")


if __name__ == "__main__":
    main()
