"""The ``ccus-kg`` command line: a thin shell over the library.

Exit codes (the pySHACL convention): 0 ok; 1 the data does not conform to the SHACL shapes;
2 a usage or input error (a bad option, a file that cannot be read or parsed); 3 an unexpected
internal error (a bug: one line on standard error, the traceback with ``--debug``).
Everything printed from the data passes through :func:`ccus_kg.text.printable`.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from ccus_kg import __version__
from ccus_kg.errors import CcusKgError, EndpointError, InputError, OutputError, QueryError
from ccus_kg.files import atomic_writer

DEFAULT_GRAPH = "build/ccus.ttl"
EXIT_OK, EXIT_NONCONFORMING, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    from ccus_kg.text import printable

    click.echo(f"ccus-kg: error: {printable(message)}", err=True)
    sys.exit(code)


class _Commands(click.Group):
    """The command group: a library error is a clean message (exit 2); any other exception is
    an internal error with its own exit code 3 and one line, the traceback only with ``--debug``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except CcusKgError as exc:
            _fail(str(exc))
        except BrokenPipeError:  # the reader went away (`ccus-kg build | head`): not a bug, nothing more to say
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_USAGE)
        except Exception as exc:
            from ccus_kg.text import printable

            if ctx.params.get("debug"):
                import traceback

                traceback.print_exc()
            first = (str(exc).splitlines() or [""])[0]
            click.echo(f"ccus-kg: internal error: {type(exc).__name__}: {printable(first)} "
                       f"(a bug; run with --debug for the traceback)", err=True)
            sys.exit(EXIT_INTERNAL)


@contextmanager
def _writing(path):
    """Turn an ``OSError`` while writing ``path`` (a parent that is a file, no permission, a full
    disk) into ``ccus-kg: error: …`` and exit code 2; the writers are atomic, so nothing partial remains."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        _fail(f"cannot write {path}: {exc.strerror or exc}{where}")


def _load_graph(path: str, store: str | None = None):
    """The :class:`~ccus_kg.rdf.graph.KnowledgeGraph` in the RDF file ``path`` (or the union of the
    persistent ``store``, read-only, nothing re-parsed), or exit 2 with a message."""
    from ccus_kg.rdf.graph import KnowledgeGraph

    if store:
        from ccus_kg.store import PolicyStore

        try:
            return PolicyStore.open(store, read_only=True).graph()
        except InputError as exc:
            _fail(str(exc))
    if not Path(path).exists():
        _fail(f"{path}: no such graph file; build one first with `ccus-kg build -o {path}`")
    try:
        return KnowledgeGraph.load(path)
    except InputError as exc:
        _fail(str(exc))


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            _fail(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


graph_option = click.option("--graph", "-g", "graph_file", default=DEFAULT_GRAPH, show_default=True, metavar="FILE",
                            help="The RDF graph to read (Turtle, N-Triples or JSON-LD, by suffix).")
store_option = click.option("--store", "store_dir", metavar="DIR", help="Read the persistent store made by `build --store DIR` instead of --graph.")


def shacl_options(command):
    """``--engine`` and ``--fail-on``, shared by ``build`` and ``validate``."""
    command = click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
                           show_default=True, help="Exit code 1 when a SHACL result of this severity or stronger exists.")(command)
    return click.option("--engine", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph", show_default=True,
                        help="oxigraph: core and SHACL-SPARQL constraints as pyoxigraph queries (fast); pyshacl: all in pySHACL (reference).")(command)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ccus-kg")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (exit code 3).")
def main(debug: bool) -> None:
    """Build, validate, query and trace a knowledge graph of CCUS policies.

    \b
    Example, from a checkout:
      ccus-kg build seeds/ -o build/ccus.ttl
      ccus-kg query policies-per-jurisdiction
      ccus-kg lineage -o build/lineage.svg
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--output", "-o", default=DEFAULT_GRAPH, show_default=True, metavar="FILE",
              help="Where to write the graph; the format follows the suffix (.ttl, .nt, .jsonld).")
