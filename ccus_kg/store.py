"""A persistent store for incremental builds: ``ccus-kg build … --store DIR``.

``DIR`` holds ``oxigraph/`` (a pyoxigraph RocksDB store), ``manifest.sqlite`` (:mod:`ccus_kg.manifest`:
what each source file held: size, modification time, SHA-256 content hash, and what each unit's
conversion contributed to the graphs shared between files, one table row each, read on demand) and
``graphs.sqlite`` (the N-Triples text of the graphs converted whole, from which the graph file is
written: :mod:`ccus_kg.graph_texts`).  The store keeps one **named graph per conversion unit**:

* ``<https://w3id.org/ccus-kg/graph/policy/{id}>`` — a policy record id: every triple converted from
  its files.  The ``en`` and ``zh`` files of one id merge into one resource (values compared across
  the files), so they are converted and replaced together; the graph says which files it came from
  (``prov:wasDerivedFrom`` each ``ccus:SourceRecord``);
* ``<…/graph/source/{key}>`` — a file that could not be read, with its ``ccus:DataIssue``;
* ``<…/graph/timelines>`` — the timeline compilations (events merge across compilations and link
  to policies by title, so they are converted together when one of them or a policy title changes);
* ``<…/graph/facilities>`` and ``<…/graph/profiles>`` — every facility file, every country-profile
  file (organisations, hubs and their aliases are shared between facilities, so each kind is
  converted together when one of its files changes);
* ``<…/graph/identities>`` — the jurisdictions and issuing agencies used, ``<…/graph/links>`` —
  supersedes links in both directions, targets not in the input and the cluster nodes,
  ``<…/graph/inferred>`` — the linker's citations and inferred links, ``<…/graph/facility-links>`` —
  policy ↔ facility links stated on either side and nodes for ids without a record, and
  ``<…/graph/vocabularies>`` — the SKOS concept schemes.  These are shared by many files, so they
  are recomputed on every build from the per-unit records kept in the manifest (jurisdictions and
  agencies used, supersedes statements, cluster names, ``relatedFacilities``, linker summaries),
  and exactly what a full build makes.  ``<…/graph/build>`` holds the build date
  (:func:`ccus_kg.rdf.dataset.build_date_quads`), written on every build.

Memory: a build holds at most ``batch_files`` parsed files (:data:`BATCH_FILES`, about 28 KB each).
When more files changed (a first build), each is read twice: once to learn its unit and cluster
names, then unit batch by unit batch to convert it; the quads go to RocksDB in bulk-load chunks.
With ``jobs`` > 1, both readings and the conversion of the policy units run in worker processes
(``spawn``), in tasks of at most :data:`TASK_FILES` files, at most two tasks per worker in flight;
a worker returns its units' manifest records, their quads as N-Quads bytes and their N-Triples
texts, which this process writes (a writer thread bulk-loads the N-Quads): only it writes the store,
and it takes the results in task order, so the store and the manifest are the same as with one job.
The manifest's rows stay on disk; what stays in memory grows with the number of policies: the
file listing and the linker's state.

A rebuild reads only files whose size or modification time changed, compares their hash, and
reconverts only the units those files belonged to or now belong to; deleted and renamed files
remove or move their unit.  The union of the named graphs is the same RDF graph as a full
in-memory build of the same files (``tests/test_store.py`` compares them triple for triple).

Crash safety: the manifest's changes are one SQLite transaction until its state ``updating`` is
committed (with a marker file ``UPDATING``), before the store changes; the state ``clean`` is
committed, and the marker removed, after the shared graphs are written.  A store found with the
marker, or with a manifest not ``clean``, is rebuilt from scratch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.errors import InputError
from ccus_kg.files import write_text_atomic
from ccus_kg.graph_texts import TEXTS_FILE, GraphTexts, text_rows
from ccus_kg.identity import iris
from ccus_kg.manifest import MANIFEST_NAME, Manifest, UnitTable
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.native_memory import release_free_memory
from ccus_kg.progress import Progress
from ccus_kg.rdf.graph import KnowledgeGraph

if TYPE_CHECKING:
    from ccus_kg.incremental import ChangeSet
    from ccus_kg.ingest.loader import LoadResult
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.rdf.triples import Emitter
    from ccus_kg.validate import ValidationReport

# Reading a store (queries) needs only pyoxigraph: the converters, resolvers and the loader are
# imported inside the build functions, so a `ccus-kg query --store` process starts in ~0.3 s.

__all__ = ["PolicyStore", "StoreBuild", "build_into_store", "GRAPH_BASE", "unit_graph"]

#: Base IRI of the named graphs.
GRAPH_BASE = "https://w3id.org/ccus-kg/graph/"
MANIFEST_FORMAT = 4  # 4: SQLite tables (manifest.sqlite) instead of manifest.json
TIMELINES = "timelines"
FACILITIES = "facilities"
PROFILES = "profiles"
#: At most this many parsed files are held at once by a store build (about 28 KB each in memory).
BATCH_FILES = 2000


def unit_graph(unit: str) -> ox.NamedNode:
    """The named graph of a unit key (``policy:{id}``, ``source:{key}``, ``timelines``, ``identities`` …)."""
    kind, _, key = unit.partition(":")
    return ox.NamedNode(GRAPH_BASE + (f"{kind}/{iris.segment(key)}" if key else kind))


def _revive(cls, data: dict[str, Any]):
    """A frozen dataclass from its :func:`dataclasses.asdict` form (lists back to tuples)."""
    return cls(**{f.name: tuple(v) if isinstance(v := data[f.name], list) else v for f in fields(cls)})


@dataclass
class StoreBuild:
    """What :func:`build_into_store` did.

    ``units_rebuilt``: conversion units reconverted (policy ids, unreadable files, timelines);
    ``units_removed``: units whose files are all gone; ``files_changed`` / ``files_deleted``;
    ``counts`` as in :class:`~ccus_kg.build.BuildResult` (``quads`` instead of ``triples``);
    ``problems``: every data problem of the whole store, sorted; ``seconds``: wall time per stage;
    ``validation``: the SHACL report of the whole store (None when not validated); ``validation_scope``:
    what was validated again (``"full"``, or ``"incremental: …"``, :func:`ccus_kg.incremental.validate_store`);
    ``cpu_seconds``: CPU seconds per stage of the build's own process, of its worker processes
    (``load.workers``, ``convert.workers``), and the wall seconds it spent writing converted quads
    into RocksDB (``convert.store``; with worker processes, in a writer thread) and waiting for that
    thread (``convert.store_wait``).
    """

    units_rebuilt: int
    units_removed: int
    files_changed: int
    files_deleted: int
    counts: dict[str, int]
    problems: list[Problem]
    seconds: dict[str, float] = field(default_factory=dict)
    validation: ValidationReport | None = None
    validation_scope: str = ""
    cpu_seconds: dict[str, float] = field(default_factory=dict)


class PolicyStore:
    """The persistent store in ``directory``: a RocksDB pyoxigraph store and the manifest."""

    def __init__(self, directory: Path, store: ox.Store, *, read_only: bool = False):
        self.directory = directory
        self.store = store
        self.read_only = read_only
        self._manifest: Manifest | None = None
        self._texts: GraphTexts | None = None

    @property
    def manifest(self) -> Manifest:
        """The manifest (opened on first use: queries do not need it); a store of an older format has
        none (its ``manifest.json`` is removed): an empty manifest, so the build starts afresh."""
        if self._manifest is None:
            (self.directory / "manifest.json").unlink(missing_ok=True)
            self._manifest = Manifest(self.directory / MANIFEST_NAME)
        return self._manifest

    @classmethod
    def open(cls, directory: str | Path, *, read_only: bool = False) -> PolicyStore:
        """Open (or, unless ``read_only``, create) the store in ``directory``.

        Raises :class:`~ccus_kg.errors.InputError` when ``read_only`` and there is no store, or
        when RocksDB cannot open it (another process writing, for instance).
        """
        directory = Path(directory)
        db = directory / "oxigraph"
        if read_only and not store_exists(directory):
            raise InputError("no ccus-kg store here; build one with `ccus-kg build … --store DIR`", path=str(directory))
        try:
            store = ox.Store.read_only(str(db)) if read_only else ox.Store(str(db))
        except OSError as exc:
            raise InputError(f"cannot open the store: {exc}", path=str(directory)) from None
        return cls(directory, store, read_only=read_only)

    def __enter__(self) -> PolicyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush (when writable) and release the store; close the manifest (changes not committed are rolled back).
        Closing twice is harmless."""
        if hasattr(self, "store"):
            del self.store
        if self._manifest is not None:
            self._manifest.close()
            self._manifest = None
        if self._texts is not None:
            self._texts.close()
            self._texts = None

    @property
    def texts(self) -> GraphTexts:
        """The N-Triples text of the named graphs written whole (:mod:`ccus_kg.graph_texts`), opened on first use."""
        if self._texts is None:
            self._texts = GraphTexts(self.directory / TEXTS_FILE, read_only=self.read_only)
        return self._texts

    def graph(self) -> KnowledgeGraph:
        """The union of the named graphs as a :class:`KnowledgeGraph` (queries, export); it writes the
        graphs that have an N-Triples text (:attr:`texts`) from the text, the others from RocksDB."""
        texts = self.texts if (self.directory / TEXTS_FILE).exists() else None
        return KnowledgeGraph(self.store, union=True, graph_texts=texts)

    @property
    def updating(self) -> bool:
        """Whether a build was changing the store and did not finish (the ``UPDATING`` marker file)."""
        return (self.directory / "UPDATING").exists() or self.manifest.get("state") != "clean"

    def save_manifest(self, state: str) -> None:
        """Commit the manifest's changes with ``state``: ``updating`` (before the store changes: the
        marker file is written too), ``clean`` (after; the marker is removed)."""
        marker = self.directory / "UPDATING"
        if state == "updating":
            write_text_atomic(marker, "a ccus-kg build is changing this store; a build that finds this file rebuilds it\n")
        self.manifest.update(format=MANIFEST_FORMAT, version=__version__, state=state)
        self.manifest.commit()
        if state == "clean":
            marker.unlink(missing_ok=True)


