-- name: own-network
-- description: A person the look-up resolves to is within $max_hops relations of the employee's own
--   person record (not the record itself), and the look-up's case does not justify looking that
--   person up. The path is the shortest, then the one through the smallest intermediate person id;
--   kinds per hop are the alphabetically first (see the view own_paths).
-- uses: unjustified_targets, own_persons, own_paths
-- params: max_hops
SELECT t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id,
       'medium' AS severity, p.path_persons, p.path_kinds
FROM unjustified_targets t
JOIN own_persons o ON o.employee_id = t.employee_id
JOIN own_paths p ON p.source = o.own_person_id AND p.person_id = t.person_id
WHERE t.person_id <> o.own_person_id AND p.hops <= $max_hops
