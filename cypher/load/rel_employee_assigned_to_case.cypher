// (:Employee)-[:ASSIGNED_TO]->(:Case) from case_assignments rows.
// $rows: list of maps with s (the Employee's employee_id), e (the Case's case_id), start_date, role, end_date.
UNWIND $rows AS r
MATCH (a:Employee {employee_id: r.s})
MATCH (b:Case {case_id: r.e})
MERGE (a)-[x:ASSIGNED_TO {start_date: r.start_date}]->(b)
SET x.role = r.role,
    x.end_date = r.end_date
