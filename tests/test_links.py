"""Lineage links beyond supersedes (ccus_kg.rdf.links), built from hand-made records and a compilation.

Input (every answer below follows from it):
- cn-nat-plan (CN, MIIT, 2022-08-01) "工业领域碳达峰实施方案"; its text names 《循环经济促进法》 (in no record)
  and "零碳园区".
- cn-js-plan (CN-JS, 江苏省工信厅, 2022-10-01) "江苏省工业绿色低碳转型行动方案": counterpart of MIIT, shares 工业.
- cn-parks (CN, MIIT, 2024-01-15) "中国零碳工业园区建设指南": 零碳园区 is its short form.
- cn-merged (CN, 2025-01-01) consolidates cn-nat-plan and cn-gone (not in the input); its text cites
  《工业领域碳达峰实施方案》 (exact title of cn-nat-plan) and the English "*Industrial Parks Guideline of China*".
- a Jiangsu compilation listing 《江苏省工业领域及重点行业碳达峰实施方案》 (2023-11), whose text cites
  《江苏省碳达峰实施方案》.
"""

from __future__ import annotations

import json

import pytest

from ccus_kg.build import build
from ccus_kg.identity import iris
from ccus_kg.rdf.links import cited_titles

P = iris.policy


def _policy(folder, name, **fields):
    base = {"status": "现行", "category": "战略引导", "legalWeight": "Departmental Rules"}
    body = fields.pop("body", "正文。")
    (folder / f"{name}.md").write_text("---\n" + json.dumps({**base, **fields}, ensure_ascii=False) + "\n---\n" + body + "\n",
                                       encoding="utf-8")


COMPILATION = """# 江苏省工业领域碳排放关键节点相关政策与事件汇编

分析时间: 2025-05-01 16:56:12
共收录 1 个重要节点的相关信息

---

## 节点: 2023-11-16 (季节性) - 可信度: 0.65

1. **具体政策/事项**：《江苏省工业领域及重点行业碳达峰实施方案》
**发布时间**：2023年11月
**责任单位**：江苏省工信厅
**主要内容**：落实《江苏省碳达峰实施方案》的工业部分。
**信息来源**：[江苏省政府官网](https://www.jiangsu.gov.cn/art/2024/3/15/art_60096_11177200.html)

---
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("links")
    _policy(folder, "nat", id="cn-nat-plan", title="工业领域碳达峰实施方案", country="中国", source="工信部", pubDate="2022-08-01",
            body="工信部发布方案，依据《循环经济促进法》，并配套零碳园区评价体系。")
    _policy(folder, "js", id="cn-js-plan", title="江苏省工业绿色低碳转型行动方案", country="中国", source="江苏省工信厅",
            pubDate="2022-10-01")
    _policy(folder, "parks", id="cn-parks", title="中国零碳工业园区建设指南", country="中国", source="工业和信息化部",
            pubDate="2024-01-15")
    _policy(folder, "merged", id="cn-merged", title="工业领域综合管理办法", country="中国", source="工信部", pubDate="2025-01-01",
            evolution={"consolidatedFrom": ["cn-nat-plan", "cn-gone"]},
            body="本办法整合《工业领域碳达峰实施方案》。See also the *Industrial Parks Guideline of China*.")
    (folder / "timeline.md").write_text(COMPILATION, encoding="utf-8")
    return build([folder])


def _links(result, **match):
    return [k for k in result.lineage if all(k[f] == v for f, v in match.items())]


def test_the_graph_conforms(result):
    assert result.validation.conforms, result.validation.as_dict()["results"]


def test_consolidation_is_stated_both_ways_with_a_dangling_part(result):
    g = result.graph
    assert g.query(f"ASK {{ <{P('cn-merged')}> eli:consolidates <{P('cn-nat-plan')}> . "
                   f"<{P('cn-nat-plan')}> eli:consolidated_by <{P('cn-merged')}> }}")
    assert g.query(f"ASK {{ <{P('cn-gone')}> a ccus:Policy ; ccus:inCorpus false }}")
    assert [k["rule"] for k in _links(result, kind="consolidates")] == ["field", "field"]
    assert any(p.code == "dangling-consolidated-from" for p in result.problems)


def test_citation_of_a_graph_title_is_stated(result):
    [cite] = _links(result, source=P("cn-merged"), kind="cites", target=P("cn-nat-plan"))
    assert cite["inferred"] is False and cite["rule"] == "citation-exact"
    assert "《工业领域碳达峰实施方案》" in cite["evidence"]
    assert result.graph.query(f"ASK {{ <{P('cn-nat-plan')}> eli:cited_by <{P('cn-merged')}> }}")


def test_unresolved_citations_become_named_works_and_are_reported(result):
    works = {r["title"].value for r in result.graph.query("SELECT ?title WHERE { ?w a ccus:NamedWork ; dcterms:title ?title }")}
    assert {"循环经济促进法", "Industrial Parks Guideline of China", "江苏省碳达峰实施方案",
            "江苏省工业领域及重点行业碳达峰实施方案"} <= works
    reported = {p.message.split(" cites ")[1].split(",")[0] for p in result.problems if p.code == "unresolved-citation"}
    assert "'循环经济促进法'" in reported and "'Industrial Parks Guideline of China'" in reported


def test_policy_like_timeline_item_is_a_work_citing_another(result):
    item = iris.work(__import__("ccus_kg.text", fromlist=["fold_title"]).fold_title("江苏省工业领域及重点行业碳达峰实施方案"))
    assert result.graph.query(f"ASK {{ ?e a ccus:TimelineEvent ; schema:about <{item}> }}")
    [cite] = _links(result, source=item, kind="cites")
    assert "《江苏省碳达峰实施方案》" in cite["evidence"]


def test_implementation_across_levels_is_inferred_not_asserted(result):
    item = [k for k in result.lineage if k["kind"] == "implements"]
    assert len(item) == 1 and item[0]["target"] == P("cn-nat-plan")
    assert item[0]["inferred"] is True and item[0]["rule"] == "named-after" and 0 < item[0]["confidence"] < 1
    g = result.graph
    assert not g.query("ASK { ?a eli:implements ?b }")  # a query for stated links does not see it
    assert g.query(f"ASK {{ ?l a ccus:LineageLink ; rdf:predicate eli:implements ; rdf:object <{P('cn-nat-plan')}> ; "
                   "ccus:inferred true ; ccus:linkRule \"named-after\" ; ccus:linkConfidence ?c }")


def test_counterpart_agency_and_short_title_rules(result):
    [js] = _links(result, source=P("cn-js-plan"), target=P("cn-nat-plan"))
    assert (js["kind"], js["rule"], js["inferred"], js["confidence"]) == ("based_on", "counterpart-agency", True, 0.4)
    [parks] = _links(result, source=P("cn-parks"), target=P("cn-nat-plan"))
    assert (parks["kind"], parks["rule"], parks["confidence"]) == ("based_on", "short-title-in-text", 0.35)
    assert "零碳园区" in parks["evidence"]


def test_nothing_links_a_policy_to_itself(result):
    assert all(k["source"] != k["target"] for k in result.lineage)


def test_cited_titles():
    assert cited_titles('依据《巴黎协定》和 "Danish Climate Act", *Net Zero Strategy* and **bold Thing**.') == [
        ("巴黎协定", "zh"), ("Danish Climate Act", "en"), ("Net Zero Strategy", "en")]
    assert cited_titles("a 'single' word and \"Lower case title\" and \"One\"") == [("Lower case title", "en")]
