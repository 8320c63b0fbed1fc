"""The two questions exploration asks a store, answered the same way by both stores.

Everything the analyst tools do — neighbourhoods, caps, paths, exports, the network in a
dossier — is computed in one networkx code path from the answers to a few questions:

- :meth:`GraphSource.find`: which nodes have this key?
- :meth:`GraphSource.nodes`: these nodes' properties;
- :meth:`GraphSource.expand`: one hop out from these nodes, per (start node, relationship
  type, neighbour label) the number of distinct neighbours and the first ``limit`` of them by
  key, with the relationships between them;
- :meth:`GraphSource.induced`: every relationship among these nodes.

Neo4j answers with the read queries in ``cypher/explore/``; the embedded store with pandas
joins over its tables, following the graph model in :mod:`graphrisk.graph`. Answers are
plain values (:mod:`graphrisk.analyst.values`), so the two can be compared exactly, and
``tests/test_explore.py`` requires that they are equal.

A node is named by its id ``Label:key``, e.g. ``Person:P0000253``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from graphrisk.contract import EVALUATION_ONLY
from graphrisk.errors import UsageError
from graphrisk.graph import NODES, RELATIONSHIPS, node_rows, rel_rows, with_synthetic_ids

from .values import plain_props

__all__ = [
    "ALL_TYPES",
    "LABELS",
    "Edge",
    "EmbeddedSource",
    "Expansion",
    "GraphSource",
    "Neighbour",
    "Neo4jSource",
    "node_id",
    "source_for",
    "split_id",
]

LABELS: tuple[str, ...] = tuple(n.label for n in NODES)
ALL_TYPES: tuple[str, ...] = tuple(dict.fromkeys(r.type for r in RELATIONSHIPS))
KEYS: dict[str, str] = {n.label: n.key for n in NODES}


def node_id(label: str, key: str) -> str:
    """The id of a node.

    >>> node_id("Person", "P1")
    'Person:P1'
    """
    return f"{label}:{key}"


def split_id(nid: str) -> tuple[str, str]:
    """Label and key of a node id.

    >>> split_id("Action:C1|2026-03-06T04:00:00+0000")
    ('Action', 'C1|2026-03-06T04:00:00+0000')
    """
    label, _, key = nid.partition(":")
    return label, key


@dataclass(frozen=True)
class Edge:
    """A relationship: ``source`` and ``target`` in its own direction, its type and properties."""

    source: str
    target: str
    type: str
    props: tuple[tuple[str, object], ...] = ()

    @property
    def properties(self) -> dict:
        return dict(self.props)

    def sort_key(self) -> tuple:
        return (self.source, self.target, self.type, repr(self.props))


@dataclass
class Neighbour:
    """A neighbour ``node`` of ``of`` through relationships of one ``type`` (``edges``)."""

    of: str
    type: str
    node: str
    edges: list[Edge]


@dataclass
class Expansion:
    """The answer to :meth:`GraphSource.expand`."""

    neighbours: list[Neighbour] = field(default_factory=list)
    #: (start node, relationship type, neighbour label) -> distinct neighbours in the store
    totals: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: node id -> properties, for every neighbour returned
    props: dict[str, dict] = field(default_factory=dict)


class GraphSource(ABC):
    """A store seen as a graph to explore."""

    @abstractmethod
    def find(self, key: str) -> list[str]:
        """Ids of every node whose key is ``key``, sorted by label."""

    @abstractmethod
    def nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        """Properties of the nodes named (the ones that exist)."""

    @abstractmethod
    def expand(self, ids: Iterable[str], types: Iterable[str], limit: int | None) -> Expansion:
        """One hop out from ``ids`` along ``types`` (both directions); see the module docstring."""

    @abstractmethod
    def induced(self, ids: Iterable[str], types: Iterable[str]) -> list[Edge]:
        """Every relationship of one of ``types`` with both ends among ``ids``."""

    @abstractmethod
    def employees(self) -> pd.DataFrame:
        """Every employee: ``employee_id``, ``rank``, ``role``, ``unit_id``, sorted by id."""

    @abstractmethod
    def units(self) -> pd.DataFrame:
        """Every unit: ``unit_id``, ``name``, ``parent_unit_id``, sorted by id."""

    def resolve(self, text: str, labels: Iterable[str] | None = None) -> str:
        """The node a user means by ``text``: ``Label:key``, ``label:key`` or a bare key.

        A bare key must name exactly one node (of one of ``labels``, when given).
        """
        label, sep, key = text.partition(":")
        if sep and label.capitalize() in KEYS:
            label = label.capitalize()
            nid = node_id(label, key)
            if not self.nodes([nid]):
                raise UsageError(f"no {label} with id {key!r} in the store")
            return nid
        found = self.find(text.strip())
        if labels is not None:
            allowed = set(labels)
            wrong = [f for f in found if split_id(f)[0] not in allowed]
            found = [f for f in found if split_id(f)[0] in allowed]
            if not found and wrong:
                raise UsageError(
                    f"{text!r} is a {split_id(wrong[0])[0]}, expected a {' or '.join(sorted(allowed))}"
                )
        if not found:
            raise UsageError(f"no node with id {text!r} in the store")
        if len(found) > 1:
            options = ", ".join(found)
            raise UsageError(f"{text!r} names several nodes ({options}); write one as Label:id")
        return found[0]


def source_for(store) -> GraphSource:
    """The :class:`GraphSource` of an open store.

    While a command runs pseudonymised, persons' names and birth dates never leave the source
    (:class:`_HidingSource`): every neighbourhood, path, export and dossier is built without them.
    """
    from graphrisk.privacy.redact import active

    source = store.graph_source()
    return source if active() is None else _HidingSource(source)


class _HidingSource:
    """A source whose node properties lack what names a person (privacy/redact.py)."""

    def __init__(self, inner: GraphSource) -> None:
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def resolve(self, text: str, labels: Iterable[str] | None = None) -> str:
        return self._inner.resolve(text, labels)

    def nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        from graphrisk.privacy.redact import hide_person_props

        return {nid: hide_person_props(split_id(nid)[0], p) for nid, p in self._inner.nodes(ids).items()}

    def expand(self, ids: Iterable[str], types: Iterable[str], limit: int | None) -> Expansion:
        from graphrisk.privacy.redact import hide_person_props

        out = self._inner.expand(ids, types, limit)
        out.props = {nid: hide_person_props(split_id(nid)[0], p) for nid, p in out.props.items()}
        return out


def _by_label(ids: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for nid in dict.fromkeys(ids):
        label, key = split_id(nid)
        if label in KEYS:
            out[label].append(key)
    return out


def _check_types(types: Iterable[str]) -> list[str]:
    types = list(dict.fromkeys(types))
    unknown = [t for t in types if t not in ALL_TYPES]
    if unknown:
        raise UsageError(f"unknown relationship type(s) {', '.join(unknown)}; known: {', '.join(ALL_TYPES)}")
    return types


def _frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``frame`` as plain text (None for missing), sorted by the first."""
    out = pd.DataFrame({c: [None if pd.isna(v) else str(v) for v in frame[c]] for c in columns}, dtype=object)
    return out.sort_values(columns[0], kind="stable").reset_index(drop=True)


