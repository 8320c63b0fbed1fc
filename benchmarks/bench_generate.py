"""Generation time and peak memory of the synthetic data set generator.

Usage::

    .venv/bin/python benchmarks/bench_generate.py [--run medium:30:csv] [--run national:1:parquet] [--json]
    .venv/bin/python benchmarks/bench_generate.py --run national:3:parquet:whole \
        --run national:3:parquet:by-day

Each run (``preset:days:format``, optionally ``:whole`` or ``:by-day``: the access log drawn for
the whole window at once or day by day; without it the generator's default) generates a data set
in a fresh subprocess, which reports its own wall-clock time and peak resident set size
(``getrusage(RUSAGE_SELF).ru_maxrss``: everything the process ever held, Python and Arrow buffers
alike). Without ``--run`` the
runs reported in docs/performance.md are made: medium with its default 30 days (CSV and
Parquet) and with one day, and national with one day (Parquet).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_RUNS = ("medium:30:csv", "medium:30:parquet", "medium:1:parquet", "national:1:parquet")

_CHILD = """
import json, resource, sys, time
from graphrisk.generate import generate
preset, days, fmt, out, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
by_day = {"": None, "whole": False, "by-day": True}[sys.argv[6]]
started = time.perf_counter()
rows = generate(out, preset=preset, seed=seed, days=days, fmt=fmt, by_day=by_day)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_rss_kb": peak, "rows": rows}))
"""


def run(spec: str, workdir: Path, seed: int) -> dict:
    """Generate one ``preset:days:format`` data set in a subprocess; return its measurements."""
    preset, days, fmt, *how = spec.split(":")
    how = how[0] if how else ""
    if how not in ("", "whole", "by-day"):
        raise SystemExit(f"--run {spec}: the fourth field is whole or by-day")
    out = workdir / spec.replace(":", "-")
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, preset, days, fmt, str(out), str(seed), how],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    size = sum(p.stat().st_size for p in out.iterdir())
    return {
        "preset": preset,
        "days": int(days),
        "format": fmt,
        "log": how or "default",
        "seconds": round(result["seconds"], 1),
        "peak_rss_gib": round(result["peak_rss_kb"] / 2**20, 2),
        "access_events": result["rows"]["access_log"],
        "rows": sum(result["rows"].values()),
        "size_mib": round(size / 2**20, 1),
        "table_rows": result["rows"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", help="preset:days:format[:whole|:by-day] (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--keep", type=Path, help="write the data sets here instead of a temporary directory")
    args = parser.parse_args(argv)
    machine = {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for spec in args.run or DEFAULT_RUNS:
            results.append(run(spec, workdir, args.seed))
            if not args.json:
                r = results[-1]
                print(
                    f"{r['preset']:<9} {r['days']:>3} days {r['format']:<8} {r['log']:<8} "
                    f"{r['seconds']:>7.1f} s "
                    f"{r['peak_rss_gib']:>6.2f} GiB peak  {r['access_events']:>11,} access events "
                    f"{r['rows']:>11,} rows  {r['size_mib']:>7.1f} MiB",
                    flush=True,
                )
    if args.json:
        print(json.dumps({"machine": machine, "runs": results}, indent=2))
    else:
        print(f"machine: {machine['cpus']} cpus, {machine['memory_gib']} GiB, Python {machine['python']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
