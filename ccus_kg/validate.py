"""Validate a graph against the SHACL shapes (``ontology/shapes.ttl``) with pySHACL.

A failure to *run* is an exception; non-conformance is data: :func:`validate` returns a
:class:`ValidationReport` listing each result with its severity, focus node, path, value and
message (W3C SHACL §3.6, validation report).  The graph conforms when it has no result of
severity ``sh:Violation`` (``sh:Warning`` and ``sh:Info`` results are reported, not failing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import ontology_path

__all__ = ["ValidationResult", "ValidationReport", "validate", "load_shapes"]

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL validation result (``sh:ValidationResult``).

    ``severity`` is ``"Violation"``, ``"Warning"`` or ``"Info"``; ``focus_node`` the IRI of the
    node that failed; ``path`` the property path (IRI, or None for node-level results);
    ``value`` the offending value as text (or None); ``message`` what was expected;
    ``shape`` the IRI or blank-node id of the source shape; ``constraint`` the constraint
    component local name (``MinCountConstraintComponent``).
    """

    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass
class ValidationReport:
    """Outcome of a validation: ``conforms`` (no Violation), every result, and pySHACL's text."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    text: str = ""
    triples: int = 0

    def count(self, severity: str) -> int:
        """Number of results of ``severity`` (``"Violation"``, ``"Warning"``, ``"Info"``)."""
        return sum(1 for r in self.results if r.severity == severity)

    def summary(self) -> str:
        """One line: ``conforms (0 violations, 2 warnings)`` or ``does not conform (…)``."""
        head = "conforms" if self.conforms else "does not conform"
        return f"{head} ({self.count('Violation')} violations, {self.count('Warning')} warnings, {self.count('Info')} info)"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the pySHACL text)."""
        return {"conforms": self.conforms, "violations": self.count("Violation"), "warnings": self.count("Warning"),
                "results": [r.as_dict() for r in self.results]}


def load_shapes(path: str | Path | None = None):
    """Parse the shapes graph (default: packaged ``ontology/shapes.ttl``) into an rdflib Graph."""
    import rdflib

    g = rdflib.Graph()
    g.parse(str(path or ontology_path("shapes.ttl")), format="turtle")
    return g


def _local(term) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def validate(graph: KnowledgeGraph, *, shapes_path: str | Path | None = None) -> ValidationReport:
    """Validate ``graph`` against the SHACL shapes.

    ``graph``: the data graph; ``shapes_path``: a Turtle shapes file (default the packaged one).
    Returns a :class:`ValidationReport`; results are sorted by focus node, path and message.
    Raises whatever pySHACL raises when the shapes themselves are broken (a failure to run).
    SHACL-SPARQL targets (``sh:SPARQLTarget``, SHACL Advanced Features §2) are enabled.
    """
    import rdflib
    from pyshacl import validate as shacl_validate

    data = graph.to_rdflib()
    conforms, results_graph, text = shacl_validate(
        data, shacl_graph=load_shapes(shapes_path), inference="none", advanced=True, inplace=True,
        allow_warnings=True, allow_infos=True, abort_on_first=False,
    )
    sh = rdflib.Namespace(SH)
    results: list[ValidationResult] = []
    for r in results_graph.subjects(rdflib.RDF.type, sh.ValidationResult):
        def one(p, r=r):
            return results_graph.value(r, p)

        value = one(sh.value)
        path = one(sh.resultPath)
        results.append(ValidationResult(
            severity=_local(one(sh.resultSeverity)),
            focus_node=str(one(sh.focusNode)),
            path=str(path) if isinstance(path, rdflib.URIRef) else (None if path is None else "(complex path)"),
            value=None if value is None else str(value),
            message=str(one(sh.resultMessage) or ""),
            shape=str(one(sh.sourceShape)),
            constraint=_local(one(sh.sourceConstraintComponent)),
        ))
    results.sort(key=lambda x: (x.severity != "Violation", x.focus_node, x.path or "", x.message))
    conforms = not any(x.severity == "Violation" for x in results)
    return ValidationReport(conforms=conforms, results=results, text=text, triples=len(graph))
