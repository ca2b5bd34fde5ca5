"""The declarative mappings (ontology/mapping/*.yaml) and telling record kinds by content."""

from __future__ import annotations

import json

import pytest

from ccus_kg.errors import AuthorityFileError
from ccus_kg.ingest.loader import load_paths
from ccus_kg.mapping import KINDS, MAPPING_FILES, get_path, load_mapping, parse_mapping, record_kind
from ccus_kg.namespaces import CCUS

FACILITY = {"id": "7", "name": "Plant", "coordinates": [1.0, 2.0], "precision": "country", "fateOfCarbon": "EOR",
            "relatedPolicies": [], "hub": ""}
PROFILE = {"id": "Canada", "name": "Canada", "regulatory": {}, "maturity": {"x": 0, "y": 0}}
POLICY = {"id": "p", "title": "A policy", "regulatory": {}, "relatedFacilities": ["7"]}


def test_kind_is_told_by_content():
    assert record_kind(FACILITY) == "facility"
    assert record_kind(PROFILE) == "country-profile"
    assert record_kind(POLICY) == "policy"
    # a title makes it a policy even with facility-like keys; two facility keys are not enough
    assert record_kind({**FACILITY, "title": "x"}) == "policy"
    assert record_kind({"id": "x", "hub": "", "precision": "country"}) == "policy"


def test_loader_sorts_records_by_kind_not_by_folder(tmp_path):
    folder = tmp_path / "policies"          # a misleading folder name: the content decides
    folder.mkdir()
    for name, data in (("a.md", FACILITY), ("b.md", PROFILE), ("c.md", POLICY)):
        (folder / name).write_text("---\n" + json.dumps({**data, "lang": "zh"}) + "\n---\nbody\n", encoding="utf-8")
    result = load_paths([folder])
    assert [r.kind for r in result.facilities] == ["facility"]
    assert [r.kind for r in result.profiles] == ["country-profile"]
    assert [r.id for r in result.records] == ["p"]
    # no en/ or zh/ folder: a facility or profile takes the language from its own `lang` field
    assert result.facilities[0].lang == "zh" and result.facilities[0].lang_evidence == "field"
    assert result.records[0].lang_evidence == "text"


def test_every_mapping_file_parses_and_reads_every_corpus_key():
    facility = load_mapping("facility")
    assert set(MAPPING_FILES) == {"facility", "country-profile", "policy"}
    assert facility.entry("type").options["scheme"] == "facility-type"
    assert facility.entry("partners").many and facility.entry("partners").node_option("raw") == CCUS.partnersText
    assert {f.kind for f in facility.fields} <= KINDS
    keys = """announcedCapacityMax announcedCapacityMin announcedCapacityRaw announcement captureTechnology coordinates
              country estimatedCapacity fateOfCarbon fid hub id investmentScale lang links name operation operator
              partners phase precision provenance region relatedPolicies sector status storageType suspensionDate type""".split()
    assert set(keys) <= facility.top_level_keys()
    assert {"id", "name", "region", "summary", "maturity", "regulatory", "provenance", "lang"} <= load_mapping("country-profile").top_level_keys()


def test_get_path():
    assert get_path({"a": {"b": 1}}, "a.b") == 1
    assert get_path({"a": {"b": 1}}, "a.c", "x") == "x"
    assert get_path({"a": 3}, "a.b") is None


@pytest.mark.parametrize("bad, message", [
    ({"record": "x"}, "missing top-level key"),
    ({"record": "x", "iri": "f", "types": ["ccus:Facility"], "identifier": {"path": "id", "predicate": "dcterms:identifier"},
      "detect": {}, "fields": [{"path": "a", "kind": "nonsense", "predicate": "ccus:region"}]}, "unknown kind"),
    ({"record": "x", "iri": "f", "types": ["nope:Facility"], "identifier": {"path": "id", "predicate": "dcterms:identifier"},
      "detect": {}, "fields": []}, "known prefix"),
    ({"record": "x", "iri": "f", "types": [], "identifier": {"path": "id", "predicate": "dcterms:identifier"},
      "detect": {}, "fields": [{"path": "a", "kind": "concept", "predicate": "ccus:region"}]}, "needs a scheme"),
])
def test_malformed_mapping_is_refused_with_the_reason(bad, message):
    with pytest.raises(AuthorityFileError, match=message):
        parse_mapping(bad, "test.yaml")


