-- name: routine
-- description: The candidate rows (the input candidates: finding_row, employee_id, ts, target) around
--   which, within $routine_minutes either side, the same employee looked up at least
--   $routine_others other targets (type:id) in look-ups no rule flagged (the input flagged: access_id).
--   The input hour_shifts (shift) holds the whole hours from -k to k, k = ceil($routine_minutes / 60):
--   the join is on the employee and the clock hours the span reaches (as in alone.sql), not on the
--   employee alone, which paired each candidate with every look-up of its employee in the window.
-- uses: accesses, candidates, flagged, hour_shifts
-- inputs: candidates, flagged, hour_shifts
-- params: routine_minutes, routine_others
WITH candidate_hours AS (
  SELECT c.finding_row, c.employee_id, c.ts, c.target, CAST(FLOOR(EPOCH(c.ts) / 3600) AS BIGINT) + h.shift AS hour
  FROM candidates c
  CROSS JOIN hour_shifts h
),
by_hour AS (
  SELECT a.access_id, a.employee_id, a.ts, a.target_type || ':' || a.target_id AS target,
         CAST(FLOOR(EPOCH(a.ts) / 3600) AS BIGINT) AS hour
  FROM accesses a
)
SELECT c.finding_row
FROM candidate_hours c
JOIN by_hour a ON a.employee_id = c.employee_id AND a.hour = c.hour
  AND a.ts >= c.ts - INTERVAL ($routine_minutes) MINUTE AND a.ts <= c.ts + INTERVAL ($routine_minutes) MINUTE
WHERE NOT EXISTS (SELECT 1 FROM flagged x WHERE x.access_id = a.access_id)
  AND a.target <> c.target
GROUP BY c.finding_row
HAVING COUNT(DISTINCT a.target) >= $routine_others
