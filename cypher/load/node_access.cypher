// Merge Access nodes from access_log rows; $rows: list of maps with access_id, ts, system, target_type, target_id, action, case_id, employee_id.
UNWIND $rows AS r
MERGE (n:Access {access_id: r.access_id})
SET n.ts = r.ts
SET n.system = r.system
SET n.target_type = r.target_type
SET n.target_id = r.target_id
SET n.action = r.action
SET n.case_id = r.case_id
SET n.employee_id = r.employee_id
