"""Retention: ``purge`` removes what is older than the retention period (docs/privacy.md, "Retention")."""

from __future__ import annotations

import click

from graphrisk.commands.common import Output, output_options, with_store
from graphrisk.privacy.retention import DEFAULT_RETENTION, PURGED_KINDS

__all__ = ["COMMANDS", "purge"]


@click.command()
@click.option(
    "--older-than",
    "older_than",
    default=DEFAULT_RETENTION,
    show_default=True,
    metavar="PERIOD",
    help="The retention period: 540d, 78w, 18m (months) or 2y. What lies wholly before "
    "--as-of minus this is removed.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Measure the period back from this date (its end, UTC) or timestamp instead of now.",
)
@click.option("--dry-run", is_flag=True, help="Report what would be removed; change nothing.")
@output_options
@with_store
def purge(older_than: str, as_of, dry_run: bool, quiet: bool, as_json: bool, store) -> None:
    """Delete look-ups and what derives from them once older than the retention period (admin).

    Removes look-ups (with their relationships), shifts that ended, case
    assignments that ended, departed employees with nothing left, and on Neo4j
    the findings and scores written back by scoring, when they lie before the
    cut (now, or --as-of, minus --older-than); from the workspace's triage store,
    events before the cut, alerts last seen and last changed before it, and
    trend rows of months before it. Cases, persons and the other
    registrations stay: each load refreshes them from their source. The audit
    log is never purged; the purge itself is written to it with its counts.
    Running it again removes nothing. Score and findings files written with
    --out are outside the store: expire them yourself (docs/privacy.md).

    \b
    Example:
        graphrisk purge --older-than 18m --dry-run
        graphrisk purge --older-than 540d --json
        NEO4J_URI=bolt://127.0.0.1:7687 graphrisk purge --older-than 18m
    """
    from graphrisk.privacy import current_session
    from graphrisk.privacy.retention import cut_for
    from graphrisk.serve.triage import PURGED_KINDS as TRIAGE_KINDS
    from graphrisk.serve.triage import purge_triage

    output = Output(quiet=quiet, as_json=as_json)
    cut = cut_for(older_than, as_of)  # a malformed period is refused before anything is logged
    params = {
        "older_than": older_than,
        "as_of": as_of,
        "cut": cut.isoformat(),
        "dry_run": dry_run,
        "store": store.kind,
        "location": store.describe(),
    }
    with current_session().audited("purge", action="purge", params=params) as record:
        summary = store.purge(cut, dry_run=dry_run)
        triage = purge_triage(store, cut, dry_run=dry_run)
        # counts only: what was removed is gone, and its ids would be personal data in the log
        record.fields["params"] = {**params, "removed": summary.removed, "triage": triage}
        record.done(rows=summary.total + sum(triage.values()))
    if as_json:
        out = summary.to_dict()
        output.json({"ok": True, **out, "triage": triage, "total": out["total"] + sum(triage.values())})
        return
    if quiet:
        return
    verb = "Would remove" if dry_run else "Removed"
    parts = [f"{n:,} {PURGED_KINDS[kind]}" for kind, n in summary.removed.items()]
    output.out.print(
        f"{verb} from {store.kind} store {store.describe()} everything before {cut.isoformat()}: "
        f"{', '.join(parts)}.",
        highlight=False,
    )
    if store.kind != "neo4j":
        output.out.print(
            "The embedded store holds no written-back findings or scores; files written with --out "
            "are outside the store.",
            highlight=False,
        )
    output.out.print(
        f"{verb} from its triage store: "
        + ", ".join(f"{n:,} {TRIAGE_KINDS[kind]}" for kind, n in triage.items())
        + ".",
        highlight=False,
    )
    left = "would be left" if dry_run else "left"
    output.out.print(f"{summary.accesses_left:,} look-ups {left}.", highlight=False)


COMMANDS = [purge]
