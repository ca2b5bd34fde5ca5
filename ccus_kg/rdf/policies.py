"""Convert policy records into RDF under the CCUS policy ontology (pure: records in, quads out).

One policy per record ``id``: the ``en`` and ``zh`` files of an id are merged into one
resource whose texts carry language tags.  The mapping (``docs/MODEL.md``) uses the standard
term wherever one fits — ELI for the legal resource, DCTERMS for identifier/title/replaces,
SKOS for concepts and jurisdictions, W3C ORG for agencies, PROV-O for provenance, schema.org
for events — and our ``ccus:`` sub-classes and sub-properties (``ontology/ccus.ttl``) beside it.

Identity (jurisdictions, agencies, controlled values) is resolved through
:class:`IdentityContext`; every decision is written to the build report, and every value that
does not resolve is kept (as a literal and a ``ccus:DataIssue``) and reported, never dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.identity.agencies import Agency, AgencyResolver
from ccus_kg.identity.jurisdictions import Jurisdiction, JurisdictionResolver
from ccus_kg.identity.vocabularies import VocabularyIndex
from ccus_kg.ingest.dates import DateValue, parse_date, parse_iso_date
from ccus_kg.model import PolicyRecord, Problem, Severity
from ccus_kg.namespaces import CCUS, DCTERMS, ELI, ORG, PROV, RDFS, SCHEMA, SKOS, WD, XSD
from ccus_kg.rdf.triples import Emitter, date_literal, node

__all__ = ["IdentityContext", "Conversion", "convert_records", "emit_jurisdiction", "emit_agency"]

#: Front-matter keys the converter maps; any other key is reported (``unmapped-field``), not lost.
KNOWN_FIELDS = frozenset("""
    id title country source status category legalWeight reviewStatus pubDate year url description
    analysis impactAnalysis regulatory provenance evolution sectors relatedFacilities interpretation
    milestones
