// score/write_findings: merge (:Finding) nodes, linked from their employee and to their accesses.
// $rows: list of maps with finding_id, employee_id, rule_id, severity, ts, weight, target_type, target_id,
// person_id, case_id, organisation_id, evidence (JSON text), detail, access_ids (list), as_of.
// MERGE on finding_id (a hash of rule, employee, access, person, case, organisation): re-runs add nothing.
UNWIND $rows AS r
MATCH (e:Employee {employee_id: r.employee_id})
MERGE (f:Finding {finding_id: r.finding_id})
SET f.rule_id = r.rule_id, f.employee_id = r.employee_id, f.severity = r.severity, f.ts = r.ts,
    f.weight = r.weight, f.target_type = r.target_type, f.target_id = r.target_id, f.person_id = r.person_id,
    f.case_id = r.case_id, f.organisation_id = r.organisation_id, f.evidence = r.evidence,
    f.detail = r.detail, f.as_of = r.as_of
MERGE (e)-[:HAS_FINDING]->(f)
WITH f, r
UNWIND r.access_ids AS access_id
MATCH (a:Access {access_id: access_id})
MERGE (f)-[:CONCERNS]->(a)
RETURN count(*) AS linked
