"""Timeline compilations → RDF events: one node per real event, dates with precision, links."""

from __future__ import annotations

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.namespaces import XSD
from ccus_kg.rdf.events import PolicyTitleIndex
from ccus_kg.text import fold_title


def _events(graph):
    rows = graph.query("""
        SELECT ?e ?start ?end ?loc ?incomplete (COUNT(DISTINCT ?name) AS ?names) (COUNT(DISTINCT ?node) AS ?nodes)
        WHERE { ?e a ccus:TimelineEvent ; ccus:listedIn ?node ; schema:name ?name .
                OPTIONAL { ?e schema:startDate ?start } OPTIONAL { ?e schema:endDate ?end }
                OPTIONAL { ?e schema:location/skos:notation ?loc } OPTIONAL { ?e ccus:incomplete ?incomplete } }
        GROUP BY ?e ?start ?end ?loc ?incomplete""")
    return [{k: (r[k] if r[k] is None else r[k]) for k in ("e", "start", "end", "loc", "incomplete", "names", "nodes")} for r in rows]


def test_seed_timeline_gives_each_real_event_once(seed_graph, seed_build):
    events = _events(seed_graph)
    assert len(events) == 13 == seed_build.counts["timeline_events"]
    plan = [e for e in events if e["start"] == ox.Literal("2022-10-02", datatype=XSD.date)]
    assert len(plan) == 1
    assert plan[0]["names"].value == "3" and plan[0]["nodes"].value == "3"


def test_dates_keep_their_precision(seed_graph):
    starts = {e["start"] for e in _events(seed_graph)}
    assert ox.Literal("2019-03-21", datatype=XSD.date) in starts
    assert ox.Literal("2019-04", datatype=XSD.gYearMonth) in starts
    assert ox.Literal("2021", datatype=XSD.gYear) in starts
    workshop = [e for e in _events(seed_graph) if e["start"] == ox.Literal("2022-10-20", datatype=XSD.date)]
    assert workshop[0]["end"] == ox.Literal("2022-10-25", datatype=XSD.date)
    remark = list(seed_graph.query('SELECT ?r WHERE { ?e ccus:dateRemark ?r }'))
    assert {r["r"].value for r in remark} >= {"爆炸事件后"}


def test_every_event_links_to_jiangsu_and_keeps_the_place_text(seed_graph):
    assert {e["loc"].value for e in _events(seed_graph)} == {"CN-JS"}
    places = {r["p"].value for r in seed_graph.query("SELECT ?p WHERE { ?e ccus:placeText ?p }")}
    assert "江苏省盐城市响水县" in places


def test_cut_off_item_is_present_flagged_and_reported(seed_graph, seed_build):
    flagged = [e for e in _events(seed_graph) if e["incomplete"] is not None]
    assert len(flagged) == 1
    problem = next(p for p in seed_build.problems if p.code == "truncated-item")
    assert problem.line == 142 and problem.file.endswith("002_09cfd2b4524fa4a1.txt")


def test_sources_are_cited_web_pages(seed_graph):
    url = "https://enviliance.com/regions/east-asia/cn/report_8453"
    rows = list(seed_graph.query(f"SELECT ?e WHERE {{ ?e dcterms:source <{url}> . <{url}> a schema:WebPage }}"))
    assert len(rows) == 1


def test_responsible_bodies_become_organizers(seed_graph, seed_build):
    rows = {r["o"].value for r in seed_graph.query("SELECT ?o WHERE { ?e schema:organizer ?o }")}
    assert rows and all(o.startswith(iris.BASE + "agency/") for o in rows)
    assert any(link["link"] == "organizer" for link in seed_build.links)


def test_title_matching_rules():
    index = PolicyTitleIndex({fold_title("江苏省碳达峰实施方案"): {"js-peak"}, fold_title("Short"): {"s"}})
    assert index.match("《江苏省碳达峰实施方案》") == ({"js-peak"}, "exact")
    assert index.match("江苏省碳达峰实施方案(2022年版)") == ({"js-peak"}, "contains")
    assert index.match("Shorter title") == (set(), "")  # too short to link on containment


def test_item_naming_a_known_policy_title_links_to_it(tmp_path, seeds_dir):
    import shutil

    from ccus_kg.build import build

    for name in ("000_155eae0fb6f852c6.txt",):
        shutil.copy(seeds_dir / name, tmp_path / name)
    (tmp_path / "t.md").write_text(
        "# 江苏省政策汇编\n\n## 节点: 2022-10-01 (事件) - 可信度: 0.7\n\n"
        "1. **事项名称**：《江苏省工业绿色低碳转型行动方案》发布\n**发布时间**：2022年10月1日\n**区域**：江苏省\n"
        "**信息来源**：[来源](https://example.org/js)\n\n"
        "2. **事项名称**：未知方案启动\n**发布时间**：2022年\n**区域**：火星\n\n",
        encoding="utf-8")
    result = build([tmp_path], validate=False)
    about = {r["e"].value for r in result.graph.query(
        "SELECT ?e WHERE { ?e ccus:listedIn ?n ; schema:about policy:cn-js-industrial-decarb-2022 }")}
    assert len(about) == 1
    link = next(link for link in result.links if link["link"] == "about")
    assert "contains" in link["why"] and "cn-js-industrial-decarb-2022" in link["why"]
    # an unknown place falls back to the compilation's jurisdiction, and the report says so
    located = [link for link in result.links if link["link"] == "location" and "火星" in link["why"]]
    assert located and "compilation title" in located[0]["why"]
