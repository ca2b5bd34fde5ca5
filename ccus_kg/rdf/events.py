"""Convert timeline compilations into RDF events (pure: parsed documents in, quads out).

Each real event (items merged by :func:`ccus_kg.ingest.timeline_merge.merge_events`) becomes one
``ccus:TimelineEvent`` / ``schema:Event`` with every name it was listed under, its date typed
by precision (``xsd:date`` / ``xsd:gYearMonth`` / ``xsd:gYear``), its place as a jurisdiction
(``schema:location``) with the place text kept, the agencies named as responsible
(``schema:organizer``), its sources (``dcterms:source``; schema:citation is for creative works), the compilation nodes it was listed
under (``ccus:listedIn``) and, when it names a policy title the graph knows, ``schema:about``.
Every link is recorded in the report with the reason it was made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.identity.jurisdictions import Jurisdiction
from ccus_kg.ingest.timeline_merge import merge_events
from ccus_kg.ingest.timeline_model import MergedEvent, TimelineDocument, canonical_url
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.namespaces import CCUS, DCTERMS, PROV, SCHEMA, XSD
from ccus_kg.rdf.identity_context import AgencyResolution, IdentityContext
from ccus_kg.rdf.triples import Emitter, date_literal, named_node
from ccus_kg.text import fold_title

__all__ = ["PolicyTitleIndex", "convert_timelines"]

_RESPONSIBLE_SPLIT = re.compile(r"[、,，;；/]|以及|和|及")
_RESPONSIBLE_TAIL = re.compile(r"等(?:[一二三四五六七八九十\d]+(?:个)?(?:部委|部门|单位))?$")
#: A title shorter than this (characters, after normalisation) is too generic to link on containment.
MIN_CONTAINED_TITLE = 8


@dataclass
class PolicyTitleIndex:
    """Titles of the policies in the graph (either language), for linking events to policies.

    ``titles`` maps a normalised title to the policy id(s) having it.
    """

    titles: dict[str, set[str]]

    @classmethod
    def from_records(cls, records: Iterable[PolicyRecord]) -> PolicyTitleIndex:
        return cls.from_titles((r.data.get("title"), r.id) for r in records)

    @classmethod
    def from_titles(cls, pairs: Iterable[tuple[object, str]]) -> PolicyTitleIndex:
        """Index ``(title, policy id)`` pairs; blank or non-string titles are skipped."""
        titles: dict[str, set[str]] = {}
        for title, policy_id in pairs:
            if isinstance(title, str) and title.strip():
                titles.setdefault(fold_title(title), set()).add(policy_id)
        return cls(titles)

    def match(self, title: str) -> tuple[set[str], str]:
        """Policy ids whose title matches ``title`` and the rule used.

        Rules, in order: ``exact`` (equal after :func:`~ccus_kg.text.fold_title`); ``contains`` (one
        title contains the other, the shorter having at least ``MIN_CONTAINED_TITLE``
        characters and the match being unique).  Returns ``(set(), "")`` when nothing matches.
        """
        key = fold_title(title)
        if not key:
            return set(), ""
        if key in self.titles:
            return set(self.titles[key]), "exact"
        hits: set[str] = set()
        for known, ids in self.titles.items():
            shorter = min(len(known), len(key))
            if shorter >= MIN_CONTAINED_TITLE and (key in known or known in key):
                hits |= ids
        if len(hits) == 1:
            return hits, "contains"
        return set(), ""


def _responsible_parts(text: str) -> list[str]:
    parts = []
    for part in _RESPONSIBLE_SPLIT.split(text):
        part = _RESPONSIBLE_TAIL.sub("", part.strip()).strip()
        if part:
            parts.append(part)
    return parts


class _EventConverter:
    def __init__(self, ctx: IdentityContext, out: Emitter, problems: list[Problem], titles: PolicyTitleIndex):
        self.ctx, self.out, self.problems, self.titles = ctx, out, problems, titles
        self.links: list[dict[str, Any]] = []
        self.events: set[str] = set()
        self.file_paths: dict[str, ox.Literal] = {}

    def document(self, doc: TimelineDocument, key: str) -> None:
        out = self.out
        comp = named_node(iris.compilation(key))
        out.types(comp, CCUS.TimelineCompilation, PROV.Entity)
        out.text(comp, DCTERMS.title, doc.title)
        src = named_node(iris.source(key))
        out.types(src, CCUS.SourceRecord, PROV.Entity)
        out.plain(src, CCUS.filePath, key)
        self.file_paths[src.value] = ox.Literal(key, datatype=XSD.string)
        out.add(comp, PROV.wasDerivedFrom, src)
        if doc.analysis_time:
            out.add(comp, CCUS.analysisTime, ox.Literal(doc.analysis_time, datatype=XSD.dateTime))
        if doc.declared_node_count is not None:
            out.add(comp, CCUS.declaredNodeCount, ox.Literal(str(doc.declared_node_count), datatype=XSD.integer))
        for p in doc.problems:
            self.problems.append(p)
            out.issue(comp, p)

        context = self.ctx.jurisdictions.for_place(doc.title) if doc.title else None
        if context is not None:
            out.add(comp, DCTERMS.spatial, self.ctx.use_jurisdiction(context))

        section_iris: dict[int, ox.NamedNode] = {}  # timeline node index → its ccus:TimelineNode IRI
        for section in doc.nodes:
            section_iri = named_node(iris.timeline_node(comp.value, section.index))
            section_iris[section.index] = section_iri
            out.types(section_iri, CCUS.TimelineNode, PROV.Entity)
            out.add(section_iri, DCTERMS.isPartOf, comp)
            out.add(section_iri, CCUS.nodeDate, date_literal(section.date))
            out.text(section_iri, CCUS.nodeKind, section.kind)
            if section.confidence is not None:
                out.add(section_iri, CCUS.confidence, ox.Literal(f"{section.confidence:g}", datatype=XSD.decimal))

        kind = self.ctx.vocabularies.lookup("event-kind", "timeline-item")
        for event in merge_events(doc):
            self.event(event, doc, src, section_iris, context, kind)

    def listing(self, src: ox.NamedNode, line: int | None) -> ox.NamedNode:
        """The source record of one listing (``<file IRI>#L<line>``): file path and line; ``src`` if no line."""
        if line is None:
            return src
        record = named_node(f"{src.value}#L{line}")
        self.out.types(record, CCUS.SourceRecord, PROV.Entity)
        self.out.add(record, CCUS.filePath, self.file_paths[src.value])
        self.out.add(record, CCUS.recordLine, ox.Literal(str(line), datatype=XSD.integer))
        return record

    def event(self, ev: MergedEvent, doc: TimelineDocument, src, section_iris, context: Jurisdiction | None, kind) -> None:
        out = self.out
        e = named_node(iris.event(ev.key))
        self.events.add(e.value)
        out.types(e, CCUS.TimelineEvent, SCHEMA.Event)
        lines: list[int | None] = [*sorted({occurrence[2] for occurrence in ev.occurrences})] or [None]
        for line in lines:
            out.add(e, PROV.wasDerivedFrom, self.listing(src, line))
        if kind is not None:
            out.add(e, CCUS.eventKind, named_node(kind.iri))
        for name in ev.names:
            out.text(e, SCHEMA.name, name)
        if ev.date is not None:
            out.add(e, SCHEMA.startDate, date_literal(ev.date.start))
            if ev.date.end is not None and ev.date.end != ev.date.start:
                out.add(e, SCHEMA.endDate, date_literal(ev.date.end))
            out.plain(e, CCUS.dateText, ev.date.raw)
            out.text(e, CCUS.dateRemark, ev.date.remark)
        out.text(e, CCUS.scale, ev.scale)
        out.text(e, CCUS.eventImpact, ev.impact)
        out.text(e, SCHEMA.description, ev.content)
        if not ev.complete:
            out.add(e, CCUS.incomplete, ox.Literal("true", datatype=XSD.boolean))
        for section_index, _number, _line in ev.occurrences:
            out.add(e, CCUS.listedIn, section_iris[section_index])
        first_line = ev.occurrences[0][2] if ev.occurrences else None
        name = ev.names[0] if ev.names else ev.key

        # place → jurisdiction
        jurisdiction, why = None, ""
        if ev.region:
            out.text(e, CCUS.placeText, ev.region)
            jurisdiction = self.ctx.jurisdictions.for_place(ev.region)
            why = f"place text {ev.region!r}"
        if jurisdiction is None and context is not None:
            jurisdiction, why = context, f"compilation title {doc.title!r}" + (f" (place {ev.region!r} not recognised)" if ev.region else "")
        if jurisdiction is not None:
            out.add(e, SCHEMA.location, self.ctx.use_jurisdiction(jurisdiction))
            self.links.append({"event": e.value, "name": name, "link": "location", "target": iris.jurisdiction(jurisdiction.code), "why": why})
        elif ev.region:
            self.problems.append(Problem("info", "unresolved-place", f"place {ev.region!r} of event {name!r} resolves to no jurisdiction",
                                         file=doc.path, line=first_line, field="区域"))

        # responsible bodies → agencies
        if ev.responsible:
            out.text(e, CCUS.organizerText, ev.responsible)
            for part in _responsible_parts(ev.responsible):
                for d in self.ctx.agencies.resolve(part, jurisdiction):
                    target = self.ctx.use_agency(d.agency)
                    out.add(e, SCHEMA.organizer, target)
                    self.ctx.decisions.agencies.append(AgencyResolution(
                        raw=ev.responsible, part=d.part, subject=e.value, file=doc.path, iri=target.value,
                        rule=d.rule, in_authority_file=d.agency.in_authority_file))
                    self.links.append({"event": e.value, "name": name, "link": "organizer", "target": target.value,
                                       "why": f"责任单位 names {d.part!r} ({d.rule})"})

        # sources
        for link in ev.sources:
            url = canonical_url(link.url)
            try:
                page = named_node(url)
            except ValueError:
                self.problems.append(Problem("warning", "bad-url", f"source link {link.url!r} is not a valid IRI; kept as text",
                                             file=doc.path, line=first_line, field="信息来源"))
                out.plain(e, DCTERMS.source, link.url)
                continue
            out.add(e, DCTERMS.source, page)
            out.types(page, SCHEMA.WebPage)
            out.add(page, SCHEMA.url, ox.Literal(url, datatype=XSD.anyURI))
            out.text(page, SCHEMA.name, link.label)

        # named policies → schema:about
        for title in ev.policy_titles:
            ids, rule = self.titles.match(title)
            for pid in sorted(ids):
                out.add(e, SCHEMA.about, named_node(iris.policy(pid)))
                self.links.append({"event": e.value, "name": name, "link": "about", "target": iris.policy(pid),
                                   "why": f"title 《{title}》 matches policy {pid!r} ({rule})"})


def convert_timelines(documents: Iterable[tuple[TimelineDocument, str]], ctx: IdentityContext,
                      titles: PolicyTitleIndex, out: Emitter) -> tuple[list[Problem], set[str], list[dict[str, Any]]]:
    """Convert parsed compilations into quads (appended to ``out``).

    ``documents`` holds ``(document, key)`` pairs (``key`` the stable source path).
    Returns ``(problems, event IRIs, links)``: the parse and link problems, the IRIs of the
    events made, and one dict per link made (``event``, ``link``, ``target``, ``why``).
    """
    problems: list[Problem] = []
    conv = _EventConverter(ctx, out, problems, titles)
    for doc, key in documents:
        mark = len(out.quads)
        try:
            conv.document(doc, key)
        except Exception as exc:  # a bug must not cost the other files: drop this one's triples, report it
            del out.quads[mark:]
            problems.append(Problem("error", "internal-error", f"internal error while converting this compilation "
                                    f"({type(exc).__name__}: {exc}); its events are left out", file=doc.path, line=1))
    return problems, conv.events, conv.links
