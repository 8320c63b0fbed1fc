// Mark batch $batch_id as wholly written.
MATCH (b:LoadBatch {batch_id: $batch_id})
SET b.status = 'done'
