// Every batch record, oldest first.
MATCH (b:LoadBatch)
RETURN b.batch_id AS batch_id, b.source AS source, b.loaded_at AS loaded_at, b.status AS status,
       b.tables AS tables, b.lookup_days AS lookup_days, b.redetect_days AS redetect_days
ORDER BY b.loaded_at, b.batch_id
