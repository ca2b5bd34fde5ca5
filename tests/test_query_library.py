"""The SPARQL query library (queries/*.rq) run for real on the seeds, a synthetic lineage input and the corpus.

Expected rows are worked out from the seed files (seeds/*.txt): three policies —
cn-js-industrial-decarb-2022 (Jiangsu, 江苏省工信厅, 2022-10-01, 法律监管/现行),
cn-miit-industrial-plan-2022 (China, 工信部, 2022-08-01, 战略引导/Strategic, an en and a zh file),
cn-zero-carbon-parks (China, 工业和信息化部, 2024-01-15, 法律监管/现行) — and one timeline
compilation of Jiangsu events (13 events once the three 2022-10-02 listings are merged).
"""

from __future__ import annotations

import pytest
from helpers import DOCUMENTED_PARAMS as POLICY_QUERY_PARAMS
from helpers import FACILITY_QUERY_PARAMS, write_synthetic

from ccus_kg.build import build
from ccus_kg.errors import QueryError
from ccus_kg.query.library import Query, bind, list_queries, load_query, render, select

ID = "https://w3id.org/ccus-kg/id/"
#: every query's documented parameters (the facility queries' too)
DOCUMENTED_PARAMS = {**POLICY_QUERY_PARAMS, **FACILITY_QUERY_PARAMS}

QUERY_NAMES = sorted([
    "counts-by-category-status", "data-issues", "in-force-on-date", "jurisdiction-timeline", "lineage-edges",
    "lineage-nodes", "policies-by-agency", "policies-in-jurisdiction", "policies-per-jurisdiction",
    "policy-facilities", "policy-lineage", "record-sources", "timeline",
    # facilities and profiles
    "capacity-by-jurisdiction-status-type", "facilities-by-milestone", "facilities-in-jurisdiction",
    "facilities-of-policy", "facilities-of-policy-family", "policies-without-operating-facility",
    "policy-scope",
], key=lambda name: name + ".rq")  # the order of the .rq files

JS = "cn-js-industrial-decarb-2022"
MIIT = "cn-miit-industrial-plan-2022"
PARKS = "cn-zero-carbon-parks"
JS_TITLE_ZH = "江苏省工业绿色低碳转型行动方案 (CCUS 专项)"
MIIT_TITLE_EN = "China MIIT Action Plan for Industrial Carbon Peaking"
MIIT_TITLE_ZH = "中国工信部工业领域碳达峰实施方案"
PARKS_TITLE_ZH = "中国零碳工业园区建设指南 (2024/2025)"


def project(rows, *keys):
    """Rows as tuples of the given keys (None where unbound)."""
    return [tuple(r.get(k) for k in keys) for r in rows]


# --------------------------------------------------------------------------------------------
# the library itself


def test_every_query_file_is_listed_with_title_and_description():
    queries = list_queries()
    assert [q.name for q in queries] == QUERY_NAMES
    for q in queries:
        assert q.title.strip(), f"{q.name}: no '# title:' header"
        assert len(q.description) > 20, f"{q.name}: no '# description:' header"
        assert q.examples and all(e.startswith(f"ccus-kg query {q.name}") for e in q.examples), q.name
        assert "SELECT" in q.text


def test_declared_parameters():
    params = {q.name: [(p.name, p.type, p.required) for p in q.params] for q in list_queries()}
    assert params["in-force-on-date"] == [("jurisdiction", "string", True), ("date", "date", True)]
    assert params["policies-in-jurisdiction"] == [("jurisdiction", "string", True)]
    assert params["policies-by-agency"] == [("agency", "string", False)]
    assert params["policy-lineage"] == [("policy", "string", True)]
    assert params["jurisdiction-timeline"] == [("jurisdiction", "string", True), ("from", "period", False),
                                               ("to", "period", False)]
    assert params["timeline"] == [("jurisdiction", "string", False), ("policy", "string", False)]
    assert params["data-issues"] == [("code", "string", False)]
    assert params["lineage-edges"] == [("stated", "string", False)]
    for name in ("counts-by-category-status", "lineage-nodes", "policies-per-jurisdiction"):
        assert params[name] == []


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_parses_and_runs_on_an_empty_graph(name):
    """Each query is valid SPARQL 1.1 (pyoxigraph parses it) with its required parameters bound."""
    from ccus_kg.rdf.graph import KnowledgeGraph

    q = load_query(name)
    sample = {"string": "CN", "date": "2023-01-01", "integer": "2022"}
    params = {p.name: sample[p.type] for p in q.params if p.required}
    assert select(KnowledgeGraph(), q, params) == []


