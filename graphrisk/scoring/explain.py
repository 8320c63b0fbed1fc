"""Explanations: every score as parts that add up to it, each with words and its evidence.

A part names its component (a rule, a behaviour feature or the network
amplification), its points (its share of the score), its risk units, what
was compared (the employee's value and the peers' median) and the evidence an
analyst can check: finding ids, access ids and relation paths.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from graphrisk.rules import RULES
from graphrisk.scoring.features import (
    FEATURES,
    WORKLOAD_FEATURES,
    browsing_lookups,
    circle_findings,
    largest_sittings,
    lone_findings,
)
from graphrisk.scoring.findings import LEAVING_DAYS

__all__ = [
    "MAX_EVIDENCE",
    "SUMMARIES",
    "evidence_lines",
    "explain_all",
    "finding_summaries",
    "format_path",
    "reasons",
]

#: What :func:`finding_summaries` holds.
SUMMARIES = ("top", "pretext", "alone", "sitting", "colleague_circle")
#: Findings (and access ids) shown per part.
MAX_EVIDENCE = 5
_AGGRAVATIONS = (
    ("off_shift", "off shift"),
    ("outside", "outside the territory"),
    ("pretext", "citing a case that does not cover them"),
    ("export", "exported"),
    ("leaving", f"in the last {LEAVING_DAYS} days before leaving"),
)


def explain_all(result, employee_ids=None) -> dict[str, list[dict]]:
    """The parts of each employee's score, largest first (employees without points get ``[]``).

    Parameters
    ----------
    result : a :class:`~graphrisk.scoring.model.ScoreResult`.
    employee_ids : the employees to explain; default every employee with points.

    Returns
    -------
    dict
        employee_id -> list of parts, each a dict with ``part``, ``key``, ``points``,
        ``units``, ``value``, ``peer_median``, ``text`` and ``evidence``.
    """
    pts = result.points
    if employee_ids is None:
        employee_ids = pts.index[(pts > 0).any(axis=1)]
    employee_ids = [e for e in employee_ids if e in pts.index]
    chosen = set(employee_ids)
    summaries = result.summaries
    if summaries is None:
        weights = result.weights
        mine = weights[weights["employee_id"].isin(chosen)] if len(weights) else weights
        summaries = finding_summaries(mine)
    top = summaries["top"]
    behaviour = {key: summaries[key] for key in SUMMARIES if key != "top"}
    # the frames' cells read from their arrays: a label look-up per cell (.at) is most of the time
    # for the tens of thousands of employees a national run explains
    frames = {"units": result.units, "values": result.values, "medians": result.medians}
    # the workload divisor of each employee, by which the workload features were divided
    divisors = result.table["workload"] if "workload" in result.table.columns else pd.Series(dtype=float)
    multiple = result.params.workload_multiple
    cells = {name: _Cells(frame) for name, frame in frames.items()}
    points = _Cells(pts)
    out: dict[str, list[dict]] = {}
    for emp in employee_ids:
        row = points.array[points.rows[emp]]
        parts = []
        for j in np.flatnonzero(row > 0):
            col = pts.columns[j]
            part, key = col.split(":", 1)
            entry = {
                "part": part,
                "key": key,
                "points": round(float(row[j]), 3),
                "units": round(float(cells["units"].at(emp, col)), 3),
                "value": round(float(cells["values"].at(emp, col)), 3),
                "peer_median": round(float(cells["medians"].at(emp, col)), 3),
            }
            if part == "findings":
                entry["text"], entry["evidence"] = _findings_part(key, top.get((emp, key), []), entry)
            elif part == "behaviour":
                evidence = behaviour.get(key, {}).get(emp, {})
                divisor = float(divisors.get(emp, 1.0)) if key in WORKLOAD_FEATURES else 1.0
                entry["text"], entry["evidence"] = _behaviour_part(key, entry, evidence, divisor, multiple)
            else:
                entry["text"], entry["evidence"] = _network_part(emp, result, top)
            parts.append(entry)
        parts.sort(key=lambda p: (-p["points"], p["part"], p["key"]))
        out[emp] = parts
    return out


def finding_summaries(weights: pd.DataFrame) -> dict[str, dict]:
    """What the explanations cite of the weighted findings (:attr:`ScoreResult.weights`), per
    employee: ``top`` per (employee, rule) the counts and the :data:`MAX_EVIDENCE` heaviest findings,
    and the evidence of the behaviour features ``pretext``, ``alone``, ``sitting`` and
    ``colleague_circle``.

    Each employee's summary reads only their own findings, so summaries made a part of the
    employees at a time (a national month, :data:`graphrisk.scoring.model.PART_FINDINGS`) and
    merged are the summary of the whole."""
    return {
        "top": _top_findings(weights, set(weights["employee_id"]) if len(weights) else set()),
        "pretext": _evidence_of(weights, weights["pretext"].astype(bool).to_numpy() if len(weights) else []),
        "alone": _evidence_of(weights, lone_findings(weights)),
        "sitting": _sitting_evidence(weights),
        "colleague_circle": _evidence_of(weights, circle_findings(weights)),
    }


def reasons(parts: list[dict], n: int = 3) -> list[str]:
    """The top ``n`` reasons in words, with their points.

    >>> reasons([{"points": 41.25, "text": "Look-up of a flagged person: 2 findings"}])
    ['+41.2 Look-up of a flagged person: 2 findings']
    """
    return [f"+{p['points']:.1f} {p['text']}" for p in parts[:n]]


def evidence_lines(part: dict) -> list[tuple[str, str]]:
    """What ``graphrisk explain`` shows under a part: ``(what, text)`` pairs, for the reports.

    >>> for line in evidence_lines({"evidence": {"finding_ids": ["F1", "F2"], "relation_paths": [[
    ...     ["Employee", "E1"], "IS_PERSON", ["Person", "P1"]]], "path_to_crime": [["Employee", "E1"]]}}):
    ...     print(line)
    ('findings', 'F1, F2')
    ('path', '(Employee:E1) -[IS_PERSON]- (Person:P1)')
    ('path to crime', 'Employee:E1')
    """
    ev = part.get("evidence") or {}
    out = []
    if ev.get("finding_ids"):
        out.append(("findings", ", ".join(ev["finding_ids"])))
    if ev.get("access_ids"):
        out.append(("accesses", ", ".join(ev["access_ids"])))
    out += [("path", format_path(path)) for path in ev.get("relation_paths", [])[:2]]
    if ev.get("path_to_crime"):
        out.append(("path to crime", " - ".join(f"{a}:{b}" for a, b in ev["path_to_crime"])))
    return out


def format_path(steps: list) -> str:
    """A relation path as ``graphrisk explain`` prints it: ``(Label:id) -[TYPE]- (Label:id)``."""
    return " ".join(f"({s[0]}:{s[1]})" if isinstance(s, list) else f"-[{s}]-" for s in steps)


# ---------------------------------------------------------------- helpers


class _Cells:
    """A frame's values as one array, with its row and column positions by label."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.array = frame.to_numpy()
        self.rows = {label: i for i, label in enumerate(frame.index)}
        self.columns = {label: j for j, label in enumerate(frame.columns)}

    def at(self, row, column):
        return self.array[self.rows[row], self.columns[column]]


