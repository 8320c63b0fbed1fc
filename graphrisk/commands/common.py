"""What every command module shares: the store and output options, :class:`Output`, argument checks.

:mod:`graphrisk.cli` (the group and its first commands) and each module of :mod:`graphrisk.commands`
import these from here; nothing here imports either of them, so that the command line has no
import cycle (tests/test_imports.py).
"""

from __future__ import annotations

import functools
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphrisk.store import DEFAULT_STORE_DIR, open_store

__all__ = [
    "Output",
    "engine_options",
    "output_options",
    "readable",
    "record_findings",
    "reveal_option",
    "rule_table",
    "store_options",
    "wants_json",
    "with_store",
]

_JSON_KEY = "graphrisk.json"


class _Redacting:
    """A text stream that passes what is written through the active redactor (privacy/redact.py).

    The terminal's choke point: every table, line and message a command prints while it runs
    pseudonymised goes through here, so no print can forget it. The stream is looked up when
    written to, as a Console does, so that a test runner's replaced sys.stdout is honoured.
    """

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr

    @property
    def _stream(self):
        return sys.stderr if self._stderr else sys.stdout

    def write(self, text: str) -> int:
        from graphrisk.privacy.redact import active

        redactor = active()
        return self._stream.write(text if redactor is None else redactor.text(text))

    def __getattr__(self, name):  # isatty, fileno, flush, encoding ...
        return getattr(self._stream, name)


class Output:
    """Where a command's results and messages go, by output mode."""

    def __init__(self, *, quiet: bool = False, as_json: bool = False) -> None:
        self.quiet = quiet
        self.as_json = as_json
        self.out = Console(soft_wrap=True, file=_Redacting(stderr=False))
        self.err = Console(soft_wrap=True, file=_Redacting(stderr=True))

    def info(self, message: str) -> None:
        if not (self.quiet or self.as_json):
            self.err.print(message, highlight=False)

    def json(self, payload: dict) -> None:
        from graphrisk.privacy.redact import active

        redactor = active()
        if redactor is not None:
            payload = redactor.value(json.loads(json.dumps(payload, default=str)))
        click.echo(json.dumps(payload, indent=2, default=str))

    def echo(self, text: str, nl: bool = True) -> None:
        """Plain text on standard output (CSV rows), redacted like everything printed."""
        from graphrisk.privacy.redact import active

        redactor = active()
        click.echo(text if redactor is None else redactor.text(text), nl=nl)

    @contextmanager
    def progress(self, description: str):
        """A progress bar on a terminal; nothing in a pipe, with --quiet or --json."""
        if self.quiet or self.as_json or not self.err.is_terminal:
            yield None
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(description, total=None)

            def update(step: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"{description}: {step}")

            yield update


def wants_json(ctx: click.Context) -> bool:
    return bool(ctx.meta.get(_JSON_KEY))


def _remember_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[_JSON_KEY] = value  # meta is shared by the whole context tree
    return value


