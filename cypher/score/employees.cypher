// score/employees: every employee with their own person record, unit, rank, role, the area their
// own person record lives in and their last day, if any (scoring input).
MATCH (e:Employee)
OPTIONAL MATCH (e)-[:IS_PERSON]->(p:Person)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
OPTIONAL MATCH (p)-[:LIVES_IN]->(h:Area)
RETURN e.employee_id AS employee_id, p.person_id AS person_id, u.unit_id AS unit_id, e.rank AS rank,
       e.role AS role, h.area_id AS home_area_id, e.end_date AS end_date
ORDER BY employee_id
