"""A first load of a big data set through Neo4j's offline bulk importer.

``neo4j-admin database import full`` writes a database's store files directly, without
transactions: the medium preset (2 million look-ups, 8 million nodes and relationships) takes
under two minutes where the batched loader (:meth:`~graphrisk.store.neo4j.Neo4jStore.load`)
took sixteen (docs/performance.md). It only creates a database, never adds to one, and the
database must be stopped: it is the first load; ``graphrisk load`` (batched transactions)
carries on from there.

The importer reads CSV files whose headers carry the graph model. They are written here from a
validated :class:`~graphrisk.ingest.Dataset` by the same rules as the batched loader
(:mod:`graphrisk.graph` alone says which labels, relationship types and properties exist), so a
bulk import and ``graphrisk load`` of the same data set give the same graph: the same nodes,
relationships and property values (tests/test_bulk_import.py compares them in full). Constraints
and indexes are not the importer's business in Neo4j Community: ``graphrisk load`` and
``graphrisk neo4j schema`` create them once the server runs again (``scripts/neo4j-import`` does
the whole sequence for the local server).

Example (the CSV files and the importer's arguments, without running it)::

    >>> from graphrisk.graph import NODE_BY_LABEL
    >>> node_header(NODE_BY_LABEL["Shift"])
    ['shift_id:ID(Shift)', 'start_ts:datetime', 'end_ts:datetime']
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graphrisk.atomic import private_dir
from graphrisk.contract import EVALUATION_ONLY, TABLES, ColumnType
from graphrisk.errors import StoreError, UsageError
from graphrisk.graph import NODES, RELATIONSHIPS, NodeSpec, RelSpec, node_rows, rel_rows, with_synthetic_ids
from graphrisk.ingest import Dataset

__all__ = [
    "ImportFiles",
    "ImportSummary",
    "bulk_import",
    "import_arguments",
    "node_header",
    "relationship_header",
    "write_import_files",
]

#: The importer's types for the contract's column types; every other column is a string.
_TYPES = {ColumnType.DATETIME: "datetime", ColumnType.DATE: "date"}


@dataclass
class ImportFiles:
    """The CSV files of one import: (label or type, file) pairs, with their row counts."""

    directory: Path
    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  #: per file name, rows written (header excluded)


@dataclass
class ImportSummary:
    """What a bulk import wrote: nodes per label, relationships per type, and its times."""

    database: str
    nodes: dict[str, int]
    relationships: dict[str, int]
    seconds_files: float  #: writing the CSV files
    seconds_import: float  #: the importer itself

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "seconds_files": round(self.seconds_files, 2),
            "seconds_import": round(self.seconds_import, 2),
        }


def _type_of(table: str, column: str) -> str | None:
    """The importer's type suffix of ``table.column`` (None: a string, the importer's default)."""
    try:
        kind = TABLES[table].column(column).type
    except KeyError:  # a synthetic id (action_id, shift_id): a string
        return None
    return _TYPES.get(kind)


def _typed(name: str, table: str, column: str) -> str:
    kind = _type_of(table, column)
    return f"{name}:{kind}" if kind else name


def node_header(spec: NodeSpec) -> list[str]:
    """The CSV header of ``spec``'s nodes: the key as the node's id (kept as a property of that
    name) in the label's own id space, then the typed properties.

    >>> from graphrisk.graph import NODE_BY_LABEL
    >>> node_header(NODE_BY_LABEL["Employee"])
    ['employee_id:ID(Employee)', 'rank', 'role', 'start_date:date', 'end_date:date']
    """
    return [f"{spec.key}:ID({spec.label})", *(_typed(p, spec.table, p) for p in spec.properties)]


def relationship_header(spec: RelSpec) -> list[str]:
    """The CSV header of ``spec``'s relationships: start and end ids in their labels' id spaces,
    then the key and the typed properties.

    >>> from graphrisk.graph import RELATIONSHIPS
    >>> relationship_header([r for r in RELATIONSHIPS if r.type == "RELATED_TO"][0])
    [':START_ID(Person)', ':END_ID(Person)', 'kind', 'source', 'since:date']
    """
    props = [_typed(p, spec.table, p) for p in dict.fromkeys([*spec.key, *spec.properties])]
    return [f":START_ID({spec.start})", f":END_ID({spec.end})", *props]


def write_import_files(dataset: Dataset, directory: Path) -> ImportFiles:
    """Write the importer's CSV files for ``dataset`` into ``directory`` (which must exist).

    Nodes: one per key (:func:`~graphrisk.graph.node_rows`). Relationships: one per distinct
    (start, end, key), the last row's properties winning, as the loader's ``MERGE ... SET`` leaves
    them; only between nodes of the data set (a case cited while ``cases`` is absent gives no
    ``JUSTIFIED_BY``, as with the loader). Validation has checked every other reference, so the
    importer meets no dangling id (and would stop at one: ``--bad-tolerance=0``).
    """
    files = ImportFiles(directory)
    tables = {
        name: with_synthetic_ids(name, frame)
        for name, frame in dataset.tables.items()
        if name not in EVALUATION_ONLY
    }
    labels: set[str] = set()
    for spec in NODES:
        if spec.table not in tables:
            continue
        rows = node_rows(spec, tables[spec.table])
        labels.add(spec.label)
        path = directory / f"node_{spec.label.lower()}.csv"
        _write_csv(rows, node_header(spec), spec.table, path)
        files.nodes.append((spec.label, path))
        files.rows[path.name] = len(rows)
    for spec in RELATIONSHIPS:
        if spec.table not in tables or not {spec.start, spec.end} <= labels:
            continue
        rows = rel_rows(spec, tables[spec.table])
        identity = [spec.start_column, spec.end_column, *spec.key]
        if not set(TABLES[spec.table].key) <= set(identity):  # else unique already (validated keys)
            rows = rows.drop_duplicates(subset=identity, keep="last")
        path = directory / f"{spec.loader.removeprefix('load/')}.csv"
        _write_csv(rows, relationship_header(spec), spec.table, path)
        files.relationships.append((spec.type, path))
        files.rows[path.name] = len(rows)
    return files


def _write_csv(frame: pd.DataFrame, header: list[str], table: str, path: Path) -> None:
    """``frame``'s columns, in order, under ``header``: strings quoted (an empty string stays one),
    a missing value an empty unquoted field (the importer sets no property, as SET x = null),
    timestamps in UTC ISO form, dates as YYYY-MM-DD."""
    arrays = []
    for column in frame.columns:
        values = pa.array(frame[column], from_pandas=True)
        kind = _type_of(table, column)
        if kind == "datetime":
            values = _utc_iso(values)
        elif kind == "date":
            # pandas holds dates as midnight timestamps; the loader sends their .date()
            values = pc.cast(values, pa.date32(), safe=False).cast(pa.string())
        elif values.type != pa.string():
            values = values.cast(pa.string())
        arrays.append(values)
    table_ = pa.Table.from_arrays(arrays, names=header)
    pacsv.write_csv(table_, path, pacsv.WriteOptions(include_header=True, quoting_style="needed"))


def _utc_iso(values: pa.Array) -> pa.Array:
    """Timestamps as ``2026-03-01T23:05:25Z`` (fractions of a second kept): the instant in UTC.

    Dropping the zone first keeps the UTC wall time and makes Arrow's cast to text a plain
    formatting, 15 times faster than casting zoned timestamps or ``strftime``.
    """
    unit = values.type.unit
    naive = values.cast(pa.timestamp(unit, tz="UTC")).cast(pa.timestamp(unit))
    text = pc.replace_substring(naive.cast(pa.string()), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, "Z", "")


def import_arguments(
    files: ImportFiles, database: str = "neo4j", *, replace: bool = False, report: Path | None = None
) -> list[str]:
    """The arguments of ``neo4j-admin`` that import ``files`` into ``database``.

    With ``replace`` an existing database is replaced whole; without, the importer refuses one.

    ``--bad-tolerance=0``: the files hold validated rows only, so anything the importer would
    skip is a fault to stop at, not data to lose quietly. The database name comes before the
    file options, which take any number of values.
    """
    args = ["database", "import", "full", database, f"--overwrite-destination={str(replace).lower()}"]
    args.append("--bad-tolerance=0")
    if report is not None:
        args.append(f"--report-file={report}")
    args += [f"--nodes={label}={path}" for label, path in files.nodes]
    args += [f"--relationships={kind}={path}" for kind, path in files.relationships]
    return args


def bulk_import(
    dataset: Dataset,
    admin: list[str],
    *,
    database: str = "neo4j",
    replace: bool = False,
    work_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> ImportSummary:
    """Import ``dataset`` into the stopped database ``database`` with the ``admin`` command.

    ``admin`` is the command that runs Neo4j's ``neo4j-admin`` (e.g. ``["neo4j-admin"]`` on a
    server installation, ``["scripts/neo4j-admin"]`` for the local development server); with
    ``replace`` an existing database is replaced, without it the importer refuses one. The CSV
    files go to a private temporary folder (under ``work_dir`` if given: they hold the data set's
    personal data) that is removed afterwards, whatever happens. The importer replaces the
    database whole, or, when it fails after deleting it (``replace``), leaves it unusable rather
    than half-filled: a failed import raises :class:`~graphrisk.errors.StoreError` with the
    importer's own words; import again.
    """
    if not admin:
        raise UsageError("no neo4j-admin command given")
    if shutil.which(admin[0]) is None:
        raise UsageError(
            f"neo4j-admin command {admin[0]!r} not found: give the path of Neo4j's bin/neo4j-admin "
            "(or scripts/neo4j-admin for the local development server)"
        )
    started = time.perf_counter()
    if work_dir is not None:
        private_dir(work_dir)
    folder = Path(tempfile.mkdtemp(prefix="graphrisk-import-", dir=work_dir))
    try:
        os.chmod(folder, 0o700)
        files = write_import_files(dataset, folder)
        written = time.perf_counter()
        report = folder / "import.report"
        command = [*admin, *import_arguments(files, database, replace=replace, report=report)]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise StoreError(_failure(command, done, report, replace))
        finished = time.perf_counter()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    nodes = {label: files.rows[path.name] for label, path in files.nodes}
    rels: dict[str, int] = {}
    for kind, path in files.relationships:
        rels[kind] = rels.get(kind, 0) + files.rows[path.name]
    return ImportSummary(database, nodes, rels, written - started, finished - written)


def _failure(command: list[str], done: subprocess.CompletedProcess, report: Path, replace: bool) -> str:
    """The importer's own reason: what it prints after ``IMPORT FAILED`` (e.g. "Database already
    exist"), else the error lines of its output, else its last lines."""
    out = [line.strip() for line in (done.stdout or "").splitlines() if line.strip()]
    err = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
    failed = [i for i, line in enumerate(out) if line.startswith("IMPORT FAILED")]
    reason = []
    if failed:
        skip = ("IMPORT FAILED", "Data statistics", "Peak memory")
        reason = [line for line in out[failed[-1] :] if not line.startswith(skip)]
    if not reason:
        words = ("error", "exception", "in use", "failed", "unable", "exist")
        lines = [line for line in err + out if not line.startswith("at ")]
        reason = [line for line in lines if any(w in line.lower() for w in words)] or lines[-3:]
    text = "; ".join(reason[:3]) or f"exit status {done.returncode}"
    if "--overwrite-destination" in text:
        text += " (graphrisk neo4j import --replace replaces it)"
    if report.exists() and report.stat().st_size:
        text += f"; first bad entry: {report.read_text(errors='replace').splitlines()[0]}"
    # with --overwrite-destination the importer deletes the database before it reads a row
    state = "the database is not usable until an import succeeds" if replace else "nothing was changed"
    return f"the Neo4j import ({shlex.join(command[:1])}) failed, {state}: {text}"
