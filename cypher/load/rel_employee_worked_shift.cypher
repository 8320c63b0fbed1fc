// (:Employee)-[:WORKED]->(:Shift) from shifts rows.
// $rows: list of maps with s (the Employee's employee_id), e (the Shift's shift_id).
UNWIND $rows AS r
MATCH (a:Employee {employee_id: r.s})
MATCH (b:Shift {shift_id: r.e})
MERGE (a)-[x:WORKED]->(b)
