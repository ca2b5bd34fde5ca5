"""An interactive, self-contained HTML view of the lineage graph (works offline: nothing from a CDN).

The page inlines vis-network (the copy the ``pyvis`` package ships, Apache-2.0/MIT) and the
graph as JSON; nodes sit where the time-layered layout puts them (x = date, lanes), physics off,
so the page is deterministic.  Zoom and pan with the mouse or the navigation buttons; hover a
node for its title, date, jurisdiction, agency and IRI, an edge for its kind, rule, confidence
and evidence; click a node to open its URL (a new tab).  The page writes the number of nodes it
drew into ``#node-count`` once vis-network has built the network.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import networkx as nx

from ccus_kg.errors import OutputError
from ccus_kg.files import atomic_writer
from ccus_kg.lineage.draw import EDGE_STYLE
from ccus_kg.lineage.layout import time_layout

__all__ = ["vis_network_js", "page", "write_html"]

_PX = 110  # pixels per inch of the layout


def vis_network_js() -> str:
    """The vis-network JavaScript bundled with ``pyvis``; raises :class:`OutputError` when missing."""
    try:
        import pyvis
    except ImportError:
        raise OutputError("the HTML view needs the pyvis package (pip install pyvis)") from None
    for version in ("vis-9.1.2", "vis-9.0.4"):
        path = Path(pyvis.__file__).parent / "lib" / version / "vis-network.min.js"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise OutputError("pyvis is installed but ships no vis-network.min.js")


def _tooltip(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)


def page(g: nx.DiGraph, *, lang: str = "en", lanes: str = "auto") -> str:
    """The HTML page (a str) for ``g``."""
    layout = time_layout(g, lang=lang, lanes=lanes)
    top = layout.height
    nodes = []
    for n in layout.nodes:
        d = g.nodes[n]
        x, y = layout.pos[n]
        kind = "work" if d.get("kind") == "work" else ("policy" if d.get("in_corpus", True) else "missing")
        colour = {"policy": "#2b8cbe", "work": "#fdae61", "missing": "#d7301f"}[kind]
        nodes.append({
            "id": n, "label": "\n".join(layout.labels[n]), "x": round(x * _PX, 1), "y": round((top - y) * _PX, 1),
            "url": d.get("url") or "",
            "title": _tooltip([d.get("label_zh", ""), d.get("label_en", ""), f"id: {n}",
                               f"date: {d.get('date', '')} ({d.get('date_source', '')})" if d.get("date") else "date: unknown",
                               f"jurisdiction: {d.get('jurisdiction', '')} ({d.get('level', '')})", f"agency: {d.get('agency', '')}"
                               if d.get("agency") else "", f"IRI: {d.get('iri', '')}", f"URL: {d['url']}" if d.get("url") else ""]),
            "color": {"background": colour if kind == "policy" else "#ffffff", "border": colour},
            "shape": "dot", "size": 9, "borderWidth": 2 if kind == "policy" else 3,
            "font": {"align": "left", "size": 13, "face": "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif"},
        })
    edges = []
    for i, (u, v, d) in enumerate(layout.edges):
        colour, width, en, zh = EDGE_STYLE.get(d["kind"], ("#999999", 1.0, d["kind"], d["kind"]))
        edges.append({
            "id": f"e{i}", "from": u, "to": v, "arrows": "to", "width": width, "dashes": bool(d.get("inferred")),
            "color": {"color": colour, "opacity": 0.75 if d.get("inferred") else 1.0},
            "title": _tooltip([f"{zh if lang == 'zh' else en}" + (" (inferred)" if d.get("inferred") else " (stated)"),
                               f"rule: {d.get('rule', '')}", f"confidence: {d['confidence']}" if d.get("confidence") else "",
                               f"evidence: {d.get('evidence', '')}" if d.get("evidence") else ""]),
            "smooth": {"type": "curvedCW", "roundness": 0.15},
        })
    lanes_data = [{"name": " ".join(name.split()), "y0": round((top - t) * _PX, 1), "y1": round((top - b) * _PX, 1)} for name, b, t in layout.lanes]
    years = [{"year": yr, "x": round(x * _PX, 1)} for yr, x in layout.years]
    data = json.dumps({"nodes": nodes, "edges": edges, "lanes": lanes_data, "years": years,
                       "width": round(layout.width * _PX), "height": round(layout.height * _PX)},
                      ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    title = "CCUS 政策沿革" if lang == "zh" else "CCUS policy lineage"
    legend = " ".join(
        f'<span class="key"><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" stroke="{c}" stroke-width="{w}"/></svg>'
        f"{html.escape(zh if lang == 'zh' else en)}</span>" for kind, (c, w, en, zh) in EDGE_STYLE.items()
        if any(e[2]["kind"] == kind for e in layout.edges))
    dashed = "虚线 = 推断（待核实）" if lang == "zh" else "dashed = inferred (to confirm)"
    return _TEMPLATE.format(title=html.escape(title), lang="zh" if lang == "zh" else "en", legend=legend, dashed=html.escape(dashed),
                            data=data, visjs=vis_network_js().replace("</script", "<\\/script"), count=len(nodes),
                            edges=len(edges))


def write_html(g: nx.DiGraph, path: str | Path, *, lang: str = "en", lanes: str = "auto") -> Path:
    """Write :func:`page` to ``path`` atomically (UTF-8); returns the path.  Raises :class:`OutputError`
    when vis-network (pyvis) is missing."""
    text = page(g, lang=lang, lanes=lanes)
    path = Path(path)
    with atomic_writer(path, "w") as handle:
        handle.write(text)
    return path


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif; color: #222; }}
  header {{ padding: 8px 14px; border-bottom: 1px solid #ddd; font-size: 13px; }}
  header h1 {{ font-size: 17px; margin: 0 0 4px 0; }}
  .key {{ margin-right: 14px; white-space: nowrap; }}
  .key svg {{ vertical-align: middle; margin-right: 4px; }}
  #lineage {{ width: 100vw; height: calc(100vh - 78px); }}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <div>{legend} <span class="key">{dashed}</span>
    <span class="key">nodes: <span id="node-count">…</span> / {count} · links: {edges}</span></div>
</header>
<div id="lineage"></div>
<script type="application/json" id="lineage-data">{data}</script>
<script>{visjs}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("lineage"), {{nodes: nodes, edges: edges}}, {{
    physics: false, layout: {{randomSeed: 1}},
    interaction: {{hover: true, navigationButtons: true, keyboard: true, tooltipDelay: 120, zoomView: true, dragView: true}},
    nodes: {{fixed: true}}
  }});
  network.on("beforeDrawing", function (ctx) {{
    data.lanes.forEach(function (lane, i) {{
      ctx.fillStyle = i % 2 ? "#ffffff" : "#f4f4f4";
      ctx.fillRect(0, lane.y0, data.width, lane.y1 - lane.y0);
      ctx.fillStyle = "#333"; ctx.font = "bold 14px sans-serif";
      ctx.fillText(lane.name, 12, (lane.y0 + lane.y1) / 2);
    }});
    ctx.fillStyle = "#666"; ctx.font = "13px sans-serif";
    var bottom = data.lanes.length ? data.lanes[data.lanes.length - 1].y1 : 0;
    data.years.forEach(function (t) {{
      ctx.strokeStyle = "#dddddd"; ctx.beginPath(); ctx.moveTo(t.x, data.lanes.length ? data.lanes[0].y0 : 0);
      ctx.lineTo(t.x, bottom); ctx.stroke(); ctx.fillText(String(t.year), t.x - 14, bottom + 18);
    }});
  }});
  network.on("click", function (params) {{
    if (params.nodes.length) {{
      var n = nodes.get(params.nodes[0]);
      if (n && n.url) {{ window.open(n.url, "_blank", "noopener"); }}
    }}
  }});
  network.once("afterDrawing", function () {{
    document.getElementById("node-count").textContent = String(network.body.data.nodes.length);
    document.body.setAttribute("data-ready", "true");
  }});
}})();
</script>
</body>
</html>
"""
