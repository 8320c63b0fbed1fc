"""The rule catalogue: each rule's description, parameters and embedded implementation.

Every embedded implementation returns a frame of matches (see
:data:`graphrisk.rules.base.MATCH_COLUMNS`); its Cypher twin lives in
``cypher/detect/<id>.cypher``. Each docstring states the definition both follow.
"""

from __future__ import annotations

import pandas as pd

from graphrisk.frames import isin
from graphrisk.graph import with_synthetic_ids
from graphrisk.rules.base import MATCH_COLUMNS, Param, Rule
from graphrisk.rules.context import Context

__all__ = ["RULES"]

_FLAG_SEVERITY = {"informant": "high", "undercover": "high", "protected": "high", "vip": "medium"}


def _matches(frame: pd.DataFrame, **fixed) -> pd.DataFrame:
    """Shape a frame into the match columns; missing columns are empty."""
    out = {}
    for col in MATCH_COLUMNS:
        if col in fixed:
            out[col] = (
                [fixed[col]] * len(frame) if not isinstance(fixed[col], pd.Series) else fixed[col].to_numpy()
            )
        elif col in frame.columns:
            out[col] = frame[col].to_numpy()
        else:
            out[col] = [None] * len(frame)
    return pd.DataFrame(out)


def _own_persons(ctx: Context) -> pd.DataFrame:
    return ctx.table("employees")[["employee_id", "person_id"]].rename(columns={"person_id": "own_person_id"})


def own_network(ctx: Context, max_hops: int) -> pd.DataFrame:
    """A person the access resolves to is within ``max_hops`` relations of the employee's own person
    record (not the record itself), and the access's case does not justify looking that person up."""
    t = ctx.unjustified_targets().drop(columns=["case_id"]).merge(_own_persons(ctx), on="employee_id")
    t = t[t.person_id != t.own_person_id]
    pairs = t[["own_person_id", "person_id"]].rename(columns={"own_person_id": "source"})
    paths = ctx.paths_from(pairs, max_hops, targets=pairs)
    m = t.merge(paths, left_on=["own_person_id", "person_id"], right_on=["source", "person_id"])
    return _matches(m, severity="medium")


def colleague_lookup(ctx: Context) -> pd.DataFrame:
    """A person the access resolves to is another employee's own person record, or the partner of
    another employee, and the access's case does not justify looking that person up. The
    colleague named is the one with the smallest employee id."""
    emp = ctx.table("employees")[["employee_id", "person_id"]]
    direct = emp.rename(columns={"employee_id": "colleague_id"})
    rel = ctx.partner_edges
    partners = rel.merge(emp, left_on="a", right_on="person_id")
    partners = partners.rename(columns={"employee_id": "colleague_id"})[["colleague_id", "b"]]
    partners = partners.rename(columns={"b": "person_id"})
    colleagues = pd.concat([direct.assign(via=0), partners.assign(via=1)], ignore_index=True)
    t = ctx.unjustified_targets().drop(columns=["case_id"]).merge(_own_persons(ctx), on="employee_id")
    t = t[t.person_id != t.own_person_id]
    m = t.merge(colleagues, on="person_id")
    m = m[m.colleague_id != m.employee_id]
    m = m.sort_values(["access_id", "person_id", "colleague_id"], kind="stable")
    m = m.drop_duplicates(["access_id", "person_id"])
    return _matches(m.assign(detail="colleague " + m.colleague_id), severity="medium")


