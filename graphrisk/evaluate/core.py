"""The evaluation itself: scores ranked against the ground truth."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graphrisk.errors import UsageError
from graphrisk.evaluate.metrics import (
    QUALITY_SHARES,
    average_precision,
    counts_at_k,
    parse_budget,
    parse_k,
    ratio,
    resolve_budget,
    resolve_ks,
    roc_auc,
    share_k,
)
from graphrisk.evaluate.report import (
    Alerts,
    Budget,
    Evaluation,
    GroupRatio,
    LookalikeGroup,
    Quality,
    ScenarioAtShares,
    ScenarioRecall,
    Share,
    TopK,
    shortest,
)
from graphrisk.evaluate.truth import INSIDER, read_truth, split_label
from graphrisk.files.checked import SUFFIXES, read_scores_file

__all__ = ["DEFAULT_THRESHOLD", "LARGE_FAMILY", "TIE_BREAK", "evaluate"]

#: Alert threshold on the score when the scores file has no ``alert`` column.
DEFAULT_THRESHOLD = 50.0
#: How the top-k ranking orders employees with equal scores.
TIE_BREAK = "employee_id ascending (string order)"
#: The look-alike group whose top-2% rate is compared with the other non-insiders'.
LARGE_FAMILY = "large-family"


def evaluate(
    dataset_dir: str | os.PathLike[str],
    scores_path: str | os.PathLike[str],
    *,
    ks: Sequence[int | str] | None = None,
    threshold: float | None = None,
    budget: int | str | None = None,
) -> Evaluation:
    """Compare the scores in ``scores_path`` with the ground truth of ``dataset_dir``.

    Parameters
    ----------
    dataset_dir : path
        A data set directory with ``employees`` and ``ground_truth`` files.
    scores_path : path
        A ``.csv``, ``.parquet`` or ``.json`` scores file (see the module docstring).
    ks : sequence of int or str, optional
        Sizes of the top of the ranking to evaluate: an int or a string such as
        ``"25"`` for an absolute number, ``"2%"`` for a share of the employees.
        Default: 1% and 2% of the employees, and 10, 50 and 100 where not more
        than the number of employees. See :func:`resolve_ks`.
    threshold : float, optional
        Employees with ``score >= threshold`` are alerted; default
        :data:`DEFAULT_THRESHOLD` (50). Must not be given when the scores file
        has an ``alert`` column, which then decides.
    budget : int or str, optional
        The alert budget: a number of alerts (``25``), or a share of the employees (``"0.5%"``,
        ``"0.005"``, ``"20/6000"``). Default ``ceil(employees * 20 / 6000)``: the pilot raised
        about 20 alerts in two weeks for 6,000 staff. See :func:`~graphrisk.evaluate.metrics.resolve_budget`.

    Returns
    -------
    Evaluation

    Raises
    ------
    UsageError
        A path that does not exist, a scores file of another type, a malformed
        or too large k, a non-finite threshold, or a threshold next to an
        ``alert`` column.
    DataError
        ``employees`` or ``ground_truth`` is missing or breaks the contract, or
        the scores file is malformed: a missing column, an empty, non-numeric,
        NaN or infinite score, an unreadable alert, a duplicate or unknown
        ``employee_id``. Every problem names file, line and column.

    Notes
    -----
    Let :math:`N` be the number of employees, :math:`P` the insiders (employees
    with at least one ``insider:`` label) and :math:`N - P` the non-insiders.
    Employees missing from the scores get :math:`s = -\\infty`.

    *Top k.* Employees are ranked by score, highest first; equal scores are
    ordered by ``employee_id`` (ascending string order), so the top k is
    deterministic even when the cut falls inside a group of ties;
    :attr:`TopK.ties_left_out` says when it does. With :math:`TP_k` insiders
    among the top k,

    .. math:: \\mathrm{precision}@k = TP_k / k, \\qquad
              \\mathrm{recall}@k = TP_k / P, \\qquad
              \\mathrm{FPR}@k = (k - TP_k) / (N - P).

    *Alerts.* The same with the alerted employees in place of the top k.

    *Per scenario* the recall counts the scenario's insiders only; an insider
    with two scenarios counts in both. *Per look-alike group* the rate is the
    share of the group's non-insider members in the top k (or alerted), to be
    read next to :math:`\\mathrm{FPR}@k` of all non-insiders.

    *Quality* (:class:`~graphrisk.evaluate.report.Quality`): precision and recall in the top
    :math:`B` (the alert budget, ties broken as for the top k); recall per scenario in the top 1%
    and 2% of the employees, whatever k's were asked for; and each look-alike group's rate in the
    top 2% over the rate of all non-insiders (1 means flagged as often as anyone innocent). The
    ``large-family`` group is also compared with the non-insiders outside it.

    *ROC AUC* and *average precision* use the scores themselves, ties
    included (no tie-break); see :func:`roc_auc` and :func:`average_precision`.
    """
    directory = Path(dataset_dir)
    if not directory.is_dir():
        raise UsageError(f"data set directory {str(directory)!r} does not exist")
    scores_file = Path(scores_path)
    if scores_file.suffix not in SUFFIXES:
        raise UsageError(f"scores file {scores_file.name!r} must end in .csv, .parquet or .json")
    if not scores_file.is_file():
        raise UsageError(f"scores file {str(scores_file)!r} does not exist")
    if threshold is not None:
        threshold = _check_threshold(threshold)
    if isinstance(ks, str):
        ks = [ks]
    for k in ks or ():
        parse_k(k)  # refuse a malformed k before reading anything
    parse_budget(budget)

    employee_ids, labels = read_truth(directory)
    n = len(employee_ids)
    resolved = resolve_ks(ks, n)
    budget_k, budget_rule = resolve_budget(budget, n)
    scores = read_scores_file(scores_file, employee_ids)
    if scores.alert is not None and threshold is not None:
        raise UsageError(
            f"{scores_file.name} has an alert column, which decides the alerts; do not give a threshold too"
        )

    index = {e: i for i, e in enumerate(employee_ids)}
    score = np.full(n, -np.inf)
    rows = np.array([index[e] for e in scores.ids], dtype=np.int64)
    score[rows] = scores.scores
    scored = np.zeros(n, dtype=bool)
    scored[rows] = True
    if scores.alert is not None:
        alerted = np.zeros(n, dtype=bool)
        alerted[rows] = scores.alert
        rule, used_threshold = "alert column", None
    else:
        used_threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        alerted = score >= used_threshold
        rule = f"score >= {shortest(used_threshold)}"

    scenarios: dict[str, np.ndarray] = {}
    groups: dict[str, np.ndarray] = {}
    for employee, label in labels:
        kind, name = split_label(label)
        members = scenarios if kind == INSIDER else groups
        members.setdefault(name, np.zeros(n, dtype=bool))[index[employee]] = True
    positive = np.zeros(n, dtype=bool)
    for mask in scenarios.values():
        positive |= mask
    negative = ~positive
    n_pos, n_neg = int(positive.sum()), int(negative.sum())

    ids = np.array(employee_ids, dtype=object)
    by_id = np.argsort(ids, kind="stable")
    order = by_id[np.argsort(-score[by_id], kind="stable")]
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    tops = {k: position < k for k, _ in resolved}

    top_k = []
    for k, asked in resolved:
        tp = int((tops[k] & positive).sum())
        kth = score[order[k - 1]]
        top_k.append(
            TopK(
                k=k,
                asked_as=asked,
                true_positives=tp,
                false_positives=k - tp,
                precision=tp / k,
                recall=ratio(tp, n_pos),
                false_positive_rate=ratio(k - tp, n_neg),
                ties_left_out=int((score[order[k:]] == kth).sum()),
            )
        )
    n_alerts = int(alerted.sum())
    tp_alert = int((alerted & positive).sum())
    alerts = Alerts(
        rule=rule,
        threshold=used_threshold,
        alerts=n_alerts,
        true_positives=tp_alert,
        false_positives=n_alerts - tp_alert,
        precision=ratio(tp_alert, n_alerts),
        recall=ratio(tp_alert, n_pos),
        false_positive_rate=ratio(n_alerts - tp_alert, n_neg),
    )
    scenario_rows = tuple(
        ScenarioRecall(
            scenario=name,
            insiders=int(mask.sum()),
            at_k=counts_at_k(mask, tops),
            alerted=int((mask & alerted).sum()),
            alert_recall=int((mask & alerted).sum()) / int(mask.sum()),
        )
        for name, mask in sorted(scenarios.items())
    )
    group_rows = []
    for name, mask in sorted(groups.items()):
        innocent = mask & negative
        flagged = int((innocent & alerted).sum())
        group_rows.append(
            LookalikeGroup(
                group=name,
                size=int(mask.sum()),
                non_insiders=int(innocent.sum()),
                at_k=counts_at_k(innocent, tops),
                alerted=flagged,
                alert_rate=ratio(flagged, int(innocent.sum())),
            )
        )
    quality = _quality(score, order, position, positive, scenarios, groups, (budget_k, budget_rule))
    return Evaluation(
        dataset=str(directory),
        scores_file=str(scores_file),
        employees=n,
        insiders=n_pos,
        non_insiders=n_neg,
        scored=int(scored.sum()),
        missing=int((~scored).sum()),
        missing_insiders=int((~scored & positive).sum()),
        tie_break=TIE_BREAK,
        roc_auc=roc_auc(score, positive),
        average_precision=average_precision(score, positive),
        top_k=tuple(top_k),
        alerts=alerts,
        scenarios=scenario_rows,
        lookalikes=tuple(group_rows),
        quality=quality,
    )


def _quality(score, order, position, positive, scenarios, groups, budget) -> Quality:
    """The headline figures (see :func:`evaluate`, Notes)."""
    n = len(score)
    negative = ~positive
    n_pos, n_neg = int(positive.sum()), int(negative.sum())
    k, rule = budget
    top = position < k
    tp = int((top & positive).sum())
    at_budget = Budget(
        k=k,
        rule=rule,
        true_positives=tp,
        false_positives=k - tp,
        precision=tp / k,
        recall=ratio(tp, n_pos),
        ties_left_out=int((score[order[k:]] == score[order[k - 1]]).sum()),
    )
    sizes = [share_k(s, n) for s in QUALITY_SHARES]
    tops = [position < size for size in sizes]
    shares = tuple(
        Share(share=s, k=size, false_positive_rate=ratio(int((t & negative).sum()), n_neg))
        for s, size, t in zip(QUALITY_SHARES, sizes, tops, strict=True)
    )
    scenario_rows = []
    for name, mask in sorted(scenarios.items()):
        found = tuple(int((mask & t).sum()) for t in tops)
        size = int(mask.sum())
        scenario_rows.append(ScenarioAtShares(name, size, found, tuple(f / size for f in found)))
    ratio_top = tops[-1]
    population = shares[-1].false_positive_rate

    def group_ratio(name: str, innocent: np.ndarray, reference: str, reference_rate: float | None):
        flagged = int((innocent & ratio_top).sum())
        rate = ratio(flagged, int(innocent.sum()))
        relative = rate / reference_rate if rate is not None and reference_rate else None
        return GroupRatio(name, int(innocent.sum()), flagged, rate, reference, reference_rate, relative)

    lookalikes = tuple(
        group_ratio(name, mask & negative, "all non-insiders", population)
        for name, mask in sorted(groups.items())
    )
    large = None
    if LARGE_FAMILY in groups:
        others = negative & ~groups[LARGE_FAMILY]
        others_rate = ratio(int((others & ratio_top).sum()), int(others.sum()))
        large = group_ratio(LARGE_FAMILY, groups[LARGE_FAMILY] & negative, "other non-insiders", others_rate)
    return Quality(
        budget=at_budget,
        shares=shares,
        scenarios=tuple(scenario_rows),
        ratio_share=QUALITY_SHARES[-1],
        lookalikes=lookalikes,
        large_family=large,
    )


def _check_threshold(threshold) -> float:
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise UsageError(f"threshold must be a number, not {threshold!r}") from None
    if isinstance(threshold, bool) or not math.isfinite(value):
        raise UsageError(f"threshold must be a finite number, not {threshold!r}")
    return value
