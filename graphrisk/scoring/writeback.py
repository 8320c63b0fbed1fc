"""Write-back to Neo4j: scores onto the employee nodes, findings as nodes linked to their accesses.

Everything is merged on ids, so running the same scoring again leaves the same
graph. Only Neo4j has a graph to write to.
"""

from __future__ import annotations

import json

import pandas as pd

from graphrisk.errors import UsageError

__all__ = ["DEFAULT_TOP", "write_back"]

#: Findings are written for the alerted employees and at least this many from the top.
DEFAULT_TOP = 100


def write_back(store, result, rows: pd.DataFrame, *, top: int = DEFAULT_TOP) -> dict[str, int]:
    """Set ``risk_*`` properties on every employee and merge the findings of the top employees.

    Parameters
    ----------
    store : a Neo4j store.
    result : the :class:`~graphrisk.scoring.model.ScoreResult`.
    rows : :func:`graphrisk.scoring.output.score_rows` of it.
    top : findings are written for the ``top`` highest-ranked and every alerted employee.

    Returns
    -------
    dict with ``employees`` and ``findings`` written.

    Raises
    ------
    UsageError
        When ``store`` is not a Neo4j store.
    """
    if store.kind != "neo4j":
        raise UsageError("--write-back writes to Neo4j: give --neo4j-uri (or NEO4J_URI)")
    employees = pd.DataFrame(
        {
            "employee_id": rows["employee_id"],
            "score": rows["score"].astype(float),
            "rank": rows["rank"].astype(int),
            "alert": rows["alert"].astype(bool),
            "risk_units": rows["risk_units"].astype(float),
            "peer_group": rows["peer_group"],
            "parts": rows["parts"],
            "reasons": rows["reasons"].map(json.loads),
            "as_of": pd.to_datetime(rows["as_of"], utc=True),
            "window": rows["window"],
        }
    )
    from graphrisk.privacy.redact import active

    redactor = active()
    if redactor is not None:  # the text analysts read in Neo4j names employees by pseudonym
        for column in ("parts", "reasons"):
            employees[column] = employees[column].map(redactor.value)
    store.write_batches("score/write_employee_scores", employees)
    chosen = set(rows.loc[(rows["rank"] <= top) | rows["alert"].astype(bool), "employee_id"])
    w = result.weights
    w = w[w["employee_id"].isin(chosen)].sort_values("finding_id")
    findings = pd.DataFrame(
        {
            "finding_id": w["finding_id"],
            "employee_id": w["employee_id"],
            "rule_id": w["rule_id"],
            "severity": w["severity"],
            "ts": w["ts"],
            "weight": w["weight"].round(6),
            "target_type": w["target_type"],
            "target_id": w["target_id"],
            "person_id": w.get("person_id"),
            "case_id": w.get("case_id"),
            "organisation_id": w.get("organisation_id"),
            "evidence": w.get("evidence"),
            "detail": w.get("detail"),
            "access_ids": [[a] for a in w["access_id"]],
            "as_of": result.as_of,
        }
    ).drop_duplicates("finding_id")
    if redactor is not None:
        for column in ("evidence", "detail"):
            findings[column] = findings[column].map(lambda v: redactor.value(v) if isinstance(v, str) else v)
    if len(findings):
        store.write("score/finding_constraint")
        store.write_batches("score/write_findings", findings)
    return {"employees": len(employees), "findings": len(findings)}
