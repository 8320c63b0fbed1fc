// Merge Action nodes from case_actions rows; $rows: list of maps with action_id, ts, kind.
UNWIND $rows AS r
MERGE (n:Action {action_id: r.action_id})
SET n.ts = r.ts,
    n.kind = r.kind
