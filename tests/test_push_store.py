"""``ccus-kg push --store``: a store's named graphs into a real Oxigraph server, in batches, only
what changed since the last push (fixture ``oxigraph_server``, on 127.0.0.1, stopped after).

After every push the server's dataset must equal the store's, quad for quad.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from corpus import corpus_slice

from ccus_kg.errors import EndpointError
from ccus_kg.push import graph_digest, push_state_path, push_store
from ccus_kg.store import PolicyStore, build_into_store, unit_graph


def _server_quads(server) -> set[ox.Quad]:
    r = requests.get(server.store_url, headers={"Accept": "application/n-quads"}, timeout=60)
    r.raise_for_status()
    return {q for q in ox.parse(r.content, format=ox.RdfFormat.N_QUADS) if not isinstance(q.graph_name, ox.DefaultGraph)}


def _store_quads(store_dir: Path) -> set[ox.Quad]:
    with PolicyStore.open(store_dir, read_only=True) as ps:
        return {q for q in ps.store if not isinstance(q.graph_name, ox.DefaultGraph)}


def _same(server, store_dir: Path) -> None:
    on_server, in_store = _server_quads(server), _store_quads(store_dir)
    assert in_store, "the store is empty"
    assert on_server == in_store, (f"{len(on_server - in_store)} quads only on the server, "
                                   f"{len(in_store - on_server)} only in the store")


def _edit_title(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    data = json.loads(head)
    data["title"] = title
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + sep + body, encoding="utf-8")


@pytest.fixture()
def folder(tmp_path) -> Path:
    """12 corpus policies, en and zh."""
    return corpus_slice(tmp_path / "in", 12)


def test_push_sends_only_what_changed_and_the_server_equals_the_store(folder, tmp_path, oxigraph_server):
    store = tmp_path / "store"
    build_into_store([folder], store)
    first = push_store(store, oxigraph_server.update_url, batch_triples=2_000)
    with PolicyStore.open(store, read_only=True) as ps:
        graphs = len(list(ps.store.named_graphs()))
    assert first.sent == graphs and first.unchanged == 0 and first.dropped == 0
    assert first.requests > 1  # 12 policies of a few hundred triples do not fit one 2,000-triple request
    _same(oxigraph_server, store)

    again = push_store(store, oxigraph_server.update_url)
    assert (again.sent, again.dropped, again.unchanged, again.requests) == (0, 0, graphs, 0)

    # one title edited: its policy graph is sent, and the shared graphs that changed with it; no other policy graph
    en = sorted((folder / "en").glob("*.md"))[3]
    policy_id = json.loads(en.read_text(encoding="utf-8")[4:].partition("\n---\n")[0])["id"]
    _edit_title(en, "A title nobody used before")
    build_into_store([folder], store)
    state_before = json.loads(push_state_path(store, oxigraph_server.update_url).read_text(encoding="utf-8"))["graphs"]
    edited = push_store(store, oxigraph_server.update_url)
    state_after = json.loads(push_state_path(store, oxigraph_server.update_url).read_text(encoding="utf-8"))["graphs"]
    changed = {iri for iri in state_after if state_before.get(iri) != state_after[iri]}
    assert unit_graph(f"policy:{policy_id}").value in changed
    assert not {iri for iri in changed if "/graph/policy/" in iri} - {unit_graph(f"policy:{policy_id}").value}
    assert edited.sent == len(changed) and edited.unchanged == graphs - len(changed)
    _same(oxigraph_server, store)

    # one policy deleted (both languages): its graph is dropped on the server
    gone = sorted((folder / "en").glob("*.md"))[5]
    gone_id = json.loads(gone.read_text(encoding="utf-8")[4:].partition("\n---\n")[0])["id"]
    for lang in ("en", "zh"):
        for f in (folder / lang).glob("*.md"):
            if json.loads(f.read_text(encoding="utf-8")[4:].partition("\n---\n")[0])["id"] == gone_id:
                f.unlink()
    build_into_store([folder], store)
    deleted = push_store(store, oxigraph_server.update_url)
    assert deleted.dropped == 1
    _same(oxigraph_server, store)


def test_interrupted_push_resumes(folder, tmp_path, oxigraph_server):
    """The server goes down after the first request: the state keeps what was sent, and the next
    push sends only the rest."""
    store = tmp_path / "store"
    build_into_store([folder], store)
    calls = []

    def stop_after_first(graphs: int, triples: int) -> None:
        calls.append(graphs)
        if len(calls) == 1:
            oxigraph_server.kill()

    with pytest.raises(EndpointError):
        push_store(store, oxigraph_server.update_url, batch_triples=2_000, progress=stop_after_first)
    oxigraph_server.start(port=oxigraph_server.port)
    rest = push_store(store, oxigraph_server.update_url, batch_triples=2_000)
    assert rest.unchanged == calls[0] and rest.sent > 0
    _same(oxigraph_server, store)


def test_cli_push_store(folder, tmp_path, oxigraph_server):
    store = tmp_path / "store"
    build_into_store([folder], store)
    cli = Path(sys.executable).parent / "ccus-kg"
    done = subprocess.run([cli, "push", "--store", store, "--update-endpoint", oxigraph_server.update_url],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "dropped" in done.stdout and "0 unchanged" in done.stdout
    _same(oxigraph_server, store)
    no_update = subprocess.run([cli, "push", "--store", store], capture_output=True, text=True)
    assert no_update.returncode == 2 and "--update-endpoint" in no_update.stderr


def test_digests_from_the_graph_texts_are_those_of_rocksdb(folder, tmp_path):
    """push reads a graph converted whole from its N-Triples text (graphs.sqlite), the others from RocksDB:
    the digest (what decides whether a graph is sent) must not depend on which."""
    store = tmp_path / "store"
    build_into_store([folder], store)
    with PolicyStore.open(store, read_only=True) as ps:
        from_texts = 0
        for graph in ps.store.named_graphs():
            text = ps.texts.text(graph.value)
            if text is not None:
                from_texts += 1
                dumped = ps.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
                assert graph_digest(text) == graph_digest(dumped), graph.value
        assert from_texts >= 12, "the policy graphs have texts"
        assert ps.texts.text(unit_graph("inferred").value) is None  # a shared graph, changed by difference
