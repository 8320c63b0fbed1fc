"""Commands for analysts and the internal-investigations liaison.

Named and ad-hoc Cypher (Neo4j), neighbourhoods, paths, graph exports and HTML reports (both stores).
"""

from __future__ import annotations

import csv
import io
import logging
import sys
from pathlib import Path

import click
from rich.markup import escape as rich_escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from graphrisk.analyst.values import plain
from graphrisk.commands.common import (
    Output,
    output_options,
    readable,
    reveal_option,
    store_options,
    with_store,
)
from graphrisk.errors import UsageError
from graphrisk.limits import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    EXPLORE_MAX_HOPS,
    EXPLORE_MAX_NODES,
    EXPLORE_MAX_PER_GROUP,
    MAX_ROWS,
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    PATHS_MAX_HOPS,
    PATHS_MAX_LIMIT,
    TIMEOUT_ENV,
    Deadline,
)
from graphrisk.outputs import neutralise, written

FORMATS = click.Choice(["table", "csv", "json"])
KIND = click.Choice(["employee", "person", "case", "organisation"])
NEO4J_ONLY = (
    "named queries and ad-hoc Cypher run on Neo4j: set NEO4J_URI (or --neo4j-uri) to the server "
    "holding the data. On the embedded store use explore, paths, export and report."
)


def _neo4j_only(store) -> None:
    if store.kind != "neo4j":
        raise UsageError(NEO4J_ONLY)
    # "label does not exist" notes for queries about scores not yet written are no error
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


def _print_frame(output: Output, frame, fmt: str, meta: dict) -> None:
    from graphrisk.analyst.values import plain_frame, to_text

    rows = plain_frame(frame)
    columns = [str(c) for c in frame.columns]
    if fmt == "json":
        output.json({"ok": True, **meta, "columns": columns, "rows": rows})
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        # rows on standard output usually end up in a .csv file a person opens: neutralise formulas
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            writer.writerow([neutralise(to_text(v)) for v in row.values()])
        output.echo(buffer.getvalue(), nl=False)
        return
    if output.quiet:
        return
    texts = [[to_text(v) for v in row.values()] for row in rows]
    widths = [max([len(c), *(len(t[i]) for t in texts)]) for i, c in enumerate(columns)]
    if sum(min(w, 40) + 3 for w in widths) <= output.out.width:
        table = Table(show_edge=False)
        for c in columns:
            table.add_column(rich_escape(c), overflow="fold")
        for row in texts:
            table.add_row(*(rich_escape(t) for t in row))
        output.out.print(table)
    else:  # too wide for the terminal: one block per row, like psql's expanded display
        pad = max(len(c) for c in columns)
        for i, row in enumerate(texts, start=1):
            output.out.print(f"[dim]-- row {i} --[/]")
            for c, t in zip(columns, row, strict=True):
                output.out.print(f"{c.ljust(pad)}  {rich_escape(t)}", highlight=False)
    output.info(f"{len(rows):,} row{'s' if len(rows) != 1 else ''}")


def _limit_options(command, rows: bool = True):
    """``--timeout`` (every analyst command) and ``--max-rows`` (queries); see graphrisk/limits.py."""
    command = click.option(
        "--timeout", type=click.FloatRange(MIN_TIMEOUT, MAX_TIMEOUT), envvar=TIMEOUT_ENV,
        default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
        help=f"Stop after this many seconds, at most {MAX_TIMEOUT:g} (or set {TIMEOUT_ENV}).",
    )(command)  # fmt: skip
    if rows:
        command = click.option(
            "--max-rows", type=click.IntRange(1, MAX_ROWS), default=DEFAULT_MAX_ROWS, show_default=True,
            help=f"Show at most this many rows (at most {MAX_ROWS:,}); the output says when there were more.",
        )(command)  # fmt: skip
    return command


def _row_options(command):
    return _limit_options(command, rows=True)


def _time_option(command):
    return _limit_options(command, rows=False)


