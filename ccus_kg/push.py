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

:func:`push_store` sends the named graphs of a ``ccus-kg build --store`` store instead (one per
policy id, plus the shared graphs), only those that changed since the last push to the endpoint,
in SPARQL Update batches: the path for stores too big to send as one file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import requests

from ccus_kg.files import write_text_atomic
from ccus_kg.graph_texts import TEXTS_FILE
from ccus_kg.rdf.dataset import DATA_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH, VOCABULARIES_GRAPH, named_graphs
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.sparql_http import DEFAULT_TIMEOUT, send, session

__all__ = ["DATA_GRAPH", "ONTOLOGY_GRAPH", "VOCABULARIES_GRAPH", "PROVENANCE_GRAPH", "GraphPayload", "payloads", "push", "staging_graph",
           "BATCH_TRIPLES", "StorePush", "graph_digest", "push_state_path", "push_store"]

@dataclass(frozen=True)
class GraphPayload:
    """One named graph to write: its ``iri``, the N-Triples ``body`` (bytes) and its number of ``triples``."""

    iri: str
    body: bytes
    triples: int


def payloads(graph: KnowledgeGraph, data_graph: str = DATA_GRAPH, *, with_ontology: bool = True,
             generated: _dt.datetime | None = None) -> list[GraphPayload]:
    """The named graphs of a push, as N-Triples: data first, then vocabularies, ontology
    (``with_ontology``) and provenance (``generated``: when the graph was made).

    N-Triples, not Turtle: a prefixed name with an escaped ``/`` (``policy:x\\/event\\/publication``,
    Turtle §6.3 PN_LOCAL_ESC) is kept with its backslashes by Virtuoso 7.2's Turtle parser, which
    then holds IRIs that are not ours; N-Triples has only full IRIs and every store reads it alike.
    """
    graphs = named_graphs(graph, data_graph=data_graph, with_ontology=with_ontology, generated=generated)
    return [GraphPayload(g.iri, ox.serialize(g.triples, format=ox.RdfFormat.N_TRIPLES) or b"", len(g.triples))
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
             headers={"Content-Type": "application/n-triples; charset=utf-8"}, what=f"push <{item.iri}>")
        if update_endpoint:
            send(s, "POST", update_endpoint, data=f"MOVE GRAPH <{target}> TO GRAPH <{item.iri}>".encode(), timeout=timeout,
                 headers={"Content-Type": "application/sparql-update; charset=utf-8"}, what=f"push <{item.iri}> (MOVE)")
        if progress:
            progress(item)


# --------------------------------------------------------------------------- a store's named graphs, in batches

#: Triples per SPARQL Update request of :func:`push_store` (about 150 bytes each: 3 MB a request).
BATCH_TRIPLES = 20_000


@dataclass(frozen=True)
class StorePush:
    """What :func:`push_store` did: named graphs ``sent`` (replaced on the server), ``dropped``
    (gone from the store, so dropped on the server), ``unchanged`` (same content as at the last
    push, not sent), the ``triples`` sent and the number of SPARQL Update ``requests``."""

    sent: int
    dropped: int
    unchanged: int
    triples: int
    requests: int


def graph_digest(body: bytes) -> str:
    """SHA-256 (hex) of a named graph's N-Triples ``body``, independent of the line order and of repeated lines."""
    lines = sorted({line for line in body.split(b"\n") if line})
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def push_state_path(directory: str | Path, update_endpoint: str) -> Path:
    """Where :func:`push_store` keeps, per endpoint, the digest of every named graph it pushed:
    ``DIR/push-state/{sha256(endpoint)[:16]}.json`` (JSON: ``endpoint``, ``graphs``: IRI → digest)."""
    name = hashlib.sha256(update_endpoint.encode()).hexdigest()[:16]
    return Path(directory) / "push-state" / f"{name}.json"


