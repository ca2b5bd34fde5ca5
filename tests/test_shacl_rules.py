"""Each SHACL rule catches exactly the fault it is for, in a copy of real records, and says where.

Every test copies seed policy records (real CCUS Policy Hub records, ``seeds/``) to a temporary
folder, injects one fault, builds, and asserts the one result of the rule: rule IRI, focus node,
and the file and line of the focus node's record (the line of its ``id`` field).  A fault the
converter cannot produce from a record (it always writes both ``dcterms:replaces`` and
``isReplacedBy``, refuses a score over 100, resolves agencies within the jurisdiction chain, and
types every date by its precision) is injected into the built graph of the copied records, as a
hand-edited or foreign graph file would carry it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus import corpus_folder, corpus_slice
from helpers import invoke

from ccus_kg.build import build
from ccus_kg.identity import iris
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.validate import validate

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
JS, MIIT_ZH, MIIT_EN, PARKS = ("000_155eae0fb6f852c6.txt", "001_a635d66737dcffce.txt",
                               "003_50fea39f06c8fb7a.txt", "004_a7b8cafd75ac6fe3.txt")
JS_ID, MIIT_ID, PARKS_ID = "cn-js-industrial-decarb-2022", "cn-miit-industrial-plan-2022", "cn-zero-carbon-parks"
SHAPES = "https://w3id.org/ccus-kg/shapes#"


def copy_record(name: str, folder: Path, edit: Callable[[dict], None] | None = None, as_name: str | None = None) -> Path:
    """Copy ``seeds/<name>`` into ``folder``, applying ``edit`` to its JSON front matter."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (as_name or name)
    if edit is None:
        shutil.copyfile(SEEDS / name, target)
        return target
    text = (SEEDS / name).read_text(encoding="utf-8")
    head, body = text[4:].split("\n---\n", 1)
    data = json.loads(head)
    edit(data)
    target.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n---\n" + body,
                      encoding="utf-8")
    return target


def copy_facility(facility_id: str, folder: Path, edit: Callable[[dict], None]) -> list[Path]:
    """Copy the en and zh records of corpus facility ``facility_id`` into ``folder/en`` and ``folder/zh``,
    applying ``edit`` to the JSON front matter of both."""
    copies = []
    for lang in ("en", "zh"):
        source = corpus_folder("facilities") / lang / f"{facility_id}.md"
        head, body = source.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
        data = json.loads(head)
        edit(data)
        (folder / lang).mkdir(parents=True, exist_ok=True)
        target = folder / lang / source.name
        target.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n---\n" + body,
                          encoding="utf-8")
        copies.append(target)
    return copies


def where(path: Path) -> tuple[str, int]:
    """``(file as reported, line of the top-level "id" key)``, read from the file itself."""
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith('  "id":'))
    return ("" if path.parent.name not in ("en", "zh") else path.parent.parent.name + "/") + f"{path.parent.name}/{path.name}", line


def only(report, rule: str):
    """The one result of ``rule`` (a local name of shapes.ttl); fails if there are none or several."""
    found = [r for r in report.results if r.shape == SHAPES + rule]
    assert len(found) == 1, [(r.focus_node, r.message) for r in found]
    return found[0]


def assert_located(result, *paths: Path) -> None:
    assert [(s.file, s.line) for s in result.sources] == sorted(where(p) for p in paths)


def none_of(report, rule: str) -> None:
    assert [r.focus_node for r in report.results if r.shape == SHAPES + rule] == []


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "in"


def _supersedes(*ids: str):
    def edit(d: dict) -> None:
        d["evolution"]["supersedes"] = list(ids)
    return edit


# -- lineage ---------------------------------------------------------------------------------

def test_clean_copies_give_none_of_the_lineage_date_or_identity_rules(folder):
    for name in (JS, MIIT_ZH, MIIT_EN, PARKS):
        copy_record(name, folder)
    report = build([folder]).validation
    assert report.count("Violation") == 0
    assert {r.shape for r in report.results} == {SHAPES + "AssessmentLanguage"}  # zh records, English texts


