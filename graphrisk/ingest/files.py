"""Reading one contract file into a frame of raw values, reporting structural problems.

A CSV file is read with every column as text, so that type problems can be
reported by the validator with the line and column they are on; a Parquet
file keeps its own types, which the validator checks against the contract.
"""

from __future__ import annotations

import csv
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from graphrisk.errors import Problem

__all__ = ["RawTable", "describe_path", "find_files", "read_raw"]

_UTF8_CHUNK = 1 << 24
_BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    """A file as read, before its values are checked.

    ``frame`` holds strings (CSV) or the file's own types (Parquet); empty CSV
    fields are empty strings. ``header`` lists the columns in file order.
    ``line_of`` maps a row position to the line (CSV) or row (Parquet) that a
    person opening the file would look at.
    """

    name: str
    path: Path
    kind: str  # "csv" or "parquet"
    frame: pd.DataFrame | None
    header: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _lines: list[int] | None = None

    @property
    def display(self) -> str:
        return self.path.name

    def column_index(self, name: str) -> int | None:
        try:
            return self.header.index(name) + 1
        except ValueError:
            return None

    def line_of(self, positions) -> list[int]:
        """The file line (CSV; header = 1) or row number (Parquet) of each row position."""
        if self.kind == "parquet":
            return [int(p) + 1 for p in positions]
        if self._lines is None:
            self._lines = _record_lines(self.path)
        return [self._lines[int(p)] for p in positions]


