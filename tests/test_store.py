"""The persistent store (ccus_kg.store): incremental rebuilds give exactly the graph of a full build.

Each step changes the input the way a user would (edit a title, move a policy to another country,
delete, rename, change an id, add a timeline, break a file) and compares the union of the store's
named graphs with a fresh in-memory build of the same folder, triple for triple.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from corpus import SEEDS, corpus_dir, corpus_folder, corpus_slice
from helpers import write_synthetic

from ccus_kg.build import build
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.store import PolicyStore, _Workers, build_into_store, unit_graph


def _same_as_full_build(folder: Path | list[Path], store_dir: Path) -> None:
    full = build(folder if isinstance(folder, list) else [folder], validate=False)
    with PolicyStore.open(store_dir, read_only=True) as ps:
        assert ps.texts.graphs(), "the store keeps the N-Triples text of its policy graphs"
        stored = ps.graph().sorted_ntriples()  # the graphs kept as text from it, the others from RocksDB
        assert stored == KnowledgeGraph(ps.store, union=True).sorted_ntriples(), "the texts are not what RocksDB holds"
    expected = full.graph.sorted_ntriples()
    if stored != expected:
        a, b = set(stored.splitlines()), set(expected.splitlines())
        extra = "\n".join(x.decode()[:200] for x in sorted(a - b)[:5])
        missing = "\n".join(x.decode()[:200] for x in sorted(b - a)[:5])
        pytest.fail(f"store differs from a full build\nonly in store:\n{extra}\nonly in full build:\n{missing}")


def _edit(path: Path, **changes) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    data = json.loads(head)
    data.update(changes)
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + sep + body, encoding="utf-8")


@pytest.fixture()
def folder(tmp_path) -> Path:
    """30 corpus policies (en + zh), the synthetic lineage records and the seed timeline."""
    root = corpus_slice(tmp_path / "in", 30)
    write_synthetic(root / "synthetic")
    return root


@pytest.mark.parametrize("batch_files", [2000, 7], ids=["one-batch", "batches-of-7-files"])
def test_incremental_rebuilds_equal_full_builds(folder, tmp_path, batch_files):
    """With ``batch_files=7`` every step holds at most 7 parsed files at once (read twice: units first,
    then conversion batch by batch), and still gives a full build's graph."""
    store = tmp_path / "store"

    def update():
        return build_into_store([folder], store, batch_files=batch_files)
    first = update()
    assert first.files_changed == first.counts["files_read"] > 60
    _same_as_full_build(folder, store)

    again = update()
    assert (again.files_changed, again.units_rebuilt) == (0, 0)

    en = sorted((folder / "en").glob("*.md"))
    _edit(en[0], title="An amended title")  # one file of a two-file policy
    step = update()
    assert (step.files_changed, step.units_rebuilt) == (1, 1)
    _same_as_full_build(folder, store)

    _edit(en[1], country="Norway", source="Ministry of Petroleum and Energy")  # shared identity nodes change
    update()
    _same_as_full_build(folder, store)

    victim = folder / "synthetic" / "b.md"  # a supersedes target disappears: dangling links appear
    victim.unlink()
    step = update()
    assert step.files_deleted == 1 and step.units_removed == 1
    _same_as_full_build(folder, store)

    en[2].rename(en[2].with_name("renamed.md"))  # a rename: the same policy from another file
    update()
    _same_as_full_build(folder, store)

    _edit(en[3], id="a-new-id")  # an id change moves the file to another unit
    update()
    _same_as_full_build(folder, store)
    with PolicyStore.open(store, read_only=True) as ps:
        assert ps.store.contains_named_graph(unit_graph("policy:a-new-id"))

    for f in en[4:12]:  # more changed files than one batch holds
        _edit(f, title=f"Retitled {f.stem}")
    update()
    _same_as_full_build(folder, store)

    shutil.copy(next(SEEDS.glob("*.txt")), folder / "timeline.txt")  # a timeline compilation
    (folder / "broken.md").write_text("---\n{not json\n---\n", encoding="utf-8")  # an unreadable record
    step = update()
    assert any(p.code == "parse-error" for p in step.problems)
    _same_as_full_build(folder, store)


