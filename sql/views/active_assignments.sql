-- name: active_assignments
-- description: (access_id, case_id) where the employee was assigned to the case on the look-up's
--   UTC day: start_date <= day and (no end_date or day <= end_date).
-- uses: accesses, case_assignments
-- materialise: yes
SELECT DISTINCT a.access_id, s.case_id
FROM accesses a
JOIN case_assignments s ON s.employee_id = a.employee_id
WHERE s.start_date <= a.day AND (s.end_date IS NULL OR a.day <= s.end_date)
