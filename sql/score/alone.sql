-- name: alone
-- description: The finding rows (the input scored: finding_row, access_id) whose look-up has no
--   look-up of another target (type, id) by the same employee within $alone_minutes either side,
--   bounds included. A look-up outside the window is not alone.
-- uses: accesses, scored
-- inputs: scored
-- params: alone_minutes
SELECT f.finding_row
FROM scored f
JOIN accesses a ON a.access_id = f.access_id
LEFT JOIN accesses b ON b.employee_id = a.employee_id
  AND b.ts >= a.ts - INTERVAL ($alone_minutes) MINUTE AND b.ts <= a.ts + INTERVAL ($alone_minutes) MINUTE
  AND (b.target_type <> a.target_type OR b.target_id <> a.target_id)
GROUP BY f.finding_row
HAVING COUNT(b.access_id) = 0
