-- name: own_persons
-- description: Each employee's own person record.
-- uses: employees
SELECT employee_id, person_id AS own_person_id
FROM employees
