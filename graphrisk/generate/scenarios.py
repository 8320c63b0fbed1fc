"""Planted insiders and their legitimate look-alikes, with the ground truth.

Each insider scenario adds look-ups (and, where the scenario needs one, a
tie) on top of the insider's normal work; each look-alike group is a set of
employees whose legitimate behaviour trips a naive version of some rule.
See docs/datasets.md for what every scenario and group looks like.

Insider scenarios (``insider:<id>`` in ground_truth):

- ``curious-family``: own family, partner's family, friends.
- ``criminal-relative``: a relative or partner in a criminal organisation;
  look-ups of its members, their vehicles and addresses, its open cases and
  their subjects.
- ``pre-raid-leak``: subjects, addresses and the case file of an
  investigation in the 72 hours before its raid, by someone not on the case.
- ``colleague-ex-vip``: colleagues, an ex-partner and their new household, VIPs.
- ``bulk-browsing``: dozens of persons in another region, off shift.
- ``low-and-slow``: about one look-up a week at subjects of an open case
  against an organisation two ties away, on shift, often with a pretext case.

Look-alike groups (``lookalike:<id>``): ``assigned-investigator``,
``national-unit``, ``night-shift``, ``intake-desk``, ``border-resident``,
``large-family``, ``criminal-relative-clean``, ``integrity-investigator``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from graphrisk.generate._common import (
    DAY,
    HOUR,
    MINUTE,
    NO_DATE,
    local_to_utc,
    moment_in_shift,
    offsets,
    utc_to_local,
)
from graphrisk.generate.activity import (
    ADDRESS,
    BRP,
    BVH,
    BVI,
    CASE,
    EXPORT,
    PERSON,
    RDW,
    SEARCH,
    VEHICLE,
    VIEW,
    Events,
    Shifts,
    World,
)
from graphrisk.generate.crime import (
    CASE_INTEGRITY,
    CASE_ORG,
    INFORMANT,
    INVESTIGATOR,
    LEAD,
    SUSPECT,
    VICTIM,
    WITNESS,
)
from graphrisk.generate.organisation import (
    ASPIRANT,
    BASISTEAM,
    BRIGADIER,
    CIVILIAN,
    HOOFDAGENT,
    INTAKE,
    INTELLIGENCE,
    INVESTIGATION,
    LEADERSHIP,
    PATROL,
    VIK,
    Geography,
    Organisation,
)
from graphrisk.generate.population import (
    ACQUAINTANCE,
    BRP_HISTORY,
    FAMILY,
    FLAG_VIP,
    FRIEND,
    NEIGHBOUR,
    OPEN_SOURCE,
    PARTNER,
    YEAR,
    Nearby,
)
from graphrisk.generate.population import BRP as SOURCE_BRP
from graphrisk.generate.population import CIE as SOURCE_CIE
from graphrisk.generate.presets import Preset

__all__ = [
    "LOOKALIKES",
    "PROXIED",
    "SCENARIOS",
    "Plan",
    "choose_border_residents",
    "choose_proxies",
    "plan",
    "planted_events",
]

#: Insider scenarios and the share of planted insiders each gets.
SCENARIOS = {
    "curious-family": 0.35,
    "criminal-relative": 0.12,
    "pre-raid-leak": 0.10,
    "colleague-ex-vip": 0.20,
    "bulk-browsing": 0.10,
    "low-and-slow": 0.13,
}
LOOKALIKES = (
    "assigned-investigator",
    "national-unit",
    "night-shift",
    "intake-desk",
    "border-resident",
    "large-family",
    "criminal-relative-clean",
    "integrity-investigator",
)
PRE_ACTION = 72 * HOUR
#: The scenarios whose insider may get a friend to look up for them (profiles, ``proxy``): the
#: personal stories, whose targets a colleague can look up without knowing the case.
PROXIED = ("curious-family", "criminal-relative", "colleague-ex-vip")


@dataclass
class Insider:
    emp: int
    scenario: str
    targets: list[tuple[int, int]] = field(default_factory=list)  # (target type, target)
    window: tuple[int, int] | None = None  # (first, last) second for the look-ups
    case: int = -1  # the case whose raid is leaked
    browse: tuple[int, int] | None = None  # person range browsed
    params: dict = field(default_factory=dict)  # profiles: the scenario's drawn parameters


@dataclass
class Plan:
    insiders: list[Insider]
    labels: list[tuple[int, str]]
    night: np.ndarray
    callouts: list[tuple[int, int, int]]
    preparation: list[tuple[int, int, int, int]]  # (employee, case, first, last second)
    relatives: list[tuple[int, np.ndarray]]  # large families: (employee, relatives in the territory)
    proxies: list[tuple[int, int]] = field(default_factory=list)  # profiles: (insider, proxy)


def choose_border_residents(
    rng: np.random.Generator, geo: Geography, org: Organisation, preset: Preset
) -> np.ndarray:
    """Pick basisteam staff to live just across their territory's border; -1 for the others.

    Prefers neighbours in another region, then in another district.
    """
    home = np.full(org.n_employees, -1)
    own = org.unit_muni[org.emp_unit]
    nb = geo.muni_neighbours
    other_region = geo.muni_region[nb] != geo.muni_region[:, None]
    other_district = geo.muni_district[nb] != geo.muni_district[:, None]
    across = np.where(other_region.any(axis=1)[:, None], other_region, other_district)
    ok_muni = across.any(axis=1)
    street = np.isin(org.emp_role, (PATROL, INTAKE, INVESTIGATION))
    pool = np.flatnonzero((own >= 0) & street & ok_muni[np.maximum(own, 0)])
    if len(pool) == 0:
        return home
    n = min(len(pool), max(preset.min_per_group, round(0.03 * len(pool))))
    picked = rng.choice(pool, size=n, replace=False)
    for e in picked:
        m = own[e]
        home[e] = rng.choice(nb[m][across[m]])
    return home


def plan(
    rng: np.random.Generator,
    world: World,
    preset: Preset,
    prevalence: float,
    noise=None,
    second: np.random.Generator | None = None,
) -> Plan:
    """Choose the insiders and look-alikes and plant the ties their stories need.

    The order is fixed: groups that follow from the organisation, the night roster, the
    insiders scenario by scenario, then (profiles: ``noise.second_scenario``, drawn from the
    stream ``second``) a second scenario for some of them, then the look-alikes.
    """
    p = _Planner(rng, world, preset.min_per_group, noise)
    p.natural_groups()
    night = p.night_roster()
    total = round(prevalence * p.n_emp)
    for scenario, share in SCENARIOS.items():
        wanted = max(p.least, round(total * share)) if prevalence > 0 else 0
        getattr(p, scenario.replace("-", "_"))(wanted)
    if p.varied and noise.second_scenario > 0 and p.insiders and second is not None:
        p.second_scenarios(second, noise.second_scenario)
    p.labels += [(i.emp, f"insider:{i.scenario}") for i in p.insiders]
    relatives = p.large_family()
    p.criminal_relative_clean()
    callouts, preparation = p.assigned_investigators()
    labels = sorted({(e, x if x.startswith("insider:") else f"lookalike:{x}") for e, x in p.labels})
    return Plan(p.insiders, labels, night, callouts, preparation, relatives)


class _Planner:
    """The state shared while planting: who is taken, the labels so far, lookup helpers."""

    def __init__(self, rng: np.random.Generator, world: World, least: int, noise=None) -> None:
        self.rng, self.world, self.least = rng, world, least
        # profiles other than baseline: varied, stealthier scenarios (``stealth`` in [0, 1])
        self.varied = noise is not None and noise.enabled
        self.stealth = noise.stealth if self.varied else 0.0
        org, pop, crime = world.org, world.pop, world.crime
        self.org, self.pop, self.crime = org, pop, crime
        self.n_emp = org.n_employees
        self.person = org.emp_person
        self.emp_region = org.unit_region[org.emp_unit]
        self.indptr, self.nbrs = pop.relations.adjacency(pop.n)
        self.adults = Nearby(world.geo, pop.adults, pop.muni[pop.adults])
        self.active = crime.active_assignments(world.day)
        self.assigned_cases = _assigned_cases(crime, self.n_emp)
        self.open_org_cases = np.flatnonzero(crime.case_open & (crime.case_kind == CASE_ORG))
        self.labels: list[tuple[int, str]] = []
        self.insiders: list[Insider] = []
        self.used = np.zeros(self.n_emp, dtype=bool)
        self.only: int | None = None  # a second scenario: the one employee it is planted for
        self.large = np.zeros(self.n_emp, dtype=bool)  # the large-family look-alikes
        # who may be an insider, and how likely
        weight = np.ones(self.n_emp)
        weight[np.isin(org.emp_rank, (HOOFDAGENT, BRIGADIER))] *= 2
        weight[org.emp_rank == CIVILIAN] *= 1.5
        weight[org.emp_rank == ASPIRANT] *= 0.5
        weight[org.emp_role == LEADERSHIP] *= 0.4
        integrity = crime.subject_person[crime.case_kind[crime.subject_case] == CASE_INTEGRITY]
        weight[(org.emp_end != NO_DATE) | (org.emp_kind == VIK) | np.isin(self.person, integrity)] = 0
        self.weight = weight

    # --- helpers ---

    def candidates(self, mask=None) -> np.ndarray:
        """Employees not yet taken, in a random order favouring the usual suspects' ranks.

        While a second scenario is planted (``self.only``) the one candidate is that insider,
        if the story's ``mask`` allows.
        """
        if self.only is not None:
            e = self.only
            ok = self.weight[e] > 0 and (mask is None or bool(np.broadcast_to(mask, (self.n_emp,))[e]))
            return np.array([e] if ok else [], dtype=np.int64)
        w = self.weight * ~self.used * (1 if mask is None else mask)
        pool = np.flatnonzero(w > 0)
        if len(pool) == 0:
            return pool
        return self.rng.choice(pool, size=len(pool), replace=False, p=w[pool] / w[pool].sum())

    def take(self, insider: Insider) -> None:
        self.insiders.append(insider)
        self.used[insider.emp] = True

    def count(self, scenario: str) -> int:
        return sum(i.scenario == scenario for i in self.insiders)

    def recruits(self, scenario: str, wanted: int, mask=None) -> Iterator[int]:
        """Candidates (see :meth:`candidates`) for ``scenario``, one at a time, until ``wanted``
        of its insiders are taken; a candidate the story does not fit is simply passed over.

        Lazy, like the loop every scenario used to write out: the candidates are drawn
        when the first one is asked for.
        """
        for e in self.candidates(mask):
            if self.count(scenario) >= wanted:
                return
            yield e

    def members(self, o: int) -> np.ndarray:
        return self.crime.member_person[self.crime.member_offsets[o] : self.crime.member_offsets[o + 1]]

    def subjects(self, c: int, roles=(SUSPECT,)) -> np.ndarray:
        crime = self.crime
        s = slice(crime.subject_offsets[c], crime.subject_offsets[c + 1])
        return crime.subject_person[s][np.isin(crime.subject_role[s], roles)]

    def vehicle(self, p: int) -> list[tuple[int, int]]:
        """The person's first vehicle as a target, if they have one."""
        off = self.pop.vehicle_offsets
        return [(VEHICLE, int(off[p]))] if off[p + 1] > off[p] else []

    def tie(self, a: int, b: int, kind: int, source: int, years: tuple[float, float] | None) -> None:
        """Plant one tie, known since a random number of ``years`` (None: no date)."""
        since = NO_DATE
        if years is not None:
            since = self.world.day - int(self.rng.integers(int(years[0] * YEAR), int(years[1] * YEAR)))
        self.pop.relations.add([a], [b], kind, source, since)

    def near(self, p: int, modes) -> int:
        """An adult living near person ``p``."""
        return int(self.adults.draw(self.rng, np.array([self.pop.muni[p]]), modes=modes)[0])

    # Story pieces that the baseline scenarios and their varied versions (the realism
    # profiles) share. Each draws from ``self.rng`` in the order the scenarios always
    # did, so that the baseline output stays byte-identical.

    def people_targets(self, people: np.ndarray, detailed: int) -> list[tuple[int, int]]:
        """The persons, and the vehicle and address of the first ``detailed`` of them."""
        targets = [(PERSON, int(p)) for p in people]
        for p in people[:detailed]:
            targets += [*self.vehicle(p), (ADDRESS, int(self.pop.address[p]))]
        return targets

    def relatives_in_orgs(self, wanted: int) -> Iterator[tuple[int, int, int]]:
        """(employee, organisation, member) for the criminal-relative scenario, until ``wanted``
        are taken: an organisation with open cases (often of the own region) and the member
        who is to be the employee's relative.

        An employee who works on a case against the drawn organisation is passed over: the
        insider is not on its case.
        """
        crime, rng = self.crime, self.rng
        orgs = np.unique(crime.case_org[self.open_org_cases])
        if len(orgs) == 0:
            return
        for e in self.recruits("criminal-relative", wanted):
            local = orgs[crime.org_region[orgs] == self.emp_region[e]]
            o = int(rng.choice(local if len(local) and rng.random() < 0.6 else orgs))
            if np.isin(self.assigned_cases[e], np.flatnonzero(crime.case_org == o)).any():
                continue
            yield e, o, int(rng.choice(self.members(o)))

    def org_targets(self, o: int) -> list[tuple[int, int]]:
        """An organisation's world: its members, their addresses and vehicles, its own address,
        and its open cases with their suspects, witnesses and victims."""
        pop, crime = self.pop, self.crime
        targets = []
        for p in self.members(o):
            targets += [(PERSON, int(p)), (ADDRESS, int(pop.address[p]))]
            vs = range(pop.vehicle_offsets[p], pop.vehicle_offsets[p + 1])
            targets += [(VEHICLE, int(v)) for v in vs]
        if crime.org_address[o] >= 0:
            targets.append((ADDRESS, int(crime.org_address[o])))
        for c in self.open_org_cases[crime.case_org[self.open_org_cases] == o]:
            targets.append((CASE, int(c)))
            targets += [(PERSON, int(p)) for p in self.subjects(int(c), (SUSPECT, WITNESS, VICTIM))]
        return targets

    def leak_opportunities(self, wanted: int) -> Iterator[tuple[int, int]]:
        """(case, time) of planned actions against organisations, in a random order and round
        again, until ``wanted`` pre-raid leaks are taken or five tries each were spent.

        Only actions whose 72 hours before fall in the log (the action itself may come
        just after it).
        """
        crime, world = self.crime, self.world
        upcoming = [
            (int(c), int(t))
            for c, t in zip(crime.action_case, crime.action_ts, strict=True)
            if crime.case_kind[c] == CASE_ORG and world.start + 2 * HOUR <= t < world.end + PRE_ACTION - HOUR
        ]
        if not upcoming or not wanted:
            return
        order = self.rng.permutation(len(upcoming))
        for i in range(wanted * 5):
            if self.count("pre-raid-leak") >= wanted:
                return
            yield upcoming[order[i % len(upcoming)]]

    def off_case_candidates(self, c: int, same_region: bool) -> np.ndarray:
        """Candidates neither assigned to case ``c`` nor in its unit (a leak comes from
        outside the team); only the region of its organisation if ``same_region``."""
        crime, org = self.crime, self.org
        on_case = np.zeros(self.n_emp, dtype=bool)
        on_case[crime.assign_emp[crime.assign_case == c]] = True
        region = crime.org_region[crime.case_org[c]]
        allowed = ~on_case & (org.emp_unit != crime.case_unit[c])
        return self.candidates(allowed & ((self.emp_region == region) if same_region else True))

    def leak_targets(self, c: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """The suspects of case ``c``, and what a leak looks up: the case file, the suspects,
        their addresses and the organisation's address."""
        crime = self.crime
        suspects = self.subjects(c)
        targets = [(CASE, c)] + [(PERSON, int(p)) for p in suspects]
        targets += [(ADDRESS, int(self.pop.address[p])) for p in suspects]
        if crime.org_address[crime.case_org[c]] >= 0:
            targets.append((ADDRESS, int(crime.org_address[crime.case_org[c]])))
        return suspects, targets

    def maybe_befriend_suspect(self, e: int, suspects: np.ndarray) -> None:
        """The route in for some leaks (30%): the employee is a friend of one of the suspects."""
        if self.rng.random() < 0.3 and len(suspects):
            self.tie(self.person[e], int(self.rng.choice(suspects)), FRIEND, OPEN_SOURCE, (0.5, 10))

    def ex_partner(self, e: int) -> int:
        """Plant an ex-partner living nearby (a past partner tie); -1 if none was found."""
        ex = self.near(self.person[e], (0.5, 0.3, 0.15, 0.05))
        if ex == self.person[e]:
            return -1
        self.tie(self.person[e], ex, PARTNER, BRP_HISTORY, (1, 12))
        return ex

    def other_region(self, e: int) -> int:
        """A random region other than the employee's."""
        return int(self.rng.choice(np.flatnonzero(np.arange(self.world.geo.n_regions) != self.emp_region[e])))

    def region_persons(self, r: int) -> tuple[int, int]:
        """The range of persons living in region ``r`` (persons are ordered by municipality)."""
        first, last = self.world.geo.region_bounds()
        return int(self.pop.muni_offsets[first[r]]), int(self.pop.muni_offsets[last[r]])

    def route_to_case(self, e: int, c: int) -> bool:
        """Plant the two ties from ``e`` to case ``c``'s organisation: a friend nearby who is an
        acquaintance of a member. False (nothing planted) if no suitable friend was drawn."""
        rng = self.rng
        members = self.members(int(self.crime.case_org[c]))
        friend = self.near(self.person[e], (0.7, 0.2, 0.1, 0.0))
        if friend == self.person[e] or np.isin(friend, members):
            return False
        self.tie(self.person[e], friend, FRIEND, OPEN_SOURCE, (1, 20))
        self.tie(friend, int(rng.choice(members)), ACQUAINTANCE, SOURCE_CIE, (1, 10))
        return True

    # --- groups that follow from the organisation ---

    def natural_groups(self) -> None:
        org, crime, role = self.org, self.crime, self.org.emp_role
        operational = org.emp_national & np.isin(role, (PATROL, INVESTIGATION, INTELLIGENCE))
        self.labels += [(int(e), "national-unit") for e in np.flatnonzero(operational)]
        self.labels += [(int(e), "intake-desk") for e in np.flatnonzero(role == INTAKE)]
        self.labels += [(int(e), "border-resident") for e in np.flatnonzero(self.world.border)]
        integrity = self.active & (crime.case_kind[crime.assign_case] == CASE_INTEGRITY)
        self.labels += [(int(e), "integrity-investigator") for e in np.unique(crime.assign_emp[integrity])]

    def night_roster(self) -> np.ndarray:
        org = self.org
        pool = np.flatnonzero(
            (org.emp_kind == BASISTEAM) & np.isin(org.emp_role, (PATROL, INTAKE)) & ~self.world.border
        )
        night = np.zeros(self.n_emp, dtype=bool)
        n = min(len(pool), max(self.least, round(0.08 * len(pool))))
        night[self.rng.choice(pool, size=n, replace=False)] = True
        self.labels += [(int(e), "night-shift") for e in np.flatnonzero(night)]
        return night

    # --- insider scenarios ---

    def curious_family(self, wanted: int) -> None:
        """Own family, partner's family, friends: targets within two ties."""
        if self.varied:
            return self.curious_family_varied(wanted)
        rng = self.rng
        for e in self.recruits("curious-family", wanted):
            one, two = _hops(self.indptr, self.nbrs, self.person[e])
            if len(one) + len(two) < 3:
                continue
            k = int(rng.integers(2, 7))
            near = (
                rng.choice(one, size=min(len(one), max(1, round(k * 0.6))), replace=False) if len(one) else []
            )
            far = rng.choice(two, size=min(len(two), k - len(near)), replace=False) if len(two) else []
            people = np.r_[near, far].astype(np.int64)
            self.take(Insider(int(e), "curious-family", self.people_targets(people, 2)))

    def criminal_relative(self, wanted: int) -> None:
        """A relative or partner in an organisation under investigation, and its world looked up."""
        if self.varied:
            return self.criminal_relative_varied(wanted)
        rng = self.rng
        for e, o, m in self.relatives_in_orgs(wanted):
            if rng.random() < 0.3:
                self.tie(self.person[e], m, PARTNER, SOURCE_BRP, (0.5, 6))
            else:
                self.tie(self.person[e], m, FAMILY, SOURCE_BRP, None)
            self.take(Insider(int(e), "criminal-relative", self.org_targets(o)))

    def pre_raid_leak(self, wanted: int) -> None:
        """Someone off the case looks up its subjects in the 72 hours before a planned action."""
        if self.varied:
            return self.pre_raid_leak_varied(wanted)
        rng, world = self.rng, self.world
        for c, t in self.leak_opportunities(wanted):
            lo, hi = max(t - PRE_ACTION, world.start), min(t - 30 * MINUTE, world.end)
            if hi - lo < HOUR:
                continue
            pool = self.off_case_candidates(c, same_region=rng.random() < 0.7)
            if len(pool) == 0:
                continue
            e = int(pool[0])
            suspects, targets = self.leak_targets(c)
            self.maybe_befriend_suspect(e, suspects)
            self.take(Insider(e, "pre-raid-leak", targets, window=(lo, hi), case=c))

    def colleague_ex_vip(self, wanted: int) -> None:
        """Any mix of colleagues, an ex-partner and their new household, and VIPs."""
        if self.varied:
            return self.colleague_ex_vip_varied(wanted)
        rng, pop, org = self.rng, self.pop, self.org
        vips = np.flatnonzero(pop.flags & FLAG_VIP)
        unit_off = offsets(org.emp_unit, len(org.unit_id))
        for e in self.recruits("colleague-ex-vip", wanted):
            kinds = rng.random(3) < (0.6, 0.4, 0.4)
            if not kinds.any():
                kinds[rng.integers(0, 3)] = True
            targets = []
            if kinds[0]:
                if rng.random() < 0.6:
                    pool = np.arange(unit_off[org.emp_unit[e]], unit_off[org.emp_unit[e] + 1])
                else:
                    pool = np.flatnonzero(self.emp_region == self.emp_region[e])
                pool = pool[pool != e]
                for c in rng.choice(pool, size=min(len(pool), int(rng.integers(2, 6))), replace=False):
                    targets.append((PERSON, int(self.person[c])))
            if kinds[1]:
                ex = self.ex_partner(e)
                if ex >= 0:  # the ex-partner's new household
                    hh = pop.household[ex]
                    start = pop.hh_start[hh]
                    housemates = np.flatnonzero(pop.household[start : start + 6] == hh) + start
                    targets += [(PERSON, int(p)) for p in housemates]
                    targets += [(ADDRESS, int(pop.address[ex])), *self.vehicle(ex)]
            if kinds[2] or not targets:
                picked = rng.choice(vips, size=int(rng.integers(1, 3)), replace=False)
                targets += [(PERSON, int(p)) for p in picked]
            self.take(Insider(int(e), "colleague-ex-vip", targets))

    def bulk_browsing(self, wanted: int) -> None:
        """Persons of another region, browsed off shift; never the national unit (no 'outside')."""
        if self.varied:
            return self.bulk_browsing_varied(wanted)
        for e in self.recruits("bulk-browsing", wanted, self.emp_region >= 0):
            r = self.other_region(e)
            self.take(Insider(int(e), "bulk-browsing", browse=self.region_persons(r)))

    def low_and_slow(self, wanted: int) -> None:
        """A friend of an associate, and about one careful look-up a week of an open case's suspects."""
        if self.varied:
            return self.low_and_slow_varied(wanted)
        rng, crime, org = self.rng, self.crime, self.org
        for e in self.recruits("low-and-slow", wanted, self.emp_region >= 0):
            cases = self.open_org_cases[crime.case_unit[self.open_org_cases] != org.emp_unit[e]]
            cases = cases[~np.isin(cases, self.assigned_cases[e])]
            if len(cases) == 0:
                continue
            c = int(rng.choice(cases))
            if not self.route_to_case(e, c):
                continue
            suspects = self.subjects(c)
            targets = [(PERSON, int(p)) for p in suspects]
            for p in suspects[:3]:
                targets += self.vehicle(p)
            self.take(Insider(int(e), "low-and-slow", targets, case=c))

    # --- the varied, stealthier scenarios of the realism profiles ---

    def curious_family_varied(self, wanted: int) -> None:
        """5-8 relatives and acquaintances within two ties, 15-30 look-ups over two months."""
        rng = self.rng
        for e in self.recruits("curious-family", wanted):
            one, two = _hops(self.indptr, self.nbrs, self.person[e])
            k = int(rng.integers(5, 9))
            if len(one) + len(two) < k:
                continue
            n_near = min(len(one), round(k * 0.6))
            near = rng.choice(one, size=n_near, replace=False) if n_near else np.empty(0, dtype=np.int64)
            far = rng.choice(two, size=min(len(two), k - n_near), replace=False) if len(two) else []
            people = np.r_[near, far].astype(np.int64)
            targets = self.people_targets(people, 3)
            params = {"lookups_per_60_days": int(rng.integers(15, 31))}
            self.take(Insider(int(e), "curious-family", targets, params=params))

    def criminal_relative_varied(self, wanted: int) -> None:
        """A partner, a relative, or an in-law two ties away in an organisation; look-ups spread thin."""
        rng, pop = self.rng, self.pop
        for e, o, m in self.relatives_in_orgs(wanted):
            me = int(self.person[e])
            u = rng.random()
            partner = _household_partner(pop, me)
            if u < 0.3:
                self.tie(me, m, PARTNER, SOURCE_BRP, (0.5, 6))
            elif u < 0.6 or partner < 0:
                self.tie(me, m, FAMILY, SOURCE_BRP, None)
            else:  # the partner's brother: an in-law, two ties away
                self.tie(partner, m, FAMILY, SOURCE_BRP, None)
            targets = self.org_targets(o)
            params = {"lookups_per_30_days": float(rng.uniform(6, 20))}
            self.take(Insider(int(e), "criminal-relative", targets, params=params))

    def pre_raid_leak_varied(self, wanted: int) -> None:
        """Alone, another unit, a few look-ups 24-72 hours before the action; some on shift."""
        rng, world = self.rng, self.world
        for c, t in self.leak_opportunities(wanted):
            lead = int(rng.integers(24, 73)) * HOUR
            lo, hi = max(t - lead, world.start), min(t - 30 * MINUTE, world.end)
            if hi - lo < HOUR:
                continue
            same_region = rng.random() < 0.7
            pool = self.off_case_candidates(c, same_region)
            if len(pool) == 0:
                continue
            e = int(pool[0])
            suspects, targets = self.leak_targets(c)
            self.maybe_befriend_suspect(e, suspects)
            few = rng.random() < 0.3 + 0.5 * self.stealth
            params = {
                "lookups": int(rng.integers(2, 4) if few else rng.integers(4, 9)),
                "on_shift": bool(same_region and rng.random() < 0.3 + 0.3 * self.stealth),
            }
            self.take(Insider(e, "pre-raid-leak", targets, window=(lo, hi), case=c, params=params))

    def colleague_ex_vip_varied(self, wanted: int) -> None:
        """Many distinct colleagues with no work around them, an ex-partner, a VIP: single views."""
        rng, pop, org = self.rng, self.pop, self.org
        vips = np.flatnonzero(pop.flags & FLAG_VIP)
        unit_off = offsets(org.emp_unit, len(org.unit_id))
        for e in self.recruits("colleague-ex-vip", wanted):
            kinds = rng.random(3) < (0.8, 0.5, 0.5)
            targets = []
            if kinds[0] or not kinds.any():
                unit = np.arange(unit_off[org.emp_unit[e]], unit_off[org.emp_unit[e] + 1])
                region = np.flatnonzero(self.emp_region == self.emp_region[e])
                pool = np.unique(np.r_[unit, region])
                pool = pool[pool != e]
                for c in rng.choice(pool, size=min(len(pool), int(rng.integers(3, 11))), replace=False):
                    targets.append((PERSON, int(self.person[c])))
            if kinds[1]:
                ex = self.ex_partner(e)
                if ex >= 0:
                    targets += [(PERSON, int(ex)), (ADDRESS, int(pop.address[ex])), *self.vehicle(ex)]
            if kinds[2] or not targets:
                targets += [
                    (PERSON, int(p)) for p in rng.choice(vips, size=int(rng.integers(1, 3)), replace=False)
                ]
            self.take(Insider(int(e), "colleague-ex-vip", targets))

    def bulk_browsing_varied(self, wanted: int) -> None:
        """Browsing off shift: sometimes over several evenings, sometimes in the own region."""
        rng = self.rng
        for e in self.recruits("bulk-browsing", wanted, self.emp_region >= 0):
            own = rng.random() < 0.2 + 0.4 * self.stealth
            r = int(self.emp_region[e]) if own else self.other_region(e)
            params = {"spread": bool(rng.random() < 0.5)}
            self.take(Insider(int(e), "bulk-browsing", browse=self.region_persons(r), params=params))

    def low_and_slow_varied(self, wanted: int) -> None:
        """2-4 single views over two months of an informant or a suspect of a case two ties away."""
        rng, crime, org = self.rng, self.crime, self.org
        for e in self.recruits("low-and-slow", wanted, self.emp_region >= 0):
            cases = self.open_org_cases[crime.case_unit[self.open_org_cases] != org.emp_unit[e]]
            cases = cases[~np.isin(cases, self.assigned_cases[e]) & (crime.case_sensitivity[cases] >= 1)]
            if len(cases) == 0:
                continue
            c = int(rng.choice(cases))
            if not self.route_to_case(e, c):
                continue
            informants = self.subjects(c, (INFORMANT,))
            people = informants if len(informants) and rng.random() < 0.5 else self.subjects(c)
            targets = [(PERSON, int(p)) for p in people]
            params = {"lookups_per_60_days": float(rng.uniform(2, 4))}
            self.take(Insider(int(e), "low-and-slow", targets, case=c, params=params))

    def second_scenarios(self, rng: np.random.Generator, share: float) -> None:
        """A ``share`` of the insiders also carry a second, different scenario (curious about the
        family and about an ex, a relative in a club and a raid leaked to it): drawn by the
        scenarios' shares, the first of three that fits the employee's world is planted, with the
        stream ``rng`` (the rest of the plan draws as without second scenarios)."""
        names = list(SCENARIOS)
        weights = np.array([SCENARIOS[s] for s in names])
        firsts = list(self.insiders)
        pick = rng.random(len(firsts)) < share
        main, self.rng = self.rng, rng
        try:
            for ins in [i for i, k in zip(firsts, pick.tolist(), strict=True) if k]:
                others = [j for j, s in enumerate(names) if s != ins.scenario]
                w = weights[others] / weights[others].sum()
                for j in rng.choice(others, size=min(3, len(others)), replace=False, p=w).tolist():
                    before = self.count(names[j])
                    self.only = ins.emp
                    getattr(self, names[j].replace("-", "_"))(before + 1)
                    self.only = None
                    if self.count(names[j]) > before:
                        break
        finally:
            self.rng, self.only = main, None

    # --- look-alikes that must not be insiders ---

    def large_family(self) -> list[tuple[int, np.ndarray]]:
        """Many relatives and neighbours in the employee's own territory; normal behaviour."""
        rng, pop, org = self.rng, self.pop, self.org
        own = org.unit_muni[org.emp_unit]
        free = ~self.used
        if self.varied:  # profiles: an insider has a large family as often as anyone
            free = np.ones(self.n_emp, dtype=bool)
        pool = np.flatnonzero((own >= 0) & (self.world.emp_home == own) & (self.weight > 0) & free)
        n = min(len(pool), max(self.least, round(0.02 * self.n_emp)))
        not_dutch = pool[pop.origin[self.person[pool]] != 0]
        dutch = pool[pop.origin[self.person[pool]] == 0]
        from_not_dutch = min(len(not_dutch), round(0.6 * n))
        picked = np.r_[
            rng.choice(not_dutch, size=from_not_dutch, replace=False),
            rng.choice(dutch, size=min(len(dutch), n - from_not_dutch), replace=False),
        ].astype(np.int64)
        relatives: list[tuple[int, np.ndarray]] = []
        for e in picked:
            p = self.person[e]
            fam = self.adults.draw(
                rng, np.full(int(rng.integers(10, 26)), pop.muni[p]), modes=(0.7, 0.2, 0.1, 0)
            )
            pop.relations.add(np.full(len(fam), p), fam, FAMILY, SOURCE_BRP, NO_DATE)
            nbh = self.adults.draw(rng, np.full(int(rng.integers(4, 9)), pop.muni[p]), modes=(1, 0, 0, 0))
            pop.relations.add(np.full(len(nbh), p), nbh, NEIGHBOUR, SOURCE_BRP, NO_DATE)
            frequent = rng.choice(fam, size=min(len(fam), int(rng.integers(1, 4))), replace=False)
            pop.interest[frequent] *= 20  # a cousin the police knows well
            here = np.r_[fam, nbh]
            here = here[(pop.muni[here] == own[e]) & (here != p)]
            relatives.append((int(e), np.unique(here)))
            self.used[e] = True
            self.large[e] = True
            self.labels.append((int(e), "large-family"))
        return relatives

    def criminal_relative_clean(self) -> None:
        """Plant a few criminal relatives, then label everyone honest with one."""
        rng, crime, pop = self.rng, self.crime, self.pop
        # profiles: insiders of the other scenarios have a criminal relative as often as anyone
        # (and are then clean as to that tie); the criminal-relative insiders are not clean
        crooked = {i.emp for i in self.insiders if i.scenario == "criminal-relative"}
        if self.varied:
            free = ~self.large
            free[list(crooked)] = False
            used, self.used = self.used, ~free
            pool = self.candidates()
            self.used = used
        else:
            pool = self.candidates(~self.used)
        n = min(len(pool), max(self.least, round(0.005 * self.n_emp)))
        for e in pool[:n]:
            m = int(rng.choice(self.members(int(rng.integers(0, len(crime.org_name))))))
            self.tie(self.person[e], m, FAMILY if rng.random() < 0.8 else PARTNER, SOURCE_BRP, None)
            self.used[e] = True
        insiders = crooked if self.varied else {i.emp for i in self.insiders}
        members = np.unique(crime.member_person)
        a, b, kind, *_ = pop.relations.arrays()
        close = np.isin(kind, (PARTNER, FAMILY))
        employee_of = np.full(pop.n, -1)
        employee_of[self.person] = np.arange(self.n_emp)
        found = np.r_[
            employee_of[a[close & np.isin(b, members)]], employee_of[b[close & np.isin(a, members)]]
        ]
        for e in np.unique(found[found >= 0]).tolist():
            if e not in insiders:
                self.labels.append((e, "criminal-relative-clean"))

    def assigned_investigators(self) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int, int]]]:
        """Cross-unit investigators, and every investigator preparing a planned action in the log.

        Returns the raid call-out shifts and the preparation windows.
        """
        world, crime, org = self.world, self.crime, self.org
        callouts: list[tuple[int, int, int]] = []
        preparation: list[tuple[int, int, int, int]] = []
        investigators = self.active & np.isin(crime.assign_role, (LEAD, INVESTIGATOR))
        org_case = crime.case_kind[crime.assign_case] == CASE_ORG
        elsewhere = crime.case_unit[crime.assign_case] != org.emp_unit[crime.assign_emp]
        assigned = set(np.unique(crime.assign_emp[investigators & org_case & elsewhere]).tolist())
        for c, t in zip(crime.action_case.tolist(), crime.action_ts.tolist(), strict=True):
            if crime.case_kind[c] != CASE_ORG or not (
                world.start < t + 6 * HOUR and t - PRE_ACTION < world.end
            ):
                continue
            for e in crime.assign_emp[investigators & (crime.assign_case == c)].tolist():
                if org.emp_end[e] != NO_DATE:
                    continue
                callouts.append((e, t - 2 * HOUR, t + 6 * HOUR))
                lo, hi = max(t - PRE_ACTION, world.start), min(t, world.end)
                if hi - lo > HOUR:
                    preparation.append((e, c, lo, hi))
                    assigned.add(e)
        self.labels += [(e, "assigned-investigator") for e in sorted(assigned)]
        return callouts, preparation


