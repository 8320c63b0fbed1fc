// (:Person)-[:SUBJECT_OF]->(:Case) from case_subjects rows.
// $rows: list of maps with s (the Person's person_id), e (the Case's case_id), role.
UNWIND $rows AS r
MATCH (a:Person {person_id: r.s})
MATCH (b:Case {case_id: r.e})
MERGE (a)-[x:SUBJECT_OF]->(b)
SET x.role = r.role