def store_options(command):
    """The options every store-using command shares (sqlite-utils style decorator factory)."""
    options = [
        click.option(
            "--neo4j-uri",
            envvar="NEO4J_URI",
            default=None,
            help="Use this Neo4j server (bolt:// or neo4j://); an empty value means the embedded store.",
        ),
        click.option("--neo4j-user", envvar="NEO4J_USER", default=None, help="Neo4j user name."),
        click.option(
            "--neo4j-password",
            envvar="NEO4J_PASSWORD",
            default=None,
            help="Neo4j password (prefer the env variable).",
        ),
        click.option(
            "--store",
            "store_dir",
            envvar="GRAPHRISK_STORE",
            default=DEFAULT_STORE_DIR,
            show_default=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Embedded store directory, used when no Neo4j URI is set.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def output_options(command):
    command = click.option(
        "--json", "as_json", is_flag=True, callback=_remember_json, help="Print a JSON document for scripts."
    )(command)
    command = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")(command)
    return command


def reveal_option(command):
    """``--reveal REASON``: real ids and names for this one command (a role that may reveal)."""
    return click.option(
        "--reveal",
        metavar="REASON",
        default=None,
        help="Show real employee ids and persons' names instead of pseudonyms, for this command only "
        "(analyst, liaison); the reason (e.g. the VIK case) is written to the audit log.",
    )(command)


def _open(neo4j_uri, neo4j_user, neo4j_password, store_dir):
    return open_store(
        neo4j_uri=neo4j_uri, neo4j_user=neo4j_user, neo4j_password=neo4j_password, store_dir=store_dir
    )


def with_store(command):
    """Open the selected store for the command and close it afterwards."""

    @functools.wraps(command)
    def wrapper(*args, neo4j_uri, neo4j_user, neo4j_password, store_dir, **kwargs):
        with _open(neo4j_uri, neo4j_user, neo4j_password, store_dir) as store:
            return command(*args, store=store, **kwargs)

    return store_options(wrapper)


def readable(path: Path, what: str, wanted: str = "file") -> Path:
    """``path`` when it is a ``wanted`` ("file" or "directory"); else a UsageError saying what is there.

    Checked before reading, so that a named pipe is refused instead of read for ever, and a
    directory or a dangling link is called what it is instead of "missing".
    """
    from graphrisk.errors import UsageError
    from graphrisk.ingest.files import describe_path

    wrong = describe_path(path, wanted)
    if wrong is not None:
        raise UsageError(f"{what} {str(path)!r} {wrong}")
    return path


def _parse_params(values: tuple[str, ...]) -> dict[str, dict]:
    """``RULE.NAME=VALUE`` options as {rule: {name: value}}, checked against the registry."""
    from graphrisk.errors import UsageError
    from graphrisk.rules import RULES

    params: dict[str, dict] = {}
    for item in values:
        name, sep, value = item.partition("=")
        rule_id, dot, param = name.partition(".")
        if not sep or not dot:
            raise UsageError(
                f"--param {item!r}: write RULE.NAME=VALUE, e.g. pre-action-lookup.window_hours=48"
            )
        if rule_id not in RULES or param not in RULES[rule_id].params:
            known = ", ".join(f"{r.id}.{p}" for r in RULES.values() for p in r.params)
            raise UsageError(f"--param {item!r}: no such rule parameter; known: {known}")
        params.setdefault(rule_id, {})[param] = value
        RULES[rule_id].resolve_params(params[rule_id])  # type and range, before any work
    return params


def _parse_when(value: str | None, option: str):
    if value is None:
        return None
    import pandas as pd

    from graphrisk.errors import UsageError

    try:
        ts = pd.Timestamp(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date or ISO 8601 timestamp") from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def engine_options(command):
    """``--engine`` and ``--spark-master``: the commands that detect (``detect``, ``score``)."""
    command = click.option(
        "--spark-master",
        metavar="URL",
        help="The spark engine's master: local[N], spark://HOST:PORT, yarn, k8s://..., or a Spark "
        "Connect sc://HOST:PORT (default GRAPHRISK_SPARK_MASTER, else local[2]; docs/spark.md).",
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(["duckdb", "spark", "pandas", "cypher"]),
        help="Embedded store: duckdb (default: SQL over the Parquet files, out of core), spark (the "
        "same SQL on Apache Spark, pip install 'graphrisk[spark]') or pandas (the reference, all in "
        "memory). Neo4j: cypher. Every engine finds the same.",
    )(command)


def record_findings(guard, result, out: Path | None) -> None:
    """What both ways of ``detect`` do with their findings (a :class:`~graphrisk.rules.DetectResult`):
    audit whom they name, then write them."""
    from graphrisk.files import write_findings

    guard.subjects(result.employees())
    guard.done(rows=result.total)
    if out is not None:
        write_findings(result.findings, out)


def rule_table(result) -> Table:
    """The findings per rule of a :class:`~graphrisk.rules.DetectResult`, as ``detect`` prints them."""
    table = Table(show_edge=False)
    columns = ("rule", "findings", "employees", "by severity", "seconds")
    for col in columns:
        table.add_column(col, justify="left" if col in ("rule", "by severity") else "right")
    employees = result.employees_per_rule()
    for run in result.runs:
        if run.skipped:
            table.add_row(run.rule_id, "-", "-", f"skipped: {run.skipped}", "-")
            continue
        sev = ", ".join(f"{k} {v}" for k, v in sorted(run.by_severity.items()))
        named = employees.get(run.rule_id, 0)
        table.add_row(run.rule_id, f"{run.findings:,}", f"{named:,}", sev, f"{run.seconds:.2f}")
    return table
