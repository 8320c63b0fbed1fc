"""The access log drawn and written one day at a time, so that a month of national log fits in memory.

The whole-window path (:func:`graphrisk.generate.build_world`) draws the ordinary look-ups of every
shift of the log at once: at national scale (65,000 employees, about 30 million log lines a day)
that is several GiB per day of log, and a 30-day window does not fit. This path draws the same
model, with the same registers, shifts and planted scenarios, but the ordinary look-ups (and the
repeated log lines) of one day's shifts at a time, each day from a random stream of its own, and
hands each day's log lines to the writer as soon as no later day can add a line before its end.

The world is the same model; the draws are not the same as the whole-window path's (a numpy stream
drawn for all shifts at once cannot be replayed day by day), so a seed gives another access log
on this path, byte-identical from run to run. Everything but ``access_log`` is byte-identical to
the whole-window path's. :func:`graphrisk.generate.generate` takes this path for the national
preset beyond one day (or when asked: ``by_day=True``, ``graphrisk generate --by-day``).

**Why a day is final when the next one starts.** Day ``k``'s batch holds the ordinary look-ups
of the shifts that start on local day ``k`` and the planted look-ups timed on it. Repeated lines
only come later than their look-up, so once batch ``k`` is drawn no later batch can add a line
before the end of day ``k``: those lines are sorted (time, employee, a random tie, as the whole
path sorts) and written; the rest (a night shift's hours after midnight) wait for the next day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from graphrisk.generate._common import DAY, HOUR, local_to_utc, offsets
from graphrisk.generate.activity import (
    _LOOKUPS_PER_SHIFT,
    Events,
    Shifts,
    World,
    busy_factors,
    normal_events,
    repeat_lines,
)
from graphrisk.generate.noise import (
    drop_work_elsewhere,
    duplicate_lines,
    skew_clocks,
    to_duplicates,
    unregistered,
)

__all__ = ["DayLog"]


class DayLog:
    """The access log of a world, day by day: iterate for each day's sorted :class:`Events`.

    Parameters
    ----------
    world, shifts : the world and its (real, not recorded) shifts.
    planted : the planted look-ups of the whole window (scenarios, look-alikes, a profile's
        extra look-ups): a small share of the log, drawn once.
    streams : ``streams(name)`` gives the model's random stream called ``name`` (the seed's).
    activity, lines_per_lookup : the preset's.
    noise, extra : the profile's knobs and extra look-ups (None for baseline).
    clock : the profile's clock errors (:class:`~graphrisk.generate.noise.Clocks`), None for none.
    """

    def __init__(
        self,
        world: World,
        shifts: Shifts,
        planted: Events,
        streams: Callable[[str], np.random.Generator],
        *,
        activity: float,
        lines_per_lookup: float,
        noise=None,
        extra=None,
        clock=None,
    ) -> None:
        self.world, self.shifts, self.planted, self.streams = world, shifts, planted, streams
        self.activity, self.lines_per_lookup = activity, lines_per_lookup
        self.noise = noise if noise is not None and noise.enabled else None
        self.extra = extra
        self.clock = clock  # a profile's clock errors (noise.Clocks), None for none
        # local midnights from the day before the log (its night shifts spill into the log) to its end
        self.edges = local_to_utc(np.arange(world.day - 1, world.day + world.days + 1) * DAY)
        # a trait of the employee, not of the day: drawn once for the window
        self.busy = busy_factors(streams("activity/busy"), world.org.n_employees)

    def expected_lines(self) -> int:
        """About how many lines the log will hold: the model's mean, from the shifts alone.

        The writer needs the width of the access ids before the first day is drawn.
        """
        role = self.world.org.emp_role[self.shifts.emp]
        hours = (self.shifts.end - self.shifts.start) / HOUR
        lookups = float(np.sum(_LOOKUPS_PER_SHIFT[role] * hours / 8.5)) * self.activity + len(self.planted)
        return int(lookups * max(self.lines_per_lookup, 1.0))

    def __iter__(self) -> Iterator[Events]:
        world, shifts = self.world, self.shifts
        n_days = len(self.edges) - 1
        shift_day = np.clip(np.searchsorted(self.edges, shifts.start, side="right") - 1, 0, n_days - 1)
        planted_day = np.clip(np.searchsorted(self.edges, self.planted.ts, side="right") - 1, 0, n_days - 1)
        waiting = self.planted.rows(np.zeros(0, dtype=np.int64))
        for k in range(n_days):
            batch = Events.concat([self._normal(k, shift_day == k), self.planted.rows(planted_day == k)])
            batch = unregistered(batch, self.extra)  # cases registered late (profiles)
            batch = repeat_lines(self.streams(f"lines/day-{k}"), batch, self.lines_per_lookup)
            if self.noise is not None:
                batch = duplicate_lines(self.streams(f"duplicates/day-{k}"), batch, self.noise)
                batch = skew_clocks(batch, self.clock)  # lines only move later: a day still ends
            waiting = Events.concat([waiting, batch])
            del batch
            final = waiting.ts < self.edges[k + 1]
            day, waiting = waiting.rows(final), waiting.rows(~final)
            inside = (day.ts >= world.start) & (day.ts < world.end)
            day = day.rows(inside)
            if not len(day):
                continue
            tie = self.streams(f"order/day-{k}").random(len(day))
            ordered = day.rows(np.lexsort((tie, day.emp, day.ts)))
            del day, tie
            ordered = to_duplicates(ordered, world.pop)  # persons with a second record (profiles)
            yield ordered
            del ordered  # the writer has written it: gone before the next day is drawn

    def _normal(self, k: int, mask: np.ndarray) -> Events:
        """The ordinary look-ups of the shifts ``mask`` selects (those starting on day ``k``)."""
        s = self.shifts
        emp = s.emp[mask]
        some = Shifts(emp, s.start[mask], s.end[mask], s.area[mask], offsets(emp, self.world.org.n_employees))
        rng = self.streams(f"activity/day-{k}")
        if self.noise is None:
            return normal_events(rng, self.world, some, self.activity, busy=self.busy)
        extra = self.streams(f"activity-noise/day-{k}")
        events = normal_events(rng, self.world, some, self.activity, self.noise, extra, busy=self.busy)
        return drop_work_elsewhere(events, self.extra, self.world.org.n_employees)
