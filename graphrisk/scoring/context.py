"""The work context: how well ordinary work explains each flagged look-up.

A rule fires on a look-up; whether the look-up was *work* is a separate
question, answered here from evidence in the data around it. Each signal gives
an explanation :math:`e_k \\in [0, 1)`; they combine as independent reasons

.. math:: x_i = 1 - \\prod_k (1 - e_{k,i})

and a finding keeps :math:`1 - x_i` of its weight
(:func:`graphrisk.scoring.findings.finding_weights`). Findings that ordinary work
explains weigh little; findings with nothing around them keep their weight.

The signals (each documented in its function):

- :func:`cited_case_support`: the employee cites a case that covers the look-up
  (its subjects include the person looked up, or it is the case looked up) on
  that look-up or within the hour around it, although not on its assignment
  list (assignment lists are incomplete); stronger when colleagues of the same
  unit cite the same case in the days around it (a unit supporting an operation);
- :func:`work_days_elsewhere`: the context findings (``off-shift``,
  ``outside-territory``) of a day of coherent work: many distinct targets over
  many hours, as when an officer helps at an event or an operation elsewhere
  without a rostered shift;
- :func:`routine_encounters`: a look-up of a relative, neighbour or colleague
  in the middle of routine work: on shift, with several look-ups of other,
  unflagged targets within the hour (a chance hit);
- :func:`case_network_work`: a look-up of a known relation of a subject of a case
  the employee is assigned to that day: the suspect's partner, family, colleagues
  and associates, whom an investigation looks up as a matter of course.

The employee's own caseload (:data:`graphrisk.scoring.findings.CASELOAD`) and
colleagues of the same unit on the same target (``shared``) are applied in
:func:`~graphrisk.scoring.findings.finding_weights` as before.

Monotonicity: every signal depends on other employees' look-ups, on cases and
assignments, or on the employee's own look-ups *that no rule flagged*; adding a
flagged look-up never explains another one. The one exception is the work day
elsewhere, which is decided by the day's volume and span of look-ups: a look-up
that completes such a day is itself explained, so the property holds for
unexplained behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graphrisk.frames import isin
from graphrisk.scoring.lookups import FrameLookups, SQLLookups, as_lookups, naive_day, nanos

__all__ = [
    "ALONE_RULES",
    "CONTEXT_SIGNALS",
    "ContextParams",
    "case_network",
    "case_network_work",
    "cited_case_support",
    "combine",
    "day_targets",
    "lone_lookups",
    "ordinary_work",
    "routine_encounters",
    "targeted_lookups",
    "while_assigned",
    "work_context",
    "work_days_elsewhere",
    "work_stretches",
]

#: The signals, in the order their columns appear in the weights frame.
CONTEXT_SIGNALS = ("case_support", "work_day", "routine", "case_network")
#: A pause longer than this ends a stretch of off-shift look-ups (:func:`work_stretches`).
STRETCH_GAP_MINUTES = 60
#: Rules whose findings are about the circumstances of a look-up (time, place), not its target.
_CIRCUMSTANCE_RULES = ("off-shift", "outside-territory")
#: The rules of the colleagues-and-flagged-persons pattern, whose lone look-ups the behaviour feature
#: ``alone`` counts (:func:`lone_lookups`).
ALONE_RULES = ("colleague-lookup", "sensitive-target")
#: Rules that fire on acquaintance, which routine work meets by chance.
_ENCOUNTER_RULES = ("own-network", "colleague-lookup")


@dataclass(frozen=True)
class ContextParams:
    """The knobs of the work-context model (defaults documented in docs/scoring.md)."""

    support_alone: float = 0.8  #: the employee cites a covering case, no colleague of the unit does
    support_team: float = 0.9  #: ... and a colleague of the unit cites it within ``support_days``
    support_days: int = 3
    session_minutes: int = 60  #: a citation this many minutes either side covers the session's look-ups
    support_unit: float = 0.5  #: no case cited, but a colleague of the unit cites one that names the person
    support_days_own: float = 0.6  #: none cited in the session, but the employee cites one on a day around
    work_day_targets: int = 20  #: distinct targets in a day that make a day of work (at most)
    work_day_share: float = 0.5  #: ... or this share of the employee's own mean day, if fewer
    work_day_least: int = 5  #: ... but never fewer than this many
    work_day_hours: int = 4  #: distinct clock hours (UTC) with look-ups that day
    work_day: float = 0.85
    routine_minutes: int = 60  #: look-ups within this many minutes either side count as the session
    routine_others: int = 3  #: unflagged look-ups of other targets in the session
    routine: float = 0.7
    alone_minutes: int = 30  #: a look-up with no other target looked up this many minutes either side
    case_network: float = 0.75  #: a relation of a subject of a case the employee is assigned to that day
    area_days: int = 3  #: an area outside the territory with ordinary look-ups on this many days ...
    area_share: float = 0.25  #: ... and this share of the employee's days is worked in (worked_areas)


def work_context(
    f: pd.DataFrame,
    accesses: pd.DataFrame | FrameLookups | SQLLookups,
    employees: pd.DataFrame | None,
    case_subjects: pd.DataFrame | None,
    params: ContextParams | None = None,
    network: pd.DataFrame | None = None,
    vehicles: pd.DataFrame | None = None,
    ordinary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every signal and the combined explanation ``explained`` for each finding row of ``f``.

    Parameters
    ----------
    f : the findings being weighted (``rule_id``, ``employee_id``, ``access_id``, ``ts``,
        ``day``, ``target_type``, ``target_id``, ``person_id``, ``off_shift``).
    accesses : the window's access log, or what answers for it (:mod:`graphrisk.scoring.lookups`).
    employees : ``employee_id``, ``unit_id`` (no team signal without it).
    case_subjects : ``case_id``, ``person_id``.
    network : the employees' case networks (:func:`case_network`); no such signal without it.
    vehicles : ``vehicle_id``, ``owner_person_id``: a vehicle look-up is matched on its owner.
    ordinary : the employees' ordinary work (:func:`ordinary_work`), when already asked for.

    Returns
    -------
    DataFrame aligned with ``f``: one column per :data:`CONTEXT_SIGNALS`, ``explained``, and
    ``alone`` (:func:`lone_lookups`: the opposite of context, read by the behaviour feature
    :data:`graphrisk.scoring.features.FEATURES` ``alone``, not an explanation).
    """
    p = params or ContextParams()
    out = pd.DataFrame(index=f.index)
    accesses = as_lookups(accesses)  # once for the three signals
    work_day = work_days_elsewhere(f, accesses, p, ordinary)
    off = f["off_shift"].to_numpy(dtype=bool) if "off_shift" in f.columns else np.zeros(len(f), dtype=bool)
    # at work: on a rostered shift, or in a day (or stretch) of work elsewhere, which explains the
    # look-up's off-shift finding (one per off-shift look-up): every finding on that look-up was
    # made at work, not only the circumstance findings that carry the explanation
    worked = f.loc[(f["rule_id"] == "off-shift").to_numpy() & (work_day > 0), "access_id"] if len(f) else []
    at_work = ~off | (work_day > 0) | isin(f["access_id"], set(worked))
    out["case_support"] = cited_case_support(f, accesses, employees, case_subjects, p, at_work=at_work)
    out["work_day"] = work_day
    out["routine"] = routine_encounters(f, accesses, p, at_work=at_work)
    out["case_network"] = case_network_work(f, network, vehicles, p)
    out["explained"] = combine(out[list(CONTEXT_SIGNALS)].to_numpy())
    out["alone"] = lone_lookups(f, accesses, p)
    return out