def test_model_md_mapping_tables_are_generated_from_the_mapping_files():
    from pathlib import Path

    from ccus_kg.mapping import update_markdown
    model = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"
    text = model.read_text(encoding="utf-8")
    assert update_markdown(text) == text, "docs/MODEL.md differs from ontology/mapping/*.yaml: run `make mapping-doc`"
    # the tables really carry the files' entries
    assert "| `regulatory.co2_definition` | text | `ccus:co2Definition` |" in text
    assert "| `legalWeight` | concept | `eli:type_document` | scheme `legal-weight`; fallback `ccus:legalWeightText` |  | yes |" in text


def test_model_md_check_fails_when_an_entry_changes():
    from ccus_kg.mapping import markdown_table, update_markdown
    stale = "x\n<!-- mapping:policy begin -->\n| old |\n<!-- mapping:policy end -->\n" \
            "<!-- mapping:facility begin -->\n<!-- mapping:facility end -->\n<!-- mapping:country-profile begin -->\n<!-- mapping:country-profile end -->\n"
    fresh = update_markdown(stale)
    assert fresh != stale and "| old |" not in fresh and markdown_table("policy") in fresh
    with pytest.raises(AuthorityFileError, match="no '<!-- mapping:facility begin"):
        update_markdown("<!-- mapping:policy begin -->\n<!-- mapping:policy end -->\n")


def test_policy_mapping_drives_the_policy_converter():
    policy = load_mapping("policy")
    assert policy.detect == {"otherwise": True}
    assert policy.entry("legalWeight").options["scheme"] == "legal-weight"
    assert policy.known_objects() == {"regulatory", "impactAnalysis", "evolution"}
    assert {"title", "country", "source", "analysis", "evolution", "regulatory", "relatedFacilities"} <= policy.top_level_keys()
    assert {f.kind for f in policy.fields} <= KINDS


def test_a_new_entry_in_a_mapping_file_maps_a_new_key_without_code(tmp_path):
    """Mapping as data: an entry added to (a copy of) policies.yaml maps `regulatory.credit_period`
    to a property, where the packaged mapping keeps it as a ccus:extraField."""
    import pyoxigraph as ox
    import yaml

    from ccus_kg.identity import iris
    from ccus_kg.ingest.loader import load_paths
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.rdf.policies import convert_records
    from ccus_kg.resources import ontology_path

    (tmp_path / "p.md").write_text("---\nid: p\ntitle: A policy\nregulatory:\n  credit_period: 10 years\n---\nbody\n", encoding="utf-8")
    records = load_paths([tmp_path]).records
    data = yaml.safe_load(ontology_path("mapping/policies.yaml").read_text(encoding="utf-8"))
    data["fields"].append({"path": "regulatory.credit_period", "predicate": "ccus:liabilityPeriod", "kind": "text", "language": "detect"})
    mapped = convert_records(records, IdentityContext.default(), mapping=parse_mapping(data, "test"))
    s = ox.NamedNode(iris.policy("p"))
    assert ox.Quad(s, CCUS.liabilityPeriod, ox.Literal("10 years", language="en")) in mapped.quads
    assert not [q for q in mapped.quads if q.predicate == CCUS.extraField]
    assert not [p for p in mapped.problems if p.code == "extra-field"]
    packaged = convert_records(records, IdentityContext.default())
    assert [q.object.value for q in packaged.quads if q.predicate == CCUS.extraField] == [iris.extra_field(s.value, "regulatory.credit_period")]
