"""The pipeline: load → convert → graph → validate, with a summary and an identity report.

:func:`build` is the library entry point behind ``ccus-kg build``; it reads files (through
:mod:`ccus_kg.ingest.loader`) and returns everything in memory.  Writing outputs is the caller's job
(:meth:`KnowledgeGraph.write`, :func:`write_report`), always atomically.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.files import write_text_atomic
from ccus_kg.identity import iris
from ccus_kg.ingest.agreement import empty_fields, leaves
from ccus_kg.ingest.loader import load_paths
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.namespaces import CCUS
from ccus_kg.progress import Progress
from ccus_kg.rdf.countries import compare_regulatory, convert_profiles
from ccus_kg.rdf.dataset import build_date_quads
from ccus_kg.rdf.events import PolicyTitleIndex, convert_timelines
from ccus_kg.rdf.facilities import convert_facilities
from ccus_kg.rdf.facility_links import link_policies_and_facilities
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.rdf.identity_context import IdentityContext, IdentityDecisions, emit_identities
from ccus_kg.rdf.links import infer_links, linker_quads
from ccus_kg.rdf.policies import convert_records
from ccus_kg.rdf.triples import Emitter, named_node
from ccus_kg.validate import ValidationReport
from ccus_kg.validate import validate as shacl_validate

__all__ = ["BuildResult", "build", "report_dict", "write_report"]


@dataclass
class BuildResult:
    """What a build produced.

    ``counts``: files read/skipped, policies (with a record), dangling policies (supersedes
    targets without a record), agencies, jurisdictions, clusters, events, triples.
    ``problems``: every data problem, sorted by file and line.  ``validation``: the SHACL
    report, or None when validation was skipped.  ``decisions``: the identity decisions
    (raw string → node, :class:`~ccus_kg.rdf.identity_context.IdentityDecisions`); ``links``: event links made and why.  ``seconds``: wall time
    per stage.
    """

    graph: KnowledgeGraph
    counts: dict[str, int]
    problems: list[Problem]
    validation: ValidationReport | None
    decisions: IdentityDecisions = field(default_factory=IdentityDecisions)
    links: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: extra report sections: ``facility_links`` (policy ↔ facility consistency), ``organisations``
    #: (operator/partner names and what they resolved to) and ``regulatory_differences`` (policy
    #: regulatory values that differ from the country profile)
    sections: dict[str, Any] = field(default_factory=dict)
    #: per policy file: ``{"id", "file", "missing": [field…], "empty": [field…]}`` (:func:`ccus_kg.ingest.agreement.empty_fields`)
    empty_fields: list[dict[str, Any]] = field(default_factory=list)

    def empty_summary(self) -> dict[str, dict[str, int]]:
        """Per field path: how many policy files miss it (``missing``) and give it blank (``empty``)."""
        summary: dict[str, dict[str, int]] = {}
        for entry in self.empty_fields:
            for kind in ("missing", "empty"):
                for name in entry[kind]:
                    counts = summary.setdefault(name, {"missing": 0, "empty": 0})
                    counts[kind] += 1
        return dict(sorted(summary.items()))
    lineage: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error`` (files that could not be read or parsed)."""
        return [p for p in self.problems if p.severity == "error"]

    def problem_counts(self) -> dict[str, int]:
        """Number of problems by severity."""
        return dict(Counter(p.severity for p in self.problems))


