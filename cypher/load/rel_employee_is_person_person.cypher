// (:Employee)-[:IS_PERSON]->(:Person) from employees rows.
// $rows: list of maps with s (the Employee's employee_id), e (the Person's person_id).
// One IS_PERSON per Employee: a relationship to any other Person (or to none, when e is null) is removed.
UNWIND $rows AS r
MATCH (a:Employee {employee_id: r.s})
OPTIONAL MATCH (a)-[old:IS_PERSON]->(other:Person)
WHERE r.e IS NULL OR other.person_id <> r.e
DELETE old
WITH DISTINCT a, r
WHERE r.e IS NOT NULL
MATCH (b:Person {person_id: r.e})
MERGE (a)-[x:IS_PERSON]->(b)
