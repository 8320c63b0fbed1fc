// purge/employees: delete up to $limit departed employees (end_date a day before $cut_day) who have no
// look-up, shift or case assignment left after the purge, with their relationships (IS_PERSON, WORKS_IN,
// HAS_FINDING). Their own Person node stays. Run until it returns 0. Written so that it counts the same
// before and after the other purge statements ran (purge/count uses the same predicate).
MATCH (e:Employee)
WHERE e.end_date < $cut_day
  AND NOT EXISTS { MATCH (e)-[:PERFORMED]->(a:Access) WHERE NOT a.ts < $cut }
  AND NOT EXISTS { MATCH (e)-[:WORKED]->(s:Shift) WHERE NOT s.end_ts < $cut }
  AND NOT EXISTS { MATCH (e)-[x:ASSIGNED_TO]->(:Case) WHERE x.end_date IS NULL OR NOT x.end_date < $cut_day }
WITH e LIMIT $limit
DETACH DELETE e
RETURN count(*) AS deleted
