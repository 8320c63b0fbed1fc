"""The findings part: each rule's findings weighted by severity, context and recency, with
diminishing returns for repeats on the same target.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from graphrisk.frames import isin
from graphrisk.network.circles import Circles, own_circles
from graphrisk.scoring.context import (
    CONTEXT_SIGNALS,
    ContextParams,
    targeted_lookups,
    while_assigned,
    work_context,
)
from graphrisk.scoring.lookups import FrameLookups, SQLLookups, as_lookups, naive_day

__all__ = [
    "AGGRAVATION",
    "CASELOAD",
    "CONTEXT_RULES",
    "LEAVING_DAYS",
    "NETWORK_SIZE_RULES",
    "SEVERITY_WEIGHT",
    "at_home",
    "empty_weights",
    "finding_weights",
    "network_size_divisor",
    "repeat_evidence",
    "rule_evidence",
    "while_leaving",
    "worked_areas",
    "workload_divisor",
]

#: Weight of one finding by severity: each level counts double the one below.
SEVERITY_WEIGHT = {"low": 1.0, "medium": 2.0, "high": 4.0, "critical": 8.0}
#: Extra weight of a finding per aggravating circumstance of its access.
AGGRAVATION = 1.0
#: Share of its weight a finding keeps when its person is a subject of one of the employee's own cases.
CASELOAD = 0.25
#: Rules that fire on acquaintance within two relations: divided by the size of one's network.
NETWORK_SIZE_RULES = ("own-network", "criminal-proximity-access")
#: Rules that describe the circumstances of an access rather than its target.
CONTEXT_RULES = ("off-shift", "outside-territory")
#: A look-up this many days or fewer before the employee's last day (``end_date``) is made while
#: leaving: about a month's notice, the window in which departing staff take data with them.
LEAVING_DAYS = 30
_CARRIED = ("person_id", "case_id", "organisation_id", "evidence", "detail")


def finding_weights(
    findings: pd.DataFrame,
    accesses: pd.DataFrame | FrameLookups | SQLLookups,
    as_of: pd.Timestamp,
    half_life: pd.Timedelta,
    employees: pd.DataFrame | None = None,
    own_network_divisor: pd.Series | None = None,
    caseload: pd.DataFrame | None = None,
    vehicles: pd.DataFrame | None = None,
    case_subjects: pd.DataFrame | None = None,
    context_params: ContextParams | None = None,
    network: pd.DataFrame | None = None,
    ordinary: pd.DataFrame | None = None,
    workload: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per finding with its weight and the circumstances that aggravate it.

    Parameters
    ----------
    findings : frame from :func:`graphrisk.rules.detect` (``access_ids`` holds one id).
    accesses : the access log of the window (``access_id``, ``action``, ``case_id``), or what
        answers for it (:mod:`graphrisk.scoring.lookups`: the SQL engine over the store's files).
    as_of : the moment the scores are for; a finding's age is ``as_of - ts``.
    half_life : the age at which a finding counts half.
    employees : ``employee_id``, ``unit_id`` and optionally ``home_area_id`` and ``end_date``;
        when given, a finding on a target that colleagues of the same unit also looked up in the
        window is discounted, an ``outside-territory`` finding on a target in the
        area the employee lives in (see :func:`at_home`) is left out, and a look-up in the last
        :data:`LEAVING_DAYS` days before the employee's ``end_date`` is aggravated
        (:func:`while_leaving`).
    own_network_divisor : per ``employee_id``, what the findings of the acquaintance rules
        (:data:`NETWORK_SIZE_RULES`) are divided by (see :func:`network_size_divisor`); 1 when
        not given.
    caseload : ``employee_id``, ``person_id``, ``start_date``, ``end_date``: the subjects
        of the cases each employee is assigned to, and when; a finding on such a
        person during the assignment counts :data:`CASELOAD` of its weight. A finding
        without a ``person_id`` (``outside-territory``, ``off-shift``) is matched on the
        person it looked up, or the owner of the vehicle (``vehicles``).
    vehicles : ``vehicle_id``, ``owner_person_id``, for the caseload.
    case_subjects : ``case_id``, ``person_id``: a cited case that names the person
        explains part of a look-up (:mod:`graphrisk.scoring.context`).
    context_params : the work-context model's knobs; its defaults when not given.
    network : the relations of the subjects of the employees' cases
        (:func:`graphrisk.scoring.context.case_network`), for the ``case_network`` signal.
    ordinary : the employees' ordinary work (:func:`graphrisk.scoring.context.ordinary_work`),
        for the day of work elsewhere; asked of ``accesses`` when not given.
    workload : per ``employee_id``, what every finding is divided by (see
        :func:`workload_divisor`); 1 when not given.

    Returns
    -------
    DataFrame
        The finding's ``finding_id``, ``rule_id``, ``employee_id``, ``access_id``, ``ts``,
        ``day``, ``target`` (``person:id`` of the person the look-up resolves to, else
        ``type:id`` of what was looked up), ``severity``, its
        ``person_id``, ``case_id``, ``organisation_id``, ``evidence`` and ``detail`` (when given), and
        the columns ``off_shift``, ``outside``, ``pretext``, ``export``, ``leaving`` (bool),
        ``aggravation`` (how many of those apply, the finding's own rule not
        counted), ``shared`` (colleagues of the unit who looked up the same target),
        ``decay``, the work-context signals of :mod:`graphrisk.scoring.context`
        (``case_support``, ``work_day``, ``routine``, ``case_network``), ``cited`` (the look-up cites a case),
        ``explained`` and ``weight``.

    Notes
    -----
    .. math:: w_i = \\frac{s_i \\,(1 + a\\,k_i)}{1 + c_i}\\, 2^{-\\mathrm{age}_i / h}\\,(1 - x_i) / v_e

    with :math:`x_i` how far ordinary work explains the look-up
    (:func:`graphrisk.scoring.context.work_context`) and :math:`c_i` the number of other
    employees of the same unit who looked up the same target (person, vehicle, address
    or case) in the window: a target the whole team works on is routine, one only this
    employee looks at is not; :math:`v_e` is the employee's :func:`workload_divisor` (1 unless
    their workload is several times their peers'). ``own-network`` and ``criminal-proximity-access`` findings
    (acquaintance within two relations) are further divided by the employee's
    :func:`network_size_divisor`, and a finding on a subject of a case the employee is
    assigned to that day counts :data:`CASELOAD` (case work that forgot to cite the
    case, not curiosity). An ``outside-territory`` finding on a target in the area where
    the employee lives is left out (:func:`at_home`): someone living just across the
    border is treated like a colleague living inside the territory. With :math:`s_i` the
    severity weight (:data:`SEVERITY_WEIGHT`), :math:`k_i` the number of aggravating
    circumstances of the access (outside every shift, outside the unit's territory,
    citing a case that does not cover it, an export, in the employee's last
    :data:`LEAVING_DAYS` days before leaving the force; on a day of work elsewhere,
    :func:`graphrisk.scoring.context.work_days_elsewhere`, and on a look-up that case work
    supports, :func:`graphrisk.scoring.context.cited_case_support`, the first two do not count),
    :math:`a` = :data:`AGGRAVATION`
    and :math:`h` the half-life. A finding on an access that cites a case that does not
    name the person looked up is a pretext: every rule leaves out what the cited case
    justifies, so the citation did not cover this look-up. A cited case that names the
    person, without an assignment, is case work missing from the assignment list
    (:func:`graphrisk.scoring.context.cited_case_support`), not a pretext.

    Examples
    --------
    >>> f = pd.DataFrame({"finding_id": ["f1"], "rule_id": ["own-network"], "employee_id": ["E1"],
    ...     "access_ids": [["A1"]], "ts": [pd.Timestamp("2026-03-10", tz="UTC")],
    ...     "target_type": ["person"], "target_id": ["P4"], "severity": ["medium"]})
    >>> a = pd.DataFrame({"access_id": ["A1"], "action": ["export"], "case_id": ["C9"]})
    >>> w = finding_weights(f, a, pd.Timestamp("2026-03-20", tz="UTC"), pd.Timedelta(days=10))
    >>> w[["aggravation", "shared", "decay", "weight"]].to_dict("records")  # 2 * (1 + 1 * 2) * 0.5
    [{'aggravation': 2, 'shared': 0, 'decay': 0.5, 'weight': 3.0}]
    """
    if len(findings) and employees is not None:
        findings = findings[~at_home(findings, employees)]
    if len(findings) and ordinary is not None:
        findings = findings[~worked_areas(findings, ordinary, context_params)]
    if findings.empty:
        return empty_weights()
    accesses = as_lookups(accesses)
    keep = ["finding_id", "rule_id", "employee_id", "ts", "target_type", "target_id", "severity"]
    keep += [c for c in _CARRIED if c in findings.columns]
    f = findings[keep].copy()
    for col in ("finding_id", "rule_id", "employee_id", "target_type", "target_id", "severity", "person_id"):
        if col in f.columns:
            f[col] = f[col].astype(object).where(f[col].notna(), None)
    f["access_id"] = np.array([ids[0] for ids in findings["access_ids"]], dtype=object)
    f["ts"] = pd.to_datetime(f["ts"], utc=True)
    f["day"] = f["ts"].dt.floor("D")
    looked_up = f["target_type"].astype(object) + ":" + f["target_id"].astype(object)
    f["target"] = looked_up
    if "person_id" in f.columns:
        resolved = f["person_id"].notna()
        f.loc[resolved, "target"] = "person:" + f.loc[resolved, "person_id"].astype(object)
    context = {rule: set(f.loc[f.rule_id == rule, "access_id"]) for rule in CONTEXT_RULES}
    f["off_shift"] = isin(f["access_id"], context["off-shift"])
    f["outside"] = isin(f["access_id"], context["outside-territory"])
    cited, export = accesses.attributes(f["access_id"].to_numpy(dtype=object))
    ctx = work_context(f, accesses, employees, case_subjects, context_params, network, vehicles, ordinary)
    for col in ctx.columns:
        f[col] = ctx[col].to_numpy()
    # a cited case that names the person looked up is case work without an assignment, not a pretext
    named = isin(f["access_id"], set(f.loc[f["case_support"].to_numpy() > 0, "access_id"]))
    f["pretext"] = cited & ~named
    f["cited"] = cited
    f["export"] = export
    f["leaving"] = while_leaving(f, employees)
    f["via_colleague"] = via_colleague(f, employees)
    # on a day of work elsewhere the time and place of a look-up are explained: they aggravate nothing
    # (each circumstance by its own day: off shift by the off-shift work, outside by the day's work)
    explained_day = f["work_day"].to_numpy() > 0
    calm_off = _same_day(f, explained_day & f["off_shift"].to_numpy())
    calm_out = _same_day(f, explained_day & ~f["off_shift"].to_numpy()) | calm_off
    # case work that supports the finding's look-up (a cited case naming the person, or the unit's
    # operation at work: cited_case_support) explains where and when too: supporting another unit's
    # raid is outside one's territory and often at dawn
    case_work = f["case_support"].to_numpy() > 0
    k = f[["off_shift", "outside", "pretext", "export", "leaving"]].sum(axis=1)
    k -= (f["off_shift"] & ((f.rule_id == "off-shift") | calm_off | case_work)).astype(int)
    k -= (f["outside"] & ((f.rule_id == "outside-territory") | calm_out | case_work)).astype(int)
    f["aggravation"] = k.astype(int)
    f["shared"] = _shared_with_colleagues(f, accesses, employees)
    age = (as_of - f["ts"]) / half_life
    f["decay"] = np.power(0.5, age.clip(lower=0.0).to_numpy(dtype=float))
    sev = f["severity"].map(SEVERITY_WEIGHT).fillna(1.0)
    f["weight"] = sev * (1.0 + AGGRAVATION * f["aggravation"]) / (1.0 + f["shared"]) * f["decay"]
    f["caseload"] = _in_caseload(f, caseload, vehicles)
    f.loc[f["caseload"], "weight"] *= CASELOAD
    f["weight"] *= 1.0 - f["explained"]
    if own_network_divisor is not None:
        own = f["rule_id"].isin(NETWORK_SIZE_RULES).to_numpy()
        f.loc[own, "weight"] /= f.loc[own, "employee_id"].map(own_network_divisor).fillna(1.0).to_numpy()
    if workload is not None:
        f["weight"] /= f["employee_id"].map(workload).fillna(1.0).to_numpy(dtype=float)
    return f.sort_values(["employee_id", "rule_id", "target", "ts", "finding_id"], kind="stable").reset_index(
        drop=True
    )


