"""Risk scoring: hand-computed micro cases, monotonicity, fairness, determinism, both stores, the CLI."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import names_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphrisk.cli import main
from graphrisk.ingest import read_dataset
from graphrisk.rules import RULES
from graphrisk.scoring import parse_window, resolve_as_of, score
from graphrisk.scoring.context import day_targets as context_day_targets
from graphrisk.scoring.explain import explain_all
from graphrisk.scoring.inputs import ScoreInputs
from graphrisk.scoring.lookups import FrameLookups
from graphrisk.scoring.model import ScoreParams, score_frames
from graphrisk.scoring.output import read_scores, score_rows, write_scores
from graphrisk.scoring.peers import peer_baselines, peer_groups, surprise
from graphrisk.store import EmbeddedStore

AS_OF = pd.Timestamp("2026-03-31", tz="UTC")


# ---------------------------------------------------------------- a frame-level micro world


def frames(n_employees: int = 6, **extra) -> dict[str, pd.DataFrame]:
    """n patrol agents in one basisteam T1 (area M1 under R1 under NL); person Pi for employee Ei."""
    ids = [f"E{i}" for i in range(1, n_employees + 1)]
    out = {
        "employees": pd.DataFrame(
            {
                "employee_id": ids,
                "person_id": [f"P{i}" for i in range(1, n_employees + 1)],
                "unit_id": "T1",
                "rank": "agent",
                "role": "patrol",
            }
        ),
        "units": pd.DataFrame({"unit_id": ["T1"], "area_id": ["M1"]}),
        "areas": pd.DataFrame({"area_id": ["NL", "R1", "M1"], "parent_area_id": [None, "NL", "R1"]}),
        "accesses": pd.DataFrame(
            columns=["access_id", "ts", "employee_id", "target_type", "target_id", "action", "case_id"]
        ),
    }
    out.update(extra)
    return out


def finding(
    fid, employee, rule, *, access, target="X1", severity=None, ts="2026-03-30T10:00:00Z", person=None
):
    return {
        "finding_id": fid, "rule_id": rule, "employee_id": employee, "access_ids": [access],
        "ts": pd.Timestamp(ts), "target_type": "person", "target_id": target,
        "person_id": person if person is not None else target, "case_id": None, "organisation_id": None,
        "severity": severity or RULES[rule].severity, "evidence": "[]", "detail": None,
    }  # fmt: skip


def access(aid, employee, target="X1", *, ts="2026-03-30T10:00:00Z", action="view", case=None):
    return {"access_id": aid, "ts": pd.Timestamp(ts), "employee_id": employee, "target_type": "person",
            "target_id": target, "action": action, "case_id": case}  # fmt: skip


def run_frames(raw: dict, found: list[dict], params: ScoreParams | None = None):
    f = (
        pd.DataFrame(found)
        if found
        else pd.DataFrame(columns=list(finding("x", "E1", "off-shift", access="a")))
    )
    if len(f):
        f["ts"] = pd.to_datetime(f["ts"], utc=True)
    return score_frames(ScoreInputs.from_frames(raw), f, AS_OF, params)


# ---------------------------------------------------------------- hand-computed micro cases


def test_one_off_shift_finding_among_four_quiet_peers_by_hand():
    raw = frames(4)
    raw["accesses"] = pd.DataFrame([access("A1", "E1", ts="2026-03-31T00:00:00Z")])
    r = run_frames(raw, [finding("f1", "E1", "off-shift", access="A1", ts="2026-03-31T00:00:00Z")])
    # evidence 1 (low, fresh, alone): level log2(1 + 1/1) = 1; the 3 peers are all 0, so the median is 0,
    # k = 0, the population share is (0 + 1) / (3 + 2) = 1/5 and q = (0 + 20/5) / (3 + 20) = 4/23;
    # surprise = ln(0.5 / q) + 1 / 0.7 (no peer above the median: the tail's scale is its floor, 0.7);
    # units = surprise - 2 (the dead zone); score = 100 (1 - exp(-u / 4))
    units = math.log(0.5 * 23 / 4) + 1.0 / 0.7 - 2.0
    assert r.units.at["E1", "findings:off-shift"] == pytest.approx(units)
    assert r.table.at["E1", "score"] == pytest.approx(100 * (1 - math.exp(-units / 4)))
    assert r.table.loc[["E2", "E3", "E4"], "score"].tolist() == [0.0, 0.0, 0.0]
    assert r.table.at["E1", "rank"] == 1


def test_points_add_up_to_the_score_and_parts_explain_it():
    raw = frames(5)
    raw["accesses"] = pd.DataFrame(
        [access("A1", "E1", "X1", action="export"), access("A2", "E1", "X2"), access("A3", "E2", "X3")]
    )
    found = [
        finding("f1", "E1", "sensitive-target", access="A1", target="X1"),
        finding("f2", "E1", "off-shift", access="A1", target="X1"),
        finding("f3", "E1", "own-network", access="A2", target="X2"),
    ]
    r = run_frames(raw, found)
    assert r.points.sum(axis=1).to_numpy() == pytest.approx(r.table["score"].to_numpy())
    parts = explain_all(r)["E1"]
    assert sum(p["points"] for p in parts) == pytest.approx(r.table.at["E1", "score"], abs=0.01)
    sensitive = next(p for p in parts if p["key"] == "sensitive-target")
    assert "f1" in sensitive["evidence"]["finding_ids"] and "A1" in sensitive["evidence"]["access_ids"]
    assert "1 off shift" in sensitive["text"] and "1 exported" in sensitive["text"]


def test_a_look_up_in_the_last_month_before_leaving_is_aggravated_and_says_so():
    """E1 leaves the force on 2026-04-15: a look-up on 2026-03-30 falls in the last 30 days (one
    more aggravating circumstance, twice the weight of a finding with none), one on 2026-03-10 does
    not; E2 stays, and the same look-up of E2 weighs as before. Leaving alone raises nothing."""
    raw = frames(5)
    raw["employees"]["end_date"] = [pd.Timestamp("2026-04-15"), None, None, None, None]
    raw["accesses"] = pd.DataFrame(
        [
            access("A1", "E1", "X1"),
            access("A2", "E1", "X2", ts="2026-03-10T10:00:00Z"),
            access("A3", "E2", "X3"),
        ]
    )
    found = [
        finding("f1", "E1", "sensitive-target", access="A1", target="X1"),
        finding("f2", "E1", "sensitive-target", access="A2", target="X2", ts="2026-03-10T10:00:00Z"),
        finding("f3", "E2", "sensitive-target", access="A3", target="X3"),
    ]
    r = run_frames(raw, found)
    w = r.weights.set_index("finding_id")
    assert w["leaving"].to_dict() == {"f1": True, "f2": False, "f3": False}
    assert w.at["f1", "aggravation"] == 1 and w.at["f3", "aggravation"] == 0
    assert w.at["f1", "weight"] == pytest.approx(2 * w.at["f3", "weight"])
    part = next(p for p in explain_all(r)["E1"] if p["key"] == "sensitive-target")
    assert "1 in the last 30 days before leaving" in part["text"]
    quiet = frames(5)
    quiet["employees"]["end_date"] = [pd.Timestamp("2026-04-15"), None, None, None, None]
    assert run_frames(quiet, []).table.at["E1", "score"] == 0.0


def test_a_burst_of_identical_lookups_counts_as_one_day():
    raw = frames(5)
    burst = [access(f"A{i}", "E1", ts=f"2026-03-30T10:0{i}:00Z") for i in range(5)]
    raw["accesses"] = pd.DataFrame(burst)
    one = run_frames(raw, [finding("f0", "E1", "own-network", access="A0", ts="2026-03-30T10:00:00Z")])
    many = run_frames(
        raw,
        [
            finding(f"f{i}", "E1", "own-network", access=f"A{i}", ts=f"2026-03-30T10:0{i}:00Z")
            for i in range(5)
        ],
    )
    # the day counts once, with its freshest look-up (4 minutes newer: a hair more weight)
    assert many.values.at["E1", "findings:own-network"] == pytest.approx(
        one.values.at["E1", "findings:own-network"], rel=1e-3
    )


def test_peer_groups_back_off_and_baselines_leave_the_employee_out():
    emp = pd.DataFrame(
        {"employee_id": list("ABCD"), "role": ["patrol"] * 3 + ["intake"], "rank": ["agent"] * 4,
         "unit_id": ["T1"] * 4}
    )  # fmt: skip
    assert peer_groups(emp, pd.Series({"T1": "local"}), min_peers=3).tolist() == [
        "patrol|agent|local", "patrol|agent|local", "patrol|agent|local", "*",
    ]  # fmt: skip
    b = peer_baselines(pd.Series([0.0, 1.0, 2.0, 10.0]), pd.Series(["g"] * 4))
    assert b.median.tolist() == [2.0, 2.0, 1.0, 1.0]


@given(st.lists(st.floats(0, 50), min_size=3, max_size=12), st.floats(0, 50), st.floats(0, 20))
def test_surprise_grows_with_the_value_and_ignores_the_own_value_in_the_baseline(peers, x, more):
    values = pd.Series([x, *peers])
    groups = pd.Series(["g"] * len(values))
    low = surprise(np.array([x]), _first(peer_baselines(values, groups)))
    values[0] = x + more
    base = _first(peer_baselines(values, groups))
    assert surprise(np.array([x + more]), base)[0] >= low[0] - 1e-12


def _first(b):
    from graphrisk.scoring.peers import PeerBaseline

    return PeerBaseline(b.median[:1], b.tail[:1], b.scale[:1])


def test_window_and_as_of_parsing(tmp_path):
    assert parse_window("72h") == pd.Timedelta(hours=72)
    from graphrisk.errors import UsageError

    with pytest.raises(UsageError, match="30d, 72h, 2w"):
        parse_window("a month")
    assert resolve_as_of(None, "2026-03-31") == pd.Timestamp("2026-04-01", tz="UTC")
    assert resolve_as_of(None, "2026-03-31T12:00:00+02:00") == pd.Timestamp("2026-03-31T10:00", tz="UTC")


# ---------------------------------------------------------------- monotonicity

RULE_IDS = sorted(RULES)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.lists(
        st.tuples(
            st.sampled_from(["E1", "E2", "E3", "E4", "E5"]),
            st.sampled_from(RULE_IDS),
            st.sampled_from(["X1", "X2", "X3", "M"]),
            st.integers(0, 29),
            st.booleans(),
        ),
        max_size=14,
    ),
    extra=st.tuples(
        st.sampled_from(RULE_IDS),
        st.sampled_from(["X1", "X2", "X9", "M"]),
        st.integers(0, 29),
        st.sampled_from(["view", "export"]),
        st.sampled_from([None, "C1"]),
    ),
)
def test_adding_an_unjustified_lookup_and_its_finding_never_lowers_that_employees_score(base, extra):
    raw = frames(5)
    raw["relations"] = pd.DataFrame(
        {"person_id": ["P1", "Q"], "other_person_id": ["Q", "M"], "kind": "family"}
    )
    raw["memberships"] = pd.DataFrame({"person_id": ["M"], "organisation_id": ["O1"]})
    accesses, found = [], []
    for i, (emp, rule, target, day, export) in enumerate(base):
        ts = f"2026-03-{day + 1:02d}T12:00:00Z"
        accesses.append(access(f"A{i}", emp, target, ts=ts, action="export" if export else "view"))
        found.append(finding(f"f{i}", emp, rule, access=f"A{i}", target=target, ts=ts))
    raw["accesses"] = pd.DataFrame(accesses) if accesses else raw["accesses"]
    before = run_frames(raw, found).table.at["E1", "score"]
    rule, target, day, action, case = extra
    ts = f"2026-03-{day + 1:02d}T23:00:00Z"
    raw["accesses"] = pd.DataFrame([*accesses, access("AX", "E1", target, ts=ts, action=action, case=case)])
    after = run_frames(raw, [*found, finding("fX", "E1", rule, access="AX", target=target, ts=ts)])
    assert after.table.at["E1", "score"] >= before - 1e-9


# ---------------------------------------------------------------- fairness


def test_large_family_and_a_criminal_relative_with_normal_behaviour_score_zero():
    raw = frames(30)
    family = [f"F{i}" for i in range(25)]
    raw["relations"] = pd.DataFrame(
        {"person_id": ["P1"] * 26 + ["F0"], "other_person_id": [*family, "M1", "M2"], "kind": "family"}
    )
    raw["memberships"] = pd.DataFrame({"person_id": ["M1", "M2"], "organisation_id": ["O1", "O1"]})
    # everyone does the same routine work: one look-up of a stranger a day, on shift, no findings
    raw["accesses"] = pd.DataFrame(
        [access(f"A{e}-{d}", f"E{e}", f"S{e}-{d}", ts=f"2026-03-{d:02d}T10:00:00Z")
         for e in range(1, 31) for d in range(1, 29)]
    )  # fmt: skip
    r = run_frames(raw, [])
    assert r.table.at["E1", "exposure"] == 1.0  # as close to crime as it gets
    assert r.table.at["E1", "score"] == 0.0
    assert r.table.at["E1", "score"] == r.table.at["E2", "score"]


def test_the_network_part_only_amplifies_crime_related_behaviour():
    raw = frames(30)
    raw["relations"] = pd.DataFrame({"person_id": ["P1"], "other_person_id": ["M1"], "kind": "partner"})
    raw["memberships"] = pd.DataFrame({"person_id": ["M1", "M2"], "organisation_id": ["O1", "O1"]})
    raw["accesses"] = pd.DataFrame([access("A1", "E1", "M2", case="C9"), access("A2", "E2", "M2", case="C9")])
    found = [finding("f1", "E1", "criminal-proximity-access", access="A1", target="M2")]
    r = run_frames(raw, found)
    assert r.units.at["E1", "network:crime-lookups"] > 0  # a pretext look-up of the relative's organisation
    quiet = run_frames(raw, [])
    assert quiet.units["network:crime-lookups"].sum() == 0.0


def test_a_border_residents_lookups_at_home_are_scored_like_a_resident_colleagues():
    # E1 lives just across the border (M2), E2 inside the territory (M1); both look up a neighbour
    # in their home municipality, which raises an own-network finding, and for E1 also outside-territory
    raw = frames(6)
    raw["areas"] = pd.DataFrame(
        {"area_id": ["NL", "R1", "M1", "M2"], "parent_area_id": [None, "NL", "R1", "R1"]}
    )
    raw["employees"]["home_area_id"] = ["M2", "M1", "M1", "M1", "M1", "M1"]
    raw["accesses"] = pd.DataFrame([access("A1", "E1", "N1"), access("A2", "E2", "N2")])
    outside = finding("f2", "E1", "outside-territory", access="A1", target="N1", person=None)
    outside["person_id"], outside["detail"] = None, "target area M2 outside M1"
    found = [
        finding("f1", "E1", "own-network", access="A1", target="N1"),
        outside,
        finding("f3", "E2", "own-network", access="A2", target="N2"),
    ]
    r = run_frames(raw, found)
    # the outside-territory finding at home is left out and aggravates nothing: weight 2 each, equal scores
    assert set(r.weights["finding_id"]) == {"f1", "f3"}
    weights = r.weights.set_index("finding_id")["weight"].to_dict()
    assert weights == pytest.approx({"f1": 2.0, "f3": 2.0}, rel=0.05)
    assert r.table.at["E1", "score"] == pytest.approx(r.table.at["E2", "score"])
    # the own-network look-up stays visible; the same look-up elsewhere than home still counts outside
    # and aggravates it: 2 * (1 + 1)
    outside["detail"] = "target area M3 outside M1"
    away = run_frames(raw, found).weights.set_index("finding_id")["weight"]
    assert away.to_dict() == pytest.approx({"f1": 4.0, "f2": 1.0, "f3": 2.0}, rel=0.05)


def test_criminal_proximity_findings_are_compared_among_those_who_know_a_member():
    # 40 agents; E1-E10 each have a relative in organisation O1. Routine work meets members now and
    # then: E2-E6 have one criminal-proximity finding each, like E1. Among the 40, E1's finding is rare
    # (5 of 39 peers); among the ten who could have one at all it is what half of them have: knowing
    # someone is not the surprise. E1 with the same finding on five members stands out among those ten.
    raw = frames(40)
    raw["relations"] = pd.DataFrame(
        {"person_id": [f"P{e}" for e in range(1, 11)], "other_person_id": [f"R{e}" for e in range(1, 11)],
         "kind": "family"}
    )  # fmt: skip
    raw["memberships"] = pd.DataFrame(
        {"person_id": [f"R{e}" for e in range(1, 11)] + [f"M{i}" for i in range(6)], "organisation_id": "O1"}
    )
    raw["accesses"] = pd.DataFrame([access(f"A{e}", f"E{e}", f"M{e - 1}") for e in range(1, 7)])
    found = [
        finding(f"c{e}", f"E{e}", "criminal-proximity-access", access=f"A{e}", target=f"M{e - 1}")
        for e in range(1, 7)
    ]
    one = run_frames(raw, found)
    assert one.units.at["E1", "findings:criminal-proximity-access"] == 0.0
    everyone = run_frames(raw, found, ScoreParams(reach_hops=0))  # as if anyone could have one
    assert everyone.units.at["E1", "findings:criminal-proximity-access"] > 0.0
    raw["accesses"] = pd.concat(
        [raw["accesses"], pd.DataFrame([access(f"B{i}", "E1", f"M{i}") for i in range(1, 6)])]
    )
    more = found + [
        finding(f"d{i}", "E1", "criminal-proximity-access", access=f"B{i}", target=f"M{i}")
        for i in range(1, 6)
    ]
    assert run_frames(raw, more).units.at["E1", "findings:criminal-proximity-access"] > 0.0


def test_acquaintance_rules_are_divided_by_the_size_of_ones_network():
    # E1 has 8 relatives, the five others 2 each (median 2): E1 is 4 times as likely to meet someone
    # close to them at work, so their own-network and criminal-proximity findings count a quarter
    raw = frames(6)
    kin = [("P1", f"K1{i}") for i in range(8)] + [
        (f"P{e}", f"K{e}{i}") for e in range(2, 7) for i in range(2)
    ]
    raw["relations"] = pd.DataFrame(kin, columns=["person_id", "other_person_id"]).assign(kind="family")
    raw["accesses"] = pd.DataFrame([access(f"A{e}", f"E{e}", f"T{e}") for e in (1, 2)])
    found = [
        finding(f"{rule[:3]}{e}", f"E{e}", rule, access=f"A{e}", target=f"T{e}")
        for e in (1, 2)
        for rule in ("own-network", "criminal-proximity-access", "sensitive-target")
    ]
    w = run_frames(raw, found).weights.set_index("finding_id")["weight"]
    assert w["own1"] == pytest.approx(w["own2"] / 4) and w["cri1"] == pytest.approx(w["cri2"] / 4)
    assert w["sen1"] == pytest.approx(w["sen2"])  # a rule about the target, not acquaintance: as is


def test_an_outside_territory_lookup_of_ones_own_case_subject_counts_as_caseload():
    # a context finding names no person: the caseload is matched on the person it looked up
    raw = frames(6)
    raw["case_subjects"] = pd.DataFrame({"case_id": ["C1"], "person_id": ["S1"], "role": ["suspect"]})
    raw["assignments"] = pd.DataFrame(
        {"case_id": ["C1"], "employee_id": ["E1"], "start_date": ["2026-03-01"], "end_date": [None]}
    )
    raw["accesses"] = pd.DataFrame([access("A1", "E1", "S1"), access("A2", "E2", "S1")])
    found = []
    for fid, emp, acc in (("f1", "E1", "A1"), ("f2", "E2", "A2")):
        f = finding(fid, emp, "outside-territory", access=acc, target="S1")
        f["person_id"], f["detail"] = None, "target area M9 outside M1"
        found.append(f)
    w = run_frames(raw, found).weights.set_index("finding_id")
    assert w.at["f1", "caseload"] and not w.at["f2", "caseload"]
    # low (1), fresh, one colleague looked S1 up: 1 / 2; a quarter of that for E1's own case subject
    assert w.at["f2", "weight"] == pytest.approx(0.5, rel=0.05)
    assert w.at["f1", "weight"] == pytest.approx(0.125, rel=0.05)


# ---------------------------------------------------------------- the work context


def test_a_day_of_work_elsewhere_explains_its_circumstance_findings_but_an_evening_does_not():
    # E1 works a whole day in another region without a roster: 24 targets from 08:00 to 16:00, each
    # off shift and outside the territory; E2 browses 24 persons of another region in one evening hour
    raw = frames(6)
    day = [
        access(f"D{i}", "E1", f"T{i}", ts=f"2026-03-30T{8 + i // 3:02d}:{(i % 3) * 20:02d}:00Z")
        for i in range(24)
    ]
    eve = [access(f"B{i}", "E2", f"U{i}", ts=f"2026-03-30T21:{i * 2:02d}:00Z") for i in range(24)]
    raw["accesses"] = pd.DataFrame(day + eve)
    found = [
        finding(f"{a['access_id']}-{rule}", a["employee_id"], rule, access=a["access_id"],
                target=a["target_id"], ts=a["ts"].isoformat())
        for a in day + eve
        for rule in ("off-shift", "outside-territory")
    ]  # fmt: skip
    r = run_frames(raw, found)
    w = r.weights.set_index("finding_id")
    assert w.loc["D0-off-shift", "work_day"] == pytest.approx(0.85) and w.loc["B0-off-shift", "work_day"] == 0
    # 15% of the weight, and the look-up being outside the territory no longer doubles it (B0's does)
    evening = w.loc["B0-off-shift", "weight"]
    assert w.loc["D0-off-shift", "weight"] == pytest.approx(0.15 / 2 * evening, rel=0.05)
    assert r.table.at["E2", "score"] > r.table.at["E1", "score"]


def test_on_a_day_of_work_elsewhere_off_shift_and_outside_do_not_aggravate_whom_was_looked_up():
    # E1 works a whole day in another region and meets a colleague there (C1); E2 looks the same
    # colleague up in one evening of browsing. Both look-ups are off shift and outside the territory;
    # only E2's circumstances are unexplained, so only E2's colleague-lookup is aggravated by them
    raw = frames(6)
    day = [
        access(f"D{i}", "E1", f"T{i}", ts=f"2026-03-30T{8 + i // 3:02d}:{(i % 3) * 20:02d}:00Z")
        for i in range(24)
    ]
    raw["accesses"] = pd.DataFrame(
        [*day, access("D99", "E1", "C1", ts="2026-03-30T12:10:00Z"),
         access("B1", "E2", "C1", ts="2026-03-30T21:10:00Z")]
    )  # fmt: skip
    looked = [(d["access_id"], "E1", d["target_id"], d["ts"].isoformat()) for d in day]
    looked += [("D99", "E1", "C1", "2026-03-30T12:10:00Z"), ("B1", "E2", "C1", "2026-03-30T21:10:00Z")]
    found = [
        finding(f"{a}-{rule}", e, rule, access=a, target=t, ts=ts)
        for a, e, t, ts in looked
        for rule in ("off-shift", "outside-territory")
    ] + [
        finding("c1", "E1", "colleague-lookup", access="D99", target="C1", ts="2026-03-30T12:10:00Z"),
        finding("c2", "E2", "colleague-lookup", access="B1", target="C1", ts="2026-03-30T21:10:00Z"),
    ]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")
    assert w.at["c1", "off_shift"] and w.at["c1", "outside"]  # still said, as evidence
    assert w.at["c1", "aggravation"] == 0 and w.at["c2", "aggravation"] == 2


def test_a_cited_case_naming_the_person_explains_where_and_when_but_a_pretext_does_not():
    # E1 supports another unit's raid on C1 at dawn, off shift and outside its territory, citing C1,
    # which names the suspect S1; E2 looks S1 up at the same hour, just as far from home, citing C9,
    # which does not name S1 (a pretext); E3 cites nothing. Only E1's time and place are explained
    raw = frames(6)
    raw["case_subjects"] = pd.DataFrame({"case_id": ["C1"], "person_id": ["S1"], "role": ["suspect"]})
    cases = {1: "C1", 2: "C9", 3: None}
    raw["accesses"] = pd.DataFrame(
        [access(f"A{e}", f"E{e}", "S1", case=c, ts=f"2026-03-2{e}T04:30:00Z") for e, c in cases.items()]
    )
    found = [
        finding(f"{rule}{e}", f"E{e}", rule, access=f"A{e}", target="S1", ts=f"2026-03-2{e}T04:30:00Z")
        for e in cases
        for rule in ("pre-action-lookup", "off-shift", "outside-territory")
    ]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")
    assert w.loc[["pre-action-lookup1", "pre-action-lookup2"], ["off_shift", "outside"]].all().all()
    assert w["aggravation"].filter(like="pre-action").to_dict() == {
        "pre-action-lookup1": 0,  # the case explains where and when
        "pre-action-lookup2": 3,  # off shift, outside, a pretext
        "pre-action-lookup3": 2,
    }


def test_a_cited_case_naming_the_person_explains_more_when_colleagues_cite_it_too():
    # E1 and E2 (unit T1) support another unit's raid on C1 and cite it, without an assignment; E3
    # (unit T2) cites it alone; E5 (T2) looks the suspect up without a case while E3 cites it: their
    # unit supports the operation; E4 (T3) looks the suspect up with an unrelated case: a pretext
    raw = frames(6)
    raw["employees"].loc[raw["employees"]["employee_id"].isin(["E3", "E5"]), "unit_id"] = "T2"
    raw["employees"].loc[raw["employees"]["employee_id"] == "E4", "unit_id"] = "T3"
    raw["case_subjects"] = pd.DataFrame({"case_id": ["C1"], "person_id": ["S1"], "role": ["suspect"]})
    cases = {1: "C1", 2: "C1", 3: "C1", 4: "C9", 5: None}
    raw["accesses"] = pd.DataFrame(
        [access(f"A{e}", f"E{e}", "S1", case=c, ts=f"2026-03-2{e}T10:00:00Z") for e, c in cases.items()]
    )
    found = [
        finding(f"f{e}", f"E{e}", "pre-action-lookup", access=f"A{e}", target="S1",
                ts=f"2026-03-2{e}T10:00:00Z")
        for e in cases
    ]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")["case_support"]
    assert w.to_dict() == {"f1": 0.9, "f2": 0.9, "f3": 0.8, "f4": 0.0, "f5": 0.5}


def test_a_case_file_opened_citing_its_case_and_its_subjects_in_the_same_session_are_case_work():
    # E1 opens case C1 citing it, then looks up its suspect S1 and S1's car without a citation, all
    # within the hour; E2 does the same, but the suspect look-up comes two hours later: not the session,
    # only the same case work later that day (weaker). E3 looks up the case file citing an unrelated
    # case: a pretext, explained by nothing. Each in a unit of their own, so that no colleague's
    # citation explains anything
    raw = frames(6)
    raw["employees"]["unit_id"] = ["T1", "T2", "T3", "T4", "T5", "T6"]
    raw["case_subjects"] = pd.DataFrame({"case_id": ["C1"], "person_id": ["S1"], "role": ["suspect"]})
    raw["vehicles"] = pd.DataFrame({"vehicle_id": ["V1"], "owner_person_id": ["S1"]})
    rows = [("A1", "E1", "C1", "case", "C1", "10:00"), ("B1", "E1", "S1", "person", None, "10:20"),
            ("B2", "E1", "V1", "vehicle", None, "10:40"),
            ("A2", "E2", "C1", "case", "C1", "10:00"), ("B3", "E2", "S1", "person", None, "12:30"),
            ("A3", "E3", "C1", "case", "C9", "10:00")]  # fmt: skip
    raw["accesses"] = pd.DataFrame(
        [{**access(a, e, t, case=c, ts=f"2026-03-20T{hm}:00Z"), "target_type": kind}
         for a, e, t, kind, c, hm in rows]
    )  # fmt: skip
    found = [
        {**finding(f"f{a}", e, "pre-action-lookup", access=a, target=t, ts=f"2026-03-20T{hm}:00Z"),
         "target_type": kind, "person_id": None if kind == "case" else "S1"}  # the rule names the owner
        for a, e, t, kind, c, hm in rows
    ]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")
    expected = {"fA1": 0.8, "fB1": 0.8, "fB2": 0.8, "fA2": 0.8, "fB3": 0.6, "fA3": 0.0}
    assert w["case_support"].to_dict() == expected
    assert not w.loc[["fA1", "fA2"], "pretext"].any() and w.at["fA3", "pretext"]


def test_own_case_work_on_the_days_around_explains_an_uncited_look_up_of_the_case_subject():
    # E1 cites raid case C1 on its file on the 20th, then looks its suspect S1 up at dawn on the 23rd,
    # off shift and outside the territory, citing nothing: the same case work, the citation forgotten.
    # E2 cited C1 on the 19th, four days before its dawn look-up: too long ago. E3 never cited C1
    raw = frames(6)
    raw["employees"]["unit_id"] = ["T1", "T2", "T3", "T4", "T5", "T6"]
    raw["case_subjects"] = pd.DataFrame({"case_id": ["C1"], "person_id": ["S1"], "role": ["suspect"]})
    rows = [("A1", "E1", "C1", "case", "C1", "2026-03-20T10:00"),
            ("B1", "E1", "S1", "person", None, "2026-03-23T05:00"),
            ("A2", "E2", "C1", "case", "C1", "2026-03-19T10:00"),
            ("B2", "E2", "S1", "person", None, "2026-03-23T05:00"),
            ("B3", "E3", "S1", "person", None, "2026-03-23T05:00")]  # fmt: skip
    raw["accesses"] = pd.DataFrame(
        [{**access(a, e, t, case=c, ts=f"{ts}:00Z"), "target_type": kind} for a, e, t, kind, c, ts in rows]
    )
    found = [
        finding(f"{rule}{a}", e, rule, access=a, target=t, ts=f"{ts}:00Z")
        for a, e, t, kind, c, ts in rows
        if kind == "person"
        for rule in ("pre-action-lookup", "off-shift", "outside-territory")
    ]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")
    pre = w.filter(like="pre-action", axis=0)
    assert pre["case_support"].to_dict() == {"pre-action-lookupB1": 0.6, "pre-action-lookupB2": 0.0,
                                             "pre-action-lookupB3": 0.0}  # fmt: skip
    assert pre["aggravation"].to_dict() == {"pre-action-lookupB1": 0, "pre-action-lookupB2": 2,
                                            "pre-action-lookupB3": 2}  # fmt: skip
    assert pre.at["pre-action-lookupB1", "weight"] < pre.at["pre-action-lookupB3", "weight"] / 5


def test_a_relative_met_in_routine_work_weighs_less_than_one_looked_up_alone_off_shift():
    raw = frames(6)
    work = [access(f"W{i}", "E1", f"X{i}", ts=f"2026-03-30T10:{10 * i:02d}:00Z") for i in range(1, 5)]
    raw["accesses"] = pd.DataFrame(
        [access("A1", "E1", "R1", ts="2026-03-30T10:25:00Z"),
         access("A2", "E2", "R2", ts="2026-03-30T22:00:00Z"), *work]
    )  # fmt: skip
    found = [
        finding("f1", "E1", "own-network", access="A1", target="R1", ts="2026-03-30T10:25:00Z"),
        finding("f2", "E2", "own-network", access="A2", target="R2", ts="2026-03-30T22:00:00Z"),
        finding("g2", "E2", "off-shift", access="A2", target="R2", ts="2026-03-30T22:00:00Z"),
    ]
    w = run_frames(raw, found).weights.set_index("finding_id")
    assert w.at["f1", "routine"] == pytest.approx(0.7) and w.at["f2", "routine"] == 0
    assert w.at["f1", "weight"] < w.at["f2", "weight"] / 2


def _path(employee: str, target: str, *between: str) -> str:
    """An own-network evidence path: the target, the persons between, the employee's own person."""
    steps = [["Employee", employee], "PERFORMED", ["Access", "A"], "TARGETED", ["Person", target]]
    for person in between:
        steps += ["RELATED_TO:friend", ["Person", person]]
    return json.dumps([*steps, "RELATED_TO:partner", ["Person", "P" + employee[1:]], "<-IS_PERSON",
                       ["Employee", employee]])  # fmt: skip


