"""The limits on what one analyst command may ask of a store: time, hops, nodes and rows.

Every number here is documented in ``docs/analyst.md`` ("Limits"); a value beyond a maximum is
refused with a usage error (exit 2) before anything runs, a query that runs past its time is
stopped with :class:`~graphrisk.errors.QueryTimeoutError` (exit 5).

The maxima were chosen on the sample data set (``datasets/sample``, 440 employees, 9,000 persons,
56,000 look-ups), where the largest allowed ``explore`` and ``paths`` finish in seconds; see
``docs/analyst.md`` for the measurements.

>>> check_range("--hops", 3, 1, EXPLORE_MAX_HOPS)
3
>>> check_range("--hops", 1000000, 1, EXPLORE_MAX_HOPS)
Traceback (most recent call last):
...
graphrisk.errors.UsageError: --hops 1000000 is more than 6, the most allowed
"""

from __future__ import annotations

import time

from graphrisk.errors import QueryTimeoutError, UsageError

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "EXPLORE_MAX_HOPS",
    "EXPLORE_MAX_NODES",
    "EXPLORE_MAX_PER_GROUP",
    "MAX_ROWS",
    "MAX_TIMEOUT",
    "MIN_TIMEOUT",
    "PATHS_MAX_HOPS",
    "PATHS_MAX_LIMIT",
    "TIMEOUT_ENV",
    "Deadline",
    "check_range",
]

#: Seconds one analyst command (a query, an explore, a path search) may run; per command, so an
#: explore of several queries shares it. ``--timeout`` or the environment variable changes it.
DEFAULT_TIMEOUT = 60.0
MIN_TIMEOUT = 0.1
MAX_TIMEOUT = 3600.0
TIMEOUT_ENV = "GRAPHRISK_QUERY_TIMEOUT"

#: Rows shown of a named or ad-hoc query (``--max-rows``), like Neo4j Browser's "max rows": the
#: first N are shown and the output says it was cut.
DEFAULT_MAX_ROWS = 1_000
MAX_ROWS = 100_000

#: ``explore`` and ``export``: ``--hops``, ``--max-nodes``, ``--per-group``.
EXPLORE_MAX_HOPS = 6
EXPLORE_MAX_NODES = 2_000
EXPLORE_MAX_PER_GROUP = 100

#: ``paths``: ``--max-hops`` and ``--limit`` (how many paths).
PATHS_MAX_HOPS = 8
PATHS_MAX_LIMIT = 50


def check_range(option: str, value: int | float, low: int | float, high: int | float) -> int | float:
    """``value`` if ``low <= value <= high``, else a :class:`UsageError` naming ``option``."""
    if value < low:
        raise UsageError(f"{option} {value} is less than {low}, the least allowed")
    if value > high:
        raise UsageError(f"{option} {value} is more than {high}, the most allowed")
    return value


class Deadline:
    """The time left to one command: every query it sends gets what remains, and the work between
    queries (networkx on either store) checks it.

    >>> d = Deadline(60)
    >>> 59 < d.remaining() <= 60
    True
    >>> Deadline(None).remaining() is None
    True
    """

    def __init__(self, seconds: float | None, what: str | None = None) -> None:
        self.seconds = seconds
        self.what = what  #: the command, named in the message (else the step that ran out)
        self.ends = None if seconds is None else time.monotonic() + seconds

    def remaining(self, what: str = "the query") -> float | None:
        """Seconds left (at least a millisecond, so a server never reads it as "no limit"), or
        None without a limit; raises :class:`QueryTimeoutError` when none is left."""
        if self.ends is None:
            return None
        left = self.ends - time.monotonic()
        if left <= 0:
            raise self.expired(what)
        return max(left, 0.001)

    def check(self, what: str = "the query") -> None:
        """Raise :class:`QueryTimeoutError` if the time is up."""
        if self.ends is not None and time.monotonic() >= self.ends:
            raise self.expired(what)

    def expired(self, what: str = "the query") -> QueryTimeoutError:
        return QueryTimeoutError(timeout_message(self.what or what, self.seconds))


def timeout_message(what: str, seconds: float | None) -> str:
    """What to tell the user when ``what`` ran out of its ``seconds``.

    >>> timeout_message("ad-hoc", 2.5)  # doctest: +ELLIPSIS
    'ad-hoc: stopped after 2.5 s, the time limit of one command; nothing was changed. ...'
    """
    return (
        f"{what}: stopped after {seconds:g} s, the time limit of one command; nothing was changed. "
        f"Narrow the query, or give it more time with --timeout SECONDS or {TIMEOUT_ENV} "
        f"(default {DEFAULT_TIMEOUT:g}, at most {MAX_TIMEOUT:g})"
    )
