"""Realism round 6 of the generator: proxies (``insider:proxy``), functional administrators who
abuse their broad access (``insider:admin-abuse``), moved insiders who adapt to the move, cases
registered days after the work on them began, persons with two records.

The worlds are built in memory (graphrisk.generate.build_world) on the tiny and small presets with
the harsh profile's knobs, the new ones raised (within or just above their ranges) where a test
needs a phenomenon at a clear rate.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from test_generate_circumstances import (
    _build,
    assert_round_knobs_last,
    assert_round_knobs_off_in_the_baseline,
)

from graphrisk.generate import NOISE_SCENARIOS, PRESETS, build_world, generate
from graphrisk.generate._common import DAY, NO_DATE, local_to_utc
from graphrisk.generate.activity import CASE, PERSON
from graphrisk.generate.population import FRIEND
from graphrisk.generate.scenarios import PROXIED

SEED = 5
ROUND_6 = (
    "proxy",
    "proxy_share",
    "admin_abuse",
    "insider_move_adapt",
    "late_cases",
    "duplicate_persons",
)
ON = dict(
    proxy=1.0,
    proxy_share=0.7,
    admin_abuse=1.0,
    admin_staff=6.0,
    late_cases=0.15,
    duplicate_persons=0.04,
    transfers=0.2,
    insider_move_adapt=1.0,
)


@pytest.fixture(scope="module")
def small():
    """A small world with many insiders (10%) and every round-6 knob at (or above) the top."""
    return _build("small", 0.10, **ON)


@pytest.fixture(scope="module")
def clean():
    """The same world with every round-6 knob off (the rest harsh)."""
    return _build("small", 0.10, **dict.fromkeys(ROUND_6, 0.0))


def _original(world, target: np.ndarray) -> np.ndarray:
    """Person numbers with second records mapped back to the person they are of."""
    pop = world.pop
    target = np.asarray(target, dtype=np.int64)
    if pop.dup_of is None:
        return target
    return np.where(target >= pop.n, pop.dup_of[np.clip(target - pop.n, 0, len(pop.dup_of) - 1)], target)


def _insider_labels(labels) -> Counter:
    return Counter(x for xs in labels.values() for x in xs if x.startswith("insider:"))


# --- the knobs -------------------------------------------------------------------------------------


def test_the_new_knobs_are_last_and_the_random_profile_draws_the_old_ones_as_before():
    assert_round_knobs_last(ROUND_6)


def test_the_new_knobs_are_off_in_the_baseline():
    assert_round_knobs_off_in_the_baseline(ROUND_6)


def test_the_baseline_world_has_none_of_the_new_phenomena():
    p = PRESETS["tiny"]
    world, plan, *_ = build_world(p, SEED, p.days, 0.05, lambda _: None)
    got = {label for _, label in plan.labels}
    assert not got & {"insider:proxy", "insider:admin-abuse"}
    assert world.pop.dup_of is None and plan.proxies == []
    assert (world.crime.case_opened < world.day).all()


def test_the_docs_name_every_new_label_and_knob():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "datasets.md").read_text(encoding="utf-8")
    assert "admin-abuse" in NOISE_SCENARIOS
    for label in ("insider:proxy", "insider:admin-abuse"):
        assert f"`{label}`" in text, label
    for name in ROUND_6:
        assert f"`{name}`" in text, name


def test_every_new_scenario_occurs_and_none_without_its_knob(small, clean):
    got, off = _insider_labels(small[4]), _insider_labels(clean[4])
    for label in ("insider:proxy", "insider:admin-abuse"):
        assert got[label] >= 1, label
        assert off[label] == 0, label
    assert clean[0].pop.dup_of is None
    assert (clean[0].crime.case_opened < clean[0].day).all()


# --- proxies ---------------------------------------------------------------------------------------


def test_proxies_are_friends_of_the_unit_looking_up_the_insiders_targets(small):
    world, plan, _, events, labels, _ = small
    org, pop = world.org, world.pop
    proxies = {x for x, xs in labels.items() if "insider:proxy" in xs}
    assert proxies
    pairs = [(e, x) for e, x in plan.proxies if x in proxies]
    assert {x for _, x in pairs} == proxies  # every labelled proxy has an insider
    a, b, kind, *_ = pop.relations.arrays()
    friends = set(zip(a[kind == FRIEND].tolist(), b[kind == FRIEND].tolist(), strict=True))
    insiders = {i.emp for i in plan.insiders}
    for e, x in pairs:
        assert org.emp_unit[e] == org.emp_unit[x]
        assert x not in insiders and org.emp_end[x] == NO_DATE
        p, q = sorted((int(org.emp_person[e]), int(org.emp_person[x])))
        assert (p, q) in friends
        story = [i for i in plan.insiders if i.emp == e and i.scenario in PROXIED]
        assert story and f"insider:{story[0].scenario}" in labels[e]
        targets = {t for i in story for t in i.targets}
        m = events.emp == x
        ttype, target = events.target_type[m], events.target[m]
        target = np.where(ttype == PERSON, _original(world, target), target)
        looked = set(zip(ttype.tolist(), target.tolist(), strict=True))
        assert looked & targets, (e, x)  # truthful: the proxy looked up the insider's story
        cases = {t for i in story for kind_, t in i.targets if kind_ == CASE}
        assert not set(world.crime.assign_emp[world.crime.assign_emp == x].tolist()) or not any(
            c in cases for c in world.crime.assign_case[world.crime.assign_emp == x].tolist()
        )


# --- administrators who abuse their access -------------------------------------------------------


def test_abusing_admins_are_admins_who_look_up_their_own_network(small):
    world, _, _, events, labels, _ = small
    org, pop = world.org, world.pop
    abusers = [e for e, xs in labels.items() if "insider:admin-abuse" in xs]
    assert abusers
    indptr, nbrs = pop.relations.adjacency(pop.n + (0 if pop.dup_of is None else len(pop.dup_of)))
    hits = 0
    for e in abusers:
        assert "lookalike:functional-admin" in labels[e]
        me = int(org.emp_person[e])
        one = set(nbrs[indptr[me] : indptr[me + 1]].tolist())
        two = set().union(*(set(nbrs[indptr[q] : indptr[q + 1]].tolist()) for q in one)) if one else set()
        mine = (events.emp == e) & (events.target_type == PERSON)
        looked = set(_original(world, events.target[mine]).tolist())
        hits += bool(looked & ((one | two) - {me}))
    assert hits >= 1


def test_no_admin_abuse_when_no_insiders_are_planted():
    _, _, _, _, labels, _ = _build("tiny", 0.0, admin_abuse=1.0, admin_staff=8.0)
    assert not any("insider:admin-abuse" in xs for xs in labels.values())


# --- cases registered late -------------------------------------------------------------------------


def test_late_cases_are_registered_in_the_log_after_the_work_began(small):
    world, _, _, events, _, _ = small
    crime = world.crime
    late = np.flatnonzero(crime.case_opened >= world.day)
    assert len(late) >= 2
    assert (crime.case_opened[late] < world.day + world.days).all()
    assert crime.case_open[late].all()
    for c in late.tolist():
        rows = crime.assign_case == c
        assert (crime.assign_start[rows] >= crime.case_opened[c]).all()
    # the work on them began before the registration: their file or subjects looked up before it
    before = 0
    for c in late.tolist():
        reg = int(local_to_utc(np.array([int(crime.case_opened[c]) * DAY]))[0])
        subjects = crime.subject_person[crime.subject_offsets[c] : crime.subject_offsets[c + 1]]
        early = events.ts < reg
        file = (events.target_type == CASE) & (events.target == c)
        person = (events.target_type == PERSON) & np.isin(_original(world, events.target), subjects)
        before += int((early & (file | person)).any())
    assert before >= 1


# --- persons with two records --------------------------------------------------------------------


def test_second_records_take_some_look_ups_and_ties_of_their_person(small):
    world, _, _, events, _, _ = small
    pop = world.pop
    assert pop.dup_of is not None and len(pop.dup_of) > 0
    assert len(np.unique(pop.dup_of)) == len(pop.dup_of)
    second = (events.target_type == PERSON) & (events.target >= pop.n)
    assert second.sum() > 0
    assert (events.target[second] < pop.n + len(pop.dup_of)).all()
    persons = events.target_type == PERSON
    dup_person = np.isin(_original(world, events.target[persons]), pop.dup_of)
    assert 0.05 < second.sum() / max(1, dup_person.sum()) < 0.7  # a share, not all
    _, b, *_ = pop.relations.arrays()
    assert (b >= pop.n).any()  # ties that moved to a second record


def test_a_round_6_world_is_written_and_read_back_valid(tmp_path):
    from graphrisk.ingest import read_dataset

    out = tmp_path / "data"
    generate(out, preset="tiny", seed=11, days=20, profile="harsh")
    ds = read_dataset(out, include_evaluation=True)
    persons = ds.tables["persons"]
    assert len(persons) > 4000  # the second records are persons of their own
    names = set(persons["name"])
    assert any(n.split(" ")[0].endswith(".") for n in names)  # a spelling variant: an initial


# --- moved insiders who adapt ----------------------------------------------------------------------


def test_moved_insiders_who_adapt_go_quiet_and_nobody_else_changes():
    """The same world with and without ``insider_move_adapt``: only moved insiders' look-ups
    differ, and only by fewer look-ups after the move or colleagues of the old unit before it."""
    # covering and proxies draw per sitting from streams shared by all insiders: off here
    knobs = dict(transfers=0.5, duplicate_lines=0.0, refresh_bursts=0.0, insider_cover=0.0, proxy=0.0)
    on = _build("small", 0.10, insider_move_adapt=1.0, **knobs)
    off = _build("small", 0.10, insider_move_adapt=0.0, **knobs)
    world, plan, _, ev_on, labels, _ = on
    ev_off = off[3]
    moved_insiders = {i.emp for i in plan.insiders if "lookalike:transferred" in labels[i.emp]}
    assert moved_insiders

    def rows(ev, keep):
        m = np.isin(ev.emp, list(keep))
        cols = (ev.emp[m], ev.ts[m], ev.target_type[m], ev.target[m], ev.case[m])
        return Counter(zip(*(c.tolist() for c in cols), strict=True))

    others = set(range(world.org.n_employees)) - moved_insiders
    assert rows(ev_on, others) == rows(ev_off, others)
    r_on, r_off = rows(ev_on, moved_insiders), rows(ev_off, moved_insiders)
    assert sum(r_on.values()) < sum(r_off.values())  # some went quiet after the move
