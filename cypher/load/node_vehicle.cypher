// Merge Vehicle nodes from vehicles rows; $rows: list of maps with vehicle_id.
UNWIND $rows AS r
MERGE (n:Vehicle {vehicle_id: r.vehicle_id})
