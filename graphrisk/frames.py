"""Small, fast helpers on pandas frames that several layers share.

pandas' ``isin`` on Arrow-backed strings converts the value set through Python
objects (seconds for a million rows); these go straight to pyarrow compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["isin"]


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