def test_unknown_query_lists_the_known_ones():
    with pytest.raises(QueryError) as err:
        load_query("no-such-query")
    message = str(err.value)
    assert "no-such-query" in message
    assert "policies-per-jurisdiction" in message and "in-force-on-date" in message


def test_a_bad_param_header_is_reported(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("# title: t\n# param: x sometype required d\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"bad\.rq:2: '# param:'"):
        load_query(path)


# --------------------------------------------------------------------------------------------
# bind(): parameters


def test_bind_unknown_parameter():
    with pytest.raises(QueryError) as err:
        bind(load_query("policies-in-jurisdiction"), {"jurisdiction": "CN", "country": "CN"})
    assert "has no parameter country" in str(err.value)
    assert "its parameters: jurisdiction" in str(err.value)


def test_bind_parameter_on_a_query_without_any():
    with pytest.raises(QueryError, match=r"has no parameter agency \(its parameters: none\)"):
        bind(load_query("lineage-nodes"), {"agency": "MIIT"})


def test_bind_missing_required_parameter():
    with pytest.raises(QueryError) as err:
        bind(load_query("in-force-on-date"), {"jurisdiction": "CN"})
    assert "needs --param date=VALUE" in str(err.value)
    assert "YYYY-MM-DD" in str(err.value)  # the parameter's description


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13-01", "yesterday", "2023-01-01T00:00", "20230101", "2023-W01-1", ""])
def test_bind_bad_date(value):
    with pytest.raises(QueryError) as err:
        bind(load_query("in-force-on-date"), {"jurisdiction": "CN", "date": value})
    assert f"date={value!r}" in str(err.value)
    assert "expected a date YYYY-MM-DD" in str(err.value)


def test_bind_fills_the_parameter_line_with_typed_terms():
    q = load_query("in-force-on-date")
    text = bind(q, {"jurisdiction": "CN", "date": "2023-01-01"})
    line = '  VALUES (?jurisdiction ?date) { ("CN" "2023-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) }'
    assert text == q.text.replace("  VALUES (?jurisdiction ?date) { (UNDEF UNDEF) }", line)
    assert text.count("VALUES") == 1


def test_bind_leaves_unset_optional_parameters_undef():
    q = load_query("jurisdiction-timeline")
    text = bind(q, {"jurisdiction": "CN-JS", "to": "2022-03"})
    assert ('VALUES (?jurisdiction ?from ?to) { ("CN-JS" UNDEF "2022-03"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>) }'
            in text)


def test_bind_without_params_is_the_query_text():
    q = load_query("lineage-nodes")
    assert bind(q, {}) == q.text


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "two\nlines", 'end \\" } ?s ?p ?o { "', "tab\there", "中文 'quote'"])
def test_parameter_values_reach_the_query_unchanged(tmp_path, seed_graph, value):
    """Quotes, backslashes and newlines are escaped: the query sees exactly the value given."""
    path = tmp_path / "echo.rq"
    path.write_text("# title: echo\n# description: returns its parameter\n# param: v string required any text\n"
                    "SELECT ?out WHERE {\n  VALUES (?v) { (UNDEF) }\n  BIND(?v AS ?out)\n}\n", encoding="utf-8")
    assert select(seed_graph, load_query(path), {"v": value}) == [{"out": value}]


@pytest.mark.parametrize("name, params", [
    ("policies-in-jurisdiction", {"jurisdiction": 'CN" } ?s ?p ?o { "'}),
    ("policies-in-jurisdiction", {"jurisdiction": 'CN" . } UNION { ?policy ?p ?o } #'}),
    ("policies-by-agency", {"agency": 'MIIT")) || true || ("'}),
    ("policy-lineage", {"policy": "x\\\" } ?n ?p ?o {\n\""}),
])
def test_sparql_injection_returns_nothing(seed_graph, name, params):
    assert select(seed_graph, name, params) == []


# --------------------------------------------------------------------------------------------
# each query on the seeds


