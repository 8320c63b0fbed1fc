"""Incremental nightly runs: ``load --append`` then ``detect --incremental`` then ``score`` equals a
from-scratch load of the union, full detection and score: the same findings (ids, evidence, detail)
and the same scores, on both stores. A backdated assignment re-detects only the days it touches;
the same night run twice changes nothing; a full load makes the next run detect everything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MICRO
from test_append import CUT, micro_changes, split

from graphrisk.cli import main
from graphrisk.contract import TABLES
from graphrisk.ingest import read_dataset
from graphrisk.rules import detect
from graphrisk.rules.engine import detect_days
from graphrisk.rules.incremental import covers, day_parts, detect_incremental
from graphrisk.scoring import score
from graphrisk.scoring.output import score_rows
from graphrisk.store import EmbeddedStore, append_batch
from graphrisk.store.findings_store import normalise_findings, stored_findings

#: off-shift judging employees without shifts by a short history: the micro world's E3 has none,
#: so every new look-up of E3 changes the findings of E3's earlier days
SHORT_HISTORY = {"off-shift": {"min_history": 2, "min_hour_share": 0.6}}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def embedded(path: Path, dataset: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    store.load(read_dataset(dataset))
    store.close()
    return store


def scratch(store, params=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Findings of a full detection and the scores of a score that detects (nothing stored used)."""
    findings = normalise_findings(detect(store, params=params).findings)
    rows = score_rows(score(store, rule_params=params, stored=False))
    return findings, rows


