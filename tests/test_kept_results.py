"""The kept SHACL results of a store (ccus_kg.kept_results): rows dropped and added per rule and focus
node, join keys per node, and the state that makes an interrupted build's results unusable."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from ccus_kg.kept_results import KEPT_NAME, KeptResults
from ccus_kg.validate import SourceLocation, ValidationResult

RULE = "https://w3id.org/ccus-kg/shapes#LikelyDuplicate"
CORE = "https://w3id.org/ccus-kg/shapes#Policy-title"


def _result(shape: str, focus: str, value: str | None = None) -> ValidationResult:
    return ValidationResult("Info" if shape == RULE else "Violation", focus, None, value, "a message", shape,
                            "SPARQLConstraintComponent" if shape == RULE else "MinCountConstraintComponent",
                            "a label", (SourceLocation("in/en/a.md", 3),))


def test_results_are_dropped_and_added_per_rule_and_focus_node(tmp_path):
    kept = KeptResults.open(tmp_path)
    results = [_result(RULE, "http://x/a", "http://x/b"), _result(RULE, "http://x/c", "http://x/d"),
               _result(CORE, "http://x/a"), _result(CORE, "http://x/e")]
    kept.add(results, {RULE})
    assert sorted(kept, key=ValidationResult.key) == sorted(results, key=ValidationResult.key)
    kept.drop(RULE, {"http://x/a", "http://x/e"})  # the rule's result on a; core results stay
    assert sorted(r.focus_node + " " + r.shape for r in kept) == [
        "http://x/a " + CORE, "http://x/c " + RULE, "http://x/e " + CORE]
    kept.drop("", {"http://x/e"})  # the core constraints' results on e
    kept.drop(RULE, None)  # every result of the rule
    assert [r.focus_node for r in kept] == ["http://x/a"]
    moved = kept.on({"http://x/a"})
    kept.update((i, replace(r, sources=(SourceLocation("in/en/renamed.md", 3),))) for i, r in moved)
    assert [s.file for r in kept for s in r.sources] == ["in/en/renamed.md"]
    assert kept.on({"http://x/zzz"}) == [] and len(kept.on(None)) == 1
    kept.close()


def test_join_keys_are_replaced_per_node(tmp_path):
    kept = KeptResults.open(tmp_path)
    kept.set_keys(RULE, None, [("http://x/a", "US en title"), ("http://x/b", "US en title"), ("http://x/c", "CA en other")])
    assert kept.holders(RULE, {"US en title"}) == {"http://x/a", "http://x/b"}
    assert kept.keys_of(RULE, {"http://x/a", "http://x/c"}) == {"US en title", "CA en other"}
    kept.set_keys(RULE, {"http://x/b"}, [("http://x/b", "CA en other")])  # b's title changed
    assert kept.holders(RULE, {"US en title"}) == {"http://x/a"}
    assert kept.holders(RULE, {"CA en other"}) == {"http://x/b", "http://x/c"}
    assert kept.keys_of("https://w3id.org/ccus-kg/shapes#Other", {"http://x/a"}) == set()
    assert kept.rules_with_keys() == {RULE: 3}
    kept.close()


def test_only_results_finished_by_a_build_of_the_same_fingerprint_are_usable(tmp_path):
    kept = KeptResults.open(tmp_path)
    assert not kept.usable("f1")  # nothing written yet
    kept.add([_result(CORE, "http://x/a")], set())
    kept.finish("f1", ({"http://x/a", "http://x/v"}, {"http://x/a"}))
    kept.close()
    kept = KeptResults.open(tmp_path)
    assert kept.usable("f1") and not kept.usable("f2")
    assert kept.pending() == ({"http://x/a", "http://x/v"}, {"http://x/a"})
    kept.start()  # a build begins …
    kept.add([_result(CORE, "http://x/b")], set())
    kept.close()  # … and stops: what it did not commit is rolled back, and the results are not used
    kept = KeptResults.open(tmp_path)
    assert not kept.usable("f1") and [r.focus_node for r in kept] == ["http://x/a"]
    kept.clear()
    kept.finish("f1")
    assert kept.usable("f1") and list(kept) == [] and kept.pending() == (set(), set())
    kept.close()
    assert (tmp_path / KEPT_NAME).is_file()


def test_a_file_that_is_no_database_is_replaced_by_empty_results(tmp_path):
    (tmp_path / KEPT_NAME).write_bytes(b"SQLite format 2 and then some garbage\n" * 10)
    kept = KeptResults.open(tmp_path)
    assert not kept.usable("f1") and list(kept) == []
    kept.add([_result(CORE, "http://x/a")], set())
    kept.finish("f1")
    kept.close()
    kept = KeptResults.open(tmp_path)
    assert kept.usable("f1") and [r.focus_node for r in kept] == ["http://x/a"]
    kept.close()


def test_dates_between_two_build_dates(tmp_path):
    """The nodes whose FutureDate result a new build date can change: a key after the earlier date and
    not after the later one (the rule's FILTER: key > build date)."""
    kept = KeptResults.open(tmp_path)
    future = "https://w3id.org/ccus-kg/shapes#FutureDate"
    kept.set_keys(future, None, [("http://x/a", "2026-01-01"), ("http://x/b", "2026-11-23"), ("http://x/c", "2027-05-01")])
    assert kept.holders_between(future, "2026-11-22", "2026-11-23") == {"http://x/b"}  # after the first, not after the second
    assert kept.holders_between(future, "2026-01-01", "2026-11-22") == set()
    assert kept.holders_between(future, "2025-12-31", "2027-05-01") == {"http://x/a", "http://x/b", "http://x/c"}
    assert kept.holders_between(future, "2026-11-22", "2026-11-22") == set()
    kept.set_keys(future, ["http://x/c"], [("http://x/c", "2027-05-01"), ("http://x/c", "2028")])
    assert kept.key_count(future) == 3 and kept.key_count("https://w3id.org/ccus-kg/shapes#Other") == 0
    assert kept.date(future) is None
    kept.set_date(future, "2026-11-22")
    assert kept.date(future) == "2026-11-22"
    kept.finish("f1")
    kept.close()
    kept = KeptResults.open(tmp_path)
    assert kept.date(future) == "2026-11-22"
    kept.clear()
    assert kept.date(future) is None and kept.holders_between(future, "2000-01-01", "2100-01-01") == set()
    kept.close()


def test_with_closes_the_file_and_rolls_back_what_was_not_committed(tmp_path):
    with KeptResults.open(tmp_path) as kept:
        kept.add([_result(CORE, "http://x/a")], set())
        kept.commit()
        kept.add([_result(CORE, "http://x/b")], set())  # not committed
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        list(kept)
    with KeptResults.open(tmp_path) as again:
        assert [r.focus_node for r in again] == ["http://x/a"]