def planted_events(
    rng: np.random.Generator,
    world: World,
    plan_: Plan,
    shifts: Shifts,
    noise=None,
    away=None,
    cover: np.random.Generator | None = None,
    proxy: np.random.Generator | None = None,
    moves=None,
    adapt: np.random.Generator | None = None,
) -> Events:
    """The look-ups of the insiders' scenarios and the look-alikes' telling work.

    With a profile other than baseline (``noise``) the insiders follow the varied,
    stealthier scenarios (see _planted_varied). ``away`` (profiles) holds the absences,
    windows (employees, from, to): the shifts in them are not worked, and a session planned
    off shift falls in them only a fifth as often (logging in from home on leave). ``cover``
    (profiles, a stream of its own): some insiders hide their sessions in work (:func:`_covered`).
    ``proxy`` (profiles, a stream of its own): the insiders with a proxy (``plan_.proxies``) have
    some of their sittings done by the proxy (:func:`_proxied`), who is labelled ``insider:proxy``.
    ``moves`` (profiles: (employees, old unit, move time) of the staff who moved unit) and ``adapt``
    (a stream of its own): some moved insiders adapt their story to the move (:func:`_adapted`).
    """
    varied = noise is not None and noise.enabled
    log = _Log(world, shifts, away)
    pop, crime = world.pop, world.crime
    days = world.days
    unit_cases = _unit_open_cases(world)

    def pretext_or_none(e: int, p: float) -> int:
        """With probability ``p`` a case to cite as the pretext: one of the employee's own,
        else one of the unit's open cases; -1 for no case."""
        if rng.random() >= p:
            return -1
        mine = world.emp_cases[world.emp_case_offsets[e] : world.emp_case_offsets[e + 1]]
        if len(mine):
            return int(rng.choice(mine))
        unit = unit_cases.get(int(world.org.emp_unit[e]))
        return int(rng.choice(unit)) if unit is not None else -1

    spans: list[tuple[int, int, Insider]] = []  # each insider's rows in log.rows
    for ins in plan_.insiders:
        e = ins.emp
        first_row = len(log.rows)
        if varied:
            _planted_varied(rng, world, ins, log, pretext_or_none, noise.stealth)
        elif ins.scenario == "curious-family":
            people = [t for t in ins.targets if t[0] == PERSON]
            for _ in range(_sessions(rng, 6, 30, days, 2)):
                first = people[rng.integers(len(people))]
                items = [first] + [
                    ins.targets[i] for i in rng.integers(0, len(ins.targets), rng.integers(0, 3))
                ]
                case = pretext_or_none(e, 0.25)
                log.session(rng, e, items, on_shift=rng.random() < 0.5, case=case, export_p=0.01)
        elif ins.scenario == "criminal-relative":
            for _ in range(_sessions(rng, 8, 30, days, 2)):
                items = _pick(rng, ins.targets, int(rng.integers(2, 6)))
                case = pretext_or_none(e, 0.4)
                log.session(rng, e, items, on_shift=rng.random() < 0.6, case=case, export_p=0.08)
        elif ins.scenario == "pre-raid-leak":
            for _ in range(int(rng.integers(2, 5))):
                items = _pick(rng, ins.targets, int(rng.integers(2, 6)))
                case = pretext_or_none(e, 0.3)
                log.session(
                    rng, e, items, on_shift=rng.random() < 0.5, case=case, export_p=0.1, window=ins.window
                )
        elif ins.scenario == "colleague-ex-vip":
            for _ in range(_sessions(rng, 5, 30, days, 2)):
                items = _pick(rng, ins.targets, int(rng.integers(1, 4)))
                case = pretext_or_none(e, 0.2)
                log.session(rng, e, items, on_shift=rng.random() < 0.5, case=case, export_p=0.01)
        elif ins.scenario == "bulk-browsing":
            lo, hi = ins.browse
            for _ in range(_sessions(rng, 2, 30, days, 1)):
                people = rng.integers(lo, hi, int(rng.integers(15, 81)))
                items = [(PERSON, int(p)) for p in people]
                log.session(rng, e, items, on_shift=False, case=-1, export_p=0.05, gap=20.0, searches=0.5)
        elif ins.scenario == "low-and-slow":
            for _ in range(max(1, round(days / 7 * rng.uniform(0.7, 1.3)))):
                items = [ins.targets[rng.integers(len(ins.targets))]]
                case = pretext_or_none(e, 0.6)
                log.session(rng, e, items, on_shift=True, case=case, export_p=0.0, searches=0.2)
        spans.append((first_row, len(log.rows), ins))

    if adapt is not None and moves is not None and noise.insider_move_adapt > 0:
        _adapted(adapt, world, log, spans, moves, noise)
    if proxy is not None and plan_.proxies and noise.proxy_share > 0:
        done = _proxied(proxy, world, log, spans, plan_.proxies, noise)
        plan_.labels = sorted(set(plan_.labels) | {(p, "insider:proxy") for p in done})
    if cover is not None and noise.insider_cover > 0:
        log.rows = _covered(cover, world, log.rows, spans, noise)
    log.rows = [r for r in log.rows if r[0] >= 0]  # the sittings a moved insider left out

    for e, c, lo, hi in plan_.preparation:
        s = slice(crime.subject_offsets[c], crime.subject_offsets[c + 1])
        subjects = crime.subject_person[s]
        targets = (
            [(CASE, c)]
            + [(PERSON, int(p)) for p in subjects]
            + [(ADDRESS, int(pop.address[p])) for p in subjects]
        )
        for _ in range(int(rng.integers(1, 4))):
            items = _pick(rng, targets, int(rng.integers(2, 6)))
            log.session(
                rng,
                e,
                items,
                on_shift=True,
                case=c if rng.random() < 0.9 else -1,
                export_p=0.05,
                window=(lo, hi),
                strict=True,
            )

    for e, relatives in plan_.relatives:
        if len(relatives) == 0:
            continue
        for _ in range(_sessions(rng, 1.5, 30, days, 1)):
            p = int(rng.choice(relatives))
            items = [(PERSON, p)]
            if pop.vehicle_offsets[p + 1] > pop.vehicle_offsets[p] and rng.random() < 0.5:
                items = [(VEHICLE, int(pop.vehicle_offsets[p])), (PERSON, p)]
            log.session(rng, e, items, on_shift=True, case=-1, export_p=0.0, strict=True)
    return log.events()


