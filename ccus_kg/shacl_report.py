"""A SHACL validation report in the three forms a curator or a tool reads (pure: report in, text out).

* :func:`render_text` — for people: totals, the build date, a note when Warning/Info results remain (SHACL's own
  ``sh:conforms`` is then false although ccus-kg's threshold passes), results counted by rule,
  then the first N results of each rule with the file and line of the focus node's record;
* :func:`render_json` — :meth:`ValidationReport.as_dict` as JSON, every result and ``build_date``;
* :func:`render_turtle` — the W3C SHACL validation report graph (SHACL §3.6: ``sh:ValidationReport``,
  ``sh:conforms``, ``sh:result``), each result also carrying ``dcterms:source`` a
  ``ccus:SourceRecord`` (file path and line) and its shape's ``rdfs:label``.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from ccus_kg.namespaces import CCUS, DCTERMS, PREFIXES, RDF, RDFS, SH, XSD
from ccus_kg.text import printable
from ccus_kg.validate import ValidationReport, ValidationResult

__all__ = ["render_text", "render_json", "render_turtle", "short", "FORMATS"]

#: Output formats of ``ccus-kg validate --format``.
FORMATS = ("text", "json", "ttl")
_SHORT = {**PREFIXES, "sh": SH.base, "shapes": "https://w3id.org/ccus-kg/shapes#"}


def short(iri: str | None) -> str:
    """``iri`` as ``prefix:local`` with the project's prefixes (``policy:us-45q-ira``), else unchanged."""
    if iri is None:
        return ""
    best = max((base for base in _SHORT.values() if iri.startswith(base)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, b in _SHORT.items() if b == best)
    return f"{prefix}:{iri[len(best):]}"


def _where(r: ValidationResult) -> str:
    return ", ".join(str(s) for s in r.sources) if r.sources else "(no source record)"


def render_text(report: ValidationReport, *, name: str = "graph", limit: int = 10, fail_on: str = "violation",
                details: bool = True) -> str:
    """People's form: the summary line, the build date future dates are compared with (the
    ``shapes:FutureDate`` messages do not repeat it), a note on remaining Warning/Info results, counts by rule,
    and (``details``) the first ``limit`` results of each rule (``limit`` < 0: all).  Each line
    is :func:`~ccus_kg.text.printable`: a value holding a newline cannot forge a line."""
    lines = [f"{name}: {report.triples} triples; {report.summary()}; engine {report.engine}"]
    if report.build_date:
        lines.append(f"build date {report.build_date}: future dates (shapes:FutureDate) are those after it")
    else:
        lines.append("no build date in the graph: future dates (shapes:FutureDate) are those after the day of validation")
    if report.fails(fail_on) and report.conforms:
        lines.append(f"fails --fail-on {fail_on}: results at or above {fail_on.capitalize()} are present")
    lesser = [f"{report.count(s)} {s}" for s in ("Warning", "Info") if report.count(s)]
    if lesser:
        lines.append(f"note: {' and '.join(lesser)} result(s): SHACL's own sh:conforms is false (any result counts); "
                     f"ccus-kg fails only on results at or above --fail-on ({fail_on})")
    groups = report.by_rule()
    if not groups:
        return "\n".join(printable(line) for line in lines) + "\n"
    lines.append("results by rule:")
    for iri, label, severity, results in groups:
        lines.append(f"  {severity:<9} {len(results):>5}  {short(iri)}  {label}")
    if details:
        for iri, label, severity, results in groups:
            shown = results if limit < 0 else results[:limit]
            lines.append(f"{short(iri)} — {label} ({severity}, {len(results)} result{'s' if len(results) != 1 else ''}):")
            for r in shown:
                path = f"  {short(r.path)}" if r.path else ""
                value = f"  value={r.value!r}" if r.value is not None and r.value != r.focus_node else ""
                lines.append(f"  {r.severity} {short(r.focus_node)}{path}{value}  at {_where(r)}")
                lines.append(f"      {r.message}")
            if len(results) > len(shown):
                lines.append(f"  … and {len(results) - len(shown)} more (--max-results, or --format json for all)")
    return "\n".join(printable(line) for line in lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """Every result as JSON (UTF-8 text, two-space indent, keys in a fixed order)."""
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"


def _term(text: str | None):
    if text is None:
        return None
    if text.startswith(("http://", "https://", "urn:")) and " " not in text:
        return ox.NamedNode(text)
    return ox.Literal(text)


def render_turtle(report: ValidationReport) -> bytes:
    """The W3C SHACL validation report graph as Turtle (SHACL §3.6), with stable blank-node ids.

    ``sh:conforms`` is SHACL's: false when there is any result.  ``sh:value`` is an IRI when
    the value is one, else a plain literal (the report keeps values as text).
    """
    report_node = ox.BlankNode("report")
    head = [ox.Triple(report_node, RDF.type, SH.ValidationReport),
            ox.Triple(report_node, SH.conforms, ox.Literal("true" if report.shacl_conforms else "false", datatype=XSD.boolean))]
    triples: list[ox.Triple] = []
    labels: dict[str, str] = {}
    for i, r in enumerate(report.results, 1):
        node = ox.BlankNode(f"r{i}")
        head.append(ox.Triple(report_node, SH.result, node))
        triples.append(ox.Triple(node, RDF.type, SH.ValidationResult))
        triples.append(ox.Triple(node, SH.resultSeverity, SH[r.severity]))
        triples.append(ox.Triple(node, SH.focusNode, _term(r.focus_node)))
        triples.append(ox.Triple(node, SH.sourceShape, ox.NamedNode(r.shape)))
        triples.append(ox.Triple(node, SH.sourceConstraintComponent, ox.NamedNode(SH.base + r.constraint)))
        triples.append(ox.Triple(node, SH.resultMessage, ox.Literal(r.message, language="en")))
        if r.path:
            triples.append(ox.Triple(node, SH.resultPath, ox.NamedNode(r.path)))
        if r.value is not None:
            triples.append(ox.Triple(node, SH.value, _term(r.value)))
        for j, s in enumerate(r.sources, 1):
            src = ox.BlankNode(f"r{i}s{j}")
            triples.append(ox.Triple(node, DCTERMS.source, src))
            triples.append(ox.Triple(src, RDF.type, CCUS.SourceRecord))
            triples.append(ox.Triple(src, CCUS.filePath, ox.Literal(s.file)))
            if s.line:
                triples.append(ox.Triple(src, CCUS.recordLine, ox.Literal(str(s.line), datatype=XSD.integer)))
        if r.label:
            labels[r.shape] = r.label
    for iri in sorted(labels):
        triples.append(ox.Triple(ox.NamedNode(iri), RDFS.label, ox.Literal(labels[iri], language="en")))
    prefixes = {"sh": SH.base, "shapes": _SHORT["shapes"], **PREFIXES}
    return ox.serialize(head + triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
