"""The Spark engine: the SQL library (``sql/``), transpiled by SQLGlot, run by PySpark.

Spark reads the same Parquet files of the embedded store as the DuckDB engine
(:func:`graphrisk.rules.duck.table_files`), registers each contract table as a temporary view,
and runs each file of the library after :func:`spark_sql` has turned it from DuckDB's dialect
into Spark's. The rows come back through Arrow and become findings by the same code as DuckDB's
(:class:`graphrisk.rules.sql.SQLRun`, :func:`graphrisk.rules.base.to_findings`). Nothing of a
rule is written twice: the transpiler and the few fixes in :func:`spark_sql` are all there is.

Where Spark runs (:func:`spark_master`): ``--spark-master`` (a ``local[N]``, ``spark://``,
``yarn`` or ``k8s://`` master, or a Spark Connect ``sc://`` URL), else ``GRAPHRISK_SPARK_MASTER``,
else the master of a ``spark-submit`` that started this process, else ``local[2]``.

Settings, from the environment:

- ``GRAPHRISK_SPARK_MASTER``: the master when no ``--spark-master`` is given.
- ``GRAPHRISK_SPARK_MEMORY``: the driver's memory when graphrisk starts the JVM itself (default
  ``4g``; in ``local[N]`` the driver is the executor too). Under ``spark-submit`` its
  ``--driver-memory`` and ``--executor-memory`` apply instead.
- ``GRAPHRISK_SPARK_DATA``: where Spark's executors find the store's directory, as a URI prefix
  (e.g. ``s3a://bucket/graphrisk-store`` for a copy of the store in object storage); default the
  store's own path as a ``file:`` URI, which a cluster can read only where every node mounts it at
  that path (docs/spark.md).

One Spark session serves a process: it starts (a JVM, about 10 to 20 seconds) on the first run
and each run works in a fresh child session of its own (its own temporary views and cache).

>>> print(spark_sql("SELECT [a, b] AS p, CAST(NULL AS VARCHAR) AS x FROM t WHERE ts < u - INTERVAL (7) HOUR"))
SELECT ARRAY(a, b) AS p, CAST(NULL AS STRING) AS x FROM t WHERE ts < u - INTERVAL '7' HOUR
"""

from __future__ import annotations

import atexit
import os
import threading
from functools import lru_cache
from pathlib import Path

import pandas as pd

from graphrisk.contract import DATE, DATETIME, TABLES, Table
from graphrisk.errors import StoreError, UsageError
from graphrisk.rules.duck import empty_table_sql, table_files
from graphrisk.rules.sql import SQLRun

__all__ = ["DEFAULT_MASTER", "SparkRun", "spark_master", "spark_session", "spark_sql", "stop_session"]

MASTER_ENV = "GRAPHRISK_SPARK_MASTER"
MEMORY_ENV = "GRAPHRISK_SPARK_MEMORY"
DATA_ENV = "GRAPHRISK_SPARK_DATA"
DEFAULT_MASTER = "local[2]"
DEFAULT_MEMORY = "4g"
INSTALL = "pip install 'graphrisk[spark]'"


