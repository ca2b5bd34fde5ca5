"""Tests of :mod:`ccus_kg.identity.jurisdictions` and ``ontology/jurisdictions.yaml``.

Rules checked: codes are ISO 3166-1 alpha-2 / ISO 3166-2 (as known to pycountry) or EU / INTL;
a subdivision's broader jurisdiction is its ISO 3166-2 parent (the country here); Chinese
labels come from pycountry's iso-codes catalogues unless the YAML prefers another; the record
rule places a record in a subdivision of the country it names only, on id prefix, agency or
title evidence.  Corpus checks read ``../shared/corpus/policy-hub-2026-03`` (skipped when absent,
a failure under ``CI=true``).
"""

from __future__ import annotations

import gettext
from collections import defaultdict

import pycountry
import pytest
import yaml
from corpus import SEEDS, corpus_dir, front_matter

from ccus_kg.errors import AuthorityFileError
from ccus_kg.identity.jurisdictions import (
    EU,
    INTL,
    Jurisdiction,
    JurisdictionResolver,
)
from ccus_kg.resources import ontology_path
from ccus_kg.text import fold_name

#: Sub-national corpus records (en and zh files alike) and the ISO 3166-2 code they must get.
SUBNATIONAL = {
    "cn-js-industrial-decarb-2022": "CN-JS",
    "cn-gd-carbon-inclusive": "CN-GD",
    "cn-hb-ets-offset": "CN-HB",
    "cn-sd-eco-plan-14fym": "CN-SD",
    "cn-ordos-pilot-2024": "CN-NM",
    "tx-hb-1284-ccus": "US-TX",
    "us-tx-natural-resources-121": "US-TX",
    "california-lcfs": "US-CA",
    "us-la-primacy-rules": "US-LA",
    "us-nd-century-code-38-22": "US-ND",
    "us-wy-hb-0200": "US-WY",
    "alberta-tier": "CA-AB",
    "ca-ab-sequestration-tenure": "CA-AB",
    "ca-sk-ccs-directives": "CA-SK",
    "ca-sk-spii": "CA-SK",
    "au-wa-petroleum-amendment-2024": "AU-WA",
}


@pytest.fixture(scope="module")
def r() -> JurisdictionResolver:
    return JurisdictionResolver.default()


def _records(paths):
    for path in paths:
        data = front_matter(path)
        if data and data.get("id"):
            yield path, data


def _decide(r: JurisdictionResolver, data: dict):
    return r.for_record(country=data.get("country") or "", record_id=str(data.get("id") or ""),
                        agency=data.get("source") or "", title=data.get("title") or "")


# --------------------------------------------------------------------------------------
# the library and the data file
# --------------------------------------------------------------------------------------

def test_pycountry_ships_chinese_iso3166_catalogues():
    t1 = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    t2 = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    assert t1.gettext("China") == "中国"
    assert t2.gettext("Jiangsu Sheng") == "江苏省"


def test_default_is_cached(r):
    assert JurisdictionResolver.default() is r


def test_yaml_codes_and_qids_are_well_formed():
    data = yaml.safe_load(ontology_path("jurisdictions.yaml").read_text(encoding="utf-8"))
    for code in data["countries"]:
        assert pycountry.countries.get(alpha_2=code), code
    for code in data["subdivisions"]:
        assert pycountry.subdivisions.get(code=code), code
    assert set(data["special"]) == {EU, INTL}
    qids = [e.get("wikidata") for group in ("special", "countries", "subdivisions")
            for e in data[group].values() if e.get("wikidata")]
    assert len(qids) == len(set(qids)), "a QID is used twice"


@pytest.mark.parametrize("bad", [
    {"special": {}},                                                      # EU / INTL missing
    {"special": {"EU": {"label_en": "EU", "kind": "supranational"}}},     # label_zh missing
    {"countries": {"XX": {}}},                                            # not ISO 3166-1
    {"subdivisions": {"CN-XX": {}}},                                      # not ISO 3166-2
    {"countries": {"CN": {"wikidata": "148"}}},                           # malformed QID
    {"subdivisions": {"CN-JS": {"agency_patterns": ["(unclosed"]}}},      # bad regex
])
def test_malformed_yaml_is_rejected(bad):
    base = {"special": {EU: {"label_en": "European Union", "label_zh": "欧盟", "kind": "supranational"},
                        INTL: {"label_en": "International", "label_zh": "国际", "kind": "international"}}}
    with pytest.raises(AuthorityFileError):
        JurisdictionResolver({**base, **bad})


