"""What a rule is, what it returns, and how raw matches become findings with evidence.

Both engines return, per rule, a frame of *matches* with the columns of
:data:`MATCH_COLUMNS`; :func:`to_findings` turns matches into findings the same
way for both, so that identical matches give identical findings, ids and evidence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from graphrisk.errors import UsageError

__all__ = [
    "FINDING_COLUMNS",
    "MATCH_COLUMNS",
    "SEVERITIES",
    "Param",
    "Rule",
    "empty_matches",
    "to_findings",
]

#: Severity levels, low to high.
SEVERITIES = ("low", "medium", "high", "critical")

#: What each engine returns per rule (one row per match). List columns hold ids in path order.
MATCH_COLUMNS = {
    "employee_id": "the employee who made the access",
    "access_id": "the access event",
    "ts": "when (UTC)",
    "target_type": "person, vehicle, address or case",
    "target_id": "what was looked up",
    "person_id": "the person the target resolves to (the owner of a vehicle, a resident of an address)",
    "case_id": "the case involved (looked up, or whose subject was looked up)",
    "organisation_id": "the criminal organisation involved",
    "action_ts": "the planned action the access came before (pre-action-lookup)",
    "severity": "low, medium, high or critical",
    "path_persons": "person ids from the employee's own person record along known relations",
    "path_kinds": "the relation kinds between consecutive persons of path_persons",
    "detail": "a short fact the rule computed (e.g. the share of the hour in the employee's history)",
}

FINDING_COLUMNS = [
    "finding_id",
    "rule_id",
    "employee_id",
    "access_ids",
    "ts",
    "target_type",
    "target_id",
    "person_id",
    "case_id",
    "organisation_id",
    "severity",
    "evidence",
    "detail",
]


@dataclass(frozen=True)
class Param:
    """A tunable parameter of a rule."""

    default: object
    doc: str
    low: float | None = None  #: smallest allowed value
    high: float | None = None  #: largest allowed value


@dataclass(frozen=True)
class Rule:
    """One entry of the rule catalogue.

    ``embedded`` computes the matches on the embedded store's tables; the Cypher
    implementation is the file ``cypher/detect/<id>.cypher``, run with the same
    parameters (plus ``since`` and ``until``).
    """

    id: str
    title: str
    severity: str
    description: str
    rationale: str
    needs: tuple[str, ...]
    embedded: Callable
    params: dict[str, Param] = field(default_factory=dict)
    evidence_kind: str = "target"  # "target", "relation-path", "case", "organisation"

    @property
    def cypher(self) -> str:
        return f"detect/{self.id}"

    def resolve_params(self, given: dict | None = None) -> dict:
        """Defaults overridden by ``given``, converted to the defaults' types and range-checked."""
        values = {name: p.default for name, p in self.params.items()}
        for name, value in (given or {}).items():
            if name not in self.params:
                raise UsageError(f"rule {self.id} has no parameter {name!r}")
            p = self.params[name]
            try:
                values[name] = type(p.default)(value)
            except (TypeError, ValueError):
                raise UsageError(f"{self.id}.{name}: {value!r} is not a {type(p.default).__name__}") from None
            if (p.low is not None and values[name] < p.low) or (p.high is not None and values[name] > p.high):
                raise UsageError(f"{self.id}.{name} must be between {p.low} and {p.high}, not {value}")
        return values


def empty_matches() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in MATCH_COLUMNS})


def _id(rule_id: str, row) -> str:
    key = "|".join(
        str(x)
        for x in (rule_id, row.employee_id, row.access_id, row.person_id, row.case_id, row.organisation_id)
    )
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _clean(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def evidence(rule: Rule, row) -> list:
    """The ordered evidence path of a match: [label, id] steps joined by relationship types."""
    steps: list = [["Employee", row.employee_id], "PERFORMED", ["Access", row.access_id]]
    target = {"person": "Person", "vehicle": "Vehicle", "address": "Address", "case": "Case"}[row.target_type]
    steps += ["TARGETED", [target, row.target_id]]
    person = _clean(row.person_id)
    if row.target_type == "vehicle" and person:
        steps += ["REGISTERED_TO", ["Person", person]]
    elif row.target_type == "address" and person:
        steps += ["LIVES_AT<-", ["Person", person]]
    persons = _clean(row.path_persons)
    if persons is not None and len(persons):
        kinds = list(row.path_kinds)
        # walk back from the target person to the employee's own person record
        for pid, kind in zip(list(reversed(persons))[1:], reversed(kinds), strict=True):
            steps += [f"RELATED_TO:{kind}", ["Person", pid]]
        steps += ["<-IS_PERSON", ["Employee", row.employee_id]]
    case = _clean(row.case_id)
    if case and row.target_type != "case":
        steps += ["SUBJECT_OF", ["Case", case]]
    org = _clean(row.organisation_id)
    if org:
        steps += ["MEMBER_OF|SUBJECT_OF", ["Organisation", org]]
    action = _clean(row.action_ts)
    if action is not None:
        steps += ["PLANS<-", ["Action", pd.Timestamp(action).isoformat()]]
    return steps


def to_findings(rule: Rule, matches: pd.DataFrame) -> pd.DataFrame:
    """Findings from an engine's matches: stable ids, evidence paths, sorted by time then id."""
    if matches.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
    m = matches.reset_index(drop=True)
    rows = list(m.itertuples(index=False))
    out = pd.DataFrame(
        {
            "finding_id": [_id(rule.id, r) for r in rows],
            "rule_id": rule.id,
            "employee_id": m["employee_id"].astype(str).to_numpy(),
            "access_ids": [[str(r.access_id)] for r in rows],
            "ts": pd.to_datetime(m["ts"], utc=True).to_numpy(),
            "target_type": m["target_type"].to_numpy(),
            "target_id": m["target_id"].to_numpy(),
            # object columns keep None for "none" (pandas' string dtype would turn it into NaN)
            "person_id": pd.Series([_clean(r.person_id) for r in rows], dtype=object),
            "case_id": pd.Series([_clean(r.case_id) for r in rows], dtype=object),
            "organisation_id": pd.Series([_clean(r.organisation_id) for r in rows], dtype=object),
            "severity": m["severity"].to_numpy(),
            "evidence": [json.dumps(evidence(rule, r)) for r in rows],
            "detail": pd.Series([_clean(r.detail) for r in rows], dtype=object),
        }
    )
    out["ts"] = pd.to_datetime(out["ts"], utc=True)
    return out.sort_values(["ts", "finding_id"], kind="stable").reset_index(drop=True)
