"""The whole pipeline on the seeds and on the real corpus.

Expected counts are read from the input files here, with simple rules independent of the
loader and converters (front matter present or not, ids, supersedes targets, cluster names,
numbered timeline items), so that a test names what a count means.
"""

from __future__ import annotations

import json
import re

import pytest
from corpus import SEEDS, front_matter

from ccus_kg.build import report_dict, write_report


def _lineage_expectations(records: list[dict]) -> tuple[set[str], set[str], set[str]]:
    """(ids with a record, ids named by supersedes/supersededBy without a record, cluster names)."""
    ids = {r["id"] for r in records}
    named, clusters = set(), set()
    for r in records:
        evo = r.get("evolution") or {}
        supersedes = evo.get("supersedes") or []
        named |= set([supersedes] if isinstance(supersedes, str) else supersedes)
        named |= {evo["supersededBy"]} if evo.get("supersededBy") else set()
        clusters |= set(evo.get("clusters") or [])
    return ids, named - ids, clusters


def test_seed_build_counts(seed_build):
    c = seed_build.counts
    files = sorted(p for p in SEEDS.iterdir() if p.is_file())
    records = [data for data in map(front_matter, files) if data is not None]
    timelines = [p for p in files if front_matter(p) is None]
    # every file is read; a file with front matter is a policy record, the others timeline compilations
    assert (c["files_read"], c["policy_files"], c["timeline_files"]) == (len(files), len(records), len(timelines))
    assert all("## 节点:" in p.read_text(encoding="utf-8") for p in timelines)
    ids, dangling, clusters = _lineage_expectations(records)
    # one policy per id (en and zh files of one id merge)
    assert (c["policies"], c["dangling_policies"], c["clusters"]) == (len(ids), len(dangling), len(clusters))
    # a publication and a last-audit event per policy with a pubDate / provenance.lastAuditDate (no milestones here)
    published = {r["id"] for r in records if r.get("pubDate")}
    audited = {r["id"] for r in records if (r.get("provenance") or {}).get("lastAuditDate")}
    assert not any((r.get("evolution") or {}).get("milestones") for r in records)
    assert c["policy_events"] == len(published) + len(audited)
    # timeline events: the numbered items of the compilation, an item listed in several nodes being one
    # event; the Jiangsu carbon peaking plan (published 2022-10-02, source enviliance report_8453)
    # is listed in three nodes
    text = timelines[0].read_text(encoding="utf-8")
    items = re.split(r"(?m)^\s*\d+\.\s+\*\*", text)[1:]
    plan = [item for item in items if "report_8453" in item.split("\n---")[0]]
    assert len(plan) == 3
    assert c["timeline_events"] == len(items) - (len(plan) - 1)
    # jurisdictions: CN (country 中国 of every record) and CN-JS (the id prefix cn-js- of the Jiangsu
    # policy, and every region of the Jiangsu compilation)
    notations = {r["code"].value for r in seed_build.graph.query(
        "SELECT DISTINCT ?code WHERE { ?x eli:jurisdiction|schema:location|dcterms:spatial ?j . ?j skos:notation ?code }")}
    assert notations == {"CN", "CN-JS"} and c["jurisdictions"] == len(notations)
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
    from corpus import corpus_dir

    c = corpus_build.counts
    files = sorted(corpus_dir().glob("*/*.md"))  # en/ and zh/
    ids, dangling, clusters = _lineage_expectations([front_matter(p) for p in files])
    assert (c["files_read"], c["policy_files"], c["files_skipped"]) == (len(files), len(files), 0)
    # "EU Net-Zero Industry Act (NZIA)" (zh file of eu-ccs-directive) is the same cluster as
    # "Net-Zero Industry Act (NZIA)" (its en file, same position): one cluster, two names
    assert "EU Net-Zero Industry Act (NZIA)" in clusters and "Net-Zero Industry Act (NZIA)" in clusters
    assert (c["policies"], c["dangling_policies"], c["clusters"]) == (len(ids), len(dangling), len(clusters) - 1)
    assert len(ids) == 129  # the corpus README's count: the corpus is the one we think it is
    assert corpus_build.errors == []
    codes = {p.code for p in corpus_build.problems}
    assert {"empty-agency", "dangling-supersedes"} <= codes
    assert corpus_build.validation is not None


def test_corpus_every_supersedes_and_cluster_entry_is_in_the_graph(corpus_build):
    from corpus import corpus_dir, front_matter

    from ccus_kg.identity import iris

    g = corpus_build.graph
    replaces = {(r["n"].value, r["o"].value) for r in g.query("SELECT ?n ?o WHERE { ?n dcterms:replaces ?o }")}
    members = {(r["p"].value, r["c"].value) for r in g.query("SELECT ?p ?c WHERE { ?p dcterms:isPartOf ?c }")}
    expected_replaces, expected_members = set(), set()
    # a cluster is found by any of its names (a name used in one file of a policy, paired by
    # position with another name in its other file, is an skos:altLabel of that cluster)
    by_label = {r["l"].value: r["c"].value for r in g.query(
        "SELECT ?c ?l WHERE { ?c a ccus:PolicyCluster ; skos:prefLabel|skos:altLabel ?l }")}
    assert by_label["EU Net-Zero Industry Act (NZIA)"] == by_label["Net-Zero Industry Act (NZIA)"]
    for path in sorted(corpus_dir().glob("*/*.md")):
        data = front_matter(path)
        evo = data.get("evolution") or {}
        for old in evo.get("supersedes") or []:
            expected_replaces.add((iris.policy(data["id"]), iris.policy(old)))
        if evo.get("supersededBy"):
            expected_replaces.add((iris.policy(evo["supersededBy"]), iris.policy(data["id"])))
        for name in evo.get("clusters") or []:
            expected_members.add((iris.policy(data["id"]), by_label[name]))
    assert expected_replaces and replaces == expected_replaces
    assert expected_members and members == expected_members
    dangling = {r["id"].value for r in g.query("SELECT ?id WHERE { ?p a ccus:Policy ; ccus:inCorpus false ; dcterms:identifier ?id }")}
    assert len(dangling) == corpus_build.counts["dangling_policies"] and "us-45q-pre-2022" in dangling


def test_corpus_alias_groups_are_one_agency_and_same_names_differ_by_country(corpus_build):
    iri_of: dict[str, set[str]] = {}
    for d in corpus_build.decisions.agencies:
        iri_of.setdefault(d.part, set()).add(d.iri)
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


def test_public_api_is_importable_from_the_package():
    import ccus_kg
    from ccus_kg.build import BuildResult
    from ccus_kg.rdf.graph import KnowledgeGraph

    assert ccus_kg.BuildResult is BuildResult
    assert ccus_kg.KnowledgeGraph is KnowledgeGraph
    assert set(ccus_kg.__all__) - {"__version__"} == set(ccus_kg._EXPORTS)
    with pytest.raises(AttributeError):
        _ = ccus_kg.no_such_name
