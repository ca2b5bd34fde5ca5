"""Tests for ccus_kg.ingest.timeline_merge: items listed in several nodes of a compilation become one event.

Parsing: tests/test_timeline_parser.py.
"""

from __future__ import annotations

import pytest

from ccus_kg.ingest.dates import DateValue
from ccus_kg.ingest.timeline_merge import merge_events
from ccus_kg.ingest.timeline_model import TimelineDocument, canonical_url
from ccus_kg.ingest.timeline_parser import parse_timeline

SEED_NAME = "002_09cfd2b4524fa4a1.txt"
ENVILIANCE = "https://enviliance.com/regions/east-asia/cn/report_8453"


@pytest.fixture(scope="module")
def doc(seeds_dir) -> TimelineDocument:
    """The seed compilation, parsed."""
    return parse_timeline((seeds_dir / SEED_NAME).read_text(encoding="utf-8"), f"seeds/{SEED_NAME}")


# --------------------------------------------------------------------------- the seed


def test_merge_three_listings_of_the_carbon_peaking_plan(doc: TimelineDocument) -> None:
    events = merge_events(doc)
    [plan] = [e for e in events if any(canonical_url(s.url) == ENVILIANCE for s in e.sources)]
    assert plan.key == f"2022-10-02|{ENVILIANCE}"
    assert plan.names == ["江苏省碳达峰行动方案", "《江苏省碳达峰实施方案》颁布", "江苏省碳达峰实施规划"]
    assert plan.occurrences == [(4, 2, 59), (5, 1, 86), (6, 1, 104)]
    assert plan.date is not None and plan.date.start == DateValue("2022-10-02", "day")
    assert plan.date_from_node is False
    assert plan.date_label == "发布时间"
    assert plan.scale == "至2030年可再生能源装机总量突破90GW"  # first non-empty, node 4
    assert plan.impact == "促进工业及交通领域碳达峰"
    assert len(plan.sources) == 1
    assert plan.policy_titles == ["江苏省碳达峰实施方案"]
    assert plan.complete


def test_merged_event_count_on_seed(doc: TimelineDocument) -> None:
    # 15 items; the 2022-10-02 plan is listed 3 times -> 15 - 2 = 13 distinct events.
    # Same-date pairs that must NOT merge: the two 2022 items (different sources) and the
    # two 2023-11 items (one has no source, names differ).
    events = merge_events(doc)
    assert len(events) == 13
    assert len({e.key for e in events}) == 13
    assert sum(len(e.occurrences) for e in events) == 15
    assert [e.date.start.lexical for e in events if e.date] == [
        "2019-03-21", "2019-04", "2020-01-29", "2021", "2022", "2022-10-02", "2022-03",
        "2022-07", "2022-10-20", "2022", "2023-08-14", "2023-11", "2023-11",
    ]
    truncated = events[-1]
    assert truncated.key == "2023-11|name:《江苏省工业领域及重点行业碳达峰实施方案》"
    assert truncated.complete is False
    assert all(e.complete for e in events[:-1])


# --------------------------------------------------------------------------- merging rules


def _two_nodes(item_a: str, item_b: str) -> TimelineDocument:
    text = (
        "# T\n\n## 节点: 2022-01-01 (事件) - 可信度: 0.5\n\n" + item_a
        + "\n\n## 节点: 2022-06-01 (事件) - 可信度: 0.5\n\n" + item_b + "\n"
    )
    return parse_timeline(text, "t.md")


def test_merge_needs_same_start_date() -> None:
    doc = _two_nodes(
        "1. **事项名称**：A\n**发布时间**：2022年10月\n**信息来源**：[x](https://ex.org/a)",
        "1. **事项名称**：A\n**发布时间**：2022年10月2日\n**信息来源**：[x](https://ex.org/a)",
    )
    assert len(merge_events(doc)) == 2


def test_merge_canonicalises_urls() -> None:
    doc = _two_nodes(
        "1. **事项名称**：A\n**发布时间**：2022年10月2日\n**信息来源**：[x](HTTPS://Ex.ORG/a/#top)",
        "1. **事项名称**：B\n**发布时间**：2022-10-02\n**信息来源**：[y](https://ex.org:443/a)",
    )
    [event] = merge_events(doc)
    assert event.names == ["A", "B"]
    assert event.key == "2022-10-02|https://ex.org/a"
    assert len(event.sources) == 1
    assert canonical_url("HTTPS://Ex.ORG/a/#top") == "https://ex.org/a"
    assert canonical_url("http://ex.org:8080/p?q=1#f") == "http://ex.org:8080/p?q=1"


def test_merge_without_source_needs_equal_name_and_date() -> None:
    same = _two_nodes("1. **事项名称**：A\n**时间**：2022年", "1. **事项名称**：A\n**时间**：2022年")
    [event] = merge_events(same)
    assert event.key == "2022|name:A" and len(event.occurrences) == 2
    other = _two_nodes("1. **事项名称**：A\n**时间**：2022年", "1. **事项名称**：B\n**时间**：2022年")
    assert len(merge_events(other)) == 2


def test_item_without_date_takes_node_date() -> None:
    doc = _two_nodes("1. **事项名称**：A\n**区域**：江苏省", "1. **事项名称**：B\n**时间**：2023年")
    events = merge_events(doc)
    assert events[0].date is not None and events[0].date.start == DateValue("2022-01-01", "day")
    assert events[0].date_from_node is True
    assert events[1].date_from_node is False
