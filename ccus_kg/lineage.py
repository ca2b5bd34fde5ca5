"""Policy lineage as a NetworkX graph: which policy replaced which, and what belongs together.

The graph is built from the rows of the SPARQL query ``queries/lineage-edges.rq`` (pure:
rows in, :class:`networkx.DiGraph` out); writing files is at the edge (:func:`write`).

Nodes: policies by record id (attributes ``kind="policy"``, ``label``, ``in_corpus``,
``published``) and clusters as ``"cluster:<name>"`` (``kind="cluster"``, ``label``).
Edges: ``kind="replaces"`` from the newer to the older policy (``dcterms:replaces``), and
``kind="member_of"`` from a policy to its cluster (``dcterms:isPartOf``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from ccus_kg.errors import UsageError
from ccus_kg.files import atomic_writer

__all__ = ["lineage_graph", "from_graph", "replacement_graph", "chains", "neighbourhood", "write", "OUTPUT_SUFFIXES"]

OUTPUT_SUFFIXES = (".svg", ".png", ".graphml", ".json")


def lineage_graph(rows: Iterable[Mapping[str, Any]], nodes: Iterable[Mapping[str, Any]] = ()) -> nx.DiGraph:
    """Build the lineage graph from ``lineage-edges`` rows and ``lineage-nodes`` rows (dicts as
    returned by :func:`ccus_kg.query.library.select`).

    ``nodes`` (``id``, ``label``, ``in_corpus``, ``published``, ``jurisdiction``) adds every
    policy, also those with no link; ``rows`` (``kind``, ``source``, ``target``, labels,
    ``*_in_corpus``) adds the edges.
    """
    g = nx.DiGraph()
    for n in nodes:
        g.add_node(n["id"], kind="policy", label=n.get("label", n["id"]), in_corpus=bool(n.get("in_corpus", True)),
                   published=n.get("published", ""), jurisdiction=n.get("jurisdiction", ""))
    for row in rows:
        source, target, kind = row["source"], row["target"], row["kind"]
        if source not in g:
            g.add_node(source, kind="policy", label=row.get("source_label", source),
                       in_corpus=bool(row.get("source_in_corpus", True)), published=row.get("source_published", ""))
        if kind == "replaces":
            if target not in g:
                g.add_node(target, kind="policy", label=row.get("target_label", target),
                           in_corpus=bool(row.get("target_in_corpus", True)), published="")
        else:
            g.add_node(target, kind="cluster", label=row.get("target_label", target))
        g.add_edge(source, target, kind=kind)
    return g


def from_graph(graph) -> nx.DiGraph:
    """Run ``lineage-edges`` and ``lineage-nodes`` on a :class:`~ccus_kg.rdf.graph.KnowledgeGraph` and build the lineage graph."""
    from ccus_kg.query.library import select

    return lineage_graph(select(graph, "lineage-edges"), select(graph, "lineage-nodes"))


def replacement_graph(g: nx.DiGraph) -> nx.DiGraph:
    """The sub-graph of ``replaces`` edges only (policies that replace or are replaced)."""
    edges = [(u, v) for u, v, d in g.edges(data=True) if d.get("kind") == "replaces"]
    return g.edge_subgraph(edges).copy()


def chains(g: nx.DiGraph) -> list[list[str]]:
    """Every maximal replacement chain, newest first: ``[newest, …, oldest]``.

    A chain starts at a policy nobody replaces and follows ``replaces`` edges to a policy that
    replaces nothing.  Cycles (bad data: A replaces B replaces A) are broken by skipping
    already-visited nodes.  Sorted by length (longest first), then by ids.
    """
    r = replacement_graph(g)
    found: list[list[str]] = []
    heads = sorted(n for n in r if r.in_degree(n) == 0) or sorted(r)[:1]

    seen: set[str] = set()

    def walk(path: list[str]) -> None:
        seen.add(path[-1])
        successors = sorted(s for s in r.successors(path[-1]) if s not in path)
        if not successors:
            found.append(path)
        for s in successors:
            walk(path + [s])

    for head in heads:
        walk([head])
    for n in sorted(r):  # a cycle with no head (A replaces B replaces A) next to other chains
        if n not in seen:
            walk([n])
    return sorted(found, key=lambda c: (-len(c), c))


def neighbourhood(g: nx.DiGraph, policy_id: str) -> nx.DiGraph:
    """The lineage of one policy: every policy linked to it by ``replaces`` edges in either
    direction (transitively), plus the clusters of those policies.

    Raises :class:`networkx.NodeNotFound` when ``policy_id`` is not a node of ``g``.
    """
    if policy_id not in g:
        raise nx.NodeNotFound(f"policy {policy_id!r} has no lineage or cluster links in the graph")
    r = replacement_graph(g)
    keep = set(nx.node_connected_component(r.to_undirected(), policy_id)) if policy_id in r else {policy_id}
    keep |= {v for u in list(keep) for v in g.successors(u) if g.nodes[v].get("kind") == "cluster"}
    # built in g's node and edge order: g.subgraph(keep) would follow the set's (hash-seeded) order,
    # and the files written (JSON, GraphML, the layout of the picture) would change from run to run
    sub = nx.DiGraph(**g.graph)
    sub.add_nodes_from((n, dict(d)) for n, d in g.nodes(data=True) if n in keep)
    sub.add_edges_from((u, v, dict(d)) for u, v, d in g.edges(data=True) if u in keep and v in keep)
    return sub


def _draw(g: nx.DiGraph, path: Path, fmt: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(1, g.number_of_nodes())
    size = min(40, 6 + n ** 0.5 * 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.75))
    if g.number_of_nodes():
        # spring layout (seeded: the same graph gives the same picture); it needs SciPy from 500 nodes on
        pos = nx.spring_layout(g, seed=1, k=1.5 / n ** 0.5) if n < 500 else nx.circular_layout(g)
        policies = [v for v, d in g.nodes(data=True) if d.get("kind") == "policy" and d.get("in_corpus", True)]
        missing = [v for v, d in g.nodes(data=True) if d.get("kind") == "policy" and not d.get("in_corpus", True)]
        clusters = [v for v, d in g.nodes(data=True) if d.get("kind") == "cluster"]
        nx.draw_networkx_nodes(g, pos, nodelist=policies, node_color="#2b8cbe", node_size=260, ax=ax, label="policy")
        nx.draw_networkx_nodes(g, pos, nodelist=missing, node_color="#ffffff", edgecolors="#d7301f", node_size=260, ax=ax,
                               label="policy not in the input")
        nx.draw_networkx_nodes(g, pos, nodelist=clusters, node_color="#fdae6b", node_shape="s", node_size=200, ax=ax, label="cluster")
        replaces = [(u, v) for u, v, d in g.edges(data=True) if d.get("kind") == "replaces"]
        members = [(u, v) for u, v, d in g.edges(data=True) if d.get("kind") != "replaces"]
        nx.draw_networkx_edges(g, pos, edgelist=replaces, edge_color="#d7301f", width=2, arrows=True, arrowsize=14, ax=ax)
        nx.draw_networkx_edges(g, pos, edgelist=members, edge_color="#bbbbbb", style="dashed", arrows=False, ax=ax)
        labels = {v: (v if d.get("kind") == "policy" else str(d.get("label", v)))[:40] for v, d in g.nodes(data=True)}
        nx.draw_networkx_labels(g, pos, labels=labels, font_size=7, ax=ax)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "no lineage links in this graph", ha="center", va="center")
    ax.set_title("CCUS policy lineage: red arrows = supersedes (newer → older), dashed = cluster membership", fontsize=9)
    ax.set_axis_off()
    with atomic_writer(path, "wb") as handle:
        fig.savefig(handle, format=fmt, bbox_inches="tight")
    plt.close(fig)


def write(g: nx.DiGraph, path: str | Path) -> Path:
    """Write ``g`` to ``path`` by suffix: ``.svg``/``.png`` (a picture, matplotlib),
    ``.graphml`` (GraphML) or ``.json`` (NetworkX node-link JSON).  Atomic.

    Raises :class:`UsageError` for another suffix.
    """
    import json

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".svg", ".png"):
        _draw(g, path, suffix[1:])
    elif suffix == ".graphml":
        clean = g.copy()
        for _, data in clean.nodes(data=True):
            for k, v in list(data.items()):
                data[k] = "" if v is None else v
        with atomic_writer(path, "wb") as handle:
            nx.write_graphml(clean, handle)
    elif suffix == ".json":
        data = nx.node_link_data(g, edges="edges")
        with atomic_writer(path, "w") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
    else:
        raise UsageError(f"cannot write lineage to {path.name!r}: expected a suffix among {', '.join(OUTPUT_SUFFIXES)}")
    return path