def combine(signals: np.ndarray) -> np.ndarray:
    """Independent explanations combined: :math:`x = 1 - \\prod_k (1 - e_k)`.

    >>> combine(np.array([[0.5, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])).tolist()
    [0.5, 0.75, 0.0]
    """
    if signals.size == 0:
        return np.zeros(len(signals))
    return 1.0 - np.prod(1.0 - np.clip(signals, 0.0, 1.0), axis=1)


def cited_case_support(
    f: pd.DataFrame,
    accesses: pd.DataFrame,
    employees: pd.DataFrame | None,
    case_subjects: pd.DataFrame | None,
    params: ContextParams | None = None,
    at_work: np.ndarray | None = None,
) -> np.ndarray:
    """How far a cited case that covers a look-up explains it without an assignment.

    Notes
    -----
    A case :math:`c` **covers** a look-up when the person looked up (the finding's
    person, or the person or vehicle owner it resolved to) is a subject of
    :math:`c`, or when the look-up is of :math:`c` itself. A look-up is **cited
    case work** when the employee cited a covering case on it or on another
    look-up within :math:`\\pm s` minutes (default 60: the work session in which
    a case file is opened, then its subjects, their addresses and vehicles). That
    is case work by someone missing from the case's assignment list, which real
    lists often are, and it explains

    .. math::

        e = \\begin{cases} e_{team} & \\text{cited, and another employee of the unit cites } c
            \\text{ within } \\pm d \\text{ days} \\\\
            e_{alone} & \\text{cited, no colleague of the unit cites } c \\\\
            e_{unit} & \\text{not cited, but another employee of the unit cites } c
            \\text{ within } \\pm d \\text{ days} \\\\
            \\max(e_{unit}, e_{days}) & \\text{not cited in the session, but the employee cites } c
            \\text{ within } \\pm d \\text{ days} \\end{cases}

    (defaults 0.9, 0.8, 0.5, 0.6, :math:`d` = 3; days are UTC dates). The last is
    the employee's own case work on another day: an officer who cited a raid's case
    while preparing it and looks its subjects up again on the morning of the raid
    without citing it forgot the citation; a leaker cites no covering case at all.
    A unit that supports another unit's
    raid cites its case together; a leaker cites no case, or a pretext (a case
    that does not cover the look-up), which explains nothing. The last case, the
    unit's operation without a citation, explains only look-ups made at work
    (``at_work``: on a rostered shift, or on a day of work elsewhere): a member of
    the supporting unit who looks up the raid's targets at home, off shift and
    citing nothing, is what a leak inside the unit looks like. The signal reads
    citations and case subjects, never which look-ups a rule flagged; a citation
    in the session can explain the look-ups around it, which is what the case
    work it records looks like.

    Examples
    --------
    >>> f = pd.DataFrame({"employee_id": ["E1", "E2", "E4", "E4"], "access_id": ["A1", "A2", "A4", "A5"],
    ...     "target_type": ["person", "person", "case", "person"], "target_id": ["P1", "P1", "C1", "P1"],
    ...     "person_id": ["P1", "P1", None, "P1"],
    ...     "ts": pd.to_datetime(["2026-03-02 10:00"] * 3 + ["2026-03-02 10:20"], utc=True)})
    >>> f["day"] = f["ts"].dt.floor("D")
    >>> acc = pd.DataFrame({"access_id": ["A1", "A2", "A3", "A4", "A5"],
    ...     "employee_id": ["E1", "E2", "E3", "E4", "E4"], "case_id": ["C1", "C9", "C1", "C1", None],
    ...     "ts": pd.to_datetime(["2026-03-02 10:00"] * 4 + ["2026-03-02 10:20"], utc=True)})
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2", "E3", "E4"], "unit_id": ["T1", "T2", "T1", "T4"]})
    >>> subj = pd.DataFrame({"case_id": ["C1", "C9"], "person_id": ["P1", "P2"]})
    >>> cited_case_support(f, acc, emp, subj).tolist()
    [0.9, 0.0, 0.8, 0.8]
    >>> f2 = f.iloc[[0]].assign(employee_id="E5", access_id="A6")  # E5 of T1 cites nothing
    >>> acc2 = pd.concat([acc, pd.DataFrame({"access_id": ["A6"], "employee_id": ["E5"], "case_id": [None],
    ...     "ts": pd.to_datetime(["2026-03-02 10:00"], utc=True)})])
    >>> emp2 = pd.concat([emp, pd.DataFrame({"employee_id": ["E5"], "unit_id": ["T1"]})])
    >>> cited_case_support(f2, acc2, emp2, subj).tolist(), cited_case_support(
    ...     f2, acc2, emp2, subj, at_work=np.array([False])).tolist()  # on shift, then off shift
    ([0.5], [0.0])
    >>> f3 = f.iloc[[3]].assign(ts=pd.Timestamp("2026-03-04 05:00", tz="UTC"), access_id="A7")
    >>> f3["day"] = f3["ts"].dt.floor("D")  # E4 looks the suspect up two days later, citing nothing
    >>> acc3 = pd.concat([acc, pd.DataFrame({"access_id": ["A7"], "employee_id": ["E4"], "case_id": [None],
    ...     "ts": f3["ts"].to_numpy()})])
    >>> cited_case_support(f3, acc3, emp, subj).tolist()
    [0.6]

    E1 cites C1 with a colleague (E3); E2's case is a pretext; E4 opens the case
    file of C1 citing it, and looks up its suspect twenty minutes later without a
    citation: one session of case work; two days later, again without a citation,
    the same case work on another day.
    """
    p = params or ContextParams()
    out = np.zeros(len(f))
    accesses = as_lookups(accesses)
    if len(f) == 0 or accesses.empty:
        return out
    covering = _covering_cases(f, case_subjects)
    if covering.empty:
        return out
    covering["t"] = nanos(f["ts"])[covering["row"].to_numpy()]
    # own: the employee's own citations of a covering case in the session (the look-up's own
    # included); team: other employees of the same unit citing one within the days around it
    # included); team: other employees of the same unit citing one within the days around it; days:
    # the employee citing one within the days around it, outside the session
    own, team, days = accesses.case_citations(covering, len(f), employees, p.session_minutes, p.support_days)
    out[own] = p.support_alone
    unit = p.support_unit if at_work is None else np.where(at_work[team], p.support_unit, 0.0)
    out[team] = np.where(own[team], p.support_team, unit)
    out[days & ~own] = np.maximum(out[days & ~own], p.support_days_own)
    return out