def _sessions(rng: np.random.Generator, per: float, period: int, days: int, least: int) -> int:
    """How many sessions over the log: Poisson, ``per`` in ``period`` days on average, at least ``least``."""
    return max(least, int(rng.poisson(per * days / period)))


def _in_sessions(lookups: int, draw) -> Iterator[list[tuple[int, int]]]:
    """Spend a budget of ``lookups`` in sessions of the targets ``draw()`` gives, the last cut short.

    Lazy: each session is drawn only when the one before has been logged, so that the
    draws keep their order.
    """
    left = lookups
    while left > 0:
        items = draw()[:left]
        left -= len(items)
        yield items


def _planted_varied(rng, world: World, ins: Insider, log: _Log, pretext_or_none, stealth: float) -> None:
    """One insider's look-ups in the varied scenarios; ``stealth`` in [0, 1] makes them quieter."""
    e, days = ins.emp, world.days

    def over(per: float, period: int, least: int) -> int:
        return _sessions(rng, per, period, days, least)

    if ins.scenario == "curious-family":
        people = [t for t in ins.targets if t[0] == PERSON]

        def relatives() -> list[tuple[int, int]]:
            first = people[rng.integers(len(people))]
            return [first] + ([ins.targets[rng.integers(len(ins.targets))]] if rng.random() < 0.4 else [])

        for items in _in_sessions(over(ins.params["lookups_per_60_days"], 60, 2), relatives):
            on = rng.random() < 0.3 + 0.5 * stealth  # mixed into routine work
            log.session(
                rng,
                e,
                items,
                on_shift=on,
                case=pretext_or_none(e, 0.1 + 0.3 * stealth),
                export_p=0.0,
                day_off=not on,
            )
    elif ins.scenario == "criminal-relative":
        lookups = over(ins.params["lookups_per_30_days"], 30, 2)
        for items in _in_sessions(lookups, lambda: _pick(rng, ins.targets, int(rng.integers(1, 3)))):
            log.session(
                rng,
                e,
                items,
                on_shift=rng.random() < 0.5 + 0.4 * stealth,
                case=pretext_or_none(e, 0.4 + 0.4 * stealth),
                export_p=0.04 * (1 - stealth),
                searches=0.4,
            )
    elif ins.scenario == "pre-raid-leak":
        lookups = ins.params["lookups"]
        for items in _in_sessions(lookups, lambda: _pick(rng, ins.targets, int(rng.integers(1, 4)))):
            log.session(
                rng,
                e,
                items,
                on_shift=ins.params["on_shift"] or rng.random() < 0.25,
                case=pretext_or_none(e, 0.3 + 0.3 * stealth),
                export_p=0.1 * (1 - stealth),
                window=ins.window,
            )
    elif ins.scenario == "colleague-ex-vip":
        for target in ins.targets:  # one look at each
            if target[0] != PERSON and rng.random() < 0.5:
                continue
            log.session(
                rng,
                e,
                [target],
                on_shift=rng.random() < 0.4 + 0.4 * stealth,
                case=pretext_or_none(e, 0.1 + 0.3 * stealth),
                export_p=0.0,
                searches=0.3,
            )
    elif ins.scenario == "bulk-browsing":
        lo, hi = ins.browse
        if ins.params["spread"]:  # a few every evening
            sessions, size = over(5, 30, 2), (5, 16)
        else:
            sessions, size = over(1.5, 30, 1), (15, 61)
        for _ in range(sessions):
            items = [(PERSON, int(p)) for p in rng.integers(lo, hi, int(rng.integers(*size)))]
            log.session(
                rng, e, items, on_shift=False, case=-1, export_p=0.03 * (1 - stealth), gap=25.0, searches=0.5
            )
    elif ins.scenario == "low-and-slow":
        for _ in range(over(ins.params["lookups_per_60_days"], 60, 1)):
            items = [ins.targets[rng.integers(len(ins.targets))]]
            log.session(
                rng,
                e,
                items,
                on_shift=True,
                case=pretext_or_none(e, 0.3 + 0.5 * stealth),
                export_p=0.0,
                searches=0.0,
            )