class SparkRun(SQLRun):
    """One detection run on Spark over one pinned version of an embedded store.

    Contract tables are temporary views over the version's Parquet files (a table that was not
    loaded is an empty view with the contract's columns and types); shared views are created the
    first time a rule needs them, a ``materialise: yes`` view as a cached table (``CACHE TABLE``,
    computed once, released at :meth:`close`). Use as a context manager.
    """

    def __init__(self, store, since, until, master: str | None = None) -> None:
        if getattr(store, "kind", None) != "embedded":
            raise UsageError("the spark engine reads the embedded store's Parquet files; on Neo4j use "
                             "--engine cypher")  # fmt: skip
        super().__init__(since, until)
        self.master = spark_master(master)
        self._cached: list[str] = []
        self.spark = _run_session(self.master)
        try:
            self._tables(store)
        except Exception as exc:
            self.close()
            if not _is_spark_error(exc):
                raise
            raise StoreError(f"the spark engine ({self.master}) cannot read the embedded store at "
                             f"{store.describe()}: {_first_line(exc)}") from exc  # fmt: skip

    def __enter__(self) -> SparkRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        spark, self.spark = getattr(self, "spark", None), None
        if spark is None:
            return
        for name in self._cached:  # the cache manager is the context's, shared with other sessions
            try:
                spark.sql(f"UNCACHE TABLE IF EXISTS `{name}`")
            except Exception:  # a lost connection or a stopped context holds no cache either
                break
        if _is_connect(self.master):
            spark.stop()  # ends this Spark Connect session only; the server goes on

    def _create(self, name: str, body: str, materialise: bool) -> None:
        if materialise:
            self.spark.sql(f"CACHE TABLE `{name}` AS\n{spark_sql(body)}")
            self._cached.append(name)
        else:
            self.spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW `{name}` AS\n{spark_sql(body)}")

    def _columns(self, body: str) -> list[str]:
        return self.spark.sql(spark_sql(body)).columns

    def _rows(self, body: str) -> pd.DataFrame:
        return self.spark.sql(spark_sql(body)).toArrow().to_pandas()

    def _register(self, name: str, frame: pd.DataFrame) -> None:
        # the schema from the frame's types: Spark infers none from an empty frame of Python objects
        types = ", ".join(f"`{c}` {_spark_type(frame[c].dtype)}" for c in frame.columns)
        self.spark.createDataFrame(frame, schema=types).createOrReplaceTempView(name)

    def _failed(self, rule_id: str, exc: Exception) -> Exception | None:
        if not _is_spark_error(exc):
            return None
        return StoreError(f"the spark engine ({self.master}) failed on rule {rule_id}: {_first_line(exc)}")

    def _tables(self, store) -> None:
        files = table_files(store)
        prefix = os.environ.get(DATA_ENV, "").strip().rstrip("/")
        for name, table in TABLES.items():
            if name in files:
                # the contract's schema, not Spark's inference: inference costs a job per file
                uris = [_uri(path, store.path, prefix) for path in files[name]]
                frame = self.spark.read.schema(_schema(table)).parquet(*uris)
            else:
                frame = self.spark.sql(spark_sql(empty_table_sql(table)))
            frame.createOrReplaceTempView(name)


@lru_cache(maxsize=1024)
def spark_sql(text: str) -> str:
    """``text``, a query of the SQL library in DuckDB's dialect, in Spark SQL (cached by text).

    SQLGlot does the translation (list literals, types, ``strftime``, the default order of NULLs).
    What SQLGlot leaves that Spark does not parse is fixed here, and only here:

    - ``INTERVAL (72) HOUR``: Spark wants the quantity bare (``INTERVAL '72' HOUR``).
    """
    sqlglot = _sqlglot()
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise UsageError(f"SQLGlot cannot parse a query of the SQL library for Spark: {exc}") from exc
    tree = tree.transform(_unwrap_interval)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def spark_master(master: str | None = None) -> str:
    """The master to run on: ``master``, ``GRAPHRISK_SPARK_MASTER``, spark-submit's, or ``local[2]``.

    >>> spark_master("sc://spark.example:15002")
    'sc://spark.example:15002'
    """
    chosen = (master or os.environ.get(MASTER_ENV, "")).strip()
    if chosen:
        return chosen
    if os.environ.get("PYSPARK_GATEWAY_PORT"):  # started by spark-submit: its --master holds
        return _SUBMITTED
    return DEFAULT_MASTER


def spark_session(master: str | None = None):
    """The process's Spark session for ``master`` (see :func:`spark_master`), started on first use.

    Refused (:class:`~graphrisk.errors.UsageError`): PySpark not installed, no Java, another master
    than the one this process already runs on. A master that cannot be reached is a
    :class:`~graphrisk.errors.StoreError`.
    """
    master = spark_master(master)
    with _LOCK:
        if master in _SESSIONS:
            return _SESSIONS[master]
        classic = [m for m in _SESSIONS if not _is_connect(m)]
        if classic and not _is_connect(master):
            raise UsageError(f"this process already runs Spark on {classic[0]}; one process runs one "
                             f"Spark context, so it cannot also run on {master}")  # fmt: skip
        _SESSIONS[master] = _start(master)
        return _SESSIONS[master]


def stop_session() -> None:
    """Stop every Spark session this process started (the JVM of a local master goes with it)."""
    with _LOCK:
        for session in _SESSIONS.values():
            session.stop()
        _SESSIONS.clear()


# -- private helpers ------------------------------------------------------------------------------

_SUBMITTED = "spark-submit"  # the master spark-submit gave: taken from its configuration as it is
_LOG4J = Path(__file__).with_name("spark-log4j2.properties")  # errors only
_SESSIONS: dict = {}
_LOCK = threading.Lock()


