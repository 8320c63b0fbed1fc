"""Privacy and accountability commands: ``keys``, ``users``, ``audit``, ``fairness`` (docs/privacy.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from graphrisk.commands.common import Output, output_options
from graphrisk.errors import PrivacyError, UsageError
from graphrisk.privacy.access import ROLES

__all__ = ["COMMANDS", "audit", "fairness", "keys", "users"]


def _session():
    from graphrisk.privacy import current_session

    return current_session()


# --- keys ---------------------------------------------------------------------------------


@click.group()
def keys() -> None:
    """Create the site key that turns employee ids into pseudonyms (admin).

    The key lives outside the data store, in GRAPHRISK_KEY_FILE (default
    ~/.config/graphrisk/site.key), mode 0600. It is never printed, written into
    outputs or logged; logs name it by a fingerprint (k-xxxxxxxx).

    \b
    Example:
      graphrisk keys init
    """


@keys.command("init")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key. Every pseudonym changes: notes, triage lists and audit "
    "entries written under the old key no longer match anyone.",
)
@output_options
def keys_init(force: bool, quiet: bool, as_json: bool) -> None:
    """Create a random 32-byte site key (mode 0600, its folder 0700).

    An existing key is kept unless --force. On a site without an access file
    the user who creates the key becomes its first admin (the access file is
    created next to the key); afterwards only an admin may replace the key.

    \b
    Example:
        graphrisk keys init
        GRAPHRISK_KEY_FILE=/srv/graphrisk/site.key graphrisk keys init
    """
    from graphrisk.privacy.access import add_user
    from graphrisk.privacy.pseudonyms import create_key, key_id, load_key

    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    paths = session.paths
    old = None
    if force and paths.key_file.exists():
        try:
            old = key_id(load_key(paths.key_file))
        except PrivacyError:
            old = "an unreadable key"
    params = {"force": force, "replaced": old}
    admin = None
    if session.access.exists:
        with session.audited("keys init", action="keys.manage", params=params) as record:
            key = create_key(paths.key_file, force=force)
            record.fields["params"] = {**params, "key": key_id(key)}
    else:
        key = create_key(paths.key_file, force=force)
        add_user(paths.access_file, session.user, session.user, "admin", bootstrap=True)
        admin = session.user
        session.__dict__.pop("access", None)  # read again: the user is admin now
        session._append(
            {
                "command": "keys init",
                "action": "keys.manage",
                "params": {**params, "key": key_id(key), "first_admin": admin},
                "outcome": "ok",
                "subjects": [],
            }
        )
    if as_json:
        out.json(
            {
                "ok": True,
                "key_file": str(paths.key_file),
                "key_id": key_id(key),
                "replaced": old,
                "access_file": str(paths.access_file),
                "first_admin": admin,
            }
        )
        return
    out.info(f"Created the site key {key_id(key)} at {paths.key_file} (mode 0600).")
    if old:
        out.info(
            f"It replaces {old}: every pseudonym has changed, and pseudonyms in notes, triage lists "
            f"and audit entries written under {old} no longer match anyone."
        )
    if admin:
        out.info(f"{admin} is the first admin in {paths.access_file}; add users with `graphrisk users add`.")
    out.info("Keep a copy of the key in a safe place: without it pseudonyms cannot be resolved.")


# --- users --------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Manage who may do what: users and their roles in the access file (admin).

    The access file is GRAPHRISK_ACCESS_FILE (default: access.json next to the
    site key). The acting user is the OS user unless GRAPHRISK_USER names
    another. Roles: analyst, liaison, batch, auditor, admin (docs/privacy.md has
    the table of what each may do).

    \b
    Example:
      graphrisk users add alice --role analyst
    """


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice(list(ROLES)),
    help="The user's role; an existing user's role is changed. Repeat it for several roles "
    "(one person doing several jobs, e.g. on a single-user machine).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read a password from standard input (one line); only a salted scrypt hash is stored.",
)
@output_options
def users_add(name: str, roles: tuple[str, ...], password_stdin: bool, quiet: bool, as_json: bool) -> None:
    """Give user NAME a role (or change it).

    Only an admin may; on a site without an access file the first user must
    be given the role admin (or run `graphrisk keys init`, which makes you
    admin). The change is written to the audit log.

    \b
    Example:
        graphrisk users add ann --role analyst
        printf '%s\\n' "$PW" | graphrisk users add ann --role analyst --password-stdin
    """
    from graphrisk.privacy.access import add_user, join_roles

    role = join_roles(roles)
    out = Output(quiet=quiet, as_json=as_json)
    password = _read_password() if password_stdin else None
    session = _session()
    bootstrap = not session.access.exists
    params = {"name": name, "role": role, "password": password is not None}
    if bootstrap:
        user, old = add_user(session.paths.access_file, session.user, name, role, password=password)
        session.__dict__.pop("access", None)
        session._append(
            {
                "command": "users add",
                "action": "users.manage",
                "params": params,
                "outcome": "ok",
                "subjects": [],
            }
        )
    else:
        with session.audited("users add", action="users.manage", params=params):
            user, old = add_user(session.paths.access_file, session.user, name, role, password=password)
    if as_json:
        out.json({"ok": True, "user": name, "role": role, "previous_role": old, "created_file": bootstrap})
        return
    change = f" (was {old})" if old and old != role else ""
    out.info(f"{name} has the role {user.role}{change} in {session.paths.access_file}.")


