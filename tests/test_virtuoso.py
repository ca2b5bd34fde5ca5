"""``ccus-kg push`` and ``query --endpoint`` against a second, different store: a real Virtuoso
server (Debian package ``virtuoso-opensource``), started on loopback ports with its own database.

Marker ``stores``: ``make test-stores`` runs these (``make test`` leaves them out); they skip,
saying why, when ``virtuoso-t`` is not installed (``.ci/run`` installs it with apt-get).  The
corpus is pushed with HTTP digest auth (``CCUS_KG_STORE_AUTH=digest``) to Virtuoso's Graph Store
endpoint, staged and moved with SPARQL Update; every library query with every documented
parameter must then give the local rows, through ``ccus-kg query --endpoint`` and through
SPARQLWrapper (which sees Virtuoso's ``typed-literal`` terms and ``1``/``0`` booleans: see :func:`as_sparql11`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DOCUMENTED_PARAMS, invoke, rows_of, run_on_endpoint, usage_error
from stores import VirtuosoServer

from ccus_kg.push import DATA_GRAPH, VOCABULARIES_GRAPH, payloads
from ccus_kg.query.library import list_queries, render
from ccus_kg.sparql_http import canonical_booleans

pytestmark = [pytest.mark.stores, pytest.mark.corpus]

BIN = Path(sys.executable).parent
DATASET = (DATA_GRAPH, VOCABULARIES_GRAPH)
DIGEST = {"CCUS_KG_STORE_USER": VirtuosoServer.USER, "CCUS_KG_STORE_PASSWORD": VirtuosoServer.PASSWORD,
          "CCUS_KG_STORE_AUTH": "digest"}


def push_corpus(server: VirtuosoServer, corpus_ttl: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "ccus-kg", "push", "-g", corpus_ttl, "--endpoint", server.store_url,
                           "--update-endpoint", server.update_url], capture_output=True, text=True,
                          env={**os.environ, **DIGEST, **env})


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, corpus_ttl, corpus_build):
    """A Virtuoso server holding the corpus, pushed once with ``ccus-kg push`` (digest auth)."""
    if VirtuosoServer.binary() is None:
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource): second-store tests not run")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).start()
    try:
        done = push_corpus(server, corpus_ttl)
        assert done.returncode == 0, done.stderr + server.log()
        yield server
    finally:
        server.stop()


CASES = [(q.name, params) for q in list_queries() if q.name in DOCUMENTED_PARAMS for params in DOCUMENTED_PARAMS[q.name]]
IDS = [f"{n}-{'-'.join(p.values()) or 'all'}" for n, p in CASES]


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
def test_every_query_same_rows_on_virtuoso(virtuoso, corpus_build, name, params):
    local, _ = render(corpus_build.graph, name, params, "json")
    cli_rows, raw = run_on_endpoint(virtuoso.query_url, name, params, DATASET)
    assert cli_rows == rows_of(local)
    assert rows_of(as_sparql11(raw)) == rows_of(local)


def as_sparql11(raw: bytes) -> dict:
    """Virtuoso's results JSON as SPARQL 1.1 writes it: ``"type": "typed-literal"`` (the 2007 draft's
    term type) is ``"literal"``, and xsd:boolean ``1``/``0`` is ``true``/``false`` (same value)."""
    data = json.loads(canonical_booleans(raw))
    for row in data["results"]["bindings"]:
        for term in row.values():
            if term["type"] == "typed-literal":
                term["type"] = "literal"
    return data


def test_named_graph_sizes(virtuoso, corpus_build):
    for item in payloads(corpus_build.graph):
        assert virtuoso.count(item.iri) == item.triples > 0, item.iri


def test_push_again_same_triples(virtuoso, corpus_ttl, corpus_build):
    done = push_corpus(virtuoso, corpus_ttl)
    assert done.returncode == 0, done.stderr
    for item in payloads(corpus_build.graph):
        assert virtuoso.count(item.iri) == item.triples, item.iri


def test_iris_with_slashes_arrive_whole(virtuoso):
    """Pushed as Turtle, ``policy:x\\/event\\/publication`` came back from Virtuoso 7.2 with its
    backslashes; pushed as N-Triples, the event IRIs are ours."""
    result = invoke("query", "timeline", "--endpoint", virtuoso.query_url, "-f", "csv",
                    "-p", "policy=cn-js-industrial-decarb-2022", "--default-graph", DATA_GRAPH)
    assert result.exit_code == 0, result.output
    assert "https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022/event/publication" in result.stdout
    assert "\\" not in result.stdout


def test_virtuoso_booleans_canonical_through_the_cli(virtuoso, corpus_build):
    """Virtuoso answers xsd:boolean as 1/0; ``query --endpoint`` gives true/false like the local run."""
    result = invoke("query", "policy-lineage", "-p", "policy=us-45q-ira", "--endpoint", virtuoso.query_url, "-f", "csv",
                    "--default-graph", DATA_GRAPH)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == render(corpus_build.graph, "policy-lineage", {"policy": "us-45q-ira"}, "csv")[0].splitlines()
    assert ",true" in result.stdout or ",false" in result.stdout


def test_without_dataset_virtuoso_reads_all_graphs(virtuoso, corpus_build):
    """Virtuoso's default graph is the union of all its graphs: the queries answer without
    ``--default-graph`` too (documented in the README), except that ``record-sources`` without a
    node then also lists the provenance graph's ``prov:wasDerivedFrom`` of the data graph."""
    for name, params in CASES:
        args = [f"{k}={v}" for k, v in params.items()]
        result = invoke("query", name, "--endpoint", virtuoso.query_url, "-f", "json", *[a for p in args for a in ("-p", p)])
        assert result.exit_code == 0, result.output
        remote, local = rows_of(result.stdout), rows_of(render(corpus_build.graph, name, params, "json")[0])
        if name == "record-sources" and not params:
            assert remote > local, "the provenance graph's rows are added"
        else:
            assert remote == local, (name, params)


