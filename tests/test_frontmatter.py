"""Front matter: YAML (and JSON as YAML's subset) read without reinterpreting anything, with lines."""

from __future__ import annotations

import time

import pytest

from ccus_kg.errors import InputError
from ccus_kg.ingest.frontmatter import MAX_VALUES, parse_front_matter
from ccus_kg.ingest.loader import load_paths, read_policy_text


def test_yaml_flow_mapping_with_single_quotes_is_read():
    fm = parse_front_matter("{ 'id': 'x', 'title': 'It''s a title', 'evolution': { 'supersedes': ['y'] } }")
    assert fm.data == {"id": "x", "title": "It's a title", "evolution": {"supersedes": ["y"]}}
    assert fm.format == "yaml" and fm.problems == []


def test_yaml_1_1_values_stay_text():
    fm = parse_front_matter("id: 0123\ncountry: NO\nflag: true\nwhen: 2022-13-45\nscore: 55.7\nempty:\nnull_: ~\n")
    assert fm.data == {"id": "0123", "country": "NO", "flag": "true", "when": "2022-13-45", "score": "55.7",
                       "empty": None, "null_": None}


def test_explicit_tag_is_ignored_and_reported():
    fm = parse_front_matter("id: x\ntitle: !!binary aGVsbG8=\n", line_offset=1)
    assert fm.data["title"] == "aGVsbG8="
    (p,) = fm.problems
    assert (p.code, p.line, p.field, p.message) == (
        "yaml-tag-ignored", 3, "title", "explicit YAML tag !!binary is ignored; the value is kept as written")


@pytest.mark.parametrize("text, line", [
    ("id: a\ntitle: one\nid: b\n", 3),
    ('{\n  "id": "a",\n  "title": "one",\n  "id": "b"\n}', 4),
])
def test_duplicate_keys_are_reported_and_the_last_wins(text, line):
    fm = parse_front_matter(text)
    assert fm.data["id"] == "b"
    (p,) = fm.problems
    first = 1 if line == 3 else 2
    assert (p.code, p.line, p.field) == ("duplicate-key", line, "id")
    assert p.message == f"key 'id' is given twice (lines {first} and {line}); the last value is used"


def test_json_numbers_keep_their_text():
    fm = parse_front_matter('{"id": "x", "a": 55.7, "b": 1e999, "c": NaN, "d": true, "e": null, "f": 0123.5e1}'.replace("0123.5e1", "12"))
    assert fm.data == {"id": "x", "a": "55.7", "b": "1e999", "c": "NaN", "d": "true", "e": None, "f": "12"}
    assert fm.format == "json"


def test_lone_surrogate_is_replaced_and_reported_pairs_are_kept():
    fm = parse_front_matter('{\n"id": "x",\n"title": "bad \\ud800 here",\n"ok": "\\ud83d\\ude00"\n}', line_offset=1)
    assert fm.data["title"] == "bad \ufffd here" and fm.data["ok"] == "\U0001f600"
    (p,) = fm.problems
    assert (p.code, p.line, p.field) == ("lone-surrogate", 4, "title")
    assert p.message == "title holds a lone UTF-16 surrogate escape (\\ud800–\\udfff), which is not a character; replaced by U+FFFD"
    # YAML writes an astral character as two escapes: they are joined, silently
    assert parse_front_matter('t: "\\ud83d\\ude00"').data["t"] == "\U0001f600"


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        parse_front_matter("\n".join(lines), path="bomb.md", line_offset=1)
    assert time.perf_counter() - t0 < 5
    assert str(info.value).startswith("bomb.md:")
    assert info.value.message == (f"front matter holds more than {MAX_VALUES} values (YAML aliases expanding like a "
                                  "'billion laughs'?); refused")


def test_key_lines_are_kept_for_nested_fields():
    text = '---\n{\n  "id": "x",\n  "analysis": {\n    "mrv": {\n      "score": 55.7\n    }\n  },\n  "l": [1, 2]\n}\n---\nbody'
    r = read_policy_text(text, "p.md")
    assert r.lines["analysis.mrv.score"] == 6 and r.lines["l[1]"] == 9 and r.lines["id"] == 3
    assert r.line_of("analysis.mrv.label") == 5  # missing: its parent's line
    assert r.line_of("title") == 1  # missing at top level: the opening ---


def test_not_json_but_yaml_is_read_with_a_warning():
    r = read_policy_text('---\n{\n  "id": "x",\n  "title": "t",\n}\n---\n', "p.md")
    assert r.data == {"id": "x", "title": "t"}
    (p,) = r.problems
    assert (p.code, p.line, p.file, p.subject) == ("not-json", 5, "p.md", "x")


def test_neither_json_nor_yaml_names_both():
    with pytest.raises(InputError) as info:
        read_policy_text('---\n{\n  "id": "x",\n  ]\n}\n---\n', "p.md")
    assert str(info.value) == ("p.md:4: front matter is not valid JSON: Expecting property name enclosed in double quotes "
                               "(column 3); nor valid YAML: expected the node content, but found ']'")


def test_deep_nesting_is_refused():
    with pytest.raises(InputError) as info:
        parse_front_matter("{\"id\": " + "[" * 5000 + "]" * 5000 + "}")
    assert "nests lists/mappings deeper than" in info.value.message


def test_id_must_be_text(tmp_path):
    (tmp_path / "a.md").write_text("---\nid: [1, 2]\n---\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nid: 0123\ntitle: NO\n---\n", encoding="utf-8")
    result = load_paths([tmp_path])
    (p,) = result.problems
    assert (p.code, p.line, p.field) == ("parse-error", 2, "id")
    assert p.message == "record has no 'id' (expected a non-empty string, found a list)"
    (record,) = result.records
    assert record.id == "0123" and record.data["title"] == "NO"
