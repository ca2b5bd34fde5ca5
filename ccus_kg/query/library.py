"""The SPARQL query library: ``queries/*.rq`` files, their parameters, and running them.

Each ``.rq`` file starts with header comments that document it (the habit of the EU
Publications Office's TED-SWS pipeline)::

    # title: Policies in a jurisdiction
    # description: …
    # param: jurisdiction string required ISO 3166 code
    # param: date date optional the date, YYYY-MM-DD
    # example: ccus-kg query policies-in-jurisdiction --param jurisdiction=CN

A parameter is bound by inserting ``VALUES ?name { value }`` (SPARQL 1.1 §10.2.1, inline data)
at the start of the query's top-level ``WHERE`` group, so ``FILTER``s in that group see it; a
parameter not given stays unbound (queries test it with ``BOUND``).  Types: ``string``
(plain literal), ``date`` (``xsd:date``), ``integer`` (``xsd:integer``), ``iri``.
Results are rendered by :mod:`ccus_kg.query.results`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccus_kg.errors import QueryError
from ccus_kg.namespaces import XSD
from ccus_kg.query.results import check_format, render_result
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import queries_dir

__all__ = ["Param", "Query", "list_queries", "load_query", "bind", "select", "render", "python_value"]

PARAM_TYPES = ("string", "date", "integer", "iri")
_HEADER = re.compile(r"^#\s*(title|description|param|example)\s*:\s*(.*)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Param:
    """A declared query parameter: ``name`` (the SPARQL variable without ``?``), ``type``
    (one of ``PARAM_TYPES``), ``required``, and a ``description``."""

    name: str
    type: str
    required: bool
    description: str


@dataclass
class Query:
    """A query file: ``name`` (file stem), ``path``, header fields and the SPARQL ``text``."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, path: Path) -> Query:
        """Read a ``.rq`` file and its header; raises :class:`QueryError` on a bad ``# param:`` line."""
        text = path.read_text(encoding="utf-8")
        q = cls(name=path.stem, path=path, text=text)
        for lineno, line in enumerate(text.splitlines(), 1):
            m = _HEADER.match(line.strip())
            if not m:
                if line.strip() and not line.lstrip().startswith("#"):
                    break
                continue
            key, value = m.groups()
            if key == "title":
                q.title = value
            elif key == "description":
                q.description = value
            elif key == "example":
                q.examples.append(value)
            else:
                parts = value.split(None, 3)
                if len(parts) < 3 or parts[1] not in PARAM_TYPES or parts[2] not in ("required", "optional"):
                    raise QueryError(f"{path}:{lineno}: '# param:' must read 'NAME TYPE required|optional DESCRIPTION' "
                                     f"with TYPE one of {', '.join(PARAM_TYPES)}")
                q.params.append(Param(parts[0], parts[1], parts[2] == "required", parts[3] if len(parts) > 3 else ""))
        return q


def list_queries(folder: Path | None = None) -> list[Query]:
    """Every ``*.rq`` query of ``folder`` (default: the packaged ``queries/``), sorted by name."""
    folder = folder or queries_dir()
    return [Query.parse(p) for p in sorted(folder.glob("*.rq"))]


def load_query(name_or_path: str | Path) -> Query:
    """A packaged query by name (``policies-by-agency``) or a ``.rq`` file by path.

    Raises :class:`QueryError` when there is no such query (the message lists the known names).
    """
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.is_file():
        return Query.parse(path)
    candidate = queries_dir() / f"{name_or_path}.rq"
    if candidate.is_file():
        return Query.parse(candidate)
    known = ", ".join(q.name for q in list_queries())
    raise QueryError(f"no query named {str(name_or_path)!r} (and no such .rq file); known queries: {known}")


def _term(param: Param, value: str) -> str:
    """The SPARQL term for ``value`` of ``param`` (escaped); raises :class:`QueryError` if it does not fit the type."""
    if param.type == "date":
        try:  # fromisoformat alone also takes 20230101 and 2023-W01-1, which are not xsd:date lexical forms
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError(value)
            _dt.date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"parameter {param.name}={value!r}: expected a date YYYY-MM-DD") from None
        return str(ox.Literal(value, datatype=XSD.date))
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise QueryError(f"parameter {param.name}={value!r}: expected an integer")
        return str(ox.Literal(value, datatype=XSD.integer))
    if param.type == "iri":
        try:
            return str(ox.NamedNode(value))
        except ValueError:
            raise QueryError(f"parameter {param.name}={value!r}: expected an absolute IRI") from None
    return str(ox.Literal(value))


def bind(query: Query, params: Mapping[str, str]) -> str:
    """The query text with ``params`` bound as ``VALUES`` inline data.

    Raises :class:`QueryError` for an undeclared parameter, a missing required one, or a value
    not of the declared type.
    """
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)} (its parameters: {names})")
    missing = [p.name for p in query.params if p.required and p.name not in params]
    if missing:
        raise QueryError(f"query {query.name!r} needs --param {missing[0]}=VALUE ({declared[missing[0]].description})")
    if not params:
        return query.text
    values = " ".join(f"VALUES ?{name} {{ {_term(declared[name], value)} }}" for name, value in params.items())
    m = _WHERE.search(query.text)
    if m is None:
        raise QueryError(f"query {query.name!r} has no 'WHERE {{' to bind parameters in")
    return f"{query.text[:m.end()]}\n  {values}\n{query.text[m.end():]}"


def _execute(graph: KnowledgeGraph, query: Query, params: Mapping[str, str]):
    text = bind(query, params)
    try:
        return graph.query(text)
    except SyntaxError as exc:
        raise QueryError(f"query {query.name!r} is not valid SPARQL 1.1: {exc}") from None


def select(graph: KnowledgeGraph, query: Query | str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Run a SELECT query; returns one dict per solution, variable name → Python value.

    Literals become ``str`` (``xsd:integer`` → ``int``, ``xsd:boolean`` → ``bool``); IRIs become
    ``str``; unbound variables are absent.  Raises :class:`QueryError`.
    """
    if isinstance(query, str):
        query = load_query(query)
    solutions = _execute(graph, query, params or {})
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError(f"query {query.name!r} is not a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = python_value(term)
        rows.append(row)
    return rows


def python_value(term) -> Any:
    """A pyoxigraph term as a Python value (see :func:`select`)."""
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value if hasattr(term, "value") else str(term)


def render(graph: KnowledgeGraph, query: Query | str, params: Mapping[str, str] | None = None, fmt: str = "table") -> tuple[str, int]:
    """Run ``query`` and render it as ``table``, ``csv`` or ``json`` (SPARQL 1.1 Results formats).

    Returns ``(text, number of rows)``.  Raises :class:`QueryError` for an unknown format or a
    bad query.  ASK queries render ``true``/``false``; CONSTRUCT queries render N-Triples.
    """
    check_format(fmt)
    if isinstance(query, str):
        query = load_query(query)
    result = _execute(graph, query, params or {})
    return render_result(result, fmt)