def push_store(directory: str | Path, update_endpoint: str, *, batch_triples: int = BATCH_TRIPLES, everything: bool = False,
               timeout: float = DEFAULT_TIMEOUT, s: requests.Session | None = None, progress=None) -> StorePush:
    """Bring a SPARQL server up to date with the named graphs of a ``ccus-kg build --store`` store.

    ``directory``: the store folder; ``update_endpoint``: the server's SPARQL 1.1 Update URL
    (Oxigraph ``…/update``, Virtuoso ``…/sparql`` with SPARQL_UPDATE rights, Fuseki ``…/update``).
    Each named graph of the store (one per policy record id, one per unreadable file, the timelines
    and the shared graphs: see :mod:`ccus_kg.store`) is compared with the digest it had at the last
    push to this endpoint (:func:`push_state_path`); only graphs that changed are sent, each as
    ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`` (SPARQL 1.1 Update §3.2.2, §3.1.1),
    many graphs per request up to ``batch_triples`` triples (a graph is never split). A request is
    one transaction on Oxigraph and Virtuoso, so the server holds each graph old or new, never
    half. Graphs gone from the store are dropped. The state is saved after every request, so an
    interrupted push resumes where it stopped. ``everything``: send every graph, whatever the state.
    ``progress(graphs, triples)`` is called after each request.  Returns a :class:`StorePush`.
    Raises :class:`~ccus_kg.errors.EndpointError` at the first failed request (the state keeps what
    was sent before it) and :class:`~ccus_kg.errors.InputError` when there is no store.
    """
    from ccus_kg.store import PolicyStore

    s = s or session()
    state_path = push_state_path(directory, update_endpoint)
    state: dict[str, str] = {}
    if state_path.exists() and not everything:
        state = json.loads(state_path.read_text(encoding="utf-8")).get("graphs", {})
    pushed = dict(state)

    def save() -> None:
        state_path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(state_path, json.dumps({"endpoint": update_endpoint, "graphs": dict(sorted(pushed.items()))},
                                                 ensure_ascii=False, separators=(",", ":")))

    sent = unchanged = triples = requests_made = 0
    batch: list[str] = []
    batch_graphs: dict[str, str] = {}
    batch_size = 0

    def flush() -> None:
        nonlocal batch, batch_graphs, batch_size, requests_made
        if not batch:
            return
        send(s, "POST", update_endpoint, data=" ;\n".join(batch).encode("utf-8"), timeout=timeout,
             headers={"Content-Type": "application/sparql-update; charset=utf-8"},
             what=f"push {len(batch_graphs)} named graphs")
        requests_made += 1
        for iri, digest in batch_graphs.items():
            if digest:
                pushed[iri] = digest
            else:
                pushed.pop(iri, None)
        save()
        if progress:
            progress(len(batch_graphs), batch_size)
        batch, batch_graphs, batch_size = [], {}, 0

    with PolicyStore.open(directory, read_only=True) as ps:
        present: set[str] = set()
        # a graph converted whole has its N-Triples text beside the store (ccus_kg.graph_texts): faster than RocksDB
        texts = ps.texts if (Path(directory) / TEXTS_FILE).exists() else None
        for graph in sorted(ps.store.named_graphs(), key=lambda g: g.value):
            iri = graph.value
            present.add(iri)
            body = texts.text(iri) if texts is not None else None
            if body is None:
                body = ps.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
            digest = graph_digest(body)
            if state.get(iri) == digest:
                unchanged += 1
                continue
            n = body.count(b"\n")
            if batch and batch_size + n > batch_triples:
                flush()
            batch.append(f"DROP SILENT GRAPH <{iri}> ;\nINSERT DATA {{ GRAPH <{iri}> {{\n{body.decode('utf-8')}}} }}")
            batch_graphs[iri] = digest
            batch_size += n
            sent += 1
            triples += n
        flush()
        gone = sorted(set(state) - present)
        for iri in gone:
            batch.append(f"DROP SILENT GRAPH <{iri}>")
            batch_graphs[iri] = ""
        flush()
    if not state_path.exists():
        save()
    return StorePush(sent=sent, dropped=len(gone), unchanged=unchanged, triples=triples, requests=requests_made)
