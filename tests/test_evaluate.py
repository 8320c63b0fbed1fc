"""Tests of graphrisk.evaluate against answers worked out by hand.

The micro data set (tests/data/evaluate/micro) has ten employees E01..E10:

    E01  insider:data-leak
    E02  insider:stalking, lookalike:night-shift
    E03, E04  lookalike:night-shift
    E05, E06  lookalike:assigned-investigator
    E07..E10  ordinary

scores.csv gives E01 90, E03 80, E02 70, E05 70, E04 40, E06 30, E07 20, E08 10, E09 10, and
nothing for E10 (-inf). Ranked, ties by employee_id:

    position  1    2    3    4    5    6    7    8    9    10
    employee  E01  E03  E02  E05  E04  E06  E07  E08  E09  E10
    score     90   80   70   70   40   30   20   10   10   -inf
    insider   yes       yes

P = 2 insiders, 8 non-insiders.

top 1: E01                -> TP 1, precision 1,   recall 1/2, FP rate 0/8
top 3: E01 E03 E02        -> TP 2, precision 2/3, recall 1,   FP rate 1/8; E05 (70) left out = 1 tie
top 4 (40% of 10): + E05  -> TP 2, precision 1/2, recall 1,   FP rate 2/8
alerts (score >= 50): E01 E03 E02 E05 -> 4 alerts, TP 2, precision 1/2, recall 1, FP rate 2/8

ROC AUC, pairwise: E01 (90) beats all 8 negatives: 8; E02 (70) beats 40,30,20,10,10,-inf: 6, ties
E05: 1/2, loses to E03 -> 6.5. AUC = 14.5 / 16 = 0.90625. (Ranks: -inf 1, 10 10 -> 2.5 each,
20 4, 30 5, 40 6, 70 70 -> 7.5 each, 80 9, 90 10; R+ = 10 + 7.5 = 17.5; (17.5 - 3) / 16.)

AP, distinct thresholds high to low: 90: P 1/1, R 1/2; 80: P 1/2, R 1/2; 70: P 2/4, R 1; below,
R stays 1. AP = 1/2 * 1 + 0 * 1/2 + 1/2 * 1/2 = 0.75.

Per scenario: data-leak (E01) found at 1, 3, 4 and alerted; stalking (E02) not at 1, found at 3
and 4, alerted.

Look-alike groups (non-insider members): night-shift E03, E04 (E02 is an insider; size 3):
top 1 0/2, top 3 1/2 (E03), top 4 1/2, alerted 1/2 (E03). assigned-investigator E05, E06:
top 1 0/2, top 3 0/2, top 4 1/2 (E05), alerted 1/2 (E05).

scores_alert.json has the same scores and alerts for E01 and E03 only: 2 alerts, TP 1,
precision 1/2, recall 1/2, FP rate 1/8; stalking 0/1 alerted; night-shift 1/2, assigned 0/2.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphrisk.errors import DataError, UsageError
from graphrisk.evaluate import (
    Evaluation,
    average_precision,
    evaluate,
    format_evaluation,
    resolve_ks,
    roc_auc,
)

DATA = Path(__file__).parent / "data" / "evaluate"
MICRO = DATA / "micro"
SCORES = DATA / "scores.csv"
SCORES_ALERT = DATA / "scores_alert.json"
IDS = [f"E{i:02d}" for i in range(1, 11)]
HAND_SCORES = {
    "E01": 90,
    "E02": 70,
    "E03": 80,
    "E04": 40,
    "E05": 70,
    "E06": 30,
    "E07": 20,
    "E08": 10,
    "E09": 10,
}


@pytest.fixture
def hand() -> Evaluation:
    return evaluate(MICRO, SCORES, ks=[1, 3, "40%"])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _problem(exc: pytest.ExceptionInfo[DataError]):
    assert exc.value.problems, "a DataError must carry its problems"
    return exc.value.problems[0]


# --- the hand-worked example ---------------------------------------------------------------------


def test_population_and_missing(hand):
    assert (hand.employees, hand.insiders, hand.non_insiders) == (10, 2, 8)
    assert (hand.scored, hand.missing, hand.missing_insiders) == (9, 1, 0)
    assert "employee_id" in hand.tie_break


def test_top_k_by_hand(hand):
    got = [(t.k, t.asked_as, t.true_positives, t.false_positives) for t in hand.top_k]
    assert got == [(1, ("1",), 1, 0), (3, ("3",), 2, 1), (4, ("40%",), 2, 2)]
    assert [t.precision for t in hand.top_k] == pytest.approx([1, 2 / 3, 1 / 2])
    assert [t.recall for t in hand.top_k] == pytest.approx([1 / 2, 1, 1])
    assert [t.false_positive_rate for t in hand.top_k] == pytest.approx([0, 1 / 8, 2 / 8])
    assert [t.ties_left_out for t in hand.top_k] == [0, 1, 0]  # E05 ties E02 at the cut of 3


def test_alerts_by_threshold(hand):
    a = hand.alerts
    assert (a.rule, a.threshold, a.alerts, a.true_positives, a.false_positives) == (
        "score >= 50",
        50.0,
        4,
        2,
        2,
    )
    assert (a.precision, a.recall, a.false_positive_rate) == pytest.approx((1 / 2, 1, 2 / 8))


def test_auc_and_ap_by_hand(hand):
    assert hand.roc_auc == pytest.approx(14.5 / 16)
    assert hand.average_precision == pytest.approx(0.75)


def test_recall_per_scenario(hand):
    got = {s.scenario: ([c.count for c in s.at_k], s.alerted, s.alert_recall) for s in hand.scenarios}
    assert got == {"data-leak": ([1, 1, 1], 1, 1.0), "stalking": ([0, 1, 1], 1, 1.0)}
    assert [c.k for c in hand.scenarios[0].at_k] == [1, 3, 4]
    assert [c.rate for c in hand.scenarios[1].at_k] == pytest.approx([0, 1, 1])


def test_lookalike_false_positive_rates(hand):
    groups = {g.group: g for g in hand.lookalikes}
    night, assigned = groups["night-shift"], groups["assigned-investigator"]
    assert (night.size, night.non_insiders) == (3, 2)  # E02 is an insider too
    assert [c.count for c in night.at_k] == [0, 1, 1]
    assert [c.rate for c in night.at_k] == pytest.approx([0, 1 / 2, 1 / 2])
    assert (night.alerted, night.alert_rate) == (1, pytest.approx(1 / 2))
    assert (assigned.size, assigned.non_insiders) == (2, 2)
    assert [c.count for c in assigned.at_k] == [0, 0, 1]
    assert (assigned.alerted, assigned.alert_rate) == (1, pytest.approx(1 / 2))


def test_alert_column_decides(tmp_path):
    ev = evaluate(MICRO, SCORES_ALERT, ks=[1, 3, "40%"])
    a = ev.alerts
    assert (a.rule, a.threshold, a.alerts, a.true_positives) == ("alert column", None, 2, 1)
    assert (a.precision, a.recall, a.false_positive_rate) == pytest.approx((1 / 2, 1 / 2, 1 / 8))
    assert {s.scenario: s.alerted for s in ev.scenarios} == {"data-leak": 1, "stalking": 0}
    assert {g.group: g.alerted for g in ev.lookalikes} == {"night-shift": 1, "assigned-investigator": 0}
    # the ranking metrics do not depend on the file's form
    same = evaluate(MICRO, SCORES, ks=[1, 3, "40%"])
    assert ev.top_k == same.top_k
    assert (ev.roc_auc, ev.average_precision) == (same.roc_auc, same.average_precision)


def test_threshold_is_refused_next_to_alert_column():
    with pytest.raises(UsageError, match="alert column"):
        evaluate(MICRO, SCORES_ALERT, threshold=60)


def test_other_threshold():
    a = evaluate(MICRO, SCORES, threshold=75).alerts  # E01 90, E03 80
    assert (a.rule, a.alerts, a.true_positives, a.recall) == ("score >= 75", 2, 1, pytest.approx(1 / 2))


def test_default_ks_for_ten_employees():
    ev = evaluate(MICRO, SCORES)  # 1% and 2% of 10 round up to 1; 50 and 100 are more than 10
    assert [(t.k, t.asked_as) for t in ev.top_k] == [(1, ("1%", "2%")), (10, ("10",))]
    assert ev.top_k[1].precision == pytest.approx(2 / 10)


def test_ties_are_broken_by_employee_id(tmp_path):
    rows = "\n".join(f"{e},5" for e in reversed(IDS))  # all equal, listed in reverse
    ev = evaluate(MICRO, _write(tmp_path / "s.csv", f"employee_id,score\n{rows}\n"), ks=[1, 2, 3])
    # E01, E02, E03 lead the ranking: E01 and E02 are the insiders
    assert [t.true_positives for t in ev.top_k] == [1, 2, 2]
    assert [t.ties_left_out for t in ev.top_k] == [9, 8, 7]
    assert ev.roc_auc == pytest.approx(0.5)
    assert ev.average_precision == pytest.approx(2 / 10)


def test_missing_insider_ranks_last(tmp_path):
    rows = "\n".join(f"{e},{s}" for e, s in HAND_SCORES.items() if e != "E02")
    ev = evaluate(MICRO, _write(tmp_path / "s.csv", f"employee_id,score\n{rows}\n"), ks=[9])
    assert (ev.scored, ev.missing, ev.missing_insiders) == (8, 2, 1)
    # E02 and E10 tie at -inf in places 9 and 10; E02 comes first by id
    assert (ev.top_k[0].true_positives, ev.top_k[0].ties_left_out) == (2, 1)
    # AUC: E01 beats 8; E02 (-inf) ties E10 only: 0.5
    assert ev.roc_auc == pytest.approx(8.5 / 16)
    assert ev.alerts.true_positives == 1


# --- the forms of the scores file and the data set ---------------------------------------------------


def _records():
    return [{"employee_id": e, "score": s} for e, s in HAND_SCORES.items()]


@pytest.mark.parametrize("form", ["records", "object", "parquet"])
def test_other_forms_give_the_same_result(tmp_path, form, hand):
    if form == "records":
        path = _write(tmp_path / "s.json", json.dumps(_records(), indent=2))
    elif form == "object":
        path = _write(tmp_path / "s.json", json.dumps({"model": "x", "scores": _records()}))
    else:
        path = tmp_path / "s.parquet"
        pd.DataFrame(_records()).astype({"score": "float64"}).to_parquet(path)
    ev = evaluate(MICRO, path, ks=[1, 3, "40%"])
    assert ev.to_dict() | {"scores_file": ""} == hand.to_dict() | {"scores_file": ""}


def test_parquet_data_set(tmp_path, hand):
    ds = tmp_path / "ds"
    ds.mkdir()
    for name in ("employees", "ground_truth"):
        pd.read_csv(MICRO / f"{name}.csv", dtype=str).to_parquet(ds / f"{name}.parquet")
    ev = evaluate(ds, SCORES, ks=[1, 3, "40%"])
    assert ev.to_dict() | {"dataset": ""} == hand.to_dict() | {"dataset": ""}


def test_alert_spellings_in_csv(tmp_path):
    text = "employee_id,score,alert\nE01,1,TRUE\nE02,1,yes\nE03,1,0\nE04,1, false\n"
    ev = evaluate(MICRO, _write(tmp_path / "s.csv", text))
    assert (ev.alerts.alerts, ev.alerts.true_positives) == (2, 2)


def test_no_insiders_gives_undefined_metrics(tmp_path):
    ds = tmp_path / "ds"
    shutil.copytree(MICRO, ds)
    _write(ds / "ground_truth.csv", "employee_id,label\nE03,lookalike:night-shift\n")
    ev = evaluate(ds, SCORES)
    assert ev.insiders == 0
    assert (ev.roc_auc, ev.average_precision, ev.top_k[0].recall, ev.alerts.recall) == (
        None,
        None,
        None,
        None,
    )
    assert ev.scenarios == ()
    assert json.loads(json.dumps(ev.to_dict()))["roc_auc"] is None
    assert "undefined" in format_evaluation(ev)


# --- JSON and text output ----------------------------------------------------------------------------


def test_to_dict_round_trips_through_json(hand):
    d = hand.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["top_k"][2] == {
        "k": 4,
        "asked_as": ["40%"],
        "true_positives": 2,
        "false_positives": 2,
        "precision": 0.5,
        "recall": 1.0,
        "false_positive_rate": 0.25,
        "ties_left_out": 0,
    }
    assert d["lookalikes"][1]["group"] == "night-shift"
    assert d["lookalikes"][1]["at_k"][1] == {"k": 3, "count": 1, "rate": 0.5}


def test_format_evaluation(hand):
    text = format_evaluation(hand)
    assert "ROC AUC            0.906" in text
    assert "average precision  0.750" in text
    lines = text.splitlines()
    top4 = next(line for line in lines if line.startswith("top 4 (40%)"))
    assert top4.split()[3:] == ["4", "2", "0.500", "1.000", "0.250", "0"]
    night = next(line for line in lines if line.startswith("night-shift"))
    assert night.split() == ["night-shift", "3", "2", "0", "0.0%", "1", "50.0%", "1", "50.0%", "1", "50.0%"]
    population = next(line for line in lines if line.startswith("(all non-insiders)"))
    assert population.split()[-2:] == ["2", "25.0%"]
    assert "employee_id ascending" in text
    assert "1 missing" in text


# --- the k's -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ks", "n", "expected"),
    [
        (None, 1000, [(10, ("1%", "10")), (20, ("2%",)), (50, ("50",)), (100, ("100",))]),
        (None, 40, [(1, ("1%", "2%")), (10, ("10",))]),
        ([], 40, [(1, ("1%", "2%")), (10, ("10",))]),
        (["7%"], 100, [(7, ("7%",))]),  # 0.07 * 100 is 7.000000000000001 in floating point
        (["2.5%", 25, "25"], 300, [(8, ("2.5%",)), (25, ("25",))]),
        (["100%", "0.1%"], 10, [(1, ("0.1%",)), (10, ("100%",))]),
        ([" 3 ", "+4"], 10, [(3, ("3",)), (4, ("4",))]),
    ],
)
def test_resolve_ks(ks, n, expected):
    assert resolve_ks(ks, n) == expected


@pytest.mark.parametrize("k", ["0", -1, "abc", "0%", "101%", "2.5", 2.5, True, "%", "1e2"])
def test_bad_k_is_a_usage_error(k):
    with pytest.raises(UsageError, match="k"):
        evaluate(MICRO, SCORES, ks=[k])


def test_k_above_the_employees_is_a_usage_error():
    with pytest.raises(UsageError, match="more than the 10 employees"):
        evaluate(MICRO, SCORES, ks=[11])


@pytest.mark.parametrize("threshold", [math.nan, math.inf, "high"])
def test_bad_threshold_is_a_usage_error(threshold):
    with pytest.raises(UsageError, match="threshold"):
        evaluate(MICRO, SCORES, threshold=threshold)


def test_bad_paths_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        evaluate(tmp_path / "nowhere", SCORES)
    with pytest.raises(UsageError, match="does not exist"):
        evaluate(MICRO, tmp_path / "nothing.csv")
    with pytest.raises(UsageError, match=r"\.csv, \.parquet or \.json"):
        evaluate(MICRO, _write(tmp_path / "scores.txt", "employee_id,score\n"))


# --- malformed scores files ----------------------------------------------------------------------------

BAD_SCORES = [
    # name, file content, line, column, column name, message
    ("missing column", "employee_id,points\nE01,3\n", 1, None, "score", "required column is missing"),
    ("not a number", "employee_id,score\nE01,90\nE02,high\n", 3, 2, "score", "'high' is not a number"),
    ("NaN", "employee_id,score\nE01,90\nE02,7\nE03,NaN\n", 4, 2, "score", "finite number"),
    ("infinite", "employee_id,score\nE01,inf\n", 2, 2, "score", "finite number"),
    ("empty score", "employee_id,score\nE01,\n", 2, 2, "score", "empty"),
    (
        "duplicate id",
        "employee_id,score\nE01,90\nE02,1\nE01,5\n",
        4,
        1,
        "employee_id",
        "first seen on line 2",
    ),
    ("unknown id", "employee_id,score\nE01,90\n\nX99,1\n", 4, 1, "employee_id", "'X99' is not an employee"),
    ("padded id", "employee_id,score\n E01,90\n", 2, 1, "employee_id", "' E01' is not an employee"),
    ("empty id", "score,employee_id\n3,E01\n4,\n", 3, 2, "employee_id", "empty"),
    ("bad alert", "employee_id,score,alert\nE01,90,true\nE02,1,maybe\n", 3, 3, "alert", "true or false"),
    ("quoted newline", 'employee_id,score,note\nE01,1,"two\nlines"\nE02,x,\n', 4, 2, "score", "not a number"),
]


@pytest.mark.parametrize(("content", "line", "column", "name", "message"), [b[1:] for b in BAD_SCORES])
def test_malformed_csv_scores(tmp_path, content, line, column, name, message):
    path = _write(tmp_path / "scores.csv", content)
    with pytest.raises(DataError) as exc:
        evaluate(MICRO, path)
    p = _problem(exc)
    assert (p.file, p.line, p.column, p.column_name) == ("scores.csv", line, column, name)
    assert message in p.message


BAD_JSON = [
    (
        '[\n {"employee_id": "E01", "score": 1},\n {"employee_id": "E02",\n  "score": "3"}\n]',
        3,
        "score",
        "JSON number",
    ),
    ('{"scores": [\n  {"employee_id": "E01", "score": NaN}\n]}', 2, "score", "finite"),
    ('[{"employee_id": "E01", "score": 1},\n {"score": 2}]', 2, "employee_id", "empty or missing"),
    (
        '[{"employee_id": "E01", "score": 1},\n {"employee_id": "E01", "score": 2}]',
        2,
        "employee_id",
        "line 1",
    ),
    (
        '[{"employee_id": "E01", "score": 1, "alert": true},\n {"employee_id": "E02", "score": 2}]',
        2,
        "alert",
        "missing",
    ),
    ('[{"employee_id": "E01", "score": true}]', 1, "score", "must be a number"),
    ('[{"employee_id": 7, "score": 1}]', 1, "employee_id", "'7' is not an employee"),
]


@pytest.mark.parametrize(("content", "line", "name", "message"), BAD_JSON)
def test_malformed_json_scores(tmp_path, content, line, name, message):
    path = _write(tmp_path / "scores.json", content)
    with pytest.raises(DataError) as exc:
        evaluate(MICRO, path)
    p = _problem(exc)
    assert (p.file, p.line, p.column, p.column_name) == ("scores.json", line, None, name)
    assert message in p.message


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('[{"employee_id": "E01",\n "score": }]', 2, "not valid JSON"),
        ('{"results": []}', None, '"scores" list'),
        ("[]", None, "no records"),
        ('[{"employee_id": "E01", "score": 1},\n 5]', 2, "JSON object"),
    ],
)
def test_unusable_json_scores(tmp_path, content, line, message):
    with pytest.raises(DataError) as exc:
        evaluate(MICRO, _write(tmp_path / "scores.json", content))
    p = _problem(exc)
    assert (p.file, p.line) == ("scores.json", line)
    assert message in p.message


def test_malformed_parquet_scores_name_the_row(tmp_path):
    path = tmp_path / "scores.parquet"
    pd.DataFrame({"employee_id": ["E01", "E02", "E03"], "score": [1.0, np.nan, 3.0]}).to_parquet(path)
    with pytest.raises(DataError) as exc:
        evaluate(MICRO, path)
    p = _problem(exc)
    assert (p.file, p.line, p.column, p.column_name) == ("scores.parquet", 2, 2, "score")


def test_every_problem_is_reported(tmp_path):
    content = "employee_id,score\nE01,x\nE02,y\nE02,1\nZ,2\n"
    with pytest.raises(DataError) as exc:
        evaluate(MICRO, _write(tmp_path / "scores.csv", content))
    where = sorted((p.line, p.column_name) for p in exc.value.problems)
    assert where == [(2, "score"), (3, "score"), (4, "employee_id"), (5, "employee_id")]


# --- malformed data sets ------------------------------------------------------------------------------


def _data_set(tmp_path: Path, ground_truth: str | None) -> Path:
    ds = tmp_path / "ds"
    shutil.copytree(MICRO, ds)
    if ground_truth is None:
        (ds / "ground_truth.csv").unlink()
    else:
        _write(ds / "ground_truth.csv", ground_truth)
    return ds


@pytest.mark.parametrize(
    ("ground_truth", "line", "column", "message"),
    [
        (None, None, None, "missing"),
        ("employee_id,label\nE01,insider:x\nE02,suspect\n", 3, 2, "not insider:<scenario>"),
        ("employee_id,label\nE01,insider:\n", 2, 2, "not insider:<scenario>"),
        ("employee_id,label\nE01,insider:x\nE99,insider:y\n", 3, 1, "not an id in employees"),
        ("employee_id,label\nE01,insider:x\nE01,insider:x\n", 3, 1, "duplicate"),
        ("employee_id\nE01\n", 1, None, "required column is missing"),
    ],
)
def test_malformed_ground_truth(tmp_path, ground_truth, line, column, message):
    with pytest.raises(DataError) as exc:
        evaluate(_data_set(tmp_path, ground_truth), SCORES)
    p = _problem(exc)
    assert (p.file, p.line, p.column) == ("ground_truth.csv", line, column)
    assert message in p.message


def test_duplicate_employee_is_a_data_error(tmp_path):
    ds = _data_set(tmp_path, "employee_id,label\n")
    with (ds / "employees.csv").open("a") as fh:
        fh.write("E01,P11,T1,agent,patrol,2020-01-01,\n")
    with pytest.raises(DataError) as exc:
        evaluate(ds, SCORES)
    assert (_problem(exc).file, _problem(exc).line) == ("employees.csv", 12)


# --- AUC and AP against brute force ---------------------------------------------------------------------


def _auc_pairwise(scores, positive):
    pos = [s for s, y in zip(scores, positive, strict=True) if y]
    neg = [s for s, y in zip(scores, positive, strict=True) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _ap_explicit(scores, positive):
    total = sum(positive)
    ap, previous_recall = 0.0, 0.0
    for t in sorted(set(scores), reverse=True):
        flagged = [y for s, y in zip(scores, positive, strict=True) if s >= t]
        recall, precision = sum(flagged) / total, sum(flagged) / len(flagged)
        ap += (recall - previous_recall) * precision
        previous_recall = recall
    return ap


def test_sklearn_documentation_example():
    scores, y = [0.1, 0.4, 0.35, 0.8], [False, False, True, True]
    assert roc_auc(scores, y) == pytest.approx(0.75)
    assert average_precision(scores, y) == pytest.approx(0.8333333333)


_score = st.one_of(
    st.sampled_from([-math.inf, 0.0, 1.0, 2.0, 50.0, 99.5]),  # many ties
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
_labelled = st.lists(st.tuples(_score, st.booleans()), min_size=1, max_size=40)


@given(_labelled)
def test_auc_and_ap_match_brute_force(rows):
    scores = [s for s, _ in rows]
    positive = [y for _, y in rows]
    if any(positive) and not all(positive):
        assert roc_auc(scores, positive) == pytest.approx(_auc_pairwise(scores, positive))
    else:
        assert roc_auc(scores, positive) is None
    if any(positive):
        assert average_precision(scores, positive) == pytest.approx(_ap_explicit(scores, positive))
    else:
        assert average_precision(scores, positive) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from([0, 10, 50, 70]), st.integers(0, 100)), min_size=10, max_size=10
    )
)
def test_evaluate_matches_a_brute_force_ranking(values):
    """Random scores (with ties and missing employees) on the micro data set."""
    scores = {e: v for e, v in zip(IDS, values, strict=True) if v is not None}
    if not scores:
        return
    insiders = {"E01", "E02"}
    full = {e: scores.get(e, -math.inf) for e in IDS}
    ranking = sorted(IDS, key=lambda e: (-full[e], e))
    with tempfile.TemporaryDirectory() as tmp:
        rows = "".join(f"{e},{s}\n" for e, s in scores.items())
        ev = evaluate(MICRO, _write(Path(tmp) / "s.csv", f"employee_id,score\n{rows}"), ks=[1, 2, 3, 5, 10])
    for t in ev.top_k:
        assert t.true_positives == len(insiders & set(ranking[: t.k]))
        kth = full[ranking[t.k - 1]]
        assert t.ties_left_out == sum(full[e] == kth for e in ranking[t.k :])
    positive = [e in insiders for e in IDS]
    assert ev.roc_auc == pytest.approx(_auc_pairwise([full[e] for e in IDS], positive))
    assert ev.average_precision == pytest.approx(_ap_explicit([full[e] for e in IDS], positive))
    assert ev.missing == 10 - len(scores)
    assert ev.alerts.alerts == sum(s >= 50 for s in scores.values())


# --- quality figures: the alert budget, the tops of 1% and 2%, look-alike ratios -------------------


@pytest.fixture(scope="module")
def quality_set(tmp_path_factory) -> tuple[Path, Path]:
    """200 employees E001..E200; insiders E001, E002 (scenario a), E003, E004 (b); night-shift
    E005..E009 and large-family E010..E029, all innocent.

    Ranked: E001 100, E003 99, E005 98, E002 97, E010 96, E004 50, the rest 1 (by id). The top 1%
    is 2 employees (E001 E003), the top 2% is 4 (+ E005 E002); the default budget is
    ceil(200 * 20 / 6000) = 1.
    """
    root = tmp_path_factory.mktemp("quality")
    data = root / "data"
    data.mkdir()
    ids = [f"E{i:03d}" for i in range(1, 201)]
    _write(
        data / "employees.csv",
        "employee_id,person_id,unit_id,rank,role,start_date,end_date\n"
        + "".join(f"{e},P{e[1:]},T1,hoofdagent,patrol,2015-01-01,\n" for e in ids),
    )
    truth = [("E001", "insider:a"), ("E002", "insider:a"), ("E003", "insider:b"), ("E004", "insider:b")]
    truth += [(e, "lookalike:night-shift") for e in ids[4:9]]
    truth += [(e, "lookalike:large-family") for e in ids[9:29]]
    _write(data / "ground_truth.csv", "employee_id,label\n" + "".join(f"{e},{x}\n" for e, x in truth))
    top = {"E001": 100, "E003": 99, "E005": 98, "E002": 97, "E010": 96, "E004": 50}
    scores = _write(
        root / "scores.csv", "employee_id,score\n" + "".join(f"{e},{top.get(e, 1)}\n" for e in ids)
    )
    return data, scores


def test_quality_by_hand(quality_set):
    q = evaluate(*quality_set).quality
    b = q.budget
    assert (b.k, b.rule, b.true_positives, b.precision, b.recall) == (1, "ceil(200 * 20/6000)", 1, 1.0, 0.25)
    assert [(s.share, s.k) for s in q.shares] == [("1%", 2), ("2%", 4)]
    assert [s.false_positive_rate for s in q.shares] == pytest.approx([0, 1 / 196])
    assert [(s.scenario, s.insiders, s.found, s.recall) for s in q.scenarios] == [
        ("a", 2, (1, 2), (0.5, 1.0)),
        ("b", 2, (1, 1), (0.5, 0.5)),
    ]
    groups = {g.group: g for g in q.lookalikes}
    night = groups["night-shift"]
    assert (night.non_insiders, night.flagged, night.reference) == (5, 1, "all non-insiders")
    assert night.ratio == pytest.approx((1 / 5) / (1 / 196))
    assert groups["large-family"].ratio == 0
    large = q.large_family
    assert (large.group, large.flagged, large.reference) == ("large-family", 0, "other non-insiders")
    assert large.reference_rate == pytest.approx(1 / 176)  # E005 among the 176 innocent others


@pytest.mark.parametrize(
    ("budget", "k", "tp", "rule"),
    [("2%", 4, 3, "ceil(200 * 2%)"), ("1/50", 4, 3, "ceil(200 * 1/50)"), (0.025, 5, 3, None),
     ("0.025", 5, 3, "ceil(200 * 0.025)"), (5, 5, 3, "5 alerts"), ("6", 6, 4, "6 alerts")],
)  # fmt: skip
def test_budget_forms(quality_set, budget, k, tp, rule):
    if rule is None:  # a float is not a budget: refused like a float k
        with pytest.raises(UsageError, match="budget"):
            evaluate(*quality_set, budget=budget)
        return
    b = evaluate(*quality_set, budget=budget).quality.budget
    assert (b.k, b.true_positives, b.rule) == (k, tp, rule)
    assert b.precision == pytest.approx(tp / k)


@pytest.mark.parametrize("budget", ["0", "-3", "abc", "2/0", "1.5", "0%", "201", "3/2"])
def test_bad_budgets_are_refused(quality_set, budget):
    with pytest.raises(UsageError, match="budget"):
        evaluate(*quality_set, budget=budget)


def test_quality_in_text_and_json(quality_set):
    ev = evaluate(*quality_set)
    text = format_evaluation(ev)
    assert "Alert budget: the top 1 (ceil(200 * 20/6000); the pilot raised about 20 alerts" in text
    assert "precision at the budget 1.000 (1 of 1 are insiders)" in text
    assert "top 1% (2)  top 2% (4)" in text
    assert "large-family  other non-insiders" in text
    d = json.loads(json.dumps(ev.to_dict()))
    assert d["quality"]["budget"]["precision"] == 1.0
    assert d["quality"]["scenarios"][0]["recall"] == [0.5, 1.0]
    assert d["quality"]["large_family"]["ratio"] == 0.0
