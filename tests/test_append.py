"""``graphrisk load --append``: a base plus a batch equals a load of their union, on both stores;
a batch twice changes nothing; a changed look-up and a dangling reference are refused with
file, line and column; a failed append leaves the store as it was; the batch record says which
days to re-detect."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MICRO
from reliability import covers
from test_store_safety import sorted_tables

from graphrisk.cli import main
from graphrisk.contract import TABLES
from graphrisk.errors import DataError, StoreError, StoreNotFoundError
from graphrisk.graph import NODE_BY_LABEL
from graphrisk.ingest import read_dataset
from graphrisk.store import EmbeddedStore, append_batch

CUT = "2026-03-04"  # micro: look-ups before it are the base, from it the batch


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def split(source: Path, target: Path, cut: str, *, batch_tables: dict[str, pd.DataFrame] | None = None):
    """``source`` as a base (look-ups before ``cut``) and a batch (the look-ups from ``cut``, plus
    ``batch_tables``); returns (base, batch, union), all CSV directories."""
    base, batch, union = target / "base", target / "batch", target / "union"
    shutil.copytree(source, base)
    (base / "ground_truth.csv").unlink(missing_ok=True)
    batch.mkdir()
    log = pd.read_csv(source / "access_log.csv", dtype=str, keep_default_na=False)
    day = pd.to_datetime(log["ts"], utc=True, format="ISO8601").dt.strftime("%Y-%m-%d")
    log[day < cut].to_csv(base / "access_log.csv", index=False)
    log[day >= cut].to_csv(batch / "access_log.csv", index=False)
    shutil.copytree(base, union)
    log.to_csv(union / "access_log.csv", index=False)
    for name, rows in (batch_tables or {}).items():
        rows.to_csv(batch / f"{name}.csv", index=False)
        old = pd.read_csv(union / f"{name}.csv", dtype=str, keep_default_na=False)
        key = list(TABLES[name].key)
        merged = pd.concat([old, rows.astype(str)]).drop_duplicates(subset=key, keep="last")
        merged.to_csv(union / f"{name}.csv", index=False)
    return base, batch, union


def micro_changes() -> dict[str, pd.DataFrame]:
    """A closed case (C1 closed on 2026-03-05), a backdated assignment (E1 on C1 from 2026-03-01),
    a new relation and a corrected one, and a new look-up day."""
    return {
        "cases": pd.DataFrame(
            [["C1", "Onderzoek Kraai", "closed", "2026-01-10", "2026-03-05", "U2", "high"]],
            columns=TABLES["cases"].column_names,
        ),
        "case_assignments": pd.DataFrame(
            [["C1", "E1", "support", "2026-03-01", ""]], columns=TABLES["case_assignments"].column_names
        ),
        "relations": pd.read_csv(MICRO / "relations.csv", dtype=str, keep_default_na=False)
        .head(1)
        .assign(source="BVH"),
    }


def assert_same_tables(a: Path, b: Path) -> None:
    left, right = sorted_tables(a), sorted_tables(b)
    assert left.keys() == right.keys()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_dtype=False, obj=name)


def neo4j_graph(store) -> tuple[set, set]:
    """Every node (label, properties) and relationship (type, start key, end key, properties),
    the load lock and batch records left out."""
    nodes = store.runner.run_text(
        "MATCH (n) WHERE NOT n:LoadBatch AND NOT n:GraphriskLock RETURN labels(n)[0] AS label, "
        "properties(n) AS props"
    )
    # the ends by their keys only (the nodes' properties are compared above): with their whole
    # property maps this read took twice as long on the tiny preset, and the tiny test reads three times
    rels = store.runner.run_text(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a[$keys[labels(a)[0]]] AS start, "
        "b[$keys[labels(b)[0]]] AS end, properties(r) AS pr",
        {"keys": {label: spec.key for label, spec in NODE_BY_LABEL.items()}},
    )

    def frozen(props: dict) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in props.items()))

    node_set = {(r.label, frozen(r.props)) for r in nodes.itertuples()}
    rel_set = {(r.type, r.start, r.end, frozen(r.pr)) for r in rels.itertuples()}
    return node_set, rel_set


# -- the embedded store ----------------------------------------------------------------------------


def test_micro_base_plus_batch_equals_a_load_of_the_union(tmp_path):
    base, batch, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    assert run("load", base, "--store", tmp_path / "a", "-q").exit_code == 0
    result = run("load", "--append", batch, "--store", tmp_path / "a", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] is True
    assert report["tables"] == {
        "access_log": {"added": 3, "skipped": 0, "updated": 0},
        "cases": {"added": 0, "skipped": 0, "updated": 1},
        "case_assignments": {"added": 1, "skipped": 0, "updated": 0},
        "relations": {"added": 0, "skipped": 0, "updated": 1},
    }
    assert report["lookup_days"] == ["2026-03-04", "2026-03-05"]
    assert run("load", union, "--store", tmp_path / "b", "-q").exit_code == 0
    assert_same_tables(tmp_path / "a", tmp_path / "b")
    with EmbeddedStore(tmp_path / "a") as a, EmbeddedStore(tmp_path / "b") as b:
        assert a.stats() == b.stats()


def test_only_the_changed_tables_get_new_files(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    with EmbeddedStore(tmp_path / "s") as store:
        before = {p.name: p.stat().st_ino for p in store.tables_dir.glob("*.parquet")}
    assert run("load", "--append", batch, "--store", tmp_path / "s", "-q").exit_code == 0
    with EmbeddedStore(tmp_path / "s") as store:
        after = {p.name: p.stat().st_ino for p in store.tables_dir.glob("*.parquet")}
        assert store.manifest()["files"] == {
            "access_log": ["access_log.parquet", "access_log.part-000002.parquet"]
        }
    new = {name for name in after if before.get(name) != after[name]}
    assert new == {"access_log.part-000002.parquet", "load_batches.parquet"}  # the rest are links


def test_a_batch_appended_twice_changes_nothing(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    run("load", base, "--store", tmp_path / "s", "-q")
    run("load", "--append", batch, "--store", tmp_path / "s", "-q")
    manifest = (tmp_path / "s" / "manifest.json").read_text()
    again = json.loads(run("load", "--append", batch, "--store", tmp_path / "s", "--json").stdout)
    assert again["written"] is False
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again["tables"].values())
    assert (tmp_path / "s" / "manifest.json").read_text() == manifest  # no new version at all
    with EmbeddedStore(tmp_path / "s") as store:
        assert len(store.load_batches()) == 1


def test_the_batch_record_names_the_days_to_re_detect(tmp_path):
    """C1 closed and E1 assigned to C1 from 2026-03-01: the stored days of look-ups of C1's subjects
    (P6 on 2026-03-02) and citing C1 come back; a relation fix reaches E1's days (P1-P4)."""
    base, batch, _ = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    run("load", base, "--store", tmp_path / "s", "-q")
    run("load", "--append", batch, "--store", tmp_path / "s", "-q")
    stored = pd.read_csv(base / "access_log.csv")
    stored_days = set(pd.to_datetime(stored["ts"], utc=True).dt.strftime("%Y-%m-%d"))
    with EmbeddedStore(tmp_path / "s") as store:
        record = store.load_batches().iloc[0]
    assert list(record["lookup_days"]) == ["2026-03-04", "2026-03-05"]
    assert set(record["redetect_days"]) <= stored_days
    assert "2026-03-02" in set(record["redetect_days"])  # X2: E2 viewing P6, C1's informant, citing C1
    assert json.loads(record["tables"])["cases"] == {"added": 0, "skipped": 0, "updated": 1}


