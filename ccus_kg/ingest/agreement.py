"""The files of one policy id (``en`` and ``zh``) compared field by field; empty and missing fields.

Pure functions over :class:`~ccus_kg.model.PolicyRecord`s (no RDF, no I/O).

:func:`disagreements` compares every leaf field (``analysis.mrv.score``, ``provenance.lastAuditDate``)
that two files of one id both give (non-blank).  How values are compared depends on the field:

* **language-neutral** fields (:data:`NEUTRAL`: ids, dates, URLs, scores, replacement links,
  facility ids, the author) must be equal as text (lists as sets of their items);
* **resolved** fields (:data:`RESOLVED`: ``country``, ``source``, ``status``, ``category``,
  ``legalWeight``, ``reviewStatus``) are written in each file's language ("China" / "中国") and
  are compared after identity resolution, by the converter; clusters are matched by position
  (:func:`cluster_pairs`); milestones by their dates (multiset);
* every other field is **text**, a translation in the other file: two values disagree only
  when they are written in the same script (:func:`ccus_kg.ingest.language.detect`) and differ
  after collapsing white space (an English evidence text left untranslated in the zh file and
  then edited in one of them).

:func:`empty_fields` lists, per record, the expected fields that are missing and the fields
given blank (``""``, ``[]``, ``{}``, null).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ccus_kg.ingest.language import detect
from ccus_kg.model import PolicyRecord

__all__ = ["Disagreement", "disagreements", "empty_fields", "leaves", "cluster_pairs", "NEUTRAL", "RESOLVED", "EXPECTED"]

#: Field paths (``fnmatch`` patterns) whose values do not depend on the language of the file.
NEUTRAL = ("id", "pubDate", "year", "url", "provenance.lastAuditDate", "provenance.author", "analysis.*.score",
           "evolution.supersedes", "evolution.supersededBy", "evolution.consolidatedFrom",
           "evolution.currentConsolidatedVersion", "evolution.sourcePublicationDate", "relatedFacilities")
#: Field paths compared after resolution to a node (jurisdiction, agency, concept) by the converter.
RESOLVED = ("country", "source", "status", "category", "legalWeight", "reviewStatus")
#: Field paths compared by their own rule (clusters by position, milestones by date), or as a unit.
SPECIAL = ("evolution.clusters", "evolution.milestones", "evolution.milestones[*", "milestones", "milestones[*",
           "analysis.*.score")
#: Top-level fields a policy record is expected to give (missing ones are listed by :func:`empty_fields`).
EXPECTED = ("title", "country", "source", "status", "category", "legalWeight", "reviewStatus", "pubDate", "year",
            "url", "description", "analysis", "evolution", "provenance")

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Disagreement:
    """Two or more files of one id give different values for ``field``: ``values`` is
    ``[(record, value as text)]`` in file order (the first is the one used)."""

    field: str
    values: tuple[tuple[PolicyRecord, str], ...]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, (list, dict)) and not value)


def leaves(data: dict[str, Any]) -> dict[str, Any]:
    """Leaf fields of a front-matter mapping by path: nested mappings are walked (``a.b.c``); a
    list of scalars is one leaf (the list); a list holding mappings is walked by index (``a[2].b``)."""
    out: dict[str, Any] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            for i, child in enumerate(value):
                walk(child, f"{path}[{i}]")
        else:
            out[path] = value

    walk(data, "")
    return out


@lru_cache(maxsize=65536)
def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def _neutral_key(value: Any) -> str:
    if isinstance(value, list):
        return repr(sorted({str(v).strip() for v in value if not _blank(v)}))
    return str(value).strip()


def _text_key(value: Any) -> tuple[str, str]:
    text = _SPACES.sub(" ", str(value) if not isinstance(value, list) else " | ".join(map(str, value))).strip()
    return detect(text), text


def _milestone_dates(data: dict[str, Any]) -> list[str] | None:
    evolution = data.get("evolution")
    items = evolution.get("milestones") if isinstance(evolution, dict) and evolution.get("milestones") is not None else data.get("milestones")
    if not isinstance(items, list) or not items:
        return None
    return sorted(str(m.get("date", "")).strip() for m in items if isinstance(m, dict))


def disagreements(records: list[PolicyRecord]) -> list[Disagreement]:
    """Every field on which the files of one id disagree, by the rules of the module docs.

    ``records``: the files of one id, the one whose values are used first.  Returns the
    disagreements sorted by field path; an empty list for fewer than two records.
    """
    if len(records) < 2:
        return []
    flat = [leaves(r.data) for r in records]
    paths = sorted(set().union(*flat))
    found: list[Disagreement] = []
    for path in paths:
        if _matches(path, RESOLVED) or _matches(path, SPECIAL):
            continue
        given = [(r, f[path]) for r, f in zip(records, flat, strict=True) if path in f and not _blank(f[path])]
        if len(given) < 2:
            continue
        if _matches(path, NEUTRAL):
            keys = {_neutral_key(v) for _r, v in given}
            if len(keys) > 1:
                found.append(Disagreement(path, tuple((r, _neutral_key(v)) for r, v in given)))
            continue
        by_script: dict[str, set[str]] = {}
        for _r, v in given:
            script, text = _text_key(v)
            by_script.setdefault(script, set()).add(text)
        if any(len(texts) > 1 for texts in by_script.values()):
            found.append(Disagreement(path, tuple((r, _text_key(v)[1]) for r, v in given)))
    dates = [(r, _milestone_dates(r.data)) for r in records]
    dated = [(r, d) for r, d in dates if d is not None]
    if len(dated) > 1 and len({tuple(d) for _r, d in dated}) > 1:
        field = "evolution.milestones" if any(isinstance(r.data.get("evolution"), dict) and "milestones" in r.data["evolution"]
                                              for r, _d in dated) else "milestones"
        found.append(Disagreement(field, tuple((r, ", ".join(d)) for r, d in dated)))
    return sorted(found, key=lambda d: d.field)


def cluster_pairs(records: list[PolicyRecord]) -> list[tuple[str, str]]:
    """Names of one cluster in two files of one id: when the files list the same number of
    clusters, the names at the same position are one cluster (``Net-Zero Industry Act (NZIA)``
    and ``EU Net-Zero Industry Act (NZIA)``).  Returns ``(first file's name, other name)`` pairs
    whose names differ."""
    lists = []
    for r in records:
        evolution = r.data.get("evolution")
        clusters = evolution.get("clusters") if isinstance(evolution, dict) else None
        if isinstance(clusters, list):
            lists.append([str(c).strip() for c in clusters if not _blank(c) and not isinstance(c, (list, dict))])
    pairs: list[tuple[str, str]] = []
    for other in lists[1:]:
        if len(other) == len(lists[0]):
            pairs.extend((a, b) for a, b in zip(lists[0], other, strict=True) if a != b)
    return pairs


def empty_fields(record: PolicyRecord) -> tuple[list[str], list[str]]:
    """``(missing, empty)`` field paths of one record: :data:`EXPECTED` fields it does not give,
    and the fields it gives blank (analysis dimensions folded: ``analysis.*.citation``)."""
    missing = [f for f in EXPECTED if f not in record.data]
    empty = set()
    for path, value in leaves(record.data).items():
        if _blank(value):
            parts = path.split(".")
            if parts[0] == "analysis" and len(parts) == 3:
                path = f"analysis.*.{parts[2]}"
            empty.add(path)
    return missing, sorted(empty)
