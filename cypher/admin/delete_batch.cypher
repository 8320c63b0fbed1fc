// Delete up to $limit nodes with their relationships; run until it returns 0 to empty the database.
// The load lock (GraphriskLock) stays: a load with --replace holds it while it empties the graph.
MATCH (n)
WHERE NOT n:GraphriskLock
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
