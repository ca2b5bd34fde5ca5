"""Incremental SHACL validation of the store (ccus_kg.incremental): after each rebuild the kept and
re-validated results together are exactly a whole validation of the store.

Each step edits the input as a curator would, including edits that make or remove a fault across
records on a focus node other than the edited one (a supersedes cycle reported on its smallest
member, a likely duplicate reported on the other policy, an in-force policy's replacement going out
of force), and compares the build's report with :func:`ccus_kg.validate.validate` on the store.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from corpus import SEEDS, corpus_slice
from helpers import write_synthetic

from ccus_kg import incremental
from ccus_kg.focus import Focus, restrict_query
from ccus_kg.incremental import RESULTS_FILE, _fingerprint, join_keys, load_reach, named_iris
from ccus_kg.kept_results import KEPT_NAME, KeptResults
from ccus_kg.resources import queries_dir
from ccus_kg.shapes import load_sparql_rules
from ccus_kg.store import PolicyStore, build_into_store
from ccus_kg.validate import validate

POLICY = "https://w3id.org/ccus-kg/id/policy/"


def _edit(path: Path, **changes) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    data = json.loads(head)
    for key, value in changes.items():
        if key == "evolution":
            data["evolution"] = {**data.get("evolution", {}), **value}
        else:
            data[key] = value
    path.write_text("---\n" + json.dumps(data, ensure_ascii=False, indent=2) + sep + body, encoding="utf-8")


def _rebuild(folder: Path, store: Path, incremental: bool = True):
    """Rebuild with SHACL; the report must equal a whole validation of the store."""
    step = build_into_store([folder], store, validate=True)
    assert step.validation_scope.startswith("incremental") == incremental, step.validation_scope
    with PolicyStore.open(store, read_only=True) as ps:
        whole = validate(ps.graph())
    got, expected = [r.as_dict() for r in step.validation.results], [r.as_dict() for r in whole.results]
    if got != expected:
        extra = [r for r in got if r not in expected][:5]
        missing = [r for r in expected if r not in got][:5]
        pytest.fail(f"incremental report differs from a whole validation\nonly incremental: {extra}\nonly whole: {missing}")
    assert step.validation.conforms == whole.conforms and step.validation.triples == whole.triples
    return step


def _kept(store: Path) -> tuple[tuple[set[str], set[str]], bool]:
    """The pending changes of the store's kept results, and whether a build can use them."""
    kept = KeptResults.open(store)
    try:
        return kept.pending(), kept.usable(_fingerprint("oxigraph"))
    finally:
        kept.close()


def _results(step, rule: str) -> list[tuple[str, str | None]]:
    return sorted((r.focus_node.removeprefix(POLICY), (r.value or "").removeprefix(POLICY))
                  for r in step.validation.results if r.shape.endswith("#" + rule))


@pytest.fixture()
def folder(tmp_path) -> Path:
    """20 corpus policies (en + zh), the synthetic lineage records (a → b → c, in force) and a seed timeline."""
    root = corpus_slice(tmp_path / "in", 20)
    write_synthetic(root / "synthetic")
    shutil.copy(next(SEEDS.glob("*.txt")), root / "timeline.txt")
    return root