def test_a_store_left_updating_is_rebuilt(tmp_path):
    folder = tmp_path / "in"
    write_synthetic(folder)
    store = tmp_path / "store"
    build_into_store([folder], store)
    with closing(sqlite3.connect(store / "manifest.sqlite")) as manifest, manifest:  # as if a build had crashed half-way
        manifest.execute("UPDATE meta SET value = ? WHERE key = 'state'", (json.dumps("updating"),))
    again = build_into_store([folder], store)
    assert again.files_changed == again.counts["files_read"]
    _same_as_full_build(folder, store)
    assert not (store / "UPDATING").exists()
    (store / "UPDATING").write_text("", encoding="utf-8")  # a build that crashed after its marker, before the manifest
    again = build_into_store([folder], store)
    assert again.files_changed == again.counts["files_read"] and not (store / "UPDATING").exists()
    _same_as_full_build(folder, store)



def _state(store: Path) -> str:
    with closing(sqlite3.connect(store / "manifest.sqlite")) as manifest:
        return json.loads(manifest.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()[0])


def test_an_interrupted_build_leaves_the_manifest_consistent(tmp_path, monkeypatch):
    """The manifest's changes are one SQLite transaction until the store starts changing: a build
    interrupted before (while loading) leaves the last clean manifest, and the next build finds the
    same changes; one interrupted after (in the shared graphs) leaves it ``updating``, and the next
    build starts afresh.  Both end with a full build's graph."""
    import ccus_kg.ingest.loader as loader
    import ccus_kg.store as store_module

    folder = tmp_path / "in"
    write_synthetic(folder)
    store = tmp_path / "store"
    first = build_into_store([folder], store)
    victim = sorted(folder.glob("*.md"))[0]
    _edit(victim, title="Retitled while a build breaks")

    def broken(*args, **kwargs):
        raise KeyboardInterrupt
    with monkeypatch.context() as m:
        m.setattr(loader, "load_files", broken)
        with pytest.raises(KeyboardInterrupt):
            build_into_store([folder], store)
    assert _state(store) == "clean" and not (store / "UPDATING").exists()
    step = build_into_store([folder], store)
    assert (step.files_changed, step.units_rebuilt) == (1, 1)
    _same_as_full_build(folder, store)

    _edit(victim, title="Retitled again while a build breaks")
    with monkeypatch.context() as m:
        m.setattr(store_module, "_shared_graphs", broken)
        with pytest.raises(KeyboardInterrupt):
            build_into_store([folder], store)
    assert _state(store) == "updating" and (store / "UPDATING").exists()
    again = build_into_store([folder], store)
    assert again.files_changed == again.counts["files_read"] == first.counts["files_read"]
    _same_as_full_build(folder, store)
    assert _state(store) == "clean"


def test_a_store_of_an_older_format_is_rebuilt(tmp_path):
    """A store whose manifest is ``manifest.json`` (format 3 and older) is rebuilt with an SQLite manifest."""
    folder = tmp_path / "in"
    write_synthetic(folder)
    store = tmp_path / "store"
    build_into_store([folder], store)
    (store / "manifest.sqlite").unlink()
    (store / "manifest.json").write_text(json.dumps({"format": 3, "state": "clean", "files": {}, "units": {}}), encoding="utf-8")
    again = build_into_store([folder], store)
    assert again.files_changed == again.counts["files_read"]
    assert not (store / "manifest.json").exists()
    _same_as_full_build(folder, store)


def _write_zh(folder: Path, name: str, body: str, **fields) -> Path:
    data = {"country": "中国", "source": "工业和信息化部", "status": "现行", "category": "法律监管",
            "legalWeight": "Departmental Rules", "evolution": {"supersedes": [], "supersededBy": "", "clusters": []}, **fields}
    path = folder / f"{name}.md"
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + "\n---\n" + body + "\n", encoding="utf-8")
    return path


def _ask(store_dir: Path, pattern: str) -> bool:
    with PolicyStore.open(store_dir, read_only=True) as ps:
        return bool(ps.store.query("PREFIX eli: <http://data.europa.eu/eli/ontology#> "
                                   "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> ASK { " + pattern + " }", use_default_graph_as_union=True))


