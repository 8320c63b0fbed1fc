"""Realism round 4 of the generator: planted insiders in ordinary circumstances, insiders with two
scenarios, staff looking up their own staff, traffic checks, incidents in the news.

The worlds are built in memory (graphrisk.generate.build_world) on the tiny and small presets, with
the harsh profile's knobs and, where a test needs many insiders or a phenomenon at a clear rate, a
few knobs raised (within or just above their ranges).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

import numpy as np
import pytest

from graphrisk.generate import NOISE_LOOKALIKES, NOISE_SCENARIOS, PRESETS, build_world, noise_for
from graphrisk.generate._common import HOUR, NO_DATE, stream
from graphrisk.generate.activity import CASE, PERSON, VEHICLE
from graphrisk.generate.noise import Extra, _absences, _news, _team_care, _traffic_checks
from graphrisk.generate.organisation import BASISTEAM, LE_INFRASTRUCTURE, LEADERSHIP, PATROL
from graphrisk.generate.profiles import Noise
from graphrisk.generate.scenarios import SCENARIOS

SEED = 5
ROUND_4 = ("second_scenario", "team_care", "traffic_checks", "news_incidents", "news_curious", "part_time")


def _build(preset: str, prevalence: float, profile: str = "harsh", **knobs):
    """A world of ``profile`` with ``knobs`` changed: (world, plan, shifts, events, labels, noise)."""
    p = PRESETS[preset]
    noise = dataclasses.replace(noise_for(profile, SEED), **knobs)
    world, plan, shifts, events = build_world(p, SEED, p.days, prevalence, lambda _: None, noise)
    labels: dict[int, set[str]] = defaultdict(set)
    for e, label in plan.labels:
        labels[e].add(label)
    return world, plan, shifts, events, labels, noise


def assert_round_knobs_last(knobs: tuple) -> None:
    """A realism round's knobs come after every earlier round's (later rounds' after them), so the
    random profile draws the earlier knobs as before the round."""
    specs = [f.name for f in dataclasses.fields(Noise) if "range" in f.metadata]
    specs = specs[: specs.index(knobs[-1]) + 1]
    assert tuple(specs[-len(knobs) :]) == knobs
    old = specs[: -len(knobs)]
    for seed in (1, 7):
        u = stream(seed, "profile").random(len(old))
        drawn = noise_for("random", seed)
        for name, x in zip(old, u.tolist(), strict=True):
            lo, hi = next(f.metadata["range"] for f in dataclasses.fields(Noise) if f.name == name)
            assert getattr(drawn, name) == round(lo + x * (hi - lo), 6), name


def assert_round_knobs_off_in_the_baseline(knobs: tuple) -> None:
    """A realism round's knobs are off in the baseline and mid-range in the realistic profile."""
    base, real = Noise(), noise_for("realistic", 1)
    for name in knobs:
        lo, hi = next(f.metadata["range"] for f in dataclasses.fields(Noise) if f.name == name)
        assert getattr(base, name) == 0
        assert getattr(real, name) == pytest.approx((lo + hi) / 2)


@pytest.fixture(scope="module")
def many():
    """A small world with many insiders (10%), absences and transfers at the top of their ranges."""
    return _build("small", 0.10, absence=0.15, transfers=0.05, second_scenario=0.3)


# --- the knobs -------------------------------------------------------------------------------------


def test_the_new_knobs_are_last_and_the_random_profile_draws_the_old_ones_as_before():
    specs = [f.name for f in dataclasses.fields(Noise) if "range" in f.metadata]
    specs = specs[: specs.index(ROUND_4[-1]) + 1]  # later rounds come after (test_generate_round5.py)
    assert tuple(specs[-len(ROUND_4) :]) == ROUND_4
    old = specs[: -len(ROUND_4)]
    for seed in (1, 7):
        u = stream(seed, "profile").random(len(old))  # what the profile drew before the new knobs
        drawn = noise_for("random", seed)
        for name, x in zip(old, u.tolist(), strict=True):
            lo, hi = next(f.metadata["range"] for f in dataclasses.fields(Noise) if f.name == name)
            assert getattr(drawn, name) == round(lo + x * (hi - lo), 6), name


def test_the_new_knobs_are_off_in_the_baseline_and_mid_range_in_the_realistic_profile():
    base, real, harsh = Noise(), noise_for("realistic", 1), noise_for("harsh", 1)
    for name in ROUND_4:
        lo, hi = next(f.metadata["range"] for f in dataclasses.fields(Noise) if f.name == name)
        assert getattr(base, name) == 0
        assert getattr(real, name) == pytest.approx((lo + hi) / 2)
        assert getattr(harsh, name) == pytest.approx(lo + 0.9 * (hi - lo))


def test_the_baseline_world_has_none_of_the_new_groups():
    p = PRESETS["tiny"]
    _, plan, *_ = build_world(p, SEED, p.days, 0.05, lambda _: None)
    got = {label for _, label in plan.labels}
    assert not got & {
        f"lookalike:{g}" for g in ("team-care", "traffic-control", "news-incident", "part-time")
    }
    assert not got & {f"insider:{s}" for s in NOISE_SCENARIOS}
    assert len({i.emp for i in plan.insiders}) == len(plan.insiders)  # one scenario each


def test_the_docs_name_every_new_label():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "datasets.md").read_text(encoding="utf-8")
    for g in NOISE_LOOKALIKES:
        assert f"`lookalike:{g}`" in text, g
    for s in NOISE_SCENARIOS:
        assert f"`insider:{s}`" in text, s


