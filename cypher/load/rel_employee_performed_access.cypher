// (:Employee)-[:PERFORMED]->(:Access) from access_log rows.
// $rows: list of maps with s (the Employee's employee_id), e (the Access's access_id).
UNWIND $rows AS r
MATCH (a:Employee {employee_id: r.s})
MATCH (b:Access {access_id: r.e})
MERGE (a)-[x:PERFORMED]->(b)
