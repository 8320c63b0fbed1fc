// score/relations: every known tie between persons (scoring input: the focused subgraph).
MATCH (a:Person)-[r:RELATED_TO]->(b:Person)
RETURN a.person_id AS person_id, b.person_id AS other_person_id, r.kind AS kind
ORDER BY person_id, other_person_id, kind
