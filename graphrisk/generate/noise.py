"""The phenomena of the realism profiles (see profiles.py and docs/datasets.md, Profiles).

Each function adds one phenomenon at the intensity of its knobs, drawing from
its own random stream, and only runs when the profile is not ``baseline``:

- deployment days elsewhere (no rostered shift, or a shift at other hours);
- operation support by officers not on the case, incomplete and late assignments;
- chance hits of the own network in routine work;
- joint operations and events across units;
- staff (or their relatives) as victims or witnesses in a local case;
- shared household vehicles; people who moved house;
- duplicate log lines and refresh bursts;
- look-ups just before or after a shift, shifts recorded an hour off around the
  summer-time change;
- urgent look-ups on a day off, curious trainees, team leaders checking cases;
- staff who moved unit during the log, absences of 1-3 weeks with catching up on return;
- units and staff whose rosters are missing from ``shifts`` (wholly, partly, sparsely);
- functional administrators and auditors, requests of other forces and CIE/RIEC work;
- one system writing local time as UTC, another's clock running ahead;
- team leaders and HR advisers looking up their own staff; traffic checks in bursts;
- incidents in the news, worked by the units involved and looked up by curious staff
  (``insider:news-curiosity``);
- more contracts ending in the log, handovers of cases before leaving or leave, leavers who
  harvest data in their last weeks (``insider:leaver-harvest``);
- a colleague working under an employee's open login; street canvasses; missing-person searches.
- functional administrators who abuse their broad access (``insider:admin-abuse``); cases
  registered days after the work on them began; persons with a second record.

Planted insiders take part in every phenomenon as anyone of their role does.

Everything is drawn over whole arrays with numpy; loops run over planned actions,
events and staff victims only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graphrisk.generate._common import (
    DAY,
    HOUR,
    MINUTE,
    NO_DATE,
    choose,
    elapsed_in_runs,
    local_to_utc,
    moment_in_shift,
    offsets,
    runs,
    uniform_in,
    utc_to_local,
    weekday,
    weighted_in,
)
from graphrisk.generate.activity import (
    _LOOKUPS_PER_SHIFT,
    _PURPOSE,
    _SESSION_LENGTH,
    ADDRESS,
    CASE,
    EXPORT,
    PERSON,
    SEARCH,
    VEHICLE,
    VIEW,
    Events,
    Shifts,
    World,
)
from graphrisk.generate.crime import (
    ANALYST,
    CASE_INTEGRITY,
    CASE_LOCAL,
    INVESTIGATOR,
    SUSPECT,
    VICTIM,
    WITNESS,
    Crime,
)
from graphrisk.generate.organisation import (
    ASPIRANT,
    BASISTEAM,
    DISTRICT_INVESTIGATION,
    DRIO,
    DRR,
    INTAKE,
    INTAKE_SERVICE,
    INTELLIGENCE,
    INVESTIGATION,
    LE_INFRASTRUCTURE,
    LE_INTELLIGENCE,
    LE_SUPPORT,
    LEADERSHIP,
    PATROL,
    REGIONAL_SUPPORT,
    SUPPORT,
)
from graphrisk.generate.population import BRP as SOURCE_BRP_CODE
from graphrisk.generate.population import FLAG_VIP, Population
from graphrisk.generate.profiles import Noise

__all__ = [
    "NOISE_LOOKALIKES",
    "NOISE_SCENARIOS",
    "Extra",
    "add_leavers",
    "add_staff_victims",
    "clocks",
    "drop_absent",
    "duplicate_lines",
    "duplicate_persons",
    "extra_events",
    "move_people",
    "part_time",
    "record_assignments",
    "record_rosters",
    "record_shifts",
    "skew_clocks",
    "to_duplicates",
    "unregistered",
]

#: Look-alike groups the profiles add (``lookalike:<id>`` in ground_truth).
NOISE_LOOKALIKES = (
    "deployed-elsewhere",
    "operation-support",
    "event-duty",
    "staff-victim",
    "urgent-on-leave",
    "trainee",
    "supervisor",
    "transferred",
    "absence",
    "unrostered",
    "sparse-roster",
    "functional-admin",
    "info-request",
    "team-care",
    "traffic-control",
    "news-incident",
    "part-time",
    "shared-login",
    "canvass",
    "missing-person",
    "handover",
)
#: Insider scenarios the profiles add (``insider:<id>``), beside the planted ones.
NOISE_SCENARIOS = ("news-curiosity", "leaver-harvest", "admin-abuse")

# systems per target type: BRP, BVH, BVI, RDW
_SYSTEM_P = np.array(
    [
        (0.55, 0.35, 0.10, 0.0),  # person
        (0.0, 0.15, 0.0, 0.85),  # vehicle
        (0.5, 0.5, 0.0, 0.0),  # address
        (0.0, 0.3, 0.7, 0.0),  # case
    ]
)


class Extra:
    """Collects added look-ups (as arrays), labels and dropped shift windows."""

    def __init__(self) -> None:
        self.parts: list[Events] = []
        self.labels: list[tuple[int, str]] = []
        self.drop: list[
            tuple[np.ndarray, np.ndarray, np.ndarray]
        ] = []  # (emp, from, to): normal work elsewhere (or absent, or in the old unit)
        self.absent: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (emp, from, to): away
        self.unrecorded: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # no shift rows
        self.sparse: tuple[np.ndarray, np.ndarray] | None = None  # (emp, share of shifts not recorded)
        # round 6: what later steps need to know of the phenomena above
        self.admins = np.zeros(0, dtype=np.int64)  # the functional administrators
        self.moves: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (emp, old unit, move ts)
        self.late: tuple[np.ndarray, np.ndarray, np.ndarray] | None = (
            None  # (case, registered ts, backfilled)
        )

    def add(self, events: Events) -> None:
        if len(events):
            self.parts.append(events)

    def label(self, emps, name: str) -> None:
        self.labels += [(int(e), name) for e in np.unique(np.asarray(emps, dtype=np.int64)).tolist()]

    def events(self) -> Events:
        if not self.parts:
            return _events(*(np.empty(0, dtype=np.int64) for _ in range(7)))
        return Events.concat(self.parts)


def _events(emp, ts, system, ttype, target, action, case, limit=None) -> Events:
    ts = np.asarray(ts, dtype=np.int64)
    return Events(
        emp=np.asarray(emp, dtype=np.int64),
        ts=ts,
        system=np.asarray(system, dtype=np.int64),
        target_type=np.asarray(ttype, dtype=np.int64),
        target=np.asarray(target, dtype=np.int64),
        action=np.asarray(action, dtype=np.int64),
        case=np.asarray(case, dtype=np.int64),
        limit=ts + 30 * MINUTE if limit is None else np.asarray(limit, dtype=np.int64),
    )


def single(rng, emp, ts, ttype, target, case, *, search_p=0.0) -> Events:
    """One log line per look-up."""
    ttype = np.asarray(ttype, dtype=np.int64)
    system = choose(rng, _SYSTEM_P[ttype]) if len(ttype) else ttype
    action = np.where((ttype != CASE) & (rng.random(len(ttype)) < search_p), SEARCH, VIEW)
    return _events(emp, ts, system, ttype, target, action, case)


def person_sessions(
    rng, pop: Population, emp, ts, person, case, *, vehicle_p=0.25, address_p=0.2, gap=40.0, limit=None
) -> Events:
    """A session per row: a search of the person, then maybe their vehicle and address."""
    emp, ts, person, case = (np.asarray(x, dtype=np.int64) for x in (emp, ts, person, case))
    n = len(emp)
    n_veh = pop.vehicle_offsets[person + 1] - pop.vehicle_offsets[person]
    with_vehicle = (rng.random(n) < vehicle_p) & (n_veh > 0)
    with_address = rng.random(n) < address_p
    idx, first, pos = runs(1 + with_vehicle + with_address)
    ttype = np.full(len(idx), PERSON)
    second = pos == 1
    ttype[second] = np.where(with_vehicle[idx[second]], VEHICLE, ADDRESS)
    ttype[pos == 2] = ADDRESS
    p = person[idx]
    target = p.copy()
    v = ttype == VEHICLE
    target[v] = uniform_in(rng, pop.vehicle_offsets[p[v]], pop.vehicle_offsets[p[v] + 1])
    a = ttype == ADDRESS
    target[a] = pop.address[p[a]]
    delay = elapsed_in_runs((rng.exponential(gap, len(idx)) + 5).astype(np.int64), idx, first, pos)
    lim = ts[idx] + HOUR if limit is None else np.asarray(limit, dtype=np.int64)[idx]
    stamp = np.minimum(ts[idx] + delay, np.maximum(lim, ts[idx]))
    system = choose(rng, _SYSTEM_P[ttype]) if len(ttype) else ttype
    action = np.where((pos == 0) & (rng.random(len(idx)) < 0.75), SEARCH, VIEW)
    return _events(emp[idx], stamp, system, ttype, target, action, case[idx], lim)


def on_shift(rng, shifts: Shifts, emp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random moment in a random shift of each employee: (ok, ts, end of that shift).

    ``ts`` and ``end`` are given for the employees with a shift (``ok``) only.
    """
    emp = np.asarray(emp, dtype=np.int64)
    lo, hi = shifts.offsets[emp], shifts.offsets[emp + 1]
    ok = hi > lo
    i = uniform_in(rng, lo[ok], hi[ok])
    start, end = shifts.start[i], shifts.end[i]
    ts = uniform_in(rng, start, np.maximum(start + 1, end - 10 * MINUTE))
    return ok, ts, end - 1


def _local_day(ts: np.ndarray) -> np.ndarray:
    return utc_to_local(ts) // DAY


def _worked_days(shifts: Shifts) -> np.ndarray:
    """Sorted keys employee * 2**20 + local day of every shift start."""
    return np.sort(shifts.emp * (1 << 20) + _local_day(shifts.start))


def _has_shift(keys: np.ndarray, emp: np.ndarray, day: np.ndarray) -> np.ndarray:
    q = emp * (1 << 20) + day
    i = np.searchsorted(keys, q)
    return (i < len(keys)) & (keys[np.minimum(i, len(keys) - 1)] == q)