# --- insiders in ordinary circumstances -------------------------------------------------------------


def test_insiders_take_part_in_the_circumstances_of_their_colleagues(many):
    world, plan, _, _, labels, _ = many
    insiders = {i.emp for i in plan.insiders}
    others = [e for e in range(world.org.n_employees) if e not in insiders]
    for group in ("absence", "transferred"):
        mine = np.mean([f"lookalike:{group}" in labels[e] for e in insiders])
        theirs = np.mean([f"lookalike:{group}" in labels[e] for e in others])
        assert mine > 0, group
        assert abs(mine - theirs) < 0.15, (group, mine, theirs)
    circumstances = {
        "lookalike:absence",
        "lookalike:transferred",
        "lookalike:sparse-roster",
        "lookalike:unrostered",
        "lookalike:deployed-elsewhere",
        "lookalike:event-duty",
        "lookalike:operation-support",
        "lookalike:info-request",
    }
    assert sum(bool(labels[e] & circumstances) for e in insiders) >= len(insiders) // 3


def test_every_insider_still_looks_up_what_the_scenario_is_about(many):
    world, plan, _, events, labels, _ = many
    target = events.target
    pop = world.pop
    if pop.dup_of is not None:  # round 6: a look-up of a person's second record is of that person
        second = (events.target_type == PERSON) & (target >= pop.n)
        target = np.where(second, pop.dup_of[np.where(second, target - pop.n, 0)], target)
    seen = set(zip(events.emp.tolist(), events.target_type.tolist(), target.tolist(), strict=True))
    for ins in plan.insiders:
        assert f"insider:{ins.scenario}" in labels[ins.emp]
        if ins.scenario == "bulk-browsing":
            lo, hi = ins.browse
            mine = (events.emp == ins.emp) & (events.target_type == PERSON)
            hits = int((mine & (target >= lo) & (target < hi) & (events.case < 0)).sum())
        else:
            hits = sum((ins.emp, t, x) in seen for t, x in ins.targets)
        assert hits >= 1, (ins.emp, ins.scenario)


def test_absent_insiders_do_their_scenario_mostly_outside_the_absence(many):
    world, plan, shifts, events, labels, noise = many
    # the absences as the profile drew them (the windows come first on their stream)
    out = Extra()
    _absences(stream(SEED, "absence"), world, shifts, noise, out, PRESETS["small"].activity)
    windows = defaultdict(list)
    for emp, lo, hi in out.absent:
        for e, a, b in zip(emp.tolist(), lo.tolist(), hi.tolist(), strict=True):
            windows[e].append((a, b))
    assert all("lookalike:absence" in labels[e] for e in windows)
    inside = total = 0
    time_away = time_all = 0
    for ins in plan.insiders:
        if ins.emp not in windows or ins.scenario == "bulk-browsing":
            continue
        targets = set(ins.targets)
        mine = np.flatnonzero(events.emp == ins.emp)
        for i in mine.tolist():
            if (int(events.target_type[i]), int(events.target[i])) in targets:
                total += 1
                inside += any(a <= events.ts[i] < b for a, b in windows[ins.emp])
        time_away += sum(
            min(b, world.end) - max(a, world.start) for a, b in windows[ins.emp] if b > world.start
        )
        time_all += world.end - world.start
    assert total > 20
    assert inside / total < 0.6 * time_away / time_all  # a fifth as often as at random, plus chance
    # and they work no shift in the absence: on-shift scenario look-ups are not in it
    assert any(windows[i.emp] for i in plan.insiders)
    # no planted on-shift work in the absence: the insiders' shifts there are not worked
    recorded = {(e, a) for e in windows for a in shifts.of(e)[0].tolist()}
    assert recorded