def _deadline(store, timeout: float, what: str) -> Deadline:
    """One time budget for the command: Neo4j transactions get what is left of it as their server-side
    timeout, and the work between queries (either store) checks it."""
    deadline = Deadline(timeout, what)
    if store.kind == "neo4j":
        store.runner.deadline = deadline
    return deadline


def _show_rows(output: Output, frame, fmt: str, meta: dict) -> None:
    """Print a query's rows, and say when ``--max-rows`` cut them (as Neo4j Browser does)."""
    cut = frame.attrs.get("truncated_at")
    _print_frame(output, frame, fmt, {**meta, "truncated": cut is not None})
    if cut is not None:
        output.info(
            f"[yellow]note[/]: showing the first {cut:,} rows; the query returned more. Add LIMIT (with "
            f"ORDER BY) to the query, or raise --max-rows (at most {MAX_ROWS:,})"
        )


@click.command()
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter.")
@click.option("--list", "list_", is_flag=True, help="List the queries (NAME, if given, are words to find).")
@click.option("--category", help="With --list: only this category.")
@click.option("--show", is_flag=True, help="Print the query's header and Cypher instead of running it.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format.")
@_row_options
@reveal_option
@output_options
@store_options
def query(
    name, params, list_, category, show, fmt, max_rows, timeout, reveal, quiet, as_json, **store_args
) -> None:
    """Run a named risk query from the library (cypher/queries/), or list them.

    Queries run in a read-only transaction on Neo4j. Parameters are typed (see --list or
    docs/queries.md); a missing, unknown or mistyped one is refused before anything runs.

    \b
    Example:
        graphrisk query --list
        graphrisk query --list informant --category look-ups
        graphrisk query who-looked-up-person -p person_id=P0000253 -p since=2026-03-01
        graphrisk query top-scorers-in-unit -p unit_id=EH01 --format csv > top.csv
    """
    from graphrisk.analyst.queries import get_query, search_queries
    from graphrisk.store import open_store

    output = Output(quiet=quiet, as_json=as_json)
    fmt = "json" if as_json else fmt
    if list_ or (name is None and category):
        found = search_queries(name, category)
        if fmt == "json":
            output.json({"ok": True, "queries": [_describe(q) for q in found]})
            return
        table = Table(show_edge=False)
        table.add_column("query", no_wrap=True)
        table.add_column("category", no_wrap=True)
        table.add_column(rich_escape("parameters ([optional])"))
        table.add_column("description", overflow="fold", min_width=30)
        for q in found:
            names = " ".join(p.name if p.required else f"[{p.name}]" for p in q.params)
            table.add_row(q.name, q.category, rich_escape(names), q.description)
        output.out.print(table)
        output.info(
            f"{len(found)} quer{'ies' if len(found) != 1 else 'y'}; run one with: graphrisk query NAME -p ..."
        )
        return
    if name is None:
        raise UsageError("name a query (graphrisk query --list shows them)")
    from graphrisk.analyst.queries import parse_assignments

    q = get_query(name)
    if show:
        click.echo(q.text, nl=False)
        return
    from graphrisk.privacy.guard import guarded

    assignments = parse_assignments(params)
    q.bind(assignments)  # a missing, unknown or mistyped parameter is refused before the store is opened
    with (
        open_store(**_store_kwargs(store_args)) as store,
        guarded("query", action="query", store=store, reveal=reveal, query=q.name) as guard,
    ):
        _neo4j_only(store)
        # a pseudonym is accepted wherever the query takes an employee id (or a person id)
        values = q.bind({k: guard.resolve(v) for k, v in assignments.items()})
        guard.params(plain(values))
        _deadline(store, timeout, f"query {q.name}")
        frame = store.read(q.cypher_name, values, max_rows=max_rows)
        frame = _redacted_rows(guard, store, frame)
        _show_rows(output, frame, fmt, {"query": q.name, "params": plain(values)})


