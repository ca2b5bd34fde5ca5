"""``ccus-kg lineage``: the supersedes/cluster graph from SPARQL, written as pictures and node-link files.

Synthetic input: us-syn-a (2024) replaces us-syn-b (2020), which replaces us-syn-c (2015) and
us-syn-gone (not in the input); a and b are in "Synthetic Storage Rules"; us-syn-d stands alone
in "Other Cluster".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from helpers import invoke, usage_error, write_synthetic

from ccus_kg.build import build


@pytest.fixture(scope="module")
def synthetic_ttl(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    result = build([write_synthetic(folder / "policies")], validate=False)
    path = folder / "synthetic.ttl"
    result.graph.write(path)
    return path


def test_help_has_examples():
    result = invoke("lineage", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "ccus-kg lineage --policy us-45q-ira -o build/45q.png" in result.stdout


def test_writes_every_file_asked_for(synthetic_ttl, tmp_path):
    outs = [tmp_path / "l.svg", tmp_path / "l.png", tmp_path / "l.graphml", tmp_path / "sub" / "l.json"]
    result = invoke("lineage", "-g", synthetic_ttl, *[a for o in outs for a in ("-o", o)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("lineage: 7 nodes, 3 supersedes links, 2 clusters, 2 replacement chains; "
                        "0 consolidation, 0 citation, 0 implementation links (0 inferred)")
    assert lines[1:] == [f"wrote {o}" for o in outs]
    svg = outs[0].read_text(encoding="utf-8")
    assert svg.startswith("<?xml") or "<svg" in svg[:2000]
    assert outs[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    g = nx.read_graphml(outs[2])
    assert sorted(g.nodes) == ["cluster:Other Cluster", "cluster:Synthetic Storage Rules", "us-syn-a", "us-syn-b",
                               "us-syn-c", "us-syn-d", "us-syn-gone"]
    assert sorted((u, v) for u, v, d in g.edges(data=True) if d["kind"] == "replaces") == [
        ("us-syn-a", "us-syn-b"), ("us-syn-b", "us-syn-c"), ("us-syn-b", "us-syn-gone")]
    data = json.loads(outs[3].read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == set(g.nodes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.graphml", "l.png", "l.svg", "sub"]


def test_one_policy(synthetic_ttl, tmp_path):
    out = tmp_path / "b.json"
    result = invoke("lineage", "-g", synthetic_ttl, "--policy", "us-syn-b", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("lineage: 5 nodes, 3 supersedes links, 1 clusters, 2 replacement chains; ")
    g = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert sorted(g.nodes) == ["cluster:Synthetic Storage Rules", "us-syn-a", "us-syn-b", "us-syn-c", "us-syn-gone"]
    assert g.nodes["us-syn-gone"]["in_corpus"] is False


def test_policy_without_links(synthetic_ttl, tmp_path):
    result = invoke("lineage", "-g", synthetic_ttl, "--policy", "us-syn-d", "-o", tmp_path / "d.graphml")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("lineage: 2 nodes, 0 supersedes links, 1 clusters, 0 replacement chains; ")
    assert sorted(nx.read_graphml(tmp_path / "d.graphml").nodes) == ["cluster:Other Cluster", "us-syn-d"]


def test_seeds_tell_the_miit_to_jiangsu_story(seed_ttl, tmp_path):
    """The seeds: MIIT's national plan, the Jiangsu action plan, the zero-carbon-parks guide and the
    policy-like items of the Jiangsu compilation, linked in one family by inferred links."""
    result = invoke("lineage", "-g", seed_ttl, "-o", tmp_path / "seeds.json")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("lineage: 7 nodes, 0 supersedes links, 0 clusters, 0 replacement chains; "
                                             "0 consolidation, 0 citation, 4 implementation links (4 inferred)")
    g = nx.node_link_graph(json.loads((tmp_path / "seeds.json").read_text(encoding="utf-8")), edges="edges")
    miit = "cn-miit-industrial-plan-2022"
    assert {u for u, v in g.edges if v == miit} >= {"cn-js-industrial-decarb-2022", "cn-zero-carbon-parks"}
    works = {d["label_zh"]: n for n, d in g.nodes(data=True) if d["kind"] == "work"}
    assert g.edges[works["江苏省工业领域及重点行业碳达峰实施方案"], miit]["kind"] == "implements"
    assert all(d["inferred"] and d["rule"] and d["evidence"] for *_e, d in g.edges(data=True))
    assert g.nodes[miit]["iri"] == "https://w3id.org/ccus-kg/id/policy/" + miit and g.nodes[miit]["level"] == "national"
    assert invoke("lineage", "-g", seed_ttl, "--stated-only", "-o", tmp_path / "s.json").stdout.splitlines()[0].endswith(
        "0 implementation links (0 inferred)")


def test_unknown_policy(synthetic_ttl, tmp_path):
    result = invoke("lineage", "-g", synthetic_ttl, "--policy", "no-such-policy", "-o", tmp_path / "x.svg")
    usage_error(result, "ccus-kg: error: policy 'no-such-policy'")
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_writes_nothing(synthetic_ttl, tmp_path):
    result = invoke("lineage", "-g", synthetic_ttl, "-o", tmp_path / "ok.json", "-o", tmp_path / "lineage.txt")
    usage_error(result, "cannot write lineage to 'lineage.txt'", ".svg, .png, .graphml, .json, .gexf, .html")
    assert list(tmp_path.iterdir()) == []  # not even the good one


def test_output_is_required(synthetic_ttl):
    usage_error(invoke("lineage", "-g", synthetic_ttl), "Missing option '--output'")


def test_missing_graph(tmp_path):
    usage_error(invoke("lineage", "-g", tmp_path / "none.ttl", "-o", tmp_path / "x.svg"), "no such graph file")
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_bad_path(synthetic_ttl, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    result = invoke("lineage", "-g", synthetic_ttl, "-o", blocker / "l.graphml")
    usage_error(result, f"ccus-kg: error: cannot write {blocker / 'l.graphml'}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_output_is_the_same_whatever_the_hash_seed(tmp_path):
    """Runs with different PYTHONHASHSEED of `lineage --policy` write byte-identical node-link JSON.

    The lineage asked for is a small part of a larger graph (so a set of its nodes, in hash order,
    would drive NetworkX's subgraph order if it were used)."""
    folder = write_synthetic(tmp_path / "input")
    for i in range(12):
        (folder / f"extra-{i}.md").write_text("---\n" + json.dumps({
            "id": f"us-extra-{i:02d}", "title": f"Extra Rule {i}", "country": "United States", "status": "Active",
            "source": "Environmental Protection Agency", "pubDate": "2021-01-01"}) + "\n---\nbody\n", encoding="utf-8")
    graph = tmp_path / "big.ttl"
    build([folder], validate=False).graph.write(graph)
    outputs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"b-{seed}.json"
        proc = subprocess.run(
            [sys.executable, "-m", "ccus_kg", "lineage", "-g", str(graph), "--policy", "us-syn-b", "-o", str(out)],
            capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(json.loads(outputs[0])["nodes"]) == 5


@pytest.mark.corpus
def test_corpus_45q(corpus_ttl, tmp_path):
    out = tmp_path / "45q.json"
    result = invoke("lineage", "-g", corpus_ttl, "--policy", "us-45q-ira", "-o", out)
    assert result.exit_code == 0, result.output
    assert ", 1 supersedes links, " in result.stdout.splitlines()[0]
    g = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "replaces"] == [("us-45q-ira", "us-45q-pre-2022")]
    assert g.nodes["us-45q-pre-2022"]["in_corpus"] is False