def _top_findings(weights: pd.DataFrame, employees: set) -> dict[tuple[str, str], list[dict]]:
    if weights.empty or not employees:
        return {}
    keys = ["employee_id", "rule_id"]
    w = weights.sort_values([*keys, "weight", "finding_id"], ascending=[True, True, False, True])
    grouped = w.groupby(keys, sort=True)
    stats = grouped.agg(
        findings=("finding_id", "size"),
        targets=("target", "nunique"),
        days=("day", "nunique"),
        **{flag: (flag, "sum") for flag, _ in _AGGRAVATIONS},
    )
    cols = [*keys, "finding_id", "access_id", "ts", "target", "severity", "weight"]
    cols += [c for c in ("pattern", "explained") if c in w.columns]
    cols += ["evidence"] if "evidence" in w.columns else []
    head = w.loc[grouped.cumcount().to_numpy() < MAX_EVIDENCE, cols]
    out: dict[tuple[str, str], list[dict]] = {}
    for (emp, rule), row in zip(stats.index, stats.to_dict("records"), strict=True):
        out[(emp, rule)] = [
            {
                "findings": int(row["findings"]),
                "targets": int(row["targets"]),
                "days": int(row["days"]),
                "aggravated": {flag: int(row[flag]) for flag, _ in _AGGRAVATIONS},
            }
        ]
    for r in head.to_dict("records"):
        out[(r["employee_id"], r["rule_id"])].append(
            {
                "finding_id": r["finding_id"],
                "access_id": r["access_id"],
                "ts": pd.Timestamp(r["ts"]).isoformat(),
                "target": r["target"],
                "severity": r["severity"],
                "weight": round(float(r["weight"]), 3),
                **({"scenario": r["pattern"]} if "pattern" in r else {}),
                **({"explained_by_work": round(float(r["explained"]), 3)} if "explained" in r else {}),
                "path": _path(r.get("evidence")),
            }
        )
    return out


def _path(evidence) -> list | None:
    if not isinstance(evidence, str):
        return None
    steps = json.loads(evidence)
    return steps if any(isinstance(s, str) and s.startswith("RELATED_TO") for s in steps) else None


