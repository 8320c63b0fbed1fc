"""Stored findings: detection's findings kept in the store, per UTC day of the look-up.

``graphrisk detect --incremental`` detects only the days that changed and keeps the findings here;
``graphrisk score`` reads them instead of detecting again when they cover its window
(docs/loading.md). Each store keeps them its own way, behind the same calls
(:func:`stored_findings`):

- ``state()``: what the stored findings are (:class:`FindingsState`), or None when there are none;
- ``read(since, until, rules=None, employees=None)``: the findings of look-ups in
  ``since <= ts < until``, as ``detect`` gives them (of some rules or employees only, when named);
- ``per_employee(since, until)``: how many of those each employee has (scoring weighs a month of
  national findings a part of the employees at a time: :data:`graphrisk.scoring.model.PART_FINDINGS`);
- ``publish(by_day, state)``: replace the findings of the days in ``by_day`` and record ``state``;
  ``publishing(state, ...)`` does the same a day at a time, as a from-scratch run detects them.

**Embedded store.** A folder ``findings/`` beside the store's versions: one Parquet file per UTC day
with findings (``day-2026-03-31.000012.parquet``, the number the publication's generation) and
``state.json``, which names the current file of each day. A publication writes the new day files
(fsynced), then replaces ``state.json`` atomically (a temporary file, fsync, rename, fsync of the
folder): that rename is its only commit point, so a crash leaves the old findings or the new, never
a mix. Files of the previous generation stay until the next publication, so that a reader that
read the old ``state.json`` a moment before can still open its files. One writer at a time
(``findings/write.lock``, waited for as a load's lock is).

**Neo4j.** One ``(:StoredFinding)`` node per finding (unique ``finding_id``, indexed ``day``), and one
``(:FindingsState)`` node. A publication first records the days it rewrites in the state
(``writing``), then deletes and merges their findings in batched transactions, then records the new
state: a run that stops half-way leaves its days listed as ``writing``, which the next run detects
again and which no score reads. A full ``load`` or a ``purge`` marks the state ``stale``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graphrisk.atomic import file_mode, fsync_dir, private_dir, private_file
from graphrisk.errors import StoreBusyError, StoreError
from graphrisk.frames import utc_day_labels
from graphrisk.rules.base import FINDING_COLUMNS
from graphrisk.store.base import LOCK_WAIT_ENV, lock_wait_seconds

__all__ = [
    "FINDINGS_DIR",
    "FindingsState",
    "day_of",
    "findings_per_employee",
    "mark_stale",
    "normalise_findings",
    "split_by_day",
    "stale_markers",
    "stored_findings",
]

FINDINGS_DIR = "findings"
STATE_FILE = "state.json"
STATE_FORMAT = 1
_LOCK = "write.lock"

#: The Parquet schema of a day file; the same for every day, empty or not.
SCHEMA = pa.schema(
    [
        ("finding_id", pa.string()),
        ("rule_id", pa.string()),
        ("employee_id", pa.string()),
        ("access_ids", pa.list_(pa.string())),
        ("ts", pa.timestamp("ns", tz="UTC")),
        *((c, pa.string()) for c in FINDING_COLUMNS[5:]),
    ]
)


@dataclass
class FindingsState:
    """What the stored findings are.

    ``fingerprint`` names the rules and parameters they were detected with
    (:func:`graphrisk.rules.incremental.fingerprint`); ``days`` every UTC day detected, with
    findings or none; ``batches`` the ``load --append`` batches whose days are detected;
    ``store_version`` the embedded store's version they were detected on (None on Neo4j);
    ``tables_dir`` that version's folder; ``shifted`` the employees that had shifts then (off-shift
    judges the others by their history); ``stale`` set by a full load or a purge on Neo4j;
    ``writing`` days a run that did not finish was rewriting (Neo4j).
    """

    fingerprint: str
    days: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    store_version: int | None = None
    tables_dir: str | None = None
    shifted: list[str] = field(default_factory=list)
    detected_at: str = ""
    stale: bool = False
    writing: list[str] = field(default_factory=list)
    loads: int = 0  #: Neo4j: full loads and purges counted by :func:`mark_stale`

    @classmethod
    def from_dict(cls, data: dict) -> FindingsState:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and data[k] is not None}
        for key in ("days", "batches", "shifted", "writing"):
            known[key] = [str(v) for v in known.get(key) or []]
        return cls(**known)


def stored_findings(store):
    """The stored findings of ``store``: :class:`EmbeddedFindings` or :class:`Neo4jFindings`."""
    if store.kind == "embedded":
        return EmbeddedFindings(store)
    return Neo4jFindings(store)


def mark_stale(store, *, remove: bool = False) -> None:
    """Record that a full load or a purge is changing ``store`` without a batch record: the stored
    findings no longer say what detection would find, until an incremental run detects everything.

    Called by the stores' ``load`` and ``purge`` before they write (a write that then fails costs a
    needless detection, never a stale score). On the embedded store a marker file
    ``findings/stale-*`` is made (a run removes only the markers it saw when it planned, so a load
    during a detection is not lost); on Neo4j the state's ``loads`` counter goes up. With ``remove``
    (a purge), the embedded store's findings are removed instead; a detection running meanwhile
    publishes findings of a store version older than the purge's, which the next run detects again.
    """
    if store.kind == "embedded":
        folder = Path(store.path) / FINDINGS_DIR
        if not folder.is_dir():
            return  # nothing stored: nothing to mark
        if remove:
            shutil.rmtree(folder, ignore_errors=True)
            return
        try:
            with private_file(folder / f"stale-{os.getpid()}-{time.time_ns()}", sync=True):
                pass
            fsync_dir(folder)
        except OSError as exc:
            raise StoreError(f"cannot mark the stored findings in {folder} as outdated: {exc}") from exc
        return
    from graphrisk.store.neo4j import Mode

    store.runner.run("findings/stale", mode=Mode.WRITE)


def stale_markers(store) -> list[str]:
    """The markers :func:`mark_stale` left on the embedded store (Neo4j keeps a counter instead)."""
    if store.kind != "embedded":
        return []
    folder = Path(store.path) / FINDINGS_DIR
    return sorted(p.name for p in folder.glob("stale-*")) if folder.is_dir() else []


def day_of(ts: pd.Series) -> pd.Series:
    """The UTC day of each timestamp as ``YYYY-MM-DD``.

    >>> day_of(pd.Series(pd.to_datetime(["2026-03-01T23:30:00-02:00"], utc=True))).tolist()
    ['2026-03-02']
    """
    return utc_day_labels(ts)


def split_by_day(findings: pd.DataFrame, days) -> dict[str, pd.DataFrame]:
    """``findings`` cut into one frame per day of ``days`` (empty frames for days without any)."""
    findings = normalise_findings(findings)
    of_day = day_of(findings["ts"]) if len(findings) else pd.Series([], dtype=object)
    groups = {d: g for d, g in findings.groupby(of_day.to_numpy(), sort=False)} if len(findings) else {}
    return {d: groups.get(d, findings.iloc[:0]).reset_index(drop=True) for d in sorted(set(days))}


def normalise_findings(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Findings in one representation whatever they came from (an engine, a day file, Neo4j):
    the columns of FINDING_COLUMNS, ids as Python strings or None, ``access_ids`` as lists,
    ``ts`` as nanosecond UTC, sorted as ``detect`` sorts them (time, rule, id).

    >>> f = normalise_findings(None)
    >>> list(f.columns) == FINDING_COLUMNS, str(f["ts"].dtype)
    (True, 'datetime64[ns, UTC]')
    """
    if frame is None or not len(frame):
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
        out["ts"] = pd.Series(dtype="datetime64[ns, UTC]")
        return out
    out = {}
    for c in FINDING_COLUMNS:
        values = frame[c].reset_index(drop=True) if c in frame.columns else pd.Series([None] * len(frame))
        if c == "ts":
            out[c] = pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
        elif c == "access_ids":
            out[c] = _id_lists(values)
        else:
            present = values.notna().to_numpy()
            obj = values.astype(object)
            out[c] = obj.where(present, None) if not present.all() else obj
    out = pd.DataFrame(out)
    return out.sort_values(["ts", "rule_id", "finding_id"], kind="stable").reset_index(drop=True)


