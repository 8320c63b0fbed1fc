-- name: target_persons
-- description: (access_id, person_id) for every person a look-up in the window resolves to: a person
--   target is that person, a vehicle its registered owner, an address everyone living there, a case
--   no one.
-- uses: accesses, vehicles, persons
-- materialise: yes
SELECT DISTINCT access_id, person_id
FROM (
  SELECT a.access_id, a.target_id AS person_id
  FROM accesses a
  WHERE a.target_type = 'person'
  UNION ALL
  SELECT a.access_id, v.owner_person_id AS person_id
  FROM accesses a
  JOIN vehicles v ON v.vehicle_id = a.target_id
  WHERE a.target_type = 'vehicle'
  UNION ALL
  SELECT a.access_id, p.person_id
  FROM accesses a
  JOIN persons p ON p.address_id = a.target_id
  WHERE a.target_type = 'address'
) resolved
