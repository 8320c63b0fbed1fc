"""Running the catalogue on a store: Cypher on Neo4j, pandas on the embedded store; same findings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.rules.base import FINDING_COLUMNS, Rule, to_findings
from graphrisk.rules.catalogue import RULES
from graphrisk.rules.context import Context

__all__ = ["DetectResult", "RuleRun", "detect", "select_rules"]


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
) -> DetectResult:
    """Run the selected rules on ``store`` and return all findings with a run summary per rule.

    ``params`` maps rule id to parameter overrides. A rule whose input tables are not in the store
    is skipped with the reason, never an error.
    """
    rules = select_rules(rule_ids)
    present = store.tables_present()
    ctx = None
    frames, runs = [], []
    for i, rule in enumerate(rules, start=1):
        missing = [t for t in rule.needs if t not in present]
        if missing:
            runs.append(RuleRun(rule.id, skipped=f"needs {', '.join(missing)}, not in the store"))
            continue
        values = rule.resolve_params((params or {}).get(rule.id))
        started = time.perf_counter()
        if store.kind == "embedded":
            if ctx is None:
                ctx = Context(store.tables(), since, until)
            matches = rule.embedded(ctx, **values)
        else:
            window = {"since": _ts(since, _EARLIEST), "until": _ts(until, _LATEST)}
            matches = store.read(rule.cypher, {**values, **window})
        found = to_findings(rule, matches)
        frames.append(found)
        runs.append(
            RuleRun(
                rule.id,
                findings=len(found),
                seconds=round(time.perf_counter() - started, 3),
                by_severity=found["severity"].value_counts().to_dict() if len(found) else {},
            )
        )
        if progress:
            progress(rule.id, i, len(rules))
    frames = [f for f in frames if len(f)]
    findings = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
    )
    if len(findings):
        findings = findings.sort_values(["ts", "rule_id", "finding_id"], kind="stable").reset_index(drop=True)
    return DetectResult(findings, runs)


# An open end of the window is sent as a far-off bound, so that every rule can write its window as
# ``a.ts >= $since AND a.ts < $until``, which the planner answers from the Access.ts range index.
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def _ts(value, default: datetime) -> datetime:
    if value is None:
        return default
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()
