// Merge Access nodes from access_log rows; $rows: list of maps with access_id, ts, system, target_type, target_id, action, case_id, employee_id.
UNWIND $rows AS r
MERGE (n:Access {access_id: r.access_id})
SET n.ts = r.ts,
    n.system = r.system,
    n.target_type = r.target_type,
    n.target_id = r.target_id,
    n.action = r.action,
    n.case_id = r.case_id,
    n.employee_id = r.employee_id
