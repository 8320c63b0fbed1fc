"""No lost loads: the embedded store's lock, its crash-safe swap, old layouts, one look-up one
employee on both stores, and store and output files readable by their owner only."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import MICRO
from reliability import covers

from graphrisk.cli import main
from graphrisk.contract import TABLES
from graphrisk.errors import DataError
from graphrisk.ingest import read_dataset
from graphrisk.store import EmbeddedStore
from graphrisk.store.embedded import FAULT_EXIT_CODE, FAULT_STEPS, MANIFEST, WRITE_LOCK
from graphrisk.store.neo4j import Mode

GRAPHRISK = Path(sys.executable).parent / "graphrisk"
MICRO_ACCESSES = 6


def run(*args, env=None):
    """A command in this process (fast); the store is opened and closed by the command itself."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def spawn(*args, env=None) -> subprocess.Popen:
    """A command in its own process, as a second user would start it."""
    full = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [str(GRAPHRISK), *map(str, args)], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def with_accesses(target: Path, ids: list[str], *, employee="E1") -> Path:
    """The micro data set in ``target`` with look-ups ``ids`` added (E1 viewing P7 at night)."""
    shutil.copytree(MICRO, target)
    log = pd.read_csv(target / "access_log.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame(
        [
            [
                i,
                f"2026-03-06T{1 + n // 60:02d}:{n % 60:02d}:00+01:00",
                employee,
                "BVI",
                "person",
                "P7",
                "view",
                "",
            ]
            for n, i in enumerate(ids)
        ],
        columns=log.columns,
    )
    pd.concat([log, extra]).to_csv(target / "access_log.csv", index=False)
    return target


def access_ids(store_dir: Path) -> set[str]:
    with EmbeddedStore(store_dir) as store:
        return set(store.table("access_log")["access_id"])


def wait_until_holding(store_dir: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until ``proc`` holds the store's write lock (its pid is written in write.lock)."""
    deadline = time.monotonic() + timeout
    lock = store_dir / WRITE_LOCK
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the load ended before taking the lock: {proc.communicate()}")
        text = lock.read_text() if lock.exists() else ""
        if text.strip() and json.loads(text).get("pid") == proc.pid:
            return
        time.sleep(0.05)
    pytest.fail("the load did not take the write lock in time")


def sorted_tables(store_dir: Path) -> dict[str, pd.DataFrame]:
    with EmbeddedStore(store_dir) as store:
        return {
            name: frame.sort_values(list(TABLES[name].key)).reset_index(drop=True)
            for name, frame in store.tables().items()
        }


def assert_same_store(a: Path, b: Path) -> None:
    left, right = sorted_tables(a), sorted_tables(b)
    assert left.keys() == right.keys()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)


def leftovers(store_dir: Path) -> list[str]:
    """Entries a finished load must not leave: staging, trash, old versions, a manifest being written."""
    with EmbeddedStore(store_dir) as store:
        current = store.tables_dir.name
    return sorted(
        p.name
        for p in store_dir.iterdir()
        if p.name.startswith((".tables-", ".trash-", f".{MANIFEST}"))
        or (p.name.startswith("tables") and p.name != current)
    )


# -- 1. the lock: a second load waits or is refused, a reader sees one version ----------------------


@covers("concurrent-loads")
def test_two_loads_at_once_keep_both_row_sets(tmp_path):
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).load(read_dataset(MICRO))
    a = with_accesses(tmp_path / "a", [f"A{i}" for i in range(20)])
    b = with_accesses(tmp_path / "b", [f"B{i}" for i in range(20)])
    # A holds the write lock for 3 s before it reads the store; B starts while A holds it
    first = spawn(
        "load", a, "--store", store_dir, "-q", env={"GRAPHRISK_FAULT": "embedded-swap:locked:sleep=3"}
    )
    wait_until_holding(store_dir, first)
    started = time.monotonic()
    EmbeddedStore(store_dir).load(read_dataset(b))
    waited = time.monotonic() - started
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert waited > 1.0  # B waited for A instead of reading the store A was about to replace
    ids = access_ids(store_dir)
    assert {f"A{i}" for i in range(20)} <= ids and {f"B{i}" for i in range(20)} <= ids
    assert len(ids) == MICRO_ACCESSES + 40


