// score/employees: every employee with their own person record, unit, rank and role (scoring input).
MATCH (e:Employee)
OPTIONAL MATCH (e)-[:IS_PERSON]->(p:Person)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
RETURN e.employee_id AS employee_id, p.person_id AS person_id, u.unit_id AS unit_id, e.rank AS rank,
       e.role AS role
ORDER BY employee_id
