// name: most-looked-up-persons
// description: The persons looked up by the most different employees (directly or through their
//   vehicle or address): celebrities, colleagues, subjects of big cases.
// category: look-ups
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: min_employees int (default: 3) (range: 1..100000)  only persons looked up by at least this many employees
// param: limit int (default: 25) (range: 1..100000)  at most this many persons
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
WITH p, count(DISTINCT e) AS employees, count(a) AS lookups
WHERE employees >= $min_employees
RETURN p.person_id AS person_id, p.name AS name, p.flags AS flags, employees, lookups,
       EXISTS { MATCH (p)<-[:IS_PERSON]-(:Employee) } AS is_employee,
       COUNT { MATCH (p)-[:SUBJECT_OF]->(:Case) } AS cases
ORDER BY employees DESC, lookups DESC, person_id
LIMIT $limit
