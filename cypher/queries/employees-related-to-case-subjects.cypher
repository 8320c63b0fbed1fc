// name: employees-related-to-case-subjects
// description: Employees within a few relation hops of a subject of a case, and whether they have
//   looked that subject up. Without a case id: every open case.
// category: network
// param: case_id string (default: none)  the case (none: all open cases)
// param: max_hops int (default: 2) (range: 1..4)  the most relation hops
MATCH (k:Case)<-[s:SUBJECT_OF]-(p:Person)
WHERE ($case_id IS NULL AND k.status = 'open') OR k.case_id = $case_id
MATCH path = (p)-[:RELATED_TO*1..4]-(:Person)<-[:IS_PERSON]-(e:Employee)
WHERE length(path) <= $max_hops
WITH k, s, p, e, min(length(path)) AS hops
RETURN k.case_id AS case_id, p.person_id AS subject_id, p.name AS subject, s.role AS subject_role,
       e.employee_id AS employee_id, hops,
       EXISTS { MATCH (e)-[:ASSIGNED_TO]->(k) } AS on_case,
       COUNT {
         MATCH (e)-[:PERFORMED]->(a:Access)-[:TARGETED]->(t)
         WHERE t = p OR (t:Vehicle AND (t)-[:REGISTERED_TO]->(p)) OR (t:Address AND (t)<-[:LIVES_AT]-(p))
       } AS lookups_of_subject
ORDER BY lookups_of_subject DESC, hops, case_id, subject_id, employee_id
