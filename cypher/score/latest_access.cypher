// score/latest_access: the time of the latest look-up (null when there is none); the default as-of.
MATCH (a:Access)
RETURN max(a.ts) AS latest
