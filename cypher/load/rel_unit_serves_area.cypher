// (:Unit)-[:SERVES]->(:Area) from units rows.
// $rows: list of maps with s (the Unit's unit_id), e (the Area's area_id).
// One SERVES per Unit: a relationship to any other Area (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Unit {unit_id: r.s})
OPTIONAL MATCH (a)-[old:SERVES]->(other:Area)
WHERE r.e IS NULL OR other.area_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Area {area_id: r.e})
MERGE (a)-[x:SERVES]->(b)
