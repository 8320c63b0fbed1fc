"""The input data contract, as data.

This module is the one place that knows file names, column names, types and
enum values. The reader and validator (:mod:`graphrisk.ingest`), the graph
model (:mod:`graphrisk.graph`), the generator and the documentation read it.

A data set is a directory holding, for each table, ``NAME.csv`` (UTF-8 with a
header row) or ``NAME.parquet``. Ids are strings, timestamps are ISO 8601 with
a UTC offset, dates are ISO dates, extra columns are kept but ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "AUDIT_GROUPS_ENDINGS",
    "CONTROL_CHARACTERS",
    "EARLIEST",
    "EVALUATION_ONLY",
    "LATEST",
    "TABLES",
    "TABLE_ORDER",
    "TARGET_TABLES",
    "Column",
    "ColumnType",
    "Reference",
    "Table",
    "is_audit_groups_file",
    "table",
]


#: The plausible span of every date and timestamp, inclusive (timestamps compared in UTC). A value
#: outside it is a typo or a placeholder (``9999-12-31`` for "no end"), and is refused at load:
#: graphrisk's date arithmetic (windows, ages, days between events) works within it.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)

#: Ids and text may not hold control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F,
#: tab and line breaks included): a NUL or escape character in a name is a corrupt export, breaks
#: XML exports and can rewrite a terminal; a line break splits a value that is shown on one line.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f]"


class ColumnType(StrEnum):
    """The value types a contract column can have."""

    ID = "id"  #: a string identifier
    TEXT = "text"  #: free text
    DATETIME = "datetime"  #: ISO 8601 timestamp with a UTC offset, stored in UTC
    DATE = "date"  #: ISO date (YYYY-MM-DD)
    ENUM = "enum"  #: one of ``Column.values``
    FLAGS = "flags"  #: zero or more of ``Column.values``, separated by ``;``


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``required`` columns must be in the header; ``nullable`` columns may hold
    empty values. A column that is not required may be absent altogether,
    which reads as all values empty.
    """

    name: str
    type: ColumnType
    required: bool = True
    nullable: bool = False
    values: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Reference:
    """A foreign key: ``column`` holds ids of ``table``'s key column.

    With ``when`` set, the reference applies only to rows whose column
    ``when[0]`` equals ``when[1]`` (the polymorphic access target).
    """

    column: str
    table: str
    when: tuple[str, str] | None = None


