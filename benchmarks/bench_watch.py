"""From a batch of look-ups landing in the watched directory to its alerts written.

Usage::

    .venv/bin/python benchmarks/bench_watch.py --dataset DIR [--batches 5] [--size 10000] [--work DIR]

``DIR`` is a generated data set (e.g. ``graphrisk generate DIR --preset medium --days 6 --format
parquet``). Its last ``batches * size`` look-ups (in time order) become the batches, ``size`` each;
everything before them is the base, loaded once into a store. Two ways of running, each from a
hard-linked copy of the base store:

- running: one ``graphrisk watch DIR --alerts-file F --interval 0.2`` process; the batches are
  handed over one after another (files written under a hidden name, renamed into DIR with the
  ``_READY`` marker); the latency of a batch is from the rename to the batch's arrival in
  ``DIR/done/``, which happens after its last alert is written (it includes up to one interval of
  waiting for the watcher's next look);
- cron: one ``graphrisk watch DIR --once`` process per batch (Python start, reading the store's
  registers each time), its wall time.

Prints p50, p95 and max of each (the first batch of the running watcher reads the registers, the
later ones find them in its cache) and the alerts written. The site key, access file and audit
log are the benchmark's own, in the work directory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GRAPHRISK = Path(sys.executable).parent / "graphrisk"


def split(dataset: Path, work: Path, batches: int, size: int) -> tuple[Path, list[Path]]:
    """The base data set and ``batches`` batch directories (Parquet, no marker yet)."""
    base = work / "base"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    for path in dataset.iterdir():
        if path.suffix in (".csv", ".parquet") and path.stem not in ("access_log", "ground_truth"):
            os.link(path, base / path.name)
    log_path = next(p for p in (dataset / "access_log.parquet", dataset / "access_log.csv") if p.exists())
    log = pd.read_parquet(log_path) if log_path.suffix == ".parquet" else pd.read_csv(log_path, dtype=str)
    order = np.argsort(pd.to_datetime(log["ts"], utc=True, format="ISO8601").to_numpy(), kind="stable")
    log = log.iloc[order].reset_index(drop=True)
    cut = len(log) - batches * size
    log.iloc[:cut].to_parquet(base / "access_log.parquet", index=False)
    out = []
    for i in range(batches):
        batch = work / "batches" / f"batch-{i:02d}"
        shutil.rmtree(batch, ignore_errors=True)
        batch.mkdir(parents=True)
        log.iloc[cut + i * size : cut + (i + 1) * size].to_parquet(batch / "access_log.parquet", index=False)
        out.append(batch)
    return base, out


def site(work: Path) -> dict[str, str]:
    """A site key and an access file with one batch user, as `keys init` and `users add` leave them."""
    from graphrisk.privacy.pseudonyms import create_key

    config = work / "site" / "config"
    env = {
        "GRAPHRISK_KEY_FILE": str(config / "site.key"),
        "GRAPHRISK_ACCESS_FILE": str(config / "access.json"),
        "GRAPHRISK_AUDIT_HEAD": str(config / "audit-head.json"),
        "GRAPHRISK_AUDIT_LOG": str(work / "site" / "state" / "audit.jsonl"),
        "GRAPHRISK_USER": "bench",
    }
    if not config.exists():
        create_key(Path(env["GRAPHRISK_KEY_FILE"]))
        access = {"version": 1, "users": {"bench": {"role": "batch", "added": "", "added_by": "bench"}}}
        Path(env["GRAPHRISK_ACCESS_FILE"]).write_text(json.dumps(access), encoding="utf-8")
    return {**os.environ, **env}


def hand_over(batch: Path, watched: Path) -> float:
    """Copy under a hidden name, then rename into the watched directory: the time of the rename."""
    hidden = watched / f".incoming-{batch.name}"
    shutil.copytree(batch, hidden)
    (hidden / "_READY").touch()
    started = time.perf_counter()
    os.rename(hidden, watched / batch.name)
    return started


def running(store: Path, batches: list[Path], work: Path, env: dict) -> tuple[list[float], int]:
    watched, alerts = work / "in-running", work / "alerts-running.jsonl"
    shutil.rmtree(watched, ignore_errors=True)
    watched.mkdir()
    alerts.unlink(missing_ok=True)
    args = [str(GRAPHRISK), "watch", str(watched), "--store", str(store), "--alerts-file", str(alerts)]
    proc = subprocess.Popen([*args, "--interval", "0.2", "-q"], env=env, stderr=subprocess.PIPE)
    latencies = []
    try:
        for batch in batches:
            started = hand_over(batch, watched)
            while not (watched / "done" / batch.name).exists():
                if proc.poll() is not None:
                    raise SystemExit(f"the watcher stopped: {proc.stderr.read().decode()}")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - started)
    finally:
        proc.terminate()
        proc.wait()
    return latencies, _lines(alerts)


def cron(store: Path, batches: list[Path], work: Path, env: dict) -> tuple[list[float], int]:
    watched, alerts = work / "in-cron", work / "alerts-cron.jsonl"
    shutil.rmtree(watched, ignore_errors=True)
    watched.mkdir()
    alerts.unlink(missing_ok=True)
    walls = []
    for batch in batches:
        started = hand_over(batch, watched)
        args = ["watch", str(watched), "--once", "--store", str(store), "--alerts-file", str(alerts), "-q"]
        done = subprocess.run([str(GRAPHRISK), *args], env=env, capture_output=True)
        if done.returncode != 0:
            raise SystemExit(f"graphrisk watch --once failed: {done.stderr.decode()}")
        walls.append(time.perf_counter() - started)
    return walls, _lines(alerts)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _stats(values: list[float]) -> dict:
    return {
        "first": round(values[0], 2),
        "p50": round(float(np.percentile(values, 50)), 2),
        "p95": round(float(np.percentile(values, 95)), 2),
        "max": round(max(values), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None)
    opts = parser.parse_args()
    work = opts.work or Path(tempfile.mkdtemp(prefix="bench-watch-"))
    env = site(work)
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # the whole log stays in the child
        base, batches = pool.apply(split, (opts.dataset, work, opts.batches, opts.size))
    store = work / "store"
    if not (store / "manifest.json").exists():
        subprocess.run([str(GRAPHRISK), "load", str(base), "--store", str(store), "-q"], env=env, check=True)
    manifest = json.loads((store / "manifest.json").read_text())
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "store_access_rows": manifest["tables"].get("access_log"),
        "store_persons": manifest["tables"].get("persons"),
        "batches": opts.batches,
        "batch_rows": opts.size,
    }
    for name, how in (("running", running), ("cron", cron)):
        copy = work / f"copy-{name}"
        shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["cp", "-al", str(store), str(copy)], check=True)
        seconds, alerts = how(copy, batches, work, env)
        result[name] = {**_stats(seconds), "alerts": alerts, "seconds": [round(s, 2) for s in seconds]}
        shutil.rmtree(copy)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
