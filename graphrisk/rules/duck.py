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
from graphrisk.rules.base import MATCH_COLUMNS
from graphrisk.rules.sql import query, render, view_order

__all__ = ["REQUIRED_MATCH_COLUMNS", "DuckDBRun", "empty_table_sql", "match_columns_sql"]

MEMORY_ENV = "GRAPHRISK_DUCKDB_MEMORY"
THREADS_ENV = "GRAPHRISK_DUCKDB_THREADS"
TEMP_ENV = "GRAPHRISK_DUCKDB_TEMP"
DEFAULT_MEMORY = "4GB"


class DuckDBRun:
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
        self.window = {"since": since, "until": until}
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
        self._defined: set[str] = set()

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

    def matches(self, rule_id: str, values: dict) -> pd.DataFrame:
        """The matches of rule ``rule_id`` with parameter ``values``, as a pandas frame of MATCH_COLUMNS."""
        import duckdb

        q = query(f"detect/{rule_id}")
        try:
            for view in view_order(q.uses):
                self._define(view)
            body = render(q.body, {**self.window, **values})
            columns = match_columns_sql(self.con.sql(body).columns, rule_id)
            table = self.con.sql(f"SELECT {columns} FROM ({body}) m").to_arrow_table()
        except duckdb.Error as exc:  # out of memory, a full spill directory, a damaged Parquet file
            raise StoreError(
                f"the duckdb engine failed on rule {rule_id}: {str(exc).splitlines()[0]}; its memory "
                f"limit is {self.memory_limit} ({MEMORY_ENV}), its spill directory {self._temp}"
            ) from exc
        return table.to_pandas()

    def _define(self, view: str) -> None:
        if view in self._defined:
            return
        q = query(f"views/{view}")
        kind = "TABLE" if q.materialise else "VIEW"
        self.con.execute(f'CREATE TEMP {kind} "{view}" AS\n{render(q.body, self.window)}')
        self._defined.add(view)

    def _tables(self, store) -> None:
        present = store.tables_present()
        directory = store.tables_dir
        listed = store.manifest().get("files", {})
        for name, table in TABLES.items():
            # a table that load --append grew is its first file and its part files, in the manifest
            paths = [directory / n for n in listed.get(name) or [f"{name}.parquet"]]
            if name in present and all(p.is_file() for p in paths):
                cols = ", ".join(f'"{c}"' for c in table.column_names)
                files = ", ".join(f"'{_quote(p)}'" for p in paths)
                sql = f"SELECT {cols} FROM read_parquet([{files}], union_by_name = true)"
            else:
                sql = empty_table_sql(table)
            self.con.execute(f'CREATE VIEW "{name}" AS {sql}')


def match_columns_sql(columns: list[str], rule_id: str) -> str:
    """The select list that puts a rule's columns in the order of MATCH_COLUMNS, NULL for the rest.

    A rule's query returns only the match columns it fills (every rule the access and its
    severity); the rest are typed NULLs, added here rather than repeated in every file.

    >>> match_columns_sql(["employee_id", "access_id", "ts", "target_type", "target_id", "severity"],
    ...                   "x").split(", ")[5:7]
    ['CAST(NULL AS VARCHAR) AS person_id', 'CAST(NULL AS VARCHAR) AS case_id']
    """
    unknown = [c for c in columns if c not in MATCH_COLUMNS]
    missing = [c for c in REQUIRED_MATCH_COLUMNS if c not in columns]
    if unknown or missing:
        raise UsageError(f"sql/detect/{rule_id}.sql must return {', '.join(REQUIRED_MATCH_COLUMNS)} and "
                         f"other match columns only: {', '.join(unknown)} unknown, "
                         f"{', '.join(missing)} missing")  # fmt: skip
    return ", ".join(f'"{c}"' if c in columns else f"CAST(NULL AS {_MATCH_TYPES.get(c, 'VARCHAR')}) AS {c}"
                     for c in MATCH_COLUMNS)  # fmt: skip


#: What every rule's query returns; the other match columns are optional.
REQUIRED_MATCH_COLUMNS = ("employee_id", "access_id", "ts", "target_type", "target_id", "severity")
_MATCH_TYPES = {"ts": "TIMESTAMP WITH TIME ZONE", "action_ts": "TIMESTAMP WITH TIME ZONE",
                "path_persons": "VARCHAR[]", "path_kinds": "VARCHAR[]"}  # fmt: skip


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
