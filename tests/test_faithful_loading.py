"""Faithful loading (issue 8): odd values become problems with file, line and field; nothing crashes."""

from __future__ import annotations

import pyoxigraph as ox

from ccus_kg.build import build
from ccus_kg.identity import iris
from ccus_kg.namespaces import CCUS, XSD


def _write(folder, name: str, text: str):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _problems(result, code):
    return [p for p in result.problems if p.code == code]


def test_scores_that_are_not_integers_are_reported_with_raw_text(tmp_path):
    _write(tmp_path, "p.md", "---\n{\n  \"id\": \"p\",\n  \"title\": \"T\",\n  \"analysis\": {\n"
           "    \"mrv\": {\"score\": 55.7, \"label\": \"L\"},\n    \"market\": {\"score\": 1e999},\n"
           "    \"incentive\": {\"score\": NaN},\n    \"statutory\": {\"score\": 40.0}\n  }\n}\n---\nbody\n")
    result = build([tmp_path])
    bad = {p.field: p for p in _problems(result, "bad-score")}
    assert set(bad) == {"analysis.mrv.score", "analysis.market.score", "analysis.incentive.score"}
    p = bad["analysis.mrv.score"]
    assert (p.line, p.raw, p.message) == (6, "55.7", "analysis.mrv.score '55.7' is not an integer 0–100; not used")
    assert bad["analysis.market.score"].line == 7 and bad["analysis.incentive.score"].raw == "NaN"
    g = result.graph
    assert list(g.store.quads_for_pattern(ox.NamedNode(iris.assessment("p", "mrv")), CCUS.score, None)) == []
    assert [q.object for q in g.store.quads_for_pattern(ox.NamedNode(iris.assessment("p", "statutory")), CCUS.score, None)] == [
        ox.Literal("40", datatype=XSD.integer)]
    raw = {q.object.value for q in g.store.quads_for_pattern(None, CCUS.rawValue, None)}
    assert {"55.7", "1e999", "NaN"} <= raw
    assert result.validation is not None and result.validation.conforms


def test_yaml_traps_keep_the_record(tmp_path):
    _write(tmp_path, "p.md", "---\nid: 0123\ntitle: !!binary aGVsbG8=\ncountry: NO\npubDate: 2022-13-45\n---\nbody\n")
    result = build([tmp_path])
    assert result.counts["policies"] == 1
    p = next(iter(_problems(result, "bad-date")))
    assert (p.file.endswith("p.md"), p.line, p.field, p.raw) == (True, 5, "pubDate", "2022-13-45")
    assert p.message == "pubDate '2022-13-45' is not a date (expected YYYY-MM-DD)"
    ids = {r["id"].value for r in result.graph.query("SELECT ?id WHERE { ?p a ccus:Policy ; dcterms:identifier ?id }")}
    assert ids == {"0123"}
    assert result.graph.query(f"ASK {{ <{iris.policy('0123')}> eli:jurisdiction <{iris.jurisdiction('NO')}> }}")


def test_a_list_where_text_is_expected_is_reported(tmp_path):
    _write(tmp_path, "p.md", "---\nid: p\ntitle:\n  - a\n  - b\n---\nbody\n")
    result = build([tmp_path], validate=False)
    (p,) = [p for p in _problems(result, "bad-field") if p.field == "title"]
    assert (p.line, p.raw) == (3, '["a","b"]')
    assert p.message == "title must be text, found a list; not used (the value is kept on this issue)"


def test_every_conversion_problem_has_a_line(tmp_path):
    _write(tmp_path, "en/p.md", '---\n{"id": "p", "title": "T", "evolution": {"supersedes": ["gone"]}, "mystery": 1}\n---\nb\n')
    _write(tmp_path, "zh/p.md", '---\n{"id": "p", "title": "中文", "pubDate": "2020-01-01"}\n---\nb\n')
    result = build([tmp_path], validate=False)
    assert result.problems and all(p.line for p in result.problems), [p for p in result.problems if not p.line]
