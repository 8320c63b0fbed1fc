// findings/read: the stored findings of the days $first to $last (either may be null: open),
// of the rules $rules only (null: every rule) and of the employees $employees only (null: every one).
MATCH (f:StoredFinding)
WHERE ($first IS NULL OR f.day >= $first) AND ($last IS NULL OR f.day <= $last)
  AND ($rules IS NULL OR f.rule_id IN $rules)
  AND ($employees IS NULL OR f.employee_id IN $employees)
RETURN f.finding_id AS finding_id, f.rule_id AS rule_id, f.employee_id AS employee_id,
       f.access_ids AS access_ids, f.ts AS ts, f.target_type AS target_type, f.target_id AS target_id,
       f.person_id AS person_id, f.case_id AS case_id, f.organisation_id AS organisation_id,
       f.severity AS severity, f.evidence AS evidence, f.detail AS detail
