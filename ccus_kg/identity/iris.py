"""Deterministic, readable IRIs for every node ccus-kg mints.

The same input always gives the same IRI, so two builds diff cleanly.  Path segments keep
RFC 3986 *unreserved* characters (``A-Z a-z 0-9 - . _ ~``) as they are and percent-encode
every other character as UTF-8 (RFC 3986 §2.1, §2.3), so any input string yields a valid
IRI:

>>> policy("cn-js-industrial-decarb-2022")
'https://w3id.org/ccus-kg/id/policy/cn-js-industrial-decarb-2022'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

__all__ = [
    "BASE", "ONTOLOGY", "segment", "slug", "digest",
    "policy", "jurisdiction", "bounding_box", "agency", "concept", "scheme", "cluster", "event",
    "source", "assessment", "data_issue", "timeline_node", "compilation", "agent", "work", "lineage_link",
    "facility", "hub", "organisation", "profile",
]

#: Base of the data IRIs (instances).
BASE = "https://w3id.org/ccus-kg/id/"
#: Namespace of the CCUS policy ontology (``ontology/ccus.ttl``).
ONTOLOGY = "https://w3id.org/ccus-kg/ontology#"

_SPACES = re.compile(r"[\s_/\\|]+")
_DROP = re.compile(r"[^\w\-.~]+", re.UNICODE)


@lru_cache(maxsize=1 << 18)
def segment(text: str) -> str:
    """Percent-encode ``text`` as one IRI path segment (everything but unreserved characters).

    Dots are percent-encoded (``%2E``) where a raw dot would be read differently: in a segment
    of dots only (``.`` and ``..`` are dot segments, removed when an IRI is resolved, RFC 3986
    §5.2.4) and at the start or end of a segment (a Turtle local name cannot begin or end with
    ``.``, W3C Turtle §6.5 ``PN_LOCAL``, and some readers do not take the escaped form).
    """
    encoded = quote(str(text), safe="-._~")
    if encoded.strip("."):
        head = len(encoded) - len(encoded.lstrip("."))
        tail = len(encoded) - len(encoded.rstrip("."))
        return "%2E" * head + encoded[head:len(encoded) - tail] + "%2E" * tail
    return "%2E" * len(encoded)


def slug(text: str) -> str:
    """A readable lower-case key: NFKC-folded, spaces to ``-``, punctuation dropped.

    Letters of any script are kept (``"江苏省工信厅"`` stays, and is percent-encoded later by
    :func:`segment`).  Never empty: a string with no letter or digit gives its digest.
    """
    folded = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    folded = _SPACES.sub("-", folded)
    folded = _DROP.sub("", folded).strip("-.")
    folded = re.sub(r"-{2,}", "-", folded)
    return folded or digest(text)


def digest(*parts: object, length: int = 12) -> str:
    """A short stable hex key of ``parts`` (SHA-1, first ``length`` hex digits)."""
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:length]


def _iri(*segments: str) -> str:
    return BASE + "/".join(segment(s) for s in segments)


def policy(policy_id: str) -> str:
    """IRI of the policy whose record ``id`` is ``policy_id``."""
    return _iri("policy", policy_id)


def jurisdiction(code: str) -> str:
    """IRI of a jurisdiction by its ISO 3166 code (``CN``, ``CN-JS``), ``EU`` or ``INTL``."""
    return _iri("jurisdiction", code)


def bounding_box(country_code: str, number: int) -> str:
    """IRI of the ``number``-th bounding box (1, 2 …) of a country: ``jurisdiction/US/bbox/2``."""
    return _iri("jurisdiction", country_code, "bbox", str(number))


def agency(jurisdiction_code: str, key: str) -> str:
    """IRI of an issuing agency, scoped to its jurisdiction: ``agency/CN/miit``."""
    return _iri("agency", jurisdiction_code, key)


def scheme(name: str) -> str:
    """IRI of a SKOS concept scheme (``status``, ``category``, ``legal-weight`` …)."""
    return _iri("scheme", name)


def concept(scheme_name: str, key: str) -> str:
    """IRI of a SKOS concept in a scheme: ``concept/status/active``."""
    return _iri("concept", scheme_name, key)


def cluster(name: str) -> str:
    """IRI of a policy cluster (``skos:Collection``) by its name; same name, same IRI."""
    return _iri("cluster", slug(name))


def event(*key_parts: object) -> str:
    """IRI of a timeline event; its key is a digest of the parts that identify it."""
    return _iri("event", digest(*key_parts))


def source(relative_path: str) -> str:
    """IRI of an input file (``prov:Entity``), by its path relative to the input root."""
    return BASE + "source/" + "/".join(segment(p) for p in relative_path.replace("\\", "/").split("/"))


def assessment(policy_id: str, dimension: str) -> str:
    """IRI of a policy's assessment on one analysis dimension."""
    return _iri("policy", policy_id, "assessment", dimension)


def extra_field(subject_iri: str, path: str) -> str:
    """IRI of the ``ccus:ExtraField`` that keeps the value of an unmapped key ``path``
    (``regulatory.credit_period``) of the record ``subject_iri``."""
    return f"{subject_iri}/field/{segment(path)}"


def data_issue(subject_iri: str, code: str, *key_parts: object) -> str:
    """IRI of a data issue attached to ``subject_iri`` (stable for the same problem)."""
    return f"{subject_iri}/issue/{segment(code)}-{digest(*key_parts, length=8)}"


def compilation(relative_path: str) -> str:
    """IRI of a timeline compilation document."""
    return _iri("compilation", digest(relative_path))


def timeline_node(compilation_iri: str, index: int) -> str:
    """IRI of the ``index``-th (1-based) dated node of a compilation."""
    return f"{compilation_iri}/node/{index}"


def agent(name: str) -> str:
    """IRI of a provenance agent (author of a record), by name."""
    return _iri("agent", slug(name))


def work(folded_title: str) -> str:
    """IRI of a named work (``ccus:NamedWork``): a legal resource known only by its title.

    ``folded_title`` is the title folded by :func:`ccus_kg.text.fold_title`, so every spelling
    of one title gives one IRI: ``work/{digest}``.
    """
    return _iri("work", digest(folded_title))


def lineage_link(source_iri: str, kind: str, target_iri: str) -> str:
    """IRI of the reified statement (``ccus:LineageLink``) of one lineage link."""
    return _iri("link", digest(source_iri, kind, target_iri))


def facility(facility_id: str) -> str:
    """IRI of the CCUS facility whose record ``id`` is ``facility_id``: ``facility/1``.

    Its geometry, capacities and milestone events hang below it (``facility/1/geometry``,
    ``facility/1/capacity/announced``, ``facility/1/event/fid``).
    """
    return _iri("facility", facility_id)


def hub(name: str) -> str:
    """IRI of a CCUS hub by its name; same name (after :func:`slug`), same IRI."""
    return _iri("hub", slug(name))


def organisation(name: str) -> str:
    """IRI of a named organisation (operator or partner) not in the agency authority file."""
    return _iri("organisation", slug(name))


def profile(profile_id: str) -> str:
    """IRI of a country regulatory profile by its record ``id`` (``"Canada"`` → ``profile/canada``)."""
    return _iri("profile", slug(profile_id))
