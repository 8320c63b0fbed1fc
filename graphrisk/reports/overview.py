"""The overview report: the whole organisation on one self-contained HTML page.

The distribution of scores, the top scorers overall and per top-level unit (eenheid), and the
findings per rule over time. Without scores it ranks by findings (the most severe first, then the
number) and says so. Works on both stores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graphrisk.analyst.source import GraphSource, source_for
from graphrisk.reports.html import esc, fill, page, template
from graphrisk.reports.scores import ScoreTable
from graphrisk.rules import RULES, SEVERITIES

__all__ = ["Overview", "build_overview", "employee_table"]

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
PER_UNIT = 3


@dataclass
class Overview:
    html: str
    employees: int
    findings: int
    scored: bool
    shown: list[str]  #: the employees the page names (the top list and each unit's best), for the audit log


def build_overview(
    store,
    *,
    top: int = 20,
    findings: pd.DataFrame | None = None,
    scores: ScoreTable | None = None,
    source: GraphSource | None = None,
) -> Overview:
    """The overview page of ``store``: ``top`` employees overall, the best per unit, findings over time."""
    source = source or source_for(store)
    if findings is None:
        from graphrisk.rules import detect

        findings = detect(store).findings
    findings = findings.copy()
    findings["ts"] = pd.to_datetime(findings["ts"], utc=True)
    table = employee_table(source, findings, scores)
    ranked = table.sort_values(
        ["score", "max_severity", "findings", "employee_id"] if scores is not None
        else ["max_severity", "findings", "employee_id"],
        ascending=[False, False, False, True] if scores is not None else [False, False, True],
        kind="stable",
    )  # fmt: skip
    how = (
        f"ranked by score ({scores.source})"
        if scores is not None
        else "no scores given: ranked by the most severe finding, then the number of findings "
        "(pass --scores FILE for the risk score)"
    )
    body = fill(
        template("overview.html"),
        sub=esc(
            f"{len(table):,} employees · {len(findings):,} findings · "
            f"{int((table['findings'] > 0).sum()):,} employees with findings"
        ),
        how=esc(how),
        top_n=str(top),
        top_rows=_rows(ranked.head(top), scores is not None),
        unit_rows=_unit_rows(ranked, scores is not None),
        rule_rows=_rule_rows(findings),
    )
    data = {
        "histogram": _histogram(table, scores is not None),
        "rules_over_time": _rules_over_time(findings),
    }
    html = page(
        "graphrisk overview", body, data=data, scripts=("chart.umd.min.js", "charts.js", "overview.js"),
        source=f"{store.kind} store at {store.describe()}",
    )  # fmt: skip
    shown = set(ranked.head(top)["employee_id"])
    for _, group in ranked.groupby("top_unit", sort=True):
        shown |= {r.employee_id for r in group.head(PER_UNIT).itertuples() if _listed(r, scores is not None)}
    return Overview(html, len(table), len(findings), scores is not None, sorted(shown))


def _listed(r, scored: bool) -> bool:
    """Whether a unit's row names the employee: one with a finding, or a score when scored."""
    return bool(r.findings) or (scored and np.isfinite(r.score))


def employee_table(source: GraphSource, findings: pd.DataFrame, scores: ScoreTable | None) -> pd.DataFrame:
    """One row per employee: rank, role, unit and top-level unit names, findings per severity, score."""
    employees = source.employees()
    units = source.units().set_index("unit_id")
    names = units["name"].to_dict()
    parent = units["parent_unit_id"].to_dict()

    def root(unit_id):
        seen = set()
        while parent.get(unit_id) and unit_id not in seen:
            seen.add(unit_id)
            unit_id = parent[unit_id]
        return unit_id

    out = employees.copy()
    out["unit"] = out["unit_id"].map(lambda u: names.get(u, u))
    out["top_unit"] = out["unit_id"].map(lambda u: names.get(root(u), root(u)) if u else None)
    counts = findings.groupby(["employee_id", "severity"]).size().unstack(fill_value=0)
    for s in SEVERITIES:
        out[s] = out["employee_id"].map(counts.get(s, {})).fillna(0).astype(int)
    out["findings"] = out[list(SEVERITIES)].sum(axis=1)
    out["max_severity"] = np.select([out[s] > 0 for s in reversed(SEVERITIES)],
                                    [SEVERITY_RANK[s] for s in reversed(SEVERITIES)], -1)  # fmt: skip
    rules = findings.groupby("employee_id")["rule_id"].agg(lambda r: ", ".join(r.value_counts().index[:3]))
    out["top_rules"] = out["employee_id"].map(rules).fillna("")
    if scores is not None:
        by_id = scores.frame.set_index("employee_id")["score"]
        out["score"] = out["employee_id"].map(by_id).astype(float).fillna(-np.inf)
    return out


