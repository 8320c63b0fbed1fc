"""Analyst and liaison tools: the named query library, neighbourhoods, paths and graph exports.

Named queries need Neo4j (they are Cypher); exploration, paths and exports work on both stores
through :mod:`graphrisk.analyst.source`, which asks each store the same few questions.
"""

from graphrisk.analyst.explore import DEFAULT_TYPES, KINDS, Neighbourhood, neighbourhood, parse_types
from graphrisk.analyst.paths import PathSearch, find_paths
from graphrisk.analyst.source import GraphSource, source_for

__all__ = [
    "DEFAULT_TYPES",
    "KINDS",
    "GraphSource",
    "Neighbourhood",
    "PathSearch",
    "find_paths",
    "neighbourhood",
    "parse_types",
    "source_for",
]
