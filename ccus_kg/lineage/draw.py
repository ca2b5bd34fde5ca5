"""Draw the lineage graph as a picture (matplotlib; PNG or SVG), on the time-layered layout.

Edge kinds are drawn differently (colour and width, :data:`EDGE_STYLE`); inferred links are
dashed and lighter, stated ones solid, so one never looks like the other.  The legend sits in a
band above the lanes and covers nothing.  SVG output is byte-identical between runs (fixed
``svg.hashsalt``, no date in the metadata) and keeps text as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from ccus_kg.files import atomic_writer
from ccus_kg.lineage.fonts import picture_style
from ccus_kg.lineage.layout import FONT_SIZE, Layout, time_layout

__all__ = ["EDGE_STYLE", "draw"]

#: kind → (colour, line width in points, English legend text, Chinese legend text)
EDGE_STYLE: dict[str, tuple[str, float, str, str]] = {
    "replaces": ("#d7301f", 2.2, "supersedes (newer → older)", "替代（新 → 旧）"),
    "consolidates": ("#7b3294", 2.0, "consolidates (merged → part)", "合并（合并后 → 被合并）"),
    "implements": ("#1a9850", 1.8, "implements (lower level → higher)", "实施（下级 → 上级）"),
    "based_on": ("#2c7fb8", 1.5, "based on", "依据"),
    "cites": ("#8c8c8c", 0.9, "cites", "引用"),
}
_NODE = {"policy": "#2b8cbe", "missing": "#d7301f", "work": "#fdae61"}
_TITLES = {
    "en": ("CCUS policy lineage", "x: date (publication, else first timeline item) · lanes: {lanes}"),
    "zh": ("CCUS 政策沿革", "横轴：日期（发布日期，否则为最早的时间线事项）· 泳道：{lanes}"),
}
_LANE_KIND = {"en": {"level": "jurisdiction level", "family": "policy families"}, "zh": {"level": "法域层级", "family": "政策家族"}}


def _legend_handles(layout: Layout, lang: str) -> list[Any]:
    from matplotlib.lines import Line2D

    zh = lang == "zh"
    present = {d.get("kind") for *_e, d in layout.edges}
    handles: list[Any] = []
    for kind, (colour, width, en, zh_text) in EDGE_STYLE.items():
        if kind in present:
            handles.append(Line2D([], [], color=colour, lw=width, label=zh_text if zh else en))
    if any(d.get("inferred") for *_e, d in layout.edges):
        handles.append(Line2D([], [], color="#555555", lw=1.2, ls=(0, (4, 3)),
                              label="虚线 = 推断（待核实），实线 = 数据所述" if zh else "dashed = inferred (to confirm), solid = stated"))
    handles.append(Line2D([], [], ls="", marker="o", ms=7, color=_NODE["policy"], label="输入中的政策" if zh else "policy in the input"))
    handles.append(Line2D([], [], ls="", marker="o", ms=7, mfc="white", mec=_NODE["work"], mew=1.8,
                          label="仅以标题出现的文件" if zh else "work known by title only"))
    handles.append(Line2D([], [], ls="", marker="o", ms=7, mfc="white", mec=_NODE["missing"], mew=1.8,
                          label="不在输入中的政策" if zh else "policy not in the input"))
    return handles


def _note(layout: Layout, lang: str) -> str:
    h = layout.hidden
    parts = []
    if h.get("singletons"):
        parts.append(f"{h['singletons']} 项无家族关系的政策未显示" if lang == "zh" else f"{h['singletons']} policies with no family link not shown")
    if h.get("works"):
        parts.append(f"{h['works']} 个仅被引用的文件未显示" if lang == "zh" else f"{h['works']} cited-only works not shown")
    if h.get("citations"):
        parts.append(f"{h['citations']} 条家族外引用未显示" if lang == "zh" else f"{h['citations']} citations outside families not shown")
    if h.get("clusters"):
        parts.append(f"{h['clusters']} 个政策集群未绘制" if lang == "zh" else f"{h['clusters']} clusters not drawn")
    return ("；" if lang == "zh" else "; ").join(parts)


def _render(g: nx.DiGraph, layout: Layout, lang: str):
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, Rectangle

    lanes_top = max((top for _n, _b, top in layout.lanes), default=0.6)
    handles = _legend_handles(layout, lang)
    ncol = max(1, min(len(handles), int((layout.width - 0.4) / 2.3)))
    legend_rows = -(-len(handles) // ncol)
    layout.height = max(layout.height, lanes_top + 0.8 + legend_rows * 0.2)  # the header band holds the whole legend
    fig = plt.figure(figsize=(layout.width, layout.height), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(0, layout.height)
    ax.set_axis_off()
    # lanes
    for i, (name, bottom, top) in enumerate(layout.lanes):
        ax.add_patch(Rectangle((0.1, bottom), layout.width - 0.2, top - bottom, facecolor="#f4f4f4" if i % 2 == 0 else "#ffffff",
                               edgecolor="none", zorder=0))
        ax.text(0.2, (bottom + top) / 2, name, ha="left", va="center", fontsize=FONT_SIZE + 1, color="#222222", zorder=1)
    # time axis: one line per year, labelled under the lanes
    for year, x in layout.years:
        ax.plot([x, x], [0.45, lanes_top], color="#dddddd", lw=0.6, zorder=0.5)
        ax.text(x, 0.3, str(year), ha="center", va="center", fontsize=FONT_SIZE, color="#555555")
    if layout.undated_x is not None:
        ax.text(layout.undated_x, 0.3, "无日期" if lang == "zh" else "undated", ha="left", va="center", fontsize=FONT_SIZE, color="#555555")
    # edges, weakest first so the strong ones are on top
    order = list(EDGE_STYLE)[::-1]
    for u, v, d in sorted(layout.edges, key=lambda e: (order.index(e[2]["kind"]) if e[2]["kind"] in order else -1, e[0], e[1])):
        colour, width, *_ = EDGE_STYLE.get(d["kind"], ("#999999", 1.0, "", ""))
        (x1, y1), (x2, y2) = layout.pos[u], layout.pos[v]
        rad = 0.25 if abs(y1 - y2) < 0.05 else 0.12
        ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>", mutation_scale=11, color=colour, lw=width,
                                     ls=(0, (4, 3)) if d.get("inferred") else "-", alpha=0.75 if d.get("inferred") else 0.95,
                                     connectionstyle=f"arc3,rad={rad}", shrinkA=5, shrinkB=6, zorder=2))
    # nodes and labels
    for n in layout.nodes:
        data = g.nodes[n]
        x, y = layout.pos[n]
        if data.get("kind") == "work":
            ax.plot([x], [y], "o", ms=8, mfc="white", mec=_NODE["work"], mew=1.8, zorder=3)
        elif not data.get("in_corpus", True):
            ax.plot([x], [y], "o", ms=8, mfc="white", mec=_NODE["missing"], mew=1.8, zorder=3)
        else:
            ax.plot([x], [y], "o", ms=8, color=_NODE["policy"], zorder=3)
        label = "\n".join(layout.labels[n])
        # a white box under the edges, the text over them: an arrow into a node stays visible
        ax.text(x + 0.1, y, label, ha="left", va="center", fontsize=FONT_SIZE, linespacing=1.15, color="none", zorder=1.5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        ax.text(x + 0.1, y, label, ha="left", va="center", fontsize=FONT_SIZE, linespacing=1.15, color="#111111", zorder=4)
    if not layout.nodes:
        ax.text(layout.width / 2, 0.8, "此图中没有政策" if lang == "zh" else "no policies in this graph", ha="center", va="center")
    # header: title, subtitle, legend (a band of its own above the lanes)
    title, subtitle = _TITLES["zh" if lang == "zh" else "en"]
    ax.text(0.2, layout.height - 0.25, title, ha="left", va="center", fontsize=13)
    note = _note(layout, lang)
    ax.text(0.2, layout.height - 0.5, subtitle.format(lanes=_LANE_KIND["zh" if lang == "zh" else "en"][layout.mode])
            + (("；" if lang == "zh" else " · ") + note if note else ""), ha="left", va="center", fontsize=FONT_SIZE, color="#444444")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.15 / layout.width, (layout.height - 0.62) / layout.height),
              ncol=ncol, fontsize=FONT_SIZE - 0.5, frameon=False, handlelength=2.6, columnspacing=1.2, borderaxespad=0)
    return fig


def draw(g: nx.DiGraph, path: str | Path, fmt: str, *, lang: str = "en", lanes: str = "auto") -> Path:
    """Draw ``g`` into ``path`` as ``fmt`` (``png`` or ``svg``), atomically; returns the path.

    ``lang`` (``en``/``zh``) picks the titles used as labels; ``lanes`` as in
    :func:`~ccus_kg.lineage.layout.time_layout`.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    layout = time_layout(g, lang=lang, lanes=lanes)
    with picture_style():
        fig = _render(g, layout, lang)
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
        with atomic_writer(path, "wb") as handle:
            fig.savefig(handle, format=fmt, metadata=metadata or None, dpi=110 if fmt == "png" else 100)
        plt.close(fig)
    return path
