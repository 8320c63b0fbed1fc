-- name: outside-territory
-- description: The target's area (a person's residence, a vehicle's or an address's registered
--   area) is outside the territory of the employee's unit (the unit's area and every area below it;
--   a national unit serves the root), and the look-up is not justified as a whole (see the view
--   justified_accesses).
-- uses: accesses, persons, vehicles, addresses, employees, units, area_ancestors, justified_accesses
WITH placed AS (
  SELECT a.*, p.area_id FROM accesses a JOIN persons p ON p.person_id = a.target_id
  WHERE a.target_type = 'person'
  UNION ALL
  SELECT a.*, v.area_id FROM accesses a JOIN vehicles v ON v.vehicle_id = a.target_id
  WHERE a.target_type = 'vehicle'
  UNION ALL
  SELECT a.*, d.area_id FROM accesses a JOIN addresses d ON d.address_id = a.target_id
  WHERE a.target_type = 'address'
)
SELECT a.employee_id, a.access_id, a.ts, a.target_type, a.target_id,
       'low' AS severity,
       'target area ' || a.area_id || ' outside ' || u.area_id AS detail
FROM placed a
JOIN employees e ON e.employee_id = a.employee_id
JOIN units u ON u.unit_id = e.unit_id
WHERE NOT EXISTS (
    SELECT 1 FROM area_ancestors x WHERE x.area_id = a.area_id AND x.ancestor_id = u.area_id
  )
  AND NOT EXISTS (SELECT 1 FROM justified_accesses j WHERE j.access_id = a.access_id)
