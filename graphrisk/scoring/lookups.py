"""What scoring asks of the window's look-ups, answered in memory or by the SQL engine.

Scoring needs the window's look-ups for two things: facts about each finding's look-up and the
look-ups around it (the work context, colleagues on the same target, whether it cites a case or
exports), and the behaviour features' per-employee aggregates. Both are asked here, of a
:class:`FrameLookups` (the reference: the window's look-ups as one pandas frame) or of a
:class:`SQLLookups` (the queries of ``sql/score/`` run by the embedded store's SQL engine over
its Parquet files: DuckDB out of core, or Spark with ``--engine spark``; pandas then holds one row
per finding, and per employee and target for the features, never one per look-up of the window).
The embedded store hands out the latter (:meth:`graphrisk.store.embedded.EmbeddedStore.window_lookups`),
Neo4j and the pandas engine the former.

Both answer every question with the same values, so the scores are identical to the last bit
(``tests/test_scoring_lookups.py``): the SQL returns the facts (counts, flags, the latest
look-up's time) and the arithmetic on them (explanations, decay, sums in the same order) stays in
pandas, shared by both.

Examples
--------
>>> acc = pd.DataFrame({"access_id": ["A1", "A2"], "employee_id": ["E1", "E2"],
...     "ts": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 11:00"], utc=True),
...     "target_type": ["person", "person"], "target_id": ["P1", "P1"], "action": ["view", "export"],
...     "case_id": [None, "C1"]})
>>> cited, export = FrameLookups(acc).attributes(np.array(["A2", "A9"], dtype=object))
>>> cited.tolist(), export.tolist()
([True, False], [True, False])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graphrisk.frames import isin

__all__ = ["FrameLookups", "SQLLookups", "as_lookups"]


class FrameLookups:
    """The window's look-ups held as one pandas frame: the reference every other answer equals.

    ``accesses`` has ``access_id``, ``employee_id``, ``ts``, ``target_type``, ``target_id``,
    ``action`` and ``case_id`` (the last two may be missing where not asked for).
    """

    def __init__(self, accesses: pd.DataFrame) -> None:
        self.accesses = accesses
        self._keyed_log: pd.DataFrame | None = None

    @property
    def empty(self) -> bool:
        return self.accesses.empty

    def keyed(self) -> pd.DataFrame:
        """The log with ``target`` (``type:id``), ``t`` (UTC nanoseconds), ``day`` and ``hour``."""
        if self._keyed_log is None:
            a = self.accesses
            if not {"employee_id", "ts", "target_type", "target_id"} <= set(a.columns):
                # a log without its targets (a hand-made example) answers as an empty one
                a = a.iloc[0:0].reindex(columns=["access_id", "employee_id", "ts", "target_type",
                                                 "target_id", "case_id"])  # fmt: skip
            self._keyed_log = keyed(a)
        return self._keyed_log

    def attributes(self, access_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each look-up cites a case, and whether it is an export (False when not found)."""
        a = self.accesses
        cited = np.zeros(len(access_ids), dtype=bool)
        export = np.zeros(len(access_ids), dtype=bool)
        if a.empty or "access_id" not in a.columns:
            return cited, export
        where = pd.Index(a["access_id"].astype(object)).get_indexer(access_ids)
        found = where >= 0
        if "case_id" in a.columns:
            cited[found] = a["case_id"].notna().to_numpy()[where[found]]
        if "action" in a.columns:
            export[found] = (a["action"] == "export").to_numpy()[where[found]]
        return cited, export

    def colleagues(self, f: pd.DataFrame, units: pd.DataFrame) -> np.ndarray:
        """For each row of ``f`` (``employee_id``, ``target_type``, ``target_id``), how many other
        employees of its employee's unit (``units``: ``employee_id``, ``unit_id``) looked up the
        same target in the window."""
        accesses = self.accesses
        if accesses.empty:
            return np.zeros(len(f), dtype=int)
        unit_codes, _ = pd.factorize(units["unit_id"].astype(object))
        unit_of = dict(zip(units["employee_id"], unit_codes, strict=True))
        kinds = pd.Index(["person", "vehicle", "address", "case"])
        ids = pd.Index(
            pd.unique(pd.concat([accesses["target_id"], f["target_id"]], ignore_index=True).astype(object))
        )

        def keys(frame: pd.DataFrame) -> np.ndarray:
            kind = kinds.get_indexer(frame["target_type"].astype(object)).astype(np.int64)
            return ids.get_indexer(frame["target_id"].astype(object)).astype(np.int64) * 8 + kind

        n_units = int(unit_codes.max()) + 2 if len(unit_codes) else 1
        acc_unit = accesses["employee_id"].map(unit_of).fillna(-1).to_numpy(dtype=np.int64) + 1
        acc_emp, _ = pd.factorize(accesses["employee_id"])
        n_emp = int(acc_emp.max()) + 1 if len(acc_emp) else 1
        pair = np.unique(keys(accesses) * n_emp + acc_emp)  # each (target, employee) once
        first = np.zeros(n_emp, dtype=np.int64)
        first[acc_emp] = acc_unit
        unit_key = (pair // n_emp) * n_units + first[pair % n_emp]
        counted, lookers = np.unique(unit_key, return_counts=True)
        f_unit = f["employee_id"].map(unit_of).fillna(-1).to_numpy(dtype=np.int64)
        probe = keys(f) * n_units + (f_unit + 1)
        at = np.searchsorted(counted, probe)
        at = np.minimum(at, len(counted) - 1)
        n = np.where((len(counted) > 0) & (counted[at] == probe), lookers[at], 1)
        return np.maximum(n - 1, 0)

    def case_citations(
        self, covering: pd.DataFrame, n: int, units: pd.DataFrame | None, session_minutes: int, days: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which of ``n`` finding rows are cited case work: by the employee, by the unit, and by the
        employee on the days around.

        ``covering`` holds ``row``, ``employee_id``, ``case_id``, ``t`` (the look-up's UTC
        nanoseconds): each row with every case covering its look-up. ``own``: the employee cites
        such a case within ``session_minutes`` of the look-up; ``team``: another employee of the
        same unit (``units``; never without it) cites one within ``days`` days (UTC dates);
        ``own_days``: the employee cites one within ``days`` days.
        """
        own = np.zeros(n, dtype=bool)
        team = np.zeros(n, dtype=bool)
        own_days = np.zeros(n, dtype=bool)
        accesses = self.accesses
        if covering.empty or accesses.empty:
            return own, team, own_days
        cites = accesses.loc[accesses["case_id"].notna()]
        cites = pd.DataFrame(
            {"employee_id": cites["employee_id"].to_numpy(), "case_id": cites["case_id"].to_numpy(),
             "t_cite": nanos(cites["ts"])}
        )  # fmt: skip
        cites = cites[isin(cites["case_id"], pd.unique(covering["case_id"]))]
        mine = covering.merge(cites, on=["employee_id", "case_id"])
        session = np.int64(session_minutes) * 60_000_000_000
        in_session = np.abs(mine["t_cite"] - mine["t"]).to_numpy() <= session
        own[pd.unique(mine.loc[in_session, "row"].to_numpy())] = True
        day = np.int64(86_400_000_000_000)
        near_days = np.abs(mine["t_cite"] // day - mine["t"] // day).to_numpy() <= days
        own_days[pd.unique(mine.loc[near_days, "row"].to_numpy())] = True
        if units is None or units.empty:
            return own, team, own_days
        unit = units.set_index("employee_id")["unit_id"]
        covering = covering.assign(unit_id=covering["employee_id"].map(unit))
        others = cites.assign(day=cites["t_cite"] // day).drop_duplicates(["employee_id", "case_id", "day"])
        others = others.assign(unit_id=others["employee_id"].map(unit)).rename(
            columns={"employee_id": "other"}
        )
        near = covering.merge(others, on=["case_id", "unit_id"])
        near = near[(near["other"] != near["employee_id"])
                    & (np.abs(near["day"] - near["t"] // day) <= days)]  # fmt: skip
        team[pd.unique(near["row"].to_numpy())] = True
        return own, team, own_days

    def shift_days(
        self, days: pd.DataFrame, off_ids: np.ndarray, targets: int | pd.Series, hours: int
    ) -> tuple[pd.MultiIndex, pd.MultiIndex]:
        """The (employee, naive UTC day) keys among ``days`` (``employee_id``, ``day``) whose
        look-ups have the shape of a shift (``targets`` distinct targets, one number or one per
        employee id, in ``hours`` distinct clock hours): all the day's look-ups, and only the
        look-ups ``off_ids``."""
        a = self.keyed()
        if a.empty:
            nothing = pd.MultiIndex.from_arrays([[], []], names=["employee_id", "day"])
            return nothing, nothing
        a = a[isin(a["employee_id"], pd.unique(days["employee_id"]))]
        least = day_targets_frame(days, targets).set_index("employee_id")["targets"]

        def shaped(rows: pd.DataFrame) -> pd.MultiIndex:
            g = rows.groupby(["employee_id", "day"], sort=False)
            shape = pd.DataFrame({"targets": g["target"].nunique(), "hours": g["hour"].nunique()})
            need = least.reindex(shape.index.get_level_values("employee_id")).to_numpy()
            return shape[(shape["targets"].to_numpy() >= need) & (shape["hours"] >= hours).to_numpy()].index

        return shaped(a), shaped(a[isin(a["access_id"], set(off_ids))])

    def routine(self, cand: pd.DataFrame, flagged: np.ndarray, minutes: int, others: int) -> np.ndarray:
        """Which rows of ``cand`` (``employee_id``, ``t``, ``target``) have, within ``minutes`` either
        side, look-ups of at least ``others`` other targets by the same employee, none of them a
        look-up in ``flagged``."""
        out = np.zeros(len(cand), dtype=bool)
        a = self.keyed()
        if a.empty:
            return out
        a = a[isin(a["employee_id"], pd.unique(cand["employee_id"])) & ~isin(a["access_id"], flagged)]
        if a.empty:
            return out
        a = a[["employee_id", "t", "target"]].sort_values(["employee_id", "t"], kind="stable")
        a = a.reset_index(drop=True)
        span = np.int64(minutes * 60 * 1_000_000_000)
        starts = a.groupby("employee_id", sort=False).indices
        times, targets = a["t"].to_numpy(), a["target"].to_numpy()
        rows = zip(
            cand["employee_id"].to_numpy(), cand["t"].to_numpy(), cand["target"].to_numpy(), strict=True
        )
        for i, (emp, t, target) in enumerate(rows):
            idx = starts.get(emp)
            if idx is None:
                continue
            lo, hi = idx[0], idx[-1] + 1
            a_lo = lo + np.searchsorted(times[lo:hi], t - span, side="left")
            a_hi = lo + np.searchsorted(times[lo:hi], t + span, side="right")
            around = targets[a_lo:a_hi]
            out[i] = len(around) >= others and len(set(around) - {target}) >= others
        return out

    def alone(self, access_ids: np.ndarray, minutes: int) -> np.ndarray:
        """Which of the look-ups ``access_ids`` have no look-up of another target by the same
        employee within ``minutes`` either side, bounds included (False when not found)."""
        out = np.zeros(len(access_ids), dtype=bool)
        a = self.keyed()
        if a.empty:
            return out
        key, span = banded_times(a["employee_id"], a["t"].to_numpy(), minutes)
        order = np.argsort(key, kind="stable")
        key = key[order]
        target = pd.factorize(a["target"].to_numpy()[order])[0]
        # changes[j]: how many times the target changed between the first look-up and the j-th
        changes = np.concatenate([[0], np.cumsum(target[1:] != target[:-1])])
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        row = pd.Index(a["access_id"].astype(object)).get_indexer(access_ids)
        known = row >= 0
        at = key[position[row[known]]]
        lo = np.searchsorted(key, at - span, "left")
        hi = np.searchsorted(key, at + span, "right")
        # alone: every look-up in its span either side is of the same target (no change inside)
        out[known] = changes[hi - 1] == changes[lo]
        return out

    def workload(self, flagged: np.ndarray) -> pd.DataFrame:
        """Per employee with unflagged look-ups, their ordinary work: ``target_days``, the sum over
        their days with look-ups (UTC) of the day's distinct targets, and ``days``, how many such
        days, counting only look-ups not in ``flagged``."""
        a = self.keyed()
        a = a[~isin(a["access_id"], set(flagged))]
        per_day = a.groupby(["employee_id", "day"], sort=False)["target"].nunique()
        g = per_day.groupby(level="employee_id", sort=True)
        out = pd.DataFrame({"target_days": g.sum(), "days": g.size()}).reset_index()
        return out.astype({"employee_id": object, "target_days": np.int64, "days": np.int64})

    def export_days(self) -> pd.DataFrame:
        """``employee_id``, ``ts``: the latest export per employee, target and UTC day, in the order
        of (employee, target, day)."""
        a = self.accesses
        if a.empty:
            return _no_rows()
        a = a[a["action"] == "export"]
        ts = _utc(a["ts"])
        target = a["target_type"].astype(object) + ":" + a["target_id"].astype(object)
        frame = pd.DataFrame(
            {"employee_id": a["employee_id"], "ts": ts, "day": ts.dt.floor("D"), "target": target}
        )
        return _latest_rows(frame, ["employee_id", "target", "day"])


class SQLLookups:
    """The same questions as :class:`FrameLookups`, answered by the queries of ``sql/score/`` on an
    :class:`~graphrisk.rules.sql.SQLRun` over the window (its ``accesses`` view): only the
    findings' rows and the features' aggregates come back to pandas. Closes the run with itself."""

    def __init__(self, run) -> None:
        self.run = run

    def __enter__(self) -> SQLLookups:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.run.close()

    @property
    def empty(self) -> bool:
        return False  # every answer is empty for an empty window anyway

    def attributes(self, access_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = pd.DataFrame({"finding_row": np.arange(len(access_ids)), "access_id": access_ids})
        got = self.run.frame("lookup_attributes", {}, {"scored": rows})
        return _flags(got, "is_cited", len(rows)), _flags(got, "is_export", len(rows))

    def colleagues(self, f: pd.DataFrame, units: pd.DataFrame) -> np.ndarray:
        # asked once per (employee, target): several rules flag the same look-ups
        keys = ["employee_id", "target_type", "target_id"]
        group = f.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        distinct = f[keys].drop_duplicates()  # in the order of ngroup's numbers
        scored = _rows(distinct, employee_id="employee_id", target_type="target_type", target_id="target_id")
        got = self.run.frame("colleagues", {}, {"scored": scored, "units": _units(units)})
        per_key = np.zeros(len(distinct), dtype=int)
        per_key[got["finding_row"].to_numpy(dtype=np.int64)] = got["lookers"].to_numpy(dtype=np.int64)
        return np.maximum(per_key[group] - 1, 0)

    def case_citations(
        self, covering: pd.DataFrame, n: int, units: pd.DataFrame | None, session_minutes: int, days: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if covering.empty:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        cover = _rows(covering, employee_id="employee_id", case_id="case_id", ts="t")
        cover["finding_row"] = covering["row"].to_numpy()
        no_units = units is None or units.empty
        got = self.run.frame(
            "case_citations",
            {"session_minutes": int(session_minutes), "support_days": int(days)},
            {"covering": cover, "units": _units(None if no_units else units)},
        )
        own, team, own_days = _flags(got, "own", n), _flags(got, "team", n), _flags(got, "own_days", n)
        return own, team & (not no_units), own_days

    def shift_days(
        self, days: pd.DataFrame, off_ids: np.ndarray, targets: int | pd.Series, hours: int
    ) -> tuple[pd.MultiIndex, pd.MultiIndex]:
        work_days = days[["employee_id", "day"]].drop_duplicates()
        got = self.run.frame(
            "shift_days",
            {"hours": int(hours)},
            {"work_days": work_days.assign(day=_naive(work_days["day"])),
             "off_shift": pd.DataFrame({"access_id": pd.unique(np.asarray(off_ids, dtype=object))}),
             "day_targets": day_targets_frame(days, targets)},
        )  # fmt: skip
        got["day"] = _naive(got["day"])

        def keys(which: str) -> pd.MultiIndex:
            part = got[got["look_ups"] == which]
            arrays = [part["employee_id"].to_numpy(dtype=object), part["day"].to_numpy()]
            return pd.MultiIndex.from_arrays(arrays, names=["employee_id", "day"])

        return keys("all"), keys("off")

    def routine(self, cand: pd.DataFrame, flagged: np.ndarray, minutes: int, others: int) -> np.ndarray:
        candidates = _rows(cand, employee_id="employee_id", ts="t", target="target")
        flagged = pd.DataFrame({"access_id": pd.unique(np.asarray(flagged, dtype=object))})
        got = self.run.frame(
            "routine",
            {"routine_minutes": int(minutes), "routine_others": int(others)},
            {"candidates": candidates, "flagged": flagged, "hour_shifts": _hour_shifts(minutes)},
        )
        return _flags(got.assign(routine=True), "routine", len(cand))

    def alone(self, access_ids: np.ndarray, minutes: int) -> np.ndarray:
        scored = pd.DataFrame({"finding_row": np.arange(len(access_ids)), "access_id": access_ids})
        got = self.run.frame(
            "alone", {"alone_minutes": int(minutes)}, {"scored": scored, "hour_shifts": _hour_shifts(minutes)}
        )
        return _flags(got.assign(alone=True), "alone", len(access_ids))

    def export_days(self) -> pd.DataFrame:
        return _typed(self.run.frame("export_days", {}, {}))

    def workload(self, flagged: np.ndarray) -> pd.DataFrame:
        flagged = pd.DataFrame({"access_id": pd.unique(np.asarray(flagged, dtype=object))})
        got = self.run.frame("workload", {}, {"flagged": flagged})
        got = got.sort_values("employee_id", kind="stable").reset_index(drop=True)
        return got.astype({"employee_id": object, "target_days": np.int64, "days": np.int64})


def as_lookups(accesses) -> FrameLookups | SQLLookups:
    """``accesses`` as something to ask: a frame of the window's look-ups becomes a :class:`FrameLookups`."""
    if isinstance(accesses, pd.DataFrame):
        return FrameLookups(accesses)
    return accesses


def day_targets_frame(days: pd.DataFrame, targets: int | pd.Series) -> pd.DataFrame:
    """(``employee_id``, ``targets``) for every employee of ``days``: the distinct targets a day of
    theirs needs to have the shape of a shift, one number for all or one per employee id."""
    ids = pd.unique(days["employee_id"].to_numpy(dtype=object))
    if isinstance(targets, pd.Series):
        need = targets.reindex(ids).to_numpy()
        if pd.isna(need).any():
            raise ValueError("shift_days: no day targets for some employees")
    else:
        need = np.full(len(ids), targets)
    return pd.DataFrame({"employee_id": ids, "targets": need.astype(np.int64)})


def keyed(accesses: pd.DataFrame) -> pd.DataFrame:
    """The access log with the keys the signals group on: ``target`` (``type:id``), ``t`` (UTC
    nanoseconds), ``day`` and ``hour``; a log that has them already is returned as it is."""
    if "target" in accesses.columns:
        return accesses
    ts = pd.to_datetime(accesses["ts"], utc=True)
    return accesses.assign(
        target=(
            accesses["target_type"].astype(object) + ":" + accesses["target_id"].astype(object)
        ).to_numpy(),
        t=nanos(ts),
        day=naive_day(ts.dt.floor("D")),
        hour=ts.dt.hour.to_numpy(),
    )


def banded_times(employee_ids, t: np.ndarray, minutes: int) -> tuple[np.ndarray, np.int64]:
    """One time axis for many employees' look-ups, and ``minutes`` on it.

    Each employee's times (``t``, UTC nanoseconds) lie in a band of their own, employees in the
    order of their sorted ids, so that one sorted key and searchsorted find every look-up's span
    either side; a band wider than the window plus twice the span never reaches into the next
    employee's. In microseconds, the log's own precision (exact bounds, as in SQL), unless the
    window is years long: then coarser.
    """
    n = pd.Series(employee_ids).nunique() + 1
    for tick in (1_000, 1_000_000, 1_000_000_000):
        time = np.asarray(t) // tick
        time = time - time.min()
        span = np.int64(minutes) * 60_000_000_000 // tick
        band = int(time.max()) + 2 * int(span) + 1
        if band * n < 2**62:
            break
    emp = pd.factorize(employee_ids, sort=True)[0].astype(np.int64)
    return emp * band + time, span


def nanos(ts) -> np.ndarray:
    """UTC nanoseconds since the epoch."""
    return (
        pd.to_datetime(pd.Series(ts), utc=True)
        .dt.tz_localize(None)
        .to_numpy(dtype="datetime64[ns]")
        .astype(np.int64)
    )


def naive_day(day) -> np.ndarray:
    """UTC days as naive ``datetime64[ns]``."""
    s = pd.Series(day)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    return s.to_numpy(dtype="datetime64[ns]")


# ---------------------------------------------------------------- helpers


def _latest_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The latest ``ts`` per ``keys``, sorted by them: the order the features add up their decays."""
    per = frame.groupby(keys, sort=True)["ts"].max()
    out = pd.DataFrame({"employee_id": per.index.get_level_values("employee_id").to_numpy(dtype=object)})
    out["ts"] = per.reset_index(drop=True)
    return out


def _rows(frame: pd.DataFrame, **columns: str) -> pd.DataFrame:
    """An input frame for the SQL: ``finding_row`` (the position) and ``columns`` (new name: column of
    ``frame``); a column ``ts`` holds UTC nanoseconds and becomes a timestamp."""
    out = pd.DataFrame({"finding_row": np.arange(len(frame))})
    for name, column in columns.items():
        values = frame[column].to_numpy()
        out[name] = pd.to_datetime(values.astype(np.int64), utc=True) if name == "ts" else values
    return out


def _hour_shifts(minutes: int) -> pd.DataFrame:
    """``shift``: the clock hours, from -k to k, that a span of ``minutes`` either side of a look-up
    can reach from the look-up's own (k = ceil(minutes / 60)): what ``alone.sql`` and ``routine.sql``
    join on with the employee, instead of pairing every look-up of the employee in the window."""
    hours = -(-int(minutes) // 60)
    return pd.DataFrame({"shift": np.arange(-hours, hours + 1, dtype=np.int64)})


def _no_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {"employee_id": pd.Series(dtype=object), "ts": pd.Series(dtype="datetime64[ns, UTC]")}
    )


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    # the times stay a datetime column: to_numpy() of a zoned one makes a Timestamp object per row
    out = pd.DataFrame({"employee_id": frame["employee_id"].to_numpy(dtype=object)})
    out["ts"] = _utc(frame["ts"]).reset_index(drop=True)
    return out


def _utc(ts) -> pd.Series:
    return pd.to_datetime(ts, utc=True).astype("datetime64[ns, UTC]")


def _flags(got: pd.DataFrame, column: str, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    if len(got):
        out[got["finding_row"].to_numpy(dtype=np.int64)] = got[column].fillna(False).to_numpy(dtype=bool)
    return out


def _units(units: pd.DataFrame | None) -> pd.DataFrame:
    if units is None:
        return pd.DataFrame({"employee_id": pd.Series(dtype=object), "unit_id": pd.Series(dtype=object)})
    return pd.DataFrame({"employee_id": units["employee_id"].to_numpy(dtype=object),
                         "unit_id": units["unit_id"].to_numpy(dtype=object)})  # fmt: skip


def _naive(day) -> np.ndarray:
    return naive_day(pd.to_datetime(pd.Series(day)).dt.floor("D"))