class _Sink:
    """Buffers quads for the RocksDB store: large batches go through ``bulk_extend`` (SST files,
    about 5× faster than ``extend``), small ones through ``extend`` (a bulk load costs ~0.1 s).
    Their N-Triples text goes to ``texts``, graph by graph (None: the shared graphs, changed by difference).

    N-Quads from worker processes (:meth:`add_nquads`) are bulk-loaded by one writer thread, chunk
    by chunk (``Store.bulk_load`` releases the GIL): meanwhile the build's main thread keeps taking
    the workers' results and giving them tasks.  At most one chunk loads while the next one fills."""

    def __init__(self, store: ox.Store, texts: GraphTexts | None, chunk: int = 200_000):
        self.store, self.texts, self.chunk = store, texts, chunk
        self.buffer: list[ox.Quad] = []
        self.nquads: list[bytes] = []  # from worker processes
        self.nquads_count = 0
        self.seconds = 0.0  # spent writing into the store (by the writer thread too)
        self.waited = 0.0  # the main thread waiting for the writer thread
        self._writer: Any = None
        self._loading: Any = None

    def remove_graph(self, graph: ox.NamedNode) -> None:
        """Remove the named graph ``graph`` from the store and its text."""
        self.store.remove_graph(graph)
        if self.texts is not None:
            self.texts.remove(graph.value)

    def add(self, quads: list[ox.Quad]) -> None:
        self.buffer.extend(quads)
        if len(self.buffer) >= self.chunk:
            self.flush()

    def add_nquads(self, data: bytes, count: int, texts: list[tuple[str, bytes]]) -> None:
        """``count`` quads serialised as N-Quads (UTF-8), and their graphs' N-Triples texts
        (:func:`~ccus_kg.graph_texts.text_rows`); the quads are loaded in the background once a chunk is full."""
        if self.texts is not None:
            self.texts.add_rows(texts)
        self.nquads.append(data)
        self.nquads_count += count
        if self.nquads_count >= self.chunk:
            self._load_nquads(background=True)

    def _load_nquads(self, background: bool) -> None:
        self._wait()
        data, count = b"".join(self.nquads), self.nquads_count
        self.nquads, self.nquads_count = [], 0
        if not data:
            return
        if not background:
            self._load(data, count)
            return
        if self._writer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._writer = ThreadPoolExecutor(1, thread_name_prefix="ccus-kg-store-writer")
        self._loading = self._writer.submit(self._load, data, count)

    def _load(self, data: bytes, count: int) -> None:
        t0 = time.perf_counter()
        if count >= 10_000:
            self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        else:
            self.store.load(data, format=ox.RdfFormat.N_QUADS)
        del data
        release_free_memory()  # the bulk load's buffers, freed in this thread's malloc arena
        self.seconds += time.perf_counter() - t0

    def _wait(self) -> None:
        """Wait for the writer thread's load (raising its error, if any)."""
        if self._loading is not None:
            t0 = time.perf_counter()
            loading, self._loading = self._loading, None
            loading.result()
            self.waited += time.perf_counter() - t0

    def flush(self) -> None:
        """Write everything buffered, and wait until it is written."""
        t0 = time.perf_counter()
        if self.buffer and self.texts is not None:
            self.texts.add(self.buffer)
        if len(self.buffer) >= 10_000:
            self.store.bulk_extend(self.buffer)
        elif self.buffer:
            self.store.extend(self.buffer)
        self.buffer = []
        release_free_memory()
        self.seconds += time.perf_counter() - t0
        self._load_nquads(background=False)
        if self._writer is not None:
            self._writer.shutdown()
            self._writer = None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unit_of_file(loaded: LoadResult, shown_to_key: dict[str, str]) -> dict[str, str]:
    """File key → unit key for the freshly loaded files."""
    units: dict[str, str] = {}
    for r in loaded.records:
        units[r.source_key] = f"policy:{r.id}"
    for r in loaded.facilities:
        units[r.source_key] = FACILITIES
    for r in loaded.profiles:
        units[r.source_key] = PROFILES
    for doc in loaded.timelines:
        units[shown_to_key[doc.path]] = TIMELINES
    for p in loaded.problems:
        key = shown_to_key.get(p.file or "")
        if key is not None and key not in units:
            units[key] = f"source:{key}"
    return units


