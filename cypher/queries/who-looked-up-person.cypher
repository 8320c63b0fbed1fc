// name: who-looked-up-person
// description: Everyone who looked up a person, directly or through their vehicle or address,
//   newest first, and why: the case they cited, whether they were assigned to it that day, whether
//   the person is a subject of it, and whether the person is in their own network.
// category: look-ups
// param: person_id string  the person looked up
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: limit int (default: 100) (range: 1..100000)  at most this many look-ups
MATCH (p:Person {person_id: $person_id})
CALL (p) {
  MATCH (a:Access)-[:TARGETED]->(p)
  RETURN a, 'person' AS via
  UNION
  MATCH (a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p)
  RETURN a, 'vehicle' AS via
  UNION
  MATCH (a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p)
  RETURN a, 'address' AS via
}
WITH p, a, via
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
MATCH (e:Employee)-[:PERFORMED]->(a)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
OPTIONAL MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
RETURN a.ts AS ts, e.employee_id AS employee_id, e.rank AS rank, u.name AS unit, a.system AS system,
       a.action AS action, via, a.target_id AS target_id, c.case_id AS cited_case,
       EXISTS {
         MATCH (e)-[asg:ASSIGNED_TO]->(c)
         WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)
       } AS assigned_that_day,
       EXISTS { MATCH (p)-[:SUBJECT_OF]->(c) } AS person_in_case,
       EXISTS { MATCH (e)-[:IS_PERSON]->(:Person)-[:RELATED_TO]-(p) } AS own_relation,
       a.access_id AS access_id
ORDER BY ts DESC, access_id
LIMIT $limit
