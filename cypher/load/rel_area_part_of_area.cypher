// (:Area)-[:PART_OF]->(:Area) from areas rows.
// $rows: list of maps with s (the Area's area_id), e (the Area's area_id).
// One PART_OF per Area: a relationship to any other Area (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Area {area_id: r.s})
OPTIONAL MATCH (a)-[old:PART_OF]->(other:Area)
WHERE r.e IS NULL OR other.area_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Area {area_id: r.e})
MERGE (a)-[x:PART_OF]->(b)
