"""Load the graph into a triple store with the SPARQL 1.1 Graph Store HTTP Protocol (``ccus-kg push``).

The named graphs of :func:`ccus_kg.rdf.dataset.named_graphs` are written, each replaced whole
(HTTP ``PUT``, SPARQL 1.1 Graph Store HTTP Protocol §5.3), so pushing twice leaves the same
triples: the data (``DATA_GRAPH`` or the IRI given), the SKOS vocabularies, the ontology (its own
IRI) and the provenance of the data graph.

A failed push must leave the old graph.  A store whose ``PUT`` is one transaction gives that by
itself; Oxigraph's is not (it clears the graph, then loads the body in a second transaction).
With an ``update_endpoint`` each graph is therefore first ``PUT`` into a staging graph and then
moved over the target with one SPARQL 1.1 Update ``MOVE`` (§3.2.5), which stores run as one
transaction.  HTTP, credentials, timeouts and retries: :mod:`ccus_kg.sparql_http`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
import requests

from ccus_kg.namespaces import PREFIXES
from ccus_kg.rdf.dataset import DATA_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH, VOCABULARIES_GRAPH, named_graphs
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.sparql_http import DEFAULT_TIMEOUT, send, session

__all__ = ["DATA_GRAPH", "ONTOLOGY_GRAPH", "VOCABULARIES_GRAPH", "PROVENANCE_GRAPH", "GraphPayload", "payloads", "push", "staging_graph"]

@dataclass(frozen=True)
class GraphPayload:
    """One named graph to write: its ``iri``, the Turtle ``body`` (bytes) and its number of ``triples``."""

    iri: str
    body: bytes
    triples: int


def payloads(graph: KnowledgeGraph, data_graph: str = DATA_GRAPH, *, with_ontology: bool = True,
             generated: _dt.datetime | None = None) -> list[GraphPayload]:
    """The named graphs of a push, as Turtle: data first, then vocabularies, ontology
    (``with_ontology``) and provenance (``generated``: when the graph was made)."""
    graphs = named_graphs(graph, data_graph=data_graph, with_ontology=with_ontology, generated=generated)
    return [GraphPayload(g.iri, ox.serialize(g.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"", len(g.triples))
            for g in graphs]


def staging_graph(iri: str) -> str:
    """The staging graph of target ``iri`` (one per target, so a failed push leaves one, replaced by the next)."""
    return "urn:ccus-kg:staging:" + quote(iri, safe="")


def push(items: list[GraphPayload], endpoint: str, *, update_endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT,
         s: requests.Session | None = None, progress=None) -> None:
    """Write each payload to the Graph Store ``endpoint`` (e.g. ``http://127.0.0.1:7878/store``).

    ``update_endpoint`` (e.g. ``http://127.0.0.1:7878/update``): stage and ``MOVE`` (see the
    module docstring).  ``progress(payload)`` is called after each graph is written.
    Raises :class:`~ccus_kg.errors.EndpointError` at the first failure; graphs already written stay.
    """
    s = s or session()
    for item in items:
        target = staging_graph(item.iri) if update_endpoint else item.iri
        send(s, "PUT", endpoint, params={"graph": target}, data=item.body, timeout=timeout,
             headers={"Content-Type": "text/turtle; charset=utf-8"}, what=f"push <{item.iri}>")
        if update_endpoint:
            send(s, "POST", update_endpoint, data=f"MOVE GRAPH <{target}> TO GRAPH <{item.iri}>".encode(), timeout=timeout,
                 headers={"Content-Type": "application/sparql-update; charset=utf-8"}, what=f"push <{item.iri}> (MOVE)")
        if progress:
            progress(item)
