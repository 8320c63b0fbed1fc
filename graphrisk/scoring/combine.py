"""Combination and calibration: the parts become one score from 0 to 100 whose points add up.

The three parts are measured in the same unit, the *risk unit*: one nat
of surprise among one's peers beyond the dead zone (see
:func:`graphrisk.scoring.peers.surprise` and :mod:`graphrisk.scoring.model`).
The strongest component counts fully and every other one a share
(:func:`combine_units`), the total is mapped onto 0-100 by a fixed saturating
curve, and each part gets its share of the points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_TAU", "DEFAULT_THRESHOLD", "calibrate", "combine_units", "points", "risk_units_for"]

#: Risk units at which the score reaches 100 (1 - 1/e) = 63.2; the threshold 65 is at 4.2 units.
DEFAULT_TAU = 4.0
#: Default alert threshold on the score: about 20 alerts per 6,000 employees on the quality sweep
#: (docs/quality.md). ``graphrisk evaluate`` reads the ``alert`` column the scores file carries.
DEFAULT_THRESHOLD = 65.0


def combine_units(units, others_share: float = 0.25):
    """The strongest component counts fully, every other one ``others_share`` of its units.

    Parameters
    ----------
    units : DataFrame (employees x components) of non-negative risk units.
    others_share : :math:`\\lambda \\in [0, 1]`; 1 adds every component up.

    Returns
    -------
    (DataFrame, ndarray)
        The units as they count (same shape), and their row sums, the risk :math:`R`.

    Notes
    -----
    With :math:`u_{(1)}` the employee's strongest component:

    .. math:: R = u_{(1)} + \\lambda \\sum_{k \\ne (1)} u_k
              = \\lambda \\sum_k u_k + (1 - \\lambda) \\max_k u_k

    One clear pattern then outranks many weak ones: an honest employee who is
    a little unusual in five respects (each 1-in-50 among peers, say) no longer
    adds up to someone who is extraordinary in one. Both terms are
    non-decreasing in every component, so :math:`R` is too. Ties for the
    strongest go to the first column.

    The opposite was measured and set aside: a *breadth* component, the sum of
    every component's surprise below the dead zone (capped per component)
    compared with the peers' sums, meant to lift insiders who are a little
    unusual in many respects (colleagues, an ex-partner, a VIP). Honest
    employees with several mild oddities are far more common than such
    insiders: on generated harsh and realistic worlds it lowered average
    precision at every gain and cap tried (0.437 to 0.34-0.43 and 0.419 to
    0.33-0.41) and raised no scenario's recall.

    Examples
    --------
    >>> u, r = combine_units(pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 1.0], "c": [0.0, 1.0]}))
    >>> u.to_dict("list"), r.tolist()
    ({'a': [3.0, 1.0], 'b': [0.25, 0.25], 'c': [0.0, 0.25]}, [3.25, 1.5])
    """
    values = units.to_numpy(dtype=float)
    if values.size == 0:
        return units.copy(), values.sum(axis=1)
    share = np.full_like(values, others_share)
    share[np.arange(len(values)), values.argmax(axis=1)] = 1.0
    counted = values * share
    return pd.DataFrame(counted, index=units.index, columns=units.columns), counted.sum(axis=1)


def calibrate(risk_units: np.ndarray, tau: float = DEFAULT_TAU) -> np.ndarray:
    """Map total risk units onto a score from 0 to 100.

    Notes
    -----
    .. math:: S = 100\\,(1 - e^{-R/\\tau})

    :math:`S` is 0 for :math:`R = 0` and rises strictly with :math:`R`, so more
    unjustified behaviour never lowers a score. The curve is fixed (it does
    not depend on the data set or on the other employees), so a score means the
    same in every run: :math:`S = 50` at :math:`R = \\tau \\ln 2`, about 2.8 risk
    units for the default :math:`\\tau = 4`.

    Examples
    --------
    >>> calibrate(np.array([0.0, 4 * np.log(2), 1e9])).round(6).tolist()
    [0.0, 50.0, 100.0]
    """
    return 100.0 * -np.expm1(-np.asarray(risk_units, dtype=float) / tau)


def risk_units_for(score: float, tau: float = DEFAULT_TAU) -> float:
    """The risk units a score stands for (the inverse of :func:`calibrate`).

    >>> round(risk_units_for(50.0), 4)
    2.7726
    """
    return float(-tau * np.log1p(-score / 100.0))


def points(score: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Each part's share of the score, so that the points of a row add up to its score.

    Parameters
    ----------
    score : shape (n,), the scores.
    parts : shape (n, k), the non-negative risk units of each part.

    Notes
    -----
    .. math:: p_{k} = S \\cdot \\frac{r_k}{\\sum_j r_j}

    (0 when all parts are 0). A part with more risk units gets more points.

    Examples
    --------
    >>> points(np.array([60.0]), np.array([[3.0, 1.0, 0.0]])).tolist()
    [[45.0, 15.0, 0.0]]
    """
    parts = np.asarray(parts, dtype=float)
    total = parts.sum(axis=1, keepdims=True)
    share = np.divide(parts, total, out=np.zeros_like(parts), where=total > 0)
    return share * np.asarray(score, dtype=float)[:, None]
