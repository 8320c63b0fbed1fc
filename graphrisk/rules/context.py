"""The embedded engine's view of a store: the tables plus the derived relations the rules share.

Each derived relation is computed once, on first use, with vectorised pandas
joins; the definitions match the Cypher implementations in ``cypher/detect/``
word for word (see the docstrings), which the conformance tests check.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from graphrisk.contract import TABLES
from graphrisk.frames import isin

__all__ = ["Context"]


def _utc(value) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


class Context:
    """Tables of one store, with the access log cut to ``since <= ts < until``."""

    def __init__(self, tables: dict[str, pd.DataFrame], since=None, until=None) -> None:
        self.tables = tables
        self.since = _utc(since)
        self.until = _utc(until)

    def has(self, name: str) -> bool:
        return name in self.tables and len(self.tables[name]) > 0

    def table(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[name].column_names})

    @cached_property
    def all_accesses(self) -> pd.DataFrame:
        """Every access with ``day``: the UTC date of ``ts`` (as midnight, comparable with dates)."""
        log = self.table("access_log").copy()
        log["day"] = log["ts"].dt.tz_convert("UTC").dt.tz_localize(None).dt.floor("D").astype("datetime64[s]")
        return log

    @cached_property
    def accesses(self) -> pd.DataFrame:
        """The accesses in the window."""
        log = self.all_accesses
        keep = pd.Series(True, index=log.index)
        if self.since is not None:
            keep &= log["ts"] >= self.since
        if self.until is not None:
            keep &= log["ts"] < self.until
        return log[keep]

    @cached_property
    def target_persons(self) -> pd.DataFrame:
        """(access_id, person_id) for every person an access resolves to.

        A person target is that person; a vehicle its registered owner; an address every
        person living there; a case no one.
        """
        a = self.accesses[["access_id", "target_type", "target_id"]]
        parts = [a[a.target_type == "person"].assign(person_id=lambda d: d.target_id)]
        if self.has("vehicles"):
            v = self.table("vehicles")[["vehicle_id", "owner_person_id"]]
            veh = a[a.target_type == "vehicle"].merge(v, left_on="target_id", right_on="vehicle_id")
            parts.append(veh.assign(person_id=veh.owner_person_id))
        p = self.table("persons")[["person_id", "address_id"]].dropna(subset=["address_id"])
        adr = a[a.target_type == "address"].merge(p, left_on="target_id", right_on="address_id")
        parts.append(adr)
        out = pd.concat([x[["access_id", "person_id"]] for x in parts], ignore_index=True)
        return out.drop_duplicates().reset_index(drop=True)

    @cached_property
    def access_targets(self) -> pd.DataFrame:
        """Accesses joined with their resolved persons (one row per access and person)."""
        return self.accesses.merge(self.target_persons, on="access_id")

    @cached_property
    def active_assignments(self) -> pd.DataFrame:
        """(access_id, case_id) where the employee was assigned to the case on the access's UTC day."""
        if not self.has("case_assignments"):
            return pd.DataFrame({"access_id": pd.Series(dtype=object), "case_id": pd.Series(dtype=object)})
        asg = self.table("case_assignments")[["case_id", "employee_id", "start_date", "end_date"]]
        a = self.accesses[["access_id", "employee_id", "day"]]
        m = a.merge(asg, on="employee_id")
        ok = (m.start_date <= m.day) & (m.end_date.isna() | (m.day <= m.end_date))
        return m.loc[ok, ["access_id", "case_id"]].drop_duplicates()

    @cached_property
    def justified(self) -> pd.DataFrame:
        """(access_id, person_id) pairs that the access's cited case justifies.

        justified(a, p) := a cites case c, the employee is assigned to c on the day of a,
        and p is a subject of c.
        """
        if not self.has("case_subjects"):
            return pd.DataFrame({"access_id": pd.Series(dtype=object), "person_id": pd.Series(dtype=object)})
        cited = self.accesses[["access_id", "case_id"]].dropna(subset=["case_id"])
        valid = cited.merge(self.active_assignments, on=["access_id", "case_id"])
        subj = self.table("case_subjects")[["case_id", "person_id"]]
        return valid.merge(subj, on="case_id")[["access_id", "person_id"]].drop_duplicates()

    @cached_property
    def justified_accesses(self) -> pd.Index:
        """Ids of accesses their cited case justifies as a whole.

        justified(a) := some person a resolves to is justified by a's case (see ``justified``),
        or a's target is the case it cites and the employee is assigned to it on the day.
        """
        by_person = self.justified.merge(self.target_persons, on=["access_id", "person_id"])["access_id"]
        a = self.accesses
        own_case = a[(a.target_type == "case") & (a.target_id == a.case_id)][["access_id", "case_id"]]
        own_case = own_case.merge(self.active_assignments, on=["access_id", "case_id"])["access_id"]
        return pd.Index(pd.concat([by_person, own_case]).unique())

    @cached_property
    def partner_edges(self) -> pd.DataFrame:
        """(a, b) for every partner relation, both directions, self-loops dropped."""
        if not self.has("relations"):
            return pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=object)})
        r = self.table("relations")
        r = r[(r.kind == "partner") & (r.person_id != r.other_person_id)]
        both = pd.concat(
            [
                r[["person_id", "other_person_id"]].set_axis(["a", "b"], axis=1),
                r[["other_person_id", "person_id"]].set_axis(["a", "b"], axis=1),
            ],
            ignore_index=True,
        )
        return both.drop_duplicates()

    @cached_property
    def _unjustified_targets(self) -> pd.DataFrame:
        t = self.access_targets
        if self.justified.empty:
            return t
        key = t["access_id"] + "|" + t["person_id"]
        justified = self.justified["access_id"] + "|" + self.justified["person_id"]
        return t[~isin(key, justified)].reset_index(drop=True)

    def unjustified_targets(self) -> pd.DataFrame:
        """Accesses with each resolved person that the access does not justify (a shared frame:
        callers must not modify it in place)."""
        return self._unjustified_targets

    @cached_property
    def relation_edges(self) -> pd.DataFrame:
        """Undirected relation edges (a, b, kind): both directions, self-loops dropped,
        one row per ordered pair with the alphabetically first kind."""
        if not self.has("relations"):
            return pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=object), "kind": []})
        r = self.table("relations")[["person_id", "other_person_id", "kind"]]
        both = pd.concat(
            [
                r.rename(columns={"person_id": "a", "other_person_id": "b"}),
                r.rename(columns={"other_person_id": "a", "person_id": "b"}),
            ],
            ignore_index=True,
        )
        both = both[both.a != both.b]
        return both.groupby(["a", "b"], as_index=False, sort=False)["kind"].min()

    def paths_from(
        self, sources: pd.DataFrame, max_hops: int, targets: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Shortest relation paths of 1..max_hops from ``sources.source`` persons.

        Returns (source, person_id, path_persons, path_kinds). Among shortest paths the
        one whose intermediate person id is smallest wins; kinds per hop are the
        alphabetically first. ``targets`` (a frame with ``source`` and ``person_id``)
        limits the result to the pairs asked about.
        """
        e = self.relation_edges
        src = sources[["source"]].drop_duplicates()
        one = src.merge(e, left_on="source", right_on="a")
        one = one.rename(columns={"b": "person_id", "kind": "k1"})[["source", "person_id", "k1"]]
        one = one[one.person_id != one.source]
        out = [
            one.assign(
                path_persons=[[s, p] for s, p in zip(one.source, one.person_id, strict=True)],
                path_kinds=[[k] for k in one.k1],
                hops=1,
            )
        ]
        if max_hops >= 2:
            mid = one.rename(columns={"person_id": "via"})
            two = mid.merge(e, left_on="via", right_on="a").rename(columns={"b": "person_id", "kind": "k2"})
            two = two[(two.person_id != two.source) & (two.person_id != two.via)]
            if targets is not None:
                two = two.merge(
                    targets[["source", "person_id"]].drop_duplicates(), on=["source", "person_id"]
                )
            two = two.sort_values(["source", "person_id", "via"], kind="stable").drop_duplicates(
                ["source", "person_id"]
            )
            out.append(
                two.assign(
                    path_persons=[
                        [s, v, p] for s, v, p in zip(two.source, two.via, two.person_id, strict=True)
                    ],
                    path_kinds=[[k1, k2] for k1, k2 in zip(two.k1, two.k2, strict=True)],
                    hops=2,
                )
            )
        paths = pd.concat(out, ignore_index=True)
        if targets is not None:
            paths = paths.merge(
                targets[["source", "person_id"]].drop_duplicates(), on=["source", "person_id"]
            )
        paths = paths.sort_values(["source", "person_id", "hops"], kind="stable")
        paths = paths.drop_duplicates(["source", "person_id"])
        return paths[["source", "person_id", "path_persons", "path_kinds"]].reset_index(drop=True)

    @cached_property
    def area_ancestors(self) -> pd.DataFrame:
        """(area_id, ancestor_id) for every area and each of its ancestors, itself included."""
        areas = self.table("areas")[["area_id", "parent_area_id"]]
        parent = dict(zip(areas.area_id, areas.parent_area_id, strict=True))
        rows = []
        for area in areas.area_id:
            node, seen = area, set()
            while isinstance(node, str) and node not in seen:
                rows.append((area, node))
                seen.add(node)
                node = parent.get(node)
        return pd.DataFrame(rows, columns=["area_id", "ancestor_id"])

    @cached_property
    def open_cases_by_day(self) -> pd.DataFrame:
        """The cases with their open interval: opened_on .. closed_on (or open-ended if status is open)."""
        if not self.has("cases"):
            return pd.DataFrame(
                columns=["case_id", "opened_on", "closed_on", "status", "unit_id", "sensitivity"]
            )
        return self.table("cases")[["case_id", "opened_on", "closed_on", "status", "unit_id", "sensitivity"]]

    @staticmethod
    def open_on(frame: pd.DataFrame) -> pd.Series:
        """Whether the case of each row was open on the row's ``day``.

        open(c, d) := c.opened_on <= d and (d <= c.closed_on, or c.closed_on is empty and c.status = open)
        """
        closed = frame["closed_on"]
        return (frame["opened_on"] <= frame["day"]) & (
            (closed.notna() & (frame["day"] <= closed)) | (closed.isna() & (frame["status"] == "open"))
        )