@covers("concurrent-load-refused")
def test_a_second_load_that_may_not_wait_is_refused_naming_the_holder(tmp_path):
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).load(read_dataset(MICRO))
    a = with_accesses(tmp_path / "a", ["A1"])
    b = with_accesses(tmp_path / "b", ["B1"])
    first = spawn(
        "load", a, "--store", store_dir, "-q", env={"GRAPHRISK_FAULT": "embedded-swap:locked:sleep=3"}
    )
    wait_until_holding(store_dir, first)
    result = run("load", b, "--store", store_dir, env={"GRAPHRISK_LOCK_WAIT": "0"})
    first.communicate(timeout=120)
    assert result.exit_code == 4
    assert "Traceback" not in result.output
    assert f"the embedded store at {store_dir} is being loaded by process {first.pid}" in result.stderr
    assert "'graphrisk load" in result.stderr and "GRAPHRISK_LOCK_WAIT" in result.stderr
    assert "B1" not in access_ids(store_dir) and "A1" in access_ids(store_dir)


@covers("lock-wait-invalid")
def test_a_lock_wait_that_is_no_number_is_a_usage_error(tmp_path):
    result = run("load", MICRO, "--store", tmp_path / "store", env={"GRAPHRISK_LOCK_WAIT": "soon"})
    assert result.exit_code == 2
    assert "GRAPHRISK_LOCK_WAIT='soon' must be a number of seconds" in result.stderr
    assert "Traceback" not in result.output


@covers("read-during-load")
def test_a_reader_keeps_the_version_it_started_with(tmp_path):
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).load(read_dataset(MICRO))
    reader = EmbeddedStore(store_dir)
    assert len(reader.table("access_log")) == MICRO_ACCESSES  # the first read pins the version
    old_version = reader.tables_dir
    before = reader.stats().to_dict()

    EmbeddedStore(store_dir).load(read_dataset(with_accesses(tmp_path / "a", ["A1", "A2"])))
    # every later read of the same reader is of the version it started with, all tables alike
    assert len(reader.table("access_log")) == MICRO_ACCESSES
    assert reader.stats().to_dict() == before
    assert old_version.is_dir()  # the load left it: a reader holds it
    with EmbeddedStore(store_dir) as fresh:
        assert len(fresh.table("access_log")) == MICRO_ACCESSES + 2
    reader.close()
    EmbeddedStore(store_dir).load(read_dataset(MICRO))  # the next load retires the free version
    assert not old_version.exists()
    assert leftovers(store_dir) == []


