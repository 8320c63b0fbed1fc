"""The triage store: what scoring runs alerted on, each alert's triage state, and its history.

``graphrisk score`` records every run here (:func:`record_run`): every employee at or above the
threshold and the :data:`RECORD_TOP` highest, with their score, parts, reasons, rules, peer group,
unit and findings, so that the workspace (``graphrisk serve``) never scores on a request. A re-run
keeps the triage state of alerts that persist and adds new ones as ``new``; an alert that drops
out keeps its state and history and leaves the default queue. The run also records, for the
prevention trends, each finding's month, rule, team and unit (no employee) and the head count of
every team and unit per month.

Two implementations behind one interface (:class:`TriageStore`), so the API never asks which
store it runs on:

- the embedded store: :class:`SQLiteTriage`, ``triage.sqlite`` in the store's folder (mode 0600,
  WAL, every write in ``BEGIN IMMEDIATE``), beside the manifest and the table versions, which a
  load never removes;
- Neo4j: :class:`Neo4jTriage`, ``(:TriageAlert)-[:HAS_EVENT]->(:TriageEvent)`` nodes written in
  write transactions.

Optimistic concurrency: every alert has a ``version``; :meth:`TriageStore.update` changes it only
when the caller read the current version, atomically (SQLite: the check and the write in one
``BEGIN IMMEDIATE`` transaction; Neo4j: the node's write lock taken before the version is read),
and otherwise raises :class:`Conflict` with the current alert and writes nothing.

The triage store holds real employee ids, as the store does; the API pseudonymises everything it
answers (graphrisk/serve/app.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graphrisk.errors import StoreError
from graphrisk.frames import utc_day_labels

__all__ = [
    "CLOSED",
    "DISMISS_REASONS",
    "FILE_NAME",
    "PURGED_KINDS",
    "RECORD_TOP",
    "STATES",
    "Conflict",
    "Neo4jTriage",
    "NotFound",
    "SQLiteTriage",
    "TriageStore",
    "open_triage",
    "purge_triage",
    "record_run",
]

#: The triage states, in the order an alert usually goes through them.
STATES = ("new", "in_review", "confirmed", "dismissed", "resolved")
#: States that close an alert with an outcome (the confirmed share counts these).
CLOSED = ("confirmed", "dismissed")
#: Why an alert was dismissed (the page offers these; free text may follow).
DISMISS_REASONS = (
    "explained by work",
    "known relation, registered",
    "test or training account",
    "data error",
    "duplicate",
    "other",
)
#: A run records every alert and at least this many of the highest scores (``serve --top`` at most).
RECORD_TOP = 100
FILE_NAME = "triage.sqlite"
#: The fields a triage change may set.
FIELDS = ("state", "assignee", "dismiss_reason", "dismiss_text")
#: What ``graphrisk purge`` counts in the triage store, with what each is called in a sentence.
PURGED_KINDS = {
    "triage_events": "triage events",
    "triage_alerts": "triage alerts",
    "trend_findings": "trend findings",
}
#: What an alert holds from its latest run (the rest is triage state).
SNAPSHOT = ("score", "alert", "rank", "peer_group", "unit", "reasons", "rules")


class Conflict(Exception):
    """The alert changed since the caller read it: ``current`` is the alert as it is now."""

    def __init__(self, current: dict) -> None:
        self.current = current
        super().__init__("the alert was changed by someone else")


class NotFound(Exception):
    """No alert for this employee."""


@dataclass
class RunRecord:
    """One scoring run: when, on what, with which threshold; what it found."""

    as_of: str
    window: str
    threshold: float
    employees: int
    alerts: int
    store: str
    user: str
    scored_at: str = field(default_factory=lambda: now())


@dataclass
class AlertRecord:
    """One employee as a run saw them."""

    employee_id: str
    score: float
    alert: bool
    rank: int
    peer_group: str
    unit: str | None
    reasons: list[str]
    rules: list[str]
    parts: list[dict]
    findings: list[dict]


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TriageStore(ABC):
    """Alerts, triage events and trend counts; see the module docstring."""

    kind: str = "triage"

    @abstractmethod
    def record(
        self, run: RunRecord, alerts: list[AlertRecord], trend_findings: list[dict], headcounts: list[dict]
    ) -> int:
        """Record a run in one transaction; return its id."""

    @abstractmethod
    def latest_run(self) -> dict | None:
        """The latest run (``id``, ``as_of``, ``scored_at``, ``threshold``, ``employees``, ``alerts``)."""

    @abstractmethod
    def alerts(self) -> list[dict]:
        """Every alert (triage state and latest snapshot, without parts and findings)."""

    @abstractmethod
    def alert(self, employee_id: str, *, full: bool = False) -> dict | None:
        """One alert; ``full`` adds ``parts`` and ``findings``."""

    @abstractmethod
    def events(self, employee_id: str) -> list[dict]:
        """The alert's history, oldest first: ``at``, ``user``, ``field``, ``old``, ``new``, ``text``."""

    @abstractmethod
    def update(self, employee_id: str, version: int, changes: dict, events: list[dict], when: str) -> dict:
        """Apply ``changes`` and append ``events`` if the alert is at ``version``; the alert after.

        Raises :class:`Conflict` (nothing written) on another version, :class:`NotFound`.
        """

    @abstractmethod
    def closed_since(self, since: str) -> list[dict]:
        """Alerts closed (confirmed or dismissed) at or after ``since``: ``state`` and ``rules``."""

    @abstractmethod
    def trend_counts(self, kind: str) -> list[dict]:
        """Findings per (``group``, ``month``, ``rule``) for ``kind`` team or unit: ``findings``."""

    @abstractmethod
    def headcounts(self, kind: str) -> dict[tuple[str, str], int]:
        """Employees per (group, month) for ``kind`` team or unit."""

    @abstractmethod
    def purge(self, cut: str, *, dry_run: bool = False) -> dict[str, int]:
        """Remove triage events, alerts and trend rows older than ``cut``; count them.

        ``cut`` is a UTC timestamp as the store writes them (``2026-03-01T00:00:00Z``). Removed:
        events before it, alerts last seen by a run and last changed before it (with their
        history), trend findings and head counts of months before its month. With ``dry_run``
        the same predicates are counted and nothing is written. Keys: :data:`PURGED_KINDS`.
        """

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        pass


