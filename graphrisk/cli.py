"""The ``graphrisk`` command line: parses options, picks a store, calls the library, formats output.

graphrisk's own errors become one-line messages (and, with ``--json``, a JSON
object) here and nowhere else; a user's mistake never shows a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import click
from rich.table import Table

from graphrisk import __version__
from graphrisk.commands.common import (  # noqa: F401 - Output and the decorators: graphrisk.cli's names too
    Output,
    _open,
    _parse_params,
    _parse_when,
    engine_options,
    output_options,
    readable,
    record_findings,
    reveal_option,
    rule_table,
    store_options,
    wants_json,
    with_store,
)
from graphrisk.errors import DataError, GraphriskError, UsageError
from graphrisk.store import GraphStats

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
MAX_PROBLEMS_SHOWN = 50


class GraphriskGroup(click.Group):
    """Turns graphrisk's errors into friendly messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GraphriskError as exc:
            as_json = wants_json(ctx)
            _report_error(exc, as_json, wrote_nothing=ctx.invoked_subcommand in _ALL_OR_NOTHING)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            # output files turn their own errors into OutputError (graphrisk.outputs); an error
            # without a file name here is the terminal or pipe: standard output on a full disk
            # (> /dev/full) or a closed pipe. Anything else is a bug and keeps its traceback.
            if exc.filename is not None or exc.errno not in (errno.ENOSPC, errno.EPIPE, errno.EIO):
                raise
            click.echo(f"Error: cannot write to standard output: {exc.strerror}", err=True)
            _silence_stdout()
            ctx.exit(1)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real descriptor (a test runner's buffer): nothing to flush
        pass


#: Commands that validate everything before they write: a data error means nothing was written.
_ALL_OR_NOTHING = ("load", "neo4j")


def _report_error(exc: GraphriskError, as_json: bool, *, wrote_nothing: bool = False) -> None:
    problems = exc.problems if isinstance(exc, DataError) else []
    if as_json:
        payload = {"ok": False, "error": str(exc), "exit_code": exc.exit_code}
        if isinstance(exc, DataError):
            payload["problem_count"] = exc.total
            payload["problems"] = [str(p) for p in problems]
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(f"Error: {exc}", err=True)
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"  {problem}", err=True)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"  ... {len(problems) - MAX_PROBLEMS_SHOWN} more lines not shown", err=True)
    if isinstance(exc, DataError) and wrote_nothing:
        click.echo("Nothing was written.", err=True)


@click.group(cls=GraphriskGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="graphrisk")
def main() -> None:
    """graphrisk: graph-based insider-risk analysis for police information security.

    Loads employees, the records they look up, cases and known contacts into a
    graph (the embedded store by default, or Neo4j with --neo4j-uri / NEO4J_URI)
    and finds the patterns behind leaks of confidential information.

    \b
    Example:
        graphrisk load datasets/sample && graphrisk stats
    """


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Empty the store first instead of adding to it.")
@click.option(
    "--append",
    "append",
    is_flag=True,
    help="DATASET is a batch with only what is new or changed (e.g. today's access_log); "
    "it may refer to what the store holds, and only what changed is written.",
)
@click.option(
    "--break-lock",
    is_flag=True,
    help="Neo4j: remove the load lock of a load that no longer runs (killed on another host), then load.",
)
@output_options
@with_store
def load(
    dataset: Path, replace: bool, append: bool, break_lock: bool, quiet: bool, as_json: bool, store
) -> None:
    """Validate the data set in DATASET and load it into the store.

    The whole data set is checked first; on any problem every one is listed
    (file:line:column) and nothing is written. Loading adds or updates rows by
    their ids, so loading the same data again changes nothing and a newer
    access log adds only its new events.

    With --append, DATASET is a batch: any of the data set's files, holding only
    what is new or changed. Its references may point into the store; an access
    id already stored is skipped when identical and refused when different;
    other rows are added or updated in place by their key. The report gives rows
    added/skipped/updated per table and the days the batch touches, which the
    store records (docs/loading.md).

    \b
    Example:
        graphrisk load datasets/sample
        NEO4J_URI=bolt://127.0.0.1:7687 graphrisk load datasets/sample --json
        graphrisk load --append today/ && graphrisk score --out scores.parquet
    """
    from graphrisk.privacy.guard import guarded

    with guarded("load", action="load", redact=False) as guard:
        if break_lock:
            if store.kind != "neo4j":
                raise UsageError("--break-lock is for Neo4j; the embedded store's lock ends with its process")
            store.break_lock = True
        if append and replace:
            raise UsageError("--append adds a batch to the store and --replace empties it first; give one")
        if append:
            _append(guard, dataset, quiet, as_json, store)
        else:
            _load(guard, dataset, replace, quiet, as_json, store)


