"""Facility records → RDF (ccus_kg.rdf.facilities), on small records and on the real corpus."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import pycountry
import pyoxigraph as ox
import pytest

from ccus_kg.identity import iris
from ccus_kg.ingest.loader import load_paths
from ccus_kg.model import PolicyRecord
from ccus_kg.rdf.facilities import convert_facilities
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.rdf.identity_context import IdentityContext, emit_identities
from ccus_kg.rdf.triples import Emitter

F = iris.BASE + "facility/"
BASE = {"id": "42", "name": "Test plant", "country": "Norway", "coordinates": [60.472, 8.4689], "precision": "country",
        "type": "Capture", "sector": "Cement", "status": "Planned", "phase": "2", "fateOfCarbon": "Dedicated storage",
        "region": "Europe", "announcedCapacityRaw": "0.4 - 0.5", "announcedCapacityMin": 0.4, "announcedCapacityMax": 0.5,
        "estimatedCapacity": 0.5, "announcement": "2021", "fid": "2024", "operation": "2027", "suspensionDate": "",
        "operator": "Equinor", "partners": ["Shell, Aker Carbon Capture (tech), Shaanxi Coal Group Yulin Chemical Co., Ltd"],
        "hub": "Northern Lights", "links": ["https://example.org/a", "not a url"], "relatedPolicies": ["p1"],
        "captureTechnology": "", "storageType": "", "investmentScale": "", "lang": "en",
        "provenance": {"author": "IEA", "lastAuditDate": "2026-02-08", "reviewer": "x"}}


def _record(data, lang="en"):
    return PolicyRecord(path=f"{lang}/{data['id']}.md", lang=lang, data=data, body="", front_matter_format="json", kind="facility")


def _convert(*records):
    ctx = IdentityContext.default()
    out = Emitter()
    result = convert_facilities(list(records), ctx, out)
    emit_identities(ctx, out)
    g = KnowledgeGraph()
    g.add(out.quads)
    g.add(ox.Quad(t.subject, t.predicate, t.object) for t in ctx.vocabularies.triples())
    return result, g, ctx


def _one(g, sparql):
    rows = list(g.query(sparql))
    return [[None if v is None else v.value for v in r] for r in rows]


def test_facility_node_with_geometry_in_lon_lat_order_and_precision():
    _result, g, _ctx = _convert(_record(BASE))
    assert _one(g, f"SELECT ?wkt ?p WHERE {{ <{F}42> geo:hasGeometry ?g . ?g geo:asWKT ?wkt ; ccus:locationPrecision/skos:notation ?p }}") \
        == [["POINT(8.4689 60.472)", "country"]]
    assert _one(g, f"SELECT ?j WHERE {{ <{F}42> dcterms:spatial/skos:notation ?j }}") == [["NO"]]
    keys = {r[0].rsplit("/", 2)[-2]: r[0].rsplit("/", 1)[1] for r in _one(g, f"SELECT ?c WHERE {{ <{F}42> ?p ?c . FILTER(CONTAINS(STR(?c), '/concept/')) }}")}
    assert keys == {"facility-type": "capture", "facility-sector": "cement", "facility-status": "planned", "facility-phase": "2",
                    "fate-of-carbon": "dedicated-storage", "region": "europe"}


def test_capacities_are_quantitative_values_in_megatonnes_per_year_with_raw_text():
    _result, g, _ctx = _convert(_record(BASE))
    rows = _one(g, f"""SELECT ?min ?max ?unit ?raw WHERE {{ <{F}42> ccus:announcedCapacity ?q .
        ?q a schema:QuantitativeValue ; schema:minValue ?min ; schema:maxValue ?max ; schema:unitCode ?unit ; ccus:capacityText ?raw }}""")
    assert rows == [["0.4", "0.5", "http://qudt.org/vocab/unit/MegaTONNE-PER-YR", "0.4 - 0.5"]]
    assert _one(g, f"SELECT ?v WHERE {{ <{F}42> ccus:estimatedCapacity/schema:value ?v }}") == [["0.5"]]
    # empty raw text with min = max = 0, and an estimate of 0, mean "not given"
    _result, g, _ctx = _convert(_record({**BASE, "announcedCapacityRaw": "", "announcedCapacityMin": 0, "announcedCapacityMax": 0, "estimatedCapacity": 0}))
    assert _one(g, f"SELECT ?q WHERE {{ <{F}42> ccus:announcedCapacity|ccus:estimatedCapacity ?q }}") == []


def test_reversed_range_is_reported_and_kept():
    result, g, _ctx = _convert(_record({**BASE, "announcedCapacityRaw": "0.19 - 0.18", "announcedCapacityMin": 0.19, "announcedCapacityMax": 0.18}))
    assert [p.code for p in result.problems if p.code == "capacity-range-reversed"] == ["capacity-range-reversed"]
    assert _one(g, f"SELECT ?min WHERE {{ <{F}42> ccus:announcedCapacity/schema:minValue ?min }}") == [["0.19"]]


def test_milestones_are_dated_events_about_the_facility():
    result, g, _ctx = _convert(_record(BASE))
    rows = _one(g, f"""SELECT ?k ?d ?loc WHERE {{ ?e a ccus:TimelineEvent ; schema:about <{F}42> ; ccus:eventKind/skos:notation ?k ;
        schema:startDate ?d ; schema:location/skos:notation ?loc }} ORDER BY ?d""")
    assert rows == [["announcement", "2021", "NO"], ["fid", "2024", "NO"], ["operation", "2027", "NO"]]
    assert result.events == 3


def test_partners_split_only_where_really_a_list_and_agencies_resolve():
    _result, g, _ctx = _convert(_record(BASE))
    partners = sorted(r[0] for r in _one(g, f"SELECT ?l WHERE {{ <{F}42> ccus:partner/skos:prefLabel ?l }}"))
    assert partners == ["Aker Carbon Capture", "Shaanxi Coal Group Yulin Chemical Co., Ltd", "Shell"]
    assert _one(g, f"SELECT ?raw WHERE {{ <{F}42> ccus:partnersText ?raw }}") == [[BASE["partners"][0]]]
    assert _one(g, f"SELECT ?n WHERE {{ <{F}42> ccus:partOfHub/schema:name ?n }}") == [["Northern Lights"]]
    rules = {d["part"]: d["rule"] for d in _result.decisions}
    assert rules["Shell"] == "named"


def test_en_and_zh_files_merge_and_disagreements_are_reported():
    zh = {**BASE, "lang": "zh", "country": "挪威", "type": "碳捕集", "status": "计划中", "announcement": "2020"}
    result, g, _ctx = _convert(_record(BASE), _record(zh, "zh"))
    assert result.facilities == {"42"}
    assert _one(g, f"SELECT ?s WHERE {{ <{F}42> ccus:facilityStatus/skos:notation ?s }}") == [["planned"]]
    conflicts = [p.field for p in result.problems if p.code == "conflicting-values"]
    assert conflicts == ["announcement"]
    assert [p.code for p in result.problems if p.code == "bad-url"] == ["bad-url"]


def test_bad_coordinates_and_unknown_values_are_reported_not_dropped():
    result, g, _ctx = _convert(_record({**BASE, "coordinates": [120, 8], "status": "Mothballed", "country": "Atlantis"}))
    codes = sorted(p.code for p in result.problems if p.severity == "warning")
    assert codes == ["bad-coordinates", "bad-url", "unknown-facility-status", "unresolved-jurisdiction"]
    assert _one(g, f"SELECT ?t WHERE {{ <{F}42> ccus:facilityStatusText ?t }}") == [["Mothballed"]]
    assert _one(g, f"SELECT ?t WHERE {{ <{F}42> ccus:countryText ?t }}") == [["Atlantis"]]


# ------------------------------------------------------------------------------------- corpus

@pytest.fixture(scope="module")
def raw_facilities():
    from corpus import corpus_folder

    out = {}
    for path in sorted((corpus_folder("facilities") / "en").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text.split("\n---\n", 1)[0].removeprefix("---\n"))
        out[data["id"]] = data
    return out


def test_corpus_gives_1017_facilities_with_geometry_where_coordinates_exist(full_corpus_build, raw_facilities):
    g = full_corpus_build.graph
    assert full_corpus_build.counts["facilities"] == len(raw_facilities) == 1017
    with_coords = {i for i, d in raw_facilities.items() if isinstance(d.get("coordinates"), list) and len(d["coordinates"]) == 2}
    rows = {r["id"].value: r["wkt"].value for r in g.query(
        "SELECT ?id ?wkt WHERE { ?f a ccus:Facility ; ccus:inCorpus true ; dcterms:identifier ?id ; geo:hasGeometry/geo:asWKT ?wkt }")}
    assert set(rows) == with_coords
    lat, lon = raw_facilities["1"]["coordinates"]
    assert rows["1"] == f"POINT({lon} {lat})"
    assert full_corpus_build.validation.conforms


def test_every_related_facility_id_is_resolved_or_reported(full_corpus_build):
    from corpus import corpus_dir, front_matter

    g = full_corpus_build.graph
    recorded = {r["id"].value for r in g.query("SELECT ?id WHERE { ?f a ccus:Facility ; ccus:inCorpus true ; dcterms:identifier ?id }")}
    report = full_corpus_build.sections["facility_links"]
    reported = {d["facility"] for d in report["dangling_facility_ids"]}
    linked = {(r["p"].value, r["f"].value) for r in g.query(
        "SELECT ?p ?f WHERE { ?x ccus:relatedFacility ?y . ?x dcterms:identifier ?p . ?y dcterms:identifier ?f . ?y ccus:relatedPolicy ?x }")}
    refs = 0
    for path in sorted(corpus_dir().glob("*/*.md")):
        data = front_matter(path)
        for fid in data.get("relatedFacilities") or []:
            refs += 1
            assert str(fid) in recorded or str(fid) in reported, (path, fid)
            assert (data["id"], str(fid)) in linked
    assert refs > 9502 and report["references_from_policies"] == len({p for p in linked if p[0]}) - report["facility_side_only"]
    assert report["pairs"] == report["stated_by_both"] + report["policy_side_only"] + report["facility_side_only"]


_COUNTRY_CODES = {"South Korea": "KR", "Russia": "RU", "European Union": "EU", "Other": None}


def test_capacity_per_country_equals_an_independent_sum_over_the_raw_files(full_corpus_build, raw_facilities):
    """Sums with Decimal over the en files, by a country-name → ISO 3166 mapping of our own (pycountry)."""
    expected: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for d in raw_facilities.values():
        name = d["country"]
        code = _COUNTRY_CODES[name] if name in _COUNTRY_CODES else pycountry.countries.lookup(name).alpha_2
        sums = expected[code]
        sums[0] += Decimal(str(d["estimatedCapacity"]))
        if d["announcedCapacityRaw"]:
            sums[1] += Decimal(str(d["announcedCapacityMin"]))
            sums[2] += Decimal(str(d["announcedCapacityMax"]))
    from ccus_kg.query.library import select

    got: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for row in select(full_corpus_build.graph, "capacity-by-jurisdiction-status-type", {}):
        code = None if row["code"] == "(none)" else row["code"]
        for i, key in enumerate(("estimated", "announced_min", "announced_max")):
            got[code][i] += Decimal(str(row[key]))
    assert {k: [v.normalize() for v in vs] for k, vs in got.items()} == {k: [v.normalize() for v in vs] for k, vs in expected.items()}
    assert expected["US"][0] > 100  # the check is not vacuous


def test_loader_reads_the_facility_folder_as_facilities():
    from corpus import corpus_folder

    loaded = load_paths([corpus_folder("facilities")])
    assert (len(loaded.facilities), len(loaded.records), len(loaded.profiles)) == (2034, 0, 0)
