"""Scoring without the window's look-ups in pandas: the queries of sql/score/ on the embedded
store's DuckDB engine (graphrisk.scoring.lookups.SQLLookups) give the same finding weights,
behaviour features and scores as the pandas reference (FrameLookups), to the last bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import MICRO

from graphrisk.ingest import read_dataset
from graphrisk.rules import detect, engine_choice
from graphrisk.scoring import resolve_as_of, score
from graphrisk.scoring.context import day_targets
from graphrisk.scoring.inputs import read_inputs
from graphrisk.scoring.lookups import FrameLookups, SQLLookups
from graphrisk.scoring.model import ScoreParams, score_frames
from graphrisk.store import EmbeddedStore

FRAMES = ("weights", "values", "units", "points", "table")


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, EmbeddedStore]:
    from graphrisk.generate import generate

    root = tmp_path_factory.mktemp("lookups")
    generate(root / "tiny", preset="tiny", seed=2)
    out = {}
    for name, data in (("micro", MICRO), ("tiny", root / "tiny")):
        store = EmbeddedStore(root / f"{name}-store")
        store.load(read_dataset(data))
        store.close()
        out[name] = store
    return out


def _same(left, right) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), check_exact=True, obj=name)


@pytest.mark.parametrize("name", ["micro", "tiny"])
@pytest.mark.parametrize("days", [30, 2])
def test_sql_aggregates_and_the_pandas_reference_give_identical_weights_features_and_scores(
    stores, name, days
):
    store = stores[name]
    end = resolve_as_of(store)
    since = end - pd.Timedelta(days=days)
    params = ScoreParams(window=pd.Timedelta(days=days))
    findings = detect(store, since=since, until=end).findings
    inputs = read_inputs(store, since, end)
    reference = score_frames(inputs, findings, end, params)
    with store.window_lookups(since, end) as lookups:
        assert isinstance(lookups, SQLLookups)
        from_sql = score_frames(inputs, findings, end, params, lookups=lookups)
    _same(reference, from_sql)
    assert len(reference.weights) and reference.values.filter(like="behaviour:").to_numpy().sum() > 0


def test_score_reads_no_look_up_into_pandas_unless_the_pandas_engine_is_chosen(stores, monkeypatch):
    import graphrisk.scoring as scoring

    store = stores["tiny"]
    seen = {}
    real = scoring.read_inputs

    def spy(store, since, until, *, accesses=True):
        inputs = real(store, since, until, accesses=accesses)
        seen.setdefault("rows", []).append(len(inputs.accesses))
        return inputs

    monkeypatch.setattr(scoring, "read_inputs", spy)
    by_sql = score(store, stored=False)
    with engine_choice("pandas"):
        by_pandas = score(store, stored=False)
    assert seen["rows"][0] == 0 and seen["rows"][1] > 0
    _same(by_sql, by_pandas)


def test_every_question_gets_the_same_answer(stores):
    """Each question of the interface on its own, on the tiny window: the rows of the two answers."""
    store = stores["tiny"]
    end = resolve_as_of(store)
    since = end - pd.Timedelta(days=30)
    log = read_inputs(store, since, end).accesses
    reference = FrameLookups(log)
    sample = log.sample(200, random_state=1)
    ids = np.concatenate([sample["access_id"].to_numpy(dtype=object), np.array(["nowhere"], dtype=object)])
    emp = store.table("employees")[["employee_id", "unit_id"]]
    with store.window_lookups(since, end) as sql:
        for mine, theirs in zip(reference.attributes(ids), sql.attributes(ids), strict=True):
            assert mine.tolist() == theirs.tolist()
        assert reference.colleagues(sample, emp).tolist() == sql.colleagues(sample, emp).tolist()
        for minutes in (0, 5, 30):  # 0: only look-ups at the very same moment keep company
            alone = reference.alone(ids, minutes)
            assert alone.tolist() == sql.alone(ids, minutes).tolist()
            assert 0 < alone.sum() < len(ids) - 1 or minutes == 0
        pd.testing.assert_frame_equal(reference.export_days(), sql.export_days(), check_exact=True)
        probe = pd.DataFrame(
            {"employee_id": sample["employee_id"].to_numpy(dtype=object),
             "t": pd.to_datetime(sample["ts"], utc=True).astype("int64").to_numpy(),
             "target": ("person:" + sample["target_id"].astype(object)).to_numpy()}
        )  # fmt: skip
        flagged = sample["access_id"].to_numpy(dtype=object)[:50]
        assert (
            reference.routine(probe, flagged, 60, 3).tolist() == sql.routine(probe, flagged, 60, 3).tolist()
        )
        days = pd.DataFrame({"employee_id": sample["employee_id"].to_numpy(dtype=object),
                             "day": pd.to_datetime(sample["ts"], utc=True).dt.floor("D")})  # fmt: skip
        # the reference shapes every day of those employees, the SQL only the days asked about
        key = pd.MultiIndex.from_arrays([days["employee_id"], days["day"].dt.tz_localize(None).to_numpy()])
        mine, theirs = reference.shift_days(days, flagged, 5, 2), sql.shift_days(days, flagged, 5, 2)
        for m, t in zip(mine, theirs, strict=True):
            assert key.isin(m).tolist() == key.isin(t).tolist()
        assert key.isin(mine[0]).any()
        pd.testing.assert_frame_equal(reference.workload(flagged), sql.workload(flagged))
        pd.testing.assert_frame_equal(reference.workload([]), sql.workload([]))
        load = reference.workload(flagged).merge(reference.workload([]), on="employee_id")
        assert (load["target_days_x"] <= load["target_days_y"]).all() and (
            load["days_x"] <= load["days_y"]
        ).all()
        # a day's shape measured on each employee's own days (context.day_targets): one need each
        own = day_targets(reference.workload(flagged))
        assert own.equals(day_targets(sql.workload(flagged))) and own.between(5, 20).all()
        mine, theirs = reference.shift_days(days, flagged, own, 2), sql.shift_days(days, flagged, own, 2)
        for m, t in zip(mine, theirs, strict=True):
            assert key.isin(m).tolist() == key.isin(t).tolist()


def test_findings_weighed_a_few_employees_at_a_time_give_the_scores_and_explanations_of_one_go(stores):
    """A month of national findings is weighed a part of the employees at a time: the same scores and
    explanations; only the top employees' weights are kept."""
    from graphrisk.scoring.explain import explain_all

    store = stores["tiny"]
    end = resolve_as_of(store)
    since = end - pd.Timedelta(days=30)
    params = ScoreParams(window=pd.Timedelta(days=30))
    findings = detect(store, since=since, until=end).findings
    inputs = read_inputs(store, since, end)
    whole = score_frames(inputs, findings, end, params)
    parts = score_frames(inputs, findings, end, params, part_findings=len(findings) // 5, keep_top=5)
    assert parts.parts >= 5 and parts.finding_count == len(findings)
    for name in FRAMES[1:]:
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(parts, name), check_exact=True, obj=name)
    assert explain_all(parts) == explain_all(whole)
    kept = set(whole.table.index[(whole.table["rank"] <= 5) | whole.table["alert"]])
    assert set(parts.weights["employee_id"]) <= kept and len(parts.weights)
    mine = whole.weights[whole.weights["employee_id"].isin(kept)].reset_index(drop=True)
    pd.testing.assert_frame_equal(parts.weights, mine, check_exact=True)


def test_an_employee_above_the_part_size_is_a_part_of_their_own(stores):
    store = stores["micro"]
    end = resolve_as_of(store)
    since = end - pd.Timedelta(days=30)
    params = ScoreParams(window=pd.Timedelta(days=30))
    findings = detect(store, since=since, until=end).findings
    one = findings[findings["employee_id"] == findings["employee_id"].value_counts().index[0]]
    inputs = read_inputs(store, since, end)
    whole = score_frames(inputs, one, end, params)
    alone = score_frames(inputs, one, end, params, part_findings=1)
    assert alone.parts >= 2 and alone.finding_count == len(one)
    _same(whole, alone)