def test_wrong_password_exit_2(virtuoso, seed_ttl):
    env = {**DIGEST, "CCUS_KG_STORE_PASSWORD": "wrong"}
    done = subprocess.run([BIN / "ccus-kg", "push", "-g", seed_ttl, "--endpoint", virtuoso.store_url, "--graph", "urn:ccus-kg:test"],
                          capture_output=True, text=True, env={**os.environ, **env})
    assert done.returncode == 2 and "HTTP 401" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_basic_auth_refused_by_virtuoso_names_the_setting(virtuoso, seed_ttl, monkeypatch):
    """Virtuoso's /sparql-graph-crud-auth wants digest: with basic, exit 2 and the credential variables named."""
    for k, v in {**DIGEST, "CCUS_KG_STORE_AUTH": "basic"}.items():
        monkeypatch.setenv(k, v)
    usage_error(invoke("push", "-g", seed_ttl, "--endpoint", virtuoso.store_url, "--graph", "urn:ccus-kg:test"),
                "HTTP 401", "CCUS_KG_STORE_AUTH=digest")



def test_push_store_batches_to_virtuoso(tmp_path, monkeypatch):
    """``push --store``: a store's named graphs through Virtuoso's SPARQL Update endpoint, in batches;
    every named graph arrives whole, and a second push sends nothing."""

    from corpus import corpus_slice

    from ccus_kg.push import push_store
    from ccus_kg.store import PolicyStore, build_into_store

    if VirtuosoServer.binary() is None:
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource): second-store tests not run")
    folder = corpus_slice(tmp_path / "in", 12)
    build_into_store([folder], tmp_path / "store")
    with PolicyStore.open(tmp_path / "store", read_only=True) as ps:
        sizes = {g.value: sum(1 for _ in ps.store.quads_for_pattern(None, None, None, g)) for g in ps.store.named_graphs()}
    for name, value in DIGEST.items():
        monkeypatch.setenv(name, value)
    server = VirtuosoServer(tmp_path / "virtuoso").start()
    try:
        done = push_store(tmp_path / "store", server.update_url, batch_triples=3_000)
        assert done.sent == len(sizes) and done.requests > 1
        assert {g: server.count(g) for g in sizes} == sizes, server.log()
        again = push_store(tmp_path / "store", server.update_url)
        assert again.sent == 0 and again.unchanged == len(sizes)
    finally:
        server.stop()
