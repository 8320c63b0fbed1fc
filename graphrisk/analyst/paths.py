"""Shortest and alternative paths between two nodes, each told as a readable chain.

The search walks out from both ends at once (a bidirectional breadth-first search through
:meth:`GraphSource.expand`, always widening the smaller side) and stops as soon as the
``limit`` shortest simple paths are known for certain: after the two sides have walked ``a``
and ``b`` hops, every path of at most ``a + b`` hops lies in what was fetched, so the
shortest ones found there are the shortest in the store. Relationships are followed in
either direction; a chain shows each one's own direction, kind and dates.

>>> from graphrisk.analyst.source import EmbeddedSource
>>> from graphrisk.ingest import read_dataset
>>> from pathlib import Path
>>> micro = read_dataset(Path(__file__).parents[2] / "tests" / "data" / "micro")
>>> found = find_paths(EmbeddedSource(micro.tables), "Employee:E1", "Organisation:O1")
>>> [p.hops for p in found.paths]
[4, 4, 4, 4, 5]
>>> print(found.paths[3].chain())
(Employee E1 hoofdagent)
  -[:IS_PERSON]-> (Person P1 Anna de Vries)
  -[:RELATED_TO partner, since 2012-06-01, source BRP]-> (Person P4 Daan de Vries)
  -[:RELATED_TO friend, source BVH]-> (Person P7 Gijs Mulder)
  -[:MEMBER_OF member, since 2019-01-01]-> (Organisation Kraaien MC)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import networkx as nx

from graphrisk.errors import UsageError
from graphrisk.limits import PATHS_MAX_HOPS, PATHS_MAX_LIMIT, Deadline, check_range

from .explore import DEFAULT_TYPES, build_graph
from .source import Edge, GraphSource, split_id

__all__ = ["Path", "PathSearch", "describe_edge", "find_paths"]

#: The most nodes a path search fetches before it stops and says so.
DEFAULT_BUDGET = 50_000


@dataclass
class Path:
    """One path: its nodes in order and, between each two, the relationships joining them."""

    nodes: list[str]
    steps: list[list[dict]]  #: per hop: {"type", "forward", "props"} of each relationship
    graph: nx.MultiDiGraph = field(repr=False)

    @property
    def hops(self) -> int:
        return len(self.nodes) - 1

    def chain(self) -> str:
        """The path as text: one node per line, each relationship with its arrow, kind and dates."""
        lines = [f"({self._node(self.nodes[0])})"]
        for i, rels in enumerate(self.steps):
            arrows = " / ".join(describe_edge(r) for r in rels)
            lines.append(f"  {arrows} ({self._node(self.nodes[i + 1])})")
        return "\n".join(lines)

    def _node(self, nid: str) -> str:
        d = self.graph.nodes[nid]
        name = d["label"]
        return f"{d['type']} {name}"

    def to_dict(self) -> dict:
        return {
            "hops": self.hops,
            "nodes": [
                {"id": n, "type": self.graph.nodes[n]["type"], "label": self.graph.nodes[n]["label"]}
                for n in self.nodes
            ],
            "steps": self.steps,
            "chain": self.chain(),
        }


@dataclass
class PathSearch:
    """What :func:`find_paths` found, and how far it looked."""

    start: str
    end: str
    max_hops: int
    via: tuple[str, ...]
    paths: list[Path]
    searched_hops: int  #: paths up to this many hops are all known
    fetched_nodes: int
    stopped: str | None = None  #: why the search ended early, for the user
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph, repr=False)  #: the paths' union

    def notes(self) -> list[str]:
        out = []
        if not self.paths:
            out.append(f"no path of at most {self.searched_hops} hops along {', '.join(self.via)}")
        if self.stopped:
            out.append(self.stopped)
        return out

    def to_dict(self) -> dict:
        return {
            "from": self.start,
            "to": self.end,
            "max_hops": self.max_hops,
            "via": list(self.via),
            "searched_hops": self.searched_hops,
            "fetched_nodes": self.fetched_nodes,
            "paths": [p.to_dict() for p in self.paths],
            "notes": self.notes(),
        }


def find_paths(
    source: GraphSource,
    start: str,
    end: str,
    *,
    max_hops: int = 6,
    via: tuple[str, ...] = DEFAULT_TYPES,
    limit: int = 5,
    budget: int = DEFAULT_BUDGET,
    deadline: Deadline | None = None,
) -> PathSearch:
    """The ``limit`` shortest simple paths of at most ``max_hops`` hops from ``start`` to ``end``.

    Parameters
    ----------
    source : the store.
    start, end : node ids (``Label:key``) that exist.
    max_hops : the longest path wanted (1 to :data:`~graphrisk.limits.PATHS_MAX_HOPS`).
    via : relationship types a path may use (in either direction).
    limit : how many paths: the shortest, then the next shortest (ties in a fixed order); at most
        :data:`~graphrisk.limits.PATHS_MAX_LIMIT`.
    budget : stop fetching after this many nodes, and say so.
    deadline : the command's time budget, checked after each step of the search and between the
        paths networkx finds; raises :class:`~graphrisk.errors.QueryTimeoutError` when it passes.

    Notes
    -----
    After the forward side has walked :math:`a` hops and the backward side :math:`b`, a path
    :math:`v_0 \\dots v_L` with :math:`L \\le a + b` has :math:`v_i` within :math:`a` of the start
    for :math:`i \\le a` and within :math:`b` of the end otherwise, and each of its edges has an end
    that was expanded; so all such paths are in the fetched graph.
    """
    check_range("--max-hops", max_hops, 1, PATHS_MAX_HOPS)
    check_range("--limit", limit, 1, PATHS_MAX_LIMIT)
    deadline = deadline or Deadline(None)
    if start == end:
        raise UsageError("FROM and TO are the same node")
    props = source.nodes([start, end])
    for n in (start, end):
        if n not in props:
            label, key = split_id(n)
            raise UsageError(f"no {label} with id {key!r} in the store")
    seen = ({start: 0}, {end: 0})
    frontiers = [[start], [end]]
    depth = [0, 0]
    edges: set[Edge] = set()
    paths: list[list[str]] = []
    stopped = None
    while True:
        deadline.check("paths")
        graph = _undirected(edges)
        paths = _shortest(graph, start, end, depth[0] + depth[1], limit, deadline)
        if len(paths) >= limit or depth[0] + depth[1] >= max_hops:
            break
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if not frontiers[side]:
            break  # that side's component is exhausted: every path there is known
        found = source.expand(frontiers[side], via, None)
        new = []
        for nb in found.neighbours:
            edges.update(nb.edges)
            if nb.node not in seen[side]:
                seen[side][nb.node] = depth[side] + 1
                props.setdefault(nb.node, found.props[nb.node])
                new.append(nb.node)
        frontiers[side] = sorted(set(new))
        depth[side] += 1
        if len(props) > budget:
            graph = _undirected(edges)
            paths = _shortest(graph, start, end, depth[0] + depth[1], limit, deadline)
            stopped = (
                f"stopped after fetching {len(props):,} nodes (budget {budget:,}) at "
                f"{depth[0] + depth[1]} hops; narrow --via or lower --max-hops to look further"
            )
            break
    searched = min(depth[0] + depth[1], max_hops)
    if not frontiers[0] or not frontiers[1]:
        searched = max_hops
    full = build_graph(props, list(edges))
    result = [_path(full, p) for p in paths if len(p) - 1 <= max_hops]
    union = build_graph(
        {n: props[n] for p in paths for n in p},
        [e for e in edges if any(_on(p, e) for p in paths)],
    )
    return PathSearch(start, end, max_hops, tuple(via), result, searched, len(props), stopped, union)


def describe_edge(step: dict) -> str:
    """One relationship of a path as Cypher-like text with its kind, role and dates.

    >>> step = {"type": "RELATED_TO", "forward": False, "props": {"kind": "partner", "since": "2012-06-01"}}
    >>> describe_edge(step)
    '<-[:RELATED_TO partner, since 2012-06-01]-'
    """
    props = dict(step["props"])
    words = [props.pop(k) for k in ("kind", "role") if k in props]
    if "start_date" in props:
        words.append(
            f"from {props.pop('start_date')}"
            + (f" to {props.pop('end_date')}" if "end_date" in props else "")
        )
    named = sorted((k.removeprefix("rel_").replace("_", " "), v) for k, v in props.items())
    words += [f"{k} {v}" for k, v in named]
    inside = f":{step['type']}" + (f" {', '.join(str(w) for w in words)}" if words else "")
    return f"-[{inside}]->" if step["forward"] else f"<-[{inside}]-"


def _undirected(edges: set[Edge]) -> nx.Graph:
    graph = nx.Graph()
    for e in sorted(edges, key=Edge.sort_key):
        if e.source != e.target:
            graph.add_edge(e.source, e.target)
    return graph


def _shortest(
    graph: nx.Graph, start: str, end: str, most: int, limit: int, deadline: Deadline
) -> list[list[str]]:
    if start not in graph or end not in graph or most < 1:
        return []
    out = []
    try:
        for p in nx.shortest_simple_paths(graph, start, end):
            deadline.check("paths")  # each further path can take long on a dense graph
            if len(p) - 1 > most or len(out) >= limit:
                break
            out.append(p)
    except nx.NetworkXNoPath:
        return []
    return out


def _path(graph: nx.MultiDiGraph, nodes: list[str]) -> Path:
    steps = []
    for u, v in itertools.pairwise(nodes):
        rels = []
        for a, b, forward in ((u, v, True), (v, u, False)):
            for data in (graph.get_edge_data(a, b) or {}).values():
                props = {k: x for k, x in data.items() if k not in ("type", "label")}
                rels.append({"type": data["type"], "forward": forward, "props": props})
        steps.append(sorted(rels, key=lambda r: (r["type"], not r["forward"], sorted(r["props"].items()))))
    return Path(nodes, steps, graph)


def _on(path: list[str], edge: Edge) -> bool:
    pairs = set(itertools.pairwise(path))
    return (edge.source, edge.target) in pairs or (edge.target, edge.source) in pairs
