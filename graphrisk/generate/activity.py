"""Normal information use: shifts, and the look-ups employees make during them.

Every employee works a roster (rotating early/late/night shifts for patrol,
day and evening desks for intake, fixed nights for a night roster, office
hours for support, leadership and most intelligence staff, office hours with
long days, weekends and raid call-outs for investigators). During a shift an
employee runs look-up sessions: a search, then views of the person found and
of their vehicle and address. A session serves a case the employee is
assigned to (with a case reference, mostly), routine work in the employee's
territory (mostly without a case reference), or is a harmless unjustified
look-up of someone anywhere. Volumes depend on the role.

Everything is drawn for all shifts and sessions at once with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphrisk.generate._common import (
    DAY,
    HOUR,
    MINUTE,
    NO_DATE,
    choose,
    elapsed_in_runs,
    local_to_utc,
    offsets,
    runs,
    uniform_in,
    weekday,
    weighted_in,
)
from graphrisk.generate.crime import Crime
from graphrisk.generate.organisation import (
    BASISTEAM,
    INTAKE,
    INTAKE_SERVICE,
    INTELLIGENCE,
    INVESTIGATION,
    LE_INFRASTRUCTURE,
    PATROL,
    Geography,
    Organisation,
)
from graphrisk.generate.population import Population

__all__ = [
    "ACTIONS",
    "SYSTEMS",
    "TARGET_TYPES",
    "Events",
    "Shifts",
    "World",
    "build_shifts",
    "busy_factors",
    "normal_events",
    "repeat_lines",
    "rosters",
    "shared_driver",
]

SYSTEMS = ("BRP", "BVH", "BVI", "RDW")
BRP, BVH, BVI, RDW = range(len(SYSTEMS))
TARGET_TYPES = ("person", "vehicle", "address", "case")  # contract order
PERSON, VEHICLE, ADDRESS, CASE = range(4)
ACTIONS = ("view", "search", "export")
VIEW, SEARCH, EXPORT = range(3)

ROTATING, DESK, NIGHT, OFFICE, INVESTIGATIVE = range(5)
#: Share of shifts that run 10-45 minutes past their recorded end, look-ups included.
OVERTIME_SHARE = 0.02

# look-ups per 8.5-hour shift at activity 1, and look-ups per session, per role
_LOOKUPS_PER_SHIFT = np.array([20.0, 35.0, 60.0, 40.0, 8.0, 5.0])
_SESSION_LENGTH = np.array([2.5, 3.5, 2.5, 4.0, 2.0, 2.0])
# purpose of a session per role: own case, routine work in the territory, harmless curiosity
_PURPOSE = np.array(
    [
        (0.10, 0.89, 0.01),  # patrol
        (0.75, 0.24, 0.01),  # investigation
        (0.04, 0.95, 0.01),  # intake
        (0.45, 0.53, 0.02),  # intelligence
        (0.00, 0.97, 0.03),  # support
        (0.25, 0.70, 0.05),  # leadership
    ]
)
CASE_WORK, ROUTINE, CURIOSITY = range(3)
_SYSTEM_P = {
    (PERSON, True): (0.25, 0.30, 0.45, 0),
    (PERSON, False): (0.45, 0.50, 0.05, 0),
    (VEHICLE, True): (0, 0.2, 0, 0.8),
    (VEHICLE, False): (0, 0.2, 0, 0.8),
    (ADDRESS, True): (0.4, 0.6, 0, 0),
    (ADDRESS, False): (0.4, 0.6, 0, 0),
    (CASE, True): (0, 0.3, 0.7, 0),
    (CASE, False): (0, 0.3, 0.7, 0),
}


@dataclass
class World:
    """What the activity and the scenarios need to know of the generated world."""

    geo: Geography
    org: Organisation
    pop: Population
    crime: Crime
    day: int  # first day of the log (day number)
    days: int
    cumulative_interest: np.ndarray
    emp_lo: np.ndarray  # the persons of each employee's territory: emp_lo[e]:emp_hi[e]
    emp_hi: np.ndarray
    emp_home: np.ndarray  # municipality where the employee lives
    emp_cases: np.ndarray  # active open cases per employee, CSR with emp_case_offsets
    emp_case_offsets: np.ndarray
    border: np.ndarray  # mask of border residents

    @property
    def start(self) -> int:
        """First second of the log (UTC)."""
        return int(local_to_utc(np.array([self.day * DAY]))[0])

    @property
    def end(self) -> int:
        return int(local_to_utc(np.array([(self.day + self.days) * DAY]))[0])


@dataclass
class Shifts:
    """Shifts ordered by employee and start; ``area`` is the municipality of a day helping
    elsewhere, -1 for a normal day."""

    emp: np.ndarray
    start: np.ndarray
    end: np.ndarray
    area: np.ndarray
    offsets: np.ndarray

    def of(self, e: int) -> tuple[np.ndarray, np.ndarray]:
        s = slice(self.offsets[e], self.offsets[e + 1])
        return self.start[s], self.end[s]


@dataclass
class Events:
    """Look-ups; ``limit`` is the latest second a repeated log line of the look-up may have."""

    emp: np.ndarray
    ts: np.ndarray
    system: np.ndarray
    target_type: np.ndarray
    target: np.ndarray
    action: np.ndarray
    case: np.ndarray  # -1 when no case is given
    limit: np.ndarray

    @classmethod
    def concat(cls, parts: list[Events]) -> Events:
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__})

    def __len__(self) -> int:
        return len(self.ts)

    def rows(self, idx: np.ndarray, **new: np.ndarray) -> Events:
        """The look-ups at ``idx`` (indices, repeats allowed, or a mask); columns in ``new`` replaced."""
        return Events(**{f: new[f] if f in new else getattr(self, f)[idx] for f in self.__dataclass_fields__})


def rosters(rng: np.random.Generator, org: Organisation, night: np.ndarray) -> np.ndarray:
    """The kind of roster of each employee; ``night`` marks the fixed night roster."""
    role = org.emp_role
    roster = np.full(org.n_employees, OFFICE)
    roster[role == PATROL] = ROTATING
    roster[role == INTAKE] = DESK
    roster[role == INVESTIGATION] = INVESTIGATIVE
    roster[(role == INTELLIGENCE) & (rng.random(org.n_employees) < 0.2)] = ROTATING  # real-time intelligence
    roster[night] = NIGHT
    return roster


def build_shifts(
    rng: np.random.Generator, world: World, roster: np.ndarray, callouts: list[tuple[int, int, int]]
) -> Shifts:
    """Shifts of every employee that overlap the log, call-outs for raids included."""
    org = world.org
    n = org.n_employees
    rel = np.arange(-1, world.days)  # the night before the log spills into it
    dayno = world.day + rel
    wd = weekday(dayno)[None, :]
    phase = rng.integers(0, 21, n)[:, None]
    u = rng.random((n, len(rel)))
    r = roster[:, None]
    work = np.zeros(u.shape, dtype=bool)
    begin = np.zeros(u.shape, dtype=np.int64)  # minutes after local midnight
    length = np.full(u.shape, 510)

    k = (rel[None, :] + phase) % 21
    rot = r == ROTATING
    work |= rot & (k % 7 < 5) & (u > 0.12)
    begin = np.where(rot, np.array([7 * 60, 15 * 60, 23 * 60])[k // 7], begin)
    k = (rel[None, :] + phase) % 14
    desk = r == DESK
    work |= desk & (k % 7 < 5) & (u > 0.12)
    begin = np.where(desk, np.array([8 * 60, 14 * 60])[k // 7], begin)
    k = (rel[None, :] + phase) % 7
    night = r == NIGHT
    work |= night & (k < 4) & (u > 0.1)
    begin = np.where(night, 22 * 60 + 45, begin)
    preferred = (7 * 60 + 30 * rng.integers(0, 5, n))[:, None] + 15 * rng.integers(0, 2, u.shape)
    office = r == OFFICE
    work |= office & (wd < 5) & (u > 0.12)
    inv = r == INVESTIGATIVE
    work |= inv & (((wd < 5) & (u > 0.12)) | ((wd >= 5) & (u < 0.06)))
    begin = np.where(office | inv, preferred, begin)
    length = np.where(inv & (rng.random(u.shape) < 0.2), 660, length)

    joined = org.emp_start[:, None] <= dayno[None, :]
    left = (org.emp_end[:, None] != NO_DATE) & (org.emp_end[:, None] < dayno[None, :])
    work &= joined & ~left
    e_idx, d_idx = np.nonzero(work)
    local = dayno[d_idx] * DAY + begin[e_idx, d_idx] * MINUTE
    start = local_to_utc(local)
    end = local_to_utc(local + length[e_idx, d_idx] * MINUTE)
    keep = (end > world.start) & (start < world.end)
    emp, start, end = e_idx[keep], start[keep], end[keep]

    helping = np.full(len(emp), -1)  # a day of help elsewhere: an event, a shortage next door
    basis = (org.emp_kind[emp] == BASISTEAM) & (rng.random(len(emp)) < 0.02)
    k_nb = world.geo.muni_neighbours.shape[1]
    helping[basis] = world.geo.muni_neighbours[
        org.unit_muni[org.emp_unit[emp[basis]]], rng.integers(0, k_nb, basis.sum())
    ]

    callouts = [c for c in callouts if c[2] > world.start and c[1] < world.end]
    if callouts:
        c_emp = np.array([c[0] for c in callouts])
        c_start = np.array([c[1] for c in callouts])
        c_end = np.array([c[2] for c in callouts])
        order = np.lexsort((c_start, c_emp))
        c_emp, c_start, c_end = c_emp[order], c_start[order], c_end[order]
        # merge call-outs of one employee that overlap each other
        merged: list[tuple[int, int, int]] = []
        for e, s, t in zip(c_emp.tolist(), c_start.tolist(), c_end.tolist(), strict=True):
            if merged and merged[-1][0] == e and s <= merged[-1][2]:
                merged[-1] = (e, merged[-1][1], max(t, merged[-1][2]))
            else:
                merged.append((e, s, t))
        c_emp, c_start, c_end = (np.array(x) for x in zip(*merged, strict=True))
        drop = np.zeros(len(emp), dtype=bool)
        order = np.argsort(emp, kind="stable")
        off = offsets(emp[order], n)
        for e, s, t in zip(c_emp.tolist(), c_start.tolist(), c_end.tolist(), strict=True):
            rows = order[off[e] : off[e + 1]]
            drop[rows[(start[rows] < t) & (end[rows] > s)]] = True
        emp = np.r_[emp[~drop], c_emp]
        start = np.r_[start[~drop], c_start]
        end = np.r_[end[~drop], c_end]
        helping = np.r_[helping[~drop], np.full(len(c_emp), -1)]

    order = np.lexsort((start, emp))
    emp, start, end, helping = emp[order], start[order], end[order], helping[order]
    return Shifts(emp, start, end, helping, offsets(emp, n))


def normal_events(
    rng: np.random.Generator,
    world: World,
    shifts: Shifts,
    activity: float,
    noise=None,
    extra: np.random.Generator | None = None,
    busy: np.ndarray | None = None,
) -> Events:
    """The ordinary look-ups of every employee during their shifts.

    ``noise`` (a profiles.Noise) sets the unrecorded overtime and, with its own random
    stream ``extra``, intake desks looking up anyone in the country and drivers of
    vehicles registered to another member of their household; None is the baseline.
    ``busy`` is each employee's appetite for look-ups (:func:`busy_factors`), drawn here from
    ``rng`` when None; the day-by-day log (:mod:`graphrisk.generate.daily`) draws it once for
    the window, so that a busy employee stays busy from one day to the next.
    """
    ot_share = OVERTIME_SHARE if noise is None else noise.overtime_share
    ot_max = 45 if noise is None else round(noise.overtime_max)
    org, pop, geo, crime = world.org, world.pop, world.geo, world.crime
    n_emp = org.n_employees
    role = org.emp_role
    if busy is None:
        busy = busy_factors(rng, n_emp)

    se = shifts.emp
    hours = (shifts.end - shifts.start) / HOUR
    per_session = _SESSION_LENGTH[role[se]]
    mean = _LOOKUPS_PER_SHIFT[role[se]] / per_session * busy[se] * hours / 8.5 * activity
    n_sessions = rng.poisson(mean)
    s_shift = np.repeat(np.arange(len(se)), n_sessions)
    s_emp = se[s_shift]
    n_s = len(s_shift)
    # unrecorded overtime: the roster says the shift ended, the work did not
    overtime = np.where(rng.random(len(se)) < ot_share, rng.integers(10, ot_max + 1, len(se)) * MINUTE, 0)
    s_end = shifts.end[s_shift] + overtime[s_shift]
    s_start = uniform_in(
        rng, shifts.start[s_shift], np.maximum(shifts.start[s_shift] + 1, s_end - 10 * MINUTE)
    )

    # purpose of each session
    has_case = np.diff(world.emp_case_offsets) > 0
    purpose_p = _PURPOSE[role[s_emp]].copy()
    no_case = ~has_case[s_emp]
    purpose_p[no_case, ROUTINE] += purpose_p[no_case, CASE_WORK]
    purpose_p[no_case, CASE_WORK] = 0
    purpose = choose(rng, purpose_p)

    anchor = np.full(n_s, -1, dtype=np.int64)
    s_case = np.full(n_s, -1, dtype=np.int64)
    s_vehicle = np.full(n_s, -1, dtype=np.int64)
    ref = np.zeros(n_s, dtype=bool)

    # case work: a subject of one of the employee's cases
    cw = np.flatnonzero(purpose == CASE_WORK)
    e = s_emp[cw]
    picked = uniform_in(rng, world.emp_case_offsets[e], world.emp_case_offsets[e + 1])
    s_case[cw] = world.emp_cases[picked]
    anchor[cw] = crime.subject_person[
        uniform_in(rng, crime.subject_offsets[s_case[cw]], crime.subject_offsets[s_case[cw] + 1])
    ]
    ref[cw] = rng.random(len(cw)) < 0.88  # case work without a case reference happens

    # routine work in the territory (or where the employee helps out that day)
    rt = np.flatnonzero(purpose == ROUTINE)
    e = s_emp[rt]
    lo, hi = world.emp_lo[e].copy(), world.emp_hi[e].copy()
    own = org.unit_muni[org.emp_unit[e]]
    basis = own >= 0
    u = rng.random(len(rt))
    k_nb = geo.muni_neighbours.shape[1]
    intake = role[e] == INTAKE
    go_nb = basis & np.where(intake, (u >= 0.70) & (u < 0.85), (u >= 0.80) & (u < 0.94))
    go_region = basis & np.where(intake, (u >= 0.85) & (u < 0.95), u >= 0.94)
    go_country = basis & intake & (u >= 0.95)
    border = basis & world.border[e] & (rng.random(len(rt)) < 0.3)
    nb = geo.muni_neighbours[np.maximum(own, 0), rng.integers(0, k_nb, len(rt))]
    lo[go_nb], hi[go_nb] = pop.muni_offsets[nb[go_nb]], pop.muni_offsets[nb[go_nb] + 1]
    first, last = geo.region_bounds()
    region_lo, region_hi = pop.muni_offsets[first], pop.muni_offsets[last]
    reg = geo.muni_region[np.maximum(own, 0)]
    lo[go_region], hi[go_region] = region_lo[reg[go_region]], region_hi[reg[go_region]]
    lo[go_country], hi[go_country] = 0, pop.n
    home = world.emp_home[e]
    lo[border], hi[border] = pop.muni_offsets[home[border]], pop.muni_offsets[home[border] + 1]
    service = (org.emp_kind[e] == INTAKE_SERVICE) & (rng.random(len(rt)) < 0.1)
    lo[service], hi[service] = 0, pop.n
    if extra is not None and noise.intake_country > 0.05:  # desks take reports from anyone
        more = intake & ~go_country & (extra.random(len(rt)) < (noise.intake_country - 0.05) / 0.95)
        lo[more], hi[more] = 0, pop.n
    away = shifts.area[s_shift[rt]]
    helping = away >= 0
    lo[helping], hi[helping] = pop.muni_offsets[away[helping]], pop.muni_offsets[away[helping] + 1]
    anchor[rt] = weighted_in(rng, world.cumulative_interest, lo, hi)
    # vehicle checks (RDW) start from a plate, not a person: half are any car on the road,
    # half cars that draw attention (a camera hit, a known driver), like the person's own
    vcheck_p = np.where(role[e] == PATROL, np.where(org.emp_kind[e] == LE_INFRASTRUCTURE, 0.6, 0.3), 0.05)
    v_lo, v_hi = pop.vehicle_offsets[lo], pop.vehicle_offsets[hi]
    vcheck = (rng.random(len(rt)) < vcheck_p) & (v_hi > v_lo)
    vehicle = uniform_in(rng, v_lo[vcheck], v_hi[vcheck])
    owner = anchor[rt[vcheck]]
    own_car = pop.vehicle_offsets[owner + 1] > pop.vehicle_offsets[owner]
    known = own_car & (rng.random(len(owner)) < 0.5)
    vehicle[known] = uniform_in(rng, pop.vehicle_offsets[owner[known]], pop.vehicle_offsets[owner[known] + 1])
    s_vehicle[rt[vcheck]] = vehicle
    anchor[rt[vcheck]] = pop.vehicle_owner[vehicle]
    if extra is not None and noise.shared_vehicle > 0:  # the driver is another household member
        driver = shared_driver(extra, pop, pop.vehicle_owner[vehicle], noise.shared_vehicle)
        anchor[rt[vcheck]] = driver
    # now and then a routine look-up cites one of the employee's cases
    cite = has_case[e] & (rng.random(len(rt)) < 0.04)
    ce = e[cite]
    s_case[rt[cite]] = world.emp_cases[
        uniform_in(rng, world.emp_case_offsets[ce], world.emp_case_offsets[ce + 1])
    ]
    ref[rt[cite]] = True

    # harmless curiosity: anyone, anywhere
    cu = np.flatnonzero(purpose == CURIOSITY)
    anchor[cu] = rng.integers(0, pop.n, len(cu))

    # the look-ups of each session
    length = rng.geometric(1 / per_session[s_shift])
    ev_s, first, pos = runs(length)
    n_ev = len(ev_s)
    is_case = purpose[ev_s] == CASE_WORK
    later_p = np.where(is_case[:, None], [[0.5, 0.12, 0.13, 0.25]], [[0.6, 0.2, 0.2, 0.0]])
    ttype = choose(rng, later_p)
    at_first = pos == 0
    ttype[at_first] = np.where(
        s_vehicle[ev_s[at_first]] >= 0,
        VEHICLE,
        np.where(is_case[at_first] & (rng.random(at_first.sum()) < 0.3), CASE, PERSON),
    )
    person = anchor[ev_s]
    # in case work, the other subjects of the case are looked at too
    co = is_case & (ttype == PERSON) & ~at_first & (rng.random(n_ev) < 0.4)
    c = s_case[ev_s[co]]
    person[co] = crime.subject_person[uniform_in(rng, crime.subject_offsets[c], crime.subject_offsets[c + 1])]
    n_veh = pop.vehicle_offsets[person + 1] - pop.vehicle_offsets[person]
    ttype[(ttype == VEHICLE) & (n_veh == 0) & (s_vehicle[ev_s] < 0)] = PERSON
    target = person.copy()
    veh = ttype == VEHICLE
    own_vehicle = veh & (s_vehicle[ev_s] >= 0) & (at_first | (rng.random(n_ev) < 0.5))
    other_vehicle = veh & ~own_vehicle
    target[own_vehicle] = s_vehicle[ev_s[own_vehicle]]
    ov = person[other_vehicle]
    target[other_vehicle] = uniform_in(rng, pop.vehicle_offsets[ov], pop.vehicle_offsets[ov + 1])
    addr = ttype == ADDRESS
    target[addr] = pop.address[person[addr]]
    cs = ttype == CASE
    target[cs] = s_case[ev_s[cs]]

    with_ref = ref[ev_s]
    system = _systems(rng, ttype, is_case)
    action = np.where(at_first & (ttype != CASE) & (rng.random(n_ev) < 0.75), SEARCH, VIEW)
    export_p = np.where(is_case & with_ref, 0.03, 0.002)
    action[(rng.random(n_ev) < export_p) & ~at_first] = EXPORT

    elapsed = elapsed_in_runs(rng.exponential(45.0, n_ev) + 5, ev_s, first, pos)
    ts = np.minimum(s_start[ev_s] + elapsed.astype(np.int64), s_end[ev_s] - 1)
    return Events(
        emp=s_emp[ev_s],
        ts=ts,
        system=system,
        target_type=ttype,
        target=target,
        action=action,
        case=np.where(with_ref, s_case[ev_s], -1),
        limit=s_end[ev_s] - 1,
    )


def busy_factors(rng: np.random.Generator, n_emp: int) -> np.ndarray:
    """Each employee's appetite for look-ups: some people query more than others (mean 1)."""
    sigma = 0.4
    return rng.lognormal(-(sigma**2) / 2, sigma, n_emp)


