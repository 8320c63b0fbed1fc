// score/areas: every area with its parent (scoring input: the depth of a unit's territory).
MATCH (a:Area)
OPTIONAL MATCH (a)-[:PART_OF]->(p:Area)
RETURN a.area_id AS area_id, p.area_id AS parent_area_id
ORDER BY area_id