def _append(guard, dataset: Path, quiet: bool, as_json: bool, store) -> None:
    from graphrisk.store import append_batch

    guard.params({"dataset": str(dataset), "append": True})
    out = Output(quiet=quiet, as_json=as_json)
    out.info(f"Checking {dataset} against the contract and {store.describe()} ...")
    with out.progress(f"Appending to {store.kind}") as progress:
        summary = append_batch(store, dataset, progress=progress)
    for warning in summary.warnings:
        out.info(f"[yellow]warning[/]: {warning}")
    if as_json:
        out.json({"ok": True, **summary.to_dict()})
        return
    if quiet:
        return
    done = "Appended" if summary.written else "Nothing new in"
    out.err.print(
        f"{done} batch {summary.batch_id} from {dataset} ({store.describe()}, {summary.seconds:.1f} s).",
        highlight=False,
    )
    table = Table(title=None, show_edge=False)
    for name, justify in (("table", "left"), ("added", "right"), ("skipped", "right"), ("updated", "right")):
        table.add_column(name, justify=justify)
    for name, counts in summary.tables.items():
        table.add_row(name, *(f"{counts[k]:,}" for k in ("added", "skipped", "updated")))
    out.out.print(table)
    out.out.print(f"Look-up days: {_days(summary.lookup_days)}", highlight=False)
    out.out.print(
        f"Past days a change could alter (to re-detect): {_days(summary.redetect_days)}", highlight=False
    )


def _days(days: list[str]) -> str:
    if not days:
        return "none"
    if len(days) <= 6:
        return ", ".join(days)
    return f"{len(days)} days, {days[0]} to {days[-1]}"


def _load(guard, dataset: Path, replace: bool, quiet: bool, as_json: bool, store) -> None:
    from graphrisk.ingest import read_dataset

    guard.params({"dataset": str(dataset), "replace": replace})
    out = Output(quiet=quiet, as_json=as_json)
    out.info(f"Checking {dataset} ...")
    ds = read_dataset(dataset)
    for warning in ds.warnings:
        out.info(f"[yellow]warning[/]: {warning}")
    with out.progress(f"Loading into {store.kind}") as progress:
        summary = store.load(ds, replace=replace, progress=progress)
    if as_json:
        out.json({"ok": True, **summary.to_dict(), "warnings": [str(w) for w in ds.warnings]})
        return
    if not quiet:
        rows = sum(summary.rows.values())
        out.err.print(
            f"Loaded {rows:,} rows from {len(summary.rows)} files into {store.describe()} "
            f"in {summary.seconds:.1f} s.",
            highlight=False,
        )
        _print_stats(out, summary.stats)


@main.command()
@output_options
@with_store
def stats(quiet: bool, as_json: bool, store) -> None:
    """Print the number of nodes per label and relationships per type in the store.

    \b
    Example:
        graphrisk stats --json
    """
    from graphrisk.privacy.guard import guarded

    out = Output(quiet=quiet, as_json=as_json)
    with guarded("stats", action="stats", redact=False):
        result = store.stats()
    if as_json:
        out.json({"ok": True, "store": store.kind, "location": store.describe(), **result.to_dict()})
    elif not quiet:
        out.out.print(f"Store: {store.kind} at {store.describe()}", highlight=False)
        _print_stats(out, result)


