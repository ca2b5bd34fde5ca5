"""Validate only some focus nodes: the restriction :func:`ccus_kg.validate.validate` applies for ``focus=``.

A SHACL result belongs to one focus node (SHACL §3.6.2, ``sh:focusNode``), and every query the
default engine runs (compiled core constraints, SHACL-SPARQL rules, SHACL 1.0 §5) binds that node to
``?this`` / ``$this`` (one variable, SPARQL 1.1 §4.1.3).  Validating a set of focus nodes is therefore
the same query joined with ``VALUES ?this { … }`` (SPARQL 1.1 §10.2.2), which is what SHACL's
pre-binding of ``$this`` (§5.3.1) gives, one node at a time.  :func:`restrict_query` writes that
``VALUES`` block at the start of the WHERE group of every SELECT (outer query and sub-selects) that
projects ``?this``: Oxigraph evaluates a sub-select on its own before joining it, so a block outside
it restricts nothing.  The results are also filtered by :meth:`Focus.keeps`, so a query the rewriting
cannot speed up still gives exactly the results of the nodes asked for.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

__all__ = ["Focus", "restrict_query", "restricted_graph"]


@dataclass(frozen=True)
class Focus:
    """Which focus nodes to validate.

    ``core``: focus nodes (IRIs) for the core constraints (every shape without ``sh:sparql``), None
    for every focus node; ``rules``: SHACL-SPARQL rule (node shape IRI) → its focus nodes, None for
    every focus node.  A SPARQL rule not in ``rules`` is not run at all.  ``others``: for a rule that
    joins its focus node with other nodes by a key (``join`` in ``ontology/shapes-reach.yaml``), the
    variable of the other node and the nodes sharing a key with one of its focus nodes: its query is
    also restricted to those (the other nodes cannot give a result on these focus nodes).
    """

    core: frozenset[str] | None = None
    rules: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    others: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)

    def nodes(self, shape: str, sparql: bool) -> frozenset[str] | None:
        """The focus nodes of ``shape`` (None: all); an empty set for a SPARQL rule that is not run."""
        if not sparql:
            return self.core
        return self.rules[shape] if shape in self.rules else frozenset()

    def keeps(self, shape: str, focus_node: str, sparql: bool) -> bool:
        """Whether a result of ``shape`` on ``focus_node`` is one of those asked for."""
        nodes = self.nodes(shape, sparql)
        return nodes is None or focus_node in nodes


# string literals (long and short), IRIs and comments: masked before reading the query's structure
_MASK = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                   r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r'|<[^<>"{}|^`\\\s]*>' r"|#[^\n]*")
_SELECT = re.compile(r"\bSELECT\b(?P<projection>.*?)\bWHERE\s*$", re.IGNORECASE | re.DOTALL)
_THIS = "this"
# a group after these is not joined with its parent's solutions (or is not a group: VALUES data)
_NOT_JOINED = re.compile(r"(\b(OPTIONAL|MINUS|EXISTS|SERVICE(\s+SILENT)?\s+\S*|GRAPH\s+\S*)|\bVALUES\s+(\S+|\([^)]*\)))\s*$",
                         re.IGNORECASE)
_OPTIONAL = re.compile(r"\bOPTIONAL\s*$", re.IGNORECASE)


def _masked(query: str) -> str:
    return _MASK.sub(lambda m: " " * len(m.group()), query)


def _var(name: str) -> re.Pattern[str]:
    return re.compile(r"[?$]" + re.escape(name) + r"\b")


def _projects(projection: str, var: str) -> bool:
    """``?var`` is a plain variable of the projection (outside parentheses), or the projection is ``*``."""
    depth, plain = 0, []
    for ch in projection:
        depth += ch == "("
        if depth == 0:
            plain.append(ch)
        depth -= ch == ")"
    text = "".join(plain)
    return bool(_var(var).search(text)) or text.strip().endswith("*")


def _close(masked: str, i: int) -> int:
    depth = 0
    for j in range(i, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[j], 0)
        if depth == 0:
            return j
    raise ValueError("unbalanced braces in a SPARQL query")


def _own(masked: str, open_at: int, close: int) -> str:
    """The text of the group opening at ``open_at`` without the groups nested in it."""
    out, i = [], open_at + 1
    while i < close:
        if masked[i] == "{":
            i = _close(masked, i)
        else:
            out.append(masked[i])
        i += 1
    return "".join(out)


def _cuts(masked: str, open_at: int, joined: bool, var: str, cuts: list[int]) -> None:
    """Where ``VALUES ?var`` goes in the group opening at ``open_at`` and the groups in it.

    ``joined``: the group's solutions are joined (through groups and UNIONs only) with a group
    that holds the block, so restricting it to the same nodes changes nothing but the work
    (a join with the same ``VALUES`` twice is the join once).  Groups after MINUS, (NOT) EXISTS,
    GRAPH or SERVICE are not; a sub-select is when it projects ``?var``.  A group that binds ``?var``
    itself (``BIND(… AS ?var)``) gets no block (SPARQL forbids it).  The group of an OPTIONAL is
    restricted when its parent group holds the block: every solution on its left then binds ``?var``
    to one of the nodes, so an optional solution binding it to another node is never compatible with
    it (SPARQL 1.1 §18.5, LeftJoin), and restricting the right side changes only the work.
    """
    close = _close(masked, open_at)
    body = masked[open_at + 1:close]
    if body.lstrip()[:6].upper() == "SELECT":  # { SELECT … WHERE { … } … }: a sub-select
        where = masked.find("{", open_at + 1)
        m = _SELECT.search(masked, open_at + 1, where)
        if m is not None:
            _cuts(masked, where, joined and _projects(m.group("projection"), var), var, cuts)
            return
    binds = re.compile(r"\bAS\s+[?$]" + re.escape(var) + r"\b", re.IGNORECASE)
    restricted = joined and bool(_var(var).search(body)) and not binds.search(_own(masked, open_at, close))
    if restricted:
        cuts.append(open_at + 1)
    i = open_at + 1
    while i < close:
        if masked[i] == "{":
            optional = restricted and bool(_OPTIONAL.search(masked, open_at + 1, i))
            _cuts(masked, i, optional or (joined and not _NOT_JOINED.search(masked, open_at + 1, i)), var, cuts)
            i = _close(masked, i)
        i += 1


def restrict_query(query: str, nodes: Collection[str], var: str = _THIS) -> str:
    """``query`` with ``VALUES ?this { <n> … }`` first in its WHERE group and in every group joined with it
    (``?var`` instead of ``?this`` when given).

    ``nodes``: IRIs.  The block goes into the outer WHERE group when the query projects ``?this``
    (or ``*``), and into each group in it whose solutions are joined with that group's: nested
    groups, UNION branches, OPTIONAL groups, and sub-selects projecting ``?this`` (so Oxigraph, which evaluates a
    sub-select or a UNION on its own before joining it, works on those nodes only).  The
    solutions are those of ``query`` whose ``?this`` is one of ``nodes`` (for a SELECT where
    ``?this`` is bound in every solution, as SHACL's focus node is).  A query that does not
    project ``?this`` is returned as it is.  Raises ``ValueError`` for a blank node or a string
    that is not an IRI (``VALUES`` cannot hold a blank node), or unbalanced braces.
    """
    values = f" VALUES ?{var} {{ " + " ".join(str(ox.NamedNode(n)) for n in sorted(nodes)) + " } "
    masked = _masked(query)
    where = masked.find("{")
    m = _SELECT.search(masked, 0, where) if where >= 0 else None
    if m is None or not _projects(m.group("projection"), var):
        return query
    cuts: list[int] = []
    _cuts(masked, where, True, var, cuts)
    out, last = [], 0
    for cut in sorted(cuts):
        out += [query[last:cut], values]
        last = cut
    return "".join(out) + query[last:]


class _RestrictedStore:
    """A store whose SELECT queries are restricted to some nodes (:func:`restrict_query`)."""

    def __init__(self, store: ox.Store, nodes: Collection[str], var: str):
        self._store, self._nodes, self._var = store, nodes, var

    def query(self, query: str, **kwargs: Any):
        return self._store.query(restrict_query(query, self._nodes, self._var), **kwargs)


class _RestrictedGraph:
    def __init__(self, graph: Any, nodes: Collection[str], var: str):
        self.store, self.union = _RestrictedStore(graph.store, nodes, var), graph.union

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None):
        """As :meth:`ccus_kg.rdf.graph.KnowledgeGraph.query`, restricted."""
        from ccus_kg.namespaces import PREFIXES

        return self.store.query(sparql, prefixes=dict(PREFIXES if prefixes is None else prefixes),
                                use_default_graph_as_union=self.union)


def restricted_graph(graph: Any, nodes: Collection[str] | None, var: str = _THIS) -> Any:
    """``graph`` (a :class:`~ccus_kg.rdf.graph.KnowledgeGraph`) as the validation runners read it
    (``store.query``, ``union``, ``query``), with every query restricted to ``nodes`` bound to
    ``?var`` (the focus nodes, ``?this``); ``graph`` itself when ``nodes`` is None."""
    if nodes is None:
        return graph
    return _RestrictedGraph(graph, nodes, var)