def _cluster_stub(record: PolicyRecord) -> PolicyRecord:
    """What :func:`~ccus_kg.ingest.agreement.cluster_pairs` reads of a record (path, language,
    ``evolution.clusters``), without the rest of the record."""
    evolution = record.data.get("evolution")
    data = {"evolution": {"clusters": evolution.get("clusters")}} if isinstance(evolution, dict) else {}
    return PolicyRecord(path=record.path, lang=record.lang, data=data, body="", front_matter_format=record.front_matter_format)


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Reader:
    """Reads the files of units in batches of at most ``batch_files`` (never every record at once).

    ``cache``: records kept from the first reading (when the changed files fit in one batch, so a small
    update reads each file once); ``position``: file key → its place in the listing (records of a unit
    in listing order, as a full build reads them)."""

    def __init__(self, listed: list[tuple[Path, str, str | None]], batch_files: int):
        self.paths = {key: path for path, key, _r in listed}
        self.position = {key: i for i, (_p, key, _r) in enumerate(listed)}
        self.batch_files = batch_files
        self.cache: dict[str, PolicyRecord] = {}
        self.seconds = 0.0

    def load(self, keys: list[str]) -> LoadResult:
        from ccus_kg.ingest.loader import load_files

        t0 = time.perf_counter()
        loaded = load_files([(self.paths[k], k, None) for k in sorted(keys, key=self.position.__getitem__)])
        self.seconds += time.perf_counter() - t0
        return loaded

    def unit_batches(self, units: list[str], members: dict[str, list[str]]) -> Iterator[dict[str, list[PolicyRecord]]]:
        """``{unit: its records in listing order}`` for groups of ``units`` of about ``batch_files`` files each."""
        group: list[str] = []
        size = 0
        for unit in [*units, None]:
            if unit is not None:
                group.append(unit)
                size += len(members.get(unit, []))
                if size < self.batch_files:
                    continue
            if not group:
                break
            keys = [k for u in group for k in members.get(u, [])]
            loaded = self.load([k for k in keys if k not in self.cache])
            records = sorted([self.cache.pop(k) for k in keys if k in self.cache] + loaded.records,
                             key=lambda r: self.position.get(r.source_key, -1))
            by_unit: dict[str, list[PolicyRecord]] = {u: [] for u in group}
            for r in records:
                by_unit.setdefault(f"policy:{r.id}", []).append(r)
            yield by_unit
            del loaded, records, by_unit  # before the next batch is read
            group, size = [], 0


#: A worker's task holds at most this many files (and ``batch_files``): small tasks keep both cores busy
#: to the end and the progress display moving.
TASK_FILES = 250


def available_cpus() -> int:
    """The number of CPUs this process may run on (``os.sched_getaffinity``; ``os.cpu_count`` elsewhere)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _worker_init() -> None:
    """Make a worker process ready: import the reader and the converters, read the mapping and the
    authority files once (each worker is a fresh interpreter: ``spawn``)."""
    from ccus_kg.ingest import loader  # noqa: F401
    from ccus_kg.mapping import load_mapping
    from ccus_kg.rdf import links, policies  # noqa: F401
    from ccus_kg.rdf.identity_context import IdentityContext

    load_mapping("policy")
    IdentityContext.default()


def _index_files(batch: list[tuple[Path, str, str | None]], keep: bool
                 ) -> tuple[dict[str, str], list[tuple[str, PolicyRecord]], list[tuple[str, Problem]], list[PolicyRecord], float]:
    """The first reading of ``batch`` (``(file, key, reason)`` from :func:`~ccus_kg.ingest.loader.iter_files`):
    file key → unit key, ``(unit, cluster stub)`` of each policy file, ``(file key, problem)`` of each
    unreadable file, the records themselves when ``keep``, and the CPU seconds it took.  Runs in a
    worker process or in the build's own."""
    from ccus_kg.ingest.loader import load_files, shown_path

    cpu = time.process_time()
    loaded = load_files(batch)
    shown_to_key = {shown_path(path): key for path, key, _r in batch}
    found = _unit_of_file(loaded, shown_to_key)
    stubs = [(f"policy:{r.id}", _cluster_stub(r)) for r in loaded.records]
    problems = [(key, p) for p in loaded.problems
                if (key := shown_to_key.get(p.file or "")) is not None and found.get(key, "").startswith("source:")]
    return found, stubs, problems, loaded.records if keep else [], time.process_time() - cpu


def _convert_policy_batch(group: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]], alias: dict[str, str]
                          ) -> tuple[list[tuple[str, dict[str, Any], list[str]]], bytes, int, list[tuple[str, bytes]], float]:
    """Read and convert the policy units of ``group`` (``(unit, its files as (path, key) in listing
    order, its cluster pairs)``) in a worker process: returns ``(unit, manifest record, facility ids
    named)`` per unit in unit order (as :func:`_convert_policy`), the units' quads as N-Quads bytes
    (canonical literal forms), their number, their graphs' N-Triples texts
    (:func:`~ccus_kg.graph_texts.text_rows`), and the CPU seconds it took.  At most the group's files
    are held parsed at once."""
    from ccus_kg.ingest.loader import load_files

    cpu = time.process_time()
    loaded = load_files([(Path(path), key, None) for _u, files, _p in group for path, key in files])
    by_unit: dict[str, list[PolicyRecord]] = {u: [] for u, _f, _p in group}
    for r in loaded.records:
        by_unit.setdefault(f"policy:{r.id}", []).append(r)
    pairs = {u: p for u, _f, p in group}
    sink = _Collect()
    done = []
    for unit in sorted(by_unit):
        entry, named = _convert_policy(unit, by_unit[unit], pairs.get(unit, []), alias, sink)
        done.append((unit, entry, sorted(named)))
    canonical = ox.Store()  # the store's literal forms, as GraphTexts.add keeps them
    canonical.bulk_extend(sink.quads)
    data = canonical.dump(format=ox.RdfFormat.N_QUADS) or b""
    return done, data, len(sink.quads), text_rows(canonical), time.process_time() - cpu


def _unit_groups(units: list[str], members: dict[str, list[str]], reader: _Reader, pairs: dict[str, list[tuple[str, str]]],
                 size: int) -> Iterator[list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]]]:
    """The tasks of :func:`_convert_policy_batch`: ``units`` in groups of about ``size`` files."""
    group: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
    count = 0
    for unit in units:
        keys = sorted(members.get(unit, []), key=reader.position.__getitem__)
        group.append((unit, [(str(reader.paths[k]), k) for k in keys], pairs[unit]))
        count += len(keys)
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


