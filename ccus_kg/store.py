"""A persistent store for incremental builds: ``ccus-kg build … --store DIR``.

``DIR`` holds ``oxigraph/`` (a pyoxigraph RocksDB store) and ``manifest.json`` (what each source
file held: size, modification time, SHA-256 content hash, and what its conversion contributed to
the graphs shared between files).  The store keeps one **named graph per conversion unit**:

* ``<https://w3id.org/ccus-kg/graph/policy/{id}>`` — a policy record id: every triple converted from
  its files.  The ``en`` and ``zh`` files of one id merge into one resource (values compared across
  the files), so they are converted and replaced together; the graph says which files it came from
  (``prov:wasDerivedFrom`` each ``ccus:SourceRecord``);
* ``<…/graph/source/{key}>`` — a file that could not be read, with its ``ccus:DataIssue``;
* ``<…/graph/timelines>`` — the timeline compilations (events merge across compilations and link
  to policies by title, so they are converted together when one of them or a policy title changes);
* ``<…/graph/identities>`` — the jurisdictions and issuing agencies used, ``<…/graph/links>`` —
  supersedes links in both directions, targets not in the input and the cluster nodes, and
  ``<…/graph/vocabularies>`` — the SKOS concept schemes.  These are shared by many files, so they
  are recomputed on every build from the per-unit resolution records kept in the manifest
  (jurisdictions and agencies used, supersedes statements, cluster names): cheap (hundreds of
  nodes), and exactly what a full build makes.  ``<…/graph/build>`` holds the build date
  (:func:`ccus_kg.rdf.dataset.build_date_quads`), written on every build.

A rebuild reads only files whose size or modification time changed, compares their hash, and
reconverts only the units those files belonged to or now belong to; deleted and renamed files
remove or move their unit.  The union of the named graphs is the same RDF graph as a full
in-memory build of the same files (``tests/test_store.py`` compares them triple for triple).

Crash safety: a marker file ``UPDATING`` is written before the store changes and removed after
the manifest is written (atomically, state ``clean``); a store found with the marker, or with a
manifest not ``clean``, is rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ccus_kg import __version__
from ccus_kg.errors import InputError
from ccus_kg.files import write_text_atomic
from ccus_kg.identity import iris
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.progress import Progress
from ccus_kg.rdf.graph import KnowledgeGraph

if TYPE_CHECKING:
    from ccus_kg.ingest.loader import LoadResult
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.validate import ValidationReport

# Reading a store (queries) needs only pyoxigraph: the converters, resolvers and the loader are
# imported inside the build functions, so a `ccus-kg query --store` process starts in ~0.3 s.

__all__ = ["PolicyStore", "StoreBuild", "build_into_store", "GRAPH_BASE", "unit_graph"]

#: Base IRI of the named graphs.
GRAPH_BASE = "https://w3id.org/ccus-kg/graph/"
MANIFEST_FORMAT = 2
TIMELINES = "timelines"


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
    ``validation``: the SHACL report of the whole store (None when not validated).
    """

    units_rebuilt: int
    units_removed: int
    files_changed: int
    files_deleted: int
    counts: dict[str, int]
    problems: list[Problem]
    seconds: dict[str, float] = field(default_factory=dict)
    validation: ValidationReport | None = None