def test_policies_per_jurisdiction(seed_graph):
    assert select(seed_graph, "policies-per-jurisdiction") == [
        {"code": "CN", "label_en": "China", "label_zh": "中国", "policies": 2},
        {"code": "CN-JS", "label_en": "Jiangsu", "label_zh": "江苏省", "broader": "CN", "policies": 1},
    ]


def test_policies_in_jurisdiction_cn_includes_jiangsu(seed_graph):
    assert select(seed_graph, "policies-in-jurisdiction", {"jurisdiction": "CN"}) == [
        {"id": MIIT, "code": "CN", "title_en": MIIT_TITLE_EN, "title_zh": MIIT_TITLE_ZH, "published": "2022-08-01"},
        {"id": PARKS, "code": "CN", "title_zh": PARKS_TITLE_ZH, "published": "2024-01-15"},
        {"id": JS, "code": "CN-JS", "title_zh": JS_TITLE_ZH, "published": "2022-10-01"},
    ]


def test_policies_in_jurisdiction_subdivision_and_unknown(seed_graph):
    assert select(seed_graph, "policies-in-jurisdiction", {"jurisdiction": "CN-JS"}) == [
        {"id": JS, "code": "CN-JS", "title_zh": JS_TITLE_ZH, "published": "2022-10-01"},
    ]
    assert select(seed_graph, "policies-in-jurisdiction", {"jurisdiction": "US"}) == []


def test_policies_by_agency_all(seed_graph):
    rows = select(seed_graph, "policies-by-agency")
    assert project(rows, "agency_iri", "agency_en", "agency_zh", "jurisdiction", "id", "title") == [
        (ID + "agency/CN/miit", "Ministry of Industry and Information Technology", "工业和信息化部", "CN", MIIT, MIIT_TITLE_EN),
        (ID + "agency/CN/miit", "Ministry of Industry and Information Technology", "工业和信息化部", "CN", PARKS, PARKS_TITLE_ZH),
        (ID + "agency/CN-JS/department-of-industry-and-information-technology",
         "Jiangsu Provincial Department of Industry and Information Technology", "江苏省工业和信息化厅", "CN-JS", JS, JS_TITLE_ZH),
    ]


@pytest.mark.parametrize("name", ["MIIT", "miit", "工信部", "工业和信息化部", "Ministry of Industry and Information Technology"])
def test_policies_by_agency_aliases_are_one_agency(seed_graph, name):
    rows = select(seed_graph, "policies-by-agency", {"agency": name})
    assert project(rows, "agency_iri", "id") == [(ID + "agency/CN/miit", MIIT), (ID + "agency/CN/miit", PARKS)]


def test_policies_by_agency_unknown_name(seed_graph):
    assert select(seed_graph, "policies-by-agency", {"agency": "Department of Energy"}) == []
    assert select(seed_graph, "policies-by-agency", {"agency": "MII"}) == []  # whole names only


def test_counts_by_category_status(seed_graph):
    assert select(seed_graph, "counts-by-category-status") == [
        {"category": "Regulatory", "status": "Active", "policies": 2},
        {"category": "Strategic", "status": "Active", "policies": 1},
    ]


@pytest.mark.parametrize("date, expected", [
    ("2022-07-31", []),
    ("2022-08-01", [(MIIT, "CN", "2022-08-01")]),  # on its publication day
    ("2022-09-30", [(MIIT, "CN", "2022-08-01")]),
    ("2023-01-01", [(MIIT, "CN", "2022-08-01"), (JS, "CN-JS", "2022-10-01")]),
    ("2025-06-30", [(MIIT, "CN", "2022-08-01"), (JS, "CN-JS", "2022-10-01"), (PARKS, "CN", "2024-01-15")]),
])
def test_in_force_on_date_seeds(seed_graph, date, expected):
    rows = select(seed_graph, "in-force-on-date", {"jurisdiction": "CN", "date": date})
    assert project(rows, "id", "code", "published") == expected
    assert all(r["status"] == "Active" for r in rows)


def test_in_force_on_date_row_content(seed_graph):
    assert select(seed_graph, "in-force-on-date", {"jurisdiction": "CN-JS", "date": "2023-01-01"}) == [
        {"id": JS, "code": "CN-JS", "published": "2022-10-01", "status": "Active", "title": JS_TITLE_ZH},
    ]


