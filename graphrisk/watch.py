"""``graphrisk watch DIR``: near-real-time alerts on batches of look-ups as they land.

A producer (the export job of the police systems) hands batches over in ``DIR``; the watcher
appends each one to the store with the append code (:func:`graphrisk.store.append.append_batch`),
runs the high-severity rules (:data:`ALERT_RULES`) on the batch's *new* look-ups only, and emits one
JSON line per new high-severity finding.

**The hand-off.** A batch is a subdirectory of ``DIR`` holding the batch's files (as for
``graphrisk load --append``). It is read only once it holds the marker file :data:`READY`, which
the producer creates after every file is completely written (and flushed). A producer that cannot
write a marker last copies into a hidden name (``DIR/.incoming-2026-03-31/``) and renames the
finished directory into ``DIR`` with the marker already inside: a rename is atomic, so a
half-copied batch is never seen under a name the watcher reads. Names starting with ``.`` or
``_``, and ``done/`` and ``rejected/``, are never batches. Batches are taken in name order
(``2026-03-31T10-00`` sorts by time).

**What happens to a batch.** Appended and alerted: moved to ``DIR/done/``. Refused by the append
(bad data, a changed look-up, a dangling reference): moved to ``DIR/rejected/`` with
``ERROR.txt`` beside its files (every problem with file, line and column), and the watcher goes
on with the next batch. A store that is busy or unreachable leaves the batch where it is for the
next round.

**Exactly one alert per finding.** The watcher keeps a ledger (``DIR/.watch/ledger.jsonl``,
appended and fsynced line by line): the batch it begins (with the look-ups the store already
held), each finding it alerted, the batch it finished. Hence:

- a batch finished before (the same batch id, a hash of its files: :func:`~graphrisk.store.append.batch_id`)
  gives no alert, wherever it is dropped again;
- a batch appended earlier by ``graphrisk load --append`` (the store's batch record holds its id)
  was never the watcher's to alert: it is only moved to ``done/``;
- a watcher stopped in the middle of a batch (even after the append) is restarted on it and alerts
  what it had not alerted yet: the ledger's begin line says which look-ups were new.

A finding is written to the ledger after its alert went out, so a process killed between the two
re-sends that one alert on restart; the ``finding_id`` is the key to drop such a duplicate.

**Where alerts go.** Standard output (one JSON line each), ``--alerts-file`` (each line one
``write`` on a file opened for appending, then fsync, so a reader never sees half a line), and
``--post URL`` (with a timeout and retries; an alert that cannot be delivered is kept in the spool
``DIR/.watch/spool.jsonl`` and sent again on every round until the server takes it).

>>> sorted(ALERT_RULES)
['criminal-proximity-access', 'open-case-no-need-to-know', 'pre-action-lookup', 'sensitive-target']
>>> is_batch_name("2026-03-31"), is_batch_name(".incoming-2026-03-31"), is_batch_name("done")
(True, False, False)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graphrisk.atomic import file_mode, fsync_dir, private_dir
from graphrisk.contract import EVALUATION_ONLY, TABLE_ORDER
from graphrisk.errors import DataError, GraphriskError, StoreError, UsageError
from graphrisk.frames import isin

__all__ = [
    "ALERT_RULES",
    "READY",
    "Alert",
    "AlertSinks",
    "BatchOutcome",
    "Watcher",
    "alerts_of",
    "detect_new",
    "is_batch_name",
]

#: The marker file a producer writes last: a batch directory without it is still being written.
READY = "_READY"
#: The rules that alert, each with the lowest severity that does. open-case-no-need-to-know
#: alerts only on top-sensitivity open cases (its critical findings); sensitive-target only on
#: informants, undercover officers and protected persons (high, not vip's medium).
ALERT_RULES: dict[str, str] = {
    "pre-action-lookup": "critical",
    "sensitive-target": "high",
    "open-case-no-need-to-know": "critical",
    "criminal-proximity-access": "high",
}
#: The stored tables these rules read besides the look-ups (the rest, e.g. shifts, is not read).
CONTEXT_TABLES = (
    "persons",
    "employees",
    "cases",
    "case_subjects",
    "case_assignments",
    "case_actions",
    "vehicles",
    "relations",
    "memberships",
    "organisations",
)
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_NOT_BATCHES = {"done", "rejected"}
_STATE = ".watch"
_BATCH_FILES = [n for n in TABLE_ORDER if n not in EVALUATION_ONLY]


def is_batch_name(name: str) -> bool:
    """Whether an entry of DIR named ``name`` can be a batch (not hidden, not the watcher's own)."""
    return not name.startswith((".", "_")) and name not in _NOT_BATCHES


# -- detection on the new look-ups -----------------------------------------------------------------


class _NewLookups:
    """An embedded store seen by :func:`graphrisk.rules.detect` with only some look-ups in its log.

    The alert rules judge each look-up on its own against the registers (cases, assignments,
    subjects, relations, memberships), never against other look-ups, so the findings on this view
    are exactly the full store's findings of these look-ups (tests/test_watch.py checks it).
    """

    kind = "embedded"

    def __init__(self, store, lookups: pd.DataFrame, cache: dict) -> None:
        self._store, self._lookups, self._cache = store, lookups, cache

    def tables_present(self) -> set[str]:
        return self._store.tables_present()

    def tables(self) -> dict[str, pd.DataFrame]:
        present = self._store.tables_present()
        out = {name: self._table(name) for name in CONTEXT_TABLES if name in present}
        out["access_log"] = self._lookups
        if "employees" in out:
            out.update(_near(out["employees"], out.get("relations"), self._lookups))
        if "persons" in out:
            out.update(_targets(out["persons"], out.get("vehicles"), self._lookups))
        return out

    def _table(self, name: str) -> pd.DataFrame:
        # a table the append did not change is the same file (a hard link) in the new version:
        # its inode says so, and a long-running watcher reads two million persons once, not per batch
        files = self._store.table_version(name)
        hit = self._cache.get(name)
        if hit is None or hit[0] != files:
            hit = (files, self._store.table(name))
            self._cache[name] = hit
        return hit[1]


def _near(employees: pd.DataFrame, relations: pd.DataFrame | None, lookups: pd.DataFrame) -> dict:
    """The employees who made these look-ups, and the relations within two hops of their persons.

    Exact for the alert rules: an employee's rows matter only to their own look-ups (unit,
    assignments, own person), and criminal-proximity-access follows paths of at most two hops
    (its ``max_hops`` is at most 2) from the employee's own person, which use only relations
    with an end at that person or at a relation of theirs. A national store's eight million
    relations become a few thousand, and the paths are built for a batch's employees, not all.
    """
    employees = employees[isin(employees["employee_id"], lookups["employee_id"].unique())]
    out = {"employees": employees}
    if relations is not None and len(relations):
        own = employees["person_id"].dropna().unique()
        ends = relations[["person_id", "other_person_id"]]
        first = relations[isin(ends["person_id"], own) | isin(ends["other_person_id"], own)]
        near = pd.unique(pd.concat([pd.Series(own, dtype=object), first["person_id"].astype(object),
                                    first["other_person_id"].astype(object)]))  # fmt: skip
        out["relations"] = relations[isin(ends["person_id"], near) | isin(ends["other_person_id"], near)]
    return out


def _targets(persons: pd.DataFrame, vehicles: pd.DataFrame | None, lookups: pd.DataFrame) -> dict:
    """The persons and vehicles these look-ups resolve to (a person looked up, a vehicle's owner,
    a resident of an address looked up). Exact for the alert rules, which read a person's flags
    and address only for the persons a look-up resolves to: two million persons become a few
    thousand, and each join of the rules is that much cheaper.
    """
    kind, target = lookups["target_type"], lookups["target_id"]
    wanted = target[(kind == "person").to_numpy()].unique()
    out = {}
    if vehicles is not None and len(vehicles):
        vehicles = vehicles[isin(vehicles["vehicle_id"], target[(kind == "vehicle").to_numpy()].unique())]
        wanted = pd.unique(
            pd.concat([pd.Series(wanted, dtype=object), vehicles["owner_person_id"].astype(object)])
        )
        out["vehicles"] = vehicles
    addresses = target[(kind == "address").to_numpy()].unique()
    out["persons"] = persons[isin(persons["person_id"], wanted) | isin(persons["address_id"], addresses)]
    return out


def detect_new(store, access_ids, *, params: dict | None = None, cache: dict | None = None) -> pd.DataFrame:
    """The alerting findings of the stored look-ups ``access_ids`` (see :data:`ALERT_RULES`).

    On the embedded store the rules run on those look-ups alone; on Neo4j on the window of their
    times, keeping the findings of those look-ups.
    """
    from graphrisk.rules import detect

    ids = sorted(set(access_ids))
    rules = list(ALERT_RULES)
    if not ids:
        return _keep_alerting(pd.DataFrame(columns=["finding_id", "rule_id", "severity", "access_ids"]))
    lookups = _rows_where(store, "access_log", "access_id", ids)
    if not len(lookups):
        return _keep_alerting(pd.DataFrame(columns=["finding_id", "rule_id", "severity", "access_ids"]))
    if store.kind == "embedded":
        view = _NewLookups(store, lookups, cache if cache is not None else {})
        # the view is a few thousand rows in memory: the pandas engine runs on it as it is (DuckDB
        # reads the store's Parquet files, which hold every look-up, not the view)
        findings = detect(view, rules, params=params, engine="pandas").findings
    else:
        ts = pd.to_datetime(lookups["ts"], utc=True)
        found = detect(
            store, rules, since=ts.min(), until=ts.max() + pd.Timedelta(microseconds=1), params=params
        )
        findings = found.findings
        wanted = set(ids)
        findings = findings[[bool(set(a) & wanted) for a in findings["access_ids"]]]
    return _keep_alerting(findings)


def _keep_alerting(findings: pd.DataFrame) -> pd.DataFrame:
    if not len(findings):
        return findings.reset_index(drop=True)
    floor = findings["rule_id"].map(lambda r: _SEVERITY_RANK[ALERT_RULES[r]])
    rank = findings["severity"].map(_SEVERITY_RANK)
    return findings[rank >= floor].reset_index(drop=True)


# -- alerts ------------------------------------------------------------------------------------------


@dataclass
class Alert:
    """One alert: what a receiver needs to open the finding, and no one's name."""

    finding_id: str
    rule: str
    severity: str
    employee_id: str
    access_ids: list[str]
    ts: str
    target_type: str
    target_id: str
    case_id: str | None
    organisation_id: str | None
    reason: str
    batch_id: str

    def line(self) -> str:
        return json.dumps(self.__dict__, separators=(",", ":"), sort_keys=False)


def alerts_of(
    findings: pd.DataFrame, batch: str, redact: Callable[[dict], dict] | None = None
) -> list[Alert]:
    """Alerts from findings, in time order; ``redact`` pseudonymises ids (the guard's redactor).

    >>> f = pd.DataFrame([{"finding_id": "f1", "rule_id": "sensitive-target", "severity": "high",
    ...     "employee_id": "E1", "access_ids": ["X1"], "ts": pd.Timestamp("2026-03-02T10:00Z"),
    ...     "target_type": "person", "target_id": "P7", "case_id": None, "organisation_id": None,
    ...     "detail": "flags informant"}])
    >>> alerts_of(f, "b-1")[0].reason
    'Look-up of a flagged person: flags informant'
    """
    from graphrisk.rules import RULES

    out = []
    for row in findings.sort_values(["ts", "finding_id"], kind="stable").to_dict(orient="records"):
        detail = row.get("detail")
        reason = RULES[row["rule_id"]].title + (f": {detail}" if isinstance(detail, str) and detail else "")
        fields = {
            "finding_id": row["finding_id"],
            "rule": row["rule_id"],
            "severity": row["severity"],
            "employee_id": row["employee_id"],
            "access_ids": [str(a) for a in row["access_ids"]],
            "ts": pd.Timestamp(row["ts"]).tz_convert("UTC").isoformat(),
            "target_type": row["target_type"],
            "target_id": row["target_id"],
            "case_id": _text(row.get("case_id")),
            "organisation_id": _text(row.get("organisation_id")),
            "reason": reason,
            "batch_id": batch,
        }
        if redact is not None:
            fields = redact(fields)
        out.append(Alert(**fields))
    return out


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


class AlertSinks:
    """Where alerts go: standard output, an alerts file, an HTTP endpoint (with the spool).

    ``echo`` prints one line (standard output by default). A POST that fails after its retries
    puts the alert in ``spool`` (one JSON line each); :meth:`resend` tries the spool again.
    """

    def __init__(
        self,
        *,
        echo: Callable[[str], None] | None = None,
        alerts_file: Path | None = None,
        post_url: str | None = None,
        spool: Path | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        if post_url is not None and not post_url.startswith(("http://", "https://")):
            raise UsageError(f"--post {post_url!r}: give an http:// or https:// URL")
        if post_url is not None and spool is None:
            raise UsageError("a POST needs a spool file for the alerts it cannot deliver")
        self.echo, self.alerts_file, self.post_url, self.spool = echo, alerts_file, post_url, spool
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.delivered = self.spooled = 0

    def emit(self, alert: Alert) -> None:
        line = alert.line()
        if self.echo is not None:
            self.echo(line)
        if self.alerts_file is not None:
            append_line(self.alerts_file, line)
        if self.post_url is not None:
            # once the server failed in this round, the rest go straight to the spool (in order,
            # behind the ones already there): a down server costs one timeout per round, not one
            # per alert
            if self._reachable and self._post(line):
                self.delivered += 1
            else:
                append_line(self.spool, line)
                self.spooled += 1

    def resend(self) -> int:
        """POST every spooled alert again; keep the ones that still fail. Returns how many are left."""
        self._reachable = True  # each round tries the server again
        if self.post_url is None or self.spool is None or not self.spool.exists():
            return 0
        lines = [x for x in self.spool.read_text(encoding="utf-8").splitlines() if x.strip()]
        left = []
        for i, line in enumerate(lines):
            if left and not self._reachable:  # the server is down: keep the rest without waiting
                left.extend(lines[i:])
                break
            if self._post(line):
                self.delivered += 1
            else:
                left.append(line)
        _replace_lines(self.spool, left)
        return len(left)

    _reachable = True

    def _post(self, line: str) -> bool:
        """POST one alert; True when the server answered 2xx. Retries with a growing delay."""
        body = line.encode("utf-8")
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(
                self.post_url, data=body, method="POST", headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    if 200 <= response.status < 300:
                        self._reachable = True
                        return True
            except (urllib.error.URLError, OSError, ValueError):
                pass  # refused, timed out, 4xx/5xx (HTTPError is a URLError): try again, then spool
        self._reachable = False
        return False


def append_line(path: Path, line: str) -> None:
    """Append one line to ``path`` with one ``write`` and fsync: whole or not at all to a reader."""
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, file_mode())
    try:
        written = os.write(fd, data)
        if written != len(data):  # a full disk: say so rather than leave half a line unnoticed
            raise OSError(f"short write to {path}: {written} of {len(data)} bytes")
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_lines(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, file_mode())
    try:
        os.write(fd, "".join(x + "\n" for x in lines).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


# -- the ledger ----------------------------------------------------------------------------------------


class _Ledger:
    """The watcher's memory (``DIR/.watch/ledger.jsonl``): batches begun and finished, findings alerted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.begun: dict[str, list[str]] = {}
        self.finished: set[str] = set()
        self.alerted: set[str] = set()
        data = path.read_bytes() if path.exists() else b""
        if data and not data.endswith(b"\n"):
            # a crash mid-write cuts only the last line, which never counted: drop it, so that
            # the next line does not continue it
            data = data[: data.rfind(b"\n") + 1]
            os.truncate(path, len(data))
        for n, text in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
            try:
                entry = json.loads(text)
            except json.JSONDecodeError:
                raise UsageError(f"{path}:{n}: not a ledger line; restore the file or move it away") from None
            self._apply(entry)

    def _apply(self, entry: dict) -> None:
        event = entry.get("event")
        if event == "begin":
            self.begun[entry["batch_id"]] = entry.get("known", [])
        elif event in ("done", "seen"):
            self.finished.add(entry["batch_id"])
        elif event == "alert":
            self.alerted.add(entry["finding_id"])

    def write(self, **entry) -> None:
        append_line(self.path, json.dumps(entry, separators=(",", ":")))
        self._apply(entry)


# -- the watcher -------------------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    """What became of one batch directory."""

    name: str
    status: str  #: "done", "seen" (nothing to alert: seen before), "rejected", "waiting" (store busy)
    batch_id: str | None = None
    alerts: int = 0
    added: int = 0
    seconds: float = 0.0
    error: str | None = None
    subjects: list[str] = field(default_factory=list)  #: employee ids alerted on
    finding_ids: list[str] = field(default_factory=list)  #: the findings alerted (for the audit entry)
    problems: list = field(default_factory=list)  #: a rejected batch's problems (file, line, column)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("subjects", "problems")}


class Watcher:
    """Watches ``directory`` for batches and alerts on the store (see the module docstring).

    ``redact`` turns an alert's fields into what may leave the process (pseudonyms); the command
    passes the audit guard's redactor.
    """

    def __init__(
        self,
        directory: Path,
        store,
        sinks: AlertSinks,
        *,
        params: dict | None = None,
        redact: Callable[[dict], dict] | None = None,
    ) -> None:
        self.dir = Path(directory)
        self.store, self.sinks, self.params, self.redact = store, sinks, params, redact
        self.state = self.dir / _STATE
        self._cache: dict = {}
        self.ledger: _Ledger | None = None

    @contextlib.contextmanager
    def running(self) -> Iterator[Watcher]:
        """Hold DIR for this watcher: a second watcher on the same DIR is refused at once."""
        if not self.dir.is_dir():
            raise UsageError(f"watch directory {str(self.dir)!r} is not a directory")
        private_dir(self.state)
        for sub in ("done", "rejected"):
            (self.dir / sub).mkdir(exist_ok=True)
        fd = os.open(self.state / "lock", os.O_RDWR | os.O_CREAT, file_mode())
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UsageError(f"another graphrisk watch is running on {self.dir}") from None
            self.ledger = _Ledger(self.state / "ledger.jsonl")
            yield self
        finally:
            os.close(fd)

    def ready(self) -> list[Path]:
        """The complete batches in DIR, in name order."""
        return sorted(
            p for p in self.dir.iterdir() if is_batch_name(p.name) and p.is_dir() and (p / READY).is_file()
        )

    def round(self, on_batch: Callable[[BatchOutcome], None] | None = None) -> list[BatchOutcome]:
        """One pass: resend the spool, then process every ready batch."""
        self.sinks.resend()
        outcomes = []
        for path in self.ready():
            outcome = self.process(path)
            outcomes.append(outcome)
            if on_batch is not None:
                on_batch(outcome)
            if outcome.status == "waiting":
                break  # the store is busy or down: the later batches wait their turn
        return outcomes

    def process(self, path: Path) -> BatchOutcome:
        """Append one batch, alert its new findings, and move it to done/ or rejected/."""
        from graphrisk.store import append_batch

        assert self.ledger is not None, "use Watcher.running()"
        started = time.perf_counter()
        bid = _batch_id(path)
        outcome = BatchOutcome(path.name, "done", bid)
        if bid in self.ledger.finished:
            outcome.status = "seen"
            return self._finish(path, outcome, started)
        if bid not in self.ledger.begun and bid in _recorded_batches(self.store):
            # appended by `graphrisk load --append`, not by a watcher: not ours to alert
            self.ledger.write(event="seen", batch_id=bid, dir=path.name)
            outcome.status = "seen"
            return self._finish(path, outcome, started)
        batch_ids = _access_ids(path)
        if bid not in self.ledger.begun:
            known = _stored(self.store, batch_ids)
            self.ledger.write(event="begin", batch_id=bid, dir=path.name, known=sorted(known))
        known = set(self.ledger.begun[bid])
        try:
            summary = append_batch(self.store, path)
        except DataError as exc:
            return self._reject(path, outcome, exc, started)
        except StoreError as exc:
            outcome.status, outcome.error = "waiting", str(exc)
            return outcome
        outcome.added = summary.tables.get("access_log", {}).get("added", 0)
        new = [a for a in batch_ids if a not in known]
        findings = detect_new(self.store, new, params=self.params, cache=self._cache)
        for alert in alerts_of(findings, bid, self.redact):
            if alert.finding_id in self.ledger.alerted:
                continue
            self.sinks.emit(alert)
            self.ledger.write(event="alert", finding_id=alert.finding_id, batch_id=bid)
            outcome.alerts += 1
            outcome.subjects.append(alert.employee_id)
            outcome.finding_ids.append(alert.finding_id)
        self.ledger.write(event="done", batch_id=bid, dir=path.name, alerts=outcome.alerts)
        return self._finish(path, outcome, started)

    def _finish(self, path: Path, outcome: BatchOutcome, started: float) -> BatchOutcome:
        _move(path, self.dir / "done")
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _reject(self, path: Path, outcome: BatchOutcome, exc: GraphriskError, started: float) -> BatchOutcome:
        problems = getattr(exc, "problems", [])
        text = f"{exc}\n" + "".join(f"  {p}\n" for p in problems)
        outcome.status, outcome.error = "rejected", text.strip()
        outcome.problems = [replace(p, file=f"{path.name}/{p.file}") for p in problems]
        # the batch is not begun any more: corrected files make another batch id anyway
        self.ledger.write(event="rejected", batch_id=outcome.batch_id, dir=path.name)
        target = _move(path, self.dir / "rejected")
        error = target / "ERROR.txt"
        error.write_text(text, encoding="utf-8")
        outcome.seconds = time.perf_counter() - started
        return outcome


def _batch_id(path: Path) -> str:
    """The id the append gives the batch (a hash of its contract files), known before reading them."""
    from graphrisk.ingest.files import find_files
    from graphrisk.store.append import batch_id

    files, _ = find_files(path, _BATCH_FILES)
    return batch_id(SimpleNamespace(sources=files))


def _access_ids(path: Path) -> list[str]:
    """The access ids of the batch's look-ups, read leniently: a broken file is the append's to refuse."""
    from graphrisk.ingest.files import find_files

    files, _ = find_files(path, ["access_log"])
    if "access_log" not in files:
        return []
    source = files["access_log"]
    try:
        if source.suffix == ".parquet":
            values = pq.read_table(source, columns=["access_id"]).column("access_id").to_pylist()
        else:
            values = pd.read_csv(source, usecols=["access_id"], dtype=str, keep_default_na=False)["access_id"]
    except (OSError, ValueError, KeyError, pa.ArrowException):  # the append names the problem
        return []
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _stored(store, access_ids: list[str]) -> set[str]:
    """The access ids among ``access_ids`` that the store already holds."""
    if not access_ids or "access_log" not in store.tables_present():
        return set()
    return set(_rows_where(store, "access_log", "access_id", access_ids)["access_id"].astype(str))


def _rows_where(store, table: str, column: str, values) -> pd.DataFrame:
    """Stored rows by key on either store."""
    return store.rows_where(table, column, values)


def _recorded_batches(store) -> set[str]:
    frame = store.load_batches()
    return set(frame["batch_id"].astype(str)) if len(frame) else set()


def _move(path: Path, folder: Path) -> Path:
    """Move a batch directory into ``folder``; a name taken there gets a numbered suffix."""
    target = folder / path.name
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.name}.{n}"
    shutil.move(str(path), str(target))
    fsync_dir(folder)
    return target
