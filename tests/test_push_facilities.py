"""The facility queries on a real Oxigraph server: the three corpus folders pushed with ``ccus-kg push``,
every facility query with its documented parameters run through ``query --endpoint``, same rows as locally."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from helpers import FACILITY_QUERY_PARAMS, invoke
from stores import pushed_oxigraph

from ccus_kg.push import DATA_GRAPH, VOCABULARIES_GRAPH
from ccus_kg.query.library import render

CASES = [(name, params) for name, cases in FACILITY_QUERY_PARAMS.items() for params in cases]


def _rows(text: str) -> Counter:
    data = json.loads(text)
    return Counter(frozenset((k, tuple(sorted(v.items()))) for k, v in b.items()) for b in data["results"]["bindings"])


@pytest.fixture(scope="module")
def full_corpus_server(tmp_path_factory, full_corpus_build):
    """An Oxigraph server holding the build of the three corpus folders."""
    path = tmp_path_factory.mktemp("full") / "corpus.ttl"
    full_corpus_build.graph.write(path)
    server = pushed_oxigraph(tmp_path_factory.mktemp("oxigraph") / "store", path)
    yield server
    server.kill()


@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}-{'-'.join(p.values()) or 'all'}" for n, p in CASES])
def test_facility_queries_give_the_same_rows_on_the_server(full_corpus_server, full_corpus_build, name, params):
    local, count = render(full_corpus_build.graph, name, params, "json")
    assert count > 0, "the comparison must not be vacuous"
    args = ["query", name, "--endpoint", full_corpus_server.query_url, "-f", "json"]
    for k, v in params.items():
        args += ["-p", f"{k}={v}"]
    for g in (DATA_GRAPH, VOCABULARIES_GRAPH):
        args += ["--default-graph", g]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert _rows(result.stdout) == _rows(local)
