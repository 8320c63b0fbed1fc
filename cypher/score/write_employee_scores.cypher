// score/write_employee_scores: set each employee's risk score, rank, alert, parts and reasons.
// $rows: list of maps with employee_id, score, rank, alert, risk_units, peer_group, parts (JSON text),
// reasons (list of text), as_of (datetime), window (text). Re-running with the same rows changes nothing.
UNWIND $rows AS r
MATCH (e:Employee {employee_id: r.employee_id})
SET e.risk_score = r.score, e.risk_rank = r.rank, e.risk_alert = r.alert, e.risk_units = r.risk_units,
    e.risk_peer_group = r.peer_group, e.risk_parts = r.parts, e.risk_reasons = r.reasons,
    e.risk_as_of = r.as_of, e.risk_window = r.window
RETURN count(e) AS written
