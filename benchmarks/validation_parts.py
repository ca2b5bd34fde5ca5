"""Where a full SHACL validation of a store goes: each query, timed alone (benchmarks/RESULTS.md).

    python benchmarks/validation_parts.py STORE [--results OUT.json] [--json OUT.json] [--top N]

Opens STORE read-only (a ``ccus-kg build --store`` directory) and runs, one at a time, every part
of a full validation as :func:`ccus_kg.incremental.validate_store` does it (``--full-validation``):
each batch of compiled core constraints and each core check run alone (:mod:`ccus_kg.core_shapes`),
each SHACL-SPARQL rule's SELECT (:meth:`ccus_kg.shapes.SparqlRule.queries`), the record-sources
query of the results' focus nodes, the key queries of the ``join`` / ``by_date`` rules
(``ontology/shapes-reach.yaml``) and writing the kept results (``validation.sqlite``, into a temporary
directory).  Prints wall and CPU seconds (``time.process_time``: every thread of the process) and
the number of results of each part, costliest first.

``--results``: also run :func:`ccus_kg.validate.validate` itself on the store and write its results
(``ValidationResult.as_dict``, sorted) to OUT.json, to compare two versions of the code
(``cmp``); ``--json``: the table as JSON.  Nothing is written to STORE.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from ccus_kg.core_shapes import batch, compile_core
from ccus_kg.incremental import join_keys, load_reach
from ccus_kg.kept_results import KeptResults
from ccus_kg.shapes import load_shapes, load_sparql_rules
from ccus_kg.store import PolicyStore
from ccus_kg.validate import _run_core, _run_sparql_rules, build_date, record_sources, validate


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def parts(store: str) -> tuple[list[dict], float, float]:
    """Time each part; returns rows ``{"part", "wall", "cpu", "results"}`` and the totals (wall, CPU s)."""
    rows: list[dict] = []
    w_all, c_all = time.perf_counter(), time.process_time()

    def timed(label: str, run):
        w0, c0 = time.perf_counter(), time.process_time()
        out = run()
        rows.append({"part": label, "wall": time.perf_counter() - w0, "cpu": time.process_time() - c0,
                     "results": len(out) if hasattr(out, "__len__") else out})
        return out

    with PolicyStore.open(store, read_only=True) as ps:
        graph = ps.graph()
        shapes = timed("load and compile the shapes", lambda: [load_shapes()])[0]
        program = compile_core(shapes)
        rules = load_sparql_rules(shapes=shapes)
        batches, alone = batch(program.checks)
        raw = []
        for b in batches:
            focus = sorted({_short(c.shape) for c in b.checks})
            label = f"core {b.kind} ({len(b.checks)} checks: {', '.join(focus[:3])}{' …' if len(focus) > 3 else ''})"
            raw += timed(label, lambda b=b: _run_core(graph, list(b.checks)))
        for check in alone:
            raw += timed(f"core alone {_short(check.shape)} {check.component}", lambda c=check: _run_core(graph, [c]))
        for rule in rules:
            raw += timed(f"rule {_short(rule.iri)}", lambda r=rule: _run_sparql_rules(graph, [r]))
        located = {r.focus_node for r in raw}
        sources = timed("record sources", lambda: record_sources(graph, located))
        timed("build date", lambda: [build_date(graph)])
        reach, _ = load_reach()
        keys = {}
        for rule in rules:
            r = reach.get(rule.iri)
            if r is not None and r.key_query is not None:
                keys[rule.iri] = timed(f"keys {_short(rule.iri)}", lambda r=r: join_keys(graph, r.key_query, None))
        with tempfile.TemporaryDirectory() as tmp, KeptResults.open(tmp) as kept:
            def keep():
                kept.add(raw, {r.iri for r in rules})
                for iri, found in keys.items():
                    kept.set_keys(iri, None, found)
                kept.commit()
                return len(raw) + sum(len(v) for v in keys.values())
            timed("write kept results and keys", keep)
        del sources
    return rows, time.perf_counter() - w_all, time.process_time() - c_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("--results", type=Path, help="also run validate() and write its results here")
    parser.add_argument("--json", type=Path, help="write the table here as JSON")
    parser.add_argument("--top", type=int, default=0, help="print only the N costliest parts (0: all)")
    args = parser.parse_args()
    rows, wall, cpu = parts(args.store)
    shown = sorted(rows, key=lambda r: -r["cpu"])
    for r in shown[:args.top or None]:
        print(f"{r['cpu']:8.2f} {r['wall']:8.2f} {r['results']:>8}  {r['part']}")
    print(f"{cpu:8.2f} {wall:8.2f} {'':>8}  all parts (CPU s, wall s, results)")
    if args.json:
        args.json.write_text(json.dumps({"store": args.store, "cpu": cpu, "wall": wall, "parts": rows}, indent=1))
    if args.results:
        with PolicyStore.open(args.store, read_only=True) as ps:
            w0, c0 = time.perf_counter(), time.process_time()
            report = validate(ps.graph())
            print(f"{time.process_time() - c0:8.2f} {time.perf_counter() - w0:8.2f} {len(report.results):>8}  validate()")
        args.results.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=0, sort_keys=True))


if __name__ == "__main__":
    main()
