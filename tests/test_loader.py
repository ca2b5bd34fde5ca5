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
    lines = {r.id: r.line_of("id") for r in load_paths([tmp_path]).records}
    assert lines == {"a": 6, "b": 3, "c": 2}  # a: two leading blank lines; c: the line holding the id key


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
    assert len(result.records) == 5 and len(result.timelines) == 1
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in result.problems}
    # not JSON (no value after "title":), but valid YAML: read, with the JSON error's line
    assert by_file["broken.md"].code == "not-json" and by_file["broken.md"].line == 5
    assert by_file["broken.md"].message == ("front matter is written like JSON but is not valid JSON (Expecting value, column 1); "
                                            "it was read as a YAML flow mapping")
    assert by_file["latin1.md"].code == "unreadable" and "not UTF-8" in by_file["latin1.md"].message
    assert by_file["notes.txt"].code == "unknown-kind"
    assert ".hidden.md" not in by_file
    assert result.files_skipped == 2


def test_missing_path_is_reported(tmp_path):
    result = load_paths([tmp_path / "nope"])
    assert [p.code for p in result.problems] == ["not-found"]


def test_crlf_and_bom_are_read(tmp_path):
    (tmp_path / "w.md").write_bytes("\ufeff---\r\n{\"id\": \"w\", \"title\": \"Windows\"}\r\n---\r\nBody\r\n".encode("utf-8"))
    (record,) = load_paths([tmp_path]).records
    assert record.id == "w" and record.body == "Body"


def test_links_loops_and_fifos_are_reported_as_skipped(tmp_path):
    import os

    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "dangling").symlink_to("nowhere")
    os.mkfifo(tmp_path / "fifo")
    result = load_paths([tmp_path])
    assert result.files_read == 0 and result.files_skipped == 4
    got = {(p.file.rsplit("/", 1)[-1], p.code, p.message) for p in result.problems}
    assert got == {
        ("loop1", "not-a-file", "symlink loop (the link resolves to itself); skipped"),
        ("loop2", "not-a-file", "symlink loop (the link resolves to itself); skipped"),
        ("dangling", "not-a-file", "dangling symlink (its target 'nowhere' does not exist); skipped"),
        ("fifo", "not-a-file", "a FIFO (named pipe), not a regular file; skipped"),
    }
    # a FIFO named directly is not opened (that would block)
    assert [p.code for p in load_paths([tmp_path / "fifo"]).problems] == ["not-a-file"]


def test_same_file_name_in_two_folders_gives_two_sources(tmp_path, seeds_dir):
    for folder, seed in (("a", "001_a635d66737dcffce.txt"), ("b", "003_50fea39f06c8fb7a.txt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "p.md").write_bytes((seeds_dir / seed).read_bytes())
    files = load_paths([tmp_path / "a" / "p.md", tmp_path / "b" / "p.md"])
    assert sorted(files.source_keys.values()) == ["a/p.md", "b/p.md"]
    folders = load_paths([tmp_path / "a", tmp_path / "b"])
    assert sorted(folders.source_keys.values()) == ["a/p.md", "b/p.md"]
