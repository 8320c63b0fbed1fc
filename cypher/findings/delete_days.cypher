// findings/delete_days: delete up to $limit stored findings of the days $days (every one when $days is
// null); run until it returns 0.
MATCH (f:StoredFinding)
WHERE $days IS NULL OR f.day IN $days
WITH f LIMIT $limit
DELETE f
RETURN count(*) AS deleted
