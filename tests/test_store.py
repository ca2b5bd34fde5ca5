"""The persistent store (ccus_kg.store): incremental rebuilds give exactly the graph of a full build.

Each step changes the input the way a user would (edit a title, move a policy to another country,
delete, rename, change an id, add a timeline, break a file) and compares the union of the store's
named graphs with a fresh in-memory build of the same folder, triple for triple.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from corpus import SEEDS, corpus_dir
from helpers import write_synthetic

from ccus_kg.build import build
from ccus_kg.store import PolicyStore, build_into_store, unit_graph


def _same_as_full_build(folder: Path, store_dir: Path) -> None:
    full = build([folder], validate=False)
    with PolicyStore.open(store_dir, read_only=True) as ps:
        stored = ps.graph().sorted_ntriples()
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
    corpus = corpus_dir()
    root = tmp_path / "in"
    for lang in ("en", "zh"):
        (root / lang).mkdir(parents=True)
        for f in sorted((corpus / lang).glob("*.md"))[:30]:
            shutil.copy(f, root / lang / f.name)
    write_synthetic(root / "synthetic")
    return root


def test_incremental_rebuilds_equal_full_builds(folder, tmp_path):
    store = tmp_path / "store"
    first = build_into_store([folder], store)
    assert first.files_changed == first.counts["files_read"] > 60
    _same_as_full_build(folder, store)

    again = build_into_store([folder], store)
    assert (again.files_changed, again.units_rebuilt) == (0, 0)

    en = sorted((folder / "en").glob("*.md"))
    _edit(en[0], title="An amended title")  # one file of a two-file policy
    step = build_into_store([folder], store)
    assert (step.files_changed, step.units_rebuilt) == (1, 1)
    _same_as_full_build(folder, store)

    _edit(en[1], country="Norway", source="Ministry of Petroleum and Energy")  # shared identity nodes change
    build_into_store([folder], store)
    _same_as_full_build(folder, store)

    victim = folder / "synthetic" / "b.md"  # a supersedes target disappears: dangling links appear
    victim.unlink()
    step = build_into_store([folder], store)
    assert step.files_deleted == 1 and step.units_removed == 1
    _same_as_full_build(folder, store)

    en[2].rename(en[2].with_name("renamed.md"))  # a rename: the same policy from another file
    build_into_store([folder], store)
    _same_as_full_build(folder, store)

    _edit(en[3], id="a-new-id")  # an id change moves the file to another unit
    build_into_store([folder], store)
    _same_as_full_build(folder, store)
    with PolicyStore.open(store, read_only=True) as ps:
        assert ps.store.contains_named_graph(unit_graph("policy:a-new-id"))

    shutil.copy(next(SEEDS.glob("*.txt")), folder / "timeline.txt")  # a timeline compilation
    (folder / "broken.md").write_text("---\n{not json\n---\n", encoding="utf-8")  # an unreadable record
    step = build_into_store([folder], store)
    assert any(p.code == "parse-error" for p in step.problems)
    _same_as_full_build(folder, store)


def test_a_store_left_updating_is_rebuilt(tmp_path):
    folder = tmp_path / "in"
    write_synthetic(folder)
    store = tmp_path / "store"
    build_into_store([folder], store)
    manifest = store / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["state"] = "updating"  # as if a build had crashed half-way
    manifest.write_text(json.dumps(data), encoding="utf-8")
    again = build_into_store([folder], store)
    assert again.files_changed == again.counts["files_read"]
    _same_as_full_build(folder, store)
