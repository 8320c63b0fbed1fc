"""The scores file: one row per employee, as Parquet, CSV or JSON (by the file's extension).

``graphrisk evaluate`` reads it (``employee_id``, ``score``, ``alert``); analysts
and ``graphrisk explain --scores`` read the rest: the points per part, the top
reasons and every part with its evidence (``parts``, JSON text in CSV and
Parquet, nested in JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.outputs import restore_frame, write_csv, written
from graphrisk.scoring.explain import explain_all, reasons

__all__ = ["FORMATS", "read_scores", "score_rows", "write_scores"]

FORMATS = (".parquet", ".csv", ".json")
_COLUMNS = ["employee_id", "rank", "score", "alert", "risk_units", "findings_points", "behaviour_points",
            "network_points", "peer_group", "exposure", "reasons", "parts", "as_of", "window"]  # fmt: skip


def score_rows(result, explanations: dict[str, list[dict]] | None = None) -> pd.DataFrame:
    """The result as one row per employee, by rank; ``reasons`` and ``parts`` as JSON text."""
    if explanations is None:
        explanations = explain_all(result)
    t = result.table.sort_values("rank")
    parts = [explanations.get(e, []) for e in t.index]
    rows = pd.DataFrame(
        {
            "employee_id": t.index.to_numpy(dtype=object),
            "rank": t["rank"].to_numpy(),
            "score": t["score"].round(4).to_numpy(),
            "alert": t["alert"].to_numpy(dtype=bool),
            "risk_units": t["risk_units"].round(6).to_numpy(),
            "findings_points": t["findings_points"].round(4).to_numpy(),
            "behaviour_points": t["behaviour_points"].round(4).to_numpy(),
            "network_points": t["network_points"].round(4).to_numpy(),
            "peer_group": t["peer_group"].to_numpy(dtype=object),
            "exposure": t["exposure"].round(6).to_numpy(),
            "reasons": [json.dumps(reasons(p)) for p in parts],
            "parts": [json.dumps(p, sort_keys=True) for p in parts],
        }
    )
    rows["as_of"] = result.as_of
    rows["window"] = result.params.to_dict()["window"]
    return rows[_COLUMNS]


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


def read_scores(path: str | Path) -> pd.DataFrame:
    """Read a scores file written by :func:`write_scores` (``parts`` and ``reasons`` as JSON text)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no scores file at {path}")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype={"employee_id": str, "peer_group": str}, keep_default_na=False)
        return restore_frame(frame)
    if path.suffix == ".json":
        frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["scores"])
        frame["parts"] = frame["parts"].map(json.dumps)
        frame["reasons"] = frame["reasons"].map(json.dumps)
        return frame
    raise UsageError(f"{path}: scores files are {', '.join(FORMATS)}")
