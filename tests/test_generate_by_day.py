"""The access log drawn and written day by day (graphrisk/generate/daily.py) against the whole window.

The whole-window path stays what the tests, the committed sample and the docs use (byte-identical
to earlier versions: tests/test_generate.py). The day path draws other random numbers for the
ordinary look-ups, so its log is another one of the same model: every other file is the same,
the planted look-ups are exactly the same, and the log is valid, sorted and deterministic.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from graphrisk.cli import main
from graphrisk.generate import PRESETS, build_world, generate
from graphrisk.generate.activity import Events
from graphrisk.ingest import read_dataset

SEED = 5


@pytest.fixture(scope="module", params=["baseline", "harsh"])
def both(request, tmp_path_factory):
    """The tiny preset written both ways, with one profile."""
    root = tmp_path_factory.mktemp(f"by-day-{request.param}")
    whole = generate(root / "whole", preset="tiny", seed=SEED, profile=request.param)
    daily = generate(root / "daily", preset="tiny", seed=SEED, profile=request.param, by_day=True)
    return root, whole, daily


def test_every_file_but_the_log_is_the_same(both):
    root, whole, daily = both
    names = sorted(p.name for p in (root / "whole").iterdir())
    assert names == sorted(p.name for p in (root / "daily").iterdir())
    differ = [n for n in names if (root / "whole" / n).read_bytes() != (root / "daily" / n).read_bytes()]
    assert differ == ["access_log.csv", "generator.json"]
    assert {k: v for k, v in whole.items() if k != "access_log"} == {
        k: v for k, v in daily.items() if k != "access_log"
    }
    manifest = json.loads((root / "daily" / "generator.json").read_text())
    assert manifest["access_log"] == "by-day"
    assert "access_log" not in json.loads((root / "whole" / "generator.json").read_text())


def test_the_day_log_is_a_valid_sorted_log_of_the_same_size(both):
    root, whole, daily = both
    dataset = read_dataset(root / "daily")  # the contract's every check: types, keys, references
    log = dataset["access_log"]
    assert len(log) == daily["access_log"]
    assert log["access_id"].is_unique
    assert log["access_id"].str.len().nunique() == 1  # fixed width
    assert log["ts"].is_monotonic_increasing
    # the same model: volume and its spread over the days close to the whole window's
    assert abs(daily["access_log"] - whole["access_log"]) < 0.15 * whole["access_log"]
    other = pd.read_csv(root / "whole" / "access_log.csv", usecols=["ts", "action"])
    days = log["ts"].dt.date.value_counts().sort_index()
    days_whole = pd.to_datetime(other["ts"], utc=True).dt.date.value_counts().sort_index()
    assert list(days.index) == list(days_whole.index)
    share = log["action"].value_counts(normalize=True)
    share_whole = other["action"].value_counts(normalize=True)
    assert share["search"] == pytest.approx(share_whole["search"], abs=0.03)


def test_the_day_log_is_deterministic(both, tmp_path):
    root, _, _ = both
    profile = json.loads((root / "whole" / "generator.json").read_text()).get("profile", "baseline")
    generate(tmp_path, preset="tiny", seed=SEED, profile=profile, by_day=True)
    assert (tmp_path / "access_log.csv").read_bytes() == (root / "daily" / "access_log.csv").read_bytes()


def test_the_planted_look_ups_are_exactly_the_whole_windows():
    # no ordinary work (activity 0) leaves only the planted scenarios and look-alikes: both paths
    # must give the very same look-ups (tiny has one line per look-up: no repeats drawn)
    p = dataclasses.replace(PRESETS["tiny"], activity=0.0)

    def lookups(by_day: bool) -> set[tuple]:
        *_, events = build_world(p, SEED, p.days, 0.01, lambda _: None, by_day=by_day)
        parts = [events] if isinstance(events, Events) else list(events)
        columns = ("emp", "ts", "system", "target_type", "target", "action", "case")
        rows = [np.column_stack([getattr(e, c) for c in columns]) for e in parts]
        return {tuple(r) for r in np.concatenate(rows).tolist()}

    whole = lookups(False)
    assert len(whole) > 50
    assert lookups(True) == whole


def test_the_default_is_the_whole_window_but_for_a_national_month(tmp_path):
    generate(tmp_path / "a", preset="tiny", seed=SEED, days=3)
    generate(tmp_path / "b", preset="tiny", seed=SEED, days=3, by_day=False)
    assert (tmp_path / "a" / "access_log.csv").read_bytes() == (
        tmp_path / "b" / "access_log.csv"
    ).read_bytes()


def test_the_command_line_option(tmp_path):
    result = CliRunner().invoke(
        main, ["generate", str(tmp_path), "--preset", "tiny", "--days", "2", "--by-day", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "generator.json").read_text())["access_log"] == "by-day"
    assert json.loads(result.output)["rows"]["access_log"] > 0
