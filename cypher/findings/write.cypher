// findings/write: merge stored findings on finding_id (a hash of rule, employee, access, person, case
// and organisation), with the UTC day of their look-up. $rows: maps with the finding columns and day.
UNWIND $rows AS r
MERGE (f:StoredFinding {finding_id: r.finding_id})
SET f.day = r.day, f.rule_id = r.rule_id, f.employee_id = r.employee_id, f.access_ids = r.access_ids,
    f.ts = r.ts, f.target_type = r.target_type, f.target_id = r.target_id, f.person_id = r.person_id,
    f.case_id = r.case_id, f.organisation_id = r.organisation_id, f.severity = r.severity,
    f.evidence = r.evidence, f.detail = r.detail
RETURN count(*) AS written
