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

from graphrisk.contract import TABLE_ORDER, TABLES, ColumnType
from graphrisk.graph import NODES, RELATIONSHIPS

__all__ = ["SECTIONS", "WHOLE_FILES", "cli_reference", "contract_tables", "graph_schema", "render"]

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


#: (file, section name) -> generator of that section's text
SECTIONS: dict[tuple[str, str], Callable[[], str]] = {
    ("docs/data-model.md", "contract"): contract_tables,
    ("docs/data-model.md", "graph"): graph_schema,
}
#: file -> generator of the whole file
WHOLE_FILES: dict[str, Callable[[], str]] = {"docs/cli.md": cli_reference}


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
