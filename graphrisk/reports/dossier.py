"""The employee dossier: one self-contained HTML page for the supervisor or the liaison.

It shows, for one employee: who they are (rank, role, unit, cases), the risk score and its parts
(when a score is available; the rest of the page does not need one), the findings as a timeline,
their look-up activity per day, the evidence table (one row per finding, with its evidence path),
and an interactive network of the relevant neighbourhood: their own person record and personal
network (two relation hops, capped), unit and cases, and the nodes of their findings, with
findings outlined in red. Clicking a finding in the table highlights its path in the network.

Works on both stores: the network comes from :mod:`graphrisk.analyst`, findings from
:func:`graphrisk.rules.detect` (or a findings file).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from graphrisk.analyst.explore import DEFAULT_TYPES, combine, display_name, neighbourhood
from graphrisk.analyst.source import GraphSource, node_id, source_for, split_id
from graphrisk.reports.graph_page import GRAPH_SCRIPTS, cytoscape_elements, graph_section
from graphrisk.reports.html import esc, fill, page, template
from graphrisk.reports.scores import ScoreTable
from graphrisk.rules import RULES, SEVERITIES
from graphrisk.scoring.explain import evidence_lines

__all__ = [
    "Dossier",
    "Network",
    "build_dossier",
    "dossier_network",
    "employee_findings",
    "evidence_nodes",
    "evidence_text",
]

#: The network shows the evidence of at most this many findings (the most severe, then newest).
GRAPH_FINDINGS = 40
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass
class Dossier:
    """A built dossier: the page and what it holds (for messages and tests)."""

    employee_id: str
    html: str
    nodes: int  #: nodes in the network
    findings: int
    findings_in_graph: int
    score: dict | None


def build_dossier(
    store,
    employee: str,
    *,
    findings: pd.DataFrame | None = None,
    scores: ScoreTable | None = None,
    graph_findings: int = GRAPH_FINDINGS,
    source: GraphSource | None = None,
) -> Dossier:
    """The dossier of ``employee`` (an employee id) on ``store``.

    ``findings`` are all findings (of anyone; the employee's are picked out), by default those of
    :func:`graphrisk.rules.detect`; ``scores`` the score table, or None for a page without a score.
    """
    source = source or source_for(store)
    nid = source.resolve(employee, labels=["Employee"])
    key = split_id(nid)[1]
    props = source.nodes([nid])[nid]
    around = source.expand([nid], ("IS_PERSON", "WORKS_IN", "ASSIGNED_TO", "PERFORMED"), None)
    by_type: dict[str, list] = {}
    for nb in around.neighbours:
        by_type.setdefault(nb.type, []).append(nb)
    persons = [nb.node for nb in by_type.get("IS_PERSON", [])]
    units = [nb.node for nb in by_type.get("WORKS_IN", [])]
    cases = by_type.get("ASSIGNED_TO", [])
    accesses = {nb.node: around.props[nb.node] for nb in by_type.get("PERFORMED", [])}

    mine = employee_findings(store, key, findings)
    net = dossier_network(source, nid, mine, [*persons, *units, *(c.node for c in cases)], graph_findings)
    graph, shown_ids, evidence = net.graph, net.shown, net.evidence
    highlight, pairs = net.highlight, net.pairs

    score = scores.of(key) if scores is not None else None
    person_props = source.nodes(persons)
    unit_props = source.nodes(units)
    title = f"Dossier {key}"
    body = fill(
        template("dossier.html"),
        title=esc(title),
        sub=esc(_subtitle(props, person_props, unit_props)),
        facts=_facts(key, props, person_props, unit_props, cases, around.props, len(accesses)),
        score=_score_html(score, scores),
        explanation=_explanation_html(score.get("explanation") or [] if score else []),
        summary=_summary_html(mine),
        evidence=_evidence_rows(mine, evidence, set(shown_ids), graph),
        graph=graph_section("network", "Network", _graph_notes(graph, mine, shown_ids)),
        rules=_rules_html(mine),
    )
    data = {
        "employee": nid,
        "elements": cytoscape_elements(graph, highlight=highlight),
        "finding_pairs": [list(p) for p in pairs],
        "findings": {fid: [n for n in evidence[fid] if n in graph] for fid in shown_ids},
        "timeline": _timeline(mine),
        "activity": _activity(accesses, mine),
        "score": score,
        "severities": list(SEVERITIES),
    }
    html = page(
        title, body, data=data, scripts=(*GRAPH_SCRIPTS, "chart.umd.min.js", "charts.js", "dossier.js"),
        source=f"{store.kind} store at {store.describe()}",
    )  # fmt: skip
    return Dossier(key, html, graph.number_of_nodes(), len(mine), len(shown_ids), score)


@dataclass
class Network:
    """A dossier's network and which findings' evidence it draws."""

    graph: nx.MultiDiGraph
    shown: list[str]  #: the findings whose evidence is drawn (the most severe, then newest)
    evidence: dict[str, list[str]]  #: finding id -> the node ids of its evidence path
    highlight: set[str]  #: nodes on a drawn finding's evidence path
    pairs: list[tuple[str, str]]  #: consecutive nodes of drawn evidence paths


def dossier_network(
    source: GraphSource, nid: str, mine: pd.DataFrame, around: list[str], graph_findings: int = GRAPH_FINDINGS
) -> Network:
    """The network of a dossier: the employee ``nid``, the nodes ``around`` them (own person
    records, units, cases), their persons' personal networks (two relation hops, capped) and the
    evidence of the most severe of their findings ``mine`` (of :func:`employee_findings`).

    The HTML dossier and the browser workspace (graphrisk serve) draw the same network.
    """
    order = mine.assign(_sev=mine["severity"].map(SEVERITY_RANK)).sort_values(
        ["_sev", "ts", "finding_id"], ascending=[False, False, True], kind="stable"
    )
    shown_ids = list(order["finding_id"].head(graph_findings))
    evidence = _resolve_actions(source, {r.finding_id: evidence_nodes(r) for r in mine.itertuples()})
    extra = [nid, *around]
    for fid in shown_ids:
        extra += evidence[fid]
    persons = [n for n in around if split_id(n)[0] == "Person"]
    views = [
        neighbourhood(source, p, hops=2, types=("RELATED_TO", "MEMBER_OF"), per_group=6, max_nodes=25)
        for p in persons
    ]
    graph = combine(source, nid, views, extra, DEFAULT_TYPES)
    highlight = {n for fid in shown_ids for n in evidence[fid] if n in graph}
    pairs = sorted(
        {tuple(p) for fid in shown_ids for p in zip(evidence[fid], evidence[fid][1:], strict=False)}
    )
    return Network(graph, shown_ids, evidence, highlight, pairs)


def employee_findings(store, employee_id: str, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The findings of one employee, oldest first (running detection when none are given)."""
    if findings is None:
        from graphrisk.rules import detect

        findings = detect(store).findings
    mine = findings[findings["employee_id"].astype(str) == employee_id].copy()
    mine["ts"] = pd.to_datetime(mine["ts"], utc=True)
    return mine.sort_values(["ts", "finding_id"], kind="stable").reset_index(drop=True)


def evidence_nodes(finding) -> list[str]:
    """The node ids along a finding's evidence path, in order.

    A planned action is named by its node key (``CASE|TIME|KIND``), like every other node.

    >>> row = pd.Series({"case_id": "C1", "evidence": json.dumps([["Employee", "E1"], "PERFORMED",
    ...     ["Access", "X1"], "TARGETED", ["Case", "C1"], "PLANS",
    ...     ["Action", "C1|2026-03-06T04:00:00+0000|raid"]])})
    >>> evidence_nodes(row)
    ['Employee:E1', 'Access:X1', 'Case:C1', 'Action:C1|2026-03-06T04:00:00+0000|raid']
    """
    steps = json.loads(finding.evidence) if isinstance(finding.evidence, str) else finding.evidence
    out = [node_id(step[0], str(step[1])) for step in steps if isinstance(step, list)]
    return list(dict.fromkeys(out))


def evidence_text(finding, graph: nx.MultiDiGraph | None = None) -> str:
    """A finding's evidence path as one line: nodes (named where the graph knows them) and relationships.

    >>> row = pd.Series({"evidence": json.dumps([["Employee", "E1"], "PERFORMED", ["Access", "X1"]])})
    >>> evidence_text(row)
    'Employee E1 —PERFORMED→ Access X1'
    """
    steps = json.loads(finding.evidence) if isinstance(finding.evidence, str) else finding.evidence
    parts = []
    for step in steps:
        if isinstance(step, list):
            label, key = step
            nid = node_id(label, str(key))
            name = graph.nodes[nid]["label"] if graph is not None and nid in graph else str(key)
            parts.append(f"{label} {name}")
        elif step.endswith("<-") or step.startswith("<-"):
            parts.append(f"←{step.strip('<-')}—")
        else:
            parts.append(f"—{step}→")
    return " ".join(parts)


def _resolve_actions(source: GraphSource, evidence: dict[str, list[str]]) -> dict[str, list[str]]:
    """Replace ``Action:CASE|TIME`` in evidence paths by the id of the case's action at that time."""
    partial = {
        n for nodes in evidence.values() for n in nodes if n.startswith("Action:") and n.count("|") == 1
    }
    if not partial:
        return evidence
    cases = sorted({node_id("Case", split_id(n)[1].split("|")[0]) for n in partial})
    actions = [nb.node for nb in source.expand(cases, ("PLANS",), None).neighbours]
    full = {}
    for n in partial:
        hits = sorted(a for a in actions if a.startswith(n + "|"))
        full[n] = hits[0] if hits else n
    return {fid: [full.get(n, n) for n in nodes] for fid, nodes in evidence.items()}


def _subtitle(props: dict, persons: dict, units: dict) -> str:
    bits = [props.get("rank"), props.get("role")]
    bits += [p.get("name") for p in persons.values()]
    bits += [u.get("name") for u in units.values()]
    return " · ".join(b for b in bits if b)


def _facts(key, props, persons, units, cases, props_of, accesses: int) -> str:
    rows = [("employee", key), ("rank", props.get("rank")), ("role", props.get("role"))]
    rows.append(("in service", f"{props.get('start_date', '?')} – {props.get('end_date', '')}".strip(" –")))
    for pid, p in persons.items():
        rows.append(("own person record", f"{split_id(pid)[1]} {p.get('name', '')}"))
    for uid, u in units.items():
        rows.append(("unit", f"{u.get('name', '')} ({split_id(uid)[1]})"))
    for c in sorted(cases, key=lambda c: c.node):
        for e in c.edges:
            p = e.properties
            when = f"{p.get('start_date', '?')} – {p.get('end_date', 'now')}"
            name = display_name("Case", split_id(c.node)[1], props_of.get(c.node, {}))
            rows.append(("case", f"{name}: {p.get('role') or 'assigned'}, {when}"))
    rows.append(("look-ups in the store", f"{accesses:,}"))
    return "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v)


def _score_html(score: dict | None, scores: ScoreTable | None) -> str:
    if score is None:
        why = (
            "This employee has no row in the scores given."
            if scores is not None
            else "No score was given: run <code>graphrisk score --out scores.csv</code> and pass "
            "<code>--scores scores.csv</code>."
        )
        return (
            f'<p class="notice warn">{why} The findings and the network below do not depend on a score.</p>'
        )
    alert = "" if score["alert"] is None else (" · <b>alert</b>" if score["alert"] else " · no alert")
    parts = "".join(
        f'<tr><td>{esc(k)}</td><td class="num">{v:.2f}</td></tr>'
        for k, v in sorted(score["parts"].items(), key=lambda kv: -abs(kv[1]))
    )
    notes = "".join(f"<p><b>{esc(k)}:</b> {esc(v)}</p>" for k, v in score["notes"].items())
    table = f"<table><tr><th>part</th><th class='num'>points</th></tr>{parts}</table>" if parts else ""
    reasons = score.get("reasons") or []
    items = "".join(f"<li>{esc(r)}</li>" for r in reasons)
    top = f"<p><b>Top reasons</b></p><ul class='reasons'>{items}</ul>" if reasons else ""
    return (
        f'<div class="grid"><div><div class="score">{score["score"]:.1f} '
        f"<small>rank {score['rank']:,} of {score['of']:,}{alert}</small></div>{top}{notes}{table}</div>"
        '<div class="chart"><canvas id="parts-chart"></canvas></div></div>'
    )


def _explanation_html(parts: list[dict]) -> str:
    """The parts of the score as ``graphrisk explain`` shows them: points, the sentence, the evidence."""
    if not parts:
        return ""
    rows = []
    for p in parts:
        evidence = "".join(f"<div><b>{esc(what)}:</b> {esc(text)}</div>" for what, text in evidence_lines(p))
        points = p.get("points")
        rows.append(
            f'<tr><td class="num">{"" if points is None else f"+{float(points):.1f}"}</td>'
            f"<td>{esc(p.get('part', ''))}<br><small class='muted'>{esc(p.get('key', ''))}</small></td>"
            f"<td>{esc(p.get('text', ''))}</td><td class='chain'>{evidence}</td></tr>"
        )
    return (
        "<section><h2>Why: the parts of the score</h2>"
        "<p class='muted'>As <code>graphrisk explain</code> shows them: the points of each part add up "
        "to the score; each says what was compared with the peers and lists the evidence to check.</p>"
        "<table class='explanation'><tr><th class='num'>points</th><th>part</th><th>what was seen</th>"
        "<th>evidence</th></tr>" + "".join(rows) + "</table></section>"
    )


def _summary_html(mine: pd.DataFrame) -> str:
    if mine.empty:
        return "<p>No findings for this employee.</p>"
    sev = Counter(mine["severity"])
    rules = Counter(mine["rule_id"])
    badges = " ".join(
        f'<span class="sev sev-{s}">{sev[s]} {s}</span>' for s in reversed(SEVERITIES) if sev.get(s)
    )
    per_rule = ", ".join(f"{RULES[r].title if r in RULES else r} ({n})" for r, n in rules.most_common())
    first, last = mine["ts"].min(), mine["ts"].max()
    return (
        f"<p><b>{len(mine):,} findings</b> {badges} from {first:%Y-%m-%d} to {last:%Y-%m-%d}, "
        f"on {len({a for ids in mine['access_ids'] for a in ids}):,} look-ups.</p>"
        f"<p class='muted'>{esc(per_rule)}</p>"
    )


def _evidence_rows(mine: pd.DataFrame, evidence: dict, shown: set, graph) -> str:
    if mine.empty:
        return '<tr><td colspan="7" class="muted">no findings</td></tr>'
    rows = []
    for r in mine.itertuples():
        target = node_id({"person": "Person", "vehicle": "Vehicle", "address": "Address", "case": "Case"}
                         [r.target_type], str(r.target_id))  # fmt: skip
        target_name = graph.nodes[target]["label"] if target in graph else str(r.target_id)
        about = ", ".join(str(x) for x in (r.case_id, r.organisation_id) if x is not None and not pd.isna(x))
        attrs = f' class="finding-row" data-finding="{esc(r.finding_id)}"' if r.finding_id in shown else ""
        rows.append(
            f"<tr{attrs}><td>{r.ts:%Y-%m-%d %H:%M}</td><td>{esc(r.rule_id)}</td>"
            f'<td><span class="sev sev-{esc(r.severity)}">{esc(r.severity)}</span></td>'
            f"<td>{esc(r.target_type)} {esc(target_name)}</td><td>{esc(about)}</td>"
            f'<td class="chain">{esc(evidence_text(r, graph))}</td><td>{esc(r.detail)}</td></tr>'
        )
    return "\n".join(rows)


def _graph_notes(graph, mine: pd.DataFrame, shown: list) -> list[str]:
    notes = []
    if len(mine) > len(shown):
        notes.append(
            f"The network shows the evidence of the {len(shown)} most severe (then newest) of "
            f"{len(mine):,} findings; every finding is in the table below."
        )
    collapsed = [d for _, d in graph.nodes(data=True) if d["type"] == "Collapsed"]
    if collapsed:
        hidden = sum(d["count"] for d in collapsed)
        notes.append(f"Large groups in the personal network are collapsed ({hidden:,} persons not drawn).")
    return notes


def _rules_html(mine: pd.DataFrame) -> str:
    out = []
    for rule_id in sorted(set(mine["rule_id"])):
        rule = RULES.get(rule_id)
        if rule is not None:
            out.append(
                f"<dt>{esc(rule.id)}: {esc(rule.title)}</dt><dd>{esc(rule.description)} "
                f"<i>Why it matters:</i> {esc(rule.rationale)}</dd>"
            )
    return "<dl>" + "".join(out) + "</dl>" if out else "<p class='muted'>No rules fired.</p>"


def _timeline(mine: pd.DataFrame) -> list[dict]:
    return [
        {
            "t": int(r.ts.timestamp() * 1000),
            "rule": r.rule_id,
            "severity": r.severity,
            "target": f"{r.target_type} {r.target_id}",
            "finding": r.finding_id,
        }
        for r in mine.itertuples()
    ]


def _activity(accesses: dict[str, dict], mine: pd.DataFrame) -> dict:
    """Look-ups per UTC day, split into those with a finding and the rest."""
    flagged = {a for ids in mine["access_ids"] for a in ids}
    days: dict[str, list[int]] = {}
    for nid, p in accesses.items():
        if "ts" not in p:
            continue
        day = p["ts"][:10]
        counts = days.setdefault(day, [0, 0])
        counts[1 if split_id(nid)[1] in flagged else 0] += 1
    labels = sorted(days)
    return {
        "days": labels,
        "plain": [days[d][0] for d in labels],
        "flagged": [days[d][1] for d in labels],
    }
