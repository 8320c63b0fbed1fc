"""The behaviour part: what an employee's look-ups look like, next to their peers'.

Features are counts over the window, not shares: a share falls when routine
work is added, so padding the log with ordinary look-ups would dilute a
pattern, and adding an unjustified look-up could lower a score. Workload
differences are absorbed by comparing with peers (same role, rank, unit level).
Whether look-ups fall outside the unit's territory or outside every shift is
judged by the rules ``outside-territory`` and ``off-shift``, whose findings are
compared with the peers' in the findings part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graphrisk.scoring.context import ALONE_RULES
from graphrisk.scoring.lookups import FrameLookups, SQLLookups, as_lookups, banded_times, nanos

__all__ = [
    "FEATURES",
    "NETWORK_FEATURES",
    "SITTING_MINUTES",
    "WORKLOAD_FEATURES",
    "Feature",
    "behaviour_features",
    "browsing_lookups",
    "circle_findings",
    "largest_sittings",
    "lone_findings",
]

#: The span of one sitting for the ``sitting`` feature: distinct persons within this many minutes.
SITTING_MINUTES = 30
#: The features that count records a workload opens by the dozen: divided by the workload divisor.
WORKLOAD_FEATURES = ("browsing", "sitting", "exports", "colleague_circle")
#: The features that count look-ups within one's own network: divided by its size, as the
#: acquaintance rules' findings are (:func:`graphrisk.scoring.findings.network_size_divisor`).
NETWORK_FEATURES = ("colleague_circle",)


@dataclass(frozen=True)
class Feature:
    """A behaviour feature: its name, what one unit of it is, and how it reads."""

    name: str
    floor: float  #: the smallest spread that counts as one unit when all peers are alike
    label: str  #: words for an explanation, with ``{value}``, ``{median}`` placeholders
    #: compared with the peers' on a linear scale (``value / floor``) instead of ``log2(1 + value /
    #: floor)``: for a count that how fast one person can work bounds, where a difference in persons,
    #: not a ratio, is what is unusual (docs/scoring.md, the behaviour part)
    linear: bool = False


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature(
            "browsing",
            5.0,
            "looked up {value} distinct persons off shift citing no case, with no work day around them,"
            " recency-weighted (peers: {median})",
        ),
        Feature(
            "sitting",
            5.0,
            "looked up {value} distinct persons within half an hour off shift, citing no case, with no"
            " work day around them (peers: {median})",
            linear=True,
        ),
        Feature("exports", 1.0, "{value} exports, recency-weighted (peers: {median})"),
        Feature(
            "alone",
            2.0,
            "looked up {value} distinct colleagues or flagged persons alone, with no other look-up"
            " within half an hour and no colleague of the unit on them (peers: {median})",
        ),
        Feature(
            "colleague_circle",
            2.0,
            "looked up {value} distinct relatives or friends of colleagues, no work explaining them"
            " (peers: {median})",
        ),
        Feature(
            "pretext",
            1.0,
            "{value} flagged look-ups citing a case that did not cover them, recency-weighted"
            " (peers: {median})",
        ),
    )
}


def behaviour_features(
    accesses: pd.DataFrame | FrameLookups | SQLLookups | None,
    weights: pd.DataFrame,
    employee_ids: pd.Index,
    as_of: pd.Timestamp,
    half_life: pd.Timedelta,
    workload: pd.Series | None = None,
    network: pd.Series | None = None,
) -> pd.DataFrame:
    """Behaviour counts per employee, recency-weighted (all but ``alone`` and ``colleague_circle``).

    Parameters
    ----------
    accesses : the window's access log (``access_id``, ``ts``, ``employee_id``,
        ``target_type``, ``target_id``, ``action``, ``case_id``), or what answers for it
        (:mod:`graphrisk.scoring.lookups`): the features need only the latest export of each
        (employee, target, day), which the SQL engine aggregates out of core. None: ``exports`` is
        left 0 (the rest come from the weights alone, so they can be had a part of the employees
        at a time).
    weights : per-finding frame of :func:`graphrisk.scoring.findings.finding_weights`
        (for ``pretext``).
    employee_ids : every employee to report (zeros for those without look-ups).
    as_of, half_life : recency weighting, as for findings.
    workload : per ``employee_id``, the workload divisor
        (:func:`graphrisk.scoring.findings.workload_divisor`, missing 1): the counts of
        :data:`WORKLOAD_FEATURES` are divided by it.
    network : per ``employee_id``, the network size divisor
        (:func:`graphrisk.scoring.findings.network_size_divisor`, missing 1): the counts of
        :data:`NETWORK_FEATURES` are divided by it.

    Returns
    -------
    DataFrame indexed by ``employee_id`` with one column per :data:`FEATURES` entry.

    Notes
    -----
    Each feature counts distinct (target, day) pairs, so a burst of identical
    log lines counts once, each weighted by :math:`2^{-\\mathrm{age}/h}` of its
    latest line that day:

    - ``browsing``: distinct persons looked up outside every shift citing no case,
      on a day whose off-shift look-ups are not a day of work elsewhere
      (:func:`graphrisk.scoring.context.work_days_elsewhere`, which also reads a
      shift's worth of look-ups past midnight as work),
      each weighted by its latest day: leafing through people after hours,
      however the rules judge each look-up (:func:`browsing_lookups`);
    - ``sitting``: the most distinct persons looked up within :data:`SITTING_MINUTES`
      minutes among the look-ups ``browsing`` counts (:func:`largest_sittings`), not
      recency-weighted: leafing through dozens of people in one sitting, where an
      evening's private look-ups are a few;
    - ``exports``: (target, day) pairs with an export;
    - ``alone``: distinct targets of ``colleague-lookup`` and ``sensitive-target``
      findings (:data:`ALONE_RULES`) looked up alone
      (:func:`graphrisk.scoring.context.lone_lookups`: no other target within half
      an hour) that no colleague of the unit looked up (``shared`` 0), counted
      without recency weighting (:func:`lone_findings`): a colleague, an
      ex-partner's new household or a celebrity looked at in a sitting of its
      own, again and again, where peers meet such people only in the middle of
      work;
    - ``colleague_circle``: distinct persons of ``own-network`` findings whose relation path
      runs through a colleague (:func:`graphrisk.scoring.findings.via_colleague`: the target is a
      relative or friend of another employee), not of the employee's own cases and not wholly
      explained by work (:func:`circle_findings`), counted without recency weighting and divided
      by the size of the employee's network as the ``own-network`` findings are (``network``;
      and by the workload: an administrator's checks meet colleagues' relatives by the dozen): the
      partner, child or ex of a colleague looked up out of curiosity, or look-ups done as a
      favour for a colleague about their own circle (a proxy), where chance meets a colleague's
      relatives now and then. The sixth realism round of the generator (proxies who do a
      colleague's look-ups of their family) showed it: 21 of 26 proxies on harsh-101 had two or
      more such persons, 9% of the other employees;
    - ``pretext``: (target, day) pairs flagged by some rule although the
      look-up cited a case (the rules leave out what a cited case covers), the
      subjects of the employee's own cases not counted.

    The weight of a (target, day) pair is that of its latest look-up, so the exports are read as
    those latest times (:meth:`~graphrisk.scoring.lookups.FrameLookups.export_days`), and their
    weights added up per employee in the order of (employee, target, day): the same sums, to the
    last bit, whether pandas or the SQL engine found the latest times.

    Volume alone is no feature: how many persons an employee looks up, or how many look-ups cite
    no case, measures a workload (an intake desk, a data-quality clerk who checks hundreds of
    records a day across the country), not misconduct. Both were features until the third realism
    round of the generator: there functional administrators took 8 of the top 100 places on those
    two alone, and leaving both out raised average precision on every world measured (realistic-102
    0.488 -> 0.520, harsh-103 0.392 -> 0.407, the earlier harsh-102 0.696 -> 0.700, baseline-101
    0.922 -> 0.923) without costing a single insider in the top 2%: what bulk browsers do that
    workload does not, leafing through persons off shift outside work, is ``browsing`` and
    ``sitting``.

    A workload many times the peers' divides ``browsing``, ``sitting`` and ``exports``
    (:data:`WORKLOAD_FEATURES`) as it divides every finding: a functional administrator who checks
    hundreds of records a day, and exports lists of them, does so in the evening's maintenance
    window too, at the pace of their day, half a day's records in half an hour. The third and
    fourth realism rounds of the generator showed it: administrators, 9-14 of 5,000 staff, held
    5-11 of the top 100 places on these three, their off-shift sittings of 14-29 persons in half
    an hour smaller than their ordinary day's (median 60-110), a bulk browser's 33-52 against
    5-20. Up to three times the peer group's workload the divisor is 1, so an intake desk's
    browser is compared as before.

    Examples
    --------
    >>> acc = pd.DataFrame({"access_id": ["A1", "A2", "A3"], "employee_id": ["E1"] * 3,
    ...     "ts": pd.to_datetime(["2026-03-09", "2026-03-09", "2026-03-10"], utc=True),
    ...     "target_type": ["person", "person", "vehicle"], "target_id": ["P1", "P1", "V1"],
    ...     "action": ["view", "export", "view"], "case_id": [None, None, "C1"]})
    >>> f = behaviour_features(acc, pd.DataFrame(columns=["employee_id", "target", "day", "decay",
    ...     "pretext"]), pd.Index(["E1", "E2"]), pd.Timestamp("2026-03-11", tz="UTC"), pd.Timedelta(days=1))
    >>> {k: v for k, v in f.loc["E1"].items() if v}  # P1's export, two days old
    {'exports': 0.25}
    >>> float(f.loc["E2"].sum())
    0.0
    """
    out = pd.DataFrame(0.0, index=pd.Index(employee_ids, name="employee_id"), columns=list(FEATURES))
    lookups = as_lookups(accesses) if accesses is not None else None
    if lookups is not None and not lookups.empty:
        out["exports"] = _decayed_sum(lookups.export_days(), as_of, half_life)
    if len(weights) and {"rule_id", "cited", "work_day"} <= set(weights.columns):
        private = weights[browsing_lookups(weights)]
        out["browsing"] = _latest(private, "target")
        out["sitting"] = largest_sittings(private)["persons"]
    if len(weights) and "alone" in weights.columns:
        out["alone"] = weights[lone_findings(weights)].groupby("employee_id")["target"].nunique()
    if len(weights) and "via_colleague" in weights.columns:
        out["colleague_circle"] = weights[circle_findings(weights)].groupby("employee_id")["target"].nunique()
    if len(weights):
        flagged = weights["pretext"].astype(bool)
        if "caseload" in weights.columns:
            flagged &= ~weights["caseload"].astype(bool)
        flagged = weights[flagged]
        out["pretext"] = _per_target_day(flagged)
    for divisors, names in ((workload, WORKLOAD_FEATURES), (network, NETWORK_FEATURES)):
        if divisors is not None:
            divisor = divisors.reindex(out.index).fillna(1.0).to_numpy(dtype=float)
            for name in names:
                out[name] = out[name].to_numpy(dtype=float) / divisor
    return out.fillna(0.0)


def lone_findings(weights: pd.DataFrame) -> np.ndarray:
    """The findings the ``alone`` feature counts: a rule of :data:`ALONE_RULES`, looked up alone,
    not shared with a colleague of the unit (rows of the weights frame)."""
    if not len(weights) or "alone" not in weights.columns:
        return np.zeros(len(weights), dtype=bool)
    return (
        weights["rule_id"].isin(ALONE_RULES).to_numpy()
        & weights["alone"].astype(bool).to_numpy()
        & (weights["shared"].to_numpy() == 0)
    )


def circle_findings(weights: pd.DataFrame) -> np.ndarray:
    """The findings the ``colleague_circle`` feature counts: ``own-network`` findings through a
    colleague (:func:`graphrisk.scoring.findings.via_colleague`) that the employee's own cases and
    ordinary work do not explain away (rows of the weights frame)."""
    if not len(weights) or "via_colleague" not in weights.columns:
        return np.zeros(len(weights), dtype=bool)
    keep = weights["via_colleague"].astype(bool).to_numpy() & (weights["weight"].to_numpy() > 0)
    if "caseload" in weights.columns:
        keep &= ~weights["caseload"].astype(bool).to_numpy()
    return keep


def browsing_lookups(weights: pd.DataFrame) -> np.ndarray:
    """The findings ``browsing`` and ``sitting`` read: ``off-shift`` findings on a person (a vehicle
    counts as its owner) whose look-up cites no case and that no day or stretch of work elsewhere
    explains (``work_day``: :func:`graphrisk.scoring.context.work_days_elsewhere`) (rows of the
    weights frame)."""
    if not len(weights) or not {"rule_id", "cited", "work_day", "target", "ts"} <= set(weights.columns):
        return np.zeros(len(weights), dtype=bool)
    return (
        (weights["rule_id"] == "off-shift").to_numpy()
        & (weights["work_day"].to_numpy() <= 0)
        & ~weights["cited"].astype(bool).to_numpy()
        & weights["target"].astype(str).str.startswith("person:").to_numpy()
    )


def largest_sittings(rows: pd.DataFrame, minutes: int = SITTING_MINUTES) -> pd.DataFrame:
    """Per employee, the most distinct targets looked up within ``minutes`` (bounds included).

    Parameters
    ----------
    rows : ``employee_id``, ``ts``, ``target`` (the ``sitting`` feature gives it the rows of
        :func:`browsing_lookups`).
    minutes : the span of a sitting.

    Returns
    -------
    DataFrame indexed by ``employee_id``: ``persons`` (distinct targets), ``first`` and ``last``
    (the times of the sitting's first and last look-up). Among sittings of the same size, the
    earliest.

    Notes
    -----
    A sitting starts at each look-up :math:`i` and holds the employee's look-ups up to
    :math:`t_i` + ``minutes``; its distinct targets are those whose previous look-up by the
    employee lies before :math:`i`. Each sitting is counted exactly, by stepping through its
    look-ups side by side for every start at once (the work is the number of look-up pairs
    within ``minutes`` of each other). The largest can only grow with more look-ups.

    Examples
    --------
    >>> ts = pd.to_datetime(["2026-03-02 21:00", "2026-03-02 21:10", "2026-03-02 21:20",
    ...     "2026-03-02 21:25", "2026-03-02 21:45", "2026-03-03 21:00"], utc=True)
    >>> r = pd.DataFrame({"employee_id": ["E1"] * 5 + ["E2"], "ts": ts,
    ...     "target": ["person:A", "person:B", "person:A", "person:C", "person:D", "person:A"]})
    >>> s = largest_sittings(r)
    >>> s["persons"].to_dict()  # E1: A, B, A, C from 21:00 to 21:30 (D at 21:45 is after it)
    {'E1': 3, 'E2': 1}
    >>> s.loc["E1", "first"].strftime("%H:%M"), s.loc["E1", "last"].strftime("%H:%M")
    ('21:00', '21:25')
    """
    out = pd.DataFrame({"persons": pd.Series(dtype=int), "first": pd.Series(dtype="datetime64[ns, UTC]"),
                        "last": pd.Series(dtype="datetime64[ns, UTC]")})  # fmt: skip
    out.index.name = "employee_id"
    if rows.empty:
        return out
    emp, names = pd.factorize(rows["employee_id"], sort=True)
    ts = pd.to_datetime(rows["ts"], utc=True)
    t = nanos(ts)
    order = np.lexsort((t, emp))
    emp, t = emp[order], t[order]
    target = pd.factorize(rows["target"].to_numpy()[order])[0]
    n = len(t)
    idx = np.arange(n)
    # where each sitting ends: the first look-up of a later employee or after t + span
    key, span = banded_times(rows["employee_id"].to_numpy()[order], t, minutes)
    end = np.searchsorted(key, key + span, side="right")
    # the previous look-up of the same target by the same employee (-1: none)
    by_target = np.lexsort((idx, target, emp))
    prev = np.full(n, -1, dtype=np.int64)
    same = (emp[by_target[1:]] == emp[by_target[:-1]]) & (target[by_target[1:]] == target[by_target[:-1]])
    prev[by_target[1:][same]] = by_target[:-1][same]
    distinct = np.ones(n, dtype=np.int64)
    start = idx[end > idx + 1]
    step = 1
    while start.size:
        distinct[start] += prev[start + step] < start
        step += 1
        start = start[end[start] > start + step]
    best = pd.DataFrame({"emp": emp, "persons": distinct, "row": idx})
    best = best.sort_values(["emp", "persons", "row"], ascending=[True, False, True], kind="stable")
    best = best.drop_duplicates("emp")
    # the times of only the sittings kept (a tz-aware column made whole into an array is one
    # Timestamp object per look-up)
    row = best["row"].to_numpy()
    out = pd.DataFrame(
        {
            "persons": best["persons"].to_numpy(),
            "first": ts.iloc[order[row]].array,
            "last": ts.iloc[order[end[row] - 1]].array,
        },
        index=pd.Index(np.asarray(names, dtype=object)[best["emp"].to_numpy()], name="employee_id"),
    )
    return out


# ---------------------------------------------------------------- helpers


def _per_target_day(frame: pd.DataFrame) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=float)
    per = frame.groupby(["employee_id", "target", "day"], sort=True)["decay"].max()
    return per.groupby(level="employee_id").sum()


def _decayed_sum(latest: pd.DataFrame, as_of: pd.Timestamp, half_life: pd.Timedelta) -> pd.Series:
    """Per employee, the sum of :math:`2^{-\\mathrm{age}/h}` over ``latest``'s rows, in their order."""
    if latest.empty:
        return pd.Series(dtype=float)
    age = (as_of - latest["ts"]) / half_life
    decay = pd.Series(np.power(0.5, age.clip(lower=0.0).to_numpy(dtype=float)), index=latest.index)
    return decay.groupby(latest["employee_id"].to_numpy(), sort=True).sum()


def _latest(frame: pd.DataFrame, key: str) -> pd.Series:
    per = frame.groupby(["employee_id", key], sort=True)["decay"].max()
    return per.groupby(level="employee_id").sum()
