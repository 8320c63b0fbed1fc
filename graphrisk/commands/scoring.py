"""Commands about risk scores: ``score`` (the batch job) and ``explain`` (one employee's score)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from graphrisk.commands.common import (
    Output,
    _parse_params,
    engine_options,
    output_options,
    readable,
    reveal_option,
    with_store,
)
from graphrisk.errors import UsageError
from graphrisk.scoring.combine import DEFAULT_THRESHOLD

__all__ = ["COMMANDS", "detect_incremental_command", "explain", "score"]


def _window_options(command):
    command = click.option(
        "--window",
        default="30d",
        show_default=True,
        help="Length of the window before --as-of: 30d, 72h, 2w.",
    )(command)
    return click.option(
        "--as-of",
        "as_of",
        default=None,
        help="End of the window: a date (its end, UTC) or timestamp; default the day of the latest look-up.",
    )(command)


def _parse_window(text: str):
    """``--window`` as a Timedelta, refused beyond the contract's span of dates (no data is older)."""
    import pandas as pd

    from graphrisk.contract import EARLIEST, LATEST
    from graphrisk.scoring import parse_window

    longest = pd.Timedelta(days=(LATEST - EARLIEST).days + 1)
    try:
        length = parse_window(text)
    except (OverflowError, pd.errors.OutOfBoundsTimedelta):  # more days than a Timedelta holds
        length = None
    if length is None or length > longest:
        raise UsageError(
            f"window {text!r} is longer than any data set can span ({EARLIEST} to {LATEST}, "
            f"{longest.days:,} days)"
        )
    return length


@click.command()
@_window_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every employee's score, parts and reasons here: .parquet, .csv or .json.",
)
@click.option("--write-back", is_flag=True, help="Write scores and findings into Neo4j (needs --neo4j-uri).")
@click.option("--top", default=20, show_default=True, type=click.IntRange(0), help="Employees to list.")
@click.option(
    "--threshold",
    default=DEFAULT_THRESHOLD,
    show_default=True,
    type=click.FloatRange(0, 100),
    help="Alert at this score (calibrated to about 20 alerts per 6,000 employees; docs/scoring.md).",
)
@click.option(
    "--param", "params", multiple=True, metavar="RULE.NAME=VALUE", help="Override a rule parameter."
)
@engine_options
@click.option(
    "--detect",
    "fresh",
    is_flag=True,
    help="Run the rules on the window even when the findings detect --incremental stored cover it.",
)
@reveal_option
@output_options
@with_store
def score(
    as_of,
    window,
    out,
    write_back,
    top,
    threshold,
    params,
    engine,
    spark_master,
    fresh,
    reveal,
    quiet: bool,
    as_json: bool,
    store,
) -> None:
    """Score every employee from 0 to 100 and list the highest for triage.

    Runs the detection rules on the window, compares each employee's findings
    and look-ups with their peers' (same role, rank and unit level), lets
    network position amplify crime-related look-ups, and adds it up into a
    score whose parts and reasons add up to it (docs/scoring.md). The findings
    come from the store when ``detect --incremental`` kept them for every day
    and nothing was appended since (docs/loading.md). Scores are
    for triage by people, not verdicts. Deterministic: the same data give the
    same scores. Exit 0 when done; non-zero with a one-line reason otherwise.

    \b
    Example:
        graphrisk score --out scores.parquet
        graphrisk score --as-of 2026-03-31 --window 30d --json
        NEO4J_URI=bolt://127.0.0.1:7687 graphrisk score --write-back --top 50
        graphrisk score --engine spark --spark-master sc://spark-connect:15002 --out scores.parquet
        graphrisk load --append today/ && graphrisk detect --incremental && graphrisk score

    --engine picks the engine of the detection that scoring starts with; the scoring itself
    (peers, network, the sum) runs in pandas on every engine (docs/spark.md).
    """
    from graphrisk.privacy.guard import guarded
    from graphrisk.rules import engine_choice

    also = ("write-back",) if write_back else ()
    with guarded("score", action="score", store=store, reveal=reveal, also=also) as guard:
        guard.params({"as_of": as_of, "window": window, "out": str(out) if out else None,
                      "write_back": write_back, "top": top, "threshold": threshold,
                      "param": list(params), "engine": engine, "spark_master": spark_master,
                      "detect": fresh})  # fmt: skip
        with engine_choice(engine, spark_master):
            _score(
                guard, as_of, window, out, write_back, top, threshold, params, quiet, as_json, store, fresh
            )


