-- name: routine
-- description: The candidate rows (the input candidates: finding_row, employee_id, ts, target) around
--   which, within $routine_minutes either side, the same employee looked up at least
--   $routine_others other targets (type:id) in look-ups no rule flagged (the input flagged: access_id).
-- uses: accesses, candidates, flagged
-- inputs: candidates, flagged
-- params: routine_minutes, routine_others
SELECT c.finding_row
FROM candidates c
JOIN accesses a ON a.employee_id = c.employee_id
  AND a.ts >= c.ts - INTERVAL ($routine_minutes) MINUTE AND a.ts <= c.ts + INTERVAL ($routine_minutes) MINUTE
WHERE NOT EXISTS (SELECT 1 FROM flagged x WHERE x.access_id = a.access_id)
  AND a.target_type || ':' || a.target_id <> c.target
GROUP BY c.finding_row
HAVING COUNT(DISTINCT a.target_type || ':' || a.target_id) >= $routine_others