def work_days_elsewhere(
    f: pd.DataFrame,
    accesses: pd.DataFrame,
    params: ContextParams | None = None,
    ordinary: pd.DataFrame | None = None,
) -> np.ndarray:
    """How far a day of coherent work explains its ``off-shift`` and ``outside-territory`` findings.

    Notes
    -----
    A set of look-ups has the **shape of a shift** when it holds at least
    :math:`n_t` distinct targets (default 20) in at least :math:`n_h` distinct clock
    hours (default 4). An officer who helps at an event or an operation in another
    region, without a rostered shift there, leaves a day whose *off-shift* look-ups
    alone have that shape: every look-up of it is off shift and outside the
    territory at once. So an off-shift finding is explained by :math:`e` (default
    0.85) when the employee's off-shift look-ups of that day have the shape of a
    shift, and an on-shift ``outside-territory`` finding when all the employee's
    look-ups of that day have it. An evening's work that runs past midnight (UTC)
    is two days, neither with that shape: an off-shift finding in a stretch of
    off-shift look-ups with the shape (:func:`work_stretches`) is explained too.
    An evening of browsing after a day's rostered work is not explained by that
    work: the browsing alone spans too few hours.
    The findings about *whom* was looked up (own network, colleagues, open cases,
    planned actions) are not explained, but on such a day their time and place no
    longer aggravate them (:func:`graphrisk.scoring.findings.finding_weights`).

    Examples
    --------
    >>> ts = pd.date_range("2026-03-02 08:00", periods=24, freq="20min", tz="UTC")
    >>> acc = pd.DataFrame({"access_id": [f"A{i}" for i in range(24)], "employee_id": "E1", "ts": ts,
    ...     "target_type": "person", "target_id": [f"P{i}" for i in range(24)]})
    >>> f = pd.DataFrame({"employee_id": ["E1", "E1"], "rule_id": ["off-shift", "own-network"],
    ...     "access_id": ["A3", "A3"], "off_shift": [True, True],
    ...     "day": pd.to_datetime(["2026-03-02"] * 2, utc=True)})
    >>> work_days_elsewhere(f, acc).tolist()  # off shift, but only one look-up of the day is
    [0.0, 0.0]
    >>> off = pd.DataFrame({"employee_id": "E1", "rule_id": "off-shift", "access_id": acc["access_id"],
    ...     "off_shift": True, "day": pd.Timestamp("2026-03-02", tz="UTC")})
    >>> work_days_elsewhere(off, acc).tolist()[:2]  # 24 off-shift targets over 8 hours
    [0.85, 0.85]
    """
    p = params or ContextParams()
    out = np.zeros(len(f))
    accesses = as_lookups(accesses)
    circ = f["rule_id"].isin(_CIRCUMSTANCE_RULES).to_numpy() if len(f) else out.astype(bool)
    if not circ.any() or accesses.empty:
        return out
    off = f["off_shift"].astype(bool).to_numpy() if "off_shift" in f.columns else np.zeros(len(f), bool)
    off_ids = pd.unique(f.loc[off, "access_id"]) if "access_id" in f.columns else np.array([], dtype=object)
    days = f.loc[circ, ["employee_id", "day"]]
    need = day_targets(ordinary if ordinary is not None else ordinary_work(accesses, f), p)
    need = need.reindex(pd.unique(f["employee_id"])).fillna(p.work_day_targets).astype(np.int64)
    whole, off_part = accesses.shift_days(days, off_ids, need, p.work_day_hours)
    key = pd.MultiIndex.from_arrays([f["employee_id"].to_numpy(), naive_day(f["day"])])
    out[circ & ~off & key.isin(whole)] = p.work_day
    out[circ & off & key.isin(off_part)] = p.work_day
    # the same shape in a stretch that a UTC day cuts in two (an evening's work past midnight),
    # read from the off-shift findings themselves (one per off-shift look-up): every engine's
    if {"ts", "target"} <= set(f.columns):
        rows = f[(f["rule_id"] == "off-shift").to_numpy()]
        least = need.reindex(rows["employee_id"].to_numpy()).to_numpy()
        shaped = work_stretches(rows, targets=least, hours=p.work_day_hours)
        out[circ & off & isin(f["access_id"], set(rows.loc[shaped, "access_id"]))] = p.work_day
    return out


