"""``graphrisk load --append`` on Neo4j: validate against the database, write only what changed.

The append holds the database's load lock (:meth:`Neo4jStore.load_lock`) from the first read to the
last write, reads what it compares through :func:`rows_where` (statements built from the graph
model, :mod:`graphrisk.graph`, so that they follow it), and writes the added and updated rows
through the existing loaders (``cypher/load/``, :meth:`Neo4jStore.write_batches`) in batched
transactions.

**Atomicity.** A batch too large for one transaction cannot be all-or-nothing on the server, so
the append does what undoes it. The batch record (a ``LoadBatch`` node, status ``writing``, with its
days) is written first. When a write fails (the server goes away mid-batch, a constraint, a
timeout) the append undoes what it wrote: it restores the stored values of the rows it updated,
removes the relationships and then the nodes it added and the record, and reports the error:
the database is as it was. A process killed mid-append cannot undo; its record stays ``writing``
and running the same append again completes it (every statement merges on ids; the days of the
first attempt are kept in the record), as a full load that stopped half-way is completed.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

import pandas as pd

from graphrisk.errors import GraphriskError, StoreError, StoreNotFoundError
from graphrisk.graph import NODES, RELATIONSHIPS, with_synthetic_ids
from graphrisk.ingest.append import read_batch
from graphrisk.store.append import (
    AppendSummary,
    TableChange,
    affected_days,
    batch_id,
    lookup_days,
    plan_append,
)
from graphrisk.store.base import FAULT_ENV, table_order
from graphrisk.store.neo4j import Mode, Neo4jStore, node_rows, rel_rows_for_neo4j
from graphrisk.store.neo4j_rows import key_of, rows_where

__all__ = ["Neo4jView", "append", "rows_where"]

FAULT_EXIT_CODE = 86


class Neo4jView:
    """A Neo4j store as an append's validation and planning read it.

    It answers :class:`~graphrisk.ingest.append.StoreView` and ``lookup_days``.
    """

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self._present: set[str] | None = None

    def tables_present(self) -> set[str]:
        if self._present is None:
            self._present = self.store.tables_present()
        return self._present

    def rows_where(self, table: str, column: str | None = None, values=None) -> pd.DataFrame:
        return rows_where(self.store, table, column, values)

    def lookup_days(self, filters) -> set:
        frame = self.store.runner.run("append/lookup_days", {"filters": [f.to_param() for f in filters]})
        return {pd.Timestamp(d).date() for d in frame["day"]} if len(frame) else set()


def append(store: Neo4jStore, path, *, progress=None) -> AppendSummary:
    """Validate the batch in ``path`` against the database and write what it adds or changes."""
    started = time.perf_counter()
    store.verify()
    store.runner.run_script("schema")
    store.runner.run_script("append/schema")
    with store.load_lock():
        view = Neo4jView(store)
        if not view.tables_present():  # a wrong URI would otherwise take a day's look-ups as a new graph
            raise StoreNotFoundError(
                f"nothing is loaded in Neo4j at {store.uri}: load a whole data set first "
                "('graphrisk load DATASET_DIR'), then append batches to it"
            )
        batch = read_batch(path, view)
        changes = plan_append(batch, view, f"Neo4j at {store.uri}")
        summary = AppendSummary(
            store=store.kind,
            batch_id=batch_id(batch),
            source=str(path),
            tables={name: change.counts() for name, change in changes.items()},
            lookup_days=lookup_days(changes),
            redetect_days=affected_days(changes, view, batch),
            written=False,
            warnings=[str(w) for w in batch.warnings],
        )
        earlier = store.runner.run("append/batch_read", {"batch_id": summary.batch_id})
        unfinished = len(earlier) and earlier.iloc[0]["status"] != "done"
        if unfinished:  # a killed attempt: keep the days it found (it saw the store before its writes)
            first = earlier.iloc[0]
            summary.lookup_days = sorted(set(summary.lookup_days) | set(first["lookup_days"] or []))
            summary.redetect_days = sorted(set(summary.redetect_days) | set(first["redetect_days"] or []))
        if any(len(c.added) or len(c.updated) for c in changes.values()) or unfinished:
            _write_recorded(store, changes, summary, new_record=not len(earlier), progress=progress)
            summary.written = True
    summary.seconds = time.perf_counter() - started
    return summary


def _write_recorded(
    store: Neo4jStore, changes, summary: AppendSummary, *, new_record: bool, progress
) -> None:
    record = {
        **summary.record(datetime.now(UTC).isoformat(timespec="seconds")),
        "tables": json.dumps(summary.tables),
        "status": "writing",
    }
    store.runner.run("append/batch_write", record, mode=Mode.WRITE)
    written: list[tuple[str, TableChange]] = []
    try:
        _fault("recorded")
        total = sum(len(c.added) + len(c.updated) for c in changes.values())
        done = 0
        for name in table_order(changes):
            change = changes[name]
            rows = change.changed
            if not len(rows):
                continue
            written.append((name, change))
            _write_rows(store, name, rows)
            _fault("written-first")
            done += len(rows)
            if progress:
                progress(name, done, total)
        _fault("written")
        store.runner.run("append/batch_done", {"batch_id": summary.batch_id}, mode=Mode.WRITE)
    except (GraphriskError, OSError) as exc:
        try:
            _undo(store, written)
            if new_record:
                store.runner.run("append/batch_delete", {"batch_id": summary.batch_id}, mode=Mode.WRITE)
        except (GraphriskError, OSError) as undo:
            raise StoreError(
                f"the append to Neo4j at {store.uri} failed ({exc}) and could not be undone ({undo}); "
                f"run the same append again to complete it (batch {summary.batch_id} is recorded as writing)"
            ) from exc
        raise


def _write_rows(store: Neo4jStore, table: str, rows: pd.DataFrame) -> None:
    """Nodes, then relationships, of ``rows`` through the loaders a full load uses."""
    frame = with_synthetic_ids(table, rows.reset_index(drop=True))
    for spec in NODES:
        if spec.table == table:
            store.write_batches(spec.loader, node_rows(spec, frame))
    for spec in RELATIONSHIPS:
        if spec.table == table:
            rels = rel_rows_for_neo4j(spec, frame).rename(
                columns={spec.start_column: "s", spec.end_column: "e"}
            )
            store.write_batches(spec.loader, rels)


def _undo(store: Neo4jStore, written: list[tuple[str, TableChange]]) -> None:
    """Put back what ``written`` changed: stored values of updated rows, then added rows removed."""
    for name, change in reversed(written):
        if len(change.updated):
            _write_rows(store, name, change.before)
    for name, change in reversed(written):
        if not len(change.added):
            continue
        frame = with_synthetic_ids(name, change.added.reset_index(drop=True))
        node = next((s for s in NODES if s.table == name), None)
        if node is not None:
            ids = frame[node.key].dropna().astype(object).unique().tolist()
            text = f"UNWIND $ids AS id MATCH (n:{node.label} {{{node.key}: id}}) DETACH DELETE n"
            for start in range(0, len(ids), store.batch_size):
                store.runner.run_text(
                    text, {"ids": ids[start : start + store.batch_size]}, mode=Mode.WRITE, tag="append/undo"
                )
            continue
        for spec in RELATIONSHIPS:
            if spec.table != name:
                continue
            start_key = key_of(spec.start)
            end_key = key_of(spec.end)
            match = " AND ".join(f"x.{k} = r.{k}" for k in spec.key) or "true"
            text = (
                f"UNWIND $rows AS r MATCH (a:{spec.start} {{{start_key}: r.s}})-[x:{spec.type}]->"
                f"(b:{spec.end} {{{end_key}: r.e}}) WHERE {match} DELETE x"
            )
            rels = rel_rows_for_neo4j(spec, frame).rename(
                columns={spec.start_column: "s", spec.end_column: "e"}
            )
            from graphrisk.store.neo4j import to_records

            for start in range(0, len(rels), store.batch_size):
                batch = to_records(rels.iloc[start : start + store.batch_size])
                store.runner.run_text(text, {"rows": batch}, mode=Mode.WRITE, tag="append/undo")


def _fault(step: str) -> None:
    """For tests: ``GRAPHRISK_FAULT=neo4j-append:STEP`` fails the append there (it is undone);
    ``neo4j-append:STEP:exit`` ends the process there, as ``kill -9`` would (nothing undone)."""
    spec = os.environ.get(FAULT_ENV, "")
    if spec == f"neo4j-append:{step}":
        raise StoreError(f"injected failure at {step} (GRAPHRISK_FAULT)")
    if spec == f"neo4j-append:{step}:exit":
        os._exit(FAULT_EXIT_CODE)