def _covered(rng, world: World, rows: list, spans, noise) -> list:
    """Insiders who adapt (profiles: an ``insider_cover`` share of them, bulk browsers aside): each
    sitting of their scenario (look-ups less than 15 minutes apart) is hidden in work, one to four
    routine look-ups of the territory before it and up to three after, the whole sitting citing one
    of their own cases (chance 0.5 + 0.4 s, when they have cases and the sitting cites none); an
    ``insider_indirect`` share of the person look-ups after the first is of the person's address,
    vehicle or a housemate instead (added to the scenario's targets: the story now includes them).
    Returns the rows with the covered insiders' rows replaced."""
    pop = world.pop
    stealth = noise.stealth
    emps = sorted({ins.emp for _, _, ins in spans})
    chosen = {e for e, u in zip(emps, rng.random(len(emps)).tolist(), strict=True) if u < noise.insider_cover}
    if not chosen:
        return rows
    out = rows[: spans[0][0]] if spans else []
    tail = rows[spans[-1][1] :] if spans else rows
    for a, b, ins in spans:
        mine = rows[a:b]
        if ins.emp not in chosen or ins.scenario == "bulk-browsing" or not mine:
            out += mine
            continue
        out += [r for r in mine if r[0] != ins.emp]  # done by a proxy (round 6): not the insider's work
        mine = [r for r in mine if r[0] == ins.emp]
        if not mine:
            continue
        e = ins.emp
        cases = world.emp_cases[world.emp_case_offsets[e] : world.emp_case_offsets[e + 1]]
        lo_t, hi_t = int(world.emp_lo[e]), int(world.emp_hi[e])
        known = set(ins.targets)
        direct = False
        mine = sorted(mine, key=lambda r: r[1])
        breaks = (
            [0] + [i for i in range(1, len(mine)) if mine[i][1] - mine[i - 1][1] > 15 * MINUTE] + [len(mine)]
        )
        for s0, s1 in pairwise(breaks):
            sitting = mine[s0:s1]
            pretext = -1
            if len(cases) and rng.random() < 0.5 + 0.4 * stealth:
                pretext = int(rng.choice(cases))
            t_first, t_last = sitting[0][1], sitting[-1][1]
            limit = max(r[7] for r in sitting)
            n_before, n_after = int(rng.integers(1, 5)), int(rng.integers(0, 4))
            routine = _weighted(rng, world.cumulative_interest, lo_t, hi_t, n_before + n_after)
            before = t_first - np.cumsum(rng.integers(20, 120, n_before))[::-1]
            after = np.minimum(t_last + np.cumsum(rng.integers(20, 120, n_after)), max(limit, t_last))
            for t, p in zip(np.r_[before, after].tolist(), routine.tolist(), strict=True):
                action = SEARCH if rng.random() < 0.6 else VIEW
                case = pretext if pretext >= 0 else -1
                out.append(
                    (e, int(t), _system(rng, PERSON), PERSON, int(p), action, case, int(t) + 5 * MINUTE)
                )
            for r in sitting:
                ttype, target = r[3], r[4]
                if ttype == PERSON and direct and rng.random() < noise.insider_indirect:
                    ttype, target = _beside(rng, pop, target)
                    if (ttype, target) not in known:
                        ins.targets.append((ttype, target))
                        known.add((ttype, target))
                direct = direct or ttype == PERSON
                case = r[6] if r[6] >= 0 else pretext
                system = r[2] if ttype == r[3] else _system(rng, ttype)
                out.append((e, r[1], system, ttype, target, r[5], case, r[7]))
    return out + tail


