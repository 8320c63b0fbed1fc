"""A synthetic police organisation, its information use and planted insiders.

Real audit logs of police systems cannot leave the police, so graphrisk
generates data sets in the input data contract: a national unit and ten
regional units with districts and basisteams, a population with households,
friends and neighbours (employees included), criminal organisations and the
cases against them, shifts, and the look-ups of every employee, with insiders
planted among legitimate look-alikes and labelled in ``ground_truth``.
The model is described in docs/datasets.md.

>>> from graphrisk.generate import generate
>>> rows = generate("/tmp/graphrisk-tiny", preset="tiny", seed=1)   # doctest: +SKIP
>>> rows["access_log"] > 0                                           # doctest: +SKIP
True

The same preset, seed, days, format and prevalence give byte-identical files
(for a given ``MODEL_VERSION``, and with a realism profile ``PROFILE_VERSION``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from graphrisk.errors import UsageError
from graphrisk.generate._common import day_number, offsets, stream
from graphrisk.generate.activity import (
    CASE,
    Events,
    World,
    build_shifts,
    normal_events,
    repeat_lines,
    rosters,
)
from graphrisk.generate.crime import build_crime
from graphrisk.generate.noise import (
    NOISE_LOOKALIKES,
    NOISE_SCENARIOS,
    add_leavers,
    add_staff_victims,
    clocks,
    drop_absent,
    drop_work_elsewhere,
    duplicate_lines,
    duplicate_persons,
    extra_events,
    move_people,
    part_time,
    record_assignments,
    record_rosters,
    record_shifts,
    skew_clocks,
    to_duplicates,
    unregistered,
)
from graphrisk.generate.organisation import build_geography, build_organisation, home_municipalities
from graphrisk.generate.population import build_population, place_employees
from graphrisk.generate.presets import DEFAULT_PREVALENCE, MODEL_VERSION, PRESETS, PROFILE_VERSION, Preset
from graphrisk.generate.profiles import PROFILES, Noise, noise_for
from graphrisk.generate.scenarios import (
    LOOKALIKES,
    SCENARIOS,
    choose_border_residents,
    choose_proxies,
    plan,
    planted_events,
)
from graphrisk.generate.writer import write_dataset

__all__ = [
    "DEFAULT_PREVALENCE",
    "FORMATS",
    "LOOKALIKES",
    "NOISE_LOOKALIKES",
    "NOISE_SCENARIOS",
    "PRESETS",
    "PROFILES",
    "SCENARIOS",
    "Noise",
    "Preset",
    "generate",
    "noise_for",
]

FORMATS = ("csv", "parquet")


def generate(
    out_dir: str | Path,
    *,
    preset: str = "small",
    seed: int = 0,
    days: int | None = None,
    fmt: str = "csv",
    prevalence: float | None = None,
    profile: str = "baseline",
    progress: Callable[[str], None] | None = None,
    by_day: bool | None = None,
) -> dict[str, int]:
    """Generate a synthetic data set in ``out_dir``.

    Parameters
    ----------
    out_dir : directory to write to; created if missing. Contract files in it
        are overwritten (and a same-named file in the other format removed).
    preset : one of ``tiny``, ``small``, ``medium``, ``national`` (see PRESETS).
    seed : the random seed; the same arguments give byte-identical files.
    days : length of the access log in days; the preset's default if None.
    fmt : ``csv`` or ``parquet``.
    prevalence : fraction of employees planted as insiders (default 0.01);
        every scenario gets at least the preset's ``min_per_group`` insiders
        unless the prevalence is 0, which plants none.
    profile : realism profile, one of ``baseline`` (the default: the clean model,
        byte-identical to earlier versions), ``realistic``, ``harsh``, ``random``
        (knob values drawn from the seed); see profiles.py and docs/datasets.md.
    progress : called with a short message after each step.
    by_day : draw and write the access log one day at a time (:mod:`graphrisk.generate.daily`),
        so that a month of national log fits in memory; another log than the whole-window
        path's for the same seed (every other file is the same). None (the default): by day
        for the national preset beyond one day, the whole window otherwise.

    Returns
    -------
    dict
        Rows written per contract table.

    Raises
    ------
    UsageError
        For an unknown preset, format or profile, days < 1 or a prevalence outside [0, 0.5].
    """
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    if preset not in PRESETS:
        raise UsageError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose csv or parquet")
    p = PRESETS[preset]
    days = p.days if days is None else int(days)
    if days < 1:
        raise UsageError(f"days must be at least 1, got {days}")
    prevalence = DEFAULT_PREVALENCE if prevalence is None else float(prevalence)
    if not 0 <= prevalence <= 0.5:
        raise UsageError(f"prevalence must be between 0 and 0.5, got {prevalence}")
    seed = int(seed)
    clock = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - clock:6.1f}s] {message}")

    noise = noise_for(profile, seed)
    if by_day is None:
        by_day = p.name == "national" and days > 1
    world, the_plan, shifts, events = build_world(p, seed, days, prevalence, say, noise, by_day=by_day)
    manifest = {
        "generator": "graphrisk.generate",
        "model_version": MODEL_VERSION,
        "preset": p.name,
        "seed": seed,
        "days": days,
        "format": fmt,
        "prevalence": prevalence,
        "log_start": str(np.datetime64(world.start, "s")) + "+00:00",
        "log_end": str(np.datetime64(world.end, "s")) + "+00:00",
    }
    if noise.enabled:  # absent for baseline, so that its files stay byte-identical
        manifest["profile"] = noise.profile
        manifest["profile_version"] = PROFILE_VERSION
        manifest["noise"] = noise.knobs()
    if by_day:  # absent for the whole window, so that its files stay byte-identical
        manifest["access_log"] = "by-day"
    return write_dataset(
        Path(out_dir), world, the_plan, shifts, events, fmt=fmt, seed=seed, manifest=manifest, say=say
    )


def build_world(
    p: Preset,
    seed: int,
    days: int,
    prevalence: float,
    say: Callable[[str], None],
    noise: Noise | None = None,
    *,
    by_day: bool = False,
):
    """Every step of the model, in order; returns (world, plan, shifts, access events).

    ``noise`` holds the realism profile's knobs; None or baseline runs the clean model. With
    ``by_day`` the access events are a :class:`~graphrisk.generate.daily.DayLog`, drawn as the
    writer asks for each day.
    """
    noise = Noise() if noise is None else noise
    day = day_number(p.start)
    geo = build_geography(stream(seed, "geography"), p)
    org = build_organisation(stream(seed, "organisation"), p, geo)
    say(f"organisation: {len(org.unit_id)} units, {org.n_employees:,} employees")
    pop = build_population(stream(seed, "population"), p.persons, geo, day)
    border_home = choose_border_residents(stream(seed, "border"), geo, org, p)
    wish = home_municipalities(stream(seed, "homes"), geo, org, border_home)
    place_employees(stream(seed, "employees"), pop, geo, org, wish, day, days)
    say(f"population: {pop.n:,} persons, {pop.n_vehicles:,} vehicles")
    crime = build_crime(stream(seed, "crime"), p, geo, org, pop, day, days)
    say(f"crime: {len(crime.org_name)} organisations, {crime.n_cases:,} cases")
    if noise.enabled:
        record_assignments(stream(seed, "assignments"), crime, noise, day, days)

    lo_m, hi_m = geo.area_munis()
    area = org.unit_area[org.emp_unit]
    active = crime.active_assignments(day)
    a_emp, a_case = crime.assign_emp[active], crime.assign_case[active]
    order = np.lexsort((a_case, a_emp))
    world = World(
        geo=geo,
        org=org,
        pop=pop,
        crime=crime,
        day=day,
        days=days,
        cumulative_interest=np.cumsum(pop.interest),
        emp_lo=pop.muni_offsets[lo_m[area]],
        emp_hi=pop.muni_offsets[hi_m[area]],
        emp_home=pop.muni[org.emp_person],
        emp_cases=a_case[order],
        emp_case_offsets=offsets(a_emp[order], org.n_employees),
        border=border_home >= 0,
    )
    victims = add_staff_victims(stream(seed, "staff-victims-cases"), world, noise) if noise.enabled else []
    the_plan = plan(stream(seed, "scenarios"), world, p, prevalence, noise, stream(seed, "second-scenario"))
    world.cumulative_interest = np.cumsum(pop.interest)  # the plan makes some relatives well known
    if noise.enabled and noise.leavers > 0:  # after the plan (insiders leave too), before the shifts
        add_leavers(stream(seed, "leavers"), world, the_plan.insiders, the_plan.callouts, noise)
    if noise.enabled and noise.proxy > 0:  # after the leavers: a proxy stays to the end of the log
        the_plan.proxies = choose_proxies(stream(seed, "proxies"), world, the_plan, noise)
    say(f"scenarios: {len(the_plan.insiders)} insiders, {len(the_plan.labels):,} ground-truth rows")

    roster = rosters(stream(seed, "rosters"), org, the_plan.night)
    shifts = build_shifts(stream(seed, "shifts"), world, roster, the_plan.callouts)
    if noise.enabled and noise.part_time > 0:  # before any look-up: the days off are not worked
        shifts, part = part_time(stream(seed, "part-time"), world, shifts, noise, the_plan.callouts)
        the_plan.labels = sorted(set(the_plan.labels) | {(int(e), "lookalike:part-time") for e in part})
    if by_day:
        return world, the_plan, *_by_day(p, seed, world, the_plan, shifts, noise, victims, say, prevalence)
    if noise.enabled:
        normal = normal_events(
            stream(seed, "activity"), world, shifts, p.activity, noise, stream(seed, "activity-noise")
        )
    else:
        normal = normal_events(stream(seed, "activity"), world, shifts, p.activity)
    extra = None
    if noise.enabled:  # first: the insiders' sessions are placed knowing their absences
        extra = _extra(seed, p, world, the_plan, shifts, noise, victims, prevalence)
    planted = _planted(seed, world, the_plan, shifts, noise, extra)
    parts = [normal, planted]
    if noise.enabled:
        parts = [
            drop_work_elsewhere(normal, extra, org.n_employees),
            drop_absent(planted, extra, org.n_employees, _insiders(the_plan)),
            extra.events(),
        ]
        say(f"profile {noise.profile}: {len(extra.events()):,} added look-ups")
    events = repeat_lines(
        stream(seed, "lines"), unregistered(Events.concat(parts), extra), p.lines_per_lookup
    )
    if noise.enabled:
        events = duplicate_lines(stream(seed, "duplicates"), events, noise)
        events = skew_clocks(events, clocks(stream(seed, "clock"), world, noise))
    inside = (events.ts >= world.start) & (events.ts < world.end)
    events = Events(**{f: getattr(events, f)[inside] for f in Events.__dataclass_fields__})
    tie = stream(seed, "order").random(len(events))
    order = np.lexsort((tie, events.emp, events.ts))
    events = Events(**{f: getattr(events, f)[order] for f in Events.__dataclass_fields__})
    if noise.enabled:
        shifts = record_shifts(stream(seed, "dst-records"), world, shifts, noise)
        shifts = record_rosters(stream(seed, "roster-records"), shifts, extra, org.n_employees)
        move_people(stream(seed, "movers"), world, noise)
        duplicate_persons(stream(seed, "duplicate-persons"), world, noise)  # after every look-up
        events = to_duplicates(events, pop)
    say(f"activity: {len(shifts.emp):,} shifts, {len(events):,} look-ups")
    return world, the_plan, shifts, events


def _planted(seed: int, world: World, the_plan, shifts, noise: Noise, extra):
    """The planted insiders' look-ups, the same on both paths: placed knowing their absences, some
    hidden in work (``insider_cover``, its own stream)."""
    return planted_events(
        stream(seed, "planted"),
        world,
        the_plan,
        shifts,
        noise,
        extra.absent if extra else None,
        stream(seed, "insider-cover") if noise.enabled else None,
        stream(seed, "proxy-lookups") if noise.enabled else None,
        extra.moves if extra else None,
        stream(seed, "insider-move") if noise.enabled else None,
    )


def _by_day(p: Preset, seed: int, world: World, the_plan, shifts, noise: Noise, victims, say, prevalence):
    """The (recorded shifts, day log) of :func:`build_world`'s day-by-day path.

    The same steps as the whole-window path, with the ordinary look-ups, repeated lines and
    their order left to the :class:`DayLog`; every other draw comes from the same stream.
    """
    from graphrisk.generate.daily import DayLog

    extra = None
    n_emp = world.org.n_employees
    if noise.enabled:
        extra = _extra(seed, p, world, the_plan, shifts, noise, victims, prevalence)
    planted = _planted(seed, world, the_plan, shifts, noise, extra)
    if noise.enabled:
        planted = Events.concat([drop_absent(planted, extra, n_emp, _insiders(the_plan)), extra.events()])
        say(f"profile {noise.profile}: {len(extra.events()):,} added look-ups")
    log = DayLog(
        world,
        shifts,
        planted,
        lambda name: stream(seed, name),
        activity=p.activity,
        lines_per_lookup=p.lines_per_lookup,
        noise=noise,
        extra=extra,
        clock=clocks(stream(seed, "clock"), world, noise) if noise.enabled else None,
    )
    if noise.enabled:  # after the look-ups were planned from the real shifts and the old addresses
        shifts = record_shifts(stream(seed, "dst-records"), world, shifts, noise)
        shifts = record_rosters(stream(seed, "roster-records"), shifts, extra, n_emp)
        move_people(stream(seed, "movers"), world, noise)
        duplicate_persons(stream(seed, "duplicate-persons"), world, noise)  # the day log applies it
    say(f"activity: {len(shifts.emp):,} shifts, about {log.expected_lines():,} look-ups to draw day by day")
    return shifts, log


def _insiders(the_plan) -> np.ndarray:
    """The planted insiders' employee numbers (their proxies too: their look-ups were placed knowing
    their absences)."""
    emps = {i.emp for i in the_plan.insiders} | {x for _, x in the_plan.proxies}
    return np.array(sorted(emps), dtype=np.int64)


def _extra(seed: int, p: Preset, world: World, the_plan, shifts, noise: Noise, victims, prevalence: float):
    """The profile's phenomena (:func:`~graphrisk.generate.noise.extra_events`), their labels added
    to the plan's. Planted insiders take part in all of them; what their scenario keeps them off
    (the cases it is about and the units that own them) is passed on."""
    forbidden: dict[int, tuple[set[int], set[int]]] = {}
    crime = world.crime
    for ins in the_plan.insiders:
        cases, units = forbidden.setdefault(ins.emp, (set(), set()))
        if ins.case >= 0:
            cases.add(ins.case)
        cases.update(t for kind, t in ins.targets if kind == CASE)
        units.update(int(crime.case_unit[c]) for c in cases)
    for e, x in the_plan.proxies:  # a proxy looks at the insider's story too
        cases, units = forbidden.setdefault(x, (set(), set()))
        cases.update(forbidden.get(e, (set(), set()))[0])
        units.update(int(crime.case_unit[c]) for c in cases)
    extra = extra_events(
        lambda name: stream(seed, name),
        world,
        shifts,
        noise,
        victims,
        p.activity,
        forbidden,
        curious=prevalence > 0,
    )
    labels = {(e, x if x.startswith("insider:") else f"lookalike:{x}") for e, x in extra.labels}
    the_plan.labels = sorted(set(the_plan.labels) | labels)
    return extra
