"""``ccus-kg build`` (and the program itself: ``python -m ccus_kg``, the console script, --help).

Exit codes: 0 ok, 1 the graph does not conform to the SHACL shapes, 2 usage or input errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import invoke

from ccus_kg.query.library import select
from ccus_kg.rdf.graph import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
BIN = Path(sys.executable).parent
BAD_JSON = '---\n{\n  "id": "bad-one",\n  "title": "Broken",\n  ]\n}\n---\nbody\n'  # stray ']': line 5, neither JSON nor YAML




def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    """``ccus-kg build`` with no PATHS (the bundled seeds) and a report."""
    out = tmp_path_factory.mktemp("build")
    result = invoke("build", "-o", out / "ccus.ttl", "--report", out / "report.json")
    return result, out


@pytest.fixture(scope="module")
def broken_input(tmp_path_factory) -> Path:
    """The seeds plus one policy file whose JSON front matter does not parse (line 5)."""
    folder = tmp_path_factory.mktemp("broken") / "input"
    shutil.copytree(SEEDS, folder)
    (folder / "bad.md").write_text(BAD_JSON, encoding="utf-8")
    return folder


def test_build_seeds_exit_code_and_summary(seeds_run):
    result, out = seeds_run
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ccus-kg build: read 5 files (4 policy records, 1 timeline compilations), skipped 0"
    assert "  policies      3" in lines
    assert "  jurisdictions 2" in lines
    assert "  clusters      0" in lines
    assert "  events        13 from timelines, 6 policy life events" in lines
    # the seeds' zh-only records carry English assessment texts: shapes:AssessmentLanguage warns, exit 0
    assert "  SHACL         conforms (0 violations, 10 warnings, 0 info)" in lines
    assert "  problems      0 errors, 2 warnings, 0 info" in lines
    assert any(l.startswith("note: 10 Warning result(s): SHACL's own sh:conforms is false") for l in lines)
    assert "  Warning      10  shapes:AssessmentLanguage  Assessments: text language not among the record's languages" in lines
    assert result.stderr == ""


def test_build_seeds_lists_the_truncated_item_with_its_line(seeds_run):
    result, _ = seeds_run
    [line] = [l for l in result.stdout.splitlines() if "truncated-item" in l]
    assert line.lstrip().startswith("warning")
    assert "002_09cfd2b4524fa4a1.txt:142" in line
    assert "《江苏省工业领域及重点行业碳达峰实施方案》" in line
    assert any("node-count-mismatch: header declares 10 nodes, 8 found" in l for l in result.stdout.splitlines())


def test_build_seeds_writes_the_graph_and_report(seeds_run):
    result, out = seeds_run
    graph = out / "ccus.ttl"
    triples = list(ox.parse(path=str(graph), format=ox.RdfFormat.TURTLE))
    assert f"wrote {graph} ({graph.stat().st_size} bytes, {len(triples)} triples)" in result.stdout
    assert f"wrote {out / 'report.json'}" in result.stdout
    kg = KnowledgeGraph.load(graph)
    assert [r["id"] for r in select(kg, "lineage-nodes") if r["kind"] == "policy"] == [
        "cn-js-industrial-decarb-2022", "cn-miit-industrial-plan-2022", "cn-zero-carbon-parks"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["policies"] == 3
    assert report["counts"]["triples"] == len(triples)
    assert report["validation"]["conforms"] is True
    assert sorted(p for p in os.listdir(out)) == ["ccus.ttl", "report.json"]  # no temporary files


def test_report_is_byte_identical_between_builds_unless_timings(seeds_run, tmp_path):
    _, first = seeds_run
    result = invoke("build", "-o", tmp_path / "ccus.ttl", "--report", tmp_path / "report.json")
    assert result.exit_code == 0
    assert (tmp_path / "report.json").read_bytes() == (first / "report.json").read_bytes()
    assert (tmp_path / "ccus.ttl").read_bytes() == (first / "ccus.ttl").read_bytes()
    assert "seconds" not in json.loads((first / "report.json").read_text(encoding="utf-8"))
    assert not any(l.startswith("  seconds") for l in result.stdout.splitlines())
    timed = invoke("build", "-o", tmp_path / "t.ttl", "--report", tmp_path / "timed.json", "--timings")
    assert set(json.loads((tmp_path / "timed.json").read_text(encoding="utf-8"))["seconds"]) == {"load", "convert", "validate"}
    [row] = [l for l in timed.stdout.splitlines() if l.startswith("  seconds")]
    assert "validate" in row


def test_build_fail_on_warning_and_engine(tmp_path):
    result = invoke("build", "-o", tmp_path / "g.ttl", "--fail-on", "warning", "--engine", "pyshacl")
    assert result.exit_code == 1  # the seeds give Warning results; the graph is still written
    assert (tmp_path / "g.ttl").is_file()
    assert "shapes:AssessmentLanguage — " in result.stdout  # the failing rule's results are listed


def test_build_store_validates_with_the_same_exit_codes(tmp_path):
    """``build --store`` runs SHACL on the store (exit code 1 on a Violation, results with file:line in
    the output and in --report); ``--no-validate`` skips it; ``--fail-on warning`` as in memory."""
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    path = folder / "004_a7b8cafd75ac6fe3.txt"  # cn-zero-carbon-parks: make it replace itself
    head, body = path.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
    data = json.loads(head)
    data["evolution"]["supersedes"] = [data["id"]]
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + "\n---\n" + body, encoding="utf-8")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if t.startswith('  "id":'))

    result = invoke("build", folder, "--store", tmp_path / "store", "--report", tmp_path / "r.json")
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "SHACL: does not conform (1 violations" in result.stdout
    assert f"in/{path.name}:{line}" in result.stdout
    [cycle] = [r for r in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["validation"]["results"]
               if r["shape"].endswith("#SelfReplacement")]
    assert cycle["sources"] == [{"file": f"in/{path.name}", "line": line}]

    skipped = invoke("build", folder, "--store", tmp_path / "store", "--no-validate")
    assert skipped.exit_code == 0 and "SHACL: not run (--no-validate)" in skipped.stdout
    shutil.copyfile(SEEDS / path.name, path)  # the fault fixed: the seeds have Warning results only
    assert invoke("build", folder, "--store", tmp_path / "store").exit_code == 0
    assert invoke("build", folder, "--store", tmp_path / "store", "--fail-on", "warning").exit_code == 1


def test_build_store_jobs_gives_the_same_graph(tmp_path):
    """``build --store --jobs 2`` in a ``python -m ccus_kg`` process (worker processes started by
    ``spawn``, tasks of up to 250 files) writes the same graph as ``--jobs 1``; ``--jobs 0`` is a usage error."""
    from corpus import corpus_dir

    folder = corpus_dir()
    one = invoke("build", folder, "--store", tmp_path / "one", "--jobs", "1", "--no-validate", "-o", tmp_path / "one.nt")
    assert one.exit_code == 0, one.output
    two = subprocess.run([sys.executable, "-m", "ccus_kg", "build", str(folder), "--store", str(tmp_path / "two"), "--jobs", "2",
                          "--no-validate", "-o", str(tmp_path / "two.nt")], capture_output=True, text=True, timeout=600)
    assert two.returncode == 0, two.stderr
    assert (tmp_path / "two.nt").read_bytes() == (tmp_path / "one.nt").read_bytes()
    assert invoke("build", folder, "--store", tmp_path / "one", "--jobs", "0").exit_code == 2


def test_build_explicit_paths_and_format_by_suffix(tmp_path):
    files = sorted(SEEDS.glob("00[01]_*.txt"))  # the Jiangsu plan (zh) and the MIIT plan (zh)
    result = invoke("build", *files, "-o", tmp_path / "two.nt", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "read 2 files (2 policy records, 0 timeline compilations)" in result.stdout
    assert "  policies      2" in result.stdout.splitlines()
    assert "  SHACL         not run (--no-validate)" in result.stdout.splitlines()
    kg = KnowledgeGraph.load(tmp_path / "two.nt")
    assert [r["id"] for r in select(kg, "lineage-nodes")] == ["cn-js-industrial-decarb-2022", "cn-miit-industrial-plan-2022"]


def test_build_verbose_and_max_problems(tmp_path):
    result = invoke("build", SEEDS, "-o", tmp_path / "g.ttl", "--max-problems", "1", "-v")
    assert result.exit_code == 0
    assert "  … and 1 more (all in --report)" in result.stdout
    assert "truncated-item" not in result.stdout
    # -v lists every SHACL result even when the graph conforms, with the file:line of its record
    assert "shapes:AssessmentLanguage — Assessments: text language not among the record's languages (Warning, 10 results):" in result.stdout
    assert "at seeds/004_a7b8cafd75ac6fe3.txt:" in result.stdout


def test_build_unparsable_file_among_good_ones(tmp_path, broken_input):
    out = tmp_path / "g.ttl"
    result = invoke("build", broken_input, "-o", out)
    no_traceback(result)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert "ccus-kg build: read 5 files (4 policy records, 1 timeline compilations), skipped 1" == lines[0]
    assert "  problems      1 errors, 2 warnings, 0 info" in lines
    [error] = [l for l in lines if l.lstrip().startswith("error")]
    assert f"{broken_input / 'bad.md'}:5: parse-error: front matter is not valid JSON" in error
    # the graph of the good files is still written
    assert out.is_file()
    assert f"wrote {out}" in result.stdout
    assert len([r for r in select(KnowledgeGraph.load(out), "lineage-nodes") if r["kind"] == "policy"]) == 3


def test_build_strict_writes_nothing(tmp_path, broken_input):
    out = tmp_path / "g.ttl"
    report = tmp_path / "r.json"
    result = invoke("build", "--strict", broken_input, "-o", out, "--report", report)
    no_traceback(result)
    assert result.exit_code == 2
    assert "bad.md:5: front matter is not valid JSON" in result.stderr
    assert "ccus-kg: error: --strict: 1 input file(s) could not be read; nothing written" in result.stderr
    assert not out.exists() and not report.exists()
    assert list(tmp_path.iterdir()) == []


def test_build_strict_with_good_input_is_fine(tmp_path):
    result = invoke("build", "--strict", SEEDS, "-o", tmp_path / "g.ttl", "--no-validate")
    assert result.exit_code == 0 and (tmp_path / "g.ttl").is_file()


def test_build_missing_input_path(tmp_path):
    result = invoke("build", tmp_path / "nowhere", SEEDS, "-o", tmp_path / "g.ttl", "--no-validate")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere'}: not-found: no such file or folder" in result.stdout


def test_build_into_a_path_whose_parent_is_a_file(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("build", SEEDS, "-o", blocker / "ccus.ttl", "--no-validate")
    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ccus-kg: error: cannot write {blocker / 'ccus.ttl'}: ")
    assert str(blocker) in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_build_onto_a_folder_fails_after_writing_and_leaves_no_partial_file(tmp_path):
    """The temporary file is written, then cannot replace a folder: it is removed, exit 2."""
    target = tmp_path / "ccus.ttl"
    target.mkdir()
    result = invoke("build", SEEDS, "-o", target, "--no-validate")
    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ccus-kg: error: cannot write {target}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ccus.ttl"]
    assert list(target.iterdir()) == []


def test_build_report_into_a_bad_path(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    result = invoke("build", SEEDS, "-o", tmp_path / "g.ttl", "--report", blocker / "r.json", "--no-validate")
    no_traceback(result)
    assert result.exit_code == 2
    assert f"ccus-kg: error: cannot write {blocker / 'r.json'}" in result.stderr


def test_build_bad_option():
    result = invoke("build", "--max-problems", "many")
    assert result.exit_code == 2
    assert "Invalid value for '--max-problems'" in result.stderr


def test_build_replaces_an_existing_graph(tmp_path):
    out = tmp_path / "g.ttl"
    out.write_text("stale", encoding="utf-8")
    assert invoke("build", SEEDS, "-o", out, "--no-validate").exit_code == 0
    assert "stale" not in out.read_text(encoding="utf-8")
    assert len(KnowledgeGraph.load(out)) > 500


# --------------------------------------------------------------------------------------------
# the program


def test_group_help_and_version():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    for command in ("build", "validate", "query", "lineage", "export", "timeline"):
        assert command in result.stdout
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("ccus-kg, version ")


def test_build_help():
    result = invoke("build", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    for option in ("--output", "--report", "--strict", "--no-validate", "--verbose", "--max-problems"):
        assert option in result.stdout


def test_unknown_command():
    result = invoke("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "ccus_kg", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout and "Example" in proc.stdout


def test_console_script_build_and_error(tmp_path):
    script = BIN / "ccus-kg"
    if not script.exists():
        pytest.skip(f"no console script at {script}")
    out = tmp_path / "g.ttl"
    proc = subprocess.run([str(script), "build", str(SEEDS), "-o", str(out), "--no-validate"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "  policies      3" in proc.stdout.splitlines()
    assert out.is_file()
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    proc = subprocess.run([str(script), "build", str(SEEDS), "-o", str(blocker / "x.ttl"), "--no-validate"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("ccus-kg: error: cannot write")


def test_report_onto_the_graph_file_is_refused(tmp_path):
    out = tmp_path / "x.json"
    result = invoke("build", SEEDS, "-o", out, "--report", tmp_path / "." / "x.json")
    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr == (f"ccus-kg: error: --report {tmp_path / '.' / 'x.json'} is the same file as --output {out}; "
                             "the report would overwrite the graph\n")
    assert not out.exists()


def test_control_characters_in_data_are_escaped_in_output(tmp_path):
    (tmp_path / "p.md").write_text('---\n{"id": "evil\\nerror   forged.md:1: fake", "title": "T\\u001b[31m"}\n---\nb\n', encoding="utf-8")
    result = invoke("build", tmp_path, "-o", tmp_path / "g.ttl", "--no-validate", "-v")
    no_traceback(result)
    assert not any(line.startswith("error   forged.md") for line in result.stdout.splitlines())
    assert "(evil\\nerror   forged.md:1: fake)" in result.stdout
    assert "\x1b" not in result.output


def test_internal_error_has_its_own_exit_code_and_one_line(tmp_path, monkeypatch):
    import ccus_kg.build

    def broken(*_a, **_k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(ccus_kg.build, "build", broken)
    result = invoke("build", SEEDS, "-o", tmp_path / "g.ttl")
    assert result.exit_code == 3
    assert result.stderr == "ccus-kg: internal error: ZeroDivisionError: division by zero (a bug; run with --debug for the traceback)\n"
    assert "Traceback" not in result.output
    debug = invoke("--debug", "build", SEEDS, "-o", tmp_path / "g.ttl")
    assert debug.exit_code == 3 and "Traceback (most recent call last)" in debug.stderr


def test_a_bug_in_one_policy_does_not_cost_the_others(tmp_path, monkeypatch):
    from ccus_kg.rdf.policies import _PolicyConverter

    original = _PolicyConverter._provenance

    def buggy(self, s, policy_id, records):
        if policy_id == "cn-zero-carbon-parks":
            raise KeyError("boom")
        return original(self, s, policy_id, records)

    monkeypatch.setattr(_PolicyConverter, "_provenance", buggy)
    out = tmp_path / "g.ttl"
    result = invoke("build", SEEDS, "-o", out)
    no_traceback(result)
    assert result.exit_code == 2  # an error problem, like an unreadable file
    assert "internal-error: internal error while converting this policy (KeyError: 'boom'); it is left out" in result.stdout
    ids = {r["id"].value for r in KnowledgeGraph.load(out).query("SELECT ?id WHERE { ?p a ccus:Policy ; ccus:inCorpus true ; dcterms:identifier ?id }")}
    assert ids == {"cn-miit-industrial-plan-2022", "cn-js-industrial-decarb-2022"}
