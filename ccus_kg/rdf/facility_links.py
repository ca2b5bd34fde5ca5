"""Policy ↔ facility links, both directions, and their consistency report (pure).

A policy record lists facility ids in ``relatedFacilities``; a facility record lists policy ids in
``relatedPolicies``.  Every pair stated on either side becomes ``<policy> ccus:relatedFacility
<facility>`` and ``<facility> ccus:relatedPolicy <policy>`` (``owl:inverseOf``, both materialised,
so a query needs no inference).  The report says, for curators:

* ``stated_by_both`` / ``policy_side_only`` / ``facility_side_only`` — pair counts, and every
  one-sided pair (``one_sided``: policy, facility, which side states it, the file);
* ``dangling_facility_ids`` — a ``relatedFacilities`` id with no facility record; the id still
  gets a facility node marked ``ccus:inCorpus false``, as a supersedes target without a record
  gets a policy node;
* ``dangling_policy_ids`` — a ``relatedPolicies`` id with no policy record (a policy node marked
  ``ccus:inCorpus false``).

When the input has no facility records at all (a policies-only build), the dangling facility ids
are one ``info`` problem, not one warning each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.mapping import get_path, load_mapping
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.namespaces import CCUS, DCTERMS, ELI, XSD
from ccus_kg.rdf.records import as_list
from ccus_kg.rdf.triples import Emitter, named_node

__all__ = ["link_policies_and_facilities"]


def link_policies_and_facilities(policy_records: Iterable[PolicyRecord], facility_ids: set[str],
                                 facility_refs: dict[str, list[tuple[str, str, int | None]]], out: Emitter,
                                 problems: list[Problem], *, policy_ids: set[str] | None = None) -> dict[str, Any]:
    """Emit the links on ``out``; append problems to ``problems``; return the consistency report.

    ``policy_records``: the policy records of the build (their ``relatedFacilities``);
    ``facility_ids``: ids of the facility records converted; ``facility_refs``: facility id →
    ``[(policy id, file, line)]`` from the facility records' ``relatedPolicies``
    (:attr:`ccus_kg.rdf.facilities.FacilityConversion.policy_refs`).  ``policy_ids``: every policy id
    with a record, when ``policy_records`` holds only those that name facilities (default: their ids).
    Returns a JSON-ready dict (keys in the module doc plus ``pairs``).
    """
    policy_side: dict[tuple[str, str], str] = {}
    lines: dict[tuple[str, str, str], int | None] = {}   # (file, policy, facility) → line of the list
    policy_ids = set(policy_ids or ())
    keys = [f.path for f in load_mapping("policy").of_kind("facility-links")]  # relatedFacilities
    for r in policy_records:
        policy_ids.add(r.id)
        for key in keys:
            for fid in as_list(get_path(r.data, key)):
                policy_side.setdefault((r.id, fid), r.path)
                lines.setdefault((r.path, r.id, fid), r.line_of(key))
    facility_side: dict[tuple[str, str], str] = {}
    for fid, facility_stated in facility_refs.items():
        for pid, path, line in facility_stated:
            facility_side.setdefault((pid, fid), path)
            lines.setdefault((path, pid, fid), line)

    pairs = sorted(set(policy_side) | set(facility_side))
    for pid, fid in pairs:
        p, f = named_node(iris.policy(pid)), named_node(iris.facility(fid))
        out.add(p, CCUS.relatedFacility, f)
        out.add(f, CCUS.relatedPolicy, p)

    one_sided = [{"policy": pid, "facility": fid, "stated_by": "policy" if (pid, fid) in policy_side else "facility",
                  "file": policy_side.get((pid, fid)) or facility_side[(pid, fid)]}
                 for pid, fid in pairs if ((pid, fid) in policy_side) != ((pid, fid) in facility_side)]

    dangling_f: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (pid, fid), path in sorted(policy_side.items()):
        if fid not in facility_ids:
            dangling_f[fid].append((pid, path))
    dangling_p: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (pid, fid), path in sorted(facility_side.items()):
        if pid not in policy_ids:
            dangling_p[pid].append((fid, path))

    for fid in sorted(dangling_f):
        f = named_node(iris.facility(fid))
        out.types(f, CCUS.Facility)
        out.plain(f, DCTERMS.identifier, fid)
        out.add(f, CCUS.inCorpus, ox.Literal("false", datatype=XSD.boolean))
    for pid in sorted(dangling_p):
        p = named_node(iris.policy(pid))
        out.types(p, CCUS.Policy, ELI.LegalResource)
        out.plain(p, DCTERMS.identifier, pid)
        out.add(p, CCUS.inCorpus, ox.Literal("false", datatype=XSD.boolean))

    if dangling_f and not facility_ids:
        first_fid = min(dangling_f)
        pid, path = dangling_f[first_fid][0]
        problems.append(Problem("info", "no-facility-records", file=path, line=lines.get((path, pid, first_fid)), subject=pid, message=
                                f"policies name {len(dangling_f)} facility ids in relatedFacilities, and the input has no facility records; "
                                "each id is kept as a facility node marked ccus:inCorpus false (add the facilities folder to the build to resolve them)",
                                field="relatedFacilities"))
    else:
        for fid, stated in sorted(dangling_f.items()):
            for pid, path in stated:
                problems.append(Problem("warning", "dangling-facility", f"relatedFacilities names facility {fid!r}, which has no facility record in the input; "
                                        "kept as a facility node marked ccus:inCorpus false", file=path, line=lines.get((path, pid, fid)),
                                        field="relatedFacilities", subject=pid))
    if dangling_p and policy_ids:
        for pid, stated_p in sorted(dangling_p.items()):
            for fid, path in stated_p:
                problems.append(Problem("warning", "dangling-policy", f"relatedPolicies names policy {pid!r}, which has no policy record in the input; "
                                        "kept as a policy node marked ccus:inCorpus false", file=path, line=lines.get((path, pid, fid)),
                                        field="relatedPolicies", subject=fid))
    elif dangling_p:
        first_pid = min(dangling_p)
        fid, path = dangling_p[first_pid][0]
        problems.append(Problem("info", "no-policy-records", file=path, line=lines.get((path, first_pid, fid)), subject=fid, message=
                                f"facilities name {len(dangling_p)} policy ids in relatedPolicies, and the input has no policy records; "
                                "each is kept as a policy node marked ccus:inCorpus false", field="relatedPolicies"))
    both = sum(1 for pair in pairs if pair in policy_side and pair in facility_side)
    return {
        "pairs": len(pairs),
        "stated_by_both": both,
        "policy_side_only": sum(1 for x in one_sided if x["stated_by"] == "policy"),
        "facility_side_only": sum(1 for x in one_sided if x["stated_by"] == "facility"),
        "references_from_policies": len(policy_side),
        "references_from_facilities": len(facility_side),
        "dangling_facility_ids": [{"facility": fid, "policies": sorted(p for p, _ in refs)} for fid, refs in sorted(dangling_f.items())],
        "dangling_policy_ids": [{"policy": pid, "facilities": sorted(f for f, _ in refs)} for pid, refs in sorted(dangling_p.items())],
        "one_sided": one_sided,
    }