def targeted_lookups(findings: pd.DataFrame) -> np.ndarray:
    """The look-ups (access ids) of findings about *whom* was looked up: every rule's but the
    circumstance rules' (``off-shift``, ``outside-territory``), which say only when and where.

    What is left of the log is the employee's ordinary work (:func:`day_targets`,
    :func:`graphrisk.scoring.findings.workload_divisor`): a desk clerk whose roster is not
    recorded has every look-up off shift, and a day of hers is still work.

    Examples
    --------
    >>> f = pd.DataFrame({"rule_id": ["off-shift", "own-network", "outside-territory"],
    ...                   "access_ids": [["A1"], ["A2"], ["A3"]]})
    >>> targeted_lookups(f).tolist()
    ['A2']
    """
    if findings.empty:
        return np.array([], dtype=object)
    ids = findings["access_id"] if "access_id" in findings.columns else findings["access_ids"].str[0]
    about = ~findings["rule_id"].isin(_CIRCUMSTANCE_RULES).to_numpy()
    return pd.unique(ids.to_numpy(dtype=object)[about])


def ordinary_work(accesses, findings: pd.DataFrame) -> pd.DataFrame:
    """Per employee, ``target_days`` and ``days`` of the look-ups outside :func:`targeted_lookups`
    (:meth:`~graphrisk.scoring.lookups.FrameLookups.workload`): what :func:`day_targets` and
    :func:`graphrisk.scoring.findings.workload_divisor` measure, asked of the log once."""
    return as_lookups(accesses).workload(targeted_lookups(findings))


