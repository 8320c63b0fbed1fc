// Merge Shift nodes from shifts rows; $rows: list of maps with shift_id, start_ts, end_ts.
UNWIND $rows AS r
MERGE (n:Shift {shift_id: r.shift_id})
SET n.start_ts = r.start_ts,
    n.end_ts = r.end_ts
