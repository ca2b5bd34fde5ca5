"""The knowledge graph: an in-memory pyoxigraph store, with RDF input and output.

pyoxigraph (Oxigraph's Rust store) holds the triples: it parses, queries with SPARQL 1.1 and
serialises 15–80× faster than rdflib's memory store at a third of the memory, which the
100k-policy target needs.  rdflib is used only where a library needs it (pySHACL), through
:meth:`KnowledgeGraph.to_rdflib`.

Output formats (``FORMATS``): Turtle (``ttl``, W3C Turtle 1.1), N-Triples (``nt``), JSON-LD
(``jsonld``, JSON-LD 1.1, compacted with an ``@context`` of the ``PREFIXES``, through rdflib), and
the dataset formats TriG (``trig``) and N-Quads (``nq``) for named graphs (:mod:`ccus_kg.rdf.dataset`).
Reading a TriG or N-Quads file merges its named graphs into the one graph.  Output is written in a
stable order (sorted N-Triples lines, then re-serialised), so two builds of the same input give
byte-identical files.  The sort runs on the N-Triples bytes pyoxigraph writes (UTF-8 byte order is
code point order), not on Python term objects: at 1.8 million triples that is seconds, not tens of seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccus_kg.errors import InputError, OutputError
from ccus_kg.files import atomic_writer
from ccus_kg.namespaces import PREFIXES

__all__ = ["KnowledgeGraph", "FORMATS", "format_from_path", "compact_jsonld"]

#: Output/input formats by short name.
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SUFFIXES = {".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld", ".trig": "trig", ".nq": "nq"}


def format_from_path(path: str | Path, default: str = "ttl") -> str:
    """Short format name (``ttl``/``nt``/``jsonld``/``trig``/``nq``) from a file suffix; ``default`` if unknown."""
    return _SUFFIXES.get(Path(path).suffix.lower(), default)


class KnowledgeGraph:
    """A set of RDF triples (the store's default graph) with query and serialisation.

    ``len(graph)`` is the number of triples.  With ``union=True`` the graph is the union of the
    store's named graphs (a persistent store, :mod:`ccus_kg.store`): queries see that union as
    their default graph, output holds each triple once, and ``len`` counts quads (a triple held
    by two named graphs counts twice).
    """

    def __init__(self, store: ox.Store | None = None, *, union: bool = False):
        self.store = store if store is not None else ox.Store()
        self.union = union

    def __len__(self) -> int:
        return len(self.store)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (triples in the default graph); duplicates are merged (RDF set semantics)."""
        self.store.extend(quads)

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None):
        """Run a SPARQL 1.1 query; ``PREFIXES`` are predeclared unless ``prefixes`` is given (``{}``: none).

        Returns a bool (ASK), an iterator of ``QuerySolution`` (SELECT) or of ``Triple``
        (CONSTRUCT/DESCRIBE).  Raises ``SyntaxError`` (from pyoxigraph) on a malformed query.
        """
        return self.store.query(sparql, prefixes=dict(PREFIXES if prefixes is None else prefixes),
                                use_default_graph_as_union=self.union)

    def sorted_ntriples(self) -> bytes:
        """Every triple of the default graph (or the union) as N-Triples, one per line, lines sorted (the stable output order)."""
        if self.union:
            dumped = b"".join(self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b"" for g in self.store.named_graphs())
            lines = sorted(set(dumped.split(b"\n")))
        else:
            lines = (self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"").split(b"\n")
            lines.sort()
        body = b"\n".join(line for line in lines if line)
        return body + b"\n" if body else b""

    def serialize(self, fmt: str = "ttl", quads: list[ox.Quad] | None = None) -> bytes:
        """Serialise to ``fmt`` (a key of ``FORMATS``); raises :class:`~ccus_kg.errors.OutputError` for another name.

        ``quads``: write these (a dataset of named graphs, for ``trig``/``nq``) instead of the graph.
        """
        try:
            rdf_format = FORMATS[fmt]
        except KeyError:
            raise OutputError(f"unknown RDF format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
        if quads is not None:  # a dataset of named graphs (trig, nq), or its triples for a graph format
            if fmt == "jsonld":
                return compact_jsonld([q.triple for q in quads])
            items: list = list(quads) if rdf_format.supports_datasets else [q.triple for q in quads]
            return ox.serialize(items, format=rdf_format, prefixes=PREFIXES if fmt in ("ttl", "trig") else None) or b""
        ntriples = self.sorted_ntriples()
        if fmt == "nt":
            return ntriples
        triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)  # streamed: no list of Python triples
        if fmt == "jsonld":
            return compact_jsonld(list(triples))
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES if fmt in ("ttl", "trig") else None) or b""

    def write(self, path: str | Path, fmt: str | None = None) -> int:
        """Write the graph to ``path`` atomically; returns bytes written."""
        data = self.serialize(fmt or format_from_path(path))
        with atomic_writer(path, "wb") as handle:
            handle.write(data)
        return len(data)

    @classmethod
    def load(cls, path: str | Path, fmt: str | None = None) -> KnowledgeGraph:
        """Read an RDF file (format from ``fmt`` or the suffix).

        Raises :class:`InputError` with the file and line when it cannot be read or parsed.
        """
        path = Path(path)
        rdf_format = FORMATS[fmt or format_from_path(path)]
        graph = cls()
        try:
            if rdf_format.supports_datasets:  # merge the named graphs into the one graph
                graph.store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=rdf_format))
            else:
                graph.store.bulk_load(path=str(path), format=rdf_format)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
        except SyntaxError as exc:
            raise InputError(f"not valid {rdf_format.name}: {exc}", path=str(path), line=getattr(exc, "lineno", None)) from None
        return graph

    @classmethod
    def from_bytes(cls, data: bytes, fmt: str = "ttl") -> KnowledgeGraph:
        """Parse RDF from bytes; raises ``SyntaxError`` (pyoxigraph) on malformed input."""
        graph = cls()
        graph.store.bulk_load(data, format=FORMATS[fmt])
        return graph

    def to_rdflib(self):
        """Copy into an :class:`rdflib.Graph` for libraries that need rdflib (pySHACL).

        Term by term, without serialising and re-parsing: rdflib's N-Triples parser takes time
        quadratic in a literal's length (minutes for an 18 MB body text); this is linear.
        """
        import rdflib

        g = rdflib.Graph()
        nodes: dict[object, object] = {}

        def term(t):
            cached = nodes.get(t)
            if cached is not None:
                return cached
            if isinstance(t, ox.NamedNode):
                made = rdflib.URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                made = rdflib.BNode(t.value)
            elif t.language:
                made = rdflib.Literal(t.value, lang=t.language)
            elif t.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal; rdflib compares them apart
                made = rdflib.Literal(t.value)
            else:
                made = rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
            nodes[t] = made
            return made

        g.addN((term(q.subject), term(q.predicate), term(q.object), g) for q in self.store)
        return g


def compact_jsonld(triples: list[ox.Triple]) -> bytes:
    """Compact JSON-LD 1.1 (one ``@graph``, an ``@context`` of ``PREFIXES``, keys sorted, no
    indentation) of ``triples``, by rdflib's JSON-LD serialiser."""
    graph = KnowledgeGraph()
    graph.add(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    text = graph.to_rdflib().serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, indent=None, separators=(",", ":"))
    # rdflib emits nodes and multiple values in its hash order, which differs between processes: put
    # every array (JSON-LD arrays of values are unordered sets here; no @list is written) in a stable order
    document = _sorted_arrays(json.loads(text))
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def _sorted_arrays(value: Any) -> Any:
    """``value`` (parsed JSON) with every array sorted by the canonical JSON text of its items."""
    if isinstance(value, dict):
        return {k: _sorted_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_arrays(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value
