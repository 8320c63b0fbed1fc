"""Turning the generated world into contract tables and writing them, byte for byte the same.

Ids are the model's indices shuffled by a seeded permutation and written
with a prefix and fixed width (``P0012345``), so that an id says nothing
about households, units or planted scenarios. Rows are sorted by each
table's key. CSV is written without quotes (no value needs them), with
``\\n`` line ends, timestamps as ``2026-03-02T08:15:00+00:00`` and empty
fields for empty values; Parquet keeps timestamps as UTC timestamps and
dates as dates, compressed with zstd.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from graphrisk.contract import PERSON_FLAGS, RELATION_KINDS, TABLES, ColumnType
from graphrisk.errors import OutputError
from graphrisk.generate import _names
from graphrisk.generate._common import NO_DATE, stream
from graphrisk.generate.activity import ACTIONS, SYSTEMS, TARGET_TYPES, Events, Shifts, World
from graphrisk.generate.crime import ACTION_KINDS, ASSIGNMENT_ROLES, MEMBER_ROLES, SENSITIVITY, SUBJECT_ROLES
from graphrisk.generate.organisation import RANKS, ROLES
from graphrisk.generate.population import SOURCES
from graphrisk.generate.scenarios import Plan

__all__ = ["CHUNK_ROWS", "write_dataset"]

#: Rows per write (and Parquet row group) for the big tables.
CHUNK_ROWS = 1 << 20

Columns = dict[str, "pa.Array | np.ndarray"]


class _Ids:
    """Shuffled, prefixed, fixed-width ids for each kind of thing."""

    def __init__(self, seed: int, world: World, n_cases: int) -> None:
        rng = stream(seed, "ids")
        pop, org = world.pop, world.org
        n_persons = pop.n if pop.dup_of is None else pop.n + len(pop.dup_of)  # second records (profiles)
        self.person = rng.permutation(n_persons) + 1
        self.employee = rng.permutation(org.n_employees) + 1
        self.address = rng.permutation(len(pop.address_muni)) + 1
        self.vehicle = rng.permutation(pop.n_vehicles) + 1
        self.case = rng.permutation(n_cases) + 1
        self.width = {
            "P": max(7, len(str(n_persons))),
            "E": max(6, len(str(org.n_employees))),
            "ADR": max(7, len(str(len(pop.address_muni)))),
            "V": max(7, len(str(pop.n_vehicles))),
            "C": max(6, len(str(n_cases))),
        }

    def persons(self, idx: np.ndarray) -> pa.Array:
        return format_ids("P", self.person[idx], self.width["P"])

    def employees(self, idx: np.ndarray) -> pa.Array:
        return format_ids("E", self.employee[idx], self.width["E"])

    def addresses(self, idx: np.ndarray) -> pa.Array:
        return format_ids("ADR", self.address[idx], self.width["ADR"])

    def vehicles(self, idx: np.ndarray) -> pa.Array:
        return format_ids("V", self.vehicle[idx], self.width["V"])

    def cases(self, idx: np.ndarray) -> pa.Array:
        idx = np.asarray(idx)
        valid = idx >= 0
        return format_ids("C", self.case[np.where(valid, idx, 0)], self.width["C"], valid=valid)


def format_ids(prefix: str, numbers: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.Array:
    """``prefix`` followed by ``numbers`` zero-padded to ``width`` digits, as an Arrow string array.

    >>> format_ids("P", np.array([7, 123]), 4).to_pylist()
    ['P0007', 'P0123']
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    size = len(head) + width
    buf = np.empty((n, size), dtype=np.uint8)
    buf[:, : len(head)] = head
    rest = numbers.copy()
    for i in range(size - 1, len(head) - 1, -1):
        buf[:, i] = 48 + rest % 10
        rest //= 10
    offsets = np.arange(0, (n + 1) * size, size, dtype=np.int64)
    if offsets[-1] < 2**31:
        arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(buf))
    else:
        arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf)).cast(pa.string())
    if valid is not None and not np.all(valid):
        arr = pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.string()))
    return arr


