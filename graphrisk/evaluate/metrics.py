"""Ranking metrics: ROC AUC, average precision, and the top-k sizes and counts."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from graphrisk.errors import UsageError
from graphrisk.evaluate.report import CountAtK

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_KS",
    "QUALITY_SHARES",
    "average_precision",
    "counts_at_k",
    "parse_budget",
    "parse_k",
    "ratio",
    "resolve_budget",
    "resolve_ks",
    "roc_auc",
    "share_k",
]

#: Default k's: shares of the employees, then absolute numbers (dropped when above N).
DEFAULT_KS: tuple[str, ...] = ("1%", "2%", "10", "50", "100")
#: Default alert budget per employee: the pilot raised about 20 alerts in two weeks for 6,000 staff.
DEFAULT_BUDGET = "20/6000"
#: The tops (shares of the employees) of the quality figures: recall per scenario, look-alike rates.
QUALITY_SHARES: tuple[str, ...] = ("1%", "2%")


def resolve_ks(ks: Sequence[int | str] | None, n: int) -> list[tuple[int, tuple[str, ...]]]:
    """Turn the k's asked for into distinct top-k sizes for ``n`` employees.

    Parameters
    ----------
    ks : sequence of int or str, or None
        ``25`` or ``"25"``: the top 25; ``"2%"`` or ``"0.5%"``: a share of the
        ``n`` employees. None (or empty) gives the default ``1%, 2%, 10, 50,
        100``, where absolute k's above ``n`` are left out.
    n : int
        The number of employees.

    Returns
    -------
    list of (k, asked_as)
        Sorted by k; k's asked for in several ways are merged, keeping each
        way in ``asked_as``.

    Raises
    ------
    UsageError
        A k that is not a positive whole number or a share in (0%, 100%], or
        an absolute k given explicitly that is larger than ``n``.

    Notes
    -----
    A share :math:`p\\%` resolves to :math:`k = \\max(1, \\lceil p n / 100 \\rceil)`,
    computed exactly (no floating-point rounding), so the top k holds at
    least :math:`p\\%` of the employees.

    Examples
    --------
    >>> resolve_ks(None, 1000)
    [(10, ('1%', '10')), (20, ('2%',)), (50, ('50',)), (100, ('100',))]
    >>> resolve_ks([25, "2.5%"], 300)
    [(8, ('2.5%',)), (25, ('25',))]
    """
    if isinstance(ks, str):
        ks = [ks]
    defaults = not ks
    merged: dict[int, list[str]] = {}
    for spec in DEFAULT_KS if defaults else ks:
        text, share = parse_k(spec)
        if share is not None:
            k = max(1, math.ceil(share * n / 100))
        else:
            k = int(text)
            if k > n:
                if defaults:
                    continue
                raise UsageError(f"k = {k} is more than the {n} employees of the data set")
        if text not in merged.setdefault(k, []):
            merged[k].append(text)
    return [(k, tuple(merged[k])) for k in sorted(merged)]


def roc_auc(scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray) -> float | None:
    """Area under the ROC curve, with tied scores counted as half a win.

    Parameters
    ----------
    scores : array of float
        Higher is riskier; ``-inf`` is allowed, NaN is not.
    positive : array of bool
        True for the positives (insiders).

    Returns
    -------
    float or None
        None when there are no positives or no negatives.

    Notes
    -----
    The Mann-Whitney form: with :math:`R_+` the sum of the ranks of the
    :math:`P` positives among all scores in ascending order, tied scores
    sharing the average of their ranks, and :math:`Q` negatives,

    .. math:: \\mathrm{AUC} = \\frac{R_+ - P(P+1)/2}{P\\,Q}

    which equals the probability that a random positive scores above a random
    negative, ties counting 1/2.

    Examples
    --------
    >>> roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True])
    0.75
    >>> roc_auc([1, 1, 1], [True, False, False])
    0.5
    """
    s, pos = _as_arrays(scores, positive)
    n_pos = int(pos.sum())
    n_neg = len(s) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts + 1  # 1-based rank of each distinct value's first
    average_rank = first_rank + (counts - 1) / 2
    rank_sum = float(average_rank[inverse][pos].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def average_precision(
    scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray
) -> float | None:
    """Average precision as scikit-learn defines it, tied scores taken together.

    Parameters
    ----------
    scores : array of float
        Higher is riskier; ``-inf`` is allowed, NaN is not.
    positive : array of bool
        True for the positives (insiders).

    Returns
    -------
    float or None
        None when there are no positives.

    Notes
    -----
    Walking the distinct scores from high to low, the :math:`n`-th threshold
    :math:`t_n` flags everyone with :math:`s \\ge t_n`; :math:`P_n` and
    :math:`R_n` are the precision and recall of that flagging, :math:`R_0 = 0`:

    .. math:: \\mathrm{AP} = \\sum_n (R_n - R_{n-1})\\, P_n

    A group of tied scores enters as one step, so the order within it does not
    matter (``sklearn.metrics.average_precision_score``, no interpolation).
    A random ranking gets about the share of positives.

    Examples
    --------
    >>> round(average_precision([0.1, 0.4, 0.35, 0.8], [False, False, True, True]), 4)
    0.8333
    """
    s, pos = _as_arrays(scores, positive)
    n_pos = int(pos.sum())
    if n_pos == 0:
        return None
    values, inverse = np.unique(s, return_inverse=True)
    tp = np.bincount(inverse, weights=pos, minlength=len(values))[::-1].cumsum()
    flagged = np.bincount(inverse, minlength=len(values))[::-1].cumsum()
    precision = tp / flagged
    recall = tp / n_pos
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def parse_k(spec: int | str) -> tuple[str, Fraction | None]:
    """``(text, share)``: share is the percentage for "2%", None for an absolute k."""
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (int, np.integer, str)):
        raise UsageError(f"k must be a whole number or a percentage such as 2%, not {spec!r}")
    text = str(spec).strip()
    if text.endswith("%"):
        number = text[:-1].strip()
        try:
            share = Fraction(number) if re.fullmatch(r"\d+(\.\d+)?|\.\d+", number) else None
        except (ValueError, ZeroDivisionError):
            share = None
        if share is None or not 0 < share <= 100:
            raise UsageError(f"k = {text!r}: a percentage must be above 0% and at most 100%")
        return f"{number}%", share
    if not re.fullmatch(r"\+?\d+", text) or int(text) < 1:
        raise UsageError(f"k = {text!r}: give a whole number of at least 1 or a percentage such as 2%")
    return str(int(text)), None


def _as_arrays(scores, positive) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    if s.shape != pos.shape or s.ndim != 1:
        raise ValueError("scores and positive must be 1-D arrays of the same length")
    return s, pos


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def counts_at_k(mask: np.ndarray, tops: dict[int, np.ndarray]) -> tuple[CountAtK, ...]:
    size = int(mask.sum())
    found = {k: int((mask & top).sum()) for k, top in tops.items()}
    return tuple(CountAtK(k, count, ratio(count, size)) for k, count in found.items())


def share_k(share: str, n: int) -> int:
    """The top k holding at least ``share`` (such as ``"2%"``) of ``n`` employees.

    >>> share_k("1%", 6000), share_k("2%", 30), share_k("100%", 7)
    (60, 1, 7)
    """
    _, fraction = parse_k(share)
    if fraction is None:
        raise UsageError(f"{share!r} is not a share such as 2%")
    return max(1, math.ceil(fraction * n / 100))


def parse_budget(spec: int | str | None) -> tuple[str, int | Fraction]:
    """``(text, size)``: an absolute number of alerts, or a :class:`Fraction` of the employees.

    ``25`` or ``"25"``: 25 alerts; ``"0.5%"``, ``"0.005"`` or ``"1/200"``: that share of the
    employees; None: the default, :data:`DEFAULT_BUDGET` (20 per 6,000 employees).

    >>> parse_budget(None), parse_budget("25"), parse_budget("0.5%"), parse_budget("0.005")
    (('20/6000', Fraction(1, 300)), ('25', 25), ('0.5%', Fraction(1, 200)), ('0.005', Fraction(1, 200)))
    """
    if spec is None:
        spec = DEFAULT_BUDGET
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (int, np.integer, str)):
        raise UsageError(f"budget must be a number of alerts or a share such as 0.5%, not {spec!r}")
    text = str(spec).strip()
    if re.fullmatch(r"\+?\d+", text):
        if int(text) < 1:
            raise UsageError(f"budget = {text!r}: give at least 1 alert")
        return str(int(text)), int(text)
    if text.endswith("%"):
        try:
            _, share = parse_k(text)  # the same rules as a k of "2%"
        except UsageError as exc:
            raise UsageError(f"budget = {text!r}: a percentage must be above 0% and at most 100%") from exc
        return text, share / 100
    try:
        share = Fraction(text) if re.fullmatch(r"\d*\.\d+|\d+/\d+", text) else None
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 < share <= 1:
        raise UsageError(
            f"budget = {text!r}: give a whole number of alerts, a percentage such as 0.5%, "
            "or a share of the employees above 0 and at most 1 (0.005 or 20/6000)"
        )
    return text, share


def resolve_budget(spec: int | str | None, n: int) -> tuple[int, str]:
    """The alert budget for ``n`` employees: ``(B, how)``, ``B`` at least 1 and at most ``n``.

    A share :math:`f` gives :math:`B = \\max(1, \\lceil f n \\rceil)`, exactly; by default
    :math:`f = 20/6000`. An absolute budget above ``n`` is an error.

    >>> resolve_budget(None, 6000), resolve_budget(None, 6001), resolve_budget(None, 40)
    ((20, 'ceil(6000 * 20/6000)'), (21, 'ceil(6001 * 20/6000)'), (1, 'ceil(40 * 20/6000)'))
    >>> resolve_budget("1%", 250)
    (3, 'ceil(250 * 1%)')
    """
    text, size = parse_budget(spec)
    if isinstance(size, int):
        if size > n:
            raise UsageError(f"budget = {size} is more than the {n} employees of the data set")
        return size, f"{size} alerts"
    return max(1, math.ceil(size * n)), f"ceil({n} * {text})"
