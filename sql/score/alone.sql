-- name: alone
-- description: The finding rows (the input scored: finding_row, access_id) whose look-up has no
--   look-up of another target (type, id) by the same employee within $alone_minutes either side,
--   bounds included. A look-up outside the window is not alone. The input hour_shifts (shift) holds
--   the whole hours from -k to k, k = ceil($alone_minutes / 60): a look-up within the span lies in one
--   of those clock hours around the scored look-up's, so the join is on the employee and that hour
--   (selective), and the span is checked on what it pairs (a join on the employee alone paired each
--   scored look-up with every look-up of its employee in the window).
-- uses: accesses, scored, hour_shifts
-- inputs: scored, hour_shifts
-- params: alone_minutes
WITH scored_lookups AS (
  SELECT f.finding_row, a.employee_id, a.ts, a.target_type, a.target_id,
         CAST(FLOOR(EPOCH(a.ts) / 3600) AS BIGINT) AS hour
  FROM scored f
  JOIN accesses a ON a.access_id = f.access_id
),
by_hour AS (
  SELECT employee_id, ts, target_type, target_id, CAST(FLOOR(EPOCH(ts) / 3600) AS BIGINT) AS hour
  FROM accesses
)
SELECT s.finding_row
FROM scored_lookups s
CROSS JOIN hour_shifts h
LEFT JOIN by_hour b ON b.employee_id = s.employee_id AND b.hour = s.hour + h.shift
  AND b.ts >= s.ts - INTERVAL ($alone_minutes) MINUTE AND b.ts <= s.ts + INTERVAL ($alone_minutes) MINUTE
  AND (b.target_type <> s.target_type OR b.target_id <> s.target_id)
GROUP BY s.finding_row
HAVING COUNT(b.ts) = 0