class PolicyStore:
    """The persistent store in ``directory``: a RocksDB pyoxigraph store and the manifest."""

    def __init__(self, directory: Path, store: ox.Store):
        self.directory = directory
        self.store = store
        self._manifest: dict[str, Any] | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest (read on first use: queries do not need it)."""
        if self._manifest is None:
            path = self.directory / "manifest.json"
            self._manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return self._manifest

    @classmethod
    def open(cls, directory: str | Path, *, read_only: bool = False) -> PolicyStore:
        """Open (or, unless ``read_only``, create) the store in ``directory``.

        Raises :class:`~ccus_kg.errors.InputError` when ``read_only`` and there is no store, or
        when RocksDB cannot open it (another process writing, for instance).
        """
        directory = Path(directory)
        db = directory / "oxigraph"
        if read_only and not (directory / "manifest.json").exists():
            raise InputError("no ccus-kg store here; build one with `ccus-kg build … --store DIR`", path=str(directory))
        try:
            store = ox.Store.read_only(str(db)) if read_only else ox.Store(str(db))
        except OSError as exc:
            raise InputError(f"cannot open the store: {exc}", path=str(directory)) from None
        return cls(directory, store)

    def __enter__(self) -> PolicyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush (when writable) and release the store."""
        del self.store

    def graph(self) -> KnowledgeGraph:
        """The union of the named graphs as a :class:`KnowledgeGraph` (queries, export)."""
        return KnowledgeGraph(self.store, union=True)

    @property
    def updating(self) -> bool:
        """Whether a build was changing the store and did not finish (the ``UPDATING`` marker file)."""
        return (self.directory / "UPDATING").exists() or self.manifest.get("state") != "clean"

    def save_manifest(self, state: str) -> None:
        """``updating``: write the marker file only (the manifest is megabytes; it is written once per
        build); ``clean``: write the manifest atomically, then remove the marker."""
        marker = self.directory / "UPDATING"
        if state == "updating":
            write_text_atomic(marker, "a ccus-kg build is changing this store; a build that finds this file rebuilds it\n")
            return
        self.manifest.update(format=MANIFEST_FORMAT, version=__version__, state=state)
        write_text_atomic(self.directory / "manifest.json", json.dumps(self.manifest, ensure_ascii=False, separators=(",", ":")))
        marker.unlink(missing_ok=True)


class _Sink:
    """Buffers quads for the RocksDB store: large batches go through ``bulk_extend`` (SST files,
    about 5× faster than ``extend``), small ones through ``extend`` (a bulk load costs ~0.1 s)."""

    def __init__(self, store: ox.Store, chunk: int = 200_000):
        self.store, self.chunk = store, chunk
        self.buffer: list[ox.Quad] = []

    def add(self, quads: list[ox.Quad]) -> None:
        self.buffer.extend(quads)
        if len(self.buffer) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if len(self.buffer) >= 10_000:
            self.store.bulk_extend(self.buffer)
        elif self.buffer:
            self.store.extend(self.buffer)
        self.buffer = []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unit_of_file(loaded: LoadResult, shown_to_key: dict[str, str]) -> dict[str, str]:
    """File key → unit key for the freshly loaded files."""
    units: dict[str, str] = {}
    for r in loaded.records:
        units[r.source_key] = f"policy:{r.id}"
    for doc in loaded.timelines:
        units[shown_to_key[doc.path]] = TIMELINES
    for p in loaded.problems:
        key = shown_to_key.get(p.file or "")
        if key is not None and key not in units:
            units[key] = f"source:{key}"
    return units


