"""IRIs: deterministic, readable, safe for any input."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ccus_kg.identity import iris


def test_readable_iris():
    assert iris.policy("cn-js-industrial-decarb-2022") == "https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022"
    assert iris.jurisdiction("CN-JS") == "https://w3id.org/ccus-kg/id/jurisdiction/CN-JS"
    assert iris.agency("CN", "miit") == "https://w3id.org/ccus-kg/id/agency/CN/miit"
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
