"""The N-Triples text of a store's named graphs, kept beside the RocksDB store.

Writing a graph file from the RocksDB store means reading every quad back and decoding each of its
terms (about 7 µs a quad on the benchmark machine: longer than parsing the written Turtle).  The
conversion already holds each named graph's quads, so a store build also keeps their N-Triples text
(W3C RDF 1.1 N-Triples, one triple per line) in an SQLite table, ``graphs.sqlite`` in the store's
folder, and :meth:`GraphTexts.write` hands it to the sorted writer
(:meth:`ccus_kg.rdf.graph.KnowledgeGraph.write_sorted_ntriples`) instead of dumping those graphs.

The text is the store's own: quads go through an in-memory pyoxigraph store first, which gives
literals the canonical form RocksDB gives them (``"0.50"^^xsd:decimal`` is stored as ``"0.5"``,
``"012"^^xsd:nonNegativeInteger`` as ``"12"^^xsd:integer``), so the file written from the texts
is byte-identical to the one written from RocksDB (``tests/test_graph_texts.py``).

Only graphs written whole through :meth:`GraphTexts.add` have texts; a graph that changes by
difference (the shared graphs of :mod:`ccus_kg.store`) is dumped from RocksDB when written.
Changes are committed by :meth:`GraphTexts.commit`, which the store build calls just before it
marks the store clean: a build that stops half-way leaves the store to be rebuilt, texts included.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyoxigraph as ox

__all__ = ["GraphTexts", "TEXTS_FILE", "text_rows"]

#: The SQLite file in the store's folder.
TEXTS_FILE = "graphs.sqlite"


def text_rows(canonical: ox.Store) -> list[tuple[str, bytes]]:
    """``(graph IRI, N-Triples text)`` of each named graph of the in-memory store ``canonical`` (whose
    literals have the store's canonical forms), for :meth:`GraphTexts.add_rows`."""
    return [(g.value, canonical.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b"")
            for g in canonical.named_graphs() if isinstance(g, ox.NamedNode)]


class GraphTexts:
    """N-Triples text per named graph IRI, in the SQLite file ``path`` (created when missing, unless
    ``read_only``: then the file must exist and is only read).

    One graph may have several rows (its quads arrived in several chunks); :meth:`remove` drops them
    all.  Raises ``sqlite3.Error`` when the file cannot be opened or written.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        if read_only:
            self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            return
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS texts (graph TEXT NOT NULL, ntriples BLOB NOT NULL)")
        self.db.execute("CREATE INDEX IF NOT EXISTS texts_graph ON texts (graph)")

    def add(self, quads: Iterable[ox.Quad]) -> int:
        """Keep the N-Triples text of ``quads`` (of named graphs; default-graph quads are ignored),
        in the store's canonical literal forms; returns the bytes added."""
        canonical = ox.Store()
        canonical.bulk_extend(quads)
        return self.add_rows(text_rows(canonical))

    def add_rows(self, rows: list[tuple[str, bytes]]) -> int:
        """Keep the texts ``rows`` made by :func:`text_rows` (in a worker process of a store build);
        returns the bytes added."""
        self.db.executemany("INSERT INTO texts (graph, ntriples) VALUES (?, ?)", rows)
        return sum(len(text) for _g, text in rows)

    def remove(self, graph: str) -> None:
        """Forget the text of the named graph IRI ``graph`` (its graph is removed or rewritten)."""
        self.db.execute("DELETE FROM texts WHERE graph = ?", (graph,))

    def clear(self) -> None:
        """Forget every text (the store is emptied)."""
        self.db.execute("DELETE FROM texts")

    def graphs(self) -> set[str]:
        """The IRIs of the named graphs that have a text."""
        return {row[0] for row in self.db.execute("SELECT DISTINCT graph FROM texts")}

    def text(self, graph: str) -> bytes | None:
        """The N-Triples text of the named graph IRI ``graph`` (its rows joined), or None when it has none."""
        rows = self.db.execute("SELECT ntriples FROM texts WHERE graph = ? ORDER BY rowid", (graph,)).fetchall()
        return b"".join(row[0] for row in rows) if rows else None

    def write(self, output: IO[bytes]) -> set[str]:
        """Write every text to the binary ``output`` (N-Triples lines, in no particular order);
        returns the IRIs of the graphs written."""
        written: set[str] = set()
        for graph, text in self.db.execute("SELECT graph, ntriples FROM texts"):
            output.write(text)
            written.add(graph)
        return written

    def commit(self) -> None:
        """Make the changes since the last commit durable."""
        self.db.commit()

    def close(self) -> None:
        """Roll back what was not committed and close the file."""
        self.db.close()
