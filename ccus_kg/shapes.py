"""The SHACL shapes file (``ontology/shapes.ttl``) as data: rules with IRI, label, severity, message.

A *rule* is one shape that reports results: a property shape (core constraints on one path,
SHACL §2.3), a node shape with its own constraints, or a node shape with a SHACL-SPARQL
constraint (``sh:sparql``, SHACL §5).  :func:`load_rules` lists them for documentation
(:func:`render_html`, ``make docs``) and for the report; :func:`load_sparql_rules` gives the
SPARQL rules with their targets so :mod:`ccus_kg.validate` can run them as SELECT queries in
pyoxigraph (the same query text pySHACL runs).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from ccus_kg.errors import ResourceNotFound
from ccus_kg.namespaces import RDF, RDFS, SH
from ccus_kg.resources import ontology_path

__all__ = ["Rule", "SparqlRule", "load_shapes", "load_rules", "load_sparql_rules", "render_html", "SEVERITIES"]

#: SHACL severities, strongest first (SHACL §2.1.5), by local name.
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True, slots=True)
class Rule:
    """One shape that reports results.

    ``iri`` and ``label`` name it (``rdfs:label``); ``severity`` is ``"Violation"``,
    ``"Warning"`` or ``"Info"`` (``sh:severity``, Violation when absent); ``messages`` its
    English ``sh:message`` texts (of the shape and of its SPARQL constraint); ``kind``
    ``"property"``, ``"node"`` or ``"sparql"``; ``target`` a short text of what it applies to;
    ``path`` the property path IRI of a property shape; ``comment`` its ``rdfs:comment``.
    """

    iri: str
    label: str
    severity: str
    messages: tuple[str, ...]
    kind: str
    target: str
    path: str | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class SparqlRule:
    """A node shape with one or more ``sh:SPARQLConstraint``\\ s, ready to run as SELECT queries.

    ``constraints`` holds ``(constraint IRI, SELECT text with PREFIX lines, messages)``;
    targets are the shape's ``sh:targetClass``, ``sh:targetNode``, ``sh:targetSubjectsOf``,
    ``sh:targetObjectsOf`` IRIs and the SELECT texts of its ``sh:SPARQLTarget``\\ s.
    """

    iri: str
    label: str
    severity: str
    constraints: tuple[tuple[str, str, tuple[str, ...]], ...]
    target_classes: tuple[str, ...] = ()
    target_nodes: tuple[str, ...] = ()
    subjects_of: tuple[str, ...] = ()
    objects_of: tuple[str, ...] = ()
    target_selects: tuple[str, ...] = field(default_factory=tuple)

    def target_pattern(self) -> str:
        """A SPARQL group binding ``?this`` to each focus node once (SHACL §2.1.3 targets)."""
        parts = [f"{{ ?this <{RDF.type.value}>/<{RDFS.base}subClassOf>* <{c}> }}" for c in self.target_classes]
        parts += [f"{{ BIND(<{n}> AS ?this) }}" for n in self.target_nodes]
        parts += [f"{{ ?this <{p}> ?targetObject }}" for p in self.subjects_of]
        parts += [f"{{ ?targetSubject <{p}> ?this }}" for p in self.objects_of]
        parts += [f"{{ {_strip_prefixes(s)} }}" for s in self.target_selects]
        if not parts:
            return "{ FILTER(false) }"
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def queries(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """``(constraint IRI, query, messages)``: each constraint's SELECT joined with the targets.

        The constraint's own query is a sub-select; its ``$this`` is the target's ``?this``
        (``$this`` and ``?this`` are one variable in SPARQL 1.1 §4.1.3).
        """
        out = []
        for iri, select, messages in self.constraints:
            prefixes, body = _split_prologue(select)
            prefixes += "".join(_split_prologue(s)[0] for s in self.target_selects)
            query = f"{prefixes}SELECT * WHERE {{ {self.target_pattern()} {{ {body} }} }}"
            out.append((iri, query, messages))
        return out


def load_shapes(path: str | Path | None = None):
    """Parse the shapes graph (default: packaged ``ontology/shapes.ttl``) into an :class:`rdflib.Graph`.

    Raises :class:`ResourceNotFound` when the file is missing; rdflib's parser errors propagate.
    """
    import rdflib

    source = Path(path) if path else ontology_path("shapes.ttl")
    if not source.is_file():
        raise ResourceNotFound(f"shapes file {source} not found")
    g = rdflib.Graph()
    g.parse(str(source), format="turtle")
    return g


def _u(term) -> object:
    import rdflib

    return rdflib.URIRef(term.value)


def _severity(g, shape) -> str:
    value = g.value(shape, _u(SH.severity))
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _label(g, node) -> str:
    return str(g.value(node, _u(RDFS.label)) or "")


def _messages(g, *nodes) -> tuple[str, ...]:
    return tuple(sorted({str(m) for n in nodes for m in g.objects(n, _u(SH.message))}))


def _prefix_lines(g, node) -> str:
    """``PREFIX`` lines from the ``sh:prefixes``/``sh:declare`` of ``node`` (SHACL §5.2.1)."""
    lines = {}
    for owner in g.objects(node, _u(SH.prefixes)):
        for decl in g.objects(owner, _u(SH.declare)):
            prefix, ns = g.value(decl, _u(SH.prefix)), g.value(decl, _u(SH.namespace))
            if prefix is not None and ns is not None:
                lines[str(prefix)] = f"PREFIX {prefix}: <{ns}>\n"
    return "".join(lines[k] for k in sorted(lines))


def _split_prologue(query: str) -> tuple[str, str]:
    """Split ``PREFIX`` lines (as written by :func:`_prefix_lines`) from the rest of a query."""
    head: list[str] = []
    body: list[str] = []
    for line in query.splitlines(keepends=True):
        (head if line.startswith("PREFIX ") and not body else body).append(line)
    return "".join(head), "".join(body)


def _strip_prefixes(query: str) -> str:
    return _split_prologue(query)[1]


def _short(iri: str) -> str:
    for prefix, base in (("ccus", "https://w3id.org/ccus-kg/ontology#"), ("eli", "http://data.europa.eu/eli/ontology#"),
                         ("dcterms", "http://purl.org/dc/terms/"), ("skos", "http://www.w3.org/2004/02/skos/core#"),
                         ("schema", "https://schema.org/"), ("prov", "http://www.w3.org/ns/prov#"),
                         ("org", "http://www.w3.org/ns/org#"), ("rdf", RDF.base), ("shapes", "https://w3id.org/ccus-kg/shapes#")):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _targets(g, shape) -> str:
    parts = [_short(str(c)) for c in sorted(g.objects(shape, _u(SH.targetClass)))]
    parts += [f"subjects of {_short(str(p))}" for p in sorted(g.objects(shape, _u(SH.targetSubjectsOf)))]
    parts += [f"objects of {_short(str(p))}" for p in sorted(g.objects(shape, _u(SH.targetObjectsOf)))]
    parts += [_label(g, t) or "SPARQL target" for t in sorted(g.objects(shape, _u(SH.target)))]
    parts += [_short(str(n)) for n in sorted(g.objects(shape, _u(SH.targetNode)))]
    return ", ".join(parts)


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """Every rule of the shapes file, sorted by IRI.

    Property shapes inherit the target text of the node shape(s) that use them.  Raises what
    :func:`load_shapes` raises.
    """
    g = load_shapes(path)
    rules: list[Rule] = []
    node_shapes = set(g.subjects(_u(RDF.type), _u(SH.NodeShape)))
    for shape in sorted(node_shapes):
        target = _targets(g, shape)
        sparql = sorted(g.objects(shape, _u(SH.sparql)))
        if sparql:
            rules.append(Rule(str(shape), _label(g, shape), _severity(g, shape), _messages(g, shape, *sparql), "sparql",
                              target, None, str(g.value(shape, _u(RDFS.comment)) or "")))
        elif g.value(shape, _u(SH.message)) is not None:
            rules.append(Rule(str(shape), _label(g, shape), _severity(g, shape), _messages(g, shape), "node", target))
        for prop in sorted(g.objects(shape, _u(SH.property))):
            path_node = g.value(prop, _u(SH.path))
            rules.append(Rule(str(prop), _label(g, prop), _severity(g, prop), _messages(g, prop), "property",
                              target, str(path_node) if path_node is not None else None,
                              str(g.value(prop, _u(RDFS.comment)) or "")))
    unique = {r.iri: r for r in rules}
    return [unique[k] for k in sorted(unique)]


def load_sparql_rules(path: str | Path | None = None, shapes=None) -> list[SparqlRule]:
    """The node shapes with SHACL-SPARQL constraints, sorted by IRI (deactivated ones left out).

    ``shapes``: an already parsed shapes graph (else ``path`` is read).
    """
    g = shapes if shapes is not None else load_shapes(path)
    out = []
    for shape in sorted(set(g.subjects(_u(SH.sparql), None))):
        if str(g.value(shape, _u(SH.deactivated))).lower() == "true":
            continue
        constraints = []
        for c in sorted(g.objects(shape, _u(SH.sparql))):
            select = g.value(c, _u(SH.select))
            if select is None or str(g.value(c, _u(SH.deactivated))).lower() == "true":
                continue
            constraints.append((str(c), _prefix_lines(g, c) + str(select), _messages(g, shape, c)))
        selects = tuple(_prefix_lines(g, t) + str(g.value(t, _u(SH.select)))
                        for t in sorted(g.objects(shape, _u(SH.target))) if g.value(t, _u(SH.select)) is not None)
        out.append(SparqlRule(
            iri=str(shape), label=_label(g, shape), severity=_severity(g, shape), constraints=tuple(constraints),
            target_classes=tuple(sorted(str(x) for x in g.objects(shape, _u(SH.targetClass)))),
            target_nodes=tuple(sorted(str(x) for x in g.objects(shape, _u(SH.targetNode)))),
            subjects_of=tuple(sorted(str(x) for x in g.objects(shape, _u(SH.targetSubjectsOf)))),
            objects_of=tuple(sorted(str(x) for x in g.objects(shape, _u(SH.targetObjectsOf)))),
            target_selects=selects,
        ))
    return out


_SEVERITY_TEXT = {
    "Violation": "the graph breaks the model; exit code 1",
    "Warning": "a curator should look; exit code 0 (1 with --fail-on warning)",
    "Info": "worth knowing; exit code 0 (1 with --fail-on info)",
}


def render_html(rules: list[Rule], title: str = "ccus-kg SHACL rules") -> str:
    """An HTML page listing ``rules`` by severity then IRI: rule, label, kind, target, path, message.

    Pure (no I/O); the caller writes it (``make docs`` → ``docs/ontology/shapes.html``).
    """
    e = html.escape
    out = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;width:100%}"
           "td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}"
           "th{background:#eee}.Violation{color:#a00}.Warning{color:#a60}.Info{color:#06a}code{font-size:90%}</style>",
           "</head><body>", f"<h1>{e(title)}</h1>",
           "<p>Generated from <code>ontology/shapes.ttl</code> by <code>make docs</code>. "
           "Severity policy: " + "; ".join(f"<b class=\"{s}\">{s}</b>: {e(t)}" for s, t in _SEVERITY_TEXT.items()) + ".</p>"]
    for severity in SEVERITIES:
        group = sorted((r for r in rules if r.severity == severity), key=lambda r: (r.kind != "sparql", r.iri))
        if not group:
            continue
        out.append(f"<h2 class=\"{severity}\">{severity} ({len(group)} rules)</h2>")
        out.append("<table><tr><th>Rule</th><th>Kind</th><th>Applies to</th><th>Message</th></tr>")
        for r in group:
            anchor = r.iri.rsplit("#", 1)[-1]
            path = f"<br>path <code>{e(_short(r.path))}</code>" if r.path else ""
            comment = f"<br><small>{e(r.comment)}</small>" if r.comment else ""
            out.append(f"<tr id=\"{e(anchor)}\"><td><b>{e(r.label)}</b><br><code>{e(_short(r.iri))}</code></td>"
                       f"<td>{e(r.kind)}</td><td>{e(r.target)}{path}</td>"
                       f"<td>{'<br>'.join(e(m) for m in r.messages)}{comment}</td></tr>")
        out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``python -m ccus_kg.shapes [SHAPES.ttl] -o PAGE.html``: write the rules page (used by ``make docs``)."""
    import argparse

    from ccus_kg.files import write_text_atomic

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("shapes", nargs="?", help="shapes file (default: the packaged ontology/shapes.ttl)")
    parser.add_argument("-o", "--output", required=True, help="HTML file to write")
    args = parser.parse_args(argv)
    rules = load_rules(args.shapes)
    write_text_atomic(args.output, render_html(rules))
    print(f"wrote {args.output} ({len(rules)} rules)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