def while_leaving(f: pd.DataFrame, employees: pd.DataFrame | None) -> np.ndarray:
    """Which findings' look-ups fall in the employee's last :data:`LEAVING_DAYS` days before their
    ``end_date`` (that day included).

    Notes
    -----
    Staff who are leaving the force take data with them: their last weeks are the window in which
    insider-risk tools look hardest at what they do (Microsoft Purview's "data theft by departing
    users" policy starts from the HR system's resignation date). The circumstance aggravates only
    a look-up some rule already flagged, like an export or a time off shift: the handover of one's
    own cases, justified by the assignments, raises nothing. Whether someone leaves is an
    employment fact, not a protected attribute, and alone it raises no score.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2"], "end_date": [pd.Timestamp("2026-03-31"), None]})
    >>> f = pd.DataFrame({"employee_id": ["E1", "E1", "E1", "E2"],
    ...     "ts": pd.to_datetime(["2026-02-27 12:00", "2026-03-01 09:00", "2026-03-31 17:00",
    ...                           "2026-03-30 10:00"], utc=True)})
    >>> while_leaving(f, emp).tolist()
    [False, True, True, False]
    """
    if employees is None or "end_date" not in employees.columns or not len(f):
        return np.zeros(len(f), dtype=bool)
    ends = pd.to_datetime(employees.set_index("employee_id")["end_date"], errors="coerce").dropna()
    if ends.empty:
        return np.zeros(len(f), dtype=bool)
    end = pd.to_datetime(f["employee_id"].map(ends)).to_numpy(dtype="datetime64[ns]")
    day = f["ts"].dt.tz_convert("UTC").dt.tz_localize(None).dt.floor("D").to_numpy(dtype="datetime64[ns]")
    left = (end - day) / np.timedelta64(1, "D")
    return (~np.isnan(left)) & (left >= 0) & (left <= LEAVING_DAYS)


