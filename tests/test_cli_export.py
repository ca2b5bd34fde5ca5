"""``ccus-kg export``: the graph as Turtle, N-Triples or JSON-LD, to a file or standard output."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from helpers import invoke

from ccus_kg import __version__

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
POLICY = "https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022"


def parse(data: bytes, fmt: str) -> set:
    return set(ox.parse(data, format=FORMATS[fmt]))


@pytest.fixture(scope="module")
def seed_triples(seed_ttl) -> set:
    return set(ox.parse(path=str(seed_ttl), format=ox.RdfFormat.TURTLE))


def test_help_has_an_example():
    result = invoke("export", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "ccus-kg export --format nt -o build/ccus.nt" in result.stdout


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_export_to_a_file_parses_back_to_the_same_graph(seed_ttl, seed_graph, seed_triples, tmp_path, fmt):
    out = tmp_path / f"ccus.{fmt}"
    result = invoke("export", "-g", seed_ttl, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} ({out.stat().st_size} bytes, {len(seed_graph)} triples)\n"
    back = parse(out.read_bytes(), fmt)
    assert len(back) == len(seed_graph) == len(seed_triples)
    assert back == seed_triples
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_export_to_stdout(seed_ttl, seed_triples, fmt):
    result = invoke("export", "-g", seed_ttl, "-f", fmt)
    assert result.exit_code == 0
    assert parse(result.stdout_bytes, fmt) == seed_triples


def test_export_defaults_to_turtle_with_prefixes(seed_ttl):
    result = invoke("export", "-g", seed_ttl)
    assert result.exit_code == 0
    text = result.stdout
    assert "@prefix ccus: <https://w3id.org/ccus-kg/ontology#> ." in text
    assert "@prefix eli: <http://data.europa.eu/eli/ontology#> ." in text


def test_export_nt_is_one_sorted_triple_per_line(seed_ttl, seed_graph):
    lines = invoke("export", "-g", seed_ttl, "-f", "nt").stdout.splitlines()
    assert len(lines) == len(seed_graph)
    assert lines == sorted(lines)
    assert f'<{POLICY}> <http://purl.org/dc/terms/identifier> "cn-js-industrial-decarb-2022" .' in lines


def test_export_jsonld_is_json(seed_ttl):
    data = json.loads(invoke("export", "-g", seed_ttl, "-f", "jsonld").stdout)
    text = json.dumps(data, ensure_ascii=False)
    assert "cn-js-industrial-decarb-2022" in text and "江苏省" in text


def test_export_is_stable(seed_ttl):
    first = invoke("export", "-g", seed_ttl, "-f", "ttl").stdout_bytes
    assert invoke("export", "-g", seed_ttl, "-f", "ttl").stdout_bytes == first


def test_round_trip_through_jsonld_and_back(seed_ttl, seed_triples, tmp_path):
    jsonld = tmp_path / "g.jsonld"
    assert invoke("export", "-g", seed_ttl, "-f", "jsonld", "-o", jsonld).exit_code == 0
    nt = tmp_path / "g.nt"
    assert invoke("export", "-g", jsonld, "-f", "nt", "-o", nt).exit_code == 0
    assert parse(nt.read_bytes(), "nt") == seed_triples


def test_unknown_format(seed_ttl):
    result = invoke("export", "-g", seed_ttl, "-f", "rdfxml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr and "'rdfxml' is not one of 'ttl', 'nt', 'jsonld', 'trig', 'nq'" in result.stderr
    assert result.stdout == ""


def test_missing_graph(tmp_path):
    result = invoke("export", "-g", tmp_path / "none.ttl", "-o", tmp_path / "out.nt")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ccus-kg: error: {tmp_path / 'none.ttl'}: no such graph file")
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_bad_path(seed_ttl, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    result = invoke("export", "-g", seed_ttl, "-f", "nt", "-o", blocker / "g.nt")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"ccus-kg: error: cannot write {blocker / 'g.nt'}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_output_onto_a_folder_leaves_nothing_partial(seed_ttl, tmp_path):
    target = tmp_path / "g.ttl"
    target.mkdir()
    result = invoke("export", "-g", seed_ttl, "-o", target)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ccus-kg: error: cannot write {target}: ")
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"] and list(target.iterdir()) == []


def test_jsonld_is_compact_with_a_context(seed_ttl):
    out = invoke("export", "-g", seed_ttl, "-f", "jsonld").stdout_bytes
    data = json.loads(out)
    assert data["@context"]["eli"] == "http://data.europa.eu/eli/ontology#"
    assert any(node.get("@id", "").startswith("policy:") for node in data["@graph"])
    assert len(out) < 1.4 * seed_ttl.stat().st_size  # compact: about the size of the Turtle, not 1.8×


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_dataset_export_has_named_graphs_with_provenance(seed_ttl, seed_triples, fmt, tmp_path):
    out = tmp_path / f"g.{fmt}"
    result = invoke("export", "-g", seed_ttl, "-f", fmt, "--with-ontology", "-o", out)
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in store.named_graphs())
    assert graphs == ["https://w3id.org/ccus-kg/graph/data", "https://w3id.org/ccus-kg/graph/provenance",
                      "https://w3id.org/ccus-kg/graph/vocabularies", "https://w3id.org/ccus-kg/ontology"]
    # data + vocabularies are the graph exactly
    merged = {(q.subject, q.predicate, q.object) for q in store
              if q.graph_name.value in ("https://w3id.org/ccus-kg/graph/data", "https://w3id.org/ccus-kg/graph/vocabularies")}
    assert merged == {(t.subject, t.predicate, t.object) for t in seed_triples}
    prov = ("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?file ?time ?version WHERE { GRAPH <https://w3id.org/ccus-kg/graph/provenance> {"
            " <https://w3id.org/ccus-kg/graph/data> prov:wasDerivedFrom ?file ; prov:generatedAtTime ?time ; prov:wasAttributedTo ?agent ."
            " ?agent a prov:SoftwareAgent ; <http://www.w3.org/2002/07/owl#versionInfo> ?version } }")
    rows = list(store.query(prov))
    assert len(rows) == 5  # the five seed files
    assert all(r["file"].value.startswith("https://w3id.org/ccus-kg/id/source/seeds/") for r in rows)
    assert rows[0]["version"].value == __version__
    assert rows[0]["time"].datatype.value == "http://www.w3.org/2001/XMLSchema#dateTime"
    # each policy says which files it came from
    derived = list(store.query("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?p ?f WHERE { GRAPH ?g { ?p a <https://w3id.org/ccus-kg/ontology#Policy> ; prov:wasDerivedFrom ?f } }"))
    assert len({r["p"] for r in derived}) == 3 and len(derived) == 4  # MIIT has an en and a zh file


def test_with_ontology_merges_class_labels(seed_ttl):
    out = invoke("export", "-g", seed_ttl, "-f", "nt", "--with-ontology").stdout
    assert '<https://w3id.org/ccus-kg/ontology#Policy> <http://www.w3.org/2000/01/rdf-schema#subClassOf>' in out
    assert "<https://w3id.org/ccus-kg/ontology#Policy> <http://www.w3.org/2000/01/rdf-schema#label> \"CCUS policy\"@en" in out


def test_jsonld_is_byte_identical_across_processes(seed_ttl, tmp_path):
    """rdflib writes JSON-LD nodes in hash order; the export sorts them, so two processes with
    different hash seeds write the same bytes."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}.jsonld"
        done = subprocess.run([sys.executable, "-m", "ccus_kg", "export", "-g", str(seed_ttl), "-f", "jsonld", "-o", str(out)],
                              env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
