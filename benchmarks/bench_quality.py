"""Detection quality over a sweep of generator profiles and seeds, written to docs/quality.md.

Usage::

    .venv/bin/python benchmarks/bench_quality.py [--profiles baseline,realistic,harsh,random]
        [--seeds 101,102,103,104,105] [--preset medium] [--days N] [--prevalence 0.015]
        [--jobs 1] [--score-args "--param own-network.min_targets=3"] [--reuse-scores]
        [--holdout PROFILE] [--cache DIR] [--out docs/quality.md] [--json results.json]

For every profile x seed: ``graphrisk generate`` (Parquet) into ``CACHE/data/<run>`` (skipped when
that directory's generator.json records the same arguments, generator model version and, for a
realism profile, profile version),
``graphrisk load --replace`` into the run's own embedded store ``CACHE/runs/<run>/store``,
``graphrisk score --out scores.parquet --window <days>d`` and ``graphrisk evaluate --json``.
``--reuse-scores`` keeps the scores of an earlier sweep and only evaluates again. Runs go in
parallel with ``--jobs`` (each holds a whole data set and store in memory: medium is about 1-2 GB).

The report has the command, the date and the machine, a row per run, the minimum and median of
every figure overall and per profile (with ``--holdout P``: the tuning profiles and the holdout
apart), and the "Done when" check of issue 10 as met / missed with the figure. The summary and the
Markdown are pure functions of the evaluations (:func:`summarise`, :func:`markdown`), tested in
tests/test_bench_quality.py without generating anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PROFILES = "baseline,realistic,harsh,random"
DEFAULT_SEEDS = "101,102,103,104,105"
#: The targets of issue 10's "Done when".
MIN_AP = 0.9
MIN_RECALL = 0.8
MAX_RATIO = 1.25
LARGE_FAMILY_RANGE = (0.8, 1.25)
LARGE_FAMILY = "large-family"


# --- running the sweep ------------------------------------------------------------------------------


@dataclass
class Run:
    """One profile x seed: where its files are and what happened."""

    profile: str
    seed: int
    data: Path
    work: Path
    generated: str = ""  #: "generated", "cached" or "" (not needed)
    seconds: dict[str, float] = field(default_factory=dict)
    evaluation: dict | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.profile} seed {self.seed}"

    def record(self) -> dict:
        """The run as the summary reads it (and as ``--json`` writes it)."""
        return {
            "profile": self.profile,
            "seed": self.seed,
            "data": str(self.data),
            "generated": self.generated,
            "seconds": self.seconds,
            "error": self.error,
            "evaluation": self.evaluation,
        }


def graphrisk_command() -> list[str]:
    """How to run the graphrisk CLI of this interpreter's environment."""
    entry = Path(sys.executable).parent / "graphrisk"
    if entry.exists():
        return [str(entry)]
    return [sys.executable, "-c", "import sys; from graphrisk.cli import main; sys.exit(main())"]


def has_profiles(cli: list[str]) -> bool:
    """Whether ``graphrisk generate`` has the ``--profile`` option yet."""
    text = subprocess.run([*cli, "generate", "--help"], capture_output=True, text=True, check=True).stdout
    return "--profile" in text


def generate_args(
    preset: str, seed: int, days: int | None, prevalence: float, profile: str, with_profile: bool
) -> list[str]:
    args = ["--preset", preset, "--seed", str(seed), "--prevalence", repr(prevalence), "--format", "parquet"]
    if days is not None:
        args += ["--days", str(days)]
    if with_profile:
        args += ["--profile", profile]
    return args


def cached(data: Path, preset: str, seed: int, days: int | None, prevalence: float, profile: str) -> bool:
    """Whether ``data`` already holds the data set of these arguments (its generator.json says so)."""
    meta_file = data / "generator.json"
    if not meta_file.is_file():
        return False
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        from graphrisk.generate.presets import MODEL_VERSION, PROFILE_VERSION
    except (ValueError, ImportError):
        return False
    same = (
        meta.get("preset") == preset
        and meta.get("seed") == seed
        and meta.get("format") == "parquet"
        and meta.get("prevalence") == prevalence
        and meta.get("profile", "baseline") == profile
        and meta.get("model_version") == MODEL_VERSION
        # a world of an earlier realism round is another world, whatever its seed
        and meta.get("profile_version") == (None if profile == "baseline" else PROFILE_VERSION)
    )
    return same and (days is None or meta.get("days") == days)


