// (:Person)-[:LIVES_IN]->(:Area) from persons rows.
// $rows: list of maps with s (the Person's person_id), e (the Area's area_id).
// One LIVES_IN per Person: a relationship to any other Area (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Person {person_id: r.s})
OPTIONAL MATCH (a)-[old:LIVES_IN]->(other:Area)
WHERE r.e IS NULL OR other.area_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Area {area_id: r.e})
MERGE (a)-[x:LIVES_IN]->(b)
