"""Each rule on hand-built micro worlds (tests/world.py), positive cases and near misses, on every engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from world import World

from graphrisk.ingest import read_dataset
from graphrisk.rules import RULES, detect
from graphrisk.store import EmbeddedStore


@pytest.fixture(params=["duckdb", "pandas", pytest.param("cypher", marks=pytest.mark.neo4j)])
def run(request, tmp_path):
    """run(world, rule_id, **params) -> list of finding dicts of that rule, on one engine."""

    def go(world: World, rule_id: str, **params):
        if request.param != "cypher":
            store = EmbeddedStore(tmp_path / "store")
            store.load(read_dataset(world.write(tmp_path / "data")), replace=True)
        else:
            store = request.getfixturevalue("neo4j_store")
            store.clear()
            store.load(read_dataset(world.write(tmp_path / "data")))
        result = detect(store, [rule_id], params={rule_id: params} if params else None, engine=request.param)
        rows = result.findings.to_dict(orient="records")
        for r in rows:
            r["evidence"] = json.loads(r["evidence"])
        return rows

    return go


def only(rows):
    assert len(rows) == 1, rows
    return rows[0]


def hits(rows):
    return sorted((r["access_ids"][0], r["person_id"]) for r in rows)


# ---------------------------------------------------------------- own-network


def test_own_network_partner_one_hop(run):
    w = World()
    x = w.access("E1", "P4")
    f = only(run(w, "own-network"))
    assert (f["access_ids"], f["person_id"], f["severity"]) == ([x], "P4", "medium")
    assert f["evidence"] == [
        ["Employee", "E1"], "PERFORMED", ["Access", x], "TARGETED", ["Person", "P4"],
        "RELATED_TO:partner", ["Person", "P1"], "<-IS_PERSON", ["Employee", "E1"],
    ]  # fmt: skip


def test_own_network_partners_family_two_hops_and_not_three(run):
    w = World()
    two = w.access("E1", "P5")  # P1 -partner- P4 -family- P5
    w.access("E1", "P20")  # three hops: P1 - P4 - P5 - P20
    f = only(run(w, "own-network"))
    assert f["access_ids"] == [two]
    assert f["evidence"][5:] == [
        "RELATED_TO:family", ["Person", "P4"], "RELATED_TO:partner", ["Person", "P1"],
        "<-IS_PERSON", ["Employee", "E1"],
    ]  # fmt: skip


def test_own_network_max_hops_one(run):
    w = World()
    w.access("E1", "P5")
    assert run(w, "own-network", max_hops=1) == []


def test_own_network_through_a_vehicle(run):
    w = World()
    w.add("vehicles", vehicle_id="V1", owner_person_id="P4", area_id="M1")
    x = w.access("E1", "V1", kind="vehicle")
    f = only(run(w, "own-network"))
    assert f["person_id"] == "P4"
    assert f["evidence"][3:7] == ["TARGETED", ["Vehicle", "V1"], "REGISTERED_TO", ["Person", "P4"]]
    assert f["access_ids"] == [x]


def test_own_network_near_misses(run):
    w = World()
    w.access("E1", "P10")  # a stranger
    w.access("E1", "P1")  # oneself: not the network rule
    # justified: E1 works case C2 where P4 is a subject, and cites it
    w.add("cases", case_id="C2", name="Onderzoek Mus", status="open", opened_on="2026-01-01", closed_on="",
          unit_id="T1", sensitivity="normal")  # fmt: skip
    w.add("case_subjects", case_id="C2", person_id="P4", role="witness")
    w.assign("E1", "C2")
    w.access("E1", "P4", case="C2")
    assert run(w, "own-network") == []


def test_own_network_an_ended_assignment_no_longer_justifies(run):
    w = World()
    w.add("cases", case_id="C2", name="Onderzoek Mus", status="open", opened_on="2026-01-01", closed_on="",
          unit_id="T1", sensitivity="normal")  # fmt: skip
    w.add("case_subjects", case_id="C2", person_id="P4", role="witness")
    w.assign("E1", "C2", end="2026-02-01")
    x = w.access("E1", "P4", case="C2")
    assert only(run(w, "own-network"))["access_ids"] == [x]


# ---------------------------------------------------------------- colleague-lookup


def test_colleague_and_colleagues_partner(run):
    w = World()
    a = w.access("E1", "P2")  # E2 herself
    b = w.access("E1", "P6")  # E2's partner
    w.access("E2", "P6")  # one's own partner is not a colleague look-up
    w.access("E1", "P10")
    rows = run(w, "colleague-lookup")
    assert hits(rows) == sorted([(a, "P2"), (b, "P6")])
    assert {r["detail"] for r in rows} == {"colleague E2"}


def test_colleague_justified_by_case(run):
    w = World()
    w.add("case_subjects", case_id="C1", person_id="P6", role="witness")
    w.access("E2", "P2")  # oneself
    w.assign("E3", "C1")
    w.access("E3", "P6", case="C1")
    assert run(w, "colleague-lookup") == []


# ---------------------------------------------------------------- open-case / pre-action


def test_open_case_subject_and_case_file_without_need_to_know(run):
    w = World()
    a = w.access("E1", "P11")  # subject of open C1, E1 not assigned, not in U2
    b = w.access("E3", "C1", kind="case")
    w.access("E2", "P11")  # E2 is in the owning unit (and assigned)
    rows = run(w, "open-case-no-need-to-know")
    assert hits(rows) == sorted([(a, "P11"), (b, None)])
    assert {r["case_id"] for r in rows} == {"C1"}
    assert {r["severity"] for r in rows} == {"medium"}


def test_open_case_severity_rises_with_sensitivity_and_informants(run):
    w = World()
    w.add("cases", case_id="C9", name="Onderzoek Valk", status="open", opened_on="2026-01-01", closed_on="",
          unit_id="U2", sensitivity="top")  # fmt: skip
    w.add("case_subjects", case_id="C1", person_id="P10", role="informant")
    w.access("E1", "C9", kind="case")
    w.access("E1", "P10")
    assert sorted(r["severity"] for r in run(w, "open-case-no-need-to-know")) == ["critical", "high"]


def test_closed_case_and_assigned_employee_are_not_findings(run):
    w = World()
    w.rows["cases"][0].update(status="closed", closed_on="2026-02-01")
    w.access("E1", "P11")
    assert run(w, "open-case-no-need-to-know") == []
    w2 = World()
    w2.assign("E1", "C1")
    w2.access("E1", "P11")
    assert run(w2, "open-case-no-need-to-know") == []


def test_pre_action_window(run):
    w = World()
    w.add("case_actions", case_id="C1", ts="2026-03-04T05:00:00+00:00", kind="raid")
    inside = w.access("E1", "P11", day="2026-03-02", at="10:00")  # 43 hours before
    w.access("E1", "P11", day="2026-03-01", at="04:00")  # 73 hours before
    w.access("E1", "P11", day="2026-03-04", at="06:00")  # after the raid
    f = only(run(w, "pre-action-lookup"))
    assert (f["access_ids"], f["case_id"], f["severity"]) == ([inside], "C1", "critical")
    assert f["evidence"][-4:] == [
        "SUBJECT_OF", ["Case", "C1"], "PLANS", ["Action", "C1|2026-03-04T05:00:00+0000|raid"],
    ]  # fmt: skip
    assert f["detail"] == "raid planned"
    assert len(run(w, "pre-action-lookup", window_hours=80)) == 2


# ---------------------------------------------------------------- criminal-proximity-access


def test_criminal_proximity_needs_both_closeness_and_a_look_up(run):
    w = World()
    w.relate("P3", "P20", "family")  # E3 is family of O1's member P20
    x = w.access("E3", "P20")
    w.access("E1", "P20")  # E1 is three hops away: no finding
    f = only(run(w, "criminal-proximity-access"))
    assert (f["access_ids"], f["organisation_id"], f["severity"]) == ([x], "O1", "high")
    # the target's membership, then the employee's relation path to the member, all in the data
    assert f["evidence"] == [
        ["Employee", "E3"], "PERFORMED", ["Access", x], "TARGETED", ["Person", "P20"],
        "MEMBER_OF", ["Organisation", "O1"], "MEMBER_OF<-", ["Person", "P20"],
        "RELATED_TO:family", ["Person", "P3"], "<-IS_PERSON", ["Employee", "E3"],
    ]  # fmt: skip


def test_criminal_proximity_reaches_subjects_of_cases_against_the_organisation(run):
    w = World()
    w.relate("P3", "P20", "family")
    w.add("case_subjects", case_id="C1", person_id="P20", role="suspect")  # C1 is now a case against O1
    x = w.access("E3", "P11")
    f = only(run(w, "criminal-proximity-access"))
    assert f["access_ids"] == [x]
    # the target is linked through the case and its suspect, who is the member E3 knows
    assert f["evidence"] == [
        ["Employee", "E3"], "PERFORMED", ["Access", x], "TARGETED", ["Person", "P11"],
        "SUBJECT_OF", ["Case", "C1"], "SUBJECT_OF:suspect<-", ["Person", "P20"],
        "MEMBER_OF", ["Organisation", "O1"], "MEMBER_OF<-", ["Person", "P20"],
        "RELATED_TO:family", ["Person", "P3"], "<-IS_PERSON", ["Employee", "E3"],
    ]  # fmt: skip


def test_criminal_proximity_names_the_target_s_own_link_not_the_member_s(run):
    w = World()
    w.relate("P3", "P20", "family")  # E3 knows member P20
    w.add("persons", person_id="P21", name="Person P21", birth_date="1980-01-01", area_id="M3", address_id="",
          flags="")  # fmt: skip
    w.add("memberships", person_id="P21", organisation_id="O1", role="member", since="")
    w.add("case_subjects", case_id="C1", person_id="P21", role="suspect")
    x = w.access("E3", "P21")  # a member and a suspect: the membership is the link
    y = w.access("E3", "P11")  # a subject of C1, whose suspect P21 is a member
    rows = {r["access_ids"][0]: r["evidence"] for r in run(w, "criminal-proximity-access")}
    assert rows[x][4:8] == [["Person", "P21"], "MEMBER_OF", ["Organisation", "O1"], "MEMBER_OF<-"]
    assert rows[y][4:10] == [
        ["Person", "P11"], "SUBJECT_OF", ["Case", "C1"], "SUBJECT_OF:suspect<-", ["Person", "P21"],
        "MEMBER_OF",
    ]  # fmt: skip
    assert rows[x][8:] == rows[y][12:] == [
        ["Person", "P20"], "RELATED_TO:family", ["Person", "P3"], "<-IS_PERSON", ["Employee", "E3"],
    ]  # fmt: skip


def test_knowing_a_criminal_without_looking_anyone_up_is_no_finding(run):
    w = World()
    w.relate("P3", "P20", "family")
    w.access("E3", "P10")
    assert run(w, "criminal-proximity-access") == []


# ---------------------------------------------------------------- outside-territory


def test_outside_territory(run):
    w = World()
    far = w.access("E1", "P11")  # T1 serves M1; P11 lives in M3
    near_region = w.access("E1", "P3")  # M2 is in R1 but not in M1
    w.access("E1", "P10")  # M1
    w.access("E3", "P11")  # national unit
    w.access("E2", "P11")  # U2 serves R2, which holds M3
    rows = run(w, "outside-territory")
    assert sorted(r["access_ids"][0] for r in rows) == sorted([far, near_region])
    assert {r["detail"] for r in rows} == {"target area M3 outside M1", "target area M2 outside M1"}


def test_outside_territory_justified_by_case(run):
    w = World()
    w.assign("E1", "C1")
    w.access("E1", "P11", case="C1")
    assert run(w, "outside-territory") == []


# ---------------------------------------------------------------- off-shift


def test_off_shift_with_shifts_inclusive_bounds(run):
    w = World()
    w.add(
        "shifts", employee_id="E1", start_ts="2026-03-02T08:00:00+00:00", end_ts="2026-03-02T16:00:00+00:00"
    )
    w.access("E1", "P10", at="10:00")
    w.access("E1", "P10", at="16:00")
    late = w.access("E1", "P10", at="20:00")
    f = only(run(w, "off-shift"))
    assert (f["access_ids"], f["detail"]) == ([late], "outside every shift")


def test_off_shift_from_history_without_shifts(run):
    w = World()
    for i in range(60):
        w.access("E3", "P10", day=f"2026-03-{1 + i % 28:02d}", at="10:00")
    night = w.access("E3", "P10", at="03:00")
    f = only(run(w, "off-shift"))
    assert (f["access_ids"], f["detail"]) == ([night], "hour 03 UTC holds 1 of 61")
    assert run(w, "off-shift", min_history=100) == []


# ---------------------------------------------------------------- sensitive-target, export


def test_sensitive_target(run):
    w = World()
    w.rows["persons"][7]["flags"] = "informant"  # P11
    vip = w.access("E1", "P12")
    inf = w.access("E1", "P11")
    w.access("E2", "P11", case="C1")  # justified
    rows = run(w, "sensitive-target")
    assert sorted((r["access_ids"][0], r["severity"]) for r in rows) == sorted(
        [(vip, "medium"), (inf, "high")]
    )


def test_unjustified_export(run):
    w = World()
    none = w.access("E1", "P10", action="export")
    pretext = w.access("E1", "P11", action="export", case="C1")  # cites a case E1 is not on
    w.access("E2", "P11", action="export", case="C1")
    w.access("E1", "P10", action="view")
    rows = run(w, "unjustified-export")
    assert sorted((r["access_ids"][0], r["detail"]) for r in rows) == sorted(
        [(none, "no case cited"), (pretext, "cites C1, not assigned")]
    )


def test_a_rule_whose_inputs_are_missing_is_skipped(tmp_path):
    w = World()
    w.access("E1", "P4")
    w.rows["memberships"].clear()
    w.rows["organisations"].clear()
    store = EmbeddedStore(tmp_path / "s")
    store.load(read_dataset(w.write(tmp_path / "d")))
    result = detect(store)
    skipped = {r.rule_id: r.skipped for r in result.runs if r.skipped}
    assert skipped == {
        "criminal-proximity-access": "needs memberships, not in the store",
        "pre-action-lookup": "needs case_actions, not in the store",  # the world plans no actions
    }
    assert len(result.findings) > 0


def test_every_rule_has_a_micro_test():
    text = Path(__file__).read_text()
    for rule_id in RULES:
        assert f'"{rule_id}"' in text
