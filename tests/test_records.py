"""The generic rules of the mapped-record converter (ccus_kg/rdf/records.py): new keys under a known
object are kept as ccus:ExtraField and reported once per key; values in no concept scheme keep their
text, are marked ccus:notInScheme and reported."""

from __future__ import annotations

import pyoxigraph as ox

from ccus_kg.build import build
from ccus_kg.identity import iris
from ccus_kg.namespaces import CCUS, XSD


def _write(folder, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _objects(graph, s: str, p) -> set:
    return {q.object for q in graph.store.quads_for_pattern(ox.NamedNode(s), p, None)}


def test_new_keys_under_known_objects_are_kept_and_reported_once_per_key(tmp_path):
    for pid in ("a", "b", "c"):
        _write(tmp_path, f"en/{pid}.md", f"---\nid: {pid}\ntitle: Policy {pid}\ncountry: Norway\nregulatory:\n"
               f"  liability_period: 20 years\n  credit_period: {pid} ten years\n---\nbody\n")
    _write(tmp_path, "zh/a.md", "---\nid: a\ntitle: 政策甲\ncountry: 挪威\nregulatory:\n  credit_period: 十年\n"
           "evolution:\n  reviewCycle: [2026, 2031]\n---\n正文\n")
    result = build([tmp_path], validate=False)
    g = result.graph
    node = iris.extra_field(iris.policy("a"), "regulatory.credit_period")
    assert _objects(g, iris.policy("a"), CCUS.extraField) == {ox.NamedNode(node),
                                                              ox.NamedNode(iris.extra_field(iris.policy("a"), "evolution.reviewCycle"))}
    assert _objects(g, node, CCUS.fieldPath) == {ox.Literal("regulatory.credit_period", datatype=XSD.string)}
    # one node per key holding every file's value, tagged by script
    assert _objects(g, node, CCUS.fieldValue) == {ox.Literal("a ten years", language="en"), ox.Literal("十年", language="zh")}
    assert _objects(g, iris.extra_field(iris.policy("a"), "evolution.reviewCycle"), CCUS.fieldValue) == {
        ox.Literal('["2026","2031"]', datatype=XSD.string)}
    assert g.query("ASK { ?n a ccus:ExtraField }")
    # the mapped key next to it is still mapped properly
    assert _objects(g, iris.policy("b"), CCUS.liabilityPeriod) == {ox.Literal("20 years", language="en")}
    extra = sorted((p.field, p.severity, p.file, p.line, p.subject, p.message) for p in result.problems if p.code == "extra-field")
    en, zh = str(tmp_path / "en" / "a.md"), str(tmp_path / "zh" / "a.md")
    assert extra == [
        ("evolution.reviewCycle", "warning", zh, 8, "a",
         "evolution.reviewCycle is not in ontology/mapping/policies.yaml: kept by the generic rule as ccus:extraField "
         f"on 1 policy record(s) (1 file(s)); first in {zh}"),
        ("regulatory.credit_period", "warning", en, 7, "a",
         "regulatory.credit_period is not in ontology/mapping/policies.yaml: kept by the generic rule as ccus:extraField "
         f"on 3 policy record(s) (4 file(s)); first in {en}"),
    ]
    assert not [p for p in result.problems if p.code == "unmapped-field"]


def test_new_keys_of_a_country_profile_are_kept(tmp_path):
    _write(tmp_path, "en/norway.md", "---\nid: Norway\nname: Norway\nregion: Europe\nmaturity: {x: 1, y: 2, z: 3}\n"
           "regulatory:\n  co2_definition: waste\n  credit_period: none\n---\n")
    result = build([tmp_path], validate=False)
    profile = iris.profile("Norway")
    assert {o.value for o in _objects(result.graph, profile, CCUS.extraField)} == {
        iris.extra_field(profile, "maturity.z"), iris.extra_field(profile, "regulatory.credit_period")}
    assert sorted((p.field, p.line) for p in result.problems if p.code == "extra-field") == [("maturity.z", 5), ("regulatory.credit_period", 8)]


def test_free_text_of_a_controlled_field_is_kept_marked_not_in_scheme_and_reported(tmp_path):
    _write(tmp_path, "en/p.md", "---\nid: p\ntitle: A policy\ncountry: Norway\nsource: Gassnova\nstatus: Awaiting royal assent\n"
           "category: Regulatory\nlegalWeight: Ministerial circular (draft)\n---\nbody\n")
    result = build([tmp_path], validate=False)
    g, s = result.graph, iris.policy("p")
    assert _objects(g, s, CCUS.statusText) == {ox.Literal("Awaiting royal assent", language="en")}
    assert _objects(g, s, CCUS.legalWeightText) == {ox.Literal("Ministerial circular (draft)", language="en")}
    assert _objects(g, s, CCUS.notInScheme) == {ox.NamedNode(iris.scheme("status")), ox.NamedNode(iris.scheme("legal-weight"))}
    # the category resolved: a concept, no marker for its scheme, no text
    assert _objects(g, s, CCUS.category) == {ox.NamedNode(iris.concept("category", "regulatory"))}
    assert _objects(g, s, CCUS.status) == set() and _objects(g, s, CCUS.categoryText) == set()
    found = sorted((p.code, p.field, p.line, p.message) for p in result.problems if p.code.startswith("unknown-"))
    assert found == [
        ("unknown-legal-weight", "legalWeight", 8,
         "legalWeight 'Ministerial circular (draft)' is not in the legal-weight concept scheme (ontology/vocabularies.ttl)"),
        ("unknown-status", "status", 6, "status 'Awaiting royal assent' is not in the status concept scheme (ontology/vocabularies.ttl)"),
    ]
    # each is also a ccus:DataIssue on the policy
    assert {r["code"].value for r in g.query(
        "SELECT ?code WHERE { policy:p ccus:hasDataIssue ?i . ?i ccus:issueCode ?code }")} >= {"unknown-status", "unknown-legal-weight"}


def test_a_facility_value_in_no_scheme_is_marked_too(tmp_path):
    _write(tmp_path, "en/7.md", "---\nid: '7'\nname: Plant\ntype: Capture\nstatus: Operational\ncountry: Norway\nregion: Atlantis\n"
           "coordinates: [60.0, 8.0]\nprecision: exact\nfateOfCarbon: Dedicated storage\nhub: ''\nrelatedPolicies: []\n---\n")
    result = build([tmp_path], validate=False)
    f = iris.facility("7")
    assert _objects(result.graph, f, CCUS.notInScheme) == {ox.NamedNode(iris.scheme("region"))}
    assert _objects(result.graph, f, CCUS.regionText) == {ox.Literal("Atlantis", language="en")}
    assert [(p.code, p.line) for p in result.problems if p.code == "unknown-region"] == [("unknown-region", 7)]
