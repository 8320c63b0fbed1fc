"""``graphrisk watch DIR``: append each batch landing in DIR and alert on its high-severity findings.

A command of its own rather than a ``--alert`` mode of ``load --append``: it runs for as long as
batches come (or one round with ``--once``), keeps its own ledger and spool in DIR, and a refused
batch does not end it, where ``load`` is one data set, one exit code.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from graphrisk.commands.common import Output, _parse_params, with_store
from graphrisk.errors import DataError, Problem, StoreError

__all__ = ["COMMANDS", "watch"]


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--once", is_flag=True, help="Process the batches that are ready now, then exit (tests, cron).")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
    help="Seconds between looks at DIR.",
)  # fmt: skip
@click.option(
    "--alerts-file", type=click.Path(dir_okay=False, path_type=Path),
    help="Append each alert to this file (one JSON line, written whole) instead of standard output.",
)  # fmt: skip
@click.option(
    "--post",
    "post_url",
    metavar="URL",
    help="POST each alert (JSON) to this URL; kept and resent on failure.",
)
@click.option("--post-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for the server per attempt.")  # fmt: skip
@click.option("--post-retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Attempts after the first before an alert goes to the spool.")  # fmt: skip
@click.option(
    "--param", "params", multiple=True, metavar="RULE.NAME=VALUE", help="Override a rule parameter."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but alerts and errors.")
@with_store
def watch(
    directory: Path,
    once: bool,
    interval: float,
    alerts_file: Path | None,
    post_url: str | None,
    post_timeout: float,
    post_retries: int,
    params,
    quiet: bool,
    store,
) -> None:
    """Watch DIR for batches, append each to the store and alert on its new high-severity findings.

    A batch is a subdirectory of DIR with the files of a `load --append` batch;
    it is read once it holds the file _READY, written last by the producer (or
    renamed into DIR complete). Its new look-ups go through the high-severity
    rules (pre-action-lookup, sensitive-target on informants, undercover and
    protected persons, open-case-no-need-to-know on top-sensitivity cases,
    criminal-proximity-access), and each new finding becomes one JSON line:
    finding id, rule, severity, employee (pseudonym), look-ups, time, target,
    reason. The batch then moves to DIR/done/; a refused one to DIR/rejected/
    with ERROR.txt (file, line, column), and watching goes on. A batch seen
    before, or a restart, alerts nothing twice (docs/watch.md).

    \b
    Example:
        graphrisk watch /exports/incoming --alerts-file /var/lib/graphrisk/alerts.jsonl
        graphrisk watch /exports/incoming --post https://vik.example/alerts --once
    """
    from graphrisk.watch import AlertSinks, Watcher

    out = Output(quiet=quiet)
    rule_params = _parse_params(params)
    state = directory / ".watch"
    sinks = AlertSinks(
        echo=None if (alerts_file or post_url) else click.echo,
        alerts_file=alerts_file,
        post_url=post_url,
        spool=state / "spool.jsonl",
        timeout=post_timeout,
        retries=post_retries,
    )
    watcher = Watcher(directory, store, sinks, params=rule_params)
    rejected, waiting = [], None
    with watcher.running():
        out.info(f"Watching {directory} for batches (marker _READY) into {store.describe()} ...")
        while True:
            left = sinks.resend()
            if left:
                out.info(f"[yellow]{left} alert(s) still in the spool[/]: {post_url} does not take them yet")
            for path in watcher.ready():
                outcome = _one_batch(watcher, path, store)
                _report(out, outcome)
                if outcome.status == "rejected":
                    rejected.append(outcome)
                if outcome.status == "waiting":
                    waiting = outcome
                    break  # the store is busy or down: later batches wait their turn
            if once:
                break
            try:
                time.sleep(interval)
            except KeyboardInterrupt:  # Ctrl-C between batches: a clean stop
                break
    if once and waiting is not None:
        raise StoreError(f"batch {waiting.name} waits: {waiting.error}")
    if once and rejected:
        # every problem of every refused batch, named batch/file:line:column (also in its ERROR.txt)
        raise DataError(
            [p for o in rejected for p in o.problems]
            or [Problem(o.name, None, None, None, o.error) for o in rejected]
        )


def _one_batch(watcher, path: Path, store):
    """One batch under one audit entry: the store written, the rules run, the alerts named."""
    from graphrisk.privacy.guard import guarded

    with guarded("watch", action="load", also=("detect",), store=store, redact=False) as guard:
        # pseudonyms made from the store after the append, so that employees the batch brings
        # are pseudonymised too (the guard reads the employees when first asked)
        watcher.redact = guard.pseudonymiser.value
        outcome = watcher.process(path)
        guard.params({"batch": path.name, **outcome.to_dict()})
        guard.subjects(outcome.subjects)
        guard.done(rows=outcome.alerts)
    return outcome


def _report(out: Output, o) -> None:
    if o.status == "rejected":
        out.info(f"[red]rejected[/] {o.name} (moved to rejected/, see ERROR.txt): {o.error.splitlines()[0]}")
    elif o.status == "waiting":
        out.info(f"[yellow]waiting[/] {o.name}: {o.error}")
    elif o.status == "seen":
        out.info(f"{o.name}: batch {o.batch_id} seen before, no alerts; moved to done/")
    else:
        out.info(
            f"{o.name}: batch {o.batch_id}, {o.added:,} look-ups added, "
            f"{o.alerts} alert(s), {o.seconds:.1f} s"
        )


COMMANDS = [watch]
