// Delete up to $limit nodes with their relationships; run until it returns 0 to empty the database.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
