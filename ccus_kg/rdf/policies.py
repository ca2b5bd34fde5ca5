"""Convert policy records into RDF under the CCUS policy ontology (pure: records in, quads out).

One policy per record ``id``: the ``en`` and ``zh`` files of an id are merged into one
resource whose texts carry language tags.  The mapping (``docs/MODEL.md``) uses the standard
term wherever one fits — ELI for the legal resource, DCTERMS for identifier/title/replaces,
SKOS for concepts and jurisdictions, W3C ORG for agencies, PROV-O for provenance, schema.org
for events — and our ``ccus:`` sub-classes and sub-properties (``ontology/ccus.ttl``) beside it.

Identity (jurisdictions, agencies, controlled values) is resolved through
:class:`~ccus_kg.rdf.identity_context.IdentityContext`; every decision is written to the build report, and every value that
does not resolve is kept (as a literal and a ``ccus:DataIssue``) and reported, never dropped.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ccus_kg.errors import AuthorityFileError
from ccus_kg.identity import iris
from ccus_kg.identity.jurisdictions import Jurisdiction
from ccus_kg.ingest.agreement import NEUTRAL, Disagreement, cluster_pairs, disagreements
from ccus_kg.ingest.dates import DateValue, parse_date, parse_iso_date
from ccus_kg.ingest.language import detect, language_code
from ccus_kg.mapping import FieldMap, RecordMapping, compact, curie, get_path, load_mapping
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.namespaces import CCUS, DCMITYPE, DCTERMS, ELI, EU_LANGUAGE, PROV, RDFS, SCHEMA, SKOS, XSD
from ccus_kg.rdf.identity_context import AgencyResolution, ConceptResolution, IdentityContext, JurisdictionResolution
from ccus_kg.rdf.links import LINK_PROPERTIES, Link, emit_link
from ccus_kg.rdf.records import MappedRecordConverter
from ccus_kg.rdf.triples import Emitter, date_literal, named_node

__all__ = ["Conversion", "convert_records", "emit_links", "cluster_aliases"]

_LANG_ORDER = {"en": 0, "zh": 1}


@dataclass
class Conversion:
    """Output of a conversion: quads, problems, and what was made.

    ``policies``: ids with a record; ``dangling``: ids only named as replacement targets;
    ``clusters``: cluster IRIs; ``policy_events``: IRIs of the events of a policy's own life
    (publication, last audit, milestones).
    """

    quads: list[ox.Quad]
    problems: list[Problem]
    policies: set[str] = field(default_factory=set)
    dangling: set[str] = field(default_factory=set)
    clusters: set[str] = field(default_factory=set)
    policy_events: set[str] = field(default_factory=set)
    #: the inputs of :func:`emit_links` (cross-policy state), for builds that convert one policy at a time
    replaces: dict[tuple[str, str], PolicyRecord] = field(default_factory=dict)
    consolidates: dict[tuple[str, str], PolicyRecord] = field(default_factory=dict)
    cluster_names: dict[str, str] = field(default_factory=dict)
    cluster_other_names: dict[str, set[str]] = field(default_factory=dict)


def _str(value: Any) -> str:
    """A front-matter scalar as stripped text ('' for None, lists and mappings)."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def _raw(value: Any) -> str:
    """A front-matter value as written-ish text: scalars as they are, lists/mappings as compact JSON."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else str(value)


def parse_score(value: Any) -> int | None:
    """A score as an integer 0–100, or None when it is not one (``55.7``, ``1e999``, ``nan``, ``-3``, ``x``).

    Accepted lexical forms: an optional sign, digits, optionally ``.0…`` (JSON writers print
    ``40.0``).  Never raises.
    """
    match = re.fullmatch(r"\s*\+?(\d{1,3})(?:\.0*)?\s*", value) if isinstance(value, str) else None
    if match is None:
        return None
    number = int(match.group(1))
    return number if number <= 100 else None


def _scores_differ(d: Disagreement) -> bool:
    """True when ``d`` is a text of an assessment whose files give different scores (the assessment
    then keeps only the texts of the file whose score is used)."""
    parts = d.field.split(".")
    if parts[0] != "analysis" or len(parts) != 3:
        return False
    scores = set()
    for r, _v in d.values:
        body = r.data.get("analysis", {}).get(parts[1]) if isinstance(r.data.get("analysis"), dict) else None
        scores.add(parse_score(body.get("score")) if isinstance(body, dict) else None)
    return len(scores) > 1


def _neutral(field_path: str) -> bool:
    return any(fnmatch.fnmatchcase(field_path, p) for p in NEUTRAL)


def _as_list(value: Any) -> list[str]:
    """A front-matter value that may be a string or a list of strings, as a list of non-blank strings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and not isinstance(v, (list, dict)) and str(v).strip()]


