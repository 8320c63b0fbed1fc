// score/memberships: members of criminal organisations (the seeds of crime proximity).
MATCH (p:Person)-[:MEMBER_OF]->(o:Organisation)
RETURN p.person_id AS person_id, o.organisation_id AS organisation_id
ORDER BY person_id, organisation_id