class _Collect:
    """A sink that keeps the quads (a worker's, serialised when its task is done)."""

    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []

    def add(self, quads: list[ox.Quad]) -> None:
        self.quads.extend(quads)


class _Workers:
    """Runs a build's reading and conversion tasks in ``jobs`` worker processes, results in task order.

    ``jobs`` 1 (or a map asked to stay in process) runs each task here.  At most ``2 × jobs`` tasks are
    in flight (each holds at most :data:`TASK_FILES` parsed files in its worker), so memory stays
    bounded whatever the input's size.  A task whose worker fails (an exception, a killed process) is
    run again in this process, which gives its result or raises as a ``jobs`` 1 build would."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self.pool: Any = None
        self.broken = False
        self.cpu = 0.0  # CPU seconds of the tasks run in workers

    def map(self, fn: Any, tasks: Iterable[tuple[Any, ...]], *, parallel: bool = True) -> Iterator[Any]:
        """``fn(*task)`` for each task, in order."""
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if self.jobs == 1 or not parallel:
            for task in tasks:
                yield fn(*task)
            return
        if self.pool is None:
            import multiprocessing

            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init)
        pending: deque[tuple[tuple[Any, ...], Any]] = deque()
        todo = iter(tasks)

        def submit() -> None:
            while len(pending) < 2 * self.jobs and not self.broken:
                task = next(todo, None)
                if task is None:
                    return
                try:
                    pending.append((task, self.pool.submit(fn, *task)))
                except BrokenProcessPool:
                    self.broken = True
                    pending.append((task, None))
        submit()
        while pending:
            task, future = pending.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool
                result = future.result()
                self.cpu += result[-1]
            except BrokenProcessPool:
                self.broken = True
                result = fn(*task)
            except Exception:  # run here again: the same result, or the same error as jobs=1
                result = fn(*task)
            submit()
            yield result
        for task in todo:  # the pool broke: the rest here
            yield fn(*task)

    def close(self) -> None:
        """Stop the worker processes (tasks not started are cancelled)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def build_into_store(paths, directory: str | Path, *, validate: bool = False, rebuild: bool = False,
                     progress: Progress | None = None, engine: str = "oxigraph", batch_files: int = BATCH_FILES,
                     full_validation: bool = False, jobs: int = 1) -> StoreBuild:
    """Build (or bring up to date) the persistent store in ``directory`` from ``paths``.

    Only files whose content changed since the last build are read (size and modification time,
    then SHA-256), and only their units are reconverted; the shared graphs are recomputed.
    ``rebuild``: start from an empty store.  ``validate``: run the SHACL shapes on the union of the
    named graphs, in place (``engine`` ``"oxigraph"``: SPARQL over the RocksDB store, no copy; see
    :func:`ccus_kg.validate.validate`), after the store is saved: only the focus nodes a change can
    reach, the other results kept from the last build (:mod:`ccus_kg.incremental`; ``full_validation``: all).  ``batch_files``: at most this many parsed files are held at once
    (about 28 KB each in memory); when more files changed, they are read twice: once to find their
    units, once, batch by batch, to convert them.  ``jobs``: processes reading and converting the
    policy files (``jobs`` > 1: that many worker processes, each holding at most :data:`TASK_FILES`
    parsed files, return each unit's manifest record and quads as N-Quads; only this process writes
    the store; the result is the same as with 1).  Returns a :class:`StoreBuild`.  Bad input never
    raises (it is in ``problems``); raises :class:`~ccus_kg.errors.InputError` when the store cannot be opened.
    """
    t0 = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ps = PolicyStore.open(directory)
    workers = _Workers(jobs)
    try:  # an interrupted build releases the store and rolls the manifest back to its last commit
        return _build_into(ps, paths, validate, rebuild, progress or Progress(), engine, batch_files, t0, workers,
                           full_validation)
    finally:
        workers.close()
        ps.close()


