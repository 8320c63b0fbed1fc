// score/case_subjects: subjects of cases with their role (cases against organisations join the subgraph).
MATCH (p:Person)-[s:SUBJECT_OF]->(c:Case)
RETURN c.case_id AS case_id, p.person_id AS person_id, s.role AS role
ORDER BY case_id, person_id
