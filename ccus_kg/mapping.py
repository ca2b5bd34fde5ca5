"""Declarative record mappings: ``ontology/mapping/*.yaml`` read into :class:`RecordMapping`.

A mapping file says, for one kind of front-matter record (facility, country profile), how the
record is recognised by its content (``detect``), which node it becomes (``iri``, ``types``,
``identifier``) and, per field, the property, the kind of value (``text``, ``concept``,
``jurisdiction``, ``capacity`` …), its datatype or concept scheme, its language handling, whether
it is a list and whether it is required.  The converters (:mod:`ccus_kg.rdf.facilities`,
:mod:`ccus_kg.rdf.countries`) interpret these entries; the file format is documented at the top of
``ontology/mapping/facilities.yaml``.  Written so that a later pass can fold it into one shared
mapping engine for every record kind (the idea of RML/YARRRML: mapping as data, not code).

Shapes: :func:`load_mapping` (``name`` → :class:`RecordMapping`, cached), :func:`record_kind`
(front matter → ``"facility"``, ``"country-profile"`` or ``"policy"``), :func:`get_path`.
Errors: a malformed mapping file raises :class:`ccus_kg.errors.AuthorityFileError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml
from pyoxigraph import NamedNode

from ccus_kg.errors import AuthorityFileError
from ccus_kg.namespaces import PREFIXES
from ccus_kg.resources import ontology_path

__all__ = ["FieldMap", "RecordMapping", "load_mapping", "record_kind", "get_path", "curie", "MAPPING_FILES", "KINDS"]

#: Record kind → mapping file under ``ontology/`` (policies are still mapped in Python: rdf/policies.py).
MAPPING_FILES: dict[str, str] = {"facility": "mapping/facilities.yaml", "country-profile": "mapping/countries.yaml"}
#: The value kinds a field entry may have.
KINDS = frozenset("""text literal url concept jurisdiction organisation hub geometry capacity milestone
                     policy-links provenance ignore""".split())
_MISSING = object()


def curie(text: str, where: str = "mapping") -> NamedNode:
    """Expand ``prefix:local`` with :data:`ccus_kg.namespaces.PREFIXES`; raises AuthorityFileError for an unknown prefix."""
    prefix, sep, local = str(text).partition(":")
    if not sep or prefix not in PREFIXES:
        raise AuthorityFileError(f"{where}: {text!r} is not a CURIE with a known prefix ({', '.join(sorted(PREFIXES))})")
    return NamedNode(PREFIXES[prefix] + local)


def get_path(data: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """The value at dotted ``path`` (``"provenance.author"``) of ``data``, or ``default`` when absent."""
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return default
        current = current[part]
    return current


@dataclass(frozen=True)
class FieldMap:
    """One field entry: ``path``, ``predicate`` (None for kinds that need none), ``kind``,
    ``many``, ``required`` and the kind's other ``options`` (``scheme``, ``fallback``, ``datatype``,
    ``language``, ``min``/``max``/``value``/``unit`` …) as given in the file."""

    path: str
    predicate: NamedNode | None
    kind: str
    many: bool = False
    required: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    def node_option(self, key: str) -> NamedNode | None:
        """The option ``key`` expanded as a CURIE (``fallback``, ``datatype``, ``unit``, ``raw``), or None."""
        value = self.options.get(key)
        return curie(value, f"field {self.path}.{key}") if value else None


@dataclass(frozen=True)
class RecordMapping:
    """A parsed mapping file: the record ``kind``, the IRI function name, ``types``, the identifier
    field and predicate, the ``detect`` rule and the ``fields`` in file order."""

    kind: str
    iri: str
    types: tuple[NamedNode, ...]
    identifier_path: str
    identifier_predicate: NamedNode
    detect: dict[str, Any]
    fields: tuple[FieldMap, ...]

    def matches(self, data: Mapping[str, Any]) -> bool:
        """Whether front matter ``data`` is a record of this kind (the ``detect`` rule)."""
        keys = set(data)
        if keys & set(self.detect.get("has_none", ())):
            return False
        if not set(self.detect.get("has_all", ())) <= keys:
            return False
        any_of = set(self.detect.get("has_any", ()))
        return not any_of or len(keys & any_of) >= int(self.detect.get("min_matches", 1))

    def top_level_keys(self) -> frozenset[str]:
        """Front-matter keys this mapping reads (first segment of every path, and of the paths
        named by ``min``/``max``/``value``/``precision``/``also`` options)."""
        keys = {self.identifier_path.split(".")[0]}
        for f in self.fields:
            keys.add(f.path.split(".")[0])
            for opt in ("min", "max", "value", "precision", "also"):
                if f.options.get(opt):
                    keys.add(str(f.options[opt]).split(".")[0])
        return frozenset(keys)

    def entry(self, path: str) -> FieldMap:
        """The entry of ``path``; :class:`KeyError` if the mapping has none."""
        for f in self.fields:
            if f.path == path:
                return f
        raise KeyError(path)


def parse_mapping(data: Mapping[str, Any], where: str) -> RecordMapping:
    """Check and parse a mapping file's content; raises :class:`AuthorityFileError` naming ``where``."""
    if not isinstance(data, Mapping):
        raise AuthorityFileError(f"{where}: expected a mapping at the top level")
    for key in ("record", "iri", "types", "identifier", "detect", "fields"):
        if key not in data:
            raise AuthorityFileError(f"{where}: missing top-level key {key!r}")
    fields = []
    for i, entry in enumerate(data["fields"] or []):
        if not isinstance(entry, Mapping) or "path" not in entry or "kind" not in entry:
            raise AuthorityFileError(f"{where}: fields[{i}] needs at least 'path' and 'kind'")
        kind = str(entry["kind"])
        if kind not in KINDS:
            raise AuthorityFileError(f"{where}: fields[{i}] ({entry['path']}): unknown kind {kind!r}; expected one of {', '.join(sorted(KINDS))}")
        predicate = curie(entry["predicate"], f"{where}: fields[{i}]") if entry.get("predicate") else None
        if predicate is None and kind not in ("ignore", "milestone", "provenance"):
            raise AuthorityFileError(f"{where}: fields[{i}] ({entry['path']}): kind {kind!r} needs a predicate")
        if kind == "concept" and not entry.get("scheme"):
            raise AuthorityFileError(f"{where}: fields[{i}] ({entry['path']}): a concept field needs a scheme")
        options = {k: v for k, v in entry.items() if k not in ("path", "predicate", "kind", "many", "required")}
        fm = FieldMap(str(entry["path"]), predicate, kind, bool(entry.get("many")), bool(entry.get("required")), options)
        for opt in ("fallback", "datatype", "unit", "raw"):
            fm.node_option(opt)  # fail early on a bad CURIE
        fields.append(fm)
    ident = data["identifier"]
    return RecordMapping(
        kind=str(data["record"]), iri=str(data["iri"]),
        types=tuple(curie(t, f"{where}: types") for t in data["types"]),
        identifier_path=str(ident["path"]), identifier_predicate=curie(ident["predicate"], f"{where}: identifier"),
        detect=dict(data["detect"] or {}), fields=tuple(fields),
    )


@cache
def load_mapping(kind: str) -> RecordMapping:
    """The packaged mapping of record ``kind`` (``"facility"`` or ``"country-profile"``), parsed once.

    Raises :class:`KeyError` for another kind, :class:`AuthorityFileError` for a malformed file,
    :class:`ccus_kg.errors.ResourceNotFound` when it is missing.
    """
    path = ontology_path(MAPPING_FILES[kind])
    with open(path, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise AuthorityFileError(f"{path}: not valid YAML: {exc}") from None
    mapping = parse_mapping(data, str(path))
    if mapping.kind != kind:
        raise AuthorityFileError(f"{path}: record is {mapping.kind!r}, expected {kind!r}")
    return mapping


def record_kind(data: Mapping[str, Any]) -> str:
    """The kind of a front-matter record by its content: ``"facility"``, ``"country-profile"``, or
    ``"policy"`` (anything no mapping's ``detect`` rule claims)."""
    for kind in MAPPING_FILES:
        if load_mapping(kind).matches(data):
            return kind
    return "policy"
