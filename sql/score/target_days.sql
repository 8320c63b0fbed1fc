-- name: target_days
-- description: Per employee, target (type:id) and UTC day of the window, the time of the latest
--   look-up citing no case (feature no_case) and of the latest export (feature export), sorted by
--   feature, employee, target and day: the behaviour features add up their decays in that order.
-- uses: accesses
SELECT feature, employee_id, ts
FROM (
  SELECT 'no_case' AS feature, employee_id, target_type || ':' || target_id AS target, day, MAX(ts) AS ts
  FROM accesses
  WHERE case_id IS NULL
  GROUP BY employee_id, target_type || ':' || target_id, day
  UNION ALL
  SELECT 'export' AS feature, employee_id, target_type || ':' || target_id AS target, day, MAX(ts) AS ts
  FROM accesses
  WHERE action = 'export'
  GROUP BY employee_id, target_type || ':' || target_id, day
) per_day
ORDER BY feature, employee_id, target, day