@dataclass(frozen=True)
class Table:
    """One file of a data set."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    references: tuple[Reference, ...] = ()
    needs: tuple[str, ...] = ()  #: optional tables that must be present with this one
    doc: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ID, TEXT, DATETIME, DATE, ENUM, FLAGS = (
    ColumnType.ID,
    ColumnType.TEXT,
    ColumnType.DATETIME,
    ColumnType.DATE,
    ColumnType.ENUM,
    ColumnType.FLAGS,
)

PERSON_FLAGS = ("vip", "protected", "informant", "undercover")
TARGET_TYPES = ("person", "vehicle", "address", "case")
ACTIONS = ("view", "search", "export")
CASE_STATUS = ("open", "closed")
SENSITIVITY = ("normal", "high", "top")
SUBJECT_ROLES = ("suspect", "witness", "victim", "informant", "other")
ACTION_KINDS = ("raid", "arrest", "search", "other")
RELATION_KINDS = ("partner", "family", "friend", "neighbour", "acquaintance", "associate")

#: Which table the ``target_id`` of an access resolves to, per ``target_type``.
TARGET_TABLES = {
    "person": "persons",
    "vehicle": "vehicles",
    "address": "addresses",
    "case": "cases",
}

_TABLES: tuple[Table, ...] = (
    Table(
        "areas",
        (
            Column("area_id", ID),
            Column("name", TEXT),
            Column("parent_area_id", ID, nullable=True, doc="empty for the root (NL)"),
        ),
        key=("area_id",),
        references=(Reference("parent_area_id", "areas"),),
        doc="Geographic hierarchy: municipality < district < regional territory < NL.",
    ),
    Table(
        "units",
        (
            Column("unit_id", ID),
            Column("name", TEXT),
            Column("parent_unit_id", ID, nullable=True),
            Column("area_id", ID, doc="the territory the unit serves"),
        ),
        key=("unit_id",),
        references=(Reference("parent_unit_id", "units"), Reference("area_id", "areas")),
        doc="Organisational units; a national unit serves the root area.",
    ),
    Table(
        "persons",
        (
            Column("person_id", ID),
            Column("name", TEXT),
            Column("birth_date", DATE),
            Column("area_id", ID, doc="area of residence"),
            Column("address_id", ID, required=False, nullable=True),
            Column("flags", FLAGS, required=False, nullable=True, values=PERSON_FLAGS),
        ),
        key=("person_id",),
        references=(Reference("area_id", "areas"), Reference("address_id", "addresses")),
        doc="Everyone the systems know, employees' own person records included.",
    ),
    Table(
        "employees",
        (
            Column("employee_id", ID),
            Column("person_id", ID, doc="the employee's own person record"),
            Column("unit_id", ID),
            Column("rank", TEXT),
            Column("role", TEXT),
            Column("start_date", DATE),
            Column("end_date", DATE, required=False, nullable=True),
        ),
        key=("employee_id",),
        references=(Reference("person_id", "persons"), Reference("unit_id", "units")),
        extra={"unique": "person_id"},
        doc="Police employees with system access.",
    ),
    Table(
        "access_log",
        (
            Column("access_id", ID),
            Column("ts", DATETIME),
            Column("employee_id", ID),
            Column("system", TEXT, doc="e.g. BVH, BVI, BRP, RDW"),
            Column("target_type", ENUM, values=TARGET_TYPES),
            Column("target_id", ID),
            Column("action", ENUM, values=ACTIONS),
            Column("case_id", ID, required=False, nullable=True, doc="the case given as justification"),
        ),
        key=("access_id",),
        references=(
            Reference("employee_id", "employees"),
            Reference("case_id", "cases"),
            *(Reference("target_id", t, when=("target_type", k)) for k, t in TARGET_TABLES.items()),
        ),
        doc="One row per look-up in a police information system.",
    ),
    Table(
        "addresses",
        (Column("address_id", ID), Column("area_id", ID)),
        key=("address_id",),
        required=False,
        references=(Reference("area_id", "areas"),),
    ),
    Table(
        "vehicles",
        (Column("vehicle_id", ID), Column("owner_person_id", ID), Column("area_id", ID)),
        key=("vehicle_id",),
        required=False,
        references=(Reference("owner_person_id", "persons"), Reference("area_id", "areas")),
    ),
    Table(
        "cases",
        (
            Column("case_id", ID),
            Column("name", TEXT),
            Column("status", ENUM, values=CASE_STATUS),
            Column("opened_on", DATE),
            Column("closed_on", DATE, nullable=True),
            Column("unit_id", ID, doc="the owning unit"),
            Column("sensitivity", ENUM, values=SENSITIVITY),
        ),
        key=("case_id",),
        required=False,
        references=(Reference("unit_id", "units"),),
        doc="Investigations (onderzoeken).",
    ),
    Table(
        "case_assignments",
        (
            Column("case_id", ID),
            Column("employee_id", ID),
            Column("role", TEXT, nullable=True),
            Column("start_date", DATE),
            Column("end_date", DATE, nullable=True),
        ),
        key=("case_id", "employee_id", "start_date"),
        required=False,
        references=(Reference("case_id", "cases"), Reference("employee_id", "employees")),
        needs=("cases",),
    ),
    Table(
        "case_subjects",
        (
            Column("case_id", ID),
            Column("person_id", ID),
            Column("role", ENUM, values=SUBJECT_ROLES),
        ),
        key=("case_id", "person_id"),
        required=False,
        references=(Reference("case_id", "cases"), Reference("person_id", "persons")),
        needs=("cases",),
    ),
    Table(
        "case_actions",
        (
            Column("case_id", ID),
            Column("ts", DATETIME),
            Column("kind", ENUM, values=ACTION_KINDS),
        ),
        key=("case_id", "ts", "kind"),
        required=False,
        references=(Reference("case_id", "cases"),),
        needs=("cases",),
        doc="Planned operational actions (raids, arrests).",
    ),
    Table(
        "relations",
        (
            Column("person_id", ID),
            Column("other_person_id", ID),
            Column("kind", ENUM, values=RELATION_KINDS),
            Column("source", TEXT, nullable=True),
            Column("since", DATE, nullable=True),
        ),
        key=("person_id", "other_person_id", "kind"),
        required=False,
        references=(Reference("person_id", "persons"), Reference("other_person_id", "persons")),
        doc="Known ties between persons; read as undirected by the rules.",
    ),
    Table(
        "organisations",
        (Column("organisation_id", ID), Column("name", TEXT), Column("kind", TEXT)),
        key=("organisation_id",),
        required=False,
        doc="Criminal organisations, e.g. an outlaw motorcycle club or a drug network.",
    ),
    Table(
        "memberships",
        (
            Column("person_id", ID),
            Column("organisation_id", ID),
            Column("role", TEXT, nullable=True),
            Column("since", DATE, nullable=True),
        ),
        key=("person_id", "organisation_id"),
        required=False,
        references=(Reference("person_id", "persons"), Reference("organisation_id", "organisations")),
        needs=("organisations",),
    ),
    Table(
        "shifts",
        (Column("employee_id", ID), Column("start_ts", DATETIME), Column("end_ts", DATETIME)),
        key=("employee_id", "start_ts"),
        required=False,
        references=(Reference("employee_id", "employees"),),
    ),
    Table(
        "ground_truth",
        (Column("employee_id", ID), Column("label", TEXT, doc="insider:<scenario> or lookalike:<group>")),
        key=("employee_id", "label"),
        required=False,
        references=(Reference("employee_id", "employees"),),
        doc="Evaluation only: never read by loading, detection or scoring.",
    ),
)

#: Every table of the contract by name, in load order (referenced tables first).
TABLES: dict[str, Table] = {t.name: t for t in _TABLES}
TABLE_ORDER: tuple[str, ...] = tuple(t.name for t in _TABLES)
#: Tables that only ``graphrisk evaluate`` may read.
EVALUATION_ONLY: frozenset[str] = frozenset({"ground_truth"})

#: How the name of an audit-only group attribute file ends (``graphrisk fairness --groups``), e.g.
#: ``audit_groups.csv`` or ``2026-hr.audit_groups.csv``. Such a file (a migration background from
#: HR, say) is kept outside every data set, so that it can never reach loading, detection or
#: scoring: ``load`` refuses a data set directory that holds one, and ``fairness`` reads no other.
AUDIT_GROUPS_ENDINGS: tuple[str, ...] = ("audit_groups.csv", "audit_groups.parquet")


def is_audit_groups_file(name: str) -> bool:
    """Whether a file called ``name`` is an audit-only group file (any case).

    >>> is_audit_groups_file("audit_groups.csv"), is_audit_groups_file("sample.Audit_Groups.CSV")
    (True, True)
    >>> is_audit_groups_file("ground_truth.csv"), is_audit_groups_file("audit_groups.csv.bak")
    (False, False)
    """
    return name.lower().endswith(AUDIT_GROUPS_ENDINGS)


def table(name: str) -> Table:
    """Return the contract table called ``name``."""
    return TABLES[name]
