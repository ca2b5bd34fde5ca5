"""The pyoxigraph-backed graph: formats, round trips, atomic writes, load errors."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ccus_kg.errors import InputError, OutputError
from ccus_kg.namespaces import PREFIXES
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


# A child process loads the seed graph, limits the size of the files it may write (RLIMIT_FSIZE,
# POSIX setrlimit) to a few KiB, and writes the graph over an existing file: the write fails half
# way with EFBIG ("File too large"), as on a full disk.  A plain open(path, "wb") would have
# truncated the old file and left the first KiB of the new one.
_LIMITED_WRITER = textwrap.dedent("""
    import resource, sys
    from ccus_kg.rdf.graph import KnowledgeGraph
    graph = KnowledgeGraph.load(sys.argv[1])
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    graph.write(sys.argv[2])
""")


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX setrlimit (the resource module)")
def test_write_that_fails_half_way_leaves_the_old_file_and_no_temporary(seed_ttl, tmp_path):
    limit = 4096
    assert seed_ttl.stat().st_size > 4 * limit  # the graph cannot be written within the limit
    out = tmp_path / "out"
    out.mkdir()
    path = out / "g.ttl"
    old = b"<http://example.org/old> <http://example.org/p> \"the previous build\" .\n"
    path.write_bytes(old)
    child = subprocess.run([sys.executable, "-c", _LIMITED_WRITER, str(seed_ttl), str(path), str(limit)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode != 0
    assert os.strerror(errno.EFBIG) in child.stderr, child.stderr  # it failed writing, not before
    assert path.read_bytes() == old
    assert [p.name for p in out.iterdir()] == ["g.ttl"]  # the temporary .part file is removed


def test_failed_serialisation_leaves_the_old_file(seed_graph, tmp_path, monkeypatch):
    path = tmp_path / "g.ttl"
    path.write_text("old", encoding="utf-8")

    def boom(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(KnowledgeGraph, "_sorted_batches", boom)  # the sort every format is written from
    with pytest.raises(RuntimeError):
        seed_graph.write(path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld"])
def test_external_sort_in_small_runs_writes_the_same_bytes(seed_build, tmp_path, fmt):
    """Runs of 4 KB force the external merge sort (over 50 run files); the output is byte for
    byte what sorting every N-Triples line in memory gives, and no temporary file is left."""
    graph = seed_build.graph
    lines = sorted(set((graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"").splitlines(keepends=True)))
    reference = b"".join(lines)
    assert len(reference) > 50 * 4096
    if fmt != "nt":
        triples = ox.parse(reference, format=ox.RdfFormat.N_TRIPLES)
        reference = (graph.serialize(fmt) if fmt == "jsonld" else
                     ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)) or b"")
    out = tmp_path / "out"
    size = graph.write(out / f"g.{fmt}", run_bytes=4096)
    assert (out / f"g.{fmt}").read_bytes() == reference and size == len(reference)
    assert graph.serialize(fmt, run_bytes=4096) == reference
    assert [p.name for p in out.iterdir()] == [f"g.{fmt}"]


def test_external_sort_writes_a_triple_of_two_named_graphs_once(tmp_path):
    """The union of named graphs (a persistent store): a triple held by two graphs and spread over
    two runs is one line."""
    store = ox.Store()
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    for i in range(200):
        for g in ("a", "b"):
            store.add(ox.Quad(s, p, ox.Literal(f"value {i:03d}"), ox.NamedNode(f"http://example.org/graph/{g}")))
    union = KnowledgeGraph(store, union=True)
    text = union.sorted_ntriples(run_bytes=1000)
    assert text.splitlines() == sorted({f'<http://example.org/s> <http://example.org/p> "value {i:03d}" .'.encode() for i in range(200)})


def test_format_from_path():
    assert [format_from_path(p) for p in ("a.ttl", "a.NT", "a.jsonld", "a.json", "a.xyz")] == ["ttl", "nt", "jsonld", "jsonld", "ttl"]


def test_to_rdflib_has_the_same_triples(seed_graph):
    # the reference is rdflib's own N-Triples parser reading pyoxigraph's output; isomorphic
    # compares the triple sets (blank nodes up to renaming)
    reference = rdflib.Graph().parse(data=seed_graph.serialize("nt").decode("utf-8"), format="nt")
    converted = seed_graph.to_rdflib()
    assert len(converted) == len(seed_graph) == len(reference)
    assert isomorphic(converted, reference)


def test_from_bytes():
    g = KnowledgeGraph.from_bytes(b"<http://x/a> <http://x/b> \"c\" .\n", "nt")
    assert list(g.store)[0].object == ox.Literal("c")


def test_to_rdflib_equals_parsing_the_n_triples(seed_build):
    import rdflib
    from rdflib.compare import isomorphic

    parsed = rdflib.Graph().parse(data=seed_build.graph.serialize("nt"), format="nt")
    assert isomorphic(seed_build.graph.to_rdflib(), parsed)