def build_into_store(paths, directory: str | Path, *, validate: bool = False, rebuild: bool = False,
                     progress: Progress | None = None, engine: str = "oxigraph") -> StoreBuild:
    """Build (or bring up to date) the persistent store in ``directory`` from ``paths``.

    Only files whose content changed since the last build are read (size and modification time,
    then SHA-256), and only their units are reconverted; the shared graphs are recomputed.
    ``rebuild``: start from an empty store.  ``validate``: run the SHACL shapes on the union of the
    named graphs, in place (``engine`` ``"oxigraph"``: SPARQL over the RocksDB store, no copy; see
    :func:`ccus_kg.validate.validate`), after the store is saved.  Returns a :class:`StoreBuild`.  Bad input never raises (it is in
    ``problems``); raises :class:`~ccus_kg.errors.InputError` when the store cannot be opened.
    """
    from ccus_kg.ingest.agreement import cluster_pairs
    from ccus_kg.ingest.loader import iter_files, load_files, shown_path
    from ccus_kg.namespaces import CCUS
    from ccus_kg.rdf.dataset import build_date_quads
    from ccus_kg.rdf.events import PolicyTitleIndex, convert_timelines
    from ccus_kg.rdf.facility_links import link_policies_and_facilities
    from ccus_kg.rdf.identity_context import IdentityContext
    from ccus_kg.rdf.links import policy_summaries
    from ccus_kg.rdf.policies import cluster_aliases, convert_records
    from ccus_kg.rdf.triples import Emitter, named_node

    progress = progress or Progress()
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ps = PolicyStore.open(directory)
    store, man = ps.store, ps.manifest
    if rebuild or ps.updating or man.get("format") != MANIFEST_FORMAT or man.get("version") != __version__:
        store.clear()
        man.clear()
    old_files: dict[str, dict[str, Any]] = man.get("files", {})
    units: dict[str, dict[str, Any]] = man.get("units", {})

    # 1. what changed: stat, then content hash
    not_found: list[Problem] = []
    listed = list(iter_files([Path(p) for p in paths], not_found))
    files: dict[str, dict[str, Any]] = {}
    changed: list[tuple[Path, str, str | None]] = []
    with progress.stage("scan", total=len(listed), unit="files"):
        for path, key, reason in listed:
            progress.advance()
            old = old_files.get(key)
            if reason is not None:  # not a regular file (a FIFO, a dangling link …): its reason is its content
                entry: dict[str, Any] = {"size": -1, "mtime_ns": -1}
                digest = "not-a-file: " + reason
            else:
                st = path.stat()
                entry = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
                if old and old["size"] == st.st_size and old["mtime_ns"] == st.st_mtime_ns:
                    files[key] = old
                    continue
                digest = _sha256(path)
            if old and old["sha256"] == digest:
                files[key] = {**old, **entry}
                continue
            files[key] = {**entry, "sha256": digest, "unit": None}
            changed.append((path, key, reason))
    deleted = [k for k in old_files if k not in files]
    dirty: set[str] = {old_files[k]["unit"] for k in deleted}
    dirty |= {old_files[k]["unit"] for _p, k, _r in changed if k in old_files}
    seconds["scan"] = time.perf_counter() - t0

    # 2. read the changed files; then the unchanged files of the units they touch
    t0 = time.perf_counter()
    paths_by_key = {key: path for path, key, _r in listed}
    progress.begin("load", len(changed), "files")
    loaded = load_files(changed, progress=progress)
    new_units = _unit_of_file(loaded, {shown_path(path): key for path, key, _r in changed})
    for key, unit in new_units.items():
        files[key]["unit"] = unit
    dirty |= set(new_units.values())
    members: dict[str, list[str]] = defaultdict(list)
    for key, entry in files.items():
        if entry["unit"] is not None:
            members[entry["unit"]].append(key)
    fresh = {key for _p, key, _r in changed}
    extra: list[tuple[Path, str, str | None]] = [(paths_by_key[k], k, None) for u in sorted(dirty) if u.startswith("policy:") for k in members.get(u, []) if k not in fresh]
    more = load_files(extra)
    records: dict[str, list[PolicyRecord]] = defaultdict(list)
    for r in loaded.records + more.records:
        records[f"policy:{r.id}"].append(r)
    progress.end("load")
    seconds["load"] = time.perf_counter() - t0

    # clusters named two ways in the files of one id are one cluster everywhere: the aliases come
    # from every policy; when they change, every policy is converted again
    lang_order = {"en": 0, "zh": 1}
    new_pairs = {u: cluster_pairs(sorted(rs, key=lambda r: (lang_order.get(r.lang, 9), r.path))) for u, rs in records.items()}
    alias = cluster_aliases(pair for u in sorted(u for u in members if u.startswith("policy:"))
                            for pair in (new_pairs[u] if u in new_pairs else [tuple(x) for x in units.get(u, {}).get("cluster_pairs", [])]))
    if units and alias != man.get("cluster_alias", {}):
        del store  # release RocksDB before reopening it empty
        ps.close()
        return build_into_store(paths, directory, validate=validate, rebuild=True, progress=progress, engine=engine)

    # 3. reconvert the dirty units into their named graphs
    t0 = time.perf_counter()
    ps.save_manifest("updating")
    sink = _Sink(store)
    removed = 0
    progress.begin("convert", len(dirty), "units")
    for unit in sorted(dirty):
        progress.advance()
        graph = unit_graph(unit)
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        if unit not in members:
            units.pop(unit, None)
            removed += 1
            continue
        if unit == TIMELINES:
            continue  # after every policy unit (it needs their titles)
        captured: list[ox.Quad] = []  # the unit's quads, for the linker's summary of its policy

        def add(quads: list[ox.Quad], captured: list[ox.Quad] = captured) -> None:
            captured.extend(quads)
            sink.add(quads)
        out = Emitter(sink=add, graph=graph)
        ctx = IdentityContext.default()
        if unit.startswith("policy:"):
            conv = convert_records(records[unit], ctx, out, link=False, cluster_alias=alias)
            # relatedFacilities → facility nodes, as build() makes them with no facility records
            # (facility and country-profile files are not converted into a store yet: build without --store)
            link_policies_and_facilities(records[unit], set(), {}, out, [])
            file_problems = [p for r in records[unit] for p in r.problems]  # as build() shows them: on the source node
            keys = {r.path: r.source_key for r in records[unit]}
            for p in file_problems:
                key = keys.get(p.file or "", Path(p.file or "unknown").name)
                source = named_node(iris.source(key))
                out.issue(source, p)
                out.types(source, CCUS.SourceRecord)
                out.plain(source, CCUS.filePath, key)
            out.flush()
            units[unit] = {
                "titles": [[r.data.get("title"), r.id] for r in records[unit] if isinstance(r.data.get("title"), str)],
                "cluster_pairs": new_pairs[unit],
                "replaces": [[n, o, *_where(rec)] for (n, o), rec in conv.replaces.items()],
                "consolidates": [[n, o, *_where(rec)] for (n, o), rec in conv.consolidates.items()],
                "clusters": [[iri, name] for iri, name in conv.cluster_names.items()],
                "cluster_other_names": [[iri, sorted(names)] for iri, names in conv.cluster_other_names.items()],
                "policy_events": len(conv.policy_events),
                **_identity_records(ctx),
                "problems": [p.as_dict() for p in file_problems + conv.problems],
                "linker": policy_summaries(captured),
            }
        else:  # an unreadable or unknown file: its problems, kept visible in the graph
            key = unit.partition(":")[2]
            shown = shown_path(paths_by_key[key])
            problems = [p for p in loaded.problems if p.file == shown]
            name = loaded.source_keys.get(shown, Path(shown).name)  # as build() names it
            source = named_node(iris.source(name))
            for p in problems:
                out.issue(source, p)
                out.types(source, CCUS.SourceRecord)
                out.plain(source, CCUS.filePath, name)
            out.flush()
            units[unit] = {"problems": [p.as_dict() for p in problems]}

    titles = sorted((t, pid) for u, e in units.items() if u.startswith("policy:") for t, pid in e["titles"])
    titles_digest = hashlib.sha256(json.dumps(titles, ensure_ascii=False).encode()).hexdigest()
    if TIMELINES in members and (TIMELINES in dirty or titles_digest != man.get("titles_digest")):
        graph = unit_graph(TIMELINES)
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        docs = load_files([(paths_by_key[k], k, None) for k in sorted(members[TIMELINES])])
        ctx = IdentityContext.default()
        out = Emitter(sink=sink.add, graph=graph)
        event_problems, events, _links = convert_timelines(
            [(doc, docs.source_keys[doc.path]) for doc in docs.timelines], ctx, PolicyTitleIndex.from_titles(titles), out)
        out.flush()
        units[TIMELINES] = {"events": len(events), **_identity_records(ctx), "problems": [p.as_dict() for p in event_problems]}
        dirty.add(TIMELINES)
    sink.flush()
    progress.end("convert")
    seconds["convert"] = time.perf_counter() - t0

    # 4. the shared graphs, from the per-unit records
    t0 = time.perf_counter()
    shared_problems, counts = _shared_graphs(store, units, man)
    _replace_graph(store, unit_graph("build"), build_date_quads(graph=unit_graph("build")))  # as build() dates its graph
    seconds["shared"] = time.perf_counter() - t0

    man["files"] = files
    man["units"] = units
    man["titles_digest"] = titles_digest
    man["cluster_alias"] = alias
    ps.save_manifest("clean")
    store.flush()
    report = None
    if validate:
        from ccus_kg.validate import validate as shacl_validate

        t0 = time.perf_counter()
        with progress.stage("validate", unit="triples"):
            report = shacl_validate(ps.graph(), engine=engine)
        seconds["validate"] = time.perf_counter() - t0
    problems = not_found + shared_problems + [Problem(**d) for e in units.values() for d in e.get("problems", [])]
    problems.sort(key=lambda p: (p.file or "", p.line or 0, p.subject or "", p.code))
    counts.update(files_read=len(files), files_changed=len(changed), quads=len(store),
                  policy_events=sum(e.get("policy_events", 0) for e in units.values()),
                  timeline_events=units.get(TIMELINES, {}).get("events", 0))
    ps.close()
    return StoreBuild(units_rebuilt=len(dirty) - removed, units_removed=removed, files_changed=len(changed),
                      files_deleted=len(deleted), counts=counts, problems=problems, seconds=seconds, validation=report)


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