@click.option("--report", "report_path", metavar="FILE.json", help="Also write the build report: counts, problems, identity decisions, event links, SHACL results.")
@click.option("--strict", is_flag=True, help="Stop with exit code 2, writing nothing, if any input file cannot be read or parsed.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.option("--verbose", "-v", is_flag=True, help="List info-level problems and every SHACL result too.")
@click.option("--max-problems", default=40, show_default=True, help="How many problems to list (all are in --report).")
@click.option("--store", "store_dir", metavar="DIR", help="Keep a persistent store in DIR (one named graph per policy) and rebuild only what changed; "
              "writes the graph file only with an explicit --output.")
@click.option("--rebuild", is_flag=True, help="With --store: start from an empty store.")
@click.option("--full-validation", is_flag=True, help="With --store: validate every focus node, not only those a change can reach "
              "(the results of the others are otherwise kept from the last build).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="With --store: processes reading and converting the files (default: the CPUs this process may use; 1: no worker processes).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display (it is shown only on a terminal anyway).")
@click.option("--timings", is_flag=True, help="Print seconds per stage, and put them in --report (which is otherwise byte-identical between runs).")
@shacl_options
def build(paths, output, report_path, strict, no_validate, verbose, max_problems, store_dir, rebuild, full_validation, jobs, quiet,
          timings, engine, fail_on):
    """Convert policy records and timeline compilations into a validated RDF graph.

    PATHS are files or folders (read recursively); the default is the bundled seeds/.
    Prints a summary and the data problems found; exit code 1 if the graph does not
    conform to the SHACL shapes, 2 if an input file could not be read.

    \b
    Example:
      ccus-kg build ../shared/corpus/policy-hub-2026-03 -o build/corpus.ttl --report build/corpus-report.json
    """
    from ccus_kg.build import build as run_build
    from ccus_kg.build import write_report
    from ccus_kg.resources import data_dir
    from ccus_kg.text import printable

    if not paths:
        paths = (data_dir("seeds"),)
    if report_path and Path(report_path).resolve() == Path(output).resolve():
        _fail(f"--report {report_path} is the same file as --output {output}; the report would overwrite the graph")
    from ccus_kg.progress import terminal_progress

    progress = terminal_progress(quiet)
    if store_dir:
        explicit = click.get_current_context().get_parameter_source("output") != click.core.ParameterSource.DEFAULT
        return _build_store(paths, store_dir, output if explicit else None, rebuild, verbose, max_problems, progress,
                            validate=not no_validate, engine=engine, fail_on=fail_on, report_path=report_path,
                            full_validation=full_validation, jobs=jobs)
    result = run_build(paths, validate=not no_validate, engine=engine, progress=progress)
    getattr(progress, "close", lambda: None)()
    errors = result.errors
    if strict and errors:
        for p in errors:
            click.echo(printable(f"  error   {p.location()}: {p.message}"), err=True)
        _fail(f"--strict: {len(errors)} input file(s) could not be read; nothing written")

    c = result.counts
    pc = result.problem_counts()
    click.echo(f"ccus-kg build: read {c['files_read']} files ({c['policy_files']} policy records, "
               f"{c['timeline_files']} timeline compilations), skipped {c['files_skipped']}")
    rows = [
        ("policies", f"{c['policies']}" + (f" (+{c['dangling_policies']} known only as supersedes targets)" if c["dangling_policies"] else "")),
        ("agencies", c["agencies"]),
        ("jurisdictions", c["jurisdictions"]),
        ("clusters", c["clusters"]),
        ("events", f"{c['timeline_events']} from timelines, {c['policy_events']} policy life events"),
        ("facilities", f"{c['facilities']} ({c['facility_events']} milestone events, {c['hubs']} hubs, {c['organisations']} named organisations, "
                       f"{c['policy_facility_links']} policy links)"),
        ("profiles", f"{c['profiles']} country profiles ({c['regulatory_differences']} policy regulatory values differ from them)"),
        ("triples", c["triples"]),
        ("SHACL", result.validation.summary() if result.validation else "not run (--no-validate)"),
        ("problems", f"{pc.get('error', 0)} errors, {pc.get('warning', 0)} warnings, {pc.get('info', 0)} info"),
    ]
    if timings:
        rows.append(("seconds", ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items())))
    for name, value in rows:
        click.echo(f"  {name:<14}{value}")
    summary = result.empty_summary()
    if summary:
        top = sorted(summary.items(), key=lambda kv: (-(kv[1]["missing"] + kv[1]["empty"]), kv[0]))
        shown_fields = ", ".join(f"{name} " + "/".join(f"{n} {kind}" for kind, n in counts.items() if n) for name, counts in top[:6])
        more = f", … {len(top) - 6} more fields" if len(top) > 6 else ""
        click.echo(printable(f"  {'empty fields':<14}{shown_fields}{more} (per file in --report)"))

    shown = [p for p in result.problems if verbose or p.severity != "info"]
    if shown:
        click.echo("problems found:")
        for p in shown[:max_problems]:
            subject = f" ({p.subject})" if p.subject else ""
            click.echo(printable(f"  {p.severity:<8}{p.location()}{subject}: {p.code}: {p.message}"))
        if len(shown) > max_problems:
            click.echo(f"  … and {len(shown) - max_problems} more (all in --report)")
    failing = bool(result.validation and result.validation.fails(fail_on))
    if result.validation and result.validation.results:
        from ccus_kg.shacl_report import render_text

        text = render_text(result.validation, name="SHACL", limit=-1 if verbose else 10, fail_on=fail_on,
                           details=verbose or failing)
        click.echo(text.split("\n", 1)[1], nl=False)  # the summary line is in the rows above

    with _writing(output):
        size = result.graph.write(output)
    click.echo(f"wrote {output} ({size} bytes, {c['triples']} triples)")
    if report_path:
        with _writing(report_path):
            write_report(result, report_path, timings=timings)
        click.echo(f"wrote {report_path}")
    if errors:
        sys.exit(EXIT_USAGE)
    if failing:
        sys.exit(EXIT_NONCONFORMING)


def _build_store(paths, store_dir, output, rebuild, verbose, max_problems, progress, *, validate=True, engine="oxigraph",
                 fail_on="violation", report_path=None, full_validation=False, jobs=None) -> None:
    """``build --store``: bring the persistent store up to date, validate it in place (SHACL, unless
    ``--no-validate``; same exit codes as an in-memory build); export it when ``output`` is given."""
    from ccus_kg.store import PolicyStore, available_cpus, build_into_store

    try:
        result = build_into_store(paths, store_dir, rebuild=rebuild, progress=progress, validate=validate, engine=engine,
                                  full_validation=full_validation, jobs=jobs or available_cpus())
    except InputError as exc:
        _fail(str(exc))
    getattr(progress, "close", lambda: None)()
    c = result.counts
    click.echo(f"ccus-kg build --store {store_dir}: {c['files_read']} files, {result.files_changed} changed, "
               f"{result.files_deleted} deleted; {result.units_rebuilt} units rebuilt, {result.units_removed} removed "
               f"({sum(result.seconds.values()):.2f} s)")
    click.echo(f"  policies {c['policies']} (+{c['dangling_policies']} known only as supersedes targets), agencies {c['agencies']}, "
               f"jurisdictions {c['jurisdictions']}, clusters {c['clusters']}, facilities {c['facilities']}, profiles {c['profiles']}, quads {c['quads']}")
    report = result.validation
    click.echo(f"  SHACL: {report.summary() if report else 'not run (--no-validate)'}")
    failing = bool(report and report.fails(fail_on))
    if report and report.results:
        from ccus_kg.shacl_report import render_text

        text = render_text(report, name="SHACL", limit=-1 if verbose else 10, fail_on=fail_on, details=verbose or failing)
        click.echo(text.split("\n", 1)[1], nl=False)
    shown = [p for p in result.problems if verbose or p.severity != "info"]
    for p in shown[:max_problems]:
        click.echo(f"  {p.severity:<8}{p.location()}{' (' + p.subject + ')' if p.subject else ''}: {p.code}: {p.message}")
    if len(shown) > max_problems:
        click.echo(f"  … and {len(shown) - max_problems} more")
    if output:
        with PolicyStore.open(store_dir, read_only=True) as ps, _writing(output):
            size = ps.graph().write(output)
        click.echo(f"wrote {output} ({size} bytes)")
    if report_path:  # counts, problems and SHACL results, as in an in-memory build's report
        from ccus_kg.files import write_text_atomic

        body = {"version": __version__, "counts": result.counts, "problems": [p.as_dict() for p in result.problems],
                "validation": report.as_dict() if report else None}
        with _writing(report_path):
            write_text_atomic(report_path, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        click.echo(f"wrote {report_path}")
    if any(p.severity == "error" for p in result.problems):
        sys.exit(EXIT_USAGE)
    if failing:
        sys.exit(EXIT_NONCONFORMING)



@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="text for people (grouped by rule); json, or ttl: the W3C SHACL validation report graph.")
@click.option("--output", "-o", metavar="FILE", help="Write the report here (atomically) instead of standard output.")
@click.option("--report", "report_path", metavar="FILE.json", help="Also write every result as JSON.")
@click.option("--max-results", "-n", default=10, show_default=True, help="Results listed per rule in text (all with -v).")
@click.option("--verbose", "-v", is_flag=True, help="List every result in text.")
@shacl_options
def validate(file, fmt, output, report_path, max_results, verbose, engine, fail_on):
    """Validate an RDF graph against the SHACL shapes (ontology/shapes.ttl).

    Each result names its rule, severity, focus node, value, message and the file:line of
    the focus node's record.  Exit code 0 if no result is at or above --fail-on, 1 if one is,
    2 if the file cannot be read.

    \b
    Example:
      ccus-kg validate build/ccus.ttl
      ccus-kg validate build/ccus.ttl --format ttl -o build/shacl-report.ttl --fail-on warning
    """
    from ccus_kg.files import atomic_writer, write_text_atomic
    from ccus_kg.shacl_report import render_json, render_text, render_turtle
    from ccus_kg.validate import validate as run_validate

    kg = _load_graph(str(file))
    report = run_validate(kg, engine=engine)
    if fmt == "ttl":
        data = render_turtle(report)
    elif fmt == "json":
        data = render_json(report).encode("utf-8")
    else:
        data = render_text(report, name=str(file), limit=-1 if verbose else max_results, fail_on=fail_on).encode("utf-8")
    if output:
        with _writing(output), atomic_writer(output, "wb") as handle:
            handle.write(data)
        click.echo(f"{file}: {report.summary()}; wrote {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    if report_path:
        with _writing(report_path):
            write_text_atomic(report_path, render_json(report))
    sys.exit(EXIT_NONCONFORMING if report.fails(fail_on) else EXIT_OK)


@main.command()
@click.argument("name", required=False)
@graph_option
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Bind a query parameter (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table for people; csv and json are the W3C SPARQL 1.1 results formats.")
@click.option("--list", "list_", is_flag=True, help="List the query library with parameters and examples.")
@store_option
@click.option("--print", "print_", is_flag=True, help="Print the exact query text (parameters bound) instead of running it.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 Protocol endpoint instead of the graph file.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: send as default-graph-uri (repeatable), for data pushed into named graphs.")
@click.option("--timeout", default=60.0, show_default=True, metavar="SECONDS", help="With --endpoint: seconds to wait for the answer.")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE (federated queries that call other endpoints); refused otherwise.")
def query(name, graph_file, store_dir, params, fmt, list_, print_, endpoint, default_graphs, timeout, allow_service):
    """Run a SPARQL query from the library (by NAME) or a .rq FILE on the graph or an endpoint.

    Library queries are complete SPARQL 1.1 queries: `--print` shows the text that runs, which
    any endpoint accepts as it is.

    \b
    Examples:
      ccus-kg query --list
      ccus-kg query policies-in-jurisdiction --param jurisdiction=CN
      ccus-kg query my-query.rq --format csv
      ccus-kg query in-force-on-date -p jurisdiction=CN -p date=2023-01-01 --print
      ccus-kg query policies-per-jurisdiction --endpoint http://127.0.0.1:7878/query
    """
    from ccus_kg.query.library import list_queries, prepare, render, render_remote

    if list_ or not name:
        for q in list_queries():
            click.echo(f"{q.name}\n    {q.title}: {q.description}")
            for p in q.params:
                click.echo(f"    --param {p.name}=… ({p.type}, {'required' if p.required else 'optional'}) {p.description}")
            for e in q.examples:
                click.echo(f"    e.g. {e}")
        return
    try:
        if print_:
            click.echo(prepare(name, _params(params), allow_service=True)[1], nl=False)
            return
        if endpoint:
            text, _rows = render_remote(endpoint, name, _params(params), fmt, allow_service=allow_service,
                                        default_graphs=default_graphs, timeout=timeout)
        else:
            text, _rows = render(_load_graph(graph_file, store_dir), name, _params(params), fmt, allow_service=allow_service)
    except (QueryError, EndpointError) as exc:
        _fail(str(exc))
    click.echo(text, nl=False)


@main.command()
@graph_option
@click.option("--policy", metavar="ID", help="Only the lineage of this policy (record id or work-… id).")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FILE",
              help="Output file(s): .svg/.png (picture), .html (interactive), .graphml, .gexf or .json; repeatable.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the titles in pictures.")
@click.option("--lanes", type=click.Choice(["auto", "level", "family"]), default="auto", show_default=True,
              help="Picture lanes: jurisdiction levels, families, or auto (levels up to 40 nodes).")
@click.option("--stated-only", is_flag=True, help="Leave out the links ccus-kg inferred (keep what the data states).")
@click.option("--stats", "show_stats", is_flag=True, help="Print families, heads, chains, forks, cycles, dangling and unlinked policies.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Format of --stats and --as-of.")
@click.option("--as-of", "as_of", metavar="DATE", help="With --policy: what was in force in its family on DATE (YYYY[-MM[-DD]]).")
@store_option
def lineage(graph_file, store_dir, policy, outputs, lang, lanes, stated_only, show_stats, fmt, as_of):
    """Policy lineage (supersedes, consolidation, citation, implementation; from SPARQL): pictures, files, analyses.

    \b
    Example:
      ccus-kg lineage -o build/lineage.svg -o build/lineage.graphml
      ccus-kg lineage --policy us-45q-ira -o build/45q.png
      ccus-kg lineage --lang zh -o build/lineage.png -o build/lineage.html
      ccus-kg lineage --stats --format json
      ccus-kg lineage --policy cn-miit-industrial-plan-2022 --as-of 2023-01-01
    """
    import networkx as nx

    from ccus_kg.lineage import chains, check_suffix, from_graph, in_force, neighbourhood, stats, write
    from ccus_kg.lineage.report import as_of_table, stats_table

    if not outputs and not show_stats and not as_of:
        _fail("Missing option '--output' / '-o' (or --stats, or --policy ID --as-of DATE).")
    if as_of and not policy:
        _fail("--as-of needs --policy ID (the family to look at)")
    if as_of and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", as_of):
        _fail(f"--as-of {as_of!r}: expected a date YYYY, YYYY-MM or YYYY-MM-DD")
    try:  # before writing anything, so a bad name does not leave the other files half done
        for out in outputs:
            check_suffix(out)
    except OutputError as exc:
        _fail(str(exc))
    kg = _load_graph(graph_file, store_dir)
    full = from_graph(kg, stated_only=stated_only)
    g = full
    if policy:
        try:
            g = neighbourhood(full, policy)
        except nx.NodeNotFound as exc:
            _fail(str(exc))
    if as_of:
        rows = in_force(full, policy, as_of, include_inferred=not stated_only)
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2) if fmt == "json" else as_of_table(rows, policy, as_of), nl=fmt == "json")
    if show_stats:
        from ccus_kg.query.library import select

        facility_links = [(r["policy"], r["facility"], r.get("status")) for r in select(kg, "policy-facilities")]
        result = stats(g, include_inferred=not stated_only, facility_links=facility_links)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2) if fmt == "json" else stats_table(result, g), nl=fmt == "json")
    if not outputs:
        return
    kinds = {k: sum(1 for *_e, d in g.edges(data=True) if d["kind"] in k.split("|")) for k in
             ("replaces", "consolidates", "cites", "implements|based_on")}
    inferred = sum(1 for *_e, d in g.edges(data=True) if d.get("inferred"))
    clusters = sum(1 for _n, d in g.nodes(data=True) if d["kind"] == "cluster")
    click.echo(f"lineage: {g.number_of_nodes()} nodes, {kinds['replaces']} supersedes links, {clusters} clusters, "
               f"{len([c for c in chains(g) if len(c) > 1])} replacement chains; {kinds['consolidates']} consolidation, "
               f"{kinds['cites']} citation, {kinds['implements|based_on']} implementation links ({inferred} inferred)")
    for out in outputs:
        try:
            with _writing(out):
                write(g, out, lang=lang, lanes=lanes)
        except OutputError as exc:
            _fail(str(exc))
        click.echo(f"wrote {out}")


