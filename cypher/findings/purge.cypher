// findings/purge: delete up to $limit stored findings of look-ups before $cut (a retention purge);
// run until it returns 0. The rest are detected again by the next incremental run (the state is stale).
MATCH (f:StoredFinding)
WHERE f.ts < $cut
WITH f LIMIT $limit
DELETE f
RETURN count(*) AS deleted
