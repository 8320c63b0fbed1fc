"""The workspace API's request and response bodies (docs/serve-api.md), as pydantic models.

They make ``/openapi.json`` describe the API exactly; every body the API accepts is validated
against them before any handler runs (a bad one is a 422, never a 500).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphrisk.serve.triage import STATES

State = Literal["new", "in_review", "confirmed", "dismissed", "resolved"]
assert tuple(State.__args__) == STATES

_NAME = Field(min_length=1, max_length=64)


class Error(BaseModel):
    error: str
    code: str


class Health(BaseModel):
    ok: bool


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class SessionInfo(BaseModel):
    user: str
    roles: list[str]
    csrf: str
    idle_timeout_s: int
    actions: list[str]


class Alert(BaseModel):
    pseudonym: str
    score: float
    alert: bool
    rank: int
    peer_group: str
    unit: str | None
    reasons: list[str]
    rules: list[str]
    state: State
    assignee: str | None
    version: int
    first_seen: str | None
    last_seen: str | None
    updated_at: str | None
    updated_by: str | None
    dismiss_reason: str | None = None
    dismiss_text: str | None = None
    in_latest_run: bool = True
    employee_id: str | None = None  # only in a revealed answer


class Conflict(BaseModel):
    error: str
    code: Literal["conflict"]
    current: Alert


class Part(BaseModel):
    part: str
    key: str
    points: float
    sentence: str
    evidence: list[list[str]]  # [what, text] pairs, as graphrisk explain prints them


class Finding(BaseModel):
    finding_id: str
    rule: str
    severity: str
    timestamp: str
    target_id: str | None
    target_type: str | None
    case_id: str | None = None
    organisation_id: str | None = None
    access_ids: list[str] = []
    context: float | None
    detail: str
    evidence: list[list[Any]]


class Event(BaseModel):
    at: str
    user: str | None
    field: str
    old: str | None
    new: str | None
    text: str | None = None


class Note(BaseModel):
    user: str | None
    at: str
    text: str


class Identity(BaseModel):
    employee_id: str
    name: str | None


class Dossier(BaseModel):
    alert: Alert
    parts: list[Part]
    reasons: list[str]
    findings: list[Finding]
    history: list[Event]
    notes: list[Note]
    revealed: bool
    identity: Identity | None


class TriageChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0, le=2**53)
    state: State | None = None
    assignee: str | None = Field(default=None, max_length=64)
    dismiss_reason: str | None = Field(default=None, max_length=100)
    dismiss_text: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, min_length=1, max_length=5000)


class ConfirmedShare(BaseModel):
    rule: str
    title: str
    confirmed: int
    dismissed: int
    share: float | None


class Rule(BaseModel):
    name: str
    title: str
    severity: str


class Run(BaseModel):
    id: int
    as_of: str | None
    scored_at: str
    threshold: float | None
    employees: int | None
    alerts: int | None
    window: str | None = None


class Meta(BaseModel):
    store: Literal["embedded", "neo4j"]
    run: Run | None
    rules: list[Rule]
    units: list[str]
    triage_states: list[str]
    dismiss_reasons: list[str]
    assignees: list[str]
    top: int


class Elements(BaseModel):
    """Cytoscape.js elements: ``{"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}``."""

    nodes: list[dict[str, Any]] = Field(default_factory=list, max_length=20_000)
    edges: list[dict[str, Any]] = Field(default_factory=list, max_length=100_000)


class Graph(BaseModel):
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    capped: bool
    total_nodes: int
    notes: list[str] = []
    revealed: bool = False


class PathOut(BaseModel):
    hops: int
    nodes: list[dict[str, Any]]
    edges: list[list[dict[str, Any]]]
    chain: str


class Paths(BaseModel):
    paths: list[PathOut]
    elements: Graph
    notes: list[str]
    revealed: bool = False


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["graphml", "gexf", "json"]
    elements: Elements
    title: str | None = Field(default=None, max_length=200)


class QueryParamInfo(BaseModel):
    name: str
    type: str
    default: Any = None
    required: bool
    doc: str = ""
    low: int | None = None
    high: int | None = None


class QueryInfo(BaseModel):
    name: str
    title: str
    category: str
    description: str
    params: list[QueryParamInfo]


class QueryRun(BaseModel):
    model_config = ConfigDict(extra="forbid")
    params: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=50)
    limit: int | None = Field(default=None, ge=1, le=10_000)


class QueryResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    revealed: bool = False


class TrendCell(BaseModel):
    group: str
    group_name: str | None = None
    month: str
    rule: str
    employees: int | None
    findings: int | None
    rate: float | None
    suppressed: bool


class Trends(BaseModel):
    group: Literal["unit", "team"]
    months: list[str]
    rules: list[str]
    groups: list[str]
    cells: list[TrendCell]
    min_employees: int


class AuditEntries(BaseModel):
    entries: list[dict[str, Any]]
    total: int


class AuditVerify(BaseModel):
    ok: bool
    entries: int
    problem: str | None
    line: int | None = None
    note: str | None = None