def test_replacement_cycle_is_reported_once_with_the_whole_path(folder):
    js = copy_record(JS, folder, _supersedes(MIIT_ID))
    copy_record(MIIT_ZH, folder, _supersedes(JS_ID))
    report = build([folder]).validation
    r = only(report, "ReplacementCycle")
    assert (r.severity, r.focus_node, r.value) == ("Violation", iris.policy(JS_ID), iris.policy(MIIT_ID))
    assert f"{JS_ID} → {MIIT_ID} → {JS_ID}" in r.message
    assert_located(r, js)
    assert r.label == "Lineage: replacement cycle"


def test_three_policy_cycle_spells_the_path_in_order(folder):
    js = copy_record(JS, folder, _supersedes(MIIT_ID))
    copy_record(MIIT_ZH, folder, _supersedes(PARKS_ID))
    copy_record(PARKS, folder, _supersedes(JS_ID))
    r = only(build([folder]).validation, "ReplacementCycle")
    assert r.focus_node == iris.policy(JS_ID)
    assert f"{JS_ID} → {MIIT_ID} → {PARKS_ID} → {JS_ID}" in r.message
    assert_located(r, js)


def test_self_replacement(folder):
    parks = copy_record(PARKS, folder, _supersedes(PARKS_ID))
    report = build([folder]).validation
    r = only(report, "SelfReplacement")
    assert (r.severity, r.focus_node) == ("Violation", iris.policy(PARKS_ID))
    assert_located(r, parks)
    none_of(report, "ReplacementCycle")


def test_replacing_policy_published_before_the_replaced_one_is_a_warning(folder):
    def edit(d: dict) -> None:
        d["evolution"]["supersedes"] = [PARKS_ID]  # published 2022-10-01; parks 2024-01-15
        d["status"] = "计划中"  # so the in-force rule stays out of it

    js = copy_record(JS, folder, edit)
    copy_record(PARKS, folder)
    report = build([folder]).validation
    r = only(report, "ReplacedByOlder")
    assert (r.severity, r.focus_node, r.value, r.path) == (
        "Warning", iris.policy(JS_ID), iris.policy(PARKS_ID), "http://purl.org/dc/terms/replaces")
    assert "published 2022-10-01" in r.message and "(2024-01-15)" in r.message
    assert_located(r, js)
    none_of(report, "InForceAfterReplacement")


def test_policy_replaced_by_an_in_force_policy_still_in_force(folder):
    copy_record(PARKS, folder, _supersedes(MIIT_ID))
    zh, en = copy_record(MIIT_ZH, folder), copy_record(MIIT_EN, folder)
    report = build([folder]).validation
    r = only(report, "InForceAfterReplacement")
    assert (r.severity, r.focus_node, r.value) == ("Warning", iris.policy(MIIT_ID), iris.policy(PARKS_ID))
    assert_located(r, zh, en)  # both files of the policy
    none_of(report, "ReplacedByOlder")  # parks (2024) is newer than MIIT (2022)


def test_replaces_without_is_replaced_by_in_a_graph_file(folder, tmp_path):
    """Through ``ccus-kg validate FILE.ttl``: the file and line come from the graph's PROV links."""
    parks = copy_record(PARKS, folder, _supersedes(MIIT_ID))
    copy_record(MIIT_ZH, folder)
    graph = build([folder], validate=False).graph
    graph.store.update(f"DELETE DATA {{ <{iris.policy(MIIT_ID)}> <http://purl.org/dc/terms/isReplacedBy> <{iris.policy(PARKS_ID)}> }}")
    path = tmp_path / "edited.ttl"
    graph.write(path)
    result = invoke("validate", path, "--format", "json")
    assert result.exit_code == 1
    [r] = [r for r in json.loads(result.stdout)["results"] if r["shape"] == SHAPES + "ReplacementInverse"]
    assert (r["severity"], r["focus_node"], r["path"], r["value"]) == (
        "Violation", iris.policy(PARKS_ID), "http://purl.org/dc/terms/replaces", iris.policy(MIIT_ID))
    file, line = where(parks)
    assert r["sources"] == [{"file": file, "line": line}]


