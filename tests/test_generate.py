"""Tests of the synthetic data set generator (graphrisk.generate).

The tiny preset is generated once per module (about a second) and checked
against the contract, for determinism, and for the behaviour that defines
each planted scenario and look-alike group.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graphrisk.contract import TABLES, ColumnType
from graphrisk.errors import UsageError
from graphrisk.generate import LOOKALIKES, NOISE_LOOKALIKES, PRESETS, PROFILES, SCENARIOS, generate, noise_for

SAMPLE = Path(__file__).parents[1] / "datasets" / "sample"
SEED = 3
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("tiny")
    return out, generate(out, preset="tiny", seed=SEED)


@pytest.fixture(scope="module")
def t(tiny) -> dict[str, pd.DataFrame]:
    out, _ = tiny
    return {
        name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in TABLES
    }


@pytest.fixture(scope="module")
def w(t) -> _World:
    return _World(t)


def _digests(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# --- determinism -------------------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_csv(tiny, tmp_path):
    out, _ = tiny
    generate(tmp_path, preset="tiny", seed=SEED)
    assert _digests(tmp_path) == _digests(out)


def test_the_same_seed_gives_byte_identical_parquet(tmp_path):
    generate(tmp_path / "a", preset="tiny", seed=SEED, fmt="parquet")
    generate(tmp_path / "b", preset="tiny", seed=SEED, fmt="parquet")
    files = _digests(tmp_path / "a")
    assert "access_log.parquet" in files
    assert files == _digests(tmp_path / "b")


def test_another_seed_gives_another_data_set(tiny, tmp_path):
    out, _ = tiny
    generate(tmp_path, preset="tiny", seed=SEED + 1)
    assert (tmp_path / "access_log.csv").read_bytes() != (out / "access_log.csv").read_bytes()
    assert (tmp_path / "persons.csv").read_bytes() != (out / "persons.csv").read_bytes()


def test_the_committed_sample_is_what_the_documented_command_gives(tmp_path):
    if not SAMPLE.is_dir():
        pytest.skip("datasets/sample is not there")
    generate(tmp_path, preset="small", seed=42)
    assert _digests(tmp_path) == _digests(SAMPLE)


def test_writing_parquet_over_csv_leaves_one_file_per_table(tmp_path):
    generate(tmp_path, preset="tiny", seed=SEED)
    generate(tmp_path, preset="tiny", seed=SEED, fmt="parquet")
    assert not list(tmp_path.glob("*.csv"))
    assert len(list(tmp_path.glob("*.parquet"))) == len(TABLES)


# --- the contract -------------------------------------------------------------------------------


def test_every_contract_table_is_written_with_exactly_its_columns(tiny):
    out, counts = tiny
    assert set(counts) == set(TABLES)
    for name, spec in TABLES.items():
        lines = (out / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(spec.column_names), name
        assert len(lines) - 1 == counts[name] > 0, name


@pytest.mark.parametrize("name", list(TABLES))
def test_values_keys_and_references_keep_the_contract(t, name):
    spec = TABLES[name]
    frame = t[name]
    for col in spec.columns:
        values = frame[col.name]
        present = values.dropna()
        if not col.nullable:
            assert values.notna().all(), f"{name}.{col.name} has empty values"
        if col.type is ColumnType.ENUM:
            assert set(present) <= set(col.values), f"{name}.{col.name}: {set(present) - set(col.values)}"
        elif col.type is ColumnType.FLAGS:
            parts = {f for v in present for f in v.split(";")}
            assert parts <= set(col.values), f"{name}.{col.name}: {parts - set(col.values)}"
        elif col.type is ColumnType.DATETIME:
            assert present.map(lambda v: bool(_DATETIME.match(v))).all(), f"{name}.{col.name}"
        elif col.type is ColumnType.DATE:
            assert present.map(lambda v: bool(_DATE.match(v))).all(), f"{name}.{col.name}"
        elif col.type is ColumnType.ID:
            assert (present == present.str.strip()).all()
    assert not frame.duplicated(list(spec.key)).any(), f"{name}: repeated key {spec.key}"
    if "unique" in spec.extra:
        assert not frame[spec.extra["unique"]].duplicated().any()
    for ref in spec.references:
        values = frame[ref.column]
        mask = values.notna()
        if ref.when is not None:
            mask &= frame[ref.when[0]] == ref.when[1]
        key = TABLES[ref.table].key[0]
        unknown = set(values[mask]) - set(t[ref.table][key])
        assert not unknown, f"{name}.{ref.column} -> {ref.table}: {sorted(unknown)[:5]}"


def test_rows_are_sorted_by_key_and_the_log_by_time(t):
    for name in ("persons", "employees", "vehicles", "addresses", "cases", "relations", "shifts"):
        key = list(TABLES[name].key)
        frame = t[name][key].fillna("")
        assert frame.equals(frame.sort_values(key, kind="stable").reset_index(drop=True)), name
    log = t["access_log"]
    assert log["ts"].is_monotonic_increasing
    assert log["access_id"].is_monotonic_increasing


def test_periods_are_in_order(t):
    for name, (a, b) in {
        "shifts": ("start_ts", "end_ts"),
        "cases": ("opened_on", "closed_on"),
        "case_assignments": ("start_date", "end_date"),
        "employees": ("start_date", "end_date"),
    }.items():
        frame = t[name].dropna(subset=[a, b])
        assert (frame[a] <= frame[b]).all(), name


def test_the_validator_accepts_csv_and_parquet(tiny, tmp_path):
    ingest = pytest.importorskip("graphrisk.ingest")
    out, counts = tiny
    ds = ingest.read_dataset(out, include_evaluation=True)
    assert ds.row_counts() == counts
    generate(tmp_path, preset="tiny", seed=SEED, fmt="parquet")
    assert ingest.read_dataset(tmp_path, include_evaluation=True).row_counts() == counts


def test_the_area_hierarchy_has_the_ten_regional_units(t):
    areas = t["areas"]
    regions = areas[areas["parent_area_id"] == "NL"]
    assert len(regions) == 10
    assert "Regio Zeeland-West-Brabant" in set(regions["name"])
    units = t["units"]
    assert set(units.loc[units["parent_unit_id"].isna(), "area_id"]) == {"NL"} | set(regions["area_id"])


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "huge"}, "unknown preset 'huge'"),
        ({"fmt": "xlsx"}, "unknown format 'xlsx'"),
        ({"days": 0}, "days must be at least 1"),
        ({"prevalence": 0.9}, "prevalence must be between 0 and 0.5"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, message):
    with pytest.raises(UsageError, match=message):
        generate(tmp_path, **{"preset": "tiny", **kwargs})


def test_prevalence_zero_plants_no_insiders_and_more_gives_more(tmp_path):
    generate(tmp_path / "none", preset="tiny", seed=SEED, prevalence=0)
    truth = pd.read_csv(tmp_path / "none" / "ground_truth.csv")
    assert not truth["label"].str.startswith("insider:").any()
    generate(tmp_path / "many", preset="tiny", seed=SEED, prevalence=0.1)
    truth = pd.read_csv(tmp_path / "many" / "ground_truth.csv")
    employees = pd.read_csv(tmp_path / "many" / "employees.csv")
    insiders = truth.loc[truth["label"].str.startswith("insider:"), "employee_id"].nunique()
    assert insiders >= 0.08 * len(employees)


def test_days_sets_the_length_of_the_log(tmp_path):
    generate(tmp_path, preset="tiny", seed=SEED, days=2)
    log = pd.read_csv(tmp_path / "access_log.csv", usecols=["ts"])
    ts = pd.to_datetime(log["ts"])
    assert ts.min() >= pd.Timestamp("2026-03-01T23:00:00Z")
    assert ts.max() < pd.Timestamp("2026-03-03T23:00:00Z")


def test_the_presets_grow():
    sizes = [(p.employees, p.persons) for p in PRESETS.values()]
    assert sizes == sorted(sizes)
    assert PRESETS["national"].employees == 65_000


# --- ground truth and behaviour -----------------------------------------------------------------


def test_ground_truth_holds_every_scenario_and_look_alike_group(t):
    labels = set(t["ground_truth"]["label"])
    assert {f"insider:{s}" for s in SCENARIOS} <= labels
    assert {f"lookalike:{g}" for g in LOOKALIKES} <= labels
    assert all(re.match(r"^(insider|lookalike):[a-z-]+$", label) for label in labels)


def test_curious_family_insiders_look_up_their_own_network_without_a_case(w):
    for e in w.labelled("insider:curious-family"):
        hits = w.log[(w.log.employee_id == e) & w.log.person.isin(w.network(e)) & ~w.log.justified]
        assert hits["person"].nunique() >= 1 and len(hits) >= 2, e


def test_criminal_relative_insiders_look_up_their_relatives_organisation(w):
    for e in w.labelled("insider:criminal-relative"):
        orgs = w.relative_organisations(e)
        assert orgs, e
        close = set().union(*(w.org_persons(o) for o in orgs))
        hits = w.log[
            (w.log.employee_id == e) & (w.log.person.isin(close) | w.log.target_id.isin(w.cases_of(orgs)))
        ]
        assert len(hits) >= 2, e


def test_pre_raid_leakers_look_up_subjects_before_a_raid_on_a_case_they_are_not_on(w):
    for e in w.labelled("insider:pre-raid-leak"):
        assert w.pre_action_lookups(e, need_to_know=False) >= 1, e


def test_colleague_ex_vip_insiders_look_up_colleagues_exes_or_vips(w):
    for e in w.labelled("insider:colleague-ex-vip"):
        mine = w.log[w.log.employee_id == e]
        own = w.person_of[e]
        colleagues = mine.person.isin(w.employee_persons - {own})
        vips = mine.person.isin(w.vips)
        exes = mine.person.isin(w.exes(own))
        assert (colleagues | vips | exes).sum() >= 1, e


def test_bulk_browsers_browse_persons_outside_their_territory_off_shift(w):
    for e in w.labelled("insider:bulk-browsing"):
        mine = w.log[(w.log.employee_id == e) & (w.log.target_type == "person")]
        assert (mine.off_shift & mine.outside).sum() >= 15, e


def test_low_and_slow_insiders_look_up_open_cases_they_have_no_need_to_know(w):
    for e in w.labelled("insider:low-and-slow"):
        assert w.no_need_to_know_lookups(e) >= 1, e
        members = set().union(*(w.org_persons(o) for o in w.organisations))
        assert w.network(e) & members, e


def test_honest_employees_look_up_during_their_shifts_or_a_little_overtime(w):
    honest = ~w.log.employee_id.isin(w.labelled_prefix("insider:"))
    assert honest.sum() > 1000
    off = w.log[honest & w.log.off_shift]
    assert len(off) < 0.02 * honest.sum()
    assert (off["overtime"] <= pd.Timedelta(minutes=45)).all()


def test_night_shift_workers_work_nights(w):
    shifts = w.t["shifts"]
    local = pd.to_datetime(shifts["start_ts"]).dt.tz_convert("Europe/Amsterdam").dt.hour
    night = shifts["employee_id"].isin(w.labelled("lookalike:night-shift"))
    assert (local[night] >= 22).mean() > 0.9
    honest = set(w.labelled("lookalike:night-shift")) - w.labelled_prefix("insider:")
    lookups = w.log[w.log.employee_id.isin(honest)]
    hour = lookups.ts.dt.tz_convert("Europe/Amsterdam").dt.hour
    assert ((hour >= 22) | (hour < 8)).all()


def test_intake_desks_look_up_far_more_than_team_leaders(w):
    per_employee = w.log.groupby("employee_id").size().reindex(w.t["employees"]["employee_id"], fill_value=0)
    role = w.t["employees"].set_index("employee_id")["role"]
    assert per_employee[role == "intake"].mean() > 4 * per_employee[role == "leadership"].mean()


def test_national_unit_staff_look_up_persons_all_over_the_country(w):
    regions = w.log.assign(region=w.log.person.map(w.region_of)).groupby("employee_id")["region"].nunique()
    national = regions.reindex(w.labelled("lookalike:national-unit")).dropna()
    basis = regions.reindex(w.basisteam_staff).dropna()
    assert national.mean() > 2 * basis.mean()
    assert not w.log[w.log.employee_id.isin(national.index)].outside.any()


def test_assigned_investigators_prepare_raids_with_the_case_given(w):
    found = [
        e for e in w.labelled("lookalike:assigned-investigator") if w.pre_action_lookups(e, need_to_know=True)
    ]
    assert found


def test_large_families_have_large_networks(w):
    sizes = {e: len(w.network(e)) for e in w.t["employees"]["employee_id"]}
    large = [sizes[e] for e in w.labelled("lookalike:large-family")]
    assert min(large) > np.median(list(sizes.values()))


def test_clean_criminal_relatives_are_tied_to_a_member(w):
    for e in w.labelled("lookalike:criminal-relative-clean"):
        assert w.relative_organisations(e), e
        assert e not in w.labelled_prefix("insider:")


def test_border_residents_live_next_to_their_territory(w):
    for e in w.labelled("lookalike:border-resident"):
        assert not w.inside(w.area_of_person[w.person_of[e]], w.unit_area[w.unit_of[e]]), e


def test_integrity_investigators_look_up_colleagues_for_their_case(w):
    for e in w.labelled("lookalike:integrity-investigator"):
        mine = w.log[(w.log.employee_id == e) & w.log.person.isin(w.employee_persons) & w.log.justified]
        assert len(mine) >= 1, e


def test_ids_say_nothing_about_households(t):
    rel = t["relations"]
    partners = rel[(rel["kind"] == "partner") & (rel["source"] == "BRP")]
    gap = (partners["person_id"].str[1:].astype(int) - partners["other_person_id"].str[1:].astype(int)).abs()
    assert gap.median() > 100


# --- realism profiles ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def realistic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("realistic")
    generate(out, preset="tiny", seed=SEED, profile="realistic", days=30)  # summer time on 29 March
    return out


@pytest.fixture(scope="module")
def rw(realistic) -> _World:
    return _World(
        {
            name: pd.read_csv(realistic / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
            for name in TABLES
        }
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_passes_graphrisk_load(tmp_path, profile):
    from click.testing import CliRunner

    from graphrisk.cli import main

    out = tmp_path / "data"
    made = CliRunner().invoke(
        main, ["generate", str(out), "--preset", "tiny", "--seed", "5", "--profile", profile, "-q"]
    )
    assert made.exit_code == 0, made.output
    loaded = CliRunner().invoke(main, ["load", str(out), "--store", str(tmp_path / "store"), "--json"])
    assert loaded.exit_code == 0, loaded.output
    info = json.loads((out / "generator.json").read_text())
    if profile == "baseline":
        assert "profile" not in info  # keeps baseline files byte-identical to earlier versions
    else:
        assert info["profile"] == profile
        assert info["noise"] == noise_for(profile, 5).knobs()


def test_the_baseline_profile_is_the_default(tiny, tmp_path):
    out, _ = tiny
    generate(tmp_path, preset="tiny", seed=SEED, profile="baseline")
    assert _digests(tmp_path) == _digests(out)


@pytest.mark.parametrize("profile", ["realistic", "random"])
def test_a_profile_and_seed_give_byte_identical_files(tmp_path, profile):
    generate(tmp_path / "a", preset="tiny", seed=SEED, profile=profile, days=5)
    generate(tmp_path / "b", preset="tiny", seed=SEED, profile=profile, days=5)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


@pytest.mark.parametrize(("seed", "days"), [(9, 2), (12, 1)])
def test_short_logs_work_in_every_noisy_profile(tmp_path, seed, days):
    for profile in ("random", "harsh"):
        counts = generate(tmp_path / profile, preset="tiny", seed=seed, profile=profile, days=days)
        assert counts["access_log"] > 0


def test_profiles_set_their_knobs_within_the_ranges():
    from dataclasses import fields

    from graphrisk.generate.profiles import Noise

    base, real, harsh = noise_for("baseline", 1), noise_for("realistic", 1), noise_for("harsh", 1)
    a, b = noise_for("random", 1), noise_for("random", 2)
    assert not base.enabled and real.enabled
    assert a.knobs() != b.knobs()
    assert a.knobs() == noise_for("random", 1).knobs()
    assert real.knobs() == noise_for("realistic", 99).knobs()
    for f in fields(Noise):
        if "range" not in f.metadata:
            continue
        lo, hi = f.metadata["range"]
        for noise in (real, harsh, a, b):
            assert lo <= getattr(noise, f.name) <= hi, f.name
        assert getattr(real, f.name) < getattr(harsh, f.name), f.name


def test_an_unknown_profile_is_refused(tmp_path):
    with pytest.raises(UsageError, match="unknown profile 'nice'"):
        generate(tmp_path, preset="tiny", profile="nice")


def test_the_realistic_profile_holds_every_scenario_and_new_look_alike_group(rw):
    labels = set(rw.truth["label"])
    assert {f"insider:{s}" for s in SCENARIOS} <= labels
    assert {f"lookalike:{g}" for g in NOISE_LOOKALIKES} <= labels


def test_deployment_days_are_a_day_of_look_ups_outside_the_territory_without_a_shift(rw):
    log = rw.log[rw.log.employee_id.isin(rw.labelled("lookalike:deployed-elsewhere"))]
    day = log.ts.dt.tz_convert("Europe/Amsterdam").dt.date
    away = log[log.outside & log.off_shift].groupby([log.employee_id, day]).size()
    assert (away >= 15).any()


def test_operation_support_comes_from_officers_not_on_the_case(rw):
    found = 0
    for e in rw.labelled("lookalike:operation-support"):
        mine = rw.log[(rw.log.employee_id == e) & rw.log.case_id.notna()]
        found += sum((c, e) not in rw.assigned for c in mine.case_id)
    assert found > 0


def test_assignment_lists_are_incomplete_and_some_start_late(rw, t):
    assert len(rw.t["case_assignments"]) < len(t["case_assignments"]) or len(rw.assigned) < len(
        set(zip(t["case_assignments"].case_id, t["case_assignments"].employee_id, strict=True))
    )
    starts = rw.t["case_assignments"]["start_date"]
    assert (starts > "2026-03-02").any()


def test_chance_hits_of_the_own_network_happen_on_shift(rw):
    honest = set(rw.t["employees"]["employee_id"]) - rw.labelled_prefix("insider:")
    hits = sum(
        int(
            (rw.log[(rw.log.employee_id == e) & ~rw.log.off_shift].person.isin(rw.adj[rw.person_of[e]])).sum()
        )
        for e in sorted(honest)[:120]
    )
    assert hits >= 20


def test_staff_are_victims_and_witnesses_and_colleagues_look_them_up(rw):
    subjects = rw.t["case_subjects"]
    staff = subjects[subjects.person_id.isin(rw.employee_persons) & subjects.role.isin(("victim", "witness"))]
    local = staff.case_id.map(lambda c: "Integriteit" not in rw.t["cases"].set_index("case_id").name[c])
    assert local.any() or rw.labelled("lookalike:staff-victim")


def test_duplicate_lines_repeat_a_look_up_seconds_apart(rw):
    log = rw.log.sort_values(["employee_id", "ts"])
    same = (log.employee_id == log.employee_id.shift()) & (log.target_id == log.target_id.shift())
    close = (log.ts - log.ts.shift()) <= pd.Timedelta(seconds=5)
    assert (same & close).sum() > 0.01 * len(log)


def test_movers_and_vehicles_registered_elsewhere(rw):
    vehicles = rw.t["vehicles"].merge(
        rw.t["persons"][["person_id", "area_id"]], left_on="owner_person_id", right_on="person_id"
    )
    assert (vehicles.area_id_x != vehicles.area_id_y).any()


def test_shifts_stay_in_local_time_across_summer_time_with_a_few_recorded_an_hour_off(rw, t):
    def hours(frame):
        local = pd.to_datetime(frame["start_ts"]).dt.tz_convert("Europe/Amsterdam")
        return local.dt.hour * 60 + local.dt.minute

    rostered = {7 * 60, 15 * 60, 23 * 60, 8 * 60, 14 * 60, 22 * 60 + 45}
    base = t["shifts"]
    assert hours(base).isin(rostered | set(range(7 * 60, 10 * 60, 15))).mean() > 0.85
    real = rw.t["shifts"]
    near = pd.to_datetime(real["start_ts"]).between(
        pd.Timestamp("2026-03-25T00:00Z"), pd.Timestamp("2026-04-02T00:00Z")
    )
    odd = ~hours(real).isin(rostered | set(range(7 * 60, 10 * 60, 15)))
    assert (odd & near).any()


def test_large_families_get_chance_hits_by_family_size_and_insiders_are_not_drawn_by_surname(rw):
    large = rw.labelled("lookalike:large-family")
    hits = [int((rw.log[rw.log.employee_id == e].person.isin(rw.adj[rw.person_of[e]])).sum()) for e in large]
    assert sum(hits) > 0


def test_the_varied_insiders_still_do_what_their_scenario_says(rw):
    for e in rw.labelled("insider:curious-family"):
        hits = rw.log[(rw.log.employee_id == e) & rw.log.person.isin(rw.network(e))]
        assert len(hits) >= 2, e
    for e in rw.labelled("insider:pre-raid-leak"):
        assert rw.pre_action_lookups(e, need_to_know=False) >= 1, e
    for e in rw.labelled("insider:low-and-slow"):
        assert rw.no_need_to_know_lookups(e) >= 1, e
    for e in rw.labelled("insider:bulk-browsing"):
        assert (rw.log.employee_id == e).sum() >= 15, e


# --- helpers ------------------------------------------------------------------------------------


def test_the_knob_table_in_the_docs_is_current():
    from graphrisk.generate.profiles import knob_table

    text = (Path(__file__).parents[1] / "docs" / "datasets.md").read_text(encoding="utf-8")
    assert knob_table() in text, "docs/datasets.md: run python -m graphrisk.generate.profiles"


_ORG_CHANGES = ("transferred", "absence", "unrostered", "sparse-roster", "functional-admin", "info-request")


def test_the_organisation_changes_are_off_in_the_baseline(t):
    assert not set(t["ground_truth"]["label"]) & {f"lookalike:{g}" for g in _ORG_CHANGES}
    base = noise_for("baseline", 1)
    for knob in ("transfers", "absence", "unrostered_units", "sparse_rosters", "admin_staff", "clock_local"):
        assert getattr(base, knob) == 0, knob


def test_transferred_staff_work_in_the_old_units_territory_before_the_move(rw):
    log = rw.log[rw.log.employee_id.isin(rw.labelled("lookalike:transferred"))]
    assert log.employee_id.nunique() >= 3
    day = (log.ts - log.ts.min()).dt.days
    early = log[day < 2]  # the move is on the log's third day or later
    late = log[day >= day.max() - 1]  # ... and before its last day
    # each employee counts once: one busy desk officer deployed elsewhere on the last days would
    # otherwise outweigh the others (the realism profiles hold many reasons to look outside)
    early_share = early.groupby("employee_id").outside.mean().mean()
    late_share = late.groupby("employee_id").outside.mean().mean()
    assert early_share > 0.5
    assert early_share > late_share + 0.3
    # some keep a listed assignment to an old case, ending before the move, inside the log
    a = rw.t["case_assignments"]
    mine = a[a.employee_id.isin(rw.labelled("lookalike:transferred"))]
    ended = pd.to_datetime(mine.end_date)
    assert ended.between(pd.Timestamp("2026-03-03"), pd.Timestamp("2026-03-31")).any()


def test_unrostered_units_have_no_shift_rows_while_their_staff_work(rw):
    staff = set(rw.labelled("lookalike:unrostered"))
    active = set(rw.log.employee_id)
    rostered = set(rw.t["shifts"].employee_id)
    units = defaultdict(set)
    for e in staff:
        units[rw.unit_of[e]].add(e)
    whole = [u for u, es in units.items() if (es & active) and not (es & rostered)]
    assert whole, "no unit without any shift rows"
    assert not (staff & active) <= rostered


def test_sparse_rosters_leave_work_without_shifts(rw):
    sparse = rw.labelled("lookalike:sparse-roster")
    log = rw.log[rw.log.employee_id.isin(sparse)]
    others = rw.log[~rw.log.employee_id.isin(sparse + rw.labelled("lookalike:unrostered"))]
    assert log.off_shift.mean() > 2 * others.off_shift.mean()


def test_absent_staff_have_weeks_without_look_ups_or_shifts_then_catch_up(rw):
    start, end = pd.Timestamp("2026-03-01T23:00Z"), pd.Timestamp("2026-03-31T22:00Z")

    def longest_gap(e):
        times = pd.concat(
            [
                rw.log.ts[rw.log.employee_id == e],
                pd.to_datetime(rw.t["shifts"].start_ts[rw.t["shifts"].employee_id == e]),
                pd.Series([start, end]),
            ]
        ).sort_values()
        return times.diff().max()

    away = [e for e in rw.labelled("lookalike:absence") if (rw.log.employee_id == e).any()]
    labelled = set(rw.truth.employee_id)
    others = [e for e in sorted(set(rw.log.employee_id) - labelled)][:60]
    six = pd.Timedelta(days=6)
    share_away = np.mean([longest_gap(e) >= six for e in away])
    share_others = np.mean([longest_gap(e) >= six for e in others])
    assert share_away > 0.5
    assert share_away > 2 * share_others


def test_functional_administrators_look_at_many_persons_country_wide_without_a_case(rw):
    admins = rw.labelled("lookalike:functional-admin")
    assert admins
    for e in admins:
        mine = rw.log[(rw.log.employee_id == e) & (rw.log.target_type == "person")]
        assert mine.target_id.nunique() >= 50, e
        assert mine.case_id.isna().mean() > 0.8, e  # they may have cases of their own too
        assert len({rw.region_of[p] for p in mine.target_id}) >= 5, e
    every = rw.log[rw.log.employee_id.isin(admins)]
    assert (every.action == "export").any()


def test_information_requests_look_up_persons_anywhere_without_a_case(rw):
    analysts = rw.labelled("lookalike:info-request")
    log = rw.log[rw.log.employee_id.isin(analysts)]
    assert (log.outside & log.case_id.isna()).sum() >= len(analysts)


def test_one_system_writes_local_time_and_another_runs_ahead():
    from graphrisk.generate._common import utc_to_local
    from graphrisk.generate.activity import Events
    from graphrisk.generate.noise import Clocks, skew_clocks

    ts = np.array([1_772_400_000 + i * 36_000 for i in range(80)], dtype=np.int64)
    system = np.arange(80) % 4
    zero = np.zeros(80, dtype=np.int64)
    ev = Events(
        emp=zero, ts=ts, system=system, target_type=zero, target=zero, action=zero, case=zero, limit=ts
    )
    c = Clocks(
        local_system=1, local_from=int(ts[40]), drift_system=3, drift=600.0, start=int(ts[0]), end=int(ts[-1])
    )
    out = skew_clocks(ev, c).ts
    moved = out - ts
    assert (
        moved[(system == 1) & (ts >= ts[40])] == (utc_to_local(ts) - ts)[(system == 1) & (ts >= ts[40])]
    ).all()
    assert set((utc_to_local(ts) - ts).tolist()) <= {3600, 7200}
    assert (moved[(system == 1) & (ts < ts[40])] == 0).all()
    assert (moved[(system == 0) | (system == 2)] == 0).all()
    drift = moved[system == 3]
    assert (np.diff(drift) >= 0).all() and 0 <= drift[0] < 30 and 500 < drift[-1] <= 600


class _World:
    """The tiny data set with what the behaviour tests need worked out."""

    def __init__(self, t: dict[str, pd.DataFrame]) -> None:
        self.t = t
        self.truth = t["ground_truth"]
        emp = t["employees"].set_index("employee_id")
        self.person_of = emp["person_id"].to_dict()
        self.unit_of = emp["unit_id"].to_dict()
        self.employee_persons = set(emp["person_id"])
        units = t["units"].set_index("unit_id")
        self.unit_area = units["area_id"].to_dict()
        self.basisteam_staff = [e for e, u in self.unit_of.items() if "-BT" in u]
        self.parent = t["areas"].set_index("area_id")["parent_area_id"].to_dict()
        persons = t["persons"].set_index("person_id")
        self.area_of_person = persons["area_id"].to_dict()
        self.vips = set(persons.index[persons["flags"].fillna("").str.contains("vip")])
        self.region_of = {p: self._region(a) for p, a in self.area_of_person.items()}
        self.adj: dict[str, set[str]] = defaultdict(set)
        self.ties = t["relations"]
        for a, b in zip(self.ties["person_id"], self.ties["other_person_id"], strict=True):
            self.adj[a].add(b)
            self.adj[b].add(a)
        members = t["memberships"]
        self.organisations = sorted(set(members["organisation_id"]))
        self.members = members.groupby("organisation_id")["person_id"].apply(set).to_dict()
        subjects = t["case_subjects"]
        self.subjects = subjects.groupby("case_id")["person_id"].apply(set).to_dict()
        self.assigned = set(
            zip(t["case_assignments"]["case_id"], t["case_assignments"]["employee_id"], strict=True)
        )
        self.case_unit = t["cases"].set_index("case_id")["unit_id"].to_dict()
        self.case_open = t["cases"].set_index("case_id")["status"].eq("open").to_dict()

        log = t["access_log"].copy()
        log["ts"] = pd.to_datetime(log["ts"])
        owner = t["vehicles"].set_index("vehicle_id")["owner_person_id"]
        log["person"] = np.where(log.target_type == "person", log.target_id, log.target_id.map(owner))
        subj = set(zip(subjects["case_id"], subjects["person_id"], strict=True))
        log["justified"] = [
            isinstance(c, str) and (c, e) in self.assigned and (not isinstance(p, str) or (c, p) in subj)
            for c, e, p in zip(log.case_id, log.employee_id, log.person, strict=True)
        ]
        log["outside"] = [
            isinstance(p, str) and not self.inside(self.area_of_person[p], self.unit_area[self.unit_of[e]])
            for e, p in zip(log.employee_id, log.person, strict=True)
        ]
        shifts = t["shifts"].assign(
            start=lambda f: pd.to_datetime(f.start_ts), end=lambda f: pd.to_datetime(f.end_ts)
        )
        on = pd.Series(False, index=log.index)
        after = pd.Series(pd.Timedelta(0), index=log.index)
        for e, rows in log.groupby("employee_id"):
            s = shifts[shifts.employee_id == e]
            start, end = s["start"].to_numpy(), s["end"].to_numpy()
            ts = rows["ts"].to_numpy()
            if not len(s):  # an employee without any recorded shift (profiles: rosters missing)
                after[rows.index] = pd.Timedelta(days=1)
                continue
            i = np.searchsorted(start, ts, side="right") - 1
            on[rows.index] = (i >= 0) & (ts < end[np.maximum(i, 0)])
            after[rows.index] = np.where(i >= 0, ts - end[np.maximum(i, 0)], np.timedelta64(1, "D"))
        log["off_shift"] = ~on
        log["overtime"] = after
        self.log = log
        self.actions = t["case_actions"].assign(ts=lambda f: pd.to_datetime(f.ts))

    def _region(self, area: str) -> str:
        while self.parent.get(area) not in ("NL", None) and isinstance(self.parent.get(area), str):
            area = self.parent[area]
        return area

    def inside(self, area: str, territory: str) -> bool:
        while isinstance(area, str):
            if area == territory:
                return True
            area = self.parent.get(area)
        return False

    def labelled(self, label: str) -> list[str]:
        return sorted(self.truth.loc[self.truth["label"] == label, "employee_id"])

    def labelled_prefix(self, prefix: str) -> set[str]:
        return set(self.truth.loc[self.truth["label"].str.startswith(prefix), "employee_id"])

    def network(self, e: str) -> set[str]:
        p = self.person_of[e]
        out = set(self.adj[p])
        for q in self.adj[p]:
            out |= self.adj[q]
        out.discard(p)
        return out

    def exes(self, p: str) -> set[str]:
        ties = self.ties
        mine = ties[(ties["kind"] == "partner") & (ties["source"] == "BRP-historie")]
        exes = set(mine.loc[mine.person_id == p, "other_person_id"]) | set(
            mine.loc[mine.other_person_id == p, "person_id"]
        )
        return exes | {q for x in exes for q in self.adj[x]}

    def relative_organisations(self, e: str) -> list[str]:
        p = self.person_of[e]
        close = self.ties[self.ties["kind"].isin(("partner", "family"))]
        relatives = set(close.loc[close.person_id == p, "other_person_id"]) | set(
            close.loc[close.other_person_id == p, "person_id"]
        )
        return [o for o, ms in self.members.items() if ms & relatives]

    def org_persons(self, o: str) -> set[str]:
        out = set(self.members[o])
        for people in self.subjects.values():
            if people & self.members[o]:
                out |= people
        return out

    def cases_of(self, orgs: list[str]) -> set[str]:
        members = set().union(*(self.members[o] for o in orgs))
        return {c for c, people in self.subjects.items() if people & members}

    def pre_action_lookups(self, e: str, *, need_to_know: bool) -> int:
        """Look-ups by ``e`` of a case's subjects or file in the 72 hours before its action.

        With ``need_to_know`` only those where ``e`` is on the case and cites it; without,
        only those where ``e`` is neither on the case nor in its owning unit.
        """
        mine = self.log[self.log.employee_id == e]
        n = 0
        for c, ts in zip(self.actions.case_id, self.actions.ts, strict=True):
            window = mine[(mine.ts >= ts - pd.Timedelta(hours=72)) & (mine.ts < ts)]
            about = window.person.isin(self.subjects.get(c, set())) | (window.target_id == c)
            if need_to_know:
                n += int(((c, e) in self.assigned) and (about & (window.case_id == c)).sum())
            elif (c, e) not in self.assigned and self.case_unit[c] != self.unit_of[e]:
                n += int(about.sum())
        return n

    def no_need_to_know_lookups(self, e: str) -> int:
        mine = self.log[(self.log.employee_id == e) & self.log.person.notna()]
        n = 0
        for c, people in self.subjects.items():
            if self.case_open[c] and (c, e) not in self.assigned and self.case_unit[c] != self.unit_of[e]:
                n += int(mine.person.isin(people & set().union(*self.members.values())).sum())
        return n
