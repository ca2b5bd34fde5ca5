"""``ccus-kg query`` on the seed graph (a Turtle file written once per session: fixture ``seed_ttl``)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import invoke, usage_error

BIN = Path(sys.executable).parent
MIIT = "cn-miit-industrial-plan-2022"
PARKS = "cn-zero-carbon-parks"
JS = "cn-js-industrial-decarb-2022"


def test_help_has_examples():
    result = invoke("query", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "ccus-kg query policies-in-jurisdiction --param jurisdiction=CN" in result.stdout


def test_list(seed_ttl):
    result = invoke("query", "--list")
    assert result.exit_code == 0
    out = result.stdout
    for name in ("counts-by-category-status", "data-issues", "in-force-on-date", "jurisdiction-timeline",
                 "lineage-edges", "lineage-nodes", "policies-by-agency", "policies-in-jurisdiction",
                 "policies-per-jurisdiction", "policy-lineage", "timeline"):
        assert f"\n{name}\n" in f"\n{out}", name
    assert "    Policies in a jurisdiction: Policies of a jurisdiction" in out
    assert "    --param date=… (date, required) the date, YYYY-MM-DD" in out
    assert "    --param agency=… (string, optional)" in out
    assert "    e.g. ccus-kg query policies-by-agency --param agency=MIIT" in out


def test_no_name_lists_too():
    result = invoke("query", "-g", "/nonexistent/graph.ttl")  # no graph is read for the list
    assert result.exit_code == 0
    assert result.stdout == invoke("query", "--list").stdout


def test_table(seed_ttl):
    result = invoke("query", "policies-in-jurisdiction", "-g", seed_ttl, "--param", "jurisdiction=CN")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "code", "title_en", "title_zh", "published"]
    assert lines[2].split()[:2] == [MIIT, "CN"] and lines[2].endswith("2022-08-01")
    assert "China MIIT Action Plan for Industrial Carbon Peaking" in lines[2]
    assert lines[3].split()[:2] == [PARKS, "CN"] and lines[3].endswith("2024-01-15")
    assert lines[4].split()[:2] == [JS, "CN-JS"] and lines[4].endswith("2022-10-01")
    assert lines[5] == "(3 rows)"
    assert len(lines) == 6


def test_table_policies_per_jurisdiction(seed_ttl):
    result = invoke("query", "policies-per-jurisdiction", "--graph", seed_ttl)
    assert result.exit_code == 0
    assert [l.split() for l in result.stdout.splitlines()[2:]] == [
        ["CN", "China", "中国", "2"], ["CN-JS", "Jiangsu", "江苏省", "CN", "1"], ["(2", "rows)"]]


@pytest.mark.parametrize("alias", ["MIIT", "工信部", "工业和信息化部"])
def test_agency_aliases(seed_ttl, alias):
    result = invoke("query", "policies-by-agency", "-g", seed_ttl, "-p", f"agency={alias}", "-f", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["agency_iri"], r["id"]) for r in rows] == [
        ("https://w3id.org/ccus-kg/id/agency/CN/miit", MIIT), ("https://w3id.org/ccus-kg/id/agency/CN/miit", PARKS)]


def test_csv(seed_ttl):
    result = invoke("query", "counts-by-category-status", "-g", seed_ttl, "--format", "csv")
    assert result.exit_code == 0
    # (the W3C SPARQL CSV format ends lines with CRLF; Result.stdout would fold them to LF)
    assert result.stdout_bytes == b"category,status,policies\r\nRegulatory,Active,2\r\nStrategic,Active,1\r\n"


def test_json(seed_ttl):
    result = invoke("query", "in-force-on-date", "-g", seed_ttl, "-p", "jurisdiction=CN", "-p", "date=2023-01-01", "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["id", "code", "published", "status", "title"]
    assert [(b["id"]["value"], b["published"]["value"]) for b in data["results"]["bindings"]] == [
        (MIIT, "2022-08-01"), (JS, "2022-10-01")]
    assert data["results"]["bindings"][0]["published"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"


def test_param_value_may_contain_equals_and_quotes(seed_ttl):
    result = invoke("query", "policies-by-agency", "-g", seed_ttl, "-p", 'agency=a=b" } ?s ?p ?o { "')
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "(0 rows)"


def test_query_file(seed_ttl, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("# title: mine\n# param: code string required a code\n"
                    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                    "SELECT ?label WHERE {\n  VALUES (?code) { (UNDEF) }\n"
                    "  ?j skos:notation ?code ; skos:prefLabel ?label FILTER(LANG(?label) = \"en\") }\n",
                    encoding="utf-8")
    result = invoke("query", path, "-g", seed_ttl, "-p", "code=CN-JS", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"label\r\nJiangsu\r\n"


def test_missing_graph_file(tmp_path):
    missing = tmp_path / "none.ttl"
    result = invoke("query", "policies-per-jurisdiction", "-g", missing)
    usage_error(result, f"ccus-kg: error: {missing}: no such graph file", "ccus-kg build -o")


def test_unparsable_graph_file(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    result = invoke("query", "policies-per-jurisdiction", "-g", path)
    usage_error(result, f"ccus-kg: error: {path}:2: not valid Turtle")


@pytest.mark.parametrize("param", ["jurisdiction", "=CN", "jurisdictionCN"])
def test_bad_param_syntax(seed_ttl, param):
    result = invoke("query", "policies-in-jurisdiction", "-g", seed_ttl, "--param", param)
    usage_error(result, f"--param {param!r}: expected NAME=VALUE")


def test_unknown_param(seed_ttl):
    result = invoke("query", "policies-in-jurisdiction", "-g", seed_ttl, "-p", "jurisdiction=CN", "-p", "country=CN")
    usage_error(result, "has no parameter country (its parameters: jurisdiction)")


def test_missing_required_param(seed_ttl):
    result = invoke("query", "policy-lineage", "-g", seed_ttl)
    usage_error(result, "query 'policy-lineage' needs --param policy=VALUE")


def test_bad_date_param(seed_ttl):
    result = invoke("query", "in-force-on-date", "-g", seed_ttl, "-p", "jurisdiction=CN", "-p", "date=2023-02-30")
    usage_error(result, "parameter date='2023-02-30': expected a date YYYY-MM-DD")


def test_unknown_query(seed_ttl):
    result = invoke("query", "policies-per-country", "-g", seed_ttl)
    usage_error(result, "no query named 'policies-per-country'", "known queries: capacity-by-jurisdiction-status-type, counts-by-category-status")
    assert result.stdout == ""


def test_unknown_format(seed_ttl):
    result = invoke("query", "policies-per-jurisdiction", "-g", seed_ttl, "-f", "xml")
    usage_error(result, "Invalid value for '--format'", "'xml' is not one of 'table', 'csv', 'json'")


def test_invalid_sparql_file(seed_ttl, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?x WHERE { ?x }\n", encoding="utf-8")
    result = invoke("query", path, "-g", seed_ttl)
    usage_error(result, "query 'broken' is not valid SPARQL 1.1")


def test_console_script_query(seed_ttl):
    script = BIN / "ccus-kg"
    if not script.exists():
        pytest.skip(f"no console script at {script}")
    proc = subprocess.run([str(script), "query", "policies-per-jurisdiction", "-g", str(seed_ttl), "-f", "csv"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["code,label_en,label_zh,broader,policies", "CN,China,中国,,2", "CN-JS,Jiangsu,江苏省,CN,1"]
    proc = subprocess.run([str(script), "query", "nope", "-g", str(seed_ttl)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ccus-kg: error: no query named 'nope'") and "Traceback" not in proc.stderr


def test_print_shows_the_exact_text_without_reading_a_graph():
    from ccus_kg.query.library import bind, load_query

    result = invoke("query", "in-force-on-date", "-p", "jurisdiction=CN", "-p", "date=2023-01-01", "--print",
                    "-g", "/nonexistent/graph.ttl")
    assert result.exit_code == 0, result.output
    assert result.stdout == bind(load_query("in-force-on-date"), {"jurisdiction": "CN", "date": "2023-01-01"})
    assert '("CN" "2023-01-01"^^<http://www.w3.org/2001/XMLSchema#date>)' in result.stdout


def test_print_checks_the_parameters():
    usage_error(invoke("query", "in-force-on-date", "-p", "jurisdiction=CN", "-p", "date=2023-1-1", "--print"),
                "expected a date YYYY-MM-DD")


def test_service_refused_without_allow_service(seed_ttl, tmp_path):
    path = tmp_path / "fed.rq"
    path.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n", encoding="utf-8")
    usage_error(invoke("query", path, "-g", seed_ttl), "SERVICE", "--allow-service")
    # allowed: the engine really calls out (to a closed loopback port here) and the failure is a clean exit 2
    usage_error(invoke("query", path, "-g", seed_ttl, "--allow-service"), "failed")


def test_non_utf8_file_exits_2(seed_ttl, tmp_path):
    path = tmp_path / "gbk.rq"
    path.write_bytes("# 标题\nSELECT * WHERE { ?s ?p ?o }\n".encode("gbk"))
    usage_error(invoke("query", path, "-g", seed_ttl), "gbk.rq:1: not UTF-8")


def test_endpoint_down_exits_2():
    import socket

    with socket.socket() as s:  # a free loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    usage_error(invoke("query", "lineage-nodes", "--endpoint", f"http://127.0.0.1:{port}/query"), "connection refused")
