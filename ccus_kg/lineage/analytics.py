"""Analyses of the lineage graph (NetworkX; pure functions of a :mod:`ccus_kg.lineage.model` graph).

Vocabulary: an edge ``A → B`` of kind ``replaces`` / ``consolidates`` means A is the newer
policy that supersedes (or merges) B; ``implements`` / ``based_on`` means A (lower or later)
follows B.  A *family* is a weakly connected component over :data:`FAMILY_KINDS` edges (citations
and cluster membership do not join families).  The *heads* of a family are its members that no
member replaces or consolidates: what is current.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from ccus_kg.lineage.model import FAMILY_KINDS

__all__ = ["REPLACING_KINDS", "Family", "replacement_graph", "family_graph", "chains", "families", "forks", "cycles",
           "dangling", "unlinked", "stats", "in_force", "neighbourhood"]

#: Kinds by which a newer policy takes an older one's place.
REPLACING_KINDS = frozenset({"replaces", "consolidates"})


def _sub(g: nx.DiGraph, kinds: frozenset[str], include_inferred: bool = True) -> nx.DiGraph:
    """The sub-graph of edges of ``kinds``, in ``g``'s order (not a set's hash order)."""
    edges = [(u, v, d) for u, v, d in g.edges(data=True)
             if d.get("kind") in kinds and (include_inferred or not d.get("inferred"))]
    sub = nx.DiGraph()
    keep = {u for u, _v, _d in edges} | {v for _u, v, _d in edges}
    sub.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n in keep)
    sub.add_edges_from((u, v, dict(d)) for u, v, d in edges)
    return sub


def replacement_graph(g: nx.DiGraph) -> nx.DiGraph:
    """The sub-graph of ``replaces`` edges only (policies that replace or are replaced)."""
    return _sub(g, frozenset({"replaces"}))


def family_graph(g: nx.DiGraph, include_inferred: bool = True) -> nx.DiGraph:
    """The sub-graph of family edges (replacement, consolidation, implementation)."""
    return _sub(g, FAMILY_KINDS, include_inferred)


def chains(g: nx.DiGraph, kinds: frozenset[str] = frozenset({"replaces"})) -> list[list[str]]:
    """Every maximal replacement chain, newest first: ``[newest, …, oldest]``.

    A chain starts at a node nothing replaces and follows edges of ``kinds`` to a node that
    replaces nothing.  Cycles (bad data) are broken by skipping nodes already on the path.
    Sorted by length (longest first), then by ids.
    """
    r = _sub(g, kinds)
    found: list[list[str]] = []
    heads = sorted(n for n in r if r.in_degree(n) == 0)
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
    for n in sorted(r):  # a cycle with no head (A replaces B replaces A)
        if n not in seen:
            walk([n])
    return sorted(found, key=lambda c: (-len(c), c))


@dataclass
class Family:
    """One family: ``members`` (sorted ids), ``heads`` (current: nothing in the family replaces
    them; newest first), ``root`` (the member with the most family links, the oldest on a tie; ``label`` is
    its label), ``chains`` (replacement chains, newest first), ``depth`` (edges on the
    longest path; -1 when the family has a cycle), ``edges`` (count by kind), ``inferred``
    (edges inferred by ccus-kg)."""

    id: str
    label: str
    root: str
    members: list[str]
    heads: list[str]
    chains: list[list[str]]
    depth: int
    edges: dict[str, int] = field(default_factory=dict)
    inferred: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _date(g: nx.DiGraph, n: str) -> str:
    return str(g.nodes[n].get("date") or "")


def families(g: nx.DiGraph, include_inferred: bool = True) -> list[Family]:
    """Families of two members or more, largest first (then by first member id).

    ``id`` is ``F1``, ``F2`` … in that order; ``label`` is the label of the newest head.
    """
    f = family_graph(g, include_inferred)
    out: list[Family] = []
    comps = sorted((sorted(c) for c in nx.weakly_connected_components(f)), key=lambda c: (-len(c), c))
    for i, members in enumerate(comps, 1):
        sub = f.subgraph(members)
        replaced = {v for u, v, d in sub.edges(data=True) if d["kind"] in REPLACING_KINDS}
        heads = sorted((m for m in members if m not in replaced), key=lambda n: (_date(g, n), n), reverse=True)
        depth = nx.dag_longest_path_length(sub) if nx.is_directed_acyclic_graph(sub) else -1
        kinds: dict[str, int] = {}
        for _u, _v, d in sub.edges(data=True):
            kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
        fam_chains = [c for c in chains(sub, REPLACING_KINDS) if len(c) > 1]
        root = max(members, key=lambda n: (sub.degree(n), -int(_date(g, n)[:4] or 9999), n))  # the most linked, oldest
        label = str(g.nodes[root].get("label", root))
        out.append(Family(f"F{i}", label, root, members, heads, fam_chains, depth, dict(sorted(kinds.items())),
                          sum(1 for *_e, d in sub.edges(data=True) if d.get("inferred"))))
    return out


def forks(g: nx.DiGraph) -> dict[str, list[str]]:
    """Nodes replaced (or consolidated) by two different policies or more: ``{older: [newer, …]}``."""
    r = _sub(g, REPLACING_KINDS)
    return {n: sorted(r.predecessors(n)) for n in sorted(r) if r.in_degree(n) > 1}


def cycles(g: nx.DiGraph) -> list[list[str]]:
    """Replacement cycles (a data error: A replaces B replaces A), each as its path, smallest id first."""
    r = _sub(g, REPLACING_KINDS)
    found = []
    for c in nx.simple_cycles(r):
        i = c.index(min(c))
        found.append(c[i:] + c[:i])
    return sorted(found)


def dangling(g: nx.DiGraph) -> list[str]:
    """Targets of replacement, consolidation or implementation links that have no record in the
    input (policies with ``in_corpus`` false, named works)."""
    f = family_graph(g)
    return sorted(n for n in f if f.in_degree(n) and not g.nodes[n].get("in_corpus", True))


def unlinked(g: nx.DiGraph) -> list[str]:
    """Policies of the input that no lineage link (any kind but cluster membership) points to."""
    return sorted(n for n, d in g.nodes(data=True) if d.get("kind") == "policy" and d.get("in_corpus", True)
                  and not any(g.edges[p, n]["kind"] != "member_of" for p in g.predecessors(n)))


def family_facilities(members: Iterable[str], facility_links: Iterable[tuple[str, str, str | None]]) -> dict[str, Any]:
    """The CCUS facilities the policies ``members`` (ids) act on.

    ``facility_links``: ``(policy id, facility id, status notation or None)`` triples, as the
    library query ``queries/policy-facilities.rq`` gives them.  Returns ``facilities`` (sorted
    distinct facility ids) and ``by_status`` (facility count per status notation, ``"unknown"``
    for a facility without one).
    """
    wanted = set(members)
    status_of: dict[str, str] = {}
    for policy, facility, status in facility_links:
        if policy in wanted:
            status_of.setdefault(facility, status or "unknown")
    by_status: dict[str, int] = {}
    for status in status_of.values():
        by_status[status] = by_status.get(status, 0) + 1
    return {"facilities": sorted(status_of), "by_status": dict(sorted(by_status.items()))}


def stats(g: nx.DiGraph, include_inferred: bool = True,
          facility_links: Iterable[tuple[str, str, str | None]] | None = None) -> dict[str, Any]:
    """Every analysis at once, JSON-ready: ``nodes``, ``edges`` (by kind), ``inferred``,
    ``families`` (:class:`Family` dicts), ``forks``, ``cycles``, ``dangling``, ``unlinked``,
    ``singletons`` (policies in no family).

    With ``facility_links`` (see :func:`family_facilities`), each family also gets
    ``facilities`` and ``facilities_by_status``: the facilities its members act on.
    """
    kinds: dict[str, int] = {}
    for *_e, d in g.edges(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    fams = families(g, include_inferred)
    in_family = {m for f in fams for m in f.members}
    family_dicts = [f.as_dict() for f in fams]
    if facility_links is not None:
        links = list(facility_links)
        for fam in family_dicts:
            found = family_facilities(fam["members"], links)
            fam["facilities"] = found["facilities"]
            fam["facilities_by_status"] = found["by_status"]
    return {
        "nodes": g.number_of_nodes(),
        "edges": dict(sorted(kinds.items())),
        "inferred": sum(1 for *_e, d in g.edges(data=True) if d.get("inferred")),
        "families": family_dicts,
        "forks": forks(g),
        "cycles": cycles(g),
        "dangling": dangling(g),
        "unlinked": unlinked(g),
        "singletons": sum(1 for n, d in g.nodes(data=True) if d.get("kind") == "policy" and n not in in_family),
    }


def in_force(g: nx.DiGraph, policy_id: str, as_of: str, include_inferred: bool = True) -> list[dict[str, Any]]:
    """What was in force in ``policy_id``'s family on ``as_of`` (ISO date, ``YYYY[-MM[-DD]]``).

    A member is in force when it was published on or before ``as_of`` (a date of lower precision
    counts from its first day) and no member that replaces or consolidates it was published on or
    before ``as_of``.  Returns one dict per member (``id``, ``label``, ``date``, ``in_force``,
    ``why``), in force first, then by date.  Raises :class:`networkx.NodeNotFound` for an unknown id.
    """
    if policy_id not in g:
        raise nx.NodeNotFound(f"policy {policy_id!r} is not in the lineage graph")
    f = family_graph(g, include_inferred)
    members = sorted(nx.node_connected_component(f.to_undirected(), policy_id)) if policy_id in f else [policy_id]
    rows = []
    for m in members:
        date = _date(g, m)
        replacers = sorted(u for u in (f.predecessors(m) if m in f else ())
                           if f.edges[u, m]["kind"] in REPLACING_KINDS and _date(g, u) and _date(g, u) <= as_of)
        if not date:
            state, why = False, "no date"
        elif date > as_of:
            state, why = False, f"not yet published ({date})"
        elif replacers:
            state, why = False, f"replaced by {', '.join(replacers)} ({', '.join(_date(g, r) for r in replacers)})"
        else:
            state, why = True, f"published {date}, not replaced by {as_of}"
        rows.append({"id": m, "label": g.nodes[m].get("label", m), "date": date, "in_force": state, "why": why})
    return sorted(rows, key=lambda r: (not r["in_force"], r["date"], r["id"]))


def neighbourhood(g: nx.DiGraph, policy_id: str) -> nx.DiGraph:
    """The lineage of one policy: its family (replacement, consolidation, implementation, both
    directions, transitively), the works its members cite or are cited by, and their clusters.

    Raises :class:`networkx.NodeNotFound` when ``policy_id`` is not a node of ``g``.
    """
    if policy_id not in g:
        raise nx.NodeNotFound(f"policy {policy_id!r} has no lineage or cluster links in the graph")
    f = family_graph(g)
    keep = set(nx.node_connected_component(f.to_undirected(), policy_id)) if policy_id in f else {policy_id}
    cites = [(u, v) for u, v, d in g.edges(data=True) if d.get("kind") == "cites" and (u in keep or v in keep)]
    keep |= {n for e in cites for n in e}
    keep |= {v for u in list(keep) for v in g.successors(u) if g.nodes[v].get("kind") == "cluster"}
    # built in g's node and edge order: g.subgraph(keep) would follow the set's (hash-seeded) order
    sub = nx.DiGraph(**g.graph)
    sub.add_nodes_from((n, dict(d)) for n, d in g.nodes(data=True) if n in keep)
    sub.add_edges_from((u, v, dict(d)) for u, v, d in g.edges(data=True) if u in keep and v in keep
                       and (d.get("kind") != "cites" or (u, v) in cites))
    return sub
