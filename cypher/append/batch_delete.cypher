// Remove the record of batch $batch_id (an append that failed and was undone).
MATCH (b:LoadBatch {batch_id: $batch_id})
DELETE b
