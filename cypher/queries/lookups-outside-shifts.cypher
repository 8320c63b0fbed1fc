// name: lookups-outside-shifts
// description: An employee's look-ups outside every shift on their roster (only meaningful for
//   employees with shifts), newest first, with the case cited.
// category: look-ups
// param: employee_id string  the employee
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: limit int (default: 200) (range: 1..100000)  at most this many look-ups
MATCH (e:Employee {employee_id: $employee_id})-[:PERFORMED]->(a:Access)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
  AND EXISTS { MATCH (e)-[:WORKED]->(:Shift) }
  AND NOT EXISTS { MATCH (e)-[:WORKED]->(s:Shift) WHERE s.start_ts <= a.ts < s.end_ts }
OPTIONAL MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
RETURN a.ts AS ts, a.access_id AS access_id, a.system AS system, a.action AS action,
       a.target_type AS target_type, a.target_id AS target_id, c.case_id AS cited_case
ORDER BY ts DESC, access_id
LIMIT $limit