def _print_stats(out: Output, stats: GraphStats) -> None:
    table = Table(title=None, show_edge=False)
    table.add_column("nodes")
    table.add_column("count", justify="right")
    table.add_column("relationships")
    table.add_column("count", justify="right")
    nodes = sorted(stats.nodes.items())
    rels = sorted(stats.relationships.items())
    for i in range(max(len(nodes), len(rels))):
        n = nodes[i] if i < len(nodes) else ("", "")
        r = rels[i] if i < len(rels) else ("", "")
        table.add_row(n[0], f"{n[1]:,}" if n[1] != "" else "", r[0], f"{r[1]:,}" if r[1] != "" else "")
    out.out.print(table)


@main.command()
@click.option("--rules", "rule_ids", help="Comma-separated rule ids (default: the whole catalogue).")
@click.option(
    "--since", help="Only accesses at or after this date/timestamp (UTC unless an offset is given)."
)
@click.option("--until", help="Only accesses before this date/timestamp.")
@click.option(
    "--param", "params", multiple=True, metavar="RULE.NAME=VALUE", help="Override a rule parameter."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings here: .parquet, .csv or .json by extension.",
)
@engine_options
@click.option(
    "--incremental",
    is_flag=True,
    help="The nightly run: detect only the days appended batches touched (every day the first time), "
    "keep the findings per day in the store for score (docs/loading.md).",
)
@click.option("--all-days", is_flag=True, help="With --incremental: detect and store every day again.")
@reveal_option
@output_options
@with_store
def detect(
    rule_ids, since, until, params, out: Path | None, engine, spark_master, incremental, all_days, reveal,
    quiet: bool, as_json: bool, store,
) -> None:  # fmt: skip
    """Run the detection rules on the store and report the findings per rule.

    Every finding names the employee, the exact access events, the target, the case or
    organisation involved, a severity and the evidence path. Rules whose input files were
    not loaded are skipped with the reason. See docs/rules.md for the catalogue.

    \b
    Example:
        graphrisk detect --out findings.parquet
        graphrisk detect --rules own-network,pre-action-lookup --since 2026-03-01
        graphrisk detect --engine pandas --out findings.parquet
        graphrisk detect --engine spark --spark-master spark://head:7077 --out findings.parquet
        graphrisk load --append today/ && graphrisk detect --incremental
    """
    from graphrisk.privacy.guard import guarded
    from graphrisk.rules import engine_choice

    with guarded("detect", action="detect", store=store, reveal=reveal) as guard:
        guard.params({"rules": rule_ids, "since": since, "until": until, "param": list(params),
                      "out": str(out) if out else None, "engine": engine,
                      "spark_master": spark_master, "incremental": incremental,
                      "all_days": all_days})  # fmt: skip
        with engine_choice(engine, spark_master):
            if incremental or all_days:
                from graphrisk.commands.scoring import detect_incremental_command

                detect_incremental_command(guard, rule_ids, since, until, params, out, engine, all_days,
                                           Output(quiet=quiet, as_json=as_json), store)  # fmt: skip
                return
            _detect(guard, rule_ids, since, until, params, out, quiet, as_json, store)


def _detect(
    guard, rule_ids, since, until, params, out: Path | None, quiet: bool, as_json: bool, store
) -> None:
    from graphrisk.rules import detect as run_detect

    output = Output(quiet=quiet, as_json=as_json)
    ids = [r.strip() for r in rule_ids.split(",") if r.strip()] if rule_ids else None
    with output.progress("Detecting") as progress:
        result = run_detect(
            store,
            ids,
            since=_parse_when(since, "--since"),
            until=_parse_when(until, "--until"),
            params=_parse_params(params),
            progress=progress,
        )
    record_findings(guard, result, out)
    if as_json:
        output.json(
            {
                "ok": True,
                "store": store.kind,
                "engine": result.engine,
                "findings": len(result.findings),
                "rules": result.summary(),
                "out": str(out) if out else None,
            }
        )
        return
    if quiet:
        return
    output.out.print(rule_table(result))
    where = f"; written to {out}" if out else ""
    found = f"{len(result.findings):,} findings from {store.kind} store ({result.engine} engine){where}."
    output.out.print(found, highlight=False)


def _register_commands() -> None:
    from graphrisk.commands import register

    register(main)


_register_commands()
