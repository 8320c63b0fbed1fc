-- name: no_need_to_know
-- description: Look-ups of a case open on their day, or of a subject of one (directly or through a
--   vehicle or address; subjects the look-up's own case justifies left out), by an employee neither
--   assigned to that case on the day nor in its owning unit. With the case's sensitivity, the
--   subject's role and the person's flags (the severity's inputs). Open on day d: opened_on <= d and
--   (d <= closed_on, or no closed_on and status open).
-- uses: accesses, unjustified_targets, case_subjects, cases, employees, active_assignments, persons
-- materialise: yes
SELECT m.employee_id, m.access_id, m.ts, m.target_type, m.target_id, m.person_id, m.case_id,
       m.role, k.sensitivity, p.flags
FROM (
  SELECT employee_id, access_id, ts, day, target_type, target_id, CAST(NULL AS VARCHAR) AS person_id,
         target_id AS case_id, CAST(NULL AS VARCHAR) AS role
  FROM accesses
  WHERE target_type = 'case'
  UNION ALL
  SELECT t.employee_id, t.access_id, t.ts, t.day, t.target_type, t.target_id, t.person_id,
         s.case_id, s.role
  FROM unjustified_targets t
  JOIN case_subjects s ON s.person_id = t.person_id
) m
JOIN cases k ON k.case_id = m.case_id
JOIN employees e ON e.employee_id = m.employee_id
LEFT JOIN persons p ON p.person_id = m.person_id
WHERE k.opened_on <= m.day
  AND ((k.closed_on IS NOT NULL AND m.day <= k.closed_on) OR (k.closed_on IS NULL AND k.status = 'open'))
  AND e.unit_id <> k.unit_id
  AND NOT EXISTS (
    SELECT 1 FROM active_assignments v WHERE v.access_id = m.access_id AND v.case_id = m.case_id
  )
