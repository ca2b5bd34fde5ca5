"""Helpers shared by the tests: a synthetic lineage input and CLI invocation.

Synthetic input: us-syn-a (2024) replaces us-syn-b (2020), which replaces us-syn-c (2015) and
us-syn-gone (not in the input); a and b are in the cluster "Synthetic Storage Rules"; us-syn-d
(2019) stands alone in "Other Cluster".  c does not name its successor: the link b → c must still
be there in both directions.

Import as ``from helpers import write_synthetic, invoke, usage_error``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from ccus_kg.cli import main

__all__ = ["write_synthetic", "invoke", "usage_error", "rows_of", "DOCUMENTED_PARAMS", "FACILITY_QUERY_PARAMS",
           "run_on_endpoint"]

#: For each query, the documented parameter values used to run it (its examples, plus each optional parameter).
DOCUMENTED_PARAMS = {
    "counts-by-category-status": [{}],
    "data-issues": [{}, {"code": "empty-agency"}],
    "in-force-on-date": [{"jurisdiction": "CN", "date": "2023-01-01"}],
    "jurisdiction-timeline": [{"jurisdiction": "CN-JS"}, {"jurisdiction": "CN-JS", "from": "2022"},
                              {"jurisdiction": "CN", "from": "2022-03", "to": "2022-10-31"}],
    "lineage-edges": [{}, {"stated": "true"}],
    "lineage-nodes": [{}],
    "policies-by-agency": [{}, {"agency": "MIIT"}, {"agency": "工信部"}],
    "policies-in-jurisdiction": [{"jurisdiction": "CN"}],
    "policies-per-jurisdiction": [{}],
    "policy-lineage": [{"policy": "us-45q-ira"}, {"policy": "cn-miit-industrial-plan-2022"}],
    "record-sources": [{}, {"node": "https://w3id.org/ccus-kg/id/policy/us-45q-ira"}],
    "timeline": [{}, {"jurisdiction": "CN-JS"}, {"policy": "cn-js-industrial-decarb-2022"}],
}
#: The facility queries, run on the build of the three corpus folders (tests/test_push_facilities.py).
FACILITY_QUERY_PARAMS = {
    "capacity-by-jurisdiction-status-type": [{}, {"jurisdiction": "US"}],
    "facilities-by-milestone": [{"from": "2022", "to": "2024"}, {"from": "2022", "to": "2024", "milestone": "fid"},
                                {"from": "2025", "to": "2030", "jurisdiction": "CN"}],
    "facilities-in-jurisdiction": [{"jurisdiction": "NO"}],
    "facilities-of-policy": [{"policy": "us-45q-ira"}],
    "facilities-of-policy-family": [{"policy": "us-45q-ira"}],
    "policies-without-operating-facility": [{}, {"jurisdiction": "CN"}],
    "policy-scope": [{"policy": "us-45q-ira"}, {"policy": "us-45q-ira", "scope": "family"}],
    "policy-facilities": [{}],
}

def write_synthetic(folder: Path) -> Path:
    """Write the synthetic policy records (Markdown with JSON front matter) into ``folder``."""
    base = {"country": "United States", "source": "Environmental Protection Agency", "status": "Active",
            "category": "Regulatory", "legalWeight": "Departmental Rules"}
    records = {
        "a": dict(id="us-syn-a", title="Synthetic Rule A", pubDate="2024-03-01",
                  evolution={"supersedes": ["us-syn-b"], "supersededBy": "", "clusters": ["Synthetic Storage Rules"]}),
        "b": dict(id="us-syn-b", title="Synthetic Rule B", pubDate="2020-06-01",
                  evolution={"supersedes": ["us-syn-c", "us-syn-gone"], "supersededBy": "us-syn-a",
                             "clusters": ["Synthetic Storage Rules"]}),
        "c": dict(id="us-syn-c", title="Synthetic Rule C", pubDate="2015-01-10",
                  evolution={"supersedes": [], "supersededBy": "", "clusters": []}),
        "d": dict(id="us-syn-d", title="Synthetic Standalone D", pubDate="2019-05-05",
                  evolution={"supersedes": [], "supersededBy": "", "clusters": ["Other Cluster"]}),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, fields in records.items():
        text = "---\n" + json.dumps({**base, **fields}, indent=2) + "\n---\nA synthetic carbon storage rule.\n"
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return folder


def invoke(*args):
    """Run ``ccus-kg ARGS`` in-process (click's CliRunner); returns the click Result."""
    return CliRunner().invoke(main, [str(a) for a in args])

def usage_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def rows_of(results_json: str | dict) -> Counter:
    """SPARQL 1.1 Query Results JSON as a multiset of rows (each a frozenset of (variable, term))."""
    data = json.loads(results_json) if isinstance(results_json, str) else results_json
    return Counter(frozenset((k, tuple(sorted(v.items()))) for k, v in b.items()) for b in data["results"]["bindings"])


def run_on_endpoint(query_url: str, name: str, params: dict[str, str], default_graphs: tuple[str, ...]) -> tuple[Counter, bytes]:
    """Run library query ``name`` on a SPARQL endpoint twice: through ``ccus-kg query --endpoint``
    (its rows, as :func:`rows_of` counts them) and through SPARQLWrapper as a third-party client
    sending the file's text with the parameter line filled (its raw JSON response, bytes)."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    from ccus_kg.query.library import bind, load_query

    args = ["query", name, "--endpoint", query_url, "-f", "json"]
    for k, v in params.items():
        args += ["-p", f"{k}={v}"]
    for g in default_graphs:
        args += ["--default-graph", g]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    client = SPARQLWrapper(query_url)
    client.setQuery(bind(load_query(name), params))
    for g in default_graphs:
        client.addDefaultGraph(g)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    return rows_of(result.stdout), client.query().response.read()