def _shared_graphs(store: ox.Store, units: dict[str, dict[str, Any]], man: dict[str, Any]) -> tuple[list[Problem], dict[str, int]]:
    """Recompute the identities, links, inferred-links and vocabularies graphs; returns (problems, counts).

    The linker works from the policy summaries in ``units`` and its state of the last build in
    ``man`` (both updated here), and the inferred graph changes by the links that changed."""
    from ccus_kg.identity.agencies import Agency
    from ccus_kg.identity.jurisdictions import Jurisdiction
    from ccus_kg.rdf.identity_context import IdentityContext, emit_identities
    from ccus_kg.rdf.links import infer_links, linker_quads, policy_texts
    from ccus_kg.rdf.policies import Conversion, emit_links
    from ccus_kg.rdf.triples import Emitter

    order = sorted(u for u in units if u.startswith("policy:")) + ([TIMELINES] if TIMELINES in units else [])
    ctx = IdentityContext.default()
    merged = Conversion([], [])

    def record(path: str, lang: str, lines: dict[str, int], fm_line: int) -> PolicyRecord:
        return PolicyRecord(path=path, lang=lang, data={}, body="", front_matter_format="json", lines=lines, fm_line=fm_line)

    for unit in order:  # the order of a full build: policies by id, then timelines; first seen wins
        e = units[unit]
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
    known = {u.partition(":")[2] for u in units if u.startswith("policy:")}
    identities = Emitter(graph=unit_graph("identities"))
    emit_identities(ctx, identities)
    links = Emitter(graph=unit_graph("links"))
    problems, dangling = emit_links(merged, known, ctx, links)
    _replace_graph(store, unit_graph("identities"), identities.quads)
    _replace_graph(store, unit_graph("links"), links.quads)
    # the linker reads what a full build gives it: the policies (from their summaries; texts asked
    # for when a rule needs them), the timelines and the identities; only changed works are re-paired
    context = identities.quads + list(linker_quads(store, unit_graph(TIMELINES)))
    policies = [s for u in order if u != TIMELINES for s in units[u].get("linker", [])]
    linked = infer_links(context, policies=policies, texts=lambda iri: policy_texts(store, iri), previous=man.get("linker"), emit=False)
    _update_inferred(store, man.get("inferred", {}), man.get("linker", {}), linked)
    man["linker"] = linked.state
    man["inferred"] = {"cites": [_link_row(k) for k in linked.made if k.kind == "cites"],
                       "named": [[iri, title, lang] for iri, (title, lang) in linked.named.items()],
                       "events": sorted(set(linked.event_links))}
    problems += linked.problems
    vocab = unit_graph("vocabularies")
    _replace_graph(store, vocab, [ox.Quad(t.subject, t.predicate, t.object, vocab) for t in ctx.vocabularies.triples()])
    counts = {"policies": len(known), "dangling_policies": len(dangling), "agencies": len(ctx.used_agencies),
              "jurisdictions": len(ctx.used_jurisdictions), "clusters": len(merged.cluster_names)}
    return problems, counts


