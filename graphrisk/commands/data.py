"""Commands about data sets: generate a synthetic one, evaluate scores against its ground truth."""

from __future__ import annotations

from pathlib import Path

import click

from graphrisk.commands.common import Output, output_options, readable


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--preset",
    type=click.Choice(["tiny", "small", "medium", "national"]),
    default="small",
    show_default=True,
    help="Size of the organisation, population and log.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same files.")
@click.option("--days", type=int, default=None, help="Days of access log (default: the preset's).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@click.option(
    "--prevalence", type=float, default=None, help="Share of employees planted as insiders (default 0.01)."
)
@click.option(
    "--profile",
    type=click.Choice(["baseline", "realistic", "harsh", "random"]),
    default="baseline",
    show_default=True,
    help="Realism profile: how noisy the world and how stealthy the insiders (random: drawn from the seed).",
)
@click.option(
    "--by-day/--whole-window",
    "by_day",
    default=None,
    help="Draw and write the access log one day at a time, so that a month of national log fits in "
    "memory (another log for the same seed; every other file is the same). Default: by day for the "
    "national preset beyond one day.",
)
@output_options
def generate(
    out_dir: Path,
    preset: str,
    seed: int,
    days,
    fmt: str,
    prevalence,
    profile: str,
    by_day,
    quiet: bool,
    as_json: bool,
):
    """Generate a synthetic police data set with planted insiders and ground truth.

    The data set follows the input contract (docs/data-model.md); docs/datasets.md
    describes the model, the insider scenarios and the legitimate look-alikes.
    Deterministic: the same arguments give byte-identical files.

    \b
    Example:
        graphrisk generate datasets/sample --preset small --seed 42
        graphrisk generate /tmp/nat --preset national --days 1 --format parquet
        graphrisk generate /tmp/hard --preset medium --seed 7 --profile random
        graphrisk generate /tmp/nat30 --preset national --days 30 --format parquet
    """
    from graphrisk.generate import generate as run
    from graphrisk.outputs import written_folder

    out = Output(quiet=quiet, as_json=as_json)
    with written_folder(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)  # fail now, not after minutes of generating
        rows = run(
            out_dir,
            preset=preset,
            seed=seed,
            days=days,
            fmt=fmt,
            prevalence=prevalence,
            profile=profile,
            progress=out.info,
            by_day=by_day,
        )
    if as_json:
        out.json(
            {
                "ok": True,
                "out_dir": str(out_dir),
                "preset": preset,
                "seed": seed,
                "profile": profile,
                "rows": rows,
            }
        )
    elif not quiet:
        total = sum(rows.values())
        out.err.print(
            f"Wrote {total:,} rows to {out_dir} ({rows.get('access_log', 0):,} access events, "
            f"{rows.get('employees', 0):,} employees).",
            highlight=False,
        )


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--scores", "scores_path", required=True, type=click.Path(path_type=Path),
              help="Scores file: employee_id, score[, alert] as .csv, .parquet or .json.")  # fmt: skip
@click.option("--k", "ks", multiple=True, help="Top k to report: a count (25) or a share (2%); repeatable.")
@click.option("--threshold", type=float, default=None, help="Alert threshold on the score (default 50).")
@click.option("--budget", default=None, metavar="N|SHARE",
              help="Alert budget: a number of alerts (25) or a share of the employees (0.5%, 0.005, "
                   "20/6000); default ceil(employees * 20 / 6000).")  # fmt: skip
@output_options
def evaluate(dataset: Path, scores_path: Path, ks, threshold, budget, quiet: bool, as_json: bool):
    """Compare risk scores with the data set's ground truth.

    Prints precision and recall at the top k and at the alert threshold, ROC AUC
    and average precision, recall per insider scenario, and the false-positive
    rate of each legitimate look-alike group next to the population's. Then the
    headline figures: precision at the alert budget (the top B, B by default the
    pilot's 20 alerts per 6,000 staff), recall per scenario in the top 1% and 2%,
    and each look-alike group's top-2% rate over all non-insiders' (large-family
    also over the other non-insiders'). Only this command reads ground_truth.

    \b
    Example:
        graphrisk evaluate datasets/sample --scores scores.csv
        graphrisk evaluate datasets/sample --scores scores.parquet --k 2% --k 25 --json
        graphrisk evaluate datasets/sample --scores scores.parquet --budget 0.5%
    """
    from graphrisk.evaluate import evaluate as run
    from graphrisk.evaluate import format_evaluation
    from graphrisk.privacy.guard import guarded

    out = Output(quiet=quiet, as_json=as_json)
    # aggregates only (no employee is named): checked and logged, nothing to pseudonymise
    with guarded("evaluate", action="evaluate", redact=False) as guard:
        guard.params({"dataset": str(dataset), "scores": str(scores_path)})
        readable(dataset, "data set", "directory")
        readable(scores_path, "scores file")
        result = run(dataset, scores_path, ks=list(ks) or None, threshold=threshold, budget=budget)
    if as_json:
        out.json({"ok": True, **result.to_dict()})
    elif not quiet:
        click.echo(format_evaluation(result))


COMMANDS = [generate, evaluate]