# ------------------------------------------------------------------------------------ SQLite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, scored_at TEXT NOT NULL, as_of TEXT, window TEXT, threshold REAL,
    employees INTEGER, alerts INTEGER, store TEXT, user TEXT);
CREATE TABLE IF NOT EXISTS alerts (
    employee_id TEXT PRIMARY KEY, state TEXT NOT NULL, assignee TEXT, version INTEGER NOT NULL,
    first_seen TEXT, last_seen TEXT, last_run INTEGER, updated_at TEXT, updated_by TEXT,
    dismiss_reason TEXT, dismiss_text TEXT, closed_at TEXT,
    score REAL, alert INTEGER, rank INTEGER, peer_group TEXT, unit TEXT,
    reasons TEXT, rules TEXT, parts TEXT, findings TEXT);
CREATE INDEX IF NOT EXISTS alerts_run ON alerts (last_run);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, employee_id TEXT NOT NULL, at TEXT NOT NULL, user TEXT, field TEXT,
    old TEXT, new TEXT, text TEXT);
CREATE INDEX IF NOT EXISTS events_employee ON events (employee_id, id);
CREATE TABLE IF NOT EXISTS trend_findings (
    finding_id TEXT PRIMARY KEY, month TEXT NOT NULL, rule TEXT NOT NULL, team TEXT, unit TEXT);
CREATE TABLE IF NOT EXISTS headcounts (
    month TEXT NOT NULL, kind TEXT NOT NULL, grp TEXT NOT NULL, employees INTEGER NOT NULL,
    PRIMARY KEY (month, kind, grp));