def _read_password() -> str:
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("--password-stdin reads the password from a pipe, e.g. printf '%s\\n' \"$PW\" | ...")
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UsageError("--password-stdin: standard input held no password")
    return line


@users.command("list")
@output_options
def users_list(quiet: bool, as_json: bool) -> None:
    """List the users in the access file with their roles (admin).

    \b
    Example:
        graphrisk users list --json
    """
    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    with session.audited("users list", action="users.manage") as record:
        listed = sorted(session.access.users.values(), key=lambda u: u.name)
        record.done(rows=len(listed))
    if as_json:
        out.json(
            {
                "ok": True,
                "access_file": str(session.paths.access_file),
                "users": [
                    {
                        "name": u.name,
                        "role": u.role,
                        "added": u.added,
                        "added_by": u.added_by,
                        "password": bool(u.password),
                    }
                    for u in listed
                ],
            }
        )
        return
    if quiet:
        return
    table = Table(show_edge=False)
    for col in ("user", "role", "added", "by", "password"):
        table.add_column(col)
    for u in listed:
        table.add_row(u.name, u.role, u.added, u.added_by, "yes" if u.password else "")
    out.out.print(table)


@users.command("remove")
@click.argument("name")
@output_options
def users_remove(name: str, quiet: bool, as_json: bool) -> None:
    """Remove user NAME from the access file (admin; the last admin cannot be removed).

    \b
    Example:
        graphrisk users remove ann
    """
    from graphrisk.privacy.access import remove_user

    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    with session.audited("users remove", action="users.manage", params={"name": name}):
        user = remove_user(session.paths.access_file, session.user, name)
    if as_json:
        out.json({"ok": True, "user": name, "role": user.role})
        return
    out.info(f"Removed {name} (role {user.role}) from {session.paths.access_file}.")


# --- audit --------------------------------------------------------------------------------


@click.group()
def audit() -> None:
    """Read and check the audit log: who looked at whose risk data, when and why (auditor, admin).

    Every command that shows risk data about an employee appends a JSON line
    with the user, role, command, the pseudonyms concerned, a reveal's reason,
    the query and its parameters and the rows returned, chained by hashes; the
    chain head is kept apart from the log. Reading the log is logged too.

    \b
    Example:
      graphrisk audit verify
    """


