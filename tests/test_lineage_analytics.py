"""Lineage analytics (ccus_kg.lineage.analytics) on a hand-made graph whose answers are known.

    n3 (2020) ─replaces→ n2 (2015) ─replaces→ n1 (2010)          family A: a chain of three
    n3b (2021) ─replaces→ n2                                      … and a fork: n2 replaced twice
    m (2022) ─consolidates→ p (2018), m ─consolidates→ q (2019)   family B: a consolidation
    sub (2023, CN-JS) ─implements (inferred)→ m                   … joined by an inferred implementation
    x ─replaces→ y ─replaces→ x                                   family C: a cycle (data error)
    lone (2020) ─cites→ n1                                        citations join no family
    gone: replaced by n1, not in the input                        a dangling target
"""

from __future__ import annotations

import json

import networkx as nx
import pytest
from helpers import invoke, write_synthetic

from ccus_kg.build import build
from ccus_kg.lineage import chains, cycles, dangling, families, forks, in_force, lineage_graph, stats, unlinked

NODES = [("n1", "2010-01-01"), ("n2", "2015-01-01"), ("n3", "2020-01-01"), ("n3b", "2021-06-01"), ("p", "2018-01-01"),
         ("q", "2019-01-01"), ("m", "2022-01-01"), ("sub", "2023-01-01"), ("x", "2001"), ("y", "2002"), ("lone", "2020")]
EDGES = [("n3", "n2", "replaces", False), ("n2", "n1", "replaces", False), ("n3b", "n2", "replaces", False),
         ("m", "p", "consolidates", False), ("m", "q", "consolidates", False), ("sub", "m", "implements", True),
         ("x", "y", "replaces", False), ("y", "x", "replaces", False), ("lone", "n1", "cites", False), ("n1", "gone", "replaces", False)]


@pytest.fixture(scope="module")
def g() -> nx.DiGraph:
    nodes = [{"id": n, "kind": "policy", "in_corpus": True, "published": d, "jurisdiction": "CN-JS" if n == "sub" else "CN"}
             for n, d in NODES]
    rows = [{"kind": k, "source": u, "target": v, "inferred": inf, "rule": "test"} for u, v, k, inf in EDGES]
    return lineage_graph(rows, nodes)


def test_families_heads_chains_depth(g):
    fams = {tuple(f.members): f for f in families(g)}
    a = fams[("gone", "n1", "n2", "n3", "n3b")]
    assert a.heads == ["n3b", "n3"]  # both current, newest first
    assert a.chains == [["n3", "n2", "n1", "gone"], ["n3b", "n2", "n1", "gone"]]
    assert a.depth == 3
    b = fams[("m", "p", "q", "sub")]
    assert b.heads == ["sub", "m"] and b.depth == 2 and b.inferred == 1 and b.root == "m"
    assert b.edges == {"consolidates": 2, "implements": 1}
    c = fams[("x", "y")]
    assert c.depth == -1 and c.heads == []
    assert len(fams) == 3  # lone is in no family: citations do not join one


def test_stated_only_families_leave_the_inferred_link_out(g):
    members = sorted(tuple(f.members) for f in families(g, include_inferred=False))
    assert ("m", "p", "q") in members and not any("sub" in m for m in members)


def test_forks_cycles_dangling_unlinked(g):
    assert forks(g) == {"n2": ["n3", "n3b"]}
    assert cycles(g) == [["x", "y"]]
    assert dangling(g) == ["gone"]
    assert unlinked(g) == ["lone", "n3", "n3b", "sub"]  # m is implemented by sub


def test_chains_of_the_cycle_are_broken_once(g):
    assert ["x", "y"] in chains(g)


def test_stats_is_json_ready(g):
    s = json.loads(json.dumps(stats(g)))
    assert s["nodes"] == 12 and s["edges"] == {"cites": 1, "consolidates": 2, "implements": 1, "replaces": 6}
    assert s["inferred"] == 1 and len(s["families"]) == 3 and s["singletons"] == 1