def _no_need_to_know(ctx: Context) -> pd.DataFrame:
    """Accesses to an open case, or to a subject of an open case, by an employee who is neither
    assigned to that case on the day nor a member of its owning unit; subjects the access's case
    justifies are left out. Columns include case_id, severity inputs and person_id (empty for a
    case target)."""
    cases = ctx.open_cases_by_day
    if cases.empty:
        return pd.DataFrame(columns=[*ctx.accesses.columns, "case_id", "person_id", "role", "flags"])
    acc = ctx.accesses.drop(columns=["case_id"])
    direct = acc[acc.target_type == "case"].assign(case_id=lambda d: d.target_id, person_id=None, role=None)
    parts = [direct]
    if ctx.has("case_subjects"):
        subj = ctx.table("case_subjects")[["case_id", "person_id", "role"]]
        via = ctx.unjustified_targets().drop(columns=["case_id"]).merge(subj, on="person_id")
        parts.append(via)
    m = pd.concat(parts, ignore_index=True).merge(cases, on="case_id")
    m = m[Context.open_on(m)]
    emp_unit = ctx.table("employees")[["employee_id", "unit_id"]].rename(columns={"unit_id": "emp_unit"})
    m = m.merge(emp_unit, on="employee_id")
    m = m[m.emp_unit != m.unit_id]
    assigned = ctx.active_assignments.assign(_a=True)
    m = m.merge(assigned, on=["access_id", "case_id"], how="left")
    m = m[m._a.isna()].drop(columns="_a")
    flags = ctx.table("persons")[["person_id", "flags"]]
    m = m.merge(flags, on="person_id", how="left")
    return m.reset_index(drop=True)


def _case_severity(m: pd.DataFrame) -> pd.Series:
    """critical for a top-sensitivity case; high for a high one, or an informant subject, or a
    protected/informant/undercover person; medium otherwise."""
    flags = m["flags"].fillna("").astype(str)
    sensitive_person = flags.str.contains("informant|protected|undercover", regex=True)
    high = (m["sensitivity"] == "high") | (m["role"] == "informant") | sensitive_person
    sev = pd.Series("medium", index=m.index)
    sev[high.fillna(False).astype(bool)] = "high"
    sev[m["sensitivity"] == "top"] = "critical"
    return sev


def open_case_no_need_to_know(ctx: Context) -> pd.DataFrame:
    """See :func:`_no_need_to_know`; severity by :func:`_case_severity`."""
    m = _no_need_to_know(ctx)
    return _matches(m.assign(severity=_case_severity(m)))


def pre_action_lookup(ctx: Context, window_hours: int) -> pd.DataFrame:
    """A no-need-to-know access (as open-case-no-need-to-know) within ``window_hours`` before a
    planned action of that case (action.ts - window <= access.ts < action.ts); the nearest
    upcoming action (the earliest, ties by kind) is named. Always critical."""
    m = _no_need_to_know(ctx)
    if m.empty or not ctx.has("case_actions"):
        return _matches(m.iloc[0:0])
    actions = with_synthetic_ids("case_actions", ctx.table("case_actions"))
    actions = actions[["case_id", "ts", "kind", "action_id"]].rename(columns={"ts": "action_ts"})
    m = m.merge(actions, on="case_id")
    window = pd.Timedelta(hours=window_hours)
    m = m[(m.ts < m.action_ts) & (m.ts >= m.action_ts - window)]
    m = m.sort_values(
        ["access_id", "case_id", "person_id", "action_ts", "kind"], kind="stable", na_position="first"
    )
    m = m.drop_duplicates(["access_id", "case_id", "person_id"])
    return _matches(m.assign(detail=m["kind"] + " planned"), severity="critical")


