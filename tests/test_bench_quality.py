"""The quality bench's summary and Markdown, on hand-made evaluation results (nothing generated)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "benchmarks" / "bench_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_quality"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def evaluation(ap, recall_a, recall_b, night, large, population=(2, 196), large_others=(2, 176)):
    """An evaluate --json document: scenarios a and b (2 insiders each), night-shift (5 innocent)
    and large-family (20 innocent); ``recall_*`` are (top 1%, top 2%), ``night`` and ``large`` the
    members flagged in the top 2%; ``population`` all non-insiders flagged and their number."""
    pop_rate = population[0] / population[1]
    others_rate = large_others[0] / large_others[1]
    return {
        "ok": True,
        "employees": 200,
        "insiders": 4,
        "non_insiders": population[1],
        "roc_auc": 0.99,
        "average_precision": ap,
        "alerts": {"rule": "alert column", "alerts": 5, "precision": 0.6},
        "quality": {
            "budget": {"k": 1, "rule": "ceil(200 * 20/6000)", "precision": 1.0},
            "shares": [
                {"share": "1%", "k": 2, "false_positive_rate": 0.0},
                {"share": "2%", "k": 4, "false_positive_rate": pop_rate},
            ],
            "scenarios": [
                {"scenario": "a", "insiders": 2, "found": [0, 0], "recall": list(recall_a)},
                {"scenario": "b", "insiders": 2, "found": [0, 0], "recall": list(recall_b)},
            ],
            "ratio_share": "2%",
            "lookalikes": [
                {
                    "group": "night-shift",
                    "non_insiders": 5,
                    "flagged": night,
                    "rate": night / 5,
                    "ratio": (night / 5) / pop_rate,
                },
                {
                    "group": "large-family",
                    "non_insiders": 20,
                    "flagged": large,
                    "rate": large / 20,
                    "ratio": (large / 20) / pop_rate,
                },
            ],
            "large_family": {
                "group": "large-family",
                "non_insiders": 20,
                "flagged": large,
                "rate": large / 20,
                "reference": "other non-insiders",
                "reference_rate": others_rate,
                "ratio": (large / 20) / others_rate,
            },
        },
    }


def record(profile, seed, ev):
    return {"profile": profile, "seed": seed, "evaluation": ev, "seconds": {"score": 12.0}}


@pytest.fixture
def records():
    return [
        record("baseline", 1, evaluation(0.95, (1.0, 1.0), (0.5, 1.0), night=0, large=0)),
        record("baseline", 2, evaluation(0.91, (0.5, 1.0), (1.0, 1.0), night=0, large=0)),
        record("harsh", 1, evaluation(0.70, (0.5, 0.5), (0.5, 1.0), night=1, large=0)),
        {"profile": "harsh", "seed": 2, "evaluation": None, "error": "graphrisk score failed (1): boom"},
    ]


def test_spread_is_minimum_and_median(bench, records):
    s = bench.summarise(records)
    assert s["sets"] == {"all": 3, "baseline": 2, "harsh": 1}
    assert s["spread"]["average precision"]["all"] == (0.70, 0.91, 3)
    assert s["spread"]["average precision"]["baseline"] == pytest.approx((0.91, 0.93, 2))
    assert s["spread"]["recall top 2%: a"]["all"] == (0.5, 1.0, 3)
    assert s["failed"] == ["harsh seed 2: graphrisk score failed (1): boom"]


def test_done_when_checks(bench, records):
    ap, recall, lookalike, large = bench.summarise(records)["checks"]["all"]
    assert (ap.met, ap.figure) == (False, "0.700 (harsh seed 1)")
    assert recall.met is False and "a 0.50 (harsh seed 1)" in recall.figure
    # pooled: night-shift 1 of 15 over the population's 6 of 588: (1/15) / (6/588) = 6.53 > 1.25
    assert lookalike.met is False and "night-shift 6.53" in lookalike.figure
    # pooled: large-family 0 of 60 vs the others' 6 of 528: ratio 0, but 0.7 expected: cannot tell
    assert large.met is None and large.figure.startswith("0.00 (0 of 60 flagged")
    assert large.figure.endswith("too few to tell")
    on_baseline = bench.checks(bench.summarise(records[:2])["runs"])
    assert [c.met for c in on_baseline] == [True, True, True, None]


def test_large_family_within_range_is_met(bench):
    runs = [record("p", i, evaluation(0.95, (1, 1), (1, 1), night=0, large=1, large_others=(11, 176)))
            for i in range(2)]  # fmt: skip
    large = bench.summarise(runs)["checks"]["all"][3]
    assert large.met is True  # (2/40) / (22/352) = 0.8, 2.5 expected
    assert large.figure.startswith("0.80 (2 of 40")


def test_large_family_outside_range_is_missed(bench):
    runs = [record("p", i, evaluation(0.95, (1, 1), (1, 1), night=0, large=3, large_others=(11, 176)))
            for i in range(2)]  # fmt: skip
    assert bench.summarise(runs)["checks"]["all"][3].met is False  # (6/40) / (22/352) = 2.4


def test_holdout_is_reported_apart(bench, records):
    s = bench.summarise(records, holdout="harsh")
    assert s["sets"] == {"tuning": 2, "holdout (harsh)": 1, "baseline": 2}
    assert set(s["checks"]) == {"tuning", "holdout (harsh)"}
    assert s["checks"]["tuning"][0].met is True
    assert s["checks"]["holdout (harsh)"][0].met is False


def test_markdown(bench, records):
    meta = {
        "command": "python benchmarks/bench_quality.py --preset tiny",
        "date": "2026-01-01 12:00 UTC",
        "machine": {"nproc": 2, "memory_gb": 23.5, "load_average": [1.0, 0.5, 0.25], "python": "3.11"},
        "preset": "tiny",
        "prevalence": 0.015,
    }
    text = bench.markdown(bench.summarise(records, holdout="harsh"), meta)
    assert "- command: `python benchmarks/bench_quality.py --preset tiny`" in text
    assert "2 cores, 23.5 GB memory, load average 1.0, 0.5, 0.25" in text
    assert "| baseline | 1 | 200 | 4 | 0.950 | 0.990 | 1 | 1.000 | 5 | 0.600 | 0.00 (0/20) | 12 |" in text
    assert "| harsh | 1 | 0.50 / 0.50 (2) | 0.50 / 1.00 (2) |" in text
    assert "| figure | tuning (2) | holdout (harsh) (1) | baseline (2) |" in text
    assert "| average precision | 0.910 / 0.930 | 0.700 / 0.700 | 0.910 / 0.930 |" in text
    assert "On holdout (harsh) (1 runs):" in text
    assert "| minimum AP >= 0.9 | **missed** | 0.700 (harsh seed 1) | the lowest run |" in text
    assert "**Failed runs**" in text and "- harsh seed 2: graphrisk score failed (1): boom" in text


def test_markdown_without_runs(bench):
    text = bench.markdown(bench.summarise([]), {"command": "x"})
    assert "No run finished." in text