@covers("read-during-load")
def test_commands_during_a_load_see_the_old_store_whole(tmp_path):
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).load(read_dataset(MICRO))
    old_stats = json.loads(run("stats", "--json", "--store", store_dir).stdout)
    old_scores = _scores(run("score", "--json", "--store", store_dir))
    new_data = with_accesses(tmp_path / "a", ["A1", "A2"])
    # the new version is complete on disk but not yet named by the manifest
    loading = spawn(
        "load", new_data, "--store", store_dir, "-q", env={"GRAPHRISK_FAULT": "embedded-swap:renamed:sleep=4"}
    )
    wait_until_holding(store_dir, loading)
    deadline = time.monotonic() + 60
    while len(list(store_dir.glob("tables-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(run("stats", "--json", "--store", store_dir).stdout) == old_stats
    assert _scores(run("score", "--json", "--store", store_dir)) == old_scores
    assert loading.wait(timeout=120) == 0
    assert (
        json.loads(run("stats", "--json", "--store", store_dir).stdout)["nodes"]["Access"]
        == MICRO_ACCESSES + 2
    )


def _scores(result) -> dict:
    """A score command's JSON without its timings."""
    payload = json.loads(result.stdout)
    return {k: v for k, v in payload.items() if k not in ("timings", "seconds")}


# -- 2. a crash at every step of a load --------------------------------------------------------------


@covers("crash-during-load")
@pytest.mark.parametrize("step", FAULT_STEPS)
def test_a_crash_at_any_step_leaves_a_working_store_and_a_rerun_completes(tmp_path, step):
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).load(read_dataset(MICRO))
    new_data = with_accesses(tmp_path / "new", ["A1", "A2"])
    crashed = spawn(
        "load", new_data, "--store", store_dir, "-q", env={"GRAPHRISK_FAULT": f"embedded-swap:{step}"}
    )
    _, err = crashed.communicate(timeout=120)
    assert crashed.returncode == FAULT_EXIT_CODE, f"step {step} was not reached: {err}"

    # every command works, on the old store or the new one, never a mix
    stats = run("stats", "--json", "--store", store_dir)
    assert stats.exit_code == 0, stats.output
    published = FAULT_STEPS.index(step) >= FAULT_STEPS.index("published")
    assert json.loads(stats.stdout)["nodes"]["Access"] == MICRO_ACCESSES + (2 if published else 0)
    for command in (["detect", "--json"], ["score", "--json"]):
        result = run(*command, "--store", store_dir)
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output

    rerun = run("load", new_data, "--store", store_dir, "-q")
    assert rerun.exit_code == 0, rerun.output
    clean = tmp_path / "clean"
    EmbeddedStore(clean).load(read_dataset(MICRO))
    EmbeddedStore(clean).load(read_dataset(new_data))
    assert_same_store(store_dir, clean)
    assert leftovers(store_dir) == []


# -- format 1: stores written before the versioned layout, also broken mid-swap ----------------------


def _write_legacy_tables(directory: Path, dataset) -> dict[str, int]:
    directory.mkdir(parents=True)
    rows = {}
    for name, frame in dataset.tables.items():
        if name != "ground_truth":
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), directory / f"{name}.parquet")
            rows[name] = len(frame)
    return rows


def _legacy_store(store_dir: Path, state: str, newer: Path) -> None:
    """A format-1 store holding the micro set, in ``state`` (what a crash of the old swap left)."""
    old, new = read_dataset(MICRO), read_dataset(newer)
    if state == "intact":
        rows = _write_legacy_tables(store_dir / "tables", old)
    elif state == "no-tables-after-crash":  # killed between 'tables -> .tables-old' and 'staging -> tables'
        rows = _write_legacy_tables(store_dir / ".tables-old-4242", old)
        _write_legacy_tables(store_dir / ".tables-new-4242", new)
    elif state == "new-tables-under-old-manifest":  # killed before the manifest was replaced
        rows = _write_legacy_tables(store_dir / ".tables-old-4242", old)
        _write_legacy_tables(store_dir / "tables", new)
    elif state == "staging-left-behind":  # killed while writing the new tables
        rows = _write_legacy_tables(store_dir / "tables", old)
        (store_dir / ".tables-new-4242").mkdir()
        (store_dir / ".tables-new-4242" / "areas.parquet").write_bytes(b"PAR1 half")
    else:
        raise AssertionError(state)
    manifest = {"format_version": 1, "graphrisk_version": "0.1.0", "loaded_at": "2026-03-06T00:00:00+00:00"}
    (store_dir / MANIFEST).write_text(json.dumps({**manifest, "tables": rows}))


@covers("old-layout-store")
@pytest.mark.parametrize(
    "state", ["intact", "no-tables-after-crash", "new-tables-under-old-manifest", "staging-left-behind"]
)
def test_a_store_in_the_old_layout_is_read_then_migrated(tmp_path, state):
    store_dir = tmp_path / "store"
    newer = with_accesses(tmp_path / "new", ["A1", "A2"])
    _legacy_store(store_dir, state, newer)
    stats = run("stats", "--json", "--store", store_dir)
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["nodes"]["Access"] == MICRO_ACCESSES  # what its manifest says
    assert run("detect", "--json", "--store", store_dir).exit_code == 0

    assert run("load", newer, "--store", store_dir, "-q").exit_code == 0
    assert (
        json.loads(run("stats", "--json", "--store", store_dir).stdout)["nodes"]["Access"]
        == MICRO_ACCESSES + 2
    )
    assert run("load", newer, "--store", store_dir, "-q").exit_code == 0  # the next load removes the old dirs
    assert not (store_dir / "tables").exists()
    assert leftovers(store_dir) == []
    clean = tmp_path / "clean"
    EmbeddedStore(clean).load(read_dataset(MICRO))
    EmbeddedStore(clean).load(read_dataset(newer))
    assert_same_store(store_dir, clean)