# --------------------------------------------------------------------------------------
# get / chain
# --------------------------------------------------------------------------------------

def test_country(r):
    cn = r.get("CN")
    assert cn == Jurisdiction(code="CN", label_en="China", label_zh="中国", broader=None, wikidata="Q148",
                              kind="country", alt_labels=cn.alt_labels)
    assert "中华人民共和国" in cn.alt_labels and "People's Republic of China" in cn.alt_labels


def test_subdivision(r):
    js = r.get("cn-js")
    assert (js.code, js.label_en, js.label_zh, js.broader, js.wikidata, js.kind) == (
        "CN-JS", "Jiangsu", "江苏省", "CN", "Q16963", "subdivision")
    assert "Jiangsu Sheng" in js.alt_labels          # pycountry's name kept as altLabel
    assert [j.code for j in r.chain("CN-JS")] == ["CN-JS", "CN"]
    assert r.country_of("CN-JS").code == "CN"


def test_preferred_labels_override_awkward_library_ones(r):
    kr = r.get("KR")
    assert (kr.label_en, kr.label_zh) == ("South Korea", "韩国")
    assert "大韩民国" in kr.alt_labels and "Korea, Republic of" in kr.alt_labels
    assert r.get("RU").label_en == "Russia"
    assert r.get("CA-AB").label_zh == "阿尔伯塔省" and "艾伯塔" in r.get("CA-AB").alt_labels
    assert r.get("CN-NM").label_en == "Inner Mongolia"


def test_subdivisions_not_in_yaml_are_built_from_iso_3166_2(r):
    zj = r.get("CN-ZJ")
    assert (zj.label_zh, zj.broader, zj.wikidata, zj.kind) == ("浙江省", "CN", None, "subdivision")
    madrid = r.get("ES-M")                        # province → autonomous community → Spain
    assert [j.code for j in r.chain("ES-M")] == ["ES-M", "ES-MD", "ES"]
    assert madrid.broader == "ES-MD"


def test_special_codes(r):
    eu, intl = r.get("EU"), r.get("intl")
    assert (eu.label_en, eu.label_zh, eu.kind, eu.wikidata, eu.broader) == (
        "European Union", "欧盟", "supranational", "Q458", None)
    assert (intl.label_en, intl.label_zh, intl.kind, intl.wikidata) == ("International", "国际", "international", None)
    assert "NL" in r.eu_members() and "GB" not in r.eu_members() and len(r.eu_members()) == 27


def test_unknown_placeholder(r):
    zz = r.get("ZZ")
    assert (zz.code, zz.kind, zz.broader, zz.wikidata) == ("ZZ", "unknown", None, None)
    assert r.from_name("ZZ") is None and r.from_name("Unknown jurisdiction") is None


@pytest.mark.parametrize("code", ["XX", "CN-XX", "FOO", "", "C"])
def test_unknown_code_raises_key_error(r, code):
    with pytest.raises(KeyError):
        r.get(code)


# --------------------------------------------------------------------------------------
# from_name
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("China", "CN"), ("中国", "CN"), ("  china ", "CN"), ("CHINA", "CN"),
    ("South Korea", "KR"), ("Republic of Korea", "KR"), ("韩国", "KR"), ("大韩民国", "KR"), ("Korea", "KR"),
    ("European Union", "EU"), ("欧盟", "EU"), ("EU", "EU"),
    ("International", "INTL"), ("国际", "INTL"),
    ("US", "US"), ("USA", "US"), ("U.S.", "US"), ("United States", "US"), ("美国", "US"),
    ("ＵＳＡ", "US"), ("United   States", "US"),
    ("United Kingdom", "GB"), ("UK", "GB"), ("英国", "GB"),
    ("United Arab Emirates", "AE"), ("阿联酋", "AE"), ("Turkey", "TR"), ("Türkiye", "TR"),
    ("Russia", "RU"), ("俄罗斯", "RU"), ("Vietnam", "VN"), ("The Netherlands", "NL"),
    ("沙特阿拉伯", "SA"), ("印度尼西亚", "ID"), ("Jiangsu", "CN-JS"), ("江苏省", "CN-JS"),
])
def test_from_name(r, text, code):
    found = r.from_name(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "火星", "Ministry of Energy"])
def test_from_name_unknown(r, text):
    assert r.from_name(text) is None


def test_fold_name():
    assert fold_name("  ＵＳＡ （DOE）  ") == "usa (doe)"
    assert fold_name("U.S.  Department") == "us department"
    assert fold_name("Türkiye") == "turkiye"
    assert fold_name("Puro.earth") == "puro.earth"