"""
_LIGHT = (
    "employee_id, state, assignee, version, first_seen, last_seen, last_run, updated_at, updated_by, "
    "dismiss_reason, dismiss_text, closed_at, score, alert, rank, peer_group, unit, reasons, rules"
)


class SQLiteTriage(TriageStore):
    """The embedded store's triage database: ``triage.sqlite`` in the store folder.

    One connection per thread (the server answers requests on a thread pool); WAL lets readers go
    on while a write is committed; every write runs in ``BEGIN IMMEDIATE``, which takes the write
    lock at once, so the version check and the write cannot interleave with another writer's.
    """

    kind = "sqlite"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._create()

    def _create(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            conn = self._conn()
            conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the triage database {self.path}: {exc}") from None

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def _write(self):
        return _Immediate(self._conn())

    def record(self, run, alerts, trend_findings, headcounts) -> int:
        with self._write() as c:
            cur = c.execute(
                "INSERT INTO runs (scored_at, as_of, window, threshold, employees, alerts, store, user) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.scored_at,
                    run.as_of,
                    run.window,
                    run.threshold,
                    run.employees,
                    run.alerts,
                    run.store,
                    run.user,
                ),
            )
            run_id = int(cur.lastrowid)
            for a in alerts:
                snap = (
                    a.score,
                    int(a.alert),
                    a.rank,
                    a.peer_group,
                    a.unit,
                    json.dumps(a.reasons),
                    json.dumps(a.rules),
                    json.dumps(a.parts),
                    json.dumps(a.findings, default=str),
                )
                exists = c.execute("SELECT 1 FROM alerts WHERE employee_id = ?", (a.employee_id,)).fetchone()
                if exists:
                    c.execute(
                        "UPDATE alerts SET score=?, alert=?, rank=?, peer_group=?, unit=?, reasons=?, "
                        "rules=?, parts=?, findings=?, last_seen=?, last_run=? WHERE employee_id=?",
                        (*snap, run.scored_at, run_id, a.employee_id),
                    )
                    continue
                c.execute(
                    "INSERT INTO alerts (employee_id, state, version, first_seen, last_seen, last_run, "
                    "score, alert, rank, peer_group, unit, reasons, rules, parts, findings) "
                    "VALUES (?, 'new', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.employee_id, run.scored_at, run.scored_at, run_id, *snap),
                )
                c.execute(
                    "INSERT INTO events (employee_id, at, user, field, old, new, text) "
                    "VALUES (?, ?, ?, 'state', NULL, 'new', ?)",
                    (a.employee_id, run.scored_at, run.user, _first_seen_text(run)),
                )
            c.executemany(
                "INSERT OR IGNORE INTO trend_findings (finding_id, month, rule, team, unit) "
                "VALUES (:finding_id, :month, :rule, :team, :unit)",
                trend_findings,
            )
            c.executemany(
                "INSERT OR REPLACE INTO headcounts (month, kind, grp, employees) "
                "VALUES (:month, :kind, :group, :employees)",
                headcounts,
            )
        return run_id

    def latest_run(self) -> dict | None:
        row = self._conn().execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def alerts(self) -> list[dict]:
        rows = self._conn().execute(f"SELECT {_LIGHT} FROM alerts").fetchall()
        return [_alert_row(dict(r)) for r in rows]

    def alert(self, employee_id: str, *, full: bool = False) -> dict | None:
        columns = "*" if full else _LIGHT
        row = self._conn().execute(f"SELECT {columns} FROM alerts WHERE employee_id = ?", (employee_id,))
        found = row.fetchone()
        return _alert_row(dict(found)) if found else None

    def events(self, employee_id: str) -> list[dict]:
        rows = self._conn().execute(
            "SELECT at, user, field, old, new, text FROM events WHERE employee_id = ? ORDER BY id",
            (employee_id,),
        )
        return [dict(r) for r in rows.fetchall()]

    def update(self, employee_id, version, changes, events, when) -> dict:
        with self._write() as c:
            row = c.execute(f"SELECT {_LIGHT} FROM alerts WHERE employee_id = ?", (employee_id,)).fetchone()
            if row is None:
                raise NotFound(employee_id)
            if row["version"] != version:
                raise Conflict(_alert_row(dict(row)))  # the transaction is rolled back: nothing written
            sets = {k: v for k, v in changes.items() if k in (*FIELDS, "closed_at")}
            sets.update(
                version=version + 1, updated_at=when, updated_by=events[0]["user"] if events else None
            )
            assignments = ", ".join(f"{k} = ?" for k in sets)
            c.execute(f"UPDATE alerts SET {assignments} WHERE employee_id = ?", (*sets.values(), employee_id))
            c.executemany(
                "INSERT INTO events (employee_id, at, user, field, old, new, text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (employee_id, e["at"], e["user"], e["field"], e["old"], e["new"], e.get("text"))
                    for e in events
                ],
            )
            row = c.execute(f"SELECT {_LIGHT} FROM alerts WHERE employee_id = ?", (employee_id,)).fetchone()
        return _alert_row(dict(row))

    def closed_since(self, since: str) -> list[dict]:
        rows = self._conn().execute(
            "SELECT state, rules FROM alerts WHERE state IN ('confirmed', 'dismissed') AND closed_at >= ?",
            (since,),
        )
        return [{"state": r["state"], "rules": json.loads(r["rules"] or "[]")} for r in rows.fetchall()]

    def trend_counts(self, kind: str) -> list[dict]:
        column = _group_column(kind)
        rows = self._conn().execute(
            f"SELECT {column} AS grp, month, rule, count(*) AS n FROM trend_findings "
            f"WHERE {column} IS NOT NULL GROUP BY {column}, month, rule"
        )
        return [{"group": r["grp"], "month": r["month"], "rule": r["rule"], "findings": r["n"]} for r in rows]

    def headcounts(self, kind: str) -> dict[tuple[str, str], int]:
        _group_column(kind)
        rows = self._conn().execute("SELECT grp, month, employees FROM headcounts WHERE kind = ?", (kind,))
        return {(r["grp"], r["month"]): r["employees"] for r in rows}

    def purge(self, cut: str, *, dry_run: bool = False) -> dict[str, int]:
        month = cut[:7]
        if dry_run:
            c = self._conn()
            count = lambda sql, *args: int(c.execute(sql, args).fetchone()[0])  # noqa: E731
            return {
                "triage_events": count("SELECT count(*) FROM events WHERE at < ?", cut),
                "triage_alerts": count(
                    "SELECT count(*) FROM alerts "
                    "WHERE last_seen < ? AND (updated_at IS NULL OR updated_at < ?)",
                    cut,
                    cut,
                ),
                "trend_findings": count("SELECT count(*) FROM trend_findings WHERE month < ?", month),
            }
        with self._write() as c:
            events = c.execute("DELETE FROM events WHERE at < ?", (cut,)).rowcount
            stale = [
                r["employee_id"]
                for r in c.execute(
                    "SELECT employee_id FROM alerts "
                    "WHERE last_seen < ? AND (updated_at IS NULL OR updated_at < ?)",
                    (cut, cut),
                )
            ]
            c.executemany("DELETE FROM events WHERE employee_id = ?", [(e,) for e in stale])
            alerts = c.executemany("DELETE FROM alerts WHERE employee_id = ?", [(e,) for e in stale]).rowcount
            trends = c.execute("DELETE FROM trend_findings WHERE month < ?", (month,)).rowcount
            c.execute("DELETE FROM headcounts WHERE month < ?", (month,))
            c.execute("DELETE FROM runs WHERE scored_at < ? AND id < (SELECT max(id) FROM runs)", (cut,))
        return {"triage_events": events, "triage_alerts": max(alerts, 0), "trend_findings": trends}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class _Immediate:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` when the block raises."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if kind is not None else "COMMIT")


def _group_column(kind: str) -> str:
    if kind not in ("team", "unit"):
        raise ValueError(f"trend group {kind!r}")
    return kind


def _alert_row(row: dict) -> dict:
    for key in ("reasons", "rules", "parts", "findings"):
        if key in row:
            row[key] = json.loads(row[key]) if isinstance(row[key], str) else (row[key] or [])
    if "alert" in row:
        row["alert"] = bool(row["alert"])
    return row


def _first_seen_text(run: RunRecord) -> str:
    return f"alerted by the scoring run as of {run.as_of} ({run.window} window)"


# ------------------------------------------------------------------------------------- Neo4j

_N_SNAPSHOT = "score, alert, rank, peer_group, unit, reasons, rules"


class Neo4jTriage(TriageStore):
    """Triage on Neo4j: ``(:TriageRun)``, ``(:TriageAlert)-[:HAS_EVENT]->(:TriageEvent)``,
    ``(:TrendFinding)`` and ``(:TrendHeadcount)`` nodes, each change in one write transaction.

    Lists (reasons, rules, parts, findings) are kept as JSON text properties.
    """

    kind = "neo4j"

    def __init__(self, store, *, schema: bool = True) -> None:
        self.store = store
        if schema:  # a dry run of purge only reads: it creates nothing
            self._schema()

    def _run(self, text: str, params: dict | None = None, *, write: bool = False) -> pd.DataFrame:
        from graphrisk.store.neo4j import Mode

        return self.store.runner.run_text(
            text, params or {}, mode=Mode.WRITE if write else Mode.READ, tag="triage"
        )

    def _schema(self) -> None:
        for text in (
            "CREATE CONSTRAINT triage_alert IF NOT EXISTS "
            "FOR (a:TriageAlert) REQUIRE a.employee_id IS UNIQUE",
            "CREATE CONSTRAINT trend_finding IF NOT EXISTS "
            "FOR (f:TrendFinding) REQUIRE f.finding_id IS UNIQUE",
            "CREATE CONSTRAINT triage_run IF NOT EXISTS FOR (r:TriageRun) REQUIRE r.id IS UNIQUE",
        ):
            self._run(text, write=True)

    def record(self, run, alerts, trend_findings, headcounts) -> int:
        import neo4j

        rows = [
            {
                "employee_id": a.employee_id,
                "score": a.score,
                "alert": a.alert,
                "rank": a.rank,
                "peer_group": a.peer_group,
                "unit": a.unit,
                "reasons": json.dumps(a.reasons),
                "rules": json.dumps(a.rules),
                "parts": json.dumps(a.parts),
                "findings": json.dumps(a.findings, default=str),
            }
            for a in alerts
        ]
        params = {
            "run": run.__dict__,
            "rows": rows,
            "trends": trend_findings,
            "heads": headcounts,
            "text": _first_seen_text(run),
        }

        def work(tx: neo4j.ManagedTransaction) -> int:
            # one TriageRun per run; its id one more than the last (the constraint refuses a twin)
            run_id = tx.run(
                "OPTIONAL MATCH (r:TriageRun) WITH coalesce(max(r.id), 0) + 1 AS id "
                "CREATE (n:TriageRun) SET n = $run, n.id = id RETURN id",
                params,
            ).single()["id"]
            tx.run(
                "UNWIND $rows AS row "
                "MERGE (a:TriageAlert {employee_id: row.employee_id}) "
                "ON CREATE SET a.state = 'new', a.version = 1, a.first_seen = $run.scored_at, a._new = true "
                "SET a += row, a.last_seen = $run.scored_at, a.last_run = $id "
                "WITH a WHERE a._new "
                "CREATE (a)-[:HAS_EVENT]->(:TriageEvent {seq: 0, at: $run.scored_at, user: $run.user, "
                "field: 'state', new: 'new', text: $text}) "
                "REMOVE a._new",
                {**params, "id": run_id},
            ).consume()
            tx.run(
                "UNWIND $trends AS t MERGE (f:TrendFinding {finding_id: t.finding_id}) ON CREATE SET f += t",
                params,
            ).consume()
            tx.run(
                "UNWIND $heads AS h MERGE (c:TrendHeadcount {month: h.month, kind: h.kind, grp: h.group}) "
                "SET c.employees = h.employees",
                params,
            ).consume()
            return int(run_id)

        return self._transact(work)

    def _transact(self, work):
        import neo4j
        from neo4j import exceptions as nx

        from graphrisk.store.neo4j import Mode

        try:
            with self.store.driver.session(
                database=self.store.runner.database, default_access_mode=Mode.WRITE.value
            ) as session:
                metadata = {"app": "graphrisk", "query": "triage", "user": self.store.runner._user()}
                return session.execute_write(neo4j.unit_of_work(metadata=metadata)(work))
        except nx.Neo4jError as exc:
            raise StoreError(f"triage: {exc.code}: {exc.message}") from exc
        except nx.DriverError as exc:
            raise StoreError(f"triage: the Neo4j driver failed: {exc}") from exc

    def latest_run(self) -> dict | None:
        frame = self._run("MATCH (r:TriageRun) RETURN r {.*} AS r ORDER BY r.id DESC LIMIT 1")
        return dict(frame["r"].iloc[0]) if len(frame) else None

    def alerts(self) -> list[dict]:
        frame = self._run(
            "MATCH (a:TriageAlert) RETURN a {.employee_id, .state, .assignee, .version, .first_seen, "
            ".last_seen, .last_run, .updated_at, .updated_by, .dismiss_reason, .dismiss_text, .closed_at, "
            f".{_N_SNAPSHOT.replace(', ', ', .')}}} AS a"
        )
        return [_alert_row(_complete(dict(a))) for a in frame["a"]] if len(frame) else []

    def alert(self, employee_id: str, *, full: bool = False) -> dict | None:
        frame = self._run("MATCH (a:TriageAlert {employee_id: $id}) RETURN a {.*} AS a", {"id": employee_id})
        if not len(frame):
            return None
        row = _complete(dict(frame["a"].iloc[0]))
        if not full:
            row.pop("parts", None)
            row.pop("findings", None)
        return _alert_row(row)

    def events(self, employee_id: str) -> list[dict]:
        frame = self._run(
            "MATCH (:TriageAlert {employee_id: $id})-[:HAS_EVENT]->(e:TriageEvent) "
            "RETURN e {.at, .user, .field, .old, .new, .text, .seq} AS e ORDER BY e.seq, e.at",
            {"id": employee_id},
        )
        out = []
        for e in frame["e"] if len(frame) else []:
            e = dict(e)
            e.pop("seq", None)
            out.append({k: e.get(k) for k in ("at", "user", "field", "old", "new", "text")})
        return out

    def update(self, employee_id, version, changes, events, when) -> dict:
        import neo4j

        sets = {k: v for k, v in changes.items() if k in (*FIELDS, "closed_at")}
        sets.update(updated_at=when, updated_by=events[0]["user"] if events else None)

        def work(tx: neo4j.ManagedTransaction):
            # the write lock first (a write to the node), then the version read under it: two
            # updates of one alert cannot both see the same version (Neo4j's "lost updates" advice)
            record = tx.run(
                "MATCH (a:TriageAlert {employee_id: $id}) SET a._lock = true REMOVE a._lock "
                "WITH a, a.version AS seen WHERE seen = $version "
                "SET a += $sets, a.version = seen + 1 "
                "WITH a OPTIONAL MATCH (a)-[:HAS_EVENT]->(old:TriageEvent) "
                "WITH a, coalesce(max(old.seq), 0) AS last "
                "UNWIND range(0, size($events) - 1) AS i "
                "CREATE (a)-[:HAS_EVENT]->(e:TriageEvent) SET e = $events[i], e.seq = last + 1 + i "
                "RETURN count(e) AS n",
                {"id": employee_id, "version": version, "sets": sets, "events": events},
            ).single()
            return record["n"] if record else 0

        written = self._transact(work)
        current = self.alert(employee_id)
        if current is None:
            raise NotFound(employee_id)
        if not written:  # the version did not match: nothing was written
            raise Conflict(current)
        return current

    def closed_since(self, since: str) -> list[dict]:
        frame = self._run(
            "MATCH (a:TriageAlert) WHERE a.state IN ['confirmed', 'dismissed'] AND a.closed_at >= $since "
            "RETURN a.state AS state, a.rules AS rules",
            {"since": since},
        )
        return [
            {"state": s, "rules": json.loads(r or "[]")}
            for s, r in zip(frame.get("state", []), frame.get("rules", []), strict=True)
        ]

    def trend_counts(self, kind: str) -> list[dict]:
        column = _group_column(kind)
        frame = self._run(
            f"MATCH (f:TrendFinding) WHERE f.{column} IS NOT NULL "
            f"RETURN f.{column} AS group, f.month AS month, f.rule AS rule, count(*) AS findings"
        )
        return frame.to_dict("records") if len(frame) else []

    def headcounts(self, kind: str) -> dict[tuple[str, str], int]:
        _group_column(kind)
        frame = self._run(
            "MATCH (c:TrendHeadcount {kind: $kind}) RETURN c.grp AS grp, c.month AS month, c.employees AS n",
            {"kind": kind},
        )
        return {
            (g, m): int(n)
            for g, m, n in zip(frame.get("grp", []), frame.get("month", []), frame.get("n", []), strict=True)
        }

    def purge(self, cut: str, *, dry_run: bool = False) -> dict[str, int]:
        month = cut[:7]
        if dry_run:
            counts = self._run(
                "CALL { MATCH (e:TriageEvent) WHERE e.at < $cut RETURN count(e) AS events } "
                "CALL { MATCH (a:TriageAlert) WHERE a.last_seen < $cut AND coalesce(a.updated_at, '') < $cut "
                "RETURN count(a) AS alerts } "
                "CALL { MATCH (f:TrendFinding) WHERE f.month < $month RETURN count(f) AS trends } "
                "RETURN events, alerts, trends",
                {"cut": cut, "month": month},
            ).iloc[0]
            return {
                "triage_events": int(counts["events"]),
                "triage_alerts": int(counts["alerts"]),
                "trend_findings": int(counts["trends"]),
            }
        events = self._run(
            "MATCH (e:TriageEvent) WHERE e.at < $cut DETACH DELETE e RETURN count(*) AS n",
            {"cut": cut},
            write=True,
        )
        alerts = self._run(
            "MATCH (a:TriageAlert) WHERE a.last_seen < $cut AND coalesce(a.updated_at, '') < $cut "
            "OPTIONAL MATCH (a)-[:HAS_EVENT]->(e) DETACH DELETE e, a RETURN count(DISTINCT a) AS n",
            {"cut": cut},
            write=True,
        )
        trends = self._run(
            "MATCH (f:TrendFinding) WHERE f.month < $month DETACH DELETE f RETURN count(*) AS n",
            {"month": month},
            write=True,
        )
        self._run("MATCH (c:TrendHeadcount) WHERE c.month < $month DELETE c", {"month": month}, write=True)
        return {
            "triage_events": int(events["n"].iloc[0]) if len(events) else 0,
            "triage_alerts": int(alerts["n"].iloc[0]) if len(alerts) else 0,
            "trend_findings": int(trends["n"].iloc[0]) if len(trends) else 0,
        }


def _complete(row: dict) -> dict:
    for key in ("assignee", "updated_at", "updated_by", "dismiss_reason", "dismiss_text", "closed_at"):
        row.setdefault(key, None)
    return row


# ----------------------------------------------------------------------------- opening, recording


def open_triage(store) -> TriageStore:
    """The triage store beside ``store``: SQLite in the embedded store's folder, or Neo4j nodes."""
    if store.kind == "neo4j":
        return Neo4jTriage(store)
    path = Path(store.path)
    if not path.is_dir():
        raise StoreError(f"no embedded store at {path}: load a data set first (graphrisk load DATASET)")
    return SQLiteTriage(path / FILE_NAME)


