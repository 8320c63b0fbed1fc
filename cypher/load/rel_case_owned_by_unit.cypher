// (:Case)-[:OWNED_BY]->(:Unit) from cases rows.
// $rows: list of maps with s (the Case's case_id), e (the Unit's unit_id).
// One OWNED_BY per Case: a relationship to any other Unit (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Case {case_id: r.s})
OPTIONAL MATCH (a)-[old:OWNED_BY]->(other:Unit)
WHERE r.e IS NULL OR other.unit_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Unit {unit_id: r.e})
MERGE (a)-[x:OWNED_BY]->(b)
