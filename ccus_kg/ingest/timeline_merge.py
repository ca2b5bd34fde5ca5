"""Merging the listings of one real event (a compilation lists the same event under several nodes).

See :func:`merge_events` for the rule.
"""

from __future__ import annotations

from ccus_kg.ingest.dates import DateSpan
from ccus_kg.ingest.timeline_model import MergedEvent, TimelineDocument, TimelineItem, TimelineNode, canonical_url

__all__ = ["merge_events"]


def _effective(item: TimelineItem, node: TimelineNode) -> tuple[DateSpan, bool]:
    if item.date is not None:
        return item.date, False
    return DateSpan(start=node.date, end=None, dates=(node.date,), remark=None, raw=node.date.lexical), True


def merge_events(document: TimelineDocument) -> list[MergedEvent]:
    """Fold the listings of one real event into a single :class:`MergedEvent`.

    In: a parsed :class:`TimelineDocument`.  Out: merged events in the order their first
    listing appears.  Never raises.

    Rule (this project's, see the module docs): two items are the same event when their
    start dates agree (lexical form, so ``2022-10`` ≠ ``2022-10-02``; an item without its
    own date uses its node's date) AND they share a source URL after
    :func:`canonical_url`.  When one of them has no source at all they are merged only if
    the name and the whole date (start and end) are equal.  The relation is closed
    transitively (A~B, B~C ⇒ one event).
    """
    entries: list[tuple[TimelineItem, TimelineNode, DateSpan, bool, set[str]]] = []
    for node in document.nodes:
        for item in node.items:
            span, from_node = _effective(item, node)
            urls = {canonical_url(s.url) for s in item.sources}
            entries.append((item, node, span, from_node, urls))

    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Indexed, not compared pairwise (linear in the number of items): entries sharing a start
    # date and a source URL are one event; among entries sharing start date, name and end date,
    # one without any source joins them all (it is "the same" as each of them).
    first_by_url: dict[tuple[str, str], int] = {}
    by_name: dict[tuple[str, str, str | None], list[int]] = {}
    for i, (item, _node, span, _from_node, urls) in enumerate(entries):
        start = span.start.lexical
        for url in urls:
            j = first_by_url.setdefault((start, url), i)
            if j != i:
                parent[find(i)] = find(j)
        if item.name:
            by_name.setdefault((start, item.name, span.end.lexical if span.end else None), []).append(i)
    for members in by_name.values():
        if len(members) > 1 and any(not entries[i][4] for i in members):
            root = find(members[0])
            for i in members[1:]:
                parent[find(i)] = root

    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(find(i), []).append(i)

    events: list[MergedEvent] = []
    keys: set[str] = set()
    for members in sorted(groups.values(), key=lambda m: m[0]):
        own = [entries[i] for i in members if not entries[i][3]]
        first = own[0] if own else entries[members[0]]
        event = MergedEvent(key="", names=[], date=first[2], date_from_node=not own)
        seen_urls: set[str] = set()
        for i in members:
            item = entries[i][0]
            if item.name and item.name not in event.names:
                event.names.append(item.name)
            for slot in ("region", "scale", "impact", "content", "responsible", "date_label"):
                if getattr(event, slot) is None and getattr(item, slot):
                    setattr(event, slot, getattr(item, slot))
            for src in item.sources:
                key = canonical_url(src.url)
                if key not in seen_urls:
                    seen_urls.add(key)
                    event.sources.append(src)
            for title in item.policy_titles:
                if title not in event.policy_titles:
                    event.policy_titles.append(title)
            event.occurrences.append((item.node_index, item.number, item.line))
        event.complete = any(entries[i][0].complete for i in members)
        start = event.date.start.lexical if event.date else ""
        if event.sources:
            key = f"{start}|{canonical_url(event.sources[0].url)}"
        else:
            key = f"{start}|name:{event.names[0] if event.names else ''}"
        base, n = key, 1
        while key in keys:
            n += 1
            key = f"{base}#{n}"
        keys.add(key)
        event.key = key
        events.append(event)
    return events
