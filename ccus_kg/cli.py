"""The ``ccus-kg`` command line: a thin shell over the library.

Exit codes (the pySHACL convention): 0 ok; 1 the data does not conform to the SHACL shapes;
2 a usage or input error (a bad option, a file that cannot be read or parsed).
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from ccus_kg import __version__
from ccus_kg.errors import CcusKgError, InputError, QueryError, UsageError

DEFAULT_GRAPH = "build/ccus.ttl"
EXIT_OK, EXIT_NONCONFORMING, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"ccus-kg: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _writing(path):
    """Turn an ``OSError`` while writing ``path`` (a parent that is a file, no permission, a full
    disk) into ``ccus-kg: error: …`` and exit code 2; the writers are atomic, so nothing partial remains."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        _fail(f"cannot write {path}: {exc.strerror or exc}{where}")


def _load_graph(path: str):
    from ccus_kg.rdf.graph import KnowledgeGraph

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


graph_option = click.option("--graph", "-g", default=DEFAULT_GRAPH, show_default=True, metavar="FILE",
                            help="The RDF graph to read (Turtle, N-Triples or JSON-LD, by suffix).")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ccus-kg")
def main() -> None:
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
def build(paths, output, report_path, strict, no_validate, verbose, max_problems):
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

    if not paths:
        paths = (data_dir("seeds"),)
    result = run_build(paths, validate=not no_validate)
    errors = result.errors
    if strict and errors:
        for p in errors:
            click.echo(f"  error   {p.location()}: {p.message}", err=True)
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
    for name, value in rows:
        click.echo(f"  {name:<14}{value}")

    shown = [p for p in result.problems if verbose or p.severity != "info"]
    if shown:
        click.echo("problems found:")
        for p in shown[:max_problems]:
            subject = f" ({p.subject})" if p.subject else ""
            click.echo(f"  {p.severity:<8}{p.location()}{subject}: {p.code}: {p.message}")
        if len(shown) > max_problems:
            click.echo(f"  … and {len(shown) - max_problems} more (all in --report)")
    if result.validation and (verbose or not result.validation.conforms):
        _print_shacl(result.validation, verbose, max_problems)

    with _writing(output):
        size = result.graph.write(output)
    click.echo(f"wrote {output} ({size} bytes, {c['triples']} triples)")
    if report_path:
        with _writing(report_path):
            write_report(result, report_path)
        click.echo(f"wrote {report_path}")
    if errors:
        sys.exit(EXIT_USAGE)
    if result.validation and not result.validation.conforms:
        sys.exit(EXIT_NONCONFORMING)


def _print_shacl(report, verbose: bool, limit: int) -> None:
    results = [r for r in report.results if verbose or r.severity == "Violation"]
    click.echo(f"SHACL results ({report.summary()}):")
    for r in results[:limit]:
        path = f" {r.path}" if r.path else ""
        value = f" value={r.value!r}" if r.value is not None else ""
        click.echo(f"  {r.severity:<9} {r.focus_node}{path}{value}: {r.message}")
    if len(results) > limit:
        click.echo(f"  … and {len(results) - limit} more")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--report", "report_path", metavar="FILE.json", help="Write the SHACL results as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="List warnings too, not only violations.")
def validate(file, report_path, verbose):
    """Validate an RDF graph against the SHACL shapes (ontology/shapes.ttl).

    Exit code 0 if it conforms, 1 if not, 2 if the file cannot be read.

    \b
    Example:
      ccus-kg validate build/ccus.ttl
    """
    from ccus_kg.files import write_text_atomic
    from ccus_kg.validate import validate as run_validate

    graph = _load_graph(str(file))
    report = run_validate(graph)
    click.echo(f"{file}: {len(graph)} triples; {report.summary()}")
    if verbose or not report.conforms:
        _print_shacl(report, verbose, 200)
    if report_path:
        with _writing(report_path):
            write_text_atomic(report_path, json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    sys.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


@main.command()
@click.argument("name", required=False)
@graph_option
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Bind a query parameter (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table for people; csv and json are the W3C SPARQL 1.1 results formats.")
@click.option("--list", "list_", is_flag=True, help="List the query library with parameters and examples.")
def query(name, graph, params, fmt, list_):
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
    kg = _load_graph(graph)
    try:
        text, _rows = render(kg, name, _params(params), fmt)
    except QueryError as exc:
        _fail(str(exc))
    click.echo(text, nl=False)


@main.command()
@graph_option
@click.option("--policy", metavar="ID", help="Only the lineage of this policy (record id).")
@click.option("--output", "-o", "outputs", multiple=True, required=True, metavar="FILE",
              help="Output file(s): .svg or .png (picture), .graphml or .json (node-link); repeatable.")
def lineage(graph, policy, outputs):
    """Draw and export the policy-lineage graph (supersedes links and clusters), from SPARQL.

    \b
    Example:
      ccus-kg lineage -o build/lineage.svg -o build/lineage.graphml
      ccus-kg lineage --policy us-45q-ira -o build/45q.png
    """
    import networkx as nx

    from ccus_kg.lineage import OUTPUT_SUFFIXES, chains, from_graph, neighbourhood, write

    bad = [out for out in outputs if Path(out).suffix.lower() not in OUTPUT_SUFFIXES]
    if bad:  # before writing anything, so a bad name does not leave the other files half done
        _fail(f"cannot write lineage to {Path(bad[0]).name!r}: expected a suffix among {', '.join(OUTPUT_SUFFIXES)}")
    kg = _load_graph(graph)
    g = from_graph(kg)
    if policy:
        try:
            g = neighbourhood(g, policy)
        except nx.NodeNotFound as exc:
            _fail(str(exc))
    replaced = sum(1 for *_e, d in g.edges(data=True) if d["kind"] == "replaces")
    clusters = sum(1 for _n, d in g.nodes(data=True) if d["kind"] == "cluster")
    click.echo(f"lineage: {g.number_of_nodes()} nodes, {replaced} supersedes links, {clusters} clusters, "
               f"{len([c for c in chains(g) if len(c) > 1])} replacement chains")
    for out in outputs:
        try:
            with _writing(out):
                write(g, out)
        except UsageError as exc:
            _fail(str(exc))
        click.echo(f"wrote {out}")


@main.command()
@graph_option
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write here (atomically) instead of standard output.")
def export(graph, fmt, output):
    """Export the graph as Turtle, N-Triples or JSON-LD, e.g. to load into a triple store.

    \b
    Example:
      ccus-kg export --format nt -o build/ccus.nt
    """
    kg = _load_graph(graph)
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
@click.option("--facilities", "scope", flag_value="facilities", help="With --policy: also the milestones of the policy's facilities.")
@click.option("--family", "scope", flag_value="family", help="With --policy: the policy's whole lineage family and their facilities.")
@click.option("--from", "date_from", metavar="DATE", help="Earliest date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Latest date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def timeline(graph, jurisdiction, policy, scope, date_from, date_to, fmt):
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

    kg = _load_graph(graph)
    try:
        rows = events(kg, jurisdiction=jurisdiction, policy=policy, date_from=date_from, date_to=date_to, scope=scope or "policy")
    except TimelineFilterError as exc:
        _fail(str(exc))
    click.echo(render_events(rows, fmt), nl=False)


def run() -> None:
    """Entry point that turns library errors into a clean message and exit code 2."""
    try:
        main(standalone_mode=True)
    except CcusKgError as exc:
        _fail(str(exc))


if __name__ == "__main__":  # pragma: no cover
    run()
