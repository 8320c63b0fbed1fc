"""Checking raw tables against the contract and turning them into typed frames.

Every check is vectorised over a whole column and reports at most a few
examples per (file, column, kind of problem) with a count of the rest, so a
file with a million bad timestamps gives a readable report, not a million lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from graphrisk.contract import CONTROL_CHARACTERS, EARLIEST, LATEST, Column, ColumnType, Table
from graphrisk.errors import Problem
from graphrisk.frames import isin
from graphrisk.ingest.files import RawTable

__all__ = ["Collector", "check_hierarchy", "check_keys", "check_references", "type_table"]

EXAMPLES_PER_KIND = 5

_DATETIME_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$"
_NO_OFFSET_RE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


class Collector:
    """Collects problems, keeping a few examples of each kind and counting the rest."""

    def __init__(self, examples: int = EXAMPLES_PER_KIND) -> None:
        self.examples = examples
        self.problems: list[Problem] = []
        self.total = 0
        self.warnings: list[Problem] = []

    def add(self, problem: Problem) -> None:
        if problem.severity == "warning":
            self.warnings.append(problem)
            return
        self.total += 1
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(p)

    def rows(
        self,
        raw: RawTable,
        column: str | None,
        positions: np.ndarray,
        message,
        values: pd.Series | None = None,
    ) -> None:
        """Report a problem on each row position (a few examples, then a count)."""
        n = len(positions)
        if n == 0:
            return
        self.total += n
        shown = positions[: self.examples]
        col = raw.column_index(column) if column else None
        for pos, line in zip(shown, raw.line_of(shown), strict=True):
            text = message(values.iloc[pos]) if values is not None else message
            self.problems.append(Problem(raw.display, line, col, column, text))
        if n > len(shown):
            first = message(values.iloc[shown[0]]) if values is not None else message
            what = first.split(":")[0] if values is not None else message
            self.problems.append(
                Problem(
                    raw.display, None, col, column, f"... and {n - len(shown)} more rows like this ({what})"
                )
            )


def _positions(mask: pd.Series | np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.asarray(mask, dtype=bool))


def _quote(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def type_table(raw: RawTable, spec: Table, out: Collector) -> pd.DataFrame | None:
    """Check header and values of ``raw`` against ``spec``; return the typed frame.

    Returns None when the header is unusable. Extra columns are dropped
    (accepted, never read); a missing optional column reads as all empty.
    """
    frame = raw.frame
    if frame is None:
        return None
    missing = [c.name for c in spec.columns if c.required and c.name not in raw.header]
    for name in missing:
        out.add(
            Problem(raw.display, 1 if raw.kind == "csv" else None, None, name, "required column is missing")
        )
    if missing:
        return None
    extra = [h for h in raw.header if h not in spec.column_names]
    if extra:
        out.add(
            Problem(
                raw.display,
                None,
                None,
                None,
                f"extra columns accepted and ignored: {', '.join(extra)}",
                severity="warning",
            )
        )
    typed = {}
    for column in spec.columns:
        if column.name in frame.columns:
            typed[column.name] = _type_column(raw, column, frame[column.name], out)
        else:
            typed[column.name] = _empty_column(column, len(frame))
    return pd.DataFrame(typed, index=pd.RangeIndex(len(frame)))


def _empty_column(column: Column, n: int) -> pd.Series:
    if column.type is ColumnType.DATETIME:
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    if column.type is ColumnType.DATE:
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    return pd.Series(pd.NA, index=range(n), dtype="string[pyarrow]")


def _is_blank(values: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        return values.isna() | (values.astype("string[pyarrow]").fillna("") == "")
    return values.isna()


def _type_column(raw: RawTable, column: Column, values: pd.Series, out: Collector) -> pd.Series:
    name = column.name
    blank = _is_blank(values)
    if not column.nullable:
        out.rows(raw, name, _positions(blank), "is empty; a value is required")
    kind = column.type
    if kind in (ColumnType.DATETIME, ColumnType.DATE):
        typed = _type_temporal(raw, column, values, blank, out)
        _check_span(raw, column, typed, values, out)
        return typed
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        out.rows(
            raw,
            name,
            np.arange(min(len(values), 1)),
            f"must hold strings, found {values.dtype} values (ids are strings)",
        )
        values = values.astype("string[pyarrow]")
    text = values.astype("string[pyarrow]").where(~blank, pd.NA)
    if kind in (ColumnType.ID, ColumnType.TEXT):
        control = text.str.contains(CONTROL_CHARACTERS, regex=True).fillna(False)
        out.rows(raw, name, _positions(control), _control_message, text)
    if kind is ColumnType.ID:
        padded = text.notna() & (text.str.strip() != text)
        out.rows(
            raw,
            name,
            _positions(padded.fillna(False)),
            lambda v: f"id {_quote(v)} has leading or trailing spaces",
            text,
        )
    elif kind is ColumnType.ENUM:
        bad = text.notna() & ~isin(text, column.values)
        allowed = ", ".join(column.values)
        out.rows(
            raw, name, _positions(bad.fillna(False)), lambda v: f"{_quote(v)} is not one of: {allowed}", text
        )
    elif kind is ColumnType.FLAGS:
        parts = text.fillna("").str.split(";")
        exploded = parts.explode()
        exploded = exploded[exploded.str.strip() != ""]
        unknown = exploded[~exploded.str.strip().isin(column.values)]
        if len(unknown):
            rows = np.unique(unknown.index.to_numpy())
            allowed = ", ".join(column.values)
            out.rows(raw, name, rows, lambda v: f"{_quote(v)} has a flag not in: {allowed}", text)
        text = parts.map(lambda xs: ";".join(sorted({x.strip() for x in xs if x.strip()})) or pd.NA)
        text = text.astype("string[pyarrow]")
    return text


def _type_temporal(
    raw: RawTable, column: Column, values: pd.Series, blank: pd.Series, out: Collector
) -> pd.Series:
    name = column.name
    is_datetime = column.type is ColumnType.DATETIME
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        result = values.dt.tz_convert("UTC")
        return (
            result.dt.date.astype("datetime64[s]")
            if not is_datetime
            else result.astype("datetime64[us, UTC]")
        )
    if pd.api.types.is_datetime64_dtype(dtype):
        if is_datetime:
            out.rows(
                raw,
                name,
                np.arange(min(len(values), 1)),
                "timestamps have no UTC offset (naive Parquet timestamps)",
            )
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        return values.dt.normalize().astype("datetime64[s]")
    if not is_datetime and _holds_dates(values):
        return pd.to_datetime(values).astype("datetime64[s]")
    text = values.astype("string[pyarrow]").where(~blank, pd.NA)
    present = text.notna()
    if is_datetime:
        shape_ok = text.str.match(_DATETIME_RE).fillna(False)
        no_offset = present & ~shape_ok & text.str.match(_NO_OFFSET_RE).fillna(False)
        out.rows(
            raw,
            name,
            _positions(no_offset),
            lambda v: f"{_quote(v)} has no UTC offset; write e.g. 2026-03-01T08:15:00+01:00",
            text,
        )
        malformed = present & ~shape_ok & ~no_offset
        out.rows(
            raw, name, _positions(malformed), lambda v: f"{_quote(v)} is not an ISO 8601 timestamp", text
        )
        parsed = pd.to_datetime(text.where(shape_ok), format="ISO8601", utc=True, errors="coerce")
        impossible = shape_ok & parsed.isna()
        out.rows(
            raw, name, _positions(impossible), lambda v: f"{_quote(v)} is not a real point in time", text
        )
        return parsed.astype("datetime64[us, UTC]")
    shape_ok = text.str.match(_DATE_RE).fillna(False)
    malformed = present & ~shape_ok
    out.rows(raw, name, _positions(malformed), lambda v: f"{_quote(v)} is not an ISO date (YYYY-MM-DD)", text)
    parsed = pd.to_datetime(text.where(shape_ok), format="%Y-%m-%d", errors="coerce")
    impossible = shape_ok & parsed.isna()
    out.rows(raw, name, _positions(impossible), lambda v: f"{_quote(v)} is not a real date", text)
    return parsed.astype("datetime64[s]")


def _control_message(value) -> str:
    r"""The message about a value holding a control character, naming the first one.

    >>> print(_control_message("Anna\x00"))
    'Anna\x00' holds the control character U+0000; ids and text must be printable, on one line
    """
    char = next(c for c in str(value) if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)
    return (
        f"{_quote(value)} holds the control character U+{ord(char):04X}; "
        "ids and text must be printable, on one line"
    )


def _check_span(raw: RawTable, column: Column, typed: pd.Series, values: pd.Series, out: Collector) -> None:
    """Refuse dates and timestamps outside the contract's plausible span (EARLIEST to LATEST)."""
    start, end = pd.Timestamp(EARLIEST), pd.Timestamp(LATEST) + pd.Timedelta(days=1)
    if column.type is ColumnType.DATETIME:
        start, end = start.tz_localize("UTC"), end.tz_localize("UTC")
    outside = typed.notna() & ((typed < start) | (typed >= end))
    hint = "; leave it empty when there is none" if column.nullable else ""
    out.rows(
        raw,
        column.name,
        _positions(outside.fillna(False)),
        lambda v: f"{_quote(v)} is outside the plausible span {EARLIEST} to {LATEST}{hint}",
        values,
    )


