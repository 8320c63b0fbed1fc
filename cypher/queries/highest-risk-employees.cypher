// name: highest-risk-employees
// description: The highest risk scores in the whole organisation, with unit and number of findings;
//   empty until graphrisk score --write-back has run.
// category: scores
// param: min_score float (default: none)  only scores at or above this
// param: limit int (default: 25) (range: 1..100000)  at most this many employees
MATCH (e:Employee)
WHERE e.risk_score IS NOT NULL AND ($min_score IS NULL OR e.risk_score >= $min_score)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
RETURN e.employee_id AS employee_id, e.rank AS rank, e.role AS role, u.name AS unit, e.risk_score AS risk_score,
       COUNT { MATCH (e)--(:Finding) } AS findings
ORDER BY risk_score DESC, employee_id
LIMIT $limit
