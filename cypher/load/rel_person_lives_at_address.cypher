// (:Person)-[:LIVES_AT]->(:Address) from persons rows.
// $rows: list of maps with s (the Person's person_id), e (the Address's address_id).
// One LIVES_AT per Person: a relationship to any other Address (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Person {person_id: r.s})
OPTIONAL MATCH (a)-[old:LIVES_AT]->(other:Address)
WHERE r.e IS NULL OR other.address_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Address {address_id: r.e})
MERGE (a)-[x:LIVES_AT]->(b)
