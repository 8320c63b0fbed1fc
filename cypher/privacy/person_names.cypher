// Which of $values are the names of persons (one scan of the Person nodes): a query result's cells are
// hidden when they are, whatever the column is called.
MATCH (p:Person)
WHERE p.name IN $values
RETURN collect(DISTINCT p.name) AS names