def bench_site(cache: Path) -> dict[str, str]:
    """The sweep's own site key, access file and audit log under CACHE/site, with a user ``bench`` who
    may load, score and evaluate: ``graphrisk score`` writes pseudonyms, which ``evaluate`` maps back to
    ids with this key. Created once, kept with the cache (``--reuse-scores`` needs the same key)."""
    from graphrisk.privacy.access import add_user
    from graphrisk.privacy.pseudonyms import create_key

    site = cache / "site"
    env = {
        "GRAPHRISK_KEY_FILE": str(site / "site.key"),
        "GRAPHRISK_ACCESS_FILE": str(site / "access.json"),
        "GRAPHRISK_AUDIT_HEAD": str(site / "audit-head.json"),
        "GRAPHRISK_AUDIT_LOG": str(site / "audit.jsonl"),
        "GRAPHRISK_USER": "bench",
    }
    if not (site / "site.key").is_file():
        create_key(site / "site.key")
    if not (site / "access.json").is_file():
        add_user(site / "access.json", "bench", "bench", "analyst+batch", bootstrap=True)
    return env


def run_one(run: Run, args, cli: list[str], with_profile: bool, log: Callable[[str], None]) -> Run:
    env = dict(os.environ, NEO4J_URI="", **args.site)  # always the run's own embedded store

    def call(step: str, argv: list[str]) -> str:
        clock = time.perf_counter()
        done = subprocess.run([*cli, *argv], capture_output=True, text=True, env=env, check=False)
        run.seconds[step] = round(time.perf_counter() - clock, 1)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"graphrisk {step} failed ({done.returncode}): {' / '.join(tail)}")
        return done.stdout

    try:
        run.work.mkdir(parents=True, exist_ok=True)
        scores = run.work / "scores.parquet"
        if args.reuse_scores:
            if not scores.is_file():
                raise RuntimeError(f"--reuse-scores: no scores at {scores}; run the sweep without it first")
        else:
            if cached(run.data, args.preset, run.seed, args.days, args.prevalence, run.profile):
                run.generated = "cached"
            else:
                gen = generate_args(
                    args.preset, run.seed, args.days, args.prevalence, run.profile, with_profile
                )
                call("generate", ["generate", str(run.data), *gen, "--quiet"])
                run.generated = "generated"
            days = json.loads((run.data / "generator.json").read_text(encoding="utf-8"))["days"]
            store = ["--store", str(run.work / "store")]
            call("load", ["load", str(run.data), "--replace", "--quiet", *store])
            call(
                "score",
                [
                    "score",
                    "--out",
                    str(scores),
                    "--window",
                    f"{days}d",
                    "--quiet",
                    *store,
                    *shlex.split(args.score_args),
                ],
            )
        out = call("evaluate", ["evaluate", str(run.data), "--scores", str(scores), "--json"])
        run.evaluation = json.loads(out)
        (run.work / "evaluation.json").write_text(out, encoding="utf-8")
        ap = run.evaluation.get("average_precision")
        log(f"{run.name}: AP {_f(ap)}  ({', '.join(f'{k} {v:.0f} s' for k, v in run.seconds.items())})")
    except Exception as exc:  # one failed run must not stop the sweep
        run.error = str(exc)
        log(f"{run.name}: FAILED: {exc}")
    return run