def _rows(frame: pd.DataFrame, scored: bool) -> str:
    rows = []
    for i, r in enumerate(frame.itertuples(), start=1):
        score = f"{r.score:.1f}" if scored and np.isfinite(r.score) else "–"
        sev = " ".join(
            f'<span class="sev sev-{s}">{getattr(r, s)}</span>' for s in reversed(SEVERITIES) if getattr(r, s)
        )
        rows.append(
            f'<tr><td class="num">{i}</td><td>{esc(r.employee_id)}</td><td>{esc(r.rank)}</td>'
            f"<td>{esc(r.role)}</td><td>{esc(r.unit)}</td><td class='num'>{score}</td>"
            f"<td class='num'>{r.findings:,}</td><td>{sev}</td><td>{esc(r.top_rules)}</td>"
            f"<td class='chain'>graphrisk report {esc(r.employee_id)} --out {esc(r.employee_id)}.html"
            "</td></tr>"
        )
    return "\n".join(rows) or '<tr><td colspan="10" class="muted">no employees</td></tr>'


def _unit_rows(ranked: pd.DataFrame, scored: bool) -> str:
    rows = []
    for unit, group in ranked.groupby("top_unit", sort=True):
        best = []
        for r in group.head(PER_UNIT).itertuples():
            if not _listed(r, scored):
                continue
            value = f"{r.score:.1f}" if scored and np.isfinite(r.score) else f"{r.findings} findings"
            best.append(f"{esc(r.employee_id)} ({esc(value)})")
        rows.append(
            f"<tr><td>{esc(unit)}</td><td class='num'>{len(group):,}</td>"
            f"<td class='num'>{int((group['findings'] > 0).sum()):,}</td>"
            f"<td class='num'>{int(group['findings'].sum()):,}</td><td>{', '.join(best) or '–'}</td></tr>"
        )
    return "\n".join(rows)


def _rule_rows(findings: pd.DataFrame) -> str:
    rows = []
    for rule_id, group in findings.groupby("rule_id", sort=True):
        title = RULES[rule_id].title if rule_id in RULES else rule_id
        sev = _severity_badges(group["severity"])
        rows.append(
            f"<tr><td>{esc(rule_id)}</td><td>{esc(title)}</td><td class='num'>{len(group):,}</td>"
            f"<td class='num'>{group['employee_id'].nunique():,}</td><td>{sev}</td></tr>"
        )
    return "\n".join(rows) or '<tr><td colspan="5" class="muted">no findings</td></tr>'


def _severity_badges(severities: pd.Series) -> str:
    counts = severities.value_counts()
    return " ".join(
        f'<span class="sev sev-{s}">{int(counts[s])} {s}</span>' for s in reversed(SEVERITIES) if s in counts
    )


def _histogram(table: pd.DataFrame, scored: bool) -> dict:
    if scored:
        values = table["score"][np.isfinite(table["score"])].to_numpy()
        title = "Risk scores (employees per score band)"
    else:
        values = table["findings"].to_numpy()
        title = "Findings per employee (employees per band; no scores given)"
    if len(values) == 0:
        return {"title": title, "labels": [], "counts": []}
    low, high = float(values.min()), float(values.max())
    bins = 20 if high > low else 1
    counts, edges = np.histogram(values, bins=bins, range=(low, high if high > low else low + 1))
    labels = [f"{edges[i]:.0f}–{edges[i + 1]:.0f}" for i in range(len(counts))]
    return {"title": title, "labels": labels, "counts": [int(c) for c in counts]}


def _rules_over_time(findings: pd.DataFrame) -> dict:
    if findings.empty:
        return {"days": [], "series": []}
    day = findings["ts"].dt.strftime("%Y-%m-%d")
    counts = pd.crosstab(day, findings["rule_id"])
    return {
        "days": list(counts.index),
        "series": [{"label": rule, "data": [int(v) for v in counts[rule]]} for rule in counts.columns],
    }