def test_incremental_reports_equal_whole_validations(folder, tmp_path):
    store = tmp_path / "store"
    syn = folder / "synthetic"
    first = _rebuild(folder, store, incremental=False)  # nothing kept yet: validated in full
    assert (store / RESULTS_FILE).exists() and first.validation.results

    again = _rebuild(folder, store)  # nothing changed: nothing validated again
    assert again.validation_scope.startswith("incremental: 0 focus nodes")
    assert again.validation.results == first.validation.results

    en = sorted((folder / "en").glob("*.md"))
    _edit(en[0], title="An amended title")  # one file of a two-file policy
    _rebuild(folder, store)
    _edit(en[1], country="Norway", source="Ministry of Petroleum and Energy")  # shared identity nodes change
    _rebuild(folder, store)

    # a supersedes cycle a → b → c → a, reported on its smallest member (us-syn-a), made by editing c
    _edit(syn / "c.md", evolution={"supersedes": ["us-syn-a"]})
    step = _rebuild(folder, store)
    assert [f for f, _v in _results(step, "ReplacementCycle")] == ["us-syn-a"]
    _edit(syn / "c.md", evolution={"supersedes": []})  # and removed again
    step = _rebuild(folder, store)
    assert _results(step, "ReplacementCycle") == []

    # a likely duplicate: d takes a's title; reported on a (the smaller IRI), the record not edited
    _edit(syn / "d.md", title="Synthetic Rule A")
    step = _rebuild(folder, store)
    assert ("us-syn-a", "us-syn-d") in _results(step, "LikelyDuplicate")
    assert "LikelyDuplicate" not in step.validation_scope  # by its join keys, not in full
    _edit(syn / "d.md", title="Synthetic Standalone D")
    step = _rebuild(folder, store)
    assert _results(step, "LikelyDuplicate") == []
    _edit(syn / "d.md", title="Synthetic Rule A", country="Canada")  # same title, another jurisdiction: no pair
    step = _rebuild(folder, store)
    assert _results(step, "LikelyDuplicate") == []
    _edit(syn / "d.md", title="Synthetic Standalone D", country="United States")
    _rebuild(folder, store)

    # b is in force although a, which replaces it, is in force: reported on b; a goes out of force
    before = _results(step, "InForceAfterReplacement")
    assert ("us-syn-b", "us-syn-a") in before
    _edit(syn / "a.md", status="Repealed")
    step = _rebuild(folder, store)
    assert ("us-syn-b", "us-syn-a") not in _results(step, "InForceAfterReplacement")

    (syn / "b.md").unlink()  # a supersedes target disappears (its results go, dangling links come)
    step = _rebuild(folder, store)
    assert not any(r.focus_node == POLICY + "us-syn-b" and r.shape.endswith("#InForceAfterReplacement")
                   for r in step.validation.results)

    en[2].rename(en[2].with_name("renamed.md"))  # a rename: the results' file names change
    step = _rebuild(folder, store)
    assert not any(s.file.endswith("/" + en[2].name) for r in step.validation.results for s in r.sources)

    (folder / "broken.md").write_text("---\n{not json\n---\n", encoding="utf-8")  # an unreadable record
    _rebuild(folder, store)
    (folder / "timeline.txt").unlink()
    _rebuild(folder, store)

    last = _rebuild(folder, store)
    full = build_into_store([folder], store, validate=True, full_validation=True)  # --full-validation
    assert full.validation_scope == "full" and full.validation.results == last.validation.results


def test_builds_without_validation_pass_their_changes_on(folder, tmp_path):
    store = tmp_path / "store"
    build_into_store([folder], store, validate=True)
    _edit(folder / "synthetic" / "c.md", evolution={"supersedes": ["us-syn-a"]})
    build_into_store([folder], store)  # the store changes, unvalidated: the changed nodes are kept
    _edit(folder / "synthetic" / "d.md", title="Synthetic Rule A")
    build_into_store([folder], store)
    assert _kept(store)[0][0]
    step = _rebuild(folder, store)  # both changes are validated
    assert [f for f, _v in _results(step, "ReplacementCycle")] == ["us-syn-a"]
    assert ("us-syn-a", "us-syn-d") in _results(step, "LikelyDuplicate")
    assert _kept(store) == ((set(), set()), True)
    build_into_store([folder], store, engine="pyshacl")  # kept results are of the oxigraph engine only
    assert not _kept(store)[1]
    _rebuild(folder, store, incremental=False)
    kept = KeptResults.open(store)
    kept.finish("of another version")
    kept.close()
    _rebuild(folder, store, incremental=False)  # results of another version or shapes are not used
    _rebuild(folder, store, incremental=True)
    (store / KEPT_NAME).write_bytes(b"not a database\n")  # damaged kept results: a whole validation, no failure
    _rebuild(folder, store, incremental=False)
    _rebuild(folder, store, incremental=True)
    assert build_into_store([folder], store, validate=True, rebuild=True).validation_scope == "full"


