"""Where a one-file store rebuild's SHACL validation time goes (benchmarks/RESULTS.md, session 6).

    python benchmarks/rebuild_validation.py FOLDER STORE K [--per-query]

Edits the title of the K-th English policy file of FOLDER (sorted by name; the same K edits the same
file), rebuilds STORE (``build_into_store(validate=True, jobs=1)``: incremental validation when STORE
keeps results) and prints wall and CPU seconds of each stage and of each part of the validation
(which focus nodes, each SHACL-SPARQL rule, the core constraints, the kept results).  CPU seconds are
``time.process_time`` (all threads of the process).  ``--per-query``: also run each restricted
query once more, alone, and list the costliest (this doubles the queries' time in the parts).
This edits FOLDER: run it on a copy.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import re
import time
from pathlib import Path

import ccus_kg.focus as focus_module
import ccus_kg.incremental as incremental
import ccus_kg.kept_results as kept_results
import ccus_kg.validate as validate_module
from ccus_kg.store import build_into_store

PARTS: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])
QUERIES: list[tuple[float, float, int, str]] = []


def _add(label: str, wall: float, cpu: float) -> None:
    part = PARTS[label]
    part[0] += wall
    part[1] += cpu
    part[2] += 1


def _timed(owner, name: str, label: str | None = None, key=None) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            _add((label or name) + (":" + key(*args) if key else ""), time.perf_counter() - w0, time.process_time() - c0)

    setattr(owner, name, wrapper)


def _instrument(per_query: bool) -> None:
    _timed(incremental, "validate_store")
    _timed(incremental, "validate", label="validate (restricted)")
    _timed(incremental, "affected")
    _timed(incremental, "join_keys")
    _timed(validate_module, "_run_core")
    _timed(validate_module, "_run_sparql_rules",
           key=lambda _g, rules: ",".join(r.iri.rsplit("#", 1)[-1] for r in rules) if len(rules) == 1 else "all rules")
    _timed(validate_module, "record_sources")
    for method in ("on", "add", "drop", "finish", "clear", "keys_of", "holders", "set_keys", "update", "start"):
        _timed(kept_results.KeptResults, method, label="kept." + method)
    read_all = kept_results.KeptResults.__iter__

    def iterate(self):
        w0, c0 = time.perf_counter(), time.process_time()
        out = list(read_all(self))
        _add("kept.read_all", time.perf_counter() - w0, time.process_time() - c0)
        return iter(out)

    kept_results.KeptResults.__iter__ = iterate  # type: ignore[method-assign]
    if per_query:
        query = focus_module._RestrictedStore.query

        def timed_query(self, text, **kwargs):
            w0, c0 = time.perf_counter(), time.process_time()
            for _solution in query(self, text, **kwargs):
                pass
            short = re.sub(r"PREFIX \S+ <[^>]*>", "", " ".join(text.split()))
            QUERIES.append((time.process_time() - c0, time.perf_counter() - w0, len(self._nodes), short[:300]))
            return query(self, text, **kwargs)

        focus_module._RestrictedStore.query = timed_query  # type: ignore[method-assign]


def _edit_title(folder: Path, k: int) -> Path:
    path = sorted((folder / "en").glob("*.md"))[k]
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    data = json.loads(head)
    data["title"] = f"{data['title']} (edited {time.time():.0f})" if k % 2 else data["title"] + " amended"
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + sep + body, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("store", type=Path)
    parser.add_argument("k", type=int)
    parser.add_argument("--per-query", action="store_true")
    args = parser.parse_args()
    _instrument(args.per_query)
    edited = _edit_title(args.folder, args.k)
    w0, c0 = time.perf_counter(), time.process_time()
    step = build_into_store([args.folder], args.store, validate=True, jobs=1)
    print(f"edited {edited.name}; rebuild wall {time.perf_counter() - w0:.2f} s, CPU {time.process_time() - c0:.2f} s")
    print("stages wall", {k: round(v, 2) for k, v in step.seconds.items()})
    print("stages CPU ", {k: round(v, 2) for k, v in step.cpu_seconds.items()})
    print("scope:", step.validation_scope, "| results:", len(step.validation.results) if step.validation else 0)
    for label, (wall, cpu, n) in sorted(PARTS.items(), key=lambda item: -item[1][1]):
        print(f"  {label:60s} wall {wall:7.3f}  CPU {cpu:7.3f}  calls {n}")
    if QUERIES:
        print(f"restricted queries: {len(QUERIES)}, CPU {sum(q[0] for q in QUERIES):.3f} s; the costliest:")
        for cpu, wall, nodes, text in sorted(QUERIES, reverse=True)[:10]:
            print(f"  CPU {cpu:.3f} wall {wall:.3f} nodes {nodes}: {text}")


if __name__ == "__main__":
    main()
