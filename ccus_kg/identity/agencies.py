"""Issuing agencies: one node per real-world body, whatever language or spelling names it.

A record's ``source`` field names the body (or bodies) that issued it, in English, Chinese,
as an acronym, or mixed: ``"工信部"``, ``"工业和信息化部"``, ``"METI Japan"``,
``"日本经济产业省 (METI)"``, ``"NDRC/SAMR"``, ``"挪威政府 / Gassnova"``.  The authority file
``ontology/agencies.yaml`` lists each body once, under the jurisdiction it belongs to, with its
preferred names in English and Chinese, acronym, aliases, parent body
(``org:subOrganizationOf``) and Wikidata QID.  :class:`AgencyResolver` maps a raw field to
:class:`Agency` nodes and says how each was found (:class:`AgencyDecision`).

Matching rules (in order):

1. the field is split on ``/ ／ 、 ; ；`` and ``|`` into parts, except where the joined text is
   itself a listed name (``ISO/TC 265``);
2. each part is folded by :func:`~ccus_kg.text.fold_name` (NFKC, case fold,
   full-width → half-width, spaces collapsed); a trailing bracketed acronym is dropped and tried on its own
   (``日本经济产业省 (METI)`` → ``日本经济产业省``, then ``METI``); a name of the record's own
   jurisdiction is stripped from the start or end (``US DOE``, ``METI Japan``, ``沙特能源部``,
   ``Government of Norway``);
3. the part is looked up in the record's jurisdiction, then up its broader chain (a ``CN-JS``
   record may name a national ``CN`` body), then in the EU for an EU member state's record,
   then among international bodies (``INTL``).  A national body never matches another
   country's record.

A name found nowhere still becomes an :class:`Agency` with ``in_authority_file=False``,
``key = iris.slug(name)`` and the record's jurisdiction, and rule ``"unresolved"``.
This module writes no RDF; see ``docs/MODEL.md`` for the agency node.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from ccus_kg.errors import AuthorityFileError
from ccus_kg.identity import iris
from ccus_kg.identity.jurisdictions import EU, INTL, UNKNOWN, Jurisdiction, JurisdictionResolver
from ccus_kg.resources import ontology_path
from ccus_kg.text import fold_name, has_han, strip_forms

__all__ = ["Agency", "AgencyDecision", "AgencyResolver", "Rule", "UNKNOWN_JURISDICTION", "split_agencies", "joint_issuance"]

Rule = Literal["name", "alias", "acronym", "parent-jurisdiction", "unresolved"]

#: Jurisdiction code given to an unresolved agency of a record whose jurisdiction is unknown:
#: the ISO 3166-1 user-assigned code element ``ZZ`` (Unicode CLDR's "Unknown Region"), which
#: :meth:`JurisdictionResolver.get` resolves to a placeholder of kind ``"unknown"``.
UNKNOWN_JURISDICTION = UNKNOWN

_DATA_FILE = "agencies.yaml"
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
#: a BCP 47 language tag (RFC 5646 §2.1, the primary language subtag and optional subtags)
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _alias(item: object, where: str) -> tuple[str, str | None]:
    """One ``aliases`` item: a name, or ``{TAG: name}`` (a BCP 47 tag); returns ``(name, tag or None)``.

    Raises :class:`AuthorityFileError` naming ``where`` for a mapping that is not one tag and a name.
    """
    if isinstance(item, dict):
        if len(item) != 1:
            raise AuthorityFileError(f"{where}: alias {item!r}: expected one {{language tag: name}}")
        ((tag, name),) = item.items()
        if not _LANG.match(str(tag)) or not str(name or "").strip():
            raise AuthorityFileError(f"{where}: alias {item!r}: expected {{BCP 47 language tag: name}}, e.g. {{es: Ministerio de Energía}}")
        return str(name).strip(), str(tag)
    return str(item), None
_SEPARATORS = re.compile(r"(\s*[/\uff0f\u3001;\uff1b|\uff5c]\s*)")
_BRACKETED = re.compile(r"^(?P<base>.*?)\s*\((?P<inner>[^()]+)\)$")


@dataclass(frozen=True, slots=True)
class Agency:
    """One issuing body (``<id/agency/{jurisdiction}/{key}>``).

    ``key``: readable slug unique within ``jurisdiction`` (``"miit"``, ``"ministry-of-energy"``).
    ``jurisdiction``: the code of the jurisdiction the body belongs to (``"CN"``, ``"CN-JS"``,
    ``"EU"``, ``"INTL"``; ``"ZZ"`` for an unresolved name of a record of unknown jurisdiction).
    ``label_en`` / ``label_zh``: preferred names; ``acronym``; ``alt_labels``: every other name.
    ``parent``: ``(jurisdiction, key)`` of the body it belongs to, or None.  ``wikidata``: QID or
    None.  ``in_authority_file``: False for a name that matched no entry of ``agencies.yaml``.
    ``alt_label_languages``: ``(name, BCP 47 tag)`` of the alternative names the authority file
    tags with a language (``{es: Ministerio de Energía}``); the others are tagged by their script.
    """

    key: str
    jurisdiction: str
    label_en: str | None
    label_zh: str | None
    acronym: str | None
    alt_labels: tuple[str, ...]
    parent: tuple[str, str] | None
    wikidata: str | None
    in_authority_file: bool
    alt_label_languages: tuple[tuple[str, str], ...] = ()

    def language_of(self, name: str) -> str | None:
        """The language tag the authority file gives ``name``, or None (tag it by its script)."""
        return next((tag for label, tag in self.alt_label_languages if label == name), None)


@dataclass(frozen=True, slots=True)
class AgencyDecision:
    """How one part of a raw agency field was resolved.

    ``raw``: the whole field as given; ``part``: the piece of it this decision is about
    (``"SAMR"`` of ``"NDRC/SAMR"``); ``agency``: the node; ``rule``: ``"name"`` (a preferred
    name), ``"alias"``, ``"acronym"``, ``"parent-jurisdiction"`` (found in a broader
    jurisdiction, the EU or among international bodies, not the record's own), or
    ``"unresolved"`` (not in the authority file).
    """

    raw: str
    part: str
    agency: Agency
    rule: Rule


@dataclass(frozen=True, slots=True)
class _Entry:
    priority: int          # 0: the form as listed, 1: with a country name stripped off
    agency: Agency
    rule: Rule


_JOINT_EN = re.compile(r"^(?P<named>.+?)[\s,]+(?:and|together with|jointly with|with)\s+(?P<others>(?:(?:\d+|one|two|three|four|five|six|"
                       r"seven|eight|nine|ten|eleven|twelve|several|multiple)\s+)?other\s+(?:departments|ministries|agencies|"
                       r"authorities|bodies|government\s+departments))\.?$", re.IGNORECASE)
_JOINT_ZH = re.compile(r"^(?P<named>.+?)等(?P<others>[0-9一二两三四五六七八九十百]*[个家]?(?:部门|部委|单位|机构))$")


def joint_issuance(part: str) -> tuple[str, str | None]:
    """``(named agency, the others as written)`` of a joint-issuance name, else ``(part, None)``.

    ``"NDRC and nine other departments"`` → ``("NDRC", "nine other departments")``;
    ``"国家发展改革委等九部门"`` → ``("国家发展改革委", "九部门")`` (等 "and others", the count and
    部门/部委/单位/机构); ``"NDRC"`` → ``("NDRC", None)``.
    """
    text = part.strip()
    for pattern in (_JOINT_EN, _JOINT_ZH):
        m = pattern.match(text)
        if m and m.group("named").strip():
            return m.group("named").strip(), m.group("others")
    return text, None


def split_agencies(raw: str, is_name: Callable[[str], bool] | None = None) -> list[str]:
    """Split a field naming several agencies into its parts (texts as written, stripped).

    Separators are ``/ ／ 、 ; ； |``.  ``is_name(text) -> bool`` (optional) tells whether a text
    is a known name; adjacent parts are kept together when their joined text is one
    (``"ISO/TC 265"``).  Blank parts are dropped; ``""`` gives ``[]``.
    """
    tokens = _SEPARATORS.split(raw or "")
    pieces = tokens[0::2]
    n = len(pieces)
    out: list[str] = []
    i = 0
    while i < n:
        end = i + 1
        if is_name is not None:
            for j in range(n, i + 1, -1):
                if is_name("".join(tokens[2 * i: 2 * j - 1])):
                    end = j
                    break
        part = "".join(tokens[2 * i: 2 * end - 1]).strip()
        if part:
            out.append(part)
        i = end
    return out


class AgencyResolver:
    """Resolve raw issuing-agency fields against the authority file ``ontology/agencies.yaml``.

    ``data`` maps a jurisdiction code to ``{key: {en, zh, acronym, aliases, parent, wikidata}}``.
    Raises :class:`~ccus_kg.errors.AuthorityFileError` for an unknown jurisdiction
    code, a key that is not a slug, a parent that is not listed, a malformed QID, or two
    bodies of one jurisdiction sharing a name.
    """

    def __init__(self, data: Mapping[str, Any], jurisdictions: JurisdictionResolver) -> None:
        self._jurisdictions = jurisdictions
        self._agencies: dict[tuple[str, str], Agency] = {}
        self._index: dict[str, dict[str, list[_Entry]]] = {}
        self._all_forms: set[str] = set()
        self._load(data)

    # ---- construction ------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path, jurisdictions: JurisdictionResolver | None = None) -> AgencyResolver:
        """Resolver over the YAML authority file at ``path`` (errors as for the class)."""
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, Mapping):
            raise AuthorityFileError(f"{path}: top level must be a mapping")
        return cls(data, jurisdictions or JurisdictionResolver.default())

    @classmethod
    def default(cls) -> AgencyResolver:
        """The shared resolver over ``ontology/agencies.yaml`` and the default jurisdictions (cached)."""
        return _default_resolver()

    def _load(self, data: Mapping[str, Any]) -> None:
        raw_parents: dict[tuple[str, str], str] = {}
        for code_raw, bodies in data.items():
            code = str(code_raw).strip().upper()
            try:
                self._jurisdictions.get(code)
            except KeyError:
                raise AuthorityFileError(f"{_DATA_FILE}: unknown jurisdiction code {code_raw!r}") from None
            for key, entry in (bodies or {}).items():
                key = str(key)
                where = f"{_DATA_FILE}: {code}/{key}"
                if not _KEY.match(key):
                    raise AuthorityFileError(f"{where}: key must be a lower-case slug")
                entry = entry or {}
                unknown = set(entry) - {"en", "zh", "acronym", "aliases", "parent", "wikidata"}
                if unknown:
                    raise AuthorityFileError(f"{where}: unknown field(s) {sorted(unknown)}")
                if not entry.get("en") and not entry.get("zh"):
                    raise AuthorityFileError(f"{where}: needs 'en' or 'zh'")
                qid = entry.get("wikidata")
                if qid is not None and not _QID.match(str(qid)):
                    raise AuthorityFileError(f"{where}: bad Wikidata QID {qid!r}")
                if entry.get("parent"):
                    raw_parents[(code, key)] = str(entry["parent"])
                label_en = entry.get("en")
                label_zh = entry.get("zh")
                acronym = entry.get("acronym")
                named = [_alias(a, where) for a in entry.get("aliases") or ()]
                aliases = tuple(dict.fromkeys(name for name, _ in named if name not in (label_en, label_zh, acronym)))
                tagged = tuple((name, tag) for name, tag in named if tag and name in aliases)
                self._agencies[(code, key)] = Agency(
                    key=key, jurisdiction=code,
                    label_en=str(label_en) if label_en else None,
                    label_zh=str(label_zh) if label_zh else None,
                    acronym=str(acronym) if acronym else None,
                    alt_labels=aliases, parent=None, wikidata=str(qid) if qid else None,
                    in_authority_file=True, alt_label_languages=tagged)
        for (code, key), parent in raw_parents.items():
            pcode, _, pkey = parent.rpartition("/")
            target = ((pcode or code).upper(), pkey)
            if target not in self._agencies:
                raise AuthorityFileError(f"{_DATA_FILE}: {code}/{key}: parent {parent!r} is not listed")
            old = self._agencies[(code, key)]
            self._agencies[(code, key)] = Agency(
                key=old.key, jurisdiction=old.jurisdiction, label_en=old.label_en, label_zh=old.label_zh,
                acronym=old.acronym, alt_labels=old.alt_labels, parent=target, wikidata=old.wikidata,
                in_authority_file=True, alt_label_languages=old.alt_label_languages)
        for agency in self._agencies.values():
            self._index_agency(agency)

    def _index_agency(self, agency: Agency) -> None:
        forms = self._chain_forms(agency.jurisdiction)
        table = self._index.setdefault(agency.jurisdiction, {})
        named: list[tuple[str, Rule]] = [(agency.label_en or "", "name"), (agency.label_zh or "", "name"),
                                         (agency.acronym or "", "acronym")]
        named += [(a, "alias") for a in agency.alt_labels]
        for text, rule in named:
            norm = fold_name(text)
            if not norm:
                continue
            direct = [norm]
            m = _BRACKETED.match(norm)
            if m and m.group("base"):
                direct.append(m.group("base").strip())
            for form in direct:
                entries = table.setdefault(form, [])
                clash = [e for e in entries if e.priority == 0 and e.agency is not agency]
                if clash:
                    other = clash[0].agency
                    raise AuthorityFileError(
                        f"{_DATA_FILE}: {agency.jurisdiction}/{agency.key} and {other.jurisdiction}/{other.key} "
                        f"share the name {text!r}")
                entries.append(_Entry(0, agency, rule))
                self._all_forms.add(form)
                for stripped in strip_forms(form, forms):
                    table.setdefault(stripped, []).append(_Entry(1, agency, rule))

    def _chain_forms(self, code: str) -> tuple[str, ...]:
        """Name forms of ``code`` and its broader jurisdictions, longest first."""
        try:
            chain = self._jurisdictions.chain(code)
        except KeyError:
            return ()
        forms = {f for j in chain for f in self._jurisdictions.name_forms(j.code)}
        return tuple(sorted(forms, key=lambda f: (-len(f), f)))

    # ---- look-ups ------------------------------------------------------------------

    def get(self, jurisdiction: str, key: str) -> Agency:
        """The authority-file agency ``key`` of ``jurisdiction``; :class:`KeyError` if not listed."""
        return self._agencies[(str(jurisdiction).strip().upper(), key)]

    def agencies(self) -> tuple[Agency, ...]:
        """Every agency of the authority file, in file order."""
        return tuple(self._agencies.values())

    def is_name(self, text: str) -> bool:
        """True when ``text`` is, after normalisation, a listed name of some agency."""
        return fold_name(text) in self._all_forms

    def resolve(self, raw: str, jurisdiction: Jurisdiction | None) -> list[AgencyDecision]:
        """Resolve a raw agency field of a record of ``jurisdiction`` (None when unknown).

        Returns one :class:`AgencyDecision` per distinct agency named, in field order; ``[]``
        for an empty or blank field.  The resolver's own :class:`JurisdictionResolver` gives the
        jurisdiction chain and country names.  With ``jurisdiction`` None, a part resolves only when exactly one agency of
        the whole file has that name; otherwise it is unresolved under ``"ZZ"``.  Never raises.
        """
        if raw is None or not str(raw).strip():
            return []
        raw = str(raw)
        decisions: list[AgencyDecision] = []
        seen: set[tuple[str, str]] = set()
        for part in split_agencies(raw, self.is_name):
            if not self.is_name(part):
                part = joint_issuance(part)[0]
            decision = self._resolve_part(raw, part, jurisdiction)
            ident = (decision.agency.jurisdiction, decision.agency.key)
            if ident not in seen:
                seen.add(ident)
                decisions.append(decision)
        return decisions

    def joint_note(self, raw: str) -> str | None:
        """The note of a field naming one agency and counting the others it issued with
        (``"NDRC and nine other departments"``, ``"国家发展改革委等九部门"``), else None.

        The note quotes the part and the agency it names:
        ``"joint issuance: 'NDRC and nine other departments' names 'NDRC'; the other issuing bodies are not named, so not linked"``.
        """
        notes = []
        for part in split_agencies(str(raw or ""), self.is_name):
            if self.is_name(part):
                continue
            named, others = joint_issuance(part)
            if others is not None:
                notes.append(f"{part!r} names {named!r}")
        if not notes:
            return None
        return f"joint issuance: {'; '.join(notes)}; the other issuing bodies are not named, so not linked"

    def _resolve_part(self, raw: str, part: str, jurisdiction: Jurisdiction | None) -> AgencyDecision:
        resolver = self._jurisdictions
        if jurisdiction is None:
            found = self._unique_anywhere(self._variants(part, ()))
            if found:
                return AgencyDecision(raw, part, found[0], found[1])
            return AgencyDecision(raw, part, self._unlisted(part, UNKNOWN_JURISDICTION), "unresolved")
        try:
            chain = [j.code for j in resolver.chain(jurisdiction.code)]
        except KeyError:
            chain = [jurisdiction.code]
        search = list(chain)
        if chain[-1] in resolver.eu_members() and EU not in search:
            search.append(EU)
        if INTL not in search:
            search.append(INTL)
        # A name form is stripped only where it names the jurisdiction being searched: in a
        # CN-JS record, "江苏省发改委" may match a CN-JS agency "发改委", never the national one.
        for code in search:
            table = self._index.get(code)
            if not table:
                continue
            try:
                forms = resolver.name_forms(code)
            except KeyError:
                forms = ()
            for variant in self._variants(part, sorted(forms, key=lambda f: (-len(f), f))):
                hit = _pick(table.get(variant))
                if hit:
                    agency, rule = hit
                    return AgencyDecision(raw, part, agency, rule if code == chain[0] else "parent-jurisdiction")
        return AgencyDecision(raw, part, self._unlisted(part, jurisdiction.code), "unresolved")

    @staticmethod
    def _variants(part: str, forms: Iterable[str]) -> list[str]:
        """Normalised look-up keys of ``part``, most literal first."""
        forms = tuple(forms)
        norm = fold_name(part)
        out = [norm]
        m = _BRACKETED.match(norm)
        base = inner = None
        if m:
            base, inner = m.group("base").strip(), m.group("inner").strip()
            if base:
                out.append(base)
        out += strip_forms(norm, forms)
        if base:
            out += strip_forms(base, forms)
        if inner:
            out.append(inner)
            out += strip_forms(inner, forms)
        # "Full Name (ACRONYM), Country": the country is stripped first, then the bracket split
        for stripped in strip_forms(norm, forms):
            m = _BRACKETED.match(stripped)
            if m:
                out += [m.group("base").strip(), *strip_forms(m.group("base").strip(), forms), m.group("inner").strip()]
        return [v for v in dict.fromkeys(out) if v]

    def _unique_anywhere(self, variants: list[str]) -> tuple[Agency, Rule] | None:
        for variant in variants:
            hits = {(e.agency.jurisdiction, e.agency.key): e for table in self._index.values()
                    for e in table.get(variant, ()) if e.priority == 0}
            if len(hits) == 1:
                entry = next(iter(hits.values()))
                return entry.agency, entry.rule
            if hits:
                return None
        return None

    def _unlisted(self, part: str, code: str) -> Agency:
        key = iris.slug(part)
        if (code, key) in self._agencies:          # never share an IRI with a listed body
            key = f"{key}-{iris.digest(part, length=6)}"
        han = has_han(part)
        return Agency(key=key, jurisdiction=code, label_en=None if han else part,
                      label_zh=part if han else None, acronym=None, alt_labels=(), parent=None,
                      wikidata=None, in_authority_file=False)


def _pick(entries: list[_Entry] | None) -> tuple[Agency, Rule] | None:
    """The agency of the best-priority entries, or None when missing or ambiguous."""
    if not entries:
        return None
    best = min(e.priority for e in entries)
    top = [e for e in entries if e.priority == best]
    agencies = {(e.agency.jurisdiction, e.agency.key) for e in top}
    if len(agencies) != 1:
        return None
    rules = [e.rule for e in top]
    rule = next(r for r in ("name", "alias", "acronym") if r in rules)
    return top[0].agency, rule


@cache
def _default_resolver() -> AgencyResolver:
    return AgencyResolver.from_file(ontology_path(_DATA_FILE), JurisdictionResolver.default())
