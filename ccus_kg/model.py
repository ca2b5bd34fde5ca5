"""Plain data passed between the stages: raw records, problems.

These are the shapes the loaders produce and the converters consume.  They hold no RDF;
see :mod:`ccus_kg.rdf.policies` for the mapping to triples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Problem", "PolicyRecord", "Severity"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth knowing) about the input, for the build report.

    ``code`` is a short stable identifier (``"empty-agency"``, ``"dangling-supersedes"``,
    ``"parse-error"``, …) so reports can be filtered; ``message`` is for people.
    ``file`` / ``line`` / ``field`` locate it (any may be None); ``subject`` names the
    policy id or event it concerns; ``raw`` keeps the value as written when it did not fit its
    field (it goes into the graph as ``ccus:rawValue`` of the ``ccus:DataIssue``).
    """

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    subject: str | None = None
    raw: str | None = None

    def location(self) -> str:
        """``file:line`` (or what of it is known), ``field`` appended after a space."""
        where = (self.file or "") + (f":{self.line}" if self.line else "")
        if self.field:
            where = f"{where} [{self.field}]" if where else f"[{self.field}]"
        return where

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (None values dropped)."""
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}


@dataclass(slots=True)
class PolicyRecord:
    """One policy file as read from disk: front matter and body, not yet interpreted.

    ``lang`` is ``"en"`` or ``"zh"``: from an ``en/`` or ``zh/`` folder when there is one,
    otherwise detected from the title and body text (:func:`ccus_kg.ingest.language.detect`).
    ``data`` is the front matter mapping as parsed (JSON or YAML); ``body`` the Markdown below it.
    ``body_line`` is the 1-based line where the body starts (for error locations).
    ``lines`` maps a field path (``analysis.mrv.score``, ``evolution.milestones[2]``) to the
    1-based file line of its key; ``fm_line`` is the line of the opening ``---``.
    ``problems`` are those found while reading the front matter (duplicate keys, …).
    ``kind`` is what the front matter is a record of, told by its content
    (:func:`ccus_kg.mapping.record_kind`): ``"policy"``, ``"facility"`` or ``"country-profile"``;
    the same class carries all three (the front matter is kept as parsed in ``data``).
    """

    path: str
    lang: str
    data: dict[str, Any]
    body: str
    front_matter_format: Literal["json", "yaml"]
    lang_evidence: str = "folder"
    body_line: int = 1
    source_key: str = ""
    problems: list[Problem] = field(default_factory=list)
    kind: str = "policy"
    lines: dict[str, int] = field(default_factory=dict)
    fm_line: int = 1

    def line_of(self, field_path: str | None) -> int:
        """The file line of ``field_path``, else of its nearest parent that is present, else ``fm_line``.

        ``"analysis.mrv.score"`` → the line of that key; a missing ``"title"`` → the line of the
        opening ``---`` (where the field should be).  Never raises.
        """
        path = field_path or ""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.fm_line

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return str(value).strip() if value is not None else ""
