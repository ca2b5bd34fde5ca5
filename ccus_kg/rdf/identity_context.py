"""The identity context of one conversion: resolvers, what each raw string resolved to, and the
identity nodes (jurisdictions, issuing agencies) it used, emitted once at the end.

Converters (:mod:`ccus_kg.rdf.policies`, :mod:`ccus_kg.rdf.events`) resolve raw strings through
an :class:`IdentityContext` and record every decision as a typed resolution record
(:class:`JurisdictionResolution`, :class:`AgencyResolution`, :class:`ConceptResolution`); the
build report lists them (``report.json`` → ``identities``).  :func:`emit_identities` writes each
jurisdiction (an ISO 3166 ``skos:Concept``, ``dcterms:Location``) and issuing agency
(``org:Organization``) used, with its broader chain, exactly once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.identity.agencies import Agency, AgencyDecision, AgencyResolver
from ccus_kg.identity.bounding_boxes import country_bounding_boxes
from ccus_kg.identity.jurisdictions import Jurisdiction, JurisdictionResolver
from ccus_kg.identity.vocabularies import VocabularyIndex
from ccus_kg.namespaces import CCUS, DCTERMS, GEO, ORG, OWL, SCHEMA, SKOS, WD, XSD
from ccus_kg.rdf.triples import Emitter, named_node

__all__ = [
    "IdentityContext", "IdentityDecisions", "JurisdictionResolution", "AgencyResolution", "ConceptResolution",
    "emit_identities", "emit_jurisdiction", "emit_agency",
]


@dataclass(frozen=True, slots=True)
class JurisdictionResolution:
    """How a record's ``country`` field placed policy ``subject`` (its id) in a jurisdiction.

    ``code``/``iri``: the ISO 3166 jurisdiction (None when unresolved); ``evidence`` and
    ``detail``: what decided (see :class:`~ccus_kg.identity.jurisdictions.JurisdictionDecision`);
    ``file``: the record's path.
    """

    raw: str
    subject: str
    file: str
    code: str | None
    iri: str | None
    evidence: str
    detail: str


@dataclass(frozen=True, slots=True)
class AgencyResolution:
    """How one part of a raw agency field (``source`` of a record, 责任单位 of an event) resolved.

    ``subject``: the policy id or event IRI that named it; ``iri``: the agency node;
    ``rule``: see :class:`~ccus_kg.identity.agencies.AgencyDecision`; ``in_authority_file``:
    False for a name minted outside ``ontology/agencies.yaml``.
    """

    raw: str
    part: str
    subject: str
    file: str
    iri: str
    rule: str
    in_authority_file: bool

    @classmethod
    def of(cls, decision: AgencyDecision, *, subject: str, file: str, iri: str) -> AgencyResolution:
        """The record of ``decision`` seen at ``subject`` in ``file``."""
        return cls(raw=decision.raw, part=decision.part, subject=subject, file=file, iri=iri,
                   rule=decision.rule, in_authority_file=decision.agency.in_authority_file)


@dataclass(frozen=True, slots=True)
class ConceptResolution:
    """How a raw controlled value (status, category, legal weight …) resolved in SKOS ``scheme``.

    ``iri``: the concept, or None when the value is not in the scheme.
    """

    scheme: str
    raw: str
    subject: str
    file: str
    iri: str | None


@dataclass
class IdentityDecisions:
    """Every resolution made during one conversion, by kind, in the order made."""

    jurisdictions: list[JurisdictionResolution] = field(default_factory=list)
    agencies: list[AgencyResolution] = field(default_factory=list)
    concepts: list[ConceptResolution] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        """JSON-ready form for the build report: ``{"jurisdiction": [...], "agency": [...], "concept": [...]}``."""
        return {
            "jurisdiction": [asdict(r) for r in self.jurisdictions],
            "agency": [asdict(r) for r in self.agencies],
            "concept": [asdict(r) for r in self.concepts],
        }


@dataclass
class IdentityContext:
    """The resolvers a conversion uses, and the report of what each raw string resolved to.

    ``decisions`` collects one resolution record per raw string seen (see
    :class:`IdentityDecisions`); ``used_jurisdictions`` and ``used_agencies`` the nodes to emit
    (with their broader chains) once every converter has run.
    """

    jurisdictions: JurisdictionResolver
    agencies: AgencyResolver
    vocabularies: VocabularyIndex
    decisions: IdentityDecisions = field(default_factory=lambda: IdentityDecisions())
    used_jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    used_agencies: dict[str, Agency] = field(default_factory=dict)

    @classmethod
    def default(cls) -> IdentityContext:
        """Context with the packaged authority files and vocabularies."""
        return cls(JurisdictionResolver.default(), AgencyResolver.default(), VocabularyIndex.default())

    def use_jurisdiction(self, j: Jurisdiction) -> ox.NamedNode:
        """Remember ``j`` (and its broader chain) for emission; return its IRI node."""
        current: Jurisdiction | None = j
        while current is not None and current.code not in self.used_jurisdictions:
            self.used_jurisdictions[current.code] = current
            current = self.jurisdictions.get(current.broader) if current.broader else None
        return named_node(iris.jurisdiction(j.code))

    def use_agency(self, a: Agency) -> ox.NamedNode:
        """Remember ``a`` (and its parent chain and jurisdiction) for emission; return its IRI node."""
        current: Agency | None = a
        while current is not None:
            iri = iris.agency(current.jurisdiction, current.key)
            if iri in self.used_agencies:
                break
            self.used_agencies[iri] = current
            self.use_jurisdiction(self.jurisdictions.get(current.jurisdiction))
            current = self.agencies.get(*current.parent) if current.parent else None
        return named_node(iris.agency(a.jurisdiction, a.key))



def emit_jurisdiction(out: Emitter, j: Jurisdiction) -> None:
    """Emit a jurisdiction node: ISO 3166 notation, en/zh labels, broader country, Wikidata match, and
    for a country its bounding boxes (``geo:hasBoundingBox`` → ``<…/jurisdiction/US/bbox/1>``, a
    ``geo:Geometry`` with a WKT ``POLYGON``; one per part of ``ontology/country-bounding-boxes.csv``)."""
    s = named_node(iris.jurisdiction(j.code))
    out.types(s, CCUS.Jurisdiction, SKOS.Concept, DCTERMS.Location)
    out.plain(s, SKOS.notation, j.code)
    out.add(s, SKOS.prefLabel, ox.Literal(j.label_en, language="en"))
    out.add(s, SKOS.prefLabel, ox.Literal(j.label_zh, language="zh"))
    preferred = {j.label_en, j.label_zh}
    for alt in j.alt_labels:
        if alt and alt not in preferred:
            out.text(s, SKOS.altLabel, alt)
    out.add(s, SKOS.inScheme, named_node(iris.scheme("jurisdiction")))
    if j.broader:
        out.add(s, SKOS.broader, named_node(iris.jurisdiction(j.broader)))
        out.add(named_node(iris.jurisdiction(j.broader)), SKOS.narrower, s)
    else:
        out.add(s, SKOS.topConceptOf, named_node(iris.scheme("jurisdiction")))
    if j.wikidata:
        out.add(s, SKOS.exactMatch, named_node(WD + j.wikidata))
    if j.kind == "country":
        for n, box in enumerate(country_bounding_boxes().get(j.code, ()), 1):
            b = named_node(iris.bounding_box(j.code, n))
            out.add(s, GEO.hasBoundingBox, b)
            out.types(b, GEO.Geometry)
            out.add(b, GEO.asWKT, ox.Literal(box.wkt(), datatype=GEO.wktLiteral))


def emit_jurisdiction_scheme(out: Emitter) -> None:
    """Emit the jurisdiction concept scheme node."""
    scheme = named_node(iris.scheme("jurisdiction"))
    out.types(scheme, SKOS.ConceptScheme)
    out.add(scheme, SKOS.prefLabel, ox.Literal("Jurisdictions (ISO 3166)", language="en"))
    out.add(scheme, SKOS.prefLabel, ox.Literal("法域（ISO 3166）", language="zh"))


def emit_agency(out: Emitter, a: Agency) -> None:
    """Emit an issuing agency node (``org:Organization``) with labels, jurisdiction, parent, match."""
    s = named_node(iris.agency(a.jurisdiction, a.key))
    out.types(s, CCUS.IssuingAgency, ORG.Organization, SCHEMA.Organization)
    if a.label_en:
        out.add(s, SKOS.prefLabel, ox.Literal(a.label_en, language="en"))
    if a.label_zh:
        out.add(s, SKOS.prefLabel, ox.Literal(a.label_zh, language="zh"))
    preferred = {a.label_en, a.label_zh}
    for alt in (*((a.acronym,) if a.acronym else ()), *a.alt_labels):
        if alt and alt not in preferred:
            out.text(s, SKOS.altLabel, alt, a.language_of(alt))  # the authority file's tag, else by script
    out.add(s, CCUS.agencyJurisdiction, named_node(iris.jurisdiction(a.jurisdiction)))
    out.add(s, CCUS.inAuthorityFile, ox.Literal("true" if a.in_authority_file else "false", datatype=XSD.boolean))
    if a.parent:
        out.add(s, ORG.subOrganizationOf, named_node(iris.agency(*a.parent)))
    if a.wikidata:
        out.add(s, OWL.sameAs, named_node(WD + a.wikidata))  # not skos:exactMatch: an agency is not a skos:Concept


def emit_identities(ctx: IdentityContext, out: Emitter) -> None:
    """Emit every jurisdiction and agency the conversion used (called once, after all converters)."""
    if ctx.used_jurisdictions:
        emit_jurisdiction_scheme(out)
    for code in sorted(ctx.used_jurisdictions):
        emit_jurisdiction(out, ctx.used_jurisdictions[code])
    for iri in sorted(ctx.used_agencies):
        emit_agency(out, ctx.used_agencies[iri])
