"""Policy records → RDF: specific triples of the seed records, merging, and data problems."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from ccus_kg.build import build
from ccus_kg.identity import iris
from ccus_kg.namespaces import CCUS, DCTERMS, ELI, SKOS, XSD

MIIT = "cn-miit-industrial-plan-2022"
JS = "cn-js-industrial-decarb-2022"
PARKS = "cn-zero-carbon-parks"


def objects(graph, s: str, p) -> set:
    return {q.object for q in graph.store.quads_for_pattern(ox.NamedNode(s), p, None)}


def test_three_policies_from_four_files(seed_graph):
    ids = {r["id"].value for r in seed_graph.query("SELECT ?id WHERE { ?p a ccus:Policy, eli:LegalResource ; dcterms:identifier ?id }")}
    assert ids == {MIIT, JS, PARKS}


def test_en_and_zh_files_merge_into_one_policy_with_language_tags(seed_graph):
    titles = objects(seed_graph, iris.policy(MIIT), DCTERMS.title)
    assert titles == {ox.Literal("China MIIT Action Plan for Industrial Carbon Peaking", language="en"),
                      ox.Literal("中国工信部工业领域碳达峰实施方案", language="zh")}
    descriptions = objects(seed_graph, iris.policy(MIIT), DCTERMS.description)
    assert sorted(d.language for d in descriptions) == ["en", "zh"]
    assert len(objects(seed_graph, iris.policy(MIIT), ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"))) == 2
    # the en file says "Active", the zh file "现行": two labels of one status concept, one status
    assert objects(seed_graph, iris.policy(MIIT), CCUS.status) == {ox.NamedNode(iris.concept("status", "active"))}


def test_value_in_the_other_script_is_tagged_by_its_script(seed_graph):
    # the zh-only record has English evidence texts: tagged @en, not @zh
    a = iris.assessment(JS, "mrv")
    assert objects(seed_graph, a, CCUS.evidence) == {ox.Literal("Requires municipal verification and provincial expert appraisal.", language="en")}
    assert objects(seed_graph, a, CCUS.citation) == {ox.Literal("Section 4.2", language="en")}
    assert objects(seed_graph, a, CCUS.score) == {ox.Literal("80", datatype=XSD.integer)}
    # Chinese citation of another dimension is @zh
    assert objects(seed_graph, iris.assessment(JS, "statutory"), CCUS.citation) == {ox.Literal("第二章：主要任务", language="zh")}


def test_jurisdiction_agency_and_concepts_of_the_jiangsu_policy(seed_graph):
    s = iris.policy(JS)
    assert objects(seed_graph, s, ELI.jurisdiction) == {ox.NamedNode(iris.jurisdiction("CN-JS"))}
    assert objects(seed_graph, iris.jurisdiction("CN-JS"), SKOS.broader) == {ox.NamedNode(iris.jurisdiction("CN"))}
    assert objects(seed_graph, iris.jurisdiction("CN-JS"), SKOS.notation) == {ox.Literal("CN-JS")}
    (agency,) = objects(seed_graph, s, ELI.passed_by)
    assert agency.value.startswith(iris.BASE + "agency/CN-JS/")
    assert objects(seed_graph, s, ELI.date_publication) == {ox.Literal("2022-10-01", datatype=XSD.date)}
    # the raw status 现行 names the concept status/active (ontology/vocabularies.ttl): a concept IRI, no literal
    assert objects(seed_graph, s, CCUS.status) == {ox.NamedNode(iris.concept("status", "active"))}
    assert objects(seed_graph, s, CCUS.statusText) == set()
    assert objects(seed_graph, s, ELI.in_force) == {ELI["InForce-inForce"]}
    assert objects(seed_graph, s, ELI.type_document) == {ox.NamedNode(iris.concept("legal-weight", "administrative-regulation"))}
    assert objects(seed_graph, s, CCUS.category) == {ox.NamedNode(iris.concept("category", "regulatory"))}
    assert objects(seed_graph, s, CCUS.lastAuditDate) == {ox.Literal("2026-02-08", datatype=XSD.date)}
    assert objects(seed_graph, s, CCUS.inCorpus) == {ox.Literal("true", datatype=XSD.boolean)}


def test_two_agency_names_are_one_agency(seed_graph):
    assert objects(seed_graph, iris.policy(MIIT), ELI.passed_by) == objects(seed_graph, iris.policy(PARKS), ELI.passed_by)
    (miit,) = objects(seed_graph, iris.policy(MIIT), ELI.passed_by)
    labels = {o.value for o in objects(seed_graph, miit.value, SKOS.prefLabel) | objects(seed_graph, miit.value, SKOS.altLabel)}
    assert {"工信部", "工业和信息化部"} <= labels


def test_impact_and_regulatory_fields(seed_graph):
    econ = objects(seed_graph, iris.policy(MIIT), CCUS.economicImpact)
    assert sorted(e.language for e in econ) == ["en", "zh"]
    # empty regulatory fields give no triple
    assert objects(seed_graph, iris.policy(MIIT), CCUS.poreSpaceRights) == set()


def _write(folder, name, data, body="Body text."):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + "\n---\n\n" + body + "\n", encoding="utf-8")
    return path


BASE = {"title": "A CCUS Act", "country": "Norway", "source": "Ministry of Energy", "status": "Active",
        "category": "Regulatory", "legalWeight": "Primary Legislation", "pubDate": "2024-01-02", "year": 2024}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messy")
    _write(folder / "en", "a.md", {**BASE, "id": "a", "status": "Mostly dormant", "source": "",
                                   "evolution": {"supersedes": ["ghost-1"], "supersededBy": "", "clusters": ["North Sea", "north sea "]},
                                   "brandNewField": 1})
    _write(folder / "zh", "a.md", {**BASE, "id": "a", "title": "某CCUS法", "country": "挪威", "source": "",
                                   "evolution": {"milestones": [{"date": "2024年3月", "event": "议会通过"}, {"date": "someday", "event": "x"}]}})
    _write(folder / "en", "b.md", {**BASE, "id": "b", "pubDate": "2025-05-05", "evolution": {"supersedes": "a", "clusters": ["North Sea"]}})
    return build([folder])


def test_unknown_status_is_kept_as_literal_and_reported(messy):
    g = messy.graph
    assert objects(g, iris.policy("a"), CCUS.statusText) == {ox.Literal("Mostly dormant", language="en")}
    codes = {(p.code, p.subject) for p in messy.problems}
    assert ("unknown-status", "a") in codes
    issues = list(g.query("SELECT ?code WHERE { policy:a ccus:hasDataIssue/ccus:issueCode ?code }"))
    assert "unknown-status" in {r["code"].value for r in issues}


def test_empty_agency_gives_no_node_and_a_warning(messy):
    assert objects(messy.graph, iris.policy("a"), ELI.passed_by) == set()
    assert [p.severity for p in messy.problems if p.code == "empty-agency" and p.subject == "a"] == ["warning", "warning"]


def test_dangling_supersedes_target_is_a_marked_policy_node(messy):
    g = messy.graph
    ghost = iris.policy("ghost-1")
    assert objects(g, ghost, CCUS.inCorpus) == {ox.Literal("false", datatype=XSD.boolean)}
    assert objects(g, ghost, DCTERMS.identifier) == {ox.Literal("ghost-1")}
    assert objects(g, ghost, DCTERMS.isReplacedBy) == {ox.NamedNode(iris.policy("a"))}
    p = next(p for p in messy.problems if p.code == "dangling-supersedes")
    assert p.subject == "a" and p.field == "evolution.supersedes" and p.file.endswith("a.md")
    assert messy.counts["dangling_policies"] == 1


def test_supersedes_materialised_in_both_directions(messy):
    g = messy.graph
    assert objects(g, iris.policy("b"), DCTERMS.replaces) == {ox.NamedNode(iris.policy("a"))}
    assert objects(g, iris.policy("a"), DCTERMS.isReplacedBy) == {ox.NamedNode(iris.policy("b"))}


def test_same_cluster_name_is_one_collection(messy):
    g = messy.graph
    clusters = objects(g, iris.policy("a"), DCTERMS.isPartOf) | objects(g, iris.policy("b"), DCTERMS.isPartOf)
    assert clusters == {ox.NamedNode(iris.cluster("North Sea"))}
    members = objects(g, iris.cluster("North Sea"), DCTERMS.hasPart)
    assert members == {ox.NamedNode(iris.policy("a")), ox.NamedNode(iris.policy("b"))}


def test_milestones_become_dated_events_and_bad_dates_are_reported(messy):
    rows = list(messy.graph.query("""
        SELECT ?date ?name WHERE { ?e a ccus:TimelineEvent ; schema:about policy:a ; ccus:eventKind ?k ; schema:name ?name .
                                   ?k skos:notation "milestone" . OPTIONAL { ?e schema:startDate ?date } }"""))
    dated = {r["name"].value: r["date"] for r in rows}
    assert dated["议会通过"] == ox.Literal("2024-03", datatype=XSD.gYearMonth)
    assert dated["x"] is None
    assert any(p.code == "bad-date" and p.field == "evolution.milestones[1].date" and p.line for p in messy.problems)


def test_unmapped_field_is_reported_not_lost(messy):
    assert any(p.code == "unmapped-field" and p.field == "brandNewField" for p in messy.problems)


def test_country_in_either_language_gives_one_jurisdiction(messy):
    assert objects(messy.graph, iris.policy("a"), ELI.jurisdiction) == {ox.NamedNode(iris.jurisdiction("NO"))}
