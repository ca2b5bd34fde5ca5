"""en and zh files of one id: every disagreement reported, one assessment, one cluster, one milestone event."""

from __future__ import annotations

import json

import pyoxigraph as ox
from en_zh_diff import corpus_diff, library_resolver

from ccus_kg.build import build
from ccus_kg.identity import iris
from ccus_kg.namespaces import CCUS, RDFS, SCHEMA


def _pair(tmp_path, en: dict, zh: dict):
    for lang, data in (("en", en), ("zh", zh)):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / "p.md").write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + "\n---\nbody\n", encoding="utf-8")
    return build([tmp_path])


def test_the_corpus_conflict_list_equals_an_independent_diff(corpus_build):
    from corpus import corpus_dir

    expected = corpus_diff(corpus_dir(), library_resolver())
    found = {(p.subject, p.field) for p in corpus_build.problems if p.code == "conflicting-values"}
    assert expected and found == expected
    assert all(p.line for p in corpus_build.problems)
    # the three policies with two lastAuditDates are among them
    assert {pid for pid, f in found if f == "provenance.lastAuditDate"} == {"alberta-tier", "eu-innovation-fund", "uk-ccs-network-code"}


def test_an_assessment_is_one_consistent_unit(tmp_path):
    base = {"id": "p", "title": "T", "country": "Norway"}
    result = _pair(tmp_path, {**base, "analysis": {"mrv": {"score": 40, "label": "Weak", "evidence": "Little."}}},
                   {**base, "title": "挪威", "analysis": {"mrv": {"score": 90, "label": "强", "evidence": "很多。"}}})
    a = ox.NamedNode(iris.assessment("p", "mrv"))
    labels = {q.object for q in result.graph.store.quads_for_pattern(a, RDFS.label, None)}
    assert labels == {ox.Literal("Weak", language="en")}
    evidence = {q.object for q in result.graph.store.quads_for_pattern(a, CCUS.evidence, None)}
    assert evidence == {ox.Literal("Little.", language="en")}
    (p,) = [p for p in result.problems if p.code == "conflicting-values"]
    en, zh = str(tmp_path / "en" / "p.md"), str(tmp_path / "zh" / "p.md")
    assert (p.field, p.line, p.file) == ("analysis.mrv.score", 8, zh)
    assert p.message == (f"analysis.mrv.score differs between {en} (40) and {zh} (90); the first is used, with its label "
                         f"and evidence (those of {zh} are on this issue)")


def test_every_field_is_compared(tmp_path):
    base = {"id": "p", "country": "Norway", "provenance": {"lastAuditDate": "2026-02-08", "author": "A"}, "url": "https://a.example"}
    zh = {**base, "title": "挪威法", "provenance": {"lastAuditDate": "2026-03-19", "author": "A"}, "url": "https://b.example",
          "impactAnalysis": {"economic": "Same English text, edited."}}
    result = _pair(tmp_path, {**base, "title": "Norway Act", "impactAnalysis": {"economic": "Same English text."}}, zh)
    fields = {p.field: p for p in result.problems if p.code == "conflicting-values"}
    assert set(fields) == {"provenance.lastAuditDate", "url", "impactAnalysis.economic"}
    assert fields["provenance.lastAuditDate"].message.endswith("; the first is used")
    assert fields["impactAnalysis.economic"].message.endswith("; each is kept, tagged by its script")
    dates = list(result.graph.store.quads_for_pattern(ox.NamedNode(iris.policy("p")), CCUS.lastAuditDate, None))
    assert [q.object.value for q in dates] == ["2026-02-08"]


def test_translated_names_of_one_thing_are_one_thing(tmp_path):
    base = {"id": "p", "country": "European Union"}
    en = {**base, "title": "CCS Directive", "evolution": {"clusters": ["Net-Zero Industry Act (NZIA)"],
                                                        "milestones": [{"date": "2024-05-30", "event": "Adopted"}]}}
    zh = {**base, "title": "CCS 指令", "evolution": {"clusters": ["EU Net-Zero Industry Act (NZIA)"],
                                                   "milestones": [{"date": "2024-05-30", "event": "通过"}]}}
    result = _pair(tmp_path, en, zh)
    g = result.graph
    assert result.counts["clusters"] == 1
    c = ox.NamedNode(iris.cluster("Net-Zero Industry Act (NZIA)"))
    assert g.query(f'ASK {{ {c} skos:altLabel "EU Net-Zero Industry Act (NZIA)"@en ; dcterms:hasPart policy:p }}')
    (p,) = [p for p in result.problems if p.field == "evolution.clusters"]
    assert p.code == "conflicting-values" and p.line == 7
    milestones = list(g.query("SELECT ?e WHERE { ?e schema:about policy:p ; ccus:eventKind ?k . ?k skos:notation 'milestone' }"))
    assert len(milestones) == 1
    names = {q.object for q in g.store.quads_for_pattern(milestones[0]["e"], SCHEMA.name, None)}
    assert names == {ox.Literal("Adopted", language="en"), ox.Literal("通过", language="zh")}


def test_empty_and_missing_fields_are_summarised_and_listed_per_file(tmp_path):
    (tmp_path / "a.md").write_text('---\n{"id": "a", "title": "A", "url": "", "analysis": {}, "country": "Norway"}\n---\nb\n', encoding="utf-8")
    (tmp_path / "b.md").write_text('---\n{"id": "b", "title": "B", "country": "Norway", "provenance": {"reviewer": ""}}\n---\nb\n',
                                   encoding="utf-8")
    result = build([tmp_path], validate=False)
    summary = result.empty_summary()
    assert summary["url"] == {"missing": 1, "empty": 1}
    assert summary["analysis"] == {"missing": 1, "empty": 1}
    assert summary["pubDate"] == {"missing": 2, "empty": 0}
    assert summary["provenance.reviewer"] == {"missing": 0, "empty": 1}
    a = next(e for e in result.empty_fields if e["id"] == "a")
    assert a["empty"] == ["analysis", "url"] and "pubDate" in a["missing"] and "url" not in a["missing"]