def _build_into(ps: PolicyStore, paths, validate: bool, rebuild: bool, progress: Progress, engine: str, batch_files: int,
                t0: float, workers: _Workers, full_validation: bool = False) -> StoreBuild:
    from ccus_kg.incremental import ChangeSet
    from ccus_kg.ingest.agreement import cluster_pairs
    from ccus_kg.ingest.loader import iter_files
    from ccus_kg.rdf.dataset import build_date_quads
    from ccus_kg.rdf.policies import cluster_aliases

    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    cpu0 = time.process_time()
    directory = ps.directory
    store, man = ps.store, ps.manifest
    if rebuild or ps.updating or man.get("format") != MANIFEST_FORMAT or man.get("version") != __version__:
        store.clear()
        ps.texts.clear()
        man.clear()
    changes = ChangeSet.start(directory, engine=engine, store_was_kept=bool(man.get("format")))
    files, units = man.files, man.units  # tables, read row by row (see ccus_kg.manifest)

    # 1. what changed: stat, then content hash (the files table is updated in place)
    not_found: list[Problem] = []
    listed = list(iter_files([Path(p) for p in paths], not_found))
    changed: list[tuple[Path, str, str | None]] = []
    dirty: set[str] = set()
    with progress.stage("scan", total=len(listed), unit="files"):
        for path, key, reason in listed:
            progress.advance()
            old = files.get(key)
            if reason is not None:  # not a regular file (a FIFO, a dangling link …): its reason is its content
                entry: dict[str, Any] = {"size": -1, "mtime_ns": -1}
                digest = "not-a-file: " + reason
            else:
                st = path.stat()
                entry = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
                if old and old["size"] == st.st_size and old["mtime_ns"] == st.st_mtime_ns:
                    continue
                digest = _sha256(path)
            if old and old["sha256"] == digest:
                files[key] = {**old, **entry}
                continue
            if old:
                dirty.add(old["unit"])
            files[key] = {**entry, "sha256": digest, "unit": None}
            changed.append((path, key, reason))
    listed_keys = {key for _p, key, _r in listed}
    deleted = [k for k in files if k not in listed_keys]
    for k in deleted:
        dirty.add(files.pop(k)["unit"])
    del listed_keys
    dirty.discard(None)  # a file of no unit
    seconds["scan"] = time.perf_counter() - t0
    cpu["scan"] = time.process_time() - cpu0

    # 2. read the changed files (in batches) for their units, then the unchanged files of the
    #    policy units they touch; keep of each policy file only what cluster naming needs
    t0, cpu0, workers_cpu = time.perf_counter(), time.process_time(), workers.cpu
    reader = _Reader(listed, batch_files)
    stubs: dict[str, list[PolicyRecord]] = defaultdict(list)
    source_problems: dict[str, list[Problem]] = {}  # unreadable files: their problems
    size = min(batch_files, TASK_FILES)
    parallel = workers.jobs > 1 and len(changed) > size  # worker processes when there are two tasks or more

    def index(items: list[tuple[Path, str, str | None]], keep: bool) -> dict[str, str]:
        found_all: dict[str, str] = {}
        batches = list(_batches(items, size))
        for batch, (found, batch_stubs, problems, records, _cpu) in zip(
                batches, workers.map(_index_files, ((b, keep) for b in batches), parallel=parallel), strict=True):
            progress.advance(len(batch))
            found_all.update(found)
            for unit, stub in batch_stubs:
                stubs[unit].append(stub)
            for r in records:
                reader.cache[r.source_key] = r
            for key, p in problems:
                source_problems.setdefault(key, []).append(p)
        return found_all

    progress.begin("load", len(changed), "files")
    keep = len(changed) <= batch_files and not parallel  # workers read the files again to convert them
    for key, unit in index(changed, keep).items():
        files.set_unit(key, unit)
        dirty.add(unit)
    members: dict[str, list[str]] = defaultdict(list)
    for key, unit in files.units():
        members[unit].append(key)
    fresh = {key for _p, key, _r in changed}
    extra: list[tuple[Path, str, str | None]] = [(reader.paths[k], k, None) for u in sorted(dirty) if u.startswith("policy:") for k in members.get(u, []) if k not in fresh]
    keep = keep and len(changed) + len(extra) <= batch_files
    if not keep:
        reader.cache.clear()
    progress.set_total(len(changed) + len(extra))
    index(extra, keep)
    progress.end("load")
    seconds["load"] = time.perf_counter() - t0
    cpu.update({"load": time.process_time() - cpu0, "load.workers": workers.cpu - workers_cpu})

    # clusters named two ways in the files of one id are one cluster everywhere: the aliases come
    # from every policy; when they change, every policy is converted again
    lang_order = {"en": 0, "zh": 1}
    new_pairs = {u: cluster_pairs(sorted(rs, key=lambda r: (lang_order.get(r.lang, 9), r.path))) for u, rs in stubs.items()}
    stubs.clear()
    old_pairs = {u: pairs for u, pairs in units.column("cluster_pairs", "policy:", []) if pairs and u not in new_pairs}
    alias = cluster_aliases(pair for u in sorted(u for u in members if u.startswith("policy:"))
                            for pair in (new_pairs[u] if u in new_pairs else [tuple(x) for x in old_pairs.get(u, [])]))
    del old_pairs
    if units and alias != man.get("cluster_alias", {}):
        del store  # release RocksDB before reopening it empty
        ps.close()
        workers.close()
        return build_into_store(paths, directory, validate=validate, rebuild=True, progress=progress, engine=engine,
                                batch_files=batch_files, full_validation=full_validation, jobs=workers.jobs)

    # 3. reconvert the dirty units into their named graphs: policy units in batches of files, then
    #    the units shared by many files (timelines, facilities, country profiles)
    t0, cpu0, workers_cpu = time.perf_counter(), time.process_time(), workers.cpu
    ps.save_manifest("updating")
    sink = _Sink(store, ps.texts)
    removed = 0
    facility_refs: dict[str, int] = man.get("facility_refs", {})  # facility id → policies naming it
    progress.begin("convert", len(dirty), "units")
    for unit in sorted(dirty):
        graph = unit_graph(unit)
        if store.contains_named_graph(graph):
            if unit.startswith("policy:"):
                _count_refs(facility_refs, _named_facilities(store, graph), -1)
            changes.graphs(store, [graph], added=False)
            sink.remove_graph(graph)
        if unit not in members:
            units.pop(unit, None)
            removed += 1
            progress.advance()
    for unit in sorted(u for u in dirty if u in members and u.startswith("source:")):
        progress.advance()
        units[unit] = _convert_source(unit, source_problems.get(unit.partition(":")[2], []), sink)
    policy_units = sorted(u for u in dirty if u in members and u.startswith("policy:"))
    if parallel:  # read and converted in the workers, group by group; the quads come back as N-Quads
        groups = _unit_groups(policy_units, members, reader, new_pairs, size)
        for done, data, count, texts, _cpu in workers.map(_convert_policy_batch, ((g, alias) for g in groups)):
            for unit, entry, named_ids in done:
                progress.advance()
                units[unit] = entry
                _count_refs(facility_refs, set(named_ids), +1)
            sink.add_nquads(data, count, texts)
        sink.flush()  # written before the store changes otherwise
    for by_unit in reader.unit_batches([] if parallel else policy_units, members):
        for unit in sorted(by_unit):
            progress.advance()
            units[unit], named = _convert_policy(unit, by_unit[unit], new_pairs[unit], alias, sink)
            _count_refs(facility_refs, named, +1)
        del by_unit  # the batch's records go before the next batch is read
    titles = sorted((t, pid) for _u, ts in units.column("titles", "policy:", []) for t, pid in ts)
    titles_digest = hashlib.sha256(json.dumps(titles, ensure_ascii=False).encode()).hexdigest()
    if TIMELINES in members and (TIMELINES in dirty or titles_digest != man.get("titles_digest")):
        changes.graphs(store, [unit_graph(TIMELINES)] * (TIMELINES not in dirty), added=False)
        units[TIMELINES] = _convert_timelines(store, reader.load(members[TIMELINES]), titles, sink)
        dirty.add(TIMELINES)
    for unit in (FACILITIES, PROFILES):
        if unit in members and unit in dirty:
            progress.advance()
            units[unit] = _convert_shared_records(store, unit, reader.load(members[unit]), sink)
    sink.flush()
    changes.graphs(store, [unit_graph(u) for u in sorted(dirty)], added=True)
    progress.end("convert")
    seconds["load"] += reader.seconds  # the second reading, batch by batch
    seconds["convert"] = time.perf_counter() - t0 - reader.seconds
    # what the later stages do not read: the listing, its units, the titles (they grow with the input)
    files_changed = len(changed)
    del listed, changed, members, new_pairs, titles
    for held in (reader.paths, reader.position, reader.cache, source_problems):
        held.clear()  # (read by `index` above: cleared, not deleted)
    release_free_memory()
    cpu.update({"convert": time.process_time() - cpu0, "convert.workers": workers.cpu - workers_cpu, "convert.store": sink.seconds,
                "convert.store_wait": sink.waited})

    # 4. the shared graphs, from the per-unit records
    t0, cpu0 = time.perf_counter(), time.process_time()
    man["facility_refs"] = facility_refs
    shared_problems, counts = _shared_graphs(store, units, man, changes)
    _replace_graph(store, unit_graph("build"), build_date_quads(graph=unit_graph("build")), changes)  # as build() dates its graph
    release_free_memory()  # the linker's indexes
    seconds["shared"] = time.perf_counter() - t0
    cpu["shared"] = time.process_time() - cpu0

    man["titles_digest"] = titles_digest
    man["cluster_alias"] = alias
    ps.texts.commit()
    ps.save_manifest("clean")
    store.flush()
    quads = len(store)  # reads every quad of RocksDB: once, for the validation report and the counts
    report = None
    if validate:
        from ccus_kg.incremental import validate_store

        t0, cpu0 = time.perf_counter(), time.process_time()
        with progress.stage("validate", unit="triples"):
            report = validate_store(ps.graph(), directory, changes, engine=engine, full=full_validation, triples=quads)
        release_free_memory()  # the query engine's buffers
        seconds["validate"] = time.perf_counter() - t0
        cpu["validate"] = time.process_time() - cpu0
    else:
        changes.keep(directory)  # the kept results and what this build changed, for the next validation
    problems = not_found + shared_problems + [Problem(**d) for _u, ds in units.column("problems", default=[]) for d in ds]
    problems.sort(key=lambda p: (p.file or "", p.line or 0, p.subject or "", p.code))
    counts.update(files_read=len(files), files_changed=files_changed, quads=quads,
                  policy_events=sum(n for _u, n in units.column("policy_events", default=0)),
                  timeline_events=units.get(TIMELINES, {}).get("events", 0),
                  facilities=len(units.get(FACILITIES, {}).get("ids", [])),
                  profiles=units.get(PROFILES, {}).get("profiles", 0))
    return StoreBuild(units_rebuilt=len(dirty) - removed, units_removed=removed, files_changed=files_changed,
                      files_deleted=len(deleted), counts=counts, problems=problems, seconds=seconds, validation=report,
                      validation_scope=changes.scope, cpu_seconds=cpu)


