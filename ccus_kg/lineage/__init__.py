"""Policy lineage: which policy replaced, merged, implemented or cited which (NetworkX).

Stages, one module each: :mod:`~ccus_kg.lineage.model` (the graph from SPARQL rows),
:mod:`~ccus_kg.lineage.analytics` (families, heads, chains, forks, cycles, in force on a date),
:mod:`~ccus_kg.lineage.layout` (time-layered positions), :mod:`~ccus_kg.lineage.draw` (PNG/SVG),
:mod:`~ccus_kg.lineage.html` (interactive page) and :mod:`~ccus_kg.lineage.readwrite` (files by suffix).
"""

from ccus_kg.lineage.analytics import (
    Family,
    chains,
    cycles,
    dangling,
    families,
    family_graph,
    forks,
    in_force,
    neighbourhood,
    replacement_graph,
    stats,
    unlinked,
)
from ccus_kg.lineage.model import EDGE_KINDS, FAMILY_KINDS, LEVELS, from_graph, level_of, lineage_graph
from ccus_kg.lineage.readwrite import OUTPUT_SUFFIXES, check_suffix, write

__all__ = [
    "lineage_graph", "from_graph", "level_of", "EDGE_KINDS", "FAMILY_KINDS", "LEVELS",
    "replacement_graph", "family_graph", "chains", "families", "Family", "forks", "cycles", "dangling", "unlinked",
    "stats", "in_force", "neighbourhood", "write", "check_suffix", "OUTPUT_SUFFIXES",
]