def via_colleague(f: pd.DataFrame, employees: pd.DataFrame | None) -> np.ndarray:
    """Whether each finding is an ``own-network`` finding whose relation path runs through a
    colleague: a person between the target and the employee is another employee's own person
    record (the target is a relative or friend of a colleague).

    Read from the finding's evidence path, which names every person of the path.

    Examples
    --------
    >>> ev = ('[["Employee", "E1"], "PERFORMED", ["Access", "A1"], "TARGETED", ["Person", "T"], '
    ...       '"RELATED_TO:partner", ["Person", "C"], "RELATED_TO:friend", ["Person", "M"], '
    ...       '"<-IS_PERSON", ["Employee", "E1"]]')
    >>> f = pd.DataFrame({"rule_id": ["own-network", "colleague-lookup"], "evidence": [ev, ev]})
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2"], "person_id": ["M", "C"]})
    >>> via_colleague(f, emp).tolist()  # T is the partner of C, the own person of colleague E2
    [True, False]
    """
    out = np.zeros(len(f), dtype=bool)
    if employees is None or "person_id" not in employees.columns or "evidence" not in f.columns:
        return out
    staff = set(employees["person_id"].dropna())
    rows = np.flatnonzero((f["rule_id"] == "own-network").to_numpy())
    evidence = f["evidence"].to_numpy(dtype=object)
    for i in rows:
        if not isinstance(evidence[i], str):
            continue
        steps = json.loads(evidence[i])
        persons = [step[1] for step in steps if isinstance(step, list) and step[0] == "Person"]
        out[i] = any(p in staff for p in persons[1:-1])
    return out


