"""The graph model: how contract tables become nodes and relationships.

Both stores build the same graph from the same rows: the Neo4j store through
the loaders in ``cypher/load/`` (one per node label and relationship spec,
named by :attr:`NodeSpec.loader` and :attr:`RelSpec.loader`), the embedded
store by counting and joining the same frames. ``docs/data-model.md`` draws it.

Relationships are created only where both ends exist, and merged on their
endpoints plus :attr:`RelSpec.key`, so loading the same rows twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["NODES", "NODE_BY_LABEL", "RELATIONSHIPS", "NodeSpec", "RelSpec", "node_rows", "rel_rows"]


@dataclass(frozen=True)
class NodeSpec:
    """Nodes with ``label``, one per distinct ``key`` of ``table``."""

    label: str
    table: str
    key: str  #: the node property that identifies it (a uniqueness constraint)
    id_from: tuple[str, ...] | None = None  #: columns joined with "|" when the table has no id column
    properties: tuple[str, ...] = ()

    @property
    def loader(self) -> str:
        return f"load/node_{self.label.lower()}"


@dataclass(frozen=True)
class RelSpec:
    """``(start)-[type]->(end)`` relationships, one per row of ``table`` whose ends exist."""

    type: str
    table: str
    start: str  #: label of the start node
    start_column: str  #: column holding the start node's key
    end: str
    end_column: str
    where: tuple[str, str] | None = None  #: only rows with column == value
    key: tuple[str, ...] = ()  #: relationship properties that tell two parallel relationships apart
    properties: tuple[str, ...] = ()

    @property
    def loader(self) -> str:
        tail = f"_{self.where[1]}" if self.where else ""
        return f"load/rel_{self.start.lower()}_{self.type.lower()}_{self.end.lower()}{tail}"


NODES: tuple[NodeSpec, ...] = (
    NodeSpec("Area", "areas", "area_id", properties=("name",)),
    NodeSpec("Unit", "units", "unit_id", properties=("name",)),
    NodeSpec("Person", "persons", "person_id", properties=("name", "birth_date", "flags")),
    NodeSpec("Employee", "employees", "employee_id", properties=("rank", "role", "start_date", "end_date")),
    NodeSpec(
        "Access",
        "access_log",
        "access_id",
        properties=("ts", "system", "target_type", "target_id", "action", "case_id", "employee_id"),
    ),
    NodeSpec("Address", "addresses", "address_id"),
    NodeSpec("Vehicle", "vehicles", "vehicle_id"),
    NodeSpec(
        "Case", "cases", "case_id", properties=("name", "status", "opened_on", "closed_on", "sensitivity")
    ),
    NodeSpec(
        "Action", "case_actions", "action_id", id_from=("case_id", "ts", "kind"), properties=("ts", "kind")
    ),
    NodeSpec("Organisation", "organisations", "organisation_id", properties=("name", "kind")),
    NodeSpec(
        "Shift", "shifts", "shift_id", id_from=("employee_id", "start_ts"), properties=("start_ts", "end_ts")
    ),
)

NODE_BY_LABEL = {n.label: n for n in NODES}

RELATIONSHIPS: tuple[RelSpec, ...] = (
    RelSpec("PART_OF", "areas", "Area", "area_id", "Area", "parent_area_id"),
    RelSpec("PART_OF", "units", "Unit", "unit_id", "Unit", "parent_unit_id"),
    RelSpec("SERVES", "units", "Unit", "unit_id", "Area", "area_id"),
    RelSpec("LIVES_IN", "persons", "Person", "person_id", "Area", "area_id"),
    RelSpec("LIVES_AT", "persons", "Person", "person_id", "Address", "address_id"),
    RelSpec("IS_PERSON", "employees", "Employee", "employee_id", "Person", "person_id"),
    RelSpec("WORKS_IN", "employees", "Employee", "employee_id", "Unit", "unit_id"),
    RelSpec("PERFORMED", "access_log", "Employee", "employee_id", "Access", "access_id"),
    RelSpec(
        "TARGETED",
        "access_log",
        "Access",
        "access_id",
        "Person",
        "target_id",
        where=("target_type", "person"),
    ),
    RelSpec(
        "TARGETED",
        "access_log",
        "Access",
        "access_id",
        "Vehicle",
        "target_id",
        where=("target_type", "vehicle"),
    ),
    RelSpec(
        "TARGETED",
        "access_log",
        "Access",
        "access_id",
        "Address",
        "target_id",
        where=("target_type", "address"),
    ),
    RelSpec(
        "TARGETED", "access_log", "Access", "access_id", "Case", "target_id", where=("target_type", "case")
    ),
    RelSpec("JUSTIFIED_BY", "access_log", "Access", "access_id", "Case", "case_id"),
    RelSpec("IN_AREA", "addresses", "Address", "address_id", "Area", "area_id"),
    RelSpec("REGISTERED_TO", "vehicles", "Vehicle", "vehicle_id", "Person", "owner_person_id"),
    RelSpec("REGISTERED_IN", "vehicles", "Vehicle", "vehicle_id", "Area", "area_id"),
    RelSpec("OWNED_BY", "cases", "Case", "case_id", "Unit", "unit_id"),
    RelSpec(
        "ASSIGNED_TO",
        "case_assignments",
        "Employee",
        "employee_id",
        "Case",
        "case_id",
        key=("start_date",),
        properties=("role", "end_date"),
    ),
    RelSpec("SUBJECT_OF", "case_subjects", "Person", "person_id", "Case", "case_id", properties=("role",)),
    RelSpec("PLANS", "case_actions", "Case", "case_id", "Action", "action_id"),
    RelSpec(
        "RELATED_TO",
        "relations",
        "Person",
        "person_id",
        "Person",
        "other_person_id",
        key=("kind",),
        properties=("source", "since"),
    ),
    RelSpec(
        "MEMBER_OF",
        "memberships",
        "Person",
        "person_id",
        "Organisation",
        "organisation_id",
        properties=("role", "since"),
    ),
    RelSpec("WORKED", "shifts", "Employee", "employee_id", "Shift", "shift_id"),
)


#: The node label or relationship type whose presence shows that a table was loaded.
TABLE_MARKERS: dict[str, str] = {
    "areas": "Area",
    "units": "Unit",
    "persons": "Person",
    "employees": "Employee",
    "access_log": "Access",
    "addresses": "Address",
    "vehicles": "Vehicle",
    "cases": "Case",
    "case_assignments": "ASSIGNED_TO",
    "case_subjects": "SUBJECT_OF",
    "case_actions": "Action",
    "relations": "RELATED_TO",
    "organisations": "Organisation",
    "memberships": "MEMBER_OF",
    "shifts": "Shift",
}


def synthetic_id(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The id of a row of a table without an id column: its key columns joined by ``|``.

    Timestamps are written in UTC ISO form, so the same instant always gives the same id.
    """
    parts = []
    for c in columns:
        col = frame[c]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            col = col.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        parts.append(col.astype("string[pyarrow]"))
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out


def with_synthetic_ids(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the synthetic id column of ``table``'s node spec, if it has one."""
    for spec in NODES:
        if spec.table == table and spec.id_from is not None:
            frame = frame.assign(**{spec.key: synthetic_id(frame, spec.id_from)})
    return frame


def node_rows(spec: NodeSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that become ``spec``'s nodes: key plus properties, one per key."""
    cols = [spec.key, *spec.properties]
    return frame[cols].drop_duplicates(subset=[spec.key])


def rel_rows(spec: RelSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that may become ``spec``'s relationships (both ends named)."""
    rows = frame
    if spec.where is not None:
        rows = rows[rows[spec.where[0]] == spec.where[1]]
    rows = rows[rows[spec.start_column].notna() & rows[spec.end_column].notna()]
    cols = list(dict.fromkeys([spec.start_column, spec.end_column, *spec.key, *spec.properties]))
    return rows[cols]