def _redacted_rows(guard, store, frame):
    """Query rows as they may be shown: logged with their subjects, person names found and hidden.

    Cells are made plain first (nodes become dicts with their labels), so that a Person node's
    name and birth date are hidden by property, and any other cell that equals a person's name
    is hidden by value (one scan of the Person nodes for the strings in the result).
    """
    import pandas as pd

    from graphrisk.analyst.values import plain

    rows = frame.map(plain) if len(frame) else frame
    strings: set[str] = set()

    def collect(v):
        if isinstance(v, str):
            strings.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                collect(x)
        elif isinstance(v, list):
            for x in v:
                collect(x)

    for column in rows.columns:
        for v in rows[column]:
            collect(v)
    guard.subjects(sorted(s for s in strings if s in guard.names or guard.names.known(s)))
    guard.done(rows=len(rows))
    if guard.revealed or not strings:
        return rows
    names = store.read("privacy/person_names", {"values": sorted(strings)})
    found = names["names"].iloc[0] if len(names) else []
    guard.pseudonymiser.add_person_names(found or [])
    out = guard.pseudonymiser.frame(rows)
    out.attrs = dict(frame.attrs)
    return pd.DataFrame(out) if not isinstance(out, pd.DataFrame) else out


def _describe(q) -> dict:
    return {
        "name": q.name,
        "category": q.category,
        "description": q.description,
        "params": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default, "doc": p.doc}
            for p in q.params
        ],
    }


def _store_kwargs(args: dict) -> dict:
    return {
        "neo4j_uri": args["neo4j_uri"],
        "neo4j_user": args["neo4j_user"],
        "neo4j_password": args["neo4j_password"],
        "store_dir": args["store_dir"],
    }


@click.command()
@click.argument("text", required=False)
@click.option("-f", "--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the Cypher from this file ('-' for standard input).")  # fmt: skip
@click.option("-p", "--param", "params", multiple=True, metavar="KEY[:TYPE]=VALUE",
              help="A parameter; text unless typed: string, int, float, bool, date, datetime.")  # fmt: skip
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format.")
@_row_options
@reveal_option
@output_options
@with_store
def cypher(text, path, params, fmt, max_rows, timeout, reveal, quiet, as_json, store) -> None:
    """Run ad-hoc Cypher on Neo4j, read-only.

    Only queries that read the graph are sent: LOAD CSV, administration commands (SHOW, TERMINATE,
    CREATE/DROP/ALTER ...), USE, CALL {...} IN TRANSACTIONS, writes and procedures other than the
    schema ones (db.labels, db.schema.visualization, ...) are refused first, and what is sent runs
    in a READ transaction, whose writes the server refuses. Use $name parameters with -p.

    \b
    Example:
        graphrisk cypher "MATCH (e:Employee)-[:PERFORMED]->(a) RETURN e.employee_id, count(a) AS n
                          ORDER BY n DESC LIMIT 5"
        graphrisk cypher 'MATCH (p:Person {person_id: $id}) RETURN p.name' -p id=P0000253 --format json
    """
    from graphrisk.analyst.queries import parse_assignments

    output = Output(quiet=quiet, as_json=as_json)
    if (text is None) == (path is None):
        raise UsageError("give the Cypher as an argument or with --file, not both")
    if path is not None:
        try:
            text = sys.stdin.read() if str(path) == "-" else readable(path, "--file").read_text("utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read {path}: not valid UTF-8 (byte {exc.start + 1})") from None
    if not text.strip():
        raise UsageError("the Cypher is empty")
    from graphrisk.privacy.guard import guarded

    with guarded("cypher", action="cypher", store=store, reveal=reveal, cypher=text) as guard:
        values = parse_assignments(params, typed=True)
        _neo4j_only(store)
        from graphrisk.cypher import parameters_used

        unused = sorted(set(values) - parameters_used(text))
        if unused:
            raise UsageError(f"-p {', '.join(unused)}: the query uses no such $parameter")
        values = {k: guard.resolve(v) if isinstance(v, str) else v for k, v in values.items()}
        guard.params(plain(values))
        _deadline(store, timeout, "cypher")
        frame = store.read_text(text, values, max_rows=max_rows)
        frame = _redacted_rows(guard, store, frame)
        _show_rows(output, frame, "json" if as_json else fmt, {"params": plain(values)})