# -- the embedded store ------------------------------------------------------------------------------


class _StoredFindings:
    """What both stores' findings do alike: a publication is a :meth:`publishing` written day by day."""

    def publish(
        self, by_day: dict[str, pd.DataFrame], state: FindingsState, *, replace_all: bool = False,
        stale_seen=(),
    ) -> None:  # fmt: skip
        """Replace the findings of every day in ``by_day`` (of every stored day with ``replace_all``)
        and record ``state``; ``state.loads`` is the count of full loads the run saw when it planned.

        The frames are normalised ones (:func:`normalise_findings`, as :func:`split_by_day` cuts
        them): they are written as they are, in their order."""
        with self.publishing(
            state, days=sorted(by_day), replace_all=replace_all, stale_seen=stale_seen
        ) as publication:
            for day, frame in sorted(by_day.items()):
                publication.write(day, frame)


class EmbeddedFindings(_StoredFindings):
    """Findings per day in ``<store>/findings/`` (see the module docstring)."""

    def __init__(self, store) -> None:
        self.store = store
        self.dir = Path(store.path) / FINDINGS_DIR

    def state(self) -> FindingsState | None:
        raw = self._raw_state()
        return None if raw is None else FindingsState.from_dict(raw)

    def read(self, since, until, rules=None, employees=None) -> pd.DataFrame:
        """The stored findings of look-ups in ``since <= ts < until`` (either may be None), of the
        rules ``rules`` only and of the employees ``employees`` only when given."""
        if employees is not None and not len(employees):
            return normalise_findings(None)
        tables = self._tables(since, until, _where(rules, employees), SCHEMA)
        if not tables:
            return normalise_findings(None)
        # each day's file is sorted as detect sorts, and the days are in order: no sort needed
        return _in_window(_frame(pa.concat_tables(tables)), since, until).reset_index(drop=True)

    def per_employee(self, since, until) -> pd.Series:
        """How many stored findings of look-ups in ``since <= ts < until`` each employee has (only
        the employee and time columns are read)."""
        columns = pa.schema([SCHEMA.field("employee_id"), SCHEMA.field("ts")])
        tables = self._tables(since, until, None, columns)
        if not tables:
            return findings_per_employee(pd.Series([], dtype=object))
        table = pa.concat_tables(tables)
        ts = pd.to_datetime(table.column("ts").to_numpy(), utc=True)
        ids = pd.Series(table.column("employee_id").to_numpy(zero_copy_only=False), dtype=object)
        return findings_per_employee(ids[_window_mask(ts, since, until)])

    def _tables(self, since, until, where, schema: pa.Schema) -> list[pa.Table]:
        """The day files of the window as Arrow tables of ``schema``'s columns, ``where`` filtered."""
        for _ in range(3):  # a publication may retire the files of a state read two generations ago
            raw = self._raw_state()
            if raw is None:  # removed by a purge since the caller saw them (never read as "no findings")
                raise StoreError(f"the stored findings in {self.dir} were removed while being read; "
                                 "run the command again")  # fmt: skip
            files = raw.get("files", {})
            first, last = _day_bounds(since, until)
            chosen = [f for d, f in sorted(files.items())
                      if (first is None or d >= first) and (last is None or d <= last)]  # fmt: skip
            try:
                return [
                    pq.read_table(self.dir / name, schema=schema, columns=schema.names, filters=where)
                    for name in chosen
                ]
            except FileNotFoundError:
                continue
            except (OSError, pa.ArrowException) as exc:
                raise StoreError(f"cannot read the stored findings in {self.dir}: {exc}") from exc
        raise StoreError(f"the stored findings in {self.dir} kept changing while they were read")

    @contextmanager
    def publishing(self, state: FindingsState, *, days=None, replace_all: bool = False, stale_seen=()):
        """:meth:`publish` a day at a time: ``write(day, frame)`` as each day's findings are
        detected, recorded with ``state`` when the block ends without an error (and not at all when
        it raises: the day files written so far are left for the next publication to remove).
        Holds the write lock throughout; then removes the stale markers ``stale_seen``. (``days``
        need not be named: each day's file is named as it is written.)"""
        with self._lock():
            raw = self._raw_state() or {}
            publication = _DayFiles(self.dir, int(raw.get("generation", 0)) + 1)
            yield publication
            generation = publication.generation
            written = publication.files
            files = {} if replace_all else {d: f for d, f in raw.get("files", {}).items() if d not in written}
            files.update({d: f for d, f in written.items() if f is not None})
            try:
                record = {"format": STATE_FORMAT, "generation": generation, **asdict(state), "files": files}
                tmp = self.dir / f".{STATE_FILE}.tmp"
                with private_file(tmp, sync=True) as f:
                    f.write((json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
                tmp.replace(self.dir / STATE_FILE)
                fsync_dir(self.dir)
            except OSError as exc:
                raise StoreError(f"cannot write the stored findings in {self.dir}: {exc}") from exc
            # keep this generation's files and the previous one's (a reader may be opening them)
            keep = set(files.values()) | set(raw.get("files", {}).values()) | {STATE_FILE, _LOCK}
            for entry in self.dir.iterdir():
                if entry.name.startswith("stale-") and entry.name not in stale_seen:
                    continue  # a load that came after this run planned: the next run detects everything
                if entry.name not in keep:
                    entry.unlink(missing_ok=True)

    def _raw_state(self) -> dict | None:
        path = self.dir / STATE_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(f"the stored findings' state {path} cannot be read: {exc}; "
                             "remove the folder to detect everything again") from exc  # fmt: skip
        if not isinstance(raw, dict) or raw.get("format") != STATE_FORMAT:
            return None  # another format: detect everything again
        return raw

    def _lock(self):
        return _FileLock(self.dir / _LOCK)


class _DayFiles:
    """The day files of one embedded publication, written as they come (fsynced; named by day and
    generation, so no reader of the current state opens them before the state names them)."""

    def __init__(self, folder: Path, generation: int) -> None:
        self.dir = folder
        self.generation = generation
        self.files: dict[str, str | None] = {}  #: day -> file name (None: detected, no findings)

    def write(self, day: str, frame: pd.DataFrame) -> None:
        """Replace ``day``'s findings by ``frame`` (normalised; empty: the day has none)."""
        if not len(frame):
            self.files[day] = None  # a day without findings has no file; the state lists it as detected
            return
        name = f"day-{day}.{self.generation:06d}.parquet"
        try:
            private_dir(self.dir)
            with private_file(self.dir / name, sync=True) as f:
                pq.write_table(_arrow(frame), f)
        except OSError as exc:
            raise StoreError(f"cannot write the stored findings in {self.dir}: {exc}") from exc
        self.files[day] = name


class _FileLock:
    """An exclusive ``flock`` on ``path``, waited for up to ``GRAPHRISK_LOCK_WAIT`` seconds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> _FileLock:
        try:
            private_dir(self.path.parent)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, file_mode())
        except OSError as exc:
            raise StoreError(f"cannot write the stored findings in {self.path.parent}: {exc}") from exc
        wait = lock_wait_seconds(None)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    raise StoreBusyError(
                        f"another detection is writing the stored findings in {self.path.parent}; "
                        f"waited {wait:g} s (wait longer with {LOCK_WAIT_ENV}=SECONDS)"
                    ) from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


# -- Neo4j -------------------------------------------------------------------------------------------


class Neo4jFindings(_StoredFindings):
    """Findings as ``(:StoredFinding)`` nodes with a ``(:FindingsState)`` (see the module docstring)."""

    def __init__(self, store) -> None:
        self.store = store

    def state(self) -> FindingsState | None:
        frame = self.store.runner.run("findings/state")
        if not len(frame) or frame.iloc[0]["state"] is None:
            return None
        return FindingsState.from_dict(dict(frame.iloc[0]["state"]))

    def read(self, since, until, rules=None, employees=None) -> pd.DataFrame:
        if employees is not None and not len(employees):
            return normalise_findings(None)
        first, last = _day_bounds(since, until)
        chosen = None if rules is None else sorted(rules)
        whose = None if employees is None else sorted(employees)
        params = {"first": first, "last": last, "rules": chosen, "employees": whose}
        frame = self.store.runner.run("findings/read", params)
        if len(frame):
            frame["ts"] = frame["ts"].map(_native)
        return normalise_findings(_in_window(frame, since, until))

    def per_employee(self, since, until) -> pd.Series:
        first, last = _day_bounds(since, until)
        frame = self.store.runner.run("findings/per_employee", {"first": first, "last": last})
        if not len(frame):
            return findings_per_employee(pd.Series([], dtype=object))
        ts = pd.to_datetime(frame["ts"].map(_native), utc=True)
        return findings_per_employee(frame["employee_id"].astype(object)[_window_mask(ts, since, until)])

    @contextmanager
    def publishing(self, state: FindingsState, *, days=None, replace_all: bool = False, stale_seen=()):
        """:meth:`publish` a day at a time: ``write(day, frame)`` as each day's findings are
        detected; the state is recorded when the block ends without an error. ``days``: the days
        the block will write (every stored day is deleted first with ``replace_all``, when they
        need not be named). A stop half-way leaves the days listed as ``writing``."""
        from graphrisk.store.neo4j import Mode

        runner = self.store.runner
        runner.run_script("findings/schema")
        with self.store.load_lock():
            days = sorted(days or [])
            marked = days
            if replace_all:  # every stored day is rewritten: a stop half-way must not leave any trusted
                old = self.state()
                marked = sorted(set(days) | set(old.days if old else []) | set(state.days))
            runner.run("findings/writing", {"days": marked}, mode=Mode.WRITE)
            size = self.store.batch_size
            chunks = [None] if replace_all else [days[i : i + 50] for i in range(0, len(days), 50)]
            for chunk in chunks:
                while True:
                    done = runner.run("findings/delete_days", {"days": chunk, "limit": size}, mode=Mode.WRITE)
                    if int(done.iloc[0]["deleted"]) == 0:
                        break
            yield _StoredFindingNodes(self.store)
            record = asdict(state)
            record["writing"] = []
            seen = record.pop("loads")
            record.pop("stale")
            record = {k: v for k, v in record.items() if v is not None}
            runner.run("findings/set_state", {"state": record, "loads_seen": seen}, mode=Mode.WRITE)


class _StoredFindingNodes:
    """The findings of one Neo4j publication, merged in batched transactions as they come."""

    def __init__(self, store) -> None:
        self.store = store

    def write(self, day: str, frame: pd.DataFrame) -> None:
        """Merge ``day``'s findings (its old ones were deleted when the publication began)."""
        if len(frame):
            self.store.write_batches("findings/write", frame.assign(day=day))


# -- helpers -----------------------------------------------------------------------------------------


def _day_bounds(since, until) -> tuple[str | None, str | None]:
    """The first and last UTC day of ``since <= ts < until`` (None for an open end).

    >>> _day_bounds("2026-03-01T12:00:00Z", "2026-03-03T00:00:00Z")
    ('2026-03-01', '2026-03-02')
    """
    last = None if until is None else _day_text(pd.Timestamp(until) - pd.Timedelta(1, "ns"))
    return (None if since is None else _day_text(since)), last


def _day_text(value) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%d")


def _in_window(frame: pd.DataFrame, since, until) -> pd.DataFrame:
    if not len(frame):
        return frame
    return frame[_window_mask(pd.to_datetime(frame["ts"], utc=True), since, until)]


def _window_mask(ts, since, until) -> np.ndarray:
    """Which of the UTC times ``ts`` fall in ``since <= ts < until`` (either may be None)."""
    ts = pd.DatetimeIndex(ts)
    keep = np.ones(len(ts), dtype=bool)
    if since is not None:
        keep &= np.asarray(ts >= _utc(since))
    if until is not None:
        keep &= np.asarray(ts < _utc(until))
    return keep


def _where(rules, employees) -> list | None:
    """A Parquet filter on the rules and employees named (None: every one)."""
    where = []
    if rules is not None:
        where.append(("rule_id", "in", sorted(rules)))
    if employees is not None:
        where.append(("employee_id", "in", sorted(employees)))
    return where or None


def findings_per_employee(ids: pd.Series) -> pd.Series:
    """Findings per employee id (``ids``: one per finding), in sorted order of the ids.

    >>> findings_per_employee(pd.Series(["E2", "E1", "E2"])).to_dict()
    {'E1': 1, 'E2': 2}
    """
    return ids.value_counts(sort=False).sort_index().rename("findings").rename_axis("employee_id")


def _utc(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _native(value):
    return value.to_native() if hasattr(value, "to_native") else value


def _frame(table: pa.Table) -> pd.DataFrame:
    """Day files as the frame :func:`normalise_findings` gives, column by column from Arrow (a
    month of national findings: a Python list per finding and pandas' own conversions took seconds).
    """
    columns = {}
    for name in SCHEMA.names:
        column = table.column(name)
        if name == "ts":
            columns[name] = pd.to_datetime(column.to_numpy(), utc=True).astype("datetime64[ns, UTC]")
        elif name == "access_ids":
            columns[name] = _lists(column)
        else:
            columns[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
    return pd.DataFrame(columns)


def _lists(column: pa.ChunkedArray) -> pd.Series:
    """A list column as a Series of Python lists (one id each, as detect makes them, is the quick case)."""
    column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    if len(column) and (lengths == 1).all():
        return pd.Series([[a] for a in column.flatten().to_numpy(zero_copy_only=False)], dtype=object)
    return pd.Series(column.to_pylist(), dtype=object).map(lambda v: list(v or []))


def _id_lists(values: pd.Series) -> pd.Series:
    """``access_ids`` as lists of text. Lists of text, as every engine makes them, are kept as they
    are (a check, not a copy: 2.5 million findings a day at national scale)."""
    items = values.to_numpy(dtype=object)
    if all(type(v) is list and all(type(a) is str for a in v) for v in items):
        return pd.Series(items, dtype=object)
    return pd.Series([[str(a) for a in v] for v in items], dtype=object)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """A day's findings as the file's table; ``frame`` is normalised already (publish's contract)."""
    return pa.Table.from_pandas(frame[SCHEMA.names], schema=SCHEMA, preserve_index=False)


def days_between(first: date, last: date) -> list[str]:
    """Every day from ``first`` to ``last``, both included, as ``YYYY-MM-DD``.

    >>> days_between(date(2026, 2, 27), date(2026, 3, 1))
    ['2026-02-27', '2026-02-28', '2026-03-01']
    """
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(first, last, freq="D")]
