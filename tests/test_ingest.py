"""Reading and validating data sets: the micro set by hand, and real files with real mistakes."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BAD, MICRO, overlay
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphrisk.contract import TABLES
from graphrisk.errors import DataError
from graphrisk.ingest import read_dataset

BAD_CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def test_micro_reads_with_contract_types():
    ds = read_dataset(MICRO)
    assert ds.row_counts() == {
        "areas": 5, "units": 4, "persons": 8, "employees": 3, "access_log": 6, "addresses": 3,
        "vehicles": 2, "cases": 2, "case_assignments": 2, "case_subjects": 3, "case_actions": 1,
        "relations": 3, "organisations": 1, "memberships": 1, "shifts": 2,
    }  # fmt: skip
    log = ds["access_log"]
    assert list(log.columns) == TABLES["access_log"].column_names
    assert str(log["ts"].dtype) == "datetime64[us, UTC]"
    # +01:00 is converted to UTC; Z and +00:00 are the same instant
    assert log.loc[0, "ts"] == pd.Timestamp("2026-03-02T08:15:00Z")
    assert log.loc[3, "ts"] == pd.Timestamp("2026-03-04T08:05:00Z")
    assert log.loc[4, "ts"] == pd.Timestamp("2026-03-04T08:06:00Z")
    assert log["case_id"].isna().tolist() == [True, False, True, True, False, True]
    persons = ds["persons"].set_index("person_id")
    assert persons.loc["P8", "flags"] == "protected;vip"
    assert pd.isna(persons.loc["P3", "address_id"])
    assert ds["persons"]["birth_date"].dtype == "datetime64[s]"


def test_ground_truth_is_read_only_when_asked():
    assert "ground_truth" not in read_dataset(MICRO).tables
    assert len(read_dataset(MICRO, include_evaluation=True)["ground_truth"]) == 2


@pytest.mark.parametrize("case", BAD_CASES)
def test_real_malformed_files_are_reported_with_file_line_and_column(case, tmp_path):
    expected = (BAD / case / "_expect").read_text().strip().splitlines()
    with pytest.raises(DataError) as info:
        read_dataset(overlay(case, tmp_path))
    reported = [str(p) for p in info.value.problems]
    for line in expected:
        assert any(r.startswith(line) for r in reported), f"{line!r} not in {reported}"


def test_every_problem_is_reported_at_once(tmp_path):
    """Mistakes in several files, and several in one file, all come back from one run."""
    combined = overlay("bad_timestamps", tmp_path)
    expected = (BAD / "bad_timestamps" / "_expect").read_text().splitlines()
    for case, name in (
        ("dangling", "relations.csv"),
        ("flags_spaces", "persons.csv"),
        ("order", "shifts.csv"),
    ):
        (combined / name).write_bytes((BAD / case / name).read_bytes())
        expected += [e for e in (BAD / case / "_expect").read_text().splitlines() if e.startswith(name)]
    with pytest.raises(DataError) as info:
        read_dataset(combined)
    reported = [str(p) for p in info.value.problems]
    assert len(expected) == 7
    for line in expected:
        assert any(r.startswith(line) for r in reported), f"{line!r} not in {reported}"


def test_a_flood_of_bad_rows_is_capped_with_a_count(tmp_path):
    d = overlay("missing_column", tmp_path)  # start from any copy, then fix employees back
    (d / "employees.csv").write_bytes((MICRO / "employees.csv").read_bytes())
    rows = ["access_id,ts,employee_id,system,target_type,target_id,action,case_id"]
    rows += [f"Y{i},2026-03-0{1 + i % 9} 10:00,E1,BRP,person,P4,view," for i in range(1000)]
    (d / "access_log.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError) as info:
        read_dataset(d)
    assert info.value.total == 1000
    assert len(info.value.problems) == 6  # five examples and one "... and 995 more" line
    assert "995 more rows" in str(info.value.problems[-1])


def test_extra_columns_are_accepted_ignored_and_dropped(micro_dir):
    persons = pd.read_csv(micro_dir / "persons.csv", dtype=str, keep_default_na=False)
    persons["nationality"] = "NL"
    persons.to_csv(micro_dir / "persons.csv", index=False)
    ds = read_dataset(micro_dir)
    assert "nationality" not in ds["persons"].columns
    assert any("nationality" in str(w) for w in ds.warnings)


def test_both_csv_and_parquet_for_one_table_is_refused(micro_dir):
    pq.write_table(pa.table({"organisation_id": ["O1"], "name": ["x"], "kind": ["y"]}),
                   micro_dir / "organisations.parquet")  # fmt: skip
    with pytest.raises(DataError, match="1 problem"):
        read_dataset(micro_dir)


def test_parquet_data_set_reads_like_csv(micro_dir, tmp_path):
    csv_ds = read_dataset(micro_dir)
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    for name, frame in csv_ds.tables.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), pq_dir / f"{name}.parquet")
    pq_ds = read_dataset(pq_dir)
    for name, frame in csv_ds.tables.items():
        pd.testing.assert_frame_equal(pq_ds[name], frame, check_dtype=False)


def test_parquet_with_integer_ids_and_naive_timestamps_is_refused(micro_dir):
    (micro_dir / "shifts.csv").unlink()
    pq.write_table(
        pa.table(
            {
                "employee_id": pa.array([1, 2], pa.int64()),
                "start_ts": pa.array([pd.Timestamp("2026-03-02 07:00")] * 2, pa.timestamp("us")),
                "end_ts": pa.array([pd.Timestamp("2026-03-02 15:00")] * 2, pa.timestamp("us")),
            }
        ),
        micro_dir / "shifts.parquet",
    )
    with pytest.raises(DataError) as info:
        read_dataset(micro_dir)
    text = "\n".join(map(str, info.value.problems))
    assert "shifts.parquet:1:1: employee_id: must hold strings, found int64 values" in text
    assert "start_ts: timestamps have no UTC offset" in text


def test_missing_directory():
    with pytest.raises(DataError, match="1 problem"):
        read_dataset(MICRO / "nope")


# A property: any single cell made unparsable is reported at exactly its line and column.
_TS_COLUMN = 2


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(0, 5), junk=st.sampled_from(["", "2026-13-01T00:00:00Z", "03/02/2026 10:00", "now"]))
def test_one_bad_timestamp_is_reported_exactly_where_it_is(row, junk, tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    for f in MICRO.iterdir():
        (d / f.name).write_bytes(f.read_bytes())
    lines = (MICRO / "access_log.csv").read_text().splitlines()
    cells = lines[row + 1].split(",")
    cells[_TS_COLUMN - 1] = junk
    lines[row + 1] = ",".join(cells)
    (d / "access_log.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        read_dataset(d)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column, problem.column_name) == (
        "access_log.csv", row + 2, _TS_COLUMN, "ts",
    )  # fmt: skip
