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

from graphrisk.rules.engine import (
    LOG_WIDE_RULES,
    DetectResult,
    RuleRun,
    detect,
    detect_days,
    merge_runs,
    resolve_engine,
    select_rules,
)
from graphrisk.store.findings_store import (
    FindingsState,
    day_of,
    normalise_findings,
    split_by_day,
    stale_markers,
    stored_findings,
)

__all__ = [
    "PART_LOOKUPS",
    "IncrementalResult",
    "Plan",
    "covers",
    "day_parts",
    "detect_incremental",
    "fingerprint",
    "plan",
]


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
            "findings": self.detected.total,
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
        *sorted(p for folder in ("detect", "fragments") for p in (cypher_dir() / folder).glob("*.cypher")),
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


#: The look-ups a from-scratch run detects in one part, at most (about a day of national log, 11
#: million): a month of national log is detected and stored a part at a time, its 75 million
#: findings never held at once. A day is never split (its findings are stored as one file).
PART_LOOKUPS = 12_000_000


def detect_incremental(
    store, *, params: dict[str, dict] | None = None, engine: str | None = None, progress=None,
    everything: bool = False, keep_findings: bool = True, part_lookups: int = PART_LOOKUPS,
) -> IncrementalResult:  # fmt: skip
    """Detect the days :func:`plan` names (all of them with ``everything``) and store the findings.

    When everything is detected, the days are detected and stored in parts of at most
    ``part_lookups`` look-ups (:func:`day_parts`) and published once, when the last part is
    written. The result then holds the findings only with ``keep_findings`` (``detect --out``);
    its ``named`` and rule runs say what was found either way."""
    started = time.perf_counter()
    findings = stored_findings(store)
    state = findings.state()
    fp = fingerprint(params)
    todo = plan(store, state, fp)
    if everything and not todo.everything:
        todo = plan(store, None, fp)
        todo.reason = "asked to detect everything"
    shifted, shiftless = store.shift_status()

    def state_for(days: list[str]) -> FindingsState:
        return FindingsState(
            fingerprint=fp,
            days=days,
            batches=todo.batches,
            store_version=todo.store_version,
            tables_dir=todo.tables_dir,
            shifted=sorted(shifted),
            loads=state.loads if state is not None else 0,
            detected_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    if todo.everything:
        per_day = store.lookups_per_day()
        new_state = state_for(sorted(per_day))
        with findings.publishing(new_state, replace_all=True, stale_seen=todo.stale_seen) as publication:
            detected = _detect_in_parts(store, day_parts(per_day, part_lookups), publication, params, engine,
                                        progress, keep_findings)  # fmt: skip
        seconds = round(time.perf_counter() - started, 3)
        return IncrementalResult(todo, detected, [], len(new_state.days), seconds)
    detected = detect_days(store, todo.days, params=params, engine=engine, progress=progress)
    by_day = split_by_day(detected.findings, todo.days)
    refreshed: list[str] = []
    flipped = set(shifted) - set(state.shifted)
    if flipped or (todo.new_lookups and shiftless):
        refreshed = _refresh_log_wide(store, findings, state, set(todo.days), by_day, params, engine)
    new_state = state_for(sorted(set(state.days) | set(todo.days)))
    if by_day or new_state.batches != state.batches:
        findings.publish(by_day, new_state, stale_seen=todo.stale_seen)
    return IncrementalResult(
        todo, detected, refreshed, len(new_state.days), round(time.perf_counter() - started, 3)
    )


def day_parts(per_day: dict[str, int], most: int) -> list[list[str]]:
    """Consecutive days in parts of at most ``most`` look-ups (a day with more is a part of its own).

    >>> day_parts({"2026-03-01": 5, "2026-03-02": 4, "2026-03-03": 9, "2026-03-04": 1}, 10)
    [['2026-03-01', '2026-03-02'], ['2026-03-03', '2026-03-04']]
    """
    parts: list[list[str]] = []
    size = 0
    for day in sorted(per_day):
        n = int(per_day[day])
        if parts and size + n <= most:
            parts[-1].append(day)
            size += n
        else:
            parts.append([day])
            size = n
    return parts


def _detect_in_parts(store, parts, publication, params, engine, progress, keep: bool) -> DetectResult:
    """Detect and write each part of the days in turn; what was found, as one result."""
    runs: dict[str, RuleRun] = {}
    named: dict[str, set[str]] = {}
    kept: list[pd.DataFrame] = []
    used = ""
    for days in parts:
        part = detect_days(store, days, params=params, engine=engine, progress=progress)
        used = part.engine
        for day, frame in split_by_day(part.findings, days).items():
            publication.write(day, frame)
        merge_runs(runs, part.runs)
        for rule, ids in part.findings.groupby("rule_id")["employee_id"] if len(part.findings) else ():
            named.setdefault(rule, set()).update(ids.dropna())
        if keep and len(part.findings):
            kept.append(part.findings)
    found = pd.concat(kept, ignore_index=True) if kept else normalise_findings(None)
    return DetectResult(
        found, list(runs.values()), used or resolve_engine(store, engine), None if keep else named
    )


# -- helpers -----------------------------------------------------------------------------------------


def _refresh_log_wide(store, findings, state, detected_days: set, by_day: dict, params, engine) -> list[str]:
    """Run the log-wide rules on the whole log; put their findings into every stored day not detected
    this run whose findings of those rules changed. Returns the days so rewritten."""
    wide = detect(store, list(LOG_WIDE_RULES), params=params, engine=engine).findings
    wide = normalise_findings(wide)
    wide_days = day_of(wide["ts"]) if len(wide) else pd.Series([], dtype=object)
    # only those rules' stored findings, then a whole day only where they changed: a month of national
    # findings is 75 million, the off-shift ones a few per cent of them
    old = findings.read(None, None, rules=LOG_WIDE_RULES)
    old_days = day_of(old["ts"]) if len(old) else pd.Series([], dtype=object)
    rewritten = []
    for day in sorted(set(state.days) - detected_days):
        fresh = wide[(wide_days == day).to_numpy()]
        if _same(old[(old_days == day).to_numpy()], fresh):
            continue
        start = pd.Timestamp(day, tz="UTC")
        before = findings.read(start, start + pd.Timedelta(days=1))
        kept = before[~before["rule_id"].isin(LOG_WIDE_RULES).to_numpy()]
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
    frame = store.load_batches().copy()
    if not len(frame):
        return pd.DataFrame(columns=["batch_id", "store_version", "lookup_days", "redetect_days", "done"])
    # a Neo4j append writes its batch in several transactions and says when it is done; an embedded
    # one is published whole or not at all
    frame["done"] = (frame["status"] == "done") if "status" in frame.columns else True
    if "store_version" in frame.columns:
        frame["store_version"] = frame["store_version"].astype("int64")
    for column in ("lookup_days", "redetect_days"):
        frame[column] = [[str(d) for d in (v if v is not None else [])] for v in frame[column]]
    return frame
