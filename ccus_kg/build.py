"""The pipeline: load → convert → graph → validate, with a summary and an identity report.

:func:`build` is the library entry point behind ``ccus-kg build``; it reads files (through
:mod:`ccus_kg.ingest.loader`) and returns everything in memory.  Writing outputs is the caller's job
(:meth:`KnowledgeGraph.write`, :func:`write_report`), always atomically.
"""

from __future__ import annotations

import json
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
from ccus_kg.ingest.loader import load_paths
from ccus_kg.model import Problem
from ccus_kg.namespaces import CCUS
from ccus_kg.rdf.countries import compare_regulatory, convert_profiles
from ccus_kg.rdf.events import PolicyTitleIndex, convert_timelines
from ccus_kg.rdf.facilities import convert_facilities
from ccus_kg.rdf.facility_links import link_policies_and_facilities
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.rdf.policies import IdentityContext, convert_records, emit_identities
from ccus_kg.rdf.triples import Emitter, node
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
    (raw string → node) by kind; ``links``: event links made and why.  ``seconds``: wall time
    per stage.
    """

    graph: KnowledgeGraph
    counts: dict[str, int]
    problems: list[Problem]
    validation: ValidationReport | None
    decisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: extra report sections: ``facility_links`` (policy ↔ facility consistency) and
    #: ``regulatory_differences`` (policy regulatory values that differ from the country profile)
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error`` (files that could not be read or parsed)."""
        return [p for p in self.problems if p.severity == "error"]

    def problem_counts(self) -> dict[str, int]:
        """Number of problems by severity."""
        return dict(Counter(p.severity for p in self.problems))


def build(paths: Iterable[str | Path], *, validate: bool = True, ctx: IdentityContext | None = None) -> BuildResult:
    """Build the knowledge graph from files and folders.

    ``paths``: policy record files, timeline compilations, or folders of them.
    ``validate``: run the SHACL shapes (pySHACL) after converting.
    Returns a :class:`BuildResult`.  Bad input never raises: it is reported in ``problems``
    (and in the graph as ``ccus:DataIssue`` nodes); only a failure to run (a broken packaged
    ontology, for instance) raises :class:`ccus_kg.errors.CcusKgError`.
    """
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    loaded = load_paths(paths)
    seconds["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ctx = ctx or IdentityContext.default()
    out = Emitter()
    conversion = convert_records(loaded.records, ctx, out)
    timeline_docs = [(doc, loaded.source_keys.get(doc.path, Path(doc.path).name)) for doc in loaded.timelines]
    event_problems, events, links = convert_timelines(timeline_docs, ctx, PolicyTitleIndex.from_records(loaded.records), out)
    facilities = convert_facilities(loaded.facilities, ctx, out)
    profiles = convert_profiles(loaded.profiles, ctx, out)
    link_problems: list[Problem] = []
    facility_links = link_policies_and_facilities(loaded.records, facilities.facilities, facilities.policy_refs, out, link_problems)
    policy_files = {r.path for r in loaded.records}
    regulatory = compare_regulatory(loaded.records, {d["subject"]: d["code"] for d in ctx.decisions["jurisdiction"]
                                                     if d["file"] in policy_files and d.get("code")}, profiles, ctx.jurisdictions)
    emit_identities(ctx, out)

    for p in loaded.problems:  # file-level problems stay visible in the graph too
        source = node(_source_iri(loaded.source_keys, p.file))
        out.issue(source, p)
        out.types(source, CCUS.SourceRecord)
    graph = KnowledgeGraph()
    graph.add(out.quads)
    graph.add(ox.Quad(t.subject, t.predicate, t.object) for t in ctx.vocabularies.triples())
    seconds["convert"] = time.perf_counter() - t0

    report = None
    if validate:
        t0 = time.perf_counter()
        report = shacl_validate(graph)
        seconds["validate"] = time.perf_counter() - t0

    problems = sorted(loaded.problems + conversion.problems + event_problems + facilities.problems + profiles.problems + link_problems,
                      key=lambda p: (p.file or "", p.line or 0, p.subject or "", p.code))
    policy_events = sum(1 for _ in graph.query("SELECT ?e WHERE { ?e a ccus:TimelineEvent ; schema:about ?p . ?p a ccus:Policy . FILTER NOT EXISTS { ?e ccus:listedIn ?n } }"))
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
        "policy_events": policy_events,
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
    return BuildResult(graph=graph, counts=counts, problems=problems, validation=report,
                       decisions=dict(ctx.decisions), links=links, seconds=seconds,
                       sections={"facility_links": facility_links, "regulatory_differences": regulatory})


def _source_iri(keys: dict[str, str], path: str | None) -> str:
    return iris.source(keys.get(path or "", Path(path or "unknown").name))


def report_dict(result: BuildResult) -> dict[str, Any]:
    """The build report as a JSON-ready mapping.

    Keys: ``version``, ``counts``, ``seconds``, ``problems`` (each with severity, code,
    message, file, line, field, subject), ``identities`` (``jurisdiction``, ``agency``,
    ``concept``: every raw string and the node it resolved to), ``unresolved`` (the raw
    strings that did not resolve to an authority entry, with their count), ``event_links``,
    ``facility_links``, ``regulatory_differences`` and ``validation``.
    """
    unresolved: dict[str, Counter] = {"jurisdiction": Counter(), "agency": Counter(), "concept": Counter()}
    for d in result.decisions.get("jurisdiction", []):
        if d.get("iri") is None:
            unresolved["jurisdiction"][d["raw"]] += 1
    for d in result.decisions.get("agency", []):
        if not d.get("in_authority_file"):
            unresolved["agency"][d["part"]] += 1
    for d in result.decisions.get("concept", []):
        if d.get("iri") is None:
            unresolved["concept"][f"{d['scheme']}: {d['raw']}"] += 1
    return {
        "version": __version__,
        "counts": result.counts,
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
        "problems": [p.as_dict() for p in result.problems],
        "identities": result.decisions,
        "unresolved": {k: [{"raw": raw, "count": n} for raw, n in sorted(c.items())] for k, c in unresolved.items()},
        "event_links": result.links,
        **result.sections,
        "validation": result.validation.as_dict() if result.validation else None,
    }


def write_report(result: BuildResult, path: str | Path) -> int:
    """Write the build report (:func:`report_dict`) as JSON to ``path`` atomically; returns bytes."""
    return write_text_atomic(path, json.dumps(report_dict(result), ensure_ascii=False, indent=2) + "\n")
