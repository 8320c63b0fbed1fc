// score/units: every unit with the area it serves (scoring input: the unit's level).
MATCH (u:Unit)
OPTIONAL MATCH (u)-[:SERVES]->(a:Area)
RETURN u.unit_id AS unit_id, a.area_id AS area_id
ORDER BY unit_id
