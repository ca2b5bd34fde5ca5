"""Validate a graph against the SHACL shapes (``ontology/shapes.ttl``).

Two engines give the same results:

* ``"pyshacl"`` — the reference: pySHACL runs every shape, core and SHACL-SPARQL (SHACL 1.0 §5);
* ``"oxigraph"`` (default) — everything runs as SELECT queries in pyoxigraph over the store:
  the SHACL-SPARQL rules (the same query text joined with the shape's targets,
  :meth:`ccus_kg.shapes.SparqlRule.queries`) and the core constraints, compiled from the shapes
  graph at run time (:func:`ccus_kg.core_shapes.compile_core`).  A shape the compiler does not
  cover still runs in pySHACL (then the graph is copied into rdflib, as for the reference).
  Much faster on big graphs: no copy into rdflib, and pySHACL runs a SPARQL constraint once
  per focus node.

A failure to *run* is an exception; non-conformance is data: :func:`validate` returns a
:class:`ValidationReport` listing each result (W3C SHACL §3.6, validation report) with its rule
(shape IRI and label), severity, focus node, path, value, message, and the source file(s) and
line of the focus node's record, read from the graph (``prov:wasDerivedFrom`` a
``ccus:SourceRecord`` with ``ccus:filePath`` and ``ccus:recordLine``; query
``queries/record-sources.rq``), so a graph file alone gives them too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

from ccus_kg.core_shapes import CoreCheck, CoreProgram, batch, compile_core
from ccus_kg.errors import UsageError
from ccus_kg.focus import Focus, restricted_graph
from ccus_kg.namespaces import DCTERMS, SH
from ccus_kg.query.library import bind_rows, load_query
from ccus_kg.rdf.dataset import DATA_GRAPH
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.shapes import SEVERITIES, load_rules, load_shapes, load_sparql_rules

__all__ = ["Engine", "ENGINES", "SourceLocation", "ValidationResult", "ValidationReport", "validate",
           "load_shapes", "record_sources", "build_date"]

Engine = Literal["oxigraph", "pyshacl"]
ENGINES: tuple[str, ...] = ("oxigraph", "pyshacl")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """Where a record is: ``file`` (path relative to its input folder's parent) and 1-based ``line``."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL validation result (``sh:ValidationResult``).

    ``severity`` is ``"Violation"``, ``"Warning"`` or ``"Info"``; ``focus_node`` the IRI of the
    node that failed; ``path`` the property path (IRI, or None for node-level results);
    ``value`` the offending value as text (or None); ``message`` what was expected;
    ``shape`` the IRI of the rule (source shape) and ``label`` its ``rdfs:label``;
    ``constraint`` the constraint component local name (``MinCountConstraintComponent``);
    ``sources`` the file(s) and line(s) of the focus node's record (empty when unknown).
    """

    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str
    label: str = ""
    sources: tuple[SourceLocation, ...] = ()

    def key(self) -> tuple:
        """Sort key: severity (strongest first), rule, focus node, path, value, message, constraint
        component (one shape can report one value under two components: sh:datatype and sh:minInclusive)."""
        return (_RANK.get(self.severity, 9), self.shape, self.focus_node, self.path or "", self.value or "", self.message,
                self.constraint)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``sources`` as ``[{"file": …, "line": …}]``."""
        d = {k: getattr(self, k) for k in self.__slots__ if k != "sources"}
        d["sources"] = [{"file": s.file, "line": s.line} for s in self.sources]
        return d


@dataclass
class ValidationReport:
    """Outcome of a validation: every result, the engine, and the graph size (triples).

    ``conforms`` is True when no result is a Violation (ccus-kg's default policy;
    :meth:`fails` applies another threshold).  SHACL's own ``sh:conforms`` is
    :attr:`shacl_conforms`: False as soon as any result exists (SHACL §3.6.1).
    ``build_date``: the graph's build date (``<https://w3id.org/ccus-kg/graph/data> dcterms:created``,
    ``YYYY-MM-DD``; several joined by ``", "``), the day ``shapes:FutureDate`` compares dates with
    (its messages do not repeat it); None when the graph has none (then the day of validation).
    """

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    text: str = ""
    triples: int = 0
    engine: str = "oxigraph"
    build_date: str | None = None

    @property
    def shacl_conforms(self) -> bool:
        """``sh:conforms`` of the W3C validation report: no result of any severity."""
        return not self.results

    def count(self, severity: str) -> int:
        """Number of results of ``severity`` (``"Violation"``, ``"Warning"``, ``"Info"``)."""
        return sum(1 for r in self.results if r.severity == severity)

    def fails(self, fail_on: str = "violation") -> bool:
        """True when a result is at or above ``fail_on`` (``violation``, ``warning`` or ``info``).

        Raises :class:`UsageError` for another threshold.
        """
        name = fail_on.capitalize()
        if name not in _RANK:
            raise UsageError(f"--fail-on {fail_on!r}: expected violation, warning or info")
        return any(_RANK.get(r.severity, 9) <= _RANK[name] for r in self.results)

    def summary(self) -> str:
        """One line: ``conforms (0 violations, 2 warnings, 0 info)`` or ``does not conform (…)``."""
        head = "conforms" if self.conforms else "does not conform"
        return f"{head} ({self.count('Violation')} violations, {self.count('Warning')} warnings, {self.count('Info')} info)"

    def by_rule(self) -> list[tuple[str, str, str, list[ValidationResult]]]:
        """Results grouped by rule: ``(rule IRI, label, severity, results)``, strongest severity first."""
        groups: dict[str, list[ValidationResult]] = {}
        for r in self.results:
            groups.setdefault(r.shape, []).append(r)
        rows = [(iri, rs[0].label, rs[0].severity, rs) for iri, rs in groups.items()]
        return sorted(rows, key=lambda row: (_RANK.get(row[2], 9), -len(row[3]), row[0]))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (without pySHACL's text); the same input always gives the same mapping."""
        return {"conforms": self.conforms, "shacl_conforms": self.shacl_conforms, "violations": self.count("Violation"),
                "warnings": self.count("Warning"), "infos": self.count("Info"), "build_date": self.build_date,
                "results": [r.as_dict() for r in self.results]}


def validate(graph: KnowledgeGraph, *, shapes_path: str | Path | None = None, engine: str = "oxigraph",
             focus: Focus | None = None, triples: int | None = None) -> ValidationReport:
    """Validate ``graph`` against the SHACL shapes.

    ``graph``: the data graph; ``shapes_path``: a Turtle shapes file (default the packaged one);
    ``engine``: ``"oxigraph"`` (SPARQL rules in pyoxigraph, core shapes in pySHACL) or
    ``"pyshacl"`` (everything in pySHACL, the reference); ``focus``: validate only these focus
    nodes (:class:`ccus_kg.focus.Focus`; the queries are restricted to them with the oxigraph
    engine, the results filtered with both): the results are exactly those of a whole validation
    on those focus nodes; ``triples``: ``len(graph)`` when the caller knows it (counting a RocksDB
    store's quads reads all of them).  Returns a :class:`ValidationReport`
    whose results are sorted by :meth:`ValidationResult.key`.  Raises :class:`UsageError` for
    an unknown engine, and whatever pySHACL or pyoxigraph raise when the shapes themselves
    are broken (a failure to run).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")
    shapes = load_shapes(shapes_path)
    labels = {r.iri: r.label for r in load_rules(shapes_path)}
    sparql_rules = load_sparql_rules(shapes=shapes)
    if engine == "pyshacl":
        raw = _run_pyshacl(graph, shapes)
    else:
        program = compile_core(shapes)
        if focus is None or focus.core is None or focus.core:
            raw = _run_core(restricted_graph(graph, focus.core if focus else None), program.checks)
        else:
            raw = []
        if program.uncompiled:  # shapes the compiler does not cover: pySHACL runs those alone
            raw += _run_pyshacl(graph, _deactivated(shapes, _covered(shapes, program, sparql_rules)))
        if focus is None:
            raw += _run_sparql_rules(graph, sparql_rules)
        else:
            for rule in sparql_rules:
                if (nodes := focus.nodes(rule.iri, sparql=True)) is None or nodes:
                    restricted = restricted_graph(graph, nodes)
                    if rule.iri in focus.others:  # the other side of a join by key: the nodes sharing one
                        var, others = focus.others[rule.iri]
                        restricted = restricted_graph(restricted, others, var)
                    raw += _run_sparql_rules(restricted, [rule])
    if focus is not None:
        rule_iris = {r.iri for r in sparql_rules}
        raw = [r for r in raw if focus.keeps(r.shape, r.focus_node, sparql=r.shape in rule_iris)]
    located = {r.focus_node for r in raw}
    sources = record_sources(graph if focus is None else restricted_graph(graph, located, var="node"), located)
    results = sorted({
        ValidationResult(r.severity, r.focus_node, r.path, r.value, r.message, r.shape, r.constraint,
                         labels.get(r.shape, ""), tuple(sources.get(r.focus_node, ())))
        for r in raw
    }, key=ValidationResult.key)
    conforms = not any(x.severity == "Violation" for x in results)
    return ValidationReport(conforms=conforms, results=results, triples=len(graph) if triples is None else triples,
                            engine=engine, build_date=build_date(graph))


def build_date(graph: KnowledgeGraph) -> str | None:
    """The build date ``shapes:FutureDate`` compares dates with: the lexical form of ``<DATA_GRAPH>
    dcterms:created`` (:func:`ccus_kg.rdf.dataset.build_date_quads`, ``YYYY-MM-DD``) in the graph the
    rules query (the default graph, or the union of the named graphs of a store), several joined by
    ``", "`` in order; None when there is none."""
    where = None if graph.union else ox.DefaultGraph()
    quads = graph.store.quads_for_pattern(ox.NamedNode(DATA_GRAPH), DCTERMS.created, None, where)
    found = sorted({q.object.value for q in quads if isinstance(q.object, ox.Literal)})
    return ", ".join(found) or None


# -- pySHACL --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=512)
def _prepared(text: str):
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def _cached_graph_class():
    import rdflib

    class CachedQueryGraph(rdflib.Graph):
        """An rdflib Graph that parses each SPARQL text once: pySHACL runs a SHACL-SPARQL
        constraint once per focus node with the same text, and rdflib's parser is slow."""

        def query(self, query_object, *args, **kwargs):
            if isinstance(query_object, str):
                query_object = _prepared(query_object)
            return super().query(query_object, *args, **kwargs)

    return CachedQueryGraph


def _deactivated(shapes, iris: Iterable[str]):
    """A copy of the shapes graph with the shapes ``iris`` marked ``sh:deactivated true`` (SHACL §2.1.6)."""
    import rdflib

    g = rdflib.Graph()
    for t in shapes:
        g.add(t)
    for iri in iris:
        g.add((rdflib.URIRef(iri), rdflib.URIRef(SH.deactivated.value), rdflib.Literal(True)))
    return g


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _run_pyshacl(graph: KnowledgeGraph, shapes) -> list[ValidationResult]:
    import rdflib
    from pyshacl import validate as shacl_validate

    data = _cached_graph_class()()
    if graph.union:  # a persistent store: the union of its named graphs
        data.parse(data=graph.sorted_ntriples(), format="nt")
    else:
        data.parse(data=ox.serialize(graph.store, format=ox.RdfFormat.N_TRIPLES), format="nt")
    _conforms, results_graph, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, inplace=True,
        allow_warnings=True, allow_infos=True, abort_on_first=False,
    )
    sh = rdflib.Namespace(SH.base)
    out: list[ValidationResult] = []
    for r in results_graph.subjects(rdflib.RDF.type, sh.ValidationResult):
        def one(p, r=r):
            return results_graph.value(r, p)

        value, path = one(sh.value), one(sh.resultPath)
        messages = sorted(str(m) for m in results_graph.objects(r, sh.resultMessage))
        out.append(ValidationResult(
            severity=_local(one(sh.resultSeverity)),
            focus_node=str(one(sh.focusNode)),
            path=str(path) if isinstance(path, rdflib.URIRef) else (None if path is None else "(complex path)"),
            value=None if value is None else str(value),
            message=" ".join(messages),
            shape=str(one(sh.sourceShape)),
            constraint=_local(one(sh.sourceConstraintComponent)),
        ))
    return out


# -- core constraints in pyoxigraph --------------------------------------------------------------

def _covered(shapes, program: CoreProgram, sparql_rules) -> list[str]:
    """Shapes pySHACL need not run: compiled property shapes, and node shapes (compiled or SPARQL
    rules) all of whose property shapes are compiled (deactivating a node shape skips those too)."""
    import rdflib

    done = set(program.compiled) | {r.iri for r in sparql_rules}
    out = []
    for iri in sorted(done):
        children = {str(c) for c in shapes.objects(rdflib.URIRef(iri), rdflib.URIRef(SH.property.value))}
        if children <= program.compiled:
            out.append(iri)
    return out


def _run_core(graph: KnowledgeGraph, checks: list[CoreCheck]) -> list[ValidationResult]:
    """Run the compiled core checks: batched per focus-node set (:func:`ccus_kg.core_shapes.batch`,
    one pass over the focus nodes for all the checks on them), the others one SELECT each; one
    result per solution (SHACL §3.6)."""
    batches, alone = batch(checks)
    out: list[ValidationResult] = []
    found: dict[tuple[str, str], bool] = {}

    def has_focus(check: CoreCheck) -> bool:
        """Whether the focus-node set of ``check`` is not empty: every query of a check joins its solutions
        with that set, so an empty one gives no result, but its branches would still read every triple of
        their properties (country-profile shapes on a policy graph: 1.5 s CPU at 20,000 policies)."""
        key = (check.prefixes, check.focus)
        if not check.focus:
            return True
        if key not in found:
            solutions = graph.store.query(f"{check.prefixes}SELECT ?this WHERE {{ {check.focus} }} LIMIT 1",
                                          use_default_graph_as_union=graph.union)
            assert isinstance(solutions, ox.QuerySolutions)
            found[key] = any(True for _ in solutions)
        return found[key]

    def result(check: CoreCheck, this, value) -> ValidationResult:
        return ValidationResult(severity=check.severity, focus_node=_text(this), path=check.path,
                                value=None if value is None else _text(value), message=check.message, shape=check.shape,
                                constraint=check.component)

    for b in batches:
        if not has_focus(b.checks[0]):
            continue
        solutions = graph.store.query(b.query, use_default_graph_as_union=graph.union)
        assert isinstance(solutions, ox.QuerySolutions)
        if b.kind == "values":
            for solution in solutions:
                out.append(result(b.checks[int(solution["k"].value)], solution["this"], solution["value"]))
            continue
        for solution in solutions:
            for i, judged in enumerate(b.tallies):
                n = int(solution[f"n{i}"].value)
                out.extend(result(c, solution["this"], None) for c in judged
                           if c.bound and (n < c.bound[1] if c.bound[0] == "<" else n > c.bound[1]))
    for check in alone:
        if not has_focus(check):
            continue
        solutions = graph.store.query(check.query, use_default_graph_as_union=graph.union)
        assert isinstance(solutions, ox.QuerySolutions)
        has_value = any(v.value == "value" for v in solutions.variables)
        for solution in solutions:
            out.append(result(check, solution["this"], solution["value"] if has_value else None))
    return out


# -- SHACL-SPARQL in pyoxigraph ------------------------------------------------------------------

def _text(term) -> str:
    """A term as pySHACL writes it into messages and results (``str()`` of the rdflib term)."""
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def _run_sparql_rules(graph: KnowledgeGraph, rules) -> list[ValidationResult]:
    """Run each rule's constraints as one SELECT over the store (SHACL §5.3: one result per solution)."""
    out: list[ValidationResult] = []
    for rule in rules:
        for _constraint, query, messages in rule.queries():
            solutions = graph.store.query(query, use_default_graph_as_union=graph.union)
            if not isinstance(solutions, ox.QuerySolutions):  # pragma: no cover - shapes.ttl holds SELECTs
                raise UsageError(f"{rule.iri}: sh:select must be a SELECT query")
            names = [v.value for v in solutions.variables]
            seen = set()
            for solution in solutions:
                bound = {n: solution[n] for n in names if solution[n] is not None}
                this = bound.get("this")
                if this is None:
                    continue
                path = bound.get("path")
                value = bound.get("value", this)  # a node shape's value defaults to the focus node
                key = tuple(sorted((n, str(t)) for n, t in bound.items()))
                if key in seen:
                    continue
                seen.add(key)
                texts = [_fill(m, bound) for m in messages]
                out.append(ValidationResult(
                    severity=rule.severity, focus_node=_text(this),
                    path=_text(path) if isinstance(path, ox.NamedNode) else None,
                    value=_text(value), message=" ".join(sorted(texts)), shape=rule.iri,
                    constraint="SPARQLConstraintComponent",
                ))
    return out


def _fill(message: str, bound: dict[str, Any]) -> str:
    """Substitute ``{?var}`` / ``{$var}`` with the solution's values (SHACL §5.3.2)."""
    for name, term in bound.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", _text(term).replace("\\", "\\\\"), message)
    return message


# -- where each focus node's record is ----------------------------------------------------------

def record_sources(graph: KnowledgeGraph, nodes: Iterable[str], chunk: int = 100_000) -> dict[str, list[SourceLocation]]:
    """File and line of the record of each node in ``nodes`` (IRIs), from the graph.

    Runs the library query ``queries/record-sources.rq`` with its ``node`` parameter bound to
    ``chunk`` IRIs a query (one ``VALUES`` row each; Oxigraph reads the graph's owner links once per
    query, so few large chunks: 500 a query made it quadratic).  Returns IRI → sorted locations; nodes with
    no source record are absent.
    """
    iris = sorted(n for n in set(nodes) if n.startswith(("http://", "https://", "urn:")))
    found: dict[str, set[SourceLocation]] = {}
    sources_query = load_query("record-sources")
    for start in range(0, len(iris), chunk):
        query = bind_rows(sources_query, [{"node": i} for i in iris[start:start + chunk]])
        for row in graph.query(query):
            line = row["line"]
            found.setdefault(row["node"].value, set()).add(
                SourceLocation(row["file"].value, int(line.value) if line is not None else None))
    return {k: sorted(v) for k, v in found.items()}
