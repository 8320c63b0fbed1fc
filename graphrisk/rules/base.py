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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
    "link_case_id": "criminal-proximity-access: the case that links the target person to the organisation "
    "(the target is a subject of it, link_member_id a suspect of it); empty when the target is a member",
    "link_member_id": "criminal-proximity-access: that case's suspect who is a member of the organisation",
    "action_ts": "when the planned action the access came before is (pre-action-lookup)",
    "action_id": "that planned action's id (case_id|ts|kind, as the Action node's key)",
    "severity": "low, medium, high or critical",
    "path_persons": "person ids from the employee's own person record along known relations, to the target "
    "person (own-network) or to the nearest member of the organisation (criminal-proximity-access)",
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


def _text(values) -> pd.Series:
    """Ids as object strings, missing as None (one representation for both engines' output)."""
    series = pd.Series(values, dtype=object).reset_index(drop=True)
    return series.where(series.notna(), None)


# printable ASCII but '"' and '\\': such a string is its own JSON literal between quotes
_PLAIN_JSON = r"^[ !#-\[\]-~]*$"


def _json_str(values: pd.Series) -> pd.Series:
    """Each value as a JSON string literal, as ``json.dumps`` writes it.

    Millions of ids go through here at national scale: the plain ones are quoted by Arrow in one
    pass, only the rest (quotes, backslashes, control or non-ASCII characters) by
    ``json.dumps``.

    >>> _json_str(pd.Series(["P1", 'say "hi"', "é"])).tolist()
    ['"P1"', '"say \\\\"hi\\\\""', '"\\\\u00e9"']
    """
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    quoted = pc.binary_join_element_wise('"', arr, '"', "")
    out = pd.Series(quoted.to_numpy(zero_copy_only=False), index=values.index, dtype=object)
    slow = ~np.asarray(pc.fill_null(pc.match_substring_regex(arr, _PLAIN_JSON), False), dtype=bool)
    if slow.any():
        out[slow] = values[slow].map(json.dumps)
    return out


_LABELS = {"person": "Person", "vehicle": "Vehicle", "address": "Address", "case": "Case"}


def _evidence(m: pd.DataFrame) -> pd.Series:
    """The ordered evidence path of each match, as JSON text: [label, id] steps and relationship types.

    Every step is a node or a relationship of the graph. A relationship step names its type, read
    from the step before to the step after; ``TYPE<-`` (or ``<-TYPE``) is read backwards,
    ``RELATED_TO:kind`` (undirected) and ``SUBJECT_OF:role`` name the relationship's kind or role.

    Built column-wise: employee, access and target always; then the person a vehicle or address
    resolves to. With an organisation (criminal-proximity-access) the walk goes on along the
    target's link to it (its membership, or the case it is a subject of and that case's suspect
    who is a member), back from the organisation to the member the employee knows, and along the
    relation path to the employee's own person record and the employee: one walk that holds both
    paths. Without one, a relation path (own-network) leads from the target person back to the
    employee's own person record. Then the case and the planned action involved.
    """
    emp = _json_str(m["employee_id"])
    access = _json_str(m["access_id"])
    target = _json_str(m["target_type"].map(_LABELS)) + ", " + _json_str(m["target_id"])
    parts = '[["Employee", ' + emp + '], "PERFORMED", ["Access", ' + access + "]"
    parts = parts + ', "TARGETED", [' + target + "]"
    person = m["person_id"]
    has_person = person.notna().to_numpy()
    for kind, step in (("vehicle", '"REGISTERED_TO"'), ("address", '"LIVES_AT<-"')):
        sel = has_person & (m["target_type"] == kind).to_numpy()
        if sel.any():
            parts[sel] = parts[sel] + ", " + step + ', ["Person", ' + _json_str(person[sel]) + "]"
    org = m["organisation_id"]
    has_org = org.notna().to_numpy()
    link_case, link_member = m["link_case_id"], m["link_member_id"]
    sel = has_org & link_case.notna().to_numpy()
    if sel.any():
        parts[sel] = (
            parts[sel]
            + ', "SUBJECT_OF", ["Case", '
            + _json_str(link_case[sel])
            + '], "SUBJECT_OF:suspect<-", ["Person", '
            + _json_str(link_member[sel])
            + "]"
        )
    if has_org.any():
        parts[has_org] = parts[has_org] + ', "MEMBER_OF", ["Organisation", ' + _json_str(org[has_org]) + "]"
    paths = m["path_persons"]
    has_path = np.array([isinstance(p, list | tuple | np.ndarray) and len(p) > 0 for p in paths], dtype=bool)
    # one write at the end: a write per row into the Series copied it each time (copy on write)
    walked = parts.to_numpy(dtype=object, copy=True)
    path_persons, path_kinds, emp_json = paths.to_numpy(), m["path_kinds"].to_numpy(), emp.to_numpy()
    for i in np.flatnonzero(has_path):
        persons, kinds = list(path_persons[i]), list(path_kinds[i])
        # walk back from the last person (the target, or the member after the organisation) to the
        # employee's own person record
        steps = f", {json.dumps('MEMBER_OF<-')}, {json.dumps(['Person', persons[-1]])}" if has_org[i] else ""
        steps += "".join(
            f", {json.dumps('RELATED_TO:' + kind)}, {json.dumps(['Person', pid])}"
            for pid, kind in zip(list(reversed(persons))[1:], reversed(kinds), strict=True)
        )
        walked[i] += steps + ', "<-IS_PERSON", ["Employee", ' + emp_json[i] + "]"
    parts = pd.Series(walked, index=parts.index, dtype=object)
    case = m["case_id"]
    sel = (case.notna() & (m["target_type"] != "case")).to_numpy()
    if sel.any():
        parts[sel] = parts[sel] + ', "SUBJECT_OF", ["Case", ' + _json_str(case[sel]) + "]"
    action = m["action_id"]
    sel = action.notna().to_numpy()
    if sel.any():
        parts[sel] = parts[sel] + ', "PLANS", ["Action", ' + _json_str(action[sel]) + "]"
    return parts + "]"


def to_findings(rule: Rule, matches: pd.DataFrame) -> pd.DataFrame:
    """Findings from an engine's matches: stable ids, evidence paths, sorted by time then id.

    The finding id is the first 16 hex digits of SHA-1 over rule, employee, access, person, case
    and organisation, so the same data gives the same ids on either engine.
    """
    if matches.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
    # action_ts is not part of a finding: the action's id names it
    m = pd.DataFrame({c: _text(matches[c]) for c in MATCH_COLUMNS if c not in ("ts", "action_ts")})
    key = rule.id + "|" + m["employee_id"] + "|" + m["access_id"]
    for col in ("person_id", "case_id", "organisation_id"):
        key = key + "|" + m[col].fillna("None")
    out = pd.DataFrame(
        {
            "finding_id": [hashlib.sha1(k.encode()).hexdigest()[:16] for k in key],
            "rule_id": rule.id,
            "employee_id": m["employee_id"],
            "access_ids": [[a] for a in m["access_id"]],
            "ts": pd.to_datetime(pd.Series(matches["ts"].array), utc=True),  # .array: no Timestamp objects
            "target_type": m["target_type"],
            "target_id": m["target_id"],
            "person_id": m["person_id"],
            "case_id": m["case_id"],
            "organisation_id": m["organisation_id"],
            "severity": m["severity"],
            "evidence": _evidence(m),
            "detail": m["detail"],
        }
    )
    return out.sort_values(["ts", "finding_id"], kind="stable").reset_index(drop=True)
