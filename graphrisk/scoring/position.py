"""Network position: how close each employee is to organised crime, and how much they bridge it.

Position never scores by itself: it is a factor between 0 and 1 that
multiplies the employee's behaviour towards that network (see
:mod:`graphrisk.scoring.combine`). Knowing someone is not misconduct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from graphrisk.network import (
    DEFAULT_ALPHA,
    DEFAULT_HOPS,
    crime_proximity,
    focused_subgraph,
)
from graphrisk.network.brokerage import bridged_pairs

__all__ = ["BRIDGE_STEPS", "Position", "network_position"]

#: Steps a unit-to-organisation route may add to the relation hops: organisation-member,
#: person-employee and employee-unit. Farther pairs are no bridge (the focused subgraph's reach).
BRIDGE_STEPS = 3


@dataclass
class Position:
    """Per-employee network measures and the focused subgraph they were computed on.

    ``table`` is indexed by ``employee_id`` with columns ``proximity`` (personalised
    PageRank of the employee's own person record), ``proximity_ref`` (the median
    of the members' direct relations, the reference), ``brokerage`` (share of
    the unit's shortest routes to organisations within reach that run
    through the employee, averaged over those organisations) and ``exposure`` (the factor in [0, 1]).
    """

    table: pd.DataFrame
    graph: nx.Graph
    walk: nx.Graph  #: the part of ``graph`` the walk runs on: no units, only components with members
    seconds: dict[str, float] = field(default_factory=dict)

    def path_to_crime(self, employee_id: str, max_hops: int = 8) -> list[str]:
        """A shortest path from the employee's own person record to an organisation node.

        Among the nearest organisations the one with the smallest name is taken; the
        path is networkx's shortest path to it. Empty when none is within ``max_hops``.
        """
        own = f"P:{self.table.at[employee_id, 'person_id']}"
        walk = self.walk
        if own not in walk:
            return []
        for depth, layer in enumerate(nx.bfs_layers(walk, [own])):
            orgs = sorted(n for n in layer if walk.nodes[n]["kind"] == "organisation")
            if orgs:
                return nx.shortest_path(walk, own, orgs[0])
            if depth >= max_hops:
                break
        return []


def network_position(
    employees: pd.DataFrame,
    relations: pd.DataFrame,
    memberships: pd.DataFrame,
    case_subjects: pd.DataFrame,
    lookups: pd.DataFrame | None,
    *,
    hops: int = DEFAULT_HOPS,
    alpha: float = DEFAULT_ALPHA,
) -> Position:
    """Crime proximity, brokerage and exposure of every employee.

    Parameters
    ----------
    employees, relations, memberships, case_subjects : scoring inputs.
    lookups : ``employee_id``, ``person_id``, ``weight``: the employees' flagged look-ups.
    hops, alpha : see :func:`~graphrisk.network.focused_subgraph` and
        :func:`~graphrisk.network.crime_proximity`.

    Notes
    -----
    With :math:`\\pi` the personalised PageRank seeded on members (computed on
    the focused subgraph without unit nodes, so colleagues do not share each
    other's ties), :math:`\\pi_1` the median :math:`\\pi` of persons with a
    direct tie to a member (and no membership), and :math:`b_e \\in [0, 1]` the
    employee's brokerage: the share of their unit's shortest routes to an
    organisation that run through them (:func:`~graphrisk.network.brokerage.bridged_pairs`,
    units as endpoints only, routes of at most ``hops + BRIDGE_STEPS`` steps),
    averaged over the organisations within that reach, at most 1:

    .. math:: x_e = \\min\\left(1,\\; \\frac{\\pi(p_e)}{\\pi_1}\\,(1 + b_e)\\right)

    An employee as close to crime as a typical direct relative of a member has
    exposure 1, or already at half that closeness when they are their unit's
    only bridge to the organisations; one outside the focused subgraph has 0.
    Anchoring on the graph's own direct relatives makes the factor comparable
    between data sets.
    """
    timings: dict[str, float] = {}
    clock = pd.Timestamp.now()

    def lap(name: str) -> None:
        nonlocal clock
        now = pd.Timestamp.now()
        timings[name] = round((now - clock).total_seconds(), 3)
        clock = now

    ids = employees["employee_id"].to_numpy(dtype=object)
    table = pd.DataFrame(
        {
            "person_id": employees["person_id"].to_numpy(dtype=object),
            "proximity": 0.0,
            "proximity_ref": 0.0,
            "brokerage": 0.0,
            "exposure": 0.0,
        },
        index=pd.Index(ids, name="employee_id"),
    )
    g = focused_subgraph(employees, relations, memberships, case_subjects, lookups, hops=hops)
    lap("subgraph")
    members = sorted({f"P:{p}" for p in memberships["person_id"]} & set(g))
    orgs = sorted(n for n, k in g.nodes(data="kind") if k == "organisation")
    units = sorted(n for n, k in g.nodes(data="kind") if k == "unit")
    if not members:
        return Position(table, g, nx.Graph(), timings)

    social = g.subgraph(n for n, k in g.nodes(data="kind") if k != "unit").copy()
    member_set = set(members)
    seeded = [c for c in nx.connected_components(social) if not member_set.isdisjoint(c)]
    walk = social.subgraph(set().union(*seeded)).copy()
    pi = crime_proximity(walk, members, alpha=alpha)
    lap("pagerank")
    own = "P:" + table["person_id"].astype(str)
    table["proximity"] = np.array([pi.get(p, 0.0) for p in own])
    direct = {q for m in members for q in g[m] if g.nodes[q]["kind"] == "person" and q not in member_set}
    ref = float(np.median([pi[q] for q in direct if q in pi])) if direct else 0.0
    table["proximity_ref"] = ref

    bridged, reach = bridged_pairs(g, police=units, crime=orgs, radius=hops + BRIDGE_STEPS)
    lap("brokerage")
    unit_of = "U:" + employees["unit_id"].astype(str)
    shares = np.array([bridged.get(f"E:{e}", 0.0) for e in ids])
    reachable = np.array([reach.get(u, 0) for u in unit_of], dtype=float)
    table["brokerage"] = np.minimum(
        1.0, np.divide(shares, reachable, out=np.zeros(len(ids)), where=reachable > 0)
    )
    closeness = table["proximity"] / ref if ref > 0 else 0.0 * table["proximity"]
    table["exposure"] = np.minimum(1.0, closeness * (1.0 + table["brokerage"]))
    return Position(table, g, walk, timings)
