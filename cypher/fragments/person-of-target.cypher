// fragment person-of-target: the persons the target t resolves to, as p: a person itself, the
// owner of a vehicle, the residents of an address. Binds: t; returns p (one row per person).
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
