"""Generated parts of the documentation, so that they cannot drift from the code.

Run ``python -m graphrisk.docs`` to rewrite them; ``tests/test_docs.py`` fails
when a committed file differs from what this module generates. A generated
section sits between ``<!-- BEGIN GENERATED: NAME -->`` and
``<!-- END GENERATED: NAME -->`` in a hand-written Markdown file; whole-file
outputs (``docs/cli.md``) are generated entirely.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import click

from graphrisk.contract import EARLIEST, LATEST, TABLE_ORDER, TABLES, ColumnType
from graphrisk.graph import NODES, RELATIONSHIPS

__all__ = [
    "SECTIONS",
    "WHOLE_FILES",
    "cli_reference",
    "contract_tables",
    "graph_schema",
    "render",
    "roles_table",
]

ROOT = Path(__file__).resolve().parent.parent


def contract_tables() -> str:
    """One Markdown table per contract file: columns, types, whether required, allowed values."""
    out = []
    for name in TABLE_ORDER:
        t = TABLES[name]
        need = "required" if t.required else "optional"
        out.append(f"### `{name}` ({need})\n")
        if t.doc:
            out.append(t.doc + "\n")
        out.append(f"Key: {', '.join(f'`{k}`' for k in t.key)}.")
        if t.needs:
            out.append(f" Needs: {', '.join(f'`{n}`' for n in t.needs)}.")
        refs = [
            f"`{r.column}` → `{r.table}`" + (f" (when `{r.when[0]}` = `{r.when[1]}`)" if r.when else "")
            for r in t.references
        ]
        if refs:
            out.append(f" References: {', '.join(refs)}.")
        out.append(
            "\n\n| column | type | in header | empty allowed | values / notes |\n|---|---|---|---|---|\n"
        )
        for c in t.columns:
            values = ", ".join(f"`{v}`" for v in c.values)
            if c.type is ColumnType.FLAGS:
                values = f"`;`-separated: {values}"
            note = "; ".join(x for x in (values, c.doc) if x)
            out.append(
                f"| `{c.name}` | {c.type.value} | {'yes' if c.required else 'optional'} "
                f"| {'yes' if c.nullable else 'no'} | {note} |\n"
            )
        out.append("\n")
    return "".join(out).rstrip() + "\n"


def value_rules() -> str:
    """The rules every date, timestamp, id and text value follows (from the contract's constants)."""
    return (
        f"- **Plausible span.** Every date and timestamp lies between {EARLIEST} and {LATEST} "
        "inclusive (timestamps compared in UTC). Anything outside is refused with file, line and "
        'column: a year 9999 or 2300 is a typo or a placeholder, and `9999-12-31` for "no end" is '
        "refused too (leave an end date empty instead).\n"
        "- **No control characters.** Ids and text (names, ranks, systems, ...) may not hold a "
        "control character (U+0000 to U+001F, U+007F to U+009F; tab and line breaks included): "
        "a NUL or escape character is a corrupt export, makes GraphML and GEXF exports invalid XML "
        "and can rewrite a terminal. Such a value is refused with file, line and column.\n"
        "- **Spreadsheet formulas are not refused.** An id or name may start with `=`, `+`, `-` or "
        "`@`; graphrisk's CSV outputs neutralise such cells instead (see docs/analyst.md, Output "
        "files).\n"
    )


def graph_schema() -> str:
    """The node labels and relationship types the data set becomes."""
    out = ["| node label | key (unique) | from | properties |\n|---|---|---|---|\n"]
    for n in NODES:
        key = f"`{n.key}`" + (f" = {' `|` '.join(n.id_from)}" if n.id_from else "")
        props = ", ".join(f"`{p}`" for p in n.properties) or "-"
        out.append(f"| `:{n.label}` | {key} | `{n.table}` | {props} |\n")
    out.append("\n| relationship | from rows of | start ← column | end ← column | merged on | properties |\n")
    out.append("|---|---|---|---|---|---|\n")
    for r in RELATIONSHIPS:
        where = f" where `{r.where[0]}` = `{r.where[1]}`" if r.where else ""
        merged = ", ".join(f"`{k}`" for k in r.key) or "endpoints"
        props = ", ".join(f"`{p}`" for p in r.properties) or "-"
        out.append(
            f"| `(:{r.start})-[:{r.type}]->(:{r.end})` | `{r.table}`{where} | `{r.start_column}` "
            f"| `{r.end_column}` | {merged} | {props} |\n"
        )
    return "".join(out)


def cli_reference() -> str:
    """Every command's help text, as ``graphrisk COMMAND --help`` prints it."""
    from graphrisk.cli import main

    out = [
        "# Command line reference\n\n",
        "Generated from the commands' own help by `python -m graphrisk.docs`.\n\n",
    ]

    def walk(command: click.Command, path: list[str]) -> None:
        ctx = click.Context(
            command,
            info_name=" ".join(path),
            terminal_width=100,
            max_content_width=100,
            help_option_names=["-h", "--help"],
        )
        out.append(f"## `{' '.join(path)}`\n\n```text\n{command.get_help(ctx)}\n```\n\n")
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], [*path, name])

    walk(main, ["graphrisk"])
    return "".join(out).rstrip() + "\n"


