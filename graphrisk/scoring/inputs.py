"""The frames scoring needs, read the same way from either store.

On the embedded store they are columns of the stored tables; on Neo4j they
come from the named read queries in ``cypher/score/``, which return the same
columns. Both are normalised here to the same types and order, so that one
pure pandas/networkx scoring path gives the same scores on both stores.
``ground_truth`` is never read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from graphrisk.frames import isin, stable_sort

__all__ = [
    "COLUMNS",
    "FrameFindings",
    "ScoreInputs",
    "StoredWindowFindings",
    "as_findings",
    "latest_access",
    "read_inputs",
    "window_findings",
]

#: Each input frame and its columns; ``ts`` is a UTC timestamp, everything else an id or text.
COLUMNS: dict[str, tuple[str, ...]] = {
    "employees": ("employee_id", "person_id", "unit_id", "rank", "role", "home_area_id", "end_date"),
    "units": ("unit_id", "area_id"),
    "areas": ("area_id", "parent_area_id"),
    "accesses": ("access_id", "ts", "employee_id", "target_type", "target_id", "action", "case_id"),
    "vehicles": ("vehicle_id", "owner_person_id"),
    "relations": ("person_id", "other_person_id", "kind"),
    "memberships": ("person_id", "organisation_id"),
    "case_subjects": ("case_id", "person_id", "role"),
    "assignments": ("case_id", "employee_id", "start_date", "end_date"),
}
_TABLE = {"accesses": "access_log", "assignments": "case_assignments"}
_DATES = ("start_date", "end_date")  # input name -> contract table, where they differ
_ORDER = {
    "employees": ["employee_id"],
    "units": ["unit_id"],
    "areas": ["area_id"],
    "accesses": ["access_id"],
    "vehicles": ["vehicle_id"],
    "relations": ["person_id", "other_person_id", "kind"],
    "memberships": ["person_id", "organisation_id"],
    "case_subjects": ["case_id", "person_id"],
    "assignments": ["case_id", "employee_id", "start_date"],
}


@dataclass
class ScoreInputs:
    """The frames of :data:`COLUMNS`, typed and sorted the same way for both stores."""

    employees: pd.DataFrame
    units: pd.DataFrame
    areas: pd.DataFrame
    accesses: pd.DataFrame
    vehicles: pd.DataFrame
    relations: pd.DataFrame
    memberships: pd.DataFrame
    case_subjects: pd.DataFrame
    assignments: pd.DataFrame

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> ScoreInputs:
        """Normalise raw frames (missing ones become empty): object ids, None for missing, UTC ts."""
        return cls(**{name: normalise(name, frames.get(name)) for name in COLUMNS})


def read_inputs(
    store, since: pd.Timestamp | None, until: pd.Timestamp | None, *, accesses: bool = True
) -> ScoreInputs:
    """Read the scoring inputs from ``store``, the access log cut to ``since <= ts < until``.

    Without ``accesses`` the access log is not read (an empty frame): scoring asks the store's
    SQL engine about it instead (:meth:`graphrisk.store.base.Store.window_lookups`).
    """
    names = [name for name in COLUMNS if accesses or name != "accesses"]
    if store.kind == "embedded":
        present = set(store.table_names())
        # only the tables and columns scoring reads (without the log, its largest, when the engine
        # answers for it; national registers hold 2 million persons and 4.8 million relations)
        frames = {
            name: store.table(_TABLE.get(name, name), columns=_stored_columns(name))
            for name in names
            if _TABLE.get(name, name) in present
        }
        persons = store.table("persons", columns=["person_id", "area_id"]) if "persons" in present else None
        if "employees" in frames and persons is not None:
            # the area the employee's own person record lives in (outside-territory at home)
            home = persons.drop_duplicates("person_id").set_index("person_id")["area_id"]
            frames["employees"] = frames["employees"].assign(
                home_area_id=frames["employees"]["person_id"].map(home).to_numpy()
            )
        log = frames.get("accesses")
        if log is not None:
            keep = pd.Series(True, index=log.index)
            if since is not None:
                keep &= log["ts"] >= since
            if until is not None:
                keep &= log["ts"] < until
            frames["accesses"] = log[keep]
        return ScoreInputs.from_frames(frames)
    params = {"since": _py(since), "until": _py(until)}
    frames = {name: store.read(f"score/{name}", params if name == "accesses" else None) for name in names}
    return ScoreInputs.from_frames(frames)


class FrameFindings:
    """The window's findings held as one frame, read whole or for some employees (see
    :class:`StoredWindowFindings`, which reads them from the store)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def per_employee(self) -> pd.Series:
        """Findings per employee id, in sorted order (as the stores count theirs)."""
        from graphrisk.store.findings_store import findings_per_employee

        ids = self.frame["employee_id"].astype(object) if len(self.frame) else pd.Series([], dtype=object)
        return findings_per_employee(ids)

    def read(self, employees=None, rules=None) -> pd.DataFrame:
        """The findings (of the employees and rules named, in their order here)."""
        f = self.frame
        if len(f) and employees is not None:
            f = f[isin(f["employee_id"], set(employees))]
        if len(f) and rules is not None:
            f = f[isin(f["rule_id"], set(rules))]
        return f


