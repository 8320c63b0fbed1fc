"""Sign-in, sessions and the rate limit of the workspace.

- Accounts are the access file's users with a password (``graphrisk users add NAME --role ROLE
  --password-stdin``); the file is checked (``stat``) at every sign-in and every request and
  parsed again when it changed, so a new user or a new password works without a restart and a
  removed user is signed out at once.
- A wrong password and an unknown user get the same answer, and an unknown user costs the same
  scrypt time (a hash of a random password, made at start), so neither the answer nor its time
  tells whether a name exists.
- Sessions live in the server's memory: a random id (256 bits) in the ``graphrisk_session``
  cookie, a random CSRF token the page sends back in ``X-CSRF-Token``, the last time it was used.
  Idle sessions end; a restart signs everyone out.
- Failed sign-ins are counted per user name and per client address over a sliding window; past
  the limit, sign-in is refused (429 with ``Retry-After``) before any password is checked.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from graphrisk.privacy.access import AccessFile, hash_password, split_roles, verify_password
from graphrisk.privacy.files import PrivacyPaths

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "RateLimiter",
    "SessionData",
    "Sessions",
    "check_credentials",
    "file_stamp",
]

COOKIE = "graphrisk_session"
CSRF_HEADER = "X-CSRF-Token"
#: At most this many sessions at once; the least recently used goes first.
MAX_SESSIONS = 10_000


@dataclass
class SessionData:
    """One signed-in browser."""

    id: str
    user: str
    csrf: str
    created: float
    last_seen: float = field(default=0.0)


class Sessions:
    """Sessions by id, ended after ``idle_timeout`` seconds without a request."""

    def __init__(self, idle_timeout: float, clock=time.monotonic) -> None:
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._by_id: dict[str, SessionData] = {}
        self._lock = threading.Lock()

    def start(self, user: str) -> SessionData:
        now = self._clock()
        data = SessionData(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._expire(now)
            if len(self._by_id) >= MAX_SESSIONS:
                oldest = min(self._by_id.values(), key=lambda s: s.last_seen)
                del self._by_id[oldest.id]
            self._by_id[data.id] = data
        return data

    def get(self, session_id: str | None) -> SessionData | None:
        """The live session of this id (its idle clock restarted), or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            data = self._by_id.get(session_id)
            if data is None:
                return None
            if now - data.last_seen > self.idle_timeout:
                del self._by_id[session_id]
                return None
            data.last_seen = now
            return data

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._by_id.pop(session_id or "", None)

    def end_user(self, user: str) -> None:
        with self._lock:
            for sid in [s.id for s in self._by_id.values() if s.user == user]:
                del self._by_id[sid]

    def _expire(self, now: float) -> None:
        for sid in [s.id for s in self._by_id.values() if now - s.last_seen > self.idle_timeout]:
            del self._by_id[sid]


class RateLimiter:
    """At most ``limit`` failures per key in ``window`` seconds.

    >>> r = RateLimiter(limit=2, window=60, clock=lambda: 0.0)
    >>> r.fail("ann"); r.fail("ann"); r.retry_after("ann")
    60
    >>> r.retry_after("bob") is None
    True
    """

    def __init__(self, limit: int = 5, window: float = 300.0, clock=time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may try again, or None when it may now."""
        now = self._clock()
        with self._lock:
            times = self._prune(key, now)
            if len(times) < self.limit:
                return None
            return max(1, int(times[0] + self.window - now + 0.999))

    def fail(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            self._prune(key, now).append(now)
            if len(self._failures) > 100_000:  # bounded memory under a flood of names
                for k in [k for k, t in self._failures.items() if not t]:
                    del self._failures[k]

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times


class Credentials:
    """Checks a name and password against the access file, in the same time for unknown names."""

    def __init__(self, paths: PrivacyPaths) -> None:
        self.paths = paths
        self._decoys: dict[str, str] = {}
        self._access: tuple[object, AccessFile] | None = None

    def _decoy(self, access: AccessFile) -> str:
        """A hash of a random password with the cost of the users' own hashes: an unknown name is
        checked against it, so it costs what a real user's check costs, and never matches."""
        stored = next((u.password for u in access.users.values() if u.password), None)
        cost = stored.split("$")[2] if stored and stored.count("$") >= 4 else "ln=17"
        if cost not in self._decoys:
            log_n = int(cost.split(",")[0].removeprefix("ln=")) if cost.startswith("ln=") else 17
            self._decoys[cost] = hash_password(secrets.token_urlsafe(16), log_n=min(max(log_n, 1), 24))
        return self._decoys[cost]

    def access(self) -> AccessFile:
        """The access file, parsed again only when it changed (every request asks for it)."""
        stamp = file_stamp(self.paths.access_file)
        cached = self._access
        if cached is not None and stamp is not None and cached[0] == stamp:
            return cached[1]
        access = AccessFile.read(self.paths.access_file)
        self._access = (stamp, access)
        return access

    def check(self, username: str, password: str) -> tuple[str, list[str]] | None:
        """The user and their roles when the password is theirs; None otherwise."""
        access = self.access()
        user = access.users.get(username)
        stored = user.password if user is not None and user.password else self._decoy(access)
        ok = verify_password(password, stored)
        if not ok or user is None or not user.password:
            return None
        return user.name, split_roles(user.role)


def file_stamp(path) -> tuple | None:
    """Inode, times and size: a file replaced by a rename (as the access file is) gets a new inode."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def check_credentials(credentials: Credentials, username: str, password: str):
    return credentials.check(username, password)
