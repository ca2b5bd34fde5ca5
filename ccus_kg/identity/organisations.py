"""Named organisations: the operators and partners of CCUS facilities.

A facility record names its operator and partners as free text: ``"Shell"``,
``"Santos (43.4%), SK E&S, JERA"``, ``"Shaanxi Coal Group Yulin Chemical Co., Ltd"``,
``"One Carbon Partnership (Cardinal Ethanol, Vault 44.01 joint venture)"``.  This module

1. splits a comma-joined string into names **only where it is really a list**
   (:func:`split_organisations`): at commas and semicolons outside brackets, never before a
   legal-form suffix (``Co., Ltd``, ``Foo, Inc.``), never at ``and``;
2. separates a name from its bracketed remark (:func:`parse_name`): a share ``(43.4%)``, a role
   ``(tech)``, a history ``(formerly Denbury carbon solutions)``; a bracketed acronym that is the
   initials of the name (``Energie Beheer Nederland (EBN)``) becomes an alias of it;
3. gives each distinct name one :class:`Organisation` (:class:`OrganisationIndex`), so that
   ``"EBN"`` and ``"Energie Beheer Nederland (EBN)"`` are one node whichever comes first.

Matching a name against the agency authority file (``ontology/agencies.yaml``) is the caller's
job (:class:`ccus_kg.identity.agencies.AgencyResolver`); this module writes no RDF.
Legal-form suffixes: the common forms of ISO 20275 (Entity Legal Forms) in the data's countries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ccus_kg.identity import iris
from ccus_kg.text import fold_name

__all__ = ["Organisation", "OrganisationIndex", "split_organisations", "parse_name", "is_placeholder"]

#: Legal-form suffixes (folded, without trailing dots) that continue the name before them.
_LEGAL_FORMS = frozenset({
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "lp", "l.p", "plc", "co", "corp", "corporation",
    "company", "gmbh", "ag", "sa", "s.a", "se", "nv", "n.v", "bv", "b.v", "as", "asa", "a/s", "ab", "oy", "oyj",
    "spa", "s.p.a", "srl", "s.r.l", "kk", "k.k", "pty", "pty ltd", "pte ltd", "sdn bhd", "bhd", "tbk", "jsc",
    "pjsc", "co ltd", "co. ltd",
})
_SPLIT = re.compile(r"[,;，；、]")
_REMARK = re.compile(r"^(?P<base>.*?)\s*[(（](?P<inner>[^()（）]*)[)）]\s*$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,9}$")
_PLACEHOLDERS = frozenset({"unknown", "unknown company", "tbd", "tbc", "n/a", "na", "none", "other", "others", "various", "-", "未知"})


def is_placeholder(name: str) -> bool:
    """True for a name that names nobody (``"unknown company"``, ``"TBD"``, ``"n/a"``)."""
    return fold_name(name).strip(" .") in _PLACEHOLDERS


def _depth_split(text: str) -> list[str]:
    """Split at separators that are outside round brackets."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(（[":
            depth += 1
        elif ch in ")）]":
            depth = max(0, depth - 1)
        elif depth == 0 and _SPLIT.match(ch):
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _is_legal_form(piece: str) -> bool:
    return fold_name(piece).strip().rstrip(".") in _LEGAL_FORMS


def split_organisations(raw: str) -> list[str]:
    """Split ``raw`` into organisation names (texts as written, stripped; blanks dropped).

    ``"Green Plains Superior, Summit Carbon Solutions"`` → two names;
    ``"Shaanxi Coal Group Yulin Chemical Co., Ltd"`` → one (``Ltd`` is a legal form);
    ``"One Carbon Partnership (Cardinal Ethanol, Vault 44.01 joint venture)"`` → one (the comma is
    inside brackets); ``"Universities of Cambridge and Edinburgh."`` → one, without the final dot.
    """
    return list(_split(str(raw or "")))


