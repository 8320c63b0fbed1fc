// criminal-proximity-access: the employee's own person record is within $max_hops relations of a
// member of organisation g, and the access resolves to a member of g or to a subject of a case with
// a suspect who is a member of g; not justified by the access's case. The path kept leads to the
// nearest member, then the smallest member id, then the smallest person ids and kinds. The target's
// link to g is its own membership if it has one, else the case with the smallest id, then its
// suspect (another person: one SUBJECT_OF relationship per person and case) with the smallest id.
// The organisations near each employee are found once per employee (with their paths); only the
// accesses of employees near some organisation, in the window ($since <= ts < $until, both always
// set), are then looked at.
MATCH (e:Employee)-[:IS_PERSON]->(o:Person)
CALL (o) {
  MATCH path = (o)-[:RELATED_TO*1..2]-(m:Person)
  WHERE m <> o AND length(path) <= $max_hops AND all(n IN nodes(path)[1..-1] WHERE n <> o AND n <> m)
  MATCH (m)-[:MEMBER_OF]->(g:Organisation)
  WITH g, m, path
  ORDER BY length(path), m.person_id, [n IN nodes(path) | n.person_id], [r IN relationships(path) | r.kind]
  RETURN g, collect(path)[0] AS best
}
WITH e, o, collect({g: g, best: best}) AS near
MATCH (e)-[:PERFORMED]->(a:Access)-[:TARGETED]->(t)
WHERE a.ts >= $since AND a.ts < $until
{{person-of-target}}
WITH e, o, near, a, p
WHERE p <> o
  AND NOT {{justified-for-person}}
CALL (p) {
  CALL (p) {
    MATCH (p)-[:MEMBER_OF]->(g:Organisation)
    RETURN g, null AS k, null AS s
    UNION
    MATCH (p)-[:SUBJECT_OF]->(k:Case)<-[:SUBJECT_OF {role: 'suspect'}]-(s:Person)-[:MEMBER_OF]->(g:Organisation)
    RETURN g, k, s
  }
  WITH g, k, s
  ORDER BY k IS NOT NULL, k.case_id, s.person_id
  RETURN g, collect([k.case_id, s.person_id])[0] AS link
}
WITH e, a, p, g, link, [n IN near WHERE n.g = g | n.best][0] AS best
WHERE best IS NOT NULL
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, g.organisation_id AS organisation_id,
       link[0] AS link_case_id, link[1] AS link_member_id, null AS action_ts, null AS action_id,
       'high' AS severity, [n IN nodes(best) | n.person_id] AS path_persons,
       [r IN relationships(best) | r.kind] AS path_kinds, null AS detail
