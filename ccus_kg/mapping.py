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

__all__ = ["FieldMap", "RecordMapping", "load_mapping", "record_kind", "get_path", "curie", "MAPPING_FILES", "KINDS",
           "markdown_table", "update_markdown", "compact"]

#: Record kind → mapping file under ``ontology/`` (the kind whose ``detect`` is ``{otherwise: true}``,
#: the policy, takes every record that no other kind's rule claims).
MAPPING_FILES: dict[str, str] = {"facility": "mapping/facilities.yaml", "country-profile": "mapping/countries.yaml",
                                 "policy": "mapping/policies.yaml"}
#: The value kinds a field entry may have.
KINDS = frozenset("""text literal url concept jurisdiction organisation hub geometry capacity milestone
                     policy-links provenance ignore date agency assessments lineage cluster milestones
                     facility-links""".split())
#: Kinds whose entry needs no predicate (the converter knows the properties it writes).
NO_PREDICATE_KINDS = frozenset({"ignore", "milestone", "provenance", "milestones"})
#: Options whose value is a CURIE (checked when the file is read).
NODE_OPTIONS = ("fallback", "datatype", "unit", "raw", "in_force", "evidence", "coarse", "inverse")
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
    #: the property of the Markdown body and its options (``language``), or None
    body: FieldMap | None = None

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

    def known_objects(self) -> frozenset[str]:
        """Objects some entry reads a key of (``regulatory`` of ``regulatory.co2_definition``): a key
        under one of them that no entry lists is kept by the generic extra-field rule."""
        return frozenset(f.path.rsplit(".", 1)[0] for f in self.fields if "." in f.path)

    def listed_paths(self) -> frozenset[str]:
        """Every path an entry names."""
        return frozenset(f.path for f in self.fields)

    def of_kind(self, *kinds: str) -> tuple[FieldMap, ...]:
        """The entries of the given kinds, in file order."""
        return tuple(f for f in self.fields if f.kind in kinds)

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
        if predicate is None and kind not in NO_PREDICATE_KINDS:
            raise AuthorityFileError(f"{where}: fields[{i}] ({entry['path']}): kind {kind!r} needs a predicate")
        if kind == "concept" and not entry.get("scheme"):
            raise AuthorityFileError(f"{where}: fields[{i}] ({entry['path']}): a concept field needs a scheme")
        options = {k: v for k, v in entry.items() if k not in ("path", "predicate", "kind", "many", "required")}
        fm = FieldMap(str(entry["path"]), predicate, kind, bool(entry.get("many")), bool(entry.get("required")), options)
        for opt in NODE_OPTIONS:
            fm.node_option(opt)  # fail early on a bad CURIE
        if isinstance(entry.get("parts"), Mapping):
            for part, prop in entry["parts"].items():
                curie(prop, f"{where}: fields[{i}].parts.{part}")
        fields.append(fm)
    ident = data["identifier"]
    body = data.get("body")
    body_map = None
    if body:
        if not isinstance(body, Mapping) or not body.get("predicate"):
            raise AuthorityFileError(f"{where}: body needs a predicate")
        body_map = FieldMap("(body)", curie(body["predicate"], f"{where}: body"), "text",
                            options={k: v for k, v in body.items() if k != "predicate"})
    return RecordMapping(
        kind=str(data["record"]), iri=str(data["iri"]),
        types=tuple(curie(t, f"{where}: types") for t in data["types"]),
        identifier_path=str(ident["path"]), identifier_predicate=curie(ident["predicate"], f"{where}: identifier"),
        detect=dict(data["detect"] or {}), fields=tuple(fields), body=body_map,
    )


