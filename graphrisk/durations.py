"""Lengths of time as users write them (``30d``, ``72h``, ``2w``): one parser for every command.

Scoring windows, retention periods and the purge all take the same spelling. It lives apart from
:mod:`graphrisk.scoring` so that the privacy layer (retention) can read a period without importing
the scoring model, which imports the stores, which import retention: an import cycle.
"""

from __future__ import annotations

import re

import pandas as pd

from graphrisk.errors import UsageError

__all__ = ["parse_window"]

_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([dhw])\s*$")


def parse_window(text: str) -> pd.Timedelta:
    """A window such as ``30d``, ``72h`` or ``2w``.

    >>> parse_window("30d"), parse_window("2w")
    (Timedelta('30 days 00:00:00'), Timedelta('14 days 00:00:00'))
    """
    m = _WINDOW_RE.match(str(text))
    if not m or int(m.group(1)) == 0:
        raise UsageError(
            f"window {text!r}: write a positive number of days, hours or weeks, e.g. 30d, 72h, 2w"
        )
    n, unit = int(m.group(1)), m.group(2)
    return (
        pd.Timedelta(days=n)
        if unit == "d"
        else pd.Timedelta(hours=n)
        if unit == "h"
        else pd.Timedelta(weeks=n)
    )