def test_only_todays_access_log_re_detects_nothing(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    report = json.loads(run("load", "--append", batch, "--store", tmp_path / "s", "--json").stdout)
    assert report["redetect_days"] == []
    assert report["tables"] == {"access_log": {"added": 3, "skipped": 0, "updated": 0}}


@covers("append-dangling-reference")
def test_a_reference_in_neither_batch_nor_store_names_file_line_column(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    manifest = (tmp_path / "s" / "manifest.json").read_text()
    log = (batch / "access_log.csv").read_text()
    (batch / "access_log.csv").write_text(log + "X9,2026-03-06T09:00:00+01:00,E77,BRP,person,P99,view,C9\n")
    result = run("load", "--append", batch, "--store", tmp_path / "s")
    assert result.exit_code == 3
    assert "access_log.csv:5:3: employee_id: 'E77' is not an id in employees" in result.stderr
    assert "access_log.csv:5:6: target_id: 'P99' is not an id in persons" in result.stderr
    assert "access_log.csv:5:8: case_id: 'C9' is not an id in cases" in result.stderr
    assert "Nothing was written." in result.stderr
    assert "Traceback" not in result.output
    assert (tmp_path / "s" / "manifest.json").read_text() == manifest


def test_a_batch_may_refer_to_what_the_store_holds_or_brings_it(tmp_path):
    """E1, P4 are in the store; a new employee E9 (person P9) comes with the batch and looks P4 up."""
    base, batch, _ = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    (batch / "persons.csv").write_text("person_id,name,birth_date,area_id\nP9,Nieuw Persoon,1990-01-01,M1\n")
    (batch / "employees.csv").write_text(
        "employee_id,person_id,unit_id,rank,role,start_date\nE9,P9,T1,agent,patrol,2026-03-01\n"
    )
    (batch / "access_log.csv").write_text(
        (batch / "access_log.csv").read_text() + "X9,2026-03-06T09:00:00+01:00,E9,BRP,person,P4,view,\n"
    )
    result = run("load", "--append", batch, "--store", tmp_path / "s", "--json")
    assert result.exit_code == 0, result.output
    with EmbeddedStore(tmp_path / "s") as store:
        assert "E9" in set(store.table("employees")["employee_id"])


def test_a_person_record_taken_by_a_stored_employee_is_refused(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    (batch / "employees.csv").write_text(
        "employee_id,person_id,unit_id,rank,role,start_date\nE9,P1,T1,agent,patrol,2026-03-01\n"
    )
    result = run("load", "--append", batch, "--store", tmp_path / "s")
    assert result.exit_code == 3
    assert "employees.csv:2:2: person_id: person 'P1' is already the person record of employee 'E1'" in (
        result.stderr
    )


@covers("append-access-changed")
def test_a_changed_look_up_in_a_batch_is_refused_naming_file_and_line(tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    (batch / "access_log.csv").write_text(
        (batch / "access_log.csv").read_text() + "X1,2026-03-02T09:15:00+01:00,E2,BRP,person,P4,view,\n"
    )
    manifest = (tmp_path / "s" / "manifest.json").read_text()
    result = run("load", "--append", batch, "--store", tmp_path / "s")
    assert result.exit_code == 3
    assert (
        "access_log.csv:5: access_id: 'X1' is in the store with other content: "
        "employee_id 'E1' there, 'E2' here" in result.stderr
    )
    assert "an append never rewrites the log" in result.stderr
    assert "--replace" not in result.stderr  # emptying the store is not the remedy for an append
    assert "Nothing was written." in result.stderr
    assert (tmp_path / "s" / "manifest.json").read_text() == manifest  # not the three new ones either


@covers("append-crash")
@pytest.mark.parametrize("step", ["table", "written", "manifest-written"])
def test_a_crashed_append_leaves_the_store_as_it_was_and_a_rerun_completes(tmp_path, step):
    import subprocess
    import sys

    base, batch, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    run("load", base, "--store", tmp_path / "s", "-q")
    run("load", base, "--store", tmp_path / "before", "-q")
    graphrisk = Path(sys.executable).parent / "graphrisk"
    env = {**__import__("os").environ, "GRAPHRISK_FAULT": f"embedded-swap:{step}"}
    crashed = subprocess.run(
        [graphrisk, "load", "--append", batch, "--store", tmp_path / "s", "-q"], env=env, capture_output=True
    )
    assert crashed.returncode == 86
    assert_same_tables(tmp_path / "s", tmp_path / "before")
    assert run("load", "--append", batch, "--store", tmp_path / "s", "-q").exit_code == 0
    run("load", union, "--store", tmp_path / "u-store", "-q")
    assert_same_tables(tmp_path / "s", tmp_path / "u-store")
    leftovers = [p.name for p in (tmp_path / "s").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_full_load_keeps_the_batch_records_and_joins_the_parts(tmp_path):
    base, batch, union = split(MICRO, tmp_path, CUT)
    run("load", base, "--store", tmp_path / "s", "-q")
    run("load", "--append", batch, "--store", tmp_path / "s", "-q")
    run("load", union, "--store", tmp_path / "s", "-q")
    with EmbeddedStore(tmp_path / "s") as store:
        assert store.manifest()["files"] == {}
        assert len(store.load_batches()) == 1
    run("load", union, "--store", tmp_path / "s", "--replace", "-q")
    with EmbeddedStore(tmp_path / "s") as store:
        assert len(store.load_batches()) == 0


def test_an_append_to_an_empty_store_is_refused_and_creates_nothing(tmp_path):
    _, batch, _ = split(MICRO, tmp_path, CUT)
    result = run("load", "--append", batch, "--store", tmp_path / "typo")
    assert result.exit_code == 4
    assert "load a whole data set first" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_append_and_replace_together_is_a_usage_error(tmp_path):
    result = run("load", "--append", "--replace", MICRO, "--store", tmp_path / "s")
    assert result.exit_code == 2
    assert "give one" in result.stderr


# -- the tiny preset, both stores --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny preset split into a base and its last day, the batch also closing a case and
    backdating an assignment."""
    from graphrisk.generate import generate

    root = tmp_path_factory.mktemp("tiny")
    # two days, a base of one and a batch of one: Neo4j loads it three times (union, base, batch),
    # and a load's time goes mostly to the look-ups (about 1,500 a day) and what hangs on them
    generate(root / "full", preset="tiny", seed=3, days=2)
    log = pd.read_csv(root / "full" / "access_log.csv", dtype=str)
    last = pd.to_datetime(log["ts"], utc=True, format="ISO8601").dt.strftime("%Y-%m-%d").max()
    cases = pd.read_csv(root / "full" / "cases.csv", dtype=str, keep_default_na=False)
    opened = cases[cases["status"] == "open"].head(1).assign(status="closed", closed_on=last)
    assignments = pd.read_csv(root / "full" / "case_assignments.csv", dtype=str, keep_default_na=False)
    backdated = assignments.head(1).assign(start_date="2026-03-02", end_date="", role="support")
    base, batch, union = split(
        root / "full", root, last, batch_tables={"cases": opened, "case_assignments": backdated}
    )
    return base, batch, union


def test_tiny_base_plus_day_equals_the_union_embedded(tiny, tmp_path):
    base, batch, union = tiny
    run("load", base, "--store", tmp_path / "a", "-q")
    report = json.loads(run("load", "--append", batch, "--store", tmp_path / "a", "--json").stdout)
    assert report["tables"]["cases"]["updated"] == 1
    assert report["tables"]["case_assignments"]["added"] == 1
    assert report["redetect_days"]  # a closed case and a backdated assignment reach past days
    run("load", union, "--store", tmp_path / "b", "-q")
    assert_same_tables(tmp_path / "a", tmp_path / "b")


@pytest.mark.neo4j
@covers("append-neo4j")
def test_tiny_base_plus_day_equals_the_union_on_neo4j(tiny, neo4j_store, tmp_path):
    base, batch, union = tiny
    neo4j_store.load(read_dataset(union))
    expected = neo4j_graph(neo4j_store)
    neo4j_store.clear()
    neo4j_store.load(read_dataset(base))
    summary = append_batch(neo4j_store, batch)
    assert summary.written
    assert neo4j_graph(neo4j_store) == expected
    embedded = EmbeddedStore(tmp_path / "e")
    embedded.load(read_dataset(base))
    same = append_batch(embedded, batch)
    assert same.tables == summary.tables
    assert same.lookup_days == summary.lookup_days
    assert same.redetect_days == summary.redetect_days
    again = append_batch(neo4j_store, batch)  # twice: nothing changes
    assert not again.written
    assert neo4j_graph(neo4j_store) == expected
    assert len(neo4j_store.runner.run_text("MATCH (b:LoadBatch {status: 'done'}) RETURN b")) == 1


@pytest.mark.neo4j
def test_micro_on_neo4j_refuses_a_dangling_reference_and_a_changed_look_up(neo4j_store, tmp_path):
    base, batch, _ = split(MICRO, tmp_path, CUT)
    with pytest.raises(StoreNotFoundError, match="load a whole data set first"):
        append_batch(neo4j_store, batch)  # an empty database: not a new graph of one day
    neo4j_store.load(read_dataset(base))
    before = neo4j_graph(neo4j_store)
    (batch / "access_log.csv").write_text(
        (batch / "access_log.csv").read_text()
        + "X1,2026-03-02T09:15:00+01:00,E2,BRP,person,P4,view,\n"
        + "X9,2026-03-06T09:00:00+01:00,E77,BRP,person,P4,view,\n"
    )
    with pytest.raises(DataError) as dangling:
        append_batch(neo4j_store, batch)
    assert [str(p) for p in dangling.value.problems] == [
        "access_log.csv:6:3: employee_id: 'E77' is not an id in employees"
    ]
    (batch / "access_log.csv").write_text(
        "\n".join((batch / "access_log.csv").read_text().splitlines()[:-1]) + "\n"
    )
    with pytest.raises(DataError) as changed:
        append_batch(neo4j_store, batch)
    assert str(changed.value.problems[0]).startswith("access_log.csv:5: access_id: 'X1' is in the store")
    assert neo4j_graph(neo4j_store) == before


@pytest.mark.neo4j
@covers("append-neo4j-failure")
@pytest.mark.parametrize("step", ["recorded", "written-first", "written"])
def test_a_failed_neo4j_append_is_undone(neo4j_store, tmp_path, monkeypatch, step):
    base, batch, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    neo4j_store.load(read_dataset(base))
    before = neo4j_graph(neo4j_store)
    monkeypatch.setenv("GRAPHRISK_FAULT", f"neo4j-append:{step}")
    with pytest.raises(StoreError, match="injected failure"):
        append_batch(neo4j_store, batch)
    assert neo4j_graph(neo4j_store) == before
    assert len(neo4j_store.runner.run_text("MATCH (b:LoadBatch) RETURN b")) == 0
    monkeypatch.delenv("GRAPHRISK_FAULT")
    assert append_batch(neo4j_store, batch).written
    after = neo4j_graph(neo4j_store)
    neo4j_store.clear()
    neo4j_store.load(read_dataset(union))
    assert after == neo4j_graph(neo4j_store)


@pytest.mark.neo4j
def test_a_killed_neo4j_append_is_completed_by_running_it_again(neo4j_store, neo4j_uri, tmp_path):
    import os
    import subprocess
    import sys

    base, batch, union = split(MICRO, tmp_path, CUT, batch_tables=micro_changes())
    neo4j_store.load(read_dataset(base))
    graphrisk = Path(sys.executable).parent / "graphrisk"
    env = {**os.environ, "NEO4J_URI": neo4j_uri, "GRAPHRISK_FAULT": "neo4j-append:written-first:exit"}
    killed = subprocess.run([graphrisk, "load", "--append", batch, "-q"], env=env, capture_output=True)
    assert killed.returncode == 86
    status = neo4j_store.runner.run_text("MATCH (b:LoadBatch) RETURN b.status AS s, b.redetect_days AS d")
    assert list(status["s"]) == ["writing"]
    first_days = sorted(status["d"][0])
    env.pop("GRAPHRISK_FAULT")
    done = subprocess.run(
        [graphrisk, "load", "--append", batch, "--json"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # the days found before any write are kept (the rerun may add days of the look-ups written since)
    assert set(first_days) <= set(json.loads(done.stdout)["redetect_days"])
    after = neo4j_graph(neo4j_store)
    neo4j_store.clear()
    neo4j_store.load(read_dataset(union))
    assert after == neo4j_graph(neo4j_store)
