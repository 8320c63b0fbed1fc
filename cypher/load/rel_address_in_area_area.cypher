// (:Address)-[:IN_AREA]->(:Area) from addresses rows.
// $rows: list of maps with s (the Address's address_id), e (the Area's area_id).
// One IN_AREA per Address: a relationship to any other Area (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Address {address_id: r.s})
OPTIONAL MATCH (a)-[old:IN_AREA]->(other:Area)
WHERE r.e IS NULL OR other.area_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Area {area_id: r.e})
MERGE (a)-[x:IN_AREA]->(b)
