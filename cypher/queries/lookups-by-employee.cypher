// name: lookups-by-employee
// description: An employee's look-ups, newest first: what was looked up (with the person a vehicle
//   or address belongs to), in which system, the case cited, and whether they were assigned to it.
// category: look-ups
// param: employee_id string  the employee
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: limit int (default: 200) (range: 1..100000)  at most this many look-ups
MATCH (e:Employee {employee_id: $employee_id})-[:PERFORMED]->(a:Access)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
WITH e, a
ORDER BY a.ts DESC, a.access_id
LIMIT $limit
OPTIONAL MATCH (a)-[:TARGETED]->(t)
OPTIONAL MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
CALL (t) {
  OPTIONAL MATCH (t:Vehicle)-[:REGISTERED_TO]->(owner:Person)
  OPTIONAL MATCH (t:Address)<-[:LIVES_AT]-(resident:Person)
  RETURN coalesce(t.name, owner.name, resident.name) AS target_name
  LIMIT 1
}
RETURN a.ts AS ts, a.access_id AS access_id, a.system AS system, a.action AS action,
       a.target_type AS target_type, a.target_id AS target_id, target_name, c.case_id AS cited_case,
       EXISTS {
         MATCH (e)-[asg:ASSIGNED_TO]->(c)
         WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)
       } AS assigned_that_day
ORDER BY ts DESC, access_id
