"""The graph as an RDF dataset of named graphs, with provenance (TriG and N-Quads export, push).

Named graphs (RDF 1.1 Concepts §4):

- ``DATA_GRAPH``: the data, less the vocabulary triples;
- ``VOCABULARIES_GRAPH``: the SKOS concept schemes (``ontology/vocabularies.ttl``);
- ``ONTOLOGY_GRAPH`` (optional): the ontology (``ontology/ccus.ttl``), the ontology's own IRI;
- ``PROVENANCE_GRAPH``: PROV-O statements about the data graph: ``prov:generatedAtTime`` (when
  the graph file was written), ``prov:wasAttributedTo`` the ccus-kg software agent with its
  version, and ``prov:wasDerivedFrom`` every source file.

Per source file, the data graph keeps the provenance of each resource (the documented
equivalent of one named graph per file, since a policy merges its en and zh files into one
resource): every policy, timeline compilation and event has ``prov:wasDerivedFrom`` the
``ccus:SourceRecord`` node of each file it came from, which carries ``ccus:filePath``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.namespaces import CCUS, OWL, PROV, RDF, RDFS, XSD
from ccus_kg.rdf.graph import KnowledgeGraph
from ccus_kg.resources import ontology_path

__all__ = ["DATA_GRAPH", "ONTOLOGY_GRAPH", "VOCABULARIES_GRAPH", "PROVENANCE_GRAPH", "SOFTWARE_AGENT", "NamedGraph",
           "named_graphs", "dataset_quads"]

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

    ``generated``: when the graph was made (default now), for ``prov:generatedAtTime``.
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
    out.append(NamedGraph(PROVENANCE_GRAPH, sorted(_provenance(data_graph, sources, generated or _dt.datetime.now(_dt.UTC)), key=str)))
    return out


def dataset_quads(graphs: list[NamedGraph]) -> list[ox.Quad]:
    """Every triple of ``graphs`` as a quad in its named graph, in output order."""
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g.iri)) for g in graphs for t in g.triples]