def test_relatives_of_a_colleague_looked_up_count_in_the_colleague_circle_and_are_explained():
    """E1 looks up the partner and the child of colleague E2 (through E2's person P2) and a friend of a
    stranger; only the first two count, and the explanation names their findings."""
    raw = frames(6)
    raw["accesses"] = pd.DataFrame(
        [access(f"A{i}", "E1", f"R{i}", ts=f"2026-03-{10 + i}T21:00:00Z") for i in (1, 2, 3)]
    )
    found = [
        finding(
            f"f{i}", "E1", "own-network", access=f"A{i}", target=f"R{i}", ts=f"2026-03-{10 + i}T21:00:00Z"
        )
        for i in (1, 2, 3)
    ]
    for f, via in zip(found, ("P2", "P2", "Q9"), strict=True):
        f["evidence"] = _path("E1", f["target_id"], via)
    result = run_frames(raw, found)
    assert result.weights.set_index("finding_id")["via_colleague"].to_dict() == {
        "f1": True,
        "f2": True,
        "f3": False,
    }
    assert result.values.at["E1", "behaviour:colleague_circle"] == 2
    assert (result.values["behaviour:colleague_circle"].drop("E1") == 0).all()
    parts = {p["key"]: p for p in explain_all(result)["E1"]}
    assert sorted(parts["colleague_circle"]["evidence"]["finding_ids"]) == ["f1", "f2"]


