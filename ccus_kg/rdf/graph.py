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
It is an external merge sort with bounded memory: pyoxigraph's N-Triples go straight into runs of at
most ``SORT_RUN_BYTES``, sorted in memory and written to temporary files, and :func:`heapq.merge`
streams them into the output (temporary files in the output's folder for :meth:`KnowledgeGraph.write`,
else ``$TMPDIR``; removed afterwards).  Turtle and the other formats are re-serialised from the merge,
streamed into pyoxigraph's parser, so writing never holds the graph's text nor writes a sorted copy of it.
"""

from __future__ import annotations

import heapq
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import pyoxigraph as ox

from ccus_kg.errors import InputError, OutputError
from ccus_kg.files import atomic_writer
from ccus_kg.namespaces import PREFIXES

if TYPE_CHECKING:
    from ccus_kg.graph_texts import GraphTexts

__all__ = ["KnowledgeGraph", "FORMATS", "format_from_path", "compact_jsonld", "SORT_RUN_BYTES"]

#: Bytes of N-Triples lines sorted in memory at once when writing (one run of the external sort;
#: about 1.6× this in Python memory).
SORT_RUN_BYTES = 64 * 1024 * 1024

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
    by two named graphs counts twice).  ``graph_texts``: the N-Triples text of some of the store's
    named graphs (:class:`~ccus_kg.graph_texts.GraphTexts`), written instead of dumping them.
    """

    def __init__(self, store: ox.Store | None = None, *, union: bool = False, graph_texts: GraphTexts | None = None):
        self.store = store if store is not None else ox.Store()
        self.union = union
        self.graph_texts = graph_texts

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

    def sorted_ntriples(self, *, run_bytes: int = SORT_RUN_BYTES) -> bytes:
        """Every triple of the default graph (or the union) as N-Triples, one per line, lines sorted (the stable output order)."""
        buffer = io.BytesIO()
        self.write_sorted_ntriples(buffer, run_bytes=run_bytes)
        return buffer.getvalue()

    def write_sorted_ntriples(self, output: IO[bytes], *, tmpdir: str | Path | None = None,
                              run_bytes: int = SORT_RUN_BYTES) -> int:
        """Write :meth:`sorted_ntriples` to the binary ``output`` with bounded memory; returns the triples written.

        An external merge sort (:meth:`_sorted_batches`): temporary files in ``tmpdir`` (default
        ``$TMPDIR``), removed after.  Raises ``OSError`` when a temporary file cannot be written.
        """
        written = 0
        with self._sorted_batches(tmpdir, run_bytes) as batches:
            for batch in batches:
                output.writelines(batch)
                written += len(batch)
        return written

    @contextmanager
    def _sorted_batches(self, tmpdir: str | Path | None, run_bytes: int) -> Iterator[Iterator[list[bytes]]]:
        """The graph's N-Triples lines, sorted, each distinct line once, in batches (lists of lines);
        the iterator is valid inside the ``with`` block.

        pyoxigraph's N-Triples (and the texts kept in ``graph_texts``) go straight into runs of at
        most ``run_bytes`` bytes, sorted in memory; every run but the last is written to a temporary
        file in ``tmpdir``, and :func:`heapq.merge` streams them with the last one.  No dump of the
        whole graph and no sorted copy of it are written: at 100k policies those were two more
        4 GB files through the page cache.
        """
        with tempfile.TemporaryDirectory(prefix=".ccus-kg-sort.", dir=tmpdir) as work, ExitStack() as stack:
            runs = _Runs(work, run_bytes)
            sink = cast(IO[bytes], runs)  # a sink with write and flush, what both writers call
            graphs: Iterable[Any] = self.store.named_graphs() if self.union else [ox.DefaultGraph()]
            # the graphs kept as text are copied from it: decoding quads from RocksDB is slower
            have = self.graph_texts.write(sink) if self.union and self.graph_texts is not None else set()
            for g in graphs:
                if not (isinstance(g, ox.NamedNode) and g.value in have):
                    self.store.dump(sink, format=ox.RdfFormat.N_TRIPLES, from_graph=g)
            last = runs.take(final=True)
            files = [stack.enter_context(open(run, "rb")) for run in runs.files]
            yield _distinct_batches(heapq.merge(last, *files) if files else last)

    def serialize(self, fmt: str = "ttl", quads: list[ox.Quad] | None = None, *, run_bytes: int = SORT_RUN_BYTES) -> bytes:
        """Serialise to ``fmt`` (a key of ``FORMATS``); raises :class:`~ccus_kg.errors.OutputError` for another name.

        ``quads``: write these (a dataset of named graphs, for ``trig``/``nq``) instead of the graph.
        The result is in memory; :meth:`write` writes a file with bounded memory.
        """
        rdf_format = _format(fmt)
        if quads is not None:  # a dataset of named graphs (trig, nq), or its triples for a graph format
            if fmt == "jsonld":
                return compact_jsonld([q.triple for q in quads])
            items: list = list(quads) if rdf_format.supports_datasets else [q.triple for q in quads]
            return ox.serialize(items, format=rdf_format, prefixes=PREFIXES if fmt in ("ttl", "trig") else None) or b""
        buffer = io.BytesIO()
        self._write_sorted(buffer, fmt, None, run_bytes)
        return buffer.getvalue()

    def _write_sorted(self, output: IO[bytes], fmt: str, tmpdir: str | Path | None, run_bytes: int) -> None:
        if fmt == "nt":
            self.write_sorted_ntriples(output, tmpdir=tmpdir, run_bytes=run_bytes)
            return
        with self._sorted_batches(tmpdir, run_bytes) as batches:
            # streamed from the merge into the parser: no list of Python triples, no sorted file
            source = io.BufferedReader(_BatchReader(b"".join(batch) for batch in batches), buffer_size=1 << 20)
            triples = ox.parse(source, format=ox.RdfFormat.N_TRIPLES)
            if fmt == "jsonld":
                output.write(compact_jsonld(list(triples)))
                return
            ox.serialize(triples, output, format=FORMATS[fmt], prefixes=PREFIXES if fmt in ("ttl", "trig") else None)

    def write(self, path: str | Path, fmt: str | None = None, *, run_bytes: int = SORT_RUN_BYTES) -> int:
        """Write the graph to ``path`` atomically, in the stable order; returns bytes written.

        Memory stays bounded whatever the graph's size (about ``run_bytes`` of N-Triples lines at
        once; JSON-LD excepted, which rdflib compacts in memory); the sort's temporary files go
        in ``path``'s folder and are removed.  Raises :class:`~ccus_kg.errors.OutputError` for an
        unknown format, ``OSError`` when the folder cannot be written.
        """
        fmt = fmt or format_from_path(path)
        _format(fmt)
        with atomic_writer(path, "wb") as handle:
            self._write_sorted(handle, fmt, Path(path).parent, run_bytes)
            handle.flush()
            return handle.tell()

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


