"""IRIs: deterministic, readable, safe for any input."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from ccus_kg.identity import iris


def test_readable_iris():
    assert iris.policy("cn-js-industrial-decarb-2022") == "https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022"
    assert iris.jurisdiction("CN-JS") == "https://w3id.org/ccus-kg/id/jurisdiction/CN-JS"
    assert iris.agency("CN", "miit") == "https://w3id.org/ccus-kg/id/agency/CN/miit"
    assert iris.bounding_box("US", 2) == "https://w3id.org/ccus-kg/id/jurisdiction/US/bbox/2"
    assert iris.concept("status", "active") == "https://w3id.org/ccus-kg/id/concept/status/active"


@pytest.mark.parametrize("hostile", ["a b", "../../etc/passwd", "x>y<z", "q?x=1#f", "江苏省工信厅", "tab\there", "\"quoted\"", "{}|\\^`", ""])
def test_any_input_gives_a_valid_iri(hostile):
    for iri in (iris.policy(hostile), iris.agency("CN", hostile), iris.cluster(hostile), iris.source(hostile or "x")):
        ox.NamedNode(iri)  # raises ValueError for an invalid IRI
        assert " " not in iri and ">" not in iri


def test_slug_folds_case_width_and_spacing():
    assert iris.slug("North  Sea ") == iris.slug("north sea") == "north-sea"
    assert iris.slug("ＭＩＩＴ") == "miit"
    assert iris.slug("!!!") == iris.digest("!!!")


def test_same_input_same_iri():
    assert iris.event("2022-10-02", "https://x") == iris.event("2022-10-02", "https://x") != iris.event("2022-10-03", "https://x")


@pytest.mark.parametrize("policy_id", ["..", ".", "x.", ".x", "x..y", "x/../y", "a b", "-"])
def test_dot_ids_give_iris_every_reader_reads_back(tmp_path, policy_id):
    import shutil
    import subprocess

    import pyoxigraph as ox
    import rdflib

    from ccus_kg.build import build

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.md").write_text(f"---\nid: {json.dumps(policy_id)}\ntitle: T\n---\nb\n", encoding="utf-8")
    result = build([tmp_path / "in"], validate=False)
    out = tmp_path / "g.ttl"
    result.graph.write(out)
    iri = iris.policy(policy_id)
    assert "/policy/" in iri and not iri.endswith(".") and "/./" not in iri and "/../" not in iri
    subjects_ox = {t.subject.value for t in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    subjects_rdflib = {str(s) for s in rdflib.Graph().parse(str(out), format="turtle").subjects()}
    assert iri in subjects_ox and subjects_ox == subjects_rdflib
    if shutil.which("rapper"):
        nt = subprocess.run(["rapper", "-q", "-i", "turtle", "-o", "ntriples", str(out)], capture_output=True, text=True, check=True)
        assert f"<{iri}>" in nt.stdout and len(nt.stdout.splitlines()) == len(result.graph)
