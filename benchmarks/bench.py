"""Benchmarks: build, validation, output, store and query figures at several sizes (``make bench``).

Not a test: it asserts nothing, it measures.  For each N, realistic synthetic policies are made
from the corpus records (:mod:`generate`, en + zh files) in a temporary folder, then one fresh
Python process per N runs the build stage by stage and reports, per stage, wall seconds and the
peak resident memory (VmHWM, reset at each stage start through ``/proc/self/clear_refs``), then:

* ``floor``: pyoxigraph alone loading the Turtle we wrote into a store (``Store.bulk_load``); the
  build's ratio to it is the issue-12 target (≤ 3×); with ``--store-build``, also ``store_floor``:
  the same Turtle bulk-loaded into a fresh on-disk RocksDB store, the floor of a persistent store;
* ``store``: a full ``--store`` build into a fresh RocksDB store, then a rebuild after changing one
  file (the incremental ratio: rebuild seconds / full seconds); with ``--store-build`` and SHACL, also
  one with SHACL on the same build date and one on the next day (``SOURCE_DATE_EPOCH`` one day on:
  a daily update, where the future-date rule's build date moves);
* point-query latencies in-process (median of 20 runs) and the rows each returns, on the in-memory
  graph and on the store, and of a whole ``ccus-kg query --store`` process.

Before the sizes, it checks that loading is linear: a compilation of 10× more items and a policy
body 10× larger must each cost at most 12× the time of the smaller one (issue 8; ``--no-linearity``
skips it).  Usage::

    python benchmarks/bench.py [--sizes 1000,5000] [--seed 1] [--no-validate] [--no-linearity] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import DEFAULT_CORPUS, generate  # noqa: E402

from ccus_kg.progress import Progress  # noqa: E402


def _hwm_mb() -> float:
    """Peak resident set size of this process since the last reset, in MB (Linux VmHWM)."""
    m = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(m.group(1)) / 1024 if m else float("nan")


def _reset_hwm() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


class TreePeak:
    """Samples the resident memory of this process and all its descendants (the build's worker
    processes) together, every ``interval`` seconds, in a background thread (psutil); ``peak_mb`` is
    the largest sum seen, in MB.  A measured peak of the whole build, where the per-process peaks
    (VmHWM, ``ru_maxrss``) only bound it: their peaks need not coincide.  Use as a context manager."""

    def __init__(self, interval: float = 0.1) -> None:
        import threading

        self.interval, self.peak_mb = interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-tree-peak", daemon=True)

    def _sample(self) -> float:
        import psutil

        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # ended between the listing and the reading
                pass
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class StageRecorder(Progress):
    """Records wall seconds and peak RSS (MB) of every stage."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}
        self._t0 = 0.0

    def begin(self, name: str, total: int | None, unit: str) -> None:
        _reset_hwm()
        self._t0 = time.perf_counter()

    def end(self, name: str) -> None:
        self.stages[name] = {"seconds": time.perf_counter() - self._t0, "peak_mb": _hwm_mb()}


def _median_ms(fn, runs: int = 20) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _point_queries(graph, policy_id: str, jurisdiction: str) -> dict[str, dict[str, float]]:
    """Each point query's median latency (ms) and the rows it returns: ``{name: {"ms": …, "rows": …}}``
    (a query that returns more rows costs more: the timeline's answer grows with the generated input)."""
    from ccus_kg.query.library import select
    runs = {
        "policy-lineage": lambda: select(graph, "policy-lineage", {"policy": policy_id}),
        "policies-in-jurisdiction": lambda: select(graph, "policies-in-jurisdiction", {"jurisdiction": jurisdiction}),
        "jurisdiction-timeline": lambda: select(graph, "jurisdiction-timeline", {"jurisdiction": jurisdiction}),
    }
    return {name: {"ms": _median_ms(fn), "rows": len(fn())} for name, fn in runs.items()}


