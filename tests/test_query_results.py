"""Query results as text (ccus_kg.query.results): table, CSV and SPARQL 1.1 Query Results JSON.

Run through :func:`ccus_kg.query.library.render` on the seed graph; the rows are the seeds'
(tests/test_query_library.py explains them): two jurisdictions, CN with two policies and CN-JS
(broader CN) with one.
"""

from __future__ import annotations

import json

import pytest

from ccus_kg.errors import QueryError
from ccus_kg.query.library import render
from ccus_kg.query.results import pad, width

ID = "https://w3id.org/ccus-kg/id/"


def test_render_table(seed_graph):
    text, count = render(seed_graph, "policies-per-jurisdiction", None, "table")
    assert count == 2
    lines = text.splitlines()
    assert lines[0].split() == ["code", "label_en", "label_zh", "broader", "policies"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].split() == ["CN", "China", "中国", "2"]
    assert lines[3].split() == ["CN-JS", "Jiangsu", "江苏省", "CN", "1"]
    assert lines[4] == "(2 rows)"


def test_render_table_shortens_iris_with_prefixes(seed_graph):
    text, count = render(seed_graph, "policies-by-agency", {"agency": "MIIT"}, "table")
    assert count == 2
    assert "agency:CN/miit" in text and ID not in text
    assert text.endswith("(2 rows)\n")


def test_render_table_one_and_no_rows(seed_graph):
    text, count = render(seed_graph, "policies-in-jurisdiction", {"jurisdiction": "CN-JS"})
    assert count == 1 and text.endswith("(1 row)\n")
    text, count = render(seed_graph, "policies-in-jurisdiction", {"jurisdiction": "FR"})
    assert count == 0 and text.endswith("(0 rows)\n")
    assert text.splitlines()[0].split() == ["id", "code", "title_en", "title_zh", "published"]


def test_render_csv(seed_graph):
    text, count = render(seed_graph, "policies-per-jurisdiction", None, "csv")
    assert count == 2
    assert text == "code,label_en,label_zh,broader,policies\r\nCN,China,中国,,2\r\nCN-JS,Jiangsu,江苏省,CN,1\r\n"


def test_render_json_is_sparql_results_json(seed_graph):
    text, count = render(seed_graph, "policies-per-jurisdiction", {}, "json")
    assert count == 2
    data = json.loads(text)
    assert data["head"]["vars"] == ["code", "label_en", "label_zh", "broader", "policies"]
    first, second = data["results"]["bindings"]
    assert first["code"] == {"type": "literal", "value": "CN"}
    assert first["label_zh"] == {"type": "literal", "value": "中国", "xml:lang": "zh"}
    assert first["policies"] == {"type": "literal", "value": "2", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert "broader" not in first  # unbound
    assert second["broader"]["value"] == "CN"


def test_render_json_iris(seed_graph):
    data = json.loads(render(seed_graph, "policies-by-agency", {"agency": "工信部"}, "json")[0])
    assert [b["agency_iri"] for b in data["results"]["bindings"]] == [{"type": "uri", "value": ID + "agency/CN/miit"}] * 2


def test_render_unknown_format(seed_graph):
    with pytest.raises(QueryError, match=r"unknown result format 'xml'; expected one of table, csv, json"):
        render(seed_graph, "policies-per-jurisdiction", None, "xml")


def test_table_columns_align_for_chinese_text():
    assert width("江苏省") == 6 and width("CN-JS") == 5
    assert pad("江苏", 6) == "江苏  " and width(pad("江苏省工信厅", 7)) == 7
    assert pad("江苏省工信厅", 7).endswith("…")
