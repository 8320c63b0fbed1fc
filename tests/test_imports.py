"""No import cycles inside graphrisk/.

Every ``import`` and ``from ... import`` statement counts, at the top of a module and inside a
function alike: a function-level import only postpones a cycle to the first call, and it still
ties the two modules together. An edge goes to the module named, or to the submodule when a
``from`` import names one (``from graphrisk.store import neo4j``). Not counted: the parent
packages Python enters on the way (a package's ``__init__`` entered by its own submodules is how
packages work), and ``importlib.import_module`` with a computed name (graphrisk.commands.register
discovers the command modules that way: the point of it is that the group does not name them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "graphrisk"


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The graphrisk modules ``name`` imports anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in modules else source)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted.

    >>> cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    [['a', 'b']]
    """
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_walk_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "graphrisk.commands" in graph["graphrisk.cli"]  # inside _register_commands
    assert "graphrisk.commands.common" in graph["graphrisk.commands.scoring"]
    assert "graphrisk.analyst.values" in graph["graphrisk.analyst.source"]  # from .values import ...


def test_a_cycle_is_found():
    graph = {"graphrisk.a": {"graphrisk.b"}, "graphrisk.b": {"graphrisk.c"}, "graphrisk.c": {"graphrisk.a"}}
    assert cycles(graph) == [["graphrisk.a", "graphrisk.b", "graphrisk.c"]]


def test_no_import_cycles_inside_graphrisk():
    found = cycles(import_graph())
    if found:
        shown = "\n".join(" <-> ".join(c) for c in found)
        pytest.fail(
            f"import cycles inside graphrisk/ (each line one set of modules that import "
            f"each other, directly or around a loop):\n{shown}"
        )
