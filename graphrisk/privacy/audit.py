"""The audit log: who looked at whose risk data, when and why, in a tamper-evident hash chain.

One JSON object per line. Each entry carries its number (``seq``, from 0), the
hash of the entry before it (``prev``; 64 zeros for the first) and its own hash
(``hash``: SHA-256 of the entry without ``hash``, as canonical JSON with sorted
keys). The chain head — the number of entries, the last hash and the log's size
— is written after every append to a second file kept apart from the log (by
default next to the site key). :func:`verify` walks the chain and compares its
end with the head, so it detects an edited field (the entry's hash no longer
matches), a deleted, inserted or moved line (numbers and ``prev`` no longer
follow), a cut tail (fewer entries than the head records) and a whole log
replaced by a consistent shorter or different chain (the head's count or hash
differs).

Appends hold an ``flock`` on a lock file beside the log, so two processes
appending at once are serialised; the entries are written with a single
``write`` to a file opened with ``O_APPEND`` and synced before the head is
replaced (write to a temporary file, rename). A new entry chains to the *head*,
not to the last line, so appending never hides earlier damage: a tampered log
stays broken at the place it was tampered.

Group commit: threads of one process that append at the same time (the workspace's requests)
share one lock, one ``write``, one ``fsync`` and one head: the first becomes the writer, takes
every entry waiting then (at most :data:`BATCH_MAX`, in arrival order) and the others wait until
their entry is on disk. :meth:`AuditLog.append` still returns only once its entry and the head
that counts it are synced, so the guarantee per entry is unchanged: durable and in order before
the caller shows anything. An append alone costs what it did. If a process is killed between
writing a batch and the head, the log holds up to :data:`BATCH_MAX` entries more than the head;
the next append (or ``verify``) accepts them when they chain to the head.

What the chain does not do: whoever can rewrite both the log and the head can
forge a consistent history. Keep the head where analysts cannot write (or copy
it off the machine regularly); docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graphrisk.errors import AuditLogBrokenError, PrivacyError, UsageError
from graphrisk.privacy.files import FILE_MODE, locked, make_private_dir, write_private

__all__ = [
    "FIELDS",
    "GENESIS",
    "AuditLog",
    "Head",
    "Verification",
    "entry_hash",
    "parse_when",
    "select",
]

GENESIS = "0" * 64
#: At most this many entries are written in one batch (one ``write``, one ``fsync``, one head),
#: and so at most this many can be in the log past the head after a kill at the wrong moment.
BATCH_MAX = 64

#: the fields of an entry, in the order they are written (the hash does not depend on the order)
FIELDS = (
    "seq",
    "time",
    "user",
    "os_user",
    "role",
    "command",
    "action",
    "outcome",
    "subjects",
    "reveal_reason",
    "query",
    "params",
    "cypher",
    "rows",
    "key",
    "prev",
    "hash",
)


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    """SHA-256 of ``entry`` without its ``hash`` field, as canonical JSON.

    >>> entry_hash({"seq": 0, "prev": GENESIS, "hash": "ignored"}) == entry_hash({"prev": GENESIS, "seq": 0})
    True
    """
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True)
class Head:
    """The chain head kept apart from the log: entries so far, the last hash, the log's size."""

    entries: int = 0
    last_hash: str = GENESIS
    bytes: int = 0

    @classmethod
    def read(cls, path: Path) -> Head | None:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(doc["entries"]), str(doc["last_hash"]), int(doc["bytes"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AuditLogBrokenError(
                f"the audit chain head {path} is unreadable or malformed ({exc})"
            ) from None

    def write(self, path: Path) -> None:
        doc = {"entries": self.entries, "last_hash": self.last_hash, "bytes": self.bytes}
        write_private(path, (json.dumps(doc) + "\n").encode("utf-8"))


@dataclass(frozen=True)
class Verification:
    """The result of :func:`AuditLog.verify`: ``problem`` (and its ``line``) when broken."""

    entries: int
    problem: str | None = None
    line: int | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def raise_if_broken(self, log: Path) -> None:
        if self.problem is not None:
            where = f"line {self.line}: " if self.line is not None else ""
            raise AuditLogBrokenError(f"audit log {log} is broken: {where}{self.problem}", line=self.line)


class AuditLog:
    """The audit log at ``path`` with its chain head at ``head``."""

    def __init__(self, path: Path, head: Path) -> None:
        self.path = Path(path)
        self.head_path = Path(head)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def append(self, fields: dict) -> dict:
        """Append one entry (``fields`` without seq, prev or hash); return it as written.

        Returns once the entry and the chain head that counts it are synced to disk; entries
        appended by other threads meanwhile may share the write (group commit, module docstring).
        """
        bad = (set(fields) - set(FIELDS)) | ({"seq", "prev", "hash"} & set(fields))
        if bad:  # a programming error, not a user's
            raise ValueError(f"audit entry fields not allowed here: {sorted(bad)}")
        slot = _Slot({k: fields.get(k) for k in FIELDS[1:-2]})
        group = _group(self.path)
        with group.cond:
            group.waiting.append(slot)
            while not slot.finished:
                if group.writing:
                    group.cond.wait()
                    continue
                batch, group.waiting = group.waiting[:BATCH_MAX], group.waiting[BATCH_MAX:]
                group.writing = True
                group.cond.release()
                try:
                    self._write_batch(batch)
                finally:
                    for other in batch:  # the writer was interrupted (KeyboardInterrupt): nobody waits on
                        if not other.finished:
                            other.finish(error=PrivacyError("the audit append was interrupted"))
                    group.cond.acquire()
                    group.writing = False
                    group.cond.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.entry

    def _write_batch(self, batch: list[_Slot]) -> None:
        """Write ``batch`` after the head in one write, sync it, move the head; finish every slot."""
        try:
            make_private_dir(self.path.parent)
            with locked(self.lock_path):
                found = Head.read(self.head_path)
                head = found or Head()
                try:
                    fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
                except OSError as exc:
                    raise PrivacyError(f"cannot open the audit log {self.path}: {exc.strerror}") from None
                try:
                    size = os.fstat(fd).st_size
                    if size > head.bytes:
                        head = _adopt_interrupted(fd, head, size, BATCH_MAX if found else 1)
                    data = [b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b""]
                    seq, prev, written = head.entries, head.last_hash, []
                    for slot in batch:
                        entry = {"seq": seq, **slot.fields, "prev": prev}
                        entry["time"] = entry["time"] or _now()
                        try:
                            entry["hash"] = entry_hash(entry)
                            line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
                        except (TypeError, ValueError) as exc:  # a field that is not JSON: that caller's bug
                            slot.finish(error=exc)
                            continue
                        data.append(line)
                        written.append((slot, entry))
                        seq, prev = seq + 1, entry["hash"]
                    if written:
                        _write_all(fd, b"".join(data))
                        os.fsync(fd)
                    new_size = os.fstat(fd).st_size
                except OSError as exc:
                    raise PrivacyError(f"cannot write the audit log {self.path}: {exc.strerror}") from None
                finally:
                    os.close(fd)
                if written:
                    Head(seq, prev, new_size).write(self.head_path)
        except Exception as exc:  # every caller in the batch gets the writer's error
            for slot in batch:
                if not slot.finished:
                    slot.finish(error=exc)
            return
        for slot, entry in written:
            slot.finish(entry=entry)

    def entries(self) -> list[dict]:
        """Every entry, parsed (not verified: :meth:`verify` does that). No log yet: none."""
        out = []
        for number, line in enumerate(self._lines()[0], start=1):
            entry = _parse(line)
            if entry is None:
                raise AuditLogBrokenError(
                    f"audit log {self.path}: line {number} is not an audit entry; run "
                    "`graphrisk audit verify`",
                    line=number,
                )
            out.append(entry)
        return out

    def _lines(self) -> tuple[list[bytes], bool]:
        """The log's lines, and whether its last line is complete (ends with a newline)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], True
        except OSError as exc:
            raise PrivacyError(f"cannot read the audit log {self.path}: {exc.strerror}") from None
        lines = data.split(b"\n")
        complete = lines[-1] == b""
        if complete:
            lines.pop()
        return lines, complete

    def verify(self) -> Verification:
        """Walk the chain and compare its end with the head; name the first broken entry."""
        with locked(self.lock_path):  # a consistent view: no append half-done while we read
            head = Head.read(self.head_path)
            exists = self.path.exists()
            lines, complete = self._lines()
        if not exists:
            if head is None or head.entries == 0:
                return Verification(0, note="no audit log yet")
            return Verification(
                0, f"the log is missing but its chain head ({self.head_path}) records {head.entries} entries"
            )
        prev = GENESIS
        for number, line in enumerate(lines, start=1):
            if number == len(lines) and not complete:
                return Verification(number - 1, "the last line is incomplete (a write was cut short)", number)
            entry = _parse(line)
            if entry is None:
                return Verification(number - 1, "not a JSON audit entry", number)
            if entry_hash(entry) != entry["hash"]:
                return Verification(number - 1, "the entry does not match its hash: it was edited", number)
            if entry["seq"] != number - 1:
                expected = number - 1
                how = (
                    f"{entry['seq'] - expected} entries before it were deleted"
                    if entry["seq"] > expected
                    else "lines were moved or repeated"
                )
                return Verification(
                    number - 1, f"entry number {entry['seq']} where {expected} was expected: {how}", number
                )
            if entry["prev"] != prev:
                return Verification(
                    number - 1,
                    "the entry does not follow the one before it (its previous-entry hash differs): "
                    f"line {number - 1} was replaced, or lines were inserted or moved",
                    number,
                )
            prev = entry["hash"]
        n = len(lines)
        if head is None:
            if n == 0:
                return Verification(0, note="the audit log is empty")
            return Verification(
                n,
                f"the chain head {self.head_path} is missing: it was deleted, or the log was put here "
                "from elsewhere",
            )
        if n < head.entries:
            return Verification(
                n,
                f"the log has {n} entries but its chain head records {head.entries}: the last "
                f"{head.entries - n} were removed, or the log was replaced by a shorter one",
                n + 1,
            )
        at_head = _parse(lines[head.entries - 1])["hash"] if head.entries else GENESIS
        if at_head != head.last_hash:
            return Verification(
                n,
                f"entry {head.entries} does not match the chain head's hash: the log was replaced, or "
                "that entry was edited and every later hash recomputed",
                head.entries or None,
            )
        if n == head.entries + 1:
            return Verification(
                n, note="the last entry was written but the head not updated (an interrupted command)"
            )
        if head.entries + 1 < n <= head.entries + BATCH_MAX:
            return Verification(
                n,
                note=f"the last {n - head.entries} entries were written but the head not updated "
                "(an interrupted command)",
            )
        if n > head.entries + BATCH_MAX:
            return Verification(
                n,
                f"the log has {n} entries but its chain head records {head.entries}: the head was "
                "replaced by an older copy",
                head.entries + 1,
            )
        return Verification(n)


def _parse(line: bytes) -> dict | None:
    try:
        entry = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(entry, dict) or not {"seq", "prev", "hash"} <= entry.keys():
        return None
    if not isinstance(entry["seq"], int) or not isinstance(entry["hash"], str):
        return None
    return entry


def _adopt_interrupted(fd: int, head: Head, size: int, most: int) -> Head:
    """The head moved over the entries (at most ``most``: one batch) written after it, when they
    chain to it. Without a head file only one: a deleted head must not be healed by an append."""
    extra = os.pread(fd, size - head.bytes, head.bytes)
    if not extra.endswith(b"\n") or extra.count(b"\n") > most:
        return head
    entries, prev = head.entries, head.last_hash
    for line in extra[:-1].split(b"\n"):
        entry = _parse(line)
        if (
            entry is None
            or entry["seq"] != entries
            or entry["prev"] != prev
            or entry_hash(entry) != entry["hash"]
        ):
            return head
        entries, prev = entries + 1, entry["hash"]
    return Head(entries, prev, size)


class _Slot:
    """One caller's entry in a group commit: its fields, then the entry written or the error."""

    __slots__ = ("entry", "error", "fields", "finished")

    def __init__(self, fields: dict) -> None:
        self.fields = fields
        self.entry: dict | None = None
        self.error: BaseException | None = None
        self.finished = False

    def finish(self, *, entry: dict | None = None, error: BaseException | None = None) -> None:
        self.entry, self.error, self.finished = entry, error, True


class _Group:
    """The appenders of one log in this process: who is writing, who waits."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.waiting: list[_Slot] = []
        self.writing = False


_GROUPS: dict[Path, _Group] = {}
_GROUPS_LOCK = threading.Lock()


def _group(path: Path) -> _Group:
    key = path.absolute()
    with _GROUPS_LOCK:
        return _GROUPS.setdefault(key, _Group())


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def parse_when(value: str | None, option: str) -> dt.datetime | None:
    """A date (its start, UTC) or ISO 8601 timestamp (UTC unless it has an offset).

    >>> parse_when("2026-03-01", "--since").isoformat()
    '2026-03-01T00:00:00+00:00'
    """
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date or ISO 8601 timestamp") from None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def select(
    entries: Iterable[dict],
    *,
    subject: str | None = None,
    user: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict]:
    """The entries about ``subject`` (a canonical pseudonym), by ``user``, in [since, until)."""
    out = []
    for entry in entries:
        if subject is not None and subject not in (entry.get("subjects") or []):
            continue
        if user is not None and entry.get("user") != user:
            continue
        if since is not None or until is not None:
            try:
                when = dt.datetime.fromisoformat(entry.get("time") or "")
            except ValueError:
                continue
            if (since is not None and when < since) or (until is not None and when >= until):
                continue
        out.append(entry)
    return out
