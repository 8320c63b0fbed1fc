"""The DuckDB engine: the SQL library (``sql/``) run on the embedded store's Parquet files.

DuckDB reads the store's version directory directly (nothing goes through pandas until a
rule's matches come back), runs every query on all cores, and spills to disk what does not fit
its memory limit. Why DuckDB rather than Polars' streaming engine: docs/architecture.md.

Settings, from the environment (the defaults suit a nightly run on a machine the job shares):

- ``GRAPHRISK_DUCKDB_MEMORY``: DuckDB's memory limit (default ``4GB``); what is over it goes to
  a temporary directory, removed at the end.
- ``GRAPHRISK_DUCKDB_THREADS``: threads (default: every core).
- ``GRAPHRISK_DUCKDB_TEMP``: where that temporary directory is made (default: the system's).

>>> from graphrisk.contract import TABLES
>>> empty_table_sql(TABLES["shifts"])
'SELECT CAST(NULL AS VARCHAR) AS employee_id, CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS start_ts, \
CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS end_ts WHERE 1 = 0'
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from graphrisk.contract import DATE, DATETIME, TABLES, Table
from graphrisk.errors import StoreError, UsageError
from graphrisk.rules.sql import REQUIRED_MATCH_COLUMNS, SQLRun, match_columns_sql

__all__ = [
    "REQUIRED_MATCH_COLUMNS",
    "DuckDBRun",
    "empty_table_sql",
    "match_columns_sql",
    "table_files",
    "table_sql",
]

MEMORY_ENV = "GRAPHRISK_DUCKDB_MEMORY"
THREADS_ENV = "GRAPHRISK_DUCKDB_THREADS"
TEMP_ENV = "GRAPHRISK_DUCKDB_TEMP"
DEFAULT_MEMORY = "4GB"


class DuckDBRun(SQLRun):
    """One detection run: a DuckDB connection over one pinned version of an embedded store.

    Contract tables are views over the version's Parquet files (a table that was not loaded is an
    empty view with the contract's columns); shared views are created the first time a rule needs
    them, with the window ``since <= ts < until`` rendered into them. Use as a context manager.
    """

    def __init__(self, store, since, until) -> None:
        import duckdb

        if getattr(store, "kind", None) != "embedded":
            raise UsageError("the duckdb engine reads the embedded store's Parquet files; on Neo4j use "
                             "--engine cypher")  # fmt: skip
        super().__init__(since, until)
        self.memory_limit = _config(Path())["memory_limit"]
        self._temp = Path(tempfile.mkdtemp(prefix="graphrisk-duckdb-", dir=os.environ.get(TEMP_ENV) or None))
        try:
            self.con = duckdb.connect(config=_config(self._temp))
            self.con.execute("SET TimeZone = 'UTC'")  # days and hours of the day are UTC, as the rules say
            self._tables(store)
        except duckdb.Error as exc:
            self.close()
            where = store.describe()
            raise StoreError(f"the duckdb engine cannot read the embedded store at {where}: {exc}") from exc

    def __enter__(self) -> DuckDBRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        con = getattr(self, "con", None)
        if con is not None:
            con.close()
            self.con = None
        shutil.rmtree(self._temp, ignore_errors=True)

    def _create(self, name: str, body: str, materialise: bool) -> None:
        kind = "TABLE" if materialise else "VIEW"
        self.con.execute(f'CREATE TEMP {kind} "{name}" AS\n{body}')

    def _columns(self, body: str) -> list[str]:
        return self.con.sql(body).columns

    def _rows(self, body: str) -> pd.DataFrame:
        return self.con.sql(body).to_arrow_table().to_pandas()

    def _register(self, name: str, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        # through Arrow: DuckDB scans it without reading Python objects row by row
        self.con.register(name, pa.Table.from_pandas(frame, preserve_index=False))

    def _failed(self, rule_id: str, exc: Exception) -> Exception | None:
        import duckdb

        if not isinstance(exc, duckdb.Error):
            return None
        # out of memory, a full spill directory, a damaged Parquet file
        return StoreError(
            f"the duckdb engine failed on rule {rule_id}: {str(exc).splitlines()[0]}; its memory "
            f"limit is {self.memory_limit} ({MEMORY_ENV}), its spill directory {self._temp}"
        )

    def _tables(self, store) -> None:
        files = table_files(store)
        for name, table in TABLES.items():
            self.con.execute(f'CREATE VIEW "{name}" AS {table_sql(table, files.get(name, []))}')


def table_files(store) -> dict[str, list[Path]]:
    """The Parquet files of each contract table ``store`` holds rows of: the table's first file and
    the part files that ``load --append`` added (the manifest's ``files``), in the version it reads.

    Every engine over the store's files reads them from here, so that none misses an appended part.
    """
    present = store.tables_present()
    return {name: store.table_files(name) for name in TABLES if name in present}


def table_sql(table: Table, paths: list[Path]) -> str:
    """A query with the contract's columns of ``table`` over its Parquet files ``paths`` (every part,
    matched by column name), or with no rows when there are none (a table not loaded)."""
    if not paths:
        return empty_table_sql(table)
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    files = ", ".join(f"'{_quote(path)}'" for path in paths)
    return f"SELECT {cols} FROM read_parquet([{files}], union_by_name = true)"


def empty_table_sql(table: Table) -> str:
    """A query with no rows and the contract's columns of ``table`` (for a table not loaded)."""
    cols = ", ".join(f"CAST(NULL AS {_TYPES.get(c.type, 'VARCHAR')}) AS {c.name}" for c in table.columns)
    return f"SELECT {cols} WHERE 1 = 0"


# the types the embedded store writes: dates as naive midnight timestamps, instants in UTC
_TYPES = {DATE: "TIMESTAMP", DATETIME: "TIMESTAMP WITH TIME ZONE"}


def _config(temp: Path) -> dict:
    threads = os.environ.get(THREADS_ENV, "").strip() or str(os.cpu_count() or 1)
    return {
        "memory_limit": os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY,
        "threads": threads,
        "temp_directory": str(temp),
        "preserve_insertion_order": False,  # rules sort their findings themselves; lets DuckDB stream
    }


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