def _territory(world: World, emp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return world.emp_lo[emp], world.emp_hi[emp]


def _muni_range(pop: Population, muni: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return pop.muni_offsets[muni], pop.muni_offsets[muni + 1]


def _scaled(x: float, days: int) -> float:
    return x * days / 30


# --- the world before activity --------------------------------------------------------------------


def part_time(rng, world: World, shifts: Shifts, noise: Noise, callouts) -> tuple[Shifts, np.ndarray]:
    """Part-time contracts: a ``part_time`` share of the staff (support and intake staff twice as
    often, team leaders half) have one (60%) or two fixed weekdays off, Monday to Friday, every
    week; their shifts on those days are not worked (call-outs for a raid are). Returns the
    shifts and the part-timers."""
    org = world.org
    n = org.n_employees
    w = np.ones(n)
    w[np.isin(org.emp_role, (SUPPORT, INTAKE))] = 2.0
    w[org.emp_role == LEADERSHIP] = 0.5
    chosen = (org.emp_end == NO_DATE) & (rng.random(n) < np.minimum(1.0, noise.part_time * w))
    off = np.zeros((n, 7), dtype=bool)
    who = np.flatnonzero(chosen)
    two = rng.random(len(who)) < 0.4
    first = rng.integers(0, 5, len(who))
    second = (first + rng.integers(1, 5, len(who))) % 5
    off[who, first] = True
    off[who[two], second[two]] = True
    day = weekday(utc_to_local(shifts.start) // DAY)
    drop = off[shifts.emp, day]
    if callouts:
        keep = {(int(e), int(s)) for e, s, _ in callouts}
        rows = np.flatnonzero(drop)
        ours = [
            (e, s) in keep
            for e, s in zip(shifts.emp[rows].tolist(), shifts.start[rows].tolist(), strict=True)
        ]
        drop[rows[np.array(ours, dtype=bool)]] = False
    k = ~drop
    emp = shifts.emp[k]
    return Shifts(emp, shifts.start[k], shifts.end[k], shifts.area[k], offsets(emp, n)), who


def record_assignments(rng, crime: Crime, noise: Noise, day: int, days: int) -> None:
    """Assignment lists are incomplete: some rows are missing, some start after the work began."""
    n = len(crime.assign_case)
    active = crime.active_assignments(day)
    crime.assign_recorded = ~(active & (rng.random(n) < noise.assign_missing))
    late = active & crime.assign_recorded & (rng.random(n) < noise.assign_late)
    crime.assign_start = np.where(
        late, day + rng.integers(1, max(2, min(11, days)), n), crime.assign_start
    ).astype(np.int64)


def add_staff_victims(rng, world: World, noise: Noise) -> list[tuple[int, int, int]]:
    """Employees or their relatives become victims or witnesses in an open local case.

    Returns (employee, case, person) for every staff victim; the case is owned by a
    unit of the employee's region (often the own basisteam).
    """
    org, pop, crime = world.org, world.pop, world.crime
    n = int(rng.binomial(org.n_employees, noise.staff_victims))
    local_open = np.flatnonzero(crime.case_open & (crime.case_kind == CASE_LOCAL))
    if n == 0 or len(local_open) == 0:
        return []
    indptr, nbrs = pop.relations.adjacency(pop.n)
    case_region = org.unit_region[crime.case_unit[local_open]]
    picked = rng.choice(org.n_employees, size=min(n, org.n_employees), replace=False)
    out = []
    subjects = []
    emp_region = org.unit_region[org.emp_unit]
    for e in picked.tolist():
        p = int(org.emp_person[e])
        if rng.random() < 0.4 and indptr[p + 1] > indptr[p]:
            p = int(nbrs[rng.integers(indptr[p], indptr[p + 1])])  # a relative, a friend
        same = local_open[crime.case_unit[local_open] == org.emp_unit[e]]
        region = local_open[case_region == emp_region[e]]
        pool = same if len(same) and rng.random() < 0.5 else (region if len(region) else local_open)
        c = int(rng.choice(pool))
        subjects.append((c, p, VICTIM if rng.random() < 0.7 else WITNESS))
        out.append((e, c, p))
    _add_subjects(crime, subjects)
    return out


def _add_subjects(crime: Crime, rows: list[tuple[int, int, int]]) -> None:
    existing = set(zip(crime.subject_case.tolist(), crime.subject_person.tolist(), strict=True))
    rows = [r for r in dict.fromkeys(rows) if (r[0], r[1]) not in existing]
    rows = list({(c, p): (c, p, r) for c, p, r in rows}.values())
    if not rows:
        return
    add = np.array(rows, dtype=np.int64)
    case = np.r_[crime.subject_case, add[:, 0]]
    person = np.r_[crime.subject_person, add[:, 1]]
    role = np.r_[crime.subject_role, add[:, 2]]
    order = np.lexsort((person, case))
    crime.subject_case, crime.subject_person, crime.subject_role = case[order], person[order], role[order]
    crime.subject_offsets = offsets(crime.subject_case, crime.n_cases)


def move_people(rng, world: World, noise: Noise) -> None:
    """Some adults moved: registered at a new address elsewhere, met where they lived.

    Routine work keeps meeting them in the old municipality (the world's ``muni``),
    look-ups of their address in the log are of the old address (still visited);
    the persons table gives the new area and address; half their vehicles stay
    registered in the old area.
    """
    pop, geo, org = world.pop, world.geo, world.org
    staff_households = np.isin(pop.household, pop.household[org.emp_person])
    pool = pop.adults[~staff_households[pop.adults]]
    n = int(rng.binomial(len(pool), noise.movers))
    if n == 0:
        return
    movers = np.sort(rng.choice(pool, size=n, replace=False))
    old = pop.muni[movers]
    k = geo.muni_neighbours.shape[1]
    first, last = geo.region_bounds()
    region = geo.muni_region[old]
    new = np.where(
        rng.random(n) < 0.6,
        geo.muni_neighbours[old, rng.integers(0, k, n)],
        uniform_in(rng, first[region], last[region]),
    )
    new = np.where(new == old, geo.muni_neighbours[old, 0], new)
    pop.reg_muni = pop.muni.copy()
    pop.reg_muni[movers] = new
    pop.reg_address = pop.address.copy()
    pop.reg_address[movers] = pop.add_addresses(new)
    pop.vehicle_muni = pop.reg_muni[pop.vehicle_owner].copy()
    stay = np.isin(pop.vehicle_owner, movers) & (rng.random(pop.n_vehicles) < 0.5)
    pop.vehicle_muni[stay] = pop.muni[pop.vehicle_owner[stay]]


# --- look-ups added to the normal work ------------------------------------------------------------


def extra_events(
    stream: Callable[[str], np.random.Generator],
    world: World,
    shifts: Shifts,
    noise: Noise,
    victims: list[tuple[int, int, int]],
    activity: float,
    forbidden: dict[int, tuple[set[int], set[int]]] | None = None,
    *,
    curious: bool = True,
) -> Extra:
    """Every added phenomenon's look-ups and the labels of the employees doing them.

    Planted insiders take part in every phenomenon as anyone of their role does: they move
    unit, are absent, are functional administrators. ``forbidden`` holds, per insider, the
    (cases, units) their scenario keeps them off: a moved insider's old unit is not the owning
    unit of the case they leak, nor are they listed on such a case. Look-ups of anyone in the
    time they are absent are removed. ``curious`` (insiders are planted at all): staff with no
    role look up incidents in the news, labelled ``insider:news-curiosity``.
    """
    out = Extra()
    _deployments(stream("deployment"), world, shifts, noise, out, activity)
    _operation_support(stream("operation-support"), world, shifts, noise, out)
    _chance_hits(stream("chance-hits"), world, shifts, noise, out)
    _joint_events(stream("joint-events"), world, shifts, noise, out)
    _staff_victims(stream("staff-victims"), world, shifts, victims, out)
    _shift_edges(stream("shift-edges"), world, shifts, noise, out)
    _urgent_on_leave(stream("urgent"), world, shifts, noise, out)
    _trainees(stream("trainees"), world, shifts, noise, out)
    _supervisors(stream("supervisors"), world, shifts, noise, out)
    # appended later, each on its own stream: the phenomena above draw as before
    forbidden = {} if forbidden is None else forbidden
    _transfers(stream("transfers"), world, shifts, noise, out, activity, forbidden)
    _admins(stream("admins"), world, shifts, noise, out, activity)
    _info_requests(stream("info-requests"), world, shifts, noise, out)
    _absences(stream("absence"), world, shifts, noise, out, activity)
    _roster_gaps(stream("roster-gaps"), world, noise, out)
    _team_care(stream("team-care"), world, shifts, noise, out)
    _traffic_checks(stream("traffic-checks"), world, shifts, noise, out, activity)
    _news(stream("news"), world, shifts, noise, out, curious)
    # round 5, each on its own stream
    _shared_login(stream("shared-login"), world, shifts, noise, out, forbidden)
    _canvass(stream("canvass"), world, shifts, noise, out)
    _missing_persons(stream("missing-persons"), world, shifts, noise, out)
    _handovers(stream("handover"), world, shifts, noise, out, forbidden)
    _harvest(stream("leaver-harvest"), world, shifts, noise, out, curious)
    # round 6, each on its own stream
    _admin_abuse(stream("admin-abuse"), world, shifts, noise, out, curious)
    _late_cases(stream("late-cases"), world, noise, out)
    if out.absent:
        n = world.org.n_employees
        out.parts = [p.rows(~_in_windows(p.emp, p.ts, out.absent, n)) for p in out.parts]
        out.parts = [p for p in out.parts if len(p)]
    return out


def _deployments(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, activity: float) -> None:
    """A whole day in another district or region: an event, a regional operation, a big incident.

    Such a day holds 50-170 look-ups at the medium preset's activity (0.8) and above,
    proportionally fewer in the quieter small presets.
    """
    org, pop, geo = world.org, world.pop, world.geo
    pool = np.flatnonzero((org.emp_kind == BASISTEAM) & np.isin(org.emp_role, (PATROL, INTAKE)))
    pool = pool[org.emp_end[pool] == NO_DATE]
    deployed = pool[rng.random(len(pool)) < noise.deploy_share]
    if len(deployed) == 0:
        return
    k = np.maximum(1, rng.poisson(_scaled(noise.deploy_days, world.days), len(deployed)))
    emp = np.repeat(deployed, k)
    n = len(emp)
    keys = _worked_days(shifts)
    unrostered = rng.random(n) < noise.deploy_unrostered
    day = world.day + rng.integers(0, world.days, n)
    for _ in range(12):  # an unrostered day is a day off in the roster; a rostered one a day on
        wrong = _has_shift(keys, emp, day) == unrostered
        if not wrong.any():
            break
        day[wrong] = world.day + rng.integers(0, world.days, wrong.sum())
    has = _has_shift(keys, emp, day)
    # where: another region, or another municipality of the own region
    own = org.unit_muni[org.emp_unit[emp]]
    first, last = geo.region_bounds()
    region = geo.muni_region[own]
    far = rng.random(n) < noise.deploy_other_region
    other_region = (region + rng.integers(1, geo.n_regions, n)) % geo.n_regions
    muni = np.where(
        far,
        uniform_in(rng, first[other_region], last[other_region]),
        uniform_in(rng, first[region], last[region]),
    )
    muni = np.where(muni == own, geo.muni_neighbours[own, 0], muni)
    # when: a day's work; on a rostered day at other hours than the roster says
    begin = day * DAY + rng.integers(7 * 60, 13 * 60, n) * MINUTE
    shift_start_local = np.zeros(n, dtype=np.int64)
    if has.any():
        rows = np.flatnonzero(has)
        s_day = _local_day(shifts.start)
        s_key = shifts.emp * (1 << 20) + s_day
        order = np.argsort(s_key, kind="stable")
        i = order[np.searchsorted(s_key[order], emp[rows] * (1 << 20) + day[rows])]
        shift_start_local[rows] = utc_to_local(shifts.start[i])
        begin[rows] = shift_start_local[rows] + rng.integers(7 * 60, 10 * 60, len(rows)) * MINUTE
        out.drop.append((emp[rows], shifts.start[i], shifts.end[i] + 4 * HOUR))  # not at home that day
    length = rng.integers(8 * 60, 11 * 60, n) * MINUTE
    start = local_to_utc(begin)
    end = local_to_utc(begin + length)
    lookups = rng.integers(50, 171, n) * float(np.clip(activity / 0.8, 0.25, 1.0))
    sessions = np.maximum(1, np.round(lookups / 1.45).astype(np.int64))
    s = np.repeat(np.arange(n), sessions)
    lo, hi = _muni_range(pop, muni[s])
    person = weighted_in(rng, world.cumulative_interest, lo, hi)
    ts = uniform_in(rng, start[s], end[s] - 5 * MINUTE)
    out.add(
        person_sessions(
            rng, pop, emp[s], ts, person, np.full(len(s), -1), vehicle_p=0.3, address_p=0.15, limit=end[s]
        )
    )
    out.label(emp, "deployed-elsewhere")


def _operation_support(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Officers not on the case support a raid: the subjects, addresses and case file, with the case."""
    org, pop, crime = world.org, world.pop, world.crime
    if noise.support_per_action <= 0:
        return
    emp_region = org.unit_region[org.emp_unit]
    working = org.emp_end == NO_DATE
    street = working & (org.emp_role == PATROL)
    other = (
        working
        & np.isin(org.emp_kind, (DRR, DRIO, DISTRICT_INVESTIGATION))
        & np.isin(org.emp_role, (INVESTIGATION, INTELLIGENCE))
    )
    national = working & (org.emp_kind == LE_INFRASTRUCTURE)
    rows: list[tuple[np.ndarray, ...]] = []
    supporters: list[int] = []
    for c, t in zip(crime.action_case.tolist(), crime.action_ts.tolist(), strict=True):
        if crime.case_kind[c] == CASE_INTEGRITY or not (world.start + 6 * HOUR <= t < world.end + 48 * HOUR):
            continue
        k = int(rng.poisson(noise.support_per_action))
        if k == 0:
            continue
        region = int(org.unit_region[crime.case_unit[c]])
        on_case = np.zeros(org.n_employees, dtype=bool)
        on_case[crime.assign_emp[crime.assign_case == c]] = True
        u = rng.random(k)
        pools = [
            np.flatnonzero(street & (emp_region == region) & ~on_case),
            np.flatnonzero(other & (emp_region == region) & ~on_case),
            np.flatnonzero((street | national) & (emp_region != region) & ~on_case),
        ]
        kinds = np.searchsorted([0.55, 0.8], u, side="right")
        people = []
        for kind in range(3):
            m = int((kinds == kind).sum())
            if m and len(pools[kind]):
                people += rng.choice(pools[kind], size=min(m, len(pools[kind])), replace=False).tolist()
        if not people:
            continue
        s = slice(crime.subject_offsets[c], crime.subject_offsets[c + 1])
        subj = crime.subject_person[s]
        targets_t = np.r_[np.full(len(subj), PERSON), np.full(len(subj), ADDRESS), [CASE]]
        targets = np.r_[subj, pop.address[subj], [c]]
        for e in people:
            supporters.append(e)
            n_s = int(rng.integers(1, 4))
            for _ in range(n_s):
                lo, hi = t - 48 * HOUR, t - 20 * MINUTE
                ts = None
                if rng.random() >= noise.support_odd_hours:
                    mine = slice(shifts.offsets[e], shifts.offsets[e + 1])
                    a = np.maximum(shifts.start[mine], lo)
                    b = np.minimum(shifts.end[mine], hi)
                    ok = np.flatnonzero(b - a > 15 * MINUTE)
                    if len(ok):
                        j = int(rng.choice(ok))
                        ts = int(rng.integers(a[j], b[j] - 10 * MINUTE))
                if ts is None:  # the briefing before dawn, or the evening before
                    ts = (
                        t - int(rng.integers(40, 180)) * MINUTE
                        if rng.random() < 0.6
                        else (t - int(rng.integers(7, 12)) * HOUR)
                    )
                m = int(rng.integers(2, 7))
                pick = rng.integers(0, len(targets), m)
                lead = np.flatnonzero(targets_t != ADDRESS)
                pick[0] = lead[rng.integers(len(lead))]
                when = ts + np.cumsum(np.r_[0, rng.integers(5, 90, m - 1)])
                case = np.where(rng.random(m) < noise.support_cite, c, -1)
                rows.append((np.full(m, e), when, targets_t[pick], targets[pick], case))
    if rows:
        emp, ts, tt, tg, cs = (np.concatenate(x) for x in zip(*rows, strict=True))
        out.add(single(rng, emp, ts, tt, tg, cs, search_p=0.5))
        out.label(supporters, "operation-support")


def _chance_hits(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Routine work meets a relative, friend, neighbour or colleague now and then."""
    org, pop = world.org, world.pop
    if noise.chance_hits <= 0:
        return
    indptr, nbrs = pop.relations.adjacency(pop.n)
    p = org.emp_person
    degree = indptr[p + 1] - indptr[p]
    typical = max(1.0, float(np.median(degree)))
    role_w = np.array([1.0, 0.6, 1.0, 0.4, 0.2, 0.3])[org.emp_role]  # patrol, investigation, intake, ...
    rate = _scaled(noise.chance_hits, world.days) * role_w * degree / typical
    k = rng.poisson(rate)
    emp = np.repeat(np.arange(org.n_employees), k)
    ok, ts, end = on_shift(rng, shifts, emp)
    emp = emp[ok]
    q = org.emp_person[emp]
    who = nbrs[uniform_in(rng, indptr[q], np.maximum(indptr[q + 1], indptr[q] + 1))]
    two = rng.random(len(who)) < 0.3  # a friend's partner, a cousin's neighbour
    d = indptr[who[two] + 1] - indptr[who[two]]
    far = nbrs[uniform_in(rng, indptr[who[two]], indptr[who[two]] + np.maximum(d, 1))]
    who[two] = np.where(d > 0, far, who[two])
    who = np.where(who == q, nbrs[indptr[q]], who)
    case = _some_case(rng, world, emp, noise.chance_case)
    out.add(person_sessions(rng, pop, emp, ts, who, case, vehicle_p=0.3, address_p=0.1, limit=end))


def _some_case(rng, world: World, emp: np.ndarray, share: float) -> np.ndarray:
    lo, hi = world.emp_case_offsets[emp], world.emp_case_offsets[emp + 1]
    cite = (hi > lo) & (rng.random(len(emp)) < share)
    case = np.full(len(emp), -1, dtype=np.int64)
    case[cite] = world.emp_cases[uniform_in(rng, lo[cite], hi[cite])]
    return case


def _joint_events(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """An event or large incident: staff of several units look up the same persons that day."""
    org, pop, geo = world.org, world.pop, world.geo
    n_events = rng.poisson(_scaled(noise.joint_events, world.days) * geo.n_regions)
    if n_events == 0:
        return
    emp_region = org.unit_region[org.emp_unit]
    operational = (org.emp_end == NO_DATE) & np.isin(
        org.emp_role, (PATROL, INVESTIGATION, INTAKE, INTELLIGENCE)
    )
    keys = _worked_days(shifts)
    staff_all: list[np.ndarray] = []
    for _ in range(int(n_events)):
        muni = int(rng.choice(geo.n_munis, p=geo.muni_weight))
        region = int(geo.muni_region[muni])
        pool = np.flatnonzero(operational & (emp_region == region))
        if len(pool) < 3:
            continue
        size = min(max(3, int(rng.poisson(noise.joint_staff))), max(3, round(0.3 * len(pool))))
        staff = rng.choice(pool, size=min(len(pool), size), replace=False)
        lo, hi = _muni_range(pop, np.array([muni]))
        people = weighted_in(rng, world.cumulative_interest, np.full(int(rng.integers(5, 41)), lo[0]), hi[0])
        day = world.day + int(rng.integers(0, world.days))
        begin = day * DAY + int(rng.integers(10, 20)) * HOUR
        start, end = local_to_utc(np.array([begin, begin + int(rng.integers(4, 10)) * HOUR]))
        off = ~_has_shift(keys, staff, np.full(len(staff), day))
        on_roster = staff[~off]
        # the off-roster share is staff called in; cap the rostered ones who join
        keep = np.r_[on_roster, staff[off][: max(0, round(noise.joint_off_roster * len(staff)))]]
        if len(keep) == 0:
            continue
        m = rng.integers(2, 16, len(keep))
        emp = np.repeat(keep, m)
        ts = uniform_in(rng, np.full(len(emp), start), np.full(len(emp), end))
        who = people[rng.integers(0, len(people), len(emp))]
        out.add(person_sessions(rng, pop, emp, ts, who, np.full(len(emp), -1), vehicle_p=0.2, address_p=0.1))
        staff_all.append(keep)
    if staff_all:
        out.label(np.concatenate(staff_all), "event-duty")


def _staff_victims(rng, world: World, shifts: Shifts, victims, out: Extra) -> None:
    """Colleagues of the investigating unit look up the employee-victim with the case."""
    org, pop = world.org, world.pop
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    crime = world.crime
    lookers = []
    rows = []
    for e, c, p in victims:
        u = int(crime.case_unit[c])
        team = crime.assign_emp[crime.assign_case == c]
        colleagues = np.arange(unit_off[u], unit_off[u + 1])
        colleagues = colleagues[(colleagues != e) & (org.emp_end[colleagues] == NO_DATE)]
        extra = rng.choice(colleagues, size=min(len(colleagues), int(rng.integers(1, 4))), replace=False)
        who = np.unique(np.r_[team, extra]).astype(np.int64)
        who = who[who != e]
        for x in who.tolist():
            for _ in range(int(rng.integers(1, 4))):
                rows.append((x, p, c))
            lookers.append(x)
    if not rows:
        return
    arr = np.array(rows, dtype=np.int64)
    ok, ts, end = on_shift(rng, shifts, arr[:, 0])
    arr = arr[ok]
    case = np.where(rng.random(len(arr)) < 0.85, arr[:, 2], -1)
    out.add(
        person_sessions(rng, pop, arr[:, 0], ts, arr[:, 1], case, vehicle_p=0.1, address_p=0.4, limit=end)
    )
    out.label(lookers, "staff-victim")


def _shift_edges(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Look-ups a few minutes before the recorded start or after the recorded end of a shift."""
    pop = world.pop
    pick = np.flatnonzero(rng.random(len(shifts.emp)) < noise.edge_share)
    if len(pick) == 0:
        return
    emp = shifts.emp[pick]
    before = rng.random(len(pick)) < 0.5
    slack = (rng.random(len(pick)) * noise.edge_minutes * MINUTE).astype(np.int64) + 30
    ts = np.where(before, shifts.start[pick] - slack, shifts.end[pick] + slack)
    lo, hi = _territory(world, emp)
    person = weighted_in(rng, world.cumulative_interest, lo, hi)
    out.add(
        person_sessions(
            rng,
            pop,
            emp,
            ts,
            person,
            np.full(len(emp), -1),
            vehicle_p=0.2,
            address_p=0.1,
            gap=20.0,
            limit=ts + 2 * MINUTE,
        )
    )


def _urgent_on_leave(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """On a day off, an investigator or team leader logs in for an urgent matter of the own case."""
    org, pop, crime = world.org, world.pop, world.crime
    has_case = np.diff(world.emp_case_offsets) > 0
    pool = np.flatnonzero(has_case & np.isin(org.emp_role, (INVESTIGATION, LEADERSHIP, INTELLIGENCE)))
    k = rng.poisson(_scaled(noise.urgent_on_leave, world.days), len(pool))
    emp = np.repeat(pool, k)
    if len(emp) == 0:
        return
    keys = _worked_days(shifts)
    day = world.day + rng.integers(0, world.days, len(emp))
    for _ in range(8):
        busy = _has_shift(keys, emp, day)
        if not busy.any():
            break
        day[busy] = world.day + rng.integers(0, world.days, busy.sum())
    ok = ~_has_shift(keys, emp, day)
    emp, day = emp[ok], day[ok]
    ts = local_to_utc(day * DAY + rng.integers(9 * 60, 22 * 60, len(emp)) * MINUTE)
    case = world.emp_cases[uniform_in(rng, world.emp_case_offsets[emp], world.emp_case_offsets[emp + 1])]
    person = crime.subject_person[
        uniform_in(rng, crime.subject_offsets[case], crime.subject_offsets[case + 1])
    ]
    out.add(person_sessions(rng, pop, emp, ts, person, case, vehicle_p=0.2, address_p=0.3))
    out.label(emp, "urgent-on-leave")


def _trainees(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Aspirants look people up out of broad curiosity (anyone, anywhere), on shift."""
    org, pop = world.org, world.pop
    pool = np.flatnonzero(org.emp_rank == ASPIRANT)
    k = rng.poisson(_scaled(noise.trainee_curiosity, world.days), len(pool))
    emp = np.repeat(pool, k)
    ok, ts, end = on_shift(rng, shifts, emp)
    emp = emp[ok]
    person = rng.integers(0, pop.n, len(emp))
    out.add(person_sessions(rng, pop, emp, ts, person, np.full(len(emp), -1), limit=end))
    out.label(emp, "trainee")


def _supervisors(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Team leaders check their unit's open cases: the case file and a subject, with the case."""
    org, crime = world.org, world.crime
    open_cases = np.flatnonzero(crime.case_open & (crime.case_kind != CASE_INTEGRITY))
    order = np.argsort(crime.case_unit[open_cases], kind="stable")
    by_unit = open_cases[order]
    unit_off = offsets(crime.case_unit[by_unit], len(org.unit_id))
    leaders = np.flatnonzero(org.emp_role == LEADERSHIP)
    u = org.emp_unit[leaders]
    leaders = leaders[unit_off[u + 1] > unit_off[u]]
    k = rng.poisson(_scaled(noise.supervisor_checks, world.days), len(leaders))
    emp = np.repeat(leaders, k)
    ok, ts, _ = on_shift(rng, shifts, emp)
    emp = emp[ok]
    if len(emp) == 0:
        return
    u = org.emp_unit[emp]
    case = by_unit[uniform_in(rng, unit_off[u], unit_off[u + 1])]
    subj = crime.subject_person[uniform_in(rng, crime.subject_offsets[case], crime.subject_offsets[case + 1])]
    n = len(emp)
    cite = np.where(rng.random(n) < 0.7, case, -1)
    out.add(
        single(
            rng,
            np.r_[emp, emp],
            np.r_[ts, ts + rng.integers(10, 120, n)],
            np.r_[np.full(n, CASE), np.full(n, PERSON)],
            np.r_[case, subj],
            np.r_[cite, cite],
        )
    )
    out.label(emp, "supervisor")


# --- after the activity ----------------------------------------------------------------------------


def _in_windows(e: np.ndarray, ts: np.ndarray, windows, n_emp: int) -> np.ndarray:
    """Mask of the rows whose time ``ts`` falls in one of employee ``e``'s windows (emp, from, to)."""
    inside = np.zeros(len(ts), dtype=bool)
    if not windows or not len(ts):
        return inside
    emp, lo, hi = (np.concatenate(x) for x in zip(*windows, strict=True))
    order = np.lexsort((lo, emp))
    emp, lo, hi = emp[order], lo[order], hi[order]
    off = offsets(emp, n_emp)
    rows = np.flatnonzero(off[e + 1] > off[e])
    for j in range(int(np.max(np.diff(off), initial=0))):  # employees have only a few windows
        idx = off[e[rows]] + j
        valid = idx < off[e[rows] + 1]
        r, idx = rows[valid], idx[valid]
        inside[r] |= (ts[r] >= lo[idx]) & (ts[r] < hi[idx])
    return inside


def drop_work_elsewhere(events: Events, extra: Extra, n_emp: int) -> Events:
    """Remove normal look-ups of shifts spent deployed elsewhere (that work did not happen at home),
    in the old unit before a move, or while absent."""
    if not extra.drop:
        return events
    return events.rows(~_in_windows(events.emp, events.ts, extra.drop, n_emp))


def drop_absent(events: Events, extra: Extra | None, n_emp: int, keep=None) -> Events:
    """Remove look-ups (the planted look-alikes') of employees in the time they are absent;
    those of the employees ``keep`` (planted insiders: their sessions were placed knowing the
    absence, some from home on purpose) stay."""
    if extra is None or not extra.absent:
        return events
    gone = _in_windows(events.emp, events.ts, extra.absent, n_emp)
    if keep is not None and len(keep):
        gone &= ~np.isin(events.emp, keep)
    return events.rows(~gone)


def duplicate_lines(rng, events: Events, noise: Noise) -> Events:
    """Repeated lines: the same look-up logged twice seconds apart, and bursts of refreshes."""
    n = len(events)
    extra = (rng.random(n) < noise.duplicate_lines).astype(np.int64)
    burst = rng.random(n) < noise.refresh_bursts
    extra[burst] += rng.integers(5, 31, burst.sum())
    if not extra.any():
        return events
    idx, first, pos = runs(1 + extra)
    delay = elapsed_in_runs(rng.integers(0, 6, len(idx)), idx, first, pos)
    action = events.action[idx].copy()
    action[(pos > 0) & (action == SEARCH) & (rng.random(len(idx)) < 0.5)] = VIEW
    return events.rows(idx, ts=events.ts[idx] + delay, action=action)


def record_shifts(rng, world: World, shifts: Shifts, noise: Noise) -> Shifts:
    """Around the summer-time change some rosters are recorded an hour off (the old offset kept)."""
    change = _last_sunday_march(world.day) * DAY + HOUR  # 01:00 UTC, EU rule
    start, end = shifts.start.copy(), shifts.end.copy()
    wrong = (np.abs(start - change) < 4 * DAY) & (rng.random(len(start)) < noise.dst_error)
    moved = np.where(start[wrong] < change, HOUR, -HOUR)
    start[wrong] += moved
    end[wrong] += moved
    order = np.lexsort((start, shifts.emp))
    emp, start, end, area = shifts.emp[order], start[order], end[order], shifts.area[order]
    # a shift moved onto the start of another of the same employee would repeat a key
    keep = np.r_[True, (emp[1:] != emp[:-1]) | (start[1:] != start[:-1])]
    emp, start, end, area = emp[keep], start[keep], end[keep], area[keep]
    return Shifts(emp, start, end, area, offsets(emp, len(shifts.offsets) - 1))


def _last_sunday_march(day: int) -> int:
    """Day number of the last Sunday of March in the year of day number ``day``."""
    year = int(np.datetime64(int(day), "D").astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int((np.datetime64(f"{year}-04-01", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)) - 1
    return last - (int(weekday(last)) + 1) % 7


# --- the organisation changes during the log; rosters that are not recorded ------------------------


def _working(org) -> np.ndarray:
    """Employees who stay for the whole log (planted insiders too: they take part as anyone)."""
    return org.emp_end == NO_DATE


def _sessions_per_shift(world: World, emp: np.ndarray, start, end, activity: float) -> np.ndarray:
    """The mean number of sessions of a normal shift (busy factor 1) of each row's employee."""
    role = world.org.emp_role[emp]
    return _LOOKUPS_PER_SHIFT[role] / _SESSION_LENGTH[role] * (end - start) / (8.5 * HOUR) * activity


def _old_unit(rng, org, u: int) -> int:
    """The unit an employee of unit ``u`` came from: a unit of the same kind (70% in the region),
    or for staff of other units than basisteams a basisteam of the region (40%: promoted)."""
    kind, region = org.unit_kind[u], org.unit_region[u]
    basis = np.flatnonzero(org.unit_kind == BASISTEAM)
    basis_here = basis[org.unit_region[basis] == region]
    if kind != BASISTEAM and rng.random() < 0.4:
        pool = basis_here if len(basis_here) else basis
        return int(rng.choice(pool))
    same = np.flatnonzero((org.unit_kind == kind) & (np.arange(len(org.unit_kind)) != u))
    near = same[org.unit_region[same] == region]
    pool = near if len(near) and rng.random() < 0.7 else same
    if len(pool) == 0:
        pool = basis_here if len(basis_here) else basis
    return int(rng.choice(pool))


def _transfers(
    rng, world: World, shifts: Shifts, noise: Noise, out: Extra, activity: float, forbidden
) -> None:
    """Staff who moved unit during the log: ``employees`` gives the new unit (HR's current state).

    Before the move (local midnight of a day from the log's third day) their work is the old
    unit's: routine look-ups in its territory and work on one to three of its open cases, citing
    them mostly; the assignments to those cases are still listed (ending the day before the
    move) for a ``transfer_assigned`` share of the movers, missing for the others. Their
    assignments in the new unit start on the day of the move. A moved planted insider keeps
    the scenario: the old unit is not the owning unit of the scenario's cases (``forbidden``),
    nor are those among the old cases worked.
    """
    org, pop, geo, crime = world.org, world.pop, world.geo, world.crime
    if noise.transfers <= 0:
        return
    movers = np.flatnonzero(_working(org) & (rng.random(org.n_employees) < noise.transfers))
    if len(movers) == 0:
        return
    old = np.array([_old_unit(rng, org, int(u)) for u in org.emp_unit[movers].tolist()], dtype=np.int64)
    for i, e in enumerate(movers.tolist()):
        if e in forbidden:  # an insider's scenario: not from the unit that owns its case
            for _ in range(20):
                if int(old[i]) not in forbidden[e][1]:
                    break
                old[i] = _old_unit(rng, org, int(org.emp_unit[e]))
    first = min(2, world.days - 1)
    move_day = world.day + rng.integers(first, max(first + 1, world.days - 1), len(movers))
    move_ts = local_to_utc(move_day * DAY)
    out.drop.append((movers, np.full(len(movers), world.start - 2 * DAY), move_ts))
    out.moves = (movers, old, move_ts)
    # the new unit's cases start on arrival
    moved_on = np.full(org.n_employees, NO_DATE, dtype=np.int64)
    moved_on[movers] = move_day
    on = moved_on[crime.assign_emp]
    mine = (
        (on != NO_DATE)
        & (crime.assign_start < on)
        & ((crime.assign_end == NO_DATE) | (crime.assign_end >= on))
    )
    crime.assign_start = np.where(mine, moved_on[crime.assign_emp], crime.assign_start).astype(np.int64)
    # one to three open cases of the old unit each
    open_cases = np.flatnonzero(crime.case_open & (crime.case_kind != CASE_INTEGRITY))
    case_lists, new_rows = [], []
    role = org.emp_role[movers]
    for i, u in enumerate(old.tolist()):
        theirs = open_cases[crime.case_unit[open_cases] == u]
        if int(movers[i]) in forbidden:
            theirs = theirs[~np.isin(theirs, list(forbidden[int(movers[i])][0]))]
        if len(theirs) == 0 or role[i] not in (INVESTIGATION, INTELLIGENCE, LEADERSHIP, PATROL):
            case_lists.append(np.zeros(0, dtype=np.int64))
            continue
        cs = rng.choice(theirs, size=min(len(theirs), int(rng.integers(1, 4))), replace=False)
        case_lists.append(cs)
        if rng.random() < noise.transfer_assigned:
            a_role = ANALYST if role[i] == INTELLIGENCE else INVESTIGATOR
            for c in cs.tolist():
                begin = max(int(crime.case_opened[c]), int(world.day - rng.integers(20, 400)))
                begin = min(begin, int(move_day[i]) - 1)
                new_rows.append((c, int(movers[i]), a_role, begin, int(move_day[i]) - 1))
    if new_rows:
        add = np.array(new_rows, dtype=np.int64)
        crime.assign_case = np.r_[crime.assign_case, add[:, 0]]
        crime.assign_emp = np.r_[crime.assign_emp, add[:, 1]]
        crime.assign_role = np.r_[crime.assign_role, add[:, 2]]
        crime.assign_start = np.r_[crime.assign_start, add[:, 3]]
        crime.assign_end = np.r_[crime.assign_end, add[:, 4]]
        if crime.assign_recorded is not None:
            crime.assign_recorded = np.r_[crime.assign_recorded, np.ones(len(add), dtype=bool)]
    n_cases = np.array([len(c) for c in case_lists], dtype=np.int64)
    case_off = np.r_[0, np.cumsum(n_cases)]
    all_cases = np.concatenate(case_lists) if len(case_lists) else np.zeros(0, dtype=np.int64)
    # their shifts before the move, each with the normal number of sessions
    which = np.full(org.n_employees, -1, dtype=np.int64)
    which[movers] = np.arange(len(movers))
    rows = np.flatnonzero(which[shifts.emp] >= 0)
    m = which[shifts.emp[rows]]
    rows, m = rows[shifts.start[rows] < move_ts[m]], m[shifts.start[rows] < move_ts[m]]
    emp = shifts.emp[rows]
    k = rng.poisson(_sessions_per_shift(world, emp, shifts.start[rows], shifts.end[rows], activity))
    s = np.repeat(np.arange(len(rows)), k)
    if len(s) == 0:
        out.label(movers, "transferred")
        return
    r, m, emp = rows[s], m[s], emp[s]
    ts = uniform_in(rng, shifts.start[r], np.maximum(shifts.start[r] + 1, shifts.end[r] - 10 * MINUTE))
    limit = np.minimum(shifts.end[r] - 1, move_ts[m] - 1)
    ts = np.minimum(ts, limit)
    # routine work in the old territory: a basisteam's municipality (80%) or a neighbour
    lo_m, hi_m = geo.area_munis()
    area = org.unit_area[old[m]]
    lo, hi = pop.muni_offsets[lo_m[area]], pop.muni_offsets[hi_m[area]]
    muni = org.unit_muni[old[m]]
    nb = (muni >= 0) & (rng.random(len(s)) < 0.2)
    near = geo.muni_neighbours[muni[nb], rng.integers(0, geo.muni_neighbours.shape[1], nb.sum())]
    lo[nb], hi[nb] = pop.muni_offsets[near], pop.muni_offsets[near + 1]
    person = weighted_in(rng, world.cumulative_interest, lo, hi)
    # case work on the old unit's cases, as often as the role does case work
    cw = (n_cases[m] > 0) & (rng.random(len(s)) < _PURPOSE[org.emp_role[emp], 0])
    case = np.full(len(s), -1, dtype=np.int64)
    c = all_cases[uniform_in(rng, case_off[m[cw]], case_off[m[cw] + 1])]
    person[cw] = crime.subject_person[uniform_in(rng, crime.subject_offsets[c], crime.subject_offsets[c + 1])]
    case[cw] = np.where(rng.random(len(c)) < 0.88, c, -1)
    out.add(person_sessions(rng, pop, emp, ts, person, case, vehicle_p=0.25, address_p=0.2, limit=limit))
    files = np.flatnonzero(cw)[rng.random(int(cw.sum())) < 0.3]  # the case file too
    out.add(
        single(
            rng,
            emp[files],
            ts[files] + rng.integers(60, 600, len(files)),
            np.full(len(files), CASE),
            c[np.searchsorted(np.flatnonzero(cw), files)],
            case[files],
        )
    )
    out.label(movers, "transferred")


def _absences(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, activity: float) -> None:
    """Holidays and sickness: 1-3 weeks without shifts or look-ups, then a burst of catching up.

    The absence overlaps the log; the shifts in it are not worked (not recorded, see
    :func:`record_rosters`) and every look-up in it is removed. The first shift back holds
    ``catch_up`` times a normal shift's look-ups more, in its first hours: the own cases' files
    and subjects (60% when the employee has cases), the rest routine work in the territory.
    """
    org, pop, crime = world.org, world.pop, world.crime
    if noise.absence <= 0:
        return
    away = np.flatnonzero(_working(org) & (rng.random(org.n_employees) < noise.absence))
    if len(away) == 0:
        return
    length = rng.integers(7, 22, len(away))
    first = world.day - length + 1 + rng.integers(0, world.days + length - 1)
    lo, hi = local_to_utc(first * DAY), local_to_utc((first + length) * DAY)
    out.absent.append((away, lo, hi))
    out.drop.append((away, lo, hi))
    out.label(away, "absence")
    # the first shift that starts after the return, within the log
    key = shifts.emp.astype(np.int64) * (1 << 32) + shifts.start
    i = np.searchsorted(key, away.astype(np.int64) * (1 << 32) + hi)
    i_ok = np.minimum(i, len(key) - 1)
    ok = (i < len(key)) & (shifts.emp[i_ok] == away) & (shifts.start[i_ok] < world.end) & (hi > world.start)
    i = i_ok[ok]
    if len(i) == 0:
        return
    emp, start, end = shifts.emp[i], shifts.start[i], shifts.end[i]
    k = rng.poisson(noise.catch_up * _sessions_per_shift(world, emp, start, end, activity))
    s = np.repeat(np.arange(len(i)), k)
    emp = emp[s]
    ts = uniform_in(rng, start[s], start[s] + np.maximum(1, (end[s] - start[s]) * 6 // 10))
    lo_t, hi_t = _territory(world, emp)
    person = weighted_in(rng, world.cumulative_interest, lo_t, hi_t)
    has = world.emp_case_offsets[emp + 1] > world.emp_case_offsets[emp]
    cw = has & (rng.random(len(emp)) < 0.6)
    case = np.full(len(emp), -1, dtype=np.int64)
    c = world.emp_cases[uniform_in(rng, world.emp_case_offsets[emp[cw]], world.emp_case_offsets[emp[cw] + 1])]
    person[cw] = crime.subject_person[uniform_in(rng, crime.subject_offsets[c], crime.subject_offsets[c + 1])]
    case[cw] = np.where(rng.random(len(c)) < 0.9, c, -1)
    out.add(person_sessions(rng, pop, emp, ts, person, case, vehicle_p=0.2, address_p=0.2, limit=end[s] - 1))
    files = np.flatnonzero(cw)
    out.add(
        single(
            rng,
            emp[files],
            ts[files] + rng.integers(30, 300, len(files)),
            np.full(len(files), CASE),
            c,
            case[files],
        )
    )


def _roster_gaps(rng, world: World, noise: Noise, out: Extra) -> None:
    """Rosters that are not in ``shifts``: units whose roster system is not connected (half of
    them for part of the log: connected from, or cut off at, a moment in it), and flexible or
    part-time staff with 30-70% of their shifts not recorded. The work itself goes on."""
    org = world.org
    n_units = len(org.unit_id)
    units = np.flatnonzero(rng.random(n_units) < noise.unrostered_units)
    pad = 2 * DAY
    lo = np.full(n_units, world.start - pad, dtype=np.int64)
    hi = np.full(n_units, world.end + pad, dtype=np.int64)
    part = rng.random(len(units)) < 0.5
    cut = world.start + (rng.random(len(units)) * (world.end - world.start)).astype(np.int64)
    before = rng.random(len(units)) < 0.5  # connected from the cut on: rows before it missing
    hi[units[part & before]] = cut[part & before]
    lo[units[part & ~before]] = cut[part & ~before]
    chosen = np.zeros(n_units, dtype=bool)
    chosen[units] = True
    emp = np.flatnonzero(chosen[org.emp_unit])
    if len(emp):
        u = org.emp_unit[emp]
        out.unrecorded.append((emp, lo[u], hi[u]))
        out.label(emp, "unrostered")
    sparse = np.flatnonzero((org.emp_end == NO_DATE) & (rng.random(org.n_employees) < noise.sparse_rosters))
    sparse = sparse[~chosen[org.emp_unit[sparse]]]
    out.sparse = (sparse, rng.uniform(0.3, 0.7, len(sparse)))
    out.label(sparse, "sparse-roster")


def record_rosters(rng, shifts: Shifts, extra: Extra | None, n_emp: int) -> Shifts:
    """The shifts table as recorded: without the shifts of absences, of units whose roster
    system is not connected, and a share of the shifts of staff with sparse rosters."""
    if extra is None:
        return shifts
    drop = _in_windows(shifts.emp, shifts.start, extra.absent + extra.unrecorded, n_emp)
    if extra.sparse is not None and len(extra.sparse[0]):
        miss = np.zeros(n_emp)
        miss[extra.sparse[0]] = extra.sparse[1]
        drop |= rng.random(len(shifts.emp)) < miss[shifts.emp]
    else:
        rng.random(len(shifts.emp))
    keep = ~drop
    emp = shifts.emp[keep]
    return Shifts(emp, shifts.start[keep], shifts.end[keep], shifts.area[keep], offsets(emp, n_emp))


# --- legitimate work across the country without a case ----------------------------------------------


def _admins(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, activity: float) -> None:
    """Functional administrators, data-quality staff and auditors (support and information units).

    On 70% of their working days they check records: ``admin_lookups`` look-ups (at the medium
    preset's activity and above; proportionally fewer down to a quarter) of persons, addresses
    and vehicles anywhere in the country (regional staff 70% in their region), half drawn
    evenly (registration checks), half by police interest (records that are edited often),
    spread over the shift in one long sitting, no case. ``admin_evening`` of those days are an
    evening maintenance window (18:00-24:00) instead, off roster. About one subject-access
    request a week: everything of one person exported.
    """
    org, pop, geo = world.org, world.pop, world.geo
    if noise.admin_staff <= 0:
        return
    kinds = (LE_SUPPORT, LE_INTELLIGENCE, DRIO, REGIONAL_SUPPORT)
    pool = np.flatnonzero(
        _working(org) & np.isin(org.emp_role, (SUPPORT, INTELLIGENCE)) & np.isin(org.emp_kind, kinds)
    )
    n = min(len(pool), max(1, round(noise.admin_staff * org.n_employees / 1000)))
    if n == 0:
        return
    admins = np.sort(rng.choice(pool, size=n, replace=False))
    rows = np.flatnonzero(np.isin(shifts.emp, admins))
    rows = rows[rng.random(len(rows)) < 0.7]
    emp, start, end = shifts.emp[rows], shifts.start[rows], shifts.end[rows]
    evening = rng.random(len(rows)) < noise.admin_evening
    day = _local_day(start)
    ev_start = local_to_utc(day * DAY + rng.integers(18 * 60, 20 * 60, len(rows)) * MINUTE)
    ev_end = ev_start + rng.integers(2 * 60, 4 * 60, len(rows)) * MINUTE
    start, end = np.where(evening, ev_start, start), np.where(evening, ev_end, end)
    scale = float(np.clip(activity / 0.8, 0.25, 1.0))
    mean = noise.admin_lookups * scale * rng.uniform(0.5, 1.5, len(rows)) * np.where(evening, 0.5, 1.0)
    k = rng.poisson(mean)
    s = np.repeat(np.arange(len(rows)), k)
    e = emp[s]
    ts = uniform_in(rng, start[s], np.maximum(start[s] + 1, end[s] - MINUTE))
    lo = np.zeros(len(s), dtype=np.int64)
    hi = np.full(len(s), pop.n, dtype=np.int64)
    region = org.unit_region[org.emp_unit[e]]
    own = (region >= 0) & (rng.random(len(s)) < 0.7)
    first, last = geo.region_bounds()
    lo[own] = pop.muni_offsets[first[region[own]]]
    hi[own] = pop.muni_offsets[last[region[own]]]
    person = weighted_in(rng, world.cumulative_interest, lo, hi)
    even = rng.random(len(s)) < 0.5
    person[even] = uniform_in(rng, lo[even], hi[even])
    ttype = choose(rng, np.tile([0.7, 0.1, 0.2], (len(s), 1))) if len(s) else np.zeros(0, dtype=np.int64)
    ttype = np.array([PERSON, VEHICLE, ADDRESS])[ttype]
    v_lo, v_hi = pop.vehicle_offsets[person], pop.vehicle_offsets[person + 1]
    ttype[(ttype == VEHICLE) & (v_hi == v_lo)] = PERSON
    target = person.copy()
    v = ttype == VEHICLE
    target[v] = uniform_in(rng, v_lo[v], v_hi[v])
    a = ttype == ADDRESS
    target[a] = pop.address[person[a]]
    out.add(single(rng, e, ts, ttype, target, np.full(len(s), -1), search_p=0.3))
    # subject-access requests: everything the police hold of one person, exported
    k = rng.poisson(_scaled(30 / 7, world.days), len(admins))
    req = np.repeat(admins, k)
    ok, ts, _ = on_shift(rng, shifts, req)
    req = req[ok]
    who = rng.integers(0, pop.n, len(req))
    has_v = pop.vehicle_offsets[who + 1] > pop.vehicle_offsets[who]
    parts = [
        (req, ts, np.full(len(req), PERSON), who),
        (req, ts + 40, np.full(len(req), ADDRESS), pop.address[who]),
        (req[has_v], ts[has_v] + 80, np.full(int(has_v.sum()), VEHICLE), pop.vehicle_offsets[who[has_v]]),
    ]
    r_emp, r_ts, r_tt, r_tg = (np.concatenate(x) for x in zip(*parts, strict=True))
    exported = single(rng, r_emp, r_ts, r_tt, r_tg, np.full(len(r_emp), -1))
    exported.action[:] = EXPORT
    out.add(exported)
    out.label(admins, "functional-admin")
    out.admins = admins


def _info_requests(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Analysts of the intelligence services answer requests of other forces, foreign police
    (via the national unit), the CIE and the RIEC: persons anywhere in the country, by police
    interest, without a case, on shift."""
    org, pop = world.org, world.pop
    if noise.info_requests <= 0:
        return
    pool = np.flatnonzero(
        (org.emp_end == NO_DATE)
        & (org.emp_role == INTELLIGENCE)
        & np.isin(org.emp_kind, (DRIO, LE_INTELLIGENCE))
    )
    k = rng.poisson(_scaled(noise.info_requests, world.days), len(pool))
    emp = np.repeat(pool, k)
    ok, ts, end = on_shift(rng, shifts, emp)
    emp = emp[ok]
    if len(emp) == 0:
        return
    person = weighted_in(
        rng, world.cumulative_interest, np.zeros(len(emp), dtype=np.int64), np.full(len(emp), pop.n)
    )
    out.add(
        person_sessions(
            rng, pop, emp, ts, person, np.full(len(emp), -1), vehicle_p=0.3, address_p=0.4, limit=end
        )
    )
    out.label(emp, "info-request")


# --- staff looking up staff; traffic checks; incidents in the news --------------------------------


def _team_care(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Team leaders look up members of their own unit, HR and occupational-health advisers of the
    support units staff of their region (the national unit's: of the national unit): a colleague
    involved in an incident off duty, a complaint, a re-screening, the address for a sick-leave
    visit. The person, often the address, now and then the car; on shift, no case."""
    org, pop = world.org, world.pop
    if noise.team_care <= 0:
        return
    n = org.n_employees
    working = _working(org)
    leaders = working & (org.emp_role == LEADERSHIP)
    hr = (
        working
        & (org.emp_role == SUPPORT)
        & np.isin(org.emp_kind, (REGIONAL_SUPPORT, LE_SUPPORT))
        & (rng.random(n) < 0.3)
    )
    pool = np.flatnonzero(leaders | hr)
    k = rng.poisson(_scaled(noise.team_care, world.days) * np.where(hr[pool], 1.5, 1.0))
    emp = np.repeat(pool, k)
    ok, ts, end = on_shift(rng, shifts, emp)
    emp = emp[ok]
    if len(emp) == 0:
        return
    # whom: a leader's own unit (employees are ordered by unit); an adviser's region
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    region = org.unit_region[org.emp_unit]
    by_region = np.argsort(region, kind="stable")
    region_off = offsets(region[by_region] + 1, org.unit_region.max() + 2)
    u, r = org.emp_unit[emp], region[emp] + 1
    is_hr = hr[emp]
    lo = np.where(is_hr, region_off[r], unit_off[u])
    hi = np.where(is_hr, region_off[r + 1], unit_off[u + 1])
    keep = hi - lo > 1
    emp, ts, end, lo, hi, is_hr = emp[keep], ts[keep], end[keep], lo[keep], hi[keep], is_hr[keep]
    i = uniform_in(rng, lo, hi)
    other = np.where(is_hr, by_region[i], i)
    after = np.where(i + 1 < hi, i + 1, lo)  # not oneself: the next one
    other = np.where(other == emp, np.where(is_hr, by_region[after], after), other)
    person = org.emp_person[other]
    none = np.full(len(emp), -1)
    out.add(person_sessions(rng, pop, emp, ts, person, none, vehicle_p=0.15, address_p=0.5, limit=end))
    out.label(emp, "team-care")


def _traffic_checks(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, activity: float) -> None:
    """Traffic checks: highway patrol of the Dienst Infrastructuur and a quarter of basisteam patrol
    (traffic enforcement, mobile field checks) check plates in bursts during a shift, one every
    half minute to three minutes, 15-80 (at the medium preset's activity and above; fewer down to
    a quarter), of cars from anywhere: on a motorway mostly from the whole country, at a local
    check half from the municipality. A fifth of the plates are followed by the driver (the
    owner, or another adult of the household), a few by the address; no case."""
    org, pop, geo = world.org, world.pop, world.geo
    if noise.traffic_checks <= 0:
        return
    n = org.n_employees
    working = _working(org) & (org.emp_role == PATROL)
    highway = working & (org.emp_kind == LE_INFRASTRUCTURE)
    local = working & (org.emp_kind == BASISTEAM) & (rng.random(n) < 0.25)
    pool = np.flatnonzero(highway | local)
    k = rng.poisson(_scaled(noise.traffic_checks, world.days) * np.where(highway[pool], 2.0, 1.0))
    emp = np.repeat(pool, k)
    ok, ts, end = on_shift(rng, shifts, emp)
    emp = emp[ok]
    if len(emp) == 0:
        return
    scale = float(np.clip(activity / 0.8, 0.25, 1.0))
    plates = np.maximum(5, np.round(rng.integers(15, 81, len(emp)) * scale)).astype(np.int64)
    idx, first, pos = runs(plates)
    stamp = np.minimum(ts[idx] + elapsed_in_runs(rng.integers(30, 181, len(idx)), idx, first, pos), end[idx])
    e = emp[idx]
    # where the car is registered: the country, the region, the municipality
    own = org.unit_muni[org.emp_unit[e]]
    first_m, last_m = geo.region_bounds()
    region = np.where(own >= 0, geo.muni_region[np.maximum(own, 0)], rng.integers(0, geo.n_regions, len(idx)))
    u = rng.random(len(idx))
    country = np.where(own >= 0, u < 0.3, u < 0.7)
    here = (own >= 0) & (u >= 0.5)
    lo = np.where(country, 0, pop.muni_offsets[first_m[region]])
    hi = np.where(country, pop.n, pop.muni_offsets[last_m[region]])
    lo = np.where(here, pop.muni_offsets[np.maximum(own, 0)], lo)
    hi = np.where(here, pop.muni_offsets[np.maximum(own, 0) + 1], hi)
    v_lo, v_hi = pop.vehicle_offsets[lo], pop.vehicle_offsets[hi]
    has = v_hi > v_lo
    e, stamp, end_i = e[has], stamp[has], end[idx][has]
    vehicle = uniform_in(rng, v_lo[has], v_hi[has])
    parts = [single(rng, e, stamp, np.full(len(e), VEHICLE), vehicle, np.full(len(e), -1), search_p=0.8)]
    driver = rng.random(len(e)) < 0.2
    who = pop.vehicle_owner[vehicle[driver]]
    if noise.shared_vehicle > 0:
        from graphrisk.generate.activity import shared_driver

        who = shared_driver(rng, pop, who, noise.shared_vehicle)
    d_ts = np.minimum(stamp[driver] + rng.integers(5, 40, len(who)), end_i[driver])
    parts.append(single(rng, e[driver], d_ts, np.full(len(who), PERSON), who, np.full(len(who), -1)))
    home = rng.random(len(who)) < 0.15
    parts.append(
        single(
            rng,
            e[driver][home],
            np.minimum(d_ts[home] + rng.integers(5, 40, int(home.sum())), end_i[driver][home]),
            np.full(int(home.sum()), ADDRESS),
            pop.address[who[home]],
            np.full(int(home.sum()), -1),
        )
    )
    for part in parts:
        out.add(part)
    out.label(emp, "traffic-control")


def _shift_in(rng, shifts: Shifts, e: int, lo: int, hi: int) -> tuple[int, int] | None:
    """A moment in a shift of ``e`` within [lo, hi) and the end of that shift; None if none."""
    start, end = shifts.of(e)
    return moment_in_shift(rng, start, end, lo, hi, 15 * MINUTE)


def _news(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, curious: bool) -> None:
    """An incident in the national news (a shooting, a missing child, a well-known person
    arrested): its persons become subjects (victim, suspect) of an open local case of the
    municipality's basisteam (else of the region). For 48 hours the staff who work it look them
    up: 5-20 of the owning unit, the region's Recherche and DRIO, on their shifts, with the
    case mostly (``lookalike:news-incident``). Staff with no role anywhere look too
    (``news_curious`` per 1,000 employees): one or two look-ups, most in the first day, 70% on
    shift, no case. That is a breach of the rules, in real forces as here, and they are labelled
    ``insider:news-curiosity`` (only when insiders are planted at all: ``curious``)."""
    org, pop, geo, crime = world.org, world.pop, world.geo, world.crime
    if noise.news_incidents <= 0:
        return
    rate = _scaled(noise.news_incidents, world.days)
    n = int(rate) + int(rng.random() < rate - int(rate))  # at least one a month in the realistic range
    local_open = np.flatnonzero(crime.case_open & (crime.case_kind == CASE_LOCAL))
    if n == 0 or len(local_open) == 0:
        return
    working = _working(org)
    emp_region = org.unit_region[org.emp_unit]
    vips = np.flatnonzero(pop.flags & FLAG_VIP)
    honest_rows: list[tuple[int, int, int, int, int]] = []  # emp, ts, target type, target, case
    curious_rows: list[tuple[int, int, int, int, int]] = []
    honest_all: list[int] = []
    subjects: list[tuple[int, int, int]] = []
    for _ in range(n):
        muni = int(rng.choice(geo.n_munis, p=geo.muni_weight))
        region = int(geo.muni_region[muni])
        owners = crime.case_unit[local_open]
        here = local_open[org.unit_muni[owners] == muni]
        pool_c = here if len(here) else local_open[org.unit_region[owners] == region]
        c = int(rng.choice(pool_c if len(pool_c) else local_open))
        lo, hi = int(pop.muni_offsets[muni]), int(pop.muni_offsets[muni + 1])
        victim = int(rng.integers(lo, hi))
        suspect = int(weighted_in(rng, world.cumulative_interest, np.array([lo]), np.array([hi]))[0])
        people = [victim, suspect]
        subjects += [(c, victim, VICTIM), (c, suspect, SUSPECT)]
        if len(vips) and rng.random() < 0.3:  # a well-known person is involved
            people.append(int(rng.choice(vips)))
            subjects.append((c, people[-1], WITNESS))
        targets = [(PERSON, p) for p in people] + [(ADDRESS, int(pop.address[p])) for p in people[:2]]
        targets += [(CASE, c)]
        t0 = int(world.start + rng.integers(0, max(1, world.end - world.start - 6 * HOUR)))
        t1 = t0 + 48 * HOUR
        on_case = np.zeros(org.n_employees, dtype=bool)
        on_case[crime.assign_emp[crime.assign_case == c]] = True
        owner = int(crime.case_unit[c])
        involved = working & (
            (org.emp_unit == owner)
            | on_case
            | (
                (emp_region == region)
                & np.isin(org.emp_kind, (DRR, DRIO))
                & np.isin(org.emp_role, (INVESTIGATION, INTELLIGENCE))
            )
        )
        pool = np.flatnonzero(involved)
        team = rng.choice(pool, size=min(len(pool), int(rng.integers(5, 21))), replace=False)
        for e in team.tolist():
            for _ in range(int(rng.integers(1, 4))):
                slot = _shift_in(rng, shifts, e, t0, t1)
                if slot is None:
                    break
                ts = slot[0]
                cite = c if rng.random() < 0.75 else -1
                for j in rng.integers(0, len(targets), int(rng.integers(2, 5))).tolist():
                    honest_rows.append((e, ts, targets[j][0], targets[j][1], cite))
                    ts = min(ts + int(rng.integers(10, 120)), slot[1])
                honest_all.append(e)
        if not curious:
            continue
        others = np.flatnonzero(working & ~involved)
        m = min(len(others), int(rng.poisson(noise.news_curious * org.n_employees / 1000)))
        for e in rng.choice(others, size=m, replace=False).tolist():
            late = min(t0 + (24 * HOUR if rng.random() < 0.7 else 48 * HOUR), world.end - 3 * HOUR)
            slot = _shift_in(rng, shifts, e, t0, late) if rng.random() < 0.7 else None
            ts = slot[0] if slot is not None else int(rng.integers(t0, late))
            for j in range(int(rng.integers(1, 3))):
                p = people[0] if j == 0 and rng.random() < 0.5 else int(rng.choice(people))
                curious_rows.append((e, ts, PERSON, p, -1))
                ts += int(rng.integers(10, 90))
                if rng.random() < 0.15:
                    curious_rows.append((e, ts, ADDRESS, int(pop.address[p]), -1))
                    ts += int(rng.integers(10, 60))
    _add_subjects(crime, subjects)
    if honest_rows:
        a = np.array(honest_rows, dtype=np.int64)
        out.add(single(rng, a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], search_p=0.5))
        out.label(honest_all, "news-incident")
    if curious_rows:
        a = np.array(curious_rows, dtype=np.int64)
        # someone away (leave, sickness) at the time is not counted: their look-ups would be removed
        away = _in_windows(a[:, 0], a[:, 1], out.absent, org.n_employees)
        a = a[~np.isin(a[:, 0], a[away, 0])]
        if len(a):
            out.add(single(rng, a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], search_p=0.6))
            out.label(a[:, 0], "insider:news-curiosity")


# --- round 5: leavers, handovers, shared logins, canvasses, missing persons ---------------------


def add_leavers(rng, world: World, insiders, callouts, noise: Noise) -> np.ndarray:
    """More contracts end in the log (retirement, resignation, a temporary contract running out):
    a ``leavers`` share of the staff who would stay for the whole log, planted insiders as often as
    anyone, get an end date (their last working day) from the log's fourth day to its second-last;
    ``employees.end_date`` says so and they work no shift after it. Someone who must still be at
    work later (a planted insider's leak window, a raid call-out) leaves after that, or not in the
    log. Drawn after the plan, before the shifts. Returns the new leavers."""
    org = world.org
    if noise.leavers <= 0 or world.days < 5:
        return np.zeros(0, dtype=np.int64)
    who = np.flatnonzero(_working(org) & (rng.random(org.n_employees) < noise.leavers))
    end = world.day + rng.integers(3, world.days - 1, len(who))
    needed: dict[int, int] = {}
    for ins in insiders:
        if ins.window is not None:
            needed[ins.emp] = max(needed.get(ins.emp, 0), int(ins.window[1]))
    for e, _, t in callouts:
        needed[int(e)] = max(needed.get(int(e), 0), int(t))
    last = world.day + world.days - 2
    keep = np.ones(len(who), dtype=bool)
    for i, e in enumerate(who.tolist()):
        if e in needed:
            day = int(utc_to_local(np.array([needed[e]]))[0] // DAY)
            end[i] = max(int(end[i]), day)
            keep[i] = end[i] <= last
    who, end = who[keep], end[keep]
    org.emp_end = org.emp_end.copy()
    org.emp_end[who] = end
    return who


def _leaving_at(world: World, emp: np.ndarray) -> np.ndarray:
    """The UTC second after the last working day of each leaver."""
    return local_to_utc((world.org.emp_end[emp] + 1) * DAY)


def _case_targets(crime: Crime, pop: Population, c: int, rng, k: int) -> list[tuple[int, int]]:
    """The case file and ``k`` of its subjects (now and then their address)."""
    s = crime.subject_person[crime.subject_offsets[c] : crime.subject_offsets[c + 1]]
    items = [(CASE, int(c))]
    for p in rng.choice(s, size=min(len(s), k), replace=False).tolist() if len(s) else []:
        items.append((PERSON, int(p)))
        if rng.random() < 0.3:
            items.append((ADDRESS, int(pop.address[p])))
    return items


def _sitting(rng, rows: list, e: int, ts: int, stop: int, items, case: int, gap=(10, 120)) -> None:
    """One sitting: ``items`` looked up one after another from ``ts``, not past ``stop``."""
    for ttype, target in items:
        rows.append((e, ts, ttype, target, case))
        ts = min(ts + int(rng.integers(*gap)), stop)


def _rows_to_events(rng, rows, search_p=0.3, export_p=0.0) -> Events:
    a = np.array(rows, dtype=np.int64).reshape(-1, 5)
    ev = single(rng, a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], search_p=search_p)
    if export_p > 0:
        ev.action[(rng.random(len(ev)) < export_p) & (ev.target_type != CASE)] = EXPORT
    return ev


def _handovers(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, forbidden) -> None:
    """Before they leave, or go away on leave or sick for 1-3 weeks, staff with cases hand them
    over (a ``handover`` share of them): on their last one to three shifts they go through each
    own case (up to five), the file and a few subjects, citing it, and export now and then (the
    handover report). A colleague of the unit who is not on those cases (the assignment lists lag)
    picks them up in one to three sessions on their shifts from the day before to ten days after:
    the files and subjects, citing the case 70% of the time. Both are ``lookalike:handover``."""
    org, pop, crime = world.org, world.pop, world.crime
    if noise.handover <= 0:
        return
    has_case = np.diff(world.emp_case_offsets) > 0
    leaving = np.flatnonzero((org.emp_end != NO_DATE) & has_case)
    givers, until = [leaving], [_leaving_at(world, leaving)]
    for emp, lo, _ in out.absent:
        m = has_case[emp] & (lo > world.start + DAY)  # an absence that starts in the log
        givers.append(emp[m])
        until.append(lo[m])
    g, t = np.concatenate(givers), np.concatenate(until)
    pick = (rng.random(len(g)) < noise.handover) & (t > world.start + DAY)
    g, t = g[pick], t[pick]
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    working = _working(org)
    rows: list[tuple[int, int, int, int, int]] = []
    exported: list[tuple[int, int, int, int, int]] = []
    who: list[int] = []
    for e, t_end in zip(g.tolist(), t.tolist(), strict=True):
        cases = world.emp_cases[world.emp_case_offsets[e] : world.emp_case_offsets[e + 1]][:5]
        start, end = shifts.of(e)
        last = np.flatnonzero((start < t_end) & (end > world.start) & (start > t_end - 10 * DAY))
        last = last[-int(rng.integers(1, 4)) :]
        if len(last) == 0:
            continue
        for j, c in enumerate(cases.tolist()):
            i = int(last[j % len(last)])
            lo_s, hi_s = int(max(start[i], world.start)), int(min(end[i], t_end)) - 1
            if hi_s - lo_s < 20 * MINUTE:
                continue
            ts = int(rng.integers(lo_s, hi_s - 10 * MINUTE))
            cite = c if rng.random() < 0.9 else -1
            _sitting(
                rng, exported, e, ts, hi_s, _case_targets(crime, pop, c, rng, int(rng.integers(1, 4))), cite
            )
        # the colleague who takes over
        u = int(org.emp_unit[e])
        pool = np.arange(unit_off[u], unit_off[u + 1])
        pool = pool[(pool != e) & working[pool]]
        on = set(crime.assign_emp[np.isin(crime.assign_case, cases)].tolist())
        pool = np.array(
            [
                x
                for x in pool.tolist()
                if x not in on and not (x in forbidden and set(cases.tolist()) & forbidden[x][0])
            ],
            dtype=np.int64,
        )
        if len(pool) == 0:
            who.append(e)
            continue
        s = int(rng.choice(pool))
        for _ in range(int(rng.integers(1, 4))):
            slot = _shift_in(rng, shifts, s, t_end - DAY, t_end + 10 * DAY)
            if slot is None:
                break
            c = int(rng.choice(cases))
            cite = c if rng.random() < 0.7 else -1
            _sitting(
                rng,
                rows,
                s,
                slot[0],
                slot[1],
                _case_targets(crime, pop, c, rng, int(rng.integers(1, 4))),
                cite,
            )
        who += [e, s]
    if exported:
        out.add(_rows_to_events(rng, exported, search_p=0.2, export_p=0.12))
    if rows:
        out.add(_rows_to_events(rng, rows, search_p=0.3))
    out.label(who, "handover")


def _harvest(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, curious: bool) -> None:
    """Leavers who take data with them (a ``leaver_harvest`` share of everyone whose contract ends
    in the log; only when insiders are planted at all: ``curious``): in their last 10-28 days,
    15-60 look-ups in sittings of two to six, on shift mostly, with exports: the files and
    subjects of the unit's open cases they are not on, persons of police interest in their
    region (with address or car), the own cases' subjects; now and then citing an own case. They
    hand over their own cases as honest leavers do (:func:`_handovers`). ``insider:leaver-harvest``."""
    org, pop, geo, crime = world.org, world.pop, world.geo, world.crime
    if noise.leaver_harvest <= 0 or not curious:
        return
    leaving = np.flatnonzero(org.emp_end != NO_DATE)
    leaving = leaving[rng.random(len(leaving)) < noise.leaver_harvest]
    if len(leaving) == 0:
        return
    t_ends = _leaving_at(world, leaving)
    open_cases = np.flatnonzero(crime.case_open & (crime.case_kind != CASE_INTEGRITY))
    first, last = geo.region_bounds()
    rows: list[tuple[int, int, int, int, int]] = []
    shares: list[float] = []
    stealth = noise.stealth
    for e, t_end in zip(leaving.tolist(), t_ends.tolist(), strict=True):
        lo = max(world.start, t_end - int(rng.integers(10, 29)) * DAY)
        if t_end - lo < DAY:
            continue
        mine = world.emp_cases[world.emp_case_offsets[e] : world.emp_case_offsets[e + 1]]
        unit_cases = open_cases[crime.case_unit[open_cases] == org.emp_unit[e]]
        unit_cases = unit_cases[~np.isin(unit_cases, mine)]
        r = int(org.unit_region[org.emp_unit[e]])
        if r >= 0:
            p_lo, p_hi = int(pop.muni_offsets[first[r]]), int(pop.muni_offsets[last[r]])
        else:
            p_lo, p_hi = 0, pop.n
        left = int(rng.integers(15, 61))
        export_p = float(rng.uniform(0.1, 0.4)) * (1 - 0.5 * stealth)
        mine_rows = []
        while left > 0:
            u = rng.random()
            if u < 0.4 and len(unit_cases):
                items = _case_targets(crime, pop, int(rng.choice(unit_cases)), rng, int(rng.integers(1, 5)))
            elif u < 0.8 or not len(mine):
                p = int(weighted_in(rng, world.cumulative_interest, np.array([p_lo]), np.array([p_hi]))[0])
                items = [(PERSON, p)]
                if rng.random() < 0.5:
                    items.append((ADDRESS, int(pop.address[p])))
                v_lo, v_hi = pop.vehicle_offsets[p], pop.vehicle_offsets[p + 1]
                if v_hi > v_lo and rng.random() < 0.3:
                    items.append((VEHICLE, int(v_lo)))
            else:
                items = _case_targets(crime, pop, int(rng.choice(mine)), rng, int(rng.integers(1, 5)))[1:]
            items = items[: max(1, min(left, int(rng.integers(2, 7))))]
            left -= max(1, len(items))  # an own case without subjects gives nothing: still a try
            if not items:
                continue
            slot = _shift_in(rng, shifts, e, lo, t_end) if rng.random() < 0.6 + 0.3 * stealth else None
            if slot is None:  # an evening at home
                day = int(utc_to_local(np.array([int(rng.integers(lo, t_end))]))[0] // DAY)
                ts = int(
                    local_to_utc(np.array([day * DAY + int(rng.integers(18 * 60, 23 * 60)) * MINUTE]))[0]
                )
                if not lo <= ts < t_end:
                    continue
                slot = (ts, min(ts + HOUR, t_end - 1))
            cite = int(rng.choice(mine)) if len(mine) and rng.random() < 0.2 + 0.4 * stealth else -1
            _sitting(rng, mine_rows, e, slot[0], slot[1], items, cite, gap=(10, 90))
        rows += mine_rows
        shares += [export_p] * len(mine_rows)
    if rows:
        ev = _rows_to_events(rng, rows, search_p=0.4)
        ev.action[(rng.random(len(ev)) < np.array(shares)) & (ev.target_type != CASE)] = EXPORT
        out.add(ev)
        out.label(ev.emp, "insider:leaver-harvest")


def _shared_login(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, forbidden) -> None:
    """A colleague works under an employee's login (a shared desk terminal, a car's tablet, a
    session not logged off): in a ``shared_login`` share of the shifts of basisteam and intake
    staff a colleague of the same unit runs one to four sessions on it: their own case's subjects
    (half the time, when they have cases; citing it 80%), otherwise routine work in the
    territory. The log names the employee who was logged in (``lookalike:shared-login``), who
    is not on that case."""
    org, pop, crime = world.org, world.pop, world.crime
    if noise.shared_login <= 0:
        return
    desk = (
        _working(org)
        & np.isin(org.emp_kind, (BASISTEAM, INTAKE_SERVICE))
        & np.isin(org.emp_role, (PATROL, INTAKE, INVESTIGATION))
    )
    rows = np.flatnonzero(desk[shifts.emp] & (rng.random(len(shifts.emp)) < noise.shared_login))
    owner = shifts.emp[rows]
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    u = org.emp_unit[owner]
    lo, hi = unit_off[u], unit_off[u + 1]
    ok = hi - lo > 1
    rows, owner, lo, hi = rows[ok], owner[ok], lo[ok], hi[ok]
    if len(rows) == 0:
        return
    i = uniform_in(rng, lo, hi - 1)
    worker = np.where(i >= owner, i + 1, i)
    k = rng.integers(1, 5, len(rows))
    s = np.repeat(np.arange(len(rows)), k)
    start, end = shifts.start[rows[s]], shifts.end[rows[s]]
    ts = uniform_in(rng, start, np.maximum(start + 1, end - 10 * MINUTE))
    e, w = owner[s], worker[s]
    lo_t, hi_t = _territory(world, e)
    person = weighted_in(rng, world.cumulative_interest, lo_t, hi_t)
    has = world.emp_case_offsets[w + 1] > world.emp_case_offsets[w]
    cw = np.flatnonzero(has & (rng.random(len(s)) < 0.5))
    c = world.emp_cases[uniform_in(rng, world.emp_case_offsets[w[cw]], world.emp_case_offsets[w[cw] + 1])]
    subj = crime.subject_person[uniform_in(rng, crime.subject_offsets[c], crime.subject_offsets[c + 1])]
    allowed = np.array(
        [
            not (x in forbidden and y in forbidden[x][0])
            for x, y in zip(e[cw].tolist(), c.tolist(), strict=True)
        ],
        dtype=bool,
    )
    cw, c, subj = cw[allowed], c[allowed], subj[allowed]
    person[cw] = subj
    case = np.full(len(s), -1, dtype=np.int64)
    case[cw] = np.where(rng.random(len(cw)) < 0.8, c, -1)
    out.add(person_sessions(rng, pop, e, ts, person, case, vehicle_p=0.25, address_p=0.2, limit=end - 1))
    out.label(owner, "shared-login")


def _canvass(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """Street canvasses (buurtonderzoek) after a burglary, a robbery, an assault: ``canvass`` per 30
    days per basisteam and district investigation team. Two to six officers of the team go door
    to door in one street (15-60 residents in a row of the territory: households and neighbours)
    on one or two days: each address looked up, then some of its residents, one door after the
    next, citing an open local case of the team (80%; no case when it has none). Officers without
    a shift then are called in (30%) or skip it. ``lookalike:canvass``."""
    org, pop, crime = world.org, world.pop, world.crime
    if noise.canvass <= 0:
        return
    teams = np.flatnonzero(np.isin(org.unit_kind, (BASISTEAM, DISTRICT_INVESTIGATION)))
    k = rng.poisson(_scaled(noise.canvass, world.days), len(teams))
    local = np.flatnonzero(crime.case_open & (crime.case_kind == CASE_LOCAL))
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    street_staff = _working(org) & np.isin(org.emp_role, (PATROL, INVESTIGATION))
    rows: list[tuple[int, int, int, int, int]] = []
    staff: list[int] = []
    for u in np.repeat(teams, k).tolist():
        pool = np.arange(unit_off[u], unit_off[u + 1])
        pool = pool[street_staff[pool]]
        if len(pool) == 0:
            continue
        cases = local[crime.case_unit[local] == u]
        c = int(rng.choice(cases)) if len(cases) else -1
        officers = rng.choice(pool, size=min(len(pool), int(rng.integers(2, 7))), replace=False)
        lo_t, hi_t = int(world.emp_lo[officers[0]]), int(world.emp_hi[officers[0]])
        n = int(rng.integers(15, 61))
        a = int(rng.integers(lo_t, max(lo_t + 1, hi_t - n)))
        people = np.arange(a, min(hi_t, a + n))
        if len(people) == 0:
            continue
        doors = np.unique(pop.address[people])
        rng.shuffle(doors)
        day = world.day + int(rng.integers(0, world.days))
        lo_d = int(local_to_utc(np.array([day * DAY]))[0])
        hi_d = int(local_to_utc(np.array([(day + 2) * DAY]))[0])
        for e, mine in zip(officers.tolist(), np.array_split(doors, len(officers)), strict=True):
            if len(mine) == 0:
                continue
            slot = _shift_in(rng, shifts, e, lo_d, hi_d)
            if slot is None:
                if rng.random() >= 0.3:
                    continue
                ts = int(
                    local_to_utc(np.array([day * DAY + int(rng.integers(10 * 60, 17 * 60)) * MINUTE]))[0]
                )
                slot = (ts, ts + 4 * HOUR)
            ts, stop = slot
            cite = c if rng.random() < 0.8 else -1
            for d in mine.tolist():
                items = [(ADDRESS, d)]
                living = people[pop.address[people] == d]
                if len(living):
                    items += [(PERSON, int(p)) for p in living[: int(rng.integers(0, 4))]]
                _sitting(rng, rows, e, ts, stop, items, cite, gap=(15, 90))
                ts = min(rows[-1][1] + int(rng.integers(60, 480)), stop)
            staff.append(e)
    if rows:
        out.add(_rows_to_events(rng, rows, search_p=0.6))
        out.label(staff, "canvass")


def _missing_persons(rng, world: World, shifts: Shifts, noise: Noise, out: Extra) -> None:
    """A missing child, a confused elderly person, someone feared suicidal: ``missing_persons`` per
    region per 30 days. For the 2-24 hours until they are found, 10-40 operational staff of the
    region (those on shift then, at most 30% of them; 15% called in without one) and up to five
    of other regions or the Dienst Infrastructuur (a national alert) look them up: the person
    first, then the address, the vehicles of the household, relatives and friends; one to four
    look-ups each. The report is
    an incident in BVH, not an investigation: no case. ``lookalike:missing-person``."""
    org, pop, geo = world.org, world.pop, world.geo
    if noise.missing_persons <= 0:
        return
    n = int(rng.poisson(_scaled(noise.missing_persons, world.days) * geo.n_regions))
    if n == 0:
        return
    indptr, nbrs = pop.relations.adjacency(pop.n)
    emp_region = org.unit_region[org.emp_unit]
    operational = _working(org) & np.isin(org.emp_role, (PATROL, INTAKE, INTELLIGENCE, INVESTIGATION))
    highway = operational & (org.emp_kind == LE_INFRASTRUCTURE)
    age = pop.age(world.day)
    rows: list[tuple[int, int, int, int, int]] = []
    staff: list[int] = []
    for _ in range(n):
        muni = int(rng.choice(geo.n_munis, p=geo.muni_weight))
        region = int(geo.muni_region[muni])
        lo, hi = int(pop.muni_offsets[muni]), int(pop.muni_offsets[muni + 1])
        if hi <= lo:
            continue
        cand = rng.integers(lo, hi, 40)
        vulnerable = cand[(age[cand] < 16) | (age[cand] >= 75)]
        p = int(vulnerable[0]) if len(vulnerable) and rng.random() < 0.7 else int(cand[0])
        hh = pop.household[p]
        home = np.arange(pop.hh_start[hh], pop.hh_start[hh] + 8)
        home = home[(home < pop.n) & (pop.household[np.minimum(home, pop.n - 1)] == hh)]
        ties = nbrs[indptr[p] : indptr[p + 1]][:4]
        around = np.unique(np.r_[home, ties]).astype(np.int64)
        around = around[around != p]
        targets = [(ADDRESS, int(pop.address[p]))]
        targets += [(PERSON, int(q)) for q in around.tolist()]
        for q in np.r_[[p], home].tolist():
            targets += [(VEHICLE, int(v)) for v in range(pop.vehicle_offsets[q], pop.vehicle_offsets[q + 1])]
        t0 = int(world.start + rng.integers(0, max(1, world.end - world.start - 3 * HOUR)))
        t1 = t0 + int(rng.integers(2, 25)) * HOUR
        here = np.flatnonzero(operational & (emp_region == region))
        far = np.flatnonzero((operational & (emp_region != region) & (emp_region >= 0)) | highway)
        want = min(int(rng.integers(10, 41)), max(3, round(0.3 * len(here))))
        tried = rng.choice(here, size=min(len(here), 3 * want), replace=False) if len(here) else here
        extra = (
            rng.choice(far, size=min(len(far), int(rng.integers(0, 6))), replace=False) if len(far) else far
        )
        got = 0
        for e in np.r_[tried, extra].astype(np.int64).tolist():
            if got >= want and e in tried:
                continue
            slot = _shift_in(rng, shifts, e, t0, t1)
            if slot is None:
                if rng.random() >= 0.15:
                    continue
                ts = int(rng.integers(t0, t1))
                slot = (ts, ts + HOUR)
            items = [(PERSON, p)]
            for j in rng.integers(0, len(targets), int(rng.integers(0, 4))).tolist():
                items.append(targets[j])
            _sitting(rng, rows, e, slot[0], slot[1], items, -1, gap=(10, 180))
            staff.append(e)
            got += 1
    if rows:
        out.add(_rows_to_events(rng, rows, search_p=0.6))
        out.label(staff, "missing-person")


# --- clocks ---------------------------------------------------------------------------------------


class Clocks:
    """One system writing local time as UTC from ``local_from`` on; another running ahead,
    ``drift`` seconds by the log's end (linearly from nothing at its start)."""

    def __init__(
        self, local_system: int, local_from: int, drift_system: int, drift: float, start: int, end: int
    ):
        self.local_system, self.local_from = local_system, local_from
        self.drift_system, self.drift = drift_system, drift
        self.start, self.end = start, end


def clocks(rng, world: World, noise: Noise) -> Clocks | None:
    """The clock errors of a world (None when the profile has none)."""
    if noise.clock_local <= 0 and noise.clock_drift <= 0:
        return None
    local, drift = rng.choice(4, size=2, replace=False).tolist()
    span = world.end - world.start
    local_from = world.end - int(noise.clock_local * span)
    return Clocks(int(local), int(local_from), int(drift), noise.clock_drift * MINUTE, world.start, world.end)


def skew_clocks(events: Events, c: Clocks | None) -> Events:
    """Log lines with the system's clock errors; every line moves later, never earlier (so the
    day-by-day log can still finish a day once the next one starts)."""
    if c is None or not len(events):
        return events
    ts = events.ts.copy()
    m = (events.system == c.local_system) & (ts >= c.local_from)
    ts[m] = utc_to_local(ts[m])
    d = events.system == c.drift_system
    ts[d] += np.maximum(0, c.drift * (ts[d] - c.start) / max(1, c.end - c.start)).astype(np.int64)
    return events.rows(slice(None), ts=ts)


# --- round 6: administrators who abuse their access, cases registered late --------------------------


def _admin_abuse(rng, world: World, shifts: Shifts, noise: Noise, out: Extra, curious: bool) -> None:
    """Functional administrators, data-quality staff and auditors who abuse their broad access (an
    ``admin_abuse`` share of them; only when insiders are planted at all: ``curious``). Their job
    touches hundreds of records a day without a case, so a look-up of their own network hides in
    it: 6-30 look-ups per 30 days (times 1 - s/2) of relatives, friends and neighbours within two
    ties (60%), colleagues of their region (20%) and VIPs (20%), one to three
    at a time (the person, now and then the address or the car), inside a working day of checks
    (on shift with chance 0.7 + 0.3 s, else an evening at home), citing no case as their honest
    work does; exported now and then (5% × (1 - s), a subject-access request's export is their
    honest habit). Never in an absence. ``insider:admin-abuse``."""
    org, pop = world.org, world.pop
    if noise.admin_abuse <= 0 or not curious or not len(out.admins):
        return
    chosen = out.admins[rng.random(len(out.admins)) < noise.admin_abuse]
    if len(chosen) == 0:
        return
    stealth = noise.stealth
    indptr, nbrs = pop.relations.adjacency(pop.n)
    emp_region = org.unit_region[org.emp_unit]
    sensitive = np.flatnonzero(pop.flags & FLAG_VIP)
    rows: list[tuple[int, int, int, int, int]] = []
    for e in chosen.tolist():
        me = int(org.emp_person[e])
        one = np.unique(nbrs[indptr[me] : indptr[me + 1]])
        two = np.unique(np.concatenate([nbrs[indptr[q] : indptr[q + 1]] for q in one.tolist()] or [one]))
        network = np.setdiff1d(np.r_[one, two], [me])
        same = np.flatnonzero((emp_region == emp_region[e]) & (np.arange(org.n_employees) != e))
        colleagues = org.emp_person[same] if len(same) else np.zeros(0, dtype=np.int64)
        n = max(2, int(rng.poisson(_scaled(rng.uniform(6, 30), world.days) * (1 - 0.5 * stealth))))
        for _ in range(n):
            u = rng.random()
            pool = network if u < 0.6 else (colleagues if u < 0.8 else sensitive)
            if len(pool) == 0:
                pool = network if len(network) else colleagues
            if len(pool) == 0:
                continue
            p = int(rng.choice(pool))
            items = [(PERSON, p)]
            if rng.random() < 0.3:
                items.append((ADDRESS, int(pop.address[p])))
            v_lo, v_hi = int(pop.vehicle_offsets[p]), int(pop.vehicle_offsets[p + 1])
            if v_hi > v_lo and rng.random() < 0.2:
                items.append((VEHICLE, v_lo))
            slot = (
                _shift_in(rng, shifts, e, world.start, world.end)
                if rng.random() < 0.7 + 0.3 * stealth
                else None
            )
            if slot is None:  # an evening at home, as their maintenance windows are
                day = world.day + int(rng.integers(0, world.days))
                ts = int(
                    local_to_utc(np.array([day * DAY + int(rng.integers(18 * 60, 23 * 60)) * MINUTE]))[0]
                )
                if not world.start <= ts < world.end:
                    continue
                slot = (ts, min(ts + HOUR, world.end - 1))
            _sitting(rng, rows, e, slot[0], slot[1], items, -1, gap=(20, 150))
    if not rows:
        return
    ev = _rows_to_events(rng, rows, search_p=0.5, export_p=0.05 * (1 - stealth))
    if out.absent:  # never while away: the label must stand on look-ups that are in the log
        ev = ev.rows(~_in_windows(ev.emp, ev.ts, out.absent, org.n_employees))
    if len(ev):
        out.add(ev)
        out.label(ev.emp, "insider:admin-abuse")


def _late_cases(rng, world: World, noise: Noise, out: Extra) -> None:
    """Investigations start before the paperwork: a ``late_cases`` share of the open cases (local and
    against organisations; none with a planned action, none with an assignment that has ended) are
    registered 1-10 days into the log (``opened_on``), and their assignments with them (a later
    start stays). The work on them runs from the log's first day as before; until the registration
    the look-ups citing the case keep the number (a case number reserved in BVH, filled in later:
    half the cases) or cite nothing (it did not exist yet: the other half). The case file itself
    (the preliminary file) is looked up as before. :func:`unregistered` rewrites the citations."""
    crime = world.crime
    if noise.late_cases <= 0 or world.days < 3:
        return
    pool = np.flatnonzero(crime.case_open & (crime.case_kind != CASE_INTEGRITY))
    ended = np.unique(crime.assign_case[crime.assign_end != NO_DATE])
    pool = pool[~np.isin(pool, ended) & ~np.isin(pool, crime.action_case)]
    late = pool[rng.random(len(pool)) < noise.late_cases]
    if len(late) == 0:
        return
    reg_day = world.day + rng.integers(1, max(2, min(11, world.days - 1)), len(late))
    backfilled = rng.random(len(late)) < 0.5
    crime.case_opened = crime.case_opened.copy()
    crime.case_opened[late] = reg_day
    day_of = np.full(crime.n_cases, NO_DATE, dtype=np.int64)
    day_of[late] = reg_day
    d = day_of[crime.assign_case]
    crime.assign_start = np.where(d != NO_DATE, np.maximum(crime.assign_start, d), crime.assign_start)
    order = np.argsort(late)
    out.late = (late[order], local_to_utc(reg_day * DAY)[order], backfilled[order])


def unregistered(events: Events, extra: Extra | None) -> Events:
    """The look-ups with the citations of cases not registered yet (:func:`_late_cases`): before its
    registration a case that was not backfilled is cited by nothing (its file is still looked up)."""
    if extra is None or extra.late is None or not len(events):
        return events
    cases, reg_ts, backfilled = extra.late
    i = np.searchsorted(cases, events.case)
    i = np.minimum(i, len(cases) - 1)
    hit = (events.case >= 0) & (cases[i] == events.case) & ~backfilled[i] & (events.ts < reg_ts[i])
    if not hit.any():
        return events
    return events.rows(slice(None), case=np.where(hit, -1, events.case))


# --- round 6: persons with two records --------------------------------------------------------------


def duplicate_persons(rng, world: World, noise: Noise) -> None:
    """Persons registered twice (a second registration in BVH with another spelling, an old record
    not merged): a ``duplicate_persons`` share of the persons, by police interest (the often
    registered are the often duplicated), get a second person record: a spelling variant of the
    name, the same address, the birth date with a typo now and then (15%), no flags (a protected
    or VIP flag sits on the main record only). A share of the look-ups of the person (10-60% per
    person, by searcher and ten-minute slot: :func:`to_duplicates`) land on the second record, and
    each tie the police know from BVH, CIE or open sources (not the BRP's) moves to it with chance
    one half: the relation graph does not link the two, nor the second record to the family. Drawn
    after every look-up (the whole window) or applied to each day as it is written (by day)."""
    pop = world.pop
    if noise.duplicate_persons <= 0:
        return
    n = pop.n
    p = np.minimum(1.0, noise.duplicate_persons * pop.interest / max(float(pop.interest.mean()), 1e-9))
    orig = np.flatnonzero(rng.random(n) < p)
    if len(orig) == 0:
        return
    share = np.zeros(n)
    share[orig] = rng.uniform(0.1, 0.6, len(orig))
    birth = pop.birth[orig] + np.where(rng.random(len(orig)) < 0.15, rng.integers(-40, 41, len(orig)), 0)
    second = np.full(n, -1, dtype=np.int64)
    second[orig] = n + np.arange(len(orig))
    a, b, kind, source, since = pop.relations.arrays()
    movable = source != SOURCE_BRP_CODE
    move_a = movable & (second[a] >= 0) & (rng.random(len(a)) < 0.5)
    move_b = movable & ~move_a & (second[b] >= 0) & (rng.random(len(b)) < 0.5)
    a = np.where(move_a, second[a], a)
    b = np.where(move_b, second[b], b)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((kind, hi, lo))
    pop.relations.replace(lo[order], hi[order], kind[order], source[order], since[order])
    pop.dup_of, pop.dup_share, pop.dup_birth = orig, share, birth


def to_duplicates(events: Events, pop: Population) -> Events:
    """The look-ups of persons with a second record (:func:`duplicate_persons`), a share of them on
    it: decided by the searcher and the ten-minute slot (the same search finds the same record),
    without a random stream, so both access-log paths do the same."""
    if pop.dup_of is None or not len(events):
        return events
    person = events.target_type == PERSON
    share = np.zeros(len(events))
    share[person] = pop.dup_share[events.target[person]]
    key = (
        events.emp.astype(np.uint64) * np.uint64(1_000_003) + (events.ts // 600).astype(np.uint64)
    ) * np.uint64(2_654_435_761)
    u = (key % np.uint64(1 << 32)).astype(np.float64) / float(1 << 32)
    hit = person & (u < share)
    if not hit.any():
        return events
    second = np.full(pop.n, -1, dtype=np.int64)
    second[pop.dup_of] = pop.n + np.arange(len(pop.dup_of))
    return events.rows(
        slice(None), target=np.where(hit, second[np.where(hit, events.target, 0)], events.target)
    )
