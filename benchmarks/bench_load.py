"""Loading into Neo4j: graphrisk's batched loader against one row per transaction, in one run.

Usage::

    .venv/bin/python benchmarks/bench_load.py [--dataset DIR] [--min-events 200000] [--naive-rows N]

Without ``--dataset`` a data set is generated (medium preset, enough days for ``--min-events``
access events). Without ``NEO4J_URI`` a private server is started with ``scripts/neo4j-start``
(state in ``.neo4j-bench/``) and stopped afterwards.

Both runs send the same statements (``cypher/load/*``) with the same indexes to an emptied
database; the difference is how they are sent: graphrisk's loader (batches of ``--batch-size``
rows in one ``UNWIND``, ``--concurrency`` of them in flight at once, relationship rows sorted by
their shared end), or one row per transaction as naive per-row code (py2neo-style
``graph.create`` or a ``session.run`` per row) does it. ``--naive-rows N`` times the row-by-row
run on the first N rows of each loader (rows/s stays comparable; the full run takes long).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphrisk.contract import EVALUATION_ONLY  # noqa: E402
from graphrisk.graph import NODES, RELATIONSHIPS, node_rows, with_synthetic_ids  # noqa: E402
from graphrisk.ingest import read_dataset  # noqa: E402
from graphrisk.store.base import table_order  # noqa: E402
from graphrisk.store.neo4j import (  # noqa: E402
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    Mode,
    Neo4jStore,
    _batches,
    rel_rows_for_neo4j,
)


def steps(ds):
    tables = {n: with_synthetic_ids(n, ds[n]) for n in table_order(ds.tables) if n not in EVALUATION_ONLY}
    out = [(s.loader, node_rows(s, tables[s.table]), None) for s in NODES if s.table in tables]
    out += [(s.loader, rel_rows_for_neo4j(s, tables[s.table]), s) for s in RELATIONSHIPS if s.table in tables]
    return out


def naive_load(store: Neo4jStore, ds, limit: int | None) -> tuple[int, float]:
    store.clear()
    store.runner.run_script("schema")
    sent = 0
    started = time.perf_counter()
    for loader, rows, spec in steps(ds):
        if limit is not None:
            rows = rows.iloc[:limit]
        for row in _batches(rows, 1, spec):
            store.runner.run(loader, {"rows": row}, mode=Mode.WRITE)
            sent += 1
    return sent, time.perf_counter() - started


def batched_load(store: Neo4jStore, ds) -> tuple[int, float]:
    """graphrisk's own loader (``Neo4jStore.load``), timed from an empty database."""
    store.clear()
    sent = sum(len(rows) for _, rows, _ in steps(ds))
    started = time.perf_counter()
    store.load(ds)
    return sent, time.perf_counter() - started


def make_dataset(min_events: int, workdir: Path) -> Path:
    from graphrisk.generate import generate

    out = workdir / "bench-data"
    days = 1
    while True:
        counts = generate(out, preset="medium", seed=11, days=days, fmt="parquet")
        if counts["access_log"] >= min_events:
            return out
        days = max(days + 1, int(days * min_events / max(counts["access_log"], 1)) + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path)
    parser.add_argument("--min-events", type=int, default=200_000)
    parser.add_argument("--naive-rows", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    uri = os.environ.get("NEO4J_URI", "").strip()
    started_server = False
    env = dict(os.environ, GRAPHRISK_NEO4J_HOME=str(ROOT / ".neo4j-bench"))
    if not uri:
        uri = subprocess.run(
            [str(ROOT / "scripts/neo4j-start"), "--fresh"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        started_server = True
    try:
        with tempfile.TemporaryDirectory() as tmp:
            dataset = args.dataset or make_dataset(args.min_events, Path(tmp))
            ds = read_dataset(dataset)
            events = len(ds["access_log"])
            store = Neo4jStore(uri, batch_size=args.batch_size, concurrency=args.concurrency)
            try:
                b_rows, b_secs = batched_load(store, ds)
                stats = store.stats()
                # the naive run takes long: the batched figures are printed as soon as they are known
                rate = b_rows / b_secs
                print(f"batched: {b_rows} rows in {b_secs:.1f} s ({rate:.0f} rows/s)", file=sys.stderr)
                n_rows, n_secs = naive_load(store, ds, args.naive_rows)
            finally:
                store.close()
        batched_rate = b_rows / b_secs
        naive_rate = n_rows / n_secs
        result = {
            "access_events": events,
            "rows_sent": b_rows,
            "nodes": sum(stats.nodes.values()),
            "relationships": sum(stats.relationships.values()),
            "batch_size": args.batch_size,
            "concurrency": args.concurrency,
            "batched_seconds": round(b_secs, 1),
            "batched_rows_per_s": round(batched_rate),
            "naive_rows": n_rows,
            "naive_seconds": round(n_secs, 1),
            "naive_rows_per_s": round(naive_rate, 1),
            "ratio": round(batched_rate / naive_rate, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        }
        print(json.dumps(result, indent=2))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n")
        return 0
    finally:
        if started_server:
            subprocess.run([str(ROOT / "scripts/neo4j-stop")], env=env, check=False, capture_output=True)


if __name__ == "__main__":
    raise SystemExit(main())
