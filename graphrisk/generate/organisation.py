"""The police organisation: territory, units and employees.

The area hierarchy is NL > the ten regional territories > districts >
municipalities. The national unit (Landelijke Eenheid) serves NL; each
regional unit serves its region, each district unit its district, and each
basisteam one municipality. Regional and national units also have specialised
services (investigation, intelligence, integrity, intake, support) that serve
the whole territory of their unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from graphrisk.generate import _names
from graphrisk.generate._common import choose, weighted_in
from graphrisk.generate.presets import Preset

__all__ = [
    "RANKS",
    "REGIONS",
    "ROLES",
    "Geography",
    "Organisation",
    "build_geography",
    "build_organisation",
    "home_municipalities",
]

# name, code, centre x and y (km), spread (km), population (millions)
REGIONS = (
    ("Noord-Nederland", "NN", 215, 560, 45, 1.73),
    ("Oost-Nederland", "ON", 215, 460, 45, 3.25),
    ("Midden-Nederland", "MN", 150, 465, 25, 2.20),
    ("Noord-Holland", "NH", 115, 515, 22, 1.35),
    ("Amsterdam", "AM", 122, 486, 8, 1.15),
    ("Den Haag", "DH", 85, 455, 14, 1.95),
    ("Rotterdam", "RO", 92, 432, 16, 1.85),
    ("Zeeland-West-Brabant", "ZWB", 75, 390, 35, 1.65),
    ("Oost-Brabant", "OB", 160, 400, 25, 1.95),
    ("Limburg", "LI", 190, 340, 22, 1.12),
)

ROLES = ("patrol", "investigation", "intake", "intelligence", "support", "leadership")
PATROL, INVESTIGATION, INTAKE, INTELLIGENCE, SUPPORT, LEADERSHIP = range(len(ROLES))

RANKS = (
    "aspirant",
    "surveillant",
    "agent",
    "hoofdagent",
    "brigadier",
    "inspecteur",
    "hoofdinspecteur",
    "commissaris",
    "burgermedewerker",  # civilian staff: system access, no street work, no police rank
)
ASPIRANT, SURVEILLANT, AGENT, HOOFDAGENT, BRIGADIER, INSPECTEUR, HOOFDINSPECTEUR, COMMISSARIS, CIVILIAN = (
    range(len(RANKS))
)

# kinds of unit
(
    NATIONAL,
    LE_INVESTIGATION,
    LE_INTELLIGENCE,
    LE_INFRASTRUCTURE,
    LE_SUPPORT,
    REGIONAL,
    DRR,
    DRIO,
    VIK,
    REGIONAL_SUPPORT,
    INTAKE_SERVICE,
    DISTRICT,
    DISTRICT_INVESTIGATION,
    BASISTEAM,
) = range(14)
NATIONAL_KINDS = (NATIONAL, LE_INVESTIGATION, LE_INTELLIGENCE, LE_INFRASTRUCTURE, LE_SUPPORT)

# share of all employees, least employees per unit, role probabilities
# (patrol, investigation, intake, intelligence, support, leadership)
_STAFFING = {
    NATIONAL: (0.001, 1, (0, 0, 0, 0, 0.4, 0.6)),
    LE_INVESTIGATION: (0.030, 2, (0, 0.88, 0, 0.05, 0, 0.07)),
    LE_INTELLIGENCE: (0.020, 2, (0, 0, 0, 0.82, 0.10, 0.08)),
    LE_INFRASTRUCTURE: (0.018, 2, (0.90, 0, 0, 0, 0, 0.10)),
    LE_SUPPORT: (0.012, 1, (0, 0, 0, 0, 0.95, 0.05)),
    REGIONAL: (0.003, 1, (0, 0, 0, 0, 0.4, 0.6)),
    DRR: (0.070, 2, (0, 0.90, 0, 0.04, 0, 0.06)),
    DRIO: (0.040, 1, (0, 0, 0, 0.85, 0.08, 0.07)),
    VIK: (0.006, 1, (0, 0.80, 0, 0, 0.10, 0.10)),
    REGIONAL_SUPPORT: (0.060, 1, (0, 0, 0, 0, 0.96, 0.04)),
    INTAKE_SERVICE: (0.025, 1, (0, 0, 0.92, 0, 0.04, 0.04)),
    DISTRICT: (0.003, 1, (0, 0, 0, 0, 0.4, 0.6)),
    DISTRICT_INVESTIGATION: (0.080, 1, (0, 0.92, 0, 0, 0, 0.08)),
    BASISTEAM: (0.632, 2, (0.71, 0.07, 0.10, 0, 0.07, 0.05)),
}

# rank probabilities per role, in RANKS order
_RANK_P = np.array(
    [
        (0.08, 0.05, 0.22, 0.45, 0.17, 0.03, 0, 0, 0),  # patrol
        (0, 0, 0.04, 0.33, 0.42, 0.16, 0.05, 0, 0),  # investigation
        (0, 0.10, 0.30, 0.44, 0.15, 0.01, 0, 0, 0),  # intake
        (0, 0, 0.05, 0.30, 0.42, 0.18, 0.05, 0, 0),  # intelligence
        (0, 0, 0, 0.10, 0.10, 0, 0, 0, 0.80),  # support
        (0, 0, 0, 0, 0, 0.50, 0.40, 0.10, 0),  # leadership
    ]
)


@dataclass
class Geography:
    """Areas and the municipalities' places on a rough map of the country."""

    area_id: list[str]
    area_name: list[str]
    area_parent: np.ndarray  # area index of the parent, -1 for NL
    region_area: np.ndarray  # area index per region
    district_area: np.ndarray
    district_region: np.ndarray
    muni_area: np.ndarray  # area index per municipality (municipalities are ordered by district)
    muni_district: np.ndarray
    muni_region: np.ndarray
    muni_xy: np.ndarray
    muni_weight: np.ndarray  # share of the population
    muni_neighbours: np.ndarray  # (municipalities, 4): the nearest other municipalities
    muni_name: list[str]

    @property
    def n_munis(self) -> int:
        return len(self.muni_area)

    @property
    def n_regions(self) -> int:
        return len(self.region_area)

    def region_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """First and one-past-last municipality of each region."""
        regions = np.arange(self.n_regions)
        return (
            np.searchsorted(self.muni_region, regions, side="left"),
            np.searchsorted(self.muni_region, regions, side="right"),
        )

    def area_munis(self) -> tuple[np.ndarray, np.ndarray]:
        """First and one-past-last municipality of every area (they are contiguous)."""
        n = len(self.area_id)
        lo = np.zeros(n, dtype=np.int64)
        hi = np.full(n, self.n_munis, dtype=np.int64)
        m = np.arange(self.n_munis)
        for owner, areas in ((self.muni_region, self.region_area), (self.muni_district, self.district_area)):
            keys = np.arange(len(areas))
            lo[areas] = np.searchsorted(owner, keys, side="left")
            hi[areas] = np.searchsorted(owner, keys, side="right")
        lo[self.muni_area], hi[self.muni_area] = m, m + 1
        return lo, hi


@dataclass
class Organisation:
    """Units and employees; employees are ordered by unit."""

    unit_id: list[str]
    unit_name: list[str]
    unit_parent: np.ndarray
    unit_area: np.ndarray
    unit_kind: np.ndarray
    unit_region: np.ndarray  # -1 for the national unit
    unit_muni: np.ndarray  # the municipality a basisteam serves, else -1
    emp_unit: np.ndarray
    emp_role: np.ndarray
    emp_rank: np.ndarray
    # filled in by the population step
    emp_person: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    emp_start: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    emp_end: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def n_employees(self) -> int:
        return len(self.emp_unit)

    @property
    def emp_kind(self) -> np.ndarray:
        return self.unit_kind[self.emp_unit]

    @property
    def emp_national(self) -> np.ndarray:
        return np.isin(self.emp_kind, NATIONAL_KINDS)


def build_geography(rng: np.random.Generator, preset: Preset) -> Geography:
    """Regions, districts and municipalities with names, places and population shares."""
    n_regions = len(REGIONS)
    d_lo, d_hi = preset.districts_per_region
    m_lo, m_hi = preset.municipalities_per_district
    districts_per_region = rng.integers(d_lo, d_hi + 1, size=n_regions)
    district_region = np.repeat(np.arange(n_regions), districts_per_region)
    n_districts = len(district_region)
    munis_per_district = rng.integers(m_lo, m_hi + 1, size=n_districts)
    muni_district = np.repeat(np.arange(n_districts), munis_per_district)
    muni_region = district_region[muni_district]
    n_munis = len(muni_district)

    centre = np.array([(r[2], r[3]) for r in REGIONS], dtype=float)
    spread = np.array([r[4] for r in REGIONS], dtype=float)
    district_xy = (
        centre[district_region] + rng.normal(0, 1, (n_districts, 2)) * spread[district_region, None] / 2
    )
    muni_xy = district_xy[muni_district] + rng.normal(0, 1, (n_munis, 2)) * spread[muni_region, None] / 5

    size = rng.lognormal(0.0, 0.7, n_munis)
    first_of_region = np.r_[True, muni_region[1:] != muni_region[:-1]]
    size[first_of_region] *= 3  # the region's city
    population = np.array([r[5] for r in REGIONS])
    region_total = np.bincount(muni_region, weights=size, minlength=n_regions)
    weight = size / region_total[muni_region] * population[muni_region]
    weight /= weight.sum()

    distance = np.hypot(*(muni_xy[:, None, :] - muni_xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distance, np.inf)
    k = min(4, n_munis - 1)
    neighbours = np.argsort(distance, axis=1, kind="stable")[:, :k]

    names = _place_names(rng, n_munis)
    area_id = ["NL"]
    area_name = ["Nederland"]
    area_parent = [-1]
    region_area = np.arange(1, n_regions + 1)
    for r, (name, *_rest) in enumerate(REGIONS):
        area_id.append(f"RE{r + 1:02d}")
        area_name.append(f"Regio {name}")
        area_parent.append(0)
    district_area = np.arange(len(area_id), len(area_id) + n_districts)
    district_name = []
    for d in range(n_districts):
        in_district = np.flatnonzero(muni_district == d)
        biggest = in_district[np.argmax(weight[in_district])]
        r = district_region[d]
        number = d - np.flatnonzero(district_region == r)[0] + 1
        area_id.append(f"DI{r + 1:02d}{number:02d}")
        district_name.append(names[biggest])
        area_name.append(f"District {names[biggest]}")
        area_parent.append(region_area[r])
    muni_area = np.arange(len(area_id), len(area_id) + n_munis)
    for m in range(n_munis):
        area_id.append(f"GM{m + 1:04d}")
        area_name.append(f"Gemeente {names[m]}")
        area_parent.append(district_area[muni_district[m]])

    return Geography(
        area_id=area_id,
        area_name=area_name,
        area_parent=np.array(area_parent),
        region_area=region_area,
        district_area=district_area,
        district_region=district_region,
        muni_area=muni_area,
        muni_district=muni_district,
        muni_region=muni_region,
        muni_xy=muni_xy,
        muni_weight=weight,
        muni_neighbours=neighbours,
        muni_name=names,
    )


def build_organisation(rng: np.random.Generator, preset: Preset, geo: Geography) -> Organisation:
    """The national unit, ten regional units with their services, districts and basisteams."""
    units: list[tuple[str, str, int, int, int, int, int]] = []  # id, name, parent, area, kind, region, muni
    weights: list[float] = []  # share of the unit within its kind

    def add(
        uid: str, name: str, parent: int, area: int, kind: int, region: int, weight: float, muni=-1
    ) -> int:
        units.append((uid, name, parent, area, kind, region, muni))
        weights.append(weight)
        return len(units) - 1

    le = add("LE", "Landelijke Eenheid", -1, 0, NATIONAL, -1, 1.0)
    add("LE-LR", "Landelijke Recherche", le, 0, LE_INVESTIGATION, -1, 1.0)
    add("LE-DLIO", "Dienst Landelijke Informatieorganisatie", le, 0, LE_INTELLIGENCE, -1, 1.0)
    add("LE-DINF", "Dienst Infrastructuur", le, 0, LE_INFRASTRUCTURE, -1, 1.0)
    add("LE-BV", "Bedrijfsvoering Landelijke Eenheid", le, 0, LE_SUPPORT, -1, 1.0)
    region_share = np.bincount(geo.muni_region, weights=geo.muni_weight, minlength=geo.n_regions)
    district_share = np.bincount(geo.muni_district, weights=geo.muni_weight, minlength=len(geo.district_area))
    for r, (name, *_rest) in enumerate(REGIONS):
        code = f"EH{r + 1:02d}"
        area = int(geo.region_area[r])
        w = float(region_share[r])
        top = add(code, f"Eenheid {name}", -1, area, REGIONAL, r, w)
        add(f"{code}-DRR", f"Dienst Regionale Recherche {name}", top, area, DRR, r, w)
        add(f"{code}-DRIO", f"Dienst Regionale Informatieorganisatie {name}", top, area, DRIO, r, w)
        add(f"{code}-VIK", f"Veiligheid Integriteit en Klachten {name}", top, area, VIK, r, w)
        add(f"{code}-BV", f"Bedrijfsvoering {name}", top, area, REGIONAL_SUPPORT, r, w)
        add(f"{code}-IS", f"Intake en Service {name}", top, area, INTAKE_SERVICE, r, w)
        for number, d in enumerate(np.flatnonzero(geo.district_region == r), start=1):
            d_area = int(geo.district_area[d])
            d_name = geo.area_name[d_area].removeprefix("District ")
            dw = float(district_share[d])
            dist = add(f"{code}-D{number}", f"District {d_name}", top, d_area, DISTRICT, r, dw)
            add(
                f"{code}-D{number}-DR",
                f"Districtsrecherche {d_name}",
                dist,
                d_area,
                DISTRICT_INVESTIGATION,
                r,
                dw,
            )
            for t, m in enumerate(np.flatnonzero(geo.muni_district == d), start=1):
                add(
                    f"{code}-D{number}-BT{t:02d}",
                    f"Basisteam {geo.muni_name[m]}",
                    dist,
                    int(geo.muni_area[m]),
                    BASISTEAM,
                    r,
                    float(geo.muni_weight[m]),
                    muni=int(m),
                )

    kind = np.array([u[4] for u in units])
    weight = np.array(weights)
    totals = np.zeros(kind.max() + 1)
    np.add.at(totals, kind, weight)
    share = np.array([_STAFFING[k][0] for k in kind])
    least = np.array([_STAFFING[k][1] for k in kind])
    counts = np.maximum(least, np.round(share * weight / totals[kind] * preset.employees)).astype(np.int64)

    emp_unit = np.repeat(np.arange(len(units)), counts)
    role_p = np.array([_STAFFING[k][2] for k in kind])
    emp_role = choose(rng, role_p[emp_unit])
    emp_rank = choose(rng, _RANK_P[emp_role])
    return Organisation(
        unit_id=[u[0] for u in units],
        unit_name=[u[1] for u in units],
        unit_parent=np.array([u[2] for u in units]),
        unit_area=np.array([u[3] for u in units]),
        unit_kind=kind,
        unit_region=np.array([u[5] for u in units]),
        unit_muni=np.array([u[6] for u in units]),
        emp_unit=emp_unit,
        emp_role=emp_role,
        emp_rank=emp_rank,
    )


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    stems, suffixes = _names.PLACE_STEMS, _names.PLACE_SUFFIXES
    combos = len(stems) * len(suffixes)
    picked = rng.choice(combos, size=min(n, combos), replace=False)
    names = [stems[i // len(suffixes)] + suffixes[i % len(suffixes)] for i in picked]
    prefixes = ("Nieuw-", "Oud-", "Groot-", "Klein-", "Sint ")
    i = 0
    while len(names) < n:  # only for maps larger than the word lists
        names.append(prefixes[i % len(prefixes)] + names[i])
        i += 1
    return names


def home_municipalities(
    rng: np.random.Generator, geo: Geography, org: Organisation, border_home: np.ndarray
) -> np.ndarray:
    """Where each employee would like to live: mostly near the unit, some far away.

    ``border_home`` holds a municipality for employees planted as border
    residents (just across their territory's border), -1 for the others.
    """
    n = org.n_employees
    lo_m, hi_m = geo.area_munis()
    area = org.unit_area[org.emp_unit]
    cum = np.cumsum(geo.muni_weight)
    in_territory = weighted_in(rng, cum, lo_m[area], hi_m[area])
    anywhere = weighted_in(rng, cum, np.zeros(n, dtype=np.int64), np.full(n, geo.n_munis))
    own = org.unit_muni[org.emp_unit]
    region = np.where(org.unit_region[org.emp_unit] >= 0, org.unit_region[org.emp_unit], 2)  # LE: Driebergen
    first, last = geo.region_bounds()
    in_region = weighted_in(rng, cum, first[region], last[region])
    neighbour = geo.muni_neighbours[np.maximum(own, 0), rng.integers(0, geo.muni_neighbours.shape[1], n)]
    u = rng.random(n)
    basis = own >= 0
    national = org.unit_region[org.emp_unit] < 0
    wish = np.where(u < 0.85, in_territory, anywhere)
    wish = np.where(national, np.where(u < 0.35, in_region, anywhere), wish)
    wish = np.where(
        basis,
        np.select([u < 0.5, u < 0.8, u < 0.93], [own, neighbour, in_region], anywhere),
        wish,
    )
    return np.where(border_home >= 0, border_home, wish)
