"""``ccus-kg validate``: 0 conforms, 1 does not conform, 2 cannot read the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import invoke

PREFIXES = """@prefix ccus: <https://w3id.org/ccus-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
"""
NAMELESS = "https://w3id.org/ccus-kg/id/policy/nameless"


@pytest.fixture
def nameless(tmp_path) -> Path:
    """A graph with a ccus:Policy that has no dcterms:identifier (a known-only-as-target policy otherwise fine)."""
    path = tmp_path / "nameless.ttl"
    path.write_text(PREFIXES + f"<{NAMELESS}> a ccus:Policy, eli:LegalResource ; ccus:inCorpus false .\n", encoding="utf-8")
    return path


def test_help_has_an_example():
    result = invoke("validate", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "ccus-kg validate build/ccus.ttl" in result.stdout


def test_seed_graph_conforms(seed_ttl, seed_graph):
    result = invoke("validate", seed_ttl)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{seed_ttl}: {len(seed_graph)} triples; conforms (0 violations, 0 warnings, 0 info)\n"


def test_seed_graph_verbose_prints_the_results_header(seed_ttl):
    result = invoke("validate", seed_ttl, "-v")
    assert result.exit_code == 0
    assert "SHACL results (conforms (0 violations" in result.stdout


def test_policy_without_identifier_does_not_conform(nameless):
    result = invoke("validate", nameless)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{nameless}: 3 triples; does not conform (1 violations")
    [violation] = [l for l in lines if l.lstrip().startswith("Violation")]
    assert NAMELESS in violation
    assert "http://purl.org/dc/terms/identifier" in violation
    assert "needs exactly one non-empty dcterms:identifier" in violation


def test_violation_report_json(nameless, tmp_path):
    report = tmp_path / "out" / "shacl.json"
    result = invoke("validate", nameless, "--report", report)
    assert result.exit_code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["conforms"] is False
    assert data["violations"] == 1
    [v] = [r for r in data["results"] if r["severity"] == "Violation"]
    assert v["focus_node"] == NAMELESS
    assert v["path"] == "http://purl.org/dc/terms/identifier"
    assert v["constraint"] == "MinCountConstraintComponent"


def test_conforming_report_json(seed_ttl, tmp_path):
    report = tmp_path / "shacl.json"
    assert invoke("validate", seed_ttl, "--report", report).exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8")) == {"conforms": True, "violations": 0, "warnings": 0, "results": []}


def test_two_violations_on_one_policy(tmp_path):
    path = tmp_path / "two.ttl"
    path.write_text(PREFIXES + f'<{NAMELESS}> a ccus:Policy, eli:LegalResource ; ccus:inCorpus false ; '
                    'dcterms:identifier "a", "b" .\n<https://w3id.org/ccus-kg/id/policy/x> a ccus:Policy .\n',
                    encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 1
    violations = [l for l in result.stdout.splitlines() if l.lstrip().startswith("Violation")]
    assert any(NAMELESS in l and "identifier" in l for l in violations)  # two identifiers
    assert any("policy/x" in l and "identifier" in l for l in violations)  # none
    assert any("policy/x" in l and "inCorpus" in l for l in violations)
    assert any("policy/x" in l and "LegalResource" in l for l in violations)


def test_missing_file(tmp_path):
    result = invoke("validate", tmp_path / "none.ttl")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ccus-kg: error: {tmp_path / 'none.ttl'}: no such graph file")


def test_unparsable_file_names_the_line(tmp_path):
    path = tmp_path / "broken.nt"
    path.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n<a> <b> .\n", encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ccus-kg: error: {path}:2: not valid N-Triples")
    assert "Traceback" not in result.output


def test_jsonld_input(seed_graph, tmp_path):
    path = tmp_path / "seed.jsonld"
    seed_graph.write(path)
    result = invoke("validate", path)
    assert result.exit_code == 0
    assert f"{len(seed_graph)} triples; conforms" in result.stdout


def test_report_into_a_bad_path(seed_ttl, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    result = invoke("validate", seed_ttl, "--report", blocker / "r.json")
    assert result.exit_code == 2
    assert f"ccus-kg: error: cannot write {blocker / 'r.json'}" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
