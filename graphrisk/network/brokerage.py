"""Brokerage: how much an employee lies between the police side and criminal organisations."""

from __future__ import annotations

import networkx as nx

__all__ = ["police_crime_brokerage", "without_dead_ends"]


def police_crime_brokerage(G: nx.Graph, police, crime) -> dict:
    """Share of shortest police-to-crime paths that pass through each node.

    Parameters
    ----------
    G : networkx.Graph
        Undirected; usually the focused subgraph.
    police : iterable of nodes
        The police side, e.g. the unit nodes (``U:...``).
    crime : iterable of nodes
        The criminal side, e.g. the organisation nodes (``O:...``).

    Returns
    -------
    dict
        node -> value in [0, 1]; endpoints and nodes on no such path get 0.

    Raises
    ------
    networkx.NetworkXPointlessConcept
        When ``G`` has no nodes.

    Notes
    -----
    Subset betweenness (Brandes 2008) between the sets :math:`S` (crime) and
    :math:`T` (police), averaged over the pairs:

    .. math:: b(v) = \\frac{1}{|S|\\,|T|} \\sum_{s \\in S,\\, t \\in T}
              \\frac{\\sigma(s, t \\mid v)}{\\sigma(s, t)}

    where :math:`\\sigma(s, t)` is the number of shortest :math:`s`-:math:`t`
    paths (in hops) and :math:`\\sigma(s, t \\mid v)` the number through
    :math:`v`. An employee whose own relations, or whose look-ups, are the
    shortest bridge between their unit and an organisation gets a high value;
    one of many equal bridges gets a share. Dead ends are removed first
    (:func:`without_dead_ends`), which changes no value. Computed by
    :func:`networkx.betweenness_centrality_subset`, one breadth-first search per
    node of the smaller side (the sums are symmetric in an undirected graph),
    which an installed backend may take over.

    References
    ----------
    .. [1] Brandes (2008). On variants of shortest-path betweenness centrality
       and their generic computation. Social Networks 30(2), 136-145.

    Examples
    --------
    Two employees of unit U, each related to the member m of organisation O:
    the two shortest O-U paths run one through each of them.

    >>> G = nx.Graph([("O", "m"), ("m", "p1"), ("p1", "E1"), ("E1", "U"),
    ...               ("m", "p2"), ("p2", "E2"), ("E2", "U")])
    >>> b = police_crime_brokerage(G, police=["U"], crime=["O"])
    >>> b["E1"], b["E2"], b["m"], b["U"]
    (0.5, 0.5, 1.0, 0.0)
    """
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("cannot compute brokerage on the null graph")
    sources = sorted({n for n in crime if n in G})
    targets = sorted({n for n in police if n in G})
    if not sources or not targets:
        return dict.fromkeys(G, 0.0)
    core = without_dead_ends(G, set(sources) | set(targets))
    if not G.is_directed() and len(targets) < len(sources):
        sources, targets = targets, sources  # the same sums; one search per source, so fewer sources
    raw = nx.betweenness_centrality_subset(core, sources, targets, normalized=False)
    # networkx halves undirected path counts; undo that and average over the pairs
    scale = (1.0 if G.is_directed() else 2.0) / (len(sources) * len(targets))
    out = dict.fromkeys(G, 0.0)
    out.update({node: value * scale for node, value in raw.items()})
    return out


def without_dead_ends(G: nx.Graph, keep: set) -> nx.Graph:
    """A copy of ``G`` without its dead ends: nodes of degree 0 or 1 outside ``keep``, repeatedly.

    A dead end is never an inner node of a shortest path, and removing it
    changes no shortest path between the other nodes, so subset betweenness
    between nodes of ``keep`` is the same on the result (and 0 for what was
    removed). Employees with no tie towards crime fall away with their own
    person record.

    Examples
    --------
    >>> G = nx.Graph([("s", "a"), ("a", "t"), ("a", "x"), ("x", "y")])
    >>> sorted(without_dead_ends(G, {"s", "t"}))
    ['a', 's', 't']
    """
    core = nx.Graph(G)
    ends = [n for n, d in core.degree() if d <= 1 and n not in keep]
    while ends:
        nxt = set()
        for n in ends:
            if n not in core:
                continue
            nbrs = list(core[n])
            core.remove_node(n)
            nxt.update(m for m in nbrs if m not in keep and core.degree(m) <= 1)
        ends = sorted(nxt)
    return core
