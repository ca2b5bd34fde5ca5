"""``ccus-kg timeline`` on the seed graph: events in date order with their precision, filtered."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import invoke

from ccus_kg.query.timeline import COLUMNS

JS = "cn-js-industrial-decarb-2022"
MIIT = "cn-miit-industrial-plan-2022"
WORKSHOP = "江苏省重点产业园区能力建设研讨会"


def test_help_has_examples():
    result = invoke("timeline", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "ccus-kg timeline --jurisdiction CN-JS --from 2022 --to 2022-12" in result.stdout


def test_all_events_in_date_order(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "(19 events)"
    assert lines[0].split()[:4] == ["2019-03-21", "day", "timeline-item", "CN-JS"]
    assert lines[0].endswith("响水化工区爆炸事件")
    assert lines[1].split()[:2] == ["2019-04", "month"]  # the month event after the day event before it
    assert lines[3].split()[:2] == ["2021", "year"]
    text = result.stdout
    assert text.index("2019-03-21") < text.index("2019-04 ") < text.index("2020-01-29") < text.index("2021 ")


def test_table_row_content(seed_ttl):
    lines = invoke("timeline", "-g", seed_ttl).stdout.splitlines()
    [workshop] = [l for l in lines if WORKSHOP in l]
    assert workshop.startswith("2022-10-20/2022-10-25 day")
    [publication] = [l for l in lines if l.startswith("2022-08-01")]
    assert publication.split()[1:4] == ["day", "publication", "CN"]
    assert publication.endswith(f"[policy {MIIT}]")
    [incomplete] = [l for l in lines if l.endswith("(incomplete)")]
    assert "《江苏省工业领域及重点行业碳达峰实施方案》" in incomplete


def test_jurisdiction(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--jurisdiction", "CN-JS")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[-1] == "(15 events)"
    assert [l.split()[3] for l in lines[:-1]] == ["CN-JS"] * 15
    assert MIIT not in result.stdout and "cn-zero-carbon-parks" not in result.stdout
    assert f"[policy {JS}]" in result.stdout


def test_policy(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--policy", JS)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[-1] == "(2 events)"
    assert lines[0].startswith("2022-10-01") and "publication" in lines[0]
    assert lines[1].startswith("2026-02-08") and "last-audit" in lines[1]


def test_window_at_mixed_precision(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--jurisdiction", "CN-JS", "--from", "2022-10", "--to", "2022-10")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [l.split()[0] for l in lines[:-1]] == ["2022", "2022", "2022-10-01", "2022-10-02", "2022-10-20/2022-10-25"]
    assert lines[-1] == "(5 events)"


def test_from_inside_a_month(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--from", "2019-04-15", "--to", "2019-12")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("2019-04 ") and lines[1] == "(1 event)"


def test_from_inside_a_multi_day_event(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--from", "2022-10-24", "--to", "2022-10-24", "-f", "json")
    assert result.exit_code == 0
    assert [e["name"] for e in json.loads(result.stdout)] == ["江苏省关停不合格化工企业", "江苏省构建低碳高效产业体系", WORKSHOP]


def test_csv(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--policy", MIIT, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["date"], r["precision"], r["kind"], r["location"], r["about"]) for r in rows] == [
        ("2022-08-01", "day", "publication", "CN", MIIT), ("2026-02-08", "day", "last-audit", "CN", MIIT)]


def test_json(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--jurisdiction", "CN-JS", "--to", "2019", "-f", "json")
    assert result.exit_code == 0
    assert [(e["date"], e["precision"], e["name"]) for e in json.loads(result.stdout)] == [
        ("2019-03-21", "day", "响水化工区爆炸事件"), ("2019-04", "month", "江苏省化工企业及园区规模缩减规划")]


def test_nothing_found(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "--jurisdiction", "US")
    assert result.exit_code == 0
    assert result.stdout == "(0 events)\n"


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_bad_bound(seed_ttl, option):
    result = invoke("timeline", "-g", seed_ttl, option, "2019-13")
    assert result.exit_code == 2
    assert result.stderr == f"ccus-kg: error: {option} '2019-13': expected YYYY, YYYY-MM or YYYY-MM-DD\n"
    assert result.stdout == ""


def test_unknown_format(seed_ttl):
    result = invoke("timeline", "-g", seed_ttl, "-f", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_missing_graph(tmp_path):
    result = invoke("timeline", "-g", tmp_path / "none.ttl")
    assert result.exit_code == 2
    assert "no such graph file" in result.stderr