# --------------------------------------------------------------------------------------
# for_record
# --------------------------------------------------------------------------------------

def test_seed_jiangsu_record_gets_cn_js_by_id_prefix(r):
    data = front_matter(next(SEEDS.glob("000_*.txt")))
    assert data["id"] == "cn-js-industrial-decarb-2022"
    d = _decide(r, data)
    assert d.jurisdiction is not None and d.jurisdiction.code == "CN-JS"
    assert d.jurisdiction.broader == "CN"
    assert d.evidence == "id-prefix"
    assert "cn-js-" in d.detail and "CN-JS" in d.detail
    assert d.raw_country == "中国"


@pytest.mark.parametrize("seed, code", [("001_*.txt", "CN"), ("003_*.txt", "CN"), ("004_*.txt", "CN")])
def test_national_seeds(r, seed, code):
    d = _decide(r, front_matter(next(SEEDS.glob(seed))))
    assert (d.jurisdiction.code, d.evidence) == (code, "country")


@pytest.mark.parametrize("kwargs, code, evidence", [
    (dict(country="China", record_id="cn-js-x", agency="", title=""), "CN-JS", "id-prefix"),
    (dict(country="United States", record_id="tx-hb-1", agency="", title=""), "US-TX", "id-prefix"),
    (dict(country="Canada", record_id="alberta-tier", agency="", title=""), "CA-AB", "id-prefix"),
    (dict(country="China", record_id="x", agency="江苏省工信厅", title=""), "CN-JS", "agency"),
    (dict(country="United States", record_id="x", agency="Texas Legislature", title=""), "US-TX", "agency"),
    (dict(country="加拿大", record_id="x", agency="阿尔伯塔省政府", title=""), "CA-AB", "agency"),
    (dict(country="Australia", record_id="x", agency="WA Government", title=""), "AU-WA", "agency"),
    (dict(country="United States", record_id="x", agency="Louisiana DNR", title=""), "US-LA", "agency"),
    (dict(country="Canada", record_id="x", agency="Saskatchewan ER", title=""), "CA-SK", "agency"),
    (dict(country="Canada", record_id="x", agency="Government of Saskatchewan", title=""), "CA-SK", "agency"),
    (dict(country="中国", record_id="x", agency="浙江省生态环境厅", title=""), "CN-ZJ", "agency"),
    (dict(country="China", record_id="x", agency="NDRC / 江苏省工信厅", title=""), "CN-JS", "agency"),
    (dict(country="中国", record_id="x", agency="", title="江苏省工业绿色低碳转型行动方案"), "CN-JS", "title"),
    (dict(country="美国", record_id="x", agency="", title="美国怀俄明州 HB 0200 号法案"), "US-WY", "title"),
    (dict(country="China", record_id="cn-mee-x", agency="生态环境部", title="China MEE Guidance"), "CN", "country"),
    (dict(country="European Union", record_id="eu-x", agency="European Commission", title=""), "EU", "country"),
    (dict(country="国际", record_id="iso-x", agency="ISO TC265", title=""), "INTL", "country"),
])
def test_for_record_evidence(r, kwargs, code, evidence):
    d = r.for_record(**kwargs)
    assert (d.jurisdiction.code, d.evidence) == (code, evidence), d.detail
    assert d.raw_country == kwargs["country"]


def test_only_a_subdivision_of_the_country_named(r):
    d = r.for_record(country="China", record_id="us-tx-x", agency="Texas Legislature", title="Alberta TIER")
    assert (d.jurisdiction.code, d.evidence) == ("CN", "country")
    d = r.for_record(country="Canada", record_id="au-wa-x", agency="WA Government", title="")
    assert (d.jurisdiction.code, d.evidence) == ("CA", "country")


def test_id_prefix_wins_over_agency_and_title(r):
    d = r.for_record(country="中国", record_id="cn-gd-x", agency="江苏省工信厅", title="湖北省…")
    assert (d.jurisdiction.code, d.evidence) == ("CN-GD", "id-prefix")


def test_conflicting_hints_of_one_kind_cancel(r):
    d = r.for_record(country="中国", record_id="x", agency="", title="江苏省 / 广东省联合方案")
    assert d.jurisdiction.code == "CN-JS"      # title rules are anchored: 江苏省 begins the title
    d = r.for_record(country="美国", record_id="x", agency="Texas Legislature / Wyoming Legislature", title="")
    assert (d.jurisdiction.code, d.evidence) == ("US", "country")


