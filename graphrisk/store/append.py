"""``graphrisk load --append``: what a batch changes, the same for both stores.

:func:`plan_append` compares a validated batch with the rows the store holds for the batch's keys
and sorts every row into added, skipped (identical) or updated; :func:`affected_days` says which
days the batch touches. Each store then writes only the added and updated rows
(:meth:`graphrisk.store.embedded.EmbeddedStore.append`, :func:`graphrisk.store.neo4j_append.append`;
:func:`graphrisk.store.append_batch` picks one).

**The rule per table.** A look-up (``access_log``) is a fact: an access id already stored is
skipped when identical and refused when different (file, line, both values), and nothing is
written. Every other table is a register that changes: a row whose key (the contract's key:
``case_id``; ``case_id + employee_id + start_date`` for an assignment; ``person_id +
other_person_id + kind`` for a relation, ...) is stored with other values is updated in place
(a case closed, an assignment given its end date, a relation's source corrected), counted as
``updated`` and recorded; a new key is added. Nothing is ever deleted by an append: a purge or a
full ``load --replace`` does that.

**The batch record.** Each append that changes something records one batch (``load_batches``
in the embedded store, a ``LoadBatch`` node in Neo4j): its id (a hash of its files), where it
came from, the rows added/skipped/updated per table, ``lookup_days`` (the UTC days of its new
look-ups) and ``redetect_days`` (the past days whose findings a change of a register could alter,
see :func:`affected_days`), so that a later incremental detection re-detects just those days.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graphrisk.contract import TABLES, ColumnType
from graphrisk.ingest import Dataset
from graphrisk.ingest.append import StoreView
from graphrisk.store.base import refuse_changed_accesses, table_order

__all__ = [
    "PRE_ACTION_DAYS",
    "AppendSummary",
    "LookupFilter",
    "TableChange",
    "affected_days",
    "batch_id",
    "plan_append",
]

#: How far before a planned action a look-up can count as a pre-action look-up: the
#: ``pre-action-lookup`` rule's largest window (``window_hours`` at most 24 * 90), so that a
#: raid added today re-detects every day it could reach, whatever window a site has set.
PRE_ACTION_DAYS = 90
#: A shift explains look-ups around it (off-shift rule): its days and one either side.
_SHIFT_MARGIN = pd.Timedelta(days=1)
#: An append keeps the store's history: a corrected event is a new event, never a rewrite.
_APPEND_REMEDY = "and record a correction as a new event: an append never rewrites the log"


@dataclass
class TableChange:
    """What a batch does to one table: rows added, updated or skipped (``before``: the stored
    values of the updated rows, in the same order)."""

    table: str
    added: pd.DataFrame
    updated: pd.DataFrame
    before: pd.DataFrame
    skipped: int

    @property
    def changed(self) -> pd.DataFrame:
        """The rows to write: added and updated, in batch order."""
        return pd.concat([self.added, self.updated]).sort_index(kind="stable")

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "skipped": self.skipped, "updated": len(self.updated)}


@dataclass(frozen=True)
class LookupFilter:
    """Stored look-ups to find the days of: by any of these employees, of these targets, citing
    these cases (or, with ``every``, all of them), with ``ts`` in [start, end) when given."""

    employees: frozenset = frozenset()
    targets: frozenset = frozenset()  #: (target_type, target_id) pairs
    cases: frozenset = frozenset()  #: cited as justification (``case_id``)
    every: bool = False
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def matches(self, frame: pd.DataFrame) -> np.ndarray:
        """Which look-ups of ``frame`` (access_log columns, ``ts`` in UTC) it selects."""
        if self.every:
            hit = np.ones(len(frame), dtype=bool)
        else:
            hit = np.array(frame["employee_id"].isin(self.employees), dtype=bool)
            hit |= np.array(frame["case_id"].isin(self.cases).fillna(False), dtype=bool)
            if self.targets:
                pairs = pd.MultiIndex.from_tuples(sorted(self.targets))
                keys = pd.MultiIndex.from_arrays([frame["target_type"], frame["target_id"]])
                hit |= np.array(keys.isin(pairs), dtype=bool)
        if self.start is not None:
            hit &= np.array(frame["ts"] >= self.start, dtype=bool)
        if self.end is not None:
            hit &= np.array(frame["ts"] < self.end, dtype=bool)
        return hit

    def to_param(self) -> dict:
        """The filter as a Cypher parameter (see cypher/append/lookup_days.cypher)."""
        return {
            "employees": sorted(self.employees),
            "targets": [list(t) for t in sorted(self.targets)],
            "cases": sorted(self.cases),
            "every": self.every,
            "start": None if self.start is None else self.start.to_pydatetime(),
            "end": None if self.end is None else self.end.to_pydatetime(),
        }


@dataclass
class AppendSummary:
    """What an append did: rows added/skipped/updated per table and the days it touched."""

    store: str
    batch_id: str
    source: str
    tables: dict[str, dict[str, int]]
    lookup_days: list[str]
    redetect_days: list[str]
    written: bool
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "store": self.store,
            "batch_id": self.batch_id,
            "source": self.source,
            "written": self.written,
            "tables": self.tables,
            "lookup_days": self.lookup_days,
            "redetect_days": self.redetect_days,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }

    def record(self, loaded_at: str) -> dict:
        """The row recorded in the store for this batch."""
        return {
            "batch_id": self.batch_id,
            "source": self.source,
            "loaded_at": loaded_at,
            "tables": self.tables,
            "lookup_days": self.lookup_days,
            "redetect_days": self.redetect_days,
        }


def batch_id(batch: Dataset) -> str:
    """A batch's id: ``b-`` and 16 hex digits of a SHA-256 over its files' names and bytes.

    The same files give the same id, so a batch loaded twice is recognised as such.
    """
    digest = hashlib.sha256()
    for name in sorted(batch.sources):
        digest.update(name.encode() + b"\0")
        with open(batch.sources[name], "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return "b-" + digest.hexdigest()[:16]


def plan_append(batch: Dataset, store: StoreView, where: str) -> dict[str, TableChange]:
    """Sort every row of ``batch`` into added, skipped or updated against ``store``.

    Raises DataError (nothing written) when a stored access id comes with other content.
    """
    changes: dict[str, TableChange] = {}
    present = store.tables_present() | set(batch.tables)
    for name in table_order(batch.tables):
        spec = TABLES[name]
        frame = batch[name]
        key = list(spec.key)
        stored = (
            store.rows_where(name, key[0], frame[key[0]].dropna().astype(object).unique())
            if name in store.tables_present()
            else frame.iloc[:0]
        )
        if name == "access_log":
            refuse_changed_accesses(batch, stored, where, _APPEND_REMEDY)
        stored = stored.drop_duplicates(subset=key)
        at = _positions_in(frame, stored, key)
        new = at < 0
        if name == "access_log" or not (~new).any():
            same = ~new
        else:
            columns = [c for c in spec.column_names if c not in key and _compared(spec, c, present)]
            same = ~new & _equal_rows(spec, frame, stored, at, columns)
        updated = ~new & ~same
        changes[name] = TableChange(
            name,
            added=frame[new],
            updated=frame[updated],
            before=stored.iloc[at[updated]].set_axis(frame.index[updated]),
            skipped=int(same.sum()),
        )
    return changes


def _compared(spec, column: str, present: set[str]) -> bool:
    """Whether a column is compared: not a link to a table neither the batch nor the store has
    (Neo4j keeps such a link only as a relationship, so it cannot tell its value back)."""
    return not any(r.column == column and r.table not in present and r.when is None for r in spec.references)


def _positions_in(frame: pd.DataFrame, stored: pd.DataFrame, key: list[str]) -> np.ndarray:
    """For each batch row, the position of the stored row with the same key (-1: none)."""
    if not len(stored):
        return np.full(len(frame), -1)
    left = pd.MultiIndex.from_frame(_key_frame(frame, key))
    right = pd.MultiIndex.from_frame(_key_frame(stored, key))
    return right.get_indexer(left)


def _key_frame(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: _comparable(TABLES_COLUMN_TYPE.get(c), frame[c]) for c in key})


def _equal_rows(spec, frame: pd.DataFrame, stored: pd.DataFrame, at: np.ndarray, columns) -> np.ndarray:
    found = at >= 0
    equal = np.ones(len(frame), dtype=bool)
    there = stored.iloc[np.where(found, at, 0)] if len(stored) else stored
    for c in columns:
        kind = spec.column(c).type
        here_values = _comparable(kind, frame[c])
        there_values = _comparable(kind, there[c]) if c in there.columns else np.full(len(frame), None)
        equal &= np.array([a == b for a, b in zip(here_values, there_values, strict=True)], dtype=bool)
    return equal | ~found


def _comparable(kind, values: pd.Series) -> np.ndarray:
    """Values as plain Python objects that compare with ``==``: None for missing, times as UTC ns."""
    if kind in (ColumnType.DATETIME, ColumnType.DATE):
        stamps = pd.to_datetime(values, utc=True)
        if kind is ColumnType.DATE:
            stamps = stamps.dt.tz_convert("UTC").dt.normalize()
        ints = stamps.dt.as_unit("ns").astype("int64").to_numpy().astype(object)
        ints[stamps.isna().to_numpy()] = None
        return ints
    out = values.astype(object).to_numpy(copy=True)
    missing = values.isna().to_numpy()
    out[missing] = None
    out[~missing] = [str(v) for v in out[~missing]]
    return out


#: The type of each key column (keys share names across tables with one meaning each).
TABLES_COLUMN_TYPE = {c.name: c.type for t in TABLES.values() for c in t.columns if c.name in t.key}


# -- which days a batch touches ------------------------------------------------------------------


def lookup_days(changes: dict[str, TableChange]) -> list[str]:
    """The UTC days of the batch's new look-ups."""
    if "access_log" not in changes or not len(changes["access_log"].added):
        return []
    ts = pd.to_datetime(changes["access_log"].added["ts"], utc=True)
    return sorted({d.isoformat() for d in ts.dt.date.unique()})