@cache
def load_mapping(kind: str) -> RecordMapping:
    """The packaged mapping of record ``kind`` (``"facility"``, ``"country-profile"``, ``"policy"``), parsed once.

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
    otherwise = "policy"
    for kind in MAPPING_FILES:
        mapping = load_mapping(kind)
        if mapping.detect.get("otherwise"):
            otherwise = kind
        elif mapping.matches(data):
            return kind
    return otherwise


# -- the mapping tables of docs/MODEL.md --------------------------------------------------------
_BEGIN = "<!-- mapping:{kind} begin (generated by `python -m ccus_kg.mapping --write docs/MODEL.md`; do not edit) -->"
_END = "<!-- mapping:{kind} end -->"
_SHORT = {v: k for k, v in PREFIXES.items()}


def compact(node: NamedNode | None) -> str:
    """``prefix:local`` of ``node`` (the longest namespace that fits), or its full IRI."""
    if node is None:
        return ""
    for base in sorted(_SHORT, key=len, reverse=True):
        if node.value.startswith(base):
            return f"{_SHORT[base]}:{node.value[len(base):]}"
    return f"<{node.value}>"


def _cell(f: FieldMap) -> str:
    """The 'value' column of one entry: datatype, scheme, language, options that name properties."""
    bits: list[str] = []
    if f.options.get("scheme"):
        bits.append(f"scheme `{f.options['scheme']}`")
    if f.options.get("language"):
        bits.append(f"language by {f.options['language'] if f.options['language'] == 'file' else 'script'}")
    if f.options.get("precision") and f.kind == "date":
        bits.append(f"precision {f.options['precision']}")
    for opt in NODE_OPTIONS:
        node = f.node_option(opt)
        if node is not None:
            bits.append(f"{opt.replace('_', ' ')} `{compact(node)}`")
    for opt in ("min", "max", "value", "also", "event", "split"):
        if f.options.get(opt):
            bits.append(f"{opt} `{f.options[opt]}`")
    if isinstance(f.options.get("parts"), Mapping):
        bits.append("parts " + ", ".join(f"`{k}`→`{v}`" for k, v in f.options["parts"].items()))
    if f.options.get("why"):
        bits.append(str(f.options["why"]))
    return "; ".join(bits).replace("|", "\\|")


def markdown_table(kind: str) -> str:
    """The mapping of record ``kind`` as a Markdown table (field, kind, property, value, list, required)."""
    m = load_mapping(kind)
    rows = ["| field | kind | property | value | list | required |", "|---|---|---|---|---|---|",
            f"| `{m.identifier_path}` | identifier | `{compact(m.identifier_predicate)}` | node `iris.{m.iri}(id)`, "
            f"a {', '.join(f'`{compact(t)}`' for t in m.types)} |  | yes |"]
    if m.body is not None:
        rows.append(f"| (Markdown body) | text | `{compact(m.body.predicate)}` | {_cell(m.body)} |  |  |")
    for f in m.fields:
        if f.path == m.identifier_path and f.kind == "ignore":
            continue
        rows.append(f"| `{f.path}` | {f.kind} | {f'`{compact(f.predicate)}`' if f.predicate else ''} | {_cell(f)} | "
                    f"{'yes' if f.many else ''} | {'yes' if f.required else ''} |")
    if m.known_objects():
        rows.append(f"| other keys of {', '.join(f'`{o}`' for o in sorted(m.known_objects()))} | extra | `ccus:extraField` | "
                    "generic rule: a `ccus:ExtraField` with `ccus:fieldPath` and `ccus:fieldValue`; reported once per key |  |  |")
    return "\n".join(rows)


def update_markdown(text: str) -> str:
    """``text`` (docs/MODEL.md) with every generated mapping table replaced by the current one.

    A table sits between ``<!-- mapping:KIND begin … -->`` and ``<!-- mapping:KIND end -->``.
    Raises :class:`AuthorityFileError` when a kind's markers are missing.
    """
    for kind in MAPPING_FILES:
        begin, end = _BEGIN.format(kind=kind), _END.format(kind=kind)
        start = text.find(f"<!-- mapping:{kind} begin")
        stop = text.find(end, start)
        if start < 0 or stop < start:
            raise AuthorityFileError(f"docs/MODEL.md: no {begin!r} … {end!r} markers for the {kind} mapping table")
        text = text[:start] + begin + "\n" + markdown_table(kind) + "\n" + text[stop:]
    return text


def main(argv: list[str] | None = None) -> int:
    """``python -m ccus_kg.mapping --markdown`` prints the tables; ``--write FILE`` updates them in FILE."""
    import argparse
    import sys

    from ccus_kg.files import write_text_atomic

    parser = argparse.ArgumentParser(prog="python -m ccus_kg.mapping", description=main.__doc__)
    parser.add_argument("--markdown", action="store_true", help="print every mapping as a Markdown table")
    parser.add_argument("--write", metavar="FILE", help="replace the generated tables in FILE (docs/MODEL.md)")
    args = parser.parse_args(argv)
    if args.write:
        with open(args.write, encoding="utf-8") as fh:
            old = fh.read()
        new = update_markdown(old)
        if new != old:
            write_text_atomic(args.write, new)
        print(f"{args.write}: {'updated' if new != old else 'up to date'}")
    if args.markdown or not args.write:
        for kind in MAPPING_FILES:
            sys.stdout.write(f"{_BEGIN.format(kind=kind)}\n{markdown_table(kind)}\n{_END.format(kind=kind)}\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
