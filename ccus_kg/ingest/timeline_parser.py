"""Timeline compilations: Markdown files listing dated events under "nodes".

A compilation looks like this (the shape of ``seeds/002_09cfd2b4524fa4a1.txt``)::

    # 江苏省工业领域碳排放关键节点相关政策与事件汇编
    分析时间: 2025-05-01 16:56:12
    共收录 10 个重要节点的相关信息
    ---
    ## 节点: 2019-03-01 (事件) - 可信度: 0.64
    2019年3月(…)期间…的具体重大事项：          <- intro paragraph, not an item
    1. **事项名称**：响水化工区爆炸事件           <- item 1 of node 1
    **发生日期**：2019年3月21日                  <- field, inline …
       - **区域**：江苏省盐城市响水县              <- … or as a sub-bullet
    **影响范围**：…。[来源](https://…)          <- trailing link = a source
    未发现…其他符合条件的具体重大事项。           <- "nothing found" note, not an item

:func:`parse_timeline` turns the text into a :class:`TimelineDocument` (nodes, items,
fields, and :class:`~ccus_kg.model.Problem` records for everything odd); it never raises.
The same real event is often listed under several nodes; :func:`ccus_kg.ingest.timeline_merge.merge_events`
folds those listings into one :class:`~ccus_kg.ingest.timeline_model.MergedEvent` each.  No RDF here: see ``docs/MODEL.md`` for how
events become ``ccus:TimelineEvent`` resources.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ccus_kg.ingest.dates import DateValue, parse_date, parse_iso_date
from ccus_kg.ingest.timeline_model import SourceLink, TimelineDocument, TimelineItem, TimelineNode, canonical_url
from ccus_kg.model import Problem
from ccus_kg.text import unify_newlines

__all__ = ["looks_like_timeline", "parse_timeline"]


# --------------------------------------------------------------------------- labels

_NAME_LABELS = {"事项名称", "具体政策/事项", "具体政策", "事件名称", "政策名称", "事项", "名称",
                "name", "event", "item", "title", "policy"}
_DATE_LABELS = {"发生日期", "实施时间", "发布时间", "启动时间", "举办时间", "日期", "时间",
                "发生时间", "生效时间", "印发时间", "开工时间", "date", "dates", "time"}
_REGION_LABELS = {"区域", "地区", "地点", "region", "location", "place"}
_SCALE_LABELS = {"规模", "scale"}
_IMPACT_LABELS = {"影响", "影响范围", "预期效果", "impact", "expected effect"}
_CONTENT_LABELS = {"主要内容", "内容", "content", "main content", "description"}
_RESPONSIBLE_LABELS = {"责任单位", "发布单位", "发布机构", "实施单位", "responsible", "issuer",
                       "responsible body"}
_SOURCE_LABELS = {"信息来源", "来源", "资料来源", "参考来源", "参考资料", "链接",
                  "source", "sources", "reference", "references"}


def _norm_label(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().strip(":：").strip()).lower()


def _is_date_label(label: str) -> bool:
    norm = _norm_label(label)
    return norm in _DATE_LABELS or norm.endswith(("日期", "时间")) or norm.endswith(" date")


# --------------------------------------------------------------------------- line patterns

_H1 = re.compile(r"^#\s+(?P<text>.+?)\s*#*\s*$")
_NODE = re.compile(r"^##\s*(?:节点|node)\s*[:：]\s*(?P<rest>.*?)\s*$", re.I)
_NODE_REST = re.compile(
    r"^(?P<date>[^\s(（]+)\s*(?:[(（](?P<kind>[^)）]*)[)）])?\s*"
    r"(?:[-–—|]\s*(?:可信度|置信度|confidence)\s*[:：]\s*(?P<conf>[^\s]+))?\s*(?P<tail>.*)$",
    re.I,
)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*)$")
_RULE = re.compile(r"^\s{0,3}(?:-\s*){3,}$|^\s{0,3}(?:\*\s*){3,}$|^\s{0,3}(?:_\s*){3,}$")
_ITEM = re.compile(r"^\s{0,2}(?P<num>\d{1,6})(?:[.)）]\s+|、\s*)(?P<rest>.*)$")
_BOLD_FIELD = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:"
    r"\*\*(?P<l1>[^*\n]{1,40}?)\s*\*\*\s*[:：]|"  # **label**：
    r"\*\*(?P<l2>[^*\n]{1,40}?)\s*[:：]\s*\*\*"  # **label：**
    r")\s*(?P<value>.*)$"
)
_PLAIN_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?(?P<label>[^\s:：*#\[\]()]{1,12})\s*[:：]\s*(?P<value>.*)$")
_NOTHING_FOUND = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*)?(?:未发现|暂未发现|没有发现|未找到|未检索到|未查到|暂无|无符合|无相关|"
    r"no (?:other |further |additional )?(?:relevant|matching|qualifying|specific|significant)|nothing (?:else )?found)",
    re.I,
)
_ANALYSIS_TIME = re.compile(r"^\s*(?:分析时间|analysis time|analy[sz]ed at)\s*[:：]\s*(?P<value>.+?)\s*$", re.I)
_NODE_COUNT = re.compile(r"共收录\s*(?P<n>\d+)\s*个|(?P<n2>\d+)\s+(?:key |important )?nodes?\b", re.I)
_DATETIME = re.compile(
    r"(?P<d>\d{4}-\d{2}-\d{2})(?:[T\s]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
)
_LINK = re.compile(r"\[(?P<label>[^\]\n]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_BARE_URL = re.compile(r"https?://[^\s<>\"'）)\]]+")
_TRAILING_LINKS = re.compile(r"(?:[\s,，;；、]*" + _LINK.pattern + r")+[\s。.,，;；]*$")
_TITLE = re.compile(r"《(?P<title>[^《》\n]+)》")
_EMPHASIS = re.compile(r"\*\*|__")
#: The last character of a finished sentence or value (for spotting a cut-off item).
_FINISHED = re.compile(r"[。．.!！?？)）」』”\"'’》\]>…]\s*$")


def _strip_md(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()


def _field_match(line: str) -> tuple[str, str] | None:
    """``(label, value)`` when ``line`` is a field line, else None."""
    match = _BOLD_FIELD.match(line)
    if match:
        label = (match.group("l1") or match.group("l2") or "").strip()
        if label:
            return label, match.group("value")
    match = _PLAIN_FIELD.match(line)
    if match:
        norm = _norm_label(match.group("label"))
        known = (_NAME_LABELS | _REGION_LABELS | _SCALE_LABELS | _IMPACT_LABELS | _CONTENT_LABELS
                 | _RESPONSIBLE_LABELS | _SOURCE_LABELS)
        if norm in known or _is_date_label(norm):
            return match.group("label").strip(), match.group("value")
    return None


# --------------------------------------------------------------------------- detection


def _has_front_matter(text: str) -> bool:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return True
    first = stripped.split("\n", 1)[0].strip()
    return first in ("---", "+++")


_NODE_DETECT = re.compile(r"^##\s*(?:节点|node)\s*[:：]\s*\d{4}-\d{2}-\d{2}", re.I | re.M)


def looks_like_timeline(text: str) -> bool:
    """Tell a timeline compilation from a policy file by its content.

    In: the file's text (BOM and CRLF tolerated).  Out: True when some line is a node heading
    ``## 节点: YYYY-MM-DD`` (or ``## Node: YYYY-MM-DD``) and the file does not open with front
    matter (``---``/``+++`` or a JSON object, as policy records do).  Never raises.
    """
    if not isinstance(text, str):
        return False
    text = unify_newlines(text)
    if _has_front_matter(text):
        return False
    return _NODE_DETECT.search(text) is not None


# --------------------------------------------------------------------------- parsing


@dataclass(slots=True)
class _Field:
    label: str
    value: str
    line: int


@dataclass(slots=True)
class _RawItem:
    node: TimelineNode | None
    number: int
    line: int
    heading_text: str | None
    fields: list[_Field] = field(default_factory=list)
    end_line: int = 0
    after_blank: bool = False


class _Parser:
    def __init__(self, text: str, path: str):
        self.path = path
        self.raw_text = unify_newlines(text)
        self.ends_with_newline = self.raw_text.endswith("\n")
        lines = self.raw_text.split("\n")
        if self.ends_with_newline:
            lines.pop()
        self.lines = lines
        self.problems: list[Problem] = []
        self.doc = TimelineDocument(path=path, title="", analysis_time=None, declared_node_count=None)
        self.node: TimelineNode | None = None
        self.in_bad_node = False
        self.item: _RawItem | None = None
        self.raw_items: list[_RawItem] = []
        self.seen_node = False
        self.node_count_line = 1

    # -- helpers
    def problem(self, severity: str, code: str, message: str, line: int | None = None,
                field_name: str | None = None, subject: str | None = None) -> None:
        self.problems.append(Problem(severity=severity, code=code, message=message,  # type: ignore[arg-type]
                                     file=self.path, line=line, field=field_name, subject=subject))

    def close_item(self) -> None:
        if self.item is not None:
            self.raw_items.append(self.item)
            self.item = None

    def close_node(self) -> None:
        self.close_item()
        self.node = None
        self.in_bad_node = False

    def note(self, lineno: int, text: str) -> None:
        if self.node is not None:
            self.node.notes.append((lineno, text.strip()))

    # -- main loop
    def run(self) -> TimelineDocument:
        for lineno, line in enumerate(self.lines, start=1):
            try:
                self.line(lineno, line)
            except Exception as exc:  # pragma: no cover - defensive: a bad line is data
                self.problem("error", "parse-error", f"could not read line: {exc}", lineno)
        self.close_item()
        self.finish()
        return self.doc

    def header(self, lineno: int, line: str) -> bool:
        match = _ANALYSIS_TIME.match(line)
        if match and self.doc.analysis_time is None:
            value = match.group("value")
            dt = _DATETIME.match(value)
            if dt and parse_iso_date(dt.group("d")) is not None:
                hh, mm, ss = dt.group("h"), dt.group("mi"), dt.group("s")
                if hh is not None and (int(hh) > 23 or int(mm) > 59 or int(ss or 0) > 59):
                    self.problem("warning", "unparsed-analysis-time",
                                 f"analysis time {value!r} is not a valid time", lineno, "分析时间")
                    return True
                iso = dt.group("d")
                if hh is not None:
                    iso += f"T{int(hh):02d}:{mm}:{ss or '00'}"
                else:
                    iso += "T00:00:00"
                self.doc.analysis_time = iso
            else:
                self.problem("warning", "unparsed-analysis-time",
                             f"analysis time {value!r} is not YYYY-MM-DD HH:MM:SS", lineno, "分析时间")
            return True
        match = _NODE_COUNT.search(line)
        if match and self.doc.declared_node_count is None and not self.seen_node:
            self.doc.declared_node_count = int(match.group("n") or match.group("n2"))
            self.node_count_line = lineno
            return True
        return False

    def start_node(self, lineno: int, rest: str) -> None:
        self.close_node()
        self.seen_node = True
        match = _NODE_REST.match(rest)
        date: DateValue | None = None
        kind, conf_text = "", None
        if match:
            date = parse_iso_date(match.group("date"))
            kind = (match.group("kind") or "").strip()
            conf_text = match.group("conf")
        if date is None:
            span = parse_date(rest)
            date = span.start if span is not None else None
        if date is None:
            self.in_bad_node = True
            self.problem("warning", "bad-node-heading",
                         f"node heading has no readable date: {rest!r}; its items are skipped",
                         lineno, "节点")
            return
        confidence: float | None = None
        if conf_text:
            try:
                if conf_text.endswith("%"):
                    confidence = float(conf_text[:-1]) / 100
                else:
                    confidence = float(conf_text)
            except ValueError:
                self.problem("warning", "unparsed-confidence",
                             f"confidence {conf_text!r} is not a number", lineno, "可信度")
            else:
                if not math.isfinite(confidence):
                    self.problem("warning", "unparsed-confidence",
                                 f"confidence {conf_text!r} is not a finite number; not used", lineno, "可信度")
                    confidence = None
            if confidence is not None:
                if not 0.0 <= confidence <= 1.0:
                    self.problem("warning", "confidence-out-of-range",
                                 f"confidence {confidence} is outside 0..1", lineno, "可信度")
        node = TimelineNode(index=len(self.doc.nodes) + 1, line=lineno, date=date,
                            kind=kind, confidence=confidence)
        self.doc.nodes.append(node)
        self.node = node

    def line(self, lineno: int, line: str) -> None:
        stripped = line.strip()
        node_match = _NODE.match(stripped)
        if node_match:
            self.start_node(lineno, node_match.group("rest"))
            return
        heading = _HEADING.match(stripped)
        if heading:
            level = len(heading.group("hashes"))
            if level == 1 and not self.doc.title and not self.seen_node:
                self.doc.title = _strip_md(heading.group("text").strip().strip("#").strip())
                return
            if level <= 2:
                self.close_node()
                self.problem("info", "other-heading",
                             f"heading {stripped!r} is not a node heading; text under it is not read "
                             "as items", lineno)
                return
            self.close_item()
            self.note(lineno, stripped)
            return
        if not stripped:
            if self.item is not None:
                self.item.after_blank = True
            return
        if _RULE.match(line):
            self.close_item()
            return
        if not self.seen_node and self.header(lineno, stripped):
            return
        item_match = _ITEM.match(line)
        if item_match:
            self.close_item()
            rest = item_match.group("rest").strip()
            if _NOTHING_FOUND.match(rest):
                self.note(lineno, stripped)
                return
            self.start_item(lineno, int(item_match.group("num")), rest)
            return
        if _NOTHING_FOUND.match(stripped):
            self.close_item()
            self.note(lineno, stripped)
            return
        fld = _field_match(line)
        if fld is not None:
            if self.item is not None:
                self.item.fields.append(_Field(fld[0], fld[1], lineno))
                self.item.end_line = lineno
                self.item.after_blank = False
                return
            self.problem("warning", "field-outside-item",
                         f"field **{fld[0]}** is not under a numbered item", lineno, fld[0])
            self.note(lineno, stripped)
            return
        # plain text
        if self.item is not None and not self.item.after_blank:
            if self.item.fields:
                last = self.item.fields[-1]
                last.value = f"{last.value}\n{stripped}" if last.value.strip() else stripped
            else:
                self.item.heading_text = (f"{self.item.heading_text} {stripped}"
                                          if self.item.heading_text else stripped)
            self.item.end_line = lineno
            return
        self.close_item()
        if self.node is None and not self.in_bad_node and self.seen_node:
            self.problem("info", "text-outside-node", f"text outside any node: {stripped[:40]!r}", lineno)
        self.note(lineno, stripped)

    def start_item(self, lineno: int, number: int, rest: str) -> None:
        # an item outside any node is still collected (so its fields do not each raise a
        # problem) but dropped when items are built
        item = _RawItem(node=self.node, number=number, line=lineno, heading_text=None, end_line=lineno)
        fld = _field_match(rest)
        if fld is not None:
            item.fields.append(_Field(fld[0], fld[1], lineno))
        elif rest:
            item.heading_text = rest
        self.item = item
        if self.node is None and not self.in_bad_node:
            self.problem("warning", "item-outside-node",
                         f"item {number} ({_strip_md(rest)[:40]!r}) is not under a node heading; skipped",
                         lineno)

    # -- building items
    def finish(self) -> None:
        last_item = self.raw_items[-1] if self.raw_items else None
        for raw in self.raw_items:
            if raw.node is None:
                continue
            item = self.build_item(raw)
            if raw is last_item:
                self.check_truncation(raw, item)
            raw.node.items.append(item)
        self.check_truncated_tail(last_item)
        for node in self.doc.nodes:
            if not node.items:
                self.problem("info", "empty-node", f"node {node.index} ({node.date}) lists no items",
                             node.line)
            numbers = [it.number for it in node.items]
            if numbers and numbers != list(range(1, len(numbers) + 1)):
                self.problem("info", "item-numbering",
                             f"node {node.index} numbers its items {numbers}", node.line)
        if self.doc.declared_node_count is not None and self.doc.declared_node_count != len(self.doc.nodes):
            self.problem("warning", "node-count-mismatch",
                         f"header declares {self.doc.declared_node_count} nodes, {len(self.doc.nodes)} found", self.node_count_line)
        if not self.doc.title:
            self.problem("warning", "missing-title", "no '# title' line before the first node", 1)
        if not self.doc.nodes:
            self.problem("warning", "no-nodes", "no '## 节点: YYYY-MM-DD' heading found", 1)
        self.doc.problems = self.problems

    def build_item(self, raw: _RawItem) -> TimelineItem:
        assert raw.node is not None
        item = TimelineItem(node_index=raw.node.index, number=raw.number, line=raw.line,
                            end_line=max(raw.end_line, raw.line))
        seen_urls: set[str] = set()

        def add_links(text: str) -> None:
            found = [(m.group("label"), m.group("url")) for m in _LINK.finditer(text)]
            without_links = _LINK.sub(" ", text)
            found += [(u, u) for u in _BARE_URL.findall(without_links)]
            for label, url in found:
                key = canonical_url(url)
                if key and key not in seen_urls:
                    seen_urls.add(key)
                    item.sources.append(SourceLink(label=_strip_md(label).strip() or url, url=url.strip()))

        if raw.heading_text:
            add_links(raw.heading_text)
            item.name = _clean_text(raw.heading_text)
        for fld in raw.fields:
            label = _strip_md(fld.label)
            norm = _norm_label(label)
            add_links(fld.value)
            value = _clean_text(fld.value)
            if norm in _SOURCE_LABELS:
                if not _LINK.search(fld.value) and not _BARE_URL.search(fld.value):
                    if value:
                        self.problem("info", "source-without-url",
                                     f"source {value!r} has no URL", fld.line, label, item.name)
                        self.put_extra(item, label, value, fld.line)
                continue
            if norm in _NAME_LABELS:
                if item.name is None and value:
                    item.name = value
                elif value and value != item.name:
                    self.put_extra(item, label, value, fld.line)
                continue
            if _is_date_label(label) and item.date_label is None:
                item.date_label = label
                if value:
                    span = parse_date(value)
                    if span is None:
                        self.problem("warning", "unparsed-date",
                                     f"{label} {value!r} is not a date", fld.line, label, item.name)
                    else:
                        item.date = span
                        if span.invalid:
                            self.problem("warning", "invalid-date",
                                         f"{label} {value!r}: {', '.join(span.invalid)} is not a calendar date",
                                         fld.line, label, item.name)
                        if span.end is not None and span.end.last_day() < span.start.first_day():
                            self.problem("warning", "date-range-reversed",
                                         f"{label} {value!r} ends before it starts", fld.line, label, item.name)
                else:
                    self.problem("warning", "unparsed-date", f"{label} is empty", fld.line, label, item.name)
                continue
            slot = None
            if norm in _REGION_LABELS:
                slot = "region"
            elif norm in _SCALE_LABELS:
                slot = "scale"
            elif norm in _IMPACT_LABELS:
                slot = "impact"
            elif norm in _CONTENT_LABELS:
                slot = "content"
            elif norm in _RESPONSIBLE_LABELS:
                slot = "responsible"
            if slot is not None and getattr(item, slot) is None:
                if value:
                    setattr(item, slot, value)
                continue
            if value or slot is None:
                self.put_extra(item, label, value, fld.line)
        if not item.name:
            self.problem("warning", "item-without-name",
                         f"item {raw.number} of node {raw.node.index} has no 事项名称", raw.line)
        titles: list[str] = []
        for text in (item.name, item.content):
            for match in _TITLE.finditer(text or ""):
                title = match.group("title").strip()
                if title and title not in titles:
                    titles.append(title)
        item.policy_titles = titles
        return item

    def put_extra(self, item: TimelineItem, label: str, value: str, lineno: int) -> None:
        if label in item.extra:
            self.problem("info", "duplicate-field", f"field {label!r} given twice; values joined",
                         lineno, label, item.name)
            item.extra[label] = f"{item.extra[label]}\n{value}"
        else:
            item.extra[label] = value

    def check_truncation(self, raw: _RawItem, item: TimelineItem) -> None:
        """Mark the last item incomplete when it runs into an end of file mid-text."""
        if raw.end_line != len(self.lines):
            return
        last_line = self.lines[raw.end_line - 1]
        reasons: list[str] = []
        fld = raw.fields[-1] if raw.fields else None
        last_value = fld.value.rstrip() if fld else (raw.heading_text or "")
        if last_line.count("**") % 2 or last_line.count("《") > last_line.count("》") \
                or last_line.count("[") > last_line.count("]") \
                or last_line.count("(") + last_line.count("（") > last_line.count(")") + last_line.count("）"):
            reasons.append("an unclosed bracket or emphasis")
        if fld is not None and not fld.value.strip():
            reasons.append(f"an empty {fld.label} field")
        if not self.ends_with_newline and last_value and not _FINISHED.search(last_value):
            reasons.append("no final newline and an unfinished sentence")
        if not reasons:
            return
        item.complete = False
        where = f"field {fld.label}" if fld else "its name"
        tail = last_value[-20:]
        missing = ""
        if not item.sources:
            missing = "; it has no 信息来源"
        self.problem(
            "warning", "truncated-item",
            f"item {raw.number} of node {item.node_index} ({item.name or 'no name'}) is cut off by the end "
            f"of the file: it stops at line {raw.end_line} in {where} after '…{tail}' "
            f"({', '.join(reasons)}){missing}",
            raw.line, fld.label if fld else None, item.name,
        )

    def check_truncated_tail(self, last_item: _RawItem | None) -> None:
        """A file that stops mid-heading or mid-paragraph outside an item is reported too."""
        if self.ends_with_newline or not self.lines:
            return
        if last_item is not None and last_item.end_line == len(self.lines):
            return
        last = self.lines[-1].strip()
        if last and not _FINISHED.search(last) and not _RULE.match(last):
            self.problem("info", "truncated-file",
                         f"the file ends without a newline in mid-text: '…{last[-20:]}'", len(self.lines))


def _clean_text(value: str) -> str:
    """Field value without emphasis markers and trailing source links; inner links → label."""
    text = _TRAILING_LINKS.sub("", value)
    text = _LINK.sub(lambda m: m.group("label"), text)
    text = _strip_md(text)
    return "\n".join(part.strip() for part in text.split("\n")).strip()


def parse_timeline(text: str, path: str) -> TimelineDocument:
    """Parse a timeline compilation.

    In: the file's text (a BOM and CRLF/CR line endings are accepted) and its path (used only
    in problems).  Out: a :class:`TimelineDocument` with title, analysis time, declared node
    count, nodes with their items, and problems.  Never raises: a line that cannot be read
    becomes a :class:`~ccus_kg.model.Problem` carrying its line number.

    Rules: a node is a ``## 节点: YYYY-MM-DD (kind) - 可信度: x`` heading (``## Node:`` also);
    an item is a numbered line (``1.``, ``1)``, ``1、``) under a node; its fields are
    ``**label**：value`` lines, inline or as ``- `` sub-bullets, colon full- or half-width,
    up to the next item, heading, rule (``---``) or a blank line followed by plain text.  A
    plain line right after a field continues it.  "Nothing found" sentences (``未发现…``)
    and intro/summary paragraphs are node notes, not items.  The last item is marked
    incomplete (and a ``truncated-item`` warning given) when the file ends inside it
    mid-sentence.

    Problem codes: ``node-count-mismatch``, ``truncated-item``, ``item-without-name``,
    ``unparsed-date``, ``invalid-date``, ``date-range-reversed``, ``bad-node-heading``,
    ``unparsed-confidence``, ``confidence-out-of-range``, ``unparsed-analysis-time``,
    ``item-outside-node``, ``field-outside-item``, ``duplicate-field``,
    ``source-without-url``, ``empty-node``, ``item-numbering``, ``other-heading``,
    ``text-outside-node``, ``truncated-file``, ``missing-title``, ``no-nodes``,
    ``parse-error``.
    """
    if not isinstance(text, str):
        doc = TimelineDocument(path=path, title="", analysis_time=None, declared_node_count=None)
        doc.problems.append(Problem("error", "parse-error", f"expected text, got {type(text).__name__}", path))
        return doc
    return _Parser(text, path).run()