def test_families_count_the_facilities_their_members_act_on(g):
    # n1 and n3 share facility 7; q's facility 9 has no status; lone is in no family, so its facility 5 counts nowhere
    links = [("n1", "7", "operational"), ("n3", "7", "operational"), ("n2", "8", "planned"), ("q", "9", None),
             ("lone", "5", "operational")]
    fams = {tuple(f["members"]): f for f in stats(g, facility_links=links)["families"]}
    assert fams[("gone", "n1", "n2", "n3", "n3b")]["facilities"] == ["7", "8"]
    assert fams[("gone", "n1", "n2", "n3", "n3b")]["facilities_by_status"] == {"operational": 1, "planned": 1}
    assert fams[("m", "p", "q", "sub")]["facilities_by_status"] == {"unknown": 1}
    assert fams[("x", "y")]["facilities"] == []
    assert "facilities" not in stats(g)["families"][0]  # without links, no facility columns

@pytest.mark.parametrize(("as_of", "expected"), [
    ("2016-06-01", ["n2"]),           # n2 replaced n1; n3 not yet published
    ("2020-06-01", ["n3"]),           # n3 replaced n2
    ("2022-01-01", ["n3", "n3b"]),    # the fork: both replacers of n2 in force
    ("2009", []),                     # before anything
])
def test_in_force_as_of(g, as_of, expected):
    rows = in_force(g, "n1", as_of)
    assert [r["id"] for r in rows if r["in_force"]] == expected
    assert {r["id"] for r in rows} == {"gone", "n1", "n2", "n3", "n3b"}


def test_in_force_after_a_consolidation(g):
    rows = {r["id"]: r for r in in_force(g, "p", "2022-06-01")}
    assert rows["m"]["in_force"] and not rows["p"]["in_force"] and "replaced by m" in rows["p"]["why"]
    assert not rows["sub"]["in_force"] and rows["sub"]["why"].startswith("not yet published")


def test_in_force_unknown_policy(g):
    with pytest.raises(nx.NodeNotFound):
        in_force(g, "nope", "2020")


# ---- the command -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_ttl(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    path = folder / "synthetic.ttl"
    build([write_synthetic(folder / "policies")], validate=False).graph.write(path)
    return path


def test_cli_stats_table_and_json(synthetic_ttl):
    result = invoke("lineage", "-g", synthetic_ttl, "--stats")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == "lineage: 7 nodes; edges: 3 member_of, 3 replaces (0 inferred); 1 families; 1 policies in no family"
    assert "F1      4" in out and "dangling targets (no record): 1\n  us-syn-gone" in out
    data = json.loads(invoke("lineage", "-g", synthetic_ttl, "--stats", "--format", "json").stdout)
    [fam] = data["families"]
    assert fam["members"] == ["us-syn-a", "us-syn-b", "us-syn-c", "us-syn-gone"] and fam["heads"] == ["us-syn-a"]
    assert fam["chains"] == [["us-syn-a", "us-syn-b", "us-syn-c"], ["us-syn-a", "us-syn-b", "us-syn-gone"]]


def test_cli_as_of(synthetic_ttl):
    result = invoke("lineage", "-g", synthetic_ttl, "--policy", "us-syn-c", "--as-of", "2021-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout) if r["in_force"]] == ["us-syn-b"]
    table = invoke("lineage", "-g", synthetic_ttl, "--policy", "us-syn-c", "--as-of", "2021-01-01").stdout
    assert table.startswith("in force on 2021-01-01 in the family of us-syn-c: 1 of 4")


def test_cli_as_of_needs_a_policy_and_a_date(synthetic_ttl):
    assert invoke("lineage", "-g", synthetic_ttl, "--as-of", "2021").exit_code == 2
    assert invoke("lineage", "-g", synthetic_ttl, "--policy", "us-syn-c", "--as-of", "soon").exit_code == 2
