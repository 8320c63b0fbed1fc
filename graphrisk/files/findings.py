"""Findings files (``graphrisk detect --out``): the one writer and the one reader, Parquet, CSV or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.outputs import restore_frame, write_csv, written

__all__ = ["read_findings", "write_findings"]

_FORMATS = (".parquet", ".csv", ".json")
#: the columns the reports read from a findings file
_NEEDED = ("finding_id", "rule_id", "employee_id", "access_ids", "ts", "severity", "evidence")


def write_findings(findings: pd.DataFrame, path: str | Path) -> Path:
    """Write ``findings``; list columns become ``;``-joined text in CSV, lists in Parquet and JSON.

    The file is written to a temporary name first and renamed, so a reader never sees half a file;
    CSV cells that a spreadsheet would run as formulas are neutralised (:mod:`graphrisk.outputs`).
    """
    path = Path(path)
    if path.suffix not in _FORMATS:
        raise UsageError(f"{path}: write findings as {', '.join(_FORMATS)}")
    from graphrisk.privacy.redact import active, apply_frame

    frame = apply_frame(active(), findings.copy())  # pseudonymised unless the command is revealed
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    with written(path) as tmp:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        elif path.suffix == ".csv":
            frame["access_ids"] = frame["access_ids"].map(";".join)
            frame["ts"] = frame["ts"].map(lambda t: t.isoformat())
            write_csv(frame, tmp)
        else:
            records = []
            for row in frame.to_dict(orient="records"):
                row["ts"] = row["ts"].isoformat()
                row["evidence"] = json.loads(row["evidence"])
                records.append({k: (None if _missing(v) else v) for k, v in row.items()})
            tmp.write_text(json.dumps({"findings": records}, indent=1) + "\n", encoding="utf-8")
    return path


def _missing(value) -> bool:
    return not isinstance(value, list | dict) and pd.isna(value)


def read_findings(path: str | Path) -> pd.DataFrame:
    """Read a findings file written by :func:`write_findings`.

    A file that cannot be read, or that is not a findings file (another table, a scores file),
    is a :class:`UsageError` naming the file and what is wrong.
    """
    path = Path(path)
    if path.suffix not in _FORMATS:
        raise UsageError(f"{path}: findings files are {', '.join(_FORMATS)}")
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif path.suffix == ".csv":
            frame = restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False)).replace("", None)
        else:
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
                raise ValueError('expected an object with a "findings" list')
            frame = pd.DataFrame(document["findings"])
    except (OSError, ValueError) as exc:  # Arrow's and JSON's errors are ValueErrors
        raise UsageError(f"cannot read the findings file {path}: {exc}") from None
    missing = [c for c in _NEEDED if c not in frame.columns]
    if missing and not (path.suffix == ".json" and frame.empty):
        raise UsageError(
            f"{path} is not a findings file of graphrisk detect --out: it has no {', '.join(missing)}"
        )
    if path.suffix == ".parquet":
        frame["access_ids"] = frame["access_ids"].map(list)
    elif path.suffix == ".csv":
        frame["access_ids"] = frame["access_ids"].str.split(";")
    else:
        frame = frame.reindex(columns=list(dict.fromkeys([*_NEEDED, *frame.columns])))
        frame["evidence"] = frame["evidence"].map(json.dumps)
    try:
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{path}: the column ts does not hold timestamps ({exc})") from None
    return frame
