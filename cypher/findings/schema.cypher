// findings/schema: stored findings (graphrisk.store.findings_store) are merged on finding_id and read
// and replaced by day; one FindingsState node says what they are.
CREATE CONSTRAINT stored_finding_id IF NOT EXISTS FOR (n:StoredFinding) REQUIRE n.finding_id IS UNIQUE;
CREATE INDEX stored_finding_day IF NOT EXISTS FOR (n:StoredFinding) ON (n.day);
CREATE CONSTRAINT findings_state_id IF NOT EXISTS FOR (n:FindingsState) REQUIRE n.id IS UNIQUE