def choose_proxies(rng, world: World, plan_: Plan, noise) -> list[tuple[int, int]]:
    """Insiders who get a friend to look up for them (profiles: a ``proxy`` share of the insiders of
    the personal stories, :data:`PROXIED`): the proxy is a colleague of the same unit who is a
    friend (a ``friend`` tie; when the insider has no friend in the unit, the tie is planted: the
    friendship is the route, DOMAIN.md), works to the end of the log, is not in the integrity unit,
    not a planted insider, not the subject of an integrity case and not on a case the insider's
    story looks at. Returns (insider, proxy) pairs; each proxy serves one insider."""
    org, pop, crime = world.org, world.pop, world.crime
    if noise.proxy <= 0:
        return []
    insiders = {i.emp for i in plan_.insiders}
    stories: dict[int, list] = {}
    for ins in plan_.insiders:
        if ins.scenario in PROXIED:
            stories.setdefault(ins.emp, []).append(ins)
    integrity = crime.subject_person[crime.case_kind[crime.subject_case] == CASE_INTEGRITY]
    ok = (org.emp_end == NO_DATE) & (org.emp_kind != VIK) & ~np.isin(org.emp_person, integrity)
    ok[list(insiders)] = False
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    indptr, nbrs = pop.relations.adjacency(pop.n)
    out: list[tuple[int, int]] = []
    taken: set[int] = set()
    for e in sorted(stories):
        if rng.random() >= noise.proxy:
            continue
        cases = {t for ins in stories[e] for kind, t in ins.targets if kind == CASE}
        u = int(org.emp_unit[e])
        pool = np.arange(unit_off[u], unit_off[u + 1])
        pool = pool[ok[pool]]
        on = set(crime.assign_emp[np.isin(crime.assign_case, list(cases))].tolist()) if cases else set()
        pool = np.array([x for x in pool.tolist() if x not in taken and x not in on], dtype=np.int64)
        if len(pool) == 0:
            continue
        me = int(org.emp_person[e])
        friends = pool[np.isin(org.emp_person[pool], nbrs[indptr[me] : indptr[me + 1]])]
        if len(friends):
            x = int(rng.choice(friends))
        else:
            x = int(rng.choice(pool))
            since = world.day - int(rng.integers(180, 10 * YEAR))
            pop.relations.add([me], [int(org.emp_person[x])], FRIEND, OPEN_SOURCE, since)
        taken.add(x)
        out.append((e, x))
    return out


