// name: flagged-person-lookups
// description: Look-ups of persons flagged vip, protected, informant or undercover (directly or
//   through their vehicle or address) that cite no case with that person as a subject.
// category: look-ups
// param: flag string (default: none)  only this flag (vip, protected, informant, undercover)
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: limit int (default: 200) (range: 1..100000)  at most this many look-ups
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
WHERE p.flags IS NOT NULL
  AND ($flag IS NULL OR $flag IN split(p.flags, ';'))
  AND NOT EXISTS { MATCH (a)-[:JUSTIFIED_BY]->(:Case)<-[:SUBJECT_OF]-(p) }
RETURN a.ts AS ts, e.employee_id AS employee_id, p.person_id AS person_id, p.flags AS flags,
       a.system AS system, a.action AS action, a.target_type AS via, a.access_id AS access_id
ORDER BY ts, access_id
LIMIT $limit
