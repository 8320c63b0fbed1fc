"""Risk scoring: peer baselines, findings, network position and explainable per-employee scores.

:func:`score` runs the whole batch on either store: the detection rules for the
window (or the findings ``detect --incremental`` stored), the scoring inputs, the model of
:mod:`graphrisk.scoring.model` and the explanations. Modules:

- :mod:`~graphrisk.scoring.inputs`: the frames scoring needs, the same from both stores;
- :mod:`~graphrisk.scoring.findings`: findings weighted by severity, circumstances and recency;
- :mod:`~graphrisk.scoring.features`: behaviour counts;
- :mod:`~graphrisk.scoring.peers`: peer groups and leave-one-out baselines (surprise);
- :mod:`~graphrisk.scoring.position`: network exposure (on :mod:`graphrisk.network`);
- :mod:`~graphrisk.scoring.combine`: calibration and points;
- :mod:`~graphrisk.scoring.explain`, :mod:`~graphrisk.scoring.output`,
  :mod:`~graphrisk.scoring.writeback`: explanations, the scores file, write-back to Neo4j.
"""

from __future__ import annotations

import re
import time

import pandas as pd

from graphrisk.durations import parse_window
from graphrisk.errors import UsageError
from graphrisk.rules import RULES
from graphrisk.scoring.inputs import latest_access, read_inputs, window_findings
from graphrisk.scoring.model import DEFAULT_WINDOW, ScoreParams, ScoreResult, score_frames

__all__ = ["DEFAULT_WINDOW", "ScoreParams", "ScoreResult", "parse_window", "resolve_as_of", "score"]


def resolve_as_of(store, as_of=None) -> pd.Timestamp:
    """The end of the scoring window (exclusive).

    A date means the end of that day (UTC), a timestamp itself; by default the
    end of the UTC day of the store's latest look-up, so the same data give the
    same window.
    """
    if as_of is None:
        latest = latest_access(store)
        if latest is None:
            raise UsageError("the store holds no look-ups to score; load a data set with an access log first")
        return latest.floor("D") + pd.Timedelta(days=1)
    text = str(as_of).strip()
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise UsageError(f"--as-of {as_of!r} is not a date or ISO 8601 timestamp") from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        ts = ts + pd.Timedelta(days=1)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def score(
    store,
    *,
    as_of=None,
    window: pd.Timedelta = DEFAULT_WINDOW,
    params: ScoreParams | None = None,
    rule_params: dict | None = None,
    progress=None,
    stored: bool = True,
    part_findings: int | None = None,
) -> ScoreResult:
    """Detect and score on ``store`` for the window ``[as_of - window, as_of)``.

    Parameters
    ----------
    store : an embedded or Neo4j store.
    as_of : see :func:`resolve_as_of`.
    window : the window's length.
    params : model knobs (``window`` is taken from ``window``).
    rule_params : rule parameter overrides, as for :func:`graphrisk.rules.detect`.
    progress : ``progress(step, done, total)``.
    stored : read the findings ``detect --incremental`` stored when they cover the window
        (:func:`graphrisk.scoring.inputs.window_findings`); False always detects. ``result.seconds``
        names the step ``stored_findings`` or ``detect``.
    part_findings : the most findings weighed at once (:func:`~graphrisk.scoring.model.score_frames`:
        a month of national findings is weighed a part of the employees at a time, read from the
        store part by part); default :data:`~graphrisk.scoring.model.PART_FINDINGS`.
    """
    started = time.perf_counter()
    end = resolve_as_of(store, as_of)
    # the reach of criminal-proximity-access as detection runs it: who can have its findings
    cpa = "criminal-proximity-access"
    reach = RULES[cpa].resolve_params((rule_params or {}).get(cpa))["max_hops"]
    params = ScoreParams(**{**(params or ScoreParams()).__dict__, "window": window, "reach_hops": reach})
    since = end - window
    steps = 4

    def step(name: str, done: int) -> None:
        if progress:
            progress(name, done, steps)

    step("detect", 0)
    # the findings detect --incremental stored, when they cover the window (read as scoring weighs
    # them); else detection, as before
    findings, source = window_findings(store, since, end, rule_params, stored=stored)
    detect_seconds = time.perf_counter() - started
    step("read inputs", 1)
    # the store's SQL engine answers for the window's look-ups where it has one (out of core); else
    # (Neo4j, the pandas engine) the look-ups are read into pandas, the reference
    with store.window_lookups(since, end) as lookups:
        inputs = read_inputs(store, since, end, accesses=lookups is None)
        step("score", 2)
        result = score_frames(inputs, findings, end, params, lookups=lookups, part_findings=part_findings)
    timing = "detect" if source == "detection" else "stored_findings"
    result.seconds = {timing: round(detect_seconds, 3), **result.seconds}
    step("done", steps)
    return result
