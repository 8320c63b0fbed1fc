// name: top-scorers-in-unit
// description: The employees of a unit (and every unit below it) with the highest risk score, as
//   written back by graphrisk score --write-back; empty until scores are written.
// category: scores
// param: unit_id string  the unit
// param: limit int (default: 25) (range: 1..100000)  at most this many employees
MATCH (:Unit {unit_id: $unit_id})<-[:PART_OF*0..]-(u:Unit)<-[:WORKS_IN]-(e:Employee)
WHERE e.risk_score IS NOT NULL
RETURN e.employee_id AS employee_id, e.rank AS rank, e.role AS role, u.unit_id AS unit_id, u.name AS unit,
       e.risk_score AS risk_score,
       COUNT { MATCH (e)--(:Finding) } AS findings
ORDER BY risk_score DESC, employee_id
LIMIT $limit