# -- dates -----------------------------------------------------------------------------------

def test_event_ending_before_it_starts(folder):
    def edit(d: dict) -> None:
        d["evolution"]["milestones"] = [{"date": "2023年5月至2022年1月", "event": "试点阶段"}]

    parks = copy_record(PARKS, folder, edit)
    r = only(build([folder]).validation, "EventEndBeforeStart")
    assert r.severity == "Violation"
    assert r.focus_node.startswith(iris.policy(PARKS_ID) + "/event/milestone-")
    assert (r.value, r.path) == ("2022-01", "https://schema.org/endDate")
    assert_located(r, parks)  # an event of a policy points to the policy's record


def test_date_whose_form_disagrees_with_its_datatype(folder):
    parks = copy_record(PARKS, folder)
    graph = build([folder], validate=False).graph
    graph.store.update(f"""PREFIX eli: <http://data.europa.eu/eli/ontology#>
        DELETE {{ ?p eli:date_publication ?d }} INSERT {{ ?p eli:date_publication "2024-01"^^<http://www.w3.org/2001/XMLSchema#date> }}
        WHERE {{ ?p eli:date_publication ?d FILTER(?p = <{iris.policy(PARKS_ID)}>) }}""")
    report = validate(graph)
    r = only(report, "DatePrecision")
    assert (r.severity, r.focus_node, r.value, r.path) == (
        "Violation", iris.policy(PARKS_ID), "2024-01", "http://data.europa.eu/eli/ontology#date_publication")
    assert "xsd:date" in r.message
    assert_located(r, parks)
    assert report.count("Violation") == 1  # no second result for the same fault from a core shape


def test_publication_after_last_audit(folder):
    def edit(d: dict) -> None:
        d["provenance"]["lastAuditDate"] = "2023-06-30"  # published 2024-01-15

    parks = copy_record(PARKS, folder, edit)
    r = only(build([folder]).validation, "PublishedAfterAudit")
    assert (r.severity, r.focus_node, r.value) == ("Warning", iris.policy(PARKS_ID), "2024-01-15")
    assert "(2023-06-30)" in r.message
    assert_located(r, parks)


def test_future_date_unless_planned(folder, tmp_path):
    def future(d: dict) -> None:
        d["pubDate"] = "2099-01-01"
        d["provenance"]["lastAuditDate"] = "2099-02-01"

    parks = copy_record(PARKS, folder, future)
    report = build([folder]).validation
    found = [r for r in report.results if r.shape == SHAPES + "FutureDate"]
    assert sorted((r.focus_node, r.path, r.value) for r in found) == [
        (iris.policy(PARKS_ID), "http://data.europa.eu/eli/ontology#date_publication", "2099-01-01"),
        (iris.policy(PARKS_ID), "https://w3id.org/ccus-kg/ontology#lastAuditDate", "2099-02-01"),
    ]  # one per date field; the publication and audit events of the policy are not reported again
    assert {r.severity for r in found} == {"Warning"}
    assert_located(found[0], parks)

    def planned(d: dict) -> None:
        future(d)
        d["status"] = "计划中"

    copy_record(PARKS, tmp_path / "planned", planned)
    none_of(build([tmp_path / "planned"]).validation, "FutureDate")


