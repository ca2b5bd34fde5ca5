"""Errors raised by ccus-kg.

One base class, :class:`CcusKgError`, with specific errors under it (the habit of
``rdflib.exceptions.Error``).  A failure to *run* is an exception; a graph that does not
conform to the SHACL shapes is data (see :mod:`ccus_kg.validate`), not an exception.
"""

from __future__ import annotations

__all__ = [
    "CcusKgError", "InputError", "UsageError", "QueryError", "ResourceNotFound", "AuthorityFileError",
    "TimelineFilterError", "OutputError", "EndpointError",
]


class CcusKgError(Exception):
    """Base class of every error raised by ccus-kg."""


class InputError(CcusKgError):
    """An input file cannot be read or parsed.

    Attributes: ``path`` (str), ``line`` (1-based int or None), ``field`` (front-matter
    key or None).  ``str(error)`` reads ``path:line: field: message``.
    """

    def __init__(self, message: str, *, path: str, line: int | None = None, field: str | None = None):
        self.message = message
        self.path = str(path)
        self.line = line
        self.field = field
        where = self.path + (f":{line}" if line else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class UsageError(CcusKgError):
    """A command was called with arguments it cannot use (CLI exit code 2)."""


class QueryError(CcusKgError):
    """A SPARQL query is unknown, malformed, or misses a required parameter."""


class ResourceNotFound(CcusKgError):
    """A packaged resource (ontology file, query) cannot be found."""


class AuthorityFileError(CcusKgError, ValueError):
    """A packaged data file (``jurisdictions.yaml``, ``agencies.yaml``) is malformed."""


class TimelineFilterError(CcusKgError, ValueError):
    """A ``--from``/``--to`` bound of a timeline filter is not a date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""


class OutputError(CcusKgError):
    """An output cannot be written as asked: an unknown format or file suffix (CLI exit code 2)."""


class EndpointError(CcusKgError):
    """A SPARQL endpoint or graph store is down, times out, or refuses a request (CLI exit code 2).

    Attributes: ``url`` (str) and ``status`` (the HTTP status code, or None when no answer came).
    """

    def __init__(self, message: str, *, url: str, status: int | None = None):
        self.url = url
        self.status = status
        super().__init__(message)
