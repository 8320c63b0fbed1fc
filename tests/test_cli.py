"""The command line as a user meets it: exit codes, messages, output modes, store selection."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import MICRO, overlay

from graphrisk.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args, env=None):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_load_then_stats_on_the_default_embedded_store(run, tmp_path):
    result = run("load", str(MICRO))
    assert result.exit_code == 0, result.output
    assert "Loaded 46 rows from 15 files" in result.stderr
    assert (tmp_path / ".graphrisk" / "manifest.json").is_file()
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["store"] == "embedded"
    assert stats["nodes"]["Access"] == 6
    assert stats["relationships"]["TARGETED"] == 6


def test_store_option_and_env_select_the_directory(run, tmp_path):
    assert run("load", str(MICRO), "--store", "a", "-q").exit_code == 0
    assert (tmp_path / "a" / "manifest.json").is_file()
    assert run("load", str(MICRO), "-q", env={"GRAPHRISK_STORE": str(tmp_path / "b")}).exit_code == 0
    assert (tmp_path / "b" / "manifest.json").is_file()
    # an empty NEO4J_URI counts as unset: the embedded store is used
    result = run("stats", "--json", env={"NEO4J_URI": "", "GRAPHRISK_STORE": str(tmp_path / "b")})
    assert json.loads(result.stdout)["store"] == "embedded"


def test_bad_data_lists_problems_exits_3_and_writes_nothing(run, tmp_path):
    result = run("load", str(overlay("dangling", tmp_path)))
    assert result.exit_code == 3
    assert "Error: 2 problems in the data set" in result.stderr
    assert "  access_log.csv:5:3: employee_id: 'E9' is not an id in employees" in result.stderr
    assert "Nothing was written." in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / ".graphrisk").exists()


def test_bad_data_leaves_an_existing_store_as_it_was(run, tmp_path):
    run("load", str(MICRO), "-q")
    before = (tmp_path / ".graphrisk" / "manifest.json").read_text()
    assert run("load", str(overlay("latin1", tmp_path)), "--replace").exit_code == 3
    assert (tmp_path / ".graphrisk" / "manifest.json").read_text() == before


def test_json_mode_reports_errors_as_json(run, tmp_path):
    result = run("load", str(overlay("unknown_enum", tmp_path)), "--json")
    assert result.exit_code == 3
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["problem_count"] == 3
    assert payload["problems"][0].startswith("access_log.csv:2:5: target_type:")


def test_stats_on_an_empty_store_says_what_to_do(run):
    result = run("stats")
    assert result.exit_code == 4
    assert "run 'graphrisk load DATASET_DIR' first" in result.stderr


def test_unreachable_neo4j_is_a_one_line_error(run):
    result = run("stats", "--neo4j-uri", "bolt://127.0.0.1:9")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: Neo4j")
    assert "Traceback" not in result.output


def test_missing_data_set_directory(run):
    result = run("load", "does-not-exist")
    assert result.exit_code == 3
    assert "does-not-exist: does not exist (a data set is a directory)" in result.stderr


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_short_help_and_a_runnable_example(name, run):
    result = run(name, "-h")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"graphrisk {name}" in result.stdout.split("Example:")[1]


@pytest.mark.neo4j
def test_load_and_stats_through_neo4j(run, neo4j_store, neo4j_uri):
    env = {"NEO4J_URI": neo4j_uri}
    result = run("load", str(MICRO), "--json", env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["store"] == "neo4j"
    stats = json.loads(run("stats", "--json", env=env).stdout)
    assert stats["nodes"]["Person"] == 8


@pytest.mark.neo4j
def test_bad_data_writes_nothing_to_neo4j(run, neo4j_store, neo4j_uri, tmp_path):
    result = run("load", str(overlay("bad_timestamps", tmp_path)), env={"NEO4J_URI": neo4j_uri})
    assert result.exit_code == 3
    assert neo4j_store.stats().nodes == {}


def test_generate_then_load_then_evaluate_a_hand_made_scores_file(run, tmp_path):
    result = run("generate", "gen", "--preset", "tiny", "--seed", "5", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert rows["access_log"] > 1000 and rows["ground_truth"] > 0
    assert run("load", "gen", "-q").exit_code == 0
    employees = (tmp_path / "gen" / "employees.csv").read_text().splitlines()[1:]
    ids = [line.split(",")[0] for line in employees]
    (tmp_path / "scores.csv").write_text(
        "employee_id,score\n" + "".join(f"{e},{i % 100}\n" for i, e in enumerate(ids))
    )
    result = run("evaluate", "gen", "--scores", "scores.csv", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["employees"] == len(ids)
    assert 0.0 <= payload["roc_auc"] <= 1.0
    text = run("evaluate", "gen", "--scores", "scores.csv").stdout
    assert "insider" in text.lower()


def test_evaluate_names_the_bad_line_of_a_scores_file(run, tmp_path):
    run("generate", "gen", "--preset", "tiny", "--seed", "5", "-q")
    (tmp_path / "scores.csv").write_text("employee_id,score\nNOBODY,3\n")
    result = run("evaluate", "gen", "--scores", "scores.csv")
    assert result.exit_code == 3
    assert "scores.csv:2:1: employee_id: 'NOBODY'" in result.stderr
    assert "Nothing was written" not in result.stderr


def test_detect_engines_on_the_embedded_store(run, tmp_path):
    run("load", str(MICRO), "-q")
    out = {}
    for engine in ("duckdb", "pandas"):
        result = run("detect", "--engine", engine, "--out", f"{engine}.csv", "--json")
        assert result.exit_code == 0, result.output
        out[engine] = json.loads(result.stdout)
        assert out[engine]["engine"] == engine
    assert out["duckdb"]["findings"] == out["pandas"]["findings"] > 0
    assert (tmp_path / "duckdb.csv").read_text() == (tmp_path / "pandas.csv").read_text()
    assert json.loads(run("detect", "--json").stdout)["engine"] == "duckdb"  # the default
    refused = run("detect", "--engine", "cypher")
    assert refused.exit_code != 0
    assert "Error: the cypher engine runs on the neo4j store, not on embedded; use duckdb" in refused.stderr
    assert "Traceback" not in refused.output
