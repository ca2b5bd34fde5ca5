"""The lineage graph (ccus_kg.lineage) from real SPARQL rows on a synthetic input, and its file outputs.

Synthetic input: us-syn-a (2024) replaces us-syn-b (2020), which replaces us-syn-c (2015) and
us-syn-gone (not in the input); a and b are in the cluster "Synthetic Storage Rules"; us-syn-d
stands alone in "Other Cluster".
"""

from __future__ import annotations

import json

import networkx as nx
import pytest
from helpers import write_synthetic

from ccus_kg.build import build
from ccus_kg.errors import OutputError
from ccus_kg.lineage import OUTPUT_SUFFIXES, chains, from_graph, lineage_graph, neighbourhood, replacement_graph, write
from ccus_kg.namespaces import CCUS, DCTERMS, RDF, SKOS

CLUSTER = "cluster:Synthetic Storage Rules"
OTHER = "cluster:Other Cluster"


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    result = build([write_synthetic(tmp_path_factory.mktemp("synthetic") / "policies")], validate=False)
    assert result.errors == []
    return result.graph


@pytest.fixture(scope="module")
def g(kg):
    return from_graph(kg)


def test_nodes(g):
    assert sorted(g.nodes) == [OTHER, CLUSTER, "us-syn-a", "us-syn-b", "us-syn-c", "us-syn-d", "us-syn-gone"]
    assert g.nodes["us-syn-b"] == {"kind": "policy", "label": "Synthetic Rule B", "label_en": "Synthetic Rule B", "label_zh": "",
                                   "in_corpus": True, "published": "2020-06-01", "date": "2020-06-01", "date_source": "publication",
                                   "jurisdiction": "US", "level": "national", "iri": "https://w3id.org/ccus-kg/id/policy/us-syn-b",
                                   "agency": "United States Environmental Protection Agency", "url": ""}
    assert g.nodes["us-syn-gone"]["kind"] == "policy"
    assert g.nodes["us-syn-gone"]["in_corpus"] is False
    assert g.nodes[CLUSTER] == {"kind": "cluster", "label": "Synthetic Storage Rules"}
    assert g.nodes[OTHER] == {"kind": "cluster", "label": "Other Cluster"}


def test_edges_and_kinds(g):
    assert sorted((u, v, d["kind"]) for u, v, d in g.edges(data=True)) == [
        ("us-syn-a", CLUSTER, "member_of"),
        ("us-syn-a", "us-syn-b", "replaces"),  # newer → older
        ("us-syn-b", CLUSTER, "member_of"),
        ("us-syn-b", "us-syn-c", "replaces"),
        ("us-syn-b", "us-syn-gone", "replaces"),
        ("us-syn-d", OTHER, "member_of"),
    ]


def test_from_graph_has_one_edge_per_lineage_triple_and_one_node_per_policy(kg, g):
    # expected values read from the store's triples directly (no SPARQL): every dcterms:replaces
    # triple is a "replaces" edge, every dcterms:isPartOf a "member_of" edge to "cluster:<label>",
    # every ccus:Policy a policy node named by its dcterms:identifier
    def triples(p):
        return [(q.subject, q.object) for q in kg.store.quads_for_pattern(None, p, None)]

    ident = {s: o.value for s, o in triples(DCTERMS.identifier)}
    label = {s: o.value for s, o in triples(SKOS.prefLabel)}
    expected = {(ident[s], ident[o], "replaces") for s, o in triples(DCTERMS.replaces)}
    expected |= {(ident[s], "cluster:" + label[o], "member_of") for s, o in triples(DCTERMS.isPartOf)}
    assert {(u, v, d["kind"]) for u, v, d in g.edges(data=True)} == expected
    policies = {ident[s] for s, o in triples(RDF.type) if o == CCUS.Policy}
    assert {n for n, d in g.nodes(data=True) if d["kind"] == "policy"} == policies


def test_lineage_graph_without_node_rows_still_has_edge_endpoints():
    rows = [{"kind": "replaces", "source": "new", "target": "old", "inferred": False, "rule": "field"},
            {"kind": "member_of", "source": "new", "target": "cluster:X"}]
    g = lineage_graph(rows)
    assert g.nodes["old"]["in_corpus"] is False and g.nodes["old"]["label"] == "old" and g.nodes["old"]["kind"] == "policy"
    assert g.nodes["cluster:X"] == {"kind": "cluster", "label": "X"}
    assert g.edges["new", "old"] == {"kind": "replaces", "inferred": False, "rule": "field", "confidence": "", "evidence": ""}


def test_two_kinds_on_one_pair_keep_the_strongest():
    rows = [{"kind": "cites", "source": "a", "target": "b"}, {"kind": "replaces", "source": "a", "target": "b"}]
    g = lineage_graph(rows)
    assert g.edges["a", "b"]["kind"] == "replaces" and g.edges["a", "b"]["also"] == "cites"


def test_replacement_graph(g):
    r = replacement_graph(g)
    assert sorted(r.nodes) == ["us-syn-a", "us-syn-b", "us-syn-c", "us-syn-gone"]
    assert sorted(r.edges) == [("us-syn-a", "us-syn-b"), ("us-syn-b", "us-syn-c"), ("us-syn-b", "us-syn-gone")]


