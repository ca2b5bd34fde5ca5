"""A read-only SPARQL 1.1 endpoint over the graph (``ccus-kg serve``), run by the Oxigraph server.

Nothing here serves HTTP: the ``oxigraph`` package's server does (``oxigraph serve-read-only``),
with its YASGUI query page at ``/``, the SPARQL 1.1 Protocol at ``/query`` and the Graph Store
Protocol (reads only) at ``/store``; every write (``/update``, ``PUT``/``POST``/``DELETE`` on
``/store``) is refused with HTTP 403.  The graph file is loaded into a fresh store in a temporary
folder (``oxigraph load``), the ontology into its own named graph, and the default graph of
queries is the union of all graphs, so the library queries answer as on the file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ccus_kg.errors import UsageError
from ccus_kg.push import ONTOLOGY_GRAPH
from ccus_kg.resources import ontology_path

__all__ = ["oxigraph_binary", "load_store", "server_command"]


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` program (the ``oxigraph`` package's console script, beside this
    Python first).  Raises :class:`UsageError` when it is not installed."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise UsageError("the `oxigraph` program is not installed (pip install oxigraph)")
    return found


def load_store(location: Path, graph_file: Path, *, with_ontology: bool = True) -> None:
    """Load ``graph_file`` (format by suffix: .ttl .nt .nq .trig .jsonld) into a new Oxigraph
    store at ``location``; with the ontology in the named graph ``ONTOLOGY_GRAPH``.
    Raises :class:`UsageError` with Oxigraph's message when loading fails."""
    binary = oxigraph_binary()
    steps = [[binary, "load", "--location", str(location), "--file", str(graph_file)]]
    if graph_file.suffix.lower() == ".jsonld":
        steps[0] += ["--format", "jsonld"]
    if with_ontology:
        steps.append([binary, "load", "--location", str(location), "--file", str(ontology_path("ccus.ttl")), "--graph", ONTOLOGY_GRAPH])
    for command in steps:
        done = subprocess.run(command, capture_output=True, text=True)
        errors = [line for line in done.stderr.splitlines() if "rror" in line]
        if done.returncode != 0 or errors:
            raise UsageError(f"cannot load {command[5]} into the store: {' '.join(errors) or done.stderr.strip()}")


def server_command(location: Path, host: str = "127.0.0.1", port: int = 7878) -> list[str]:
    """The command line of a read-only Oxigraph server on ``location``, bound to ``host:port``,
    whose default graph is the union of all graphs."""
    return [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"{host}:{port}",
            "--union-default-graph"]
