"""The named query library: one read-only Cypher query per file in ``cypher/queries/``.

Each file opens with a header of ``//`` lines, then the query::

    // name: who-looked-up-person
    // description: Everyone who looked up a person, directly or through their vehicle or
    //   address, and the case they gave as the reason.
    // category: look-ups
    // param: person_id string  the person
    // param: since datetime (default: none)  only look-ups at or after this moment
    // param: limit int (default: 100) (range: 1..100000)  at most this many rows
    MATCH ...

``name`` must equal the file name (without ``.cypher``); a line starting with
``//`` plus two or more spaces continues the field above it. A parameter without
a default is required; ``(default: none)`` makes it optional with the value
``null``. Types: ``string``, ``int``, ``float``, ``bool``, ``date``, ``datetime``.
An ``int`` parameter declares the values it takes with ``(range: LOW..HIGH)``; a
value outside is refused before the query is sent.

The loader refuses a file with no query, a missing or unknown header field, a
duplicate name, a parameter declared but not used, one used but not declared,
an ``int`` without a range, and anything but a read of the graph (the guard of
:func:`graphrisk.cypher.check_read_only`: no writes, ``LOAD CSV``, administration
or procedures off its allow-list); ``tests/test_queries.py`` loads every file through it.

>>> q = get_query("who-looked-up-person")
>>> q.category, [p.name for p in q.params][:2]
('look-ups', ['person_id', 'since'])
>>> q.bind({"person_id": "P1"})["limit"]
100
>>> q.bind({"person_id": "P1", "limit": "-1"})
Traceback (most recent call last):
...
graphrisk.errors.UsageError: -p limit=-1: must be from 1 to 100000
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import pandas as pd

from graphrisk.cypher import check_read_only, cypher_dir, parameters_used, query_names, strip_comments
from graphrisk.errors import QueryError, UsageError, WriteRefusedError

__all__ = [
    "PARAM_TYPES",
    "NamedQuery",
    "QueryParam",
    "convert_value",
    "get_query",
    "load_queries",
    "parse_assignments",
    "parse_query",
    "queries_reference",
    "search_queries",
]

PREFIX = "queries/"
FIELDS = ("name", "description", "category", "param")
PARAM_TYPES = ("string", "int", "float", "bool", "date", "datetime")
_TRUE = {"true", "yes", "1", "y", "on"}
_FALSE = {"false", "no", "0", "n", "off"}
_NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)"
    r"(?:\s+\(default:\s*(?P<default>[^)]*)\))?"
    r"(?:\s+\(range:\s*(?P<low>-?\d+)\s*\.\.\s*(?P<high>-?\d+)\s*\))?\s*(?P<doc>.*)$"
)
#: What the driver can send as an int (a 64-bit integer); a larger one is refused by name.
INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class QueryParam:
    """A declared parameter: ``required`` when the header gives no default."""

    name: str
    type: str
    doc: str
    required: bool
    default: object = None
    low: int | None = None  #: the least value an int takes (the header's ``(range: LOW..HIGH)``)
    high: int | None = None

    def describe(self) -> str:
        default = "" if self.required else f" (default: {_show(self.default)})"
        return f"{self.name} {self.type}{_range(self)}{default}"

    def check(self, value: object, what: str) -> object:
        """``value`` if it is within the declared range (and, for an int, within 64 bits)."""
        if self.type != "int" or value is None or isinstance(value, bool):
            return value
        low, high = (
            self.low if self.low is not None else INT64[0],
            self.high if self.high is not None else INT64[1],
        )
        if not low <= value <= high:
            raise UsageError(f"{what}={value}: must be from {low} to {high}")
        return value


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library, as its header describes it."""

    name: str
    description: str
    category: str
    params: tuple[QueryParam, ...]
    text: str

    @property
    def cypher_name(self) -> str:
        """The name :meth:`Neo4jStore.read` runs it by."""
        return PREFIX + self.name

    def param(self, name: str) -> QueryParam:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"query {self.name} has no parameter {name!r}; its parameters: {known}")

    def bind(self, given: dict[str, object]) -> dict[str, object]:
        """Values for every parameter: ``given`` (text or typed) converted, defaults for the rest.

        Raises :class:`UsageError` for an unknown parameter, a value of the wrong type, or a
        required parameter that is missing.
        """
        values: dict[str, object] = {}
        for name, value in given.items():
            p = self.param(name)
            values[name] = p.check(convert_value(value, p.type, f"-p {name}"), f"-p {name}")
        missing = [p for p in self.params if p.required and p.name not in values]
        if missing:
            need = " ".join(f"-p {p.name}=..." for p in missing)
            what = "; ".join(f"{p.name} ({p.type}): {p.doc}" for p in missing)
            raise UsageError(f"query {self.name} needs {need} — {what}")
        for p in self.params:
            values.setdefault(p.name, p.default)
        return values