def _link_row(link) -> list[Any]:
    return [link.source, link.kind, link.target, link.inferred, link.rule, link.evidence, link.confidence]


def _update_inferred(store: ox.Store, old: dict[str, Any], old_state: dict[str, Any], linked) -> None:
    """Bring the inferred named graph from the last build's linker output (``old``, ``old_state``)
    to ``linked``'s by difference: links, named works and timeline-item links that changed."""
    from ccus_kg.rdf.links import Link, emit_link, emit_named_work
    from ccus_kg.rdf.triples import Emitter

    graph = unit_graph("inferred")
    out = Emitter(graph=graph)
    old_links = {tuple(row) for row in old_state.get("links", []) + old.get("cites", [])}
    new_links = {tuple(_link_row(k)) for k in linked.made}
    gone: list[ox.Quad] = []
    for row in old_links - new_links:
        link = Link(*row)
        removed = Emitter(graph=graph)
        emit_link(removed, link)
        statement = ox.NamedNode(iris.lineage_link(link.source, link.kind, link.target))
        gone += store.quads_for_pattern(statement, None, None, graph)  # as stored ("0.50" is "0.5")
        gone += [q for q in removed.quads if q.subject != statement]
    for row in new_links - old_links:
        emit_link(out, Link(*row))
    old_named = {iri: (title, lang) for iri, title, lang in old.get("named", [])}
    for iri, value in old_named.items():
        if linked.named.get(iri) != value:
            gone += store.quads_for_pattern(ox.NamedNode(iri), None, None, graph)
    for iri, (title, lang) in linked.named.items():
        if old_named.get(iri) != (title, lang):
            emit_named_work(out, iri, title, lang)
    old_events = {tuple(e) for e in old.get("events", [])}
    new_events = set(linked.event_links)
    gone += [ox.Quad(ox.NamedNode(e), ox.NamedNode(p), ox.NamedNode(w), graph) for e, p, w in old_events - new_events]
    for e, p, w in new_events - old_events:
        out.add(ox.NamedNode(e), ox.NamedNode(p), ox.NamedNode(w))
    for q in gone:
        store.remove(q)
    store.extend(out.quads)


def _replace_graph(store: ox.Store, graph: ox.NamedNode, quads: list[ox.Quad]) -> None:
    """Make ``graph`` hold exactly ``quads``, by difference (one changed file changes a few quads of the shared graphs)."""
    old = set(store.quads_for_pattern(None, None, None, graph))
    new = set(quads)
    for q in old - new:  # removals first: "0.50"^^xsd:decimal is stored as "0.5", which must not remove it again
        store.remove(q)
    store.extend(new - old)


def store_exists(directory: str | Path) -> bool:
    """True when ``directory`` holds a ccus-kg store (its manifest)."""
    return os.path.exists(Path(directory) / "manifest.json")
