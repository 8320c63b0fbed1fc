"""Owner-only files: where the key, access file and audit log live, and how they are written.

Every file here is created with mode 0600 and every folder graphrisk creates for
them with 0700, whatever the umask: the key turns pseudonyms back into people,
the access file holds password hashes, and the audit log says who looked at whom.
A folder that already exists is left as the administrator made it (a site that
shares the key with an analysts' group makes its folder group-readable on purpose).

:mod:`graphrisk.atomic` creates store and output files with ``GRAPHRISK_FILE_MODE``, which a
site may open to a group; these three files stay owner-only whatever it says, so they have
their own writer here.
Locks use ``fcntl.flock`` (POSIX): the lock is released by the kernel when the
process dies, so a killed command never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from graphrisk.errors import PrivacyError

__all__ = [
    "ENV_ACCESS_FILE",
    "ENV_AUDIT_HEAD",
    "ENV_AUDIT_LOG",
    "ENV_KEY_FILE",
    "ENV_USER",
    "PrivacyPaths",
    "locked",
    "make_private_dir",
    "write_private",
]

ENV_KEY_FILE = "GRAPHRISK_KEY_FILE"
ENV_ACCESS_FILE = "GRAPHRISK_ACCESS_FILE"
ENV_AUDIT_LOG = "GRAPHRISK_AUDIT_LOG"
ENV_AUDIT_HEAD = "GRAPHRISK_AUDIT_HEAD"
ENV_USER = "GRAPHRISK_USER"

FILE_MODE = 0o600
DIR_MODE = 0o700


def _env_path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _xdg(env: Mapping[str, str], name: str, fallback: str) -> Path:
    # The XDG spec says relative values are to be ignored.
    value = env.get(name, "").strip()
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


@dataclass(frozen=True)
class PrivacyPaths:
    """Where the key, the access file, the audit log and its chain head are.

    Defaults follow the XDG base directories: the key, the access file and the
    chain head in the configuration folder (``~/.config/graphrisk/``), the log in
    the state folder (``~/.local/state/graphrisk/``) so that the head is kept
    apart from the log. None of them is inside the data store: copying or
    sharing a store never copies the key or the log.

    >>> env = {"GRAPHRISK_KEY_FILE": "/srv/gr/site.key", "GRAPHRISK_AUDIT_LOG": "/var/log/gr/audit.jsonl"}
    >>> p = PrivacyPaths.from_env(env)
    >>> str(p.access_file), str(p.audit_head), str(p.audit_lock)
    ('/srv/gr/access.json', '/srv/gr/audit-head.json', '/var/log/gr/audit.jsonl.lock')
    """

    key_file: Path
    access_file: Path
    audit_log: Path
    audit_head: Path

    @property
    def audit_lock(self) -> Path:
        return self.audit_log.with_name(self.audit_log.name + ".lock")

    @property
    def access_lock(self) -> Path:
        return self.access_file.with_name(self.access_file.name + ".lock")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PrivacyPaths:
        env = os.environ if env is None else env
        key = _env_path(env, ENV_KEY_FILE) or _xdg(env, "XDG_CONFIG_HOME", ".config") / "graphrisk/site.key"
        log = _env_path(env, ENV_AUDIT_LOG) or (
            _xdg(env, "XDG_STATE_HOME", ".local/state") / "graphrisk/audit.jsonl"
        )
        return cls(
            key_file=key,
            access_file=_env_path(env, ENV_ACCESS_FILE) or key.with_name("access.json"),
            audit_log=log,
            audit_head=_env_path(env, ENV_AUDIT_HEAD) or key.with_name("audit-head.json"),
        )


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and its parents); folders created here get mode 0700."""
    missing = []
    for p in [path, *path.parents]:
        if p.exists():
            break
        missing.append(p)
    try:
        for p in reversed(missing):
            p.mkdir(mode=DIR_MODE, exist_ok=True)
            os.chmod(p, DIR_MODE)  # mkdir's mode is reduced by the umask
    except OSError as exc:
        raise PrivacyError(f"cannot create folder {path}: {exc.strerror}") from None
    if not path.is_dir():
        raise PrivacyError(f"{path} is not a folder")


def write_private(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` whole (temporary file, fsync, rename), mode 0600.

    With ``overwrite=False`` an existing ``path`` is never replaced, even by a
    second process racing this one (the rename is a hard link, which fails when
    the name exists); :class:`FileExistsError` is raised instead.
    """
    make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)  # O_CREAT's mode is reduced by the umask
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
        _fsync_dir(path.parent)
    except FileExistsError:
        raise
    except OSError as exc:
        raise PrivacyError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created 0600) for the block."""
    make_private_dir(lock_file.parent)
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise PrivacyError(f"cannot open lock file {lock_file}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