@audit.command("verify")
@output_options
def audit_verify(quiet: bool, as_json: bool) -> None:
    """Check the hash chain; exit 8 naming the first broken entry.

    Detects an edited field, a deleted, inserted or moved line, a cut tail and a
    log replaced by a consistent shorter chain (the chain head kept apart
    records the count and the last hash).

    \b
    Example:
        graphrisk audit verify || echo "audit log tampered with" | mail vik@example
    """
    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    log = session.log
    with session.audited("audit verify", action="audit.read") as record:
        result = log.verify()
        outcome = "ok" if result.ok else f"broken at line {result.line}" if result.line else "broken"
        record.done(rows=result.entries, outcome=outcome)
        result.raise_if_broken(log.path)
    if as_json:
        out.json(
            {
                "ok": True,
                "log": str(log.path),
                "head": str(log.head_path),
                "entries": result.entries,
                "note": result.note,
            }
        )
        return
    note = f" ({result.note})" if result.note else ""
    out.info(f"Audit log {log.path}: {result.entries:,} entries, chain intact{note}.")


@audit.command("show")
@click.option(
    "--subject",
    help="Only entries about this employee: a pseudonym (EMP-...), or an id when the site key is at hand.",
)
@click.option("--user", "user_name", help="Only entries by this user.")
@click.option("--since", help="Only entries at or after this date or ISO timestamp (UTC unless an offset).")
@click.option("--until", help="Only entries before this date or timestamp.")
@output_options
def audit_show(subject, user_name, since, until, quiet: bool, as_json: bool) -> None:
    """Show audit entries: who looked at whose profile, when, and why.

    \b
    Example:
        graphrisk audit show --subject EMP-7F3A-91C2-D04E
        graphrisk audit show --user ann --since 2026-03-01 --json
    """
    from graphrisk.privacy.audit import parse_when, select
    from graphrisk.privacy.pseudonyms import normalise_pseudonym

    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    params = {"subject": None, "user": user_name, "since": since, "until": until}
    with session.audited("audit show", action="audit.read", params=params) as record:
        alias = None
        if subject is not None:
            alias = normalise_pseudonym(subject)
            if alias is None:  # an employee id: its pseudonym under the site key
                if not subject.strip():
                    raise UsageError("--subject is empty")
                from graphrisk.privacy.pseudonyms import pseudonym

                alias = pseudonym(session.key, subject.strip())
            params["subject"] = alias  # the log keeps the pseudonym, never the id asked for
            record.add_subjects([alias])
        entries = select(session.log.entries(), subject=alias, user=user_name, since=start, until=end)
        record.done(rows=len(entries))
    if as_json:
        out.json({"ok": True, "log": str(session.log.path), "entries": entries})
        return
    if quiet:
        return
    # one line per entry: a table folds every cell at terminal width; lines read well in a pipe
    for e in entries:
        out.out.print(_entry_line(e), highlight=False, markup=False)
    out.info(f"{len(entries):,} entries.")


def _entry_line(e: dict) -> str:
    """One audit entry as a line: when, who, what, about whom, why, how much.

    >>> _entry_line({"time": "2026-03-02T09:15:00.000+00:00", "user": "ann", "role": "analyst",
    ...     "command": "explain", "outcome": "ok", "subjects": ["EMP-805D-038D-8D61"],
    ...     "reveal_reason": "VIK 2026-014", "query": None, "rows": 12})
    '2026-03-02 09:15:00  ann (analyst)  explain  EMP-805D-038D-8D61  reason "VIK 2026-014"  12 rows'
    """
    parts = [
        (e.get("time") or "")[:19].replace("T", " "),
        f"{e.get('user')} ({e.get('role') or 'no role'})",
        str(e.get("command") or ""),
    ]
    if e.get("outcome") not in (None, "ok"):
        parts.append(f"[{e['outcome']}]")
    subjects = e.get("subjects") or []
    if subjects:
        more = f" +{len(subjects) - 3}" if len(subjects) > 3 else ""
        parts.append(", ".join(subjects[:3]) + more)
    if e.get("reveal_reason"):
        parts.append(f'reason "{e["reveal_reason"]}"')
    if e.get("query"):
        parts.append(f"query {e['query']}")
    if e.get("cypher"):
        parts.append("cypher " + " ".join(str(e["cypher"]).split())[:80])
    if e.get("params"):
        shown = ", ".join(f"{k}={v}" for k, v in e["params"].items() if v not in (None, False))
        if shown:
            parts.append(f"({shown})")
    if e.get("rows") is not None:
        parts.append(f"{e['rows']:,} rows")
    return "  ".join(parts)


