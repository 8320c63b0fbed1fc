"""Reading a scores file (CSV, Parquet or JSON) strictly: every problem names file, line and column.

See :mod:`graphrisk.evaluate` for the accepted forms and columns, :mod:`graphrisk.files` for the files.

:func:`graphrisk.files.scores.read_scores` reads the same forms leniently (graphrisk's own files
for ``explain --scores``, any scorer's table for the reports); evaluation must not coerce (a
wrong score silently changes every figure) and it reads files of other scorers, so it reads here.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from graphrisk.errors import DataError, Problem
from graphrisk.ingest.files import RawTable, read_raw
from graphrisk.ingest.validate import Collector
from graphrisk.outputs import restore

__all__ = ["SUFFIXES", "Scores", "read_scores_file"]

SUFFIXES = (".csv", ".parquet", ".json")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


@dataclass
class Scores:
    """The rows of a scores file: ids in file order, their scores and (optional) alerts."""

    ids: list[str]
    scores: np.ndarray
    alert: np.ndarray | None


@dataclass
class _JsonTable(RawTable):
    """JSON records as a raw table: problems name the line where a record starts."""

    text: str = ""
    _record_lines: list[int] | None = None

    def column_index(self, name: str) -> int | None:
        return None  # JSON fields have no position

    def line_of(self, positions) -> list[int]:
        positions = list(positions)
        if positions and self._record_lines is None:  # only problems need them: decode again
            newlines = [m.start() for m in re.finditer("\n", self.text)]
            starts = _record_starts(self.text, _records_start(self.text))
            self._record_lines = [bisect.bisect_left(newlines, s) + 1 for s in starts]
        return [self._record_lines[int(p)] for p in positions]


def read_scores_file(path: Path, employee_ids: list[str] | None) -> Scores:
    """Read ``path`` strictly; ``employee_ids`` is the population (None: any id is accepted).

    Raises :class:`~graphrisk.errors.DataError` listing every problem (file, line, column):
    a missing column, an empty or repeated id, an id outside ``employee_ids``, a score that
    is not a finite number, an alert that is not true or false.
    """
    raw = _read_json(path) if path.suffix == ".json" else read_raw("scores", path)
    out = Collector()
    out.extend(raw.problems)
    frame = raw.frame
    if frame is None or out.total:
        raise DataError(out.problems, total=out.total)
    missing = [c for c in ("employee_id", "score") if c not in raw.header]
    for name in missing:
        out.add(
            Problem(raw.display, 1 if raw.kind == "csv" else None, None, name, "required column is missing")
        )
    if missing:
        raise DataError(out.problems, total=out.total)

    n = len(frame)
    text_ok = raw.kind != "json"
    if raw.kind == "csv":  # graphrisk's own CSV scores files neutralise formulas: read the ids back
        frame = frame.assign(employee_id=frame["employee_id"].map(restore, na_action="ignore"))
    if employee_ids is not None:
        frame = frame.assign(employee_id=_ids_of_pseudonyms(frame["employee_id"], employee_ids))
    ids = list(_column(out, raw, "employee_id", frame["employee_id"], _parse_id, _fast_ids))
    known = set(employee_ids) if employee_ids is not None else None
    seen: dict[str, int] = {}
    unknown, repeated, repeat_notes = [], [], {}
    for pos, value in enumerate(ids):
        if value is None:
            continue
        if known is not None and value not in known:
            unknown.append(pos)
        elif value in seen:
            repeated.append(pos)
            repeat_notes[pos] = seen[value]
        else:
            seen[value] = pos
    id_values = pd.Series(ids, dtype=object)
    out.rows(raw, "employee_id", np.array(unknown, dtype=np.int64), _unknown_id, id_values)
    if repeated:
        firsts = dict(zip(repeated, raw.line_of([repeat_notes[p] for p in repeated]), strict=True))
        unit = "line" if raw.kind in ("csv", "json") else "row"
        notes = pd.Series(
            [
                f"duplicate employee_id {ids[p]!r}: first seen on {unit} {firsts[p]}" if p in firsts else ""
                for p in range(n)
            ],
            dtype=object,
        )
        out.rows(raw, "employee_id", np.array(repeated, dtype=np.int64), lambda m: m, notes)

    scores = _column(
        out,
        raw,
        "score",
        frame["score"],
        lambda v: _parse_score(v, text_ok),
        lambda v: _fast_scores(v, text_ok),
    )
    alert = None
    if "alert" in raw.header:
        alert = _column(
            out,
            raw,
            "alert",
            frame["alert"],
            lambda v: _parse_alert(v, text_ok),
            lambda v: _fast_alerts(v, text_ok),
        )
    if out.total:
        raise DataError(out.problems, total=out.total)
    return Scores(
        ids=ids,
        scores=np.array(scores, dtype=np.float64),
        alert=np.array(alert, dtype=bool) if alert is not None else None,
    )


@dataclass(frozen=True)
class _Bad:
    """A value that failed to parse: what kind of failure, and the message about the value."""

    kind: str
    message: str


def _ids_of_pseudonyms(values: pd.Series, employee_ids: list[str]) -> pd.Series:
    """Pseudonyms (graphrisk score writes them unless revealed) as the population's employee ids.

    The site key maps them back (a PrivacyError saying how to create one when there is none); a
    file of plain ids needs no key.
    """
    from graphrisk.privacy.pseudonyms import normalise_pseudonym

    if not any(isinstance(v, str) and normalise_pseudonym(v) for v in values.head(1000)):
        return values
    from graphrisk.privacy import current_session

    names = current_session().names(employee_ids)
    return values.map(lambda v: (names.known(v) or v) if isinstance(v, str) else v)


def _column(out: Collector, raw: RawTable, name: str, values: pd.Series, parse, fast) -> Sequence:
    """Parse each value; report failures (a few examples per kind of message, then a count).

    ``fast`` parses the whole column at once, or returns None when any value needs a
    closer look; ``parse`` then takes one value at a time and says what is wrong.
    """
    done = fast(values)
    if done is not None:
        return done
    parsed = [parse(v) for v in values.tolist()]
    by_kind: dict[str, list[int]] = {}
    for pos, p in enumerate(parsed):
        if isinstance(p, _Bad):
            by_kind.setdefault(p.kind, []).append(pos)
    messages = pd.Series([p.message if isinstance(p, _Bad) else "" for p in parsed], dtype=object)
    for positions in by_kind.values():
        out.rows(raw, name, np.array(positions, dtype=np.int64), lambda m: m, messages)
    return [None if isinstance(p, _Bad) else p for p in parsed]


def _fast_ids(values: pd.Series) -> list[str] | None:
    ids = values.tolist()
    return ids if all(type(v) is str and v for v in ids) else None


def _fast_scores(values: pd.Series, text_ok: bool) -> np.ndarray | None:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or values.isna().any():
        return None
    try:
        if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
            number = values.to_numpy(dtype=np.float64)
        elif not pd.api.types.is_object_dtype(dtype):  # text: float() of each, as _parse_score does
            if not text_ok:
                return None
            number = values.to_numpy(dtype=object).astype(np.float64)
        else:  # JSON values: numbers only, never bool or str
            items = values.tolist()
            if not all(type(v) is float or type(v) is int for v in items):
                return None
            number = np.array(items, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if np.isfinite(number).all() else None


def _fast_alerts(values: pd.Series, text_ok: bool) -> np.ndarray | None:
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        return values.to_numpy(dtype=bool)
    items = values.tolist()
    if all(type(v) is bool for v in items):
        return np.array(items, dtype=bool)
    if text_ok and all(type(v) is str for v in items):
        words = [v.strip().lower() for v in items]
        if all(w in _TRUE or w in _FALSE for w in words):
            return np.array([w in _TRUE for w in words], dtype=bool)
    return None


def _parse_id(value) -> str | _Bad:
    if value is None or value is pd.NA or (isinstance(value, str) and value == ""):
        return _Bad("empty", "is empty or missing; an employee id is required")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    return _Bad("type", f"must be a string id, found {type(value).__name__} {value!r}")


def _unknown_id(value: str) -> str:
    return f"{value!r} is not an employee of the data set (scores of another data set?)"


def _parse_score(value, text_ok: bool) -> float | _Bad:
    if value is None or value is pd.NA or (isinstance(value, str) and value.strip() == ""):
        return _Bad("empty", "is empty or missing; a score is required")
    if isinstance(value, (bool, np.bool_)):
        return _Bad("type", f"must be a number, found {value!r}")
    if isinstance(value, str):
        if not text_ok:
            return _Bad("type", f"must be a JSON number, found the string {value!r}")
        try:
            number = float(value)
        except ValueError:
            return _Bad("text", f"{value!r} is not a number")
    elif isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:  # a JSON integer with hundreds of digits
            return _Bad("finite", f"must be a finite number, found an integer of {len(str(value))} digits")
    else:
        return _Bad("type", f"must be a number, found {type(value).__name__} {value!r}")
    if not math.isfinite(number):
        return _Bad("finite", f"must be a finite number, found {value!r}")
    return number


def _parse_alert(value, text_ok: bool) -> bool | _Bad:
    if value is None or value is pd.NA or (isinstance(value, str) and value.strip() == ""):
        return _Bad("empty", "is empty or missing; true or false is required")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and int(value) in (0, 1):
        return bool(value)
    if text_ok and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return _Bad("alert", f"must be true or false, found {value!r}")


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _read_json(path: Path) -> _JsonTable:
    """Read a JSON scores file, remembering the line on which each record starts."""
    raw = _JsonTable("scores", path, "json", None)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raw.problems.append(Problem(path.name, None, None, None, f"not valid UTF-8 ({exc.reason})"))
        return raw
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raw.problems.append(Problem(path.name, exc.lineno, exc.colno, None, f"not valid JSON: {exc.msg}"))
        return raw
    records = document.get("scores") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raw.problems.append(
            Problem(
                path.name, None, None, None, 'expected a list of records or an object with a "scores" list'
            )
        )
        return raw
    raw.text = text
    not_objects = [i for i, r in enumerate(records) if not isinstance(r, dict)][:5]
    for line in raw.line_of(not_objects):
        raw.problems.append(Problem(path.name, line, None, None, "a record must be a JSON object"))
    if not records:
        raw.problems.append(Problem(path.name, None, None, None, "there are no records"))
    if raw.problems:
        return raw
    header: dict[str, None] = {}
    for r in records:
        header.update(dict.fromkeys(r))
    raw.header = list(header)
    raw.frame = pd.DataFrame(
        {key: pd.Series([r.get(key) for r in records], dtype=object) for key in raw.header},
        index=pd.RangeIndex(len(records)),
    )
    return raw


def _records_start(text: str) -> int:
    """Where the records list starts in valid JSON ``text``: the document, or its (last) "scores"."""
    pos = _JSON_SPACE.match(text).end()
    if text[pos] == "[":
        return pos
    decoder = json.JSONDecoder()
    pos = _JSON_SPACE.match(text, pos + 1).end()  # past "{"
    found = None
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _JSON_SPACE.match(text, pos).end() + 1  # past ":"
        pos = _JSON_SPACE.match(text, pos).end()
        if key == "scores":
            found = pos  # a repeated key: json.loads keeps the last, so do we
        _, pos = decoder.raw_decode(text, pos)
        pos = _JSON_SPACE.match(text, pos).end()
        if text[pos] == ",":
            pos = _JSON_SPACE.match(text, pos + 1).end()
    return found


def _record_starts(text: str, pos: int) -> list[int]:
    """The offset where each element of the JSON array at ``pos`` starts."""
    decoder = json.JSONDecoder()
    starts = []
    pos = _JSON_SPACE.match(text, pos + 1).end()  # past "["
    while text[pos] != "]":
        starts.append(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = _JSON_SPACE.match(text, pos).end()
        if text[pos] == ",":
            pos = _JSON_SPACE.match(text, pos + 1).end()
    return starts