def _emit_file_problems(out: Emitter, records: list[PolicyRecord]) -> list[Problem]:
    """The problems found while reading ``records``, on their source nodes as a full build shows them."""
    from ccus_kg.namespaces import CCUS
    from ccus_kg.rdf.triples import named_node

    found = [p for r in records for p in r.problems]
    keys = {r.path: r.source_key for r in records}
    for p in found:
        key = keys.get(p.file or "", Path(p.file or "unknown").name)
        source = named_node(iris.source(key))
        out.issue(source, p)
        out.types(source, CCUS.SourceRecord)
        out.plain(source, CCUS.filePath, key)
    return found


def _convert_policy(unit: str, records: list[PolicyRecord], pairs: list[tuple[str, str]], alias: dict[str, str],
                    sink: _Sink | _Collect) -> tuple[dict[str, Any], set[str]]:
    """Convert one policy unit (the files of one id) into its named graph; returns its manifest record
    and the facility ids its ``relatedFacilities`` name (linked both ways in its graph)."""
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.rdf.links import policy_summaries
    from ccus_kg.rdf.policies import convert_records
    from ccus_kg.rdf.triples import Emitter

    captured: list[ox.Quad] = []  # the unit's quads, for the linker's summary of its policy

    def add(quads: list[ox.Quad]) -> None:
        captured.extend(quads)
        sink.add(quads)
    out = Emitter(sink=add, graph=unit_graph(unit))
    ctx = IdentityContext.default()
    conv = convert_records(records, ctx, out, link=False, cluster_alias=alias)
    file_problems = _emit_file_problems(out, records)  # as build() shows them: on the source node
    named, fields = _policy_facility_links(records, out)
    out.flush()
    return {
        "titles": [[r.data.get("title"), r.id] for r in records if isinstance(r.data.get("title"), str)],
        "cluster_pairs": pairs,
        "replaces": [[n, o, *_where(rec)] for (n, o), rec in conv.replaces.items()],
        "consolidates": [[n, o, *_where(rec)] for (n, o), rec in conv.consolidates.items()],
        "clusters": [[iri, name] for iri, name in conv.cluster_names.items()],
        "cluster_other_names": [[iri, sorted(names)] for iri, names in conv.cluster_other_names.items()],
        "policy_events": len(conv.policy_events),
        **_identity_records(ctx),
        "problems": [p.as_dict() for p in file_problems + conv.problems],
        "linker": policy_summaries(captured),
        **({"facility_fields": fields} if fields else {}),
    }, named


def _policy_facility_links(records: list[PolicyRecord], out: Emitter) -> tuple[set[str], list[list[Any]]]:
    """Emit the links of the facilities that ``records`` (one policy) name in ``relatedFacilities``, both
    ways, as :func:`~ccus_kg.rdf.facility_links.link_policies_and_facilities` does; returns the facility
    ids and ``[path, line]`` of each file naming some (for the problems about ids without a record)."""
    from ccus_kg.mapping import get_path, load_mapping
    from ccus_kg.namespaces import CCUS
    from ccus_kg.rdf.records import as_list
    from ccus_kg.rdf.triples import named_node

    named: set[str] = set()
    fields: list[list[Any]] = []
    for key in (f.path for f in load_mapping("policy").of_kind("facility-links")):
        for r in records:
            ids = as_list(get_path(r.data, key))
            if ids:
                named.update(ids)
                fields.append([r.path, r.line_of(key)])
    if named:
        p = named_node(iris.policy(records[0].id))
        for fid in sorted(named):
            f = named_node(iris.facility(fid))
            out.add(p, CCUS.relatedFacility, f)
            out.add(f, CCUS.relatedPolicy, p)
    return named, fields


def _named_facilities(store: ox.Store, graph: ox.NamedNode) -> set[str]:
    """The facility ids a policy unit's graph links to (``ccus:relatedFacility``)."""
    from ccus_kg.namespaces import CCUS

    return {unquote(q.object.value.rsplit("/", 1)[1]) for q in store.quads_for_pattern(None, CCUS.relatedFacility, None, graph)
            if isinstance(q.object, ox.NamedNode)}


def _count_refs(counts: dict[str, int], ids: set[str], step: int) -> None:
    for fid in ids:
        n = counts.get(fid, 0) + step
        if n > 0:
            counts[fid] = n
        else:
            counts.pop(fid, None)


def _convert_source(unit: str, problems: list[Problem], sink: _Sink) -> dict[str, Any]:
    """An unreadable or unknown file: its problems, kept visible in the graph (as build() names it)."""
    from ccus_kg.namespaces import CCUS
    from ccus_kg.rdf.triples import Emitter, named_node

    out = Emitter(sink=sink.add, graph=unit_graph(unit))
    for p in problems:
        name = Path(p.file or "unknown").name  # as build() names a file it could not read
        source = named_node(iris.source(name))
        out.issue(source, p)
        out.types(source, CCUS.SourceRecord)
        out.plain(source, CCUS.filePath, name)
    out.flush()
    return {"problems": [p.as_dict() for p in problems]}


def _convert_timelines(store: ox.Store, docs: LoadResult, titles: list[tuple[str, str]], sink: _Sink) -> dict[str, Any]:
    """The timeline compilations into their one named graph (events merge across compilations)."""
    from ccus_kg.rdf.events import PolicyTitleIndex, convert_timelines
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.rdf.triples import Emitter

    graph = unit_graph(TIMELINES)
    if store.contains_named_graph(graph):
        sink.remove_graph(graph)
    ctx = IdentityContext.default()
    out = Emitter(sink=sink.add, graph=graph)
    event_problems, events, _links = convert_timelines(
        [(doc, docs.source_keys[doc.path]) for doc in docs.timelines], ctx, PolicyTitleIndex.from_titles(titles), out)
    out.flush()
    return {"events": len(events), **_identity_records(ctx), "problems": [p.as_dict() for p in event_problems]}


