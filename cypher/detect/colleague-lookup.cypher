// colleague-lookup: an access to a person who is another employee's own person record, or the
// partner of another employee, not justified by the access's case. Names the smallest colleague id.
// Starts from the few persons who are colleagues or their partners, then finds the accesses in the
// window ($since <= ts < $until, both always set) that resolve to them.
CALL () {
  MATCH (c:Employee)-[:IS_PERSON]->(p:Person)
  RETURN p, c
  UNION
  MATCH (c:Employee)-[:IS_PERSON]->(x:Person)-[:RELATED_TO {kind: 'partner'}]-(p:Person)
  WHERE x <> p
  RETURN p, c
}
WITH p, c
ORDER BY c.employee_id
WITH p, collect(c) AS colleagues
CALL (p) {
  MATCH (a:Access)-[:TARGETED]->(p)
  WHERE a.ts >= $since AND a.ts < $until
  RETURN a
  UNION
  MATCH (a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p)
  WHERE a.ts >= $since AND a.ts < $until
  RETURN a
  UNION
  MATCH (a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p)
  WHERE a.ts >= $since AND a.ts < $until
  RETURN a
}
MATCH (e:Employee)-[:PERFORMED]->(a)
WITH e, a, p, [c IN colleagues WHERE c <> e][0] AS colleague
WHERE colleague IS NOT NULL
  AND NOT (e)-[:IS_PERSON]->(p)
  AND NOT {{justified-for-person}}
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id, 'medium' AS severity, null AS path_persons, null AS path_kinds,
       'colleague ' + colleague.employee_id AS detail