def criminal_proximity_access(ctx: Context, max_hops: int) -> pd.DataFrame:
    """The employee's own person record is within ``max_hops`` relations of a member of a criminal
    organisation, and the access resolves to a member of that organisation, or to a subject of a
    case with a suspect who is a member; not justified by the access's case. Knowing someone is
    never a finding by itself: the access is. The path names the member with the shortest path,
    then the smallest id. The target's link to the organisation is its own membership if it has
    one, else the case with the smallest id, then its suspect (another person) with the smallest
    id. The evidence walks from the access along that link to the organisation, back to the
    member, and along the relation path to the employee's own person record."""
    if not ctx.has("memberships"):
        return _matches(pd.DataFrame())
    mem = ctx.table("memberships")[["person_id", "organisation_id"]]
    own = _own_persons(ctx)
    paths = ctx.paths_from(own.rename(columns={"own_person_id": "source"}), max_hops)
    near = paths.merge(mem, on="person_id").rename(columns={"person_id": "member_id"})
    near["hops"] = near.path_kinds.map(len)
    near = near.sort_values(["source", "organisation_id", "hops", "member_id"], kind="stable")
    near = near.drop_duplicates(["source", "organisation_id"])
    near = near.merge(own, left_on="source", right_on="own_person_id")
    # persons linked to each organisation: its members, and subjects of cases against it (through
    # the case and a suspect, another person, who is a member); a membership first, then the
    # smallest case and suspect
    links = [mem.assign(link_case_id=None, link_member_id=None)]
    if ctx.has("case_subjects"):
        subj = ctx.table("case_subjects")[["case_id", "person_id", "role"]]
        suspects = subj[subj.role == "suspect"].merge(mem, on="person_id")
        suspects = suspects.rename(columns={"person_id": "link_member_id"})
        via = subj[["case_id", "person_id"]].merge(
            suspects[["case_id", "link_member_id", "organisation_id"]], on="case_id"
        )
        via = via[via.person_id != via.link_member_id].rename(columns={"case_id": "link_case_id"})
        links.append(via[["person_id", "organisation_id", "link_case_id", "link_member_id"]])
    links = pd.concat(links, ignore_index=True)
    links["_via_case"] = links.link_case_id.notna()
    links = links.sort_values(
        ["person_id", "organisation_id", "_via_case", "link_case_id", "link_member_id"], kind="stable"
    )
    links = links.drop_duplicates(["person_id", "organisation_id"]).drop(columns="_via_case")
    t = ctx.unjustified_targets().drop(columns=["case_id"]).merge(links, on="person_id")
    t = t.merge(near[["employee_id", "organisation_id", "path_persons", "path_kinds", "own_person_id"]],
                on=["employee_id", "organisation_id"])  # fmt: skip
    t = t[t.person_id != t.own_person_id]
    return _matches(t, severity="high")


def outside_territory(ctx: Context) -> pd.DataFrame:
    """The target's area (a person's residence, a vehicle's or an address's registered area) is
    outside the territory of the employee's unit (the unit's area and every area below it; a
    national unit serves the root), and the access is not justified (see ``Context.justified_accesses``)."""
    acc = ctx.accesses
    persons = ctx.table("persons")[["person_id", "area_id"]].rename(columns={"person_id": "target_id"})
    parts = [acc[acc.target_type == "person"].merge(persons, on="target_id")]
    for kind, table, key in (("vehicle", "vehicles", "vehicle_id"), ("address", "addresses", "address_id")):
        if ctx.has(table):
            areas = ctx.table(table)[[key, "area_id"]].rename(columns={key: "target_id"})
            parts.append(acc[acc.target_type == kind].merge(areas, on="target_id"))
    m = pd.concat(parts, ignore_index=True)
    units = ctx.table("units")[["unit_id", "area_id"]].rename(columns={"area_id": "territory"})
    emp = ctx.table("employees")[["employee_id", "unit_id"]].merge(units, on="unit_id")
    m = m.merge(emp[["employee_id", "territory"]], on="employee_id")
    inside = ctx.area_ancestors.rename(columns={"ancestor_id": "territory"}).assign(_in=True)
    m = m.merge(inside, on=["area_id", "territory"], how="left")
    m = m[m._in.isna()]
    m = m[~isin(m.access_id, ctx.justified_accesses)]
    m = m.assign(case_id=None, detail="target area " + m.area_id + " outside " + m.territory)
    return _matches(m, severity="low")


