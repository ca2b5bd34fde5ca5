"""The lineage graph: a :class:`networkx.DiGraph` built from SPARQL rows (pure: rows in, graph out).

Rows come from ``queries/lineage-nodes.rq`` and ``queries/lineage-edges.rq``
(:func:`from_graph` runs them).  Node ids are ``dcterms:identifier`` values: record ids for
policies, ``work-…`` for named works, and ``cluster:<name>`` for clusters.

Node attributes (every one a string or a bool, so GraphML and GEXF keep them):
``kind`` (``policy`` / ``work`` / ``cluster``), ``iri``, ``label`` (English title, else Chinese,
else the id), ``label_en``, ``label_zh``, ``in_corpus``, ``published`` (publication date or
year), ``date`` (``published``, else the earliest timeline item about it; ISO 8601 lexical,
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), ``date_source`` (``publication`` / ``timeline`` /
``""``), ``jurisdiction`` (ISO 3166 code, ``EU``, ``INTL``), ``level`` (:func:`level_of`),
``agency`` and ``url``.

Edge attributes: ``kind`` (:data:`EDGE_KINDS`), ``inferred`` (bool), ``rule``, ``confidence``
(``""`` when stated) and ``evidence``.  Edges point from the newer / lower / citing resource to the
older / higher / cited one (``A replaces B``, ``A implements B``, ``A cites B``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

__all__ = ["EDGE_KINDS", "FAMILY_KINDS", "LEVELS", "level_of", "lineage_graph", "from_graph"]

#: Edge kinds, strongest first (when two kinds join one pair, the strongest is kept).
EDGE_KINDS = ("replaces", "consolidates", "implements", "based_on", "cites", "member_of")
#: Edge kinds that make a family (weakly connected components): replacement, consolidation, implementation.
FAMILY_KINDS = frozenset({"replaces", "consolidates", "implements", "based_on"})
#: Jurisdiction levels, broadest first (the lanes of the picture).
LEVELS = ("international", "national", "sub-national", "unknown")


def level_of(code: str) -> str:
    """Level of a jurisdiction code: ``INTL`` and ``EU`` → ``international``; an ISO 3166-1 code
    (``CN``) → ``national``; an ISO 3166-2 code (``CN-JS``) → ``sub-national``; ``""`` → ``unknown``.

    >>> [level_of(c) for c in ("INTL", "CN", "CN-JS", "")]
    ['international', 'national', 'sub-national', 'unknown']
    """
    if not code:
        return "unknown"
    if code in ("INTL", "EU"):
        return "international"
    return "sub-national" if "-" in code else "national"


def _node_attrs(row: Mapping[str, Any]) -> dict[str, Any]:
    node_id = str(row["id"])
    published = str(row.get("published") or row.get("year") or "")
    first_item = str(row.get("first_item") or "")
    code = str(row.get("jurisdiction") or row.get("agency_jurisdiction") or row.get("place_jurisdiction") or "")
    label_en, label_zh = str(row.get("label_en") or ""), str(row.get("label_zh") or "")
    return {
        "kind": str(row.get("kind") or "policy"), "iri": str(row.get("iri") or ""),
        "label": label_en or label_zh or node_id, "label_en": label_en, "label_zh": label_zh,
        "in_corpus": bool(row.get("in_corpus", True)), "published": published,
        "date": published or first_item, "date_source": "publication" if published else ("timeline" if first_item else ""),
        "jurisdiction": code, "level": level_of(code), "agency": str(row.get("agency") or ""), "url": str(row.get("url") or ""),
    }


def _bare(node_id: str, kind: str) -> dict[str, Any]:
    if kind == "cluster":
        return {"kind": "cluster", "label": node_id.removeprefix("cluster:")}
    return _node_attrs({"id": node_id, "in_corpus": False})


def lineage_graph(rows: Iterable[Mapping[str, Any]], nodes: Iterable[Mapping[str, Any]] = ()) -> nx.DiGraph:
    """Build the lineage graph from ``lineage-edges`` rows and ``lineage-nodes`` rows (dicts as
    returned by :func:`ccus_kg.query.library.select`).

    ``nodes`` adds every policy and named work, also those with no link; an edge endpoint with
    no node row is added as a policy not in the input (or a cluster, for ``member_of``).
    Returns a DiGraph whose node and edge order follows the rows (deterministic).
    """
    g = nx.DiGraph()
    for n in nodes:
        g.add_node(str(n["id"]), **_node_attrs(n))
    rank = {k: i for i, k in enumerate(EDGE_KINDS)}
    for row in rows:
        source, target, kind = str(row["source"]), str(row["target"]), str(row["kind"])
        if source not in g:
            g.add_node(source, **_bare(source, "policy"))
        if target not in g:
            g.add_node(target, **_bare(target, "cluster" if kind == "member_of" else "policy"))
        attrs = {"kind": kind, "inferred": bool(row.get("inferred", False)), "rule": str(row.get("rule") or ""),
                 "confidence": "" if row.get("confidence") in (None, "") else str(row["confidence"]),
                 "evidence": str(row.get("evidence") or "")}
        if g.has_edge(source, target):
            old = g.edges[source, target]
            if rank.get(old["kind"], 99) <= rank.get(kind, 99):
                old["also"] = ", ".join(filter(None, (old.get("also", ""), kind)))
                continue
            attrs["also"] = ", ".join(filter(None, (old.get("also", ""), old["kind"])))
        g.add_edge(source, target, **attrs)
    return g


def from_graph(graph, *, stated_only: bool = False) -> nx.DiGraph:
    """Run ``lineage-edges`` and ``lineage-nodes`` on a :class:`~ccus_kg.rdf.graph.KnowledgeGraph`
    and build the lineage graph; ``stated_only`` leaves out the links ccus-kg inferred.

    Raises :class:`ccus_kg.errors.QueryError` when a query cannot run.
    """
    from ccus_kg.query.library import select

    params = {"stated": "true"} if stated_only else {}
    return lineage_graph(select(graph, "lineage-edges", params), select(graph, "lineage-nodes"))
