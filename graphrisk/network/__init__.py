"""Network measures on the focused subgraph between police and crime, computed with networkx.

One module per measure: :mod:`~graphrisk.network.focus` builds the focused
subgraph, :mod:`~graphrisk.network.pagerank` gives proximity to crime
(personalised PageRank seeded on organisation members) and
:mod:`~graphrisk.network.brokerage` the share of police-to-crime shortest paths
through a node.
"""

from graphrisk.network.brokerage import police_crime_brokerage
from graphrisk.network.focus import DEFAULT_HOPS, focused_subgraph, relation_distances
from graphrisk.network.pagerank import DEFAULT_ALPHA, crime_proximity

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_HOPS",
    "crime_proximity",
    "focused_subgraph",
    "police_crime_brokerage",
    "relation_distances",
]
