// Every unit with its name and parent unit (the reports' overview groups employees by top-level unit).
MATCH (u:Unit)
OPTIONAL MATCH (u)-[:PART_OF]->(parent:Unit)
RETURN u.unit_id AS unit_id, u.name AS name, parent.unit_id AS parent_unit_id
ORDER BY unit_id