def run_one(folder: Path, n: int, validate: bool, with_store: bool) -> dict[str, Any]:
    """Measure one size in this process (a fresh one per size); returns a JSON-ready mapping."""
    import pyoxigraph as ox

    from ccus_kg.build import build

    files = sum(1 for p in folder.rglob("*.md"))
    rec = StageRecorder()
    t_build = time.perf_counter()
    result = build([folder], validate=validate, progress=rec)
    work = Path(tempfile.mkdtemp(prefix="ccus-bench-"))
    out = work / "out.ttl"
    with rec.stage("write"):
        size = result.graph.write(out)
    total = time.perf_counter() - t_build
    triples = len(result.graph)
    peak = max(s["peak_mb"] for s in rec.stages.values())
    row: dict[str, Any] = {"n": n, "files": files, "triples": triples, "turtle_mb": size / 1e6, "stages": rec.stages,
                           "total_seconds": total, "peak_mb": peak}
    graph = result.graph
    newer = sorted(q.subject.value for q in graph.store.quads_for_pattern(None, ox.NamedNode("http://purl.org/dc/terms/replaces"), None))
    policy_id = newer[0].rsplit("/", 1)[-1] if newer else "none"  # a policy with a lineage
    row["queries_memory"] = _point_queries(graph, policy_id, "CN-JS")
    del result, graph

    row["floor"] = _floor(out)
    row["ratio_to_floor"] = total / row["floor"]["seconds"]

    if with_store:
        row.update(_store_figures(folder, work, n, policy_id, validate))
    shutil.rmtree(work, ignore_errors=True)
    return row


def run_store_build(folder: Path, n: int, validate: bool) -> dict[str, Any]:
    """The full build through the store, the path for large inputs: ``build --store`` into a fresh
    RocksDB store (load, convert, shared graphs, SHACL on the store), then the sorted Turtle written
    from it; the floor, a one-file rebuild, point queries and a query process as in :func:`run_one`."""
    import resource

    import pyoxigraph as ox

    from ccus_kg.store import PolicyStore, available_cpus, build_into_store

    jobs = available_cpus()  # as `ccus-kg build --store` by default
    files = sum(1 for p in folder.rglob("*.md"))
    work = Path(tempfile.mkdtemp(prefix="ccus-bench-", dir=os.environ.get("CCUS_KG_BENCH_TMP")))
    store_dir, out = work / "store", work / "out.ttl"
    today = int(time.time())  # the build date of the full build and of the same-day rebuilds (SOURCE_DATE_EPOCH)
    os.environ["SOURCE_DATE_EPOCH"] = str(today)
    _reset_hwm()
    t_build = time.perf_counter()
    with TreePeak() as tree:
        built = build_into_store([folder], store_dir, validate=validate, jobs=jobs)
    stages = {k: {"seconds": v, "peak_mb": float("nan")} for k, v in built.seconds.items()}
    build_peak = _hwm_mb()
    # the worker processes have ended: the largest one's peak (ru_maxrss, kB); all processes together
    # held at most the build process's peak plus `jobs` times that (a bound); `tree` sampled their sum
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if jobs > 1 else 0.0
    _reset_hwm()
    t0 = time.perf_counter()
    with PolicyStore.open(store_dir, read_only=True) as ps:
        size = ps.graph().write(out)
        triples = len(ps.store)
        newer = sorted(q.subject.value for q in ps.store.quads_for_pattern(None, ox.NamedNode("http://purl.org/dc/terms/replaces"), None))
    stages["write"] = {"seconds": time.perf_counter() - t0, "peak_mb": _hwm_mb()}
    total = time.perf_counter() - t_build
    policy_id = newer[0].rsplit("/", 1)[-1] if newer else "none"
    row: dict[str, Any] = {"n": n, "files": files, "triples": triples, "turtle_mb": size / 1e6, "stages": stages,
                           "total_seconds": total, "peak_mb": max(build_peak, stages["write"]["peak_mb"]), "mode": "store",
                           "jobs": jobs, "worker_peak_mb": worker_peak, "all_processes_bound_mb": build_peak + jobs * worker_peak,
                           "all_processes_peak_mb": tree.peak_mb,
                           "cpu_seconds": built.cpu_seconds,
                           "conforms": None if built.validation is None else built.validation.conforms}
    victim = sorted((folder / "en").glob("*.md"))[n // 2]
    original = victim.read_text(encoding="utf-8")
    # one title changed, rebuilt without SHACL; then changed again, rebuilt with SHACL; then once more with
    # SHACL on the next day (a daily update: the build date, which the future-date rule compares with, moves)
    runs = [("incremental", "Amended: ", False, today)]
    if validate:
        runs += [("incremental_validated", "Amended again: ", True, today), ("incremental_next_day", "Amended the next day: ", True, today + 86400)]
    try:
        for label, prefix, check, day in runs:
            victim.write_text(original.replace('"title": "', f'"title": "{prefix}', 1), encoding="utf-8")
            os.environ["SOURCE_DATE_EPOCH"] = str(day)
            _reset_hwm()
            t0 = time.perf_counter()
            summary = build_into_store([folder], store_dir, validate=check, jobs=jobs)
            seconds = time.perf_counter() - t0
            row[label] = {"seconds": seconds, "peak_mb": _hwm_mb(), "units_rebuilt": summary.units_rebuilt, "ratio": seconds / total}
    finally:
        victim.write_text(original, encoding="utf-8")
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    with PolicyStore.open(store_dir, read_only=True) as ps:
        row["queries_store"] = _point_queries(ps.graph(), policy_id, "CN-JS")
    row["query_process_seconds"] = _query_process_seconds(store_dir, policy_id)
    # the floors last: the in-memory one holds the whole graph, and the heap it frees stays in this process
    # (the rebuilds' peak memory would start from it)
    row["floor"] = _floor(out)
    row["ratio_to_floor"] = total / row["floor"]["seconds"]
    row["store_floor"] = _floor(out, work / "floor-store")
    row["ratio_to_store_floor"] = total / row["store_floor"]["seconds"]
    out.unlink()
    row["store_bytes"] = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())
    shutil.rmtree(work, ignore_errors=True)
    return row


def _store_figures(folder: Path, work: Path, n: int, policy_id: str, validate: bool) -> dict[str, Any]:
    from ccus_kg.store import PolicyStore, build_into_store

    store_dir = work / "store"
    _reset_hwm()
    t0 = time.perf_counter()
    build_into_store([folder], store_dir, validate=validate)
    full = time.perf_counter() - t0
    full_peak = _hwm_mb()
    # change one file (its title), as a daily update would
    victim = sorted((folder / "en").glob("*.md"))[n // 2]
    original = victim.read_text(encoding="utf-8")
    victim.write_text(original.replace('"title": "', '"title": "Amended: ', 1), encoding="utf-8")
    _reset_hwm()
    t0 = time.perf_counter()
    summary = build_into_store([folder], store_dir, validate=validate)
    inc = time.perf_counter() - t0
    inc_peak = _hwm_mb()
    victim.write_text(original, encoding="utf-8")
    figures: dict[str, Any] = {"store": {"full_seconds": full, "full_peak_mb": full_peak, "incremental_seconds": inc,
                                         "incremental_peak_mb": inc_peak, "incremental_ratio": inc / full,
                                         "units_rebuilt": summary.units_rebuilt}}
    with PolicyStore.open(store_dir, read_only=True) as store:
        figures["queries_store"] = _point_queries(store.graph(), policy_id, "CN")
    figures["query_process_seconds"] = _query_process_seconds(store_dir, policy_id)
    return figures


def _floor(turtle: Path, directory: Path | None = None) -> dict[str, float]:
    """pyoxigraph alone loading ``turtle`` (``Store.bulk_load``) into an in-memory store, or with
    ``directory`` into a fresh on-disk RocksDB store there (removed after: the floor of a *persistent*
    store, which the in-memory one does not pay).  Wall ``seconds``, ``cpu_seconds`` of this process
    (the bulk loader's threads included), ``peak_mb``."""
    import pyoxigraph as ox

    _reset_hwm()
    t0, c0 = time.perf_counter(), time.process_time()
    floor_store = ox.Store() if directory is None else ox.Store(str(directory))
    floor_store.bulk_load(path=str(turtle), format=ox.RdfFormat.TURTLE)
    floor_store.flush()
    figures = {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "peak_mb": _hwm_mb()}
    del floor_store
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
    return figures


def _query_process_seconds(store_dir: Path, policy_id: str) -> float:
    """Median wall seconds of 3 ``ccus-kg query policy-lineage --store`` processes (start-up included)."""
    cli = [str(Path(sys.executable).with_name("ccus-kg")), "query", "policy-lineage", "--store", str(store_dir), "--param", f"policy={policy_id}"]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _compilation(items: int, per_node: int = 999) -> str:
    """A timeline compilation of ``items`` items, ``per_node`` a node, numbered on across nodes."""
    lines = ["# 基准汇编", "分析时间: 2025-05-01 16:56:12", "---"]
    for n in range(1, items + 1):
        if (n - 1) % per_node == 0:
            lines.append(f"## 节点: 2020-{(n // per_node) % 12 + 1:02d}-01 (事件) - 可信度: 0.8")
        lines.append(f"{n}. **事项名称**：事项{n}")
        lines.append(f"**发生日期**：2020年{(n // per_node) % 12 + 1}月1日。[来源](https://example.org/{n % 500})")
    return "\n".join(lines) + "\n"


def _policy_with_body(chars: int) -> str:
    body = ("Carbon capture and storage: a line of body text, with words and 中文 too.\n" * (chars // 60 + 1))[:chars]
    return "---\n" + json.dumps({"id": "big", "title": "Big body", "country": "Norway", "source": "Ministry of Energy"}) + "\n---\n" + body


def bench_linearity(build, limit: float = 12.0) -> None:
    """Loading must be linear: 10× more compilation items, or a 10× larger body, costs ≤ ``limit``× the time."""
    print(f"linearity (build with SHACL; ratio = time(10×) / time(1×), must be ≤ {limit:.0f})")
    cases = (("compilation items", 3_200, 32_000, lambda n: ("c.md", _compilation(n))),
             ("policy body characters", 1_800_000, 18_000_000, lambda n: ("p.md", _policy_with_body(n))))
    for label, small, large, make in cases:
        seconds = []
        for n in (small, large):
            with tempfile.TemporaryDirectory() as tmp:
                name, text = make(n)
                (Path(tmp) / name).write_text(text, encoding="utf-8")
                t0 = time.perf_counter()
                build([tmp])
                seconds.append(time.perf_counter() - t0)
        ratio = seconds[1] / seconds[0]
        verdict = "ok" if ratio <= limit else "NOT LINEAR"
        print(f"  {label:<24}{small:>11,d} → {large:>11,d}: {seconds[0]:7.2f} s → {seconds[1]:7.2f} s  ratio {ratio:5.1f}  {verdict}")


def print_table(row: dict[str, Any]) -> None:
    n, files, triples = row["n"], row["files"], row["triples"]
    mode = " (full build through --store)" if row.get("mode") == "store" else ""
    print(f"\nN = {n:,} policies{mode}: {files:,} files, {triples:,} triples ({triples / n:.0f} per policy), Turtle {row['turtle_mb']:.1f} MB")
    print(f"  {'stage':<34}{'seconds':>9}{'peak MB':>10}  rate")
    units = {"load": (files, "files"), "convert": (triples, "triples"), "validate": (triples, "triples"), "write": (triples, "triples")}
    for name, s in row["stages"].items():
        count, unit = units.get(name, (0, ""))
        rate = f"{count / s['seconds']:,.0f} {unit}/s" if count and s["seconds"] > 0 else ""
        print(f"  {name:<34}{s['seconds']:9.2f}{s['peak_mb']:10.0f}  {rate}")
    print(f"  {'build total (load→write)':<34}{row['total_seconds']:9.2f}{row['peak_mb']:10.0f}  "
          f"{triples / row['total_seconds']:,.0f} triples/s, {files / row['total_seconds']:,.0f} files/s")
    f = row["floor"]
    print(f"  {'floor: pyoxigraph loads our Turtle':<34}{f['seconds']:9.2f}{f['peak_mb']:10.0f}  "
          f"build = {row['ratio_to_floor']:.1f}× floor")
    if "store_floor" in row:
        f = row["store_floor"]
        print(f"  {'floor: … into a RocksDB store':<34}{f['seconds']:9.2f}{f['peak_mb']:10.0f}  "
              f"build = {row['ratio_to_store_floor']:.1f}× that ({f['cpu_seconds']:.1f} s CPU)")
    rebuilds = {"incremental": "rebuild, 1 file changed", "incremental_validated": "rebuild, 1 file changed, SHACL",
                "incremental_next_day": "… the same, on the next day"}
    for label, what in rebuilds.items():
        if label in row:
            s = row[label]
            print(f"  {what:<34}{s['seconds']:9.2f}{s['peak_mb']:10.0f}  {100 * s['ratio']:.1f} % of the full build")
    if row.get("jobs", 1) > 1:
        print(f"  worker processes: {row['jobs']}, the largest peaked at {row['worker_peak_mb']:,.0f} MB; all processes "
              f"together peaked at {row['all_processes_peak_mb']:,.0f} MB (sampled every 0.1 s; the per-process peaks "
              f"bound it at {row['all_processes_bound_mb']:,.0f} MB)")
    if row.get("cpu_seconds"):
        print("  CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in row["cpu_seconds"].items()))
    if "store_bytes" in row:
        print(f"  store on disk: {row['store_bytes'] / 1e9:.2f} GB; SHACL conforms: {row['conforms']}")
    if "store" in row:
        s = row["store"]
        print(f"  {'--store full build':<34}{s['full_seconds']:9.2f}{s['full_peak_mb']:10.0f}")
        print(f"  {'--store rebuild, 1 file changed':<34}{s['incremental_seconds']:9.2f}{s['incremental_peak_mb']:10.0f}  "
              f"{100 * s['incremental_ratio']:.1f} % of the full store build ({s['units_rebuilt']} unit rebuilt)")
    for where in ("memory", "store"):
        q = row.get(f"queries_{where}")
        if q:
            print(f"  point queries, in-process, {where:<7} " + ", ".join(
                f"{k} {v['ms']:.1f} ms ({v['rows']:,} rows)" for k, v in q.items()))
    if "query_process_seconds" in row:
        print(f"  `ccus-kg query policy-lineage --store` process: {row['query_process_seconds']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated numbers of synthetic policies")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("CCUS_KG_CORPUS") or DEFAULT_CORPUS),
                        help="the corpus whose records are the templates (default: $CCUS_KG_CORPUS, else ../shared/corpus/…)")
    parser.add_argument("--no-linearity", action="store_true", help="skip the 10× linearity measurement")
    parser.add_argument("--no-validate", action="store_true", help="skip the SHACL stage")
    parser.add_argument("--no-store", action="store_true", help="skip the --store figures")
    parser.add_argument("--store-build", action="store_true",
                        help="measure the full build through a --store store (the path for large N) instead of in memory")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--child", nargs=2, metavar=("N", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.store_build:
            row = run_store_build(Path(args.child[1]), int(args.child[0]), not args.no_validate)
        else:
            row = run_one(Path(args.child[1]), int(args.child[0]), not args.no_validate, not args.no_store)
        print(json.dumps(row))
        return
    import pyoxigraph
    import pyshacl

    if not args.no_linearity:
        from ccus_kg.build import build

        bench_linearity(build)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, pySHACL {pyshacl.__version__}; seed {args.seed}")
    rows = []
    for n in (int(x) for x in args.sizes.split(",") if x.strip()):
        with tempfile.TemporaryDirectory(prefix="ccus-gen-") as tmp:
            t0 = time.perf_counter()
            generate(Path(tmp), n, seed=args.seed, corpus=args.corpus)
            gen = time.perf_counter() - t0
            cmd = [sys.executable, __file__, "--child", str(n), tmp]
            cmd += ["--no-validate"] * args.no_validate + ["--no-store"] * args.no_store + ["--store-build"] * args.store_build
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode:
                sys.stderr.write(proc.stderr)
                raise SystemExit(f"benchmark at N={n} failed")
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            row["generate_seconds"] = gen
            rows.append(row)
            print_table(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
