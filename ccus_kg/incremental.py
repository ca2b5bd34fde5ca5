"""Incremental SHACL validation of the persistent store (``ccus-kg build --store DIR``).

A rebuild changes a few named graphs; validating the whole store again costs as much as the first
time.  Instead, :func:`validate_store` validates again only the focus nodes whose results can have
changed, and keeps the results of the others from the last build (``DIR/validation.sqlite``,
:mod:`ccus_kg.kept_results`: only the rows of the focus nodes validated again are rewritten).  The
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
  change to one of its ``global`` nodes is run in full, except a rule with ``by_date`` (future
  dates: ``FutureDate``) when the build date changed: it keeps each node's dates (``keys`` table), and
  only the nodes with a date after the earlier and not after the later of the two build dates are
  validated again (the others' results cannot change: the rule's message does not name the build
  date, which the report states once, :attr:`ccus_kg.validate.ValidationReport.build_date`);
* a rule that joins its focus node with other nodes by a key computed from each node's own triples
  (``join`` in the YAML file: ``LikelyDuplicate``'s jurisdiction, language and normalised title) keeps
  each node's keys (``keys`` table): the nodes holding an old or new key of a changed node are validated
  again, and the other side of the rule's query is restricted to the nodes sharing a key with a focus
  node (:attr:`ccus_kg.focus.Focus.others`), so neither side is computed for every node;
* the file and line of a kept result (``queries/record-sources.rq``) are read again when its focus
  node is in reach of a changed node the same way (``sources`` in the YAML file).

A build without validation writes the kept results back with the nodes it changed (``pending``), so
the next build that validates covers them too.  Everything is validated in full when there are no
kept results (first build, ``--rebuild``, the ``pyshacl`` engine, or a build that stopped in
between: they are marked ``building`` when a build starts and whole when it ends), when the kept results
are of another ccus-kg version, shapes, reach file or record-sources query, when more than
:data:`CHANGE_LIMIT` triples changed, when an ``rdfs:subClassOf`` triple changed (SHACL class
targets and ``sh:class`` follow it), or when a changed node is a blank node (``VALUES`` cannot name one).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.errors import ResourceNotFound
from ccus_kg.focus import Focus, restrict_query, restricted_graph
from ccus_kg.kept_results import KEPT_NAME, KeptResults
from ccus_kg.namespaces import PREFIXES, RDFS, SH
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import ontology_path, queries_dir
from ccus_kg.validate import ValidationReport, ValidationResult, record_sources, validate

__all__ = ["ChangeSet", "Reach", "load_reach", "affected", "validate_store", "RESULTS_FILE", "CHANGE_LIMIT",
           "DATED_SHARE"]

#: The kept results, in the store's directory (:mod:`ccus_kg.kept_results`).
RESULTS_FILE = KEPT_NAME
RESULTS_FORMAT = 2
#: Above this many changed triples a rebuild is validated in full (recording them costs memory).
CHANGE_LIMIT = 300_000
#: A ``by_date`` rule runs in full on a new build date when more than one in this many of its dated
#: nodes have a date between the two build dates: restricted to N nodes, FutureDate costs about
#: 0.6 ms CPU per node, in full 1.4–2.0 s for the 59,527 dated nodes of a 20k store, so the two
#: meet at about 1/20 of the dated nodes (benchmarks/RESULTS.md, measured under load).
DATED_SHARE = 20


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

    def __init__(self, previous: Path | None = None, limit: int = CHANGE_LIMIT,
                 pending: tuple[set[str], set[str]] | None = None):
        #: the directory whose kept results (:data:`RESULTS_FILE`) can be built on
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
        """Take the results kept in ``directory`` (mark them ``building``, so that a build that stops
        before it ends leaves none to use) and start recording when they can be built on: ``engine``
        ``"oxigraph"``, ``store_was_kept`` (the store was not cleared), and results of this version,
        engine and shapes.  A build that does not validate gives them back with what it changed
        (:meth:`keep`)."""
        directory = Path(directory)
        (directory / "validation.json").unlink(missing_ok=True)  # kept results as one JSON file (before validation.sqlite)
        if not (directory / RESULTS_FILE).exists():
            return cls()
        with KeptResults.open(directory) as kept:
            usable = engine == "oxigraph" and store_was_kept and kept.usable(_fingerprint(engine))
            pending = kept.pending() if usable else None
            kept.start()
        return cls(directory, pending=pending) if usable else cls()

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
            with KeptResults.open(directory) as kept:
                kept.finish(_fingerprint("oxigraph"), touched)

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
    ``full``: why it must run in full ("" when it need not); ``join``: for a rule joining its focus
    node with other nodes by a key, the variable of the other node and a ``SELECT ?node ?key``
    query giving each node's keys from its own triples (None for the others); ``dated``: for a rule
    comparing dates with the build date, a ``SELECT ?node ?key`` query giving each node's dates as the
    rule compares them, and a ``SELECT ?date`` query giving the build date (None for the others).
    """

    reads: frozenset[str]
    paths: tuple[str, ...]
    globals: frozenset[str] = frozenset()
    full: str = ""
    join: tuple[str, str] | None = field(default=None)
    dated: tuple[str, str] | None = field(default=None)

    @property
    def key_query(self) -> str | None:
        """The query giving each node's keys (``join`` or ``by_date``), None when there is none."""
        return self.join[1] if self.join else self.dated[0] if self.dated else None

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
        join, dated = entry.get("join"), entry.get("by_date")
        return Reach(reads=frozenset(_expand(x) for x in entry.get("reads", [])), paths=tuple(entry.get("paths", [])),
                     globals=frozenset(_expand(x) for x in entry.get("global", [])), full=str(entry.get("full", "")),
                     join=(str(join["var"]), str(join["key"])) if join else None,
                     dated=(str(dated["key"]), str(dated["date"])) if dated else None)

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