def _adapted(rng, world: World, log: _Log, spans, moves, noise) -> None:
    """Moved insiders who adapt their story to the move (an ``insider_move_adapt`` share of the
    planted insiders who moved unit): before the move the colleagues a colleague-ex-vip insider
    looks up are of the old unit (the new unit's staff were strangers then), and for 3-14 days
    after the move they go quiet (new colleagues, a new team leader watching): their scenario's
    look-ups in that time are left out, a pre-raid leak's excepted (the raid does not wait), and
    at least one look-up of each story stays. Changes ``log.rows`` in place; rows left out get
    employee -1 (removed by the caller)."""
    org = world.org
    mover, old, move_ts = moves
    when = dict(zip(mover.tolist(), zip(old.tolist(), move_ts.tolist(), strict=True), strict=True))
    emps = sorted({ins.emp for _, _, ins in spans if ins.emp in when})
    chosen = {
        e for e, u in zip(emps, rng.random(len(emps)).tolist(), strict=True) if u < noise.insider_move_adapt
    }
    if not chosen:
        return
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    for a, b, ins in spans:
        e = ins.emp
        if e not in chosen or b <= a:
            continue
        u_old, t_move = when[e]
        quiet_until = t_move + int(rng.integers(3, 15)) * DAY
        if ins.scenario == "colleague-ex-vip":
            new_staff = org.emp_person[unit_off[org.emp_unit[e]] : unit_off[org.emp_unit[e] + 1]]
            old_staff = org.emp_person[unit_off[u_old] : unit_off[u_old + 1]]
            old_staff = old_staff[old_staff != org.emp_person[e]]
            swap: dict[int, int] = {}
            for i in range(a, b):
                r = log.rows[i]
                if r[1] < t_move and r[3] == PERSON and r[4] in new_staff and len(old_staff):
                    p = swap.setdefault(r[4], int(rng.choice(old_staff)))
                    log.rows[i] = (r[0], r[1], r[2], r[3], p, r[5], r[6], r[7])
                    if (PERSON, p) not in ins.targets:
                        ins.targets.append((PERSON, p))
        if ins.scenario == "pre-raid-leak":
            continue
        quiet = [i for i in range(a, b) if t_move <= log.rows[i][1] < quiet_until]
        if len(quiet) == b - a:
            quiet = quiet[1:]
        for i in quiet:
            r = log.rows[i]
            log.rows[i] = (-1, *r[1:])