def machine() -> dict:
    """nproc, memory and load average now (Linux), and the code's commit."""
    info: dict = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    }
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    if hasattr(os, "getloadavg"):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    info["python"] = platform.python_version()
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        info["commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


# --- the summary (pure) -----------------------------------------------------------------------------


def run_figures(ev: dict) -> dict:
    """The figures of one ``graphrisk evaluate --json`` document, flat."""
    q = ev["quality"]
    shares = [s["share"] for s in q["shares"]]
    share_at = {s["share"]: s for s in q["shares"]}
    ratio_share = share_at[q["ratio_share"]]
    population = ratio_share["false_positive_rate"]
    large = q.get("large_family")
    return {
        "employees": ev["employees"],
        "insiders": ev["insiders"],
        "ap": ev["average_precision"],
        "auc": ev["roc_auc"],
        "budget": q["budget"]["k"],
        "budget_precision": q["budget"]["precision"],
        "alerts": ev["alerts"]["alerts"],
        "alert_rule": ev["alerts"]["rule"],
        "alert_precision": ev["alerts"]["precision"],
        "shares": shares,
        "ratio_share": q["ratio_share"],
        "recall": {s["scenario"]: dict(zip(shares, s["recall"], strict=True)) for s in q["scenarios"]},
        "planted": {s["scenario"]: s["insiders"] for s in q["scenarios"]},
        "population": {
            "flagged": round((population or 0) * ev["non_insiders"]),
            "n": ev["non_insiders"],
            "rate": population,
        },
        "groups": {
            g["group"]: {
                "flagged": g["flagged"],
                "n": g["non_insiders"],
                "rate": g["rate"],
                "ratio": g["ratio"],
            }
            for g in q["lookalikes"]
        },
        "large_family": None
        if large is None
        else {
            "flagged": large["flagged"],
            "n": large["non_insiders"],
            "ratio": large["ratio"],
            "others_n": ev["non_insiders"] - large["non_insiders"],
            "others_flagged": round(
                (large["reference_rate"] or 0) * (ev["non_insiders"] - large["non_insiders"])
            ),
        },
    }


def figure_values(fig: dict) -> dict[str, float | None]:
    """Every figure of a run that the summary takes the minimum and median of, by its row name."""
    out: dict[str, float | None] = {
        "average precision": fig["ap"],
        "ROC AUC": fig["auc"],
        "precision at the budget": fig["budget_precision"],
        "alerts above the threshold": fig["alerts"],
        "precision of the alerts": fig["alert_precision"],
    }
    for scenario, by_share in sorted(fig["recall"].items()):
        for share, value in by_share.items():
            out[f"recall top {share}: {scenario}"] = value
    for group, g in sorted(fig["groups"].items()):
        out[f"top-{fig['ratio_share']} ratio: {group}"] = g["ratio"]
    if fig["large_family"] is not None:
        out[f"top-{fig['ratio_share']} ratio: {LARGE_FAMILY} / other non-insiders"] = fig["large_family"][
            "ratio"
        ]
    return out


@dataclass
class Check:
    """One target of the issue's "Done when": met, missed, or None when it cannot be told."""

    target: str
    how: str
    figure: str
    met: bool | None


def spread(values: Sequence[float | None]) -> tuple[float | None, float | None, int]:
    """Minimum, median and count of the defined values."""
    defined = [v for v in values if v is not None]
    if not defined:
        return None, None, 0
    return min(defined), statistics.median(defined), len(defined)


def checks(runs: list[dict]) -> list[Check]:
    """The "Done when" targets on a set of runs (each with ``name`` and ``figures``)."""
    out = []
    aps = [(r["figures"]["ap"], r["name"]) for r in runs if r["figures"]["ap"] is not None]
    if aps:
        ap, where = min(aps)
        out.append(Check(f"minimum AP >= {MIN_AP}", "the lowest run", f"{ap:.3f} ({where})", ap >= MIN_AP))
    else:
        out.append(Check(f"minimum AP >= {MIN_AP}", "the lowest run", "n/a", None))

    share = runs[0]["figures"]["ratio_share"] if runs else "2%"
    worst: dict[str, tuple[float, str]] = {}
    for r in runs:
        for scenario, by_share in r["figures"]["recall"].items():
            value = by_share.get(share)
            if value is not None and (scenario not in worst or value < worst[scenario][0]):
                worst[scenario] = (value, r["name"])
    target = f"every scenario's top-{share} recall >= {MIN_RECALL}"
    if worst:
        low = sorted((v, s, where) for s, (v, where) in worst.items())
        missed = [f"{s} {v:.2f} ({where})" for v, s, where in low if v < MIN_RECALL]
        text = (
            "below: " + ", ".join(missed) if missed else f"lowest: {low[0][1]} {low[0][0]:.2f} ({low[0][2]})"
        )
        out.append(Check(target, "each scenario's lowest run", text, not missed))
    else:
        out.append(Check(target, "each scenario's lowest run", "n/a", None))

    target = f"no look-alike group's top-{share} rate above the population's by more than a quarter"
    pooled = _pooled_ratios(runs)
    if pooled:
        ranked = sorted(
            ((ratio, group) for group, ratio in pooled.items() if ratio is not None), reverse=True
        )
        over = [f"{g} {x:.2f}" for x, g in ranked if x > MAX_RATIO]
        top_runs = [
            (g["ratio"], group, r["name"])
            for r in runs
            for group, g in r["figures"]["groups"].items()
            if g["ratio"] is not None
        ]
        single = (
            f"; highest single run {max(top_runs)[0]:.2f} ({max(top_runs)[1]}, {max(top_runs)[2]})"
            if top_runs
            else ""
        )
        if ranked:
            text = (
                "above 1.25: " + ", ".join(over) if over else f"highest: {ranked[0][1]} {ranked[0][0]:.2f}"
            ) + single
            out.append(Check(target + f" (ratio <= {MAX_RATIO})", "pooled over the runs", text, not over))
        else:
            out.append(
                Check(
                    target + f" (ratio <= {MAX_RATIO})",
                    "pooled over the runs",
                    "n/a (nobody innocent flagged)",
                    None,
                )
            )
    else:
        out.append(
            Check(
                target + f" (ratio <= {MAX_RATIO})",
                "pooled over the runs",
                "n/a (no look-alike groups)",
                None,
            )
        )

    lo, hi = LARGE_FAMILY_RANGE
    target = f"the {LARGE_FAMILY} group's top-{share} rate within {lo}-{hi} of the other non-insiders'"
    large = [
        (r["figures"]["large_family"], r["name"]) for r in runs if r["figures"]["large_family"] is not None
    ]
    if large:
        flagged = sum(lf["flagged"] for lf, _ in large)
        n = sum(lf["n"] for lf, _ in large)
        others_flagged = sum(lf["others_flagged"] for lf, _ in large)
        others_n = sum(lf["others_n"] for lf, _ in large)
        if n and others_n and others_flagged:
            ratio = (flagged / n) / (others_flagged / others_n)
            singles = [lf["ratio"] for lf, _ in large if lf["ratio"] is not None]
            expected = n * others_flagged / others_n
            text = f"{ratio:.2f} ({flagged} of {n} flagged over the runs; at the others' rate {expected:.1f})"
            if singles:
                text += f"; single runs {min(singles):.2f}-{max(singles):.2f}"
            if expected < 1:  # a ratio of 0 or 20 says nothing when not one member is expected
                text += "; too few to tell"
            out.append(
                Check(target, "pooled over the runs", text, lo <= ratio <= hi if expected >= 1 else None)
            )
        else:
            out.append(Check(target, "pooled over the runs", "n/a (no innocent employee in the top)", None))
    else:
        out.append(
            Check(target, "pooled over the runs", "n/a (no large-family group in the ground truth)", None)
        )
    return out


def _pooled_ratios(runs: list[dict]) -> dict[str, float | None]:
    """Each group's innocent members flagged over the runs, over the population's rate over the runs."""
    pop_flagged = sum(r["figures"]["population"]["flagged"] for r in runs)
    pop_n = sum(r["figures"]["population"]["n"] for r in runs)
    totals: dict[str, list[int]] = {}
    for r in runs:
        for group, g in r["figures"]["groups"].items():
            t = totals.setdefault(group, [0, 0])
            t[0] += g["flagged"]
            t[1] += g["n"]
    population = pop_flagged / pop_n if pop_n else 0
    return {g: ((f / n) / population if n and population else None) for g, (f, n) in sorted(totals.items())}


def summarise(records: list[dict], holdout: str | None = None) -> dict:
    """Spread of every figure overall, per profile and (with ``holdout``) tuning vs holdout; checks.

    ``records`` are :meth:`Run.record` dicts; failed runs (no evaluation) are counted, not summarised.
    """
    runs = [
        {
            "name": f"{r['profile']} seed {r['seed']}",
            "profile": r["profile"],
            "seed": r["seed"],
            "figures": run_figures(r["evaluation"]),
            "seconds": r.get("seconds") or {},
        }
        for r in records
        if r.get("evaluation")
    ]
    profiles = list(dict.fromkeys(r["profile"] for r in runs))
    sets: dict[str, list[dict]] = {}
    if holdout is not None:
        sets["tuning"] = [r for r in runs if r["profile"] != holdout]
        sets[f"holdout ({holdout})"] = [r for r in runs if r["profile"] == holdout]
    else:
        sets["all"] = runs
    for p in profiles:
        if holdout is None or p != holdout:
            sets[p] = [r for r in runs if r["profile"] == p]
    if holdout is not None:
        sets = {k: v for k, v in sets.items() if k != holdout}
    names = list(dict.fromkeys(name for r in runs for name in figure_values(r["figures"])))
    table = {
        name: {s: spread([figure_values(r["figures"]).get(name) for r in rs]) for s, rs in sets.items()}
        for name in names
    }
    check_sets = ["tuning", f"holdout ({holdout})"] if holdout is not None else ["all"]
    return {
        "runs": runs,
        "failed": [
            f"{r['profile']} seed {r['seed']}: {r.get('error')}" for r in records if not r.get("evaluation")
        ],
        "sets": {s: len(rs) for s, rs in sets.items()},
        "spread": table,
        "checks": {s: checks(sets[s]) for s in check_sets if sets[s]},
        "holdout": holdout,
    }


def markdown(summary: dict, meta: dict) -> str:
    """docs/quality.md: how it was made, a row per run, the spread and the checks."""
    m = meta.get("machine", {})
    load = ", ".join(str(x) for x in m.get("load_average", [])) or "?"
    out = [
        "# Detection quality over profiles and seeds",
        "",
        "Written by `benchmarks/bench_quality.py`; do not edit by hand. Every run generates a data set",
        "(Parquet), loads it into its own embedded store, scores it over the whole log and evaluates the",
        "scores against the ground truth (`graphrisk evaluate`, docs/cli.md).",
        "",
        f"- command: `{meta.get('command', '?')}`",
        f"- date: {meta.get('date', '?')}",
        f"- machine: {m.get('nproc', '?')} cores, {m.get('memory_gb', '?')} GB memory, load average "
        f"{load} (1, 5, 15 min) at the start; Python {m.get('python', '?')}",
    ]
    if m.get("commit"):
        out.append(f"- code: commit {m['commit']}")
    for key, label in (
        ("preset", "preset"),
        ("days", "days"),
        ("prevalence", "prevalence"),
        ("score_args", "extra score arguments"),
        ("elapsed", "wall time"),
    ):
        if meta.get(key) not in (None, ""):
            value = meta[key]
            out.append(f"- {label}: `{value}`" if key == "score_args" else f"- {label}: {value}")
    runs = summary["runs"]
    if summary["failed"]:
        out += ["", "**Failed runs** (left out below):", ""] + [f"- {f}" for f in summary["failed"]]
    if not runs:
        return "\n".join([*out, "", "No run finished.", ""])

    first = runs[0]["figures"]
    shares = first["shares"]
    ratio_share = first["ratio_share"]
    out += [
        "",
        "## Figures",
        "",
        "- *budget*: the alert budget B = ceil(employees x 20 / 6000) (the pilot: about 20 alerts in two "
        "weeks for 6,000 staff); *precision at B*: insiders among the top B by score.",
        "- *alerts*: employees alerted by the scorer ("
        + (
            "the `alert` column of `graphrisk score`: score at or above its threshold"
            if first["alert_rule"] == "alert column"
            else first["alert_rule"]
        )
        + ") and the share of insiders among them.",
        f"- *recall top {' / '.join(shares)}*: the share of a scenario's planted insiders in the top "
        f"{' / '.join(shares)} of all employees.",
        f"- *ratio*: a look-alike group's innocent members in the top {ratio_share}, as a share of the "
        f"group, over the same share of all non-insiders (1.00: flagged as often as anyone innocent; "
        f"in brackets the members flagged and the group's innocent size). For {LARGE_FAMILY} also over "
        "the non-insiders outside the group.",
        "- Small groups make single-run ratios coarse: at a population rate of 0.5% a group of 100 "
        "expects half a member in the top, so one run's ratio is 0, 2 or 4. The check pools the runs.",
        "",
        "## Runs",
        "",
    ]
    heads = [
        "profile",
        "seed",
        "employees",
        "insiders",
        "AP",
        "ROC AUC",
        "B",
        "precision at B",
        "alerts",
        "precision of alerts",
        f"{LARGE_FAMILY} / others",
        "score s",
    ]
    rows = []
    for r in runs:
        f = r["figures"]
        lf = f["large_family"]
        rows.append(
            [
                r["profile"],
                str(r["seed"]),
                f"{f['employees']:,}",
                str(f["insiders"]),
                _f(f["ap"]),
                _f(f["auc"]),
                str(f["budget"]),
                _f(f["budget_precision"]),
                str(f["alerts"]),
                _f(f["alert_precision"]),
                "n/a" if lf is None else _ratio(lf["ratio"], lf["flagged"], lf["n"]),
                f"{r['seconds']['score']:.0f}" if "score" in r.get("seconds", {}) else "-",
            ]
        )
    out += _md_table(heads, rows)

    scenarios = sorted({s for r in runs for s in r["figures"]["recall"]})
    if scenarios:
        out += ["", f"Recall per scenario in the top {' / '.join(shares)} (planted per run in brackets):", ""]
        rows = [[r["profile"], str(r["seed"])] + [_recall(r["figures"], s) for s in scenarios] for r in runs]
        out += _md_table(["profile", "seed", *scenarios], rows)
    groups = sorted({g for r in runs for g in r["figures"]["groups"]})
    if groups:
        out += [
            "",
            f"Look-alike groups: top-{ratio_share} rate over all non-insiders' (flagged / innocent members):",
            "",
        ]
        rows = []
        for r in runs:
            gs = r["figures"]["groups"]
            pop = r["figures"]["population"]
            rows.append(
                [r["profile"], str(r["seed"]), f"{_pct(pop['rate'])} ({pop['flagged']}/{pop['n']:,})"]
                + [_ratio(gs[g]["ratio"], gs[g]["flagged"], gs[g]["n"]) if g in gs else "-" for g in groups]
            )
        out += _md_table(["profile", "seed", "population rate", *groups], rows)

    out += ["", "## Spread over the sweep", ""]
    sets = summary["sets"]
    if summary["holdout"]:
        out.append(
            f"Leave-one-profile-out: *tuning* is every profile but `{summary['holdout']}`; the holdout is "
            "the report set, its figures apart. Each cell: minimum / median over the runs."
        )
    else:
        out.append("Each cell: minimum / median over the runs.")
    out.append("")
    heads = ["figure"] + [f"{s} ({n})" for s, n in sets.items()]
    rows = [[name] + [_spread(summary["spread"][name][s]) for s in sets] for name in summary["spread"]]
    out += _md_table(heads, rows)

    out += ["", "## Done when (issue 10)", ""]
    for set_name, cs in summary["checks"].items():
        if len(summary["checks"]) > 1 or set_name != "all":
            out += [f"On {set_name} ({sets[set_name]} runs):", ""]
        rows = [[c.target, _met(c.met), c.figure, c.how] for c in cs]
        out += _md_table(["target", "", "figure", "checked on"], rows)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md_table(heads: list[str], rows: list[list[str]]) -> list[str]:
    def cell(x: str) -> str:
        return str(x).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return lines


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def _ratio(x: float | None, flagged: int, n: int) -> str:
    return f"{'n/a' if x is None else f'{x:.2f}'} ({flagged}/{n})"


def _recall(fig: dict, scenario: str) -> str:
    if scenario not in fig["recall"]:
        return "-"
    values = " / ".join(f"{fig['recall'][scenario][s]:.2f}" for s in fig["shares"])
    return f"{values} ({fig['planted'][scenario]})"


def _spread(cell: tuple) -> str:
    low, median, n = cell
    if not n:
        return "n/a"
    if float(low).is_integer() and float(median).is_integer() and low > 1:
        return f"{low:.0f} / {median:.0f}"
    return f"{low:.3f} / {median:.3f}"


def _python() -> str:
    """The interpreter as the command line would name it: relative to the repository when inside it."""
    exe = Path(sys.executable)
    try:
        return str(exe.relative_to(ROOT))
    except ValueError:
        return exe.name


def _met(met: bool | None) -> str:
    return "n/a" if met is None else ("**met**" if met else "**missed**")


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profiles", default=DEFAULT_PROFILES, help=f"Comma-separated (default {DEFAULT_PROFILES})."
    )
    parser.add_argument("--seeds", default=DEFAULT_SEEDS, help=f"Comma-separated (default {DEFAULT_SEEDS}).")
    parser.add_argument("--preset", default="medium", help="Generator preset (default medium).")
    parser.add_argument("--days", type=int, default=None, help="Days of log (default the preset's).")
    parser.add_argument("--prevalence", type=float, default=0.015, help="Share of insiders (default 0.015).")
    parser.add_argument("--jobs", type=int, default=1, help="Runs at once (default 1).")
    parser.add_argument("--score-args", default="", help="Extra arguments for graphrisk score, one string.")
    parser.add_argument(
        "--reuse-scores", action="store_true", help="Only evaluate the scores of an earlier sweep."
    )
    parser.add_argument(
        "--holdout",
        default=None,
        metavar="PROFILE",
        help="Report this profile apart from the others (leave-one-profile-out).",
    )
    cache = Path(os.environ.get("TMPDIR", "/tmp")) / "graphrisk-bench-quality"
    parser.add_argument(
        "--cache",
        type=Path,
        default=cache,
        help="Data sets and runs (default $TMPDIR/graphrisk-bench-quality).",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "quality.md", help="The report (default docs/quality.md)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write every run's evaluation here.")
    args = parser.parse_args(argv)

    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    if not profiles or not seeds or args.jobs < 1:
        parser.error("give at least one profile and one seed, and --jobs of at least 1")
    if args.holdout is not None and args.holdout not in profiles:
        parser.error(f"--holdout {args.holdout} is not one of the profiles {', '.join(profiles)}")
    cli = graphrisk_command()
    with_profile = has_profiles(cli)
    if not with_profile and set(profiles) != {"baseline"} and not args.reuse_scores:
        parser.error("this graphrisk generate has no --profile option yet: only --profiles baseline can run")

    data_key = f"{args.preset}-d{args.days or 'preset'}-p{args.prevalence:g}"
    score_key = (
        hashlib.sha1(args.score_args.encode()).hexdigest()[:8] if args.score_args.strip() else "default"
    )
    runs = [
        Run(
            profile,
            seed,
            args.cache / "data" / f"{data_key}-{profile}-s{seed}",
            args.cache / "runs" / f"{data_key}-{profile}-s{seed}-score-{score_key}",
        )
        for profile in profiles
        for seed in seeds
    ]
    started = time.perf_counter()
    meta = {
        "command": shlex.join(
            [_python(), "benchmarks/bench_quality.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "preset": args.preset,
        "days": args.days,
        "prevalence": args.prevalence,
        "score_args": args.score_args,
    }
    total = len(runs)
    finished = [0]
    lock = threading.Lock()

    def log(text: str) -> None:
        with lock:
            finished[0] += 1
            print(f"[{finished[0]}/{total}] {text}", file=sys.stderr, flush=True)

    print(f"{total} runs, {args.jobs} at a time; data sets and stores under {args.cache}", file=sys.stderr)
    args.site = bench_site(args.cache)  # once, before the runs: concurrent runs raced to create the key
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for future in as_completed([pool.submit(run_one, r, args, cli, with_profile, log) for r in runs]):
            future.result()
    meta["elapsed"] = f"{time.perf_counter() - started:.0f} s (--jobs {args.jobs})"
    records = [r.record() for r in runs]
    summary = summarise(records, holdout=args.holdout)
    text = markdown(summary, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "runs": records}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({total - len(summary['failed'])} of {total} runs)", file=sys.stderr)
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
