"""Tests of :mod:`ccus_kg.identity.agencies` and the authority file ``ontology/agencies.yaml``.

Identity rules checked: one agency per real-world body whatever the language or spelling
(``工信部`` = ``工业和信息化部`` = MIIT); matching stays within the record's jurisdiction and its
broader chain (then the EU for member states, then international bodies), so a national body
never matches another country's record and same-named ministries of different countries stay
distinct; a field naming several bodies is split.  Corpus checks read
``../shared/corpus/policy-hub-2026-03`` (skipped when absent, a failure under ``CI=true``).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml
from corpus import SEEDS, corpus_dir, front_matter

from ccus_kg.errors import AuthorityFileError
from ccus_kg.identity import iris
from ccus_kg.identity.agencies import UNKNOWN_JURISDICTION, Agency, AgencyResolver, split_agencies
from ccus_kg.identity.jurisdictions import JurisdictionResolver
from ccus_kg.resources import ontology_path


@pytest.fixture(scope="module")
def jr() -> JurisdictionResolver:
    return JurisdictionResolver.default()


@pytest.fixture(scope="module")
def ar() -> AgencyResolver:
    return AgencyResolver.default()


def resolve(ar: AgencyResolver, jr: JurisdictionResolver, raw: str, code: str | None):
    return ar.resolve(raw, jr.get(code) if code else None)


def ident(ar, jr, raw, code) -> list[tuple[str, str]]:
    return [(d.agency.jurisdiction, d.agency.key) for d in resolve(ar, jr, raw, code)]


def one(ar, jr, raw, code):
    decisions = resolve(ar, jr, raw, code)
    assert len(decisions) == 1, decisions
    return decisions[0]


def _records(paths):
    for path in paths:
        data = front_matter(path)
        if data and data.get("id"):
            yield path, data


# --------------------------------------------------------------------------------------
# required identities
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("names, code, expected", [
    (["工信部", "工业和信息化部", "MIIT", "Ministry of Industry and Information Technology", "中国工信部"],
     "CN", ("CN", "miit")),
    (["METI", "METI Japan", "日本经济产业省 (METI)", "经济产业省", "Ministry of Economy, Trade and Industry"],
     "JP", ("JP", "meti")),
    (["US DOE", "美国能源部 (DOE)", "Department of Energy (DOE)", "DOE", "U.S. Department of Energy"],
     "US", ("US", "doe")),
    (["MOTIE", "MOTIE Korea", "韩国产业通商资源部 (MOTIE)", "产业通商资源部"], "KR", ("KR", "motie")),
    (["沙特能源部", "Saudi Ministry of Energy", "Ministry of Energy", "沙特阿拉伯能源部"], "SA", ("SA", "ministry-of-energy")),
    (["加拿大财政部", "Department of Finance Canada", "Finance Canada"], "CA", ("CA", "department-of-finance")),
    (["挪威政府", "Government of Norway", "Norwegian Government"], "NO", ("NO", "government")),
    (["欧盟委员会", "European Commission"], "EU", ("EU", "european-commission")),
    (["丹麦能源署", "Danish Energy Agency"], "DK", ("DK", "danish-energy-agency")),
    (["Ministry of Mines and Energy", "哥伦比亚能源部"], "CO", ("CO", "ministry-of-mines-and-energy")),
    (["罗马尼亚矿产资源管理局", "NAMR", "National Agency for Mineral Resources"], "RO", ("RO", "namr")),
    (["US EPA", "EPA", "美国环境保护署"], "US", ("US", "epa")),
])
def test_names_of_one_body_resolve_to_one_agency(ar, jr, names, code, expected):
    for name in names:
        assert ident(ar, jr, name, code) == [expected], name


def test_rules_are_reported(ar, jr):
    assert one(ar, jr, "工业和信息化部", "CN").rule == "name"
    assert one(ar, jr, "工信部", "CN").rule == "alias"
    assert one(ar, jr, "METI", "JP").rule == "acronym"
    assert one(ar, jr, "日本经济产业省 (METI)", "JP").rule in ("name", "alias")
    assert one(ar, jr, "工信部", "CN-JS").rule == "parent-jurisdiction"


def test_country_names_are_stripped_only_for_the_records_own_country(ar, jr):
    # 'NUPRC Nigeria' is not listed as an alias: the country suffix is stripped.
    assert ident(ar, jr, "NUPRC Nigeria", "NG") == [("NG", "nuprc")]
    assert ident(ar, jr, "Japan METI", "JP") == [("JP", "meti")]
    assert ident(ar, jr, "ＭＥＴＩ", "JP") == [("JP", "meti")]            # full-width
    # 'METI Japan' on a Korean record is not Korea's and not Japan's: unresolved under KR.
    d = one(ar, jr, "METI Japan", "KR")
    assert (d.rule, d.agency.jurisdiction, d.agency.in_authority_file) == ("unresolved", "KR", False)


def test_ministry_of_energy_is_three_agencies(ar, jr):
    got = {code: one(ar, jr, "Ministry of Energy", code).agency for code in ("CL", "RO", "SA")}
    assert {(a.jurisdiction, a.key) for a in got.values()} == {
        ("CL", "ministry-of-energy"), ("RO", "ministry-of-energy"), ("SA", "ministry-of-energy")}
    assert len({iris.agency(a.jurisdiction, a.key) for a in got.values()}) == 3
    assert all(a.in_authority_file and a.label_en == "Ministry of Energy" for a in got.values())
    assert len({a.label_zh for a in got.values()}) == 3


def test_department_of_energy_depends_on_the_record(ar, jr):
    assert ident(ar, jr, "Department of Energy (DOE)", "US") == [("US", "doe")]
    assert ident(ar, jr, "Department of Energy (DOE)", "PH") == [("PH", "doe")]


def test_jiangsu_department(ar, jr):
    d = one(ar, jr, "江苏省工信厅", "CN-JS")
    a = d.agency
    assert (a.jurisdiction, a.key, a.label_zh, a.in_authority_file) == (
        "CN-JS", "department-of-industry-and-information-technology", "江苏省工业和信息化厅", True)
    assert a.parent == ("CN-JS", "peoples-government")
    assert ar.get(*a.parent).label_zh == "江苏省人民政府"
    # The province's department is not the national ministry.
    assert ident(ar, jr, "江苏省工信厅", "CN-JS") != ident(ar, jr, "工信部", "CN-JS")


def test_a_subnational_record_may_name_a_national_body(ar, jr):
    assert ident(ar, jr, "工信部", "CN-JS") == [("CN", "miit")]
    assert ident(ar, jr, "DOE", "US-TX") == [("US", "doe")]


def test_a_province_prefix_never_resolves_to_the_national_body(ar, jr):
    # "江苏省发改委" is Jiangsu's DRC, not the national NDRC that "发改委" alone would name
    assert ident(ar, jr, "江苏省发改委", "CN-JS") == [("CN-JS", "development-and-reform-commission")]
    assert ident(ar, jr, "国家发改委", "CN-JS") == [("CN", "ndrc")]
    d = one(ar, jr, "江苏省统计局", "CN-JS")  # not in the authority file: minted under CN-JS
    assert d.rule == "unresolved" and d.agency.jurisdiction == "CN-JS"


def test_a_national_body_never_matches_another_countrys_record(ar, jr):
    for raw, code in [("工信部", "JP"), ("METI", "KR"), ("US DOE", "PH"), ("MOTIE", "JP"), ("沙特能源部", "CL")]:
        d = one(ar, jr, raw, code)
        assert d.rule == "unresolved" and d.agency.jurisdiction == code, (raw, code)


def test_eu_and_international_bodies_are_found_from_member_and_any_records(ar, jr):
    d = one(ar, jr, "European Commission", "NL")
    assert ((d.agency.jurisdiction, d.agency.key), d.rule) == (("EU", "european-commission"), "parent-jurisdiction")
    assert one(ar, jr, "European Commission", "NO").rule == "unresolved"       # Norway is not in the EU
    assert ident(ar, jr, "IPCC", "CN") == [("INTL", "ipcc")]


# --------------------------------------------------------------------------------------
# splitting
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code, expected", [
    ("NDRC/SAMR", "CN", [("CN", "ndrc"), ("CN", "samr")]),
    ("NDRC/ACCA21", "CN", [("CN", "ndrc"), ("CN", "acca21")]),
    ("NDRC／MEE", "CN", [("CN", "ndrc"), ("CN", "mee")]),
    ("国家发改委、生态环境部", "CN", [("CN", "ndrc"), ("CN", "mee")]),
    ("IRS / EPA", "US", [("US", "irs"), ("US", "epa")]),
    ("挪威政府 / Gassnova", "NO", [("NO", "government"), ("NO", "gassnova")]),
    ("MIDA / 马来西亚财政部", "MY", [("MY", "mida"), ("MY", "ministry-of-finance")]),
    ("NAMR / Ministry of Energy", "RO", [("RO", "namr"), ("RO", "ministry-of-energy")]),
    ("Ministry of Economy / PETRONAS", "MY", [("MY", "ministry-of-economy"), ("MY", "petronas")]),
    ("ISO/TC 265", "INTL", [("INTL", "iso-tc-265")]),                    # a name with a slash
    ("ISO/TC 265 / IPCC", "INTL", [("INTL", "iso-tc-265"), ("INTL", "ipcc")]),
    ("澳大利亚气候变化、能源、环境和水资源部", "AU", [("AU", "dcceew")]),      # a name with 、
    ("NDRC/NDRC", "CN", [("CN", "ndrc")]),                               # one decision per body
])
def test_split(ar, jr, raw, code, expected):
    decisions = resolve(ar, jr, raw, code)
    assert [(d.agency.jurisdiction, d.agency.key) for d in decisions] == expected
    assert all(d.raw == raw for d in decisions)


def test_split_parts_keep_their_text(ar, jr):
    assert [d.part for d in resolve(ar, jr, "IRS / EPA", "US")] == ["IRS", "EPA"]
    assert split_agencies("a / b、c;d") == ["a", "b", "c", "d"]
    assert split_agencies(" / ") == []


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_blank_field_gives_no_decision(ar, jr, raw):
    assert resolve(ar, jr, raw, "CN") == []
    assert resolve(ar, jr, raw, None) == []


# --------------------------------------------------------------------------------------
# unresolved names, unknown jurisdiction
# --------------------------------------------------------------------------------------

def test_unlisted_name_becomes_an_agency(ar, jr):
    d = one(ar, jr, "Bundesamt für Strahlenschutz", "DE")
    assert d.rule == "unresolved"
    assert d.agency == Agency(key=iris.slug("Bundesamt für Strahlenschutz"), jurisdiction="DE",
                              label_en="Bundesamt für Strahlenschutz", label_zh=None, acronym=None,
                              alt_labels=(), parent=None, wikidata=None, in_authority_file=False)
    z = one(ar, jr, "江苏省某某局", "CN-JS").agency
    assert (z.key, z.jurisdiction, z.label_zh, z.label_en) == ("江苏省某某局", "CN-JS", "江苏省某某局", None)


def test_unlisted_name_never_takes_a_listed_key(jr):
    ar = AgencyResolver({"DE": {"foo": {"en": "Bar Office"}}}, jr)
    d = one(ar, jr, "Foo", "DE")               # slug 'foo' is a listed key, but 'Foo' is not its name
    assert d.rule == "unresolved" and d.agency.key.startswith("foo-") and d.agency.key != "foo"
    assert one(ar, jr, "Foo", "DE").agency == d.agency          # stable


def test_unknown_jurisdiction(ar, jr):
    d = one(ar, jr, "METI", None)              # only one body in the whole file is called METI
    assert ((d.agency.jurisdiction, d.agency.key), d.rule) == (("JP", "meti"), "acronym")
    d = one(ar, jr, "Ministry of Energy", None)  # several are
    assert (d.rule, d.agency.jurisdiction, d.agency.in_authority_file) == ("unresolved", UNKNOWN_JURISDICTION, False)
    assert jr.get(d.agency.jurisdiction).kind == "unknown"      # the placeholder is a known code


# --------------------------------------------------------------------------------------
# the authority file
# --------------------------------------------------------------------------------------

def test_default_is_cached(ar):
    assert AgencyResolver.default() is ar


def test_authority_file_is_consistent(ar, jr):
    agencies = ar.agencies()
    assert len(agencies) > 80
    for a in agencies:
        assert a.in_authority_file
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a.key), a.key
        jr.get(a.jurisdiction)
        assert a.label_en, f"{a.jurisdiction}/{a.key} has no English name"
        if a.parent:
            assert ar.get(*a.parent).in_authority_file
        if a.wikidata:
            assert re.fullmatch(r"Q[1-9][0-9]*", a.wikidata)
        assert ar.get(a.jurisdiction, a.key) is a
    qids = [a.wikidata for a in agencies if a.wikidata]
    assert len(qids) == len(set(qids))
    with pytest.raises(KeyError):
        ar.get("CN", "no-such-body")


def test_every_agency_resolves_by_its_own_names(ar, jr):
    for a in ar.agencies():
        for name in filter(None, (a.label_en, a.label_zh, a.acronym, *a.alt_labels)):
            assert ident(ar, jr, name, a.jurisdiction) == [(a.jurisdiction, a.key)], (a.key, name)


@pytest.mark.parametrize("data, message", [
    ({"XX": {"a": {"en": "A"}}}, "unknown jurisdiction"),
    ({"CN": {"Bad Key": {"en": "A"}}}, "slug"),
    ({"CN": {"a": {"en": "A", "parent": "nope"}}}, "parent"),
    ({"CN": {"a": {"en": "A", "wikidata": "Q0x"}}}, "QID"),
    ({"CN": {"a": {}}}, "needs"),
    ({"CN": {"a": {"en": "A", "colour": "red"}}}, "unknown field"),
    ({"CN": {"a": {"en": "Same"}, "b": {"en": "same"}}}, "share the name"),
    ({"RO": {"a": {"en": "A", "aliases": [{"Romanian": "Ministerul Energiei"}]}}}, "BCP 47 language tag"),
    ({"RO": {"a": {"en": "A", "aliases": [{"ro": "X", "en": "Y"}]}}}, "one {language tag: name}"),
])
def test_malformed_authority_file_is_rejected(jr, data, message):
    with pytest.raises(AuthorityFileError, match=message):
        AgencyResolver(data, jr)


def test_same_name_in_two_jurisdictions_is_allowed(jr):
    ar = AgencyResolver({"CL": {"moe": {"en": "Ministry of Energy"}}, "RO": {"moe": {"en": "Ministry of Energy"}}}, jr)
    assert ident(ar, jr, "Ministry of Energy", "CL") == [("CL", "moe")]
    assert ident(ar, jr, "Ministry of Energy", "RO") == [("RO", "moe")]


def test_yaml_parses_norway_as_a_code():
    data = yaml.safe_load(ontology_path("agencies.yaml").read_text(encoding="utf-8"))
    assert "NO" in data and False not in data


# --------------------------------------------------------------------------------------
# seeds and corpus
# --------------------------------------------------------------------------------------

def _decisions_of(ar, jr, data):
    j = jr.for_record(country=data.get("country") or "", record_id=str(data["id"]),
                      agency=data.get("source") or "", title=data.get("title") or "").jurisdiction
    return ar.resolve(data.get("source") or "", j)


def test_seed_agencies(ar, jr):
    got = {}
    for path, data in _records(sorted(SEEDS.glob("00[0134]_*.txt"))):
        got[path.name[:3]] = [(d.agency.jurisdiction, d.agency.key, d.rule) for d in _decisions_of(ar, jr, data)]
    assert got["000"] == [("CN-JS", "department-of-industry-and-information-technology", "alias")]
    assert got["001"] == got["003"] == [("CN", "miit", "alias")]
    assert got["004"] == [("CN", "miit", "name")]


@pytest.mark.corpus
def test_every_corpus_source_is_in_the_authority_file(ar, jr):
    unresolved = defaultdict(list)
    count = 0
    for path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        for d in _decisions_of(ar, jr, data):
            count += 1
            if not d.agency.in_authority_file:
                unresolved[d.part].append(f"{path.parent.name}/{data['id']}")
    assert count > 200
    assert not unresolved, dict(unresolved)


@pytest.mark.corpus
def test_ministry_of_energy_records_of_the_corpus(ar, jr):
    seen = defaultdict(set)
    for _path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        for d in _decisions_of(ar, jr, data):
            if d.part == "Ministry of Energy":
                seen[(d.agency.jurisdiction, d.agency.key)].add(data["id"])
    assert seen == {
        ("CL", "ministry-of-energy"): {"cl-green-hydrogen-ccs-2025"},
        ("RO", "ministry-of-energy"): {"ro-emergency-ordinance-2024", "ro-ccs-operational-law-2025"},
        ("SA", "ministry-of-energy"): {"sa-circular-carbon-economy-2024"},
    }


@pytest.mark.corpus
def test_en_and_zh_files_of_an_id_name_the_same_agencies(ar, jr):
    by_id: dict[str, dict[str, frozenset]] = defaultdict(dict)
    for path, data in _records(sorted(corpus_dir().glob("*/*.md"))):
        by_id[data["id"]][path.parent.name] = frozenset(
            (d.agency.jurisdiction, d.agency.key) for d in _decisions_of(ar, jr, data))
    pairs = {i: v for i, v in by_id.items() if len(v) == 2}
    assert len(pairs) > 100
    differing = {i: v for i, v in pairs.items() if v["en"] != v["zh"]}
    assert not differing, differing


def test_alternative_names_carry_the_authority_files_language(ar, jr):
    """{TAG: name} aliases: matched like any name, emitted as skos:altLabel with that tag
    (Romanian, Spanish and Portuguese names were tagged @en by their Latin script)."""

    from ccus_kg.namespaces import SKOS
    from ccus_kg.rdf.identity_context import emit_agency
    from ccus_kg.rdf.triples import Emitter

    expected = {("RO", "ministry-of-energy"): ("Ministerul Energiei", "ro"), ("MX", "sener"): ("Secretaría de Energía", "es"),
                ("BR", "anp"): ("Agência Nacional do Petróleo, Gás Natural e Biocombustíveis", "pt")}
    for (code, key), (name, tag) in expected.items():
        assert ident(ar, jr, name, code) == [(code, key)]
        out = Emitter()
        emit_agency(out, ar.get(code, key))
        labels = {(q.object.value, q.object.language) for q in out.quads if q.predicate == SKOS.altLabel}
        assert (name, tag) in labels and (name, "en") not in labels
    # a plain alias is still tagged by its script
    out = Emitter()
    emit_agency(out, ar.get("CN", "miit"))
    assert ("工信部", "zh") in {(q.object.value, q.object.language) for q in out.quads if q.predicate == SKOS.altLabel}


# --------------------------------------------------------------------------------------
# other layouts of one agency name (issue 8)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code, expected, rule", [
    # Full Name (ACRONYM), Country
    ("Ministry of Economy, Trade and Industry (METI), Japan", "JP", ("JP", "meti"), "name"),
    ("Ministry of Industry and Information Technology (MIIT), China", "CN", ("CN", "miit"), "name"),
    ("Department of Energy (DOE), United States", "US", ("US", "doe"), "alias"),
    # ACRONYM Country
    ("METI Japan", "JP", ("JP", "meti"), "alias"),
    ("MIIT China", "CN", ("CN", "miit"), "acronym"),
    ("NUPRC Nigeria", "NG", ("NG", "nuprc"), "acronym"),
    ("ANP Brazil", "BR", ("BR", "anp"), "alias"),
    # a name with a comma inside stays one name
    ("Agência Nacional do Petróleo, Gás Natural e Biocombustíveis", "BR", ("BR", "anp"), "alias"),
])
def test_other_layouts_of_one_name_resolve(ar, jr, raw, code, expected, rule):
    d = one(ar, jr, raw, code)
    assert ((d.agency.jurisdiction, d.agency.key), d.rule, d.agency.in_authority_file, d.part) == (expected, rule, True, raw)
    assert ar.joint_note(raw) is None


@pytest.mark.parametrize("raw, code, named, expected, rule", [
    ("NDRC and nine other departments", "CN", "NDRC", ("CN", "ndrc"), "acronym"),
    ("National Development and Reform Commission and nine other departments", "CN",
     "National Development and Reform Commission", ("CN", "ndrc"), "name"),
    ("MIIT, together with 3 other ministries", "CN", "MIIT", ("CN", "miit"), "acronym"),
    ("国家发展改革委等九部门", "CN", "国家发展改革委", ("CN", "ndrc"), "alias"),
    ("工业和信息化部等三部门", "CN", "工业和信息化部", ("CN", "miit"), "name"),
])
def test_joint_issuance_gives_the_named_agency_and_a_note(ar, jr, raw, code, named, expected, rule):
    d = one(ar, jr, raw, code)
    assert ((d.agency.jurisdiction, d.agency.key), d.rule, d.part, d.raw) == (expected, rule, named, raw)
    assert ar.joint_note(raw) == f"joint issuance: {raw!r} names {named!r}; the other issuing bodies are not named, so not linked"


def test_joint_issuance_split_parts_and_unlisted_names(ar, jr):
    # a joint-issuance part next to another agency: both linked, the note quotes its part
    assert ident(ar, jr, "NDRC/MIIT and two other departments", "CN") == [("CN", "ndrc"), ("CN", "miit")]
    assert ar.joint_note("NDRC/MIIT and two other departments") == (
        "joint issuance: 'MIIT and two other departments' names 'MIIT'; the other issuing bodies are not named, so not linked")
    # an unlisted named agency is minted under its own name, not the whole phrase
    d = one(ar, jr, "Ministry of Ports and four other departments", "CN")
    assert (d.agency.key, d.agency.in_authority_file, d.rule) == ("ministry-of-ports", False, "unresolved")
    # no count word, no "other": not a joint-issuance phrase
    assert ar.joint_note("Department of Energy") is None and ar.joint_note("Ministry of Trade and Industry") is None


def test_joint_issuance_note_is_on_the_policy(tmp_path):
    from ccus_kg.build import build

    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "p.md").write_text("---\nid: cn-p\ntitle: 关于推进碳捕集的指导意见\ncountry: 中国\nsource: 国家发展改革委等九部门\n---\n正文\n",
                                          encoding="utf-8")
    result = build([tmp_path], validate=False)
    assert {r["a"].value for r in result.graph.query("SELECT ?a WHERE { policy:cn-p eli:passed_by ?a }")} == {iris.agency("CN", "ndrc")}
    (p,) = [p for p in result.problems if p.code == "joint-issuance"]
    assert (p.severity, p.field, p.line, p.raw) == ("info", "source", 5, "国家发展改革委等九部门")
    assert p.message == "joint issuance: '国家发展改革委等九部门' names '国家发展改革委'; the other issuing bodies are not named, so not linked"
    assert result.graph.query('ASK { policy:cn-p ccus:hasDataIssue ?i . ?i ccus:issueCode "joint-issuance" }')
