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
from ccus_kg.errors import CcusKgError, InputError, OutputError, QueryError

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
                        help="oxigraph: SHACL-SPARQL rules as pyoxigraph queries (fast); pyshacl: all in pySHACL (reference).")(command)


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
@click.option("--quiet", "-q", is_flag=True, help="No progress display (it is shown only on a terminal anyway).")
@click.option("--timings", is_flag=True, help="Print seconds per stage, and put them in --report (which is otherwise byte-identical between runs).")
@shacl_options
def build(paths, output, report_path, strict, no_validate, verbose, max_problems, store_dir, rebuild, quiet, timings, engine, fail_on):
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
        return _build_store(paths, store_dir, output if explicit else None, rebuild, verbose, max_problems, progress)
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


def _build_store(paths, store_dir, output, rebuild, verbose, max_problems, progress) -> None:
    """``build --store``: bring the persistent store up to date; export it when ``output`` is given."""
    from ccus_kg.store import PolicyStore, build_into_store

    try:
        result = build_into_store(paths, store_dir, rebuild=rebuild, progress=progress)
    except InputError as exc:
        _fail(str(exc))
    getattr(progress, "close", lambda: None)()
    c = result.counts
    click.echo(f"ccus-kg build --store {store_dir}: {c['files_read']} files, {result.files_changed} changed, "
               f"{result.files_deleted} deleted; {result.units_rebuilt} units rebuilt, {result.units_removed} removed "
               f"({sum(result.seconds.values()):.2f} s)")
    click.echo(f"  policies {c['policies']} (+{c['dangling_policies']} known only as supersedes targets), agencies {c['agencies']}, "
               f"jurisdictions {c['jurisdictions']}, clusters {c['clusters']}, quads {c['quads']}")
    click.echo("  SHACL: not run in --store mode (validate an export with `ccus-kg validate`)")
    shown = [p for p in result.problems if verbose or p.severity != "info"]
    for p in shown[:max_problems]:
        click.echo(f"  {p.severity:<8}{p.location()}{' (' + p.subject + ')' if p.subject else ''}: {p.code}: {p.message}")
    if len(shown) > max_problems:
        click.echo(f"  … and {len(shown) - max_problems} more")
    if output:
        with PolicyStore.open(store_dir, read_only=True) as ps, _writing(output):
            size = ps.graph().write(output)
        click.echo(f"wrote {output} ({size} bytes)")
    if any(p.severity == "error" for p in result.problems):
        sys.exit(EXIT_USAGE)



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
def query(name, graph_file, store_dir, params, fmt, list_):
    """Run a SPARQL query from the library (by NAME) or a .rq FILE on the graph.

    \b
    Examples:
      ccus-kg query --list
      ccus-kg query policies-in-jurisdiction --param jurisdiction=CN
      ccus-kg query my-query.rq --format csv
    """
    from ccus_kg.query.library import list_queries, render

    if list_ or not name:
        for q in list_queries():
            click.echo(f"{q.name}\n    {q.title}: {q.description}")
            for p in q.params:
                click.echo(f"    --param {p.name}=… ({p.type}, {'required' if p.required else 'optional'}) {p.description}")
            for e in q.examples:
                click.echo(f"    e.g. {e}")
        return
    kg = _load_graph(graph_file, store_dir)
    try:
        text, _rows = render(kg, name, _params(params), fmt)
    except QueryError as exc:
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
        result = stats(g, include_inferred=not stated_only)
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
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write here (atomically) instead of standard output.")
@store_option
def export(graph_file, store_dir, fmt, output):
    """Export the graph as Turtle, N-Triples or JSON-LD, e.g. to load into a triple store.

    \b
    Example:
      ccus-kg export --format nt -o build/ccus.nt
    """
    kg = _load_graph(graph_file, store_dir)
    if output:
        with _writing(output):
            size = kg.write(output, fmt)
        click.echo(f"wrote {output} ({size} bytes, {len(kg)} triples)")
    else:
        sys.stdout.buffer.write(kg.serialize(fmt))


@main.command()
@graph_option
@click.option("--jurisdiction", metavar="CODE", help="ISO 3166 code; includes jurisdictions under it (CN includes CN-JS).")
@click.option("--policy", metavar="ID", help="Only events about this policy.")
@click.option("--from", "date_from", metavar="DATE", help="Earliest date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Latest date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@store_option
def timeline(graph_file, store_dir, jurisdiction, policy, date_from, date_to, fmt):
    """List events in date order, with their precision (2019-03-21, 2019-04, 2022).

    An event is kept when the period its date covers overlaps [--from, --to].

    \b
    Example:
      ccus-kg timeline --jurisdiction CN-JS --from 2022 --to 2022-12
      ccus-kg timeline --policy cn-js-industrial-decarb-2022
    """
    from ccus_kg.errors import TimelineFilterError
    from ccus_kg.query.timeline import events, render_events

    kg = _load_graph(graph_file, store_dir)
    try:
        rows = events(kg, jurisdiction=jurisdiction, policy=policy, date_from=date_from, date_to=date_to)
    except TimelineFilterError as exc:
        _fail(str(exc))
    click.echo(render_events(rows, fmt), nl=False)


def run() -> None:
    """Entry point: library errors are a clean message and exit code 2, others exit code 3 (see :class:`_Commands`)."""
    main(standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    run()
