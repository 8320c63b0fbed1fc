// Every employee with their own person record: pseudonyms for the one, and the other hidden with them.
MATCH (e:Employee)
OPTIONAL MATCH (e)-[:IS_PERSON]->(p:Person)
RETURN e.employee_id AS employee_id, p.person_id AS person_id
