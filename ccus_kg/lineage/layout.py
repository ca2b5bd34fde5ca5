"""Time-layered layout of the lineage graph (pure: graph in, positions in inches out).

x is the date (publication, else the earliest timeline item about the node; undated nodes
stand in a column left of the time axis); lanes are jurisdiction levels (international →
national → sub-national) or families.  Inside a lane, nodes go to the first row whose labels
leave room for theirs (greedy interval placement, in date order), so no two labels overlap.
Labels are short titles in the chosen language, wrapped to at most two lines; their widths are
estimated from the character count (Han: 1 em; other: 0.62 em at :data:`FONT_SIZE` points).
Everything is in inches, so the picture is as wide as its labels need and nothing is cut off.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import networkx as nx

from ccus_kg.lineage.analytics import families
from ccus_kg.lineage.model import FAMILY_KINDS, LEVELS
from ccus_kg.text import has_han, is_han

__all__ = ["Layout", "short_title", "time_layout", "FONT_SIZE"]

FONT_SIZE = 8.0  # points
_ROW = 0.46  # inches per row (two label lines and air)
_PER_YEAR = 1.25  # inches per year on the time axis
_LEFT = 1.9  # lane-label column
_UNDATED = 1.9
_TOP = 1.15
_BOTTOM = 0.55
_GAP = 0.12
_LANE_NAMES = {
    "en": {"international": "International", "national": "National", "sub-national": "Sub-national", "unknown": "Jurisdiction unknown"},
    "zh": {"international": "国际", "national": "国家", "sub-national": "省级及以下", "unknown": "法域不明"},
}
_BRACKETED = re.compile(r"\s*[(（\[【][^()（）\[\]【】]*[)）\]】]\s*")


def short_title(data: dict, lang: str, node_id: str, han: int = 12, other: int = 28) -> list[str]:
    """The label lines of a node: its title in ``lang`` (else the other language, else the id),
    bracketed parts dropped when enough remains, wrapped at ``han`` Han characters or ``other``
    other characters per line, two lines at most (the second ends in … when cut)."""
    first, second = ("label_zh", "label_en") if lang == "zh" else ("label_en", "label_zh")
    title = str(data.get(first) or data.get(second) or data.get("label") or node_id)
    stripped = _BRACKETED.sub(" ", title).strip()
    if len(stripped) >= 4:
        title = stripped
    if has_han(title):
        lines = [title[i:i + han] for i in range(0, len(title), han)]
    else:
        lines = textwrap.wrap(title, other) or [title]
    if len(lines) > 2:
        lines = [lines[0], lines[1][:-1].rstrip() + "…"]
    return lines


def _text_width(line: str) -> float:
    """Estimated width in inches of ``line`` at :data:`FONT_SIZE`."""
    ems = sum(1.0 if is_han(ch) or ch in "，。《》（）、：" else 0.62 for ch in line)
    return ems * FONT_SIZE / 72 * 1.05


def _year(date: str) -> float | None:
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date or "")
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    return year + (month - 1) / 12 + (day - 1) / 365


@dataclass
class Layout:
    """Where everything goes, in inches from the bottom-left corner.

    ``pos``: node → (x, y) of its dot; ``labels``: node → label lines; ``lanes``: (name, y_bottom,
    y_top); ``years``: (year, x) ticks; ``width``/``height``: the figure; ``nodes``/``edges``:
    what is drawn; ``hidden``: counts of what was left out (``singletons``, ``citations``,
    ``clusters``); ``plot_left``: x where the time axis (or undated column) starts.
    """

    pos: dict[str, tuple[float, float]]
    labels: dict[str, list[str]]
    lanes: list[tuple[str, float, float]]
    years: list[tuple[int, float]]
    width: float
    height: float
    nodes: list[str]
    edges: list[tuple[str, str, dict]]
    hidden: dict[str, int] = field(default_factory=dict)
    undated_x: float | None = None
    plot_left: float = _LEFT
    mode: str = "level"


def time_layout(g: nx.DiGraph, *, lang: str = "en", lanes: str = "auto") -> Layout:
    """Lay out ``g`` (a lineage graph) on a time axis.

    ``lanes``: ``level`` (jurisdiction levels; every policy and named work is drawn),
    ``family`` (one lane per family; nodes in no family are hidden and counted), or ``auto``
    (``level`` up to 40 nodes, else ``family``).  Cluster nodes are never drawn (counted in
    ``hidden['clusters']``).  Deterministic: the same graph gives the same layout.
    """
    drawable = [n for n, d in g.nodes(data=True) if d.get("kind") != "cluster"]
    mode = lanes if lanes != "auto" else ("level" if len(drawable) <= 40 else "family")
    hidden = {"clusters": sum(1 for _n, d in g.nodes(data=True) if d.get("kind") == "cluster")}
    names = _LANE_NAMES["zh" if lang == "zh" else "en"]
    lane_of: dict[str, str] = {}
    lane_order: list[str] = []
    lane_title: dict[str, str] = {}
    if mode == "family":
        fams = families(g)
        for fam in fams:
            lane_order.append(fam.id)
            head = short_title(g.nodes[fam.root], lang, fam.root, han=10, other=24)
            lane_title[fam.id] = f"{fam.id}  " + "\n      ".join(head)
            for m in fam.members:
                lane_of[m] = fam.id
        hidden["singletons"] = sum(1 for n in drawable if n not in lane_of and g.nodes[n].get("kind") == "policy")
        hidden["works"] = sum(1 for n in drawable if n not in lane_of and g.nodes[n].get("kind") == "work")
    else:
        for n in drawable:
            lane_of[n] = str(g.nodes[n].get("level") or "unknown")
        lane_order = [lv for lv in LEVELS if lv in lane_of.values()]
        lane_title = {lv: names[lv] for lv in LEVELS}
    nodes = [n for n in drawable if n in lane_of]
    keep = set(nodes)
    edges = [(u, v, d) for u, v, d in g.edges(data=True) if u in keep and v in keep and d.get("kind") != "member_of"]
    hidden["citations"] = sum(1 for u, v, d in g.edges(data=True) if d.get("kind") == "cites" and not (u in keep and v in keep))
    if mode == "level":
        hidden["citations"] = 0

    years = [y for y in (_year(str(g.nodes[n].get("date") or "")) for n in nodes) if y is not None]
    y0 = int(min(years)) if years else 2000
    y1 = int(max(years)) + 1 if years else 2001
    undated = any(_year(str(g.nodes[n].get("date") or "")) is None
                  and not any(_year(str(g.nodes[m].get("date") or "")) is not None for m in (*g.predecessors(n), *g.successors(n))
                              if m in keep) for n in nodes)
    plot_left = _LEFT + (_UNDATED if undated else 0.0)
    plot_width = max(6.0, (y1 - y0) * _PER_YEAR)

    labels = {n: short_title(g.nodes[n], lang, n) for n in nodes}
    xs: dict[str, float] = {}
    for n in nodes:
        y = _year(str(g.nodes[n].get("date") or ""))
        if y is not None:
            xs[n] = plot_left + (y - y0) / (y1 - y0) * plot_width
    for n in nodes:  # undated: just left of the dated nodes it is linked to (an older, unknown date), else the undated column
        if n not in xs:
            near = [xs[m] for m in (*g.predecessors(n), *g.successors(n)) if m in xs]
            xs[n] = max(_LEFT + 0.15, min(near) - 1.0 - max(_text_width(t) for t in labels[n]) * 0.5) if near else _LEFT + 0.15

    # rows: greedy interval placement per lane, in date order (then id)
    rows: dict[str, int] = {}
    lane_rows: dict[str, int] = {}
    for lane in lane_order:
        free: list[float] = []
        for n in sorted((n for n in nodes if lane_of[n] == lane), key=lambda n: (xs[n], n)):
            start = xs[n] - 0.08
            end = xs[n] + 0.1 + max(_text_width(line) for line in labels[n]) + _GAP
            for i, right in enumerate(free):
                if right <= start:
                    free[i] = end
                    rows[n] = i
                    break
            else:
                free.append(end)
                rows[n] = len(free) - 1
        lane_rows[lane] = max(1, len(free))

    lane_boxes: list[tuple[str, float, float]] = []
    pos: dict[str, tuple[float, float]] = {}
    top = _BOTTOM + sum(lane_rows[lane] * _ROW + 0.2 for lane in lane_order)
    y_cursor = top
    for lane in lane_order:
        height = lane_rows[lane] * _ROW + 0.2
        lane_boxes.append((lane_title.get(lane, lane), y_cursor - height, y_cursor))
        for n in nodes:
            if lane_of[n] == lane:
                pos[n] = (xs[n], y_cursor - 0.1 - (rows[n] + 0.5) * _ROW)
        y_cursor -= height
    right = max([plot_left + plot_width] + [pos[n][0] + 0.1 + max(_text_width(t) for t in labels[n]) for n in nodes])
    width = right + 0.35
    height = top + _TOP
    ticks = [(yr, plot_left + (yr - y0) / (y1 - y0) * plot_width) for yr in range(y0, y1 + 1)]
    return Layout(pos, labels, lane_boxes, ticks, width, height, nodes, edges, hidden,
                  _LEFT + 0.15 if undated else None, plot_left, mode)


def family_edges(layout: Layout) -> list[tuple[str, str, dict]]:
    """The edges of ``layout`` that join families (for tests and summaries)."""
    return [e for e in layout.edges if e[2].get("kind") in FAMILY_KINDS]
