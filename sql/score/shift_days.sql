-- name: shift_days
-- description: The (employee, day) pairs whose look-ups have the shape of a shift: at least the
--   employee's day_targets.targets distinct targets in at least $hours distinct clock hours (UTC).
--   look_ups 'all': every look-up of the day, for the pairs of the input work_days (employee_id,
--   day); 'off': only the look-ups of the input off_shift (access_id), on any day.
-- uses: accesses, work_days, off_shift, day_targets
-- inputs: work_days, off_shift, day_targets
-- params: hours
WITH shapes AS (
  SELECT 'all' AS look_ups, a.employee_id, a.day,
         COUNT(DISTINCT a.target_type || ':' || a.target_id) AS n_targets, COUNT(DISTINCT HOUR(a.ts)) AS n_hours
  FROM accesses a
  WHERE EXISTS (SELECT 1 FROM work_days d WHERE d.employee_id = a.employee_id AND d.day = a.day)
  GROUP BY a.employee_id, a.day
  UNION ALL
  SELECT 'off' AS look_ups, a.employee_id, a.day,
         COUNT(DISTINCT a.target_type || ':' || a.target_id) AS n_targets, COUNT(DISTINCT HOUR(a.ts)) AS n_hours
  FROM accesses a
  WHERE EXISTS (SELECT 1 FROM off_shift o WHERE o.access_id = a.access_id)
  GROUP BY a.employee_id, a.day
)
SELECT s.look_ups, s.employee_id, s.day
FROM shapes s
JOIN day_targets t ON t.employee_id = s.employee_id
WHERE s.n_targets >= t.targets AND s.n_hours >= $hours
