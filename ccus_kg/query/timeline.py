"""Events in date order, filtered by jurisdiction, policy and a date window (``ccus-kg timeline``).

Rows come from the SPARQL query ``queries/timeline.rq``; the date window is applied here
because it needs calendar arithmetic on mixed precisions: an event dated ``2019-04``
(``xsd:gYearMonth``) covers 2019-04-01 … 2019-04-30, and is kept when that period overlaps
``[from, to]`` (each bound also at day, month or year precision).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ccus_kg.errors import TimelineFilterError
from ccus_kg.ingest.dates import DateValue, parse_iso_date
from ccus_kg.query.library import select

__all__ = ["TimelineFilterError", "events", "render_events", "COLUMNS", "SCOPES"]

COLUMNS = ("date", "precision", "end", "kind", "name", "location", "place", "about", "about_kind", "incomplete", "event")
#: What ``scope`` may be: events about the policy, also about its facilities, or its whole lineage family's.
SCOPES = ("policy", "facilities", "family")


def _bound(text: str | None, name: str) -> DateValue | None:
    if text is None:
        return None
    value = parse_iso_date(text)
    if value is None:
        raise TimelineFilterError(f"--{name} {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def events(graph, *, jurisdiction: str | None = None, policy: str | None = None,
           date_from: str | None = None, date_to: str | None = None, scope: str = "policy") -> list[dict[str, Any]]:
    """Events of ``graph`` as dicts (keys ``COLUMNS``), in date order (undated last).

    ``scope`` (with ``policy``): ``"policy"`` — events about the policy; ``"facilities"`` — also the
    milestones of the facilities it is related to; ``"family"`` — those of every policy of its
    lineage family (dcterms:replaces / isReplacedBy, transitively) and of their facilities.
    Raises :class:`TimelineFilterError` for a bound that is not a date or an unknown scope.
    """
    lower, upper = _bound(date_from, "from"), _bound(date_to, "to")
    if scope not in SCOPES:
        raise TimelineFilterError(f"scope {scope!r}: expected one of {', '.join(SCOPES)}")
    within: set[tuple[str, str]] | None = None
    if policy and scope != "policy":   # the policy's facilities (and family): queries/policy-scope.rq
        within = {(r["kind"], r["id"]) for r in select(graph, "policy-scope", {"policy": policy, "scope": scope})}
    params = {k: v for k, v in (("jurisdiction", jurisdiction), ("policy", policy if within is None else None)) if v}
    rows = []
    for row in select(graph, "timeline", params):
        if within is not None and (row.get("about_kind"), row.get("about")) not in within:
            continue
        start = parse_iso_date(row.get("date")) if row.get("date") else None
        end = parse_iso_date(row.get("end")) if row.get("end") else start
        if lower or upper:
            if start is None:
                continue
            if lower and (end or start).last_day() < lower.first_day():
                continue
            if upper and start.first_day() > upper.last_day():
                continue
        rows.append(row)
    rows.sort(key=lambda r: (r.get("date") is None, r.get("date") or "", r.get("name") or ""))
    return rows


def render_events(rows: list[dict[str, Any]], fmt: str = "table") -> str:
    """Render event rows as ``table`` (date, precision, kind, name, place), ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps([{k: r.get(k) for k in COLUMNS if k in r} for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    lines = []
    for r in rows:
        span = r.get("date") or "(no date)"
        if r.get("end"):
            span += f"/{r['end']}"
        where = r.get("location") or ""
        about = f" [{r.get('about_kind') or 'policy'} {r['about']}]" if r.get("about") else ""
        flag = " (incomplete)" if r.get("incomplete") else ""
        lines.append(f"{span:<22}{r.get('precision') or '':<7}{r.get('kind') or '':<15}{where:<7}{r.get('name') or ''}{about}{flag}".rstrip())
    lines.append(f"({len(rows)} event{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
