"""Detection speed: the whole rule catalogue per engine and preset, per-rule seconds and peak memory.

Usage::

    .venv/bin/python benchmarks/bench_detect.py [--presets small,medium] [--engines duckdb,spark,pandas,neo4j]
                                               [--seed 1] [--days N] [--work DIR] [--nightly]
                                               [--json out.json]

Data sets are generated as Parquet into ``--work`` (default ``/tmp/graphrisk-bench/``, kept
between runs) and loaded once into an embedded store beside them (``DIR.store``, kept too; the
load is timed when it happens). Each embedded engine (``duckdb``, the default, ``spark`` on
``local[2]``, and ``pandas``, the reference) runs in a child process of its own, one after the
other on the same store, so that its peak resident memory (``ru_maxrss``) is its own and they
are measured side by side. Spark's JVM is a process of its own: its peak (``VmHWM``) is reported
beside the Python process's, and the JVM's start apart from detection (``spark_start_s``).
``--nightly`` times the whole nightly job instead of detection alone: detect and score over the
default window (``graphrisk.scoring.score``), the engine chosen through ``GRAPHRISK_ENGINE``.
Without ``NEO4J_URI`` a private Neo4j server is started with ``scripts/neo4j-start`` (state in
``.neo4j-bench/``) and stopped at the end. All figures of one run come from the same machine at
the same time; compare them side by side.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path("/tmp/graphrisk-bench")
EMBEDDED_ENGINES = ("duckdb", "spark", "pandas")


def dataset(preset: str, seed: int, days: int | None, work: Path = WORK) -> Path:
    from graphrisk.generate import generate

    path = work / f"{preset}-{seed}-{days or 'default'}"
    if not (path / "access_log.parquet").exists():
        generate(path, preset=preset, seed=seed, days=days, fmt="parquet")
    return path


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _load_child(path: str, queue) -> None:
    from graphrisk.ingest import read_dataset
    from graphrisk.store import EmbeddedStore

    t0 = time.perf_counter()
    EmbeddedStore(path + ".store").load(read_dataset(path), replace=True)
    queue.put({"load_s": round(time.perf_counter() - t0, 1), "load_peak_rss_mb": _peak_mb()})


def _spark_start(engine: str) -> dict:
    """Start Spark's JVM before the clock of a spark run starts; its own time is reported apart."""
    if engine != "spark":
        return {}
    from graphrisk.rules.spark import spark_session

    t0 = time.perf_counter()
    spark_session()
    return {"spark_start_s": round(time.perf_counter() - t0, 1)}


def _jvm_peak(engine: str) -> dict:
    """The peak resident memory of Spark's JVM (the gateway process PySpark started)."""
    if engine != "spark":
        return {}
    from pyspark import SparkContext

    pid = SparkContext._gateway.proc.pid
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return {"jvm_peak_rss_mb": round(peak_kb / 1024)}


def _detect_child(path: str, engine: str, queue) -> None:
    from graphrisk.rules import detect
    from graphrisk.store import EmbeddedStore

    store = EmbeddedStore(path + ".store")
    started = _spark_start(engine)
    t1 = time.perf_counter()
    result = detect(store, engine=engine)
    queue.put(
        {
            "accesses": store.manifest()["tables"]["access_log"],
            "detect_s": round(time.perf_counter() - t1, 1),
            **started,
            "rules": {r.rule_id: r.seconds for r in result.runs},
            "findings": {r.rule_id: r.findings for r in result.runs},
            "peak_rss_mb": _peak_mb(),
            **_jvm_peak(engine),
        }
    )


def _nightly_child(path: str, engine: str, queue) -> None:
    os.environ["GRAPHRISK_ENGINE"] = engine
    from graphrisk.scoring import score
    from graphrisk.store import EmbeddedStore

    store = EmbeddedStore(path + ".store")
    started = _spark_start(engine)
    t1 = time.perf_counter()
    result = score(store)
    queue.put(
        {
            "accesses": store.manifest()["tables"]["access_log"],
            "nightly_s": round(time.perf_counter() - t1, 1),
            **started,
            "steps_s": result.seconds,
            "employees_scored": len(result.table),
            "peak_rss_mb": _peak_mb(),
            **_jvm_peak(engine),
        }
    )


def _in_child(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    while True:  # a child that fails never answers: stop waiting when it has ended
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not proc.is_alive():
                raise SystemExit(f"{target.__name__}{args} failed (exit code {proc.exitcode})") from None
    proc.join()
    return result


def run_embedded(path: Path, engine: str, nightly: bool = False) -> dict:
    """One engine on the store beside ``path`` (loaded first if it is not there), in a child process."""
    loaded = {}
    if not (Path(str(path) + ".store") / "manifest.json").exists():
        loaded = _in_child(_load_child, str(path))
    return {**loaded, **_in_child(_nightly_child if nightly else _detect_child, str(path), engine)}


def run_neo4j(path: Path, uri: str) -> dict:
    from graphrisk.ingest import read_dataset
    from graphrisk.rules import detect
    from graphrisk.store.neo4j import Neo4jStore

    store = Neo4jStore(uri)
    try:
        store.clear()
        ds = read_dataset(path)
        t0 = time.perf_counter()
        store.load(ds)
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = detect(store)
        detect_s = time.perf_counter() - t1
        return {
            "accesses": len(ds["access_log"]),
            "load_s": round(load_s, 1),
            "detect_s": round(detect_s, 1),
            "rules": {r.rule_id: r.seconds for r in result.runs},
            "findings": {r.rule_id: r.findings for r in result.runs},
        }
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="small,medium")
    parser.add_argument("--engines", default="duckdb,pandas,neo4j")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=None, help="days of log (e.g. 1 for national)")
    parser.add_argument("--work", type=Path, default=WORK, help="where data sets and stores are kept")
    parser.add_argument("--nightly", action="store_true", help="detect + score instead of detection alone")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    engines = args.engines.split(",")
    uri = os.environ.get("NEO4J_URI", "").strip()
    env = dict(
        os.environ, GRAPHRISK_NEO4J_HOME=str(ROOT / ".neo4j-bench"), NEO4J_HEAP="6g", NEO4J_PAGECACHE="2g"
    )
    started = False
    if "neo4j" in engines and not uri:
        uri = subprocess.run([str(ROOT / "scripts/neo4j-start"), "--fresh"], env=env, check=True,
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
        started = True
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    try:
        for preset in args.presets.split(","):
            path = dataset(preset, args.seed, args.days, args.work)
            for engine in engines:
                key = f"{preset}/{engine}" + ("/nightly" if args.nightly else "")
                print(f"running {key} ...", file=sys.stderr)
                results[key] = (
                    run_embedded(path, engine, args.nightly) if engine in EMBEDDED_ENGINES
                    else run_neo4j(path, uri)
                )  # fmt: skip
                print(json.dumps({key: results[key]}), file=sys.stderr)
    finally:
        if started:
            subprocess.run([str(ROOT / "scripts/neo4j-stop")], env=env, check=False, capture_output=True)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
