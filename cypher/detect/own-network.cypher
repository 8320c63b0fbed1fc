// own-network: an access to a person (or their vehicle or address) within $max_hops relation hops
// of the employee's own person record, not justified by the access's case.
// The path kept is the shortest, then the one with the smallest person ids, then the smallest kinds.
// Each employee's neighbourhood is expanded once (not once per access); the accesses in the window
// ($since <= ts < $until, both always set) are then found from the persons in it. The window is
// filtered after the subquery on purpose: inside it the planner may answer it from the Access.ts
// index once per (employee, person) row, a full index range per row (seen to hang on a reloaded test
// database); outside it, the accesses are reached from the bound employee and person.
MATCH (e:Employee)-[:IS_PERSON]->(o:Person)
CALL (o) {
  MATCH path = (o)-[:RELATED_TO*1..2]-(p:Person)
  WHERE length(path) <= $max_hops AND p <> o AND all(n IN nodes(path)[1..-1] WHERE n <> o AND n <> p)
  WITH p, path
  ORDER BY length(path), [n IN nodes(path) | n.person_id], [r IN relationships(path) | r.kind]
  RETURN p, collect(path)[0] AS best
}
CALL (e, p) {
  MATCH (e)-[:PERFORMED]->(a:Access)-[:TARGETED]->(p)
  RETURN a
  UNION
  MATCH (e)-[:PERFORMED]->(a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p)
  RETURN a
  UNION
  MATCH (e)-[:PERFORMED]->(a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p)
  RETURN a
}
WITH e, a, p, best
WHERE a.ts >= $since AND a.ts < $until
  AND NOT {{justified-for-person}}
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id, 'medium' AS severity, [n IN nodes(best) | n.person_id] AS path_persons,
       [r IN relationships(best) | r.kind] AS path_kinds, null AS detail
