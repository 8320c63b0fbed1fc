-- name: colleague-lookup
-- description: A person the look-up resolves to is another employee's own person record, or the
--   partner of another employee, and the look-up's case does not justify looking that person up.
--   The colleague named is the one with the smallest employee id.
-- uses: unjustified_targets, own_persons, employees, partner_edges
WITH colleagues AS (
  SELECT person_id, employee_id AS colleague_id FROM employees
  UNION ALL
  SELECT r.b AS person_id, e.employee_id AS colleague_id
  FROM partner_edges r
  JOIN employees e ON e.person_id = r.a
)
SELECT t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id,
       'medium' AS severity,
       'colleague ' || MIN(c.colleague_id) AS detail
FROM unjustified_targets t
JOIN own_persons o ON o.employee_id = t.employee_id
JOIN colleagues c ON c.person_id = t.person_id
WHERE t.person_id <> o.own_person_id AND c.colleague_id <> t.employee_id
GROUP BY t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id