def test_a_relative_met_in_routine_work_on_several_days_is_sought_not_met_by_chance():
    # E1 meets relative R1 once in the middle of work; E2 looks relative R2 up in the middle of work
    # on two days: chance meets a relative once
    raw = frames(6)
    work = [
        access(f"W{e}{d}{i}", f"E{e}", f"X{e}{d}{i}", ts=f"2026-03-{d}T10:{10 * i:02d}:00Z")
        for e in (1, 2)
        for d in (20, 27)
        for i in range(1, 5)
    ]
    looks = [("A1", "E1", "R1", "20"), ("A2", "E2", "R2", "20"), ("A3", "E2", "R2", "27")]
    raw["accesses"] = pd.DataFrame(
        [*(access(a, e, t, ts=f"2026-03-{d}T10:25:00Z") for a, e, t, d in looks), *work]
    )
    found = [finding(f"f{a}", e, "own-network", access=a, target=t, ts=f"2026-03-{d}T10:25:00Z")
             for a, e, t, d in looks]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")["routine"]
    assert w.to_dict() == {"fA1": pytest.approx(0.7), "fA2": 0.0, "fA3": 0.0}


def test_an_investigator_looking_up_the_circle_of_a_case_subject_is_explained_while_assigned():
    """An integrity investigator assigned to the case of employee E6 (person P6) looks up P6's
    partner and a colleague of P6: case work, while assigned; the same look-ups by someone not on
    the case, or after the assignment ended, are not explained."""
    raw = frames(6)
    raw["case_subjects"] = pd.DataFrame({"case_id": ["C1"], "person_id": ["P6"], "role": ["suspect"]})
    raw["assignments"] = pd.DataFrame({"case_id": ["C1"], "employee_id": ["E1"], "start_date": ["2026-03-01"],
                                       "end_date": ["2026-03-25"]})  # fmt: skip
    raw["relations"] = pd.DataFrame({"person_id": ["P6", "P5"], "other_person_id": ["Q6", "P6"],
                                     "kind": ["partner", "colleague"]})  # fmt: skip
    looks = [("A1", "E1", "Q6", "2026-03-20"), ("A2", "E1", "P5", "2026-03-20"),
             ("A3", "E1", "Q6", "2026-03-28"), ("A4", "E2", "Q6", "2026-03-20")]  # fmt: skip
    raw["accesses"] = pd.DataFrame([access(a, e, t, ts=f"{d}T10:00:00Z") for a, e, t, d in looks])
    found = [finding(f"f{a}", e, "colleague-lookup", access=a, target=t, ts=f"{d}T10:00:00Z")
             for a, e, t, d in looks]  # fmt: skip
    w = run_frames(raw, found).weights.set_index("finding_id")
    assert w["case_network"].to_dict() == {"fA1": 0.75, "fA2": 0.75, "fA3": 0.0, "fA4": 0.0}
    assert w.at["fA1", "weight"] == pytest.approx(0.25 * w.at["fA4", "weight"])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from graphrisk.generate import generate

    root = tmp_path_factory.mktemp("tiny")
    generate(root / "data", preset="tiny", seed=3)
    store = EmbeddedStore(root / "store")
    store.load(read_dataset(root / "data"))
    return root, store, score(store)


