// findings/log_days: the UTC days of every stored look-up.
MATCH (a:Access)
RETURN DISTINCT toString(date(a.ts)) AS day
