"""Scoring end to end on the embedded store: detect + score, the centrality on its own, peak memory.

Usage::

    .venv/bin/python benchmarks/bench_score.py [--preset medium] [--seed 1] [--dataset DIR] [--json OUT]

Without ``--dataset`` a data set of the preset is generated (Parquet, in a temporary directory)
and loaded into a fresh embedded store; the load is timed apart and not part of the score.
Reported: detection, reading the scoring inputs, every step of the model (the focused subgraph,
personalised PageRank, brokerage), the total, the peak resident memory of the process, and the
evaluation against the data set's ground truth (ROC AUC, average precision, recall per scenario
at the top 1% and 2%, look-alike false-positive rates).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphrisk.evaluate import evaluate  # noqa: E402
from graphrisk.ingest import read_dataset  # noqa: E402
from graphrisk.rules import detect  # noqa: E402
from graphrisk.scoring import resolve_as_of  # noqa: E402
from graphrisk.scoring.explain import explain_all  # noqa: E402
from graphrisk.scoring.inputs import read_inputs  # noqa: E402
from graphrisk.scoring.model import ScoreParams, score_frames  # noqa: E402
from graphrisk.scoring.output import score_rows, write_scores  # noqa: E402
from graphrisk.store import EmbeddedStore  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--dataset", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="graphrisk-bench-score-"))
    dataset = args.dataset
    figures: dict = {"preset": args.preset, "seed": args.seed, "python": platform.python_version()}
    if dataset is None:
        from graphrisk.generate import generate

        dataset = work / "data"
        clock = time.perf_counter()
        generate(dataset, preset=args.preset, seed=args.seed, days=args.days, fmt="parquet")
        figures["generate_s"] = round(time.perf_counter() - clock, 1)
    store = EmbeddedStore(work / "store")
    clock = time.perf_counter()
    store.load(read_dataset(dataset), replace=True)
    figures["load_s"] = round(time.perf_counter() - clock, 1)

    started = time.perf_counter()
    as_of = resolve_as_of(store)
    params = ScoreParams()
    since = as_of - params.window
    found = detect(store, since=since, until=as_of)
    figures["detect_s"] = round(time.perf_counter() - started, 1)
    clock = time.perf_counter()
    inputs = read_inputs(store, since, as_of)
    figures["inputs_s"] = round(time.perf_counter() - clock, 1)
    clock = time.perf_counter()
    result = score_frames(inputs, found.findings, as_of, params)
    figures["score_s"] = round(time.perf_counter() - clock, 1)
    clock = time.perf_counter()
    rows = score_rows(result, explain_all(result))
    scores = work / "scores.parquet"
    write_scores(rows, scores)
    figures["explain_write_s"] = round(time.perf_counter() - clock, 1)
    figures["total_detect_plus_score_s"] = round(time.perf_counter() - started, 1)
    figures["model_steps_s"] = result.seconds
    figures["centrality_s"] = round(
        sum(v for k, v in result.seconds.items() if k in ("network_pagerank", "network_brokerage")), 1
    )
    g = result.position.graph
    figures["focused_subgraph"] = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    figures["employees"] = len(rows)
    figures["accesses"] = len(inputs.accesses)
    figures["findings"] = len(found.findings)
    figures["peak_rss_mb"] = round(peak_mb())
    if (Path(dataset) / "ground_truth.parquet").exists() or (Path(dataset) / "ground_truth.csv").exists():
        ev = evaluate(dataset, scores, ks=["1%", "2%"]).to_dict()
        figures["evaluation"] = {
            "roc_auc": ev["roc_auc"],
            "average_precision": ev["average_precision"],
            "alerts": ev["alerts"]["alerts"],
            "alert_precision": ev["alerts"]["precision"],
            "population_fpr_top": [t["false_positive_rate"] for t in ev["top_k"]],
            "recall_top_1_2_pct": {s["scenario"]: [a["rate"] for a in s["at_k"]] for s in ev["scenarios"]},
            "lookalike_rate_top_1_2_pct": {
                g["group"]: [a["rate"] for a in g["at_k"]] for g in ev["lookalikes"]
            },
        }
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
