-- name: case_citations
-- description: For each finding row with a case covering its look-up (the input covering:
--   finding_row, employee_id, case_id, ts of the look-up), whether the employee cites such a case
--   within $session_minutes of the look-up (own), and whether another employee of the same unit
--   (the input units) cites one within $support_days days of it (team), and whether the employee cites
--   one within $support_days days of it (own_days; days are UTC dates). Rows with none are left out.
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
own_days AS (
  SELECT DISTINCT c.finding_row
  FROM covering c
  JOIN cite_days x ON x.case_id = c.case_id AND x.employee_id = c.employee_id
  WHERE ABS(DATE_DIFF('day', x.cite_day, CAST(c.ts AS DATE))) <= $support_days
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
SELECT finding_row, MAX(own) AS own, MAX(team) AS team, MAX(own_days) AS own_days
FROM (
  SELECT finding_row, TRUE AS own, FALSE AS team, FALSE AS own_days FROM own
  UNION ALL
  SELECT finding_row, FALSE AS own, TRUE AS team, FALSE AS own_days FROM team
  UNION ALL
  SELECT finding_row, FALSE AS own, FALSE AS team, TRUE AS own_days FROM own_days
) flags
GROUP BY finding_row
