"""The whole pipeline on the seeds and on the real corpus."""

from __future__ import annotations

import json

from ccus_kg.build import report_dict, write_report


def test_seed_build_counts(seed_build):
    c = seed_build.counts
    assert (c["files_read"], c["policy_files"], c["timeline_files"]) == (5, 4, 1)
    assert (c["policies"], c["dangling_policies"], c["jurisdictions"], c["clusters"]) == (3, 0, 2, 0)
    assert c["timeline_events"] == 13
    assert c["policy_events"] == 6  # a publication and a last audit for each of the 3 policies
    assert c["triples"] == len(seed_build.graph) > 500
    assert seed_build.validation.conforms


def test_seed_build_problems_are_the_timeline_ones(seed_build):
    assert sorted(p.code for p in seed_build.problems if p.severity != "info") == ["node-count-mismatch", "truncated-item"]


def test_report_lists_identity_decisions(seed_build, tmp_path):
    path = tmp_path / "r.json"
    write_report(seed_build, path)
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report == json.loads(json.dumps(report_dict(seed_build), ensure_ascii=False))
    agencies = {(d["raw"], d["iri"].rsplit("/", 2)[-2]) for d in report["identities"]["agency"]}
    assert ("工信部", "CN") in agencies and ("工业和信息化部", "CN") in agencies
    js = next(d for d in report["identities"]["jurisdiction"] if d["subject"] == "cn-js-industrial-decarb-2022")
    assert js["code"] == "CN-JS" and js["evidence"] == "id-prefix"
    assert {d["raw"] for d in report["identities"]["concept"]} >= {"现行", "Active", "法律监管", "Strategic"}


def test_two_builds_give_identical_turtle(seeds_dir, seed_graph):
    from ccus_kg.build import build

    assert build([seeds_dir], validate=False).graph.serialize("ttl") == seed_graph.serialize("ttl")


def test_corpus_build(corpus_build):
    c = corpus_build.counts
    assert (c["files_read"], c["policy_files"], c["files_skipped"]) == (255, 255, 0)
    assert c["policies"] == 129
    assert c["dangling_policies"] == 8
    assert corpus_build.errors == []
    codes = {p.code for p in corpus_build.problems}
    assert {"empty-agency", "dangling-supersedes"} <= codes
    assert corpus_build.validation is not None


def test_corpus_every_supersedes_and_cluster_entry_is_in_the_graph(corpus_build):
    from corpus import corpus_dir, front_matter

    from ccus_kg.identity import iris

    g = corpus_build.graph
    replaces = {(r["n"].value, r["o"].value) for r in g.query("SELECT ?n ?o WHERE { ?n dcterms:replaces ?o }")}
    members = {(r["p"].value, r["c"].value) for r in g.query("SELECT ?p ?c WHERE { ?p eli:is_member_of ?c }")}
    expected_replaces, expected_members = set(), set()
    for path in sorted(corpus_dir().glob("*/*.md")):
        data = front_matter(path)
        evo = data.get("evolution") or {}
        for old in evo.get("supersedes") or []:
            expected_replaces.add((iris.policy(data["id"]), iris.policy(old)))
        if evo.get("supersededBy"):
            expected_replaces.add((iris.policy(evo["supersededBy"]), iris.policy(data["id"])))
        for name in evo.get("clusters") or []:
            expected_members.add((iris.policy(data["id"]), iris.cluster(name)))
    assert expected_replaces and replaces == expected_replaces
    assert expected_members and members == expected_members
    dangling = {r["id"].value for r in g.query("SELECT ?id WHERE { ?p a ccus:Policy ; ccus:inCorpus false ; dcterms:identifier ?id }")}
    assert len(dangling) == 8 and "us-45q-pre-2022" in dangling


def test_corpus_alias_groups_are_one_agency_and_same_names_differ_by_country(corpus_build):
    rows = corpus_build.decisions["agency"]
    iri_of: dict[str, set[str]] = {}
    for d in rows:
        iri_of.setdefault(d["part"], set()).add(d["iri"])
    groups = [("工信部", "工业和信息化部"), ("METI", "METI Japan", "日本经济产业省 (METI)"),
              ("US DOE", "美国能源部 (DOE)"), ("MOTIE", "MOTIE Korea", "韩国产业通商资源部 (MOTIE)"),
              ("沙特能源部", "Saudi Ministry of Energy")]
    for group in groups:
        found = set().union(*(iri_of[name] for name in group if name in iri_of))
        assert len(found) == 1, (group, found)
    assert len(iri_of["Ministry of Energy"]) == 3
    subnational = {r["id"].value: r["code"].value for r in corpus_build.graph.query(
        "SELECT ?id ?code WHERE { ?p eli:jurisdiction/skos:notation ?code ; dcterms:identifier ?id FILTER(CONTAINS(?code, '-')) }")}
    assert {"US-TX", "US-CA", "US-LA", "US-ND", "US-WY", "CA-AB", "CA-SK", "AU-WA"} <= set(subnational.values())
    assert subnational["cn-js-industrial-decarb-2022"] == "CN-JS"
    codes = {r["code"].value for r in corpus_build.graph.query(
        "SELECT DISTINCT ?code WHERE { ?p a ccus:Policy ; ccus:inCorpus true ; eli:jurisdiction/skos:notation ?code }")}
    assert "EU" in codes and "INTL" in codes
    assert not list(corpus_build.graph.query("SELECT ?p WHERE { ?p ccus:inCorpus true FILTER NOT EXISTS { ?p eli:jurisdiction ?j } }"))
