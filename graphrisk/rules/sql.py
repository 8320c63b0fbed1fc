"""The SQL library: one relational definition of every rule, kept as files in ``sql/``.

``sql/detect/<rule>.sql`` holds one query per rule of the catalogue; it returns the rule's
matches: the columns of :data:`~graphrisk.rules.base.MATCH_COLUMNS` it fills, by name (the
runner puts them in order and adds the others as NULLs, see
:func:`match_columns_sql`).
``sql/views/<name>.sql`` holds the relations several rules share (the look-ups in the window,
the persons a look-up resolves to, the case assignments active on its day, what its cited case
justifies, the relation edges, ...). A rule never repeats a shared fragment: it names the views
it reads in its header, and the engine defines them first, in dependency order, as ``CREATE TEMP
VIEW`` (or as a temporary table when the view's header says ``materialise: yes``, because several
rules read it and it is worth computing once). That is standard SQL that Spark runs as well
(``CREATE TEMP VIEW``, ``CACHE TABLE``), so the include mechanism travels with the files.

Every file starts with a header of ``--`` lines::

    -- name: own-network                 the file's name without .sql (checked)
    -- description: what it finds ...     may go on over indented ``--   `` lines
    -- uses: unjustified_targets, ...     the views and contract tables it reads
    -- params: max_hops                   the ``$parameters`` it uses (checked both ways)
    -- materialise: yes                   views only: computed once into a temporary table
    -- inputs: scored                     ``score/`` only: frames the caller hands over (below)

Parameters are written ``$name``. They are rendered into the text as typed literals (integers,
floats, UTC timestamps) by :func:`render`, never from free text, so a view can take them too
(DuckDB does not bind parameters inside ``CREATE VIEW``).

The files are written in DuckDB's dialect kept close to ANSI SQL (joins, ``NOT EXISTS``,
``ROW_NUMBER()`` windows, ``WITH RECURSIVE`` over ``UNION ALL``, list literals for paths), so that
SQLGlot can transpile them to Spark SQL (:mod:`graphrisk.rules.spark`).

:class:`SQLRun` is what every engine of the library does the same way: define the views a rule
reads, once each and in order, render the parameters, and put the rule's columns in the order of
MATCH_COLUMNS. An engine (:mod:`graphrisk.rules.duck`, :mod:`graphrisk.rules.spark`) only says how
it creates a view, reads a query's columns and fetches its rows.

``sql/score/<name>.sql`` holds the aggregations scoring reads instead of the window's look-ups
(:mod:`graphrisk.scoring.lookups`): they join the window with small frames scoring already holds
(the findings being weighted, one row each), which the engine registers under the names the
header's ``inputs`` gives (:meth:`SQLRun.frame`).

>>> sorted(query_names("detect"))[:2]
['colleague-lookup', 'criminal-proximity-access']
>>> q = query("detect/own-network")
>>> q.params, "unjustified_targets" in q.uses
(('max_hops',), True)
>>> render("SELECT * FROM t WHERE hops <= $max_hops AND share < $s", {"max_hops": 2, "s": 0.02})
"SELECT * FROM t WHERE hops <= 2 AND share < CAST('0.02' AS DOUBLE)"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd

from graphrisk.contract import TABLES
from graphrisk.errors import UsageError
from graphrisk.rules.base import MATCH_COLUMNS

__all__ = [
    "REQUIRED_MATCH_COLUMNS",
    "Query",
    "SQLRun",
    "match_columns_sql",
    "query",
    "query_names",
    "render",
    "sql_dir",
    "view_order",
]

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER_RE = re.compile(r"^--\s*([a-z_]+):\s*(.*)$")
_FIELDS = ("name", "description", "uses", "params", "materialise", "inputs")


@dataclass(frozen=True)
class Query:
    """One file of the library: its header and its query."""

    name: str  #: e.g. "detect/own-network" or "views/justified"
    description: str
    uses: tuple[str, ...]
    params: tuple[str, ...]
    materialise: bool
    body: str  #: the query without its header, as it is run
    inputs: tuple[str, ...] = ()  #: frames the caller registers under these names (``score/`` only)


@cache
def sql_dir() -> Path:
    """The directory holding the ``.sql`` files (beside the package, or inside a wheel as ``_sql``)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_sql", package.parent / "sql"):
        if (candidate / "detect").is_dir():
            return candidate
    raise FileNotFoundError("the sql/ directory is missing from this installation of graphrisk")


