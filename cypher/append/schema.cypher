// The batch record of `load --append` (graphrisk.store.neo4j_append): one LoadBatch node per batch id.
CREATE CONSTRAINT load_batch_id IF NOT EXISTS FOR (n:LoadBatch) REQUIRE n.batch_id IS UNIQUE
