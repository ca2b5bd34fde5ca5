"""Convert country regulatory profiles into RDF through ``ontology/mapping/countries.yaml`` (pure),
and compare the policies' regulatory values with their country's profile.

A profile becomes a ``ccus:CountryProfile`` (``<id/profile/{slug of id}>``, a ``prov:Entity``) on
the ISO 3166 jurisdiction node its ``id`` (else its ``name``) names — the same node the policies
use: ``<jurisdiction> ccus:hasProfile <profile>`` and ``<profile> ccus:profileOf <jurisdiction>``.
It carries the seven regulatory provisions with the policy records' properties
(``ccus:co2Definition`` … ``ccus:poreSpaceRights``), the maturity position (``ccus:maturityX``,
``ccus:maturityY``), the summary (``dcterms:abstract``), the region and provenance.  Two profiles
of one jurisdiction (the corpus has ``South Korea`` and ``Republic of Korea``) are both kept and
reported (``duplicate-profile``).

:func:`compare_regulatory` lists every policy whose regulatory value differs from its country
profile's value in the same language — a comparison curators want, not an error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ccus_kg.ingest.language import detect
from ccus_kg.mapping import RecordMapping, get_path, load_mapping
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.namespaces import CCUS
from ccus_kg.rdf.records import LANG_ORDER, MappedRecordConverter, scalar
from ccus_kg.rdf.triples import Emitter
from ccus_kg.text import fold_label

__all__ = ["ProfileConversion", "convert_profiles", "compare_regulatory", "REGULATORY_KEYS"]

#: The seven regulatory keys shared by policy records and country profiles.
REGULATORY_KEYS = ("co2_definition", "cross_border_rules", "financial_assurance", "liability_period",
                   "liability_transfer", "permitting_lead_time", "pore_space_rights")


@dataclass
class ProfileConversion:
    """Output of :func:`convert_profiles`: ``profiles`` (id → jurisdiction code or None),
    ``by_jurisdiction`` (code → ``[(profile id, its records)]``) and ``problems``."""

    problems: list[Problem]
    profiles: dict[str, str | None] = field(default_factory=dict)
    by_jurisdiction: dict[str, list[tuple[str, list[PolicyRecord]]]] = field(default_factory=lambda: defaultdict(list))


class _ProfileConverter(MappedRecordConverter):
    def after_jurisdiction(self, s, record_id, target) -> None:
        self.out.add(target, CCUS.hasProfile, s)


def convert_profiles(records: Iterable[PolicyRecord], ctx, out: Emitter | None = None,
                     mapping: RecordMapping | None = None) -> ProfileConversion:
    """Convert country-profile records (``kind == "country-profile"``) into quads on ``out``.

    ``ctx``: the build's :class:`~ccus_kg.rdf.identity_context.IdentityContext`.  Returns a
    :class:`ProfileConversion`.  Raises nothing for bad data.
    """
    out = out or Emitter()
    by_id: dict[str, list[PolicyRecord]] = defaultdict(list)
    for r in records:
        by_id[r.id].append(r)
    problems: list[Problem] = []
    conv = _ProfileConverter(mapping or load_mapping("country-profile"), ctx, out, problems)
    result = ProfileConversion(problems)
    for profile_id in sorted(by_id):
        s = conv.convert(profile_id, by_id[profile_id])
        target = conv.jurisdiction_of.get(profile_id)
        code = target.value.rsplit("/", 1)[1] if target is not None else None
        result.profiles[profile_id] = code
        if code is not None:
            others = result.by_jurisdiction[code]
            if others:
                conv.problem(s, "warning", "duplicate-profile",
                             f"profile {profile_id!r} is about the same jurisdiction ({code}) as {', '.join(repr(o) for o, _ in others)}; both are kept",
                             by_id[profile_id][0], "id")
            others.append((profile_id, sorted(by_id[profile_id], key=lambda r: LANG_ORDER.get(r.lang, 9))))
    conv.report_extra_fields()
    return result


def _values(records: Iterable[PolicyRecord], key: str) -> dict[str, str]:
    """``{language: text}`` of ``regulatory.<key>`` over the files of one record (first per language)."""
    found: dict[str, str] = {}
    for r in records:
        text = " ".join(scalar(get_path(r.data, f"regulatory.{key}")).split())
        if text:
            found.setdefault(detect(text), text)
    return found


def compare_regulatory(policy_records: Iterable[PolicyRecord], policy_jurisdictions: dict[str, str],
                       profiles: ProfileConversion, resolver) -> list[dict[str, Any]]:
    """Policies whose ``regulatory`` values differ from their country profile's.

    ``policy_jurisdictions``: policy id → jurisdiction code (from the build's identity decisions);
    ``resolver``: the :class:`~ccus_kg.identity.jurisdictions.JurisdictionResolver` (a policy of a
    subdivision with no profile of its own is compared with the profile of the nearest broader
    jurisdiction that has one).  Values are compared per language after
    :func:`~ccus_kg.text.fold_label`; a blank value on either side is not compared.
    Returns one dict per difference: ``policy``, ``jurisdiction``, ``profile``,
    ``profile_jurisdiction``, ``key``, ``lang``, ``policy_value``, ``profile_value``.
    """
    by_policy: dict[str, list[PolicyRecord]] = defaultdict(list)
    for r in policy_records:
        by_policy[r.id].append(r)
    diffs: list[dict[str, Any]] = []
    for pid in sorted(by_policy):
        code = policy_jurisdictions.get(pid)
        if code is None:
            continue
        try:
            chain = [j.code for j in resolver.chain(code)]
        except KeyError:
            chain = [code]
        where = next((c for c in chain if profiles.by_jurisdiction.get(c)), None)
        if where is None:
            continue
        records = sorted(by_policy[pid], key=lambda r: LANG_ORDER.get(r.lang, 9))
        for profile_id, profile_records in profiles.by_jurisdiction[where]:
            for key in REGULATORY_KEYS:
                mine, theirs = _values(records, key), _values(profile_records, key)
                for lang in sorted(set(mine) & set(theirs)):
                    if fold_label(mine[lang]) != fold_label(theirs[lang]):
                        diffs.append({"policy": pid, "jurisdiction": code, "profile": profile_id, "profile_jurisdiction": where,
                                      "key": key, "lang": lang, "policy_value": mine[lang], "profile_value": theirs[lang]})
    return diffs
