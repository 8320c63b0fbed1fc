// (:Access)-[:TARGETED]->(:Person) from access_log rows where target_type = 'person'.
// $rows: list of maps with s (the Access's access_id), e (the Person's person_id).
UNWIND $rows AS r
MATCH (a:Access {access_id: r.s})
MATCH (b:Person {person_id: r.e})
MERGE (a)-[x:TARGETED]->(b)
