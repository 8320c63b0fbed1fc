// Merge Person nodes from persons rows; $rows: list of maps with person_id, name, birth_date, flags.
UNWIND $rows AS r
MERGE (n:Person {person_id: r.person_id})
SET n.name = r.name,
    n.birth_date = r.birth_date,
    n.flags = r.flags
