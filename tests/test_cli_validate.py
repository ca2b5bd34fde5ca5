"""``ccus-kg validate``: 0 conforms, 1 does not conform, 2 cannot read the file."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import invoke

PREFIXES = """@prefix ccus: <https://w3id.org/ccus-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
"""
NAMELESS = "https://w3id.org/ccus-kg/id/policy/nameless"
DATA = "https://w3id.org/ccus-kg/graph/data"


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


def test_seed_graph_conforms_and_says_warnings_remain(seed_ttl, seed_graph):
    result = invoke("validate", seed_ttl)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{seed_ttl}: {len(seed_graph)} triples; conforms (0 violations, 10 warnings, 0 info); engine oxigraph"
    [built] = [r["d"].value for r in seed_graph.query(f"SELECT ?d {{ <{DATA}> dcterms:created ?d }}")]
    assert lines[1] == f"build date {built}: future dates (shapes:FutureDate) are those after it"
    assert json.loads(invoke("validate", seed_ttl, "-f", "json").stdout)["build_date"] == built
    assert lines[2].startswith("note: 10 Warning result(s): SHACL's own sh:conforms is false")


def test_fail_on_warning_and_info(seed_ttl):
    assert invoke("validate", seed_ttl, "--fail-on", "warning").exit_code == 1
    assert invoke("validate", seed_ttl, "--fail-on", "info").exit_code == 1
    assert invoke("validate", seed_ttl, "--fail-on", "violation").exit_code == 0
    assert invoke("validate", seed_ttl, "--fail-on", "error").exit_code == 2


def test_text_groups_by_rule_and_lists_the_first_n(seed_ttl):
    result = invoke("validate", seed_ttl, "-n", "2")
    lines = result.stdout.splitlines()
    assert "  Warning      10  shapes:AssessmentLanguage  Assessments: text language not among the record's languages" in lines
    listed = [l for l in lines if l.startswith("  Warning policy:")]
    assert len(listed) == 2 and all(" at seeds/" in l for l in listed)
    assert "  … and 8 more (--max-results, or --format json for all)" in lines
    assert len([l for l in invoke("validate", seed_ttl, "-v").stdout.splitlines() if l.startswith("  Warning policy:")]) == 10


def test_policy_without_identifier_does_not_conform(nameless):
    result = invoke("validate", nameless)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{nameless}: 3 triples; does not conform (1 violations")
    assert lines[1] == "no build date in the graph: future dates (shapes:FutureDate) are those after the day of validation"
    assert "  Violation     1  shapes:Policy-identifier  Policy: one identifier" in lines
    [violation] = [l for l in lines if l.startswith("  Violation policy:")]
    assert violation.startswith("  Violation policy:nameless  dcterms:identifier  at (no source record)")
    assert "needs exactly one non-empty dcterms:identifier" in lines[lines.index(violation) + 1]


def test_violation_report_json(nameless, tmp_path):
    report = tmp_path / "out" / "shacl.json"
    result = invoke("validate", nameless, "--report", report)
    assert result.exit_code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["conforms"] is False
    assert data["violations"] == 1 and data["build_date"] is None
    [v] = [r for r in data["results"] if r["severity"] == "Violation"]
    assert v["focus_node"] == NAMELESS
    assert v["path"] == "http://purl.org/dc/terms/identifier"
    assert v["constraint"] == "MinCountConstraintComponent"
    assert v["shape"] == "https://w3id.org/ccus-kg/shapes#Policy-identifier"
    assert v["label"] == "Policy: one identifier"
    assert v["sources"] == []
    assert json.loads(invoke("validate", nameless, "--format", "json").stdout) == data


def test_json_results_carry_file_and_line(seed_ttl):
    data = json.loads(invoke("validate", seed_ttl, "-f", "json").stdout)
    assert data["conforms"] is True and data["shacl_conforms"] is False and data["warnings"] == 10
    first = data["results"][0]
    assert first["focus_node"] == "https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022/assessment/incentive"
    assert first["sources"] == [{"file": "seeds/000_155eae0fb6f852c6.txt", "line": 47}]


def test_turtle_is_the_w3c_validation_report_graph(seed_ttl, tmp_path):
    out = tmp_path / "report.ttl"
    result = invoke("validate", seed_ttl, "--format", "ttl", "-o", out)
    assert result.exit_code == 0
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.TURTLE)
    sh = "http://www.w3.org/ns/shacl#"
    assert store.query(f"ASK {{ ?r a <{sh}ValidationReport> ; <{sh}conforms> false }}")
    rows = list(store.query(f"""SELECT ?focus ?shape ?file ?line WHERE {{
        ?report <{sh}result> ?r . ?r <{sh}focusNode> ?focus ; <{sh}sourceShape> ?shape ;
          <{sh}resultSeverity> <{sh}Warning> ;
          <http://purl.org/dc/terms/source> [ <https://w3id.org/ccus-kg/ontology#filePath> ?file ;
                                              <https://w3id.org/ccus-kg/ontology#recordLine> ?line ] }}"""))
    assert len(rows) == 10
    assert {r["shape"].value for r in rows} == {"https://w3id.org/ccus-kg/shapes#AssessmentLanguage"}
    assert {(r["file"].value, r["line"].value) for r in rows} >= {("seeds/004_a7b8cafd75ac6fe3.txt", "47")}


def test_engines_agree_on_a_small_graph(tmp_path, seed_ttl):
    a = json.loads(invoke("validate", seed_ttl, "-f", "json", "--engine", "oxigraph").stdout)
    b = json.loads(invoke("validate", seed_ttl, "-f", "json", "--engine", "pyshacl").stdout)
    assert a == b and a["results"]


def test_two_violations_on_one_policy(tmp_path):
    path = tmp_path / "two.ttl"
    path.write_text(PREFIXES + f'<{NAMELESS}> a ccus:Policy, eli:LegalResource ; ccus:inCorpus false ; '
                    'dcterms:identifier "a", "b" .\n<https://w3id.org/ccus-kg/id/policy/x> a ccus:Policy .\n',
                    encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 1
    violations = [l for l in result.stdout.splitlines() if l.startswith("  Violation policy:")]
    assert any("policy:nameless" in l and "identifier" in l for l in violations)  # two identifiers
    assert any("policy:x" in l and "identifier" in l for l in violations)  # none
    assert any("policy:x" in l and "inCorpus" in l for l in violations)
    assert any("policy:x" in l and "rdf:type" in l for l in violations)  # not an eli:LegalResource


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
