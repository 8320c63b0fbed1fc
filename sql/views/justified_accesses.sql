-- name: justified_accesses
-- description: Ids of look-ups their cited case justifies as a whole: some person the look-up
--   resolves to is justified by its case (see justified), or its target is the case it cites and the
--   employee is assigned to that case on the day.
-- uses: justified, target_persons, accesses, active_assignments
-- materialise: yes
SELECT j.access_id
FROM justified j
JOIN target_persons t ON t.access_id = j.access_id AND t.person_id = j.person_id
UNION
SELECT a.access_id
FROM accesses a
JOIN active_assignments v ON v.access_id = a.access_id AND v.case_id = a.case_id
WHERE a.target_type = 'case' AND a.target_id = a.case_id
