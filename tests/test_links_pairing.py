"""The linker's indexed pairing (ccus_kg.rdf.links) makes exactly the links of the exhaustive one.

``infer_links`` finds the pairs of works its implementation rules (named-after, counterpart-agency,
short-title-in-text) can link through one index per rule; ``_exhaustive=True`` looks at every
pair of works of one jurisdiction chain instead (the reference: quadratic).  Inputs: the seeds
(with a timeline compilation), the real corpus, and 1,000 synthetic policies made by
``benchmarks/generate.py`` from the corpus (deterministic by seed).  The incremental path
(``previous``, as ``ccus-kg build --store`` runs it) gives the full run's links too.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from corpus import SEEDS, corpus_dir

from ccus_kg.ingest.loader import load_paths
from ccus_kg.rdf.events import PolicyTitleIndex, convert_timelines
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.rdf.identity_context import IdentityContext, emit_identities
from ccus_kg.rdf.links import infer_links, linker_quads
from ccus_kg.rdf.policies import convert_records
from ccus_kg.rdf.triples import Emitter

GENERATE = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


def _converted(*paths: Path) -> list:
    """The quads the linker reads of a conversion of ``paths`` (policies, timelines, identity nodes), as the build makes them."""
    loaded = load_paths(list(paths))
    ctx = IdentityContext.default()
    graph = KnowledgeGraph()
    out = Emitter(sink=graph.add)
    convert_records(loaded.records, ctx, out)
    convert_timelines([(doc, Path(doc.path).name) for doc in loaded.timelines], ctx, PolicyTitleIndex.from_records(loaded.records), out)
    emit_identities(ctx, out)
    out.flush()
    return list(linker_quads(graph.store))


def _generated(tmp_path_factory, n: int) -> Path:
    spec = importlib.util.spec_from_file_location("generate", GENERATE)
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = generate  # its dataclasses look their module up there
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp(f"gen{n}")
    generate.generate(out, n, seed=1, corpus=corpus_dir())
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _converted(_generated(tmp_path_factory, 1000))


def _same(quads: list) -> Counter:
    indexed, exhaustive = infer_links(quads), infer_links(quads, _exhaustive=True)
    assert indexed.made == exhaustive.made  # the same links, rule, evidence and confidence
    assert indexed.state == exhaustive.state
    assert sorted(map(str, indexed.quads)) == sorted(map(str, exhaustive.quads))
    return Counter(link.rule for link in indexed.made)


def test_seeds():
    rules = _same(_converted(SEEDS))
    assert rules["named-after"] >= 1  # the Jiangsu plan named after the national one


def test_corpus():
    rules = _same(_converted(corpus_dir()))
    assert rules["counterpart-agency"] >= 1 and rules["short-title-in-text"] >= 1


def test_generated(generated):
    rules = _same(generated)
    assert rules["citation-exact"] > 100 and rules["counterpart-agency"] > 0
    # each copy's title has its own code, which the linker keeps: no copy is "named after" another copy
    assert rules["named-after"] == 0


@pytest.mark.parametrize("path", ["near", "indexes"])
@pytest.mark.parametrize("which", ["corpus", "generated"])
def test_incremental_equals_full(which, path, generated, monkeypatch):
    """A run on all works given the state of a run without some of them (and with others since changed)
    makes the links and state (features, short-title hits) of a full run: only pairs with a changed
    work are looked at again, found by pairing each changed work with its jurisdiction chain
    (``near``) or through the indexes of a full run (``indexes``, for many changes)."""
    from ccus_kg.rdf import links

    monkeypatch.setattr(links, "NEAR_MAX", 10**6 if path == "near" else 0)
    quads = _converted(corpus_dir()) if which == "corpus" else generated
    policies = sorted({q.subject.value for q in quads if q.predicate.value.endswith("inCorpus")})
    gone, retitled = set(policies[::7]), set(policies[3::11])
    title = "http://purl.org/dc/terms/title"
    # the first run lacks some policies (new in the second) and the titles of others (changed)
    before = [q for q in quads if q.subject.value not in gone and not (q.subject.value in retitled and q.predicate.value == title)]
    first = infer_links(before)
    full = infer_links(quads)
    again = infer_links(quads, previous=first.state)
    assert first.state["context"] == full.state["context"]  # so the second run is incremental
    assert again.made == full.made and again.state == full.state
    assert first.made != full.made
    assert full.state["features"] and (full.state["hits"] or which == "generated")  # the corpus has short-title links


def test_a_state_of_another_version_gives_a_full_run(generated):
    """The state of an older version (digests and links only, no format) is not used to pair incrementally."""
    full = infer_links(generated)
    old = {k: v for k, v in full.state.items() if k not in ("features", "hits", "format")}
    old["works"] = {iri: "stale" for iri in old["works"]}  # would mark every work changed, were the state used
    old["links"] = []  # and lose every unchanged pair's links
    again = infer_links(generated, previous=old)
    assert again.made == full.made and again.state == full.state


def test_counterpart_links_are_capped_to_the_strongest(generated, monkeypatch):
    """Copies of national policies pile up in the generated set, so a sub-national policy has many
    counterpart-agency candidates; it is linked to COUNTERPART_MAX of them, a subset of what the rule
    allows, and every other rule's links are unchanged."""
    from ccus_kg.rdf import links

    capped = infer_links(generated)
    monkeypatch.setattr(links, "COUNTERPART_MAX", 10**6)
    uncapped = infer_links(generated)
    per_capped = Counter(k.source for k in capped.made if k.rule == "counterpart-agency")
    per_uncapped = Counter(k.source for k in uncapped.made if k.rule == "counterpart-agency")
    assert max(per_capped.values()) == 3 < max(per_uncapped.values())
    assert set(capped.made) < set(uncapped.made)
    assert [k for k in capped.made if k.rule != "counterpart-agency"] == [k for k in uncapped.made if k.rule != "counterpart-agency"]


