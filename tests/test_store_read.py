"""The store's read API (graphrisk/store/base.py): both stores give the same answers, in the same types."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import MICRO
from test_stores import store as either_store  # noqa: F401 - a fixture: each test on both stores

from graphrisk.contract import TABLES
from graphrisk.errors import StoreNotFoundError
from graphrisk.ingest import read_dataset
from graphrisk.store import EmbeddedStore


@pytest.fixture
def loaded(either_store):  # noqa: F811 - the fixture imported above
    either_store.load(read_dataset(MICRO))
    if isinstance(either_store, EmbeddedStore):  # a fresh object reads the published version
        return EmbeddedStore(either_store.path)
    return either_store


def _text(frame: pd.DataFrame) -> list[tuple]:
    """Rows as comparable text, sorted: what both stores must agree on."""
    shown = frame.astype(object).where(frame.notna(), None)
    return sorted(tuple("" if v is None else str(v) for v in row) for row in shown.itertuples(index=False))


def test_rows_where_by_key_with_columns(loaded):
    found = loaded.rows_where(
        "employees", "employee_id", ["E3", "E1", "E9"], columns=["employee_id", "unit_id"]
    )
    assert list(found.columns) == ["employee_id", "unit_id"]
    assert _text(found) == [("E1", "T1"), ("E3", "U-NAT")]  # E9 is not in the store
    assert str(found["employee_id"].dtype) == "string"


def test_rows_where_on_a_relationship_column(loaded):
    # an employee's unit is a WORKS_IN relationship in Neo4j and a column in the embedded store
    found = loaded.rows_where("employees", "unit_id", ["U2"])
    assert list(found.columns) == TABLES["employees"].column_names
    assert found["employee_id"].tolist() == ["E2"]
    assert pd.Timestamp(found["start_date"].iloc[0]) == pd.Timestamp("2005-03-01")
    assert found["end_date"].isna().all()


def test_every_row_in_contract_types(loaded):
    log = loaded.rows_where("access_log")
    assert len(log) == 6
    assert str(log["ts"].dtype).startswith("datetime64") and str(log["ts"].dt.tz) == "UTC"
    units = loaded.rows_where("units", columns=["unit_id", "parent_unit_id"])
    assert ("T1", "U1") in _text(units)


def test_lookups_per_day_and_who_has_shifts(loaded):
    # X3 is 23:40 at +01:00: 22:40 UTC the same day; E3 has look-ups and no shift
    assert loaded.lookups_per_day() == {"2026-03-02": 2, "2026-03-03": 1, "2026-03-04": 2, "2026-03-05": 1}
    assert loaded.shift_status() == (["E1", "E2"], ["E3"])


def test_both_stores_read_the_same_rows(tmp_path, neo4j_store):
    embedded = EmbeddedStore(tmp_path / "store")
    dataset = read_dataset(MICRO)
    embedded.load(dataset)
    neo4j_store.load(dataset)
    embedded = EmbeddedStore(embedded.path)
    for table in ("employees", "units", "access_log", "case_assignments"):
        columns = TABLES[table].column_names
        assert _text(embedded.rows_where(table, columns=columns)) == _text(
            neo4j_store.rows_where(table, columns=columns)
        ), table


def test_nothing_asked_nothing_found(loaded):
    assert loaded.rows_where("access_log", "access_id", []).empty
    assert loaded.rows_where("access_log", "access_id", [None]).empty


def test_an_empty_store_gives_empty_frames_with_the_columns(neo4j_store, tmp_path):
    with pytest.raises(StoreNotFoundError, match="run 'graphrisk load DATASET_DIR' first"):
        EmbeddedStore(tmp_path / "nothing").rows_where("units")
    store = neo4j_store
    found = store.rows_where("units", columns=["unit_id", "name"])
    assert found.empty and list(found.columns) == ["unit_id", "name"]
    assert len(store.load_batches()) == 0


def test_graph_source_resolves_and_reads_nodes(loaded):
    source = loaded.graph_source()
    assert source.resolve("E1") == "Employee:E1"
    assert source.nodes(["Employee:E1"])["Employee:E1"]["rank"] == "hoofdagent"


def test_published_version_tells_a_new_load(tmp_path, neo4j_store):
    store = EmbeddedStore(tmp_path / "store")
    assert store.published_version() is None  # nothing published yet
    store.load(read_dataset(MICRO))
    first = store.published_version()
    assert first is not None and first == EmbeddedStore(store.path).published_version()
    store.load(read_dataset(MICRO), replace=True)
    assert store.published_version() != first
    assert neo4j_store.published_version() is None  # a live database: cache for a while only


def test_the_embedded_graph_source_is_built_once_per_version(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    store.load(read_dataset(MICRO))
    reader = EmbeddedStore(store.path)
    assert reader.graph_source() is reader.graph_source()