def affected_days(changes: dict[str, TableChange], store, batch: Dataset) -> list[str]:
    """The past days (UTC, of stored look-ups) whose findings the batch's register changes could alter.

    Conservative: every day a rule or the work context could read differently after the change is
    listed, some that would not are too. Per table (added and updated rows; for updated rows the
    stored values count as well as the new ones):

    - ``case_assignments``: the assigned employee's look-ups, and those of the case or its
      subjects, within the assignment's span (a backdated start reaches back; an open end
      reaches the last day).
    - ``cases``, ``case_subjects``: look-ups of the case, citing it, or of its subjects (and of
      what resolves to them: their vehicles, addresses, cases), any day.
    - ``case_actions``: every look-up in the :data:`PRE_ACTION_DAYS` before the action.
    - ``relations``: every look-up by an employee whose own person is one of the two persons or
      a relation of theirs (own-network and criminal proximity follow paths of at most 2 hops,
      so such a path through the changed tie starts within one hop of it).
    - ``memberships``, ``organisations``: look-ups by employees within two hops of the member,
      and look-ups of the member.
    - ``persons``, ``employees``, ``addresses``, ``vehicles``: look-ups of that record (and what
      resolves to the person), or by that employee.
    - ``shifts``: the employee's look-ups from the day before the shift to the day after.
    - ``areas``, ``units`` (territories and the organisation): every stored day.

    ``store`` answers :class:`~graphrisk.ingest.append.StoreView` and ``lookup_days(filters)``.
    """
    filters: list[LookupFilter] = []
    relations = _Relations(store, batch)
    for name, change in changes.items():
        rows = change.changed
        if name == "access_log" or not len(rows):
            continue
        both = pd.concat([rows, change.before], ignore_index=True)
        if name in ("areas", "units"):
            if len(change.updated):
                filters.append(LookupFilter(every=True))
        elif name == "employees":
            filters.append(LookupFilter(employees=_ids(both["employee_id"])))
        elif name == "persons":
            filters.append(_about_persons(store, batch, _ids(both["person_id"])))
        elif name == "addresses":
            filters.append(LookupFilter(targets=frozenset(("address", a) for a in _ids(both["address_id"]))))
        elif name == "vehicles":
            filters.append(LookupFilter(targets=frozenset(("vehicle", v) for v in _ids(both["vehicle_id"]))))
        elif name in ("cases", "case_subjects"):
            cases = _ids(both["case_id"])
            filters.append(_about_cases(store, batch, cases))
            if name == "case_subjects":
                filters.append(_about_persons(store, batch, _ids(both["person_id"])))
        elif name == "case_assignments":
            for row in both.itertuples(index=False):
                start = pd.Timestamp(row.start_date).tz_localize("UTC")
                end = None if pd.isna(row.end_date) else pd.Timestamp(row.end_date).tz_localize("UTC")
                end = None if end is None else end + pd.Timedelta(days=1)
                about = _about_cases(store, batch, frozenset([row.case_id]))
                filters.append(
                    LookupFilter(
                        employees=frozenset([row.employee_id]),
                        targets=about.targets,
                        cases=about.cases,
                        start=start,
                        end=end,
                    )
                )
        elif name == "case_actions":
            for ts in pd.to_datetime(both["ts"], utc=True):
                filters.append(
                    LookupFilter(every=True, start=ts - pd.Timedelta(days=PRE_ACTION_DAYS), end=ts)
                )
        elif name == "relations":
            ends = _ids(both["person_id"]) | _ids(both["other_person_id"])
            near = ends | relations.neighbours(ends)
            filters.append(LookupFilter(employees=_employees_of(store, batch, near)))
        elif name in ("memberships", "organisations"):
            members = _ids(both["person_id"]) if name == "memberships" else _members(store, batch, both)
            one = members | relations.neighbours(members)
            near = one | relations.neighbours(one)
            persons = _about_persons(store, batch, members)
            filters.append(LookupFilter(employees=_employees_of(store, batch, near), targets=persons.targets))
        elif name == "shifts":
            for row in both.itertuples(index=False):
                filters.append(
                    LookupFilter(
                        employees=frozenset([row.employee_id]),
                        start=_day(row.start_ts) - _SHIFT_MARGIN,
                        end=_day(row.end_ts) + 2 * _SHIFT_MARGIN,
                    )
                )
    filters = [f for f in filters if f.every or f.employees or f.targets or f.cases]
    if not filters:
        return []
    return sorted(d.isoformat() for d in store.lookup_days(filters))


