// (:Person)-[:MEMBER_OF]->(:Organisation) from memberships rows.
// $rows: list of maps with s (the Person's person_id), e (the Organisation's organisation_id), role, since.
UNWIND $rows AS r
MATCH (a:Person {person_id: r.s})
MATCH (b:Organisation {organisation_id: r.e})
MERGE (a)-[x:MEMBER_OF]->(b)
SET x.role = r.role,
    x.since = r.since