def day_targets(ordinary: pd.DataFrame, params: ContextParams | None = None) -> pd.Series:
    """The distinct targets a day of each employee needs to have the shape of a shift.

    Notes
    -----
    .. math:: n_e = \\min\\bigl(n_t,\\ \\max(n_0,\\ \\lceil s \\cdot \\bar d_e \\rceil)\\bigr)

    with :math:`\\bar d_e` the employee's mean number of distinct targets on a day with look-ups in
    the window (UTC days), of their ``ordinary`` work (:func:`ordinary_work`: the look-ups about
    whom no rule says anything), :math:`s` = ``work_day_share`` (0.5),
    :math:`n_0` = ``work_day_least`` (5) and :math:`n_t` = ``work_day_targets`` (20). A patrol
    officer's day holds dozens of targets, so a day of work elsewhere needs 20; a desk clerk's holds
    six or eight, and a day of theirs that the roster does not show (flexible hours, a roster system
    that is not connected) would never reach 20. What a day of *work* looks like is measured on the
    employee's own days; the hours it spans (``work_day_hours``) still tell it from an evening's
    browsing, which a pause ends within an hour or two.

    Examples
    --------
    >>> ts = pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00", "2026-03-03 08:00"], utc=True)
    >>> acc = pd.DataFrame({"access_id": ["A1", "A2", "A3"], "employee_id": ["E1", "E1", "E1"],
    ...     "ts": ts, "target_type": "person", "target_id": ["P1", "P2", "P3"]})
    >>> day_targets(ordinary_work(acc, pd.DataFrame())).to_dict()  # 1.5 targets a day: the least, 5
    {'E1': 5}
    """
    p = params or ContextParams()
    days = np.maximum(ordinary["days"].to_numpy(dtype=float), 1.0)
    mean = ordinary["target_days"].to_numpy(dtype=float) / days
    need = np.minimum(p.work_day_targets, np.maximum(p.work_day_least, np.ceil(p.work_day_share * mean)))
    return pd.Series(need.astype(np.int64), index=pd.Index(ordinary["employee_id"], name="employee_id"))


