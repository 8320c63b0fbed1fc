// (:Unit)-[:PART_OF]->(:Unit) from units rows.
// $rows: list of maps with s (the Unit's unit_id), e (the Unit's unit_id).
// One PART_OF per Unit: a relationship to any other Unit (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Unit {unit_id: r.s})
OPTIONAL MATCH (a)-[old:PART_OF]->(other:Unit)
WHERE r.e IS NULL OR other.unit_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Unit {unit_id: r.e})
MERGE (a)-[x:PART_OF]->(b)