def off_shift(ctx: Context, min_hour_share: float, min_history: int) -> pd.DataFrame:
    """An unjustified access (see ``Context.justified_accesses``) outside every shift of the
    employee (when the employee has shifts), or, for an employee without shifts and at least
    ``min_history`` accesses in all of the log, in a UTC hour of day that holds less than
    ``min_hour_share`` of the employee's accesses."""
    acc = ctx.accesses
    acc = acc[~isin(acc.access_id, ctx.justified_accesses)]
    shifts = ctx.table("shifts") if ctx.has("shifts") else None
    with_shifts = set(shifts.employee_id) if shifts is not None else set()
    parts = []
    if shifts is not None:
        a = acc[isin(acc.employee_id, with_shifts)].sort_values("ts", kind="stable")
        s = shifts.sort_values("start_ts", kind="stable").copy()
        s["cover_end"] = s.groupby("employee_id")["end_ts"].cummax()
        a = pd.merge_asof(
            a,
            s[["employee_id", "start_ts", "cover_end"]],
            left_on="ts",
            right_on="start_ts",
            by="employee_id",
        )
        outside = a[a.cover_end.isna() | (a.ts > a.cover_end)]
        parts.append(outside.assign(case_id=None, detail="outside every shift"))
    hist = ctx.all_accesses[~isin(ctx.all_accesses.employee_id, with_shifts)]
    if len(hist):
        hours = hist.assign(hour=hist.ts.dt.hour)
        total = hours.groupby("employee_id").size().rename("total")
        per_hour = hours.groupby(["employee_id", "hour"]).size().rename("n").reset_index()
        per_hour = per_hour.merge(total, on="employee_id")
        per_hour["share"] = per_hour.n / per_hour.total
        rare = per_hour[(per_hour.total >= min_history) & (per_hour.share < min_hour_share)]
        a = acc[~isin(acc.employee_id, with_shifts)]
        a = a.assign(hour=a.ts.dt.hour).merge(rare, on=["employee_id", "hour"])
        a = a.assign(
            case_id=None,
            detail="hour "
            + a.hour.astype(str).str.zfill(2)
            + " UTC holds "
            + a.n.astype(str)
            + " of "
            + a.total.astype(str),
        )
        parts.append(a)
    if not parts:
        return _matches(pd.DataFrame())
    return _matches(pd.concat(parts, ignore_index=True), severity="low")


def sensitive_target(ctx: Context) -> pd.DataFrame:
    """A person the access resolves to carries a vip, protected, informant or undercover flag, and
    the access's case does not justify looking that person up. high for protected, informant and
    undercover; medium for vip alone."""
    flags = ctx.table("persons")[["person_id", "flags"]].dropna(subset=["flags"])
    t = ctx.unjustified_targets().drop(columns=["case_id"]).merge(flags, on="person_id")
    sets = t["flags"].str.split(";")
    sev = sets.map(lambda fs: "high" if any(_FLAG_SEVERITY.get(f) == "high" for f in fs) else "medium")
    return _matches(t.assign(severity=sev, detail="flags " + t["flags"]))


def unjustified_export(ctx: Context) -> pd.DataFrame:
    """An export whose access cites no case the employee is assigned to on the day."""
    acc = ctx.accesses
    ex = acc[acc.action == "export"]
    valid = ctx.active_assignments.assign(_v=True)
    ex = ex.merge(valid, on=["access_id", "case_id"], how="left")
    ex = ex[ex._v.isna()]
    detail = ex.case_id.map(lambda c: "no case cited" if pd.isna(c) else f"cites {c}, not assigned")
    return _matches(ex.assign(case_id=None, detail=detail), severity="medium")