def _findings_part(rule_id: str, top: list[dict], entry: dict) -> tuple[str, dict]:
    title = RULES[rule_id].title if rule_id in RULES else rule_id
    # whom the evidence was compared with (docs/scoring.md, peer groups): for criminal proximity, the
    # employees who also have a member of an organisation within reach, whatever their role
    peers = "others close to an organisation" if rule_id == "criminal-proximity-access" else "peers"
    if not top:
        return f"{title}: evidence {entry['value']:.1f} ({peers}: {entry['peer_median']:.1f})", {}
    head, rows = top[0], top[1:]
    circumstances = [f"{n} {words}" for flag, words in _AGGRAVATIONS if (n := head["aggravated"][flag])]
    text = (
        f"{title}: {_n(head['findings'], 'finding')} on {_n(head['targets'], 'target')} over "
        f"{_n(head['days'], 'day')}"
        + (f" ({', '.join(circumstances)})" if circumstances else "")
        + f"; evidence {entry['value']:.1f} where {peers} have {entry['peer_median']:.1f}"
    )
    evidence = {
        "finding_ids": [r["finding_id"] for r in rows],
        "access_ids": [r["access_id"] for r in rows],
        "findings": rows,
    }
    paths = [r["path"] for r in rows if r["path"]]
    if paths:
        evidence["relation_paths"] = paths[:3]
    return text, evidence


def _evidence_of(weights: pd.DataFrame, rows) -> dict[str, dict]:
    """Per employee, the findings and look-ups behind a behaviour feature (``rows`` of the weights)."""
    if weights.empty:
        return {}
    w = weights[rows]
    w = w.sort_values(["employee_id", "weight", "finding_id"], ascending=[True, False, True])
    out = {}
    for emp, group in w.groupby("employee_id", sort=True):
        out[emp] = {
            "finding_ids": group["finding_id"].head(MAX_EVIDENCE).tolist(),
            "access_ids": list(dict.fromkeys(group["access_id"]))[:MAX_EVIDENCE],
        }
    return out


def _sitting_evidence(weights: pd.DataFrame) -> dict[str, dict]:
    """Per employee, the look-ups of the largest sitting (``sitting``) and when it was (UTC)."""
    rows = browsing_lookups(weights)
    if not rows.any():
        return {}
    sittings = largest_sittings(weights[rows])
    ts = pd.to_datetime(weights["ts"], utc=True)
    first = weights["employee_id"].map(sittings["first"])
    last = weights["employee_id"].map(sittings["last"])
    out = _evidence_of(weights, rows & (ts >= first).to_numpy() & (ts <= last).to_numpy())
    for emp, evidence in out.items():
        evidence["from"] = sittings.at[emp, "first"].isoformat()
        evidence["to"] = sittings.at[emp, "last"].isoformat()
    return out


def _behaviour_part(
    feature: str, entry: dict, evidence: dict, divisor: float = 1.0, multiple: float = 3.0
) -> tuple[str, dict]:
    # the count itself, not the count divided by the workload: the text says what was looked up
    value = entry["value"] * divisor
    text = FEATURES[feature].label.format(value=f"{value:.1f}", median=f"{entry['peer_median']:.1f}")
    if "from" in evidence:  # a sitting: when it was
        start, end = pd.Timestamp(evidence["from"]), pd.Timestamp(evidence["to"])
        text += f", on {start:%Y-%m-%d} from {start:%H:%M} to {end:%H:%M} UTC"
    if divisor > 1.0:
        text += (
            f"; counted as {entry['value']:.1f}, divided by {divisor:.1f} for a workload"
            f" {divisor * multiple:.1f} times the peer group's median"
        )
    return text[0].upper() + text[1:], evidence


def _network_part(emp: str, result, top: dict) -> tuple[str, dict]:
    pos = result.position.table.loc[emp]
    ref = float(pos["proximity_ref"])
    closeness = float(pos["proximity"]) / ref if ref > 0 else 0.0
    path = result.position.path_to_crime(emp)
    crime = [top.get((emp, r), []) for r in ("criminal-proximity-access", "pre-action-lookup")]
    rows = [r for t in crime for r in t[1:]]
    text = (
        f"Network position amplifies crime-related look-ups made off shift, outside the territory, under "
        f"a pretext or exported: exposure {float(pos['exposure']):.2f} (closeness to organised crime "
        f"{closeness:.2f} of a member's direct relative's, brokerage {float(pos['brokerage']):.2f})"
    )
    evidence = {
        "path_to_crime": [_node(n) for n in path],
        "proximity": float(np.round(pos["proximity"], 9)),
        "brokerage": round(float(pos["brokerage"]), 4),
        "finding_ids": [r["finding_id"] for r in rows][:MAX_EVIDENCE],
    }
    return text, evidence


def _node(name: str) -> list[str]:
    label = {"E": "Employee", "U": "Unit", "P": "Person", "O": "Organisation", "C": "Case"}[name[0]]
    return [label, name[2:]]


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