def _proxied(rng, world: World, log: _Log, spans, proxies, noise) -> set[int]:
    """Sittings of an insider (look-ups less than 15 minutes apart) done by their proxy instead (a
    ``proxy_share`` of them; at least one stays the insider's own): the same targets on a shift of
    the proxy within three days of when the insider would have looked (a favour asked in the
    canteen, done at the desk), a case of the proxy's own cited as the pretext with chance 0.3 +
    0.4 s (else none: the insider's pretext case is not theirs). Changes ``log.rows`` in place
    (same rows, same order); returns the proxies who looked up something."""
    stealth = noise.stealth
    proxy_of = dict(proxies)
    done: set[int] = set()
    for a, b, ins in spans:
        x = proxy_of.get(ins.emp)
        if x is None or ins.scenario not in PROXIED or b - a < 2:
            continue
        idx = sorted((i for i in range(a, b) if log.rows[i][0] == ins.emp), key=lambda i: log.rows[i][1])
        breaks = [0] + [
            j for j in range(1, len(idx)) if log.rows[idx[j]][1] - log.rows[idx[j - 1]][1] > 15 * MINUTE
        ]
        sittings = [idx[s0:s1] for s0, s1 in pairwise([*breaks, len(idx)])]
        if len(sittings) < 2:
            continue
        moved = rng.random(len(sittings)) < noise.proxy_share
        if moved.all():
            moved[int(rng.integers(len(sittings)))] = False  # the insider still looks now and then
        mine = world.emp_cases[world.emp_case_offsets[x] : world.emp_case_offsets[x + 1]]
        window = ins.window if ins.window is not None else (world.start, world.end)
        for sitting, go in zip(sittings, moved.tolist(), strict=True):
            if not go:
                continue
            t0 = log.rows[sitting[0]][1]
            lo, hi = max(window[0], t0 - 3 * DAY), min(window[1], t0 + 3 * DAY)
            slot = log.on_shift(rng, x, lo, hi) if hi > lo else None
            if slot is None:
                continue
            ts, limit = slot
            case = int(rng.choice(mine)) if len(mine) and rng.random() < 0.3 + 0.4 * stealth else -1
            for i in sitting:
                r = log.rows[i]
                t = min(ts + (r[1] - t0), limit)
                log.rows[i] = (x, t, r[2], r[3], r[4], r[5], case, limit)
            done.add(x)
    return done


