// (:Access)-[:TARGETED]->(:Case) from access_log rows where target_type = 'case'.
// $rows: list of maps with s (the Access's access_id), e (the Case's case_id).
UNWIND $rows AS r
MATCH (a:Access {access_id: r.s})
MATCH (b:Case {case_id: r.e})
MERGE (a)-[x:TARGETED]->(b)
