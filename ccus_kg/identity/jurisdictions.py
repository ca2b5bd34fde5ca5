"""Jurisdictions: one node per country, subdivision, the EU and "international".

Every jurisdiction is identified by a code:

* an ISO 3166-1 alpha-2 code for a country (``"CN"``, ``"US"``);
* an ISO 3166-2 code for a subdivision (``"CN-JS"``, ``"US-TX"``, ``"CA-AB"``, ``"AU-WA"``):
  the country's alpha-2 code, a hyphen and a subdivision suffix of up to three characters
  (ISO 3166-2:2020, clause 5.1 — structure of the code elements);
* ``"EU"``, the ISO 3166-1 *exceptionally reserved* code element of the European Union;
* ``"INTL"``, our own code for international records (UN bodies, ISO, crediting programmes),
  for which ISO 3166 has no code.

Names and codes come from ISO 3166 through :mod:`ccus_kg.identity.gazetteer`.
``ontology/jurisdictions.yaml`` adds only what no library knows:
preferred labels where pycountry's read badly (``"Korea, Republic of"``, ``"Jiangsu Sheng"``),
aliases seen in the data (``韩国``, ``国际``, ``欧盟``), Wikidata QIDs (``skos:exactMatch wd:…``),
and the hints that place a record in a subdivision (id prefixes, agency and title patterns).

Shapes: :class:`Jurisdiction` (a node), :class:`JurisdictionDecision` (why a record got its
jurisdiction).  Entry point: :meth:`JurisdictionResolver.default`.  This module writes no RDF;
see ``docs/MODEL.md`` for how a jurisdiction appears in the graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pycountry
import yaml

from ccus_kg.errors import AuthorityFileError
from ccus_kg.identity.gazetteer import EU, INTL, UNKNOWN, Jurisdiction, JurisdictionKind, iso_jurisdiction
from ccus_kg.resources import ontology_path
from ccus_kg.text import ends_with_word, fold_name, has_han, starts_with_word, strip_forms

__all__ = [
    "Jurisdiction", "JurisdictionDecision", "JurisdictionResolver", "JurisdictionKind",
    "Evidence", "AuthorityFileError", "EU", "INTL", "UNKNOWN",
]

Evidence = Literal["country", "id-prefix", "agency", "title", "unresolved"]

_DATA_FILE = "jurisdictions.yaml"


@dataclass(frozen=True, slots=True)
class JurisdictionDecision:
    """Which jurisdiction a record was placed in, and on what evidence.

    ``jurisdiction`` is None when nothing could be resolved (``evidence == "unresolved"``).
    ``evidence`` names what decided: ``"country"`` (the record's country field alone),
    ``"id-prefix"``, ``"agency"`` or ``"title"`` (a sub-national hint), ``"unresolved"``.
    ``detail`` says it for people (``"id prefix 'cn-js-' → CN-JS"``); ``raw_country`` is the
    record's country field as given (for ``ccus:countryText`` when unresolved).
    """

    jurisdiction: Jurisdiction | None
    evidence: Evidence
    detail: str
    raw_country: str


_QID = re.compile(r"^Q[1-9][0-9]*$")
_PART_SEPARATORS = re.compile(r"\s*[/\uff0f\u3001;\uff1b|\uff5c]\s*")
_ZH_TYPE_SUFFIX = re.compile(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$")


# --------------------------------------------------------------------------------------
# The resolver
# --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Hints:
    """Sub-national hints of one subdivision (from the YAML, or its names)."""

    code: str
    country: str
    id_prefixes: tuple[str, ...]
    agency_patterns: tuple[re.Pattern[str], ...]
    title_patterns: tuple[re.Pattern[str], ...]
    names: tuple[str, ...]           # normalised names for the generic name rules


class JurisdictionResolver:
    """Find jurisdictions by code, by name, for a policy record, or for timeline place text.

    Build one with :meth:`default` (pycountry + the packaged ``ontology/jurisdictions.yaml``)
    or :meth:`from_file`.  Raises :class:`AuthorityFileError` when the YAML names a code that
    ISO 3166 (as known to pycountry) does not have, or a malformed QID or pattern.
    All look-ups are cached; instances are safe to share.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._special: dict[str, Mapping[str, Any]] = dict(data.get("special") or {})
        self._countries: dict[str, Mapping[str, Any]] = {
            str(k).upper(): v or {} for k, v in (data.get("countries") or {}).items()}
        self._subdivisions: dict[str, Mapping[str, Any]] = {
            str(k).upper(): v or {} for k, v in (data.get("subdivisions") or {}).items()}
        self._named_of: tuple[str, ...] = tuple(str(c).upper() for c in data.get("named_subdivisions_of") or ())
        self._blocklist: tuple[str, ...] = tuple(str(x) for x in data.get("place_blocklist") or ())
        self._cache: dict[str, Jurisdiction] = {}
        self._name_index: dict[str, str] | None = None
        self._place_re: re.Pattern[str] | None = None
        self._place_codes: dict[str, str | None] = {}
        self._hints_by_country: dict[str, tuple[_Hints, ...]] = {}
        self._forms: dict[str, tuple[str, ...]] = {}
        self._validate()

    # ---- construction ------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path) -> JurisdictionResolver:
        """Resolver over pycountry and the YAML file at ``path`` (see the class doc for errors)."""
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, Mapping):
            raise AuthorityFileError(f"{path}: top level must be a mapping")
        return cls(data)

    @classmethod
    def default(cls) -> JurisdictionResolver:
        """The shared resolver over pycountry and ``ontology/jurisdictions.yaml`` (cached)."""
        return _default_resolver()

    def _validate(self) -> None:
        for code in self._countries:
            if pycountry.countries.get(alpha_2=code) is None:
                raise AuthorityFileError(f"{_DATA_FILE}: {code!r} is not an ISO 3166-1 alpha-2 code")
        for code in self._subdivisions:
            if pycountry.subdivisions.get(code=code) is None:
                raise AuthorityFileError(f"{_DATA_FILE}: {code!r} is not an ISO 3166-2 code")
        for code in (EU, INTL):
            if code not in self._special:
                raise AuthorityFileError(f"{_DATA_FILE}: special code {code!r} missing")
        for code, entry in self._special.items():
            if not entry.get("label_en") or not entry.get("label_zh"):
                raise AuthorityFileError(f"{_DATA_FILE}: special code {code!r} needs label_en and label_zh")
            if entry.get("kind") not in ("supranational", "international"):
                raise AuthorityFileError(f"{_DATA_FILE}: special code {code!r}: kind must be supranational or international")
        for code, entry in [*self._special.items(), *self._countries.items(), *self._subdivisions.items()]:
            qid = entry.get("wikidata")
            if qid is not None and not _QID.match(str(qid)):
                raise AuthorityFileError(f"{_DATA_FILE}: {code}: bad Wikidata QID {qid!r}")
            for key in ("agency_patterns", "title_patterns"):
                for pattern in entry.get(key) or ():
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        raise AuthorityFileError(f"{_DATA_FILE}: {code}: bad {key} {pattern!r}: {exc}") from exc

    # ---- look-up by code ------------------------------------------------------------

    def get(self, code: str) -> Jurisdiction:
        """The jurisdiction with ``code`` (case-insensitive): ``"CN"``, ``"cn-js"``, ``"EU"``, ``"INTL"``.

        Subdivisions are built on first use from ISO 3166-2 (pycountry).  ``"ZZ"`` gives the
        :data:`UNKNOWN` placeholder.  Raises :class:`KeyError` for a code that is neither
        ISO 3166-1/3166-2 nor EU/INTL/ZZ.
        """
        key = str(code).strip().upper()
        found = self._cache.get(key)
        if found is None:
            found = self._build(key)
            self._cache[key] = found
        return found

    def _build(self, code: str) -> Jurisdiction:
        return iso_jurisdiction(code, self._special.get(code), self._countries.get(code, {}), self._subdivisions.get(code, {}))

    def chain(self, code: str) -> tuple[Jurisdiction, ...]:
        """``code``'s jurisdiction followed by its broader ones (``CN-JS`` → ``(CN-JS, CN)``).

        Raises :class:`KeyError` like :meth:`get`.
        """
        out = [self.get(code)]
        while out[-1].broader:
            out.append(self.get(out[-1].broader))
        return tuple(out)

    def country_of(self, code: str) -> Jurisdiction:
        """The top of ``code``'s chain: the country of a subdivision, else itself."""
        return self.chain(code)[-1]

    def eu_members(self) -> frozenset[str]:
        """ISO 3166-1 codes of the EU member states (from the YAML)."""
        return frozenset(str(c).upper() for c in self._special.get(EU, {}).get("members") or ())

    def name_forms(self, code: str) -> tuple[str, ...]:
        """Normalised names of ``code`` for stripping it off agency names, longest first.

        Labels, alternative labels, adjectives (``"saudi"``, ``"danish"``) and, for a country,
        its alpha-2 and alpha-3 codes (``"us"``, ``"usa"``).  Raises :class:`KeyError` like :meth:`get`.
        """
        key = str(code).strip().upper()
        forms = self._forms.get(key)
        if forms is None:
            forms = self._forms[key] = _name_forms(self, key)
        return forms

    def _entry(self, code: str) -> Mapping[str, Any]:
        return self._special.get(code) or self._countries.get(code) or self._subdivisions.get(code) or {}

    # ---- look-up by name --------------------------------------------------------------

    def from_name(self, text: str) -> Jurisdiction | None:
        """The jurisdiction named by ``text``, or None.

        Accepts English and Chinese names and codes as written in the data: ``"China"``,
        ``"中国"``, ``"South Korea"``, ``"Republic of Korea"``, ``"韩国"``, ``"European Union"``,
        ``"欧盟"``, ``"International"``, ``"国际"``, ``"US"``, ``"USA"``, ``"U.S."``; also the
        subdivisions listed in the YAML (``"Jiangsu"``, ``"江苏省"``).  Matching is on text folded
        by :func:`~ccus_kg.text.fold_name` (case, spaces, full-width forms), a leading "the" ignored.
        """
        key = fold_name(text or "")
        if not key:
            return None
        index = self._names()
        code = index.get(key) or (index.get(key[4:]) if key.startswith("the ") else None)
        if code is None:
            try:
                code = pycountry.countries.lookup(str(text).strip()).alpha_2
            except LookupError:
                return None
        return self.get(code)

    def _names(self) -> dict[str, str]:
        if self._name_index is None:
            index: dict[str, str] = {}
            for country in pycountry.countries:
                j = self.get(country.alpha_2)
                for form in (j.label_en, j.label_zh, *j.alt_labels, country.alpha_2, country.alpha_3):
                    index.setdefault(fold_name(form), j.code)
            for code in self._named_of:
                for sub in pycountry.subdivisions.get(country_code=code) or ():
                    j = self.get(sub.code)
                    for form in (j.label_zh, *j.alt_labels):
                        if has_han(form):
                            index.setdefault(fold_name(form), j.code)
            # Data from the YAML wins over names derived from the library.
            for code in [*self._subdivisions, *self._countries, *self._special]:
                j = self.get(code)
                for form in (j.code, j.label_en, j.label_zh, *j.alt_labels):
                    index[fold_name(form)] = j.code
            self._name_index = index
        return self._name_index

    # ---- records --------------------------------------------------------------------

    def for_record(self, *, country: str, record_id: str, agency: str, title: str) -> JurisdictionDecision:
        """Place a policy record in the most specific jurisdiction its fields support.

        ``country`` names the country (or EU / international); it must resolve by
        :meth:`from_name`.  A subdivision OF that country is then sought, first by the record
        id (``cn-js-…``: ISO 3166-2 code ``CN-JS`` as ``<cc>-<sub>-``; or a listed prefix such as
        ``tx-``, ``alberta-``, ``california-``), then by the issuing ``agency`` (``江苏省工信厅``,
        ``Texas Legislature``, ``WA Government``), then by the ``title`` (``江苏省…``,
        ``Saskatchewan …``).  A hint that points into another country is ignored; two hints
        of the same kind pointing at different subdivisions cancel out.  When ``country``
        does not resolve, only the YAML-listed subdivision hints are tried.  Never raises
        for odd input; returns a :class:`JurisdictionDecision` (evidence ``"unresolved"``
        when nothing is found).
        """
        raw = "" if country is None else str(country)
        record_id = (record_id or "").strip().lower()
        agency = agency or ""
        title = title or ""
        base = self.from_name(raw)
        if base is None:
            countries = dict.fromkeys(self.country_of(code).code for code in self._subdivisions)
            hints = tuple(h for c in countries for h in self._hints(c))
            hit = self._sub_hint(hints, record_id, agency, title, None)
            if hit:
                j, evidence, detail = hit
                return JurisdictionDecision(j, evidence, f"country {raw!r} not recognised; {detail}", raw)
            return JurisdictionDecision(None, "unresolved", f"country {raw!r} not recognised", raw)
        if base.kind == "country":
            hit = self._sub_hint(self._hints(base.code), record_id, agency, title, base)
            if hit:
                j, evidence, detail = hit
                return JurisdictionDecision(j, evidence, detail, raw)
        return JurisdictionDecision(base, "country", f"country {raw!r} → {base.code}", raw)

    def _sub_hint(self, hints: tuple[_Hints, ...], record_id: str, agency: str, title: str,
                  base: Jurisdiction | None) -> tuple[Jurisdiction, Evidence, str] | None:
        # 1. record id
        found: dict[str, str] = {}
        if base is not None:
            m = re.match(r"^([a-z]{2})-([a-z0-9]{1,3})(?:-|$)", record_id)
            if m and m.group(1).upper() == base.code:
                code = f"{base.code}-{m.group(2).upper()}"
                if pycountry.subdivisions.get(code=code) is not None:
                    found[code] = f"{m.group(1)}-{m.group(2)}-"
        for h in hints:
            for prefix in h.id_prefixes:
                if record_id.startswith(prefix.lower()):
                    found.setdefault(h.code, prefix)
        if len(found) == 1:
            code, prefix = next(iter(found.items()))
            return self.get(code), "id-prefix", f"id prefix {prefix!r} → {code}"
        # 2. issuing agency, 3. title
        for evidence, text, attr in (("agency", agency, "agency_patterns"), ("title", title, "title_patterns")):
            if not text.strip():
                continue
            # An agency field may name several bodies ('NDRC / 江苏省工信厅'): test each part.
            parts = [p for p in _PART_SEPARATORS.split(text) if p.strip()] if evidence == "agency" else [text]
            matches: dict[str, str] = {}
            for part in parts:
                part = part.strip()
                norm = fold_name(part)
                stripped = [norm, *strip_forms(norm, self.name_forms(base.code))] if base else [norm]
                for h in hints:
                    for pattern in getattr(h, attr):
                        if pattern.search(part) or any(pattern.search(s) for s in stripped):
                            matches.setdefault(h.code, f"matches {pattern.pattern!r}")
                            break
                    else:
                        for name in h.names:
                            if any(starts_with_word(s, name) for s in stripped) or (
                                    evidence == "agency" and any(ends_with_word(s, f"of {name}") for s in stripped)):
                                matches.setdefault(h.code, f"names {name!r}")
                                break
            if len(matches) == 1:
                code, how = next(iter(matches.items()))
                return self.get(code), evidence, f"{evidence} {text.strip()!r} {how} → {code}"  # type: ignore[return-value]
        return None

    def _hints(self, country: str) -> tuple[_Hints, ...]:
        """Sub-national hints for subdivisions of ``country`` (YAML-listed, plus named ones)."""
        cached = self._hints_by_country.get(country)
        if cached is not None:
            return cached
        out: list[_Hints] = []
        seen: set[str] = set()
        for code, entry in self._subdivisions.items():
            if self.country_of(code).code != country:
                continue
            j = self.get(code)
            names = [n for n in (j.label_en, j.label_zh, *j.alt_labels) if _usable_name(n)]
            if has_han(j.label_zh):
                short = _ZH_TYPE_SUFFIX.sub("", j.label_zh)
                if short != j.label_zh and len(short) >= 2:
                    names.append(short)
            flags = re.IGNORECASE
            out.append(_Hints(
                code=code, country=country,
                id_prefixes=tuple(str(p).lower() for p in entry.get("id_prefixes") or ()),
                agency_patterns=tuple(re.compile(p, flags) for p in entry.get("agency_patterns") or ()),
                title_patterns=tuple(re.compile(p, flags) for p in entry.get("title_patterns") or ()),
                names=tuple(dict.fromkeys(fold_name(n) for n in names)),
            ))
            seen.add(code)
        if country in self._named_of:
            for sub in pycountry.subdivisions.get(country_code=country) or ():
                if sub.code in seen:
                    continue
                j = self.get(sub.code)
                names = [n for n in (j.label_zh, *j.alt_labels) if has_han(n)]
                names += [_ZH_TYPE_SUFFIX.sub("", n) for n in list(names)]
                names = [n for n in names if len(n) >= 2]
                if names:
                    out.append(_Hints(code=sub.code, country=country, id_prefixes=(), agency_patterns=(),
                                      title_patterns=(), names=tuple(dict.fromkeys(fold_name(n) for n in names))))
        result = tuple(out)
        self._hints_by_country[country] = result
        return result

    # ---- timeline place text -------------------------------------------------------------

    def for_place(self, text: str) -> Jurisdiction | None:
        """The most specific jurisdiction named in free place text, or None.

        ``"江苏省盐城市响水县"`` → CN-JS (the province, and Yancheng city listed under it);
        ``"江苏省"`` → CN-JS; ``"徐州市、南通市和连云港市"`` → CN-JS (all three in Jiangsu);
        ``"美国德克萨斯州"`` → US-TX.  Names of several jurisdictions that are not on one chain
        give their deepest common ancestor (two Chinese provinces → CN), or None across
        countries.  Known names are country names, the YAML subdivisions and their
        ``places``, and the Chinese names of every subdivision of ``named_subdivisions_of``.
        """
        norm = fold_name(text or "")
        if not norm:
            return None
        pattern = self._places()
        codes = {self._place_codes[m.group(0)] for m in pattern.finditer(norm)}
        codes.discard(None)
        if not codes:
            return None
        chains = {c: [j.code for j in self.chain(c)] for c in codes if c}
        for code in sorted(chains, key=lambda c: -len(chains[c])):
            if all(other in chains[code] for other in chains):
                return self.get(code)
        common = set.intersection(*(set(ch) for ch in chains.values()))
        if not common:
            return None
        return self.get(max(common, key=lambda c: len(self.chain(c))))

    def _places(self) -> re.Pattern[str]:
        if self._place_re is None:
            names: dict[str, str | None] = {}

            def add(name: str | None, code: str | None, *, force: bool = False) -> None:
                if not name or not _usable_name(name):
                    return
                key = fold_name(name)
                if force or key not in names:
                    names[key] = code

            for iso_country in pycountry.countries:
                j = self.get(iso_country.alpha_2)
                for n in (j.label_en, j.label_zh, *j.alt_labels):
                    add(n, j.code)
            eu = self.get(EU)
            for n in (eu.label_en, eu.label_zh, *eu.alt_labels):
                add(n, EU)
            for country in self._named_of:
                for h in self._hints(country):
                    for n in h.names:
                        add(n, h.code)
            for code, entry in self._subdivisions.items():
                j = self.get(code)
                for n in (j.label_en, j.label_zh, *j.alt_labels, *(entry.get("places") or ())):
                    add(str(n), code, force=True)
                if has_han(j.label_zh):
                    add(_ZH_TYPE_SUFFIX.sub("", j.label_zh), code, force=True)
            for n in self._blocklist:
                add(n, None, force=True)
            ordered = sorted(names, key=len, reverse=True)
            alternatives = "|".join(re.escape(n) for n in ordered)
            self._place_codes = names
            self._place_re = re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")
        return self._place_re


def _usable_name(name: str) -> bool:
    """A name long enough to match in free text: 2+ Han characters or 4+ Latin ones."""
    n = fold_name(name)
    if has_han(n):
        return len(n) >= 2
    return len(n) >= 4


def _name_forms(resolver: JurisdictionResolver, code: str) -> tuple[str, ...]:
    j = resolver.get(code)
    entry = resolver._entry(code)
    forms = [j.label_en, j.label_zh, *j.alt_labels, *(entry.get("adjectives") or ())]
    if j.kind == "country":
        iso_country = pycountry.countries.get(alpha_2=code)
        if iso_country is not None:
            forms += [iso_country.alpha_2, iso_country.alpha_3]
    elif j.kind == "subdivision" and has_han(j.label_zh):
        forms.append(_ZH_TYPE_SUFFIX.sub("", j.label_zh))
    normed = {fold_name(f) for f in forms if f}
    normed.discard("")
    return tuple(sorted(normed, key=lambda f: (-len(f), f)))


@cache
def _default_resolver() -> JurisdictionResolver:
    return JurisdictionResolver.from_file(ontology_path(_DATA_FILE))
