"""Files that appear whole or not at all, and files that only their owner can read.

Every output file is written under a temporary name and renamed
(:func:`replaced_on_success`). Files and directories graphrisk creates for
the store, its outputs, keys and audit logs are readable by the owner only
(``0600`` files, ``0700`` directories) unless ``GRAPHRISK_FILE_MODE`` says
otherwise: an octal file mode such as ``640`` (owner and group may read);
directories get the same bits plus search (``x``) wherever reading is allowed.
The process umask can only narrow these further.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from graphrisk.errors import UsageError

__all__ = [
    "FILE_MODE_ENV",
    "dir_mode",
    "file_mode",
    "fsync_dir",
    "private_dir",
    "private_file",
    "replaced_on_success",
]

#: The environment variable that loosens (or tightens) the mode of files graphrisk creates.
FILE_MODE_ENV = "GRAPHRISK_FILE_MODE"
_DEFAULT_FILE_MODE = 0o600


def file_mode() -> int:
    """The mode of files graphrisk creates: ``0o600`` unless ``GRAPHRISK_FILE_MODE`` is set.

    >>> import os
    >>> os.environ.pop("GRAPHRISK_FILE_MODE", None) and None
    >>> oct(file_mode())
    '0o600'
    >>> os.environ["GRAPHRISK_FILE_MODE"] = "640"
    >>> oct(file_mode()), oct(dir_mode())
    ('0o640', '0o750')
    >>> del os.environ["GRAPHRISK_FILE_MODE"]
    """
    text = os.environ.get(FILE_MODE_ENV, "").strip()
    if not text:
        return _DEFAULT_FILE_MODE
    try:
        mode = int(text, 8)
    except ValueError:
        mode = -1
    # executable, setuid and sticky bits make no sense for data files; the owner must keep access
    if not 0 <= mode <= 0o666 or mode & 0o111 or (mode & 0o600) != 0o600:
        raise UsageError(
            f"{FILE_MODE_ENV}={text!r} is not a file mode graphrisk can use: give an octal mode "
            "between 600 and 666 without execute bits, e.g. 600 (owner only) or 640 (owner and group)"
        )
    return mode


def dir_mode(mode: int | None = None) -> int:
    """The directory mode that goes with file ``mode``: search (x) wherever reading (r) is allowed.

    >>> oct(dir_mode(0o600)), oct(dir_mode(0o640)), oct(dir_mode(0o644))
    ('0o700', '0o750', '0o755')
    """
    mode = file_mode() if mode is None else mode
    return mode | ((mode & 0o444) >> 2)


def private_dir(path: str | Path) -> Path:
    """Create ``path`` and any missing parents with :func:`dir_mode`; existing ones are left alone.

    >>> import stat, tempfile
    >>> made = private_dir(Path(tempfile.mkdtemp()) / "a" / "b")
    >>> oct(stat.S_IMODE(made.stat().st_mode)), oct(stat.S_IMODE(made.parent.stat().st_mode))
    ('0o700', '0o700')
    """
    path = Path(path)
    mode = dir_mode()
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=mode)
        except FileExistsError:
            continue  # made by someone else meanwhile: not ours to change
        os.chmod(directory, mode)  # mkdir's mode is narrowed by the umask; chmod says exactly
    return path


@contextmanager
def private_file(path: str | Path, *, sync: bool = False) -> Iterator[BinaryIO]:
    """Open ``path`` for writing (binary, truncated), created with :func:`file_mode` from the start.

    The mode is set when the file is created, so there is no moment in which
    others could open it. With ``sync`` the data reaches the disk before the
    block ends (for files a later rename publishes).

    >>> import stat, tempfile
    >>> target = Path(tempfile.mkdtemp()) / "key"
    >>> with private_file(target) as f:
    ...     _ = f.write(b"secret")
    >>> oct(stat.S_IMODE(target.stat().st_mode)), target.read_bytes()
    ('0o600', b'secret')
    """
    mode = file_mode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        os.fchmod(fd, mode)  # an existing file keeps its old mode on open: set it
        handle = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def fsync_dir(path: str | Path) -> None:
    """Make the entries of directory ``path`` (new names, renames) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replaced_on_success(path: str | Path) -> Iterator[Path]:
    """Give a temporary sibling of ``path`` to write; rename it to ``path`` when the block succeeds.

    The parent folder is created (see :func:`private_dir`). The temporary file
    is created with :func:`file_mode` before the block writes it, so the
    output is readable by its owner only (writers that open an existing file
    keep its mode). When the block raises, the temporary file is removed and
    ``path`` is left as it was, so a reader never sees half a file.

    Examples
    --------
    >>> import stat, tempfile
    >>> out = Path(tempfile.mkdtemp()) / "sub" / "scores.csv"
    >>> with replaced_on_success(out) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('a,b\\n', ['scores.csv'])
    >>> oct(stat.S_IMODE(out.stat().st_mode))
    '0o600'

    A block that fails leaves the earlier file as it was, and no temporary file:

    >>> try:
    ...     with replaced_on_success(out) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise OSError("disk full")
    ... except OSError:
    ...     pass
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('a,b\\n', ['scores.csv'])
    """
    path = Path(path)
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with private_file(tmp):
            pass
        yield tmp
        os.chmod(tmp, file_mode())  # in case the writer replaced the file instead of writing into it
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