def test_rebuilds_that_change_lineage_links_equal_full_builds(tmp_path):
    """Titles, texts and targets that the linker reads change in one file: citations resolve and
    unresolve, a named-after link comes and goes, a consolidatedFrom target appears."""
    folder = tmp_path / "in"
    folder.mkdir()
    national = _write_zh(folder, "n1", "推动零碳工业园区建设，开展碳捕集利用与封存示范。", id="cn-syn-n1",
                         title="工业领域碳达峰实施方案", pubDate="2022-08-01")
    _write_zh(folder, "p1", "落实国家部署。", id="cn-syn-p1", title="江苏省工业领域碳达峰实施方案", pubDate="2022-11-01",
              source="江苏省工信厅")
    _write_zh(folder, "c1", "依据《碳排放权交易管理条例》开展工作。", id="cn-syn-c1", title="碳市场配套细则", pubDate="2023-01-01")
    _write_zh(folder, "c2", "合并旧规。", id="cn-syn-c2", title="封存监管办法汇编", pubDate="2023-05-01",
              evolution={"supersedes": [], "supersededBy": "", "clusters": [], "consolidatedFrom": ["cn-syn-old"]})
    _write_zh(folder, "z1", "零碳工业园区建设指引。", id="cn-syn-z1", title="江苏省零碳工业园区建设指南", pubDate="2024-02-01",
              source="江苏省工信厅")
    store = tmp_path / "store"
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    implements = "?l rdf:subject ?p1 ; rdf:predicate eli:implements ; rdf:object ?n1 . FILTER(CONTAINS(STR(?p1), 'cn-syn-p1') && CONTAINS(STR(?n1), 'cn-syn-n1'))"
    cites_n1 = "?c eli:cites ?n . FILTER(CONTAINS(STR(?c), 'cn-syn-c1') && CONTAINS(STR(?n), 'cn-syn-n1'))"
    assert _ask(store, implements) and not _ask(store, cites_n1)

    _edit(national, title="碳排放权交易管理条例")  # c1's citation now resolves to n1; p1 is no longer named after it
    step = build_into_store([folder], store)
    assert step.units_rebuilt == 1
    _same_as_full_build(folder, store)
    assert _ask(store, cites_n1) and not _ask(store, implements)

    _edit(national, title="工业领域碳达峰实施方案")  # and back: the named work and the link return
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert _ask(store, implements) and not _ask(store, cites_n1)

    _write_zh(folder, "old", "旧规。", id="cn-syn-old", title="封存监管旧办法", pubDate="2015-01-01")  # the consolidatedFrom target appears
    build_into_store([folder], store)
    _same_as_full_build(folder, store)

    _edit(folder / "z1.md", pubDate="2021-01-01")  # z1 becomes the older one: short-title links change direction
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    (folder / "p1.md").unlink()
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert not _ask(store, implements)


def test_facilities_and_country_profiles_in_the_store(tmp_path):
    """The three corpus folders (policies, facilities, country profiles) give a full build's graph,
    policy ↔ facility links included, and keep giving it when a facility changes or goes."""
    root = tmp_path / "in"
    folders = []
    for source, name in ((corpus_dir(), "policies"), (corpus_folder("facilities"), "facilities"), (corpus_folder("countries"), "countries")):
        shutil.copytree(source, root / name)
        folders.append(root / name)
    store = tmp_path / "store"
    first = build_into_store(folders, store, batch_files=500)
    assert first.counts["facilities"] > 1000 and first.counts["profiles"] > 60
    _same_as_full_build(folders, store)
    with PolicyStore.open(store, read_only=True) as ps:
        assert ps.store.contains_named_graph(unit_graph("facilities")) and ps.store.contains_named_graph(unit_graph("profiles"))
        assert ps.store.contains_named_graph(unit_graph("facility-links"))

    linked = next(f for f in sorted((root / "facilities" / "en").glob("*.md")) if '"relatedPolicies": [\n' in f.read_text(encoding="utf-8"))
    _edit(linked, relatedPolicies=["no-such-policy"])  # a link goes, a dangling policy id appears
    step = build_into_store(folders, store)
    assert step.units_rebuilt == 1
    _same_as_full_build(folders, store)

    next((root / "countries" / "zh").glob("*.md")).unlink()  # a profile file goes
    (root / "facilities" / "en" / "1.md").unlink()
    build_into_store(folders, store)
    _same_as_full_build(folders, store)


def _seed_cycle(root: Path) -> tuple[Path, int]:
    """Two seed records that supersede each other (a replacement cycle, a SHACL Violation); returns
    the first file and the line of its ``id`` field."""
    root.mkdir(parents=True)
    names = {"000_155eae0fb6f852c6.txt": "cn-miit-industrial-plan-2022", "001_a635d66737dcffce.txt": "cn-js-industrial-decarb-2022"}
    for name, other in names.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        head, body = text[4:].split("\n---\n", 1)
        data = json.loads(head)
        data["evolution"]["supersedes"] = [other]
        (root / name).write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + "\n---\n" + body, encoding="utf-8")
    first = root / "000_155eae0fb6f852c6.txt"
    line = next(i for i, t in enumerate(first.read_text(encoding="utf-8").splitlines(), 1) if t.startswith('  "id":'))
    return first, line


