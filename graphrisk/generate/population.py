"""The population: persons in households, their addresses, vehicles and ties.

Persons live in households (a head, often a partner, children) spread over
the municipalities by population share. Adults are tied to their parents'
household elsewhere, to siblings, to neighbours, to friends (mostly nearby)
and sometimes to a former partner. Employees are persons of this population
too, living near their unit, some far away.

Persons are ordered by municipality, and municipalities by district and
region, so the persons of any area are one contiguous range of indices. The
writer gives them shuffled ids, so that ids say nothing about households.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from graphrisk.generate import _names
from graphrisk.generate._common import NO_DATE, offsets, uniform_in
from graphrisk.generate.organisation import (
    AGENT,
    ASPIRANT,
    CIVILIAN,
    SURVEILLANT,
    Geography,
    Organisation,
)

__all__ = [
    "FLAG_INFORMANT",
    "FLAG_PROTECTED",
    "FLAG_UNDERCOVER",
    "FLAG_VIP",
    "SOURCES",
    "Nearby",
    "Population",
    "Relations",
    "build_population",
    "place_employees",
]

#: Where a known tie comes from.
SOURCES = ("BRP", "BRP-historie", "BVH", "BVI", "CIE", "open bron")
BRP, BRP_HISTORY, BVH, BVI, CIE, OPEN_SOURCE = range(len(SOURCES))
# relation kinds, in contract.RELATION_KINDS order
PARTNER, FAMILY, FRIEND, NEIGHBOUR, ACQUAINTANCE, ASSOCIATE = range(6)

FLAG_VIP, FLAG_PROTECTED, FLAG_INFORMANT, FLAG_UNDERCOVER = 1, 2, 4, 8

YEAR = 365


class Relations:
    """Ties between persons, collected in batches; read as undirected."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, ...]] = []
        self._merged: tuple[np.ndarray, ...] | None = None

    def add(self, a, b, kind: int, source, since) -> None:
        a = np.asarray(a, dtype=np.int64)
        n = len(a)
        self._parts.append(
            (
                a,
                np.asarray(b, dtype=np.int64),
                np.full(n, kind, dtype=np.int8),
                np.broadcast_to(np.asarray(source, dtype=np.int8), (n,)).copy(),
                np.broadcast_to(np.asarray(since, dtype=np.int64), (n,)).copy(),
            )
        )
        self._merged = None

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(a, b, kind, source, since) with a < b, no self-ties and no repeated (a, b, kind).

        Where a tie was added twice, the first one added is kept.
        """
        if self._merged is None:
            a, b, kind, source, since = (np.concatenate(c) for c in zip(*self._parts, strict=True))
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            keep = lo != hi
            lo, hi, kind, source, since = lo[keep], hi[keep], kind[keep], source[keep], since[keep]
            key = (lo * (int(hi.max(initial=0)) + 1) + hi) * 8 + kind
            order = np.argsort(key, kind="stable")
            key = key[order]
            first = order[np.r_[True, key[1:] != key[:-1]]]
            self._merged = (lo[first], hi[first], kind[first], source[first], since[first])
            self._parts = [self._merged]
        return self._merged

    def replace(self, a, b, kind, source, since) -> None:
        """Replace every tie by the given ones (already merged: a < b, no repeats)."""
        self._merged = (a, b, kind, source, since)
        self._parts = [self._merged]

    def adjacency(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """CSR (indptr, neighbours) of the undirected tie graph over ``n`` persons."""
        a, b, *_ = self.arrays()
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        order = np.argsort(src, kind="stable")
        return offsets(src[order], n), dst[order]


@dataclass
class Population:
    muni: np.ndarray
    household: np.ndarray
    member: np.ndarray  # 0 head, 1 partner, 2 child
    birth: np.ndarray  # day number
    sex: np.ndarray  # 0 female, 1 male
    origin: np.ndarray
    first_name: np.ndarray  # index into the flattened first-name list of the person's sex
    surname: np.ndarray  # index into the flattened surname list
    address: np.ndarray
    interest: np.ndarray  # how often routine police work looks this person up (relative)
    flags: np.ndarray
    muni_offsets: np.ndarray  # persons of municipality m are muni_offsets[m]:muni_offsets[m + 1]
    hh_start: np.ndarray
    hh_muni: np.ndarray
    address_muni: np.ndarray
    vehicle_owner: np.ndarray  # ordered by owner
    vehicle_offsets: np.ndarray  # vehicles of person p are vehicle_offsets[p]:vehicle_offsets[p + 1]
    adults: np.ndarray  # indices of adults, ascending (so ordered by municipality)
    adult_offsets: np.ndarray  # per municipality, into ``adults``
    relations: Relations = field(default_factory=Relations)
    # profiles: where persons are registered when they moved (None: where they live)
    reg_muni: np.ndarray | None = None
    reg_address: np.ndarray | None = None
    vehicle_muni: np.ndarray | None = None
    # profiles (round 6): second records of persons, numbered pop.n, pop.n + 1, ... in the files only
    dup_of: np.ndarray | None = None  # the person each second record is of
    dup_share: np.ndarray | None = None  # per person: the share of look-ups that land on the second record
    dup_birth: np.ndarray | None = None  # the second record's birth date (a typo now and then)

    @property
    def n(self) -> int:
        return len(self.muni)

    @property
    def n_vehicles(self) -> int:
        return len(self.vehicle_owner)

    def age(self, day: int) -> np.ndarray:
        return (day - self.birth) // YEAR

    def add_addresses(self, munis: np.ndarray) -> np.ndarray:
        """Add addresses without residents (e.g. club houses); returns their indices."""
        first = len(self.address_muni)
        self.address_muni = np.concatenate([self.address_muni, munis])
        return np.arange(first, len(self.address_muni))


class Nearby:
    """Draws persons from a pool (e.g. adults) near given municipalities.

    ``modes`` gives the chance of the same municipality, one of its
    neighbours, anywhere in its region, anywhere in the country.
    """

    def __init__(self, geo: Geography, pool: np.ndarray, pool_muni: np.ndarray) -> None:
        self.geo = geo
        self.pool = pool
        self.off = offsets(pool_muni, geo.n_munis)
        first, last = geo.region_bounds()
        self.region_lo, self.region_hi = self.off[first], self.off[last]

    def draw(self, rng: np.random.Generator, muni: np.ndarray, modes=(0.7, 0.15, 0.1, 0.05)) -> np.ndarray:
        muni = np.asarray(muni, dtype=np.int64)
        n = len(muni)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        cum = np.cumsum(modes) / np.sum(modes)
        mode = np.searchsorted(cum, rng.random(n), side="right")
        k = self.geo.muni_neighbours.shape[1]
        target = muni.copy()
        nb = mode == 1
        target[nb] = self.geo.muni_neighbours[muni[nb], rng.integers(0, k, nb.sum())]
        lo, hi = self.off[target], self.off[target + 1]
        region = self.geo.muni_region[muni]
        wide = mode == 2
        lo[wide], hi[wide] = self.region_lo[region[wide]], self.region_hi[region[wide]]
        anywhere = (mode == 3) | (hi <= lo)
        lo[anywhere], hi[anywhere] = 0, len(self.pool)
        return self.pool[uniform_in(rng, lo, hi)]


def build_population(rng: np.random.Generator, n: int, geo: Geography, day: int) -> Population:
    """Persons, households, addresses, vehicles and ties, as of day number ``day``."""
    sizes = rng.choice(np.arange(1, 7), size=int(n / 1.9) + 100, p=[0.37, 0.33, 0.13, 0.12, 0.04, 0.01])
    total = np.cumsum(sizes)
    last = int(np.searchsorted(total, n))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= total[last] - n
    sizes = sizes[sizes > 0]
    hh_muni = np.sort(rng.choice(geo.n_munis, size=len(sizes), p=geo.muni_weight))  # order is random already
    n_hh = len(sizes)
    hh_start = np.r_[0, np.cumsum(sizes)[:-1]]

    u = rng.random(n_hh)
    couple = ((sizes == 2) & (u < 0.8)) | ((sizes >= 3) & (u < 0.85))
    head_age = np.where(
        sizes == 1,
        rng.integers(19, 91, n_hh),
        np.where((sizes == 2) & couple, rng.integers(21, 89, n_hh), rng.integers(24, 57, n_hh)),
    )
    partner_age = np.clip(head_age + np.round(rng.normal(0, 3, n_hh)).astype(np.int64), 18, 95)

    household = np.repeat(np.arange(n_hh), sizes)
    position = np.arange(n) - hh_start[household]
    member = np.where(position == 0, 0, np.where((position == 1) & couple[household], 1, 2)).astype(np.int8)
    child_max = np.minimum(25, head_age[household] - 20)
    child_age = (rng.random(n) * (child_max + 1)).astype(np.int64)
    age = np.where(member == 0, head_age[household], np.where(member == 1, partner_age[household], child_age))
    birth = day - age * YEAR - rng.integers(0, YEAR, n)

    head_sex = rng.integers(0, 2, n_hh)
    sex = np.where(
        member == 0,
        head_sex[household],
        np.where(
            member == 1,
            np.where(rng.random(n) < 0.92, 1 - head_sex[household], head_sex[household]),
            rng.integers(0, 2, n),
        ),
    ).astype(np.int8)

    origin_hh = rng.choice(len(_names.ORIGINS), size=n_hh, p=_names.ORIGIN_SHARES)
    surname_start = np.r_[0, np.cumsum([len(s) for s in _names.SURNAMES])]
    surname_count = np.diff(surname_start)
    hh_surname = surname_start[origin_hh] + (rng.random(n_hh) * surname_count[origin_hh]).astype(np.int64)
    origin = origin_hh[household].astype(np.int8)
    own = (member == 1) & (rng.random(n) < 0.4)  # partners often keep their own name
    surname = hh_surname[household].copy()
    surname[own] = surname_start[origin[own]] + (rng.random(own.sum()) * surname_count[origin[own]]).astype(
        np.int64
    )
    first_name = np.empty(n, dtype=np.int64)
    for s, lists in ((0, _names.FIRST_NAMES_FEMALE), (1, _names.FIRST_NAMES_MALE)):
        start = np.r_[0, np.cumsum([len(x) for x in lists])]
        count = np.diff(start)
        pick = sex == s
        first_name[pick] = start[origin[pick]] + (rng.random(pick.sum()) * count[origin[pick]]).astype(
            np.int64
        )

    muni = hh_muni[household]
    muni_offsets = offsets(muni, geo.n_munis)

    vehicles = (rng.random(n) < 0.5).astype(np.int64) + (rng.random(n) < 0.08)
    vehicles[age < 18] = 0
    vehicle_owner = np.repeat(np.arange(n), vehicles)

    interest = np.ones(n)
    interest[age < 12] = 0.05
    interest[(age >= 12) & (age < 18)] = 0.5
    interest[age > 75] = 0.3
    interest[(sex == 1) & (age >= 16) & (age <= 40)] *= 2
    known = rng.random(n) < 0.06  # persons the police meet again and again
    interest[known] *= rng.lognormal(2.3, 0.8, known.sum())

    flags = np.zeros(n, dtype=np.uint8)
    adults = np.flatnonzero(age >= 18)
    vip = rng.choice(
        adults[(age[adults] >= 25) & (age[adults] <= 75)], size=max(5, round(n * 2e-4)), replace=False
    )
    flags[vip] |= FLAG_VIP
    protected = rng.choice(adults, size=max(3, round(n * 2e-4)), replace=False)
    flags[protected] |= FLAG_PROTECTED

    pop = Population(
        muni=muni,
        household=household,
        member=member,
        birth=birth,
        sex=sex,
        origin=origin,
        first_name=first_name,
        surname=surname,
        address=household.copy(),
        interest=interest,
        flags=flags,
        muni_offsets=muni_offsets,
        hh_start=hh_start,
        hh_muni=hh_muni,
        address_muni=hh_muni.copy(),
        vehicle_owner=vehicle_owner,
        vehicle_offsets=offsets(vehicle_owner, n),
        adults=adults,
        adult_offsets=offsets(muni[adults], geo.n_munis),
    )
    _tie(rng, pop, geo, age, couple, day)
    return pop


def _tie(rng: np.random.Generator, pop: Population, geo: Geography, age, couple, day: int) -> None:
    rel = pop.relations
    hh_start = pop.hh_start
    household = pop.household
    n = pop.n
    heads = hh_start[couple]
    partner_since = day - (
        rng.random(len(heads)) * (np.minimum(age[heads], age[heads + 1]) - 17) * YEAR
    ).astype(np.int64)
    rel.add(heads, heads + 1, PARTNER, BRP, partner_since)

    children = np.flatnonzero(pop.member == 2)
    head_of = hh_start[household[children]]
    rel.add(head_of, children, FAMILY, BRP, pop.birth[children])
    with_partner = couple[household[children]]
    rel.add(head_of[with_partner] + 1, children[with_partner], FAMILY, BRP, pop.birth[children[with_partner]])
    sibling = (pop.member[1:] == 2) & (pop.member[:-1] == 2) & (household[1:] == household[:-1])
    rel.add(np.flatnonzero(sibling), np.flatnonzero(sibling) + 1, FAMILY, BRP, NO_DATE)

    # adults and the household of their parents, mostly nearby
    grown = np.flatnonzero((pop.member < 2) & (age >= 18) & (age <= 65) & (rng.random(n) < 0.75))
    parent_hh = np.full(len(grown), -1)
    households = Nearby(geo, np.arange(len(hh_start)), pop.hh_muni)
    pending = np.arange(len(grown))
    for _ in range(6):
        if len(pending) == 0:
            break
        candidate = households.draw(rng, pop.muni[grown[pending]], modes=(0.55, 0.2, 0.15, 0.1))
        gap = age[hh_start[candidate]] - age[grown[pending]]
        ok = (gap >= 18) & (gap <= 42) & (candidate != household[grown[pending]])
        parent_hh[pending[ok]] = candidate[ok]
        pending = pending[~ok]
    found = parent_hh >= 0
    child, parents = grown[found], parent_hh[found]
    rel.add(child, hh_start[parents], FAMILY, BRP, pop.birth[child])
    two = couple[parents]
    rel.add(child[two], hh_start[parents[two]] + 1, FAMILY, BRP, pop.birth[child[two]])
    order = np.lexsort((child, parents))
    same = parents[order][1:] == parents[order][:-1]
    rel.add(child[order][:-1][same], child[order][1:][same], FAMILY, BRP, NO_DATE)

    # next-door neighbours: consecutive households of a municipality
    nxt = (pop.hh_muni[1:] == pop.hh_muni[:-1]) & (rng.random(len(hh_start) - 1) < 0.5)
    left = np.flatnonzero(nxt)
    rel.add(hh_start[left], hh_start[left + 1], NEIGHBOUR, BRP, NO_DATE)

    adults = Nearby(geo, pop.adults, pop.muni[pop.adults])
    src = np.repeat(pop.adults, rng.poisson(0.7, len(pop.adults)))
    rel.add(
        src,
        adults.draw(rng, pop.muni[src]),
        FRIEND,
        np.where(rng.random(len(src)) < 0.5, BVH, OPEN_SOURCE),
        day - rng.integers(30, 15 * YEAR, len(src)),
    )
    src = np.repeat(pop.adults, rng.poisson(0.08, len(pop.adults)))
    rel.add(
        src,
        adults.draw(rng, pop.muni[src], modes=(0.3, 0.2, 0.3, 0.2)),
        ACQUAINTANCE,
        BVH,
        day - rng.integers(30, 10 * YEAR, len(src)),
    )
    grown_up = pop.adults[(age[pop.adults] >= 25) & (age[pop.adults] <= 70)]
    src = grown_up[rng.random(len(grown_up)) < 0.06]
    rel.add(
        src,
        adults.draw(rng, pop.muni[src], modes=(0.5, 0.2, 0.2, 0.1)),
        PARTNER,
        BRP_HISTORY,
        day - rng.integers(3 * YEAR, 25 * YEAR, len(src)),
    )


def place_employees(
    rng: np.random.Generator,
    pop: Population,
    geo: Geography,
    org: Organisation,
    wish: np.ndarray,
    day: int,
    days: int,
) -> None:
    """Make a person of the population of each employee, living where ``wish`` says if possible.

    Sets ``org.emp_person``, start and end dates, adjusts young employees'
    ranks, and ties colleagues in the same unit as friends.
    """
    age = pop.age(day)
    eligible = np.flatnonzero((age >= 19) & (age <= 63) & (pop.flags == 0))
    order = np.lexsort((rng.random(len(eligible)), pop.muni[eligible]))
    eligible = eligible[order]
    off = offsets(pop.muni[eligible], geo.n_munis)
    capacity = np.diff(off)
    used = np.zeros(geo.n_munis, dtype=np.int64)
    person = np.full(org.n_employees, -1, dtype=np.int64)
    wish = np.asarray(wish, dtype=np.int64).copy()
    pending = np.arange(org.n_employees)
    k = geo.muni_neighbours.shape[1]
    for attempt in range(50):
        if len(pending) == 0:
            break
        ordered = pending[np.argsort(wish[pending], kind="stable")]
        w = wish[ordered]
        rank = np.arange(len(w)) - np.searchsorted(w, w, side="left")
        slot = used[w] + rank
        ok = slot < capacity[w]
        person[ordered[ok]] = eligible[off[w[ok]] + slot[ok]]
        used += np.bincount(w[ok], minlength=geo.n_munis)
        pending = ordered[~ok]
        if attempt < 40:
            wish[pending] = geo.muni_neighbours[wish[pending], rng.integers(0, k, len(pending))]
        else:
            wish[pending] = rng.integers(0, geo.n_munis, len(pending))
    if len(pending):
        raise RuntimeError("population too small for the number of employees")
    org.emp_person = person
    # police staff and their households are seldom the subject of police work
    pop.interest[np.isin(pop.household, pop.household[person])] *= 0.3
    pop.interest[person] *= 0.5

    emp_age = age[person]
    young = emp_age < 23
    executive = ~np.isin(org.emp_rank, (ASPIRANT, SURVEILLANT, AGENT, CIVILIAN))
    org.emp_rank = np.where(young & executive, np.where(emp_age < 21, ASPIRANT, AGENT), org.emp_rank)
    cap = np.where(org.emp_rank == ASPIRANT, 3, np.minimum(42, emp_age - 18))
    tenure = (rng.random(org.n_employees) * np.maximum(cap, 1) * YEAR).astype(np.int64)
    org.emp_start = day - 30 - tenure
    end = np.full(org.n_employees, NO_DATE, dtype=np.int64)
    if days >= 3:
        leaving = rng.random(org.n_employees) < 0.004
        end[leaving] = day + rng.integers(1, days - 1, leaving.sum())
    org.emp_end = end

    # colleagues who are friends
    unit_off = offsets(org.emp_unit, len(org.unit_id))
    src = np.repeat(np.arange(org.n_employees), rng.poisson(0.8, org.n_employees))
    lo, hi = unit_off[org.emp_unit[src]], unit_off[org.emp_unit[src] + 1]
    other = uniform_in(rng, lo, hi)
    pop.relations.add(
        person[src], person[other], FRIEND, OPEN_SOURCE, day - rng.integers(30, 10 * YEAR, len(src))
    )
