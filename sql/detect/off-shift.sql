-- name: off-shift
-- description: A look-up not justified as a whole (see the view justified_accesses) outside every
--   shift of an employee who has shifts (no shift with start_ts <= ts <= end_ts); or, for an
--   employee without shifts and at least $min_history look-ups in all of the log, in a UTC hour of
--   day that holds less than $min_hour_share of the employee's look-ups.
-- uses: accesses, all_accesses, shifts, justified_accesses
-- params: min_hour_share, min_history
WITH open_accesses AS (
  SELECT a.*
  FROM accesses a
  WHERE NOT EXISTS (SELECT 1 FROM justified_accesses j WHERE j.access_id = a.access_id)
),
shifted AS (
  SELECT DISTINCT employee_id FROM shifts
),
histogram AS (
  SELECT employee_id, hour, n, SUM(n) OVER (PARTITION BY employee_id) AS total
  FROM (
    SELECT h.employee_id, hour(h.ts) AS hour, COUNT(*) AS n
    FROM all_accesses h
    WHERE h.employee_id NOT IN (SELECT employee_id FROM shifted)
    GROUP BY h.employee_id, hour(h.ts)
  ) per_hour
)
SELECT a.employee_id, a.access_id, a.ts, a.target_type, a.target_id,
       'low' AS severity,
       'outside every shift' AS detail
FROM open_accesses a
WHERE a.employee_id IN (SELECT employee_id FROM shifted)
  AND NOT EXISTS (
    SELECT 1 FROM shifts s
    WHERE s.employee_id = a.employee_id AND s.start_ts <= a.ts AND a.ts <= s.end_ts
  )
UNION ALL
SELECT a.employee_id, a.access_id, a.ts, a.target_type, a.target_id,
       'low' AS severity,
       'hour ' || lpad(CAST(h.hour AS VARCHAR), 2, '0') || ' UTC holds ' || CAST(h.n AS VARCHAR)
         || ' of ' || CAST(h.total AS VARCHAR) AS detail
FROM open_accesses a
JOIN histogram h ON h.employee_id = a.employee_id AND h.hour = hour(a.ts)
WHERE h.total >= $min_history AND CAST(h.n AS DOUBLE) / h.total < $min_hour_share
