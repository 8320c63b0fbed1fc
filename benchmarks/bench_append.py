"""The nightly append against a full reload, on the embedded store, in one run.

Usage::

    .venv/bin/python benchmarks/bench_append.py --dataset DIR [--runs 3] [--work DIR]

``DIR`` is a generated data set (e.g. ``graphrisk generate DIR --preset medium --days 61
--format parquet``). Its last day of look-ups is the batch; the days before it are the base,
loaded once into a store. Each run then times, as a whole ``graphrisk`` process, in turn:

- A: ``graphrisk load --append BATCH`` into a copy of the base store;
- B: ``graphrisk load UNION`` (the whole data set, the batch's day included) into a copy of the
  base store: what a nightly job without ``--append`` does.

The copies are hard-linked (``cp -al``): store files are never changed in place, so each run
starts from the same base store at almost no cost, outside the timing. Prints the median wall
time and peak memory of each, and the median of the ratios B/A pair by pair.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GRAPHRISK = Path(sys.executable).parent / "graphrisk"


def split(dataset: Path, work: Path) -> tuple[Path, Path, int]:
    """The base (all days but the last) and the batch (the last day's access_log) as Parquet."""
    base, batch = work / "base", work / "batch"
    shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(batch, ignore_errors=True)
    base.mkdir(parents=True)
    batch.mkdir()
    for path in dataset.iterdir():
        if path.suffix in (".csv", ".parquet") and path.stem not in ("access_log", "ground_truth"):
            os.link(path, base / path.name)
    log_path = next(p for p in (dataset / "access_log.parquet", dataset / "access_log.csv") if p.exists())
    log = pd.read_parquet(log_path) if log_path.suffix == ".parquet" else pd.read_csv(log_path, dtype=str)
    day = pd.to_datetime(log["ts"], utc=True, format="ISO8601").dt.strftime("%Y-%m-%d")
    last = day.max()
    log[day < last].to_parquet(base / "access_log.parquet", index=False)
    log[day == last].to_parquet(batch / "access_log.parquet", index=False)
    return base, batch, int((day == last).sum())


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one whole process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    opts = parser.parse_args()
    work = opts.work or Path(tempfile.mkdtemp(prefix="bench-append-"))
    # split in a child process: a forked child's peak memory counts the parent's pages, and this
    # process would hold the whole log
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        base, batch, batch_rows = pool.apply(split, (opts.dataset, work))
    store = work / "store"
    if not (store / "manifest.json").exists():
        timed([str(GRAPHRISK), "load", str(base), "--store", str(store), "-q"])
    manifest = json.loads((store / "manifest.json").read_text())
    runs = {"append": [], "reload": []}
    for _ in range(opts.runs):
        for kind, args in (
            ("append", ["load", "--append", str(batch)]),
            ("reload", ["load", str(opts.dataset)]),
        ):
            copy = work / f"copy-{kind}"
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["cp", "-al", str(store), str(copy)], check=True)
            runs[kind].append(timed([str(GRAPHRISK), *args, "--store", str(copy), "-q"]))
            shutil.rmtree(copy)
    ratios = [r[0] / a[0] for a, r in zip(runs["append"], runs["reload"], strict=True)]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "store_access_rows": manifest["tables"].get("access_log"),
        "batch_rows": batch_rows,
        "runs": opts.runs,
        **{
            f"{kind}_{what}": round(statistics.median(r[i] for r in values), 2)
            for kind, values in runs.items()
            for i, what in ((0, "seconds"), (1, "peak_mib"))
        },
        "reload_over_append": round(statistics.median(ratios), 1),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
