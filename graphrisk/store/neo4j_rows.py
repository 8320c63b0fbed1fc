"""Stored rows of a Neo4j store as contract rows: statements built from the graph model.

Both :meth:`Neo4jStore.rows_where <graphrisk.store.neo4j.Neo4jStore.rows_where>` (the read API
every caller uses) and the append's validation (:mod:`graphrisk.store.neo4j_append`) read through
here, so that what an append compares and what a caller reads are the same rows. It takes the
store as an argument and imports neither of those modules: no import cycle.
"""

from __future__ import annotations

import pandas as pd

from graphrisk.contract import TABLES, ColumnType
from graphrisk.graph import NODES, RELATIONSHIPS

__all__ = ["key_of", "rows_where"]


def key_of(label: str) -> str:
    return next(s.key for s in NODES if s.label == label)


def rows_where(store, table: str, column: str | None = None, values=None) -> pd.DataFrame:
    """The stored rows of contract table ``table`` whose ``column`` is one of ``values``.

    The statement is built from the graph model (:func:`_rows_cypher`): node properties, plus the
    columns the graph keeps as relationships (an employee's unit, a case's owner). Values are
    asked for in batches of the store's batch size.
    """
    text = _rows_cypher(table, column)
    if column is None:
        return _typed(table, store.runner.run_text(text, {}, tag=f"append/rows_{table}"))
    values = pd.Series(list(values), dtype=object).dropna().astype(str).unique().tolist()
    frames = [
        store.runner.run_text(
            text, {"values": values[start : start + store.batch_size]}, tag=f"append/rows_{table}"
        )
        for start in range(0, len(values), store.batch_size)
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return _typed(table, pd.DataFrame(columns=TABLES[table].column_names))
    return _typed(table, pd.concat(frames, ignore_index=True))


def _rows_cypher(table: str, column: str | None) -> str:
    """Cypher returning ``table``'s contract columns, filtered on ``column IN $values``.

    >>> print(_rows_cypher("case_assignments", "case_id"))
    MATCH (a:Employee)-[r:ASSIGNED_TO]->(b:Case)
    WHERE b.case_id IN $values
    RETURN b.case_id AS case_id, a.employee_id AS employee_id, r.role AS role,
      r.start_date AS start_date, r.end_date AS end_date
    >>> print(_rows_cypher("employees", "person_id"))
    MATCH (n:Employee)
    MATCH (n)-[:IS_PERSON]->(x0:Person) WHERE x0.person_id IN $values
    OPTIONAL MATCH (n)-[:WORKS_IN]->(x1:Unit)
    RETURN n.employee_id AS employee_id, x0.person_id AS person_id, x1.unit_id AS unit_id,
      n.rank AS rank, n.role AS role, n.start_date AS start_date,
      n.end_date AS end_date
    """
    columns = TABLES[table].column_names
    node = next((s for s in NODES if s.table == table), None)
    rels = [s for s in RELATIONSHIPS if s.table == table]
    if node is None:
        (spec,) = rels
        source = {spec.start_column: f"a.{key_of(spec.start)}", spec.end_column: f"b.{key_of(spec.end)}"}
        source.update({c: f"r.{c}" for c in (*spec.key, *spec.properties)})
        where = f"\nWHERE {source[column]} IN $values" if column else ""
        returned = _returned(source, columns)
        return f"MATCH (a:{spec.start})-[r:{spec.type}]->(b:{spec.end}){where}\nRETURN {returned}"
    source = {c: f"n.{c}" for c in (node.key, *node.properties) if c in columns}
    lines = []
    for i, spec in enumerate(rels):
        far = f"x{i}"
        if spec.start == node.label and spec.start_column in (node.key, *(node.id_from or ())):
            pattern, label, col = f"(n)-[:{spec.type}]->({far}:{spec.end})", spec.end, spec.end_column
        elif spec.end == node.label:
            pattern, label, col = f"({far}:{spec.start})-[:{spec.type}]->(n)", spec.start, spec.start_column
        else:
            continue
        if col in source:
            continue  # also a property of the node (an access's employee_id)
        far_key = key_of(label)
        source[col] = f"{far}.{far_key}"
        if col == column:
            lines.append(f"MATCH {pattern} WHERE {far}.{far_key} IN $values")
        else:
            lines.append(f"OPTIONAL MATCH {pattern}")
    lines.sort(key=lambda line: not line.startswith("MATCH"))  # the filtering match first
    first = f"MATCH (n:{node.label})"
    if column is not None and source.get(column, "").startswith("n."):
        first += f" WHERE n.{column} IN $values"
    returned = _returned(source, columns)
    return "\n".join([first, *lines, f"RETURN {returned}"])


def _returned(source: dict[str, str], columns: list[str]) -> str:
    """The RETURN items, a few to a line (the statement shows in the server's query log)."""
    items = [f"{source[c]} AS {c}" for c in columns]
    lines, line = [], []
    for item in items:
        if line and len(", ".join([*line, item])) > 80:
            lines.append(", ".join(line))
            line = []
        line.append(item)
    lines.append(", ".join(line))
    return ",\n  ".join(lines)


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows read from Neo4j in the contract's types, as the ingest gives them."""
    out = {}
    for col in TABLES[table].columns:
        values = (
            frame[col.name] if col.name in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        )
        if col.type is ColumnType.DATETIME:
            out[col.name] = pd.to_datetime(values.map(_iso), utc=True, format="ISO8601").astype(
                "datetime64[us, UTC]"
            )
        elif col.type is ColumnType.DATE:
            out[col.name] = pd.to_datetime(values.map(_iso), format="ISO8601").astype("datetime64[s]")
        else:
            text = values.astype(object).where(values.notna(), None)
            out[col.name] = text.astype("string[pyarrow]")
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _iso(value):
    """A temporal value from the driver (Neo4j or pandas) as ISO text; None for missing."""
    if value is None or (not hasattr(value, "iso_format") and pd.isna(value)):
        return None
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return pd.Timestamp(value).isoformat()
