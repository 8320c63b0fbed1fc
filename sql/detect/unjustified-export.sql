-- name: unjustified-export
-- description: An export whose look-up cites no case the employee is assigned to on the day.
-- uses: accesses, active_assignments
SELECT a.employee_id, a.access_id, a.ts, a.target_type, a.target_id,
       'medium' AS severity,
       CASE WHEN a.case_id IS NULL THEN 'no case cited'
            ELSE 'cites ' || a.case_id || ', not assigned' END AS detail
FROM accesses a
WHERE a.action = 'export'
  AND NOT EXISTS (
    SELECT 1 FROM active_assignments v WHERE v.access_id = a.access_id AND v.case_id = a.case_id
  )
