"""The knowledge graph: an in-memory pyoxigraph store, with RDF input and output.

pyoxigraph (Oxigraph's Rust store) holds the triples: it parses, queries with SPARQL 1.1 and
serialises 15–80× faster than rdflib's memory store at a third of the memory, which the
100k-policy target needs.  rdflib is used only where a library needs it (pySHACL), through
:meth:`KnowledgeGraph.to_rdflib`.

Output formats (``FORMATS``): Turtle (``ttl``, W3C Turtle 1.1), N-Triples (``nt``) and JSON-LD
(``jsonld``, JSON-LD 1.1).  Output is written in a stable order (sorted N-Triples lines, then
re-serialised), so two builds of the same input give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from ccus_kg.errors import InputError, UsageError
from ccus_kg.files import atomic_writer
from ccus_kg.namespaces import PREFIXES

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

__all__ = ["KnowledgeGraph", "FORMATS", "format_from_path"]

#: Output/input formats by short name.
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_SUFFIXES = {".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld"}


def format_from_path(path: str | Path, default: str = "ttl") -> str:
    """Short format name (``ttl``/``nt``/``jsonld``) from a file suffix; ``default`` if unknown."""
    return _SUFFIXES.get(Path(path).suffix.lower(), default)


class KnowledgeGraph:
    """A set of RDF triples (the store's default graph) with query and serialisation.

    ``len(graph)`` is the number of triples.
    """

    def __init__(self, store: ox.Store | None = None):
        self.store = store if store is not None else ox.Store()

    def __len__(self) -> int:
        return len(self.store)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (triples in the default graph); duplicates are merged (RDF set semantics)."""
        self.store.extend(quads)

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None):
        """Run a SPARQL 1.1 query; ``PREFIXES`` are predeclared.

        Returns a bool (ASK), an iterator of ``QuerySolution`` (SELECT) or of ``Triple``
        (CONSTRUCT/DESCRIBE).  Raises ``SyntaxError`` (from pyoxigraph) on a malformed query.
        """
        return self.store.query(sparql, prefixes=dict(prefixes or PREFIXES))

    def sorted_triples(self) -> list[ox.Triple]:
        """Every triple, sorted by their N-Triples form (the stable output order)."""
        return [q.triple for q in sorted(self.store, key=str)]

    def serialize(self, fmt: str = "ttl") -> bytes:
        """Serialise to ``fmt`` (a key of ``FORMATS``); raises :class:`UsageError` for another name."""
        try:
            rdf_format = FORMATS[fmt]
        except KeyError:
            raise UsageError(f"unknown RDF format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
        prefixes = PREFIXES if fmt in ("ttl", "jsonld") else None
        return ox.serialize(self.sorted_triples(), format=rdf_format, prefixes=prefixes) or b""

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

        Terms are converted one by one (each distinct term once), about twice as fast as
        serialising to N-Triples and parsing that; ``xsd:string`` literals become rdflib simple
        literals, as an N-Triples round trip gives (RDF 1.1 §3.3: the same literal).
        """
        import rdflib

        string = _XSD_STRING
        cache: dict = {}

        def term(t):
            v = cache.get(t)
            if v is None:
                if isinstance(t, ox.NamedNode):
                    v = rdflib.URIRef(t.value)
                elif isinstance(t, ox.BlankNode):
                    v = rdflib.BNode(t.value)
                elif t.language:
                    v = rdflib.Literal(t.value, lang=t.language)
                elif t.datatype.value == string:
                    v = rdflib.Literal(t.value)
                else:
                    v = rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
                cache[t] = v
            return v

        g = rdflib.Graph()
        g.addN((term(q.subject), term(q.predicate), term(q.object), g) for q in self.store)
        return g
