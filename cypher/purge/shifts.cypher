// purge/shifts: delete up to $limit shifts that ended before $cut, with their WORKED relationships.
// Run until it returns 0. Same predicate as graphrisk.privacy.retention.purge_tables.
MATCH (s:Shift)
WHERE s.end_ts < $cut
WITH s LIMIT $limit
DETACH DELETE s
RETURN count(*) AS deleted