def _weighted(rng, cumulative: np.ndarray, lo: int, hi: int, n: int) -> np.ndarray:
    """``n`` persons of ``[lo, hi)`` by police interest."""
    return np.searchsorted(
        cumulative, rng.uniform(cumulative[lo - 1] if lo > 0 else 0.0, cumulative[hi - 1], n), side="right"
    ).clip(lo, hi - 1)


def _beside(rng, pop, p: int) -> tuple[int, int]:
    """What an insider looks up instead of person ``p``: the address, a vehicle or a housemate."""
    u = rng.random()
    v_lo, v_hi = int(pop.vehicle_offsets[p]), int(pop.vehicle_offsets[p + 1])
    if u < 0.35 and v_hi > v_lo:
        return VEHICLE, int(rng.integers(v_lo, v_hi))
    if u < 0.7:
        hh = pop.household[p]
        start = int(pop.hh_start[hh])
        mates = [q for q in range(start, min(start + 8, pop.n)) if pop.household[q] == hh and q != p]
        if mates:
            return PERSON, int(rng.choice(mates))
    return ADDRESS, int(pop.address[p])


#: The chance that a session planned off shift, drawn in an absence, is kept (from home).
FROM_HOME = 0.2


class _Log:
    """Collects planted look-ups, placing them on or off the employee's shifts.

    ``away`` (profiles) holds absences as windows (employees, from, to): shifts that start in
    them are not worked; an off-shift moment in them is kept with chance ``FROM_HOME``.
    """

    def __init__(self, world: World, shifts: Shifts, away=None) -> None:
        self.world = world
        self.shifts = shifts
        self.rows: list[tuple[int, int, int, int, int, int, int, int]] = []
        self.away: dict[int, list[tuple[int, int]]] = {}
        for emp, lo, hi in away or []:
            for e, a, b in zip(emp.tolist(), lo.tolist(), hi.tolist(), strict=True):
                self.away.setdefault(int(e), []).append((int(a), int(b)))

    def shifts_of(self, e: int) -> tuple[np.ndarray, np.ndarray]:
        """The shifts employee ``e`` works (those in an absence are not)."""
        start, end = self.shifts.of(e)
        windows = self.away.get(e)
        if windows is None:
            return start, end
        gone = np.zeros(len(start), dtype=bool)
        for a, b in windows:
            gone |= (start >= a) & (start < b)
        return start[~gone], end[~gone]

    def stays_home(self, rng, e: int, ts: int) -> bool:
        """Whether a moment ``ts`` off shift falls in an absence of ``e`` and is not kept."""
        windows = self.away.get(e)
        if windows is None or not any(a <= ts < b for a, b in windows):
            return False
        return rng.random() >= FROM_HOME

    def on_shift(self, rng, e: int, lo: int, hi: int) -> tuple[int, int] | None:
        start, end = self.shifts_of(e)
        return moment_in_shift(rng, start, end, lo, hi, 20 * MINUTE, until=self.world.end)

    def off_shift(self, rng, e: int, lo: int, hi: int) -> tuple[int, int] | None:
        start, end = self.shifts_of(e)
        for _ in range(400):
            ts = int(rng.integers(lo, hi))
            hour = int(utc_to_local(np.array([ts]))[0] % DAY // HOUR)
            if hour < 7 and rng.random() < 0.85:
                continue  # most people sleep at night
            if ((start - HOUR <= ts) & (ts < end + HOUR)).any():  # well clear of overtime
                continue
            if self.stays_home(rng, e, ts):
                continue
            later = start[start > ts]
            limit = min(ts + 3 * HOUR, (int(later.min()) - HOUR) if len(later) else ts + 3 * HOUR, hi - 1)
            return ts, limit
        return None

    def day_off(self, rng, e: int, lo: int, hi: int) -> tuple[int, int] | None:
        """A moment on a day without any shift of the employee (nothing else that day)."""
        start, end = self.shifts_of(e)
        days = np.unique(utc_to_local(start) // DAY)
        first, last = (
            int(utc_to_local(np.array([lo]))[0] // DAY),
            int(utc_to_local(np.array([hi - 1]))[0] // DAY),
        )
        free = np.setdiff1d(np.arange(first, last + 1), days)
        for _ in range(20):
            if len(free) == 0:
                return None
            d = int(rng.choice(free))
            ts = int(local_to_utc(np.array([d * DAY + int(rng.integers(9 * 60, 23 * 60)) * MINUTE]))[0])
            if (
                lo <= ts < hi
                and not ((start - 2 * HOUR <= ts) & (ts < end + 2 * HOUR)).any()
                and not self.stays_home(rng, e, ts)
            ):
                return ts, min(ts + 2 * HOUR, hi - 1)
        return None

    def session(
        self,
        rng,
        e,
        items,
        *,
        on_shift,
        case,
        export_p,
        window=None,
        gap=60.0,
        searches=0.8,
        strict=False,
        day_off=False,
    ):
        lo, hi = window if window is not None else (self.world.start, self.world.end)
        hi = min(hi, self.world.end)
        last = int(self.world.org.emp_end[e])
        if last != NO_DATE:  # profiles: a planted insider who leaves in the log (not in the baseline)
            hi = min(hi, int(local_to_utc(np.array([(last + 1) * DAY]))[0]))
            if hi - lo < 20 * MINUTE:
                return
        if day_off and not on_shift:
            slot = self.day_off(rng, e, lo, hi) or self.off_shift(rng, e, lo, hi)
        else:
            slot = self.on_shift(rng, e, lo, hi) if on_shift else self.off_shift(rng, e, lo, hi)
        if slot is None and not strict:
            slot = self.off_shift(rng, e, lo, hi) if on_shift else self.on_shift(rng, e, lo, hi)
        if slot is None:
            return
        ts, limit = slot
        for i, (ttype, target) in enumerate(items):
            if i:
                ts = min(ts + int(rng.exponential(gap)) + 5, limit)
            action = SEARCH if (i == 0 or gap < 30) and ttype != CASE and rng.random() < searches else VIEW
            if rng.random() < export_p:
                action = EXPORT
            self.rows.append((e, ts, _system(rng, ttype), ttype, target, action, case, limit))

    def events(self) -> Events:
        rows = np.array(self.rows, dtype=np.int64).reshape(-1, 8)
        return Events(*(rows[:, i] for i in range(8)))


def _pick(rng: np.random.Generator, targets: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    """``k`` targets for one session: it opens with a person or a case file, as searches do."""
    leads = [t for t in targets if t[0] in (PERSON, CASE)] or targets
    first = leads[int(rng.integers(len(leads)))]
    return [first] + [targets[i] for i in rng.integers(0, len(targets), k - 1)]


def _system(rng, ttype: int) -> int:
    if ttype == PERSON:
        return int(rng.choice((BRP, BVH, BVI), p=(0.55, 0.35, 0.10)))
    if ttype == VEHICLE:
        return RDW
    if ttype == ADDRESS:
        return int(rng.choice((BRP, BVH)))
    return BVI


def _household_partner(pop, p: int) -> int:
    """The partner living with person ``p``, -1 if none."""
    start = int(pop.hh_start[pop.household[p]])
    if p == start and start + 1 < pop.n and pop.household[start + 1] == pop.household[p]:
        return start + 1 if pop.member[start + 1] == 1 else -1
    return start if pop.member[p] == 1 else -1


def _hops(indptr: np.ndarray, nbrs: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    one = np.unique(nbrs[indptr[p] : indptr[p + 1]])
    one = one[one != p]
    if len(one) == 0:
        return one, one
    two = np.unique(np.concatenate([nbrs[indptr[q] : indptr[q + 1]] for q in one]))
    two = two[(two != p) & ~np.isin(two, one)]
    return one, two


def _assigned_cases(crime, n_emp: int) -> list[np.ndarray]:
    order = np.argsort(crime.assign_emp, kind="stable")
    off = offsets(crime.assign_emp[order], n_emp)
    cases = crime.assign_case[order]
    return [cases[off[e] : off[e + 1]] for e in range(n_emp)]


def _unit_open_cases(world: World) -> dict[int, np.ndarray]:
    crime = world.crime
    open_cases = np.flatnonzero(crime.case_open)
    out: dict[int, list[int]] = {}
    for c in open_cases.tolist():
        out.setdefault(int(crime.case_unit[c]), []).append(c)
    return {u: np.array(v) for u, v in out.items()}
