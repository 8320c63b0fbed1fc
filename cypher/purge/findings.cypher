// purge/findings: delete up to $limit written-back findings about a look-up from before $cut, or written
// by a scoring run as of before it, with their HAS_FINDING and CONCERNS relationships. Run until it
// returns 0.
MATCH (f:Finding)
WHERE f.ts < $cut OR f.as_of < $cut
WITH f LIMIT $limit
DETACH DELETE f
RETURN count(*) AS deleted