def _holds_dates(values: pd.Series) -> bool:
    """True for Parquet date columns (date32 read as Arrow dates or Python dates)."""
    if isinstance(values.dtype, pd.ArrowDtype):
        return pa.types.is_date(values.dtype.pyarrow_dtype)
    if values.dtype != object:
        return False
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, dt.date) for v in present.iloc[:100])


def check_keys(raw: RawTable, spec: Table, frame: pd.DataFrame, out: Collector) -> None:
    """Report rows whose key repeats an earlier row's key (and extra unique columns)."""
    groups = [list(spec.key)]
    if "unique" in spec.extra:
        groups.append([spec.extra["unique"]])
    for cols in groups:
        sub = frame[cols]
        dup = sub.duplicated(keep="first")
        if not dup.any():
            continue
        positions = _positions(dup)
        first_at: dict[tuple, int] = {}
        repeated = sub[sub.duplicated(keep=False)]
        for pos, key in zip(repeated.index, repeated.itertuples(index=False, name=None), strict=True):
            first_at.setdefault(key, int(pos))
        unit = "line" if raw.kind == "csv" else "row"
        messages = pd.Series(pd.NA, index=range(len(frame)), dtype=object)
        for pos in positions[: out.examples + 1]:
            key = tuple(sub.iloc[pos])
            shown = ", ".join(map(str, key))
            (first_line,) = raw.line_of([first_at[key]])
            messages.iloc[pos] = (
                f"duplicate {'+'.join(cols)} {_quote(shown)}: first seen on {unit} {first_line}"
            )
        out.rows(raw, cols[0], positions, lambda m: m, messages)