def incremental(store, params=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored findings of every day and the scores of a score that reads them."""
    assert covers(store, params), "the stored findings should cover every day after the run"
    result = score(store, rule_params=params)
    assert "stored_findings" in result.seconds and "detect" not in result.seconds
    return stored_findings(store).read(None, None), score_rows(result)


def assert_same(left: tuple, right: tuple, *, exact: bool = True) -> None:
    """Same findings and scores; across stores (``exact`` False) a time's unit may differ (as_of)."""
    pd.testing.assert_frame_equal(left[0], right[0], obj="findings")
    pd.testing.assert_frame_equal(left[1], right[1], obj="scores", check_dtype=exact)


def nightly(store, batch: Path, params=None):
    """The nightly job on ``store``: append ``batch``, detect incrementally."""
    assert append_batch(store, batch).written
    _reopen(store)
    result = detect_incremental(store, params=params)
    _reopen(store)
    return result


def _reopen(store) -> None:
    """Let an embedded store object read the newest version next (a Neo4j store always does)."""
    if store.kind == "embedded":
        store.close()


# -- the micro world, embedded ----------------------------------------------------------------------


def test_micro_incremental_equals_from_scratch(tmp_path):
    """A closed case, a backdated assignment, a changed relation and two new days of look-ups."""
    base, batch, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    store = embedded(tmp_path / "inc", base)
    first = detect_incremental(store)
    assert first.plan.everything and first.plan.reason == "no stored findings yet"
    store.close()
    night = nightly(store, batch)
    assert not night.plan.everything
    record = store.load_batches().iloc[0]
    assert night.plan.days == sorted(set(record["lookup_days"]) | set(record["redetect_days"]))
    assert_same(incremental(store), scratch(embedded(tmp_path / "union-store", union)))


def test_the_duckdb_engine_reads_the_look_ups_an_append_added(tmp_path):
    """An appended table is its first file plus part files (the manifest's ``files``): DuckDB once
    read only the first, and missed every appended look-up."""
    base, batch, _ = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    store = embedded(tmp_path / "s", base)
    assert append_batch(store, batch).written
    store.close()
    duck = normalise_findings(detect(store, engine="duckdb").findings)
    assert {"X4", "X5", "X6"} <= {a for ids in duck["access_ids"] for a in ids}
    pd.testing.assert_frame_equal(duck, normalise_findings(detect(store, engine="pandas").findings))


def test_micro_off_shift_history_is_refreshed_on_earlier_days(tmp_path):
    """E3 has no shifts: judged by the hours of all of E3's look-ups, a new day of them changes
    E3's off-shift findings on days no batch names. The last day is appended, with two evening
    look-ups of E3, which make E3's two morning look-ups of 2026-03-04 rare."""
    base, batch, union = split(MICRO, tmp_path, "2026-03-05")
    evening = (
        "X7,2026-03-05T20:10:00+00:00,E3,BRP,person,P4,view,\n"
        "X8,2026-03-05T21:10:00+00:00,E3,BRP,person,P5,view,\n"
    )
    for folder in (batch, union):
        (folder / "access_log.csv").write_text((folder / "access_log.csv").read_text() + evening)
    store = embedded(tmp_path / "inc", base)
    detect_incremental(store, params=SHORT_HISTORY)
    store.close()
    night = nightly(store, batch, params=SHORT_HISTORY)
    assert night.plan.days == ["2026-03-05"]
    expected = scratch(embedded(tmp_path / "union-store", union), SHORT_HISTORY)
    assert_same(incremental(store, SHORT_HISTORY), expected)
    off_shift = expected[0][expected[0]["rule_id"] == "off-shift"]
    assert "2026-03-04" in set(off_shift["ts"].dt.strftime("%Y-%m-%d"))  # E3's earlier day is judged anew
    assert night.refreshed_days == ["2026-03-04"]


def test_the_same_night_twice_changes_nothing(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    store = embedded(tmp_path / "inc", base)
    detect_incremental(store)
    store.close()
    nightly(store, batch)
    folder = tmp_path / "inc" / "findings"
    before = {p.name: (p.stat().st_ino, p.read_bytes()) for p in folder.iterdir()}
    assert not append_batch(store, batch).written  # the batch again: nothing appended
    store.close()
    again = detect_incremental(store)
    assert again.plan.empty and again.plan.reason == "nothing appended since the findings were detected"
    assert {p.name: (p.stat().st_ino, p.read_bytes()) for p in folder.iterdir()} == before


def test_score_detects_when_the_stored_findings_do_not_cover(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    store = embedded(tmp_path / "inc", base)
    assert not covers(store)  # nothing stored yet
    assert "detect" in score(store).seconds
    detect_incremental(store)
    store.close()
    assert append_batch(store, batch).written
    store.close()
    assert not covers(store)  # a batch not yet detected
    assert "detect" in score(store).seconds
    assert not covers(store, {"off-shift": {"min_history": 3}})  # other parameters than stored


def test_a_full_load_makes_the_next_run_detect_everything(tmp_path):
    base, _, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    store = embedded(tmp_path / "inc", base)
    detect_incremental(store)
    store.close()
    store.load(read_dataset(union))  # a whole data set: no batch record says what it changed
    store.close()
    assert not covers(store)
    again = detect_incremental(store)
    assert again.plan.everything and "loaded whole" in again.plan.reason
    store.close()
    assert list((tmp_path / "inc" / "findings").glob("stale-*")) == []
    assert_same(incremental(store), scratch(embedded(tmp_path / "union-store", union)))


def test_cli_detect_incremental_then_score_from_the_store(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    s = tmp_path / "s"
    assert run("load", base, "--store", s, "-q").exit_code == 0
    first = json.loads(run("detect", "--incremental", "--store", s, "--json").stdout)
    assert first["everything"] is True and first["stored_days"] == 2
    assert run("load", "--append", batch, "--store", s, "-q").exit_code == 0
    night = run("detect", "--incremental", "--store", s)
    assert night.exit_code == 0, night.output
    assert "Detected 4 day(s), 2026-03-02 to 2026-03-05 (1 batch(es) appended" in night.stdout
    scored = json.loads(run("score", "--store", s, "--json", "--top", "1").stdout)
    assert scored["findings_from"] == "store"
    fresh = json.loads(run("score", "--store", s, "--json", "--top", "1", "--detect").stdout)
    assert fresh["findings_from"] == "detection"
    assert fresh["top"] == scored["top"]
    refused = run("detect", "--incremental", "--rules", "off-shift", "--store", s)
    assert refused.exit_code == 2
    assert "leave out --rules" in refused.stderr


# -- generated presets, embedded ----------------------------------------------------------------------


def _preset(root: Path, preset: str, days: int, seed: int, *, changes: bool):
    """A preset split into its first days and its last; with ``changes``, the batch also closes an
    open case on its day and backdates an assignment to the first day."""
    from graphrisk.generate import generate

    generate(root / "full", preset=preset, seed=seed, days=days)
    log = pd.read_csv(root / "full" / "access_log.csv", dtype=str)
    stamps = pd.to_datetime(log["ts"], utc=True, format="ISO8601").dt.strftime("%Y-%m-%d")
    first, last = stamps.min(), stamps.max()
    tables = {}
    if changes:
        cases = pd.read_csv(root / "full" / "cases.csv", dtype=str, keep_default_na=False)
        tables["cases"] = cases[cases["status"] == "open"].head(1).assign(status="closed", closed_on=last)
        assignments = pd.read_csv(root / "full" / "case_assignments.csv", dtype=str, keep_default_na=False)
        tables["case_assignments"] = assignments.head(1).assign(start_date=first, end_date="", role="support")
    return split(root / "full", root, last, batch_tables=tables)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    # three days: the backdated assignment below needs a finding after the second; Neo4j loads it twice
    return _preset(tmp_path_factory.mktemp("tiny"), "tiny", 3, 3, changes=True)


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_tiny_last_day_appended_equals_from_scratch(tiny, tmp_path, engine, monkeypatch):
    monkeypatch.setenv("GRAPHRISK_ENGINE", engine)
    base, batch, union = tiny
    store = embedded(tmp_path / "inc", base)
    detect_incremental(store)
    store.close()
    night = nightly(store, batch)
    assert night.plan.days and not night.plan.everything
    assert_same(incremental(store), scratch(embedded(tmp_path / "union-store", union)))


def test_small_last_day_appended_equals_from_scratch(tmp_path):
    base, batch, union = _preset(tmp_path / "small", "small", 4, 5, changes=False)
    store = embedded(tmp_path / "inc", base)
    detect_incremental(store)
    store.close()
    night = nightly(store, batch)
    assert len(night.plan.days) == 1  # only look-ups: only their day
    assert_same(incremental(store), scratch(embedded(tmp_path / "union-store", union)))


def test_a_from_scratch_run_detects_and_stores_a_part_of_the_days_at_a_time(tiny, tmp_path):
    """A month of national log cannot be detected in one go (75 million findings): a from-scratch
    run detects parts of at most ``part_lookups`` look-ups (here about a day each) and stores each
    part's days as it goes, keeping no findings unless asked to. The same findings as one go, and
    the same counts, per rule and per employee, as a full detection."""
    _, _, union = tiny
    store = embedded(tmp_path / "parts", union)
    per_day = store.lookups_per_day()
    most = max(per_day.values())
    assert len(day_parts(per_day, most)) >= 3
    result = detect_incremental(store, keep_findings=False, part_lookups=most)
    assert result.plan.everything and result.stored_days == len(per_day)
    assert result.detected.findings.empty  # nothing held
    expected = scratch(embedded(tmp_path / "whole", union))
    assert_same(incremental(store), expected)
    found = expected[0]
    assert result.detected.total == len(found)
    assert result.detected.employees() == sorted(found["employee_id"].unique())
    assert result.detected.employees_per_rule() == found.groupby("rule_id")["employee_id"].nunique().to_dict()
    kept = detect_incremental(store, everything=True, part_lookups=1)  # a part per day, findings kept
    assert_same(incremental(store), expected)
    pd.testing.assert_frame_equal(normalise_findings(kept.detected.findings), found)


def assert_weighed_in_parts(store, expected) -> None:
    """Scoring that weighs the stored findings a few employees at a time (as a national month is)
    gives the scores and explanations of one go; the result keeps the top employees' weights."""
    whole = score(store)
    stored = stored_findings(store)
    counts = stored.per_employee(None, None)
    everything = stored.read(None, None)
    pd.testing.assert_series_equal(
        counts, everything["employee_id"].value_counts().sort_index().rename("findings"), check_names=False
    )
    some = list(counts.index[::3])
    pd.testing.assert_frame_equal(
        stored.read(None, None, employees=some),
        everything[everything["employee_id"].isin(some)].reset_index(drop=True),
    )
    parts = score(store, part_findings=max(counts.max(), len(everything) // 4))
    assert parts.parts >= 4 and parts.summaries is not None and whole.summaries is None
    assert parts.finding_count == whole.finding_count == len(everything)
    pd.testing.assert_frame_equal(score_rows(parts), expected[1])
    kept = whole.weights[whole.weights["employee_id"].isin(parts.weights["employee_id"])]
    pd.testing.assert_frame_equal(parts.weights, kept.reset_index(drop=True))
    # the triage trend counts every finding of the window, not only the kept employees'
    trend = parts.trend.astype(object).sort_values("finding_id").reset_index(drop=True)
    every = everything[["finding_id", "employee_id", "rule_id", "ts"]].astype(object)
    pd.testing.assert_frame_equal(trend, every.sort_values("finding_id").reset_index(drop=True))


def test_scoring_weighs_the_stored_findings_a_part_of_the_employees_at_a_time(tiny, tmp_path):
    _, _, union = tiny
    store = embedded(tmp_path / "weigh", union)
    detect_incremental(store)
    assert_weighed_in_parts(store, scratch(embedded(tmp_path / "whole", union)))


def test_a_from_scratch_run_that_stops_half_way_leaves_the_stored_findings_as_they_were(
    tiny, tmp_path, monkeypatch
):
    """The parts are published once, after the last: a run stopped after its first part's days were
    written leaves the previous findings readable and trusted, and the next run detects everything."""
    _, _, union = tiny
    store = embedded(tmp_path / "stop", union)
    detect_incremental(store)
    before = stored_findings(store).read(None, None)
    state = stored_findings(store).state()
    calls = []

    def stop_after_first_part(*args, **kwargs):
        if calls:
            raise KeyboardInterrupt
        calls.append(args)
        return detect_days(*args, **kwargs)

    monkeypatch.setattr("graphrisk.rules.incremental.detect_days", stop_after_first_part)
    with pytest.raises(KeyboardInterrupt):
        detect_incremental(store, everything=True, part_lookups=1)
    monkeypatch.undo()
    assert stored_findings(store).state() == state
    pd.testing.assert_frame_equal(stored_findings(store).read(None, None), before)
    assert covers(store)
    assert detect_incremental(store, everything=True).plan.everything
    pd.testing.assert_frame_equal(stored_findings(store).read(None, None), before)


def test_a_backdated_assignment_re_detects_only_the_days_it_touches(tiny, tmp_path):
    """Everything is loaded; then a batch holding only one assignment, backdated into the log's
    second day, re-detects the days of that employee's and that case's look-ups from then on, not
    every day, and the findings become what a from-scratch run on the changed data finds."""
    _, _, union = tiny
    store = embedded(tmp_path / "inc", union)
    detect_incremental(store)
    store.close()
    before = stored_findings(store).read(None, None)
    log = store.table("access_log")
    days = sorted(set(pd.to_datetime(log["ts"], utc=True).dt.strftime("%Y-%m-%d")))
    # an employee who read an open case without need to know, after the first day, is assigned to it
    need = before[
        (before["rule_id"] == "open-case-no-need-to-know") & (before["ts"].dt.strftime("%Y-%m-%d") > days[1])
    ]
    employee, case = need.iloc[0]["employee_id"], need.iloc[0]["case_id"]
    batch = tmp_path / "batch"
    batch.mkdir()
    columns = TABLES["case_assignments"].column_names
    row = pd.DataFrame([[case, employee, "support", days[1], ""]], columns=columns)
    row.to_csv(batch / "case_assignments.csv", index=False)
    night = nightly(store, batch)
    assert not night.plan.everything
    assert night.plan.days and set(night.plan.days) <= set(days[1:])  # nothing before the start date
    changed = tmp_path / "changed"
    shutil.copytree(union, changed)
    old = pd.read_csv(changed / "case_assignments.csv", dtype=str, keep_default_na=False)
    pd.concat([old, row.astype(str)]).to_csv(changed / "case_assignments.csv", index=False)
    expected = scratch(embedded(tmp_path / "scratch", changed))
    after = incremental(store)
    assert_same(after, expected)
    assert need.iloc[0]["finding_id"] not in set(after[0]["finding_id"])  # the assignment justifies it now


# -- Neo4j ---------------------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_micro_incremental_equals_from_scratch_on_neo4j(neo4j_store, tmp_path):
    base, batch, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    neo4j_store.load(read_dataset(union))
    expected = scratch(neo4j_store, SHORT_HISTORY)
    neo4j_store.clear()
    neo4j_store.load(read_dataset(base))
    assert detect_incremental(neo4j_store, params=SHORT_HISTORY).plan.everything
    night = nightly(neo4j_store, batch, params=SHORT_HISTORY)
    assert not night.plan.everything
    assert_same(incremental(neo4j_store, SHORT_HISTORY), expected)
    same_on_embedded = embedded(tmp_path / "union-store", union)
    assert_same(expected, scratch(same_on_embedded, SHORT_HISTORY), exact=False)
    again = detect_incremental(neo4j_store, params=SHORT_HISTORY)
    assert again.plan.empty
    assert_same(incremental(neo4j_store, SHORT_HISTORY), expected)
    neo4j_store.load(read_dataset(union))  # a full load: the next run detects everything
    assert not covers(neo4j_store, SHORT_HISTORY)
    assert detect_incremental(neo4j_store, params=SHORT_HISTORY).plan.everything
    assert_same(incremental(neo4j_store, SHORT_HISTORY), expected)


@pytest.mark.neo4j
def test_tiny_last_day_appended_equals_from_scratch_on_neo4j(tiny, neo4j_store):
    base, batch, union = tiny
    neo4j_store.load(read_dataset(union))
    expected = scratch(neo4j_store)
    neo4j_store.clear()
    neo4j_store.load(read_dataset(base))
    detect_incremental(neo4j_store)
    night = nightly(neo4j_store, batch)
    assert night.plan.days and not night.plan.everything
    assert_same(incremental(neo4j_store), expected)


@pytest.mark.neo4j
def test_a_from_scratch_run_in_parts_on_neo4j(tiny, neo4j_store):
    """Neo4j marks every day ``writing`` and deletes the old findings first, writes each part's
    findings as it comes, and records the state after the last part."""
    _, _, union = tiny
    neo4j_store.load(read_dataset(union))
    expected = scratch(neo4j_store)
    result = detect_incremental(neo4j_store, keep_findings=False, part_lookups=1)
    assert result.plan.everything and result.detected.findings.empty
    assert result.detected.total == len(expected[0])
    assert result.stored_days == len(neo4j_store.lookups_per_day()) > 1
    assert_same(incremental(neo4j_store), expected)
    assert_weighed_in_parts(neo4j_store, expected)