@pytest.fixture(scope="module")
def tiny_days(tmp_path_factory):
    """The tiny preset over four days instead of fourteen, for the Neo4j tests, which load it into
    the server: the same people, cases and networks as tiny, every rule finding something, under a
    third of the look-ups (loading, detecting and scoring on Neo4j go with them)."""
    from graphrisk.generate import generate

    root = tmp_path_factory.mktemp("tiny-days")
    generate(root / "data", preset="tiny", seed=3, days=4)
    store = EmbeddedStore(root / "store")
    store.load(read_dataset(root / "data"))
    result = score(store)
    assert set(result.findings["rule_id"]) == set(RULES), result.findings["rule_id"].value_counts()
    return root, store, result


def _same(a, b):
    cols = ["employee_id", "rank", "score", "alert", "risk_units", "parts"]
    pd.testing.assert_frame_equal(score_rows(a)[cols], score_rows(b)[cols])


def test_scores_unchanged_by_protected_attribute_columns_and_by_ground_truth(tiny, tmp_path):
    root, _, result = tiny
    data = tmp_path / "data"
    shutil.copytree(root / "data", data)
    emp = pd.read_csv(data / "employees.csv", dtype=str, keep_default_na=False)
    emp["nationality"] = np.where(np.arange(len(emp)) % 3 == 0, "NL", "MA")
    emp["surname_origin"] = "non-dutch"
    emp.to_csv(data / "employees.csv", index=False)
    persons = pd.read_csv(data / "persons.csv", dtype=str, keep_default_na=False)
    persons["ethnicity"] = "x"
    persons.to_csv(data / "persons.csv", index=False)
    (data / "ground_truth.csv").unlink()
    store = EmbeddedStore(tmp_path / "store")
    store.load(read_dataset(data))
    _same(result, score(store))


