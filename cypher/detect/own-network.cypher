// own-network: an access to a person (or their vehicle or address) within $max_hops relation hops
// of the employee's own person record, not justified by the access's case.
// The path kept is the shortest, then the one with the smallest person ids, then the smallest kinds.
MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(t)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
CALL (t) {
  WITH t WHERE t:Person
  RETURN t AS p
  UNION
  MATCH (t:Vehicle)-[:REGISTERED_TO]->(p:Person)
  RETURN p
  UNION
  MATCH (t:Address)<-[:LIVES_AT]-(p:Person)
  RETURN p
}
WITH e, a, p
WHERE NOT EXISTS {
  MATCH (a)-[:JUSTIFIED_BY]->(c:Case)<-[asg:ASSIGNED_TO]-(e), (p)-[:SUBJECT_OF]->(c)
  WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)
}
MATCH (e)-[:IS_PERSON]->(o:Person)
WHERE p <> o
MATCH path = (o)-[:RELATED_TO*1..2]-(p)
WHERE length(path) <= $max_hops AND all(n IN nodes(path)[1..-1] WHERE n <> o AND n <> p)
WITH e, a, p, path
ORDER BY length(path), [n IN nodes(path) | n.person_id], [r IN relationships(path) | r.kind]
WITH e, a, p, collect(path)[0] AS best
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, null AS organisation_id,
       null AS action_ts, null AS action_id, 'medium' AS severity, [n IN nodes(best) | n.person_id] AS path_persons,
       [r IN relationships(best) | r.kind] AS path_kinds, null AS detail
