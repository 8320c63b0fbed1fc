"""Scoring the stored findings in one go against weighing them a part of the employees at a time.

Usage::

    BENCH_SCORE_PARTS=8 .venv/bin/python benchmarks/bench_score_parts.py --dataset DIR [--runs 3] [--work DIR]

A month of national findings (some 75 million) cannot be weighed in one go on this machine, so
``score`` weighs them a part of the employees at a time once they exceed
:data:`graphrisk.scoring.model.PART_FINDINGS` (docs/performance.md). This measures what the parts
cost and save on a data set small enough for one go: ``DIR`` is loaded into an embedded store and
``detect --incremental`` stores its findings (once, outside the timings, as in
``bench_score_lookups.py``); each run then times, in turn, as whole processes (wall time and peak
memory from ``wait4``):

- A, ``score`` in one go (the default for anything under ``PART_FINDINGS``);
- B, the same ``score`` with the findings weighed in about ``BENCH_SCORE_PARTS`` parts (default
  8), each read from the store as it is weighed.

The scores files (scores, parts and reasons of every employee) of A and B are compared run by run
and must be identical. Prints the medians, the median ratio B/A pair by pair, and the last run's
step timings.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_incremental import arguments
from bench_incremental import timed as timed_step
from bench_score_lookups import prepared_store
from bench_score_lookups import step as prepare

PARTS_ENV = "BENCH_SCORE_PARTS"


def step(kind: str, store_path: str, out: str | None) -> None:
    """One step in its own process: ``prepare`` (see bench_score_lookups) or ``score``, in as many
    parts as the environment's ``BENCH_SCORE_PARTS`` says (1: one go)."""
    if kind == "prepare":
        prepare(kind, store_path, out)
        return
    import pandas as pd

    from graphrisk.scoring import score
    from graphrisk.scoring.explain import explain_all
    from graphrisk.scoring.output import score_rows
    from graphrisk.store import EmbeddedStore
    from graphrisk.store.findings_store import stored_findings

    store = EmbeddedStore(store_path)
    parts = int(os.environ.get(PARTS_ENV, "1"))
    size = None
    if parts > 1:
        counts = stored_findings(store).per_employee(None, None)
        size = max(int(counts.max()), -(-int(counts.sum()) // parts))
    result = score(store, part_findings=size)
    if "stored_findings" not in result.seconds:
        raise SystemExit(f"score did not read the stored findings: {result.seconds}")
    pd.DataFrame(score_rows(result, explain_all(result))).to_parquet(out, index=False)
    print(json.dumps({"findings": result.finding_count, "parts": result.parts, "seconds": result.seconds}))


def timed(kind: str, store: Path, out: Path | None = None, env: dict | None = None) -> tuple:
    return timed_step(kind, store, out, script=__file__, env=env)


def main() -> int:
    opts = arguments(__doc__, step)
    if opts is None:  # a step's own process: done
        return 0
    import pandas as pd

    parts = int(os.environ.get(PARTS_ENV, "8"))
    work = opts.work or Path(tempfile.mkdtemp(prefix="bench-score-parts-"))
    store, prepared = prepared_store(work, opts.dataset, timed)
    runs: dict[str, list] = {"one_go": [], "parts": []}
    for i in range(opts.runs):
        runs["one_go"].append(timed("score", store, work / "a.parquet", {PARTS_ENV: "1"}))
        runs["parts"].append(timed("score", store, work / "b.parquet", {PARTS_ENV: str(parts)}))
        a, b = pd.read_parquet(work / "a.parquet"), pd.read_parquet(work / "b.parquet")
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"scores of run {i + 1}")
    ratios = [b[0] / a[0] for a, b in zip(runs["one_go"], runs["parts"], strict=True)]
    memory = [b[1] / a[1] for a, b in zip(runs["one_go"], runs["parts"], strict=True)]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "dataset": str(opts.dataset),
        "runs": opts.runs,
        "findings": runs["parts"][-1][2]["findings"],
        "parts": runs["parts"][-1][2]["parts"],
        **prepared,
    }
    for name, values in runs.items():  # medians over the runs: wall seconds, peak memory
        result[f"{name}_seconds"] = round(statistics.median(v[0] for v in values), 2)
        result[f"{name}_peak_mib"] = round(statistics.median(v[1] for v in values))
    result["parts_over_one_go_seconds"] = round(statistics.median(ratios), 2)
    result["parts_over_one_go_memory"] = round(statistics.median(memory), 2)
    result["scores_identical"] = True  # asserted above, run by run
    result["last_run_steps"] = {name: values[-1][2]["seconds"] for name, values in runs.items()}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