def parse_query(name: str, text: str) -> NamedQuery:
    """Parse and check one query file's text; ``name`` is its file name without ``.cypher``."""
    where = f"cypher/{PREFIX}{name}.cypher"
    fields: dict[str, list[str]] = {f: [] for f in FIELDS}
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        body = line[2:]
        if body.startswith("  ") and last is not None and body.strip():
            fields[last][-1] += " " + body.strip()
            continue
        key, sep, value = body.strip().partition(":")
        if not sep or key.strip() not in FIELDS:
            raise UsageError(f"{where}: header line {line!r} is not 'FIELD: value' ({', '.join(FIELDS)})")
        last = key.strip()
        fields[last].append(value.strip())
    for f in ("name", "description", "category"):
        if len(fields[f]) != 1 or not fields[f][0]:
            raise UsageError(f"{where}: the header needs exactly one '// {f}:' line")
    if fields["name"][0] != name:
        raise UsageError(f"{where}: '// name: {fields['name'][0]}' must be the file name, {name!r}")
    if not _NAME_RE.match(name):
        raise UsageError(f"{where}: a query name is lower-case words joined by '-'")
    body = strip_comments(text).strip()
    if not body:
        raise UsageError(f"{where}: holds no query")
    try:
        check_read_only(text, where)
    except WriteRefusedError as exc:
        raise UsageError(f"{where}: a library query only reads, but this one uses {exc.clause}") from None
    except QueryError as exc:
        raise UsageError(f"a library query only reads the graph: {exc}") from None
    params = tuple(_parse_param(where, spec) for spec in fields["param"])
    declared = [p.name for p in params]
    if len(set(declared)) != len(declared):
        raise UsageError(f"{where}: a parameter is declared twice")
    used = parameters_used(text)
    unused = sorted(set(declared) - used)
    undeclared = sorted(used - set(declared))
    if unused:
        raise UsageError(f"{where}: declared but not used: {', '.join('$' + p for p in unused)}")
    if undeclared:
        raise UsageError(f"{where}: used but not declared: {', '.join('$' + p for p in undeclared)}")
    return NamedQuery(name, fields["description"][0], fields["category"][0], params, text)


@cache
def load_queries() -> dict[str, NamedQuery]:
    """Every query of the library by name, checked (see the module docstring)."""
    root = cypher_dir()
    out: dict[str, NamedQuery] = {}
    for full in query_names(PREFIX):
        name = full.removeprefix(PREFIX)
        if "/" in name:
            raise UsageError(f"cypher/{full}.cypher: the query library has no sub-folders")
        query = parse_query(name, (root / f"{full}.cypher").read_text(encoding="utf-8"))
        if name in out:  # a case-insensitive file system could still give two files one name
            raise UsageError(f"two queries are named {name!r}")
        out[name] = query
    return out


def get_query(name: str) -> NamedQuery:
    queries = load_queries()
    if name not in queries:
        close = [n for n in queries if name in n or n in name]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no query named {name!r}{hint} (graphrisk query --list shows them all)")
    return queries[name]


def search_queries(words: str | None = None, category: str | None = None) -> list[NamedQuery]:
    """Queries whose name, description, category or parameters contain every word, in ``category``."""
    queries = list(load_queries().values())
    if category:
        categories = sorted({q.category for q in queries})
        if category not in categories:
            raise UsageError(f"no query category {category!r}; categories: {', '.join(categories)}")
        queries = [q for q in queries if q.category == category]
    for word in (words or "").lower().split():
        queries = [
            q
            for q in queries
            if word in " ".join([q.name, q.description, q.category, *(p.name for p in q.params)]).lower()
        ]
    return sorted(queries, key=lambda q: (q.category, q.name))


