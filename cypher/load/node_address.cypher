// Merge Address nodes from addresses rows; $rows: list of maps with address_id.
UNWIND $rows AS r
MERGE (n:Address {address_id: r.address_id})