# -- 3. one look-up, one employee: both stores refuse a reload that changes an access ----------------


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    if request.param == "embedded":
        with EmbeddedStore(tmp_path / "store") as embedded:
            yield embedded
    else:
        yield request.getfixturevalue("neo4j_store")


def _changed_micro(target: Path) -> Path:
    """Micro with X1 performed by E2 instead of E1 (line 2), X4 an hour later (line 5), and a new X7."""
    shutil.copytree(MICRO, target)
    path = target / "access_log.csv"
    text = path.read_text()
    text = text.replace("X1,2026-03-02T09:15:00+01:00,E1,", "X1,2026-03-02T09:15:00+01:00,E2,")
    text = text.replace("X4,2026-03-04T08:05:00+00:00,", "X4,2026-03-04T09:05:00+00:00,")
    path.write_text(text + "X7,2026-03-06T01:00:00+01:00,E1,BVI,person,P7,view,\n")
    return target


@covers("access-id-changed")
def test_a_reload_that_changes_an_access_is_refused_and_writes_nothing(store, tmp_path):
    store.load(read_dataset(MICRO))
    before = store.stats().to_dict()
    with pytest.raises(DataError) as refused:
        store.load(read_dataset(_changed_micro(tmp_path / "changed")))
    messages = [str(p) for p in refused.value.problems]
    assert refused.value.total == 2
    assert messages[0] == (
        "access_log.csv:2: access_id: 'X1' is in the store with other content: "
        "employee_id 'E1' there, 'E2' here"
    )
    assert messages[1] == (
        "access_log.csv:5: access_id: 'X4' is in the store with other content: "
        "ts 2026-03-04T08:05:00+00:00 there, 2026-03-04T09:05:00+00:00 here"
    )
    assert "load with --replace" in messages[-1]
    if isinstance(store, EmbeddedStore):
        store.close()  # read the store as it is now
    assert store.stats().to_dict() == before  # X7, further down the same file, was not written either
    store.load(read_dataset(MICRO))  # the same rows again are skipped, not refused
    assert store.stats().to_dict() == before


@covers("access-id-changed")
def test_the_refusal_through_the_cli_names_the_line_and_exits_3(tmp_path):
    store_dir = tmp_path / "store"
    assert run("load", MICRO, "--store", store_dir, "-q").exit_code == 0
    result = run("load", _changed_micro(tmp_path / "changed"), "--store", store_dir)
    assert result.exit_code == 3
    assert "Error: 2 problems in the data set" in result.stderr
    assert "access_log.csv:2: access_id: 'X1' is in the store with other content" in result.stderr
    assert "Nothing was written." in result.stderr
    assert "Traceback" not in result.output


def _performed_and_targeted(neo4j_store) -> pd.DataFrame:
    frame = neo4j_store.runner.run_text(
        "MATCH (a:Access) "
        "OPTIONAL MATCH (e:Employee)-[:PERFORMED]->(a) "
        "OPTIONAL MATCH (a)-[:TARGETED]->(t) "
        "RETURN a.access_id AS access_id, e.employee_id AS employee_id, "
        "coalesce(t.person_id, t.vehicle_id, t.address_id, t.case_id) AS target_id"
    )
    return frame.sort_values(["access_id", "employee_id", "target_id"]).reset_index(drop=True)


