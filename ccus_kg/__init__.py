"""ccus-kg: CCUS policy records and timelines as an RDF knowledge graph.

Library entry points: :func:`ccus_kg.build.build` (files → validated graph),
:class:`ccus_kg.rdf.graph.KnowledgeGraph` (store, query, serialise), :func:`ccus_kg.validate.validate`
(SHACL), :mod:`ccus_kg.query.library` (the SPARQL query library) and :mod:`ccus_kg.lineage`
(NetworkX lineage graphs).
"""

__version__ = "0.1.0"