@lru_cache(maxsize=8192)
def _split(raw: str) -> tuple[str, ...]:
    out: list[str] = []
    for piece in _depth_split(raw):
        piece = re.sub(r"^(?:and|&)\s+", "", piece.strip())   # "A, B, and C"
        if not piece:
            continue
        if out and _is_legal_form(piece):
            out[-1] = f"{out[-1]}, {piece}"
            continue
        out.append(piece)
    return tuple(_strip_final_dot(p) for p in out)


def _strip_final_dot(name: str) -> str:
    if name.endswith(".") and not _is_legal_form(name.rsplit(" ", 1)[-1]) and not re.search(r"\b[A-Z]\.$", name):
        return name[:-1].rstrip()
    return name


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name as written (``text``), its ``name`` without a bracketed remark, the ``remark``
    (or None) and an ``acronym`` alias when the remark is the initials of the name."""

    text: str
    name: str
    remark: str | None
    acronym: str | None


def parse_name(text: str) -> ParsedName:
    """Separate a trailing bracketed remark from a name (see the module doc)."""
    text = " ".join(str(text).split())
    m = _REMARK.match(text)
    if not m or not m.group("base").strip():
        return ParsedName(text, text, None, None)
    base, inner = m.group("base").strip(), m.group("inner").strip()
    acronym = None
    if _ACRONYM.match(inner):
        initials = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", base) if w[0].isupper())
        if initials.upper() == re.sub(r"[^A-Z0-9]", "", inner.upper()):
            acronym = inner
    return ParsedName(text, base, inner, acronym)


@dataclass
class Organisation:
    """A named organisation: its IRI ``key`` (a slug), preferred ``label``, and ``alt_labels``."""

    key: str
    label: str
    alt_labels: set[str] = field(default_factory=set)

    @property
    def iri(self) -> str:
        """``<id/organisation/{key}>``."""
        return iris.BASE + "organisation/" + iris.segment(self.key)


class OrganisationIndex:
    """One :class:`Organisation` per distinct name, acronyms folded in (see the module doc).

    Call :meth:`add` with every name first, then :meth:`get`: the result does not depend on the
    order in which the names were seen.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names: dict[str, ParsedName] = {}
        self._built: dict[str, Organisation] | None = None
        for n in names:
            self.add(n)

    def add(self, text: str) -> None:
        """Register a name as written (one part of an operator or partner field)."""
        parsed = parse_name(text)
        self._names.setdefault(parsed.text, parsed)
        self._built = None

    def _build(self) -> dict[str, Organisation]:
        by_fold: dict[str, Organisation] = {}   # by IRI key (slug), so one IRI is one organisation
        acronyms: dict[str, str] = {}          # key of an acronym → key of the full name
        for parsed in sorted(self._names.values(), key=lambda p: p.text):
            key = iris.slug(parsed.name)
            org = by_fold.get(key)
            if org is None:
                org = by_fold[key] = Organisation(key=iris.slug(parsed.name), label=parsed.name)
            if parsed.acronym:
                acronyms.setdefault(iris.slug(parsed.acronym), key)
                org.alt_labels.add(parsed.acronym)
        for short, full in acronyms.items():   # "EBN" alone is Energie Beheer Nederland
            if short in by_fold and short != full:
                by_fold[full].alt_labels.add(by_fold[short].label)
                by_fold[short] = by_fold[full]
        return by_fold

    def get(self, text: str) -> Organisation:
        """The organisation a name (as written, remark and all) stands for."""
        if self._built is None:
            self._built = self._build()
        parsed = parse_name(text)
        key = iris.slug(parsed.name)
        if key not in self._built:
            self.add(text)
            self._built = self._build()
        return self._built[key]

    def organisations(self) -> list[Organisation]:
        """Every distinct organisation, sorted by key."""
        if self._built is None:
            self._built = self._build()
        return sorted({id(o): o for o in self._built.values()}.values(), key=lambda o: o.key)