def test_scoring_is_deterministic_and_idempotent(tiny):
    _, store, result = tiny
    _same(result, score(store))


def test_the_scores_file_round_trips_and_evaluate_reads_it(tiny, tmp_path):
    from graphrisk.evaluate import evaluate

    root, _, result = tiny
    rows = score_rows(result)
    for ext in ("parquet", "csv", "json"):
        path = write_scores(rows, tmp_path / f"scores.{ext}", {"as_of": str(result.as_of)})
        back = read_scores(path)
        assert back["employee_id"].astype(str).tolist() == rows["employee_id"].tolist()
        assert back["score"].astype(float).to_numpy() == pytest.approx(rows["score"].to_numpy())
        ev = evaluate(root / "data", path)
        assert ev.scored == len(rows) and ev.roc_auc is not None


def test_generated_insiders_rank_high_on_tiny(tiny):
    root, _, result = tiny
    truth = pd.read_csv(root / "data" / "ground_truth.csv")
    insiders = set(truth.loc[truth["label"].str.startswith("insider:"), "employee_id"])
    ranks = result.table.loc[sorted(insiders), "rank"]
    assert (ranks <= 0.1 * len(result.table)).mean() >= 0.5


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli(tiny, monkeypatch):
    _, store, _ = tiny
    monkeypatch.setenv("GRAPHRISK_STORE", str(store.path))

    def invoke(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_score_json_summary_and_file(cli, tmp_path):
    out = tmp_path / "s.parquet"
    result = cli("score", "--json", "--top", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] and summary["store"] == "embedded" and summary["window"] == "30d"
    assert len(summary["top"]) == 3 and summary["top"][0]["rank"] == 1
    assert summary["alerts"] == int(pd.read_parquet(out)["alert"].sum())


def test_score_prints_the_top_scorers_with_their_reasons(cli, tiny):
    _, _, result = tiny
    ranked = result.table.sort_values("rank")
    text = cli("score", "--top", "2").stdout.splitlines()
    assert text[0].split() == ["rank", "employee", "score", "alert", "peer", "group"]
    top = names_of([ranked.index[0]])[ranked.index[0]]  # pseudonymised by default
    assert text[1].split()[:3] == ["1", top, f"{ranked['score'].iloc[0]:.1f}"]
    reasons = [line for line in text[2:] if line.startswith(" " * 11 + "+")]
    assert reasons and all(float(r.split()[0]) > 0 for r in reasons)
    assert "employees scored as of" in text[-1]


def test_score_errors_are_one_line_with_exit_codes(cli, tmp_path):
    bad = cli("score", "--window", "soon")
    assert bad.exit_code == 2 and "Error: window 'soon'" in bad.stderr and "Traceback" not in bad.output
    wb = cli("score", "--write-back")
    assert wb.exit_code == 2 and "--write-back writes to Neo4j" in wb.stderr
    ext = cli("score", "--out", str(tmp_path / "s.xlsx"))
    assert ext.exit_code == 2
    empty = cli("score", "--store", str(tmp_path / "nothing"), "--json")
    assert empty.exit_code == 4 and json.loads(empty.stdout)["ok"] is False


def test_explain_prints_parts_from_a_scores_file_and_by_scoring(cli, tiny, tmp_path):
    _, _, result = tiny
    top = result.table.sort_values("rank").index[0]
    out = tmp_path / "s.json"
    assert cli("score", "-q", "--out", str(out)).exit_code == 0
    from_file = cli("explain", top, "--scores", str(out), "--json")
    assert from_file.exit_code == 0, from_file.output
    payload = json.loads(from_file.stdout)
    assert payload["rank"] == 1 and payload["parts"]
    assert sum(p["points"] for p in payload["parts"]) == pytest.approx(payload["score"], abs=0.01)
    text = cli("explain", top)
    shown = names_of([top])[top]
    assert text.exit_code == 0 and f"{shown}: score" in text.stdout and "findings:" in text.stdout
    missing = cli("explain", "NOBODY")
    assert missing.exit_code == 2 and "no employee 'NOBODY'" in missing.stderr


@pytest.mark.parametrize("name", ["score", "explain"])
def test_help_ends_with_an_example(name):
    text = CliRunner().invoke(main, [name, "-h"]).output
    assert "Example:" in text and f"graphrisk {name}" in text.split("Example:")[1]


# ---------------------------------------------------------------- Neo4j


@pytest.mark.neo4j
def test_neo4j_and_embedded_give_identical_scores_and_write_back_is_idempotent(tiny_days, neo4j_store):
    from graphrisk.scoring.writeback import write_back

    root, _, embedded = tiny_days
    neo4j_store.load(read_dataset(root / "data"))
    neo = score(neo4j_store)
    _same(embedded, neo)

    rows = score_rows(neo)
    written = write_back(neo4j_store, neo, rows, top=10)
    counts = neo4j_store.read("score/written_counts").iloc[0].to_dict()
    assert counts["employees"] == len(rows) == written["employees"]
    assert counts["findings"] == written["findings"] > 0
    assert counts["has_finding"] == counts["findings"] and counts["concerns"] >= counts["findings"]
    top = rows.iloc[0]
    node = neo4j_store.read_text(
        "MATCH (e:Employee {employee_id: $id}) RETURN e.risk_score AS s, e.risk_rank AS r, e.risk_parts AS p",
        {"id": top["employee_id"]},
    ).iloc[0]
    assert (node["s"], node["r"]) == (pytest.approx(top["score"]), 1) and json.loads(node["p"])
    write_back(neo4j_store, neo, rows, top=10)
    assert neo4j_store.read("score/written_counts").iloc[0].to_dict() == counts


@pytest.mark.neo4j
def test_score_write_back_and_explain_through_the_cli_on_neo4j(
    tiny_days, neo4j_store, neo4j_uri, monkeypatch
):
    root, _, embedded = tiny_days
    neo4j_store.load(read_dataset(root / "data"))
    monkeypatch.setenv("NEO4J_URI", neo4j_uri)
    monkeypatch.delenv("GRAPHRISK_STORE", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["score", "--write-back", "--json", "--top", "5"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] and summary["store"] == "neo4j"
    top = embedded.table.sort_values("rank").index[0]
    assert summary["top"][0]["employee_id"] == names_of([top])[top]  # pseudonymised by default
    # analysts can query what was written with Cypher: the top scorer's findings and their accesses
    found = neo4j_store.read_text(
        "MATCH (e:Employee {employee_id: $id})-[:HAS_FINDING]->(f:Finding)-[:CONCERNS]->(a:Access) "
        "WHERE f.as_of = e.risk_as_of "  # the current run's findings (docs/scoring.md)
        "RETURN e.risk_rank AS rank, count(DISTINCT f) AS findings, count(DISTINCT a) AS accesses",
        {"id": top},
    ).iloc[0]
    assert found["rank"] == 1 and found["findings"] > 0 and found["accesses"] > 0
    explained = runner.invoke(main, ["explain", top, "--json"], catch_exceptions=False)
    assert explained.exit_code == 0, explained.output
    payload = json.loads(explained.stdout)
    assert payload["rank"] == 1
    assert payload["score"] == pytest.approx(float(embedded.table.loc[top, "score"]), abs=0.01)


def test_browsing_and_sitting_count_distinct_persons_off_shift_citing_no_case_outside_work_days():
    from graphrisk.scoring.features import behaviour_features

    as_of = pd.Timestamp("2026-03-11", tz="UTC")
    day = pd.Timestamp("2026-03-10", tz="UTC")
    weights = pd.DataFrame(
        {
            "employee_id": ["E1", "E1", "E1", "E1", "E1"],
            "rule_id": ["off-shift"] * 4 + ["own-network"],
            "target": ["person:P1", "person:P1", "person:P2", "vehicle:V9", "person:P3"],
            "cited": [False, False, True, False, False],  # P2 cites a case: work, not browsing
            "work_day": [0.0, 0.0, 0.0, 0.0, 0.0],
            "day": [day] * 5,
            "ts": [day + pd.Timedelta(hours=20, minutes=m) for m in range(5)],
            "decay": [1.0] * 5,
            "pretext": [False] * 5,
        }
    )
    empty = pd.DataFrame(
        columns=["access_id", "ts", "employee_id", "target_type", "target_id", "action", "case_id"]
    )
    f = behaviour_features(empty, weights, pd.Index(["E1"]), as_of, pd.Timedelta(days=1))
    assert f.loc["E1", "browsing"] == 1.0  # P1 once; not the cited P2, the vehicle, or another rule's P3
    assert f.loc["E1", "sitting"] == 1.0  # the same look-ups, within half an hour
    on_work_day = weights.assign(work_day=0.85)  # the evening was a day of work elsewhere
    f = behaviour_features(empty, on_work_day, pd.Index(["E1"]), as_of, pd.Timedelta(days=1))
    assert f.loc["E1", "browsing"] == 0.0 and f.loc["E1", "sitting"] == 0.0


def test_a_shift_of_work_past_midnight_is_work_elsewhere_not_browsing():
    # E1 works an evening elsewhere off the roster, 21:00 to 02:45 UTC: each UTC day holds too few
    # hours for a day of work elsewhere, the stretch across midnight has a shift's shape (24 persons
    # in 6 hours, no pause over an hour). E2 looks up twelve persons over three hours one evening
    raw = frames(12)
    rows, found = [], []
    for emp, n in (("E1", 24), ("E2", 12)):
        for i, at in enumerate(pd.date_range("2026-03-29 21:00", periods=n, freq="15min", tz="UTC")):
            rows.append(access(f"A-{emp}-{i}", emp, f"{emp}-P{i}", ts=at))
            found.append(
                finding(f"f-{emp}-{i}", emp, "off-shift", access=f"A-{emp}-{i}", target=f"{emp}-P{i}", ts=at)
            )
    for d in (24, 25):  # E1's rostered days: 50 persons each, so a day of his needs 16 (day_targets)
        for i, at in enumerate(pd.date_range(f"2026-03-{d} 06:00", periods=50, freq="10min", tz="UTC")):
            rows.append(access(f"A-E1-{d}-{i}", "E1", f"E1-{d}-P{i}", ts=at))
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    work_day = r.weights.groupby("employee_id")["work_day"]
    assert work_day.min()["E1"] == 0.85 and work_day.max()["E2"] == 0.0
    assert r.values.loc["E1", ["behaviour:browsing", "behaviour:sitting"]].tolist() == [0.0, 0.0]
    # (the peers look nothing up, so E2's twelve are a workload four times theirs: the divisor)
    assert r.values.at["E2", "behaviour:browsing"] > 0
    assert r.values.at["E2", "behaviour:sitting"] * r.table.at["E2", "workload"] == 3.0
    # cut the stretch with a pause of more than an hour after midnight: two evenings, not a shift
    late = [f"A-E1-{i}" for i in range(13, 24)]
    raw["accesses"].loc[raw["accesses"]["access_id"].isin(late), "ts"] += pd.Timedelta(hours=2)
    for f in found:
        if f["access_ids"][0] in late:
            f["ts"] = f["ts"] + pd.Timedelta(hours=2)
    assert run_frames(raw, found).weights.groupby("employee_id")["work_day"].max()["E1"] == 0.0


def test_a_relative_met_in_a_day_of_work_elsewhere_is_a_routine_encounter():
    # E1 works a day elsewhere off the roster: 30 persons from 08:00 to 15:15 UTC, every look-up off
    # shift; at 11:00 one of them is her cousin R. E2 looks up his cousin R2 at 22:00, nothing around
    raw = frames(12)
    rows, found = [], []
    for i, at in enumerate(pd.date_range("2026-03-24 08:00", periods=30, freq="15min", tz="UTC")):
        target = "R" if i == 12 else f"E1-P{i}"
        rows.append(access(f"A-E1-{i}", "E1", target, ts=at))
        found.append(finding(f"o-E1-{i}", "E1", "off-shift", access=f"A-E1-{i}", target=target, ts=at))
    found.append(finding("n-E1", "E1", "own-network", access="A-E1-12", target="R", ts=rows[12]["ts"]))
    rows.append(access("A-E2", "E2", "R2", ts="2026-03-24T22:00:00Z"))
    found.append(finding("o-E2", "E2", "off-shift", access="A-E2", target="R2", ts="2026-03-24T22:00:00Z"))
    found.append(finding("n-E2", "E2", "own-network", access="A-E2", target="R2", ts="2026-03-24T22:00:00Z"))
    raw["accesses"] = pd.DataFrame(rows)
    w = run_frames(raw, found).weights.set_index("finding_id")
    assert w.at["o-E1-12", "work_day"] == 0.85  # the day is work elsewhere, so the cousin was met
    # at work, amid look-ups flagged only for their time: a chance encounter, not aggravated
    assert w.at["n-E1", "routine"] == 0.7 and w.at["n-E1", "aggravation"] == 0
    assert w.at["n-E2", "routine"] == 0.0 and w.at["n-E2", "aggravation"] == 1
    # a look-up flagged for whom it was about never counts as routine around another
    about = [finding(f"c-E1-{i}", "E1", "colleague-lookup", access=f"A-E1-{i}", target=f"E1-P{i}",
                     ts=rows[i]["ts"]) for i in range(8, 17) if i != 12]  # fmt: skip
    w = run_frames(raw, found + about).weights.set_index("finding_id")
    assert w.at["n-E1", "routine"] == 0.0


def test_a_day_of_work_is_measured_on_the_employees_own_days():
    # E1, a desk clerk, looks up 8 persons a day over office hours; the roster shows none of the
    # days (flexible hours, a roster system not connected), so every look-up is off shift. E2, a
    # patrol officer, looks up 40 persons on a rostered day and, on a day off, 8 persons over the
    # same office hours; E3 looks up 8 persons in one evening hour after her days of 8
    raw = frames(12)
    rows, found = [], []

    def day(emp, date, n, start, every, off=True):
        for k in range(n):
            at = pd.Timestamp(f"{date}T{start}Z") + pd.Timedelta(minutes=every * k)
            aid = f"A-{emp}-{date}-{k}"
            rows.append(access(aid, emp, f"{emp}-{date}-P{k}", ts=at))
            if off:
                found.append(
                    finding(
                        f"f-{emp}-{date}-{k}",
                        emp,
                        "off-shift",
                        access=aid,
                        target=f"{emp}-{date}-P{k}",
                        ts=at,
                    )
                )

    for d in ("2026-03-23", "2026-03-24", "2026-03-25"):
        day("E1", d, 8, "08:00", 45)  # 8 persons from 08:00 to 13:15: six clock hours
        day("E3", d, 8, "08:00", 45, off=False)
    day("E2", "2026-03-23", 40, "06:00", 12, off=False)
    day("E2", "2026-03-25", 8, "08:00", 45)
    day("E3", "2026-03-26", 8, "20:00", 7)  # 8 persons in under an hour: an evening, not a day
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    work_day = r.weights.groupby("employee_id")["work_day"]
    assert work_day.min()["E1"] == 0.85  # her own days have that shape: work the roster misses
    assert work_day.max()["E2"] == 0.0  # 8 persons are not a day of his (his mean: 24, needs 12)
    assert work_day.max()["E3"] == 0.0
    every_lookup = FrameLookups(raw["accesses"]).workload([])
    assert context_day_targets(every_lookup).to_dict() == {"E1": 5, "E2": 12, "E3": 5}


def test_a_workload_many_times_the_peers_divides_its_chance_findings():
    # twelve patrol agents look up 10 persons a day for 5 days; E1, whose job is checking records,
    # 200 a day. E1 and E2 each look up the same 4 colleagues once, with nothing else different
    raw = frames(12)
    rows, found = [], []
    for i in range(1, 13):
        n = 200 if i == 1 else 10
        for d in range(23, 28):
            for k in range(n):
                at = pd.Timestamp(f"2026-03-{d}T08:00:00Z") + pd.Timedelta(seconds=100 * k)
                rows.append(access(f"A-{i}-{d}-{k}", f"E{i}", f"Q{i}-{d}-{k}", ts=at))
    for emp in ("E1", "E2"):
        for c in range(4):
            aid = f"C-{emp}-{c}"
            rows.append(access(aid, emp, f"P{c + 5}", ts="2026-03-30T10:00:00Z"))
            found.append(finding(f"f-{emp}-{c}", emp, "colleague-lookup", access=aid, target=f"P{c + 5}"))
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    w = r.weights.groupby("employee_id")["weight"].sum()
    # E1's workload 1,000 target-days against the group's median 50: divided by 1000 / (3 * 50)
    assert w["E1"] == pytest.approx(w["E2"] / (1000 / 150))
    assert r.table.at["E1", "score"] < r.table.at["E2", "score"]
    # up to three times the median nothing changes; the flagged look-ups never count as workload
    same = run_frames(raw, found, ScoreParams(workload_multiple=1000.0))
    assert same.weights.groupby("employee_id")["weight"].sum()["E2"] == w["E2"]


def test_a_workload_many_times_the_peers_divides_its_sittings_and_says_so():
    # E1 checks 200 records a day, E2..E12 twenty; E1 and E2 each leaf through the same 30 persons
    # in a quarter of an hour one evening, off shift, citing no case
    raw = frames(12)
    rows, found = ordinary_days(12), []
    rows += [access(f"W-E1-x-{d}-{k}", "E1", f"X-{d}-{k}", ts=f"2026-03-{d + 2:02d}T13:00:00Z")
             for d in range(10) for k in range(180)]  # fmt: skip
    for emp in ("E1", "E2"):
        for k in range(30):
            at = pd.Timestamp("2026-03-20T20:00:00Z") + pd.Timedelta(seconds=30 * k)
            rows.append(access(f"A-{emp}-{k}", emp, f"Q{k}", ts=at))
            found.append(
                finding(f"f-{emp}-{k}", emp, "off-shift", access=f"A-{emp}-{k}", target=f"Q{k}", ts=at)
            )
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    v = r.table.at["E1", "workload"]
    # E1: 2,030 target-days (the evening counts: it is flagged only for its time) against the
    # group's median 200, so v = 2030 / (3 * 200); E2 230
    assert v == pytest.approx(2030 / 600) and r.table.at["E2", "workload"] == 1.0
    assert r.values.at["E2", "behaviour:sitting"] == 30.0
    assert r.values.at["E1", "behaviour:sitting"] == pytest.approx(30.0 / v)
    assert r.table.at["E1", "score"] < r.table.at["E2", "score"]
    # the explanation names the sitting as it was, and the division
    part = next(p for p in explain_all(r)["E1"] if p["key"] == "sitting")
    assert part["text"].startswith("Looked up 30.0 distinct persons within half an hour off shift")
    assert f"divided by {v:.1f} for a workload {3 * v:.1f} times the peer group's median" in part["text"]


def test_an_area_worked_on_most_days_is_not_outside_the_territory():
    # E1 (moved from M2 to T1's territory M1 mid-window) looks up persons in M2 on 6 of her 10 days;
    # E2 looks up persons in M3 one evening. E3 looks up a relative in M2 on 6 days: a look-up about
    # whom never makes an area worked in
    raw = frames(12)
    rows, found = ordinary_days(12), []

    def outside(emp, day, k, area, hour=10, rule_also=None):
        aid, target = f"O-{emp}-{day}-{k}", f"{area}-{emp}-{day}-{k}" if rule_also is None else "P99"
        at = f"2026-03-{day:02d}T{hour:02d}:{k:02d}:00Z"
        rows.append(access(aid, emp, target, ts=at))
        f = finding(f"o-{aid}", emp, "outside-territory", access=aid, target=target, ts=at)
        found.append({**f, "detail": f"target area {area} outside M1"})
        if rule_also:
            found.append(finding(f"r-{aid}", emp, rule_also, access=aid, target=target, ts=at))

    for day in range(2, 8):
        for k in range(3):
            outside("E1", day, k, "M2")
        outside("E3", day, 0, "M2", rule_also="own-network")
    for k in range(8):
        outside("E2", 9, k, "M3", hour=21)
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    left = r.weights[r.weights["rule_id"] == "outside-territory"].groupby("employee_id").size()
    assert "E1" not in left.index and left["E2"] == 8 and left["E3"] == 6
    # the same look-ups on two days are not an area worked in
    found = [
        f for f in found if not (f["employee_id"] == "E1" and f["ts"] >= pd.Timestamp("2026-03-04T00:00Z"))
    ]
    r = run_frames(raw, found)
    assert (r.weights["employee_id"] == "E1").sum() == 6


def ordinary_days(n_employees: int, days: int = 10, persons: int = 20) -> list[dict]:
    """Unflagged on-shift work for E1..En: ``persons`` distinct persons a day on ``days`` days."""
    return [
        access(
            f"W-E{i}-{d}-{k}",
            f"E{i}",
            f"W{i}-{d}-{k}",
            ts=f"2026-03-{d + 2:02d}T{8 + k // 4:02d}:{k % 4 * 15:02d}:00Z",
        )
        for i in range(1, n_employees + 1)
        for d in range(days)
        for k in range(persons)
    ]


def test_dozens_of_persons_in_one_sitting_off_shift_score_where_a_few_each_evening_do_not():
    # E1 leafs through 30 persons in 15 minutes one evening; E2 looks up as many, five an evening
    # over six evenings (the same browsing count); ten peers look up three persons one evening
    raw = frames(12)
    rows, found = [], []

    def evening(emp, day, persons, every_seconds):
        for k, p in enumerate(persons):
            at = pd.Timestamp(f"2026-03-{day:02d}T20:00:00Z") + pd.Timedelta(seconds=every_seconds * k)
            aid = f"A-{emp}-{day}-{k}"
            rows.append(access(aid, emp, p, ts=at))
            found.append(finding(f"f-{emp}-{day}-{k}", emp, "off-shift", access=aid, target=p, ts=at))

    evening("E1", 20, [f"Q{i}" for i in range(30)], 30)
    for d in range(6):
        evening("E2", 20 + d, [f"R{d * 5 + i}" for i in range(5)], 300)
    for i in range(3, 13):
        evening(f"E{i}", 20, [f"S{i}-{k}" for k in range(3)], 300)
    rows += ordinary_days(12)
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    assert r.values.at["E1", "behaviour:sitting"] == 30.0 and r.values.at["E2", "behaviour:sitting"] == 5.0
    assert r.units.at["E1", "behaviour:sitting"] > 0 and r.units.at["E2", "behaviour:sitting"] == 0
    assert r.table.at["E1", "score"] > r.table.at["E2", "score"]
    part = next(p for p in explain_all(r)["E1"] if p["key"] == "sitting")
    assert "30.0 distinct persons within half an hour off shift" in part["text"]
    assert part["text"].endswith("on 2026-03-20 from 20:00 to 20:14 UTC")  # 30 look-ups, 30 s apart
    assert (part["evidence"]["from"], part["evidence"]["to"]) == (
        "2026-03-20T20:00:00+00:00",
        "2026-03-20T20:14:30+00:00",
    )
    sitting = {f"A-E1-20-{k}" for k in range(30)}
    assert part["evidence"]["access_ids"] and set(part["evidence"]["access_ids"]) <= sitting
    # monotone: one more person in the sitting never lowers it
    at = pd.Timestamp("2026-03-20T20:14:30Z")
    rows.append(access("A-E1-more", "E1", "Q30", ts=at))
    found.append(finding("f-E1-more", "E1", "off-shift", access="A-E1-more", target="Q30", ts=at))
    raw["accesses"] = pd.DataFrame(rows)
    more = run_frames(raw, found)
    assert more.values.at["E1", "behaviour:sitting"] == 31.0
    assert more.table.at["E1", "score"] >= r.table.at["E1", "score"]


def test_colleagues_looked_up_alone_score_where_colleagues_met_in_the_middle_of_work_do_not():
    # E1 looks up three colleagues, each in a sitting of its own; E2 three others, each among other
    # look-ups within the half hour (chance hits at work); eight quiet peers
    raw = frames(10)
    rows, found = [], []
    for i, (mine, theirs) in enumerate([("P4", "P7"), ("P5", "P8"), ("P6", "P9")]):
        at = pd.Timestamp(f"2026-03-{10 + i}T10:00:00Z")
        rows.append(access(f"A1{i}", "E1", mine, ts=at))
        rows.append(access(f"A1{i}r", "E1", mine, ts=at + pd.Timedelta(minutes=5)))  # the same again
        rows.append(access(f"A2{i}", "E2", theirs, ts=at))
        rows.append(access(f"A2{i}w", "E2", f"S{i}", ts=at + pd.Timedelta(minutes=20)))  # other work
        found.append(finding(f"f1{i}", "E1", "colleague-lookup", access=f"A1{i}", target=mine, ts=at))
        found.append(finding(f"f2{i}", "E2", "colleague-lookup", access=f"A2{i}", target=theirs, ts=at))
    raw["accesses"] = pd.DataFrame(rows)
    r = run_frames(raw, found)
    assert r.values.at["E1", "behaviour:alone"] == 3.0 and r.values.at["E2", "behaviour:alone"] == 0.0
    assert r.units.at["E1", "behaviour:alone"] > 0 and r.table.at["E1", "score"] > r.table.at["E2", "score"]
    part = next(p for p in explain_all(r)["E1"] if p["key"] == "alone")
    assert part["evidence"]["finding_ids"] == ["f12", "f11", "f10"]  # the heaviest (latest) first
    assert part["evidence"]["access_ids"] == ["A12", "A11", "A10"]
    assert "3.0 distinct colleagues or flagged persons alone" in part["text"]
    # colleagues of the unit looked them up too: shared, not counted
    raw["accesses"] = pd.DataFrame(
        [*rows, *(access(f"A3{i}", "E3", p) for i, p in enumerate(["P4", "P5", "P6"]))]
    )
    assert run_frames(raw, found).values.at["E1", "behaviour:alone"] == 0.0
