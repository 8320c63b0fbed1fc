"""What the workspace's endpoints compute: alert objects, dossier parts, graphs, trends.

Pure functions over the triage store's rows and the graph source; the endpoints in
:mod:`graphrisk.serve.app` check roles, write the audit entry and redact around them.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pandas as pd

from graphrisk.analyst.source import split_id
from graphrisk.errors import UsageError
from graphrisk.reports.graph_page import cytoscape_elements
from graphrisk.rules import RULES
from graphrisk.scoring.explain import evidence_lines

__all__ = [
    "MIN_CELL",
    "alert_object",
    "cap_graph",
    "confirmed_share",
    "dossier_parts",
    "elements_graph",
    "filter_by_time",
    "graph_employees",
    "trends",
]

#: A trend cell of fewer employees than this is suppressed (no counts shown).
MIN_CELL = 5


def alert_object(row: dict, pseudonym: str, latest_run: int | None, revealed: bool) -> dict:
    """The API's alert object of a triage row (docs/serve-api.md)."""
    out = {
        "pseudonym": pseudonym,
        "score": float(row.get("score") or 0.0),
        "alert": bool(row.get("alert")),
        "rank": int(row.get("rank") or 0),
        "peer_group": str(row.get("peer_group") or ""),
        "unit": row.get("unit"),
        "reasons": list(row.get("reasons") or []),
        "rules": list(row.get("rules") or []),
        "state": row["state"],
        "assignee": row.get("assignee"),
        "version": int(row["version"]),
        "first_seen": row.get("first_seen"),
        "last_seen": row.get("last_seen"),
        "updated_at": row.get("updated_at"),
        "updated_by": row.get("updated_by"),
        "dismiss_reason": row.get("dismiss_reason"),
        "dismiss_text": row.get("dismiss_text"),
        "in_latest_run": latest_run is not None and row.get("last_run") == latest_run,
    }
    if revealed:
        out["employee_id"] = row["employee_id"]
    return out


def dossier_parts(parts: list[dict]) -> list[dict]:
    """Each part of a score as a sentence with its points and evidence, as ``explain`` shows them."""
    return [
        {
            "part": str(p.get("part", "")),
            "key": str(p.get("key", "")),
            "points": float(p.get("points") or 0.0),
            "sentence": str(p.get("text", "")),
            "evidence": [[what, text] for what, text in evidence_lines(p)],
        }
        for p in parts
    ]


def findings_frame(findings: list[dict]) -> pd.DataFrame:
    """Recorded findings as the frame :func:`graphrisk.reports.dossier.dossier_network` reads."""
    columns = ["finding_id", "rule_id", "severity", "ts", "evidence", "access_ids"]
    if not findings:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "finding_id": [f["finding_id"] for f in findings],
            "rule_id": [f["rule"] for f in findings],
            "severity": [f["severity"] for f in findings],
            "ts": pd.to_datetime([f["timestamp"] for f in findings], utc=True),
            "evidence": [f.get("evidence") or [] for f in findings],
            "access_ids": [f.get("access_ids") or [] for f in findings],
        }
    )
    return frame


def cap_graph(graph: nx.MultiDiGraph, centre: str | None, max_nodes: int) -> tuple[nx.MultiDiGraph, bool]:
    """At most ``max_nodes`` nodes: the centre and the nearest (by ``hop``, then id); whether cut."""
    if graph.number_of_nodes() <= max_nodes:
        return graph, False

    def order(item):
        n, d = item
        hop = d.get("hop", 0)
        return (n != centre, hop if isinstance(hop, int) and hop >= 0 else 99, n)

    keep = [n for n, _ in sorted(graph.nodes(data=True), key=order)[:max_nodes]]
    return graph.subgraph(keep).copy(), True


def graph_employees(graph: nx.MultiDiGraph) -> list[str]:
    """The employees a graph shows: Employee nodes, and the employee of a look-up at its edge."""
    shown = {split_id(n)[1] for n in graph.nodes if split_id(str(n))[0] == "Employee"}
    shown |= {d["employee_id"] for _, d in graph.nodes(data=True) if isinstance(d.get("employee_id"), str)}
    return sorted(shown)


def graph_out(graph: nx.MultiDiGraph, *, capped: bool, total: int, notes=(), highlight=frozenset()) -> dict:
    elements = cytoscape_elements(graph, highlight=set(highlight))
    for node in elements["nodes"]:
        node["data"].setdefault("kind", node["data"].get("type"))
    return {
        "nodes": elements["nodes"],
        "edges": elements["edges"],
        "capped": capped,
        "total_nodes": total,
        "notes": list(notes),
    }


