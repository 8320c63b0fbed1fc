"""Retention: what ``graphrisk purge`` removes from a store, and when it is old enough to go.

The retention period is measured back from now (or ``--as-of``) to the *cut*;
what lies wholly before the cut is removed, on both stores by the same rules
(docs/privacy.md, "Retention", says why each is or is not removed):

- **look-ups** (``access_log`` rows, Neo4j ``Access`` nodes with their
  ``PERFORMED``, ``TARGETED``, ``JUSTIFIED_BY`` and ``CONCERNS`` relationships)
  whose ``ts`` is before the cut;
- **shifts** that ended before the cut (``end_ts``): they only place look-ups of their own time;
- **case assignments** whose ``end_date`` is a day before the cut's day: they only justify
  look-ups of their own time, and say who worked on what;
- **departed employees** whose ``end_date`` is a day before the cut's day and who have no
  look-up, shift or case assignment left (the employee row, not their own person record);
- on Neo4j, what scoring wrote back: **findings** (``Finding`` nodes) about a look-up before the
  cut or written by a scoring run as of before it, and the ``risk_*`` **scores** on employees
  scored as of before the cut.

Everything else (areas, units, persons, addresses, vehicles, cases, case subjects, planned actions,
relations, organisations, memberships) is a copy of the police's own registrations that each load
refreshes; its retention is that of the source system. The audit log is never purged here.

>>> cut_for("18m", "2026-03-31T12:00:00Z")
Timestamp('2024-09-30 12:00:00+0000', tz='UTC')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.frames import isin

__all__ = [
    "DEFAULT_RETENTION",
    "PURGED_KINDS",
    "PurgeSummary",
    "cut_for",
    "parse_period",
    "purge_tables",
]

#: The default retention period (docs/privacy.md, "Retention", gives the reasoning; a site sets its own).
DEFAULT_RETENTION = "18m"

#: What a purge counts, in report order, with what each is called in a sentence.
PURGED_KINDS: dict[str, str] = {
    "accesses": "look-ups",
    "shifts": "shifts",
    "case_assignments": "case assignments",
    "employees": "departed employees",
    "findings": "written-back findings",
    "scores": "written-back scores",
}

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*(d|w|m|y)\s*$", re.IGNORECASE)
#: No retention is longer than the contract's span of dates (graphrisk.contract.EARLIEST..LATEST).
_LONGEST_YEARS = 200


def parse_period(text: str) -> pd.DateOffset | pd.Timedelta:
    """A retention period: ``540d``, ``78w``, ``18m`` (months, not minutes) or ``2y``.

    Days and weeks are read by the scoring window's parser; months and years are
    calendar months and years (18 months before 31 March is 30 September).

    >>> parse_period("540d"), parse_period("18m")
    (Timedelta('540 days 00:00:00'), <DateOffset: months=18>)
    >>> parse_period("18")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphrisk.errors.UsageError: --older-than '18': write a positive number of days, ... (m is months)
    """
    m = _PERIOD_RE.match(str(text))
    if not m or int(m.group(1)) == 0:
        raise UsageError(
            f"--older-than {text!r}: write a positive number of days, weeks, months or years, "
            "e.g. 540d, 78w, 18m, 2y (m is months)"
        )
    n, unit = int(m.group(1)), m.group(2).lower()
    years = {"d": n / 365, "w": n * 7 / 365, "m": n / 12, "y": n}[unit]
    if years > _LONGEST_YEARS:
        raise UsageError(f"--older-than {text!r} is longer than any data set can span")
    if unit in ("d", "w"):
        from graphrisk.durations import parse_window  # the one parser of day and week lengths

        return parse_window(f"{n}{unit}")
    return pd.DateOffset(months=n) if unit == "m" else pd.DateOffset(years=n)


def cut_for(period: str, as_of=None) -> pd.Timestamp:
    """The cut: ``as_of`` (default now; a date means its end, UTC) minus the period, in UTC.

    >>> cut_for("30d", "2026-03-31")
    Timestamp('2026-03-02 00:00:00+0000', tz='UTC')
    """
    length = parse_period(period)
    if as_of is None:
        end = pd.Timestamp.now(tz="UTC")
    else:
        text = str(as_of).strip()
        try:
            end = pd.Timestamp(text)
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a date or ISO 8601 timestamp") from None
        if pd.isna(end):
            raise UsageError(f"--as-of {as_of!r} is not a date or ISO 8601 timestamp")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            end = end + pd.Timedelta(days=1)  # the end of that day, as score --as-of reads a date
        end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    return end - length


def cut_day(cut: pd.Timestamp) -> pd.Timestamp:
    """The UTC day of the cut: a row dated by day is gone when its day is before this one.

    An assignment ending on the cut's own day may still justify a look-up that day (bounds are
    inclusive, graphrisk.rules.context), so it stays.
    """
    return cut.tz_convert("UTC").tz_localize(None).floor("D")


@dataclass
class PurgeSummary:
    """What a purge removed (or, with ``dry_run``, would remove) from one store.

    ``removed`` names only what the store holds: the embedded store has no
    written-back findings or scores.
    """

    store: str
    location: str
    cut: pd.Timestamp
    dry_run: bool
    removed: dict[str, int] = field(default_factory=dict)
    accesses_left: int = 0

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def to_dict(self) -> dict:
        return {
            "store": self.store,
            "location": self.location,
            "cut": self.cut.isoformat(),
            "dry_run": self.dry_run,
            "removed": dict(self.removed),
            "total": self.total,
            "accesses_left": self.accesses_left,
        }


def purge_tables(
    tables: dict[str, pd.DataFrame], cut: pd.Timestamp
) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """The embedded store's purge: the tables without what lies before ``cut``, and counts per kind.

    Pure (no store): the Neo4j statements in ``cypher/purge/`` apply the same
    predicates, and the tests hold both stores to the same result.

    >>> t = {"access_log": pd.DataFrame({"access_id": ["X1", "X2"],
    ...      "ts": pd.to_datetime(["2024-01-01T10:00Z", "2026-01-01T10:00Z"], utc=True)})}
    >>> kept, removed = purge_tables(t, pd.Timestamp("2025-01-01", tz="UTC"))
    >>> list(kept["access_log"].access_id), removed
    (['X2'], {'accesses': 1, 'shifts': 0, 'case_assignments': 0, 'employees': 0})
    """
    cut = cut.tz_convert("UTC")
    day = cut_day(cut)
    kept = dict(tables)
    removed = {"accesses": 0, "shifts": 0, "case_assignments": 0, "employees": 0}

    def keep(name: str, kind: str, gone: pd.Series) -> None:
        gone = gone.fillna(False).astype(bool)
        removed[kind] = int(gone.sum())
        if removed[kind]:
            kept[name] = tables[name][~gone.to_numpy()].reset_index(drop=True)

    if "access_log" in tables:
        keep("access_log", "accesses", tables["access_log"]["ts"] < cut)
    if "shifts" in tables:
        keep("shifts", "shifts", tables["shifts"]["end_ts"] < cut)
    if "case_assignments" in tables:
        keep("case_assignments", "case_assignments", tables["case_assignments"]["end_date"] < day)
    if "employees" in tables:
        employees = tables["employees"]
        still_named = pd.concat(
            [kept[n]["employee_id"] for n in ("access_log", "shifts", "case_assignments") if n in kept]
            or [pd.Series([], dtype="string[pyarrow]")]
        ).astype("string[pyarrow]")
        departed = employees["end_date"] < day
        keep("employees", "employees", departed & ~isin(employees["employee_id"], still_named))
    return kept, removed
