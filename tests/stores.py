"""Real SPARQL servers for the store tests: Oxigraph (the ``oxigraph`` pip package) and Virtuoso.

:class:`OxigraphServer` runs ``oxigraph serve`` on a free loopback port with its store in a
temporary folder, waits until it answers, and can pause (SIGSTOP), kill (SIGKILL) and restart it
on the same store.  :class:`VirtuosoServer` runs ``virtuoso-t`` (Debian package
``virtuoso-opensource``) with its own ``virtuoso.ini`` and database in a temporary folder, its
HTTP and SQL ports both on 127.0.0.1.  Import as ``from stores import OxigraphServer, free_port``.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from ccus_kg.serve import oxigraph_binary

__all__ = ["OxigraphServer", "VirtuosoServer", "free_port", "wait_until_up", "pushed_oxigraph"]


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

    def start(self, port: int | None = None) -> OxigraphServer:
        """Start on ``port`` (a free one when None: give the old port to restart a killed server at the same URL)."""
        self.port = port or free_port()
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


#: virtuoso.ini of the test server: everything in FOLDER, both ports on loopback, no row cap below the corpus.
_VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
DirsAllowed        = .
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {folder}
ServerThreads      = 4
[SPARQL]
ResultSetMaxRows   = 1000000
MaxQueryExecutionTime = 300
"""


class VirtuosoServer:
    """``virtuoso-t +foreground`` with a fresh database in ``folder`` (user ``dba``, password ``dba``).

    Endpoints: ``query_url`` (``/sparql``, anonymous, read), ``store_url`` (``/sparql-graph-crud-auth``,
    Graph Store Protocol) and ``update_url`` (``/sparql-auth``), both asking for HTTP digest auth.
    """

    USER = PASSWORD = "dba"

    def __init__(self, folder: Path):
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.port = 0

    @staticmethod
    def binary() -> str | None:
        """The ``virtuoso-t`` executable, or None when the package is not installed."""
        return shutil.which("virtuoso-t")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def store_url(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    @property
    def update_url(self) -> str:
        return self.base + "/sparql-auth"

    def start(self, seconds: float = 120.0) -> VirtuosoServer:
        binary = self.binary()
        if binary is None:
            raise RuntimeError("virtuoso-t is not installed (Debian package virtuoso-opensource)")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(_VIRTUOSO_INI.format(folder=self.folder, sql_port=free_port(), http_port=self.port), encoding="utf-8")
        self.process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=self.folder,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(self.query_url + "?query=ASK%7B%7D", self.process, seconds)  # a new database takes seconds
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        """The server's error log (for assertion messages)."""
        path = self.folder / "virtuoso.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def count(self, graph: str) -> int:
        """Triples in named graph ``graph``, by a SPARQL query."""
        r = requests.post(self.query_url, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=60)
        r.raise_for_status()
        return int(r.json()["results"]["bindings"][0]["n"]["value"])


def pushed_oxigraph(store_dir: Path, graph_file: Path) -> OxigraphServer:
    """A started Oxigraph server with a fresh store in ``store_dir``, holding ``graph_file`` pushed
    with ``ccus-kg push`` (staging graph + MOVE).  The caller kills it."""
    server = OxigraphServer(store_dir).start()
    done = subprocess.run([Path(sys.executable).parent / "ccus-kg", "push", "-g", graph_file, "--endpoint", server.store_url,
                           "--update-endpoint", server.update_url], capture_output=True, text=True)
    if done.returncode != 0:
        server.kill()
        raise AssertionError(done.stderr)
    return server