def _day(ts) -> pd.Timestamp:
    return pd.Timestamp(ts).tz_convert("UTC").normalize()


def _ids(values: pd.Series) -> frozenset:
    return frozenset(values.dropna().astype(object).unique())


def _rows(store, batch: Dataset, table: str, column: str, values) -> pd.DataFrame:
    """Rows of ``table`` with ``column`` in ``values``, from the store and the batch (the batch's win)."""
    values = sorted(values)
    parts = []
    if table in store.tables_present() and values:
        parts.append(store.rows_where(table, column, values))
    if batch.has(table):
        frame = batch[table]
        parts.append(frame[frame[column].isin(values)])
    if not parts:
        return pd.DataFrame(columns=TABLES[table].column_names)
    rows = pd.concat(parts, ignore_index=True)
    return rows.drop_duplicates(subset=list(TABLES[table].key), keep="last")


def _employees_of(store, batch: Dataset, persons: frozenset) -> frozenset:
    return _ids(_rows(store, batch, "employees", "person_id", persons)["employee_id"])


def _members(store, batch: Dataset, organisations: pd.DataFrame) -> frozenset:
    rows = _rows(store, batch, "memberships", "organisation_id", _ids(organisations["organisation_id"]))
    return _ids(rows["person_id"])


def _about_persons(store, batch: Dataset, persons: frozenset) -> LookupFilter:
    """Look-ups of these persons or of what resolves to them (their vehicles, addresses, cases),
    and look-ups by the employees they are."""
    targets = {("person", p) for p in persons}
    if persons:
        vehicles = _rows(store, batch, "vehicles", "owner_person_id", persons)
        targets |= {("vehicle", v) for v in _ids(vehicles["vehicle_id"])}
        people = _rows(store, batch, "persons", "person_id", persons)
        targets |= {("address", a) for a in _ids(people["address_id"])}
        subjects = _rows(store, batch, "case_subjects", "person_id", persons)
        targets |= {("case", c) for c in _ids(subjects["case_id"])}
    return LookupFilter(employees=_employees_of(store, batch, persons), targets=frozenset(targets))


def _about_cases(store, batch: Dataset, cases: frozenset) -> LookupFilter:
    """Look-ups of these cases, citing them, or of their subjects (and what resolves to them)."""
    subjects = _ids(_rows(store, batch, "case_subjects", "case_id", cases)["person_id"])
    persons = _about_persons(store, batch, subjects)
    return LookupFilter(targets=persons.targets | {("case", c) for c in cases}, cases=cases)


class _Relations:
    """Neighbours in the relation graph, stored and batch relations together (read as undirected)."""

    def __init__(self, store, batch: Dataset) -> None:
        self.store, self.batch = store, batch

    def neighbours(self, persons: frozenset) -> frozenset:
        if not persons:
            return frozenset()
        out = _rows(self.store, self.batch, "relations", "person_id", persons)["other_person_id"]
        back = _rows(self.store, self.batch, "relations", "other_person_id", persons)["person_id"]
        return _ids(pd.concat([out, back])) - persons