def test_a_moved_insider_is_not_listed_on_the_case_of_the_scenario(many):
    world, plan, *_ = many
    crime = world.crime
    listed = set(zip(crime.assign_emp.tolist(), crime.assign_case.tolist(), strict=True))
    for ins in plan.insiders:
        cases = {ins.case} | {t for k, t in ins.targets if k == CASE}
        cases.discard(-1)
        assert not {(ins.emp, c) for c in cases} & listed, ins.scenario


def test_a_share_of_insiders_carry_a_second_different_scenario(many):
    _, plan, _, _, labels, noise = many
    per = Counter(i.emp for i in plan.insiders)
    two = [e for e, k in per.items() if k > 1]
    share = len(two) / len(per)
    assert 0.4 * noise.second_scenario < share < 1.6 * noise.second_scenario
    for e in two:
        scenarios = [i.scenario for i in plan.insiders if i.emp == e]
        assert len(set(scenarios)) == len(scenarios) == 2
        assert {f"insider:{s}" for s in scenarios} <= labels[e]
    assert len({s for e in two for s in (i.scenario for i in plan.insiders if i.emp == e)}) >= 4


def test_no_second_scenario_when_the_knob_is_off():
    _, plan, *_ = _build("tiny", 0.05, second_scenario=0.0)
    assert len({i.emp for i in plan.insiders}) == len(plan.insiders)
    assert {i.scenario for i in plan.insiders} == set(SCENARIOS)


# --- staff looking up their own staff -----------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return _build("small", 0.02, news_curious=10.0)  # the top of the range is 2: a clear rate


def _phenomenon(fn, world, shifts, noise, *args):
    out = Extra()
    fn(stream(SEED, "test"), world, shifts, noise, out, *args)
    return out, out.events()


def test_team_leaders_and_hr_advisers_look_up_their_own_staff(small):
    world, _, shifts, _, labels, noise = small
    org = world.org
    out, ev = _phenomenon(_team_care, world, shifts, noise)
    assert len(ev) > 0
    lookers = {e for e, _ in out.labels}
    staff_person = {int(p): e for e, p in enumerate(org.emp_person.tolist())}
    persons = ev.target_type == PERSON
    assert (ev.case == -1).all()
    colleague = 0
    for e, p in zip(ev.emp[persons].tolist(), ev.target[persons].tolist(), strict=True):
        other = staff_person.get(p)
        assert other is not None and other != e
        same_unit = org.emp_unit[other] == org.emp_unit[e]
        same_region = org.unit_region[org.emp_unit[other]] == org.unit_region[org.emp_unit[e]]
        colleague += bool(same_unit or same_region)
        if org.emp_role[e] == LEADERSHIP:
            assert same_unit
    assert colleague == int(persons.sum())
    # at roughly the knob's rate: sessions per 30 days of a team leader with shifts
    leaders = [e for e in lookers if org.emp_role[e] == LEADERSHIP]
    pool = np.flatnonzero((org.emp_role == LEADERSHIP) & (org.emp_end == NO_DATE))
    sessions = sum(int(((ev.emp == e) & persons).sum()) for e in leaders)
    assert 0.4 * noise.team_care * len(pool) < sessions < 1.6 * noise.team_care * len(pool)
    assert "lookalike:team-care" in set().union(*labels.values())