def join_keys(graph: KnowledgeGraph, key_query: str, nodes: frozenset[str] | None) -> list[tuple[str, str]]:
    """``(node, key)`` rows of a ``join`` key query (``SELECT ?node ?key``) on ``graph``, for ``nodes``
    (IRIs; None: every node)."""
    query = key_query if nodes is None else restrict_query(key_query, nodes, var="node")
    found = graph.query(query)
    assert isinstance(found, ox.QuerySolutions)
    return [(s["node"].value, s["key"].value) for s in found
            if isinstance(s["node"], ox.NamedNode) and s["key"] is not None]


def _compared_date(graph: KnowledgeGraph, date_query: str) -> str | None:
    """The build date a ``by_date`` rule compares with (``SELECT ?date``), None when the graph has none
    or several."""
    found = graph.query(date_query)
    assert isinstance(found, ox.QuerySolutions)
    dates = {s["date"].value for s in found if s["date"] is not None}
    return dates.pop() if len(dates) == 1 else None


def affected(graph: KnowledgeGraph, nodes: set[str], subjects: set[str], rules: list[Any], reach: dict[str, Reach],
             sources: Reach, kept: KeptResults | None = None) -> tuple[Focus, frozenset[str] | None]:
    """The focus nodes to validate again after a change of the triples of ``nodes`` (IRIs; the
    subjects of changed triples among them: ``subjects``), as a :class:`Focus`, and the nodes whose
    record sources may have changed (None: any node).

    ``rules``: the SHACL-SPARQL rules (:class:`ccus_kg.shapes.SparqlRule`); ``reach``, ``sources``:
    from :func:`load_reach`.  A rule that cannot be bounded gets None (all its focus nodes).
    ``kept``: the kept results, whose keys (of the rules with a ``join`` or ``by_date``) are brought up
    to date for the changed nodes (not committed); without them such a rule is run in full (a
    ``by_date`` rule: when the build date changed; also when more than 1/:data:`DATED_SHARE` of its
    dated nodes have a date between the two build dates).
    """
    changed = frozenset(nodes)
    memo: dict[str, frozenset[str]] = {}
    if not changed:
        return Focus(core=frozenset(), rules={r.iri: frozenset() for r in rules}), frozenset()
    core = changed | _reaching(graph, "?p", frozenset(subjects)) if subjects else changed
    focus_rules: dict[str, frozenset[str] | None] = {}
    others: dict[str, tuple[str, frozenset[str]]] = {}
    for rule in rules:
        r = reach.get(rule.iri)
        keyed: set[str] | None = None
        if r is not None and r.key_query is not None and kept is not None:
            # the changed nodes' keys before (kept) and after (the graph): their holders can gain or lose a partner
            new = join_keys(graph, r.key_query, changed)
            keyed = kept.keys_of(rule.iri, changed) | {k for _n, k in new}
            kept.set_keys(rule.iri, changed, new)
        passed: set[str] | None = None  # a by_date rule whose global node changed: the nodes dated in between
        if r is not None and r.dated is not None and kept is not None and r.globals & changed:
            before, after = kept.date(rule.iri), _compared_date(graph, r.dated[1])
            if before and after:
                passed = kept.holders_between(rule.iri, min(before, after), max(before, after))
                if len(passed) * DATED_SHARE > kept.key_count(rule.iri):  # cheaper in full
                    passed = None
        texts = [q for _c, q, _m in rule.constraints] + list(rule.target_selects)
        if r is not None and r.key_query is not None:
            texts += [r.key_query] + ([r.dated[1]] if r.dated else [])
        if (r is None or r.full or not all(r.covers(q) for q in texts) or (r.globals & changed and passed is None)
                or (r.key_query is not None and keyed is None)):
            focus_rules[rule.iri] = None
        else:
            focus = _in_reach(graph, r, changed, memo)
            if passed is not None:  # the dates the day passed (or un-passed, going back)
                focus |= passed
            if r.join is not None and kept is not None and keyed is not None:
                focus |= kept.holders(rule.iri, keyed)
                others[rule.iri] = (r.join[0], frozenset(kept.holders(rule.iri, kept.keys_of(rule.iri, focus))))
            focus_rules[rule.iri] = focus
    sources_query = (queries_dir() / "record-sources.rq").read_text(encoding="utf-8")
    stale = None if sources.full or not sources.covers(sources_query) else _in_reach(graph, sources, changed, memo)
    return Focus(core=core, rules=focus_rules, others=others), stale


