"""The Store interface both stores implement, and the values it returns."""

from __future__ import annotations

import contextlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graphrisk.contract import EVALUATION_ONLY, TABLE_ORDER, TABLES
from graphrisk.errors import DataError, Problem, UsageError
from graphrisk.frames import isin
from graphrisk.graph import NODES, RELATIONSHIPS, node_rows, rel_rows, with_synthetic_ids
from graphrisk.ingest import Dataset
from graphrisk.privacy.retention import PurgeSummary

__all__ = [
    "ACCESS_COLUMNS",
    "ACTING_USER",
    "GraphStats",
    "LoadSummary",
    "Progress",
    "PurgeSummary",
    "Store",
    "access_conflicts",
    "graph_counts",
    "refuse_changed_accesses",
]

#: progress(step_name, done, total) — called as a load goes; total is in rows.
Progress = Callable[[str, int, int], None]

#: The user a store's work is done for (None: the process's user). Neo4j transactions carry it in
#: their metadata. A context variable, not an attribute of the store: the browser workspace serves
#: several users from one store at once, each request in its own context.
ACTING_USER: ContextVar[str | None] = ContextVar("graphrisk_acting_user", default=None)


@contextlib.contextmanager
def acting_user(user: str | None) -> Iterator[None]:
    """Do the block's store work for ``user`` (see :data:`ACTING_USER`)."""
    token = ACTING_USER.set(user)
    try:
        yield
    finally:
        ACTING_USER.reset(token)


