// Every employee with rank, role and unit (the reports' overview).
MATCH (e:Employee)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
RETURN e.employee_id AS employee_id, e.rank AS rank, e.role AS role, u.unit_id AS unit_id
ORDER BY employee_id
