"""``ccus-kg push`` and ``query --endpoint`` against a real Oxigraph server (fixture ``oxigraph_server``).

The corpus is pushed into named graphs; every library query, with every documented parameter,
runs through ``ccus-kg query --endpoint`` and through SPARQLWrapper (a third-party client), and
must give the same rows as the local run.  The data sits in named graphs and the server has no
union default graph, so the queries name the graphs with ``default-graph-uri``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import DOCUMENTED_PARAMS, FACILITY_QUERY_PARAMS, invoke, rows_of, run_on_endpoint, usage_error
from stores import OxigraphServer, pushed_oxigraph

from ccus_kg.push import DATA_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH, VOCABULARIES_GRAPH, payloads, push
from ccus_kg.query.library import list_queries, render

BIN = Path(sys.executable).parent
DATASET = (DATA_GRAPH, VOCABULARIES_GRAPH)


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory, corpus_ttl, corpus_build):
    """An Oxigraph server holding the corpus, pushed once with ``ccus-kg push``."""
    server = pushed_oxigraph(tmp_path_factory.mktemp("oxigraph") / "store", corpus_ttl)
    yield server
    server.kill()


CASES = [(q.name, params) for q in list_queries() if q.name in DOCUMENTED_PARAMS for params in DOCUMENTED_PARAMS[q.name]]


@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}-{'-'.join(p.values()) or 'all'}" for n, p in CASES])
def test_every_query_same_rows_on_the_server(corpus_server, corpus_build, name, params):
    local, _count = render(corpus_build.graph, name, params, "json")
    cli_rows, raw = run_on_endpoint(corpus_server.query_url, name, params, DATASET)
    assert cli_rows == rows_of(local)
    assert rows_of(raw.decode("utf-8")) == rows_of(local)


def test_every_library_query_is_run_on_the_server():
    """Every query is in DOCUMENTED_PARAMS (here) or FACILITY_QUERY_PARAMS (tests/test_push_facilities.py)."""
    assert {q.name for q in list_queries()} == set(DOCUMENTED_PARAMS) | set(FACILITY_QUERY_PARAMS)


def test_corpus_queries_return_rows(corpus_server, corpus_build):
    """The comparison above is not vacuous: most documented cases return rows on the corpus."""
    nonempty = [name for name, params in CASES if render(corpus_build.graph, name, params, "json")[1] > 0]
    assert len(nonempty) >= len(CASES) - 3, sorted(set(n for n, _ in CASES) - set(nonempty))


def test_named_graphs_and_their_sizes(corpus_server, corpus_build):
    items = payloads(corpus_build.graph)
    assert [i.iri for i in items] == [DATA_GRAPH, VOCABULARIES_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH]
    for item in items:
        assert corpus_server.count(item.iri) == item.triples > 0
    # data + vocabularies are the built graph exactly
    assert items[0].triples + items[1].triples == len(corpus_build.graph)


def test_without_dataset_the_default_graph_is_empty(corpus_server):
    """Oxigraph's default graph is its own (empty) graph unless the server runs with
    --union-default-graph: the user must name the graphs (documented in the README)."""
    result = invoke("query", "lineage-nodes", "--endpoint", corpus_server.query_url, "-f", "csv")
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == 1  # the header only


def test_push_twice_same_triples(oxigraph_server, seed_ttl):
    counts = []
    for _ in range(2):
        done = invoke("push", "-g", seed_ttl, "--endpoint", oxigraph_server.store_url)
        assert done.exit_code == 0, done.output
        counts.append(oxigraph_server.count())
    assert counts[0] == counts[1] > 0
    assert "pushed <https://w3id.org/ccus-kg/graph/data>" in done.stdout


def test_push_with_staging_leaves_no_staging_graph(oxigraph_server, seed_graph):
    push(payloads(seed_graph), oxigraph_server.store_url, update_endpoint=oxigraph_server.update_url)
    push(payloads(seed_graph), oxigraph_server.store_url, update_endpoint=oxigraph_server.update_url)
    import requests

    r = requests.post(oxigraph_server.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                      headers={"Accept": "application/sparql-results+json"}, timeout=10)
    graphs = sorted(b["g"]["value"] for b in r.json()["results"]["bindings"])
    assert graphs == sorted([DATA_GRAPH, ONTOLOGY_GRAPH, VOCABULARIES_GRAPH, PROVENANCE_GRAPH])


def test_server_killed_mid_push_exit_2_old_graph_intact(oxigraph_server, seed_ttl, corpus_ttl):
    """The corpus push starts while the server is paused (so it is certainly mid-request), then the
    server is killed: exit 2, and after a restart on the same store the seeds' graph is still there."""
    assert invoke("push", "-g", seed_ttl, "--endpoint", oxigraph_server.store_url,
                  "--update-endpoint", oxigraph_server.update_url).exit_code == 0
    old = oxigraph_server.count(DATA_GRAPH)
    oxigraph_server.pause()
    pushing = subprocess.Popen([BIN / "ccus-kg", "push", "-g", corpus_ttl, "--endpoint", oxigraph_server.store_url,
                                "--update-endpoint", oxigraph_server.update_url, "--timeout", "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # Python start, graph load, request sent into the paused server's socket
    oxigraph_server.kill()
    out, err = pushing.communicate(timeout=60)
    assert pushing.returncode == 2, (out, err)
    assert err.startswith("ccus-kg: error: push <https://w3id.org/ccus-kg/graph/data>") and "Traceback" not in err
    restarted = OxigraphServer(oxigraph_server.location).start()
    try:
        assert restarted.count(DATA_GRAPH) == old
    finally:
        restarted.kill()


@pytest.mark.parametrize("delay", [0.8, 1.2, 1.6])
def test_server_killed_at_any_time_leaves_old_or_new_graph(oxigraph_server, seed_ttl, corpus_ttl, corpus_build, delay):
    """Killed while loading or moving: the data graph is whole, old or new, never partial or empty."""
    assert invoke("push", "-g", seed_ttl, "--endpoint", oxigraph_server.store_url,
                  "--update-endpoint", oxigraph_server.update_url).exit_code == 0
    old = oxigraph_server.count(DATA_GRAPH)
    new = payloads(corpus_build.graph)[0].triples
    pushing = subprocess.Popen([BIN / "ccus-kg", "push", "-g", corpus_ttl, "--endpoint", oxigraph_server.store_url,
                                "--update-endpoint", oxigraph_server.update_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    oxigraph_server.kill()
    pushing.communicate(timeout=60)
    assert pushing.returncode in (0, 2)
    restarted = OxigraphServer(oxigraph_server.location).start()
    try:
        assert restarted.count(DATA_GRAPH) in (old, new)
    finally:
        restarted.kill()


def test_store_down_exit_2(seed_ttl):
    from stores import free_port

    usage_error(invoke("push", "-g", seed_ttl, "--endpoint", f"http://127.0.0.1:{free_port()}/store"),
                "connection refused: is the store running?")


def test_store_refuses_exit_2(oxigraph_server, seed_ttl):
    usage_error(invoke("push", "-g", seed_ttl, "--endpoint", oxigraph_server.base + "/no-such-path"),
                "answered HTTP 404")
