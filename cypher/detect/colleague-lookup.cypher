// colleague-lookup: an access to a person who is another employee's own person record, or the
// partner of another employee, not justified by the access's case. Names the smallest colleague id.
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
AND NOT (e)-[:IS_PERSON]->(p)
CALL (e, p) {
  MATCH (c:Employee)-[:IS_PERSON]->(p)
  WHERE c <> e
  RETURN c.employee_id AS colleague_id
  UNION
  MATCH (c:Employee)-[:IS_PERSON]->(x:Person)-[:RELATED_TO {kind: 'partner'}]-(p)
  WHERE c <> e AND x <> p
  RETURN c.employee_id AS colleague_id
}
WITH e, a, p, min(colleague_id) AS colleague_id
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, null AS organisation_id,
       null AS action_ts, null AS action_id, 'medium' AS severity, null AS path_persons, null AS path_kinds,
       'colleague ' + colleague_id AS detail
