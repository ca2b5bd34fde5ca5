"""``ccus-kg serve``: a real read-only Oxigraph server over the seed graph, started as a user would."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from helpers import DOCUMENTED_PARAMS, invoke, usage_error
from stores import free_port, wait_until_up

from ccus_kg.query.library import bind, load_query, render

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def served(seed_ttl):
    port = free_port()
    process = subprocess.Popen([BIN / "ccus-kg", "serve", "-g", seed_ttl, "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_up(f"http://127.0.0.1:{port}/", process)
    yield f"http://127.0.0.1:{port}", process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


@pytest.mark.parametrize("name", sorted(DOCUMENTED_PARAMS))
def test_library_queries_answer_as_locally(served, seed_graph, name):
    for params in DOCUMENTED_PARAMS[name]:
        args = ["query", name, "--endpoint", served[0] + "/query", "-f", "csv"]
        for k, v in params.items():
            args += ["-p", f"{k}={v}"]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        local = render(seed_graph, name, params, "csv")[0]
        assert sorted(result.stdout.splitlines()) == sorted(local.splitlines())


def test_curl_of_the_printed_text(served, seed_graph):
    """The README's path: POST the --print text as a form field `query`, ask for CSV."""
    text = bind(load_query("in-force-on-date"), {"jurisdiction": "CN", "date": "2023-01-01"})
    answer = requests.post(served[0] + "/query", data={"query": text}, headers={"Accept": "text/csv"}, timeout=30)
    assert answer.status_code == 200
    local = render(seed_graph, "in-force-on-date", {"jurisdiction": "CN", "date": "2023-01-01"}, "csv")[0]
    assert answer.text == local
    assert answer.text.count("\n") == 3  # header + the two policies in force


def test_writes_are_refused(served):
    base = served[0]
    update = requests.post(base + "/update", data="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                           headers={"Content-Type": "application/sparql-update"}, timeout=10)
    assert update.status_code == 403
    put = requests.put(base + "/store?default", data="<urn:a> <urn:b> <urn:c> .", headers={"Content-Type": "text/turtle"}, timeout=10)
    assert put.status_code == 403
    assert requests.delete(base + "/store?default", timeout=10).status_code == 403


def test_query_page(served):
    page = requests.get(served[0] + "/", timeout=10)
    assert page.status_code == 200 and "yasgui" in page.text.lower()


def test_ontology_is_served_in_its_named_graph(served):
    answer = requests.post(served[0] + "/query", headers={"Accept": "application/sparql-results+json"}, timeout=10, data={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ccus-kg/ontology> { ?c a <http://www.w3.org/2002/07/owl#Class> } }"})
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 10


def test_bound_to_loopback(served):
    assert served[0].startswith("http://127.0.0.1:")


def test_sigterm_stops_the_server_and_removes_the_store(seed_ttl, tmp_path):
    port = free_port()
    process = subprocess.Popen([BIN / "ccus-kg", "serve", "-g", seed_ttl, "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_up(f"http://127.0.0.1:{port}/", process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(20) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_needs_a_graph_or_a_store():
    usage_error(invoke("serve"), "give either -g FILE or --store DIR")
    usage_error(invoke("serve", "-g", "/nonexistent/x.ttl"), "no such graph file")