@pytest.mark.parametrize("country", ["", "Atlantis", None])
def test_unresolved_country(r, country):
    d = r.for_record(country=country, record_id="x-1", agency="Someone", title="Something")
    assert d.jurisdiction is None and d.evidence == "unresolved"
    assert d.raw_country == (country or "")


def test_unknown_country_still_takes_a_listed_subdivision_hint(r):
    d = r.for_record(country="", record_id="x", agency="江苏省工信厅", title="")
    assert (d.jurisdiction.code, d.evidence) == ("CN-JS", "agency")
    assert "not recognised" in d.detail


# --------------------------------------------------------------------------------------
# for_place
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("江苏省盐城市响水县", "CN-JS"), ("江苏省", "CN-JS"), ("江苏省常熟市", "CN-JS"), ("江苏省南京市", "CN-JS"),
    ("张家港市(苏州市辖县级市)", "CN-JS"), ("徐州市、南通市和连云港市", "CN-JS"), ("Jiangsu Province", "CN-JS"),
    ("美国德克萨斯州", "US-TX"), ("内蒙古鄂尔多斯", "CN-NM"), ("浙江省杭州市", "CN-ZJ"),
    ("广东省和江苏省", "CN"), ("中国", "CN"), ("印度尼西亚雅加达", "ID"), ("欧盟", "EU"),
])
def test_for_place(r, text, code):
    found = r.for_place(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize("text", ["", "不详", "火星", "印度洋", "南中国海", "中国和美国"])
def test_for_place_none(r, text):
    assert r.for_place(text) is None


# --------------------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_every_corpus_country_resolves_to_an_iso_code_or_eu_intl(r):
    seen = defaultdict(list)
    for _path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        seen[data.get("country")].append(data["id"])
    assert seen
    for country, ids in seen.items():
        j = r.from_name(country or "")
        assert j is not None, f"country {country!r} of {ids} does not resolve"
        assert j.code in (EU, INTL) or pycountry.countries.get(alpha_2=j.code), (country, j.code)
        assert j.kind in ("country", "supranational", "international")


@pytest.mark.corpus
def test_corpus_subnational_records_get_iso_3166_2_codes(r):
    found: dict[str, set[str]] = defaultdict(set)
    for path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        d = _decide(r, data)
        assert d.jurisdiction is not None, f"{path}: {d.detail}"
        if data["id"] in SUBNATIONAL:
            assert d.jurisdiction.code == SUBNATIONAL[data["id"]], f"{path}: {d.detail}"
            assert d.jurisdiction.kind == "subdivision"
            assert pycountry.subdivisions.get(code=d.jurisdiction.code) is not None
            assert d.evidence == "id-prefix", d.detail
            found[data["id"]].add(path.parent.name)
        else:
            assert d.evidence == "country", f"{path}: unexpected sub-national hint: {d.detail}"
    assert set(found) == set(SUBNATIONAL)
    assert all(langs == {"en", "zh"} for langs in found.values())


@pytest.mark.corpus
def test_subnational_hints_agree_without_the_id(r):
    """Agency and title evidence alone give the same subdivision as the id prefix."""
    for path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        if data["id"] not in SUBNATIONAL:
            continue
        by_agency = r.for_record(country=data["country"], record_id="", agency=data["source"], title="")
        by_title = r.for_record(country=data["country"], record_id="", agency="", title=data["title"])
        assert by_agency.jurisdiction.code == SUBNATIONAL[data["id"]], (path, by_agency.detail)
        assert by_title.jurisdiction.code == SUBNATIONAL[data["id"]], (path, by_title.detail)


@pytest.mark.corpus
def test_en_and_zh_files_of_an_id_get_the_same_jurisdiction(r):
    by_id: dict[str, dict[str, str]] = defaultdict(dict)
    for path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        by_id[data["id"]][path.parent.name] = _decide(r, data).jurisdiction.code
    pairs = {i: langs for i, langs in by_id.items() if len(langs) == 2}
    assert len(pairs) > 100
    for record_id, langs in pairs.items():
        assert langs["en"] == langs["zh"], (record_id, langs)


@pytest.mark.corpus
def test_every_jurisdiction_used_has_a_wikidata_qid(r):
    used = set()
    for _path, data in _records([*sorted(corpus_dir().glob("*/*.md")), *sorted(SEEDS.glob("00[0134]_*.txt"))]):
        for j in r.chain(_decide(r, data).jurisdiction.code):
            used.add(j.code)
    missing = sorted(code for code in used - {INTL} if not r.get(code).wikidata)
    assert not missing, f"no Wikidata QID for {missing}"
