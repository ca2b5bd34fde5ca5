"""Tests for ccus_kg.ingest.timeline_parser on the seed compilation and on small odd documents.

Merging the parsed items into events: tests/test_timeline_merge.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ccus_kg.ingest.dates import DateValue
from ccus_kg.ingest.timeline_merge import merge_events
from ccus_kg.ingest.timeline_model import TimelineDocument, TimelineItem
from ccus_kg.ingest.timeline_parser import looks_like_timeline, parse_timeline

ROOT = Path(__file__).parents[1]
SEED = ROOT / "seeds" / "002_09cfd2b4524fa4a1.txt"
SEED_PATH = "seeds/002_09cfd2b4524fa4a1.txt"
ENVILIANCE = "https://enviliance.com/regions/east-asia/cn/report_8453"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc(seed_text: str) -> TimelineDocument:
    return parse_timeline(seed_text, SEED_PATH)


def item_named(doc: TimelineDocument, name: str) -> TimelineItem:
    found = [it for it in doc.items() if it.name == name]
    assert len(found) == 1, [it.name for it in doc.items()]
    return found[0]


def codes(doc: TimelineDocument) -> list[str]:
    return [p.code for p in doc.problems]


# --------------------------------------------------------------------------- the seed


def test_seed_is_detected_as_timeline(seed_text: str) -> None:
    assert looks_like_timeline(seed_text)
    for other in ("000_155eae0fb6f852c6.txt", "001_a635d66737dcffce.txt"):
        assert not looks_like_timeline((ROOT / "seeds" / other).read_text(encoding="utf-8"))


def test_seed_header(doc: TimelineDocument) -> None:
    assert doc.path == SEED_PATH
    assert doc.title == "江苏省工业领域碳排放关键节点相关政策与事件汇编"
    assert doc.analysis_time == "2025-05-01T16:56:12"
    assert doc.declared_node_count == 10


def test_seed_nodes(doc: TimelineDocument) -> None:
    assert len(doc.nodes) == 8
    assert [n.date.lexical for n in doc.nodes] == [
        "2019-03-01", "2020-01-01", "2021-03-01", "2022-03-01",
        "2022-11-01", "2022-12-01", "2023-03-01", "2023-11-16",
    ]
    assert [n.line for n in doc.nodes] == [8, 26, 37, 50, 82, 102, 120, 133]
    assert [n.kind for n in doc.nodes] == ["事件"] * 7 + ["季节性"]
    assert [n.confidence for n in doc.nodes] == [0.64, 0.67, 0.68, 0.68, 0.66, 0.66, 0.69, 0.65]
    assert [len(n.items) for n in doc.nodes] == [2, 1, 1, 4, 2, 2, 1, 2]


def test_seed_node_count_mismatch(doc: TimelineDocument) -> None:
    [problem] = [p for p in doc.problems if p.code == "node-count-mismatch"]
    assert problem.severity == "warning"
    assert "10" in problem.message and "8" in problem.message
    assert problem.file == SEED_PATH


def test_seed_problems_are_exactly_the_two_expected(doc: TimelineDocument) -> None:
    assert sorted(codes(doc)) == ["node-count-mismatch", "truncated-item"]


def test_xiangshui_explosion(doc: TimelineDocument) -> None:
    item = item_named(doc, "响水化工区爆炸事件")
    assert (item.node_index, item.number, item.line, item.end_line) == (1, 1, 12, 15)
    assert item.date is not None
    assert item.date.start == DateValue("2019-03-21", "day")
    assert item.date.start.precision == "day"
    assert item.date_label == "发生日期"
    assert item.region == "江苏省盐城市响水县"
    # impact text without the trailing [来源](…) link, the link itself is a source
    assert item.impact is not None
    assert item.impact.startswith("该爆炸造成78人遇难")
    assert item.impact.endswith("化工集聚区减至20处。")
    assert "来源" not in item.impact and "http" not in item.impact
    assert [(s.label, s.url) for s in item.sources] == [
        ("来源", "https://global.chinadaily.com.cn/a/201904/06/WS5ca7b145a3104842260b49de.html")
    ]
    # a title mentioned in the impact text is not what the item is about
    assert item.policy_titles == []
    assert item.complete


def test_month_with_remark(doc: TimelineDocument) -> None:
    item = item_named(doc, "江苏省化工企业及园区规模缩减规划")
    assert item.date is not None
    assert item.date.start == DateValue("2019-04", "month")
    assert item.date.start.xsd_type == "gYearMonth"
    assert item.date.remark == "爆炸事件后"
    assert item.date_label == "实施时间"


def test_other_field_labels(doc: TimelineDocument) -> None:
    kuncheng = item_named(doc, "昆承湖产业园区建设")
    assert kuncheng.date_label == "启动时间"
    assert kuncheng.scale == "不详"
    assert kuncheng.impact == "该园区建设可能改变当地产业格局和能源消耗模式，进而影响碳排放。"
    assert [s.label for s in kuncheng.sources] == ["江苏产业园区建设"]
    footprint = item_named(doc, "《关于加速建立产品碳足迹管理体系的意见》")
    assert footprint.responsible == "国家发改委等五部委"
    assert footprint.content == "提升重点产品碳足迹管理水平，推动相关行业绿色转型。"
    assert footprint.impact == "促进工业领域绿色低碳转型，减少碳排放。"  # from 预期效果
    assert footprint.policy_titles == ["关于加速建立产品碳足迹管理体系的意见"]
    assert footprint.region is None and footprint.extra == {}


def test_sub_bullet_fields(doc: TimelineDocument) -> None:
    item = item_named(doc, "《江苏省碳达峰实施方案》颁布")
    assert (item.node_index, item.number, item.line) == (5, 1, 86)
    assert item.date is not None and item.date.start.lexical == "2022-10-02"
    assert item.region == "江苏省"
    assert [s.url for s in item.sources] == [ENVILIANCE]
    assert item.policy_titles == ["江苏省碳达峰实施方案"]


def test_day_list_range(doc: TimelineDocument) -> None:
    item = item_named(doc, "江苏省重点产业园区能力建设研讨会")
    assert item.date_label == "举办时间"
    assert item.date is not None
    assert item.date.start == DateValue("2022-10-20", "day")
    assert item.date.end == DateValue("2022-10-25", "day")
    assert [d.lexical for d in item.date.dates] == ["2022-10-20", "2022-10-21", "2022-10-25"]
    assert item.region == "徐州市、南通市和连云港市"


def test_nothing_found_and_intro_lines_are_not_items(doc: TimelineDocument) -> None:
    names = [it.name or "" for it in doc.items()]
    assert len(names) == 15
    assert not any("未发现" in n for n in names)
    assert not any("期间" in n or "上述事项" in n for n in names)
    item_lines = {it.line for it in doc.items()}
    for line in (10, 22, 46, 84, 98, 129):
        assert line not in item_lines
    node3 = doc.nodes[2]
    assert (46, "未发现2021年3月(2020年12月至2021年05月)江苏省其他符合条件的具体重大事项。") in node3.notes
    assert [ln for ln, _ in doc.nodes[0].notes] == [10, 22]
    # items end before the summary paragraph that follows them
    assert item_named(doc, "江苏省化工企业及园区规模缩减规划").end_line == 20


def test_truncated_last_item(doc: TimelineDocument) -> None:
    item = item_named(doc, "《江苏省工业领域及重点行业碳达峰实施方案》")
    assert (item.node_index, item.number, item.line, item.end_line) == (8, 2, 142, 146)
    assert item.complete is False
    assert item.impact == "推动江苏省工业领域"  # kept as far as it goes
    assert item.responsible == "江苏省发改委、工信厅、生态环境厅等"
    assert item.sources == []
    assert item.policy_titles == ["江苏省工业领域及重点行业碳达峰实施方案"]
    [problem] = [p for p in doc.problems if p.code == "truncated-item"]
    assert problem.severity == "warning"
    assert problem.file == SEED_PATH
    assert problem.line == 142
    assert problem.field == "预期效果"
    assert "line 146" in problem.message and "推动江苏省工业领域" in problem.message
    # every other item is complete
    assert [it.complete for it in doc.items()].count(False) == 1


# --------------------------------------------------------------------------- odd documents


def test_crlf_bom_and_inline_variants() -> None:
    text = (
        "\ufeff# 标题\r\n分析时间: 2024-01-02 03:04:05\r\n共收录 1 个重要节点\r\n\r\n"
        "## Node: 2024-01-01 (event) - confidence: 80%\r\n\r\n"
        "1. **事项名称:** 测试事项\r\n"
        "   - **日期**: 2024/01/15\r\n"
        "   - **备注**：第一行\r\n"
        "     第二行\r\n"
        "   - **影响**：有影响 [a](https://a.example/x) [b](https://b.example/y/)\r\n"
        "2. **名称**：另一个\r\n"
        "**发生日期**：不详\r\n"
    )
    assert looks_like_timeline(text)
    doc = parse_timeline(text, "crlf.md")
    assert doc.title == "标题"
    assert doc.analysis_time == "2024-01-02T03:04:05"
    assert doc.declared_node_count == 1
    [node] = doc.nodes
    assert node.date == DateValue("2024-01-01", "day") and node.kind == "event" and node.confidence == 0.8
    first, second = node.items
    assert first.name == "测试事项"
    assert first.date is not None and first.date.start.lexical == "2024-01-15"
    assert first.extra == {"备注": "第一行\n第二行"}
    assert first.impact == "有影响"
    assert [s.url for s in first.sources] == ["https://a.example/x", "https://b.example/y/"]
    assert first.end_line == 11
    assert second.name == "另一个" and second.date is None
    [unparsed] = [p for p in doc.problems if p.code == "unparsed-date"]
    assert (unparsed.line, unparsed.field) == (13, "发生日期")
    assert "node-count-mismatch" not in codes(doc)
    assert "truncated-item" not in codes(doc)


def test_document_without_items() -> None:
    text = "# 空\n\n共收录 2 个重要节点\n\n## 节点: 2020-01-01 (事件) - 可信度: 0.5\n\n未发现符合条件的具体重大事项。\n"
    doc = parse_timeline(text, "empty.md")
    assert len(doc.nodes) == 1 and doc.nodes[0].items == []
    assert doc.nodes[0].notes == [(7, "未发现符合条件的具体重大事项。")]
    assert {"empty-node", "node-count-mismatch"} <= set(codes(doc))
    assert merge_events(doc) == []


def test_garbage_heading_and_stray_lines() -> None:
    text = (
        "# 标题\n"
        "## 节点: 不是日期 (事件) - 可信度: 高\n"
        "1. **事项名称**：被跳过\n"
        "**发生日期**：2020年\n"
        "## 节点: 2021-05-01 (事件) - 可信度: abc\n"
        "1. **发生日期**：2021年2月30日\n"
        "**区域**：某地\n"
        "**区域**：另一地\n"
        "**区域**：第三地\n"
        "\n"
        "**规模**：跨空行\n"
        "\n"
        "一段说明文字。\n"
        "**规模**：孤立字段\n"
        "3. **事项名称**：编号跳跃\n"
        "**时间**：2021年5月至3月\n"
        "## 其他章节\n"
        "1. **事项名称**：节点外\n"
    )
    assert looks_like_timeline(text)
    doc = parse_timeline(text, "odd.md")
    c = codes(doc)
    assert [n.date.lexical for n in doc.nodes] == ["2021-05-01"]
    bad = [p for p in doc.problems if p.code == "bad-node-heading"]
    assert [p.line for p in bad] == [2]
    assert ("unparsed-confidence", 5) in [(p.code, p.line) for p in doc.problems]
    first, second = doc.nodes[0].items
    assert first.name is None and first.region == "某地"
    assert first.extra == {"区域": "另一地\n第三地"}
    assert first.scale == "跨空行"  # a field after a blank line still belongs to the item
    assert first.end_line == 11
    assert (13, "一段说明文字。") in doc.nodes[0].notes
    assert ("item-without-name", 6) in [(p.code, p.line) for p in doc.problems]
    assert ("unparsed-date", 6) in [(p.code, p.line) for p in doc.problems]
    assert ("field-outside-item", 14) in [(p.code, p.line) for p in doc.problems]
    assert second.number == 3 and second.date is not None
    assert "date-range-reversed" in c and "item-numbering" in c and "duplicate-field" in c
    assert ("item-outside-node", 18) in [(p.code, p.line) for p in doc.problems]
    assert all(p.file == "odd.md" for p in doc.problems)


def test_not_a_timeline() -> None:
    assert not looks_like_timeline('---\n{"id": "x"}\n---\n## 节点: 2020-01-01\n')
    assert not looks_like_timeline("---\nid: x\n---\n## 节点: 2020-01-01\n")
    assert not looks_like_timeline("# Just a title\n\nSome text.\n")
    assert not looks_like_timeline("")
    doc = parse_timeline("", "blank.md")
    assert doc.nodes == [] and {"no-nodes", "missing-title"} <= set(codes(doc))


def test_truncation_needs_an_unfinished_ending() -> None:
    base = "# T\n## 节点: 2020-01-01 (事件) - 可信度: 0.5\n1. **事项名称**：A\n"
    finished = parse_timeline(base + "**信息来源**：[x](https://ex.org)", "t.md")
    assert finished.items()[0].complete and "truncated-item" not in codes(finished)
    cut = parse_timeline(base + "**信息来源**：[x](https://ex.o", "t.md")
    assert not cut.items()[0].complete
    [problem] = [p for p in cut.problems if p.code == "truncated-item"]
    assert problem.line == 3


def test_never_raises_on_random_input(seed_text: str) -> None:
    rng = random.Random(20250501)
    pieces = seed_text.splitlines() + [
        "## 节点:", "## 节点: 2020-13-45", "1.", "1. **", "**：", "- **x**:", "《未闭合", "[a](", "\r", "\ufeff",
        "## Node: 2020-01-01 (x) - confidence: 9", "2、 名称", "   - **影响**：", "---", "#",
    ]
    for _ in range(200):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        doc = parse_timeline(text, "fuzz.md")
        merge_events(doc)
        for problem in doc.problems:
            assert problem.file == "fuzz.md"
