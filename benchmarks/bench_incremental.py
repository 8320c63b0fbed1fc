"""The nightly incremental run against detecting the whole window, on the embedded store, in one run.

Usage::

    .venv/bin/python benchmarks/bench_incremental.py --dataset DIR [--runs 3] [--work DIR]

``DIR`` is a generated data set (e.g. ``graphrisk generate DIR --preset medium --days 60 --format
parquet``). Its last day of look-ups is the night's batch; the days before it are the base. Once,
outside the timings: the base is loaded into a store, ``detect --incremental`` stores the findings
of every base day (the nights before), and the batch is appended (``load --append``, measured by
benchmarks/bench_append.py). Each run then times, in turn, on a hard-linked copy of that store (store
and findings files are never changed in place, so every run starts equal):

- A, incremental: ``detect --incremental`` (the batch's day) and ``score`` reading the stored
  findings of the 30-day window, two processes;
- B, from scratch: ``score --detect``, which runs every rule on the 30-day window and scores:
  the nightly job before stored findings.

Each step runs the library in a child process of its own (wall time and peak memory from
``wait4``); the scores of A and B are compared and must be identical. Prints the medians, and the
median of the ratios B/A pair by pair.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_append import split  # noqa: E402


def step(kind: str, store_path: str, out: str | None) -> None:
    """One step in its own process: ``load`` or ``append`` (``out`` is the data), ``base`` or
    ``incremental`` (detect --incremental), ``score`` (from stored findings) or ``full`` (detecting)."""
    import pandas as pd

    from graphrisk.rules.incremental import detect_incremental
    from graphrisk.scoring import score
    from graphrisk.scoring.explain import explain_all
    from graphrisk.scoring.output import score_rows
    from graphrisk.store import EmbeddedStore

    store = EmbeddedStore(store_path)
    if kind in ("load", "append"):  # the library, as the CLI runs it (no site key or roles needed here)
        from graphrisk.ingest import read_dataset
        from graphrisk.store import append_batch

        done = store.load(read_dataset(out)) if kind == "load" else append_batch(store, out)
        print(json.dumps({"seconds": round(done.seconds, 2)}))
        return
    if kind in ("base", "incremental"):
        result = detect_incremental(store)
        print(json.dumps({"days": len(result.plan.days), "everything": result.plan.everything,
                          "findings": len(result.detected.findings), "seconds": result.seconds}))  # fmt: skip
        return
    result = score(store, stored=kind == "score")
    expected = "stored_findings" if kind == "score" else "detect"
    if expected not in result.seconds:
        raise SystemExit(f"score took its findings from the wrong place: {result.seconds}")
    rows = score_rows(result, explain_all(result))
    pd.DataFrame(rows).to_parquet(out, index=False)
    print(json.dumps({"findings": len(result.findings), "seconds": result.seconds}))


def timed(
    kind: str, store: Path, out: Path | None = None, *, script: str = __file__, env: dict | None = None
) -> tuple[float, float, dict]:
    """Wall seconds, peak memory (MiB) and the report of one step run as a whole process: ``script
    --step kind`` (this benchmark's, or another's that takes the same options), with ``env`` added."""
    args = [sys.executable, script, "--step", kind, "--store", str(store)]
    if out is not None:
        args += ["--out", str(out)]
    started = time.perf_counter()
    environ = {**os.environ, **(env or {})}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"step {kind} failed: {proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024, json.loads(output.decode().strip().splitlines()[-1])


def arguments(description: str, run_step) -> argparse.Namespace | None:
    """The options of a benchmark whose steps run in processes of their own: ``--dataset``,
    ``--runs``, ``--work``. In a step's own process (``--step``), runs ``run_step`` and gives None."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.step:
        run_step(opts.step, opts.store, opts.out)
        return None
    if opts.dataset is None:
        parser.error("--dataset is required")
    return opts


def main() -> int:
    opts = arguments(__doc__, step)
    if opts is None:  # a step's own process: done
        return 0
    import pandas as pd

    work = opts.work or Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        base, batch, batch_rows = pool.apply(split, (opts.dataset, work))
    store = work / "store"
    prepared = {}
    if not (store / "findings" / "state.json").exists():
        shutil.rmtree(store, ignore_errors=True)
        timed("load", store, base)
        wall, peak, report = timed("base", store)
        prepared = {"base_detect_seconds": round(wall, 2), "base_detect_peak_mib": round(peak),
                    "base_days": report}  # fmt: skip
        timed("append", store, batch)
    manifest = json.loads((store / "manifest.json").read_text())
    runs: dict[str, list] = {"incremental": [], "full": []}
    detail: dict[str, list] = {"detect": [], "score": [], "full": []}
    for i in range(opts.runs):
        copy = work / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["cp", "-al", str(store), str(copy)], check=True)
        d = timed("incremental", copy)
        s = timed("score", copy, work / "a.parquet")
        runs["incremental"].append((d[0] + s[0], max(d[1], s[1])))
        detail["detect"].append(d)
        detail["score"].append(s)
        f = timed("full", copy, work / "b.parquet")
        runs["full"].append((f[0], f[1]))
        detail["full"].append(f)
        shutil.rmtree(copy)
        a, b = pd.read_parquet(work / "a.parquet"), pd.read_parquet(work / "b.parquet")
        pd.testing.assert_frame_equal(a, b, obj=f"scores of run {i + 1}")
    ratios = [f[0] / a[0] for a, f in zip(runs["incremental"], runs["full"], strict=True)]
    last = {k: v[-1][2] for k, v in detail.items()}
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "dataset": str(opts.dataset),
        "store_access_rows": manifest["tables"].get("access_log"),
        "batch_rows": batch_rows,
        "runs": opts.runs,
        **prepared,
    }
    figures = {**runs, "incremental_detect": detail["detect"], "incremental_score": detail["score"]}
    for name, values in figures.items():  # medians over the runs: wall seconds, peak memory
        result[f"{name}_seconds"] = round(statistics.median(v[0] for v in values), 2)
        result[f"{name}_peak_mib"] = round(statistics.median(v[1] for v in values))
    result["full_over_incremental"] = round(statistics.median(ratios), 2)
    result["scores_identical"] = True  # asserted above, run by run
    result["last_run_reports"] = last
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