def test_data_issues(seed_graph):
    rows = select(seed_graph, "data-issues")
    assert project(rows, "severity", "issue_code", "field") == [
        ("warning", "node-count-mismatch", None),
        ("warning", "truncated-item", "预期效果"),
    ]
    assert rows[0]["message"] == "header declares 10 nodes, 8 found"
    assert rows[1]["message"].startswith("item 2 of node 8 (《江苏省工业领域及重点行业碳达峰实施方案》) is cut off")
    assert all(r["subject"].startswith(ID + "compilation/") for r in rows)
    assert len({r["subject"] for r in rows}) == 1  # both about the one compilation


def test_data_issues_by_code(seed_graph):
    assert project(select(seed_graph, "data-issues", {"code": "truncated-item"}), "issue_code") == [("truncated-item",)]
    assert select(seed_graph, "data-issues", {"code": "empty-agency"}) == []


def test_lineage_queries_on_the_seeds(seed_graph):
    """The seeds state no lineage link; every link is inferred, and --param stated=true sees none."""
    rows = select(seed_graph, "lineage-edges")
    assert {(r["kind"], r["source"], r["target"], r["inferred"], r["rule"]) for r in rows if not r["source"].startswith("work-")} == {
        ("based_on", JS, MIIT, True, "counterpart-agency"), ("based_on", PARKS, MIIT, True, "short-title-in-text")}
    assert all(r["inferred"] and r["evidence"] and 0 < float(r["confidence"]) < 1 for r in rows)
    assert select(seed_graph, "lineage-edges", {"stated": "true"}) == []
    assert select(seed_graph, "policy-lineage", {"policy": JS}) == []
    policies = [r for r in select(seed_graph, "lineage-nodes") if r["kind"] == "policy"]
    assert project(policies, "id", "label_en", "label_zh", "in_corpus", "published", "jurisdiction") == [
        (JS, None, JS_TITLE_ZH, True, "2022-10-01", "CN-JS"),
        (MIIT, MIIT_TITLE_EN, "中国工信部工业领域碳达峰实施方案", True, "2022-08-01", "CN"),
        (PARKS, None, PARKS_TITLE_ZH, True, "2024-01-15", "CN"),
    ]
    works = {r["label_zh"]: r for r in select(seed_graph, "lineage-nodes") if r["kind"] == "work"}
    assert works["江苏省碳达峰实施方案"]["first_item"] == "2022-10-02"
    assert works["江苏省碳达峰实施方案"]["place_jurisdiction"] == "CN-JS"
    assert works["关于加速建立产品碳足迹管理体系的意见"]["agency_jurisdiction"] == "CN"  # 国家发改委 organises it


# the Jiangsu events of seeds/002_…txt, in date order: (date, precision, end, name)
JIANGSU_ITEMS = [
    ("2019-03-21", "day", None, "响水化工区爆炸事件"),
    ("2019-04", "month", None, "江苏省化工企业及园区规模缩减规划"),
    ("2020-01-29", "day", None, "昆承湖产业园区建设"),
    ("2021", "year", None, "南京钢铁集团深度减排改造"),
    ("2022", "year", None, "江苏省关停不合格化工企业"),
    ("2022", "year", None, "江苏省构建低碳高效产业体系"),
    ("2022-03", "month", None, "张家港市产业园区绿色发展"),
    ("2022-07", "month", None, "江苏省可再生能源消费比重提高"),
    ("2022-10-02", "day", None, "《江苏省碳达峰实施方案》颁布"),  # listed under three names; the least one is shown
    ("2022-10-20", "day", "2022-10-25", "江苏省重点产业园区能力建设研讨会"),
    ("2023-08-14", "day", None, "江阴-靖江产业园区重点项目开工"),
    ("2023-11", "month", None, "《关于加速建立产品碳足迹管理体系的意见》"),
    ("2023-11", "month", None, "《江苏省工业领域及重点行业碳达峰实施方案》"),
]
JS_PUBLICATION = ("2022-10-01", "day", None, f"发布：{JS_TITLE_ZH}")
JS_AUDIT = ("2026-02-08", "day", None, f"Last audit of record {JS}")


