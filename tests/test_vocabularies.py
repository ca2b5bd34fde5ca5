"""Tests of ``ontology/vocabularies.ttl`` and :mod:`ccus_kg.identity.vocabularies`.

Shape checks read the Turtle file directly (pyoxigraph), independently of the index:
W3C SKOS Reference (2009) §5.4 S14 (at most one ``skos:prefLabel`` per language tag; we
require exactly one ``@en`` and one ``@zh``) and S13 (pref/alt/hidden labels disjoint), §4
(``skos:inScheme``, ``skos:topConceptOf`` / ``skos:hasTopConcept``), §8 (``skos:broader``).
Status concepts carry their ELI in-force value (http://data.europa.eu/eli/ontology#).

Data checks: every raw ``status``, ``category``, ``legalWeight``, ``reviewStatus`` value and
every ``analysis`` key of ``seeds/00[0134]_*.txt`` and of the policy-hub-2026-03 corpus
(``../shared/corpus``; skipped when absent, a failure under ``CI=true``) names a concept.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from ccus_kg.errors import CcusKgError, ResourceNotFound
from ccus_kg.identity import iris
from ccus_kg.identity.vocabularies import FACILITY_SCHEMES, SCHEMES, ConceptMatch, VocabularyIndex
from ccus_kg.resources import ontology_path
from ccus_kg.text import fold_label

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CCUS = iris.ONTOLOGY
ELI = "http://data.europa.eu/eli/ontology#"
IN_FORCE = ELI + "InForce-inForce"
NOT_IN_FORCE = ELI + "InForce-notInForce"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

#: The ccus: class of each scheme's concepts.
CLASSES = {
    "status": "PolicyStatus",
    "category": "PolicyCategory",
    "legal-weight": "LegalWeight",
    "review-status": "ReviewStatus",
    "analysis-dimension": "AnalysisDimension",
    "event-kind": "EventKind",
}
#: Front-matter field -> scheme.
FIELDS = {"status": "status", "category": "category", "legalWeight": "legal-weight", "reviewStatus": "review-status"}

#: Every raw value seen in seeds + corpus (March 2026) and the concept key it must map to.
#: This table records the merging decisions documented in ontology/vocabularies.ttl.
EXPECTED = {
    "status": {
        "现行": "active", "Active": "active",
        "Upcoming": "upcoming", "即将实施": "upcoming",
        "Planned": "planned", "计划中": "planned",
        "Under development": "under-development", "制定中": "under-development",
    },
    "category": {
        "法律监管": "regulatory", "Regulatory": "regulatory", "Statutory": "regulatory",
        "Offshore Storage Licensing": "regulatory",
        "Strategic": "strategic", "战略引导": "strategic",
        "Incentive": "incentive", "经济激励": "incentive", "Tax Incentives": "incentive",
        "Market": "market", "市场机制": "market",
        "Technical": "technical", "技术规范": "technical",
    },
    "legal-weight": {
        "Primary Legislation": "primary-legislation", "Act of Parliament": "primary-legislation",
        "Law No. 7552": "primary-legislation", "Law (RIGI)": "primary-legislation",
        "Administrative Regulation": "administrative-regulation",
        "Departmental Rules": "departmental-rules",
        "Departmental Circular": "departmental-circular",
        "Regulatory Directive": "regulatory-directive",
        "Decree": "decree", "Presidential Decree": "presidential-decree",
        "Federal Decree": "federal-decree",
        "Executive Order/Framework": "executive-order",
        "Guideline/Policy": "guideline-policy", "Guideline": "guideline-policy",
        "Strategic Guidance": "strategic-guidance",
        "Strategic Roadmap": "roadmap", "Policy Roadmap": "roadmap",
        "National Strategy": "national-strategy",
        "Operational Framework": "operational-framework",
        "Technical Standard": "technical-standard", "National Standards": "national-standard",
        "Storage Permit": "storage-permit",
        "State Aid Scheme": "state-aid-scheme",
    },
    "review-status": {"verified": "verified", "draft": "draft"},
    "analysis-dimension": {
        k: k for k in ("incentive", "market", "mrv", "statutory", "strategic", "technical", "liability")
    },
}


# --------------------------------------------------------------------------------------
#  helpers
# --------------------------------------------------------------------------------------

from corpus import corpus_dir  # noqa: E402  (tests/ is on sys.path: pyproject.toml's pythonpath)

_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def _front_matter(path: Path) -> dict:
    """The front matter of a policy file (JSON, or YAML as a fallback); {} if none."""
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        return {}
    text = match.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def _raw_values(files: list[Path]) -> dict[str, dict[str, list[str]]]:
    """scheme -> raw value -> files it occurs in."""
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        data = _front_matter(path)
        for field, scheme in FIELDS.items():
            value = data.get(field)
            if isinstance(value, str) and value.strip():
                seen[scheme][value].append(path.name)
        analysis = data.get("analysis")
        if isinstance(analysis, dict):
            for key in analysis:
                seen["analysis-dimension"][key].append(path.name)
    return seen


def _assert_all_known(index: VocabularyIndex, seen: dict[str, dict[str, list[str]]]) -> None:
    unknown = [
        f"{scheme}: {raw!r} (in {', '.join(sorted(set(files))[:3])})"
        for scheme, values in seen.items()
        for raw, files in values.items()
        if index.lookup(scheme, raw) is None
    ]
    assert not unknown, "raw values with no concept:\n" + "\n".join(unknown)
    # every raw value is also a *label* (pref/alt) or the notation, not only a lucky match
    labels = _labels_by_scheme()
    unlabelled = [
        f"{scheme}: {raw!r}" for scheme, values in seen.items() for raw in values
        if fold_label(raw) not in labels[scheme]
    ]
    assert not unlabelled, "raw values not carried as prefLabel/altLabel/notation:\n" + "\n".join(unlabelled)


@pytest.fixture(scope="module")
def index() -> VocabularyIndex:
    return VocabularyIndex.default()


def _graph() -> dict[str, dict[str, list]]:
    """subject IRI -> predicate IRI -> objects, straight from the Turtle file."""
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for quad in ox.parse(path=str(ontology_path("vocabularies.ttl")), format=ox.RdfFormat.TURTLE):
        out[quad.subject.value][quad.predicate.value].append(quad.object)
    return out


GRAPH = _graph()
CONCEPTS = sorted(s for s, p in GRAPH.items() if ox.NamedNode(SKOS + "Concept") in p[RDF_TYPE])


def _labels_by_scheme() -> dict[str, set[str]]:
    labels: dict[str, set[str]] = defaultdict(set)
    for subject in CONCEPTS:
        props = GRAPH[subject]
        scheme = props[SKOS + "inScheme"][0].value.rsplit("/", 1)[1]
        for p in ("prefLabel", "altLabel", "notation"):
            labels[scheme].update(fold_label(o.value) for o in props[SKOS + p])
    return labels


# --------------------------------------------------------------------------------------
#  shape of vocabularies.ttl
# --------------------------------------------------------------------------------------

def test_every_scheme_is_declared_with_bilingual_labels_and_description():
    for name in SCHEMES:
        props = GRAPH[iris.scheme(name)]
        assert ox.NamedNode(SKOS + "ConceptScheme") in props[RDF_TYPE], name
        langs = sorted(o.language for o in props[SKOS + "prefLabel"])
        assert langs == ["en", "zh"], name
        assert props["http://purl.org/dc/terms/description"], name
        assert props[SKOS + "hasTopConcept"], name


@pytest.mark.parametrize("concept", CONCEPTS)
def test_concept_shape(concept: str):
    props = GRAPH[concept]
    schemes = [o.value for o in props[SKOS + "inScheme"]]
    assert len(schemes) == 1, f"{concept} inScheme {schemes}"
    name = schemes[0].removeprefix(iris.BASE + "scheme/")
    assert name in SCHEMES
    key = concept.rsplit("/", 1)[1]
    assert concept == iris.concept(name, key)
    assert ox.NamedNode(CCUS + CLASSES[name]) in props[RDF_TYPE]
    assert [o.value for o in props[SKOS + "notation"]] == [key]

    # SKOS S14: one prefLabel per language; we require exactly en + zh
    pref = sorted(o.language for o in props[SKOS + "prefLabel"])
    assert pref == ["en", "zh"], f"{concept} prefLabel languages {pref}"
    assert [o.language for o in props[SKOS + "definition"]] == ["en"]

    # language tag by script: Han -> zh, anything else -> en
    for p in ("prefLabel", "altLabel", "hiddenLabel"):
        for label in props[SKOS + p]:
            expected = "zh" if HAN.search(label.value) else "en"
            assert label.language == expected, f"{concept} {p} {label.value!r}@{label.language}"

    # SKOS S13: pref/alt/hidden pairwise disjoint
    sets = [{(o.value, o.language) for o in props[SKOS + p]} for p in ("prefLabel", "altLabel", "hiddenLabel")]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2]), concept

    # top concept xor narrower kind; both directions materialised
    top = [o.value for o in props[SKOS + "topConceptOf"]]
    broader = [o.value for o in props[SKOS + "broader"]]
    assert bool(top) != bool(broader), f"{concept}: top={top} broader={broader}"
    if top:
        assert top == schemes
        assert ox.NamedNode(concept) in GRAPH[schemes[0]][SKOS + "hasTopConcept"]
    for b in broader:
        assert ox.NamedNode(concept) in GRAPH[b][SKOS + "narrower"]
        assert GRAPH[b][SKOS + "inScheme"][0].value == schemes[0]


def test_has_top_concept_lists_only_top_concepts():
    for name in SCHEMES:
        for top in GRAPH[iris.scheme(name)][SKOS + "hasTopConcept"]:
            assert [o.value for o in GRAPH[top.value][SKOS + "topConceptOf"]] == [iris.scheme(name)]


def test_status_concepts_carry_their_eli_in_force_value(index: VocabularyIndex):
    values = {c.key: c.in_force for c in index.concepts("status")}
    assert values == {
        "active": IN_FORCE,
        "upcoming": NOT_IN_FORCE,
        "planned": NOT_IN_FORCE,
        "under-development": NOT_IN_FORCE,
    }
    assert all(c.in_force is None for s in SCHEMES if s != "status" for c in index.concepts(s))


def test_in_force_value_property_is_declared():
    terms = defaultdict(list)
    for quad in ox.parse(path=str(ontology_path("ccus.ttl")), format=ox.RdfFormat.TURTLE):
        if quad.subject.value == CCUS + "inForceValue":
            terms[quad.predicate.value].append(quad.object)
    assert ox.NamedNode("http://www.w3.org/2002/07/owl#ObjectProperty") in terms[RDF_TYPE]
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    assert sorted(o.language for o in terms[rdfs + "label"]) == ["en", "zh"]
    assert terms[rdfs + "comment"]


def test_event_kinds():
    index = VocabularyIndex.default()
    assert [c.key for c in index.concepts("event-kind")] == ["last-audit", "milestone", "publication", "timeline-item"]


# --------------------------------------------------------------------------------------
#  VocabularyIndex
# --------------------------------------------------------------------------------------

def test_default_is_cached_and_complete(index: VocabularyIndex):
    assert VocabularyIndex.default() is index
    assert index.schemes() == sorted(SCHEMES + FACILITY_SCHEMES)  # facility schemes: tests/test_facility_vocabularies.py
    assert sum(len(index.concepts(s)) for s in SCHEMES) == len(CONCEPTS)


def test_chinese_and_english_status_give_the_same_concept(index: VocabularyIndex):
    zh, en = index.lookup("status", "现行"), index.lookup("status", "Active")
    assert zh == en == ConceptMatch(
        scheme="status", iri=iris.concept("status", "active"), key="active",
        label_en="Active", label_zh="现行", in_force=IN_FORCE,
    )


@pytest.mark.parametrize(("scheme", "raw", "key"), [
    (scheme, raw, key) for scheme, table in EXPECTED.items() for raw, key in table.items()
])
def test_every_known_raw_value_maps_as_decided(index: VocabularyIndex, scheme: str, raw: str, key: str):
    match = index.lookup(scheme, raw)
    assert match is not None and match.key == key
    assert match.iri == iris.concept(scheme, key)


@pytest.mark.parametrize(("scheme", "raw", "key"), [
    ("status", "  active ", "active"),
    ("status", "ACTIVE", "active"),
    ("status", "\u3000现行\t", "active"),
    ("status", "under  development", "under-development"),
    ("status", "Under_Development", "under-development"),
    ("status", "under-development", "under-development"),
    ("status", "制定 中", "under-development"),
    ("legal-weight", "Guideline / Policy", "guideline-policy"),
    ("legal-weight", "guideline／policy", "guideline-policy"),
    ("legal-weight", "LAW(RIGI)", "primary-legislation"),
    ("legal-weight", "Law（RIGI）", "primary-legislation"),
    ("legal-weight", "ｌａｗ ｎｏ. ７５５２", "primary-legislation"),
    ("legal-weight", "executive order / framework", "executive-order"),
    ("legal-weight", "presidential-decree", "presidential-decree"),
    ("category", "tax  incentives", "incentive"),
    ("review-status", "Verified", "verified"),
    ("analysis-dimension", "MRV", "mrv"),
    ("analysis-dimension", "Monitoring, Reporting and Verification", "mrv"),
    ("event-kind", "last-audit", "last-audit"),
    ("event-kind", "Last audit", "last-audit"),
])
def test_variants_with_odd_spacing_case_and_width_still_match(index, scheme, raw, key):
    match = index.lookup(scheme, raw)
    assert match is not None, raw
    assert match.key == key


@pytest.mark.parametrize("raw", ["Repealed", "已废止", "activ", "", "   ", None, "Regulatory"])
def test_unknown_or_blank_values_give_none(index: VocabularyIndex, raw):
    assert index.lookup("status", raw) is None


def test_labels_are_scoped_to_their_scheme(index: VocabularyIndex):
    assert index.lookup("category", "Statutory").key == "regulatory"
    assert index.lookup("analysis-dimension", "Statutory").key == "statutory"
    assert index.lookup("category", "Active") is None


def test_scheme_may_be_given_by_iri(index: VocabularyIndex):
    assert index.lookup(iris.scheme("legal-weight"), "Decree").key == "decree"
    assert [c.key for c in index.concepts(iris.scheme("review-status"))] == ["draft", "verified"]


def test_unknown_scheme_raises_key_error(index: VocabularyIndex):
    with pytest.raises(KeyError):
        index.lookup("legalWeight", "Decree")
    with pytest.raises(KeyError):
        index.concepts("nope")


def test_triples_are_the_whole_file(index: VocabularyIndex):
    triples = index.triples()
    assert all(isinstance(t, ox.Triple) for t in triples)
    facility_file = list(ox.parse(path=str(ontology_path("facility-vocabularies.ttl")), format=ox.RdfFormat.TURTLE))
    assert len(triples) == sum(len(objs) for props in GRAPH.values() for objs in props.values()) + len(facility_file)
    assert ox.Triple(
        ox.NamedNode(iris.concept("status", "active")),
        ox.NamedNode(CCUS + "inForceValue"),
        ox.NamedNode(IN_FORCE),
    ) in triples
    triples.clear()
    assert index.triples(), "triples() must return a copy"


def test_missing_vocabulary_file_raises_resource_not_found(monkeypatch):
    import ccus_kg.identity.vocabularies as vocabularies

    monkeypatch.setattr(vocabularies, "VOCABULARY_FILES", ("no-such-vocabulary.ttl",))
    monkeypatch.setattr(VocabularyIndex, "_default", None)
    with pytest.raises(ResourceNotFound):
        VocabularyIndex.default()


_HEADER = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix scheme: <https://w3id.org/ccus-kg/id/scheme/> .
@prefix c: <https://w3id.org/ccus-kg/id/concept/status/> .
scheme:status a skos:ConceptScheme .
"""


