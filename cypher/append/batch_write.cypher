// Write (or rewrite) the record of batch $batch_id with status $status before its rows are written.
MERGE (b:LoadBatch {batch_id: $batch_id})
SET b.source = $source,
    b.loaded_at = $loaded_at,
    b.status = $status,
    b.tables = $tables,
    b.lookup_days = $lookup_days,
    b.redetect_days = $redetect_days
