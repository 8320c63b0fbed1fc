// Merge Case nodes from cases rows; $rows: list of maps with case_id, name, status, opened_on, closed_on, sensitivity.
UNWIND $rows AS r
MERGE (n:Case {case_id: r.case_id})
SET n.name = r.name
SET n.status = r.status
SET n.opened_on = r.opened_on
SET n.closed_on = r.closed_on
SET n.sensitivity = r.sensitivity