def test_jurisdiction_timeline_jiangsu(seed_graph):
    rows = select(seed_graph, "jurisdiction-timeline", {"jurisdiction": "CN-JS"})
    expected = sorted(JIANGSU_ITEMS + [JS_PUBLICATION, JS_AUDIT], key=lambda r: (r[0], r[3]))
    assert project(rows, "date", "precision", "end", "name") == expected
    by_name = {r["name"]: r for r in rows}
    assert by_name["响水化工区爆炸事件"]["place"] == "江苏省盐城市响水县"
    assert by_name["江苏省重点产业园区能力建设研讨会"]["place"] == "徐州市、南通市和连云港市"
    assert by_name[JS_PUBLICATION[3]]["policy"] == JS
    assert by_name[JS_PUBLICATION[3]]["event"] == ID + f"policy/{JS}/event/publication"
    assert all(r["event"].startswith(ID + "event/") for r in rows if "policy" not in r)


def test_jurisdiction_timeline_cn_adds_the_national_policies(seed_graph):
    rows = select(seed_graph, "jurisdiction-timeline", {"jurisdiction": "CN"})
    assert len(rows) == 13 + 6
    assert {r.get("policy") for r in rows} == {None, JS, MIIT, PARKS}


def test_jurisdiction_timeline_window_at_mixed_precision(seed_graph):
    rows = select(seed_graph, "jurisdiction-timeline", {"jurisdiction": "CN-JS", "from": "2022-10", "to": "2022-10"})
    assert project(rows, "date", "end", "name") == [
        ("2022", None, "江苏省关停不合格化工企业"),  # a year event covers October 2022
        ("2022", None, "江苏省构建低碳高效产业体系"),
        ("2022-10-01", None, JS_PUBLICATION[3]),
        ("2022-10-02", None, "《江苏省碳达峰实施方案》颁布"),
        ("2022-10-20", "2022-10-25", "江苏省重点产业园区能力建设研讨会"),
    ]
    rows = select(seed_graph, "jurisdiction-timeline", {"jurisdiction": "CN-JS", "from": "2019-04-15", "to": "2019"})
    assert project(rows, "date", "name") == [("2019-04", "江苏省化工企业及园区规模缩减规划")]
    rows = select(seed_graph, "jurisdiction-timeline", {"jurisdiction": "CN-JS", "from": "2022-10-24", "to": "2022-10-31"})
    assert project(rows, "date", "name") == [
        ("2022", "江苏省关停不合格化工企业"), ("2022", "江苏省构建低碳高效产业体系"),
        ("2022-10-20", "江苏省重点产业园区能力建设研讨会"),  # ends 2022-10-25
    ]


def test_timeline_everything(seed_graph):
    rows = select(seed_graph, "timeline")
    assert len(rows) == 19  # 13 timeline events + 3 publications + 3 last audits
    assert [r.get("date") for r in rows] == sorted(r.get("date") for r in rows)
    kinds = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    assert kinds == {"timeline-item": 13, "publication": 3, "last-audit": 3}
    items = [r for r in rows if r["kind"] == "timeline-item"]
    assert project(items, "date", "precision", "end", "name") == JIANGSU_ITEMS
    assert {r["location"] for r in items} == {"CN-JS"}
    assert [r["name"] for r in rows if r.get("incomplete")] == ["《江苏省工业领域及重点行业碳达峰实施方案》"]
    publications = [r for r in rows if r["kind"] == "publication"]
    assert project(publications, "date", "about", "location") == [
        ("2022-08-01", MIIT, "CN"), ("2022-10-01", JS, "CN-JS"), ("2024-01-15", PARKS, "CN")]


def test_timeline_by_policy(seed_graph):
    assert select(seed_graph, "timeline", {"policy": PARKS}) == [
        {"date": "2024-01-15", "precision": "day", "kind": "publication", "name": f"发布：{PARKS_TITLE_ZH}",
         "location": "CN", "about": PARKS, "about_kind": "policy", "event": ID + f"policy/{PARKS}/event/publication"},
        {"date": "2026-02-08", "precision": "day", "kind": "last-audit", "name": f"Last audit of record {PARKS}",
         "location": "CN", "about": PARKS, "about_kind": "policy", "event": ID + f"policy/{PARKS}/event/last-audit"},
    ]
    assert select(seed_graph, "timeline", {"policy": "no-such-policy"}) == []


