"""SHACL validation: results people can act on; non-conformance is data, not an exception."""

from __future__ import annotations

from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.validate import validate

PREFIXES = """@prefix ccus: <https://w3id.org/ccus-kg/ontology#> . @prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def _graph(body: str) -> KnowledgeGraph:
    return KnowledgeGraph.from_bytes((PREFIXES + body).encode("utf-8"), "ttl")


def test_seed_graph_conforms(seed_build):
    assert seed_build.validation.conforms
    assert seed_build.validation.count("Violation") == 0


def test_policy_without_identifier_is_a_violation_naming_node_and_path():
    report = validate(_graph("<http://x/p> a ccus:Policy, eli:LegalResource ; ccus:inCorpus false ."))
    assert not report.conforms
    (result,) = [r for r in report.results if r.severity == "Violation"]
    assert result.focus_node == "http://x/p"
    assert result.path == "http://purl.org/dc/terms/identifier"
    assert "dcterms:identifier" in result.message
    assert report.summary().startswith("does not conform (1 violations")


def test_recorded_policy_needs_a_title_dangling_one_does_not():
    body = """<http://x/a> a ccus:Policy, eli:LegalResource ; dcterms:identifier "a" ; ccus:inCorpus true .
              <http://x/b> a ccus:Policy, eli:LegalResource ; dcterms:identifier "b" ; ccus:inCorpus false ."""
    report = validate(_graph(body))
    focus = {(r.focus_node, r.path) for r in report.results if r.severity == "Violation"}
    assert ("http://x/a", "http://purl.org/dc/terms/title") in focus
    assert not any(f == "http://x/b" for f, _ in focus)


def test_event_date_must_be_typed_by_precision():
    body = """<http://x/e> a ccus:TimelineEvent ; schema:name "e" ; schema:startDate "March 2019" ."""
    report = validate(_graph(body))
    assert any(r.path == "https://schema.org/startDate" and r.severity == "Violation" for r in report.results)


def test_missing_agency_is_a_warning_not_a_violation(corpus_build):
    report = corpus_build.validation
    warnings = [r for r in report.results if r.path == "http://data.europa.eu/eli/ontology#passed_by"]
    assert warnings and {r.severity for r in warnings} == {"Warning"}
