// Merge Area nodes from areas rows; $rows: list of maps with area_id, name.
UNWIND $rows AS r
MERGE (n:Area {area_id: r.area_id})
SET n.name = r.name