def _edge(source: str, target: str, type_: str, props: dict) -> Edge:
    return Edge(source, target, type_, tuple(plain_props(props).items()))


class Neo4jSource(GraphSource):
    """A Neo4j store, through the read queries in ``cypher/explore/``."""

    def __init__(self, store) -> None:
        self.store = store

    def _refs(self, ids: Iterable[str]) -> list[dict]:
        return [{"label": label, "key": key} for label, keys in _by_label(ids).items() for key in keys]

    def find(self, key: str) -> list[str]:
        frame = self.store.read("explore/find", {"key": key, "labels": list(LABELS)})
        return sorted(node_id(r.label, r.key) for r in frame.itertuples())

    def nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        refs = self._refs(ids)
        if not refs:
            return {}
        frame = self.store.read("explore/nodes", {"nodes": refs})
        return {r.id: plain_props(r.props) for r in frame.itertuples()}

    def expand(self, ids: Iterable[str], types: Iterable[str], limit: int | None) -> Expansion:
        refs = self._refs(ids)
        out = Expansion()
        if not refs:
            return out
        params = {"nodes": refs, "types": _check_types(types), "labels": list(LABELS), "keys": KEYS,
                  "limit": limit}  # fmt: skip
        frame = self.store.read("explore/expand", params)
        for row in frame.itertuples():
            out.totals[(row.node, row.type, row.label)] = int(row.total)
            for item in row.neighbours:
                nid = node_id(row.label, item["key"])
                out.props[nid] = plain_props(item["props"])
                edges = [
                    _edge(row.node, nid, row.type, r["props"])
                    if r["out"]
                    else _edge(nid, row.node, row.type, r["props"])
                    for r in item["rels"]
                ]
                out.neighbours.append(Neighbour(row.node, row.type, nid, sorted(edges, key=Edge.sort_key)))
        return out

    def employees(self) -> pd.DataFrame:
        return _frame(self.store.read("explore/employees"), ["employee_id", "rank", "role", "unit_id"])

    def units(self) -> pd.DataFrame:
        return _frame(self.store.read("explore/units"), ["unit_id", "name", "parent_unit_id"])

    def induced(self, ids: Iterable[str], types: Iterable[str]) -> list[Edge]:
        ids = list(dict.fromkeys(ids))
        refs = self._refs(ids)
        if not refs:
            return []
        params = {"nodes": refs, "ids": ids, "types": _check_types(types), "labels": list(LABELS),
                  "keys": KEYS}  # fmt: skip
        frame = self.store.read("explore/induced", params)
        return [_edge(r.source, r.target, r.type, r.props) for r in frame.itertuples()]


