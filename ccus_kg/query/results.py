"""Query results as text: a table for people, or the W3C SPARQL 1.1 Query Results CSV and JSON formats.

The table pads by display width (Unicode Standard Annex #11), so columns holding Chinese text
line up in a terminal; IRIs are shortened with the graph's prefixes.  CSV follows *SPARQL 1.1
Query Results CSV and TSV Formats* (W3C Recommendation, 2013), JSON *SPARQL 1.1 Query Results
JSON Format*.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping

import pyoxigraph as ox

from ccus_kg.errors import QueryError
from ccus_kg.namespaces import PREFIXES

__all__ = ["FORMATS", "check_format", "render_result", "width", "pad"]

#: Output formats of :func:`render_result`.
FORMATS = ("table", "csv", "json")


def check_format(fmt: str) -> None:
    """Raise :class:`QueryError` unless ``fmt`` is one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; expected one of {', '.join(FORMATS)}")


def width(text: str) -> int:
    """Display width of ``text`` in a terminal: East Asian wide and full-width characters count 2
    (Unicode Standard Annex #11)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    """``text`` clipped (with …) or padded with spaces to ``size`` display columns."""
    if width(text) > size:
        out, used = "", 0
        for ch in text:
            w = width(ch)
            if used + w > size - 1:
                break
            out, used = out + ch, used + w
        text = out + "…"
    return text + " " * max(0, size - width(text))


def _short(term, prefixes: Mapping[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, base in prefixes.items():
            if term.value.startswith(base) and len(term.value) > len(base):
                return f"{prefix}:{term.value[len(base):]}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_result(result, fmt: str = "table") -> tuple[str, int]:
    """Render a pyoxigraph query result as ``table``, ``csv`` or ``json``.

    In: :class:`pyoxigraph.QuerySolutions`, :class:`~pyoxigraph.QueryBoolean` or
    :class:`~pyoxigraph.QueryTriples` (or a list of :class:`~pyoxigraph.Triple`).  Returns ``(text, number of rows)``.  ASK results render
    ``true``/``false``; CONSTRUCT/DESCRIBE results render N-Triples.  Raises
    :class:`QueryError` for an unknown format.
    """
    check_format(fmt)
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n", 1
    if isinstance(result, ox.QueryTriples | list):
        triples = list(result)
        return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"), len(triples)
    if fmt in ("csv", "json"):
        buffer = io.BytesIO()
        result.serialize(buffer, ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.JSON)
        text = buffer.getvalue().decode("utf-8")
        if fmt == "json":
            count = len(json.loads(text)["results"]["bindings"])
        else:
            count = max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)
        return text, count
    names = [v.value for v in result.variables]
    rows = [[solution[n] for n in names] for solution in result]
    cells = [[_short(t, PREFIXES) for t in row] for row in rows]
    widths = [min(60, max([width(n)] + [width(c[i]) for c in cells])) for i, n in enumerate(names)]
    lines = ["  ".join(pad(n, w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n", len(rows)