def build(paths: Iterable[str | Path], *, validate: bool = True, ctx: IdentityContext | None = None,
          engine: str = "oxigraph", progress: Progress | None = None) -> BuildResult:
    """Build the knowledge graph from files and folders.

    ``paths``: policy record files, timeline compilations, or folders of them.
    ``validate``: run the SHACL shapes after converting, with ``engine`` (``"oxigraph"`` or
    ``"pyshacl"``, see :func:`ccus_kg.validate.validate`).
    Returns a :class:`BuildResult`.  Bad input never raises: it is reported in ``problems``
    (and in the graph as ``ccus:DataIssue`` nodes); only a failure to run (a broken packaged
    ontology, for instance) raises :class:`ccus_kg.errors.CcusKgError`.  ``progress`` receives
    the stages (``load``, ``convert``, ``validate``) and the files/policies done.
    """
    progress = progress or Progress()
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    with progress.stage("load", unit="files"):
        loaded = load_paths(paths, progress=progress)
    seconds["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    progress.begin("convert", len({r.id for r in loaded.records}), "policies")
    ctx = ctx or IdentityContext.default()
    graph = KnowledgeGraph()
    out = Emitter(sink=graph.add)  # quads go to the store in chunks, not kept as Python objects
    conversion = convert_records(loaded.records, ctx, out, on_policy=progress.advance)
    timeline_docs = [(doc, loaded.source_keys.get(doc.path, Path(doc.path).name)) for doc in loaded.timelines]
    event_problems, events, links = convert_timelines(timeline_docs, ctx, PolicyTitleIndex.from_records(loaded.records), out)
    facilities = convert_facilities(loaded.facilities, ctx, out)
    profiles = convert_profiles(loaded.profiles, ctx, out)
    link_problems: list[Problem] = []
    facility_links = link_policies_and_facilities(loaded.records, facilities.facilities, facilities.policy_refs, out, link_problems)
    policy_files = {r.path for r in loaded.records}
    regulatory = compare_regulatory(loaded.records, {d.subject: d.code for d in ctx.decisions.jurisdictions
                                                     if d.file in policy_files and d.code}, profiles, ctx.jurisdictions)
    emit_identities(ctx, out)
    out.flush()  # the linker reads everything converted so far: from the store, where the sink put it
    linked = infer_links(linker_quads(graph.store))  # only what it reads; citations, named works, implementation across levels (docs/MODEL.md)
    out.extend(linked.quads)

    for p in loaded.problems:  # file-level problems stay visible in the graph too
        source = named_node(_source_iri(loaded.source_keys, p.file))
        out.issue(source, p)
        out.types(source, CCUS.SourceRecord)
        out.plain(source, CCUS.filePath, loaded.source_keys.get(p.file or "", Path(p.file or "unknown").name))
    out.flush()
    graph.add(ox.Quad(t.subject, t.predicate, t.object) for t in ctx.vocabularies.triples())
    graph.add(build_date_quads())  # dcterms:created: the date shapes:FutureDate compares with (SOURCE_DATE_EPOCH honoured)
    progress.end("convert")
    seconds["convert"] = time.perf_counter() - t0

    report = None
    if validate:
        t0 = time.perf_counter()
        with progress.stage("validate", unit="triples"):
            report = shacl_validate(graph, engine=engine)
        seconds["validate"] = time.perf_counter() - t0

    problems = sorted(_locate(loaded.problems + conversion.problems + event_problems + linked.problems, loaded.records)
                      + facilities.problems + profiles.problems + link_problems,
                      key=lambda p: (p.file or "", p.line or 0, p.subject or "", p.code))
    counts = {
        "files_read": loaded.files_read,
        "files_skipped": loaded.files_skipped,
        "policy_files": len(loaded.records),
        "timeline_files": len(loaded.timelines),
        "policies": len(conversion.policies),
        "dangling_policies": len(conversion.dangling),
        "agencies": len(ctx.used_agencies),
        "jurisdictions": len(ctx.used_jurisdictions),
        "clusters": len(conversion.clusters),
        "timeline_events": len(events),
        "policy_events": len(conversion.policy_events),
        "named_works": len(linked.works),
        "lineage_links": len(linked.links),
        "inferred_links": sum(1 for k in linked.links if k.inferred),
        "facility_files": len(loaded.facilities),
        "facilities": len(facilities.facilities),
        "facility_events": facilities.events,
        "hubs": len(facilities.hubs),
        "organisations": len(facilities.organisations),
        "profile_files": len(loaded.profiles),
        "profiles": len(profiles.profiles),
        "policy_facility_links": facility_links["pairs"],
        "regulatory_differences": len(regulatory),
        "triples": len(graph),
    }
    empty = []
    for record in loaded.records:
        missing, blank = empty_fields(record)
        if missing or blank:
            empty.append({"id": record.id, "file": record.path, "missing": missing, "empty": blank})
    return BuildResult(graph=graph, counts=counts, problems=problems, validation=report,
                       decisions=ctx.decisions, links=links, seconds=seconds,
                       lineage=[k.as_dict() for k in linked.links], empty_fields=empty,
                       sections={"facility_links": facility_links, "organisations": facilities.decisions,
                                 "regulatory_differences": regulatory})


_QUOTED = re.compile(r"'([^'\n]{2,})'")


def _locate(problems: list[Problem], records: list[PolicyRecord]) -> list[Problem]:
    """Give a line to problems about a policy file that have none (found after conversion, e.g. a
    citation in the body text): the line of their field, else of the first quoted text of the
    message in the body, else of the front matter's opening ``---``.  A file named by its source
    key is named by its path, like every other problem."""
    by_file = {r.source_key: r for r in records} | {r.path: r for r in records}
    by_id: dict[str, list[PolicyRecord]] = {}
    for r in records:
        by_id.setdefault(r.id, []).append(r)
    out = []
    for p in problems:
        record = by_file.get(p.file or "")
        if p.line or record is None:
            out.append(p)
            continue
        if p.field:
            out.append(dataclasses.replace(p, file=record.path, line=record.line_of(p.field)))
            continue
        quoted = [q for q in _QUOTED.findall(p.message) if q != record.id]
        found = None
        for candidate in [record] + [r for r in by_id.get(record.id, []) if r is not record]:
            found = _find_text(candidate, quoted)
            if found:
                record = candidate
                break
        out.append(dataclasses.replace(p, file=record.path, line=found or record.fm_line))
    return out


def _find_text(record: PolicyRecord, texts: list[str]) -> int | None:
    """The file line where one of ``texts`` occurs in ``record``'s front-matter values or body, or None."""
    for path, value in leaves(record.data).items():
        if isinstance(value, str) and any(t in value for t in texts):
            return record.line_of(path)
    lead = len(record.body) - len(record.body.lstrip("\n"))
    for i, text in enumerate(record.body.split("\n")):
        if any(t in text for t in texts):
            return record.body_line + lead + i
    return None


def _source_iri(keys: dict[str, str], path: str | None) -> str:
    return iris.source(keys.get(path or "", Path(path or "unknown").name))


def report_dict(result: BuildResult, *, timings: bool = False) -> dict[str, Any]:
    """The build report as a JSON-ready mapping; the same input gives the same mapping.

    Keys: ``version``, ``counts``, ``seconds`` (wall time per stage; only with ``timings``,
    since it differs between runs), ``problems`` (each with severity, code,
    message, file, line, field, subject), ``identities`` (``jurisdiction``, ``agency``,
    ``concept``: every raw string and the node it resolved to), ``unresolved`` (the raw
    strings that did not resolve to an authority entry, with their count), ``event_links``,
    ``empty_fields`` (``summary``: field → missing/empty counts; ``records``: per file),
    ``facility_links``, ``organisations``, ``regulatory_differences``, and ``validation``.
    """
    decisions = result.decisions
    unresolved: dict[str, Counter[str]] = {
        "jurisdiction": Counter(j.raw for j in decisions.jurisdictions if j.iri is None),
        "agency": Counter(a.part for a in decisions.agencies if not a.in_authority_file),
        "concept": Counter(f"{c.scheme}: {c.raw}" for c in decisions.concepts if c.iri is None),
    }
    seconds = {"seconds": {k: round(v, 3) for k, v in result.seconds.items()}} if timings else {}
    return {
        "version": __version__,
        "counts": result.counts,
        **seconds,
        "problems": [p.as_dict() for p in result.problems],
        "identities": decisions.as_dict(),
        "unresolved": {k: [{"raw": raw, "count": n} for raw, n in sorted(c.items())] for k, c in unresolved.items()},
        "event_links": result.links,
        "lineage_links": result.lineage,
        **result.sections,
        "empty_fields": {"summary": result.empty_summary(), "records": result.empty_fields},
        "validation": result.validation.as_dict() if result.validation else None,
    }


def write_report(result: BuildResult, path: str | Path, *, timings: bool = False) -> int:
    """Write the build report (:func:`report_dict`) as JSON to ``path`` atomically; returns bytes.

    Without ``timings`` two builds of the same input write byte-identical files.
    """
    return write_text_atomic(path, json.dumps(report_dict(result, timings=timings), ensure_ascii=False, indent=2) + "\n")