def name_variants(names: list[str], keys: np.ndarray) -> list[str]:
    """Another spelling of each name, as a second registration writes it (the way chosen by
    ``keys``): 'ij' as 'y' (or back), the first name as an initial, a doubled or undoubled
    letter in the surname."""
    out = []
    for name, k in zip(names, (np.asarray(keys) % 3).tolist(), strict=True):
        first, _, last = name.partition(" ")
        if k == 0 and ("ij" in last or "y" in last):
            last = last.replace("ij", "y") if "ij" in last else last.replace("y", "ij")
        elif k == 1 or len(last) < 3:
            first = first[0] + "."
        else:
            i = next((j for j in range(1, len(last) - 1) if last[j] == last[j + 1]), -1)
            last = last[:i] + last[i + 1 :] if i >= 0 else last[:-1] + last[-2] + last[-1]
        out.append(f"{first} {last}")
    return out


def _labels(words, codes: np.ndarray) -> pa.Array:
    return pa.array(list(words), type=pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64)))


def write_dataset(
    out_dir: Path,
    world: World,
    plan: Plan,
    shifts: Shifts,
    events: Events,
    *,
    fmt: str,
    seed: int,
    manifest: dict,
    say: Callable[[str], None],
) -> dict[str, int]:
    """Write every contract table of the world to ``out_dir``; return the rows per table."""
    geo, org, pop, crime = world.geo, world.org, world.pop, world.crime
    ids = _Ids(seed, world, crime.n_cases)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def put(name: str, columns: Columns, order: np.ndarray | None = None) -> None:
        counts[name] = _write(out_dir, name, columns, fmt, order)
        say(f"wrote {name} ({counts[name]:,} rows)")

    area_ids = pa.array(geo.area_id, type=pa.string())
    put(
        "areas",
        {
            "area_id": area_ids,
            "name": pa.array(geo.area_name, type=pa.string()),
            "parent_area_id": _take_nullable(area_ids, geo.area_parent),
        },
    )
    unit_ids = pa.array(org.unit_id, type=pa.string())
    put(
        "units",
        {
            "unit_id": unit_ids,
            "name": pa.array(org.unit_name, type=pa.string()),
            "parent_unit_id": _take_nullable(unit_ids, org.unit_parent),
            "area_id": area_ids.take(pa.array(org.unit_area)),
        },
    )

    first = pa.array(
        [
            n
            for lists in (_names.FIRST_NAMES_FEMALE, _names.FIRST_NAMES_MALE)
            for group in lists
            for n in group
        ],
        type=pa.string(),
    )
    n_female = sum(len(g) for g in _names.FIRST_NAMES_FEMALE)
    surnames = pa.array([n for group in _names.SURNAMES for n in group], type=pa.string())
    firsts = first.take(pa.array(pop.first_name + pop.sex.astype(np.int64) * n_female))
    names = pc.binary_join_element_wise(firsts, surnames.take(pa.array(pop.surname)), " ")
    registered = pop.muni if pop.reg_muni is None else pop.reg_muni
    address = pop.address if pop.reg_address is None else pop.reg_address
    n_persons, birth, flags = pop.n, pop.birth, pop.flags
    if pop.dup_of is not None:  # second records: a spelling variant, no flags (profiles)
        d = pop.dup_of
        names = pa.concat_arrays([names, pa.array(name_variants(names.take(pa.array(d)).to_pylist(), d))])
        registered, address = np.r_[registered, registered[d]], np.r_[address, address[d]]
        n_persons, birth, flags = pop.n + len(d), np.r_[birth, pop.dup_birth], np.r_[flags, np.zeros_like(d)]
    flag_words = [
        ";".join(f for bit, f in enumerate(PERSON_FLAGS) if m >> bit & 1) or None for m in range(16)
    ]
    put(
        "persons",
        {
            "person_id": ids.persons(np.arange(n_persons)),
            "name": names,
            "birth_date": birth,
            "area_id": area_ids.take(pa.array(geo.muni_area[registered])),
            "address_id": ids.addresses(address),
            "flags": pa.array(flag_words, type=pa.string()).take(pa.array(flags.astype(np.int64))),
        },
        order=np.argsort(ids.person),
    )

    put(
        "employees",
        {
            "employee_id": ids.employees(np.arange(org.n_employees)),
            "person_id": ids.persons(org.emp_person),
            "unit_id": unit_ids.take(pa.array(org.emp_unit)),
            "rank": _labels(RANKS, org.emp_rank),
            "role": _labels(ROLES, org.emp_role),
            "start_date": org.emp_start,
            "end_date": org.emp_end,
        },
        order=np.argsort(ids.employee),
    )

    counts["access_log"] = _write_access_log(out_dir, ids, events, fmt)
    say(f"wrote access_log ({counts['access_log']:,} rows)")

    n_addr = len(pop.address_muni)
    put(
        "addresses",
        {
            "address_id": ids.addresses(np.arange(n_addr)),
            "area_id": area_ids.take(pa.array(geo.muni_area[pop.address_muni])),
        },
        order=np.argsort(ids.address),
    )
    vehicle_muni = pop.muni[pop.vehicle_owner] if pop.vehicle_muni is None else pop.vehicle_muni
    put(
        "vehicles",
        {
            "vehicle_id": ids.vehicles(np.arange(pop.n_vehicles)),
            "owner_person_id": ids.persons(pop.vehicle_owner),
            "area_id": area_ids.take(pa.array(geo.muni_area[vehicle_muni])),
        },
        order=np.argsort(ids.vehicle),
    )
    put(
        "cases",
        {
            "case_id": ids.cases(np.arange(crime.n_cases)),
            "name": pa.array(crime.case_name, type=pa.string()),
            "status": _labels(("open", "closed"), (~crime.case_open).astype(np.int64)),
            "opened_on": crime.case_opened,
            "closed_on": crime.case_closed,
            "unit_id": unit_ids.take(pa.array(crime.case_unit)),
            "sensitivity": _labels(SENSITIVITY, crime.case_sensitivity),
        },
        order=np.argsort(ids.case),
    )
    kept = slice(None) if crime.assign_recorded is None else crime.assign_recorded
    a_case, a_emp, a_start = crime.assign_case[kept], crime.assign_emp[kept], crime.assign_start[kept]
    put(
        "case_assignments",
        {
            "case_id": ids.cases(a_case),
            "employee_id": ids.employees(a_emp),
            "role": _labels(ASSIGNMENT_ROLES, crime.assign_role[kept]),
            "start_date": a_start,
            "end_date": crime.assign_end[kept],
        },
        order=np.lexsort((a_start, ids.employee[a_emp], ids.case[a_case])),
    )
    put(
        "case_subjects",
        {
            "case_id": ids.cases(crime.subject_case),
            "person_id": ids.persons(crime.subject_person),
            "role": _labels(SUBJECT_ROLES, crime.subject_role),
        },
        order=np.lexsort((ids.person[crime.subject_person], ids.case[crime.subject_case])),
    )
    put(
        "case_actions",
        {
            "case_id": ids.cases(crime.action_case),
            "ts": crime.action_ts,
            "kind": _labels(ACTION_KINDS, crime.action_kind),
        },
        order=np.lexsort(
            (_text_rank(ACTION_KINDS)[crime.action_kind], crime.action_ts, ids.case[crime.action_case])
        ),
    )

    a, b, kind, source, since = pop.relations.arrays()
    pa_, pb_ = ids.person[a], ids.person[b]
    lo, hi = np.where(pa_ < pb_, a, b), np.where(pa_ < pb_, b, a)
    put(
        "relations",
        {
            "person_id": ids.persons(lo),
            "other_person_id": ids.persons(hi),
            "kind": _labels(RELATION_KINDS, kind),
            "source": _labels(SOURCES, source),
            "since": since,
        },
        order=np.lexsort((_text_rank(RELATION_KINDS)[kind], ids.person[hi], ids.person[lo])),
    )

    n_org = len(crime.org_name)
    org_ids = format_ids("ORG", np.arange(1, n_org + 1), 4)
    put(
        "organisations",
        {
            "organisation_id": org_ids,
            "name": pa.array(crime.org_name, type=pa.string()),
            "kind": pa.array(crime.org_kind, type=pa.string()),
        },
    )
    put(
        "memberships",
        {
            "person_id": ids.persons(crime.member_person),
            "organisation_id": org_ids.take(pa.array(crime.member_org)),
            "role": _labels(MEMBER_ROLES, crime.member_role),
            "since": crime.member_since,
        },
        order=np.lexsort((crime.member_org, ids.person[crime.member_person])),
    )
    put(
        "shifts",
        {"employee_id": ids.employees(shifts.emp), "start_ts": shifts.start, "end_ts": shifts.end},
        order=np.lexsort((shifts.start, ids.employee[shifts.emp])),
    )

    gt_emp = np.array([e for e, _ in plan.labels], dtype=np.int64)
    gt_label = [label for _, label in plan.labels]
    order = sorted(range(len(gt_label)), key=lambda i: (int(ids.employee[gt_emp[i]]), gt_label[i]))
    put(
        "ground_truth",
        {"employee_id": ids.employees(gt_emp), "label": pa.array(gt_label, type=pa.string())},
        order=np.array(order, dtype=np.int64),
    )

    info = dict(manifest, rows=counts)
    (out_dir / "generator.json").write_text(
        json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    groups = write_audit_groups(audit_groups_path(out_dir), ids, org.n_employees, plan)
    say(f"wrote the audit-only group file {groups} next to the data set (for graphrisk fairness)")
    return counts


def audit_groups_path(out_dir: Path) -> Path:
    """Where the generator puts the audit-only group file of the data set in ``out_dir``: beside it.

    Outside the directory, as a real group file (from HR) must be: ``graphrisk load`` refuses a
    data set that holds one, and a copy of the data set does not carry it along.

    >>> audit_groups_path(Path("/data/sample"))
    PosixPath('/data/sample.audit_groups.csv')
    """
    out_dir = out_dir.absolute()
    return out_dir.parent / f"{out_dir.name}.audit_groups.csv"


def write_audit_groups(path: Path, ids: _Ids, n_employees: int, plan: Plan) -> Path:
    """Every employee with the group ``large-family`` (the look-alikes with many relatives) or ``other``.

    The stand-in for an HR attribute in an equality audit: large families are more common in some
    communities, and knowing many people is no misconduct, so ``graphrisk fairness`` on this file
    shows whether the scores hold that against them. Always CSV, sorted by employee id.
    """
    large = {e for e, label in plan.labels if label == "lookalike:large-family"}
    everyone = np.arange(n_employees)
    order = np.argsort(ids.employee[everyone], kind="stable")
    names = ids.employees(everyone[order]).to_pylist()
    groups = ["large-family" if i in large else "other" for i in everyone[order].tolist()]
    rows = [f"{e},{g}\n" for e, g in zip(names, groups, strict=True)]
    try:
        path.write_text("employee_id,group\n" + "".join(rows), encoding="utf-8")
    except OSError as exc:  # beside the output folder: the folder above may be read-only
        raise OutputError(
            f"cannot write the audit-only group file {path} beside the output folder "
            f"({exc.strerror or exc}); choose an output folder whose parent you may write to"
        ) from None
    return path


def _text_rank(words) -> np.ndarray:
    """Position of each word in alphabetical order, to sort coded columns as their text sorts."""
    return np.argsort(np.argsort(np.array(words)))


def _take_nullable(values: pa.Array, idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx)
    taken = values.take(pa.array(np.maximum(idx, 0)))
    return pc.if_else(pa.array(idx >= 0), taken, pa.scalar(None, pa.string()))


def _write_access_log(out_dir: Path, ids: _Ids, events, fmt: str) -> int:
    """Write the log: one :class:`Events` (the whole window), or a day log's days as they are drawn.

    Access ids number the lines in order, with a fixed width: the whole log's length, or for a
    day log (whose length is known only at the end) twice its expected length. A line beyond
    that still gets a unique id, one digit longer.
    """
    if isinstance(events, Events):
        days, width = [events], max(8, len(str(len(events))))
    else:
        days, width = events, max(8, len(str(2 * events.expected_lines())))

    def columns(part: Events, s: slice, first: int) -> Columns:
        ttype = part.target_type[s]
        return {
            "access_id": format_ids("A", np.arange(first + s.start, first + s.stop), width),
            "ts": part.ts[s],
            "employee_id": ids.employees(part.emp[s]),
            "system": _labels(SYSTEMS, part.system[s]),
            "target_type": _labels(TARGET_TYPES, ttype),
            "target_id": _targets(ids, ttype, part.target[s]),
            "action": _labels(ACTIONS, part.action[s]),
            "case_id": ids.cases(part.case[s]),
        }

    def chunks() -> Iterator[Columns]:
        first, day, pending = 1, None, iter(days)
        while (day := next(pending, None)) is not None:
            n = len(day)
            for lo in range(0, n, CHUNK_ROWS):
                yield columns(day, slice(lo, min(n, lo + CHUNK_ROWS)), first)
            first += n
            day = None  # let this day go before the next one is drawn
        if first == 1:  # an empty log still gets its header (CSV) or schema (Parquet)
            empty = np.zeros(0, dtype=np.int64)
            yield columns(Events(*[empty] * len(Events.__dataclass_fields__)), slice(0, 0), first)

    return _write_chunks(out_dir, "access_log", chunks(), fmt)


def _targets(ids: _Ids, ttype: np.ndarray, target: np.ndarray) -> pa.Array:
    order = np.argsort(ttype, kind="stable")
    parts = []
    for t, fmt in enumerate((ids.persons, ids.vehicles, ids.addresses, ids.cases)):
        rows = order[ttype[order] == t]
        parts.append(fmt(target[rows]))
    joined = pa.concat_arrays(parts)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    return joined.take(pa.array(inverse))


def _write(out_dir: Path, name: str, columns: Columns, fmt: str, order: np.ndarray | None) -> int:
    if order is not None:
        idx = pa.array(np.asarray(order, dtype=np.int64))
        columns = {k: (v[order] if isinstance(v, np.ndarray) else v.take(idx)) for k, v in columns.items()}
    return _write_chunks(out_dir, name, iter([columns]), fmt)


def _arrow(name: str, columns: Columns, fmt: str) -> pa.Table:
    spec = TABLES[name]
    if list(columns) != spec.column_names:
        raise AssertionError(f"{name}: columns {list(columns)} differ from the contract {spec.column_names}")
    arrays = []
    for col in spec.columns:
        values = columns[col.name]
        if col.type is ColumnType.DATE:
            days = np.asarray(values, dtype=np.int64)
            values = pa.array(days.astype("datetime64[D]"), type=pa.date32(), mask=days == NO_DATE)
        elif col.type is ColumnType.DATETIME:
            secs = np.asarray(values, dtype=np.int64)
            stamps = pa.array(secs.astype("datetime64[s]"), type=pa.timestamp("s"))
            if fmt == "csv":
                values = pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%S+00:00")
            else:
                values = stamps.cast(pa.timestamp("s", tz="UTC"))
        arrays.append(values)
    return pa.Table.from_arrays(arrays, names=spec.column_names)


def _write_chunks(out_dir: Path, name: str, chunks: Iterator[Columns], fmt: str) -> int:
    rows = 0
    path = out_dir / f"{name}.{fmt}"
    twin = out_dir / f"{name}.{'parquet' if fmt == 'csv' else 'csv'}"
    twin.unlink(missing_ok=True)  # a stale file in the other format would make the set ambiguous
    if fmt == "csv":
        options = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)
        with path.open("wb") as fh:
            fh.write((",".join(TABLES[name].column_names) + "\n").encode())
            for columns in chunks:
                table = _arrow(name, columns, fmt)
                pacsv.write_csv(table, fh, write_options=options)
                rows += table.num_rows
        return rows
    writer = None
    try:
        for columns in chunks:
            table = _arrow(name, columns, fmt)
            if writer is None:
                writer = pq.ParquetWriter(
                    path, table.schema, compression="zstd", use_dictionary=True, write_statistics=True
                )
            writer.write_table(table, row_group_size=CHUNK_ROWS)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows
