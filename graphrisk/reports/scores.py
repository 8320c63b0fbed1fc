"""Risk scores for the reports, from a scores file (``graphrisk score --out``).

A scores file has one row per employee: ``employee_id``, ``score`` and the score's parts: the
``*_points`` columns the scoring module writes (``findings_points``, ``behaviour_points``,
``network_points``), or, without those, every other numeric column. ``alert`` and ``rank`` are
read as such; ``parts`` (the explanation: a JSON list of parts as ``graphrisk explain`` shows
them) and ``reasons`` (a JSON list of sentences, or one plain sentence) are read into lists; the
remaining columns (``peer_group``, ``exposure``, ...) are shown as notes. CSV, Parquet or JSON
(a list of records, or an object holding one under ``"scores"``).

>>> import pandas as pd
>>> frame = pd.DataFrame({"employee_id": ["E1", "E2"], "score": [80.0, 20.0], "findings": [60.0, 5.0]})
>>> table = ScoreTable(frame)
>>> table.of("E1")["rank"], table.of("E1")["parts"]
(1, {'findings': 60.0})
>>> table.of("E9") is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.files.scores import read_scores as read_scores_file

__all__ = ["ScoreTable", "read_scores"]

_SPECIAL = ("employee_id", "score", "alert", "rank")
_EXPLAINED = ("parts", "reasons")


@dataclass
class ScoreTable:
    """Scores of all employees, highest first, with their parts."""

    frame: pd.DataFrame
    source: str = "scores"

    def __post_init__(self) -> None:
        for column in ("employee_id", "score"):
            if column not in self.frame.columns:
                raise UsageError(f"{self.source}: a scores table needs the column {column!r}")
        frame = self.frame.copy()
        frame["employee_id"] = frame["employee_id"].astype(str)
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
        if frame["score"].isna().any():
            bad = frame.loc[frame["score"].isna(), "employee_id"].iloc[0]
            raise UsageError(f"{self.source}: the score of {bad} is not a number")
        frame = frame.sort_values(["score", "employee_id"], ascending=[False, True], kind="stable")
        frame["rank"] = range(1, len(frame) + 1)
        self.frame = frame.reset_index(drop=True)

    @property
    def parts(self) -> list[str]:
        """The score's parts: the ``*_points`` columns when there are any (the scoring module's
        points per part), else every numeric column but score, rank and alert."""
        frame = self.frame
        numeric = [c for c in frame.columns if c not in _SPECIAL and pd.api.types.is_numeric_dtype(frame[c])]
        points = [c for c in numeric if c.endswith("_points")]
        return points or numeric

    @property
    def notes(self) -> list[str]:
        """The other columns (peer group, exposure, reasons), shown as they are."""
        return [
            c for c in self.frame.columns if c not in _SPECIAL and c not in _EXPLAINED and c not in self.parts
        ]

    def of(self, employee_id: str) -> dict | None:
        """An employee's score, rank among all scored, parts, reasons, explanation and notes; None
        when not scored. ``explanation`` is the ``parts`` column's list of parts (``[]`` without)."""
        hit = self.frame[self.frame["employee_id"] == employee_id]
        if hit.empty:
            return None
        row = hit.iloc[0]
        return {
            "score": float(row["score"]),
            "rank": int(row["rank"]),
            "of": len(self.frame),
            "alert": bool(row["alert"]) if "alert" in row and pd.notna(row["alert"]) else None,
            "parts": {p.removesuffix("_points"): float(row[p]) for p in self.parts if pd.notna(row[p])},
            "reasons": _reasons(row["reasons"]) if "reasons" in row.index else [],
            "explanation": _explanation(row["parts"]) if "parts" in row.index else [],
            "notes": {n: _note(row[n]) for n in self.notes if pd.notna(row[n]) and str(row[n])},
        }


def read_scores(path: str | Path) -> ScoreTable:
    """Read a scores file of any scorer (see the module docstring; :func:`graphrisk.files.read_scores`)."""
    path = Path(path)
    return ScoreTable(read_scores_file(path, any_scorer=True), source=path.name)


def _note(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _decoded(value):
    """A JSON text decoded; a list or dict as it is (JSON scores files nest them); else None."""
    if isinstance(value, (list, dict)):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def _reasons(value) -> list[str]:
    """``reasons``: a JSON list of sentences, or one plain sentence (another scorer's text)."""
    decoded = _decoded(value)
    if isinstance(decoded, list):
        return [str(r) for r in decoded]
    if isinstance(value, str) and value.strip():
        return [value]
    return []


def _explanation(value) -> list[dict]:
    """``parts``: the list of part dicts that ``graphrisk score --out`` writes; [] for anything else."""
    decoded = _decoded(value)
    if isinstance(decoded, list) and all(isinstance(p, dict) for p in decoded):
        return decoded
    return []
