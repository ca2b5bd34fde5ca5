"""ontology/facility-vocabularies.ttl: the conventions of vocabularies.ttl, and every raw corpus value named."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest

from ccus_kg.identity import iris
from ccus_kg.identity.vocabularies import FACILITY_SCHEMES, VocabularyIndex
from ccus_kg.resources import ontology_path

SKOS = "http://www.w3.org/2004/02/skos/core#"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
QUADS = list(ox.parse(path=str(ontology_path("facility-vocabularies.ttl")), format=ox.RdfFormat.TURTLE))


def _props(subject):
    out: dict[str, list] = {}
    for q in QUADS:
        if q.subject.value == subject:
            out.setdefault(q.predicate.value, []).append(q.object)
    return out


def test_every_concept_follows_the_conventions():
    index = VocabularyIndex.default()
    for scheme in FACILITY_SCHEMES:
        concepts = index.concepts(scheme)
        assert concepts, scheme
        for c in concepts:
            props = _props(c.iri)
            assert [o.value for o in props[SKOS + "notation"]] == [c.key]
            assert sorted(o.language for o in props[SKOS + "prefLabel"]) == ["en", "zh"]
            assert [o.language for o in props[SKOS + "definition"]] == ["en"]
            assert [o.value for o in props[SKOS + "topConceptOf"]] == [iris.scheme(scheme)]
            for p in ("prefLabel", "altLabel"):
                for label in props.get(SKOS + p, []):
                    assert label.language == ("zh" if HAN.search(label.value) else "en"), (c.iri, label)


FIELDS = {"type": "facility-type", "sector": "facility-sector", "status": "facility-status", "phase": "facility-phase",
          "fateOfCarbon": "fate-of-carbon", "region": "region", "precision": "location-precision"}


def test_every_raw_corpus_value_names_a_concept():
    from corpus import corpus_folder

    index = VocabularyIndex.default()
    unknown = set()
    for path in corpus_folder("facilities").glob("*/*.md"):
        data = json.loads(path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))
        for field, scheme in FIELDS.items():
            raw = str(data.get(field) or "").strip()
            if raw and index.lookup(scheme, raw) is None:
                unknown.add((field, raw))
    assert unknown == {("region", "Unknown")}   # documented in the file: not a region, reported


@pytest.mark.parametrize("raw, key", [("T&S", "transport-and-storage"), ("运输与封存", "transport-and-storage"), ("CCU", "utilisation")])
def test_type_labels(raw, key):
    assert VocabularyIndex.default().lookup("facility-type", raw).key == key
