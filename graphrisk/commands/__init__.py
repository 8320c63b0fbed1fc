"""Command modules: each module here defines click commands in a list ``COMMANDS``.

:func:`register` adds every one of them to the ``graphrisk`` group, so a new
command needs no edit to :mod:`graphrisk.cli`. Modules use the shared option
decorators and output helpers of :mod:`graphrisk.commands.common` (``with_store``,
``output_options``, ``Output``), never :mod:`graphrisk.cli` itself (which imports them).
"""

from __future__ import annotations

import importlib
import pkgutil

import click

__all__ = ["register"]


def register(group: click.Group) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            group.add_command(command)
