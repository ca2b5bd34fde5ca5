"""ccus-kg: CCUS policy records and timelines as an RDF knowledge graph.

The package is laid out by pipeline stage; each stage imports only from the ones before it:

* ``ingest/`` — files → records: front matter, timeline compilations, dates, language;
* ``identity/`` — raw strings → authority entries: IRIs, ISO 3166 jurisdictions, issuing
  agencies, SKOS vocabularies;
* ``rdf/`` — records → triples: policies, timeline events, the identity context, the graph;
* then ``validate`` (SHACL), ``query/`` (the SPARQL library), ``lineage`` (NetworkX),
  ``build`` (the whole pipeline) and ``cli``.

Public API: the pipeline is ``ccus_kg.build.build`` and SHACL validation
``ccus_kg.validate.validate`` (modules of those names); importable from here are
:class:`BuildResult`, :func:`write_report`, :class:`KnowledgeGraph`, :class:`ValidationReport`,
:func:`select`, :func:`render`, :func:`load_query`, :func:`list_queries`, and the errors under
:class:`CcusKgError`.  Names are imported on first use, so ``import ccus_kg`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "BuildResult": "ccus_kg.build",
    "write_report": "ccus_kg.build",
    "KnowledgeGraph": "ccus_kg.rdf.graph",
    "ValidationReport": "ccus_kg.validate",
    "select": "ccus_kg.query.library",
    "render": "ccus_kg.query.library",
    "load_query": "ccus_kg.query.library",
    "list_queries": "ccus_kg.query.library",
    "CcusKgError": "ccus_kg.errors",
    "InputError": "ccus_kg.errors",
    "QueryError": "ccus_kg.errors",
}

__all__ = [
    "__version__", "BuildResult", "write_report", "KnowledgeGraph", "ValidationReport",
    "select", "render", "load_query", "list_queries", "CcusKgError", "InputError", "QueryError",
]

if TYPE_CHECKING:  # pragma: no cover
    from ccus_kg.build import BuildResult, write_report
    from ccus_kg.errors import CcusKgError, InputError, QueryError
    from ccus_kg.query.library import list_queries, load_query, render, select
    from ccus_kg.rdf.graph import KnowledgeGraph
    from ccus_kg.validate import ValidationReport


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ccus_kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
