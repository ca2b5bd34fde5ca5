"""The ontology, the closed CCUS namespace, and the closed-world check on built graphs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib.namespace as rdflib_ns

from ccus_kg.namespaces import CCUS
from ccus_kg.resources import ontology_path

OWL_NS, RDF_TYPE = "http://www.w3.org/2002/07/owl#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
STANDARD = tuple(getattr(rdflib_ns, n) for n in ("DCMITYPE", "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SDO", "SKOS", "XSD", "GEO"))


def _triples(name: str) -> list[ox.Quad]:
    return list(ox.parse(path=str(ontology_path(name)), format=ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def declared() -> dict[str, set[str]]:
    """IRI → its declared rdf:types, from ontology/ccus.ttl."""
    types: dict[str, set[str]] = {}
    for q in _triples("ccus.ttl"):
        if q.predicate.value == RDF_TYPE:
            types.setdefault(q.subject.value, set()).add(q.object.value)
    return types


def _standard(iri: str) -> bool:
    """True when ``iri`` is a term of a standard vocabulary rdflib ships as a DefinedNamespace."""
    for ns in STANDARD:
        base = str(ns._NS)
        if iri.startswith(base):
            local = iri[len(base):]
            return local in ns.__annotations__ or local in getattr(ns, "_extras", [])
    return False


def test_every_ccus_namespace_term_is_declared(declared):
    missing = [name for name, term in CCUS.terms.items() if term.value not in declared]
    assert missing == []


def test_every_declared_term_has_en_and_zh_labels():
    labels: dict[str, set[str]] = {}
    for q in _triples("ccus.ttl"):
        if q.predicate.value == LABEL:
            labels.setdefault(q.subject.value, set()).add(q.object.language)
    declared = {q.subject.value for q in _triples("ccus.ttl") if q.predicate.value == RDF_TYPE
                and q.object.value in (OWL_NS + "Class", OWL_NS + "ObjectProperty", OWL_NS + "DatatypeProperty")}
    assert declared
    assert {iri for iri in declared if labels.get(iri) != {"en", "zh"}} == set()


def test_closed_namespace_refuses_unknown_terms():
    with pytest.raises(AttributeError, match="ccus:Polcy"):
        CCUS.Polcy  # noqa: B018


@pytest.mark.parametrize("fixture", ["seed_build", "corpus_build", "full_corpus_build"])
def test_every_class_and_property_used_is_declared(request, declared, fixture):
    graph = request.getfixturevalue(fixture).graph
    predicates = {q.predicate.value for q in graph.store}
    classes = {q.object.value for q in graph.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None)}
    undeclared = sorted(t for t in predicates | classes if t not in declared and not _standard(t))
    assert undeclared == []
    # and sanity: the check itself can fail
    assert not _standard("https://schema.org/startDat")


@pytest.mark.parametrize("fixture", ["seed_build", "corpus_build", "full_corpus_build"])
def test_every_skos_concept_in_a_built_graph_has_en_and_zh_preflabel(request, fixture):
    rows = request.getfixturevalue(fixture).graph.query("""
        SELECT ?c (GROUP_CONCAT(LANG(?l); separator=",") AS ?langs) WHERE {
          ?c a skos:Concept . OPTIONAL { ?c skos:prefLabel ?l }
        } GROUP BY ?c""")
    bad = [(r["c"].value, r["langs"].value) for r in rows if sorted(r["langs"].value.split(",")) != ["en", "zh"]]
    assert bad == []
