// (:Access)-[:TARGETED]->(:Address) from access_log rows where target_type = 'address'.
// $rows: list of maps with s (the Access's access_id), e (the Address's address_id).
UNWIND $rows AS r
MATCH (a:Access {access_id: r.s})
MATCH (b:Address {address_id: r.e})
MERGE (a)-[x:TARGETED]->(b)
