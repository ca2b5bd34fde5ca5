"""The generic part of converting front-matter records through a declarative mapping.

:class:`MappedRecordConverter` turns the records of one id (its ``en`` and ``zh`` files) into one
node, field by field, as a :class:`ccus_kg.mapping.RecordMapping` says.  It handles the kinds every
record type shares — ``text``, ``literal``, ``url``, ``concept``, ``jurisdiction``, ``provenance``,
``ignore`` — and reports fields the mapping does not list (``unmapped-field``), required fields
that are missing (``missing-field``), and en/zh files that disagree on a single-valued field
(``conflicting-values``; the first file, en before zh, wins).  A sub-class adds the kinds of its
record type by defining ``emit_<kind>`` (``emit_geometry`` for ``geometry``, dashes as underscores).

Language: ``language: detect`` tags a text by its script (Han → ``@zh``, else ``@en``), as the
policy converter does; ``language: file`` tags it with the language of the file it came from.
Pure: records in, quads (through an :class:`~ccus_kg.rdf.triples.Emitter`) and problems out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.identity.jurisdictions import Jurisdiction
from ccus_kg.ingest.dates import parse_iso_date
from ccus_kg.ingest.language import language_code
from ccus_kg.mapping import MAPPING_FILES, FieldMap, RecordMapping, get_path
from ccus_kg.model import PolicyRecord, Problem, Severity
from ccus_kg.namespaces import CCUS, DCTERMS, EU_LANGUAGE, PROV, RDFS, XSD
from ccus_kg.rdf.identity_context import ConceptResolution, JurisdictionResolution
from ccus_kg.rdf.triples import Emitter, date_literal, named_node, text_literal

__all__ = ["MappedRecordConverter", "Values", "scalar", "as_list", "decimal_lexical", "LANG_ORDER"]

LANG_ORDER = {"en": 0, "zh": 1}
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")

#: (value, record it came from) pairs of one field across the files of an id, en first.
Values = list[tuple[Any, PolicyRecord]]


def scalar(value: Any) -> str:
    """A front-matter scalar as stripped text ('' for None, lists and mappings)."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def as_list(value: Any) -> list[str]:
    """A value that may be a string or a list of strings, as a list of non-blank strings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and not isinstance(v, (list, dict)) and str(v).strip()]


def decimal_lexical(value: Any) -> str | None:
    """The ``xsd:decimal`` lexical form of a number (``0.15``, ``2``), or None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class MappedRecordConverter:
    """Converts the records of one kind through its mapping; holds the emitter, context and problems.

    ``ctx`` is the :class:`ccus_kg.rdf.identity_context.IdentityContext` of the build (resolvers and the
    decisions report).  Call :meth:`convert` once per id, with every file of that id.
    """

    def __init__(self, mapping: RecordMapping, ctx, out: Emitter, problems: list[Problem]):
        self.mapping = mapping
        self.ctx = ctx
        self.out = out
        self.problems = problems
        self.jurisdiction_of: dict[str, ox.NamedNode] = {}   # record id → its jurisdiction node
        self._known = mapping.top_level_keys()
        self._agents: dict[str, ox.NamedNode] = {}
        self._objects = sorted(mapping.known_objects())
        self._listed = mapping.listed_paths()
        #: unmapped key path under a known object → [(record id, file)] (see :meth:`report_extra_fields`)
        self.extra_seen: dict[str, list[tuple[str, PolicyRecord]]] = {}

    # -- problems --------------------------------------------------------------------------
    def problem(self, subject: ox.NamedNode | None, severity: Severity, code: str, message: str,
                record: PolicyRecord | None = None, field_name: str | None = None, subject_id: str | None = None,
                raw: str | None = None) -> Problem:
        """Record a problem (and attach it to ``subject`` as a ``ccus:DataIssue``)."""
        p = Problem(severity, code, message, file=record.path if record else None,
                    line=record.line_of(field_name) if record else None, field=field_name,
                    subject=subject_id or (record.id if record else None), raw=raw)
        self.problems.append(p)
        if subject is not None:
            self.out.issue(subject, p)
        return p

    # -- the generic rules: new keys, values in no concept scheme ---------------------------
    def extra_fields(self, s: ox.NamedNode, record_id: str, records: list[PolicyRecord]) -> None:
        """Keep every key under a known object that the mapping does not list (the generic rule).

        A known object is one the mapping reads keys of (:meth:`RecordMapping.known_objects`:
        ``regulatory``, ``impactAnalysis``, ``evolution`` …).  ``regulatory.credit_period: "10
        years"`` becomes ``<s> ccus:extraField <s/field/regulatory.credit_period>``, a
        ``ccus:ExtraField`` with ``ccus:fieldPath "regulatory.credit_period"`` and
        ``ccus:fieldValue "10 years"@en`` (a text tagged by its script; a list or mapping as its
        compact JSON, ``xsd:string``), one node per key with the values of every file of the id.
        Each occurrence is counted for :meth:`report_extra_fields`; nothing is reported here.
        """
        for obj in self._objects:
            for r in records:
                value = get_path(r.data, obj)
                if not isinstance(value, dict):
                    continue
                for key, item in value.items():
                    path = f"{obj}.{key}"
                    if path in self._listed or path in self._objects:
                        continue
                    node = named_node(iris.extra_field(s.value, path))
                    self.out.add(s, CCUS.extraField, node)
                    self.out.types(node, CCUS.ExtraField)
                    self.out.plain(node, CCUS.fieldPath, path)
                    if isinstance(item, (list, dict)):
                        self.out.add(node, CCUS.fieldValue, ox.Literal(json.dumps(item, ensure_ascii=False, separators=(",", ":")),
                                                                      datatype=XSD.string))
                    else:
                        self.out.text(node, CCUS.fieldValue, " ".join(scalar(item).split()))
                    self.extra_seen.setdefault(path, []).append((record_id, r))

    def report_extra_fields(self) -> None:
        """One ``extra-field`` warning per unmapped key seen by :meth:`extra_fields`, with its count
        (records and files) and the first file and line that gives it."""
        file = MAPPING_FILES.get(self.mapping.kind, "mapping")
        for path in sorted(self.extra_seen):
            seen = self.extra_seen[path]
            ids = sorted({rid for rid, _r in seen})
            first = seen[0][1]
            self.problem(None, "warning", "extra-field",
                         f"{path} is not in ontology/{file}: kept by the generic rule as ccus:extraField on "
                         f"{len(ids)} {self.mapping.kind} record(s) ({len(seen)} file(s)); first in {first.path}",
                         first, path, subject_id=ids[0])
        self.extra_seen.clear()

    def not_in_scheme(self, s: ox.NamedNode, scheme: str) -> None:
        """Mark ``s`` as having a value of a ``scheme`` field that is in no concept of it:
        ``<s> ccus:notInScheme <id/scheme/{scheme}>`` (the text stays on the field's fallback property)."""
        self.out.add(s, CCUS.notInScheme, named_node(iris.scheme(scheme)))

    # -- one record ------------------------------------------------------------------------
    def subject(self, record_id: str) -> ox.NamedNode:
        """The node of ``record_id`` (the mapping's ``iri`` names the :mod:`ccus_kg.identity.iris` function)."""
        make: Callable[[str], str] = getattr(iris, self.mapping.iri)
        return named_node(make(record_id))

    def convert(self, record_id: str, records: list[PolicyRecord]) -> ox.NamedNode:
        """Emit the node of ``record_id`` from its files; returns the node."""
        records = sorted(records, key=lambda r: (LANG_ORDER.get(r.lang, 9), r.path))
        s = self.subject(record_id)
        self.out.types(s, *self.mapping.types)
        self.out.plain(s, self.mapping.identifier_predicate, record_id)
        langs = [r.lang for r in records]
        for lang in sorted(set(langs)):
            if langs.count(lang) > 1:
                self.problem(s, "warning", "duplicate-record",
                             f"{langs.count(lang)} '{lang}' files share id {record_id!r}: "
                             f"{', '.join(r.path for r in records if r.lang == lang)}; their values are merged", records[0], "id")
        for r in records:
            src = named_node(iris.source(r.source_key or r.path))
            self.out.add(s, PROV.wasDerivedFrom, src)
            self.out.types(src, CCUS.SourceRecord, PROV.Entity)
            self.out.plain(src, CCUS.filePath, r.source_key or r.path)
            self.out.plain(src, CCUS.language, r.lang)
            if r.lang:
                self.out.add(src, DCTERMS.language, named_node(EU_LANGUAGE + language_code(r.lang)))
            self.out.add(src, CCUS.recordLine, ox.Literal(str(r.line_of("id")), datatype=XSD.integer))
            for key in sorted(set(r.data) - self._known):
                self.problem(s, "info", "unmapped-field", f"front-matter field {key!r} is not in {self.mapping.kind} mapping; not mapped (kept in the source file)", r, key)
        self.extra_fields(s, record_id, records)
        self.begin(s, record_id, records)
        for f in self.mapping.fields:
            values: Values = []
            for r in records:
                raw = get_path(r.data, f.path)
                items = as_list(raw) if f.many else ([raw] if f.kind in ("geometry", "provenance", "capacity") and raw is not None else
                                                     ([scalar(raw)] if scalar(raw) else []))
                values += [(v, r) for v in items]
            if not values and f.required:
                self.problem(s, "warning", "missing-field", f"no {f.path} given (the {self.mapping.kind} mapping requires it)", records[0], f.path)
            handler = getattr(self, "emit_" + f.kind.replace("-", "_"))
            handler(s, record_id, f, values, records)
        self.end(s, record_id, records)
        return s

    def begin(self, s: ox.NamedNode, record_id: str, records: list[PolicyRecord]) -> None:
        """Hook before the fields are emitted (sub-classes)."""

    def end(self, s: ox.NamedNode, record_id: str, records: list[PolicyRecord]) -> None:
        """Hook after the fields are emitted (sub-classes)."""

    def single(self, s: ox.NamedNode, f: FieldMap, values: Values, key: Callable[[Any], Any] = lambda v: v) -> tuple[Any, PolicyRecord] | None:
        """The first value of a single-valued field; a disagreement between files is reported."""
        if not values:
            return None
        distinct = {str(key(v)) for v, _ in values}
        if len(distinct) > 1 and not f.many:
            listing = "; ".join(f"{r.path}: {v!r}" for v, r in values)
            self.problem(s, "warning", "conflicting-values",
                         f"files of one {self.mapping.kind} disagree on {f.path!r} ({listing}); the first is used", values[-1][1], f.path)
        return values[0]

    # -- generic kinds ---------------------------------------------------------------------
    def emit_ignore(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """Read, not mapped (the mapping says why)."""

    def emit_text(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """Language-tagged texts; single-valued: one per language, a second one is reported."""
        seen: dict[str, str] = {}
        for v, r in values:
            text = " ".join(str(v).split())
            lit = text_literal(text, r.lang if f.options.get("language") == "file" else None)
            lang = lit.language or ""
            if not f.many and lang in seen and seen[lang] != text:
                self.problem(s, "warning", "conflicting-values",
                             f"files of one {self.mapping.kind} give two @{lang} values of {f.path!r}: {seen[lang]!r} and {text!r}; the first is used", r, f.path)
                continue
            seen.setdefault(lang, text)
            assert f.predicate is not None
            self.out.add(s, f.predicate, lit)

    def emit_literal(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """Typed literals (``datatype``, default ``xsd:string``); a number that is not one is reported."""
        datatype = f.node_option("datatype") or XSD.string
        chosen = values if f.many else ([self.single(s, f, values, lambda v: decimal_lexical(v) or v)] if values else [])
        for item in chosen:
            if item is None:
                continue
            v, r = item
            lexical = str(v).strip()
            if datatype in (XSD.decimal, XSD.integer):
                number = decimal_lexical(v)
                if number is None or (datatype == XSD.integer and "." in number):
                    self.problem(s, "warning", "bad-number", f"{f.path} {v!r} is not a number ({datatype.value.rsplit('#', 1)[1]})", r, f.path)
                    continue
                lexical = number
            assert f.predicate is not None
            self.out.add(s, f.predicate, ox.Literal(lexical, datatype=datatype))

    def emit_url(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """``xsd:anyURI`` literals; a value that is not an absolute URL is kept as text and reported."""
        assert f.predicate is not None
        for v, r in {str(v).strip(): (v, r) for v, r in values}.values():
            url = str(v).strip()
            if _URL.match(url):
                self.out.add(s, f.predicate, ox.Literal(url, datatype=XSD.anyURI))
            else:
                self.out.plain(s, f.predicate, url)
                self.problem(s, "warning", "bad-url", f"{f.path} {url!r} is not an absolute URL", r, f.path)

    def emit_concept(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """One concept of the field's scheme; unknown values are kept on ``fallback`` and reported."""
        scheme = str(f.options["scheme"])
        fallback = f.node_option("fallback")
        chosen: dict[str, tuple[str, PolicyRecord]] = {}
        for v, r in values:
            raw = str(v).strip()
            match = self.ctx.vocabularies.lookup(scheme, raw)
            self.ctx.decisions.concepts.append(ConceptResolution(scheme=scheme, raw=raw, subject=record_id, file=r.path,
                                                                 iri=match.iri if match else None))
            if match is None:
                if fallback is not None:
                    self.out.text(s, fallback, raw)
                self.not_in_scheme(s, scheme)
                self.problem(s, "warning", f"unknown-{scheme}", f"{f.path} {raw!r} is not in the {scheme} concept scheme (ontology/facility-vocabularies.ttl)", r, f.path)
                continue
            chosen.setdefault(match.iri, (raw, r))
        if len(chosen) > 1 and not f.many:
            listing = "; ".join(f"{r.path}: {raw!r}" for raw, r in chosen.values())
            self.problem(s, "warning", "conflicting-values",
                         f"files of one {self.mapping.kind} give different {scheme} concepts ({listing}); the first is used",
                         list(chosen.values())[-1][1], f.path)
            chosen = dict(list(chosen.items())[:1])
        assert f.predicate is not None
        for iri in chosen:
            self.out.add(s, f.predicate, named_node(iri))

    def emit_jurisdiction(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """The ISO 3166 jurisdiction the value names (else the ``also`` field's value)."""
        also = f.options.get("also")
        candidates = list(values) + [(scalar(get_path(r.data, also)), r) for r in records if also and scalar(get_path(r.data, also))]
        found: dict[str, tuple[Jurisdiction, str, PolicyRecord]] = {}
        for v, r in candidates:
            j = self.ctx.jurisdictions.from_name(str(v))
            self.ctx.decisions.jurisdictions.append(JurisdictionResolution(
                raw=str(v), subject=record_id, file=r.path, code=j.code if j else None,
                iri=iris.jurisdiction(j.code) if j else None, evidence="country",
                detail=f"{self.mapping.kind} field {f.path if (v, r) in values else also}"))
            if j is not None:
                found.setdefault(j.code, (j, str(v), r))
        fallback = f.node_option("fallback")
        if not found:
            if values:
                raw, r = values[0]
                if fallback is not None:
                    self.out.text(s, fallback, str(raw))
                self.problem(s, "warning", "unresolved-jurisdiction", f"{f.path} {raw!r} does not resolve to an ISO 3166 jurisdiction", r, f.path)
            return
        own = list(dict.fromkeys(found_code for found_code, (_j, raw, _r) in found.items() if (raw, _r) in values))
        if len(own) > 1:
            self.problem(s, "warning", "conflicting-values",
                         f"files of one {self.mapping.kind} name different jurisdictions in {f.path!r}: {', '.join(own)}; the first is used",
                         values[-1][1], f.path)
        codes = list(found)
        j = found[codes[0]][0]
        target = self.ctx.use_jurisdiction(j)
        self.jurisdiction_of[record_id] = target
        assert f.predicate is not None
        self.out.add(s, f.predicate, target)
        self.after_jurisdiction(s, record_id, target)

    def after_jurisdiction(self, s: ox.NamedNode, record_id: str, target: ox.NamedNode) -> None:
        """Hook: the record was placed in jurisdiction ``target`` (sub-classes add inverse links)."""

    def emit_provenance(self, s, record_id, f: FieldMap, values: Values, records) -> None:
        """``{author, reviewer, lastAuditDate}`` → ``prov:wasAttributedTo``, ``ccus:reviewer``, ``ccus:lastAuditDate``."""
        dates: set[str] = set()
        for prov, r in values:
            if not isinstance(prov, dict):
                self.problem(s, "warning", "bad-field", f"{f.path} must be a mapping {{author, reviewer, lastAuditDate}}", r, f.path)
                continue
            author = scalar(prov.get("author"))
            if author:
                agent = self._agents.get(author)
                if agent is None:
                    agent = self._agents[author] = named_node(iris.agent(author))
                    self.out.types(agent, PROV.Agent)
                    self.out.plain(agent, RDFS.label, author)
                self.out.add(s, PROV.wasAttributedTo, agent)
            self.out.text(s, CCUS.reviewer, scalar(prov.get("reviewer")))
            audit = prov.get("lastAuditDate")
            if audit:
                value = parse_iso_date(audit)
                if value is None or value.precision != "day":
                    self.problem(s, "warning", "bad-date", f"{f.path}.lastAuditDate {audit!r} is not a YYYY-MM-DD date", r, f"{f.path}.lastAuditDate")
                elif value.lexical not in dates:
                    if dates:
                        self.problem(s, "warning", "conflicting-values",
                                     f"files of one {self.mapping.kind} give different {f.path}.lastAuditDate values; both are kept", r, f"{f.path}.lastAuditDate")
                    dates.add(value.lexical)
                    self.out.add(s, CCUS.lastAuditDate, date_literal(value))