""".split())

_REGULATORY = {
    "co2_definition": CCUS.co2Definition,
    "cross_border_rules": CCUS.crossBorderRules,
    "financial_assurance": CCUS.financialAssurance,
    "liability_period": CCUS.liabilityPeriod,
    "liability_transfer": CCUS.liabilityTransfer,
    "permitting_lead_time": CCUS.permittingLeadTime,
    "pore_space_rights": CCUS.poreSpaceRights,
}
_IMPACT = {"economic": CCUS.economicImpact, "environmental": CCUS.environmentalImpact, "technical": CCUS.technicalImpact}
_LANG_ORDER = {"en": 0, "zh": 1}


@dataclass
class IdentityContext:
    """The resolvers a conversion uses, and the report of what each raw string resolved to.

    ``decisions`` collects, per kind (``jurisdiction``, ``agency``, ``concept``), one dict per
    raw string seen: ``raw``, the ``iri`` it resolved to (or None), the ``rule``/``evidence``
    that decided, and where it was seen (``file``, ``subject``).
    """

    jurisdictions: JurisdictionResolver
    agencies: AgencyResolver
    vocabularies: VocabularyIndex
    decisions: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
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
        return node(iris.jurisdiction(j.code))

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
        return node(iris.agency(a.jurisdiction, a.key))


@dataclass
class Conversion:
    """Output of a conversion: quads, problems, and counts of what was made."""

    quads: list[ox.Quad]
    problems: list[Problem]
    policies: set[str] = field(default_factory=set)
    dangling: set[str] = field(default_factory=set)
    clusters: set[str] = field(default_factory=set)


def _str(value: Any) -> str:
    """A front-matter scalar as stripped text ('' for None, lists and mappings)."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def _as_list(value: Any) -> list[str]:
    """A front-matter value that may be a string or a list of strings, as a list of non-blank strings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and not isinstance(v, (list, dict)) and str(v).strip()]


class _PolicyConverter:
    """Converts the records of one conversion run; holds the emitter and the problem list."""

    def __init__(self, ctx: IdentityContext, out: Emitter, problems: list[Problem]):
        self.ctx = ctx
        self.out = out
        self.problems = problems
        self.replaces: dict[tuple[str, str], PolicyRecord] = {}  # (newer id, older id) → record that said so
        self.cluster_names: dict[str, str] = {}
        self.jurisdiction_of: dict[str, ox.NamedNode] = {}  # policy IRI → its jurisdiction node

    # -- problems -----------------------------------------------------------------------
    def problem(self, subject: ox.NamedNode | None, severity: Severity, code: str, message: str,
                record: PolicyRecord | None = None, field_name: str | None = None, subject_id: str | None = None) -> Problem:
        p = Problem(severity, code, message, file=record.path if record else None, field=field_name,
                    subject=subject_id or (record.id if record else None))
        self.problems.append(p)
        if subject is not None:
            self.out.issue(subject, p)
        return p

    # -- one policy ---------------------------------------------------------------------
    def convert(self, policy_id: str, records: list[PolicyRecord]) -> None:
        records = sorted(records, key=lambda r: (_LANG_ORDER.get(r.lang, 9), r.path))
        s = node(iris.policy(policy_id))
        out = self.out
        out.types(s, CCUS.Policy, ELI.LegalResource)
        out.plain(s, DCTERMS.identifier, policy_id)
        out.add(s, CCUS.inCorpus, ox.Literal("true", datatype=XSD.boolean))

        langs = [r.lang for r in records]
        for lang in set(langs):
            if langs.count(lang) > 1:
                dupes = ", ".join(r.path for r in records if r.lang == lang)
                self.problem(s, "warning", "duplicate-record",
                             f"{langs.count(lang)} '{lang}' files share id {policy_id!r}: {dupes}; their values are merged",
                             records[0], "id")

        for r in records:
            src = node(iris.source(r.source_key or r.path))
            out.add(s, PROV.wasDerivedFrom, src)
            out.types(src, CCUS.SourceRecord, PROV.Entity)
            out.plain(src, CCUS.filePath, r.source_key or r.path)
            out.plain(src, DCTERMS.language, r.lang)
            for key in sorted(set(r.data) - KNOWN_FIELDS):
                self.problem(s, "info", "unmapped-field", f"front-matter field {key!r} is not mapped to RDF (kept in the source file)", r, key)
            title = _str(r.data.get("title"))
            if not out.text(s, DCTERMS.title, title):
                self.problem(s, "warning", "missing-title", "record has no title", r, "title")
            out.text(s, DCTERMS.description, r.body)
            out.text(s, DCTERMS.abstract, _str(r.data.get("description")))
            out.text(s, CCUS.interpretation, _str(r.data.get("interpretation")))
            for sector in _as_list(r.data.get("sectors")):
                out.text(s, CCUS.sector, sector)
            # relatedFacilities: linked to facility nodes by ccus_kg.rdf.facility_links (both directions)
            self._impact_and_regulatory(s, r)

        self._single_values(s, policy_id, records)
        jurisdiction = self._jurisdiction(s, policy_id, records)
        self._agencies(s, policy_id, records, jurisdiction)
        self._concepts(s, policy_id, records)
        self._assessments(s, policy_id, records)
        self._provenance(s, policy_id, records)
        self._evolution(s, policy_id, records)
        self._life_events(s, policy_id, records)

    def _first(self, s, records: list[PolicyRecord], key: str, normalise=lambda v: v) -> tuple[Any, PolicyRecord | None]:
        """The first non-blank value of ``key`` across the records; a conflict is reported."""
        seen: list[tuple[Any, PolicyRecord]] = []
        for r in records:
            value = r.data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            seen.append((value, r))
        if not seen:
            return None, None
        distinct = {str(normalise(v)) for v, _ in seen}
        if len(distinct) > 1:
            listing = "; ".join(f"{r.path}: {v!r}" for v, r in seen)
            self.problem(s, "warning", "conflicting-values",
                         f"files of one policy disagree on {key!r} ({listing}); the first is used", seen[0][1], key)
        return seen[0]

    def _single_values(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        out = self.out
        pub, r = self._first(s, records, "pubDate", lambda v: str(v).strip())
        if pub is not None:
            value = parse_iso_date(pub)
            if value is None:
                self.problem(s, "warning", "bad-date", f"pubDate {pub!r} is not a date (expected YYYY-MM-DD)", r, "pubDate")
            elif value.precision == "day":
                out.add(s, ELI.date_publication, date_literal(value))
            else:
                out.add(s, CCUS.year, ox.Literal(str(value.year), datatype=XSD.gYear))
                self.problem(s, "info", "imprecise-date", f"pubDate {pub!r} has only {value.precision} precision; kept as the year", r, "pubDate")
        year, r = self._first(s, records, "year", lambda v: str(v).strip())
        if year is not None:
            if re.fullmatch(r"\d{4}", str(year).strip()):
                out.add(s, CCUS.year, ox.Literal(str(year).strip(), datatype=XSD.gYear))
            else:
                self.problem(s, "warning", "bad-year", f"year {year!r} is not a four-digit year", r, "year")
        url, r = self._first(s, records, "url", lambda v: str(v).strip())
        if url is not None:
            url = str(url).strip()
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$", url):
                out.add(s, SCHEMA.url, ox.Literal(url, datatype=XSD.anyURI))
            else:
                out.plain(s, SCHEMA.url, url)
                self.problem(s, "warning", "bad-url", f"url {url!r} is not an absolute URL", r, "url")

    def _impact_and_regulatory(self, s, r: PolicyRecord) -> None:
        impact = r.data.get("impactAnalysis")
        if isinstance(impact, dict):
            for key, prop in _IMPACT.items():
                value = impact.get(key)
                if isinstance(value, str):
                    self.out.text(s, prop, value)
            for key in sorted(set(impact) - set(_IMPACT)):
                self.problem(s, "info", "unmapped-field", f"impactAnalysis.{key} is not an impact dimension (economic, environmental, technical); not mapped", r, f"impactAnalysis.{key}")
        regulatory = r.data.get("regulatory")
        if isinstance(regulatory, dict):
            for key, value in regulatory.items():
                regulatory_prop = _REGULATORY.get(key)
                if regulatory_prop is None:
                    self.problem(s, "info", "unmapped-field", f"regulatory.{key} is not a known regulatory field; not mapped", r, f"regulatory.{key}")
                elif isinstance(value, str):
                    self.out.text(s, regulatory_prop, value)

    # -- identity ---------------------------------------------------------------------------
    def _jurisdiction(self, s, policy_id: str, records: list[PolicyRecord]) -> Jurisdiction | None:
        country, r = self._first(s, records, "country", lambda v: self._country_key(v))
        r = r or records[0]
        agency = _str(r.data.get("source"))
        titles = " ".join(_str(x.data.get("title")) for x in records)
        decision = self.ctx.jurisdictions.for_record(country=_str(country), record_id=policy_id, agency=agency, title=titles)
        self.ctx.decisions["jurisdiction"].append({
            "raw": _str(country), "subject": policy_id, "file": r.path,
            "code": decision.jurisdiction.code if decision.jurisdiction else None,
            "iri": iris.jurisdiction(decision.jurisdiction.code) if decision.jurisdiction else None,
            "evidence": decision.evidence, "detail": decision.detail,
        })
        if decision.jurisdiction is None:
            self.out.text(s, CCUS.countryText, _str(country))
            self.problem(s, "warning", "unresolved-jurisdiction",
                         f"country {_str(country)!r} does not resolve to an ISO 3166 jurisdiction", r, "country")
            return None
        self.jurisdiction_of[s.value] = self.ctx.use_jurisdiction(decision.jurisdiction)
        self.out.add(s, ELI.jurisdiction, self.jurisdiction_of[s.value])
        self.out.plain(s, CCUS.jurisdictionEvidence, decision.evidence)
        return decision.jurisdiction

    def _country_key(self, value: Any) -> str:
        j = self.ctx.jurisdictions.from_name(_str(value))
        return j.code if j else _str(value)

    def _agencies(self, s, policy_id: str, records: list[PolicyRecord], jurisdiction: Jurisdiction | None) -> None:
        seen: set[str] = set()
        named = [r for r in records if _str(r.data.get("source"))]
        for r in records:
            raw = _str(r.data.get("source"))
            if not raw:
                if named:
                    self.problems.append(Problem("info", "empty-agency", f"'source' is empty in this file; the agency comes from {named[0].path}",
                                                 file=r.path, field="source", subject=policy_id))
                else:
                    self.problem(s, "warning", "empty-agency", "no issuing agency ('source' is empty or missing); the policy gets no eli:passed_by", r, "source")
                continue
            decisions = self.ctx.agencies.resolve(raw, jurisdiction, self.ctx.jurisdictions)
            for d in decisions:
                target = self.ctx.use_agency(d.agency)
                self.ctx.decisions["agency"].append({
                    "raw": d.raw, "part": d.part, "subject": policy_id, "file": r.path,
                    "iri": target.value, "rule": d.rule, "in_authority_file": d.agency.in_authority_file,
                })
                if target.value not in seen:
                    seen.add(target.value)
                    self.out.add(s, ELI.passed_by, target)
                if not d.agency.in_authority_file:
                    self.problems.append(Problem("info", "unresolved-agency",
                                                 f"agency {d.part!r} is not in ontology/agencies.yaml; minted {target.value}",
                                                 file=r.path, field="source", subject=policy_id))

    def _concepts(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        specs = (
            ("status", "status", CCUS.status, CCUS.statusText),
            ("category", "category", CCUS.category, CCUS.categoryText),
            ("legalWeight", "legal-weight", ELI.type_document, CCUS.legalWeightText),
            ("reviewStatus", "review-status", CCUS.reviewStatus, CCUS.reviewStatusText),
        )
        for key, scheme, prop, text_prop in specs:
            targets: set[str] = set()
            for r in records:
                raw = _str(r.data.get(key))
                if not raw:
                    if key != "reviewStatus" or r.data.get(key) is not None:
                        self.problem(s, "warning", f"missing-{scheme}", f"no {key} given", r, key)
                    continue
                match = self.ctx.vocabularies.lookup(scheme, raw)
                self.ctx.decisions["concept"].append({
                    "scheme": scheme, "raw": raw, "subject": policy_id, "file": r.path,
                    "iri": match.iri if match else None,
                })
                if match is None:
                    self.out.text(s, text_prop, raw)
                    self.problem(s, "warning", f"unknown-{scheme}",
                                 f"{key} {raw!r} is not in the {scheme} concept scheme (ontology/vocabularies.ttl)", r, key)
                    continue
                targets.add(match.iri)
                self.out.add(s, prop, node(match.iri))
                if match.in_force:
                    self.out.add(s, ELI.in_force, node(match.in_force))
            if len(targets) > 1:
                self.problem(s, "warning", "conflicting-values",
                             f"files of one policy give different {key} concepts: {', '.join(sorted(targets))}", records[0], key)

    def _assessments(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        scores: dict[str, tuple[Any, PolicyRecord]] = {}
        for r in records:
            analysis = r.data.get("analysis")
            if analysis is None:
                continue
            if not isinstance(analysis, dict):
                self.problem(s, "warning", "bad-field", "analysis must be a mapping of dimension → {score, label, evidence, citation}", r, "analysis")
                continue
            for dim, body in analysis.items():
                if not isinstance(body, dict):
                    self.problem(s, "warning", "bad-field", f"analysis.{dim} must be a mapping", r, f"analysis.{dim}")
                    continue
                concept = self.ctx.vocabularies.lookup("analysis-dimension", dim)
                a = node(iris.assessment(policy_id, iris.slug(dim)))
                self.out.add(s, CCUS.hasAssessment, a)
                self.out.types(a, CCUS.DimensionAssessment)
                if concept is None:
                    self.out.plain(a, RDFS.label, dim)
                    self.problem(s, "warning", "unknown-analysis-dimension", f"analysis dimension {dim!r} is not in the analysis-dimension scheme", r, f"analysis.{dim}")
                else:
                    self.out.add(a, CCUS.dimension, node(concept.iri))
                score = body.get("score")
                if score is not None and str(score).strip() != "":
                    try:
                        number = int(float(str(score)))
                        if not 0 <= number <= 100:
                            raise ValueError
                    except ValueError:
                        self.problem(s, "warning", "bad-score", f"analysis.{dim}.score {score!r} is not an integer 0–100", r, f"analysis.{dim}.score")
                    else:
                        if dim in scores and scores[dim][0] != number:
                            self.problem(s, "warning", "conflicting-values",
                                         f"analysis.{dim}.score differs between {scores[dim][1].path} ({scores[dim][0]}) and {r.path} ({number}); the first is used",
                                         r, f"analysis.{dim}.score")
                        else:
                            scores[dim] = (number, r)
                            self.out.add(a, CCUS.score, ox.Literal(str(number), datatype=XSD.integer))
                self.out.text(a, RDFS.label, _str(body.get("label")))
                self.out.text(a, CCUS.evidence, _str(body.get("evidence")))
                self.out.text(a, CCUS.citation, _str(body.get("citation")))
                self.out.text(a, CCUS.auditNote, _str(body.get("auditNote")))

    def _provenance(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        for r in records:
            prov = r.data.get("provenance")
            if not isinstance(prov, dict):
                continue
            author = _str(prov.get("author"))
            if author:
                agent = node(iris.agent(author))
                self.out.add(s, PROV.wasAttributedTo, agent)
                self.out.types(agent, PROV.Agent)
                self.out.plain(agent, RDFS.label, author)
            self.out.text(s, CCUS.reviewer, _str(prov.get("reviewer")))
        for r in records:
            prov = r.data.get("provenance")
            audit = prov.get("lastAuditDate") if isinstance(prov, dict) else None
            if audit:
                value = parse_iso_date(audit)
                if value is None or value.precision != "day":
                    self.problem(s, "warning", "bad-date", f"provenance.lastAuditDate {audit!r} is not a YYYY-MM-DD date", r, "provenance.lastAuditDate")
                else:
                    self.out.add(s, CCUS.lastAuditDate, date_literal(value))

    # -- evolution -------------------------------------------------------------------------
    def _evolution(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        for r in records:
            evo = r.data.get("evolution")
            if evo is None:
                continue
            if not isinstance(evo, dict):
                self.problem(s, "warning", "bad-field", "evolution must be a mapping {supersedes, supersededBy, clusters, milestones}", r, "evolution")
                continue
            for field_name, pairs in (("supersedes", [(policy_id, t) for t in _as_list(evo.get("supersedes"))]),
                                      ("supersededBy", [(t, policy_id) for t in _as_list(evo.get("supersededBy"))])):
                for pair in pairs:
                    if pair[0] == pair[1]:
                        self.problem(s, "warning", "self-replacement", f"evolution.{field_name} names the policy itself", r, f"evolution.{field_name}")
                    else:
                        self.replaces.setdefault(pair, r)
            for name in _as_list(evo.get("clusters")):
                c = node(iris.cluster(name))
                self.cluster_names.setdefault(c.value, name)
                self.out.add(s, ELI.is_member_of, c)
                self.out.add(c, SKOS.member, s)
            for key in sorted(set(evo) - {"supersedes", "supersededBy", "clusters", "milestones"}):
                self.problem(s, "info", "unmapped-field", f"evolution.{key} is not mapped", r, f"evolution.{key}")

    def _life_events(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        """Publication, last audit and milestones as ``ccus:TimelineEvent``s about the policy."""
        out = self.out
        titles = {r.lang: _str(r.data.get("title")) for r in records if _str(r.data.get("title"))}
        for r in records:
            value = parse_iso_date(r.data.get("pubDate")) if r.data.get("pubDate") else None
            if value is not None:
                e = node(iris.policy(policy_id) + "/event/publication")
                self._policy_event(e, s, "publication", value)
                for lang, title in titles.items():
                    out.add(e, SCHEMA.name, ox.Literal(("Published: " if lang == "en" else "发布：") + title, language=lang))
                break
        for r in records:
            prov = r.data.get("provenance")
            value = parse_iso_date(prov.get("lastAuditDate")) if isinstance(prov, dict) and prov.get("lastAuditDate") else None
            if value is not None:
                e = node(iris.policy(policy_id) + "/event/last-audit")
                self._policy_event(e, s, "last-audit", value)
                out.add(e, SCHEMA.name, ox.Literal(f"Last audit of record {policy_id}", language="en"))
                break
        for r in records:
            evo_raw = r.data.get("evolution")
            evo: dict[str, Any] = evo_raw if isinstance(evo_raw, dict) else {}
            milestones = evo.get("milestones") if evo.get("milestones") is not None else r.data.get("milestones")
            if milestones is None:
                continue
            if not isinstance(milestones, list):
                self.problem(s, "warning", "bad-field", "milestones must be a list of {date, event}", r, "milestones")
                continue
            for i, m in enumerate(milestones):
                if not isinstance(m, dict) or not _str(m.get("event")):
                    self.problem(s, "warning", "bad-milestone", f"milestone #{i + 1} must be {{date, event}} with a non-empty event", r, "milestones")
                    continue
                span = parse_date(_str(m.get("date"))) if _str(m.get("date")) else None
                e = node(iris.policy(policy_id) + "/event/milestone-" + iris.digest(_str(m.get("date")), _str(m.get("event")), length=8))
                if span is None:
                    self.problem(s, "warning", "bad-date", f"milestone #{i + 1} date {m.get('date')!r} is not a date", r, "milestones")
                    self._policy_event(e, s, "milestone", None)
                else:
                    self._policy_event(e, s, "milestone", span.start)
                    if span.end is not None and span.end != span.start:
                        out.add(e, SCHEMA.endDate, date_literal(span.end))
                    out.plain(e, CCUS.dateText, span.raw)
                    if span.remark:
                        out.text(e, CCUS.dateRemark, span.remark)
                out.text(e, SCHEMA.name, _str(m.get("event")))

    def _policy_event(self, e, s, kind: str, value: DateValue | None) -> None:
        out = self.out
        out.types(e, CCUS.TimelineEvent, SCHEMA.Event)
        out.add(e, SCHEMA.about, s)
        concept = self.ctx.vocabularies.lookup("event-kind", kind)
        if concept is not None:
            out.add(e, CCUS.eventKind, node(concept.iri))
        if value is not None:
            out.add(e, SCHEMA.startDate, date_literal(value))
        if s.value in self.jurisdiction_of:
            out.add(e, SCHEMA.location, self.jurisdiction_of[s.value])

    def finish(self, known: set[str]) -> set[str]:
        """Emit replacement links in both directions and nodes for targets not in the input."""
        out = self.out
        dangling: set[str] = set()
        for (newer, older), record in sorted(self.replaces.items(), key=lambda kv: kv[0]):
            n, o = node(iris.policy(newer)), node(iris.policy(older))
            out.add(n, DCTERMS.replaces, o)
            out.add(o, DCTERMS.isReplacedBy, n)
            for pid, other, rel in ((older, newer, "supersedes"), (newer, older, "supersededBy")):
                if pid in known:
                    continue
                dangling.add(pid)
                self.problem(node(iris.policy(other)), "warning", "dangling-supersedes" if rel == "supersedes" else "dangling-superseded-by",
                             f"{other!r} {'supersedes' if rel == 'supersedes' else 'is superseded by'} {pid!r}, which is not in the input; "
                             f"it is kept as a policy node marked ccus:inCorpus false",
                             record, f"evolution.{rel}", other)
        for pid in sorted(dangling):
            d = node(iris.policy(pid))
            out.types(d, CCUS.Policy, ELI.LegalResource)
            out.plain(d, DCTERMS.identifier, pid)
            out.add(d, CCUS.inCorpus, ox.Literal("false", datatype=XSD.boolean))
        for iri, name in sorted(self.cluster_names.items()):
            c = node(iri)
            out.types(c, CCUS.PolicyCluster, SKOS.Collection)
            out.text(c, SKOS.prefLabel, name)
        return dangling


def emit_jurisdiction(out: Emitter, j: Jurisdiction) -> None:
    """Emit a jurisdiction node: ISO 3166 notation, en/zh labels, broader country, Wikidata match."""
    s = node(iris.jurisdiction(j.code))
    out.types(s, CCUS.Jurisdiction, SKOS.Concept, DCTERMS.Location)
    out.plain(s, SKOS.notation, j.code)
    out.add(s, SKOS.prefLabel, ox.Literal(j.label_en, language="en"))
    out.add(s, SKOS.prefLabel, ox.Literal(j.label_zh, language="zh"))
    preferred = {j.label_en, j.label_zh}
    for alt in j.alt_labels:
        if alt and alt not in preferred:
            out.text(s, SKOS.altLabel, alt)
    out.add(s, SKOS.inScheme, node(iris.scheme("jurisdiction")))
    if j.broader:
        out.add(s, SKOS.broader, node(iris.jurisdiction(j.broader)))
        out.add(node(iris.jurisdiction(j.broader)), SKOS.narrower, s)
    else:
        out.add(s, SKOS.topConceptOf, node(iris.scheme("jurisdiction")))
    if j.wikidata:
        out.add(s, SKOS.exactMatch, node(WD + j.wikidata))


def emit_jurisdiction_scheme(out: Emitter) -> None:
    """Emit the jurisdiction concept scheme node."""
    scheme = node(iris.scheme("jurisdiction"))
    out.types(scheme, SKOS.ConceptScheme)
    out.add(scheme, SKOS.prefLabel, ox.Literal("Jurisdictions (ISO 3166)", language="en"))
    out.add(scheme, SKOS.prefLabel, ox.Literal("法域（ISO 3166）", language="zh"))


def emit_agency(out: Emitter, a: Agency) -> None:
    """Emit an issuing agency node (``org:Organization``) with labels, jurisdiction, parent, match."""
    s = node(iris.agency(a.jurisdiction, a.key))
    out.types(s, CCUS.IssuingAgency, ORG.Organization)
    if a.label_en:
        out.add(s, SKOS.prefLabel, ox.Literal(a.label_en, language="en"))
    if a.label_zh:
        out.add(s, SKOS.prefLabel, ox.Literal(a.label_zh, language="zh"))
    preferred = {a.label_en, a.label_zh}
    for alt in (*((a.acronym,) if a.acronym else ()), *a.alt_labels):
        if alt and alt not in preferred:
            out.text(s, SKOS.altLabel, alt)
    out.add(s, CCUS.agencyJurisdiction, node(iris.jurisdiction(a.jurisdiction)))
    out.add(s, CCUS.inAuthorityFile, ox.Literal("true" if a.in_authority_file else "false", datatype=XSD.boolean))
    if a.parent:
        out.add(s, ORG.subOrganizationOf, node(iris.agency(*a.parent)))
    if a.wikidata:
        out.add(s, SKOS.exactMatch, node(WD + a.wikidata))


def convert_records(records: Iterable[PolicyRecord], ctx: IdentityContext, out: Emitter | None = None) -> Conversion:
    """Convert policy records into quads.

    ``records`` may hold several files per id (``en`` and ``zh``); they become one policy.
    Returns a :class:`Conversion` whose ``quads`` include the policies, their assessments,
    events, clusters and dangling replacement targets, and whose ``problems`` list every data
    problem found (each also attached to its policy as a ``ccus:DataIssue``).  Jurisdiction and
    agency nodes are emitted later by :func:`emit_identities`, once every user is known.
    Raises nothing for bad data.
    """
    out = out or Emitter()
    problems: list[Problem] = []
    by_id: dict[str, list[PolicyRecord]] = defaultdict(list)
    for r in records:
        by_id[r.id].append(r)
    conv = _PolicyConverter(ctx, out, problems)
    for policy_id in sorted(by_id):
        conv.convert(policy_id, by_id[policy_id])
    dangling = conv.finish(set(by_id))
    return Conversion(out.quads, problems, policies=set(by_id), dangling=dangling,
                      clusters=set(conv.cluster_names))


def emit_identities(ctx: IdentityContext, out: Emitter) -> None:
    """Emit every jurisdiction and agency the conversion used (called once, after all converters)."""
    if ctx.used_jurisdictions:
        emit_jurisdiction_scheme(out)
    for code in sorted(ctx.used_jurisdictions):
        emit_jurisdiction(out, ctx.used_jurisdictions[code])
    for iri in sorted(ctx.used_agencies):
        emit_agency(out, ctx.used_agencies[iri])
