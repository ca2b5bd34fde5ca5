"""Plain-text tables of lineage analyses (``ccus-kg lineage --stats`` and ``--as-of``)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ccus_kg.query.results import pad, width

__all__ = ["stats_table", "as_of_table"]


def format_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as an aligned text table (display width, so Chinese lines up), columns capped at 60."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [min(60, max([width(c)] + [width(row[i]) for row in cells])) for i, c in enumerate(columns)]
    lines = ["  ".join(pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def _label(g: nx.DiGraph, n: str, width: int = 48) -> str:
    label = str(g.nodes[n].get("label", n)) if n in g else n
    return label if len(label) <= width else label[: width - 1] + "…"


def stats_table(result: dict[str, Any], g: nx.DiGraph) -> str:
    """The :func:`~ccus_kg.lineage.analytics.stats` result as text: a summary line, one row per
    family (id, size, heads, longest chain, depth, edges by kind), then forks, cycles, dangling
    targets and unlinked policies."""
    edges = ", ".join(f"{n} {k}" for k, n in result["edges"].items()) or "none"
    lines = [f"lineage: {result['nodes']} nodes; edges: {edges} ({result['inferred']} inferred); "
             f"{len(result['families'])} families; {result['singletons']} policies in no family"]
    rows = [{"family": f["id"], "size": len(f["members"]), "root": _label(g, f["root"]),
             "heads": ", ".join(f["heads"][:3]) + (" …" if len(f["heads"]) > 3 else ""),
             "chain": max((len(c) for c in f["chains"]), default=1), "depth": f["depth"] if f["depth"] >= 0 else "cycle",
             "edges": ", ".join(f"{n} {k}" for k, n in f["edges"].items()), "inferred": f["inferred"],
             "facilities": _facilities_cell(f)} for f in result["families"]]
    columns = ["family", "size", "root", "heads", "chain", "depth", "edges", "inferred"]
    if any("facilities" in f for f in result["families"]):
        columns.append("facilities")
    if rows:
        lines.append(format_table(rows, columns).rstrip("\n"))
    for title, key in (("forks (replaced by two or more)", "forks"), ("cycles (data errors)", "cycles"),
                       ("dangling targets (no record)", "dangling"), ("unlinked policies (nothing links to them)", "unlinked")):
        value = result[key]
        lines.append(f"{title}: {len(value)}")
        if key == "forks":
            lines += [f"  {old} ← {', '.join(new)}" for old, new in value.items()]
        elif key == "cycles":
            lines += ["  " + " → ".join(c + c[:1]) for c in value]
        elif key == "dangling":
            lines += [f"  {n}  {_label(g, n)}" for n in value]
    return "\n".join(lines) + "\n"


def _facilities_cell(family: dict[str, Any]) -> str:
    """``"12 (3 operational)"``: the facilities a family acts on, and how many of them operate."""
    if "facilities" not in family:
        return ""
    operating = family.get("facilities_by_status", {}).get("operational", 0)
    return f"{len(family['facilities'])} ({operating} operational)"


def as_of_table(rows: list[dict[str, Any]], policy: str, as_of: str) -> str:
    """The :func:`~ccus_kg.lineage.analytics.in_force` rows as text."""
    in_force = [r for r in rows if r["in_force"]]
    head = f"in force on {as_of} in the family of {policy}: {len(in_force)} of {len(rows)}"
    table = format_table([{**r, "in_force": "yes" if r["in_force"] else "no", "label": r["label"][:48]} for r in rows],
                         ["in_force", "id", "date", "label", "why"])
    return head + "\n" + table