def shared_driver(rng: np.random.Generator, pop: Population, owner: np.ndarray, share: float) -> np.ndarray:
    """For a ``share`` of vehicles, another adult member of the owner's household drives."""
    hh = pop.household[owner]
    lo = pop.hh_start[hh]
    hi = np.r_[pop.hh_start[1:], pop.n][hh]
    other = uniform_in(rng, lo, hi)
    i = np.minimum(np.searchsorted(pop.adults, other), len(pop.adults) - 1)
    adult = pop.adults[i] == other
    ok = (rng.random(len(owner)) < share) & (other != owner) & adult
    return np.where(ok, other, owner)


def repeat_lines(rng: np.random.Generator, events: Events, lines_per_lookup: float) -> Events:
    """Expand each look-up into the log lines it leaves (views, refreshes, tabs), seconds apart."""
    if lines_per_lookup <= 1.0:
        return events
    extra = rng.poisson(lines_per_lookup - 1.0, len(events))
    idx, first, pos = runs(1 + extra)
    delay = elapsed_in_runs(rng.integers(2, 20, len(idx)), idx, first, pos)
    action = events.action[idx].copy()
    action[pos > 0] = VIEW
    ts = np.minimum(events.ts[idx] + delay, np.maximum(events.limit[idx], events.ts[idx]))
    return events.rows(idx, ts=ts, action=action)


def _systems(rng: np.random.Generator, ttype: np.ndarray, case_work: np.ndarray) -> np.ndarray:
    table = np.array([[_SYSTEM_P[(t, c)] for c in (False, True)] for t in range(4)], dtype=float)
    return choose(rng, table[ttype, case_work.astype(np.int64)])
