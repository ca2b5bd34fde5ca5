"""ccus_kg.query.timeline on the seeds: filters, the mixed-precision date window, and rendering.

The seed timeline (seeds/002_…txt) lists Jiangsu events dated to the day (2019-03-21), the month
(2019年4月 → 2019-04) or the year (2022); a workshop runs 2022-10-20 … 2022-10-25.  The three
policy records add publication and last-audit events (CN-JS for the Jiangsu plan, CN for the others).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from ccus_kg.errors import TimelineFilterError
from ccus_kg.query.timeline import COLUMNS, events, render_events

JS = "cn-js-industrial-decarb-2022"
MIIT = "cn-miit-industrial-plan-2022"
PARKS = "cn-zero-carbon-parks"
WORKSHOP = "江苏省重点产业园区能力建设研讨会"
YEAR_2022 = ["江苏省关停不合格化工企业", "江苏省构建低碳高效产业体系"]


def dates(rows):
    return [r.get("date") for r in rows]


def names(rows):
    return [r.get("name") for r in rows]


def test_all_events_in_date_order(seed_graph):
    rows = events(seed_graph)
    assert len(rows) == 19
    assert dates(rows)[:4] == ["2019-03-21", "2019-04", "2020-01-29", "2021"]
    assert dates(rows)[-3:] == ["2026-02-08"] * 3
    assert dates(rows) == sorted(dates(rows))
    for row in rows:
        assert set(row) <= set(COLUMNS)


def test_same_date_sorted_by_name(seed_graph):
    rows = [r for r in events(seed_graph) if r["date"] == "2026-02-08"]
    assert names(rows) == [f"Last audit of record {p}" for p in (JS, MIIT, PARKS)]


def test_filter_by_policy(seed_graph):
    rows = events(seed_graph, policy=JS)
    assert [(r["date"], r["kind"], r["about"]) for r in rows] == [
        ("2022-10-01", "publication", JS), ("2026-02-08", "last-audit", JS)]
    assert events(seed_graph, policy="no-such-policy") == []


def test_filter_by_jurisdiction(seed_graph):
    js = events(seed_graph, jurisdiction="CN-JS")
    assert len(js) == 15  # 13 timeline events + publication and audit of the Jiangsu plan
    assert {r["location"] for r in js} == {"CN-JS"}
    assert {r.get("about") for r in js} == {None, JS}
    cn = events(seed_graph, jurisdiction="CN")  # includes Jiangsu
    assert len(cn) == 19
    assert events(seed_graph, jurisdiction="US") == []


def test_filter_by_jurisdiction_and_policy(seed_graph):
    assert events(seed_graph, jurisdiction="CN-JS", policy=MIIT) == []
    assert dates(events(seed_graph, jurisdiction="CN", policy=MIIT)) == ["2022-08-01", "2026-02-08"]


def test_month_event_kept_by_a_day_bound_inside_it(seed_graph):
    rows = events(seed_graph, jurisdiction="CN-JS", date_from="2019-04-15", date_to="2019-12-31")
    assert [(r["date"], r["precision"], r["name"]) for r in rows] == [("2019-04", "month", "江苏省化工企业及园区规模缩减规划")]


def test_day_event_before_the_bound_is_dropped(seed_graph):
    rows = events(seed_graph, date_from="2019-03-22", date_to="2019-04")
    assert dates(rows) == ["2019-04"]
    rows = events(seed_graph, date_from="2019-03", date_to="2019-03")
    assert names(rows) == ["响水化工区爆炸事件"]


def test_year_event_kept_by_a_month_window(seed_graph):
    rows = events(seed_graph, jurisdiction="CN-JS", date_from="2022-10", date_to="2022-10")
    assert [(r["date"], r["name"]) for r in rows] == [
        ("2022", YEAR_2022[0]), ("2022", YEAR_2022[1]),
        ("2022-10-01", "发布：江苏省工业绿色低碳转型行动方案 (CCUS 专项)"),
        ("2022-10-02", "《江苏省碳达峰实施方案》颁布"),
        ("2022-10-20", WORKSHOP),
    ]
    # the month events of March and July 2022 do not overlap October
    assert not {"2022-03", "2022-07"} & set(dates(rows))


def test_multi_day_event_kept_by_a_bound_inside_its_span(seed_graph):
    rows = events(seed_graph, jurisdiction="CN-JS", date_from="2022-10-24", date_to="2022-10-31")
    assert [(r["date"], r.get("end"), r["name"]) for r in rows] == [
        ("2022", None, YEAR_2022[0]), ("2022", None, YEAR_2022[1]), ("2022-10-20", "2022-10-25", WORKSHOP)]
    after = events(seed_graph, jurisdiction="CN-JS", date_from="2022-10-26", date_to="2022-10-31")
    assert names(after) == YEAR_2022


def test_only_a_lower_bound(seed_graph):
    rows = events(seed_graph, date_from="2024")
    assert [(r["date"], r["kind"]) for r in rows] == [("2024-01-15", "publication")] + [("2026-02-08", "last-audit")] * 3


def test_only_an_upper_bound(seed_graph):
    rows = events(seed_graph, date_to="2020")
    assert dates(rows) == ["2019-03-21", "2019-04", "2020-01-29"]


def test_upper_bound_at_day_precision_keeps_the_month_it_falls_in(seed_graph):
    rows = events(seed_graph, jurisdiction="CN-JS", date_from="2023-11-30", date_to="2023-11-30")
    assert dates(rows) == ["2023-11", "2023-11"]
    assert [r.get("incomplete") for r in rows] == [None, True]


def test_empty_window(seed_graph):
    assert events(seed_graph, date_from="2025-01-01", date_to="2025-12-31") == []
    assert events(seed_graph, date_from="2024-02", date_to="2023-01") == []  # from after to


@pytest.mark.parametrize("bound", ["2019-13", "2019-02-30", "2019-04-31", "last year", "19-04"])
def test_bad_bound(seed_graph, bound):
    with pytest.raises(TimelineFilterError) as err:
        events(seed_graph, date_from=bound)
    assert f"--from {bound!r}" in str(err.value)
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in str(err.value)
    with pytest.raises(TimelineFilterError, match=r"^--to "):
        events(seed_graph, date_to=bound)


# --------------------------------------------------------------------------------------------
# render_events


def test_render_table(seed_graph):
    text = render_events(events(seed_graph, jurisdiction="CN-JS", date_from="2022-10", date_to="2022-10"), "table")
    lines = text.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("2022 ") and "year" in lines[0] and "timeline-item" in lines[0] and "CN-JS" in lines[0]
    assert lines[2].startswith("2022-10-01") and lines[2].endswith(f"[policy {JS}]")
    assert lines[4].startswith("2022-10-20/2022-10-25") and lines[4].endswith(WORKSHOP)
    assert lines[-1] == "(5 events)"


def test_render_table_flags_incomplete_and_counts(seed_graph):
    text = render_events(events(seed_graph, date_from="2023-11", date_to="2023-11"))
    lines = text.splitlines()
    assert lines[1].endswith("《江苏省工业领域及重点行业碳达峰实施方案》 (incomplete)")
    assert not lines[0].endswith("(incomplete)")
    assert render_events([], "table") == "(0 events)\n"
    assert render_events(events(seed_graph, date_from="2021", date_to="2021")).splitlines()[-1] == "(1 event)"


def test_render_csv(seed_graph):
    text = render_events(events(seed_graph, policy=PARKS), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert [(r["date"], r["precision"], r["end"], r["kind"], r["location"], r["about"]) for r in rows] == [
        ("2024-01-15", "day", "", "publication", "CN", PARKS), ("2026-02-08", "day", "", "last-audit", "CN", PARKS)]
    assert rows[0]["event"] == f"https://w3id.org/ccus-kg/id/policy/{PARKS}/event/publication"


def test_render_json(seed_graph):
    data = json.loads(render_events(events(seed_graph, jurisdiction="CN-JS", date_from="2022-10-24", date_to="2022-10-24"), "json"))
    assert [d["name"] for d in data] == YEAR_2022 + [WORKSHOP]
    workshop = data[-1]
    assert workshop["date"] == "2022-10-20" and workshop["end"] == "2022-10-25"
    assert workshop["precision"] == "day" and workshop["place"] == "徐州市、南通市和连云港市"
    assert "about" not in workshop  # unbound values are left out
    assert list(workshop) == [k for k in COLUMNS if k in workshop]
    assert json.loads(render_events([], "json")) == []