def query_names(folder: str) -> list[str]:
    """The names of the queries in ``folder`` (``"detect"``, ``"views"``, ``"score"``), without the suffix."""
    return sorted(p.stem for p in (sql_dir() / folder).glob("*.sql"))


@cache
def query(name: str) -> Query:
    """The query called ``name`` (``"detect/<rule>"`` or ``"views/<view>"``), its header checked.

    Refused (:class:`~graphrisk.errors.UsageError`): a missing file, a header whose name is not the
    file's, an empty body, a parameter used but not declared or declared but not used, a view
    named in ``uses`` that is neither in ``sql/views`` nor a contract table.
    """
    path = sql_dir() / f"{name}.sql"
    if not path.is_file():
        raise UsageError(f"no SQL query named {name!r} (looked for {path})")
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    last = None
    body_lines = []
    for line in text.splitlines():
        m = _HEADER_RE.match(line)
        if m and m.group(1) in _FIELDS and not body_lines:
            last = m.group(1)
            header[last] = m.group(2).strip()
        elif line.startswith("--   ") and last is not None and not body_lines:
            header[last] += " " + line[2:].strip()  # an indented continuation line
        elif body_lines or (line.strip() and not line.startswith("--")):
            body_lines.append(line)
    where = f"{path}"
    stem = name.split("/")[-1]
    if header.get("name") != stem:
        raise UsageError(f"{where}: the header must start with '-- name: {stem}'")
    body = "\n".join(body_lines)
    if not body.strip():
        raise UsageError(f"{where}: holds no query")
    declared = tuple(_split(header.get("params", "")))
    used = set(_PARAM_RE.findall(body))
    if used - set(declared):
        raise UsageError(f"{where}: uses undeclared parameter(s) {', '.join(sorted(used - set(declared)))}")
    if set(declared) - used:
        raise UsageError(f"{where}: declares unused parameter(s) {', '.join(sorted(set(declared) - used))}")
    uses = tuple(_split(header.get("uses", "")))
    inputs = tuple(_split(header.get("inputs", "")))
    views = set(query_names("views"))
    unknown = [u for u in uses if u not in views and u not in TABLES and u not in inputs]
    if unknown:
        raise UsageError(f"{where}: uses unknown view(s) or table(s) {', '.join(unknown)}")
    return Query(
        name=name,
        description=header.get("description", ""),
        uses=uses,
        params=declared,
        materialise=header.get("materialise", "no").lower() in ("yes", "true"),
        body=body,
        inputs=inputs,
    )


def view_order(names: list[str] | tuple[str, ...]) -> list[str]:
    """The views ``names`` need, each after the views it reads (depth first; a cycle is refused).

    >>> view_order(["unjustified_targets"])[:2]
    ['all_accesses', 'accesses']
    """
    order: list[str] = []
    visiting: set[str] = set()

    def visit(view: str) -> None:
        if view in order or view in TABLES:
            return
        if view in visiting:
            raise UsageError(f"the SQL views read each other in a cycle through {view!r}")
        visiting.add(view)
        for dep in query(f"views/{view}").uses:
            visit(dep)
        visiting.discard(view)
        order.append(view)

    for name in names:
        visit(name)
    return order