def test_timeline_by_jurisdiction(seed_graph):
    js = select(seed_graph, "timeline", {"jurisdiction": "CN-JS"})
    assert len(js) == 15 and {r["location"] for r in js} == {"CN-JS"}
    assert len(select(seed_graph, "timeline", {"jurisdiction": "CN"})) == 19
    both = select(seed_graph, "timeline", {"jurisdiction": "CN", "policy": MIIT})
    assert project(both, "date", "kind") == [("2022-08-01", "publication"), ("2026-02-08", "last-audit")]
    assert select(seed_graph, "timeline", {"jurisdiction": "CN-JS", "policy": MIIT}) == []


# --------------------------------------------------------------------------------------------
# render(): binding errors and bad query files (the result formats: tests/test_query_results.py)


def test_render_errors_are_query_errors(seed_graph):
    with pytest.raises(QueryError, match="needs --param jurisdiction"):
        render(seed_graph, "policies-in-jurisdiction", {}, "table")
    with pytest.raises(QueryError, match="no query named"):
        render(seed_graph, "nope", {}, "csv")


def test_invalid_sparql_in_a_query_file(tmp_path, seed_graph):
    path = tmp_path / "broken.rq"
    path.write_text("# title: broken\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    with pytest.raises(QueryError, match="is not valid SPARQL 1.1"):
        select(seed_graph, Query.parse(path))


# --------------------------------------------------------------------------------------------
# lineage: a synthetic input with supersedes links
#   us-syn-a (2024) replaces us-syn-b (2020), which replaces us-syn-c (2015) and us-syn-gone (not in the input);
#   a and b are in the cluster "Synthetic Storage Rules"; us-syn-d (2019) stands alone in "Other Cluster".


@pytest.fixture(scope="module")
def synthetic_graph(tmp_path_factory):
    result = build([write_synthetic(tmp_path_factory.mktemp("synthetic") / "policies")])
    assert result.errors == []
    assert result.counts["policies"] == 4 and result.counts["dangling_policies"] == 1
    return result.graph


LINKS = [  # (newer, older, newer_in_corpus, older_in_corpus, newer_published, older_published)
    ("us-syn-b", "us-syn-c", True, True, "2020-06-01", "2015-01-10"),
    ("us-syn-b", "us-syn-gone", True, False, "2020-06-01", None),
    ("us-syn-a", "us-syn-b", True, True, "2024-03-01", "2020-06-01"),
]
LINK_KEYS = ("newer", "older", "newer_in_corpus", "older_in_corpus", "newer_published", "older_published")


def test_policy_lineage_of_the_middle_policy(synthetic_graph):
    rows = select(synthetic_graph, "policy-lineage", {"policy": "us-syn-b"})
    assert project(rows, *LINK_KEYS) == LINKS


@pytest.mark.parametrize("policy", ["us-syn-a", "us-syn-c", "us-syn-gone"])
def test_policy_lineage_is_the_same_from_any_member(synthetic_graph, policy):
    """Followed transitively both ways: the newest, the oldest and the dangling target see the whole lineage."""
    assert project(select(synthetic_graph, "policy-lineage", {"policy": policy}), *LINK_KEYS) == LINKS


def test_policy_lineage_of_an_unlinked_or_unknown_policy(synthetic_graph):
    assert select(synthetic_graph, "policy-lineage", {"policy": "us-syn-d"}) == []
    assert select(synthetic_graph, "policy-lineage", {"policy": "nope"}) == []


def test_lineage_edges_synthetic(synthetic_graph):
    rows = select(synthetic_graph, "lineage-edges")
    assert project(rows, "kind", "source", "target", "inferred", "rule") == [
        ("member_of", "us-syn-a", "cluster:Synthetic Storage Rules", False, "field"),
        ("member_of", "us-syn-b", "cluster:Synthetic Storage Rules", False, "field"),
        ("member_of", "us-syn-d", "cluster:Other Cluster", False, "field"),
        ("replaces", "us-syn-a", "us-syn-b", False, "field"),
        ("replaces", "us-syn-b", "us-syn-c", False, "field"),
        ("replaces", "us-syn-b", "us-syn-gone", False, "field"),
    ]
    assert all("evolution.supersedes" in r["evidence"] for r in rows if r["kind"] == "replaces")


def test_lineage_nodes_synthetic(synthetic_graph):
    rows = select(synthetic_graph, "lineage-nodes")
    assert project(rows, "id", "kind", "label_en", "in_corpus", "published", "jurisdiction") == [
        ("us-syn-a", "policy", "Synthetic Rule A", True, "2024-03-01", "US"),
        ("us-syn-b", "policy", "Synthetic Rule B", True, "2020-06-01", "US"),
        ("us-syn-c", "policy", "Synthetic Rule C", True, "2015-01-10", "US"),
        ("us-syn-d", "policy", "Synthetic Standalone D", True, "2019-05-05", "US"),
        ("us-syn-gone", "policy", None, False, None, None),
    ]
    assert rows[0]["iri"] == ID + "policy/us-syn-a"


@pytest.mark.parametrize("date, expected", [
    ("2014-12-31", []),
    ("2015-01-10", ["us-syn-c"]),
    ("2019-12-31", ["us-syn-c", "us-syn-d"]),
    ("2020-05-31", ["us-syn-c", "us-syn-d"]),  # the day before b is published, c is still in force
    ("2020-06-01", ["us-syn-d", "us-syn-b"]),  # b replaces c on its publication day
    ("2023-01-01", ["us-syn-d", "us-syn-b"]),
    ("2024-02-29", ["us-syn-d", "us-syn-b"]),
    ("2024-03-01", ["us-syn-d", "us-syn-a"]),
    ("2030-01-01", ["us-syn-d", "us-syn-a"]),
])
def test_in_force_on_date_respects_replacements(synthetic_graph, date, expected):
    rows = select(synthetic_graph, "in-force-on-date", {"jurisdiction": "US", "date": date})
    assert [r["id"] for r in rows] == expected
    assert "us-syn-gone" not in [r["id"] for r in rows]  # no record: never listed


def test_data_issues_synthetic_dangling(synthetic_graph):
    rows = select(synthetic_graph, "data-issues", {"code": "dangling-supersedes"})
    assert project(rows, "subject", "severity", "issue_code", "field") == [
        ("us-syn-b", "warning", "dangling-supersedes", "evolution.supersedes")]
    assert "us-syn-gone" in rows[0]["message"]


# --------------------------------------------------------------------------------------------
# the real corpus


@pytest.mark.corpus
def test_corpus_policy_lineage_us_45q(corpus_build):
    rows = select(corpus_build.graph, "policy-lineage", {"policy": "us-45q-ira"})
    assert project(rows, "newer", "older", "newer_in_corpus", "older_in_corpus") == [
        ("us-45q-ira", "us-45q-pre-2022", True, False)]


@pytest.mark.corpus
def test_corpus_lineage_edges(corpus_build):
    rows = select(corpus_build.graph, "lineage-edges")
    replaces = [r for r in rows if r["kind"] == "replaces"]
    assert len(replaces) == 8
    assert ("us-45q-ira", "us-45q-pre-2022") in {(r["source"], r["target"]) for r in replaces}
    assert all(r["inferred"] is False for r in replaces)
    assert {r["kind"] for r in rows} == {"replaces", "member_of", "cites", "based_on"}
    assert all(r["target"].startswith("cluster:") for r in rows if r["kind"] == "member_of")


# --------------------------------------------------------------------------------------------
# portable query files: complete SPARQL 1.1, one parameter convention, no SERVICE by default

def test_documented_params_cover_every_query_and_parameter():
    assert sorted(DOCUMENTED_PARAMS) == sorted(QUERY_NAMES)
    for q in list_queries():
        used = {k for params in DOCUMENTED_PARAMS[q.name] for k in params}
        assert used == {p.name for p in q.params}, q.name


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_file_runs_as_it_is_without_predeclared_prefixes(name):
    """The file's own text parses and runs on a store that knows no prefixes."""
    import pyoxigraph as ox

    q = load_query(name)
    assert "PREFIX " in q.text
    ox.Store().query(q.text)  # raises SyntaxError on an undeclared prefix


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_sparqlwrapper_sees_a_select_query(name):
    """SPARQLWrapper guesses the query form from keywords in the text (comments included, every
    second comment line survives its comment stripping): no header may mislead it."""
    from SPARQLWrapper import SPARQLWrapper

    q = load_query(name)
    for params in DOCUMENTED_PARAMS[name]:
        client = SPARQLWrapper("http://127.0.0.1:9/query")
        client.setQuery(bind(q, params))
        assert client.queryType == "SELECT", (name, params)
    from ccus_kg.query.library import query_form
    assert query_form(q.text) == "SELECT"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_no_repeated_rows(seed_graph, name):
    for params in DOCUMENTED_PARAMS[name]:
        rows = [tuple(sorted(r.items())) for r in select(seed_graph, name, params)]
        assert len(rows) == len(set(rows)), (name, params)


@pytest.mark.parametrize("name, params", [
    ("data-issues", {"code": "no-such-code"}),
    ("policies-by-agency", {"agency": "No Such Agency"}),
    ("timeline", {"jurisdiction": "ZZ"}),
    ("timeline", {"policy": "no-such-policy"}),
    ("jurisdiction-timeline", {"jurisdiction": "CN-JS", "from": "2999"}),
    ("jurisdiction-timeline", {"jurisdiction": "CN-JS", "to": "1900-01-01"}),
])
def test_optional_parameters_take_effect(seed_graph, name, params):
    """An optional parameter bound to a value that matches nothing gives no rows, where the query
    without it gives some: the parameter is not silently ignored (e.g. bound outside a sub-select)."""
    required = {k: v for k, v in params.items() if k == "jurisdiction" and name == "jurisdiction-timeline"}
    assert select(seed_graph, name, required)
    assert select(seed_graph, name, params) == []


def test_period_parameter_is_typed_by_precision():
    q = load_query("jurisdiction-timeline")
    for value, datatype in (("2022", "gYear"), ("2022-03", "gYearMonth"), ("2022-03-01", "date")):
        assert f'"{value}"^^<http://www.w3.org/2001/XMLSchema#{datatype}>' in bind(q, {"jurisdiction": "CN", "from": value})
    for bad in ("22", "2022-3", "2022-13", "2022-02-30", "20220301"):
        with pytest.raises(QueryError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
            bind(q, {"jurisdiction": "CN", "from": bad})


def test_a_query_with_parameters_needs_its_parameter_line(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("# param: code string required a code\nSELECT * WHERE { ?s ?p ?code }\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"VALUES \(\?code\) \{ \(UNDEF\) \}"):
        load_query(path)
    path.write_text("# param: code string required a code\nSELECT * WHERE {\n  VALUES (?other) { (UNDEF) }\n}\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"bad.rq:3: the parameter line"):
        load_query(path)


def test_a_parameter_line_in_a_comment_does_not_count(tmp_path):
    path = tmp_path / "c.rq"
    path.write_text("# param: code string required a code\n# VALUES (?code) { (UNDEF) }\nSELECT * WHERE { ?s ?p ?code }\n",
                    encoding="utf-8")
    with pytest.raises(QueryError, match="no parameter line"):
        load_query(path)


def test_service_is_refused_unless_allowed(seed_graph, tmp_path):
    from ccus_kg.query.library import check_service

    text = "SELECT * WHERE { # SERVICE in a comment does not count\n  ?s ?p ?o . FILTER(?o = \"SERVICE <http://x/>\") }"
    check_service(text)
    path = tmp_path / "fed.rq"
    path.write_text("SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }\n",
                    encoding="utf-8")
    with pytest.raises(QueryError, match="SERVICE.*--allow-service"):
        select(seed_graph, load_query(path))
    # the keyword in any case, or spelt with codepoint escapes (SPARQL 1.1 §19.2), is still found
    for keyword in ("service", "SeRvIcE", "\\u0053ERVICE"):
        with pytest.raises(QueryError, match="SERVICE"):
            check_service(f"SELECT * WHERE {{ {keyword} <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }} }}")


def test_non_utf8_query_file_is_a_clean_error(tmp_path):
    path = tmp_path / "latin1.rq"
    path.write_bytes("# title: café\nSELECT * WHERE { ?s ?p \"é\" }\n".encode("latin-1"))
    with pytest.raises(QueryError, match=r"latin1.rq:1: not UTF-8"):
        load_query(path)