def _zh_policy(folder: Path, pid: str, title: str, date: str, source: str) -> None:
    front = {"id": pid, "title": title, "country": "中国", "source": source, "pubDate": date, "status": "现行",
             "category": "战略引导", "legalWeight": "Departmental Rules"}
    (folder / f"{pid}.md").write_text("---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n正文。\n", encoding="utf-8")


#: national MIIT policies: id → (title, date, topic words shared with the Jiangsu policy's 钢铁产业绿色低碳发展)
NATIONAL = {
    "cn-t-named": ("钢铁产业发展方案", "2022-01-01", 4),  # its core is within the Jiangsu one's: named-after, no counterpart
    "cn-t-strong": ("钢铁产业绿色低碳指南", "2020-05-01", 7),  # most words, COUNTERPART_YEARS older: first
    "cn-t-too-old": ("钢铁产业绿色低碳规划", "2019-12-01", 7),  # four years older: out of the window
    "cn-t-younger": ("钢铁产业绿色低碳意见", "2023-09-01", 7),  # the same year, but younger: not a counterpart
    "cn-t-d": ("钢铁产业绿色转型指南", "2023-03-01", 5),  # four ties (5 words, the same year): IRI order
    "cn-t-b": ("钢铁产业绿色改造意见", "2023-03-01", 5),
    "cn-t-c": ("钢铁产业绿色升级通知", "2023-03-01", 5),
    "cn-t-e": ("钢铁产业绿色技术规划", "2023-03-01", 5),
    "cn-t-a": ("钢铁产业绿色转型办法", "2022-04-01", 5),  # 5 words, a year older: after the same-year ties
    "cn-t-weak": ("钢铁行业节能通知", "2023-01-01", 1),  # 钢铁 only
}


@pytest.mark.parametrize(("cap", "expected"), [
    (1, ["cn-t-strong"]),
    (3, ["cn-t-strong", "cn-t-b", "cn-t-c"]),
    (6, ["cn-t-strong", "cn-t-b", "cn-t-c", "cn-t-d", "cn-t-e", "cn-t-a"]),
    (100, ["cn-t-strong", "cn-t-b", "cn-t-c", "cn-t-d", "cn-t-e", "cn-t-a", "cn-t-weak"]),
])
def test_counterpart_top_choice_with_ties(tmp_path, monkeypatch, cap, expected):
    """The indexed path chooses a policy's strongest counterparts (most shared topic words, then the
    nearest year, then IRI) without making every candidate pair: on candidates built to tie on words
    and year, to fall out of the year window, to be younger in the same year and to be linked by
    another rule, it picks what the exhaustive reference (every pair, then sort) picks, for caps that
    stop inside a tier of ties and after it."""
    from ccus_kg.identity import iris
    from ccus_kg.rdf import links

    monkeypatch.setattr(links, "COUNTERPART_MAX", cap)
    _zh_policy(tmp_path, "cn-js-steel", "江苏省钢铁产业绿色低碳发展方案", "2023-06-01", "江苏省工信厅")
    for pid, (title, date, _words) in NATIONAL.items():
        _zh_policy(tmp_path, pid, title, date, "工信部")
    quads = _converted(tmp_path)
    indexed, exhaustive = infer_links(quads), infer_links(quads, _exhaustive=True)
    assert indexed.made == exhaustive.made and indexed.state == exhaustive.state
    chosen = sorted((k for k in indexed.made if k.rule == "counterpart-agency"), key=lambda k: k.evidence)
    source = iris.policy("cn-js-steel")
    assert all(k.source == source for k in chosen)
    words = {pid: NATIONAL[pid][2] for pid in NATIONAL}
    for k in chosen:  # the evidence names the shared words: as many as the table says
        assert len(k.evidence.split("shared title words: ")[1].split(", ")) == words[k.target.rsplit("/", 1)[1]]
    assert sorted(k.target for k in chosen) == sorted(iris.policy(p) for p in expected)
    assert [k.target for k in indexed.made if k.rule == "named-after"] == [iris.policy("cn-t-named")]
    # incrementally (near: each changed policy against its chain; indexes: every counterpart chosen again),
    # from a run without two of the tied targets: the same links
    without = [q for q in quads if q.subject.value not in (iris.policy("cn-t-b"), iris.policy("cn-t-c"))]
    for near_max in (links.NEAR_MAX, 0):
        monkeypatch.setattr(links, "NEAR_MAX", near_max)
        again = infer_links(quads, previous=infer_links(without).state)
        assert again.made == indexed.made and again.state == indexed.state