def _start(master: str):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(f"the spark engine needs PySpark: {INSTALL}") from None
    try:
        if _is_connect(master):
            return (
                SparkSession.builder.remote(master).config("spark.sql.session.timeZone", "UTC").getOrCreate()
            )
        if master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no interface scan, no warning about it
        builder = SparkSession.builder.appName("graphrisk")
        if master != _SUBMITTED:
            builder = builder.master(master).config(
                "spark.driver.memory", os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY
            )
        for key, value in _CONF.items():
            builder = builder.config(key, value)
        if master != _SUBMITTED:  # Spark's start-up notices would fill a -q run's stderr
            builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_LOG4J}")
        if master.startswith("local"):
            # a few shuffle partitions per core; adaptive execution merges the small ones anyway
            builder = builder.config("spark.sql.shuffle.partitions", str(4 * _cores(master)))
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        atexit.register(stop_session)  # the JVM ends with the command, not some time after it
        return session
    except ImportError as exc:  # Spark Connect's own dependencies (grpcio, ...)
        raise UsageError(f"the spark engine cannot connect to {master}: {exc}; {INSTALL}") from None
    except Exception as exc:
        message = _first_line(exc)
        if "JAVA_GATEWAY_EXITED" in message or "JAVA_HOME" in message or isinstance(exc, FileNotFoundError):
            raise UsageError(f"the spark engine cannot start Spark ({master}): {message}; Spark needs "
                             "Java 17 or 21 (java on the PATH, or JAVA_HOME)") from None  # fmt: skip
        raise StoreError(f"the spark engine cannot start Spark ({master}): {message}") from None


#: Every session: days and hours of the day are UTC, as the rules say (and as DuckDB runs them);
#: Arrow to bring the matches back; no web UI on a batch job.
_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def _spark_type(dtype) -> str:
    """The Spark SQL type of a pandas column type (the frames scoring hands to the SQL library)."""
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "TIMESTAMP"
    return "STRING"


def _run_session(master: str):
    """A session of a run's own: a child of the process's session (same context, own views), or
    a new Spark Connect session."""
    base = spark_session(master)
    if _is_connect(master):
        from pyspark.sql import SparkSession

        return SparkSession.builder.remote(master).config("spark.sql.session.timeZone", "UTC").create()
    session = base.newSession()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


def _schema(table: Table) -> str:
    """The Spark schema of ``table`` as the embedded store writes it: instants as UTC timestamps,
    dates as naive midnight timestamps (TIMESTAMP_NTZ, as DuckDB reads them), the rest strings.

    >>> from graphrisk.contract import TABLES
    >>> _schema(TABLES["shifts"])
    '`employee_id` string, `start_ts` timestamp, `end_ts` timestamp'
    """
    return ", ".join(f"`{c.name}` {_SPARK_TYPES.get(c.type, 'string')}" for c in table.columns)


_SPARK_TYPES = {DATE: "timestamp_ntz", DATETIME: "timestamp"}


def _uri(path: Path, root: Path, prefix: str) -> str:
    if prefix:
        return f"{prefix}/{path.resolve().relative_to(root.resolve()).as_posix()}"
    return path.resolve().as_uri()


def _unwrap_interval(node):
    exp = _sqlglot().exp
    if isinstance(node, exp.Interval) and isinstance(node.this, exp.Paren):
        inner = node.this.this
        if isinstance(inner, exp.Literal):
            return exp.Interval(this=exp.Literal.string(inner.name), unit=node.args.get("unit"))
    return node


def _sqlglot():
    try:
        import sqlglot
    except ImportError:
        raise UsageError(f"the spark engine needs SQLGlot to translate the SQL library: {INSTALL}") from None
    return sqlglot


def _is_connect(master: str) -> bool:
    return master.startswith("sc://")


def _cores(master: str) -> int:
    """The cores of a local master: ``local`` 1, ``local[N]`` N, ``local[*]`` all.

    >>> _cores("local"), _cores("local[2]"), _cores("local[*]") == (os.cpu_count() or 1)
    (1, 2, True)
    """
    inside = master[master.find("[") + 1 : master.find("]")].split(",")[0] if "[" in master else "1"
    if inside.strip() == "*":
        return os.cpu_count() or 1
    return int(inside) if inside.isdigit() else 2


def _is_spark_error(exc: Exception) -> bool:
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
    except ImportError:
        return False
    return isinstance(exc, PySparkException | Py4JError)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
