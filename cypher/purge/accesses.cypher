// purge/accesses: delete up to $limit look-ups (Access nodes) from before $cut, with their relationships
// (PERFORMED, TARGETED, JUSTIFIED_BY, and CONCERNS from findings). Run until it returns 0.
// Uses the access_ts index. Same predicate as graphrisk.privacy.retention.purge_tables.
MATCH (a:Access)
WHERE a.ts < $cut
WITH a LIMIT $limit
DETACH DELETE a
RETURN count(*) AS deleted
