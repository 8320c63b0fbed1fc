"""The fairness report (graphrisk fairness): figures worked out by hand, the interval, the group file.

The hand-built population: 100 employees E001..E100, scored 100 - i for E00i (E001 highest).
The group file lists E001..E010 as ``a`` (10), E011..E095 as ``b`` (85), and E999 (not scored);
E096..E100 are not listed (5: too few to show). The scores file alerts E001-E003 and E011-E013.

    top 1% = 1 employee  (E001):       a 1/10,  rest 0/90   -> cell zero: 0.5 added
    top 2% = 2 employees (E001, E002): a 2/10,  rest 0/90   -> the interval wholly above 1.25
    alerts = 6:                         a 3/10,  rest 3/90   -> ratio 9
    rule r1: E001 (twice), E002, E011:  a 2/10,  rest 1/90   -> ratio 18
    rule r2: E050:                      a 0/10,  rest 1/90
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from reliability import covers

from graphrisk.cli import main
from graphrisk.privacy import PrivacyPaths, create_key, pseudonym
from graphrisk.privacy.access import add_user
from graphrisk.privacy.audit import AuditLog
from graphrisk.privacy.fairness import katz_interval

Z = 1.959963984540054  # the 97.5% point of the standard normal


def katz_by_hand(a, b, c, d):
    """The textbook Katz interval from the four cells: a, b = group in / not in; c, d = rest."""
    ratio = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def run(*args, user: str | None = "aud"):
    env = {"GRAPHRISK_USER": user} if user else {}
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture
def site() -> PrivacyPaths:
    paths = PrivacyPaths.from_env()
    # a site of this module's own (conftest's test site has a key and a tester already)
    paths.key_file.unlink(missing_ok=True)
    paths.access_file.unlink(missing_ok=True)
    create_key(paths.key_file)
    add_user(paths.access_file, "root", "root", "admin", bootstrap=True)
    add_user(paths.access_file, "root", "aud", "auditor")
    add_user(paths.access_file, "root", "ann", "analyst")
    return paths


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    ids = [f"E{i:03d}" for i in range(1, 101)]
    alerts = {"E001", "E002", "E003", "E011", "E012", "E013"}
    scores = pd.DataFrame({"employee_id": ids, "score": [100 - i for i in range(1, 101)]})
    scores["alert"] = scores["employee_id"].isin(alerts)
    scores.to_csv(tmp_path / "scores.csv", index=False)
    rows = [(e, "a") for e in ids[:10]] + [(e, "b") for e in ids[10:95]] + [("E999", "a")]
    groups = tmp_path / "hr.audit_groups.csv"
    groups.write_text("employee_id,group\n" + "".join(f"{e},{g}\n" for e, g in rows), encoding="utf-8")
    found = [("E001", "r1"), ("E001", "r1"), ("E002", "r1"), ("E011", "r1"), ("E050", "r2")]
    findings = pd.DataFrame(
        {
            "finding_id": [f"F{i}" for i in range(len(found))],
            "rule_id": [r for _, r in found],
            "employee_id": [e for e, _ in found],
            "access_ids": [["A1"]] * len(found),
            "ts": pd.Timestamp("2026-03-02T10:00:00Z"),
            "severity": "high",
            "evidence": "[]",
        }
    )
    findings.to_parquet(tmp_path / "findings.parquet", index=False)
    return {"scores": tmp_path / "scores.csv", "groups": groups, "findings": tmp_path / "findings.parquet"}


def _report(files, *extra):
    result = run(
        "fairness", "--scores", files["scores"], "--groups", files["groups"], "--findings", files["findings"],
        "--json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return {(m["name"], r["group"]): r for m in report["measures"] for r in m["rows"]}, report


# --- the interval -----------------------------------------------------------------------------------


def test_the_interval_is_the_katz_log_interval():
    ratio, low, high, corrected = katz_interval(3, 10, 3, 90)
    assert not corrected
    assert (ratio, low, high) == pytest.approx(katz_by_hand(3, 7, 3, 87))
    assert ratio == pytest.approx(9.0) and low == pytest.approx(2.0883, abs=1e-4)


def test_a_zero_cell_adds_a_half_to_every_cell_for_the_interval():
    # 2 of 10 against 0 of 90: cells 2.5, 8.5, 0.5, 90.5; the ratio itself is unbounded
    ratio, low, high, corrected = katz_interval(2, 10, 0, 90)
    assert corrected and ratio is None and high is None
    assert low == pytest.approx(katz_by_hand(2.5, 8.5, 0.5, 90.5)[1]) == pytest.approx(2.1195, abs=1e-4)
    # none of a group selected: the ratio is 0 and so is the lower bound, never a ratio above 1
    ratio, low, high, corrected = katz_interval(0, 5, 3, 239)
    assert (ratio, low, corrected) == (0.0, 0.0, True)
    assert high == pytest.approx(katz_by_hand(0.5, 5.5, 3.5, 236.5)[2])
    # everyone in the group selected is a zero cell too
    assert katz_interval(10, 10, 3, 90)[3]


# --- the figures ------------------------------------------------------------------------------------


def test_the_figures_on_a_hand_built_population(site, files):
    rows, report = _report(files)
    assert report["population"] == 100
    assert report["groups"] == {"a": 10, "b": 85, "(not listed)": 5}
    top1, top2, alerts = rows["top 1%", "a"], rows["top 2%", "a"], rows["alerts", "a"]
    assert (top1["count"], top1["rest_count"], top1["rest_size"]) == (1, 0, 90)
    assert top1["low"] == pytest.approx(katz_by_hand(1.5, 9.5, 0.5, 90.5)[1]) and not top1["flagged"]
    assert (top2["count"], top2["share"], top2["rest_count"]) == (2, 0.2, 0)
    assert top2["ratio"] is None and top2["high"] is None and top2["corrected"]
    assert top2["low"] == pytest.approx(2.1195, abs=1e-4) and top2["flagged"]
    assert (alerts["count"], alerts["rest_count"]) == (3, 3)
    assert [alerts[k] for k in ("ratio", "low", "high")] == pytest.approx(katz_by_hand(3, 7, 3, 87))
    assert alerts["flagged"]
    b = rows["alerts", "b"]  # the rest of b is a and the not listed: 3 of 15
    assert (b["count"], b["rest_size"], b["rest_count"]) == (3, 15, 3)
    assert [b[k] for k in ("ratio", "low", "high")] == pytest.approx(katz_by_hand(3, 82, 3, 12))
    r1 = rows["rule r1", "a"]  # E001's two findings count once
    assert (r1["count"], r1["rest_count"]) == (2, 1)
    assert [r1[k] for k in ("ratio", "low", "high")] == pytest.approx(katz_by_hand(2, 8, 1, 89))
    assert rows["rule r2", "a"]["count"] == 0 and rows["rule r2", "a"]["ratio"] == 0
    assert rows["any finding", "a"]["count"] == 2
    hidden = rows["alerts", "(not listed)"]
    assert not hidden["shown"] and hidden["count"] is None and hidden["size"] == 5
    assert {"measure": "top 2%", "group": "a"} in report["flagged"]
    assert any("1 employees in hr.audit_groups.csv have no score" in n for n in report["notes"])


def test_the_text_report_is_a_table_with_flags(site, files):
    result = run("fairness", "--scores", files["scores"], "--groups", files["groups"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "top 2%: 2 employees" in text and "alerts: 6 employees" in text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("a ") and "9.00" in ln)
    assert line.split() == ["a", "10", "3", "30.0%", "3.33%", "9.00", "2.09-38.8", "!"]
    assert "(not listed)" in text and "too small" in text
    assert "a in top 2%" in text and "rule" not in text


def test_a_smaller_minimum_shows_small_groups(site, files):
    rows, _ = _report(files, "--min-group-size", "5")
    assert rows["alerts", "(not listed)"]["shown"]
    rows, _ = _report(files, "--min-group-size", "86")  # a has 10, b 85: neither is shown
    assert not rows["alerts", "b"]["shown"] and not rows["alerts", "a"]["shown"]
    rows, _ = _report(files, "--min-group-size", "16")  # b's rest (a and the not listed) is 15
    assert not rows["alerts", "b"]["shown"] and not rows["alerts", "a"]["shown"]


def test_only_an_auditor_may_run_it_and_it_is_logged(site, files):
    args = ("fairness", "--scores", files["scores"], "--groups", files["groups"])
    for user in ("ann", "root"):
        refused = run(*args, user=user)
        assert refused.exit_code == 7, refused.output
        assert "roles that may: auditor" in refused.output
    assert run(*args).exit_code == 0
    entries = AuditLog(site.audit_log, site.audit_head).entries()
    last = entries[-1]
    assert (last["user"], last["command"], last["outcome"], last["subjects"]) == ("aud", "fairness", "ok", [])
    assert last["rows"] == 3 and last["params"]["groups"] == str(files["groups"])
    assert [e["outcome"] for e in entries[-3:-1]] == ["refused", "refused"]


def test_pseudonyms_in_the_group_file_are_joined_with_the_site_key(site, files):
    from graphrisk.privacy import load_key

    key = load_key(site.key_file)
    text = files["groups"].read_text().splitlines()
    lines = [text[0]] + [
        f"{pseudonym(key, e).lower() if i % 2 else e},{g}"
        for i, (e, g) in enumerate(x.split(",") for x in text[1:])
    ]
    files["groups"].write_text("\n".join(lines) + "\n")
    rows, report = _report(files)
    assert report["groups"] == {"a": 10, "b": 85, "(not listed)": 5}
    assert rows["alerts", "a"]["count"] == 3


@covers("fairness-mixed-ids-without-key")
def test_mixed_ids_without_a_key_say_how_to_make_one(site, files):
    site.key_file.unlink()
    files["groups"].write_text("employee_id,group\nEMP-805D-038D-8D61,a\nE001,a\n")
    result = run("fairness", "--scores", files["scores"], "--groups", files["groups"])
    assert result.exit_code == 6 and "graphrisk keys init" in result.output
    assert "Traceback" not in result.output


# --- the group file stays out of data sets -----------------------------------------------------------


@covers("fairness-group-file-in-dataset")
@pytest.mark.parametrize("name", ["audit_groups.csv", "2026-hr.Audit_Groups.csv", "audit_groups.parquet"])
def test_load_refuses_a_data_set_holding_a_group_file(micro_dir, tmp_path, name):
    (micro_dir / name).write_text("employee_id,group\nE001,a\n")
    result = run("load", micro_dir, "--store", tmp_path / "store", user=None)
    assert result.exit_code == 3, result.output
    assert f"{name}: an audit-only group file" in result.output and "Nothing was written" in result.output
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").iterdir())


def test_the_group_file_must_be_named_so_that_load_knows_it(site, files, tmp_path):
    plain = tmp_path / "groups.csv"
    shutil.copy(files["groups"], plain)
    result = run("fairness", "--scores", files["scores"], "--groups", plain)
    assert result.exit_code == 2 and "audit_groups.csv" in result.output


# --- bad group files -----------------------------------------------------------------------------


BAD_GROUP_FILES = [
    # (content, file:line:column and what the message says)
    ("employee_id,team\nE001,a\n", "hr.audit_groups.csv:1: group: required column is missing"),
    ("employee_id,group,name\nE001,a,Jan\n", "hr.audit_groups.csv:1:3: name: a group file holds only"),
    ("employee_id,group\nE001,a\n,b\n", "hr.audit_groups.csv:3:1: employee_id: is empty"),
    ("employee_id,group\nE001,a\nE002, \n", "hr.audit_groups.csv:3:2: group: is empty"),
    ("employee_id,group\nE001,a\nE002,(x)\n", "hr.audit_groups.csv:3:2: group: may not start with '('"),
    ("employee_id,group\nE001,a\nE002,b\ne001,a\n".replace("e001", "E001"), "hr.audit_groups.csv:4:1"),
    ('employee_id,group\nE001,"a\tb"\n', "hr.audit_groups.csv:2:2: group: holds a control character"),
    ("employee_id,group\nE001,a,extra\n", "hr.audit_groups.csv:2: expected 2 fields"),
    ("employee_id,group\n", "hr.audit_groups.csv: the file has a header but no data rows"),
    ("employee_id,group\nE9999,a\n", "hr.audit_groups.csv: employee_id: no listed employee is in scores.csv"),
    # the column is the field (2) or, in older readers, the byte on the line (9)
    (
        b"employee_id,group\nE001,caf\xe9\n",
        re.compile(r"hr\.audit_groups\.csv:2:(2: group|9): not valid UTF-8"),
    ),
]


@covers("fairness-bad-group-file")
@pytest.mark.parametrize(("content", "expected"), BAD_GROUP_FILES)
def test_bad_group_files_name_file_line_and_column(site, files, content, expected):
    if isinstance(content, bytes):
        files["groups"].write_bytes(content)
    else:
        files["groups"].write_text(content, encoding="utf-8")
    result = run("fairness", "--scores", files["scores"], "--groups", files["groups"])
    assert result.exit_code == 3, result.output
    assert expected.search(result.output) if isinstance(expected, re.Pattern) else expected in result.output
    assert "Traceback" not in result.output


def test_a_duplicate_names_the_first_line(site, files):
    files["groups"].write_text("employee_id,group\nE001,a\nE002,b\nE001,a\n")
    result = run("fairness", "--scores", files["scores"], "--groups", files["groups"])
    assert "hr.audit_groups.csv:4:1: employee_id: 'E001' is listed twice: first on line 2" in result.output


@pytest.mark.parametrize("which", ["scores", "groups", "findings"])
def test_a_missing_input_is_a_usage_error(site, files, which):
    files[which] = files[which].with_name("nothing" + files[which].name)
    result = run(
        "fairness", "--scores", files["scores"], "--groups", files["groups"], "--findings", files["findings"]
    )
    assert result.exit_code == 2 and "does not exist" in result.output, result.output


def test_a_bad_scores_file_is_read_strictly(site, files):
    files["scores"].write_text("employee_id,score\nE001,90\nE002,high\n")
    result = run("fairness", "--scores", files["scores"], "--groups", files["groups"])
    assert result.exit_code == 3 and "scores.csv:3:2: score: 'high' is not a number" in result.output


# --- on generated data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The tiny preset with its group file beside it, loaded, scored and detected once."""
    from graphrisk.files import write_findings
    from graphrisk.generate import generate
    from graphrisk.ingest import read_dataset
    from graphrisk.rules import detect
    from graphrisk.scoring import score
    from graphrisk.scoring.output import score_rows, write_scores
    from graphrisk.store.embedded import EmbeddedStore

    root = tmp_path_factory.mktemp("fair")
    generate(root / "data", preset="tiny", seed=3)
    store = EmbeddedStore(root / "store")
    store.load(read_dataset(root / "data"))
    write_scores(score_rows(score(store)), root / "scores.parquet")
    write_findings(detect(store).findings, root / "findings.csv")
    return root


