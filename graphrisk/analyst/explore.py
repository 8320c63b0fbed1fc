"""The neighbourhood of a node: a breadth-first walk with caps, as a networkx graph.

Large neighbourhoods are cut in two ways, and the result says where:

- *collapsed*: of one node's neighbours through one relationship type and of one label, only
  the first ``per_group`` (by id) are shown; the rest become one placeholder node
  ``+N more Label (TYPE)``;
- *truncated*: the walk stops adding nodes at ``max_nodes``; the rest of that hop is not shown.

Edges are every relationship among the nodes shown (not only the ones the walk followed), so
two persons that are both in view and related to each other are drawn related.

>>> from graphrisk.analyst.source import EmbeddedSource
>>> from graphrisk.ingest import read_dataset
>>> from pathlib import Path
>>> micro = read_dataset(Path(__file__).parents[2] / "tests" / "data" / "micro")
>>> hood = neighbourhood(EmbeddedSource(micro.tables), "Person:P1", hops=1)
>>> sorted(hood.graph.nodes)
['Address:A1', 'Employee:E1', 'Person:P1', 'Person:P4']
>>> hood.graph.nodes["Person:P4"]["label"]
'P4 Daan de Vries'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from graphrisk.errors import UsageError
from graphrisk.limits import EXPLORE_MAX_HOPS, EXPLORE_MAX_NODES, EXPLORE_MAX_PER_GROUP, Deadline, check_range

from .source import ALL_TYPES, Edge, GraphSource, split_id
from .values import display_name

__all__ = [
    "DEFAULT_TYPES",
    "KINDS",
    "STRUCTURAL_TYPES",
    "Collapsed",
    "Neighbourhood",
    "build_graph",
    "combine",
    "display_name",
    "neighbourhood",
    "parse_types",
]

#: Geography, the organisation's hierarchy and rosters: true, but they connect everyone to
#: everyone (a municipality, a unit tree) and hide what matters; shown only when asked for.
STRUCTURAL_TYPES = ("PART_OF", "SERVES", "LIVES_IN", "IN_AREA", "REGISTERED_IN", "WORKED")
DEFAULT_TYPES = tuple(t for t in ALL_TYPES if t not in STRUCTURAL_TYPES)

#: What ``graphrisk explore KIND ID`` accepts, and the label each names.
KINDS = {"employee": "Employee", "person": "Person", "case": "Case", "organisation": "Organisation"}

COLLAPSED = "Collapsed"


@dataclass(frozen=True)
class Collapsed:
    """``hidden`` neighbours of ``node`` through ``type`` with label ``label`` were not shown."""

    node: str
    type: str
    label: str
    total: int
    shown: int

    @property
    def hidden(self) -> int:
        return self.total - self.shown

    @property
    def placeholder(self) -> str:
        return f"+{self.node}>{self.type}>{self.label}"

    def describe(self) -> str:
        return (
            f"{self.node}: {self.total:,} {self.label} via {self.type}, "
            f"showing {self.shown} (+{self.hidden:,} collapsed)"
        )


@dataclass
class Neighbourhood:
    """What :func:`neighbourhood` found."""

    centre: str
    hops: int
    types: tuple[str, ...]
    graph: nx.MultiDiGraph
    collapsed: list[Collapsed] = field(default_factory=list)
    truncated_at_hop: int | None = None  #: the hop at which max_nodes stopped the walk
    not_shown: int = 0  #: nodes of that hop left out

    def notes(self) -> list[str]:
        """Sentences saying what was capped or collapsed, for the user."""
        out = []
        if self.truncated_at_hop is not None:
            out.append(
                f"stopped at {self.real_nodes():,} nodes (--max-nodes): {self.not_shown:,} more nodes "
                f"at hop {self.truncated_at_hop} are not shown; narrow with --types or --hops"
            )
        if self.collapsed:
            hidden = sum(c.hidden for c in self.collapsed)
            out.append(
                f"{len(self.collapsed)} large group(s) collapsed ({hidden:,} nodes, --per-group): "
                + "; ".join(c.describe() for c in self.collapsed[:5])
                + ("; ..." if len(self.collapsed) > 5 else "")
            )
        return out

    def real_nodes(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d["type"] != COLLAPSED)

    def to_dict(self) -> dict:
        return {
            "centre": self.centre,
            "hops": self.hops,
            "types": list(self.types),
            "nodes": [{"id": n, **d} for n, d in self.graph.nodes(data=True)],
            "edges": [{"source": u, "target": v, **d} for u, v, d in self.graph.edges(data=True)],
            "collapsed": [c.__dict__ | {"hidden": c.hidden} for c in self.collapsed],
            "truncated_at_hop": self.truncated_at_hop,
            "not_shown": self.not_shown,
            "notes": self.notes(),
        }


def parse_types(text: str | None, default: tuple[str, ...] = DEFAULT_TYPES) -> tuple[str, ...]:
    """``--types`` text: comma-separated relationship types, ``all``, or nothing for ``default``.

    >>> parse_types("related_to, member_of")
    ('RELATED_TO', 'MEMBER_OF')
    >>> len(parse_types("all")) == len(ALL_TYPES)
    True
    """
    if text is None or not text.strip():
        return default
    if text.strip().lower() == "all":
        return ALL_TYPES
    types = tuple(dict.fromkeys(t.strip().upper() for t in text.split(",") if t.strip()))
    unknown = [t for t in types if t not in ALL_TYPES]
    if unknown:
        raise UsageError(f"unknown relationship type(s) {', '.join(unknown)}; known: {', '.join(ALL_TYPES)}")
    return types


def neighbourhood(
    source: GraphSource,
    centre: str,
    *,
    hops: int = 2,
    max_nodes: int = 150,
    per_group: int | None = 15,
    types: tuple[str, ...] = DEFAULT_TYPES,
    deadline: Deadline | None = None,
) -> Neighbourhood:
    """The nodes within ``hops`` of ``centre`` along ``types``, capped; edges among them.

    Parameters
    ----------
    source : the store, as a :class:`GraphSource`.
    centre : a node id (``Label:key``) that exists.
    hops : how far to walk (1 to :data:`~graphrisk.limits.EXPLORE_MAX_HOPS`).
    max_nodes : the most nodes to show (at most :data:`~graphrisk.limits.EXPLORE_MAX_NODES`).
    per_group : per node, relationship type and neighbour label, the most neighbours shown
        (at most :data:`~graphrisk.limits.EXPLORE_MAX_PER_GROUP`); ``None`` shows all.
    types : relationship types to walk along (and draw).
    deadline : the command's time budget, checked after each hop (a Neo4j store's queries get
        what is left of it as their timeout).

    Raises
    ------
    UsageError
        For a centre that does not exist, or hops or caps outside their range.
    QueryTimeoutError
        When the deadline passes.
    """
    check_range("--hops", hops, 1, EXPLORE_MAX_HOPS)
    check_range("--max-nodes", max_nodes, 1, EXPLORE_MAX_NODES)
    if per_group is not None:
        check_range("--per-group", per_group, 1, EXPLORE_MAX_PER_GROUP)
    deadline = deadline or Deadline(None)
    props = source.nodes([centre])
    if centre not in props:
        label, key = split_id(centre)
        raise UsageError(f"no {label} with id {key!r} in the store")
    hop_of: dict[str, int] = {centre: 0}
    collapsed: list[Collapsed] = []
    frontier = [centre]
    truncated_at, not_shown = None, 0
    for hop in range(1, hops + 1):
        if not frontier:
            break
        found = source.expand(frontier, types, per_group)
        deadline.check("explore")
        shown: dict[tuple[str, str, str], int] = {}
        candidates: list[str] = []
        rank = {n: i for i, n in enumerate(frontier)}
        for nb in sorted(found.neighbours, key=lambda n: (rank[n.of], n.type, n.node)):
            group = (nb.of, nb.type, split_id(nb.node)[0])
            shown[group] = shown.get(group, 0) + 1
            if nb.node not in hop_of:
                candidates.append(nb.node)
        for group, total in sorted(found.totals.items(), key=lambda kv: (rank[kv[0][0]], kv[0][1:])):
            if total > shown.get(group, 0):
                collapsed.append(Collapsed(*group, total=total, shown=shown.get(group, 0)))
        candidates = list(dict.fromkeys(candidates))
        room = max_nodes - len(hop_of)
        if len(candidates) > room:
            truncated_at, not_shown = hop, len(candidates) - max(room, 0)
            candidates = candidates[: max(room, 0)]
        for n in candidates:
            hop_of[n] = hop
            props[n] = found.props[n]
        frontier = candidates
        if truncated_at is not None:
            break
    edges = source.induced(list(hop_of), types)
    deadline.check("explore")
    graph = build_graph({n: props[n] for n in hop_of}, edges, hop_of)
    kept = {c for c in collapsed if c.node in graph}
    for c in sorted(kept, key=lambda c: (c.node, c.type, c.label)):
        graph.add_node(
            c.placeholder, type=COLLAPSED, key="", label=f"+{c.hidden:,} more {c.label} ({c.type})",
            hop=hop_of[c.node] + 1, count=c.hidden, of_type=c.label,
        )  # fmt: skip
        graph.add_edge(c.node, c.placeholder, type=c.type, label=c.type)
    return Neighbourhood(
        centre, hops, tuple(types), graph, [c for c in collapsed if c in kept], truncated_at, not_shown
    )


def combine(
    source: GraphSource,
    centre: str,
    views: list[Neighbourhood],
    extra: list[str] = (),
    types: tuple[str, ...] = DEFAULT_TYPES,
) -> nx.MultiDiGraph:
    """One graph of the nodes of several ``views`` and the ``extra`` nodes that exist, with every
    relationship of ``types`` among them; the views' collapsed groups are kept. ``hop`` is the
    distance from ``centre`` in the combined graph (-1 where it is not connected to it)."""
    ids: set[str] = set(extra)
    for view in views:
        ids |= {n for n, d in view.graph.nodes(data=True) if d["type"] != COLLAPSED}
    props = source.nodes(ids | {centre})
    edges = source.induced(list(props), types)
    graph = build_graph(props, edges)
    distance = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), centre)
    for n in graph:
        graph.nodes[n]["hop"] = distance.get(n, -1)
    for view in views:
        for c in view.collapsed:
            if c.node in graph and c.placeholder not in graph:
                graph.add_node(
                    c.placeholder, type=COLLAPSED, key="", label=f"+{c.hidden:,} more {c.label} ({c.type})",
                    hop=graph.nodes[c.node]["hop"] + 1, count=c.hidden, of_type=c.label,
                )  # fmt: skip
                graph.add_edge(c.node, c.placeholder, type=c.type, label=c.type)
    return graph


def build_graph(props: dict[str, dict], edges: list[Edge], hop_of: dict[str, int] | None = None):
    """A MultiDiGraph with nodes and edges inserted in sorted order (so every traversal is repeatable).

    Node attributes: ``type`` (the label), ``key``, ``label`` (a display name), ``hop`` and the
    node's properties; edge attributes: ``type``, ``label`` (the type) and its properties (one
    whose name a graph format reserves, such as ``source``, as ``rel_source``).
    """
    graph = nx.MultiDiGraph()
    for nid in sorted(props):
        label, key = split_id(nid)
        attrs = dict(props[nid])
        attrs.update(type=label, key=key, label=display_name(label, key, props[nid]))
        if hop_of is not None and nid in hop_of:
            attrs["hop"] = hop_of[nid]
        graph.add_node(nid, **attrs)
    seen = set()
    for e in sorted(edges, key=Edge.sort_key):
        if e.sort_key() in seen or e.source not in graph or e.target not in graph:
            continue
        seen.add(e.sort_key())
        props = {(f"rel_{k}" if k in _RESERVED else k): v for k, v in e.properties.items()}
        graph.add_edge(e.source, e.target, **props, type=e.type, label=e.type)
    return graph


#: Attribute names the graph formats (and Cytoscape.js) keep for themselves; a relationship
#: property of that name (``RELATED_TO.source``) is stored as ``rel_<name>``.
_RESERVED = frozenset({"id", "source", "target", "key", "type", "label"})
