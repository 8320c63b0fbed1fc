-- name: workload
-- description: Per employee, their ordinary work in the window: target_days, the sum over the UTC
--   days with look-ups of the day's distinct targets (type:id), and days, how many such days,
--   counting only look-ups that no rule flagged (the input flagged: access_id), so that a flagged
--   look-up never changes either.
-- uses: accesses, flagged
-- inputs: flagged
WITH days AS (
  SELECT a.employee_id, a.day, COUNT(DISTINCT a.target_type || ':' || a.target_id) AS n_targets
  FROM accesses a
  WHERE NOT EXISTS (SELECT 1 FROM flagged f WHERE f.access_id = a.access_id)
  GROUP BY a.employee_id, a.day
)
SELECT employee_id, SUM(n_targets) AS target_days, COUNT(*) AS days
FROM days
GROUP BY employee_id
