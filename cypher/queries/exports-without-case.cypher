// name: exports-without-case
// description: Employees who exported records (printouts, downloads) without citing a case, with
//   counts, the systems used, first and last.
// category: look-ups
// param: since datetime (default: none)  only exports at or after this moment
// param: until datetime (default: none)  only exports before this moment
// param: limit int (default: 50) (range: 1..100000)  at most this many employees
MATCH (e:Employee)-[:PERFORMED]->(a:Access {action: 'export'})
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
  AND NOT (a)-[:JUSTIFIED_BY]->(:Case)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
WITH e, u, count(a) AS exports, collect(DISTINCT a.system) AS systems, min(a.ts) AS first, max(a.ts) AS last
RETURN e.employee_id AS employee_id, e.rank AS rank, u.name AS unit, exports, systems, first, last
ORDER BY exports DESC, employee_id
LIMIT $limit