def _format(fmt: str) -> ox.RdfFormat:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise OutputError(f"unknown RDF format {fmt!r}; expected one of {', '.join(FORMATS)}") from None


class _Runs:
    """A binary sink (``write``) for N-Triples text: whole lines are held until ``run_bytes``, then
    sorted and written, each distinct line once, to a run file in ``folder`` (``files``)."""

    def __init__(self, folder: str, run_bytes: int):
        self.folder, self.run_bytes = folder, run_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self.files: list[str] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= self.run_bytes:
            name = os.path.join(self.folder, f"run-{len(self.files):05d}.nt")
            with open(name, "wb") as handle:
                for batch in _distinct_batches(self.take(final=False)):
                    handle.writelines(batch)
            self.files.append(name)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: a run is written whole (pyoxigraph's ``dump`` calls this)."""

    def take(self, final: bool) -> list[bytes]:
        """The lines held, sorted (each with its "\\n"); a line not ended yet stays held unless ``final``."""
        text = b"".join(self.parts)
        self.parts = []
        lines = io.BytesIO(text).readlines()  # split at "\n" only; the BytesIO shares text's buffer (no copy)
        del text
        self.size = 0
        if lines and not lines[-1].endswith(b"\n"):
            if final:
                lines[-1] += b"\n"
            else:
                self.parts = [lines.pop()]
                self.size = len(self.parts[0])
        # sorting lines with their "\n" keeps the order of lines without it: no line is a prefix of
        # another (each ends with " ." and a literal cannot hold an unescaped '"')
        lines.sort()
        return lines


def _distinct_batches(lines: Iterable[bytes], size: int = 65_536) -> Iterator[list[bytes]]:
    """Sorted ``lines``, each distinct line once, in lists of up to ``size`` lines."""
    previous = None
    batch: list[bytes] = []
    for line in lines:
        if line != previous:
            batch.append(line)
            previous = line
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


class _BatchReader(io.RawIOBase):
    """A readable binary stream over ``blocks`` of bytes (for :class:`io.BufferedReader`)."""

    def __init__(self, blocks: Iterator[bytes]):
        self.blocks = blocks
        self.block = memoryview(b"")
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.offset >= len(self.block):
            block = next(self.blocks, None)
            if block is None:
                return 0
            self.block, self.offset = memoryview(block), 0
        n = min(len(buffer), len(self.block) - self.offset)
        buffer[:n] = self.block[self.offset:self.offset + n]
        self.offset += n
        return n


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