@dataclass
class GraphStats:
    """Counts of nodes per label and relationships per type; labels and types with none are left out."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "nodes": dict(sorted(self.nodes.items())),
            "relationships": dict(sorted(self.relationships.items())),
        }


@dataclass
class LoadSummary:
    """What a load did: rows read per table and the graph afterwards."""

    store: str
    rows: dict[str, int]
    stats: GraphStats
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "store": self.store,
            "rows": self.rows,
            "graph": self.stats.to_dict(),
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


class Store(ABC):
    """Where a loaded data set lives: Neo4j or the embedded store, answering the same questions."""

    kind: str = "store"

    @abstractmethod
    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary:
        """Write a validated data set: upsert by key (``replace`` empties the store first)."""

    @abstractmethod
    def stats(self) -> GraphStats:
        """Node counts per label and relationship counts per type."""

    @abstractmethod
    def describe(self) -> str:
        """Where this store is, for messages (a path or a URI without credentials)."""

    @abstractmethod
    def tables_present(self) -> set[str]:
        """The contract tables this store holds rows of."""

    @abstractmethod
    def purge(self, cut: pd.Timestamp, *, dry_run: bool = False) -> PurgeSummary:
        """Remove what lies before ``cut`` (:mod:`graphrisk.privacy.retention` says what); count it.

        Removing again what is gone removes nothing. With ``dry_run``, count and change nothing.
        """

    # -- the read API ------------------------------------------------------------------------------
    # What code outside graphrisk/store/ reads, asked the same way of either store, so that no
    # caller branches on ``kind`` to read data. Kept narrow on purpose (as sqlite-utils'
    # ``rows_where`` and networkx's views are): contract rows by key, the batch record, the log's
    # days and who has shifts (for incremental detection), the graph for exploration, and a version
    # to cache against. Everything comes back in the contract's
    # types, whichever store holds it.

    @abstractmethod
    def rows_where(
        self, table: str, column: str | None = None, values=None, *, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """The stored rows of contract table ``table`` whose ``column`` is one of ``values``.

        Without ``column``, every row. ``columns`` keeps only those columns (in that order). A table
        the store holds no rows of gives an empty frame with the asked columns (an embedded store
        where nothing was ever loaded raises :class:`~graphrisk.errors.StoreNotFoundError`, as every
        read of it does). Column types are the contract's (strings as ``string[pyarrow]``, datetimes
        in UTC), on both stores: ``store.rows_where("employees", "unit_id", ["U2"],
        columns=["employee_id"])`` is the same frame from either.
        """

    @abstractmethod
    def load_batches(self) -> pd.DataFrame:
        """The record of every ``load --append`` batch (:mod:`graphrisk.store.append`), oldest first."""

    @abstractmethod
    def lookups_per_day(self) -> dict[str, int]:
        """How many look-ups the store holds on each UTC day (``YYYY-MM-DD``), counted where they
        are (a month of national log is 300 million)."""

    @abstractmethod
    def shift_status(self) -> tuple[list[str], list[str]]:
        """The employees with at least one shift, and the employees with look-ups but no shift,
        each sorted."""

    @abstractmethod
    def graph_source(self):
        """The graph as :mod:`graphrisk.analyst.source` explores it (a :class:`GraphSource`).

        Persons' names are in it: :func:`graphrisk.analyst.source.source_for` hides them while a
        command runs pseudonymised.
        """

    def published_version(self) -> object | None:
        """An identity of the newest data published in the store, to cache what is read from it.

        Equal values mean the same data: what was read may be kept. None means the store cannot
        tell (a live database, changed by any transaction): cache for a limited time only.
        """
        return None

    def window_lookups(self, since, until) -> contextlib.AbstractContextManager:
        """What answers scoring's questions about the look-ups of ``since <= ts < until`` without
        reading them into pandas (:mod:`graphrisk.scoring.lookups`), as a context manager.

        None (the default, and on a store without an SQL engine): scoring reads the window's
        look-ups and answers in pandas, the reference. Either way the scores are the same.
        """
        return contextlib.nullcontext(None)

    def close(self) -> None:  # noqa: B027 - a store without resources needs no close
        """Release connections or files."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def graph_counts(tables: dict[str, pd.DataFrame]) -> GraphStats:
    """The node and relationship counts the graph model gives for ``tables``.

    This is the embedded store's answer to :meth:`Store.stats`, computed from
    the same specs the Neo4j loaders follow: a relationship counts where both
    ends exist and once per distinct (start, end, key).
    """
    prepared = {
        name: with_synthetic_ids(name, frame) for name, frame in tables.items() if name not in EVALUATION_ONLY
    }
    keys: dict[str, pd.Index] = {}
    stats = GraphStats()
    for spec in NODES:
        if spec.table in prepared:
            ids = pd.Index(node_rows(spec, prepared[spec.table])[spec.key].dropna())
            keys[spec.label] = ids
            if len(ids):
                stats.nodes[spec.label] = len(ids)
    for spec in RELATIONSHIPS:
        if spec.table not in prepared or spec.start not in keys or spec.end not in keys:
            continue
        rows = rel_rows(spec, prepared[spec.table])
        rows = rows[
            isin(rows[spec.start_column], keys[spec.start]) & isin(rows[spec.end_column], keys[spec.end])
        ]
        n = len(rows.drop_duplicates(subset=[spec.start_column, spec.end_column, *spec.key]))
        if n:
            stats.relationships[spec.type] = stats.relationships.get(spec.type, 0) + n
    return stats


#: What an access event is: every column of the log. A look-up is a fact recorded when it happened;
#: a re-load may repeat it (and is skipped), never change who made it, of what, when or why.
ACCESS_COLUMNS: tuple[str, ...] = tuple(TABLES["access_log"].column_names)
_EXAMPLES = 5


def access_conflicts(dataset: Dataset, existing: pd.DataFrame) -> list[Problem]:
    """One Problem per incoming access whose id the store holds with other content.

    ``existing`` holds the store's rows for (at least) the incoming ids, with
    the columns of :data:`ACCESS_COLUMNS`; both stores call this with what
    they read, so they refuse exactly the same rows. Identical rows are no
    conflict (loading the same data twice changes nothing); timestamps
    compare as instants, missing values equal missing values.

    >>> from pathlib import Path
    >>> from graphrisk.ingest import Dataset
    >>> row = {"access_id": "X1", "ts": pd.Timestamp("2026-03-02T08:15:00Z"), "employee_id": "E1",
    ...        "system": "BVH", "target_type": "person", "target_id": "P4", "action": "view", "case_id": None}
    >>> incoming = pd.DataFrame([{**row, "employee_id": "E2"}])
    >>> ds = Dataset(Path("ds"), {"access_log": incoming})
    >>> [str(p) for p in access_conflicts(ds, pd.DataFrame([row]))]
    ["access_log.csv: access_id: 'X1' is in the store with other content: employee_id 'E1' there, 'E2' here"]
    >>> access_conflicts(ds, incoming)
    []
    """
    if "access_log" not in dataset.tables or existing is None or not len(existing):
        return []
    incoming = dataset["access_log"]
    known = isin(
        incoming["access_id"].astype("string[pyarrow]"), existing["access_id"].astype("string[pyarrow]")
    )
    if not known.any():
        return []
    positions = np.flatnonzero(known)
    existing = existing.drop_duplicates("access_id")
    at = pd.Index(existing["access_id"].astype(object)).get_indexer(incoming["access_id"].iloc[positions])
    here = _comparable(incoming.iloc[positions])
    there = _comparable(existing.iloc[at])
    differs = {c: ~np.asarray(here[c] == there[c], dtype=bool) for c in ACCESS_COLUMNS[1:]}
    changed = np.logical_or.reduce(list(differs.values()))
    if not changed.any():
        return []
    rows = np.flatnonzero(changed)
    lines = dataset.line_of("access_log", positions[rows])
    file = dataset.file_name("access_log")
    problems = []
    for row, line in zip(rows, lines, strict=True):
        what = "; ".join(
            f"{c} {_show(c, there[c][row])} there, {_show(c, here[c][row])} here"
            for c in ACCESS_COLUMNS[1:]
            if differs[c][row]
        )
        access_id = here["access_id"][row]
        problems.append(
            Problem(
                file, line, None, "access_id", f"{access_id!r} is in the store with other content: {what}"
            )
        )
    return problems


def refuse_changed_accesses(
    dataset: Dataset,
    existing: pd.DataFrame,
    where: str,
    remedy: str = "or load with --replace to empty the store first",
) -> None:
    """Raise :class:`DataError` (before anything is written) when :func:`access_conflicts` finds any.

    ``remedy`` ends the message: what the user can do instead (an append must not suggest emptying
    the store it appends to)."""
    problems = access_conflicts(dataset, existing)
    if not problems:
        return
    shown = problems[:_EXAMPLES]
    if len(problems) > len(shown):
        more = len(problems) - len(shown)
        shown.append(Problem(shown[0].file, None, None, "access_id", f"... and {more} more rows like this"))
    shown.append(
        Problem(
            shown[0].file,
            None,
            None,
            None,
            f"an access event never changes once loaded into {where}: give a new event its own "
            f"access_id, {remedy}",
        )
    )
    raise DataError(shown, total=len(problems))


def _comparable(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The access columns as arrays that compare with ``==``: Python strings or None, ``ts`` as UTC ns.

    Plain NumPy arrays, not a frame: pandas would turn None back into a missing
    value that is unequal to itself.
    """
    out = {}
    for c in ACCESS_COLUMNS:
        col = frame[c] if c in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        if c == "ts":
            out[c] = pd.to_datetime(col, utc=True).dt.as_unit("ns").astype("int64").to_numpy()
            continue
        values = col.astype(object).to_numpy(copy=True)
        values[col.isna().to_numpy()] = None
        out[c] = values
    return out


def _show(column: str, value) -> str:
    if value is None:
        return "(empty)"
    if column == "ts":
        return pd.Timestamp(int(value), tz="UTC").isoformat()
    return repr(str(value))


def table_order(names) -> list[str]:
    """``names`` in the contract's order."""
    return [n for n in TABLE_ORDER if n in names]


#: How long a load waits for another one on the same store (seconds), on both stores.
LOCK_WAIT_ENV = "GRAPHRISK_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 60.0
#: The stores' fault-injection hook for tests (``embedded-swap:STEP``, ``neo4j-load:STEP``).
FAULT_ENV = "GRAPHRISK_FAULT"


def lock_wait_seconds(explicit: float | None = None) -> float:
    """How long a load waits for another (both stores): ``explicit``, else ``GRAPHRISK_LOCK_WAIT``."""
    if explicit is not None:
        return max(0.0, float(explicit))
    text = os.environ.get(LOCK_WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_LOCK_WAIT
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not 0 <= wait < float("inf"):
        raise UsageError(f"{LOCK_WAIT_ENV}={text!r} must be a number of seconds, 0 or more")
    return wait
