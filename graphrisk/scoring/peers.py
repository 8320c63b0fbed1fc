"""Peer groups and robust, leave-one-out peer baselines.

An employee is compared with the employees who do the same kind of work: the
same role and rank in a unit at the same level (national, regional, district,
basisteam), so that an intake desk is compared with intake desks. Small groups
borrow from broader ones. A baseline never includes the employee's own value,
so nothing an employee does can move their own yardstick.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "MIN_PEERS",
    "PRIOR_SCALE",
    "PRIOR_SHARE",
    "PeerBaseline",
    "peer_baselines",
    "peer_groups",
    "robust_excess",
    "surprise",
    "unit_levels",
]

#: A peer group smaller than this borrows the next broader group.
MIN_PEERS = 25
_LEVEL_NAMES = ("national", "regional", "district", "local")
#: Pseudo-peers at the population's share above the median, added to every group's tail share.
PRIOR_SHARE = 20.0
#: Pseudo-peers at the floor, added to every group's tail scale.
PRIOR_SCALE = 10.0


def unit_levels(units: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
    """The level of each unit, named by the depth of the territory it serves.

    Parameters
    ----------
    units : frame with ``unit_id`` and ``area_id``.
    areas : frame with ``area_id`` and ``parent_area_id``.

    Returns
    -------
    Series indexed by ``unit_id``: ``national`` (the root area), ``regional``,
    ``district``, ``local`` (a municipality or deeper).

    Examples
    --------
    >>> areas = pd.DataFrame({"area_id": ["NL", "R1", "M1"], "parent_area_id": [None, "NL", "R1"]})
    >>> units = pd.DataFrame({"unit_id": ["NAT", "U1", "T1"], "area_id": ["NL", "R1", "M1"]})
    >>> unit_levels(units, areas).to_dict()
    {'NAT': 'national', 'U1': 'regional', 'T1': 'district'}
    """
    parent = dict(zip(areas["area_id"], areas["parent_area_id"], strict=True))
    depth: dict[str, int] = {}
    for area in areas["area_id"]:
        node, d, seen = area, 0, set()
        while isinstance(parent.get(node), str) and node not in seen:
            seen.add(node)
            node, d = parent[node], d + 1
        depth[area] = d
    names = [_LEVEL_NAMES[min(depth.get(a, 0), len(_LEVEL_NAMES) - 1)] for a in units["area_id"]]
    return pd.Series(names, index=pd.Index(units["unit_id"], name="unit_id"), name="level")


def peer_groups(employees: pd.DataFrame, levels: pd.Series, min_peers: int = MIN_PEERS) -> pd.Series:
    """Each employee's peer group: role, rank and unit level, broadened while it is too small.

    The group is ``role|rank|level`` when that has at least ``min_peers``
    employees, else ``role|*|level``, else ``role|*|*``, else ``*``.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "role": ["patrol", "patrol", "intake"],
    ...                     "rank": ["agent", "agent", "agent"], "unit_id": ["T1", "T1", "T1"]})
    >>> peer_groups(emp, pd.Series({"T1": "local"}), min_peers=2).tolist()
    ['patrol|agent|local', 'patrol|agent|local', '*']
    """
    level = employees["unit_id"].map(levels).fillna("unknown").astype(str)
    role = employees["role"].astype(str)
    rank = employees["rank"].astype(str)
    candidates = [role + "|" + rank + "|" + level, role + "|*|" + level, role + "|*|*"]
    group = pd.Series("*", index=employees.index, dtype=object)
    decided = pd.Series(False, index=employees.index)
    for key in candidates:
        size = key.map(key.value_counts())
        take = ~decided & (size >= min_peers)
        group[take] = key[take]
        decided |= take
    return pd.Series(group.to_numpy(), index=pd.Index(employees["employee_id"], name="employee_id"))


class PeerBaseline:
    """Per employee, what their peers (without them) look like on one measure.

    ``median`` is the peers' median, ``tail`` the share of peers above that
    median (smoothed, at most 1/2) and ``scale`` the peers' mean excess over it
    (smoothed towards the floor). Arrays are aligned with the values given to
    :func:`peer_baselines`.
    """

    def __init__(self, median: np.ndarray, tail: np.ndarray, scale: np.ndarray) -> None:
        self.median = median
        self.tail = tail
        self.scale = scale


def peer_baselines(values: pd.Series, groups: pd.Series, floor: float = 1.0) -> PeerBaseline:
    """Leave-one-out median, tail share and tail scale of ``values`` within each peer group.

    Parameters
    ----------
    values : one number per employee.
    groups : the peer group of each employee (same index as ``values``).
    floor : the smallest step that counts (one low-severity finding, one person).

    Returns
    -------
    PeerBaseline

    Notes
    -----
    For employee :math:`i` with the :math:`n` other members of the group,
    :math:`m_{-i}` their median, :math:`k` the number of them above it and
    :math:`\\tilde d` the median of their excesses over it, and :math:`Q` the
    share of all other employees above the population's median (Laplace's
    rule of succession, :math:`(K + 1)/(N + 2)`):

    .. math:: q_{-i} = \\min\\left(\\tfrac12,\\; \\frac{k + c_q Q}{n + c_q}\\right), \\qquad
              \\mu_{-i} = \\max\\left(f,\\; \\frac{k\\, \\tilde d/\\ln 2 + c_s f}{k + c_s}\\right)

    The share borrows :math:`c_q` = :data:`PRIOR_SHARE` pseudo-peers from the
    whole population, so a small group is not more (or less) surprised than a
    large one by the same rare event. The scale is the mean of an exponential
    tail with the peers' median excess, shrunk towards the floor :math:`f`
    with :math:`c_s` = :data:`PRIOR_SCALE` pseudo-peers, so that a handful of
    extreme peers (planted insiders, say) cannot set it. Leaving the employee
    out is exact: for sorted values :math:`v_0 \\le \\dots \\le v_{n}` and an
    employee of rank :math:`r`, the others' :math:`j`-th value is :math:`v_j`
    for :math:`j < r` and :math:`v_{j+1}` otherwise.

    Examples
    --------
    >>> b = peer_baselines(pd.Series([0.0, 0.0, 0.0, 4.0]), pd.Series(["g"] * 4))
    >>> b.median.tolist(), b.tail.round(3).tolist(), b.scale.round(3).tolist()
    ([0.0, 0.0, 0.0, 0.0], [0.391, 0.391, 0.391, 0.174], [1.434, 1.434, 1.434, 1.0])
    """
    x = values.to_numpy(dtype=float)
    g = groups.to_numpy()
    median = np.zeros(len(x))
    k = np.zeros(len(x))
    n = np.zeros(len(x))
    typical = np.zeros(len(x))
    codes, _ = pd.factorize(g, sort=True)
    order = np.lexsort((x, codes))
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for members in np.split(order, bounds):
        median[members], k[members], typical[members] = _sorted_stats(x[members])
        n[members] = len(members) - 1
    everyone = np.argsort(x, kind="stable")
    _, k_all, _ = _sorted_stats(x[everyone])
    population = np.empty(len(x))
    population[everyone] = (k_all + 1) / (len(x) + 1)  # (K + 1) / ((N - 1) + 2)
    tail = np.minimum(0.5, (k + PRIOR_SHARE * population) / (n + PRIOR_SHARE))
    scale = np.maximum(floor, (k * typical / np.log(2.0) + PRIOR_SCALE * floor) / (k + PRIOR_SCALE))
    return PeerBaseline(median, tail, scale)


def surprise(value: np.ndarray, baseline: PeerBaseline) -> np.ndarray:
    """How improbable a value is among the peers, in nats beyond the median peer's.

    Notes
    -----
    The peers' upper tail is modelled as a hurdle, the share :math:`q` of peers
    above the median, followed by an exponential excess with mean :math:`\\mu`:
    :math:`P(Y \\ge x) = q\\, e^{-(x - m)/\\mu}` for :math:`x > m`. The surprise is
    the negative log of that probability relative to the median peer's 1/2:

    .. math:: z = \\ln\\frac{1/2}{q} + \\frac{x - m}{\\mu} \\quad (x > m), \\qquad z = 0 \\quad (x \\le m)

    A finding that almost no peer has (small :math:`q`) counts even when small;
    one that half the peers have counts only by how far it exceeds them.
    Being quieter than one's peers earns nothing. :math:`z` grows with :math:`x`.

    Examples
    --------
    >>> b = PeerBaseline(np.array([0.0, 0.0]), np.array([0.5, 0.05]), np.array([2.0, 2.0]))
    >>> surprise(np.array([4.0, 4.0]), b).round(3).tolist()  # 0 + 4/2, ln 10 + 4/2
    [2.0, 4.303]
    """
    x = np.asarray(value, dtype=float)
    z = np.log(0.5 / baseline.tail) + (x - baseline.median) / baseline.scale
    return np.where(x > baseline.median, z, 0.0)


def robust_excess(value: np.ndarray, median: np.ndarray, spread: np.ndarray, floor: float) -> np.ndarray:
    """How far a value lies above the peers' median, in peer spreads (never below ``floor``).

    Notes
    -----
    .. math:: z = \\frac{\\max(0,\\; x - m)}{\\max(s,\\; f)}

    Examples
    --------
    >>> robust_excess(np.array([5.0, 10.0]), np.array([2.0, 2.0]), np.array([0.5, 4.0]), floor=1.0).tolist()
    [3.0, 2.0]
    """
    return np.maximum(value - median, 0.0) / np.maximum(spread, floor)


# ---------------------------------------------------------------- helpers


def _sorted_stats(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each member of a sorted group: the others' median, how many others are above it,
    and the median of those others' excesses (0 when none)."""
    n = len(v) - 1
    if n < 1:
        return np.zeros(len(v)), np.zeros(len(v)), np.zeros(len(v))
    m = _leave_one_out_quantile(v, np.arange(n + 1), 0.5)
    mine = v > m
    k = (len(v) - np.searchsorted(v, m, side="right")) - mine
    typical = np.zeros(len(v))
    for level in np.unique(m):
        at = m == level
        d = v[v > level] - level  # sorted
        if len(d) == 0:
            continue
        typical[at & ~mine] = np.median(d)
        own = at & mine  # leave the member's own excess out
        if own.any():
            if len(d) == 1:
                typical[own] = 0.0
            else:
                ranks = np.searchsorted(d, v[own] - level, side="left")
                typical[own] = _leave_one_out_quantile(d, ranks, 0.5)
    return m, k.astype(float), typical


def _leave_one_out_quantile(sorted_x: np.ndarray, ranks: np.ndarray, p: float) -> np.ndarray:
    n = len(sorted_x)
    h = p * (n - 2)  # position in the n - 1 others
    lo = math.floor(h)
    frac = h - lo
    hi = min(lo + 1, n - 2)
    j_lo = lo + (lo >= ranks)
    j_hi = hi + (hi >= ranks)
    return sorted_x[j_lo] * (1 - frac) + sorted_x[j_hi] * frac