def convert_value(value: object, type_name: str, what: str) -> object:
    """``value`` (usually text from the command line) as ``type_name``; ``none``/``null`` is null.

    >>> convert_value("25", "int", "-p limit")
    25
    >>> convert_value("2026-03-01", "datetime", "-p since").isoformat()
    '2026-03-01T00:00:00+00:00'
    >>> convert_value("abc", "int", "-p limit")
    Traceback (most recent call last):
    ...
    graphrisk.errors.UsageError: -p limit='abc': not an int (a whole number, e.g. 25)
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
        return None
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if type_name == "string":
            return value
        if type_name == "int":
            return int(text)
        if type_name == "float":
            return float(text)
        if type_name == "bool":
            if text.lower() in _TRUE | _FALSE:
                return text.lower() in _TRUE
            raise ValueError
        if type_name == "date":
            return date.fromisoformat(text)
        if type_name == "datetime":
            ts = pd.Timestamp(text)
            if pd.isna(ts):
                raise ValueError
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            return ts.to_pydatetime()
    except ValueError:
        raise UsageError(f"{what}={value!r}: not {_EXPECT[type_name]}") from None
    raise UsageError(f"{what}: unknown type {type_name!r}; types: {', '.join(PARAM_TYPES)}")


def parse_assignments(items: tuple[str, ...] | list[str], *, typed: bool = False) -> dict[str, object]:
    """``-p key=value`` options as a dict; with ``typed``, ``key:type=value`` converts the value.

    >>> parse_assignments(["unit_id=EH01", "limit:int=5"], typed=True)
    {'unit_id': 'EH01', 'limit': 5}
    """
    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        name, colon, type_name = key.partition(":")
        if not sep or not name:
            raise UsageError(f"-p {item!r}: write NAME=VALUE, e.g. -p unit_id=EH01-D1-BT01")
        if colon and not typed:
            raise UsageError(f"-p {item!r}: a named query knows its parameters' types; write NAME=VALUE")
        if colon and type_name not in PARAM_TYPES:
            raise UsageError(f"-p {item!r}: unknown type {type_name!r}; types: {', '.join(PARAM_TYPES)}")
        if name in out:
            raise UsageError(f"-p {name} is given twice")
        out[name] = convert_value(value, type_name, f"-p {name}") if colon else value
        number = out[name]
        if isinstance(number, int) and not isinstance(number, bool) and not INT64[0] <= number <= INT64[1]:
            # a Cypher INTEGER has 64 bits; the driver could not send this one (OverflowError)
            raise UsageError(f"-p {name}={number}: an int must be from {INT64[0]} to {INT64[1]} (64 bits)")
    return out


def queries_reference() -> str:
    """``docs/queries.md``: the library from its headers, by category."""
    queries = sorted(load_queries().values(), key=lambda q: (q.category, q.name))
    out = [
        "# Named risk queries\n\n",
        "Generated from the headers of `cypher/queries/*.cypher` by `python -m graphrisk.docs`.\n\n",
        "Run one with `graphrisk query NAME -p key=value ...` (Neo4j only: set `NEO4J_URI` or "
        "`--neo4j-uri`); `graphrisk query --list [WORDS] [--category C]` finds them, "
        "`graphrisk query NAME --show` prints the Cypher. Every query runs in a read-only "
        "transaction. Parameters without a default are required; `none` means null. "
        "Queries about scores and findings read what `graphrisk score --write-back` writes and "
        "return nothing until it has run. See `docs/analyst.md` for the analyst's workflow.\n\n",
        "| query | category | description |\n|---|---|---|\n",
    ]
    for q in queries:
        out.append(f"| [`{q.name}`](#{q.name}) | {q.category} | {q.description} |\n")
    for q in queries:
        out.append(f"\n## {q.name}\n\n*{q.category}* — {q.description}\n\n")
        if q.params:
            out.append("| parameter | type | default | values | meaning |\n|---|---|---|---|---|\n")
            for p in q.params:
                default = "required" if p.required else f"`{_show(p.default)}`"
                values = f"{p.low} to {p.high}" if p.low is not None else ""
                out.append(f"| `{p.name}` | {p.type} | {default} | {values} | {p.doc} |\n")
            out.append("\n")
        example = " ".join(f"-p {p.name}={_example(p)}" for p in q.params if p.required)
        out.append(f"```bash\ngraphrisk query {q.name}{' ' + example if example else ''}\n```\n")
    return "".join(out)


_EXPECT = {
    "string": "text",
    "int": "an int (a whole number, e.g. 25)",
    "float": "a float (a number, e.g. 0.5)",
    "bool": "a bool (true or false)",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a datetime (ISO 8601, e.g. 2026-03-01T08:00:00+01:00; UTC when no offset)",
}

_EXAMPLES = {
    "employee_id": "E000012",
    "person_id": "P0000253",
    "case_id": "C000002",
    "unit_id": "EH01",
    "organisation_id": "ORG0001",
}


def _parse_param(where: str, spec: str) -> QueryParam:
    m = _PARAM_RE.match(spec)
    if not m:
        raise UsageError(f"{where}: '// param: {spec}' is not 'NAME TYPE [(default: VALUE)] DESCRIPTION'")
    type_name = m["type"]
    if type_name not in PARAM_TYPES:
        raise UsageError(f"{where}: parameter {m['name']} has unknown type {type_name!r}")
    if not m["doc"].strip():
        raise UsageError(f"{where}: parameter {m['name']} needs a description")
    required = m["default"] is None
    default = None if required else convert_value(m["default"].strip(), type_name, f"{where}: default")
    low, high = (None, None) if m["low"] is None else (int(m["low"]), int(m["high"]))
    if type_name == "int" and low is None:
        # an unbounded int is how `-p limit=99999999999999999999` reached the driver
        raise UsageError(f"{where}: int parameter {m['name']} needs its values: (range: LOW..HIGH)")
    if low is not None and (type_name != "int" or not INT64[0] <= low <= high <= INT64[1]):
        raise UsageError(f"{where}: parameter {m['name']}: a range is LOW..HIGH of an int, LOW <= HIGH")
    param = QueryParam(m["name"], type_name, m["doc"].strip(), required, default, low, high)
    param.check(default, f"{where}: default of {m['name']}")
    return param


def _range(p: QueryParam) -> str:
    return "" if p.low is None else f" {p.low}..{p.high}"


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _example(p: QueryParam) -> str:
    return _EXAMPLES.get(p.name, {"int": "10", "float": "0.5", "bool": "true"}.get(p.type, "..."))
