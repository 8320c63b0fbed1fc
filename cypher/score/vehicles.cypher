// score/vehicles: each vehicle's registered owner (a vehicle look-up is a look-up of its owner).
MATCH (v:Vehicle)-[:REGISTERED_TO]->(p:Person)
RETURN v.vehicle_id AS vehicle_id, p.person_id AS owner_person_id
ORDER BY vehicle_id
