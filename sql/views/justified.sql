-- name: justified
-- description: (access_id, person_id) pairs the look-up's cited case justifies: the look-up cites
--   case c, the employee is assigned to c on the day, and the person is a subject of c.
-- uses: accesses, active_assignments, case_subjects
-- materialise: yes
SELECT DISTINCT a.access_id, s.person_id
FROM accesses a
JOIN active_assignments v ON v.access_id = a.access_id AND v.case_id = a.case_id
JOIN case_subjects s ON s.case_id = a.case_id
