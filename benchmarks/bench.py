"""Benchmarks: print build, validation, query and serialisation figures (``make bench``).

Not a test: it asserts nothing, it measures.  Synthetic policies are written to a temporary
folder (en + zh file per id, shaped like the CCUS Policy Hub records), then every stage is
timed on this machine.  Usage::

    python benchmarks/bench.py [--sizes 1000,5000] [--corpus FOLDER] [--no-linearity]

The real corpus is ``--corpus``, else the environment variable ``CCUS_KG_CORPUS``; ``make bench``
passes the Makefile's ``CORPUS`` (whose default tests/corpus.py gives).

First it checks that loading is linear: a compilation of 10× more items and a policy body 10×
larger must each cost at most 12× the time of the smaller one (issue 8).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from ccus_kg.build import build
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.validate import validate

COUNTRIES = ["China", "中国", "United States", "Norway", "European Union", "Japan", "Canada", "International"]
AGENCIES = {"China": "工信部", "中国": "工业和信息化部", "United States": "US DOE", "Norway": "Ministry of Petroleum and Energy",
            "European Union": "European Commission", "Japan": "METI", "Canada": "Department of Finance Canada", "International": "IPCC"}


def synthetic(folder: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` policies (2 files each) with supersedes chains and clusters into ``folder``."""
    rng = random.Random(seed)
    for lang in ("en", "zh"):
        (folder / lang).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        country = rng.choice(COUNTRIES)
        record = {
            "id": f"p-{i:06d}", "country": country, "source": AGENCIES[country],
            "status": rng.choice(["Active", "现行", "Planned"]), "category": rng.choice(["Regulatory", "Strategic", "Incentive"]),
            "legalWeight": rng.choice(["Primary Legislation", "Guideline/Policy", "Departmental Rules"]),
            "pubDate": f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "year": 2024, "url": f"https://example.org/policy/{i}",
            "analysis": {d: {"score": rng.randint(0, 100), "label": "L", "evidence": "Evidence text.", "citation": "§1", "auditNote": ""}
                         for d in ("incentive", "market", "mrv", "statutory", "strategic")},
            "evolution": {"supersedes": [f"p-{i - 1:06d}"] if i % 5 else [], "supersededBy": "",
                          "clusters": [f"Cluster {i % 50}"]},
            "provenance": {"author": "Bench", "lastAuditDate": "2026-02-08", "reviewer": ""},
            "reviewStatus": "verified",
        }
        for lang, title in (("en", f"Policy number {i}"), ("zh", f"第{i}号政策")):
            text = "---\n" + json.dumps({**record, "title": title}, ensure_ascii=False) + "\n---\n\nBody text of the policy.\n"
            (folder / lang / f"p-{i:06d}.md").write_text(text, encoding="utf-8")


def timed(label: str, fn, *, unit_count: int | None = None, unit: str = "") -> object:
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    rate = f"  ({unit_count / seconds:,.0f} {unit}/s)" if unit_count else ""
    print(f"  {label:<34}{seconds:8.2f} s{rate}")
    return result


def bench_size(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        synthetic(folder, n)
        print(f"{n} synthetic policies ({2 * n} files)")
        result = timed("load + convert (no SHACL)", lambda: build([folder], validate=False), unit_count=2 * n, unit="files")
        g = result.graph
        print(f"  {'triples':<34}{len(g):8,d}  ({len(g) / n:.0f} per policy)")
        ttl = timed("serialise Turtle", lambda: g.serialize("ttl"), unit_count=len(g), unit="triples")
        nt = timed("serialise N-Triples", lambda: g.serialize("nt"), unit_count=len(g), unit="triples")
        print(f"  {'Turtle size':<34}{len(ttl) / 1e6:8.2f} MB; N-Triples {len(nt) / 1e6:.2f} MB")
        timed("parse Turtle", lambda: KnowledgeGraph.from_bytes(ttl, "ttl"), unit_count=len(g), unit="triples")
        q = "SELECT (COUNT(?p) AS ?n) WHERE { ?p eli:date_publication ?d FILTER(?d >= \"2015-01-01\"^^xsd:date) }"
        timed("SPARQL date filter", lambda: list(g.query(q)))
        timed("SHACL validation (pySHACL)", lambda: validate(g), unit_count=len(g), unit="triples")


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


def bench_linearity(limit: float = 12.0) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated numbers of synthetic policies")
    parser.add_argument("--corpus", default=os.environ.get("CCUS_KG_CORPUS"), help="the real corpus folder (default: $CCUS_KG_CORPUS)")
    parser.add_argument("--no-linearity", action="store_true", help="skip the 10× linearity measurement")
    args = parser.parse_args()
    if not args.no_linearity:
        bench_linearity()
    corpus = Path(args.corpus) if args.corpus else None
    if corpus is None:
        print("no real corpus: pass --corpus or set CCUS_KG_CORPUS (make bench does)")
    elif not corpus.is_dir():
        print(f"no real corpus at {corpus}")
    else:
        print(f"real corpus {corpus}")
        result = timed("build + SHACL", lambda: build([corpus]))
        print(f"  {'triples':<34}{result.counts['triples']:8,d}; stages: "
              + ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items()))
    for n in (int(x) for x in args.sizes.split(",") if x.strip()):
        bench_size(n)


if __name__ == "__main__":
    main()
