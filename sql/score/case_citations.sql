-- name: case_citations
-- description: For each finding row with a case covering its look-up (the input covering:
--   finding_row, employee_id, case_id, ts of the look-up), whether the employee cites such a case
--   within $session_minutes of the look-up (own), and whether another employee of the same unit
--   (the input units) cites one within $support_days days of it (team). Rows with neither are left out.
-- uses: accesses, covering, units
-- inputs: covering, units
-- params: session_minutes, support_days
WITH cites AS (
  SELECT a.employee_id, a.case_id, a.ts
  FROM accesses a
  WHERE a.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM covering c WHERE c.case_id = a.case_id)
),
own AS (
  SELECT DISTINCT c.finding_row
  FROM covering c
  JOIN cites x ON x.employee_id = c.employee_id AND x.case_id = c.case_id
  WHERE x.ts >= c.ts - INTERVAL ($session_minutes) MINUTE AND x.ts <= c.ts + INTERVAL ($session_minutes) MINUTE
),
cite_days AS (
  SELECT DISTINCT employee_id, case_id, CAST(ts AS DATE) AS cite_day
  FROM cites
),
team AS (
  SELECT DISTINCT c.finding_row
  FROM covering c
  JOIN cite_days x ON x.case_id = c.case_id AND x.employee_id <> c.employee_id
  LEFT JOIN units cu ON cu.employee_id = c.employee_id
  LEFT JOIN units xu ON xu.employee_id = x.employee_id
  WHERE xu.unit_id IS NOT DISTINCT FROM cu.unit_id
    AND ABS(DATE_DIFF('day', x.cite_day, CAST(c.ts AS DATE))) <= $support_days
)
SELECT finding_row, MAX(own) AS own, MAX(team) AS team
FROM (
  SELECT finding_row, TRUE AS own, FALSE AS team FROM own
  UNION ALL
  SELECT finding_row, FALSE AS own, TRUE AS team FROM team
) flags
GROUP BY finding_row
