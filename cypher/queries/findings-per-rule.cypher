// name: findings-per-rule
// description: Findings written back by graphrisk score --write-back, counted per rule and
//   severity, with the number of employees; empty until findings are written.
// category: findings
// param: severity string (default: none)  only this severity (low, medium, high, critical)
MATCH (f:Finding)
WHERE $severity IS NULL OR f.severity = $severity
OPTIONAL MATCH (f)--(e:Employee)
RETURN f.rule_id AS rule_id, f.severity AS severity, count(DISTINCT f) AS findings,
       count(DISTINCT e) AS employees
ORDER BY rule_id, severity