def rules_reference() -> str:
    """The rule catalogue, from the registry: what each rule flags, why, its inputs and parameters."""
    import inspect

    from graphrisk.rules import RULES, SEVERITIES

    out = [
        "# Detection rules\n\n",
        "Generated from the rule registry (`graphrisk/rules/catalogue.py`) "
        "by `python -m graphrisk.docs`.\n\n",
        "Each rule flags *behaviour*: an access event. Knowing someone is never a finding by itself. "
        "Every rule has a Cypher implementation (`cypher/detect/<id>.cypher`, run on Neo4j), a SQL "
        "one (`sql/detect/<id>.sql`, run by DuckDB on the embedded store, its default engine) and a "
        "vectorised pandas one (`--engine pandas`, the reference); conformance tests require "
        "identical findings from all three.\n\n",
        f"Severities, low to high: {', '.join(SEVERITIES)}.\n\n",
        "## Shared definitions\n\n",
        "- **Target persons** of an access: a person target is that person; a vehicle resolves to its "
        "registered owner; an address to everyone living there; a case to no one.\n",
        "- **Justified for a person**: the access cites a case, the employee is assigned to that case "
        "on the access's UTC day (start date ≤ day ≤ end date, or no end date), and the person is a "
        "subject of that case.\n",
        "- **Justified as a whole** (outside-territory, off-shift): a target person is justified, or "
        "the access opens the very case it cites and the employee is assigned to it that day.\n",
        "- **Open on a day**: opened on or before the day, and closed on or after it (or not closed "
        "and with status open).\n",
        "- **Relations** are read as undirected; a path never visits a person twice; among shortest "
        "paths the one through the smallest person ids, then the alphabetically first kinds, is shown.\n",
        "- A **finding id** is a hash of rule, employee, access, person, case and organisation: the same "
        "data gives the same ids.\n\n",
        "| rule | title | severity | needs |\n|---|---|---|---|\n",
    ]
    for r in RULES.values():
        out.append(f"| [`{r.id}`](#{r.id}) | {r.title} | {r.severity} | {', '.join(r.needs)} |\n")
    for r in RULES.values():
        out.append(f"\n## {r.id}\n\n**{r.title}** — default severity *{r.severity}*.\n\n")
        out.append(f"{r.description}\n\n*Why it matters:* {r.rationale}\n\n")
        definition = " ".join(inspect.getdoc(r.embedded).split())
        out.append(f"*Definition:* {definition}\n\n")
        out.append(f"Needs: {', '.join(f'`{n}`' for n in r.needs)}. Cypher: `cypher/{r.cypher}.cypher`.\n\n")
        if r.params:
            out.append("| parameter | default | meaning |\n|---|---|---|\n")
            for name, p in r.params.items():
                out.append(f"| `{name}` | {p.default} | {p.doc} |\n")
            out.append("\n")
        example = f"graphrisk detect --rules {r.id}"
        if r.params:
            name, p = next(iter(r.params.items()))
            example += f" --param {r.id}.{name}={p.default}"
        out.append(f"```bash\n{example}\n```\n")
    return "".join(out)


def roles_table() -> str:
    """The permission table of :mod:`graphrisk.privacy.access`: which role may do which action."""
    from graphrisk.privacy.access import ACTIONS, ROLE_ACTIONS, ROLES

    out = ["| action | what it allows | " + " | ".join(ROLES) + " |\n"]
    out.append("|---|---|" + "---|" * len(ROLES) + "\n")
    for action, what in ACTIONS.items():
        marks = " | ".join("yes" if action in ROLE_ACTIONS[r] else "" for r in ROLES)
        out.append(f"| `{action}` | {what} | {marks} |\n")
    out.append("\n| role | for |\n|---|---|\n")
    out.extend(f"| `{role}` | {what} |\n" for role, what in ROLES.items())
    return "".join(out)


#: (file, section name) -> generator of that section's text
SECTIONS: dict[tuple[str, str], Callable[[], str]] = {
    ("docs/data-model.md", "values"): value_rules,
    ("docs/data-model.md", "contract"): contract_tables,
    ("docs/data-model.md", "graph"): graph_schema,
    ("docs/privacy.md", "roles"): roles_table,
}


#: file -> generator of the whole file
def _queries_reference() -> str:
    from graphrisk.analyst.queries import queries_reference

    return queries_reference()


WHOLE_FILES: dict[str, Callable[[], str]] = {
    "docs/cli.md": cli_reference,
    "docs/rules.md": rules_reference,
    "docs/queries.md": _queries_reference,
}


def render(path: str, current: str | None = None) -> str:
    """What ``path`` should contain, given its ``current`` text (for sectioned files)."""
    if path in WHOLE_FILES:
        return WHOLE_FILES[path]()
    text = current if current is not None else (ROOT / path).read_text(encoding="utf-8")
    for (file, name), make in SECTIONS.items():
        if file != path:
            continue
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", flags=re.DOTALL
        )
        if not pattern.search(text):
            raise ValueError(f"{path} has no generated section {name!r}")
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(2), text)
    return text


def generated_files() -> list[str]:
    return sorted({f for f, _ in SECTIONS} | set(WHOLE_FILES))


def main(argv: list[str] | None = None) -> int:
    """Rewrite every generated doc; with ``--check``, report stale ones and exit 1."""
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    stale = []
    for path in generated_files():
        target = ROOT / path
        current = target.read_text(encoding="utf-8") if target.exists() else None
        wanted = render(path, current)
        if wanted != current:
            stale.append(path)
            if not check:
                target.write_text(wanted, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if check else 'rewrote'}: {path}")
    return 1 if (check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