#: Kinds whose value must be one text (a scalar) at the top level; a list or mapping there is reported (``bad-field``).
_SCALAR_KINDS = frozenset({"text", "literal", "url", "concept", "jurisdiction", "agency", "date"})


class _PolicyConverter(MappedRecordConverter):
    """Converts the policy records of one conversion run through ``ontology/mapping/policies.yaml``.

    The field names and properties come from the mapping; what is policy-specific (the
    jurisdiction and agency identity, assessments as one unit, lineage links, clusters, life
    events) is code here, driven by the mapping's entries of each kind.
    """

    def __init__(self, ctx: IdentityContext, out: Emitter, problems: list[Problem], mapping: RecordMapping | None = None):
        super().__init__(mapping or load_mapping("policy"), ctx, out, problems)
        m = self.mapping
        self.replaces: dict[tuple[str, str], PolicyRecord] = {}  # (newer id, older id) → record that said so
        self.consolidates: dict[tuple[str, str], PolicyRecord] = {}  # (consolidated id, merged-in id) → record
        self.cluster_names: dict[str, str] = {}
        self.cluster_alias: dict[str, str] = {}  # a cluster name → the name it is one cluster with
        self.cluster_other_names: dict[str, set[str]] = defaultdict(set)  # cluster IRI → its other names
        self.jurisdiction_of: dict[str, ox.NamedNode] = {}  # policy IRI → its jurisdiction node
        self.policy_events: set[str] = set()  # IRIs of the events of a policy's own life
        self._scalar_paths = (m.identifier_path,) + tuple(
            f.path for f in m.fields if "." not in f.path and not f.many and f.kind in _SCALAR_KINDS)
        self._title = next(f.path for f in m.fields if f.predicate == DCTERMS.title)
        self._links: list[tuple[FieldMap, str, bool]] = []  # (entry, link kind, stated from the other side)
        for f in m.of_kind("lineage"):
            found = [(kind, inverse) for kind, props in LINK_PROPERTIES.items() for inverse, p in enumerate(props) if p == f.predicate]
            if not found or found[0][0] not in ("replaces", "consolidates"):
                raise AuthorityFileError(f"ontology/mapping/policies.yaml: {f.path}: a lineage field's predicate must be one of "
                                         "dcterms:replaces, dcterms:isReplacedBy, eli:consolidates")
            self._links.append((f, found[0][0], bool(found[0][1])))

    def _one(self, kind: str) -> FieldMap:
        entries = self.mapping.of_kind(kind)
        if not entries:
            raise AuthorityFileError(f"ontology/mapping/policies.yaml: no field of kind {kind!r}")
        return entries[0]

    # -- one policy ---------------------------------------------------------------------
    def convert(self, policy_id: str, records: list[PolicyRecord]) -> ox.NamedNode:
        m = self.mapping
        records = sorted(records, key=lambda r: (_LANG_ORDER.get(r.lang, 9), r.path))
        s = self.subject(policy_id)
        out = self.out
        out.types(s, *m.types)
        out.plain(s, m.identifier_predicate, policy_id)
        out.add(s, CCUS.inCorpus, ox.Literal("true", datatype=XSD.boolean))

        langs = [r.lang for r in records]
        for lang in sorted(set(langs)):  # a stable order of problems, whatever the hash seed
            if langs.count(lang) > 1:
                dupes = ", ".join(r.path for r in records if r.lang == lang)
                self.problem(s, "warning", "duplicate-record",
                             f"{langs.count(lang)} '{lang}' files share id {policy_id!r}: {dupes}; their values are merged",
                             records[0], "id")

        for r in records:
            src = named_node(iris.source(r.source_key or r.path))
            out.add(s, PROV.wasDerivedFrom, src)
            out.types(src, CCUS.SourceRecord, PROV.Entity)
            out.plain(src, CCUS.filePath, r.source_key or r.path)
            out.plain(src, CCUS.language, r.lang)
            if r.lang:
                out.add(src, DCTERMS.language, named_node(EU_LANGUAGE + language_code(r.lang)))
            out.add(src, CCUS.recordLine, ox.Literal(str(r.line_of("id")), datatype=XSD.integer))
            for key in self._scalar_paths:
                value = r.data.get(key)
                if isinstance(value, (list, dict)):
                    self.problem(s, "warning", "bad-field", f"{key} must be text, found a {'list' if isinstance(value, list) else 'mapping'}; "
                                 "not used (the value is kept on this issue)", r, key, raw=_raw(value))
            for key in sorted(set(r.data) - self._known):
                self.problem(s, "info", "unmapped-field", f"front-matter field {key!r} is not mapped to RDF (kept in the source file)", r, key)
            self._texts(s, r)
        self.extra_fields(s, policy_id, records)

        for d in disagreements(records):
            used = "the first is used" if _neutral(d.field) or _scores_differ(d) else "each is kept, tagged by its script"
            listing = "; ".join(f"{r.path}: {v!r}" for r, v in d.values)
            self.problem(s, "warning", "conflicting-values", f"files of one policy disagree on {d.field!r} ({listing}); {used}",
                         d.values[1][0], d.field, raw=d.values[1][1])
        for first, other in cluster_pairs(records):
            canonical = self.canonical_cluster(first)
            self.problem(s, "warning", "conflicting-values",
                         f"files of one policy name a cluster differently ({first!r} in {records[0].path}, {other!r} in "
                         f"{records[-1].path}); taken as one cluster, {canonical!r}, with the other name as skos:altLabel",
                         records[-1], "evolution.clusters", raw=other)
        self._single_values(s, policy_id, records)
        jurisdiction = self._jurisdiction(s, policy_id, records)
        self._agencies(s, policy_id, records, jurisdiction)
        self._concepts(s, policy_id, records)
        self._assessments(s, policy_id, records)
        self._provenance(s, policy_id, records)
        self._evolution(s, policy_id, records)
        self._life_events(s, policy_id, records)
        return s

    def _texts(self, s, r: PolicyRecord) -> None:
        """The ``text`` entries of the mapping (and the body) from one file."""
        m = self.mapping
        for f in m.of_kind("text"):
            assert f.predicate is not None
            value = get_path(r.data, f.path)
            if f.many:
                for item in _as_list(value):
                    self.out.text(s, f.predicate, item)
                continue
            emitted = self.out.text(s, f.predicate, value if isinstance(value, str) else None)
            if not emitted and f.required:
                self.problem(s, "warning", f"missing-{f.path}", f"record has no {f.path}", r, f.path)
            elif emitted and f.options.get("report_script") and (tag := detect(value.strip())) not in ("en", "zh"):
                self.problem(s, "info", "language-by-script",
                             f"{f.path} is not English or Chinese by its script; tagged @{tag}" + (" (undetermined)" if tag == "und" else ""),
                             r, f.path)
        if m.body is not None:
            assert m.body.predicate is not None
            self.out.text(s, m.body.predicate, r.body)

    def _first(self, s, records: list[PolicyRecord], key: str, normalise=None) -> tuple[Any, PolicyRecord | None]:
        """The first non-blank value of ``key`` across the records; with ``normalise`` (a resolved
        field), values whose normal forms differ are reported (other fields: :func:`disagreements`)."""
        seen: list[tuple[Any, PolicyRecord]] = []
        for r in records:
            value = get_path(r.data, key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            seen.append((value, r))
        if not seen:
            return None, None
        distinct = {str(normalise(v)) for v, _ in seen} if normalise else set()
        if len(distinct) > 1:
            listing = "; ".join(f"{r.path}: {v!r}" for v, r in seen)
            self.problem(s, "warning", "conflicting-values",
                         f"files of one policy disagree on {key!r} ({listing}); the first is used", seen[0][1], key)
        return seen[0]

    def _single_values(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        """The ``date``, ``literal`` and ``url`` entries: the first value of the files (en first)."""
        out = self.out
        for f in self.mapping.of_kind("date", "literal", "url"):
            assert f.predicate is not None
            value, r = self._first(s, records, f.path)
            if value is None:
                continue
            if f.kind == "date" and f.options.get("precision") == "any":  # every file's date is kept
                for other in records:
                    if _str(get_path(other.data, f.path)):
                        self._date(s, f, get_path(other.data, f.path), other)
            elif f.kind == "date":
                self._date(s, f, value, r)
            elif f.kind == "literal":
                datatype = f.node_option("datatype") or XSD.string
                if datatype == XSD.gYear and not re.fullmatch(r"\d{4}", str(value).strip()):
                    self.problem(s, "warning", f"bad-{f.path}", f"{f.path} {value!r} is not a four-digit year", r, f.path, raw=_raw(value))
                else:
                    out.add(s, f.predicate, ox.Literal(str(value).strip(), datatype=datatype))
            else:
                url = str(value).strip()
                if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$", url):
                    out.add(s, f.predicate, ox.Literal(url, datatype=XSD.anyURI))
                else:
                    out.plain(s, f.predicate, url)
                    self.problem(s, "warning", "bad-url", f"{f.path} {url!r} is not an absolute URL", r, f.path)

    def _date(self, s, f: FieldMap, value: Any, r: PolicyRecord | None) -> None:
        """A ``date`` entry: ``precision: day`` (YYYY-MM-DD; coarser → the ``coarse`` property as a
        year) or ``precision: any`` (any written date, by its own precision)."""
        assert f.predicate is not None
        if f.options.get("precision") == "any":
            published = _str(value)
            span = parse_date(published) if published else None
            if published and span is None:
                self.problem(s, "warning", "bad-date", f"{f.path} {published!r} is not a date", r, f.path, raw=published)
            elif span is not None:
                self.out.add(s, f.predicate, date_literal(span.start))
            return
        parsed = parse_iso_date(value)
        coarse = f.node_option("coarse")
        if parsed is None:
            self.problem(s, "warning", "bad-date", f"{f.path} {value!r} is not a date (expected YYYY-MM-DD)", r, f.path, raw=_raw(value))
        elif parsed.precision == "day":
            self.out.add(s, f.predicate, date_literal(parsed))
        elif coarse is not None:
            self.out.add(s, coarse, ox.Literal(str(parsed.year), datatype=XSD.gYear))
            self.problem(s, "info", "imprecise-date", f"{f.path} {value!r} has only {parsed.precision} precision; kept as the year", r, f.path)

    # -- identity ---------------------------------------------------------------------------
    def _jurisdiction(self, s, policy_id: str, records: list[PolicyRecord]) -> Jurisdiction | None:
        f = self._one("jurisdiction")
        agency_path = self._one("agency").path
        country, r = self._first(s, records, f.path, lambda v: self._country_key(v))
        r = r or records[0]
        agency = _str(get_path(r.data, agency_path))
        titles = " ".join(_str(get_path(x.data, self._title)) for x in records)
        decision = self.ctx.jurisdictions.for_record(country=_str(country), record_id=policy_id, agency=agency, title=titles)
        self.ctx.decisions.jurisdictions.append(JurisdictionResolution(
            raw=_str(country), subject=policy_id, file=r.path,
            code=decision.jurisdiction.code if decision.jurisdiction else None,
            iri=iris.jurisdiction(decision.jurisdiction.code) if decision.jurisdiction else None,
            evidence=decision.evidence, detail=decision.detail,
        ))
        if decision.jurisdiction is None:
            fallback = f.node_option("fallback")
            if fallback is not None:
                self.out.text(s, fallback, _str(country))
            self.problem(s, "warning", "unresolved-jurisdiction",
                         f"{f.path} {_str(country)!r} does not resolve to an ISO 3166 jurisdiction", r, f.path)
            return None
        assert f.predicate is not None
        self.jurisdiction_of[s.value] = self.ctx.use_jurisdiction(decision.jurisdiction)
        self.out.add(s, f.predicate, self.jurisdiction_of[s.value])
        evidence = f.node_option("evidence")
        if evidence is not None:
            self.out.plain(s, evidence, decision.evidence)
        return decision.jurisdiction

    def _country_key(self, value: Any) -> str:
        j = self.ctx.jurisdictions.from_name(_str(value))
        return j.code if j else _str(value)

    def _agencies(self, s, policy_id: str, records: list[PolicyRecord], jurisdiction: Jurisdiction | None) -> None:
        f = self._one("agency")
        assert f.predicate is not None
        key = f.path
        seen: set[str] = set()
        named = [r for r in records if _str(get_path(r.data, key))]
        for r in records:
            raw = _str(get_path(r.data, key))
            if not raw:
                if named:
                    self.problems.append(Problem("info", "empty-agency", f"'{key}' is empty in this file; the agency comes from {named[0].path}",
                                                 file=r.path, line=r.line_of(key), field=key, subject=policy_id))
                elif f.required:
                    self.problem(s, "warning", "empty-agency", f"no issuing agency ('{key}' is empty or missing); "
                                 f"the policy gets no {compact(f.predicate)}", r, key)
                continue
            decisions = self.ctx.agencies.resolve(raw, jurisdiction)
            for d in decisions:
                target = self.ctx.use_agency(d.agency)
                self.ctx.decisions.agencies.append(AgencyResolution.of(d, subject=policy_id, file=r.path, iri=target.value))
                if target.value not in seen:
                    seen.add(target.value)
                    self.out.add(s, f.predicate, target)
                if not d.agency.in_authority_file:
                    self.problems.append(Problem("info", "unresolved-agency",
                                                 f"agency {d.part!r} is not in ontology/agencies.yaml; minted {target.value}",
                                                 file=r.path, line=r.line_of(key), field=key, subject=policy_id))
            if note := self.ctx.agencies.joint_note(raw):  # the named agency is linked; the note says more issued it
                self.problem(s, "info", "joint-issuance", note, r, key, raw=raw)

    def _concepts(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        """The ``concept`` entries: a concept of the entry's scheme; a value in none is kept as
        text on ``fallback``, marked ``ccus:notInScheme`` and reported."""
        for f in self.mapping.of_kind("concept"):
            key, scheme, prop, text_prop = f.path, str(f.options["scheme"]), f.predicate, f.node_option("fallback")
            assert prop is not None
            in_force = f.node_option("in_force")
            targets: set[str] = set()
            for r in records:
                raw = _str(get_path(r.data, key))
                if not raw:
                    if f.required or (f.options.get("report_blank") and get_path(r.data, key) is not None):
                        self.problem(s, "warning", f"missing-{scheme}", f"no {key} given", r, key)
                    continue
                match = self.ctx.vocabularies.lookup(scheme, raw)
                self.ctx.decisions.concepts.append(ConceptResolution(
                    scheme=scheme, raw=raw, subject=policy_id, file=r.path, iri=match.iri if match else None))
                if match is None:
                    if text_prop is not None:
                        self.out.text(s, text_prop, raw)
                    self.not_in_scheme(s, scheme)
                    self.problem(s, "warning", f"unknown-{scheme}",
                                 f"{key} {raw!r} is not in the {scheme} concept scheme (ontology/vocabularies.ttl)", r, key)
                    continue
                targets.add(match.iri)
                self.out.add(s, prop, named_node(match.iri))
                if match.in_force and in_force is not None:
                    self.out.add(s, in_force, named_node(match.in_force))
            if len(targets) > 1:
                self.problem(s, "warning", "conflicting-values",
                             f"files of one policy give different {key} concepts: {', '.join(sorted(targets))}", records[0], key)

    def _assessments(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        """One ``ccus:DimensionAssessment`` per dimension, one consistent unit.

        The winning score is the first valid one (``en`` file first); label, evidence, citation
        and audit note come only from the files that give that score (or no score), so an
        assessment never holds a label written for another score.  A losing file's entry is
        reported (``conflicting-values``, its values on the issue) and not used.
        """
        for f in self.mapping.of_kind("assessments"):
            self._assessments_of(s, policy_id, records, f)

    def _assessments_of(self, s, policy_id: str, records: list[PolicyRecord], f: FieldMap) -> None:
        key, scheme = f.path, str(f.options.get("scheme", "analysis-dimension"))
        parts = {k: curie(v, f"{key}.parts.{k}") for k, v in dict(f.options.get("parts") or {}).items()}
        score_prop = parts.pop("score", CCUS.score)
        assert f.predicate is not None
        per_dim: dict[str, list[tuple[PolicyRecord, dict[str, Any]]]] = {}
        for r in records:
            analysis = get_path(r.data, key)
            if analysis is None:
                continue
            if not isinstance(analysis, dict):
                self.problem(s, "warning", "bad-field", f"{key} must be a mapping of dimension → {{score, label, evidence, citation}}",
                             r, key, raw=_raw(analysis))
                continue
            for dim, body in analysis.items():
                if not isinstance(body, dict):
                    self.problem(s, "warning", "bad-field", f"{key}.{dim} must be a mapping", r, f"{key}.{dim}", raw=_raw(body))
                    continue
                per_dim.setdefault(dim, []).append((r, body))
        for dim, entries in per_dim.items():
            concept = self.ctx.vocabularies.lookup(scheme, dim)
            a = named_node(iris.assessment(policy_id, iris.slug(dim)))
            self.out.add(s, f.predicate, a)
            self.out.types(a, CCUS.DimensionAssessment)
            if concept is None:
                self.out.plain(a, RDFS.label, dim)
                self.problem(s, "warning", f"unknown-{scheme}", f"{key} dimension {dim!r} is not in the {scheme} scheme",
                             entries[0][0], f"{key}.{dim}")
            else:
                self.out.add(a, CCUS.dimension, named_node(concept.iri))
            scores: list[int | None] = []
            for r, body in entries:
                raw = body.get("score")
                number = parse_score(raw)
                if number is None and raw is not None and str(raw).strip() != "":
                    self.problem(s, "warning", "bad-score", f"{key}.{dim}.score {raw!r} is not an integer 0–100; not used",
                                 r, f"{key}.{dim}.score", raw=_raw(raw))
                scores.append(number)
            winner = next((n for n in scores if n is not None), None)
            if winner is not None:
                self.out.add(a, score_prop, ox.Literal(str(winner), datatype=XSD.integer))
            first = next(r for (r, _b), n in zip(entries, scores, strict=True) if n == winner)
            for (r, body), number in zip(entries, scores, strict=True):
                if number is not None and number != winner:
                    self.problem(s, "warning", "conflicting-values",
                                 f"{key}.{dim}.score differs between {first.path} ({winner}) and {r.path} ({number}); "
                                 f"the first is used, with its label and evidence (those of {r.path} are on this issue)",
                                 r, f"{key}.{dim}.score", raw=_raw(body))
                    continue
                if number is None and winner is not None and r is not first and body.get("score") not in (None, ""):
                    continue  # a bad score: its label was written for a score we do not know
                for part, prop in parts.items():
                    self.out.text(a, prop, _str(body.get(part)))

    def _provenance(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        key = self._one("provenance").path
        for r in records:
            prov = get_path(r.data, key)
            if not isinstance(prov, dict):
                continue
            author = _str(prov.get("author"))
            if author:
                agent = named_node(iris.agent(author))
                self.out.add(s, PROV.wasAttributedTo, agent)
                self.out.types(agent, PROV.Agent)
                self.out.plain(agent, RDFS.label, author)
            self.out.text(s, CCUS.reviewer, _str(prov.get("reviewer")))
        audited = False
        for r in records:
            prov = get_path(r.data, key)
            audit = prov.get("lastAuditDate") if isinstance(prov, dict) else None
            if audit and not audited:
                value = parse_iso_date(audit)
                if value is None or value.precision != "day":
                    self.problem(s, "warning", "bad-date", f"{key}.lastAuditDate {audit!r} is not a YYYY-MM-DD date", r, f"{key}.lastAuditDate", raw=_raw(audit))
                else:
                    self.out.add(s, CCUS.lastAuditDate, date_literal(value))
                    audited = True

    # -- evolution -------------------------------------------------------------------------
    def _evolution(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        """The ``lineage`` and ``cluster`` entries (their texts and dates are ``text``/``date`` entries)."""
        parents = sorted({f.path.rsplit(".", 1)[0] for f, _k, _i in self._links if "." in f.path})
        for r in records:
            bad = [p for p in parents if get_path(r.data, p) is not None and not isinstance(get_path(r.data, p), dict)]
            for p in bad:
                self.problem(s, "warning", "bad-field", f"{p} must be a mapping {{supersedes, supersededBy, clusters, milestones}}", r, p)
            if bad:
                continue
            for f, kind, inverse in self._links:
                store = self.replaces if kind == "replaces" else self.consolidates
                for other in _as_list(get_path(r.data, f.path)):
                    # a self-replacement or self-consolidation is kept: shapes:SelfReplacement reports it
                    store.setdefault((other, policy_id) if inverse else (policy_id, other), r)
            for f in self.mapping.of_kind("cluster"):
                assert f.predicate is not None
                inverse_prop = f.node_option("inverse")
                for name in _as_list(get_path(r.data, f.path)):
                    canonical = self.canonical_cluster(name)
                    c = named_node(iris.cluster(canonical))
                    self.cluster_names.setdefault(c.value, canonical)
                    if iris.cluster(name) != c.value:
                        self.cluster_other_names[c.value].add(name)
                    self.out.add(s, f.predicate, c)  # a cluster is a group (dcmitype:Collection), not legislation
                    if inverse_prop is not None:
                        self.out.add(c, inverse_prop, s)

    def canonical_cluster(self, name: str) -> str:
        """The name a cluster is minted by: ``name``, or the first file's name of the cluster it was paired with."""
        seen = {name}
        while name in self.cluster_alias and self.cluster_alias[name] not in seen:
            name = self.cluster_alias[name]
            seen.add(name)
        return name

    def pair_clusters(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Record the cluster names that two files of one id give at the same position (``cluster_pairs``) as one cluster."""
        for first, other in pairs:
            a, b = self.canonical_cluster(first), self.canonical_cluster(other)
            if a != b and iris.cluster(a) != iris.cluster(b):
                self.cluster_alias[b] = a

    def _life_events(self, s, policy_id: str, records: list[PolicyRecord]) -> None:
        """Publication, last audit and milestones as ``ccus:TimelineEvent``s about the policy."""
        out = self.out
        titles = {r.lang: _str(get_path(r.data, self._title)) for r in records if _str(get_path(r.data, self._title))}
        pub = next((f.path for f in self.mapping.of_kind("date") if f.predicate == ELI.date_publication), None)
        prov_key = self._one("provenance").path
        for r in records:
            value = parse_iso_date(get_path(r.data, pub)) if pub and get_path(r.data, pub) else None
            if value is not None:
                e = named_node(iris.policy(policy_id) + "/event/publication")
                self._policy_event(e, s, "publication", value)
                for lang, title in titles.items():
                    out.add(e, SCHEMA.name, ox.Literal(("Published: " if lang == "en" else "发布：") + title, language=lang))
                break
        for r in records:
            prov = get_path(r.data, prov_key)
            value = parse_iso_date(prov.get("lastAuditDate")) if isinstance(prov, dict) and prov.get("lastAuditDate") else None
            if value is not None:
                e = named_node(iris.policy(policy_id) + "/event/last-audit")
                self._policy_event(e, s, "last-audit", value)
                out.add(e, SCHEMA.name, ox.Literal(f"Last audit of record {policy_id}", language="en"))
                break
        lists = [f.path for f in self.mapping.of_kind("milestones")]  # the first one a file gives is used
        for r in records:
            where = next((path for path in lists if get_path(r.data, path) is not None), None)
            if where is None:
                continue
            milestones = get_path(r.data, where)
            if not isinstance(milestones, list):
                self.problem(s, "warning", "bad-field", f"{where} must be a list of {{date, event}}", r, where)
                continue
            on_date: dict[str, int] = defaultdict(int)
            for i, m in enumerate(milestones):
                if not isinstance(m, dict) or not _str(m.get("event")):
                    self.problem(s, "warning", "bad-milestone", f"milestone #{i + 1} must be {{date, event}} with a non-empty event",
                                 r, f"{where}[{i}]", raw=_raw(m))
                    continue
                span = parse_date(_str(m.get("date"))) if _str(m.get("date")) else None
                # one event per (date, n-th milestone of that date): the en and zh files list the
                # same milestone under the same date, so their names (@en, @zh) go on one event
                date_key = _str(m.get("date"))
                key = (date_key, on_date[date_key]) if date_key else (_str(m.get("event")),)
                on_date[date_key] += 1
                e = named_node(iris.policy(policy_id) + "/event/milestone-" + iris.digest(*key, length=8))
                if span is None:
                    self.problem(s, "warning", "bad-date", f"milestone #{i + 1} date {m.get('date')!r} is not a date", r,
                                 f"{where}[{i}].date", raw=_raw(m.get("date")))
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
        self.policy_events.add(e.value)
        out.types(e, CCUS.TimelineEvent, SCHEMA.Event)
        out.add(e, SCHEMA.about, s)
        concept = self.ctx.vocabularies.lookup("event-kind", kind)
        if concept is not None:
            out.add(e, CCUS.eventKind, named_node(concept.iri))
        if value is not None:
            out.add(e, SCHEMA.startDate, date_literal(value))
        if s.value in self.jurisdiction_of:
            out.add(e, SCHEMA.location, self.jurisdiction_of[s.value])

    def finish(self, known: set[str]) -> set[str]:
        """Emit replacement links in both directions and nodes for targets not in the input."""
        out = self.out
        dangling: set[str] = set()
        for (newer, older), record in sorted(self.replaces.items(), key=lambda kv: kv[0]):
            emit_link(out, Link(iris.policy(newer), "replaces", iris.policy(older), False, "field",
                                f"evolution.supersedes / supersededBy of {record.path}"))
            for pid, other, rel in ((older, newer, "supersedes"), (newer, older, "supersededBy")):
                if pid in known:
                    continue
                dangling.add(pid)
                self.problem(named_node(iris.policy(other)), "warning", "dangling-supersedes" if rel == "supersedes" else "dangling-superseded-by",
                             f"{other!r} {'supersedes' if rel == 'supersedes' else 'is superseded by'} {pid!r}, which is not in the input; "
                             f"it is kept as a policy node marked ccus:inCorpus false",
                             record, f"evolution.{rel}", other)
        for (merged, part), record in sorted(self.consolidates.items(), key=lambda kv: kv[0]):
            emit_link(out, Link(iris.policy(merged), "consolidates", iris.policy(part), False, "field",
                                f"evolution.consolidatedFrom of {record.path}"))
            if part not in known:
                dangling.add(part)
                self.problem(named_node(iris.policy(merged)), "warning", "dangling-consolidated-from",
                             f"{merged!r} is consolidated from {part!r}, which is not in the input; "
                             f"it is kept as a policy node marked ccus:inCorpus false", record, "evolution.consolidatedFrom", merged)
        for pid in sorted(dangling):
            d = named_node(iris.policy(pid))
            out.types(d, CCUS.Policy, ELI.LegalResource)
            out.plain(d, DCTERMS.identifier, pid)
            out.add(d, CCUS.inCorpus, ox.Literal("false", datatype=XSD.boolean))
        for iri, name in sorted(self.cluster_names.items()):
            c = named_node(iri)
            out.types(c, CCUS.PolicyCluster, DCMITYPE.Collection)
            out.text(c, SKOS.prefLabel, name)
            for other in sorted(self.cluster_other_names.get(iri, ())):
                out.text(c, SKOS.altLabel, other)
        return dangling


def convert_records(records: Iterable[PolicyRecord], ctx: IdentityContext, out: Emitter | None = None,
                    on_policy: Callable[[], object] | None = None, *, link: bool = True,
                    cluster_alias: dict[str, str] | None = None, mapping: RecordMapping | None = None) -> Conversion:
    """Convert policy records into quads.

    ``records`` may hold several files per id (``en`` and ``zh``); they become one policy.
    Returns a :class:`Conversion` whose ``quads`` include the policies, their assessments,
    events, clusters and dangling replacement targets, and whose ``problems`` list every data
    problem found (each also attached to its policy as a ``ccus:DataIssue``).  Jurisdiction and
    agency nodes are emitted later by :func:`emit_identities`, once every user is known.
    ``on_policy`` is called after each policy (progress).  With ``link=False`` the links between
    policies (supersedes, consolidation, dangling targets, cluster nodes) are left to
    :func:`emit_links`, and ``cluster_alias`` (from :func:`cluster_aliases` over every record)
    names clusters as a whole-input conversion would: incremental builds convert one policy at a
    time.  ``mapping``: the policy mapping (default: the packaged ``ontology/mapping/policies.yaml``).
    Raises nothing for bad data.
    """
    out = out or Emitter()
    problems: list[Problem] = []
    by_id: dict[str, list[PolicyRecord]] = defaultdict(list)
    for r in records:
        by_id[r.id].append(r)
    conv = _PolicyConverter(ctx, out, problems, mapping)
    conv.cluster_alias.update(cluster_alias or {})
    for policy_id in sorted(by_id):  # first, so a cluster named two ways is one cluster wherever it is named
        conv.pair_clusters(cluster_pairs(sorted(by_id[policy_id], key=lambda r: (_LANG_ORDER.get(r.lang, 9), r.path))))
    for policy_id in sorted(by_id):
        mark = len(out.quads)
        try:
            conv.convert(policy_id, by_id[policy_id])
        except Exception as exc:  # a bug must not cost the other policies: drop this one's triples, report it
            del out.quads[mark:]
            first = by_id[policy_id][0]
            problems.append(Problem("error", "internal-error", f"internal error while converting this policy "
                                    f"({type(exc).__name__}: {exc}); it is left out", file=first.path,
                                    line=first.fm_line, subject=policy_id))
        out.flush_if_full()  # between policies only, so the rollback above never meets flushed quads
        if on_policy is not None:
            on_policy()
    conv.report_extra_fields()
    dangling = conv.finish(set(by_id)) if link else set()
    return Conversion(out.quads, problems, policies=set(by_id), dangling=dangling,
                      clusters=set(conv.cluster_names), policy_events=conv.policy_events,
                      replaces=conv.replaces, consolidates=conv.consolidates, cluster_names=conv.cluster_names,
                      cluster_other_names=dict(conv.cluster_other_names))


def cluster_aliases(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The cluster aliases a whole-input conversion makes from the ``cluster_pairs`` of every policy
    (:func:`ccus_kg.ingest.agreement.cluster_pairs` of its files), given in policy id order."""
    conv = _PolicyConverter(None, Emitter(), [])  # type: ignore[arg-type]  # pairing needs no context
    conv.pair_clusters(pairs)
    return conv.cluster_alias


def emit_links(conversion: Conversion, known: set[str], ctx: IdentityContext, out: Emitter) -> tuple[list[Problem], set[str]]:
    """Emit the links between policies that :func:`convert_records` left out with ``link=False``.

    ``conversion``: the merged cross-policy state of every policy (``replaces``, ``consolidates``,
    ``cluster_names``, ``cluster_other_names``; the first statement of a pair and the first name of
    a cluster in policy id order are kept, as in one conversion); ``known``: every policy id with a
    record.  Emits supersedes and consolidation links, nodes for targets not in ``known``
    (``ccus:inCorpus false``) and the cluster nodes.  Returns ``(problems, dangling ids)``.
    """
    problems: list[Problem] = []
    conv = _PolicyConverter(ctx, out, problems)
    conv.replaces.update(conversion.replaces)
    conv.consolidates.update(conversion.consolidates)
    conv.cluster_names.update(conversion.cluster_names)
    for iri, names in conversion.cluster_other_names.items():
        conv.cluster_other_names[iri].update(names)
    return problems, conv.finish(known)