@main.command()
@graph_option
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq"]), default="ttl", show_default=True,
              help="ttl, nt, jsonld (compact, with @context): one graph; trig, nq: named graphs with provenance.")
@click.option("--output", "-o", metavar="FILE", help="Write here (atomically) instead of standard output.")
@store_option
@click.option("--with-ontology", is_flag=True, help="Include the ontology (ontology/ccus.ttl): merged, or as its own named graph.")
def export(graph_file, store_dir, fmt, output, with_ontology):
    """Export the graph as Turtle, N-Triples, JSON-LD, TriG or N-Quads, e.g. to load into a triple store.

    TriG and N-Quads hold named graphs: the data, the vocabularies, the ontology (--with-ontology)
    and the provenance of the data (PROV-O: source files, generation time, ccus-kg version).

    \b
    Example:
      ccus-kg export --format nt -o build/ccus.nt
      ccus-kg export --format trig --with-ontology -o build/ccus.trig
    """
    import datetime as dt

    from ccus_kg.rdf.dataset import dataset_quads, named_graphs
    from ccus_kg.rdf.graph import KnowledgeGraph
    from ccus_kg.resources import ontology_path

    kg = _load_graph(graph_file, store_dir)
    quads = None
    if fmt in ("trig", "nq"):
        generated = dt.datetime.fromtimestamp(Path(store_dir or graph_file).stat().st_mtime, dt.UTC)
        quads = dataset_quads(named_graphs(kg, with_ontology=with_ontology, generated=generated))
    elif with_ontology:
        kg.add(KnowledgeGraph.load(ontology_path("ccus.ttl")).store)
    count = len(quads) if quads is not None else len(kg)
    if output and quads is None:  # sorted with bounded memory, streamed into the file
        with _writing(output):
            size = kg.write(output, fmt)
        click.echo(f"wrote {output} ({size} bytes, {count} triples)")
        return
    data = kg.serialize(fmt, quads)
    if output:
        with _writing(output):
            with atomic_writer(output, "wb") as handle:
                handle.write(data)
        click.echo(f"wrote {output} ({len(data)} bytes, {count} {'quads' if quads is not None else 'triples'})")
    else:
        sys.stdout.buffer.write(data)


