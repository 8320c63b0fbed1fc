"""Crime: criminal organisations and the investigations (cases) the police run.

Organisations (outlaw motorcycle clubs, drug networks, ...) have a home
region, members and associates, and ties among them. Cases are owned by a
unit: investigations against organisations by a regional investigation
service or the national unit, local cases by basisteams and district
investigation teams, integrity investigations of employees by the regional
integrity unit. Cases have assigned employees, subjects (suspects,
witnesses, victims, informants) and, when open, planned actions (raids,
arrests, searches) on dates that may fall inside or after the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphrisk.generate import _names
from graphrisk.generate._common import (
    DAY,
    HOUR,
    MINUTE,
    NO_DATE,
    local_to_utc,
    offsets,
    uniform_in,
    weighted_in,
)
from graphrisk.generate.organisation import (
    BASISTEAM,
    DISTRICT_INVESTIGATION,
    DRIO,
    DRR,
    INTELLIGENCE,
    INVESTIGATION,
    LE_INTELLIGENCE,
    LE_INVESTIGATION,
    PATROL,
    VIK,
    Geography,
    Organisation,
)
from graphrisk.generate.population import (
    ACQUAINTANCE,
    ASSOCIATE,
    BVI,
    CIE,
    FLAG_INFORMANT,
    FLAG_UNDERCOVER,
    YEAR,
    Population,
)
from graphrisk.generate.presets import Preset

__all__ = ["ACTION_KINDS", "ORG_KINDS", "SUBJECT_ROLES", "Crime", "build_crime"]

ORG_KINDS = (
    "outlaw motorcycle club",
    "drug network",
    "money laundering network",
    "burglary gang",
    "human trafficking network",
)
_ORG_KIND_P = (0.25, 0.40, 0.15, 0.12, 0.08)
MEMBER_ROLES = ("leader", "member", "prospect", "associate")
SUBJECT_ROLES = ("suspect", "witness", "victim", "informant", "other")
SUSPECT, WITNESS, VICTIM, INFORMANT, OTHER = range(5)
ACTION_KINDS = ("raid", "arrest", "search", "other")
RAID, ARREST, SEARCH = range(3)
SENSITIVITY = ("normal", "high", "top")
ASSIGNMENT_ROLES = ("lead", "investigator", "analyst", "handler")
LEAD, INVESTIGATOR, ANALYST, HANDLER = range(4)
CASE_ORG, CASE_LOCAL, CASE_INTEGRITY = range(3)
_LOCAL_TYPES = (
    "Inbraak",
    "Mishandeling",
    "Fraude",
    "Diefstal",
    "Bedreiging",
    "Zedenzaak",
    "Huiselijk geweld",
    "Drugshandel",
)


@dataclass
class Crime:
    org_name: list[str]
    org_kind: list[str]
    org_region: np.ndarray
    org_address: np.ndarray  # club house or stash address, -1 if none
    member_person: np.ndarray  # ordered by organisation
    member_org: np.ndarray
    member_role: np.ndarray
    member_since: np.ndarray
    member_offsets: np.ndarray
    case_name: list[str]
    case_open: np.ndarray
    case_opened: np.ndarray
    case_closed: np.ndarray
    case_unit: np.ndarray
    case_sensitivity: np.ndarray
    case_org: np.ndarray  # the organisation a case is against, -1 if none
    case_kind: np.ndarray
    subject_case: np.ndarray  # ordered by case
    subject_person: np.ndarray
    subject_role: np.ndarray
    subject_offsets: np.ndarray
    assign_case: np.ndarray
    assign_emp: np.ndarray
    assign_role: np.ndarray
    assign_start: np.ndarray
    assign_end: np.ndarray
    action_case: np.ndarray
    action_ts: np.ndarray
    action_kind: np.ndarray
    assign_recorded: np.ndarray | None = None  # profiles: assignments written (None: all)

    @property
    def n_cases(self) -> int:
        return len(self.case_name)

    def active_assignments(self, day: int) -> np.ndarray:
        """Mask of assignments to open cases that still run on day number ``day``."""
        return self.case_open[self.assign_case] & ((self.assign_end == NO_DATE) | (self.assign_end >= day))


def build_crime(
    rng: np.random.Generator,
    preset: Preset,
    geo: Geography,
    org: Organisation,
    pop: Population,
    day: int,
    days: int,
) -> Crime:
    """Organisations, members, cases, subjects, assignments and planned actions."""
    staff = _Staff(org)
    age = pop.age(day)
    is_employee = np.zeros(pop.n, dtype=bool)
    is_employee[org.emp_person] = True
    region_adults = _region_ranges(geo, pop.adult_offsets)

    # organisations and their members
    n_org = preset.organisations
    region_share = np.bincount(geo.muni_region, weights=geo.muni_weight, minlength=geo.n_regions)
    org_region = rng.choice(geo.n_regions, size=n_org, p=region_share / region_share.sum())
    org_kind = rng.choice(len(ORG_KINDS), size=n_org, p=_ORG_KIND_P)
    org_kind[:2] = (0, 1)[: min(2, n_org)]  # every world has a motorcycle club and a drug network
    names = _code_names(rng, n_org * 8 + 200)
    org_name = []
    clubs = rng.permutation(len(_names.CLUB_ADJECTIVES) * len(_names.CLUB_NOUNS))
    for o in range(n_org):
        if org_kind[o] == 0:
            c = clubs[o % len(clubs)]
            adjective, noun = divmod(int(c), len(_names.CLUB_NOUNS))
            name = f"MC {_names.CLUB_ADJECTIVES[adjective]} {_names.CLUB_NOUNS[noun]}"
            if o >= len(clubs):
                name += f" chapter {geo.area_name[geo.region_area[org_region[o]]].removeprefix('Regio ')}"
        else:
            name = f"Netwerk {names.pop()}"
        org_name.append(name)
    median = np.where(org_kind <= 1, 14, 8)
    size = np.clip(np.round(rng.lognormal(np.log(median), 0.5)), 4, 80).astype(np.int64)

    taken = is_employee.copy()
    members, member_org, member_role = [], [], []
    for o in range(n_org):
        lo, hi = region_adults[org_region[o]]
        chosen: list[int] = []
        for _ in range(20):
            far = rng.random(4 * size[o]) < 0.2
            cand = np.where(
                far,
                rng.integers(0, len(pop.adults), 4 * size[o]),
                rng.integers(lo, max(hi, lo + 1), 4 * size[o]),
            )
            cand = pop.adults[np.minimum(cand, len(pop.adults) - 1)]
            male = (pop.sex[cand] == 1) | (rng.random(len(cand)) < 0.15)
            cand = cand[male & (age[cand] <= 62) & ~taken[cand]]
            _, first = np.unique(cand, return_index=True)
            cand = cand[np.sort(first)][: size[o] - len(chosen)]
            taken[cand] = True
            chosen.extend(cand.tolist())
            if len(chosen) >= size[o]:
                break
        roles = np.where(rng.random(len(chosen)) < 0.3, 3, np.where(rng.random(len(chosen)) < 0.2, 2, 1))
        if org_kind[o] != 0:
            roles[roles == 2] = 1  # prospects are a club thing
        roles[0] = 0
        members.extend(chosen)
        member_org.extend([o] * len(chosen))
        member_role.extend(roles.tolist())
    member_person = np.array(members, dtype=np.int64)
    member_org = np.array(member_org, dtype=np.int64)
    member_role = np.array(member_role, dtype=np.int64)
    member_since = day - rng.integers(180, 15 * YEAR, len(member_person))
    member_offsets = offsets(member_org, n_org)
    pop.interest[member_person] *= rng.uniform(2, 6, len(member_person))

    leader = member_person[member_offsets[:-1]]
    rel = pop.relations
    rel.add(
        member_person,
        leader[member_org],
        ASSOCIATE,
        np.where(rng.random(len(member_person)) < 0.5, CIE, BVI),
        member_since,
    )
    other = uniform_in(rng, member_offsets[member_org], member_offsets[member_org + 1])
    rel.add(member_person, member_person[other], ASSOCIATE, BVI, member_since)

    org_address = np.full(n_org, -1, dtype=np.int64)
    with_house = org_kind <= 1
    org_address[with_house] = pop.add_addresses(pop.muni[leader[with_house]])

    # informants near organisations
    has_informant = rng.random(n_org) < 0.5
    informant = np.full(n_org, -1, dtype=np.int64)
    for o in np.flatnonzero(has_informant):
        lo, hi = region_adults[org_region[o]]
        for _ in range(20):
            p = int(pop.adults[rng.integers(lo, max(hi, lo + 1)) % len(pop.adults)])
            if not taken[p]:
                taken[p] = True
                informant[o] = p
                break
    got = informant >= 0
    pop.flags[informant[got]] |= FLAG_INFORMANT
    some_member = member_person[uniform_in(rng, member_offsets[:-1][got], member_offsets[1:][got])]
    rel.add(informant[got], some_member, ACQUAINTANCE, CIE, day - rng.integers(180, 5 * YEAR, got.sum()))

    undercover = staff.of(np.flatnonzero(org.unit_kind == LE_INVESTIGATION), INVESTIGATION)
    undercover = rng.choice(undercover, size=max(1, len(undercover) // 50), replace=False)
    pop.flags[org.emp_person[undercover]] |= FLAG_UNDERCOVER

    cases = _Cases()
    period_end = day + days
    # investigations against organisations
    le_lr = int(np.flatnonzero(org.unit_kind == LE_INVESTIGATION)[0])
    le_dlio = int(np.flatnonzero(org.unit_kind == LE_INTELLIGENCE)[0])
    drr = {int(org.unit_region[u]): int(u) for u in np.flatnonzero(org.unit_kind == DRR)}
    drio = {int(org.unit_region[u]): int(u) for u in np.flatnonzero(org.unit_kind == DRIO)}
    district_inv = np.flatnonzero(org.unit_kind == DISTRICT_INVESTIGATION)
    for o in range(n_org):
        n_cases = 1 + int(rng.random() < 0.5) + int(rng.random() < 0.2)
        mem = member_person[member_offsets[o] : member_offsets[o + 1]]
        for i in range(n_cases):
            is_open = i == 0 or rng.random() < 0.3
            national = rng.random() < (0.6 if size[o] >= 25 else 0.2)
            owner = le_lr if national else drr[int(org_region[o])]
            opened, closed = _case_dates(rng, is_open, day)
            k = max(2, int(np.ceil(rng.uniform(0.3, 0.7) * len(mem))))
            suspects = rng.choice(mem, size=min(k, len(mem)), replace=False)
            if rng.random() < 0.6:
                suspects = np.unique(np.r_[mem[0], suspects])
            lo, hi = region_adults[org_region[o]]
            others = pop.adults[rng.integers(lo, max(hi, lo + 1), 3) % len(pop.adults)]
            n_w = rng.integers(0, 3)
            n_v = rng.integers(0, 2) + int(org_kind[o] == 4)
            subjects = [(p, SUSPECT) for p in suspects]
            subjects += [(p, WITNESS) for p in others[:n_w]]
            subjects += [(p, VICTIM) for p in others[n_w : n_w + n_v]]
            top = is_open and informant[o] >= 0 and rng.random() < 0.7
            if top:
                subjects.append((informant[o], INFORMANT))
            c = cases.add(
                f"Onderzoek {names.pop()}",
                is_open,
                opened,
                closed,
                owner,
                2 if top else 1,
                o,
                CASE_ORG,
                subjects,
            )
            intel = le_dlio if national else drio[int(org_region[o])]
            team = [(e, INVESTIGATOR) for e in staff.pick(rng, owner, INVESTIGATION, rng.integers(3, 11))]
            if team:
                team[0] = (team[0][0], LEAD)
            team += [(e, ANALYST) for e in staff.pick(rng, intel, INTELLIGENCE, rng.integers(1, 3))]
            if top:
                team += [(e, HANDLER) for e in staff.pick(rng, intel, INTELLIGENCE, 1)]
            if rng.random() < 0.35:  # help from other units
                helpers = [int(u) for u in district_inv[org.unit_region[district_inv] == org_region[o]]]
                helpers += [le_lr] if not national else [drr[int(org_region[o])]]
                helpers += [drr[int(r)] for r in rng.choice(geo.n_regions, 1)]
                for u in rng.choice(helpers, size=rng.integers(1, 3)):
                    team += [
                        (e, INVESTIGATOR) for e in staff.pick(rng, int(u), INVESTIGATION, rng.integers(1, 3))
                    ]
            cases.assign(rng, c, team, org, day)
            if is_open:
                for _ in range(rng.poisson(0.8)):
                    cases.act(
                        rng, c, day + int(rng.integers(-90, days + 30)), rng.choice(3, p=(0.5, 0.3, 0.2))
                    )
            else:
                cases.act(rng, c, closed - int(rng.integers(1, 30)), rng.choice(2))

    # make sure some raids and arrests fall in or just after the log
    org_open = [c for c in range(len(cases.name)) if cases.kind[c] == CASE_ORG and cases.open[c]]
    window = [(c, t) for c, t, _ in cases.actions if day * DAY + 12 * HOUR <= t < (period_end + 2) * DAY]
    need = max(3, 2 * preset.min_per_group, round(len(org_open) * 0.15))
    for c in rng.choice(org_open, size=max(0, need - len(window)), replace=len(org_open) < need):
        cases.act(
            rng,
            int(c),
            day + int(rng.integers(0, days + 2)),
            rng.choice(2, p=(0.7, 0.3)),
            earliest=day * DAY + 12 * HOUR,
        )

    # local cases of basisteams and district investigation teams
    unit_lo_person, unit_hi_person = _unit_person_ranges(geo, org, pop)
    cumulative = np.cumsum(pop.interest)
    for u in np.flatnonzero(np.isin(org.unit_kind, (BASISTEAM, DISTRICT_INVESTIGATION))):
        team_size = staff.size(u)
        n_local = max(1, round(team_size * (0.35 if org.unit_kind[u] == BASISTEAM else 0.6)))
        lo, hi = unit_lo_person[u], unit_hi_person[u]
        for _ in range(n_local):
            kind = int(rng.integers(0, len(_LOCAL_TYPES)))
            is_open = rng.random() < 0.45
            opened, closed = _case_dates(rng, is_open, day, recent=True)
            n_s = rng.integers(1, 3)
            suspects = weighted_in(rng, cumulative, np.full(n_s, lo), np.full(n_s, hi))
            far = rng.random(n_s) < 0.15
            suspects[far] = weighted_in(
                rng, cumulative, np.zeros(far.sum(), dtype=np.int64), np.full(far.sum(), pop.n)
            )
            victims = uniform_in(rng, np.full(rng.integers(1, 3), lo), hi)
            witnesses = uniform_in(rng, np.full(rng.integers(0, 3), lo), hi)
            subjects = [(p, SUSPECT) for p in suspects] + [(p, VICTIM) for p in victims]
            subjects += [(p, WITNESS) for p in witnesses]
            sensitive = kind in (5, 6) or (kind == 7 and rng.random() < 0.5)
            year = str(np.datetime64(int(opened), "D"))[:4]
            place = geo.area_name[org.unit_area[u]].split(" ", 1)[1]
            c = cases.add(
                f"{_LOCAL_TYPES[kind]} {place} {year}-{rng.integers(1, 9999):04d}",
                is_open,
                opened,
                closed,
                int(u),
                int(sensitive),
                -1,
                CASE_LOCAL,
                subjects,
            )
            if org.unit_kind[u] == BASISTEAM:
                team = staff.pick(rng, int(u), INVESTIGATION, 1) + staff.pick(
                    rng, int(u), PATROL, rng.integers(0, 3)
                )
            else:
                team = staff.pick(rng, int(u), INVESTIGATION, rng.integers(1, 4))
            cases.assign(
                rng, c, [(e, LEAD if i == 0 else INVESTIGATOR) for i, e in enumerate(team)], org, day
            )
            if is_open and rng.random() < 0.15:
                cases.act(rng, c, day + int(rng.integers(0, days)), rng.choice((ARREST, SEARCH)))

    # integrity investigations of employees
    emp_region = org.unit_region[org.emp_unit]
    for u in np.flatnonzero(org.unit_kind == VIK):
        region = org.unit_region[u]
        candidates = np.flatnonzero((emp_region == region) & (org.unit_kind[org.emp_unit] != VIK))
        for i in range(max(1, rng.poisson(staff.size(u) / 3))):
            if len(candidates) < 3:
                break
            people = rng.choice(candidates, size=1 + rng.integers(0, 3), replace=False)
            is_open = i == 0 or rng.random() < 0.7
            opened, closed = _case_dates(rng, is_open, day, recent=True)
            subjects = [(org.emp_person[people[0]], SUSPECT)] + [
                (org.emp_person[e], WITNESS) for e in people[1:]
            ]
            c = cases.add(
                f"Integriteitsonderzoek {names.pop()}",
                is_open,
                opened,
                closed,
                int(u),
                2,
                -1,
                CASE_INTEGRITY,
                subjects,
            )
            team = staff.pick(rng, int(u), INVESTIGATION, rng.integers(1, 4))
            cases.assign(
                rng, c, [(e, LEAD if i == 0 else INVESTIGATOR) for i, e in enumerate(team)], org, day
            )

    return cases.freeze(
        org_name=org_name,
        org_kind=[ORG_KINDS[k] for k in org_kind],
        org_region=org_region,
        org_address=org_address,
        member_person=member_person,
        member_org=member_org,
        member_role=member_role,
        member_since=member_since,
        member_offsets=member_offsets,
    )


class _Staff:
    """Employees of a unit with a given role."""

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.off = offsets(org.emp_unit, len(org.unit_id))

    def size(self, unit: int) -> int:
        return int(self.off[unit + 1] - self.off[unit])

    def of(self, units, role: int) -> np.ndarray:
        units = np.atleast_1d(units)
        emps = np.concatenate([np.arange(self.off[u], self.off[u + 1]) for u in units])
        return emps[self.org.emp_role[emps] == role]

    def pick(self, rng: np.random.Generator, unit: int, role: int, k) -> list[int]:
        pool = self.of(unit, role)
        k = min(int(k), len(pool))
        return [int(e) for e in rng.choice(pool, size=k, replace=False)] if k else []


class _Cases:
    def __init__(self) -> None:
        self.name: list[str] = []
        self.open: list[bool] = []
        self.opened: list[int] = []
        self.closed: list[int] = []
        self.unit: list[int] = []
        self.sensitivity: list[int] = []
        self.org: list[int] = []
        self.kind: list[int] = []
        self.subjects: list[tuple[int, int, int]] = []
        self.assignments: list[tuple[int, int, int, int, int]] = []
        self.actions: list[tuple[int, int, int]] = []

    def add(self, name, is_open, opened, closed, unit, sensitivity, org, kind, subjects) -> int:
        c = len(self.name)
        self.name.append(name)
        self.open.append(bool(is_open))
        self.opened.append(int(opened))
        self.closed.append(int(closed))
        self.unit.append(unit)
        self.sensitivity.append(sensitivity)
        self.org.append(org)
        self.kind.append(kind)
        seen = set()
        for p, role in subjects:
            if int(p) not in seen:
                seen.add(int(p))
                self.subjects.append((c, int(p), int(role)))
        return c

    def assign(self, rng, c: int, team, org: Organisation, day: int) -> None:
        seen = set()
        for e, role in team:
            if e in seen:
                continue
            seen.add(e)
            start = max(self.opened[c], int(org.emp_start[e])) + int(rng.integers(0, 20))
            if self.open[c]:
                start = min(start, day - 1)
                end = int(day - rng.integers(1, 60)) if rng.random() < 0.08 else NO_DATE
                if end != NO_DATE and end < start:
                    end = NO_DATE
            else:
                start = min(start, self.closed[c])
                end = self.closed[c]
            self.assignments.append((c, e, role, start, end))

    def act(self, rng, c: int, on_day: int, kind: int, earliest: int | None = None) -> None:
        if kind == SEARCH:
            local = on_day * DAY + int(rng.integers(8, 14)) * HOUR + int(rng.choice(4)) * 15 * MINUTE
        else:
            local = on_day * DAY + int(rng.integers(5, 7)) * HOUR + int(rng.choice(4)) * 15 * MINUTE
        ts = int(local_to_utc(np.array([local]))[0])
        if earliest is not None and ts < earliest:
            ts += DAY
        self.actions.append((c, ts, int(kind)))

    def freeze(self, **orgs) -> Crime:
        subj = np.array(self.subjects, dtype=np.int64).reshape(-1, 3)
        order = np.lexsort((subj[:, 1], subj[:, 0]))
        subj = subj[order]
        asg = np.array(self.assignments, dtype=np.int64).reshape(-1, 5)
        act = np.array(sorted(set(self.actions)), dtype=np.int64).reshape(-1, 3)
        n = len(self.name)
        return Crime(
            **orgs,
            case_name=self.name,
            case_open=np.array(self.open),
            case_opened=np.array(self.opened),
            case_closed=np.array(self.closed),
            case_unit=np.array(self.unit),
            case_sensitivity=np.array(self.sensitivity),
            case_org=np.array(self.org),
            case_kind=np.array(self.kind),
            subject_case=subj[:, 0],
            subject_person=subj[:, 1],
            subject_role=subj[:, 2],
            subject_offsets=offsets(subj[:, 0], n),
            assign_case=asg[:, 0],
            assign_emp=asg[:, 1],
            assign_role=asg[:, 2],
            assign_start=asg[:, 3],
            assign_end=asg[:, 4],
            action_case=act[:, 0],
            action_ts=act[:, 1],
            action_kind=act[:, 2],
        )


def _case_dates(rng, is_open: bool, day: int, recent: bool = False) -> tuple[int, int]:
    if is_open:
        return day - int(rng.integers(14, 200 if recent else 540)), NO_DATE
    opened = day - int(rng.integers(120 if recent else 400, 900 if recent else 2000))
    closed = min(opened + int(rng.integers(30, 360)), day - 7)
    return opened, closed


def _region_ranges(geo: Geography, per_muni_offsets: np.ndarray) -> list[tuple[int, int]]:
    first, last = geo.region_bounds()
    return list(zip(per_muni_offsets[first].tolist(), per_muni_offsets[last].tolist(), strict=True))


def _unit_person_ranges(geo: Geography, org: Organisation, pop: Population) -> tuple[np.ndarray, np.ndarray]:
    lo_m, hi_m = geo.area_munis()
    area = org.unit_area
    return pop.muni_offsets[lo_m[area]], pop.muni_offsets[hi_m[area]]


def _code_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct code names, popped from the end: plain words first, then numbered ones."""
    words = _names.CODE_WORDS
    names = [words[i] for i in rng.permutation(len(words))]
    extra = rng.permutation(len(words) * 99)[: max(0, n - len(words))]
    numbered = [f"{words[i % len(words)]}-{i // len(words) + 2}" for i in extra]
    return numbered + names
