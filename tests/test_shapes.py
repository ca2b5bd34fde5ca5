"""The shapes file as data: every shape named (IRI + label), every rule with a severity and an
English message, the SHACL-SPARQL syntax restrictions kept, and the rules page rendered from it."""

from __future__ import annotations

import re

import rdflib

from ccus_kg.resources import ontology_path
from ccus_kg.shapes import load_rules, load_shapes, load_sparql_rules, main, render_html

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
LABEL = rdflib.RDFS.label


def _shape_nodes(g: rdflib.Graph) -> set:
    nodes = set(g.subjects(rdflib.RDF.type, SH.NodeShape)) | set(g.subjects(rdflib.RDF.type, SH.PropertyShape))
    nodes |= set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql)) | set(g.objects(None, SH.target))
    for list_head in g.objects(None, SH["or"]):
        nodes |= set(rdflib.collection.Collection(g, list_head))
    return nodes


def test_every_shape_has_an_iri_and_a_label():
    g = load_shapes()
    nodes = _shape_nodes(g)
    assert len(nodes) > 60
    assert [n for n in nodes if not isinstance(n, rdflib.URIRef)] == []
    assert sorted(str(n) for n in nodes if not g.value(n, LABEL)) == []


def test_every_rule_has_a_severity_and_an_english_message():
    rules = load_rules()
    assert {r.severity for r in rules} == {"Violation", "Warning", "Info"}
    assert [r.iri for r in rules if not r.messages or not r.label] == []
    g = load_shapes()
    for message in g.objects(None, SH.message):
        assert message.language == "en", message


def test_sparql_rules_keep_the_shacl_syntax_restrictions():
    """SHACL §5.3.1: no MINUS, SERVICE or VALUES; $this is bound by the query's own patterns."""
    rules = load_sparql_rules()
    assert len(rules) == 15   # 13 policy rules, shapes:CapacityRange and shapes:FacilityOutsideCountry
    for rule in rules:
        for _iri, query, _messages in rule.constraints:
            body = query.split("SELECT", 1)[1]
            for word in ("MINUS", "SERVICE", "VALUES"):
                assert not re.search(rf"\b{word}\b", body, re.IGNORECASE), (rule.iri, word)
            assert "$this" in body


def test_header_writes_the_severity_policy_once():
    text = ontology_path("shapes.ttl").read_text(encoding="utf-8")
    assert text.count("SEVERITY POLICY") == 1
    for severity in ("sh:Violation", "sh:Warning", "sh:Info", "--fail-on"):
        assert severity in text.split("@prefix", 1)[0]


def test_rules_page(tmp_path):
    rules = load_rules()
    page = render_html(rules)
    assert page.startswith("<!DOCTYPE html>")
    for r in rules:
        assert f'id="{r.iri.rsplit("#", 1)[1]}"' in page
    assert "Lineage: replacement cycle" in page and "Info (1 rules)" in page
    out = tmp_path / "shapes.html"
    assert main(["-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == page
