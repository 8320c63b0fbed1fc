// (:Vehicle)-[:REGISTERED_TO]->(:Person) from vehicles rows.
// $rows: list of maps with s (the Vehicle's vehicle_id), e (the Person's person_id).
// One REGISTERED_TO per Vehicle: a relationship to any other Person (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Vehicle {vehicle_id: r.s})
OPTIONAL MATCH (a)-[old:REGISTERED_TO]->(other:Person)
WHERE r.e IS NULL OR other.person_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Person {person_id: r.e})
MERGE (a)-[x:REGISTERED_TO]->(b)
