// Merge Case nodes from cases rows; $rows: list of maps with case_id, name, status, opened_on, closed_on, sensitivity.
UNWIND $rows AS r
MERGE (n:Case {case_id: r.case_id})
SET n.name = r.name,
    n.status = r.status,
    n.opened_on = r.opened_on,
    n.closed_on = r.closed_on,
    n.sensitivity = r.sensitivity
