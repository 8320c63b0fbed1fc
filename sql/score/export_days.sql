-- name: export_days
-- description: Per employee, target (type:id) and UTC day of the window, the time of the latest
--   export, sorted by employee, target and day: the behaviour feature exports adds up their decays
--   in that order.
-- uses: accesses
SELECT employee_id, ts
FROM (
  SELECT employee_id, target_type || ':' || target_id AS target, day, MAX(ts) AS ts
  FROM accesses
  WHERE action = 'export'
  GROUP BY employee_id, target_type || ':' || target_id, day
) per_day
ORDER BY employee_id, target, day
