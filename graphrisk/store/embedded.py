"""The embedded store: typed Parquet tables in a local directory, no server needed.

Layout of a store directory::

    .graphrisk/
      manifest.json          format version, graphrisk version, rows per table, when loaded
      tables/NAME.parquet    one typed table per contract table (ground truth never)

A load writes a complete new ``tables/`` beside the old one and swaps the two
with renames, so a load that fails half-way leaves the previous store as it was.
The graph (nodes and relationships) is derived from the tables by the graph
model in :mod:`graphrisk.graph`, the same one the Neo4j loaders follow.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graphrisk import __version__
from graphrisk.contract import EVALUATION_ONLY, TABLES
from graphrisk.errors import StoreError, StoreNotFoundError
from graphrisk.ingest import Dataset
from graphrisk.store.base import GraphStats, LoadSummary, Progress, Store, graph_counts, table_order

__all__ = ["FORMAT_VERSION", "EmbeddedStore"]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class EmbeddedStore(Store):
    """A store directory of Parquet tables.

    >>> import tempfile
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> store.exists()
    False
    """

    kind = "embedded"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def describe(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return (self.path / MANIFEST).is_file()

    def manifest(self) -> dict:
        if not self.exists():
            raise StoreNotFoundError(
                f"no data loaded in the embedded store at {self.path}; run 'graphrisk load DATASET_DIR' first"
            )
        try:
            manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"the store manifest {self.path / MANIFEST} cannot be read: {exc}") from exc
        if manifest.get("format_version") != FORMAT_VERSION:
            raise StoreError(
                f"the store at {self.path} has format version {manifest.get('format_version')}, "
                f"this graphrisk reads {FORMAT_VERSION}; load the data set again with --replace"
            )
        return manifest

    def table_names(self) -> list[str]:
        return table_order(self.manifest()["tables"])

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read one stored table (an empty frame with the contract's columns if it was not loaded)."""
        manifest = self.manifest()
        if name not in manifest["tables"]:
            return pd.DataFrame({c: pd.Series(dtype="string[pyarrow]") for c in TABLES[name].column_names})
        path = self.path / "tables" / f"{name}.parquet"
        try:
            return pq.read_table(path, columns=columns).to_pandas(types_mapper=_string_types)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name) for name in self.table_names()}

    def tables_present(self) -> set[str]:
        return {name for name, rows in self.manifest()["tables"].items() if rows}

    def stats(self) -> GraphStats:
        return graph_counts(self.tables())

    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary:
        started = time.perf_counter()
        old = {} if replace or not self.exists() else self.tables()
        merged: dict[str, pd.DataFrame] = dict(old)
        names = [n for n in table_order(dataset.tables) if n not in EVALUATION_ONLY]
        total = sum(len(dataset[n]) for n in names)
        done = 0
        for name in names:
            frame = dataset[name]
            if name in old:
                # new rows win, as MERGE ... SET does in Neo4j
                frame = pd.concat([old[name], frame], ignore_index=True)
                frame = frame.drop_duplicates(subset=list(TABLES[name].key), keep="last")
            merged[name] = frame.reset_index(drop=True)
            done += len(dataset[name])
            if progress:
                progress(name, done, total)
        self._write(merged)
        return LoadSummary(
            store=self.kind,
            rows={n: len(dataset[n]) for n in names},
            stats=graph_counts(merged),
            seconds=time.perf_counter() - started,
        )

    def _write(self, tables: dict[str, pd.DataFrame]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        staging = self.path / f".tables-new-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            for name, frame in tables.items():
                pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), staging / f"{name}.parquet")
            manifest = {
                "format_version": FORMAT_VERSION,
                "graphrisk_version": __version__,
                "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tables": {name: len(frame) for name, frame in tables.items()},
            }
            current = self.path / "tables"
            retired = self.path / f".tables-old-{os.getpid()}"
            if current.exists():
                current.rename(retired)
            staging.rename(current)
            tmp_manifest = self.path / f".{MANIFEST}.tmp"
            tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            tmp_manifest.replace(self.path / MANIFEST)
            shutil.rmtree(retired, ignore_errors=True)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise StoreError(f"cannot write the embedded store at {self.path}: {exc}") from exc


def _string_types(arrow_type: pa.DataType):
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None
