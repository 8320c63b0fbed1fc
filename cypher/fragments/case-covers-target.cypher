// fragment case-covers-target: the case c covers what the access a looked up: the case itself, or
// a person who is its subject, that person's vehicle or address. Binds: a, c.
((a)-[:TARGETED]->(c)
 OR EXISTS { MATCH (a)-[:TARGETED]->(:Person)-[:SUBJECT_OF]->(c) }
 OR EXISTS { MATCH (a)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(:Person)-[:SUBJECT_OF]->(c) }
 OR EXISTS { MATCH (a)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(:Person)-[:SUBJECT_OF]->(c) })
