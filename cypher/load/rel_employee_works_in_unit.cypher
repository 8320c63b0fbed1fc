// (:Employee)-[:WORKS_IN]->(:Unit) from employees rows.
// $rows: list of maps with s (the Employee's employee_id), e (the Unit's unit_id).
// One WORKS_IN per Employee: a relationship to any other Unit (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Employee {employee_id: r.s})
OPTIONAL MATCH (a)-[old:WORKS_IN]->(other:Unit)
WHERE r.e IS NULL OR other.unit_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Unit {unit_id: r.e})
MERGE (a)-[x:WORKS_IN]->(b)
