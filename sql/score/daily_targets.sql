-- name: daily_targets
-- description: Per employee, the mean number of distinct targets of a day with look-ups in the
--   window (UTC days): the sum of the days' distinct targets and the number of such days, divided
--   in pandas (exact, as the reference).
-- uses: accesses
WITH days AS (
  SELECT a.employee_id, a.day, COUNT(DISTINCT a.target_type || ':' || a.target_id) AS n_targets
  FROM accesses a
  GROUP BY a.employee_id, a.day
)
SELECT employee_id, SUM(n_targets) AS targets, COUNT(*) AS days
FROM days
GROUP BY employee_id
