// The record of batch $batch_id, if loaded before (graphrisk.store.neo4j_append).
MATCH (b:LoadBatch {batch_id: $batch_id})
RETURN b.batch_id AS batch_id, b.status AS status, b.lookup_days AS lookup_days,
       b.redetect_days AS redetect_days
