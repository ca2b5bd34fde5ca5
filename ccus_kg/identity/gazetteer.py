"""ISO 3166 as a gazetteer: the :class:`Jurisdiction` shape, the special codes, and names from pycountry.

Names and codes come from :mod:`pycountry` (the Debian *iso-codes* data): English names from the
ISO 3166-1 / 3166-2 tables, Chinese names from the ``iso3166-1`` / ``iso3166-2`` gettext catalogues
(locale ``zh_CN``).  :func:`iso_jurisdiction` combines them with an entry of
``ontology/jurisdictions.yaml`` (preferred labels, aliases, Wikidata QID).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import pycountry

__all__ = ["Jurisdiction", "JurisdictionKind", "EU", "INTL", "UNKNOWN", "iso_jurisdiction", "zh_name", "unique"]

JurisdictionKind = Literal["country", "subdivision", "supranational", "international", "unknown"]

#: Code of the European Union (ISO 3166-1 exceptionally reserved code element).
EU = "EU"
#: Our code for international / supranational-standard records (no ISO code exists).
INTL = "INTL"
#: Placeholder for "jurisdiction not known" (e.g. of an unresolved agency of a record whose
#: country did not resolve): the ISO 3166-1 user-assigned code element ZZ, Unicode CLDR's
#: "Unknown Region".  :meth:`JurisdictionResolver.get` knows it (kind ``"unknown"``);
#: no name, record or place ever resolves to it.
UNKNOWN = "ZZ"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One jurisdiction node (``<id/jurisdiction/{code}>``).

    ``code``: ISO 3166-1 alpha-2 (``"CN"``), ISO 3166-2 (``"CN-JS"``), ``"EU"`` or ``"INTL"``.
    ``label_en`` / ``label_zh``: preferred labels (``skos:prefLabel``); ``alt_labels`` every
    other name (``skos:altLabel``).  ``broader``: code of the parent — the country of a
    subdivision (or its ISO 3166-2 parent subdivision where ISO defines one), None otherwise.
    ``wikidata``: a Wikidata QID (``"Q148"``) or None.  ``kind``: what sort of node it is
    (``"unknown"`` only for the placeholder :data:`UNKNOWN`, ``"ZZ"``).
    """

    code: str
    label_en: str
    label_zh: str
    broader: str | None
    wikidata: str | None
    kind: JurisdictionKind
    alt_labels: tuple[str, ...]




@cache
def _translation(domain: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:  # catalogue missing: no Chinese names from the library
        return gettext.NullTranslations()


def zh_name(domain: str, name: str | None) -> str | None:
    """Chinese name of an ISO 3166 English name, or None when the catalogue has none."""
    if not name:
        return None
    out = _translation(domain).gettext(name)
    return out if out and out != name else None


def unique(values: Iterable[str | None], *, exclude: Iterable[str | None] = ()) -> tuple[str, ...]:
    skip = {v for v in exclude if v}
    out: list[str] = []
    for v in values:
        if v and v not in skip and v not in out:
            out.append(v)
    return tuple(out)


_QID = re.compile(r"^Q[1-9][0-9]*$")
_PART_SEPARATORS = re.compile(r"\s*[/\uff0f\u3001;\uff1b|\uff5c]\s*")
_ZH_TYPE_SUFFIX = re.compile(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$")


def iso_jurisdiction(code: str, special: Mapping[str, Any] | None, country_entry: Mapping[str, Any],
                     subdivision_entry: Mapping[str, Any]) -> Jurisdiction:
    """Build the :class:`Jurisdiction` for an upper-case ``code`` from ISO 3166 (pycountry) and its
    ``jurisdictions.yaml`` entry (``special`` for EU/INTL, else the country or subdivision entry).

    Raises :class:`KeyError` for a code ISO 3166 does not have.
    """
    if code == UNKNOWN:
        return Jurisdiction(code=UNKNOWN, label_en="Unknown jurisdiction", label_zh="未知管辖区",
                            broader=None, wikidata=None, kind="unknown", alt_labels=())
    if special is not None:
        entry = special
        return Jurisdiction(
            code=code, label_en=str(entry["label_en"]), label_zh=str(entry["label_zh"]),
            broader=None, wikidata=entry.get("wikidata"),
            kind=entry.get("kind", "international"),
            alt_labels=unique(entry.get("alt_labels") or ()),
        )
    if re.fullmatch(r"[A-Z]{2}", code):
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            raise KeyError(code)
        entry = country_entry
        name = country.name
        official = getattr(country, "official_name", None)
        common = getattr(country, "common_name", None)
        label_en = entry.get("label_en") or common or name
        label_zh = entry.get("label_zh") or zh_name("iso3166-1", name) or label_en
        alts = unique(
            [name, official, common, zh_name("iso3166-1", name), zh_name("iso3166-1", official),
             *(entry.get("alt_labels") or ())],
            exclude=[label_en, label_zh])
        return Jurisdiction(code=code, label_en=label_en, label_zh=label_zh, broader=None,
                            wikidata=entry.get("wikidata"), kind="country", alt_labels=alts)
    sub = pycountry.subdivisions.get(code=code) if "-" in code else None
    if sub is None:
        raise KeyError(code)
    entry = subdivision_entry
    label_en = entry.get("label_en") or sub.name
    label_zh = entry.get("label_zh") or zh_name("iso3166-2", sub.name) or label_en
    alts = unique([sub.name, zh_name("iso3166-2", sub.name), *(entry.get("alt_labels") or ())],
                   exclude=[label_en, label_zh])
    broader = sub.parent_code or sub.country_code
    return Jurisdiction(code=code, label_en=label_en, label_zh=label_zh, broader=broader,
                        wikidata=entry.get("wikidata"), kind="subdivision", alt_labels=alts)
