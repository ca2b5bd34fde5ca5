"""Front matter (the text between the ``---`` lines of a policy record) → fields as text, with lines.

Front matter is YAML; JSON is read as the subset of YAML it is (YAML 1.2 §1.3).  A text that
starts with ``{`` is first read as strict JSON (RFC 8259, so escapes and surrogate pairs are
decoded exactly as JSON says); when that fails it is read as YAML, which accepts the flow
mappings YAML dumpers write (``{ 'id': 'x', 'title': '…' }``).

Nothing is reinterpreted.  Every scalar is kept as the text written: YAML is composed with
PyYAML's ``BaseLoader`` resolver (no implicit types), so ``NO``, ``0123``, ``true`` and
``2022-13-45`` stay the strings they are (the YAML 1.1 "Norway problem"); JSON numbers and
literals keep their lexical form (``55.7``, ``1e999``, ``NaN``, ``true``).  Only a plain null
(``null``, ``~``, an empty plain value; JSON ``null``) becomes ``None``.  The fields are typed
later, field by field, by the converter, which reports a value whose type is wrong.

Reported here (:class:`~ccus_kg.model.Problem`, each with the field path and line):

* ``duplicate-key`` — a key given twice in one mapping (JSON or YAML); the last value is used;
* ``yaml-tag-ignored`` — an explicit YAML tag (``!!binary``, ``!!python/…``): the text is kept;
* ``lone-surrogate`` — a ``\\ud800``-style escape that is not half of a pair: replaced by U+FFFD;
* ``complex-key`` — a YAML key that is a list or mapping: the entry is skipped;
* ``not-json`` — text written as JSON (``{"…``) that only YAML accepts (a missing value, a
  trailing comma): read as YAML, with the JSON error's line.

Refused (:class:`~ccus_kg.errors.InputError`, the file is skipped): malformed text, aliases
that expand to more than :data:`MAX_VALUES` values ("billion laughs"), nesting deeper than
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from ccus_kg.errors import InputError
from ccus_kg.model import Problem

__all__ = ["FrontMatter", "parse_front_matter", "MAX_VALUES", "MAX_DEPTH", "field_path"]

#: Most values (scalars, lists, mappings, counting each alias expansion) one front matter may hold.
MAX_VALUES = 100_000
#: Deepest nesting of lists and mappings accepted.
MAX_DEPTH = 100

_STR_TAG = "tag:yaml.org,2002:str"
_DEFAULT_TAGS = {_STR_TAG, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_PLAIN_NULLS = {"", "~", "null", "Null", "NULL"}
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class FrontMatter:
    """Parsed front matter.

    ``data``: the mapping; values are ``str``, ``None``, ``list`` or ``dict`` (scalars as text).
    ``lines``: field path (:func:`field_path`: ``analysis.mrv.score``, ``evolution.milestones[2].date``)
    → 1-based line of the key (or list item): its line in the front-matter text plus the
    ``line_offset`` given to :func:`parse_front_matter`.  ``problems``: what was found odd, same lines.  ``format``: which syntax read it.
    """

    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    format: Literal["json", "yaml"] = "yaml"


def field_path(parent: str, key: str | int) -> str:
    """The path of ``key`` under ``parent``: ``a.b`` for a mapping key, ``a[3]`` for a list index (0-based)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


