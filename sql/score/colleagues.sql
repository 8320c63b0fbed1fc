-- name: colleagues
-- description: For each finding row (the input scored: finding_row, employee_id, target_type,
--   target_id), how many employees of its employee's unit (the input units) looked up the same
--   target in the window, its own employee included. Employees missing from units count as one
--   unit of their own, as unknown ones do in the pandas reference.
-- uses: accesses, scored, units
-- inputs: scored, units
WITH lookers AS (
  SELECT DISTINCT a.target_type, a.target_id, a.employee_id
  FROM accesses a
  WHERE EXISTS (SELECT 1 FROM scored f WHERE f.target_type = a.target_type AND f.target_id = a.target_id)
)
SELECT f.finding_row, COUNT(DISTINCT l.employee_id) AS lookers
FROM scored f
LEFT JOIN units fu ON fu.employee_id = f.employee_id
JOIN lookers l ON l.target_type = f.target_type AND l.target_id = f.target_id
LEFT JOIN units lu ON lu.employee_id = l.employee_id
WHERE lu.unit_id IS NOT DISTINCT FROM fu.unit_id
GROUP BY f.finding_row