def _convert_shared_records(store: ox.Store, unit: str, loaded: LoadResult, sink: _Sink) -> dict[str, Any]:
    """Every facility (``unit`` = ``facilities``) or country-profile (``profiles``) file into one named
    graph: organisations, hubs and aliases are shared between facilities, so they convert together."""
    from ccus_kg.rdf.countries import convert_profiles
    from ccus_kg.rdf.facilities import convert_facilities
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.rdf.triples import Emitter

    graph = unit_graph(unit)
    if store.contains_named_graph(graph):
        sink.remove_graph(graph)
    ctx = IdentityContext.default()
    out = Emitter(sink=sink.add, graph=graph)
    entry: dict[str, Any]
    if unit == FACILITIES:
        records = loaded.facilities
        fac = convert_facilities(records, ctx, out)
        problems = fac.problems
        entry = {"ids": sorted(fac.facilities), "policy_refs": [[fid, [list(x) for x in refs]] for fid, refs in sorted(fac.policy_refs.items())]}
    else:
        records = loaded.profiles
        prof = convert_profiles(records, ctx, out)
        problems = prof.problems
        entry = {"profiles": len(prof.profiles)}
    file_problems = _emit_file_problems(out, records)
    out.flush()
    return {**entry, **_identity_records(ctx), "problems": [p.as_dict() for p in file_problems + problems]}


_LINK_FIELDS = ("evolution.supersedes", "evolution.supersededBy", "evolution.consolidatedFrom")


def _where(record: PolicyRecord) -> list[Any]:
    """What :func:`~ccus_kg.rdf.policies.emit_links` reads of the record that stated a link: path,
    language, the lines of the link fields, the front matter's line."""
    return [record.path, record.lang, {f: record.line_of(f) for f in _LINK_FIELDS}, record.fm_line]


def _identity_records(ctx: IdentityContext) -> dict[str, Any]:
    """The identity nodes a unit used, as JSON-ready records (to recompute the shared identity graph)."""
    return {
        "jurisdictions": [asdict(j) for j in ctx.used_jurisdictions.values()],
        "agencies": [asdict(a) for a in ctx.used_agencies.values()],
    }


def _shared_graphs(store: ox.Store, units: UnitTable, man: Manifest,
                   changes: ChangeSet | None = None) -> tuple[list[Problem], dict[str, int]]:
    """Recompute the identities, links, inferred-links and vocabularies graphs; returns (problems, counts).

    The linker works from the policy summaries in ``units`` and its state of the last build in
    ``man`` (both updated here), and the inferred graph changes by the links that changed."""
    from ccus_kg.identity.agencies import Agency
    from ccus_kg.identity.jurisdictions import Jurisdiction
    from ccus_kg.rdf.identity_context import IdentityContext, emit_identities
    from ccus_kg.rdf.links import infer_links, linker_quads, policy_texts
    from ccus_kg.rdf.policies import Conversion, emit_links
    from ccus_kg.rdf.triples import Emitter

    ctx = IdentityContext.default()
    merged = Conversion([], [])
    known: set[str] = set()

    def record(path: str, lang: str, lines: dict[str, int], fm_line: int) -> PolicyRecord:
        return PolicyRecord(path=path, lang=lang, data={}, body="", front_matter_format="json", lines=lines, fm_line=fm_line)

    def in_order() -> Iterator[tuple[str, dict[str, Any]]]:  # policies by id, timelines, facilities, profiles
        yield from units.items("policy:")
        for u in (TIMELINES, FACILITIES, PROFILES):
            if (e := units.get(u)) is not None:
                yield u, e

    for unit, e in in_order():  # the order of a full build; first seen wins
        if unit.startswith("policy:"):
            known.add(unit.partition(":")[2])
        for j in e.get("jurisdictions", []):
            ctx.used_jurisdictions.setdefault(j["code"], _revive(Jurisdiction, j))
        for a in e.get("agencies", []):
            ctx.used_agencies.setdefault(iris.agency(a["jurisdiction"], a["key"]), _revive(Agency, a))
        for n, o, *where in e.get("replaces", []):
            merged.replaces.setdefault((n, o), record(*where))
        for n, o, *where in e.get("consolidates", []):
            merged.consolidates.setdefault((n, o), record(*where))
        for iri, name in e.get("clusters", []):
            merged.cluster_names.setdefault(iri, name)
        for iri, names in e.get("cluster_other_names", []):
            merged.cluster_other_names.setdefault(iri, set()).update(names)
    identities = Emitter(graph=unit_graph("identities"))
    emit_identities(ctx, identities)
    links = Emitter(graph=unit_graph("links"))
    problems, dangling = emit_links(merged, known, ctx, links)
    _replace_graph(store, unit_graph("identities"), identities.quads, changes)
    _replace_graph(store, unit_graph("links"), links.quads, changes)
    facility_links = Emitter(graph=unit_graph("facility-links"))
    problems += _facility_links(store, units, man.get("facility_refs", {}), known, facility_links)
    _replace_graph(store, unit_graph("facility-links"), facility_links.quads, changes)
    # the linker reads what a full build gives it: the policies (from their summaries; texts asked
    # for when a rule needs them), the timelines and the identities; only changed works are re-paired
    context = identities.quads + [q for u in (TIMELINES, FACILITIES, PROFILES) for q in linker_quads(store, unit_graph(u))]
    policies = (s for _u, summaries in units.column("linker", "policy:", []) for s in summaries)
    previous = _linker_state(man)
    linked = infer_links(context, policies=policies, texts=lambda iri: policy_texts(store, iri), previous=previous, emit=False)
    _update_inferred(store, man.get("inferred", {}), previous or {}, linked, changes)
    del previous
    man["linker"] = {k: linked.state[k] for k in ("context", "format")}  # its works (digest, features), hits, links: rows
    features = linked.state["features"]
    man.set_rows("linker.works", ([iri, digest, features.get(iri)] for iri, digest in linked.state["works"].items()))
    man.set_rows("linker.hits", linked.state["hits"])
    man.set_rows("linker.links", linked.state["links"])
    man["inferred"] = {"cites": [_link_row(k) for k in linked.made if k.kind == "cites"],
                       "named": [[iri, title, lang] for iri, (title, lang) in linked.named.items()],
                       "events": sorted(set(linked.event_links))}
    problems += linked.problems
    vocab = unit_graph("vocabularies")
    _replace_graph(store, vocab, [ox.Quad(t.subject, t.predicate, t.object, vocab) for t in ctx.vocabularies.triples()], changes)
    counts = {"policies": len(known), "dangling_policies": len(dangling), "agencies": len(ctx.used_agencies),
              "jurisdictions": len(ctx.used_jurisdictions), "clusters": len(merged.cluster_names)}
    return problems, counts