_HOPS = Param(2, "the most relation hops between the employee's own person and the target", low=1, high=2)

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "own-network",
            "Look-up in the employee's own network",
            "medium",
            "An access to a person (or their vehicle or address) who is the employee's own relation "
            "or within two relation hops of the employee's own person record: partner's family, "
            "a friend's partner.",
            "Most leaks start with curiosity about family, partners, exes and friends; these look-ups "
            "are rarely work and breach official secrecy even when nothing is passed on.",
            ("access_log", "persons", "employees", "relations"),
            own_network,
            {"max_hops": _HOPS},
            "relation-path",
        ),
        Rule(
            "colleague-lookup",
            "Look-up of a colleague",
            "medium",
            "An access to a person who is another employee, or the partner of one, with no case "
            "that has that person as a subject.",
            "Looking up colleagues (or their partners) is a classic misuse: curiosity, conflicts, "
            "or information passed to someone who targets police staff.",
            ("access_log", "persons", "employees"),
            colleague_lookup,
        ),
        Rule(
            "open-case-no-need-to-know",
            "Open case without need to know",
            "medium",
            "An access to an open case file, or to a subject of an open case (directly or through "
            "their vehicle or address), by someone not assigned to the case and not in its owning "
            "unit. Severity rises with the case's sensitivity and with informant or protected subjects.",
            "Leaks that help criminals concern ongoing investigations: who is a suspect, who is a "
            "witness or informant.",
            ("access_log", "persons", "employees", "cases"),
            open_case_no_need_to_know,
            evidence_kind="case",
        ),
        Rule(
            "pre-action-lookup",
            "Look-up right before a planned action",
            "critical",
            "A no-need-to-know access to an open case or its subjects within a window (default 72 "
            "hours) before a planned raid, arrest or search of that case.",
            "The most damaging leaks warn suspects of a raid; timing is the signal.",
            ("access_log", "persons", "employees", "cases", "case_actions"),
            pre_action_lookup,
            {"window_hours": Param(72, "hours before the planned action", low=1, high=24 * 90)},
            "case",
        ),
        Rule(
            "criminal-proximity-access",
            "Access to a criminal organisation one is close to",
            "high",
            "The employee has a personal relation path (default at most 2 hops) to a member of a "
            "criminal organisation and looks up that organisation's members, their vehicles or "
            "addresses, or subjects of cases against it.",
            "Double loyalty through partners and relatives is the usual route by which criminals "
            "get police information. Knowing someone is not a finding; looking them up is.",
            ("access_log", "persons", "employees", "relations", "memberships"),
            criminal_proximity_access,
            {"max_hops": _HOPS},
            "organisation",
        ),
        Rule(
            "outside-territory",
            "Target outside the unit's territory",
            "low",
            "The target resides (or is registered) outside the territory the employee's unit serves, "
            "and the access cites no justifying case. A national unit's territory is the whole country.",
            "Queries outside one's work area are one of the indicators of atypical use named by the "
            "police's own protective monitoring pilot.",
            ("access_log", "persons", "employees", "units", "areas"),
            outside_territory,
        ),
        Rule(
            "off-shift",
            "Access outside working hours",
            "low",
            "An unjustified access outside the employee's shifts, or (without shift data) in an hour "
            "of day that the employee's own history makes unusual.",
            "Querying the systems in private time is a recurring pattern in leak cases.",
            ("access_log", "employees"),
            off_shift,
            {
                "min_hour_share": Param(
                    0.02, "an hour of day is unusual below this share of the employee's accesses"
                ),
                "min_history": Param(50, "employees with fewer accesses have no usual hours yet", low=1),
            },
        ),
        Rule(
            "sensitive-target",
            "Look-up of a flagged person",
            "high",
            "An access to a person flagged vip, protected, informant or undercover, with no case that "
            "has that person as a subject.",
            "Celebrities are the classic object of curiosity; informants and undercover officers are "
            "in danger when their details leak.",
            ("access_log", "persons", "employees"),
            sensitive_target,
        ),
        Rule(
            "unjustified-export",
            "Export without a case",
            "medium",
            "An export (printout, download) whose access cites no case the employee is assigned to.",
            "An export takes information out of the system; without a case it has no purpose on record.",
            ("access_log", "employees"),
            unjustified_export,
        ),
    )
}
