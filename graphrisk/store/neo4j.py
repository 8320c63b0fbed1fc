"""The Neo4j store and the one query runner every Cypher statement goes through.

Only this module imports the Neo4j driver. Statements come from ``cypher/``
by name (:mod:`graphrisk.cypher`), are sent with parameters only, tagged
with transaction metadata (``app``, ``version``, ``query``, ``user``) so the server's query log tells which
operation of graphrisk ran them, and run in READ or WRITE transactions
through the driver's transaction functions, which retry exactly the errors
the driver marks as retryable.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

import neo4j
import numpy as np
import pandas as pd
from neo4j import GraphDatabase
from neo4j import exceptions as nx

from graphrisk import __version__
from graphrisk.contract import EVALUATION_ONLY, TABLES
from graphrisk.cypher import check_read_only, cypher_text, parameters_used, statements
from graphrisk.errors import (
    Neo4jUnavailableError,
    QueryError,
    QueryTimeoutError,
    StoreBusyError,
    StoreError,
    UsageError,
    WriteRefusedError,
)
from graphrisk.graph import NODES, RELATIONSHIPS, TABLE_MARKERS, node_rows, rel_rows, with_synthetic_ids
from graphrisk.ingest import Dataset
from graphrisk.limits import Deadline
from graphrisk.privacy.retention import PURGED_KINDS, cut_day
from graphrisk.store.base import (
    ACCESS_COLUMNS,
    ACTING_USER,
    FAULT_ENV,
    LOCK_WAIT_ENV,
    GraphStats,
    LoadSummary,
    Progress,
    PurgeSummary,
    Store,
    lock_wait_seconds,
    refuse_changed_accesses,
    table_order,
)
from graphrisk.store.neo4j_rows import rows_where

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_CONCURRENCY", "Mode", "Neo4jStore", "QueryRunner"]

DEFAULT_BATCH_SIZE = 5_000
#: Batches of one loader in flight at once (docs/performance.md, "Loading"): the server works on
#: one while the next is prepared and sent; more share out the server's cores.
DEFAULT_CONCURRENCY = 2
_RETRY_SECONDS = 30.0


def _not_a_deadlock_retry(record: logging.LogRecord) -> bool:
    """Drop the driver's warning that a deadlocked transaction will be retried.

    Batches of a load in flight together can deadlock where they share a node (a person related to
    people in two batches); the server picks one, the driver retries it, and the load goes on. A
    user's terminal is not the place for that warning's lock dump; other warnings pass.
    """
    return not (
        record.getMessage().startswith("Transaction failed and will be retried")
        and "Deadlock" in record.getMessage()
    )


logging.getLogger("neo4j.session").addFilter(_not_a_deadlock_retry)


class Mode(Enum):
    """Whether a statement reads or writes; mapped to the driver's access mode and routing."""

    READ = neo4j.READ_ACCESS
    WRITE = neo4j.WRITE_ACCESS