def test_ambiguous_labels_are_rejected(tmp_path: Path):
    path = tmp_path / "v.ttl"
    path.write_text(_HEADER + """
c:a a skos:Concept ; skos:inScheme scheme:status ; skos:prefLabel "A"@en , "甲"@zh ; skos:altLabel "Same"@en .
c:b a skos:Concept ; skos:inScheme scheme:status ; skos:prefLabel "B"@en , "乙"@zh ; skos:altLabel "same "@en .
""", encoding="utf-8")
    with pytest.raises(CcusKgError, match="ambiguous"):
        VocabularyIndex.from_path(path)


def test_two_english_pref_labels_are_rejected(tmp_path: Path):
    path = tmp_path / "v.ttl"
    path.write_text(_HEADER + """
c:a a skos:Concept ; skos:inScheme scheme:status ; skos:prefLabel "A"@en , "A2"@en , "甲"@zh .
""", encoding="utf-8")
    with pytest.raises(CcusKgError, match="S14"):
        VocabularyIndex.from_path(path)


def test_syntax_error_is_a_ccus_kg_error(tmp_path: Path):
    path = tmp_path / "v.ttl"
    path.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(CcusKgError):
        VocabularyIndex.from_path(path)


# --------------------------------------------------------------------------------------
#  the data
# --------------------------------------------------------------------------------------

def test_every_raw_value_in_the_seeds_names_a_concept(index: VocabularyIndex):
    files = sorted(SEEDS.glob("00[0134]_*.txt"))
    assert files, f"no seed policy files in {SEEDS}"
    seen = _raw_values(files)
    assert seen["status"], "seed front matter not read"
    _assert_all_known(index, seen)


@pytest.mark.corpus
def test_every_raw_value_in_the_corpus_names_a_concept(index: VocabularyIndex):
    files = sorted(corpus_dir().glob("*/*.md"))
    assert files, "corpus has no policy files"
    seen = _raw_values(files)
    assert len(seen["status"]) >= 2
    _assert_all_known(index, seen)


@pytest.mark.corpus
def test_expected_table_covers_the_corpus():
    """A new raw value in the data should be decided on and added to EXPECTED (and the TTL)."""
    seen = _raw_values(sorted(corpus_dir().glob("*/*.md")) + sorted(SEEDS.glob("00[0134]_*.txt")))
    missing = {s: sorted(set(v) - set(EXPECTED[s])) for s, v in seen.items() if set(v) - set(EXPECTED[s])}
    assert not missing
