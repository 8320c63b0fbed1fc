"""The Store interface both stores implement, and the values it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from graphrisk.contract import EVALUATION_ONLY, TABLE_ORDER
from graphrisk.frames import isin
from graphrisk.graph import NODES, RELATIONSHIPS, node_rows, rel_rows, with_synthetic_ids
from graphrisk.ingest import Dataset

__all__ = ["GraphStats", "LoadSummary", "Progress", "Store", "graph_counts"]

#: progress(step_name, done, total) — called as a load goes; total is in rows.
Progress = Callable[[str, int, int], None]


@dataclass
class GraphStats:
    """Counts of nodes per label and relationships per type; labels and types with none are left out."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "nodes": dict(sorted(self.nodes.items())),
            "relationships": dict(sorted(self.relationships.items())),
        }


@dataclass
class LoadSummary:
    """What a load did: rows read per table and the graph afterwards."""

    store: str
    rows: dict[str, int]
    stats: GraphStats
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "store": self.store,
            "rows": self.rows,
            "graph": self.stats.to_dict(),
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


class Store(ABC):
    """Where a loaded data set lives: Neo4j or the embedded store, answering the same questions."""

    kind: str = "store"

    @abstractmethod
    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary:
        """Write a validated data set: upsert by key (``replace`` empties the store first)."""

    @abstractmethod
    def stats(self) -> GraphStats:
        """Node counts per label and relationship counts per type."""

    @abstractmethod
    def describe(self) -> str:
        """Where this store is, for messages (a path or a URI without credentials)."""

    @abstractmethod
    def tables_present(self) -> set[str]:
        """The contract tables this store holds rows of."""

    def close(self) -> None:  # noqa: B027 - a store without resources needs no close
        """Release connections or files."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def graph_counts(tables: dict[str, pd.DataFrame]) -> GraphStats:
    """The node and relationship counts the graph model gives for ``tables``.

    This is the embedded store's answer to :meth:`Store.stats`, computed from
    the same specs the Neo4j loaders follow: a relationship counts where both
    ends exist and once per distinct (start, end, key).
    """
    prepared = {
        name: with_synthetic_ids(name, frame) for name, frame in tables.items() if name not in EVALUATION_ONLY
    }
    keys: dict[str, pd.Index] = {}
    stats = GraphStats()
    for spec in NODES:
        if spec.table in prepared:
            ids = pd.Index(node_rows(spec, prepared[spec.table])[spec.key].dropna())
            keys[spec.label] = ids
            if len(ids):
                stats.nodes[spec.label] = len(ids)
    for spec in RELATIONSHIPS:
        if spec.table not in prepared or spec.start not in keys or spec.end not in keys:
            continue
        rows = rel_rows(spec, prepared[spec.table])
        rows = rows[
            isin(rows[spec.start_column], keys[spec.start]) & isin(rows[spec.end_column], keys[spec.end])
        ]
        n = len(rows.drop_duplicates(subset=[spec.start_column, spec.end_column, *spec.key]))
        if n:
            stats.relationships[spec.type] = stats.relationships.get(spec.type, 0) + n
    return stats


def table_order(names) -> list[str]:
    """``names`` in the contract's order."""
    return [n for n in TABLE_ORDER if n in names]
