// name: organisation-members-looked-up
// description: Look-ups of a criminal organisation's members (directly or through their vehicle or
//   address), with whether the employee has a personal relation path (at most 2 hops) to any member.
// category: network
// param: organisation_id string  the organisation
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: limit int (default: 200) (range: 1..100000)  at most this many look-ups
MATCH (o:Organisation {organisation_id: $organisation_id})<-[mem:MEMBER_OF]-(m:Person)
CALL (m) {
  MATCH (a:Access)-[:TARGETED]->(m)
  RETURN a, 'person' AS via
  UNION
  MATCH (a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(m)
  RETURN a, 'vehicle' AS via
  UNION
  MATCH (a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(m)
  RETURN a, 'address' AS via
}
WITH o, m, mem, a, via
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
MATCH (e:Employee)-[:PERFORMED]->(a)
OPTIONAL MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
RETURN a.ts AS ts, e.employee_id AS employee_id, m.person_id AS member_id, m.name AS member,
       mem.role AS member_role, via, a.system AS system, a.action AS action, c.case_id AS cited_case,
       EXISTS {
         MATCH (e)-[:IS_PERSON]->(:Person)-[:RELATED_TO*1..2]-(:Person)-[:MEMBER_OF]->(o)
       } AS related_to_a_member,
       a.access_id AS access_id
ORDER BY related_to_a_member DESC, ts, access_id
LIMIT $limit
