// criminal-proximity-access: the employee's own person record is within $max_hops relations of a
// member of organisation g, and the access resolves to a member of g or to a subject of a case with
// a suspect who is a member of g; not justified by the access's case. The path kept leads to the
// nearest member, then the smallest member id, then the smallest person ids and kinds.
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
CALL (p) {
  MATCH (p)-[:MEMBER_OF]->(g:Organisation)
  RETURN g
  UNION
  MATCH (p)-[:SUBJECT_OF]->(:Case)<-[:SUBJECT_OF {role: 'suspect'}]-(:Person)-[:MEMBER_OF]->(g:Organisation)
  RETURN g
}
CALL (o, g) {
  MATCH (m:Person)-[:MEMBER_OF]->(g)
  MATCH path = (o)-[:RELATED_TO*1..2]-(m)
  WHERE m <> o AND length(path) <= $max_hops AND all(n IN nodes(path)[1..-1] WHERE n <> o AND n <> m)
  RETURN path AS best
  ORDER BY length(path), m.person_id, [n IN nodes(path) | n.person_id], [r IN relationships(path) | r.kind]
  LIMIT 1
}
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, g.organisation_id AS organisation_id,
       null AS action_ts, null AS action_id, 'high' AS severity, [n IN nodes(best) | n.person_id] AS path_persons,
       [r IN relationships(best) | r.kind] AS path_kinds, null AS detail