def _score(
    guard, as_of, window, out, write_back, top, threshold, params, quiet, as_json, store, fresh=False
) -> None:
    from graphrisk.scoring import ScoreParams
    from graphrisk.scoring import score as run_score
    from graphrisk.scoring.explain import explain_all
    from graphrisk.scoring.output import FORMATS, score_rows, write_scores
    from graphrisk.scoring.writeback import write_back as run_write_back

    output = Output(quiet=quiet, as_json=as_json)
    if threshold != threshold:  # NaN passes click's range check: every comparison with it is false
        raise UsageError("--threshold nan: give a score between 0 and 100")
    length = _parse_window(window)
    if write_back and store.kind != "neo4j":
        raise UsageError("--write-back writes to Neo4j: give --neo4j-uri (or NEO4J_URI)")
    if out is not None and out.suffix not in FORMATS:
        raise UsageError(f"--out {out}: write scores as {', '.join(FORMATS)}")
    started = time.perf_counter()
    with output.progress("Scoring") as progress:
        result = run_score(
            store,
            as_of=as_of,
            window=length,
            params=ScoreParams(threshold=threshold),
            rule_params=_parse_params(params),
            progress=progress,
            stored=not fresh,
        )
        rows = score_rows(result, explain_all(result))
        # a file or the write-back holds everyone's score, so the entry names everyone in it
        guard.subjects(
            rows["employee_id"] if out is not None or write_back else rows["employee_id"].head(top)
        )
        guard.done(rows=len(rows))
        # the workspace's alert queue (graphrisk serve): every run is recorded for triage
        from graphrisk.serve.triage import record_run

        record_run(store, rows, result, user=guard.session.user)
        meta = {"as_of": result.as_of.isoformat(), "store": store.kind, "params": result.params.to_dict()}
        if out is not None:
            write_scores(rows, out, meta)
        written = run_write_back(store, result, rows, top=max(top, 100)) if write_back else None
    seconds = round(time.perf_counter() - started, 3)
    alerts = int(rows["alert"].sum())
    listed = rows.head(top)
    if as_json:
        output.json(
            {
                "ok": True,
                "store": store.kind,
                "as_of": result.as_of.isoformat(),
                "window": result.params.to_dict()["window"],
                "employees": len(rows),
                "findings": result.finding_count,
                "findings_from": "store" if "stored_findings" in result.seconds else "detection",
                "threshold": threshold,
                "alerts": alerts,
                "top": [
                    {
                        "rank": int(r.rank),
                        "employee_id": r.employee_id,
                        "score": round(float(r.score), 2),
                        "alert": bool(r.alert),
                        "peer_group": r.peer_group,
                        "reasons": json.loads(r.reasons),
                    }
                    for r in listed.itertuples(index=False)
                ],
                "out": str(out) if out else None,
                "written_back": written,
                "seconds": seconds,
                "timings": result.seconds,
            }
        )
        return
    if quiet:
        return
    if top:
        from graphrisk.privacy.redact import active, apply_text

        redactor = active()  # pseudonyms before the columns are laid out, so that they line up
        width = max([10, *(len(apply_text(redactor, e)) for e in listed["employee_id"])])
        # one line per employee, then their top reasons: the reasons are sentences, not table cells
        output.out.print(
            f"{'rank':>4}  {'employee':<{width}} {'score':>5}  {'alert':<5}  peer group", highlight=False
        )
        for r in listed.itertuples(index=False):
            flag = "ALERT" if r.alert else ""
            shown = apply_text(redactor, r.employee_id)
            output.out.print(
                f"{r.rank:>4}  {shown:<{width}} {r.score:>5.1f}  {flag:<5}  {r.peer_group}",
                highlight=False,
            )
            for reason in json.loads(r.reasons) or ["no findings or behaviour above the peers'"]:
                output.out.print(f"{'':>11}{reason}", highlight=False, markup=False)
    where = f"; written to {out}" if out else ""
    back = (
        f"; wrote {written['employees']:,} employees and {written['findings']:,} findings to Neo4j"
        if written
        else ""
    )
    span = result.params.to_dict()["window"]
    source = ", stored findings" if "stored_findings" in result.seconds else ""
    output.out.print(
        f"{len(rows):,} employees scored as of {result.as_of.isoformat()} ({span} window{source}) on the "
        f"{store.kind} store: {alerts} at or above {threshold:g}{where}{back}.",
        highlight=False,
    )