# -- the kept results -------------------------------------------------------------------------------

@cache
def _fingerprint(engine: str) -> str:
    """What the kept results depend on besides the data: version, engine, shapes, reach, sources query."""
    h = hashlib.sha256(f"{RESULTS_FORMAT} {__version__} {engine}".encode())
    for path in (ontology_path("shapes.ttl"), ontology_path("shapes-reach.yaml"), queries_dir() / "record-sources.rq"):
        h.update(path.read_bytes())
    return h.hexdigest()


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
                   full: bool = False, triples: int | None = None) -> ValidationReport:
    """Validate the store's union ``graph`` after a build that recorded ``changes``, reusing the results
    kept in ``directory`` for the focus nodes no change can reach (module docstring), and keep the new
    results there (with the oxigraph engine).  ``full``: validate everything.  ``triples``: ``len(graph)``
    when the caller knows it (:func:`ccus_kg.validate.validate`).

    Returns the same :class:`ValidationReport` as :func:`ccus_kg.validate.validate` on ``graph``
    (``engine`` and ``triples`` included).  Raises what :func:`ccus_kg.validate.validate` raises;
    I/O errors writing :data:`RESULTS_FILE` propagate (nothing half-written is left).
    """
    from ccus_kg.core_shapes import compile_core
    from ccus_kg.shapes import load_shapes, load_sparql_rules

    directory = Path(directory)
    found = None
    touched = changes.touched() if changes.recording and changes.previous is not None and not full else None
    shapes = load_shapes()
    rules = load_sparql_rules(shapes=shapes)
    rule_iris = {r.iri for r in rules}
    reach, sources = load_reach()
    with KeptResults.open(directory) if engine == "oxigraph" else nullcontext() as kept:
        if kept is not None and touched is not None and _one_hop(shapes) and not compile_core(shapes).uncompiled:
            found = affected(graph, *touched, rules, reach, sources, kept)
        if found is None:
            report = validate(graph, engine=engine, triples=triples)
            changes.scope = "full"
            if kept is not None:
                kept.clear()
                kept.add(report.results, rule_iris)
                for rule in rules:
                    if (r := reach.get(rule.iri)) is not None and r.key_query is not None:
                        kept.set_keys(rule.iri, None, join_keys(graph, r.key_query, None))
        else:
            assert kept is not None
            focus, stale = found
            changes.scope = _scope(focus)
            partial = validate(graph, engine=engine, focus=focus, triples=triples)
            kept.drop("", focus.core)  # the results validated again; the others are kept
            for rule in rules:
                kept.drop(rule.iri, focus.nodes(rule.iri, sparql=True))
            moved = kept.on(stale)  # kept results whose record's file or line may have changed
            if moved:
                nodes = {r.focus_node for _i, r in moved}
                located = record_sources(restricted_graph(graph, nodes, var="node"), nodes)
                kept.update((i, replace(r, sources=tuple(located.get(r.focus_node, ())))) for i, r in moved
                            if r.sources != tuple(located.get(r.focus_node, ())))
            kept.add(partial.results, rule_iris)
            results = sorted(set(kept), key=ValidationResult.key)
            report = ValidationReport(conforms=not any(r.severity == "Violation" for r in results), results=results,
                                      triples=partial.triples, engine=engine, build_date=partial.build_date)
        if kept is not None:
            for rule in rules:
                if (r := reach.get(rule.iri)) is not None and r.dated is not None:
                    kept.set_date(rule.iri, _compared_date(graph, r.dated[1]))
            kept.finish(_fingerprint(engine))
    return report