def parse_day(text: str | None, what: str) -> pd.Timestamp | None:
    if text is None or not text.strip():
        return None
    try:
        ts = pd.Timestamp(text.strip())
    except (ValueError, TypeError, OverflowError):
        raise UsageError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None
    if pd.isna(ts):
        raise UsageError(f"{what} {text!r} is not a date (YYYY-MM-DD)")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def filter_by_time(graph: nx.MultiDiGraph, centre: str, since, until) -> nx.MultiDiGraph:
    """Drop relationships and look-ups dated outside [since, until), then what no longer connects."""
    if since is None and until is None:
        return graph

    def outside(value) -> bool:
        if not isinstance(value, str) or not value:
            return False
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            return False
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return (since is not None and ts < since) or (until is not None and ts >= until)

    out = graph.copy()
    for u, v, k, d in list(out.edges(keys=True, data=True)):
        if any(outside(d.get(p)) for p in ("since", "start_date", "ts")):
            out.remove_edge(u, v, k)
    for n, d in list(out.nodes(data=True)):
        if n != centre and d.get("type") == "Access" and outside(d.get("ts")):
            out.remove_node(n)
    if centre in out:
        keep = nx.node_connected_component(out.to_undirected(as_view=True), centre)
        out = out.subgraph(keep).copy()
    return out


def elements_graph(nodes: list[dict], edges: list[dict]) -> nx.MultiDiGraph:
    """A graph from Cytoscape elements sent by the page (for export); refuses dangling edges."""
    graph = nx.MultiDiGraph()
    for item in nodes:
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str | int):
            raise UsageError("every node needs data.id")
        attrs = {k: v for k, v in data.items() if k != "id" and _plain(v)}
        graph.add_node(str(data["id"]), **attrs)
    for item in edges:
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, dict):
            raise UsageError("every edge needs data with source and target")
        source, target = str(data.get("source")), str(data.get("target"))
        if source not in graph or target not in graph:
            raise UsageError("an edge's source and target must be nodes of the elements")
        attrs = {k: v for k, v in data.items() if k not in ("id", "source", "target") and _plain(v)}
        graph.add_edge(source, target, **attrs)
    return graph


def _plain(value) -> bool:
    if isinstance(value, str | int | float | bool) or value is None:
        return True
    if isinstance(value, list):
        return all(isinstance(v, str | int | float | bool) for v in value)
    return False


def confirmed_share(closed: list[dict]) -> list[dict]:
    """Per rule: alerts confirmed and dismissed that the rule fired in, and the confirmed share."""
    counts = {r: [0, 0] for r in RULES}
    for alert in closed:
        for rule in alert["rules"]:
            pair = counts.setdefault(rule, [0, 0])
            pair[0 if alert["state"] == "confirmed" else 1] += 1
    return [
        {
            "rule": rule,
            "title": RULES[rule].title if rule in RULES else rule,
            "confirmed": c,
            "dismissed": d,
            "share": round(c / (c + d), 4) if c + d else None,
        }
        for rule, (c, d) in counts.items()
    ]


def year_ago() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")


def trends(
    counts: list[dict], heads: dict, group: str, rule: str | None, since: str | None, until: str | None
) -> dict:
    """Findings per employee per (group, month, rule); cells under :data:`MIN_CELL` suppressed.

    Every (group, month) with a head count gets a cell for every rule shown, so that a month
    without findings reads as a rate of 0, not as missing.
    """
    for value, what in ((since, "from"), (until, "to")):
        if value is not None and not _is_month(value):
            raise UsageError(f"{what} {value!r} is not a month (YYYY-MM)")
    found = {(c["group"], c["month"], c["rule"]): int(c["findings"]) for c in counts}
    months = sorted({m for _, m in heads} | {m for _, m, _ in found})
    months = [m for m in months if (since is None or m >= since) and (until is None or m <= until)]
    rules = sorted({r for _, _, r in found})
    if rule:
        rules = [rule]
    groups = sorted({g for g, _ in heads} | {g for g, _, _ in found})
    cells = []
    for g in groups:
        for m in months:
            employees = heads.get((g, m))
            for r in rules:
                n = found.get((g, m, r), 0)
                if employees is None and not n:
                    continue
                small = employees is None or employees < MIN_CELL
                cells.append(
                    {
                        "group": g,
                        "month": m,
                        "rule": r,
                        "employees": None if small else employees,
                        "findings": None if small else n,
                        "rate": None if small else round(n / employees, 4),
                        "suppressed": small,
                    }
                )
    return {
        "group": group,
        "months": months,
        "rules": rules,
        "groups": groups,
        "cells": cells,
        "min_employees": MIN_CELL,
    }


def _is_month(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%Y-%m")
    except (ValueError, TypeError):
        return False
    return len(text) == 7
