"""Writing findings to Parquet, CSV or JSON, chosen by the file's extension."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from graphrisk.atomic import replaced_on_success
from graphrisk.errors import UsageError

__all__ = ["read_findings", "write_findings"]

_FORMATS = (".parquet", ".csv", ".json")


def write_findings(findings: pd.DataFrame, path: str | Path) -> Path:
    """Write ``findings``; list columns become ``;``-joined text in CSV, lists in Parquet and JSON.

    The file is written to a temporary name first and renamed, so a reader never sees half a file.
    """
    path = Path(path)
    if path.suffix not in _FORMATS:
        raise UsageError(f"{path}: write findings as {', '.join(_FORMATS)}")
    frame = findings.copy()
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    with replaced_on_success(path) as tmp:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        elif path.suffix == ".csv":
            frame["access_ids"] = frame["access_ids"].map(";".join)
            frame["ts"] = frame["ts"].map(lambda t: t.isoformat())
            frame.to_csv(tmp, index=False)
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
    """Read a findings file written by :func:`write_findings`."""
    path = Path(path)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        frame["access_ids"] = frame["access_ids"].map(list)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
        frame["access_ids"] = frame["access_ids"].str.split(";")
    elif path.suffix == ".json":
        frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["findings"])
        frame["evidence"] = frame["evidence"].map(json.dumps)
    else:
        raise UsageError(f"{path}: findings files are {', '.join(_FORMATS)}")
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame
