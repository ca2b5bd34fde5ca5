"""The SPARQL query library: ``queries/*.rq`` files, their parameters, and running them.

Every ``.rq`` file is a complete SPARQL 1.1 query (it declares its own ``PREFIX``es), so the
file as it is runs unchanged on any SPARQL 1.1 endpoint.  Header comments document it (the
habit of the EU Publications Office's TED-SWS pipeline)::

    # title: Policies in a jurisdiction
    # description: …
    # param: jurisdiction string required ISO 3166 code
    # param: date date optional the date, YYYY-MM-DD
    # example: ccus-kg query policies-in-jurisdiction --param jurisdiction=CN

**Parameters** (one convention for every client).  A query with parameters has exactly one
*parameter line*, the first element of its top-level ``WHERE`` group::

    VALUES (?jurisdiction ?date) { (UNDEF UNDEF) }

(SPARQL 1.1 §10.2.1, inline data: ``UNDEF`` leaves a variable unbound, and the queries test
optional parameters with ``BOUND``).  Binding a parameter replaces its ``UNDEF`` with an RDF
term of the declared type; any client can do the same with the file's text, and
``ccus-kg query NAME --param k=v --print`` prints the exact text that is run.  Appending a
``VALUES`` clause after the query instead is *wrong* (it joins after the ``FILTER``s ran).
Types: ``string`` (plain literal), ``date`` (``xsd:date``, ``YYYY-MM-DD``), ``period``
(``xsd:gYear``/``xsd:gYearMonth``/``xsd:date`` for ``YYYY``/``YYYY-MM``/``YYYY-MM-DD``),
``integer`` (``xsd:integer``), ``iri``.

Federated queries (``SERVICE``, SPARQL 1.1 Federated Query) are refused unless the caller
allows them: the query is parsed (rdflib's SPARQL grammar) and a ``ServiceGraphPattern``
anywhere in it raises :class:`QueryError`.
Results are rendered by :mod:`ccus_kg.query.results`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccus_kg.errors import QueryError
from ccus_kg.query.results import check_format, render_result
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import queries_dir

__all__ = ["Param", "Query", "PARAM_TYPES", "list_queries", "load_query", "bind", "select", "render", "python_value",
           "query_form", "check_service", "prepare", "select_remote", "render_remote", "solution_dicts"]

PARAM_TYPES = ("string", "date", "period", "integer", "iri")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_HEADER = re.compile(r"^#\s*(title|description|param|example)\s*:\s*(.*)$")
#: The parameter line: ``VALUES (?a ?b) { (UNDEF UNDEF) }`` alone on its line.
_PARAM_LINE = re.compile(r"^(?P<indent>[ \t]*)VALUES[ \t]*\((?P<vars>(?:[ \t]*[?$][A-Za-z_][A-Za-z0-9_]*)+)[ \t]*\)"
                         r"[ \t]*\{[ \t]*\((?P<undefs>(?:[ \t]*UNDEF)+)[ \t]*\)[ \t]*\}[ \t]*$", re.MULTILINE | re.IGNORECASE)
_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK", "DescribeQuery": "DESCRIBE"}


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
        """Read a ``.rq`` file (UTF-8) and its header.

        Raises :class:`QueryError` (naming the file and line) when the file cannot be read, is
        not UTF-8, has a bad ``# param:`` line, or declares parameters without the one
        parameter line ``VALUES (?p …) { (UNDEF …) }`` listing exactly them, in order.
        """
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise QueryError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_line = data[:exc.start].count(b"\n") + 1
            raise QueryError(f"{path}:{bad_line}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}); "
                             "SPARQL query files are UTF-8 (SPARQL 1.1 §19.1)") from None
        q = cls(name=path.stem, path=path, text=text.removeprefix("\ufeff"))
        for lineno, line in enumerate(q.text.splitlines(), 1):
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
        if q.params:
            q._param_line()
        return q

    def _param_line(self) -> re.Match[str]:
        matches = list(_PARAM_LINE.finditer(self.text))
        names = [p.name for p in self.params]
        expected = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join('UNDEF' for _ in names)}) }}"
        if len(matches) != 1:
            raise QueryError(f"{self.path}: declares parameters {', '.join(names)} but has "
                             f"{'no' if not matches else len(matches)} parameter line(s); expected one line "
                             f"'{expected}' opening the top-level WHERE group")
        m = matches[0]
        found = [v[1:] for v in m.group("vars").split()]
        if found != names or len(m.group("undefs").split()) != len(names):
            line = self.text[:m.start()].count("\n") + 1
            raise QueryError(f"{self.path}:{line}: the parameter line must read '{expected}' "
                             "(the '# param:' names, in order, each UNDEF)")
        return m


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


def _typed(value: str, datatype: str) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype)))


def _term(param: Param, value: str) -> str:
    """The SPARQL term for ``value`` of ``param`` (escaped); raises :class:`QueryError` if it does not fit the type."""
    if param.type in ("date", "period"):
        kinds = {10: "date", 7: "gYearMonth", 4: "gYear"} if param.type == "period" else {10: "date"}
        expected = "YYYY, YYYY-MM or YYYY-MM-DD" if param.type == "period" else "a date YYYY-MM-DD"
        try:  # fromisoformat alone also takes 20230101 and 2023-W01-1, which are not xsd lexical forms
            if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value) or len(value) not in kinds:
                raise ValueError(value)
            _dt.date.fromisoformat((value + "-01-01")[:10] if len(value) < 10 else value)
        except ValueError:
            raise QueryError(f"parameter {param.name}={value!r}: expected {expected}") from None
        return _typed(value, kinds[len(value)])
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise QueryError(f"parameter {param.name}={value!r}: expected an integer")
        return _typed(value, "integer")
    if param.type == "iri":
        try:
            return str(ox.NamedNode(value))
        except ValueError:
            raise QueryError(f"parameter {param.name}={value!r}: expected an absolute IRI") from None
    return str(ox.Literal(value))


def bind(query: Query, params: Mapping[str, str]) -> str:
    """The query text with ``params`` bound: their ``UNDEF`` in the parameter line replaced by
    typed RDF terms (the convention in this module's docstring); the rest of the text unchanged.

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
    return bind_rows(query, [params])


def bind_rows(query: Query, rows: list[Mapping[str, str]]) -> str:
    """The query text with its parameter line holding one row of typed terms per mapping in ``rows``
    (SPARQL 1.1 §10.2.1, inline data with several solutions): ``VALUES (?node) { (<a>) (<b>) }``.

    A parameter missing from a row is ``UNDEF`` in it.  Raises :class:`QueryError` for a value not
    of the declared type, or when the query declares no parameters.
    """
    if not query.params:
        raise QueryError(f"query {query.name!r} declares no parameters to bind")
    m = query._param_line()
    variables = " ".join("?" + p.name for p in query.params)
    solutions = " ".join(
        "(" + " ".join(_term(p, row[p.name]) if p.name in row else "UNDEF" for p in query.params) + ")"
        for row in rows)
    line = f"{m.group('indent')}VALUES ({variables}) {{ {solutions} }}"
    return query.text[:m.start()] + line + query.text[m.end():]


def _parsed(text: str, name: str):
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(text)
    except Exception as exc:  # pyparsing's ParseException and friends
        raise QueryError(f"query {name!r} is not valid SPARQL 1.1: {exc}") from None


def _names(node):
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _names(value)


def query_form(text: str, name: str = "query") -> str:
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``: the query form, from the parsed query
    (not from keywords in the text).  Raises :class:`QueryError` if ``text`` does not parse."""
    parsed = _parsed(text, name)
    return _FORMS.get(parsed[1].name, "SELECT")


def check_service(text: str, name: str = "query") -> None:
    """Raise :class:`QueryError` if ``text`` has a ``SERVICE`` pattern (SPARQL 1.1 Federated
    Query §2), which would make the query engine send HTTP requests to another endpoint.

    A text without the letters ``service`` (any case) and without codepoint escapes (``\\u``,
    ``\\U``: SPARQL 1.1 §19.2 applies them before parsing) cannot hold the keyword, and is not parsed
    (parsing costs about 25 ms: most of a point query's time)."""
    if "service" not in text.lower() and "\\u" not in text and "\\U" not in text:
        return
    if "ServiceGraphPattern" in set(_names(_parsed(text, name))):
        raise QueryError(f"query {name!r} calls a remote endpoint with SERVICE (federated query); "
                         "pass --allow-service to run it")


def prepare(query: Query | str, params: Mapping[str, str] | None = None, *, allow_service: bool = False) -> tuple[Query, str]:
    """The :class:`Query` and the exact text to run: ``params`` bound, checked for ``SERVICE``
    unless ``allow_service``.  Raises :class:`QueryError`."""
    if isinstance(query, str):
        query = load_query(query)
    text = bind(query, params or {})
    if not allow_service:
        check_service(text, query.name)
    return query, text


def _execute(graph: KnowledgeGraph, query: Query, text: str):
    try:
        return graph.query(text, prefixes={})
    except SyntaxError as exc:
        raise QueryError(f"query {query.name!r} is not valid SPARQL 1.1: {exc}") from None
    except OSError as exc:  # a SERVICE call that failed
        raise QueryError(f"query {query.name!r} failed: {exc}") from None


def select(graph: KnowledgeGraph, query: Query | str, params: Mapping[str, str] | None = None, *,
           allow_service: bool = False) -> list[dict[str, Any]]:
    """Run a SELECT query; returns one dict per solution, variable name → Python value.

    Literals become ``str`` (``xsd:integer`` → ``int``, ``xsd:boolean`` → ``bool``); IRIs become
    ``str``; unbound variables are absent.  Raises :class:`QueryError`.
    """
    query, text = prepare(query, params, allow_service=allow_service)
    solutions = _execute(graph, query, text)
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError(f"query {query.name!r} is not a SELECT query")
    with _evaluating(query):
        return solution_dicts(solutions)


def solution_dicts(solutions) -> list[dict[str, Any]]:
    """pyoxigraph solutions as a list of dicts (see :func:`select`)."""
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


def render(graph: KnowledgeGraph, query: Query | str, params: Mapping[str, str] | None = None, fmt: str = "table", *,
           allow_service: bool = False) -> tuple[str, int]:
    """Run ``query`` and render it as ``table``, ``csv`` or ``json`` (SPARQL 1.1 Results formats).

    Returns ``(text, number of rows)``.  Raises :class:`QueryError` for an unknown format or a
    bad query.  ASK queries render ``true``/``false``; CONSTRUCT queries render N-Triples.
    """
    check_format(fmt)
    query, text = prepare(query, params, allow_service=allow_service)
    result = _execute(graph, query, text)
    with _evaluating(query):
        return render_result(result, fmt)


@contextmanager
def _evaluating(query: Query):
    """Solutions are computed lazily: a failing SERVICE call surfaces while they are read."""
    try:
        yield
    except OSError as exc:
        raise QueryError(f"query {query.name!r} failed: {exc}") from None


def _remote(endpoint: str, query: Query | str, params: Mapping[str, str] | None, *, allow_service: bool,
            default_graphs: Sequence[str], timeout: float):
    from ccus_kg.sparql_http import sparql_query

    query, text = prepare(query, params, allow_service=allow_service)
    return sparql_query(endpoint, text, query_form(text, query.name), default_graphs=default_graphs, timeout=timeout)


def select_remote(endpoint: str, query: Query | str, params: Mapping[str, str] | None = None, *, allow_service: bool = False,
                  default_graphs: Sequence[str] = (), timeout: float = 60.0) -> list[dict[str, Any]]:
    """:func:`select` on a SPARQL 1.1 Protocol ``endpoint`` (URL) instead of a local graph: the
    same text is sent (``default_graphs`` as ``default-graph-uri``).  Raises :class:`QueryError`
    and :class:`~ccus_kg.errors.EndpointError`."""
    result = _remote(endpoint, query, params, allow_service=allow_service, default_graphs=default_graphs, timeout=timeout)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"query {query if isinstance(query, str) else query.name!r} is not a SELECT query")
    with _reading_answer(endpoint):
        return solution_dicts(result)


def render_remote(endpoint: str, query: Query | str, params: Mapping[str, str] | None = None, fmt: str = "table", *,
                  allow_service: bool = False, default_graphs: Sequence[str] = (), timeout: float = 60.0) -> tuple[str, int]:
    """:func:`render` on a SPARQL 1.1 Protocol ``endpoint``: same text sent, same output formats.
    Raises :class:`QueryError` and :class:`~ccus_kg.errors.EndpointError`."""
    check_format(fmt)
    result = _remote(endpoint, query, params, allow_service=allow_service, default_graphs=default_graphs, timeout=timeout)
    with _reading_answer(endpoint):
        return render_result(result, fmt)


@contextmanager
def _reading_answer(endpoint: str):
    """Results are parsed lazily: malformed results JSON surfaces while the solutions are read."""
    from ccus_kg.errors import EndpointError

    try:
        yield
    except SyntaxError as exc:
        raise EndpointError(f"query: {endpoint}: the answer cannot be parsed: {exc}", url=endpoint) from None
