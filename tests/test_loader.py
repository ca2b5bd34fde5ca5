"""Reading files: kinds by content, front matter in JSON or YAML, and bad input reported with its place."""

from __future__ import annotations

import pytest

from ccus_kg.errors import InputError
from ccus_kg.ingest.loader import load_paths, read_policy_text


def test_seeds_are_four_policy_records_and_one_timeline(seeds_dir):
    result = load_paths([seeds_dir])
    assert result.files_read == 5 and result.files_skipped == 0
    assert sorted(r.id for r in result.records) == ["cn-js-industrial-decarb-2022", "cn-miit-industrial-plan-2022",
                                                   "cn-miit-industrial-plan-2022", "cn-zero-carbon-parks"]
    assert len(result.timelines) == 1 and result.timelines[0].title.startswith("江苏省")
    # no en/ zh/ folder: the language comes from the text
    langs = {(r.id, r.lang, r.lang_evidence) for r in result.records}
    assert ("cn-miit-industrial-plan-2022", "en", "text") in langs and ("cn-miit-industrial-plan-2022", "zh", "text") in langs


def test_yaml_front_matter_and_folder_language(tmp_path):
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "p.md").write_text("---\nid: p1\ntitle: Only English title\npubDate: 2024-01-02\n---\nBody\n", encoding="utf-8")
    result = load_paths([tmp_path])
    (record,) = result.records
    assert record.front_matter_format == "yaml"
    assert record.lang == "zh" and record.lang_evidence == "folder"
    assert record.data["id"] == "p1" and record.body == "Body"


def test_record_line_is_the_line_of_its_top_level_id(tmp_path):
    (tmp_path / "a.md").write_text('\n\n---\n{\n  "analysis": {"x": {"id": "nested"}},\n  "id": "a"\n}\n---\nbody\n', encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: t\nid: b\n---\nbody\n", encoding="utf-8")
    (tmp_path / "c.md").write_text('---\n{"title": "t", "id": "c"}\n---\nbody\n', encoding="utf-8")
    lines = {r.id: r.line for r in load_paths([tmp_path]).records}
    assert lines == {"a": 6, "b": 3, "c": 1}  # a: two leading blank lines; c: no id line of its own


@pytest.mark.parametrize("text, line, needle", [
    ("---\n{\n  \"id\": \"x\",\n  \"title\": \"t\"\n  \"status\": 1\n}\n---\nbody", 5, "not valid JSON"),
    ("---\nid: [unclosed\n---\nbody", None, "not valid YAML"),
    ("---\n{\"id\": \"x\"}\nno closing fence", 1, "never closed"),
    ("---\n[1, 2]\n---\nbody", 2, "must be a mapping"),
    ("---\n{\"title\": \"no id\"}\n---\nbody", 2, "has no 'id'"),
])
def test_bad_front_matter_raises_input_error_with_line(text, line, needle):
    with pytest.raises(InputError) as info:
        read_policy_text(text, "bad.md")
    assert needle in str(info.value) and "bad.md" in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_a_broken_file_is_reported_and_the_others_are_still_read(tmp_path, seeds_dir):
    for f in seeds_dir.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "broken.md").write_text("---\n{\n  \"id\": \"oops\",\n  \"title\": \n}\n---\n", encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("---\nid: café\n---\n".encode("latin-1"))
    (tmp_path / "notes.txt").write_text("just some notes\n", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("---\nid: hidden\n---\n", encoding="utf-8")
    result = load_paths([tmp_path])
    assert len(result.records) == 4 and len(result.timelines) == 1
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in result.problems}
    assert by_file["broken.md"].code == "parse-error" and by_file["broken.md"].line == 5
    assert by_file["latin1.md"].code == "unreadable" and "not UTF-8" in by_file["latin1.md"].message
    assert by_file["notes.txt"].code == "unknown-kind"
    assert ".hidden.md" not in by_file
    assert result.files_skipped == 3


def test_missing_path_is_reported(tmp_path):
    result = load_paths([tmp_path / "nope"])
    assert [p.code for p in result.problems] == ["not-found"]


def test_crlf_and_bom_are_read(tmp_path):
    (tmp_path / "w.md").write_bytes("\ufeff---\r\n{\"id\": \"w\", \"title\": \"Windows\"}\r\n---\r\nBody\r\n".encode("utf-8"))
    (record,) = load_paths([tmp_path]).records
    assert record.id == "w" and record.body == "Body"
