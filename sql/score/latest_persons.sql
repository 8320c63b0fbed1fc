-- name: latest_persons
-- description: Per employee and person looked up in the window (a vehicle as its registered owner,
--   when it has one; an address or a case as itself, type:id), the time of the latest look-up,
--   sorted by employee and person: the behaviour feature persons adds up their decays in that order.
-- uses: accesses, vehicles
WITH looked AS (
  SELECT a.employee_id, a.ts,
         CASE WHEN a.target_type = 'vehicle' AND v.owner_person_id IS NOT NULL
              THEN 'person:' || v.owner_person_id
              ELSE a.target_type || ':' || a.target_id END AS person
  FROM accesses a
  LEFT JOIN vehicles v ON a.target_type = 'vehicle' AND v.vehicle_id = a.target_id
)
SELECT employee_id, ts
FROM (SELECT employee_id, person, MAX(ts) AS ts FROM looked GROUP BY employee_id, person) latest
ORDER BY employee_id, person