class QueryRunner:
    """Runs named Cypher statements (or ad-hoc text) with parameters; returns DataFrames.

    Parameters
    ----------
    driver : an open ``neo4j.Driver``.
    database : the database name, or None for the server's default.
    """

    def __init__(self, driver: neo4j.Driver, database: str | None = None) -> None:
        self.driver = driver
        self.database = database
        #: The time budget of the command now running: each transaction gets what is left of it
        #: as its server-side timeout. None (batch commands: load, detect, score) sets no limit
        #: here; the server's own ``db.transaction.timeout`` still applies.
        self.deadline: Deadline | None = None
        #: the acting user (GRAPHRISK_USER or the OS user unless a command sets it), so that Neo4j's
        #: own query log ties each transaction to a person as graphrisk's audit log does
        self.user: str | None = None

    def run(
        self, name: str, params: dict | None = None, *, mode: Mode = Mode.READ, max_rows: int | None = None
    ) -> pd.DataFrame:
        """Run the statement in ``cypher/NAME.cypher``."""
        return self.run_text(cypher_text(name), params, mode=mode, tag=name, max_rows=max_rows)

    def run_text(
        self,
        text: str,
        params: dict | None = None,
        *,
        mode: Mode = Mode.READ,
        tag: str = "ad-hoc",
        max_rows: int | None = None,
    ) -> pd.DataFrame:
        """Run Cypher text; refuse to start when a parameter it uses is missing.

        With ``max_rows``, at most that many rows are fetched; when there were more, the frame's
        ``attrs["truncated_at"]`` is ``max_rows`` (the rest is discarded on the server).
        """
        params = dict(params or {})
        missing = sorted(parameters_used(text) - set(params))
        if missing:
            raise QueryError(f"{tag}: missing parameter(s): {', '.join('$' + m for m in missing)}")
        metadata = {"app": "graphrisk", "version": __version__, "query": tag, "user": self._user()}
        timeout = self.deadline.remaining(tag) if self.deadline else None

        # metadata shows in the server's query log and SHOW TRANSACTIONS; the timeout is enforced
        # by the server, which stops the transaction and answers TransactionTimedOut
        @neo4j.unit_of_work(metadata=metadata, timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> pd.DataFrame:
            result = tx.run(text, params)
            if max_rows is None:
                return result.to_df(parse_dates=True)
            return _capped_frame(result, max_rows)

        fetch = 10_000 if max_rows is None else min(10_000, max_rows + 1)
        return self._transact(work, mode, tag, fetch_size=fetch, params=params)

    def _user(self) -> str:
        named = ACTING_USER.get()  # set per command or per request by privacy.guard.guarded
        if named is not None:
            return named
        if self.user is None:
            from graphrisk.privacy.access import current_user

            self.user = current_user()
        return self.user

    def run_script(self, name: str) -> None:
        """Run each ``;``-separated statement of a file in its own write transaction (schema)."""
        for i, text in enumerate(statements(name), start=1):
            self.run_text(text, mode=Mode.WRITE, tag=f"{name}#{i}")

    def _transact(self, work, mode: Mode, tag: str, fetch_size: int = 10_000, params: dict | None = None):
        try:
            with self.driver.session(
                database=self.database, default_access_mode=mode.value, fetch_size=fetch_size
            ) as session:
                if mode is Mode.READ:
                    return session.execute_read(work)
                return session.execute_write(work)
        except nx.ServiceUnavailable as exc:
            raise Neo4jUnavailableError(f"Neo4j is not reachable: {exc}") from exc
        except nx.AuthError as exc:
            raise Neo4jUnavailableError(f"Neo4j refused the credentials: {exc.message}") from exc
        except nx.ClientError as exc:
            if "TransactionTimedOut" in (exc.code or ""):
                if exc.code.endswith("ClientConfiguration") and self.deadline is not None:
                    raise self.deadline.expired(tag) from None
                raise QueryTimeoutError(
                    f"{tag}: stopped by the server's time limit for a transaction "
                    "(db.transaction.timeout); nothing was changed"
                ) from None
            if (exc.code or "").endswith("Statement.ArgumentError"):
                raise QueryError(_argument_refused(tag, exc.message or "", params or {})) from None
            if mode is Mode.READ and _is_write_refusal(exc):
                raise WriteRefusedError(
                    f"{tag}: this query tries to write, and only read-only queries are allowed here; "
                    "nothing was changed"
                ) from exc
            raise QueryError(f"{tag}: {exc.code}: {exc.message}") from exc
        except nx.Neo4jError as exc:
            raise QueryError(f"{tag}: {exc.code}: {exc.message}") from exc
        except nx.DriverError as exc:
            raise StoreError(f"{tag}: the Neo4j driver failed: {exc}") from exc


def _capped_frame(result: neo4j.Result, max_rows: int) -> pd.DataFrame:
    """The first ``max_rows`` records as the driver's ``to_df(parse_dates=True)`` would give them."""
    records = result.fetch(max_rows)
    more = result.peek() is not None
    frame = pd.DataFrame([r.values() for r in records], columns=list(result.keys()), dtype=object)
    for column in frame.columns:
        values = frame[column]
        temporal = values.map(lambda v: isinstance(v, neo4j.time.DateTime | neo4j.time.Date)).to_numpy()
        if temporal.any() and (temporal | values.isna().to_numpy()).all():
            frame[column] = values.map(_timestamp)
        else:
            frame[column] = values.infer_objects()
    if more:
        frame.attrs["truncated_at"] = max_rows
    return frame


def _timestamp(value) -> pd.Timestamp:
    """A Neo4j Date or DateTime as a pandas Timestamp, in its own offset (as the driver does)."""
    if value is None:
        return pd.NaT
    tzinfo = getattr(value, "tzinfo", None)
    if tzinfo is None:
        return pd.Timestamp(value.iso_format())
    return pd.Timestamp(value.astimezone(UTC).iso_format()).astimezone(tzinfo)


def _argument_refused(tag: str, message: str, params: dict) -> str:
    """The server's ArgumentError (e.g. a negative LIMIT) naming the parameter whose value it quotes."""
    named = [
        f"${name} (-p {name}={value})"
        for name, value in params.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and f"'{value}'" in message
    ]
    which = f" for {', '.join(named)}" if named else ""
    return f"{tag}: a value the query cannot use{which}: {message}"


def _is_write_refusal(exc: nx.ClientError) -> bool:
    code = exc.code or ""
    return (
        code.endswith("AccessMode")
        or code.endswith("ForbiddenDueToTransactionType")
        or ("write" in (exc.message or "").lower() and "read" in (exc.message or "").lower())
    )


class Neo4jStore(Store):
    """A store in a Neo4j server (single instance or cluster; ``neo4j://`` URIs route)."""

    kind = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        *,
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self.uri = uri
        check_uri(uri)  # before the driver: it would take http:// to its preview HTTP support
        auth = (user, password or "") if user else None
        try:
            self.driver = GraphDatabase.driver(
                uri,
                auth=auth,
                user_agent=f"graphrisk/{__version__}",
                max_transaction_retry_time=_RETRY_SECONDS,
                # server notices (unknown labels on an empty store, deprecations) are for developers,
                # who see them with PROFILE; a user's terminal shows results and errors only
                notifications_min_severity="OFF",
            )
        except (ValueError, nx.ConfigurationError) as exc:
            raise Neo4jUnavailableError(f"invalid Neo4j URI {uri!r}: {exc}") from exc
        self.runner = QueryRunner(self.driver, database)
        self.batch_size = batch_size
        #: batches of one loader a load sends at once, each its own write transaction
        self.concurrency = concurrency
        #: seconds a load waits for another load's lock; None reads GRAPHRISK_LOCK_WAIT (default 60)
        self.lock_wait: float | None = None
        #: remove a lock left by a load that no longer runs (``load --break-lock``) before waiting
        self.break_lock = False

    def describe(self) -> str:
        return self.uri

    def close(self) -> None:
        self.driver.close()

    def verify(self) -> None:
        """Fail with :class:`Neo4jUnavailableError` unless the server answers."""
        try:
            self.driver.verify_connectivity()
        except (nx.ServiceUnavailable, OSError) as exc:
            raise Neo4jUnavailableError(f"Neo4j at {self.uri} is not reachable: {exc}") from exc
        except nx.AuthError as exc:
            raise Neo4jUnavailableError(
                f"Neo4j at {self.uri} refused the credentials: {exc.message}"
            ) from exc

    def tables_present(self) -> set[str]:
        """Tables whose node label or relationship type has at least one entry."""
        stats = self.stats()
        present = set(stats.nodes) | set(stats.relationships)
        return {table for table, marker in TABLE_MARKERS.items() if marker in present}

    def read(self, name: str, params: dict | None = None, *, max_rows: int | None = None) -> pd.DataFrame:
        """Run a named read-only statement; temporal values come back as pandas timestamps."""
        return self.runner.run(name, params, mode=Mode.READ, max_rows=max_rows)

    def read_text(
        self, text: str, params: dict | None = None, *, tag: str = "ad-hoc", max_rows: int | None = None
    ) -> pd.DataFrame:
        """Run user-supplied Cypher, read-only.

        :func:`~graphrisk.cypher.check_read_only` refuses anything but a read of the graph before it
        is sent (``LOAD CSV``, administration, writes, procedures off the allow-list); what it lets
        through runs in a READ transaction, whose writes the server refuses (WriteRefusedError).
        """
        check_read_only(text, tag)
        return self.runner.run_text(text, params, mode=Mode.READ, tag=tag, max_rows=max_rows)

    def rows_where(
        self, table: str, column: str | None = None, values=None, *, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """Contract rows read back from the graph (see :meth:`Store.rows_where`).

        The statement follows the graph model (:mod:`graphrisk.store.neo4j_rows`): node properties,
        plus the columns the graph keeps as relationships (an employee's unit, a case's owner).
        """
        frame = rows_where(self, table, column, values)
        return frame[columns] if columns is not None else frame

    def load_batches(self) -> pd.DataFrame:
        """Every ``load --append`` batch record in the database, oldest first."""
        frame = self.runner.run("append/batches")
        if len(frame):
            frame["tables"] = frame["tables"].map(json.loads)
        return frame

    def lookups_per_day(self) -> dict[str, int]:
        frame = self.runner.run("findings/log_days")
        return (
            {str(d): int(n) for d, n in zip(frame["day"], frame["lookups"], strict=True)}
            if len(frame)
            else {}
        )

    def shift_status(self) -> tuple[list[str], list[str]]:
        frame = self.runner.run("findings/shifted")
        if not len(frame):
            return [], []
        flags = frame["shifted"].astype(bool).to_numpy()
        ids = frame["employee_id"].astype(str)
        return sorted(ids[flags]), sorted(ids[~flags])

    def graph_source(self):
        """The graph as the analyst tools explore it, read from the server as they ask."""
        from graphrisk.analyst.source import Neo4jSource  # the analyst layer, when asked for

        return Neo4jSource(self)

    def write(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run a named statement in a WRITE transaction (write-back of scores and findings)."""
        return self.runner.run(name, params, mode=Mode.WRITE)

    def write_batches(self, name: str, rows: pd.DataFrame, batch_size: int | None = None) -> int:
        """Run a named ``UNWIND $rows`` statement over ``rows`` in batches; returns rows sent."""
        size = batch_size or self.batch_size
        sent = 0
        for start in range(0, len(rows), size):
            batch = to_records(rows.iloc[start : start + size])
            self.runner.run(name, {"rows": batch}, mode=Mode.WRITE)
            sent += len(batch)
        return sent

    def stats(self) -> GraphStats:
        nodes = self.runner.run("stats/node_counts")
        rels = self.runner.run("stats/relationship_counts")
        return GraphStats(
            nodes={r.label: int(r.count) for r in nodes.itertuples() if r.count},
            relationships={r.type: int(r.count) for r in rels.itertuples() if r.count},
        )

    def clear(self) -> None:
        """Delete every node and relationship, in batches."""
        while True:
            frame = self.runner.run("admin/delete_batch", {"limit": 10_000}, mode=Mode.WRITE)
            if int(frame.iloc[0]["deleted"]) == 0:
                return

    #: The purge statements (cypher/purge/NAME), in the order they run: findings before the look-ups
    #: they concern, employees last (its predicate does not depend on the order; see the file).
    PURGE_STEPS = ("findings", "scores", "accesses", "shifts", "case_assignments", "employees")

    def purge(self, cut: pd.Timestamp, *, dry_run: bool = False) -> PurgeSummary:
        """Remove what lies before ``cut`` in batched write transactions of ``batch_size``.

        Each ``cypher/purge/`` statement deletes one batch and is run until it
        deletes none, so no transaction grows with the store, and a purge that
        stopped half-way is finished by running it again. With ``dry_run``,
        ``purge/count`` counts with the same predicates.
        """
        self.verify()
        params = {"cut": cut.tz_convert("UTC").to_pydatetime(), "cut_day": cut_day(cut).date()}
        if dry_run:
            counts = self.runner.run("purge/count", params).iloc[0]
            removed = {kind: int(counts[kind]) for kind in self.PURGE_STEPS}
            left = int(counts["accesses_left"])
        else:
            self._schema()
            with self.load_lock():  # a purge writes as a load does: not while one runs
                self.runner.run("findings/stale", mode=Mode.WRITE)  # graphrisk.store.findings_store
                removed = self._purge(params)
                while int(self.runner.run("findings/purge", {"cut": params["cut"], "limit": self.batch_size},
                                          mode=Mode.WRITE).iloc[0]["deleted"]):  # fmt: skip
                    pass  # stored findings of purged look-ups go with them
            left = int(self.stats().nodes.get("Access", 0))
        ordered = {kind: removed[kind] for kind in PURGED_KINDS}
        return PurgeSummary(self.kind, self.describe(), cut, dry_run, ordered, accesses_left=left)

    def _purge(self, params: dict) -> dict[str, int]:
        removed = {}
        for kind in self.PURGE_STEPS:
            removed[kind] = 0
            while True:
                step = {**params, "limit": self.batch_size}
                frame = self.runner.run(f"purge/{kind}", step, mode=Mode.WRITE)
                deleted = int(frame.iloc[0]["deleted"])
                removed[kind] += deleted
                if deleted == 0:
                    break
        return removed

    def load(
        self,
        dataset: Dataset,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        after_batch=None,
    ) -> LoadSummary:
        """Constraints first, then nodes, then relationships, in batches of ``batch_size`` rows.

        Every statement merges on ids, so a load that stopped half-way can simply be run again.
        ``after_batch(loader_name, batch_number)`` is called after each committed batch.
        An access id the database holds with other content is refused before anything is
        written (:func:`~graphrisk.store.base.refuse_changed_accesses`), as on the embedded store.
        """
        started = time.perf_counter()
        self.verify()
        self._schema()
        with self.load_lock():
            return self._load(dataset, replace, progress, after_batch, started)

    def _load(self, dataset: Dataset, replace: bool, progress, after_batch, started: float) -> LoadSummary:
        # no batch records what a full load changes: stored findings are detected again (findings_store)
        self.runner.run("findings/stale", mode=Mode.WRITE)
        if replace:
            self.clear()
        elif dataset.has("access_log"):
            stored = self.stored_accesses(dataset["access_log"]["access_id"])
            refuse_changed_accesses(dataset, stored, f"Neo4j at {self.uri}")
        _fault("checked")
        tables = {
            n: with_synthetic_ids(n, dataset[n])
            for n in table_order(dataset.tables)
            if n not in EVALUATION_ONLY
        }
        steps = [
            (spec.loader, node_rows(spec, tables[spec.table]), None) for spec in NODES if spec.table in tables
        ]
        steps += [
            (spec.loader, rel_rows_for_neo4j(spec, tables[spec.table]), spec)
            for spec in RELATIONSHIPS
            if spec.table in tables
        ]
        total = sum(len(rows) for _, rows, _ in steps)
        done = 0
        with ThreadPoolExecutor(max(1, self.concurrency), thread_name_prefix="graphrisk-load") as pool:
            for loader, rows, spec in steps:
                rows, shared = _partitioned(rows, spec)
                batches = _batches(rows, self.batch_size, spec, cut_on=shared)
                for number, sent in enumerate(self._send(pool, loader, batches), start=1):
                    done += sent
                    if progress:
                        progress(loader.removeprefix("load/"), done, total)
                    if after_batch:
                        after_batch(loader, number)
        return LoadSummary(
            store=self.kind,
            rows={n: len(dataset[n]) for n in tables},
            stats=self.stats(),
            seconds=time.perf_counter() - started,
        )

    def _send(self, pool: ThreadPoolExecutor, loader: str, batches: Iterable[list[dict]]) -> Iterator[int]:
        """Run ``loader`` over ``batches``, up to ``concurrency`` write transactions at once; yields
        each committed batch's size as it commits.

        The loaders run one after another (a relationship needs both its nodes), so only batches
        of one statement overlap. When a batch fails, or the caller stops (an exception from
        ``after_batch``), no further batch is sent; those in flight are waited for, so that the
        load ends with whole batches committed, and the first error is raised: running the load
        again completes it, as every statement merges on ids.
        """
        pending: set[Future] = set()
        source = iter(batches)
        try:
            while True:
                while len(pending) < max(1, self.concurrency):
                    batch = next(source, None)
                    if batch is None:
                        break
                    pending.add(pool.submit(self._write_batch, loader, batch))
                if not pending:
                    return
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        finally:
            wait(pending)

    def _write_batch(self, loader: str, batch: list[dict]) -> int:
        self.runner.run(loader, {"rows": batch}, mode=Mode.WRITE)
        return len(batch)

    def create_schema(self) -> None:
        """Create the constraints and indexes of ``cypher/schema.cypher`` where missing (after a
        bulk import, which creates none)."""
        self.verify()
        self._schema()

    def _schema(self) -> None:
        """Constraints and indexes (idempotent); a concurrent load creating them too is tried again."""
        # with the record of appended batches (store/neo4j_append.py): a loaded, an appended and a
        # bulk-imported database have the same constraints
        for script in ("schema", "append/schema"):
            try:
                self.runner.run_script(script)
            except QueryError:
                time.sleep(0.5)
                self.runner.run_script(script)

    @contextmanager
    def load_lock(self) -> Iterator[None]:
        """Hold the database's load lock, a ``GraphriskLock`` node (cypher/lock/), for a whole load.

        The check of stored accesses and the writes that follow it are not one transaction, so two
        loads at once could each find an access id new and both write it. One load at a time, as on
        the embedded store: a second waits up to GRAPHRISK_LOCK_WAIT seconds, then StoreBusyError
        naming the holder. A lock whose process is gone (same host, pid no longer running) is taken
        over; one from another host is removed only with ``load --break-lock``.
        """
        wait = lock_wait_seconds(self.lock_wait)
        mine = {
            "token": uuid.uuid4().hex,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        deadline = time.monotonic() + wait
        while True:
            holder = self.runner.run("lock/acquire", mine, mode=Mode.WRITE).iloc[0].to_dict()
            if holder["token"] == mine["token"]:
                break
            if self.break_lock or _stale(holder):
                self.runner.run("lock/release", {"token": holder["token"]}, mode=Mode.WRITE)
                continue
            if time.monotonic() >= deadline:
                raise StoreBusyError(self._busy_message(holder, wait))
            time.sleep(0.2)
        try:
            yield
        finally:
            # when the server is gone the lock stays, and is taken over as stale (same host)
            with suppress(QueryError, StoreError):
                self.runner.run("lock/release", {"token": mine["token"]}, mode=Mode.WRITE)

    def _busy_message(self, holder: dict, wait: float) -> str:
        who = f"process {holder.get('pid')} on {holder.get('host') or '?'}"
        if holder.get("command"):
            who += f" ('{holder['command']}')"
        if holder.get("since"):
            who += f", since {holder['since']}"
        waited = f"waited {wait:g} s; " if wait else ""
        return (
            f"Neo4j at {self.uri} is being loaded by {who}; {waited}"
            f"try again when that load has finished, or wait longer with {LOCK_WAIT_ENV}=SECONDS; "
            "if that process no longer runs, load again with --break-lock to remove its lock"
        )

    def stored_accesses(self, ids: pd.Series) -> pd.DataFrame:
        """The stored content of the Access nodes among ``ids``, read in batches (empty frame: none)."""
        ids = ids.dropna().astype(object).tolist()
        frames = []
        for start in range(0, len(ids), self.batch_size):
            frame = self.runner.run("check/existing_accesses", {"ids": ids[start : start + self.batch_size]})
            if len(frame):
                frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=list(ACCESS_COLUMNS))
        return pd.concat(frames, ignore_index=True)


#: the URI schemes of the Bolt protocol, the only one graphrisk speaks to Neo4j
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> None:
    """Refuse (UsageError, exit 2) a Neo4j URI whose scheme is not one of :data:`URI_SCHEMES`."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme.lower() not in URI_SCHEMES or not rest.strip("/"):
        raise UsageError(
            f"Neo4j URI {uri!r}: write SCHEME://HOST[:PORT] with a scheme of "
            f"{', '.join(URI_SCHEMES)} (e.g. bolt://127.0.0.1:7687); graphrisk speaks Bolt, not HTTP"
        )


def _fault(step: str) -> None:
    """For tests: ``GRAPHRISK_FAULT=neo4j-load:checked:sleep=S`` pauses a load after its access check."""
    spec = os.environ.get(FAULT_ENV, "")
    if spec.startswith(f"neo4j-load:{step}:sleep="):
        time.sleep(float(spec.removeprefix(f"neo4j-load:{step}:sleep=")))


def _stale(holder: dict) -> bool:
    """A lock taken on this host by a process that no longer runs."""
    if holder.get("host") != socket.gethostname():
        return False
    try:
        pid = int(holder.get("pid"))
    except (TypeError, ValueError):
        return False
    if pid == os.getpid():
        return False  # this process's own lock from an earlier load that could not release it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it runs, under another user
    return False


def rel_rows_for_neo4j(spec, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows for a relationship loader; a one-per-start relationship also gets rows with no end,
    so that its loader can remove a relationship the row no longer names."""
    if spec.where is None and TABLES[spec.table].key == (spec.start_column,):
        cols = list(dict.fromkeys([spec.start_column, spec.end_column, *spec.key, *spec.properties]))
        return frame[cols]
    return rel_rows(spec, frame)


def _partitioned(rows: pd.DataFrame, spec) -> tuple[pd.DataFrame, str | None]:
    """Relationship rows sorted by the end that many rows share (an employee's look-ups, a person
    looked up often, an organisation's members), and that column; node rows as they are.

    Creating relationships locks both nodes until the transaction commits: two batches in flight
    together that name the same employee wait for each other, or deadlock (both hold the node's
    shared lock and want it exclusive) and are retried. Sorted by the shared end, and cut only
    where it changes (:func:`_batches`), batches in flight together name disjoint sets of it. The
    sort is stable, so rows with the same start, end and key keep their order.
    """
    if spec is None or len(rows) < 2:
        return rows, None
    starts, ends = rows[spec.start_column].nunique(), rows[spec.end_column].nunique()
    shared = spec.start_column if starts <= ends else spec.end_column
    return rows.sort_values(shared, kind="stable", na_position="last"), shared


def _batches(rows: pd.DataFrame, size: int, spec, cut_on: str | None = None) -> Iterator[list[dict]]:
    """Batches of about ``size`` rows (start and end columns renamed ``s`` and ``e``); with
    ``cut_on`` (a sorted column) a batch ends only where its value changes, so that no value is
    split between two batches (a value with more rows than ``size`` makes a bigger batch, up to
    ``4 * size``)."""
    bounds = [*range(0, len(rows), size), len(rows)]
    if cut_on is not None and len(rows):
        codes = pd.factorize(rows[cut_on])[0]  # integer codes, comparable; a missing value is -1
        # a row without that end (a one-per-start loader's "no end") locks none: cut anywhere
        changes = np.flatnonzero((codes[1:] != codes[:-1]) | (codes[1:] == -1)) + 1
        cuts = np.searchsorted(changes, bounds[1:-1])  # the first change at or after each bound
        bounds = sorted({0, len(rows), *(int(changes[i]) for i in cuts if i < len(changes))})
        # but no transaction grows without bound: one end with very many rows (an area's
        # residents) is cut every 4 * size rows, and those batches may wait for each other
        bounds = sorted(
            {b for lo, hi in itertools.pairwise(bounds) for b in range(lo, hi, 4 * size)} | {len(rows)}
        )
    if spec is not None:
        rows = rows.rename(columns={spec.start_column: "s", spec.end_column: "e"})
    for start, end in itertools.pairwise(bounds):
        yield to_records(rows.iloc[start:end])


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of driver-native values: None for missing, datetimes and dates as Python objects.

    Timezone-aware timestamps become Neo4j DateTime, date columns (midnight
    ``datetime64``) become Neo4j Date.
    """
    columns = {}
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            values = np.array(col.dt.to_pydatetime(), dtype=object)
            values[col.isna().to_numpy()] = None
        elif pd.api.types.is_datetime64_dtype(col.dtype):
            values = np.array([None if pd.isna(v) else v.date() for v in col], dtype=object)
        else:
            values = col.astype(object).where(col.notna(), None).to_numpy()
        columns[name] = values
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
