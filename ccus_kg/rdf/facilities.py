"""Convert CCUS facility records into RDF through ``ontology/mapping/facilities.yaml`` (pure).

One ``ccus:Facility`` (a GeoSPARQL ``geo:Feature``) per facility ``id``, its ``en`` and ``zh`` files
merged.  The generic field kinds are handled by :class:`~ccus_kg.rdf.records.MappedRecordConverter`;
this module adds the kinds of facility records:

* ``organisation`` — an operator or partner: the issuing agency of ``ontology/agencies.yaml`` when
  the name resolves there (:class:`~ccus_kg.identity.agencies.AgencyResolver`, in the facility's
  jurisdiction), else a named ``org:Organization`` (:mod:`ccus_kg.identity.organisations`);
* ``hub`` — a ``ccus:Hub`` shared by every facility naming it;
* ``geometry`` — ``geo:hasGeometry`` → ``geo:Geometry`` with ``geo:asWKT "POINT(lon lat)"^^geo:wktLiteral``
  (GeoSPARQL 1.1 §8.5.1: WKT in the default CRS84 is longitude first; the records give
  ``[latitude, longitude]``) and ``ccus:locationPrecision`` (a country-precision point is a
  representative point of the country, not the site);
* ``capacity`` — ``schema:QuantitativeValue`` with ``schema:minValue``/``schema:maxValue`` or
  ``schema:value`` (``xsd:decimal``), ``schema:unitCode`` the QUDT unit IRI
  ``unit:MegaTONNE-PER-YR``, ``schema:unitText`` and the raw text (``ccus:capacityText``).
  A raw text that is empty with min = max = 0, and an estimate of 0, mean "not given" in the
  source and emit nothing;
* ``milestone`` — announcement, FID, operation and suspension years as ``ccus:TimelineEvent``s
  about the facility (``xsd:gYear``, ``schema:location`` its jurisdiction), so they join
  ``ccus-kg timeline``;
* ``policy-links`` — collected here, linked by :mod:`ccus_kg.rdf.facility_links`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.identity.organisations import OrganisationIndex, is_placeholder, split_organisations
from ccus_kg.ingest.dates import parse_iso_date
from ccus_kg.mapping import FieldMap, RecordMapping, get_path, load_mapping
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.namespaces import CCUS, GEO, ORG, SCHEMA, SKOS, XSD
from ccus_kg.rdf.records import MappedRecordConverter, Values, as_list, decimal_lexical, scalar
from ccus_kg.rdf.triples import Emitter, date_literal, named_node, text_literal

__all__ = ["FacilityConversion", "convert_facilities"]

_MILESTONE_NAMES = {
    "announcement": ("Announced", "宣布"), "fid": ("Final investment decision", "最终投资决定"),
    "operation": ("Start of operation", "投入运行"), "suspension": ("Suspended", "暂停"),
}


@dataclass
class FacilityConversion:
    """Output of :func:`convert_facilities`.

    ``facilities``: ids converted; ``policy_refs``: facility id → ``[(policy id, file, line)]`` from the
    records' ``relatedPolicies``; ``hubs`` / ``organisations``: IRIs made; ``events``: milestone
    events emitted; ``problems``: every data problem (each also a ``ccus:DataIssue``).
    """

    problems: list[Problem]
    facilities: set[str] = field(default_factory=set)
    policy_refs: dict[str, list[tuple[str, str, int | None]]] = field(default_factory=dict)
    hubs: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    events: int = 0
    #: one entry per operator/partner name: ``raw``, ``part``, ``subject``, ``file``, ``iri``, ``rule``
    #: (``agency (…)``: found in ontology/agencies.yaml; ``named``: a named organisation)
    decisions: list[dict[str, Any]] = field(default_factory=list)


class _FacilityConverter(MappedRecordConverter):
    def __init__(self, mapping: RecordMapping, ctx, out: Emitter, problems: list[Problem], orgs: OrganisationIndex):
        super().__init__(mapping, ctx, out, problems)
        self.orgs = orgs
        self.result = FacilityConversion(problems)
        self.hub_names: dict[str, str] = {}
        self.names: dict[str, dict[str, str]] = {}
        self._resolved: dict[tuple[str, str | None], tuple[ox.NamedNode, str]] = {}

    def begin(self, s, record_id, records) -> None:
        self.out.add(s, CCUS.inCorpus, ox.Literal("true", datatype=XSD.boolean))
        self.result.facilities.add(record_id)
        self.names[record_id] = {}
        for r in records:
            name = " ".join(scalar(r.data.get("name")).split())
            if name:
                self.names[record_id].setdefault(r.lang, name)

    # -- organisations ----------------------------------------------------------------------
    def emit_organisation(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        raw_prop = f.node_option("raw")
        parts: dict[str, PolicyRecord] = {}
        for v, r in values:
            if raw_prop is not None:
                self.out.plain(s, raw_prop, v)
            for part in (split_organisations(v) if f.options.get("split") == "list" else [str(v).strip()]):
                parts.setdefault(part, r)
        if not f.many and len({p.casefold() for p in parts}) > 1:
            self.problem(s, "warning", "conflicting-values", f"files of one facility name different {f.path}s: {', '.join(parts)}; all are kept",
                         list(parts.values())[-1], f.path)
        jurisdiction = self._jurisdiction(records)
        assert f.predicate is not None
        for part, r in parts.items():
            if is_placeholder(part):
                self.problem(s, "info", "placeholder-organisation", f"{f.path} {part!r} names no organisation; not linked", r, f.path)
                continue
            target, rule = self._organisation(part, jurisdiction)
            self.result.decisions.append({"raw": str(get_path(r.data, f.path)), "part": part, "subject": record_id,
                                                      "file": r.path, "iri": target.value, "rule": rule})
            self.out.add(s, f.predicate, target)

    def _jurisdiction(self, records: list[PolicyRecord]):
        for r in records:
            j = self.ctx.jurisdictions.from_name(scalar(r.data.get("country")))
            if j is not None:
                return j
        return None

    def _organisation(self, part: str, jurisdiction) -> tuple[ox.NamedNode, str]:
        key = (part, jurisdiction.code if jurisdiction else None)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_organisation(part, jurisdiction)
        return self._resolved[key]

    def _resolve_organisation(self, part: str, jurisdiction) -> tuple[ox.NamedNode, str]:
        decisions = self.ctx.agencies.resolve(part, jurisdiction)
        if decisions and all(d.agency.in_authority_file for d in decisions) and len(decisions) == 1:
            return self.ctx.use_agency(decisions[0].agency), f"agency ({decisions[0].rule})"
        org = self.orgs.get(part)
        self.result.organisations.add(org.iri)
        return named_node(org.iri), "named"

    # -- hub ---------------------------------------------------------------------------------
    def emit_hub(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        first = self.single(s, f, values, lambda v: " ".join(str(v).split()).casefold())
        if first is None:
            return
        name = " ".join(str(first[0]).split())
        hub = named_node(iris.hub(name))
        self.hub_names.setdefault(hub.value, name)
        self.result.hubs.add(hub.value)
        assert f.predicate is not None
        self.out.add(s, f.predicate, hub)

    # -- geometry ----------------------------------------------------------------------------
    def emit_geometry(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        points: list[tuple[float, float, PolicyRecord]] = []
        for v, r in values:
            point = _lat_lon(v)
            if point is None:
                self.problem(s, "warning", "bad-coordinates",
                             f"{f.path} {v!r} is not [latitude, longitude] in degrees (latitude -90…90, longitude -180…180)", r, f.path)
            else:
                points.append((*point, r))
        if not points:
            return
        if len({(lat, lon) for lat, lon, _ in points}) > 1:
            self.problem(s, "warning", "conflicting-values", f"files of one facility give different {f.path}; the first is used", points[-1][2], f.path)
        lat, lon, _r = points[0]
        g = named_node(iris.facility(record_id) + "/geometry")
        assert f.predicate is not None
        self.out.add(s, f.predicate, g)
        self.out.types(g, GEO.Geometry)
        self.out.add(g, GEO.asWKT, ox.Literal(f"POINT({_num(lon)} {_num(lat)})", datatype=GEO.wktLiteral))
        precision_path = f.options.get("precision")
        if precision_path:
            raws = [(scalar(get_path(r.data, precision_path)), r) for r in records if scalar(get_path(r.data, precision_path))]
            if not raws:
                self.problem(s, "warning", "missing-field", f"no {precision_path} given for the coordinates", records[0], precision_path)
            for raw, r in raws[:1]:
                match = self.ctx.vocabularies.lookup("location-precision", raw)
                if match is None:
                    self.out.plain(g, CCUS.precisionText, raw)
                    self.problem(s, "warning", "unknown-location-precision", f"{precision_path} {raw!r} is not in the location-precision scheme", r, precision_path)
                else:
                    self.out.add(g, CCUS.locationPrecision, named_node(match.iri))

    # -- capacity ----------------------------------------------------------------------------
    def emit_capacity(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        unit, unit_text = f.node_option("unit"), f.options.get("unit_text")
        numeric = [k for k in ("min", "max", "value") if f.options.get(k)]
        readings: list[tuple[dict[str, str], str, PolicyRecord]] = []
        for r in records:
            raw = scalar(get_path(r.data, f.path)) if f.path not in (f.options.get("value"),) else ""
            numbers: dict[str, str] = {}
            for k in numeric:
                path = str(f.options[k])
                value = get_path(r.data, path)
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                lexical = decimal_lexical(value)
                if lexical is None or lexical.startswith("-"):
                    self.problem(s, "warning", "bad-number", f"{path} {value!r} is not a non-negative number (Mt CO2 per year)", r, path)
                    continue
                numbers[k] = lexical
            given = bool(raw) or any(v != "0" for v in numbers.values())
            if given:
                readings.append((numbers, raw, r))
        if not readings:
            return
        if len({(tuple(sorted(n.items())), raw) for n, raw, _ in readings}) > 1:
            self.problem(s, "warning", "conflicting-values", f"files of one facility give different {f.path} values; the first is used", readings[-1][2], f.path)
        numbers, raw, r = readings[0]
        if "min" in numbers and "max" in numbers and float(numbers["min"]) > float(numbers["max"]):
            self.problem(s, "warning", "capacity-range-reversed",
                         f"{f.options['min']} {numbers['min']} is more than {f.options['max']} {numbers['max']} (raw {raw!r}); kept as given", r, f.path)
        q = named_node(iris.facility(record_id) + "/capacity/" + ("estimated" if f.options.get("value") else "announced"))
        assert f.predicate is not None
        self.out.add(s, f.predicate, q)
        self.out.types(q, SCHEMA.QuantitativeValue)
        for k, prop in (("min", SCHEMA.minValue), ("max", SCHEMA.maxValue), ("value", SCHEMA.value)):
            if k in numbers:
                self.out.add(q, prop, ox.Literal(numbers[k], datatype=XSD.decimal))
        if unit is not None:
            self.out.add(q, SCHEMA.unitCode, unit)
        self.out.plain(q, SCHEMA.unitText, unit_text)
        self.out.plain(q, CCUS.capacityText, raw)

    # -- milestones --------------------------------------------------------------------------
    def emit_milestone(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        dated = []
        for v, r in values:
            value = parse_iso_date(v)
            if value is None:
                self.problem(s, "warning", "bad-date", f"{f.path} {v!r} is not a year (YYYY) or date", r, f.path)
            else:
                dated.append((value, r))
        if not dated:
            return
        if len({d.lexical for d, _ in dated}) > 1:
            self.problem(s, "warning", "conflicting-values",
                         f"files of one facility give different {f.path} dates ({', '.join(d.lexical for d, _ in dated)}); the first is used", dated[-1][1], f.path)
        kind = str(f.options["event"])
        e = named_node(iris.facility(record_id) + "/event/" + kind)
        out = self.out
        out.types(e, CCUS.TimelineEvent, SCHEMA.Event)
        out.add(e, SCHEMA.about, s)
        concept = self.ctx.vocabularies.lookup("facility-milestone", kind)
        if concept is not None:
            out.add(e, CCUS.eventKind, named_node(concept.iri))
        out.add(e, SCHEMA.startDate, date_literal(dated[0][0]))
        en_prefix, zh_prefix = _MILESTONE_NAMES.get(kind, (kind, kind))
        names = self.names.get(record_id) or {}
        name = names.get("en") or names.get("zh") or f"facility {record_id}"
        out.add(e, SCHEMA.name, ox.Literal(f"{en_prefix}: {name}", language="en"))
        out.add(e, SCHEMA.name, ox.Literal(f"{zh_prefix}：{names.get('zh') or name}", language="zh"))
        if record_id in self.jurisdiction_of:       # the country field comes before the milestones
            out.add(e, SCHEMA.location, self.jurisdiction_of[record_id])
        self.result.events += 1

    # -- policy links ------------------------------------------------------------------------
    def emit_policy_links(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        refs = self.result.policy_refs.setdefault(record_id, [])
        for v, r in values:
            refs.append((str(v).strip(), r.path, r.line_of(f.path)))

    # -- after every facility ----------------------------------------------------------------
    def finish(self) -> None:
        out = self.out
        for iri, name in sorted(self.hub_names.items()):
            h = named_node(iri)
            out.types(h, CCUS.Hub)
            out.text(h, SCHEMA.name, name)
        for org in self.orgs.organisations():
            if org.iri not in self.result.organisations:
                continue
            o = named_node(org.iri)
            out.types(o, ORG.Organization)
            out.add(o, SKOS.prefLabel, text_literal(org.label))
            for alt in sorted(org.alt_labels - {org.label}):
                out.add(o, SKOS.altLabel, text_literal(alt))
            out.add(o, CCUS.inAuthorityFile, ox.Literal("false", datatype=XSD.boolean))


def _lat_lon(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    try:
        lat, lon = (float(x) for x in value)
    except (TypeError, ValueError):
        return None
    if isinstance(value[0], bool) or isinstance(value[1], bool) or not all(map(math.isfinite, (lat, lon))):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _num(x: float) -> str:
    return decimal_lexical(x) or "0"


def convert_facilities(records: Iterable[PolicyRecord], ctx, out: Emitter | None = None,
                       mapping: RecordMapping | None = None) -> FacilityConversion:
    """Convert facility records (``kind == "facility"``) into quads on ``out``.

    ``records`` may hold an ``en`` and a ``zh`` file per id; they become one facility.  ``ctx`` is
    the build's :class:`~ccus_kg.rdf.identity_context.IdentityContext` (jurisdiction, agency and concept
    decisions go to its report; jurisdictions and agencies are emitted later by
    ``emit_identities``).  Returns a :class:`FacilityConversion`.  Raises nothing for bad data.
    """
    out = out or Emitter()
    by_id: dict[str, list[PolicyRecord]] = defaultdict(list)
    for r in records:
        by_id[r.id].append(r)
    orgs = OrganisationIndex()
    for rs in by_id.values():               # every name first, so aliases do not depend on order
        for r in rs:
            for key in ("operator", "partners"):
                for raw in as_list(r.data.get(key)):
                    for part in split_organisations(raw):
                        orgs.add(part)
    problems: list[Problem] = []
    conv = _FacilityConverter(mapping or load_mapping("facility"), ctx, out, problems, orgs)
    for facility_id in sorted(by_id, key=lambda i: (len(i), i)):
        conv.convert(facility_id, by_id[facility_id])
    conv.finish()
    conv.report_extra_fields()
    return conv.result