class StoredWindowFindings:
    """The findings ``detect --incremental`` stored for the window ``since <= ts < until``, read
    from the store only when asked, and for some employees at a time when asked so: a month of
    national findings (some 75 million) is never held at once."""

    def __init__(self, stored, since, until) -> None:
        self.stored, self.since, self.until = stored, since, until

    def per_employee(self) -> pd.Series:
        return self.stored.per_employee(self.since, self.until)

    def read(self, employees=None, rules=None) -> pd.DataFrame:
        return self.stored.read(self.since, self.until, rules=rules, employees=employees)


def as_findings(findings) -> FrameFindings | StoredWindowFindings:
    """``findings`` as something to read findings from: a frame becomes a :class:`FrameFindings`."""
    return FrameFindings(findings) if isinstance(findings, pd.DataFrame) else findings


def window_findings(
    store, since: pd.Timestamp, until: pd.Timestamp, rule_params: dict | None = None, *, stored: bool = True
) -> tuple[FrameFindings | StoredWindowFindings, str]:
    """The findings of the window ``since <= ts < until`` and where they came from.

    The store's stored findings (``"store"``) when ``stored`` and they are what detection would find
    now (:func:`graphrisk.rules.incremental.covers`: kept by ``detect --incremental`` with the same
    rules and parameters, nothing appended or loaded since), not yet read; otherwise the rules run
    on the window (``"detection"``), as they always did. Both give the same findings.
    """
    from graphrisk.rules import detect
    from graphrisk.rules.incremental import covers
    from graphrisk.store.findings_store import stored_findings

    if stored and covers(store, rule_params):
        return StoredWindowFindings(stored_findings(store), since, until), "store"
    return FrameFindings(detect(store, since=since, until=until, params=rule_params).findings), "detection"


def latest_access(store) -> pd.Timestamp | None:
    """The time of the store's latest look-up, or None when it holds none."""
    if store.kind == "embedded":
        ts = store.table("access_log", columns=["ts"])["ts"]
        latest = ts.max() if len(ts) else None
    else:
        frame = store.read("score/latest_access")
        latest = frame["latest"].iloc[0] if len(frame) else None
    if latest is None or pd.isna(latest):
        return None
    return _utc(latest)


def _stored_columns(name: str) -> list[str]:
    """The columns of input ``name`` that its contract table holds (``home_area_id`` is derived)."""
    from graphrisk.contract import TABLES

    held = set(TABLES[_TABLE.get(name, name)].column_names)
    return [c for c in COLUMNS[name] if c in held]


def normalise(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """The input ``name`` with exactly its columns: ids as Python strings or None, ``ts`` in UTC.

    Examples
    --------
    >>> normalise("memberships", pd.DataFrame({"organisation_id": ["O1"], "person_id": ["P2"]}))
      person_id organisation_id
    0        P2              O1
    """
    cols = list(COLUMNS[name])
    if frame is None or frame.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        if "ts" in out:
            out["ts"] = pd.Series(dtype="datetime64[ns, UTC]")
        for c in _DATES:
            if c in out:
                out[c] = pd.Series(dtype="datetime64[s]")
        return out
    out = pd.DataFrame(index=range(len(frame)))
    for c in cols:
        values = frame[c] if c in frame.columns else pd.Series([None] * len(frame))
        values = values.reset_index(drop=True)
        if c == "ts":
            if not isinstance(values.dtype, pd.DatetimeTZDtype):
                values = values.map(_utc)
            out[c] = pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
        elif c in _DATES:
            out[c] = pd.to_datetime(values.map(_day), errors="coerce").astype("datetime64[s]")
        else:
            present = values.notna().to_numpy()
            obj = values.astype(object)
            if not present.all():
                obj = obj.where(present, None)
            out[c] = obj
    return stable_sort(out, _ORDER[name])


# ---------------------------------------------------------------- helpers


def _utc(value) -> pd.Timestamp:
    if hasattr(value, "to_native"):  # a neo4j DateTime
        value = value.to_native()
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _day(value):
    if value is None or (not hasattr(value, "iso_format") and pd.isna(value)):
        return None
    if hasattr(value, "iso_format"):  # a neo4j Date
        return value.iso_format()
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _py(value):
    return None if value is None else pd.Timestamp(value).to_pydatetime()
