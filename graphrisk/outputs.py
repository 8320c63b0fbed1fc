"""Output files for people: whole or not at all, a clear message when one cannot be written, and
CSV cells that a spreadsheet will not run as formulas.

Every command that writes a file (``detect``, ``score``, ``export``, ``paths``, ``report``)
writes it through :func:`written`: the file appears whole or not at all
(:func:`graphrisk.atomic.replaced_on_success`), and an operating-system error about it (no
permission, a full disk, a read-only file system, a file where a folder should be) becomes an
:class:`~graphrisk.errors.OutputError` that names the file and the cause. Other errors, a bug
among them, pass through unchanged and still show their traceback.

CSV files meant to be opened in a spreadsheet are written with :func:`write_csv` (and
``query``/``cypher --format csv`` rows with :func:`neutralise`). Following the OWASP guidance on
CSV injection, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe, which spreadsheets show but never run. Numbers are left as
they are, so a negative number stays a number, and so is text that reads as a plain number
(an id ``-5``): a spreadsheet takes it for the number, which runs nothing. A cell that already
starts with apostrophes before such a character gets one more, so :func:`restore` gives back
exactly what was written; graphrisk's own readers of these files (``explain --scores``,
``report --scores/--findings``, ``evaluate --scores``) restore the values.

>>> [neutralise(v) for v in ["=1+2", "@SUM(A1)", "-5", "-2+3", "'=x", "Anna", 3.5]]
["'=1+2", "'@SUM(A1)", '-5', "'-2+3", "''=x", 'Anna', 3.5]
>>> [restore(neutralise(v)) for v in ["=1+2", "-5", "-2+3", "'=x", "'plain"]]
['=1+2', '-5', '-2+3', "'=x", "'plain"]
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd

from graphrisk.atomic import replaced_on_success
from graphrisk.errors import OutputError

__all__ = [
    "neutralise",
    "neutralise_frame",
    "restore",
    "restore_frame",
    "write_csv",
    "written",
    "written_folder",
]

# a cell a spreadsheet would read as a formula (or a DDE command), after any apostrophes already there
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
# text a spreadsheet reads as a number: it runs nothing and must stay readable as written
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ESCAPED = re.compile(r"''*[=+\-@\t\r]")


@contextmanager
def written(path: str | Path) -> Iterator[Path]:
    """Give a temporary file to write for ``path``; it replaces ``path`` when the block succeeds.

    An ``OSError`` about the output (creating its folder, writing, renaming) becomes an
    :class:`OutputError` naming ``path`` and the cause; nothing is left half-written and an
    earlier file at ``path`` is kept.

    >>> import tempfile
    >>> blocker = Path(tempfile.mkdtemp()) / "a-file"
    >>> _ = blocker.write_text("")
    >>> with written(blocker / "scores.csv") as tmp:
    ...     _ = tmp.write_text("x")
    Traceback (most recent call last):
    graphrisk.errors.OutputError: cannot write .../a-file/scores.csv: .../a-file is a file, not a folder
    """
    path = Path(path)
    try:
        with replaced_on_success(path) as tmp:
            yield tmp
    except OSError as exc:
        if not _about_output(exc, path):
            raise  # e.g. a template the writer reads: a bug or a broken installation, not the user's
        with suppress(OSError):
            path.with_name(f".{path.name}.tmp").unlink(missing_ok=True)  # a failed rename leaves it
        raise OutputError(f"cannot write {path}: {_cause(exc, path)}") from None


@contextmanager
def written_folder(path: str | Path) -> Iterator[Path]:
    """For a block that writes files into folder ``path`` (``generate``): an ``OSError`` about the
    folder or a file in it becomes an :class:`OutputError` naming the folder and the cause."""
    path = Path(path)
    try:
        yield path
    except OSError as exc:
        if not _about_output(exc, path, inside=True):
            raise
        raise OutputError(f"cannot write into {path}: {_cause(exc, path / 'file')}") from None


def _about_output(exc: OSError, path: Path, *, inside: bool = False) -> bool:
    """True when ``exc`` concerns ``path``, its temporary sibling or a folder above it (with
    ``inside``, anything in folder ``path`` too).

    Errors of a write itself (a full disk) and Arrow's IO errors carry no file name: they come
    from writing the output too.
    """
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    if not names:
        return True
    target = Path(os.path.abspath(path))
    ours = {target, target.with_name(f".{target.name}.tmp"), *target.parents}
    for name in names:
        where = Path(os.path.abspath(os.fsdecode(name)))
        if where in ours or (inside and target in where.parents):
            return True
    return False


def _cause(exc: OSError, path: Path) -> str:
    for parent in reversed(path.parents):  # the outermost first: that one is the user's mistake
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a folder"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device; nothing was written"
    return exc.strerror or str(exc)


def neutralise(value):
    """``value`` safe to open in a spreadsheet: text that would run as a formula gets a leading ``'``.

    >>> neutralise("+31 20 123"), neutralise("+31"), neutralise("\\tx"), neutralise(None)
    ("'+31 20 123", '+31', "'\\tx", None)
    """
    if isinstance(value, str) and _FORMULA.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value):
    """The value :func:`neutralise` was given (anything else unchanged)."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    types = pd.api.types
    return [c for c in frame.columns if types.is_object_dtype(frame[c]) or types.is_string_dtype(frame[c])]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralise` applied to its text cells and column names."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (read from a neutralised CSV file) with its text cells and column names restored."""
    for column in _text_columns(frame):
        frame[column] = frame[column].map(restore, na_action="ignore")
    frame.columns = [restore(c) if isinstance(c, str) else c for c in frame.columns]
    return frame


def write_csv(frame: pd.DataFrame, target) -> None:
    """Write ``frame`` as CSV (no index) for people: formulas neutralised (see the module docstring)."""
    neutralise_frame(frame).to_csv(target, index=False)
