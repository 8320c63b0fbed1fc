"""Scoring over the SQL engine's answers against scoring over the window's look-ups in pandas.

Usage::

    .venv/bin/python benchmarks/bench_score_lookups.py --dataset DIR [--runs 3] [--work DIR]

``DIR`` is a generated data set (e.g. ``graphrisk generate DIR --preset medium --seed 1 --format
parquet``). Once, outside the timings, it is loaded into an embedded store and ``detect
--incremental`` stores the findings of every day, so that both ways read the same stored findings
and neither detects. Each run then times, in turn, as whole processes (the library in a child
process each, wall time and peak memory from ``wait4``):

- A, ``score`` as the nightly job runs it: the queries of ``sql/score/`` on DuckDB over the store's
  files answer for the window's look-ups (:class:`graphrisk.scoring.lookups.SQLLookups`);
- B, the same ``score`` with ``GRAPHRISK_ENGINE=pandas``: the window's look-ups read into pandas
  (:class:`graphrisk.scoring.lookups.FrameLookups`, the reference, which is how every score ran
  before ``sql/score/``).

The scores of A and B are compared run by run and must be identical to the last bit. Prints the
medians, the median of the ratios B/A pair by pair, and the last run's own step timings.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_incremental import arguments
from bench_incremental import timed as timed_step


def step(kind: str, store_path: str, out: str | None) -> None:
    """One step in its own process: ``prepare`` (load ``out``, store the findings) or ``score``."""
    import pandas as pd

    from graphrisk.rules.incremental import detect_incremental
    from graphrisk.scoring import score
    from graphrisk.scoring.explain import explain_all
    from graphrisk.scoring.output import score_rows
    from graphrisk.store import EmbeddedStore

    store = EmbeddedStore(store_path)
    if kind == "prepare":
        from graphrisk.ingest import read_dataset

        loaded = store.load(read_dataset(out))
        store.close()
        found = detect_incremental(EmbeddedStore(store_path))
        print(
            json.dumps({"load_seconds": round(loaded.seconds, 2), "findings": len(found.detected.findings)})
        )
        return
    result = score(store)
    if "stored_findings" not in result.seconds:
        raise SystemExit(f"score did not read the stored findings: {result.seconds}")
    pd.DataFrame(score_rows(result, explain_all(result))).to_parquet(out, index=False)
    print(json.dumps({"findings": result.finding_count, "seconds": result.seconds}))


def timed(kind: str, store: Path, out: Path | None = None, env: dict | None = None) -> tuple:
    """Wall seconds, peak memory (MiB) and the report of this benchmark's step ``kind`` as a process."""
    return timed_step(kind, store, out, script=__file__, env=env)


def prepared_store(work: Path, dataset: Path, timed_as) -> tuple[Path, dict]:
    """``work/store`` with ``dataset`` loaded and its findings stored (``timed_as("prepare", ...)``,
    the calling benchmark's own process), unless an earlier run left it so; and what preparing said."""
    store = work / "store"
    if (store / "findings" / "state.json").exists():
        return store, {}
    shutil.rmtree(store, ignore_errors=True)
    return store, timed_as("prepare", store, dataset)[2]


def main() -> int:
    opts = arguments(__doc__, step)
    if opts is None:  # a step's own process: done
        return 0
    import pandas as pd

    work = opts.work or Path(tempfile.mkdtemp(prefix="bench-score-lookups-"))
    store, prepared = prepared_store(work, opts.dataset, timed)
    pandas_engine = {"GRAPHRISK_ENGINE": "pandas"}
    runs: dict[str, list] = {"sql": [], "pandas": []}
    for i in range(opts.runs):
        runs["sql"].append(timed("score", store, work / "a.parquet"))
        runs["pandas"].append(timed("score", store, work / "b.parquet", pandas_engine))
        a, b = pd.read_parquet(work / "a.parquet"), pd.read_parquet(work / "b.parquet")
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"scores of run {i + 1}")
    ratios = [b[0] / a[0] for a, b in zip(runs["sql"], runs["pandas"], strict=True)]
    manifest = json.loads((store / "manifest.json").read_text())
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "dataset": str(opts.dataset),
        "store_access_rows": manifest["tables"].get("access_log"),
        "runs": opts.runs,
        **prepared,
    }
    for name, values in runs.items():  # medians over the runs: wall seconds, peak memory
        result[f"{name}_seconds"] = round(statistics.median(v[0] for v in values), 2)
        result[f"{name}_peak_mib"] = round(statistics.median(v[1] for v in values))
    result["pandas_over_sql"] = round(statistics.median(ratios), 2)
    result["scores_identical"] = True  # asserted above, run by run, to the last bit
    result["last_run_steps"] = {name: values[-1][2]["seconds"] for name, values in runs.items()}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