def test_chains_newest_first(g):
    found = chains(g)
    assert found[0] == ["us-syn-a", "us-syn-b", "us-syn-c"]
    assert found == [["us-syn-a", "us-syn-b", "us-syn-c"], ["us-syn-a", "us-syn-b", "us-syn-gone"]]


def test_chains_break_cycles_and_order_by_length():
    rows = [{"kind": "replaces", "source": s, "target": t} for s, t in
            [("x", "y"), ("y", "x"), ("p", "q"), ("q", "r"), ("r", "s2")]]
    # the cycle x ⇄ y has no head (nobody-replaces-it policy) but is still reported, once, broken
    assert chains(lineage_graph(rows)) == [["p", "q", "r", "s2"], ["x", "y"]]
    assert chains(lineage_graph(rows[:2])) == [["x", "y"]]
    assert chains(nx.DiGraph()) == []


def test_neighbourhood_of_the_middle_policy(g):
    n = neighbourhood(g, "us-syn-b")
    assert sorted(n.nodes) == [CLUSTER, "us-syn-a", "us-syn-b", "us-syn-c", "us-syn-gone"]
    assert sorted(n.edges) == sorted([("us-syn-a", CLUSTER), ("us-syn-a", "us-syn-b"), ("us-syn-b", CLUSTER),
                                      ("us-syn-b", "us-syn-c"), ("us-syn-b", "us-syn-gone")])
    assert n.nodes["us-syn-gone"]["in_corpus"] is False


def test_neighbourhood_of_the_oldest_is_the_same(g):
    assert sorted(neighbourhood(g, "us-syn-c").nodes) == sorted(neighbourhood(g, "us-syn-b").nodes)


def test_neighbourhood_of_a_policy_without_links(g):
    assert sorted(neighbourhood(g, "us-syn-d").nodes) == [OTHER, "us-syn-d"]


def test_neighbourhood_unknown_policy(g):
    with pytest.raises(nx.NodeNotFound, match="no-such-policy"):
        neighbourhood(g, "no-such-policy")


def test_neighbourhood_leaves_the_graph_alone(g):
    before = g.number_of_nodes()
    n = neighbourhood(g, "us-syn-b")
    n.add_node("extra")
    assert g.number_of_nodes() == before and "extra" not in g


# --------------------------------------------------------------------------------------------
# write()


def test_write_svg(g, tmp_path):
    path = write(g, tmp_path / "lineage.svg")
    assert path == tmp_path / "lineage.svg"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml") or "<svg" in text[:2000]
    assert "</svg>" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lineage.svg"]  # no temporary file left


def test_write_png(g, tmp_path):
    data = write(g, tmp_path / "lineage.PNG").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000


def test_write_picture_of_an_empty_graph(tmp_path):
    assert write(nx.DiGraph(), tmp_path / "empty.png").read_bytes()[:4] == b"\x89PNG"


def test_write_graphml_round_trip(g, tmp_path):
    path = write(g, tmp_path / "lineage.graphml")
    back = nx.read_graphml(path)
    assert sorted(back.nodes) == sorted(g.nodes)
    assert sorted(back.edges) == sorted(g.edges)
    assert back.nodes["us-syn-b"]["label"] == "Synthetic Rule B"
    assert back.nodes["us-syn-gone"]["in_corpus"] is False
    assert back.edges["us-syn-a", "us-syn-b"]["kind"] == "replaces"
    assert back.edges["us-syn-a", CLUSTER]["kind"] == "member_of"


def test_write_node_link_json_round_trip(g, tmp_path):
    path = write(g, tmp_path / "lineage.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["directed"] is True
    assert {n["id"] for n in data["nodes"]} == set(g.nodes)
    back = nx.node_link_graph(data, edges="edges")
    assert dict(back.nodes(data=True)) == dict(g.nodes(data=True))
    assert sorted(back.edges(data=True)) == sorted(g.edges(data=True))


def test_write_unknown_suffix(g, tmp_path):
    with pytest.raises(OutputError) as err:
        write(g, tmp_path / "lineage.txt")
    assert "'lineage.txt'" in str(err.value)
    for suffix in OUTPUT_SUFFIXES:
        assert suffix in str(err.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file


def test_write_replaces_an_old_file_whole(g, tmp_path):
    path = tmp_path / "lineage.json"
    path.write_text("old content", encoding="utf-8")
    write(g, path)
    assert json.loads(path.read_text(encoding="utf-8"))["nodes"]


def test_neighbourhood_keeps_the_graph_order(g):
    """Nodes and edges come in g's order (not a set's hash-seeded order), so files written from it are stable.

    The lineage is a small part of a larger graph here: that is when NetworkX's subgraph views
    iterate over the set of kept nodes rather than over the graph."""
    g = g.copy()
    g.add_nodes_from((f"us-extra-{i:02d}", {"kind": "policy", "label": "x", "in_corpus": True}) for i in range(20))
    n = neighbourhood(g, "us-syn-b")
    assert len(n) == 5
    assert list(n.nodes) == [v for v in g.nodes if v in n]
    assert list(n.edges) == [(u, v) for u, v in g.edges if u in n and v in n]
    assert dict(n.nodes(data=True)) == {v: g.nodes[v] for v in n}