def test_future_date_is_after_the_build_date_from_source_date_epoch(folder, tmp_path, monkeypatch):
    """A date after the build date (SOURCE_DATE_EPOCH in the past) but before today's real date is
    reported, against the build date, by both engines; a planned record is not; a graph without
    its build date is compared with the day of validation instead."""
    import datetime as dt

    built = dt.date.today() - dt.timedelta(days=400)
    epoch = int(dt.datetime(built.year, built.month, built.day, 12, tzinfo=dt.UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    published = (built + dt.timedelta(days=200)).isoformat()  # after the build date, before today

    def later(d: dict) -> None:
        d["pubDate"] = published
        d["provenance"]["lastAuditDate"] = built.isoformat()  # the build date itself: not after it

    parks = copy_record(PARKS, folder, later)
    graph = build([folder], validate=False).graph
    [row] = list(graph.query("SELECT ?d WHERE { <https://w3id.org/ccus-kg/graph/data> dcterms:created ?d }"))
    assert row["d"].value == built.isoformat()
    for engine in ("oxigraph", "pyshacl"):
        r = only(validate(graph, engine=engine), "FutureDate")
        assert (r.severity, r.focus_node, r.value) == ("Warning", iris.policy(PARKS_ID), published)
        assert r.message.startswith(f"http://data.europa.eu/eli/ontology#date_publication {published} is after the build date and the record")
        assert built.isoformat() not in r.message  # the report states the build date once
        assert_located(r, parks)
    assert validate(graph).build_date == built.isoformat()

    graph.store.update("DELETE WHERE { <https://w3id.org/ccus-kg/graph/data> <http://purl.org/dc/terms/created> ?d }")
    none_of(validate(graph), "FutureDate")  # an old graph file: compared with today, the date is past

    def planned(d: dict) -> None:
        later(d)
        d["status"] = "计划中"

    copy_record(PARKS, tmp_path / "planned", planned)
    none_of(build([tmp_path / "planned"]).validation, "FutureDate")


def test_a_graph_without_build_date_is_checked_against_today(folder):
    parks = copy_record(PARKS, folder, lambda d: d.update(pubDate="2099-01-01"))
    graph = build([folder], validate=False).graph
    graph.store.update("DELETE WHERE { <https://w3id.org/ccus-kg/graph/data> <http://purl.org/dc/terms/created> ?d }")
    r = only(validate(graph), "FutureDate")
    assert r.value == "2099-01-01" and "is after the day of validation (the graph has no build date)" in r.message
    assert validate(graph).build_date is None
    assert_located(r, parks)


# -- identity --------------------------------------------------------------------------------

def test_same_title_same_jurisdiction_different_id_is_info(folder):
    def other_id(d: dict) -> None:
        d["id"] = "cn-zero-carbon-parks-2025"

    original = copy_record(PARKS, folder)
    copy_record(PARKS, folder, other_id, as_name="005_copy.txt")
    r = only(build([folder]).validation, "LikelyDuplicate")
    assert (r.severity, r.focus_node, r.value) == ("Info", iris.policy(PARKS_ID), iris.policy("cn-zero-carbon-parks-2025"))
    assert "in CN" in r.message
    assert_located(r, original)


def test_likely_duplicate_pairs_only_equal_keys_not_a_blank_node_title(folder):
    """The normalised title is the join key: a policy whose title is a blank node (no text, so no key)
    is no one's duplicate (an unbound key used to match every title of the jurisdiction); two
    copies with one title still are.  Both engines agree."""
    copy_record(PARKS, folder)
    copy_record(PARKS, folder, lambda d: d.update(id="cn-zero-carbon-parks-2025"), as_name="005_copy.txt")
    graph = build([folder], validate=False).graph
    graph.store.update(f"""PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX ccus: <https://w3id.org/ccus-kg/ontology#>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        INSERT DATA {{ <{iris.policy("zz-untitled")}> a ccus:Policy ; ccus:inCorpus true ; dcterms:identifier "zz-untitled" ;
                           eli:jurisdiction <{iris.jurisdiction("CN")}> ; dcterms:title [] }}""")
    for engine in ("oxigraph", "pyshacl"):
        r = only(validate(graph, engine=engine), "LikelyDuplicate")
        assert (r.focus_node, r.value) == (iris.policy(PARKS_ID), iris.policy("cn-zero-carbon-parks-2025"))


def test_agency_outside_the_jurisdiction_chain(folder):
    js, miit = copy_record(JS, folder), copy_record(MIIT_ZH, folder)
    graph = build([folder], validate=False).graph
    [row] = list(graph.query(f"SELECT ?a WHERE {{ <{iris.policy(JS_ID)}> eli:passed_by ?a }}"))
    provincial = row["a"].value
    assert "/agency/CN-JS/" in provincial
    graph.store.update(f"INSERT DATA {{ <{iris.policy(MIIT_ID)}> <http://data.europa.eu/eli/ontology#passed_by> <{provincial}> }}")
    r = only(validate(graph), "AgencyOutsideJurisdiction")
    assert (r.severity, r.focus_node, r.value) == ("Warning", iris.policy(MIIT_ID), provincial)
    assert "of CN is passed by an agency of CN-JS" in r.message
    assert_located(r, miit)
    assert js.exists()


# -- assessments ----------------------------------------------------------------------------

def test_two_assessments_of_one_dimension(folder):
    def edit(d: dict) -> None:
        d["analysis"]["Monitoring, reporting and verification"] = dict(d["analysis"]["mrv"], score=20)

    parks = copy_record(PARKS, folder, edit)
    r = only(build([folder]).validation, "OneScorePerDimension")
    assert (r.severity, r.focus_node) == ("Violation", iris.policy(PARKS_ID))
    assert r.value in {iris.assessment(PARKS_ID, "mrv"), iris.assessment(PARKS_ID, "monitoring-reporting-and-verification")}
    assert "dimension mrv" in r.message
    assert_located(r, parks)


def test_score_outside_0_to_100(folder):
    parks = copy_record(PARKS, folder)
    graph = build([folder], validate=False).graph
    graph.store.update(f"""PREFIX ccus: <https://w3id.org/ccus-kg/ontology#>
        DELETE {{ ?a ccus:score ?s }} INSERT {{ ?a ccus:score 150 }}
        WHERE {{ ?a ccus:score ?s FILTER(?a = <{iris.assessment(PARKS_ID, "mrv")}>) }}""")
    r = only(validate(graph), "Assessment-score")
    assert (r.severity, r.focus_node, r.value) == ("Violation", iris.assessment(PARKS_ID, "mrv"), "150")
    assert_located(r, parks)  # an assessment points to its policy's record


def test_assessment_text_in_a_language_no_record_has(folder):
    def edit(d: dict) -> None:
        d["analysis"]["mrv"]["label"] = "多级核查"

    en = copy_record(MIIT_EN, folder, edit)
    report = build([folder]).validation
    r = only(report, "AssessmentLanguage")
    assert (r.severity, r.focus_node, r.value) == ("Warning", iris.assessment(MIIT_ID, "mrv"), "zh")
    assert_located(r, en)


# -- facilities ------------------------------------------------------------------------------

def _swap_coordinates(d: dict) -> None:
    d["coordinates"] = d["coordinates"][::-1]


def _flip_longitude(d: dict) -> None:
    d["coordinates"] = [d["coordinates"][0], -d["coordinates"][1]]


@pytest.mark.parametrize(("facility_id", "fault", "point", "country"), [
    ("1", _swap_coordinates, "POINT(46.2276 2.2137)", "FR"),      # France's [46.2276, 2.2137], swapped: off Somalia
    ("100", _flip_longitude, "POINT(95.7129 37.0902)", "US"),     # the United States' longitude without its minus: China
])
def test_facility_point_outside_its_country(folder, facility_id, fault, point, country):
    copies = copy_facility(facility_id, folder, fault)
    r = only(build([folder]).validation, "FacilityOutsideCountry")
    assert (r.severity, r.focus_node, r.value) == ("Warning", iris.facility(facility_id), point)
    assert f"Facility {facility_id} at {point}" in r.message and f"bounding box of {country} " in r.message
    assert_located(r, *copies)


def test_facility_point_near_its_country_is_not_reported(folder):
    """Inside the 3.4° (200 nautical miles) margin: offshore storage off Norway's coast, in the North Sea."""
    copies = copy_facility("1350", folder, lambda d: d.update(coordinates=[58.5, 2.5]))  # Sleipner-like, west of the box
    report = build([folder]).validation
    none_of(report, "FacilityOutsideCountry")
    assert copies


def test_clean_corpus_facilities_are_inside_their_countries(full_corpus_build):
    none_of(full_corpus_build.validation, "FacilityOutsideCountry")


# -- the corpus, and the two engines --------------------------------------------------------

def test_clean_corpus_gives_no_violation(corpus_build):
    report = corpus_build.validation
    assert report.count("Violation") == 0
    dup = only(report, "LikelyDuplicate")  # the example: one act recorded under two ids
    assert (dup.focus_node, dup.value) == (iris.policy("japan-ccs-act"), iris.policy("jp-ccs-business-act-2024"))
    assert {s.file for s in dup.sources} == {"policy-hub-2026-03/en/japan-ccs-act.md", "policy-hub-2026-03/zh/japan-ccs-act.md"}


#: the core constraint components shapes.ttl uses (test_core_components_in_use keeps this list true)
CORE_COMPONENTS = {c + "ConstraintComponent" for c in (
    "MinCount", "MaxCount", "Datatype", "Class", "HasValue", "In", "Pattern", "MinLength", "MinInclusive",
    "MaxInclusive", "UniqueLang", "LanguageIn", "Or")}

#: one fault of each of them, on nodes added to a built graph of real records
CORE_FAULTS = """PREFIX ccus: <https://w3id.org/ccus-kg/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/> PREFIX org: <http://www.w3.org/ns/org#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX x: <https://example.org/fault/>
INSERT DATA {
  x:policy a ccus:Policy ; dcterms:identifier "" ; ccus:inCorpus false ;      # no eli:LegalResource (hasValue), empty id (minLength)
      dcterms:isPartOf x:notACluster .                                        # class
  x:source a ccus:SourceRecord ; ccus:filePath "a.md", "b.md" ;               # maxCount
      ccus:recordLine "seven"^^xsd:integer .                                  # datatype (ill-typed) and minInclusive
  x:source2 a ccus:SourceRecord ; ccus:filePath 1 ; ccus:recordLine "7" .     # datatype (integer, string)
  x:agency a ccus:IssuingAgency , org:Organization .                          # minCount (label, jurisdiction)
  x:region a ccus:Jurisdiction ; skos:notation "cn-xx" ;                      # pattern
      skos:prefLabel "Region"@en , "Region B"@en-GB , "Région"@fr .           # uniqueLang? no: en vs en-GB; languageIn (fr)
  x:region2 a ccus:Jurisdiction ; skos:notation "XY" ; skos:prefLabel "A"@en , "B"@EN , "乙"@zh .   # uniqueLang (en, EN)
  x:low a ccus:DimensionAssessment ; ccus:score -1 .                          # minInclusive
  x:high a ccus:DimensionAssessment ; ccus:score 101 .                        # maxInclusive
  x:issue a ccus:DataIssue ; ccus:issueCode "c" ; ccus:severity "fatal" .     # in
  x:event a ccus:TimelineEvent ; schema:name "e" ; schema:startDate "2020"^^xsd:gYear ;
      schema:about x:region .                                                 # or (neither a legal resource nor a facility)
}"""


def test_core_components_in_use():
    """CORE_COMPONENTS lists exactly the core constraint components of shapes.ttl's reporting shapes."""
    from ccus_kg.core_shapes import compile_core
    from ccus_kg.shapes import load_shapes

    program = compile_core(load_shapes())
    assert program.uncompiled == {}
    assert {c.component for c in program.checks} == CORE_COMPONENTS


def test_engines_give_the_same_results_with_injected_faults(tmp_path):
    """pySHACL (reference) and the default engine (core constraints and SPARQL rules as SPARQL in
    pyoxigraph) agree, result for result, on a graph of seed and corpus records with one fault of
    every SPARQL rule and of every core constraint component injected."""
    folder = tmp_path / "in"
    real = corpus_slice(tmp_path / "corpus", 15)  # a slice of the real corpus, beside the seed records
    copy_record(JS, folder, _supersedes(MIIT_ID))
    copy_record(MIIT_ZH, folder, _supersedes(PARKS_ID))
    copy_record(MIIT_EN, folder, lambda d: d["analysis"]["mrv"].update(label="多级核查"))
    copy_record(PARKS, folder, lambda d: (d["evolution"].update(
        supersedes=[JS_ID, PARKS_ID], milestones=[{"date": "2023-2021", "event": "试点"}]),
        d["provenance"].update(lastAuditDate="2020-01-01"), d.update(pubDate="2099-01-01"),
        d["analysis"].update({"Monitoring, reporting and verification": {"score": 1, "label": "x"}})))
    copy_record(PARKS, folder, lambda d: d.update(id="cn-zero-carbon-parks-copy"), as_name="005.txt")
    copy_facility("1", folder, _swap_coordinates)
    copy_facility("1350", folder, lambda d: d.update(coordinates=[58.5, 2.5]))  # offshore, inside the margin
    graph = build([folder, real], validate=False).graph
    graph.store.update(f"""PREFIX eli: <http://data.europa.eu/eli/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        INSERT DATA {{ <{iris.policy("cn-zero-carbon-parks-copy")}> dcterms:replaces <{iris.policy(MIIT_ID)}> ;
                       eli:date_publication "2021"^^<http://www.w3.org/2001/XMLSchema#date> ;
                       eli:passed_by <{iris.agency("US", "doe")}> .
                       <{iris.agency("US", "doe")}> <https://w3id.org/ccus-kg/ontology#agencyJurisdiction> <{iris.jurisdiction("US")}> .
                       <{iris.jurisdiction("US")}> <http://www.w3.org/2004/02/skos/core#notation> "US" }}""")
    graph.store.update(CORE_FAULTS)
    oxigraph, pyshacl = validate(graph, engine="oxigraph"), validate(graph, engine="pyshacl")
    assert {r.constraint for r in pyshacl.results} >= CORE_COMPONENTS  # one fault of every core component in use
    rules = {r.shape.removeprefix(SHAPES) for r in oxigraph.results}
    assert {"ReplacementCycle", "SelfReplacement", "ReplacedByOlder", "AgencyOutsideJurisdiction", "InForceAfterReplacement", "ReplacementInverse", "EventEndBeforeStart",
            "DatePrecision", "PublishedAfterAudit", "FutureDate", "LikelyDuplicate", "OneScorePerDimension",
            "AssessmentLanguage", "FacilityOutsideCountry"} <= rules
    only_ox, only_py = set(oxigraph.results) - set(pyshacl.results), set(pyshacl.results) - set(oxigraph.results)
    assert (sorted(r.key() for r in only_ox), sorted(r.key() for r in only_py)) == ([], [])
    assert oxigraph.results == pyshacl.results
    assert len(oxigraph.results) > 30


def test_graph_round_trip_keeps_the_source_lines(seed_graph, tmp_path):
    path = tmp_path / "g.ttl"
    seed_graph.write(path)
    assert validate(KnowledgeGraph.load(path)).results == validate(seed_graph).results
