"""Realism round 5 of the generator: insiders who hide their look-ups in work, leavers (their
handovers, and those who harvest data: ``insider:leaver-harvest``), a colleague working under an
employee's open login, street canvasses, missing-person searches.

The worlds are built in memory (graphrisk.generate.build_world) on the tiny and small presets with
the harsh profile's knobs, a few raised (within or just above their ranges) where a test needs a
phenomenon at a clear rate.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from test_generate_circumstances import (
    _build,
    assert_round_knobs_last,
    assert_round_knobs_off_in_the_baseline,
)

from graphrisk.generate import NOISE_LOOKALIKES, NOISE_SCENARIOS, PRESETS, build_world
from graphrisk.generate._common import DAY, NO_DATE, local_to_utc
from graphrisk.generate.activity import ADDRESS, EXPORT, PERSON

SEED = 5
ROUND_5 = (
    "insider_cover",
    "insider_indirect",
    "leavers",
    "leaver_harvest",
    "handover",
    "shared_login",
    "canvass",
    "missing_persons",
)
NEW_GROUPS = ("shared-login", "canvass", "missing-person", "handover")


@pytest.fixture(scope="module")
def small():
    """A small world with many insiders (10%), leavers and harvest at the top of their ranges."""
    return _build("small", 0.10, leavers=0.01, leaver_harvest=0.5, insider_cover=0.6, handover=0.9)


@pytest.fixture(scope="module")
def clean():
    """The same world with every round-5 knob off (the rest harsh)."""
    return _build("small", 0.10, **dict.fromkeys(ROUND_5, 0.0))


# --- the knobs -------------------------------------------------------------------------------------


def test_the_new_knobs_are_last_and_the_random_profile_draws_the_old_ones_as_before():
    assert_round_knobs_last(ROUND_5)


def test_the_new_knobs_are_off_in_the_baseline():
    assert_round_knobs_off_in_the_baseline(ROUND_5)


def test_the_baseline_world_has_none_of_the_new_labels():
    p = PRESETS["tiny"]
    _, plan, *_ = build_world(p, SEED, p.days, 0.05, lambda _: None)
    got = {label for _, label in plan.labels}
    assert not got & {f"lookalike:{g}" for g in NEW_GROUPS}
    assert "insider:leaver-harvest" not in got


def test_the_docs_name_every_new_label():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "datasets.md").read_text(encoding="utf-8")
    for g in NEW_GROUPS:
        assert g in NOISE_LOOKALIKES and f"`lookalike:{g}`" in text, g
    assert "leaver-harvest" in NOISE_SCENARIOS and "`insider:leaver-harvest`" in text


def test_every_new_group_occurs_and_none_without_its_knob(small, clean):
    *_, labels, _ = small
    *_, labels_off, _ = clean
    got = set().union(*labels.values())
    off = set().union(*labels_off.values())
    for g in NEW_GROUPS:
        assert f"lookalike:{g}" in got, g
        assert f"lookalike:{g}" not in off, g
    assert "insider:leaver-harvest" in got and "insider:leaver-harvest" not in off


# --- leavers ---------------------------------------------------------------------------------------


def test_leavers_leave_in_the_log_and_work_no_shift_or_look_up_after(small, clean):
    world, _, shifts, events, _labels, _ = small
    org = world.org
    before = clean[0].org.emp_end != NO_DATE
    leaving = org.emp_end != NO_DATE
    assert leaving.sum() > before.sum()
    gone = local_to_utc((org.emp_end[leaving] + 1) * DAY)
    last_shift = np.array([shifts.of(e)[0].max(initial=0) for e in np.flatnonzero(leaving)])
    assert (last_shift < gone).all()
    rows = np.flatnonzero(leaving[events.emp])
    after = events.ts[rows] >= local_to_utc((org.emp_end[events.emp[rows]] + 1) * DAY)
    assert not after.any()  # no look-up after the last working day, planted ones included


def test_harvesting_leavers_look_up_and_export_in_their_last_weeks(small):
    world, _plan, _, events, labels, _ = small
    org = world.org
    harvest = [e for e, x in labels.items() if "insider:leaver-harvest" in x]
    assert harvest
    for e in harvest:
        assert org.emp_end[e] != NO_DATE
        gone = int(local_to_utc(np.array([(org.emp_end[e] + 1) * DAY]))[0])
        mine = events.emp == e
        late = mine & (events.ts >= gone - 28 * DAY)
        assert late.sum() >= 5, e
    exported = np.isin(events.emp, harvest) & (events.action == EXPORT)
    assert exported.sum() >= len(harvest)
    # most leavers are honest
    honest = [
        e
        for e in np.flatnonzero(org.emp_end != NO_DATE).tolist()
        if "insider:leaver-harvest" not in labels[e]
    ]
    assert len(honest) > len(harvest) / 2


def test_no_harvest_when_no_insiders_are_planted():
    *_, labels, _ = _build("tiny", 0.0, leavers=0.01, leaver_harvest=0.3)
    assert not any("insider:leaver-harvest" in x for x in labels.values())


def test_handovers_are_own_cases_and_a_colleague_not_on_them(small):
    world, _, _, events, labels, _ = small
    crime = world.crime
    handover = [e for e, x in labels.items() if "lookalike:handover" in x]
    assert len(handover) >= 4
    on = set(zip(crime.assign_case.tolist(), crime.assign_emp.tolist(), strict=True))
    cited = events.case >= 0
    off_case = [
        (int(e), int(c))
        for e, c in zip(events.emp[cited], events.case[cited], strict=True)
        if int(e) in set(handover)
    ]
    assert any((c, e) not in on for e, c in off_case)  # the successor, not yet listed


# --- insiders who adapt ----------------------------------------------------------------------------


def test_covered_insiders_wrap_their_sittings_in_work_and_stay_truthful(small, clean):
    world, plan, _, events, labels, _ = small
    target, pop = events.target, world.pop
    if pop.dup_of is not None:  # round 6: a look-up of a person's second record is of that person
        second = (events.target_type == PERSON) & (target >= pop.n)
        target = np.where(second, pop.dup_of[np.where(second, target - pop.n, 0)], target)
    seen = set(zip(events.emp.tolist(), events.target_type.tolist(), target.tolist(), strict=True))
    for ins in plan.insiders:
        assert f"insider:{ins.scenario}" in labels[ins.emp]
        if ins.scenario == "bulk-browsing":
            continue
        assert sum((ins.emp, t, x) in seen for t, x in ins.targets) >= 1, (ins.emp, ins.scenario)

    # the planted look-ups (scenarios) of the insiders cite a case more often with cover than without
    def cited(w):
        _, plan_, _, ev, *_ = w
        targets = {
            (i.emp, t, x) for i in plan_.insiders if i.scenario != "bulk-browsing" for t, x in i.targets
        }
        rows = [
            k
            for k, key in enumerate(
                zip(ev.emp.tolist(), ev.target_type.tolist(), ev.target.tolist(), strict=True)
            )
            if key in targets
        ]
        return float(np.mean(ev.case[rows] >= 0))

    assert cited(small) > cited(clean)


# --- honest phenomena ------------------------------------------------------------------------------


def test_canvasses_are_addresses_of_one_street_citing_a_case(small):
    _world, _, _, events, labels, _ = small
    staff = [e for e, x in labels.items() if "lookalike:canvass" in x]
    assert staff
    mine = np.isin(events.emp, staff) & (events.target_type == ADDRESS)
    assert mine.sum() >= 5 * len(staff) // 2
    assert (events.case[mine] >= 0).mean() > 0.15  # other work's addresses are among them


def test_missing_person_searches_are_one_person_by_many_staff_within_hours(small):
    _, _, _, events, labels, _ = small
    staff = set(e for e, x in labels.items() if "lookalike:missing-person" in x)
    assert len(staff) >= 10
    rows = np.isin(events.emp, list(staff)) & (events.target_type == PERSON) & (events.case < 0)
    e, t, ts = events.emp[rows], events.target[rows], events.ts[rows]
    by_person: dict[int, set[int]] = defaultdict(set)
    span: dict[int, list[int]] = defaultdict(list)
    for a, b, c in zip(e.tolist(), t.tolist(), ts.tolist(), strict=True):
        by_person[b].add(a)
        span[b].append(c)
    busiest = max(by_person, key=lambda p: len(by_person[p]))
    assert len(by_person[busiest]) >= 5


def test_shared_logins_put_a_colleagues_case_work_under_the_employee(small):
    world, _, _shifts, events, labels, _noise = small
    owners = [e for e, x in labels.items() if "lookalike:shared-login" in x]
    assert owners
    crime = world.crime
    on = set(zip(crime.assign_case.tolist(), crime.assign_emp.tolist(), strict=True))
    cited = np.isin(events.emp, owners) & (events.case >= 0)
    foreign = [(int(c), int(e)) not in on for e, c in zip(events.emp[cited], events.case[cited], strict=True)]
    assert any(foreign)


def test_insiders_take_part_in_the_new_honest_phenomena(small):
    _world, plan, _, _, labels, _ = small
    insiders = {i.emp for i in plan.insiders}
    groups = {f"lookalike:{g}" for g in NEW_GROUPS}
    assert sum(bool(labels[e] & groups) for e in insiders) >= 1


def test_a_round_5_world_passes_graphrisk_load(tmp_path):
    import json

    from click.testing import CliRunner

    from graphrisk.cli import main

    out = tmp_path / "data"
    made = CliRunner().invoke(
        main,
        [
            "generate",
            str(out),
            "--preset",
            "tiny",
            "--seed",
            "11",
            "--profile",
            "harsh",
            "--days",
            "30",
            "-q",
        ],
    )
    assert made.exit_code == 0, made.output
    loaded = CliRunner().invoke(main, ["load", str(out), "--store", str(tmp_path / "store"), "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads((out / "generator.json").read_text())["profile_version"] >= 5