def test_a_focus_restriction_gives_the_whole_validation_on_those_nodes(tmp_path):
    """validate(focus=…) with the queries restricted (VALUES ?this) equals the whole validation filtered."""
    write_synthetic(tmp_path / "in")
    _edit(tmp_path / "in" / "c.md", evolution={"supersedes": ["us-syn-a"]})
    build_into_store([tmp_path / "in", *SEEDS.glob("*.txt")], tmp_path / "store")
    rules = {r.iri for r in load_sparql_rules()}
    with PolicyStore.open(tmp_path / "store", read_only=True) as ps:
        whole = validate(ps.graph())
        nodes = frozenset(r.focus_node for r in whole.results[::2]) | {POLICY + "us-syn-c"}
        focus = Focus(core=nodes, rules={iri: nodes for iri in rules})
        part = validate(ps.graph(), focus=focus)
        pyshacl_part = validate(ps.graph(), focus=focus, engine="pyshacl")
        nothing = validate(ps.graph(), focus=Focus(core=frozenset(), rules={}))
    expected = [r for r in whole.results if r.focus_node in nodes]
    assert part.results == expected and len(expected) < len(whole.results)
    assert any(r.shape.endswith("#ReplacementCycle") for r in expected)
    assert pyshacl_part.results == expected
    assert nothing.results == []


def test_restrict_query_puts_values_only_where_the_solutions_are_joined():
    query = """PREFIX ex: <http://example.org/>
SELECT $this ?v WHERE {
  { SELECT $this (COUNT(?a) AS ?n) WHERE { $this ex:p ?a } GROUP BY $this }
  { $this ex:q ?v } UNION { $this ex:r ?v FILTER(REGEX(STR(?v), "^[0-9]{4}$")) }
  OPTIONAL { $this ex:s ?o }
  FILTER NOT EXISTS { $this ex:t ?v }
  MINUS { $this ex:u ?v }
  { SELECT ?v WHERE { ?this ex:w ?v } }
  { ?x ex:y ?v BIND(?x AS ?this) }
}"""
    out = restrict_query(query, ["http://example.org/a"])
    block = "VALUES ?this { <http://example.org/a> }"
    assert out.count(block) == 5  # outer group, the sub-select projecting $this, the two UNION branches, the OPTIONAL
    assert "OPTIONAL { " + block + "  $this ex:s ?o }" in out
    assert out.replace(" " + block + " ", "") == query
    assert '"^[0-9]{4}$"' in out  # braces in strings are not groups
    assert restrict_query("SELECT ?x WHERE { ?x ?p ?o }", ["http://example.org/a"]) == "SELECT ?x WHERE { ?x ?p ?o }"


def test_every_sparql_rule_has_a_reach_covering_its_query():
    """ontology/shapes-reach.yaml lists, for each SHACL-SPARQL rule, every IRI its query names: a
    query changed to read something else fails here (and runs in full until its entry is checked)."""
    reach, sources = load_reach()
    for rule in load_sparql_rules():
        entry = reach.get(rule.iri)
        assert entry is not None, f"{rule.iri}: no entry in ontology/shapes-reach.yaml"
        for text in [q for _c, q, _m in rule.constraints] + list(rule.target_selects):
            missing = named_iris(text) - entry.reads
            assert not missing, (f"{rule.iri} now reads {sorted(missing)}: check its paths in ontology/shapes-reach.yaml "
                                 "(which nodes the query reaches from $this), then add these IRIs to its reads")
    assert named_iris((queries_dir() / "record-sources.rq").read_text(encoding="utf-8")) <= sources.reads