class EmbeddedSource(GraphSource):
    """The embedded store's tables, joined as the graph model says (:mod:`graphrisk.graph`)."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = {
            name: with_synthetic_ids(name, frame)
            for name, frame in tables.items()
            if name not in EVALUATION_ONLY
        }

    @cached_property
    def _nodes(self) -> dict[str, pd.DataFrame]:
        out = {}
        for spec in NODES:
            if spec.table in self.tables:
                rows = node_rows(spec, self.tables[spec.table])
                rows = rows[rows[spec.key].notna()]
                # an object index: look-ups by key hash it, where an Arrow string index walks it
                index = pd.Index(rows[spec.key].astype(str).to_numpy(dtype=object), dtype=object)
                out[spec.label] = rows.set_index(index, drop=False)
        return out

    @cached_property
    def _rels(self) -> dict[str, list[tuple]]:
        """Per type: (spec, frame with s, e and property columns) of relationships whose ends exist."""
        out: dict[str, list[tuple]] = defaultdict(list)
        for spec in RELATIONSHIPS:
            if spec.table not in self.tables or spec.start not in self._nodes or spec.end not in self._nodes:
                continue
            rows = rel_rows(spec, self.tables[spec.table])
            # object dtype: pandas' isin hashes it, but walks Arrow strings one by one
            starts = rows[spec.start_column].astype(object)
            ends = rows[spec.end_column].astype(object)
            rows = rows[
                starts.isin(self._nodes[spec.start].index.astype(object)).to_numpy()
                & ends.isin(self._nodes[spec.end].index.astype(object)).to_numpy()
            ]
            # Neo4j merges on (start, end, key) and SETs the properties: the last row wins
            rows = rows.drop_duplicates(subset=[spec.start_column, spec.end_column, *spec.key], keep="last")
            props = list(dict.fromkeys([*spec.key, *spec.properties]))
            frame = pd.DataFrame(
                {
                    "s": rows[spec.start_column].astype(str).to_numpy(),
                    "e": rows[spec.end_column].astype(str).to_numpy(),
                    **{p: rows[p].to_numpy() for p in props},
                }
            )
            out[spec.type].append((spec, frame, props))
        return out

    def employees(self) -> pd.DataFrame:
        columns = ["employee_id", "rank", "role", "unit_id"]
        return _frame(self.tables.get("employees", pd.DataFrame(columns=columns)), columns)

    def units(self) -> pd.DataFrame:
        columns = ["unit_id", "name", "parent_unit_id"]
        return _frame(self.tables.get("units", pd.DataFrame(columns=columns)), columns)

    def _props(self, label: str, keys: list[str]) -> dict[str, dict]:
        """Properties of ``label`` nodes by id, for keys that exist."""
        frame = self._nodes[label]
        hits = frame[frame.index.isin(keys)]
        records = hits.to_dict(orient="records")
        return {node_id(label, k): plain_props(r) for k, r in zip(hits.index, records, strict=True)}

    def find(self, key: str) -> list[str]:
        return sorted(node_id(label, key) for label, frame in self._nodes.items() if key in frame.index)

    def nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        out = {}
        for label, keys in _by_label(ids).items():
            if label in self._nodes:
                out.update(self._props(label, keys))
        return out

    def _incident(self, ids: Iterable[str], types: list[str], *, both: bool) -> pd.DataFrame:
        """Rows (node, out, other, type, edge) of relationships at ``ids``; ``both``: in and out."""
        wanted = _by_label(ids)
        parts = []
        for t in types:
            for spec, frame, props in self._rels.get(t, []):
                sides = [(True, spec.start, "s", spec.end, "e")]
                if both:
                    sides.append((False, spec.end, "e", spec.start, "s"))
                for out, label, col, other_label, other_col in sides:
                    if label not in wanted:
                        continue
                    hit = frame[frame[col].isin(wanted[label])]
                    if hit.empty:
                        continue
                    records = [
                        dict(zip(props, values, strict=True))
                        for values in hit[props].itertuples(index=False, name=None)
                    ] if props else [{} for _ in range(len(hit))]  # fmt: skip
                    parts.append(
                        pd.DataFrame(
                            {
                                "node": (label + ":" + hit[col]).to_numpy(),
                                "out": out,
                                "other_label": other_label,
                                "other_key": hit[other_col].to_numpy(),
                                "type": t,
                                "edge": records,
                            }
                        )
                    )
        if not parts:
            return pd.DataFrame(columns=["node", "out", "other_label", "other_key", "type", "edge"])
        return pd.concat(parts, ignore_index=True)

    def expand(self, ids: Iterable[str], types: Iterable[str], limit: int | None) -> Expansion:
        rows = self._incident(ids, _check_types(types), both=True)
        out = Expansion()
        if rows.empty:
            return out
        group = ["node", "type", "other_label"]
        rows = rows.sort_values([*group, "other_key"], kind="stable").reset_index(drop=True)
        distinct = rows.drop_duplicates([*group, "other_key"])
        for key, total in distinct.groupby(group, sort=False).size().items():
            out.totals[key] = int(total)
        # the position of each neighbour in its group; a neighbour's other rows follow its first
        rows["pos"] = distinct.groupby(group, sort=False).cumcount().reindex(rows.index).ffill()
        if limit is not None:
            rows = rows[rows["pos"] < limit]
        wanted: dict[str, list[str]] = defaultdict(list)
        current, edges = None, []
        columns = [rows[c].to_numpy() for c in ("node", "type", "other_label", "other_key", "out", "edge")]
        for node, type_, label, key, is_out, props in zip(*columns, strict=True):
            if (node, type_, label, key) != current:
                if current is not None:
                    out.neighbours.append(Neighbour(current[0], current[1], node_id(*current[2:]), edges))
                    wanted[current[2]].append(current[3])
                current, edges = (node, type_, label, key), []
            other = node_id(label, key)
            edges.append(_edge(node, other, type_, props) if is_out else _edge(other, node, type_, props))
        out.neighbours.append(Neighbour(current[0], current[1], node_id(*current[2:]), edges))
        wanted[current[2]].append(current[3])
        for nb in out.neighbours:
            nb.edges.sort(key=Edge.sort_key)
        for label, keys in wanted.items():
            out.props.update(self._props(label, keys))
        return out

    def induced(self, ids: Iterable[str], types: Iterable[str]) -> list[Edge]:
        ids = list(dict.fromkeys(ids))
        rows = self._incident(ids, _check_types(types), both=False)
        if rows.empty:
            return []
        rows = rows.assign(other=rows["other_label"] + ":" + rows["other_key"].astype(str))
        rows = rows[rows["other"].isin(set(ids))]
        return [_edge(r.node, r.other, r.type, r.edge) for r in rows.itertuples()]
