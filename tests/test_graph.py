"""The pyoxigraph-backed graph: formats, round trips, atomic writes, load errors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ccus_kg.errors import InputError, OutputError
from ccus_kg.rdf.graph import KnowledgeGraph, format_from_path


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_round_trip_keeps_every_triple(seed_graph, tmp_path, fmt):
    path = tmp_path / f"g.{fmt}"
    seed_graph.write(path)
    again = KnowledgeGraph.load(path)
    assert len(again) == len(seed_graph)
    assert set(again.store) == set(seed_graph.store)


def test_turtle_uses_the_standard_prefixes(seed_graph):
    text = seed_graph.serialize("ttl").decode("utf-8")
    assert "@prefix eli: <http://data.europa.eu/eli/ontology#> ." in text
    assert "eli:LegalResource" in text


def test_unknown_format_is_a_usage_error(seed_graph):
    with pytest.raises(OutputError, match="unknown RDF format 'xml'"):
        seed_graph.serialize("xml")


def test_load_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b \n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.ttl"):
        KnowledgeGraph.load(bad)
    with pytest.raises(InputError, match="cannot read"):
        KnowledgeGraph.load(tmp_path / "missing.ttl")


def test_failed_write_leaves_the_old_file(seed_graph, tmp_path, monkeypatch):
    path = tmp_path / "g.ttl"
    path.write_text("old", encoding="utf-8")

    def boom(self, fmt="ttl"):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(KnowledgeGraph, "serialize", boom)
    with pytest.raises(RuntimeError):
        seed_graph.write(path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def test_format_from_path():
    assert [format_from_path(p) for p in ("a.ttl", "a.NT", "a.jsonld", "a.json", "a.xyz")] == ["ttl", "nt", "jsonld", "jsonld", "ttl"]


def test_to_rdflib_has_the_same_triples(seed_graph):
    assert len(seed_graph.to_rdflib()) == len(seed_graph)


def test_from_bytes():
    g = KnowledgeGraph.from_bytes(b"<http://x/a> <http://x/b> \"c\" .\n", "nt")
    assert list(g.store)[0].object == ox.Literal("c")


def test_to_rdflib_equals_parsing_the_n_triples(seed_build):
    import rdflib
    from rdflib.compare import isomorphic

    parsed = rdflib.Graph().parse(data=seed_build.graph.serialize("nt"), format="nt")
    assert isomorphic(seed_build.graph.to_rdflib(), parsed)
