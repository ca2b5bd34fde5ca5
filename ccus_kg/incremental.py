"""Incremental SHACL validation of the persistent store (``ccus-kg build --store DIR``).

A rebuild changes a few named graphs; validating the whole store again costs as much as the first
time.  Instead, :func:`validate_store` validates again only the focus nodes whose results can have
changed, and keeps the results of the others from the last build (``DIR/validation.json``).  The
report is the same as a whole validation of the store (``tests/test_incremental.py`` compares them
after edits, deletions, renames and edits that make or remove faults across records).

Which focus nodes: the store build records every triple it adds to or removes from a named graph
(:class:`ChangeSet`); a triple whose union membership changed has a subject and an object, the
*changed nodes*.  Then (SHACL §3.6: a result has one focus node):

* core constraints (shapes without ``sh:sparql``, as :func:`ccus_kg.core_shapes.compile_core` compiles
  them: IRI paths, value constraints on the value nodes themselves) read the focus node's own
  triples (and those pointing to it, for ``sh:targetObjectsOf``) and the ``rdf:type`` of the nodes
  it points to (``sh:class``): the changed nodes, and the nodes with a triple pointing to a subject
  of a changed triple.  A shape the compiler leaves to pySHACL makes the whole validation full;
* each SHACL-SPARQL rule (SHACL 1.0 §5) reads the triples of the nodes its query reaches from the
  focus node, listed as property paths in ``ontology/shapes-reach.yaml``: the changed nodes and the
  nodes from which one of those paths leads to a changed node.  A rule with no entry, an entry
  marked ``full``, a query naming an IRI its entry does not list (the query was changed), or a
  change to one of its ``global`` nodes (the build date, for future dates) is run in full;
* the file and line of a kept result (``queries/record-sources.rq``) are read again when its focus
  node is in reach of a changed node the same way (``sources`` in the YAML file).

A build without validation writes the kept results back with the nodes it changed (``pending``), so
the next build that validates covers them too.  Everything is validated in full when there are no
kept results (first build, ``--rebuild``, the ``pyshacl`` engine, or a build that stopped in
between: the file is removed when a build starts and written when it ends), when the kept results
are of another ccus-kg version, shapes, reach file or record-sources query, when more than
:data:`CHANGE_LIMIT` triples changed, when an ``rdfs:subClassOf`` triple changed (SHACL class
targets and ``sh:class`` follow it), or when a changed node is a blank node (``VALUES`` cannot name one).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.errors import ResourceNotFound
from ccus_kg.files import atomic_writer
from ccus_kg.focus import Focus, restricted_graph
from ccus_kg.namespaces import PREFIXES, RDFS, SH
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import ontology_path, queries_dir
from ccus_kg.validate import SourceLocation, ValidationReport, ValidationResult, record_sources, validate

__all__ = ["ChangeSet", "Reach", "load_reach", "affected", "validate_store", "RESULTS_FILE", "CHANGE_LIMIT"]

#: The kept results, in the store's directory.
RESULTS_FILE = "validation.json"
RESULTS_FORMAT = 1
#: Above this many changed triples a rebuild is validated in full (recording them costs memory).
CHANGE_LIMIT = 300_000


# -- what changed -----------------------------------------------------------------------------------

class ChangeSet:
    """The triples a store build added to or removed from its named graphs, and the results kept from
    the last validation of the store (``previous``; None when there are none to build on, and then
    nothing is recorded).

    The store build calls :meth:`removed` with a named graph's quads before it replaces them and
    :meth:`added` with what it wrote (whole graphs or differences).  :meth:`triples` gives the triples
    whose membership of the union of the named graphs may have changed: removed and not added again,
    or added and not removed (a superset: a triple removed from one graph may remain in another).
    """

    def __init__(self, previous: list[ValidationResult] | None = None, limit: int = CHANGE_LIMIT,
                 pending: tuple[set[str], set[str]] | None = None):
        self.previous = previous
        #: changed nodes and subjects of the builds since ``previous`` that did not validate
        self.pending = pending or (set(), set())
        self.limit = limit
        self.overflow = False
        #: what :func:`validate_store` validated again: ``"full"`` or ``"incremental: …"`` ("" before)
        self.scope = ""
        self._removed: set[ox.Triple] = set()
        self._added: set[ox.Triple] = set()

    @classmethod
    def start(cls, directory: str | Path, *, engine: str, store_was_kept: bool) -> ChangeSet:
        """Take the results kept in ``directory`` (read and remove :data:`RESULTS_FILE`, so that a build
        that stops before it ends leaves none) and start recording when they can be built on:
        ``engine`` ``"oxigraph"``, ``store_was_kept`` (the store was not cleared), and results of this
        version, engine and shapes.  A build that does not validate gives them back with what it
        changed (:meth:`keep`)."""
        path = Path(directory) / RESULTS_FILE
        kept: tuple[list[ValidationResult], tuple[set[str], set[str]]] | None = None
        if path.exists():
            if engine == "oxigraph" and store_was_kept:
                kept = _read_results(path, engine)
            path.unlink()
        return cls(kept[0], pending=kept[1]) if kept else cls()

    def touched(self) -> tuple[set[str], set[str]] | None:
        """The changed nodes (IRIs of subjects and objects of changed triples, and those of earlier
        builds that did not validate) and the subjects among them; None when no change can be
        bounded (an ``rdfs:subClassOf`` triple changed, or a blank node or quoted triple did)."""
        nodes, subjects = set(self.pending[0]), set(self.pending[1])
        for t in self.triples():
            if t.predicate.value == RDFS.base + "subClassOf":
                return None
            for term in (t.subject, t.object):
                if isinstance(term, (ox.BlankNode, ox.Triple)):  # VALUES cannot name them
                    return None
                if isinstance(term, ox.NamedNode):
                    nodes.add(term.value)
            if isinstance(t.subject, ox.NamedNode):
                subjects.add(t.subject.value)
        return nodes, subjects

    def keep(self, directory: str | Path) -> None:
        """After a build that did not validate: give the kept results back to ``directory`` with the
        nodes this build changed, for the next build that validates (nothing when they cannot be)."""
        touched = self.touched() if self.recording and self.previous is not None else None
        if touched is not None and self.previous is not None:
            _write_results(Path(directory), self.previous, "oxigraph", touched)

    @property
    def recording(self) -> bool:
        """Whether changes are recorded (there are results to build on, and not too many changes)."""
        return self.previous is not None and not self.overflow

    def removed(self, quads: Iterable[ox.Quad]) -> None:
        """Record ``quads`` as removed from their named graph."""
        self._record(self._removed, quads)

    def added(self, quads: Iterable[ox.Quad]) -> None:
        """Record ``quads`` as added to their named graph."""
        self._record(self._added, quads)

    def graphs(self, store: ox.Store, graphs: Iterable[ox.NamedNode], *, added: bool) -> None:
        """Record every quad of the named ``graphs`` of ``store`` as added (or removed)."""
        for g in graphs:
            if not self.recording:
                return
            self._record(self._added if added else self._removed, store.quads_for_pattern(None, None, None, g))

    def _record(self, into: set[ox.Triple], quads: Iterable[ox.Quad]) -> None:
        if not self.recording:
            return
        into.update(q.triple for q in quads)
        if len(self._removed) + len(self._added) > self.limit:
            self.overflow = True
            self._removed.clear()
            self._added.clear()

    def triples(self) -> set[ox.Triple]:
        """The triples whose presence in the union of the named graphs may have changed."""
        return self._removed ^ self._added


# -- where the rules read ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Reach:
    """Where one rule (or the record-sources query) reads, from ``ontology/shapes-reach.yaml``.

    ``reads``: IRIs its query may name; ``paths``: SPARQL property paths from the focus node to the
    other nodes whose triples it reads; ``globals``: IRIs of nodes read whatever the focus node;
    ``full``: why it must run in full ("" when it need not).
    """

    reads: frozenset[str]
    paths: tuple[str, ...]
    globals: frozenset[str] = frozenset()
    full: str = ""

    def covers(self, query: str) -> bool:
        """Whether every IRI ``query`` names is one of :attr:`reads` (ignoring those of
        ``rdf:``, ``rdfs:subClassOf`` and ``xsd:``, which every target and datatype test names)."""
        return named_iris(query) <= self.reads


_IGNORED = (PREFIXES["rdf"], PREFIXES["xsd"], RDFS.base + "subClassOf")


_SHAPES = "https://w3id.org/ccus-kg/shapes#"


def _expand(name: str) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    base = _SHAPES if prefix == "shapes" else PREFIXES.get(prefix)
    if base is None:
        raise ResourceNotFound(f"ontology/shapes-reach.yaml: unknown prefix in {name!r}")
    return base + local


_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                      r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'")
_PREFIX_LINE = re.compile(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_PNAME = re.compile(r"(?<![\w?$:])([A-Za-z][\w-]*)?:((?:[\w-]|\.(?=[\w-]))+)")


def named_iris(query: str) -> frozenset[str]:
    """The IRIs a SPARQL query names (``<…>`` and prefixed names, outside string literals and
    ``PREFIX`` lines), less those of ``rdf:``, ``xsd:`` and ``rdfs:subClassOf``."""
    text = _STRINGS.sub(" ", query)
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX_LINE.finditer(text)}
    text = _PREFIX_LINE.sub(" ", text)
    found = {m.group(1) for m in _IRI.finditer(text)}
    text = _IRI.sub(" ", text)
    for m in _PNAME.finditer(text):
        if (m.group(1) or "") in prefixes:
            found.add(prefixes[m.group(1) or ""] + m.group(2))
    return frozenset(i for i in found if not i.startswith(_IGNORED))


def load_reach(path: str | Path | None = None) -> tuple[dict[str, Reach], Reach]:
    """Read ``ontology/shapes-reach.yaml`` (or ``path``): rule IRI → :class:`Reach`, and the reach of
    the record-sources query.  Raises :class:`ResourceNotFound` when the file or a prefix is unknown."""
    import yaml

    source = Path(path) if path else ontology_path("shapes-reach.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))

    def one(entry: dict[str, Any]) -> Reach:
        return Reach(reads=frozenset(_expand(x) for x in entry.get("reads", [])), paths=tuple(entry.get("paths", [])),
                     globals=frozenset(_expand(x) for x in entry.get("global", [])), full=str(entry.get("full", "")))

    rules = {_expand(iri): one(entry or {}) for iri, entry in (data.get("rules") or {}).items()}
    return rules, one(data.get("sources") or {})


def _reaching(graph: KnowledgeGraph, path: str, nodes: frozenset[str]) -> frozenset[str]:
    """The nodes from which ``path`` leads to one of ``nodes`` (IRIs), in ``graph``."""
    values = " ".join(str(ox.NamedNode(n)) for n in sorted(nodes))
    found = graph.query(f"SELECT DISTINCT ?f WHERE {{ VALUES ?t {{ {values} }} ?f {path} ?t }}")  # PREFIXES predeclared
    assert isinstance(found, ox.QuerySolutions)
    return frozenset(s["f"].value for s in found if isinstance(s["f"], ox.NamedNode))


def _in_reach(graph: KnowledgeGraph, reach: Reach, changed: frozenset[str], memo: dict[str, frozenset[str]]) -> frozenset[str]:
    out = set(changed)
    for path in reach.paths:
        if path not in memo:
            memo[path] = _reaching(graph, path, changed)
        out |= memo[path]
    return frozenset(out)


def affected(graph: KnowledgeGraph, nodes: set[str], subjects: set[str], rules: list[Any], reach: dict[str, Reach],
             sources: Reach) -> tuple[Focus, frozenset[str] | None]:
    """The focus nodes to validate again after a change of the triples of ``nodes`` (IRIs; the
    subjects of changed triples among them: ``subjects``), as a :class:`Focus`, and the nodes whose
    record sources may have changed (None: any node).

    ``rules``: the SHACL-SPARQL rules (:class:`ccus_kg.shapes.SparqlRule`); ``reach``, ``sources``:
    from :func:`load_reach`.  A rule that cannot be bounded gets None (all its focus nodes).
    """
    changed = frozenset(nodes)
    memo: dict[str, frozenset[str]] = {}
    if not changed:
        return Focus(core=frozenset(), rules={r.iri: frozenset() for r in rules}), frozenset()
    core = changed | _reaching(graph, "?p", frozenset(subjects)) if subjects else changed
    focus_rules: dict[str, frozenset[str] | None] = {}
    for rule in rules:
        r = reach.get(rule.iri)
        texts = [q for _c, q, _m in rule.constraints] + list(rule.target_selects)
        if r is None or r.full or not all(r.covers(q) for q in texts) or r.globals & changed:
            focus_rules[rule.iri] = None
        else:
            focus_rules[rule.iri] = _in_reach(graph, r, changed, memo)
    sources_query = (queries_dir() / "record-sources.rq").read_text(encoding="utf-8")
    stale = None if sources.full or not sources.covers(sources_query) else _in_reach(graph, sources, changed, memo)
    return Focus(core=core, rules=focus_rules), stale


# -- the kept results -------------------------------------------------------------------------------

@cache
def _fingerprint(engine: str) -> str:
    """What the kept results depend on besides the data: version, engine, shapes, reach, sources query."""
    h = hashlib.sha256(f"{RESULTS_FORMAT} {__version__} {engine}".encode())
    for path in (ontology_path("shapes.ttl"), ontology_path("shapes-reach.yaml"), queries_dir() / "record-sources.rq"):
        h.update(path.read_bytes())
    return h.hexdigest()


def _read_results(path: Path, engine: str) -> tuple[list[ValidationResult], tuple[set[str], set[str]]] | None:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != _fingerprint(engine):
        return None
    results = [ValidationResult(**{**r, "sources": tuple(SourceLocation(s["file"], s["line"]) for s in r["sources"])})
               for r in data["results"]]
    pending = data.get("pending", {})
    return results, (set(pending.get("nodes", [])), set(pending.get("subjects", [])))


def _write_results(directory: Path, results: list[ValidationResult], engine: str,
                   pending: tuple[set[str], set[str]] = (set(), set())) -> None:
    """Write :data:`RESULTS_FILE` (atomically): ``results``, and the nodes changed since they were made."""
    data: dict[str, Any] = {"fingerprint": _fingerprint(engine), "results": [r.as_dict() for r in results]}
    if pending[0]:
        data["pending"] = {"nodes": sorted(pending[0]), "subjects": sorted(pending[1])}
    with atomic_writer(directory / RESULTS_FILE, "w") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))


# -- validating the store ---------------------------------------------------------------------------

def _scope(focus: Focus) -> str:
    """``incremental: N focus nodes (core), M (rules); in full: R1, R2``."""
    nodes = set(focus.core or ())
    for n in focus.rules.values():
        nodes |= n or set()
    full = sorted(iri.rsplit("#", 1)[-1] for iri, n in focus.rules.items() if n is None)
    return f"incremental: {len(nodes)} focus nodes validated again" + (f"; in full: {', '.join(full)}" if full else "")


def _one_hop(shapes) -> bool:
    """Whether every core constraint reads one hop from its focus node: every ``sh:path`` an IRI (a
    sequence or inverse path reads further; so does a shape left to pySHACL, checked by the caller)."""
    import rdflib

    return all(isinstance(p, rdflib.URIRef) for p in shapes.objects(None, rdflib.URIRef(SH.path.value)))


def validate_store(graph: KnowledgeGraph, directory: str | Path, changes: ChangeSet, *, engine: str = "oxigraph",
                   full: bool = False) -> ValidationReport:
    """Validate the store's union ``graph`` after a build that recorded ``changes``, reusing the results
    kept in ``directory`` for the focus nodes no change can reach (module docstring), and keep the new
    results there (with the oxigraph engine).  ``full``: validate everything.

    Returns the same :class:`ValidationReport` as :func:`ccus_kg.validate.validate` on ``graph``
    (``engine`` and ``triples`` included).  Raises what :func:`ccus_kg.validate.validate` raises;
    I/O errors writing :data:`RESULTS_FILE` propagate (nothing half-written is left).
    """
    from ccus_kg.core_shapes import compile_core
    from ccus_kg.shapes import load_shapes, load_sparql_rules

    directory = Path(directory)
    found = None
    touched = changes.touched() if changes.recording and changes.previous is not None and not full else None
    shapes = load_shapes() if touched is not None else None
    if touched is not None and _one_hop(shapes) and not compile_core(shapes).uncompiled:
        rules = load_sparql_rules(shapes=shapes)
        reach, sources = load_reach()
        found = affected(graph, *touched, rules, reach, sources)
    if found is None:
        report = validate(graph, engine=engine)
        changes.scope = "full"
    else:
        focus, stale = found
        changes.scope = _scope(focus)
        rule_iris = {r.iri for r in rules}
        partial = validate(graph, engine=engine, focus=focus)
        kept = [r for r in changes.previous or [] if not focus.keeps(r.shape, r.focus_node, sparql=r.shape in rule_iris)]
        moved = {r.focus_node for r in kept if stale is None or r.focus_node in stale}
        if moved:
            located = record_sources(restricted_graph(graph, moved, var="node"), moved)
            kept = [replace(r, sources=tuple(located.get(r.focus_node, ()))) if r.focus_node in moved else r for r in kept]
        results = sorted(set(kept) | set(partial.results), key=ValidationResult.key)
        report = ValidationReport(conforms=not any(r.severity == "Violation" for r in results), results=results,
                                  triples=partial.triples, engine=engine)
    if engine == "oxigraph":
        _write_results(directory, report.results, engine)
    return report
