// Relationships per type, one count-store look-up each (a test checks every type of the graph model is here).
MATCH ()-[r:PART_OF]->() RETURN 'PART_OF' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:SERVES]->() RETURN 'SERVES' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:LIVES_IN]->() RETURN 'LIVES_IN' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:LIVES_AT]->() RETURN 'LIVES_AT' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:IS_PERSON]->() RETURN 'IS_PERSON' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:WORKS_IN]->() RETURN 'WORKS_IN' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:PERFORMED]->() RETURN 'PERFORMED' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:TARGETED]->() RETURN 'TARGETED' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:JUSTIFIED_BY]->() RETURN 'JUSTIFIED_BY' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:IN_AREA]->() RETURN 'IN_AREA' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:REGISTERED_TO]->() RETURN 'REGISTERED_TO' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:REGISTERED_IN]->() RETURN 'REGISTERED_IN' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:OWNED_BY]->() RETURN 'OWNED_BY' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:ASSIGNED_TO]->() RETURN 'ASSIGNED_TO' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:SUBJECT_OF]->() RETURN 'SUBJECT_OF' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:PLANS]->() RETURN 'PLANS' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:RELATED_TO]->() RETURN 'RELATED_TO' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:MEMBER_OF]->() RETURN 'MEMBER_OF' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:WORKED]->() RETURN 'WORKED' AS type, count(r) AS count