def test_store_build_validates_the_store_and_locates_the_fault(tmp_path):
    """SHACL runs on the store's union of named graphs in place; a fault injected in one file is
    reported with its file and line, as an in-memory build reports it; an unchanged rebuild gives
    the same results."""
    first, line = _seed_cycle(tmp_path / "in")
    result = build_into_store([tmp_path / "in"], tmp_path / "store", validate=True)
    cycles = [r for r in result.validation.results if r.shape.endswith("#ReplacementCycle")]
    assert [(r.severity, r.focus_node) for r in cycles] == [("Violation", "https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022")]
    assert [(s.file, s.line) for s in cycles[0].sources] == [(f"in/{first.name}", line)]
    assert not result.validation.conforms and "validate" in result.seconds
    assert result.validation.results == build([tmp_path / "in"]).validation.results  # the same results as an in-memory build
    again = build_into_store([tmp_path / "in"], tmp_path / "store", validate=True)
    assert again.units_rebuilt == 0 and again.validation.results == result.validation.results
    assert build_into_store([tmp_path / "in"], tmp_path / "store").validation is None  # the library default: not validated


def _store_contents(store_dir: Path) -> tuple[list[bytes], dict[str, list], dict[str, list[bytes]]]:
    """Every quad of the store (N-Quads lines, sorted; the build date's graph left out), every row of
    its manifest's tables (sorted), and each named graph's N-Triples text (lines sorted)."""
    import pyoxigraph as ox

    with PolicyStore.open(store_dir, read_only=True) as ps:
        quads = sorted(ox.serialize([q for q in ps.store if q.graph_name != unit_graph("build")], format=ox.RdfFormat.N_QUADS).splitlines())
    with closing(sqlite3.connect(store_dir / "manifest.sqlite")) as db:
        tables = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in ("meta", "files", "units", "rows")}
    texts: dict[str, list[bytes]] = {}
    with closing(sqlite3.connect(store_dir / "graphs.sqlite")) as db:
        for graph, text in db.execute("SELECT graph, ntriples FROM texts"):
            texts.setdefault(graph, []).extend(text.splitlines())
    return quads, tables, {g: sorted(lines) for g, lines in texts.items()}

def test_worker_processes_give_the_same_store(tmp_path):
    """``jobs=2``: the corpus, the seeds and a broken file, read and converted in two worker processes
    (tasks of 20 files), give the same named graphs, manifest and problems as ``jobs=1``; so does a
    rebuild after edits, and a full in-memory build's graph."""
    root = tmp_path / "in"
    shutil.copytree(corpus_dir(), root / "corpus")
    shutil.copytree(SEEDS, root / "seeds")
    (root / "broken.md").write_text("---\n{not json\n---\n", encoding="utf-8")
    one = build_into_store([root], tmp_path / "one")
    two = build_into_store([root], tmp_path / "two", jobs=2, batch_files=20)
    assert two.cpu_seconds["load.workers"] > 0 and two.cpu_seconds["convert.workers"] > 0  # the workers did the work
    assert any(p.code == "parse-error" and p.file.endswith("broken.md") and p.line for p in two.problems)
    assert (two.problems, two.counts, two.units_rebuilt) == (one.problems, one.counts, one.units_rebuilt)
    assert _store_contents(tmp_path / "two") == _store_contents(tmp_path / "one")

    for f in sorted((root / "corpus" / "en").glob("*.md"))[:45]:  # more than two tasks' files changed
        _edit(f, title=f"Retitled {f.stem}")
    (root / "broken.md").write_text("---\n{\"id\": \n---\n", encoding="utf-8")
    one = build_into_store([root], tmp_path / "one")
    two = build_into_store([root], tmp_path / "two", jobs=2, batch_files=20)
    assert two.units_rebuilt == one.units_rebuilt > 45 and two.problems == one.problems
    assert _store_contents(tmp_path / "two") == _store_contents(tmp_path / "one")
    _same_as_full_build(root, tmp_path / "two")


def _fails_in_a_worker(n: int, parent: int, how: str) -> tuple[int, float]:
    """n², computed only in the process ``parent``: a worker process raises, or dies."""
    if os.getpid() != parent:
        if how == "dies":
            os._exit(3)
        raise RuntimeError("a bug that shows only in a worker")
    return n * n, 0.0


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_task_that_fails_in_a_worker_runs_again_in_the_build_process(how):
    """A worker that raises or dies (a killed process breaks the whole pool) costs time, not results:
    each failed task runs again in the build's process, in order."""
    workers = _Workers(2)
    try:
        tasks = [(n, os.getpid(), how) for n in range(9)]
        assert list(workers.map(_fails_in_a_worker, tasks)) == [(n * n, 0.0) for n in range(9)]
        assert workers.broken == (how == "dies")
    finally:
        workers.close()