class _Walk:
    """Shared state of one walk: the value budget, lines and problems."""

    def __init__(self, path: str, line_offset: int):
        self.path = path
        self.offset = line_offset
        self.values = 0
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []

    def tick(self, depth: int, line: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise InputError(f"front matter holds more than {MAX_VALUES} values (YAML aliases expanding "
                             "like a 'billion laughs'?); refused", path=self.path, line=line + self.offset)
        if depth > MAX_DEPTH:
            raise InputError(f"front matter nests lists/mappings deeper than {MAX_DEPTH} levels; refused",
                             path=self.path, line=line + self.offset)

    def text(self, value: str, where: str, line: int) -> str:
        if _SURROGATE.search(value) is None:
            return value
        fixed = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if fixed.count("\ufffd") == value.count("\ufffd"):
            return fixed  # only well-formed pairs (YAML writes an astral character as two \u escapes)
        self.problems.append(Problem("warning", "lone-surrogate",
                                     f"{where or 'a key'} holds a lone UTF-16 surrogate escape (\\ud800–\\udfff), "
                                     "which is not a character; replaced by U+FFFD", line=line + self.offset, field=where or None))
        return fixed

    def duplicate(self, where: str, line: int, first: int) -> None:
        self.problems.append(Problem("warning", "duplicate-key",
                                     f"key {where.rsplit('.', 1)[-1]!r} is given twice (lines {first + self.offset} and {line + self.offset}); "
                                     "the last value is used", line=line + self.offset, field=where))


# --------------------------------------------------------------------------- YAML

def _walk_yaml(node: yaml.Node, walk: _Walk, where: str, depth: int) -> Any:
    line = node.start_mark.line + 1
    walk.tick(depth, line)
    if node.tag not in _DEFAULT_TAGS:
        walk.problems.append(Problem("warning", "yaml-tag-ignored",
                                     f"explicit YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is ignored; "
                                     "the value is kept as written", line=line + walk.offset, field=where or None))
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _PLAIN_NULLS:
            return None
        return walk.text(node.value, where, line)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, child in enumerate(node.value):
            sub = field_path(where, i)
            walk.lines.setdefault(sub, child.start_mark.line + 1 + walk.offset)
            items.append(_walk_yaml(child, walk, sub, depth + 1))
        return items
    mapping: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            walk.problems.append(Problem("warning", "complex-key", "a key must be text, found a list or mapping; "
                                         "the entry is skipped", line=key_line + walk.offset, field=where or None))
            continue
        key = walk.text(key_node.value, where, key_line)
        sub = field_path(where, key)
        if key in seen:
            walk.duplicate(sub, key_line, seen[key])
        seen[key] = key_line
        walk.lines[sub] = key_line + walk.offset
        mapping[key] = _walk_yaml(value_node, walk, sub, depth + 1)
    return mapping


def _parse_yaml(text: str, path: str, line_offset: int) -> FrontMatter:
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 + line_offset if mark is not None else None
        raise InputError(f"front matter is not valid YAML: {reason}", path=path, line=line) from None
    except RecursionError:
        raise InputError(f"front matter nests lists/mappings deeper than {MAX_DEPTH} levels; refused",
                         path=path, line=1 + line_offset) from None
    if root is None:
        raise InputError("front matter is empty; expected a mapping of fields", path=path, line=1 + line_offset)
    walk = _Walk(path, line_offset)
    data = _walk_yaml(root, walk, "", 0)
    if not isinstance(data, dict):
        raise InputError(f"front matter must be a mapping of fields, found {'a list' if isinstance(data, list) else 'text'}",
                         path=path, line=root.start_mark.line + 1 + line_offset)
    return FrontMatter(data, walk.lines, walk.problems, "yaml")


# --------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)


class _Pairs(list):
    """A JSON object as its (key, value) pairs in order, duplicates kept (object_pairs_hook)."""


def _json_lines(text: str) -> list[tuple[str, int]]:
    """Every token of a valid JSON text with its 1-based line.  A valid JSON string holds no raw
    line break (RFC 8259 §7: control characters are escaped), so no token spans two lines."""
    find = _JSON_TOKEN.findall
    return [(token, n) for n, line in enumerate(text.split("\n"), 1) for token in find(line)]


def _walk_json(value: Any, tokens: list[tuple[str, int]], pos: int, walk: _Walk, where: str, depth: int) -> tuple[Any, int]:
    """Turn the json value into text fields, reading its tokens from ``pos`` for the lines; returns (value, next pos)."""
    token, line = tokens[pos]
    walk.tick(depth, line)
    if isinstance(value, _Pairs):
        pos += 1  # {
        mapping: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key, child in value:
            key_line = tokens[pos][1]
            key = walk.text(key, where, key_line)
            sub = field_path(where, key)
            if key in seen:
                walk.duplicate(sub, key_line, seen[key])
            seen[key] = key_line
            walk.lines[sub] = key_line + walk.offset
            mapping[key], pos = _walk_json(child, tokens, pos + 2, walk, sub, depth + 1)  # key, ':'
            pos += 1  # ',' or '}'
        return mapping, pos + (0 if value else 1)
    if isinstance(value, list):
        pos += 1  # [
        items = []
        for i, child in enumerate(value):
            sub = field_path(where, i)
            walk.lines.setdefault(sub, tokens[pos][1] + walk.offset)
            item, pos = _walk_json(child, tokens, pos, walk, sub, depth + 1)
            items.append(item)
            pos += 1  # ',' or ']'
        return items, pos + (0 if value else 1)
    if value is None:
        return None, pos + 1
    if value is True or value is False:
        return ("true" if value else "false"), pos + 1
    return walk.text(str(value), where, line), pos + 1


def _parse_json(text: str, path: str, line_offset: int) -> FrontMatter:
    """Strict JSON; raises ``json.JSONDecodeError`` (the caller then tries YAML) or :class:`InputError`."""
    try:
        value = json.loads(text, object_pairs_hook=_Pairs, parse_float=str, parse_int=str, parse_constant=str)
    except RecursionError:
        raise InputError(f"front matter nests lists/mappings deeper than {MAX_DEPTH} levels; refused",
                         path=path, line=1 + line_offset) from None
    tokens = _json_lines(text)
    walk = _Walk(path, line_offset)
    if not isinstance(value, _Pairs):
        raise InputError("front matter must be a mapping of fields, found "
                         f"{'a list' if isinstance(value, list) else 'a single value'}", path=path, line=tokens[0][1] + line_offset)
    data, _ = _walk_json(value, tokens, 0, walk, "", 0)
    return FrontMatter(data, walk.lines, walk.problems, "json")


# --------------------------------------------------------------------------- entry point

def parse_front_matter(text: str, *, path: str = "", line_offset: int = 0) -> FrontMatter:
    """Parse front-matter ``text`` (JSON or YAML) into a :class:`FrontMatter`.

    ``path`` names the file in errors; ``line_offset`` is added to every line reported (line 1
    is the first line of ``text``; pass the number of file lines before it to get file lines).
    Raises :class:`~ccus_kg.errors.InputError` (with the line) when the text is not valid JSON
    nor YAML, is not a mapping, or exceeds :data:`MAX_VALUES` / :data:`MAX_DEPTH`.
    """
    if text.lstrip().startswith("{"):
        try:
            return _parse_json(text, path, line_offset)
        except json.JSONDecodeError as exc:
            json_error = exc
        try:
            fm = _parse_yaml(text, path, line_offset)
        except InputError as yaml_error:
            raise InputError(f"front matter is not valid JSON: {json_error.msg} (column {json_error.colno}); "
                             f"nor valid YAML: {yaml_error.message.removeprefix('front matter is not valid YAML: ')}",
                             path=path, line=json_error.lineno + line_offset) from None
        if text.lstrip()[1:].lstrip().startswith('"'):  # written as JSON, read as YAML: say so
            fm.problems.insert(0, Problem("warning", "not-json",
                                          f"front matter is written like JSON but is not valid JSON ({json_error.msg}, "
                                          f"column {json_error.colno}); it was read as a YAML flow mapping",
                                          line=json_error.lineno + line_offset))
        return fm
    return _parse_yaml(text, path, line_offset)
