"""Reading and validating a batch for ``graphrisk load --append``: the contract, and the store.

A batch is a directory with any subset of the contract's files (typically just today's
``access_log``). Each file is checked against the contract as in :func:`~graphrisk.ingest.read_dataset`,
and every id it refers to must be in the batch or already in the store: an access by an employee
loaded last month is fine, an access by an employee in neither is refused with file, line and column.
Nothing is written here; the store's append (:mod:`graphrisk.store.append`) writes what changed.

>>> from graphrisk.ingest.append import read_batch
>>> batch = read_batch("today/", store)                     # doctest: +SKIP
>>> sorted(batch.tables)                                    # doctest: +SKIP
['access_log']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from graphrisk.contract import EVALUATION_ONLY, TABLE_ORDER, TABLES
from graphrisk.errors import Problem
from graphrisk.ingest import _HIERARCHIES, _ORDERED, Dataset, finish, locate, read_typed
from graphrisk.ingest.validate import Collector, check_hierarchy, check_keys, check_order, check_references

__all__ = ["StoreView", "read_batch"]


class StoreView(Protocol):
    """What validating and planning an append asks of a store (both stores answer it)."""

    def tables_present(self) -> set[str]:
        """The contract tables the store holds rows of."""

    def rows_where(
        self, table: str, column: str | None = None, values: Iterable | None = None
    ) -> pd.DataFrame:
        """The stored rows of ``table`` (contract columns) whose ``column`` is one of ``values``
        (every row when ``column`` is None)."""


def read_batch(path: str | Path, store: StoreView) -> Dataset:
    """Read and validate the batch in directory ``path`` against the contract and ``store``.

    Raises
    ------
    DataError
        With every problem found (file, line, column): a file that breaks the contract, or a
        reference to an id that is neither in the batch nor in the store.
    """
    directory = Path(path)
    wanted = [n for n in TABLE_ORDER if n not in EVALUATION_ONLY]
    out = Collector()
    files, unusable = locate(directory, wanted, out)
    if not files and not unusable:
        names = ", ".join(f"{n}.csv" for n in wanted)
        out.add(Problem(str(directory), None, None, None, f"holds no file of the contract ({names})"))
    stored = store.tables_present()
    for name in files:
        for needed in TABLES[name].needs:
            if needed not in files and needed not in unusable and needed not in stored:
                out.add(
                    Problem(
                        files[name].name,
                        None,
                        None,
                        None,
                        f"needs {needed}.csv, which is neither in the batch nor in the store",
                    )
                )
    raws, typed = read_typed(files, out)

    keys: dict[str, pd.Index] = {}
    for name, frame in typed.items():
        spec = TABLES[name]
        check_keys(raws[name], spec, frame, out)
        if len(spec.key) == 1:
            keys[name] = pd.Index(frame[spec.key[0]].dropna().unique())
    known = _stored_keys(typed, keys, stored, store)
    present = set(files) | stored
    for name, frame in typed.items():
        raw = raws[name]
        check_references(raw, TABLES[name], frame, known, present, out)
        if name in _HIERARCHIES:
            key, parent = _HIERARCHIES[name]
            parents = _stored_parents(store, name, key, parent, frame) if name in stored else None
            check_hierarchy(raw, frame, key, parent, out, stored=parents)
        if name in _ORDERED:
            check_order(raw, frame, *_ORDERED[name], out)
    if "employees" in typed and "employees" in stored:
        _check_person_taken(raws["employees"], typed["employees"], store, out)
    return finish(directory, out, raws, typed)


def _stored_keys(
    typed: dict[str, pd.DataFrame], keys: dict[str, pd.Index], stored: set[str], store: StoreView
) -> dict[str, pd.Index]:
    """Each referenced table's ids: the batch's, plus those of the store that the batch refers to.

    Only the ids the batch names are asked for, so a batch of one day's look-ups reads a few
    thousand person ids from the store, not two million.
    """
    wanted: dict[str, set] = {}
    for name, frame in typed.items():
        for ref in TABLES[name].references:
            values = frame[ref.column]
            mask = values.notna()
            if ref.when is not None:
                mask &= frame[ref.when[0]] == ref.when[1]
            missing = values[mask]
            if ref.table in keys:
                missing = missing[~missing.isin(keys[ref.table])]
            if len(missing) and ref.table in stored:
                wanted.setdefault(ref.table, set()).update(missing.astype(object).unique())
    known = dict(keys)
    for table, values in wanted.items():
        key = TABLES[table].key[0]
        found = store.rows_where(table, key, sorted(values))[key].dropna().astype(object).unique()
        known[table] = known.get(table, pd.Index([], dtype=object)).append(pd.Index(found, dtype=object))
    for table in stored - set(known):
        known[table] = pd.Index([], dtype=object)  # in the store, and the batch refers to none of it
    return known


def _stored_parents(store: StoreView, name: str, key: str, parent: str, frame: pd.DataFrame) -> dict:
    """The stored tree (areas or units are small) without the rows the batch replaces."""
    rows = store.rows_where(name)
    rows = rows[~rows[key].isin(frame[key])]
    return {k: (None if pd.isna(p) else p) for k, p in zip(rows[key], rows[parent], strict=True)}


def _check_person_taken(raw, frame: pd.DataFrame, store: StoreView, out: Collector) -> None:
    """An employee's own person record belongs to one employee, counting the stored ones."""
    taken = store.rows_where("employees", "person_id", frame["person_id"].dropna().astype(object).unique())
    if not len(taken):
        return
    owner = dict(zip(taken["person_id"].astype(object), taken["employee_id"].astype(object), strict=True))
    other = np.array(
        [p in owner and owner[p] != e for p, e in zip(frame["person_id"], frame["employee_id"], strict=True)],
        dtype=bool,
    )
    out.rows(
        raw,
        "person_id",
        np.flatnonzero(other),
        lambda p: f"person {p!r} is already the person record of employee {owner[p]!r} in the store",
        frame["person_id"],
    )