def work_stretches(
    rows: pd.DataFrame,
    gap_minutes: int = STRETCH_GAP_MINUTES,
    targets: int | np.ndarray = ContextParams.work_day_targets,
    hours: int = ContextParams.work_day_hours,
) -> np.ndarray:
    """Which of ``rows`` (``employee_id``, ``ts``, ``target``: an employee's off-shift look-ups) lie
    in a stretch of work: look-ups with no gap over ``gap_minutes`` between one and the next that
    hold ``targets`` distinct targets (one number, or one per row: its employee's,
    :func:`day_targets`) in ``hours`` distinct hours, the shape of a shift.

    A day of work elsewhere is judged by UTC day (:func:`work_days_elsewhere`); an evening's work
    that runs past midnight (UTC) is then two days, neither with the shape of a shift. A stretch is
    cut by a pause instead, wherever the clock stands.

    Examples
    --------
    >>> ts = pd.date_range("2026-03-02 21:00", periods=24, freq="15min", tz="UTC")  # to 02:45
    >>> r = pd.DataFrame({"employee_id": "E1", "ts": ts, "target": [f"person:P{i}" for i in range(24)]})
    >>> bool(work_stretches(r).all())  # 24 persons in 6 hours, past midnight
    True
    >>> bool(work_stretches(r.iloc[:12]).any())  # 12 persons: an evening, not a shift
    False
    """
    out = np.zeros(len(rows), dtype=bool)
    if rows.empty:
        return out
    emp = pd.factorize(rows["employee_id"], sort=True)[0]
    t = nanos(rows["ts"])
    order = np.lexsort((t, emp))
    e, tt = emp[order], t[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (e[1:] != e[:-1]) | (tt[1:] - tt[:-1] > np.int64(gap_minutes) * 60_000_000_000)
    stretch = np.cumsum(new)
    shape = pd.DataFrame({"stretch": stretch, "target": rows["target"].to_numpy()[order],
                          "hour": tt // 3_600_000_000_000})  # fmt: skip
    shape["least"] = np.broadcast_to(np.asarray(targets), len(rows))[order]
    g = shape.groupby("stretch", sort=False)
    shaped = (g["target"].nunique() >= g["least"].first()) & (g["hour"].nunique() >= hours)
    out[order] = shaped.reindex(stretch).to_numpy()
    return out


def routine_encounters(
    f: pd.DataFrame, accesses: pd.DataFrame, params: ContextParams | None = None, at_work=None
) -> np.ndarray:
    """How far routine work around it explains a look-up of an acquaintance (a chance hit).

    Notes
    -----
    An ``own-network`` or ``colleague-lookup`` finding, or a
    ``criminal-proximity-access`` finding whose look-up is not also about a planned
    action, a flagged person or a high- or top-sensitivity case, is a **routine encounter**
    when its look-up was made at work (no ``off-shift`` finding on it, or that finding explained
    by a day of work elsewhere, :func:`work_days_elsewhere`: ``at_work``) and within :math:`\\pm m` minutes
    (default 60) the employee looked up at least :math:`k` (default 3) other
    targets that no rule about *whom* was looked up flagged (:func:`targeted_lookups`):
    a neighbour stopped in a traffic check, a colleague who reported a burglary, met in
    the middle of ordinary work. It explains :math:`e` (default 0.7). The same relative
    looked up off shift, or alone with nothing else around it, is not explained; nor is
    an acquaintance whose ``own-network`` or ``colleague-lookup`` findings fall on two
    or more days of the window: chance meets a neighbour once, and a relative met again
    and again is being looked for. A look-up flagged by a rule about whom never counts
    as routine, so it never explains another; one flagged only for its time or place
    does: on a day of work elsewhere every look-up is off shift, and until the fourth
    realism round nothing around a relative met there counted (an exception to
    monotonicity, as for the day of work elsewhere itself: only for an encounter made
    at work).

    Examples
    --------
    >>> ts = pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:10", "2026-03-02 10:20",
    ...     "2026-03-02 10:30", "2026-03-02 22:00"], utc=True)
    >>> acc = pd.DataFrame({"access_id": ["A1", "A2", "A3", "A4", "A5"], "employee_id": "E1", "ts": ts,
    ...     "target_type": "person", "target_id": ["R", "X", "Y", "Z", "R"]})
    >>> f = pd.DataFrame({"rule_id": ["own-network", "own-network"], "employee_id": ["E1", "E1"],
    ...     "access_id": ["A1", "A5"], "ts": ts[[0, 4]], "target": ["person:R", "person:R"],
    ...     "off_shift": [False, False], "severity": ["medium", "medium"]})
    >>> f["day"] = f["ts"].dt.floor("D")
    >>> routine_encounters(f, acc).tolist()  # the 22:00 look-up has nothing around it
    [0.7, 0.0]
    >>> f.loc[1, "day"] += pd.Timedelta(days=1)  # had the second been on the next day: R is sought
    >>> routine_encounters(f, acc).tolist()
    [0.0, 0.0]
    """
    p = params or ContextParams()
    out = np.zeros(len(f))
    accesses = as_lookups(accesses)
    if len(f) == 0 or accesses.empty:
        return out
    on_shift = ~f["off_shift"].astype(bool).to_numpy()
    if at_work is not None:
        on_shift |= np.asarray(at_work, dtype=bool)
    cand = f["rule_id"].isin(_ENCOUNTER_RULES).to_numpy().copy()
    # a member of an organisation one is close to, met in routine work; unless the look-up is also
    # about a sensitive investigation, a flagged person or a planned action: then it is targeted
    targeted = f["rule_id"].isin(("pre-action-lookup", "sensitive-target")) | (
        (f["rule_id"] == "open-case-no-need-to-know") & f["severity"].isin(("high", "critical"))
    )
    targeted_access = set(f.loc[targeted.to_numpy(), "access_id"])
    cand |= (f["rule_id"] == "criminal-proximity-access").to_numpy() & ~isin(f["access_id"], targeted_access)
    cand &= on_shift
    # a chance hit happens once: the same relative or colleague flagged on several days is sought
    encounter = f["rule_id"].isin(_ENCOUNTER_RULES).to_numpy()
    cand &= ~(encounter & _on_several_days(f, encounter))
    if not cand.any():
        return out
    rows = np.flatnonzero(cand)
    probe = pd.DataFrame({"employee_id": f["employee_id"].to_numpy()[rows], "t": nanos(f["ts"])[rows],
                          "target": f["target"].to_numpy()[rows]})  # fmt: skip
    # routine work around it: look-ups that no rule about whom was looked up flagged (targeted_lookups)
    met = accesses.routine(probe, targeted_lookups(f), p.routine_minutes, p.routine_others)
    out[rows[met]] = p.routine
    return out


def _on_several_days(f: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Which findings have an (employee, target) that ``rows`` flag on two or more distinct days."""
    days = f.loc[rows].groupby(["employee_id", "target"], sort=False)["day"].nunique()
    keys = days[days >= 2].index
    return pd.MultiIndex.from_frame(f[["employee_id", "target"]]).isin(keys)


def lone_lookups(
    f: pd.DataFrame, accesses: pd.DataFrame | FrameLookups | SQLLookups, params: ContextParams | None = None
) -> np.ndarray:
    """Which findings of :data:`ALONE_RULES` were made alone: no other target looked up around them
    (False for every other rule's findings, which nothing reads).

    Notes
    -----
    A look-up is **alone** when the same employee looked up no other target
    within :math:`\\pm m` minutes (default 30) of it: no search before it, no
    linked record after it, no other work in the same sitting. Repeated log
    lines and searches of the same target keep it alone. Chance hits on a
    colleague or a flagged person happen in the middle of work, among other
    look-ups; a deliberate look (a colleague's new partner, a celebrity) is
    typically a sitting of its own, what the domain calls "no work around it".

    Unlike the explanations above, this depends on every look-up of the
    employee, flagged or not: measured on generated worlds, counting only
    unflagged look-ups as company lost most of the signal (chance hits made
    off shift or outside the territory sit among flagged look-ups). So a look-up
    added within the half hour takes another one out of the ``alone`` count
    (:mod:`graphrisk.scoring.features`): the one way in which more look-ups can
    lower that feature (docs/scoring.md).

    Examples
    --------
    >>> ts = pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:05", "2026-03-02 10:20",
    ...     "2026-03-02 22:00", "2026-03-02 22:10"], utc=True)
    >>> acc = pd.DataFrame({"access_id": ["A1", "A2", "A3", "A4", "A5"], "employee_id": "E1", "ts": ts,
    ...     "target_type": "person", "target_id": ["C", "X", "Y", "C", "C"]})
    >>> f = pd.DataFrame({"employee_id": ["E1", "E1"], "access_id": ["A1", "A4"],
    ...     "rule_id": ["colleague-lookup", "colleague-lookup"]})
    >>> lone_lookups(f, acc).tolist()  # 10:00 among other work; 22:00 only C, twice
    [False, True]
    """
    p = params or ContextParams()
    out = np.zeros(len(f), dtype=bool)
    accesses = as_lookups(accesses)
    if len(f) == 0 or accesses.empty:
        return out
    rows = np.flatnonzero(f["rule_id"].isin(ALONE_RULES).to_numpy())  # the only ones anything reads
    if len(rows):
        out[rows] = accesses.alone(f["access_id"].to_numpy(dtype=object)[rows], p.alone_minutes)
    return out


# ---------------------------------------------------------------- helpers


def _covering_cases(f: pd.DataFrame, case_subjects: pd.DataFrame | None) -> pd.DataFrame:
    """(row, employee_id, case_id): each finding row with every case that covers its look-up, one
    naming its person as a subject or the case looked up itself."""
    rows = pd.DataFrame({"row": np.arange(len(f)), "employee_id": f["employee_id"].to_numpy(),
                         "person_id": looked_up_person(f).to_numpy()})  # fmt: skip
    parts = []
    if case_subjects is not None and len(case_subjects):
        subjects = case_subjects[["case_id", "person_id"]].drop_duplicates()
        parts.append(rows.dropna(subset=["person_id"]).merge(subjects, on="person_id"))
    if "target_type" in f.columns:
        is_case = (f["target_type"] == "case").to_numpy()
        parts.append(rows[is_case].assign(case_id=f["target_id"].to_numpy()[is_case]))
    if not parts:
        return pd.DataFrame({"row": [], "employee_id": [], "case_id": []})
    return pd.concat(parts, ignore_index=True)[["row", "employee_id", "case_id"]].drop_duplicates()


def case_network(caseload: pd.DataFrame, relations: pd.DataFrame | None) -> pd.DataFrame:
    """The known relations of the subjects of each employee's cases, while assigned.

    Parameters
    ----------
    caseload : ``employee_id``, ``person_id`` (a subject of a case the employee is assigned
        to), ``start_date``, ``end_date`` of the assignment.
    relations : ``person_id``, ``other_person_id`` (either direction).

    Returns
    -------
    ``employee_id``, ``person_id`` (the relation), ``start_date``, ``end_date``; the subjects
    themselves are left out (they are the caseload).

    >>> load = pd.DataFrame({"employee_id": ["E1"], "person_id": ["P1"],
    ...     "start_date": pd.to_datetime(["2026-03-01"]), "end_date": [pd.NaT]})
    >>> rel = pd.DataFrame({"person_id": ["P1", "P3"], "other_person_id": ["P2", "P1"]})
    >>> case_network(load, rel)["person_id"].tolist()
    ['P2', 'P3']
    """
    cols = ["employee_id", "person_id", "start_date", "end_date"]
    if relations is None or relations.empty or caseload.empty:
        return pd.DataFrame(columns=cols)
    pairs = relations[["person_id", "other_person_id"]].to_numpy(dtype=object)
    edges = pd.DataFrame(np.concatenate([pairs, pairs[:, ::-1]]), columns=["subject", "relation"])
    m = caseload[cols].rename(columns={"person_id": "subject"}).merge(edges, on="subject")
    m = m.rename(columns={"relation": "person_id"})[cols]
    own = pd.MultiIndex.from_frame(caseload[["employee_id", "person_id"]])
    m = m[~pd.MultiIndex.from_frame(m[["employee_id", "person_id"]]).isin(own)]
    return m.drop_duplicates().sort_values(cols[:2], kind="stable").reset_index(drop=True)


def case_network_work(
    f: pd.DataFrame,
    network: pd.DataFrame | None,
    vehicles: pd.DataFrame | None = None,
    params: ContextParams | None = None,
) -> np.ndarray:
    """How far the employee's own cases explain a look-up of a relation of their subjects.

    Notes
    -----
    An investigation looks up more than its subjects: the suspect's partner, family,
    colleagues and associates, whom the case file does not name. A look-up of a
    person with a known relation (any kind) to a subject of a case the employee is
    assigned to on the look-up's day is explained by :math:`e` (default 0.75, the
    same share that the caseload itself leaves a finding on a subject:
    :data:`graphrisk.scoring.findings.CASELOAD`). An integrity investigator looking
    up the colleagues around the employee under investigation is the plainest case.
    The person is the finding's person, else the person or vehicle owner it looked
    up. The signal reads assignments, case subjects and relations, never which
    look-ups a rule flagged; the assignment list only ever under-states such work.

    Examples
    --------
    >>> net = pd.DataFrame({"employee_id": ["E1"], "person_id": ["P2"],
    ...     "start_date": pd.to_datetime(["2026-03-01"]), "end_date": pd.to_datetime(["2026-03-05"])})
    >>> f = pd.DataFrame({"employee_id": ["E1", "E1", "E2"], "person_id": ["P2", "P2", "P2"],
    ...     "day": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-02"], utc=True)})
    >>> case_network_work(f, net).tolist()  # assigned on the 2nd, no longer on the 9th; E2 never
    [0.75, 0.0, 0.0]
    """
    p = params or ContextParams()
    return np.where(while_assigned(f, network, vehicles), p.case_network, 0.0)


def while_assigned(
    f: pd.DataFrame, pairs: pd.DataFrame | None, vehicles: pd.DataFrame | None = None
) -> np.ndarray:
    """Whether each finding's person is paired with its employee in ``pairs`` (``employee_id``,
    ``person_id``, ``start_date``, ``end_date``: an assignment's span) on the finding's day.

    The person is the finding's ``person_id``, else the person it looked up, else the owner of
    the vehicle it looked up (:func:`looked_up_person`).
    """
    out = np.zeros(len(f), dtype=bool)
    if pairs is None or pairs.empty or len(f) == 0:
        return out
    person = looked_up_person(f, vehicles)
    day = f["day"].dt.tz_localize(None).astype("datetime64[s]")
    probe = pd.DataFrame({"row": np.arange(len(f)), "employee_id": f["employee_id"].to_numpy(),
                          "person_id": person.to_numpy(), "day": day.to_numpy()})  # fmt: skip
    m = probe.dropna(subset=["person_id"]).merge(pairs, on=["employee_id", "person_id"])
    ok = (m["start_date"] <= m["day"]) & (m["end_date"].isna() | (m["day"] <= m["end_date"]))
    out[m.loc[ok, "row"].to_numpy()] = True
    return out


def looked_up_person(f: pd.DataFrame, vehicles: pd.DataFrame | None = None) -> pd.Series:
    """The finding's person, else the person it looked up, else (with ``vehicles``) the owner of
    the vehicle it looked up: the circumstance rules name no person."""
    person = f["person_id"] if "person_id" in f.columns else pd.Series(None, index=f.index, dtype=object)
    person = person.astype(object).where(person.notna(), None)
    missing = person.isna()
    if "target_type" in f.columns:
        direct = missing & (f["target_type"] == "person")
        person[direct] = f.loc[direct, "target_id"]
        if vehicles is not None and len(vehicles):
            is_vehicle = missing & (f["target_type"] == "vehicle")
            owner = vehicles.drop_duplicates("vehicle_id").set_index("vehicle_id")["owner_person_id"]
            person[is_vehicle] = f.loc[is_vehicle, "target_id"].map(owner)
    return person
