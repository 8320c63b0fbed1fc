"""Plain values: what both stores' answers are turned into before anyone compares, prints or exports them.

A date becomes ``YYYY-MM-DD``, an instant ISO 8601 in UTC, a missing value ``None``;
Neo4j's own types (temporal values, nodes, relationships, paths) are recognised by
their shape, so that only :mod:`graphrisk.store.neo4j` imports the driver.

>>> import pandas as pd
>>> plain(pd.Timestamp("2026-03-02T09:15:00+01:00"))
'2026-03-02T08:15:00+00:00'
>>> plain(pd.Timestamp("1985-04-12"))
'1985-04-12'
>>> plain(float("nan")) is None
True
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

__all__ = ["display_name", "plain", "plain_frame", "plain_props", "to_text"]


def plain(value):
    """``value`` as JSON-friendly Python: str, int, float, bool, None, lists and dicts of those."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, str):
        return value
    if hasattr(value, "to_native") and hasattr(value, "iso_format"):  # neo4j.time values
        value = value.to_native()
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        if ts.tzinfo is None:
            if ts == ts.normalize():
                return ts.date().isoformat()  # a date stored as midnight
            ts = ts.tz_localize("UTC")
        return ts.tz_convert("UTC").isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "labels") and hasattr(value, "element_id"):  # a node
        return {"labels": sorted(value.labels), "properties": plain_props(dict(value.items()))}
    if hasattr(value, "type") and hasattr(value, "start_node") and hasattr(value, "element_id"):
        return {"type": value.type, "properties": plain_props(dict(value.items()))}
    if hasattr(value, "relationships") and hasattr(value, "nodes"):  # a path
        return {
            "nodes": [plain(n) for n in value.nodes],
            "relationships": [plain(r) for r in value.relationships],
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def plain_props(props: dict) -> dict:
    """Properties without missing values, each made :func:`plain`."""
    out = {}
    for key, value in props.items():
        v = plain(value)
        if v is not None:
            out[key] = v
    return dict(sorted(out.items()))


def plain_frame(frame: pd.DataFrame) -> list[dict]:
    """Rows of ``frame`` as lists of plain dicts (column order kept)."""
    columns = list(frame.columns)
    return [
        {c: plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def to_text(value) -> str:
    """A plain value as one line of text for a table or CSV cell.

    >>> to_text({"labels": ["Person"], "properties": {"person_id": "P1"}})
    '(:Person {person_id: P1})'
    >>> to_text(["a", "b"])
    'a; b'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"
    if isinstance(value, dict):
        if "labels" in value and "properties" in value:
            props = ", ".join(f"{k}: {to_text(v)}" for k, v in value["properties"].items())
            return f"(:{':'.join(value['labels'])} {{{props}}})"
        if "type" in value and "properties" in value:
            props = ", ".join(f"{k}: {to_text(v)}" for k, v in value["properties"].items())
            return f"[:{value['type']}{' {' + props + '}' if props else ''}]"
        if "nodes" in value and "relationships" in value:
            return " - ".join(to_text(n) for n in value["nodes"])
        return ", ".join(f"{k}: {to_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(to_text(v) for v in value)
    return str(value)


def display_name(label: str, key: str, props: dict) -> str:
    """A short name for a node, as an analyst reads it.

    >>> display_name("Access", "X1", {"system": "BRP", "action": "view", "ts": "2026-03-02T08:15:00+00:00"})
    'X1 BRP view 2026-03-02 08:15'
    """
    if label in ("Person", "Case"):
        return f"{key} {props.get('name', '')}".strip()
    if label in ("Unit", "Area", "Organisation"):
        return props.get("name") or key
    if label == "Employee":
        return f"{key} {props.get('rank', '')}".strip()
    if label == "Access":
        when = _short_ts(props.get("ts"))
        return f"{key} {props.get('system', '')} {props.get('action', '')} {when}".strip()
    if label == "Action":
        return f"{props.get('kind', 'action')} {_short_ts(props.get('ts'))}"
    if label == "Shift":
        return f"shift {_short_ts(props.get('start_ts'))}"
    return key


def _short_ts(value) -> str:
    if not value:
        return ""
    return str(value)[:16].replace("T", " ")
