"""The embedded store: typed Parquet tables in a local directory, no server needed.

Layout of a store directory::

    .graphrisk/
      manifest.json              the one pointer: format version, the current tables directory,
                                 rows per table, when loaded, graphrisk version
      tables-000007-3fa2c1/      one version: NAME.parquet per contract table (ground truth never)
        access_log.part-000007.parquet   a part added by ``load --append`` (the manifest's ``files``)
        load_batches.parquet     the record of the appended batches (graphrisk.store.append)
        .readers                 the version's lock: every reader holds it shared
      write.lock                 held by the one writer; says who holds it (pid, host, command)

**Reading.** A store object pins one version at its first read: it reads
``manifest.json``, takes a shared ``flock`` on that version's ``.readers`` and
reads only that directory until :meth:`EmbeddedStore.close`. A command
therefore sees one whole version from its first table to its last, however
many loads finish meanwhile. Readers never wait for a load and never write.

**Writing.** A load takes an exclusive ``flock`` on ``write.lock`` for its whole
run (so does a purge, :meth:`EmbeddedStore.purge`, which publishes a version
without what is older than the retention period, through the same steps);
a second load waits for it up to ``GRAPHRISK_LOCK_WAIT`` seconds (default
60, ``0`` to refuse at once) and is then refused with
:class:`~graphrisk.errors.StoreBusyError`, naming the store and the holder.
Under the lock it removes what earlier crashed runs left behind, reads the
current version, merges the data set into it and writes a complete new version
into ``.tables-new-<version>/`` (every file fsynced), renames that to
``tables-<version>/`` and then replaces ``manifest.json`` atomically (a
temporary file, fsync, rename, fsync of the directory). That rename is the
only commit point: a crash before it leaves the old store whole, a crash
after it the new one. Versions the manifest no longer names are removed
under an exclusive, non-blocking lock on their ``.readers``, so a version a
reader still holds stays until a later load finds it free.

**Appending.** :meth:`EmbeddedStore.append` publishes a version through the same steps, but
does not rewrite what did not change: files of the current version are hard-linked into the new
one (versions share them; retiring a version removes only its links), a table that only gains
rows gets a part file, a table with updated rows is rewritten. A table is read as its files in
the manifest's order; a full load writes each table as one file again.

**Older stores.** Format 1 (graphrisk before this layout) kept ``tables/``
beside the manifest and swapped directories with renames, which a crash could
leave as no ``tables/`` plus a ``.tables-old-PID`` (the old tables), or new
tables under the old manifest. Such a store is read from whichever of
``tables/`` and ``.tables-old-*`` matches its manifest (every table present
with the manifest's row count); the next load writes the new layout, and the
load after that removes the old directories.

**Modes.** Directories and files are created with :func:`graphrisk.atomic.file_mode`
(owner only unless ``GRAPHRISK_FILE_MODE`` says otherwise); a load also
narrows the store directory itself to that mode.

**Fault injection** (for tests): ``GRAPHRISK_FAULT=embedded-swap:STEP`` makes
a load end the process with ``os._exit(86)`` at ``STEP``, as ``kill -9`` would;
``GRAPHRISK_FAULT=embedded-swap:STEP:sleep=SECONDS`` pauses there instead.
The steps, in order (:data:`FAULT_STEPS`): ``locked`` (write lock held),
``staging`` (new directory made, empty), ``table`` (first table written),
``written`` (every table written and synced), ``renamed`` (the version
directory in place, not yet named), ``manifest-written`` (the new manifest
written under its temporary name), ``published`` (manifest replaced, old
version still there), ``cleaned`` (old versions removed, lock still held).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import socket
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from graphrisk import __version__
from graphrisk.atomic import dir_mode, file_mode, fsync_dir, private_dir, private_file
from graphrisk.contract import EVALUATION_ONLY, TABLES
from graphrisk.errors import StoreBusyError, StoreError, StoreNotFoundError, UsageError
from graphrisk.ingest import Dataset
from graphrisk.privacy.retention import purge_tables
from graphrisk.store.append import AppendSummary
from graphrisk.store.base import (
    DEFAULT_LOCK_WAIT,
    FAULT_ENV,
    LOCK_WAIT_ENV,
    GraphStats,
    LoadSummary,
    Progress,
    PurgeSummary,
    Store,
    graph_counts,
    lock_wait_seconds,
    refuse_changed_accesses,
    table_order,
)

__all__ = [
    "DEFAULT_LOCK_WAIT",
    "FAULT_ENV",
    "FAULT_EXIT_CODE",
    "FAULT_STEPS",
    "FORMAT_VERSION",
    "LOCK_WAIT_ENV",
    "EmbeddedStore",
]

FORMAT_VERSION = 2
LEGACY_FORMAT = 1  #: ``tables/`` beside the manifest, swapped by renames; read, and migrated by a load
MANIFEST = "manifest.json"
WRITE_LOCK = "write.lock"
READERS = ".readers"
BATCHES_FILE = "load_batches.parquet"
#: the columns of the batch record (graphrisk.store.append.AppendSummary.record, plus the version)
BATCH_COLUMNS = (
    "batch_id", "source", "loaded_at", "store_version", "tables", "lookup_days", "redetect_days",
)  # fmt: skip
#: the tables :meth:`EmbeddedStore._log_sql` queries
_LOG_TABLES = ("access_log", "shifts")
#: parts a table may have before an append writes it as one file again (reads stay quick)
_MAX_PARTS = 64
FAULT_EXIT_CODE = 86
FAULT_STEPS = (
    "locked",
    "staging",
    "table",
    "written",
    "renamed",
    "manifest-written",
    "published",
    "cleaned",
)

_VERSION_DIR = re.compile(r"^tables-(\d+)-([0-9a-f]+)$")
_STAGING = ".tables-new-"
_TRASH = ".trash-"
_LEGACY_OLD = ".tables-old-"
_PIN_ATTEMPTS = 50


@dataclass
class _Pin:
    """The version a store object reads: its manifest, its directory and the shared lock held on it."""

    manifest: dict
    directory: Path
    release: weakref.finalize | None  # closes the lock's descriptor (None: a format-1 store has no lock)
    source: object | None = None  # the graph_source() of this version, once asked for


class EmbeddedStore(Store):
    """A store directory of Parquet tables.

    Parameters
    ----------
    path : the store directory.
    lock_wait : seconds a load waits for another load to finish; None reads
        ``GRAPHRISK_LOCK_WAIT`` (default 60).

    >>> import tempfile
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> store.exists()
    False
    """

    kind = "embedded"

    def __init__(self, path: str | os.PathLike, *, lock_wait: float | None = None) -> None:
        self.path = Path(path)
        self.lock_wait = lock_wait
        self._pin: _Pin | None = None
        self._building = threading.Lock()  # the browser workspace asks from several threads

    def describe(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return (self.path / MANIFEST).is_file()

    def close(self) -> None:
        """Let go of the version this object reads (a later read pins the newest one)."""
        pin, self._pin = self._pin, None
        if pin is not None and pin.release is not None:
            pin.release()

    # -- reading ---------------------------------------------------------------------------------

    def manifest(self) -> dict:
        """The manifest of the version this object reads."""
        return self._pinned().manifest

    @property
    def tables_dir(self) -> Path:
        """The directory of the version this object reads."""
        return self._pinned().directory

    def table_names(self) -> list[str]:
        return table_order(self.manifest()["tables"])

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read one stored table (an empty frame with the contract's columns if it was not loaded)."""
        pin = self._pinned()
        if name not in pin.manifest["tables"]:
            return pd.DataFrame({c: pd.Series(dtype="string[pyarrow]") for c in TABLES[name].column_names})
        paths = self.table_files(name)
        try:
            parts = [pq.read_table(path, columns=columns) for path in paths]
            whole = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="default")
            return whole.to_pandas(types_mapper=_string_types)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"cannot read {name} from {pin.directory}: {exc}") from exc

    def table_files(self, name: str) -> list[Path]:
        """The files table ``name`` is kept in, in the version this object reads: one, or a first
        file and the part files of appends. Engines reading the Parquet directly (DuckDB, Spark)
        take them from here too, so that none misses an appended part."""
        pin = self._pinned()
        names = pin.manifest.get("files", {}).get(name) or [f"{name}.parquet"]
        return [pin.directory / n for n in names]

    def rows_where(
        self, table: str, column: str | None = None, values=None, *, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """The stored rows of ``table`` whose ``column`` is one of ``values`` (see :meth:`Store.rows_where`).

        Reads only the asked columns, and only the row groups whose statistics can hold one of the
        values: a batch's new access ids, which follow the stored ones, skip every stored row group
        of the log.
        """
        if table not in self._pinned().manifest["tables"]:
            empty = self.table(table)
            return empty[columns] if columns is not None else empty
        read = None if columns is None else list(dict.fromkeys([*columns, *([column] if column else [])]))
        if column is None:
            return self.table(table, read)[columns] if columns is not None else self.table(table)
        values = pd.Series(list(values), dtype=object).dropna().astype(str).unique().tolist()
        if not values:
            found = self.table(table, read).iloc[:0]
            return found[columns] if columns is not None else found
        wanted = pc.field(column).isin(pa.array(values, type=pa.string()))
        wanted = (pc.field(column) >= min(values)) & (pc.field(column) <= max(values)) & wanted
        try:
            found = pads.dataset([str(p) for p in self.table_files(table)], format="parquet").to_table(
                columns=read, filter=wanted
            )
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"cannot read {table} from {self._pinned().directory}: {exc}") from exc
        found = found.to_pandas(types_mapper=_string_types)
        return found[columns] if columns is not None else found

    def lookup_days(self, filters) -> set:
        """The UTC days of stored look-ups that any of ``filters`` selects.

        ``filters`` are :class:`~graphrisk.store.append.LookupFilter`; the log is read once.
        """
        if "access_log" not in self._pinned().manifest["tables"]:
            return set()
        log = self.table("access_log", ["ts", "employee_id", "target_type", "target_id", "case_id"])
        hit = np.zeros(len(log), dtype=bool)
        for f in filters:
            hit |= f.matches(log)
        return set(pd.to_datetime(log["ts"][hit], utc=True).dt.date.unique())

    def load_batches(self) -> pd.DataFrame:
        """The record of every ``load --append`` batch (:mod:`graphrisk.store.append`), oldest first."""
        record = self._pinned().manifest.get("load_batches")
        if not record:
            return pd.DataFrame(columns=list(BATCH_COLUMNS))
        path = self._pinned().directory / record["file"]
        try:
            return pq.read_table(path).to_pandas(types_mapper=_string_types)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

    def lookups_per_day(self) -> dict[str, int]:
        frame = self._log_sql(
            "SELECT strftime(CAST(timezone('UTC', ts) AS DATE), '%Y-%m-%d') AS day, count(*) AS lookups "
            "FROM {access_log} GROUP BY 1"
        )
        return {str(d): int(n) for d, n in zip(frame["day"], frame["lookups"], strict=True)}

    def shift_status(self) -> tuple[list[str], list[str]]:
        shifted = {str(e) for e in self._log_sql("SELECT DISTINCT employee_id FROM {shifts}")["employee_id"]}
        with_lookups = self._log_sql("SELECT DISTINCT employee_id FROM {access_log}")["employee_id"]
        return sorted(shifted), sorted({str(e) for e in with_lookups} - shifted)

    def _log_sql(self, text: str) -> pd.DataFrame:
        """A DuckDB query over the pinned version's Parquet files of the log and the shifts (out of
        core: the log is not read into pandas); ``{access_log}`` and ``{shifts}`` name them."""
        import duckdb

        from graphrisk.rules.duck import table_files, table_sql

        files = table_files(self)
        sources = {
            name: f"({table_sql(TABLES[name], files.get(name, []))})" for name in ("access_log", "shifts")
        }
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            return con.sql(text.format(**sources)).df()
        finally:
            con.close()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name) for name in self.table_names()}

    def window_lookups(self, since, until) -> contextlib.AbstractContextManager:
        """The queries of ``sql/score/`` on the engine of the run (DuckDB by default, Spark with
        ``--engine spark``) over this store's files: scoring holds one row per finding, never the
        window's look-ups (:class:`graphrisk.scoring.lookups.SQLLookups`).

        With the pandas engine chosen (``--engine pandas``, ``GRAPHRISK_ENGINE=pandas``) None: the
        look-ups are read into pandas, the reference.
        """
        from graphrisk.rules.engine import sql_run

        run = sql_run(self, since, until)
        if run is None:
            return contextlib.nullcontext(None)
        from graphrisk.scoring.lookups import SQLLookups

        return SQLLookups(run)

    def graph_source(self):
        """The tables joined as the graph model says; built once per version this object reads."""
        from graphrisk.analyst.source import EmbeddedSource  # the analyst layer, when asked for

        pin = self._pinned()
        with self._building:  # one request builds it; the others arriving meanwhile wait and reuse it
            if pin.source is None:
                pin.source = EmbeddedSource(self.tables())
        return pin.source

    def published_version(self) -> tuple | None:
        """The newest manifest on disk (a load replaces it when it publishes a version)."""
        try:
            st = (self.path / MANIFEST).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def table_version(self, name: str) -> tuple:
        """An identity of table ``name``'s files in the version this object reads.

        A table an append did not change keeps its files (hard links) in the new version, so the
        identity stays: a long-running reader keeps what it read of it.
        """
        out = []
        for path in self.table_files(name):
            st = os.stat(path)
            out.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def tables_present(self) -> set[str]:
        return {name for name, rows in self.manifest()["tables"].items() if rows}

    def stats(self) -> GraphStats:
        return graph_counts(self.tables())

    def _pinned(self) -> _Pin:
        if self._pin is None:
            self._pin = self._open_version()
        return self._pin

    def _open_version(self) -> _Pin:
        """Read the manifest and hold its version shared; retry when a load retired it meanwhile."""
        missing = None
        for _ in range(_PIN_ATTEMPTS):
            manifest = self._read_manifest()
            if manifest["format_version"] == LEGACY_FORMAT:
                return _Pin(manifest, self._legacy_dir(manifest), None)
            directory = self.path / manifest["tables_dir"]
            if missing == directory:
                raise StoreError(
                    f"the embedded store at {self.path} names the tables directory {directory.name}, "
                    "which is missing; load the data set again with --replace"
                )
            lock = directory / READERS
            try:
                fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                missing = directory  # retired by a load since the manifest was read: read it again
                continue
            except OSError as exc:
                raise StoreError(f"cannot open the embedded store at {self.path}: {exc}") from exc
            try:
                # waits only while a load is retiring this very version, which takes a rename
                fcntl.flock(fd, fcntl.LOCK_SH)
                if os.path.samestat(os.fstat(fd), os.stat(lock)):
                    return _Pin(manifest, directory, weakref.finalize(self, os.close, fd))
            except FileNotFoundError:
                pass
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            missing = directory
        raise StoreError(f"the embedded store at {self.path} kept changing while it was being opened")

    def _read_manifest(self) -> dict:
        if not self.exists():
            raise StoreNotFoundError(
                f"no data loaded in the embedded store at {self.path}; run 'graphrisk load DATASET_DIR' first"
            )
        path = self.path / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"the store manifest {path} cannot be read: {exc}") from exc
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        if version not in (FORMAT_VERSION, LEGACY_FORMAT):
            raise StoreError(
                f"the store at {self.path} has format version {version}, "
                f"this graphrisk reads {LEGACY_FORMAT} and {FORMAT_VERSION}; "
                "load the data set again with --replace"
            )
        tables = manifest.get("tables")
        tables_dir = manifest.get("tables_dir", "")
        if not isinstance(tables, dict) or (
            version == FORMAT_VERSION and not _VERSION_DIR.match(str(tables_dir))
        ):
            raise StoreError(
                f"the store manifest {path} is malformed (it must name its tables); "
                "load the data set again with --replace"
            )
        return manifest

    def _legacy_dir(self, manifest: dict) -> Path:
        """The format-1 tables directory that matches ``manifest``, also after a crash mid-swap."""
        candidates = [self.path / "tables", *sorted(self.path.glob(f"{_LEGACY_OLD}*"))]
        for directory in candidates:
            if _holds(directory, manifest["tables"]):
                return directory
        raise StoreError(
            f"the embedded store at {self.path} was left half-written by an older graphrisk: "
            "no tables directory matches its manifest; load the data set again with --replace"
        )

    # -- writing ---------------------------------------------------------------------------------

    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary:
        """Merge ``dataset`` into a new version and publish it (see the module docstring).

        An access id the store holds with other content is refused
        (:func:`~graphrisk.store.base.refuse_changed_accesses`) before anything is written.
        """
        started = time.perf_counter()
        names = [n for n in table_order(dataset.tables) if n not in EVALUATION_ONLY]
        with self._write_lock():
            _fault("locked")
            _findings_stale(self)
            self._remove_leftovers(legacy=True)
            self.close()  # what this object read before the lock may be older than the current version
            old = {} if replace or not self.exists() else self.tables()
            previous = 0 if replace or not self.exists() else int(self.manifest().get("version", 0))
            if not replace:
                refuse_changed_accesses(dataset, old.get("access_log"), f"the embedded store at {self.path}")
            merged: dict[str, pd.DataFrame] = dict(old)
            total = sum(len(dataset[n]) for n in names)
            done = 0
            for name in names:
                frame = dataset[name]
                if name in old:
                    # new rows win, as MERGE ... SET does in Neo4j
                    frame = pd.concat([old[name], frame], ignore_index=True)
                    frame = frame.drop_duplicates(subset=list(TABLES[name].key), keep="last")
                merged[name] = frame.reset_index(drop=True)
                done += len(dataset[name])
                if progress:
                    progress(name, done, total)
            keep = None if replace else self._batches_file()
            self.close()  # the old version is not read again; let the clean-up retire it
            self._write(merged, previous + 1, keep_batches=keep)
        return LoadSummary(
            store=self.kind,
            rows={n: len(dataset[n]) for n in names},
            stats=graph_counts(merged),
            seconds=time.perf_counter() - started,
        )

    def purge(self, cut: pd.Timestamp, *, dry_run: bool = False) -> PurgeSummary:
        """Remove what lies before ``cut`` by publishing a new version without it.

        A purge is a write like a load: it holds the write lock, reads the
        current version and publishes the purged tables through the same
        :meth:`_write` (the fault-injection steps included), so a crash leaves
        the old version or the purged one. Nothing to remove publishes nothing.
        A dry run reads the current version without the lock and writes nothing.
        """
        self.manifest()  # an empty store is refused before the lock would create its directory
        if dry_run:
            _, removed = purge_tables(self.tables(), cut)
            left = int(self.manifest()["tables"].get("access_log", 0)) - removed["accesses"]
            return self._purge_summary(cut, True, removed, left)
        with self._write_lock():
            _fault("locked")
            self._remove_leftovers(legacy=True)
            self.close()  # what this object read before the lock may be older than the current version
            tables = self.tables()
            previous = int(self.manifest().get("version", 0))
            kept, removed = purge_tables(tables, cut)
            keep = self._batches_file()
            self.close()
            if any(removed.values()):
                _findings_stale(self, purge=True)
                purged = {"purged_before": cut.isoformat(), "purged": removed}
                self._write(kept, previous + 1, purged, keep_batches=keep)
        left = len(kept["access_log"]) if "access_log" in kept else 0
        return self._purge_summary(cut, False, removed, left)

    def append(self, path: str | os.PathLike, *, progress: Progress | None = None) -> AppendSummary:
        """Validate the batch in ``path`` against the contract and this store; publish what it changes.

        Under the write lock, as a load: the batch is read and checked (every reference in the batch
        or the store), sorted into added/skipped/updated rows (:func:`~graphrisk.store.append.plan_append`),
        and a new version is published in which unchanged tables are hard links to the current
        files, a table that only gains rows gets one new part file, and a table with updated rows
        is rewritten (registers such as cases are small; the look-up log is never updated). A
        batch that changes nothing publishes nothing. After ``_MAX_PARTS`` parts a table is
        written as one file again.
        """
        from graphrisk.ingest.append import read_batch
        from graphrisk.store.append import AppendSummary, affected_days, batch_id, lookup_days, plan_append

        started = time.perf_counter()
        if not self.exists():  # a mistyped --store would otherwise take a day's look-ups as a new store
            raise StoreNotFoundError(
                f"nothing is loaded in the embedded store at {self.path}: load a whole data set first "
                "('graphrisk load DATASET_DIR'), then append batches to it"
            )
        with self._write_lock():
            _fault("locked")
            self._remove_leftovers(legacy=True)
            self.close()  # what this object read before the lock may be older than the current version
            view = self
            batch = read_batch(path, view)
            changes = plan_append(batch, view, f"the embedded store at {self.path}")
            summary = AppendSummary(
                store=self.kind,
                batch_id=batch_id(batch),
                source=str(Path(path)),
                tables={name: change.counts() for name, change in changes.items()},
                lookup_days=lookup_days(changes),
                redetect_days=affected_days(changes, view, batch),
                written=False,
                warnings=[str(w) for w in batch.warnings],
            )
            if progress:
                progress("compared", 1, 2)
            if any(len(c.added) or len(c.updated) for c in changes.values()):
                previous = int(self.manifest().get("version", 0))
                pieces = self._pieces(changes)
                record = pd.DataFrame([summary.record(datetime.now(UTC).isoformat(timespec="seconds"))])
                record["tables"] = record["tables"].map(json.dumps)
                record["store_version"] = previous + 1
                batches = pd.concat([self.load_batches(), record], ignore_index=True)
                self.close()
                self._write(pieces, previous + 1, batches=batches[list(BATCH_COLUMNS)])
                summary.written = True
        summary.seconds = time.perf_counter() - started
        if progress:
            progress("written", 2, 2)
        return summary

    def _pieces(self, changes: dict) -> dict[str, list]:
        """The new version's tables: current files to link, plus new part files or rewritten tables."""
        pieces: dict[str, list] = {}
        names = table_order(set(self.manifest()["tables"]) | set(changes))
        for name in names:
            current = self.table_files(name) if name in self.manifest()["tables"] else []
            change = changes.get(name)
            if change is None or not (len(change.added) or len(change.updated)):
                pieces[name] = current
            elif not current:
                pieces[name] = [change.added.reset_index(drop=True)]
            elif len(change.updated) or len(current) >= _MAX_PARTS:
                pieces[name] = [_updated_in_place(self.table(name), change)]
            else:
                pieces[name] = [*current, change.added.reset_index(drop=True)]
        return pieces

    def _purge_summary(self, cut, dry_run: bool, removed: dict[str, int], left: int) -> PurgeSummary:
        return PurgeSummary(self.kind, self.describe(), cut, dry_run, removed, accesses_left=left)

    def _write(
        self,
        tables: dict[str, pd.DataFrame | list],
        version: int,
        extra: dict | None = None,
        *,
        batches: pd.DataFrame | None = None,
        keep_batches: Path | None = None,
    ) -> None:
        """Publish a new version holding ``tables``.

        A table is a frame (written as one file) or a list of pieces: paths of files of the
        current version, hard-linked into the new one (an unchanged table costs no copy; the old
        version can be retired without touching them) and frames written as new part files. The
        batch record (``load_batches``) is ``batches`` when given, else the file ``keep_batches``
        carried over.
        """
        name = f"tables-{version:06d}-{secrets.token_hex(3)}"
        staging = self.path / f"{_STAGING}{name}"
        target = self.path / name
        published = False
        try:
            private_dir(staging)
            _fault("staging")
            files: dict[str, list[str]] = {}
            rows: dict[str, int] = {}
            for i, (table, pieces) in enumerate(tables.items()):
                files[table], rows[table] = _write_pieces(staging, table, pieces, version)
                if i == 0:
                    _fault("table")
            record = None
            if batches is not None and len(batches):
                with private_file(staging / BATCHES_FILE, sync=True) as f:
                    pq.write_table(pa.Table.from_pandas(batches, preserve_index=False), f)
                record = {"file": BATCHES_FILE, "rows": len(batches)}
            elif batches is None and keep_batches is not None:
                _link(keep_batches, staging / BATCHES_FILE)
                record = {"file": BATCHES_FILE, "rows": pq.read_metadata(staging / BATCHES_FILE).num_rows}
            with private_file(staging / READERS, sync=True):
                pass
            fsync_dir(staging)
            _fault("written")
            staging.rename(target)
            fsync_dir(self.path)
            _fault("renamed")
            manifest = {
                "format_version": FORMAT_VERSION,
                "graphrisk_version": __version__,
                "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "version": version,
                "tables_dir": name,
                "tables": rows,
                # only tables kept in more than one file (appends) are listed; the rest is NAME.parquet
                "files": {t: names for t, names in files.items() if names != [f"{t}.parquet"]},
                **({"load_batches": record} if record else {}),
                **(extra or {}),  # a purge notes its cut and counts
            }
            tmp = self.path / f".{MANIFEST}.tmp"
            with private_file(tmp, sync=True) as f:
                f.write((json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
            _fault("manifest-written")
            tmp.replace(self.path / MANIFEST)
            published = True
            fsync_dir(self.path)
        except OSError as exc:
            if not published:
                shutil.rmtree(staging, ignore_errors=True)
                shutil.rmtree(target, ignore_errors=True)
            raise StoreError(f"cannot write the embedded store at {self.path}: {exc}") from exc
        _fault("published")
        self._remove_leftovers(legacy=False)
        _fault("cleaned")

    def _batches_file(self) -> Path | None:
        """The current version's batch record file, to carry into the next version (None: none yet)."""
        if not self.exists():
            return None
        record = self.manifest().get("load_batches")
        return self.tables_dir / record["file"] if record else None

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Hold ``write.lock`` exclusively: wait for another writer up to the lock wait, then refuse."""
        wait = self._lock_wait()
        path = self.path / WRITE_LOCK
        try:
            ours = _refuse_foreign(self.path)
            private_dir(self.path)
            if ours:
                _narrow(self.path)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, file_mode())
        except OSError as exc:
            raise StoreError(f"cannot write the embedded store at {self.path}: {exc}") from exc
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusyError(self._busy_message(path, wait)) from None
                    time.sleep(0.1)
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)  # the next holder writes its own; a stale name would mislead
        finally:
            os.close(fd)  # releases the lock

    def _lock_wait(self) -> float:
        return lock_wait_seconds(self.lock_wait)

    def _busy_message(self, path: Path, wait: float) -> str:
        try:
            holder = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            holder = {}
        if holder.get("pid"):
            who = f"process {holder['pid']} on {holder.get('host', '?')}"
            if holder.get("command"):
                who += f" ('{holder['command']}')"
            if holder.get("since"):
                who += f", since {holder['since']}"
        else:
            who = "another process"
        waited = f"waited {wait:g} s; " if wait else ""
        return (
            f"the embedded store at {self.path} is being loaded by {who}; {waited}"
            f"try again when that load has finished, or wait longer with {LOCK_WAIT_ENV}=SECONDS"
        )

    def _remove_leftovers(self, *, legacy: bool) -> None:
        """Remove what crashed or finished loads left: staging, trash, retired versions (held by no reader).

        With ``legacy``, also the format-1 directories once the manifest no
        longer uses them. Best effort: what cannot be removed now is removed by a later load.
        """
        try:
            current = self._read_manifest() if self.exists() else {}
        except StoreError:
            return  # a manifest we cannot read: judge nothing, remove nothing
        in_use = current.get("tables_dir")
        migrated = current.get("format_version") == FORMAT_VERSION
        try:
            entries = list(self.path.iterdir())
        except OSError:
            return
        for entry in entries:
            name = entry.name
            try:
                if name.startswith((_STAGING, _TRASH)):
                    shutil.rmtree(entry, ignore_errors=True)
                elif name == f".{MANIFEST}.tmp":
                    entry.unlink(missing_ok=True)
                elif _VERSION_DIR.match(name) and name != in_use:
                    self._retire(entry)
                elif legacy and migrated and (name == "tables" or name.startswith(_LEGACY_OLD)):
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                continue

    def _retire(self, directory: Path) -> None:
        """Remove a version no reader holds; leave it when one does."""
        try:
            fd = os.open(directory / READERS, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = None
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # a reader is on it; a later load retires it
            trash = self.path / f"{_TRASH}{directory.name}"
            directory.rename(trash)  # gone from its name at once: a reader that comes later retries
        finally:
            if fd is not None:
                os.close(fd)
        shutil.rmtree(trash, ignore_errors=True)


def _findings_stale(store: EmbeddedStore, *, purge: bool = False) -> None:
    """A load or purge changes tables without a batch record: the stored findings must be detected
    again; a purge removes them at once (they hold evidence about the look-ups it removes)."""
    from graphrisk.store.findings_store import mark_stale

    mark_stale(store, remove=purge)


def _updated_in_place(stored: pd.DataFrame, change) -> pd.DataFrame:
    """``stored`` with the change's updated rows replaced where they are and its added rows after."""
    key = list(TABLES[change.table].key)
    stored = stored.copy()
    if len(change.updated):
        index = pd.MultiIndex.from_frame(stored[key].astype(object))
        at = index.get_indexer(pd.MultiIndex.from_frame(change.updated[key].astype(object)))
        for column in stored.columns:
            values = stored[column].to_numpy(dtype=object, copy=True)
            values[at] = change.updated[column].to_numpy(dtype=object)
            stored[column] = pd.Series(values, index=stored.index).astype(stored[column].dtype)
    return pd.concat([stored, change.added], ignore_index=True)


def _write_pieces(staging: Path, table: str, pieces, version: int) -> tuple[list[str], int]:
    """Write (or link) one table's pieces into ``staging``; return its file names and rows."""
    if isinstance(pieces, pd.DataFrame):
        pieces = [pieces]
    names: list[str] = []
    rows = 0
    schema = None
    for piece in pieces:
        if isinstance(piece, Path):
            names.append(piece.name)
            _link(piece, staging / piece.name)
            rows += pq.read_metadata(staging / piece.name).num_rows
            schema = schema or pq.read_schema(staging / piece.name)
            continue
        name = f"{table}.parquet" if not names else f"{table}.part-{version:06d}.parquet"
        names.append(name)
        with private_file(staging / name, sync=True) as f:
            pq.write_table(_arrow(piece, schema), f)
        rows += len(piece)
    return names, rows


def _arrow(frame: pd.DataFrame, schema: pa.Schema | None) -> pa.Table:
    """``frame`` as Arrow, in the schema of the table's first file when there is one, so that
    the parts of a table read back as one."""
    if schema is not None:
        try:
            return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError, KeyError):
            pass  # read back with promotion (pa.concat_tables) instead
    return pa.Table.from_pandas(frame, preserve_index=False)


def _link(source: Path, target: Path) -> None:
    """Put ``source`` into a new version under ``target``: a hard link, or a copy where links fail
    (another file system, a link count at its limit)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _holds(directory: Path, rows: dict[str, int]) -> bool:
    """Whether ``directory`` has every table of a manifest, each with the manifest's row count."""
    try:
        return all(
            pq.read_metadata(directory / f"{name}.parquet").num_rows == count for name, count in rows.items()
        )
    except (OSError, pa.ArrowException):
        return False


def _is_store_entry(name: str) -> bool:
    """A name only a graphrisk store holds: the manifest, the write lock, tables and load leftovers."""
    return (
        name in (MANIFEST, WRITE_LOCK, "tables")
        or bool(_VERSION_DIR.match(name))
        or name.startswith((_STAGING, _TRASH, _LEGACY_OLD, f".{MANIFEST}"))
    )


def _refuse_foreign(path: Path) -> bool:
    """Whether ``path`` is graphrisk's to tighten: missing (graphrisk creates it) or a store.

    An existing empty folder is used as it is (its mode left alone); an existing folder that holds
    anything but a store is refused (UsageError): a load would write among someone else's files,
    and narrowing it to the owner would take a shared folder's group access (``--store .``, ``~``).
    """
    try:
        names = [entry.name for entry in os.scandir(path)]
    except FileNotFoundError:
        return True
    except NotADirectoryError:
        raise UsageError(
            f"--store {path}: is a file, not a folder; give a new folder or an existing store"
        ) from None
    except OSError as exc:
        raise StoreError(f"cannot read the embedded store at {path}: {exc.strerror or exc}") from exc
    if not names:
        return False
    if any(_is_store_entry(name) for name in names):
        return True
    shown = ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "")
    raise UsageError(
        f"--store {path}: this folder holds other files ({shown}) and is not a graphrisk store "
        "(no manifest.json, tables-* or write.lock); give a new or empty folder, or an existing store"
    )


def _narrow(path: Path) -> None:
    """Give the store directory the configured mode (stores made by older graphrisk were 0755)."""
    try:
        if path.stat().st_uid == os.getuid():
            os.chmod(path, dir_mode())
    except OSError:
        pass  # not ours to change; the files inside are still created private


def _fault(step: str) -> None:
    """The fault-injection point: end or pause the process at ``step`` when GRAPHRISK_FAULT asks."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec.startswith(f"embedded-swap:{step}"):
        return
    rest = spec.removeprefix(f"embedded-swap:{step}")
    if rest == "":
        os._exit(FAULT_EXIT_CODE)  # no clean-up, no flush: as kill -9 would
    if rest.startswith(":sleep="):
        time.sleep(float(rest.removeprefix(":sleep=")))


def _string_types(arrow_type: pa.DataType):
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None
