"""``graphrisk neo4j``: the Neo4j server's own jobs, a first load by the offline bulk importer and
the schema (docs/data-model.md, "A first load of a big data set")."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from graphrisk.commands.common import Output, output_options, with_store
from graphrisk.errors import UsageError

__all__ = ["COMMANDS", "neo4j"]


@click.group()
def neo4j() -> None:
    """Jobs on a Neo4j server: the first load by its bulk importer, the schema.

    \b
    Example:
      graphrisk neo4j import data/ --replace
      graphrisk neo4j schema
    """


@neo4j.command("import")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option(
    "--neo4j-admin",
    "admin",
    default="neo4j-admin",
    show_default=True,
    metavar="COMMAND",
    help="How to run Neo4j's neo4j-admin: its bin/neo4j-admin, or scripts/neo4j-admin for the local "
    "server of scripts/neo4j-start.",
)
@click.option("--database", default="neo4j", show_default=True, help="The database to create.")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the database whole if it exists (without it the importer refuses an existing one).",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the importer's CSV files are written (a private folder, removed afterwards; "
    "default: the system's temporary folder). They are about the size of the data set as CSV.",
)
@output_options
def import_(
    dataset: Path, admin: str, database: str, replace: bool, work_dir, quiet: bool, as_json: bool
) -> None:
    """Validate DATASET and import it into a stopped Neo4j database with neo4j-admin.

    The first load of a big data set: Neo4j's offline importer writes the
    database's files directly, much faster than `graphrisk load` (the medium
    preset in under two minutes instead of a quarter of an hour). The data set is
    checked first exactly as by `load`; on any problem nothing is written. The
    server must be stopped, and the database is created whole: with --replace an
    existing one is replaced. Then start the server and run `graphrisk neo4j
    schema` (constraints and indexes); later data goes in with `graphrisk load`.
    scripts/neo4j-import does all of it for the local server.

    \b
    Example:
        graphrisk neo4j import datasets/sample --replace --neo4j-admin /opt/neo4j/bin/neo4j-admin
        scripts/neo4j-import datasets/sample      # the local server: stop, import, start, schema
    """
    from graphrisk.ingest import read_dataset
    from graphrisk.privacy.guard import guarded
    from graphrisk.store.bulk_import import bulk_import

    with guarded("neo4j import", action="load", redact=False) as guard:
        guard.params({"dataset": str(dataset), "database": database, "replace": replace})
        out = Output(quiet=quiet, as_json=as_json)
        try:
            command = shlex.split(admin)
        except ValueError as exc:
            raise UsageError(f"--neo4j-admin {admin!r}: {exc}") from None
        out.info(f"Checking {dataset} ...")
        ds = read_dataset(dataset)
        for warning in ds.warnings:
            out.info(f"[yellow]warning[/]: {warning}")
        out.info(f"Importing into database {database!r} with {admin} ...")
        summary = bulk_import(ds, command, database=database, replace=replace, work_dir=work_dir)
        if as_json:
            out.json({"ok": True, **summary.to_dict(), "warnings": [str(w) for w in ds.warnings]})
            return
        out.info(
            f"Imported {sum(summary.nodes.values()):,} nodes and {sum(summary.relationships.values()):,} "
            f"relationships into {database!r} in {summary.seconds_files + summary.seconds_import:.1f} s "
            f"({summary.seconds_files:.1f} s writing the files, {summary.seconds_import:.1f} s importing). "
            "Start the server, then run `graphrisk neo4j schema`."
        )


@neo4j.command()
@output_options
@with_store
def schema(quiet: bool, as_json: bool, store) -> None:
    """Create the constraints and indexes (cypher/schema.cypher) on the Neo4j server.

    Needed once after `graphrisk neo4j import`; `graphrisk load` creates them
    too. Idempotent: what exists is left alone.

    \b
    Example:
        NEO4J_URI=bolt://127.0.0.1:7687 graphrisk neo4j schema
    """
    from graphrisk.privacy.guard import guarded

    with guarded("neo4j schema", action="load", redact=False):
        if store.kind != "neo4j":
            raise UsageError("graphrisk neo4j schema needs a Neo4j server: set --neo4j-uri or NEO4J_URI")
        out = Output(quiet=quiet, as_json=as_json)
        store.create_schema()
        if as_json:
            out.json({"ok": True, "store": store.describe()})
        else:
            out.info(f"Constraints and indexes are in place on {store.describe()}.")


COMMANDS = [neo4j]
