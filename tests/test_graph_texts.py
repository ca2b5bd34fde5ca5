"""ccus_kg.graph_texts: the N-Triples text kept per named graph is what RocksDB gives back."""

from __future__ import annotations

import pyoxigraph as ox

from ccus_kg.graph_texts import GraphTexts
from ccus_kg.rdf.graph import KnowledgeGraph

XSD = "http://www.w3.org/2001/XMLSchema#"


def _quads(graph: str) -> list[ox.Quad]:
    """Literals RocksDB stores in another form than they are written, an IRI, a language tag, a blank node."""
    g = ox.NamedNode(graph)
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    values = [("0.50", "decimal"), ("012", "nonNegativeInteger"), ("1", "boolean"), ("1.0E0", "double"),
              ("2024-01-01T00:00:00.000Z", "dateTime"), ("2024-1-1", "date"), ("02024", "gYear")]
    quads = [ox.Quad(s, p, ox.Literal(v, datatype=ox.NamedNode(XSD + d)), g) for v, d in values]
    quads += [ox.Quad(s, p, ox.NamedNode("https://example.org/o"), g), ox.Quad(s, p, ox.Literal("碳", language="zh"), g),
              ox.Quad(ox.BlankNode("b1"), p, ox.Literal("a \"quoted\"\nline"), g)]
    return quads


def test_texts_are_what_rocksdb_gives_back(tmp_path):
    store = ox.Store(str(tmp_path / "db"))
    texts = GraphTexts(tmp_path / "graphs.sqlite")
    quads = _quads("https://example.org/g1") + _quads("https://example.org/g2")
    store.extend(quads)
    texts.add(quads[:12])  # one graph in two chunks
    texts.add(quads[12:])
    texts.commit()
    assert texts.graphs() == {"https://example.org/g1", "https://example.org/g2"}
    from_texts = KnowledgeGraph(store, union=True, graph_texts=texts).sorted_ntriples()
    assert from_texts == KnowledgeGraph(store, union=True).sorted_ntriples()
    assert b'"0.5"^^<http://www.w3.org/2001/XMLSchema#decimal>' in from_texts


def test_a_removed_graph_is_written_from_the_store(tmp_path):
    store = ox.Store(str(tmp_path / "db"))
    texts = GraphTexts(tmp_path / "graphs.sqlite")
    quads = _quads("https://example.org/g1") + _quads("https://example.org/g2")
    store.extend(quads)
    texts.add(quads)
    texts.remove("https://example.org/g1")
    store.remove_graph(ox.NamedNode("https://example.org/g2"))  # a graph gone from the store loses its text too
    texts.remove("https://example.org/g2")
    texts.commit()
    texts.close()
    reopened = GraphTexts(tmp_path / "graphs.sqlite")
    assert reopened.graphs() == set()
    written = KnowledgeGraph(store, union=True, graph_texts=reopened).sorted_ntriples()
    assert written == KnowledgeGraph(store, union=True).sorted_ntriples() and b"example.org/s" in written


def test_uncommitted_texts_are_rolled_back(tmp_path):
    texts = GraphTexts(tmp_path / "graphs.sqlite")
    texts.add(_quads("https://example.org/g1"))
    texts.close()  # a build that stopped half-way
    assert GraphTexts(tmp_path / "graphs.sqlite").graphs() == set()
