// (:Access)-[:JUSTIFIED_BY]->(:Case) from access_log rows.
// $rows: list of maps with s (the Access's access_id), e (the Case's case_id).
// One JUSTIFIED_BY per Access: a relationship to any other Case (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Access {access_id: r.s})
OPTIONAL MATCH (a)-[old:JUSTIFIED_BY]->(other:Case)
WHERE r.e IS NULL OR other.case_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Case {case_id: r.e})
MERGE (a)-[x:JUSTIFIED_BY]->(b)