def render(text: str, values: dict) -> str:
    """``text`` with every ``$name`` replaced by the literal of ``values[name]``.

    Integers and floats (booleans refused) and timestamps (rendered in UTC) only: no text ever
    reaches the query this way.
    """

    def literal(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise UsageError(f"no value given for the SQL parameter ${name}")
        return _literal(name, values[name])

    return _PARAM_RE.sub(literal, text)


class SQLRun:
    """One detection run of the SQL library on some engine; subclasses say how the engine runs SQL.

    ``window`` (``since``, ``until``) is rendered into every view. A subclass implements
    :meth:`_create` (a view, or a computed table when ``materialise``), :meth:`_columns` (a query's
    column names) and :meth:`_rows` (a query's rows as a pandas frame), and :meth:`_failed`, which
    turns an engine's own error into a :class:`~graphrisk.errors.GraphriskError` (None: not the
    engine's error, raised as it is). The SQL they get is the library's, in DuckDB's dialect.
    """

    window: dict

    def __init__(self, since, until) -> None:
        self.window = {"since": since, "until": until}
        self._defined: list[str] = []

    def matches(self, rule_id: str, values: dict) -> pd.DataFrame:
        """The matches of rule ``rule_id`` with parameter ``values``, as a pandas frame of MATCH_COLUMNS."""
        q = query(f"detect/{rule_id}")
        try:
            for view in view_order(q.uses):
                self._define(view)
            body = render(q.body, {**self.window, **values})
            columns = match_columns_sql(self._columns(body), rule_id)
            return self._rows(f"SELECT {columns} FROM ({body}) m")
        except Exception as exc:
            failed = self._failed(rule_id, exc)
            if failed is None:
                raise
            raise failed from exc

    def frame(self, name: str, values: dict, inputs: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """The rows of ``sql/score/<name>.sql`` with parameter ``values``, as a pandas frame.

        ``inputs`` are the frames the query's header names (``inputs:``), registered under those
        names first; the views it reads are defined as for a rule, with the same window.
        """
        q = query(f"score/{name}")
        missing = set(q.inputs) - set(inputs)
        if missing:
            raise UsageError(f"sql/score/{name}.sql needs the input frame(s) {', '.join(sorted(missing))}")
        try:
            for view in view_order([u for u in q.uses if u not in q.inputs]):
                self._define(view)
            for table in q.inputs:
                self._register(table, inputs[table])
            return self._rows(render(q.body, {**self.window, **values}))
        except Exception as exc:
            failed = self._failed(f"score/{name}", exc)
            if failed is None:
                raise
            raise failed from exc

    def _define(self, view: str) -> None:
        if view in self._defined:
            return
        q = query(f"views/{view}")
        self._create(view, render(q.body, self.window), q.materialise)
        self._defined.append(view)

    def _create(self, name: str, body: str, materialise: bool) -> None:
        raise NotImplementedError

    def _columns(self, body: str) -> list[str]:
        raise NotImplementedError

    def _register(self, name: str, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def _rows(self, body: str) -> pd.DataFrame:
        raise NotImplementedError

    def _failed(self, rule_id: str, exc: Exception) -> Exception | None:
        return None


def match_columns_sql(columns: list[str], rule_id: str) -> str:
    """The select list that puts a rule's columns in the order of MATCH_COLUMNS, NULL for the rest.

    A rule's query returns only the match columns it fills (every rule the access and its
    severity); the rest are typed NULLs, added here rather than repeated in every file.

    >>> match_columns_sql(["employee_id", "access_id", "ts", "target_type", "target_id", "severity"],
    ...                   "x").split(", ")[5:7]
    ['CAST(NULL AS VARCHAR) AS person_id', 'CAST(NULL AS VARCHAR) AS case_id']
    """
    unknown = [c for c in columns if c not in MATCH_COLUMNS]
    missing = [c for c in REQUIRED_MATCH_COLUMNS if c not in columns]
    if unknown or missing:
        raise UsageError(f"sql/detect/{rule_id}.sql must return {', '.join(REQUIRED_MATCH_COLUMNS)} and "
                         f"other match columns only: {', '.join(unknown)} unknown, "
                         f"{', '.join(missing)} missing")  # fmt: skip
    return ", ".join(f'"{c}"' if c in columns else f"CAST(NULL AS {_MATCH_TYPES.get(c, 'VARCHAR')}) AS {c}"
                     for c in MATCH_COLUMNS)  # fmt: skip


#: What every rule's query returns; the other match columns are optional.
REQUIRED_MATCH_COLUMNS = ("employee_id", "access_id", "ts", "target_type", "target_id", "severity")
_MATCH_TYPES = {"ts": "TIMESTAMP WITH TIME ZONE", "action_ts": "TIMESTAMP WITH TIME ZONE",
                "path_persons": "VARCHAR[]", "path_kinds": "VARCHAR[]"}  # fmt: skip


def _literal(name: str, value) -> str:
    if isinstance(value, bool):
        raise UsageError(f"${name}: a boolean is not a SQL parameter value here")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)"
    if isinstance(value, datetime):  # pd.Timestamp is one too; year 1 and 9999 stay plain datetimes
        ts = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return f"CAST('{ts.isoformat(sep=' ')}' AS TIMESTAMP WITH TIME ZONE)"
    raise UsageError(f"${name}: {type(value).__name__} values are not SQL parameters here")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]
