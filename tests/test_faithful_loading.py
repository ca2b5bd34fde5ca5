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


def _compilation(nodes: int, items: int, confidence: str = "0.8") -> str:
    parts = ["# 测试汇编", "分析时间: 2025-05-01 16:56:12", f"共收录 {nodes} 个重要节点的相关信息", "---"]
    n = 0
    for k in range(nodes):
        parts.append(f"## 节点: 2020-01-{k % 28 + 1:02d} (事件) - 可信度: {confidence}")
        for _ in range(items):
            n += 1
            parts.append(f"{n}. **事项名称**：事项{n}")
            parts.append(f"**发生日期**：2020年1月{k % 28 + 1}日。[来源](https://example.org/{n})")
    return "\n".join(parts) + "\n"


def test_items_numbered_1000_and_more_are_read():
    from ccus_kg.ingest.timeline_merge import merge_events
    from ccus_kg.ingest.timeline_parser import parse_timeline

    doc = parse_timeline(_compilation(2, 600), "c.md")
    numbers = [item.number for node in doc.nodes for item in node.items]
    assert numbers == list(range(1, 1201))
    assert len(merge_events(doc)) == 1200


def test_nan_confidence_is_reported_not_written(tmp_path):
    _write(tmp_path, "c.md", _compilation(1, 1, "nan"))
    result = build([tmp_path])
    (p,) = _problems(result, "unparsed-confidence")
    assert (p.line, p.field, p.message) == (5, "可信度", "confidence 'nan' is not a finite number; not used")
    assert not result.graph.query("ASK { ?n ccus:confidence ?c }")
    assert result.validation is not None and result.validation.conforms


def test_titles_in_other_scripts_are_tagged_by_script_and_reported(tmp_path):
    _write(tmp_path, "zh/k.md", "---\nid: k\ntitle: 탄소 포집 및 저장에 관한 법률\n---\nb\n")
    _write(tmp_path, "en/k.md", "---\nid: k\ntitle: Carbon Capture Act\n---\nb\n")
    _write(tmp_path, "en/r.md", "---\nid: r\ntitle: Федеральный закон о парниковых газах\n---\nb\n")
    _write(tmp_path, "zh/j.md", "---\nid: j\ntitle: 二酸化炭素の回収・貯留に関する法律\n---\nb\n")
    result = build([tmp_path], validate=False)
    tags = {r["t"].language for r in result.graph.query("SELECT ?t WHERE { ?p dcterms:title ?t }")}
    assert tags == {"ko", "en", "ru", "ja"}
    reported = {(p.subject, p.line, p.message) for p in _problems(result, "language-by-script")}
    assert reported == {("k", 3, "title is not English or Chinese by its script; tagged @ko"),
                        ("r", 3, "title is not English or Chinese by its script; tagged @ru"),
                        ("j", 3, "title is not English or Chinese by its script; tagged @ja")}


def test_a_folder_with_one_broken_file_of_each_kind_still_converts_every_good_file(tmp_path):
    import os
    import shutil

    from conftest import SEEDS

    shutil.copytree(SEEDS, tmp_path / "in")
    d = tmp_path / "in"
    _write(d, "flow.md", "---\n{ 'id': 'flow', 'title': 'YAML flow mapping', 'country': 'NO' }\n---\nb\n")
    _write(d, "traps.md", "---\nid: 0123\ntitle: !!binary aGk=\npubDate: 2022-13-45\n---\nb\n")
    _write(d, "dupes.md", '---\n{"id": "dupes", "title": "a", "title": "b"}\n---\nb\n')
    _write(d, "numbers.md", '---\n{"id": "numbers", "analysis": {"mrv": {"score": 1e999}, "market": {"score": 55.7}}}\n---\nb\n')
    _write(d, "surrogate.md", '---\n{"id": "surrogate", "title": "x\\ud800"}\n---\nb\n')
    _write(d, "bomb.md", "---\na: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(6)) + "id: bomb\n---\n")
    _write(d, "broken.md", '---\n{\n  "id": "broken",\n  ]\n}\n---\n')
    _write(d, "nan.md", _compilation(1, 1, "nan"))
    _write(d, "control.md", '---\n{"id": "ctl\\u0007\\n", "title": "bell"}\n---\nb\n')
    _write(d, "korean.md", "---\nid: ko\ntitle: 탄소 포집법\n---\nb\n")
    _write(d, "dots.md", '---\nid: ".."\ntitle: dots\n---\nb\n')
    (d / "latin1.md").write_bytes("---\nid: café\n---\n".encode("latin-1"))
    (d / "dangling").symlink_to("nowhere")
    os.mkfifo(d / "fifo")
    result = build([d])
    ids = {r["id"].value for r in result.graph.query("SELECT ?id WHERE { ?p ccus:inCorpus true ; dcterms:identifier ?id }")}
    assert ids == {"cn-miit-industrial-plan-2022", "cn-js-industrial-decarb-2022", "cn-zero-carbon-parks",
                   "flow", "0123", "dupes", "numbers", "surrogate", "ctl\x07", "ko", ".."}
    assert result.counts["timeline_files"] == 2
    skipped = {p.file.rsplit("/", 1)[-1]: p.code for p in result.problems if p.severity == "error" or p.code == "not-a-file"}
    assert skipped == {"bomb.md": "parse-error", "broken.md": "parse-error", "latin1.md": "unreadable",
                       "dangling": "not-a-file", "fifo": "not-a-file"}
    # SHACL ran (the minimal records miss agencies, so they do not conform; nothing crashed on the odd values)
    assert result.validation is not None
    violated = {r.path.replace("/", "#").rsplit("#", 1)[-1] for r in result.validation.results if r.severity == "Violation"}
    assert violated <= {"passed_by", "jurisdiction", "title"}
    assert [p for p in result.problems if not p.line and p.code != "not-a-file"] == []


def test_new_evolution_keys_are_mapped(tmp_path):
    _write(tmp_path, "a.md", "---\nid: a\ntitle: A\nevolution:\n  consolidatedFrom: [b, gone]\n  currentConsolidatedVersion: 2024 consolidated text\n"
           "  effectiveApplicationWindow: 2025-2030\n  sourcePublicationDate: 2024-05\n  milestones:\n    - {date: '2024', event: Adopted}\n---\nx\n")
    _write(tmp_path, "b.md", "---\nid: b\ntitle: B\n---\nx\n")
    result = build([tmp_path], validate=False)
    g = result.graph
    assert g.query("ASK { policy:a eli:consolidates policy:b . policy:b eli:consolidated_by policy:a . policy:gone eli:consolidated_by policy:a }")
    assert g.query('ASK { policy:a ccus:sourcePublicationDate "2024-05"^^xsd:gYearMonth ; ccus:effectiveApplicationWindow "2025-2030"@en ;'
                   ' ccus:currentConsolidatedVersion "2024 consolidated text"@en }')
    assert g.query("ASK { policy:gone ccus:inCorpus false }")
    (p,) = _problems(result, "dangling-consolidated-from")
    assert (p.line, p.field) == (5, "evolution.consolidatedFrom")
    assert not [p for p in _problems(result, "unmapped-field") if p.field and p.field.startswith("evolution.")]