def purge_triage(store, cut: pd.Timestamp, *, dry_run: bool = False) -> dict[str, int]:
    """``graphrisk purge`` for the triage store beside ``store`` (see :meth:`TriageStore.purge`).

    An embedded store that was never scored has no triage database: nothing to purge, and none is
    created.
    """
    text = cut.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    if store.kind == "neo4j":
        return Neo4jTriage(store, schema=not dry_run).purge(text, dry_run=dry_run)
    path = Path(store.path) / FILE_NAME
    if not path.is_file():
        return dict.fromkeys(PURGED_KINDS, 0)
    triage = SQLiteTriage(path)
    try:
        return triage.purge(text, dry_run=dry_run)
    finally:
        triage.close()


def record_run(store, rows: pd.DataFrame, result, *, user: str, top: int = RECORD_TOP) -> int:
    """Record a scoring run (``rows`` of :func:`~graphrisk.scoring.output.score_rows`) for triage."""
    employees, units = _organisation(store)
    unit_of = dict(zip(employees["employee_id"], employees["unit_id"], strict=True))
    parent = dict(zip(units["unit_id"], units["parent_unit_id"], strict=True))
    chosen = rows[rows["alert"].astype(bool) | (rows["rank"] <= top)]
    findings = result.findings
    # only the chosen employees' findings are kept with their alerts (a few hundred of 65,000)
    theirs = findings[findings["employee_id"].isin(chosen["employee_id"])] if len(findings) else findings
    context = {}
    if len(result.weights) and "explained" in result.weights:
        weights = result.weights[result.weights["finding_id"].isin(theirs["finding_id"])]
        context = dict(zip(weights["finding_id"], weights["explained"], strict=True))
    by_employee = {e: g for e, g in theirs.groupby("employee_id", sort=False)} if len(theirs) else {}
    alerts = []
    for r in chosen.itertuples(index=False):
        mine = by_employee.get(r.employee_id)
        alerts.append(
            AlertRecord(
                employee_id=str(r.employee_id),
                score=round(float(r.score), 4),
                alert=bool(r.alert),
                rank=int(r.rank),
                peer_group=str(r.peer_group),
                unit=_text(unit_of.get(r.employee_id)),
                reasons=json.loads(r.reasons),
                rules=sorted(set(mine["rule_id"])) if mine is not None else [],
                parts=json.loads(r.parts),
                findings=_findings(mine, context) if mine is not None else [],
            )
        )
    run = RunRecord(
        as_of=pd.Timestamp(result.as_of).isoformat(),
        window=result.params.to_dict()["window"],
        threshold=float(result.params.threshold),
        employees=len(rows),
        alerts=int(rows["alert"].sum()),
        store=store.kind,
        user=user,
    )
    # every finding of the window counts in the trend (the result's trend frame when the score weighed
    # them in parts and kept only the top employees' findings)
    trends = _trend_findings(findings if result.trend is None else result.trend, unit_of, parent)
    heads = _headcounts(employees, parent, result.since, result.as_of)
    triage = open_triage(store)
    try:
        return triage.record(run, alerts, trends, heads)
    finally:
        triage.close()


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _findings(mine: pd.DataFrame, context: dict) -> list[dict]:
    out = []
    for f in mine.sort_values(["ts", "finding_id"]).itertuples(index=False):
        evidence = json.loads(f.evidence) if isinstance(f.evidence, str) else (f.evidence or [])
        explained = context.get(f.finding_id)
        out.append(
            {
                "finding_id": f.finding_id,
                "rule": f.rule_id,
                "severity": f.severity,
                "timestamp": pd.Timestamp(f.ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                "target_id": _text(f.target_id),
                "target_type": _text(f.target_type),
                "case_id": _text(f.case_id),
                "organisation_id": _text(f.organisation_id),
                "access_ids": [str(a) for a in (f.access_ids if f.access_ids is not None else [])],
                "context": None if explained is None or pd.isna(explained) else round(float(explained), 3),
                "detail": _text(f.detail) or "",
                "evidence": evidence,
            }
        )
    return out


def _organisation(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Employees (id, unit, service dates) and units (id, parent, name) of either store."""
    employees = store.rows_where("employees", columns=["employee_id", "unit_id", "start_date", "end_date"])
    units = store.rows_where("units", columns=["unit_id", "parent_unit_id", "name"])
    employees = employees.astype(object).where(employees.notna(), None)
    units = units.astype(object).where(units.notna(), None)
    return employees, units


def root_unit(unit: str | None, parent: dict) -> str | None:
    """The top of ``unit``'s hierarchy (a regional or national unit).

    >>> root_unit("T1", {"T1": "U1", "U1": None})
    'U1'
    """
    seen = set()
    while unit is not None and parent.get(unit) and unit not in seen:
        seen.add(unit)
        unit = parent[unit]
    return unit


def _trend_findings(findings: pd.DataFrame, unit_of: dict, parent: dict) -> list[dict]:
    """One row per finding for the trend view: its month, rule, team and the team's top unit.

    Sorted by finding id: SQLite inserts keys in order about twice as fast as in random order,
    and a national nightly run records millions of them. Months, teams and units are worked out
    once per distinct value, not per finding.
    """
    if findings.empty:
        return []
    month = utc_day_labels(findings["ts"], "%Y-%m").to_numpy()
    employee = findings["employee_id"].to_numpy(dtype=object)
    emp_codes, emps = pd.factorize(employee)
    teams = np.array([_text(unit_of.get(e)) for e in emps], dtype=object)
    units = np.array([root_unit(t, parent) for t in teams], dtype=object)
    team, unit = teams[emp_codes], units[emp_codes]
    ids = np.array([str(f) for f in findings["finding_id"]], dtype=object)
    rule = findings["rule_id"].astype(str).to_numpy(dtype=object)
    order = np.argsort(ids.astype(str), kind="stable")  # fixed-width text sorts twice as fast as objects
    return [
        {"finding_id": f, "month": m, "rule": r, "team": t, "unit": u}
        for f, m, r, t, u in zip(ids[order], month[order], rule[order], team[order], unit[order], strict=True)
    ]


def _headcounts(employees: pd.DataFrame, parent: dict, since, until) -> list[dict]:
    """Employees in service per team and unit, for each month the window touches."""
    start, end = pd.Timestamp(since), pd.Timestamp(until) - pd.Timedelta(microseconds=1)
    months = pd.period_range(start.tz_convert(None), end.tz_convert(None), freq="M")
    out = []
    teams = employees["unit_id"]
    starts = pd.to_datetime(employees["start_date"].astype("string"), errors="coerce")
    ends = pd.to_datetime(employees["end_date"].astype("string"), errors="coerce")
    roots = teams.map(lambda t: root_unit(_text(t), parent))
    for month in months:
        first, last = month.start_time, month.end_time
        active = (starts.isna() | (starts <= last)) & (ends.isna() | (ends >= first))
        label = str(month)
        for kind, groups in (("team", teams), ("unit", roots)):
            counts = groups[active.to_numpy()].dropna().value_counts()
            out.extend(
                {"month": label, "kind": kind, "group": str(g), "employees": int(n)}
                for g, n in counts.items()
            )
    return out
