"""Small helpers to emit RDF quads with pyoxigraph terms (pure; no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.ingest.dates import DateValue
from ccus_kg.ingest.language import detect
from ccus_kg.model import Problem
from ccus_kg.namespaces import CCUS, RDF, RDFS, XSD

__all__ = ["Emitter", "named_node", "text_literal", "date_literal"]

_XSD_BY_PRECISION = {"date": XSD.date, "gYearMonth": XSD.gYearMonth, "gYear": XSD.gYear}


def named_node(iri: str) -> ox.NamedNode:
    """A :class:`pyoxigraph.NamedNode`; raises ``ValueError`` for a string that is not an IRI."""
    return ox.NamedNode(iri)


def text_literal(value: str, lang: str | None = None) -> ox.Literal:
    """A language-tagged literal; the tag is ``lang`` or, if None, detected from the script."""
    return ox.Literal(value, language=lang or detect(value))


def date_literal(value: DateValue) -> ox.Literal:
    """``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` literal by the value's precision."""
    return ox.Literal(value.lexical, datatype=_XSD_BY_PRECISION[value.xsd_type])


class Emitter:
    """Collects quads (default graph) for one conversion.

    ``quads`` is the list of :class:`pyoxigraph.Quad` emitted and not yet handed to ``sink``;
    duplicates are fine (the store keeps a set).  With a ``sink`` (e.g. ``Store.extend``), the
    converter calls :meth:`flush_if_full` between policies and every ``chunk`` quads are handed over
    and dropped from the list, so a large build never holds all its quads as Python objects (about
    0.5 KB each); call :meth:`flush` at the end.
    """

    def __init__(self, sink: Callable[[list[ox.Quad]], object] | None = None, chunk: int = 50_000,
                 graph: ox.NamedNode | None = None) -> None:
        self.quads: list[ox.Quad] = []
        self.sink = sink
        self.chunk = chunk
        #: the named graph of the quads (None: the default graph)
        self.graph = graph

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o) -> None:
        """Emit one triple."""
        self.quads.append(ox.Quad(s, p, o, self.graph))

    def flush_if_full(self) -> None:
        """Hand the pending quads to ``sink`` when there are at least ``chunk`` of them (call between units of work)."""
        if len(self.quads) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """Hand the pending quads to ``sink`` (no-op without one)."""
        if self.sink is not None and self.quads:
            self.sink(self.quads)
            self.quads = []

    def types(self, s: ox.NamedNode, *classes: ox.NamedNode) -> None:
        """Emit ``s rdf:type c`` for each class."""
        for c in classes:
            self.quads.append(ox.Quad(s, RDF.type, c, self.graph))

    def text(self, s: ox.NamedNode, p: ox.NamedNode, value: object, lang: str | None = None) -> bool:
        """Emit a language-tagged text if ``value`` is a non-blank string; returns whether it did."""
        if value is None:
            return False
        value = str(value).strip()
        if not value:
            return False
        self.add(s, p, text_literal(value, lang))
        return True

    def plain(self, s: ox.NamedNode, p: ox.NamedNode, value: object, datatype: ox.NamedNode | None = None) -> bool:
        """Emit a typed literal (``xsd:string`` by default) if ``value`` is not blank."""
        if value is None or str(value).strip() == "":
            return False
        self.add(s, p, ox.Literal(str(value).strip(), datatype=datatype or XSD.string))
        return True

    def issue(self, subject: ox.NamedNode, problem: Problem) -> ox.NamedNode:
        """Attach ``problem`` to ``subject`` as a ``ccus:DataIssue`` node, so the graph shows it."""
        issue = named_node(iris.data_issue(subject.value, problem.code, problem.field, problem.message, problem.file))
        self.add(subject, CCUS.hasDataIssue, issue)
        self.types(issue, CCUS.DataIssue)
        self.plain(issue, CCUS.issueCode, problem.code)
        self.plain(issue, CCUS.severity, problem.severity)
        self.plain(issue, CCUS.issueField, problem.field)
        if problem.line:
            self.add(issue, CCUS.issueLine, ox.Literal(str(problem.line), datatype=XSD.integer))
        if problem.raw is not None:
            self.add(issue, CCUS.rawValue, ox.Literal(problem.raw, datatype=XSD.string))
        self.add(issue, RDFS.comment, ox.Literal(problem.message, language="en"))
        return issue

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Emit many quads."""
        self.quads.extend(quads)
