"""Small, fast helpers on pandas frames that several layers share.

pandas' ``isin`` on Arrow-backed strings converts the value set through Python
objects (seconds for a million rows); these go straight to pyarrow compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["isin", "stable_sort", "utc_day_labels"]


def _arrow(values) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if isinstance(values, pd.Series | pd.Index):
        if values.dtype == object:
            values = values.astype("string[pyarrow]")
        return pa.array(values)  # zero-copy for Arrow-backed strings
    return pa.array(list(values), type=pa.string())


def isin(values: pd.Series, value_set) -> np.ndarray:
    """Boolean mask: which of ``values`` (strings, may be missing) are in ``value_set``.

    >>> isin(pd.Series(["a", None, "c"], dtype="string[pyarrow]"), ["c", "d"]).tolist()
    [False, False, True]
    """
    left = _arrow(values)
    right = _arrow(value_set)
    if isinstance(right, pa.ChunkedArray):
        right = right.combine_chunks()
    if right.type != left.type:
        right = right.cast(left.type)
    mask = pc.is_in(left, value_set=right, skip_nulls=True)
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def utc_day_labels(ts: pd.Series, fmt: str = "%Y-%m-%d") -> pd.Series:
    """Each instant's UTC day formatted with ``fmt`` (NaN where missing), as ``.dt.strftime`` gives it.

    The few distinct days are formatted once each: formatting 2.5 million instants one by one took
    seconds at national scale.

    >>> ts = pd.Series(pd.to_datetime(["2026-03-01T23:30:00-02:00", None], utc=True))
    >>> utc_day_labels(ts).tolist(), utc_day_labels(ts, "%Y-%m").tolist()
    (['2026-03-02', nan], ['2026-03', nan])
    """
    ts = pd.to_datetime(ts, utc=True)
    codes, days = pd.factorize(ts.dt.floor("D"))
    labels = np.append(np.asarray(days.strftime(fmt), dtype=object), np.nan)  # code -1 (missing): NaN
    return pd.Series(labels[codes], index=ts.index, dtype=object)


def stable_sort(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` sorted stably by ``keys``, missing values last: the order of pandas'
    ``sort_values(keys, kind="stable")``, with a fresh index.

    Arrow sorts text and timestamps the way pandas does (text by code point, as UTF-8 bytes compare;
    nulls at the end; a stable sort) and over twice as fast on text: 4.8 million national relations
    took 8 s in pandas. Keys of any other type are left to pandas.

    >>> f = pd.DataFrame({"a": ["b", None, "a", "b"], "n": [1, 2, 3, 4]})
    >>> stable_sort(f, ["a"])["n"].tolist(), f.sort_values(["a"], kind="stable")["n"].tolist()
    ([3, 1, 4, 2], [3, 1, 4, 2])
    """
    try:
        table = pa.table({k: pa.array(frame[k], from_pandas=True) for k in keys})
    except (pa.ArrowException, TypeError, ValueError):
        table = None
    if table is None or not all(
        pa.types.is_string(t) or pa.types.is_timestamp(t) or pa.types.is_null(t) for t in table.schema.types
    ):
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)
    order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]).to_numpy()
    return frame.take(order).reset_index(drop=True)
