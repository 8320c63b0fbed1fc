// (:Vehicle)-[:REGISTERED_IN]->(:Area) from vehicles rows.
// $rows: list of maps with s (the Vehicle's vehicle_id), e (the Area's area_id).
// One REGISTERED_IN per Vehicle: a relationship to any other Area (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Vehicle {vehicle_id: r.s})
OPTIONAL MATCH (a)-[old:REGISTERED_IN]->(other:Area)
WHERE r.e IS NULL OR other.area_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Area {area_id: r.e})
MERGE (a)-[x:REGISTERED_IN]->(b)