@pytest.mark.neo4j
@covers("neo4j-one-lookup-one-employee")
def test_neo4j_and_the_embedded_store_end_equal_after_reloads(neo4j_store, tmp_path):
    embedded = EmbeddedStore(tmp_path / "store")
    extra = with_accesses(tmp_path / "extra", ["A1", "A2"])
    reused = with_accesses(tmp_path / "reused", ["A1"], employee="E2")  # A1 now by someone else
    for data in (MICRO, extra, MICRO):
        for target in (embedded, neo4j_store):
            target.load(read_dataset(data))
    for target in (embedded, neo4j_store):
        with pytest.raises(DataError) as refused:
            target.load(read_dataset(reused))
        assert "'A1' is in the store with other content: employee_id 'E1' there, 'E2' here" in str(
            refused.value.problems[0]
        )
    embedded.close()
    assert neo4j_store.stats().to_dict() == embedded.stats().to_dict()
    links = _performed_and_targeted(neo4j_store)
    assert not links["access_id"].duplicated().any()  # one employee and one target per access
    log = embedded.table("access_log")[["access_id", "employee_id", "target_id"]].astype(object)
    expected = log.sort_values(["access_id", "employee_id", "target_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(links.astype(object), expected, check_dtype=False)
    embedded.close()


def _performers(neo4j_store) -> pd.DataFrame:
    return neo4j_store.runner.run_text(
        "MATCH (e:Employee)-[:PERFORMED]->(a:Access) "
        "RETURN a.access_id AS access_id, e.employee_id AS employee_id"
    )


def _lock_nodes(neo4j_store) -> int:
    return int(neo4j_store.runner.run_text("MATCH (l:GraphriskLock) RETURN count(l) AS n").iloc[0]["n"])


@pytest.mark.neo4j
@covers("neo4j-concurrent-loads")
def test_two_neo4j_loads_at_once_attribute_each_access_to_one_employee(neo4j_store, neo4j_uri, tmp_path):
    neo4j_store.load(read_dataset(MICRO))
    ids = [f"X{i:07d}" for i in range(1, 301)]
    a = with_accesses(tmp_path / "a", ids, employee="E1")
    b = with_accesses(tmp_path / "b", ids, employee="E2")
    # each load pauses 3 s between its check of stored accesses and its writes: without a lock,
    # both checks find X0000001-X0000300 new and both loads write them
    env = {"NEO4J_URI": neo4j_uri, "GRAPHRISK_FAULT": "neo4j-load:checked:sleep=3"}
    procs = [spawn("load", data, "-q", env=env) for data in (a, b)]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 3], results
    refused = next(err for code, err in results if code == 3)
    assert "is in the store with other content: employee_id" in refused and "Traceback" not in refused
    performers = _performers(neo4j_store)
    assert set(performers["access_id"]) >= set(ids)
    assert not performers["access_id"].duplicated().any()  # one employee per access
    assert performers[performers["access_id"].isin(ids)]["employee_id"].nunique() == 1
    assert _lock_nodes(neo4j_store) == 0  # both released the lock


@pytest.mark.neo4j
@covers("neo4j-load-lock-held")
def test_a_neo4j_load_held_elsewhere_is_refused_naming_the_holder_until_broken(neo4j_store, neo4j_uri):
    neo4j_store.load(read_dataset(MICRO))
    holder = {"token": "t-elsewhere", "pid": 4242, "host": "elsewhere", "command": "graphrisk load x"}
    neo4j_store.runner.run("lock/acquire", {**holder, "since": "2026-03-06T01:00:00+00:00"}, mode=Mode.WRITE)
    env = {"NEO4J_URI": neo4j_uri, "GRAPHRISK_LOCK_WAIT": "0"}
    result = run("load", MICRO, env=env)
    assert result.exit_code == 4
    assert "Traceback" not in result.output
    assert f"Neo4j at {neo4j_uri} is being loaded by process 4242 on elsewhere ('graphrisk load x')" in (
        result.stderr
    )
    assert "GRAPHRISK_LOCK_WAIT" in result.stderr and "--break-lock" in result.stderr
    assert run("load", MICRO, "--break-lock", "-q", env=env).exit_code == 0
    assert _lock_nodes(neo4j_store) == 0


@pytest.mark.neo4j
@covers("neo4j-load-lock-stale")
def test_a_neo4j_lock_left_by_a_dead_process_on_this_host_is_taken_over(neo4j_store, neo4j_uri):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    holder = {"token": "t-gone", "pid": gone.pid, "host": socket.gethostname(), "command": "graphrisk load y"}
    neo4j_store.load(read_dataset(MICRO))
    neo4j_store.runner.run("lock/acquire", {**holder, "since": "2026-03-06T01:00:00+00:00"}, mode=Mode.WRITE)
    result = run("load", MICRO, "-q", env={"NEO4J_URI": neo4j_uri, "GRAPHRISK_LOCK_WAIT": "0"})
    assert result.exit_code == 0, result.output
    assert _lock_nodes(neo4j_store) == 0
    assert run("load", MICRO, "--break-lock", "-q").exit_code == 2  # embedded: no such lock to break


# -- 9. files readable by their owner only -------------------------------------------------------------


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


@covers("store-file-modes")
def test_store_files_and_directories_are_private(tmp_path, umask_022):
    store_dir = tmp_path / "deep" / "store"
    assert run("load", MICRO, "--store", store_dir, "-q").exit_code == 0
    modes = _modes(store_dir)
    dirs = {p for p in modes if (store_dir / p).is_dir()}
    assert {p: oct(m) for p, m in modes.items() if p in dirs and m != 0o700} == {}
    assert {p: oct(m) for p, m in modes.items() if p not in dirs and m != 0o600} == {}
    assert any(p.endswith("persons.parquet") for p in modes)
    assert stat.S_IMODE((tmp_path / "deep").stat().st_mode) == 0o700  # created for the store: ours too


@covers("store-foreign-folder")
def test_a_folder_that_is_not_a_store_is_refused_and_keeps_its_mode(tmp_path, umask_022):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2775)  # a group's shared folder, setgid
    (shared / "notes.txt").write_text("team notes\n")
    result = run("load", MICRO, "--store", shared)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"--store {shared}: this folder holds other files (notes.txt) and is not a graphrisk store" in (
        result.stderr
    )
    assert stat.S_IMODE(shared.stat().st_mode) == 0o2775
    assert sorted(p.name for p in shared.iterdir()) == ["notes.txt"]
    # an empty folder someone made is used, but its mode is theirs
    empty = tmp_path / "empty"
    empty.mkdir()
    empty.chmod(0o2775)
    assert run("load", MICRO, "--store", empty, "-q").exit_code == 0
    assert stat.S_IMODE(empty.stat().st_mode) == 0o2775
    assert (empty / MANIFEST).is_file()
    # a store (as an older graphrisk left it, 0755) is graphrisk's: a load narrows it
    store_dir = tmp_path / "store"
    assert run("load", MICRO, "--store", store_dir, "-q").exit_code == 0
    store_dir.chmod(0o755)
    assert run("load", MICRO, "--store", store_dir, "-q").exit_code == 0
    assert stat.S_IMODE(store_dir.stat().st_mode) == 0o700
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = run("load", MICRO, "--store", a_file)
    assert result.exit_code == 2 and "Traceback" not in result.output


@covers("store-file-modes")
def test_a_configured_mode_opens_the_store_to_a_group(tmp_path, umask_022):
    store_dir = tmp_path / "store"
    env = {"GRAPHRISK_FILE_MODE": "640"}
    assert run("load", MICRO, "--store", store_dir, "-q", env=env).exit_code == 0
    modes = _modes(store_dir)
    assert modes["."] == 0o750
    assert {oct(m) for p, m in modes.items() if (store_dir / p).is_file()} == {"0o640"}
    bad = run("load", MICRO, "--store", store_dir, env={"GRAPHRISK_FILE_MODE": "777"})
    assert bad.exit_code == 2
    assert "GRAPHRISK_FILE_MODE='777' is not a file mode graphrisk can use" in bad.stderr
    assert "Traceback" not in bad.output


@covers("output-file-modes")
def test_output_files_are_private(tmp_path, umask_022):
    store_dir = tmp_path / "store"
    assert run("load", MICRO, "--store", store_dir, "-q").exit_code == 0
    for command, out in (
        ("detect", tmp_path / "out" / "findings.csv"),
        ("score", tmp_path / "scores.parquet"),
    ):
        result = run(command, "--store", store_dir, "--out", out, "-q")
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o600, command
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