def _explore_options(command):
    options = [
        click.argument("kind", type=KIND),
        click.argument("node_id"),
        click.option(
            "--hops",
            type=click.IntRange(1, EXPLORE_MAX_HOPS),
            default=2,
            show_default=True,
            help="How far to walk.",
        ),
        click.option(
            "--max-nodes",
            type=click.IntRange(1, EXPLORE_MAX_NODES),
            default=150,
            show_default=True,
            help="Show at most this many nodes; the rest is cut and counted.",
        ),
        click.option(
            "--per-group",
            type=click.IntRange(1, EXPLORE_MAX_PER_GROUP),
            default=15,
            show_default=True,
            help="Per node and relationship type, show at most this many neighbours; "
            "the rest is collapsed into one '+N more' node.",
        ),
        click.option(
            "--types",
            help="Relationship types to walk, comma-separated, or 'all' "
            "(default: all but geography, unit hierarchy and shifts).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return _time_option(command)


def _neighbourhood(store, command, kind, node_id, hops, max_nodes, per_group, types, timeout):
    from graphrisk.analyst import KINDS, neighbourhood, parse_types, source_for

    deadline = _deadline(store, timeout, command)
    source = source_for(store)
    centre = source.resolve(node_id, labels=[KINDS[kind]])
    return neighbourhood(
        source, centre, hops=hops, max_nodes=max_nodes, per_group=per_group, types=parse_types(types),
        deadline=deadline,
    )  # fmt: skip


@click.command()
@_explore_options
@reveal_option
@output_options
@with_store
def explore(kind, node_id, hops, max_nodes, per_group, types, timeout, reveal, quiet, as_json, store) -> None:
    """Show the network around an employee, person, case or organisation.

    Prints the neighbourhood as a tree (how each node was reached, with relationship types) and
    as a table. Large groups are collapsed into '+N more' nodes and the walk stops at
    --max-nodes; both are said. Works on both stores. To open it in Gephi, Cytoscape or a
    browser, use graphrisk export with the same arguments.

    \b
    Example:
        graphrisk explore employee E000012 --hops 2
        graphrisk explore organisation ORG0001 --hops 3 --types MEMBER_OF,RELATED_TO,IS_PERSON
    """
    from graphrisk.privacy.guard import guarded

    with guarded("explore", action="explore", store=store, reveal=reveal) as guard:
        node_id = guard.resolve(node_id)
        guard.params({"kind": kind, "node": node_id, "hops": hops, "types": types})
        hood = _neighbourhood(store, "explore", kind, node_id, hops, max_nodes, per_group, types, timeout)
        _graph_subjects(guard, hood.graph)
        _show_neighbourhood(hood, hops, quiet, as_json)


def _graph_subjects(guard, graph) -> None:
    """Log the employees a graph shows and write the entry.

    An employee is shown by an Employee node, and also by the ``employee_id`` of a look-up
    whose employee lies beyond the hops (an Access node at the edge of the neighbourhood).
    """
    from graphrisk.analyst.source import split_id

    shown = {split_id(n)[1] for n in graph.nodes if split_id(n)[0] == "Employee"}
    shown |= {d["employee_id"] for _, d in graph.nodes(data=True) if isinstance(d.get("employee_id"), str)}
    guard.subjects(sorted(shown))
    guard.done(rows=graph.number_of_nodes())


def _show_neighbourhood(hood, hops, quiet, as_json) -> None:
    from graphrisk.privacy.redact import active

    redactor = active()
    if redactor is not None:  # redacted before the table is laid out, so its columns fit the pseudonyms
        hood.graph, hood.centre = redactor.graph(hood.graph), redactor.text(hood.centre)
    output = Output(quiet=quiet, as_json=as_json)
    if as_json:
        output.json({"ok": True, **hood.to_dict()})
        return
    if quiet:
        return
    graph = hood.graph
    output.out.print(_tree(graph, hood.centre))
    table = Table(show_edge=False, title=None)
    for c in ("hop", "type", "id", "name", "links"):
        table.add_column(c, justify="right" if c in ("hop", "links") else "left")
    for n, d in sorted(graph.nodes(data=True), key=lambda nd: (nd[1].get("hop", 0), nd[1]["type"], nd[0])):
        table.add_row(str(d.get("hop", "")), d["type"], d["key"], d["label"], str(graph.degree(n)))
    output.out.print(table)
    output.out.print(
        f"{hood.real_nodes():,} nodes, {graph.number_of_edges():,} relationships within {hops} hops "
        f"of {hood.centre} along {', '.join(hood.types)}.",
        highlight=False,
    )
    for note in hood.notes():
        output.err.print(f"[yellow]note[/]: {note}", highlight=False)


def _tree(graph, centre: str) -> Tree:
    """The walk as a tree: each node under the first node one hop nearer it is linked to."""
    from graphrisk.analyst.paths import describe_edge

    def name(n):
        d = graph.nodes[n]
        label = rich_escape(d["label"])
        return f"[bold]{d['type']}[/] {label}" if d["type"] != "Collapsed" else f"[dim]{label}[/]"

    root = Tree(Text.from_markup(name(centre), overflow="fold"))
    branches = {centre: root}
    hop = {n: d.get("hop", 0) for n, d in graph.nodes(data=True)}
    for n in sorted(graph, key=lambda x: (hop[x], graph.nodes[x]["type"], x)):
        if n == centre:
            continue
        parents = sorted(p for p in set(graph.predecessors(n)) | set(graph.successors(n))
                         if hop.get(p) == hop[n] - 1 and p in branches)  # fmt: skip
        if not parents:
            continue
        p = parents[0]
        steps = []
        for a, b, forward in ((p, n, True), (n, p, False)):
            for data in (graph.get_edge_data(a, b) or {}).values():
                props = {k: v for k, v in data.items() if k not in ("type", "label")}
                steps.append(describe_edge({"type": data["type"], "forward": forward, "props": props}))
        label = Text.from_markup(
            f"[cyan]{rich_escape(' / '.join(sorted(steps)))}[/] {name(n)}", overflow="fold"
        )
        branches[n] = branches[p].add(label)
    return root


@click.command()
@_explore_options
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write here: .graphml, .gexf, .json (Cytoscape), .csv (edge list) or .html.")  # fmt: skip
@reveal_option
@output_options
@with_store
def export(
    kind, node_id, hops, max_nodes, per_group, types, timeout, out, reveal, quiet, as_json, store
) -> None:
    """Write the network around a node to a file for Gephi, Cytoscape, yEd or a browser.

    The same neighbourhood as graphrisk explore, in the format the file name ends in:
    GraphML (.graphml), GEXF (.gexf, Gephi), Cytoscape.js JSON (.json), a CSV edge list (.csv)
    or a self-contained interactive page (.html).

    \b
    Example:
        graphrisk export employee E000012 --hops 2 --out e12.gexf
        graphrisk export case C000002 --hops 2 --out c2.html
    """
    from graphrisk.privacy.guard import guarded

    with guarded("export", action="export", store=store, reveal=reveal) as guard:
        node_id = guard.resolve(node_id)
        guard.params({"kind": kind, "node": node_id, "hops": hops, "types": types, "out": str(out)})
        hood = _neighbourhood(store, "export", kind, node_id, hops, max_nodes, per_group, types, timeout)
        _graph_subjects(guard, hood.graph)
        _export(hood, hops, out, quiet, as_json)


def _export(hood, hops, out, quiet, as_json) -> None:
    from graphrisk.analyst.export import write_graph

    output = Output(quiet=quiet, as_json=as_json)
    title = f"{hood.graph.nodes[hood.centre]['type']} {hood.graph.nodes[hood.centre]['label']}: {hops} hops"
    write_graph(hood.graph, out, title=title, notes=hood.notes(), centre=hood.centre)
    if as_json:
        output.json({"ok": True, "out": str(out), "nodes": hood.graph.number_of_nodes(),
                     "edges": hood.graph.number_of_edges(), "notes": hood.notes()})  # fmt: skip
        return
    output.info(
        f"Wrote {hood.graph.number_of_nodes():,} nodes and {hood.graph.number_of_edges():,} "
        f"relationships to {out}."
    )
    for note in hood.notes():
        output.info(f"[yellow]note[/]: {note}")


@click.command()
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@click.option("--max-hops", type=click.IntRange(1, PATHS_MAX_HOPS), default=6, show_default=True,
              help="The longest path to look for.")  # fmt: skip
@click.option("--via", help="Relationship types a path may use, comma-separated, or 'all' "
              "(default: all but geography, unit hierarchy and shifts).")  # fmt: skip
@click.option("--limit", type=click.IntRange(1, PATHS_MAX_LIMIT), default=5, show_default=True,
              help="How many paths: the shortest first.")  # fmt: skip
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the paths as a graph: .graphml, .gexf, .json, .csv or .html.")  # fmt: skip
@_time_option
@reveal_option
@output_options
@with_store
def paths(start, end, max_hops, via, limit, out, timeout, reveal, quiet, as_json, store) -> None:
    """Find the shortest and alternative paths between two nodes (e.g. an employee and an organisation).

    FROM and TO are ids (E000012, ORG0001) or Label:id when an id is ambiguous. Each path is shown
    as a chain: every relationship with its direction, kind, role and dates, every look-up with its
    time and system. Relationships are followed in either direction. Works on both stores.

    \b
    Example:
        graphrisk paths E000012 ORG0001
        graphrisk paths E000012 P0000253 --max-hops 4 --via RELATED_TO,IS_PERSON,PERFORMED,TARGETED
    """
    from graphrisk.analyst import find_paths, parse_types, source_for
    from graphrisk.privacy.guard import guarded

    with guarded("paths", action="paths", store=store, reveal=reveal) as guard:
        start, end = guard.resolve(start), guard.resolve(end)
        guard.params({"from": start, "to": end, "max_hops": max_hops, "via": via, "limit": limit})
        deadline = _deadline(store, timeout, "paths")
        source = source_for(store)
        a, b = source.resolve(start), source.resolve(end)
        found = find_paths(
            source, a, b, max_hops=max_hops, via=parse_types(via), limit=limit, deadline=deadline
        )
        _graph_subjects(guard, found.graph)
        _show_paths(found, a, b, out, quiet, as_json)


def _show_paths(found, a, b, out, quiet, as_json) -> None:
    from graphrisk.analyst.export import write_graph

    output = Output(quiet=quiet, as_json=as_json)
    if out is not None:
        write_graph(found.graph, out, title=f"Paths from {a} to {b}", notes=found.notes(), centre=a)
    if as_json:
        output.json({"ok": True, **found.to_dict(), "out": str(out) if out else None})
        return
    if quiet:
        return
    for i, p in enumerate(found.paths, start=1):
        output.out.print(f"[bold]{i}.[/] {p.hops} hops", highlight=False)
        output.out.print(p.chain(), highlight=False, markup=False)
        output.out.print()
    output.out.print(
        f"{len(found.paths)} path(s) from {a} to {b}; all paths of up to {found.searched_hops} hops "
        f"were considered ({found.fetched_nodes:,} nodes fetched).",
        highlight=False,
    )
    for note in found.notes():
        output.err.print(f"[yellow]note[/]: {note}", highlight=False)
    if out is not None:
        output.info(f"Wrote the paths to {out}.")


@click.command()
@click.argument("employee_id", required=False)
@click.option("--top", type=int, help="Write the overview report with this many top employees instead.")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")  # fmt: skip
@click.option("--scores", "scores_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Scores file from graphrisk score --out (.csv, .parquet, .json).")  # fmt: skip
@click.option("--findings", "findings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Findings file from graphrisk detect --out (default: run detection now).")  # fmt: skip
@reveal_option
@output_options
@with_store
def report(employee_id, top, out, scores_path, findings_path, reveal, quiet, as_json, store) -> None:
    """Write an employee's dossier, or the overview of everyone, as one self-contained HTML file.

    The dossier holds the score and its parts (when scores are given), the findings on a
    timeline, look-ups per day, the evidence table and an interactive network of the employee's
    relevant neighbourhood with the findings outlined. The overview (--top N) holds the
    distribution of scores, the top employees overall and per unit, and findings per rule over
    time. The file opens in any browser without network access.

    \b
    Example:
        graphrisk report E000012 --out dossier.html
        graphrisk report --top 25 --out overview.html --scores scores.csv
    """
    from graphrisk.privacy.guard import guarded

    with guarded("report", action="report", store=store, reveal=reveal) as guard:
        _report(guard, employee_id, top, out, scores_path, findings_path, quiet, as_json, store)


def _report(guard, employee_id, top, out, scores_path, findings_path, quiet, as_json, store) -> None:
    output = Output(quiet=quiet, as_json=as_json)
    if (employee_id is None) == (top is None):
        raise UsageError("give an EMPLOYEE_ID for a dossier or --top N for the overview (one of them)")
    if top is not None and top < 1:
        raise UsageError("--top must be 1 or more")
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{out}: a report is an HTML file; end the name in .html")
    scores = findings = None
    if scores_path is not None:
        from graphrisk.reports.scores import read_scores

        scores = read_scores(readable(scores_path, "scores file"))
    if findings_path is not None:
        from graphrisk.files import read_findings

        findings = read_findings(readable(findings_path, "findings file"))
        # a findings file is pseudonymised unless written with --reveal: back to ids for the store
        findings = findings.assign(employee_id=guard.pseudonymiser.unredact_ids(findings["employee_id"]))
    if scores is not None:
        scores = guard.unredact_scores(scores)
    guard.params({"employee": guard.resolve(employee_id) if employee_id else None, "top": top,
                  "scores": str(scores_path) if scores_path else None,
                  "findings": str(findings_path) if findings_path else None})  # fmt: skip
    if employee_id is not None:
        from graphrisk.reports.dossier import build_dossier

        employee_id = guard.resolve(employee_id)
        guard.subjects([employee_id])

        result = build_dossier(store, employee_id, findings=findings, scores=scores)
        summary = {"employee_id": result.employee_id, "findings": result.findings, "nodes": result.nodes,
                   "score": result.score["score"] if result.score else None}  # fmt: skip
        text = (
            f"Wrote the dossier of {result.employee_id} to {out}: {result.findings:,} findings, "
            f"a network of {result.nodes:,} nodes" + ("" if result.score else ", no score")
        )
    else:
        from graphrisk.reports.overview import build_overview

        result = build_overview(store, top=top, findings=findings, scores=scores)
        summary = {"employees": result.employees, "findings": result.findings, "scored": result.scored}
        guard.subjects(result.shown)
        text = f"Wrote the overview of {result.employees:,} employees ({result.findings:,} findings) to {out}"
    guard.done(rows=1)
    with written(out) as tmp:
        tmp.write_text(result.html, encoding="utf-8")
    if as_json:
        output.json({"ok": True, "out": str(out), **summary})
    else:
        output.info(text + ".")


COMMANDS = [query, cypher, explore, paths, export, report]