def check_references(
    raw: RawTable,
    spec: Table,
    frame: pd.DataFrame,
    keys: dict[str, pd.Index],
    present: set[str],
    out: Collector,
) -> None:
    """Report values that point at ids their referenced table does not have."""
    for ref in spec.references:
        values = frame[ref.column]
        mask = values.notna()
        if ref.when is not None:
            mask &= frame[ref.when[0]] == ref.when[1]
        if not mask.any():
            continue
        if ref.table not in present:
            what = f"{ref.when[0]}={ref.when[1]} " if ref.when else ""
            out.add(
                Problem(
                    raw.display,
                    None,
                    raw.column_index(ref.column),
                    ref.column,
                    f"{int(mask.sum())} {what}rows refer to {ref.table}, which is not in the data set; "
                    "they are loaded without that link",
                    severity="warning",
                )
            )
            continue
        if ref.table not in keys:
            continue  # the referenced table itself failed to read
        unknown = mask & ~isin(values, keys[ref.table])
        target = ref.table
        out.rows(
            raw,
            ref.column,
            _positions(unknown),
            lambda v, target=target: f"{_quote(v)} is not an id in {target}",
            values,
        )


def check_hierarchy(
    raw: RawTable,
    frame: pd.DataFrame,
    key: str,
    parent: str,
    out: Collector,
    stored: dict | None = None,
) -> None:
    """A tree: at least one root, and no row that is its own ancestor.

    ``stored`` maps the parents of rows already in a store (``load --append``): the batch's rows
    are checked within the tree they join, and need no root of their own when the store has rows.
    """
    if frame[parent].isna().sum() == 0 and len(frame) and not stored:
        out.add(
            Problem(
                raw.display, None, raw.column_index(parent), parent, "no root row (one needs an empty parent)"
            )
        )
    parent_of = {**(stored or {}), **dict(zip(frame[key], frame[parent], strict=True))}
    in_cycle: set = set()
    for start in parent_of:
        seen = []
        node = start
        while node is not None and node is not pd.NA and node in parent_of and node not in in_cycle:
            if node in seen:
                in_cycle.update(seen[seen.index(node) :])
                break
            seen.append(node)
            node = parent_of[node]
            if isinstance(node, float):
                break
    if in_cycle:
        positions = _positions(frame[key].isin(in_cycle))
        out.rows(raw, parent, positions, lambda v: f"{_quote(v)} is part of a cycle of parents", frame[key])


def check_order(raw: RawTable, frame: pd.DataFrame, start: str, end: str, out: Collector) -> None:
    """``end`` must not be before ``start`` where both are given."""
    bad = frame[start].notna() & frame[end].notna() & (frame[end] < frame[start])
    out.rows(raw, end, _positions(bad), f"is earlier than {start} on the same row")
