// (:Person)-[:RELATED_TO]->(:Person) from relations rows.
// $rows: list of maps with s (the Person's person_id), e (the Person's person_id), kind, source, since.
UNWIND $rows AS r
MATCH (a:Person {person_id: r.s})
MATCH (b:Person {person_id: r.e})
MERGE (a)-[x:RELATED_TO {kind: r.kind}]->(b)
SET x.source = r.source,
    x.since = r.since
