"""Helpers shared by the generator's modules: random streams, time, sampling.

Every part of the model draws from its own stream, derived from the seed and
the part's name, so that changing one part does not shift the draws of the
others. All times are integer seconds since the Unix epoch; dates are integer
days since the epoch.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = [
    "DAY",
    "HOUR",
    "MINUTE",
    "NO_DATE",
    "choose",
    "day_number",
    "elapsed_in_runs",
    "local_to_utc",
    "moment_in_shift",
    "offsets",
    "runs",
    "stream",
    "uniform_in",
    "utc_to_local",
    "weekday",
    "weighted_in",
]

MINUTE = 60
HOUR = 3_600
DAY = 86_400
NO_DATE = np.iinfo(np.int32).min  # an empty date or time

_EPOCH = np.datetime64("1970-01-01", "D")


def stream(seed: int, name: str) -> np.random.Generator:
    """A random generator for the part of the model called ``name``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def day_number(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date.

    >>> day_number("1970-01-02")
    1
    """
    return int((np.datetime64(iso, "D") - _EPOCH).astype(np.int64))


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 for day numbers (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def _last_sunday(year: int, month: int) -> int:
    nxt = np.datetime64(f"{year + (month == 12)}-{month % 12 + 1:02d}-01", "D")
    last = int((nxt - np.timedelta64(1, "D") - _EPOCH).astype(np.int64))
    return last - (int(weekday(last)) - 6) % 7


def _dst_bounds(years: np.ndarray) -> list[tuple[int, int, int]]:
    """(year, start, end) of summer time in UTC seconds, the EU rule (01:00 UTC)."""
    return [(y, _last_sunday(y, 3) * DAY + HOUR, _last_sunday(y, 10) * DAY + HOUR) for y in years]


def _years(seconds: np.ndarray) -> np.ndarray:
    if len(seconds) == 0:
        return np.empty(0, dtype=np.int64)
    lo, hi = int(seconds.min()), int(seconds.max())
    first = int(np.datetime64(lo, "s").astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int(np.datetime64(hi, "s").astype("datetime64[Y]").astype(np.int64)) + 1970
    if last - first > 200:  # an empty date (NO_DATE) among the times: its "years" run to millions
        raise ValueError(f"clock times from year {first} to {last}: an empty date among them?")
    return np.arange(first, last + 1)


def local_to_utc(local: np.ndarray) -> np.ndarray:
    """Europe/Amsterdam wall-clock seconds to UTC seconds.

    Wall-clock times in the missing hour of spring are read as summer time,
    the repeated hour of autumn as winter time.

    >>> int(local_to_utc(np.array([day_number("2026-01-15") * DAY + 8 * HOUR]))[0] % DAY // HOUR)
    7
    >>> int(local_to_utc(np.array([day_number("2026-07-15") * DAY + 8 * HOUR]))[0] % DAY // HOUR)
    6
    """
    local = np.asarray(local, dtype=np.int64)
    summer = np.zeros(local.shape, dtype=bool)
    for _, start, end in _dst_bounds(_years(local)):
        summer |= (local >= start + HOUR) & (local < end + HOUR)
    return local - HOUR - HOUR * summer


def utc_to_local(utc: np.ndarray) -> np.ndarray:
    """UTC seconds to Europe/Amsterdam wall-clock seconds."""
    utc = np.asarray(utc, dtype=np.int64)
    summer = np.zeros(utc.shape, dtype=bool)
    for _, start, end in _dst_bounds(_years(utc)):
        summer |= (utc >= start) & (utc < end)
    return utc + HOUR + HOUR * summer


def offsets(sorted_keys: np.ndarray, n: int) -> np.ndarray:
    """Start of each key's run in ``sorted_keys`` (length ``n + 1``): a CSR index.

    >>> offsets(np.array([0, 0, 2]), 3).tolist()
    [0, 2, 2, 3]
    """
    return np.searchsorted(sorted_keys, np.arange(n + 1), side="left")


def runs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand row ``i`` into a run of ``counts[i]`` rows: ``(idx, first, pos)``.

    ``idx`` is the row each expanded row comes from, ``first`` where each row's run
    starts, ``pos`` the place of each expanded row in its run (0 for the first). A
    session's look-ups, a look-up's repeated log lines and a duplicated line's copies
    are all such runs.

    >>> [a.tolist() for a in runs(np.array([2, 1, 3]))]
    [[0, 0, 1, 2, 2, 2], [0, 2, 3], [0, 1, 0, 0, 1, 2]]
    """
    counts = np.asarray(counts)
    idx = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return idx, first, np.arange(len(idx)) - first[idx]


def elapsed_in_runs(steps: np.ndarray, idx: np.ndarray, first: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The time from the start of its run to each row, given each row's step after the one before.

    ``idx``, ``first`` and ``pos`` are from :func:`runs`; the step of a run's first row is
    not counted (the run starts there). One cumulative sum over all runs, less the sum
    at each run's start, so that no run's time leaks into the next.

    >>> elapsed_in_runs(np.array([9, 5, 9, 9, 1, 2]), *runs(np.array([2, 1, 3]))).tolist()
    [0, 5, 0, 0, 1, 3]
    """
    elapsed = np.cumsum(np.where(pos == 0, 0, steps))
    return elapsed - elapsed[first][idx]


def moment_in_shift(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    lo: int,
    hi: int,
    least: int,
    until: int | None = None,
) -> tuple[int, int] | None:
    """A moment in one of the shifts ``[start, end)`` that overlaps ``[lo, hi)`` by more than
    ``least`` seconds, at least ten minutes before the overlap ends, and the last second of that
    shift (of the log, ``until``, if it ends first); None when no shift overlaps that much."""
    a, b = np.maximum(start, lo), np.minimum(end, hi)
    ok = np.flatnonzero(b - a > least)
    if len(ok) == 0:
        return None
    j = int(rng.choice(ok))
    stop = end[j] if until is None else min(end[j], until)
    return int(rng.integers(a[j], b[j] - 10 * MINUTE)), int(stop) - 1


def uniform_in(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One integer drawn uniformly from each ``[lo, hi)``; ranges must not be empty."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.asarray(hi, dtype=np.int64) - lo
    return lo + np.minimum((rng.random(lo.shape) * span).astype(np.int64), span - 1)


def weighted_in(
    rng: np.random.Generator, cumulative: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """One index from each ``[lo, hi)``, with probability proportional to its weight.

    ``cumulative`` is ``np.cumsum(weights)`` over all items; ranges must not be empty.
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    a = np.where(lo > 0, cumulative[np.maximum(lo - 1, 0)], 0.0)
    b = cumulative[hi - 1]
    picked = np.searchsorted(cumulative, a + rng.random(lo.shape) * (b - a), side="right")
    return np.clip(picked, lo, hi - 1)


def choose(rng: np.random.Generator, probabilities: np.ndarray, n: int | None = None) -> np.ndarray:
    """Draw category indices; ``probabilities`` is one row, or one row per draw."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim == 1:
        return rng.choice(len(p), size=n, p=p / p.sum())
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(p))[:, None]
    return np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)