def _inferred(store_dir: Path, rule: str, source: str, target: str) -> bool:
    """Whether the store holds an inferred link of ``rule`` from the policy ``source`` to ``target`` (ids)."""
    return _ask(store_dir, "?l rdf:subject ?a ; rdf:object ?b ; <https://w3id.org/ccus-kg/ontology#linkRule> ?r . "
                           f"FILTER(STR(?r) = '{rule}' && STRENDS(STR(?a), '/{source}') && STRENDS(STR(?b), '/{target}'))")


def test_rebuilds_that_make_and_unmake_candidate_pairs_equal_full_builds(tmp_path):
    """One-file rebuilds pair only the changed policy with the others (kept features and hits for
    the rest): a text edit that keeps the title reuses the short-title hits, a text edit of the
    older side removes one and adds it back, a title edit finds a new one in an unchanged text, a date edit moves a
    counterpart-agency pair out of its window, and deleting one side of a pair removes its link."""
    folder = tmp_path / "in"
    folder.mkdir()
    _write_zh(folder, "n1", "推动零碳工业园区建设，开展碳捕集利用与封存示范。", id="cn-syn-n1", title="工业领域碳达峰实施方案",
              pubDate="2022-08-01")
    _write_zh(folder, "n2", "钢铁行业节能降碳。", id="cn-syn-n2", title="钢铁行业碳达峰行动计划", pubDate="2022-03-01")
    _write_zh(folder, "p2", "推进钢铁产业升级。", id="cn-syn-p2", title="江苏省钢铁产业绿色发展意见", pubDate="2023-06-01",
              source="江苏省工信厅")
    z1 = _write_zh(folder, "z1", "零碳工业园区建设指引。", id="cn-syn-z1", title="江苏省零碳工业园区建设指南", pubDate="2024-02-01",
                   source="江苏省生态环境厅")  # another organ than n1's: only the short-title rule pairs them
    store = tmp_path / "store"
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert _inferred(store, "short-title-in-text", "cn-syn-z1", "cn-syn-n1")
    assert _inferred(store, "counterpart-agency", "cn-syn-p2", "cn-syn-n2")

    z1.write_text(z1.read_text(encoding="utf-8").replace("零碳工业园区建设指引。", "园区建设指引（修订）。"), encoding="utf-8")
    assert build_into_store([folder], store).units_rebuilt == 1  # its text changed, its title did not: its hits are kept
    _same_as_full_build(folder, store)
    assert _inferred(store, "short-title-in-text", "cn-syn-z1", "cn-syn-n1")

    n1 = folder / "n1.md"
    n1.write_text(n1.read_text(encoding="utf-8").replace("推动零碳工业园区建设，", ""), encoding="utf-8")
    build_into_store([folder], store)  # the older side's text no longer names z1's key phrase
    _same_as_full_build(folder, store)
    assert not _inferred(store, "short-title-in-text", "cn-syn-z1", "cn-syn-n1")
    n1.write_text(n1.read_text(encoding="utf-8").replace("开展碳捕集", "推动零碳工业园区建设，开展碳捕集"), encoding="utf-8")
    build_into_store([folder], store)  # and names it again: the unchanged younger z1 is found from n1's text
    _same_as_full_build(folder, store)
    assert _inferred(store, "short-title-in-text", "cn-syn-z1", "cn-syn-n1")

    _edit(z1, title="江苏省碳捕集利用与封存示范实施方案")  # a new key phrase, named in n1's unchanged text
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert _inferred(store, "short-title-in-text", "cn-syn-z1", "cn-syn-n1")

    _edit(folder / "n2.md", pubDate="2018-03-01")  # more than COUNTERPART_YEARS older than p2: no longer its counterpart
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert not _inferred(store, "counterpart-agency", "cn-syn-p2", "cn-syn-n2")

    _edit(folder / "n2.md", pubDate="2022-03-01")  # and back
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert _inferred(store, "counterpart-agency", "cn-syn-p2", "cn-syn-n2")

    (folder / "n2.md").unlink()  # one side of the pair is deleted
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert not _inferred(store, "counterpart-agency", "cn-syn-p2", "cn-syn-n2")
    (folder / "n1.md").rename(folder / "n1-renamed.md")  # and a renamed file keeps its links
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    assert _inferred(store, "short-title-in-text", "cn-syn-z1", "cn-syn-n1")
