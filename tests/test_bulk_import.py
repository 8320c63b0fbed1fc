"""The offline bulk import (``graphrisk neo4j import``, ``scripts/neo4j-import``) gives the graph that
``graphrisk load`` gives, and refuses what it cannot do with a clear message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MICRO, overlay
from reliability import covers

from graphrisk.cli import main
from graphrisk.graph import NODES, RELATIONSHIPS
from graphrisk.ingest import read_dataset
from graphrisk.store.bulk_import import write_import_files
from graphrisk.store.neo4j import Neo4jStore

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
KEYS = {spec.label: spec.key for spec in NODES}


def graph_of(store: Neo4jStore) -> dict:
    """Every node (labels and properties) per label and every relationship (end keys and
    properties) per type and end labels, as multisets: two stores hold the same graph when equal."""
    graph = {}
    for spec in NODES:
        rows = store.runner.run_text(f"MATCH (n:{spec.label}) RETURN labels(n) AS l, properties(n) AS p")
        graph[spec.label] = Counter(repr((sorted(r.l), sorted(r.p.items()))) for r in rows.itertuples())
    for spec in {(r.type, r.start, r.end): r for r in RELATIONSHIPS}.values():
        rows = store.runner.run_text(
            f"MATCH (a:{spec.start})-[r:{spec.type}]->(b:{spec.end}) "
            f"RETURN a.{KEYS[spec.start]} AS s, b.{KEYS[spec.end]} AS e, properties(r) AS p"
        )
        graph[spec.type, spec.start, spec.end] = Counter(
            repr((r.s, r.e, sorted(r.p.items()))) for r in rows.itertuples()
        )
    # nothing beside the model: no other label or type, no node without a label of the model
    rest = store.runner.run_text(
        "MATCH (n) WHERE NOT n:GraphriskLock RETURN count(n) AS nodes, COUNT { ()-[]->() } AS rels"
    ).iloc[0]
    graph["totals"] = (int(rest.nodes), int(rest.rels))
    return graph


def constraints_of(store: Neo4jStore) -> set[str]:
    return set(store.runner.run_text("SHOW CONSTRAINTS YIELD name RETURN name").name)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    from graphrisk.generate import generate

    out = tmp_path_factory.mktemp("tiny") / "data"
    generate(out, preset="tiny", seed=3, days=2)  # 11,648 nodes: over the 10,000 the test asks for
    return out


def _state_dir(tmp_path: Path) -> Path:
    """A state dir for a second local server, with the test server's cached classpath when there
    is one (Maven would resolve the same jars again)."""
    state = tmp_path / "neo4j"
    state.mkdir()
    test_state = Path(os.environ.get("GRAPHRISK_NEO4J_HOME") or ROOT / ".neo4j")
    for cached in test_state.glob("classpath-*.txt"):
        shutil.copy(cached, state / cached.name)
    return state


@pytest.mark.neo4j
@covers("neo4j-bulk-import-refused")
def test_bulk_import_gives_the_graph_load_gives(neo4j_store, tiny, tmp_path):
    ds = read_dataset(tiny)
    neo4j_store.load(ds)
    loaded = graph_of(neo4j_store)
    assert loaded["totals"][0] > 10_000

    state = _state_dir(tmp_path)
    env = dict(
        os.environ, GRAPHRISK_NEO4J_HOME=str(state), GRAPHRISK=str(Path(sys.executable).parent / "graphrisk")
    )
    try:
        done = subprocess.run(
            [SCRIPTS / "neo4j-import", tiny], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
        uri = done.stdout.strip()
        assert uri.startswith("bolt://127.0.0.1:")
        imported = Neo4jStore(uri)
        try:
            assert graph_of(imported) == loaded
            assert constraints_of(imported) == constraints_of(neo4j_store)
            # the batched loader carries on from the import: the same rows again change nothing
            imported.load(ds)
            assert graph_of(imported) == loaded
        finally:
            imported.close()

        # without --replace the importer refuses the database that now exists; the server is
        # stopped for it by scripts/neo4j-admin
        result = CliRunner().invoke(
            main,
            ["neo4j", "import", str(tiny), "--neo4j-admin", str(SCRIPTS / "neo4j-admin")],
            env={"GRAPHRISK_NEO4J_HOME": str(state)},
        )
        assert result.exit_code == 4, result.output
        assert "the Neo4j import" in result.stderr and "nothing was changed" in result.stderr
        assert "already exist" in result.stderr and "--replace" in result.stderr
    finally:
        subprocess.run([SCRIPTS / "neo4j-stop"], env=env, capture_output=True, timeout=120)


def test_the_files_carry_the_graph_model(tmp_path):
    files = write_import_files(read_dataset(MICRO), tmp_path)
    labels = [label for label, _ in files.nodes]
    assert labels == [spec.label for spec in NODES]
    access = (tmp_path / "node_access.csv").read_text().splitlines()
    assert access[0] == (
        '"access_id:ID(Access)","ts:datetime","system","target_type","target_id","action",'
        '"case_id","employee_id"'
    )
    assert len(access) == 1 + files.rows["node_access.csv"] == 7
    # a timestamp in UTC ISO form; a missing case an empty unquoted field (no property)
    assert any(line.split(",")[1].endswith('Z"') and ",," in line for line in access[1:])
    related = (tmp_path / "rel_person_related_to_person.csv").read_text().splitlines()
    assert related[0] == '":START_ID(Person)",":END_ID(Person)","kind","source","since:date"'


@covers("neo4j-bulk-import-bad-data")
def test_a_bad_data_set_is_refused_before_the_importer_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ran"
    admin = tmp_path / "admin"
    admin.write_text(f"#!/bin/sh\ntouch {marker}\n")
    admin.chmod(0o755)
    result = CliRunner().invoke(
        main, ["neo4j", "import", str(overlay("bad_timestamps", tmp_path)), "--neo4j-admin", str(admin)]
    )
    assert result.exit_code == 3, result.output
    assert "access_log.csv:" in result.stderr
    assert not marker.exists()


@covers("neo4j-bulk-import-refused")
def test_a_missing_or_failing_importer_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        main, ["neo4j", "import", str(MICRO), "--neo4j-admin", str(tmp_path / "none")]
    )
    assert result.exit_code == 2, result.output
    assert "not found" in result.stderr and "bin/neo4j-admin" in result.stderr
    admin = tmp_path / "admin"
    admin.write_text("#!/bin/sh\necho 'ERROR: Database already exists: neo4j' >&2\nexit 1\n")
    admin.chmod(0o755)
    result = CliRunner().invoke(main, ["neo4j", "import", str(MICRO), "--neo4j-admin", str(admin), "--json"])
    assert result.exit_code == 4, result.output
    assert "Database already exists: neo4j" in result.output
    assert "Traceback" not in result.output
