"""Running the catalogue on a store: Cypher on Neo4j; DuckDB, Spark or pandas on the embedded store.

Every engine gives the same findings.

The engines (:data:`ENGINES`):

- ``cypher``: the files ``cypher/detect/<rule>.cypher`` on a Neo4j store (its only engine).
- ``duckdb``: the files ``sql/detect/<rule>.sql`` run by DuckDB over the embedded store's Parquet
  files, out of core and on every core (:mod:`graphrisk.rules.duck`); the embedded store's default.
- ``spark``: the same files, transpiled to Spark SQL by SQLGlot and run by PySpark over the same
  Parquet files, on ``local[2]`` or a cluster (:mod:`graphrisk.rules.spark`, docs/spark.md).
- ``pandas``: the rule functions of :mod:`graphrisk.rules.catalogue`, the whole window in memory;
  kept as the reference the conformance tests compare the others with.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.rules.base import FINDING_COLUMNS, Rule, to_findings
from graphrisk.rules.catalogue import RULES
from graphrisk.rules.context import Context

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "DetectResult",
    "RuleRun",
    "detect",
    "engine_choice",
    "resolve_engine",
    "select_rules",
]

#: Every engine, and the stores each runs on.
ENGINES = {"duckdb": "embedded", "spark": "embedded", "pandas": "embedded", "cypher": "neo4j"}
#: Names the engine when none is given (when it runs on the store's kind).
ENGINE_ENV = "GRAPHRISK_ENGINE"
#: The engine used when none is named, per store kind.
DEFAULT_ENGINE = {"embedded": "duckdb", "neo4j": "cypher"}


@dataclass
class RuleRun:
    """How one rule went: its findings count, time taken, or why it was skipped."""

    rule_id: str
    findings: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    by_severity: dict[str, int] = field(default_factory=dict)


@dataclass
class DetectResult:
    findings: pd.DataFrame
    runs: list[RuleRun]
    engine: str = ""  #: the engine that ran the rules

    def summary(self) -> list[dict]:
        return [r.__dict__ for r in self.runs]


def select_rules(ids: list[str] | None) -> list[Rule]:
    """The rules named (all when none are), refusing unknown names."""
    if not ids:
        return list(RULES.values())
    unknown = [i for i in ids if i not in RULES]
    if unknown:
        raise UsageError(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    return [RULES[i] for i in ids]


def detect(
    store,
    rule_ids: list[str] | None = None,
    *,
    since=None,
    until=None,
    params: dict[str, dict] | None = None,
    progress=None,
    engine: str | None = None,
    spark_master: str | None = None,
) -> DetectResult:
    """Run the selected rules on ``store`` and return all findings with a run summary per rule.

    ``params`` maps rule id to parameter overrides. A rule whose input tables are not in the store
    is skipped with the reason, never an error. ``engine`` is one of :data:`ENGINES` that runs on
    the store's kind (default :data:`DEFAULT_ENGINE`); every engine gives the same findings.
    ``spark_master``: where the spark engine runs (:func:`graphrisk.rules.spark.spark_master`).
    """
    rules = select_rules(rule_ids)
    engine = resolve_engine(store, engine)
    spark_master = spark_master or _CHOICE.get()[1]
    present = store.tables_present()
    window = {"since": _ts(since, _EARLIEST), "until": _ts(until, _LATEST)}
    ctx = sql_run = None
    frames, runs = [], []
    try:
        for i, rule in enumerate(rules, start=1):
            missing = [t for t in rule.needs if t not in present]
            if missing:
                runs.append(RuleRun(rule.id, skipped=f"needs {', '.join(missing)}, not in the store"))
                continue
            values = rule.resolve_params((params or {}).get(rule.id))
            started = time.perf_counter()
            if engine in _SQL_ENGINES:
                if sql_run is None:
                    sql_run = _sql_run(engine, store, window, spark_master)
                matches = sql_run.matches(rule.id, values)
            elif engine == "pandas":
                if ctx is None:
                    ctx = Context(store.tables(), since, until)
                matches = rule.embedded(ctx, **values)
            else:
                matches = store.read(rule.cypher, {**values, **window})
            frames.append(_run(rule, matches, started, runs))
            if progress:
                progress(rule.id, i, len(rules))
    finally:
        if sql_run is not None:
            sql_run.close()
    frames = [f for f in frames if len(f)]
    findings = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
    )
    if len(findings):
        findings = findings.sort_values(["ts", "rule_id", "finding_id"], kind="stable").reset_index(drop=True)
    return DetectResult(findings, runs, engine)


@contextmanager
def engine_choice(engine: str | None, spark_master: str | None = None):
    """Within the block, :func:`detect` runs on ``engine`` when its caller names none.

    How ``score --engine spark`` reaches the detection that scoring runs on its way, without every
    layer in between passing the engine on. ``None`` changes nothing.

    >>> class Embedded:
    ...     kind = "embedded"
    >>> with engine_choice("pandas"):
    ...     resolve_engine(Embedded(), None)
    'pandas'
    """
    token = _CHOICE.set((engine, spark_master) if engine else _CHOICE.get())
    try:
        yield
    finally:
        _CHOICE.reset(token)


def resolve_engine(store, engine: str | None) -> str:
    """``engine``, or the one of an enclosing :func:`engine_choice`, or ``GRAPHRISK_ENGINE``, or the
    default of the store's kind; refused when it does not run on that store. The variable reaches
    the commands that detect on their way (``score``, reports), so that a nightly job can be
    switched back to the reference engine without a release.

    >>> class Embedded:
    ...     kind = "embedded"
    >>> resolve_engine(Embedded(), None), resolve_engine(Embedded(), "pandas")
    ('duckdb', 'pandas')
    """
    if engine is None:
        engine = _CHOICE.get()[0]
    if engine is None:
        chosen = os.environ.get(ENGINE_ENV, "").strip()
        if not chosen or ENGINES.get(chosen) != store.kind:  # a Neo4j store ignores GRAPHRISK_ENGINE=pandas
            return DEFAULT_ENGINE[store.kind]
        engine = chosen
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    if ENGINES[engine] != store.kind:
        fits = ", ".join(e for e, kind in ENGINES.items() if kind == store.kind)
        raise UsageError(f"the {engine} engine runs on the {ENGINES[engine]} store, not on {store.kind}; "
                         f"use {fits}")  # fmt: skip
    return engine


#: The engine (and Spark master) an enclosing engine_choice names.
_CHOICE: ContextVar[tuple[str | None, str | None]] = ContextVar("graphrisk_engine", default=(None, None))
#: The engines that run the SQL library (graphrisk.rules.sql.SQLRun).
_SQL_ENGINES = ("duckdb", "spark")


def _sql_run(engine: str, store, window: dict, spark_master: str | None):
    if engine == "spark":
        from graphrisk.rules.spark import SparkRun

        return SparkRun(store, **window, master=spark_master)
    from graphrisk.rules.duck import DuckDBRun

    return DuckDBRun(store, **window)


def _run(rule: Rule, matches: pd.DataFrame, started: float, runs: list[RuleRun]) -> pd.DataFrame:
    """Findings from one rule's matches; its run summary appended to ``runs``."""
    found = to_findings(rule, matches)
    runs.append(
        RuleRun(
            rule.id,
            findings=len(found),
            seconds=round(time.perf_counter() - started, 3),
            by_severity=found["severity"].value_counts().to_dict() if len(found) else {},
        )
    )
    return found


# An open end of the window is sent as a far-off bound, so that every rule can write its window as
# ``a.ts >= $since AND a.ts < $until``, which the planner answers from the Access.ts range index.
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def _ts(value, default: datetime) -> datetime:
    if value is None:
        return default
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    # a window reaching past the year 9999 (``score --as-of 9999-12-31``) ends at the far-off bound
    if ts >= pd.Timestamp(_LATEST):
        return _LATEST
    return ts.to_pydatetime()