def detect_incremental_command(
    guard, rule_ids, since, until, params, out, engine, all_days: bool, output: Output, store
) -> None:
    """``graphrisk detect --incremental``: detect the pending days, store their findings, report."""
    from graphrisk.commands.common import record_findings, rule_table
    from graphrisk.rules.incremental import detect_incremental

    if rule_ids or since or until:
        given = ", ".join(o for o, v in (("--rules", rule_ids), ("--since", since), ("--until", until)) if v)
        raise UsageError(
            f"--incremental detects the whole catalogue on the days that changed; leave out {given}"
        )
    with output.progress("Detecting") as progress:
        result = detect_incremental(
            store,
            params=_parse_params(params),
            engine=engine,
            progress=progress,
            everything=all_days,
            keep_findings=out is not None,
        )
    record_findings(guard, result.detected, out)
    if output.as_json:
        output.json({"ok": True, "store": store.kind, "engine": result.detected.engine,
                     **result.to_dict(), "rules": result.detected.summary(),
                     "out": str(out) if out else None, "seconds": result.seconds})  # fmt: skip
        return
    if output.quiet:
        return
    plan = result.plan
    say = output.out.print
    if plan.everything:
        say(f"Detected every day ({plan.reason}).", highlight=False)
    elif plan.days:
        say(f"Detected {len(plan.days)} day(s), {plan.days[0]} to {plan.days[-1]} ({plan.reason}).",
            highlight=False)  # fmt: skip
    else:
        say(f"Nothing to detect: {plan.reason}.", highlight=False)
    if plan.everything or plan.days:
        say(rule_table(result.detected))
    if result.refreshed_days:
        say(f"Off-shift findings changed on {len(result.refreshed_days)} more day(s) (an employee without "
            "shifts is judged by all their look-ups).", highlight=False)  # fmt: skip
    where = f"; written to {out}" if out else ""
    say(f"{result.detected.total:,} findings on the days detected; the store's findings cover "
        f"{result.stored_days:,} day(s) ({result.seconds:.1f} s){where}.", highlight=False)  # fmt: skip


@click.command()
@click.argument("employee_id")
@click.option(
    "--scores",
    "scores_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the explanation from a scores file of 'graphrisk score --out' instead of scoring again.",
)
@_window_options
@reveal_option
@output_options
@with_store
def explain(employee_id, scores_path, as_of, window, reveal, quiet: bool, as_json: bool, store) -> None:
    """Explain one employee's score: its parts, in points that add up to it, with the evidence.

    Every part says what was compared (the employee's value and the peers'
    median), in words, and lists the evidence to check: finding ids, access ids
    and relation paths. Without --scores, the store is scored again (the same
    window gives the same score).

    \b
    Example:
        graphrisk explain E000123
        graphrisk explain E000123 --scores scores.parquet --json
    """
    from graphrisk.privacy.guard import guarded

    with guarded("explain", action="explain", store=store, reveal=reveal) as guard:
        _explain(guard, employee_id, scores_path, as_of, window, quiet, as_json, store)


