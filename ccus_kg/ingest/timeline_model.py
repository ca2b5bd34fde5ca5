"""Timeline compilations as data: documents, nodes, items, sources, merged events.

The parser (:mod:`ccus_kg.ingest.timeline_parser`) fills these; the merger
(:mod:`ccus_kg.ingest.timeline_merge`) folds repeated listings into :class:`MergedEvent`;
:mod:`ccus_kg.rdf.events` turns them into RDF.  :func:`canonical_url` is the one rule for
when two source links are the same source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from ccus_kg.ingest.dates import DateSpan, DateValue
from ccus_kg.model import Problem

__all__ = ["SourceLink", "TimelineItem", "TimelineNode", "TimelineDocument", "MergedEvent", "canonical_url"]




@dataclass(slots=True)
class SourceLink:
    """A cited web page: the link text and its URL, as written."""

    label: str
    url: str


@dataclass(slots=True)
class TimelineItem:
    """One numbered item under a node, with its fields.

    ``number`` is the number written in the file (``2.`` → 2); ``line``/``end_line`` are the
    1-based first and last lines of the item.  ``date`` is the parsed value of the first
    date-like field (label in ``date_label``), ``None`` when absent or unreadable.
    ``impact`` and the other text fields have Markdown emphasis and trailing source links
    removed; every link found anywhere in the item is in ``sources`` (unique by
    :func:`canonical_url`).  Fields with other labels are kept in ``extra`` under their
    label.  ``complete`` is False for an item cut off by the end of the file.
    """

    node_index: int
    number: int
    line: int
    name: str | None = None
    date: DateSpan | None = None
    date_label: str | None = None
    region: str | None = None
    scale: str | None = None
    impact: str | None = None
    content: str | None = None
    responsible: str | None = None
    sources: list[SourceLink] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    policy_titles: list[str] = field(default_factory=list)
    complete: bool = True
    end_line: int = 0


@dataclass(slots=True)
class TimelineNode:
    """A ``## 节点: YYYY-MM-DD (kind) - 可信度: x`` section and its items.

    ``index`` is the 1-based order of the node in the file; ``kind`` the bracketed word
    (``'事件'``, ``'季节性'``; ``''`` when absent); ``confidence`` the 可信度 number (a
    percentage is divided by 100).  ``notes`` keeps the (line, text) of paragraphs that are
    not items: intros, summaries and "未发现…" (nothing found) sentences.
    """

    index: int
    line: int
    date: DateValue
    kind: str
    confidence: float | None
    items: list[TimelineItem] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class TimelineDocument:
    """A parsed compilation.  ``analysis_time`` is ISO 8601 ``YYYY-MM-DDTHH:MM:SS`` (from
    ``分析时间:``); ``declared_node_count`` the number the header claims (``共收录 10 个``).
    ``problems`` lists everything odd found while reading, with line numbers."""

    path: str
    title: str
    analysis_time: str | None
    declared_node_count: int | None
    nodes: list[TimelineNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def items(self) -> list[TimelineItem]:
        """Every item of every node, in file order."""
        return [item for node in self.nodes for item in node.items]


@dataclass(slots=True)
class MergedEvent:
    """One real event, from one or more :class:`TimelineItem` listings.

    ``key`` is a stable identity: ``"{start}|{canonical url}"`` (first source seen) or
    ``"{start}|name:{name}"`` without a source (``#2``, ``#3`` … appended in the rare case
    two events would share a key).  ``names`` holds every distinct name in the order first
    seen; ``occurrences`` every listing as ``(node_index, item number, line)``.  Text fields
    take the first non-empty value in file order; ``sources`` and ``policy_titles`` are the
    union.  ``date`` is the first listing's own date, else the node's date
    (``date_from_node`` True).  ``complete`` is False only when every listing was cut off.
    """

    key: str
    names: list[str]
    date: DateSpan | None
    date_from_node: bool
    region: str | None = None
    scale: str | None = None
    impact: str | None = None
    content: str | None = None
    responsible: str | None = None
    sources: list[SourceLink] = field(default_factory=list)
    occurrences: list[tuple[int, int, int]] = field(default_factory=list)
    complete: bool = True
    policy_titles: list[str] = field(default_factory=list)
    date_label: str | None = None


def canonical_url(url: str) -> str:
    """Canonical form of a URL for comparing sources.

    Lower-cases scheme and host, drops the fragment, a default port (80/443) and a trailing
    slash on the path; keeps the query.  Text that is not an absolute URL is returned
    stripped.  Never raises.  (The rule is the lead's merging rule for this project, not a
    standard; RFC 3986 §6.2.2 allows the case and port steps, the trailing-slash step is a
    pragmatic extra.)
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        if not parts.scheme or not parts.netloc:
            return text.rstrip("/")
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return text.rstrip("/")
    netloc = host
    if parts.username or parts.password:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, ""))