def test_the_generator_writes_the_group_file_beside_the_data_set(generated):
    groups = pd.read_csv(generated / "data.audit_groups.csv", dtype=str)
    truth = pd.read_csv(generated / "data" / "ground_truth.csv", dtype=str)
    employees = pd.read_csv(generated / "data" / "employees.csv", dtype=str)
    assert list(groups.columns) == ["employee_id", "group"]
    assert sorted(groups["employee_id"]) == sorted(employees["employee_id"]) == list(groups["employee_id"])
    large = set(truth.loc[truth["label"] == "lookalike:large-family", "employee_id"])
    assert set(groups.loc[groups["group"] == "large-family", "employee_id"]) == large and large
    assert set(groups["group"]) == {"large-family", "other"}
    assert not list((generated / "data").glob("*audit_groups*"))


def test_the_report_runs_on_generated_data(site, generated):
    args = (
        "fairness",
        "--scores",
        generated / "scores.parquet",
        "--groups",
        generated / "data.audit_groups.csv",
    )
    result = run(*args, "--findings", generated / "findings.csv", "--min-group-size", "1", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    sizes = report["groups"]
    assert sizes["large-family"] + sizes["other"] == report["population"]
    names = [m["name"] for m in report["measures"]]
    assert names[:3] == ["top 1%", "top 2%", "alerts"] and names[-1] == "any finding"
    assert any(n.startswith("rule ") for n in names)
    for m in report["measures"]:
        assert sum(r["count"] for r in m["rows"]) == m["selected"]
    text = run(*args)  # the tiny preset's few large families are too small to show by default
    assert text.exit_code == 0 and "too small" in text.stdout