def _explain(guard, employee_id, scores_path, as_of, window, quiet: bool, as_json: bool, store) -> None:
    from graphrisk.privacy.pseudonyms import normalise_pseudonym
    from graphrisk.scoring import score as run_score
    from graphrisk.scoring.explain import explain_all
    from graphrisk.scoring.output import read_scores, score_rows

    output = Output(quiet=quiet, as_json=as_json)
    asked = employee_id
    alias = normalise_pseudonym(employee_id)
    if scores_path is not None and alias is not None and not guard.employees:
        pass  # a pseudonymised scores file read without a loaded store: matched on the pseudonym below
    else:
        employee_id = guard.resolve(employee_id)
    guard.params({"employee": employee_id, "scores": str(scores_path) if scores_path else None})
    if scores_path is not None:
        rows = _read_scores_file(readable(scores_path, "scores file"), read_scores)
        # a scores file is pseudonymised unless written with --reveal: match either form
        wanted = {employee_id, alias or ""}
        if employee_id in guard.names:
            wanted.add(guard.names.pseudonym(employee_id))
        ids = rows["employee_id"].astype(str)
        rows = rows.assign(employee_id=ids.where(~ids.isin(wanted), employee_id))
    else:
        length = _parse_window(window)
        with output.progress("Scoring") as progress:
            result = run_score(store, as_of=as_of, window=length, progress=progress)
        if employee_id not in result.table.index:
            raise UsageError(f"no employee {asked!r} in the {store.kind} store")
        rows = score_rows(result, explain_all(result, [employee_id]))
    match = rows[rows["employee_id"].astype(str) == employee_id]
    if match.empty:
        raise UsageError(f"no employee {asked!r} in {scores_path}")
    guard.subjects([employee_id])
    guard.done(rows=1)
    row = match.iloc[0]
    parts = json.loads(row["parts"])
    payload = {
        "ok": True,
        "employee_id": employee_id,
        "score": round(float(row["score"]), 4),
        "rank": int(row["rank"]),
        "alert": bool(row["alert"]) if not isinstance(row["alert"], str) else row["alert"] == "True",
        "risk_units": float(row["risk_units"]),
        "peer_group": row["peer_group"],
        "as_of": str(row["as_of"]),
        "window": row["window"],
        "points": {p: round(float(row[f"{p}_points"]), 4) for p in ("findings", "behaviour", "network")},
        "parts": parts,
    }
    if as_json:
        output.json(payload)
        return
    if quiet:
        return
    say = output.out.print
    say(
        f"[bold]{employee_id}[/]: score {payload['score']:.1f} (rank {payload['rank']}"
        f"{', alert' if payload['alert'] else ''}), peer group {payload['peer_group']}, "
        f"window {payload['window']} to {payload['as_of']}",
        highlight=False,
    )
    pts = payload["points"]
    say(
        f"points: findings {pts['findings']:.1f} + behaviour {pts['behaviour']:.1f} + network "
        f"{pts['network']:.1f} = {payload['score']:.1f}",
        highlight=False,
    )
    if not parts:
        say("Nothing stands out against the peers: no part scores.", highlight=False)
    for p in parts:
        say(f"\n+{p['points']:.1f}  {p['text']}", highlight=False)
        ev = p.get("evidence") or {}
        if ev.get("finding_ids"):
            say(f"      findings: {', '.join(ev['finding_ids'])}", highlight=False)
        if ev.get("access_ids"):
            say(f"      accesses: {', '.join(ev['access_ids'])}", highlight=False)
        for path in ev.get("relation_paths", [])[:2]:
            say(f"      path: {_format_path(path)}", highlight=False)
        if ev.get("path_to_crime"):
            say(
                f"      path to crime: {' - '.join(f'{a}:{b}' for a, b in ev['path_to_crime'])}",
                highlight=False,
            )


#: what explain reads from a scores file of ``graphrisk score --out``
_EXPLAINED = ("employee_id", "rank", "score", "alert", "risk_units", "findings_points", "behaviour_points",
              "network_points", "peer_group", "parts", "as_of", "window")  # fmt: skip


def _read_scores_file(path: Path, read_scores):
    """The rows of a scores file of ``graphrisk score --out``; another file is a UsageError."""
    try:
        rows = read_scores(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # Arrow and JSON errors are ValueErrors
        raise UsageError(
            f"cannot read the scores file {path}: {exc!s} (explain reads files of graphrisk score --out)"
        ) from None
    missing = [c for c in _EXPLAINED if c not in rows.columns]
    if missing:
        raise UsageError(
            f"{path} is not a scores file of graphrisk score --out: it has no {', '.join(missing)}"
        )
    return rows


def _format_path(steps: list) -> str:
    return " ".join(f"({s[0]}:{s[1]})" if isinstance(s, list) else f"-[{s}]-" for s in steps)


COMMANDS = [score, explain]
