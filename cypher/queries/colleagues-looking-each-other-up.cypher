// name: colleagues-looking-each-other-up
// description: Employees who looked up a colleague (the colleague's own person record, vehicle or
//   address), per pair, with counts, first and last, and whether the look-ups went both ways.
// category: look-ups
// param: unit_id string (default: none)  only employees of this unit or a unit below it
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
// param: limit int (default: 100) (range: 1..100000)  at most this many pairs
MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(t)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
  AND ($unit_id IS NULL OR EXISTS {
    MATCH (e)-[:WORKS_IN]->(:Unit)-[:PART_OF*0..]->(:Unit {unit_id: $unit_id})
  })
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
MATCH (c:Employee)-[:IS_PERSON]->(p)
WHERE c <> e
WITH e, c, count(a) AS lookups, min(a.ts) AS first, max(a.ts) AS last
RETURN e.employee_id AS employee_id, c.employee_id AS colleague_id, lookups, first, last,
       EXISTS {
         MATCH (c)-[:PERFORMED]->(:Access)-[:TARGETED]->(t2)
         WHERE (t2:Person AND (e)-[:IS_PERSON]->(t2))
            OR (t2:Vehicle AND (t2)-[:REGISTERED_TO]->(:Person)<-[:IS_PERSON]-(e))
            OR (t2:Address AND (t2)<-[:LIVES_AT]-(:Person)<-[:IS_PERSON]-(e))
       } AS mutual,
       EXISTS { MATCH (e)-[:WORKS_IN]->(:Unit)<-[:WORKS_IN]-(c) } AS same_unit
ORDER BY lookups DESC, employee_id, colleague_id
LIMIT $limit
