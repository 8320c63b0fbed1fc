// (:Access)-[:TARGETED]->(:Vehicle) from access_log rows where target_type = 'vehicle'.
// $rows: list of maps with s (the Access's access_id), e (the Vehicle's vehicle_id).
UNWIND $rows AS r
MATCH (a:Access {access_id: r.s})
MATCH (b:Vehicle {vehicle_id: r.e})
MERGE (a)-[x:TARGETED]->(b)
