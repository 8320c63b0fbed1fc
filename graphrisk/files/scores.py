"""Scores files (``graphrisk score --out``): one row per employee, as Parquet, CSV or JSON.

The one writer (:func:`write_scores`) and the one reader (:func:`read_scores`) of the file's
forms; :mod:`graphrisk.files.checked` reads the same forms strictly for evaluation.
``reasons`` and ``parts`` are JSON text in CSV and Parquet and nested in JSON; CSV cells are
neutralised against spreadsheet formulas on writing and restored on reading.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.outputs import restore_frame, write_csv, written

__all__ = ["FORMATS", "read_scores", "write_scores"]

FORMATS = (".parquet", ".csv", ".json")


def write_scores(rows: pd.DataFrame, path: str | Path, meta: dict | None = None) -> Path:
    """Write :func:`score_rows` output; written to a temporary name first, then renamed."""
    path = Path(path)
    if path.suffix not in FORMATS:
        raise UsageError(f"{path}: write scores as {', '.join(FORMATS)}")
    from graphrisk.privacy.redact import active, apply_frame

    frame = apply_frame(active(), rows.copy())  # pseudonymised unless the command is revealed
    with written(path) as tmp:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        elif path.suffix == ".csv":
            frame["as_of"] = frame["as_of"].map(lambda t: t.isoformat())
            write_csv(frame, tmp)  # formulas neutralised for spreadsheets
        else:
            records = []
            for row in frame.to_dict(orient="records"):
                row["as_of"] = row["as_of"].isoformat()
                row["reasons"] = json.loads(row["reasons"])
                row["parts"] = json.loads(row["parts"])
                row["alert"] = bool(row["alert"])
                records.append(row)
            payload = {**(meta or {}), "scores": records}
            tmp.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def read_scores(path: str | Path, *, any_scorer: bool = False) -> pd.DataFrame:
    """Read a scores file; ``parts`` and ``reasons`` as JSON text, as :func:`write_scores` took them.

    By default the file is graphrisk's own (``explain --scores``): every cell as written (an empty
    cell is an empty text). ``any_scorer`` reads the tables of other scorers too, for the reports:
    empty CSV cells are missing values, and a JSON file may be a bare list of records, with nested
    objects flattened (``{"parts": {"a": 1}}`` becomes the column ``parts_a``).
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(
            f"scores file {str(path)!r} does not exist" if any_scorer else f"no scores file at {path}"
        )
    if path.suffix not in FORMATS:
        if any_scorer:
            raise UsageError(f"scores file {path.name!r} must end in .csv, .parquet or .json")
        raise UsageError(f"{path}: scores files are {', '.join(FORMATS)}")
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".csv":
            if any_scorer:
                return restore_frame(pd.read_csv(path, dtype={"employee_id": str}))
            frame = pd.read_csv(path, dtype={"employee_id": str, "peer_group": str}, keep_default_na=False)
            return restore_frame(frame)
        data = json.loads(path.read_text(encoding="utf-8"))
        if any_scorer:
            records = data.get("scores") if isinstance(data, dict) else data
            if not isinstance(records, list):
                raise UsageError(f"{path}: expected a list of score records, or one under 'scores'")
            return pd.json_normalize(records, sep="_")
        frame = pd.DataFrame(data["scores"])
        frame["parts"] = frame["parts"].map(json.dumps)
        frame["reasons"] = frame["reasons"].map(json.dumps)
        return frame
    except (OSError, ValueError, KeyError, TypeError) as exc:  # Arrow's and JSON's errors are ValueErrors
        if not any_scorer:  # explain says what it reads (commands/scoring.py): its message, not this one
            raise
        raise UsageError(f"cannot read the scores file {path}: {exc}") from None
