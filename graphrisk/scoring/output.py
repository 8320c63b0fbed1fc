"""The scores file's rows: one per employee (written and read by :mod:`graphrisk.files`).

``graphrisk evaluate`` reads it (``employee_id``, ``score``, ``alert``); analysts
and ``graphrisk explain --scores`` read the rest: the points per part, the top
reasons and every part with its evidence (``parts``, JSON text in CSV and
Parquet, nested in JSON).
"""

from __future__ import annotations

import json

import pandas as pd

from graphrisk.files.scores import FORMATS, read_scores, write_scores  # the file's forms live there
from graphrisk.scoring.explain import explain_all, reasons

__all__ = ["FORMATS", "read_scores", "score_rows", "write_scores"]

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