def test_traffic_checks_are_bursts_of_plates_from_all_over_the_country(small):
    world, _, shifts, _, labels, noise = small
    org, pop, geo = world.org, world.pop, world.geo
    out, ev = _phenomenon(_traffic_checks, world, shifts, noise, PRESETS["small"].activity)
    lookers = sorted({e for e, _ in out.labels})
    assert lookers
    assert all(org.emp_role[e] == PATROL for e in lookers)
    assert all(org.emp_kind[e] in (BASISTEAM, LE_INFRASTRUCTURE) for e in lookers)
    assert (ev.case == -1).all()
    v = ev.target_type == VEHICLE
    assert v.mean() > 0.7
    regions = geo.muni_region[pop.muni[pop.vehicle_owner[ev.target[v]]]]
    assert len(set(regions.tolist())) == geo.n_regions
    # a burst: one officer, many distinct plates within a few hours
    e0 = lookers[0]
    mine = ev.ts[(ev.emp == e0) & v]
    first = mine.min()
    assert ((mine - first) < 4 * HOUR).sum() >= 5
    # rate: bursts per 30 days per officer of the pool ~ the knob (a quarter of basisteam patrol)
    highway = int(((org.emp_kind == LE_INFRASTRUCTURE) & (org.emp_role == PATROL)).sum())
    local = 0.25 * int(((org.emp_kind == BASISTEAM) & (org.emp_role == PATROL)).sum())
    expected = noise.traffic_checks * (2 * highway + local)
    bursts = len(np.unique(np.c_[ev.emp[v], ev.ts[v] // (6 * HOUR)], axis=0))
    assert 0.4 * expected < bursts < 2.0 * expected
    assert "lookalike:traffic-control" in set().union(*labels.values())


def test_an_incident_in_the_news_is_worked_by_its_units_and_looked_up_by_curious_staff(small):
    world, _, shifts, _, labels, noise = small
    org, crime = world.org, world.crime
    out, ev = _phenomenon(_news, world, shifts, noise, True)
    honest = {e for e, g in out.labels if g == "news-incident"}
    curious = {e for e, g in out.labels if g == "insider:news-curiosity"}
    assert honest and curious
    assert not honest & curious
    persons = ev.target_type == PERSON
    by_person = defaultdict(set)
    for e, p in zip(ev.emp[persons].tolist(), ev.target[persons].tolist(), strict=True):
        by_person[p].add(e)
    top = max(by_person.values(), key=len)
    assert len(top) >= 5 and len({int(org.emp_unit[e]) for e in top}) >= 2
    cur = np.isin(ev.emp, list(curious))
    assert (ev.case[cur] == -1).all()
    assert (ev.case[~cur] >= 0).mean() > 0.5
    subjects = set(zip(crime.subject_case.tolist(), crime.subject_person.tolist(), strict=True))
    cited = ~cur & (ev.case >= 0) & persons
    assert all(
        (c, p) in subjects for c, p in zip(ev.case[cited].tolist(), ev.target[cited].tolist(), strict=True)
    )
    # the curious are neither in the owning unit nor on the case
    listed = set(zip(crime.assign_emp.tolist(), crime.assign_case.tolist(), strict=True))
    news_cases = set(ev.case[~cur & (ev.case >= 0)].tolist())
    case_of = {p: c for c, p in subjects if c in news_cases}
    for e, p in zip(ev.emp[cur & persons].tolist(), ev.target[cur & persons].tolist(), strict=True):
        c = case_of[p]
        assert int(org.emp_unit[e]) != int(crime.case_unit[c])
        assert (e, c) not in listed
    # at roughly the knob's rate: curious staff per 1,000 employees per incident
    incidents = len(news_cases)
    expected = noise.news_curious * org.n_employees / 1000 * incidents
    assert 0.2 * expected <= len(curious) <= 3 * expected + 2
    assert {e for e, g in ((e, g) for e, gs in labels.items() for g in gs) if g == "insider:news-curiosity"}


def test_part_timers_have_fixed_weekdays_off_and_insiders_are_among_them(many):
    from graphrisk.generate._common import DAY, utc_to_local, weekday

    world, plan, shifts, _, labels, noise = many
    part = [e for e in range(world.org.n_employees) if "lookalike:part-time" in labels[e]]
    share = len(part) / world.org.n_employees
    assert 0.7 * noise.part_time < share < 2.0 * noise.part_time  # support and intake twice as often
    callout = {(e, s) for e, s, _ in plan.callouts}

    def weekdays(e):
        start = shifts.of(e)[0]
        days = weekday(utc_to_local(start) // DAY)
        return {int(d) for d, s in zip(days.tolist(), start.tolist(), strict=True) if (e, s) not in callout}

    full = [e for e in range(world.org.n_employees) if e not in set(part) and world.org.emp_role[e] == 4]
    worked = [len(weekdays(e) & set(range(5))) for e in part if world.org.emp_role[e] == 4]  # support
    assert worked and max(worked) <= 4
    assert np.mean([len(weekdays(e) & set(range(5))) for e in full[:50]]) > 4.5
    insiders = {i.emp for i in plan.insiders}
    assert insiders & set(part)


def test_no_curious_insiders_when_none_are_planted():
    _, plan, *_ = _build("tiny", 0.0, news_curious=2.0, news_incidents=3.0)
    assert not [label for _, label in plan.labels if label.startswith("insider:")]
    assert any(label == "lookalike:news-incident" for _, label in plan.labels)