@audit.command("path")
@output_options
def audit_path(quiet: bool, as_json: bool) -> None:
    """Print where the audit log and its chain head are (anyone may ask).

    Set by GRAPHRISK_AUDIT_LOG (default ~/.local/state/graphrisk/audit.jsonl)
    and GRAPHRISK_AUDIT_HEAD (default audit-head.json next to the site key).

    \b
    Example:
        graphrisk audit path
    """
    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    if as_json:
        out.json({"ok": True, "log": str(session.log.path), "head": str(session.log.head_path)})
    elif not quiet:
        click.echo(str(session.log.path))


# --- fairness -----------------------------------------------------------------------------


@click.command()
@click.option(
    "--scores",
    "scores_path",
    required=True,
    type=click.Path(path_type=Path),
    help="A scores file of `graphrisk score --out` (.csv, .parquet or .json).",
)
@click.option(
    "--groups",
    "groups_path",
    required=True,
    type=click.Path(path_type=Path),
    help="The audit-only group file: CSV employee_id,group, named *audit_groups.csv, outside the data set.",
)
@click.option(
    "--findings",
    "findings_path",
    type=click.Path(path_type=Path),
    help="A findings file of `graphrisk detect --out`: adds each rule's findings per group.",
)
@click.option(
    "--min-group-size",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Groups (and rests) smaller than this are shown by size only: their shares would point at people.",
)
@output_options
def fairness(
    scores_path: Path, groups_path: Path, findings_path, min_group_size: int, quiet: bool, as_json: bool
):
    """Report per audit group how often its members are ranked high, alerted or found (auditor).

    For each group in the group file: its size; its number and share in the
    top 1% and top 2% by score, among the alerts and, with --findings, among
    the employees with a finding of each rule; the ratio of that share to
    the rest's with a 95% Katz log interval. A ratio whose whole interval
    lies above 1.25 (the fairness band is 0.8-1.25) is flagged with "!".

    The group file (e.g. a migration background from HR) never enters a data
    set: `graphrisk load` refuses one. Ids in the files may be employee ids or
    pseudonyms; a mix needs the site key. Only aggregates are shown, and
    nothing about groups under --min-group-size. docs/privacy.md tells how an
    integrity unit uses the report.

    \b
    Example:
        graphrisk score --out scores.parquet && graphrisk detect --out findings.parquet
        graphrisk fairness --scores scores.parquet --groups 2026-hr.audit_groups.csv \\
            --findings findings.parquet
    """
    from graphrisk.commands.common import readable
    from graphrisk.files import read_findings
    from graphrisk.files.checked import SUFFIXES, read_scores_file
    from graphrisk.privacy.fairness import fairness_report, format_report, read_groups

    out = Output(quiet=quiet, as_json=as_json)
    session = _session()
    params = {
        "scores": str(scores_path),
        "groups": str(groups_path),
        "findings": str(findings_path) if findings_path else None,
        "min_group_size": min_group_size,
    }
    with session.audited("fairness", action="fairness", params=params) as record:
        if scores_path.suffix not in SUFFIXES:
            raise UsageError(f"{scores_path}: a scores file ends in {', '.join(SUFFIXES)}")
        scores = read_scores_file(readable(scores_path, "scores file"), None)
        groups = read_groups(readable(groups_path, "group file"))
        findings = read_findings(readable(findings_path, "findings file")) if findings_path else None
        report = fairness_report(
            scores,
            groups,
            findings,
            key=lambda: session.key,
            min_group_size=min_group_size,
            scores_name=scores_path.name,
            findings_name=findings_path.name if findings_path else None,
        )
        record.done(rows=len(report.groups))  # aggregates only: no subjects
    if as_json:
        out.json({"ok": True, **report.to_dict()})
    elif not quiet:
        click.echo(format_report(report))


COMMANDS = [keys, users, audit, fairness]