def _linker_state(man: Manifest) -> dict[str, Any] | None:
    """The linker's state of the last build (``previous`` of :func:`~ccus_kg.rdf.links.infer_links`), or None."""
    head = man.get("linker")
    if head is None:
        return None
    works, features = {}, {}
    for iri, digest, *feature in man.rows("linker.works"):  # [iri, digest, features]; [iri, digest] before
        works[iri] = digest
        if feature and feature[0] is not None:
            features[iri] = feature[0]
    return {**head, "works": works, "features": features, "hits": list(man.rows("linker.hits")), "links": list(man.rows("linker.links"))}


def _facility_links(store: ox.Store, units: UnitTable, refs: dict[str, int], known: set[str],
                    out: Emitter) -> list[Problem]:
    """What :func:`~ccus_kg.rdf.facility_links.link_policies_and_facilities` adds to the policy graphs'
    own links: the links stated by facility records, nodes for facility ids named by policies without a
    facility record (``refs``: facility id → policies naming it) and for policy ids named by facilities
    without a policy record; returns the problems it reports about them (a policy file named by its
    first file naming facilities)."""
    from ccus_kg.namespaces import CCUS, DCTERMS, XSD
    from ccus_kg.rdf.facility_links import link_policies_and_facilities
    from ccus_kg.rdf.triples import Emitter, named_node

    facilities = units.get(FACILITIES, {})
    facility_ids = set(facilities.get("ids", []))
    facility_side = {fid: [(pid, path, line) for pid, path, line in rows] for fid, rows in facilities.get("policy_refs", [])}
    dangling = sorted(fid for fid in refs if fid not in facility_ids)
    if not facility_ids:
        dangling = dangling[:1]  # one problem names the first (the graph gets a node for every one below)
    stated: list[PolicyRecord] = []  # the policies naming the dangling ids, as records naming only those
    by_policy: dict[str, list[str]] = defaultdict(list)
    for fid in dangling:
        for q in store.quads_for_pattern(None, CCUS.relatedFacility, named_node(iris.facility(fid))):
            found = next(iter(store.quads_for_pattern(q.subject, DCTERMS.identifier, None, q.graph_name)), None)
            if found is not None and isinstance(found.object, ox.Literal):
                by_policy[found.object.value].append(fid)
    for pid, fids in sorted(by_policy.items()):
        path, line = units.get(f"policy:{pid}", {}).get("facility_fields", [[None, None]])[0]
        stated.append(PolicyRecord(path=path or "", lang="", data={"id": pid, "relatedFacilities": sorted(set(fids))},
                                   body="", front_matter_format="json", lines={"relatedFacilities": line} if line else {}))
    problems: list[Problem] = []
    links = Emitter(graph=out.graph)
    report = link_policies_and_facilities(stated, facility_ids, facility_side, links, problems, policy_ids=known)
    if not facility_ids and refs:  # every named id is dangling: the message counts them all
        problems = [dataclasses.replace(p, message=p.message.replace(f"name {len(report['dangling_facility_ids'])} facility ids",
                                                                     f"name {len(refs)} facility ids")) for p in problems]
    out.quads += links.quads  # facility-side links (and again the policy-side links of dangling ids)
    for fid in sorted(refs):
        if fid not in facility_ids and fid not in dangling:
            f = named_node(iris.facility(fid))
            out.types(f, CCUS.Facility)
            out.plain(f, DCTERMS.identifier, fid)
            out.add(f, CCUS.inCorpus, ox.Literal("false", datatype=XSD.boolean))
    return problems


def _link_row(link) -> list[Any]:
    return [link.source, link.kind, link.target, link.inferred, link.rule, link.evidence, link.confidence]


def _update_inferred(store: ox.Store, old: dict[str, Any], old_state: dict[str, Any], linked,
                     changes: ChangeSet | None = None) -> None:
    """Bring the inferred named graph from the last build's linker output (``old``, ``old_state``)
    to ``linked``'s by difference: links, named works and timeline-item links that changed.  The quads
    removed go first; the quads added are streamed into the store in chunks (a first build adds
    hundreds of thousands: one transaction of them all held about 70 MB per 10,000 policies)."""
    from ccus_kg.incremental import ChangeSet
    from ccus_kg.rdf.links import Link, emit_link, emit_named_work
    from ccus_kg.rdf.triples import Emitter

    changes = changes or ChangeSet()  # records nothing unless given
    graph = unit_graph("inferred")
    old_links = {tuple(row) for rows in (old_state.get("links", []), old.get("cites", [])) for row in rows}
    new_links = {tuple(_link_row(k)) for k in linked.made}
    old_named = {iri: (title, lang) for iri, title, lang in old.get("named", [])}
    old_events = {tuple(e) for e in old.get("events", [])}
    new_events = set(linked.event_links)
    for row in old_links - new_links:
        link = Link(*row)
        removed = Emitter(graph=graph)
        emit_link(removed, link)
        statement = ox.NamedNode(iris.lineage_link(link.source, link.kind, link.target))
        for q in [*store.quads_for_pattern(statement, None, None, graph),  # as stored ("0.50" is "0.5")
                  *(q for q in removed.quads if q.subject != statement)]:
            store.remove(q)
            changes.removed([q])
    for iri, value in old_named.items():
        if linked.named.get(iri) != value:
            for q in list(store.quads_for_pattern(ox.NamedNode(iri), None, None, graph)):
                store.remove(q)
                changes.removed([q])
    for e, p, w in old_events - new_events:
        store.remove(ox.Quad(ox.NamedNode(e), ox.NamedNode(p), ox.NamedNode(w), graph))
        changes.removed([ox.Quad(ox.NamedNode(e), ox.NamedNode(p), ox.NamedNode(w), graph)])
    sink = _Sink(store, None)  # no text: the graph changes by difference

    def add(quads: list[ox.Quad]) -> None:
        changes.added(quads)
        sink.add(quads)
    out = Emitter(sink=add, graph=graph)
    for row in new_links - old_links:
        emit_link(out, Link(*row))
        out.flush_if_full()
    for iri, (title, lang) in linked.named.items():
        if old_named.get(iri) != (title, lang):
            emit_named_work(out, iri, title, lang)
    for e, p, w in new_events - old_events:
        out.add(ox.NamedNode(e), ox.NamedNode(p), ox.NamedNode(w))
    out.flush()
    sink.flush()


def _replace_graph(store: ox.Store, graph: ox.NamedNode, quads: list[ox.Quad], changes: ChangeSet | None = None) -> None:
    """Make ``graph`` hold exactly ``quads``, by difference (one changed file changes a few quads of the shared graphs)."""
    old = set(store.quads_for_pattern(None, None, None, graph))
    new = set(quads)
    for q in old - new:  # removals first: "0.50"^^xsd:decimal is stored as "0.5", which must not remove it again
        store.remove(q)
    sink = _Sink(store, None)  # in bulk when many are added (a first build); no text: changed by difference
    sink.add(list(new - old))
    sink.flush()
    if changes is not None:
        changes.removed(old - new)
        changes.added(new - old)


def store_exists(directory: str | Path) -> bool:
    """True when ``directory`` holds a ccus-kg store (its manifest)."""
    return any(os.path.exists(Path(directory) / name) for name in (MANIFEST_NAME, "manifest.json"))  # .json: format 3 and older
