// score/assignments: who is assigned to which case, when (a look-up of a subject of one's own case is case work).
MATCH (e:Employee)-[a:ASSIGNED_TO]->(c:Case)
RETURN c.case_id AS case_id, e.employee_id AS employee_id, a.start_date AS start_date, a.end_date AS end_date
ORDER BY case_id, employee_id, start_date
