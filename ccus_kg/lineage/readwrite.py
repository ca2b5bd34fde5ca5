"""Lineage graph files: GraphML, node-link JSON, GEXF, pictures and HTML, chosen by suffix.

Every node carries its IRI, kind (type), dates, jurisdiction and level; every edge its kind,
``inferred``, rule, confidence and evidence (see :mod:`ccus_kg.lineage.model`), so a file can be
joined back to the triple store by IRI.  Every writer is atomic (:mod:`ccus_kg.files`).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from ccus_kg.errors import OutputError
from ccus_kg.files import atomic_writer

__all__ = ["OUTPUT_SUFFIXES", "write", "check_suffix"]

#: The suffixes :func:`write` knows.
OUTPUT_SUFFIXES = (".svg", ".png", ".graphml", ".json", ".gexf", ".html")


def check_suffix(path: str | Path) -> str:
    """The lower-case suffix of ``path``; raises :class:`OutputError` when it is not in :data:`OUTPUT_SUFFIXES`."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise OutputError(f"cannot write lineage to {Path(path).name!r}: expected a suffix among {', '.join(OUTPUT_SUFFIXES)}")
    return suffix


def _plain(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose attribute values are str, bool, int or float (GraphML and GEXF take nothing else)."""
    clean = g.copy()
    for _n, data in clean.nodes(data=True):
        for k, v in list(data.items()):
            data[k] = "" if v is None else v
    for *_e, data in clean.edges(data=True):
        for k, v in list(data.items()):
            data[k] = "" if v is None else v
    return clean


def write(g: nx.DiGraph, path: str | Path, *, lang: str = "en", lanes: str = "auto") -> Path:
    """Write ``g`` to ``path`` by suffix: ``.svg``/``.png`` (picture), ``.html`` (interactive
    view), ``.graphml`` (GraphML), ``.gexf`` (GEXF 1.2, for Gephi) or ``.json`` (NetworkX
    node-link JSON).  ``lang`` and ``lanes`` shape pictures and HTML.  Atomic; returns the path.

    Raises :class:`OutputError` for another suffix (nothing is written).
    """
    path = Path(path)
    suffix = check_suffix(path)
    if suffix in (".svg", ".png"):
        from ccus_kg.lineage.draw import draw

        draw(g, path, suffix[1:], lang=lang, lanes=lanes)
    elif suffix == ".html":
        from ccus_kg.lineage.html import write_html

        write_html(g, path, lang=lang, lanes=lanes)
    elif suffix == ".graphml":
        with atomic_writer(path, "wb") as handle:
            nx.write_graphml(_plain(g), handle)
    elif suffix == ".gexf":
        with atomic_writer(path, "wb") as handle:
            nx.write_gexf(_plain(g), handle, version="1.2draft")
    else:
        data = nx.node_link_data(g, edges="edges")
        with atomic_writer(path, "w") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
    return path
