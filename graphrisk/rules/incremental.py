"""Incremental detection: detect only the days that changed, and keep the findings per day in the store.

``graphrisk detect --incremental`` (the nightly job, after ``load --append``):

1. :func:`plan` works out the days to detect from what the store records: the ``lookup_days``
   and ``redetect_days`` of the batches appended since the stored findings were detected
   (:mod:`graphrisk.store.append`). Everything is detected again when there are no stored
   findings yet, when they were detected with other rules or parameters (:func:`fingerprint`),
   or when the store was loaded whole or purged since (no batch records what that changed).
2. The rules run on those days' look-ups (:func:`graphrisk.rules.engine.detect_days`), each day
   with the context it needs (:data:`graphrisk.rules.engine.DAY_CONTEXT`).
3. The one rule whose findings depend on other days' look-ups, off-shift (an employee without
   shifts is judged by the hours of all their look-ups), is run on the whole log when new
   look-ups or new shifts could have changed such an employee's history, and the days whose
   off-shift findings changed are rewritten too.
4. The findings of every day detected replace that day's stored findings, and the batches are
   marked detected, in one publication (:mod:`graphrisk.store.findings_store`).

The stored findings then equal what a from-scratch ``detect`` over the whole log finds, day by
day; ``graphrisk score`` reads them when they cover its window (:func:`covers`), and detects as
before when they do not.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from graphrisk.rules.engine import LOG_WIDE_RULES, DetectResult, detect, detect_days, select_rules
from graphrisk.store.findings_store import (
    FindingsState,
    day_of,
    normalise_findings,
    split_by_day,
    stale_markers,
    stored_findings,
)

__all__ = ["IncrementalResult", "Plan", "covers", "detect_incremental", "fingerprint", "log_days", "plan"]


@dataclass
class Plan:
    """What an incremental run detects: ``days`` (``YYYY-MM-DD``), or everything, and why."""

    days: list[str]
    everything: bool
    reason: str
    batches: list[str] = field(default_factory=list)  #: batch ids the run marks as detected
    new_lookups: bool = False  #: whether those batches added look-ups
    store_version: int | None = None
    tables_dir: str | None = None
    stale_seen: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.days


@dataclass
class IncrementalResult:
    """One incremental run: its plan, the findings of the days it detected, what it rewrote."""

    plan: Plan
    detected: DetectResult
    refreshed_days: list[str]  #: days rewritten only because their off-shift findings changed
    stored_days: int  #: days the stored findings cover after the run
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "everything": self.plan.everything,
            "reason": self.plan.reason,
            "days": self.plan.days,
            "batches": self.plan.batches,
            "refreshed_days": self.refreshed_days,
            "stored_days": self.stored_days,
            "findings": len(self.detected.findings),
        }


def fingerprint(params: dict[str, dict] | None = None) -> str:
    """A hash of the rules' definitions and their resolved parameters.

    Stored findings detected with another fingerprint are not used (other rules or parameters
    would find other things): the files of every engine's rules (``sql/``, ``cypher/detect/``),
    the Python rules and the evidence format are part of it.

    >>> fingerprint() == fingerprint({"off-shift": {"min_history": 50}})
    True
    >>> fingerprint() == fingerprint({"off-shift": {"min_history": 51}})
    False
    """
    from graphrisk.cypher import cypher_dir
    from graphrisk.rules.sql import sql_dir

    digest = hashlib.sha256()
    resolved = {r.id: r.resolve_params((params or {}).get(r.id)) for r in select_rules(None)}
    digest.update(json.dumps(resolved, sort_keys=True, default=str).encode())
    here = Path(__file__).resolve().parent
    files = [
        # the rules' files, not the scoring aggregations' (sql/score/): they find nothing
        *sorted(path for folder in ("detect", "views") for path in (sql_dir() / folder).glob("*.sql")),
        *sorted((cypher_dir() / "detect").glob("*.cypher")),
        *(here / name for name in ("base.py", "catalogue.py", "context.py")),
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def plan(store, state: FindingsState | None, fp: str) -> Plan:
    """The days an incremental run on ``store`` must detect, given the stored ``state``."""
    version = tables_dir = None
    if store.kind == "embedded":
        manifest = store.manifest()
        version, tables_dir = int(manifest.get("version", 0)), manifest.get("tables_dir")
    stale = stale_markers(store)
    every = Plan([], True, "", store_version=version, tables_dir=tables_dir, stale_seen=stale)
    batches = _batches(store)
    every.batches = [b for b, ok in zip(batches["batch_id"], batches["done"], strict=True) if ok]
    if state is None:
        every.reason = "no stored findings yet"
        return every
    if state.fingerprint != fp:
        every.reason = "the stored findings were detected with other rules or parameters"
        return every
    if state.stale or stale:
        every.reason = "the store was loaded whole or purged since the findings were detected"
        return every
    if store.kind == "embedded":
        previous = state.store_version
        if previous is None or previous > version or (previous == version and state.tables_dir != tables_dir):
            every.reason = "the store was loaded again since the findings were detected"
            return every
        pending = batches[batches["store_version"] > previous]
        if sorted(pending["store_version"]) != list(range(previous + 1, version + 1)):
            every.reason = "the store was loaded whole or purged since the findings were detected"
            return every
    else:
        pending = batches[~batches["batch_id"].isin(set(state.batches))]
    days = set(state.writing)
    new_lookups = False
    for row in pending.itertuples(index=False):
        days |= set(row.lookup_days) | set(row.redetect_days)
        new_lookups |= len(row.lookup_days) > 0
    done = [b for b, ok in zip(pending["batch_id"], pending["done"], strict=True) if ok]
    reason = f"{len(pending)} batch(es) appended since the findings were detected" if len(pending) else (
        "nothing appended since the findings were detected")  # fmt: skip
    if state.writing:
        reason += f"; {len(state.writing)} day(s) a stopped run was rewriting"
    return Plan(sorted(days), False, reason, [*state.batches, *done], new_lookups, version, tables_dir, stale)


def covers(store, params: dict[str, dict] | None = None) -> bool:
    """Whether the stored findings are what detection would find now, on every day of the log:
    stored, with these rules and parameters, and nothing appended or loaded since."""
    state = stored_findings(store).state()
    if state is None:
        return False
    return plan(store, state, fingerprint(params)).empty


def detect_incremental(
    store, *, params: dict[str, dict] | None = None, engine: str | None = None, progress=None,
    everything: bool = False,
) -> IncrementalResult:  # fmt: skip
    """Detect the days :func:`plan` names (all of them with ``everything``) and store the findings."""
    started = time.perf_counter()
    findings = stored_findings(store)
    state = findings.state()
    fp = fingerprint(params)
    todo = plan(store, state, fp)
    if everything and not todo.everything:
        todo = plan(store, None, fp)
        todo.reason = "asked to detect everything"
    shifted, shiftless = _shift_status(store)
    refreshed: list[str] = []
    if todo.everything:
        detected = detect(store, params=params, engine=engine, progress=progress)
        days = log_days(store)
        by_day = split_by_day(detected.findings, days)
        all_days = sorted(days)
    else:
        detected = detect_days(store, todo.days, params=params, engine=engine, progress=progress)
        by_day = split_by_day(detected.findings, todo.days)
        all_days = sorted(set(state.days) | set(todo.days))
        flipped = set(shifted) - set(state.shifted)
        if flipped or (todo.new_lookups and shiftless):
            refreshed = _refresh_log_wide(store, findings, state, set(todo.days), by_day, params, engine)
    new_state = FindingsState(
        fingerprint=fp,
        days=all_days,
        batches=todo.batches,
        store_version=todo.store_version,
        tables_dir=todo.tables_dir,
        shifted=sorted(shifted),
        loads=state.loads if state is not None else 0,
        detected_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if by_day or todo.everything or state is None or new_state.batches != state.batches:
        findings.publish(by_day, new_state, replace_all=todo.everything, stale_seen=todo.stale_seen)
    return IncrementalResult(
        todo, detected, refreshed, len(all_days), round(time.perf_counter() - started, 3)
    )


def log_days(store) -> list[str]:
    """The UTC days of every look-up in ``store``, as ``YYYY-MM-DD``."""
    if store.kind == "embedded":
        frame = _duck(store, "SELECT DISTINCT strftime(CAST(timezone('UTC', ts) AS DATE), '%Y-%m-%d') AS day "
                             "FROM {access_log}")  # fmt: skip
    else:
        frame = store.read("findings/log_days")
    return sorted(str(d) for d in frame["day"]) if len(frame) else []


# -- helpers -----------------------------------------------------------------------------------------


def _refresh_log_wide(store, findings, state, detected_days: set, by_day: dict, params, engine) -> list[str]:
    """Run the log-wide rules on the whole log; put their findings into every stored day not detected
    this run whose findings of those rules changed. Returns the days so rewritten."""
    wide = detect(store, list(LOG_WIDE_RULES), params=params, engine=engine).findings
    wide = normalise_findings(wide)
    wide_days = day_of(wide["ts"]) if len(wide) else pd.Series([], dtype=object)
    old = findings.read(None, None)
    old_days = day_of(old["ts"]) if len(old) else pd.Series([], dtype=object)
    rewritten = []
    for day in sorted(set(state.days) - detected_days):
        before = old[(old_days == day).to_numpy()]
        kept = before[~before["rule_id"].isin(LOG_WIDE_RULES).to_numpy()]
        fresh = wide[(wide_days == day).to_numpy()]
        stale_part = before[before["rule_id"].isin(LOG_WIDE_RULES).to_numpy()]
        if _same(stale_part, fresh):
            continue
        by_day[day] = normalise_findings(pd.concat([kept, fresh], ignore_index=True))
        rewritten.append(day)
    return rewritten


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    a = normalise_findings(a)
    b = normalise_findings(b)
    if len(a) != len(b):
        return False
    columns = ["finding_id", "evidence", "detail"]
    return a[columns].fillna("").equals(b[columns].fillna(""))


def _batches(store) -> pd.DataFrame:
    """The batch records with ``done`` (wholly written) and their days as lists of text."""
    if store.kind == "embedded":
        frame = store.load_batches().copy()
        frame["done"] = True  # an embedded append is published whole or not at all
        frame["store_version"] = frame["store_version"].astype("int64") if len(frame) else []
    else:
        from graphrisk.store.neo4j_append import load_batches

        frame = load_batches(store)
        frame["done"] = (frame["status"] == "done") if len(frame) else []
    if not len(frame):
        return pd.DataFrame(columns=["batch_id", "store_version", "lookup_days", "redetect_days", "done"])
    for column in ("lookup_days", "redetect_days"):
        frame[column] = [[str(d) for d in (v if v is not None else [])] for v in frame[column]]
    return frame


def _shift_status(store) -> tuple[list[str], list[str]]:
    """(employees with shifts, employees with look-ups and no shift)."""
    if store.kind == "embedded":
        shifted = _duck(store, "SELECT DISTINCT employee_id FROM {shifts}")["employee_id"]
        with_lookups = _duck(store, "SELECT DISTINCT employee_id FROM {access_log}")["employee_id"]
        shifted = {str(e) for e in shifted}
        return sorted(shifted), sorted({str(e) for e in with_lookups} - shifted)
    frame = store.read("findings/shifted")
    if not len(frame):
        return [], []
    flags = frame["shifted"].astype(bool).to_numpy()
    return sorted(frame["employee_id"][flags].astype(str)), sorted(frame["employee_id"][~flags].astype(str))


def _duck(store, text: str) -> pd.DataFrame:
    """A DuckDB query over the pinned version's Parquet files; ``{table}`` names a stored table."""
    import duckdb

    from graphrisk.contract import TABLES
    from graphrisk.rules.duck import empty_table_sql

    manifest = store.manifest()
    sources = {}
    for name in ("access_log", "shifts"):
        if manifest["tables"].get(name):
            files = manifest.get("files", {}).get(name) or [f"{name}.parquet"]
            paths = ", ".join("'" + str(store.tables_dir / f).replace("'", "''") + "'" for f in files)
            sources[name] = f"read_parquet([{paths}])"
        else:
            sources[name] = f"({empty_table_sql(TABLES[name])})"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.sql(text.format(**sources)).df()
    finally:
        con.close()
