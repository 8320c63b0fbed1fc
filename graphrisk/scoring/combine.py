"""Combination and calibration: the parts become one score from 0 to 100 whose points add up.

The three parts are measured in the same unit, the *risk unit*: one nat
of surprise among one's peers beyond the dead zone (see
:func:`graphrisk.scoring.peers.surprise` and :mod:`graphrisk.scoring.model`).
They are added up, and the total is mapped onto 0-100 by a fixed saturating
curve; each part gets its share of the points.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_TAU", "DEFAULT_THRESHOLD", "calibrate", "points", "risk_units_for"]

#: Risk units at which the score reaches 100 (1 - 1/e) = 63.2; the threshold 50 is at 2.77 units.
DEFAULT_TAU = 4.0
#: Default alert threshold on the score (the same as ``graphrisk evaluate``'s).
DEFAULT_THRESHOLD = 50.0


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
