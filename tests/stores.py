"""A real Oxigraph SPARQL server (the ``oxigraph`` pip package) for the store tests.

:class:`OxigraphServer` runs ``oxigraph serve`` on a free loopback port with its store in a
temporary folder, waits until it answers, and can pause (SIGSTOP), kill (SIGKILL) and restart it
on the same store.  Import as ``from stores import OxigraphServer, free_port``.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from ccus_kg.serve import oxigraph_binary

__all__ = ["OxigraphServer", "free_port", "wait_until_up"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20.0) -> None:
    """Poll ``url`` until it answers 200; raise if ``process`` exits or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class OxigraphServer:
    """``oxigraph serve --location LOCATION --bind 127.0.0.1:PORT`` (read-write, no union default graph)."""

    def __init__(self, location: Path, *, union_default_graph: bool = False):
        self.location = location
        self.union_default_graph = union_default_graph
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    @property
    def store_url(self) -> str:
        return self.base + "/store"

    @property
    def update_url(self) -> str:
        return self.base + "/update"

    def start(self) -> OxigraphServer:
        self.port = free_port()
        command = [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"]
        if self.union_default_graph:
            command.append("--union-default-graph")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(self.base + "/", self.process)
        return self

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown (a paused server dies too)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def count(self, graph: str | None = None) -> int:
        """Triples in named graph ``graph`` (all named graphs when None), by a SPARQL query."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        r = requests.post(self.query_url, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
        r.raise_for_status()
        return int(r.json()["results"]["bindings"][0]["n"]["value"])
