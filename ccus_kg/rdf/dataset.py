"""The graph as an RDF dataset of named graphs, with provenance (TriG and N-Quads export, push).

Named graphs (RDF 1.1 Concepts §4):

- ``DATA_GRAPH``: the data, less the vocabulary triples;
- ``VOCABULARIES_GRAPH``: the SKOS concept schemes (``ontology/vocabularies.ttl``);
- ``ONTOLOGY_GRAPH`` (optional): the ontology (``ontology/ccus.ttl``), the ontology's own IRI;
- ``PROVENANCE_GRAPH``: PROV-O statements about the data graph: ``prov:generatedAtTime`` (when
  the graph file was written), ``prov:wasAttributedTo`` the ccus-kg software agent with its
  version, and ``prov:wasDerivedFrom`` every source file.

The build date is in the data graph itself: ``<…/graph/data> dcterms:created "YYYY-MM-DD"^^xsd:date``
(:func:`build_date_quads`), the day the build ran (UTC), or the day of ``SOURCE_DATE_EPOCH`` when set
(reproducible builds, https://reproducible-builds.org/specs/source-date-epoch/).  A day, not a time,
so two builds of the same input on one day write the same bytes.  The SHACL rule
``shapes:FutureDate`` compares dates with it.

Per source file, the data graph keeps the provenance of each resource (the documented
equivalent of one named graph per file, since a policy merges its en and zh files into one
resource): every policy, timeline compilation and event has ``prov:wasDerivedFrom`` the
``ccus:SourceRecord`` node of each file it came from, which carries ``ccus:filePath``.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.errors import UsageError
from ccus_kg.namespaces import CCUS, DCTERMS, OWL, PROV, RDF, RDFS, XSD
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import ontology_path

__all__ = ["DATA_GRAPH", "ONTOLOGY_GRAPH", "VOCABULARIES_GRAPH", "PROVENANCE_GRAPH", "SOFTWARE_AGENT", "NamedGraph",
           "named_graphs", "dataset_quads", "build_time", "build_date_quads"]

DATA_GRAPH = "https://w3id.org/ccus-kg/graph/data"
ONTOLOGY_GRAPH = "https://w3id.org/ccus-kg/ontology"
VOCABULARIES_GRAPH = "https://w3id.org/ccus-kg/graph/vocabularies"
PROVENANCE_GRAPH = "https://w3id.org/ccus-kg/graph/provenance"
#: The software agent of this version (PROV-O ``prov:SoftwareAgent``).
SOFTWARE_AGENT = f"https://w3id.org/ccus-kg/id/software/ccus-kg/{__version__}"


@dataclass(frozen=True)
class NamedGraph:
    """One named graph: its ``iri`` and its ``triples`` (a list of :class:`pyoxigraph.Triple`, sorted)."""

    iri: str
    triples: list[ox.Triple]


def build_time(environ: Mapping[str, str] | None = None) -> _dt.datetime:
    """When the build runs (UTC): ``SOURCE_DATE_EPOCH`` (integer seconds since 1970-01-01 UTC) when it is
    set and not empty, else now.

    ``environ``: the environment to read (default ``os.environ``).  Raises :class:`UsageError` when
    ``SOURCE_DATE_EPOCH`` is not a non-negative integer (the specification asks builds to fail then).
    """
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "")
    if not value:
        return _dt.datetime.now(_dt.UTC)
    if not value.isdigit() or not value.isascii():
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r}: expected integer seconds since 1970-01-01 UTC")
    try:
        return _dt.datetime.fromtimestamp(int(value), _dt.UTC)
    except (OverflowError, ValueError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r}: out of range") from None


def build_date_quads(when: _dt.datetime | _dt.date | None = None, graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    """``<DATA_GRAPH> dcterms:created "YYYY-MM-DD"^^xsd:date`` (DCMI Metadata Terms, ``created``):
    the build date, the day of ``when`` in UTC (default :func:`build_time`), in ``graph`` (default
    the default graph)."""
    when = build_time() if when is None else when
    day = when.astimezone(_dt.UTC).date() if isinstance(when, _dt.datetime) else when
    return [ox.Quad(ox.NamedNode(DATA_GRAPH), DCTERMS.created, ox.Literal(day.isoformat(), datatype=XSD.date), graph)]


def _provenance(data_iri: str, sources: list[ox.NamedNode], generated: _dt.datetime) -> list[ox.Triple]:
    g, agent = ox.NamedNode(data_iri), ox.NamedNode(SOFTWARE_AGENT)
    stamp = generated.astimezone(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    out = [
        ox.Triple(g, RDF.type, PROV.Entity),
        ox.Triple(g, PROV.generatedAtTime, ox.Literal(stamp, datatype=XSD.dateTime)),
        ox.Triple(g, PROV.wasAttributedTo, agent),
        ox.Triple(agent, RDF.type, PROV.SoftwareAgent),
        ox.Triple(agent, RDFS.label, ox.Literal(f"ccus-kg {__version__}")),
        ox.Triple(agent, OWL.versionInfo, ox.Literal(__version__)),
    ]
    out += [ox.Triple(g, PROV.wasDerivedFrom, s) for s in sources]
    return out


def named_graphs(graph: KnowledgeGraph, *, data_graph: str = DATA_GRAPH, with_ontology: bool = False,
                 generated: _dt.datetime | None = None) -> list[NamedGraph]:
    """The dataset of ``graph``: data, vocabularies, ontology (``with_ontology``), provenance.

    ``generated``: when the graph was made (default :func:`build_time`: now, or ``SOURCE_DATE_EPOCH``),
    for ``prov:generatedAtTime``.
    """
    vocabularies = {q.triple for q in KnowledgeGraph.load(ontology_path("vocabularies.ttl")).store}
    data = [q.triple for q in graph.store if q.triple not in vocabularies]
    # the source files: SourceRecord nodes of whole files, not those of one listing in a file (``…#L<line>``)
    sources = sorted({t.subject for t in data if t.predicate == RDF.type and t.object == CCUS.SourceRecord
                      and isinstance(t.subject, ox.NamedNode) and "#" not in t.subject.value}, key=str)
    out = [NamedGraph(data_graph, sorted(data, key=str)), NamedGraph(VOCABULARIES_GRAPH, sorted(vocabularies, key=str))]
    if with_ontology:
        ontology = KnowledgeGraph.load(ontology_path("ccus.ttl"))
        out.append(NamedGraph(ONTOLOGY_GRAPH, sorted((q.triple for q in ontology.store), key=str)))
    out.append(NamedGraph(PROVENANCE_GRAPH, sorted(_provenance(data_graph, sources, generated or build_time()), key=str)))
    return out


def dataset_quads(graphs: list[NamedGraph]) -> list[ox.Quad]:
    """Every triple of ``graphs`` as a quad in its named graph, in output order."""
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g.iri)) for g in graphs for t in g.triples]
