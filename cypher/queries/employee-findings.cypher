// name: employee-findings
// description: All findings of an employee written back by graphrisk score --write-back, oldest
//   first, with the access they point at; empty until findings are written.
// category: findings
// param: employee_id string  the employee
// param: rule_id string (default: none)  only findings of this rule
MATCH (e:Employee {employee_id: $employee_id})--(f:Finding)
WHERE $rule_id IS NULL OR f.rule_id = $rule_id
OPTIONAL MATCH (f)--(a:Access)
WITH f, collect(DISTINCT a) AS accesses
RETURN f.finding_id AS finding_id, f.rule_id AS rule_id, f.severity AS severity,
       head(accesses).ts AS ts, [a IN accesses | a.access_id] AS access_ids,
       head(accesses).target_type AS target_type, head(accesses).target_id AS target_id,
       properties(f) AS details
ORDER BY ts, finding_id