@main.command()
@graph_option
@click.option("--jurisdiction", metavar="CODE", help="ISO 3166 code; includes jurisdictions under it (CN includes CN-JS).")
@click.option("--policy", metavar="ID", help="Only events about this policy.")
@click.option("--facilities", "scope", flag_value="facilities", help="With --policy: also the milestones of the policy's facilities.")
@click.option("--family", "scope", flag_value="family", help="With --policy: the policy's whole lineage family and their facilities.")
@click.option("--from", "date_from", metavar="DATE", help="Earliest date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Latest date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@store_option
def timeline(graph_file, store_dir, jurisdiction, policy, scope, date_from, date_to, fmt):
    """List events in date order, with their precision (2019-03-21, 2019-04, 2022).

    An event is kept when the period its date covers overlaps [--from, --to].

    \b
    Example:
      ccus-kg timeline --jurisdiction CN-JS --from 2022 --to 2022-12
      ccus-kg timeline --policy cn-js-industrial-decarb-2022
      ccus-kg timeline --policy us-45q-ira --family --from 2022
    """
    from ccus_kg.errors import TimelineFilterError
    from ccus_kg.query.timeline import events, render_events

    kg = _load_graph(graph_file, store_dir)
    try:
        rows = events(kg, jurisdiction=jurisdiction, policy=policy, date_from=date_from, date_to=date_to, scope=scope or "policy")
    except TimelineFilterError as exc:
        _fail(str(exc))
    click.echo(render_events(rows, fmt), nl=False)


@main.command()
@click.option("-g", "graph", default=DEFAULT_GRAPH, show_default=True, metavar="FILE",
              help="The RDF graph file to push (Turtle, N-Triples or JSON-LD, by suffix).")
@click.option("--endpoint", metavar="URL",
              help="The store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (see README for other stores).")
@click.option("--graph", "data_graph", default="https://w3id.org/ccus-kg/graph/data", show_default=True, metavar="IRI",
              help="The named graph to replace with the data.")
@click.option("--update-endpoint", metavar="URL",
              help="The store's SPARQL Update URL: stage each graph, then MOVE it over the old one in one transaction.")
@click.option("--no-ontology", is_flag=True, help="Do not push the ontology named graph.")
@click.option("--timeout", default=300.0, show_default=True, metavar="SECONDS", help="Seconds to wait for each answer.")
@click.option("--store", "store_dir", metavar="DIR", type=click.Path(path_type=Path),
              help="Push the named graphs of a `build --store` store instead, through --update-endpoint, sending only the "
                   "graphs that changed since the last push to that endpoint, in batches.")
@click.option("--batch-triples", default=20_000, show_default=True, metavar="N", type=click.IntRange(min=1),
              help="With --store: triples per SPARQL Update request (whole named graphs per request).")
@click.option("--all", "everything", is_flag=True, help="With --store: send every named graph, changed or not.")
def push(graph, endpoint, data_graph, update_endpoint, no_ontology, timeout, store_dir, batch_triples, everything):
    """Load the graph into a triple store (SPARQL 1.1 Graph Store HTTP Protocol, PUT per named graph).

    Each named graph is replaced whole, so pushing twice leaves the same triples. The ontology and
    the SKOS vocabularies go into their own named graphs. Credentials come from the environment:
    CCUS_KG_STORE_TOKEN (bearer) or CCUS_KG_STORE_USER and CCUS_KG_STORE_PASSWORD (basic;
    digest with CCUS_KG_STORE_AUTH=digest, as Virtuoso asks). Exit code 2 when the store is down, times out or refuses.

    \b
    With --store DIR: the store's named graphs (one per policy id, the timelines, the shared graphs)
    go through --update-endpoint as SPARQL Update requests of whole graphs, and only the graphs that
    changed since the last push to that endpoint are sent (state in DIR/push-state/); graphs gone
    from the store are dropped on the server.

    \b
    Example (Oxigraph):
      ccus-kg push -g build/corpus.ttl --endpoint http://127.0.0.1:7878/store --update-endpoint http://127.0.0.1:7878/update
      ccus-kg push --store build/store --update-endpoint http://127.0.0.1:7878/update
    """
    import datetime as dt

    from ccus_kg.push import payloads
    from ccus_kg.push import push as run_push

    if store_dir is not None:
        from ccus_kg.push import push_store

        if not update_endpoint:
            _fail("--store needs --update-endpoint (the server's SPARQL Update URL)")
        try:
            done = push_store(store_dir, update_endpoint, batch_triples=batch_triples, everything=everything, timeout=timeout,
                              progress=lambda graphs, triples: click.echo(f"pushed {graphs} named graphs ({triples} triples)"))
        except (EndpointError, InputError) as exc:
            _fail(str(exc))
        click.echo(f"{done.sent} named graphs sent ({done.triples} triples, {done.requests} requests), "
                   f"{done.dropped} dropped, {done.unchanged} unchanged")
        return
    if not endpoint:
        _fail("--endpoint is needed (the store's Graph Store Protocol URL), or --store DIR with --update-endpoint")
    kg = _load_graph(graph)
    generated = dt.datetime.fromtimestamp(Path(graph).stat().st_mtime, dt.UTC)
    items = payloads(kg, data_graph, with_ontology=not no_ontology, generated=generated)
    try:
        run_push(items, endpoint, update_endpoint=update_endpoint, timeout=timeout,
                 progress=lambda item: click.echo(f"pushed <{item.iri}> ({item.triples} triples, {len(item.body)} bytes)"))
    except EndpointError as exc:
        _fail(str(exc))


@main.command()
@click.option("--graph", "-g", metavar="FILE", help="The graph file to serve (.ttl, .nt, .nq, .trig, .jsonld).")
@click.option("--store", "store_dir", metavar="DIR", type=click.Path(path_type=Path),
              help="Serve an existing Oxigraph store folder instead (read-only).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=7878, show_default=True, help="TCP port.")
def serve(graph, store_dir, host, port):
    """Serve the graph as a read-only SPARQL 1.1 endpoint with a query page (the Oxigraph server).

    Queries go to http://HOST:PORT/query; the query page is http://HOST:PORT/. Writes are refused.
    Stop with Ctrl-C.

    \b
    Example:
      ccus-kg serve -g build/corpus.ttl
      curl -s http://127.0.0.1:7878/query -H 'Accept: text/csv' --data-urlencode query@<(ccus-kg query lineage-nodes --print)
    """
    import signal
    import subprocess
    import tempfile

    from ccus_kg.serve import load_store, server_command

    if bool(graph) == bool(store_dir):
        _fail("give either -g FILE or --store DIR")
    with tempfile.TemporaryDirectory(prefix="ccus-kg-serve-") as tmp:
        location = store_dir
        if graph:
            if not Path(graph).is_file():
                _fail(f"{graph}: no such graph file; build one first with `ccus-kg build -o {graph}`")
            location = Path(tmp) / "store"
            click.echo(f"loading {graph} …", err=True)
            load_store(location, Path(graph))
        click.echo(f"SPARQL endpoint http://{host}:{port}/query (read-only); query page http://{host}:{port}/", err=True)
        server = subprocess.Popen(server_command(location, host, port))

        def stop(_signum, _frame):  # SIGTERM: stop the server too, then remove the temporary store
            server.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            code = server.wait()
        except KeyboardInterrupt:
            server.terminate()
            code = server.wait() and 0
    sys.exit(EXIT_USAGE if code > 0 else EXIT_OK)


def run() -> None:
    """Entry point: library errors are a clean message and exit code 2, others exit code 3 (see :class:`_Commands`)."""
    main(standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    run()