def test_join_keys_hold_every_pair_the_rule_joins(tmp_path):
    """A rule's ``join`` key (ontology/shapes-reach.yaml) is its query's own: the key expression is
    the query's, and every pair the rule reports on a graph with duplicates shares a key."""
    reach, _sources = load_reach()
    joined = {iri: r for iri, r in reach.items() if r.join}
    assert joined, "no rule joins by key"
    write_synthetic(tmp_path / "in")
    _edit(tmp_path / "in" / "d.md", title="Synthetic Rule A")
    _edit(tmp_path / "in" / "c.md", title="SYNTHETIC rule a (draft)")
    build_into_store([tmp_path / "in"], tmp_path / "store")
    rules = {r.iri: r for r in load_sparql_rules()}
    with PolicyStore.open(tmp_path / "store", read_only=True) as ps:
        whole = validate(ps.graph())
        for iri, r in joined.items():
            var, key = r.join
            expression = key.split("BIND(", 1)[1].split(" AS ?k)")[0].replace("?t", "?u")
            assert all(expression in q for _c, q, _m in rules[iri].constraints), f"{iri}: the key is not the query's"
            assert all("?" + var in q for _c, q, _m in rules[iri].constraints)
            keys: dict[str, set[str]] = {}
            for node, k in join_keys(ps.graph(), key, None):
                keys.setdefault(node, set()).add(k)
            pairs = [(x.focus_node, x.value) for x in whole.results if x.shape == iri]
            assert pairs, f"{iri}: the fixture makes no pair"
            for f, g in pairs:
                assert keys.get(f, set()) & keys.get(g or "", set()), (f, g)
            assert dict(join_keys(ps.graph(), key, frozenset(p for p, _g in pairs))).keys() == {p for p, _g in pairs}


def test_a_new_build_date_validates_again_only_the_dates_it_passes(folder, tmp_path, monkeypatch):
    """FutureDate compares dates with the build date (by_date in ontology/shapes-reach.yaml), and its
    message does not name that date: on a new build date only the nodes with a date between the two
    build dates are validated again, and the report equals a whole validation (_rebuild) with the date
    moving forward (a date becomes past: its result goes), back (a result comes back), and forward
    again together with an edit that makes a new future date.  These jumps of years pass more than
    1/DATED_SHARE of this small graph's dated nodes (the rule then runs in full, cheaper at scale):
    DATED_SHARE 1 keeps the bounded path, and the last step, with the default, runs in full."""
    import datetime as dt

    future_iri = "https://w3id.org/ccus-kg/shapes#FutureDate"
    key_query = load_reach()[0][future_iri].dated[0]
    store = tmp_path / "store"

    def on(day: str) -> None:
        noon = dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(noon.timestamp())))

    on("2019-06-01")
    first = _rebuild(folder, store, incremental=False)
    results = {"2019-06-01": set(_results(first, "FutureDate"))}
    assert {("us-syn-a", "2024-03-01"), ("us-syn-b", "2020-06-01")} <= results["2019-06-01"]
    days = ["2019-06-01", "2023-01-01", "2020-01-01", "2024-06-01"]
    monkeypatch.setattr(incremental, "DATED_SHARE", 1)
    for before, day in zip(days, days[1:], strict=False):
        if day == "2024-06-01":
            _edit(folder / "synthetic" / "d.md", pubDate="2030-01-01")
        on(day)
        step = _rebuild(folder, store)  # equals a whole validation of the store
        assert step.validation.build_date == day
        assert "FutureDate" not in step.validation_scope, step.validation_scope
        results[day] = set(_results(step, "FutureDate"))
        low, high = min(before, day), max(before, day)
        with PolicyStore.open(store, read_only=True) as ps:
            keys = join_keys(ps.graph(), key_query, None)
        between = {n for n, k in keys if low < k <= high}
        late = {n for n, k in keys if k > day}  # the key is the rule's own comparison: each result's node has one
        assert {r.focus_node for r in step.validation.results if r.shape == future_iri} <= late
        validated = int(re.match(r"incremental: (\d+) focus nodes", step.validation_scope).group(1))
        # the nodes dated in between, <graph/data> (its build date changed) and the edited record's nodes
        assert between and validated <= len(between) + (1 if day != "2024-06-01" else 12), (validated, len(between))
    assert results["2023-01-01"] < results["2019-06-01"]  # dates passed, none came
    assert ("us-syn-b", "2020-06-01") not in results["2023-01-01"]
    assert ("us-syn-b", "2020-06-01") in results["2020-01-01"]  # the date moved back: a result comes back
    assert ("us-syn-a", "2024-03-01") not in results["2024-06-01"]
    assert ("us-syn-d", "2030-01-01") in results["2024-06-01"]

    monkeypatch.undo()  # the default share; 2024-06-01 → 2019-06-01 passes most dates: in full
    on("2019-06-01")
    step = _rebuild(folder, store)
    assert "in full: FutureDate" in step.validation_scope, step.validation_scope
    assert ("us-syn-b", "2020-06-01") in _results(step, "FutureDate")