def describe_path(path: Path, wanted: str = "file") -> str | None:
    """What is wrong with ``path`` as a ``wanted`` ("file" or "directory"); None when nothing is.

    Says what is there instead: nothing, a dangling or looping symbolic link, a directory, a
    named pipe, or a path that cannot be looked at.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> describe_path(folder / "nothing.csv")
    'does not exist'
    >>> describe_path(folder), describe_path(folder, "directory") is None
    ('is a directory, not a file', True)
    >>> (folder / "loop.csv").symlink_to("loop.csv")
    >>> describe_path(folder / "loop.csv")
    'is a symbolic link that loops back on itself'
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that loops back on itself"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(path):
                return f"is a symbolic link to {os.readlink(path)}, which does not exist"
            return "does not exist"
        return f"cannot be read ({exc.strerror})"
    if wanted == "directory":
        return None if stat.S_ISDIR(mode) else f"is {_kind(mode)}, not a directory"
    return None if stat.S_ISREG(mode) else f"is {_kind(mode)}, not a file"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def find_files(directory: Path, names: list[str]) -> tuple[dict[str, Path], list[Problem]]:
    """Find ``NAME.csv`` or ``NAME.parquet`` for each table name in ``directory``.

    A name that is there but is not a readable file (a directory, a named pipe, a symbolic link
    that loops or dangles) is reported as such, under the file's own name.
    """
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for name in names:
        candidates = [directory / f"{name}.{ext}" for ext in ("csv", "parquet")]
        present = []
        for p in candidates:
            wrong = describe_path(p)
            if wrong is None:
                present.append(p)
            elif os.path.lexists(p):
                problems.append(Problem(p.name, None, None, None, wrong))
        if len(present) > 1:
            problems.append(
                Problem(
                    f"{name}.csv",
                    None,
                    None,
                    None,
                    f"both {name}.csv and {name}.parquet exist; keep one (checked {name}.csv)",
                )
            )
        if present:
            found[name] = present[0]
    return found, problems


def read_raw(name: str, path: Path) -> RawTable:
    """Read one file; structural problems go into ``problems`` and leave ``frame`` None."""
    try:
        if path.suffix == ".parquet":
            return _read_parquet(name, path)
        return _read_csv(name, path)
    except OSError as exc:  # no permission, an I/O error: the user's file, not a bug
        raw = RawTable(name, path, "parquet" if path.suffix == ".parquet" else "csv", None)
        raw.problems.append(Problem(path.name, None, None, None, f"cannot be read ({exc.strerror or exc})"))
        return raw


def _read_parquet(name: str, path: Path) -> RawTable:
    raw = RawTable(name, path, "parquet", None)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raw.problems.append(Problem(path.name, None, None, None, f"not a readable Parquet file ({exc})"))
        return raw
    raw.header = list(table.column_names)
    if table.num_rows == 0:
        raw.problems.append(Problem(path.name, None, None, None, "the file has no rows"))
    raw.frame = table.to_pandas(types_mapper=_keep_strings)
    return raw


def _keep_strings(arrow_type: pa.DataType):
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None


def _read_csv(name: str, path: Path) -> RawTable:
    raw = RawTable(name, path, "csv", None)
    if path.stat().st_size == 0:
        raw.problems.append(Problem(path.name, None, None, None, "the file is empty (no header row)"))
        return raw
    bad = _check_utf8(path)
    if bad is not None:
        line, byte = bad
        col, col_name = _field_of_bad_byte(path, line)
        raw.problems.append(
            Problem(
                path.name,
                line,
                col,
                col_name,
                f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8",
            )
        )
        return raw
    with path.open("rb") as fh:
        first = fh.readline()
    header_line = first.removeprefix(_BOM).decode("utf-8").rstrip("\r\n")
    header = next(csv.reader([header_line])) if header_line.strip() else []
    header = [h.strip() for h in header]
    raw.header = header
    if not header or all(h == "" for h in header):
        raw.problems.append(Problem(path.name, 1, None, None, "the first line must be a header row"))
        return raw
    seen: set[str] = set()
    for i, h in enumerate(header, start=1):
        if h == "":
            raw.problems.append(Problem(path.name, 1, i, None, "empty column name in the header"))
        elif h in seen:
            raw.problems.append(Problem(path.name, 1, i, h, "column name appears twice in the header"))
        seen.add(h)
    if raw.problems:
        return raw

    invalid: list[tuple[int | None, int, int]] = []

    def on_invalid(row) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    def read(use_threads: bool) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=use_threads,
                skip_rows=1,
                column_names=[f"c{i}" for i in range(len(header))],
                block_size=1 << 22,
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = read(True)
        if invalid and any(n is None for n, _, _ in invalid):
            invalid.clear()
            table = read(False)
    except pa.ArrowInvalid as exc:
        raw.problems.append(Problem(path.name, None, None, None, f"cannot be parsed as CSV ({exc})"))
        return raw
    for number, expected, actual in invalid[:50]:
        raw.problems.append(
            Problem(
                path.name,
                number,
                None,
                None,
                f"expected {expected} fields as in the header, found {actual}",
            )
        )
    if len(invalid) > 50:
        raw.problems.append(
            Problem(
                path.name, None, None, None, f"{len(invalid) - 50} more lines with a wrong number of fields"
            )
        )
    if invalid:
        return raw
    table = table.rename_columns(header)
    if table.num_rows == 0:
        raw.problems.append(Problem(path.name, None, None, None, "the file has a header but no data rows"))
    raw.frame = table.to_pandas(types_mapper=_keep_strings)
    return raw


def _check_utf8(path: Path) -> tuple[int, int] | None:
    """Return (line, byte) of the first invalid UTF-8 byte, or None."""
    line = 1
    with path.open("rb") as fh:
        carry = b""
        while True:
            chunk = fh.read(_UTF8_CHUNK)
            if not chunk and not carry:
                return None
            data = carry + chunk
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as exc:
                # an incomplete sequence at the end of a chunk is not an error yet
                if exc.reason == "unexpected end of data" and chunk:
                    carry = data[exc.start :]
                    data = data[: exc.start]
                else:
                    return line + data[: exc.start].count(b"\n"), data[exc.start]
            if not chunk:
                return None
            line += data.count(b"\n")


def _field_of_bad_byte(path: Path, line: int) -> tuple[int | None, str | None]:
    """The field (1-based number, header name) holding the first invalid UTF-8 byte, on ``line``.

    The file is read as CSV with each invalid byte kept as a lone surrogate (which valid text
    cannot hold), so quoted commas and line breaks count as a person reading the file sees them.
    Only called on a bad file, so the second read costs nothing in the usual case.
    """
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        header: list[str] | None = None
        for row in reader:
            for i, value in enumerate(row):
                if any("\udc80" <= c <= "\udcff" for c in value):
                    name = header[i].strip() if header is not None and i < len(header) else None
                    return i + 1, name
            if header is None:
                header = row
            if reader.line_num >= line:
                break
    return None, None


def _record_lines(path: Path) -> list[int]:
    """The line on which each data record of a CSV file starts (header excluded)."""
    lines: list[int] = []
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            if row:  # pyarrow skips empty lines too
                lines.append(start)
            start = reader.line_num + 1
    return lines
