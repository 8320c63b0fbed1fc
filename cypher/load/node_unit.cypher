// Merge Unit nodes from units rows; $rows: list of maps with unit_id, name.
UNWIND $rows AS r
MERGE (n:Unit {unit_id: r.unit_id})
SET n.name = r.name
