"""Controlled vocabularies: map raw front-matter strings to SKOS concepts.

The vocabularies live in ``ontology/vocabularies.ttl`` (hand-written Turtle): one
``skos:ConceptScheme`` per field (``status``, ``category``, ``legal-weight``,
``review-status``, ``analysis-dimension``, ``event-kind``), each concept with one
``skos:prefLabel`` per language (``@en``, ``@zh``) and every raw variant seen in the data as
``skos:altLabel``.  :class:`VocabularyIndex` reads that file and answers "which concept does
this raw string name?"::

    >>> index = VocabularyIndex.default()
    >>> index.lookup("status", "现行").iri
    'https://w3id.org/ccus-kg/id/concept/status/active'
    >>> index.lookup("status", " ACTIVE ").in_force
    'http://data.europa.eu/eli/ontology#InForce-inForce'
    >>> index.lookup("status", "repealed") is None      # unknown: the caller reports it
    True

Matching is on ``skos:prefLabel``, ``skos:altLabel``, ``skos:hiddenLabel`` and
``skos:notation`` (the concept key) after :func:`~ccus_kg.text.fold_label`.  The vocabulary file is checked
when it is loaded: a concept with no ``skos:inScheme``, or two concepts of one scheme
sharing a normalised label (a raw value would be ambiguous), raise :class:`CcusKgError`.

Sources: W3C *SKOS Simple Knowledge Organization System Reference* (2009),
https://www.w3.org/TR/skos-reference/ — §4 concept schemes (``skos:inScheme``,
``skos:hasTopConcept``/``skos:topConceptOf``), §5 lexical labels, §5.4 integrity conditions
S13 (``prefLabel``/``altLabel``/``hiddenLabel`` pairwise disjoint) and S14 (at most one
``skos:prefLabel`` per language tag), §6 notations, §8 ``skos:broader``.
ELI ontology, http://data.europa.eu/eli/ontology# — ``eli:in_force`` and the
``eli:InForceTable`` values ``eli:InForce-inForce`` / ``eli:InForce-notInForce``, which each
status concept gives through ``ccus:inForceValue``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from ccus_kg.errors import CcusKgError
from ccus_kg.identity import iris
from ccus_kg.namespaces import CCUS, RDF, SKOS
from ccus_kg.resources import ontology_path
from ccus_kg.text import fold_label

__all__ = ["ConceptMatch", "VocabularyIndex", "SCHEMES", "FACILITY_SCHEMES", "VOCABULARY_FILE", "VOCABULARY_FILES"]

#: File name of the policy vocabularies under ``ontology/``.
VOCABULARY_FILE = "vocabularies.ttl"
#: Every vocabulary file :meth:`VocabularyIndex.default` reads (``facility-vocabularies.ttl``:
#: the schemes of facility records and country profiles).
VOCABULARY_FILES: tuple[str, ...] = (VOCABULARY_FILE, "facility-vocabularies.ttl")
#: The scheme names ``vocabularies.ttl`` defines (``iris.scheme(name)``).
SCHEMES: tuple[str, ...] = (
    "status", "category", "legal-weight", "review-status", "analysis-dimension", "event-kind",
)
#: The scheme names ``facility-vocabularies.ttl`` defines.
FACILITY_SCHEMES: tuple[str, ...] = (
    "facility-type", "facility-sector", "facility-status", "facility-phase", "fate-of-carbon",
    "location-precision", "region", "facility-milestone",
)

_IN_FORCE_VALUE = CCUS.inForceValue
_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation)
_SCHEME_BASE = iris.BASE + "scheme/"
_CONCEPT_BASE = iris.BASE + "concept/"

@dataclass(frozen=True, slots=True)
class ConceptMatch:
    """One concept of a controlled vocabulary.

    ``scheme`` is the scheme name (``"status"``), ``iri`` the concept IRI
    (``iris.concept(scheme, key)``), ``key`` its last path segment (``"active"``),
    ``label_en`` / ``label_zh`` its two ``skos:prefLabel`` values, ``in_force`` the IRI of its
    ELI in-force value (``ccus:inForceValue``; status concepts only, else None).
    """

    scheme: str
    iri: str
    key: str
    label_en: str
    label_zh: str
    in_force: str | None


class VocabularyIndex:
    """The concepts of ``ontology/vocabularies.ttl``, indexed for lookup by raw value.

    Build it with :meth:`default` (the packaged file, parsed once and cached) or
    :meth:`from_path`.  Scheme arguments are names (``"legal-weight"``) or scheme IRIs;
    an unknown scheme raises :class:`KeyError`.
    """

    _default: VocabularyIndex | None = None
    _default_lock = threading.Lock()

    def __init__(self, triples: list[ox.Triple]):
        """Index ``triples`` (a parsed vocabulary file).

        Raises :class:`CcusKgError` when a concept lacks ``skos:inScheme`` or its en/zh
        ``skos:prefLabel`` (or has two in one language, SKOS S14), or when two concepts of one
        scheme share a normalised label.
        """
        self._triples = list(triples)
        by_subject: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple]]] = {}
        for t in self._triples:
            if isinstance(t.subject, ox.NamedNode):
                by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)

        self._concepts: dict[str, dict[str, ConceptMatch]] = {name: {} for name in self._scheme_names(by_subject)}
        self._labels: dict[str, dict[str, ConceptMatch]] = {name: {} for name in self._concepts}
        for subject, props in by_subject.items():
            if SKOS.Concept not in props.get(RDF.type.value, []):
                continue
            match, labels = self._concept(subject, props)
            if match.scheme not in self._concepts:
                raise CcusKgError(f"concept {subject} is in scheme {match.scheme!r}, which is not declared")
            self._concepts[match.scheme][match.iri] = match
            index = self._labels[match.scheme]
            for label in labels:
                other = index.setdefault(fold_label(label), match)
                if other.iri != match.iri:
                    raise CcusKgError(
                        f"label {label!r} is ambiguous in scheme {match.scheme!r}: {other.iri} and {match.iri}"
                    )

    # -- construction ------------------------------------------------------------------

    @classmethod
    def default(cls) -> VocabularyIndex:
        """The index of the packaged vocabulary files (:data:`VOCABULARY_FILES`; parsed once, then cached).

        Raises :class:`ccus_kg.errors.ResourceNotFound` if the file is missing,
        :class:`CcusKgError` if it does not parse or is inconsistent.
        """
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls.from_path(*(ontology_path(name) for name in VOCABULARY_FILES))
            return cls._default

    @classmethod
    def from_path(cls, *paths: str | Path) -> VocabularyIndex:
        """Parse the Turtle file(s) at ``paths`` with pyoxigraph and index them together.

        Raises :class:`CcusKgError` on a syntax error or an unreadable file.
        """
        quads: list[ox.Quad] = []
        for path in paths:
            try:
                quads += ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            except (SyntaxError, OSError) as error:
                raise CcusKgError(f"cannot read vocabulary file {path}: {error}") from error
        return cls([q.triple for q in quads])

    # -- queries -----------------------------------------------------------------------

    def schemes(self) -> list[str]:
        """Names of the schemes in the file (``["analysis-dimension", "category", …]``)."""
        return sorted(self._concepts)

    def lookup(self, scheme: str, raw: object) -> ConceptMatch | None:
        """The concept of ``scheme`` that ``raw`` names, or None if it names none.

        ``raw`` is compared after :func:`~ccus_kg.text.fold_label` with every ``skos:prefLabel``,
        ``skos:altLabel``, ``skos:hiddenLabel`` and ``skos:notation`` of the scheme's
        concepts, so ``"现行"``, ``"Active"``, ``"  active "`` and ``"ACTIVE"`` all give
        ``concept/status/active``.  None, a blank string, or an unknown value give None (the
        caller records the raw text and reports it).  Non-string values are matched as
        ``str(raw)``.  Raises :class:`KeyError` for an unknown scheme.
        """
        index = self._labels[self._scheme_name(scheme)]
        if raw is None:
            return None
        key = fold_label(str(raw))
        return index.get(key) if key else None

    def concepts(self, scheme: str) -> list[ConceptMatch]:
        """Every concept of ``scheme``, sorted by key.  Raises :class:`KeyError` for an unknown scheme."""
        return sorted(self._concepts[self._scheme_name(scheme)].values(), key=lambda c: c.key)

    def triples(self) -> list[ox.Triple]:
        """Every triple of the vocabulary file, as :class:`pyoxigraph.Triple` (a fresh list)."""
        return list(self._triples)

    # -- helpers -----------------------------------------------------------------------

    def _scheme_name(self, scheme: str) -> str:
        name = scheme[len(_SCHEME_BASE):] if scheme.startswith(_SCHEME_BASE) else scheme
        if name not in self._concepts:
            raise KeyError(f"unknown concept scheme {scheme!r}; known: {', '.join(sorted(self._concepts))}")
        return name

    @staticmethod
    def _scheme_names(by_subject: dict) -> list[str]:
        names = []
        for subject, props in by_subject.items():
            if SKOS.ConceptScheme in props.get(RDF.type.value, []):
                if not subject.startswith(_SCHEME_BASE):
                    raise CcusKgError(f"concept scheme {subject} is not under {_SCHEME_BASE}")
                names.append(unquote(subject[len(_SCHEME_BASE):]))
        return names

    @staticmethod
    def _concept(subject: str, props: dict) -> tuple[ConceptMatch, list[str]]:
        schemes = [o.value for o in props.get(SKOS.inScheme.value, []) if isinstance(o, ox.NamedNode)]
        if len(schemes) != 1 or not schemes[0].startswith(_SCHEME_BASE):
            raise CcusKgError(f"concept {subject} must be skos:inScheme exactly one ccus-kg scheme, has {schemes}")
        scheme = unquote(schemes[0][len(_SCHEME_BASE):])
        prefix = f"{_CONCEPT_BASE}{iris.segment(scheme)}/"
        if not subject.startswith(prefix):
            raise CcusKgError(f"concept {subject} of scheme {scheme!r} is not under {prefix}")
        pref: dict[str, list[str]] = {}
        for o in props.get(SKOS.prefLabel.value, []):
            if isinstance(o, ox.Literal):
                pref.setdefault(o.language or "", []).append(o.value)
        for lang in ("en", "zh"):
            if len(pref.get(lang, [])) != 1:
                raise CcusKgError(
                    f"concept {subject} needs exactly one skos:prefLabel @{lang} (SKOS S14), has {pref.get(lang, [])}"
                )
        in_force = [o.value for o in props.get(_IN_FORCE_VALUE.value, []) if isinstance(o, ox.NamedNode)]
        if len(in_force) > 1:
            raise CcusKgError(f"concept {subject} has several ccus:inForceValue: {in_force}")
        labels = [o.value for p in _LABELS for o in props.get(p.value, []) if isinstance(o, ox.Literal)]
        match = ConceptMatch(
            scheme=scheme,
            iri=subject,
            key=unquote(subject[len(prefix):]),
            label_en=pref["en"][0],
            label_zh=pref["zh"][0],
            in_force=in_force[0] if in_force else None,
        )
        return match, labels