def _same_day(f: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Which findings fall on an (employee, day) of one of ``rows``."""
    days = pd.MultiIndex.from_frame(f.loc[rows, ["employee_id", "day"]].drop_duplicates())
    return pd.MultiIndex.from_frame(f[["employee_id", "day"]]).isin(days)


def at_home(findings: pd.DataFrame, employees: pd.DataFrame) -> np.ndarray:
    """Which findings are ``outside-territory`` findings on a target in the employee's home area.

    Parameters
    ----------
    findings : frame from :func:`graphrisk.rules.detect`; the ``outside-territory`` rule
        names the target's area in ``detail`` (``target area GM0012 outside GM0020``).
    employees : ``employee_id`` and ``home_area_id``, the area the employee's own person
        record lives in (None when unknown: nothing is left out).

    Returns
    -------
    Boolean array, one per finding.

    Notes
    -----
    A look-up in the municipality where one lives is treated as inside the territory:
    an employee living just across their territory's border is compared like a
    colleague living inside it, for whom the same look-up raises no
    ``outside-territory`` finding and aggravates nothing. Every other rule stays as it
    is: a look-up of one's neighbours is still an ``own-network`` finding. It depends
    on where the employee lives, never on their look-ups, and only ever removes a
    finding of the employee's own.

    Examples
    --------
    >>> f = pd.DataFrame({"rule_id": ["outside-territory", "outside-territory", "own-network"],
    ...     "employee_id": ["E1", "E2", "E1"], "detail": ["target area M2 outside M1"] * 2 + [None]})
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2"], "home_area_id": ["M2", "M1"]})
    >>> at_home(f, emp).tolist()
    [True, False, False]
    """
    out = np.zeros(len(findings), dtype=bool)
    if "home_area_id" not in employees.columns or "detail" not in findings.columns:
        return out
    ot = (findings["rule_id"] == "outside-territory").to_numpy()
    if not ot.any():
        return out
    sub = findings.loc[ot]
    area = _target_area(sub)
    home = sub["employee_id"].map(employees.set_index("employee_id")["home_area_id"])
    out[np.flatnonzero(ot)] = (area.notna() & home.notna() & (area == home)).to_numpy()
    return out


def _target_area(findings: pd.DataFrame) -> pd.Series:
    """The looked-up target's area that an ``outside-territory`` finding names in ``detail``
    (``target area GM0012 outside GM0020``), NaN where it names none."""
    return findings["detail"].astype(object).str.extract(r"^target area (\S+) outside ", expand=False)


def worked_areas(
    findings: pd.DataFrame, ordinary: pd.DataFrame, params: ContextParams | None = None
) -> np.ndarray:
    """Which findings are ``outside-territory`` findings in an area the employee works in.

    Parameters
    ----------
    findings : frame from :func:`graphrisk.rules.detect` (``rule_id``, ``employee_id``, ``ts``,
        ``access_ids``, ``detail``); the ``outside-territory`` rule names the target's area in
        ``detail`` (``target area GM0012 outside GM0020``).
    ordinary : per employee, ``days`` with ordinary work in the window
        (:func:`graphrisk.scoring.context.ordinary_work`).
    params : ``area_days`` and ``area_share`` (:class:`~graphrisk.scoring.context.ContextParams`).

    Returns
    -------
    Boolean array, one per finding.

    Notes
    -----
    An area is **worked in** by an employee when their ``outside-territory`` look-ups there that no
    rule about *whom* was looked up flagged (:func:`graphrisk.scoring.context.targeted_lookups`)
    fall on at least ``area_days`` (3) distinct UTC days and on at least ``area_share`` (a quarter)
    of the days with ordinary work of the employee:

    .. math:: D_{e,a} \\ge \\max(3,\\ 0.25 \\cdot D_e)

    Such findings are left out, as :func:`at_home` leaves out the area one lives in: the territory
    in ``units`` is the unit's, and the areas a person works in are more. Staff who moved unit
    during the log (``employees`` shows the new unit) worked their old territory for weeks; an
    officer on the border, a detective of a regional team working the cases of a neighbouring
    municipality, a secondment: each works an area again and again, on most of their days. A
    bulk browser leafs through persons across a region in an evening or two; a look-up about
    whom (a relative, a colleague, a member of an organisation, a raid's suspects) never makes an
    area worked in, however often. Every other rule still applies. This reads behaviour, so it is
    an exception to monotonicity, like the day of work elsewhere: ordinary look-ups in an area on
    more days can turn its look-ups from findings into work.

    Examples
    --------
    >>> f = pd.DataFrame({"rule_id": "outside-territory", "employee_id": ["E1"] * 4 + ["E2"],
    ...     "ts": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-04", "2026-03-02"],
    ...                          utc=True),
    ...     "access_ids": [["A1"], ["A2"], ["A3"], ["A4"], ["A5"]],
    ...     "detail": ["target area M2 outside M1"] * 3 + ["target area M3 outside M1"] * 2})
    >>> ordinary = pd.DataFrame({"employee_id": ["E1", "E2"], "days": [10, 10]})
    >>> worked_areas(f, ordinary).tolist()  # M2 on 3 of E1's 10 days; M3 once
    [True, True, True, False, False]
    """
    p = params or ContextParams()
    out = np.zeros(len(findings), dtype=bool)
    rows = np.flatnonzero((findings["rule_id"] == "outside-territory").to_numpy())
    if not len(rows) or "detail" not in findings.columns:
        return out
    sub = findings.iloc[rows]
    area = _target_area(sub).to_numpy()
    day = naive_day(pd.to_datetime(sub["ts"], utc=True).dt.floor("D"))
    access = np.array([ids[0] for ids in sub["access_ids"]], dtype=object)
    work = ~isin(access, set(targeted_lookups(findings))) & pd.notna(area)
    seen = pd.DataFrame(
        {"employee_id": sub["employee_id"].to_numpy()[work], "area": area[work], "day": day[work]}
    )
    days = seen.drop_duplicates().groupby(["employee_id", "area"]).size().reset_index(name="days")
    own = days["employee_id"].map(ordinary.set_index("employee_id")["days"]).fillna(0).to_numpy(dtype=float)
    least = np.maximum(p.area_days, p.area_share * own)
    worked = pd.MultiIndex.from_frame(days.loc[days["days"].to_numpy() >= least, ["employee_id", "area"]])
    out[rows] = pd.MultiIndex.from_arrays([sub["employee_id"].to_numpy(), area]).isin(worked)
    return out


def network_size_divisor(
    employees: pd.DataFrame, relations: pd.DataFrame, hops: int = 2, circles: Circles | None = None
) -> pd.Series:
    """How many times larger than the median employee's an employee's own network is (at least 1).

    Parameters
    ----------
    employees : ``employee_id``, ``person_id``.
    relations : ``person_id``, ``other_person_id`` (read as undirected).
    hops : the reach of the ``own-network`` rule.

    Returns
    -------
    Series indexed by ``employee_id``.

    Notes
    -----
    With :math:`N_e` the number of persons within ``hops`` relations of the
    employee's own person record and :math:`\\tilde N` the median over employees:

    .. math:: d_e = \\max\\left(1, \\frac{N_e}{\\tilde N}\\right)

    Routine work in one's own territory meets relatives and neighbours in
    proportion to how many one has, and the more relatives one has, the likelier
    one of them is close to a member of a criminal organisation; a large family is
    not misconduct. Dividing the findings of :data:`NETWORK_SIZE_RULES` by
    :math:`d_e` compares look-ups within one's own network with the chance of
    meeting it. It depends on relations only, never
    on behaviour, and only ever lowers a weight.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "person_id": ["A", "B", "C"]})
    >>> rel = pd.DataFrame({"person_id": ["A", "B", "C", "C", "C", "C"],
    ...                     "other_person_id": ["a1", "b1", "c1", "c2", "c3", "c4"]})
    >>> network_size_divisor(emp, rel, hops=1).to_dict()
    {'E1': 1.0, 'E2': 1.0, 'E3': 4.0}
    """
    ids = pd.Index(employees["employee_id"], name="employee_id")
    if relations.empty:
        return pd.Series(1.0, index=ids)
    circles = circles if circles is not None else own_circles(employees, relations, hops)
    size = circles.sizes().reindex(ids).fillna(0).astype(float)
    median = float(size.median()) if len(size) else 0.0
    if median <= 0:
        return pd.Series(1.0, index=ids)
    return np.maximum(1.0, size / median)


def workload_divisor(target_days: pd.Series, groups: pd.Series, multiple: float = 3.0) -> pd.Series:
    """How many times more than ``multiple`` times their peer group's median workload an
    employee handles (at least 1).

    Parameters
    ----------
    target_days : per ``employee_id``, the workload: the sum over the window's days of the day's
        distinct targets, of the look-ups no rule about whom was looked up flagged
        (:func:`graphrisk.scoring.context.ordinary_work`); missing counts 0.
    groups : the peer group of every employee (:func:`graphrisk.scoring.peers.peer_groups`).
    multiple : a workload up to this many times the group's median is ordinary.

    Returns
    -------
    Series indexed like ``groups``.

    Notes
    -----
    With :math:`T_e` the employee's workload and :math:`\\tilde T_{g(e)}` the median of their
    peer group (at least 1):

    .. math:: v_e = \\max\\left(1, \\frac{T_e}{k \\, \\tilde T_{g(e)}}\\right), \\quad k = 3

    A rule fires on a look-up; the more records someone's work makes them open, the more of
    them are by chance a colleague, a flagged person, a subject of an open case or a person in
    another territory. A functional administrator, a data-quality clerk or an auditor checks
    hundreds of records a day across the country, ten to twenty times a desk clerk's day, and
    meets all of those every week. Dividing every finding by :math:`v_e` compares such an
    employee's findings with the chance of meeting them, as :func:`network_size_divisor` does for
    the size of the own network: a workload is not misconduct. Up to ``multiple`` times the
    median nothing changes, so a busy officer keeps every finding. The workload leaves out the
    look-ups that a rule about *whom* was looked up flagged, so such a look-up never lowers the
    weight of another one; a look-up flagged only for its time or place (off shift, outside the
    territory: a clerk whose roster is not recorded, an administrator's country-wide checks) is
    work and counts, which makes this, like the day of work elsewhere, an exception to
    monotonicity, and only above ``multiple`` times the median.

    Examples
    --------
    >>> groups = pd.Series(["desk"] * 4, index=pd.Index(["E1", "E2", "E3", "E4"], name="employee_id"))
    >>> workload_divisor(pd.Series({"E1": 100, "E2": 200, "E3": 200, "E4": 2400}), groups).to_dict()
    {'E1': 1.0, 'E2': 1.0, 'E3': 1.0, 'E4': 4.0}
    """
    t = target_days.reindex(groups.index).fillna(0).astype(float)
    median = t.groupby(groups.to_numpy()).transform("median").clip(lower=1.0)
    return np.maximum(1.0, t / (multiple * median)).rename(None)


def repeat_evidence(day_weights: np.ndarray) -> float:
    """The evidence of repeated findings on one target: the strongest day, then log returns.

    Notes
    -----
    With :math:`v_d` the weight of day :math:`d` (the heaviest finding that
    day, so a burst of identical look-ups counts once), :math:`M = \\max_d v_d`
    and :math:`S = \\sum_d v_d`:

    .. math:: c = M \\log_2 (1 + S / M)

    One day gives :math:`c = M`; :math:`n` equal days give :math:`M\\log_2(1+n)`:
    3 days count 2, 7 days count 3. :math:`c` grows with every :math:`v_d`.

    Examples
    --------
    >>> repeat_evidence(np.array([2.0])), repeat_evidence(np.array([2.0, 2.0, 2.0]))
    (2.0, 4.0)
    """
    m = float(np.max(day_weights)) if len(day_weights) else 0.0
    if m <= 0:
        return 0.0
    return m * float(np.log2(1.0 + float(np.sum(day_weights)) / m))


def rule_evidence(weights: pd.DataFrame) -> pd.DataFrame:
    """Evidence per employee and rule: the sum over targets of :func:`repeat_evidence`.

    Returns
    -------
    DataFrame
        ``employee_id``, ``rule_id``, ``evidence``, ``findings`` (count),
        ``targets`` (distinct targets), ``days`` (distinct days).

    Notes
    -----
    .. math:: E_{e,r} = \\sum_{t} M_t \\log_2\\left(1 + \\frac{S_t}{M_t}\\right)

    over the targets :math:`t` of the employee's findings of rule :math:`r`.
    Different targets add up: a pattern over many persons is not discounted.
    The circumstance rules (:data:`CONTEXT_RULES`: ``off-shift``,
    ``outside-territory``) say *when* and *where*, not *whom*: for them the roles
    of target and day are swapped, so the targets of one day have diminishing
    returns (:math:`M_d \\log_2(1 + S_d/M_d)` over the day's targets) and days add
    up. A whole day of work elsewhere, with a hundred look-ups each off shift and
    outside the territory, then weighs like a handful of such look-ups, and
    several evenings of browsing weigh more than one.

    Examples
    --------
    >>> w = pd.DataFrame({"employee_id": ["E1"] * 3, "rule_id": ["r"] * 3, "target": ["a", "a", "b"],
    ...     "day": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-03-02"]), "weight": [2.0, 1.0, 1.0]})
    >>> rule_evidence(w)[["evidence", "findings", "targets", "days"]].to_dict("records")
    [{'evidence': 3.0, 'findings': 3, 'targets': 2, 'days': 2}]
    """
    cols = ["employee_id", "rule_id", "evidence", "findings", "targets", "days"]
    if weights.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c.endswith("_id") else float) for c in cols})
    # the groups by integer codes sorted as the names are: the same groups in the same order (so the
    # same sums, to the last bit) as grouping by the names, without hashing millions of strings twice
    employee, employees = pd.factorize(weights["employee_id"], sort=True)
    rule, rules = pd.factorize(weights["rule_id"], sort=True)
    target = pd.factorize(weights["target"], sort=True)[0]
    day = pd.factorize(weights["day"], sort=True)[0]
    keyed = (employee >= 0) & (rule >= 0)  # as groupby, rows with a missing key are left out
    coded = pd.DataFrame({"employee": employee, "rule": rule, "target": target, "day": day,
                          "weight": weights["weight"].to_numpy()})  # fmt: skip
    per_day = coded[keyed & (target >= 0) & (day >= 0)].groupby(["employee", "rule", "target", "day"])
    per_day = per_day["weight"].max().reset_index()
    # circumstance rules: the targets of one day have diminishing returns instead (see Notes); a
    # target's code and a day's both sort as the target and the day's text did
    by_day = np.isin(per_day["rule"].to_numpy(), np.flatnonzero(isin(pd.Series(rules), CONTEXT_RULES)))
    per_day["unit"] = np.where(by_day, per_day["day"].to_numpy(), per_day["target"].to_numpy())
    g = per_day.groupby(["employee", "rule", "unit"], sort=True)["weight"]
    m = g.max()
    s = g.sum()
    ratio = np.divide(s.to_numpy(), m.to_numpy(), out=np.zeros(len(m)), where=m.to_numpy() > 0)
    per_target = pd.Series(m.to_numpy() * np.log2(1.0 + ratio), index=m.index)
    evidence = per_target.groupby(level=["employee", "rule"]).sum().rename("evidence")
    present = coded[keyed].assign(
        target=lambda c: c["target"].where(c["target"] >= 0), day=lambda c: c["day"].where(c["day"] >= 0)
    )
    counts = present.groupby(["employee", "rule"], sort=True).agg(
        findings=("weight", "size"), targets=("target", "nunique"), days=("day", "nunique")
    )
    out = pd.concat([evidence, counts], axis=1).reset_index()
    # the names as grouping by them gives them (an index of the names: pandas infers their dtype)
    out.insert(0, "employee_id", pd.Index(np.asarray(employees, dtype=object)).take(out["employee"]))
    out.insert(1, "rule_id", pd.Index(np.asarray(rules, dtype=object)).take(out["rule"]))
    return out[cols]


# ---------------------------------------------------------------- helpers


def _in_caseload(
    f: pd.DataFrame, caseload: pd.DataFrame | None, vehicles: pd.DataFrame | None = None
) -> np.ndarray:
    """Whether each finding's person is a subject of a case its employee is assigned to that day.

    The person is the finding's ``person_id``, else the person it looked up, else the
    owner of the vehicle it looked up (context rules name no person).
    """
    return while_assigned(f, caseload, vehicles)


def _shared_with_colleagues(
    f: pd.DataFrame, accesses: FrameLookups | SQLLookups, employees: pd.DataFrame | None
) -> np.ndarray:
    """For each finding, how many other employees of its employee's unit looked up its target."""
    if employees is None or accesses.empty:
        return np.zeros(len(f), dtype=int)
    return accesses.colleagues(f, employees)


def empty_weights() -> pd.DataFrame:
    """The frame :func:`finding_weights` gives for no findings, with every column and its type."""
    cols = {
        "finding_id": object, "rule_id": object, "employee_id": object, "access_id": object,
        "ts": "datetime64[ns, UTC]", "day": "datetime64[ns, UTC]", "target": object, "severity": object,
        "target_type": object, "target_id": object, "person_id": object, "case_id": object,
        "organisation_id": object, "evidence": object, "detail": object,
        "off_shift": bool, "outside": bool, "pretext": bool, "cited": bool, "export": bool, "leaving": bool,
        "via_colleague": bool, "aggravation": int, "shared": int, "caseload": bool, "decay": float,
        **{c: float for c in CONTEXT_SIGNALS}, "explained": float, "weight": float,
    }  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
