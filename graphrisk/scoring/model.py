"""The score model: findings, behaviour and network parts, in risk units, for every employee.

For employee :math:`e` in peer group :math:`g(e)`:

.. math::

    R_e = \\underbrace{\\sum_{r} z^{F}_{e,r}}_{\\text{findings}}
        + \\underbrace{\\sum_{f} z^{B}_{e,f}}_{\\text{behaviour}}
        + \\underbrace{\\gamma\\, x_e \\sum_{r \\in C} z^{F}_{e,r}}_{\\text{network}},
    \\qquad S_e = 100\\,(1 - e^{-R_e/\\tau})

with :math:`z^F_{e,r}` the robust excess (:func:`~graphrisk.scoring.peers.robust_excess`)
of the employee's evidence from rule :math:`r` (:func:`~graphrisk.scoring.findings.rule_evidence`)
over their peers', :math:`z^B_{e,f}` that of behaviour feature :math:`f`
(:func:`~graphrisk.scoring.features.behaviour_features`), :math:`x_e \\in [0, 1]`
the network exposure (:func:`~graphrisk.scoring.position.network_position`),
:math:`C` the rules about crime-related look-ups (:data:`CRIME_RULES`) and
:math:`\\gamma` the network gain. Every term is non-negative and grows with
the employee's own findings and look-ups; the peers' baselines leave the
employee out. So adding an unjustified look-up or finding never lowers the
employee's score, and without such behaviour the network term is zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graphrisk.frames import isin
from graphrisk.network import DEFAULT_ALPHA, DEFAULT_HOPS
from graphrisk.network.circles import own_circles, within_reach
from graphrisk.rules import RULES
from graphrisk.scoring.combine import DEFAULT_TAU, DEFAULT_THRESHOLD, calibrate, combine_units, points
from graphrisk.scoring.context import ContextParams, case_network, targeted_lookups
from graphrisk.scoring.explain import SUMMARIES, finding_summaries
from graphrisk.scoring.features import FEATURES, behaviour_features
from graphrisk.scoring.findings import (
    CONTEXT_RULES,
    SEVERITY_WEIGHT,
    empty_weights,
    finding_weights,
    network_size_divisor,
    rule_evidence,
    workload_divisor,
)
from graphrisk.scoring.inputs import ScoreInputs, as_findings
from graphrisk.scoring.lookups import FrameLookups, SQLLookups
from graphrisk.scoring.patterns import assign_patterns
from graphrisk.scoring.peers import MIN_PEERS, peer_baselines, peer_groups, surprise, unit_levels
from graphrisk.scoring.position import Position, network_position

__all__ = [
    "CRIME_RULES",
    "KEEP_TOP",
    "PART_FINDINGS",
    "Component",
    "ScoreParams",
    "ScoreResult",
    "employee_parts",
    "score_frames",
]

#: Rules whose findings are look-ups related to organised crime: the network part amplifies them.
CRIME_RULES = ("criminal-proximity-access", "pre-action-lookup", "open-case-no-need-to-know")
#: The default window: the last 30 days before the as-of moment.
DEFAULT_WINDOW = pd.Timedelta(days=30)
#: The most findings weighed at once (:func:`score_frames`): about two national days' worth, some
#: 3 GB as pandas frames with their weights; a national month (75 million) is weighed in parts.
PART_FINDINGS = 4_000_000
#: The columns of :attr:`ScoreResult.trend`, as compact as they come (Arrow text, categories).
TREND_COLUMNS = {
    "finding_id": "string[pyarrow]",
    "employee_id": "category",
    "rule_id": "category",
    "ts": None,
}
#: With findings weighed in parts, whose weights and findings the result keeps: the employees ranked
#: this high, and every alert (write-back reads the top 100 or more, the triage records the top 100).
KEEP_TOP = 1000
#: The network component's column.
NETWORK = "network:crime-lookups"
#: The own-network component's column: it has a dead zone of its own (ScoreParams).
OWN_NETWORK = "findings:own-network"
ALONE = "behaviour:alone"
#: The component compared only among the employees who can have it (:func:`within_reach`).
REACH = "findings:criminal-proximity-access"
#: Their peer group for that component.
WITHIN_REACH = "within reach of an organisation"


@dataclass(frozen=True)
class ScoreParams:
    """The knobs of the model; the defaults are the documented, calibrated model."""

    window: pd.Timedelta = DEFAULT_WINDOW
    #: default: the window, so the oldest finding still counts half (docs/scoring.md, recency)
    half_life: pd.Timedelta | None = None
    tau: float = DEFAULT_TAU
    threshold: float = DEFAULT_THRESHOLD
    network_gain: float = 1.0
    dead_zone: float = 2.0  #: nats of surprise a component needs before it counts
    #: the same for the acquaintance rules' findings, own-network and criminal-proximity-access, each
    #: compared with those who can have it (docs/scoring.md says why)
    own_network_dead_zone: float = 1.5
    alone_dead_zone: float = 1.0  #: the same for the ``alone`` behaviour feature (docs/scoring.md)
    network_floor: float = 2.0  #: the unit of the network component: one medium-severity finding
    min_peers: int = MIN_PEERS
    tail_floor: float = 0.7  #: the least mean excess of the peers' upper tail (log2 units)
    others_share: float = 0.25  #: what every component but the strongest adds to the risk
    hops: int = DEFAULT_HOPS
    alpha: float = DEFAULT_ALPHA
    #: the reach of ``criminal-proximity-access`` (its ``max_hops``): whose findings of it are compared
    reach_hops: int = 2
    #: a workload up to this many times the peer group's median divides no finding (workload_divisor)
    workload_multiple: float = 3.0
    context: ContextParams = field(default_factory=ContextParams)  #: the work-context model

    @property
    def effective_half_life(self) -> pd.Timedelta:
        return self.half_life if self.half_life is not None else self.window

    def to_dict(self) -> dict:
        return {
            "window": _duration(self.window),
            "half_life": _duration(self.effective_half_life),
            "tau": self.tau,
            "threshold": self.threshold,
            "network_gain": self.network_gain,
            "dead_zone": self.dead_zone,
            "own_network_dead_zone": self.own_network_dead_zone,
            "alone_dead_zone": self.alone_dead_zone,
            "network_floor": self.network_floor,
            "min_peers": self.min_peers,
            "tail_floor": self.tail_floor,
            "others_share": self.others_share,
            "hops": self.hops,
            "alpha": self.alpha,
            "reach_hops": self.reach_hops,
            "workload_multiple": self.workload_multiple,
            "context": dict(self.context.__dict__),
        }


@dataclass(frozen=True)
class Component:
    """One term of the sum: its part, key (rule id or feature name) and column in the unit matrix."""

    part: str  #: "findings", "behaviour" or "network"
    key: str


@dataclass
class ScoreResult:
    """Everything one scoring run computed.

    ``table`` has one row per employee (``employee_id`` index) with ``score``,
    ``rank``, ``alert``, ``risk_units``, the points per part, ``peer_group``,
    ``exposure`` and ``workload`` (the workload divisor); ``units`` and ``points``
    hold each component's risk units and points (columns named ``part:key``);
    ``values``, ``medians`` and ``spreads`` what each component compared; ``weights``
    every finding with its weight (with findings weighed in parts, see :func:`score_frames`, those
    of the highest ranked and alerting employees).
    """

    as_of: pd.Timestamp
    params: ScoreParams
    table: pd.DataFrame
    units: pd.DataFrame
    points: pd.DataFrame
    values: pd.DataFrame
    medians: pd.DataFrame
    spreads: pd.DataFrame
    weights: pd.DataFrame
    evidence: pd.DataFrame
    position: Position
    findings: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    #: what the explanations cite of each employee's findings, when the findings were weighed in
    #: parts (:func:`~graphrisk.scoring.explain.finding_summaries`); None: read from ``weights``
    summaries: dict | None = None
    #: the findings of the window scored (``findings`` holds them all unless weighed in parts)
    finding_count: int = 0
    parts: int = 1  #: how many employee parts the findings were weighed in
    #: with findings weighed in parts, every finding's id, employee, rule and time (what the triage
    #: trend counts, :func:`graphrisk.serve.triage.record_run`); None: ``findings`` holds them all
    trend: pd.DataFrame | None = None

    @property
    def since(self) -> pd.Timestamp:
        return self.as_of - self.params.window

    def top(self, n: int) -> pd.DataFrame:
        return self.table.sort_values("rank").head(n)


def score_frames(
    inputs: ScoreInputs,
    findings: pd.DataFrame,
    as_of: pd.Timestamp,
    params: ScoreParams | None = None,
    lookups: SQLLookups | None = None,
    *,
    part_findings: int | None = None,
    keep_top: int = KEEP_TOP,
) -> ScoreResult:
    """Score every employee from the scoring inputs and the window's findings (pure: no store).

    Parameters
    ----------
    inputs : the frames of :class:`~graphrisk.scoring.inputs.ScoreInputs`, the access
        log already cut to the window.
    findings : the window's findings (:func:`graphrisk.rules.detect`), or what reads them
        (:class:`~graphrisk.scoring.inputs.StoredWindowFindings`: the findings the store keeps).
    as_of : the end of the window (exclusive); ages are measured from here.
    params : the model's knobs.
    lookups : what answers for the window's look-ups instead of ``inputs.accesses``
        (:class:`~graphrisk.scoring.lookups.SQLLookups`: the SQL engine over the store's files);
        by default ``inputs.accesses`` itself. Either gives the same scores.
    part_findings : weigh the findings an employee part at a time, each part at most this many
        findings (an employee is never split); default :data:`PART_FINDINGS`. The parts give the
        same scores and explanations as the whole: every employee's weights, evidence and
        features read only their own findings. With more than one part, ``result.weights`` and
        ``result.findings`` hold only the findings of the ``keep_top`` highest ranked and every
        alerting employee (what write-back and the triage records read), and
        ``result.summaries`` what the explanations cite of everyone's.
    keep_top : see ``part_findings``.

    Returns
    -------
    ScoreResult
    """
    params = params or ScoreParams()
    part_findings = PART_FINDINGS if part_findings is None else part_findings
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[name] = round(now - started, 3)
        started = now

    emp = inputs.employees
    ids = pd.Index(emp["employee_id"], name="employee_id")
    groups = peer_groups(emp, unit_levels(inputs.units, inputs.areas), params.min_peers)
    half_life = params.effective_half_life
    source = as_findings(findings)
    parts = employee_parts(source.per_employee().reindex(ids).fillna(0).astype(np.int64), part_findings)
    # the employees' own circles (two relations), for the network size and, at the same reach, who
    # can have criminal-proximity findings
    circles = own_circles(emp, inputs.relations, 2)
    divisor = network_size_divisor(emp, inputs.relations, circles=circles)
    caseload = inputs.assignments.merge(inputs.case_subjects[["case_id", "person_id"]], on="case_id")
    accesses = lookups if lookups is not None else FrameLookups(inputs.accesses)
    network = case_network(caseload, inputs.relations)
    several = len(parts) > 1
    known = None if several else _read_part(source, ids, parts[0])
    # asked once: the day of work elsewhere, the areas worked in and the workload divisor read it;
    # it leaves out every finding's look-up about whom (a part at a time when there are parts)
    targeted = targeted_lookups(known) if known is not None else _targeted(source, parts)
    ordinary = accesses.workload(targeted)
    workload = workload_divisor(ordinary.set_index("employee_id")["target_days"], groups.reindex(ids),
                                params.workload_multiple)  # fmt: skip

    def weigh(found: pd.DataFrame) -> pd.DataFrame:
        weights = finding_weights(
            found, accesses, as_of, half_life, emp, divisor, caseload, inputs.vehicles, inputs.case_subjects,
            params.context, network, ordinary, workload,
        )  # fmt: skip
        weights["pattern"] = assign_patterns(weights) if len(weights) else pd.Series(dtype=object)
        return weights

    # the findings are weighted an employee part at a time (one part unless the window holds more
    # than part_findings): each employee's weights, evidence and features read only their own
    # findings, so the parts give what the whole would
    weighed = [_weigh_part(weigh, known if known is not None else _read_part(source, ids, p), p, as_of,
                           half_life, (workload, divisor), several) for p in parts]  # fmt: skip
    evidence = _stack([w.evidence for w in weighed], rule_evidence(empty_weights()))
    lap("findings")

    values = pd.DataFrame(0.0, index=ids, columns=[f"findings:{r}" for r in RULES])
    if len(evidence):
        e = evidence.pivot(index="employee_id", columns="rule_id", values="evidence")
        for r in e.columns:
            values[f"findings:{r}"] = e[r].reindex(ids).fillna(0.0).to_numpy()
    if not several:
        feats = behaviour_features(accesses, weighed[0].weights, ids, as_of, half_life, workload, divisor)
    else:
        feats = pd.concat([w.features for w in weighed]).reindex(ids).fillna(0.0)
        exports = behaviour_features(accesses, empty_weights(), ids, as_of, half_life, workload)
        feats["exports"] = exports["exports"]
    for f in FEATURES:
        values[f"behaviour:{f}"] = feats[f].to_numpy()
    per_rule = _stack([w.aggravated for w in weighed], evidence.iloc[:0])
    values[NETWORK] = per_rule.groupby("employee_id")["evidence"].sum().reindex(ids).fillna(0.0).to_numpy()
    lap("features")

    units = pd.DataFrame(0.0, index=ids, columns=values.columns)
    medians = units.copy()
    spreads = units.copy()
    # criminal-proximity-access can fire only for employees with a member of an organisation within
    # its reach: they are compared with each other, so that knowing someone is not the surprise
    same = circles if params.reach_hops == 2 else None
    reach = within_reach(emp, inputs.relations, inputs.memberships, params.reach_hops, same).reindex(ids)
    own_groups = groups.reindex(ids).to_numpy()
    reach_groups = pd.Series(np.where(reach.to_numpy(), WITHIN_REACH, own_groups), index=ids)
    for col in values.columns:
        floor = _floor(col, params)
        linear = _linear(col)
        level = values[col] / floor if linear else np.log2(1.0 + values[col] / floor)
        base = peer_baselines(level, reach_groups if col == REACH else groups, params.tail_floor)
        dead_zone = {
            OWN_NETWORK: params.own_network_dead_zone,
            REACH: params.own_network_dead_zone,
            ALONE: params.alone_dead_zone,
        }.get(col, params.dead_zone)
        units[col] = np.maximum(surprise(level.to_numpy(), base) - dead_zone, 0.0)
        # back on the value's own scale
        medians[col] = floor * (base.median if linear else np.exp2(base.median) - 1.0)
        spreads[col] = base.scale
    lap("peers")

    lookups = _stack([w.flagged for w in weighed], _flagged_lookups(empty_weights()))
    position = network_position(
        emp,
        inputs.relations,
        inputs.memberships,
        inputs.case_subjects,
        lookups,
        hops=params.hops,
        alpha=params.alpha,
    )
    exposure = position.table["exposure"].reindex(ids).fillna(0.0).to_numpy()
    units[NETWORK] = params.network_gain * exposure * units[NETWORK].to_numpy()
    seconds.update({f"network_{k}": v for k, v in position.seconds.items()})
    lap("network")

    units, risk = combine_units(units, params.others_share)
    score = calibrate(risk, params.tau)
    pts = pd.DataFrame(points(score, units.to_numpy()), index=ids, columns=units.columns)
    table = pd.DataFrame(index=ids)
    table["score"] = score
    table["risk_units"] = risk
    for part in ("findings", "behaviour", "network"):
        table[f"{part}_points"] = pts[[c for c in pts.columns if c.startswith(part + ":")]].sum(axis=1)
    table["peer_group"] = groups.reindex(ids).to_numpy()
    table["exposure"] = exposure
    table["workload"] = workload.reindex(ids).fillna(1.0).to_numpy(dtype=float)
    order = np.lexsort((ids.to_numpy(dtype=str), -score))
    rank = np.empty(len(ids), dtype=int)
    rank[order] = np.arange(1, len(ids) + 1)
    table["rank"] = rank
    table["alert"] = score >= params.threshold
    lap("combine")
    if not several:
        weights, summaries, count, trend = weighed[0].weights, None, len(known), None
    else:
        # the weights and findings of the employees write-back and the triage records read, weighed
        # again; the explanations read every part's summaries
        summaries = {key: {k: v for w in weighed for k, v in w.summaries[key].items()} for key in SUMMARIES}
        count = sum(w.findings for w in weighed)
        trend = pd.concat([w.trend for w in weighed], ignore_index=True)
        kept = sorted(table.index[(table["rank"] <= keep_top).to_numpy() | table["alert"].to_numpy()])
        known = _read_part(source, ids, kept)
        weights = weigh(known)
        lap("kept")
    return ScoreResult(
        as_of=as_of,
        params=params,
        table=table,
        units=units,
        points=pts,
        values=values,
        medians=medians,
        spreads=spreads,
        weights=weights,
        evidence=evidence,
        position=position,
        findings=known,
        seconds=seconds,
        summaries=summaries,
        finding_count=count,
        parts=len(parts),
        trend=trend,
    )


# ---------------------------------------------------------------- helpers


@dataclass
class _Part:
    """One employee part's findings, weighed and reduced to what the score reads."""

    findings: int
    evidence: pd.DataFrame
    aggravated: pd.DataFrame  #: the evidence of the crime rules' aggravated findings (network part)
    flagged: pd.DataFrame  #: the persons of the aggravated findings (network position)
    weights: pd.DataFrame | None = None  #: kept only when there is one part
    features: pd.DataFrame | None = None  #: the behaviour features of the weights (several parts)
    summaries: dict | None = None  #: what the explanations cite (several parts)
    trend: pd.DataFrame | None = None  #: the findings' ids, employees, rules and times (several parts)


def employee_parts(per_employee: pd.Series, size: int) -> list[list | None]:
    """The employees in parts of at most ``size`` findings, in id order; ``[None]`` (everyone at
    once) when all of them fit in one. An employee with more than ``size`` is a part of their own.

    >>> employee_parts(pd.Series([3, 0, 2, 4], index=["E1", "E2", "E3", "E4"]), 5)
    [['E1', 'E2', 'E3'], ['E4']]
    >>> employee_parts(pd.Series([3, 2], index=["E1", "E2"]), 5)
    [None]
    """
    if int(per_employee.sum()) <= size:
        return [None]
    parts, part, held = [], [], 0
    for emp, n in per_employee.sort_index().items():
        if part and held + int(n) > size:
            parts.append(part)
            part, held = [], 0
        part.append(emp)
        held += int(n)
    return [*parts, part] if part else parts


def _read_part(source, ids: pd.Index, employees) -> pd.DataFrame:
    """The findings of ``employees`` (None: of every employee of ``ids``)."""
    found = source.read(employees=employees)
    if employees is None and len(found):
        found = found[isin(found["employee_id"], set(ids))]
    return found


def _targeted(source, parts: list) -> np.ndarray:
    """The look-ups about whom of every part's findings (:func:`targeted_lookups`), read a part at a
    time and only of the rules about whom."""
    about = [r for r in RULES if r not in CONTEXT_RULES]
    found = [targeted_lookups(source.read(employees=p, rules=about)) for p in parts]
    return pd.unique(np.concatenate(found)) if found else np.array([], dtype=object)


def _weigh_part(weigh, found: pd.DataFrame, part, as_of, half_life, divisors, several: bool) -> _Part:
    """The weights of one part's findings, reduced to the evidence, features and explanations the
    score reads (the weights themselves kept only when they are the only part); ``divisors``: the
    workload and network size divisors of the behaviour features."""
    w = weigh(found)
    aggravated = (w["aggravation"] > 0).to_numpy()
    out = _Part(
        findings=len(found),
        evidence=rule_evidence(w),
        aggravated=rule_evidence(w[isin(w["rule_id"], CRIME_RULES) & aggravated]),
        flagged=_flagged_lookups(w[aggravated]),
    )
    if not several:
        out.weights = w
        return out
    whose = pd.Index(part, name="employee_id")
    out.features = behaviour_features(None, w, whose, as_of, half_life, *divisors)
    out.summaries = finding_summaries(w)
    trend = {c: found[c] if t is None else found[c].astype(t) for c, t in TREND_COLUMNS.items()}
    out.trend = pd.DataFrame(trend).reset_index(drop=True)
    return out


def _stack(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    """The parts' frames one after another (the only one as it is)."""
    if len(frames) == 1:
        return frames[0]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty


def _linear(column: str) -> bool:
    """Whether a component is compared on a linear scale (:attr:`Feature.linear`), not a log one."""
    part, key = column.split(":", 1)
    return part == "behaviour" and FEATURES[key].linear


def _floor(column: str, params: ScoreParams) -> float:
    """The unit of a component: one finding of the rule's own severity, one feature step."""
    part, key = column.split(":", 1)
    if part == "behaviour":
        return FEATURES[key].floor
    if part == "network":
        return params.network_floor
    return SEVERITY_WEIGHT[RULES[key].severity]


def _flagged_lookups(weights: pd.DataFrame) -> pd.DataFrame:
    """(employee_id, person_id, weight = distinct days) of the given findings' persons."""
    if weights.empty:
        return pd.DataFrame({"employee_id": [], "person_id": [], "weight": []})
    w = weights.dropna(subset=["person_id"])
    per = w.drop_duplicates(["employee_id", "person_id", "day"])
    return per.groupby(["employee_id", "person_id"], sort=True).size().rename("weight").reset_index()


def _duration(td: pd.Timedelta) -> str:
    seconds = int(td.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
