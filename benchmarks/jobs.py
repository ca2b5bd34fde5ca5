"""A store build with N worker processes, stage by stage: wall seconds, CPU seconds, peak memory.

Not a test: it measures ``build_into_store(FOLDER, STORE, jobs=N, rebuild=True)`` once (issue 12,
``build --store --jobs N``) and prints, per stage, the wall seconds, the CPU seconds of the build's
own process and of its worker processes, the seconds the build's process spent writing the workers'
quads into RocksDB, and the peak resident memory of the build's process and of its largest worker.
Usage::

    python benchmarks/jobs.py FOLDER STORE_DIR [--jobs N] [--validate] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path


def main() -> None:
    from ccus_kg.store import available_cpus, build_into_store

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("store", type=Path)
    parser.add_argument("--jobs", type=int, default=available_cpus())
    parser.add_argument("--validate", action="store_true", help="Run SHACL on the store too (the stage does not use the workers).")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    load = os.getloadavg()
    t0, cpu0 = time.perf_counter(), time.process_time()
    built = build_into_store([args.folder], args.store, jobs=args.jobs, rebuild=True, validate=args.validate)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    c = built.cpu_seconds
    print(f"{args.folder}: {built.counts['files_read']} files, {built.counts['quads']:,} quads, jobs={args.jobs}, "
          f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  {'stage':<10}{'wall s':>9}{'cpu s':>9}{'workers cpu s':>15}")
    for stage, seconds in built.seconds.items():
        workers = c.get(f"{stage}.workers")
        print(f"  {stage:<10}{seconds:9.1f}{c.get(stage, float('nan')):9.1f}{'' if workers is None else f'{workers:15.1f}'}")
    print(f"  {'total':<10}{wall:9.1f}{cpu:9.1f}{c.get('load.workers', 0) + c.get('convert.workers', 0):15.1f}")
    print(f"  convert: {c['convert.store']:.1f} s of the build process's wall time writing quads into RocksDB")
    print(f"  peak memory: build process {peak:,.0f} MB, largest worker {worker_peak:,.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"jobs": args.jobs, "wall": wall, "cpu": cpu, "seconds": built.seconds, "cpu_seconds": c,
                                         "peak_mb": peak, "worker_peak_mb": worker_peak, "load": load}, indent=2) + "\n")


if __name__ == "__main__":
    main()
